/* The state record of a running container as data and as text. Pure:
 * no system call; statedir.c reads and writes the files. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "state.h"
#include "util.h"

#define STATE_MAGIC "ctlaunch-state 1"

/* The limit keys --list knows, in the order it shows them; a record
 * points to these strings. */
static const char *const limit_keys[] = {
	"memory", "cpu_shares", "cpus", "cpuset.cpus", "cpuset.mems", "pids",
};

char *state_dir_of(uid_t uid, const char *runtime_dir)
{
	if (uid == 0)
		return xstrdup(CT_STATE_DIR);
	return runtime_dir ? xasprintf("%s/ctlaunch", runtime_dir) : NULL;
}

uint64_t state_digest(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A value is the rest of its line: a backslash and a newline in it are
 * written \\ and \n, so that no path can start a line of its own. */
static void put_escaped(char **buf, size_t *len, size_t *cap, const char *key, const char *v)
{
	size_t need = strlen(key) + 2 * strlen(v) + 3;

	if (*len + need >= *cap) {
		*cap = (*len + need) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	*len += (size_t)sprintf(*buf + *len, "%s ", key);
	for (const char *c = v; *c; c++) {
		if (*c == '\\' || *c == '\n') {
			(*buf)[(*len)++] = '\\';
			(*buf)[(*len)++] = *c == '\n' ? 'n' : '\\';
		} else {
			(*buf)[(*len)++] = *c;
		}
	}
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
}

char *state_format(const struct ct_state *s)
{
	size_t len = 0, cap = 1024;
	char *buf = xmalloc(cap), num[128];

	buf[0] = '\0';
	put_escaped(&buf, &len, &cap, "ctlaunch-state", "1");
	put_escaped(&buf, &len, &cap, "name", s->name);
	snprintf(num, sizeof num, "%d", (int)s->pid);
	put_escaped(&buf, &len, &cap, "pid", num);
	snprintf(num, sizeof num, "%" PRIu64, s->start);
	put_escaped(&buf, &len, &cap, "start", num);
	snprintf(num, sizeof num, "%" PRIu32, s->owner);
	put_escaped(&buf, &len, &cap, "owner", num);
	put_escaped(&buf, &len, &cap, "spec", s->spec);
	for (size_t i = 0; i < s->n_sets; i++)
		put_escaped(&buf, &len, &cap, "set", s->sets[i]);
	snprintf(num, sizeof num, "%016" PRIx64, s->digest);
	put_escaped(&buf, &len, &cap, "digest", num);
	snprintf(num, sizeof num, "%#lx", s->nsflags);
	put_escaped(&buf, &len, &cap, "nsflags", num);
	snprintf(num, sizeof num, "%" PRIu32 " %" PRIu32, s->uid, s->gid);
	put_escaped(&buf, &len, &cap, "user", num);
	if (s->login)
		put_escaped(&buf, &len, &cap, "login", s->login);
	if (s->home)
		put_escaped(&buf, &len, &cap, "home", s->home);
	if (s->seccomp)
		snprintf(num, sizeof num, "%016" PRIx64, s->filter);
	put_escaped(&buf, &len, &cap, "seccomp", s->seccomp ? num : "none");
	for (size_t i = 0; i < s->n_cgroups; i++)
		put_escaped(&buf, &len, &cap, "cgroup", s->cgroups[i]);
	for (size_t i = 0; i < s->n_limits; i++) {
		snprintf(num, sizeof num, "%s %s", s->limits[i].key, s->limits[i].value);
		put_escaped(&buf, &len, &cap, "limit", num);
	}
	return buf;
}

/* The value of a line, unescaped in place; NULL for a bad escape. */
static char *unescape(char *v)
{
	char *out = v;

	for (char *c = v; *c; c++) {
		if (*c != '\\') {
			*out++ = *c;
			continue;
		}
		c++;
		if (*c == 'n')
			*out++ = '\n';
		else if (*c == '\\')
			*out++ = '\\';
		else
			return NULL;
	}
	*out = '\0';
	return v;
}

static bool dec(const char *v, uint64_t max, uint64_t *out)
{
	return parse_uint(v, 0, max, out) == 0;
}

static bool hex64(const char *v, uint64_t *out)
{
	char *end;

	if (strspn(v, "0123456789abcdef") != 16 || v[16])
		return false;
	errno = 0;
	*out = strtoull(v, &end, 16);
	return errno == 0 && !*end;
}

static int parse_limit(struct ct_state *s, const char *v)
{
	const char *sp = strchr(v, ' ');

	if (!sp || s->n_limits == STATE_MAX_LIMITS || strlen(sp + 1) >= sizeof s->limits[0].value)
		return -1;
	for (size_t i = 0; i < sizeof limit_keys / sizeof limit_keys[0]; i++)
		if (strlen(limit_keys[i]) == (size_t)(sp - v) && strncmp(v, limit_keys[i], (size_t)(sp - v)) == 0) {
			s->limits[s->n_limits].key = limit_keys[i];
			snprintf(s->limits[s->n_limits].value, sizeof s->limits[0].value, "%s", sp + 1);
			s->n_limits++;
			return 0;
		}
	/* A key of a newer ctlaunch: not shown. */
	return 0;
}

static bool parse_user(struct ct_state *s, char *v)
{
	char *sp = strchr(v, ' ');
	uint64_t uid, gid;

	if (!sp)
		return false;
	*sp = '\0';
	if (!dec(v, UINT32_MAX, &uid) || !dec(sp + 1, UINT32_MAX, &gid))
		return false;
	s->uid = (uint32_t)uid;
	s->gid = (uint32_t)gid;
	return true;
}

static bool parse_nsflags(struct ct_state *s, const char *v)
{
	char *end;
	unsigned long long n;

	if (strncmp(v, "0x", 2) != 0 || !v[2] || strspn(v + 2, "0123456789abcdef") != strlen(v + 2))
		return false;
	errno = 0;
	n = strtoull(v + 2, &end, 16);
	if (errno || *end || n == 0 || n > ULONG_MAX)
		return false;
	s->nsflags = (unsigned long)n;
	return true;
}

static bool parse_seccomp(struct ct_state *s, const char *v)
{
	s->seccomp = strcmp(v, "none") != 0;
	return !s->seccomp || hex64(v, &s->filter);
}

/* The keys that come once, each a bit of parse_line's seen. */
static const char *const once[] = { "name", "pid", "start", "owner", "spec",
				    "digest", "nsflags", "user", "seccomp" };
#define ALL_ONCE ((1U << (sizeof once / sizeof once[0])) - 1)

/* A key that comes once: false when its value is not one ctlaunch writes. */
static bool parse_once(struct ct_state *s, const char *key, char *v)
{
	uint64_t n;

	if (strcmp(key, "name") == 0) {
		s->name = xstrdup(v);
		return true;
	}
	if (strcmp(key, "pid") == 0) {
		s->pid = dec(v, INT32_MAX, &n) && n > 0 ? (pid_t)n : 0;
		return s->pid > 0;
	}
	if (strcmp(key, "start") == 0)
		return dec(v, UINT64_MAX, &s->start);
	if (strcmp(key, "owner") == 0) {
		s->owner = dec(v, UINT32_MAX, &n) ? (uint32_t)n : 0;
		return dec(v, UINT32_MAX, &n);
	}
	if (strcmp(key, "spec") == 0) {
		s->spec = xstrdup(v);
		return v[0] == '/';
	}
	if (strcmp(key, "digest") == 0)
		return hex64(v, &s->digest);
	if (strcmp(key, "nsflags") == 0)
		return parse_nsflags(s, v);
	if (strcmp(key, "user") == 0)
		return parse_user(s, v);
	return parse_seccomp(s, v);
}

/* One "key value" line into s; seen: the keys of once[] met so far. */
static int parse_line(struct ct_state *s, const char *key, char *v, unsigned *seen)
{
	for (unsigned i = 0; i < sizeof once / sizeof once[0]; i++) {
		if (strcmp(key, once[i]) != 0)
			continue;
		if (*seen & (1U << i))
			return -1;
		*seen |= 1U << i;
		return parse_once(s, key, v) ? 0 : -1;
	}
	if (strcmp(key, "login") == 0 || strcmp(key, "home") == 0) {
		char **field = key[0] == 'l' ? &s->login : &s->home;

		if (*field)
			return -1;
		*field = xstrdup(v);
		return 0;
	}
	if (strcmp(key, "set") == 0) {
		s->sets = xrealloc(s->sets, (s->n_sets + 1) * sizeof *s->sets);
		s->sets[s->n_sets++] = xstrdup(v);
		return 0;
	}
	if (strcmp(key, "cgroup") == 0) {
		if (v[0] != '/' || s->n_cgroups == STATE_MAX_CGROUPS)
			return -1;
		s->cgroups[s->n_cgroups++] = xstrdup(v);
		return 0;
	}
	if (strcmp(key, "limit") == 0)
		return parse_limit(s, v);
	/* A key of a newer ctlaunch: ignored. */
	return 0;
}

int state_parse(const char *text, struct ct_state *s, struct ct_err *e)
{
	cleanup_free char *copy = xstrdup(text);
	unsigned seen = 0;
	char *save = NULL, *line;
	size_t n = 0;

	memset(s, 0, sizeof *s);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		char *sp = strchr(line, ' ');

		if (n == 0 && strcmp(line, STATE_MAGIC) == 0)
			continue;
		if (n == 0 || !sp)
			break;
		*sp = '\0';
		if (!unescape(sp + 1) || parse_line(s, line, sp + 1, &seen) < 0)
			break;
	}
	/* Every key that comes once, and nothing after a bad line. */
	if (line || seen != ALL_ONCE) {
		state_free(s);
		return ct_fail(e, 0, n == 0 ? "not a ctlaunch state file"
					     : "line %zu is not what ctlaunch writes", n + 1);
	}
	return 0;
}

void state_free(struct ct_state *s)
{
	free(s->name);
	free(s->spec);
	free(s->login);
	free(s->home);
	for (size_t i = 0; i < s->n_sets; i++)
		free(s->sets[i]);
	free(s->sets);
	for (size_t i = 0; i < s->n_cgroups; i++)
		free(s->cgroups[i]);
	memset(s, 0, sizeof *s);
}

int state_proc_start(const char *stat, uint64_t *start, char *state)
{
	/* The name, field 2, is in parentheses and may hold anything,
	 * spaces and ')' too: the fields resume after the last ')'. */
	const char *p = strrchr(stat, ')');
	char *end;

	if (!p || p[1] != ' ' || !p[2])
		return -1;
	p += 2;
	*state = *p;
	/* From field 3, the state, to field 22, the start time. */
	for (int field = 3; field < 22; field++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
		if (!*p)
			return -1;
	}
	errno = 0;
	*start = strtoull(p, &end, 10);
	return errno || end == p || (*end && *end != ' ' && *end != '\n') ? -1 : 0;
}

void state_uptime_format(uint64_t secs, char *buf, size_t size)
{
	unsigned long long s = secs;

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

static void limits_text(const struct ct_state *s, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n_limits && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", i ? " " : "",
					s->limits[i].key, s->limits[i].value);
	if (!s->n_limits)
		snprintf(buf, size, "-");
}

static void json_entry(const struct state_entry *v, FILE *out)
{
	const struct ct_state *s = &v->st;

	fputs("{\"name\": ", out);
	json_string(out, s->name);
	fprintf(out, ", \"pid\": %d, \"uptime\": %" PRIu64 ", \"owner\": %" PRIu32 ", \"spec\": ",
		(int)s->pid, v->uptime, s->owner);
	json_string(out, s->spec);
	fputs(", \"limits\": {", out);
	for (size_t i = 0; i < s->n_limits; i++) {
		fputs(i ? ", " : "", out);
		json_string(out, s->limits[i].key);
		fputs(": ", out);
		json_string(out, s->limits[i].value);
	}
	fputs("}, \"cgroups\": [", out);
	for (size_t i = 0; i < s->n_cgroups; i++) {
		fputs(i ? ", " : "", out);
		json_string(out, s->cgroups[i]);
	}
	fputs("]}", out);
}

enum { COL_NAME, COL_PID, COL_UPTIME, COL_OWNER, COL_SPEC, COL_LIMITS, NCOL };

static void cells_of(const struct state_entry *v, char cell[NCOL][512])
{
	const struct ct_state *s = &v->st;

	snprintf(cell[COL_NAME], sizeof cell[0], "%s", s->name);
	snprintf(cell[COL_PID], sizeof cell[0], "%d", (int)s->pid);
	state_uptime_format(v->uptime, cell[COL_UPTIME], sizeof cell[0]);
	snprintf(cell[COL_OWNER], sizeof cell[0], "%" PRIu32, s->owner);
	snprintf(cell[COL_SPEC], sizeof cell[0], "%s", s->spec);
	limits_text(s, cell[COL_LIMITS], sizeof cell[0]);
}

static void row(FILE *out, const int *w, char cell[NCOL][512])
{
	for (int c = 0; c < COL_LIMITS; c++)
		fprintf(out, "%-*s  ", w[c], cell[c]);
	fprintf(out, "%s\n", cell[COL_LIMITS]);
}

/* The table: columns as wide as their widest cell, left-aligned. */
static void table_print(const struct state_entry *v, size_t n, FILE *out)
{
	static const char *const head[NCOL] = { "NAME", "PID", "UPTIME", "OWNER", "SPEC", "LIMITS" };
	char cell[NCOL][512];
	int w[NCOL];

	for (int c = 0; c < NCOL; c++) {
		w[c] = (int)strlen(head[c]);
		snprintf(cell[c], sizeof cell[c], "%s", head[c]);
	}
	for (size_t i = 0; i < n; i++) {
		cells_of(&v[i], cell);
		for (int c = 0; c < NCOL; c++)
			w[c] = (int)strlen(cell[c]) > w[c] ? (int)strlen(cell[c]) : w[c];
	}
	for (int c = 0; c < NCOL; c++)
		snprintf(cell[c], sizeof cell[c], "%s", head[c]);
	row(out, w, cell);
	for (size_t i = 0; i < n; i++) {
		cells_of(&v[i], cell);
		row(out, w, cell);
	}
}

void state_list_print(const struct state_entry *v, size_t n, bool json, FILE *out)
{
	if (!json) {
		table_print(v, n, out);
		return;
	}
	fputs("[", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n " : "", out);
		json_entry(&v[i], out);
	}
	fputs("]\n", out);
}
