/* What only the host can tell about a spec: the rootfs is a directory
 * other than /, the cpuset names CPUs and memory nodes that are online,
 * and there is a command to run. Read-only. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

static void check_rootfs(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(spec->rootfs, real)) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs", "'%s': %s", spec->rootfs,
			strerror(errno));
		return;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs",
			"'%s' is not a directory", spec->rootfs);
		return;
	}
	if (strcmp(real, "/") == 0) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs",
			"'%s' is the host's root (expected a directory holding the container's files)",
			spec->rootfs);
		return;
	}
	free(spec->rootfs);
	spec->rootfs = xstrdup(real);
}

static void check_list(const struct spec *spec, struct ct_diags *d, struct ct_loc at,
		       const char *key, const char *what, const struct cpuset *want,
		       const struct cpuset *online)
{
	char have[256];
	int missing = cpuset_first_missing(want, online);

	if (missing < 0)
		return;
	cpulist_format(online, have, sizeof have);
	ct_diag(d, spec->file, at, key, "%s %d is not online on this host (online: %s)", what,
		missing, have);
}

int spec_check(struct spec *spec, const struct host *h, struct ct_diags *d)
{
	size_t before = d->n;

	check_rootfs(spec, d);
	if (spec->res.has_cpus)
		check_list(spec, d, spec->res.cpus_at, "resources.cpuset.cpus", "CPU",
			   &spec->res.cpus, &h->online_cpus);
	if (spec->res.has_mems)
		check_list(spec, d, spec->res.mems_at, "resources.cpuset.mems", "memory node",
			   &spec->res.mems, &h->online_mems);
	if (!spec->argv)
		ct_diag(d, spec->file, (struct ct_loc){ 0 }, "command",
			"missing (expected command: in the spec, or one after --)");
	return d->n > before ? -1 : 0;
}
