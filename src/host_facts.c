/* Host facts as data: the text of /proc/self/mountinfo,
 * /proc/self/cgroup, cgroup.controllers and /etc/subuid made into a
 * struct host, and the facts files of the golden tests (--host-facts).
 * Pure (src/LAYERS): host.c reads the files, here they are only text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "util.h"

const char *const cg_ctrl_name[CTRL__N] = {
	[CTRL_MEMORY] = "memory",
	[CTRL_CPU] = "cpu",
	[CTRL_CPUSET] = "cpuset",
	[CTRL_PIDS] = "pids",
};

void host_free(struct host *h)
{
	free(h->cgroup_root);
	free(h->cg_own);
	free(h->runtime_dir);
	for (size_t i = 0; i < h->n_hier; i++) {
		free(h->hier[i].mount);
		free(h->hier[i].own);
		free(h->hier[i].data);
	}
	for (int c = 0; c < CTRL__N; c++) {
		free(h->ctrl[c].mount);
		free(h->ctrl[c].own);
		free(h->ctrl[c].controllers);
	}
	memset(h, 0, sizeof *h);
}

/* Is word one of the comma-separated items of list? ("cpu" is in
 * "rw,cpu,cpuacct" but not in "rw,cpuset"). */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == n && strncmp(p, word, n) == 0)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The controllers among a v1 mount's super options ("rw,cpu,cpuacct"
 * -> "cpu,cpuacct"): mounting the hierarchy again needs exactly them.
 * with_name: and its name= option, last, as /proc/self/cgroup has it
 * ("name=systemd"): a named hierarchy is mounted again by its name. */
static char *controllers_of(const char *superopts, bool with_name)
{
	static const char *const not_controllers[] = {
		"rw", "ro", "clone_children", "noprefix", "xattr", "cpuset_v2_mode",
	};
	cleanup_free char *copy = xstrdup(superopts);
	size_t size = strlen(superopts) + 1, len = 0;
	char *out = xcalloc(1, size), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool skip = (!with_name && strncmp(t, "name=", 5) == 0) ||
			    strncmp(t, "release_agent=", 14) == 0;

		for (size_t i = 0; i < sizeof not_controllers / sizeof not_controllers[0]; i++)
			skip = skip || strcmp(t, not_controllers[i]) == 0;
		if (!skip)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", t);
	}
	return out;
}

/* The root field of a v1 mount: non-"/" when the hierarchy is mounted
 * from inside a cgroup namespace or bind-mounted from a subtree. Kept so
 * /proc/self/cgroup paths can be made relative to the mount. */
struct mount_root {
	char *root[CTRL__N];
	char *v2root;
};

/* Another hierarchy (see struct host_hier), the first mount of it; its
 * mount root is kept in own until /proc/self/cgroup is read. */
static void add_hier(struct host *h, const char *mnt, const char *root, char *data)
{
	for (size_t i = 0; i < h->n_hier; i++)
		if (data ? h->hier[i].data && strcmp(h->hier[i].data, data) == 0 : !h->hier[i].data) {
			free(data);
			return;
		}
	if (h->n_hier == HOST_HIER_MAX) {
		free(data);
		return;
	}
	h->hier[h->n_hier++] = (struct host_hier){ xstrdup(mnt), xstrdup(root), data };
}

