/* The spec: what a YAML file asks for, checked and with every value's
 * place in the file. Filled by spec_load(); nothing here touches the
 * machine beyond reading the file. */
#ifndef CTLAUNCH_SPEC_H
#define CTLAUNCH_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "net.h"
#include "syscall_filter.h"
#include "util.h"

#define SPEC_MAX_FILE (1024 * 1024)
#define SPEC_MAX_DEPTH 64
#define SPEC_MAX_NAME 64
#define SPEC_MAX_HOSTNAME 64
#define CPU_PERIOD_US 100000   /* cpu.cfs_period_us the quota is written against */

struct spec_env {
	char *key, *value;
	struct ct_loc at;
};

enum spec_mount_type { MOUNT_BIND, MOUNT_TMPFS };

struct spec_mount {
	enum spec_mount_type type;
	char *source;            /* bind: absolute after spec_check() */
	uint64_t source_dev, source_ino; /* bind: what spec_check() opened */
	char *target;            /* absolute, inside the container */
	bool readonly;
	bool has_size;
	uint64_t size;           /* tmpfs: bytes */
	bool has_mode;
	unsigned mode;           /* tmpfs: permission bits of its root */
	struct ct_loc at;        /* the list item */
	struct ct_loc source_at, target_at;
};

struct spec_rlimit {
	int resource;            /* RLIMIT_* */
	const char *name;        /* "nofile" (static) */
	uint64_t soft, hard;     /* RLIM_INFINITY for "unlimited" */
	struct ct_loc at;
};

/* rootfs: {path: P, overlay: tmpfs | DIR}: the rootfs as the lower
 * layer of an overlay, never written; the container's writes go to a
 * tmpfs of its own (gone at exit) or to DIR/upper (kept). */
enum spec_overlay { OVERLAY_NONE, OVERLAY_TMPFS, OVERLAY_DIR };

/* path: [base, tools]: at most this many layers (the kernel's own limit
 * is 500; a lab has two or three). */
#define SPEC_MAX_LAYERS 8

struct spec_layer {
	char *path;              /* joined to dir; real and absolute after spec_check() */
	struct ct_loc at;
	uint64_t dev, ino;       /* what spec_check() opened */
};

struct spec {
	char *file;              /* the path as given, for messages */
	char *dir;               /* directory of the file, for relative paths */
	uint64_t digest;         /* state_digest() of the file's text */
	char **sets;             /* the --set arguments, "KEY=VALUE": the places
				  * (struct ct_loc) of their values point here */
	size_t n_sets;

	char *name;              /* [A-Za-z0-9_.-]{1,64}, not "." or ".." */
	struct ct_loc name_at;   /* line 0: derived from the file name */

	char *rootfs;            /* joined to dir; real and absolute after spec_check() */
	struct ct_loc rootfs_at;
	uint64_t rootfs_dev, rootfs_ino; /* what spec_check() opened: the run mounts
					  * that directory or fails */
	/* rootfs is the bottom layer; these are above it, bottom to top
	 * (path: [base, tools]: tools is layers[0]). */
	struct spec_layer layers[SPEC_MAX_LAYERS - 1];
	size_t n_layers;
	enum spec_overlay overlay;
	struct ct_loc overlay_at;
	char *overlay_dir;       /* OVERLAY_DIR: joined to dir; after spec_check()
				  * real and absolute, DIR itself may not exist yet */
	uint64_t overlay_parent_dev, overlay_parent_ino; /* DIR's directory, as
				  * spec_check() opened it: the run makes DIR in it */
	bool has_overlay_size;
	uint64_t overlay_size;   /* OVERLAY_TMPFS: bytes; else the kernel's default */
	struct ct_loc overlay_size_at;

	bool unsafe_paths;       /* accept a rootfs or bind source path that
				  * another user can rename entries in */
	struct ct_loc unsafe_paths_at;

	char *hostname;          /* NULL: use name */
	struct ct_loc hostname_at;

