/* Terminals (see tty.h): the caller's saved and put back, the container's
 * own pty opened inside it, and the relay between the two.
 *
 * Why the pty is opened by the child, inside the container: the pty must
 * come from the container's own devpts instance (mounted newinstance at
 * /dev/pts), so that its slave exists there, /dev/pts lists only the
 * container's terminals, and the container can reach no pty of the host.
 * Only the child is in that mount namespace; it sends the master back
 * over a socket, as crun and runc do with their console socket. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tty.h"

int tty_save(int fd, struct tty_saved *s, struct ct_err *e)
{
	s->fd = -1;
	if (tcgetattr(fd, &s->tio) < 0)
		return ct_fail(e, errno, "the terminal on descriptor %d", fd);
	if (ioctl(fd, TIOCGWINSZ, &s->ws) < 0)
		memset(&s->ws, 0, sizeof s->ws);
	if (ioctl(fd, TIOCGETD, &s->ldisc) < 0)
		s->ldisc = -1;
	if (ioctl(fd, TIOCGEXCL, &s->excl) < 0)
		s->excl = -1;
	s->fd = fd;
	return 0;
}

/* Field by field: struct termios has padding that tcgetattr leaves as
 * it finds it. */
static bool tio_equal(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && a->c_line == b->c_line &&
	       memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0 &&
	       cfgetispeed(a) == cfgetispeed(b) && cfgetospeed(a) == cfgetospeed(b);
}

/* Whether the terminal is ours to set: we are its foreground group, or
 * it is not our controlling terminal (no job control applies then). */
static bool ours(int fd)
{
	pid_t fg = tcgetpgrp(fd);

	return fg < 0 ? errno == ENOTTY : fg == getpgrp();
}

void tty_restore(struct tty_saved *s)
{
	struct termios now;
	int v;

	if (s->fd < 0)
		return;
	/* The line discipline first: the settings are its (N_NULL, say,
	 * has none to get or set). */
	if (s->ldisc >= 0 && ioctl(s->fd, TIOCGETD, &v) == 0 && v != s->ldisc)
		ioctl(s->fd, TIOCSETD, &s->ldisc);
	if (s->excl == 0 && ioctl(s->fd, TIOCGEXCL, &v) == 0 && v)
		ioctl(s->fd, TIOCNXCL);
	if (tcgetattr(s->fd, &now) == 0 && !tio_equal(&now, &s->tio) && ours(s->fd))
		tcsetattr(s->fd, TCSADRAIN, &s->tio);
}

int tty_socketpair(int sv[2], struct ct_err *e)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ct_fail(e, errno, "socketpair for the container's terminal");
	return 0;
}

/* A message of one byte with room for one descriptor (SCM_RIGHTS):
 * what send_fd sends and tty_recv_master receives. On the caller's
 * stack: the sender is a child that allocates nothing (exec.c). */
struct fd_msg {
	char byte;
	struct iovec iov;
	struct msghdr m;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
};

static void fd_msg_init(struct fd_msg *f)
{
	memset(f, 0, sizeof *f);
	f->byte = 't';
	f->iov = (struct iovec){ .iov_base = &f->byte, .iov_len = 1 };
	f->m = (struct msghdr){ .msg_iov = &f->iov, .msg_iovlen = 1, .msg_control = f->u.buf,
				.msg_controllen = sizeof f->u.buf };
}

