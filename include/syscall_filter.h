/* The seccomp filter: a profile as data (pure: the parser and the
 * planner build and print it), its compilation to BPF with libseccomp
 * (the parent, before the clone: libseccomp allocates, and a vfork
 * child must not), and its loading (the child, one prctl). */
#ifndef CTLAUNCH_SYSCALL_FILTER_H
#define CTLAUNCH_SYSCALL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* The actions of the OCI runtime spec's linux.seccomp, less
 * SCMP_ACT_NOTIFY (it needs a supervisor listening on a socket). */
enum sc_action {
	SC_KILL_PROCESS, SC_KILL_THREAD, SC_TRAP, SC_ERRNO, SC_TRACE, SC_ALLOW, SC_LOG,
	SC_ACTION__N
};

enum sc_op { SC_NE, SC_LT, SC_LE, SC_EQ, SC_GE, SC_GT, SC_MASKED_EQ, SC_OP__N };

#define SC_MAX_ARGS 6   /* a system call has six arguments */
#define SC_MAX_ARCHS 16

struct sc_arg {
	unsigned index;          /* 0..5 */
	enum sc_op op;
	uint64_t value, value_two; /* masked_eq: (arg & value) == value_two */
};

struct sc_rule {
	const char *const *names;
	size_t n_names;
	enum sc_action action;
	uint32_t errno_ret;      /* SC_ERRNO, SC_TRACE: the errno or the tracer's data */
	struct sc_arg args[SC_MAX_ARGS];
	size_t n_args;
	struct ct_loc at;        /* the syscalls: item; line 0: built in */
};

struct sc_profile {
	enum sc_action default_action;
	uint32_t default_errno;
	const char *archs[SC_MAX_ARCHS]; /* OCI names, "SCMP_ARCH_X86"; none: native only */
	size_t n_archs;
	struct sc_rule *rules;
	size_t n_rules;
	struct ct_loc at;
};

enum sc_mode { SC_MODE_DEFAULT, SC_MODE_UNCONFINED, SC_MODE_CUSTOM };

/* The capabilities that change the default filter: Docker grants some
 * calls only to a container that has one of these. */
uint64_t sc_conditional_caps(void);

/* The default profile, Docker's in effect, for a container whose final
 * capability set is caps, in d->p: its rules in d->rules, its names
 * static; nothing to free. No allocation: the vfork child's -v log
 * formats the seccomp step (exec.c, "What the child may call"). */
#define SC_DEFAULT_RULES 48     /* every rule it can have (a static assert says so) */
struct sc_default {
	struct sc_profile p;
	struct sc_rule rules[SC_DEFAULT_RULES];
};
void sc_default_profile(uint64_t caps, struct sc_default *d);

/* A custom profile as the parser made it: every name, the rules, the
 * profile itself. */
void sc_profile_free(struct sc_profile *p);

/* "SCMP_ACT_ERRNO" and back; the name of an op likewise. -1: unknown. */
const char *sc_action_name(enum sc_action a);
int sc_action_of(const char *name);
const char *sc_op_name(enum sc_op op);
int sc_op_of(const char *name);
/* "SCMP_ARCH_X86_64" -> libseccomp's token, or 0 when this libseccomp
 * does not know the OCI architecture name. */
uint32_t sc_arch_token(const char *oci_name);
bool sc_arch_known(const char *oci_name);
/* Whether this libseccomp knows the system call (on any architecture):
 * an unknown name is skipped, as runc does, so that a profile written
 * for a newer kernel still loads. */
bool sc_syscall_known(const char *name);

/* "ERRNO(EPERM)", "ALLOW", "ERRNO(38)": an action as --plan shows it. */
void sc_action_format(enum sc_action a, uint32_t errno_ret, char *buf, size_t size);
/* One line a rule, indented, for --plan -v and -v. */
void sc_profile_print(const struct sc_profile *p, FILE *out);

/* A BPF program ready for the kernel. */
struct sc_bpf {
	void *insns;             /* struct sock_filter[len] */
	unsigned short len;
	bool owned;              /* insns is ours to free (not the built-in one) */
};

/* Compiles p with libseccomp (allocates; the parent only). */
int sc_compile(const struct sc_profile *p, struct sc_bpf *out, struct ct_err *e);
void sc_bpf_free(struct sc_bpf *b);

/* The filter for a plan's seccomp step: the default profile for these
 * capabilities comes precompiled when the build made it for the same
 * conditional capabilities (the common case: no compile at run time),
 * else it is compiled here. custom: NULL for the default profile. */
int sc_prepare(const struct sc_profile *custom, uint64_t caps, struct sc_bpf *out,
	       struct ct_err *e);

/* The child's side: no allocation, one prctl. */
int sc_load(const struct sc_bpf *b, struct ct_err *e);

/* Made at build time by tools/seccomp-gen (build/gen/seccomp_builtin.c):
 * the default filter compiled for the conditional capabilities in
 * sc_builtin_caps. */
extern const uint64_t sc_builtin_caps;
extern const unsigned short sc_builtin_len;
extern const unsigned char sc_builtin_insns[];

#endif
