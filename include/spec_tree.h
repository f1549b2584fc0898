/* The spec as a tree: what the YAML reader (spec_yaml.c) makes of a
 * file, each node with its place, for the key tables (spec_keys.c) to
 * walk. Pure. */
#ifndef CTLAUNCH_SPEC_TREE_H
#define CTLAUNCH_SPEC_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	struct ct_loc at;
	char *value;           /* scalar */
	bool plain;            /* scalar written without quotes */
	struct ynode **items;  /* seq: items; map: key, value, key, value... */
	size_t n, cap;
};

struct ynode *ynode_new(enum ytype type, struct ct_loc at);
/* A scalar holding a copy of value. */
struct ynode *ynode_scalar(const char *value, bool plain, struct ct_loc at);
/* Appends child to a sequence or a mapping, which owns it from then on. */
void ynode_add(struct ynode *parent, struct ynode *child);
/* Frees y and everything below it; NULL is fine. */
void ynode_free(struct ynode *y);

/* YAML's null: a plain "", "~", "null", "Null" or "NULL". */
bool ynode_is_null(const struct ynode *y);

/* "null", "a string", "a sequence" or "a mapping", for messages. */
const char *ynode_type_name(const struct ynode *y);

/* The value node of key in map (the first, when the key is repeated),
 * or NULL. */
const struct ynode *ynode_lookup(const struct ynode *map, const char *key);

/* first[i]: the pair of map where the key of pair i first appears (i
 * itself for a first one, and for a key that is not a string).
 * Allocated. */
size_t *ynode_first_keys(const struct ynode *map);

/* Sets the dotted key ("resources.cpuset.cpus") of the tree at *root
 * to value, which the tree owns from then on. A mapping missing on the
 * way is made (an empty spec gets a root); a key there already keeps its
 * place and gets the new value. at, the --set argument, is the place of
 * what is made. -1, with the problem in d, when something on the way is
 * not a mapping (value is freed). */
int ynode_set(struct ynode **root, const char *key, struct ynode *value, struct ct_loc at,
	      const char *file, struct ct_diags *d);

#endif
