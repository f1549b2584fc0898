/* The device policy in the kernel's two forms: the v1 devices
 * controller's allow list, and on cgroup v2, where that controller is
 * gone, a BPF_CGROUP_DEVICE program the kernel runs at each open and
 * mknod of a device node in the cgroup. The program is written out
 * instruction by instruction (no libbpf, no compiler): it is a dozen
 * comparisons. Used by the executor, in the parent, before the
 * container's process exists. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "util.h"
#include "util_fd.h"

static int write_each(const char *dir, const char *file, const char *const *v, size_t n,
		      struct ct_err *e)
{
	cleanup_free char *path = path_join(dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return ct_fail(e, errno, "open %s", path);
	/* One rule a write: the kernel parses one entry per write(2). */
	for (size_t i = 0; i < n; i++)
		if (write(fd, v[i], strlen(v[i])) < 0)
			return ct_fail(e, errno, "write '%s' to %s", v[i], path);
	return 0;
}

int dev_policy_v1(const char *dir, struct ct_err *e)
{
	const char *deny[] = { "a" };
	char rules[N_DEV_RULES][24];
	const char *allow[N_DEV_RULES];

	/* A new cgroup starts with its parent's list, on this host "a *:*
	 * rwm": clear it first, then allow the few. */
	if (write_each(dir, "devices.deny", deny, 1, e) < 0)
		return -1;
	for (size_t i = 0; i < N_DEV_RULES; i++) {
		dev_rule_format(i, rules[i], sizeof rules[i]);
		allow[i] = rules[i];
	}
	return write_each(dir, "devices.allow", allow, N_DEV_RULES, e);
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The program, into prog (room for 4 + 3 * n_dev_rules + 2
 * instructions); returns the count. The context is struct
 * bpf_cgroup_dev_ctx: access_type (the access << 16 | the type),
 * major, minor. Return 1 allows, 0 denies. Every rule allows read,
 * write and mknod, so only the type and the numbers are looked at. */
static size_t dev_program(struct bpf_insn *prog)
{
	size_t n = 0, to_deny;

	prog[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
	prog[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	prog[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
	prog[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
	/* A block device never: jump to the end, patched below. */
	to_deny = n;
	prog[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, BPF_DEVCG_DEV_CHAR);
	for (size_t i = 0; i < n_dev_rules; i++) {
		bool any = dev_rules[i].minor < 0;

		/* Past this rule's instructions when the major differs:
		 * the minor test (if any), r0 = 1, exit. */
		prog[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, any ? 2 : 3,
				 (int)dev_rules[i].major);
		if (!any)
			prog[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 2,
					 dev_rules[i].minor);
		prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		prog[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	prog[to_deny].off = (short)(n - to_deny - 1);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	prog[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

int dev_policy_bpf(const char *dir, struct ct_err *e)
{
	/* 7 + at most 4 a rule. */
	struct bpf_insn prog[7 + 4 * N_DEV_RULES];
	union bpf_attr load, attach;
	cleanup_close int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int fd = -1;

	if (cg < 0)
		return ct_fail(e, errno, "open %s", dir);
	memset(&load, 0, sizeof load);
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)prog;
	load.insn_cnt = (uint32_t)dev_program(prog);
	load.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(load.prog_name, sizeof load.prog_name, "ctlaunch_dev");
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
	if (fd < 0)
		return ct_fail(e, errno, "bpf BPF_PROG_LOAD of the device program");
	memset(&attach, 0, sizeof attach);
	attach.target_fd = (uint32_t)cg;
	attach.attach_bpf_fd = (uint32_t)fd;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	/* The cgroup keeps the program; our descriptor can go. */
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach) < 0)
		return ct_fail(e, errno, "bpf BPF_PROG_ATTACH of the device program to %s", dir);
	return 0;
}
