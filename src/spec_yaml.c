/* Reading YAML: the spec file's bytes, checked as text, then libyaml's
 * event API made into a tree, so that aliases, anchors and depth are
 * seen before anything trusts the input. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "spec.h"
#include "spec_yaml.h"
#include "util_fd.h"

/* A node's place: its line and column in a file; for a value from the
 * command line (origin), the --set argument, whatever part of it. */
static struct ct_loc at_mark(struct ct_loc origin, yaml_mark_t m)
{
	if (origin.set)
		return origin;
	return (struct ct_loc){ .line = (unsigned)m.line + 1, .col = (unsigned)m.column + 1 };
}

/* Reads at most SPEC_MAX_FILE bytes of a regular file. O_NONBLOCK: a
 * FIFO or a device named as the spec must not hang us before fstat. */
char *yaml_read_file(const char *path, size_t *len, struct ct_diags *d)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t n = 0;

	if (fd < 0) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "not a regular file");
		return NULL;
	}
	/* Sized by st_size (plus room to see the end), grown when the file
	 * grows meanwhile: a 1 MiB buffer for a 1 KiB spec would cost a
	 * mapping of its own at every start. */
	size_t cap = (st.st_size > 0 && (uint64_t)st.st_size < SPEC_MAX_FILE ? (size_t)st.st_size : 0) + 256;

	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap && cap < SPEC_MAX_FILE + 1) {
			cap = cap * 2 < SPEC_MAX_FILE + 1 ? cap * 2 : SPEC_MAX_FILE + 1;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ct_diag(d, path, (struct ct_loc){ 0 }, NULL, "%s", strerror(errno));
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* Counted as read, not taken from st_size: the file can grow. */
		if (n > SPEC_MAX_FILE) {
			ct_diag(d, path, (struct ct_loc){ 0 }, NULL,
				"larger than 1 MiB (a spec is a small text file)");
			return NULL;
		}
	}
	buf[n] = '\0';
	*len = n;
	return take_ptr(&buf);
}

/* The length of the UTF-8 sequence at s[0..len), its code point in *cp;
 * 0 when RFC 3629 does not allow it: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned need, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, min = 0x80, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, min = 0x800, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, min = 0x10000, *cp = s[0] & 0x07;
	else
		return 0;
	if (need >= len)
		return 0;
	for (unsigned k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* YAML's printable set, which libyaml's reader enforces; checked here
 * because libyaml reports a byte offset for it, not a line. */
static bool yaml_printable(unsigned cp)
{
	return cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) ||
	       cp == 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       cp >= 0x10000;
}

/* Valid UTF-8, no NUL (it would cut every C string after this short),
 * nothing libyaml would refuse without a place. Lines and columns are
 * counted as libyaml counts them, so all messages agree: a column is a
 * character; CR LF, CR, LF, NEL, LS and PS each end a line; a leading
 * byte order mark is not there. */
static int check_text(const char *file, struct ct_loc origin, const unsigned char *s, size_t len,
		      struct ct_diags *d)
{
	struct ct_loc at = { .line = 1, .col = 1 };
	size_t i = 0, n;
	unsigned cp;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			ct_diag(d, file, origin.set ? origin : at, NULL, "invalid UTF-8");
			return -1;
		}
		if (cp == 0) {
			ct_diag(d, file, origin.set ? origin : at, NULL, "NUL byte in spec");
			return -1;
		}
		if (!yaml_printable(cp)) {
			ct_diag(d, file, origin.set ? origin : at, NULL, "control character U+%04X in spec", cp);
			return -1;
		}
		if (cp == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
			at.line++, at.col = 1;
		else
			at.col++;
	}
	return 0;
}

struct loader {
	const char *file;
	struct ct_loc origin;
	struct ct_diags *d;
	struct ynode *stack[SPEC_MAX_DEPTH + 1];
	size_t depth;
	struct ynode *root;
	int documents;
};

/* Anchors and aliases are refused outright: an alias can make a small
 * file expand without bound ("billion laughs"), and a spec has no use
 * for them. Tags are refused too: nothing in a spec needs one. */
