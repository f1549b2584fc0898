/* Namespaces: the new UTS and network namespaces' setup, and the ids
 * of a rootless run's user namespace. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "ns.h"
#include "util.h"
#include "util_fd.h"

int ns_sethostname(const char *name, struct ct_err *e)
{
	if (sethostname(name, strlen(name)) < 0)
		return ct_fail(e, errno, "sethostname %s", name);
	return 0;
}

int ns_lo_up(struct ct_err *e)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return ct_fail(e, errno, "socket");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return ct_fail(e, errno, "get the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return ct_fail(e, errno, "bring up lo");
	return 0;
}

/* Rootless: map the child's ids. Alone, by writing the one line an
 * unprivileged user may write (setgroups denied first, as the kernel
 * requires for gid_map); with subordinate ids, through the setuid
 * helper that checks them against /etc/subuid and /etc/subgid. */
int ns_map_ids(pid_t pid, char which, const char *map, bool helper, bool deny_setgroups,
	       struct ct_err *e)
{
	char path[64], line[128];

	if (helper) {
		const char *prog = which == 'u' ? "/usr/bin/newuidmap"
							     : "/usr/bin/newgidmap";
		cleanup_free char *copy = xstrdup(map);
		char pidstr[16], *argv[16] = { (char *)prog, pidstr }, *save = NULL;
		size_t argc = 2;
		int status;
		pid_t h;

		snprintf(pidstr, sizeof pidstr, "%d", (int)pid);
		for (char *w = strtok_r(copy, " ", &save); w && argc < 15;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		h = fork();
		if (h < 0)
			return ct_fail(e, errno, "fork %s", prog);
		if (h == 0) {
			sigset_t none;
			char *envp[] = { NULL };

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execve(prog, argv, envp);
			_exit(127);
		}
		while (waitpid(h, &status, 0) < 0)
			if (errno != EINTR)
				return ct_fail(e, errno, "wait for %s", prog);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return ct_fail(e, 0, "%s %s %s failed (exit status %d)", prog, pidstr,
				       map, WIFEXITED(status) ? WEXITSTATUS(status) : 125);
		return 0;
	}
	if (which == 'g' && deny_setgroups) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		if (write_data(path, "deny", 4) < 0)
			return ct_fail(e, errno, "write deny to %s", path);
	}
	snprintf(path, sizeof path, "/proc/%d/%cid_map", (int)pid, which);
	snprintf(line, sizeof line, "%s\n", map);
	if (write_data(path, line, strlen(line)) < 0)
		return ct_fail(e, errno, "write '%s' to %s", map, path);
	return 0;
}

