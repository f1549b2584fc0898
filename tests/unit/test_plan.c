#include <linux/mount.h> /* MS_* */
#include <sched.h>
#include <string.h>

#include "caps.h"
#include "fake.h"
#include "plan.h"
#include "t.h"


static const struct plan_opts no_opts;

static int build(struct spec *s, struct host *h, const struct plan_opts *o, struct plan *p)
{
	struct ct_err e = { 0 };
	int rc = plan_build(s, h, o ? o : &no_opts, p, &e);

	if (rc < 0)
		fprintf(stderr, "  plan_build: %s\n", e.msg);
	return rc;
}

static void with_limits(struct spec *s)
{
	s->res.has_memory = true;
	s->res.memory = 64 << 20;
	s->res.memory_at = (struct ct_loc){ .line = 5, .col = 11 };
	s->res.has_cpu_shares = true;
	s->res.cpu_shares = 512;
	s->res.cpu_shares_at = (struct ct_loc){ .line = 6, .col = 15 };
	s->res.has_cpus = true;
	parse_cpulist("1", &s->res.cpus);
	s->res.cpus_at = (struct ct_loc){ .line = 8, .col = 11 };
	s->res.has_mems = true;
	parse_cpulist("0", &s->res.mems);
	s->res.mems_at = (struct ct_loc){ .line = 9, .col = 11 };
}

#define CPUSET "/sys/fs/cgroup/cpuset/ctlaunch"
#define CPUSET_LEAF CPUSET "/web"

TEST(cpuset_mems_before_cpus)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long shared_mems, shared_cpus, leaf_mems, leaf_cpus;

	fake_spec(&s);
	fake_host_v1(&h);
	with_limits(&s);
	CHECK(build(&s, &h, NULL, &p) == 0);
	shared_mems = find_copy(&p, CPUSET, "cpuset.mems");
	shared_cpus = find_copy(&p, CPUSET, "cpuset.cpus");
	leaf_mems = find_write(&p, CPUSET_LEAF, "cpuset.mems", "0");
	leaf_cpus = find_write(&p, CPUSET_LEAF, "cpuset.cpus", "1");
	CHECK(shared_mems >= 0 && shared_cpus > shared_mems);
	CHECK(leaf_mems >= 0 && leaf_cpus > leaf_mems);
}

TEST(cpuset_parent_filled_before_child)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long leaf;

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_cpus = true;
	parse_cpulist("0-1", &s.res.cpus);
	CHECK(build(&s, &h, NULL, &p) == 0);
	leaf = find_mkdir(&p, CPUSET_LEAF);
	CHECK(find_mkdir(&p, CPUSET) >= 0 && p.steps[find_mkdir(&p, CPUSET)].u.cg_mkdir.shared);
	CHECK(!p.steps[leaf].u.cg_mkdir.shared);
	CHECK(leaf > find_copy(&p, CPUSET, "cpuset.cpus") && find_copy(&p, CPUSET, "cpuset.cpus") >= 0);
	CHECK(leaf > find_copy(&p, CPUSET, "cpuset.mems") && find_copy(&p, CPUSET, "cpuset.mems") >= 0);
	/* Only cpus were given: the leaf's mems come from its parent. */
	CHECK(find_copy(&p, CPUSET_LEAF, "cpuset.mems") > leaf);
	CHECK(find_write(&p, CPUSET_LEAF, "cpuset.cpus", "0-1") > leaf);
	CHECK(find_copy(&p, CPUSET_LEAF, "cpuset.cpus") < 0);
}

TEST(rprivate_before_any_mount)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long first;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	first = plan_find_kind(&p, STEP_MOUNT);
	CHECK(first >= 0);
	CHECK(FIND(&p, STEP_MOUNT, mount,
		   streq(it->target, "/") && !it->source && it->flags == (MS_REC | MS_PRIVATE)) == first);
}

TEST(rootfs_bind_before_pivot_root_before_proc)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long bind, pivot, umount_old, proc, dev, sys, proc_open;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	/* The rootfs: no bind by path any more, one step by descriptor. */
	bind = FIND(&p, STEP_MOUNT, mount, streq(it->source, "/srv/rootfs"));
	pivot = FIND(&p, STEP_PIVOT_ROOT, pivot_root, streq(it->path, "/srv/rootfs") && !it->prepared);
	umount_old = plan_find_kind(&p, STEP_UMOUNT_OLD);
	proc = FIND(&p, STEP_BIND_ATTACH, bind_attach, streq(it->target, "/proc") && it->anchor);
	dev = FIND(&p, STEP_MOUNT, mount, streq(it->target, "/dev") && streq(it->fstype, "tmpfs"));
	sys = FIND(&p, STEP_BIND_ATTACH, bind_attach, streq(it->target, "/sys") && it->anchor);
	proc_open = FIND(&p, STEP_FS_OPEN, fs_open,
			 streq(it->fstype, "proc") && it->flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	CHECK(bind < 0 && pivot > 0);
	/* proc and sysfs made before pivot_root (root as rootless), detached. */
	CHECK(proc_open >= 0 && proc_open < pivot);
	CHECK(p.steps[proc_open].u.fs_open.tree == p.steps[proc].u.bind_attach.tree);
	CHECK(umount_old == pivot + 1);
	CHECK(proc > umount_old && dev > umount_old && sys > umount_old);
	CHECK(FIND(&p, STEP_MOUNT, mount, streq(it->target, "/dev/pts") && streq(it->fstype, "devpts")) >
	      dev);
	CHECK(FIND(&p, STEP_MKNOD, mknod,
		   streq(it->path, "/dev/null") && it->major == 1 && it->minor == 3 && it->mode == 0666) > dev);
}

/* Root on v1: the child shares ctlaunch's memory (vfork) and, as its
 * first acts, dies with ctlaunch, joins its cgroups, lets go of the
 * lock. Every limit is written before it exists. */
