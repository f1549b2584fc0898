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
	s->res.memory_at = (struct ct_loc){ 5, 11 };
	s->res.has_cpu_shares = true;
	s->res.cpu_shares = 512;
	s->res.has_cpus = true;
	parse_cpulist("1", &s->res.cpus);
	s->res.has_mems = true;
	parse_cpulist("0", &s->res.mems);
}

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
	shared_mems = plan_find(&p, "copy cpuset.mems from the parent cgroup into /sys/fs/cgroup/cpuset/ctlaunch");
	shared_cpus = plan_find(&p, "copy cpuset.cpus from the parent cgroup into /sys/fs/cgroup/cpuset/ctlaunch");
	leaf_mems = plan_find(&p, "write cpuset.mems = 0 in /sys/fs/cgroup/cpuset/ctlaunch/web");
	leaf_cpus = plan_find(&p, "write cpuset.cpus = 1 in /sys/fs/cgroup/cpuset/ctlaunch/web");
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
	leaf = plan_find(&p, "mkdir /sys/fs/cgroup/cpuset/ctlaunch/web");
	CHECK(plan_find(&p, "mkdir /sys/fs/cgroup/cpuset/ctlaunch (shared") >= 0);
	CHECK(leaf > plan_find(&p, "copy cpuset.cpus from the parent cgroup into /sys/fs/cgroup/cpuset/ctlaunch"));
	CHECK(leaf > plan_find(&p, "copy cpuset.mems from the parent cgroup into /sys/fs/cgroup/cpuset/ctlaunch"));
	/* Only cpus were given: the leaf's mems come from its parent. */
	CHECK(plan_find(&p, "copy cpuset.mems from the parent cgroup into /sys/fs/cgroup/cpuset/ctlaunch/web") > leaf);
	CHECK(plan_find(&p, "write cpuset.cpus = 0-1 in /sys/fs/cgroup/cpuset/ctlaunch/web") > leaf);
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
	CHECK(plan_find(&p, "mount / rprivate (MS_REC|MS_PRIVATE)") == first);
}

