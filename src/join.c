/* --join's own system calls: the container's PID 1 by a pidfd, its
 * rlimits, its namespaces. The steps around them (cgroups, capabilities,
 * the user, the filter, the exec) are the run's own, in exec.c. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
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

static rlim_t min_rlim(rlim_t a, rlim_t b)
{
	return a < b ? a : b;
}

int join_rlimits(pid_t pid, int pidfd, struct ct_err *e)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	for (int r = 0; r < RLIM_NLIMITS; r++) {
		struct rlimit want, own;

		if (prlimit(pid, (enum __rlimit_resource)r, NULL, &want) < 0)
			return ct_fail(e, errno, "read the resource limit %d of pid %d", r, (int)pid);
		if (setrlimit((enum __rlimit_resource)r, &want) == 0)
			continue;
		if (errno != EPERM || getrlimit((enum __rlimit_resource)r, &own) < 0)
			return ct_fail(e, errno, "set the resource limit %d", r);
		want.rlim_max = min_rlim(want.rlim_max, own.rlim_max);
		want.rlim_cur = min_rlim(want.rlim_cur, want.rlim_max);
		if (setrlimit((enum __rlimit_resource)r, &want) < 0)
			return ct_fail(e, errno, "set the resource limit %d", r);
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
