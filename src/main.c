/* ctlaunch: options, the pipeline (parse -> check -> plan -> print or
 * execute) and the exit status. The only place that prints errors. */
#include <errno.h>
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

#include "cgroup.h"
#include "check.h"
#include "exec.h"
#include "host.h"
#include "oci.h"
#include "image.h"
#include "plan.h"
#include "policy.h"
#include "running.h"
#include "spec.h"
#include "stats.h"
#include "util.h"

enum { EXIT_LAUNCHER = 125 };

/* What the invocation does: run a spec, or work with running ones. */
enum mode { MODE_RUN, MODE_LIST, MODE_JOIN, MODE_STOP, MODE_CLEANUP };

struct options {
	enum mode mode;
	bool plan, check, verbose, tty, init, json, quiet;
	bool stats, stats_json; /* --stats, --stats=json */
	bool format_json;       /* --format=json */
	const char *stats_file; /* --stats-file F: the stats there, not on stderr */
	int stdio_dir; /* 1 + the first of 0, 1, 2 that is a directory, or 0 */
	unsigned ttys; /* bit N: descriptor N is a terminal (see stdio_ttys) */
	const char *name, *cgroup_parent, *host_facts, *spec;
	const char *export_oci;  /* --export-oci: the bundle's directory */
	const char *target;      /* --join or --stop: the container's name */
	const char *export_image; /* --export-image DIR */
	const char *signal, *timeout; /* --stop's, as given; NULL: the defaults */
	char **cmd;
	size_t ncmd;
	char **sets;   /* the --set KEY=VALUE arguments, in order */
	size_t n_sets;
};

static void usage(FILE *out)
{
	fputs("usage: ctlaunch [OPTIONS] SPEC [-- COMMAND [ARG...]]\n"
	      "       ctlaunch --export-image DIR [OPTIONS] SPEC [-- COMMAND [ARG...]]\n"
	      "       ctlaunch --list [--json | -q]\n"
	      "       ctlaunch [-t] --join NAME [-- COMMAND [ARG...]]\n"
	      "       ctlaunch --stop NAME [--signal SIG] [--timeout S]\n"
	      "       ctlaunch --cleanup [--cgroup-parent PATH]\n"
	      "Run the command of a YAML spec in a new container, or list, join or stop running ones.\n"
	      "\n"
	      "  --plan                print the steps of the launch; change nothing\n"
	      "  --check               check the spec, the host and the command; change nothing\n"
	      "  --export-oci DIR      write DIR/config.json, an OCI runtime bundle of the\n"
	      "                        container (for crun, runc); change nothing else\n"
	      "  --export-image DIR    write the rootfs and the command as an OCI image layout\n"
	      "                        in DIR (new or empty), tagged with the container's name\n"
	      "  --format=FMT          with --plan or --check: text (default) or json\n"
	      "  --stats[=json]        after the run: wall and CPU time, peak memory, OOM kills,\n"
	      "                        throttling, peak tasks, exit status (on stderr)\n"
	      "  --stats-file FILE     write the stats to FILE (made 0600) instead\n"
	      "  --name NAME           the container's name (default: the spec's)\n"
	      "  --set KEY=VALUE       set a value of the spec, e.g. resources.memory=128M\n"
	      "                        (a dotted key, a YAML value; repeatable)\n"
	      "  --cgroup-parent PATH  make the cgroups under PATH (default: ctlaunch's own)\n"
	      "  -t, --tty             give the container a terminal of its own (tty: true)\n"
	      "  --init                run ctlaunch's init as pid 1 (init: true)\n"
	      "  -v, --verbose         log each step to stderr as it runs (and the seccomp rules)\n"
	      "  --list                the running containers: name, PID, uptime, owner, spec, limits\n"
	      "  --json                with --list: as a JSON array\n"
	      "  -q, --quiet           with --list: the names only, one a line\n"
	      "  --join NAME           run COMMAND (default /bin/sh) in the running container NAME\n"
	      "                        as its own command runs (-t: on a terminal of its own);\n"
	      "                        with --plan, print the steps\n"
	      "  --stop NAME           send SIG (default TERM) to its PID 1, SIGKILL after S seconds\n"
	      "                        (default 10); return once its run has cleaned up\n"
	      "  --signal SIG          with --stop: the signal, a name or a number\n"
	      "  --timeout S           with --stop: the seconds before SIGKILL\n"
	      "  --cleanup             root: remove the empty shared ctlaunch/ cgroups when no\n"
	      "                        container runs, and stale records and name locks\n"
	      "  -h, --help            show this help\n"
	      "  -V, --version         show the version\n"
	      "\n"
	      "Exit status: the command's; 128+N when it was killed by signal N;\n"
	      "125 ctlaunch failed; 126 the command cannot be executed; 127 not found.\n"
	      "See ctlaunch(1) and ctlaunch.yaml(5).\n",
	      out);
}

