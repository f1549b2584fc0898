/* The value converters: a node of the spec's tree to a typed value, or
 * a message saying what was expected. Which key takes which is in
 * spec_keys.c. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "caps.h"
#include "spec.h"
#include "spec_value.h"

void value_wrong_type(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const char *want)
{
	ct_diag(c->d, c->file, y->at, path, "expected %s, got %s", want, ynode_type_name(y));
}

const char *value_scalar(const struct value_ctx *c, const struct ynode *y, const char *path)
{
	if (y->type != Y_SCALAR || ynode_is_null(y)) {
		value_wrong_type(c, y, path, "a string");
		return NULL;
	}
	return y->value;
}

/* An unsigned integer into a field of 1, 2, 4 or 8 bytes; the
 * converter has checked that v fits. */
static void store_uint(void *out, size_t size, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (size == 1)
		memcpy(out, &v8, 1);
	else if (size == 2)
		memcpy(out, &v16, 2);
	else if (size == 4)
		memcpy(out, &v32, 4);
	else
		memcpy(out, &v, 8);
}

static void store_string(void *out, const char *v)
{
	char **field = out;

	free(*field);
	*field = xstrdup(v);
}

/* --- strings ------------------------------------------------------------- */

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

static bool conv_name(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);

	(void)a, (void)size;
	if (!v)
		return false;
	if (!spec_name_valid(v)) {
		ct_diag(c->d, c->file, y->at, path, "invalid name '%s' (" NAME_RULE ")", v);
		return false;
	}
	store_string(out, v);
	return true;
}

/* Relative to the spec, not to wherever ctlaunch was started. */
static bool conv_host_path(const struct value_ctx *c, const struct ynode *y, const char *path,
			   const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	char **field = out;

	(void)size;
	if (!v)
		return false;
	if (!*v) {
		ct_diag(c->d, c->file, y->at, path, "empty (expected %s)", a->what);
		return false;
	}
	free(*field);
	*field = v[0] == '/' ? xstrdup(v) : path_join(c->dir, v);
	return true;
}

static bool conv_hostname(const struct value_ctx *c, const struct ynode *y, const char *path,
			  const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);

	(void)a, (void)size;
	if (!v)
		return false;
	if (!*v || strlen(v) > SPEC_MAX_HOSTNAME || strchr(v, '/')) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid host name '%s' (expected 1 to 64 bytes without /)", v);
		return false;
	}
	store_string(out, v);
	return true;
}

static bool abs_path(const struct value_ctx *c, const struct ynode *y, const char *path,
		     const char *v)
{
	if (v[0] == '/')
		return true;
	ct_diag(c->d, c->file, y->at, path,
		"'%s' is not an absolute path (expected a path starting with /)", v);
	return false;
}

static bool conv_abs_path(const struct value_ctx *c, const struct ynode *y, const char *path,
			  const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);

	(void)a, (void)size;
	if (!v || !abs_path(c, y, path, v))
		return false;
	store_string(out, v);
	return true;
}

static bool conv_user(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	const char *colon;

	(void)a, (void)size;
	if (!v)
		return false;
	colon = strchr(v, ':');
	/* Names as useradd allows them; the rootfs decides which exist. */
	if (!*v || *v == ':' || (colon && (!colon[1] || strchr(colon + 1, ':'))) ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:") !=
		    strlen(v)) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid user '%s' (expected uid[:gid], numbers or names)", v);
		return false;
	}
	store_string(out, v);
	return true;
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

static bool conv_mount_target(const struct value_ctx *c, const struct ynode *y, const char *path,
			      const struct value_arg *a, void *out, size_t size)
{
	static const char *const managed[] = { "/proc", "/sys", "/dev" };
	const char *v = value_scalar(c, y, path);

	(void)a, (void)size;
	if (!v || !abs_path(c, y, path, v))
		return false;
	/* One spelling per place: the checks below compare strings, and
	 * "//proc" or "/./dev" must not pass for something else. The
	 * container's own root cannot be mounted over. */
	if (!plain_path(v)) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid target '%s' (expected a plain path below /, without //, . or .. parts)",
			v);
		return false;
	}
	/* ctlaunch makes these; a mount over one would replace the /dev/null
	 * the masks are bound from, or uncover what they hide. */
	for (size_t i = 0; i < sizeof managed / sizeof managed[0]; i++) {
		size_t n = strlen(managed[i]);

		if (strncmp(v, managed[i], n) == 0 && (v[n] == '\0' || v[n] == '/')) {
			ct_diag(c->d, c->file, y->at, path,
				"invalid target '%s' (expected a path outside /proc, /sys and /dev, "
				"which ctlaunch sets up)", v);
			return false;
		}
	}
	store_string(out, v);
	return true;
}

/* --- booleans and numbers ------------------------------------------------ */

