/* Mounts and the file system of the new root. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "plan.h"
#include "util.h"
#include "util_fd.h"

static int open2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = resolve };

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Open a host path the way --check did (check.c's open_anchored): no
 * link followed anywhere on it, and the device and inode it saw. A path
 * swapped since for a link fails with ELOOP; one swapped for another
 * directory or file fails the comparison. ino 0: nothing to compare. */
static int open_checked(const char *path, uint64_t flags, uint64_t dev, uint64_t ino,
			const char *what, struct ct_err *e)
{
	int fd = open2(AT_FDCWD, path, O_PATH | flags, RESOLVE_NO_SYMLINKS);
	struct stat st;

	if (fd < 0)
		return ct_fail(e, errno, "open %s %s with no link followed (was a name on its "
					 "path swapped since the check?)", what, path);
	if (ino && (fstat(fd, &st) < 0 || st.st_dev != dev || st.st_ino != ino)) {
		close(fd);
		return ct_fail(e, 0, "%s %s is not the one the check saw (another device and "
				     "inode): a name on its path was swapped; refusing it", what, path);
	}
	return fd;
}

/* mkdir -p for a mount target that the rootfs lacks (a fresh tmpfs on
 * /dev has no pts/ or shm/): the directory itself first, its parents
 * only when that fails, so the usual case is one call. No malloc: a
 * vfork child runs it. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, bool optional, struct ct_err *e)
{
	/* A propagation change or a remount needs no target of its own. */
	bool make_target = source != NULL && !optional && !(flags & MS_REMOUNT);
	struct stat st;
	int found = lstat(target, &st);

	/* Every mount happens after pivot_root, so a path resolves inside
	 * the rootfs whatever its links say. A target that is itself a link
	 * is refused all the same: the rootfs asked for /proc or /dev to
	 * be somewhere else, and a mount there is never what the spec meant
	 * (the class of CVE-2019-16884 and CVE-2025-31133). */
	if (found == 0 && S_ISLNK(st.st_mode))
		return ct_fail(e, 0, "mount %s on %s: the target is a symbolic link in the rootfs",
			       source ? source : "none", target);
	if (found < 0 && errno == ENOENT) {
		if (optional)
			return 0;
		/* Made first rather than after a failed mount. */
		if (make_target && mkdir_p(target) < 0)
			return ct_fail(e, errno, "create the mount point %s", target);
	}
	/* A bind remount must repeat the flags the mount already has
	 * (nosuid, nodev, noexec, atime): the kernel refuses to clear them
	 * where they are locked (a mount from the host, seen from a user
	 * namespace), and clearing them was never asked. */
	if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND)) {
		struct statvfs sv;

		if (statvfs(target, &sv) == 0)
			flags |= ((sv.f_flag & ST_RDONLY) ? MS_RDONLY : 0) |
				 ((sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0) |
				 ((sv.f_flag & ST_NODEV) ? MS_NODEV : 0) |
				 ((sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0) |
				 ((sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0) |
				 ((sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0) |
				 ((sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0);
	}
	if (mount(source ? source : "none", target, fstype, flags, data) == 0)
		return 0;
	return ct_fail(e, errno, "mount %s on %s", source ? source : "none", target);
}

int mnt_tree_open(const char *source, bool readonly, bool device, uint64_t dev, uint64_t ino,
		  struct ct_err *e)
{
	cleanup_close int src = open_checked(source, 0, dev, ino, "the bind source", e);
	int fd;
	/* nodev as on the rootfs: a device node in a host directory must
	 * not become a way to the host's devices. */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0),
	};

	if (src < 0)
		return -1;
	/* From the descriptor: what was checked is what gets mounted. */
	fd = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
				   (device ? 0 : AT_RECURSIVE));
	if (fd < 0)
		return ct_fail(e, errno, "open_tree %s", source);
	if (device)
		return fd;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		int err = errno;

		close(fd);
		return ct_fail(e, err, "set the attributes of %s", source);
	}
	return fd;
}

