#!/usr/bin/env bats
# The seccomp filter (issue 10: class 1's first step, class 4 keyrings,
# class 8 hardening gaps), tried from inside real containers. scprobe
# (tests/vm/scprobe.c, built static here: the busybox rootfs has no
# compiler) makes each call with arguments the kernel would answer
# with something other than EPERM (EFAULT, EINVAL, ENOKEY, success),
# so an EPERM is the filter's. It reaches the container on a read-only
# bind of its directory on /tmp (a mount point the rootfs has).
# Without the filter (seccomp: unconfined) the same calls go through:
# that is the check that each test fails without the fix.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	PROBE_DIR=$(mktemp -d /tmp/ctlt-scprobe.XXXXXX)
	chmod 755 "$PROBE_DIR"
	mkdir "$PROBE_DIR/bin"
	chmod 755 "$PROBE_DIR/bin"
	${CC:-cc} -static -O2 -Wall -Wextra -o "$PROBE_DIR/bin/scprobe" "$ROOT/tests/vm/scprobe.c"
	export PROBE_DIR
}

teardown_file() {
	[ -z "${PROBE_DIR:-}" ] || rm -rf "$PROBE_DIR"
}

eval "helpers_$(declare -f teardown)"

# A key planted in root's user keyring by a run without the filter
# outlives it: remove it, whatever the test's outcome.
teardown() {
	local id i
	for i in 1 2 3; do
		id=$("$PROBE_DIR/bin/scprobe" keyfind ctlt-planted | awk '$2 == "found" { print $3 }')
		[ -n "$id" ] || break
		"$PROBE_DIR/bin/scprobe" keyrm "$id" >/dev/null || true
	done
	helpers_teardown
}

# The calls Docker's default profile refuses, and what they return then.
BLOCKED="unshare-user unshare-ns unshare-cgroup clone-user mount keyctl add_key request_key perf_event_open io_uring_setup bpf userfaultfd vsock setns personality-bad"

# probe_spec [EXTRA YAML]: a spec that runs scprobe on every call named
# in $PROBES; EXTRA goes at the end.
probe_spec() {
	local args
	args=$(printf '"%s", ' $PROBES)
	write_spec <<EOF
command: ["/tmp/bin/scprobe", ${args%, }]
mounts:
  - {type: bind, source: $PROBE_DIR, target: /tmp, readonly: true}
${1:-}
EOF
}

@test "seccomp: a default container gets EPERM for each call Docker's profile refuses" {
	PROBES="$BLOCKED clone3 int80 clone-plain inet personality-query chroot ptrace"
	probe_spec
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local c
	for c in $BLOCKED; do
		assert_line "$c" "$c EPERM" "$output"
	done
	# clone3's flags are behind a pointer: ENOSYS, and libc uses clone.
	assert_line clone3 "clone3 ENOSYS" "$output"
	# A call through the 32-bit entry: another ABI, which kills.
	assert_line int80 "int80 killed by SYS" "$output"
	# What programs need still works: fork, sockets, the personality
	# query, chroot (CAP_SYS_CHROOT is a default capability), ptrace
	# (Docker allows it from kernel 4.8 on).
	for c in clone-plain inet personality-query chroot ptrace; do
		assert_line "$c" "$c ok" "$output"
	done
}

@test "seccomp: unconfined lets the same calls through (the test above fails without a filter)" {
	PROBES="unshare-user clone-user clone3 keyctl request_key perf_event_open io_uring_setup bpf userfaultfd personality-bad int80"
	probe_spec "seccomp: unconfined"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local c
	for c in $PROBES; do
		assert_no_line "$c" "$c EPERM" "$output"
		assert_line_match "$c" "^$c " "$output"
	done
	assert_line unshare-user "unshare-user ok" "$output"
	assert_line clone-user "clone-user ok" "$output"
	run --separate-stderr ctl --plan "$SPEC"
	[[ $output != *"seccomp filter"* ]] || fail "a seccomp step in the plan of an unconfined spec"
}

@test "seccomp: a capability grants what Docker grants with it (CAP_SYS_ADMIN: mount, namespaces)" {
	PROBES="mount unshare-ns unshare-user clone-user clone3 perf_event_open keyctl"
	probe_spec $'capabilities:\n  add: [CAP_SYS_ADMIN, CAP_PERFMON]'
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local c
	for c in mount unshare-ns unshare-user clone-user clone3; do
		assert_line "$c" "$c ok" "$output"
	done
	assert_line perf_event_open "perf_event_open EFAULT" "$output"
	# No capability grants the keyrings.
	assert_line keyctl "keyctl EPERM" "$output"
}

@test "seccomp: without no_new_privileges the filter is loaded too (before the user switch)" {
	PROBES="unshare-user mount keyctl clone3 inet"
	probe_spec $'no_new_privileges: false\nuser: "1000:1000"'
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local c
	for c in unshare-user mount keyctl; do
		assert_line "$c" "$c EPERM" "$output"
	done
	assert_line clone3 "clone3 ENOSYS" "$output"
	assert_line inet "inet ok" "$output"
	grep -q '^Seccomp:[[:space:]]*2' <(ctl "$SPEC" -- /bin/cat /proc/self/status) ||
		fail "Seccomp: 2 (filter) not in the container's /proc/self/status"
}