TEST(cgroup_placement_vfork)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long clone, unlock, exec, first_enter = -1, last_enter = -1, last_limit = -1;

	fake_spec(&s);
	fake_host_v1(&h);
	with_limits(&s);
	CHECK(build(&s, &h, NULL, &p) == 0);
	clone = plan_find_kind(&p, STEP_CLONE);
	unlock = plan_find_kind(&p, STEP_UNLOCK);
	exec = plan_find_kind(&p, STEP_EXEC);
	CHECK(clone >= 0 && p.steps[clone].u.clone.vfork);
	for (size_t i = 0; i < p.n; i++) {
		if (p.steps[i].kind == STEP_CG_ENTER) {
			CHECK(p.steps[i].side == SIDE_CHILD);
			if (first_enter < 0)
				first_enter = (long)i;
			last_enter = (long)i;
		}
		if (p.steps[i].kind == STEP_CG_WRITE || p.steps[i].kind == STEP_CG_COPY ||
		    p.steps[i].kind == STEP_CG_MKDIR)
			last_limit = (long)i;
	}
	CHECK(last_limit >= 0 && last_limit < clone);
	/* The watcher first; the child closes what it inherited, then dies
	 * with ctlaunch, then joins its cgroups. */
	CHECK(p.steps[clone - 1].kind == STEP_WATCHER);
	CHECK(FIND(&p, STEP_CLOSE_FDS, close_fds, !it->keep_trees) == clone + 1);
	CHECK(FIND(&p, STEP_DIE_WITH_PARENT, die_with_parent, !it->again) == clone + 2 &&
	      first_enter == clone + 3);
	CHECK(unlock == last_enter + 1 && p.steps[unlock].side == SIDE_CHILD);
	CHECK(p.steps[unlock + 1].kind == STEP_NOT_DUMPABLE && exec > unlock);
	/* Nobody to release it, nothing to wait for. */
	CHECK(plan_find_kind(&p, STEP_RELEASE) < 0 && plan_find_kind(&p, STEP_WAIT_RELEASE) < 0);
	for (long i = 0; i < (long)p.n; i++)
		CHECK(p.steps[i].side == (i > plan_find_kind(&p, STEP_WAIT) ? SIDE_EXIT
					  : i <= clone || p.steps[i].kind == STEP_WAIT ||
							  p.steps[i].kind == STEP_RECORD
						  ? SIDE_PARENT
						  : SIDE_CHILD));
	CHECK(find_enter(&p, "/sys/fs/cgroup/memory/lab/ctlaunch/web") > clone);
	CHECK(find_enter(&p, "/sys/fs/cgroup/cpu,cpuacct/ctlaunch/web") > clone);
	CHECK(find_enter(&p, CPUSET_LEAF) > clone);
	/* The hierarchies no limit is for: the container's cgroup all the same. */
	CHECK(find_enter(&p, "/sys/fs/cgroup/devices/ctlaunch/web") > clone);
	CHECK(find_enter(&p, "/sys/fs/cgroup/unified/ctlaunch/web") > clone);
	CHECK(plan_count_kind(&p, STEP_CG_ENTER) == 5);
	/* No limits: the same cgroups, the lock let go of after them. */
	plan_free(&p);
	spec_free(&s);
	fake_spec(&s);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(plan_find_kind(&p, STEP_UNLOCK) > find_enter(&p, "/sys/fs/cgroup/unified/ctlaunch/web"));
	CHECK(find_enter(&p, "/sys/fs/cgroup/memory/lab/ctlaunch/web") > 0);
	CHECK(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
}

#define MEMORY_LEAF "/sys/fs/cgroup/memory/lab/ctlaunch/web"

TEST(memory_limit_then_memsw)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 }, q = { 0 };
	long mem, memsw;

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_memory = true;
	s.res.memory = 16 << 20;
	CHECK(build(&s, &h, NULL, &p) == 0);
	mem = find_write(&p, MEMORY_LEAF, "memory.limit_in_bytes", "16777216");
	memsw = find_write(&p, MEMORY_LEAF, "memory.memsw.limit_in_bytes", "16777216");
	CHECK(mem >= 0 && memsw > mem);
	/* Socket buffers under the same limit (issue 15, class 4). */
	CHECK(find_write(&p, MEMORY_LEAF, "memory.kmem.tcp.limit_in_bytes", "16777216") > memsw);
	CHECK(p.note == NULL);
	/* Every hierarchy gets a cgroup; only the limits asked for are written. */
	CHECK(find_mkdir(&p, CPUSET_LEAF) >= 0 && find_write(&p, NULL, "cpu.shares", NULL) < 0 &&
	      find_mkdir(&p, "/sys/fs/cgroup/cpu,cpuacct/ctlaunch/web") >= 0);
	h.memsw = false;
	h.kmem_tcp = false;
	CHECK(build(&s, &h, NULL, &q) == 0);
	CHECK(find_write(&q, NULL, "memory.memsw.limit_in_bytes", NULL) < 0 &&
	      find_write(&q, NULL, "memory.kmem.tcp.limit_in_bytes", NULL) < 0);
	CHECK(q.note && strstr(q.note, "does not cover socket buffers"));
}

/* Issue 10 class 1, issue 15 class 3: with no limit at all, a cgroup
 * in every hierarchy, the device policy in the devices one, and
 * podman's default pids limit where the pids controller is. */
