/* What only the host can tell about a spec: the rootfs is a directory
 * other than /, the cpuset names CPUs and memory nodes that are online,
 * and there is a command to run; for --check, that the command is there
 * to run. Read-only. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "command_find.h"
#include "fileio.h"
#include "syscall_filter.h"
#include "util_fd.h"

/* The largest /etc/passwd or /etc/group read from a rootfs: far more
 * than any real one, and small enough that a hostile rootfs (a sparse
 * file of gigabytes) cannot stall a check. */
#define ID_FILE_MAX (4 * 1024 * 1024)

/* A file of the rootfs, read whole as if the rootfs were /: a link in it
 * to /etc/shadow, or to ../../.., stays inside the rootfs. The rootfs is
 * not trusted, so the file is first opened with O_PATH, which opens
 * nothing (a device node's driver, a FIFO), and only a regular file of
 * sane size is then opened for reading, through that same descriptor.
 * 0 with the text in *out; 1 when there is no such file (or no rootfs
 * to look in); -1 with e saying why it cannot be used. */
static int read_rootfs_file(const char *rootfs, const char *path, char **out, struct ct_err *e)
{
	cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int pfd = -1, fd = -1;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	char *buf;
	size_t len = 0;

	if (root < 0)
		return 1;
	pfd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
	if (pfd < 0 || fstat(pfd, &st) < 0)
		return errno == ENOENT ? 1 : ct_fail(e, errno, "cannot open it");
	if (!S_ISREG(st.st_mode))
		return ct_fail(e, 0, "it is not a regular file");
	if (st.st_size > ID_FILE_MAX)
		return ct_fail(e, 0, "it is larger than %d MiB", ID_FILE_MAX / (1024 * 1024));
	fd = fd_reopen(pfd, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ct_fail(e, errno, "cannot open it");
	/* The size seen by fstat bounds the read: a file that grows
	 * meanwhile is read no further. */
	buf = read_fd(fd, (size_t)st.st_size, &len);
	if (!buf)
		return ct_fail(e, errno, "cannot read it");
	if (strlen(buf) != len) {
		free(buf);
		return ct_fail(e, 0, "it holds a NUL byte");
	}
	*out = buf;
	return 0;
}

/* What a passwd entry gives besides the ids: the login name and the
 * home directory (NULL when the entry leaves them empty). */
struct pw_more {
	char *login, *home;
};

/* Look name (or a number) up in an /etc/passwd- or /etc/group-style
 * file: field 0 the name, field 2 the id, field 3 (passwd) the group,
 * field 5 (passwd) the home directory. 0 when found, with *id, and *gid
 * and *more when wanted, set; 1 when not found; -1 when the file cannot
 * be used, with the reason in e. A record is a whole line, however
 * long: a line is never split into two records. */
static int lookup_id(const char *rootfs, const char *file, const char *name, uint32_t *id,
		     uint32_t *gid, struct pw_more *more, struct ct_err *e)
{
	cleanup_free char *text = NULL;
	int rc = read_rootfs_file(rootfs, file, &text, e);
	char *next = text;

	if (rc != 0)
		return rc;
	while (next && *next) {
		char *line = next, *rest, *fields[7] = { 0 };
		uint64_t v, g;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		rest = line;
		/* strsep, not strtok: "lab::1001:..." has an empty password
		 * field, and merging it would shift every field after it. */
		for (int i = 0; i < 7 && rest; i++)
			fields[i] = strsep(&rest, ":");
		if (!fields[2] || parse_uint(fields[2], 0, UINT32_MAX - 1, &v) < 0)
			continue;
		if (strcmp(fields[0], name) != 0 && strcmp(fields[2], name) != 0)
			continue;
		*id = (uint32_t)v;
		if (gid && fields[3] && parse_uint(fields[3], 0, UINT32_MAX - 1, &g) == 0)
			*gid = (uint32_t)g;
		if (more) {
			more->login = *fields[0] ? xstrdup(fields[0]) : NULL;
			more->home = fields[5] && *fields[5] ? xstrdup(fields[5]) : NULL;
		}
		return 0;
	}
	return 1;
}

/* The reason a rootfs's id file cannot be used, as the spec's error. */
static void id_file_diag(struct spec *spec, struct ct_diags *d, const char *file,
			 const struct ct_err *e)
{
	char why[sizeof e->msg + 64];

	ct_diag(d, spec->file, spec->user_at, "user", "the rootfs's %s cannot be used: %s", file,
		ct_err_text(e, why, sizeof why));
}

/* The passwd entry of a user given by number, for its name and home
 * only: the ids are the spec's, so a file that cannot be used, or has
 * no such line, is no error (the command gets HOME=/, as with runc and
 * docker, and no USER or LOGNAME). */
static void user_more(struct spec *spec, uint32_t uid)
{
	char num[16];
	struct pw_more more = { 0 };
	struct ct_err e;
	uint32_t same;

	snprintf(num, sizeof num, "%u", (unsigned)uid);
	if (lookup_id(spec->rootfs, "/etc/passwd", num, &same, NULL, &more, &e) == 0 &&
	    same == uid) {
		spec->login = more.login;
		spec->home = more.home;
	} else {
		free(more.login);
		free(more.home);
	}
}

/* user: uid[:gid], each a number or a name the rootfs knows. Without a
 * group, the user's own group from /etc/passwd, or 0 as docker does.
 * Root without user:, or a user, gets the name and home directory of
 * its passwd entry (spec->login, spec->home) for USER, LOGNAME and
 * HOME. */
static void check_user(struct spec *spec, struct ct_diags *d)
{
	cleanup_free char *copy = NULL;
	struct pw_more more = { 0 };
	char *group;
	struct ct_err e;
	uint64_t n;
	int rc;

	if (!spec->user) {
		user_more(spec, 0);
		return;
	}
	copy = xstrdup(spec->user);
	group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	spec->gid = 0;
	if (parse_uint(copy, 0, UINT32_MAX - 1, &n) == 0) {
		uint32_t same;

		spec->uid = (uint32_t)n;
		/* Both numbers: nothing to look up but the name and home. */
		if (group && parse_uint(group, 0, UINT32_MAX - 1, &n) == 0) {
			spec->gid = (uint32_t)n;
			user_more(spec, spec->uid);
			return;
		}
		rc = lookup_id(spec->rootfs, "/etc/passwd", copy, &same, &spec->gid, &more, &e);
		/* A line named by the number, not of that uid, is not the
		 * user's. */
		if (rc == 0 && same != spec->uid) {
			free(more.login);
			free(more.home);
			more = (struct pw_more){ 0 };
		}
	} else {
		rc = lookup_id(spec->rootfs, "/etc/passwd", copy, &spec->uid, &spec->gid, &more, &e);
		if (rc > 0) {
			ct_diag(d, spec->file, spec->user_at, "user",
				"no user '%s' in the rootfs's /etc/passwd (expected a name it has, or a number)",
				copy);
			return;
		}
	}
	if (rc < 0) {
		id_file_diag(spec, d, "/etc/passwd", &e);
		return;
	}
	spec->login = more.login;
	spec->home = more.home;
	if (!group)
		return;
	if (parse_uint(group, 0, UINT32_MAX - 1, &n) == 0) {
		spec->gid = (uint32_t)n;
		return;
	}
	rc = lookup_id(spec->rootfs, "/etc/group", group, &spec->gid, NULL, NULL, &e);
	if (rc < 0)
		id_file_diag(spec, d, "/etc/group", &e);
	else if (rc > 0)
		ct_diag(d, spec->file, spec->user_at, "user",
			"no group '%s' in the rootfs's /etc/group (expected a name it has, or a number)",
			group);
}

/* A directory is safe to look a name up in when only root or the caller
 * can change which file the name gives: owned by one of them and
 * writable by no one else, or sticky (/tmp) with the entry owned by one
 * of them, since only the entry's owner may rename it there. This is
 * ssh's StrictModes for paths. 0 when safe, else -1 with e saying why. */
static int unsafe_dir(int dir, const char *dir_path, const char *name, struct ct_err *e)
{
	const uid_t me = getuid();
	struct stat st, entry;

	if (fstat(dir, &st) < 0)
		return 0;
	if (st.st_uid != 0 && st.st_uid != me)
		return ct_fail(e, 0, "%s is owned by uid %u", dir_path, (unsigned)st.st_uid);
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (!(st.st_mode & S_ISVTX))
		return ct_fail(e, 0, "%s is writable by %s", dir_path,
			       (st.st_mode & S_IWOTH) ? "every user" : "its group");
	if (fstatat(dir, name, &entry, AT_SYMLINK_NOFOLLOW) == 0 && entry.st_uid != 0 &&
	    entry.st_uid != me)
		return ct_fail(e, 0, "%s%s%s is owned by uid %u in a directory every user can write",
			       dir_path, strcmp(dir_path, "/") ? "/" : "", name,
			       (unsigned)entry.st_uid);
	return 0;
}

/* Resolve an absolute path as realpath does, one name at a time, and
 * check each directory a name is looked up in (unsafe_dir), those that
 * links lead through too: whoever can rename entries in one of them
 * could swap the path between this check and the run, or during this
 * check, for a link to / or /root. Refused then, unless the spec accepts
 * such paths (unsafe_paths); even so, a link found in such a directory
 * is never followed (the attacker's link is what the swap puts there),
 * and a file with other hard links is refused (a link to /etc/shadow
 * where fs.protected_hardlinks is off). The run opens real with no link
 * followed and compares the device and inode (mount.c): a swap after
 * this check makes it fail, never mount another tree.
 * what names the path's kind in the refusal ("directory", "file").
 * The final descriptor (O_PATH), or -1 with e. */
static int walk(const char *path, bool unsafe_ok, const char *what, char *real,
		struct ct_err *e)
{
	char rest[2 * PATH_MAX], target[PATH_MAX];
	cleanup_close int cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool trusted = true;
	int links = 0;
	char *p = rest;

	snprintf(real, PATH_MAX, "/");
	if (cur < 0)
		return ct_errno(e, errno);
	/* A relative path from the working directory, whose own directories
	 * are looked up in too. */
	if (*path != '/') {
		if (!getcwd(target, sizeof target))
			return ct_errno(e, errno);
	} else {
		*target = '\0';
	}
	if (snprintf(rest, sizeof rest, "%s/%s", target, path) >= (int)sizeof rest)
		return ct_errno(e, ENAMETOOLONG);
	while (*p) {
		char *name;
		int next;
		struct stat st;
		size_t len;

		p += strspn(p, "/");
		if (!*p)
			break;
		name = p;
		p += strcspn(p, "/");
		if (*p)
			*p++ = '\0';
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			char *slash = strrchr(real, '/');

			next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (next < 0)
				return ct_errno(e, errno);
			close(cur);
			cur = next;
			slash[slash == real] = '\0';
			continue;
		}
		if (unsafe_dir(cur, real, name, e) < 0) {
			if (!unsafe_ok)
				return ct_append(e, ", who could swap it for another %s while ctlaunch "
						 "uses it (move it, or set unsafe_paths: true)", what);
			trusted = false;
		}
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fstat(next, &st) < 0) {
			int err = errno;

			if (next >= 0)
				close(next);
			return ct_errno(e, err);
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(next, "", target, sizeof target - 1);

			if (n < 0) {
				int err = errno;

				close(next);
				return ct_errno(e, err);
			}
			close(next);
			target[n] = '\0';
			if (!trusted)
				return ct_fail(e, 0, "%s%s%s is a symbolic link in a directory other "
					       "users can write (with unsafe_paths, give a path with no "
					       "link on it)", real, strcmp(real, "/") ? "/" : "", name);
			if (++links > 40)
				return ct_errno(e, ELOOP);
			if (strlen(target) + 1 + strlen(p) >= PATH_MAX)
				return ct_errno(e, ENAMETOOLONG);
			memmove(rest + strlen(target) + 1, p, strlen(p) + 1);
			memcpy(rest, target, strlen(target));
			rest[strlen(target)] = '/';
			p = rest;
			if (*target == '/') {
				next = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (next < 0)
					return ct_errno(e, errno);
				close(cur);
				cur = next;
				snprintf(real, PATH_MAX, "/");
			}
			continue;
		}
		if (*p && !S_ISDIR(st.st_mode)) {
			close(next);
			return ct_errno(e, ENOTDIR);
		}
		if (!trusted && !S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			close(next);
			return ct_fail(e, 0, "%s%s%s has other hard links, in a directory other users "
				       "can write", real, strcmp(real, "/") ? "/" : "", name);
		}
		close(cur);
		cur = next;
		len = strlen(real);
		if (snprintf(real + len, PATH_MAX - len, "%s%s", len > 1 ? "/" : "", name) >=
		    (int)(PATH_MAX - len))
			return ct_errno(e, ENAMETOOLONG);
	}
	return take_fd(&cur);
}

