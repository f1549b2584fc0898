/* The key tables: every key a spec may have, what it expects and where
 * its value goes. A value key is one row: its converter (spec_value.c),
 * the field of struct spec (or of a mount, an rlimit, a seccomp rule)
 * it fills, and the fields that record where it was written and that it
 * was. A mapping of keys is a row pointing to another table. Keys whose
 * shape is their own (command, env, mounts, rlimits, seccomp) have a
 * walker. Pure. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources.h"
#include "spec_keys.h"
#include "spec_value.h"

typedef void key_fn(const struct value_ctx *c, const struct ynode *y, const char *path,
		    void *base);

struct key {
	const char *name;
	/* A value: converted into the field at off in the base struct. */
	const struct value_type *type;
	struct value_arg arg;
	size_t off, size;
	size_t at, has;          /* its struct ct_loc and bool has_, offset + 1; 0: none */
	/* A mapping: its keys, in the same base struct. */
	const struct key *sub;
	size_t n_sub;
	/* Anything else: a walker of its own. */
	key_fn *walk;
};

#define FIELD(T, m) .off = offsetof(T, m), .size = sizeof(((T *)NULL)->m)
#define AT(T, m) .at = offsetof(T, m) + 1
#define HAS(T, m) .has = offsetof(T, m) + 1
#define KEYS(table) .sub = table, .n_sub = sizeof table / sizeof table[0]

static void walk_map(const struct value_ctx *c, const struct ynode *map, const char *path,
		     const struct key *keys, size_t nkeys, void *base);

/* --- walking mappings against tables -------------------------------------- */

static char *join(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

/* "line 3" of the file, or "--set KEY" for a value from the command
 * line, for a message that points back to another value. */
static const char *line_of(struct ct_loc at, char *buf, size_t size)
{
	if (at.set)
		return ct_loc_where(NULL, at, buf, size);
	snprintf(buf, size, "line %u", at.line);
	return buf;
}

typedef void pair_fn(const struct value_ctx *c, const struct ynode *key,
		     const struct ynode *value, const char *path, void *ctx);

/* Calls fn(key, value, "path.key") for each pair of map whose key is a
 * string not seen before in map; reports the other pairs. */
static void each_pair(const struct value_ctx *c, const struct ynode *map, const char *path,
		      pair_fn *fn, void *ctx)
{
	cleanup_free size_t *first = NULL;

	if (map->type != Y_MAP) {
		value_wrong_type(c, map, path, "a mapping");
		return;
	}
	first = ynode_first_keys(map);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		cleanup_free char *sub = NULL;

		if (k->type != Y_SCALAR || ynode_is_null(k)) {
			ct_diag(c->d, c->file, k->at, path, "a key must be a string, not %s",
				ynode_type_name(k));
			continue;
		}
		sub = join(path, k->value);
		if (first[i / 2] != i / 2) {
			char at[1024];

			ct_diag(c->d, c->file, k->at, sub, "duplicate key (first at %s)",
				line_of(map->items[2 * first[i / 2]]->at, at, sizeof at));
			continue;
		}
		fn(c, k, map->items[i + 1], sub, ctx);
	}
}

/* One key's value: its walker, its table, or its converter. A value
 * converted records where it was written and that it was. */
static void apply(const struct value_ctx *c, const struct key *k, const struct ynode *y,
		  const char *path, void *base)
{
	char *b = base;

	if (k->walk) {
		k->walk(c, y, path, base);
		return;
	}
	if (k->sub) {
		walk_map(c, y, path, k->sub, k->n_sub, base);
		return;
	}
	/* A row whose field is not what its converter writes: a mistake
	 * in the table, which the unit tests' every key reaches. */
	if (k->type->size ? k->size != k->type->size : k->size > sizeof(uint64_t))
		abort();
	if (!k->type->fn(c, y, path, &k->arg, b + k->off, k->size))
		return;
	if (k->at)
		memcpy(b + k->at - 1, &y->at, sizeof y->at);
	if (k->has)
		*(bool *)(b + k->has - 1) = true;
}

struct table {
	const struct key *keys;
	size_t n;
	void *base;
};

static void table_pair(const struct value_ctx *c, const struct ynode *key,
		       const struct ynode *value, const char *path, void *ctx)
{
	const struct table *t = ctx;
	char expected[512] = "";
	size_t len = 0;

	for (size_t j = 0; j < t->n; j++)
		if (strcmp(t->keys[j].name, key->value) == 0) {
			apply(c, &t->keys[j], value, path, t->base);
			return;
		}
	for (size_t j = 0; j < t->n && len < sizeof expected; j++)
		len += (size_t)snprintf(expected + len, sizeof expected - len, "%s%s",
					j ? ", " : "", t->keys[j].name);
	ct_diag(c->d, c->file, key->at, path, "unknown key (expected one of %s)", expected);
}

