/* The JSON writer (json.c), --stats' wording (stats.c) and --check's
 * problems as data (err.c's parts, diags_json.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "stats.h"
#include "t.h"

/* json_string of s, as a string (the caller frees it). */
static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_string(f, s);
	fclose(f);
	return buf;
}

#define CHECK_ESC(in, want)                \
	do {                               \
		char *got_ = escaped(in);  \
		CHECK_STR(got_, want);     \
		free(got_);                \
	} while (0)

TEST(json_escapes_quotes_backslashes_and_controls)
{
	CHECK_ESC("plain /a/b", "\"plain /a/b\"");
	CHECK_ESC("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
	CHECK_ESC("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
	CHECK_ESC("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	CHECK_ESC("", "\"\"");
	CHECK_ESC(NULL, "null");
}

/* Valid UTF-8 passes as it is; every byte of an invalid sequence is
 * U+FFFD, so the output is always valid UTF-8 (a path's Latin-1 name). */
TEST(json_utf8_kept_invalid_bytes_replaced)
{
	CHECK_ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"");
	CHECK_ESC("/tmp/caf\xe9", "\"/tmp/caf\\ufffd\"");
	CHECK_ESC("\xff\xfe", "\"\\ufffd\\ufffd\"");
	/* Overlong '/', a surrogate, past U+10FFFF, a cut sequence. */
	CHECK_ESC("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	CHECK_ESC("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_ESC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK_ESC("ab\xe2\x82", "\"ab\\ufffd\\ufffd\"");
	CHECK_ESC("\xe2\x82\"", "\"\\ufffd\\ufffd\\\"\"");
}

/* The writer puts the commas and the keys; nested values too. */
TEST(json_writer_members_and_elements)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j = { .out = f };

	json_begin(&j, NULL, '{');
	json_str(&j, "a", "x");
	json_begin(&j, "list", '[');
	json_u64(&j, NULL, 18446744073709551615ULL);
	json_int(&j, NULL, -3);
	json_begin(&j, NULL, '{');
	json_end(&j, '}');
	json_end(&j, ']');
	json_bool(&j, "t", true);
	json_null(&j, "n");
	json_fixed(&j, "s", 1005, 3);
	json_fixed(&j, "z", 7, 0);
	json_end(&j, '}');
	fclose(f);
	CHECK_STR(buf, "{\"a\": \"x\", \"list\": [18446744073709551615, -3, {}], \"t\": true, "
		       "\"n\": null, \"s\": 1.005, \"z\": 7}");
	free(buf);
}

static char *stats_out(const struct ct_stats *st, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		stats_print_json(st, "lab", f);
	else
		stats_print_text(st, "lab", f);
	fclose(f);
	return buf;
}

/* A v2 kernel without memory.peak: said so, and null in JSON; the
 * throttling only with a quota. */
TEST(stats_unknown_values)
{
	struct ct_stats st = { .layout = "v2", .wall_us = 1500000, .has_cpu = true,
			       .cpu_user_us = 1200400, .cpu_system_us = 2000, .has_memory = true,
			       .has_memory_limit = true, .memory_limit = 16 << 20, .has_oom = true,
			       .oom_kills = 1, .has_pids = true, .status = 137 };
	char *text = stats_out(&st, false), *json = stats_out(&st, true);

	CHECK_STR(text, "ctlaunch: lab: stats (cgroup v2):\n"
			"  wall time      1.500 s\n"
			"  cpu time       1.200 s user, 0.002 s system\n"
			"  memory peak    not available on this kernel, limit 16.0 MiB\n"
			"  oom kills      1\n"
			"  tasks peak     not available on this kernel\n"
			"  exit status    137\n");
	CHECK_STR(json, "{\"name\": \"lab\", \"cgroup\": \"v2\", \"wall_us\": 1500000, "
			"\"cpu_user_us\": 1200400, \"cpu_system_us\": 2000, "
			"\"memory_peak_bytes\": null, \"memory_limit_bytes\": 16777216, "
			"\"oom_kills\": 1, \"cpu_quota\": false, \"cpu_periods\": null, "
			"\"cpu_throttled_periods\": null, \"cpu_throttled_us\": null, "
			"\"tasks_peak\": null, \"tasks_limit\": null, \"exit_status\": 137}\n");
	free(text);
	free(json);
}

TEST(stats_throttling_and_peaks)
{
	struct ct_stats st = { .layout = "v1", .wall_us = 999, .has_memory = true,
			       .has_memory_peak = true, .memory_peak = 3 << 20, .has_oom = true,
			       .quota = true, .has_throttle = true, .nr_periods = 30,
			       .nr_throttled = 12, .throttled_us = 250000, .has_pids = true,
			       .has_pids_peak = true, .pids_peak = 4, .has_pids_limit = true,
			       .pids_limit = 2048 };
	char *text = stats_out(&st, false);

	CHECK_STR(text, "ctlaunch: lab: stats (cgroup v1):\n"
			"  wall time      0.001 s\n"
			"  cpu time       not available on this kernel\n"
			"  cpu throttled  12 of 30 periods, 0.250 s\n"
			"  memory peak    3.0 MiB (3145728 bytes), no limit\n"
			"  oom kills      0\n"
			"  tasks peak     4 of 2048\n"
			"  exit status    0\n");
	free(text);
}

/* Each problem keeps its parts beside its line of text. */
TEST(diags_parts_and_json)
{
	cleanup_diags struct ct_diags d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ct_diag(&d, "lab.yaml", (struct ct_loc){ 3, 5, NULL }, "resources.memory", "invalid size '%s'",
		"lots");
	ct_diag(&d, "lab.yaml", (struct ct_loc){ 1, 0, "hostname=a\tb" }, "hostname", "bad");
	ct_warn(&d, "lab.yaml", (struct ct_loc){ 0 }, NULL, "w");
	CHECK(d.n == 2 && d.n_warn == 1);
	CHECK_STR(d.info[0].key, "resources.memory");
	CHECK_STR(d.info[0].msg, "invalid size 'lots'");
	CHECK(d.info[0].line == 3 && d.info[0].col == 5 && !d.info[0].set);
	CHECK(d.info[1].line == 0 && d.info[1].set && !strcmp(d.info[1].set, "hostname=a\tb"));
	f = open_memstream(&buf, &len);
	ct_diags_print_json(&d, "lab.yaml", 125, f);
	fclose(f);
	CHECK_STR(buf,
		  "{\"version\": 1, \"file\": \"lab.yaml\", \"status\": \"failed\", \"exit_status\": 125, "
		  "\"problems\": [\n"
		  "  {\"file\": \"lab.yaml\", \"line\": 3, \"column\": 5, \"set\": null, "
		  "\"key\": \"resources.memory\", \"message\": \"invalid size 'lots'\", "
		  "\"text\": \"lab.yaml:3:5: resources.memory: invalid size 'lots'\"},\n"
		  "  {\"file\": \"lab.yaml\", \"line\": null, \"column\": null, \"set\": \"hostname=a\\tb\", "
		  "\"key\": \"hostname\", \"message\": \"bad\", \"text\": \"--set hostname=a\\tb: bad\"}\n"
		  "], \"warnings\": [\n"
		  "  {\"file\": \"lab.yaml\", \"line\": null, \"column\": null, \"set\": null, \"key\": null, "
		  "\"message\": \"w\", \"text\": \"lab.yaml: warning: w\"}\n"
		  "]}\n");
	free(buf);
}