/* walk, then the device and inode the run must find again. 0, or -1
 * with e, which names the path as shown ("'shown': why"). */
static int check_path(const char *path, const char *shown, bool unsafe_ok, bool want_dir,
		      char *real, uint64_t *dev, uint64_t *ino, struct ct_err *e)
{
	cleanup_close int fd = walk(path, unsafe_ok, want_dir ? "directory" : "file", real, e);
	struct stat st;

	if (fd < 0)
		return ct_wrap(e, "'%s'", shown);
	if (fstat(fd, &st) < 0) {
		ct_errno(e, errno);
		return ct_wrap(e, "'%s'", shown);
	}
	if (want_dir && !S_ISDIR(st.st_mode))
		return ct_fail(e, 0, "'%s' is not a directory", shown);
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* A bind source is a host path, relative to the spec's directory. */
static void check_mounts(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX];

	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct spec_mount *m = &spec->mounts[i];
		char key[64], text[sizeof(struct ct_err) + 64];
		size_t n = strlen(spec->dir);
		struct ct_err e;
		const char *shown;

		if (m->type != MOUNT_BIND)
			continue;
		/* As written: without the spec's directory put in front. */
		shown = strncmp(m->source, spec->dir, n) == 0 && m->source[n] == '/' &&
				strcmp(spec->dir, "/") != 0
			? m->source + n + 1
			: m->source;
		if (check_path(m->source, shown, spec->unsafe_paths, false, real, &m->source_dev,
			       &m->source_ino, &e) == 0) {
			free(m->source);
			m->source = xstrdup(real);
			continue;
		}
		snprintf(key, sizeof key, "mounts[%zu].source", i);
		ct_diag(d, spec->file, m->source_at, key, "%s", ct_err_text(&e, text, sizeof text));
	}
}

