/* The planner for an ordinary user: a user namespace, its id maps, and
 * what changes when the kernel no longer trusts us with the host. */
#include <linux/mount.h> /* MS_* */
#include <sched.h>
#include <string.h>

#include "fake.h"
#include "plan.h"
#include "policy.h"
#include "t.h"


static const struct plan_opts no_opts;

static void as_user(struct host *h)
{
	h->euid = 1000;
	h->egid = 1000;
	h->cg_writable = false;
}

TEST(user_namespace_and_maps)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	long clone, uid_map, gid_map, release;

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	clone = plan_find_kind(&p, STEP_CLONE);
	CHECK(clone >= 0 && (p.steps[clone].u.clone.flags & CLONE_NEWUSER));
	uid_map = FIND(&p, STEP_IDMAP, idmap,
		       it->which == 'u' && streq(it->map, "0 1000 1") && !it->helper);
	gid_map = FIND(&p, STEP_IDMAP, idmap,
		       it->which == 'g' && streq(it->map, "0 1000 1") && !it->helper && it->deny_setgroups);
	CHECK(p.steps[uid_map].side == SIDE_PARENT && plan_count_kind(&p, STEP_IDMAP) == 2);
	release = plan_find_kind(&p, STEP_RELEASE);
	CHECK(uid_map > clone && gid_map > clone && release > uid_map && release > gid_map);
	/* The maps need the parent after the clone: no vfork. The child
	 * waits to be released before anything else. */
	CHECK(!p.steps[clone].u.clone.vfork);
	CHECK(p.steps[release + 1].kind == STEP_CLOSE_FDS &&
	      p.steps[release + 2].kind == STEP_DIE_WITH_PARENT &&
	      p.steps[release + 3].kind == STEP_WAIT_RELEASE &&
	      p.steps[release + 4].kind == STEP_NOT_DUMPABLE);
	/* No cgroup without limits for a user: no lock, and at exit only
	 * the container and the watcher. */
	CHECK(plan_find_kind(&p, STEP_LOCK) < 0 && plan_find_kind(&p, STEP_CG_MKDIR) < 0);
	CHECK(p.n == plan_run_steps(&p) + 2 && p.steps[p.n - 2].kind == STEP_KILL_CHILD &&
	      p.steps[p.n - 1].kind == STEP_STOP_WATCHER);
	/* The kernel refuses setgroups once it is denied. */
	CHECK(FIND(&p, STEP_USER, user, it->setgroups) < 0 &&
	      FIND(&p, STEP_USER, user, it->uid == 0 && it->gid == 0) >= 0);
	/* Root runs have no user namespace and no maps. */
	plan_free(&p);
	h.euid = 0;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(!(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.flags & CLONE_NEWUSER));
	CHECK(plan_find_kind(&p, STEP_IDMAP) < 0 &&
	      FIND(&p, STEP_BIND_OPEN, bind_open, streq(it->source, "/dev/null")) < 0);
}

TEST(subordinate_ids_through_helpers)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	h.subuid = (struct id_range){ 100000, 65536 };
	h.subgid = (struct id_range){ 200000, 1000 };
	h.newidmap = true;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_IDMAP, idmap,
		   it->which == 'u' && streq(it->map, "0 1000 1 1 100000 65536") && it->helper) >= 0);
	CHECK(FIND(&p, STEP_IDMAP, idmap,
		   it->which == 'g' && streq(it->map, "0 1000 1 1 200000 1000") && it->helper &&
			   !it->deny_setgroups) >= 0);
	CHECK(FIND(&p, STEP_USER, user, it->setgroups && it->uid == 0 && it->gid == 0) >= 0);
	CHECK(FIND(&p, STEP_MOUNT, mount,
		   streq(it->target, "/dev/pts") && strstr(it->data, "mode=0620,gid=5")) >= 0);
	/* Ranges without the helpers: only the user itself. */
	plan_free(&p);
	h.newidmap = false;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_IDMAP, idmap, it->which == 'u' && streq(it->map, "0 1000 1")) >= 0);
	CHECK(FIND(&p, STEP_MOUNT, mount, streq(it->target, "/dev/pts") && !strstr(it->data, "gid=5")) >=
	      0);
}

/* No mknod in a user namespace: the host's nodes are bound, opened
 * before pivot_root. proc and sysfs are made while the host's are
 * visible (mount_too_revealing) and attached after. */
