/* The value converters: one node of the spec's tree to a typed value
 * (a size, a CPU list, a boolean, a path, a capability set...), each
 * problem reported as "file:line:col: key: what is wrong (what was
 * expected)". The key tables (spec_keys.c) say which key takes which
 * converter and where its value goes. Pure. */
#ifndef CTLAUNCH_SPEC_VALUE_H
#define CTLAUNCH_SPEC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "spec_tree.h"

/* Where values are converted: the spec, for messages and relative
 * paths, and the list every problem goes to. */
struct value_ctx {
	const char *file;        /* the spec as given, for messages */
	const char *dir;         /* its directory: relative paths start there */
	struct ct_diags *d;
};

/* A key's own bounds and words for its converter. */
struct value_arg {
	uint64_t min, max;
	const char *what;        /* the value's name in messages: "CPU list" */
	const char *example;
};

/* Converts y into the field at out, of size bytes; false (reported)
 * when y is not a valid value. path is the key, for messages. */
typedef bool value_fn(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size);

struct value_type {
	value_fn *fn;
	size_t size;             /* the field it writes; 0: any unsigned integer */
	bool allocated;          /* a string it allocates (spec_free frees it) */
};

extern const struct value_type
	v_name,          /* char *: a container name (spec_name_valid) */
	v_host_path,     /* char *: a path on the host, relative to the spec's
			  * directory; what: what an empty one should be */
	v_hostname,      /* char *: 1 to 64 bytes without / */
	v_abs_path,      /* char *: a path starting with / */
	v_user,          /* char *: uid[:gid], numbers or names */
	v_mount_target,  /* char *: a plain absolute path outside /proc, /sys, /dev */
	v_bool,          /* bool: true or false, YAML 1.2's */
	v_size,          /* uint64_t: bytes, K, M, G, T; at least min (1: not 0) */
	v_uint,          /* any unsigned: an integer from min to max */
	v_number,        /* any unsigned: decimal or 0x hex, up to max */
	v_cpulist,       /* struct cpuset: the kernel's list format; what, example */
	v_cpu_quota,     /* uint64_t: a number of CPUs, as microseconds a period */
	v_mode,          /* unsigned: octal permission bits */
	v_mount_type,    /* enum spec_mount_type: bind or tmpfs */
	v_caps,          /* uint64_t: capability names (or ALL), ORed in */
	v_rlimit,        /* uint64_t: a number or unlimited (UINT64_MAX) */
	v_sc_action,     /* enum sc_action: SCMP_ACT_... */
	v_sc_op;         /* enum sc_op: SCMP_CMP_... */

/* The scalar's text, or NULL (reported) when y is not a non-null
 * scalar. */
const char *value_scalar(const struct value_ctx *c, const struct ynode *y, const char *path);

/* Reports y as the wrong kind of node: "expected WANT, got a mapping". */
void value_wrong_type(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const char *want);

#define NAME_RULE "expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or .."

/* The resource limits setrlimit takes, by their spec names. The
 * resource (RLIMIT_*) of name and the table's copy of the name; -1 for
 * a name the table does not have. */
int rlimit_of(const char *name, const char **static_name);

/* Every name of the table, joined by ", ", into buf. */
void rlimit_names(char *buf, size_t size);

#endif