/* YAML 1.2's booleans, and nothing looser ("yes" is a string). */
static bool conv_bool(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	static const char *const truth[] = { "true", "True", "TRUE" };
	static const char *const lies[] = { "false", "False", "FALSE" };
	bool *field = out;

	(void)a, (void)size;
	for (size_t i = 0; y->type == Y_SCALAR && y->plain && i < 3; i++) {
		if (strcmp(y->value, truth[i]) == 0)
			return *field = true, true;
		if (strcmp(y->value, lies[i]) == 0)
			return *field = false, true;
	}
	if (y->type == Y_SCALAR && !ynode_is_null(y))
		ct_diag(c->d, c->file, y->at, path, "invalid value '%s' (expected true or false)",
			y->value);
	else
		value_wrong_type(c, y, path, "true or false");
	return false;
}

/* A minimum of 1 makes 0 invalid rather than small: a tmpfs reads
 * size=0 as no limit at all. */
static bool conv_size(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	uint64_t bytes;

	(void)size;
	if (!v)
		return false;
	if (parse_size(v, &bytes) < 0 || (bytes == 0 && a->min <= 1)) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid size '%s' (expected bytes or a number with K, M, G or T)", v);
		return false;
	}
	if (bytes < a->min) {
		char min[32];

		size_format(a->min, min, sizeof min);
		ct_diag(c->d, c->file, y->at, path, "%s is too small (expected at least %s)", v, min);
		return false;
	}
	*(uint64_t *)out = bytes;
	return true;
}

static bool conv_uint(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	uint64_t n;

	if (!v)
		return false;
	if (parse_uint(v, a->min, a->max, &n) < 0) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid value '%s' (expected an integer from %llu to %llu)", v,
			(unsigned long long)a->min, (unsigned long long)a->max);
		return false;
	}
	store_uint(out, size, n);
	return true;
}

/* A number as JSON or YAML writes it: decimal, or 0x hex (masks read
 * better so). */
static bool conv_number(const struct value_ctx *c, const struct ynode *y, const char *path,
			const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	unsigned long long n;
	char *end;

	if (!v)
		return false;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (*v < '0' || *v > '9' || *end || errno || n > a->max) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid number '%s' (expected a whole number from 0 to %llu, decimal or 0x hex)",
			v, (unsigned long long)a->max);
		return false;
	}
	store_uint(out, size, n);
	return true;
}

static bool conv_cpulist(const struct value_ctx *c, const struct ynode *y, const char *path,
			 const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	struct cpuset set;

	(void)size;
	if (!v)
		return false;
	if (parse_cpulist(v, &set) < 0) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid %s '%s' (expected the kernel list format, e.g. %s)", a->what, v,
			a->example);
		return false;
	}
	memcpy(out, &set, sizeof set);
	return true;
}

/* cpus: a CPU count with up to five decimals, read exactly (no floating
 * point): quota = cpus x the period, in whole microseconds. */
static bool conv_cpu_quota(const struct value_ctx *c, const struct ynode *y, const char *path,
			   const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path), *dot;
	uint64_t whole = 0, frac = 0, scale = CPU_PERIOD_US, quota;
	size_t nfrac;
	bool ok;

	(void)a, (void)size;
	if (!v)
		return false;
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
	quota = whole * CPU_PERIOD_US + frac;
	/* The kernel's smallest quota is 1 ms: 0.01 of a 100 ms period. */
	if (!ok || quota < 1000) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid value '%s' (expected a number of CPUs, at least 0.01, e.g. 0.5)", v);
		return false;
	}
	*(uint64_t *)out = quota;
	return true;
}

static bool conv_mode(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	char *end;
	unsigned long mode;

	(void)a, (void)size;
	if (!v)
		return false;
	errno = 0;
	mode = strtoul(v, &end, 8);
	if (!*v || *v < '0' || *v > '7' || *end || errno || mode > 07777) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid mode '%s' (expected octal permission bits, e.g. \"1777\")", v);
		return false;
	}
	*(unsigned *)out = (unsigned)mode;
	return true;
}

/* --- names --------------------------------------------------------------- */

static bool conv_mount_type(const struct value_ctx *c, const struct ynode *y, const char *path,
			    const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	enum spec_mount_type *field = out;

	(void)a, (void)size;
	if (!v)
		return false;
	if (strcmp(v, "bind") == 0) {
		*field = MOUNT_BIND;
		return true;
	}
	if (strcmp(v, "tmpfs") == 0) {
		*field = MOUNT_TMPFS;
		return true;
	}
	ct_diag(c->d, c->file, y->at, path, "invalid type '%s' (expected bind or tmpfs)", v);
	return false;
}

