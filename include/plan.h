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
#include "spec.h"

enum step_kind {
	STEP_CG_MKDIR,     /* cg.dir; cg.shared: may exist, others may use it */
	STEP_CG_WRITE,     /* cg.dir/cg.file := cg.value */
	STEP_CG_COPY,      /* cg.dir/cg.file := the parent directory's cg.file */
	STEP_CG_ENABLE,    /* v2: cg.value ("+memory +cpu") into cg.dir/cgroup.subtree_control */
	STEP_DEVICES,      /* the device policy on cg.dir: v1's devices.deny and devices.allow
			    * (cg.file "devices.allow"), or v2's BPF program (cg.file NULL) */
	STEP_CLONE,        /* clone.*: new namespaces; clone.vfork: the parent sleeps until
			    * the child execs, else the child stops at STEP_WAIT_RELEASE */
	STEP_IDMAP,        /* idmap.*: the child's uid_map or gid_map (user namespace) */
	STEP_CG_ENTER,     /* the child into cg.dir/cgroup.procs: its pid, or 0 by itself */
	STEP_UNLOCK,       /* let go of the cgroup lock */
	STEP_RELEASE,      /* parent: let the child run its steps */
	STEP_DIE_WITH_PARENT, /* child: PR_SET_PDEATHSIG SIGKILL */
	STEP_WAIT_RELEASE, /* child: block until released */
	STEP_NOT_DUMPABLE, /* child: no ptrace, no core, no /proc/pid access by others */
	STEP_SETSID,       /* child: a session of its own: no TIOCSTI into ours */
	STEP_UNSHARE,      /* clone.flags: namespaces made after release */
	STEP_HOSTNAME,     /* path.a: the host name */
	STEP_LO_UP,        /* bring the loopback interface up */
	STEP_MOUNT,        /* mnt.* */
	STEP_BIND_OPEN,    /* bind.*: a detached copy of the host's source, before pivot_root */
	STEP_FS_OPEN,      /* mnt.*: a new detached mount (fsmount), before pivot_root */
	STEP_BIND_ATTACH,  /* bind.*: that copy attached at its target, inside the new root */
	STEP_PIVOT_ROOT,   /* root.*: opened without links, checked by device and inode,
			    * a nodev copy moved onto it by descriptor, pivot_root into it */
	STEP_ROOT_OPEN,    /* root.*: parent, before the clone: the rootfs checked and
			    * copied (a nodev open_tree) into tree slot root.slot */
	STEP_UMOUNT_OLD,   /* detach the old root, stacked on / by pivot_root */
	STEP_MASK,         /* mask.*: hide or make read-only a file of proc or sysfs,
			    * found from that mount's descriptor, never by path */
	STEP_MKNOD,        /* node.* */
	STEP_SYMLINK,      /* path.a -> path.b (link path.b to target path.a) */
	STEP_CHDIR,        /* path.a */
	STEP_RESOLVE,      /* exec.*: find argv[0] in PATH; refuse ctlaunch's own binary */
	STEP_RLIMIT,       /* rlimit.* */
	STEP_CAPS_BOUND,   /* caps.keep: the bounding set; ambient cleared */
	STEP_USER,         /* user.*: setgroups, setgid, setuid */
	STEP_CAPS,         /* caps.keep: permitted and effective; inheritable empty */
	STEP_NO_NEW_PRIVS, /* no setuid or file capabilities gained by exec */
	STEP_SECCOMP,      /* seccomp.*: load the filter the parent compiled before the clone */
	STEP_EXEC,         /* exec.argv with exec.envp */
	STEP_WAIT,         /* parent: wait for pid 1, forwarding signals (wait.*) */
	STEP_TTY_SAVE,     /* parent: tty_save.*: a terminal of the caller's, saved
			    * before the container exists and put back at exit */
	STEP_TTY_SOCKET,   /* parent: the socket the container's terminal comes back on */
	STEP_TTY_OPEN,     /* child: tty_open.*: a new pty from the container's devpts,
			    * its controlling terminal and stdio; the master sent back */
	STEP_TTY_RELAY,    /* parent: receive the master; the caller's terminal raw */
	STEP_INIT_MEMFD,   /* parent: ctlaunch's init copied into a sealed memfd */
	STEP_INIT_EXEC,    /* child: exec.*: the init from its memfd, as pid 1; it
			    * runs the checked command as its child */
};

/* Which process runs a step. */
enum step_side { SIDE_PARENT, SIDE_CHILD };

struct step_tty_save {
	int fd;          /* 0, 1 or 2 */
	bool relay;      /* -t: the terminal the relay puts in raw mode (must be
			  * one); else one the container inherits (skipped if
			  * it is not a terminal) */
};

struct step_tty_open {
	uint32_t owner;  /* the command's uid: the slave is its */
};

struct step_wait {
	bool relay;      /* -t: relay between the terminals meanwhile */
};

