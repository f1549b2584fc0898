#!/usr/bin/env bats
# The differential test of --export-oci (issue 13): every example, and
# generated specs that use every key of ctlaunch.yaml(5) between them,
# run with ctlaunch and with crun and runc from the exported bundle;
# what the containers see must be the same but for the known
# differences of tests/oci-diff.known (tests/oci-diff.sh says how).

load helpers

eval "helpers_$(declare -f teardown)"

# A directory an ordinary user may write in (bats's own are root's).
teardown() {
	[ -z "${EXPORT_DIR:-}" ] || rm -rf "$EXPORT_DIR"
	helpers_teardown
}

# oci_diff SPEC...: the script's TAP; the test fails on any "not ok".
oci_diff() {
	CTLAUNCH=$CTLAUNCH run bash "$ROOT/tests/oci-diff.sh" "$@"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ] || fail "tests/oci-diff.sh: exit $status"
	if grep -q '^1\.\.0 # SKIP' <<<"$output"; then
		skip "${output#1..0 # SKIP }"
	fi
	! grep -q '^not ok' <<<"$output"
}

@test "oci-diff: every example runs the same with crun and runc from --export-oci" {
	oci_diff "$ROOT"/examples/*.yaml
}

@test "oci-diff: generated specs with every key run the same with crun and runc" {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -m 755 "$src" && echo hello >"$src/file"
	chmod 755 "$BATS_TEST_TMPDIR"
	# The process: identity, environment, capabilities both ways, no
	# no_new_privileges (the filter loaded before the user switch),
	# rlimits, ctlaunch's init.
	cat >"$BATS_TEST_TMPDIR/process.yaml" <<YAML
name: process
rootfs: $ROOTFS
hostname: gen-process
user: "1000:100"
workdir: /tmp
env:
  GREETING: "hello, \"world\" \\\\ tab	end"
  PATH: /bin:/usr/bin
capabilities:
  drop: [CAP_CHOWN, CAP_KILL]
  add: [CAP_SYS_ADMIN, CAP_NET_ADMIN]
no_new_privileges: false
rlimits:
  nofile: {soft: 512, hard: 4096}
  nproc: 300
  core: unlimited
  stack: {soft: 4194304, hard: unlimited}
init: true
command: [/bin/true]
YAML
	# The file system: every kind of mount, nested targets, a
	# read-only rootfs.
	cat >"$BATS_TEST_TMPDIR/mounts.yaml" <<YAML
name: mounts
rootfs: $ROOTFS
readonly_rootfs: true
user: lab
mounts:
  - {type: tmpfs, target: /tmp, size: 4M, mode: "1777"}
  - {type: tmpfs, target: /tmp/inner, readonly: true}
  - {type: bind, source: $src, target: /mnt}
  - {type: bind, source: $src, target: /tmp/ro, readonly: true}
unsafe_paths: false
command: [/bin/true]
YAML
	# Every resource key.
	cat >"$BATS_TEST_TMPDIR/resources.yaml" <<YAML
name: resources
rootfs: $ROOTFS
resources:
  memory: 96M
  cpu_shares: 300
  cpus: 1.5
  cpuset: {cpus: "0", mems: "0"}
  pids: 100
command: [/bin/true]
YAML
	# No filter, no capabilities.
	cat >"$BATS_TEST_TMPDIR/unconfined.yaml" <<YAML
name: unconfined
rootfs: $ROOTFS
seccomp: unconfined
capabilities:
  drop: [ALL]
command: [/bin/true]
YAML
	# A profile of the spec's own: architectures, a default errno,
	# argument rules, and a call the probe makes (uname) refused.
	cat >"$BATS_TEST_TMPDIR/profile.yaml" <<YAML
name: profile
rootfs: $ROOTFS
seccomp:
  defaultAction: SCMP_ACT_ALLOW
  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32]
  syscalls:
    - {names: [uname], action: SCMP_ACT_ERRNO, errnoRet: 13}
    - names: [mkdir, mkdirat]
      action: SCMP_ACT_ERRNO
      args: [{index: 1, value: 0x7, valueTwo: 0x7, op: SCMP_CMP_MASKED_EQ}]
    - {names: [kexec_load], action: SCMP_ACT_KILL_PROCESS}
command: [/bin/true]
YAML
	# A user namespace with a user of the rootfs, limits, a tmpfs.
	cat >"$BATS_TEST_TMPDIR/userns.yaml" <<YAML
name: userns
rootfs: $ROOTFS
userns: true
user: lab
mounts:
  - {type: tmpfs, target: /tmp}
resources:
  memory: 32M
  pids: 64
command: [/bin/true]
YAML
	oci_diff "$BATS_TEST_TMPDIR"/{process,mounts,resources,unconfined,profile,userns}.yaml
}

@test "oci-diff: an ordinary user exports the rootless container, needing no root" {
	EXPORT_DIR=$(mktemp -d /tmp/ctlt-oci-export.XXXXXX)
	local out=$EXPORT_DIR
	chmod 777 "$out"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR \
		"$CTLAUNCH" --export-oci "$out/bundle" "$ROOT/examples/rootless.yaml"
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	[ "$(stat -c %u "$out/bundle/config.json")" -eq 65534 ]
	# Its own user namespace, the caller mapped to root, no cgroups.
	grep -q '"type": "user"' "$out/bundle/config.json"
	tr -d ' \n' <"$out/bundle/config.json" |
		grep -q '"uidMappings":\[{"containerID":0,"hostID":65534,"size":1}\]'
	! grep -q cgroupsPath "$out/bundle/config.json"
}
