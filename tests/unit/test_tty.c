/* tty.c and init.c on real terminals and processes, without containers:
 * ptys from the host's devpts, the init exec'd from its memfd by a
 * child of the test. The container side is covered by
 * tests/integration/tty.bats and init.bats. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake.h"
#include "init.h"
#include "plan.h"
#include "t.h"
#include "tty.h"
#include "util.h"

/* A pty pair from the host's /dev/ptmx: *slave opened by name. */
static int pty_pair(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	*slave = -1;
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		if (m >= 0)
			close(m);
		return -1;
	}
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		close(m);
		return -1;
	}
	return m;
}

/* Read fd until want appears in what was read (or 5 s pass). */
static bool read_until(int fd, const char *want)
{
	char buf[4096];
	size_t len = 0;

	while (len < sizeof buf - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) != 1)
			break;
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, want))
			return true;
	}
	buf[len] = '\0';
	fprintf(stderr, "  read '%s', want '%s' in it\n", buf, want);
	return false;
}

TEST(save_and_restore)
{
	struct tty_saved s;
	struct ct_err e = { 0 };
	struct termios t, now;
	int slave, m = pty_pair(&slave), excl = 0, ldisc = -1, null = 27 /* N_NULL */;

	CHECK(m >= 0);
	if (m < 0)
		return;
	CHECK(tty_save(slave, &s, &e) == 0);
	/* What a container could do to a terminal it inherited. */
	t = s.tio;
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG);
	t.c_cc[VINTR] = 1;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0);
	CHECK(ioctl(slave, TIOCEXCL) == 0);
	/* N_NULL may be missing (a module): then the line discipline is
	 * not part of this test. */
	bool ld = ioctl(slave, TIOCSETD, &null) == 0;

	tty_restore(&s);
	CHECK(tcgetattr(slave, &now) == 0);
	CHECK(now.c_lflag == s.tio.c_lflag);
	CHECK(now.c_cc[VINTR] == s.tio.c_cc[VINTR]);
	CHECK(ioctl(slave, TIOCGEXCL, &excl) == 0 && excl == 0);
	CHECK(ioctl(slave, TIOCGETD, &ldisc) == 0 && ldisc == s.ldisc);
	(void)ld;
	/* Not a terminal: an error, nothing saved, restore a no-op. */
	CHECK(tty_save(m == 0 ? 1 : 0, &s, &e) == -1 || isatty(0));
	s.fd = -1;
	tty_restore(&s);
	close(slave);
	close(m);
}

/* tty_pty_open in a child that is a session leader, as the container's
 * process is: it gets a new controlling terminal on 0-2, and the
 * master comes back over the socket. Root only: the host's
 * /dev/pts/ptmx is mode 000 (the container's devpts is ptmxmode=0666). */
