/* A tar archive's headers, for the layer of an OCI image: POSIX ustar,
 * with a pax extended header before an entry whose path, link, size,
 * owner or time does not fit ustar's fields. Pure: this makes the
 * bytes, the caller writes them. */
#ifndef CTLAUNCH_TAR_H
#define CTLAUNCH_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TAR_BLOCK 512

enum tar_type { TAR_FILE, TAR_HARDLINK, TAR_SYMLINK, TAR_CHAR, TAR_BLOCKDEV, TAR_DIR, TAR_FIFO };

struct tar_entry {
	enum tar_type type;
	const char *path;        /* relative, no leading "/" or "./"; a directory's
				  * without the final "/" (tar_header adds it) */
	const char *link;        /* a symlink's target; a hard link's first path */
	unsigned mode;           /* permission bits, with set-id and sticky: 07777 */
	uint64_t uid, gid;
	uint64_t size;           /* a regular file's; 0 for the rest */
	int64_t mtime;           /* seconds since the epoch */
	unsigned devmajor, devminor;
};

/* The header blocks of e, allocated in *out (*len bytes, a multiple of
 * TAR_BLOCK): a pax extended header ('x') and its records first when a
 * value does not fit ustar (a path longer than ustar's 100 + 155 bytes
 * split, a link longer than 100, a size of 8 GiB or more, an id of
 * 2^21 or more, a time before 1970 or after 2242); then the ustar
 * header. -1 with e for an entry no tar header can hold. */
int tar_header(const struct tar_entry *te, unsigned char **out, size_t *len, struct ct_err *e);

/* Zero bytes after size bytes of content, up to the next block. */
size_t tar_padding(uint64_t size);

/* The end of an archive: two blocks of zeros. */
#define TAR_END_LEN (2 * TAR_BLOCK)

/* The files seen with more than one link, by device and inode: the
 * second path of one becomes a hard link to the first. */
struct tar_links {
	struct tar_link {
		uint64_t dev, ino;
		char *path;
	} *v;
	size_t n, cap;       /* cap: a power of two, or 0 */
};

/* The first path recorded for (dev, ino), or NULL after recording path
 * as that first one. */
const char *tar_link_seen(struct tar_links *l, uint64_t dev, uint64_t ino, const char *path);
void tar_links_free(struct tar_links *l);

#endif
