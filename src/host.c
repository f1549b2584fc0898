/* Probe the host once: cgroup layout, where each controller we use is
 * mounted and which cgroup we run in, the online CPUs and memory nodes.
 * The reading is here (src/LAYERS: probe); what the text read means is
 * host_facts.c's, pure, which the unit tests feed by hand. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fileio.h"
#include "host.h"
#include "util.h"

static int read_list(const char *path, const char *fallback, struct cpuset *out,
		     struct ct_err *e)
{
	cleanup_free char *text = read_text(path, e);
	char *nl;

	if (!text) {
		if (!fallback)
			return -1;
		return parse_cpulist(fallback, out);
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	if (parse_cpulist(text, out) < 0)
		return ct_fail(e, 0, "%s: cannot parse '%s'", path, text);
	return 0;
}

/* Linux release at least major.minor? */
static bool kernel_at_least(unsigned major, unsigned minor)
{
	struct utsname u;
	unsigned a, b;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &a, &b) != 2)
		return false;
	return a > major || (a == major && b >= minor);
}

/* Which controllers we may use, and whether we may make cgroups in our
 * own: root may enable any the kernel has down the path from the root
 * cgroup; a user only what its cgroup was given, where it was delegated
 * (chowned to it, as systemd does for Delegate=yes). */
static void probe_v2(struct host *h)
{
	const char *own = h->cg_own;
	cleanup_free char *dir = NULL, *file = NULL, *text = NULL;
	struct ct_err ignored = { 0 };

	if (!own)
		return;
	dir = path_join("/sys/fs/cgroup", own);
	file = path_join(h->euid == 0 ? "/sys/fs/cgroup" : dir, "cgroup.controllers");
	text = read_text(file, &ignored);
	host_v2_available(h, text ? text : "");
	h->clone_into_cgroup = kernel_at_least(5, 7);
	if (h->euid != 0) {
		cleanup_free char *procs = path_join(dir, "cgroup.procs");
		cleanup_free char *subtree = path_join(dir, "cgroup.subtree_control");

		h->cg_writable = access(dir, W_OK) == 0 && access(procs, W_OK) == 0 &&
				 access(subtree, W_OK) == 0;
	}
}

/* The user's name and group in the host's /etc/passwd (read here
 * rather than through NSS: the static build has none), for /etc/subuid
 * and for what newuidmap and newgidmap will check. */
static char *user_entry(uid_t uid, gid_t *gid)
{
	struct ct_err ignored = { 0 };
	cleanup_free char *text = read_text("/etc/passwd", &ignored);
	char *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *name = strsep(&rest, ":");
		uint64_t id, g;

		(void)strsep(&rest, ":");
		if (!rest || parse_uint(strsep(&rest, ":"), 0, UINT32_MAX, &id) < 0 || id != uid ||
		    !rest || parse_uint(strsep(&rest, ":"), 0, UINT32_MAX, &g) < 0)
			continue;
		*gid = (gid_t)g;
		return xstrdup(name);
	}
	return NULL;
}

/* A range the kernel and the helpers will take: not over the user's
 * own id or 0 (mapped already: the kernel refuses overlaps), and ending
 * below 2^32 - 1, which is no id. */
static bool range_usable(struct id_range r, uint32_t self)
{
	uint64_t end = (uint64_t)r.start + r.count;

	return r.count && end <= UINT32_MAX && r.count < UINT32_MAX && r.start > 0 &&
	       !(self >= r.start && self < end);
}

/* newuidmap and newgidmap work by privileges they gain at exec: a set-
 * user-ID bit or file capabilities, which no_new_privs and a nosuid
 * mount take away. */
static bool helpers_can_work(void)
{
	static const char *const helpers[] = { "/usr/bin/newuidmap", "/usr/bin/newgidmap" };

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return false;
	for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++) {
		struct stat st;
		struct statvfs sv;

		if (stat(helpers[i], &st) < 0 || statvfs(helpers[i], &sv) < 0 || (sv.f_flag & ST_NOSUID))
			return false;
		if (!(st.st_mode & S_ISUID) &&
		    getxattr(helpers[i], "security.capability", NULL, 0) <= 0)
			return false;
	}
	return true;
}

/* The user's own runtime directory (systemd-logind's /run/user/UID,
 * mode 0700): where a lock no other user can take may live. */
static char *runtime_dir(uid_t uid)
{
	char *dir = xasprintf("/run/user/%u", (unsigned)uid);
	struct stat st;

	if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid && !(st.st_mode & 077))
		return dir;
	free(dir);
	return NULL;
}

