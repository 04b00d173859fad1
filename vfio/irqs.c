// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdevkit: VFIO interrupt indexes of emulated devices.
 *
 * The generic half of VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS:
 * argument validation exactly as upstream's
 * vfio_set_irqs_validate_and_prepare(), per-vector eventfds, per-index
 * masking with a pending bit (the automasked INTx of vfio-pci), loopback
 * triggers and irqfd unmasking.
 *
 * Locking: SET_IRQS and teardown are serialized by the per-device
 * @set_lock (a mutex: eventfds are looked up and released under it). The
 * state that signalling touches (@trigger, @masked, @pending) is
 * protected by a per-index spinlock, so that a device can raise an
 * interrupt from any context. Nothing here is global.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <mdevkit/compat.h>
#include <mdevkit/vfio.h>

/**
 * struct mdk_vfio_irqfd - an eventfd that unmasks an index (irqfd unmask)
 * @irq: the index it unmasks
 * @ctx: the eventfd (one reference held)
 * @wait: our entry in the eventfd's wait queue
 * @pt: poll table used to add @wait
 * @work: does the unmask: the wait-queue callback runs under the
 *	eventfd's lock, where signalling another eventfd is not allowed
 */
struct mdk_vfio_irqfd {
	struct mdk_vfio_irq *irq;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct work;
};

static bool mdk_irq_any_armed(struct mdk_vfio_irq *irq)
{
	u32 i;

	lockdep_assert_held(&irq->lock);
	for (i = 0; irq->trigger && i < irq->count; i++)
		if (irq->trigger[i])
			return true;
	return false;
}

/* Back to the state of a freshly enabled index. */
static void mdk_irq_clear_mask(struct mdk_vfio_irq *irq)
{
	lockdep_assert_held(&irq->lock);
	irq->masked = false;
	irq->pending = false;
}

/* Deliver an interrupt that arrived while masked (if any) and unmask. */
static void mdk_irq_unmask(struct mdk_vfio_irq *irq)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&irq->lock, flags);
	irq->masked = false;
	if (irq->pending && mdk_irq_any_armed(irq)) {
		irq->pending = false;
		for (i = 0; i < irq->count; i++)
			if (irq->trigger[i])
				mdk_eventfd_signal(irq->trigger[i]);
		if (irq->flags & VFIO_IRQ_INFO_AUTOMASKED)
			irq->masked = true;
	}
	spin_unlock_irqrestore(&irq->lock, flags);
}

static void mdk_irqfd_work(struct work_struct *work)
{
	struct mdk_vfio_irqfd *fd = container_of(work, struct mdk_vfio_irqfd,
						 work);

	mdk_irq_unmask(fd->irq);
}

/* Called with the eventfd's wait-queue lock held, interrupts off. */
static int mdk_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct mdk_vfio_irqfd *fd = container_of(wait, struct mdk_vfio_irqfd,
						 wait);
	u64 cnt;

	/*
	 * EPOLLHUP needs nothing: our reference keeps the context alive
	 * until the user re-arms or the device is closed.
	 */
	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(fd->ctx, &cnt);
		schedule_work(&fd->work);
	}
	return 0;
}

static void mdk_irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			    poll_table *pt)
{
	struct mdk_vfio_irqfd *fd = container_of(pt, struct mdk_vfio_irqfd, pt);

	add_wait_queue(wqh, &fd->wait);
}

static struct mdk_vfio_irqfd *mdk_irqfd_create(struct mdk_vfio_irq *irq,
					       int efd)
{
	struct mdk_vfio_irqfd *fd;
	struct file *file;
	int ret;

	fd = kzalloc(sizeof(*fd), GFP_KERNEL);
	if (!fd)
		return ERR_PTR(-ENOMEM);
	file = eventfd_fget(efd);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_free;
	}
	fd->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(fd->ctx)) {
		ret = PTR_ERR(fd->ctx);
		goto err_fput;
	}
	fd->irq = irq;
	INIT_WORK(&fd->work, mdk_irqfd_work);
	init_waitqueue_func_entry(&fd->wait, mdk_irqfd_wakeup);
	init_poll_funcptr(&fd->pt, mdk_irqfd_queue);
	/* Already signalled before we got here: unmask right away. */
	if (vfs_poll(file, &fd->pt) & EPOLLIN)
		schedule_work(&fd->work);
	fput(file);
	return fd;

