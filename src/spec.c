/* The parser: a YAML file -> struct spec. libyaml's event API builds a
 * small tree (so aliases, anchors and depth are seen before anything
 * trusts the input), then one walk checks it against the schema and
 * reports every problem with file:line:col. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <strings.h>
#include <sys/resource.h>
#include <yaml.h>

#include "caps.h"

#include "spec.h"

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	struct ct_loc at;
	char *value;           /* scalar */
	bool plain;            /* scalar written without quotes */
	struct ynode **items;  /* seq: items; map: key, value, key, value... */
	size_t n, cap;
};

static void ynode_free(struct ynode *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++)
		ynode_free(y->items[i]);
	free(y->items);
	free(y->value);
	free(y);
}

static void ynode_add(struct ynode *parent, struct ynode *child)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? 2 * parent->cap : 8;
		parent->items = xrealloc(parent->items, parent->cap * sizeof *parent->items);
	}
	parent->items[parent->n++] = child;
}

static struct ct_loc at_mark(yaml_mark_t m)
{
	return (struct ct_loc){ (unsigned)m.line + 1, (unsigned)m.column + 1 };
}

/* --- reading the file ------------------------------------------------ */

/* Reads at most SPEC_MAX_FILE bytes of a regular file. O_NONBLOCK: a
 * FIFO or a device named as the spec must not hang us before fstat. */
static char *read_spec(const char *path, size_t *len, struct ct_diags *d)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t n = 0;

	if (fd < 0) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "not a regular file");
		return NULL;
	}
	/* Sized by st_size (plus room to see the end), grown when the file
	 * grows meanwhile: a 1 MiB buffer for a 1 KiB spec would cost a
	 * mapping of its own at every start. */
	size_t cap = (st.st_size > 0 && (uint64_t)st.st_size < SPEC_MAX_FILE ? (size_t)st.st_size : 0) + 256;

	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap && cap < SPEC_MAX_FILE + 1) {
			cap = cap * 2 < SPEC_MAX_FILE + 1 ? cap * 2 : SPEC_MAX_FILE + 1;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* Counted as read, not taken from st_size: the file can grow. */
		if (n > SPEC_MAX_FILE) {
			ct_diag(d, path, (struct ct_loc){ 0 }, NULL,
				"larger than 1 MiB (a spec is a small text file)");
			return NULL;
		}
	}
	buf[n] = '\0';
	*len = n;
	return take_ptr(&buf);
}

/* The length of the UTF-8 sequence at s[0..len), its code point in *cp;
 * 0 when RFC 3629 does not allow it: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned need, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, min = 0x80, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, min = 0x800, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, min = 0x10000, *cp = s[0] & 0x07;
	else
		return 0;
	if (need >= len)
		return 0;
	for (unsigned k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* YAML's printable set, which libyaml's reader enforces; checked here
 * because libyaml reports a byte offset for it, not a line. */
static bool yaml_printable(unsigned cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) ||
	       cp == 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       cp >= 0x10000;
}

/* Valid UTF-8, no NUL (it would cut every C string after this short),
 * nothing libyaml would refuse without a place. Lines and columns are
 * counted as libyaml counts them, so all messages agree: a column is a
 * character; CR LF, CR, LF, NEL, LS and PS each end a line; a leading
 * byte order mark is not there. */
static int check_text(const char *file, const unsigned char *s, size_t len,
		      struct ct_diags *d)
{
	struct ct_loc at = { 1, 1 };
	size_t i = 0, n;
	unsigned cp;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			ct_diag(d, file, at, NULL, "invalid UTF-8");
			return -1;
		}
		if (cp == 0) {
			ct_diag(d, file, at, NULL, "NUL byte in spec");
			return -1;
		}
		if (!yaml_printable(cp)) {
			ct_diag(d, file, at, NULL, "control character U+%04X in spec", cp);
			return -1;
		}
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			at.line++, at.col = 1;
		else
			at.col++;
	}
	return 0;
}

/* --- events to a tree -------------------------------------------------- */

struct loader {
	const char *file;
	struct ct_diags *d;
	struct ynode *stack[SPEC_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	int documents;
};

static bool is_null(const struct ynode *y)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (y->type != Y_SCALAR || !y->plain)
		return false;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp(y->value, nulls[i]) == 0)
			return true;
	return false;
}

/* Anchors and aliases are refused outright: an alias can make a small
 * file expand without bound ("billion laughs"), and a spec has no use
 * for them. Tags are refused too: nothing in a spec needs one. */
static int refuse_extras(struct loader *l, const yaml_event_t *ev, const yaml_char_t *anchor,
			 const yaml_char_t *tag)
{
	if (ev->type == YAML_ALIAS_EVENT || anchor) {
		ct_diag(l->d, l->file, at_mark(ev->start_mark), NULL,
			"aliases and anchors are not supported");
		return -1;
	}
	if (tag) {
		ct_diag(l->d, l->file, at_mark(ev->start_mark), NULL, "tags are not supported");
		return -1;
	}
	return 0;
}

static struct ynode *new_node(enum ytype type, const yaml_event_t *ev)
{
	struct ynode *y = xcalloc(1, sizeof *y);

	y->type = type;
	y->at = at_mark(ev->start_mark);
	return y;
}

/* Under the open collection, or as the root when none is open. */
static void place(struct loader *l, struct ynode *y)
{
	struct ynode *parent = l->depth ? l->stack[l->depth - 1] : NULL;

	if (parent)
		ynode_add(parent, y);
	else
		l->root = y;
}