static void vwarnx_(const char *fmt, va_list ap)
{
	fputs("ctlaunch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2))) static void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
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

static bool set_mode(struct options *o, enum mode m, const char *target)
{
	static const char *const flag[] = { "", "--list", "--join", "--stop", "--cleanup" };

	if (o->mode != MODE_RUN && o->mode != m) {
		warnx_("%s and %s do not go together", flag[o->mode], flag[m]);
		return false;
	}
	o->mode = m;
	o->target = target;
	return true;
}

/* --format=FMT, --stats=FMT: json or text (getopt gives --format its
 * value; --stats without one is text). */
static bool json_or_text(const char *opt, const char *arg, bool *json)
{
	*json = arg && strcmp(arg, "json") == 0;
	if (!arg)
		return true;
	if (*json || strcmp(arg, "text") == 0)
		return true;
	warnx_("%s: unknown format '%s' (expected text or json)", opt, arg);
	return false;
}

/* The options' loop: 1 done (help, version), -1 bad usage, 0 go on. */
static int read_options(int argc, char **argv, struct options *o)
{
	enum { OPT_PLAN = 256, OPT_CHECK, OPT_NAME, OPT_SET, OPT_CGROUP_PARENT, OPT_HOST_FACTS,
	       OPT_INIT, OPT_LIST, OPT_JSON, OPT_JOIN, OPT_STOP, OPT_SIGNAL, OPT_TIMEOUT, OPT_CLEANUP,
	       OPT_EXPORT_OCI, OPT_STATS, OPT_STATS_FILE, OPT_FORMAT, OPT_EXPORT_IMAGE };
	static const struct option longopts[] = {
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "export-oci", required_argument, NULL, OPT_EXPORT_OCI },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "stats", optional_argument, NULL, OPT_STATS },
		{ "stats-file", required_argument, NULL, OPT_STATS_FILE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "set", required_argument, NULL, OPT_SET },
		{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
		/* Hidden: host facts from a file, for the golden tests. */
		{ "host-facts", required_argument, NULL, OPT_HOST_FACTS },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "export-image", required_argument, NULL, OPT_EXPORT_IMAGE },
		{ "join", required_argument, NULL, OPT_JOIN },
		{ "stop", required_argument, NULL, OPT_STOP },
		{ "cleanup", no_argument, NULL, OPT_CLEANUP },
		{ "tty", no_argument, NULL, 't' },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "signal", required_argument, NULL, OPT_SIGNAL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vhVtq", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLAN: o->plan = true; break;
		case OPT_CHECK: o->check = true; break;
		case OPT_EXPORT_OCI: o->export_oci = optarg; break;
		case OPT_FORMAT:
			if (!json_or_text("--format", optarg, &o->format_json))
				return -1;
			break;
		case OPT_STATS:
			o->stats = true;
			if (!json_or_text("--stats", optarg, &o->stats_json))
				return -1;
			break;
		case OPT_STATS_FILE: o->stats = true, o->stats_file = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_SET: o->sets[o->n_sets++] = optarg; break;
		case OPT_CGROUP_PARENT: o->cgroup_parent = optarg; break;
		case OPT_HOST_FACTS: o->host_facts = optarg; break;
		case OPT_LIST: if (!set_mode(o, MODE_LIST, NULL)) return -1; break;
		case OPT_JSON: o->json = true; break;
		case 'q': o->quiet = true; break;
		case OPT_EXPORT_IMAGE: o->export_image = optarg; break;
		case OPT_JOIN: if (!set_mode(o, MODE_JOIN, optarg)) return -1; break;
		case OPT_STOP: if (!set_mode(o, MODE_STOP, optarg)) return -1; break;
		case OPT_CLEANUP: if (!set_mode(o, MODE_CLEANUP, NULL)) return -1; break;
		case 't': o->tty = true; break;
		case OPT_INIT: o->init = true; break;
		case OPT_SIGNAL: o->signal = optarg; break;
		case OPT_TIMEOUT: o->timeout = optarg; break;
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
	return 0;
}

/* A usage error, said; -1. */
__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	return -1;
}