/* Walk a mapping against a table of keys: each known key once, its
 * value into base. */
static void walk_map(const struct value_ctx *c, const struct ynode *map, const char *path,
		     const struct key *keys, size_t nkeys, void *base)
{
	struct table t = { keys, nkeys, base };

	each_pair(c, map, path, table_pair, &t);
}

/* --- command and env ----------------------------------------------------- */

/* command: "echo hi", run as /bin/sh -c "echo hi", as a Dockerfile's
 * shell form. */
static void command_shell(const struct value_ctx *c, const struct ynode *y, const char *path,
			  struct spec *s)
{
	const char *sh[] = { "/bin/sh", "-c", y->value };

	if (!*y->value) {
		ct_diag(c->d, c->file, y->at, path, "empty (expected a command line)");
		return;
	}
	spec_set_command(s, (char *const *)sh, 3);
	s->shell_form = true;
	s->command_at = y->at;
}

/* command: [program, args...], run as it is. */
static void command_exec(const struct value_ctx *c, const struct ynode *y, const char *path,
			 struct spec *s)
{
	cleanup_free const char **argv = NULL;
	bool ok = true;

	if (y->n == 0) {
		ct_diag(c->d, c->file, y->at, path, "empty (expected a program and its arguments)");
		return;
	}
	argv = xcalloc(y->n + 1, sizeof *argv);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		argv[i] = value_scalar(c, y->items[i], sub);
		if (i == 0 && argv[i] && !*argv[i]) {
			ct_diag(c->d, c->file, y->items[i]->at, sub, "empty (expected the program to run)");
			argv[i] = NULL;
		}
		if (!argv[i])
			ok = false;
	}
	if (!ok)
		return;
	spec_set_command(s, (char *const *)argv, y->n);
	s->command_at = y->at;
}

static void k_command(const struct value_ctx *c, const struct ynode *y, const char *path,
		      void *base)
{
	if (y->type == Y_SCALAR && !ynode_is_null(y))
		command_shell(c, y, path, base);
	else if (y->type == Y_SEQ)
		command_exec(c, y, path, base);
	else
		value_wrong_type(c, y, path, "a sequence or a string");
}

static bool env_name_valid(const char *k)
{
	size_t n = strlen(k);

	return n > 0 && !(k[0] >= '0' && k[0] <= '9') &&
	       strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void env_pair(const struct value_ctx *c, const struct ynode *key,
		     const struct ynode *value, const char *path, void *ctx)
{
	struct spec *s = ctx;
	const char *v;

	/* The kernel takes anything before the first '=', but a shell can
	 * neither set nor read a variable whose name is not like this. */
	if (!env_name_valid(key->value)) {
		ct_diag(c->d, c->file, key->at, path,
			"invalid variable name (expected letters, digits and _, not starting with a digit)");
		return;
	}
	v = value_scalar(c, value, path);
	if (!v)
		return;
	s->env[s->n_env++] = (struct spec_env){ xstrdup(key->value), xstrdup(v), value->at };
}

static void k_env(const struct value_ctx *c, const struct ynode *y, const char *path, void *base)
{
	struct spec *s = base;

	if (y->type == Y_MAP)
		s->env = xcalloc(y->n / 2 + 1, sizeof *s->env);
	each_pair(c, y, path, env_pair, s);
}

/* --- mounts -------------------------------------------------------------- */

static const struct key mount_keys[] = {
	{ "type", .type = &v_mount_type, FIELD(struct spec_mount, type) },
	{ "source", .type = &v_host_path, .arg = { .what = "a path on the host" },
	  FIELD(struct spec_mount, source), AT(struct spec_mount, source_at) },
	{ "target", .type = &v_mount_target, FIELD(struct spec_mount, target),
	  AT(struct spec_mount, target_at) },
	{ "readonly", .type = &v_bool, FIELD(struct spec_mount, readonly) },
	{ "size", .type = &v_size, .arg = { .min = 1 }, FIELD(struct spec_mount, size),
	  HAS(struct spec_mount, has_size) },
	{ "mode", .type = &v_mode, FIELD(struct spec_mount, mode), HAS(struct spec_mount, has_mode) },
};

static void one_mount(const struct value_ctx *c, const struct ynode *y, const char *path,
		      struct spec_mount *m)
{
	size_t before = c->d->n;

	m->type = (enum spec_mount_type)-1;
	m->at = y->at;
	walk_map(c, y, path, mount_keys, sizeof mount_keys / sizeof mount_keys[0], m);
	if (c->d->n > before || y->type != Y_MAP)
		return;
	if ((int)m->type < 0)
		ct_diag(c->d, c->file, y->at, path, "type: missing (expected bind or tmpfs)");
	if (!m->target)
		ct_diag(c->d, c->file, y->at, path, "target: missing (expected a path in the container)");
	if (m->type == MOUNT_BIND && !m->source)
		ct_diag(c->d, c->file, y->at, path, "source: missing (a bind mount needs a host path)");
	if (m->type == MOUNT_TMPFS && m->source)
		ct_diag(c->d, c->file, m->source_at, path, "source: a tmpfs has no source");
	if (m->type == MOUNT_BIND && (m->has_size || m->has_mode))
		ct_diag(c->d, c->file, y->at, path, "size and mode are for tmpfs mounts only");
}

static void k_mounts(const struct value_ctx *c, const struct ynode *y, const char *path,
		     void *base)
{
	struct spec *s = base;

	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence");
		return;
	}
	s->mounts = xcalloc(y->n + 1, sizeof *s->mounts);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		one_mount(c, y->items[i], sub, &s->mounts[s->n_mounts++]);
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		for (size_t j = 0; j < i; j++) {
			if (s->mounts[i].target && s->mounts[j].target &&
			    strcmp(s->mounts[i].target, s->mounts[j].target) == 0) {
				char at[1024];

				ct_diag(c->d, c->file, s->mounts[i].target_at, "mounts",
					"target '%s' is mounted twice (first at %s)", s->mounts[i].target,
					line_of(s->mounts[j].target_at, at, sizeof at));
			}
		}
}

