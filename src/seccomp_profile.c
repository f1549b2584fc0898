/* The default seccomp profile, as data: the same effect as Docker's
 * default profile (moby's profiles/seccomp), written as our own table.
 * Everything not named here fails with EPERM. Pure: no system calls. */
#include <ctype.h>
#include <errno.h>
#include <linux/sched.h> /* CLONE_* values only */
#include <seccomp.h> /* its name tables only: no system call */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "syscall_filter.h"
#include "util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What any program needs: files, memory, processes and threads,
 * signals, time, sockets (but socket itself, below), System V and POSIX
 * IPC. Names a kernel or this libseccomp does not know are skipped.
 * Left out, and so EPERM: keyctl, add_key and request_key (the keyrings
 * are not namespaced: a container could read and plant the host's
 * keys), io_uring_* (a steady source of kernel exploits, and it does
 * I/O past the filter), userfaultfd (it stretches kernel races into
 * wide windows), perf_event_open and bpf (kernel memory and tracing of
 * the host), mount and the namespace calls (a user namespace gives
 * the container's root a new set of capabilities to attack the kernel
 * with: class 1 of issue 10), swapon, reboot, the module calls, and
 * the rest of what only the host's administrator should do. */
static const char *const allowed[] = {
	/* files and directories */
	"access", "faccessat", "faccessat2", "chdir", "fchdir", "getcwd",
	"chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "chown32", "fchown",
	"fchown32", "fchownat", "lchown", "lchown32", "creat", "open", "openat",
	"openat2", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "fcntl64",
	"flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
	"fallocate", "ftruncate", "ftruncate64", "truncate", "truncate64", "link",
	"linkat", "symlink", "symlinkat", "unlink", "unlinkat", "rename", "renameat",
	"renameat2", "mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "readlink",
	"readlinkat", "stat", "stat64", "lstat", "lstat64", "fstat", "fstat64",
	"fstatat64", "newfstatat", "statx", "statfs", "statfs64", "fstatfs",
	"fstatfs64", "getdents", "getdents64", "umask", "utime", "utimes",
	"utimensat", "utimensat_time64", "futimesat", "name_to_handle_at",
	"copy_file_range", "sendfile", "sendfile64", "splice", "tee", "vmsplice",
	"readahead", "fadvise64", "fadvise64_64", "lseek", "_llseek", "read",
	"readv", "pread64", "preadv", "preadv2", "write", "writev", "pwrite64",
	"pwritev", "pwritev2", "cachestat", "statmount", "listmount",
	/* extended attributes */
	"getxattr", "lgetxattr", "fgetxattr", "getxattrat", "setxattr", "lsetxattr",
	"fsetxattr", "setxattrat", "listxattr", "llistxattr", "flistxattr",
	"listxattrat", "removexattr", "lremovexattr", "fremovexattr",
	"removexattrat",
	/* waiting for events */
	"inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
	"fanotify_mark", "poll", "ppoll", "ppoll_time64", "select", "_newselect",
	"pselect6", "pselect6_time64", "epoll_create", "epoll_create1", "epoll_ctl",
	"epoll_ctl_old", "epoll_wait", "epoll_wait_old", "epoll_pwait",
	"epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime",
	"timerfd_gettime64", "pipe", "pipe2",
	/* POSIX asynchronous I/O (not io_uring) */
	"io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64",
	/* memory */
	"brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore",
	"msync", "mlock", "mlock2", "mlockall", "munlock", "munlockall",
	"remap_file_pages", "membarrier", "memfd_create", "memfd_secret",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "map_shadow_stack", "mseal",
	/* processes and threads (clone: below, with its rule) */
	"execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4",
	"waitid", "waitpid", "kill", "tkill", "tgkill", "getpid", "getppid", "gettid",
	"getpgid", "setpgid", "getpgrp", "getsid", "setsid", "getpriority",
	"setpriority", "prctl", "set_tid_address", "set_robust_list",
	"get_robust_list", "rseq", "restart_syscall", "pidfd_open",
	"pidfd_send_signal", "process_mrelease", "getrusage", "times", "sysinfo",
	"uname", "getcpu", "get_thread_area", "set_thread_area", "ioctl", "seccomp",
	"capget", "capset", "uretprobe", "riscv_hwprobe",
	/* Docker allows these from kernel 4.8 on, where ptrace can no
	 * longer be used to get past a seccomp filter; ctlaunch needs a
	 * newer kernel anyway. */
	"ptrace", "process_vm_readv", "process_vm_writev",
	/* user and group ids */
	"getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getegid", "getegid32", "getresuid", "getresuid32", "getresgid",
	"getresgid32", "getgroups", "getgroups32", "setuid", "setuid32", "setgid",
	"setgid32", "setreuid", "setreuid32", "setregid", "setregid32", "setresuid",
	"setresuid32", "setresgid", "setresgid32", "setfsuid", "setfsuid32",
	"setfsgid", "setfsgid32", "setgroups", "setgroups32",
	/* limits and scheduling */
	"getrlimit", "setrlimit", "ugetrlimit", "prlimit64", "sched_yield",
	"sched_getaffinity", "sched_setaffinity", "sched_getattr", "sched_setattr",
	"sched_getparam", "sched_setparam", "sched_getscheduler",
	"sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "ioprio_get",
	"ioprio_set",
	/* signals */
	"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sigaltstack", "sigprocmask", "sigreturn", "pause",
	"alarm",
	/* time (reading it; setting the clock needs CAP_SYS_TIME, below) */
	"adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "gettimeofday",
	"time", "getitimer", "setitimer", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "futex", "futex_time64", "futex_waitv", "futex_wait",
	"futex_wake", "futex_requeue",
	/* sockets; socketcall carries socket's arguments behind a pointer,
	 * where no filter can read them (32-bit x86) */
	"accept", "accept4", "bind", "connect", "listen", "getpeername",
	"getsockname", "getsockopt", "setsockopt", "recv", "recvfrom", "recvmsg",
	"recvmmsg", "recvmmsg_time64", "send", "sendto", "sendmsg", "sendmmsg",
	"shutdown", "socketpair", "socketcall",
	/* System V and POSIX IPC: the container has its own IPC namespace */
	"ipc", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop",
	"semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
	"mq_open", "mq_unlink", "mq_notify", "mq_getsetattr", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	/* the rest */
	"getrandom", "landlock_create_ruleset", "landlock_add_rule",
	"landlock_restrict_self",
	/* what each architecture needs of its own */
#if defined(__x86_64__) || defined(__i386__)
	"arch_prctl", "modify_ldt",
#endif
#if defined(__aarch64__) || defined(__arm__)
	"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
	"cacheflush", "set_tls",
#endif
#if defined(__powerpc64__)
	"sync_file_range2", "swapcontext",
#endif
#if defined(__s390x__)
	"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
#endif
#if defined(__riscv)
	"riscv_flush_icache",
#endif
};