/* One byte, and fd as SCM_RIGHTS. */
static int send_fd(int sock, int fd)
{
	struct fd_msg f;
	struct cmsghdr *c;
	ssize_t n;

	fd_msg_init(&f);
	c = CMSG_FIRSTHDR(&f.m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	do
		n = sendmsg(sock, &f.m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int tty_recv_master(int sock, struct ct_err *e)
{
	struct fd_msg f;
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	fd_msg_init(&f);
	do
		n = recvmsg(sock, &f.m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ct_fail(e, errno, "receive the container's terminal");
	c = CMSG_FIRSTHDR(&f.m);
	if (n != 1 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return ct_fail(e, 0, "the container's terminal did not come back");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* The master, from the devpts instance at /dev/pts and nowhere else: no
 * link followed on the way, and the file system checked. */
static int open_ptmx(struct ct_err *e)
{
	struct open_how how = {
		.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs fs;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/pts/ptmx", &how, sizeof how);

	if (fd < 0)
		return ct_fail(e, errno, "open /dev/pts/ptmx");
	if (fstatfs(fd, &fs) < 0 || fs.f_type != DEVPTS_SUPER_MAGIC) {
		close(fd);
		return ct_fail(e, 0, "open /dev/pts/ptmx: not on a devpts file system");
	}
	return fd;
}

/* The slave's settings and owner, then it becomes the controlling
 * terminal and stdio. */
static int take_slave(const struct tty_pty_opts *o, int slave, struct ct_err *e)
{
	if (o->tio && tcsetattr(slave, TCSANOW, o->tio) < 0)
		return ct_fail(e, errno, "set the terminal's settings");
	if (o->ws && ioctl(slave, TIOCSWINSZ, o->ws) < 0)
		return ct_fail(e, errno, "set the terminal's size");
	/* The command's user may then open it again by name (tty, mesg,
	 * a shell's /proc/self/fd/0). */
	if (o->owner && fchown(slave, o->owner, (gid_t)-1) < 0)
		return ct_fail(e, errno, "chown the terminal to uid %u", (unsigned)o->owner);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return ct_fail(e, errno, "make the terminal the controlling one");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return ct_fail(e, errno, "dup2 the terminal to %d", fd);
	return 0;
}

int tty_pty_open(const struct tty_pty_opts *o, struct ct_err *e)
{
	int master, slave, unlock = 0, rc = -1;

	master = open_ptmx(e);
	if (master < 0)
		return -1;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		ct_fail(e, errno, "unlock the terminal");
		goto out;
	}
	/* The slave through the master (Linux 4.13), not by a path of the
	 * container's: it is this pty's, whatever /dev/pts holds. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		ct_fail(e, errno, "open the terminal's slave");
		goto out;
	}
	rc = take_slave(o, slave, e);
	close(slave);
	if (rc == 0 && send_fd(o->sock, master) < 0)
		rc = ct_fail(e, errno, "send the terminal to ctlaunch");
out:
	close(master);
	return rc;
}

int tty_relay_start(struct tty_relay *r, int master, struct tty_saved *saved, int out,
		    struct ct_err *e)
{
	struct termios raw = saved->tio;

	memset(r, 0, sizeof *r);
	r->in = saved->fd;
	r->out = out;
	r->master = master;
	r->sigfd = -1;
	r->saved = saved;
	r->in_open = r->master_open = r->out_open = true;
	if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
		return ct_fail(e, errno, "the terminal's master");
	/* Restored by tty_restore from saved, on every way out. */
	cfmakeraw(&raw);
	if (tcsetattr(r->in, TCSADRAIN, &raw) < 0)
		return ct_fail(e, errno, "raw mode on descriptor %d", r->in);
	return 0;
}

static void write_out(struct tty_relay *r, const unsigned char *p, size_t n)
{
	while (n && r->out_open) {
		ssize_t w = write(r->out, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		/* Gone (a closed pipe, a hung-up terminal): what follows is
		 * read and dropped, so the container never blocks on it. */
		if (w <= 0) {
			r->out_open = false;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* 1 when something was read; 0 when nothing waits; -1 when the slave
 * side is closed (EIO) for good. */
static int from_master(struct tty_relay *r)
{
	unsigned char buf[4096];
	ssize_t n = read(r->master, buf, sizeof buf);

	if (n > 0) {
		write_out(r, buf, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	r->master_open = false;
	return -1;
}

static void to_master(struct tty_relay *r)
{
	ssize_t n = write(r->master, r->buf + r->off, r->len - r->off);

	if (n > 0) {
		r->off += (size_t)n;
		if (r->off == r->len)
			r->len = r->off = 0;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		r->master_open = false;
	}
}

static void from_caller(struct tty_relay *r)
{
	ssize_t n = read(r->in, r->buf, sizeof r->buf);

	if (n > 0) {
		r->len = (size_t)n;
		r->off = 0;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		r->in_open = false;
	}
}

static void copy_winsize(const struct tty_relay *r)
{
	struct winsize ws;

	if (ioctl(r->in, TIOCGWINSZ, &ws) == 0)
		ioctl(r->master, TIOCSWINSZ, &ws);
}

/* Every signal waiting on the signalfd: 1 or -1 when fn says so. */
static int take_signals(struct tty_relay *r, tty_signal_fn *fn, void *ctx, struct ct_err *e)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		int rc;

		if (si.ssi_signo == SIGWINCH) {
			copy_winsize(r);
			continue;
		}
		rc = fn(ctx, (int)si.ssi_signo, e);
		if (rc)
			return rc;
	}
	return 0;
}

int tty_relay(struct tty_relay *r, const sigset_t *sigs, tty_signal_fn *fn, void *ctx,
	      struct ct_err *e)
{
	r->sigfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r->sigfd < 0)
		return ct_fail(e, errno, "signalfd");
	for (;;) {
		struct pollfd p[3] = { { .fd = r->sigfd, .events = POLLIN } };
		/* The caller's input only when the last of it is written:
		 * a container that reads nothing slows the keyboard down,
		 * never ctlaunch's handling of signals. */
		nfds_t n = 1, in = 0, master = 0;

		if (r->in_open && !r->len) {
			in = n;
			p[n++] = (struct pollfd){ .fd = r->in, .events = POLLIN };
		}
		if (r->master_open) {
			master = n;
			p[n++] = (struct pollfd){ .fd = r->master,
						  .events = POLLIN | (r->len ? POLLOUT : 0) };
		}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return ct_fail(e, errno, "poll");
		}
		if (p[0].revents) {
			int rc = take_signals(r, fn, ctx, e);

			if (rc)
				return rc < 0 ? -1 : 0;
		}
		if (in && p[in].revents)
			from_caller(r);
		if (master && (p[master].revents & POLLOUT) && r->len)
			to_master(r);
		if (master && (p[master].revents & (POLLIN | POLLHUP | POLLERR)))
			from_master(r);
	}
}

void tty_relay_end(struct tty_relay *r)
{
	/* The container has ended: its last output waits in the master
	 * (all slaves are closed now, so the read ends in EIO). */
	while (r->master_open && from_master(r) > 0)
		;
	if (r->sigfd >= 0)
		close(r->sigfd);
	if (r->master >= 0)
		close(r->master);
	r->sigfd = r->master = -1;
}