int mnt_fs_open(const char *fstype, unsigned long flags, struct ct_err *e)
{
	cleanup_close int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	unsigned attr = ((flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
			((flags & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
			((flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) |
			((flags & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
	int fd;

	if (fs < 0)
		return ct_fail(e, errno, "fsopen %s", fstype);
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return ct_fail(e, errno, "create a %s", fstype);
	fd = fsmount(fs, FSMOUNT_CLOEXEC, attr);
	if (fd < 0)
		return ct_fail(e, errno, "fsmount %s", fstype);
	return fd;
}

/* An empty file to bind a file over. Only made when missing, never
 * opened when there: the rootfs is not trusted, and a FIFO in its place
 * would block an open for ever. */
static int make_file(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir) < 0)
			return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

int mnt_tree_attach(int fd, const char *target, struct ct_err *e)
{
	struct stat src, st;
	int made;

	if (fstat(fd, &src) < 0)
		return ct_fail(e, errno, "stat the source of %s", target);
	if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode))
		return ct_fail(e, 0, "bind mount on %s: the target is a symbolic link in the rootfs",
			       target);
	made = S_ISDIR(src.st_mode) ? mkdir_p(target) : make_file(target);
	if (made < 0)
		return ct_fail(e, errno, "create the mount point %s", target);
	if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "bind mount on %s", target);
	return 0;
}

/* The rootfs, by descriptor from the check to pivot_root (issue 15,
 * class 1): every use of the path string was a new lookup that followed
 * links, and a user who could rename entries in a directory on the path
 * could swap the rootfs for a link to / in between. Here the path is
 * looked up once, with no link followed, and must be the directory the
 * check saw; the rest uses descriptors: a recursive copy of it
 * (open_tree), made nodev (the rootfs is not trusted: a device node in it
 * must not open the host's disk), moved onto that same directory, and
 * entered with fchdir, since pivot_root needs new_root to be a mount.
 *
 * pivot_root(".", ".") stacks the old root on top of the new one at /;
 * unmounting "." then takes the old root away. No put_old directory is
 * needed in the rootfs, so a read-only rootfs works and nothing is left
 * in it (the trick runc and LXC use). */
/* The nodev copy of the rootfs in dir. */
static int root_copy(int dir, const char *new_root, struct ct_err *e)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NODEV };
	int tree = open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);

	if (tree < 0)
		return ct_fail(e, errno, "open_tree the rootfs %s", new_root);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		int err = errno;

		close(tree);
		return ct_fail(e, err, "make the rootfs %s nodev", new_root);
	}
	return tree;
}

/* tree is the root of the attached copy: the mount point that
 * pivot_root wants, whatever has happened to the names since. */
