#!/usr/bin/env bats
# A cgroup in every hierarchy, the device policy, the default pids
# limit, TCP buffers under the memory limit (issue 10 classes 1, 6 and
# 8's pids default; issue 15 classes 3 and 4), tried from inside real
# containers as an attacker would. Each test fails against a launcher
# without the change (the one on main before it): release_agent and the
# host's processes in sight, a node for /dev/kmsg opened, no pids.max,
# 250 MB queued in a 16M container's sockets.
#
# The attacks that make a user namespace need unshare(2), which the
# seccomp filter (being added beside this) blocks by default: once the
# spec key exists, those specs need `seccomp: unconfined`, as marked.

load helpers

# The tests' own helpers, static, bound read-only into the containers
# at /opt/t: cgattack (mounts every hierarchy and reports what it sees)
# and tcpfill (fills loopback TCP queues).
setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	local h
	for h in cgattack tcpfill; do
		cc -static -O2 -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/bin/$h" \
			"$BATS_TEST_DIRNAME/$h.c"
	done
}

# The hierarchies of this host, as /proc/self/cgroup names them.
host_hierarchies() {
	awk -F: '{ print ($2 == "" ? "cgroup2" : $2) }' /proc/self/cgroup | sort
}

# What cgattack reported ($output) must show the container's own cgroup
# alone in every hierarchy: each mounted, its own cgroup at the root,
# no release_agent (only a hierarchy's real root has one), no cgroup
# below, no task of another pid namespace.
assert_only_own_cgroups() {
	local want got
	want=$(host_hierarchies)
	got=$(awk '$1 == "mount" && $3 == "ok" { print $2 }' <<<"$output" | sort)
	assert_eq "hierarchies mounted inside" "$want" "$got"
	assert_no_line "a hierarchy's real root (release_agent)" '^release_agent ' "$output"
	assert_no_line "own cgroup not the namespace's root" '^own [^ ]* ([^/]|/.)' "$output"
	assert_no_line "cgroups below the namespace's root" '^subdirs [^ ]* [1-9]' "$output"
	assert_no_line "tasks of another pid namespace" '^foreign [^ ]* [1-9]' "$output"
}

@test "cgroups: the container has a cgroup of its own in every hierarchy, limits or not; none is left after" {
	write_spec <<-'EOF'
		command: read x || true
	EOF
	ctl_bg "$SPEC"
	local dir pid want got
	dir=$(cg_dir devices)
	for ((i = 0; i < POLL_SECS * 50; i++)); do
		[ -s "$dir/cgroup.procs" ] 2>/dev/null && break
		is_running "$BG_PID" || break
		sleep 0.02
	done
	pid=$(container_init_pid "$dir")
	# Every line of its /proc/PID/cgroup, v1 and the cgroup2 mount, is
	# a cgroup named after it under ctlaunch/.
	want=$(wc -l </proc/self/cgroup)
	got=$(grep -c "/ctlaunch/$NAME\$" "/proc/$pid/cgroup")
	assert_eq "hierarchies the container has its cgroup in ($(cat "/proc/$pid/cgroup"))" "$want" "$got"
	bg_wait
	assert_status 0
	# teardown: no cgroup under */ctlaunch/* left, in any hierarchy.
}

@test "cgroups: with CAP_SYS_ADMIN, every hierarchy it mounts shows only its own cgroup (no release_agent)" {
	write_spec <<-EOF
		mounts:
		  - {type: bind, source: $BATS_FILE_TMPDIR/bin, target: /opt/t, readonly: true}
		capabilities:
		  add: [CAP_SYS_ADMIN]
		command: mkdir -p /dev/shm/h && /opt/t/cgattack /dev/shm/h
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_only_own_cgroups
	# v1 has no nsdelegate: the spec gets the one-line warning.
	assert_line_match "the warning" "^ctlaunch: warning: $NAME: CAP_SYS_ADMIN on cgroup v1: " "$stderr"
}

@test "cgroups: in a user and cgroup namespace of its own, every hierarchy it mounts shows only its own cgroup" {
	# After the seccomp merge this spec needs `seccomp: unconfined`:
	# unshare(CLONE_NEWUSER) is what the default filter blocks.
	write_spec <<-EOF
		mounts:
		  - {type: bind, source: $BATS_FILE_TMPDIR/bin, target: /opt/t, readonly: true}
		command: mkdir -p /dev/shm/h && /opt/t/cgattack -U /dev/shm/h
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_no_line "the user namespace" '^(unshare|map) ' "$output"
	assert_only_own_cgroups
	# No CAP_SYS_ADMIN: no warning.
	assert_no_line "a warning" 'warning' "$stderr"
}