/* One event; 1 at the end of the stream, -1 on an error (reported). */
static int on_event(struct loader *l, const yaml_event_t *ev)
{
	struct ynode *y;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->documents > 1) {
			ct_diag(l->d, l->file, at_mark(ev->start_mark), NULL,
				"more than one YAML document");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		return refuse_extras(l, ev, NULL, NULL);
	case YAML_SCALAR_EVENT:
		if (refuse_extras(l, ev, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
			return -1;
		/* "\0", "\x00" and "\u0000" in a double-quoted string: a C
		 * string would silently end there. */
		if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
			ct_diag(l->d, l->file, at_mark(ev->start_mark), NULL,
				"NUL character in a quoted string");
			return -1;
		}
		y = new_node(Y_SCALAR, ev);
		y->value = xstrdup((const char *)ev->data.scalar.value);
		y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		place(l, y);
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;

		if (refuse_extras(l, ev, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
				  seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag) < 0)
			return -1;
		/* libyaml 0.2.5 has no nesting limit of its own, and deep
		 * nesting costs stack in every recursive reader after it. */
		if (l->depth == SPEC_MAX_DEPTH) {
			ct_diag(l->d, l->file, at_mark(ev->start_mark), NULL,
				"nested deeper than %d levels", SPEC_MAX_DEPTH);
			return -1;
		}
		y = new_node(seq ? Y_SEQ : Y_MAP, ev);
		place(l, y);
		l->stack[l->depth++] = y;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		l->depth--;
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

/* The document's tree into *root (NULL for a stream with no document);
 * -1 when libyaml or on_event() refused the text. */
static int load_tree(const char *file, const char *text, size_t len, struct ct_diags *d,
		     struct ynode **root)
{
	struct loader l = { .file = file, .d = d };
	yaml_parser_t parser;
	int rc = 0;

	if (!yaml_parser_initialize(&parser)) {
		ct_diag(d, file, (struct ct_loc){ 0 }, NULL, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == 0) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.context)
				ct_diag(d, file, at_mark(parser.problem_mark), NULL, "%s %s",
					parser.problem, parser.context);
			else
				ct_diag(d, file, at_mark(parser.problem_mark), NULL, "%s",
					parser.problem ? parser.problem : "cannot parse");
			rc = -1;
			break;
		}
		rc = on_event(&l, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		/* Nodes still open are already linked under the root. */
		ynode_free(l.root);
		return -1;
	}
	*root = l.root;
	return 0;
}

/* --- the schema ---------------------------------------------------------- */

struct walk {
	const char *file;
	struct ct_diags *d;
	struct spec *s;
	struct spec_mount *mount;   /* the mounts: item being walked */
	struct spec_rlimit *rlimit; /* the rlimits: entry being walked */
	struct sc_rule *sc_rule;    /* the seccomp.syscalls: item being walked */
	struct sc_arg *sc_arg;      /* its args: item being walked */
};

typedef void key_fn(struct walk *w, const struct ynode *value, const char *path);

struct key {
	const char *name;
	key_fn *fn;
};

static const char *type_name(const struct ynode *y)
{
	if (is_null(y))
		return "null";
	switch (y->type) {
	case Y_SCALAR:
		return "a string";
	case Y_SEQ:
		return "a sequence";
	default:
		return "a mapping";
	}
}

static void wrong_type(struct walk *w, const struct ynode *y, const char *path, const char *want)
{
	ct_diag(w->d, w->file, y->at, path, "expected %s, got %s", want, type_name(y));
}

/* The scalar's text, or NULL (reported) when it is not a non-null scalar. */
static const char *scalar(struct walk *w, const struct ynode *y, const char *path)
{
	if (y->type != Y_SCALAR || is_null(y)) {
		wrong_type(w, y, path, "a string");
		return NULL;
	}
	return y->value;
}

static char *join(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
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

/* first[i]: the pair of map where the key of pair i first appears (i
 * itself for a first one). Sorted, not compared pair by pair: a 1 MiB
 * spec holds 100,000 keys, and n^2 comparisons took seconds. */
static size_t *first_keys(const struct ynode *map)
{
	size_t pairs = map->n / 2, n = 0;
	size_t *first = xcalloc(pairs + 1, sizeof *first);
	cleanup_free struct key_ref *refs = xcalloc(pairs + 1, sizeof *refs);

	for (size_t i = 0; i < pairs; i++) {
		const struct ynode *k = map->items[2 * i];

		first[i] = i;
		if (k->type == Y_SCALAR && !is_null(k))
			refs[n++] = (struct key_ref){ k->value, i };
	}
	qsort(refs, n, sizeof *refs, key_ref_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(refs[i].key, refs[i - 1].key) == 0)
			first[refs[i].pair] = first[refs[i - 1].pair];
	return first;
}

typedef void pair_fn(struct walk *w, const struct ynode *key, const struct ynode *value,
		     const char *path, const void *ctx);

/* Calls fn(key, value, "path.key") for each pair of map whose key is a
 * string not seen before in map; reports the other pairs. */
static void each_pair(struct walk *w, const struct ynode *map, const char *path,
		      pair_fn *fn, const void *ctx)
{
	cleanup_free size_t *first = NULL;

	if (map->type != Y_MAP) {
		wrong_type(w, map, path, "a mapping");
		return;
	}
	first = first_keys(map);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		cleanup_free char *sub = NULL;

		if (k->type != Y_SCALAR || is_null(k)) {
			ct_diag(w->d, w->file, k->at, path, "a key must be a string, not %s",
				type_name(k));
			continue;
		}
		sub = join(path, k->value);
		if (first[i / 2] != i / 2) {
			ct_diag(w->d, w->file, k->at, sub, "duplicate key (first at line %u)",
				map->items[2 * first[i / 2]]->at.line);
			continue;
		}
		fn(w, k, map->items[i + 1], sub, ctx);
	}
}

struct keyset {
	const struct key *keys;
	size_t n;
};

static void schema_pair(struct walk *w, const struct ynode *key, const struct ynode *value,
			const char *path, const void *ctx)
{
	const struct keyset *set = ctx;
	char expected[512] = "";
	size_t len = 0;

	for (size_t j = 0; j < set->n; j++)
		if (strcmp(set->keys[j].name, key->value) == 0) {
			set->keys[j].fn(w, value, path);
			return;
		}
	for (size_t j = 0; j < set->n && len < sizeof expected; j++)
		len += (size_t)snprintf(expected + len, sizeof expected - len, "%s%s",
					j ? ", " : "", set->keys[j].name);
	ct_diag(w->d, w->file, key->at, path, "unknown key (expected one of %s)", expected);
}

/* Walk a mapping against a table of keys: each known key once. */
static void walk_map(struct walk *w, const struct ynode *map, const char *path,
		     const struct key *keys, size_t nkeys)
{
	const struct keyset set = { keys, nkeys };

	each_pair(w, map, path, schema_pair, &set);
}

/* The value node of key in map, or NULL. */
static const struct ynode *lookup(const struct ynode *map, const char *key)
{
	for (size_t i = 0; map->type == Y_MAP && i + 1 < map->n; i += 2)
		if (map->items[i]->type == Y_SCALAR && strcmp(map->items[i]->value, key) == 0)
			return map->items[i + 1];
	return NULL;
}

bool spec_name_valid(const char *name)
{
	size_t n = strlen(name);

	/* The name becomes a cgroup directory: "." and ".." and "/" would
	 * put it somewhere else. */
	if (n == 0 || n > SPEC_MAX_NAME || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_.-") == n;
}

#define NAME_RULE "expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or .."

static void k_name(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (!spec_name_valid(v)) {
		ct_diag(w->d, w->file, y->at, path, "invalid name '%s' (" NAME_RULE ")", v);
		return;
	}
	free(w->s->name);
	w->s->name = xstrdup(v);
	w->s->name_at = y->at;
}

static void k_rootfs(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (!*v) {
		ct_diag(w->d, w->file, y->at, path, "empty (expected the path of the container's root directory)");
		return;
	}
	/* Relative to the spec, not to wherever ctlaunch was started. */
	if (v[0] == '/')
		w->s->rootfs = xstrdup(v);
	else if (strcmp(w->s->dir, "/") == 0)
		w->s->rootfs = xasprintf("/%s", v);
	else
		w->s->rootfs = xasprintf("%s/%s", w->s->dir, v);
	w->s->rootfs_at = y->at;
}

static void k_hostname(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (!*v || strlen(v) > SPEC_MAX_HOSTNAME || strchr(v, '/')) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid host name '%s' (expected 1 to 64 bytes without /)", v);
		return;
	}
	w->s->hostname = xstrdup(v);
	w->s->hostname_at = y->at;
}

/* command: "echo hi", run as /bin/sh -c "echo hi", as a Dockerfile's
 * shell form. */
static void command_shell(struct walk *w, const struct ynode *y, const char *path)
{
	const char *sh[] = { "/bin/sh", "-c", y->value };

	if (!*y->value) {
		ct_diag(w->d, w->file, y->at, path, "empty (expected a command line)");
		return;
	}
	spec_set_command(w->s, (char *const *)sh, 3);
	w->s->shell_form = true;
	w->s->command_at = y->at;
}

/* command: [program, args...], run as it is. */
static void command_exec(struct walk *w, const struct ynode *y, const char *path)
{
	cleanup_free const char **argv = NULL;
	bool ok = true;

	if (y->n == 0) {
		ct_diag(w->d, w->file, y->at, path, "empty (expected a program and its arguments)");
		return;
	}
	argv = xcalloc(y->n + 1, sizeof *argv);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		argv[i] = scalar(w, y->items[i], sub);
		if (i == 0 && argv[i] && !*argv[i]) {
			ct_diag(w->d, w->file, y->items[i]->at, sub, "empty (expected the program to run)");
			argv[i] = NULL;
		}
		if (!argv[i])
			ok = false;
	}
	if (!ok)
		return;
	spec_set_command(w->s, (char *const *)argv, y->n);
	w->s->command_at = y->at;
}