/* --- rlimits ------------------------------------------------------------- */

static const struct key rlimit_keys[] = {
	{ "soft", .type = &v_rlimit, FIELD(struct spec_rlimit, soft) },
	{ "hard", .type = &v_rlimit, FIELD(struct spec_rlimit, hard) },
};

static void rlimit_pair(const struct value_ctx *c, const struct ynode *key,
			const struct ynode *value, const char *path, void *ctx)
{
	struct spec *s = ctx;
	struct spec_rlimit *rl = &s->rlimits[s->n_rlimits];
	size_t before = c->d->n;

	rl->name = NULL;
	rl->resource = rlimit_of(key->value, &rl->name);
	if (!rl->name) {
		char names[256];

		rlimit_names(names, sizeof names);
		ct_diag(c->d, c->file, key->at, path, "unknown limit (expected one of %s)", names);
		return;
	}
	rl->at = value->at;
	if (value->type == Y_MAP) {
		rl->soft = rl->hard = UINT64_MAX - 1;
		walk_map(c, value, path, rlimit_keys, sizeof rlimit_keys / sizeof rlimit_keys[0], rl);
		if (c->d->n == before &&
		    (!ynode_lookup(value, "soft") || !ynode_lookup(value, "hard")))
			ct_diag(c->d, c->file, value->at, path,
				"expected both soft and hard, or a single value for both");
	} else if (v_rlimit.fn(c, value, path, NULL, &rl->soft, sizeof rl->soft)) {
		rl->hard = rl->soft;
	}
	if (c->d->n > before)
		return;
	if (rl->soft > rl->hard) {
		ct_diag(c->d, c->file, value->at, path, "the soft limit is above the hard limit");
		return;
	}
	s->n_rlimits++;
}

static void k_rlimits(const struct value_ctx *c, const struct ynode *y, const char *path,
		      void *base)
{
	struct spec *s = base;

	if (y->type != Y_MAP) {
		value_wrong_type(c, y, path, "a mapping");
		return;
	}
	s->rlimits = xcalloc(y->n / 2 + 1, sizeof *s->rlimits);
	each_pair(c, y, path, rlimit_pair, s);
}

/* --- seccomp: the OCI runtime spec's linux.seccomp, in YAML ------------- */

static void k_sc_architectures(const struct value_ctx *c, const struct ynode *y,
			       const char *path, void *base)
{
	struct sc_profile *p = base;

	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence of architectures");
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = value_scalar(c, y->items[i], sub);

		if (!v)
			continue;
		if (!sc_arch_known(v)) {
			ct_diag(c->d, c->file, y->items[i]->at, sub,
				"unknown architecture '%s' (expected a name such as "
				"SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64)", v);
			continue;
		}
		if (p->n_archs == SC_MAX_ARCHS) {
			ct_diag(c->d, c->file, y->items[i]->at, sub, "more than %d architectures",
				SC_MAX_ARCHS);
			return;
		}
		p->archs[p->n_archs++] = xstrdup(v);
	}
}

static void k_sc_names(const struct value_ctx *c, const struct ynode *y, const char *path,
		       void *base)
{
	struct sc_rule *r = base;
	char **names;

	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence of system call names");
		return;
	}
	if (y->n == 0) {
		ct_diag(c->d, c->file, y->at, path, "empty (expected at least one system call)");
		return;
	}
	names = xcalloc(y->n, sizeof *names);
	r->names = (const char *const *)names;
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = value_scalar(c, y->items[i], sub);

		if (!v)
			continue;
		/* A name this libseccomp does not know is skipped when the
		 * filter is made (a call newer than it); one that cannot be
		 * a system call's name is a mistake. */
		if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(v)) {
			ct_diag(c->d, c->file, y->items[i]->at, sub,
				"invalid system call name '%s' (expected lower-case letters, digits "
				"and _, e.g. mount)", v);
			continue;
		}
		names[r->n_names++] = xstrdup(v);
	}
}

