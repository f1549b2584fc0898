/* ptydrive: runs a command on a new pseudo-terminal, as a person at a
 * terminal would, and follows a script read from stdin. Shared by the
 * integration tests (tty.bats, init.bats) and the VM's (tests/vm), where
 * there is no python; static-friendly, no library but libc.
 *
 *   ptydrive [-t SECS] [-s ROWSxCOLS] [-o TRANSCRIPT] -- CMD [ARG...]
 *
 * The command is a session leader with the pty's slave as its
 * controlling terminal and stdin, stdout and stderr; ptydrive holds the
 * master (the keyboard and the screen). One action a line:
 *
 *   expect TEXT     wait until TEXT appears in the output after the last
 *                   match (SECS at most, default 20)
 *   send TEXT       type TEXT (\n \r \t \\ \xNN escapes: \x03 is Control-C)
 *   sleep MS
 *   winsize R C     resize the terminal (the kernel signals SIGWINCH)
 *   signal SIG      send signal number SIG to the command
 *   run SHELL...    run a shell command here (sh -c), its output to stderr
 *   wait            wait for the command to end; print "exit N"
 *   termios         print "termios same" when the terminal's settings are
 *                   as they were before the command started, its line
 *                   discipline N_TTY and exclusive mode off; else
 *                   "termios changed" and what differs
 *
 * Exit status: 0 when the whole script ran; 2 on a timeout (the command
 * is then killed) or a bad script; the transcript (everything the
 * command wrote, \r removed) on stdout at the end, or in TRANSCRIPT. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char out[1 << 20];
static size_t out_len, matched;
static int master = -1, timeout_s = 20;
static pid_t child;
static const char *transcript;

static void dump(void)
{
	FILE *f = transcript ? fopen(transcript, "w") : stdout;

	if (!f)
		return;
	fwrite(out, 1, out_len, f);
	if (out_len && out[out_len - 1] != '\n')
		fputc('\n', f);
	if (f != stdout)
		fclose(f);
}

__attribute__((noreturn)) static void bail(const char *fmt, const char *arg)
{
	fprintf(stdout, "ptydrive: ");
	fprintf(stdout, fmt, arg);
	fprintf(stdout, "\n--- transcript ---\n");
	fflush(stdout);
	transcript = NULL;
	dump();
	if (child > 0)
		kill(child, SIGKILL);
	exit(2);
}

/* Read what the command wrote, waiting ms at most: 1 something came,
 * 0 nothing came, -1 nothing will (the slave side is closed). */
static int pump(int ms)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	ssize_t n;

	if (out_len >= sizeof out - 1)
		return -1;
	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = read(master, out + out_len, sizeof out - 1 - out_len);
	if (n <= 0)
		return -1;
	/* Kept without \r: what a test compares is lines. */
	{
		char *src = out + out_len;
		size_t kept = 0;

		for (size_t i = 0; i < (size_t)n; i++)
			if (src[i] != '\r')
				src[kept++] = src[i];
		out_len += kept;
	}
	out[out_len] = '\0';
	return 1;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

static void expect(const char *text)
{
	long end = now_ms() + timeout_s * 1000L;

	char *at;

	while (!(at = strstr(out + matched, text))) {
		long left = end - now_ms();

		if (left <= 0 || pump((int)(left < 100 ? left : 100)) < 0) {
			if (!strstr(out + matched, text))
				bail("timeout waiting for '%s'", text);
		}
	}
	/* Past the match: the next expect looks at what follows. */
	matched = (size_t)(at - out) + strlen(text);
}

static size_t unescape(const char *s, char *buf)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			buf[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'x': {
			char hex[3] = { s[1], s[1] ? s[2] : 0, 0 };

			buf[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
			break;
		}
		default: buf[n++] = *s; break;
		}
	}
	return n;
}

static bool same_termios(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0 &&
	       cfgetispeed(a) == cfgetispeed(b) && cfgetospeed(a) == cfgetospeed(b);
}

static void wait_child(void)
{
	long end = now_ms() + timeout_s * 1000L;
	int st;

	for (;;) {
		pid_t w = waitpid(child, &st, WNOHANG);

		if (w == child)
			break;
		if (now_ms() > end)
			bail("timeout waiting for the command to end%s", "");
		pump(20);
	}
	/* What it wrote last. */
	while (pump(50) > 0)
		;
	child = 0;
	printf("exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void act(char *line, int slave, const struct termios *before)
{
	char buf[4096], *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (strcmp(line, "expect") == 0) {
		expect(arg);
	} else if (strcmp(line, "send") == 0) {
		size_t n = unescape(arg, buf);

		if (write(master, buf, n) != (ssize_t)n)
			bail("write: %s", strerror(errno));
	} else if (strcmp(line, "sleep") == 0) {
		long end = now_ms() + atol(arg);

		while (now_ms() < end)
			pump(10);
	} else if (strcmp(line, "winsize") == 0) {
		struct winsize ws = { 0 };

		if (sscanf(arg, "%hu %hu", &ws.ws_row, &ws.ws_col) != 2 ||
		    ioctl(master, TIOCSWINSZ, &ws) < 0)
			bail("winsize '%s'", arg);
	} else if (strcmp(line, "signal") == 0) {
		if (child > 0)
			kill(child, atoi(arg));
	} else if (strcmp(line, "run") == 0) {
		int rc = system(arg);

		if (rc != 0)
			fprintf(stderr, "ptydrive: run '%s': status %d\n", arg, rc);
	} else if (strcmp(line, "wait") == 0) {
		wait_child();
	} else if (strcmp(line, "termios") == 0) {
		struct termios now;
		int ldisc = -1, excl = -1;

		ioctl(slave, TIOCGETD, &ldisc);
		ioctl(slave, TIOCGEXCL, &excl);
		memset(&now, 0, sizeof now);
		if (tcgetattr(slave, &now) == 0 && same_termios(before, &now) && ldisc == 0 && excl == 0)
			printf("termios same\n");
		else
			printf("termios changed: iflag %x->%x oflag %x->%x lflag %x->%x, line "
			       "discipline %d, exclusive %d\n",
			       before->c_iflag, now.c_iflag, before->c_oflag, now.c_oflag,
			       before->c_lflag, now.c_lflag, ldisc, excl);
	} else if (*line && *line != '#') {
		bail("unknown action '%s'", line);
	}
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct termios before;
	char line[4096];
	int c, slave;

	while ((c = getopt(argc, argv, "+t:s:o:")) != -1) {
		switch (c) {
		case 't': timeout_s = atoi(optarg); break;
		case 's': sscanf(optarg, "%hux%hu", &ws.ws_row, &ws.ws_col); break;
		case 'o': transcript = optarg; break;
		default: return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc) {
		fprintf(stderr, "usage: ptydrive [-t SECS] [-s RxC] [-o FILE] -- CMD [ARG...] <script\n");
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		bail("posix_openpt: %s", strerror(errno));
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || ioctl(master, TIOCSWINSZ, &ws) < 0)
		bail("open the slave: %s", strerror(errno));
	tcgetattr(slave, &before);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
		    dup2(slave, 2) < 0)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		act(line, slave, &before);
		fflush(stdout);
	}
	if (child > 0)
		wait_child();
	dump();
	return 0;
}
