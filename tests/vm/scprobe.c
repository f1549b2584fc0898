/* scprobe TEST...: tries each system call the seccomp tests name and
 * prints "TEST ok" or "TEST ERRNO-NAME". Static, for a busybox rootfs
 * with no compiler (built by the tests: tests/integration/seccomp.bats,
 * tests/vm/run.sh). The arguments are chosen so that, without a
 * filter, the kernel answers something other than EPERM (EFAULT,
 * EINVAL, ENOKEY, success): an EPERM is the filter's.
 *
 *   keyadd DESC DATA   add a "user" key to the user keyring, print its id
 *   keyread ID         read a key (KEYCTL_READ), print its payload
 *   keyrm ID           unlink a key from the user keyring
 *   keyfind DESC       look for a "user" key in the user keyring
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define UFFD_USER_MODE_ONLY 1

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* A child made by fn's call exits at once; the parent reaps it. */
static long reap(long pid)
{
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid < 0 ? -1 : 0;
}

static long probe(const char *t)
{
	if (!strcmp(t, "unshare-user"))
		return unshare(CLONE_NEWUSER);
	if (!strcmp(t, "unshare-ns"))
		return unshare(CLONE_NEWNS);
	if (!strcmp(t, "unshare-cgroup"))
		return unshare(CLONE_NEWCGROUP);
	if (!strcmp(t, "clone-user"))
		return reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
	if (!strcmp(t, "clone-plain"))
		return reap(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
	if (!strcmp(t, "clone3")) {
		struct clone_args_v0 a = { .exit_signal = SIGCHLD };

		return reap(syscall(SYS_clone3, &a, sizeof a));
	}
	if (!strcmp(t, "mount"))
		return mount("ctlt", "/tmp", "tmpfs", 0, NULL);
	if (!strcmp(t, "keyctl"))
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0);
	if (!strcmp(t, "add_key"))
		return syscall(SYS_add_key, "user", "ctlt-planted", "x", 1, KEY_SPEC_USER_KEYRING);
	if (!strcmp(t, "request_key"))
		return syscall(SYS_request_key, "user", "ctlt-no-such-key", NULL, 0);
	if (!strcmp(t, "perf_event_open"))
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (!strcmp(t, "io_uring_setup"))
		return syscall(SYS_io_uring_setup, 1, NULL);
	if (!strcmp(t, "bpf"))
		return syscall(SYS_bpf, 1000, NULL, 0);
	if (!strcmp(t, "userfaultfd"))
		return syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (!strcmp(t, "vsock"))
		return socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!strcmp(t, "inet"))
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!strcmp(t, "personality-query"))
		return personality(0xffffffff) < 0 ? -1 : 0;
	if (!strcmp(t, "personality-bad"))
		return personality(ADDR_COMPAT_LAYOUT) < 0 ? -1 : 0;
#if defined(__x86_64__)
	/* getpid through the 32-bit entry (int 0x80, call 20): another
	 * ABI, which the default filter does not let past. */
	if (!strcmp(t, "int80")) {
		long r = 20;

		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
		errno = r < 0 ? (int)-r : 0;
		return r < 0 ? -1 : 0;
	}
#endif
	if (!strcmp(t, "chroot"))
		return chroot("/");
	if (!strcmp(t, "setns"))
		return setns(-1, 0);
	if (!strcmp(t, "ptrace")) {
		long pid = fork();

		/* The child asks to be traced by its parent, this program:
		 * never by ctlaunch, which would not expect it. */
		if (pid == 0)
			_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? errno : 0);
		if (pid > 0) {
			int st;

			waitpid((pid_t)pid, &st, 0);
			errno = WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
			return errno ? -1 : 0;
		}
		return -1;
	}
	errno = EINVAL;
	fprintf(stderr, "scprobe: unknown test %s\n", t);
	exit(2);
}

static int keys(int argc, char **argv)
{
	char buf[256];
	long n;

	if (!strcmp(argv[1], "keyadd") && argc == 4) {
		n = syscall(SYS_add_key, "user", argv[2], argv[3], strlen(argv[3]),
			    KEY_SPEC_USER_KEYRING);
		if (n < 0) {
			printf("keyadd %s\n", strerrorname_np(errno));
			return 1;
		}
		printf("%ld\n", n);
		return 0;
	}
	if (!strcmp(argv[1], "keyread") && argc == 3) {
		n = syscall(SYS_keyctl, KEYCTL_READ, atol(argv[2]), buf, sizeof buf - 1);
		if (n < 0) {
			printf("keyread %s\n", strerrorname_np(errno));
			return 1;
		}
		buf[n < (long)sizeof buf ? n : (long)sizeof buf - 1] = '\0';
		printf("keyread ok %s\n", buf);
		return 0;
	}
	if (!strcmp(argv[1], "keyfind") && argc == 3) {
		n = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", argv[2], 0);
		if (n < 0)
			printf("keyfind %s\n", strerrorname_np(errno));
		else
			printf("keyfind found %ld\n", n);
		return n < 0;
	}
	if (!strcmp(argv[1], "keyrm") && argc == 3) {
		n = syscall(SYS_keyctl, KEYCTL_UNLINK, atol(argv[2]), KEY_SPEC_USER_KEYRING);
		printf("keyrm %s\n", n < 0 ? strerrorname_np(errno) : "ok");
		return n < 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: scprobe TEST...\n");
		return 2;
	}
	rc = keys(argc, argv);
	if (rc >= 0)
		return rc;
	/* Each in a child of its own: one that works (unshare, mount)
	 * must not change what the next one meets. */
	for (int i = 1; i < argc; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0) {
			perror("scprobe: fork");
			return 1;
		}
		if (pid == 0) {
			long r;

			errno = 0;
			r = probe(argv[i]);
			printf("%s %s\n", argv[i], r < 0 ? strerrorname_np(errno) : "ok");
			fflush(stdout);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) < 0)
			printf("%s lost\n", argv[i]);
		else if (WIFSIGNALED(st))
			printf("%s killed by %s\n", argv[i], sigabbrev_np(WTERMSIG(st)));
		else if (WEXITSTATUS(st))
			printf("%s died\n", argv[i]);
		fflush(stdout);
	}
	return 0;
}
