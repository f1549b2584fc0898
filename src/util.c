/* Strict conversions and small allocation helpers. Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

__attribute__((noreturn)) static void oom(void)
{
	fputs("ctlaunch: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}

/* strtoull skips spaces and accepts a sign ("-1" is ULLONG_MAX): only
 * a string that starts with a digit gets that far. */
static int leading_uint(const char *s, char **end, uint64_t *out)
{
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (leading_uint(s, &end, &v) < 0 || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Powers of 1024, as the kernel reads memory.limit_in_bytes. */
static int unit_shift(char c)
{
	switch (c) {
	case 'K': case 'k':
		return 10;
	case 'M': case 'm':
		return 20;
	case 'G': case 'g':
		return 30;
	case 'T': case 't':
		return 40;
	default:
		return -1;
	}
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;
	int shift = 0;

	if (leading_uint(s, &end, &v) < 0)
		return -1;
	/* One letter and nothing after it: "64MB" or "64 M" is a guess at
	 * some other syntax, better refused than read as something else. */
	if (*end) {
		shift = unit_shift(*end);
		if (shift < 0 || end[1] || v > (UINT64_MAX >> shift))
			return -1;
	}
	*out = v << shift;
	return 0;
}

static void set_bit(struct cpuset *set, unsigned i)
{
	set->bits[i / 64] |= 1ULL << (i % 64);
}

int parse_cpulist(const char *s, struct cpuset *out)
{
	struct cpuset set = { 0 };
	const char *p = s;

	if (!*s)
		return -1;
	for (;;) {
		uint64_t a, b;
		char *end;

		if (leading_uint(p, &end, &a) < 0 || a >= CT_MAX_CPUS)
			return -1;
		b = a;
		if (*end == '-') {
			if (leading_uint(end + 1, &end, &b) < 0 || b >= CT_MAX_CPUS || b < a)
				return -1;
		}
		for (uint64_t i = a; i <= b; i++)
			set_bit(&set, (unsigned)i);
		if (*end == '\0')
			break;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	*out = set;
	return 0;
}

/* buf[0..len) did not fit whole: keep the whole elements that leave room
 * for ",..." and say that more follows. A cut number would name the wrong
 * CPU ("1" of "12"). */
static void cut_list(char *buf, size_t len, size_t size)
{
	static const char more[] = ",...";

	buf[len] = '\0';
	while (len && len + sizeof more > size) {
		const char *comma = strrchr(buf, ',');

		len = comma ? (size_t)(comma - buf) : 0;
		buf[len] = '\0';
	}
	if (len)
		snprintf(buf + len, size - len, "%s", more);
	else
		snprintf(buf, size, "%s", more + 1);
}

/* The first bit at or after from that is set (set) or clear (!set), or
 * CT_MAX_CPUS: a word at a time, as a set holds a few CPUs of 8192. */
static unsigned next_bit(const struct cpuset *c, unsigned from, bool set)
{
	for (unsigned w = from / 64; w < CT_MAX_CPUS / 64; w++) {
		uint64_t word = set ? c->bits[w] : ~c->bits[w];

		if (w == from / 64)
			word &= ~0ULL << (from % 64);
		if (word)
			return w * 64 + (unsigned)__builtin_ctzll(word);
	}
	return CT_MAX_CPUS;
}

void cpulist_format(const struct cpuset *set, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (unsigned i = next_bit(set, 0, true); i < CT_MAX_CPUS; i = next_bit(set, i + 1, true)) {
		unsigned j = next_bit(set, i, false) - 1;
		int n;

		if (j == i)
			n = snprintf(buf + len, size - len, "%s%u", len ? "," : "", i);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", i, j);
		if (n < 0 || (size_t)n >= size - len) {
			cut_list(buf, len, size);
			return;
		}
		len += (size_t)n;
		i = j;
	}
}

bool cpuset_is_empty(const struct cpuset *set)
{
	for (size_t i = 0; i < sizeof set->bits / sizeof set->bits[0]; i++)
		if (set->bits[i])
			return false;
	return true;
}

int cpuset_first_missing(const struct cpuset *a, const struct cpuset *b)
{
	for (unsigned w = 0; w < CT_MAX_CPUS / 64; w++) {
		uint64_t missing = a->bits[w] & ~b->bits[w];

		if (missing)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(missing));
	}
	return -1;
}

bool cpuset_is_subset(const struct cpuset *a, const struct cpuset *b)
{
	return cpuset_first_missing(a, b) < 0;
}

void size_format(uint64_t bytes, char *buf, size_t size)
{
	static const char suffixes[] = "TGMK";

	for (int i = 0; i < 4; i++) {
		unsigned shift = 10 * (unsigned)(4 - i);

		if (bytes && bytes % (1ULL << shift) == 0) {
			snprintf(buf, size, "%llu%c", (unsigned long long)(bytes >> shift), suffixes[i]);
			return;
		}
	}
	snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

int path_join_buf(char *buf, size_t size, const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	int n;

	name += strspn(name, "/");
	if (!*name) {
		n = snprintf(buf, size, "%s", dir);
	} else {
		while (dlen && dir[dlen - 1] == '/')
			dlen--;
		n = snprintf(buf, size, "%.*s/%s", (int)dlen, dir, name);
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

char *path_join(const char *dir, const char *name)
{
	size_t size = strlen(dir) + strlen(name) + 2;
	char *buf = xmalloc(size);

	if (path_join_buf(buf, size, dir, name) < 0)
		abort();
	return buf;
}
