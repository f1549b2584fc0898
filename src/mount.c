/* Mounts and the file system of the new root. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount.h"
#include "util.h"

/* mkdir -p for a mount target that the rootfs lacks (a fresh tmpfs on
 * /dev has no pts/ or shm/). */
static int mkdir_p(const char *path)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(copy, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, struct ct_err *e)
{
	/* A propagation change needs no target of its own. */
	bool make_target = source != NULL;

	if (mount(source ? source : "none", target, fstype, flags, data) == 0)
		return 0;
	if (errno == ENOENT && make_target && mkdir_p(target) == 0 &&
	    mount(source, target, fstype, flags, data) == 0)
		return 0;
	return ct_fail(e, errno, "mount %s on %s", source ? source : "none", target);
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
