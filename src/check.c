/* What only the host can tell about a spec: the rootfs is a directory
 * other than /, the cpuset names CPUs and memory nodes that are online,
 * and there is a command to run. Read-only. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* A file of the rootfs, opened as if the rootfs were /: a link in it to
 * /etc/shadow, or to ../../.., stays inside the rootfs. */
static FILE *open_in_rootfs(const char *rootfs, const char *path)
{
	cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int fd;
	FILE *f;

	if (root < 0)
		return NULL;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* Look name (or a number) up in an /etc/passwd- or /etc/group-style
 * file: field 0 the name, field 2 the id, field 3 (passwd) the group.
 * 0 when found, with *id and *gid (when wanted) set. */
static int lookup_id(const char *rootfs, const char *file, const char *name, uint32_t *id,
		     uint32_t *gid)
{
	cleanup_fclose FILE *f = open_in_rootfs(rootfs, file);
	char line[1024];

	while (f && fgets(line, sizeof line, f)) {
		char *rest = line, *fields[4] = { 0 };
		uint64_t v, g;

		/* strsep, not strtok: "lab::1001:..." has an empty password
		 * field, and merging it would shift every field after it. */
		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 4 && rest; i++)
			fields[i] = strsep(&rest, ":");
		if (!fields[2] || parse_uint(fields[2], 0, UINT32_MAX - 1, &v) < 0)
			continue;
		if (strcmp(fields[0], name) != 0 && strcmp(fields[2], name) != 0)
			continue;
		*id = (uint32_t)v;
		if (gid && fields[3] && parse_uint(fields[3], 0, UINT32_MAX - 1, &g) == 0)
			*gid = (uint32_t)g;
		return 0;
	}
	return -1;
}

/* user: uid[:gid], each a number or a name the rootfs knows. Without a
 * group, the user's own group from /etc/passwd, or 0 as docker does. */
static void check_user(struct spec *spec, struct ct_diags *d)
{
	cleanup_free char *copy = NULL;
	char *group;
	uint64_t n;

	if (!spec->user)
		return;
	copy = xstrdup(spec->user);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	spec->gid = 0;
	if (parse_uint(copy, 0, UINT32_MAX - 1, &n) == 0) {
		uint32_t same;

		spec->uid = (uint32_t)n;
		lookup_id(spec->rootfs, "/etc/passwd", copy, &same, &spec->gid);
	} else if (lookup_id(spec->rootfs, "/etc/passwd", copy, &spec->uid, &spec->gid) < 0) {
		ct_diag(d, spec->file, spec->user_at, "user",
			"no user '%s' in the rootfs's /etc/passwd (expected a name it has, or a number)",
			copy);
		return;
	}
	if (!group)
		return;
	if (parse_uint(group, 0, UINT32_MAX - 1, &n) == 0)
		spec->gid = (uint32_t)n;
	else if (lookup_id(spec->rootfs, "/etc/group", group, &spec->gid, NULL) < 0)
		ct_diag(d, spec->file, spec->user_at, "user",
			"no group '%s' in the rootfs's /etc/group (expected a name it has, or a number)",
			group);
}

/* A bind source is a host path, relative to the spec's directory. */
static void check_mounts(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX];

	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct spec_mount *m = &spec->mounts[i];

		if (m->type != MOUNT_BIND)
			continue;
		if (!realpath(m->source, real)) {
			char key[64];
			size_t n = strlen(spec->dir);
			/* As written: without the spec's directory put in front. */
			const char *shown = strncmp(m->source, spec->dir, n) == 0 && m->source[n] == '/' &&
						    strcmp(spec->dir, "/") != 0
					    ? m->source + n + 1
					    : m->source;

			snprintf(key, sizeof key, "mounts[%zu].source", i);
			ct_diag(d, spec->file, m->source_at, key, "'%s': %s", shown, strerror(errno));
			continue;
		}
		free(m->source);
		m->source = xstrdup(real);
	}
}

/* 0 when the rootfs is a usable directory (then absolute in spec). */
static int check_rootfs(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(spec->rootfs, real)) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs", "'%s': %s", spec->rootfs,
			strerror(errno));
		return -1;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs",
			"'%s' is not a directory", spec->rootfs);
		return -1;
	}
	if (strcmp(real, "/") == 0) {
		ct_diag(d, spec->file, spec->rootfs_at, "rootfs",
			"'%s' is the host's root (expected a directory holding the container's files)",
			spec->rootfs);
		return -1;
	}
	free(spec->rootfs);
	spec->rootfs = xstrdup(real);
	return 0;
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

	/* The user's names are the rootfs's: only once it is known good. */
	if (check_rootfs(spec, d) == 0)
		check_user(spec, d);
	check_mounts(spec, d);
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