TEST(no_resources_still_cgroups)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 }, q = { 0 };
	long dev;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	/* The leaves go at exit; the shared ctlaunch/ levels stay. */
	CHECK(plan_count_kind(&p, STEP_CG_PURGE) == 5 && plan_count_kind(&p, STEP_CG_RMDIR) == 0);
	dev = plan_find_kind(&p, STEP_DEVICES);
	CHECK(dev > find_mkdir(&p, "/sys/fs/cgroup/devices/ctlaunch/web") &&
	      dev < plan_find_kind(&p, STEP_CLONE));
	CHECK(FIND(&p, STEP_DEVICES, devices,
		   it->v1 && streq(it->dir, "/sys/fs/cgroup/devices/ctlaunch/web")) == dev);
	CHECK(plan_count_kind(&p, STEP_DEVICES) == 1);
	CHECK(FIND(&p, STEP_MOUNT, mount,
		   streq(it->target, "/sys/fs/cgroup/devices") && streq(it->fstype, "cgroup")) > 0);
	CHECK(FIND(&p, STEP_MOUNT, mount,
		   streq(it->target, "/sys/fs/cgroup/unified") && streq(it->fstype, "cgroup2")) > 0);
	CHECK(find_write(&p, NULL, "pids.max", NULL) < 0);
	h.ctrl[CTRL_PIDS].mount = xstrdup("/sys/fs/cgroup/pids");
	h.ctrl[CTRL_PIDS].own = xstrdup("/");
	h.ctrl[CTRL_PIDS].controllers = xstrdup("pids");
	CHECK(build(&s, &h, NULL, &q) == 0);
	CHECK(FIND(&q, STEP_CG_WRITE, cg_write,
		   streq(it->dir, "/sys/fs/cgroup/pids/ctlaunch/web") && streq(it->file, "pids.max") &&
			   streq(it->value, "2048") && streq(it->default_of, "resources.pids") &&
			   !it->optional) > 0);
}

TEST(cgroup_parent_and_cleanup_order)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .cgroup_parent = "/labs/a" };
	long purge;

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_cpu_shares = true;
	s.res.cpu_shares = 2;
	s.res.has_memory = true;
	s.res.memory = 1 << 30;
	CHECK(build(&s, &h, &o, &p) == 0);
	CHECK(find_mkdir(&p, "/sys/fs/cgroup/memory/labs/a/ctlaunch/web") >= 0);
	CHECK(find_write(&p, "/sys/fs/cgroup/cpu,cpuacct/labs/a/ctlaunch/web", "cpu.shares", "2") >= 0);
	CHECK(find_mkdir(&p, "/sys/fs/cgroup/unified/labs/a/ctlaunch/web") >= 0);
	/* Every leaf goes, each removed only if its own mkdir succeeded;
	 * the shared directories stay (v1 has no supervisor cgroup to put
	 * back), so the global lock is not taken again. */
	purge = plan_find_kind(&p, STEP_CG_PURGE);
	CHECK(purge > plan_find_kind(&p, STEP_WAIT));
	CHECK(plan_count_kind(&p, STEP_CG_RMDIR) == 0 && FIND(&p, STEP_LOCK, lock, it->after_run) < 0);
	for (long i = purge; i < purge + 5; i++) {
		const struct step_cg_purge *c = &p.steps[i].u.cg_purge;

		CHECK(p.steps[i].kind == STEP_CG_PURGE && p.steps[i].side == SIDE_EXIT);
		CHECK(!p.steps[c->made_by].u.cg_mkdir.shared && streq(p.steps[c->made_by].u.cg_mkdir.dir, c->dir));
	}
	/* The last made, the first removed. */
	CHECK(streq(p.steps[purge].u.cg_purge.dir, "/sys/fs/cgroup/unified/labs/a/ctlaunch/web"));
}

/* Whatever a run does is a step: the locks and the sweep before the
 * first cgroup, the exit's teardown after the wait. */
TEST(locks_sweep_and_exit)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long lock, first_mkdir, wait, oom;
	size_t n;

	fake_spec(&s);
	fake_host_v1(&h);
	with_limits(&s);
	CHECK(build(&s, &h, NULL, &p) == 0);
	/* The name's lock, a sweep of each of its leaves, the global lock. */
	CHECK(FIND(&p, STEP_NAME_LOCK, name_lock, streq(it->path, "/run/ctlaunch/web.lock")) == 0);
	for (long i = 1; i <= 5; i++)
		CHECK(p.steps[i].kind == STEP_CG_SWEEP &&
		      find_mkdir(&p, p.steps[i].u.cg_sweep.dir) > 0 &&
		      !p.steps[find_mkdir(&p, p.steps[i].u.cg_sweep.dir)].u.cg_mkdir.shared);
	lock = FIND(&p, STEP_LOCK, lock,
		    streq(it->path, "/run/ctlaunch.lock") && !it->dir &&
			    streq(it->fallback, "/sys/fs/cgroup") && !it->after_run);
	first_mkdir = plan_find_kind(&p, STEP_CG_MKDIR);
	CHECK(lock == 6 && first_mkdir == 7);
	/* At exit: the container and the watcher gone, the OOM count read
	 * from the memory leaf, every lock let go of, the leaves (the
	 * shared directories stay: no global lock again). */
	wait = plan_find_kind(&p, STEP_WAIT);
	n = plan_run_steps(&p);
	CHECK(wait == (long)n - 1);
	CHECK(p.steps[n].kind == STEP_KILL_CHILD && p.steps[n + 1].kind == STEP_STOP_WATCHER);
	oom = FIND(&p, STEP_OOM_READ, oom_read,
		   streq(it->file, MEMORY_LEAF "/memory.oom_control") &&
			   it->made_by == (size_t)find_mkdir(&p, MEMORY_LEAF));
	CHECK(oom == (long)n + 2);
	CHECK(FIND_FROM(&p, n, STEP_UNLOCK, unlock, !it->kept_in) == oom + 1);
	CHECK(p.steps[oom + 2].kind == STEP_CG_PURGE);
	CHECK(p.steps[p.n - 3].kind == STEP_CG_PURGE && p.steps[p.n - 3].side == SIDE_EXIT);
	/* The record of the running container, once its command runs, and
	 * its removal last, just before the name's lock goes. */
	CHECK(FIND(&p, STEP_RECORD, record, streq(it->dir, "/run/ctlaunch") && it->world_readable &&
						   streq(it->state->name, "web")) == wait - 1);
	CHECK(FIND(&p, STEP_UNRECORD, unrecord, streq(it->dir, "/run/ctlaunch") &&
							 streq(it->name, "web")) == (long)p.n - 2);
	CHECK(FIND(&p, STEP_NAME_UNLOCK, name_unlock, streq(it->path, "/run/ctlaunch/web.lock")) ==
	      (long)p.n - 1);
	CHECK(plan_find_kind(&p, STEP_CG_RESTORE) < 0);
	/* Every tree fits the executor's table. */
	CHECK(p.n_trees == 6 + 3);
	for (size_t i = 0; i < p.n; i++)
		CHECK((p.steps[i].kind != STEP_FS_OPEN || p.steps[i].u.fs_open.tree < p.n_trees) &&
		      (p.steps[i].kind != STEP_MASK || p.steps[i].u.mask.tree < p.n_trees));
}