/* What each capability grants beyond the list, as Docker grants it:
 * a container given CAP_SYS_ADMIN may mount and make namespaces
 * anyway, so the filter stops only what the capability set stops. */
static const char *const cap_sys_admin[] = {
	"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
	"fspick", "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules",
	"lsm_set_self_attr", "mount", "mount_setattr", "move_mount", "open_tree",
	"perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
	"setns", "syslog", "umount", "umount2", "unshare",
};
static const char *const cap_dac_read_search[] = { "open_by_handle_at" };
static const char *const cap_sys_boot[] = { "reboot" };
static const char *const cap_sys_chroot[] = { "chroot" };
static const char *const cap_sys_module[] = { "init_module", "finit_module", "delete_module" };
static const char *const cap_sys_pacct[] = { "acct" };
static const char *const cap_sys_ptrace[] = {
	"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
	"ptrace",
};
static const char *const cap_sys_rawio[] = { "iopl", "ioperm" };
static const char *const cap_sys_time[] = {
	"settimeofday", "stime", "clock_settime", "clock_settime64",
};
static const char *const cap_sys_tty_config[] = { "vhangup" };
static const char *const cap_sys_nice[] = {
	"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node",
};
static const char *const cap_syslog[] = { "syslog" };
static const char *const cap_bpf[] = { "bpf" };
static const char *const cap_perfmon[] = { "perf_event_open" };

