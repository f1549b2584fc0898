/* --export-image: the layout written in a directory of its own. The
 * layer is streamed: each entry of the walk (rootfs_walk.c, by
 * descriptor) becomes its tar header (tar.c) and its content, hashed
 * as it is written to a temporary blob, which is then renamed to its
 * digest. The JSON documents (oci_image.c) follow, index.json last:
 * a layout with an index is a whole one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image.h"
#include "rootfs_walk.h"
#include "tar.h"
#include "util.h"
#include "util_fd.h"

#define LAYER_TMP "layer.tmp"
#define OUT_BUF (128 * 1024)

/* The layer being written: buffered, hashed, counted. */
struct out {
	int fd;
	struct sha256 hash;
	uint64_t size;
	size_t n;
	unsigned char buf[OUT_BUF];
};

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

static int out_flush(struct out *o, struct ct_err *e)
{
	if (write_all(o->fd, o->buf, o->n) < 0)
		return ct_fail(e, errno, "blobs/sha256/" LAYER_TMP ": cannot write");
	o->n = 0;
	return 0;
}

static int out_put(struct out *o, const void *data, size_t len, struct ct_err *e)
{
	const unsigned char *p = data;

	sha256_update(&o->hash, p, len);
	o->size += len;
	while (len) {
		size_t k = OUT_BUF - o->n < len ? OUT_BUF - o->n : len;

		memcpy(o->buf + o->n, p, k);
		o->n += k, p += k, len -= k;
		if (o->n == OUT_BUF && out_flush(o, e) < 0)
			return -1;
	}
	return 0;
}

static int out_zeros(struct out *o, size_t len, struct ct_err *e)
{
	static const unsigned char zero[TAR_END_LEN];

	return out_put(o, zero, len, e);
}

/* A regular file's content: exactly the size its header says. A file
 * that shrinks meanwhile fails the export; one that grows is cut. */
static int put_content(struct out *o, const struct walk_entry *en, struct ct_err *e)
{
	uint64_t left = (uint64_t)en->st.st_size;
	unsigned char buf[65536];

	while (left) {
		ssize_t n = read(en->fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ct_fail(e, errno, "/%s: cannot read it", en->path);
		if (n == 0)
			return ct_fail(e, 0, "/%s: it shrank while being read", en->path);
		if (out_put(o, buf, (size_t)n, e) < 0)
			return -1;
		left -= (uint64_t)n;
	}
	return out_zeros(o, tar_padding((uint64_t)en->st.st_size), e);
}

static enum tar_type entry_type(const struct walk_entry *en)
{
	switch (en->st.st_mode & S_IFMT) {
	case S_IFDIR: return TAR_DIR;
	case S_IFLNK: return TAR_SYMLINK;
	case S_IFCHR: return TAR_CHAR;
	case S_IFBLK: return TAR_BLOCKDEV;
	case S_IFIFO: return TAR_FIFO;
	}
	return TAR_FILE;
}

/* One entry of the walk as tar header and content. */
static int put_entry(struct out *o, const struct image_opts *io, struct tar_links *links,
		     const struct walk_entry *en, int64_t *newest, struct ct_err *e)
{
	struct tar_entry te = {
		.type = entry_type(en), .path = en->path, .link = en->link,
		.mode = en->st.st_mode & 07777, .uid = en->st.st_uid, .gid = en->st.st_gid,
		.mtime = en->st.st_mtime,
	};
	cleanup_free unsigned char *h = NULL;
	size_t len;

	if (io->has_epoch && te.mtime > io->epoch)
		te.mtime = io->epoch;
	if (te.mtime > *newest)
		*newest = te.mtime;
	if (te.type == TAR_CHAR || te.type == TAR_BLOCKDEV)
		te.devmajor = major(en->st.st_rdev), te.devminor = minor(en->st.st_rdev);
	if (te.type == TAR_FILE && en->st.st_nlink > 1 &&
	    (te.link = tar_link_seen(links, en->st.st_dev, en->st.st_ino, en->path)))
		te.type = TAR_HARDLINK;
	if (te.type == TAR_FILE)
		te.size = (uint64_t)en->st.st_size;
	if (tar_header(&te, &h, &len, e) < 0 || out_put(o, h, len, e) < 0)
		return -1;
	return te.type == TAR_FILE ? put_content(o, en, e) : 0;
}

/* The walk of the rootfs into o, then the archive's end. */
static int put_layer(struct out *o, int root, int outdir, const struct image_opts *io,
		     struct image_result *r, struct ct_err *e)
{
	struct tar_links links = { 0 };
	struct walk w;
	struct walk_entry en;
	struct stat st;
	int rc;

	if (fstat(outdir, &st) < 0)
		return ct_fail(e, errno, "fstat");
	if (walk_open(&w, root, st.st_dev, st.st_ino, e) < 0)
		return -1;
	while ((rc = walk_next(&w, &en, &r->sockets, e)) > 0) {
		r->mount_points += en.mount_point;
		r->entries++;
		rc = put_entry(o, io, &links, &en, &r->newest, e);
		walk_entry_free(&en);
		if (rc < 0)
			break;
	}
	walk_close(&w);
	tar_links_free(&links);
	if (rc < 0)
		return ct_wrap(e, "the rootfs");
	return out_zeros(o, TAR_END_LEN, e) < 0 ? -1 : out_flush(o, e);
}

/* The layer blob: written as LAYER_TMP, renamed to its digest. */
static int write_layer(int root, int outdir, int sha, const struct image_opts *io,
		       struct image_result *r, struct ct_err *e)
{
	struct out *o = xmalloc(sizeof *o);
	int rc;

	o->n = 0;
	o->size = 0;
	sha256_init(&o->hash);
	o->fd = openat(sha, LAYER_TMP, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		free(o);
		return ct_fail(e, errno, "blobs/sha256/" LAYER_TMP ": cannot create it");
	}
	rc = put_layer(o, root, outdir, io, r, e);
	if (close(o->fd) < 0 && rc == 0)
		rc = ct_fail(e, errno, "blobs/sha256/" LAYER_TMP ": cannot write");
	r->layer.size = o->size;
	sha256_hex(&o->hash, r->layer.hex);
	free(o);
	if (rc == 0 && renameat(sha, LAYER_TMP, sha, r->layer.hex) < 0)
		rc = ct_fail(e, errno, "blobs/sha256/%s: cannot rename the layer to it", r->layer.hex);
	return rc;
}

/* A new file of dir holding text. */
static int write_file(int dir, const char *name, const char *text, struct ct_err *e)
{
	cleanup_close int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, (const unsigned char *)text, strlen(text)) < 0)
		return ct_fail(e, errno, "%s: cannot write it", name);
	if (close(take_fd(&fd)) < 0)
		return ct_fail(e, errno, "%s: cannot write it", name);
	return 0;
}

