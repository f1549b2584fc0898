/* The planner: spec + host facts -> the ordered steps of one launch.
 * Pure: it allocates memory and nothing else, so it is tested without
 * root and --plan can never change the machine. The kernel's ordering
 * rules live here, each next to the code that obeys it. */
#include <linux/sched.h> /* CLONE_* values only */
#include <stdarg.h>
#include <string.h>

#include "caps.h"
#include "command_find.h"
#include "devices.h"
#include "plan.h"
#include "policy.h"
#include "resources.h"
#include "util.h"

#include <linux/mount.h> /* MS_* values only: the planner never mounts */

struct plan_arena {
	void **v;
	size_t n, cap;
};

static void *own(struct plan *p, void *ptr)
{
	struct plan_arena *a = p->arena;

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = ptr;
	return ptr;
}

static char *pstr(struct plan *p, const char *s)
{
	return s ? own(p, xstrdup(s)) : NULL;
}

__attribute__((format(printf, 2, 3))) static char *pfmt(struct plan *p, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		abort();
	return own(p, s);
}

static struct step *add(struct plan *p, enum step_kind kind, enum step_side side,
			struct ct_loc from)
{
	struct step *s;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->steps = xrealloc(p->steps, p->cap * sizeof *p->steps);
	}
	s = &p->steps[p->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->side = side;
	s->from = from;
	return s;
}

static const struct ct_loc nowhere;

/* The container's cgroup per hierarchy: one for each of the controllers
 * the spec may limit, then one for each of the host's other hierarchies. */
#define N_LEAVES (CTRL__N + HOST_HIER_MAX)


static void cg_copy(struct plan *p, const char *dir, const char *file)
{
	struct step *s = add(p, STEP_CG_COPY, SIDE_PARENT, nowhere);

	s->u.cg_copy.dir = pstr(p, dir);
	s->u.cg_copy.file = pstr(p, file);
}

static void cg_mkdir(struct plan *p, const char *dir, bool shared)
{
	struct step *s = add(p, STEP_CG_MKDIR, SIDE_PARENT, nowhere);

	s->u.cg_mkdir.dir = pstr(p, dir);
	s->u.cg_mkdir.shared = shared;
}

static struct step_cg_enable *cg_enable(struct plan *p, const char *dir, const char *controllers)
{
	struct step *s = add(p, STEP_CG_ENABLE, SIDE_PARENT, nowhere);

	s->u.cg_enable.dir = pstr(p, dir);
	s->u.cg_enable.controllers = pstr(p, controllers);
	return &s->u.cg_enable;
}

static void devices(struct plan *p, const char *dir, bool v1)
{
	struct step *s = add(p, STEP_DEVICES, SIDE_PARENT, nowhere);

	s->u.devices.dir = pstr(p, dir);
	s->u.devices.v1 = v1;
}

/* Is word one of the comma-separated items of list? */
static bool in_list_of(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *c = list; *c;) {
		size_t len = strcspn(c, ",");

		if (len == n && strncmp(c, word, n) == 0)
			return true;
		c += len;
		c += *c == ',';
	}
	return false;
}

/* One of a key's files, with the value the key's converter makes. The
 * default of a key (no position: the spec does not have it) is skipped
 * on v2 where the kernel did not hand its controller down (see
 * plan_cgroups_v2). */
static void limit(struct plan *p, const struct spec *spec, const struct res_key *k,
		  const struct res_file *f, const char *dir, bool v2)
{
	struct step *s = add(p, STEP_CG_WRITE, SIDE_PARENT, res_at(spec, k));

	s->u.cg_write.dir = pstr(p, dir);
	s->u.cg_write.file = pstr(p, f->file);
	s->u.cg_write.value = own(p, f->value(spec));
	s->u.cg_write.optional = f->optional || (v2 && !s->from.line);
	s->u.cg_write.default_of = s->from.line ? NULL : k->key;
}

/* v1: the keys of controller c into its leaf, in the table's order; a
 * file the host lacks is left out (and noted, where the table says). */
static void limits(struct plan *p, const struct spec *spec, const struct host *h,
		   enum cg_ctrl c, const char *leaf)
{
	for (size_t i = 0; i < n_res_keys; i++) {
		const struct res_key *k = &res_keys[i];

		if (k->ctrl != c)
			continue;
		if (!res_has(spec, k)) {
			if (k->v1_inherit)
				cg_copy(p, leaf, k->v1[0].file);
			continue;
		}
		for (const struct res_file *f = k->v1; f < k->v1 + RES_FILES && f->file; f++) {
			if (res_host_has(h, f->need))
				limit(p, spec, k, f, leaf, false);
			else if (f->without)
				p->note = f->without;
		}
	}
}

/* The shared <parent>/ctlaunch, then <parent>/ctlaunch/<name>, in one
 * hierarchy; returns the leaf. */
static const char *v1_dirs(struct plan *p, const char *mount, const char *own_cg,
			   const struct plan_opts *o, enum cg_ctrl c, const struct spec *spec,
			   char **shared)
{
	const char *parent = o->cgroup_parent ? o->cgroup_parent : own_cg;
	cleanup_free char *top = path_join(mount, parent);
	const char *leaf;

	*shared = own(p, path_join(top, "ctlaunch"));
	cg_mkdir(p, *shared, true);
	/* Filled before the leaf is made: a v1 child cpuset starts empty,
	 * and copies its parent's files. */
	for (size_t i = 0; i < n_res_keys; i++)
		if (res_keys[i].ctrl == c && res_keys[i].v1_inherit)
			cg_copy(p, *shared, res_keys[i].v1[0].file);
	leaf = own(p, path_join(*shared, spec->name));
	cg_mkdir(p, leaf, false);
	return leaf;
}

/* A cgroup of the container's own in every hierarchy, limits or not, as
 * runc and crun make: the cgroup namespace's root is then the
 * container's cgroup in each, and a hierarchy it mounts from inside
 * (with CAP_SYS_ADMIN, or in a user namespace of its own) shows it
 * nothing else: no sibling, no host cgroup, no release_agent (which only
 * the real root has). The limits go in the hierarchies of their
 * controllers; the device policy in the devices hierarchy. The leaves
 * are kept in leaf[] for the placement steps after clone. */
static void plan_cgroups_v1(struct plan *p, const struct spec *spec, const struct host *h,
			    const struct plan_opts *o, const char **leaf)
{
	char *shared;

	for (int c = 0; c < CTRL__N; c++) {
		const struct host_cgroup *hc = &h->ctrl[c];

		/* One the spec uses is there: the policy refuses it else. */
		if (!hc->mount)
			continue;
		leaf[c] = v1_dirs(p, hc->mount, hc->own, o, (enum cg_ctrl)c, spec, &shared);
		limits(p, spec, h, (enum cg_ctrl)c, leaf[c]);
	}
	for (size_t i = 0; i < h->n_hier; i++) {
		const struct host_hier *hh = &h->hier[i];
		const char *dir = v1_dirs(p, hh->mount, hh->own, o, CTRL__N, spec, &shared);

		leaf[CTRL__N + i] = dir;
		/* Before the container exists, as the limits: whatever
		 * capabilities it has, no node but these opens. */
		if (hh->data && in_list_of(hh->data, "devices"))
			devices(p, dir, true);
	}
}

/* v2: every key the spec has, in the table's order, into the leaf. */
static void limits_v2(struct plan *p, const struct spec *spec, const char *leaf)
{
	for (size_t i = 0; i < n_res_keys; i++) {
		const struct res_key *k = &res_keys[i];

		if (!res_has(spec, k))
			continue;
		for (const struct res_file *f = k->v2; f < k->v2 + RES_FILES && f->file; f++)
			limit(p, spec, k, f, leaf, true);
	}
}

/* cgroup v2: one hierarchy, <parent>/ctlaunch/<name>. A controller
 * reaches a cgroup only through its parent's cgroup.subtree_control, so
 * the used ones are enabled top-down, from the root to ctlaunch/ (where
 * they are on already, as on a systemd host or in a delegated subtree,
 * the executor writes nothing). The kernel refuses that in a cgroup that
 * holds processes (but the root): the executor moves ctlaunch out of
 * <parent> first when it is alone there, and stops with the reason
 * otherwise. */
