/* What this host and this invocation allow a spec: every reason a run
 * would refuse a spec that parsed and checked, decided in one place and
 * reported in one pass. --check, --plan and the run call it before
 * anything else, and the planner refuses what it refuses, so none of
 * them can say yes where another says no. Pure: the spec, the host facts
 * and the options in, lines in the diagnostics list out. The facts the
 * decision rests on (which controllers the spec uses, which ids a user
 * namespace maps) are here too: the planner reads the same ones. */
#ifndef CTLAUNCH_POLICY_H
#define CTLAUNCH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "host.h"
#include "plan.h"
#include "spec.h"

/* Every refusal, one "file:line:col: key: what" line each in d. -1 when
 * there is at least one. */
int policy_check(const struct spec *spec, const struct host *h, const struct plan_opts *o,
		 struct ct_diags *d);

/* A one-line warning about what the spec lets the container do on this
 * host (CAP_SYS_ADMIN on cgroup v1, or without a user namespace), for
 * --check, --plan and the run; NULL when there is none. */
const char *policy_warning(const struct spec *spec, const struct host *h);

/* Whether the spec sets a limit of controller c. */
bool policy_uses(const struct spec *spec, enum cg_ctrl c);

/* Rootless: whether newuidmap and newgidmap map the subordinate ranges
 * of /etc/subuid and /etc/subgid (else only the caller is mapped). */
bool policy_subids(const struct host *h);

/* Whether id (a gid when gid) exists in the container's user namespace;
 * any id does when it has none. */
bool policy_id_mapped(const struct spec *spec, const struct host *h, uint32_t id, bool gid);

#endif
