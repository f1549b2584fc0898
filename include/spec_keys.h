/* The key tables: which keys a spec has, what each expects (a
 * converter of spec_value.h) and where its value goes in struct spec.
 * Pure. */
#ifndef CTLAUNCH_SPEC_KEYS_H
#define CTLAUNCH_SPEC_KEYS_H

#include "err.h"
#include "spec.h"
#include "spec_tree.h"

/* Walks root (NULL: an empty file) against the tables into s, whose
 * file and dir are set; every problem goes to d. */
void spec_keys_walk(struct spec *s, const struct ynode *root, struct ct_diags *d);

/* Frees the strings the tables' rows put in struct spec itself (name,
 * rootfs, hostname..., and the command), so that a new key of that kind is freed with no
 * line of its own in spec_free. */
void spec_keys_free(struct spec *s);

#endif