static void plan_cgroups_v2(struct plan *p, const struct spec *spec, const struct host *h,
			    const struct plan_opts *o, const char **leaf)
{
	char enable[64] = "";
	const char *parent, *dir_leaf;
	char *top, *shared;
	struct step_cg_enable *deepest = NULL;
	size_t len = 0;

	for (int c = 0; c < CTRL__N; c++) {
		if (!policy_uses(spec, (enum cg_ctrl)c))
			continue;
		len += (size_t)snprintf(enable + len, sizeof enable - len, "%s+%s", len ? " " : "",
					cg_ctrl_name[c]);
	}
	parent = o->cgroup_parent ? o->cgroup_parent : h->cg_own ? h->cg_own : "/";
	/* "" for the root: the walk down below counts its slashes. */
	if (strcmp(parent, "/") == 0)
		parent = "";
	top = own(p, path_join("/sys/fs/cgroup", parent));
	shared = own(p, path_join(top, "ctlaunch"));
	dir_leaf = own(p, path_join(shared, spec->name));

	/* The default pids limit alone never refuses a run: from a cgroup
	 * that holds other processes (a login shell's) the kernel will not
	 * hand pids down, and the run goes on without it, as it would have
	 * without the default. */
	bool optional = strcmp(enable, "+pids") == 0 && !spec->res.pids_at.line;

	/* "/sys/fs/cgroup", "/sys/fs/cgroup/a", ..., top; nothing to hand
	 * down when no controller is used (and none is there for the
	 * default pids limit). */
	for (const char *slash = parent; *enable; slash = strchr(slash + 1, '/')) {
		size_t n = strlen("/sys/fs/cgroup") + (size_t)((slash ? slash : parent + strlen(parent)) - parent);

		deepest = cg_enable(p, pfmt(p, "%.*s", (int)n, top), enable);
		deepest->optional = optional;
		if (!slash || !*slash)
			break;
	}
	/* Even at what looks like the root: in a cgroup namespace it is
	 * not, and the executor tells the two apart. */
	if (deepest)
		deepest->supervise = true;
	cg_mkdir(p, shared, true);
	if (*enable)
		cg_enable(p, shared, enable)->optional = optional;
	cg_mkdir(p, dir_leaf, false);
	limits_v2(p, spec, dir_leaf);
	/* v2 has no devices controller: the kernel runs the cgroup's
	 * BPF_CGROUP_DEVICE programs instead. Loading one takes
	 * CAP_SYS_ADMIN (or CAP_BPF) in the host's user namespace: root
	 * only. A rootless container gets none, and needs none for mknod,
	 * which its user namespace refuses, and its mounts are nodev. */
	if (h->euid == 0)
		devices(p, dir_leaf, false);
	/* Limits or not: the container has its own cgroup (see v1). */
	leaf[0] = dir_leaf;
}

static void plan_cgroups(struct plan *p, const struct spec *spec, const struct host *h,
			 const struct plan_opts *o, const char **leaf)
{
	struct spec eff;

	for (int i = 0; i < N_LEAVES; i++)
		leaf[i] = NULL;
	/* An ordinary user has cgroups of its own only where they are
	 * delegated to it: elsewhere the policy refuses every limit, and a
	 * run goes without the default pids limit (see policy.c). */
	if (h->euid != 0 && (h->layout != CG_UNIFIED || (!h->cg_writable && !o->cgroup_parent)))
		return;
	if (h->layout == CG_NONE)
		return;
	/* The default pids limit where the pids controller is there to
	 * hold it; the planner's own copy of the spec, so nothing else
	 * sees a key the spec does not have. */
	eff = *spec;
	if (!spec->res.has_pids && h->ctrl[CTRL_PIDS].mount) {
		eff.res.has_pids = true;
		eff.res.pids = PIDS_DEFAULT;
		eff.res.pids_at = nowhere;
	}
	if (h->layout == CG_UNIFIED)
		plan_cgroups_v2(p, &eff, h, o, leaf);
	else
		plan_cgroups_v1(p, &eff, h, o, leaf);
}

static size_t add_level(char **out, size_t n, size_t max, const char *mount, const char *own_cg,
			const char *cgroup_parent)
{
	cleanup_free char *top = NULL;
	char *dir;

	if (!mount || n >= max)
		return n;
	top = path_join(mount, cgroup_parent ? cgroup_parent : own_cg ? own_cg : "/");
	dir = path_join(top, "ctlaunch");
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i], dir) == 0) {
			free(dir);
			return n;
		}
	out[n] = dir;
	return n + 1;
}

size_t plan_shared_levels(const struct host *h, const char *cgroup_parent, char **out, size_t max)
{
	size_t n = 0;

	if (h->layout == CG_NONE)
		return 0;
	if (h->layout == CG_UNIFIED)
		return add_level(out, n, max, "/sys/fs/cgroup", h->cg_own, cgroup_parent);
	for (int c = 0; c < CTRL__N; c++)
		n = add_level(out, n, max, h->ctrl[c].mount, h->ctrl[c].own, cgroup_parent);
	for (size_t i = 0; i < h->n_hier; i++)
		n = add_level(out, n, max, h->hier[i].mount, h->hier[i].own, cgroup_parent);
	return n;
}

static struct step *mnt(struct plan *p, const char *source, const char *target,
			const char *fstype, unsigned long flags, const char *data,
			struct ct_loc from)
{
	struct step *s = add(p, STEP_MOUNT, SIDE_CHILD, from);

	s->u.mount.source = pstr(p, source);
	s->u.mount.target = pstr(p, target);
	s->u.mount.fstype = pstr(p, fstype);
	s->u.mount.flags = flags;
	s->u.mount.data = pstr(p, data);
	return s;
}

static const struct {
	const char *path;
	unsigned major, minor;
} dev_node[] = {
	{ "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 },  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};
#define N_DEV_NODES (sizeof dev_node / sizeof dev_node[0])

/* Rootless: a user namespace may not mknod, and a device node it made
 * would not open anyway; the host's own nodes are bound instead, as
 * bwrap and rootless podman do, opened while the host's /dev is in
 * reach. Their tree slots follow the spec's mounts'. */
static void dev_open(struct plan *p, unsigned first_slot)
{
	for (unsigned i = 0; i < N_DEV_NODES; i++) {
		struct step *s = add(p, STEP_BIND_OPEN, SIDE_CHILD, nowhere);

		s->u.bind_open.source = pstr(p, dev_node[i].path);
		s->u.bind_open.tree = first_slot + i;
		s->u.bind_open.device = true;
	}
}

static void dev_nodes(struct plan *p, unsigned first_slot)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },
	};

	for (unsigned i = 0; i < N_DEV_NODES; i++) {
		struct step *s;

		if (p->userns) {
			s = add(p, STEP_BIND_ATTACH, SIDE_CHILD, nowhere);
			s->u.bind_attach.source = pstr(p, dev_node[i].path);
			s->u.bind_attach.target = pstr(p, dev_node[i].path);
			s->u.bind_attach.tree = first_slot + i;
			continue;
		}
		s = add(p, STEP_MKNOD, SIDE_CHILD, nowhere);
		s->u.mknod.path = pstr(p, dev_node[i].path);
		s->u.mknod.mode = 0666;
		s->u.mknod.major = dev_node[i].major;
		s->u.mknod.minor = dev_node[i].minor;
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		struct step *s = add(p, STEP_SYMLINK, SIDE_CHILD, nowhere);

		s->u.symlink.target = pstr(p, links[i][0]);
		s->u.symlink.link = pstr(p, links[i][1]);
	}
}

/* Kernel interfaces a container has no business reading or changing,
 * as runc and podman hide them: files get an empty read-only file bound
 * over them, directories an empty read-only directory; the rest are made
 * read-only. Each is found from the descriptor of the proc or sysfs
 * mount the executor made (slot), never by a path through the rootfs:
 * whoever can write the rootfs's top directory could rename proc/ and
 * put a link or an empty directory there while the container starts,
 * and a mask applied by path would then miss the real proc (issue 10,
 * class 2). Paths the running kernel lacks are skipped; any other
 * failure fails the run. */
static void mask(struct plan *p, const char *target, unsigned slot, int how)
{
	struct step *s = add(p, STEP_MASK, SIDE_CHILD, nowhere);
	const char *rel = strchr(target + 1, '/');

	s->u.mask.target = pstr(p, target);
	s->u.mask.rel = pstr(p, rel + 1);
	s->u.mask.tree = slot;
	s->u.mask.how = how;
}

static void plan_masks(struct plan *p, unsigned proc, unsigned sys)
{
	static const char *const mask_files[] = {
		"/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/sched_debug", "/proc/timer_list", "/proc/timer_stats",
	};
	static const char *const mask_dirs[] = {
		"/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware",
		"/sys/devices/virtual/powercap",
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	};

	for (size_t i = 0; i < sizeof mask_files / sizeof mask_files[0]; i++)
		mask(p, mask_files[i], proc, MASK_FILE);
	for (size_t i = 0; i < sizeof mask_dirs / sizeof mask_dirs[0]; i++)
		mask(p, mask_dirs[i], strncmp(mask_dirs[i], "/sys/", 5) == 0 ? sys : proc, MASK_DIR);
	for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++)
		mask(p, readonly[i], proc, MASK_READONLY);
}

/* The container's own cgroups, read-only at /sys/fs/cgroup: after the
 * cgroup namespace each hierarchy's root is the container's cgroup, so
 * a lab can read its memory.usage_in_bytes and its limits, and change
 * nothing. Every hierarchy is there, as the container has a cgroup in
 * each. */
