#include <errno.h>
#include <string.h>

#include "caps.h"
#include "syscall_filter.h"
#include "t.h"

static bool names(const struct sc_profile *p, const char *name, enum sc_action a, size_t n_args)
{
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t j = 0; j < p->rules[i].n_names; j++)
			if (strcmp(p->rules[i].names[j], name) == 0 && p->rules[i].action == a &&
			    p->rules[i].n_args == n_args)
				return true;
	return false;
}

/* What Docker grants by capability, granted here by the same. */
TEST(default_grants_by_capability)
{
	struct sc_default d;
	const struct sc_profile *p = &d.p;

	sc_default_profile(CAPS_DEFAULT, &d);
	CHECK(p->default_action == SC_ERRNO && p->default_errno == EPERM);
	CHECK(names(p, "read", SC_ALLOW, 0) && names(p, "chroot", SC_ALLOW, 0));
	CHECK(!names(p, "mount", SC_ALLOW, 0) && !names(p, "unshare", SC_ALLOW, 0) &&
	      !names(p, "keyctl", SC_ALLOW, 0) && !names(p, "add_key", SC_ALLOW, 0) &&
	      !names(p, "io_uring_setup", SC_ALLOW, 0) && !names(p, "bpf", SC_ALLOW, 0) &&
	      !names(p, "perf_event_open", SC_ALLOW, 0) && !names(p, "userfaultfd", SC_ALLOW, 0) &&
	      !names(p, "clone", SC_ALLOW, 0) && !names(p, "socket", SC_ALLOW, 0));
	/* clone without namespace flags; clone3 falls back to it. */
	CHECK(names(p, "clone", SC_ALLOW, 1) && names(p, "clone3", SC_ERRNO, 0));
	CHECK(names(p, "socket", SC_ALLOW, 1) && names(p, "personality", SC_ALLOW, 1));

	sc_default_profile(CAPS_DEFAULT | CAPS_BIT(21) | CAPS_BIT(38), &d);
	CHECK(names(p, "mount", SC_ALLOW, 0) && names(p, "unshare", SC_ALLOW, 0) &&
	      names(p, "clone", SC_ALLOW, 0) && names(p, "perf_event_open", SC_ALLOW, 0));
	CHECK(!names(p, "clone3", SC_ERRNO, 0) && !names(p, "keyctl", SC_ALLOW, 0));

	sc_default_profile(0, &d);
	CHECK(!names(p, "chroot", SC_ALLOW, 0));
}

/* The filter the build made is the one the table makes now: the
 * generator ran on this source. */
TEST(builtin_is_current)
{
	struct sc_default d;
	const struct sc_profile *p = &d.p;
	struct sc_bpf b;
	struct ct_err e = { 0 };

	CHECK(sc_builtin_caps == (CAPS_DEFAULT & sc_conditional_caps()));
	sc_default_profile(CAPS_DEFAULT, &d);
	CHECK(sc_compile(p, &b, &e) == 0);
	CHECK(b.len == sc_builtin_len && memcmp(b.insns, sc_builtin_insns, (size_t)b.len * 8) == 0);
	sc_bpf_free(&b);
	/* The default set takes it as it is; another one compiles. */
	CHECK(sc_prepare(NULL, CAPS_DEFAULT, &b, &e) == 0 && !b.owned && b.len == sc_builtin_len);
	sc_bpf_free(&b);
	CHECK(sc_prepare(NULL, CAPS_DEFAULT | CAPS_BIT(21), &b, &e) == 0 && b.owned && b.len > 0 &&
	      b.len != sc_builtin_len);
	sc_bpf_free(&b);
}

TEST(custom_compiles)
{
	const char *const mk[] = { "mkdir", "no_such_call_in_any_kernel" };
	struct sc_rule r = { .names = mk, .n_names = 2, .action = SC_ERRNO, .errno_ret = 38,
			     .args = { { 0, SC_EQ, 1, 0 }, { 0, SC_EQ, 2, 0 } }, .n_args = 2 };
	struct sc_profile p = { .default_action = SC_ALLOW, .rules = &r, .n_rules = 1 };
	struct sc_bpf b;
	struct ct_err e = { 0 };

	/* An unknown name is skipped, as runc does; two comparisons on
	 * one argument are either-or. */
	CHECK(sc_compile(&p, &b, &e) == 0 && b.len > 0 && b.owned);
	sc_bpf_free(&b);
	CHECK(sc_action_of("SCMP_ACT_KILL") == SC_KILL_THREAD && sc_op_of("SCMP_CMP_GT") == SC_GT);
	CHECK(sc_arch_known("SCMP_ARCH_X86_64") && !sc_arch_known("X86_64"));
}
