/* The executor: one walk over the plan. The parent runs the parent's
 * steps, the clone step starts the child, and the child runs the
 * child's steps. Errors in the child travel back to the parent as a
 * struct ct_err in a struct report, through the memory they share
 * (vfork) or a pipe (fork), so main is still the only place that
 * prints them.
 *
 * What the child may call: the rule, in one place.
 *
 * Root's child is a vfork child (CLONE_VM|CLONE_VFORK): from the clone
 * to its exec it runs in ctlaunch's memory, on a stack in spawn's
 * frame, while ctlaunch sleeps. Its heap is ctlaunch's heap, and so is
 * the heap's lock: a malloc or free there changes lists the parent goes
 * on using, and a child killed half-way through one (the OOM killer, a
 * SIGKILL) leaves them broken and the lock held for good. So, between
 * the clone and the exec, the child (child_main and everything it
 * calls, -v's log included):
 *   - allocates and frees nothing: no malloc, calloc, realloc, free,
 *     strdup, asprintf, xasprintf, nor what calls them (fopen and any
 *     stdio but the unbuffered stderr, opendir, getpwnam and NSS,
 *     qsort, strerror, libseccomp, libcap's cap_get_proc and the like;
 *     its cap_max_bits is a constant).
 *     What it needs the parent makes before the clone (the seccomp
 *     filter, the command's argv, the open trees, run's arrays);
 *   - calls system calls, and C library functions that are only their
 *     wrappers, string functions, and snprintf/vsnprintf into buffers
 *     on its stack (ct_fail, ct_wrap, ct_append);
 *   - changes no memory of the parent's but its copy of struct run
 *     (spawn_main) and, when it fails, the report (child_fail);
 *   - keeps its stack small (CHILD_STACK).
 * The same steps run in a fork child (rootless, and a join's two
 * processes), which has a copy of the memory: one rule for all, as the
 * code is one. The watcher
 * (watcher_main) keeps a stricter rule of its own.
 * Tested, not only said: tests/integration/nomalloc.bats runs real
 * containers with the launcher linked against an allocator that ends
 * any process but ctlaunch itself that calls it (tests/nomalloc/). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "command.h"
#include "devices.h"
#include "exec.h"
#include "init.h"
#include "join.h"
#include "mount.h"
#include "netif.h"
#include "ns.h"
#include "statedir.h"
#include "stats_read.h"
#include "syscall_filter.h"
#include "tty.h"
#include "util.h"
#include "util_fd.h"

/* Signals that reach ctlaunch and belong to the container. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

/* The child's report to the parent: a frame whose kind says what it
 * is, the run's error (as it is, child_fail) one of them. A vfork child
 * copies it into the parent's, in spawn's frame; a fork child writes it
 * to the error pipe. */
enum report_kind {
	REPORT_NONE,   /* neither exec'd nor reported: it died */
	REPORT_EXECED, /* it got to its exec (a failed one overwrites it) */
	REPORT_FAILED, /* err: the run's error, its exit status in err.status */
	/* Not an error, and not the last word: a join's first process says
	 * that the command's process exists (STEP_JOIN_FORK), its pid on
	 * the host in joined, and exits. Through the error pipe: a join's
	 * processes are fork children. */
	REPORT_JOINED,
};

struct report {
	enum report_kind kind;
	pid_t joined;          /* REPORT_JOINED */
	struct ct_err err;     /* REPORT_FAILED */
};

struct run {
	const struct plan *p;
	const struct exec_opts *o;
	pid_t child;
	int lock_fd;
	int name_fd;     /* the lock of this name's cgroups (cg_name_lock) */
	int self_fd;     /* a pidfd of ctlaunch: the watcher's, and the child's check */
	int target_fd;   /* join: a pidfd of the container's PID 1 */
	bool recorded;   /* STEP_RECORD wrote the state file */
	pid_t watcher;   /* see watcher_main */
	int sync[2];     /* fork: parent writes one byte: the child may go on */
	int errpipe[2];  /* fork: the child writes a struct report, or nothing at exec */
	struct report *report; /* in a vfork child only: the parent's, to fill */
	bool *made;      /* made[i]: the mkdir of step i succeeded */
	bool name_locked; /* the name's lock is held: its stale cgroups may be swept */
	bool supervised; /* v2: ctlaunch moved into its supervisor cgroup */
	bool in_use;     /* at exit: a cgroup this run made is not gone */
	int *trees;      /* the child's open_tree fds, by slot */
	struct command *cmd; /* the command's file, found, checked and kept open */
	struct sc_bpf filter;    /* the seccomp filter, made before the clone */
	sigset_t held, oldmask; /* held: see held_signals */
	struct sigaction old_pipe, old_chld;
	struct exec_result *r;
	int stops;       /* SIGINT and SIGTERM forwarded so far */
	int tty_sock[2]; /* -t: the container's terminal comes back on [0] */
	int init_fd;     /* init: the init's sealed memfd */
	struct tty_saved *saved; /* the caller's terminals (STEP_TTY_SAVE), or NULL */
	size_t n_saved;
	struct tty_relay *relay; /* -t */
	uint64_t started_us; /* --stats: STEP_STATS_CLOCK's time; 0: not taken */
	int net_lock_fd; /* network: a bridge: the leases' lock */
	int netns_fd;    /* the container's network namespace, made by ctlaunch */
	uint32_t net_addr; /* the address this run leased; 0: none */
	bool hosts_written; /* its NAME.hosts */
};

/* CLOCK_MONOTONIC in microseconds (the vDSO's: no system call). */
static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* The signals ctlaunch holds and handles itself: SIGCHLD, and those it
 * passes on, but for any its caller ignores (nohup, a script's "&"):
 * those stay ignored, as the caller meant, and are neither forwarded
 * nor taken as a request to stop. */
static void held_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
		struct sigaction sa;

		if (sigaction(forwarded[i], NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(set, forwarded[i]);
	}
}

/* Signals that came after the container ended have no one to go to;
 * unblocking them would kill ctlaunch before it reports. */
static void drain(const sigset_t *set)
{
	const struct timespec zero = { 0, 0 };

	while (sigtimedwait(set, NULL, &zero) > 0)
		;
}

/* Name the step, and the spec value behind it, in an error. */
static void locate(struct ct_err *e, const struct plan *p, const struct step *s)
{
	if (s->from.line) {
		char where[512];

		ct_append(e, " (%s)", ct_loc_where(p->file, s->from, where, sizeof where));
	}
}

/* A fork child's report, in one write: smaller than PIPE_BUF, so the
 * parent reads all of it or nothing. 0, or -1 when it could not. */
static int report_write(struct run *run, const struct report *r)
{
	ssize_t n;

	do
		n = write(run->errpipe[1], r, sizeof *r);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *r ? 0 : -1;
}

/* The child never returns: it reports e to the parent and exits. The
 * report carries e itself, whole. A vfork child copies it into the
 * parent's struct with one assignment, and only here, so a child killed
 * half-way leaves REPORT_NONE: the parent sleeps until the child execs
 * or exits, and the kernel's wake-up orders the copy before the parent
 * reads it. */
__attribute__((noreturn)) static void child_fail(struct run *run, struct ct_err *e, int status)
{
	e->status = status;
	if (run->report) {
		*run->report = (struct report){ .kind = REPORT_FAILED, .err = *e };
		_exit(status);
	}
	report_write(run, &(struct report){ .kind = REPORT_FAILED, .err = *e });
	_exit(status);
}

/* The release's byte carries the trees the parent made for the child
 * after the clone (plan.handed_first, n_handed: STEP_LAYERS_IDMAP's),
 * as SCM_RIGHTS on a socket pair; with none, a plain pipe's byte. */
union handed_cmsg {
	char buf[CMSG_SPACE(sizeof(int) * (SPEC_MAX_LAYERS + 3))];
	struct cmsghdr align;
};

static int child_wait_release(struct run *run)
{
	char c;
	ssize_t n;
	union handed_cmsg u;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf };
	unsigned want = run->p->n_handed;

	/* Zero bytes: ctlaunch died before the child could ask to die
	 * with it. */
	do
		n = want ? recvmsg(run->sync[0], &m, MSG_CMSG_CLOEXEC) : read(run->sync[0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125);
	close_fd(&run->sync[0]);
	if (want) {
		const struct cmsghdr *h = CMSG_FIRSTHDR(&m);

		/* Whole, or the child stops: the steps below would take a
		 * missing tree for a failed one. */
		if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len != CMSG_LEN(sizeof(int) * want) || (m.msg_flags & MSG_CTRUNC))
			_exit(125);
		memcpy(run->trees + run->p->handed_first, CMSG_DATA(h), sizeof(int) * want);
	}
	return 0;
}

