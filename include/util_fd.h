/* Descriptors released at the end of their scope, for the files that
 * make system calls (src/LAYERS: probe and edge); kept out of util.h,
 * which the pure files include, so that <unistd.h> stays out of them. */
#ifndef CTLAUNCH_UTIL_FD_H
#define CTLAUNCH_UTIL_FD_H

#include <unistd.h>

static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define cleanup_close __attribute__((cleanup(closep)))

/* The descriptor, handed to a new owner: the cleanup closes nothing. */
static inline int take_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