/* --list, --join and --stop: a name instead of a spec, and only the
 * options that mean something there. */
static int check_mode(const struct options *o, const char *extra)
{
	static const char *const flag[] = { "", "--list", "--join", "--stop", "--cleanup" };
	const char *m = flag[o->mode];

	if ((o->json || o->quiet) && o->mode != MODE_LIST)
		return bad_usage("%s goes with --list", o->json ? "--json" : "-q");
	if (o->json && o->quiet)
		return bad_usage("--json and -q do not go together");
	if (o->export_image && o->mode != MODE_RUN)
		return bad_usage("--export-image does not go with %s", m);
	if (o->tty && o->mode != MODE_RUN && o->mode != MODE_JOIN)
		return bad_usage("-t goes with a run or --join");
	if ((o->signal || o->timeout) && o->mode != MODE_STOP)
		return bad_usage("%s goes with --stop", o->signal ? "--signal" : "--timeout");
	/* A join's command is no run of its own: its use is the
	 * container's, which the run's --stats tells. --check and --plan
	 * take it as the run would (and write no file). */
	if (o->stats && o->mode != MODE_RUN)
		return bad_usage("%s goes with a run (or its --plan or --check)",
				 o->stats_file ? "--stats-file" : "--stats");
	if (o->format_json && !o->plan && !o->check)
		return bad_usage("--format goes with --plan or --check");
	if (o->mode == MODE_RUN)
		return 0;
	if (extra && (o->mode == MODE_LIST || o->mode == MODE_CLEANUP))
		return bad_usage("%s: unexpected argument '%s'", m, extra);
	if (extra)
		return bad_usage("%s takes a container's name, not a spec ('%s')", m, extra);
	/* A join runs as the container's command: its init, if any, is
	 * the container's PID 1 already. */
	if (o->cgroup_parent && o->mode == MODE_CLEANUP && !cgroup_parent_valid(o->cgroup_parent))
		return bad_usage("--cgroup-parent: invalid path '%s' (expected an absolute cgroup path "
				 "without . or .. parts, // or a trailing /)", o->cgroup_parent);
	if (o->check || o->export_oci || o->name || (o->cgroup_parent && o->mode != MODE_CLEANUP) ||
	    o->n_sets || o->init ||
	    (o->plan && o->mode != MODE_JOIN))
		return bad_usage("%s does not go with %s", m,
				 o->check ? "--check" : o->export_oci ? "--export-oci"
				 : o->name ? "--name" : o->cgroup_parent ? "--cgroup-parent"
				 : o->n_sets ? "--set" : o->init ? "--init" : "--plan");
	if (o->cmd && o->mode != MODE_JOIN)
		return bad_usage("%s takes no command", m);
	if (o->target && !spec_name_valid(o->target))
		return bad_usage("%s: invalid name '%s' (expected 1 to 64 of A-Z a-z 0-9 _ . -, not . or ..)",
				 m, o->target);
	return 0;
}