static void k_command(struct walk *w, const struct ynode *y, const char *path)
{
	if (y->type == Y_SCALAR && !is_null(y))
		command_shell(w, y, path);
	else if (y->type == Y_SEQ)
		command_exec(w, y, path);
	else
		wrong_type(w, y, path, "a sequence or a string");
}

static bool env_name_valid(const char *k)
{
	size_t n = strlen(k);

	return n > 0 && !(k[0] >= '0' && k[0] <= '9') &&
	       strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void env_pair(struct walk *w, const struct ynode *key, const struct ynode *value,
		     const char *path, const void *ctx)
{
	struct spec *s = w->s;
	const char *v;

	(void)ctx;
	/* The kernel takes anything before the first '=', but a shell can
	 * neither set nor read a variable whose name is not like this. */
	if (!env_name_valid(key->value)) {
		ct_diag(w->d, w->file, key->at, path,
			"invalid variable name (expected letters, digits and _, not starting with a digit)");
		return;
	}
	v = scalar(w, value, path);
	if (!v)
		return;
	s->env[s->n_env++] = (struct spec_env){ xstrdup(key->value), xstrdup(v), value->at };
}

static void k_env(struct walk *w, const struct ynode *y, const char *path)
{
	if (y->type == Y_MAP)
		w->s->env = xcalloc(y->n / 2 + 1, sizeof *w->s->env);
	each_pair(w, y, path, env_pair, NULL);
}

static void k_workdir(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (v[0] != '/') {
		ct_diag(w->d, w->file, y->at, path,
			"'%s' is not an absolute path (expected a path starting with /)", v);
		return;
	}
	w->s->workdir = xstrdup(v);
	w->s->workdir_at = y->at;
}

static void k_memory(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);
	uint64_t bytes;

	if (!v)
		return;
	if (parse_size(v, &bytes) < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid size '%s' (expected bytes or a number with K, M, G or T)", v);
		return;
	}
	/* Below a page the kernel cannot charge even the first one: the
	 * command could never start. */
	if (bytes < 4096) {
		ct_diag(w->d, w->file, y->at, path, "%s is too small (expected at least 4K)", v);
		return;
	}
	w->s->res.has_memory = true;
	w->s->res.memory = bytes;
	w->s->res.memory_at = y->at;
}