TEST(rootfs_bind_before_pivot_root_before_proc)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	long bind, pivot, umount_old, proc, dev, sys;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	/* The rootfs: no bind by path any more, one step by descriptor. */
	bind = plan_find(&p, "mount /srv/rootfs on /srv/rootfs bind");
	pivot = plan_find(&p, "pivot_root /srv/rootfs by descriptor: no link followed, the directory --check saw, a nodev copy");
	umount_old = plan_find_kind(&p, STEP_UMOUNT_OLD);
	proc = plan_find(&p, "move_mount proc to /proc by descriptor, no link followed; kept for the masks");
	dev = plan_find(&p, "mount tmpfs on /dev type tmpfs");
	sys = plan_find(&p, "move_mount sysfs to /sys by descriptor, no link followed; kept for the masks");
	CHECK(bind < 0 && pivot > 0);
	/* proc and sysfs made before pivot_root (root as rootless), detached. */
	CHECK(plan_find(&p, "fsopen proc, fsmount (MS_NOSUID|MS_NODEV|MS_NOEXEC)") < pivot);
	CHECK(umount_old == pivot + 1);
	CHECK(proc > umount_old && dev > umount_old && sys > umount_old);
	CHECK(plan_find(&p, "mount devpts on /dev/pts type devpts") > dev);
	CHECK(plan_find(&p, "mknod /dev/null c 1 3 mode 0666") > dev);
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
	CHECK(plan_find(&p, "with CLONE_VM|CLONE_VFORK (ctlaunch sleeps until the child execs)") == clone);
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
	CHECK(p.steps[clone + 1].kind == STEP_DIE_WITH_PARENT && first_enter == clone + 2);
	CHECK(unlock == last_enter + 1 && p.steps[unlock].side == SIDE_CHILD);
	CHECK(p.steps[unlock + 1].kind == STEP_NOT_DUMPABLE && exec > unlock);
	/* Nobody to release it, nothing to wait for. */
	CHECK(plan_find_kind(&p, STEP_RELEASE) < 0 && plan_find_kind(&p, STEP_WAIT_RELEASE) < 0);
	for (long i = 0; i < (long)p.n; i++)
		CHECK(p.steps[i].side == (i <= clone || p.steps[i].kind == STEP_WAIT ? SIDE_PARENT
										  : SIDE_CHILD));
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/memory/lab/ctlaunch/web/cgroup.procs") > clone);
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/cpu,cpuacct/ctlaunch/web/cgroup.procs") > clone);
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/cpuset/ctlaunch/web/cgroup.procs") > clone);
	/* The hierarchies no limit is for: the container's cgroup all the same. */
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/devices/ctlaunch/web/cgroup.procs") > clone);
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/unified/ctlaunch/web/cgroup.procs") > clone);
	/* No limits: the same cgroups, the lock let go of after them. */
	plan_free(&p);
	spec_free(&s);
	fake_spec(&s);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(plan_find_kind(&p, STEP_UNLOCK) > plan_find(&p, "/sys/fs/cgroup/unified/ctlaunch/web/cgroup.procs"));
	CHECK(plan_find(&p, "write 0 (itself) to /sys/fs/cgroup/memory/lab/ctlaunch/web/cgroup.procs") > 0);
	CHECK(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.vfork);
}

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
	mem = plan_find(&p, "write memory.limit_in_bytes = 16777216 in /sys/fs/cgroup/memory/lab/ctlaunch/web");
	memsw = plan_find(&p, "write memory.memsw.limit_in_bytes = 16777216 in /sys/fs/cgroup/memory/lab/ctlaunch/web");
	CHECK(mem >= 0 && memsw > mem);
	/* Socket buffers under the same limit (issue 15, class 4). */
	CHECK(plan_find(&p, "write memory.kmem.tcp.limit_in_bytes = 16777216 in "
			    "/sys/fs/cgroup/memory/lab/ctlaunch/web") > memsw);
	CHECK(p.note == NULL);
	/* Every hierarchy gets a cgroup; only the limits asked for are written. */
	CHECK(plan_find(&p, "mkdir /sys/fs/cgroup/cpuset/ctlaunch/web") >= 0 && plan_find(&p, "cpu.shares") < 0 &&
	      plan_find(&p, "mkdir /sys/fs/cgroup/cpu,cpuacct/ctlaunch/web") >= 0);
	h.memsw = false;
	h.kmem_tcp = false;
	CHECK(build(&s, &h, NULL, &q) == 0);
	CHECK(plan_find(&q, "memsw") < 0 && plan_find(&q, "kmem") < 0);
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
	size_t idx[16];
	long dev;

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(plan_cleanup_order(&p, idx, 16) == 10);
	dev = plan_find_kind(&p, STEP_DEVICES);
	CHECK(dev > plan_find(&p, "mkdir /sys/fs/cgroup/devices/ctlaunch/web") &&
	      dev < plan_find_kind(&p, STEP_CLONE));
	CHECK(plan_find(&p, "devices: write a to devices.deny, then allow c 1:3 rwm, c 1:5 rwm, "
			    "c 1:7 rwm, c 1:8 rwm, c 1:9 rwm, c 5:0 rwm, c 5:2 rwm, c 136:* rwm in "
			    "/sys/fs/cgroup/devices/ctlaunch/web") == dev);
	CHECK(plan_find(&p, "mount cgroup on /sys/fs/cgroup/devices type cgroup") > 0);
	CHECK(plan_find(&p, "mount cgroup2 on /sys/fs/cgroup/unified type cgroup2") > 0);
	CHECK(plan_find(&p, "pids.max") < 0);
	h.ctrl[CTRL_PIDS].mount = xstrdup("/sys/fs/cgroup/pids");
	h.ctrl[CTRL_PIDS].own = xstrdup("/");
	h.ctrl[CTRL_PIDS].controllers = xstrdup("pids");
	CHECK(build(&s, &h, NULL, &q) == 0);
	CHECK(plan_find(&q, "write pids.max = 2048 in /sys/fs/cgroup/pids/ctlaunch/web (the default") > 0);
}

