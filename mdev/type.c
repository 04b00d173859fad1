// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk_mdev.ko: the type directories of a parent and instance accounting.
 *
 *   <parent>/mdev_supported_types/<drv>-<type>/
 *	create			(0200) write a UUID to create a device
 *	name			(0444) pretty name, else the sysfs name
 *	available_instances	(0444) how many more can be created
 *	device_api		(0444) e.g. "vfio-pci"
 *	description		(0444) only when the type has one
 *	devices/<uuid>		link to each live device of the type
 *
 * Accounting: an instance takes max(cost, 1) units of the parent's
 * capacity (when the parent has one) and one of the type's max_instances
 * (when the type has a cap), from creation until removal, under
 * parent->lock.
 */
#include <linux/kobject.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uuid.h>
#include "mdev_private.h"

/* available_instances of a type that has neither a pool nor a cap. */
#define MDK_TYPE_UNLIMITED	INT_MAX

struct mdk_type_attribute {
	struct attribute attr;
	ssize_t (*show)(struct mdk_type_obj *tobj, char *buf);
	ssize_t (*store)(struct mdk_type_obj *tobj, const char *buf,
			 size_t count);
};

#define MDK_TYPE_ATTR_RO(_name) \
	static struct mdk_type_attribute mdk_type_attr_##_name = __ATTR_RO(_name)
#define MDK_TYPE_ATTR_WO(_name) \
	static struct mdk_type_attribute mdk_type_attr_##_name = __ATTR_WO(_name)

static struct mdk_type_obj *to_type_obj(struct kobject *kobj)
{
	return container_of(kobj, struct mdk_type_obj, kobj);
}

static unsigned int mdk_type_cost(const struct mdk_mdev_type *type)
{
	return type->cost ?: 1;
}

/**
 * mdk_type_reserve() - take the resources of one instance of a type
 * @tobj: the type
 *
 * Context: process context; takes the parent's lock.
 * Return: 0, or -ENOSPC when the parent's pool or the type's cap is
 * exhausted.
 */
int mdk_type_reserve(struct mdk_type_obj *tobj)
{
	struct mdk_mdev_parent *parent = tobj->parent;
	const struct mdk_mdev_type *type = tobj->type;
	unsigned int cost = mdk_type_cost(type);
	int ret = -ENOSPC;

	mutex_lock(&parent->lock);
	if (parent->capacity && parent->capacity - parent->used < cost)
		goto out_unlock;
	if (type->max_instances && tobj->live >= type->max_instances)
		goto out_unlock;
	if (parent->capacity)
		parent->used += cost;
	tobj->live++;
	ret = 0;
out_unlock:
	mutex_unlock(&parent->lock);
	return ret;
}

/**
 * mdk_type_unreserve() - give back what mdk_type_reserve() took
 * @tobj: the type
 *
 * Context: process context; takes the parent's lock.
 */
void mdk_type_unreserve(struct mdk_type_obj *tobj)
{
	struct mdk_mdev_parent *parent = tobj->parent;

	mutex_lock(&parent->lock);
	if (parent->capacity)
		parent->used -= mdk_type_cost(tobj->type);
	tobj->live--;
	mutex_unlock(&parent->lock);
}

static unsigned int mdk_type_available(struct mdk_type_obj *tobj)
{
	struct mdk_mdev_parent *parent = tobj->parent;
	const struct mdk_mdev_type *type = tobj->type;
	unsigned int avail = MDK_TYPE_UNLIMITED;

	mutex_lock(&parent->lock);
	if (parent->capacity)
		avail = min(avail, (parent->capacity - parent->used) /
				   mdk_type_cost(type));
	if (type->max_instances)
		avail = min(avail, type->max_instances - tobj->live);
	mutex_unlock(&parent->lock);
	return avail;
}