err_fput:
	fput(file);
err_free:
	kfree(fd);
	return ERR_PTR(ret);
}

static void mdk_irqfd_destroy(struct mdk_vfio_irqfd *fd)
{
	u64 cnt;

	if (!fd)
		return;
	/* After this the callback cannot run and queue the work again. */
	eventfd_ctx_remove_wait_queue(fd->ctx, &fd->wait, &cnt);
	cancel_work_sync(&fd->work);
	eventfd_ctx_put(fd->ctx);
	kfree(fd);
}

/**
 * mdk_vfio_irqs_init() - allocate the IRQ indexes of a device
 * @irqs: the set to initialize
 * @nr: number of indexes; each starts absent (GET_IRQ_INFO: -EINVAL)
 *	until mdk_vfio_irqs_define() sets it up
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int mdk_vfio_irqs_init(struct mdk_vfio_irqs *irqs, unsigned int nr)
{
	unsigned int i;

	irqs->irq = kcalloc(nr, sizeof(*irqs->irq), GFP_KERNEL);
	if (!irqs->irq)
		return -ENOMEM;
	irqs->nr = nr;
	for (i = 0; i < nr; i++)
		spin_lock_init(&irqs->irq[i].lock);
	mutex_init(&irqs->set_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_init);

/**
 * mdk_vfio_irqs_define() - set up one IRQ index
 * @irqs: the device's indexes
 * @index: the index to define (below the number given to init)
 * @count: number of vectors (0: the index cannot be used)
 * @flags: VFIO_IRQ_INFO_* flags reported by GET_IRQ_INFO; MASKABLE
 *	enables MASK/UNMASK, AUTOMASKED masks the index on each delivery
 *
 * An index defined with count 0 but some flags is reported as such by
 * GET_IRQ_INFO (vfio-pci's MSI-X without the capability); one never
 * defined, or defined with count 0 and no flags, answers -EINVAL
 * (vfio-pci's ERR on a conventional PCI device; QEMU warns when ERR
 * reports success with a count other than 1).
 *
 * The per-vector eventfd table is allocated when the user first arms a
 * vector, so that this cannot fail.
 *
 * Context: process context, before the device is visible to userspace.
 */
void mdk_vfio_irqs_define(struct mdk_vfio_irqs *irqs, unsigned int index,
			  u32 count, u32 flags)
{
	if (WARN_ON_ONCE(index >= irqs->nr || irqs->irq[index].trigger))
		return;
	irqs->irq[index].count = count;
	irqs->irq[index].flags = flags;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_define);

/**
 * mdk_vfio_irqs_destroy() - disarm and free all IRQ indexes
 * @irqs: the device's indexes
 *
 * Context: process context; may sleep.
 */
void mdk_vfio_irqs_destroy(struct mdk_vfio_irqs *irqs)
{
	unsigned int i;

	if (!irqs->irq)
		return;
	mdk_vfio_irqs_disable_all(irqs);
	for (i = 0; i < irqs->nr; i++)
		kfree(irqs->irq[i].trigger);
	kfree(irqs->irq);
	irqs->irq = NULL;
	irqs->nr = 0;
	mutex_destroy(&irqs->set_lock);
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_destroy);

/**
 * mdk_vfio_irqs_get_info() - VFIO_DEVICE_GET_IRQ_INFO
 * @irqs: the device's indexes
 * @arg: user pointer to a struct vfio_irq_info
 *
 * Context: process context; may sleep.
 * Return: 0, -EFAULT, or -EINVAL for a short argsz, an index out of
 * range or an index the device does not define (see
 * mdk_vfio_irqs_define()).
 */
long mdk_vfio_irqs_get_info(struct mdk_vfio_irqs *irqs, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	struct mdk_vfio_irq *irq;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= irqs->nr)
		return -EINVAL;
	irq = &irqs->irq[info.index];
	if (!irq->count && !irq->flags)
		return -EINVAL;
	info.count = irq->count;
	info.flags = irq->flags;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_get_info);

