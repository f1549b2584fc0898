#include <string.h>

#include "t.h"
#include "util.h"

static void sizes(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} good[] = {
		{ "0", 0 },          { "4096", 4096 },
		{ "1K", 1024 },      { "64m", 64ULL << 20 },
		{ "64M", 64ULL << 20 }, { "1G", 1ULL << 30 },
		{ "2T", 2ULL << 40 },   { "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1.5G", "2^64", "18446744073709551616",
		"16777216T", "17179869184G", "64MB", "64 M", "M", "1KK", "0x10", "1e3",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		v = 1;
		CHECK(parse_size(good[i].in, &v) == 0 && v == good[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse_size(bad[i], &v) != -1) {
			fprintf(stderr, "  parse_size accepted '%s'\n", bad[i]);
			CHECK(!"bad size accepted");
		}
}

static void uints(void)
{
	uint64_t v = 0;

	CHECK(parse_uint("2", 2, 262144, &v) == 0 && v == 2);
	CHECK(parse_uint("262144", 2, 262144, &v) == 0 && v == 262144);
	CHECK(parse_uint("1", 2, 262144, &v) == -1);
	CHECK(parse_uint("262145", 2, 262144, &v) == -1);
	CHECK(parse_uint("-2", 0, 10, &v) == -1);
	CHECK(parse_uint("5x", 0, 10, &v) == -1);
	CHECK(parse_uint("", 0, 10, &v) == -1);
	CHECK(parse_uint("99999999999999999999", 0, UINT64_MAX, &v) == -1);
}

static void cpulists(void)
{
	static const struct {
		const char *in, *canonical;
	} good[] = {
		{ "0", "0" },           { "0-3", "0-3" },       { "3,1,2", "1-3" },
		{ "0-1,5,7-8", "0-1,5,7-8" }, { "4095", "4095" }, { "2-2", "2" },
		{ "0,2,4", "0,2,4" },
	};
	static const char *const bad[] = {
		"", ",", "1,", ",1", "3-1", "0- 1", " 0", "4096", "0-4096", "a", "1-", "-1",
		"1,,2", "0x1", "1-2-3",
	};
	struct cpuset set;
	char buf[256];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK(parse_cpulist(good[i].in, &set) == 0);
		cpulist_format(&set, buf, sizeof buf);
		CHECK_STR(buf, good[i].canonical);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse_cpulist(bad[i], &set) != -1) {
			fprintf(stderr, "  parse_cpulist accepted '%s'\n", bad[i]);
			CHECK(!"bad list accepted");
		}
}

static void cpuset_relations(void)
{
	struct cpuset a, b, empty = { 0 };
	char buf[8];

	parse_cpulist("0-3", &a);
	parse_cpulist("1,5", &b);
	CHECK(cpuset_first_missing(&b, &a) == 5);
	CHECK(!cpuset_is_subset(&b, &a));
	parse_cpulist("1-2", &b);
	CHECK(cpuset_is_subset(&b, &a) && cpuset_first_missing(&b, &a) == -1);
	CHECK(cpuset_is_empty(&empty) && !cpuset_is_empty(&a));
	cpulist_format(&empty, buf, sizeof buf);
	CHECK_STR(buf, "");
	/* A buffer too small is cut at an element, never overrun. */
	parse_cpulist("0,2,4,6,8,10", &a);
	cpulist_format(&a, buf, sizeof buf);
	CHECK_STR(buf, "0,2,4,6");
}

static void size_formats(void)
{
	char buf[32];

	size_format(64ULL << 20, buf, sizeof buf);
	CHECK_STR(buf, "64M");
	size_format(1024, buf, sizeof buf);
	CHECK_STR(buf, "1K");
	size_format(1536, buf, sizeof buf);
	CHECK_STR(buf, "1536");
	size_format(3ULL << 40, buf, sizeof buf);
	CHECK_STR(buf, "3T");
	size_format(0, buf, sizeof buf);
	CHECK_STR(buf, "0");
}

T_LIST(t_util) = {
	T(sizes),
	T(uints),
	T(cpulists),
	T(cpuset_relations),
	T(size_formats),
	{ 0 },
};
