/* The planner on a cgroup v2 host, and the v1-to-v2 value mappings. */
#include <string.h>

#include "fake.h"
#include "plan.h"
#include "resources.h"
#include "t.h"


static const struct plan_opts no_opts;

#define ALL "+memory +cpu +cpuset +pids"

static long find_enable(const struct plan *p, const char *dir, const char *controllers)
{
	return FIND(p, STEP_CG_ENABLE, cg_enable,
		    streq(it->dir, dir) && streq(it->controllers, controllers));
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
	long mems;

	fake_spec(&s);
	fake_host_v2(&h);
	fake_limits(&s, 1024);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(find_write(&p, leaf, "memory.max", "67108864") >= 0);
	CHECK(FIND(&p, STEP_CG_WRITE, cg_write,
		   streq(it->dir, leaf) && streq(it->file, "memory.swap.max") && streq(it->value, "0") &&
			   it->optional) >= 0);
	CHECK(find_write(&p, leaf, "cpu.weight", "100") >= 0);
	CHECK(find_write(&p, leaf, "cpu.max", "150000 100000") >= 0);
	CHECK(FIND(&p, STEP_CG_WRITE, cg_write,
		   streq(it->file, "pids.max") && streq(it->value, "100") && !it->optional &&
			   !it->default_of) >= 0);
	mems = find_write(&p, leaf, "cpuset.mems", "0");
	CHECK(mems >= 0 && mems < find_write(&p, leaf, "cpuset.cpus", "1-2"));
	/* No v1 file, no copy from the parent (an empty v2 cpuset is the
	 * parent's). */
	CHECK(find_write(&p, NULL, "memory.limit_in_bytes", NULL) < 0 &&
	      find_write(&p, NULL, "cpu.shares", NULL) < 0 &&
	      find_write(&p, NULL, "cpu.cfs_quota_us", NULL) < 0 &&
	      find_write(&p, NULL, "cpu.cfs_period_us", NULL) < 0 &&
	      plan_count_kind(&p, STEP_CG_COPY) == 0);
	/* Only these: one write a file, but memory's two. */
	CHECK(plan_count_kind(&p, STEP_CG_WRITE) == 7);
	CHECK(FIND(&p, STEP_OOM_READ, oom_read,
		   streq(it->file, "/sys/fs/cgroup/lab.scope/ctlaunch/web/memory.events") &&
			   it->made_by == (size_t)find_mkdir(&p, leaf)) > 0);
	/* One lock for root's runs: runs under other parents share the
	 * cgroups above them; a file only root may open. */
	CHECK(FIND(&p, STEP_LOCK, lock, streq(it->path, "/run/ctlaunch.lock") && !it->dir) >= 0);
}

/* The name's lock first, its sweep of the one leaf, the global lock;
 * the name's lock let go of last, at exit. */
static bool name_lock(const struct plan *p, const char *path)
{
	return FIND(p, STEP_NAME_LOCK, name_lock, streq(it->path, path)) == 0 &&
	       p->steps[1].kind == STEP_CG_SWEEP && p->steps[2].kind == STEP_LOCK &&
	       FIND(p, STEP_NAME_UNLOCK, name_unlock, streq(it->path, path)) == (long)p->n - 1;
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
	fake_limits(&s, 1024);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(name_lock(&p, "/run/ctlaunch/web.lock"));
	plan_free(&p);
	h.euid = 1000;
	h.egid = 1000;
	/* Without a runtime directory: no name's lock, no sweep, and the
	 * user's delegated cgroup as the global lock. */
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find_kind(&p, STEP_NAME_LOCK) < 0 && plan_find_kind(&p, STEP_CG_SWEEP) < 0 &&
	      plan_find_kind(&p, STEP_NAME_UNLOCK) < 0);
	CHECK(FIND(&p, STEP_LOCK, lock, streq(it->path, "/sys/fs/cgroup/lab.scope") && it->dir) == 0);
	plan_free(&p);
	h.runtime_dir = xstrdup("/run/user/1000");
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(name_lock(&p, "/run/user/1000/ctlaunch/web.lock"));
	CHECK(FIND(&p, STEP_LOCK, lock, streq(it->path, "/run/user/1000/ctlaunch.lock") && !it->dir) >= 0);
	plan_free(&p);
	h.euid = 0;
	h.egid = 0;
	/* Root's container has a cgroup without limits too (a cgroup in
	 * every hierarchy), and so the lock. */
	memset(&s.res, 0, sizeof s.res);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find_kind(&p, STEP_CG_MKDIR) >= 0);
	CHECK(name_lock(&p, "/run/ctlaunch/web.lock"));
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
	fake_limits(&s, 1024);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	root = find_enable(&p, "/sys/fs/cgroup", ALL);
	top = find_enable(&p, "/sys/fs/cgroup/lab.scope", ALL);
	shared = find_mkdir(&p, "/sys/fs/cgroup/lab.scope/ctlaunch");
	shared_on = find_enable(&p, "/sys/fs/cgroup/lab.scope/ctlaunch", ALL);
	leaf = find_mkdir(&p, "/sys/fs/cgroup/lab.scope/ctlaunch/web");
	clone = plan_find_kind(&p, STEP_CLONE);
	CHECK(root >= 0 && top == root + 1 && shared == root + 2 && shared_on == root + 3 &&
	      leaf == root + 4);
	CHECK(p.steps[shared].u.cg_mkdir.shared && !p.steps[leaf].u.cg_mkdir.shared);
	/* ctlaunch moves into a supervisor cgroup only where it hands
	 * controllers down to its own cgroup's children. */
	CHECK(!p.steps[root].u.cg_enable.supervise && p.steps[top].u.cg_enable.supervise &&
	      !p.steps[shared_on].u.cg_enable.supervise);
	CHECK(find_write(&p, NULL, "pids.max", NULL) < clone);
	/* Only what the spec uses is enabled. */
	memset(&s.res, 0, sizeof s.res);
	s.res.has_pids = true;
	s.res.pids = 5;
	plan_free(&p);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(find_enable(&p, "/sys/fs/cgroup/lab.scope", "+pids") ==
	      find_enable(&p, "/sys/fs/cgroup", "+pids") + 1);
	CHECK(FIND(&p, STEP_CG_ENABLE, cg_enable, strstr(it->controllers, "+memory")) < 0);
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
	fake_limits(&s, 1024);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_CLONE, clone, streq(it->cgroup, "/sys/fs/cgroup/lab.scope/ctlaunch/web")) >= 0);
	CHECK(plan_count_kind(&p, STEP_CG_ENTER) == 0);
	/* clone3 with CLONE_VM needs a stack of its own: a fork, and a
	 * release once the lock is let go. */
	CHECK(!p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
	CHECK(plan_find_kind(&p, STEP_RELEASE) == plan_find_kind(&p, STEP_UNLOCK) + 1);
	plan_free(&p);
	h.clone_into_cgroup = false;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_CLONE, clone, !it->cgroup) >= 0);
	CHECK(plan_count_kind(&p, STEP_CG_ENTER) == 1);
	/* Without: a vfork child that joins its cgroup itself, first. */
	CHECK(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
	CHECK(find_enter(&p, "/sys/fs/cgroup/lab.scope/ctlaunch/web") == plan_find_kind(&p, STEP_CLONE) + 3);
	CHECK(p.steps[plan_find_kind(&p, STEP_CG_ENTER)].side == SIDE_CHILD);
}

