#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

int ct_fail(struct ct_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	e->status = 0;
	return -1;
}

const char *ct_err_text(const struct ct_err *e, char *buf, size_t size)
{
	if (e->errnum)
		snprintf(buf, size, "%s: %s", e->msg, strerror(e->errnum));
	else
		snprintf(buf, size, "%s", e->msg);
	return buf;
}

void ct_diag(struct ct_diags *d, const char *file, struct ct_loc at,
	     const char *key, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	if (at.line && key && *key)
		d->v[d->n++] = xasprintf("%s:%u:%u: %s: %s", file, at.line, at.col, key, what);
	else if (at.line)
		d->v[d->n++] = xasprintf("%s:%u:%u: %s", file, at.line, at.col, what);
	else if (key && *key)
		d->v[d->n++] = xasprintf("%s: %s: %s", file, key, what);
	else
		d->v[d->n++] = xasprintf("%s: %s", file, what);
}

void ct_diags_free(struct ct_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