/* -1: bad usage (message printed); 1: done (help, version); 0: go on. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int end = argc, rc;

	/* Everything after "--" is the command, never options. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			o->cmd = argv + i + 1;
			o->ncmd = (size_t)(argc - i - 1);
			break;
		}
	rc = read_options(end, argv, o);
	if (rc)
		return rc;
	if (o->cmd && o->ncmd == 0) {
		warnx_("no command after --");
		return -1;
	}
	if (check_mode(o, optind < end ? argv[optind] : NULL) < 0)
		return -1;
	/* Facts of another machine are for showing a plan, never for a run
	 * (and exec_plan refuses a plan made from them). */
	if (o->host_facts && !o->plan && !o->check && !o->export_oci) {
		warnx_("--host-facts goes with --plan, --check or --export-oci only");
		return -1;
	}
	if (o->mode != MODE_RUN)
		return 0;
	if (optind >= end) {
		warnx_("no spec given (usage: ctlaunch [OPTIONS] SPEC [-- COMMAND [ARG...]])");
		return -1;
	}
	if (optind + 1 < end) {
		warnx_("unexpected argument '%s' (a command goes after --)", argv[optind + 1]);
		return -1;
	}
	if (o->plan + o->check + !!o->export_oci > 1) {
		warnx_("%s and %s do not go together", o->plan ? "--plan" : "--check",
		       o->export_oci ? "--export-oci" : "--check");
		return -1;
	}
	/* An image holds the rootfs and the command: a terminal, an init
	 * and the cgroups are a run's, and --plan and --check run nothing. */
	if (o->export_image && (o->plan || o->check || o->tty || o->init || o->cgroup_parent)) {
		warnx_("--export-image does not go with %s", o->plan ? "--plan" : o->check ? "--check"
			: o->tty ? "-t" : o->init ? "--init" : "--cgroup-parent");
		return -1;
	}
	if (o->export_image && !o->export_image[0]) {
		warnx_("--export-image: an empty path");
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
	if (o->check || o->plan || o->export_oci)
		spec_check_filter(spec, d);
	refused = d->n > 0;
	/* And what the run finds out only at the exec, in the same pass:
	 * its status (126, 127) when nothing else stops it first. */
	if (o->check)
		status = spec_check_command(spec, d);
	status = refused ? EXIT_LAUNCHER : status;
	if (o->check && o->format_json)
		ct_diags_print_json(d, o->spec, status, stdout);
	else
		print_diags(d, o->spec);
	return status;
}

/* --stats-file: made before the run, so that a path that cannot be
 * written stops it before it starts, not after an hour's experiment.
 * 0600 and never through a symbolic link (the last component; root's
 * run writing where another user can swap the name). -1 after saying
 * why. */
