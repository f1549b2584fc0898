/* The spec as a tree of nodes, each with its place in the file. Pure. */
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
