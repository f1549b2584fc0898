/* floor: the least a launcher can do for the benchmark's container, as a
 * lower bound to compare launchers with. No parsing, no checks, no
 * cleanup of anything but the cgroups, no error text beyond perror.
 *
 *   floor [--vfork] ROOTFS MEMDIR CPUDIR CPUSETDIR COMMAND [ARG...]
 *
 * MEMDIR, CPUDIR and CPUSETDIR are cgroup directories to create (their
 * parents must exist); the limits are the benchmark's: memory 64M, cpu
 * shares 512, cpuset cpus 0 mems 0. Exits with the command's status.
 *
 * The child is a fork (clone without CLONE_VM) that the parent puts in
 * its cgroups and then releases through a pipe. With --vfork it is
 * started as ctlaunch starts root's containers: CLONE_VM|CLONE_VFORK on
 * a stack of the parent's, the parent asleep until the exec, the child
 * writing itself (0) to each cgroup.procs; a diagnostic floor for that
 * way, not the one the targets are measured against. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int put(const char *dir, const char *file, const char *value)
{
	char path[4096];
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	rc = fd < 0 || write(fd, value, strlen(value)) < 0 ? -1 : 0;
	if (rc < 0)
		perror(path);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* On v1 a cgroup whose last task was just reaped may still be busy for
 * a moment; retry only then, so the common case costs one rmdir. */
static void remove_cgroup(const char *dir)
{
	for (int i = 0; rmdir(dir) < 0 && errno == EBUSY && i < 1000; i++)
		usleep(100);
}

static void child(char **argv, int go)
{
	const char *rootfs = argv[1];
	char c;

	if (go < 0) {
		/* vfork: nobody to wait for; join the cgroups ourselves. */
		for (int i = 2; i <= 4; i++)
			if (put(argv[i], "cgroup.procs", "0") < 0)
				_exit(125);
	} else if (read(go, &c, 1) != 0) {
		/* Wait until the parent has put us in the cgroups. */
		_exit(125);
	}
	/* rprivate first, or the mounts below propagate to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0 ||
	    /* pivot_root(".", "."): the old root ends up on top of the new
	     * one, and detaching "." removes it; no put_old directory. */
	    syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		perror("floor: setup");
		_exit(125);
	}
	execv(argv[5], argv + 5);
	perror(argv[5]);
	_exit(127);
}

static int vfork_child(void *argv)
{
	child(argv, -1);
	return 127;
}

int main(int argc, char **argv)
{
	const int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;
	char pid[16];
	int go[2], st = 125 << 8, made = 0, killed = 0;
	pid_t p;

	int use_vfork = argc > 1 && strcmp(argv[1], "--vfork") == 0;

	if (use_vfork) {
		argv++;
		argc--;
	}
	if (argc < 6) {
		fputs("usage: floor [--vfork] ROOTFS MEMDIR CPUDIR CPUSETDIR COMMAND [ARG...]\n",
		      stderr);
		return 125;
	}
	for (; made < 3; made++)
		if (mkdir(argv[2 + made], 0755) < 0) {
			perror(argv[2 + made]);
			goto out;
		}
	/* cpuset.mems before cpuset.cpus: a v1 cpuset takes no task until
	 * both are set. */
	if (put(argv[2], "memory.limit_in_bytes", "67108864") < 0 ||
	    put(argv[3], "cpu.shares", "512") < 0 || put(argv[4], "cpuset.mems", "0") < 0 ||
	    put(argv[4], "cpuset.cpus", "0") < 0)
		goto out;
	if (use_vfork) {
		char stack[64 * 1024] __attribute__((aligned(16)));

		p = clone(vfork_child, stack + sizeof stack, flags | CLONE_VM | CLONE_VFORK | SIGCHLD,
			  argv);
		if (p < 0) {
			perror("clone");
			goto out;
		}
		goto wait;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		perror("pipe");
		goto out;
	}
	p = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (p < 0) {
		perror("clone");
		goto out;
	}
	if (p == 0) {
		close(go[1]);
		child(argv, go[0]);
	}
	close(go[0]);
	snprintf(pid, sizeof pid, "%d", (int)p);
	for (int i = 2; i <= 4; i++)
		if (put(argv[i], "cgroup.procs", pid) < 0) {
			killed = 1;
			kill(p, SIGKILL); /* it must never run outside its limits */
			break;
		}
	close(go[1]); /* releases the child: its read returns 0 */
wait:
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (killed)
		st = 125 << 8;
out:
	while (made-- > 0)
		remove_cgroup(argv[2 + made]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