static void close_from_to(unsigned from, unsigned to)
{
	if (from > to)
		return;
	if (syscall(SYS_close_range, from, to, 0) == 0)
		return;
	for (long fd = from, max = sysconf(_SC_OPEN_MAX); fd <= (long)to && fd < max; fd++)
		close((int)fd);
}

/* The child's first act: close every descriptor but stdio and the ones
 * it needs (its pipes, or the cgroup lock it lets go of). One inherited
 * from ctlaunch's caller and still open later would be a way out: a
 * workdir of /proc/self/fd/N on a host directory puts the command
 * outside its root (the class of CVE-2024-21626). */
static void close_inherited(const struct run *run, bool keep_trees)
{
	/* The fixed ones, then (keep_trees) the trees the parent made before
	 * the clone (root's user namespace), as many as fit: one that does
	 * not is closed, and its attach fails with the reason. */
	int keep[8 + 64] = { run->sync[0], run->errpipe[1], run->lock_fd, run->self_fd,
			     run->tty_sock[1], run->init_fd, run->target_fd, run->netns_fd };
	size_t n = 8;
	unsigned from = 3;

	for (size_t i = 0; keep_trees && i < run->p->n_trees && n < sizeof keep / sizeof keep[0]; i++)
		if (run->trees[i] >= 0)
			keep[n++] = run->trees[i];

	/* Ascending, -1 first; main made sure 0-2 are open, so every
	 * descriptor kept is above 2. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0)
			continue;
		close_from_to(from, (unsigned)keep[i] - 1);
		from = (unsigned)keep[i] + 1;
	}
	close_from_to(from, ~0U);
}

/* What the child opened since is close-on-exec already; this makes
 * sure of it (the error pipe must stay open until the exec succeeds). */
static void cloexec_all(void)
{
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = 3, max = (int)sysconf(_SC_OPEN_MAX); fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* The command, or (init) ctlaunch's init, which runs it. */
__attribute__((noreturn)) static void child_exec(struct run *run, char **argv, char **envp,
						  bool init)
{
	struct ct_err e = { 0 };

	cloexec_all();
	sigaction(SIGPIPE, &run->old_pipe, NULL);
	sigaction(SIGCHLD, &run->old_chld, NULL);
	sigprocmask(SIG_SETMASK, &run->oldmask, NULL);
	/* Seen by the parent only if the exec succeeds: a failure
	 * overwrites it, a crash in between leaves the parent a zombie. */
	if (run->report)
		run->report->kind = REPORT_EXECED;
	if (init)
		init_exec(run->init_fd, run->cmd, envp, argv[0], &e);
	else
		command_exec(run->cmd, envp, argv[0], &e);
	child_fail(run, &e, e.status);
}

/* STEP_CLOSE_FDS: the pipe ends that are the parent's, then one
 * close_range for the rest (close_inherited keeps only what the child
 * still needs). A fork child's lock is the parent's to let go of. */
static void child_close_fds(struct run *run, bool keep_trees)
{
	close_fd(&run->sync[1]);
	close_fd(&run->errpipe[0]);
	if (!run->report)
		run->lock_fd = -1;
	close_inherited(run, keep_trees);
	for (size_t i = 0; !keep_trees && i < run->p->n_trees; i++)
		run->trees[i] = -1;
}

/* The workdir, resolved as if the new root were / (RESOLVE_IN_ROOT) and
 * with no magic link (/proc/self/fd/N, /proc/self/cwd) followed, then
 * entered by descriptor: it can never be a directory outside the root
 * (the class of CVE-2024-21626). The step before closed the descriptors
 * the mounts needed, and the inherited ones went at the child's start,
 * so no descriptor of the host is open while the path is resolved. */
static int child_chdir(const char *dir, struct ct_err *e)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_close int root = -1, fd = -1;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ct_fail(e, errno, "open /");
	fd = (int)syscall(SYS_openat2, root, dir, &how, sizeof how);
	if (fd < 0)
		return ct_fail(e, errno, errno == EXDEV || errno == ELOOP
						 ? "chdir %s: it leads outside the container's root or "
						   "through a magic link of /proc"
						 : "chdir %s", dir);
	if (fchdir(fd) < 0)
		return ct_fail(e, errno, "chdir %s", dir);
	return 0;
}

/* The parent-death signal is set for the process, not inherited, and
 * cleared by the kernel at every change of uid or gid: armed before
 * the parent died, it fires; armed after, nothing happens. Both are
 * possible here (ctlaunch can be killed at any moment after the clone),
 * so the child looks at ctlaunch's pidfd right after arming it: if
 * ctlaunch has already ended, it ends too. The watcher (watcher_main)
 * covers what follows the exec, where the container itself can clear
 * the signal. */
static int die_with_parent(const struct run *run, struct ct_err *e)
{
	struct pollfd pfd = { .fd = run->self_fd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return ct_fail(e, errno, "prctl PR_SET_PDEATHSIG");
	if (run->self_fd >= 0 && poll(&pfd, 1, 0) != 0)
		_exit(125);
	return 0;
}

/* The spec's user, with its group as the only supplementary one: the
 * launcher's groups must not leak into the container. A change of uid
 * or gid clears the parent-death signal: the plan's next step sets it
 * again. */
static int switch_user(uid_t uid, gid_t gid, bool groups, struct ct_err *e)
{
	if (groups && setgroups(1, &gid) < 0)
		return ct_fail(e, errno, "setgroups %u", (unsigned)gid);
	if (setresgid(gid, gid, gid) < 0)
		return ct_fail(e, errno, "setgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return ct_fail(e, errno, "setuid %u", (unsigned)uid);
	return 0;
}

/* In the child, or in the parent before the clone (root's user
 * namespace: see owner_prepares in plan.c). */
static int bind_open(struct run *run, const struct step *s, struct ct_err *e)
{
	const struct step_bind_open *b = &s->u.bind_open;

	run->trees[b->tree] = mnt_tree_open(b->source, b->readonly, b->device, b->dev, b->ino, e);
	return run->trees[b->tree] < 0 ? -1 : 0;
}

/* The container's terminal, with the caller's settings and size (its
 * STEP_TTY_SAVE, the first), so that it behaves as the caller's did. */
static int child_tty_open(struct run *run, const struct step_tty_open *t, struct ct_err *e)
{
	struct tty_pty_opts o = {
		.tio = run->n_saved ? &run->saved[0].tio : NULL,
		.ws = run->n_saved && run->saved[0].ws.ws_row ? &run->saved[0].ws : NULL,
		.owner = t->owner,
		.sock = run->tty_sock[1],
	};
	int rc = tty_pty_open(&o, e);

	close_fd(&run->tty_sock[1]);
	return rc;
}

/* The command's process: a copy of this one in the container's pid
 * namespace (setns gave it to the children only) and, through
 * CLONE_PARENT, ctlaunch's own child, which ctlaunch waits for and
 * signals as a run does its PID 1. This one sends its pid (on the host)
 * and exits; the copy goes on with the steps. */
static int join_fork(struct run *run, struct ct_err *e)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, 0);

	if (pid < 0)
		return ct_fail(e, errno, "clone into the container's pid namespace");
	if (pid == 0)
		return 0;
	_exit(report_write(run, &(struct report){ .kind = REPORT_JOINED, .joined = pid }) == 0
		      ? 0
		      : 125);
}

static int child_step(struct run *run, const struct step *s, struct ct_err *e)
{
	switch (s->kind) {
	case STEP_CLOSE_FDS:
		child_close_fds(run, s->u.close_fds.keep_trees);
		return 0;
	case STEP_DIE_WITH_PARENT:
		return die_with_parent(run, e);
	case STEP_WAIT_RELEASE:
		return child_wait_release(run);
	case STEP_CG_ENTER:
		return cg_enter(s->u.cg_enter.dir, 0, e);
	case STEP_UNLOCK:
		cg_unlock(&run->lock_fd);
		return 0;
	case STEP_NOT_DUMPABLE:
		if (prctl(PR_SET_DUMPABLE, 0) < 0)
			return ct_fail(e, errno, "prctl PR_SET_DUMPABLE");
		return 0;
	case STEP_SETSID:
		if (setsid() < 0)
			return ct_fail(e, errno, "setsid");
		return 0;
	case STEP_UNSHARE:
		if (unshare((int)s->u.unshare.flags) < 0)
			return ct_fail(e, errno, "unshare");
		return 0;
	case STEP_RLIMIT: {
		struct rlimit rl = { (rlim_t)s->u.rlimit.soft, (rlim_t)s->u.rlimit.hard };

		if (setrlimit(s->u.rlimit.resource, &rl) < 0)
			return ct_fail(e, errno, "setrlimit %s", s->u.rlimit.name);
		return 0;
	}
	case STEP_RESOLVE: {
		int rc = command_resolve(s->u.resolve.argv[0], s->u.resolve.argv, s->u.resolve.envp,
					 run->cmd, e);

		/* Not found or not executable: the command's failure (127,
		 * 126), not ctlaunch's; it goes back as it is. */
		if (rc < 0 && e->status)
			child_fail(run, e, e->status);
		return rc;
	}
	case STEP_CAPS_BOUND:
		return caps_bound(s->u.caps_bound.keep, e);
	case STEP_USER:
		return switch_user(s->u.user.uid, s->u.user.gid, s->u.user.setgroups, e);
	case STEP_CAPS:
		return caps_set(s->u.caps.keep, e);
	case STEP_BIND_OPEN:
		return bind_open(run, s, e);
	case STEP_FS_OPEN:
		run->trees[s->u.fs_open.tree] = mnt_fs_open(s->u.fs_open.fstype, s->u.fs_open.flags, e);
		return run->trees[s->u.fs_open.tree] < 0 ? -1 : 0;
	case STEP_BIND_ATTACH: {
		int rc;
		const struct step_bind_attach *b = &s->u.bind_attach;

		/* proc and sysfs: kept open, the masks are found from them. */
		if (b->anchor)
			return mnt_attach_anchor(run->trees[b->tree], b->target, e);
		rc = mnt_tree_attach(run->trees[b->tree], b->target, e);

		close_fd(&run->trees[b->tree]);
		return rc;
	}
	case STEP_NO_NEW_PRIVS:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return ct_fail(e, errno, "prctl PR_SET_NO_NEW_PRIVS");
		return 0;
	case STEP_SECCOMP:
		return sc_load(&run->filter, e);
	case STEP_HOSTNAME:
		return ns_sethostname(s->u.hostname.name, e);
	case STEP_LO_UP:
		return ns_lo_up(e);
	case STEP_NET_ENTER:
		if (net_enter(run->netns_fd, e) < 0)
			return -1;
		close_fd(&run->netns_fd);
		return 0;
	case STEP_MOUNT:
		return mnt_mount(s->u.mount.source, s->u.mount.target, s->u.mount.fstype,
				 s->u.mount.flags, s->u.mount.data, false, e);
	case STEP_OVERLAY:
		run->trees[s->u.overlay->tree] = mnt_overlay_open(s->u.overlay, run->trees, e);
		return run->trees[s->u.overlay->tree] < 0 ? -1 : 0;
	case STEP_PIVOT_ROOT: {
		int rc;

		const struct step_pivot_root *r = &s->u.pivot_root;

		if (!r->prepared)
			return mnt_pivot_root(r->path, r->dev, r->ino, e);
		rc = mnt_pivot_root_tree(run->trees[r->tree], r->path, e);
		close_fd(&run->trees[r->tree]);
		return rc;
	}
	case STEP_MASK:
		return mnt_mask(run->trees[s->u.mask.tree], s->u.mask.rel, s->u.mask.target,
				(int)s->u.mask.how, e);
	case STEP_UMOUNT_OLD:
		return mnt_umount_old_root(e);
	case STEP_MKNOD:
		return mnt_mknod(s->u.mknod.path, s->u.mknod.mode, s->u.mknod.major,
				 s->u.mknod.minor, e);
	case STEP_SYMLINK:
		return mnt_symlink(s->u.symlink.target, s->u.symlink.link, e);
	case STEP_CHDIR:
		return child_chdir(s->u.chdir.dir, e);
	case STEP_TTY_OPEN:
		return child_tty_open(run, &s->u.tty_open, e);
	case STEP_EXEC:
		child_exec(run, s->u.exec.argv, s->u.exec.envp, false);
	case STEP_INIT_EXEC:
		child_exec(run, s->u.init_exec.argv, s->u.init_exec.envp, true);
	case STEP_NET_LOCK:
	case STEP_NET_SWEEP:
	case STEP_NET_LEASE:
	case STEP_NET_BRIDGE:
	case STEP_NET_NETNS:
	case STEP_NET_VETH:
	case STEP_NET_ADDR:
	case STEP_NET_HOSTS:
	case STEP_NET_UNLOCK:
	case STEP_NET_RELEASE:
	case STEP_TTY_SAVE:
	case STEP_TTY_SOCKET:
	case STEP_TTY_RELAY:
	case STEP_INIT_MEMFD:
	case STEP_TTY_RESTORE:
	case STEP_JOIN_RLIMITS:
		return join_rlimits(s->u.join_rlimits.pid, run->target_fd, e);
	case STEP_JOIN_UMASK:
		return join_umask(s->u.join_umask.pid, run->target_fd, e);
	case STEP_SETNS:
		if (join_setns(run->target_fd, s->u.setns.nsflags, e) < 0)
			return -1;
		/* The command's process must not have it. */
		close_fd(&run->target_fd);
		return 0;
	case STEP_JOIN_FORK:
		return join_fork(run, e);
	case STEP_RECORD:
	case STEP_JOIN_OPEN:
	case STEP_UNRECORD:
	case STEP_NAME_LOCK:
	case STEP_CG_SWEEP:
	case STEP_LOCK:
	case STEP_WATCHER:
	case STEP_KILL_CHILD:
	case STEP_STOP_WATCHER:
	case STEP_STATS_CLOCK:
	case STEP_STATS_READ:
	case STEP_OOM_READ:
	case STEP_CG_PURGE:
	case STEP_CG_RMDIR:
	case STEP_CG_RESTORE:
	case STEP_NAME_UNLOCK:
	case STEP_CG_MKDIR:
	case STEP_CG_WRITE:
	case STEP_CG_COPY:
	case STEP_CG_ENABLE:
	case STEP_DEVICES:
	case STEP_CLONE:
	case STEP_IDMAP:
	case STEP_RELEASE:
	case STEP_ROOT_OPEN:
	case STEP_LAYERS_IDMAP:
	case STEP_WAIT:
		break;
	}
	return ct_fail(e, 0, "step %d is not the child's", (int)s->kind);
}

__attribute__((noreturn)) static void child_main(struct run *run)
{
	struct ct_err e = { 0 };

	for (size_t i = 0; i < run->p->n; i++) {
		const struct step *s = &run->p->steps[i];

		if (s->side != SIDE_CHILD)
			continue;
		if (run->o->log)
			run->o->log(run->p, s);
		if (child_step(run, s, &e) < 0) {
			locate(&e, run->p, s);
			child_fail(run, &e, 125);
		}
	}
	ct_fail(&e, 0, "the plan has no exec step");
	child_fail(run, &e, 125);
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args of Linux 5.7, spelled out: libc headers differ.
 * The kernel reads every member (the Makefile tells cppcheck so). */
struct ct_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};

static int clone_failed(struct ct_err *e, int err, unsigned long flags, const char *what)
{
	if ((flags & CLONE_NEWUSER) && (err == EPERM || err == ENOSPC))
		return ct_fail(e, err, "%s: cannot make a user namespace for a rootless run "
				       "(see user.max_user_namespaces and the distribution's "
				       "unprivileged user namespace setting)", what);
	return ct_fail(e, err, "%s", what);
}

/* Like fork, into new namespaces, and into a v2 cgroup where one is
 * given. clone3 refused (ENOSYS: a seccomp filter that predates it, as
 * in some container engines) falls back to clone: the child then joins
 * its cgroup by a write to cgroup.procs before it is released. */
static pid_t clone_child(unsigned long flags, const char *cgroup, int *pidfd, bool *entered,
			 struct ct_err *e)
{
	pid_t pid;

	*entered = false;
	if (pidfd)
		flags |= CLONE_PIDFD;
	if (cgroup) {
		struct ct_clone_args a = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
					   .pidfd = (uint64_t)(uintptr_t)pidfd };
		cleanup_close int cg = open(cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (cg < 0)
			return ct_fail(e, errno, "open %s", cgroup);
		a.cgroup = (uint64_t)cg;
		/* No stack given: the child runs on a copy of ours, as with fork. */
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof a);
		if (pid >= 0) {
			*entered = true;
			return pid;
		}
		if (errno != ENOSYS)
			return clone_failed(e, errno, flags, "clone3 into its cgroup");
	}
	/* The raw syscall, used like fork: the child runs on a copy of our
	 * stack, so it can walk the plan with no stack of its own. */
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, pidfd, NULL, 0);
	if (pid < 0)
		return clone_failed(e, errno, flags, "clone");
	return pid;
}

