/* The plan: the ordered steps of one launch, as data. Built by a pure
 * function from the spec and the host facts; printed by --plan, logged by
 * --verbose and walked by the executor, so the three can never disagree. */
#ifndef CTLAUNCH_PLAN_H
#define CTLAUNCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "host.h"
#include "net.h"
#include "spec.h"
#include "state.h"

/* How to add a step kind: a value below, and a payload struct named for
 * it (struct step_<kind>) in struct step's union when it carries data,
 * its fields each with one meaning; the planner (plan.c) adds it. Then
 * the build fails (-Wswitch-enum, and no default: in these switches)
 * until every reader handles it: step_format() in plan_print.c (its line
 * in --plan and -v), kind_name() and step_args() in plan_json.c (its
 * name and payload in --plan --format=json, and the kind's args in
 * man/ctlaunch-json.schema.json), and in exec.c parent_step() (the parent's and the
 * exit's steps) and child_step() (the child's); each lists the kinds it
 * does not run as not its own. Whatever a run does is a step: nothing
 * the executor does is missing from --plan. */
enum step_kind {
	STEP_NAME_LOCK,    /* the lock of this name's cgroups (never waits) */
	STEP_CG_SWEEP,     /* remove a cgroup of this name a dead run left */
	STEP_LOCK,         /* the cgroup lock, shared by every run */
	STEP_CG_MKDIR,     /* make a cgroup directory */
	STEP_CG_WRITE,     /* write a value into a cgroup file */
	STEP_CG_COPY,      /* v1 cpuset: a file's value from the parent cgroup */
	STEP_CG_ENABLE,    /* v2: hand controllers down (cgroup.subtree_control) */
	STEP_DEVICES,      /* the device policy of a cgroup */
	STEP_WATCHER,      /* the process that kills the container if ctlaunch dies */
	STEP_CLONE,        /* the container's process, in new namespaces */
	STEP_IDMAP,        /* the child's uid_map or gid_map (user namespace) */
	STEP_CG_ENTER,     /* the child into its cgroup */
	STEP_UNLOCK,       /* let go of the cgroup lock */
	STEP_RELEASE,      /* parent: let the child run its steps */
	STEP_CLOSE_FDS,    /* child: every descriptor but stdio and ctlaunch's own */
	STEP_DIE_WITH_PARENT, /* child: PR_SET_PDEATHSIG SIGKILL */
	STEP_WAIT_RELEASE, /* child: block until released */
	STEP_NOT_DUMPABLE, /* child: no ptrace, no core, no /proc/pid access by others */
	STEP_SETSID,       /* child: a session of its own: no TIOCSTI into ours */
	STEP_UNSHARE,      /* namespaces made after release */
	STEP_HOSTNAME,     /* the container's host name */
	STEP_LO_UP,        /* bring the loopback interface up */
	STEP_MOUNT,        /* a mount(2) inside the container */
	STEP_BIND_OPEN,    /* a detached copy of the host's source, before pivot_root */
	STEP_FS_OPEN,      /* a new detached mount (fsmount), before pivot_root */
	STEP_BIND_ATTACH,  /* such a tree attached at its target, inside the new root */
	STEP_PIVOT_ROOT,   /* into the rootfs, by descriptor */
	STEP_ROOT_OPEN,    /* parent, before the clone: the rootfs checked and copied */
	STEP_OVERLAY,      /* the rootfs's layers, checked, under a detached overlay */
	STEP_LAYERS_IDMAP, /* parent, userns: true: the layers idmapped with the
			    * child's user namespace, DIR's upper and work the
			    * range's; handed to the child with its release */
	STEP_UMOUNT_OLD,   /* detach the old root, stacked on / by pivot_root */
	STEP_MASK,         /* hide or make read-only a file of proc or sysfs */
	STEP_MKNOD,        /* a device node in the container's /dev */
	STEP_SYMLINK,      /* a symbolic link in the container's /dev */
	STEP_CHDIR,        /* the working directory */
	STEP_RESOLVE,      /* find argv[0] in PATH; refuse ctlaunch's own binary */
	STEP_RLIMIT,       /* one resource limit */
	STEP_CAPS_BOUND,   /* the bounding set; ambient cleared */
	STEP_USER,         /* setgroups, setgid, setuid */
	STEP_CAPS,         /* permitted and effective; inheritable empty */
	STEP_NO_NEW_PRIVS, /* no setuid or file capabilities gained by exec */
	STEP_SECCOMP,      /* load the filter the parent compiled before the clone */
	STEP_EXEC,         /* the command */
	STEP_RECORD,       /* parent: the running container's state file */
	STEP_WAIT,         /* parent: wait for pid 1, forwarding signals */
	/* --join's own: */
	STEP_JOIN_OPEN,    /* parent: a pidfd of the container's PID 1, checked */
	STEP_JOIN_RLIMITS, /* child: PID 1's resource limits, copied */
	STEP_JOIN_UMASK,   /* child: PID 1's umask, copied */
	STEP_SETNS,        /* child: into the container's namespaces, by that pidfd */
	STEP_JOIN_FORK,    /* child: the command's process, in the container's pid
			    * namespace and ctlaunch's child; this one exits */
	STEP_TTY_SAVE,     /* parent: a terminal of the caller's, saved before the
			    * container exists (put back by STEP_TTY_RESTORE) */
	STEP_TTY_SOCKET,   /* parent: the socket the container's terminal comes back on */
	STEP_TTY_OPEN,     /* child: a new pty from the container's devpts, its
			    * controlling terminal and stdio; the master sent back */
	STEP_TTY_RELAY,    /* parent: receive the master; the caller's terminal raw */
	STEP_INIT_MEMFD,   /* parent: ctlaunch's init copied into a sealed memfd */
	STEP_INIT_EXEC,    /* child: the init from its memfd as pid 1, in place of
			    * the command, which it runs as its child */
	STEP_STATS_CLOCK,  /* parent, --stats: the time, just before the clone */
	/* network: a bridge (struct step_net for all), parent before the clone: */
	STEP_NET_LOCK,     /* the lock of every bridge's leases (waits) */
	STEP_NET_SWEEP,    /* leases of dead runs: their veths, emptied bridges */
	STEP_NET_LEASE,    /* the container's address, leased */
	STEP_NET_BRIDGE,   /* the bridge, made if missing, up */
	STEP_NET_NETNS,    /* the container's network namespace, lo up in it */
	STEP_NET_VETH,     /* a veth pair: the host's end on the bridge, eth0 inside */
	STEP_NET_ADDR,     /* eth0's address, up, the default route */
	STEP_NET_HOSTS,    /* the container's /etc/hosts, written */
	STEP_NET_UNLOCK,   /* let go of the leases' lock */
	STEP_NET_ENTER,    /* child: setns into that network namespace */
	/* At exit (SIDE_EXIT): */
	STEP_NET_RELEASE,  /* the veth, the lease, the bridge if it was the last */
	STEP_KILL_CHILD,   /* the container's pid 1, if a step failed while it ran */
	STEP_STOP_WATCHER, /* the watcher, once the container is gone */
	STEP_STATS_READ,   /* --stats: what the run used, from its cgroups */
	STEP_OOM_READ,     /* did the OOM killer kill in the container's cgroup? */
	STEP_CG_PURGE,     /* remove a leaf this run made, killing what is left */
	STEP_CG_RMDIR,     /* remove a shared directory this run made, if unused */
	STEP_CG_RESTORE,   /* v2: undo the move into the supervisor cgroup */
	STEP_UNRECORD,     /* remove the state file, before the name's lock goes */
	STEP_NAME_UNLOCK,  /* let go of the name's lock */
	STEP_TTY_RESTORE,  /* a terminal STEP_TTY_SAVE saved, put back as it was */
};

