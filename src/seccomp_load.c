/* The filter a launch loads: the built-in one when it fits, else
 * compiled now (the parent); and the child's one call that loads it. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>

#include "syscall_filter.h"

int sc_prepare(const struct sc_profile *custom, uint64_t caps, struct sc_bpf *out,
	       struct ct_err *e)
{
	struct sc_default def;

	memset(out, 0, sizeof *out);
	if (custom)
		return sc_compile(custom, out, e);
	/* The default filter differs only by the conditional capabilities:
	 * compiling it costs more than the rest of a launch (see the
	 * Makefile), so the build compiles it once for the default set. */
	if ((caps & sc_conditional_caps()) == sc_builtin_caps) {
		out->insns = (void *)sc_builtin_insns;
		out->len = sc_builtin_len;
		return 0;
	}
	sc_default_profile(caps, &def);
	return sc_compile(&def.p, out, e);
}

int sc_load(const struct sc_bpf *b, struct ct_err *e)
{
	struct sock_fprog prog = { .len = b->len, .filter = b->insns };

	/* prctl rather than seccomp(2): the same filter, and the call is
	 * in every filter's allow-list that lets a process set one up.
	 * Without no_new_privs the kernel wants CAP_SYS_ADMIN: the plan
	 * then loads the filter before the capabilities go. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return ct_fail(e, errno, "load the seccomp filter");
	return 0;
}