/* The child's report, whichever way it came, as the run's error; NULL:
 * it died before it could make one. */
/* The child's last report (NULL: none, or not whole) as the run's
 * error. */
static int child_failed(struct report *report, struct ct_err *e)
{
	if (!report || report->kind != REPORT_FAILED)
		return ct_fail(e, 0, "the container died during setup");
	/* From a pipe: a message without its end is cut, not overrun. */
	report->err.msg[sizeof report->err.msg - 1] = '\0';
	*e = report->err;
	return -1;
}

/* A vfork child's stack, in bytes: its deepest path (the command's
 * lookup and check, two PATH_MAX buffers, under a copy of struct run
 * with a third; or -v's logging through stdio) needs about a third of
 * it. A build with -fstack-clash-protection touches every page of it
 * at each launch: slower by a few faults, not wrong. */
#define CHILD_STACK (64 * 1024)

/* The watcher: a process outside the container that kills it when
 * ctlaunch dies, whatever the container did to its own parent-death
 * signal (PR_SET_PDEATHSIG 0, or a setuid, which clears it too). It is
 * ctlaunch's child, not the container's, in the host's pid namespace,
 * where the container can neither see nor signal it, and in a process
 * group of its own, where a signal to ctlaunch's group does not reach
 * it.
 *
 * It shares ctlaunch's descriptor table (CLONE_FILES), not its memory:
 * the OOM killer kills every process that shares its victim's memory,
 * and ctlaunch, bigger than any process a container need have, is the
 * victim when the container fills a tmpfs in a memory cgroup that holds
 * ctlaunch too (tmpfs pages count in no process's RSS). With one memory
 * the watcher died with it, and the container ran on unsupervised. Its
 * own copy costs copy-on-write faults in ctlaunch; the watcher itself is
 * smaller than ctlaunch (it has copies of the written pages only), so
 * the OOM killer takes ctlaunch before it.
 *
 * When ctlaunch has ended it kills every process a pidfd in the shared
 * table names: the container's is there from the container's clone on
 * (CLONE_PIDFD, before the container runs a single instruction), so no
 * moment exists where the container runs and the watcher cannot kill
 * it; a pidfd names the process, never a reused pid. It then waits for
 * them to end: the shared table keeps ctlaunch's locks held until the
 * container is dead, so a run of the same name cannot start in between.
 * ctlaunch kills it once the container has ended.
 *
 * Raw calls on a small static stack (its copy), nothing that allocates
 * or takes a lock: ctlaunch may have been killed anywhere. watched is
 * ctlaunch's own copy of the container's pidfd, for its cleanup. */