/* Which process runs a step: ctlaunch, the container's process before
 * its exec, or ctlaunch after the run, whether the run got to its end
 * or a step failed. The exit's steps come last in the plan. */
enum step_side { SIDE_PARENT, SIDE_CHILD, SIDE_EXIT };

struct step_name_lock {
	char *path;     /* DIR/NAME.lock, DIR made 0700 if missing; without the
			 * directory above DIR no lock, and no sweep */
};

struct step_cg_sweep {
	char *dir;      /* a leaf of this name: removed, its processes killed,
			 * when the name's lock is held (no run of it is alive) */
};

struct step_lock {
	char *path;
	bool dir;       /* path is a directory (rootless, without a runtime dir) */
	char *fallback; /* where path's directory is missing: this directory */
	bool after_run; /* at exit: taken again only where this run made a
			 * cgroup and let go of the lock; a wait that Control-C
			 * does not end */
};

struct step_name_unlock {
	char *path;
};

struct step_unlock {
	char *kept_in;  /* at exit, v2: not let go of while ctlaunch is in this
			 * supervisor cgroup; NULL: always */
};

struct step_cg_mkdir {
	char *dir;
	bool shared;    /* <parent>/ctlaunch: may exist, others may use it */
};

struct step_cg_write {
	char *dir, *file, *value;
	bool optional;  /* a file the kernel lacks is skipped */
	const char *default_of; /* the key whose default this is (no key in the
				 * spec asked); NULL: the spec's value */
};