/* Whether users other than root can reach path: every directory on
 * the way, and path itself, can be searched by others, by a group other
 * than root's, or belongs to another user (who may chmod it). */
/* Whether an access ACL lets a named user or group (someone else)
 * search the directory: its mode bits do not show it (the group bits of
 * a directory with an ACL are the mask). The xattr is the kernel's
 * format: a 4-byte version, then {u16 tag, u16 perm, u32 id} entries.
 * An ACL too big for the buffer counts as reaching. */
static bool acl_lets_others_search(const char *dir)
{
	enum { ACL_USER = 0x02, ACL_GROUP = 0x08, ACL_MASK = 0x10, ACL_X = 0x01 };
	unsigned char buf[4 + 8 * 64];
	ssize_t n = getxattr(dir, "system.posix_acl_access", buf, sizeof buf);
	bool named = false, mask = true;

	if (n < 0)
		return errno == ERANGE;
	for (ssize_t off = 4; off + 8 <= n; off += 8) {
		unsigned tag = buf[off] | (unsigned)buf[off + 1] << 8;
		unsigned perm = buf[off + 2] | (unsigned)buf[off + 3] << 8;

		if ((tag == ACL_USER || tag == ACL_GROUP) && (perm & ACL_X))
			named = true;
		if (tag == ACL_MASK)
			mask = (perm & ACL_X) != 0;
	}
	return named && mask;
}

