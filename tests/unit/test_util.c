#include <string.h>

#include "t.h"
#include "util.h"

TEST(sizes)
{
	static const struct {
		const char *in;
		uint64_t want;
	} good[] = {
		{ "0", 0 },
		{ "0K", 0 },
		{ "4096", 4096 },
		{ "007", 7 },
		{ "1K", 1024 },
		{ "1k", 1024 },
		{ "64m", 64ULL << 20 },
		{ "64M", 64ULL << 20 },
		{ "1G", 1ULL << 30 },
		{ "1g", 1ULL << 30 },
		{ "2T", 2ULL << 40 },
		{ "2t", 2ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
		{ "18014398509481983K", UINT64_MAX >> 10 << 10 },
		{ "17179869183G", 17179869183ULL << 30 },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "\t1", "1 ", "1\n", "1.5G", "2^64", "18446744073709551616",
		"99999999999999999999999", "18014398509481984K", "17179869184G", "16777216T",
		"64MB", "64 M", "M", "1KK", "1P", "1E", "1B", "0x10", "1e3", "1,000", "-0",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		v = 1;
		if (parse_size(good[i].in, &v) != 0 || v != good[i].want) {
			fprintf(stderr, "  parse_size('%s'): %llu\n", good[i].in, (unsigned long long)v);
			CHECK(!"good size refused or misread");
		}
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 12345;
		if (parse_size(bad[i], &v) != -1 || v != 12345) {
			fprintf(stderr, "  parse_size accepted '%s'\n", bad[i]);
			CHECK(!"bad size accepted");
		}
	}
}

TEST(uints)
{
	uint64_t v = 0;

	CHECK(parse_uint("2", 2, 262144, &v) == 0 && v == 2);
	CHECK(parse_uint("262144", 2, 262144, &v) == 0 && v == 262144);
	CHECK(parse_uint("0", 0, 0, &v) == 0 && v == 0);
	CHECK(parse_uint("010", 0, 10, &v) == 0 && v == 10);
	CHECK(parse_uint("18446744073709551615", 0, UINT64_MAX, &v) == 0 && v == UINT64_MAX);
	v = 7;
	CHECK(parse_uint("1", 2, 262144, &v) == -1);
	CHECK(parse_uint("262145", 2, 262144, &v) == -1);
	CHECK(parse_uint("-2", 0, 10, &v) == -1);
	CHECK(parse_uint("+2", 0, 10, &v) == -1);
	CHECK(parse_uint(" 2", 0, 10, &v) == -1);
	CHECK(parse_uint("2 ", 0, 10, &v) == -1);
	CHECK(parse_uint("5x", 0, 10, &v) == -1);
	CHECK(parse_uint("1K", 0, 10000, &v) == -1);
	CHECK(parse_uint("", 0, 10, &v) == -1);
	CHECK(parse_uint("0x5", 0, 10, &v) == -1);
	CHECK(parse_uint("18446744073709551616", 0, UINT64_MAX, &v) == -1);
	CHECK(parse_uint("99999999999999999999", 0, UINT64_MAX, &v) == -1);
	CHECK(v == 7);
}

TEST(cpulists)
{
	static const struct {
		const char *in, *canonical;
	} good[] = {
		{ "0", "0" },
		{ "0-3", "0-3" },
		{ "3,1,2", "1-3" },
		{ "0-1,5,7-8", "0-1,5,7-8" },
		{ "0-3,5,7-8", "0-3,5,7-8" },
		{ "4095", "4095" },
		{ "2-2", "2" },
		{ "0,2,4", "0,2,4" },
		{ "1,1,1", "1" },
		{ "0-2,1-4", "0-4" },
		{ "007", "7" },
		{ "0-4095", "0-4095" },
		{ "4094,4095,0", "0,4094-4095" },
		{ "63,64", "63-64" },
		{ "62-65,127,128,191", "62-65,127-128,191" },
		{ "64-127", "64-127" },
	};
	static const char *const bad[] = {
		"", ",", "1,", ",1", "3-1", "0- 1", "0 -1", " 0", "0 ", "4096", "0-4096", "a",
		"1-", "-1", "1,,2", "0x1", "1-2-3", "+1", "1\n", "0-99999999999999999999999",
	};
	struct cpuset set;
	char buf[256];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK(parse_cpulist(good[i].in, &set) == 0);
		cpulist_format(&set, buf, sizeof buf);
		CHECK_STR(buf, good[i].canonical);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&set, 0xa5, sizeof set);
		if (parse_cpulist(bad[i], &set) != -1 || set.bits[0] != 0xa5a5a5a5a5a5a5a5ULL) {
			fprintf(stderr, "  parse_cpulist accepted '%s'\n", bad[i]);
			CHECK(!"bad list accepted");
		}
	}
}

