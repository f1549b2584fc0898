/* The vfork child's rule, as a test: linked into build/ctlaunch-nomalloc
 * with -Wl,--wrap for every allocator entry point (the Makefile's
 * NOMALLOC_WRAP), so that every allocation, ctlaunch's and the C
 * library's own (strdup, opendir, stdio...), comes through here first.
 *
 * ctlaunch itself may allocate; no other process running this binary
 * may: the container's process before its exec (a vfork child shares
 * ctlaunch's heap and its lock, a fork child runs the same steps), the
 * watcher (CLONE_VM), a helper forked before its exec. One that does
 * writes one line to stderr, naming the call and its caller's address
 * (addr2line -f -e build/ctlaunch-nomalloc ADDR names the function),
 * and exits 125 at once, before the allocator runs: in a vfork child
 * the heap and its lock are the parent's, and a run that goes on would
 * hide the report. Nothing here allocates or uses stdio. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nomalloc.h"

/* ctlaunch's pid, taken before main; 0 until then (the C library's own
 * start-up allocates in ctlaunch). */
static pid_t launcher;

__attribute__((constructor)) static void nomalloc_init(void)
{
	launcher = (pid_t)syscall(SYS_getpid);
}

static size_t put(char *buf, size_t at, const char *s)
{
	while (*s && at < NOMALLOC_LINE_MAX - 1)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, uintptr_t v, unsigned base)
{
	char digits[2 * sizeof v + 1];
	size_t n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && at < NOMALLOC_LINE_MAX - 1)
		buf[at++] = digits[--n];
	return at;
}

void nomalloc_check(const char *fn, const void *caller)
{
	pid_t self;
	char line[NOMALLOC_LINE_MAX];
	size_t n = 0;
	ssize_t w;

	if (!launcher)
		return;
	self = (pid_t)syscall(SYS_getpid);
	if (self == launcher)
		return;
	n = put(line, n, NOMALLOC_MARK);
	n = put(line, n, fn);
	n = put(line, n, " in pid ");
	n = put_num(line, n, (uintptr_t)self, 10);
	n = put(line, n, ", not ctlaunch's (");
	n = put_num(line, n, (uintptr_t)launcher, 10);
	n = put(line, n, "), called from 0x");
	n = put_num(line, n, (uintptr_t)caller, 16);
	line[n++] = '\n';
	do
		w = write(2, line, n);
	while (w < 0 && errno == EINTR);
	syscall(SYS_exit, 125);
	__builtin_unreachable();
}

/* Each wrapper checks with its caller's address, then hands over to the
 * C library's allocator (__real_NAME, the linker's name for it). */
#define CALLER __builtin_return_address(0)

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t size);
void __real_free(void *p);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **out, size_t align, size_t n);
void *__real_memalign(size_t align, size_t n);
void *__real_valloc(size_t n);
void *__real_pvalloc(size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
void __wrap_free(void *p);
void *__wrap_aligned_alloc(size_t align, size_t n);
int __wrap_posix_memalign(void **out, size_t align, size_t n);
void *__wrap_memalign(size_t align, size_t n);
void *__wrap_valloc(size_t n);
void *__wrap_pvalloc(size_t n);

void *__wrap_malloc(size_t n)
{
	nomalloc_check("malloc", CALLER);
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	nomalloc_check("calloc", CALLER);
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	nomalloc_check("realloc", CALLER);
	return __real_realloc(p, n);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	nomalloc_check("reallocarray", CALLER);
	return __real_reallocarray(p, n, size);
}

/* free too: it takes the heap's lock and changes its lists. */
void __wrap_free(void *p)
{
	nomalloc_check("free", CALLER);
	__real_free(p);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	nomalloc_check("aligned_alloc", CALLER);
	return __real_aligned_alloc(align, n);
}

int __wrap_posix_memalign(void **out, size_t align, size_t n)
{
	nomalloc_check("posix_memalign", CALLER);
	return __real_posix_memalign(out, align, n);
}

void *__wrap_memalign(size_t align, size_t n)
{
	nomalloc_check("memalign", CALLER);
	return __real_memalign(align, n);
}

void *__wrap_valloc(size_t n)
{
	nomalloc_check("valloc", CALLER);
	return __real_valloc(n);
}

void *__wrap_pvalloc(size_t n)
{
	nomalloc_check("pvalloc", CALLER);
	return __real_pvalloc(n);
}