static int watched = -1;
static char watcher_stack[8192] __attribute__((aligned(16)));

/* SIGKILL to the process of each pidfd in the shared table but the
 * watched one (ctlaunch's), then wait for each to end. The table is
 * read from /proc/self/fd into the stack; without /proc, the first
 * WATCH_FDS numbers are tried. SIGKILL to the pid 1 of a pid namespace
 * kills all of it. */
#define WATCH_FDS 1024

/* Pass 0: kill; pass 1: wait. A descriptor that is no pidfd fails with
 * EBADF, and a dead process's with ESRCH: neither is waited for. */
static void watcher_kill(int fd, int self, int pass)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd == self)
		return;
	if (pass == 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0)
		while (poll(&pfd, 1, -1) < 1)
			;
}

static void watcher_kill_all(int self)
{
	char buf[2048] __attribute__((aligned(8)));
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	for (int pass = 0; pass < 2; pass++) {
		if (dir < 0) {
			for (int fd = 0; fd < WATCH_FDS; fd++)
				watcher_kill(fd, self, pass);
			continue;
		}
		lseek(dir, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
			for (long off = 0; off < n;) {
				const struct dirent64 *d = (const struct dirent64 *)(buf + off);
				int fd = 0;
				const char *c = d->d_name;

				off += d->d_reclen;
				if (*c < '0' || *c > '9')
					continue;
				while (*c >= '0' && *c <= '9')
					fd = fd * 10 + (*c++ - '0');
				if (fd != dir)
					watcher_kill(fd, self, pass);
			}
		}
	}
}

