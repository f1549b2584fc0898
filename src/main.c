/* ctlaunch: options, the pipeline (parse -> check -> plan -> print or
 * execute) and the exit status. The only place that prints errors. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"
#include "exec.h"
#include "host.h"
#include "plan.h"
#include "policy.h"
#include "spec.h"

enum { EXIT_LAUNCHER = 125 };

struct options {
	bool plan, check, verbose, tty, init;
	int stdio_dir; /* 1 + the first of 0, 1, 2 that is a directory, or 0 */
	unsigned ttys; /* bit N: descriptor N is a terminal (see stdio_ttys) */
	const char *name, *cgroup_parent, *host_facts, *spec;
	char **cmd;
	size_t ncmd;
	char **sets;   /* the --set KEY=VALUE arguments, in order */
	size_t n_sets;
};

static void usage(FILE *out)
{
	fputs("usage: ctlaunch [OPTIONS] SPEC [-- COMMAND [ARG...]]\n"
	      "Run the command of a YAML spec in a new container.\n"
	      "\n"
	      "  --plan                print the steps of the launch; change nothing\n"
	      "  --check               check the spec, the host and the command; change nothing\n"
	      "  --name NAME           the container's name (default: the spec's)\n"
	      "  --set KEY=VALUE       set a value of the spec, e.g. resources.memory=128M\n"
	      "                        (a dotted key, a YAML value; repeatable)\n"
	      "  --cgroup-parent PATH  make the cgroups under PATH (default: ctlaunch's own)\n"
	      "  -t, --tty             give the container a terminal of its own (tty: true)\n"
	      "  --init                run ctlaunch's init as pid 1 (init: true)\n"
	      "  -v, --verbose         log each step to stderr as it runs (and the seccomp rules)\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n"
	      "\n"
	      "Exit status: the command's; 128+N when it was killed by signal N;\n"
	      "125 ctlaunch failed; 126 the command cannot be executed; 127 not found.\n"
	      "See ctlaunch(1) and ctlaunch.yaml(5).\n",
	      out);
}

__attribute__((format(printf, 1, 2))) static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("ctlaunch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A cgroup parent names a place in every hierarchy: absolute, and no
 * part that could climb out of it. */
static bool cgroup_parent_valid(const char *path)
{
	/* One spelling per cgroup: no "//", no trailing "/" but for "/". */
	if (path[0] != '/' || strstr(path, "//") || (path[1] && path[strlen(path) - 1] == '/'))
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	for (const char *p = path; (p = strstr(p, "/.")); p++) {
		size_t n = p[2] == '.' ? 3 : 2;

		if (p[n] == '/' || p[n] == '\0')
			return false;
	}
	return true;
}

/* 1 when descriptor fd, whose fstat is st, is a terminal that a lower
 * one is not. A terminal is a character device; /dev/null and its
 * kin (major 1) never are, and cost no more system call: a launch
 * from a script makes none for this. */
static unsigned stdio_tty(int fd, const struct stat *st, dev_t seen[3])
{
	seen[fd] = 0;
	if (!S_ISCHR(st->st_mode) || major(st->st_rdev) == 1 || !isatty(fd))
		return 0;
	seen[fd] = st->st_rdev;
	for (int i = 0; i < fd; i++)
		if (seen[i] == st->st_rdev)
			return 0;
	return 1;
}

/* -1: bad usage (message printed); 1: done (help, version); 0: go on. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_PLAN = 256, OPT_CHECK, OPT_NAME, OPT_SET, OPT_CGROUP_PARENT, OPT_HOST_FACTS,
	       OPT_INIT };
	static const struct option longopts[] = {
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "set", required_argument, NULL, OPT_SET },
		{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
		/* Hidden: host facts from a file, for the golden tests. */
		{ "host-facts", required_argument, NULL, OPT_HOST_FACTS },
		{ "tty", no_argument, NULL, 't' },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int end = argc, c;

	/* Everything after "--" is the command, never options. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			o->cmd = argv + i + 1;
			o->ncmd = (size_t)(argc - i - 1);
			break;
		}
	opterr = 0;
	while ((c = getopt_long(end, argv, ":tvhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLAN: o->plan = true; break;
		case OPT_CHECK: o->check = true; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_SET: o->sets[o->n_sets++] = optarg; break;
		case OPT_CGROUP_PARENT: o->cgroup_parent = optarg; break;
		case OPT_HOST_FACTS: o->host_facts = optarg; break;
		case 't': o->tty = true; break;
		case OPT_INIT: o->init = true; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); return 1;
		case 'V': printf("ctlaunch %s\n", CTLAUNCH_VERSION); return 1;
		case ':':
			warnx_("option '%s' needs a value (see --help)", argv[optind - 1]);
			return -1;
		default:
			warnx_("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= end) {
		warnx_("no spec given (usage: ctlaunch [OPTIONS] SPEC [-- COMMAND [ARG...]])");
		return -1;
	}
	if (optind + 1 < end) {
		warnx_("unexpected argument '%s' (a command goes after --)", argv[optind + 1]);
		return -1;
	}
	if (o->plan && o->check) {
		warnx_("--plan and --check do not go together");
		return -1;
	}
	/* Facts of another machine are for showing a plan, never for a run
	 * (and exec_plan refuses a plan made from them). */
	if (o->host_facts && !o->plan && !o->check) {
		warnx_("--host-facts goes with --plan or --check only");
		return -1;
	}
	if (o->cmd && o->ncmd == 0) {
		warnx_("no command after --");
		return -1;
	}
	if (o->cgroup_parent && !cgroup_parent_valid(o->cgroup_parent)) {
		warnx_("--cgroup-parent: invalid path '%s' (expected an absolute cgroup path "
		       "without . or .. parts, // or a trailing /)", o->cgroup_parent);
		return -1;
	}
	o->spec = argv[optind];
	return 0;
}

