// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdk: text and JSON output of `mdk types` and `mdk list`.
 */
#include <stdbool.h>

#include "output.h"

/* json-c treats a NULL value as JSON null. */
static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *int_or_null(long v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

/*
 * Add @val (NULL meaning null) to @obj, or drop it on failure: false when
 * @val is NULL although @want says a value was expected (allocation
 * failure), or when the insertion failed.
 */
static bool add(struct json_object *obj, const char *key,
		struct json_object *val, bool want)
{
	if (want && !val)
		return false;
	if (json_object_object_add(obj, key, val) == 0)
		return true;
	json_object_put(val);
	return false;
}

static struct json_object *type_json(const struct mdk_type *t)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (!add(o, "type", json_object_new_string(t->id), true) ||
	    !add(o, "name", str_or_null(t->name), t->name) ||
	    !add(o, "available_instances", int_or_null(t->available),
		 t->available >= 0) ||
	    !add(o, "device_api", str_or_null(t->device_api),
		 t->device_api) ||
	    !add(o, "description", str_or_null(t->description),
		 t->description)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *parent_json(const struct mdk_parent *p)
{
	struct json_object *o, *types, *t;

	o = json_object_new_object();
	types = json_object_new_array();
	if (!o || !types)
		goto err;
	for (size_t i = 0; i < p->nr_types; i++) {
		t = type_json(&p->types[i]);
		if (!t || json_object_array_add(types, t)) {
			json_object_put(t);
			goto err;
		}
	}
	if (!add(o, "parent", json_object_new_string(p->name), true))
		goto err;
	/* From here on @types belongs to @o, or add() has dropped it. */
	if (!add(o, "types", types, true))
		goto err_obj;
	return o;
err:
	json_object_put(types);
err_obj:
	json_object_put(o);
	return NULL;
}

struct json_object *mdk_json_types(const struct mdk_parent *p, size_t n)
{
	struct json_object *arr = json_object_new_array(), *o;

	for (size_t i = 0; arr && i < n; i++) {
		o = parent_json(&p[i]);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static struct json_object *device_json(const struct mdk_device *d)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (!add(o, "uuid", json_object_new_string(d->uuid), true) ||
	    !add(o, "parent", str_or_null(d->parent), d->parent) ||
	    !add(o, "type", str_or_null(d->type), d->type) ||
	    !add(o, "iommu_group", int_or_null(d->group), d->group >= 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *mdk_json_devices(const struct mdk_device *d, size_t n)
{
	struct json_object *arr = json_object_new_array(), *o;

	for (size_t i = 0; arr && i < n; i++) {
		o = device_json(&d[i]);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

int mdk_json_print(FILE *f, struct json_object *obj)
{
	const char *s;
	int ret = -1;

	if (!obj)
		return -1;
	/* json-c pretty-prints an empty array on two lines: keep it short. */
	if (json_object_is_type(obj, json_type_array) &&
	    !json_object_array_length(obj))
		s = "[]";
	else
		s = json_object_to_json_string_ext(obj,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s && fprintf(f, "%s\n", s) >= 0)
		ret = 0;
	json_object_put(obj);
	return ret;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

void mdk_print_types(FILE *f, const struct mdk_parent *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", p[i].name);
		for (size_t j = 0; j < p[i].nr_types; j++) {
			const struct mdk_type *t = &p[i].types[j];

			fprintf(f, "  %s\n", t->id);
			fprintf(f, "    name: %s\n", or_dash(t->name));
			if (t->available >= 0)
				fprintf(f, "    available_instances: %ld\n",
					t->available);
			else
				fprintf(f, "    available_instances: -\n");
			fprintf(f, "    device_api: %s\n",
				or_dash(t->device_api));
			if (t->description)
				fprintf(f, "    description: %s\n",
					t->description);
		}
	}
}

void mdk_print_devices(FILE *f, const struct mdk_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s %s %s ", d[i].uuid, or_dash(d[i].parent),
			or_dash(d[i].type));
		if (d[i].group >= 0)
			fprintf(f, "%ld\n", d[i].group);
		else
			fprintf(f, "-\n");
	}
}