/* A JSON document (freed here) as a blob named by its digest; its
 * descriptor in b. */
static int write_blob(int sha, char *text, struct oci_blob *b, struct ct_err *e)
{
	int rc;

	b->size = strlen(text);
	sha256_hex_of(text, b->size, b->hex);
	rc = write_file(sha, b->hex, text, e);
	free(text);
	return rc < 0 ? ct_wrap(e, "blobs/sha256") : 0;
}

/* The documents after the layer; index.json last. */
static int write_docs(const struct spec *spec, int outdir, int sha, struct image_result *r,
		      struct ct_err *e)
{
	struct oci_image_opts oo = { .arch = oci_arch(), .layer_diff = r->layer.hex,
				     .created = r->newest };
	struct oci_blob config;

	if (!oo.arch)
		return ct_fail(e, 0, "no OCI architecture name for this machine");
	if (write_blob(sha, oci_image_config(spec, &oo), &config, e) < 0 ||
	    write_blob(sha, oci_image_manifest(&config, &r->layer), &r->manifest, e) < 0 ||
	    write_file(outdir, "oci-layout", oci_image_layout(), e) < 0)
		return -1;
	cleanup_free char *index = oci_image_index(&r->manifest, spec->name);

	return write_file(outdir, "index.json", index, e);
}

/* dir, made or opened; it must be empty. *made: it was made here. */
static int open_outdir(const char *dir, bool *made, struct ct_err *e)
{
	cleanup_close int fd = -1;
	struct dirent *de;
	DIR *d;

	*made = mkdir(dir, 0755) == 0;
	if (!*made && errno != EEXIST)
		return ct_fail(e, errno, "%s: cannot make the directory", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ct_fail(e, errno, "%s: cannot open the directory", dir);
	if (*made)
		return take_fd(&fd);
	d = fdopendir(openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!d)
		return ct_fail(e, errno, "%s: cannot read the directory", dir);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			closedir(d);
			return ct_fail(e, 0, "%s: the directory is not empty", dir);
		}
	closedir(d);
	return take_fd(&fd);
}

/* After a failure: what this export wrote goes (dir was empty before,
 * so all that is in blobs/sha256 is its own). */
static void undo(const char *dir, int outdir, bool made)
{
	cleanup_close int sha = openat(outdir, "blobs/sha256",
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = sha >= 0 ? fdopendir(openat(sha, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(sha, de->d_name, 0);
	if (d)
		closedir(d);
	unlinkat(outdir, "blobs/sha256", AT_REMOVEDIR);
	unlinkat(outdir, "blobs", AT_REMOVEDIR);
	unlinkat(outdir, "oci-layout", 0);
	unlinkat(outdir, "index.json", 0);
	if (made)
		rmdir(dir);
}

/* The rootfs spec_check() resolved, and no other. */
static int open_rootfs(const struct spec *spec, struct ct_err *e)
{
	cleanup_close int fd = open(spec->rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return ct_fail(e, errno, "%s: cannot open the rootfs", spec->rootfs);
	if (st.st_dev != spec->rootfs_dev || st.st_ino != spec->rootfs_ino)
		return ct_fail(e, 0, "%s: the rootfs was replaced since it was checked", spec->rootfs);
	return take_fd(&fd);
}

int image_export(const struct spec *spec, const char *dir, const struct image_opts *o,
		 struct image_result *r, struct ct_err *e)
{
	cleanup_close int root = open_rootfs(spec, e);
	cleanup_close int outdir = -1, sha = -1;
	bool made = false;

	*r = (struct image_result){ 0 };
	if (root < 0)
		return -1;
	outdir = open_outdir(dir, &made, e);
	if (outdir < 0)
		return -1;
	if (mkdirat(outdir, "blobs", 0755) < 0 || mkdirat(outdir, "blobs/sha256", 0755) < 0 ||
	    (sha = openat(outdir, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC)) < 0)
		ct_fail(e, errno, "blobs/sha256: cannot make the directory");
	else if (write_layer(root, outdir, sha, o, r, e) == 0 &&
		 write_docs(spec, outdir, sha, r, e) == 0)
		return 0;
	ct_wrap(e, "%s", dir);
	undo(dir, outdir, made);
	return -1;
}