struct step_cg_copy {
	char *dir, *file;
};

struct step_cg_enable {
	char *dir;          /* its cgroup.subtree_control */
	char *controllers;  /* "+memory +cpu" */
	bool optional;      /* a refusal is not an error (the default pids limit
			     * alone asks for it) */
	bool supervise;     /* dir may hold ctlaunch itself (see exec.c) */
};

struct step_devices {
	char *dir;
	bool v1;            /* devices.deny and devices.allow; else v2's BPF program */
};

struct step_clone {
	unsigned long flags;
	char *cgroup;   /* v2: start the child in it; NULL: where we are */
	bool vfork;     /* CLONE_VM|CLONE_VFORK: the child runs in our memory;
			 * else it stops at STEP_WAIT_RELEASE */
	bool as_owner;  /* made with effective ids owner_uid, owner_gid */
	uint32_t owner_uid, owner_gid;
};

struct step_idmap {
	char which;     /* 'u' or 'g' */
	char *map;      /* "inside outside count" triples, space-separated */
	bool helper;    /* through newuidmap/newgidmap, else written directly */
	bool deny_setgroups; /* written directly by an ordinary user: the
			      * kernel wants setgroups denied first */
	const char *why; /* not helper: why the subordinate ids are unused */
};

struct step_cg_enter {
	char *dir;      /* its cgroup.procs: the child's pid, or 0 by the child */
};

struct step_unshare {
	unsigned long flags;
};

struct step_hostname {
	char *name;
};

struct step_close_fds {
	bool keep_trees; /* the trees the parent opened before the clone stay */
};

struct step_die_with_parent {
	bool again;      /* after a change of ids, which clears it */
};

struct step_mount {
	char *source, *target, *fstype, *data;
	unsigned long flags;
};

struct step_bind_open {
	char *source;
	unsigned tree;   /* which of the executor's open trees it fills */
	bool readonly;
	bool device;     /* a device node of the host's (rootless): not nodev */
	uint64_t dev, ino; /* what --check saw (ino 0: unchecked) */
};

struct step_fs_open {
	char *fstype;    /* proc or sysfs */
	unsigned long flags;
	unsigned tree;
};

struct step_bind_attach {
	char *source;    /* what the tree holds, for the printer */
	char *target;
	unsigned tree;
	bool readonly;   /* for the printer: the open made it so */
	bool anchor;     /* proc or sysfs, by descriptor, and the tree's
			  * descriptor kept for the masks */
};

struct step_root_open {
	char *path;
	uint64_t dev, ino; /* what --check saw */
	unsigned tree;
};

struct step_overlay_layer {
	char *path;
	uint64_t dev, ino; /* what --check saw */
};

struct step_overlay {
	struct step_overlay_layer lower[SPEC_MAX_LAYERS]; /* top first, as
			 * overlayfs stacks them */
	size_t n_lower;
	bool tmpfs;      /* upper and work in a new tmpfs of the overlay's own */
	uint64_t size;   /* its size in bytes; 0: the kernel's default */
	char *dir;       /* else DIR, made 0700 in parent if missing: DIR/upper
			  * and DIR/work */
	char *parent, *name; /* DIR's directory, as --check saw it, and DIR's
			      * name in it */
	uint64_t parent_dev, parent_ino;
	bool userxattr;  /* in a user namespace: user.overlay.* xattrs, as the
			  * kernel allows there (trusted.* need host root) */
	bool idmapped;   /* root's userns: true: the parent made the layers
			  * (STEP_LAYERS_IDMAP) and, with DIR, upper and work */
	unsigned first_tree; /* idmapped: lower[i]'s tree in first_tree + i;
			      * with DIR, DIR's detached clone, and upper
			      * and work in it, in the next three */
	unsigned tree;
};

