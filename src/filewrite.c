/* The one whole-file write of kernel files (cgroup.c, ns.c), apart from
 * fileio.c's reads: it changes the machine (src/LAYERS: edge). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fileio.h"
#include "util_fd.h"

int write_data(const char *path, const char *data, size_t len)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = write(fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}