static void k_cpu_shares(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);
	uint64_t shares;

	if (!v)
		return;
	/* The kernel's own bounds for cpu.shares (MIN_SHARES, MAX_SHARES):
	 * it would clamp anything else without a word. */
	if (parse_uint(v, 2, 262144, &shares) < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid value '%s' (expected an integer from 2 to 262144)", v);
		return;
	}
	w->s->res.has_cpu_shares = true;
	w->s->res.cpu_shares = shares;
	w->s->res.cpu_shares_at = y->at;
}

static void cpu_list(struct walk *w, const struct ynode *y, const char *path, const char *what,
		     const char *example, bool *has, struct cpuset *set, struct ct_loc *at)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (parse_cpulist(v, set) < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid %s '%s' (expected the kernel list format, e.g. %s)", what, v, example);
		return;
	}
	*has = true;
	*at = y->at;
}

static void k_cpus(struct walk *w, const struct ynode *y, const char *path)
{
	cpu_list(w, y, path, "CPU list", "0-3,5", &w->s->res.has_cpus, &w->s->res.cpus,
		 &w->s->res.cpus_at);
}

static void k_mems(struct walk *w, const struct ynode *y, const char *path)
{
	cpu_list(w, y, path, "memory node list", "0-1", &w->s->res.has_mems, &w->s->res.mems,
		 &w->s->res.mems_at);
}

static void k_cpuset(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = { { "cpus", k_cpus }, { "mems", k_mems } };

	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
}


/* --- hardening keys ------------------------------------------------------ */

/* YAML 1.2's booleans, and nothing looser ("yes" is a string). */
static bool boolean(struct walk *w, const struct ynode *y, const char *path, bool *out)
{
	static const char *const truth[] = { "true", "True", "TRUE" };
	static const char *const lies[] = { "false", "False", "FALSE" };

	for (size_t i = 0; y->type == Y_SCALAR && y->plain && i < 3; i++) {
		if (strcmp(y->value, truth[i]) == 0)
			return *out = true, true;
		if (strcmp(y->value, lies[i]) == 0)
			return *out = false, true;
	}
	if (y->type == Y_SCALAR && !is_null(y))
		ct_diag(w->d, w->file, y->at, path, "invalid value '%s' (expected true or false)",
			y->value);
	else
		wrong_type(w, y, path, "true or false");
	return false;
}

static void k_user(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);
	const char *colon;

	if (!v)
		return;
	colon = strchr(v, ':');
	/* Names as useradd allows them; the rootfs decides which exist. */
	if (!*v || *v == ':' || (colon && (!colon[1] || strchr(colon + 1, ':'))) ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:") !=
		    strlen(v)) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid user '%s' (expected uid[:gid], numbers or names)", v);
		return;
	}
	w->s->user = xstrdup(v);
	w->s->user_at = y->at;
}

static void k_readonly_rootfs(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->readonly_rootfs))
		w->s->readonly_rootfs_at = y->at;
}

static void k_userns(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->userns))
		w->s->userns_at = y->at;
}

static void k_tty(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->tty))
		w->s->tty_at = y->at;
}

static void k_init(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->init)) {
		w->s->has_init = true;
		w->s->init_at = y->at;
	}
}

static void k_unsafe_paths(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->unsafe_paths))
		w->s->unsafe_paths_at = y->at;
}

static void k_no_new_privileges(struct walk *w, const struct ynode *y, const char *path)
{
	if (boolean(w, y, path, &w->s->no_new_privileges))
		w->s->no_new_privileges_at = y->at;
}

static bool abs_path(struct walk *w, const struct ynode *y, const char *path, const char *v)
{
	if (v[0] == '/')
		return true;
	ct_diag(w->d, w->file, y->at, path,
		"'%s' is not an absolute path (expected a path starting with /)", v);
	return false;
}

static void k_m_type(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (v && strcmp(v, "bind") == 0)
		w->mount->type = MOUNT_BIND;
	else if (v && strcmp(v, "tmpfs") == 0)
		w->mount->type = MOUNT_TMPFS;
	else if (v)
		ct_diag(w->d, w->file, y->at, path, "invalid type '%s' (expected bind or tmpfs)", v);
}

static void k_m_source(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (!*v) {
		ct_diag(w->d, w->file, y->at, path, "empty (expected a path on the host)");
		return;
	}
	/* Relative to the spec, like rootfs. */
	w->mount->source = v[0] == '/' ? xstrdup(v) : xasprintf("%s/%s", w->s->dir, v);
	w->mount->source_at = y->at;
}

/* "/a/b": absolute, below /, every part a name (not empty, "." or ".."),
 * no trailing slash. */