/* Root's userns: true with an overlay: host id uid (gid) is the
 * container's 0, count ids from there; the kernel shows the layers'
 * files through that map (an idmapped mount), and DIR/upper and
 * DIR/work are made that user's. */
struct step_layers_idmap {
	const struct step_overlay *overlay; /* the STEP_OVERLAY's, in the arena */
	uint32_t uid, gid, count;
};

struct step_pivot_root {
	char *path;
	uint64_t dev, ino; /* what --check saw */
	bool prepared;   /* the copy STEP_ROOT_OPEN made, or STEP_OVERLAY's
			  * overlay, in tree */
	bool overlay;    /* tree is the overlay of the rootfs's layers */
	unsigned tree;
};

struct step_mask {
	char *target;    /* as the container sees it: /proc/kcore */
	char *rel;       /* below the mount: kcore */
	unsigned tree;   /* the tree of that proc or sysfs */
	enum { MASK_FILE, MASK_DIR, MASK_READONLY } how;
};

struct step_mknod {
	char *path;
	unsigned mode, major, minor;
};

struct step_symlink {
	char *target;    /* what the link says: /proc/self/fd */
	char *link;      /* where it is made: /dev/fd */
};

struct step_chdir {
	char *dir;
};

struct step_resolve {
	char **argv, **envp;
};

struct step_rlimit {
	int resource;
	const char *name;
	uint64_t soft, hard;
};

struct step_caps_bound {
	uint64_t keep;
};

struct step_user {
	uint32_t uid, gid;
	bool setgroups; /* false in a user namespace with setgroups denied */
};

struct step_caps {
	uint64_t keep;
};

struct step_seccomp {
	const struct sc_profile *profile; /* the spec's (borrowed); NULL: default */
	uint64_t caps;   /* the final capabilities: the default grants by them */
};

struct step_exec {
	char **argv, **envp;
};

struct step_wait {
	bool relay;      /* -t: relay between the terminals meanwhile */
};

struct step_tty_save {
	int fd;          /* 0, 1 or 2 */
	bool relay;      /* -t: the terminal the relay makes raw (it must be one);
			  * else one the container inherits (skipped if it is
			  * not a terminal) */
};

struct step_tty_open {
	uint32_t owner;  /* the command's uid: the slave is its */
};

struct step_init_exec {
	char **argv, **envp; /* the command's, which the init runs */
};

struct step_tty_restore {
	int fd;          /* the descriptor its STEP_TTY_SAVE saved */
};

struct step_oom_read {
	char *file;      /* memory.oom_control (v1) or memory.events (v2) */
	size_t made_by;  /* the STEP_CG_MKDIR of its cgroup: read if it succeeded */
};

/* The cgroups --stats reads, by what it reads there. v1: cpuacct.*,
 * cpu.stat, memory.*, pids.* each in its hierarchy's leaf; v2: all in
 * the one leaf. */
enum { STATS_CPUACCT, STATS_CPU, STATS_MEMORY, STATS_PIDS, STATS_DIRS };

struct step_stats_read {
	char *dir[STATS_DIRS]; /* NULL: no leaf of this run's to read it in */
	size_t made_by[STATS_DIRS]; /* each one's STEP_CG_MKDIR: read if it succeeded */
	bool v2;
	bool quota;      /* resources.cpus set a quota: its throttling is read */
};

struct step_cg_purge {
	char *dir;
	size_t made_by;  /* its STEP_CG_MKDIR: removed only if that succeeded */
};

struct step_cg_rmdir {
	char *dir;
	size_t made_by;
	char *supervisor; /* v2: the supervisor cgroup beside it, or NULL */
};

struct step_cg_restore {
	char *dir;       /* the cgroup ctlaunch left for its supervisor cgroup */
};

struct step_watcher {
	bool pidfd_only; /* a join: no watcher (a joined command is no PID 1),
			  * only ctlaunch's pidfd, for its children's check */
};