static void plan_cgroupfs(struct plan *p, const struct host *h, const char *const *leaf)
{
	const unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (h->layout == CG_NONE)
		return;
	if (h->layout == CG_UNIFIED) {
		if (leaf[0])
			mnt(p, "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_RDONLY | locked, NULL,
			    nowhere);
		return;
	}
	mnt(p, "tmpfs", "/sys/fs/cgroup", "tmpfs", locked, "mode=755,size=64k", nowhere);
	for (int c = 0; c < N_LEAVES; c++) {
		const char *mount, *data, *base;

		if (!leaf[c])
			continue;
		mount = c < CTRL__N ? h->ctrl[c].mount : h->hier[c - CTRL__N].mount;
		data = c < CTRL__N ? h->ctrl[c].controllers : h->hier[c - CTRL__N].data;
		if (c < CTRL__N && !data)
			continue;
		base = strrchr(mount, '/');
		base = base ? base + 1 : mount;
		if (data)
			mnt(p, "cgroup", own(p, path_join("/sys/fs/cgroup", base)), "cgroup",
			    MS_RDONLY | locked, data, nowhere);
		else
			mnt(p, "cgroup2", own(p, path_join("/sys/fs/cgroup", base)), "cgroup2",
			    MS_RDONLY | locked, NULL, nowhere);
	}
	mnt(p, NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | locked, "mode=755,size=64k",
	    nowhere);
}

static void early_fs(struct plan *p, const char *fstype, unsigned long flags, unsigned slot)
{
	struct step *s = add(p, STEP_FS_OPEN, SIDE_CHILD, nowhere);

	s->u.fs_open.fstype = pstr(p, fstype);
	s->u.fs_open.flags = flags;
	s->u.fs_open.tree = slot;
}

/* proc and sysfs: attached by descriptor to a directory opened without
 * links, and their descriptors kept for the masks. */
static void early_attach(struct plan *p, const char *fstype, const char *target, unsigned slot)
{
	struct step *s = add(p, STEP_BIND_ATTACH, SIDE_CHILD, nowhere);

	s->u.bind_attach.source = pstr(p, fstype);
	s->u.bind_attach.target = pstr(p, target);
	s->u.bind_attach.tree = slot;
	s->u.bind_attach.anchor = true;
}

static unsigned depth_of(const char *path)
{
	unsigned n = 0;

	for (const char *c = path; *c; c++)
		n += c[0] == '/' && c[1] && c[1] != '/';
	return n;
}

/* The spec's mounts in the order they must be made: a target inside
 * another target comes after it, or the outer mount would hide it.
 * Ordering by depth (and by place in the spec among equals) does that. */
static void sorted_mounts(const struct spec *spec, const struct spec_mount **out)
{
	size_t n = 0;

	for (unsigned d = 0; n < spec->n_mounts; d++)
		for (size_t i = 0; i < spec->n_mounts; i++)
			if (depth_of(spec->mounts[i].target) == d)
				out[n++] = &spec->mounts[i];
}

/* A bind source lives on the host, its target in the container: the
 * source is opened as a detached copy (open_tree) while the host is still
 * in reach, and attached after pivot_root, where every path, links and
 * all, resolves inside the new root (the class of CVE-2021-30465). */
static void plan_bind_open(struct plan *p, const struct spec_mount **m, size_t n,
			   enum step_side side)
{
	for (size_t i = 0; i < n; i++) {
		struct step *s;

		if (m[i]->type != MOUNT_BIND)
			continue;
		s = add(p, STEP_BIND_OPEN, side, m[i]->source_at);
		s->u.bind_open.source = pstr(p, m[i]->source);
		s->u.bind_open.tree = (unsigned)i;
		s->u.bind_open.readonly = m[i]->readonly;
		s->u.bind_open.dev = m[i]->source_dev;
		s->u.bind_open.ino = m[i]->source_ino;
	}
}

static void plan_spec_mounts(struct plan *p, const struct spec_mount **m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i]->type == MOUNT_BIND) {
			struct step *s = add(p, STEP_BIND_ATTACH, SIDE_CHILD, m[i]->target_at);
			s->u.bind_attach.source = pstr(p, m[i]->source);
			s->u.bind_attach.target = pstr(p, m[i]->target);
			s->u.bind_attach.tree = (unsigned)i;
			s->u.bind_attach.readonly = m[i]->readonly;
			continue;
		}
		char data[64] = "", *end = data;

		if (m[i]->has_size)
			end += snprintf(end, sizeof data, "size=%llu", (unsigned long long)m[i]->size);
		if (m[i]->has_mode)
			snprintf(end, sizeof data - (size_t)(end - data), "%smode=%04o",
				 end > data ? "," : "", m[i]->mode);
		mnt(p, "tmpfs", m[i]->target, "tmpfs",
		    MS_NOSUID | MS_NODEV | (m[i]->readonly ? MS_RDONLY : 0), *data ? data : NULL,
		    m[i]->target_at);
	}
}

/* A change of ids clears the parent-death signal: it is set again
 * right after, or a container of another user would outlive ctlaunch. */
static void user_step(struct plan *p, struct ct_loc from, uint32_t uid, uint32_t gid,
		      bool setgroups)
{
	struct step *s = add(p, STEP_USER, SIDE_CHILD, from);

	s->u.user.uid = uid;
	s->u.user.gid = gid;
	s->u.user.setgroups = setgroups;
	add(p, STEP_DIE_WITH_PARENT, SIDE_CHILD, nowhere)->u.die_with_parent.again = true;
}

/* The container's file system. The order is the kernel's:
 * - / becomes rprivate before any other mount, or every mount below
 *   would propagate to the host's namespace (shared is the systemd
 *   default);
 * - the rootfs is opened once, by a path with no link in it, and checked
 *   to be the directory --check saw; a nodev copy of it is moved onto it
 *   by that descriptor and pivot_root enters it by descriptor too, so a
 *   rename in a directory on its path can never make the container's
 *   root another tree (issue 15, class 1);
 * - proc and sysfs are made detached (fsmount) and attached by
 *   descriptor after pivot_root, so their targets resolve inside the new
 *   root, and every mask is applied from their descriptors; proc then
 *   also belongs to the new pid namespace. */
/* The tree slot of the rootfs's copy when the parent makes it: after
 * the spec's mounts, the device nodes, proc and sysfs. */
#define ROOT_SLOT(spec) ((unsigned)(spec)->n_mounts + (unsigned)N_DEV_NODES + 2)
/* network: a bridge: the container's /etc/hosts, ctlaunch's file. */
#define HOSTS_SLOT(spec) (ROOT_SLOT(spec) + 1)

static void sys_open(struct plan *p, unsigned slot)
{
	struct step *s = add(p, STEP_BIND_OPEN, SIDE_CHILD, nowhere);

	s->u.bind_open.source = pstr(p, "/sys");
	s->u.bind_open.tree = slot;
	s->u.bind_open.readonly = true;
}

static char *hosts_file(struct plan *p, const struct spec *spec)
{
	return pfmt(p, "%s/%s.hosts", p->net_dir, spec->name);
}

/* The generated /etc/hosts, bound read-only over the rootfs's: the
 * rootfs is never written (a file is made only as a mount point where
 * it has none, as for any bind mount). */
static void hosts_open(struct plan *p, const struct spec *spec)
{
	struct step *s = add(p, STEP_BIND_OPEN, SIDE_CHILD, spec->net.at);

	s->u.bind_open.source = hosts_file(p, spec);
	s->u.bind_open.tree = HOSTS_SLOT(spec);
	s->u.bind_open.readonly = true;
}

static void hosts_attach(struct plan *p, const struct spec *spec)
{
	struct step *s = add(p, STEP_BIND_ATTACH, SIDE_CHILD, spec->net.at);

	s->u.bind_attach.source = hosts_file(p, spec);
	s->u.bind_attach.target = pstr(p, "/etc/hosts");
	s->u.bind_attach.tree = HOSTS_SLOT(spec);
	s->u.bind_attach.readonly = true;
}

/* Root's user namespace is made with the ids of its range (see
 * plan_build), and the child has them on the host: the host's path to
 * the rootfs or a bind source may be root's alone (build/private), so
 * ctlaunch opens and copies those trees itself before the clone (an
 * overlay's layers after it: they are idmapped with the child's user
 * namespace), and the child only attaches them. */
static bool owner_prepares(const struct plan *p)
{
	return p->userns && !p->rootless;
}

/* The layers by descriptor (/proc/self/fd/N as lowerdir, upperdir and
 * workdir: the directories --check saw, whatever their names point at
 * by then), the writes in a tmpfs or in DIR, mounted detached (fsmount,
 * nodev as a plain rootfs's copy) for pivot_root to enter. Made before
 * the clone's steps: root's userns: true has the parent prepare them. */
static struct step_overlay *make_overlay(struct plan *p, const struct spec *spec)
{
	struct step_overlay *o = own(p, xcalloc(1, sizeof *o));