/* Every problem, up to a screenful: a hostile or generated spec can
 * have a hundred thousand, and the first ones say what is wrong. */
#define MAX_DIAGS 50

static void print_diags(const struct ct_diags *d, const char *file)
{
	for (size_t i = 0; i < d->n_warn && i < MAX_DIAGS; i++)
		fprintf(stderr, "%s\n", d->warn[i]);
	for (size_t i = 0; i < d->n && i < MAX_DIAGS; i++)
		fprintf(stderr, "%s\n", d->v[i]);
	if (d->n > MAX_DIAGS)
		fprintf(stderr, "%s: %zu more problems not shown\n", file, d->n - MAX_DIAGS);
}

static void log_step(const struct plan *p, const struct step *s)
{
	char line[4096];

	step_format(p, s, line, sizeof line);
	if (s->side == SIDE_EXIT)
		fprintf(stderr, "ctlaunch: %s: at exit: %s\n", p->name, line);
	else
		fprintf(stderr, "ctlaunch: %s: %s %zu/%zu: %s\n", p->name, step_side_name(s->side),
			(size_t)(s - p->steps) + 1, plan_run_steps(p), line);
}

/* --check, --plan and the run alike, before anything else: every
 * problem in one pass, what the host tells of the spec (its user's ids,
 * which the policy needs), then what this host and this invocation
 * refuse. Printed; 0 when there is none, else the exit status. */
static int check_all(const struct options *o, const struct plan_opts *popts, struct spec *spec,
		     const struct host *h, struct ct_diags *d)
{
	bool refused;
	int status = 0;

	spec_check(spec, h, d);
	policy_check(spec, h, popts, d);
	/* The run compiles the spec's seccomp profile before its first
	 * step (exec_plan) and stops there when it fails. */
	if (o->check || o->plan)
		spec_check_filter(spec, d);
	refused = d->n > 0;
	/* And what the run finds out only at the exec, in the same pass:
	 * its status (126, 127) when nothing else stops it first. */
	if (o->check)
		status = spec_check_command(spec, d);
	print_diags(d, o->spec);
	return refused ? EXIT_LAUNCHER : status;
}

