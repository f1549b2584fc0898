/* floor: the least a launcher can do for the benchmark's container, as a
 * lower bound to compare launchers with. No parsing, no checks, no
 * cleanup of anything but the cgroups, no error text beyond perror.
 *
 *   floor [--vfork] [--secure] ROOTFS [CONTROLLER=]DIR... -- COMMAND [ARG...]
 *
 * Each DIR is a cgroup directory to make (its parent must exist) and to
 * put the child in. CONTROLLER= says which limits to write there, the
 * benchmark's: memory= 64M, cpu= shares 512, cpuset= cpus 0 mems 0,
 * pids= 2048 (ctlaunch's default), devices= the device policy (deny
 * all, then allow the eight standard nodes, one write each, as
 * ctlaunch does). A DIR without CONTROLLER= is made and joined, nothing
 * written: a hierarchy the container must be in without a limit there.
 * Exits with the command's status.
 *
 * --secure: the child also arms PR_SET_PDEATHSIG, sets no_new_privs
 * and, last before the exec, loads ctlaunch's precompiled default
 * seccomp filter (the build's seccomp_builtin.c, linked in): the work
 * issue 10 made mandatory, with nothing of ctlaunch's around it.
 *
 * The child is a fork (clone without CLONE_VM) that the parent puts in
 * its cgroups and then releases through a pipe. With --vfork it is
 * started as ctlaunch starts root's containers: CLONE_VM|CLONE_VFORK on
 * a stack of the parent's, the parent asleep until the exec, the child
 * writing itself (0) to each cgroup.procs; a diagnostic floor for that
 * way, not the one the targets are measured against. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef FLOOR_SECCOMP
/* From the build's generated seccomp_builtin.c: ctlaunch's default
 * filter for its default capabilities, as a launch loads it. */
extern const unsigned short sc_builtin_len;
extern const unsigned char sc_builtin_insns[];
#endif

#define MAX_CG 32

struct floor {
	const char *rootfs;
	const char *dir[MAX_CG];
	const char *ctrl[MAX_CG]; /* "" when none was given */
	int n_cg;
	char **cmd;
	int secure;
};

static int put_fd(int fd, const char *path, const char *value)
{
	if (write(fd, value, strlen(value)) < 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Opens DIR/FILE and writes each value, one write each (the devices
 * controller parses one rule a write). */
static int put(const char *dir, const char *file, const char *const *v, int n)
{
	char path[4096];
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = put_fd(fd, path, v[i]);
	close(fd);
	return rc;
}

static int put1(const char *dir, const char *file, const char *value)
{
	return put(dir, file, &value, 1);
}

static int limits(const char *ctrl, const char *dir)
{
	static const char *const allow[] = { "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
					     "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
					     "c 5:2 rwm", "c 136:* rwm" };

	if (strcmp(ctrl, "memory") == 0)
		return put1(dir, "memory.limit_in_bytes", "67108864");
	if (strcmp(ctrl, "cpu") == 0)
		return put1(dir, "cpu.shares", "512");
	/* cpuset.mems before cpuset.cpus: a v1 cpuset takes no task until
	 * both are set. */
	if (strcmp(ctrl, "cpuset") == 0)
		return put1(dir, "cpuset.mems", "0") < 0 ? -1 : put1(dir, "cpuset.cpus", "0");
	if (strcmp(ctrl, "pids") == 0)
		return put1(dir, "pids.max", "2048");
	/* A new cgroup starts with its parent's list: clear it, then allow. */
	if (strcmp(ctrl, "devices") == 0)
		return put1(dir, "devices.deny", "a") < 0 ? -1 :
			put(dir, "devices.allow", allow, (int)(sizeof allow / sizeof *allow));
	return 0;
}

/* On v1 a cgroup whose last task was just reaped may still be busy for
 * a moment; retry only then, so the common case costs one rmdir. */
static void remove_cgroup(const char *dir)
{
	for (int i = 0; rmdir(dir) < 0 && errno == EBUSY && i < 1000; i++)
		usleep(100);
}

static void harden(const struct floor *f)
{
#ifdef FLOOR_SECCOMP
	struct sock_fprog prog = { .len = sc_builtin_len, .filter = (void *)sc_builtin_insns };

	if (f->secure && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			  prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)) {
		perror("floor: seccomp");
		_exit(125);
	}
#else
	(void)f;
#endif
}

static void child(const struct floor *f, int go)
{
	char c;

	if (f->secure && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(125);
	if (go < 0) {
		/* vfork: nobody to wait for; join the cgroups ourselves. */
		for (int i = 0; i < f->n_cg; i++)
			if (put1(f->dir[i], "cgroup.procs", "0") < 0)
				_exit(125);
	} else if (read(go, &c, 1) != 0) {
		/* Wait until the parent has put us in the cgroups. */
		_exit(125);
	}
	/* rprivate first, or the mounts below propagate to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(f->rootfs, f->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(f->rootfs) < 0 ||
	    /* pivot_root(".", "."): the old root ends up on top of the new
	     * one, and detaching "." removes it; no put_old directory. */
	    syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		perror("floor: setup");
		_exit(125);
	}
	harden(f);
	execv(f->cmd[0], f->cmd);
	perror(f->cmd[0]);
	_exit(127);
}

static int vfork_child(void *f)
{
	child(f, -1);
	return 127;
}

static int parse(int argc, char **argv, struct floor *f, int *use_vfork)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--vfork") == 0)
			*use_vfork = 1;
		else if (strcmp(argv[i], "--secure") == 0)
			f->secure = 1;
		else
			return -1;
#ifndef FLOOR_SECCOMP
	if (f->secure) {
		fputs("floor: built without the seccomp filter (FLOOR_SECCOMP)\n", stderr);
		return -1;
	}
#endif
	if (i >= argc)
		return -1;
	f->rootfs = argv[i++];
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		char *eq = strchr(argv[i], '=');

		if (f->n_cg == MAX_CG)
			return -1;
		f->ctrl[f->n_cg] = eq ? argv[i] : "";
		f->dir[f->n_cg++] = eq ? eq + 1 : argv[i];
		if (eq)
			*eq = '\0';
	}
	if (i + 1 >= argc)
		return -1;
	f->cmd = argv + i + 1;
	return 0;
}