/* --cgroup-parent, and the root cgroup. */
TEST(v2_parent_and_root)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .cgroup_parent = "/lab/exp" };
	struct ct_err e = { 0 };
	long first, purge;

	fake_spec(&s);
	fake_host_v2(&h);
	fake_limits(&s, 1024);
	CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
	CHECK(find_mkdir(&p, "/sys/fs/cgroup/lab/exp/ctlaunch/web") >= 0);
	/* Down the path: the root, /lab, /lab/exp, then ctlaunch/. */
	first = find_enable(&p, "/sys/fs/cgroup", ALL);
	CHECK(first >= 0 && find_enable(&p, "/sys/fs/cgroup/lab", ALL) == first + 1);
	CHECK(FIND(&p, STEP_CG_ENABLE, cg_enable,
		   streq(it->dir, "/sys/fs/cgroup/lab/exp") && it->supervise) == first + 2);
	CHECK(find_enable(&p, "/sys/fs/cgroup/lab/exp/ctlaunch", ALL) == first + 4);
	/* At exit the leaf, the lock again, ctlaunch/ (only where the
	 * supervisor cgroup is beside it, or the parent holds processes:
	 * elsewhere the level stays), then
	 * the supervisor cgroup put back, the lock kept while ctlaunch is
	 * still in it. */
	purge = FIND(&p, STEP_CG_PURGE, cg_purge, streq(it->dir, "/sys/fs/cgroup/lab/exp/ctlaunch/web"));
	CHECK(purge > 0 && plan_count_kind(&p, STEP_CG_PURGE) == 1 && plan_count_kind(&p, STEP_CG_RMDIR) == 1);
	CHECK(p.steps[purge + 1].kind == STEP_LOCK && p.steps[purge + 1].u.lock.after_run);
	CHECK(FIND(&p, STEP_CG_RMDIR, cg_rmdir,
		   streq(it->dir, "/sys/fs/cgroup/lab/exp/ctlaunch") &&
			   streq(it->supervisor, "/sys/fs/cgroup/lab/exp/ctlaunch.supervisor")) == purge + 2);
	CHECK(FIND(&p, STEP_CG_RESTORE, cg_restore, streq(it->dir, "/sys/fs/cgroup/lab/exp")) == purge + 3);
	CHECK(FIND_FROM(&p, plan_run_steps(&p), STEP_UNLOCK, unlock,
			streq(it->kept_in, "/sys/fs/cgroup/lab/exp/ctlaunch.supervisor")) == purge - 1);
	CHECK(FIND_FROM(&p, purge, STEP_UNLOCK, unlock,
			streq(it->kept_in, "/sys/fs/cgroup/lab/exp/ctlaunch.supervisor")) == purge + 4);
	plan_free(&p);
	o.cgroup_parent = "/";
	CHECK(plan_build(&s, &h, &o, &p, &e) == 0);
	first = find_enable(&p, "/sys/fs/cgroup", ALL);
	/* At what looks like the root the executor checks cgroup.type: in
	 * a cgroup namespace it is not the root, and the rule applies. */
	CHECK(first >= 0 && p.steps[first].u.cg_enable.supervise);
	CHECK(plan_count_kind(&p, STEP_CG_ENABLE) == 2);
	CHECK(find_enable(&p, "/sys/fs/cgroup/ctlaunch", ALL) == first + 2);
}