static const struct {
	unsigned cap;
	const char *const *names;
	size_t n;
} by_cap[] = {
	{ 21 /* SYS_ADMIN */, cap_sys_admin, N(cap_sys_admin) },
	{ 2 /* DAC_READ_SEARCH */, cap_dac_read_search, N(cap_dac_read_search) },
	{ 22 /* SYS_BOOT */, cap_sys_boot, N(cap_sys_boot) },
	{ 18 /* SYS_CHROOT */, cap_sys_chroot, N(cap_sys_chroot) },
	{ 16 /* SYS_MODULE */, cap_sys_module, N(cap_sys_module) },
	{ 20 /* SYS_PACCT */, cap_sys_pacct, N(cap_sys_pacct) },
	{ 19 /* SYS_PTRACE */, cap_sys_ptrace, N(cap_sys_ptrace) },
	{ 17 /* SYS_RAWIO */, cap_sys_rawio, N(cap_sys_rawio) },
	{ 25 /* SYS_TIME */, cap_sys_time, N(cap_sys_time) },
	{ 26 /* SYS_TTY_CONFIG */, cap_sys_tty_config, N(cap_sys_tty_config) },
	{ 23 /* SYS_NICE */, cap_sys_nice, N(cap_sys_nice) },
	{ 34 /* SYSLOG */, cap_syslog, N(cap_syslog) },
	{ 39 /* BPF */, cap_bpf, N(cap_bpf) },
	{ 38 /* PERFMON */, cap_perfmon, N(cap_perfmon) },
};

static const char *const clone_name[] = { "clone" };
static const char *const clone3_name[] = { "clone3" };
static const char *const socket_name[] = { "socket" };
static const char *const personality_name[] = { "personality" };

/* The namespace flags clone may not carry without CAP_SYS_ADMIN. */
#define NS_FLAGS                                                                    \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
	 CLONE_NEWNET | CLONE_NEWCGROUP)

/* The address families socket may make: all the kernel still has, but
 * AF_VSOCK (host and guest talk over it, and before Linux 7.0 across
 * network namespaces: a container could reach every VM of the host)
 * and AF_ALG (the kernel's crypto API: attack surface a container has
 * no use for). Families below AF_DECnet (12) are one rule. */
static const unsigned families[] = {
	13 /* NETBEUI */, 14 /* SECURITY */, 15 /* KEY */, 16 /* NETLINK */,
	17 /* PACKET */, 18 /* ASH */, 21 /* RDS */, 22 /* SNA */, 24 /* PPPOX */,
	26 /* LLC */, 27 /* IB */, 28 /* MPLS */, 29 /* CAN */, 30 /* TIPC */,
	31 /* BLUETOOTH */, 32 /* IUCV */, 33 /* RXRPC */, 35 /* PHONET */,
	36 /* IEEE802154 */, 39 /* NFC */, 41 /* KCM */, 42 /* QIPCRTR */,
	43 /* SMC */, 44 /* XDP */, 45 /* MCTP */,
};

/* personality: the plain Linux one, with or without READ_IMPLIES_EXEC
 * (8) or ADDR_NO_RANDOMIZE (0x20000), and the query (0xffffffff).
 * Others change how the kernel lays out memory for exploits. */
