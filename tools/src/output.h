/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdk: text and JSON output of `mdk types` and `mdk list`. Pure: these
 * functions only format the structures they are given.
 */
#ifndef MDK_OUTPUT_H
#define MDK_OUTPUT_H

#include <stdio.h>
#include <json-c/json.h>

#include "sysfs.h"

/*
 * JSON documents (new references, NULL on allocation failure):
 * types: [{"parent": P, "types": [{"type": T, "name": N|null,
 *          "available_instances": I|null, "device_api": A|null,
 *          "description": D|null}, ...]}, ...]
 * list:  [{"uuid": U, "parent": P|null, "type": T|null,
 *          "iommu_group": G|null}, ...]
 */
struct json_object *mdk_json_types(const struct mdk_parent *p, size_t n);
struct json_object *mdk_json_devices(const struct mdk_device *d, size_t n);
/* Print @obj pretty-printed with a final newline; consumes @obj.
 * Returns 0, or -1 when @obj is NULL or the output failed.
 */
int mdk_json_print(FILE *f, struct json_object *obj);

/* Human-readable forms (see mdk(1)). */
void mdk_print_types(FILE *f, const struct mdk_parent *p, size_t n);
void mdk_print_devices(FILE *f, const struct mdk_device *d, size_t n);

#endif /* MDK_OUTPUT_H */