TEST(cgroup_parent_and_cleanup_order)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct plan_opts o = { .cgroup_parent = "/labs/a" };
	size_t idx[16], n;

	fake_spec(&s);
	fake_host_v1(&h);
	s.res.has_cpu_shares = true;
	s.res.cpu_shares = 2;
	s.res.has_memory = true;
	s.res.memory = 1 << 30;
	CHECK(build(&s, &h, &o, &p) == 0);
	CHECK(plan_find(&p, "mkdir /sys/fs/cgroup/memory/labs/a/ctlaunch/web") >= 0);
	CHECK(plan_find(&p, "write cpu.shares = 2 in /sys/fs/cgroup/cpu,cpuacct/labs/a/ctlaunch/web") >= 0);
	n = plan_cleanup_order(&p, idx, 16);
	CHECK(n == 10);
	CHECK(plan_find(&p, "mkdir /sys/fs/cgroup/unified/labs/a/ctlaunch/web") >= 0);
	/* Every leaf goes before any shared directory. */
	for (size_t i = 0; i < n; i++)
		CHECK(p.steps[idx[i]].u.cg.shared == (i >= 5));
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
	s.res.memory_at = (struct ct_loc){ 7, 11 };
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
	CHECK(plan_find(&p, "sethostname lab1") >= 0);
	CHECK(plan_find(&p, "exec /bin/echo hi with env PATH=") >= 0);
	CHECK(plan_find(&p, "'GREETING=hello world'") >= 0);
}

TEST(hostname_defaults_to_name)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(plan_find(&p, "sethostname web") >= 0);
	CHECK(plan_find(&p, "HOSTNAME=web") >= 0);
	CHECK(plan_find(&p, "chdir /") >= 0);
}

TEST(clone_flags_named)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	CHECK(build(&s, &h, NULL, &p) == 0);
	CHECK(plan_find(&p, "clone CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET") >= 0);
	CHECK(p.steps[p.n - 1].kind == STEP_WAIT);
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
	caps = plan_find(&p, "capabilities CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,"
			"CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,"
			"CAP_SETFCAP (permitted, effective; inheritable none)");
	bound = plan_find(&p, "bounding capabilities CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,"
			 "CAP_KILL,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,"
			 "CAP_SYS_CHROOT,CAP_SETFCAP; ambient none");
	nnp = plan_find(&p, "prctl PR_SET_NO_NEW_PRIVS 1");
	chdir_ = plan_find_kind(&p, STEP_CHDIR);
	wait_release = plan_find_kind(&p, STEP_WAIT_RELEASE);
	unshare = plan_find(&p, "unshare CLONE_NEWCGROUP");
	setsid_ = plan_find(&p, "setsid");
	not_dumpable = plan_find(&p, "prctl PR_SET_DUMPABLE 0");
	proc = plan_find(&p, "move_mount proc to /proc");
	dev_null = plan_find(&p, "mknod /dev/null");
	sys = plan_find(&p, "move_mount sysfs to /sys");
	kcore = plan_find(&p, "mask /proc/kcore with /dev/null, from the proc descriptor (if the kernel has it)");
	firmware = plan_find(&p, "mask /sys/firmware with an empty read-only tmpfs, from the sysfs descriptor (if the kernel has it)");
	sysrq_ro = plan_find(&p, "mask /proc/sysrq-trigger read-only (nosuid, nodev, noexec), from the proc descriptor (if the kernel has it)");
	cgroupfs = plan_find(&p, "mount cgroup on /sys/fs/cgroup/cpu,cpuacct type cgroup (MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC) cpu,cpuacct");
	cgroupfs_ro = plan_find(&p, "mount /sys/fs/cgroup remount (MS_RDONLY");
	/* Root's child dies with ctlaunch first; not dumpable once in its
	 * cgroups; the session and the cgroup namespace after that. */
	CHECK(wait_release < 0 && p.steps[first_child].kind == STEP_DIE_WITH_PARENT);
	CHECK(not_dumpable == plan_find_kind(&p, STEP_UNLOCK) + 1);
	CHECK(setsid_ > not_dumpable && unshare > setsid_);
	/* Masks need /proc, /sys and the container's own /dev/null. */
	CHECK(kcore > proc && kcore > dev_null && firmware > sys && sysrq_ro > proc);
	CHECK(cgroupfs > sys && cgroupfs_ro > cgroupfs);
	/* Every hierarchy, as the container has a cgroup in each. */
	CHECK(plan_find(&p, "on /sys/fs/cgroup/memory") > cgroupfs - 2 &&
	      plan_find(&p, "on /sys/fs/cgroup/cpuset") > 0 && plan_find(&p, "on /sys/fs/cgroup/unified") > 0);
	/* Capabilities go last, after every mount, then no_new_privs, then
	 * the seccomp filter (which no_new_privs lets any user load), then
	 * exec: ctlaunch's own steps never meet the filter. */
	/* The command is found and checked while still root, after chdir. */
	CHECK(plan_find(&p, "find /bin/echo in PATH, open it and its #! interpreters; refuse ctlaunch's "
			"own binary (CVE-2019-5736)") == chdir_ + 1);
	CHECK(chdir_ > cgroupfs_ro && bound == chdir_ + 2 && caps == bound + 2 && nnp == caps + 1 &&
	      plan_find_kind(&p, STEP_SECCOMP) == nnp + 1 && exec == nnp + 2);
	/* Root too drops the launcher's supplementary groups. */
	CHECK(plan_find(&p, "setgroups 0, setgid 0, setuid 0") == bound + 1);
	CHECK(plan_find_kind(&p, STEP_RLIMIT) < 0);
	/* The rootfs is a nodev copy, made by the pivot_root step itself. */
	CHECK(plan_find(&p, "pivot_root /srv/rootfs by descriptor: no link followed, the directory "
			"--check saw, a nodev copy") > 0);
}