static bool plain_path(const char *v)
{
	if (v[0] != '/' || !v[1])
		return false;
	for (const char *p = v; *p;) {
		size_t n = strcspn(++p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

static void k_m_target(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v || !abs_path(w, y, path, v))
		return;
	/* One spelling per place: the checks below compare strings, and
	 * "//proc" or "/./dev" must not pass for something else. The
	 * container's own root cannot be mounted over. */
	if (!plain_path(v)) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid target '%s' (expected a plain path below /, without //, . or .. parts)",
			v);
		return;
	}
	/* ctlaunch makes these; a mount over one would replace the /dev/null
	 * the masks are bound from, or uncover what they hide. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const managed[] = { "/proc", "/sys", "/dev" };
		size_t n = strlen(managed[i]);

		if (strncmp(v, managed[i], n) == 0 && (v[n] == '\0' || v[n] == '/')) {
			ct_diag(w->d, w->file, y->at, path,
				"invalid target '%s' (expected a path outside /proc, /sys and /dev, "
				"which ctlaunch sets up)", v);
			return;
		}
	}
	w->mount->target = xstrdup(v);
	w->mount->target_at = y->at;
}

static void k_m_readonly(struct walk *w, const struct ynode *y, const char *path)
{
	boolean(w, y, path, &w->mount->readonly);
}

static void k_m_size(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	if (parse_size(v, &w->mount->size) < 0 || w->mount->size == 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid size '%s' (expected bytes or a number with K, M, G or T)", v);
		return;
	}
	w->mount->has_size = true;
}

static void k_m_mode(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);
	char *end;
	unsigned long mode;

	if (!v)
		return;
	errno = 0;
	mode = strtoul(v, &end, 8);
	if (!*v || *v < '0' || *v > '7' || *end || errno || mode > 07777) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid mode '%s' (expected octal permission bits, e.g. \"1777\")", v);
		return;
	}
	w->mount->mode = (unsigned)mode;
	w->mount->has_mode = true;
}

static void one_mount(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = {
		{ "type", k_m_type },         { "source", k_m_source }, { "target", k_m_target },
		{ "readonly", k_m_readonly }, { "size", k_m_size },     { "mode", k_m_mode },
	};
	struct spec_mount *m = w->mount;
	size_t before = w->d->n;

	m->type = (enum spec_mount_type)-1;
	m->at = y->at;
	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
	if (w->d->n > before || y->type != Y_MAP)
		return;
	if ((int)m->type < 0)
		ct_diag(w->d, w->file, y->at, path, "type: missing (expected bind or tmpfs)");
	if (!m->target)
		ct_diag(w->d, w->file, y->at, path, "target: missing (expected a path in the container)");
	if (m->type == MOUNT_BIND && !m->source)
		ct_diag(w->d, w->file, y->at, path, "source: missing (a bind mount needs a host path)");
	if (m->type == MOUNT_TMPFS && m->source)
		ct_diag(w->d, w->file, m->source_at, path, "source: a tmpfs has no source");
	if (m->type == MOUNT_BIND && (m->has_size || m->has_mode))
		ct_diag(w->d, w->file, y->at, path, "size and mode are for tmpfs mounts only");
}

static void k_mounts(struct walk *w, const struct ynode *y, const char *path)
{
	struct spec *s = w->s;

	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence");
		return;
	}
	s->mounts = xcalloc(y->n + 1, sizeof *s->mounts);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		w->mount = &s->mounts[s->n_mounts++];
		one_mount(w, y->items[i], sub);
	}
	w->mount = NULL;
	for (size_t i = 0; i < s->n_mounts; i++)
		for (size_t j = 0; j < i; j++)
			if (s->mounts[i].target && s->mounts[j].target &&
			    strcmp(s->mounts[i].target, s->mounts[j].target) == 0)
				ct_diag(w->d, w->file, s->mounts[i].target_at, "mounts",
					"target '%s' is mounted twice (first at line %u)",
					s->mounts[i].target, s->mounts[j].target_at.line);
}

static void cap_list(struct walk *w, const struct ynode *y, const char *path, uint64_t *set)
{
	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence of capability names");
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = scalar(w, y->items[i], sub);
		int cap;

		if (!v)
			continue;
		if (strcasecmp(v, "ALL") == 0) {
			*set = CAPS_ALL;
			continue;
		}
		cap = strncasecmp(v, "CAP_", 4) == 0 ? cap_number_of(v) : -1;
		if (cap < 0) {
			ct_diag(w->d, w->file, y->items[i]->at, sub,
				"unknown capability '%s' (expected a name from capabilities(7), "
				"e.g. CAP_NET_ADMIN, or ALL)", v);
			continue;
		}
		*set |= CAPS_BIT(cap);
	}
	w->s->caps_at = y->at;
}

static void k_cap_add(struct walk *w, const struct ynode *y, const char *path)
{
	cap_list(w, y, path, &w->s->caps_add);
}

static void k_cap_drop(struct walk *w, const struct ynode *y, const char *path)
{
	cap_list(w, y, path, &w->s->caps_drop);
}

static void k_capabilities(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = { { "add", k_cap_add }, { "drop", k_cap_drop } };

	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
}

static bool rlimit_value(struct walk *w, const struct ynode *y, const char *path, uint64_t *out)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return false;
	if (strcmp(v, "unlimited") == 0) {
		*out = UINT64_MAX;
		return true;
	}
	if (parse_uint(v, 0, UINT64_MAX - 1, out) < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid limit '%s' (expected a whole number or unlimited)", v);
		return false;
	}
	return true;
}

static void k_rl_soft(struct walk *w, const struct ynode *y, const char *path)
{
	rlimit_value(w, y, path, &w->rlimit->soft);
}

static void k_rl_hard(struct walk *w, const struct ynode *y, const char *path)
{
	rlimit_value(w, y, path, &w->rlimit->hard);
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS },           { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

static void rlimit_pair(struct walk *w, const struct ynode *key, const struct ynode *value,
			const char *path, const void *ctx)
{
	static const struct key keys[] = { { "soft", k_rl_soft }, { "hard", k_rl_hard } };
	struct spec_rlimit *rl = &w->s->rlimits[w->s->n_rlimits];
	size_t before = w->d->n;

	(void)ctx;
	rl->name = NULL;
	for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
		if (strcmp(key->value, rlimit_names[i].name) == 0) {
			rl->name = rlimit_names[i].name;
			rl->resource = rlimit_names[i].resource;
		}
	if (!rl->name) {
		ct_diag(w->d, w->file, key->at, path,
			"unknown limit (expected one of as, core, cpu, data, fsize, locks, memlock, "
			"msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)");
		return;
	}
	rl->at = value->at;
	if (value->type == Y_MAP) {
		rl->soft = rl->hard = UINT64_MAX - 1;
		w->rlimit = rl;
		walk_map(w, value, path, keys, sizeof keys / sizeof keys[0]);
		w->rlimit = NULL;
		if (w->d->n == before && (!lookup(value, "soft") || !lookup(value, "hard")))
			ct_diag(w->d, w->file, value->at, path,
				"expected both soft and hard, or a single value for both");
	} else if (rlimit_value(w, value, path, &rl->soft)) {
		rl->hard = rl->soft;
	}
	if (w->d->n > before)
		return;
	if (rl->soft > rl->hard) {
		ct_diag(w->d, w->file, value->at, path, "the soft limit is above the hard limit");
		return;
	}
	w->s->n_rlimits++;
}

static void k_rlimits(struct walk *w, const struct ynode *y, const char *path)
{
	if (y->type != Y_MAP) {
		wrong_type(w, y, path, "a mapping");
		return;
	}
	w->s->rlimits = xcalloc(y->n / 2 + 1, sizeof *w->s->rlimits);
	each_pair(w, y, path, rlimit_pair, NULL);
}

static void k_pids(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);

	if (!v)
		return;
	/* PID_MAX_LIMIT: the kernel has no more pids to give. */
	if (parse_uint(v, 1, 4194304, &w->s->res.pids) < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid value '%s' (expected an integer from 1 to 4194304)", v);
		return;
	}
	w->s->res.has_pids = true;
	w->s->res.pids_at = y->at;
}

/* cpus: a CPU count with up to five decimals, read exactly (no floating
 * point): quota = cpus x the period, in whole microseconds. */
static void k_cpus_quota(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path), *dot;
	uint64_t whole = 0, frac = 0, scale = CPU_PERIOD_US;
	size_t nfrac;
	bool ok;

	if (!v)
		return;
	dot = strchr(v, '.');
	nfrac = dot ? strlen(dot + 1) : 0;
	ok = *v >= '0' && *v <= '9' && nfrac <= 5 && (!dot || nfrac > 0) &&
	     strspn(v, "0123456789.") == strlen(v) && (!dot || !strchr(dot + 1, '.'));
	if (ok) {
		cleanup_free char *int_part = dot ? xasprintf("%.*s", (int)(dot - v), v) : xstrdup(v);

		ok = parse_uint(int_part, 0, 100000, &whole) == 0;
		for (size_t i = 0; ok && i < 5; i++) {
			scale /= 10;
			frac += (uint64_t)(i < nfrac ? dot[1 + i] - '0' : 0) * scale;
		}
	}
	w->s->res.cpu_quota_us = whole * CPU_PERIOD_US + frac;
	/* The kernel's smallest quota is 1 ms: 0.01 of a 100 ms period. */
	if (!ok || w->s->res.cpu_quota_us < 1000) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid value '%s' (expected a number of CPUs, at least 0.01, e.g. 0.5)", v);
		return;
	}
	w->s->res.has_cpu_quota = true;
	w->s->res.cpu_quota_at = y->at;
}

