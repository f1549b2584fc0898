#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

static int vfail(struct ct_err *e, int status, int errnum, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->errnum = errnum;
	e->status = status;
	return -1;
}

int ct_fail(struct ct_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, 0, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int ct_fail_status(struct ct_err *e, int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(e, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int ct_errno(struct ct_err *e, int errnum)
{
	e->msg[0] = '\0';
	e->errnum = errnum;
	e->status = 0;
	return -1;
}

int ct_wrap(struct ct_err *e, const char *fmt, ...)
{
	char what[sizeof e->msg];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	n = strlen(what);
	/* An errno alone (ct_errno) becomes "what", which ct_err_text
	 * makes "what: strerror". */
	if (!e->msg[0]) {
		memcpy(e->msg, what, sizeof e->msg);
		return -1;
	}
	/* "what: " then as much of the message as still fits. */
	if (n + 2 < sizeof e->msg) {
		size_t len = strnlen(e->msg, sizeof e->msg - 1);
		if (len > sizeof e->msg - 1 - (n + 2))
			len = sizeof e->msg - 1 - (n + 2);
		memmove(e->msg + n + 2, e->msg, len);
		e->msg[n + 2 + len] = '\0';
		memcpy(e->msg + n, ": ", 2);
		memcpy(e->msg, what, n);
	} else {
		memcpy(e->msg, what, sizeof e->msg);
	}
	return -1;
}

int ct_append(struct ct_err *e, const char *fmt, ...)
{
	size_t len = strnlen(e->msg, sizeof e->msg - 1);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg + len, sizeof e->msg - len, fmt, ap);
	va_end(ap);
	return -1;
}

const char *ct_err_text(const struct ct_err *e, char *buf, size_t size)
{
	if (e->errnum && !e->msg[0])
		snprintf(buf, size, "%s", strerror(e->errnum));
	else if (e->errnum)
		snprintf(buf, size, "%s: %s", e->msg, strerror(e->errnum));
	else
		snprintf(buf, size, "%s", e->msg);
	return buf;
}

const char *ct_loc_where(const char *file, struct ct_loc at, char *buf, size_t size)
{
	if (at.set)
		snprintf(buf, size, "--set %.*s", (int)strcspn(at.set, "="), at.set);
	else if (at.line)
		snprintf(buf, size, "%s:%u:%u", file, at.line, at.col);
	else
		snprintf(buf, size, "%s", "");
	return buf;
}

/* A --set argument says its key; a message about a key below it (an
 * item of a sequence it sets) names that one too. */
static bool set_names(const char *set, const char *key)
{
	size_t n = strcspn(set, "=");

	return !key || !*key || (strlen(key) == n && strncmp(key, set, n) == 0);
}

const char *ct_loc_key(const char *file, struct ct_loc at, const char *key, char *buf,
		       size_t size)
{
	if (at.set && set_names(at.set, key))
		snprintf(buf, size, "--set %s", at.set);
	else if (at.set)
		snprintf(buf, size, "--set %s: %s", at.set, key);
	else if (at.line)
		snprintf(buf, size, "%s:%u:%u: %s", file, at.line, at.col, key ? key : "");
	else
		snprintf(buf, size, "%s: %s", file, key ? key : "");
	return buf;
}

static char *diag_format(const char *file, struct ct_loc at, const char *kind,
			 const char *key, const char *fmt, va_list ap)
{
	char what[1024];

	vsnprintf(what, sizeof what, fmt, ap);
	if (at.set && set_names(at.set, key))
		return xasprintf("--set %s: %s%s", at.set, kind, what);
	if (at.set)
		return xasprintf("--set %s: %s%s: %s", at.set, kind, key, what);
	if (at.line && key && *key)
		return xasprintf("%s:%u:%u: %s%s: %s", file, at.line, at.col, kind, key, what);
	if (at.line)
		return xasprintf("%s:%u:%u: %s%s", file, at.line, at.col, kind, what);
	if (key && *key)
		return xasprintf("%s: %s%s: %s", file, kind, key, what);
	return xasprintf("%s: %s%s", file, kind, what);
}

static void push(char ***v, size_t *n, size_t *cap, char *line)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = line;
}

void ct_diag(struct ct_diags *d, const char *file, struct ct_loc at,
	     const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	push(&d->v, &d->n, &d->cap, diag_format(file, at, "", key, fmt, ap));
	va_end(ap);
}

void ct_warn(struct ct_diags *d, const char *file, struct ct_loc at,
	     const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	push(&d->warn, &d->n_warn, &d->cap_warn, diag_format(file, at, "warning: ", key, fmt, ap));
	va_end(ap);
}

void ct_diags_free(struct ct_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	for (size_t i = 0; i < d->n_warn; i++)
		free(d->warn[i]);
	free(d->v);
	free(d->warn);
	d->v = d->warn = NULL;
	d->n = d->cap = d->n_warn = d->cap_warn = 0;
}
