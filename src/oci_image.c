/* The image layout's JSON, written by hand: a handful of fixed-shape
 * documents, whose bytes must be the same from run to run (their
 * digests name them), so keys come in a fixed order and nothing
 * depends on a hash table's. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "command_find.h"
#include "oci_image.h"
#include "util.h"

struct buf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = 2 * (b->len + (size_t)n + 1);
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* A JSON string. The spec's text is UTF-8 (spec_yaml.c refuses
 * anything else), so only quotes, backslashes and control characters
 * need escaping. */
static void str(struct buf *b, const char *s)
{
	put(b, "\"");
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			put(b, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			put(b, "\\u%04x", *c);
		else
			put(b, "%c", *c);
	}
	put(b, "\"");
}

const char *oci_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return NULL;
#endif
}

/* Days since 1970-01-01 to a civil date (the proleptic Gregorian
 * calendar, in eras of 400 years), as gmtime would, without libc's
 * time zone machinery. */
void oci_time_format(int64_t t, char buf[OCI_TIME_MAX])
{
	int64_t days = t / 86400, secs = t % 86400;

	if (secs < 0)
		secs += 86400, days--;
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	snprintf(buf, OCI_TIME_MAX, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y, (long long)m,
		 (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60),
		 (long long)(secs % 60));
}

static bool env_has(const struct spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_env; i++)
		if (strcmp(spec->env[i].key, key) == 0)
			return true;
	return false;
}

/* The process part of the config: what a run of the spec gives its
 * command that an image can carry. HOME, USER, HOSTNAME and TERM are
 * the engine's to set, as a run sets them from its own facts. */
static void process(struct buf *b, const struct spec *spec)
{
	put(b, "\"config\":{\"User\":\"%u:%u\",\"Env\":[", (unsigned)spec->uid, (unsigned)spec->gid);
	if (!env_has(spec, "PATH"))
		str(b, "PATH=" CMD_DEFAULT_PATH);
	for (size_t i = 0; i < spec->n_env; i++) {
		cleanup_free char *kv = xasprintf("%s=%s", spec->env[i].key, spec->env[i].value);

		put(b, "%s", i || !env_has(spec, "PATH") ? "," : "");
		str(b, kv);
	}
	put(b, "]");
	if (spec->argv) {
		put(b, ",\"Cmd\":[");
		for (size_t i = 0; i < spec->argc; i++) {
			put(b, "%s", i ? "," : "");
			str(b, spec->argv[i]);
		}
		put(b, "]");
	}
	put(b, ",\"WorkingDir\":");
	str(b, spec->workdir ? spec->workdir : "/");
	put(b, ",\"Labels\":{\"ctlaunch.hostname\":");
	str(b, spec->hostname ? spec->hostname : spec->name);
	put(b, ",\"ctlaunch.name\":");
	str(b, spec->name);
	put(b, "}}");
}

char *oci_image_config(const struct spec *spec, const struct oci_image_opts *o)
{
	struct buf b = { 0 };
	char when[OCI_TIME_MAX];

	oci_time_format(o->created, when);
	put(&b, "{\"created\":\"%s\",", when);
	put(&b, "\"architecture\":\"%s\",\"os\":\"linux\",", o->arch);
	process(&b, spec);
	put(&b, ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}", o->layer_diff);
	put(&b, ",\"history\":[{\"created\":\"%s\",", when);
	put(&b, "\"created_by\":\"ctlaunch --export-image\"}]}\n");
	return b.s;
}

static void descriptor(struct buf *b, const char *type, const struct oci_blob *blob)
{
	put(b, "{\"mediaType\":\"%s\",\"digest\":\"sha256:%s\",\"size\":%llu", type, blob->hex,
	    (unsigned long long)blob->size);
}

char *oci_image_manifest(const struct oci_blob *config, const struct oci_blob *layer)
{
	struct buf b = { 0 };

	put(&b, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":");
	descriptor(&b, "application/vnd.oci.image.config.v1+json", config);
	put(&b, "},\"layers\":[");
	descriptor(&b, OCI_LAYER_TAR, layer);
	put(&b, "}]}\n");
	return b.s;
}

char *oci_image_index(const struct oci_blob *manifest, const char *ref)
{
	struct buf b = { 0 };

	put(&b, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		"\"manifests\":[");
	descriptor(&b, "application/vnd.oci.image.manifest.v1+json", manifest);
	put(&b, ",\"annotations\":{\"org.opencontainers.image.ref.name\":");
	str(&b, ref);
	put(&b, "}}]}\n");
	return b.s;
}

const char *oci_image_layout(void)
{
	return "{\"imageLayoutVersion\":\"1.0.0\"}\n";
}