static void k_resources(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = {
		{ "memory", k_memory },
		{ "cpu_shares", k_cpu_shares },
		{ "cpuset", k_cpuset },
		{ "pids", k_pids },
		{ "cpus", k_cpus_quota },
	};

	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
}

/* --- seccomp: the OCI runtime spec's linux.seccomp, in YAML ------------- */

/* A number as JSON or YAML writes it: decimal, or 0x hex (masks read
 * better so). */
static bool sc_number(struct walk *w, const struct ynode *y, const char *path, uint64_t max,
		      uint64_t *out)
{
	const char *v = scalar(w, y, path);
	char *end;

	if (!v)
		return false;
	errno = 0;
	*out = strtoull(v, &end, 0);
	if (*v < '0' || *v > '9' || *end || errno || *out > max) {
		ct_diag(w->d, w->file, y->at, path,
			"invalid number '%s' (expected a whole number from 0 to %llu, decimal or 0x hex)",
			v, (unsigned long long)max);
		return false;
	}
	return true;
}

static bool sc_action(struct walk *w, const struct ynode *y, const char *path,
		      enum sc_action *out)
{
	const char *v = scalar(w, y, path);
	int a;

	if (!v)
		return false;
	a = sc_action_of(v);
	if (a >= 0) {
		*out = (enum sc_action)a;
		return true;
	}
	if (strcmp(v, "SCMP_ACT_NOTIFY") == 0)
		ct_diag(w->d, w->file, y->at, path,
			"SCMP_ACT_NOTIFY is not supported (it needs a seccomp agent on a socket)");
	else
		ct_diag(w->d, w->file, y->at, path,
			"unknown action '%s' (expected one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
			"SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
			"SCMP_ACT_TRACE, SCMP_ACT_LOG)", v);
	return false;
}

static void k_sc_default_action(struct walk *w, const struct ynode *y, const char *path)
{
	sc_action(w, y, path, &w->s->seccomp_profile->default_action);
}

static void k_sc_default_errno(struct walk *w, const struct ynode *y, const char *path)
{
	uint64_t v;

	/* MAX_ERRNO: the kernel's largest errno. */
	if (sc_number(w, y, path, 4095, &v))
		w->s->seccomp_profile->default_errno = (uint32_t)v;
}