TEST(devices_proc_sysfs)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	long pivot, open_null, attach_null, dev, proc_open, proc_at, sys_open, sys_at;

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	pivot = plan_find_kind(&p, STEP_PIVOT_ROOT);
	open_null = FIND(&p, STEP_BIND_OPEN, bind_open, streq(it->source, "/dev/null") && it->device);
	attach_null = find_attach(&p, "/dev/null");
	dev = FIND(&p, STEP_MOUNT, mount, streq(it->target, "/dev") && streq(it->fstype, "tmpfs"));
	proc_open = FIND(&p, STEP_FS_OPEN, fs_open,
			 streq(it->fstype, "proc") && it->flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC));
	proc_at = find_attach(&p, "/proc");
	sys_open = FIND(&p, STEP_FS_OPEN, fs_open,
			streq(it->fstype, "sysfs") &&
				it->flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	sys_at = find_attach(&p, "/sys");
	CHECK(open_null >= 0 && open_null < pivot && attach_null > dev);
	CHECK(proc_open >= 0 && proc_open < pivot && proc_at > pivot);
	CHECK(sys_open >= 0 && sys_open < pivot && sys_at > pivot);
	CHECK(plan_find_kind(&p, STEP_MKNOD) < 0 && find_mount(&p, "/proc") < 0);
	/* Each open has its own slot, and its attach the same one. */
	CHECK(p.steps[open_null].u.bind_open.tree == p.steps[attach_null].u.bind_attach.tree);
	CHECK(p.steps[proc_open].u.fs_open.tree == p.steps[proc_at].u.bind_attach.tree);
	CHECK(p.steps[sys_open].u.fs_open.tree == p.steps[sys_at].u.bind_attach.tree);
	CHECK(p.steps[proc_open].u.fs_open.tree != p.steps[sys_open].u.fs_open.tree &&
	      p.steps[proc_open].u.fs_open.tree != p.steps[open_null].u.bind_open.tree);
}

/* Never a run without a limit the spec asked for. */
TEST(limits_refused_with_reason)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	s.res.has_pids = true;
	s.res.pids = 10;
	s.res.pids_at = (struct ct_loc){ .line = 9, .col = 9 };
	s.res.has_memory = true;
	s.res.memory = 1 << 24;
	s.res.memory_at = (struct ct_loc){ .line = 8, .col = 11 };
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK_STR(e.msg, "web.yaml:8:11: resources.memory: cannot be applied by an ordinary user "
			 "(uid 1000): cgroup v1 hierarchies cannot be delegated (run ctlaunch as root, "
			 "or without limits)");
	host_free(&h);
	fake_host_v2(&h);
	as_user(&h);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK_STR(e.msg, "web.yaml:8:11: resources.memory: cannot be applied by uid 1000: its cgroup "
			 "/lab.scope is not delegated to it (run ctlaunch under systemd-run --user "
			 "--scope -p Delegate=yes, or as root)");
	CHECK(p.n == 0);
	/* A delegated cgroup: the limits are planned as for root. */
	h.cg_writable = true;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(find_write(&p, "/sys/fs/cgroup/lab.scope/ctlaunch/web", "memory.max", "16777216") >= 0);
	plan_free(&p);
}

TEST(user_must_be_mapped)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	struct plan p = { 0 };
	struct ct_err e = { 0 };

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	s.user = xstrdup("lab");
	s.uid = 1000;
	s.gid = 1000;
	s.user_at = (struct ct_loc){ .line = 4, .col = 7 };
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK(strstr(e.msg, "web.yaml:4:7: user: uid 1000 is not mapped in a rootless run by uid 1000") == e.msg);
	h.subuid = (struct id_range){ 100000, 65536 };
	h.subgid = (struct id_range){ 100000, 500 };
	h.newidmap = true;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == -1);
	CHECK(strstr(e.msg, "gid 1000 is not mapped") != NULL);
	h.subgid.count = 65536;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_USER, user, it->setgroups && it->gid == 1000 && it->uid == 1000) >= 0);
	plan_free(&p);
}

/* The policy reports every refusal in one pass, each in the form of a
 * spec error, in the order of the file after the invocation's own. */
