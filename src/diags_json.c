/* --check --format=json: the problems of a spec as data (err.h). */
#include <stdio.h>

#include "err.h"
#include "json.h"

static void one(struct json *j, const struct ct_diag_info *v, const char *text)
{
	json_begin(j, NULL, '{');
	json_str(j, "file", v->file);
	if (v->line) {
		json_u64(j, "line", v->line);
		json_u64(j, "column", v->col);
	} else {
		json_null(j, "line");
		json_null(j, "column");
	}
	json_str(j, "set", v->set);
	json_str(j, "key", v->key);
	json_str(j, "message", v->msg);
	json_str(j, "text", text);
	json_end(j, '}');
}

static void list(struct json *j, const char *key, char *const *text,
		 const struct ct_diag_info *v, size_t n)
{
	json_begin(j, key, '[');
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  " : "\n  ", j->out);
		j->more[j->depth] = false;
		one(j, &v[i], text[i]);
	}
	if (n)
		fputc('\n', j->out);
	json_end(j, ']');
}

void ct_diags_print_json(const struct ct_diags *d, const char *file, int status, FILE *out)
{
	struct json j = { .out = out };

	json_begin(&j, NULL, '{');
	json_u64(&j, "version", 1);
	json_str(&j, "file", file);
	json_str(&j, "status", status == 0 ? "ok" : "failed");
	json_int(&j, "exit_status", status);
	list(&j, "problems", d->v, d->info, d->n);
	list(&j, "warnings", d->warn, d->winfo, d->n_warn);
	json_end(&j, '}');
	fputc('\n', out);
}
