/* Small whole-file reads, the one place that does them for host.c
 * (/proc, /etc) and for cgroup.c and ns.c (kernel files), and the reopen
 * of a file found by descriptor (check.c, command_find.c); the writes
 * are filewrite.c's, in the edge (src/LAYERS). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"
#include "util_fd.h"

char *read_fd(int fd, size_t max, size_t *lenp)
{
	size_t len = 0, cap = max < 4096 ? max + 1 : 4096;
	char *buf = xmalloc(cap);

	while (len < max) {
		ssize_t r;

		if (len + 1 >= cap)
			buf = xrealloc(buf, cap = cap * 2 > max + 1 ? max + 1 : cap * 2);
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			errno = err;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *read_text(const char *path, struct ct_err *e)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0) {
		ct_fail(e, errno, "open %s", path);
		return NULL;
	}
	buf = read_fd(fd, SIZE_MAX - 1, NULL);
	if (!buf)
		ct_fail(e, errno, "read %s", path);
	return buf;
}

int fd_reopen(int fd, int flags)
{
	char self[64];

	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	return open(self, flags | O_CLOEXEC);
}