/*
 * Validate a SET_IRQS header as upstream does; on success *size is the
 * number of data bytes following it.
 */
static int mdk_irqs_validate(struct mdk_vfio_irqs *irqs,
			     const struct vfio_irq_set *hdr, size_t *size)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	u32 data = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct mdk_vfio_irq *irq;
	u32 end;

	if (hdr->argsz < minsz || hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
						 VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (hweight32(data) != 1 || hweight32(action) != 1)
		return -EINVAL;
	if (hdr->index >= irqs->nr)
		return -EINVAL;
	irq = &irqs->irq[hdr->index];
	if (hdr->start >= irq->count ||
	    check_add_overflow(hdr->start, hdr->count, &end) ||
	    end > irq->count)
		return -EINVAL;
	/* count 0 only means "disable the index" */
	if (!hdr->count && (data != VFIO_IRQ_SET_DATA_NONE ||
			    action != VFIO_IRQ_SET_ACTION_TRIGGER))
		return -EINVAL;

	if (data == VFIO_IRQ_SET_DATA_BOOL)
		*size = hdr->count * sizeof(u8);
	else if (data == VFIO_IRQ_SET_DATA_EVENTFD)
		*size = hdr->count * sizeof(s32);
	else
		*size = 0;
	if (hdr->argsz - minsz < *size)
		return -EINVAL;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
		if (!(irq->flags & VFIO_IRQ_INFO_MASKABLE))
			return -EINVAL;
		/* As upstream: an eventfd cannot mask. */
		if (action == VFIO_IRQ_SET_ACTION_MASK &&
		    data == VFIO_IRQ_SET_DATA_EVENTFD)
			return -ENOTTY;
		/* The mask is per index: one irqfd unmasks it. */
		if (data == VFIO_IRQ_SET_DATA_EVENTFD && hdr->count != 1)
			return -EINVAL;
	}
	return 0;
}

/*
 * Point vectors [start, start + count) at the eventfds @fds (-1 or any
 * negative value disarms). All or nothing: every fd is resolved first.
 */
static int mdk_irq_set_triggers(struct mdk_vfio_irq *irq, u32 start,
				u32 count, const s32 *fds)
{
	struct eventfd_ctx **ctx, **table;
	unsigned long flags;
	int ret = 0;
	u32 i;

	ctx = kcalloc(count, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (fds[i] < 0)
			continue;
		ctx[i] = eventfd_ctx_fdget(fds[i]);
		if (IS_ERR(ctx[i])) {
			ret = PTR_ERR(ctx[i]);
			ctx[i] = NULL;
			goto out_put;
		}
	}

	table = irq->trigger;
	if (!table) {
		table = kcalloc(irq->count, sizeof(*table), GFP_KERNEL);
		if (!table) {
			ret = -ENOMEM;
			goto out_put;
		}
	}

	spin_lock_irqsave(&irq->lock, flags);
	irq->trigger = table;
	/* Disarmed or newly enabled: the index starts unmasked. */
	if (!mdk_irq_any_armed(irq))
		mdk_irq_clear_mask(irq);
	for (i = 0; i < count; i++)
		swap(ctx[i], irq->trigger[start + i]);
	if (!mdk_irq_any_armed(irq))
		mdk_irq_clear_mask(irq);
	spin_unlock_irqrestore(&irq->lock, flags);

out_put:
	/* On success ctx[] now holds the contexts we replaced. */
	for (i = 0; i < count; i++)
		if (ctx[i])
			eventfd_ctx_put(ctx[i]);
	kfree(ctx);
	return ret;
}

/* Signal the armed vectors among [start, start + count) now (loopback). */
static void mdk_irq_fire(struct mdk_vfio_irq *irq, u32 start, u32 count,
			 const u8 *bools)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&irq->lock, flags);
	for (i = 0; irq->trigger && i < count; i++)
		if ((!bools || bools[i]) && irq->trigger[start + i])
			mdk_eventfd_signal(irq->trigger[start + i]);
	spin_unlock_irqrestore(&irq->lock, flags);
}

