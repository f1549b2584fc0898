#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "running.h"
#include "state.h"
#include "t.h"
#include "util.h"

static void sample(struct ct_state *s)
{
	memset(s, 0, sizeof *s);
	s->name = xstrdup("lab1");
	s->pid = 4242;
	s->start = 123456789;
	s->owner = 1000;
	s->spec = xstrdup("/home/lab/odd\\dir\nwith newline/lab.yaml");
	s->digest = 0x0123456789abcdefULL;
	s->sets = xcalloc(3, sizeof *s->sets);
	s->sets[s->n_sets++] = xstrdup("resources.memory=128M");
	s->sets[s->n_sets++] = xstrdup("env.X=a\nb");
	s->nsflags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWCGROUP;
	s->uid = 1000;
	s->gid = 100;
	s->login = xstrdup("lab");
	s->home = xstrdup("/home/lab");
	s->seccomp = true;
	s->filter = 0xfedcba9876543210ULL;
	s->cgroups[s->n_cgroups++] = xstrdup("/sys/fs/cgroup/memory/ctlaunch/lab1");
	s->cgroups[s->n_cgroups++] = xstrdup("/sys/fs/cgroup/cpu,cpuacct/ctlaunch/lab1");
	s->limits[0].key = "memory";
	strcpy(s->limits[0].value, "64M");
	s->limits[1].key = "cpus";
	strcpy(s->limits[1].value, "0.5");
	s->n_limits = 2;
}

TEST(state_round_trip)
{
	struct ct_state a, b;
	struct ct_err e = { 0 };
	char *text;

	sample(&a);
	text = state_format(&a);
	/* A newline in a path never starts a line of its own. */
	CHECK(strstr(text, "spec /home/lab/odd\\\\dir\\nwith newline/lab.yaml\n") != NULL);
	CHECK(state_parse(text, &b, &e) == 0);
	CHECK_STR(b.name, "lab1");
	CHECK(b.pid == 4242 && b.start == 123456789 && b.owner == 1000);
	CHECK_STR(b.spec, a.spec);
	CHECK(b.digest == a.digest && b.nsflags == a.nsflags);
	CHECK(b.n_sets == 2);
	CHECK_STR(b.sets[0], "resources.memory=128M");
	CHECK_STR(b.sets[1], "env.X=a\nb");
	CHECK(b.uid == 1000 && b.gid == 100);
	CHECK_STR(b.login, "lab");
	CHECK_STR(b.home, "/home/lab");
	CHECK(b.seccomp && b.filter == a.filter);
	CHECK(b.n_cgroups == 2);
	CHECK_STR(b.cgroups[1], "/sys/fs/cgroup/cpu,cpuacct/ctlaunch/lab1");
	CHECK(b.n_limits == 2);
	CHECK_STR(b.limits[1].key, "cpus");
	CHECK_STR(b.limits[1].value, "0.5");
	free(text);
	state_free(&b);
	a.seccomp = false;
	text = state_format(&a);
	CHECK(strstr(text, "seccomp none\n") != NULL);
	CHECK(state_parse(text, &b, &e) == 0 && !b.seccomp);
	free(text);
	state_free(&b);
	state_free(&a);
}

/* Text that is not exactly what ctlaunch writes is refused whole. */
TEST(state_refuses)
{
	static const char *const bad[] = {
		"",
		"name x\n",
		"ctlaunch-state 2\nname x\n",
		/* a key missing */
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\n",
		/* twice */
		"ctlaunch-state 1\nname x\nname y\npid 1\nstart 1\nowner 0\nspec /s\n"
		"digest 0000000000000000\nnsflags 0x20000\nuser 0 0\nseccomp none\n",
		/* pid 0, a relative spec, a bad digest, a bad escape */
		"ctlaunch-state 1\nname x\npid 0\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 00000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\\t\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart -1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0\nseccomp none\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\ncgroup relative\n",
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\nno-value-line\n",
	};
	static const char good[] =
		"ctlaunch-state 1\nname x\npid 1\nstart 1\nowner 0\nspec /s\ndigest 0000000000000000\n"
		"nsflags 0x20000\nuser 0 0\nseccomp none\nfuture-key what ever\nlimit future 1\n";
	struct ct_state s;
	struct ct_err e = { 0 };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (state_parse(bad[i], &s, &e) == 0) {
			fprintf(stderr, "  accepted bad state %zu\n", i);
			CHECK(!"bad state accepted");
			state_free(&s);
		}
	}
	/* A newer ctlaunch's keys are skipped, not an error. */
	CHECK(state_parse(good, &s, &e) == 0 && s.n_limits == 0);
	state_free(&s);
}