	char **argv;             /* NULL-terminated; NULL when absent */
	size_t argc;
	bool shell_form;         /* command was a string: argv is sh -c */
	struct ct_loc command_at;

	struct spec_env *env;    /* in file order, keys unique */
	size_t n_env;

	char *workdir;           /* NULL: "/" */
	struct ct_loc workdir_at;

	char *user;              /* as written: "1000:1000", "lab", NULL: root */
	struct ct_loc user_at;
	uint32_t uid, gid;       /* resolved by spec_check() */
	char *login, *home;      /* spec_check(): the name and home directory of the
				  * rootfs's passwd entry for uid (root's without
				  * user:); NULL when it has none */

	bool readonly_rootfs;
	struct ct_loc readonly_rootfs_at;

	struct spec_mount *mounts;
	size_t n_mounts;

	uint64_t caps_add, caps_drop;  /* CAPS_BIT() masks */
	struct ct_loc caps_at;

	bool userns;             /* root's container in a user namespace of its own */
	struct ct_loc userns_at;

	bool tty;                /* a terminal of its own (tty:, -t) */
	struct ct_loc tty_at;

	bool init;               /* ctlaunch's init as PID 1 (init:, --init) */
	bool has_init;           /* init: given; else init follows tty */
	struct ct_loc init_at;

	bool no_new_privileges;  /* default true (spec_load sets it) */
	struct ct_loc no_new_privileges_at;

	struct spec_rlimit *rlimits;
	size_t n_rlimits;

	enum sc_mode seccomp;    /* default: SC_MODE_DEFAULT */
	struct sc_profile *seccomp_profile; /* SC_MODE_CUSTOM */
	struct ct_loc seccomp_at;

	struct {
		enum net_mode mode;      /* default NET_NONE */
		struct net_bridge br;    /* NET_BRIDGE */
		struct ct_loc at;        /* network: */
		struct ct_loc bridge_at, subnet_at, address_at;
	} net;

	struct {
		bool has_memory;
		uint64_t memory;         /* bytes */
		struct ct_loc memory_at;

		bool has_cpu_shares;
		uint64_t cpu_shares;     /* 2..262144 */
		struct ct_loc cpu_shares_at;

		bool has_cpus;
		struct cpuset cpus;
		struct ct_loc cpus_at;

		bool has_mems;
		struct cpuset mems;
		struct ct_loc mems_at;

		bool has_pids;
		uint64_t pids;           /* pids.max */
		struct ct_loc pids_at;

		bool has_cpu_quota;
		uint64_t cpu_quota_us;   /* cpus x CPU_PERIOD_US */
		struct ct_loc cpu_quota_at;
	} res;
};

/* Read and check path. On failure returns -1 with every problem found in
 * diags (one formatted line each) and spec left empty. */
int spec_load(const char *path, struct spec *spec, struct ct_diags *diags);

/* The same, with values from the command line: each of sets is a
 * "KEY=VALUE" --set argument, a dotted key (resources.memory) and a YAML
 * value (a scalar, or a flow sequence or mapping: [sh, -c, "echo hi"])
 * that replaces or adds that value in the file's tree before the tree
 * is checked. The key tables and converters are the file's, and every
 * problem, of the file or of a --set, is reported in the same pass; a
 * value's place then names its --set argument. The strings are copied. */
int spec_load_set(const char *path, char *const *sets, size_t n_sets, struct spec *spec,
		  struct ct_diags *diags);

void spec_free(struct spec *spec);
#define cleanup_spec __attribute__((cleanup(spec_free)))

/* Replace the command with argv[0..argc) (the `-- COMMAND` override);
 * its place in the file is forgotten. */
void spec_set_command(struct spec *spec, char *const *argv, size_t argc);

/* Override the name (--name); -1 with a message when it is not valid. */
int spec_set_name(struct spec *spec, const char *name, struct ct_err *e);

/* True when name is usable as a container and cgroup directory name. */
bool spec_name_valid(const char *name);

#endif