/* Root's user namespace: the parent opens the trees, the child keeps
 * them through its first close; each change of ids is followed by the
 * parent-death signal again. */
TEST(userns_trees_and_ids)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long root_open, pivot, first_user;

	fake_spec(&s);
	fake_host_v1(&h);
	h.userns_uid = (struct id_range){ 100000, 65536 };
	h.userns_gid = (struct id_range){ 100000, 65536 };
	s.userns = true;
	CHECK(build(&s, &h, NULL, &p) == 0);
	root_open = FIND(&p, STEP_ROOT_OPEN, root_open, streq(it->path, "/srv/rootfs"));
	pivot = FIND(&p, STEP_PIVOT_ROOT, pivot_root, it->prepared);
	CHECK(root_open >= 0 && root_open < plan_find_kind(&p, STEP_CLONE) && pivot > 0);
	CHECK(p.steps[root_open].u.root_open.tree == p.steps[pivot].u.pivot_root.tree &&
	      p.steps[pivot].u.pivot_root.tree < p.n_trees);
	CHECK(FIND(&p, STEP_CLOSE_FDS, close_fds, it->keep_trees) ==
	      plan_find_kind(&p, STEP_RELEASE) + 1);
	first_user = plan_find_kind(&p, STEP_USER);
	CHECK(first_user > pivot && p.steps[first_user + 1].kind == STEP_DIE_WITH_PARENT &&
	      p.steps[first_user + 1].u.die_with_parent.again);
	CHECK(plan_count_kind(&p, STEP_USER) == 2 &&
	      FIND_FROM(&p, first_user + 1, STEP_USER, user, 1) + 1 ==
		      FIND_FROM(&p, first_user + 2, STEP_DIE_WITH_PARENT, die_with_parent, it->again));
}

TEST(missing_controller_refused)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_memory = true;
	s.res.memory = 1 << 20;
	s.res.memory_at = (struct ct_loc){ .line = 7, .col = 11 };
	free(h.ctrl[CTRL_MEMORY].mount);
	h.ctrl[CTRL_MEMORY].mount = NULL;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK_STR(e.msg, "web.yaml:7:11: resources.memory: the memory cgroup controller is not "
			 "mounted on this host");
	CHECK(p.n == 0 && p.steps == NULL);
	/* v2: a controller the kernel does not have; for a user, one its
	 * cgroup was not given. */
	h.layout = CG_UNIFIED;
	h.cg_own = xstrdup("/lab");
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK_STR(e.msg, "web.yaml:7:11: resources.memory: this host's cgroup v2 has no memory "
			 "controller (it is not in /sys/fs/cgroup/cgroup.controllers)");
	CHECK(p.n == 0 && p.steps == NULL);
	h.euid = 1000;
	h.cg_writable = true;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK_STR(e.msg, "web.yaml:7:11: resources.memory: the memory controller is not delegated "
			 "to ctlaunch's cgroup /lab (the cgroup above it does not hand it down in "
			 "cgroup.subtree_control)");
	CHECK(p.n == 0 && p.steps == NULL);
}

TEST(env_defaults_and_overrides)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .term = "xterm" };
	struct spec_env env[] = {
		{ "HOME", "/home/lab", { 0 } },
		{ "GREETING", "hello world", { 0 } },
	};
	char **envp;

	fake_spec(&s);
	fake_host_v1(&h);
	s.hostname = "lab1";
	s.env = env;
	s.n_env = 2;
	CHECK(build(&s, &h, &o, &p) == 0);
	s.env = NULL;
	s.n_env = 0;
	s.hostname = NULL;
	envp = p.steps[plan_find_kind(&p, STEP_EXEC)].u.exec.envp;
	CHECK_STR(envp[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_STR(envp[1], "HOSTNAME=lab1");
	CHECK_STR(envp[2], "TERM=xterm");
	CHECK_STR(envp[3], "HOME=/home/lab");
	CHECK_STR(envp[4], "GREETING=hello world");
	CHECK(envp[5] == NULL);
	CHECK(FIND(&p, STEP_HOSTNAME, hostname, streq(it->name, "lab1")) >= 0);
	CHECK(FIND(&p, STEP_EXEC, exec,
		   streq(it->argv[0], "/bin/echo") && streq(it->argv[1], "hi") && !it->argv[2]) >= 0);
	/* The command is resolved with the same words and environment. */
	CHECK(FIND(&p, STEP_RESOLVE, resolve, it->envp == envp && streq(it->argv[1], "hi")) >= 0);
	/* The user's passwd entry gives HOME, USER and LOGNAME; the spec's
	 * env still wins. Without an entry: HOME=/ and no name. */
	plan_free(&p);
	s.home = xstrdup("/home/lab");
	s.login = xstrdup("lab");
	s.env = env + 1;
	s.n_env = 1;
	CHECK(build(&s, &h, NULL, &p) == 0);
	envp = p.steps[plan_find_kind(&p, STEP_EXEC)].u.exec.envp;
	CHECK_STR(envp[2], "HOME=/home/lab");
	CHECK_STR(envp[3], "USER=lab");
	CHECK_STR(envp[4], "LOGNAME=lab");
	CHECK_STR(envp[5], "GREETING=hello world");
	CHECK(envp[6] == NULL);
	plan_free(&p);
	s.env = (struct spec_env[]){ { "USER", "me", { 0 } } };
	CHECK(build(&s, &h, NULL, &p) == 0);
	envp = p.steps[plan_find_kind(&p, STEP_EXEC)].u.exec.envp;
	CHECK_STR(envp[3], "LOGNAME=lab");
	CHECK_STR(envp[4], "USER=me");
	plan_free(&p);
	s.env = NULL;
	s.n_env = 0;
	free(s.home);
	free(s.login);
	s.home = s.login = NULL;
	CHECK(build(&s, &h, NULL, &p) == 0);
	envp = p.steps[plan_find_kind(&p, STEP_EXEC)].u.exec.envp;
	CHECK_STR(envp[2], "HOME=/");
	CHECK(envp[3] == NULL);
}

TEST(hostname_defaults_to_name)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(FIND(&p, STEP_HOSTNAME, hostname, streq(it->name, "web")) >= 0);
	CHECK(FIND(&p, STEP_EXEC, exec, streq(it->envp[1], "HOSTNAME=web")) >= 0);
	CHECK(FIND(&p, STEP_CHDIR, chdir, streq(it->dir, "/")) >= 0);
}