@test "cgroups: the CAP_SYS_ADMIN warning comes from --check and --plan too" {
	write_spec <<-'EOF'
		capabilities:
		  add: [CAP_SYS_ADMIN]
		command: "true"
	EOF
	run --separate-stderr ctl --check "$SPEC"
	assert_status 0
	assert_eq "warning lines of --check" 1 "$(grep -c "^ctlaunch: warning: $NAME: CAP_SYS_ADMIN on cgroup v1" <<<"$stderr")"
	run --separate-stderr ctl --plan "$SPEC"
	assert_status 0
	assert_eq "warning lines of --plan" 1 "$(grep -c "^ctlaunch: warning: $NAME: CAP_SYS_ADMIN on cgroup v1" <<<"$stderr")"
}

@test "devices: with CAP_MKNOD a node for a host device cannot be made or opened; the standard ones work" {
	write_spec <<-'EOF'
		capabilities:
		  add: [CAP_MKNOD]
		command: |
		  mknod /dev/kmsg c 1 11 2>/dev/null; echo "mknod kmsg $?"
		  [ -c /dev/kmsg ] && (: >>/dev/kmsg) 2>/dev/null; echo "open kmsg $?"
		  mknod /dev/sda b 8 0 2>/dev/null; echo "mknod sda $?"
		  echo x >/dev/null && echo "null ok"
		  head -c 4 /dev/urandom >/dev/null && echo "urandom ok"
		  mknod /dev/zero2 c 1 5 && head -c 4 /dev/zero2 | od -An -tx1 | tr -d ' ' | sed 's/^/zero2 /'
		  (: </dev/ptmx) && echo "ptmx ok"
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	# Opened for writing, as an attacker would write into the host's
	# kernel log (write-only needs no CAP_SYSLOG); nothing is written.
	assert_line "/dev/kmsg (c 1:11)" "open kmsg 1" "$output"
	assert_no_line "mknod of a host device" '^mknod (kmsg|sda) 0$' "$output"
	assert_line "/dev/null" "null ok" "$output"
	assert_line "/dev/urandom" "urandom ok" "$output"
	assert_line "a new node for zero" "zero2 00000000" "$output"
	assert_line "/dev/ptmx" "ptmx ok" "$output"
}

@test "pids: a default container has pids.max 2048 and a fork bomb stops there" {
	# At most 4000 forks; without a limit, all 4000 would be made.
	write_spec <<-'EOF'
		command: |
		  echo "max $(cat /sys/fs/cgroup/pids/pids.max)"
		  sh -c 'i=0; while [ $i -lt 4000 ]; do sleep 1000 & i=$((i+1)); echo $i >/dev/shm/n; done' 2>/dev/null
		  echo "forked $(cat /dev/shm/n)"
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "pids.max" "max 2048" "$output"
	local n
	n=$(awk '$1 == "forked" { print $2 }' <<<"$output")
	# The container's shells take a few of the 2048.
	[ -n "$n" ] && [ "$n" -lt 2048 ] && [ "$n" -gt 2000 ] || fail "forked '$n' processes (want 2000-2047): $output"
}

@test "pids: resources.pids overrides the default" {
	write_spec <<-'EOF'
		resources:
		  pids: 100
		command: cat /sys/fs/cgroup/pids/pids.max
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "pids.max" 100 "$output"
}

@test "memory: v1 charges TCP buffers to the container (memory.kmem.tcp), and caps them" {
	[ -e "$(cg_mount memory)/memory.kmem.tcp.limit_in_bytes" ] ||
		skip "this kernel has no memory.kmem.tcp.* (--plan says so instead)"
	# 64 connections nobody reads: each could queue some 4 MB (250 MB in
	# all without the limit on this machine); the kernel stops the
	# writes when the charge fails, whatever the time it takes.
	write_spec <<-EOF
		mounts:
		  - {type: bind, source: $BATS_FILE_TMPDIR/bin, target: /opt/t, readonly: true}
		resources:
		  memory: 16M
		command: /opt/t/tcpfill 64 </dev/null
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	local queued usage limit
	queued=$(awk '$1 == "queued" { print $2 }' <<<"$output")
	read -r usage limit < <(awk '$1 == "usage" { print $2, $4 }' <<<"$output")
	assert_eq "memory.kmem.tcp.limit_in_bytes" $((16 << 20)) "$limit"
	[ "$usage" -gt 0 ] || fail "no TCP memory charged to the container: $output"
	# Past the limit only by the few KiB the kernel always lets each
	# socket have: at most twice the limit, in the queues and charged.
	[ "$queued" -le $((32 << 20)) ] || fail "$queued bytes queued in a 16M container: $output"
	[ "$usage" -le $((32 << 20)) ] || fail "$usage bytes of TCP memory charged to a 16M container: $output"
}
