/* The plan as data, for tools: --plan --format=json. Another reader of
 * the plan beside plan_print.c and exec.c: a switch on the step kind
 * with no default (-Wswitch-enum), so a new kind does not build until
 * it is here too. Each step's "args" are its payload struct's fields,
 * under their own names; the schema is in ctlaunch(1) and
 * man/ctlaunch-json.schema.json. */
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "json.h"
#include "net.h"
#include "plan.h"

/* The kind's name: its enum value's, lower case, without STEP_. */
static const char *kind_name(enum step_kind k)
{
	switch (k) {
	case STEP_NAME_LOCK: return "name_lock";
	case STEP_CG_SWEEP: return "cg_sweep";
	case STEP_LOCK: return "lock";
	case STEP_CG_MKDIR: return "cg_mkdir";
	case STEP_CG_WRITE: return "cg_write";
	case STEP_CG_COPY: return "cg_copy";
	case STEP_CG_ENABLE: return "cg_enable";
	case STEP_DEVICES: return "devices";
	case STEP_WATCHER: return "watcher";
	case STEP_CLONE: return "clone";
	case STEP_IDMAP: return "idmap";
	case STEP_CG_ENTER: return "cg_enter";
	case STEP_UNLOCK: return "unlock";
	case STEP_RELEASE: return "release";
	case STEP_CLOSE_FDS: return "close_fds";
	case STEP_DIE_WITH_PARENT: return "die_with_parent";
	case STEP_WAIT_RELEASE: return "wait_release";
	case STEP_NOT_DUMPABLE: return "not_dumpable";
	case STEP_SETSID: return "setsid";
	case STEP_UNSHARE: return "unshare";
	case STEP_HOSTNAME: return "hostname";
	case STEP_LO_UP: return "lo_up";
	case STEP_MOUNT: return "mount";
	case STEP_BIND_OPEN: return "bind_open";
	case STEP_FS_OPEN: return "fs_open";
	case STEP_BIND_ATTACH: return "bind_attach";
	case STEP_PIVOT_ROOT: return "pivot_root";
	case STEP_OVERLAY: return "overlay";
	case STEP_LAYERS_IDMAP: return "layers_idmap";
	case STEP_NET_LOCK: return "net_lock";
	case STEP_NET_SWEEP: return "net_sweep";
	case STEP_NET_LEASE: return "net_lease";
	case STEP_NET_BRIDGE: return "net_bridge";
	case STEP_NET_NETNS: return "net_netns";
	case STEP_NET_VETH: return "net_veth";
	case STEP_NET_ADDR: return "net_addr";
	case STEP_NET_HOSTS: return "net_hosts";
	case STEP_NET_UNLOCK: return "net_unlock";
	case STEP_NET_ENTER: return "net_enter";
	case STEP_NET_RELEASE: return "net_release";
	case STEP_ROOT_OPEN: return "root_open";
	case STEP_UMOUNT_OLD: return "umount_old";
	case STEP_MASK: return "mask";
	case STEP_MKNOD: return "mknod";
	case STEP_SYMLINK: return "symlink";
	case STEP_CHDIR: return "chdir";
	case STEP_RESOLVE: return "resolve";
	case STEP_RLIMIT: return "rlimit";
	case STEP_CAPS_BOUND: return "caps_bound";
	case STEP_USER: return "user";
	case STEP_CAPS: return "caps";
	case STEP_NO_NEW_PRIVS: return "no_new_privs";
	case STEP_SECCOMP: return "seccomp";
	case STEP_EXEC: return "exec";
	case STEP_RECORD: return "record";
	case STEP_WAIT: return "wait";
	case STEP_JOIN_OPEN: return "join_open";
	case STEP_JOIN_RLIMITS: return "join_rlimits";
	case STEP_JOIN_UMASK: return "join_umask";
	case STEP_SETNS: return "setns";
	case STEP_JOIN_FORK: return "join_fork";
	case STEP_TTY_SAVE: return "tty_save";
	case STEP_TTY_SOCKET: return "tty_socket";
	case STEP_TTY_OPEN: return "tty_open";
	case STEP_TTY_RELAY: return "tty_relay";
	case STEP_INIT_MEMFD: return "init_memfd";
	case STEP_INIT_EXEC: return "init_exec";
	case STEP_STATS_CLOCK: return "stats_clock";
	case STEP_KILL_CHILD: return "kill_child";
	case STEP_STOP_WATCHER: return "stop_watcher";
	case STEP_STATS_READ: return "stats_read";
	case STEP_OOM_READ: return "oom_read";
	case STEP_CG_PURGE: return "cg_purge";
	case STEP_CG_RMDIR: return "cg_rmdir";
	case STEP_CG_RESTORE: return "cg_restore";
	case STEP_UNRECORD: return "unrecord";
	case STEP_NAME_UNLOCK: return "name_unlock";
	case STEP_TTY_RESTORE: return "tty_restore";
	}
	return "?";
}

