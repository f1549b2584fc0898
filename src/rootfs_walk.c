/* The rootfs, entry by entry, by descriptor. The rootfs is not
 * trusted: its owner may have put symlinks to the host's files in it,
 * or swap a file for one while the walk runs. So a name is looked up
 * only in its directory's descriptor, with AT_SYMLINK_NOFOLLOW or
 * O_NOFOLLOW; a directory is entered through the descriptor openat
 * gives, after checking that it is the directory fstatat saw; a
 * regular file is opened O_PATH first and reopened for reading only
 * once fstat says it is that regular file (opening a device node or
 * FIFO could block or act on a device). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "rootfs_walk.h"
#include "util.h"
#include "util_fd.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd but . and .., sorted. fd stays open. */
static int read_names(int fd, const char *path, struct walk_dir *d, struct ct_err *e)
{
	int dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t cap = 0;
	DIR *dir;
	struct dirent *de;

	if (dup < 0 || !(dir = fdopendir(dup))) {
		if (dup >= 0)
			close(dup);
		return ct_fail(e, errno, "/%s: cannot read the directory", path);
	}
	errno = 0;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (d->n == cap) {
			cap = cap ? 2 * cap : 16;
			d->names = xrealloc(d->names, cap * sizeof *d->names);
		}
		d->names[d->n++] = xstrdup(de->d_name);
	}
	if (errno) {
		int err = errno;

		closedir(dir);
		return ct_fail(e, err, "/%s: cannot read the directory", path);
	}
	closedir(dir);
	if (d->n)
		qsort(d->names, d->n, sizeof *d->names, cmp_names);
	return 0;
}

static void dir_free(struct walk_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	for (size_t i = 0; i < d->n; i++)
		free(d->names[i]);
	free(d->names);
	free(d->path);
}

/* Enter directory fd (owned from here) at path. */
static int push(struct walk *w, int fd, const char *path, struct ct_err *e)
{
	struct walk_dir d = { .fd = fd, .path = xstrdup(path) };

	if (read_names(fd, path, &d, e) < 0) {
		dir_free(&d);
		return -1;
	}
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->stack = xrealloc(w->stack, w->cap * sizeof *w->stack);
	}
	w->stack[w->depth++] = d;
	return 0;
}

int walk_open(struct walk *w, int root, dev_t skip_dev, ino_t skip_ino, struct ct_err *e)
{
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	*w = (struct walk){ .skip_dev = skip_dev, .skip_ino = skip_ino };
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return ct_fail(e, errno, "the rootfs: cannot open it");
	}
	w->dev = st.st_dev;
	return push(w, fd, "", e);
}

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT);
}

/* A directory: entered unless it is another file system's (a mount
 * point stays an empty directory, as tar --one-file-system makes it). */
static int enter(struct walk *w, int dir, struct walk_entry *en, struct ct_err *e)
{
	int fd;
	struct stat st;

	if (en->st.st_dev == w->skip_dev && en->st.st_ino == w->skip_ino)
		return ct_fail(e, 0, "/%s: the image's directory is in the rootfs", en->path);
	if (en->st.st_dev != w->dev) {
		en->mount_point = true;
		return 0;
	}
	fd = openat(dir, strrchr(en->path, '/') ? strrchr(en->path, '/') + 1 : en->path,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !same(&st, &en->st)) {
		int err = fd < 0 ? errno : EAGAIN;

		if (fd >= 0)
			close(fd);
		return ct_fail(e, err, "/%s: cannot open the directory%s", en->path,
			       err == EAGAIN ? " (it changed while being read)" : "");
	}
	return push(w, fd, en->path, e);
}

/* A regular file, opened for reading as the very file fstatat saw. */
static int open_file(int dir, const char *name, struct walk_entry *en, struct ct_err *e)
{
	cleanup_close int pfd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (pfd < 0)
		return ct_fail(e, errno, "/%s: cannot open it", en->path);
	if (fstat(pfd, &st) < 0 || !same(&st, &en->st))
		return ct_fail(e, EAGAIN, "/%s: it changed while being read", en->path);
	en->fd = fd_reopen(pfd, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (en->fd < 0 || fstat(en->fd, &en->st) < 0 || !same(&st, &en->st))
		return ct_fail(e, en->fd < 0 ? errno : EAGAIN, "/%s: cannot open it", en->path);
	return 0;
}

static int read_link(int dir, const char *name, struct walk_entry *en, struct ct_err *e)
{
	/* st_size is the target's length, but may have changed: one byte
	 * more tells a longer one. */
	size_t size = (size_t)en->st.st_size + 2;
	ssize_t n;

	if (size > 65536)
		return ct_fail(e, 0, "/%s: a symlink too long", en->path);
	en->link = xmalloc(size);
	n = readlinkat(dir, name, en->link, size);
	if (n < 0)
		return ct_fail(e, errno, "/%s: cannot read the symlink", en->path);
	if ((size_t)n >= size - 1)
		return ct_fail(e, EAGAIN, "/%s: it changed while being read", en->path);
	en->link[n] = '\0';
	return 0;
}

/* What the name is decides how it is read; 1: an entry, 0: a socket. */
static int read_entry(struct walk *w, struct walk_dir *d, const char *name,
		      struct walk_entry *en, struct ct_err *e)
{
	en->fd = -1;
	en->path = d->path[0] ? xasprintf("%s/%s", d->path, name) : xstrdup(name);
	if (fstatat(d->fd, name, &en->st, AT_SYMLINK_NOFOLLOW) < 0)
		return ct_fail(e, errno, "/%s: cannot read it", en->path);
	switch (en->st.st_mode & S_IFMT) {
	case S_IFDIR:
		return enter(w, d->fd, en, e) < 0 ? -1 : 1;
	case S_IFREG:
		return open_file(d->fd, name, en, e) < 0 ? -1 : 1;
	case S_IFLNK:
		return read_link(d->fd, name, en, e) < 0 ? -1 : 1;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		return 1;
	case S_IFSOCK:
		return 0;
	}
	return ct_fail(e, 0, "/%s: a file of unknown type %o", en->path,
		       (unsigned)(en->st.st_mode & S_IFMT));
}

int walk_next(struct walk *w, struct walk_entry *out, size_t *sockets, struct ct_err *e)
{
	while (w->depth) {
		struct walk_dir *d = &w->stack[w->depth - 1];
		int rc;

		if (d->i == d->n) {
			dir_free(d);
			w->depth--;
			continue;
		}
		*out = (struct walk_entry){ .fd = -1 };
		/* enter() may grow the stack: d is not used after it. */
		rc = read_entry(w, d, d->names[d->i++], out, e);
		if (rc == 1)
			return 1;
		walk_entry_free(out);
		if (rc < 0)
			return -1;
		(*sockets)++;
	}
	return 0;
}

void walk_entry_free(struct walk_entry *en)
{
	if (en->fd >= 0)
		close(en->fd);
	free(en->path);
	free(en->link);
	*en = (struct walk_entry){ .fd = -1 };
}

void walk_close(struct walk *w)
{
	while (w->depth)
		dir_free(&w->stack[--w->depth]);
	free(w->stack);
	w->stack = NULL;
	w->cap = 0;
}
