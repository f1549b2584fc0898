/* swap DIR A B [USEC]: exchange the names A and B in DIR with
 * renameat2(RENAME_EXCHANGE), over and over, as an ordinary user racing
 * ctlaunch would (attack-paths.bats), pausing USEC microseconds after
 * each (0: none), so that a state can also last across several steps of
 * a launch. Stops when killed, or after 10 million exchanges. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	int dir;
	long pause = argc == 5 ? atol(argv[4]) : 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: swap DIR A B [USEC]\n");
		return 2;
	}
	dir = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	for (long i = 0; i < 10000000; i++) {
		if (syscall(SYS_renameat2, dir, argv[2], dir, argv[3], RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
		if (pause > 0)
			usleep((useconds_t)pause);
	}
	return 0;
}