static ssize_t create_store(struct mdk_type_obj *tobj, const char *buf,
			    size_t count)
{
	struct device *pdev = tobj->parent->dev;
	char str[UUID_STRING_LEN + 1];
	guid_t uuid;
	int ret;

	/* Exactly a UUID, optionally followed by one newline. */
	if (count != UUID_STRING_LEN &&
	    !(count == UUID_STRING_LEN + 1 && buf[UUID_STRING_LEN] == '\n'))
		goto err_invalid;
	memcpy(str, buf, UUID_STRING_LEN);
	str[UUID_STRING_LEN] = '\0';
	if (guid_parse(str, &uuid))
		goto err_invalid;

	/* EEXIST and ENOSPC speak for themselves: no log line. */
	ret = mdk_mdev_create(tobj, &uuid);
	if (ret)
		dev_dbg(pdev, "%s: creating %pUl failed: %d\n",
			kobject_name(&tobj->kobj), &uuid, ret);
	return ret ?: count;

err_invalid:
	dev_err(pdev, "%s: invalid UUID\n", kobject_name(&tobj->kobj));
	return -EINVAL;
}
MDK_TYPE_ATTR_WO(create);

static ssize_t name_show(struct mdk_type_obj *tobj, char *buf)
{
	const struct mdk_mdev_type *type = tobj->type;

	return sysfs_emit(buf, "%s\n",
			  type->pretty_name ?: type->sysfs_name);
}
MDK_TYPE_ATTR_RO(name);

static ssize_t available_instances_show(struct mdk_type_obj *tobj, char *buf)
{
	return sysfs_emit(buf, "%u\n", mdk_type_available(tobj));
}
MDK_TYPE_ATTR_RO(available_instances);

static ssize_t device_api_show(struct mdk_type_obj *tobj, char *buf)
{
	return sysfs_emit(buf, "%s\n", tobj->parent->drv->device_api);
}
MDK_TYPE_ATTR_RO(device_api);

static ssize_t description_show(struct mdk_type_obj *tobj, char *buf)
{
	return sysfs_emit(buf, "%s\n", tobj->type->description);
}
MDK_TYPE_ATTR_RO(description);

static struct attribute *mdk_type_attrs[] = {
	&mdk_type_attr_create.attr,
	&mdk_type_attr_name.attr,
	&mdk_type_attr_available_instances.attr,
	&mdk_type_attr_device_api.attr,
	&mdk_type_attr_description.attr,
	NULL,
};

static umode_t mdk_type_attr_visible(struct kobject *kobj,
				     struct attribute *attr, int n)
{
	if (attr == &mdk_type_attr_description.attr &&
	    !to_type_obj(kobj)->type->description)
		return 0;
	return attr->mode;
}

static const struct attribute_group mdk_type_group = {
	.attrs = mdk_type_attrs,
	.is_visible = mdk_type_attr_visible,
};

static const struct attribute_group *mdk_type_groups[] = {
	&mdk_type_group,
	NULL,
};

static ssize_t mdk_type_attr_show(struct kobject *kobj,
				  struct attribute *attr, char *buf)
{
	struct mdk_type_attribute *tattr =
		container_of(attr, struct mdk_type_attribute, attr);

	return tattr->show ? tattr->show(to_type_obj(kobj), buf) : -EIO;
}

static ssize_t mdk_type_attr_store(struct kobject *kobj,
				   struct attribute *attr, const char *buf,
				   size_t count)
{
	struct mdk_type_attribute *tattr =
		container_of(attr, struct mdk_type_attribute, attr);

	return tattr->store ? tattr->store(to_type_obj(kobj), buf, count) :
			      -EIO;
}

static const struct sysfs_ops mdk_type_sysfs_ops = {
	.show = mdk_type_attr_show,
	.store = mdk_type_attr_store,
};

static void mdk_type_release(struct kobject *kobj)
{
	kfree(to_type_obj(kobj));
}

static const struct kobj_type mdk_type_ktype = {
	.sysfs_ops = &mdk_type_sysfs_ops,
	.release = mdk_type_release,
	.default_groups = mdk_type_groups,
};