static void mdk_irq_disable(struct mdk_vfio_irqs *irqs,
			    struct mdk_vfio_irq *irq)
{
	unsigned long flags;
	u32 i;

	lockdep_assert_held(&irqs->set_lock);
	mdk_irqfd_destroy(irq->unmask);
	irq->unmask = NULL;
	if (!irq->trigger)
		return;
	for (i = 0; i < irq->count; i++) {
		struct eventfd_ctx *ctx;

		spin_lock_irqsave(&irq->lock, flags);
		ctx = irq->trigger[i];
		irq->trigger[i] = NULL;
		spin_unlock_irqrestore(&irq->lock, flags);
		if (ctx)
			eventfd_ctx_put(ctx);
	}
	spin_lock_irqsave(&irq->lock, flags);
	mdk_irq_clear_mask(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
}

static int mdk_irq_set_unmask_fd(struct mdk_vfio_irqs *irqs,
				 struct mdk_vfio_irq *irq, s32 efd)
{
	struct mdk_vfio_irqfd *fd = NULL;

	lockdep_assert_held(&irqs->set_lock);
	if (efd >= 0) {
		fd = mdk_irqfd_create(irq, efd);
		if (IS_ERR(fd))
			return PTR_ERR(fd);
	}
	swap(fd, irq->unmask);
	mdk_irqfd_destroy(fd);
	return 0;
}

static int mdk_irqs_do_set(struct mdk_vfio_irqs *irqs,
			   const struct vfio_irq_set *hdr, const void *data)
{
	u32 dtype = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	struct mdk_vfio_irq *irq = &irqs->irq[hdr->index];
	const u8 *bools = dtype == VFIO_IRQ_SET_DATA_BOOL ? data : NULL;
	unsigned long flags;
	u32 i;

	lockdep_assert_held(&irqs->set_lock);
	switch (hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (dtype == VFIO_IRQ_SET_DATA_EVENTFD)
			return mdk_irq_set_triggers(irq, hdr->start,
						    hdr->count, data);
		if (!hdr->count)
			mdk_irq_disable(irqs, irq);
		else
			mdk_irq_fire(irq, hdr->start, hdr->count, bools);
		return 0;
	case VFIO_IRQ_SET_ACTION_MASK:
		for (i = 0; i < hdr->count; i++) {
			if (bools && !bools[i])
				continue;
			spin_lock_irqsave(&irq->lock, flags);
			irq->masked = true;
			spin_unlock_irqrestore(&irq->lock, flags);
			break;
		}
		return 0;
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (dtype == VFIO_IRQ_SET_DATA_EVENTFD)
			return mdk_irq_set_unmask_fd(irqs, irq,
						     *(const s32 *)data);
		for (i = 0; i < hdr->count; i++) {
			if (bools && !bools[i])
				continue;
			mdk_irq_unmask(irq);
			break;
		}
		return 0;
	}
	return -EINVAL;
}

/**
 * mdk_vfio_irqs_set() - VFIO_DEVICE_SET_IRQS
 * @irqs: the device's indexes
 * @arg: user pointer to a struct vfio_irq_set and its data
 *
 * TRIGGER with eventfds arms (fd >= 0) or disarms (fd < 0) vectors, all
 * or nothing; TRIGGER with DATA_NONE and count 0 disables the index;
 * TRIGGER with DATA_NONE or DATA_BOOL signals armed vectors now. MASK and
 * UNMASK (DATA_NONE or DATA_BOOL) act on maskable indexes; UNMASK
 * delivers an interrupt left pending while masked. UNMASK with an
 * eventfd sets up an irqfd: each signal of that eventfd unmasks.
 *
 * Context: process context; may sleep. Takes @irqs->set_lock.
 * Return: 0, -EFAULT, -ENOMEM, -EINVAL for a malformed request, -EBADF or
 * -EINVAL for an fd that is not an eventfd, -ENOTTY for MASK with an
 * eventfd.
 */
long mdk_vfio_irqs_set(struct mdk_vfio_irqs *irqs, unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	void __user *uarg = (void __user *)arg;
	struct vfio_irq_set hdr;
	void *data = NULL;
	size_t size;
	int ret;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	ret = mdk_irqs_validate(irqs, &hdr, &size);
	if (ret)
		return ret;
	if (size) {
		data = memdup_user(uarg + minsz, size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&irqs->set_lock);
	ret = mdk_irqs_do_set(irqs, &hdr, data);
	mutex_unlock(&irqs->set_lock);

	kfree(data);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_set);

/**
 * mdk_vfio_irqs_disable_all() - disarm every vector of every index
 * @irqs: the device's indexes
 *
 * Releases every eventfd the user armed (triggers and irqfd unmask) and
 * clears mask and pending state. Used when the device fd is closed.
 *
 * Context: process context; may sleep. Takes @irqs->set_lock.
 */
void mdk_vfio_irqs_disable_all(struct mdk_vfio_irqs *irqs)
{
	unsigned int i;

	mutex_lock(&irqs->set_lock);
	for (i = 0; i < irqs->nr; i++)
		mdk_irq_disable(irqs, &irqs->irq[i]);
	mutex_unlock(&irqs->set_lock);
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_disable_all);

/**
 * mdk_vfio_irqs_reset() - device reset: unmask every index
 * @irqs: the device's indexes
 *
 * Clears every index's mask and drops interrupts left pending while
 * masked (the device state that raised them is gone). Armed eventfds
 * stay armed, as for VFIO_DEVICE_RESET of a physical device.
 *
 * Context: any context.
 */
void mdk_vfio_irqs_reset(struct mdk_vfio_irqs *irqs)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < irqs->nr; i++) {
		spin_lock_irqsave(&irqs->irq[i].lock, flags);
		mdk_irq_clear_mask(&irqs->irq[i]);
		spin_unlock_irqrestore(&irqs->irq[i].lock, flags);
	}
}
EXPORT_SYMBOL_GPL(mdk_vfio_irqs_reset);