TEST(state_proc_stat_text)
{
	uint64_t start = 0;
	char st = 0;

	/* A name with spaces and a ')' of its own. */
	CHECK(state_proc_start("1234 (a) b (c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			       "98765 1000 100 18446744073709551615\n", &start, &st) == 0);
	CHECK(start == 98765 && st == 'S');
	CHECK(state_proc_start("1234 (x) S 1 2 3", &start, &st) < 0);
	CHECK(state_proc_start("garbage", &start, &st) < 0);
}

TEST(running_signals)
{
	char buf[32];

	CHECK(running_signal_parse("TERM") == SIGTERM);
	CHECK(running_signal_parse("SIGKILL") == SIGKILL);
	CHECK(running_signal_parse("sigint") == SIGINT);
	CHECK(running_signal_parse("9") == 9);
	CHECK(running_signal_parse("0") < 0);
	CHECK(running_signal_parse("SIGNOPE") < 0);
	CHECK(running_signal_parse("") < 0);
	CHECK(running_signal_parse("99") < 0);
	CHECK_STR(running_signal_name(SIGTERM, buf, sizeof buf), "SIGTERM");
	CHECK_STR(running_signal_name(SIGRTMIN + 1, buf, sizeof buf),
		  (snprintf(buf + 16, 16, "SIG%d", SIGRTMIN + 1), buf + 16));
}

TEST(state_uptimes)
{
	char buf[32];

	state_uptime_format(0, buf, sizeof buf);
	CHECK_STR(buf, "0s");
	state_uptime_format(59, buf, sizeof buf);
	CHECK_STR(buf, "59s");
	state_uptime_format(303, buf, sizeof buf);
	CHECK_STR(buf, "5m03s");
	state_uptime_format(7500, buf, sizeof buf);
	CHECK_STR(buf, "2h05m");
	state_uptime_format(3 * 86400 + 4 * 3600 + 59, buf, sizeof buf);
	CHECK_STR(buf, "3d04h");
}

TEST(state_listing)
{
	struct state_entry v[1];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	sample(&v[0].st);
	v[0].uptime = 65;
	f = open_memstream(&text, &len);
	state_list_print(v, 1, false, f);
	fclose(f);
	CHECK(strncmp(text, "NAME  PID   UPTIME  OWNER  SPEC ", 32) == 0);
	CHECK(strstr(text, "\nlab1  4242  1m05s   1000   /home") != NULL);
	CHECK(strstr(text, "  memory=64M cpus=0.5\n") != NULL);
	free(text);
	f = open_memstream(&text, &len);
	state_list_print(v, 1, true, f);
	fclose(f);
	CHECK_STR(text, "[{\"name\": \"lab1\", \"pid\": 4242, \"uptime\": 65, \"owner\": 1000, "
			"\"spec\": \"/home/lab/odd\\\\dir\\nwith newline/lab.yaml\", "
			"\"limits\": {\"memory\": \"64M\", \"cpus\": \"0.5\"}, "
			"\"cgroups\": [\"/sys/fs/cgroup/memory/ctlaunch/lab1\", "
			"\"/sys/fs/cgroup/cpu,cpuacct/ctlaunch/lab1\"]}]\n");
	free(text);
	f = open_memstream(&text, &len);
	state_list_print(v, 0, true, f);
	fclose(f);
	CHECK_STR(text, "[]\n");
	free(text);
	state_free(&v[0].st);
}
