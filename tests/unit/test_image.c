/* --export-image's pure parts: SHA-256 against the standard's vectors,
 * tar headers (ustar fields, the split of long names, pax records for
 * what does not fit), hard links, the image config's JSON. */
#include <stdlib.h>
#include <string.h>

#include "oci_image.h"
#include "sha256.h"
#include "t.h"
#include "tar.h"

static const char *hex_of(const char *s, size_t len, char out[SHA256_HEX])
{
	sha256_hex_of(s, len, out);
	return out;
}

/* FIPS 180-4's examples (the one-block and two-block messages) and
 * NIST's long message of a million 'a's. */
TEST(sha256_vectors)
{
	char h[SHA256_HEX];
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	CHECK_STR(hex_of("", 0, h), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_of("abc", 3, h), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_of(two, strlen(two), h),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	CHECK_STR(hex_of(million, 1000000, h),
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* The same digest however the data is cut: padding at 55, 56 and 64
 * bytes, updates of one byte and of odd sizes. */
TEST(sha256_pieces)
{
	char whole[SHA256_HEX], parts[SHA256_HEX];
	char data[200];
	struct sha256 c;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + 3);
	for (size_t len = 50; len < sizeof data; len += 7) {
		sha256_hex_of(data, len, whole);
		sha256_init(&c);
		for (size_t i = 0; i < len;) {
			size_t k = (i % 5) + 1 < len - i ? (i % 5) + 1 : len - i;

			sha256_update(&c, data + i, k);
			i += k;
		}
		sha256_hex(&c, parts);
		CHECK_STR(parts, whole);
	}
	/* 55 bytes: the length fits the last block; 56: it does not. */
	CHECK_STR(hex_of(data, 0, whole), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* A header's checksum: the bytes' sum with the field as spaces. */
static bool checksum_ok(const unsigned char *h)
{
	unsigned sum = 0;

	for (int i = 0; i < TAR_BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return strtoul((const char *)h + 148, NULL, 8) == sum;
}

static unsigned char *header(const struct tar_entry *te, size_t *len)
{
	struct ct_err e = { 0 };
	unsigned char *h = NULL;

	CHECK(tar_header(te, &h, len, &e) == 0);
	return h;
}

TEST(tar_ustar_fields)
{
	struct tar_entry te = { .type = TAR_FILE, .path = "etc/passwd", .mode = 04755, .uid = 1000,
				.gid = 100, .size = 1234, .mtime = 1700000000 };
	size_t len;
	unsigned char *h = header(&te, &len);

	CHECK(len == TAR_BLOCK);
	CHECK_STR((char *)h, "etc/passwd");
	CHECK_STR((char *)h + 100, "0004755");
	CHECK_STR((char *)h + 108, "0001750");
	CHECK_STR((char *)h + 116, "0000144");
	CHECK_STR((char *)h + 124, "00000002322");
	CHECK_STR((char *)h + 136, "14524770400");
	CHECK(h[156] == '0');
	CHECK(memcmp(h + 257, "ustar\0" "00", 8) == 0);
	CHECK(checksum_ok(h));
	free(h);

	te = (struct tar_entry){ .type = TAR_DIR, .path = "usr/lib", .mode = 0755 };
	h = header(&te, &len);
	CHECK_STR((char *)h, "usr/lib/");
	CHECK(h[156] == '5');
	free(h);

	te = (struct tar_entry){ .type = TAR_CHAR, .path = "dev/null", .mode = 0666,
				 .devmajor = 1, .devminor = 3 };
	h = header(&te, &len);
	CHECK(h[156] == '3');
	CHECK_STR((char *)h + 329, "0000001");
	CHECK_STR((char *)h + 337, "0000003");
	free(h);
}

/* The value of pax record key in a header's records, or NULL; each
 * record's length must be its own. */
static char *pax_value(const unsigned char *h, size_t len, const char *key)
{
	size_t size = strtoul((const char *)h + 124, NULL, 8);
	const char *p = (const char *)h + TAR_BLOCK, *end = p + size;

	CHECK(h[156] == 'x');
	CHECK(TAR_BLOCK + size <= len);
	while (p < end) {
		char *sp;
		size_t n = strtoul(p, &sp, 10);

		CHECK(n > 0 && *sp == ' ' && p[n - 1] == '\n');
		if (!n || p + n > end)
			return NULL;
		if (strncmp(sp + 1, key, strlen(key)) == 0 && sp[1 + strlen(key)] == '=')
			return strndup(sp + 2 + strlen(key), (size_t)(p + n - 1 - (sp + 2 + strlen(key))));
		p += n;
	}
	return NULL;
}

TEST(tar_long_names)
{
	char name[400], link[300];
	struct tar_entry te = { .type = TAR_FILE, .mode = 0644, .path = name };
	unsigned char *h;
	size_t len;
	char *v;

	/* 150 bytes of directories and a 90-byte name: ustar's prefix. */
	memset(name, 'd', 150);
	name[150] = '/';
	memset(name + 151, 'f', 90);
	name[241] = '\0';
	h = header(&te, &len);
	CHECK(len == TAR_BLOCK);
	CHECK(strnlen((char *)h + 345, 155) == 150 && memcmp(h + 345, name, 150) == 0);
	CHECK(strnlen((char *)h, 100) == 90);
	CHECK(checksum_ok(h));
	free(h);

	/* 399 bytes: a pax path record, its length counting its own digits. */
	memset(name, 'x', 399);
	name[0] = 'a', name[200] = '/', name[399] = '\0';
	h = header(&te, &len);
	CHECK(len == 3 * TAR_BLOCK);
	v = pax_value(h, len, "path");
	CHECK_STR(v, name);
	free(v);
	CHECK(checksum_ok(h) && checksum_ok(h + len - TAR_BLOCK));
	CHECK(h[len - TAR_BLOCK + 156] == '0');
	free(h);

	/* A symlink's target of more than 100 bytes: linkpath. */
	memset(link, 'l', 299);
	link[299] = '\0';
	te = (struct tar_entry){ .type = TAR_SYMLINK, .path = "s", .link = link, .mode = 0777 };
	h = header(&te, &len);
	v = pax_value(h, len, "linkpath");
	CHECK_STR(v, link);
	free(v);
	free(h);
}

/* 8 GiB and more, ids of 2^21 and more (a user namespace's), times
 * before 1970: pax records, the ustar fields 0. */
TEST(tar_large_values)
{
	struct tar_entry te = { .type = TAR_FILE, .path = "big", .mode = 0644,
				.size = 9ULL << 30, .uid = 2147352576, .gid = 2097152, .mtime = -5 };
	unsigned char *h;
	size_t len;
	char *v;

	h = header(&te, &len);
	CHECK_STR((v = pax_value(h, len, "size")), "9663676416");
	free(v);
	CHECK_STR((v = pax_value(h, len, "uid")), "2147352576");
	free(v);
	CHECK_STR((v = pax_value(h, len, "gid")), "2097152");
	free(v);
	CHECK_STR((v = pax_value(h, len, "mtime")), "-5");
	free(v);
	CHECK_STR((char *)h + len - TAR_BLOCK + 124, "00000000000");
	free(h);

	/* Just below the limits: ustar alone. */
	te.size = (1ULL << 33) - 1, te.uid = 2097151, te.gid = 0, te.mtime = 0;
	h = header(&te, &len);
	CHECK(len == TAR_BLOCK);
	CHECK_STR((char *)h + 124, "77777777777");
	free(h);
}

TEST(tar_refusals)
{
	struct tar_entry te = { .type = TAR_CHAR, .path = "dev/x", .devmajor = 1u << 21 };
	struct ct_err e = { 0 };
	unsigned char *h = NULL;
	size_t len;

	CHECK(tar_header(&te, &h, &len, &e) < 0);
	CHECK(strstr(e.msg, "dev/x") != NULL);
	te = (struct tar_entry){ .type = TAR_FILE, .path = "" };
	CHECK(tar_header(&te, &h, &len, &e) < 0);
	CHECK(h == NULL);
	CHECK(tar_padding(0) == 0 && tar_padding(1) == 511 && tar_padding(512) == 0);
}

TEST(tar_hard_links)
{
	struct tar_links l = { 0 };
	char path[32];

	CHECK(tar_link_seen(&l, 1, 10, "a") == NULL);
	CHECK(tar_link_seen(&l, 2, 10, "b") == NULL);
	CHECK_STR(tar_link_seen(&l, 1, 10, "c"), "a");
	/* Past the first growth of the table. */
	for (unsigned i = 0; i < 500; i++) {
		snprintf(path, sizeof path, "f%u", i);
		CHECK(tar_link_seen(&l, 3, i, path) == NULL);
	}
	CHECK_STR(tar_link_seen(&l, 3, 77, "g"), "f77");
	CHECK_STR(tar_link_seen(&l, 2, 10, "h"), "b");
	tar_links_free(&l);
}

TEST(oci_times)
{
	char t[OCI_TIME_MAX];

	oci_time_format(0, t);
	CHECK_STR(t, "1970-01-01T00:00:00Z");
	oci_time_format(951782400, t);
	CHECK_STR(t, "2000-02-29T00:00:00Z");
	oci_time_format(1796313599, t);
	CHECK_STR(t, "2026-12-03T15:59:59Z");
	oci_time_format(-1, t);
	CHECK_STR(t, "1969-12-31T23:59:59Z");
}

TEST(oci_config_json)
{
	char *argv[] = { "/bin/sh", "-c", "echo \"hi\"\n", NULL };
	struct spec_env env[] = { { .key = "A", .value = "1" }, { .key = "PATH", .value = "/x" } };
	struct spec spec = { .name = "lab", .argv = argv, .argc = 3, .env = env, .n_env = 2,
			     .workdir = "/w", .uid = 1000, .gid = 100 };
	struct oci_image_opts o = { .arch = "amd64", .layer_diff = "ab", .created = 0 };
	char *j = oci_image_config(&spec, &o);

	CHECK_STR(j, "{\"created\":\"1970-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
		     "\"config\":{\"User\":\"1000:100\",\"Env\":[\"A=1\",\"PATH=/x\"],"
		     "\"Cmd\":[\"/bin/sh\",\"-c\",\"echo \\\"hi\\\"\\u000a\"],\"WorkingDir\":\"/w\","
		     "\"Labels\":{\"ctlaunch.hostname\":\"lab\",\"ctlaunch.name\":\"lab\"}},"
		     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:ab\"]},"
		     "\"history\":[{\"created\":\"1970-01-01T00:00:00Z\","
		     "\"created_by\":\"ctlaunch --export-image\"}]}\n");
	free(j);
	/* No PATH of the spec's: a run's. */
	spec.n_env = 1;
	spec.hostname = "h1";
	j = oci_image_config(&spec, &o);
	CHECK(strstr(j, "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
			"\"A=1\"]") != NULL);
	CHECK(strstr(j, "\"ctlaunch.hostname\":\"h1\"") != NULL);
	free(j);
}
