/* counters: takes per-user kernel resources, or tries one.
 *
 *   counters hog-inotify       inotify instances until the kernel
 *                              refuses; prints "N <error>", holds them
 *                              until its standard input ends
 *   counters hog-sigpending    queued real-time signals (blocked)
 *                              until the kernel refuses; likewise
 *   counters hog-mqueue        POSIX message queues of 10 messages of
 *                              8192 bytes (the kernel's default
 *                              maxima), open, until RLIMIT_MSGQUEUE
 *                              (or queues_max) refuses; likewise
 *   counters probe-inotify     one instance: "ok" or the error
 *   counters probe-sigpending  one queued signal: "ok" or the error
 *   counters probe-mqueue      one such queue, then unlinked: "ok" or
 *                              the error
 *
 * The integration tests run a hog in a container and a probe as host
 * root: per-user counters are charged to a container's user, and must
 * never be host root's. Static, for the busybox rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static int probing; /* a probe's queue is unlinked, a hog's kept */

/* A queue whose bytes (about maxmsg * msgsize) the kernel charges to
 * the caller's user against RLIMIT_MSGQUEUE. Kept open and linked:
 * a container's go with its IPC namespace; a probe's is unlinked. */
static int take_mqueue(void)
{
	static unsigned n;
	struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = 8192 };
	char name[64];
	mqd_t q;

	snprintf(name, sizeof name, "/ctlt-counters-%d-%u", (int)getpid(), n++);
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &a);
	if (q == (mqd_t)-1)
		return -1;
	if (probing) {
		mq_unlink(name);
		mq_close(q);
	}
	return 0;
}

static int take(const char *what)
{
	if (strcmp(what, "inotify") == 0)
		return inotify_init1(IN_CLOEXEC) >= 0 ? 0 : -1;
	if (strcmp(what, "sigpending") == 0) {
		union sigval v = { 0 };

		return sigqueue(getpid(), SIGRTMIN, v);
	}
	if (strcmp(what, "mqueue") == 0)
		return take_mqueue();
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
		int rc;

		probing = 1;
		rc = take(argv[1] + 6);

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
