/* counters: takes per-user kernel resources, or tries one.
 *
 *   counters hog-inotify       inotify instances until the kernel
 *                              refuses; prints "N <error>", holds them
 *                              until its standard input ends
 *   counters hog-sigpending    queued real-time signals (blocked)
 *                              until the kernel refuses; likewise
 *   counters probe-inotify     one instance: "ok" or the error
 *   counters probe-sigpending  one queued signal: "ok" or the error
 *
 * The integration tests run a hog in a container and a probe as host
 * root: per-user counters are charged to a container's user, and must
 * never be host root's. Static, for the busybox rootfs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static int take(const char *what)
{
	if (strcmp(what, "inotify") == 0)
		return inotify_init1(IN_CLOEXEC) >= 0 ? 0 : -1;
	if (strcmp(what, "sigpending") == 0) {
		union sigval v = { 0 };

		return sigqueue(getpid(), SIGRTMIN, v);
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	sigset_t rt;

	if (argc < 2) {
		fprintf(stderr, "usage: counters hog-KIND | probe-KIND\n");
		return 2;
	}
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	if (strncmp(argv[1], "probe-", 6) == 0) {
		int rc = take(argv[1] + 6);

		printf("%s\n", rc == 0 ? "ok" : strerror(errno));
		return rc == 0 ? 0 : 1;
	}
	if (strncmp(argv[1], "hog-", 4) == 0) {
		long n = 0;
		char c;

		while (n < 10000000 && take(argv[1] + 4) == 0)
			n++;
		printf("%ld %s\n", n, strerror(errno));
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	fprintf(stderr, "counters: unknown mode '%s'\n", argv[1]);
	return 2;
}
