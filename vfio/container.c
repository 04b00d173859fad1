// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO container, /dev/vfio/vfio.
 *
 * Opening /dev/vfio/vfio creates an empty container. Groups join it with
 * VFIO_GROUP_SET_CONTAINER; once it has one, VFIO_SET_IOMMU picks the
 * backend that serves it (the container is an unprivileged interface until
 * a group gives it something to manage). When its last group leaves, the
 * backend is released and the container returns to the unset state.
 *
 * Lifetime: a kref, held by the file and by each attached group, so that
 * container, group and device files may be closed in any order.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vfio.h"

/*
 * Every IOMMU backend, in order of preference. The auxiliary-domain
 * backend of iommu/ is to be added here.
 */
static const struct mdk_vfio_iommu_ops *const mdk_vfio_backends[] = {
	&mdk_vfio_type1_ops,
};

static void mdk_vfio_container_free(struct kref *kref)
{
	struct mdk_vfio_container *container =
		container_of(kref, struct mdk_vfio_container, kref);

	/* The backend went away with the last group. */
	kfree(container);
}

static void mdk_vfio_container_put(struct mdk_vfio_container *container)
{
	kref_put(&container->kref, mdk_vfio_container_free);
}

static long mdk_vfio_check_extension(struct mdk_vfio_container *container,
				     unsigned long arg)
{
	const struct mdk_vfio_iommu_ops *ops;
	long ret = 0;
	int i;

	/* Only the no-IOMMU mode would answer this, and we have none. */
	if (arg == VFIO_NOIOMMU_IOMMU)
		return 0;

	down_read(&container->group_lock);
	if (container->iommu_ops) {
		ret = container->iommu_ops->check_extension(arg);
		goto out_unlock;
	}
	/* No backend set: the first one that knows the extension answers. */
	for (i = 0; i < ARRAY_SIZE(mdk_vfio_backends); i++) {
		ops = mdk_vfio_backends[i];
		if (!try_module_get(ops->owner))
			continue;
		ret = ops->check_extension(arg);
		module_put(ops->owner);
		if (ret > 0)
			break;
	}
out_unlock:
	up_read(&container->group_lock);
	return ret;
}

/* Attach every group of @container to a newly opened backend. */
static int mdk_vfio_attach_all(struct mdk_vfio_container *container,
			       const struct mdk_vfio_iommu_ops *ops,
			       void *data)
{
	struct mdk_vfio_group *group;
	int ret;

	lockdep_assert_held_write(&container->group_lock);

	list_for_each_entry(group, &container->groups, container_entry) {
		ret = ops->attach_group(data, group);
		if (ret)
			goto err_detach;
	}
	return 0;

err_detach:
	list_for_each_entry_continue_reverse(group, &container->groups,
					     container_entry)
		ops->detach_group(data, group);
	return ret;
}

static long mdk_vfio_set_iommu(struct mdk_vfio_container *container,
			       unsigned long type)
{
	const struct mdk_vfio_iommu_ops *ops;
	long ret = -ENODEV;
	void *data;
	int i;

	down_write(&container->group_lock);
	/* As upstream: no group to manage, or a backend already set. */
	if (list_empty(&container->groups) || container->iommu_ops) {
		ret = -EINVAL;
		goto out_unlock;
	}

	for (i = 0; i < ARRAY_SIZE(mdk_vfio_backends); i++) {
		ops = mdk_vfio_backends[i];
		if (!try_module_get(ops->owner))
			continue;
		/* SET_IOMMU's argument is a CHECK_EXTENSION one. */
		if (ops->check_extension(type) <= 0)
			goto next_put_module;
		data = ops->open(type);
		if (IS_ERR(data)) {
			ret = PTR_ERR(data);
			goto next_put_module;
		}
		ret = mdk_vfio_attach_all(container, ops, data);
		if (ret) {
			ops->release(data);
			goto next_put_module;
		}
		/* The module reference is kept until the backend is released. */
		container->iommu_ops = ops;
		container->iommu_data = data;
		break;
next_put_module:
		module_put(ops->owner);
	}
out_unlock:
	up_write(&container->group_lock);
	return ret;
}