static void k_sc_architectures(struct walk *w, const struct ynode *y, const char *path)
{
	struct sc_profile *p = w->s->seccomp_profile;

	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence of architectures");
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = scalar(w, y->items[i], sub);

		if (!v)
			continue;
		if (!sc_arch_known(v)) {
			ct_diag(w->d, w->file, y->items[i]->at, sub,
				"unknown architecture '%s' (expected a name such as "
				"SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64)", v);
			continue;
		}
		if (p->n_archs == SC_MAX_ARCHS) {
			ct_diag(w->d, w->file, y->items[i]->at, sub, "more than %d architectures",
				SC_MAX_ARCHS);
			return;
		}
		p->archs[p->n_archs++] = xstrdup(v);
	}
}

static void k_sc_names(struct walk *w, const struct ynode *y, const char *path)
{
	struct sc_rule *r = w->sc_rule;
	char **names;

	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence of system call names");
		return;
	}
	if (y->n == 0) {
		ct_diag(w->d, w->file, y->at, path, "empty (expected at least one system call)");
		return;
	}
	names = xcalloc(y->n, sizeof *names);
	r->names = (const char *const *)names;
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = scalar(w, y->items[i], sub);

		if (!v)
			continue;
		/* A name this libseccomp does not know is skipped when the
		 * filter is made (a call newer than it); one that cannot be
		 * a system call's name is a mistake. */
		if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(v)) {
			ct_diag(w->d, w->file, y->items[i]->at, sub,
				"invalid system call name '%s' (expected lower-case letters, digits "
				"and _, e.g. mount)", v);
			continue;
		}
		names[r->n_names++] = xstrdup(v);
	}
}

static void k_sc_action(struct walk *w, const struct ynode *y, const char *path)
{
	sc_action(w, y, path, &w->sc_rule->action);
}

static void k_sc_errno(struct walk *w, const struct ynode *y, const char *path)
{
	uint64_t v;

	if (sc_number(w, y, path, 4095, &v))
		w->sc_rule->errno_ret = (uint32_t)v;
}

static void k_sc_index(struct walk *w, const struct ynode *y, const char *path)
{
	uint64_t v;

	if (sc_number(w, y, path, SC_MAX_ARGS - 1, &v))
		w->sc_arg->index = (unsigned)v;
}

static void k_sc_value(struct walk *w, const struct ynode *y, const char *path)
{
	sc_number(w, y, path, UINT64_MAX, &w->sc_arg->value);
}

static void k_sc_value_two(struct walk *w, const struct ynode *y, const char *path)
{
	sc_number(w, y, path, UINT64_MAX, &w->sc_arg->value_two);
}

static void k_sc_op(struct walk *w, const struct ynode *y, const char *path)
{
	const char *v = scalar(w, y, path);
	int op;

	if (!v)
		return;
	op = sc_op_of(v);
	if (op < 0) {
		ct_diag(w->d, w->file, y->at, path,
			"unknown operator '%s' (expected one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, "
			"SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ)", v);
		return;
	}
	w->sc_arg->op = (enum sc_op)op;
}

static void k_sc_args(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = {
		{ "index", k_sc_index }, { "value", k_sc_value },
		{ "valueTwo", k_sc_value_two }, { "op", k_sc_op },
	};
	struct sc_rule *r = w->sc_rule;

	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence");
		return;
	}
	if (y->n > SC_MAX_ARGS) {
		ct_diag(w->d, w->file, y->at, path, "more than %d comparisons", SC_MAX_ARGS);
		return;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const struct ynode *item = y->items[i];
		size_t before = w->d->n;

		w->sc_arg = &r->args[r->n_args++];
		w->sc_arg->op = (enum sc_op)-1;
		walk_map(w, item, sub, keys, sizeof keys / sizeof keys[0]);
		if (w->d->n > before || item->type != Y_MAP)
			continue;
		if (!lookup(item, "index"))
			ct_diag(w->d, w->file, item->at, sub, "index: missing (expected 0 to 5)");
		if (!lookup(item, "value"))
			ct_diag(w->d, w->file, item->at, sub, "value: missing");
		if ((int)w->sc_arg->op < 0)
			ct_diag(w->d, w->file, item->at, sub, "op: missing (expected e.g. SCMP_CMP_EQ)");
	}
	w->sc_arg = NULL;
}

static void one_sc_rule(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = {
		{ "names", k_sc_names }, { "action", k_sc_action },
		{ "errnoRet", k_sc_errno }, { "args", k_sc_args },
	};
	struct sc_rule *r = w->sc_rule;
	size_t before = w->d->n;

	r->at = y->at;
	r->action = (enum sc_action)-1;
	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
	if (w->d->n > before || y->type != Y_MAP)
		return;
	if (!lookup(y, "names"))
		ct_diag(w->d, w->file, y->at, path, "names: missing (expected the system calls)");
	if ((int)r->action < 0)
		ct_diag(w->d, w->file, y->at, path, "action: missing (expected e.g. SCMP_ACT_ALLOW)");
	else if (r->action == SC_ERRNO && !lookup(y, "errnoRet"))
		r->errno_ret = EPERM;
	else if (lookup(y, "errnoRet") && r->action != SC_ERRNO && r->action != SC_TRACE)
		ct_diag(w->d, w->file, lookup(y, "errnoRet")->at, path,
			"errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
}

static void k_sc_syscalls(struct walk *w, const struct ynode *y, const char *path)
{
	struct sc_profile *p = w->s->seccomp_profile;

	if (y->type != Y_SEQ) {
		wrong_type(w, y, path, "a sequence");
		return;
	}
	p->rules = xcalloc(y->n + 1, sizeof *p->rules);
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);

		w->sc_rule = &p->rules[p->n_rules++];
		one_sc_rule(w, y->items[i], sub);
	}
	w->sc_rule = NULL;
}