struct step_record {
	struct ct_state *state; /* all but what the run learns: PID 1 and its
				 * start time, the filter's digest, the spec's
				 * absolute path */
	char *dir;       /* DIR/NAME.state, beside the name's lock */
	bool world_readable; /* root's: 0644 (less the umask); a user's 0600 */
};

struct step_unrecord {
	char *dir, *name; /* DIR/NAME.state, if STEP_RECORD wrote it */
};

/* Every STEP_NET_* kind's: the same bridge, each field one meaning. */
struct step_net {
	const struct net_bridge *br; /* the spec's (borrowed) */
	char *dir;       /* the leases: DIR/BRIDGE/ADDR, DIR/BRIDGE.made, DIR/NAME.hosts */
	char *name, *hostname; /* the container's */
};

struct step_join_open {
	pid_t pid;       /* the container's PID 1, on the host */
	uint64_t start;  /* its start time, as its run recorded it */
	bool seccomp;    /* the run loaded a filter: this digest (state.h) */
	uint64_t filter;
};

struct step_join_rlimits {
	pid_t pid;       /* whose /proc/PID/limits */
};

struct step_join_umask {
	pid_t pid;       /* whose /proc/PID/status */
};

struct step_setns {
	unsigned long nsflags; /* the container's namespaces, CLONE_NEW* */
};

struct step {
	enum step_kind kind;
	enum step_side side;
	struct ct_loc from;  /* the spec value that asked for it; line 0: default */
	union {              /* the member named for kind; none for the others */
		struct step_name_lock name_lock;
		struct step_cg_sweep cg_sweep;
		struct step_lock lock;
		struct step_unlock unlock;
		struct step_close_fds close_fds;
		struct step_die_with_parent die_with_parent;
		struct step_oom_read oom_read;
		struct step_stats_read stats_read;
		struct step_cg_purge cg_purge;
		struct step_cg_rmdir cg_rmdir;
		struct step_cg_restore cg_restore;
		struct step_watcher watcher;
		struct step_record record;
		struct step_unrecord unrecord;
		struct step_join_open join_open;
		struct step_net net;
		struct step_join_rlimits join_rlimits;
		struct step_join_umask join_umask;
		struct step_setns setns;
		struct step_name_unlock name_unlock;
		struct step_cg_mkdir cg_mkdir;
		struct step_cg_write cg_write;
		struct step_cg_copy cg_copy;
		struct step_cg_enable cg_enable;
		struct step_devices devices;
		struct step_clone clone;
		struct step_idmap idmap;
		struct step_cg_enter cg_enter;
		struct step_unshare unshare;
		struct step_hostname hostname;
		struct step_mount mount;
		struct step_bind_open bind_open;
		struct step_fs_open fs_open;
		struct step_bind_attach bind_attach;
		struct step_root_open root_open;
		const struct step_overlay *overlay; /* in the plan's arena: its
				      * layers would make every step 4 times larger */
		struct step_layers_idmap layers_idmap;
		struct step_pivot_root pivot_root;
		struct step_mask mask;
		struct step_mknod mknod;
		struct step_symlink symlink;
		struct step_chdir chdir;
		struct step_resolve resolve;
		struct step_rlimit rlimit;
		struct step_caps_bound caps_bound;
		struct step_user user;
		struct step_caps caps;
		struct step_seccomp seccomp;
		struct step_exec exec;
		struct step_wait wait;
		struct step_tty_save tty_save;
		struct step_tty_open tty_open;
		struct step_init_exec init_exec;
		struct step_tty_restore tty_restore;
	} u;
};

struct plan_arena;

struct plan {
	struct step *steps;
	size_t n, cap;
	const char *name;        /* the container's name (borrowed from spec) */
	const char *file;        /* the spec file (borrowed) */
	enum cg_layout layout;
	unsigned n_trees;        /* the executor's open trees: each tree field < n_trees */
	unsigned handed_first, n_handed; /* trees the parent sends the child with
				  * STEP_RELEASE (STEP_LAYERS_IDMAP's); n 0: none */
	bool rootless;           /* a user namespace maps the caller to root */
	bool userns;             /* the container has a user namespace of its own:
				  * rootless, or root's with userns: true */
	bool probed;             /* made for this machine's probed facts: the only
				  * plan exec_plan runs (not one for --host-facts) */
	const char *note;        /* a limit's limit, said by --plan; or NULL */
	bool join;               /* the plan joins a running container (--join) */
	enum net_mode net;       /* the spec's network: */
	char *net_dir;           /* a bridge's leases (the state directory's net/) */
	struct plan_arena *arena; /* owns every string the steps point to */
};

