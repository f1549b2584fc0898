/* Whole-file reads and writes of small kernel and configuration files
 * (/proc, /sys/fs/cgroup, /etc): one open, a loop on EINTR and short
 * counts, one close. */
#ifndef CTLAUNCH_FILEIO_H
#define CTLAUNCH_FILEIO_H

#include <stddef.h>

#include "err.h"

/* The whole file, NUL-terminated; NULL with e filled. */
char *read_text(const char *path, struct ct_err *e);

/* At most max bytes of fd, NUL-terminated, their count in *len (when
 * len is not NULL); NULL with errno set. */
char *read_fd(int fd, size_t max, size_t *len);

/* Open the file that fd, an O_PATH descriptor, names, and no other: a
 * rename since the lookup cannot swap it. flags as for open(2) (with
 * O_CLOEXEC added); the new descriptor, or -1 with errno. */
int fd_reopen(int fd, int flags);

/* Write len bytes of data to the existing file path in one write, as
 * kernel files want it; 0, or -1 with errno (EIO for a short write). */
int write_data(const char *path, const char *data, size_t len);

#endif
