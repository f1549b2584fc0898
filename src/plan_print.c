/* The plan as text: one line a step, for --plan, --verbose and the golden
 * tests. The wording names the kernel's own files and flags, so a reader
 * can follow along in the man pages. */
#include <linux/mount.h> /* MS_* values only */
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "devices.h"
#include "plan.h"
#include "syscall_filter.h"

struct flag_name {
	unsigned long flag;
	const char *name;
};

static const struct flag_name ms_flags[] = {
	{ MS_RDONLY, "MS_RDONLY" },   { MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" },     { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
	{ MS_REC, "MS_REC" },         { MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" },     { MS_STRICTATIME, "MS_STRICTATIME" },
};

static const struct flag_name clone_flags[] = {
	{ CLONE_NEWUSER, "CLONE_NEWUSER" },     { CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWPID, "CLONE_NEWPID" },       { CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" },       { CLONE_NEWNET, "CLONE_NEWNET" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
};

/* A small appender that never overflows and always terminates. */
struct out {
	char *buf;
	size_t size, len;
};

/* s as it is, truncated as vsnprintf would: a --plan is mostly fixed
 * words and paths, and a vsnprintf call costs two thousand
 * instructions (callgrind: printing was 58% of a --plan). */
static void put_str(struct out *o, const char *s)
{
	size_t n = strlen(s), room;

	if (o->len >= o->size)
		return;
	room = o->size - o->len - 1;
	memcpy(o->buf + o->len, s, n < room ? n : room);
	o->buf[o->len + (n < room ? n : room)] = '\0';
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	const char s[2] = { c, '\0' };

	put_str(o, s);
}

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	if (!strchr(fmt, '%')) {
		put_str(o, fmt);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_flags(struct out *o, unsigned long flags, const struct flag_name *t, size_t n)
{
	const char *sep = "";

	for (size_t i = 0; i < n; i++)
		if (flags & t[i].flag) {
			put_str(o, sep);
			put_str(o, t[i].name);
			sep = "|";
		}
}

/* Shell-style quoting, so an exec line can be pasted into a shell and
 * every step stays on one line: control characters go in $'...' form. */
static void put_word(struct out *o, const char *w)
{
	bool control = false;

	for (const char *c = w; *c; c++)
		control = control || (unsigned char)*c < 0x20 || *c == 0x7f;
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_-./:=,+@%") == strlen(w)) {
		put_str(o, w);
		return;
	}
	if (!control) {
		put_char(o, '\'');
		for (const char *c = w; *c; c++)
			if (*c == '\'')
				put_str(o, "'\\''");
			else
				put_char(o, *c);
		put_char(o, '\'');
		return;
	}
	put(o, "$'");
	for (const unsigned char *c = (const unsigned char *)w; *c; c++) {
		if (*c == '\n')
			put(o, "\\n");
		else if (*c == '\t')
			put(o, "\\t");
		else if (*c == '\'' || *c == '\\')
			put(o, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			put(o, "\\x%02x", *c);
		else
			put_char(o, (char)*c);
	}
	put_char(o, '\'');
}

static void put_mount(struct out *o, const struct step *s)
{
	unsigned long f = s->u.mnt.flags;

	if (f & MS_REMOUNT)
		put(o, "mount %s remount (", s->u.mnt.target);
	else if (f & (MS_PRIVATE | MS_SLAVE) && !s->u.mnt.source)
		put(o, "mount %s %s%s (", s->u.mnt.target, f & MS_REC ? "r" : "",
		    f & MS_PRIVATE ? "private" : "slave");
	else if (f & MS_BIND)
		put(o, "mount %s on %s bind (", s->u.mnt.source, s->u.mnt.target);
	else
		put(o, "mount %s on %s type %s (", s->u.mnt.source, s->u.mnt.target,
		    s->u.mnt.fstype);
	put_flags(o, f, ms_flags, sizeof ms_flags / sizeof ms_flags[0]);
	put(o, ")");
	if (s->u.mnt.data)
		put(o, " %s", s->u.mnt.data);
	if (s->u.mnt.optional)
		put(o, " if it exists");
}

/* Profile, default action, rules: the summary; step_details lists them. */
static void put_seccomp(struct out *o, const struct step *s)
{
	const struct sc_profile *prof = s->u.seccomp.profile;
	struct sc_profile def = { 0 };
	char act[64];
	size_t calls = 0;

	if (!prof) {
		sc_default_profile(s->u.seccomp.caps, &def);
		prof = &def;
	}
	for (size_t i = 0; i < prof->n_rules; i++)
		calls += prof->rules[i].n_names;
	sc_action_format(prof->default_action, prof->default_errno, act, sizeof act);
	put(o, "seccomp filter %s: %s for any call no rule matches, %zu rules naming %zu calls",
	    s->u.seccomp.profile ? "custom" : "default (Docker's, with what these capabilities grant)",
	    act, prof->n_rules, calls);
	sc_profile_free_rules(&def);
}

void step_details(const struct step *s, FILE *out)
{
	struct sc_profile def = { 0 };

	if (s->kind != STEP_SECCOMP)
		return;
	if (s->u.seccomp.profile) {
		sc_profile_print(s->u.seccomp.profile, out);
		return;
	}
	sc_default_profile(s->u.seccomp.caps, &def);
	sc_profile_print(&def, out);
	sc_profile_free_rules(&def);
}

void step_format(const struct plan *p, const struct step *s, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	(void)p;
	buf[0] = '\0';
	switch (s->kind) {
	case STEP_CG_MKDIR:
		put(&o, "mkdir %s%s", s->u.cg.dir,
		    s->u.cg.shared ? " (shared; may exist)" : "");
		break;
	case STEP_CG_WRITE:
		put(&o, "write %s = %s in %s%s", s->u.cg.file, s->u.cg.value, s->u.cg.dir,
		    s->u.cg.optional ? " if the kernel has it" : "");
		/* The one limit that is there without a spec key. */
		if (!s->from.line && strcmp(s->u.cg.file, "pids.max") == 0)
			put(&o, " (the default; resources.pids sets another)");
		break;
	case STEP_CG_ENABLE:
		put(&o, "enable %s in %s/cgroup.subtree_control", s->u.cg.value, s->u.cg.dir);
		if (s->u.cg.supervise)
			put(&o, " (first moving ctlaunch, if it is alone there, into %s/%s)",
			    s->u.cg.dir, CG_SUPERVISOR);
		if (s->u.cg.optional)
			put(&o, "; if refused, no default pids limit");
		break;
	case STEP_DEVICES:
		if (s->u.cg.file)
			put(&o, "devices: write a to devices.deny, then allow");
		else
			put(&o, "devices: attach a BPF_CGROUP_DEVICE program (BPF_F_ALLOW_MULTI) allowing only");
		for (size_t i = 0; i < n_dev_rules; i++) {
			char rule[24];

			dev_rule_format(i, rule, sizeof rule);
			put(&o, "%s%s", i ? ", " : " ", rule);
		}
		put(&o, " in %s", s->u.cg.dir);
		break;
	case STEP_IDMAP:
		put(&o, "write %s to /proc/<child pid>/%cid_map%s", s->u.idmap.map, s->u.idmap.which,
		    s->u.idmap.deny_setgroups && s->u.idmap.which == 'g' ? " (setgroups deny first)" : "");
		if (s->u.idmap.helper)
			put(&o, " with new%cidmap", s->u.idmap.which);
		else if (s->u.idmap.why && s->u.idmap.which == 'u')
			put(&o, "; the user alone: %s", s->u.idmap.why);
		break;
	case STEP_CG_COPY:
		put(&o, "copy %s from the parent cgroup into %s", s->u.cg.file, s->u.cg.dir);
		break;
	case STEP_CLONE:
		put(&o, "clone ");
		put_flags(&o, s->u.clone.flags, clone_flags, sizeof clone_flags / sizeof clone_flags[0]);
		if (s->u.clone.cgroup)
			put(&o, " into cgroup %s (clone3 CLONE_INTO_CGROUP)", s->u.clone.cgroup);
		if (s->u.clone.as_owner)
			put(&o, " as euid %u egid %u (the user namespace's owner)", s->u.clone.owner_uid,
			    s->u.clone.owner_gid);
		if (s->u.clone.vfork)
			put(&o, " with CLONE_VM|CLONE_VFORK (ctlaunch sleeps until the child execs)");
		else
			put(&o, " (the child waits to be released)");
		break;
	case STEP_CG_ENTER:
		put(&o, "write %s to %s/cgroup.procs", s->side == SIDE_CHILD ? "0 (itself)" : "<child pid>",
		    s->u.cg.dir);
		break;
	case STEP_UNLOCK:
		put(&o, "let go of the cgroup lock");
		break;
	case STEP_RELEASE:
		put(&o, "release the child");
		break;
	case STEP_DIE_WITH_PARENT:
		put(&o, "prctl PR_SET_PDEATHSIG SIGKILL (die with the parent)");
		break;
	case STEP_WAIT_RELEASE:
		put(&o, "wait to be released");
		break;
	case STEP_NOT_DUMPABLE:
		put(&o, "prctl PR_SET_DUMPABLE 0 (until exec)");
		break;
	case STEP_SETSID:
		put(&o, "setsid");
		break;
	case STEP_UNSHARE:
		put(&o, "unshare ");
		put_flags(&o, s->u.clone.flags, clone_flags, sizeof clone_flags / sizeof clone_flags[0]);
		break;
	case STEP_CAPS_BOUND:
	case STEP_CAPS: {
		char names[1024];

		caps_format(s->u.caps.keep, names, sizeof names);
		if (s->kind == STEP_CAPS_BOUND)
			put(&o, "bounding capabilities %s; ambient none", *names ? names : "none");
		else
			put(&o, "capabilities %s (permitted, effective; inheritable none)",
			    *names ? names : "none");
		break;
	}
	case STEP_USER:
		if (s->u.user.setgroups)
			put(&o, "setgroups %u, ", s->u.user.gid);
		put(&o, "setgid %u, setuid %u", s->u.user.gid, s->u.user.uid);
		break;
	case STEP_RESOLVE:
		put(&o, "find ");
		put_word(&o, s->u.exec.argv[0]);
		put(&o, " in PATH, open it and its #! interpreters; refuse ctlaunch's own binary "
			"(CVE-2019-5736)");
		break;
	case STEP_RLIMIT:
		put(&o, "setrlimit %s", s->u.rlimit.name);
		if (s->u.rlimit.soft == UINT64_MAX)
			put(&o, " soft unlimited");
		else
			put(&o, " soft %llu", (unsigned long long)s->u.rlimit.soft);
		if (s->u.rlimit.hard == UINT64_MAX)
			put(&o, " hard unlimited");
		else
			put(&o, " hard %llu", (unsigned long long)s->u.rlimit.hard);
		break;
	case STEP_BIND_OPEN:
		if (s->u.bind.device)
			put(&o, "open_tree %s (OPEN_TREE_CLONE): the host's device", s->u.bind.source);
		else
			put(&o, "open_tree %s (OPEN_TREE_CLONE|AT_RECURSIVE) nodev%s by descriptor: no link "
			"followed, the file --check saw", s->u.bind.source,
			    s->u.bind.readonly ? ", read-only" : "");
		break;
	case STEP_FS_OPEN:
		put(&o, "fsopen %s, fsmount (", s->u.mnt.fstype);
		put_flags(&o, s->u.mnt.flags, ms_flags, sizeof ms_flags / sizeof ms_flags[0]);
		put(&o, "): a new %s, detached", s->u.mnt.fstype);
		break;
	case STEP_BIND_ATTACH:
		put(&o, "move_mount %s to %s%s", s->u.bind.source, s->u.bind.target,
		    s->u.bind.readonly ? " (read-only)" : "");
		if (s->u.bind.anchor)
			put(&o, " by descriptor, no link followed; kept for the masks");
		break;
	case STEP_MASK: {
		static const char *const how[] = {
			[MASK_FILE] = "with /dev/null",
			[MASK_DIR] = "with an empty read-only tmpfs",
			[MASK_READONLY] = "read-only (nosuid, nodev, noexec)",
		};

		put(&o, "mask %s %s, from the %s descriptor (if the kernel has it)",
		    s->u.mask.target, how[s->u.mask.how],
		    strncmp(s->u.mask.target, "/sys/", 5) == 0 ? "sysfs" : "proc");
		break;
	}
	case STEP_NO_NEW_PRIVS:
		put(&o, "prctl PR_SET_NO_NEW_PRIVS 1");
		break;
	case STEP_SECCOMP:
		put_seccomp(&o, s);
		break;
	case STEP_HOSTNAME:
		put(&o, "sethostname %s", s->u.path.a);
		break;
	case STEP_LO_UP:
		put(&o, "bring up lo");
		break;
	case STEP_MOUNT:
		put_mount(&o, s);
		break;
	case STEP_ROOT_OPEN:
		put(&o, "open_tree %s (OPEN_TREE_CLONE|AT_RECURSIVE) nodev by descriptor: no link "
			"followed, the directory --check saw", s->u.root.path);
		break;
	case STEP_PIVOT_ROOT:
		if (s->u.root.prepared)
			put(&o, "pivot_root into the copy of %s, attached on / (the parent made it)",
			    s->u.root.path);
		else
			put(&o, "pivot_root %s by descriptor: no link followed, the directory --check saw, "
				"a nodev copy", s->u.root.path);
		break;
	case STEP_UMOUNT_OLD:
		put(&o, "umount the old root (MNT_DETACH)");
		break;
	case STEP_MKNOD:
		put(&o, "mknod %s c %u %u mode %04o", s->u.node.path, s->u.node.major,
		    s->u.node.minor, s->u.node.mode);
		break;
	case STEP_SYMLINK:
		put(&o, "symlink %s -> %s", s->u.path.b, s->u.path.a);
		break;
	case STEP_CHDIR:
		put(&o, "chdir %s (in the root, no magic link)", s->u.path.a);
		break;
	case STEP_EXEC:
		put(&o, "exec");
		for (char **a = s->u.exec.argv; *a; a++) {
			put(&o, " ");
			put_word(&o, *a);
		}
		put(&o, " with env");
		for (char **v = s->u.exec.envp; *v; v++) {
			put(&o, " ");
			put_word(&o, *v);
		}
		break;
	case STEP_INIT_EXEC:
		put(&o, "exec ctlaunch's init from its memfd as pid 1; it runs");
		for (char **a = s->u.exec.argv; *a; a++) {
			put(&o, " ");
			put_word(&o, *a);
		}
		put(&o, " in a process group of its own, reaps orphans, forwards signals to that group; "
			"with env");
		for (char **v = s->u.exec.envp; *v; v++) {
			put(&o, " ");
			put_word(&o, *v);
		}
		break;
	case STEP_WAIT:
		put(&o, "wait for the container's pid 1, forwarding signals to it");
		if (s->u.wait.relay)
			put(&o, "; relay between the terminals, the window's size on SIGWINCH");
		break;
	case STEP_TTY_SAVE:
		put(&o, "save the settings of the terminal on descriptor %d", s->u.tty_save.fd);
		put(&o, s->u.tty_save.relay ? " (it must be one)"
					    : " (the container inherits it; put back at exit)");
		break;
	case STEP_TTY_SOCKET:
		put(&o, "socketpair for the container's terminal to come back on");
		break;
	case STEP_TTY_OPEN:
		put(&o, "new terminal from /dev/pts/ptmx (the container's devpts), owned by uid %u: "
			"the controlling terminal, stdin, stdout and stderr; its master sent to ctlaunch",
		    (unsigned)s->u.tty_open.owner);
		break;
	case STEP_TTY_RELAY:
		put(&o, "receive the container's terminal; descriptor 0 in raw mode (put back at exit)");
		break;
	case STEP_INIT_MEMFD:
		put(&o, "copy ctlaunch's init into a sealed memfd (the container's pid 1: never "
			"ctlaunch's binary)");
		break;
	}
	if (o.len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

static const char *const layout_name[] = {
	[CG_NONE] = "no cgroups", [CG_V1] = "cgroup v1",
	[CG_HYBRID] = "cgroup v1 (hybrid)", [CG_UNIFIED] = "cgroup v2",
};

void plan_print(const struct plan *p, bool verbose, FILE *out)
{
	char line[8192];
	size_t idx[64], n;

	fprintf(out, "plan for '%s' from %s on %s\n", p->name, p->file, layout_name[p->layout]);
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		step_format(p, s, line, sizeof line);
		fprintf(out, "%3zu %-6s %s", i + 1, s->side == SIDE_PARENT ? "parent" : "child",
			line);
		if (s->from.line)
			fprintf(out, "  # %s:%u:%u", p->file, s->from.line, s->from.col);
		fputc('\n', out);
		if (verbose)
			step_details(s, out);
	}
	if (p->note)
		fprintf(out, "note: %s\n", p->note);
	n = plan_cleanup_order(p, idx, sizeof idx / sizeof idx[0]);
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &p->steps[idx[i]];

		fprintf(out, "at exit rmdir %s%s\n", s->u.cg.dir,
			s->u.cg.shared ? " (if no other container uses it)" : "");
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		if (s->kind == STEP_CG_ENABLE && s->u.cg.supervise)
			fprintf(out, "at exit, when ctlaunch/ is gone and %s/%s is the only cgroup left there: "
				     "hand nothing down from %s again, move ctlaunch back into it, "
				     "rmdir %s/%s\n",
				s->u.cg.dir, CG_SUPERVISOR, s->u.cg.dir, s->u.cg.dir, CG_SUPERVISOR);
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].kind == STEP_TTY_SAVE)
			fprintf(out, "at exit put back the settings, line discipline and exclusive mode "
				     "of the terminal on descriptor %d, where they changed\n",
				p->steps[i].u.tty_save.fd);
}