static int parse_mountinfo_line(struct host *h, char *line, struct mount_root *mr)
{
	/* id parent major:minor root mountpoint opts [optional...] - fstype source superopts */
	char *save = NULL, *f[5];
	int i;

	for (i = 0; i < 5; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!f[i])
			return -1;
	}
	char *tok, *fstype = NULL, *superopts = NULL;

	while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-") != 0)
		;
	if (!tok)
		return -1;
	fstype = strtok_r(NULL, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	superopts = strtok_r(NULL, " \n", &save);
	if (!fstype || !superopts)
		return -1;

	char *root = f[3], *mnt = f[4];

	unescape_octal(root);
	unescape_octal(mnt);
	if (strcmp(fstype, "cgroup2") == 0) {
		if (strcmp(mnt, "/sys/fs/cgroup") == 0 && !mr->v2root) {
			h->layout = CG_UNIFIED;
			mr->v2root = xstrdup(root);
		} else if (h->layout != CG_UNIFIED) {
			h->layout = CG_HYBRID;
			add_hier(h, mnt, root, NULL);
		}
		return 0;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return 0;
	bool ours = false;

	for (int c = 0; c < CTRL__N; c++) {
		if (!in_list(superopts, cg_ctrl_name[c]))
			continue;
		ours = true;
		/* The first mount of a hierarchy wins; later ones are binds. */
		if (h->ctrl[c].mount)
			continue;
		h->ctrl[c].mount = xstrdup(mnt);
		h->ctrl[c].controllers = controllers_of(superopts, false);
		mr->root[c] = xstrdup(root);
	}
	if (!ours)
		add_hier(h, mnt, root, controllers_of(superopts, true));
	return 0;
}

int host_parse_mountinfo(struct host *h, const char *text, struct ct_err *e)
{
	cleanup_free char *copy = xstrdup(text);
	struct mount_root mr = { 0 };
	enum cg_layout found_v2 = CG_NONE;
	char *save = NULL;
	int bad = 0;

	h->layout = CG_NONE;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (parse_mountinfo_line(h, line, &mr) < 0)
			bad = 1;
	found_v2 = h->layout;
	if (found_v2 == CG_UNIFIED) {
		/* One hierarchy for every controller; which of them our cgroup
		 * may use is for host_v2_available() to say. */
		for (int c = 0; c < CTRL__N; c++) {
			free(h->ctrl[c].mount);
			free(h->ctrl[c].controllers);
			free(mr.root[c]);
			h->ctrl[c].mount = xstrdup("/sys/fs/cgroup");
			h->ctrl[c].controllers = NULL;
			mr.root[c] = xstrdup(mr.v2root);
		}
		/* Only the one hierarchy: a v1 one kept beside it for old
		 * tools is not the container's business here. */
		for (size_t i = 0; i < h->n_hier; i++) {
			free(h->hier[i].mount);
			free(h->hier[i].own);
			free(h->hier[i].data);
		}
		h->n_hier = 0;
	}
	free(mr.v2root);

	int any_v1 = 0;

	for (int c = 0; c < CTRL__N; c++)
		any_v1 |= h->ctrl[c].mount != NULL;
	if (found_v2 == CG_UNIFIED)
		h->layout = CG_UNIFIED;
	else if (any_v1)
		h->layout = found_v2 == CG_HYBRID ? CG_HYBRID : CG_V1;
	else
		h->layout = CG_NONE;

	/* Stash the mount roots in own until /proc/self/cgroup is read. */
	for (int c = 0; c < CTRL__N; c++) {
		free(h->ctrl[c].own);
		h->ctrl[c].own = mr.root[c];
	}
	if (bad)
		return ct_fail(e, 0, "/proc/self/mountinfo: unexpected line format");
	return 0;
}

/* Make path relative to the hierarchy's mount root: a process in
 * /lab/x seen through a mount of /lab is at /x under the mount point. */
static char *relative_to_root(const char *path, const char *root)
{
	size_t n = root ? strlen(root) : 0;

	if (!root || strcmp(root, "/") == 0)
		return xstrdup(path);
	if (strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return xstrdup(path[n] ? path + n : "/");
	return xstrdup(path);
}

/* Do the comma-separated lists a and b hold the same items? */
static bool same_list(const char *a, const char *b)
{
	size_t na = 0, nb = 0;

	for (const char *p = a; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		na++;
	for (const char *p = b; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t n = strcspn(p, ",");
		char item[64];

		if (n >= sizeof item)
			return false;
		memcpy(item, p, n);
		item[n] = '\0';
		if (!in_list(a, item))
			return false;
		nb++;
	}
	return na == nb;
}

/* Our cgroup in each other hierarchy: the /proc/self/cgroup line whose
 * controller list is the hierarchy's ("" for cgroup2); one we are not
 * listed in is dropped. */
static void hier_own(struct host *h, const char *text)
{
	size_t kept = 0;

	for (size_t i = 0; i < h->n_hier; i++) {
		struct host_hier *hh = &h->hier[i];
		cleanup_free char *copy = xstrdup(text);
		char *save = NULL, *found = NULL;

		for (char *line = strtok_r(copy, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save)) {
			char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

			if (!c2)
				continue;
			*c2 = '\0';
			if (hh->data ? same_list(c1 + 1, hh->data) : c1[1] == '\0')
				found = relative_to_root(c2 + 1, hh->own);
		}
		free(hh->own);
		hh->own = found;
		if (!found) {
			free(hh->mount);
			free(hh->data);
			continue;
		}
		h->hier[kept++] = *hh;
	}
	h->n_hier = kept;
}

int host_parse_proc_cgroup(struct host *h, const char *text, struct ct_err *e)
{
	cleanup_free char *copy = xstrdup(text);
	char *own[CTRL__N] = { 0 }, *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* hierarchy-id:controller-list:path; the path may hold ':' */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			return ct_fail(e, 0, "/proc/self/cgroup: unexpected line '%s'", line);
		*c2 = '\0';
		for (int c = 0; c < CTRL__N; c++) {
			/* v2 is the line "0::/path": every controller's place. */
			bool here = h->layout == CG_UNIFIED ? strcmp(line, "0:") == 0
							    : in_list(c1 + 1, cg_ctrl_name[c]);

			if (!own[c] && here)
				own[c] = c2 + 1;
		}
	}
	if (h->layout == CG_UNIFIED && own[0]) {
		free(h->cg_own);
		h->cg_own = relative_to_root(own[0], h->ctrl[0].own);
	}
	hier_own(h, text);
	for (int c = 0; c < CTRL__N; c++) {
		if (!h->ctrl[c].mount)
			continue;
		if (!own[c]) {
			/* Mounted but we are not listed in it: treat as absent. */
			free(h->ctrl[c].mount);
			free(h->ctrl[c].own);
			free(h->ctrl[c].controllers);
			memset(&h->ctrl[c], 0, sizeof h->ctrl[c]);
			continue;
		}
		char *rel = relative_to_root(own[c], h->ctrl[c].own);

		free(h->ctrl[c].own);
		h->ctrl[c].own = rel;
	}
	return 0;
}

void host_v2_available(struct host *h, const char *text)
{
	cleanup_free char *list = xstrdup(text);

	/* "cpuset cpu io memory pids\n" -> "cpuset,cpu,io,memory,pids" */
	for (char *c = list; *c; c++)
		if (*c == ' ' || *c == '\n')
			*c = ',';
	for (int c = 0; c < CTRL__N; c++) {
		if (in_list(list, cg_ctrl_name[c]))
			continue;
		free(h->ctrl[c].mount);
		free(h->ctrl[c].own);
		free(h->ctrl[c].controllers);
		memset(&h->ctrl[c], 0, sizeof h->ctrl[c]);
	}
}

struct id_range host_parse_subid(const char *text, const char *user, uint32_t id)
{
	cleanup_free char *copy = xstrdup(text);
	char idstr[16], *save = NULL;

	snprintf(idstr, sizeof idstr, "%u", id);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *rest = line, *who = strsep(&rest, ":"), *start = strsep(&rest, ":");
		uint64_t s, n;

		/* name:start:count, where name may also be the uid. */
		if (!rest || (strcmp(who, idstr) != 0 && (!user || strcmp(who, user) != 0)))
			continue;
		if (parse_uint(start, 0, UINT32_MAX, &s) < 0 || parse_uint(rest, 1, UINT32_MAX, &n) < 0 ||
		    s + n > (uint64_t)UINT32_MAX + 1)
			continue;
		return (struct id_range){ (uint32_t)s, (uint32_t)n };
	}
	return (struct id_range){ 0, 0 };
}

static int set_layout(struct host *h, const char *v)
{
	static const char *const names[] = {
		[CG_NONE] = "none", [CG_V1] = "v1", [CG_HYBRID] = "hybrid",
		[CG_UNIFIED] = "unified",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i]) == 0) {
			h->layout = (enum cg_layout)i;
			return 0;
		}
	return -1;
}