	for (size_t i = spec->n_layers; i > 0; i--)
		o->lower[o->n_lower++] = (struct step_overlay_layer){
			pstr(p, spec->layers[i - 1].path), spec->layers[i - 1].dev,
			spec->layers[i - 1].ino
		};
	o->lower[o->n_lower++] =
		(struct step_overlay_layer){ pstr(p, spec->rootfs), spec->rootfs_dev, spec->rootfs_ino };
	o->tmpfs = spec->overlay == OVERLAY_TMPFS;
	o->size = spec->has_overlay_size ? spec->overlay_size : 0;
	if (!o->tmpfs) {
		const char *slash = strrchr(spec->overlay_dir, '/');

		o->dir = pstr(p, spec->overlay_dir);
		o->parent = pfmt(p, "%.*s", slash == spec->overlay_dir ? 1 : (int)(slash - spec->overlay_dir),
				 spec->overlay_dir);
		o->name = pstr(p, slash + 1);
		o->parent_dev = spec->overlay_parent_dev;
		o->parent_ino = spec->overlay_parent_ino;
	}
	o->userxattr = p->userns;
	o->tree = ROOT_SLOT(spec);
	/* Root's userns: true: its child could neither reach the layers
	 * (build/private is root's alone) nor read their files, host
	 * root's and unmapped in its namespace, nor make DIR/upper. */
	if (owner_prepares(p)) {
		o->idmapped = true;
		o->first_tree = p->n_trees;
		p->handed_first = p->n_trees;
		p->n_handed = (unsigned)o->n_lower + (o->tmpfs ? 0 : 3);
		p->n_trees += p->n_handed;
	}
	return o;
}

/* After the maps are written (MOUNT_ATTR_IDMAP takes the namespace's
 * map, and wants host root: CAP_SYS_ADMIN over the layers' file
 * system), before the release that hands the trees over. */
static void plan_layers_idmap(struct plan *p, const struct spec *spec, const struct host *h,
			      const struct step_overlay *o)
{
	struct step *s;

	if (!o || !o->idmapped)
		return;
	s = add(p, STEP_LAYERS_IDMAP, SIDE_PARENT, spec->userns_at);
	s->u.layers_idmap.overlay = o;
	s->u.layers_idmap.uid = h->userns_uid.start;
	s->u.layers_idmap.gid = h->userns_gid.start;
	s->u.layers_idmap.count =
		h->userns_uid.count < h->userns_gid.count ? h->userns_uid.count : h->userns_gid.count;
}

/* Before the clone, by root: the rootfs and the spec's bind sources,
 * opened with no link followed, checked by device and inode, copied. */
static void plan_owner_trees(struct plan *p, const struct spec *spec)
{
	const struct spec_mount **m = own(p, xcalloc(spec->n_mounts + 1, sizeof *m));

	sorted_mounts(spec, m);
	/* An overlay's layers are made after the clone (plan_layers_idmap). */
	if (spec->overlay == OVERLAY_NONE) {
		struct step *s = add(p, STEP_ROOT_OPEN, SIDE_PARENT, spec->rootfs_at);

		s->u.root_open.path = pstr(p, spec->rootfs);
		s->u.root_open.dev = spec->rootfs_dev;
		s->u.root_open.ino = spec->rootfs_ino;
		s->u.root_open.tree = ROOT_SLOT(spec);
	}
	plan_bind_open(p, m, spec->n_mounts, SIDE_PARENT);
}

static void plan_mounts(struct plan *p, const struct spec *spec, const struct host *h,
			const char *const *leaf, const struct step_overlay *ov)
{
	const unsigned long nosuid_nodev_noexec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	const struct spec_mount **m = own(p, xcalloc(spec->n_mounts + 1, sizeof *m));
	const unsigned slot = (unsigned)spec->n_mounts;
	const unsigned proc = slot + N_DEV_NODES, sys = proc + 1;
	struct step *s;

	sorted_mounts(spec, m);
	mnt(p, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, nowhere);
	if (!owner_prepares(p))
		plan_bind_open(p, m, spec->n_mounts, SIDE_CHILD);
	if (p->userns)
		dev_open(p, slot);
	/* In a user namespace the kernel mounts a new proc or sysfs only
	 * where one is already fully visible (mount_too_revealing): made
	 * here, while the host's are, and attached after pivot_root. Root
	 * does the same, so both anchor the masks on the same descriptors. */
	early_fs(p, "proc", nosuid_nodev_noexec, proc);
	/* The kernel makes a sysfs only for who may administer the network
	 * namespace it shows: in a user namespace of its own with the
	 * host's network, the host's /sys is bound instead, read-only, as
	 * rootless podman does. */
	if (p->userns && p->net == NET_HOST)
		sys_open(p, sys);
	else
		early_fs(p, "sysfs", MS_RDONLY | nosuid_nodev_noexec, sys);
	if (p->net == NET_BRIDGE)
		hosts_open(p, spec);
	/* The child's: in its own mount namespace, where the writes'
	 * tmpfs can be attached for overlayfs to take it (a detached one
	 * it refuses before Linux 6.15), and none of it is the host's. */
	if (ov)
		add(p, STEP_OVERLAY, SIDE_CHILD, spec->overlay_at)->u.overlay = ov;
	s = add(p, STEP_PIVOT_ROOT, SIDE_CHILD, spec->rootfs_at);
	s->u.pivot_root.path = pstr(p, spec->rootfs);
	s->u.pivot_root.dev = spec->rootfs_dev;
	s->u.pivot_root.ino = spec->rootfs_ino;
	s->u.pivot_root.prepared = owner_prepares(p) || spec->overlay != OVERLAY_NONE;
	s->u.pivot_root.overlay = spec->overlay != OVERLAY_NONE;
	s->u.pivot_root.tree = ROOT_SLOT(spec);
	add(p, STEP_UMOUNT_OLD, SIDE_CHILD, nowhere);
	/* Root's child keeps host root's ids in its new namespace, where
	 * they are unmapped: it could make no file, not even in a tmpfs of
	 * its own (EOVERFLOW). From here on it is the namespace's root,
	 * host id userns_uid.start, with the capabilities it has there.
	 * The uid change clears the parent-death signal: set again. */
	if (p->userns && !p->rootless)
		user_step(p, spec->userns_at, 0, 0, true);
	early_attach(p, "proc", "/proc", proc);
	mnt(p, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
	    nowhere);
	dev_nodes(p, slot);
	/* gid=5 (tty) only where it exists: a rootless run without
	 * subordinate ids maps no group but 0, and the kernel refuses an
	 * unmapped gid. */
	mnt(p, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    policy_id_mapped(spec, h, 5, true) ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
				   : "newinstance,ptmxmode=0666,mode=0620",
	    nowhere);
	mnt(p, "shm", "/dev/shm", "tmpfs", nosuid_nodev_noexec, "mode=1777,size=65536k", nowhere);
	early_attach(p, "sysfs", "/sys", sys);
	plan_spec_mounts(p, m, spec->n_mounts);
	if (p->net == NET_BRIDGE)
		hosts_attach(p, spec);
	/* Masks after the spec's mounts: a mount can never uncover them. */
	plan_masks(p, proc, sys);
	plan_cgroupfs(p, h, leaf);
	/* Last, so the spec's mount points could still be made in it; its
	 * own mounts keep their own modes. */
	if (spec->readonly_rootfs)
		mnt(p, NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL,
		    spec->readonly_rootfs_at);
}

static bool env_has(const struct spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_env; i++)
		if (strcmp(spec->env[i].key, key) == 0)
			return true;
	return false;
}

static char **plan_env(struct plan *p, const struct spec *spec, const char *hostname,
		       const struct plan_opts *o)
{
	const char *defaults[][2] = {
		{ "PATH", CMD_DEFAULT_PATH },
		{ "HOSTNAME", hostname },
		{ "HOME", spec->home ? spec->home : "/" },
		{ "USER", spec->login },
		{ "LOGNAME", spec->login },
		{ "TERM", o->term },
	};
	size_t n = 0, max = sizeof defaults / sizeof defaults[0] + spec->n_env + 1;
	char **envp = own(p, xcalloc(max, sizeof *envp));

	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (defaults[i][1] && !env_has(spec, defaults[i][0]))
			envp[n++] = pfmt(p, "%s=%s", defaults[i][0], defaults[i][1]);
	for (size_t i = 0; i < spec->n_env; i++)
		envp[n++] = pfmt(p, "%s=%s", spec->env[i].key, spec->env[i].value);
	envp[n] = NULL;
	return envp;
}

/* The seccomp filter (none when the spec says unconfined). */
static void seccomp_step(struct plan *p, const struct spec *spec, uint64_t keep)
{
	struct step *s;

	if (spec->seccomp == SC_MODE_UNCONFINED)
		return;
	s = add(p, STEP_SECCOMP, SIDE_CHILD, spec->seccomp_at);
	s->u.seccomp.profile = spec->seccomp == SC_MODE_CUSTOM ? spec->seccomp_profile : NULL;
	s->u.seccomp.caps = keep;
}

/* init: true, or tty: true without init: false (a command run on a
 * terminal then ends with one Control-C, as in a local shell: as PID 1
 * it would ignore the signal the terminal sends). */
static bool plan_init(const struct spec *spec)
{
	return spec->has_init ? spec->init : spec->tty;
}

/* The caller's terminals, saved before the container exists and put
 * back at exit: with -t the one the relay makes raw (stdin); without,
 * each one the container inherits, whose settings it could change (it
 * has no controlling terminal, so it cannot push input into it). */
static void plan_terminals(struct plan *p, const struct spec *spec, const struct plan_opts *o)
{
	if (spec->tty) {
		struct step *s = add(p, STEP_TTY_SAVE, SIDE_PARENT, spec->tty_at);

		s->u.tty_save.fd = 0;
		s->u.tty_save.relay = true;
		return;
	}
	for (int fd = 0; fd < 3; fd++)
		if (o->ttys & (1U << fd))
			add(p, STEP_TTY_SAVE, SIDE_PARENT, nowhere)->u.tty_save.fd = fd;
}

