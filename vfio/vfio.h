/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private interfaces between the parts of mdk_vfio.ko: the core
 * (container.c, group.c, device.c, main.c) and the IOMMU backends
 * (type1.c today; the auxiliary-domain backend of iommu/ later).
 */
#ifndef _MDK_VFIO_PRIVATE_H
#define _MDK_VFIO_PRIVATE_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <mdevkit/vfio.h>

#define MDK_VFIO_PREFIX "mdk_vfio: "

/**
 * struct mdk_vfio_iommu_ops - an IOMMU backend of the container
 * @name: backend name for log lines
 * @owner: module holding the backend (NULL when built into mdk_vfio)
 * @check_extension: answer VFIO_CHECK_EXTENSION for @arg (0 or 1)
 * @open: VFIO_SET_IOMMU with @type: allocate the backend's state.
 *	Returns a pointer or an ERR_PTR.
 * @release: the container is being freed (all groups detached)
 * @ioctl: container ioctls other than those of the core (MAP_DMA,
 *	UNMAP_DMA, IOMMU_GET_INFO, ...); -ENOTTY for unknown ones
 * @attach_group: a group joins a container that has this backend set
 * @detach_group: a group leaves (no device fd of it is open)
 * @register_device: a device fd of an attached group was opened; the
 *	backend delivers ops->dma_unmap to it from now on
 * @unregister_device: its last fd is closing; after this returns the
 *	backend no longer calls it
 * @pin_pages: see mdk_vfio_pin_pages()
 * @unpin_pages: see mdk_vfio_unpin_pages()
 * @dma_rw: see mdk_vfio_dma_rw()
 * @device_pasid: see mdk_vfio_device_pasid() (optional)
 *
 * The core calls @attach_group/@detach_group/@release with the
 * container's group_lock held for write, and everything else with it held
 * for read, so that a backend never sees its state freed under it. The
 * exceptions are @pin_pages, @unpin_pages, @dma_rw and @device_pasid: a
 * driver calls them with a device file open, which keeps the container's
 * groups and backend in place, and also from its ops->dma_unmap callback, which runs
 * under group_lock already (a second down_read could deadlock behind a
 * waiting writer); the core takes no lock for them.
 */
struct mdk_vfio_iommu_ops {
	const char *name;
	struct module *owner;
	int (*check_extension)(unsigned long arg);
	void *(*open)(unsigned long type);
	void (*release)(void *data);
	long (*ioctl)(void *data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *data, struct mdk_vfio_group *group);
	void (*detach_group)(void *data, struct mdk_vfio_group *group);
	void (*register_device)(void *data, struct mdk_vfio_device *vdev);
	void (*unregister_device)(void *data, struct mdk_vfio_device *vdev);
	int (*pin_pages)(void *data, struct mdk_vfio_device *vdev,
			 dma_addr_t iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *data, struct mdk_vfio_device *vdev,
			    dma_addr_t iova, int npage);
	int (*dma_rw)(void *data, dma_addr_t iova, void *buf, size_t len,
		      bool write);
	int (*device_pasid)(void *data, struct mdk_vfio_device *vdev);
};

/**
 * struct mdk_vfio_container - an open /dev/vfio/vfio
 * @kref: one reference for the file, one per attached group
 * @group_lock: protects @groups, @iommu_ops and @iommu_data (write to
 *	change them, read to use them)
 * @groups: attached groups
 * @iommu_ops: the backend set by VFIO_SET_IOMMU, NULL before
 * @iommu_data: its state
 */
struct mdk_vfio_container {
	struct kref kref;
	struct rw_semaphore group_lock;
	struct list_head groups;
	const struct mdk_vfio_iommu_ops *iommu_ops;
	void *iommu_data;
};

enum mdk_vfio_group_type {
	MDK_VFIO_EMULATED_IOMMU,	/* mdev-style: no hardware IOMMU */
	MDK_VFIO_IOMMU,			/* a real IOMMU group (vfio-pci) */
};

/**
 * struct mdk_vfio_group - a /dev/vfio/N group
 * @dev: the class device behind /dev/vfio/N
 * @cdev: its character device
 * @iommu_group: the kernel IOMMU group it stands for; set to NULL under
 *	@lock when the group is torn down (its last device unregistered),
 *	after which the struct only lives on for a still-open group file
 * @id: iommu_group_id(@iommu_group), the N of /dev/vfio/N
 * @type: emulated or hardware IOMMU
 * @lock: protects @device_list, @container, @container_entry and
 *	@opened_file
 * @device_list: its devices (struct mdk_vfio_device.group_entry)
 * @container: the container it is attached to, or NULL
 * @container_entry: link in @container->groups
 * @opened_file: the one open file of the group (groups are exclusive),
 *	or NULL; device fds hold a reference to it
 */
struct mdk_vfio_group {
	struct device dev;
	struct cdev cdev;
	struct iommu_group *iommu_group;
	int id;
	enum mdk_vfio_group_type type;
	struct mutex lock;	/* see @lock above */
	struct list_head device_list;
	struct mdk_vfio_container *container;
	struct list_head container_entry;
	struct file *opened_file;
};

extern const struct mdk_vfio_iommu_ops mdk_vfio_type1_ops;

/* main.c: the class and character device region of /dev/vfio/N */
#define MDK_VFIO_GROUP_MINORS	(MINORMASK + 1)
extern struct class *mdk_vfio_group_class;
extern dev_t mdk_vfio_group_devt;

/* container.c */
extern const struct file_operations mdk_vfio_container_fops;
struct mdk_vfio_container *mdk_vfio_container_from_file(struct file *file);
int mdk_vfio_container_attach_group(struct mdk_vfio_container *container,
				    struct mdk_vfio_group *group);
void mdk_vfio_container_detach_group(struct mdk_vfio_group *group);

/* group.c */
int mdk_vfio_group_create_emulated(struct mdk_vfio_device *vdev);
void mdk_vfio_group_destroy_emulated(struct mdk_vfio_device *vdev);
void mdk_vfio_group_exit(void);

/* device.c */
struct file *mdk_vfio_device_open_file(struct mdk_vfio_group *group,
				       const char *name);
bool mdk_vfio_group_has_open_device(struct mdk_vfio_group *group);

int mdk_vfio_type1_init(void);
void mdk_vfio_type1_exit(void);

#endif /* _MDK_VFIO_PRIVATE_H */
