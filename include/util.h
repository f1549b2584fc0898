/* Pure helpers: string to value conversions with strict checks, growable
 * buffers. Nothing here touches the machine, and nothing here includes a
 * system-call header (tests/layers.sh checks both). */
#ifndef CTLAUNCH_UTIL_H
#define CTLAUNCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CT_MAX_CPUS 4096

/* A set of CPU or memory-node numbers, as in the kernel's list format. */
struct cpuset {
	uint64_t bits[CT_MAX_CPUS / 64];
};

/* "123", "64K", "64M", "1G", "2T" (powers of 1024, suffix case-insensitive).
 * Rejects signs, fractions, spaces, empty, overflow. 0 on success. */
int parse_size(const char *s, uint64_t *out);

/* A decimal unsigned integer within [min, max]; no sign, no spaces. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Kernel list format: "0-3,5,7-8". Ranges ascending, each number below
 * CT_MAX_CPUS. Rejects empty elements, spaces and anything else. */
int parse_cpulist(const char *s, struct cpuset *out);

/* Canonical list form of set into buf ("0-3,5"); "" for an empty set.
 * A list too long for buf ends in ",..." after the last whole element;
 * CT_CPULIST_MAX bytes always hold the whole list. */
void cpulist_format(const struct cpuset *set, char *buf, size_t size);
#define CT_CPULIST_MAX (CT_MAX_CPUS * 4)

bool cpuset_is_subset(const struct cpuset *a, const struct cpuset *b);
bool cpuset_is_empty(const struct cpuset *set);
/* The lowest member of a that is not in b, or -1. */
int cpuset_first_missing(const struct cpuset *a, const struct cpuset *b);

/* Size as the user would write it back: "64M" for 67108864. */
void size_format(uint64_t bytes, char *buf, size_t size);

/* dir and name joined by one '/', the one way paths are put together:
 * "a" and "b" give "a/b", "/" and "b" give "/b", "/sys" and "/x/y" give
 * "/sys/x/y" (a cgroup path below a mount), "" and "b" give "/b"; a name
 * of nothing or "/" gives dir as it is. Into buf, without allocating (a
 * vfork child joins with it); -1 when the result does not fit. */
int path_join_buf(char *buf, size_t size, const char *dir, const char *name);
/* The same, allocated. */
char *path_join(const char *dir, const char *name);

/* malloc/strdup/asprintf that abort on out-of-memory: a launcher that is
 * out of memory cannot do anything useful, and checking every string
 * copy would hide the logic. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Scope-bound cleanup, as crun does it: the variable is released when it
 * goes out of scope; hand it on with take_ptr(). Descriptors have theirs
 * in util_fd.h, apart: this header is the pure files', and a descriptor
 * is a system call's. */
static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_fclose __attribute__((cleanup(fclosep)))

static inline void *take_ptr(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}

#endif