static bool conv_caps(const struct value_ctx *c, const struct ynode *y, const char *path,
		      const struct value_arg *a, void *out, size_t size)
{
	uint64_t *set = out;
	bool ok = true;

	(void)a, (void)size;
	if (y->type != Y_SEQ) {
		value_wrong_type(c, y, path, "a sequence of capability names");
		return false;
	}
	for (size_t i = 0; i < y->n; i++) {
		cleanup_free char *sub = xasprintf("%s[%zu]", path, i);
		const char *v = value_scalar(c, y->items[i], sub);
		int cap;

		if (!v) {
			ok = false;
			continue;
		}
		if (strcasecmp(v, "ALL") == 0) {
			*set = CAPS_ALL;
			continue;
		}
		cap = strncasecmp(v, "CAP_", 4) == 0 ? cap_number_of(v) : -1;
		if (cap < 0) {
			ct_diag(c->d, c->file, y->items[i]->at, sub,
				"unknown capability '%s' (expected a name from capabilities(7), "
				"e.g. CAP_NET_ADMIN, or ALL)", v);
			ok = false;
			continue;
		}
		*set |= CAPS_BIT(cap);
	}
	return ok;
}

static bool conv_rlimit(const struct value_ctx *c, const struct ynode *y, const char *path,
			const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);

	(void)a, (void)size;
	if (!v)
		return false;
	if (strcmp(v, "unlimited") == 0) {
		*(uint64_t *)out = UINT64_MAX;
		return true;
	}
	if (parse_uint(v, 0, UINT64_MAX - 1, out) < 0) {
		ct_diag(c->d, c->file, y->at, path,
			"invalid limit '%s' (expected a whole number or unlimited)", v);
		return false;
	}
	return true;
}

static bool conv_sc_action(const struct value_ctx *c, const struct ynode *y, const char *path,
			   const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	int action;

	(void)a, (void)size;
	if (!v)
		return false;
	action = sc_action_of(v);
	if (action >= 0) {
		*(enum sc_action *)out = (enum sc_action)action;
		return true;
	}
	if (strcmp(v, "SCMP_ACT_NOTIFY") == 0)
		ct_diag(c->d, c->file, y->at, path,
			"SCMP_ACT_NOTIFY is not supported (it needs a seccomp agent on a socket)");
	else
		ct_diag(c->d, c->file, y->at, path,
			"unknown action '%s' (expected one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
			"SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
			"SCMP_ACT_TRACE, SCMP_ACT_LOG)", v);
	return false;
}

static bool conv_sc_op(const struct value_ctx *c, const struct ynode *y, const char *path,
		       const struct value_arg *a, void *out, size_t size)
{
	const char *v = value_scalar(c, y, path);
	int op;

	(void)a, (void)size;
	if (!v)
		return false;
	op = sc_op_of(v);
	if (op < 0) {
		ct_diag(c->d, c->file, y->at, path,
			"unknown operator '%s' (expected one of SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, "
			"SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ)", v);
		return false;
	}
	*(enum sc_op *)out = (enum sc_op)op;
	return true;
}

const struct value_type v_name = { conv_name, sizeof(char *), true };
const struct value_type v_host_path = { conv_host_path, sizeof(char *), true };
const struct value_type v_hostname = { conv_hostname, sizeof(char *), true };
const struct value_type v_abs_path = { conv_abs_path, sizeof(char *), true };
const struct value_type v_user = { conv_user, sizeof(char *), true };
const struct value_type v_mount_target = { conv_mount_target, sizeof(char *), true };
const struct value_type v_bool = { conv_bool, sizeof(bool), false };
const struct value_type v_size = { conv_size, sizeof(uint64_t), false };
const struct value_type v_uint = { conv_uint, 0, false };
const struct value_type v_number = { conv_number, 0, false };
const struct value_type v_cpulist = { conv_cpulist, sizeof(struct cpuset), false };
const struct value_type v_cpu_quota = { conv_cpu_quota, sizeof(uint64_t), false };
const struct value_type v_mode = { conv_mode, sizeof(unsigned), false };
const struct value_type v_mount_type = { conv_mount_type, sizeof(enum spec_mount_type), false };
const struct value_type v_caps = { conv_caps, sizeof(uint64_t), false };
const struct value_type v_rlimit = { conv_rlimit, sizeof(uint64_t), false };
const struct value_type v_sc_action = { conv_sc_action, sizeof(enum sc_action), false };
const struct value_type v_sc_op = { conv_sc_op, sizeof(enum sc_op), false };

/* --- rlimits ------------------------------------------------------------- */

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
	{ "as", RLIMIT_AS },           { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

int rlimit_of(const char *name, const char **static_name)
{
	for (size_t i = 0; i < sizeof rlimit_table / sizeof rlimit_table[0]; i++)
		if (strcmp(name, rlimit_table[i].name) == 0) {
			*static_name = rlimit_table[i].name;
			return rlimit_table[i].resource;
		}
	return -1;
}

void rlimit_names(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof rlimit_table / sizeof rlimit_table[0] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					rlimit_table[i].name);
}