static struct mdk_type_obj *mdk_type_add(struct mdk_mdev_parent *parent,
					 const struct mdk_mdev_type *type)
{
	struct mdk_type_obj *tobj;
	int ret;

	tobj = kzalloc(sizeof(*tobj), GFP_KERNEL);
	if (!tobj)
		return ERR_PTR(-ENOMEM);
	tobj->parent = parent;
	tobj->type = type;
	tobj->kobj.kset = parent->types_kset;

	ret = kobject_init_and_add(&tobj->kobj, &mdk_type_ktype, NULL, "%s-%s",
				   parent->drv->driver.name, type->sysfs_name);
	if (ret)
		goto err_put_type;

	tobj->devices_kobj = kobject_create_and_add("devices", &tobj->kobj);
	if (!tobj->devices_kobj) {
		ret = -ENOMEM;
		goto err_del_type;
	}
	return tobj;

err_del_type:
	kobject_del(&tobj->kobj);
err_put_type:
	/* Frees @tobj through mdk_type_release(), also after a failed add. */
	kobject_put(&tobj->kobj);
	return ERR_PTR(ret);
}

static void mdk_type_remove(struct mdk_type_obj *tobj)
{
	kobject_put(tobj->devices_kobj);
	kobject_del(&tobj->kobj);
	kobject_put(&tobj->kobj);
}

static void mdk_types_kset_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct kset, kobj));
}

static const struct kobj_type mdk_types_kset_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = mdk_types_kset_release,
};

/*
 * kset_create_and_add() without its leak: up to 6.1 it frees a kset whose
 * registration failed but not the kset's name. Here kobject_put() frees
 * both (and kset_unregister() a registered kset).
 */
static struct kset *mdk_types_kset_create(struct kobject *parent_kobj)
{
	struct kset *kset;
	int ret;

	kset = kzalloc(sizeof(*kset), GFP_KERNEL);
	if (!kset)
		return ERR_PTR(-ENOMEM);
	ret = kobject_set_name(&kset->kobj, "mdev_supported_types");
	if (ret) {
		kfree(kset);
		return ERR_PTR(ret);
	}
	kset->kobj.parent = parent_kobj;
	kset->kobj.ktype = &mdk_types_kset_ktype;
	ret = kset_register(kset);
	if (ret) {
		kobject_put(&kset->kobj);
		return ERR_PTR(ret);
	}
	return kset;
}

/**
 * mdk_types_add() - create a parent's mdev_supported_types directory
 * @parent: the parent, with its type table set
 *
 * Context: process context; may sleep.
 * Return: 0, -ENOMEM, or a sysfs error (nothing is left behind).
 */
int mdk_types_add(struct mdk_mdev_parent *parent)
{
	struct mdk_type_obj *tobj;
	unsigned int i;
	int ret;

	parent->type_objs = kcalloc(parent->ntypes, sizeof(*parent->type_objs),
				    GFP_KERNEL);
	if (!parent->type_objs)
		return -ENOMEM;

	parent->types_kset = mdk_types_kset_create(&parent->dev->kobj);
	if (IS_ERR(parent->types_kset)) {
		ret = PTR_ERR(parent->types_kset);
		parent->types_kset = NULL;
		goto err_free_array;
	}

	for (i = 0; i < parent->ntypes; i++) {
		tobj = mdk_type_add(parent, &parent->types[i]);
		if (IS_ERR(tobj)) {
			ret = PTR_ERR(tobj);
			goto err_remove_types;
		}
		parent->type_objs[i] = tobj;
	}
	return 0;

err_remove_types:
	while (i--)
		mdk_type_remove(parent->type_objs[i]);
	kset_unregister(parent->types_kset);
err_free_array:
	kfree(parent->type_objs);
	parent->type_objs = NULL;
	return ret;
}

/**
 * mdk_types_remove() - undo mdk_types_add()
 * @parent: the parent; it has no child left
 *
 * Waits for running show/store calls of the type attributes to finish.
 *
 * Context: process context; may sleep.
 */
void mdk_types_remove(struct mdk_mdev_parent *parent)
{
	unsigned int i;

	for (i = 0; i < parent->ntypes; i++)
		mdk_type_remove(parent->type_objs[i]);
	kset_unregister(parent->types_kset);
	kfree(parent->type_objs);
	parent->type_objs = NULL;
	parent->types_kset = NULL;
}
