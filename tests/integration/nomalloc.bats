#!/usr/bin/env bats
# The vfork child allocates nothing (exec.c, "What the child may call"):
# real containers run by build/ctlaunch-nomalloc, the launcher linked
# with every allocator entry point wrapped (tests/nomalloc/nomalloc.c).
# An allocation or free by any process of it but ctlaunch itself (the
# container's process before its exec, the watcher, a helper before its
# exec) prints a "nomalloc: " line and ends that process; so each test
# below fails if a step of its kind allocates in the child. The specs
# cover the child's step kinds: binds, tmpfs, masks, device nodes,
# user, workdir, rlimits, capabilities, the default and a spec's seccomp
# filter, a read-only root, userns, rootless (a fork child: the same
# steps), -v's log of each step, and the child's failures (its report).
# The canary (build/ctlaunch-nomalloc-canary, a capability step that
# allocates) shows the check can fail.

load helpers

CTLAUNCH=$CT_BUILD/ctlaunch-nomalloc
CANARY=$CT_BUILD/ctlaunch-nomalloc-canary
PLAIN_UID=59123

# No "nomalloc: " line: the child allocated nothing. The line names the
# call and its caller; addr2line names the function.
assert_no_alloc() {
	local line addr
	line=$(grep -m 1 '^nomalloc: ' <<<"$1") || return 0
	addr=${line##* }
	# With -v, the last step the child logged is the one that allocated.
	fail "the child allocated: $line"$'\n'"at: $(addr2line -f -i -e "$2" "$addr" 2>&1 | tr '\n' ' ')"$'\n'"in: $(grep -E ': child [0-9]+/' <<<"$1" | tail -n 1)"$'\n'"$1"
}

# nm_run [-STATUS] ARGS...: the nomalloc launcher; status, output and
# stderr set (-STATUS: the one expected, as run takes it).
nm_run() {
	local want=()
	[[ $1 != -[0-9]* ]] || { want=("$1"); shift; }
	run "${want[@]}" --separate-stderr ctl "$@"
	assert_no_alloc "$stderr" "$CTLAUNCH"
}

@test "nomalloc: the check fails when a child step allocates (the canary)" {
	[ -x "$CANARY" ] || fail "no $CANARY (make $CANARY)"
	write_spec <<-'EOF'
		command: [/bin/echo, ran]
	EOF
	run --separate-stderr env CTLT_MARKER="$NAME" "$CANARY" "$SPEC"
	assert_status 125
	assert_line_match "the report" '^nomalloc: (malloc|free) in pid [0-9]+, not ctlaunch.s \([0-9]+\), called from 0x[0-9a-f]+$' "$stderr"
	assert_contains "ctlaunch's error" "the container died during setup" "$stderr"
	assert_no_line "the command" '^ran$' "$output"
	# The same spec, the same launcher without the allocating step: no report.
	nm_run "$SPEC"
	assert_status 0
	assert_line "the command" ran "$output"
}

@test "nomalloc: binds, tmpfs, masks, devices, user, workdir, rlimits, capabilities, default seccomp, -v" {
	mkdir "$BATS_TEST_TMPDIR/ro" "$BATS_TEST_TMPDIR/rw"
	echo "from the host" >"$BATS_TEST_TMPDIR/ro/f"
	chmod 777 "$BATS_TEST_TMPDIR/rw"
	write_spec <<-'EOF'
		hostname: nm-box
		user: lab
		workdir: /home/lab
		mounts:
		  - {type: bind, source: ./ro, target: /home/lab, readonly: true}
		  - {type: bind, source: rw, target: /tmp}
		  - {type: tmpfs, target: /ctlt, size: 1M}
		capabilities:
		  drop: [ALL]
		  add: [CAP_NET_BIND_SERVICE]
		rlimits:
		  nofile: {soft: 256, hard: 1024}
		  core: 0
		resources:
		  memory: 64M
		  pids: 64
		command: |
		  cat f; id -u; pwd; hostname
		  echo x >/tmp/out && echo rw-ok
		  echo x >/ctlt/t && echo tmpfs-ok
		  echo x >/dev/null && echo null-ok
		  grep -E '^Max open files' /proc/self/limits | tr -s ' '
		  grep -E '^Seccomp:' /proc/self/status
		  test -s /proc/kcore || echo kcore-masked
	EOF
	nm_run -v "$SPEC"
	assert_status 0
	assert_line "bind ro" "from the host" "$output"
	assert_line "user" 1000 "$output"
	assert_line "workdir" /home/lab "$output"
	assert_line "hostname" nm-box "$output"
	assert_line "bind rw" rw-ok "$output"
	assert_line "tmpfs" tmpfs-ok "$output"
	assert_line "/dev/null" null-ok "$output"
	assert_line_match "rlimit" '^Max open files 256 1024 files ?$' "$output"
	assert_line_match "seccomp" '^Seccomp:[[:space:]]+2$' "$output"
	assert_line "mask" kcore-masked "$output"
	# -v logged the child's steps from the child itself.
	assert_line_match "-v" ": child [0-9]+/[0-9]+: seccomp filter default" "$stderr"
	assert_line_match "-v" ": child [0-9]+/[0-9]+: exec " "$stderr"
}

@test "nomalloc: a spec's seccomp profile, a read-only root, a #! script" {
	write_spec <<-'EOF'
		readonly_rootfs: true
		mounts:
		  - {type: tmpfs, target: /tmp}
		seccomp:
		  defaultAction: SCMP_ACT_ALLOW
		  syscalls:
		    - names: [mkdir, mkdirat]
		      action: SCMP_ACT_ERRNO
		      errnoRet: 38
		command: |
		  printf '#!/bin/sh\necho script-ran\n' >/tmp/s && chmod 755 /tmp/s && /tmp/s
		  mkdir /tmp/d 2>/dev/null || echo mkdir-refused
		  touch /x 2>/dev/null || echo root-ro
	EOF
	nm_run "$SPEC"
	assert_status 0
	assert_line "seccomp profile" mkdir-refused "$output"
	assert_line "readonly_rootfs" root-ro "$output"
	assert_line "script" script-ran "$output"
	# The command itself a script: the child finds its interpreter.
	printf '#!/bin/sh\necho direct-script\n' >"$BATS_TEST_TMPDIR/s.sh"
	write_spec <<-'EOF'
		mounts:
		  - {type: bind, source: s.sh, target: /ctlt/s.sh, readonly: true}
		command: [/ctlt/s.sh]
	EOF
	chmod 755 "$BATS_TEST_TMPDIR/s.sh"
	nm_run "$SPEC"
	assert_status 0
	assert_line "script" direct-script "$output"
}

@test "nomalloc: userns: true (trees opened before the clone, the id maps)" {
	write_spec <<-'EOF'
		userns: true
		mounts:
		  - {type: tmpfs, target: /tmp}
		resources:
		  memory: 64M
		command: |
		  id -u; tr -s ' ' </proc/self/uid_map
		  echo x >/tmp/x && echo tmpfs-ok
	EOF
	nm_run -v "$SPEC"
	assert_status 0
	assert_line "uid inside" 0 "$output"
	assert_line_match "uid map" '^ ?0 [1-9][0-9]* 65536$' "$output"
	assert_line "tmpfs" tmpfs-ok "$output"
}

@test "nomalloc: an overlay rootfs (layers by descriptor, the writes' tmpfs, DIR made), -v" {
	local dir
	dir=$(mktemp -d /tmp/ctlt-nomalloc.XXXXXX)
	chmod 755 "$dir"
	local over
	for over in tmpfs state; do
		cat >"$SPEC" <<-EOF
			rootfs: {path: $ROOTFS, overlay: $over}
			command: echo x >/x && echo overlay-ok
			env:
			  CTLT_MARKER: $NAME
		EOF
		[ "$over" = tmpfs ] || sed -i "s|overlay: state|overlay: $dir/state|" "$SPEC"
		nm_run -v "$SPEC"
		assert_status 0
		assert_line "a write on the overlay ($over)" overlay-ok "$output"
	done
	rm -rf "$dir"
}

@test "nomalloc: network: a bridge (setns into ctlaunch's namespace, /etc/hosts bound) and host" {
	local br=ctlt-nm-$$
	br=${br:0:15}
	write_spec <<-EOF
		network: {bridge: $br, subnet: 10.249.0.0/24}
		command: |
		  ip -4 -o addr show dev eth0 | awk '{print \$4}'
		  grep -c localhost /etc/hosts
	EOF
	nm_run -v "$SPEC"
	local gone=1
	ip link show dev "$br" >/dev/null 2>&1 && { gone=0; ip link del "$br"; }
	assert_status 0
	assert_line "eth0" 10.249.0.2/24 "$output"
	assert_line "hosts" 2 "$output"
	[ "$gone" -eq 1 ] || fail "bridge $br left"
	write_spec <<-'EOF'
		network: host
		command: echo host-ok
	EOF
	nm_run -v "$SPEC"
	assert_status 0
	assert_line "host" host-ok "$output"
}

@test "nomalloc: the child's failures go back to ctlaunch without an allocation" {
	write_spec <<-'EOF'
		workdir: /no/such/dir
		command: [/bin/true]
	EOF
	nm_run -125 "$SPEC"
	assert_status 125
	assert_contains "workdir" "chdir /no/such/dir" "$stderr"
	write_spec <<-'EOF'
		command: [/bin/true]
	EOF
	nm_run -127 "$SPEC" -- /no/such/command
	assert_status 127
	assert_contains "not found" "/no/such/command" "$stderr"
	nm_run -126 "$SPEC" -- /etc/passwd
	assert_status 126
	assert_contains "not executable" "exec /etc/passwd" "$stderr"
}

@test "nomalloc: rootless (a fork child, proc and sysfs by fsmount, the host's device nodes)" {
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	local dir
	dir=$(mktemp -d /tmp/ctlt-nomalloc.XXXXXX)
	chmod 755 "$dir"
	mkdir "$dir/shared"
	chown "$PLAIN_UID:$PLAIN_UID" "$dir/shared"
	SPEC=$dir/$NAME.yaml
	ROOTFS=$CT_BUILD/rootless/rootfs write_spec <<-EOF
		hostname: nm-user
		mounts:
		  - {type: bind, source: $dir/shared, target: /tmp}
		command: |
		  id -u; hostname
		  echo x >/dev/null && echo null-ok
		  touch /tmp/made && echo bind-ok
		  test -s /proc/kcore || echo kcore-masked
	EOF
	chmod 644 "$SPEC"
	run --separate-stderr env CTLT_MARKER="$NAME" timeout -k 5 30 \
		setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups "$CTLAUNCH" -v "$SPEC"
	rm -rf "$dir"
	assert_no_alloc "$stderr" "$CTLAUNCH"
	assert_status 0
	assert_line "uid inside" 0 "$output"
	assert_line "hostname" nm-user "$output"
	assert_line "/dev/null" null-ok "$output"
	assert_line "bind" bind-ok "$output"
	assert_line "mask" kcore-masked "$output"
	assert_line_match "-v: the fork child" ": child [0-9]+/[0-9]+: exec " "$stderr"
}

@test "nomalloc: --join's two processes (cgroups, rlimits, setns, the fork into the pid namespace, then the command's steps), -v" {
	write_spec <<-'EOF2'
		resources: {memory: 64M}
		rlimits: {nofile: 512}
		command: [/bin/sh, -c, 'echo ready; read x || true']
	EOF2
	ctl_bg "$SPEC"
	wait_for_line ready
	nm_run --join "$NAME" -v -- /bin/sh -c 'echo joined; ulimit -n'
	assert_status 0
	assert_line "the joined command" joined "$output"
	assert_line "its rlimit" 512 "$output"
	# Both of the join's processes logged their steps.
	assert_line_match "-v: the first" ": child [0-9]+/[0-9]+: setns through the pidfd" "$stderr"
	assert_line_match "-v: the command's" ": child [0-9]+/[0-9]+: exec " "$stderr"
	bg_wait
	assert_status 0
}