static const struct key sc_arg_keys[] = {
	{ "index", .type = &v_number, .arg = { .max = SC_MAX_ARGS - 1 }, FIELD(struct sc_arg, index) },
	{ "value", .type = &v_number, .arg = { .max = UINT64_MAX }, FIELD(struct sc_arg, value) },
	{ "valueTwo", .type = &v_number, .arg = { .max = UINT64_MAX },
	  FIELD(struct sc_arg, value_two) },
	{ "op", .type = &v_sc_op, FIELD(struct sc_arg, op) },
};

static void k_sc_args(const struct value_ctx *c, const struct ynode *y, const char *path,
		      void *base)
{
	struct sc_rule *r = base;

	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence");
		return;
	}
	if (y->n > SC_MAX_ARGS) {
		ct_diag(c->d, c->file, y->at, path, "more than %d comparisons", SC_MAX_ARGS);
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const struct ynode *item = y->items[i];
		struct sc_arg *arg = &r->args[r->n_args++];
		size_t before = c->d->n;

		arg->op = (enum sc_op)-1;
		walk_map(c, item, sub, sc_arg_keys, sizeof sc_arg_keys / sizeof sc_arg_keys[0], arg);
		if (c->d->n > before || item->type != Y_MAP)
			continue;
		if (!ynode_lookup(item, "index"))
			ct_diag(c->d, c->file, item->at, sub, "index: missing (expected 0 to 5)");
		if (!ynode_lookup(item, "value"))
			ct_diag(c->d, c->file, item->at, sub, "value: missing");
		if ((int)arg->op < 0)
			ct_diag(c->d, c->file, item->at, sub, "op: missing (expected e.g. SCMP_CMP_EQ)");
	}
}

/* errnoRet and defaultErrnoRet: EPERM when the action is
 * SCMP_ACT_ERRNO and none is given; refused with any action but ERRNO
 * and TRACE. */
static void sc_errno(const struct value_ctx *c, const struct ynode *y, const char *path,
		     const char *key, enum sc_action action, uint32_t *errno_ret)
{
	const struct ynode *given = ynode_lookup(y, key);

	if (action == SC_ERRNO && !given)
		*errno_ret = EPERM;
	else if (given && action != SC_ERRNO && action != SC_TRACE)
		ct_diag(c->d, c->file, given->at, path,
			"%s: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one", key);
}

static const struct key sc_rule_keys[] = {
	{ "names", .walk = k_sc_names },
	{ "action", .type = &v_sc_action, FIELD(struct sc_rule, action) },
	{ "errnoRet", .type = &v_number, .arg = { .max = 4095 }, FIELD(struct sc_rule, errno_ret) },
	{ "args", .walk = k_sc_args },
};

static void one_sc_rule(const struct value_ctx *c, const struct ynode *y, const char *path,
			struct sc_rule *r)
{
	size_t before = c->d->n;

	r->at = y->at;
	r->action = (enum sc_action)-1;
	walk_map(c, y, path, sc_rule_keys, sizeof sc_rule_keys / sizeof sc_rule_keys[0], r);
	if (c->d->n > before || y->type != Y_MAP)
		return;
	if (!ynode_lookup(y, "names"))
		ct_diag(c->d, c->file, y->at, path, "names: missing (expected the system calls)");
	if ((int)r->action < 0)
		ct_diag(c->d, c->file, y->at, path, "action: missing (expected e.g. SCMP_ACT_ALLOW)");
	else
		sc_errno(c, y, path, "errnoRet", r->action, &r->errno_ret);
}

static void k_sc_syscalls(const struct value_ctx *c, const struct ynode *y, const char *path,
			  void *base)
{
	struct sc_profile *p = base;

	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence");
		return;
	}
	p->rules = xcalloc(y->n + 1, sizeof *p->rules);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		one_sc_rule(c, y->items[i], sub, &p->rules[p->n_rules++]);
	}
}

static const struct key sc_keys[] = {
	{ "defaultAction", .type = &v_sc_action, FIELD(struct sc_profile, default_action) },
	/* MAX_ERRNO: the kernel's largest errno. */
	{ "defaultErrnoRet", .type = &v_number, .arg = { .max = 4095 },
	  FIELD(struct sc_profile, default_errno) },
	{ "architectures", .walk = k_sc_architectures },
	{ "syscalls", .walk = k_sc_syscalls },
};