static int watcher_main(void *arg)
{
	int self = (int)(intptr_t)arg;
	struct pollfd pfd = { .fd = self, .events = POLLIN };
	sigset_t all;

	/* Not the caller's signals, nor Control-C to the process group. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	while (poll(&pfd, 1, -1) < 1)
		;
	watcher_kill_all(self);
	return 0;
}

/* Start the watcher; before Linux 5.3 (no pidfd_open) there is none,
 * and only the parent-death signal and the next run's stale-cgroup
 * kill stand in (ctlaunch(1), BUGS). */
static int start_watcher(struct run *run, bool pidfd_only, struct ct_err *e)
{
	watched = -1;
	run->self_fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (run->self_fd < 0)
		return errno == ENOSYS ? 0 : ct_fail(e, errno, "pidfd_open");
	/* A joined command is no container's PID 1: ctlaunch's end takes
	 * it with its parent-death signal, the container's end with its
	 * pid namespace. */
	if (pidfd_only)
		return 0;
	/* No exit signal: its end is no SIGCHLD for wait_child. */
	run->watcher = clone(watcher_main, watcher_stack + sizeof watcher_stack, CLONE_FILES,
			     (void *)(intptr_t)run->self_fd);
	if (run->watcher < 0) {
		run->watcher = 0;
		return ct_fail(e, errno, "clone the watcher");
	}
	/* A process group of its own, set here before the container
	 * exists (the watcher may not have run yet): a SIGKILL to
	 * ctlaunch's group (timeout -s KILL, kill -9 -PGID) must not end
	 * the watcher with it. */
	if (setpgid(run->watcher, run->watcher) < 0)
		return ct_fail(e, errno, "setpgid the watcher");
	return 0;
}

static void stop_watcher(struct run *run)
{
	if (run->watcher > 0) {
		kill(run->watcher, SIGKILL);
		while (waitpid(run->watcher, NULL, __WCLONE) < 0 && errno == EINTR)
			;
		run->watcher = 0;
	}
	if (watched >= 0) {
		close(watched);
		watched = -1;
	}
	close_fd(&run->self_fd);
}

static int spawn_main(void *arg)
{
	struct run copy = *(const struct run *)arg;

	child_main(&copy);
}

/* clone with CLONE_VM|CLONE_VFORK: returns once the child has exec'd
 * or died, with its report in our memory. Its stack is an array in
 * this frame: ours sleeps meanwhile, and the top of the array lies
 * where our earlier, deeper calls have already touched the pages. */
static int spawn(struct run *run, const struct step *s, struct ct_err *e)
{
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct report report = { .kind = REPORT_NONE };
	int flags = (int)s->u.clone.flags | CLONE_VM | CLONE_VFORK | SIGCHLD;

	run->report = &report;
	if (run->watcher > 0)
		flags |= CLONE_PIDFD;
	run->child = clone(spawn_main, stack + sizeof stack, flags, run, &watched);
	run->report = NULL;
	if (run->child < 0) {
		run->child = 0;
		watched = -1;
		return clone_failed(e, errno, s->u.clone.flags, "clone");
	}
	/* The lock's open file is the child's too: it let go of it, or it
	 * died, and its cgroups are locked again for the cleanup. */
	cg_unlock(&run->lock_fd);
	if (report.kind == REPORT_EXECED)
		return 0;
	return child_failed(&report, e);
}

/* Effective ids only: the saved ids stay root's, so ctlaunch can
 * become root again after the clone. The group first: once the
 * effective uid is not 0, the capability to change it is gone. */
static int become_owner(const struct step *s, struct ct_err *e)
{
	if (setresgid(-1, s->u.clone.owner_gid, -1) < 0)
		return ct_fail(e, errno, "setegid %u", (unsigned)s->u.clone.owner_gid);
	if (setresuid(-1, s->u.clone.owner_uid, -1) < 0) {
		int err = errno;

		setresgid(-1, 0, -1);
		return ct_fail(e, err, "seteuid %u", (unsigned)s->u.clone.owner_uid);
	}
	return 0;
}

/* become_owner's undo, in ctlaunch (the child keeps the range's ids).
 * The saved ids are root's, so the kernel allows it; should it not,
 * ctlaunch would go on without the rights its cleanup needs: stop. */
static void become_root_again(void)
{
	if (setresuid(-1, 0, -1) < 0 || setresgid(-1, 0, -1) < 0)
		abort();
}

/* A join into a cgroup v2 the kernel does not let this user move a
 * process into: the reason, and what works. -1. */
static int join_cgroup_refused(const struct run *run, const struct step *s, struct ct_err *e)
{
	if (!run->p->join || !s->u.clone.cgroup || (e->errnum != EACCES && e->errnum != EPERM))
		return -1;
	return ct_fail(e, e->errnum,
		       "cannot join the container's cgroup %s: uid %u may move a process there only "
		       "from a cgroup below the same delegated one (run --join from the cgroup, or "
		       "the delegated scope, its run was started in)",
		       s->u.clone.cgroup, (unsigned)geteuid());
}

static int do_clone(struct run *run, const struct step *s, struct ct_err *e)
{
	bool entered;

	if (s->u.clone.vfork)
		return spawn(run, s, e);

	if ((run->p->n_handed ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, run->sync)
			      : pipe2(run->sync, O_CLOEXEC)) < 0 ||
	    pipe2(run->errpipe, O_CLOEXEC) < 0)
		return ct_fail(e, errno, "pipe");
	if (s->u.clone.as_owner && become_owner(s, e) < 0)
		return -1;
	run->child = clone_child(s->u.clone.flags, s->u.clone.cgroup,
				 run->watcher > 0 ? &watched : NULL, &entered, e);
	if (s->u.clone.as_owner && run->child != 0)
		become_root_again();
	if (run->child < 0) {
		run->child = 0;
		watched = -1;
		return join_cgroup_refused(run, s, e);
	}
	if (run->child == 0)
		child_main(run);
	close_fd(&run->sync[0]);
	close_fd(&run->errpipe[1]);
	if (s->u.clone.cgroup && !entered && cg_enter(s->u.clone.cgroup, run->child, e) < 0)
		return join_cgroup_refused(run, s, e);
	return 0;
}

/* A join's first process sent the pid of the command's process and
 * exits: reap it, and from now on the command's process is the child. */
static void joined(struct run *run, pid_t pid)
{
	while (waitpid(run->child, NULL, 0) < 0 && errno == EINTR)
		;
	run->child = pid;
}

/* The byte that lets the child go on, with the trees it is handed (see
 * child_wait_release); ours are closed once sent. */
static ssize_t send_release(const struct run *run)
{
	union handed_cmsg u;
	struct iovec iov = { .iov_base = "1", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * run->p->n_handed) };
	struct cmsghdr *h;

	if (!run->p->n_handed)
		return write(run->sync[1], "1", 1);
	memset(&u, 0, sizeof u);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int) * run->p->n_handed);
	memcpy(CMSG_DATA(h), run->trees + run->p->handed_first, sizeof(int) * run->p->n_handed);
	return sendmsg(run->sync[1], &m, MSG_NOSIGNAL);
}

static int release(struct run *run, struct ct_err *e)
{
	struct report r;
	ssize_t n;

	do
		n = send_release(run);
	while (n < 0 && errno == EINTR);
	close_fd(&run->sync[1]);
	for (unsigned i = 0; i < run->p->n_handed; i++)
		close_fd(&run->trees[run->p->handed_first + i]);
	/* Blocks until the child fails (a report) or execs (EOF). */
	for (;;) {
		do
			n = read(run->errpipe[0], &r, sizeof r);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof r || r.kind != REPORT_JOINED || !run->p->join)
			break;
		joined(run, r.joined);
	}
	close_fd(&run->errpipe[0]);
	if (n == 0)
		return 0;
	return child_failed(n == (ssize_t)sizeof r ? &r : NULL, e);
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

/* A signal for the container, to its pid 1. A second SIGINT or SIGTERM
 * ends it for good: a pid 1 without a handler ignores the first, and
 * Ctrl-C twice must always end a run. */
static void forward(struct run *run, int sig)
{
	kill(run->child, sig);
	if ((sig == SIGINT || sig == SIGTERM) && ++run->stops >= 2) {
		kill(run->child, SIGKILL);
		run->r->interrupted = true;
	}
}

/* 1 when pid 1 has ended (its status taken), 0 when not yet. */
static int reap_child(struct run *run, struct ct_err *e)
{
	int wstatus;
	pid_t w = waitpid(run->child, &wstatus, WNOHANG);

	if (w < 0 && errno != EINTR)
		return ct_fail(e, errno, "waitpid");
	if (w != run->child)
		return 0;
	run->child = 0;
	run->r->status = exit_status(wstatus);
	return 1;
}

/* Forward signals to the container's pid 1 until it exits. */
static int wait_child(struct run *run, struct ct_err *e)
{
	for (;;) {
		int rc = reap_child(run, e), sig;

		if (rc)
			return rc < 0 ? -1 : 0;
		sig = sigwaitinfo(&run->held, NULL);
		if (sig > 0 && sig != SIGCHLD)
			forward(run, sig);
	}
}

static int relay_signal(void *ctx, int sig, struct ct_err *e)
{
	struct run *run = ctx;

	if (sig == SIGCHLD)
		return reap_child(run, e);
	forward(run, sig);
	return 0;
}