/* At exit, last, with the container gone: each terminal saved put back
 * as it was (-t: out of raw mode), whatever happened. */
static void plan_terminals_back(struct plan *p)
{
	size_t run = p->n;

	for (size_t i = 0; i < run; i++)
		if (p->steps[i].kind == STEP_TTY_SAVE) {
			int fd = p->steps[i].u.tty_save.fd;

			add(p, STEP_TTY_RESTORE, SIDE_EXIT, p->steps[i].from)->u.tty_restore.fd = fd;
		}
}

static void plan_exec(struct plan *p, const struct spec *spec, const struct host *h,
		      const char *hostname, const struct plan_opts *o)
{
	struct step *s;
	char **argv = own(p, xcalloc(spec->argc + 1, sizeof *argv));
	/* drop comes off the defaults, add goes on top: "drop: [ALL],
	 * add: [CAP_NET_BIND_SERVICE]" keeps exactly that one, as in docker. */
	uint64_t keep = ((CAPS_DEFAULT & ~spec->caps_drop) | spec->caps_add) & CAPS_KNOWN;
	char **envp = plan_env(p, spec, hostname, o);

	for (size_t i = 0; i < spec->argc; i++)
		argv[i] = pstr(p, spec->argv[i]);
	/* After pivot_root: the working directory resolves in the new root,
	 * never through a descriptor or path of the host (the class of
	 * CVE-2024-21626), and with none of the host's open: the trees the
	 * mounts needed are closed first. */
	add(p, STEP_CLOSE_FDS, SIDE_CHILD, nowhere);
	s = add(p, STEP_CHDIR, SIDE_CHILD, spec->workdir_at);
	s->u.chdir.dir = pstr(p, spec->workdir ? spec->workdir : "/");
	/* The container's terminal: inside the new root, where /dev/pts is
	 * the container's own devpts, with none of the host's descriptors
	 * open; while still root, to give the slave to the command's user;
	 * before the rlimits, a nofile limit of 3 included. */
	if (spec->tty)
		add(p, STEP_TTY_OPEN, SIDE_CHILD, spec->tty_at)->u.tty_open.owner =
			spec->user ? spec->uid : 0;
	/* While still root with every capability, so each file of the
	 * interpreter chain can be read for the check (CVE-2019-5736); and
	 * after chdir, so a relative command resolves in the workdir. */
	s = add(p, STEP_RESOLVE, SIDE_CHILD, spec->command_at);
	s->u.resolve.argv = argv;
	s->u.resolve.envp = envp;
	/* Before the capabilities go: raising a hard limit needs
	 * CAP_SYS_RESOURCE. */
	for (size_t i = 0; i < spec->n_rlimits; i++) {
		s = add(p, STEP_RLIMIT, SIDE_CHILD, spec->rlimits[i].at);
		s->u.rlimit.resource = spec->rlimits[i].resource;
		s->u.rlimit.name = spec->rlimits[i].name;
		s->u.rlimit.soft = spec->rlimits[i].soft;
		s->u.rlimit.hard = spec->rlimits[i].hard;
	}
	/* The bounding set needs CAP_SETPCAP and the user switch
	 * CAP_SETUID, so: bounding set, user, then the sets the command
	 * starts with. A switch to a non-root user clears permitted and
	 * effective, and they stay clear. */
	add(p, STEP_CAPS_BOUND, SIDE_CHILD, spec->caps_at)->u.caps_bound.keep = keep;
	/* Without no_new_privs the kernel loads a filter only for a
	 * process with CAP_SYS_ADMIN: then before the user switch, which
	 * takes it away; what runs after (setgroups, setres[ug]id, capset,
	 * prctl, execve) is in the default profile's allow-list. */
	if (!spec->no_new_privileges)
		seccomp_step(p, spec, keep);
	/* Root too: setgroups drops the supplementary groups ctlaunch was
	 * started with, which must not reach the container. */
	user_step(p, spec->user_at, spec->user ? spec->uid : 0, spec->user ? spec->gid : 0,
		  !p->rootless || policy_subids(h));
	add(p, STEP_CAPS, SIDE_CHILD, spec->caps_at)->u.caps.keep = keep;
	/* Last before the exec, so that ctlaunch's own steps never meet
	 * the filter: only the command does. */
	if (spec->no_new_privileges) {
		add(p, STEP_NO_NEW_PRIVS, SIDE_CHILD, spec->no_new_privileges_at);
		seccomp_step(p, spec, keep);
	}
	if (plan_init(spec)) {
		s = add(p, STEP_INIT_EXEC, SIDE_CHILD, spec->has_init ? spec->init_at : spec->command_at);
		s->u.init_exec.argv = argv;
		s->u.init_exec.envp = envp;
		return;
	}
	s = add(p, STEP_EXEC, SIDE_CHILD, spec->command_at);
	s->u.exec.argv = argv;
	s->u.exec.envp = envp;
}

static void plan_idmaps(struct plan *p, const struct host *h)
{
	/* Root maps its range directly (it has CAP_SETUID and CAP_SETGID
	 * over the new namespace), and keeps setgroups: the spec's user
	 * gets its group as its only supplementary one, as without. */
	for (int g = 0; g < 2 && !p->rootless; g++) {
		const struct id_range *r = g ? &h->userns_gid : &h->userns_uid;
		struct step *s = add(p, STEP_IDMAP, SIDE_PARENT, nowhere);

		s->u.idmap.which = g ? 'g' : 'u';
		s->u.idmap.map = pfmt(p, "0 %u %u", r->start, r->count);
	}
	for (int g = 0; g < 2 && p->rootless; g++) {
		const struct id_range *r = g ? &h->subgid : &h->subuid;
		unsigned self = g ? (unsigned)h->egid : (unsigned)h->euid;
		struct step *s = add(p, STEP_IDMAP, SIDE_PARENT, nowhere);

		s->u.idmap.which = g ? 'g' : 'u';
		s->u.idmap.helper = policy_subids(h);
		s->u.idmap.deny_setgroups = !s->u.idmap.helper;
		s->u.idmap.why = h->subids_why;
		s->u.idmap.map = s->u.idmap.helper
					 ? pfmt(p, "0 %u 1 1 %u %u", self, r->start, r->count)
					 : pfmt(p, "0 %u 1", self);
	}
}

/* Whether the executor takes the cgroup lock: at a cgroup it makes or
 * hands controllers down to. */
static bool locks(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == STEP_CG_MKDIR || p->steps[i].kind == STEP_CG_ENABLE)
			return true;
	return false;
}

/* A step at index at, the later ones moved up. */
static struct step *insert(struct plan *p, size_t at, enum step_kind kind)
{
	struct step *s = add(p, kind, SIDE_PARENT, nowhere), tmp = *s;

	memmove(&p->steps[at + 1], &p->steps[at], (p->n - 1 - at) * sizeof *p->steps);
	p->steps[at] = tmp;
	return &p->steps[at];
}

/* The global lock's file: root's only root may open (a lock any user
 * could take would let any user stall every launch); rootless, one in
 * the user's own runtime directory, or without one the user's
 * delegated cgroup, which others can read (and so lock: a wait that
 * Control-C ends). Where the lock's directory is missing, the cgroup
 * mount is locked instead. */
static void lock_payload(struct plan *p, const struct host *h, const struct plan_opts *o,
			 struct step_lock *l)
{
	const char *parent = o->cgroup_parent ? o->cgroup_parent : h->cg_own ? h->cg_own : "/";

	if (h->euid == 0)
		l->path = pstr(p, CT_LOCK_FILE);
	else if (h->runtime_dir)
		l->path = own(p, path_join(h->runtime_dir, "ctlaunch.lock"));
	else
		l->path = own(p, path_join("/sys/fs/cgroup", parent));
	l->dir = h->euid != 0 && !h->runtime_dir;
	l->fallback = pstr(p, h->cgroup_root);
}

/* DIR/NAME.EXT in the caller's state directory (state.h): root's in
 * its own directory, a user's in its runtime directory; NULL where there
 * is none (a rootless run without a runtime directory). */
static char *state_file(struct plan *p, const struct host *h, const char *name, const char *ext)
{
	cleanup_free char *dir = state_dir_of(h->euid, h->runtime_dir);
	cleanup_free char *file = xasprintf("%s.%s", name, ext);

	return dir ? own(p, path_join(dir, file)) : NULL;
}

/* First of all: this name's lock, beside its state file (plan_record),
 * cgroups or not, so that a name is one container while it runs; none
 * without a state directory (the global lock and the live-task check
 * then guard the name, and the run records nothing). Before the first
 * cgroup step: the sweep of what a dead run of the name left, then the
 * lock every run shares, held from the first mkdir until the child is
 * in its cgroups: a run of the same name must find it there. */
