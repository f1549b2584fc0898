/* cgns CMD...: runs CMD in a new cgroup namespace rooted at the cgroup
 * it is started in, with cgroup2 mounted again on /sys/fs/cgroup in a
 * new mount namespace: what a process in a container of podman or
 * docker sees. Its own cgroup is then "/", which is not the real root.
 * For the cgroup v2 tests of ctlaunch (tests/vm/tests.sh). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: cgns CMD [ARG...]\n");
		return 2;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    umount2("/sys/fs/cgroup", MNT_DETACH) < 0 ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
		perror("cgns");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror("cgns: exec");
	return 127;
}