/* -t: the same, relaying between the terminals meanwhile; SIGWINCH is
 * the relay's (the window's size), not forwarded. */
static int wait_relay(struct run *run, struct ct_err *e)
{
	int rc = reap_child(run, e);

	if (rc == 0)
		rc = tty_relay(run->relay, &run->held, relay_signal, run, e) < 0 ? -1 : 0;
	else
		rc = rc < 0 ? -1 : 0;
	tty_relay_end(run->relay);
	return rc;
}

/* -t: the master the child sent, and the caller's terminal made raw. */
static int tty_relay_begin(struct run *run, struct ct_err *e)
{
	int master;

	close_fd(&run->tty_sock[1]);
	master = tty_recv_master(run->tty_sock[0], e);
	close_fd(&run->tty_sock[0]);
	if (master < 0)
		return -1;
	run->relay = xcalloc(1, sizeof *run->relay);
	if (tty_relay_start(run->relay, master, &run->saved[0], STDOUT_FILENO, e) < 0) {
		tty_relay_end(run->relay);
		return -1;
	}
	return 0;
}

/* A terminal among stdio: with -t the relay's, which must be one;
 * else one the container inherits, skipped when it is none after all. */
static int tty_save_step(struct run *run, const struct step_tty_save *t, struct ct_err *e)
{
	struct ct_err ignored = { 0 };

	if (!run->saved)
		run->saved = xcalloc(3, sizeof *run->saved);
	if (run->n_saved == 3)
		return ct_fail(e, 0, "more than 3 terminals to save");
	if (tty_save(t->fd, &run->saved[run->n_saved], t->relay ? e : &ignored) < 0)
		return t->relay ? -1 : 0;
	run->n_saved++;
	return 0;
}

/* At exit: the terminal saved from fd, put back. */
static void tty_restore_step(struct run *run, int fd)
{
	for (size_t i = 0; i < run->n_saved; i++)
		if (run->saved[i].fd == fd)
			tty_restore(&run->saved[i]);
}

/* This name's lock, then the stale sweep (STEP_CG_SWEEP): a cgroup of
 * this name that exists while no run holds the name is a dead run's
 * (killed with SIGKILL, or a cleanup that failed), whatever is still in
 * it: its processes are killed and the tree removed, depth-first.
 * Neither waits for the global lock nor holds it: the sweep's retries
 * stall no other launch, and the name's lock keeps every other run of
 * this name out. No lock (-2: the directory above the lock's is
 * missing): no sweep either. */
static int name_lock(struct run *run, const char *path, struct ct_err *e)
{
	run->name_fd = cg_name_lock(path, e);
	if (run->name_fd == -2)
		run->name_fd = -1;
	else if (run->name_fd < 0)
		return -1;
	run->name_locked = run->name_fd >= 0;
	return 0;
}

static int sweep(const struct run *run, const char *dir, struct ct_err *e)
{
	if (!run->name_locked || cg_purge(dir, e) == 0)
		return 0;
	return ct_wrap(e, "a stale cgroup of this name");
}

/* Did this run make a cgroup, or move into a supervisor cgroup? */
static bool made_any(const struct run *run)
{
	for (size_t i = 0; i < run->p->n; i++)
		if (run->made[i])
			return true;
	return run->supervised;
}

/* Taken before the first cgroup step; at exit again, for the shared
 * directories, only where this run made a cgroup: after a wait for the
 * lock that Control-C ended, nothing is to be removed, and a second
 * wait would be one Control-C does not end. */
static int lock(struct run *run, const struct step_lock *l, struct ct_err *e)
{
	if (run->lock_fd >= 0 || (l->after_run && !made_any(run)))
		return 0;
	run->lock_fd = cg_lock(l->path, l->dir, l->fallback, !l->after_run, e);
	return run->lock_fd < 0 ? -1 : 0;
}

/* v2: hand the controllers down through dir/cgroup.subtree_control.
 * The kernel allows that only in a cgroup without processes (but the
 * root): ctlaunch moves out of its parent cgroup first when it is alone
 * there, as systemd-nspawn moves into a supervisor cgroup, and stops
 * with the reason and the fix when others are there too. */
static int cg_enable(struct run *run, const struct step *s, struct ct_err *e)
{
	const char *dir = s->u.cg_enable.dir;
	char missing[64];
	int who = 0;

	if (cg_subtree_missing(dir, s->u.cg_enable.controllers, missing, sizeof missing, e) < 0)
		return -1;
	if (!*missing)
		return 0;
	/* The root of a cgroup namespace looks like the root, and is not:
	 * only the real one has no cgroup.type. */
	if (s->u.cg_enable.supervise && !cg_is_root(dir)) {
		who = cg_procs_state(dir, e);
		if (who < 0)
			return -1;
		if (who == 1) {
			cleanup_free char *sup = path_join(dir, CG_SUPERVISOR);

			if (cg_mkdir(sup, true, e) < 0 || cg_enter(sup, 0, e) < 0)
				return -1;
			run->supervised = true;
		}
	}
	/* pids is a threaded controller: the kernel hands it down even
	 * from a cgroup with processes, which then takes no domain cgroup
	 * below it (the container's clone fails, EOPNOTSUPP). Where the
	 * default pids limit alone asks, such a cgroup is left as it is. */
	if (s->u.cg_enable.optional && !cg_is_root(dir) && cg_procs_state(dir, e) != 0)
		return ct_fail(e, 0, "processes are in %s", dir);
	if (cg_write(dir, "cgroup.subtree_control", missing, e) == 0)
		return 0;
	if (e->errnum == EBUSY)
		return ct_fail(e, 0,
			       "cannot enable %s in %s/cgroup.subtree_control: processes are in that "
			       "cgroup%s, and cgroup v2 hands controllers down only from a cgroup without "
			       "any (use --cgroup-parent with a cgroup of its own, or run ctlaunch alone in "
			       "a scope: systemd-run%s --scope -p Delegate=yes ctlaunch ...)",
			       missing, dir, who == 0 && cg_procs_state(dir, e) == 1 ? " (ctlaunch itself)" : "",
			       geteuid() == 0 ? "" : " --user");
	if (e->errnum == ENOENT)
		return ct_fail(e, 0, "cannot enable %s in %s/cgroup.subtree_control: the cgroup "
				     "above it does not hand that controller down", missing, dir);
	return -1;
}

/* v2: a supervisor cgroup means its parent, dir, held only ctlaunch
 * and handed nothing down before (the kernel allows no more): put it
 * back so, ctlaunch in it again, when nothing else is below it. Whoever
 * empties ctlaunch/ there does it, so that a run killed with SIGKILL,
 * or one that ended while another container used ctlaunch/, leaves
 * nothing for long. The controllers enabled above it stay on: turning
 * them off could take the files of another workload's cgroup. */
static int cg_restore(struct run *run, const char *dir, struct ct_err *e)
{
	cleanup_free char *sup = path_join(dir, CG_SUPERVISOR);

	if (access(sup, F_OK) < 0 || cg_children(dir, CG_SUPERVISOR) != 0)
		return 0;
	if (cg_subtree_clear(dir, e) < 0)
		return -1;
	if (run->supervised && cg_enter(dir, 0, e) < 0)
		return -1;
	run->supervised = false;
	/* As a leaf: another ctlaunch that was in it may still be leaving
	 * (it held the lock until its exit). */
	return cg_remove(sup, false, e) < 0 ? -1 : 0;
}

/* v2: does the shared ctlaunch/ level go (plan_exit_cgroups)? Where
 * its parent holds processes (a login session's scope: ctlaunch's own
 * cgroup, with its shell) or ctlaunch moved out of it; not in the real
 * root, which always holds processes and never goes. */
static bool level_goes(const struct step_cg_rmdir *r)
{
	const char *slash = strrchr(r->dir, '/');
	cleanup_free char *parent = xasprintf("%.*s", (int)(slash ? slash - r->dir : 0), r->dir);
	struct ct_err ignored = { 0 };

	if (r->supervisor && access(r->supervisor, F_OK) == 0)
		return true;
	return !cg_is_root(parent) && cg_procs_state(parent, &ignored) != 0;
}