static bool reachable_by_others(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return false;
	for (;;) {
		char *slash;

		if (stat(*dir ? dir : "/", &st) < 0)
			return false;
		if (!(st.st_mode & S_IXOTH) && !((st.st_mode & S_IXGRP) && st.st_gid != 0) &&
		    st.st_uid == 0 && !acl_lets_others_search(*dir ? dir : "/"))
			return false;
		if (!*dir)
			return true;
		slash = strrchr(dir, '/');
		*slash = '\0';
	}
}

/* Root's container is host root in a writable rootfs or read-write
 * bind: a setuid-root file it makes there is setuid root on the host
 * too, and any local user who can reach it can run it. With userns:
 * true it is setuid to the range's first id, the owner of every such
 * container's user namespace, who holds all capabilities in each of
 * them (nsenter, ptrace, signals): no better for the other containers.
 * A warning, not a refusal: on a machine of one user (the usual lab)
 * nobody else can, and the fix (a private directory above it, as
 * container engines keep theirs under /var/lib, or read-only) is the
 * owner's to choose. */
static void warn_exposed(const struct spec *spec, struct ct_diags *d, struct ct_loc at,
			 const char *key, const char *path, const char *what)
{
	ct_warn(d, spec->file, at, key,
		"'%s' is %s and other users of this host can reach it: a setuid file the "
		"container makes there would run on the host as %s (make a directory above it "
		"private, or %s; see ctlaunch(1), SECURITY)",
		path, what,
		spec->userns ? "the owner of every userns: true container, with all capabilities "
			       "in each"
			     : "root",
		strcmp(key, "rootfs") == 0 ? "set readonly_rootfs: true" : "bind it read-only");
}

