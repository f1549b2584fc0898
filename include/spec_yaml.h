/* Reading YAML: a spec file's bytes, checked, and libyaml's events made
 * into a tree (spec_tree.h). What a spec has no use for and an attacker
 * would (anchors and aliases, tags, a second document, deep nesting,
 * NUL bytes, invalid UTF-8) is refused here, before anything trusts
 * the input. */
#ifndef CTLAUNCH_SPEC_YAML_H
#define CTLAUNCH_SPEC_YAML_H

#include <stddef.h>

#include "err.h"
#include "spec_tree.h"

/* At most SPEC_MAX_FILE bytes of the regular file path, NUL-terminated,
 * its length in *len; NULL with the problem in d. */
char *yaml_read_file(const char *path, size_t *len, struct ct_diags *d);

/* text (len bytes, file names it in messages) as a tree into *root:
 * NULL for a stream with no document. -1 with the problem in d. origin:
 * no place for a file, where each node gets its line and column; a
 * --set argument for a value from the command line, which every node
 * and every problem gets. */
int yaml_tree(const char *file, struct ct_loc origin, const char *text, size_t len,
	      struct ct_diags *d, struct ynode **root);

#endif