/* The first CPU of a that b lacks, across the 64-bit words. */
TEST(cpuset_first_missing_by_word)
{
	static const struct {
		const char *a, *b;
		int missing;
	} cases[] = {
		{ "0-3", "0-3", -1 },   { "0-3", "0-2", 3 },   { "63-64", "63", 64 },
		{ "64", "0-63", 64 },   { "5,4095", "5", 4095 }, { "1", "0-4095", -1 },
		{ "128-130", "129", 128 },
	};
	struct cpuset a, b;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(parse_cpulist(cases[i].a, &a) == 0);
		CHECK(parse_cpulist(cases[i].b, &b) == 0);
		CHECK(cpuset_first_missing(&a, &b) == cases[i].missing);
		CHECK(cpuset_is_subset(&a, &b) == (cases[i].missing < 0));
	}
}

/* Any set survives format then parse: sets from a fixed pseudo-random
 * sequence, sparse and dense, and the worst case for length. */
TEST(cpulist_round_trips)
{
	static char buf[CT_MAX_CPUS * 4];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct cpuset set, back;

	for (int round = 0; round < 200; round++) {
		memset(&set, 0, sizeof set);
		for (size_t w = 0; w < sizeof set.bits / sizeof set.bits[0]; w++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			set.bits[w] = round % 3 == 0 ? x : round % 3 == 1 ? x & (x >> 3) : x | (x << 1);
		}
		cpulist_format(&set, buf, sizeof buf);
		CHECK(parse_cpulist(buf, &back) == 0);
		CHECK(memcmp(&set, &back, sizeof set) == 0);
	}
	/* Pairs with gaps ("0-1,3-4,...") give the longest text. */
	memset(&set, 0, sizeof set);
	for (unsigned i = 0; i < CT_MAX_CPUS; i++)
		if (i % 3 != 2)
			set.bits[i / 64] |= 1ULL << (i % 64);
	cpulist_format(&set, buf, sizeof buf);
	CHECK(strlen(buf) < sizeof buf - 1);
	CHECK(parse_cpulist(buf, &back) == 0 && memcmp(&set, &back, sizeof set) == 0);
}

TEST(cpuset_relations)
{
	struct cpuset a, b, empty = { 0 };

	CHECK(parse_cpulist("0-3", &a) == 0);
	CHECK(parse_cpulist("1,5", &b) == 0);
	CHECK(cpuset_first_missing(&b, &a) == 5);
	CHECK(!cpuset_is_subset(&b, &a));
	CHECK(parse_cpulist("1-2", &b) == 0);
	CHECK(cpuset_is_subset(&b, &a) && cpuset_first_missing(&b, &a) == -1);
	CHECK(cpuset_is_subset(&empty, &a) && !cpuset_is_subset(&a, &empty));
	CHECK(cpuset_first_missing(&a, &empty) == 0);
	CHECK(cpuset_is_empty(&empty) && !cpuset_is_empty(&a));
	CHECK(parse_cpulist("4095", &b) == 0);
	CHECK(!cpuset_is_empty(&b) && cpuset_first_missing(&b, &a) == 4095);
}

