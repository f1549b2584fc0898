/* A rootfs read by descriptor, one entry at a time, in a fixed order:
 * each directory, then its entries sorted by name (bytes), depth
 * first. Every name is opened relative to its directory's descriptor
 * with O_NOFOLLOW, so a symlink of a hostile rootfs is read as a link
 * and never followed to the host's files. Reads only (probe). */
#ifndef CTLAUNCH_ROOTFS_WALK_H
#define CTLAUNCH_ROOTFS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "err.h"

struct walk_entry {
	char *path;          /* relative to the rootfs: "etc/passwd" */
	struct stat st;      /* lstat's; a regular file's from its open descriptor */
	char *link;          /* a symlink's target, else NULL */
	int fd;              /* a regular file, open for reading; else -1 */
	bool mount_point;    /* a directory of another file system: not entered */
};

struct walk {
	struct walk_dir {
		int fd;
		char *path;      /* "" for the root */
		char **names;    /* sorted */
		size_t n, i;
	} *stack;
	size_t depth, cap;
	dev_t dev;           /* the rootfs's file system */
	dev_t skip_dev;      /* a directory not to walk (the output's), by */
	ino_t skip_ino;      /* device and inode; 0, 0: none */
};

/* Start at the directory root (a descriptor, duplicated: the caller
 * keeps its own); skip_dev and skip_ino name a directory the walk must
 * refuse to read (where the output goes). -1 with e. */
int walk_open(struct walk *w, int root, dev_t skip_dev, ino_t skip_ino, struct ct_err *e);

/* The next entry: 1 with *out filled (walk_entry_free it), 0 at the
 * end, -1 with e naming the path. Sockets are not entries (no archive
 * holds one): *sockets counts them. */
int walk_next(struct walk *w, struct walk_entry *out, size_t *sockets, struct ct_err *e);

void walk_entry_free(struct walk_entry *en);
void walk_close(struct walk *w);

#endif