static void flags(struct json *j, const char *key, unsigned long f, const struct flag_name *t)
{
	json_begin(j, key, '[');
	for (size_t i = 0; t[i].name; i++)
		if (f & t[i].flag)
			json_str(j, NULL, t[i].name);
	json_end(j, ']');
}

static void words(struct json *j, const char *key, char *const *v)
{
	json_begin(j, key, '[');
	for (; v && *v; v++)
		json_str(j, NULL, *v);
	json_end(j, ']');
}

static void caps(struct json *j, const char *key, uint64_t set)
{
	char names[1024];

	caps_format(set, names, sizeof names);
	json_begin(j, key, '[');
	for (char *c = names; *c;) {
		size_t n = strcspn(c, ",");
		char one[64];

		snprintf(one, sizeof one, "%.*s", (int)n, c);
		json_str(j, NULL, one);
		c += n;
		c += *c == ',';
	}
	json_end(j, ']');
}

/* A limit: null for unlimited (RLIM_INFINITY is past what a JSON
 * reader's doubles hold exactly). */
static void limit(struct json *j, const char *key, uint64_t v)
{
	if (v == UINT64_MAX)
		json_null(j, key);
	else
		json_u64(j, key, v);
}

/* The number of the step (1-based, as --plan numbers them) that made a
 * cgroup: an exit step acts only if it succeeded. */
static void made_by(struct json *j, size_t i)
{
	json_u64(j, "made_by_step", (uint64_t)i + 1);
}

static void args_clone(struct json *j, const struct step_clone *c)
{
	flags(j, "flags", c->flags, plan_clone_flags);
	json_str(j, "cgroup", c->cgroup);
	json_bool(j, "vfork", c->vfork);
	json_bool(j, "as_owner", c->as_owner);
	json_u64(j, "owner_uid", c->owner_uid);
	json_u64(j, "owner_gid", c->owner_gid);
}

static void args_mount(struct json *j, const struct step_mount *m)
{
	json_str(j, "source", m->source);
	json_str(j, "target", m->target);
	json_str(j, "fstype", m->fstype);
	flags(j, "flags", m->flags, plan_ms_flags);
	json_str(j, "data", m->data);
}

static void args_stats(struct json *j, const struct step_stats_read *r)
{
	static const char *const what[STATS_DIRS] = {
		[STATS_CPUACCT] = "cpuacct", [STATS_CPU] = "cpu",
		[STATS_MEMORY] = "memory", [STATS_PIDS] = "pids",
	};

	json_bool(j, "v2", r->v2);
	json_bool(j, "quota", r->quota);
	json_begin(j, "dirs", '{');
	for (int i = 0; i < STATS_DIRS; i++)
		json_str(j, what[i], r->dir[i]);
	json_end(j, '}');
}

static void args_dev_ino(struct json *j, uint64_t dev, uint64_t ino, unsigned tree)
{
	json_u64(j, "dev", dev);
	json_u64(j, "ino", ino);
	json_u64(j, "tree", tree);
}

/* The rootfs's layers, top first, and where the writes go. */
static void args_overlay(struct json *j, const struct step_overlay *v)
{
	json_begin(j, "lower", '[');
	for (size_t i = 0; i < v->n_lower; i++) {
		json_begin(j, NULL, '{');
		json_str(j, "path", v->lower[i].path);
		json_u64(j, "dev", v->lower[i].dev);
		json_u64(j, "ino", v->lower[i].ino);
		json_end(j, '}');
	}
	json_end(j, ']');
	json_bool(j, "tmpfs", v->tmpfs);
	json_u64(j, "size", v->size);
	json_str(j, "dir", v->dir);
	json_str(j, "parent", v->parent);
	json_str(j, "name", v->name);
	json_u64(j, "parent_dev", v->parent_dev);
	json_u64(j, "parent_ino", v->parent_ino);
	json_bool(j, "userxattr", v->userxattr);
	json_bool(j, "idmapped", v->idmapped);
	json_u64(j, "first_tree", v->first_tree);
	json_u64(j, "tree", v->tree);
}

/* Every network step's: the bridge, the container's address (null:
 * leased at run time), where the leases are, the container's names. */