static int enter_and_pivot(int tree, const char *new_root, struct ct_err *e)
{
	if (fchdir(tree) < 0)
		return ct_fail(e, errno, "fchdir into the rootfs %s", new_root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ct_fail(e, errno, "pivot_root %s", new_root);
	return 0;
}

int mnt_pivot_root(const char *new_root, uint64_t dev, uint64_t ino, struct ct_err *e)
{
	cleanup_close int dir = open_checked(new_root, O_DIRECTORY, dev, ino, "the rootfs", e);
	cleanup_close int tree = -1;

	if (dir < 0)
		return -1;
	tree = root_copy(dir, new_root, e);
	if (tree < 0)
		return -1;
	if (move_mount(tree, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "move_mount the rootfs onto %s", new_root);
	return enter_and_pivot(tree, new_root, e);
}

int mnt_root_open(const char *new_root, uint64_t dev, uint64_t ino, struct ct_err *e)
{
	cleanup_close int dir = open_checked(new_root, O_DIRECTORY, dev, ino, "the rootfs", e);

	return dir < 0 ? -1 : root_copy(dir, new_root, e);
}

/* The copy the parent made is a detached tree; the child, which may not
 * look the rootfs's path up (see mnt_root_open), attaches it on top of
 * its own / (a private mount namespace: nobody else sees it) and
 * pivots into it as above. */
int mnt_pivot_root_tree(int tree, const char *new_root, struct ct_err *e)
{
	if (move_mount(tree, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "move_mount the rootfs %s", new_root);
	return enter_and_pivot(tree, new_root, e);
}

/* --- the overlay rootfs -------------------------------------------------- */

/* A way to a descriptor as a path, for the overlay options, which take
 * paths: the kernel resolves /proc/self/fd/N to the file the descriptor
 * holds, so the layers are the directories opened (and checked) here,
 * whatever the names say by then. */
static void fd_path(char *buf, size_t size, int fd, const char *below)
{
	snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, *below ? "/" : "", below);
}

/* The kernel's words on a refused overlay (fsopen's log, "e ..."
 * lines), appended to e; nothing when there are none. */
static int fs_fail(int fs, struct ct_err *e, int err, const char *what)
{
	char log[512];
	ssize_t n = read(fs, log, sizeof log - 1);

	if (n > 2) {
		log[n] = '\0';
		if (log[n - 1] == '\n')
			log[n - 1] = '\0';
		return ct_fail(e, err, "%s (the kernel: %s)", what, log + 2);
	}
	return ct_fail(e, err, "%s", what);
}

/* A directory below dir, made if missing (mode, then chmod to it: the
 * umask must not narrow the root of the container's /), opened with no
 * link followed and on dir's own mount: a name swapped for a link, or
 * a mount over it, is refused. */
static int sub_dir(int dir, const char *name, unsigned mode, const char *shown, struct ct_err *e)
{
	int fd;

	if (mkdirat(dir, name, mode) == 0) {
		if (fchmodat(dir, name, mode, 0) < 0)
			return ct_fail(e, errno, "chmod %s/%s", shown, name);
	} else if (errno != EEXIST) {
		return ct_fail(e, errno, "mkdir %s/%s", shown, name);
	}
	fd = open2(dir, name, O_PATH | O_DIRECTORY,
		   RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return ct_fail(e, errno, "open %s/%s as a directory of its own, with no link "
					 "followed and no mount on it", shown, name);
	return fd;
}

/* The writes' tmpfs: new, detached, reached only by its descriptor and
 * then by the overlay's reference; it goes when the container's mount
 * namespace does. */
static int upper_tmpfs(const struct step_overlay *o, int top, int *upper, int *work,
		       unsigned mode, struct ct_err *e)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	cleanup_close int mnt = -1;
	char size[32];

	if (fs < 0)
		return ct_fail(e, errno, "fsopen tmpfs");
	snprintf(size, sizeof size, "%llu", (unsigned long long)o->size);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    (o->size && fsconfig(fs, FSCONFIG_SET_STRING, "size", size, 0) < 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_fail(fs, e, errno, "create the overlay's tmpfs");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
	if (mnt < 0)
		return ct_fail(e, errno, "fsmount the overlay's tmpfs");
	/* overlayfs takes an upper only from the mounter's own mount
	 * namespace (before 6.15): attached in the child's, which is
	 * private, on top of the top layer, since that is a directory
	 * sure to be there. The layer's descriptor still gives the layer
	 * (a descriptor does not cross a mount made on top of it), and
	 * the old root, this mount with it, goes at STEP_UMOUNT_OLD. */
	if (move_mount(mnt, "", top, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "attach the overlay's tmpfs in the container's mount namespace");
	*upper = sub_dir(mnt, "upper", mode, "the overlay's tmpfs", e);
	if (*upper < 0)
		return -1;
	*work = sub_dir(mnt, "work", 0700, "the overlay's tmpfs", e);
	return *work < 0 ? -1 : 0;
}

/* DIR/upper or DIR/work for root's userns: true container: made by
 * ctlaunch and given to the range's first ids, whose files the
 * container's are; one that exists must be theirs already. One left
 * by a run without userns: true is host root's, with host root's
 * files, which the container could neither write nor remove. */
static int owned_sub_dir(int dir, const char *name, unsigned mode, const uint32_t *owner,
			 const char *shown, struct ct_err *e)
{
	struct stat st;
	bool made = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
	int fd = sub_dir(dir, name, mode, shown, e);

	if (fd < 0)
		return -1;
	if (made && fchownat(fd, "", owner[0], owner[1], AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int err = errno;

		close(fd);
		return ct_fail(e, err, "chown %s/%s to %u:%u", shown, name, owner[0], owner[1]);
	}
	if (fstat(fd, &st) < 0 || st.st_uid != owner[0] || st.st_gid != owner[1]) {
		close(fd);
		return ct_fail(e, 0, "%s/%s is not uid %u's and gid %u's, the user namespace's (a "
				     "run without userns: true made it?): its files would be host "
				     "root's, out of the container's reach; remove it", shown, name,
			       owner[0], owner[1]);
	}
	return fd;
}

/* DIR, made 0700 in the directory --check saw, then DIR/upper and
 * DIR/work. Only the caller may reach what the container writes: a
 * setuid file it leaves in DIR/upper is no other user's to run. A DIR
 * that is a link, another user's, or open to others is refused: whoever
 * made it could reach, or swap, the upper layer. owner (userns: true):
 * DIR stays root's, upper and work are the range's ids (uid, gid). */
static int upper_dir(const struct step_overlay *o, int *upper, int *work, unsigned mode,
		     const uint32_t *owner, int *dir_out, struct ct_err *e)
{
	cleanup_close int parent = open_checked(o->parent, O_DIRECTORY, o->parent_dev,
						o->parent_ino, "the overlay directory's parent", e);
	cleanup_close int dir = -1;
	struct stat st, u, w;

	if (parent < 0)
		return -1;
	if (mkdirat(parent, o->name, 0700) < 0 && errno != EEXIST)
		return ct_fail(e, errno, "mkdir %s", o->dir);
	dir = openat(parent, o->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return ct_fail(e, errno, "open the overlay directory %s with no link followed", o->dir);
	if (fstat(dir, &st) < 0)
		return ct_fail(e, errno, "stat %s", o->dir);
	if (st.st_uid != geteuid())
		return ct_fail(e, 0, "the overlay directory %s is uid %u's, not ctlaunch's user's: "
				     "whoever owns it can reach what the container writes; refusing it",
			       o->dir, (unsigned)st.st_uid);
	if (st.st_mode & 077)
		return ct_fail(e, 0, "the overlay directory %s has mode %04o: other users could reach "
				     "what the container writes (chmod 700 it)",
			       o->dir, (unsigned)st.st_mode & 07777);
	*upper = owner ? owned_sub_dir(dir, "upper", mode, owner, o->dir, e)
		       : sub_dir(dir, "upper", mode, o->dir, e);
	if (*upper < 0)
		return -1;
	*work = owner ? owned_sub_dir(dir, "work", 0700, owner, o->dir, e)
		      : sub_dir(dir, "work", 0700, o->dir, e);
	if (*work < 0)
		return -1;
	if (fstat(*upper, &u) < 0 || fstat(*work, &w) < 0)
		return ct_fail(e, errno, "stat %s/upper", o->dir);
	if (u.st_dev != w.st_dev)
		return ct_fail(e, 0, "%s/upper and %s/work are on different file systems (overlayfs "
				     "needs one)", o->dir, o->dir);
	if (dir_out)
		*dir_out = take_fd(&dir);
	return 0;
}

/* A layer as --check saw it, cloned (detached, this directory only, as
 * overlayfs takes a layer), read-only and nodev, its files shown
 * through the user namespace's map: host uid 0's as the container's 0.
 * The kernel lets only who has CAP_SYS_ADMIN over the layer's file
 * system (host root) make it, and only on a detached mount. */
static int idmapped_layer(const struct step_overlay_layer *l, int userns, struct ct_err *e)
{
	cleanup_close int dir = open_checked(l->path, O_DIRECTORY, l->dev, l->ino,
					     "the rootfs layer", e);
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV,
		.userns_fd = (uint64_t)userns,
	};
	int tree, err;

	if (dir < 0)
		return -1;
	tree = open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return ct_fail(e, errno, "open_tree the rootfs layer %s", l->path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
		return tree;
	err = errno;
	close(tree);
	return ct_fail(e, err, "idmap the rootfs layer %s (mount_setattr MOUNT_ATTR_IDMAP)%s",
		       l->path, err == EINVAL ? ": its file system has no idmapped mounts in this "
						"kernel (Linux 5.12, tmpfs 6.3)" : "");
}

/* DIR made, checked, its upper and work made the range's (upper_dir),
 * then DIR as a detached clone (t[0]) and upper and work opened beneath
 * it (t[1], t[2]): overlayfs takes them only on a mount of the mounter's
 * namespace, which that clone becomes once the child attaches it, and
 * the child, whose ids cannot search DIR (root's, 0700), reaches them
 * by these descriptors alone. */
static int dir_tree(const struct step_overlay *o, unsigned mode, const uint32_t *owner, int *t,
		    struct ct_err *e)
{
	cleanup_close int dir = -1, upper = -1, work = -1;
	struct stat a, b;

	if (upper_dir(o, &upper, &work, mode, owner, &dir, e) < 0)
		return -1;
	t[0] = open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (t[0] < 0)
		return ct_fail(e, errno, "open_tree %s", o->dir);
	for (int i = 1; i <= 2; i++) {
		const char *name = i == 1 ? "upper" : "work";

		t[i] = open2(t[0], name, O_PATH | O_DIRECTORY,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
		if (t[i] < 0 || fstat(t[i], &a) < 0 || fstat(i == 1 ? upper : work, &b) < 0)
			return ct_fail(e, errno, "open %s/%s in its clone", o->dir, name);
		if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			return ct_fail(e, 0, "%s/%s changed while it was opened; refusing it", o->dir,
				       name);
	}
	return 0;
}

int mnt_layers_idmap(const struct step_overlay *o, pid_t child, const uint32_t *owner,
		     int *trees, struct ct_err *e)
{
	char path[64];
	cleanup_close int userns = -1;
	int *t = trees + o->first_tree;
	struct stat top;

	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)child);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return ct_fail(e, errno, "open the container's user namespace %s", path);
	for (size_t i = 0; i < o->n_lower; i++) {
		t[i] = idmapped_layer(&o->lower[i], userns, e);
		if (t[i] < 0)
			return -1;
	}
	if (o->tmpfs)
		return 0;
	/* The upper's root is the container's /: the top layer's mode. */
	if (fstat(t[0], &top) < 0)
		return ct_fail(e, errno, "stat the rootfs layer %s", o->lower[0].path);
	return dir_tree(o, top.st_mode & 07777, owner, t + o->n_lower, e);
}

static int overlay_layers(const struct step_overlay *o, int *lower, struct ct_err *e)
{
	for (size_t i = 0; i < o->n_lower; i++) {
		lower[i] = open_checked(o->lower[i].path, O_DIRECTORY, o->lower[i].dev,
					o->lower[i].ino, "the rootfs layer", e);
		if (lower[i] < 0)
			return -1;
	}
	return 0;
}

static int overlay_config(const struct step_overlay *o, int fs, const int *lower, int upper,
			  int work, struct ct_err *e)
{
	char opt[SPEC_MAX_LAYERS * 32] = "", path[64];
	size_t len = 0;

	for (size_t i = 0; i < o->n_lower; i++) {
		fd_path(path, sizeof path, lower[i], "");
		len += (size_t)snprintf(opt + len, sizeof opt - len, "%s%s", i ? ":" : "", path);
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", opt, 0) < 0)
		return fs_fail(fs, e, errno, "overlay: lowerdir");
	fd_path(path, sizeof path, upper, "");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", path, 0) < 0)
		return fs_fail(fs, e, errno, "overlay: upperdir");
	fd_path(path, sizeof path, work, "");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "workdir", path, 0) < 0)
		return fs_fail(fs, e, errno, "overlay: workdir");
	if (o->userxattr && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return fs_fail(fs, e, errno, "overlay: userxattr");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		return 0;
	if (errno == EBUSY && !o->tmpfs)
		return fs_fail(fs, e, errno, "overlay: its upper directory is another overlay's "
					     "(is another run of this spec alive?)");
	return fs_fail(fs, e, errno, "create the overlay");
}

/* The trees the parent made (STEP_LAYERS_IDMAP), taken from trees:
 * overlayfs takes a layer, an upper and a work directory only on a
 * mount of the mounter's own mount namespace (clone_private_mount), so
 * each detached tree is attached in the child's, on /dev (any
 * directory of the old root but its / would do: that old root goes at
 * STEP_UMOUNT_OLD with all mounted below it, but a mount stacked on
 * its / would stay stacked on the new root's, above the old root the
 * detach looks for). The descriptors keep giving the trees. */
static int overlay_given(const struct step_overlay *o, int *trees, int *lower, int *upper,
			 int *work, struct ct_err *e)
{
	cleanup_close int at = open2(AT_FDCWD, "/dev", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
	int *t = trees + o->first_tree;
	size_t n = o->n_lower + (o->tmpfs ? 0 : 1);

	if (at < 0)
		return ct_fail(e, errno, "open the old root's /dev to attach the rootfs layers on");
	for (size_t i = 0; i < n; i++)
		if (move_mount(t[i], "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return ct_fail(e, errno, "attach %s %s in the container's mount namespace",
				       i < o->n_lower ? "the idmapped rootfs layer" : "the overlay directory",
				       i < o->n_lower ? o->lower[i].path : o->dir);
	for (size_t i = 0; i < o->n_lower; i++) {
		lower[i] = t[i];
		t[i] = -1;
	}
	if (!o->tmpfs) {
		/* Attached: the clone stays where it is without it. */
		close(t[o->n_lower]);
		*upper = t[o->n_lower + 1];
		*work = t[o->n_lower + 2];
		t[o->n_lower] = t[o->n_lower + 1] = t[o->n_lower + 2] = -1;
	}
	return 0;
}

int mnt_overlay_open(const struct step_overlay *o, int *trees, struct ct_err *e)
{
	int lower[SPEC_MAX_LAYERS];
	cleanup_close int upper = -1, work = -1, fs = -1;
	int tree = -1;
	struct stat top;

	for (size_t i = 0; i < SPEC_MAX_LAYERS; i++)
		lower[i] = -1;
	if ((o->idmapped ? overlay_given(o, trees, lower, &upper, &work, e)
			 : overlay_layers(o, lower, e)) < 0 ||
	    fstat(lower[0], &top) < 0)
		goto out;
	/* The upper's root is the container's /: the top layer's mode. */
	if (o->tmpfs ? upper_tmpfs(o, lower[0], &upper, &work, top.st_mode & 07777, e) < 0
		     : !o->idmapped && upper_dir(o, &upper, &work, top.st_mode & 07777, NULL, NULL, e) < 0)
		goto out;
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0) {
		ct_fail(e, errno, "fsopen overlay%s", errno == ENODEV ? " (no overlayfs in this "
							       "kernel: modprobe overlay)" : "");
		goto out;
	}
	if (overlay_config(o, fs, lower, upper, work, e) < 0)
		goto out;
	/* nodev as a plain rootfs's copy; the layers' own mounts' flags
	 * stay theirs. */
	tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
	if (tree < 0)
		ct_fail(e, errno, "fsmount the overlay");
out:
	for (size_t i = 0; i < o->n_lower; i++)
		if (lower[i] >= 0)
			close(lower[i]);
	return tree;
}

/* proc or sysfs, made detached (fd), attached after pivot_root on a
 * directory opened with no link followed: a link the rootfs put at /proc
 * is refused, never followed. The caller keeps fd: it is this mount
 * whatever is renamed later, and the masks are found from it. */
int mnt_attach_anchor(int fd, const char *target, struct ct_err *e)
{
	cleanup_close int dir = open2(AT_FDCWD, target, O_PATH | O_DIRECTORY | O_NOFOLLOW,
				      RESOLVE_NO_SYMLINKS);
	struct statfs sf;

	if (dir < 0 && errno == ENOENT && mkdir(target, 0755) == 0)
		dir = open2(AT_FDCWD, target, O_PATH | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
	if (dir < 0) {
		int err = errno;
		struct stat st;

		if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode))
			return ct_fail(e, 0, "mount on %s: the target is a symbolic link in the rootfs",
				       target);
		return ct_fail(e, err, "open the mount point %s with no link followed", target);
	}
	if (fstatfs(fd, &sf) < 0)
		return ct_fail(e, errno, "statfs the file system for %s", target);
	if (sf.f_type != PROC_SUPER_MAGIC && sf.f_type != SYSFS_MAGIC)
		return ct_fail(e, 0, "the file system for %s is not proc or sysfs", target);
	if (move_mount(fd, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "mount on %s", target);
	return 0;
}

/* One mask, found from the proc or sysfs mount's descriptor: /dev/null
 * bound over a file, an empty read-only tmpfs over a directory, or the
 * thing itself bound read-only: beneath it,
 * no link followed, on that same mount (RESOLVE_NO_XDEV, so it is that
 * proc or sysfs and nothing mounted over a part of it). A path the
 * running kernel lacks is skipped: procfs and sysfs are the kernel's, so
 * the rootfs can no longer make one seem absent. Anything else fails the
 * run: a mask that cannot be applied is never skipped. */
int mnt_mask(int anchor, const char *rel, const char *target, int how, struct ct_err *e)
{
	/* Not closed here: the workdir step closes every descriptor of the
	 * setup with one close_range (two calls a mask fewer), and all are
	 * close-on-exec in any case. */
	int dst = open2(anchor, rel, O_PATH | O_NOFOLLOW,
			RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
	int tree;
	struct stat st;

	if (dst < 0 && errno == ENOENT)
		return 0;
	if (dst < 0)
		return ct_fail(e, errno, "mask %s", target);
	if (how == MNT_MASK_READONLY) {
		struct mount_attr attr = {
			.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				    MOUNT_ATTR_NOEXEC,
		};

		tree = open_tree(dst, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
					  AT_RECURSIVE);
		if (tree < 0 ||
		    mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
			return ct_fail(e, errno, "make %s read-only", target);
	} else {
		/* The kind of mask must be the kind of file: the kernel would
		 * refuse a directory on a file, and a mask must never fail
		 * quietly. */
		if (fstat(dst, &st) < 0)
			return ct_fail(e, errno, "mask %s", target);
		if (S_ISDIR(st.st_mode) != (how == MNT_MASK_DIR))
			return ct_fail(e, 0, "mask %s: it is %sa directory", target,
				       S_ISDIR(st.st_mode) ? "" : "not ");
		if (how == MNT_MASK_DIR) {
			tree = mnt_fs_open("tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, e);
			if (tree < 0)
				return -1;
		} else {
			struct stat null;

			/* /dev/null is looked up by name in the container's
			 * /dev, so what was found is checked to be the null
			 * device: a rootfs that moved /dev gets a failed run,
			 * never a mask of its own choosing. */
			tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
			if (tree < 0 || fstat(tree, &null) < 0)
				return ct_fail(e, errno, "mask %s: open_tree /dev/null", target);
			if (!S_ISCHR(null.st_mode) || null.st_rdev != makedev(1, 3))
				return ct_fail(e, 0, "mask %s: /dev/null is not the null device", target);
		}
	}
	if (move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ct_fail(e, errno, "mask %s", target);
	return 0;
}

int mnt_umount_old_root(struct ct_err *e)
{
	/* Make the old root private first: a detach of a shared mount
	 * would propagate the unmount to the host's namespace. */
	if (mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ct_fail(e, errno, "make the old root private");
	if (umount2(".", MNT_DETACH) < 0)
		return ct_fail(e, errno, "umount the old root");
	if (chdir("/") < 0)
		return ct_fail(e, errno, "chdir /");
	return 0;
}

int mnt_mknod(const char *path, unsigned mode, unsigned major, unsigned minor,
	      struct ct_err *e)
{
	if (mknod(path, S_IFCHR | mode, makedev(major, minor)) < 0)
		return ct_fail(e, errno, "mknod %s", path);
	/* mknod honours the umask; the node's mode must be what we asked. */
	if (chmod(path, mode) < 0)
		return ct_fail(e, errno, "chmod %s", path);
	return 0;
}

int mnt_symlink(const char *target, const char *linkpath, struct ct_err *e)
{
	if (symlink(target, linkpath) < 0)
		return ct_fail(e, errno, "symlink %s -> %s", linkpath, target);
	return 0;
}
