/* The planner's side of running containers: what a run records of
 * itself, and the plan of --join. */
#include <sched.h>
#include <string.h>

#include "fake.h"
#include "plan.h"
#include "state.h"
#include "t.h"
#include "util.h"

static const struct plan_opts no_opts;

/* The record: the limits as the spec says them, every cgroup, the
 * namespaces with the cgroup one, the command's user; before the wait. */
TEST(record_of_a_run)
{
	cleanup_host struct host h;
	cleanup_spec struct spec s;
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	const struct ct_state *st;
	long rec;

	fake_host_v1(&h);
	fake_spec(&s);
	s.res.has_memory = true;
	s.res.memory = 64 << 20;
	s.res.has_cpu_quota = true;
	s.res.cpu_quota_us = 125000;
	s.user = xstrdup("lab");
	s.uid = 1000;
	s.gid = 100;
	s.digest = 0x1234;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	rec = FIND(&p, STEP_RECORD, record, streq(it->dir, "/run/ctlaunch") && it->world_readable);
	CHECK(rec >= 0 && p.steps[rec + 1].kind == STEP_WAIT && p.steps[rec].side == SIDE_PARENT);
	st = p.steps[rec].u.record.state;
	CHECK_STR(st->name, "web");
	CHECK(st->uid == 1000 && st->gid == 100 && st->owner == 0 && st->digest == 0x1234);
	CHECK(st->nsflags == (CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
			      CLONE_NEWNET | CLONE_NEWCGROUP));
	CHECK(st->n_cgroups == plan_count_kind(&p, STEP_CG_ENTER));
	/* (This host has no pids controller: no default pids limit.) */
	CHECK(st->n_limits == 2);
	CHECK_STR(st->limits[0].value, "64M");
	CHECK_STR(st->limits[1].key, "cpus");
	CHECK_STR(st->limits[1].value, "1.25");
	/* Removed at exit just before the name's lock goes. */
	CHECK(FIND(&p, STEP_UNRECORD, unrecord, streq(it->name, "web")) == (long)p.n - 2);
	CHECK(p.steps[p.n - 1].kind == STEP_NAME_UNLOCK);
}

/* No cgroups (a host without any): the name's lock all the same, and
 * the record; a user without a runtime directory: neither. */
TEST(record_without_cgroups)
{
	struct host h;
	cleanup_spec struct spec s;
	struct plan p;
	struct ct_err e = { 0 };

	memset(&h, 0, sizeof h);
	h.layout = CG_NONE;
	fake_spec(&s);
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_NAME_LOCK, name_lock, streq(it->path, "/run/ctlaunch/web.lock")) == 0);
	CHECK(plan_find_kind(&p, STEP_LOCK) < 0 && plan_find_kind(&p, STEP_RECORD) > 0);
	CHECK(FIND(&p, STEP_NAME_UNLOCK, name_unlock, true) == (long)p.n - 1);
	plan_free(&p);
	h.euid = 1000;
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(plan_find_kind(&p, STEP_NAME_LOCK) < 0 && plan_find_kind(&p, STEP_RECORD) < 0 &&
	      plan_find_kind(&p, STEP_UNRECORD) < 0);
	plan_free(&p);
	h.runtime_dir = (char *)"/run/user/1000";
	CHECK(plan_build(&s, &h, &no_opts, &p, &e) == 0);
	CHECK(FIND(&p, STEP_NAME_LOCK, name_lock,
		   streq(it->path, "/run/user/1000/ctlaunch/web.lock")) == 0);
	CHECK(FIND(&p, STEP_RECORD, record, streq(it->dir, "/run/user/1000/ctlaunch") &&
						   !it->world_readable) > 0);
	plan_free(&p);
}

static void fake_state(struct ct_state *st, const struct plan *run)
{
	long rec = plan_find_kind(run, STEP_RECORD);

	*st = *run->steps[rec].u.record.state;
	st->pid = 4242;
	st->start = 777;
	st->seccomp = true;
	st->filter = 0xabcdef;
}

/* The steps that make the command's process what the run's command
 * is, in the same order with the same payloads. */