TEST(clone_flags_named)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(FIND(&p, STEP_CLONE, clone,
		   it->flags == (CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)) >=
	      0);
	CHECK(p.steps[plan_run_steps(&p) - 1].kind == STEP_WAIT);
	for (size_t i = plan_run_steps(&p); i < p.n; i++)
		CHECK(p.steps[i].side == SIDE_EXIT);
}

TEST(hardening_order)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long exec, caps, bound, nnp, chdir_, wait_release, unshare, setsid_, not_dumpable, proc, dev_null,
		sys, kcore, firmware, sysrq_ro, cgroupfs, cgroupfs_ro, first_child = -1;

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_cpu_shares = true;
	s.res.cpu_shares = 100;
	CHECK(build(&s, &h, NULL, &p) == 0);
	for (size_t i = 0; i < p.n && first_child < 0; i++)
		if (p.steps[i].side == SIDE_CHILD)
			first_child = (long)i;
	exec = plan_find_kind(&p, STEP_EXEC);
	caps = FIND(&p, STEP_CAPS, caps, it->keep == CAPS_DEFAULT);
	bound = FIND(&p, STEP_CAPS_BOUND, caps_bound, it->keep == CAPS_DEFAULT);
	nnp = plan_find_kind(&p, STEP_NO_NEW_PRIVS);
	chdir_ = plan_find_kind(&p, STEP_CHDIR);
	wait_release = plan_find_kind(&p, STEP_WAIT_RELEASE);
	unshare = FIND(&p, STEP_UNSHARE, unshare, it->flags == CLONE_NEWCGROUP);
	setsid_ = plan_find_kind(&p, STEP_SETSID);
	not_dumpable = plan_find_kind(&p, STEP_NOT_DUMPABLE);
	proc = find_attach(&p, "/proc");
	dev_null = FIND(&p, STEP_MKNOD, mknod, streq(it->path, "/dev/null"));
	sys = find_attach(&p, "/sys");
	/* Each mask from the descriptor of its own proc or sysfs. */
	kcore = FIND(&p, STEP_MASK, mask,
		     streq(it->target, "/proc/kcore") && streq(it->rel, "kcore") && it->how == MASK_FILE &&
			     it->tree == p.steps[proc].u.bind_attach.tree);
	firmware = FIND(&p, STEP_MASK, mask,
			streq(it->target, "/sys/firmware") && it->how == MASK_DIR &&
				it->tree == p.steps[sys].u.bind_attach.tree);
	sysrq_ro = FIND(&p, STEP_MASK, mask,
			streq(it->target, "/proc/sysrq-trigger") && it->how == MASK_READONLY &&
				it->tree == p.steps[proc].u.bind_attach.tree);
	cgroupfs = FIND(&p, STEP_MOUNT, mount,
			streq(it->target, "/sys/fs/cgroup/cpu,cpuacct") && streq(it->fstype, "cgroup") &&
				streq(it->data, "cpu,cpuacct") &&
				it->flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	cgroupfs_ro = FIND(&p, STEP_MOUNT, mount,
			   streq(it->target, "/sys/fs/cgroup") && (it->flags & MS_REMOUNT) &&
				   (it->flags & MS_RDONLY));
	/* Root's child dies with ctlaunch first; not dumpable once in its
	 * cgroups; the session and the cgroup namespace after that. */
	CHECK(wait_release < 0 && p.steps[first_child].kind == STEP_CLOSE_FDS &&
	      p.steps[first_child + 1].kind == STEP_DIE_WITH_PARENT);
	CHECK(not_dumpable == plan_find_kind(&p, STEP_UNLOCK) + 1);
	CHECK(setsid_ > not_dumpable && unshare > setsid_);
	/* Masks need /proc, /sys and the container's own /dev/null. */
	CHECK(kcore > proc && kcore > dev_null && firmware > sys && sysrq_ro > proc);
	CHECK(cgroupfs > sys && cgroupfs_ro > cgroupfs);
	/* Every hierarchy, as the container has a cgroup in each. */
	CHECK(find_mount(&p, "/sys/fs/cgroup/memory") > cgroupfs - 2 &&
	      find_mount(&p, "/sys/fs/cgroup/cpuset") > 0 && find_mount(&p, "/sys/fs/cgroup/unified") > 0);
	/* Capabilities go last, after every mount, then no_new_privs, then
	 * the seccomp filter (which no_new_privs lets any user load), then
	 * exec: ctlaunch's own steps never meet the filter. */
	/* The command is found and checked while still root, after chdir. */
	CHECK(FIND(&p, STEP_RESOLVE, resolve, streq(it->argv[0], "/bin/echo")) == chdir_ + 1);
	CHECK(chdir_ > cgroupfs_ro && bound == chdir_ + 2 && caps == bound + 3 && nnp == caps + 1 &&
	      plan_find_kind(&p, STEP_SECCOMP) == nnp + 1 && exec == nnp + 2);
	/* No descriptor of the host open while the workdir resolves. */
	CHECK(FIND(&p, STEP_CLOSE_FDS, close_fds, !it->keep_trees) == first_child &&
	      FIND_FROM(&p, first_child + 1, STEP_CLOSE_FDS, close_fds, !it->keep_trees) == chdir_ - 1);
	/* Root too drops the launcher's supplementary groups; the change
	 * of ids clears the parent-death signal, set again at once. */
	CHECK(FIND(&p, STEP_USER, user, it->setgroups && it->uid == 0 && it->gid == 0) == bound + 1);
	CHECK(FIND(&p, STEP_DIE_WITH_PARENT, die_with_parent, it->again) == bound + 2);
	CHECK(plan_find_kind(&p, STEP_RLIMIT) < 0);
	/* The rootfs is a nodev copy, made by the pivot_root step itself. */
	CHECK(FIND(&p, STEP_PIVOT_ROOT, pivot_root, streq(it->path, "/srv/rootfs") && !it->prepared) > 0);
}

