/* Linked into build/ctlaunch-nomalloc-canary, with -Wl,--wrap=caps_set
 * besides nomalloc's wraps: the child's capabilities step allocates, as
 * a mistake in a child step would. The test runs a container with it
 * and expects nomalloc's report: the check can fail. */
#include <stdint.h>
#include <stdlib.h>

#include "caps.h"

int __real_caps_set(uint64_t keep, struct ct_err *e);
int __wrap_caps_set(uint64_t keep, struct ct_err *e);

int __wrap_caps_set(uint64_t keep, struct ct_err *e)
{
	/* volatile: the compiler may drop a malloc whose block is unused. */
	// cppcheck-suppress unusedAllocatedMemory
	void *volatile p = malloc(16);

	free(p);
	return __real_caps_set(keep, e);
}
