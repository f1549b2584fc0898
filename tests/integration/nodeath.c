/* A container's pid 1 that cancels its own supervision, for
 * supervise.bats: "prctl" clears the parent-death signal with
 * PR_SET_PDEATHSIG 0; "setuid" switches to uid 1000, which the kernel
 * does too (any change of uid, gid or capabilities clears it); with no
 * argument it keeps it. Then it says "ready" and sleeps until killed. Static: the rootfs has no libc
 * of its own. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
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
	for (;;)
		pause();
}