TEST(user_between_bounding_set_and_caps)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct spec_rlimit rl[] = { { 7, "nofile", 1024, 1024, { .line = 9, .col = 11 } } };
	long bound, user, caps, rlimit;

	fake_spec(&s);
	fake_host_v1(&h);
	s.user = xstrdup("1000:100");
	s.uid = 1000;
	s.gid = 100;
	s.caps_drop = CAPS_ALL;
	s.caps_add = CAPS_BIT(10);
	s.rlimits = rl;
	s.n_rlimits = 1;
	s.no_new_privileges = false;
	CHECK(build(&s, &h, NULL, &p) == 0);
	s.rlimits = NULL;
	s.n_rlimits = 0;
	rlimit = FIND(&p, STEP_RLIMIT, rlimit,
		      it->resource == 7 && streq(it->name, "nofile") && it->soft == 1024 && it->hard == 1024);
	bound = FIND(&p, STEP_CAPS_BOUND, caps_bound, it->keep == CAPS_BIT(10));
	user = FIND(&p, STEP_USER, user, it->setgroups && it->gid == 100 && it->uid == 1000);
	caps = FIND(&p, STEP_CAPS, caps, it->keep == CAPS_BIT(10));
	/* setrlimit may raise a hard limit only while CAP_SYS_RESOURCE is
	 * there; setuid needs CAP_SETUID, which the spec dropped. */
	/* Without no_new_privs the filter needs CAP_SYS_ADMIN to load:
	 * before the switch to the user takes it. */
	CHECK(rlimit >= 0 && bound > rlimit && plan_find_kind(&p, STEP_SECCOMP) == bound + 1 &&
	      user == bound + 2 && caps == user + 2);
	CHECK(p.steps[user + 1].kind == STEP_DIE_WITH_PARENT && p.steps[user + 1].u.die_with_parent.again);
	CHECK(plan_find_kind(&p, STEP_NO_NEW_PRIVS) < 0);
}

TEST(spec_mounts_ordered_and_readonly_root_last)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct spec_mount m[] = {
		{ .type = MOUNT_TMPFS, .target = "/data/tmp", .has_size = true, .size = 1 << 20,
		  .has_mode = true, .mode = 01777 },
		{ .type = MOUNT_BIND, .source = "/srv/data", .target = "/data", .readonly = true },
	};
	long open, pivot, outer, inner, ro_root, masks;

	fake_spec(&s);
	fake_host_v1(&h);
	s.mounts = m;
	s.n_mounts = 2;
	s.readonly_rootfs = true;
	CHECK(build(&s, &h, NULL, &p) == 0);
	s.mounts = NULL;
	s.n_mounts = 0;
	open = FIND(&p, STEP_BIND_OPEN, bind_open,
		    streq(it->source, "/srv/data") && it->readonly && !it->device);
	pivot = plan_find_kind(&p, STEP_PIVOT_ROOT);
	outer = FIND(&p, STEP_BIND_ATTACH, bind_attach,
		     streq(it->source, "/srv/data") && streq(it->target, "/data") && !it->anchor);
	inner = FIND(&p, STEP_MOUNT, mount,
		     streq(it->target, "/data/tmp") && streq(it->fstype, "tmpfs") &&
			     it->flags == (MS_NOSUID | MS_NODEV) && streq(it->data, "size=1048576,mode=1777"));
	masks = FIND(&p, STEP_MASK, mask, streq(it->target, "/proc/kcore"));
	ro_root = FIND(&p, STEP_MOUNT, mount,
		       streq(it->target, "/") && it->flags == (MS_BIND | MS_REMOUNT | MS_RDONLY));
	/* The host's source is opened before pivot_root; the target is
	 * reached only after, inside the new root. */
	CHECK(open >= 0 && open < pivot && outer > pivot);
	CHECK(p.steps[open].u.bind_open.tree == p.steps[outer].u.bind_attach.tree);
	/* /data before /data/tmp, though the spec lists them the other way. */
	CHECK(inner > outer);
	CHECK(masks > inner && ro_root > masks && ro_root < plan_find_kind(&p, STEP_CHDIR));
}

/* A plan for facts of a file (the unit tests' and --host-facts's hosts)
 * is marked so, and exec_plan refuses it; only host_probe's facts make
 * a plan that runs. */
TEST(plan_from_facts_not_probed)
{
	cleanup_spec struct spec s = { 0 };
	cleanup_host struct host h = { 0 };
	cleanup_plan struct plan p = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(!p.probed);
	plan_free(&p);
	h.real = true;
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(p.probed);
}

/* --stats: nothing in a plan that does not ask for it; else the clock
 * just before the clone and one read at exit, after the container and
 * the watcher are gone and before its cgroups are, in the leaves this
 * run made. */
static void check_stats_steps(const struct plan *p)
{
	long clock = FIND(p, STEP_STATS_CLOCK, hostname, true);
	long clone = FIND(p, STEP_CLONE, clone, true);
	long read = FIND(p, STEP_STATS_READ, stats_read, true);
	long gone = FIND(p, STEP_STOP_WATCHER, hostname, true);
	long purge = FIND(p, STEP_CG_PURGE, cg_purge, true);

	CHECK(clock >= 0 && clock < clone && p->steps[clock].side == SIDE_PARENT);
	CHECK(read > gone && gone > clone && read < purge && p->steps[read].side == SIDE_EXIT);
	for (int i = 0; read >= 0 && i < STATS_DIRS; i++) {
		const struct step_stats_read *r = &p->steps[read].u.stats_read;
		size_t m = r->made_by[i];

		CHECK(!r->dir[i] || (p->steps[m].kind == STEP_CG_MKDIR &&
				     streq(p->steps[m].u.cg_mkdir.dir, r->dir[i])));
	}
}

