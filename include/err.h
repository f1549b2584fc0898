/* Errors as values: a function that can fail returns -1 (or another
 * negative value its header names) and fills a struct ct_err; a caller
 * that knows more adds it on the way up (ct_wrap, ct_append), and only
 * main prints. Failure is told by the return value, never by looking
 * at msg. The same struct carries the container's error from the child
 * to the parent (exec.c). Nothing here allocates: the vfork child
 * calls these. */
#ifndef CTLAUNCH_ERR_H
#define CTLAUNCH_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Where a value of the spec came from: a line and column of the file
 * (1-based; line 0 means "no place"), or a --set argument. */
struct ct_loc {
	unsigned line, col;
	/* A value from the command line: the --set argument ("KEY=VALUE")
	 * it came from; line then numbers the --set (1 for the first), col
	 * is 0. NULL for a place in the file. */
	const char *set;
};

/* The place as --plan and runtime errors name it: "lab.yaml:3:5", or
 * "--set resources.memory" for a value from the command line; "" for no
 * place. */
const char *ct_loc_where(const char *file, struct ct_loc at, char *buf, size_t size);

/* The start of a message about key at that place: "lab.yaml:3:5: key",
 * "lab.yaml: key" with no place, "--set KEY=VALUE" when the argument
 * names the key itself, else "--set KEY=VALUE: key". */
const char *ct_loc_key(const char *file, struct ct_loc at, const char *key, char *buf,
		       size_t size);

struct ct_err {
	int errnum;        /* errno of the failing call, or 0 */
	int status;        /* exit status this error asks for: 0 means 125 */
	char msg[1024];
};

/* Fill e with a formatted message and errnum; return -1. */
int ct_fail(struct ct_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with the exit status it asks for (126, 127, 128+N). */
int ct_fail_status(struct ct_err *e, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A failed call's errno alone, for a caller that knows what it was
 * about to name it (ct_wrap); ct_err_text of it alone is strerror's
 * text. Returns -1. */
int ct_errno(struct ct_err *e, int errnum);

/* Context on the way up, as crun's crun_error_wrap: "what: " before
 * the message; errnum and status stay. Returns -1. */
int ct_wrap(struct ct_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same after the message: " (lab.yaml:9:5)", the spec value behind
 * a step. Returns -1. */
int ct_append(struct ct_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "msg: strerror(errnum)" or "msg" when errnum is 0, into buf. */
const char *ct_err_text(const struct ct_err *e, char *buf, size_t size);

/* A list of spec problems, each already formatted as
 * "file:line:col: key: what is wrong (what was expected)". */
struct ct_diags {
	char **v;
	size_t n, cap;
	/* Warnings: reported, and the spec still runs. */
	char **warn;
	size_t n_warn, cap_warn;
};

void ct_diag(struct ct_diags *d, const char *file, struct ct_loc at,
	     const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same for a warning: "file:line:col: warning: key: what". */
void ct_warn(struct ct_diags *d, const char *file, struct ct_loc at,
	     const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void ct_diags_free(struct ct_diags *d);
#define cleanup_diags __attribute__((cleanup(ct_diags_free)))

#endif