static void k_seccomp(const struct value_ctx *c, const struct ynode *y, const char *path,
		      void *base)
{
	struct spec *s = base;
	struct sc_profile *p;
	size_t before = c->d->n;

	s->seccomp_at = y->at;
	if (y->type == Y_SCALAR && !ynode_is_null(y)) {
		if (strcmp(y->value, "default") == 0)
			s->seccomp = SC_MODE_DEFAULT;
		else if (strcmp(y->value, "unconfined") == 0)
			s->seccomp = SC_MODE_UNCONFINED;
		else
			ct_diag(c->d, c->file, y->at, path,
				"unknown value '%s' (expected default, unconfined, or a profile: a "
				"mapping with defaultAction and syscalls)", y->value);
		return;
	}
	if (y->type != Y_MAP) {
		value_wrong_type(c, y, path, "default, unconfined or a mapping");
		return;
	}
	p = s->seccomp_profile = xcalloc(1, sizeof *p);
	s->seccomp = SC_MODE_CUSTOM;
	p->at = y->at;
	p->default_action = (enum sc_action)-1;
	walk_map(c, y, path, sc_keys, sizeof sc_keys / sizeof sc_keys[0], p);
	if (c->d->n > before)
		return;
	if ((int)p->default_action < 0)
		ct_diag(c->d, c->file, y->at, path,
			"defaultAction: missing (expected e.g. SCMP_ACT_ERRNO)");
	else
		sc_errno(c, y, path, "defaultErrnoRet", p->default_action, &p->default_errno);
}

/* --- rootfs ----------------------------------------------------------------- */

/* A path of the host, relative to the spec, as rootfs: takes it. */
static bool rootfs_path(const struct value_ctx *c, const struct ynode *y, const char *path,
			char **out)
{
	static const struct value_arg what = { .what = "the path of the container's root directory" };

	return v_host_path.fn(c, y, path, &what, out, sizeof *out);
}

/* path: P, or path: [base, tools, ...], bottom to top. */
static void k_rootfs_path(const struct value_ctx *c, const struct ynode *y, const char *path,
			  void *base)
{
	struct spec *s = base;

	if (y->type != Y_SEQ) {
		if (rootfs_path(c, y, path, &s->rootfs))
			s->rootfs_at = y->at;
		return;
	}
	if (y->n == 0 || y->n > SPEC_MAX_LAYERS) {
		ct_diag(c->d, c->file, y->at, path,
			"%zu layers (expected 1 to %d directories, the bottom one first)", y->n,
			SPEC_MAX_LAYERS);
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		char **out = i == 0 ? &s->rootfs : &s->layers[i - 1].path;

		if (!rootfs_path(c, y->items[i], sub, out))
			continue;
		if (i == 0)
			s->rootfs_at = y->items[i]->at;
		else
			s->layers[i - 1].at = y->items[i]->at;
	}
	s->n_layers = y->n - 1;
}

/* overlay: tmpfs, or a directory (relative to the spec) for the upper
 * layer; "./tmpfs" is a directory of that name. */
static void k_rootfs_overlay(const struct value_ctx *c, const struct ynode *y, const char *path,
			     void *base)
{
	static const struct value_arg what = { .what = "tmpfs or a directory for the writes" };
	struct spec *s = base;
	const char *v = value_scalar(c, y, path);

	if (!v)
		return;
	if (strcmp(v, "tmpfs") == 0) {
		s->overlay = OVERLAY_TMPFS;
	} else {
		if (!v_host_path.fn(c, y, path, &what, &s->overlay_dir, sizeof s->overlay_dir))
			return;
		s->overlay = OVERLAY_DIR;
	}
	s->overlay_at = y->at;
}

static const struct key rootfs_keys[] = {
	{ "path", .walk = k_rootfs_path },
	{ "overlay", .walk = k_rootfs_overlay },
	{ "size", .type = &v_size, .arg = { .min = 4096 },
	  FIELD(struct spec, overlay_size), AT(struct spec, overlay_size_at),
	  HAS(struct spec, has_overlay_size) },
};

/* rootfs: P, or {path: P, overlay: tmpfs | DIR, size: S}. */
static void k_rootfs(const struct value_ctx *c, const struct ynode *y, const char *path,
		     void *base)
{
	struct spec *s = base;
	size_t before = c->d->n;

	if (y->type != Y_MAP) {
		if (y->type == Y_SEQ)
			value_wrong_type(c, y, path, "a path, or a mapping with path: and overlay:");
		else if (rootfs_path(c, y, path, &s->rootfs))
			s->rootfs_at = y->at;
		return;
	}
	walk_map(c, y, path, rootfs_keys, sizeof rootfs_keys / sizeof rootfs_keys[0], s);
	if (c->d->n > before)
		return;
	if (!ynode_lookup(y, "path"))
		ct_diag(c->d, c->file, y->at, "rootfs.path",
			"missing (expected the path of the container's root directory)");
	if (!ynode_lookup(y, "overlay"))
		ct_diag(c->d, c->file, y->at, "rootfs.overlay",
			"missing (expected tmpfs, or a directory that keeps the container's writes)");
	if (s->has_overlay_size && s->overlay != OVERLAY_TMPFS)
		ct_diag(c->d, c->file, s->overlay_size_at, "rootfs.size",
			"only with overlay: tmpfs (the size of the tmpfs that takes the writes)");
}