TEST(stats_steps_v1)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 }, q = { 0 };
	struct plan_opts o = { .stats = true };
	const struct step_stats_read *r;
	long read;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(FIND(&p, STEP_STATS_CLOCK, hostname, true) < 0);
	CHECK(FIND(&p, STEP_STATS_READ, stats_read, true) < 0);
	s.res.has_cpu_quota = true;
	s.res.cpu_quota_us = 50000;
	CHECK(build(&s, &h, &o, &q) == 0);
	check_stats_steps(&q);
	read = FIND(&q, STEP_STATS_READ, stats_read, true);
	if (read < 0)
		return;
	r = &q.steps[read].u.stats_read;
	CHECK(!r->v2 && r->quota);
	/* cpu and cpuacct are mounted together on this host. */
	CHECK_STR(r->dir[STATS_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct/ctlaunch/web");
	CHECK_STR(r->dir[STATS_CPU], "/sys/fs/cgroup/cpu,cpuacct/ctlaunch/web");
	CHECK_STR(r->dir[STATS_MEMORY], "/sys/fs/cgroup/memory/lab/ctlaunch/web");
	CHECK(r->dir[STATS_PIDS] == NULL); /* no pids hierarchy */
}

/* cpuacct in a hierarchy of its own (this machine's layout): its leaf
 * there, which the container has, limits or not. */
TEST(stats_cpuacct_alone_v1)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .stats = true };
	long read;

	fake_spec(&s);
	fake_host_v1(&h);
	free(h.ctrl[CTRL_CPU].controllers);
	h.ctrl[CTRL_CPU].controllers = xstrdup("cpu");
	h.hier[h.n_hier++] = (struct host_hier){ xstrdup("/sys/fs/cgroup/cpuacct"), xstrdup("/"),
						  xstrdup("cpuacct") };
	CHECK(build(&s, &h, &o, &p) == 0);
	check_stats_steps(&p);
	read = FIND(&p, STEP_STATS_READ, stats_read, true);
	CHECK(read >= 0 && !p.steps[read].u.stats_read.quota);
	if (read >= 0)
		CHECK_STR(p.steps[read].u.stats_read.dir[STATS_CPUACCT],
			  "/sys/fs/cgroup/cpuacct/ctlaunch/web");
}

TEST(stats_steps_v2)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .stats = true };
	long read;

	fake_spec(&s);
	fake_host_v2(&h);
	CHECK(build(&s, &h, &o, &p) == 0);
	check_stats_steps(&p);
	read = FIND(&p, STEP_STATS_READ, stats_read, true);
	for (int i = 0; read >= 0 && i < STATS_DIRS; i++)
		CHECK_STR(p.steps[read].u.stats_read.dir[i], "/sys/fs/cgroup/lab.scope/ctlaunch/web");
	CHECK(read >= 0 && p.steps[read].u.stats_read.v2);
}

/* rootfs: {path: [base, tools], overlay: DIR}: one overlay step in the
 * child, after / is rprivate and before pivot_root, the layers top
 * first with what --check saw, DIR split into its directory and name;
 * pivot_root enters the overlay's tree, and no ROOT_OPEN copy is made. */
TEST(overlay_dir_two_layers)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long ov, pivot, rprivate;
	const struct step_overlay *o;

	fake_spec(&s);
	fake_host_v1(&h);
	s.rootfs_dev = 1, s.rootfs_ino = 2;
	s.layers[0] = (struct spec_layer){ xstrdup("/srv/tools"), { .line = 2, .col = 25 }, 3, 4 };
	s.n_layers = 1;
	s.overlay = OVERLAY_DIR;
	s.overlay_dir = xstrdup("/srv/state");
	s.overlay_parent_dev = 5, s.overlay_parent_ino = 6;
	s.overlay_at = (struct ct_loc){ .line = 2, .col = 40 };
	CHECK(build(&s, &h, NULL, &p) == 0);
	ov = plan_find_kind(&p, STEP_OVERLAY);
	pivot = FIND(&p, STEP_PIVOT_ROOT, pivot_root, it->prepared && it->overlay);
	rprivate = FIND(&p, STEP_MOUNT, mount, streq(it->target, "/") && it->flags == (MS_REC | MS_PRIVATE));
	CHECK(ov > rprivate && pivot == ov + 1);
	CHECK(plan_find_kind(&p, STEP_ROOT_OPEN) < 0);
	o = p.steps[ov].u.overlay;
	CHECK(p.steps[ov].side == SIDE_CHILD && p.steps[ov].from.col == 40);
	CHECK(o->n_lower == 2 && o->tree == p.steps[pivot].u.pivot_root.tree);
	CHECK_STR(o->lower[0].path, "/srv/tools");
	CHECK(o->lower[0].dev == 3 && o->lower[0].ino == 4);
	CHECK_STR(o->lower[1].path, "/srv/rootfs");
	CHECK(o->lower[1].dev == 1 && o->lower[1].ino == 2);
	CHECK(!o->tmpfs && !o->userxattr);
	CHECK_STR(o->parent, "/srv");
	CHECK_STR(o->name, "state");
	CHECK(o->parent_dev == 5 && o->parent_ino == 6);
}

/* overlay: tmpfs with a size; root's userns: true has the parent make
 * the layers idmapped after the maps, and hand them over at release. */