static int stats_open(const struct options *o)
{
	int fd;

	if (!o->stats_file)
		return 2; /* stderr */
	fd = open(o->stats_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		warnx_("--stats-file: cannot write %s: %s", o->stats_file, strerror(errno));
	return fd;
}

/* The stats, on stderr or into the file; closed. */
static int stats_write(const struct options *o, int fd, struct ct_stats *st, const char *name,
		       int status)
{
	FILE *out = fd == 2 ? stderr : fdopen(fd, "w");

	st->status = status;
	if (!out) {
		close(fd);
		return -1;
	}
	if (o->stats_json)
		stats_print_json(st, name, out);
	else
		stats_print_text(st, name, out);
	if (out == stderr)
		return fflush(stderr);
	return fclose(out);
}

/* --export-oci DIR: DIR made if missing (its parent must exist), and
 * DIR/config.json written whole, replacing one that is there. */
static int export_oci(const char *dir, const struct plan *p, const struct spec *spec,
		      const struct plan_opts *popts)
{
	cleanup_free char *path = path_join(dir, "config.json");
	cleanup_free char *cg = oci_cgroups_path(popts->cgroup_parent, spec->name);
	char unmapped[512];
	FILE *f;
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		warnx_("--export-oci: mkdir %s: %s", dir, strerror(errno));
		return EXIT_LAUNCHER;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		warnx_("--export-oci: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_LAUNCHER;
	}
	oci_config(p, spec, cg, f, unmapped, sizeof unmapped);
	if (ferror(f) | (fclose(f) != 0)) {
		warnx_("--export-oci: cannot write %s", path);
		return EXIT_LAUNCHER;
	}
	if (*unmapped)
		warnx_("warning: %s: no OCI equivalent, not in %s: %s", spec->name, path, unmapped);
	return 0;
}

static int run(const struct options *o, const struct plan_opts *popts, struct spec *spec,
	       const struct host *h)
{
	int stats_fd = -1;
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
		if (o->format_json)
			plan_print_json(&p, stdout);
		else
			plan_print(&p, o->verbose, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
	}
	if (o->export_oci)
		return export_oci(o->export_oci, &p, spec, popts);
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
	if (o->stats && (stats_fd = stats_open(o)) < 0)
		return EXIT_LAUNCHER;
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
	/* Last, after what the run said: the summary of it. */
	if (o->stats && stats_write(o, stats_fd, &r.stats, spec->name, status) < 0 && o->stats_file)
		warnx_("--stats-file: cannot write %s: %s", o->stats_file, strerror(errno));
	return status;
}

/* Whose containers this invocation sees (running.h). */
static struct running_who who(const struct host *h)
{
	return (struct running_who){ .euid = h->euid, .runtime_dir = h->runtime_dir,
				     .users_root = "/run/user" };
}

/* "ctlaunch: WHAT: the error"; 125. */
static int failed(const char *what, const struct ct_err *e)
{
	char text[2048];

	warnx_("%s: %s", what, ct_err_text(e, text, sizeof text));
	return EXIT_LAUNCHER;
}

static int list(const struct options *o, const struct host *h)
{
	struct running_who w = who(h);
	struct state_scan sc;
	struct ct_err e = { 0 };
	int rc;

	if (running_list(&w, &sc, &e) < 0) {
		state_scan_free(&sc);
		return failed("--list", &e);
	}
	for (size_t i = 0; i < sc.n_warn; i++)
		warnx_("warning: %s", sc.warn[i]);
	if (o->quiet)
		for (size_t i = 0; i < sc.n; i++)
			printf("%s\n", sc.v[i].st.name);
	else
		state_list_print(sc.v, sc.n, o->json, stdout);
	state_scan_free(&sc);
	rc = fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
	return rc;
}

/* --stop's signal and timeout, or their defaults (docker's: SIGTERM,
 * 10 s). */
static int stop_args(const struct options *o, int *sig, unsigned *ms)
{
	uint64_t secs = 10;

	*sig = o->signal ? running_signal_parse(o->signal) : SIGTERM;
	if (*sig < 0)
		return bad_usage("--signal: unknown signal '%s' (expected a name such as TERM or "
				 "SIGINT, or a number)", o->signal);
	if (o->timeout && parse_uint(o->timeout, 0, 86400, &secs) < 0)
		return bad_usage("--timeout: invalid number of seconds '%s' (expected 0 to 86400)",
				 o->timeout);
	*ms = (unsigned)secs * 1000;
	return 0;
}

static int stop(const struct options *o, const struct host *h)
{
	struct running_who w = who(h);
	struct running_found f;
	struct ct_err e = { 0 };
	char name[32];
	unsigned ms = 0;
	bool killed = false;
	int sig = SIGTERM, rc = 0;

	if (stop_args(o, &sig, &ms) < 0)
		return EXIT_LAUNCHER;
	if (running_find(&w, o->target, &f, &e) < 0)
		return failed(o->target, &e);
	if (f.st.owner != h->euid && h->euid != 0) {
		warnx_("%s: uid %u's container: only its owner, or root, may stop it", o->target,
		       (unsigned)f.st.owner);
		rc = EXIT_LAUNCHER;
	} else if (running_stop(&f, h->euid, sig, ms, &killed, &e) < 0) {
		rc = failed(o->target, &e);
	} else if (killed) {
		warnx_("%s: still running %u s after %s: killed with SIGKILL", o->target, ms / 1000,
		       running_signal_name(sig, name, sizeof name));
	}
	running_found_free(&f);
	return rc;
}

/* The spec a container was started from, as it was then: the same
 * file, the same text and --set values, its name and the user its run
 * resolved, with that user's login name and home directory (the
 * rootfs's /etc/passwd is the container's to change since). */
static int join_spec(const struct options *o, const struct ct_state *st, struct spec *spec)
{
	cleanup_diags struct ct_diags d = { 0 };
	static char *const shell[] = { "/bin/sh", NULL };
	struct ct_err e = { 0 };

	if (spec_load_set(st->spec, st->sets, st->n_sets, spec, &d) < 0) {
		print_diags(&d, st->spec);
		warnx_("%s: cannot plan the join from the spec it started from, %s", st->name, st->spec);
		return -1;
	}
	if (spec->digest != st->digest) {
		warnx_("%s: its spec %s has changed since it started: a join planned from it would "
		       "not run as the container's command does", st->name, st->spec);
		return -1;
	}
	if (spec_set_name(spec, st->name, &e) < 0) {
		failed(st->name, &e);
		return -1;
	}
	spec->uid = st->uid;
	spec->gid = st->gid;
	spec->login = st->login ? xstrdup(st->login) : NULL;
	spec->home = st->home ? xstrdup(st->home) : NULL;
	if (o->cmd)
		spec_set_command(spec, o->cmd, o->ncmd);
	else
		spec_set_command(spec, shell, 1);
	/* The joined command's terminal is -t's, not the spec's; and no
	 * init: the container's PID 1 is its init already, and reaps what
	 * the joined command leaves. */
	spec->tty = o->tty;
	spec->tty_at = (struct ct_loc){ 0 };
	spec->has_init = true;
	spec->init = false;
	return 0;
}

/* Print or run a join's plan, as run() does a launch's. */
static int join_plan(const struct options *o, const struct plan *p)
{
	struct exec_opts eopts = { .log = o->verbose ? log_step : NULL };
	struct exec_result r = { 0 };
	struct ct_err e = { 0 };

	if (o->plan) {
		if (o->format_json)
			plan_print_json(p, stdout);
		else
			plan_print(p, o->verbose, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
	}
	if (o->stdio_dir) {
		warnx_("%s: descriptor %d is a directory: through /proc/self/fd/%d the command "
		       "would reach the host's files; refusing to join", o->target, o->stdio_dir - 1,
		       o->stdio_dir - 1);
		return EXIT_LAUNCHER;
	}
	/* As a run's -t: the terminal is the caller's, relayed. */
	if (o->tty && !(o->ttys & 1)) {
		warnx_("%s: a terminal for the joined command (-t) needs one on standard input",
		       o->target);
		return EXIT_LAUNCHER;
	}
	fflush(NULL);
	if (exec_plan(p, &eopts, &r, &e) < 0) {
		failed(o->target, &e);
		return e.status ? e.status : EXIT_LAUNCHER;
	}
	if (r.interrupted && r.status == 128 + SIGKILL)
		warnx_("%s: killed after a second interrupt", o->target);
	return r.status;
}

static int join(const struct options *o, const struct host *h)
{
	struct running_who w = who(h);
	struct running_found f;
	struct plan_opts popts = { .term = getenv("TERM"), .stdio_dir = o->stdio_dir,
				   .ttys = o->ttys };
	cleanup_spec struct spec spec = { 0 };
	cleanup_plan struct plan p = { 0 };
	struct ct_err e = { 0 };
	int rc = EXIT_LAUNCHER;

	if (running_find(&w, o->target, &f, &e) < 0)
		return failed(o->target, &e);
	if (f.st.owner != h->euid)
		warnx_("%s: uid %u's container: only its owner may join it", o->target,
		       (unsigned)f.st.owner);
	else if (join_spec(o, &f.st, &spec) == 0)
		rc = plan_join(&spec, h, &popts, &f.st, &p, &e) < 0 ? failed(o->target, &e)
								     : join_plan(o, &p);
	running_found_free(&f);
	return rc;
}

/* --cleanup, the shared levels: under the global lock (no run is
 * making its cgroups), and only when no container runs (one that is
 * leaving may still be in there; rmdir refuses a cgroup with one
 * below it all the same). */
static int cleanup_levels(const struct options *o, const struct host *h, size_t running,
			  bool *any)
{
	char *level[2 * HOST_HIER_MAX];
	size_t n = plan_shared_levels(h, o->cgroup_parent, level, sizeof level / sizeof *level);
	struct ct_err e = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		int r = running ? 2 : cg_remove_empty(level[i], &e);

		if (r == 1)
			printf("removed %s\n", level[i]);
		else if (r == 2 && access(level[i], F_OK) == 0)
			printf("kept %s: %s\n", level[i],
			       running ? "a container is running" : "a cgroup is below it");
		if (r < 0)
			rc = failed("--cleanup", &e);
		*any = *any || r == 1;
		free(level[i]);
	}
	return rc;
}

/* --cleanup (root): what runs leave for the next ones, when nothing
 * needs it: the shared ctlaunch/ cgroups (see plan_exit_cgroups), the
 * records of runs that are gone and the locks of names not running. */
static int cleanup(const struct options *o, const struct host *h)
{
	struct running_who w = who(h);
	struct state_cleaned c = { 0 };
	struct state_scan sc = { 0 };
	struct ct_err e = { 0 };
	bool any = false;
	int lock, rc;

	if (h->euid != 0) {
		warnx_("--cleanup: only root may (a user's runs leave no shared cgroup to remove)");
		return EXIT_LAUNCHER;
	}
	lock = cg_lock(CT_LOCK_FILE, false, h->cgroup_root, true, &e);
	if (lock < 0)
		return failed("--cleanup", &e);
	rc = state_clean(CT_STATE_DIR, 0, &c, &e) < 0 ? failed("--cleanup", &e) : 0;
	for (size_t i = 0; i < c.n; i++)
		printf("removed %s\n", c.path[i]);
	any = c.n > 0;
	state_cleaned_free(&c);
	if (rc == 0 && running_list(&w, &sc, &e) < 0)
		rc = failed("--cleanup", &e);
	else if (rc == 0)
		rc = cleanup_levels(o, h, sc.n, &any);
	state_scan_free(&sc);
	cg_unlock(&lock);
	if (rc == 0 && !any)
		printf("nothing to clean up\n");
	return rc || fflush(stdout) != 0 ? EXIT_LAUNCHER : 0;
}

/* --list, --join, --stop: the running containers, found by the state
 * files of the caller's host facts (its uid, its runtime directory). */
static int manage(const struct options *o)
{
	cleanup_host struct host h = { 0 };
	struct ct_err e = { 0 };

	if ((o->host_facts ? host_load_facts(&h, o->host_facts, &e) : host_probe(&h, &e)) < 0)
		return failed("host", &e);
	switch (o->mode) {
	case MODE_LIST:
		return list(o, &h);
	case MODE_STOP:
		return stop(o, &h);
	case MODE_JOIN:
		return join(o, &h);
	case MODE_CLEANUP:
		return cleanup(o, &h);
	case MODE_RUN:
		break;
	}
	return EXIT_LAUNCHER;
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): the latest mtime in
 * the layer, as GNU tar's --clamp-mtime. The image's "created" is its
 * newest file's time either way, not the clock's: the same rootfs
 * makes the same image. */
static int image_epoch(struct image_opts *io)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	uint64_t t;

	if (!v)
		return 0;
	if (parse_uint(v, 0, INT64_MAX, &t) < 0) {
		warnx_("SOURCE_DATE_EPOCH: invalid time '%s' (expected seconds since 1970)", v);
		return -1;
	}
	io->has_epoch = true;
	io->epoch = (int64_t)t;
	return 0;
}