/* --- network -------------------------------------------------------------- */

/* What network: {bridge, subnet, address} said, before the three are
 * put together. */
struct net_walk {
	struct spec *s;
	bool has_subnet, has_address, address_prefixed;
	unsigned subnet_prefix, address_prefix;
	uint32_t subnet, address;
};

static void net_bridge_name(const struct value_ctx *c, const struct ynode *y, const char *path,
			    struct spec *s, const char *v)
{
	const char *why = net_ifname_problem(v);

	if (why) {
		ct_diag(c->d, c->file, y->at, path, "'%s' is %s", v, why);
		return;
	}
	snprintf(s->net.br.name, sizeof s->net.br.name, "%s", v);
	s->net.bridge_at = y->at;
}

/* The kernel's smallest useful subnet has the bridge, one container and
 * the broadcast address (/30); below /8 is no lab's. */
static void net_subnet(const struct value_ctx *c, const struct ynode *y, const char *path,
		       struct net_walk *w, const char *v)
{
	bool prefixed;

	if (!net_parse_cidr(v, &w->subnet, &w->subnet_prefix, &prefixed) || !prefixed) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid subnet '%s' (expected an IPv4 network and its prefix length, "
			"e.g. 10.88.0.0/24)", v);
		return;
	}
	if (w->subnet_prefix < 8 || w->subnet_prefix > 30) {
		ct_diag(c->d, c->file, y->at, path,
			"prefix length /%u out of range (expected 8 to 30)", w->subnet_prefix);
		return;
	}
	if (w->subnet & ~net_mask(w->subnet_prefix)) {
		char buf[16];

		ct_diag(c->d, c->file, y->at, path,
			"'%s' is not a network address (expected %s/%u)", v,
			net_fmt(w->subnet & net_mask(w->subnet_prefix), buf), w->subnet_prefix);
		return;
	}
	w->has_subnet = true;
	w->s->net.subnet_at = y->at;
}

static void net_address(const struct value_ctx *c, const struct ynode *y, const char *path,
			struct net_walk *w, const char *v)
{
	if (!net_parse_cidr(v, &w->address, &w->address_prefix, &w->address_prefixed) ||
	    (w->address_prefixed && (w->address_prefix < 8 || w->address_prefix > 30))) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid address '%s' (expected an IPv4 address, e.g. 10.88.0.2, or one "
			"with a prefix length from 8 to 30, e.g. 10.88.0.2/24)", v);
		return;
	}
	w->has_address = true;
	w->s->net.address_at = y->at;
}

static void net_pair(const struct value_ctx *c, const struct ynode *key, const struct ynode *value,
		     const char *path, void *ctx)
{
	struct net_walk *w = ctx;
	const char *v;

	if (strcmp(key->value, "bridge") != 0 && strcmp(key->value, "subnet") != 0 &&
	    strcmp(key->value, "address") != 0) {
		ct_diag(c->d, c->file, key->at, path,
			"unknown key (expected one of bridge, subnet, address)");
		return;
	}
	v = value_scalar(c, value, path);
	if (!v)
		return;
	if (strcmp(key->value, "bridge") == 0)
		net_bridge_name(c, value, path, w->s, v);
	else if (strcmp(key->value, "subnet") == 0)
		net_subnet(c, value, path, w, v);
	else
		net_address(c, value, path, w, v);
}

/* The subnet from subnet:, or from address: with its prefix; the
 * address inside it and none of the three it may not be. */
static void net_together(const struct value_ctx *c, const char *path, struct net_walk *w)
{
	struct spec *s = w->s;
	struct net_bridge *b = &s->net.br;
	cleanup_free char *sub = NULL;
	char buf[128];
	const char *why;

	if (!w->has_subnet && !(w->has_address && w->address_prefixed)) {
		ct_diag(c->d, c->file, s->net.at, path,
			"a bridge needs subnet: (e.g. 10.88.0.0/24), or address: with its prefix "
			"length (e.g. 10.88.0.2/24)");
		return;
	}
	if (w->has_subnet) {
		b->subnet = w->subnet;
		b->prefix = w->subnet_prefix;
	} else {
		b->prefix = w->address_prefix;
		b->subnet = w->address & net_mask(b->prefix);
		s->net.subnet_at = s->net.address_at;
	}
	if (!w->has_address)
		return;
	sub = xasprintf("%s.address", path);
	if (w->has_subnet && w->address_prefixed && w->address_prefix != b->prefix) {
		ct_diag(c->d, c->file, s->net.address_at, sub,
			"prefix length /%u differs from the subnet's /%u", w->address_prefix,
			b->prefix);
		return;
	}
	why = net_addr_problem(b, w->address, buf, sizeof buf);
	if (why) {
		char a[16];

		ct_diag(c->d, c->file, s->net.address_at, sub, "%s is %s", net_fmt(w->address, a),
			why);
		return;
	}
	b->address = w->address;
}