static const uint64_t personas[] = { 0, 0x8, 0x20000, 0x20008, 0xffffffff };

uint64_t sc_conditional_caps(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < N(by_cap); i++)
		m |= CAPS_BIT(by_cap[i].cap);
	return m;
}

static struct sc_rule *rule(struct sc_profile *p, const char *const *names, size_t n,
			    enum sc_action a)
{
	struct sc_rule *r = &p->rules[p->n_rules++];

	memset(r, 0, sizeof *r);
	r->names = names;
	r->n_names = n;
	r->action = a;
	return r;
}

static void arg(struct sc_rule *r, unsigned index, enum sc_op op, uint64_t v, uint64_t v2)
{
	r->args[r->n_args++] = (struct sc_arg){ .index = index, .op = op, .value = v, .value_two = v2 };
}

_Static_assert(4 + N(by_cap) + N(families) + N(personas) <= SC_DEFAULT_RULES,
	       "struct sc_default holds every rule of the default profile");

void sc_default_profile(uint64_t caps, struct sc_default *d)
{
	struct sc_profile *out = &d->p;
	bool admin = caps & CAPS_BIT(21);

	memset(out, 0, sizeof *out);
	out->default_action = SC_ERRNO;
	out->default_errno = EPERM;
	/* The native architecture only, where Docker also lets 32-bit
	 * calls (x86, x32) through the same rules: a call of another ABI
	 * kills the process (sc_compile), so that int 0x80 cannot get past
	 * the rules either. The cost decided it: with three ABIs the
	 * kernel takes 0.4 to 1 ms to load the filter (it runs the filter
	 * for every call number of every ABI to build its cache), with one
	 * under 0.2 ms. 32-bit programs need a profile that lists their
	 * architecture (ctlaunch.yaml(5)). */
	out->rules = d->rules;
	rule(out, allowed, N(allowed), SC_ALLOW);
	for (size_t i = 0; i < N(by_cap); i++)
		if (caps & CAPS_BIT(by_cap[i].cap))
			rule(out, by_cap[i].names, by_cap[i].n, SC_ALLOW);
	if (!admin) {
		/* Threads and processes, but no namespaces. s390 has the
		 * flags second. */
#if defined(__s390x__)
		arg(rule(out, clone_name, 1, SC_ALLOW), 1, SC_MASKED_EQ, NS_FLAGS, 0);
#else
		arg(rule(out, clone_name, 1, SC_ALLOW), 0, SC_MASKED_EQ, NS_FLAGS, 0);
#endif
		/* clone3 takes its flags behind a pointer, where the filter
		 * cannot look: ENOSYS makes libc fall back to clone. */
		rule(out, clone3_name, 1, SC_ERRNO)->errno_ret = ENOSYS;
	}
	/* Several rules for one call: any may match. */
	arg(rule(out, socket_name, 1, SC_ALLOW), 0, SC_LT, 12, 0);
	for (size_t i = 0; i < N(families); i++)
		arg(rule(out, socket_name, 1, SC_ALLOW), 0, SC_EQ, families[i], 0);
	for (size_t i = 0; i < N(personas); i++)
		arg(rule(out, personality_name, 1, SC_ALLOW), 0, SC_EQ, personas[i], 0);
}

void sc_profile_free(struct sc_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		for (size_t j = 0; j < p->rules[i].n_names; j++)
			free((char *)p->rules[i].names[j]);
		free((void *)p->rules[i].names);
	}
	for (size_t i = 0; i < p->n_archs; i++)
		free((char *)p->archs[i]);
	free(p->rules);
	free(p);
}