static void args_net(struct json *j, const struct step_net *n)
{
	char a[16];

	json_str(j, "bridge", n->br->name);
	json_str(j, "subnet", net_fmt(n->br->subnet, a));
	json_u64(j, "prefix", n->br->prefix);
	if (n->br->address)
		json_str(j, "address", net_fmt(n->br->address, a));
	else
		json_null(j, "address");
	json_str(j, "dir", n->dir);
	json_str(j, "name", n->name);
	json_str(j, "hostname", n->hostname);
}

/* The payload's fields; nothing for a kind that has none. */
static void step_args(struct json *j, const struct step *s)
{
	switch (s->kind) {
	case STEP_NAME_LOCK:
		json_str(j, "path", s->u.name_lock.path);
		break;
	case STEP_CG_SWEEP:
		json_str(j, "dir", s->u.cg_sweep.dir);
		break;
	case STEP_LOCK:
		json_str(j, "path", s->u.lock.path);
		json_bool(j, "dir", s->u.lock.dir);
		json_str(j, "fallback", s->u.lock.fallback);
		json_bool(j, "after_run", s->u.lock.after_run);
		break;
	case STEP_CG_MKDIR:
		json_str(j, "dir", s->u.cg_mkdir.dir);
		json_bool(j, "shared", s->u.cg_mkdir.shared);
		break;
	case STEP_CG_WRITE:
		json_str(j, "dir", s->u.cg_write.dir);
		json_str(j, "file", s->u.cg_write.file);
		json_str(j, "value", s->u.cg_write.value);
		json_bool(j, "optional", s->u.cg_write.optional);
		json_str(j, "default_of", s->u.cg_write.default_of);
		break;
	case STEP_CG_COPY:
		json_str(j, "dir", s->u.cg_copy.dir);
		json_str(j, "file", s->u.cg_copy.file);
		break;
	case STEP_CG_ENABLE:
		json_str(j, "dir", s->u.cg_enable.dir);
		json_str(j, "controllers", s->u.cg_enable.controllers);
		json_bool(j, "optional", s->u.cg_enable.optional);
		json_bool(j, "supervise", s->u.cg_enable.supervise);
		break;
	case STEP_DEVICES:
		json_str(j, "dir", s->u.devices.dir);
		json_bool(j, "v1", s->u.devices.v1);
		break;
	case STEP_WATCHER:
		json_bool(j, "pidfd_only", s->u.watcher.pidfd_only);
		break;
	case STEP_CLONE:
		args_clone(j, &s->u.clone);
		break;
	case STEP_IDMAP:
		json_str(j, "which", s->u.idmap.which == 'u' ? "uid" : "gid");
		json_str(j, "map", s->u.idmap.map);
		json_bool(j, "helper", s->u.idmap.helper);
		json_bool(j, "deny_setgroups", s->u.idmap.deny_setgroups);
		json_str(j, "why", s->u.idmap.why);
		break;
	case STEP_CG_ENTER:
		json_str(j, "dir", s->u.cg_enter.dir);
		break;
	case STEP_UNLOCK:
		json_str(j, "kept_in", s->u.unlock.kept_in);
		break;
	case STEP_CLOSE_FDS:
		json_bool(j, "keep_trees", s->u.close_fds.keep_trees);
		break;
	case STEP_DIE_WITH_PARENT:
		json_bool(j, "again", s->u.die_with_parent.again);
		break;
	case STEP_UNSHARE:
		flags(j, "flags", s->u.unshare.flags, plan_clone_flags);
		break;
	case STEP_HOSTNAME:
		json_str(j, "name", s->u.hostname.name);
		break;
	case STEP_MOUNT:
		args_mount(j, &s->u.mount);
		break;
	case STEP_BIND_OPEN:
		json_str(j, "source", s->u.bind_open.source);
		json_bool(j, "readonly", s->u.bind_open.readonly);
		json_bool(j, "device", s->u.bind_open.device);
		args_dev_ino(j, s->u.bind_open.dev, s->u.bind_open.ino, s->u.bind_open.tree);
		break;
	case STEP_FS_OPEN:
		json_str(j, "fstype", s->u.fs_open.fstype);
		flags(j, "flags", s->u.fs_open.flags, plan_ms_flags);
		json_u64(j, "tree", s->u.fs_open.tree);
		break;
	case STEP_BIND_ATTACH:
		json_str(j, "source", s->u.bind_attach.source);
		json_str(j, "target", s->u.bind_attach.target);
		json_u64(j, "tree", s->u.bind_attach.tree);
		json_bool(j, "readonly", s->u.bind_attach.readonly);
		json_bool(j, "anchor", s->u.bind_attach.anchor);
		break;
	case STEP_PIVOT_ROOT:
		json_str(j, "path", s->u.pivot_root.path);
		json_bool(j, "prepared", s->u.pivot_root.prepared);
		json_bool(j, "overlay", s->u.pivot_root.overlay);
		args_dev_ino(j, s->u.pivot_root.dev, s->u.pivot_root.ino, s->u.pivot_root.tree);
		break;
	case STEP_OVERLAY:
		args_overlay(j, s->u.overlay);
		break;
	case STEP_LAYERS_IDMAP: {
		const struct step_overlay *v = s->u.layers_idmap.overlay;

		json_begin(j, "lower", '[');
		for (size_t i = 0; i < v->n_lower; i++)
			json_str(j, NULL, v->lower[i].path);
		json_end(j, ']');
		json_u64(j, "uid", s->u.layers_idmap.uid);
		json_u64(j, "gid", s->u.layers_idmap.gid);
		json_u64(j, "count", s->u.layers_idmap.count);
		json_str(j, "dir", v->dir);
		json_u64(j, "first_tree", v->first_tree);
		break;
	}
	case STEP_NET_LOCK:
	case STEP_NET_SWEEP:
	case STEP_NET_LEASE:
	case STEP_NET_BRIDGE:
	case STEP_NET_NETNS:
	case STEP_NET_VETH:
	case STEP_NET_ADDR:
	case STEP_NET_HOSTS:
	case STEP_NET_UNLOCK:
	case STEP_NET_ENTER:
	case STEP_NET_RELEASE:
		args_net(j, &s->u.net);
		break;
	case STEP_ROOT_OPEN:
		json_str(j, "path", s->u.root_open.path);
		args_dev_ino(j, s->u.root_open.dev, s->u.root_open.ino, s->u.root_open.tree);
		break;
	case STEP_MASK:
		json_str(j, "target", s->u.mask.target);
		json_str(j, "rel", s->u.mask.rel);
		json_u64(j, "tree", s->u.mask.tree);
		json_str(j, "how", s->u.mask.how == MASK_FILE  ? "file"
				   : s->u.mask.how == MASK_DIR ? "dir"
							       : "readonly");
		break;
	case STEP_MKNOD:
		json_str(j, "path", s->u.mknod.path);
		json_u64(j, "mode", s->u.mknod.mode);
		json_u64(j, "major", s->u.mknod.major);
		json_u64(j, "minor", s->u.mknod.minor);
		break;
	case STEP_SYMLINK:
		json_str(j, "target", s->u.symlink.target);
		json_str(j, "link", s->u.symlink.link);
		break;
	case STEP_CHDIR:
		json_str(j, "dir", s->u.chdir.dir);
		break;
	case STEP_RESOLVE:
		words(j, "argv", s->u.resolve.argv);
		words(j, "env", s->u.resolve.envp);
		break;
	case STEP_RLIMIT:
		json_str(j, "resource", s->u.rlimit.name);
		limit(j, "soft", s->u.rlimit.soft);
		limit(j, "hard", s->u.rlimit.hard);
		break;
	case STEP_CAPS_BOUND:
		caps(j, "keep", s->u.caps_bound.keep);
		break;
	case STEP_USER:
		json_u64(j, "uid", s->u.user.uid);
		json_u64(j, "gid", s->u.user.gid);
		json_bool(j, "setgroups", s->u.user.setgroups);
		break;
	case STEP_CAPS:
		caps(j, "keep", s->u.caps.keep);
		break;
	case STEP_SECCOMP:
		json_str(j, "profile", s->u.seccomp.profile ? "spec" : "default");
		caps(j, "caps", s->u.seccomp.caps);
		break;
	case STEP_EXEC:
		words(j, "argv", s->u.exec.argv);
		words(j, "env", s->u.exec.envp);
		break;
	case STEP_RECORD:
		json_str(j, "dir", s->u.record.dir);
		json_str(j, "name", s->u.record.state->name);
		json_bool(j, "world_readable", s->u.record.world_readable);
		break;
	case STEP_WAIT:
		json_bool(j, "relay", s->u.wait.relay);
		break;
	case STEP_JOIN_OPEN:
		json_int(j, "pid", s->u.join_open.pid);
		json_u64(j, "start", s->u.join_open.start);
		json_bool(j, "seccomp", s->u.join_open.seccomp);
		break;
	case STEP_JOIN_RLIMITS:
		json_int(j, "pid", s->u.join_rlimits.pid);
		break;
	case STEP_JOIN_UMASK:
		json_int(j, "pid", s->u.join_umask.pid);
		break;
	case STEP_SETNS:
		flags(j, "flags", s->u.setns.nsflags, plan_clone_flags);
		break;
	case STEP_TTY_SAVE:
		json_int(j, "fd", s->u.tty_save.fd);
		json_bool(j, "relay", s->u.tty_save.relay);
		break;
	case STEP_TTY_OPEN:
		json_u64(j, "owner", s->u.tty_open.owner);
		break;
	case STEP_INIT_EXEC:
		words(j, "argv", s->u.init_exec.argv);
		words(j, "env", s->u.init_exec.envp);
		break;
	case STEP_STATS_READ:
		args_stats(j, &s->u.stats_read);
		break;
	case STEP_OOM_READ:
		json_str(j, "file", s->u.oom_read.file);
		made_by(j, s->u.oom_read.made_by);
		break;
	case STEP_CG_PURGE:
		json_str(j, "dir", s->u.cg_purge.dir);
		made_by(j, s->u.cg_purge.made_by);
		break;
	case STEP_CG_RMDIR:
		json_str(j, "dir", s->u.cg_rmdir.dir);
		made_by(j, s->u.cg_rmdir.made_by);
		break;
	case STEP_CG_RESTORE:
		json_str(j, "dir", s->u.cg_restore.dir);
		break;
	case STEP_UNRECORD:
		json_str(j, "dir", s->u.unrecord.dir);
		json_str(j, "name", s->u.unrecord.name);
		break;
	case STEP_NAME_UNLOCK:
		json_str(j, "path", s->u.name_unlock.path);
		break;
	case STEP_TTY_RESTORE:
		json_int(j, "fd", s->u.tty_restore.fd);
		break;
	/* No payload. */
	case STEP_RELEASE:
	case STEP_WAIT_RELEASE:
	case STEP_NOT_DUMPABLE:
	case STEP_SETSID:
	case STEP_LO_UP:
	case STEP_UMOUNT_OLD:
	case STEP_NO_NEW_PRIVS:
	case STEP_JOIN_FORK:
	case STEP_TTY_SOCKET:
	case STEP_TTY_RELAY:
	case STEP_INIT_MEMFD:
	case STEP_STATS_CLOCK:
	case STEP_KILL_CHILD:
	case STEP_STOP_WATCHER:
		break;
	}
}