static void check_exposure(struct spec *spec, const struct host *h, struct ct_diags *d,
			   bool rootfs_ok)
{
	if (!h->real || h->euid != 0)
		return;
	/* An overlay's lower layers are never written; its upper is private. */
	if (rootfs_ok && !spec->readonly_rootfs && spec->overlay == OVERLAY_NONE &&
	    reachable_by_others(spec->rootfs))
		warn_exposed(spec, d, spec->rootfs_at, "rootfs", spec->rootfs,
			     "writable by the container's root");
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];
		char dir[PATH_MAX], key[64];
		struct stat st;

		/* Checked (absolute, resolved) and read-write only. A file's
		 * own mode is the container's to change: its directory is
		 * what others must reach. */
		if (m->type != MOUNT_BIND || m->readonly || m->source[0] != '/' ||
		    stat(m->source, &st) < 0 ||
		    snprintf(dir, sizeof dir, "%s", m->source) >= (int)sizeof dir)
			continue;
		if (!S_ISDIR(st.st_mode))
			*strrchr(dir, '/') = '\0';
		if (!reachable_by_others(dir))
			continue;
		snprintf(key, sizeof key, "mounts[%zu].source", i);
		warn_exposed(spec, d, m->source_at, key, m->source, "bound read-write");
	}
}

/* 0 when the rootfs is a usable directory (then absolute in spec). */
static int check_rootfs(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX];
	struct ct_err e;
	/* The key as written: rootfs, or rootfs.path of the mapping. */
	const char *key = spec->overlay == OVERLAY_NONE ? "rootfs"
			  : spec->n_layers ? "rootfs.path[0]" : "rootfs.path";

	if (check_path(spec->rootfs, spec->rootfs, spec->unsafe_paths, true, real,
		       &spec->rootfs_dev, &spec->rootfs_ino, &e) < 0) {
		char text[sizeof e.msg + 64];

		ct_diag(d, spec->file, spec->rootfs_at, key, "%s", ct_err_text(&e, text, sizeof text));
		return -1;
	}
	if (strcmp(real, "/") == 0) {
		ct_diag(d, spec->file, spec->rootfs_at, key,
			"'%s' is the host's root (expected a directory holding the container's files)",
			spec->rootfs);
		return -1;
	}
	free(spec->rootfs);
	spec->rootfs = xstrdup(real);
	return 0;
}

/* --- the overlay rootfs ---------------------------------------------------- */

static bool below(const char *path, const char *dir, const char **rest);

/* File systems overlayfs cannot stack: a lower whose names are made on
 * lookup or compared without case, an upper it cannot write its
 * whiteouts and renames in. Its own error at mount time would name
 * neither the key nor the directory. */
struct fs_refusal {
	unsigned long magic;
	const char *name;
	bool lower, upper;
};

static const struct fs_refusal fs_refusals[] = {
	{ PROC_SUPER_MAGIC, "proc", true, true },
	{ SYSFS_MAGIC, "sysfs", true, true },
	{ CGROUP_SUPER_MAGIC, "cgroup", true, true },
	{ CGROUP2_SUPER_MAGIC, "cgroup2", true, true },
	{ DEVPTS_SUPER_MAGIC, "devpts", true, true },
	{ MSDOS_SUPER_MAGIC, "vfat", true, true },
	{ 0x2011BAB0UL, "exfat", true, true },
	{ OVERLAYFS_SUPER_MAGIC, "overlayfs", false, true },
	{ NFS_SUPER_MAGIC, "nfs", false, true },
	{ 0xFF534D42UL, "cifs", false, true },
	{ 0xFE534D42UL, "smb2", false, true },
};

/* The refusal of path's file system as a layer (upper: the writes'),
 * or NULL. */
static const char *fs_refused(const char *path, bool upper)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof fs_refusals / sizeof fs_refusals[0]; i++)
		if ((unsigned long)sf.f_type == fs_refusals[i].magic &&
		    (upper ? fs_refusals[i].upper : fs_refusals[i].lower))
			return fs_refusals[i].name;
	return NULL;
}