static int facts_line(struct host *h, char *line)
{
	char *save = NULL, *key = strtok_r(line, " \t", &save);
	char *v1 = strtok_r(NULL, " \t", &save), *v2 = strtok_r(NULL, " \t", &save);
	char *v3 = strtok_r(NULL, " \t", &save);
	uint64_t n;

	if (!key || *key == '#')
		return 0;
	if (!v1)
		return -1;
	if (strcmp(key, "layout") == 0)
		return set_layout(h, v1);
	if (strcmp(key, "cg_own") == 0) {
		free(h->cg_own);
		h->cg_own = xstrdup(v1);
		return 0;
	}
	if (strcmp(key, "cgroup_root") == 0) {
		free(h->cgroup_root);
		h->cgroup_root = xstrdup(v1);
		return 0;
	}
	if (strcmp(key, "memsw") == 0)
		return h->memsw = strcmp(v1, "1") == 0, 0;
	if (strcmp(key, "kmem_tcp") == 0)
		return h->kmem_tcp = strcmp(v1, "1") == 0, 0;
	if (strcmp(key, "hierarchy") == 0) {
		if (!v2 || h->n_hier == HOST_HIER_MAX)
			return -1;
		h->hier[h->n_hier++] = (struct host_hier){ xstrdup(v1), xstrdup(v2),
							   v3 ? xstrdup(v3) : NULL };
		return 0;
	}
	if (strcmp(key, "online_cpus") == 0)
		return parse_cpulist(v1, &h->online_cpus);
	if (strcmp(key, "online_mems") == 0)
		return parse_cpulist(v1, &h->online_mems);
	if (strcmp(key, "euid") == 0 || strcmp(key, "egid") == 0) {
		if (parse_uint(v1, 0, UINT32_MAX, &n) < 0)
			return -1;
		if (key[1] == 'u')
			h->euid = (uid_t)n;
		else
			h->egid = (gid_t)n;
		return 0;
	}
	if (strcmp(key, "cg_writable") == 0)
		return h->cg_writable = strcmp(v1, "1") == 0, 0;
	if (strcmp(key, "clone_into_cgroup") == 0)
		return h->clone_into_cgroup = strcmp(v1, "1") == 0, 0;
	if (strcmp(key, "newidmap") == 0)
		return h->newidmap = strcmp(v1, "1") == 0, 0;
	if (strcmp(key, "subuid") == 0 || strcmp(key, "subgid") == 0 ||
	    strcmp(key, "userns_uid") == 0 || strcmp(key, "userns_gid") == 0) {
		struct id_range *r = key[0] == 's' ? (key[3] == 'u' ? &h->subuid : &h->subgid)
						   : (key[7] == 'u' ? &h->userns_uid : &h->userns_gid);
		uint64_t count;

		if (!v2 || parse_uint(v1, 0, UINT32_MAX, &n) < 0 ||
		    parse_uint(v2, 1, UINT32_MAX, &count) < 0)
			return -1;
		*r = (struct id_range){ (uint32_t)n, (uint32_t)count };
		return 0;
	}
	for (int c = 0; c < CTRL__N; c++) {
		if (strcmp(key, cg_ctrl_name[c]) != 0)
			continue;
		if (!v2)
			return -1;
		free(h->ctrl[c].mount);
		free(h->ctrl[c].own);
		free(h->ctrl[c].controllers);
		h->ctrl[c].mount = xstrdup(v1);
		h->ctrl[c].own = xstrdup(v2);
		h->ctrl[c].controllers = xstrdup(v3 ? v3 : cg_ctrl_name[c]);
		return 0;
	}
	return -1;
}

int host_parse_facts(struct host *h, const char *text, const char *file, struct ct_err *e)
{
	cleanup_free char *copy = xstrdup(text);
	unsigned lineno = 0;

	memset(h, 0, sizeof *h);
	h->cgroup_root = xstrdup("/sys/fs/cgroup");
	h->cg_writable = true;
	h->userns_uid = h->userns_gid = (struct id_range){ CT_USERNS_START, CT_USERNS_COUNT };
	for (char *p = copy, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (facts_line(h, p) < 0)
			return ct_fail(e, 0, "%s:%u: bad host fact '%s'", file, lineno, p);
	}
	return 0;
}