static bool same_tail(const struct plan *a, const struct plan *b)
{
	long ia = plan_find_kind(a, STEP_CHDIR), ib = plan_find_kind(b, STEP_CHDIR);

	if (ia < 0 || ib < 0)
		return false;
	for (; a->steps[ia].kind != STEP_EXEC; ia++, ib++) {
		const struct step *x = &a->steps[ia], *y = &b->steps[ib];

		if (x->kind != y->kind || x->side != y->side)
			return false;
		if ((x->kind == STEP_CAPS && x->u.caps.keep != y->u.caps.keep) ||
		    (x->kind == STEP_CAPS_BOUND && x->u.caps_bound.keep != y->u.caps_bound.keep) ||
		    (x->kind == STEP_USER && (x->u.user.uid != y->u.user.uid ||
					      x->u.user.gid != y->u.user.gid ||
					      x->u.user.setgroups != y->u.user.setgroups)) ||
		    (x->kind == STEP_SECCOMP && (x->u.seccomp.caps != y->u.seccomp.caps ||
						 x->u.seccomp.profile != y->u.seccomp.profile)) ||
		    (x->kind == STEP_RLIMIT && x->u.rlimit.soft != y->u.rlimit.soft) ||
		    (x->kind == STEP_CHDIR && !streq(x->u.chdir.dir, y->u.chdir.dir)))
			return false;
	}
	return b->steps[ib].kind == STEP_EXEC;
}

/* v1: the container's cgroup in every hierarchy, by the first process,
 * not dumpable before it; its rlimits and namespaces; the command's
 * process forked into its pid namespace; then the run's own steps. */
TEST(join_plan_v1)
{
	static char *const cmd[] = { "/bin/ps", NULL };
	cleanup_host struct host h;
	cleanup_spec struct spec s;
	struct plan run, p;
	struct ct_state st;
	struct ct_err e = { 0 };
	long dumpable, enter, rlimits, mask, setns, fork;

	fake_host_v1(&h);
	fake_spec(&s);
	s.workdir = xstrdup("/tmp");
	s.caps_drop = 1;
	CHECK(plan_build(&s, &h, &no_opts, &run, &e) == 0);
	fake_state(&st, &run);
	spec_set_command(&s, cmd, 1);
	CHECK(plan_join(&s, &h, &no_opts, &st, &p, &e) == 0);
	CHECK(p.join && !p.userns);
	CHECK(FIND(&p, STEP_JOIN_OPEN, join_open, it->pid == 4242 && it->start == 777 && it->seccomp &&
							   it->filter == 0xabcdef) == 0);
	CHECK(FIND(&p, STEP_WATCHER, watcher, it->pidfd_only) == 1);
	CHECK(FIND(&p, STEP_CLONE, clone, it->flags == 0 && !it->cgroup && !it->vfork) == 2);
	CHECK(p.steps[3].kind == STEP_RELEASE);
	dumpable = plan_find_kind(&p, STEP_NOT_DUMPABLE);
	enter = plan_find_kind(&p, STEP_CG_ENTER);
	rlimits = plan_find_kind(&p, STEP_JOIN_RLIMITS);
	mask = FIND(&p, STEP_JOIN_UMASK, join_umask, it->pid == 4242);
	setns = FIND(&p, STEP_SETNS, setns, it->nsflags == st.nsflags);
	fork = plan_find_kind(&p, STEP_JOIN_FORK);
	CHECK(dumpable > 3 && dumpable < enter && enter < rlimits && rlimits < setns && setns < fork);
	/* Read from the host's /proc: before setns. */
	CHECK(mask > enter && mask < setns);
	CHECK(plan_count_kind(&p, STEP_CG_ENTER) == st.n_cgroups);
	for (size_t i = 0; i < st.n_cgroups; i++)
		CHECK(FIND(&p, STEP_CG_ENTER, cg_enter, streq(it->dir, st.cgroups[i])) > dumpable);
	CHECK(FIND_FROM(&p, fork, STEP_NOT_DUMPABLE, unshare, true) > fork);
	CHECK(FIND_FROM(&p, fork, STEP_SETSID, unshare, true) > fork);
	for (size_t i = 4; i < p.n; i++)
		CHECK(p.steps[i].side == (p.steps[i].kind == STEP_WAIT ? SIDE_PARENT
					  : i > (size_t)plan_find_kind(&p, STEP_WAIT) ? SIDE_EXIT
										       : SIDE_CHILD));
	/* Nothing of a run's own: no namespace made, no mount, no cgroup,
	 * no lock, no record. */
	CHECK(plan_find_kind(&p, STEP_UNSHARE) < 0 && plan_find_kind(&p, STEP_PIVOT_ROOT) < 0 &&
	      plan_find_kind(&p, STEP_CG_MKDIR) < 0 && plan_find_kind(&p, STEP_NAME_LOCK) < 0 &&
	      plan_find_kind(&p, STEP_RECORD) < 0 && plan_find_kind(&p, STEP_HOSTNAME) < 0);
	CHECK(same_tail(&run, &p));
	CHECK(FIND(&p, STEP_EXEC, exec, streq(it->argv[0], "/bin/ps")) > fork);
	plan_free(&p);
	plan_free(&run);
}

