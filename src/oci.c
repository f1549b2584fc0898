/* --export-oci: the plan as an OCI runtime config (config.json), so that
 * crun and runc run the container ctlaunch makes. The plan is the
 * truth: every field comes from its steps (the namespaces of the clone,
 * the mounts in their order, the user, the capabilities, the limits the
 * cgroup steps write, the filter), through the tables they came from
 * (resources.c's rows, the default seccomp profile, the device rules).
 * Pure: the caller hands over the stream. The differential test
 * (tests/oci-diff.sh) runs both and compares what the containers see. */
#include <ctype.h>
#include <linux/mount.h> /* MS_* values only */
#include <linux/sched.h> /* CLONE_* values only */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "devices.h"
#include "oci.h"
#include "resources.h"
#include "syscall_filter.h"
#include "util.h"

/* A JSON writer: two-space indents, one member or element a line. */
struct json {
	FILE *out;
	unsigned depth;
	bool first;      /* nothing written yet at this depth */
};

/* The first n bytes of s, as a JSON string. */
static void j_stringn(struct json *j, const char *s, size_t n)
{
	putc('"', j->out);
	for (const unsigned char *c = (const unsigned char *)s; c < (const unsigned char *)s + n; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(j->out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", j->out);
		else if (*c == '\t')
			fputs("\\t", j->out);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(j->out, "\\u%04x", *c);
		else
			putc(*c, j->out);
	}
	putc('"', j->out);
}

static void j_string(struct json *j, const char *s)
{
	j_stringn(j, s, strlen(s));
}

/* The separator and indent of the next member (key) or element (NULL). */
static void j_item(struct json *j, const char *key)
{
	fputs(j->first ? "\n" : ",\n", j->out);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->out);
	j->first = false;
	if (key) {
		j_string(j, key);
		fputs(": ", j->out);
	}
}

static void j_open(struct json *j, const char *key, char bracket)
{
	j_item(j, key);
	putc(bracket, j->out);
	j->depth++;
	j->first = true;
}