/* What the invocation adds to spec and host. */
struct plan_opts {
	const char *cgroup_parent; /* NULL: the cgroup ctlaunch runs in */
	const char *term;          /* the caller's TERM, passed on; may be NULL */
	int stdio_dir;             /* 1 + the first of descriptors 0, 1, 2 that is a
				    * directory (the policy refuses it), or 0 */
	unsigned ttys;             /* bit N: descriptor N (0-2) is a terminal, not
				    * the same one as a lower descriptor */
	bool stats;                /* --stats: the time before the clone, and the
				    * cgroups' counters read at exit */
};

/* Where a spec sets no resources.pids: podman's default, so that a fork
 * bomb in a default container stops. */
#define PIDS_DEFAULT 2048

/* Pure: the spec and host facts in, the steps out. No system calls.
 * -1, with the first of them in e, when the policy refuses the spec
 * (policy_check). */
int plan_build(const struct spec *spec, const struct host *h,
	       const struct plan_opts *o, struct plan *p, struct ct_err *e);

/* Pure: the steps of --join: the command of spec (its argv) run in the
 * running container st as the container's own command runs: its
 * namespaces, cgroups, root, workdir, user, capabilities,
 * no_new_privs, rlimits, seccomp filter and environment, the command's
 * steps made by the same planning as its run's (plan_build). spec is
 * the one st was started from, with st's name, user and group. */
int plan_join(const struct spec *spec, const struct host *h, const struct plan_opts *o,
	      const struct ct_state *st, struct plan *p, struct ct_err *e);

/* Pure: the shared ctlaunch/ levels a run with cgroup_parent (NULL:
 * ctlaunch's own cgroup) makes, one a hierarchy, into out (at most max,
 * malloc'd each); how many. For ctlaunch --cleanup, which removes them:
 * a run leaves them in place (plan_exit_cgroups). */
size_t plan_shared_levels(const struct host *h, const char *cgroup_parent, char **out, size_t max);

/* How many steps the run has before the exit's: they are numbered 1 to
 * that in --plan and -v; the exit's are not. */
size_t plan_run_steps(const struct plan *p);
void plan_free(struct plan *p);
#define cleanup_plan __attribute__((cleanup(plan_free)))

/* One line for a step, without a newline ("mount proc on /proc ..."). */
void step_format(const struct plan *p, const struct step *s, char *buf,
		 size_t size);

/* v2: where ctlaunch moves itself when the cgroup it must hand
 * controllers down from holds it (the no-internal-processes rule). */
#define CG_SUPERVISOR "ctlaunch.supervisor"

/* Serialises cgroup setup and teardown between root's runs. */
#define CT_LOCK_FILE "/run/ctlaunch.lock"

/* Where root's per-name locks are: NAME.lock, one per container name,
 * beside the state files of the running ones (NAME.state). */
#define CT_NAME_LOCK_DIR CT_STATE_DIR

/* Every step, numbered, then the exit's, each on a line of its own;
 * verbose: the seccomp filter's rules too. */
void plan_print(const struct plan *p, bool verbose, FILE *out);

/* The names of mount(2) and clone(2) flags, as --plan says them; the
 * tables end with a NULL name. */
struct flag_name {
	unsigned long flag;
	const char *name;
};
extern const struct flag_name plan_ms_flags[], plan_clone_flags[];

/* The plan as one JSON object (--plan --format=json; the schema is in
 * ctlaunch(1) and man/ctlaunch-json.schema.json). */
void plan_print_json(const struct plan *p, FILE *out);

/* "parent", "child" or "at exit". */
const char *step_side_name(enum step_side side);

/* What a step's one line leaves out (the seccomp rules), indented; the
 * parent only (it allocates). */
void step_details(const struct step *s, FILE *out);

#endif
