/* The host's and the invocation's refusals of a spec, all of them in one
 * pass (see policy.h). Pure: no system call, nothing read. */
#include <string.h>

#include "caps.h"
#include "policy.h"
#include "resources.h"

static const struct ct_loc nowhere;

bool policy_uses(const struct spec *spec, enum cg_ctrl c)
{
	for (size_t i = 0; i < n_res_keys; i++)
		if (res_keys[i].ctrl == c && res_has(spec, &res_keys[i]))
			return true;
	return false;
}

/* The spec key that first asks for controller c (in the table's order),
 * and where; only where policy_uses() says one does. */
static struct ct_loc first_use(const struct spec *spec, enum cg_ctrl c, const char **key)
{
	for (size_t i = 0; i < n_res_keys; i++)
		if (res_keys[i].ctrl == c && res_has(spec, &res_keys[i])) {
			*key = res_keys[i].key;
			return res_at(spec, &res_keys[i]);
		}
	*key = NULL;
	return nowhere;
}

/* Rootless: the caller becomes root in a new user namespace. Alone, an
 * ordinary user may map only itself (and must deny setgroups first);
 * newuidmap and newgidmap, setuid root, add the subordinate ranges that
 * /etc/subuid and /etc/subgid grant it, mapped from 1 up. */
bool policy_subids(const struct host *h)
{
	return h->newidmap && h->subuid.count && h->subgid.count;
}

/* Root's user namespace (userns: true) maps 0..count-1 to its range; a
 * rootless run maps 0 to the caller and 1.. to its subordinate range. */
bool policy_id_mapped(const struct spec *spec, const struct host *h, uint32_t id, bool gid)
{
	const struct id_range *r;

	if (h->euid == 0 && !spec->userns)
		return true;
	if (h->euid == 0)
		return id < (gid ? h->userns_gid.count : h->userns_uid.count);
	r = gid ? &h->subgid : &h->subuid;
	return id == 0 || (policy_subids(h) && id - 1 < r->count);
}

/* A directory on descriptor 0, 1 or 2 would be the command's: through
 * /proc/self/fd/N it reaches the host's tree, and a rootfs link to it
 * had ctlaunch make mount points on the host (the class of
 * CVE-2024-21626). main sees it (one fstat each) and says which. */
static void check_stdio(const struct spec *spec, const struct plan_opts *o, struct ct_diags *d)
{
	int fd = o->stdio_dir - 1;

	if (o->stdio_dir)
		ct_diag(d, spec->file, nowhere, NULL,
			"descriptor %d is a directory: through /proc/self/fd/%d the container would "
			"reach the host's files (give it a file, a pipe or a terminal)", fd, fd);
}

/* The spec's user: must exist in the user namespace, uid and gid. */
static void check_user_mapped(const struct spec *spec, const struct host *h, struct ct_diags *d)
{
	for (int g = 0; g < 2 && spec->user; g++) {
		uint32_t id = g ? spec->gid : spec->uid;
		const char *what = g ? "gid" : "uid";

		if (policy_id_mapped(spec, h, id, g))
			continue;
		if (h->euid == 0)
			ct_diag(d, spec->file, spec->user_at, "user",
				"%s %u is not mapped in the container's user namespace (userns: true "
				"maps ids 0 to %u; see ctlaunch(1), USER NAMESPACE)", what, id,
				(g ? h->userns_gid.count : h->userns_uid.count) - 1);
		else if (policy_subids(h))
			ct_diag(d, spec->file, spec->user_at, "user",
				"%s %u is not mapped in a rootless run by uid %u (it is past the range of "
				"/etc/sub%cid; see ctlaunch(1), ROOTLESS)", what, id, (unsigned)h->euid,
				g ? 'g' : 'u');
		else
			ct_diag(d, spec->file, spec->user_at, "user",
				"%s %u is not mapped in a rootless run by uid %u: only 0 is, as there are "
				"no subordinate ids (%s; see ctlaunch(1), ROOTLESS)", what, id,
				(unsigned)h->euid, h->subids_why ? h->subids_why : "none in the host facts");
	}
}

/* Each resource key the spec sets, in the order of the file: for a
 * refusal of limits as a whole, one line a key. */
struct limit_key {
	struct ct_loc at;
	const char *key;
};

/* The file's places in order, then the --set arguments in theirs. */
static bool placed_before(struct ct_loc a, struct ct_loc b)
{
	if (!a.set != !b.set)
		return !a.set;
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

static size_t limit_keys(const struct spec *spec, struct limit_key *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < n_res_keys && n < max; i++) {
		struct ct_loc at = res_at(spec, &res_keys[i]);
		size_t j = n;

		if (!res_has(spec, &res_keys[i]))
			continue;
		/* Insertion by place: a handful of keys. */
		while (j > 0 && placed_before(at, out[j - 1].at)) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = (struct limit_key){ at, res_keys[i].key };
		n++;
	}
	return n;
}

/* Never a silent run without the limits the spec asked for (a run
 * without the default pids limit, where it cannot be had, is one: the
 * planner adds it only where the pids controller is there). An ordinary
 * user has cgroups of its own only where they are delegated to it. */
