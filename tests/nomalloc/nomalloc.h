/* tests/nomalloc: the allocator check of build/ctlaunch-nomalloc. */
#ifndef CTLAUNCH_NOMALLOC_H
#define CTLAUNCH_NOMALLOC_H

/* The start of the line an allocation outside ctlaunch's own process
 * writes to stderr; the tests look for it. */
#define NOMALLOC_MARK "nomalloc: "
#define NOMALLOC_LINE_MAX 160

/* fn was called at caller: reports it and ends the process when the
 * process is not ctlaunch itself. */
void nomalloc_check(const char *fn, const void *caller);

#endif
