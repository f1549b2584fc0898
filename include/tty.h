/* Terminals: the caller's, saved and put back; the container's own pty
 * (tty: true, -t), opened inside it and relayed to the caller's. Used by
 * the executor; the pieces are apart so that another way into a
 * container (a second command in a running one) can give it a terminal
 * the same way:
 *
 *   parent                           child (in the container's root)
 *   tty_save(0), tty_socketpair()
 *                                    tty_pty_open(): new pty, controlling
 *                                    terminal, stdio; its master sent back
 *   tty_recv_master()
 *   tty_relay_start()  (raw mode)
 *   tty_relay()        until the callback says the container ended
 *   tty_relay_end(), tty_restore()
 *
 * Every descriptor is close-on-exec; nothing here prints. */
#ifndef CTLAUNCH_TTY_H
#define CTLAUNCH_TTY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "err.h"

/* A terminal's state as it was before the run. */
struct tty_saved {
	int fd;                 /* -1: nothing saved */
	struct termios tio;
	struct winsize ws;
	int ldisc;              /* line discipline (TIOCGETD) */
	int excl;               /* exclusive mode (TIOCGEXCL) */
};

/* Save the state of the terminal on fd (one of the caller's stdio). */
int tty_save(int fd, struct tty_saved *s, struct ct_err *e);

/* Put back what differs from the saved state: the settings, the line
 * discipline, the exclusive mode. Only while the caller is the
 * terminal's foreground process group (or the terminal is not its
 * controlling one): a job that has taken the terminal since owns its
 * settings. Idempotent; a no-op when nothing was saved. */
void tty_restore(struct tty_saved *s);

/* A socket pair (AF_UNIX, close-on-exec) for the master to come back on:
 * sv[0] the parent's end, sv[1] the child's. */
int tty_socketpair(int sv[2], struct ct_err *e);

/* What the child needs to open the container's terminal. */
struct tty_pty_opts {
	const struct termios *tio;  /* the new terminal's settings, or NULL */
	const struct winsize *ws;   /* its size, or NULL */
	uid_t owner;                /* the command's user: owns the slave */
	int sock;                   /* the child's end of tty_socketpair */
};

/* In the child, a session leader without a controlling terminal, inside
 * the container's root: open a new pty from the devpts instance mounted
 * at /dev/pts (checked to be one), make its slave the controlling
 * terminal and stdin, stdout and stderr, and send the master to the
 * parent over o->sock (left open: it is close-on-exec). No allocation
 * (a vfork child). */
int tty_pty_open(const struct tty_pty_opts *o, struct ct_err *e);

/* In the parent: the master the child sent; -1 with e when none came. */
int tty_recv_master(int sock, struct ct_err *e);

/* Relays between the caller's terminal and the pty's master. */
struct tty_relay {
	int in, out;            /* the caller's: stdin (a terminal) and stdout */
	int master;
	int sigfd;              /* signalfd of the signals the relay waits for */
	struct tty_saved *saved; /* the caller's terminal, put back by tty_restore */
	bool in_open, master_open, out_open;
	unsigned char buf[4096]; /* input not yet written to the master */
	size_t len, off;
};

/* Take master (made non-blocking), put the caller's terminal saved->fd
 * in raw mode: every key, Control-C and Control-Z too, goes to the
 * container's terminal, whose line discipline acts on it. */
int tty_relay_start(struct tty_relay *r, int master, struct tty_saved *saved, int out,
		    struct ct_err *e);

/* Called by tty_relay with each signal of the set but SIGWINCH: 1 ends
 * the relay (the container has ended), 0 goes on, -1 is an error. */
typedef int tty_signal_fn(void *ctx, int sig, struct ct_err *e);

/* Relay until fn returns 1; sigs are blocked by the caller, and taken
 * here through a signalfd. SIGWINCH (if in sigs) becomes the caller's
 * window size on the container's terminal, whose foreground group the
 * kernel then signals. Returns 0, or -1 with e. */
int tty_relay(struct tty_relay *r, const sigset_t *sigs, tty_signal_fn *fn, void *ctx,
	      struct ct_err *e);

/* What the container wrote before it ended, then close the master. */
void tty_relay_end(struct tty_relay *r);

#endif