TEST(overlay_tmpfs_size_and_userns_idmapped)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	cleanup_plan struct plan q = { 0 };
	long ov, idm, map, rel;
	const struct step_layers_idmap *l;

	fake_spec(&s);
	fake_host_v1(&h);
	h.userns_uid = (struct id_range){ 200000, 65536 };
	h.userns_gid = (struct id_range){ 300000, 1000 };
	s.overlay = OVERLAY_TMPFS;
	s.has_overlay_size = true;
	s.overlay_size = 64 << 20;
	CHECK(build(&s, &h, NULL, &p) == 0);
	ov = plan_find_kind(&p, STEP_OVERLAY);
	CHECK(ov >= 0 && p.steps[ov].u.overlay->tmpfs && p.steps[ov].u.overlay->size == 64 << 20);
	CHECK(p.steps[ov].u.overlay->n_lower == 1 && !p.steps[ov].u.overlay->idmapped);
	CHECK(plan_find_kind(&p, STEP_LAYERS_IDMAP) < 0 && p.n_handed == 0);
	s.userns = true;
	CHECK(build(&s, &h, NULL, &q) == 0);
	ov = plan_find_kind(&q, STEP_OVERLAY);
	idm = plan_find_kind(&q, STEP_LAYERS_IDMAP);
	map = plan_find_kind(&q, STEP_IDMAP);
	rel = plan_find_kind(&q, STEP_RELEASE);
	CHECK(ov >= 0 && idm >= 0 && map >= 0 && rel >= 0);
	CHECK(map < idm && idm < rel && rel < ov && q.steps[idm].side == SIDE_PARENT);
	CHECK(plan_find_kind(&q, STEP_ROOT_OPEN) < 0);
	l = &q.steps[idm].u.layers_idmap;
	CHECK(l->overlay == q.steps[ov].u.overlay && l->overlay->idmapped && l->overlay->userxattr);
	CHECK(l->uid == 200000 && l->gid == 300000 && l->count == 1000);
	CHECK(q.n_handed == 1 && q.handed_first == l->overlay->first_tree);
	CHECK(q.handed_first + q.n_handed <= q.n_trees && l->overlay->tree < q.handed_first);
}

static void with_bridge(struct spec *s, uint32_t address)
{
	s->net.mode = NET_BRIDGE;
	strcpy(s->net.br.name, "lab0");
	s->net.br.subnet = 0x0a580000; /* 10.88.0.0 */
	s->net.br.prefix = 24;
	s->net.br.address = address;
}

TEST(network_none_and_host)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan none = { 0 };
	cleanup_plan struct plan host = { 0 };
	long clone;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &none) == 0);
	clone = plan_find_kind(&none, STEP_CLONE);
	CHECK(none.steps[clone].u.clone.flags & CLONE_NEWNET);
	CHECK(plan_find_kind(&none, STEP_LO_UP) > clone);
	CHECK(plan_find_kind(&none, STEP_NET_LOCK) < 0 && plan_find_kind(&none, STEP_NET_ENTER) < 0);
	s.net.mode = NET_HOST;
	CHECK(build(&s, &h, NULL, &host) == 0);
	clone = plan_find_kind(&host, STEP_CLONE);
	CHECK(!(host.steps[clone].u.clone.flags & CLONE_NEWNET));
	CHECK(plan_find_kind(&host, STEP_LO_UP) < 0);
	CHECK(plan_find_kind(&host, STEP_NET_LOCK) < 0 && plan_find_kind(&host, STEP_NET_RELEASE) < 0);
	CHECK(find_attach(&host, "/etc/hosts") < 0);
}

/* network: a bridge: the namespace is ctlaunch's, made and addressed
 * under the leases' lock before the clone; the clone makes none, the
 * child enters it before sysfs is made, and its /etc/hosts is bound. */
TEST(network_bridge_order)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	static const enum step_kind before_clone[] = {
		STEP_NET_LOCK, STEP_NET_SWEEP, STEP_NET_LEASE, STEP_NET_BRIDGE, STEP_NET_NETNS,
		STEP_NET_VETH, STEP_NET_ADDR, STEP_NET_HOSTS, STEP_NET_UNLOCK,
	};
	long clone, enter, sysfs, at = -1, hosts, attach, release, record;

	fake_spec(&s);
	fake_host_v1(&h);
	with_bridge(&s, 0);
	CHECK(build(&s, &h, NULL, &p) == 0);
	clone = plan_find_kind(&p, STEP_CLONE);
	for (size_t i = 0; i < sizeof before_clone / sizeof before_clone[0]; i++) {
		long k = plan_find_kind(&p, before_clone[i]);

		CHECK(k > at && k < clone && p.steps[k].side == SIDE_PARENT);
		CHECK(p.steps[k].u.net.br == &s.net.br);
		at = k;
	}
	CHECK(!(p.steps[clone].u.clone.flags & CLONE_NEWNET));
	CHECK(plan_find_kind(&p, STEP_LO_UP) < 0);
	enter = plan_find_kind(&p, STEP_NET_ENTER);
	sysfs = FIND(&p, STEP_FS_OPEN, fs_open, streq(it->fstype, "sysfs"));
	CHECK(enter > clone && p.steps[enter].side == SIDE_CHILD && sysfs > enter);
	hosts = FIND(&p, STEP_BIND_OPEN, bind_open, strstr(it->source, "/net/web.hosts") != NULL);
	attach = find_attach(&p, "/etc/hosts");
	CHECK(hosts > enter && attach > hosts && p.steps[hosts].u.bind_open.readonly);
	CHECK(p.steps[hosts].u.bind_open.tree == p.steps[attach].u.bind_attach.tree);
	CHECK(p.steps[hosts].u.bind_open.tree < p.n_trees);
	release = plan_find_kind(&p, STEP_NET_RELEASE);
	CHECK(release > plan_find_kind(&p, STEP_STOP_WATCHER) && p.steps[release].side == SIDE_EXIT);
	CHECK(plan_count_kind(&p, STEP_NET_RELEASE) == 1);
	/* A join must enter the namespace the clone did not make. */
	record = plan_find_kind(&p, STEP_RECORD);
	CHECK(record >= 0 && (p.steps[record].u.record.state->nsflags & CLONE_NEWNET));
}

/* A bridge needs root, and refuses userns: true (the planner refuses
 * what the policy refuses). */
TEST(network_bridge_refused)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	with_bridge(&s, 0x0a580002);
	s.userns = true;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) < 0);
	CHECK(strstr(e.msg, "userns: true") != NULL);
	plan_free(&p);
	memset(&p, 0, sizeof p);
	s.userns = false;
	h.euid = 1000;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) < 0);
	CHECK(strstr(e.msg, "needs root") != NULL);
}