/* The layers above the base: resolved as the rootfs is. */
static int check_layers(struct spec *spec, struct ct_diags *d)
{
	char real[PATH_MAX], key[48], text[sizeof(struct ct_err) + 64];
	int rc = 0;

	for (size_t i = 0; i < spec->n_layers; i++) {
		struct spec_layer *l = &spec->layers[i];
		struct ct_err e;

		snprintf(key, sizeof key, "rootfs.path[%zu]", i + 1);
		if (check_path(l->path, l->path, spec->unsafe_paths, true, real, &l->dev, &l->ino,
			       &e) < 0) {
			ct_diag(d, spec->file, l->at, key, "%s", ct_err_text(&e, text, sizeof text));
			rc = -1;
			continue;
		}
		free(l->path);
		l->path = xstrdup(real);
	}
	return rc;
}

/* Each layer on a file system overlayfs can stack, none inside another
 * or inside DIR, nor DIR inside one (overlayfs refuses overlapping
 * layers; a DIR inside a lower would be a write into it). */
static void check_layer_places(const struct spec *spec, struct ct_diags *d)
{
	const char *rest;

	for (size_t i = 0; i <= spec->n_layers; i++) {
		const char *path = i ? spec->layers[i - 1].path : spec->rootfs;
		struct ct_loc at = i ? spec->layers[i - 1].at : spec->rootfs_at;
		const char *fs = fs_refused(path, false);
		char key[48];

		snprintf(key, sizeof key, i || spec->n_layers ? "rootfs.path[%zu]" : "rootfs.path", i);
		if (fs)
			ct_diag(d, spec->file, at, key,
				"'%s' is on %s, which overlayfs cannot use as a lower layer", path, fs);
		if (spec->overlay_dir &&
		    (below(spec->overlay_dir, path, &rest) || below(path, spec->overlay_dir, &rest)))
			ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
				"'%s' and the layer '%s' overlap (expected a directory outside every "
				"layer: the writes go there, and a lower layer is never written)",
				spec->overlay_dir, path);
		for (size_t j = 0; j < i; j++) {
			const char *other = j ? spec->layers[j - 1].path : spec->rootfs;

			if (below(path, other, &rest) || below(other, path, &rest))
				ct_diag(d, spec->file, at, key,
					"'%s' and the layer '%s' overlap (overlayfs refuses it)", path,
					other);
		}
	}
}

/* Root's userns: true: an existing DIR/upper or DIR/work must be the
 * range's first ids' (ctlaunch makes them so): one a run without it
 * left is host root's, files and all, out of the container's reach.
 * The run refuses it too (mount.c, owned_sub_dir); said here first. */
static void check_overlay_owner(struct spec *spec, const struct host *h, struct ct_diags *d,
				const char *dir, const char *name, const struct stat *st)
{
	if (!spec->userns || h->euid != 0)
		return;
	if (st->st_uid != h->userns_uid.start || st->st_gid != h->userns_gid.start)
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s/%s' is uid %u's and gid %u's, not the user namespace's (%u:%u, which "
			"ctlaunch makes it with userns: true): a run without userns: true made it, "
			"and its files are host root's (remove it, or use another DIR)",
			dir, name, (unsigned)st->st_uid, (unsigned)st->st_gid, h->userns_uid.start,
			h->userns_gid.start);
}

/* An existing DIR: a directory of the caller's, 0700, its upper and
 * work on one file system. ctlaunch makes the ones missing. */
static void check_overlay_existing(struct spec *spec, const struct host *h, struct ct_diags *d,
				   const char *dir)
{
	struct stat st, u, w;
	char sub[PATH_MAX];

	if (lstat(dir, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s' is %s (expected a directory, or none: ctlaunch makes it)", dir,
			S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
		return;
	}
	if (st.st_uid != getuid()) {
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s' is uid %u's: whoever owns it can reach what the container writes "
			"(expected a directory of yours, or none)", dir, (unsigned)st.st_uid);
		return;
	}
	if (st.st_mode & 077)
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s' has mode %04o: other users could reach what the container writes "
			"(chmod 700 it)", dir, (unsigned)st.st_mode & 07777);
	snprintf(sub, sizeof sub, "%s/upper", dir);
	if (lstat(sub, &u) < 0)
		return;
	check_overlay_owner(spec, h, d, dir, "upper", &u);
	snprintf(sub, sizeof sub, "%s/work", dir);
	if (lstat(sub, &w) == 0)
		check_overlay_owner(spec, h, d, dir, "work", &w);
	if (lstat(sub, &w) == 0 && u.st_dev != w.st_dev)
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s/upper' and '%s/work' are on different file systems (overlayfs needs "
			"one)", dir, dir);
}