static long mdk_vfio_container_ioctl(struct file *file, unsigned int cmd,
				     unsigned long arg)
{
	struct mdk_vfio_container *container = file->private_data;
	long ret;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return mdk_vfio_check_extension(container, arg);
	case VFIO_SET_IOMMU:
		return mdk_vfio_set_iommu(container, arg);
	}

	/* Everything else belongs to the backend; none set: EINVAL. */
	down_read(&container->group_lock);
	if (container->iommu_ops)
		ret = container->iommu_ops->ioctl(container->iommu_data, cmd,
						  arg);
	else
		ret = -EINVAL;
	up_read(&container->group_lock);
	return ret;
}

static int mdk_vfio_container_open(struct inode *inode, struct file *file)
{
	struct mdk_vfio_container *container;

	container = kzalloc(sizeof(*container), GFP_KERNEL_ACCOUNT);
	if (!container)
		return -ENOMEM;

	kref_init(&container->kref);
	init_rwsem(&container->group_lock);
	INIT_LIST_HEAD(&container->groups);
	file->private_data = container;
	return 0;
}

static int mdk_vfio_container_release(struct inode *inode, struct file *file)
{
	/* The file's reference; attached groups keep theirs. */
	mdk_vfio_container_put(file->private_data);
	return 0;
}

const struct file_operations mdk_vfio_container_fops = {
	.owner = THIS_MODULE,
	.open = mdk_vfio_container_open,
	.release = mdk_vfio_container_release,
	.unlocked_ioctl = mdk_vfio_container_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * mdk_vfio_container_from_file() - the container behind an open file
 * @file: any file
 *
 * Context: the caller holds a reference on @file.
 * Return: the container, or NULL when @file is not /dev/vfio/vfio.
 */
struct mdk_vfio_container *mdk_vfio_container_from_file(struct file *file)
{
	if (file->f_op != &mdk_vfio_container_fops)
		return NULL;
	return file->private_data;
}

/**
 * mdk_vfio_container_attach_group() - VFIO_GROUP_SET_CONTAINER
 * @container: the container to join
 * @group: a group without container
 *
 * When @container already has a backend, @group is attached to it now.
 * On success the group holds a reference on @container.
 *
 * Context: process context; takes @container's group_lock.
 *	The caller holds @group->lock.
 * Return: 0, or the backend's error.
 */
int mdk_vfio_container_attach_group(struct mdk_vfio_container *container,
				    struct mdk_vfio_group *group)
{
	int ret = 0;

	lockdep_assert_held(&group->lock);

	down_write(&container->group_lock);
	if (container->iommu_ops) {
		ret = container->iommu_ops->attach_group(container->iommu_data,
							 group);
		if (ret)
			goto out_unlock;
	}
	list_add_tail(&group->container_entry, &container->groups);
	group->container = container;
	kref_get(&container->kref);	/* put in ..._detach_group() */
out_unlock:
	up_write(&container->group_lock);
	return ret;
}

/**
 * mdk_vfio_container_detach_group() - take a group out of its container
 * @group: a group with a container and no open device file
 *
 * The last group to leave takes the backend with it: the container
 * returns to the unset state.
 *
 * Context: process context; takes the container's group_lock.
 *	The caller holds @group->lock.
 */
void mdk_vfio_container_detach_group(struct mdk_vfio_group *group)
{
	struct mdk_vfio_container *container = group->container;
	const struct mdk_vfio_iommu_ops *ops;

	lockdep_assert_held(&group->lock);

	down_write(&container->group_lock);
	ops = container->iommu_ops;
	if (ops)
		ops->detach_group(container->iommu_data, group);
	list_del(&group->container_entry);
	group->container = NULL;
	if (ops && list_empty(&container->groups)) {
		ops->release(container->iommu_data);
		module_put(ops->owner);	/* taken in mdk_vfio_set_iommu() */
		container->iommu_ops = NULL;
		container->iommu_data = NULL;
	}
	up_write(&container->group_lock);

	mdk_vfio_container_put(container);	/* from ..._attach_group() */
}
