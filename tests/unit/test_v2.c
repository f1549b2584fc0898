/* The planner on a cgroup v2 host, and the v1-to-v2 value mappings. */
#include <string.h>

#include "fake.h"
#include "plan.h"
#include "t.h"


static const struct plan_opts no_opts;

static size_t count_kind(const struct plan *p, enum step_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->steps[i].kind == k;
	return n;
}

static void all_limits(struct spec *s)
{
	s->res.has_memory = true;
	s->res.memory = 64 << 20;
	s->res.memory_at = (struct ct_loc){ 5, 11 };
	s->res.has_cpu_shares = true;
	s->res.cpu_shares = 1024;
	s->res.has_cpu_quota = true;
	s->res.cpu_quota_us = 150000;
	s->res.has_cpus = true;
	parse_cpulist("1-2", &s->res.cpus);
	s->res.has_mems = true;
	parse_cpulist("0", &s->res.mems);
	s->res.has_pids = true;
	s->res.pids = 100;
}

/* The table of runc #4772 and crun: the ends, the default, and some
 * points between, and a curve that never goes down. */
TEST(shares_to_weight)
{
	static const struct {
		uint64_t shares, weight;
	} table[] = {
		{ 0, 1 },     { 1, 1 },       { 2, 1 },         { 1024, 100 }, { 262144, 10000 },
		{ 300000, 10000 }, { 512, 59 }, { 2048, 174 },   { 100, 17 },   { 10, 4 },
	};
	uint64_t last = 0;

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (cpu_shares_to_weight(table[i].shares) != table[i].weight) {
			fprintf(stderr, "  shares %llu: weight %llu, want %llu\n",
				(unsigned long long)table[i].shares,
				(unsigned long long)cpu_shares_to_weight(table[i].shares),
				(unsigned long long)table[i].weight);
			CHECK(0);
		}
	for (uint64_t sh = 2; sh <= 262144; sh++) {
		uint64_t w = cpu_shares_to_weight(sh);

		if (w < last || w < 1 || w > 10000) {
			fprintf(stderr, "  shares %llu: weight %llu after %llu\n", (unsigned long long)sh,
				(unsigned long long)w, (unsigned long long)last);
			CHECK(0);
			break;
		}
		last = w;
	}
}

TEST(v2_files_and_values)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	const char *leaf = "/sys/fs/cgroup/lab.scope/ctlaunch/web";
	char want[256];

	fake_spec(&s);
	fake_host_v2(&h);
	all_limits(&s);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	snprintf(want, sizeof want, "write memory.max = 67108864 in %s", leaf);
	CHECK(plan_find(&p, want) >= 0);
	snprintf(want, sizeof want, "write memory.swap.max = 0 in %s if the kernel has it", leaf);
	CHECK(plan_find(&p, want) >= 0);
	snprintf(want, sizeof want, "write cpu.weight = 100 in %s", leaf);
	CHECK(plan_find(&p, want) >= 0);
	snprintf(want, sizeof want, "write cpu.max = 150000 100000 in %s", leaf);
	CHECK(plan_find(&p, want) >= 0);
	snprintf(want, sizeof want, "write pids.max = 100 in %s", leaf);
	CHECK(plan_find(&p, want) >= 0);
	CHECK(plan_find(&p, "cpuset.mems = 0") >= 0 && plan_find(&p, "cpuset.mems = 0") < plan_find(&p, "cpuset.cpus = 1-2"));
	/* No v1 file, no copy from the parent (an empty v2 cpuset is the
	 * parent's). */
	CHECK(plan_find(&p, "limit_in_bytes") < 0 && plan_find(&p, "cpu.shares") < 0 &&
	      plan_find(&p, "cfs_") < 0 && count_kind(&p, STEP_CG_COPY) == 0);
	CHECK_STR(p.oom_file, "/sys/fs/cgroup/lab.scope/ctlaunch/web/memory.events");
	/* One lock for root's runs: runs under other parents share the
	 * cgroups above them; a file only root may open. */
	CHECK_STR(p.lock, "/run/ctlaunch.lock");
	CHECK(!p.lock_dir);
}

/* The lock of the name's cgroups: root's in /run/ctlaunch, a user's in
 * their runtime directory, none without one. */
TEST(v2_name_lock)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v2(&h);
	all_limits(&s);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK_STR(p.name_lock, "/run/ctlaunch/web.lock");
	plan_free(&p);
	h.euid = 1000;
	h.egid = 1000;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(p.name_lock == NULL);
	plan_free(&p);
	h.runtime_dir = xstrdup("/run/user/1000");
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK_STR(p.name_lock, "/run/user/1000/ctlaunch/web.lock");
	plan_free(&p);
	h.euid = 0;
	h.egid = 0;
	/* Root's container has a cgroup without limits too (a cgroup in
	 * every hierarchy), and so the lock. */
	memset(&s.res, 0, sizeof s.res);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find_kind(&p, STEP_CG_MKDIR) >= 0);
	CHECK_STR(p.name_lock, "/run/ctlaunch/web.lock");
}

