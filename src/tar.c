/* ustar headers (POSIX.1-2001 "pax" format, of which ustar is the
 * base) and their pax extended headers. Every value that ustar's octal
 * fields or its 100-byte name cannot hold goes into a pax record
 * instead, so any file of a rootfs has an exact header; the ustar
 * fields then hold what fits, for readers that ignore pax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"
#include "util.h"

/* The ustar header's fields: offset and length. */
enum {
	F_NAME = 0, L_NAME = 100, F_MODE = 100, F_UID = 108, F_GID = 116, L_ID = 8,
	F_SIZE = 124, F_MTIME = 136, L_NUM = 12, F_CHKSUM = 148, F_TYPE = 156,
	F_LINK = 157, L_LINK = 100, F_MAGIC = 257, F_VERSION = 263, F_DEVMAJOR = 329,
	F_DEVMINOR = 337, F_PREFIX = 345, L_PREFIX = 155,
};

/* The largest value an octal field of len bytes holds (len - 1 digits
 * and a NUL). */
static uint64_t octal_max(size_t len)
{
	return ((uint64_t)1 << (3 * (len - 1))) - 1;
}

static void octal(unsigned char *field, size_t len, uint64_t v)
{
	field[len - 1] = '\0';
	for (size_t i = len - 1; i-- > 0; v >>= 3)
		field[i] = (unsigned char)('0' + (v & 7));
}

/* A growing buffer of pax records. */
struct pax {
	char *buf;
	size_t len;
};

/* "LEN key=value\n", where LEN counts the whole record, its own digits
 * included. */
static void pax_add(struct pax *p, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3; /* ' ', '=', '\n' */
	size_t n = 0;

	/* The digits of the length are part of the length. */
	for (size_t digits = 1; digits < 20; digits++) {
		char tmp[24];

		n = body + digits;
		if ((size_t)snprintf(tmp, sizeof tmp, "%zu", n) == digits)
			break;
	}
	p->buf = xrealloc(p->buf, p->len + n + 1);
	snprintf(p->buf + p->len, n + 1, "%zu %s=%s\n", n, key, value);
	p->len += n;
}

static void pax_num(struct pax *p, const char *key, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	pax_add(p, key, tmp);
}

/* The path with a directory's "/": what the archive calls the entry. */
static char *entry_name(const struct tar_entry *te)
{
	return xasprintf("%s%s", te->path, te->type == TAR_DIR ? "/" : "");
}

/* ustar's name: the whole in name, or split at a '/' into prefix (up
 * to 155 bytes) and name (1 to 100). False when neither fits. */
static bool name_split(const char *name, unsigned char *h)
{
	size_t len = strlen(name);

	if (len <= L_NAME) {
		memcpy(h + F_NAME, name, len);
		return true;
	}
	for (size_t i = len - 1; i-- > 0;) {
		if (name[i] != '/')
			continue;
		if (len - i - 1 > L_NAME)
			return false;
		if (i <= L_PREFIX) {
			memcpy(h + F_PREFIX, name, i);
			memcpy(h + F_NAME, name + i + 1, len - i - 1);
			return true;
		}
	}
	return false;
}

static const char type_char[] = {
	[TAR_FILE] = '0', [TAR_HARDLINK] = '1', [TAR_SYMLINK] = '2', [TAR_CHAR] = '3',
	[TAR_BLOCKDEV] = '4', [TAR_DIR] = '5', [TAR_FIFO] = '6',
};

static void checksum(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + F_CHKSUM, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	/* Six digits, a NUL and a space, as every tar writes it. */
	octal(h + F_CHKSUM, 7, sum);
	h[F_CHKSUM + 7] = ' ';
}

/* The ustar header of te into h (zeroed, TAR_BLOCK bytes); what does not
 * fit is added to p. */
static void ustar(const struct tar_entry *te, const char *name, unsigned char *h, struct pax *p)
{
	size_t link_len = te->link ? strlen(te->link) : 0;
	uint64_t mtime = te->mtime < 0 ? 0 : (uint64_t)te->mtime;

	if (!name_split(name, h)) {
		/* The pax path names it; ustar's name, cut, says roughly what. */
		memcpy(h + F_NAME, name, L_NAME);
		pax_add(p, "path", name);
	}
	octal(h + F_MODE, L_ID, te->mode & 07777);
	if (te->uid > octal_max(L_ID))
		pax_num(p, "uid", te->uid);
	octal(h + F_UID, L_ID, te->uid > octal_max(L_ID) ? 0 : te->uid);
	if (te->gid > octal_max(L_ID))
		pax_num(p, "gid", te->gid);
	octal(h + F_GID, L_ID, te->gid > octal_max(L_ID) ? 0 : te->gid);
	if (te->size > octal_max(L_NUM))
		pax_num(p, "size", te->size);
	octal(h + F_SIZE, L_NUM, te->size > octal_max(L_NUM) ? 0 : te->size);
	if (te->mtime < 0 || mtime > octal_max(L_NUM)) {
		char tmp[24];

		snprintf(tmp, sizeof tmp, "%lld", (long long)te->mtime);
		pax_add(p, "mtime", tmp);
		mtime = 0;
	}
	octal(h + F_MTIME, L_NUM, mtime);
	h[F_TYPE] = (unsigned char)type_char[te->type];
	if (link_len > L_LINK) {
		pax_add(p, "linkpath", te->link);
		link_len = L_LINK;
	}
	if (link_len)
		memcpy(h + F_LINK, te->link, link_len);
	memcpy(h + F_MAGIC, "ustar", 6);
	memcpy(h + F_VERSION, "00", 2);
	octal(h + F_DEVMAJOR, L_ID, te->devmajor);
	octal(h + F_DEVMINOR, L_ID, te->devminor);
	checksum(h);
}