static const char *const action_names[SC_ACTION__N] = {
	[SC_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS", [SC_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[SC_TRAP] = "SCMP_ACT_TRAP",                 [SC_ERRNO] = "SCMP_ACT_ERRNO",
	[SC_TRACE] = "SCMP_ACT_TRACE",               [SC_ALLOW] = "SCMP_ACT_ALLOW",
	[SC_LOG] = "SCMP_ACT_LOG",
};

static const char *const op_names[SC_OP__N] = {
	[SC_NE] = "SCMP_CMP_NE", [SC_LT] = "SCMP_CMP_LT", [SC_LE] = "SCMP_CMP_LE",
	[SC_EQ] = "SCMP_CMP_EQ", [SC_GE] = "SCMP_CMP_GE", [SC_GT] = "SCMP_CMP_GT",
	[SC_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *sc_action_name(enum sc_action a)
{
	return a < SC_ACTION__N ? action_names[a] : "?";
}

int sc_action_of(const char *name)
{
	/* SCMP_ACT_KILL is the OCI spelling of "kill the thread". */
	if (strcmp(name, "SCMP_ACT_KILL") == 0)
		return SC_KILL_THREAD;
	for (int i = 0; i < SC_ACTION__N; i++)
		if (strcmp(name, action_names[i]) == 0)
			return i;
	return -1;
}

const char *sc_op_name(enum sc_op op)
{
	return op < SC_OP__N ? op_names[op] : "?";
}

int sc_op_of(const char *name)
{
	for (int i = 0; i < SC_OP__N; i++)
		if (strcmp(name, op_names[i]) == 0)
			return i;
	return -1;
}

void sc_action_format(enum sc_action a, uint32_t errno_ret, char *buf, size_t size)
{
	const char *n = sc_action_name(a);

	n += strncmp(n, "SCMP_ACT_", 9) == 0 ? 9 : 0;

	if (a == SC_ERRNO && errno_ret == EPERM)
		snprintf(buf, size, "ERRNO(EPERM)");
	else if (a == SC_ERRNO && errno_ret == ENOSYS)
		snprintf(buf, size, "ERRNO(ENOSYS)");
	else if (a == SC_ERRNO || a == SC_TRACE)
		snprintf(buf, size, "%s(%u)", n, (unsigned)errno_ret);
	else
		snprintf(buf, size, "%s", n);
}

static const char *op_short(enum sc_op op)
{
	static const char *const sym[SC_OP__N] = {
		[SC_NE] = "!=", [SC_LT] = "<", [SC_LE] = "<=", [SC_EQ] = "==",
		[SC_GE] = ">=", [SC_GT] = ">", [SC_MASKED_EQ] = "&",
	};

	return op < SC_OP__N ? sym[op] : "?";
}

void sc_profile_print(const struct sc_profile *p, FILE *out)
{
	char act[64];

	if (p->n_archs) {
		fputs("      architectures:", out);
		for (size_t i = 0; i < p->n_archs; i++)
			fprintf(out, " %s", p->archs[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];

		sc_action_format(r->action, r->errno_ret, act, sizeof act);
		fprintf(out, "      %s:", act);
		for (size_t j = 0; j < r->n_names; j++)
			fprintf(out, " %s", r->names[j]);
		for (size_t j = 0; j < r->n_args; j++) {
			const struct sc_arg *a = &r->args[j];

			if (a->op == SC_MASKED_EQ)
				fprintf(out, " [arg%u & %#llx == %#llx]", a->index,
					(unsigned long long)a->value, (unsigned long long)a->value_two);
			else
				fprintf(out, " [arg%u %s %#llx]", a->index, op_short(a->op),
					(unsigned long long)a->value);
		}
		fputc('\n', out);
	}
}

uint32_t sc_arch_token(const char *oci_name)
{
	char lower[32];
	size_t i = 0;

	if (strncmp(oci_name, "SCMP_ARCH_", 10) != 0)
		return 0;
	for (const char *c = oci_name + 10; *c && i + 1 < sizeof lower; c++)
		lower[i++] = (char)tolower((unsigned char)*c);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

bool sc_arch_known(const char *oci_name)
{
	return sc_arch_token(oci_name) != 0;
}

bool sc_syscall_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}
