/* Host facts: probed once by main, read-only afterwards, and handed to
 * the checker and the planner. Tests build them by hand, so a fake v1 or
 * v2 host needs no root and no kernel. */
#ifndef CTLAUNCH_HOST_H
#define CTLAUNCH_HOST_H

#include <stdbool.h>
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

struct host_cgroup {
	char *mount;  /* where this controller's hierarchy is mounted; NULL: absent */
	char *own;    /* our cgroup in it, relative to the mount: "/" or "/a/b" */
	char *controllers; /* of its hierarchy: "cpu,cpuacct"; mount data for it */
};

struct host {
	enum cg_layout layout;
	char *cgroup_root;                 /* "/sys/fs/cgroup": the lock's home */
	struct host_cgroup ctrl[CTRL__N];
	bool memsw;        /* v1: memory.memsw.* exists (swap accounting on) */
	struct cpuset online_cpus;
	struct cpuset online_mems;
	uid_t euid;
};

extern const char *const cg_ctrl_name[CTRL__N];

int host_probe(struct host *h, struct ct_err *e);
void host_free(struct host *h);
#define cleanup_host __attribute__((cleanup(host_free)))

/* Load host facts from a file instead of probing (the hidden
 * --host-facts option of the golden tests): one "key value" per line:
 * layout v1|hybrid|unified|none, cgroup_root DIR, memory|cpu|cpuset|pids
 * MOUNT OWN [CONTROLLERS], memsw 0|1, online_cpus LIST, online_mems LIST, euid N. */
int host_load_facts(struct host *h, const char *path, struct ct_err *e);

/* The pure halves of host_probe(), for unit tests: parse the text of
 * /proc/self/mountinfo and /proc/self/cgroup into h. */
int host_parse_mountinfo(struct host *h, const char *text, struct ct_err *e);
int host_parse_proc_cgroup(struct host *h, const char *text, struct ct_err *e);

#endif
