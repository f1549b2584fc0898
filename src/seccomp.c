/* A profile compiled to BPF with libseccomp. The parent does it, before
 * the clone: libseccomp allocates, and a vfork child must not. Linked
 * into tools/seccomp-gen too, which compiles the default profile at
 * build time. */
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syscall_filter.h"
#include "util.h"
#include "util_fd.h"

static uint32_t action_of(enum sc_action a, uint32_t errno_ret)
{
	switch (a) {
	case SC_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SC_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SC_TRAP:
		return SCMP_ACT_TRAP;
	case SC_ERRNO:
		return SCMP_ACT_ERRNO(errno_ret);
	case SC_TRACE:
		return SCMP_ACT_TRACE(errno_ret);
	case SC_LOG:
		return SCMP_ACT_LOG;
	case SC_ALLOW:
	case SC_ACTION__N:
		break;
	}
	return SCMP_ACT_ALLOW;
}

static const enum scmp_compare cmp_of[SC_OP__N] = {
	[SC_NE] = SCMP_CMP_NE, [SC_LT] = SCMP_CMP_LT, [SC_LE] = SCMP_CMP_LE,
	[SC_EQ] = SCMP_CMP_EQ, [SC_GE] = SCMP_CMP_GE, [SC_GT] = SCMP_CMP_GT,
	[SC_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static struct scmp_arg_cmp cmp(const struct sc_arg *a)
{
	/* OCI's masked_eq: value is the mask, valueTwo what must remain. */
	return (struct scmp_arg_cmp){ .arg = a->index, .op = cmp_of[a->op],
				      .datum_a = a->value, .datum_b = a->value_two };
}

/* One rule for one call, as runc reads the OCI spec: comparisons on
 * different arguments must all hold; several on the same argument are
 * separate rules, any of which may match. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct sc_rule *r)
{
	struct scmp_arg_cmp c[SC_MAX_ARGS];
	bool repeated = false;
	int rc;

	for (size_t i = 0; i < r->n_args; i++)
		for (size_t j = 0; j < i; j++)
			repeated = repeated || r->args[i].index == r->args[j].index;
	if (!repeated) {
		for (size_t i = 0; i < r->n_args; i++)
			c[i] = cmp(&r->args[i]);
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, c);
		return rc == -EEXIST ? 0 : rc;
	}
	for (size_t i = 0; i < r->n_args; i++) {
		c[0] = cmp(&r->args[i]);
		rc = seccomp_rule_add_array(ctx, action, nr, 1, c);
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

/* The BPF libseccomp writes to a descriptor, read back into memory:
 * libseccomp 2.5 has no export to memory. */
static int export(scmp_filter_ctx ctx, struct sc_bpf *out, struct ct_err *e)
{
	cleanup_close int fd = memfd_create("ctlaunch-seccomp", MFD_CLOEXEC);
	struct stat st;
	int rc;

	if (fd < 0)
		return ct_fail(e, errno, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return ct_fail(e, -rc, "seccomp: export the filter");
	if (fstat(fd, &st) < 0)
		return ct_fail(e, errno, "seccomp: fstat");
	/* BPF_MAXINSNS: the kernel loads no longer program. */
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return ct_fail(e, 0, "seccomp: the filter has %lld bytes (the kernel takes at most "
				     "%d instructions)", (long long)st.st_size, BPF_MAXINSNS);
	out->insns = xmalloc((size_t)st.st_size);
	out->owned = true;
	out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	if (pread(fd, out->insns, (size_t)st.st_size, 0) != st.st_size) {
		sc_bpf_free(out);
		return ct_fail(e, errno, "seccomp: read the filter back");
	}
	return 0;
}

int sc_compile(const struct sc_profile *p, struct sc_bpf *out, struct ct_err *e)
{
	uint32_t def = action_of(p->default_action, p->default_errno);
	scmp_filter_ctx ctx = seccomp_init(def);
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!ctx)
		return ct_fail(e, ENOMEM, "seccomp: init");
	/* ctlaunch sets no_new_privs itself, as a plan step. A binary
	 * tree of call numbers, not a list: the kernel runs the filter for
	 * every call number when it loads it (to cache what is always
	 * allowed), and on every call not cached; a list took twice as
	 * long to load. A call of an architecture the profile does not
	 * name (a 32-bit int 0x80 from a 64-bit process) kills. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) {
		seccomp_release(ctx);
		return ct_fail(e, 0, "seccomp: set the filter's attributes");
	}
	for (size_t i = 0; i < p->n_archs && rc == 0; i++) {
		rc = seccomp_arch_add(ctx, sc_arch_token(p->archs[i]));
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc < 0) {
		seccomp_release(ctx);
		return ct_fail(e, -rc, "seccomp: add the architectures");
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sc_rule *r = &p->rules[i];
		uint32_t action = action_of(r->action, r->errno_ret);

		/* libseccomp refuses a rule that does what the default does;
		 * it changes nothing. */
		if (action == def)
			continue;
		for (size_t j = 0; j < r->n_names; j++) {
			int nr = seccomp_syscall_resolve_name(r->names[j]);

			/* Unknown to this libseccomp: a call newer than it,
			 * skipped as runc does. */
			if (nr == __NR_SCMP_ERROR)
				continue;
			rc = add_rule(ctx, action, nr, r);
			if (rc < 0) {
				seccomp_release(ctx);
				if (r->at.line)
					return ct_fail(e, -rc, "seccomp: rule for %s (line %u)",
						       r->names[j], r->at.line);
				return ct_fail(e, -rc, "seccomp: rule for %s", r->names[j]);
			}
		}
	}
	rc = export(ctx, out, e);
	seccomp_release(ctx);
	return rc;
}

void sc_bpf_free(struct sc_bpf *b)
{
	if (b->owned)
		free(b->insns);
	b->insns = NULL;
	b->len = 0;
	b->owned = false;
}