static int run(const struct options *o, const struct plan_opts *popts, struct spec *spec,
	       const struct host *h)
{
	struct exec_opts eopts = { .log = o->verbose ? log_step : NULL };
	struct exec_result r = { 0 };
	struct ct_err e = { 0 };
	cleanup_plan struct plan p = { 0 };
	char text[2048];
	int status;

	if (plan_build(spec, h, popts, &p, &e) < 0) {
		warnx_("%s", ct_err_text(&e, text, sizeof text));
		return EXIT_LAUNCHER;
	}
	if (o->plan) {
		plan_print(&p, o->verbose, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
	}
	/* As docker run -t: the terminal is the caller's, relayed. Not a
	 * refusal of the policy's: --check and --plan look at a spec that
	 * will run on a terminal later, from a script or CI without one. */
	if (spec->tty && !(o->ttys & 1)) {
		warnx_("%s: a terminal for the container (%s) needs one on standard input",
		       spec->name, o->tty ? "-t" : "tty: true");
		return EXIT_LAUNCHER;
	}
	/* The filter's rules, before the clone: listing the default
	 * profile allocates, which a vfork child must not. */
	for (size_t i = 0; o->verbose && i < p.n; i++)
		if (p.steps[i].kind == STEP_SECCOMP) {
			fprintf(stderr, "ctlaunch: %s: the seccomp filter's rules:\n", p.name);
			step_details(&p.steps[i], stderr);
		}
	fflush(NULL);
	if (exec_plan(&p, &eopts, &r, &e) < 0) {
		warnx_("%s: %s", spec->name, ct_err_text(&e, text, sizeof text));
		status = e.status ? e.status : EXIT_LAUNCHER;
	} else {
		status = r.status;
	}
	if (r.interrupted && status == 128 + SIGKILL)
		warnx_("%s: killed after a second interrupt", spec->name);
	if (r.cleanup_failed)
		warnx_("%s: warning: cleanup: %s", spec->name,
		       ct_err_text(&r.cleanup, text, sizeof text));
	if (r.oom) {
		size_format(spec->res.memory, text, sizeof text);
		warnx_("%s: killed by the OOM killer (memory limit %s)", spec->name, text);
	}
	return status;
}

int main(int argc, char **argv)
{
	/* As many --set as arguments, at most. */
	cleanup_free char **sets = xcalloc((size_t)argc, sizeof *sets);
	struct options o = { .sets = sets };
	struct plan_opts popts = { 0 };
	cleanup_diags struct ct_diags d = { 0 };
	cleanup_spec struct spec spec = { 0 };
	cleanup_host struct host h = { 0 };
	struct ct_err e = { 0 };
	char text[2048];
	int rc;

	/* With 0, 1 or 2 closed, the next open would take its place and
	 * a pipe of the launcher could become the container's stdout.
	 * One that is a directory would be passed to the command, and
	 * /proc/self/fd/N leads through it to the host's tree: the
	 * container's root could read and write there, and a mount target
	 * of a hostile rootfs that links to it would have ctlaunch make
	 * directories and files on the host (the class of CVE-2024-21626).
	 * The policy refuses it (policy.c), for --check, --plan and the
	 * run; as stdio a directory is of no use. One fstat each tells
	 * both, and which of them are terminals. */
	dev_t seen[3];

	for (int fd = 0; fd < 3; fd++) {
		struct stat st;

		if (fstat(fd, &st) < 0) {
			if (open("/dev/null", O_RDWR) != fd)
				return EXIT_LAUNCHER;
			st.st_mode = 0;
		} else if (S_ISDIR(st.st_mode) && !o.stdio_dir) {
			o.stdio_dir = fd + 1;
		}
		o.ttys |= stdio_tty(fd, &st, seen) << fd;
	}
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : EXIT_LAUNCHER;
	if (spec_load_set(o.spec, o.sets, o.n_sets, &spec, &d) < 0) {
		print_diags(&d, o.spec);
		return EXIT_LAUNCHER;
	}
	if (o.name && spec_set_name(&spec, o.name, &e) < 0) {
		warnx_("%s", ct_err_text(&e, text, sizeof text));
		return EXIT_LAUNCHER;
	}
	if (o.cmd)
		spec_set_command(&spec, o.cmd, o.ncmd);
	/* On the command line: no place in the file. */
	if (o.tty)
		spec.tty = true, spec.tty_at = (struct ct_loc){ 0 };
	if (o.init)
		spec.init = spec.has_init = true, spec.init_at = (struct ct_loc){ 0 };
	if ((o.host_facts ? host_load_facts(&h, o.host_facts, &e) : host_probe(&h, &e)) < 0) {
		warnx_("%s", ct_err_text(&e, text, sizeof text));
		return EXIT_LAUNCHER;
	}
	popts.cgroup_parent = o.cgroup_parent;
	popts.term = getenv("TERM");
	popts.stdio_dir = o.stdio_dir;
	popts.ttys = o.ttys;
	rc = check_all(&o, &popts, &spec, &h, &d);
	if (rc)
		return rc;
	/* On stderr, as the problems. */
	if (policy_warning(&spec, &h))
		warnx_("warning: %s: %s", spec.name, policy_warning(&spec, &h));
	if (o.check) {
		printf("%s: ok\n", spec.file);
		return 0;
	}
	return run(&o, &popts, &spec, &h);
}