static void k_seccomp(struct walk *w, const struct ynode *y, const char *path)
{
	static const struct key keys[] = {
		{ "defaultAction", k_sc_default_action }, { "defaultErrnoRet", k_sc_default_errno },
		{ "architectures", k_sc_architectures },  { "syscalls", k_sc_syscalls },
	};
	struct sc_profile *p;
	size_t before = w->d->n;

	w->s->seccomp_at = y->at;
	if (y->type == Y_SCALAR && !is_null(y)) {
		if (strcmp(y->value, "default") == 0)
			w->s->seccomp = SC_MODE_DEFAULT;
		else if (strcmp(y->value, "unconfined") == 0)
			w->s->seccomp = SC_MODE_UNCONFINED;
		else
			ct_diag(w->d, w->file, y->at, path,
				"unknown value '%s' (expected default, unconfined, or a profile: a "
				"mapping with defaultAction and syscalls)", y->value);
		return;
	}
	if (y->type != Y_MAP) {
		wrong_type(w, y, path, "default, unconfined or a mapping");
		return;
	}
	p = w->s->seccomp_profile = xcalloc(1, sizeof *p);
	w->s->seccomp = SC_MODE_CUSTOM;
	p->at = y->at;
	p->default_action = (enum sc_action)-1;
	walk_map(w, y, path, keys, sizeof keys / sizeof keys[0]);
	if (w->d->n > before)
		return;
	if ((int)p->default_action < 0)
		ct_diag(w->d, w->file, y->at, path,
			"defaultAction: missing (expected e.g. SCMP_ACT_ERRNO)");
	else if (p->default_action == SC_ERRNO && !lookup(y, "defaultErrnoRet"))
		p->default_errno = EPERM;
	else if (lookup(y, "defaultErrnoRet") && p->default_action != SC_ERRNO &&
		 p->default_action != SC_TRACE)
		ct_diag(w->d, w->file, lookup(y, "defaultErrnoRet")->at, path,
			"defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
}

static const struct key top_keys[] = {
	{ "name", k_name },       { "rootfs", k_rootfs },   { "hostname", k_hostname },
	{ "command", k_command }, { "env", k_env },         { "workdir", k_workdir },
	{ "resources", k_resources },
	{ "user", k_user },
	{ "readonly_rootfs", k_readonly_rootfs },
	{ "unsafe_paths", k_unsafe_paths },
	{ "mounts", k_mounts },
	{ "capabilities", k_capabilities },
	{ "no_new_privileges", k_no_new_privileges },
	{ "rlimits", k_rlimits },
	{ "seccomp", k_seccomp },
	{ "userns", k_userns },
	{ "tty", k_tty },
	{ "init", k_init },
};

/* --- the whole ----------------------------------------------------------- */

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

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

static void walk_spec(struct walk *w, const struct ynode *root)
{
	struct spec *s = w->s;

	if (!root || is_null(root)) {
		ct_diag(w->d, w->file, (struct ct_loc){ 0 }, NULL,
			"empty (expected a mapping with at least rootfs:)");
		return;
	}
	walk_map(w, root, "", top_keys, sizeof top_keys / sizeof top_keys[0]);
	if (root->type != Y_MAP)
		return;
	if (!lookup(root, "rootfs"))
		ct_diag(w->d, w->file, root->at, "rootfs",
			"missing (expected the path of the container's root directory)");
	if (!lookup(root, "name")) {
		s->name = name_from_file(s->file);
		if (!spec_name_valid(s->name))
			ct_diag(w->d, w->file, (struct ct_loc){ 0 }, "name",
				"'%s' (from the file name) is not a valid name; set name: in the spec",
				s->name);
	}
}

int spec_load(const char *path, struct spec *spec, struct ct_diags *d)
{
	size_t before = d->n, len = 0;
	cleanup_free char *text = NULL;

	memset(spec, 0, sizeof *spec);
	spec->file = xstrdup(path);
	spec->dir = dir_of(path);
	spec->no_new_privileges = true;
	text = read_spec(path, &len, d);
	if (text && check_text(path, (const unsigned char *)text, len, d) == 0) {
		struct ynode *root = NULL;
		struct walk w = { .file = path, .d = d, .s = spec };

		if (load_tree(path, text, len, d, &root) == 0)
			walk_spec(&w, root);
		ynode_free(root);
	}
	if (d->n > before) {
		spec_free(spec);
		return -1;
	}
	return 0;
}

static void free_argv(struct spec *s)
{
	for (size_t i = 0; s->argv && i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = NULL;
	s->argc = 0;
}

void spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->file);
	free(spec->dir);
	free(spec->name);
	free(spec->rootfs);
	free(spec->hostname);
	free(spec->workdir);
	free(spec->user);
	free_argv(spec);
	for (size_t i = 0; i < spec->n_env; i++) {
		free(spec->env[i].key);
		free(spec->env[i].value);
	}
	free(spec->env);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].source);
		free(spec->mounts[i].target);
	}
	free(spec->mounts);
	free(spec->rlimits);     /* rlimits[].name is static */
	sc_profile_free(spec->seccomp_profile);
	memset(spec, 0, sizeof *spec);
}

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

int spec_set_name(struct spec *spec, const char *name, struct ct_err *e)
{
	if (!spec_name_valid(name))
		return ct_fail(e, 0, "--name: invalid name '%s' (" NAME_RULE ")", name);
	free(spec->name);
	spec->name = xstrdup(name);
	spec->name_at = (struct ct_loc){ 0 };
	return 0;
}
