/* --join's own system calls: the container's PID 1 by a pidfd, its
 * rlimits, its namespaces. The steps around them (cgroups, capabilities,
 * the user, the filter, the exec) are the run's own, in exec.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "join.h"
#include "statedir.h"
#include "util.h"
#include "util_fd.h"

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

static rlim_t min_rlim(rlim_t a, rlim_t b)
{
	return a < b ? a : b;
}

/* "unlimited" or a number, a column of /proc/PID/limits. */
static int limit_value(const char *s, rlim_t *out)
{
	uint64_t v;

	if (strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (parse_uint(s, 0, UINT64_MAX, &v) < 0)
		return -1;
	*out = (rlim_t)v;
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

/* From /proc/PID/limits, which anyone may read, where prlimit(2) would
 * want CAP_SYS_RESOURCE for another user's process. One line a limit,
 * in the kernel's order of RLIMIT_*, under a header; the name is padded
 * to 25 columns, each value to 20. */
int join_rlimits(pid_t pid, int pidfd, struct ct_err *e)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	char path[64], soft[32], hard[32];
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	const char *line;
	int r = 0;

	snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	text = fd < 0 ? NULL : read_fd(fd, 64 * 1024, NULL);
	if (!text)
		return ct_fail(e, errno, "read %s", path);
	line = strchr(text, '\n');
	for (; line && *++line && r < RLIM_NLIMITS; line = strchr(line, '\n'), r++) {
		struct rlimit want;

		if (strlen(line) < 26 || sscanf(line + 26, "%31s %31s", soft, hard) != 2 ||
		    limit_value(soft, &want.rlim_cur) < 0 || limit_value(hard, &want.rlim_max) < 0)
			return ct_fail(e, 0, "%s: line %d is not what Linux writes", path, r + 2);
		if (set_limit(r, want, e) < 0)
			return -1;
	}
	/* Still alive, so the pid was still PID 1's while it was read. */
	if (poll(&pfd, 1, 0) != 0)
		return ct_fail(e, 0, "the container ended");
	return 0;
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
