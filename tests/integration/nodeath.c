/* A container's pid 1 that cancels its own supervision, for
 * supervise.bats: "prctl" clears the parent-death signal with
 * PR_SET_PDEATHSIG 0; "setuid" switches to uid 1000, which the kernel
 * does too (any change of uid, gid or capabilities clears it); with no
 * argument it keeps it. Then it says "ready" and sleeps until killed.
 * With a second argument "fill", a child first fills /dev/shm (tmpfs:
 * pages no process's RSS counts, so the OOM killer's choice falls on
 * ctlaunch, the biggest process of the memory cgroup, unless ctlaunch
 * shares no memory with its watcher) and pid 1, once it ended, frees
 * the memory and says how it ended. Static: the
 * rootfs has no libc of its own. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sig = -1;

	if (argc > 1 && strcmp(argv[1], "prctl") == 0 && prctl(PR_SET_PDEATHSIG, 0) < 0)
		return 1;
	if (argc > 1 && strcmp(argv[1], "setuid") == 0 && setresuid(1000, 1000, 1000) < 0)
		return 1;
	/* Cancelled, as the kernel says: or the test would prove nothing. */
	if (argc > 1 && (prctl(PR_GET_PDEATHSIG, &sig) < 0 || sig != 0))
		return 2;
	if (write(1, "ready\n", 6) != 6)
		return 1;
	if (argc > 2 && strcmp(argv[2], "fill") == 0) {
		static char chunk[65536], ballast[512 * 1024];
		int st = 0;
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open("/dev/shm/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);

			/* Bigger than pid 1, smaller than ctlaunch: the OOM
			 * killer's second choice. */
			for (size_t i = 0; i < sizeof ballast; i += 4096)
				ballast[i] = 1;

			while (fd >= 0 && write(fd, chunk, sizeof chunk) > 0)
				;
			_exit(3);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			return 1;
		/* The memory back: nothing more for the OOM killer to do. */
		unlink("/dev/shm/fill");
		if (WIFSIGNALED(st))
			printf("filler killed by signal %d\n", WTERMSIG(st));
		else
			printf("filler exited %d\n", WEXITSTATUS(st));
		fflush(stdout);
	}
	for (;;)
		pause();
}