/* overlay: DIR: its directory resolved as the rootfs is (the run makes
 * DIR there, by that directory's descriptor); DIR itself is checked if
 * it exists. 0, or -1 reported. */
static int check_overlay_dir(struct spec *spec, const struct host *h, struct ct_diags *d)
{
	char parent[PATH_MAX], real[PATH_MAX], *slash;
	struct ct_err e;
	const char *name, *fs;
	size_t n = strlen(spec->overlay_dir);

	while (n > 1 && spec->overlay_dir[n - 1] == '/')
		spec->overlay_dir[--n] = '\0';
	snprintf(parent, sizeof parent, "%s", spec->overlay_dir);
	slash = strrchr(parent, '/');
	name = slash ? spec->overlay_dir + (slash - parent) + 1 : "";
	if (!slash || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s' (expected a path ending in the directory's name)", spec->overlay_dir);
		return -1;
	}
	*slash = '\0';
	if (check_path(*parent ? parent : "/", *parent ? parent : "/", spec->unsafe_paths, true,
		       real, &spec->overlay_parent_dev, &spec->overlay_parent_ino, &e) < 0) {
		char text[sizeof e.msg + 64];

		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay", "%s",
			ct_err_text(&e, text, sizeof text));
		return -1;
	}
	n = strlen(real);
	snprintf(real + n, sizeof real - n, "%s%s", n > 1 ? "/" : "", name);
	free(spec->overlay_dir);
	spec->overlay_dir = xstrdup(real);
	check_overlay_existing(spec, h, d, real);
	*strrchr(real, '/') = '\0';
	fs = fs_refused(spec->overlay_dir, true);
	if (!fs)
		fs = fs_refused(*real ? real : "/", true);
	if (fs)
		ct_diag(d, spec->file, spec->overlay_at, "rootfs.overlay",
			"'%s' is on %s, where overlayfs cannot keep its writes (expected a local "
			"file system such as ext4, xfs, btrfs or tmpfs)", spec->overlay_dir, fs);
	return 0;
}

/* rootfs: {path:, overlay:}: every layer and DIR. */
static void check_overlay(struct spec *spec, const struct host *h, struct ct_diags *d,
			  bool rootfs_ok)
{
	size_t before = d->n;

	if (check_layers(spec, d) < 0 || !rootfs_ok)
		return;
	if (spec->overlay == OVERLAY_DIR && check_overlay_dir(spec, h, d) < 0)
		return;
	if (d->n == before)
		check_layer_places(spec, d);
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

	bool rootfs_ok = check_rootfs(spec, d) == 0;

	if (spec->overlay != OVERLAY_NONE)
		check_overlay(spec, h, d, rootfs_ok);

	/* The user's names are the rootfs's: only once it is known good. */
	if (rootfs_ok)
		check_user(spec, d);
	check_mounts(spec, d);
	if (d->n == before)
		check_exposure(spec, h, d, rootfs_ok);
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

/* --check's way into the container before it exists: the rootfs, the
 * spec's mounts over it. */
struct view {
	const struct spec *spec;
	int root[SPEC_MAX_LAYERS]; /* the rootfs's layers, top first, O_PATH */
	size_t n_root;
};


/* path with no //, . or .. part, into out ("/" at least); relative
 * ones from dir. ".." is taken by name, as a path with no link in it. */
static void normalize(const char *dir, const char *path, char *out, size_t size)
{
	char buf[2 * PATH_MAX];
	size_t len = 0;

	snprintf(buf, sizeof buf, "%s/%s", *path == '/' ? "" : dir, path);
	for (char *save = NULL, *name = strtok_r(buf, "/", &save); name;
	     name = strtok_r(NULL, "/", &save)) {
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			while (len > 0 && out[--len] != '/')
				;
			continue;
		}
		len += (size_t)snprintf(out + len, size - len, "/%s", name);
		if (len >= size)
			len = size - 1;
	}
	if (len == 0)
		snprintf(out, size, "/");
	else
		out[len] = '\0';
}