/* The 'x' header of records p for the entry te: its own name
 * is fixed ("PaxHeaders/" and the entry's last part), so that the
 * archive is the same from run to run. */
static void pax_header(const struct tar_entry *te, const struct pax *p, unsigned char *h)
{
	const char *base = strrchr(te->path, '/');
	char hname[L_NAME + 1];

	snprintf(hname, sizeof hname, "PaxHeaders/%s", base ? base + 1 : te->path);
	memcpy(h + F_NAME, hname, strlen(hname));
	octal(h + F_MODE, L_ID, 0644);
	octal(h + F_UID, L_ID, 0);
	octal(h + F_GID, L_ID, 0);
	octal(h + F_SIZE, L_NUM, p->len);
	octal(h + F_MTIME, L_NUM, te->mtime < 0 || (uint64_t)te->mtime > octal_max(L_NUM)
					  ? 0 : (uint64_t)te->mtime);
	h[F_TYPE] = 'x';
	memcpy(h + F_MAGIC, "ustar", 6);
	memcpy(h + F_VERSION, "00", 2);
	checksum(h);
}

int tar_header(const struct tar_entry *te, unsigned char **out, size_t *len, struct ct_err *e)
{
	cleanup_free char *name = NULL;
	unsigned char h[TAR_BLOCK] = { 0 };
	struct pax p = { 0 };
	size_t n;

	*out = NULL;
	*len = 0;
	if (!te->path[0])
		return ct_fail(e, 0, "tar: an entry without a name");
	if (te->devmajor > octal_max(L_ID) || te->devminor > octal_max(L_ID))
		return ct_fail(e, 0, "%s: device %u:%u: a number too large for a tar header",
			       te->path, te->devmajor, te->devminor);
	name = entry_name(te);
	ustar(te, name, h, &p);
	n = p.len ? TAR_BLOCK + p.len + tar_padding(p.len) + TAR_BLOCK : TAR_BLOCK;
	*out = xcalloc(1, n);
	if (p.len) {
		pax_header(te, &p, *out);
		memcpy(*out + TAR_BLOCK, p.buf, p.len);
	}
	memcpy(*out + n - TAR_BLOCK, h, TAR_BLOCK);
	*len = n;
	free(p.buf);
	return 0;
}

size_t tar_padding(uint64_t size)
{
	return (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

static size_t link_slot(const struct tar_links *l, uint64_t dev, uint64_t ino)
{
	uint64_t k = (dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL);
	size_t i = (size_t)(k ^ (k >> 29)) & (l->cap - 1);

	while (l->v[i].path && (l->v[i].dev != dev || l->v[i].ino != ino))
		i = (i + 1) & (l->cap - 1);
	return i;
}

/* Twice the size, every entry placed again: the table stays at most
 * half full. */
static void links_grow(struct tar_links *l)
{
	struct tar_links n = { .cap = l->cap ? 2 * l->cap : 64, .n = l->n };

	n.v = xcalloc(n.cap, sizeof *n.v);
	for (size_t i = 0; i < l->cap; i++)
		if (l->v[i].path)
			n.v[link_slot(&n, l->v[i].dev, l->v[i].ino)] = l->v[i];
	free(l->v);
	*l = n;
}

const char *tar_link_seen(struct tar_links *l, uint64_t dev, uint64_t ino, const char *path)
{
	size_t i;

	if (2 * (l->n + 1) > l->cap)
		links_grow(l);
	i = link_slot(l, dev, ino);
	if (l->v[i].path)
		return l->v[i].path;
	l->v[i] = (struct tar_link){ dev, ino, xstrdup(path) };
	l->n++;
	return NULL;
}

void tar_links_free(struct tar_links *l)
{
	for (size_t i = 0; i < l->cap; i++)
		free(l->v[i].path);
	free(l->v);
	*l = (struct tar_links){ 0 };
}
