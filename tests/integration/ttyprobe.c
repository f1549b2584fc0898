/* ttyprobe: what a process can do to the terminal on its stdin, tried
 * from inside a container (tty.bats, tests/vm). Each argument is one
 * try, reported on stdout as "NAME ok" or "NAME: error":
 *   sti     push a character into the terminal's input (TIOCSTI)
 *   excl    make it exclusive: nobody can open it again (TIOCEXCL)
 *   ldisc   change its line discipline to N_NULL (TIOCSETD)
 *   raw     raw mode, no echo (TCSETS)
 *   ctty    whether it is this process's controlling terminal
 *   pgrp    whether this process's group is the terminal's foreground */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void report(const char *name, int rc)
{
	if (rc < 0)
		printf("%s: %s\n", name, strerror(errno));
	else
		printf("%s ok\n", name);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "sti") == 0) {
			char c = '#';

			report(a, ioctl(0, TIOCSTI, &c));
		} else if (strcmp(a, "excl") == 0) {
			report(a, ioctl(0, TIOCEXCL));
		} else if (strcmp(a, "ldisc") == 0) {
			int d = 27; /* N_NULL */

			report(a, ioctl(0, TIOCSETD, &d));
		} else if (strcmp(a, "raw") == 0) {
			struct termios t;
			int rc = tcgetattr(0, &t);

			if (rc == 0) {
				cfmakeraw(&t);
				rc = tcsetattr(0, TCSANOW, &t);
			}
			report(a, rc);
		} else if (strcmp(a, "ctty") == 0) {
			pid_t sid;

			report(a, ioctl(0, TIOCGSID, &sid) < 0 ? -1 : sid == getsid(0) ? 0 : (errno = ESRCH, -1));
		} else if (strcmp(a, "pgrp") == 0) {
			pid_t fg = tcgetpgrp(0);

			report(a, fg < 0 ? -1 : fg == getpgrp() ? 0 : (errno = ESRCH, -1));
		} else {
			printf("%s: unknown try\n", a);
			return 2;
		}
	}
	return 0;
}
