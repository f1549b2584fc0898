/* The container's file system: mounts, pivot_root, device nodes. Used
 * only by the executor, in the child, inside its own mount namespace. */
#ifndef CTLAUNCH_MOUNT_H
#define CTLAUNCH_MOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* optional: a target that does not exist is skipped, not created. */
int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, bool optional, struct ct_err *e);
/* A detached copy of the mount tree at source (open_tree), nodev and
 * made read-only when asked; its fd, or -1. device: one device node of
 * the host's, copied alone and left as it is (rootless /dev). */
int mnt_tree_open(const char *source, bool readonly, bool device, uint64_t dev, uint64_t ino,
		  struct ct_err *e);
/* A new mount of fstype (no options), detached (fsopen, fsmount), with
 * the MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC of flags; its fd, or -1. */
int mnt_fs_open(const char *fstype, unsigned long flags, struct ct_err *e);
/* Attach such a copy at target, made first (a directory, or an empty
 * file for a file) when missing. */
int mnt_tree_attach(int fd, const char *target, struct ct_err *e);
/* Open new_root with no link followed, check its device and inode (ino
 * 0: unchecked), move a nodev copy onto it by descriptor, pivot_root. */
int mnt_pivot_root(const char *new_root, uint64_t dev, uint64_t ino, struct ct_err *e);

/* The same in two halves, for a child that may not look new_root up
 * (root's user namespace: it has the range's ids on the host). The
 * parent makes the checked, nodev copy (a tree descriptor, or -1); the
 * child attaches it and pivots into it. */
int mnt_root_open(const char *new_root, uint64_t dev, uint64_t ino, struct ct_err *e);
int mnt_pivot_root_tree(int tree, const char *new_root, struct ct_err *e);
/* The overlay of o's layers, by descriptor, detached: its tree
 * descriptor for mnt_pivot_root_tree, or -1. Allocates nothing (a
 * rootless child runs it). */
struct step_overlay;
int mnt_overlay_open(const struct step_overlay *o, int *trees, struct ct_err *e);
/* Root's userns: true: o's layers as idmapped mounts made with child's
 * user namespace, and with DIR, DIR/upper and DIR/work owner's (uid,
 * gid), into trees from o->first_tree. */
int mnt_layers_idmap(const struct step_overlay *o, pid_t child, const uint32_t *owner,
		     int *trees, struct ct_err *e);
/* Attach proc or sysfs fd at target, opened with no link followed; the
 * caller keeps fd for mnt_mask. */
int mnt_attach_anchor(int fd, const char *target, struct ct_err *e);
enum { MNT_MASK_FILE, MNT_MASK_DIR, MNT_MASK_READONLY }; /* as plan.h's MASK_* */
/* Mask rel below anchor (target: its name for messages): /dev/null over
 * a file, an empty read-only tmpfs over a directory, or read-only. */
int mnt_mask(int anchor, const char *rel, const char *target, int how, struct ct_err *e);
int mnt_umount_old_root(struct ct_err *e);
int mnt_mknod(const char *path, unsigned mode, unsigned major, unsigned minor,
	      struct ct_err *e);
int mnt_symlink(const char *target, const char *linkpath, struct ct_err *e);

#endif