/* Whether path is dir or below it; *rest: what is below ("" for dir). */
static bool below(const char *path, const char *dir, const char **rest)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return false;
	*rest = path + n + (path[n] == '/');
	return true;
}

/* The spec's mount that covers path: the deepest target, and of equal
 * ones the last, as they are made; or NULL. */
static const struct spec_mount *covering(const struct spec *spec, const char *path,
					 const char **rest)
{
	const struct spec_mount *best = NULL;
	const char *r;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		if (below(path, m->target, &r) && (!best || strlen(m->target) >= strlen(best->target))) {
			best = m;
			*rest = r;
		}
	}
	return best;
}

/* Resolve rest as if dir were /: a link stays inside. */
static int open_beneath(int dir, const char *rest)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dir, *rest ? rest : ".", &how, sizeof how);
}

/* A path of the rootfs: in the top layer that has it (an overlay's
 * whiteouts, and what DIR/upper holds, are not looked at: the run
 * finds out). */
static int open_in_layers(const struct view *v, const char *full)
{
	int fd = -1;

	for (size_t i = 0; i < v->n_root && fd < 0; i++)
		fd = open_beneath(v->root[i], full);
	if (fd < 0 && v->spec->overlay == OVERLAY_DIR) {
		errno = 0;
		return CMD_CANNOT_TELL;
	}
	return fd;
}

/* command_open_fn: a path of the container. A bind source's links
 * resolve inside the source, the rootfs's inside the rootfs: a link
 * that leads from one into another is followed where it is. */
static int open_in_view(const char *path, void *arg)
{
	const struct view *v = arg;
	const struct spec_mount *m;
	char full[PATH_MAX];
	const char *rest;

	normalize(v->spec->workdir ? v->spec->workdir : "/", path, full, sizeof full);
	m = covering(v->spec, full, &rest);
	if (m && m->type == MOUNT_TMPFS) {
		/* Empty when the command starts. */
		errno = ENOENT;
		return *rest ? -1 : CMD_CANNOT_TELL;
	}
	if (m && !m->source_ino)
		return CMD_CANNOT_TELL;
	if (m) {
		cleanup_close int src = open(m->source, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		return src < 0 ? -1 : open_beneath(src, rest);
	}
	/* What the kernel and ctlaunch mount there exists only then. */
	if (below(full, "/proc", &rest) || below(full, "/sys", &rest) || below(full, "/dev", &rest))
		return CMD_CANNOT_TELL;
	return open_in_layers(v, full);
}

int spec_check_command(const struct spec *spec, struct ct_diags *d)
{
	struct view v = { .spec = spec };
	const char *path = CMD_DEFAULT_PATH;
	struct ct_err e = { 0 };
	char text[sizeof e.msg + 64];
	int rc;

	/* Only once the rootfs is the directory the check opened. */
	if (!spec->argv || !spec->argc || !spec->rootfs_ino)
		return 0;
	for (size_t i = 0; i < spec->n_env; i++)
		if (strcmp(spec->env[i].key, "PATH") == 0)
			path = spec->env[i].value;
	for (size_t i = spec->n_layers + 1; i > 0; i--) {
		const char *layer = i > 1 ? spec->layers[i - 2].path : spec->rootfs;

		v.root[v.n_root] = open(layer, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (v.root[v.n_root] >= 0)
			v.n_root++;
	}
	if (v.n_root == 0)
		return 0;
	rc = command_check(spec->argv[0], path, open_in_view, &v, &e);
	for (size_t i = 0; i < v.n_root; i++)
		close(v.root[i]);
	if (rc == 0)
		return 0;
	ct_diag(d, spec->file, spec->command_at, "command", "%s", ct_err_text(&e, text, sizeof text));
	return e.status;
}

int spec_check_filter(const struct spec *spec, struct ct_diags *d)
{
	struct sc_bpf bpf;
	struct ct_err e = { 0 };
	char text[sizeof e.msg + 64];

	if (spec->seccomp != SC_MODE_CUSTOM || !spec->seccomp_profile)
		return 0;
	if (sc_compile(spec->seccomp_profile, &bpf, &e) == 0) {
		sc_bpf_free(&bpf);
		return 0;
	}
	ct_diag(d, spec->file, spec->seccomp_at, NULL, "%s", ct_err_text(&e, text, sizeof text));
	return -1;
}
