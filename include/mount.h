/* The container's file system: mounts, pivot_root, device nodes. Used
 * only by the executor, in the child, inside its own mount namespace. */
#ifndef CTLAUNCH_MOUNT_H
#define CTLAUNCH_MOUNT_H

#include "err.h"

int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, struct ct_err *e);
int mnt_pivot_root(const char *new_root, struct ct_err *e);
int mnt_umount_old_root(struct ct_err *e);
int mnt_mknod(const char *path, unsigned mode, unsigned major, unsigned minor,
	      struct ct_err *e);
int mnt_symlink(const char *target, const char *linkpath, struct ct_err *e);

#endif