TEST(user_between_bounding_set_and_caps)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct spec_rlimit rl[] = { { 7, "nofile", 1024, 1024, { 9, 11 } } };
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
	rlimit = plan_find(&p, "setrlimit nofile soft 1024 hard 1024");
	bound = plan_find(&p, "bounding capabilities CAP_NET_BIND_SERVICE; ambient none");
	user = plan_find(&p, "setgroups 100, setgid 100, setuid 1000");
	caps = plan_find(&p, "capabilities CAP_NET_BIND_SERVICE (permitted, effective; inheritable none)");
	/* setrlimit may raise a hard limit only while CAP_SYS_RESOURCE is
	 * there; setuid needs CAP_SETUID, which the spec dropped. */
	/* Without no_new_privs the filter needs CAP_SYS_ADMIN to load:
	 * before the switch to the user takes it. */
	CHECK(rlimit >= 0 && bound > rlimit && plan_find_kind(&p, STEP_SECCOMP) == bound + 1 &&
	      user == bound + 2 && caps == user + 1);
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
	open = plan_find(&p, "open_tree /srv/data (OPEN_TREE_CLONE|AT_RECURSIVE) nodev, read-only");
	pivot = plan_find_kind(&p, STEP_PIVOT_ROOT);
	outer = plan_find(&p, "move_mount /srv/data to /data (read-only)");
	inner = plan_find(&p, "mount tmpfs on /data/tmp type tmpfs (MS_NOSUID|MS_NODEV) size=1048576,mode=1777");
	masks = plan_find(&p, "/proc/kcore");
	ro_root = plan_find(&p, "mount / remount (MS_RDONLY|MS_REMOUNT|MS_BIND)");
	/* The host's source is opened before pivot_root; the target is
	 * reached only after, inside the new root. */
	CHECK(open >= 0 && open < pivot && outer > pivot);
	/* /data before /data/tmp, though the spec lists them the other way. */
	CHECK(inner > outer);
	CHECK(masks > inner && ro_root > masks && ro_root < plan_find_kind(&p, STEP_CHDIR));
}