struct step {
	enum step_kind kind;
	enum step_side side;
	struct ct_loc from;  /* the spec value that asked for it; line 0: default */
	union {
		struct {
			char *dir, *file, *value;
			enum cg_ctrl ctrl;
			bool shared;
			bool optional;  /* write: a file the kernel lacks is skipped;
					 * enable: a refusal is not an error (the default
					 * pids limit alone asks for it) */
			bool supervise; /* enable: dir may hold ctlaunch itself (see exec.c) */
		} cg;
		struct {
			unsigned long flags;
			char *cgroup;   /* v2: start the child in it; NULL: where we are */
			bool vfork;     /* CLONE_VM|CLONE_VFORK: the child runs in our memory */
			bool as_owner;  /* made with effective ids owner_uid, owner_gid */
			uint32_t owner_uid, owner_gid;
		} clone;
		struct {
			char which;     /* 'u' or 'g' */
			char *map;      /* "inside outside count" triples, space-separated */
			bool helper;    /* through newuidmap/newgidmap, else written directly */
			bool deny_setgroups; /* written directly by an ordinary user: the
					      * kernel wants setgroups denied first */
			const char *why; /* not helper: why the subordinate ids are unused */
		} idmap;
		struct {
			char *source, *target, *fstype, *data;
			unsigned long flags;
			bool optional;  /* a target that does not exist is skipped */
			unsigned slot;  /* fs open: which of the executor's open trees */
		} mnt;
		struct {
			uint64_t keep;
		} caps;
		struct {
			uint32_t uid, gid;
			bool setgroups; /* false in a user namespace with setgroups denied */
		} user;
		struct {
			int resource;
			const char *name;
			uint64_t soft, hard;
		} rlimit;
		struct {
			char *source, *target;
			unsigned slot;   /* which of the executor's open trees */
			bool readonly;
			bool device;     /* a device node of the host's (rootless): not nodev */
			bool anchor;     /* attach: proc or sysfs, by descriptor, and the
					  * tree's descriptor kept for the masks */
			uint64_t dev, ino; /* open: what --check saw (ino 0: unchecked) */
		} bind;
		struct {
			char *path;
			uint64_t dev, ino; /* what --check saw */
			bool prepared;   /* pivot: the copy STEP_ROOT_OPEN made, in slot */
			unsigned slot;
		} root;
		struct {
			char *target;    /* as the container sees it: /proc/kcore */
			char *rel;       /* below the mount: kcore */
			unsigned slot;   /* the tree slot of that proc or sysfs */
			enum { MASK_FILE, MASK_DIR, MASK_READONLY } how;
		} mask;
		struct {
			char *a, *b;
		} path;
		struct {
			char *path;
			unsigned mode, major, minor;
		} node;
		struct {
			char **argv, **envp;
		} exec;
		struct {
			const struct sc_profile *profile; /* the spec's (borrowed); NULL: default */
			uint64_t caps;   /* the final capabilities: the default grants by them */
		} seccomp;
		struct step_tty_save tty_save;
		struct step_tty_open tty_open;
		struct step_wait wait;
	} u;
};

struct plan_arena;

struct plan {
	struct step *steps;
	size_t n, cap;
	const char *name;        /* the container's name (borrowed from spec) */
	const char *file;        /* the spec file (borrowed) */
	enum cg_layout layout;
	char *cgroup_root;       /* the cgroup mount: the lock's home when lock's is gone */
	char *lock;              /* the file (or, rootless, the cgroup) locked while
				  * cgroups are made or removed */
	bool lock_dir;           /* lock is a directory */
	char *name_lock;         /* the lock of this name's cgroups, held from before
				  * their mkdir until their removal; or NULL */
	char *oom_file;          /* memory.oom_control (v1) or memory.events (v2); or NULL */
	bool rootless;           /* a user namespace maps the caller to root */
	bool userns;             /* the container has a user namespace of its own:
				  * rootless, or root's with userns: true */
	const char *note;        /* a limit's limit, said by --plan; or NULL */
	struct plan_arena *arena; /* owns every string the steps point to */
};

/* What the invocation adds to spec and host. */
struct plan_opts {
	const char *cgroup_parent; /* NULL: the cgroup ctlaunch runs in */
	const char *term;          /* the caller's TERM, passed on; may be NULL */
	unsigned ttys;             /* bit N: descriptor N (0-2) is a terminal, not
				    * the same one as a lower descriptor */
};

/* A one-line warning about what the spec lets the container do on this
 * host (CAP_SYS_ADMIN on cgroup v1), for --check, --plan and the run;
 * NULL when there is none. Pure. */
const char *plan_warning(const struct spec *spec, const struct host *h);

/* Where a spec sets no resources.pids: podman's default, so that a fork
 * bomb in a default container stops. */
#define PIDS_DEFAULT 2048

/* Pure: the spec and host facts in, the steps out. No system calls. */
int plan_build(const struct spec *spec, const struct host *h,
	       const struct plan_opts *o, struct plan *p, struct ct_err *e);

/* The steps that remove what STEP_CG_MKDIR created, in the order the
 * executor runs them at exit: index i of the result is the mkdir step
 * to undo i-th. Returns how many there are (<= p->n). */
size_t plan_cleanup_order(const struct plan *p, size_t *idx, size_t max);
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

/* Where root's per-name locks are: NAME.lock, one per container name. */
#define CT_NAME_LOCK_DIR "/run/ctlaunch"

/* cpu_shares (v1, 2..262144) as cpu.weight (v2, 1..10000). */
uint64_t cpu_shares_to_weight(uint64_t shares);

/* Every step, numbered, then the cleanup the executor does at exit;
 * verbose: the seccomp filter's rules too. */
void plan_print(const struct plan *p, bool verbose, FILE *out);

/* What a step's one line leaves out (the seccomp rules), indented; the
 * parent only (it allocates). */
void step_details(const struct step *s, FILE *out);

#endif