/**
 * mdk_vfio_irq_signal() - raise vector @vector of index @index
 * @irqs: the device's indexes
 * @index: the IRQ index
 * @vector: the vector within the index
 *
 * Signals the vector's eventfd. On a masked maskable index the interrupt
 * is left pending instead and delivered by the next unmask; an
 * AUTOMASKED index is masked by each delivery.
 *
 * Context: any context (takes the index's spinlock with irqsave).
 * Return: true if the eventfd was signalled; false if the vector is not
 * armed or the index is masked.
 */
bool mdk_vfio_irq_signal(struct mdk_vfio_irqs *irqs, unsigned int index,
			 unsigned int vector)
{
	struct mdk_vfio_irq *irq;
	unsigned long flags;
	bool ret = false;

	if (index >= irqs->nr || vector >= irqs->irq[index].count)
		return false;
	irq = &irqs->irq[index];
	spin_lock_irqsave(&irq->lock, flags);
	if (!irq->trigger || !irq->trigger[vector])
		goto out_unlock;
	if ((irq->flags & VFIO_IRQ_INFO_MASKABLE) && irq->masked) {
		irq->pending = true;
		goto out_unlock;
	}
	mdk_eventfd_signal(irq->trigger[vector]);
	if (irq->flags & VFIO_IRQ_INFO_AUTOMASKED)
		irq->masked = true;
	ret = true;
out_unlock:
	spin_unlock_irqrestore(&irq->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irq_signal);

/**
 * mdk_vfio_irq_armed() - whether the user armed a vector with an eventfd
 * @irqs: the device's indexes
 * @index: the IRQ index
 * @vector: the vector within the index
 *
 * Context: any context.
 * Return: true if an eventfd is set for the vector.
 */
bool mdk_vfio_irq_armed(struct mdk_vfio_irqs *irqs, unsigned int index,
			unsigned int vector)
{
	struct mdk_vfio_irq *irq;
	unsigned long flags;
	bool armed;

	if (index >= irqs->nr || vector >= irqs->irq[index].count)
		return false;
	irq = &irqs->irq[index];
	spin_lock_irqsave(&irq->lock, flags);
	armed = irq->trigger && irq->trigger[vector];
	spin_unlock_irqrestore(&irq->lock, flags);
	return armed;
}
EXPORT_SYMBOL_GPL(mdk_vfio_irq_armed);
