/* The JSON writer (json.h). */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the
 * byte at s starts none: overlong forms, surrogates and values past
 * U+10FFFF are invalid (RFC 3629). */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	int n;
	uint32_t v;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

static void escape_byte(FILE *out, unsigned char c)
{
	static const char short_form[] = { ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
					   ['\f'] = 'f', ['\r'] = 'r' };

	if (c == '"' || c == '\\')
		fprintf(out, "\\%c", c);
	else if (c < sizeof short_form && short_form[c])
		fprintf(out, "\\%c", short_form[c]);
	else if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		fputc(c, out);
}

void json_string(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	while (*c) {
		int n = utf8_len(c);

		if (n == 0) {
			fputs("\\ufffd", out);
			c++;
		} else if (n == 1) {
			escape_byte(out, *c++);
		} else {
			fwrite(c, 1, (size_t)n, out);
			c += n;
		}
	}
	fputc('"', out);
}

/* The comma before a value but the first at its depth, and its key. */
static void member(struct json *j, const char *key)
{
	if (j->more[j->depth])
		fputs(", ", j->out);
	j->more[j->depth] = true;
	if (key) {
		json_string(j->out, key);
		fputs(": ", j->out);
	}
}

void json_str(struct json *j, const char *key, const char *s)
{
	member(j, key);
	json_string(j->out, s);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, const char *key, long long v)
{
	member(j, key);
	fprintf(j->out, "%lld", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

void json_fixed(struct json *j, const char *key, uint64_t v, unsigned decimals)
{
	uint64_t scale = 1;

	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	member(j, key);
	if (decimals)
		fprintf(j->out, "%" PRIu64 ".%0*" PRIu64, v / scale, (int)decimals, v % scale);
	else
		fprintf(j->out, "%" PRIu64, v);
}

void json_begin(struct json *j, const char *key, char open)
{
	member(j, key);
	fputc(open, j->out);
	if (j->depth + 1 < JSON_DEPTH)
		j->depth++;
	j->more[j->depth] = false;
}

void json_end(struct json *j, char close)
{
	fputc(close, j->out);
	if (j->depth > 0)
		j->depth--;
}