/* Where the step came from: a place in the file, a --set argument, or
 * null (a default, or the invocation). */
static void from(struct json *j, const struct plan *p, struct ct_loc at)
{
	if (!at.line) {
		json_null(j, "from");
		return;
	}
	json_begin(j, "from", '{');
	if (at.set) {
		json_str(j, "set", at.set);
		json_u64(j, "index", at.line);
	} else {
		json_str(j, "file", p->file);
		json_u64(j, "line", at.line);
		json_u64(j, "column", at.col);
	}
	json_end(j, '}');
}

static void step_json(struct json *j, const struct plan *p, const struct step *s, size_t i)
{
	char line[8192];

	json_begin(j, NULL, '{');
	if (s->side == SIDE_EXIT)
		json_null(j, "n");
	else
		json_u64(j, "n", (uint64_t)i + 1);
	json_str(j, "kind", kind_name(s->kind));
	json_str(j, "process", s->side == SIDE_CHILD ? "child" : "parent");
	json_bool(j, "at_exit", s->side == SIDE_EXIT);
	step_format(p, s, line, sizeof line);
	json_str(j, "text", line);
	from(j, p, s->from);
	json_begin(j, "args", '{');
	step_args(j, s);
	json_end(j, '}');
	json_end(j, '}');
}

void plan_print_json(const struct plan *p, FILE *out)
{
	static const char *const layout[] = {
		[CG_NONE] = "none", [CG_V1] = "v1", [CG_HYBRID] = "hybrid", [CG_UNIFIED] = "v2",
	};
	struct json j = { .out = out };

	json_begin(&j, NULL, '{');
	/* 2: the layers_idmap step, the overlay's idmapped and first_tree. */
	json_u64(&j, "version", 2);
	json_str(&j, "plan", p->join ? "join" : "run");
	json_str(&j, "name", p->name);
	json_str(&j, "file", p->file);
	json_str(&j, "cgroups", layout[p->layout]);
	json_str(&j, "note", p->note);
	json_begin(&j, "steps", '[');
	for (size_t i = 0; i < p->n; i++) {
		/* One step a line: the comma is written here, not by j. */
		fputs(i ? ",\n  " : "\n  ", out);
		j.more[j.depth] = false;
		step_json(&j, p, &p->steps[i], i);
	}
	fputc('\n', out);
	json_end(&j, ']');
	json_end(&j, '}');
	fputc('\n', out);
}