/* A step failed while the container ran: it ends with ctlaunch. */
static void kill_child(struct run *run)
{
	if (run->child <= 0)
		return;
	kill(run->child, SIGKILL);
	while (waitpid(run->child, NULL, 0) < 0 && errno == EINTR)
		;
}

/* An optional file the kernel lacks (memory.swap.max without swap
 * accounting) is skipped. */
static int write_step(const struct step_cg_write *w, struct ct_err *e)
{
	if (w->optional) {
		cleanup_free char *path = path_join(w->dir, w->file);

		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	return cg_write(w->dir, w->file, w->value, e);
}

/* The digest of the filter the run loads (state.h), or 0 for none. */
static uint64_t filter_digest(const struct run *run)
{
	/* struct sock_filter: 8 bytes an instruction. */
	return run->filter.len ? state_digest(run->filter.insns, (size_t)run->filter.len * 8) : 0;
}

/* The container runs its command: write down what --list, --join and
 * --stop need (the spec by an absolute path: they may run elsewhere). */
static int record(struct run *run, const struct step_record *r, struct ct_err *e)
{
	struct ct_state st = *r->state;
	cleanup_free char *spec = NULL;
	char state;

	/* No name's lock, for want of its directory's parent (a host
	 * without /run): no record either, none without the lock. */
	if (run->name_fd < 0)
		return 0;
	if (state_proc_stat(run->child, &st.start, &state) < 0)
		return ct_fail(e, errno, "record the container: read /proc/%d/stat", (int)run->child);
	if (st.spec[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof cwd))
			return ct_fail(e, errno, "record the container: getcwd");
		spec = xasprintf("%s/%s", cwd, st.spec);
		st.spec = spec;
	}
	st.pid = run->child;
	st.seccomp = run->filter.len > 0;
	st.filter = filter_digest(run);
	if (state_write(r->dir, &st, r->world_readable, e) < 0)
		return -1;
	run->recorded = true;
	return 0;
}

/* The container's PID 1 by a pidfd, checked; and the filter this
 * ctlaunch made from the spec must be the one the run loaded (not when
 * ctlaunch was changed since, say). */
static int join_open_step(struct run *run, const struct step_join_open *j, struct ct_err *e)
{
	if (j->seccomp != (run->filter.len > 0) || (j->seccomp && j->filter != filter_digest(run)))
		return ct_fail(e, 0, "the seccomp filter planned from the spec is not the one the "
				     "container runs with (was ctlaunch changed since it started?)");
	run->target_fd = join_open(j->pid, j->start, e);
	return run->target_fd < 0 ? -1 : 0;
}

static int parent_step(struct run *run, size_t i, struct ct_err *e)
{
	const struct step *s = &run->p->steps[i];

	switch (s->kind) {
	case STEP_ROOT_OPEN:
		run->trees[s->u.root_open.tree] = mnt_root_open(s->u.root_open.path, s->u.root_open.dev,
								s->u.root_open.ino, e);
		return run->trees[s->u.root_open.tree] < 0 ? -1 : 0;
	case STEP_BIND_OPEN:
		return bind_open(run, s, e);
	case STEP_CG_ENABLE:
		if (s->u.cg_enable.optional) {
			struct ct_err ignored = { 0 };

			/* Only the default pids limit asked: the run goes on
			 * without it (its pids.max write is skipped, as the
			 * file is not there). */
			(void)cg_enable(run, s, &ignored);
			return 0;
		}
		return cg_enable(run, s, e);
	case STEP_IDMAP:
		return ns_map_ids(run->child, s->u.idmap.which, s->u.idmap.map, s->u.idmap.helper,
				  s->u.idmap.deny_setgroups, e);
	case STEP_LAYERS_IDMAP: {
		const uint32_t owner[2] = { s->u.layers_idmap.uid, s->u.layers_idmap.gid };

		return mnt_layers_idmap(s->u.layers_idmap.overlay, run->child, owner, run->trees, e);
	}
	case STEP_CG_MKDIR:
		if (cg_mkdir(s->u.cg_mkdir.dir, s->u.cg_mkdir.shared, e) < 0)
			return -1;
		run->made[i] = true;
		return 0;
	case STEP_CG_WRITE:
		return write_step(&s->u.cg_write, e);
	case STEP_CG_COPY:
		return cg_copy_from_parent(s->u.cg_copy.dir, s->u.cg_copy.file, e);
	case STEP_DEVICES:
		return s->u.devices.v1 ? dev_policy_v1(s->u.devices.dir, e)
				       : dev_policy_bpf(s->u.devices.dir, e);
	case STEP_WATCHER:
		return start_watcher(run, s->u.watcher.pidfd_only, e);
	case STEP_CLONE:
		return do_clone(run, s, e);
	case STEP_CG_ENTER:
		return cg_enter(s->u.cg_enter.dir, run->child, e);
	case STEP_UNLOCK:
		/* The child is in all its cgroups: others may now set up
		 * theirs. At exit, still in the supervisor cgroup (another
		 * container uses ctlaunch/ there): the lock stays held until
		 * ctlaunch exits, so that the run that puts the cgroup back
		 * never finds ctlaunch still in it. */
		if (!(s->u.unlock.kept_in && run->supervised))
			cg_unlock(&run->lock_fd);
		return 0;
	case STEP_RELEASE:
		return release(run, e);
	case STEP_WAIT:
		return s->u.wait.relay ? wait_relay(run, e) : wait_child(run, e);
	case STEP_TTY_SAVE:
		return tty_save_step(run, &s->u.tty_save, e);
	case STEP_TTY_SOCKET:
		return tty_socketpair(run->tty_sock, e);
	case STEP_TTY_RELAY:
		return tty_relay_begin(run, e);
	case STEP_INIT_MEMFD:
		run->init_fd = init_memfd(e);
		return run->init_fd < 0 ? -1 : 0;
	case STEP_TTY_RESTORE:
		tty_restore_step(run, s->u.tty_restore.fd);
		return 0;
	case STEP_NAME_LOCK:
		return name_lock(run, s->u.name_lock.path, e);
	case STEP_CG_SWEEP:
		return sweep(run, s->u.cg_sweep.dir, e);
	case STEP_LOCK:
		return lock(run, &s->u.lock, e);
	case STEP_KILL_CHILD:
		kill_child(run);
		return 0;
	case STEP_STOP_WATCHER:
		stop_watcher(run);
		return 0;
	case STEP_STATS_CLOCK:
		run->started_us = now_us();
		return 0;
	case STEP_STATS_READ:
		/* The wall time ends with the container, which is gone. */
		if (run->started_us)
			run->r->stats.wall_us = now_us() - run->started_us;
		stats_read(&s->u.stats_read, run->made, &run->r->stats);
		return 0;
	case STEP_OOM_READ:
		if (run->made[s->u.oom_read.made_by])
			run->r->oom = cg_oom_kills(s->u.oom_read.file) > 0;
		return 0;
	case STEP_CG_PURGE:
		if (run->made[s->u.cg_purge.made_by] && cg_purge(s->u.cg_purge.dir, e) < 0) {
			run->in_use = true;
			return -1;
		}
		return 0;
	case STEP_CG_RMDIR: {
		/* 1: others use it still; it stays. */
		int rc = run->made[s->u.cg_rmdir.made_by] && level_goes(&s->u.cg_rmdir)
				 ? cg_remove(s->u.cg_rmdir.dir, true, e)
				 : 0;

		run->in_use = rc != 0 || run->in_use;
		return rc < 0 ? -1 : 0;
	}
	case STEP_CG_RESTORE:
		if (!run->in_use && made_any(run))
			return cg_restore(run, s->u.cg_restore.dir, e);
		return 0;
	case STEP_NAME_UNLOCK:
		cg_unlock(&run->name_fd);
		return 0;
	case STEP_RECORD:
		return record(run, &s->u.record, e);
	case STEP_UNRECORD:
		if (run->recorded)
			state_remove(s->u.unrecord.dir, s->u.unrecord.name);
		run->recorded = false;
		return 0;
	case STEP_JOIN_OPEN:
		return join_open_step(run, &s->u.join_open, e);
	case STEP_NET_LOCK:
		run->net_lock_fd = net_lock(s->u.net.dir, true, e);
		return run->net_lock_fd < 0 ? -1 : 0;
	case STEP_NET_SWEEP:
		return net_sweep(s->u.net.dir, e);
	case STEP_NET_LEASE:
		return net_lease(s->u.net.dir, s->u.net.br, s->u.net.name, s->u.net.hostname,
				 &run->net_addr, e);
	case STEP_NET_BRIDGE:
		return net_bridge_up(s->u.net.dir, s->u.net.br, e);
	case STEP_NET_NETNS:
		run->netns_fd = net_netns(e);
		return run->netns_fd < 0 ? -1 : 0;
	case STEP_NET_VETH:
		return net_veth(run->netns_fd, s->u.net.br, e);
	case STEP_NET_ADDR:
		return net_addr(run->netns_fd, s->u.net.br, run->net_addr, e);
	case STEP_NET_HOSTS:
		if (net_hosts(s->u.net.dir, s->u.net.br, s->u.net.name, s->u.net.hostname,
			      run->net_addr, e) < 0)
			return -1;
		run->hosts_written = true;
		return 0;
	case STEP_NET_UNLOCK:
		cg_unlock(&run->net_lock_fd);
		return 0;
	case STEP_NET_RELEASE:
		/* The lock first: a step that failed while it was held. */
		cg_unlock(&run->net_lock_fd);
		close_fd(&run->netns_fd);
		if (!run->net_addr)
			return 0;
		return net_release(s->u.net.dir, s->u.net.br, s->u.net.name, run->net_addr,
				   run->hosts_written, e);
	case STEP_NET_ENTER:
	case STEP_JOIN_RLIMITS:
	case STEP_JOIN_UMASK:
	case STEP_SETNS:
	case STEP_JOIN_FORK:
	case STEP_CLOSE_FDS:
	case STEP_DIE_WITH_PARENT:
	case STEP_WAIT_RELEASE:
	case STEP_NOT_DUMPABLE:
	case STEP_SETSID:
	case STEP_UNSHARE:
	case STEP_HOSTNAME:
	case STEP_LO_UP:
	case STEP_MOUNT:
	case STEP_FS_OPEN:
	case STEP_BIND_ATTACH:
	case STEP_OVERLAY:
	case STEP_PIVOT_ROOT:
	case STEP_UMOUNT_OLD:
	case STEP_MASK:
	case STEP_MKNOD:
	case STEP_SYMLINK:
	case STEP_CHDIR:
	case STEP_RESOLVE:
	case STEP_RLIMIT:
	case STEP_CAPS_BOUND:
	case STEP_USER:
	case STEP_CAPS:
	case STEP_NO_NEW_PRIVS:
	case STEP_SECCOMP:
	case STEP_EXEC:
	case STEP_TTY_OPEN:
	case STEP_INIT_EXEC:
		break;
	}
	return ct_fail(e, 0, "step %zu is not the parent's", i + 1);
}

