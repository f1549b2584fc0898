/* A JSON writer onto a stream, for --plan, --check and --stats in
 * --format=json, and --list --json: strings escaped once, here, and the
 * commas between members and elements counted by the writer, not by
 * each caller. Pure: it only formats into the stream it is handed. */
#ifndef CTLAUNCH_JSON_H
#define CTLAUNCH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* How deep objects and arrays may nest (ours nest four deep). */
#define JSON_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool more[JSON_DEPTH]; /* an element was written at this depth */
};

/* A string, escaped: '"', '\\' and the control characters U+0000 to
 * U+001F and U+007F as \", \\, \n, \t, \r, \b, \f or \u00XX; valid
 * UTF-8 as it is; each byte that is not part of a valid UTF-8 sequence
 * (a path's Latin-1 byte, say) as U+FFFD, so the output is always valid
 * JSON and valid UTF-8. NULL: null. */
void json_string(FILE *out, const char *s);

/* Each of these writes one value: as a member "key": value when key is
 * not NULL (inside an object), else as an element (inside an array, or
 * the top-level value). */
void json_str(struct json *j, const char *key, const char *s);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* The value as a decimal fraction with 'decimals' digits: 1.500 for
 * (1500, 3): seconds from milliseconds, with no floating point. */
void json_fixed(struct json *j, const char *key, uint64_t v, unsigned decimals);
void json_begin(struct json *j, const char *key, char open); /* '{' or '[' */
void json_end(struct json *j, char close);                   /* '}' or ']' */

#endif