static void plan_locks(struct plan *p, const struct spec *spec, const struct host *h,
		       const struct plan_opts *o)
{
	char *name = state_file(p, h, spec->name, "lock"), *leaves[N_LEAVES];
	size_t n = 0, at = 0;

	for (size_t i = 0; i < p->n && name; i++)
		if (p->steps[i].kind == STEP_CG_MKDIR && !p->steps[i].u.cg_mkdir.shared && n < N_LEAVES)
			leaves[n++] = p->steps[i].u.cg_mkdir.dir;
	if (name)
		insert(p, at++, STEP_NAME_LOCK)->u.name_lock.path = name;
	if (!locks(p))
		return;
	for (size_t i = 0; i < n; i++)
		insert(p, at++, STEP_CG_SWEEP)->u.cg_sweep.dir = leaves[i];
	lock_payload(p, h, o, &insert(p, at, STEP_LOCK)->u.lock);
}

static void record_limit(struct ct_state *st, const char *key, const char *value)
{
	if (st->n_limits == STATE_MAX_LIMITS)
		return;
	st->limits[st->n_limits].key = key;
	snprintf(st->limits[st->n_limits++].value, sizeof st->limits[0].value, "%s", value);
}

/* The limits --list shows, as the spec says them (the rows' shown, in
 * their order); the default pids limit where the plan writes it. */
static void record_limits(const struct plan *p, const struct spec *spec, struct ct_state *st)
{
	for (size_t i = 0; i < n_res_keys; i++) {
		const struct res_key *k = &res_keys[i];
		cleanup_free char *v = NULL;

		if (!k->shown || !res_has(spec, k))
			continue;
		v = k->shown(spec);
		record_limit(st, k->key + strlen("resources."), v);
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == STEP_CG_WRITE && strcmp(p->steps[i].u.cg_write.file, "pids.max") == 0)
			record_limit(st, "pids", p->steps[i].u.cg_write.value);
}

/* Once the command runs, the run records itself where --list, --join
 * and --stop find it: beside its name's lock, which it holds until it
 * has removed the record again (STEP_UNRECORD). Not before the exec: a
 * --join must never find a container whose root is not made yet. */
static void plan_record(struct plan *p, const struct spec *spec, const struct host *h,
			const char *const *leaf, unsigned long nsflags)
{
	char *path = state_file(p, h, spec->name, "state");
	struct ct_state *st;
	struct step *s;

	if (!path)
		return;
	st = own(p, xcalloc(1, sizeof *st));
	st->name = pstr(p, spec->name);
	st->owner = (uint32_t)h->euid;
	st->spec = pstr(p, spec->file);
	st->digest = spec->digest;
	/* A join applies them as the run did. */
	st->sets = own(p, xcalloc(spec->n_sets + 1, sizeof *st->sets));
	for (size_t i = 0; i < spec->n_sets; i++)
		st->sets[st->n_sets++] = pstr(p, spec->sets[i]);
	st->nsflags = nsflags;
	st->uid = spec->user ? spec->uid : 0;
	st->gid = spec->user ? spec->gid : 0;
	st->login = pstr(p, spec->login);
	st->home = pstr(p, spec->home);
	for (int c = 0; c < N_LEAVES && st->n_cgroups < STATE_MAX_CGROUPS; c++)
		if (leaf[c])
			st->cgroups[st->n_cgroups++] = pstr(p, leaf[c]);
	record_limits(p, spec, st);
	s = add(p, STEP_RECORD, SIDE_PARENT, nowhere);
	s->u.record.state = st;
	s->u.record.dir = pfmt(p, "%.*s", (int)(strrchr(path, '/') - path), path);
	s->u.record.world_readable = h->euid == 0;
}

static struct step *net_step(struct plan *p, enum step_kind kind, enum step_side side,
			     const struct spec *spec, struct ct_loc from)
{
	struct step *s = add(p, kind, side, from);
	const char *hostname = spec->hostname ? spec->hostname : spec->name;

	s->u.net.br = &spec->net.br;
	s->u.net.dir = p->net_dir;
	s->u.net.name = pstr(p, spec->name);
	s->u.net.hostname = pstr(p, hostname);
	return s;
}

/* network: a bridge. Under one lock for every bridge, so that two runs
 * never lease one address, and a bridge is never removed by the last
 * run to leave while another run is about to join it: the leases of
 * dead runs swept, the address leased, the bridge made if missing; then
 * the container's namespace, made by ctlaunch and not by the clone, so
 * that its eth0 exists, addressed and routed, before the child runs a
 * step: the child only enters it (STEP_NET_ENTER). */
static void plan_net(struct plan *p, const struct spec *spec)
{
	net_step(p, STEP_NET_LOCK, SIDE_PARENT, spec, spec->net.at);
	net_step(p, STEP_NET_SWEEP, SIDE_PARENT, spec, spec->net.at);
	net_step(p, STEP_NET_LEASE, SIDE_PARENT, spec,
		 spec->net.br.address ? spec->net.address_at : spec->net.subnet_at);
	net_step(p, STEP_NET_BRIDGE, SIDE_PARENT, spec, spec->net.bridge_at);
	net_step(p, STEP_NET_NETNS, SIDE_PARENT, spec, spec->net.at);
	net_step(p, STEP_NET_VETH, SIDE_PARENT, spec, spec->net.bridge_at);
	net_step(p, STEP_NET_ADDR, SIDE_PARENT, spec,
		 spec->net.br.address ? spec->net.address_at : spec->net.subnet_at);
	net_step(p, STEP_NET_HOSTS, SIDE_PARENT, spec, spec->net.at);
	net_step(p, STEP_NET_UNLOCK, SIDE_PARENT, spec, spec->net.at);
}

/* The container's process. */
static bool plan_clone(struct plan *p, const struct host *h, const char **entered,
		       const char *const *leaf, unsigned long *nsflags)
{
	struct step *s;

	/* Started just before the clone, so that no moment exists where
	 * the container runs and nobody would kill it with ctlaunch. */
	add(p, STEP_WATCHER, SIDE_PARENT, nowhere);
	s = add(p, STEP_CLONE, SIDE_PARENT, nowhere);
	/* CLONE_NEWUSER is made first by the kernel, and owns the others. */
	/* network: host keeps the host's; a bridge's is made by ctlaunch
	 * before the clone (plan_net) and entered by the child. */
	s->u.clone.flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
			   (p->net == NET_NONE ? CLONE_NEWNET : 0) | (p->userns ? CLONE_NEWUSER : 0);
	*nsflags = s->u.clone.flags;
	/* Root's user namespace is made with the effective ids of its
	 * range, so that the kernel counts it, and everything its processes
	 * hold (inotify instances, pending signals, mqueue bytes), as that
	 * host user's and never as host root's: the per-user counters are
	 * charged up the chain of namespace owners. */
	if (p->userns && !p->rootless) {
		s->u.clone.as_owner = true;
		s->u.clone.owner_uid = h->userns_uid.start;
		s->u.clone.owner_gid = h->userns_gid.start;
	}
	/* v2 with clone3: the child starts in its cgroup, with no moment
	 * outside it and no write to cgroup.procs. Not with the range's
	 * ids: the kernel checks that they may write the cgroup's
	 * cgroup.procs, and root's cgroup is root's alone. */
	if (h->layout == CG_UNIFIED && h->clone_into_cgroup && leaf[0] && !s->u.clone.as_owner)
		s->u.clone.cgroup = pstr(p, *entered = leaf[0]);
	/* Root's child needs nothing more of ctlaunch once it exists, so it
	 * runs in ctlaunch's memory (CLONE_VM|CLONE_VFORK, as posix_spawn)
	 * while ctlaunch sleeps until its exec: no page tables copied, no
	 * copy-on-write fault for either process, which on a virtual
	 * machine cost more than the rest of the setup. A rootless child
	 * needs its uid map written by ctlaunch first, and clone3 with
	 * CLONE_VM wants a stack only assembly can start a child on: those
	 * two fork, and wait to be released. */
	s->u.clone.vfork = !p->userns && !s->u.clone.cgroup;
	return s->u.clone.vfork;
}

/* The child's first acts: no descriptor of ctlaunch's caller reaches
 * the container (a workdir of /proc/self/fd/N on a host directory would
 * put the command outside its root: the class of CVE-2024-21626), and
 * it dies with ctlaunch. */
static void child_start(struct plan *p)
{
	add(p, STEP_CLOSE_FDS, SIDE_CHILD, nowhere)->u.close_fds.keep_trees = owner_prepares(p);
	add(p, STEP_DIE_WITH_PARENT, SIDE_CHILD, nowhere);
}

/* The child into its cgroups, then the lock let go of. */
static void plan_enter(struct plan *p, const struct host *h, const char *entered,
		       const char *const *leaf, bool vfork)
{
	for (int c = 0; c < N_LEAVES; c++) {
		struct step *s;

		/* v2 has one cgroup for all controllers: entered once. */
		if (!leaf[c] || (entered && strcmp(entered, leaf[c]) == 0))
			continue;
		s = add(p, STEP_CG_ENTER, vfork ? SIDE_CHILD : SIDE_PARENT, nowhere);
		s->u.cg_enter.dir = pstr(p, leaf[c]);
		if (h->layout == CG_UNIFIED)
			entered = leaf[c];
	}
	/* The lock belongs to the open file, which a vfork child shares,
	 * so the child can let go. */
	if (locks(p))
		add(p, STEP_UNLOCK, vfork ? SIDE_CHILD : SIDE_PARENT, nowhere);
}