/* network: none, host, or a mapping: {bridge, subnet, address}. */
static void k_network(const struct value_ctx *c, const struct ynode *y, const char *path,
		      void *base)
{
	struct spec *s = base;
	struct net_walk w = { .s = s };
	size_t before = c->d->n;

	s->net.at = y->at;
	if (y->type == Y_SCALAR && !ynode_is_null(y)) {
		if (strcmp(y->value, "none") == 0)
			s->net.mode = NET_NONE;
		else if (strcmp(y->value, "host") == 0)
			s->net.mode = NET_HOST;
		else
			ct_diag(c->d, c->file, y->at, path,
				"unknown value '%s' (expected none, host, or a bridge: a mapping "
				"with bridge and subnet or address)", y->value);
		return;
	}
	if (y->type != Y_MAP) {
		value_wrong_type(c, y, path, "none, host or a mapping");
		return;
	}
	s->net.mode = NET_BRIDGE;
	each_pair(c, y, path, net_pair, &w);
	if (c->d->n > before)
		return;
	if (!s->net.br.name[0]) {
		ct_diag(c->d, c->file, y->at, path, "bridge: missing (expected a bridge's name, "
			"e.g. bridge: lab0)");
		return;
	}
	net_together(c, path, &w);
}

/* --- the spec's keys ----------------------------------------------------- */

/* A value of struct spec: its field, where it was written, and (for a
 * key without a default of its own) that it was. */
#define SPEC(m) FIELD(struct spec, m)
#define SPEC_AT(m) AT(struct spec, m)
#define SPEC_HAS(m) HAS(struct spec, m)

/* resources: its keys are resources.h's rows, made into this file's
 * rows in the order they are listed (res_key.listed); "resources.a.b"
 * is b in a mapping a. */
struct res_rows {
	struct key *top, *sub;
	size_t n_top, n_sub;
};

static const struct res_key *res_listed(unsigned i)
{
	for (size_t j = 0; j < n_res_keys; j++)
		if (res_keys[j].listed == i)
			return &res_keys[j];
	/* A gap or a repeat in the table's numbers: its mistake. */
	abort();
}

static struct key res_row(const struct res_key *r, const char *name)
{
	return (struct key){ .name = name, .type = r->type, .arg = r->arg, .off = r->off,
			     .size = r->size, .at = r->at + 1, .has = r->has + 1 };
}

/* The rows of the mapping named by the first len bytes of group. */
static void res_group(struct res_rows *rows, const char *group, size_t len)
{
	struct key *k = &rows->top[rows->n_top++];

	*k = (struct key){ .name = xasprintf("%.*s", (int)len, group),
			   .sub = rows->sub + rows->n_sub };
	for (unsigned i = 0; i < n_res_keys; i++) {
		const struct res_key *r = res_listed(i);
		const char *name = r->key + strlen("resources.");

		if (strncmp(name, group, len) == 0 && name[len] == '.')
			rows->sub[rows->n_sub++] = res_row(r, name + len + 1);
	}
	k->n_sub = (size_t)(rows->sub + rows->n_sub - k->sub);
}

static void res_rows_make(struct res_rows *rows)
{
	rows->top = xcalloc(n_res_keys, sizeof *rows->top);
	rows->sub = xcalloc(n_res_keys, sizeof *rows->sub);
	for (unsigned i = 0; i < n_res_keys; i++) {
		const char *name = res_listed(i)->key + strlen("resources.");
		const char *dot = strchr(name, '.');
		bool seen = false;

		if (!dot) {
			rows->top[rows->n_top++] = res_row(res_listed(i), name);
			continue;
		}
		for (size_t j = 0; j < rows->n_top; j++)
			seen |= !rows->top[j].type && strlen(rows->top[j].name) == (size_t)(dot - name) &&
				strncmp(rows->top[j].name, name, (size_t)(dot - name)) == 0;
		if (!seen)
			res_group(rows, name, (size_t)(dot - name));
	}
}

