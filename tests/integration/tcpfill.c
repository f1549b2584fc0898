/* tcpfill N: N loopback TCP connections whose receiving ends are never
 * read; writes to each until the kernel refuses more (EAGAIN: the
 * queues are full, or the memory they are charged to is), then prints
 *   queued BYTES
 *   usage BYTES limit BYTES   (memory.kmem.tcp.* of the container's
 *                              memory cgroup, as seen inside)
 * and holds the sockets open until its stdin ends. Issue 15 class 4:
 * no timing is involved, the kernel says when to stop. Static, built
 * by the test. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long long file_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long long n = -1;

	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 64;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	static char buf[65536];
	long long queued = 0;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char c;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, n) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0) {
		perror("tcpfill: listen");
		return 1;
	}
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ssize_t w;

		/* Connected while blocking, then written without. */
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0 ||
		    accept4(l, NULL, NULL, SOCK_CLOEXEC) < 0 || fcntl(s, F_SETFL, O_NONBLOCK) < 0) {
			/* A connection the kernel refuses is as good as full. */
			if (s >= 0)
				close(s);
			continue;
		}
		while ((w = write(s, buf, sizeof buf)) > 0)
			queued += w;
		if (errno != EAGAIN && errno != ENOBUFS && errno != ENOMEM) {
			perror("tcpfill: write");
			return 1;
		}
	}
	printf("queued %lld\n", queued);
	printf("usage %lld limit %lld\n",
	       file_number("/sys/fs/cgroup/memory/memory.kmem.tcp.max_usage_in_bytes"),
	       file_number("/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes"));
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
