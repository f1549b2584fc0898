/* ctlaunch's init: the container's PID 1 when the spec says init: true.
 *
 * Built on its own, freestanding (no libc: a few hundred bytes of code),
 * and carried inside ctlaunch as data (src/init.c). At a launch ctlaunch
 * copies it into a sealed memfd and the container's process execs that
 * descriptor as its last act, in place of the command. So the
 * container's PID 1 is never ctlaunch's binary: its /proc/1/exe is an
 * anonymous file of that launch that nobody can write (F_SEAL_WRITE),
 * and no path leads from the container to the host's ctlaunch (the
 * class of CVE-2019-5736, where runc's binary was rewritten through
 * /proc/PID/exe). Like tini and catatonit it only starts the command,
 * reaps, forwards and exits; it runs with the command's user,
 * capabilities, no_new_privs and seccomp filter, all set before its exec.
 *
 * argv: ctlaunch-init FD ARGV0 [ARG...]. FD is the command's file,
 * opened and checked by ctlaunch (src/command.c) and exec'd by
 * descriptor; ARGV0... its arguments. The environment is the command's.
 *
 * What it does:
 *   - starts the command in a process group of its own, the terminal's
 *     foreground group when the container has a controlling terminal;
 *   - forwards every signal it gets (from ctlaunch, or from inside) to
 *     that process group: one Control-C or SIGTERM ends a command that
 *     has no handler, which as PID 1 it would ignore;
 *   - reaps every child, the orphans of the container's processes too;
 *   - exits with the command's status, 128 + N when signal N killed it;
 *     the kernel then kills what is left of the PID namespace. */
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/prctl.h>
#include <linux/wait.h>

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The kernel starts a program with argc, argv and envp on the stack. */
__asm__(".text\n"
	".globl _start\n"
	".type _start,@function\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call init_start\n"
	"	hlt\n");
#elif defined(__aarch64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

__asm__(".text\n"
	".globl _start\n"
	".type _start,%function\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl init_start\n");
#else
/* cppcheck-suppress preprocessorErrorDirective */
#error "ctlaunch's init has no start code for this architecture (x86_64 and aarch64 only)"
#endif

#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* The kernel's sigaction, as rt_sigaction takes it (x86_64 and arm64
 * both have sa_restorer). */
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

#define ALL_SIGNALS (~0UL)
#define MASK_SIZE 8

__attribute__((noreturn)) static void leave(int status)
{
	for (;;)
		sys3(__NR_exit_group, status, 0, 0);
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void say(const char *s)
{
	sys3(__NR_write, 2, s, len(s));
}

/* The words of the errors an exec of a checked descriptor can still
 * meet; strerror's text, as ctlaunch would print it. */
static const char *error_text(long err)
{
	switch (err) {
	case ENOENT: return "No such file or directory";
	case ENOTDIR: return "Not a directory";
	case EACCES: return "Permission denied";
	case ENOEXEC: return "Exec format error";
	case E2BIG: return "Argument list too long";
	case ENOMEM: return "Cannot allocate memory";
	case ETXTBSY: return "Text file busy";
	case ELOOP: return "Too many levels of symbolic links";
	case EPERM: return "Operation not permitted";
	case EAGAIN: return "Resource temporarily unavailable";
	default: return "error";
	}
}

/* "ctlaunch: init: WHAT WHO: TEXT" on stderr, then exit with status. */
__attribute__((noreturn)) static void die(const char *what, const char *who, long err, int status)
{
	say("ctlaunch: init: ");
	say(what);
	if (who) {
		say(" ");
		say(who);
	}
	say(": ");
	say(error_text(err));
	say("\n");
	leave(status);
}

static int parse_fd(const char *s)
{
	int fd = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || fd > 100000)
			return -1;
		fd = fd * 10 + (*s - '0');
	}
	return fd;
}

/* The command's process: a group of its own, in the foreground of the
 * controlling terminal if there is one (signals still blocked, so the
 * kernel's SIGTTOU for a background group does not stop it), the
 * caller's signal mask and SIGCHLD action back, then the exec. */
__attribute__((noreturn)) static void start_command(int fd, char **argv, char **envp,
						     const unsigned long *mask,
						     const struct ksigaction *chld)
{
	long self = sys3(__NR_getpid, 0, 0, 0), fg;
	long err;

	sys3(__NR_setpgid, 0, 0, 0);
	if (sys3(__NR_ioctl, 0, TIOCGPGRP, &fg) == 0)
		sys3(__NR_ioctl, 0, TIOCSPGRP, &self);
	sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
	sys6(__NR_rt_sigaction, SIGCHLD, (long)chld, 0, MASK_SIZE, 0, 0);
	sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)mask, 0, MASK_SIZE, 0, 0);
	err = sys6(__NR_execveat, fd, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH, 0);
	die("exec", argv[0], -err, err == -ENOENT || err == -ENOTDIR ? 127 : 126);
}

static int status_of(int wstatus)
{
	if ((wstatus & 0x7f) == 0)
		return (wstatus >> 8) & 0xff;
	return 128 + (wstatus & 0x7f);
}

/* Reap every child that has ended; 1 when one of them was the command,
 * its exit status then in *status. */
static int reap(long cmd, int *status)
{
	int wstatus, done = 0;
	long pid;

	while ((pid = sys6(__NR_wait4, -1, (long)&wstatus, WNOHANG, 0, 0, 0)) > 0)
		if (pid == cmd) {
			*status = status_of(wstatus);
			done = 1;
		}
	return done;
}

__attribute__((noreturn, used)) void init_start(long *sp);

__attribute__((noreturn, used)) void init_start(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	unsigned long all = ALL_SIGNALS, mask;
	struct ksigaction dfl = { 0, 0, 0, 0 }, chld;
	/* siginfo_t is 128 bytes on every architecture. */
	unsigned long info[16];
	int fd, status = 0;
	long cmd;

	if (argc < 3 || (fd = parse_fd(argv[1])) < 0) {
		say("ctlaunch: init: started without a command (it is started by ctlaunch)\n");
		leave(125);
	}
	sys6(__NR_prctl, PR_SET_NAME, (long)"ctlaunch-init", 0, 0, 0, 0);
	/* Every signal waits in the queue, to be taken by sigtimedwait:
	 * no handler runs, and none is lost between the fork and the wait.
	 * SIGCHLD at its default, never ignored: an inherited SIG_IGN
	 * would make the kernel reap the command with its status. */
	sys6(__NR_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&mask, MASK_SIZE, 0, 0);
	sys6(__NR_rt_sigaction, SIGCHLD, (long)&dfl, (long)&chld, MASK_SIZE, 0, 0);
	cmd = sys6(__NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
	if (cmd < 0)
		die("fork", 0, -cmd, 125);
	if (cmd == 0)
		start_command(fd, argv + 2, envp, &mask, &chld);
	/* Both sides set the group: whichever comes first, it exists
	 * before a signal is forwarded to it. */
	sys3(__NR_setpgid, cmd, cmd, 0);
	sys3(__NR_close, fd, 0, 0);
	for (;;) {
		long sig = sys6(__NR_rt_sigtimedwait, (long)&all, (long)info, 0, MASK_SIZE, 0, 0);

		if (sig == SIGCHLD || sig < 0) {
			if (reap(cmd, &status))
				leave(status);
			continue;
		}
		/* To the group; to the command alone if it has left it. */
		if (sys3(__NR_kill, -cmd, sig, 0) < 0)
			sys3(__NR_kill, cmd, sig, 0);
	}
}
