/* The spec as a tree of nodes, each with its place in the file. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_tree.h"
#include "util.h"

struct ynode *ynode_new(enum ytype type, struct ct_loc at)
{
	struct ynode *y = xcalloc(1, sizeof *y);

	y->type = type;
	y->at = at;
	return y;
}

struct ynode *ynode_scalar(const char *value, bool plain, struct ct_loc at)
{
	struct ynode *y = ynode_new(Y_SCALAR, at);

	y->value = xstrdup(value);
	y->plain = plain;
	return y;
}

void ynode_add(struct ynode *parent, struct ynode *child)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? 2 * parent->cap : 8;
		parent->items = xrealloc(parent->items, parent->cap * sizeof *parent->items);
	}
	parent->items[parent->n++] = child;
}

void ynode_free(struct ynode *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++)
		ynode_free(y->items[i]);
	free(y->items);
	free(y->value);
	free(y);
}

bool ynode_is_null(const struct ynode *y)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (y->type != Y_SCALAR || !y->plain)
		return false;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp(y->value, nulls[i]) == 0)
			return true;
	return false;
}

const char *ynode_type_name(const struct ynode *y)
{
	if (ynode_is_null(y))
		return "null";
	switch (y->type) {
	case Y_SCALAR:
		return "a string";
	case Y_SEQ:
		return "a sequence";
	case Y_MAP:
		break;
	}
	return "a mapping";
}

const struct ynode *ynode_lookup(const struct ynode *map, const char *key)
{
	for (size_t i = 0; map->type == Y_MAP && i + 1 < map->n; i += 2)
		if (map->items[i]->type == Y_SCALAR && strcmp(map->items[i]->value, key) == 0)
			return map->items[i + 1];
	return NULL;
}

struct key_ref {
	const char *key;
	size_t pair;
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pair > y->pair) - (x->pair < y->pair);
}

/* Sorted, not compared pair by pair: a 1 MiB spec holds 100,000 keys,
 * and n^2 comparisons took seconds. */
size_t *ynode_first_keys(const struct ynode *map)
{
	size_t pairs = map->n / 2, n = 0;
	size_t *first = xcalloc(pairs + 1, sizeof *first);
	cleanup_free struct key_ref *refs = xcalloc(pairs + 1, sizeof *refs);

	for (size_t i = 0; i < pairs; i++) {
		const struct ynode *k = map->items[2 * i];

		first[i] = i;
		if (k->type == Y_SCALAR && !ynode_is_null(k))
			refs[n++] = (struct key_ref){ k->value, i };
	}
	qsort(refs, n, sizeof *refs, key_ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(refs[i].key, refs[i - 1].key) == 0)
			first[refs[i].pair] = first[refs[i - 1].pair];
	return first;
}

/* The pair of map whose key is the n bytes at name (the first, when it
 * is repeated), or -1. */
static long pair_of(const struct ynode *map, const char *name, size_t n)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];

		if (k->type == Y_SCALAR && strlen(k->value) == n && strncmp(k->value, name, n) == 0)
			return (long)(i / 2);
	}
	return -1;
}

/* Reports that what is at path (the key's first n bytes; the spec
 * itself when n is 0) is not a mapping, so nothing can be set in it. */
static int not_a_map(const struct ynode *y, const char *key, size_t n, struct ct_loc at,
		     const char *file, struct ct_diags *d)
{
	char where[1024];

	ct_loc_where(file, y->at, where, sizeof where);
	if (n == 0)
		ct_diag(d, file, at, NULL, "the spec is %s (%s), not a mapping",
			ynode_type_name(y), where);
	else if (y->type == Y_SEQ)
		ct_diag(d, file, at, NULL,
			"%.*s is a sequence (%s), not a mapping (a sequence is set whole: %.*s=[...])",
			(int)n, key, where, (int)n, key);
	else
		ct_diag(d, file, at, NULL, "%.*s is %s (%s), not a mapping", (int)n, key,
			ynode_type_name(y), where);
	return -1;
}

int ynode_set(struct ynode **root, const char *key, struct ynode *value, struct ct_loc at,
	      const char *file, struct ct_diags *d)
{
	struct ynode **slot = root;

	if (!*root) {
		*root = ynode_new(Y_MAP, (struct ct_loc){ 0 });
	} else if (ynode_is_null(*root)) {
		ynode_free(*root);
		*root = ynode_new(Y_MAP, (struct ct_loc){ 0 });
	}
	for (const char *name = key;; name += strcspn(name, ".") + 1) {
		struct ynode *map = *slot;
		size_t n = strcspn(name, ".");
		long pair;

		/* A null on the way is an empty mapping to fill, as in a
		 * file that says "resources:" and nothing under it. */
		if (ynode_is_null(map) && slot != root) {
			ynode_free(map);
			map = *slot = ynode_new(Y_MAP, at);
		}
		if (map->type != Y_MAP) {
			ynode_free(value);
			return not_a_map(map, key, slot == root ? 0 : (size_t)(name - 1 - key), at,
					 file, d);
		}
		pair = pair_of(map, name, n);
		if (pair < 0) {
			cleanup_free char *k = xasprintf("%.*s", (int)n, name);

			ynode_add(map, ynode_scalar(k, true, at));
			ynode_add(map, name[n] ? ynode_new(Y_MAP, at) : value);
			pair = (long)(map->n / 2 - 1);
		} else if (!name[n]) {
			ynode_free(map->items[2 * pair + 1]);
			map->items[2 * pair + 1] = value;
		}
		if (!name[n])
			return 0;
		slot = &map->items[2 * pair + 1];
	}
}
