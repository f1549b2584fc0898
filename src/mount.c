/* Mounts and the file system of the new root. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "util.h"

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

int mnt_tree_open(const char *source, bool readonly, bool device, struct ct_err *e)
{
	int fd = open_tree(AT_FDCWD, source,
			   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (device ? 0 : AT_RECURSIVE));
	/* nodev as on the rootfs: a device node in a host directory must
	 * not become a way to the host's devices. */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0),
	};

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

/* pivot_root(".", ".") stacks the old root on top of the new one at /;
 * unmounting "." then takes the old root away. No put_old directory is
 * needed in the rootfs, so a read-only rootfs works and nothing is left
 * in it (the trick runc and LXC use). */
int mnt_pivot_root(const char *new_root, struct ct_err *e)
{
	if (chdir(new_root) < 0)
		return ct_fail(e, errno, "chdir %s", new_root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ct_fail(e, errno, "pivot_root %s", new_root);
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