static struct step *exit_step(struct plan *p, enum step_kind kind)
{
	return add(p, kind, SIDE_EXIT, nowhere);
}

/* The cgroups this run made, removed at exit (see plan_exit): its
 * leaves. The shared ctlaunch/ level stays, as docker's and podman's
 * parents do: made when missing, never removed by a run, so that no
 * run's rmdir races another's mkdir (ctlaunch --cleanup removes it).
 * The exception is v2's, where the parent may be a login session's
 * scope, whose owner removes it once its processes are gone and must
 * find it as it was: the executor removes ctlaunch/ when the parent
 * holds processes or ctlaunch moved out of it into the supervisor
 * cgroup (then put back), under the global lock. */
static void plan_exit_cgroups(struct plan *p, const struct step_lock *l, char *supervise,
			      size_t run)
{
	struct step_lock lock = *l;
	char *kept_in;
	struct step *s;

	kept_in = supervise ? own(p, path_join(supervise, CG_SUPERVISOR)) : NULL;
	exit_step(p, STEP_UNLOCK)->u.unlock.kept_in = kept_in;
	for (size_t i = run; i-- > 0;) {
		if (p->steps[i].kind != STEP_CG_MKDIR || p->steps[i].u.cg_mkdir.shared)
			continue;
		s = exit_step(p, STEP_CG_PURGE);
		s->u.cg_purge.dir = p->steps[i].u.cg_mkdir.dir;
		s->u.cg_purge.made_by = i;
	}
	if (p->layout != CG_UNIFIED)
		return;
	s = exit_step(p, STEP_LOCK);
	s->u.lock = lock;
	s->u.lock.after_run = true;
	for (size_t i = run; i-- > 0;) {
		if (p->steps[i].kind != STEP_CG_MKDIR || !p->steps[i].u.cg_mkdir.shared)
			continue;
		s = exit_step(p, STEP_CG_RMDIR);
		s->u.cg_rmdir.dir = p->steps[i].u.cg_mkdir.dir;
		s->u.cg_rmdir.made_by = i;
		s->u.cg_rmdir.supervisor = kept_in;
	}
	if (supervise)
		exit_step(p, STEP_CG_RESTORE)->u.cg_restore.dir = supervise;
	exit_step(p, STEP_UNLOCK)->u.unlock.kept_in = kept_in;
}

/* The index of the STEP_CG_MKDIR of dir (a leaf of this run's), or
 * run when there is none. */
static size_t mkdir_of(const struct plan *p, const char *dir, size_t run)
{
	for (size_t i = 0; dir && i < run; i++)
		if (p->steps[i].kind == STEP_CG_MKDIR && strcmp(p->steps[i].u.cg_mkdir.dir, dir) == 0)
			return i;
	return run;
}

/* v1: the leaf in the hierarchy that has cpuacct: cpu's when they are
 * mounted together ("cpu,cpuacct"), else one of the others. Every
 * container has a leaf in every hierarchy, limits or not. */
static const char *cpuacct_leaf(const struct host *h, const char *const *leaf)
{
	const char *c = h->ctrl[CTRL_CPU].controllers;

	if (c && in_list_of(c, "cpuacct"))
		return leaf[CTRL_CPU];
	for (size_t i = 0; i < h->n_hier; i++)
		if (h->hier[i].data && in_list_of(h->hier[i].data, "cpuacct"))
			return leaf[CTRL__N + i];
	return NULL;
}

/* --stats: its counters, read once at exit while the cgroups are still
 * there (nothing polls during the run). */
static void plan_stats(struct plan *p, const struct spec *spec, const struct host *h,
		       const char *const *leaf, size_t run)
{
	const char *dir[STATS_DIRS] = { 0 };
	struct step *s = exit_step(p, STEP_STATS_READ);

	s->u.stats_read.v2 = h->layout == CG_UNIFIED;
	s->u.stats_read.quota = spec->res.has_cpu_quota;
	if (h->layout == CG_UNIFIED) {
		for (int i = 0; i < STATS_DIRS; i++)
			dir[i] = leaf[0];
	} else {
		dir[STATS_CPUACCT] = cpuacct_leaf(h, leaf);
		dir[STATS_CPU] = leaf[CTRL_CPU];
		dir[STATS_MEMORY] = leaf[CTRL_MEMORY];
		dir[STATS_PIDS] = leaf[CTRL_PIDS];
	}
	for (int i = 0; i < STATS_DIRS; i++) {
		size_t made = mkdir_of(p, dir[i], run);

		/* Only a leaf this run made: another is another run's. */
		s->u.stats_read.dir[i] = made < run ? p->steps[made].u.cg_mkdir.dir : NULL;
		s->u.stats_read.made_by[i] = made < run ? made : 0;
	}
}

/* At exit, whatever happened: the container and the watcher gone, the
 * OOM count read while the memory cgroup still exists (only from a leaf
 * this run made: one that was there already is another container's),
 * then every cgroup this run made removed but the shared ctlaunch/
 * level (see plan_exit_cgroups). The leaves are this name's (its lock
 * is held): they are killed and removed without the global lock, which
 * is taken again only on v2, for ctlaunch/ where it goes and to put the
 * supervisor cgroup back.
 * A run in the supervisor cgroup keeps the global lock for its leaves
 * too: the run that puts that cgroup back must never find ctlaunch
 * still in it. */
static void plan_exit(struct plan *p, const struct spec *spec, const struct host *h,
		      const struct plan_opts *o, const char *const *leaf)
{
	/* Copies: the steps move as the exit's are added. */
	char *name = NULL, *supervise = NULL;
	struct step_record record = { 0 };
	struct step_lock lock = { 0 };
	size_t run = p->n;
	struct step *s;

	for (size_t i = 0; i < run; i++) {
		if (p->steps[i].kind == STEP_NAME_LOCK)
			name = p->steps[i].u.name_lock.path;
		if (p->steps[i].kind == STEP_RECORD)
			record = p->steps[i].u.record;
		if (p->steps[i].kind == STEP_LOCK)
			lock = p->steps[i].u.lock;
		if (p->steps[i].kind == STEP_CG_ENABLE && p->steps[i].u.cg_enable.supervise)
			supervise = p->steps[i].u.cg_enable.dir;
	}
	exit_step(p, STEP_KILL_CHILD);
	exit_step(p, STEP_STOP_WATCHER);
	if (o->stats)
		plan_stats(p, spec, h, leaf, run);
	/* Once the container is gone: its veth with it. */
	if (spec->net.mode == NET_BRIDGE)
		net_step(p, STEP_NET_RELEASE, SIDE_EXIT, spec, spec->net.at);
	for (size_t i = 0; i < run && leaf[0] && policy_uses(spec, CTRL_MEMORY); i++) {
		const char *dir = p->steps[i].u.cg_mkdir.dir;

		if (p->steps[i].kind != STEP_CG_MKDIR || strcmp(dir, leaf[0]) != 0)
			continue;
		s = exit_step(p, STEP_OOM_READ);
		s->u.oom_read.file = own(p, path_join(dir, p->layout == CG_UNIFIED ? "memory.events"
										    : "memory.oom_control"));
		s->u.oom_read.made_by = i;
	}
	if (lock.path)
		plan_exit_cgroups(p, &lock, supervise, run);
	/* Last, just before the name's lock goes: the next run of the name
	 * then finds no record of this one, and this one never removes the
	 * next one's. */
	if (record.state) {
		s = exit_step(p, STEP_UNRECORD);
		s->u.unrecord.dir = record.dir;
		s->u.unrecord.name = record.state->name;
	}
	if (name)
		exit_step(p, STEP_NAME_UNLOCK)->u.name_unlock.path = name;
}

/* The policy's first refusal in e; main has shown them all already. */
static bool refused(const struct spec *spec, const struct host *h, const struct plan_opts *o,
		    struct ct_err *e)
{
	cleanup_diags struct ct_diags d = { 0 };

	if (policy_check(spec, h, o, &d) == 0)
		return false;
	ct_fail(e, 0, "%s", d.v[0]);
	return true;
}

int plan_build(const struct spec *spec, const struct host *h, const struct plan_opts *o,
	       struct plan *p, struct ct_err *e)
{
	const char *leaf[N_LEAVES] = { 0 };
	const char *hostname = spec->hostname ? spec->hostname : spec->name;
	const char *entered = NULL;
	unsigned long nsflags;
	const struct step_overlay *ov = NULL;
	struct step *s;
	bool vfork;

	memset(p, 0, sizeof *p);
	/* Never a plan the policy refuses: a limit without its controller
	 * or a user the namespace lacks would be left out, not refused. */
	if (refused(spec, h, o, e))
		return -1;
	p->arena = xcalloc(1, sizeof *p->arena);
	p->name = spec->name;
	p->file = spec->file;
	p->layout = h->layout;
	p->rootless = h->euid != 0;
	/* Rootless runs always have one; userns: true gives root's one. */
	p->userns = p->rootless || spec->userns;
	p->probed = h->real;
	p->net = spec->net.mode;
	p->n_trees = ROOT_SLOT(spec) + 1 + (p->net == NET_BRIDGE);
	if (spec->overlay != OVERLAY_NONE)
		ov = make_overlay(p, spec);
	if (p->net == NET_BRIDGE) {
		cleanup_free char *dir = state_dir_of(h->euid, h->runtime_dir);

		/* The policy refuses a bridge but to root, who has one. */
		p->net_dir = dir ? own(p, path_join(dir, NET_LEASE_DIR)) : pstr(p, NET_LEASE_DIR);
	}