/* Fork: the child waits on a pipe while the parent puts it in its
 * cgroups; it must never run outside its limits. */
static pid_t start_fork(const struct floor *f, int flags, int *killed)
{
	char pid[16];
	int go[2];
	pid_t p;

	if (pipe2(go, O_CLOEXEC) < 0) {
		perror("pipe");
		return -1;
	}
	p = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (p < 0) {
		perror("clone");
		return -1;
	}
	if (p == 0) {
		close(go[1]);
		child(f, go[0]);
	}
	close(go[0]);
	snprintf(pid, sizeof pid, "%d", (int)p);
	for (int i = 0; i < f->n_cg; i++)
		if (put1(f->dir[i], "cgroup.procs", pid) < 0) {
			*killed = 1;
			kill(p, SIGKILL);
			break;
		}
	close(go[1]); /* releases the child: its read returns 0 */
	return p;
}

int main(int argc, char **argv)
{
	const int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;
	struct floor f = { 0 };
	int st = 125 << 8, made = 0, killed = 0, use_vfork = 0;
	pid_t p;

	if (parse(argc, argv, &f, &use_vfork) < 0) {
		fputs("usage: floor [--vfork] [--secure] ROOTFS [CONTROLLER=]DIR... -- COMMAND [ARG...]\n",
		      stderr);
		return 125;
	}
	for (; made < f.n_cg; made++)
		if (mkdir(f.dir[made], 0755) < 0) {
			perror(f.dir[made]);
			goto out;
		}
	for (int i = 0; i < f.n_cg; i++)
		if (limits(f.ctrl[i], f.dir[i]) < 0)
			goto out;
	if (use_vfork) {
		char stack[64 * 1024] __attribute__((aligned(16)));

		p = clone(vfork_child, stack + sizeof stack, flags | CLONE_VM | CLONE_VFORK | SIGCHLD,
			  &f);
	} else {
		p = start_fork(&f, flags, &killed);
	}
	if (p < 0) {
		perror("clone");
		goto out;
	}
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	if (killed)
		st = 125 << 8;
out:
	while (made-- > 0)
		remove_cgroup(f.dir[made]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