TEST(policy_reports_every_refusal)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_diags struct ct_diags d = { 0 };
	const struct plan_opts stdin_dir = { .stdio_dir = 1 };

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	s.user = xstrdup("lab");
	s.uid = 1000;
	s.gid = 1000;
	s.user_at = (struct ct_loc){ .line = 4, .col = 7 };
	s.res.has_pids = true;
	s.res.pids = 10;
	s.res.pids_at = (struct ct_loc){ .line = 9, .col = 9 };
	s.res.has_memory = true;
	s.res.memory = 1 << 24;
	s.res.memory_at = (struct ct_loc){ .line = 8, .col = 11 };
	CHECK(policy_check(&s, &h, &stdin_dir, &d) == -1);
	CHECK(d.n == 5);
	if (d.n != 5)
		return;
	CHECK(strstr(d.v[0], "web.yaml: descriptor 0 is a directory: ") == d.v[0]);
	CHECK(strstr(d.v[1], "web.yaml:4:7: user: uid 1000 is not mapped") == d.v[1]);
	CHECK(strstr(d.v[2], "web.yaml:4:7: user: gid 1000 is not mapped") == d.v[2]);
	CHECK(strstr(d.v[3], "web.yaml:8:11: resources.memory: cannot be applied") == d.v[3]);
	CHECK(strstr(d.v[4], "web.yaml:9:9: resources.pids: cannot be applied") == d.v[4]);
	/* Root on v2 without two controllers: one line each. */
	ct_diags_free(&d);
	host_free(&h);
	fake_host_v2(&h);
	free(h.ctrl[CTRL_MEMORY].mount);
	free(h.ctrl[CTRL_PIDS].mount);
	h.ctrl[CTRL_MEMORY].mount = h.ctrl[CTRL_PIDS].mount = NULL;
	CHECK(policy_check(&s, &h, &no_opts, &d) == -1);
	CHECK(d.n == 2);
	CHECK(d.n == 2 && strstr(d.v[0], "web.yaml:8:11: resources.memory: this host's cgroup v2 "
					 "has no memory controller") == d.v[0]);
	CHECK(d.n == 2 && strstr(d.v[1], "web.yaml:9:9: resources.pids: this host's cgroup v2 "
					 "has no pids controller") == d.v[1]);
	/* And a spec it allows: nothing. */
	ct_diags_free(&d);
	s.res.has_memory = s.res.has_pids = false;
	CHECK(policy_check(&s, &h, &no_opts, &d) == 0 && d.n == 0);
}


/* A rootless overlay: made by the child in its user namespace, with
 * user.overlay.* xattrs (trusted.* need host root). */
TEST(overlay_in_the_user_namespace)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	long ov;

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	s.overlay = OVERLAY_TMPFS;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	ov = plan_find_kind(&p, STEP_OVERLAY);
	CHECK(ov > plan_find_kind(&p, STEP_CLONE) && p.steps[ov].side == SIDE_CHILD);
	CHECK(p.steps[ov].u.overlay->userxattr);
	CHECK(p.steps[ov + 1].kind == STEP_PIVOT_ROOT && p.steps[ov + 1].u.pivot_root.overlay);
}

/* network: host in a user namespace: the kernel makes a sysfs only for
 * the network namespace's owner, so the host's /sys is bound read-only
 * in its slot, and the masks still anchor on it. */
TEST(network_host_binds_sys)
{
	cleanup_spec struct spec s;
	cleanup_host struct host h;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	long sys, attach;

	fake_spec(&s);
	fake_host_v1(&h);
	as_user(&h);
	s.net.mode = NET_HOST;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_FS_OPEN, fs_open, streq(it->fstype, "sysfs")) < 0);
	sys = FIND(&p, STEP_BIND_OPEN, bind_open, streq(it->source, "/sys") && it->readonly);
	attach = find_attach(&p, "/sys");
	CHECK(sys >= 0 && attach > sys);
	CHECK(p.steps[attach].u.bind_attach.anchor &&
	      p.steps[attach].u.bind_attach.tree == p.steps[sys].u.bind_open.tree);
	CHECK(FIND(&p, STEP_MASK, mask, it->tree == p.steps[sys].u.bind_open.tree) > attach);
	CHECK(!(p.steps[plan_find_kind(&p, STEP_CLONE)].u.clone.flags & CLONE_NEWNET));
}