/* v2: the first process starts in the container's one cgroup; a user
 * namespace is entered with the rest. */
TEST(join_plan_v2_userns)
{
	cleanup_host struct host h;
	cleanup_spec struct spec s;
	struct plan run, p;
	struct ct_state st;
	struct ct_err e = { 0 };

	fake_host_v2(&h);
	fake_spec(&s);
	s.userns = true;
	CHECK(plan_build(&s, &h, &no_opts, &run, &e) == 0);
	fake_state(&st, &run);
	CHECK(st.n_cgroups == 1 && (st.nsflags & CLONE_NEWUSER));
	/* The default pids limit, as the plan writes it. */
	CHECK(st.n_limits == 1 && streq(st.limits[0].key, "pids") && streq(st.limits[0].value, "2048"));
	CHECK(plan_join(&s, &h, &no_opts, &st, &p, &e) == 0);
	CHECK(p.userns);
	CHECK(FIND(&p, STEP_CLONE, clone, streq(it->cgroup, st.cgroups[0])) == 2);
	CHECK(plan_find_kind(&p, STEP_CG_ENTER) < 0);
	CHECK(FIND(&p, STEP_SETNS, setns, it->nsflags == st.nsflags) > 0);
	CHECK(same_tail(&run, &p));
	plan_free(&p);
	plan_free(&run);
}

/* -t: the caller's terminal saved and put back, the socket before the
 * clone, the pty opened by the command's process inside the container
 * after its workdir, the relay before the wait; no init, whatever the
 * run had (the container's PID 1 is its init). */
TEST(join_plan_tty)
{
	cleanup_host struct host h;
	cleanup_spec struct spec s;
	struct plan run, p;
	struct ct_state st;
	struct ct_err e = { 0 };
	long clone, fork, chdir, open, wait;

	fake_host_v1(&h);
	fake_spec(&s);
	CHECK(plan_build(&s, &h, &no_opts, &run, &e) == 0);
	fake_state(&st, &run);
	s.tty = true;
	s.has_init = true;
	s.init = false;
	CHECK(plan_join(&s, &h, &no_opts, &st, &p, &e) == 0);
	clone = plan_find_kind(&p, STEP_CLONE);
	fork = plan_find_kind(&p, STEP_JOIN_FORK);
	chdir = plan_find_kind(&p, STEP_CHDIR);
	open = plan_find_kind(&p, STEP_TTY_OPEN);
	wait = plan_find_kind(&p, STEP_WAIT);
	CHECK(FIND(&p, STEP_TTY_SAVE, tty_save, it->fd == 0 && it->relay) < clone);
	CHECK(plan_find_kind(&p, STEP_TTY_SOCKET) < clone);
	CHECK(fork < chdir && chdir < open && p.steps[open].side == SIDE_CHILD);
	CHECK(plan_find_kind(&p, STEP_TTY_RELAY) == wait - 1 && p.steps[wait].u.wait.relay);
	CHECK(FIND(&p, STEP_TTY_RESTORE, tty_restore, it->fd == 0) > wait);
	CHECK(plan_find_kind(&p, STEP_INIT_EXEC) < 0 && plan_find_kind(&p, STEP_INIT_MEMFD) < 0);
	plan_free(&p);
	plan_free(&run);
}