	/* Limits are in place before the child exists, and the child is in
	 * its cgroups before it runs anything but ctlaunch's own steps: the
	 * command never runs, even for a moment, outside its limits. */
	plan_cgroups(p, spec, h, o, leaf);
	plan_locks(p, spec, h, o);
	plan_terminals(p, spec, o);
	if (owner_prepares(p))
		plan_owner_trees(p, spec);
	/* Made before the clone: a vfork child must not allocate, and the
	 * child of a fork has them without being sent them. */
	if (spec->tty)
		add(p, STEP_TTY_SOCKET, SIDE_PARENT, spec->tty_at);
	if (plan_init(spec))
		add(p, STEP_INIT_MEMFD, SIDE_PARENT, spec->has_init ? spec->init_at : spec->tty_at);
	if (p->net == NET_BRIDGE)
		plan_net(p, spec);
	/* As close to the container's start as a step of the parent's
	 * gets: the wall time is the container's life, not the setup's. */
	if (o->stats)
		add(p, STEP_STATS_CLOCK, SIDE_PARENT, nowhere);
	vfork = plan_clone(p, h, &entered, leaf, &nsflags);
	if (vfork)
		child_start(p);
	if (p->userns)
		plan_idmaps(p, h);
	plan_layers_idmap(p, spec, h, ov);
	plan_enter(p, h, entered, leaf, vfork);
	if (!vfork) {
		add(p, STEP_RELEASE, SIDE_PARENT, nowhere);
		child_start(p);
		add(p, STEP_WAIT_RELEASE, SIDE_CHILD, nowhere);
	}
	/* After release: the kernel refuses a write to the uid_map of a
	 * process that is not dumpable (its /proc files turn root's), and
	 * until then the child is a copy of ctlaunch with nothing to hide. */
	add(p, STEP_NOT_DUMPABLE, SIDE_CHILD, nowhere);
	add(p, STEP_SETSID, SIDE_CHILD, nowhere);
	/* The cgroup namespace is made after the child is in its cgroups:
	 * its root is the cgroup the child is in when it is made. */
	add(p, STEP_UNSHARE, SIDE_CHILD, nowhere)->u.unshare.flags = CLONE_NEWCGROUP;
	s = add(p, STEP_HOSTNAME, SIDE_CHILD, spec->hostname ? spec->hostname_at : spec->name_at);
	s->u.hostname.name = pstr(p, hostname);
	if (p->net == NET_NONE)
		add(p, STEP_LO_UP, SIDE_CHILD, nowhere);
	/* Before sysfs is made: it shows the namespace it was made in. */
	if (p->net == NET_BRIDGE)
		net_step(p, STEP_NET_ENTER, SIDE_CHILD, spec, spec->net.at);
	plan_mounts(p, spec, h, leaf, ov);
	plan_exec(p, spec, h, hostname, o);
	/* With the cgroup namespace the child made: what a join enters. */
	plan_record(p, spec, h, leaf,
		    nsflags | CLONE_NEWCGROUP | (p->net == NET_BRIDGE ? CLONE_NEWNET : 0));
	/* Once the child has exec'd: it sent the master before. */
	if (spec->tty)
		add(p, STEP_TTY_RELAY, SIDE_PARENT, spec->tty_at);
	add(p, STEP_WAIT, SIDE_PARENT, nowhere)->u.wait.relay = spec->tty;
	plan_exit(p, spec, h, o, leaf);
	plan_terminals_back(p);
	return 0;
}

/* The process that joins, before the command's own steps: in the
 * container's cgroups before it runs anything, with PID 1's rlimits and
 * umask, then in all its namespaces, and not dumpable all along: no process of
 * the container can trace it or open its /proc files (CVE-2016-9962)
 * while it holds ctlaunch's memory and the pidfd. */
static void join_head(struct plan *p, const struct ct_state *st, const char *into)
{
	add(p, STEP_CLOSE_FDS, SIDE_CHILD, nowhere);
	add(p, STEP_DIE_WITH_PARENT, SIDE_CHILD, nowhere);
	add(p, STEP_WAIT_RELEASE, SIDE_CHILD, nowhere);
	add(p, STEP_NOT_DUMPABLE, SIDE_CHILD, nowhere);
	/* By their host paths, so before the mount namespace. */
	for (size_t i = 0; i < st->n_cgroups; i++)
		if (!into || strcmp(into, st->cgroups[i]) != 0)
			add(p, STEP_CG_ENTER, SIDE_CHILD, nowhere)->u.cg_enter.dir = pstr(p, st->cgroups[i]);
	/* Before the user namespace, where raising a limit would take
	 * CAP_SYS_RESOURCE of the host's. */
	add(p, STEP_JOIN_RLIMITS, SIDE_CHILD, nowhere)->u.join_rlimits.pid = st->pid;
	/* The umask the container's command got (the caller's of the run),
	 * not this caller's: a file the joined command makes is made as
	 * the command's would be. Read from the host's /proc: before
	 * setns. */
	add(p, STEP_JOIN_UMASK, SIDE_CHILD, nowhere)->u.join_umask.pid = st->pid;
	add(p, STEP_SETNS, SIDE_CHILD, nowhere)->u.setns.nsflags = st->nsflags;
	/* setns gives the pid namespace to the children only. */
	add(p, STEP_JOIN_FORK, SIDE_CHILD, nowhere);
	/* The new process: its parent-death signal is its own to set, and
	 * its session too (no TIOCSTI into the caller's terminal). */
	add(p, STEP_DIE_WITH_PARENT, SIDE_CHILD, nowhere);
	add(p, STEP_NOT_DUMPABLE, SIDE_CHILD, nowhere);
	add(p, STEP_SETSID, SIDE_CHILD, nowhere);
}

int plan_join(const struct spec *spec, const struct host *h, const struct plan_opts *o,
	      const struct ct_state *st, struct plan *p, struct ct_err *e)
{
	const char *into = NULL;
	struct step *s;

	(void)e;
	memset(p, 0, sizeof *p);
	p->arena = xcalloc(1, sizeof *p->arena);
	p->name = spec->name;
	p->file = spec->file;
	p->layout = h->layout;
	p->rootless = h->euid != 0;
	p->userns = (st->nsflags & CLONE_NEWUSER) != 0;
	p->join = true;
	p->probed = h->real;
	s = add(p, STEP_JOIN_OPEN, SIDE_PARENT, nowhere);
	s->u.join_open.pid = st->pid;
	s->u.join_open.start = st->start;
	s->u.join_open.seccomp = st->seccomp;
	s->u.join_open.filter = st->filter;
	/* v2: started in the container's one cgroup, as its run's child. */
	if (h->layout == CG_UNIFIED && h->clone_into_cgroup && st->n_cgroups == 1)
		into = st->cgroups[0];
	/* -t: the caller's terminal saved, and the socket the joined
	 * command's pty comes back on, as for a run's. */
	plan_terminals(p, spec, o);
	if (spec->tty)
		add(p, STEP_TTY_SOCKET, SIDE_PARENT, nowhere);
	add(p, STEP_WATCHER, SIDE_PARENT, nowhere)->u.watcher.pidfd_only = true;
	s = add(p, STEP_CLONE, SIDE_PARENT, nowhere);
	s->u.clone.cgroup = pstr(p, into);
	add(p, STEP_RELEASE, SIDE_PARENT, nowhere);
	join_head(p, st, into);
	/* The command's own steps, as plan_build makes them for the run:
	 * the same workdir, user, capabilities, rlimits, no_new_privs,
	 * filter and environment; with -t, its pty from the container's
	 * devpts (the caller made spec->tty the join's -t, and no init). */
	plan_exec(p, spec, h, spec->hostname ? spec->hostname : spec->name, o);
	if (spec->tty)
		add(p, STEP_TTY_RELAY, SIDE_PARENT, nowhere);
	add(p, STEP_WAIT, SIDE_PARENT, nowhere)->u.wait.relay = spec->tty;
	exit_step(p, STEP_KILL_CHILD);
	exit_step(p, STEP_STOP_WATCHER);
	/* Once the container is gone: its veth with it. */
	if (spec->net.mode == NET_BRIDGE)
		net_step(p, STEP_NET_RELEASE, SIDE_EXIT, spec, spec->net.at);
	plan_terminals_back(p);
	return 0;
}

void plan_free(struct plan *p)
{
	if (p->arena) {
		for (size_t i = 0; i < p->arena->n; i++)
			free(p->arena->v[i]);
		free(p->arena->v);
		free(p->arena);
	}
	free(p->steps);
	memset(p, 0, sizeof *p);
}

size_t plan_run_steps(const struct plan *p)
{
	size_t n = 0;

	while (n < p->n && p->steps[n].side != SIDE_EXIT)
		n++;
	return n;
}
