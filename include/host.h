/* Host facts: probed once by main (host.c), read-only afterwards, and
 * handed to the checker and the planner. Tests build them by hand, so a
 * fake v1 or v2 host needs no root and no kernel; the parsers of what
 * host.c reads are pure (host_facts.c). */
#ifndef CTLAUNCH_HOST_H
#define CTLAUNCH_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "util.h"

enum cg_layout {
	CG_NONE,      /* no cgroup hierarchy with any controller we use */
	CG_V1,        /* only cgroup v1 hierarchies */
	CG_HYBRID,    /* v1 controllers plus a cgroup2 mount without them */
	CG_UNIFIED,   /* /sys/fs/cgroup is cgroup2 */
};

enum cg_ctrl { CTRL_MEMORY, CTRL_CPU, CTRL_CPUSET, CTRL_PIDS, CTRL__N };

/* v1: one hierarchy per controller (or per group of them). v2: the one
 * hierarchy for all, and a controller is present only when our cgroup
 * may use it (it is in our cgroup.controllers). */
struct host_cgroup {
	char *mount;  /* where this controller's hierarchy is mounted; NULL: absent */
	char *own;    /* our cgroup in it, relative to the mount: "/" or "/a/b" */
	char *controllers; /* v1: of its hierarchy, "cpu,cpuacct"; mount data for it */
};

/* A subordinate id range from /etc/subuid or /etc/subgid; count 0: none. */
struct id_range {
	uint32_t start, count;
};

/* Every other hierarchy: v1 ones with none of the controllers above
 * (devices, freezer, blkio, ...), named ones (name=systemd) and, on a
 * hybrid host, the cgroup2 mount. The container gets a cgroup in each,
 * limits or not, so that its cgroup namespace's root is its own cgroup
 * in every hierarchy it could mount (issue 10 class 1, issue 15 class 3:
 * in a hierarchy it is not placed in, the root would be the host's, with
 * release_agent in it). */
#define HOST_HIER_MAX 16
struct host_hier {
	char *mount;  /* where it is mounted */
	char *own;    /* our cgroup in it, relative to the mount */
	char *data;   /* v1: the mount data, as /proc/self/cgroup names it
		       * ("freezer", "net_cls,net_prio", "name=systemd"); NULL: cgroup2 */
};

struct host {
	enum cg_layout layout;
	char *cgroup_root;                 /* "/sys/fs/cgroup": the lock's home */
	struct host_cgroup ctrl[CTRL__N];
	bool memsw;        /* v1: memory.memsw.* exists (swap accounting on) */
	bool kmem_tcp;     /* v1: memory.kmem.tcp.limit_in_bytes exists */
	struct host_hier hier[HOST_HIER_MAX];
	size_t n_hier;
	struct cpuset online_cpus;
	struct cpuset online_mems;
	uid_t euid;
	gid_t egid;

	/* cgroup v2 */
	char *cg_own;           /* our cgroup: "/" or "/a/b" */
	bool cg_writable;       /* euid may make cgroups in its own (delegated) */
	bool clone_into_cgroup; /* clone3 with CLONE_INTO_CGROUP (Linux 5.7) */

	/* Rootless (euid != 0) only: the user's first subordinate ranges,
	 * and whether newuidmap and newgidmap are there to map them. */
	struct id_range subuid, subgid;
	bool newidmap;
	const char *subids_why; /* why the ranges cannot be used; NULL: they can */
	char *runtime_dir;      /* /run/user/UID when it is the user's alone; or NULL */

	/* Root's containers with userns: true: the host ids that their ids
	 * 0..count-1 are. The first range of the user "ctlaunch" in
	 * /etc/subuid and /etc/subgid, else CT_USERNS_START. */
	struct id_range userns_uid, userns_gid;

	/* Probed from this machine, not loaded from a facts file: only then
	 * do the file modes on the rootfs's path say something. */
	bool real;
};

/* The host ids of root's user-namespace containers when /etc/subuid
 * names none for "ctlaunch": 0x7FFE0000, above the ranges that
 * useradd hands out (100000 up) and systemd's container ranges
 * (524288..1879048191), below 2^31. */
#define CT_USERNS_START 2147352576U
#define CT_USERNS_COUNT 65536U
#define CT_USERNS_USER "ctlaunch"

extern const char *const cg_ctrl_name[CTRL__N];

int host_probe(struct host *h, struct ct_err *e);
void host_free(struct host *h);
#define cleanup_host __attribute__((cleanup(host_free)))

/* Load host facts from a file instead of probing (the hidden
 * --host-facts option of the golden tests): one "key value" per line:
 * layout v1|hybrid|unified|none, cgroup_root DIR, memory|cpu|cpuset|pids
 * MOUNT OWN [CONTROLLERS], hierarchy MOUNT OWN [DATA] (no DATA: cgroup2),
 * memsw 0|1, kmem_tcp 0|1, online_cpus LIST, online_mems LIST,
 * euid N, egid N, cg_own PATH, cg_writable 0|1, clone_into_cgroup 0|1,
 * subuid START COUNT, subgid START COUNT, newidmap 0|1, userns_uid START
 * COUNT, userns_gid START COUNT (default: CT_USERNS_START, CT_USERNS_COUNT). */
int host_load_facts(struct host *h, const char *path, struct ct_err *e);
/* The same from the file's text (file names it in messages). Pure. */
int host_parse_facts(struct host *h, const char *text, const char *file, struct ct_err *e);

/* The pure halves of host_probe(), for unit tests: parse the text of
 * /proc/self/mountinfo and /proc/self/cgroup into h. */
int host_parse_mountinfo(struct host *h, const char *text, struct ct_err *e);
int host_parse_proc_cgroup(struct host *h, const char *text, struct ct_err *e);

/* v2: keep only the controllers listed in text (our cgroup's
 * cgroup.controllers, "cpuset cpu io memory pids"). */
void host_v2_available(struct host *h, const char *text);

/* The first range of /etc/subuid-style text for a user known by name or
 * by uid; count 0 when there is none. */
struct id_range host_parse_subid(const char *text, const char *user, uint32_t id);

#endif
