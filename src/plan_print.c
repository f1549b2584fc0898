/* The plan as text: one line a step, for --plan, --verbose and the golden
 * tests. The wording names the kernel's own files and flags, so a reader
 * can follow along in the man pages. */
#include <linux/mount.h> /* MS_* values only */
#include <linux/sched.h> /* CLONE_* values only */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "devices.h"
#include "plan.h"
#include "syscall_filter.h"

const struct flag_name plan_ms_flags[] = {
	{ MS_RDONLY, "MS_RDONLY" },   { MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" },     { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
	{ MS_REC, "MS_REC" },         { MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" },     { MS_STRICTATIME, "MS_STRICTATIME" },
	{ 0, NULL },
};

const struct flag_name plan_clone_flags[] = {
	{ CLONE_NEWUSER, "CLONE_NEWUSER" },     { CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWPID, "CLONE_NEWPID" },       { CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" },       { CLONE_NEWNET, "CLONE_NEWNET" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
	{ 0, NULL },
};

/* A small appender that never overflows and always terminates. */
struct out {
	char *buf;
	size_t size, len;
};

/* s as it is, truncated as vsnprintf would: a --plan is mostly fixed
 * words and paths, and a vsnprintf call costs two thousand
 * instructions (callgrind: printing was 58% of a --plan). */
static void put_str(struct out *o, const char *s)
{
	size_t n = strlen(s), room;

	if (o->len >= o->size)
		return;
	room = o->size - o->len - 1;
	memcpy(o->buf + o->len, s, n < room ? n : room);
	o->buf[o->len + (n < room ? n : room)] = '\0';
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	const char s[2] = { c, '\0' };

	put_str(o, s);
}

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	if (!strchr(fmt, '%')) {
		put_str(o, fmt);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_flags(struct out *o, unsigned long flags, const struct flag_name *t)
{
	const char *sep = "";

	for (size_t i = 0; t[i].name; i++)
		if (flags & t[i].flag) {
			put_str(o, sep);
			put_str(o, t[i].name);
			sep = "|";
		}
}

/* What --stats reads, and where: the kernel's own file names. */
static void stats_read_format(struct out *o, const struct step_stats_read *r)
{
	static const char *const v1[STATS_DIRS] = {
		[STATS_CPUACCT] = "cpuacct.usage_user, cpuacct.usage_sys (or cpuacct.stat)",
		[STATS_CPU] = "cpu.stat",
		[STATS_MEMORY] = "memory.max_usage_in_bytes, memory.limit_in_bytes, memory.oom_control",
		[STATS_PIDS] = "pids.peak, pids.max",
	};
	const char *sep = "";

	put_str(o, "read --stats' counters, in the cgroups this run made:");
	if (r->v2) {
		if (r->dir[STATS_CPU])
			put(o, " cpu.stat, memory.peak, memory.max, memory.events, pids.peak, pids.max "
			       "in %s", r->dir[STATS_CPU]);
		return;
	}
	for (int i = 0; i < STATS_DIRS; i++) {
		if (!r->dir[i] || (i == STATS_CPU && !r->quota))
			continue;
		put(o, "%s %s in %s", sep, v1[i], r->dir[i]);
		sep = ";";
	}
}

/* Shell-style quoting, so an exec line can be pasted into a shell and
 * every step stays on one line: control characters go in $'...' form. */
static void put_word(struct out *o, const char *w)
{
	bool control = false;

	for (const char *c = w; *c; c++)
		control = control || (unsigned char)*c < 0x20 || *c == 0x7f;
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_-./:=,+@%") == strlen(w)) {
		put_str(o, w);
		return;
	}
	if (!control) {
		put_char(o, '\'');
		for (const char *c = w; *c; c++)
			if (*c == '\'')
				put_str(o, "'\\''");
			else
				put_char(o, *c);
		put_char(o, '\'');
		return;
	}
	put(o, "$'");
	for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
		if (*c == '\n')
			put(o, "\\n");
		else if (*c == '\t')
			put(o, "\\t");
		else if (*c == '\'' || *c == '\\')
			put(o, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			put(o, "\\x%02x", *c);
		else
			put_char(o, (char)*c);
	}
	put_char(o, '\'');
}

static void put_mount(struct out *o, const struct step_mount *m)
{
	unsigned long f = m->flags;

	if (f & MS_REMOUNT)
		put(o, "mount %s remount (", m->target);
	else if (f & (MS_PRIVATE | MS_SLAVE) && !m->source)
		put(o, "mount %s %s%s (", m->target, f & MS_REC ? "r" : "",
		    f & MS_PRIVATE ? "private" : "slave");
	else if (f & MS_BIND)
		put(o, "mount %s on %s bind (", m->source, m->target);
	else
		put(o, "mount %s on %s type %s (", m->source, m->target, m->fstype);
	put_flags(o, f, plan_ms_flags);
	put(o, ")");
	if (m->data)
		put(o, " %s", m->data);
}

/* Profile, default action, rules: the summary; step_details lists them. */
static void put_seccomp(struct out *o, const struct step_seccomp *sc)
{
	const struct sc_profile *prof = sc->profile;
	struct sc_default def;
	char act[64];
	size_t calls = 0;

	if (!prof) {
		sc_default_profile(sc->caps, &def);
		prof = &def.p;
	}
	for (size_t i = 0; i < prof->n_rules; i++)
		calls += prof->rules[i].n_names;
	sc_action_format(prof->default_action, prof->default_errno, act, sizeof act);
	put(o, "seccomp filter %s: %s for any call no rule matches, %zu rules naming %zu calls",
	    sc->profile ? "custom" : "default (Docker's, with what these capabilities grant)",
	    act, prof->n_rules, calls);
}

void step_details(const struct step *s, FILE *out)
{
	struct sc_default def;

	if (s->kind != STEP_SECCOMP)
		return;
	if (s->u.seccomp.profile) {
		sc_profile_print(s->u.seccomp.profile, out);
		return;
	}
	sc_default_profile(s->u.seccomp.caps, &def);
	sc_profile_print(&def.p, out);
}

/* The directory above path's directory: /run for /run/ctlaunch/x.lock. */
static void put_grandparent(struct out *o, const char *path)
{
	const char *end = strrchr(path, '/');

	while (end && end > path && *--end != '/')
		;
	if (end && end > path)
		put(o, "%.*s", (int)(end - path), path);
	else
		put(o, "/");
}

static void put_lock(struct out *o, const struct step_lock *l)
{
	put(o, "lock %s%s", l->dir ? "the directory " : "", l->path);
	if (l->after_run) {
		put(o, " again, if this run made a cgroup and does not hold it (a wait Control-C "
			"does not end)");
		return;
	}
	put(o, ", waiting while another run holds it (Control-C ends the wait)");
	if (!l->dir)
		put(o, "; where its directory is missing, the directory %s", l->fallback);
}

/* The overlay's layers, top first, and where its writes go. */
/* "tree N" or "trees N-M", after what. */
static void put_trees(struct out *o, const char *what, unsigned first, unsigned n)
{
	if (n == 1)
		put(o, "%stree %u", what, first);
	else
		put(o, "%strees %u-%u", what, first, first + n - 1);
}

static void put_overlay(struct out *o, const struct step_overlay *v)
{
	put(o, "overlay, lower ");
	for (size_t i = 0; i < v->n_lower; i++)
		put(o, "%s%s%s", i ? ", " : "", v->lower[i].path,
		    v->n_lower > 1 && i == 0 ? " (top)" : "");
	if (v->idmapped) {
		put_trees(o, " idmapped, ", v->first_tree, (unsigned)v->n_lower);
		put(o, " from the parent, attached on the old root's /dev (never written); ");
	} else
		put(o, " by descriptor (no link followed, the directories --check saw; never "
		       "written); ");
	if (v->tmpfs && v->size)
		put(o, "upper and work in a new tmpfs of %llu bytes", (unsigned long long)v->size);
	else if (v->tmpfs)
		put(o, "upper and work in a new tmpfs");
	if (v->tmpfs)
		put(o, " (attached over the top layer in the container's mount namespace only)");
	else if (v->idmapped)
		put(o, "upper %s/upper, work %s/work in the clone of %s, trees %u-%u from the parent, "
		       "the clone attached on the old root's /dev", v->dir, v->dir, v->dir,
		    v->first_tree + (unsigned)v->n_lower, v->first_tree + (unsigned)v->n_lower + 2);
	else
		put(o, "upper %s/upper, work %s/work (%s made 0700 in %s if missing, by descriptor; "
		       "refused unless it is ctlaunch's user's and private)",
		    v->dir, v->dir, v->name, v->parent);
	put(o, "; fsmount nodev%s, detached; tree %u", v->userxattr ? ", userxattr" : "", v->tree);
}

static void put_layers_idmap(struct out *o, const struct step_layers_idmap *l)
{
	const struct step_overlay *v = l->overlay;

	put(o, "open_tree ");
	for (size_t i = 0; i < v->n_lower; i++)
		put(o, "%s%s", i ? ", " : "", v->lower[i].path);
	put(o, " (OPEN_TREE_CLONE) by descriptor (no link followed, the directories --check "
	       "saw), mount_setattr MOUNT_ATTR_IDMAP with the child's user namespace (host uid "
	       "%u and gid %u are its 0, %u ids of each: host root's files are its root's), "
	       "read-only, nodev; ", l->uid, l->gid, l->count);
	put_trees(o, "", v->first_tree, (unsigned)v->n_lower);
	if (!v->tmpfs) {
		put(o, "; %s made 0700 in %s if missing (refused unless root's and private), "
		       "%s/upper and %s/work made %u:%u's (refused if another's); %s cloned "
		       "(OPEN_TREE_CLONE), upper and work opened in the clone; ",
		    v->name, v->parent, v->dir, v->dir, l->uid, l->gid, v->dir);
		put_trees(o, "", v->first_tree + (unsigned)v->n_lower, 3);
	}
}

/* The container's address as the plan knows it: the spec's, or the
 * lease's, known when the run makes it. */
static void put_address(struct out *o, const struct net_bridge *b)
{
	if (b->address) {
		char a[16];

		put(o, "%s/%u", net_fmt(b->address, a), b->prefix);
	} else {
		put(o, "the leased address/%u", b->prefix);
	}
}

void step_format(const struct plan *p, const struct step *s, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	char ad[16], gw[16];

	buf[0] = '\0';
	switch (s->kind) {
	case STEP_NAME_LOCK:
		put(&o, "lock %s, this name's, without waiting (held: a run of this name is alive, and "
			"this one stops); none, and no sweep, where ", s->u.name_lock.path);
		put_grandparent(&o, s->u.name_lock.path);
		put(&o, " is missing");
		break;
	case STEP_CG_SWEEP:
		put(&o, "if a dead run of this name left %s: kill what is in it, rmdir it and the cgroups "
			"below it (with this name's lock only)", s->u.cg_sweep.dir);
		break;
	case STEP_LOCK:
		put_lock(&o, &s->u.lock);
		break;
	case STEP_NAME_UNLOCK:
		put(&o, "let go of %s", s->u.name_unlock.path);
		break;
	case STEP_WATCHER:
		if (s->u.watcher.pidfd_only)
			put(&o, "pidfd_open ctlaunch, for its children to check it lives; no watcher (a "
				"joined command dies with ctlaunch, or with the container)");
		else
			put(&o, "start the watcher: clone CLONE_FILES (its own memory: the OOM killer "
				"takes all who share a victim's), in a process group of its own; it kills "
				"the container if ctlaunch dies (none before Linux 5.3)");
		break;
	case STEP_CLOSE_FDS:
		put(&o, "close every descriptor but 0, 1, 2 and those of ctlaunch's own its steps still "
			"need (pidfd, pipes, the cgroup lock)%s",
		    s->u.close_fds.keep_trees ? ", and the trees made before the clone" : "");
		break;
	case STEP_KILL_CHILD:
		put(&o, "SIGKILL the container's pid 1 and reap it, if it is still there (a step failed)");
		break;
	case STEP_STOP_WATCHER:
		put(&o, "SIGKILL the watcher and reap it");
		break;
	case STEP_STATS_READ:
		stats_read_format(&o, &s->u.stats_read);
		break;
	case STEP_OOM_READ:
		put(&o, "read the OOM killer's count in %s, if this run made its cgroup", s->u.oom_read.file);
		break;
	case STEP_CG_PURGE:
		put(&o, "kill what is left in %s and rmdir it, retrying up to 3 s, if this run made it",
		    s->u.cg_purge.dir);
		break;
	case STEP_CG_RMDIR:
		put(&o, "rmdir %s, if this run made it, no other container uses it and %.*s holds "
			"processes%s%s (else it stays for the next run)", s->u.cg_rmdir.dir,
		    (int)(strrchr(s->u.cg_rmdir.dir, '/') - s->u.cg_rmdir.dir), s->u.cg_rmdir.dir,
		    s->u.cg_rmdir.supervisor ? " or has " : "",
		    s->u.cg_rmdir.supervisor ? s->u.cg_rmdir.supervisor : "");
		break;
	case STEP_CG_RESTORE:
		put(&o, "if nothing was in use, this run made a cgroup, ctlaunch/ is gone and %s/%s is the "
			"only cgroup left there: hand nothing down from %s again, move ctlaunch back into "
			"it, rmdir %s/%s", s->u.cg_restore.dir, CG_SUPERVISOR, s->u.cg_restore.dir,
		    s->u.cg_restore.dir, CG_SUPERVISOR);
		break;
	case STEP_CG_MKDIR:
		put(&o, "mkdir %s%s", s->u.cg_mkdir.dir,
		    s->u.cg_mkdir.shared ? " (shared; may exist)" : "");
		break;
	case STEP_CG_WRITE:
		put(&o, "write %s = %s in %s%s", s->u.cg_write.file, s->u.cg_write.value,
		    s->u.cg_write.dir, s->u.cg_write.optional ? " if the kernel has it" : "");
		if (s->u.cg_write.default_of)
			put(&o, " (the default; %s sets another)", s->u.cg_write.default_of);
		break;
	case STEP_CG_ENABLE:
		put(&o, "enable %s in %s/cgroup.subtree_control", s->u.cg_enable.controllers,
		    s->u.cg_enable.dir);
		if (s->u.cg_enable.supervise)
			put(&o, " (first moving ctlaunch, if it is alone there, into %s/%s)",
			    s->u.cg_enable.dir, CG_SUPERVISOR);
		if (s->u.cg_enable.optional)
			put(&o, "; if refused, no default pids limit");
		break;
	case STEP_DEVICES:
		if (s->u.devices.v1)
			put(&o, "devices: write a to devices.deny, then allow");
		else
			put(&o, "devices: attach a BPF_CGROUP_DEVICE program (BPF_F_ALLOW_MULTI) allowing only");
		for (size_t i = 0; i < n_dev_rules; i++) {
			char rule[24];

			dev_rule_format(i, rule, sizeof rule);
			put(&o, "%s%s", i ? ", " : " ", rule);
		}
		put(&o, " in %s", s->u.devices.dir);
		break;
	case STEP_IDMAP:
		put(&o, "write %s to /proc/<child pid>/%cid_map%s", s->u.idmap.map, s->u.idmap.which,
		    s->u.idmap.deny_setgroups && s->u.idmap.which == 'g' ? " (setgroups deny first)" : "");
		if (s->u.idmap.helper)
			put(&o, " with new%cidmap", s->u.idmap.which);
		else if (s->u.idmap.why && s->u.idmap.which == 'u')
			put(&o, "; the user alone: %s", s->u.idmap.why);
		break;
	case STEP_CG_COPY:
		put(&o, "copy %s from the parent cgroup into %s", s->u.cg_copy.file, s->u.cg_copy.dir);
		break;
	case STEP_CLONE:
		put(&o, "clone ");
		if (s->u.clone.flags)
			put_flags(&o, s->u.clone.flags, plan_clone_flags);
		else
			put(&o, "(no new namespace)");
		if (s->u.clone.cgroup)
			put(&o, " into cgroup %s (clone3 CLONE_INTO_CGROUP), or where the kernel has no "
				"clone3, clone and then move it there", s->u.clone.cgroup);
		if (s->u.clone.as_owner)
			put(&o, " as euid %u egid %u (the user namespace's owner)", s->u.clone.owner_uid,
			    s->u.clone.owner_gid);
		if (s->u.clone.vfork)
			put(&o, " with CLONE_VM|CLONE_VFORK (ctlaunch sleeps until the child execs)");
		else
			put(&o, " (the child waits to be released)");
		break;
	case STEP_CG_ENTER:
		put(&o, "write %s to %s/cgroup.procs", s->side == SIDE_CHILD ? "0 (itself)" : "<child pid>",
		    s->u.cg_enter.dir);
		break;
	case STEP_UNLOCK:
		put(&o, "let go of the cgroup lock");
		if (s->u.unlock.kept_in)
			put(&o, ", unless ctlaunch is in %s", s->u.unlock.kept_in);
		break;
	case STEP_RELEASE:
		put(&o, "release the child");
		if (p->n_handed)
			put_trees(&o, ", handing it (SCM_RIGHTS) ", p->handed_first, p->n_handed);
		break;
	case STEP_DIE_WITH_PARENT:
		put(&o, "prctl PR_SET_PDEATHSIG SIGKILL %s; end now if ctlaunch has ended",
		    s->u.die_with_parent.again ? "again (the change of ids cleared it)"
					       : "(die with the parent)");
		break;
	case STEP_WAIT_RELEASE:
		put(&o, "wait to be released");
		break;
	case STEP_NOT_DUMPABLE:
		put(&o, "prctl PR_SET_DUMPABLE 0 (until exec)");
		break;
	case STEP_SETSID:
		put(&o, "setsid");
		break;
	case STEP_UNSHARE:
		put(&o, "unshare ");
		put_flags(&o, s->u.unshare.flags, plan_clone_flags);
		break;
	case STEP_CAPS_BOUND: {
		char names[1024];

		caps_format(s->u.caps_bound.keep, names, sizeof names);
		put(&o, "bounding capabilities %s; ambient none", *names ? names : "none");
		break;
	}
	case STEP_CAPS: {
		char names[1024];

		caps_format(s->u.caps.keep, names, sizeof names);
		put(&o, "capabilities %s (permitted, effective; inheritable none)",
		    *names ? names : "none");
		break;
	}
	case STEP_USER:
		if (s->u.user.setgroups)
			put(&o, "setgroups %u, ", s->u.user.gid);
		put(&o, "setgid %u, setuid %u", s->u.user.gid, s->u.user.uid);
		break;
	case STEP_RESOLVE:
		put(&o, "find ");
		put_word(&o, s->u.resolve.argv[0]);
		put(&o, " in PATH, open it and its #! interpreters; refuse ctlaunch's own binary "
			"(CVE-2019-5736)");
		break;
	case STEP_RLIMIT:
		put(&o, "setrlimit %s", s->u.rlimit.name);
		if (s->u.rlimit.soft == UINT64_MAX)
			put(&o, " soft unlimited");
		else
			put(&o, " soft %llu", (unsigned long long)s->u.rlimit.soft);
		if (s->u.rlimit.hard == UINT64_MAX)
			put(&o, " hard unlimited");
		else
			put(&o, " hard %llu", (unsigned long long)s->u.rlimit.hard);
		break;
	case STEP_BIND_OPEN:
		if (s->u.bind_open.device)
			put(&o, "open_tree %s (OPEN_TREE_CLONE): the host's device", s->u.bind_open.source);
		else
			put(&o, "open_tree %s (OPEN_TREE_CLONE|AT_RECURSIVE) nodev%s by descriptor: no link "
			"followed, the file --check saw", s->u.bind_open.source,
			    s->u.bind_open.readonly ? ", read-only" : "");
		put(&o, "; tree %u", s->u.bind_open.tree);
		break;
	case STEP_FS_OPEN:
		put(&o, "fsopen %s, fsmount (", s->u.fs_open.fstype);
		put_flags(&o, s->u.fs_open.flags, plan_ms_flags);
		put(&o, "): a new %s, detached; tree %u", s->u.fs_open.fstype, s->u.fs_open.tree);
		break;
	case STEP_BIND_ATTACH:
		put(&o, "move_mount tree %u (%s) to %s%s", s->u.bind_attach.tree, s->u.bind_attach.source,
		    s->u.bind_attach.target, s->u.bind_attach.readonly ? ", read-only" : "");
		if (s->u.bind_attach.anchor)
			put(&o, " by descriptor, no link followed; kept for the masks");
		break;
	case STEP_MASK: {
		static const char *const how[] = {
			[MASK_FILE] = "with /dev/null",
			[MASK_DIR] = "with an empty read-only tmpfs",
			[MASK_READONLY] = "read-only (nosuid, nodev, noexec)",
		};

		put(&o, "mask %s %s, from the %s descriptor, tree %u (if the kernel has it)",
		    s->u.mask.target, how[s->u.mask.how],
		    strncmp(s->u.mask.target, "/sys/", 5) == 0 ? "sysfs" : "proc", s->u.mask.tree);
		break;
	}
	case STEP_NO_NEW_PRIVS:
		put(&o, "prctl PR_SET_NO_NEW_PRIVS 1");
		break;
	case STEP_SECCOMP:
		put_seccomp(&o, &s->u.seccomp);
		break;
	case STEP_HOSTNAME:
		put(&o, "sethostname %s", s->u.hostname.name);
		break;
	case STEP_LO_UP:
		put(&o, "bring up lo");
		break;
	case STEP_MOUNT:
		put_mount(&o, &s->u.mount);
		break;
	case STEP_ROOT_OPEN:
		put(&o, "open_tree %s (OPEN_TREE_CLONE|AT_RECURSIVE) nodev by descriptor: no link "
			"followed, the directory --check saw; tree %u", s->u.root_open.path,
		    s->u.root_open.tree);
		break;
	case STEP_OVERLAY:
		put_overlay(&o, s->u.overlay);
		break;
	case STEP_LAYERS_IDMAP:
		put_layers_idmap(&o, &s->u.layers_idmap);
		break;
	case STEP_PIVOT_ROOT:
		if (s->u.pivot_root.overlay)
			put(&o, "pivot_root into the overlay, tree %u, attached on /",
			    s->u.pivot_root.tree);
		else if (s->u.pivot_root.prepared)
			put(&o, "pivot_root into the copy of %s, tree %u, attached on / (the parent made it)",
			    s->u.pivot_root.path, s->u.pivot_root.tree);
		else
			put(&o, "pivot_root %s by descriptor: no link followed, the directory --check saw, "
				"a nodev copy", s->u.pivot_root.path);
		break;
	case STEP_UMOUNT_OLD:
		put(&o, "umount the old root (MNT_DETACH)");
		break;
	case STEP_MKNOD:
		put(&o, "mknod %s c %u %u mode %04o", s->u.mknod.path, s->u.mknod.major,
		    s->u.mknod.minor, s->u.mknod.mode);
		break;
	case STEP_SYMLINK:
		put(&o, "symlink %s -> %s", s->u.symlink.link, s->u.symlink.target);
		break;
	case STEP_CHDIR:
		put(&o, "chdir %s (in the root, no magic link)", s->u.chdir.dir);
		break;
	case STEP_EXEC:
		put(&o, "exec");
		for (char **a = s->u.exec.argv; *a; a++) {
			put(&o, " ");
			put_word(&o, *a);
		}
		put(&o, " with env");
		for (char **v = s->u.exec.envp; *v; v++) {
			put(&o, " ");
			put_word(&o, *v);
		}
		break;
	case STEP_WAIT:
		put(&o, "wait for %s, forwarding signals to it; a second SIGINT or SIGTERM: SIGKILL",
		    p->join ? "the command" : "the container's pid 1");
		if (s->u.wait.relay)
			put(&o, "; relay between the terminals, the window's size on SIGWINCH");
		break;
	case STEP_RECORD:
		put(&o, "record the container (its pid 1 and start time, spec, cgroups, limits) in "
			"%s/%s.state, mode %s, if this run holds the name's lock", s->u.record.dir,
		    s->u.record.state->name, s->u.record.world_readable ? "0644" : "0600");
		break;
	case STEP_UNRECORD:
		put(&o, "remove %s/%s.state, if this run wrote it", s->u.unrecord.dir, s->u.unrecord.name);
		break;
	case STEP_JOIN_OPEN:
		put(&o, "pidfd_open %d, then check that its start time is still %llu (not a reused pid)",
		    (int)s->u.join_open.pid, (unsigned long long)s->u.join_open.start);
		if (s->u.join_open.seccomp)
			put(&o, "; the seccomp filter below must be the run's (digest %016llx)",
			    (unsigned long long)s->u.join_open.filter);
		break;
	case STEP_JOIN_RLIMITS:
		put(&o, "copy the resource limits of pid %d (/proc/%d/limits)",
		    (int)s->u.join_rlimits.pid, (int)s->u.join_rlimits.pid);
		break;
	case STEP_JOIN_UMASK:
		put(&o, "copy the umask of pid %d (/proc/%d/status)", (int)s->u.join_umask.pid,
		    (int)s->u.join_umask.pid);
		break;
	case STEP_SETNS:
		put(&o, "setns through the pidfd into ");
		put_flags(&o, s->u.setns.nsflags, plan_clone_flags);
		put(&o, "; close it");
		break;
	case STEP_JOIN_FORK:
		put(&o, "clone CLONE_PARENT: the command's process, in the container's pid namespace and "
			"ctlaunch's child; this one exits");
		break;
	case STEP_INIT_EXEC:
		put(&o, "exec ctlaunch's init from its memfd as pid 1; it runs");
		for (char **a = s->u.init_exec.argv; *a; a++) {
			put(&o, " ");
			put_word(&o, *a);
		}
		put(&o, " in a process group of its own, reaps orphans, forwards signals to that group; "
			"with env");
		for (char **v = s->u.init_exec.envp; *v; v++) {
			put(&o, " ");
			put_word(&o, *v);
		}
		break;
	case STEP_TTY_SAVE:
		put(&o, "save the settings of the terminal on descriptor %d", s->u.tty_save.fd);
		put(&o, s->u.tty_save.relay ? " (it must be one)" : " (the container inherits it)");
		break;
	case STEP_TTY_SOCKET:
		put(&o, "socketpair for the container's terminal to come back on");
		break;
	case STEP_TTY_OPEN:
		put(&o, "new terminal from /dev/pts/ptmx (the container's devpts), owned by uid %u: "
			"the controlling terminal, stdin, stdout and stderr; its master sent to ctlaunch",
		    (unsigned)s->u.tty_open.owner);
		break;
	case STEP_TTY_RELAY:
		put(&o, "receive the container's terminal; descriptor 0 in raw mode");
		break;
	case STEP_INIT_MEMFD:
		put(&o, "copy ctlaunch's init into a sealed memfd (the container's pid 1: never "
			"ctlaunch's binary)");
		break;
	case STEP_STATS_CLOCK:
		put(&o, "note the time, for --stats' wall time");
		break;
	case STEP_TTY_RESTORE:
		put(&o, "put back the settings, line discipline and exclusive mode of the terminal on "
			"descriptor %d, where they changed", s->u.tty_restore.fd);
		break;
	case STEP_NET_LOCK:
		put(&o, "lock %s/leases.lock, every bridge's, waiting while another run holds it "
			"(%s made 0700 if missing, the directories above it 0755)", s->u.net.dir,
		    s->u.net.dir);
		break;
	case STEP_NET_SWEEP:
		put(&o, "sweep the leases in %s of runs that are gone (their ctlaunch's pid and start "
			"time): delete their veth, remove the lease, and a bridge ctlaunch made "
			"that no lease uses any more", s->u.net.dir);
		break;
	case STEP_NET_LEASE:
		if (s->u.net.br->address)
			put(&o, "lease %s on %s: %s/%s/%s, refused if another run holds it",
			    net_fmt(s->u.net.br->address, ad), s->u.net.br->name, s->u.net.dir,
			    s->u.net.br->name, ad);
		else
			put(&o, "lease the first free address of %s/%u on %s (not %s, the bridge's): "
			    "%s/%s/ADDRESS", net_fmt(s->u.net.br->subnet, ad), s->u.net.br->prefix,
			    s->u.net.br->name, net_fmt(net_gateway(s->u.net.br), gw), s->u.net.dir,
			    s->u.net.br->name);
		break;
	case STEP_NET_BRIDGE:
		put(&o, "if bridge %s is missing: make it (RTM_NEWLINK), give it %s/%u, bring it up, "
			"and mark it ctlaunch's (%s/%s.made)", s->u.net.br->name,
		    net_fmt(net_gateway(s->u.net.br), gw), s->u.net.br->prefix, s->u.net.dir,
		    s->u.net.br->name);
		break;
	case STEP_NET_NETNS:
		put(&o, "unshare CLONE_NEWNET: the container's network namespace, kept by descriptor; "
			"bring up lo in it; setns back");
		break;
	case STEP_NET_VETH:
		put(&o, "veth pair: ctv<ctlaunch's pid> on the host, on %s and up; eth0 in the "
			"container's namespace", s->u.net.br->name);
		break;
	case STEP_NET_ADDR:
		put(&o, "in the container's namespace: eth0 ");
		put_address(&o, s->u.net.br);
		put(&o, ", up; default route via %s", net_fmt(net_gateway(s->u.net.br), gw));
		break;
	case STEP_NET_HOSTS:
		put(&o, "write %s/%s.hosts, mode 0644: localhost, %s and %s at ", s->u.net.dir,
		    s->u.net.name, s->u.net.hostname, s->u.net.name);
		put_address(&o, s->u.net.br);
		put(&o, ", and the other containers leased on %s", s->u.net.br->name);
		break;
	case STEP_NET_UNLOCK:
		put(&o, "let go of %s/leases.lock", s->u.net.dir);
		break;
	case STEP_NET_ENTER:
		put(&o, "setns into the network namespace ctlaunch made (eth0 on %s); close it",
		    s->u.net.br->name);
		break;
	case STEP_NET_RELEASE:
		put(&o, "lock %s/leases.lock; delete the veth ctv<ctlaunch's pid> (its eth0 with "
			"it); remove the lease and %s/%s.hosts; delete bridge %s if ctlaunch made it "
			"and no lease is left on it; let go of the lock", s->u.net.dir, s->u.net.dir,
		    s->u.net.name, s->u.net.br->name);
		break;
	}
	if (o.len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

static const char *const layout_name[] = {
	[CG_NONE] = "no cgroups", [CG_V1] = "cgroup v1",
	[CG_HYBRID] = "cgroup v1 (hybrid)", [CG_UNIFIED] = "cgroup v2",
};

const char *step_side_name(enum step_side side)
{
	switch (side) {
	case SIDE_PARENT:
		return "parent";
	case SIDE_CHILD:
		return "child";
	case SIDE_EXIT:
		break;
	}
	return "at exit";
}

void plan_print(const struct plan *p, bool verbose, FILE *out)
{
	char line[8192], where[1024];
	size_t run = plan_run_steps(p);

	fprintf(out, "%s '%s' from %s on %s\n", p->join ? "plan to join" : "plan for", p->name,
		p->file, layout_name[p->layout]);
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		/* A limit's limit, after the steps that set the limits. */
		if (i == run && p->note)
			fprintf(out, "note: %s\n", p->note);
		step_format(p, s, line, sizeof line);
		if (s->side == SIDE_EXIT)
			fprintf(out, "at exit %s", line);
		else
			fprintf(out, "%3zu %-6s %s", i + 1, step_side_name(s->side), line);
		if (s->from.line)
			fprintf(out, "  # %s", ct_loc_where(p->file, s->from, where, sizeof where));
		fputc('\n', out);
		if (verbose)
			step_details(s, out);
	}
	if (run == p->n && p->note)
		fprintf(out, "note: %s\n", p->note);
}