static bool check_rootless_limits(const struct spec *spec, const struct host *h,
				  const struct plan_opts *o, struct ct_diags *d)
{
	struct limit_key keys[16];
	size_t n;

	if (h->euid == 0 || (h->layout == CG_UNIFIED && (h->cg_writable || o->cgroup_parent)))
		return false;
	n = limit_keys(spec, keys, sizeof keys / sizeof keys[0]);
	for (size_t i = 0; i < n; i++) {
		if (h->layout != CG_UNIFIED)
			ct_diag(d, spec->file, keys[i].at, keys[i].key,
				"cannot be applied by an ordinary user (uid %u): cgroup v1 hierarchies "
				"cannot be delegated (run ctlaunch as root, or without limits)",
				(unsigned)h->euid);
		else
			ct_diag(d, spec->file, keys[i].at, keys[i].key,
				"cannot be applied by uid %u: its cgroup %s is not delegated to it (run "
				"ctlaunch under systemd-run --user --scope -p Delegate=yes, or as root)",
				(unsigned)h->euid, h->cg_own ? h->cg_own : "/");
	}
	return true;
}

/* Each controller a limit needs must be there: mounted (v1), or in the
 * cgroup.controllers of ctlaunch's cgroup (v2), where root finds what
 * the kernel has and an ordinary user what was delegated to it. */
static void check_controllers(const struct spec *spec, const struct host *h, struct ct_diags *d)
{
	for (int c = 0; c < CTRL__N; c++) {
		const char *key;
		struct ct_loc at = first_use(spec, (enum cg_ctrl)c, &key);

		if (!policy_uses(spec, (enum cg_ctrl)c) || h->ctrl[c].mount)
			continue;
		if (h->layout != CG_UNIFIED)
			ct_diag(d, spec->file, at, key, "the %s cgroup controller is not mounted on this host",
				cg_ctrl_name[c]);
		else if (h->euid == 0)
			ct_diag(d, spec->file, at, key,
				"this host's cgroup v2 has no %s controller (it is not in "
				"/sys/fs/cgroup/cgroup.controllers)", cg_ctrl_name[c]);
		else
			ct_diag(d, spec->file, at, key,
				"the %s controller is not delegated to ctlaunch's cgroup %s (the cgroup "
				"above it does not hand it down in cgroup.subtree_control)",
				cg_ctrl_name[c], h->cg_own ? h->cg_own : "/");
	}
}

/* A bridge, its veth pair and its addresses are made in the host's
 * network namespace, which takes CAP_NET_ADMIN there: root's. And
 * userns: true's container could not mount its sysfs in a namespace
 * ctlaunch made as host root (the kernel wants the network namespace's
 * owner for that). network: host shares the host's: said, not refused. */
static void check_network(const struct spec *spec, const struct host *h, struct ct_diags *d)
{
	if (spec->net.mode == NET_HOST)
		ct_warn(d, spec->file, spec->net.at, "network",
			"host: the container shares the host's network namespace: its interfaces, "
			"addresses, ports and abstract sockets (see ctlaunch(1), SECURITY)");
	if (spec->net.mode != NET_BRIDGE)
		return;
	if (h->euid != 0)
		ct_diag(d, spec->file, spec->net.at, "network",
			"a bridge needs root: ctlaunch makes the bridge and a veth pair in the host's "
			"network namespace, which takes CAP_NET_ADMIN there (rootless: use none or "
			"host)");
	else if (spec->userns)
		ct_diag(d, spec->file, spec->net.at, "network",
			"a bridge does not go with userns: true: the container's network namespace "
			"is made by host root, and the kernel lets only its owner mount its sysfs");
}

int policy_check(const struct spec *spec, const struct host *h, const struct plan_opts *o,
		 struct ct_diags *d)
{
	size_t before = d->n;

	check_stdio(spec, o, d);
	check_user_mapped(spec, h, d);
	check_network(spec, h, d);
	if (!check_rootless_limits(spec, h, o, d))
		check_controllers(spec, h, d);
	return d->n > before ? -1 : 0;
}

const char *policy_warning(const struct spec *spec, const struct host *h)
{
	uint64_t keep = ((CAPS_DEFAULT & ~spec->caps_drop) | spec->caps_add) & CAPS_KNOWN;

	/* v1 has no nsdelegate: a cgroup namespace's root is writable by
	 * whoever may write the files, and CAP_SYS_ADMIN mounts the
	 * hierarchy read-write again. Not in a user namespace of its own:
	 * the files are host root's, whose id it does not have. */
	/* And on any host, outside a user namespace of its own, the masks
	 * and read-only mounts of /proc are mounts it may unmount (the
	 * kernel locks them only across a user namespace): /proc/sys is
	 * then the host's, writable as host root (kernel.core_pattern runs
	 * a program of its choice). */
	if (h->euid != 0 || spec->userns || !(keep & CAPS_BIT(21)))
		return NULL;
	if (h->layout == CG_V1 || h->layout == CG_HYBRID)
		return "CAP_SYS_ADMIN on cgroup v1: the container can remount its cgroups "
		       "read-write and lift its own limits and device rules (v1 has no "
		       "nsdelegate), and, without userns: true, unmount the masks of /proc and "
		       "write /proc/sys as host root (see ctlaunch(1), SECURITY)";
	return "CAP_SYS_ADMIN without userns: true: the container can unmount the masks of "
	       "/proc and write /proc/sys as host root (see ctlaunch(1), SECURITY)";
}