static void k_resources(const struct value_ctx *c, const struct ynode *y, const char *path,
			void *base)
{
	struct res_rows rows = { 0 };

	res_rows_make(&rows);
	walk_map(c, y, path, rows.top, rows.n_top, base);
	/* A mapping's row (no converter) has a name of its own. */
	for (size_t i = 0; i < rows.n_top; i++)
		if (!rows.top[i].type)
			free((char *)rows.top[i].name);
	free(rows.top);
	free(rows.sub);
}

static const struct key cap_keys[] = {
	{ "add", .type = &v_caps, SPEC(caps_add), SPEC_AT(caps_at) },
	{ "drop", .type = &v_caps, SPEC(caps_drop), SPEC_AT(caps_at) },
};

static const struct key top_keys[] = {
	{ "name", .type = &v_name, SPEC(name), SPEC_AT(name_at) },
	{ "rootfs", .walk = k_rootfs },
	{ "hostname", .type = &v_hostname, SPEC(hostname), SPEC_AT(hostname_at) },
	{ "command", .walk = k_command },
	{ "env", .walk = k_env },
	{ "workdir", .type = &v_abs_path, SPEC(workdir), SPEC_AT(workdir_at) },
	{ "resources", .walk = k_resources },
	{ "user", .type = &v_user, SPEC(user), SPEC_AT(user_at) },
	{ "readonly_rootfs", .type = &v_bool, SPEC(readonly_rootfs), SPEC_AT(readonly_rootfs_at) },
	{ "unsafe_paths", .type = &v_bool, SPEC(unsafe_paths), SPEC_AT(unsafe_paths_at) },
	{ "mounts", .walk = k_mounts },
	{ "capabilities", KEYS(cap_keys) },
	{ "no_new_privileges", .type = &v_bool, SPEC(no_new_privileges),
	  SPEC_AT(no_new_privileges_at) },
	{ "rlimits", .walk = k_rlimits },
	{ "seccomp", .walk = k_seccomp },
	{ "userns", .type = &v_bool, SPEC(userns), SPEC_AT(userns_at) },
	{ "tty", .type = &v_bool, SPEC(tty), SPEC_AT(tty_at) },
	{ "init", .type = &v_bool, SPEC(init), SPEC_AT(init_at), SPEC_HAS(has_init) },
	{ "network", .walk = k_network },
};

/* --- the whole ----------------------------------------------------------- */

static void free_rows(void *base, const struct key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (keys[i].sub)
			free_rows(base, keys[i].sub, keys[i].n_sub);
		else if (keys[i].type && keys[i].type->allocated)
			free(*(char **)((char *)base + keys[i].off));
	}
}

static void free_argv(struct spec *s)
{
	for (size_t i = 0; s->argv && i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = NULL;
	s->argc = 0;
}

/* Here rather than in spec.c, which reads the spec file: the command
 * walker sets it too, and this file is pure (src/LAYERS). */
void spec_set_command(struct spec *spec, char *const *argv, size_t argc)
{
	char **copy = xcalloc(argc + 1, sizeof *copy);

	for (size_t i = 0; i < argc; i++)
		copy[i] = xstrdup(argv[i]);
	free_argv(spec);
	spec->argv = copy;
	spec->argc = argc;
	spec->shell_form = false;
	/* A command from the command line has no place in the file. */
	spec->command_at = (struct ct_loc){ 0 };
}

void spec_keys_free(struct spec *s)
{
	free_rows(s, top_keys, sizeof top_keys / sizeof top_keys[0]);
	free(s->rootfs);
	s->rootfs = NULL;
	for (size_t i = 0; i < n_res_keys; i++)
		if (res_keys[i].type->allocated)
			free(*(char **)((char *)s + res_keys[i].off));
	free_argv(s);
}

/* "dir/lab.yaml" -> "lab"; ".yaml" and ".yml" come off. */
static char *name_from_file(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		n -= 4;
	return xasprintf("%.*s", (int)n, base);
}

void spec_keys_walk(struct spec *s, const struct ynode *root, struct ct_diags *d)
{
	const struct value_ctx c = { .file = s->file, .dir = s->dir, .d = d };

	if (!root || ynode_is_null(root)) {
		ct_diag(d, s->file, (struct ct_loc){ 0 }, NULL,
			"empty (expected a mapping with at least rootfs:)");
		return;
	}
	walk_map(&c, root, "", top_keys, sizeof top_keys / sizeof top_keys[0], s);
	if (root->type != Y_MAP)
		return;
	if (!ynode_lookup(root, "rootfs"))
		ct_diag(d, s->file, root->at, "rootfs",
			"missing (expected the path of the container's root directory)");
	if (!ynode_lookup(root, "name")) {
		s->name = name_from_file(s->file);
		if (!spec_name_valid(s->name))
			ct_diag(d, s->file, (struct ct_loc){ 0 }, "name",
				"'%s' (from the file name) is not a valid name; set name: in the spec",
				s->name);
	}
}