TEST(pty_in_child)
{
	struct ct_err e = { 0 };
	int sv[2], master;
	pid_t pid;
	int st;

	if (access("/dev/pts/ptmx", R_OK | W_OK) < 0) {
		fprintf(stderr, "  (skipped: /dev/pts/ptmx is not ours to open; run as root)\n");
		return;
	}
	CHECK(tty_socketpair(sv, &e) == 0);
	pid = fork();
	if (pid == 0) {
		struct winsize ws = { .ws_row = 33, .ws_col = 111 };
		struct tty_pty_opts o = { .ws = &ws, .sock = sv[1] };
		char line[64];
		ssize_t n;
		pid_t fg;

		close(sv[0]);
		if (setsid() < 0 || tty_pty_open(&o, &e) < 0) {
			dprintf(2, "tty_pty_open: %s\n", e.msg);
			_exit(1);
		}
		/* Ours now: the controlling terminal, in the foreground. */
		fg = tcgetpgrp(0);
		ioctl(1, TIOCGWINSZ, &ws);
		dprintf(1, "fg=%d size=%dx%d\n", fg == getpid(), ws.ws_row, ws.ws_col);
		n = read(0, line, sizeof line - 1);
		line[n > 0 ? n : 0] = '\0';
		dprintf(1, "got %s", line);
		_exit(0);
	}
	close(sv[1]);
	master = tty_recv_master(sv[0], &e);
	close(sv[0]);
	CHECK(master >= 0);
	if (master >= 0) {
		CHECK(fcntl(master, F_GETFD) == FD_CLOEXEC);
		CHECK(read_until(master, "fg=1 size=33x111"));
		CHECK(write(master, "ping\n", 5) == 5);
		CHECK(read_until(master, "got ping"));
	}
	/* The master closed first would hang the terminal up: SIGHUP to the
	 * child, its session leader. */
	CHECK(waitpid(pid, &st, 0) == pid);
	if (master >= 0)
		close(master);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "  child: wait status 0x%x\n", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int stop_on_usr1(void *ctx, int sig, struct ct_err *e)
{
	(void)ctx;
	(void)e;
	return sig == SIGUSR1;
}

/* The relay between two ptys: the caller's terminal (keyboard and
 * screen: cm; ctlaunch's stdio: cs) and the container's (its master
 * given to the relay: km; the container's side: ks). */
TEST(relay_between_terminals)
{
	int cs, cm = pty_pair(&cs), ks, km = pty_pair(&ks), st;
	struct termios before, during, after;
	struct winsize ws = { .ws_row = 50, .ws_col = 132 };
	sigset_t set, old;
	pid_t pid;

	CHECK(cm >= 0 && km >= 0);
	if (cm < 0 || km < 0)
		return;
	tcgetattr(cs, &before);
	/* The container's side raw, to see each byte as it comes (its line
	 * discipline would act on Control-C). */
	{
		struct termios k;

		tcgetattr(ks, &k);
		cfmakeraw(&k);
		tcsetattr(ks, TCSANOW, &k);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid == 0) {
		struct tty_saved saved;
		struct tty_relay r;
		struct ct_err e = { 0 };

		if (tty_save(cs, &saved, &e) < 0 || tty_relay_start(&r, km, &saved, cs, &e) < 0 ||
		    tty_relay(&r, &set, stop_on_usr1, NULL, &e) < 0)
			_exit(1);
		tty_relay_end(&r);
		tty_restore(&saved);
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(km);
	/* Typed before raw mode, Control-C would be the line discipline's. */
	for (int i = 0; i < 500; i++) {
		tcgetattr(cs, &during);
		if (!(during.c_lflag & ICANON))
			break;
		usleep(10000);
	}
	/* Keys reach the container's side as typed, Control-C included. */
	CHECK(write(cm, "abc\003", 4) == 4);
	CHECK(read_until(ks, "abc\003"));
	/* Its output reaches the screen. */
	CHECK(write(ks, "from the container", 18) == 18);
	CHECK(read_until(cm, "from the container"));
	/* The caller's terminal is raw meanwhile. */
	tcgetattr(cs, &during);
	CHECK(!(during.c_lflag & (ICANON | ECHO | ISIG)));
	/* A new size of the caller's window reaches the container's. */
	ioctl(cm, TIOCSWINSZ, &ws);
	kill(pid, SIGWINCH);
	for (int i = 0; i < 500; i++) {
		struct winsize k;

		if (ioctl(ks, TIOCGWINSZ, &k) == 0 && k.ws_row == 50 && k.ws_col == 132)
			break;
		usleep(10000);
	}
	{
		struct winsize k = { 0 };

		ioctl(ks, TIOCGWINSZ, &k);
		CHECK(k.ws_row == 50 && k.ws_col == 132);
	}
	kill(pid, SIGUSR1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tcgetattr(cs, &after);
	CHECK(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag &&
	      after.c_oflag == before.c_oflag);
	close(ks);
	close(cs);
	close(cm);
}

/* The init from its memfd, with a shell script as the command. */
static int run_init(const char *script, int sig_after_ms, int sig)
{
	struct ct_err e = { 0 };
	int memfd = init_memfd(&e), sh = open("/bin/sh", O_RDONLY | O_CLOEXEC), st;
	pid_t pid;

	if (memfd < 0 || sh < 0) {
		fprintf(stderr, "  init_memfd: %s\n", e.msg);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		char fd[16];
		char *argv[] = { (char *)"ctlaunch-init", fd, (char *)"sh", (char *)"-c",
				 (char *)script, NULL };
		char *envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };

		/* Orphans come to the init, as to a PID 1. */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		signal(SIGINT, SIG_DFL);
		snprintf(fd, sizeof fd, "%d", sh);
		fcntl(sh, F_SETFD, 0);
		syscall(SYS_execveat, memfd, "", argv, envp, AT_EMPTY_PATH);
		_exit(99);
	}
	close(memfd);
	close(sh);
	if (sig_after_ms) {
		usleep((useconds_t)sig_after_ms * 1000);
		kill(pid, sig);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

TEST(init_memfd_sealed)
{
	struct ct_err e = { 0 };
	int fd = init_memfd(&e);
	int seals;
	char path[64];

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	seals = fcntl(fd, F_GET_SEALS);
	CHECK((seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) ==
	      (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL));
	CHECK(write(fd, "x", 1) < 0);
	/* Reopened, as /proc/1/exe would be: still no write. */
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	{
		int w = open(path, O_WRONLY | O_CLOEXEC);

		CHECK(w < 0 || write(w, "x", 1) < 0);
		if (w >= 0)
			close(w);
	}
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(ct_init_prog_size > 64 && memcmp(ct_init_prog, "\177ELF", 4) == 0);
	close(fd);
}

TEST(init_status)
{
	CHECK(run_init("exit 3", 0, 0) == 3);
	CHECK(run_init("kill -TERM $$", 0, 0) == 143);
	CHECK(run_init("kill -KILL $$", 0, 0) == 137);
	/* An orphan that ends before the command: reaped, and the command's
	 * status is still the one passed on. */
	CHECK(run_init("sh -c 'sleep 0.1 & exit 0'; sleep 0.3; exit 5", 0, 0) == 5);
	/* One SIGINT to the init ends a command without a handler: it goes
	 * to the command's process group (sh and its sleep). */
	CHECK(run_init("sleep 5; exit 0", 300, SIGINT) == 130);
	CHECK(run_init("sleep 5; exit 0", 300, SIGTERM) == 143);
	/* A command with a handler gets the signal and decides. */
	CHECK(run_init("trap 'exit 7' USR1; sleep 5 & wait", 300, SIGUSR1) == 7);
}

/* --- the planner's steps for tty: and init: --------------------------- */

static long kind_after(const struct plan *p, enum step_kind k, long from)
{
	for (size_t i = from < 0 ? 0 : (size_t)from; i < p->n; i++)
		if (p->steps[i].kind == k)
			return (long)i;
	return -1;
}

TEST(plan_tty_steps_in_order)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { 0 };
	struct ct_err e = { 0 };
	long save, sock, memfd, clone, chdir, open, resolve, user, exec, relay, wait;

	fake_spec(&s);
	fake_host_v1(&h);
	s.tty = true;
	s.user = xstrdup("1000");
	s.uid = s.gid = 1000;
	CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
	save = plan_find_kind(&p, STEP_TTY_SAVE);
	sock = plan_find_kind(&p, STEP_TTY_SOCKET);
	memfd = plan_find_kind(&p, STEP_INIT_MEMFD);
	clone = plan_find_kind(&p, STEP_CLONE);
	chdir = plan_find_kind(&p, STEP_CHDIR);
	open = plan_find_kind(&p, STEP_TTY_OPEN);
	resolve = plan_find_kind(&p, STEP_RESOLVE);
	user = kind_after(&p, STEP_USER, resolve);
	exec = plan_find_kind(&p, STEP_INIT_EXEC);
	relay = plan_find_kind(&p, STEP_TTY_RELAY);
	wait = plan_find_kind(&p, STEP_WAIT);
	/* The terminal saved before the container exists. */
	CHECK(save >= 0 && save < plan_find_kind(&p, STEP_WATCHER) && p.steps[save].u.tty_save.fd == 0 &&
	      p.steps[save].u.tty_save.relay);
	/* And put back at exit, after the container is gone. */
	CHECK(FIND(&p, STEP_TTY_RESTORE, tty_restore, it->fd == 0) > plan_find_kind(&p, STEP_KILL_CHILD));
	CHECK(p.steps[plan_find_kind(&p, STEP_TTY_RESTORE)].side == SIDE_EXIT);
	/* Socket and memfd made before the clone (a vfork child allocates nothing). */
	CHECK(sock > save && sock < clone && memfd > save && memfd < clone);
	/* The pty inside the new root, after chdir closed the host's
	 * descriptors, before the command's lookup and the user switch. */
	CHECK(open > chdir && open < resolve && user > open);
	CHECK(p.steps[open].side == SIDE_CHILD && p.steps[open].u.tty_open.owner == 1000);
	/* init follows tty: the init's exec, no plain exec. */
	CHECK(exec > user && plan_find_kind(&p, STEP_EXEC) < 0);
	CHECK(relay > clone && wait == relay + 1 && p.steps[wait].u.wait.relay);
	CHECK(plan_count_kind(&p, STEP_TTY_OPEN) == 1 && plan_count_kind(&p, STEP_TTY_RELAY) == 1);
}

TEST(plan_tty_without_init_and_init_alone)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	struct plan_opts o = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v2(&h);
	/* tty: true, init: false: the command is pid 1. */
	s.tty = true;
	s.has_init = true;
	s.init = false;
	{
		cleanup_plan struct plan p = { 0 };

		CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
		CHECK(plan_find_kind(&p, STEP_EXEC) >= 0 && plan_find_kind(&p, STEP_INIT_EXEC) < 0);
		CHECK(plan_find_kind(&p, STEP_INIT_MEMFD) < 0);
		/* On v2 the child forks and is released: the relay after that. */
		CHECK(plan_find_kind(&p, STEP_TTY_RELAY) > plan_find_kind(&p, STEP_RELEASE));
	}
	/* init: true alone: no terminal step at all. */
	s.tty = false;
	s.init = true;
	{
		cleanup_plan struct plan p = { 0 };

		CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
		CHECK(plan_find_kind(&p, STEP_INIT_EXEC) >= 0 && plan_find_kind(&p, STEP_EXEC) < 0);
		CHECK(plan_find_kind(&p, STEP_TTY_SAVE) < 0 && plan_find_kind(&p, STEP_TTY_OPEN) < 0 &&
		      plan_find_kind(&p, STEP_TTY_RELAY) < 0);
		CHECK(!p.steps[plan_find_kind(&p, STEP_WAIT)].u.wait.relay);
	}
}

/* Without -t, each terminal the container inherits is saved, and put
 * back at exit; none when stdio holds no terminal (a script's launch:
 * nothing new on its path). */
TEST(plan_inherited_terminals)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	{
		cleanup_plan struct plan p = { 0 };
		struct plan_opts o = { .ttys = 1U << 0 | 1U << 2 };

		long first;

		CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
		first = plan_find_kind(&p, STEP_TTY_SAVE);
		CHECK(first >= 0 && first < plan_find_kind(&p, STEP_CLONE));
		CHECK(p.steps[first].u.tty_save.fd == 0 && !p.steps[first].u.tty_save.relay);
		CHECK(p.steps[first + 1].kind == STEP_TTY_SAVE && p.steps[first + 1].u.tty_save.fd == 2);
		CHECK(plan_count_kind(&p, STEP_TTY_SAVE) == 2 && plan_count_kind(&p, STEP_TTY_RESTORE) == 2);
		CHECK(FIND(&p, STEP_TTY_RESTORE, tty_restore, it->fd == 2) > 0);
	}
	{
		cleanup_plan struct plan p = { 0 };
		struct plan_opts o = { 0 };

		CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
		CHECK(plan_find_kind(&p, STEP_TTY_SAVE) < 0 && plan_find_kind(&p, STEP_TTY_RESTORE) < 0);
	}
}