static void j_close(struct json *j, char bracket)
{
	j->depth--;
	if (!j->first) {
		putc('\n', j->out);
		for (unsigned i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	putc(bracket, j->out);
	j->first = false;
}

static void j_str(struct json *j, const char *key, const char *v)
{
	j_item(j, key);
	j_string(j, v);
}

static void j_num(struct json *j, const char *key, unsigned long long v)
{
	j_item(j, key);
	fprintf(j->out, "%llu", v);
}

static void j_bool(struct json *j, const char *key, bool v)
{
	j_item(j, key);
	fputs(v ? "true" : "false", j->out);
}

/* The steps of one kind, in plan order. */
static const struct step *next_of(const struct plan *p, enum step_kind kind,
				  const struct step *after)
{
	for (const struct step *s = after ? after + 1 : p->steps; s < p->steps + p->n; s++)
		if (s->kind == kind)
			return s;
	return NULL;
}

#define EACH(s, p, kind) for (const struct step *s = next_of(p, kind, NULL); s; s = next_of(p, kind, s))

/* The last step of a kind: the spec's user comes after the user
 * namespace's own switch to its root (plan_mounts). */
static const struct step *last_of(const struct plan *p, enum step_kind kind)
{
	const struct step *last = NULL;

	EACH(s, p, kind)
		last = s;
	return last;
}

static void caps_list(struct json *j, const char *key, uint64_t set)
{
	j_open(j, key, '[');
	for (unsigned i = 0; i < CAPS_MAX; i++)
		if ((set & CAPS_BIT(i)) && cap_name_of(i))
			j_str(j, NULL, cap_name_of(i));
	j_close(j, ']');
}

/* The command: the init's when ctlaunch's init runs it (the init itself
 * has no OCI equivalent: the runtime runs the command as PID 1). */
static void process_args_env(struct json *j, const struct plan *p)
{
	const struct step *x = last_of(p, STEP_EXEC);
	const struct step *init = last_of(p, STEP_INIT_EXEC);
	char *const *argv = x ? x->u.exec.argv : init ? init->u.init_exec.argv : NULL;
	char *const *envp = x ? x->u.exec.envp : init ? init->u.init_exec.envp : NULL;

	j_open(j, "args", '[');
	for (size_t i = 0; argv && argv[i]; i++)
		j_str(j, NULL, argv[i]);
	j_close(j, ']');
	j_open(j, "env", '[');
	for (size_t i = 0; envp && envp[i]; i++)
		j_str(j, NULL, envp[i]);
	j_close(j, ']');
}

static void process_user(struct json *j, const struct plan *p)
{
	const struct step *u = last_of(p, STEP_USER);
	uint32_t uid = u ? u->u.user.uid : 0, gid = u ? u->u.user.gid : 0;

	j_open(j, "user", '{');
	j_num(j, "uid", uid);
	j_num(j, "gid", gid);
	/* ctlaunch's setgroups leaves the user's group as the only
	 * supplementary one; a runtime sets exactly additionalGids. */
	if (u && u->u.user.setgroups) {
		j_open(j, "additionalGids", '[');
		j_num(j, NULL, gid);
		j_close(j, ']');
	}
	j_close(j, '}');
}

static void process_caps(struct json *j, const struct plan *p)
{
	const struct step *b = last_of(p, STEP_CAPS_BOUND), *c = last_of(p, STEP_CAPS);
	const struct step *u = last_of(p, STEP_USER);
	/* A switch to another uid than 0 clears permitted and effective
	 * (caps.h): such a user starts with none, where a runtime would
	 * keep what the lists say. */
	uint64_t keep = c && (!u || u->u.user.uid == 0) ? c->u.caps.keep : 0;

	j_open(j, "capabilities", '{');
	caps_list(j, "bounding", b ? b->u.caps_bound.keep : 0);
	caps_list(j, "effective", keep);
	caps_list(j, "permitted", keep);
	caps_list(j, "inheritable", 0);
	caps_list(j, "ambient", 0);
	j_close(j, '}');
}

static void process_rlimits(struct json *j, const struct plan *p)
{
	char type[32];

	j_open(j, "rlimits", '[');
	EACH(s, p, STEP_RLIMIT) {
		size_t n = (size_t)snprintf(type, sizeof type, "RLIMIT_%s", s->u.rlimit.name);

		for (size_t i = 7; i < n && i < sizeof type; i++)
			type[i] = (char)toupper((unsigned char)type[i]);
		j_open(j, NULL, '{');
		j_str(j, "type", type);
		j_num(j, "hard", s->u.rlimit.hard);
		j_num(j, "soft", s->u.rlimit.soft);
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void process(struct json *j, const struct plan *p)
{
	const struct step *cd = last_of(p, STEP_CHDIR);

	j_open(j, "process", '{');
	j_bool(j, "terminal", next_of(p, STEP_TTY_OPEN, NULL) != NULL);
	process_user(j, p);
	process_args_env(j, p);
	j_str(j, "cwd", cd ? cd->u.chdir.dir : "/");
	process_caps(j, p);
	process_rlimits(j, p);
	j_bool(j, "noNewPrivileges", next_of(p, STEP_NO_NEW_PRIVS, NULL) != NULL);
	j_close(j, '}');
}

/* A mount's flags and data as an OCI options list. */
static void mount_options(struct json *j, unsigned long flags, const char *data)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} opts[] = {
		{ MS_RDONLY, "ro" },         { MS_NOSUID, "nosuid" },
		{ MS_NODEV, "nodev" },       { MS_NOEXEC, "noexec" },
		{ MS_STRICTATIME, "strictatime" },
	};

	j_open(j, "options", '[');
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (flags & opts[i].flag)
			j_str(j, NULL, opts[i].name);
	for (const char *d = data; d && *d;) {
		size_t n = strcspn(d, ",");

		j_item(j, NULL);
		j_stringn(j, d, n);
		d += n + (d[n] == ',');
	}
	j_close(j, ']');
}

static void mount_entry(struct json *j, const char *dest, const char *type, const char *source,
			unsigned long flags, const char *data)
{
	j_open(j, NULL, '{');
	j_str(j, "destination", dest);
	j_str(j, "type", type);
	j_str(j, "source", source);
	mount_options(j, flags, data);
	j_close(j, '}');
}

/* The step that opened tree t: proc's and sysfs's fsmount, or a bind
 * source's open_tree. */
static const struct step *tree_of(const struct plan *p, enum step_kind kind, unsigned t)
{
	EACH(s, p, kind)
		if ((kind == STEP_FS_OPEN ? s->u.fs_open.tree : s->u.bind_open.tree) == t)
			return s;
	return NULL;
}

static bool is_cgroupfs(const char *target)
{
	return strncmp(target, "/sys/fs/cgroup", 14) == 0 &&
	       (target[14] == '\0' || target[14] == '/');
}

/* The container's cgroup file system: ctlaunch mounts each hierarchy
 * read-only on a tmpfs (v1) or cgroup2 itself; a runtime does the same
 * for one mount of type cgroup at /sys/fs/cgroup, and that one carries
 * the hierarchies' flags. */
static void cgroup_mount(struct json *j, const struct plan *p)
{
	EACH(s, p, STEP_MOUNT) {
		const char *t = s->u.mount.fstype;

		if (t && (strcmp(t, "cgroup") == 0 || strcmp(t, "cgroup2") == 0) &&
		    is_cgroupfs(s->u.mount.target)) {
			mount_entry(j, "/sys/fs/cgroup", "cgroup", "cgroup", s->u.mount.flags, NULL);
			return;
		}
	}
}

/* One mount step as an OCI mount, in the plan's order; the ones a
 * runtime makes its own way are elsewhere in the config: / private
 * (rootfsPropagation), / read-only (root.readonly), the device nodes
 * (linux.devices), the cgroup hierarchies (one cgroup mount). */
static void mount_step(struct json *j, const struct plan *p, const struct step *s)
{
	if (s->kind == STEP_BIND_ATTACH) {
		const struct step_bind_attach *a = &s->u.bind_attach;
		const struct step *o = a->anchor ? tree_of(p, STEP_FS_OPEN, a->tree)
						 : tree_of(p, STEP_BIND_OPEN, a->tree);

		if (!o)
			return;
		if (a->anchor) {
			mount_entry(j, a->target, o->u.fs_open.fstype, o->u.fs_open.fstype,
				    o->u.fs_open.flags, NULL);
		} else if (!o->u.bind_open.device) {
			/* open_tree(AT_RECURSIVE) and nodev (mount.c). */
			mount_entry(j, a->target, "bind", a->source,
				    MS_NODEV | (o->u.bind_open.readonly ? MS_RDONLY : 0), "rbind");
		}
		return;
	}
	const struct step_mount *m = &s->u.mount;

	if (!m->fstype)
		return;
	if (is_cgroupfs(m->target)) {
		if (strcmp(m->target, "/sys/fs/cgroup") == 0 &&
		    (strcmp(m->fstype, "tmpfs") == 0 || strcmp(m->fstype, "cgroup2") == 0))
			cgroup_mount(j, p);
		return;
	}
	mount_entry(j, m->target, m->fstype, m->source ? m->source : m->fstype, m->flags, m->data);
}

static void mounts(struct json *j, const struct plan *p)
{
	j_open(j, "mounts", '[');
	for (const struct step *s = p->steps; s < p->steps + p->n; s++)
		if (s->kind == STEP_MOUNT || s->kind == STEP_BIND_ATTACH)
			mount_step(j, p, s);
	j_close(j, ']');
}

static void namespaces(struct json *j, const struct plan *p)
{
	static const struct {
		unsigned long flag;
		const char *type;
	} ns[] = {
		{ CLONE_NEWPID, "pid" },       { CLONE_NEWNET, "network" },
		{ CLONE_NEWIPC, "ipc" },       { CLONE_NEWUTS, "uts" },
		{ CLONE_NEWNS, "mount" },      { CLONE_NEWUSER, "user" },
		{ CLONE_NEWCGROUP, "cgroup" },
	};
	unsigned long flags = 0;

	EACH(s, p, STEP_CLONE)
		flags |= s->u.clone.flags;
	EACH(s, p, STEP_UNSHARE)
		flags |= s->u.unshare.flags;
	/* A bridge's namespace is made by ctlaunch and entered by the
	 * child: a new one for the runtime too (with lo only), never the
	 * host's. */
	if (next_of(p, STEP_NET_NETNS, NULL))
		flags |= CLONE_NEWNET;
	j_open(j, "namespaces", '[');
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		if (flags & ns[i].flag) {
			j_open(j, NULL, '{');
			j_str(j, "type", ns[i].type);
			j_close(j, '}');
		}
	j_close(j, ']');
}

/* "0 100000 65536 ..." as containerID, hostID, size triples. */
static void idmaps(struct json *j, const struct plan *p, char which, const char *key)
{
	unsigned long long v[3];
	int used;

	EACH(s, p, STEP_IDMAP) {
		if (s->u.idmap.which != which)
			continue;
		j_open(j, key, '[');
		for (const char *m = s->u.idmap.map;
		     sscanf(m, "%llu %llu %llu%n", &v[0], &v[1], &v[2], &used) == 3; m += used) {
			j_open(j, NULL, '{');
			j_num(j, "containerID", v[0]);
			j_num(j, "hostID", v[1]);
			j_num(j, "size", v[2]);
			j_close(j, '}');
		}
		j_close(j, ']');
	}
}

static void devices(struct json *j, const struct plan *p)
{
	j_open(j, "devices", '[');
	EACH(s, p, STEP_MKNOD) {
		j_open(j, NULL, '{');
		j_str(j, "path", s->u.mknod.path);
		j_str(j, "type", "c");
		j_num(j, "major", s->u.mknod.major);
		j_num(j, "minor", s->u.mknod.minor);
		j_num(j, "fileMode", s->u.mknod.mode);
		j_num(j, "uid", 0);
		j_num(j, "gid", 0);
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void masks(struct json *j, const struct plan *p, const char *key, bool readonly)
{
	j_open(j, key, '[');
	EACH(s, p, STEP_MASK)
		if ((s->u.mask.how == MASK_READONLY) == readonly)
			j_str(j, NULL, s->u.mask.target);
	j_close(j, ']');
}

/* The row of the resource table that writes file on this layout. */
static const struct res_file *res_row(const struct plan *p, const char *file)
{
	for (size_t i = 0; i < n_res_keys; i++) {
		const struct res_file *f = p->layout == CG_UNIFIED ? res_keys[i].v2 : res_keys[i].v1;

		for (size_t k = 0; k < RES_FILES && f[k].file; k++)
			if (strcmp(f[k].file, file) == 0)
				return &f[k];
	}
	return NULL;
}

/* The OCI values of one group ("memory", "cpu", "pids", or
 * OCI_UNIFIED): each file the plan writes whose row names the group. */
static void res_group(struct json *j, const struct plan *p, const char *group)
{
	size_t len = strlen(group);
	bool open = false;

	EACH(s, p, STEP_CG_WRITE) {
		const struct res_file *f = res_row(p, s->u.cg_write.file);
		const char *field;

		if (!f || !f->oci || strncmp(f->oci, group, len) != 0 ||
		    (f->oci[len] != '.' && f->oci[len] != '\0'))
			continue;
		if (!open)
			j_open(j, group, '{');
		open = true;
		field = f->oci[len] ? f->oci + len + 1 : s->u.cg_write.file;
		/* The CPU and memory-node lists, and unified's files, are
		 * strings; the rest numbers, as the kernel's decimal text. */
		if (!f->oci[len] || strcmp(field, "cpus") == 0 || strcmp(field, "mems") == 0) {
			j_str(j, field, s->u.cg_write.value);
		} else {
			j_item(j, field);
			fputs(s->u.cg_write.value, j->out);
		}
	}
	if (open)
		j_close(j, '}');
}

/* The device policy, deny all and allow the table's rules, where the
 * plan applies it. */
static void res_devices(struct json *j, const struct plan *p)
{
	if (!next_of(p, STEP_DEVICES, NULL))
		return;
	j_open(j, "devices", '[');
	j_open(j, NULL, '{');
	j_bool(j, "allow", false);
	j_str(j, "access", "rwm");
	j_close(j, '}');
	for (size_t i = 0; i < n_dev_rules; i++) {
		j_open(j, NULL, '{');
		j_bool(j, "allow", true);
		j_str(j, "type", "c");
		j_num(j, "major", dev_rules[i].major);
		if (dev_rules[i].minor >= 0)
			j_num(j, "minor", (unsigned)dev_rules[i].minor);
		j_str(j, "access", "rwm");
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void resources(struct json *j, const struct plan *p)
{
	static const char *const groups[] = { "memory", "cpu", "pids", OCI_UNIFIED };

	j_open(j, "resources", '{');
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		res_group(j, p, groups[i]);
	res_devices(j, p);
	j_close(j, '}');
}

static const char *action_name(enum sc_action a)
{
	/* The name every runtime knows for "kill the thread". */
	return a == SC_KILL_THREAD ? "SCMP_ACT_KILL" : sc_action_name(a);
}

static void seccomp_rule(struct json *j, const struct sc_rule *r)
{
	j_open(j, NULL, '{');
	j_open(j, "names", '[');
	for (size_t i = 0; i < r->n_names; i++)
		j_str(j, NULL, r->names[i]);
	j_close(j, ']');
	j_str(j, "action", action_name(r->action));
	if (r->action == SC_ERRNO || r->action == SC_TRACE)
		j_num(j, "errnoRet", r->errno_ret);
	if (r->n_args) {
		j_open(j, "args", '[');
		for (size_t i = 0; i < r->n_args; i++) {
			j_open(j, NULL, '{');
			j_num(j, "index", r->args[i].index);
			j_num(j, "value", r->args[i].value);
			j_num(j, "valueTwo", r->args[i].value_two);
			j_str(j, "op", sc_op_name(r->args[i].op));
			j_close(j, '}');
		}
		j_close(j, ']');
	}
	j_close(j, '}');
}

/* The filter: the spec's profile, or the default one for the final
 * capabilities, resolved here as the run resolves it. No architecture
 * listed means the native one alone, for ctlaunch as for libseccomp in
 * a runtime. */
static void seccomp(struct json *j, const struct plan *p)
{
	const struct step *s = last_of(p, STEP_SECCOMP);
	struct sc_default *d;
	const struct sc_profile *prof;

	if (!s)
		return;
	d = xmalloc(sizeof *d);
	sc_default_profile(s->u.seccomp.caps, d);
	prof = s->u.seccomp.profile ? s->u.seccomp.profile : &d->p;
	j_open(j, "seccomp", '{');
	j_str(j, "defaultAction", action_name(prof->default_action));
	if (prof->default_action == SC_ERRNO)
		j_num(j, "defaultErrnoRet", prof->default_errno);
	if (prof->n_archs) {
		j_open(j, "architectures", '[');
		for (size_t i = 0; i < prof->n_archs; i++)
			j_str(j, NULL, prof->archs[i]);
		j_close(j, ']');
	}
	j_open(j, "syscalls", '[');
	for (size_t i = 0; i < prof->n_rules; i++)
		seccomp_rule(j, &prof->rules[i]);
	j_close(j, ']');
	j_close(j, '}');
	free(d);
}

static void linux_section(struct json *j, const struct plan *p, const char *cgroups_path)
{
	j_open(j, "linux", '{');
	namespaces(j, p);
	idmaps(j, p, 'u', "uidMappings");
	idmaps(j, p, 'g', "gidMappings");
	devices(j, p);
	/* No cgroup of its own (a rootless run on v1): none for the
	 * runtime either. */
	if (next_of(p, STEP_CG_MKDIR, NULL))
		j_str(j, "cgroupsPath", cgroups_path);
	resources(j, p);
	seccomp(j, p);
	/* ctlaunch's first mount: / rprivate, before any other. */
	j_str(j, "rootfsPropagation", "rprivate");
	masks(j, p, "maskedPaths", false);
	masks(j, p, "readonlyPaths", true);
	j_close(j, '}');
}

char *oci_cgroups_path(const char *cgroup_parent, const char *name)
{
	const char *parent = cgroup_parent && strcmp(cgroup_parent, "/") != 0 ? cgroup_parent : "";

	return xasprintf("%s/ctlaunch/%s", parent, name);
}

/* The spec's keys a runtime has nothing for. */
static void unmapped_keys(const struct plan *p, const struct spec *spec, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (next_of(p, STEP_INIT_EXEC, NULL))
		len += (size_t)snprintf(buf + len, size - len, "%sinit", len ? ", " : "");
	if (spec->unsafe_paths && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%sunsafe_paths", len ? ", " : "");
	if (next_of(p, STEP_NET_NETNS, NULL) && len < size)
		len += (size_t)snprintf(buf + len, size - len,
					"%snetwork (a bridge: the runtime's namespace has lo only)",
					len ? ", " : "");
	/* OCI idmaps a mount (mounts[].uidMappings), never root: with
	 * userns: true the layers' idmap is left out, and the bundle's
	 * root is host root's files, owned by nobody in the container. */
	if (next_of(p, STEP_OVERLAY, NULL) && len < size)
		len += (size_t)snprintf(buf + len, size - len,
					"%srootfs.overlay (the bundle's root is the bottom layer, "
					"read-only%s)", len ? ", " : "",
					next_of(p, STEP_LAYERS_IDMAP, NULL)
						? ", not idmapped: OCI has no idmap for the root"
						: "");
	(void)len;
}

void oci_config(const struct plan *p, const struct spec *spec, const char *cgroups_path,
		FILE *out, char *unmapped, size_t size)
{
	struct json j = { .out = out, .first = true };
	const struct step *h = last_of(p, STEP_HOSTNAME);
	const struct step *ro = NULL;

	EACH(s, p, STEP_MOUNT)
		if ((s->u.mount.flags & MS_REMOUNT) && strcmp(s->u.mount.target, "/") == 0)
			ro = s;
	fputc('{', out);
	j.depth = 1;
	j_str(&j, "ociVersion", "1.0.2");
	process(&j, p);
	j_open(&j, "root", '{');
	j_str(&j, "path", spec->rootfs);
	/* An overlay's bottom layer is never written, by a runtime either. */
	j_bool(&j, "readonly", (ro && (ro->u.mount.flags & MS_RDONLY)) ||
				       next_of(p, STEP_OVERLAY, NULL));
	j_close(&j, '}');
	if (h)
		j_str(&j, "hostname", h->u.hostname.name);
	mounts(&j, p);
	linux_section(&j, p, cgroups_path);
	fputs("\n}\n", out);
	unmapped_keys(p, spec, unmapped, size);
}