/* A controller reaches a cgroup only through its parent's
 * subtree_control: enabled in the top, then in ctlaunch/, before the
 * leaf is made; every limit before the child exists. */
TEST(v2_enable_top_down)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	long root, top, shared, shared_on, leaf, clone;

	fake_spec(&s);
	fake_host_v2(&h);
	all_limits(&s);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	root = plan_find(&p, "enable +memory +cpu +cpuset +pids in /sys/fs/cgroup/cgroup.subtree_control");
	top = plan_find(&p, "enable +memory +cpu +cpuset +pids in /sys/fs/cgroup/lab.scope/cgroup.subtree_control "
		       "(first moving ctlaunch, if it is alone there, into "
		       "/sys/fs/cgroup/lab.scope/ctlaunch.supervisor)");
	shared = plan_find(&p, "mkdir /sys/fs/cgroup/lab.scope/ctlaunch (shared");
	shared_on = plan_find(&p, "enable +memory +cpu +cpuset +pids in /sys/fs/cgroup/lab.scope/ctlaunch/cgroup.subtree_control");
	leaf = plan_find(&p, "mkdir /sys/fs/cgroup/lab.scope/ctlaunch/web");
	clone = plan_find(&p, "clone ");
	CHECK(root == 0 && top == 1 && shared == 2 && shared_on == 3 && leaf == 4);
	CHECK(!p.steps[root].u.cg.supervise && p.steps[top].u.cg.supervise);
	CHECK(plan_find(&p, "pids.max") < clone);
	/* Only what the spec uses is enabled. */
	memset(&s.res, 0, sizeof s.res);
	s.res.has_pids = true;
	s.res.pids = 5;
	plan_free(&p);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find(&p, "enable +pids in /sys/fs/cgroup/lab.scope/cgroup.subtree_control") == 1);
	CHECK(plan_find(&p, "+memory") < 0);
}

/* clone3 into the cgroup where the kernel has it: no cgroup.procs
 * write; else exactly one (v2 has one cgroup for all controllers). */
TEST(v2_clone_into_cgroup)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v2(&h);
	all_limits(&s);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find(&p, "into cgroup /sys/fs/cgroup/lab.scope/ctlaunch/web (clone3 CLONE_INTO_CGROUP)") >= 0);
	CHECK(count_kind(&p, STEP_CG_ENTER) == 0);
	/* clone3 with CLONE_VM needs a stack of its own: a fork, and a
	 * release once the lock is let go. */
	CHECK(!p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
	CHECK(plan_find_kind(&p, STEP_RELEASE) == plan_find_kind(&p, STEP_UNLOCK) + 1);
	plan_free(&p);
	h.clone_into_cgroup = false;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find(&p, "CLONE_INTO_CGROUP") < 0);
	CHECK(count_kind(&p, STEP_CG_ENTER) == 1);
	/* Without: a vfork child that joins its cgroup itself, first. */
	CHECK(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/lab.scope/ctlaunch/web/cgroup.procs") ==
	      plan_find(&p, "clone ") + 2);
}

/* --cgroup-parent, and the root cgroup. */
TEST(v2_parent_and_root)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .cgroup_parent = "/lab/exp" };
	struct ct_err e = { 0 };
	size_t idx[8], n;

	fake_spec(&s);
	fake_host_v2(&h);
	all_limits(&s);
	CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
	CHECK(plan_find(&p, "mkdir /sys/fs/cgroup/lab/exp/ctlaunch/web") >= 0);
	/* Down the path: the root, /lab, /lab/exp, then ctlaunch/. */
	CHECK(plan_find(&p, "in /sys/fs/cgroup/cgroup.subtree_control") == 0);
	CHECK(plan_find(&p, "in /sys/fs/cgroup/lab/cgroup.subtree_control") == 1);
	CHECK(plan_find(&p, "in /sys/fs/cgroup/lab/exp/cgroup.subtree_control (first moving") == 2);
	n = plan_cleanup_order(&p, idx, 8);
	CHECK(n == 2);
	CHECK_STR(p.steps[idx[0]].u.cg.dir, "/sys/fs/cgroup/lab/exp/ctlaunch/web");
	CHECK_STR(p.steps[idx[1]].u.cg.dir, "/sys/fs/cgroup/lab/exp/ctlaunch");
	plan_free(&p);
	o.cgroup_parent = "/";
	CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
	CHECK(plan_find(&p, "enable +memory +cpu +cpuset +pids in /sys/fs/cgroup/cgroup.subtree_control") == 0);
	/* At what looks like the root the executor checks cgroup.type: in
	 * a cgroup namespace it is not the root, and the rule applies. */
	CHECK(p.steps[0].kind == STEP_CG_ENABLE && p.steps[0].u.cg.supervise);
	CHECK(plan_find(&p, "enable +memory +cpu +cpuset +pids in /sys/fs/cgroup/ctlaunch/cgroup.subtree_control") == 2);
}