static int refuse_extras(struct loader *l, const yaml_event_t *ev, const yaml_char_t *anchor,
			 const yaml_char_t *tag)
{
	if (ev->type == YAML_ALIAS_EVENT || anchor) {
		ct_diag(l->d, l->file, at_mark(l->origin, ev->start_mark), NULL,
			"aliases and anchors are not supported");
		return -1;
	}
	if (tag) {
		ct_diag(l->d, l->file, at_mark(l->origin, ev->start_mark), NULL, "tags are not supported");
		return -1;
	}
	return 0;
}

/* Under the open collection, or as the root when none is open. */
static void place(struct loader *l, struct ynode *y)
{
	struct ynode *parent = l->depth ? l->stack[l->depth - 1] : NULL;

	if (parent)
		ynode_add(parent, y);
	else
		l->root = y;
}

/* One event; 1 at the end of the stream, -1 on an error (reported). */
static int on_event(struct loader *l, const yaml_event_t *ev)
{
	struct ynode *y;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->documents > 1) {
			ct_diag(l->d, l->file, at_mark(l->origin, ev->start_mark), NULL,
				"more than one YAML document");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		return refuse_extras(l, ev, NULL, NULL);
	case YAML_SCALAR_EVENT:
		if (refuse_extras(l, ev, ev->data.scalar.anchor, ev->data.scalar.tag) < 0)
			return -1;
		/* "\0", "\x00" and "\u0000" in a double-quoted string: a C
		 * string would silently end there. */
		if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length) {
			ct_diag(l->d, l->file, at_mark(l->origin, ev->start_mark), NULL,
				"NUL character in a quoted string");
			return -1;
		}
		place(l, ynode_scalar((const char *)ev->data.scalar.value,
				      ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE,
				      at_mark(l->origin, ev->start_mark)));
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;

		if (refuse_extras(l, ev, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
				  seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag) < 0)
			return -1;
		/* libyaml 0.2.5 has no nesting limit of its own, and deep
		 * nesting costs stack in every recursive reader after it. */
		if (l->depth == SPEC_MAX_DEPTH) {
			ct_diag(l->d, l->file, at_mark(l->origin, ev->start_mark), NULL,
				"nested deeper than %d levels", SPEC_MAX_DEPTH);
			return -1;
		}
		y = ynode_new(seq ? Y_SEQ : Y_MAP, at_mark(l->origin, ev->start_mark));
		place(l, y);
		l->stack[l->depth++] = y;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		l->depth--;
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	default: /* libyaml's enum: a value of a later libyaml */
		return 0;
	}
}

/* The document's tree into *root (NULL for a stream with no document);
 * -1 when libyaml or on_event() refused the text. */
static int load_tree(const char *file, struct ct_loc origin, const char *text, size_t len,
		     struct ct_diags *d, struct ynode **root)
{
	struct loader l = { .file = file, .origin = origin, .d = d };
	yaml_parser_t parser;
	int rc = 0;

	if (!yaml_parser_initialize(&parser)) {
		ct_diag(d, file, (struct ct_loc){ 0 }, NULL, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == 0) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.context)
				ct_diag(d, file, at_mark(origin, parser.problem_mark), NULL, "%s %s",
					parser.problem, parser.context);
			else
				ct_diag(d, file, at_mark(origin, parser.problem_mark), NULL, "%s",
					parser.problem ? parser.problem : "cannot parse");
			rc = -1;
			break;
		}
		rc = on_event(&l, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		/* Nodes still open are already linked under the root. */
		ynode_free(l.root);
		return -1;
	}
	*root = l.root;
	return 0;
}

int yaml_tree(const char *file, struct ct_loc origin, const char *text, size_t len,
	      struct ct_diags *d, struct ynode **root)
{
	*root = NULL;
	if (check_text(file, origin, (const unsigned char *)text, len, d) < 0)
		return -1;
	return load_tree(file, origin, text, len, d, root);
}
