/* --join's own system calls: the container's PID 1 by a pidfd, its
 * rlimits and umask, its namespaces. The steps around them (cgroups, capabilities,
 * the user, the filter, the exec) are the run's own, in exec.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "join.h"
#include "statedir.h"

int join_open(pid_t pid, uint64_t start, struct ct_err *e)
{
	struct ct_state st = { .pid = pid, .start = start };
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0 && errno != ESRCH)
		return ct_fail(e, errno, "pidfd_open %d", (int)pid);
	/* The pidfd names one process for good; checked after it is
	 * open, the start time says it is the container's PID 1. */
	if (fd < 0 || !state_alive(&st, NULL)) {
		if (fd >= 0)
			close(fd);
		return ct_fail(e, 0, "the container is not running any more (its pid 1, %d, has ended)",
			       (int)pid);
	}
	return fd;
}

/* Still alive, so the pid was still PID 1's while its /proc was read. */
static int still_alive(int pidfd, struct ct_err *e)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (poll(&pfd, 1, 0) != 0)
		return ct_fail(e, 0, "the container ended");
	return 0;
}

static rlim_t min_rlim(rlim_t a, rlim_t b)
{
	return a < b ? a : b;
}

/* The value at *p ("unlimited" or a number, a column of
 * /proc/PID/limits), *p moved past it and the spaces after; -1 when it
 * is neither. */
static int limit_value(const char **p, rlim_t *out)
{
	char *end;

	if (strncmp(*p, "unlimited", 9) == 0) {
		*out = RLIM_INFINITY;
		end = (char *)*p + 9;
	} else {
		if (**p < '0' || **p > '9')
			return -1;
		errno = 0;
		*out = (rlim_t)strtoull(*p, &end, 10);
		if (errno)
			return -1;
	}
	if (*end != ' ' && *end != '\n')
		return -1;
	*p = end + strspn(end, " ");
	return 0;
}

/* Limit r as the caller's; a hard limit it may not raise (without
 * CAP_SYS_RESOURCE) stays its own, and the soft one under it. */
static int set_limit(int r, struct rlimit want, struct ct_err *e)
{
	struct rlimit own;

	if (setrlimit((enum __rlimit_resource)r, &want) == 0)
		return 0;
	if (errno != EPERM || getrlimit((enum __rlimit_resource)r, &own) < 0)
		return ct_fail(e, errno, "set the resource limit %d", r);
	want.rlim_max = min_rlim(want.rlim_max, own.rlim_max);
	want.rlim_cur = min_rlim(want.rlim_cur, want.rlim_max);
	if (setrlimit((enum __rlimit_resource)r, &want) < 0)
		return ct_fail(e, errno, "set the resource limit %d", r);
	return 0;
}

/* The whole of /proc/PID/FILE into buf (limits, status: a few hundred
 * bytes to a few KB, and not allocated: the joining process keeps the
 * child's rule, exec.c). */
static int read_proc(pid_t pid, const char *file, char *buf, size_t size, struct ct_err *e)
{
	char path[64];
	size_t len = 0;
	ssize_t n = 1;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ct_fail(e, errno, "open %s", path);
	while (n > 0 && len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			n = 1;
		else if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (n < 0)
		return ct_fail(e, errno, "read %s", path);
	buf[len] = '\0';
	return 0;
}

/* From /proc/PID/limits, which anyone may read, where prlimit(2) would
 * want CAP_SYS_RESOURCE for another user's process. One line a limit,
 * in the kernel's order of RLIMIT_*, under a header; the name is padded
 * to 25 columns, then the soft and the hard value. */
int join_rlimits(pid_t pid, int pidfd, struct ct_err *e)
{
	char text[4096];
	const char *line;
	int r = 0;

	if (read_proc(pid, "limits", text, sizeof text, e) < 0)
		return -1;
	line = strchr(text, '\n');
	for (; line && *++line && r < RLIM_NLIMITS; line = strchr(line, '\n'), r++) {
		const char *p = line + 26;
		struct rlimit want;

		if (strcspn(line, "\n") < 26 || limit_value(&p, &want.rlim_cur) < 0 ||
		    limit_value(&p, &want.rlim_max) < 0)
			return ct_fail(e, 0, "/proc/%d/limits: line %d is not what Linux writes",
				       (int)pid, r + 2);
		if (set_limit(r, want, e) < 0)
			return -1;
	}
	return still_alive(pidfd, e);
}

int join_umask(pid_t pid, int pidfd, struct ct_err *e)
{
	/* Umask: is the second line: the first page of the file holds it. */
	char text[4096], *end;
	const char *line;
	unsigned long mask;

	if (read_proc(pid, "status", text, sizeof text, e) < 0)
		return -1;
	line = strstr(text, "\nUmask:\t");
	if (!line)
		return ct_fail(e, 0, "/proc/%d/status has no Umask: line (Linux 4.7 or later)",
			       (int)pid);
	errno = 0;
	mask = strtoul(line + 8, &end, 8);
	if (errno || end == line + 8 || *end != '\n' || mask > 0777)
		return ct_fail(e, 0, "/proc/%d/status: its Umask: line is not what Linux writes",
			       (int)pid);
	umask((mode_t)mask);
	return still_alive(pidfd, e);
}

int join_setns(int pidfd, unsigned long nsflags, struct ct_err *e)
{
	if (setns(pidfd, (int)nsflags) == 0)
		return 0;
	if (errno == EINVAL)
		return ct_fail(e, errno, "setns through a pidfd (Linux 5.8 or later)");
	if (errno == ESRCH)
		return ct_fail(e, 0, "the container ended");
	return ct_fail(e, errno, "setns into the container's namespaces");
}