/* --export-image: the spec checked as for a run (its rootfs resolved,
 * its user's ids), then the layout written. No policy: what this host
 * refuses to run (a missing controller, say) an image does not carry. */
static int export_image(const struct options *o, struct spec *spec, const struct host *h,
			struct ct_diags *d)
{
	struct image_opts io = { 0 };
	struct image_result r;
	struct ct_err e = { 0 };

	spec_check(spec, h, d);
	print_diags(d, o->spec);
	if (d->n || image_epoch(&io) < 0)
		return EXIT_LAUNCHER;
	if (image_export(spec, o->export_image, &io, &r, &e) < 0)
		return failed(spec->name, &e);
	if (r.sockets)
		warnx_("%s: warning: %zu sockets of the rootfs left out (a tar holds none)",
		       spec->name, r.sockets);
	if (r.mount_points)
		warnx_("%s: warning: %zu mount points in the rootfs: their directories only",
		       spec->name, r.mount_points);
	printf("%s: %s sha256:%s (%llu entries, layer %llu bytes)\n", o->export_image, spec->name,
	       r.manifest.hex, (unsigned long long)r.entries, (unsigned long long)r.layer.size);
	return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
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
	if (o.mode != MODE_RUN)
		return manage(&o);
	if (spec_load_set(o.spec, o.sets, o.n_sets, &spec, &d) < 0) {
		if (o.check && o.format_json)
			ct_diags_print_json(&d, o.spec, EXIT_LAUNCHER, stdout);
		else
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
	if (o.export_image)
		return export_image(&o, &spec, &h, &d);
	popts.cgroup_parent = o.cgroup_parent;
	popts.term = getenv("TERM");
	popts.stdio_dir = o.stdio_dir;
	popts.ttys = o.ttys;
	popts.stats = o.stats;
	rc = check_all(&o, &popts, &spec, &h, &d);
	if (rc)
		return rc;
	/* On stderr, as the problems. */
	if (policy_warning(&spec, &h))
		warnx_("warning: %s: %s", spec.name, policy_warning(&spec, &h));
	if (o.check) {
		if (!o.format_json)
			printf("%s: ok\n", spec.file);
		return fflush(stdout) == 0 ? 0 : EXIT_LAUNCHER;
	}
	return run(&o, &popts, &spec, &h);
}