static void probe_rootless(struct host *h)
{
	gid_t pw_gid = 0;
	cleanup_free char *name = user_entry(h->euid, &pw_gid);
	cleanup_free char *subuid = NULL, *subgid = NULL;
	struct ct_err ignored = { 0 };

	h->newidmap = access("/usr/bin/newuidmap", X_OK) == 0 &&
		      access("/usr/bin/newgidmap", X_OK) == 0;
	subuid = read_text("/etc/subuid", &ignored);
	subgid = read_text("/etc/subgid", &ignored);
	if (subuid)
		h->subuid = host_parse_subid(subuid, name, h->euid);
	if (subgid)
		h->subgid = host_parse_subid(subgid, name, h->euid);
	if (!h->subuid.count || !h->subgid.count)
		h->subids_why = "no range for the user in /etc/subuid and /etc/subgid";
	else if (!h->newidmap)
		h->subids_why = "no /usr/bin/newuidmap and /usr/bin/newgidmap (Debian: uidmap)";
	else if (!name)
		h->subids_why = "the user is not in /etc/passwd, which newuidmap needs";
	else if (h->egid != pw_gid)
		h->subids_why = "the group is not the user's own of /etc/passwd, as newgidmap wants";
	else if (!helpers_can_work())
		h->subids_why = "newuidmap cannot gain its privileges here (no_new_privs is set, "
				"its file system is nosuid, or it is neither set-user-ID nor has capabilities)";
	else if (!range_usable(h->subuid, h->euid) || !range_usable(h->subgid, h->egid))
		h->subids_why = "the range in /etc/subuid or /etc/subgid holds the user's own id, "
				"0, or ids past 4294967294";
	if (h->subids_why)
		h->subuid = h->subgid = (struct id_range){ 0, 0 };
	h->runtime_dir = runtime_dir(h->euid);
}

/* A range for root's user namespaces must leave out host root, and fit. */
static struct id_range userns_range(const char *file)
{
	cleanup_free char *text = NULL;
	struct ct_err ignored = { 0 };
	struct id_range r = { 0, 0 };

	text = read_text(file, &ignored);
	if (text)
		r = host_parse_subid(text, CT_USERNS_USER, UINT32_MAX);
	if (r.start == 0 || (uint64_t)r.start + r.count > UINT32_MAX)
		r = (struct id_range){ CT_USERNS_START, CT_USERNS_COUNT };
	return r;
}

int host_probe(struct host *h, struct ct_err *e)
{
	cleanup_free char *mi = NULL, *cg = NULL;

	memset(h, 0, sizeof *h);
	h->euid = geteuid();
	h->egid = getegid();
	h->cg_writable = h->euid == 0;
	h->real = true;
	h->cgroup_root = xstrdup("/sys/fs/cgroup");
	mi = read_text("/proc/self/mountinfo", e);
	if (!mi)
		return -1;
	cg = read_text("/proc/self/cgroup", e);
	if (!cg)
		return -1;
	if (host_parse_mountinfo(h, mi, e) < 0 || host_parse_proc_cgroup(h, cg, e) < 0)
		return -1;
	if (h->ctrl[CTRL_MEMORY].mount) {
		cleanup_free char *dir = path_join(h->ctrl[CTRL_MEMORY].mount, h->ctrl[CTRL_MEMORY].own);
		cleanup_free char *f = path_join(dir, "memory.memsw.limit_in_bytes");
		cleanup_free char *tcp = path_join(dir, "memory.kmem.tcp.limit_in_bytes");

		h->memsw = access(f, F_OK) == 0;
		h->kmem_tcp = h->layout != CG_UNIFIED && access(tcp, F_OK) == 0;
	}
	if (h->layout == CG_UNIFIED)
		probe_v2(h);
	if (h->euid != 0) {
		probe_rootless(h);
	} else {
		h->userns_uid = userns_range("/etc/subuid");
		h->userns_gid = userns_range("/etc/subgid");
	}
	if (read_list("/sys/devices/system/cpu/online", NULL, &h->online_cpus, e) < 0)
		return -1;
	/* Kernels without NUMA have no node directory: node 0 is all there is. */
	if (read_list("/sys/devices/system/node/online", "0", &h->online_mems, e) < 0)
		return -1;
	return 0;
}

int host_load_facts(struct host *h, const char *path, struct ct_err *e)
{
	cleanup_free char *text = read_text(path, e);

	memset(h, 0, sizeof *h);
	if (!text)
		return -1;
	return host_parse_facts(h, text, path, e);
}
