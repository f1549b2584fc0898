/*
 * runas USER CMD [ARG...]: runs CMD as USER (a name from /etc/passwd or a
 * number), for the rootless tests in the VM (tests/vm/tests.sh).
 *
 * Why not busybox: Debian's busybox-static has no chpst or setuidgid,
 * its setpriv cannot change ids, and its su takes the command as one
 * string for `sh -c`, so arguments would need quoting twice.
 *
 * It drops the supplementary groups (the user keeps only its primary
 * group), sets the gid, then the uid, and execs CMD with PATH search.
 * HOME, USER and LOGNAME become the user's; the rest of the environment
 * is kept. Built statically by tests/vm/run.sh: the VM has no shared
 * libraries, and fgetpwent reads the file itself (no NSS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "runas: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* The passwd entry whose name is NAME, or whose uid is NAME as a number. */
static struct passwd *lookup(const char *name)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	char *end;
	unsigned long id;

	if (!f)
		die("/etc/passwd");
	errno = 0;
	id = strtoul(name, &end, 10);
	int numeric = *name && !*end && !errno;
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name) || (numeric && pw->pw_uid == id))
			break;
	fclose(f);
	return pw;
}

int main(int argc, char **argv)
{
	struct passwd *pw;

	if (argc < 3) {
		fprintf(stderr, "usage: runas USER CMD [ARG...]\n");
		return 125;
	}
	pw = lookup(argv[1]);
	if (!pw) {
		fprintf(stderr, "runas: no user '%s' in /etc/passwd\n", argv[1]);
		return 125;
	}
	/* Groups first: after setuid we could no longer change them. */
	if (setgroups(0, NULL) || setgid(pw->pw_gid))
		die("setgroups/setgid");
	if (setuid(pw->pw_uid))
		die("setuid");
	if (setenv("HOME", pw->pw_dir, 1) || setenv("USER", pw->pw_name, 1) ||
	    setenv("LOGNAME", pw->pw_name, 1))
		die("setenv");
	execvp(argv[2], argv + 2);
	fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