/* A list too long for its buffer keeps whole elements and ends in "...":
 * never a cut number that names another CPU. */
TEST(cpulist_too_long)
{
	struct cpuset set, empty = { 0 };
	char buf[16];

	CHECK(parse_cpulist("0,2,4,6,8,10", &set) == 0);
	cpulist_format(&set, buf, 8);
	CHECK_STR(buf, "0,2,...");
	cpulist_format(&set, buf, 13);
	CHECK_STR(buf, "0,2,4,6,8,10");
	cpulist_format(&set, buf, 12);
	CHECK_STR(buf, "0,2,4,6,...");
	cpulist_format(&set, buf, 4);
	CHECK_STR(buf, "...");
	cpulist_format(&set, buf, 2);
	CHECK_STR(buf, ".");
	CHECK(parse_cpulist("10-12,100-120", &set) == 0);
	cpulist_format(&set, buf, 10);
	CHECK_STR(buf, "10-12,...");
	cpulist_format(&set, buf, 9);
	CHECK_STR(buf, "...");
	buf[0] = 'x';
	cpulist_format(&set, buf, 0);
	CHECK(buf[0] == 'x');
	cpulist_format(&empty, buf, 1);
	CHECK_STR(buf, "");
}

TEST(size_formats)
{
	static const struct {
		uint64_t in;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 1023, "1023" },
		{ 1024, "1K" },
		{ 1536, "1536" },
		{ 4096, "4K" },
		{ 1536ULL << 10, "1536K" },
		{ 64ULL << 20, "64M" },
		{ 3ULL << 30, "3G" },
		{ 3ULL << 40, "3T" },
		{ 1ULL << 50, "1024T" },
		{ UINT64_MAX, "18446744073709551615" },
		{ UINT64_MAX >> 10 << 10, "18014398509481983K" },
	};
	char buf[32];
	uint64_t back;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_format(cases[i].in, buf, sizeof buf);
		CHECK_STR(buf, cases[i].want);
		CHECK(parse_size(buf, &back) == 0 && back == cases[i].in);
	}
}

TEST(allocation)
{
	char *s = xasprintf("%s-%d", "ab", 12);
	char *d = xstrdup("");
	void *p = xmalloc(0), *q = xcalloc(0, 0), *r = xrealloc(NULL, 0);

	CHECK_STR(s, "ab-12");
	CHECK_STR(d, "");
	CHECK(p && q && r);
	r = xrealloc(r, 64);
	memset(r, 0, 64);
	free(s), free(d), free(p), free(q), free(r);
}

TEST(path_joins)
{
	static const char *const cases[][3] = {
		{ "a", "b", "a/b" },
		{ "/", "b", "/b" },
		{ "", "b", "/b" },
		{ "/sys/fs/cgroup/memory", "/a/b", "/sys/fs/cgroup/memory/a/b" },
		{ "/sys/fs/cgroup/memory", "/", "/sys/fs/cgroup/memory" },
		{ "/sys/fs/cgroup", "", "/sys/fs/cgroup" },
		{ "dir/", "file", "dir/file" },
		{ ".", "../r", "./../r" },
	};
	char buf[17];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = path_join(cases[i][0], cases[i][1]);

		CHECK_STR(got, cases[i][2]);
		free(got);
	}
	/* The vfork child's form: a path that does not fit is refused,
	 * never cut short. */
	CHECK(path_join_buf(buf, sizeof buf, "/sys/fs", "cgroup") == 0);
	CHECK_STR(buf, "/sys/fs/cgroup");
	CHECK(path_join_buf(buf, sizeof buf, "/sys/fs/cgroup", "x") == 0);
	CHECK(path_join_buf(buf, sizeof buf, "/sys/fs/cgroup", "xy") == -1);
}