@test "seccomp: keyrings: a default container can neither read root's keys nor plant one" {
	local id
	id=$("$PROBE_DIR/bin/scprobe" keyadd "ctlt-secret-$NAME" s3cret)
	[[ $id =~ ^[0-9]+$ ]] || fail "could not add a key on the host: $id"
	PROBES=add_key
	probe_spec
	run --separate-stderr ctl "$SPEC" -- /tmp/bin/scprobe keyread "$id"
	local default_out=$output
	run --separate-stderr ctl "$SPEC"
	local plant_out=$output
	# Without the filter the container reads the host's secret: the
	# class this closes.
	probe_spec "seccomp: unconfined"
	run --separate-stderr ctl "$SPEC" -- /tmp/bin/scprobe keyread "$id"
	local unconfined_out=$output
	"$PROBE_DIR/bin/scprobe" keyrm "$id" >/dev/null
	assert_line "read, default" "keyread EPERM" "$default_out"
	assert_line "plant, default" "add_key EPERM" "$plant_out"
	assert_line "read, unconfined" "keyread ok s3cret" "$unconfined_out"
	# Nothing was planted in root's user keyring by the default run.
	run "$PROBE_DIR/bin/scprobe" keyfind ctlt-planted
	assert_line "planted key" "keyfind ENOKEY" "$output"
	# Unconfined, the plant works and outlives the container.
	run --separate-stderr ctl "$SPEC"
	assert_line "plant, unconfined" "add_key ok" "$output"
	run "$PROBE_DIR/bin/scprobe" keyfind ctlt-planted
	assert_line_match "planted key, unconfined" "^keyfind found [0-9]+$" "$output"
}

@test "seccomp: a custom profile: default errno, an argument rule, per-rule errno" {
	PROBES="inet vsock unshare-user keyctl personality-query personality-bad"
	# What a static program, and ctlaunch's last steps, need; socket
	# only for AF_INET; personality's query allowed, ADDR_COMPAT_LAYOUT
	# refused with EOPNOTSUPP (95); anything else EACCES (13).
	probe_spec "$(cat <<'EOF'
seccomp:
  defaultAction: SCMP_ACT_ERRNO
  defaultErrnoRet: 13
  syscalls:
    - names: [execve, execveat, arch_prctl, brk, mmap, munmap, mprotect, set_tid_address,
              set_robust_list, rseq, prlimit64, getrandom, readlink, newfstatat, ioctl,
              write, exit, exit_group, clone, fork, vfork, wait4, close, close_range,
              rt_sigaction, rt_sigprocmask, rt_sigreturn, getpid, gettid]
      action: SCMP_ACT_ALLOW
    - names: [socket]
      action: SCMP_ACT_ALLOW
      args: [{index: 0, value: 2, op: SCMP_CMP_EQ}]
    - names: [personality]
      action: SCMP_ACT_ALLOW
      args: [{index: 0, value: 0xffffffff, op: SCMP_CMP_EQ}]
    - names: [personality]
      action: SCMP_ACT_ERRNO
      errnoRet: 95
      args: [{index: 0, value: 0x200000, valueTwo: 0x200000, op: SCMP_CMP_MASKED_EQ}]
EOF
)"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line inet "inet ok" "$output"
	assert_line vsock "vsock EACCES" "$output"
	assert_line unshare-user "unshare-user EACCES" "$output"
	assert_line keyctl "keyctl EACCES" "$output"
	assert_line personality-query "personality-query ok" "$output"
	assert_line personality-bad "personality-bad EOPNOTSUPP" "$output"
	run --separate-stderr ctl --plan -v "$SPEC"
	assert_line_match "summary" "seccomp filter custom: ERRNO\(13\) for any call no rule matches, 4 rules naming 32 calls" "$output"
	assert_line_match "a rule under -v" "^ +ERRNO\(95\): personality \[arg0 & 0x200000 == 0x200000\]$" "$output"
}

@test "seccomp: a bad profile is refused at its place, before anything runs" {
	write_spec <<'EOF'
command: [/bin/true]
seccomp:
  defaultAction: SCMP_ACT_ALLOW
  syscalls:
    - {names: [mount], action: SCMP_ACT_KILL_ALL}
EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_match "error" "$NAME.yaml:6:32: seccomp.syscalls\[0\].action: unknown action 'SCMP_ACT_KILL_ALL'" "$stderr"
}

@test "seccomp: rootless: the same filter in a user namespace" {
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	local uid=59125
	PROBES="unshare-user mount keyctl io_uring_setup clone3 inet"
	SPEC=$PROBE_DIR/$NAME.yaml
	# Root's rootfs is in a directory only root may enter: the user gets
	# the one tests/run.sh makes for it (see rootless.bats).
	ROOTFS=$CT_BUILD/rootless/rootfs probe_spec
	chmod 644 "$SPEC"
	run --separate-stderr env CTLT_MARKER="$NAME" timeout -k 5 30 \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups "$CTLAUNCH" "$SPEC"
	rm -f "$SPEC"
	assert_status 0
	local c
	for c in unshare-user mount keyctl io_uring_setup; do
		assert_line "$c" "$c EPERM" "$output"
	done
	assert_line clone3 "clone3 ENOSYS" "$output"
	assert_line inet "inet ok" "$output"
}