/* The exit's steps, whatever happened. Nothing here changes the run's
 * outcome: the command's status stands, and a cleanup problem becomes
 * a warning (r->cleanup, the last step's that failed); every step runs. */
static void run_exit(struct run *run)
{
	const struct plan *p = run->p;

	for (size_t i = 0; i < p->n; i++) {
		if (p->steps[i].side != SIDE_EXIT)
			continue;
		if (run->o->log)
			run->o->log(p, &p->steps[i]);
		if (parent_step(run, i, &run->r->cleanup) < 0)
			run->r->cleanup_failed = true;
	}
}

int exec_plan(const struct plan *p, const struct exec_opts *o, struct exec_result *r,
	      struct ct_err *e)
{
	cleanup_free bool *made = xcalloc(p->n ? p->n : 1, sizeof *made);
	cleanup_free int *trees = xmalloc((p->n_trees ? p->n_trees : 1) * sizeof *trees);
	cleanup_free struct command *cmd = xcalloc(1, sizeof *cmd);
	cleanup_free char **cmd_argv = NULL;
	struct run run = {
		.p = p, .o = o, .lock_fd = -1, .name_fd = -1, .self_fd = -1, .target_fd = -1,
		.sync = { -1, -1 },
		.errpipe = { -1, -1 }, .made = made, .trees = trees, .cmd = cmd, .r = r,
		.tty_sock = { -1, -1 }, .init_fd = -1, .net_lock_fd = -1, .netns_fd = -1,
	};
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	int rc = 0;

	memset(r, 0, sizeof *r);
	/* Facts from a file (--host-facts, for the golden tests) describe
	 * another machine: their plan is printed, never run here. main
	 * refuses --host-facts without --plan or --check; this holds
	 * whatever the caller. */
	if (!p->probed)
		return ct_fail(e, 0, "a plan made for host facts from a file is never run");
	for (size_t i = 0; i < p->n_trees; i++)
		trees[i] = -1;
	/* Made here: a vfork child must not allocate. */
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		if (s->kind == STEP_SECCOMP &&
		    sc_prepare(s->u.seccomp.profile, s->u.seccomp.caps, &run.filter, e) < 0) {
			locate(e, p, s);
			return -1;
		}
		if (s->kind == STEP_RESOLVE && !cmd_argv) {
			size_t argc = 0;

			while (s->u.resolve.argv[argc])
				argc++;
			cmd->argv_cap = argc + 2 * CMD_MAX_INTERPRETERS + 2 + INIT_ARGV_EXTRA;
			cmd_argv = xcalloc(cmd->argv_cap, sizeof *cmd_argv);
			cmd->argv = cmd_argv;
		}
	}
	/* Signals wait in the queue from here on: a Ctrl-C during setup
	 * reaches the container once it runs, and never kills ctlaunch
	 * half-way, with cgroups made and not removed. */
	held_signals(&run.held);
	sigprocmask(SIG_BLOCK, &run.held, &run.oldmask);
	/* A child that dies early must not kill us through its pipes. */
	sigaction(SIGPIPE, &ign, &run.old_pipe);
	/* An ignored SIGCHLD, inherited from the caller, would make the
	 * kernel reap the container's pid 1 itself: no status to pass on. */
	sigaction(SIGCHLD, &dfl, &run.old_chld);

	for (size_t i = 0; i < p->n && rc == 0; i++) {
		const struct step *s = &p->steps[i];

		if (s->side != SIDE_PARENT)
			continue;
		if (o->log)
			o->log(p, s);
		rc = parent_step(&run, i, e);
		if (rc < 0 && !e->status)
			locate(e, p, s);
	}
	run_exit(&run);
	close_fd(&run.target_fd);
	free(run.saved);
	free(run.relay);
	close_fd(&run.tty_sock[0]);
	close_fd(&run.tty_sock[1]);
	close_fd(&run.init_fd);
	close_fd(&run.netns_fd);
	cg_unlock(&run.net_lock_fd);
	drain(&run.held);
	close_fd(&run.sync[0]);
	close_fd(&run.sync[1]);
	close_fd(&run.errpipe[0]);
	close_fd(&run.errpipe[1]);
	/* Trees made before the clone: the child had its own copies. */
	for (size_t i = 0; i < p->n_trees; i++)
		close_fd(&trees[i]);
	sigaction(SIGPIPE, &run.old_pipe, NULL);
	sigaction(SIGCHLD, &run.old_chld, NULL);
	sigprocmask(SIG_SETMASK, &run.oldmask, NULL);
	sc_bpf_free(&run.filter);
	return rc;
}
