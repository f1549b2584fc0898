#!/usr/bin/env bats
# Rootless (issue 4) on this cgroup v1 host: ctlaunch run by an ordinary
# user. The container has its own namespaces and the rootfs as /, is root
# inside and the user outside (checked on the host, through files it
# makes on a bind mount), and a spec with a limit is refused, since v1
# cannot be delegated. With /etc/subuid ranges and newuidmap, the spec's
# user: maps to a subordinate uid. The teardown of helpers.bash checks
# that nothing is left: cgroups, mounts, processes.
#
# The tests drop to the user with setpriv; the specs live in a directory
# the user may read (bats's own are root's alone). Bind mounts go on /tmp,
# which the rootfs has: the user may not make mount points in build/private/rootfs.

load helpers

# An id with no /etc/passwd entry and no /etc/subuid range: only itself
# is mapped.
PLAIN_UID=59123
# A user the file's setup makes, with subordinate ranges.
SUB_USER=ctlt-subids
SUB_UID=59124

CAPS_DEFAULT=00000000800405fb

# Root's rootfs (build/private/rootfs) is in a directory only root can
# enter (see scripts/mkrootfs.sh); the user gets one it can reach, root's
# files, which its container (root inside, the user outside) cannot
# change.
ROOTFS=$CT_BUILD/rootless/rootfs

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	mkdir -p "$CT_BUILD/rootless"
	sh "$ROOT/scripts/mkrootfs.sh" "$ROOTFS"
	if ! getent passwd "$SUB_USER" >/dev/null; then
		useradd -M -N -g nogroup -s /usr/sbin/nologin -u "$SUB_UID" "$SUB_USER"
		touch "$BATS_FILE_TMPDIR/made-user"
	fi
	# useradd gives a range where login.defs says so; make sure of one.
	local f
	for f in /etc/subuid /etc/subgid; do
		if ! grep -q "^$SUB_USER:" "$f" 2>/dev/null; then
			echo "$SUB_USER:600000:65536" >>"$f"
			touch "$BATS_FILE_TMPDIR/made-range"
		fi
	done
}

teardown_file() {
	if [ -e "$BATS_FILE_TMPDIR/made-user" ]; then
		userdel "$SUB_USER" 2>/dev/null || true
	fi
	local f
	for f in /etc/subuid /etc/subgid; do
		if [ -e "$BATS_FILE_TMPDIR/made-range" ] || [ -e "$BATS_FILE_TMPDIR/made-user" ]; then
			sed -i "/^$SUB_USER:/d" "$f"
		fi
	done
}

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	USER_DIR=$(mktemp -d /tmp/ctlt-rootless.XXXXXX)
	chmod 755 "$USER_DIR"
	SPEC=$USER_DIR/$NAME.yaml
}

teardown() {
	rm -rf "$USER_DIR"
	helpers_teardown
}

# as UID ARGS...: ctlaunch as that user, group the same, no other group.
as() {
	local uid=$1 gid=$1
	shift
	[ "$uid" = "$SUB_UID" ] && gid=$(id -g "$SUB_USER")
	CTLT_MARKER=$NAME timeout -k 5 30 setpriv --reuid="$uid" --regid="$gid" --clear-groups \
		"$CTLAUNCH" "$@"
}

@test "rootless: root inside, the user outside, own namespaces, the rootfs as /" {
	local shared=$USER_DIR/shared
	mkdir "$shared"
	chown "$PLAIN_UID:$PLAIN_UID" "$shared"
	write_spec <<EOF
hostname: rl-box
command: ["/bin/sh", "-c", "id -u; id -g; echo pid=\$\$; hostname; cat /proc/self/uid_map; touch /tmp/made-by-root; ls /; test -e $ROOT && echo HOST-VISIBLE; exit 0"]
mounts:
  - {type: bind, source: $shared, target: /tmp}
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 0
	assert_eq "uid inside" 0 "${lines[0]}"
	assert_eq "gid inside" 0 "${lines[1]}"
	assert_eq "pid" pid=1 "${lines[2]}"
	assert_eq "hostname" rl-box "${lines[3]}"
	assert_match "uid_map" "^ +0 +$PLAIN_UID +1$" "${lines[4]}"
	assert_line "the rootfs's own /bin" bin "$output"
	assert_no_line "the host's tree" HOST-VISIBLE "$output"
	# What root made inside belongs to the user outside.
	assert_eq "owner on the host" "$PLAIN_UID:$PLAIN_UID" "$(stat -c %u:%g "$shared/made-by-root")"
	assert_eq "the host's name" "$HOST_HOSTNAME" "$(uname -n)"
}

@test "rootless: device nodes work; the default capabilities, no more" {
	write_spec <<'EOF'
command: ["/bin/sh", "-c", "echo x >/dev/null && echo null-ok; head -c 8 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c; grep -E '^Cap(Eff|Bnd):' /proc/self/status; mknod /tmp/n c 1 3 2>&1 || echo mknod-refused"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 0
	assert_line "/dev/null" null-ok "$output"
	assert_line "/dev/zero" 8 "$output"
	assert_line "/dev/urandom" 4 "$output"
	assert_line_match "CapEff" "^CapEff:[[:space:]]+$CAPS_DEFAULT$" "$output"
	assert_line_match "CapBnd" "^CapBnd:[[:space:]]+$CAPS_DEFAULT$" "$output"
	# A user namespace cannot make device nodes, whatever its caps say.
	assert_line "mknod" mknod-refused "$output"
}

@test "rootless: exit status and signal death pass through" {
	write_spec <<'EOF'
command: ["/bin/sh", "-c", "exit 3"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 3
	run -127 --separate-stderr as "$PLAIN_UID" "$SPEC" -- /no/such/command
	assert_status 127
	# SIGKILL to the container's PID 1 from the host: 128 + 9. Found by
	# its marker and its pid namespace (NSpid ends in 1): no cgroup here.
	local real=$CTLAUNCH pid p
	CTLAUNCH=setpriv ctl_bg --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		"$real" "$SPEC" -- /bin/sh -c 'echo ready; read x; echo not killed'
	CTLAUNCH=$real
	wait_for_line ready
	for p in $(marked_procs); do
		[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ] && pid=$p
	done
	[ -n "${pid:-}" ] || fail "no container PID 1 among $(marked_procs)"
	assert_eq "its owner on the host" "$PLAIN_UID" "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
	kill -KILL "$pid"
	bg_wait
	assert_status 137
	assert_no_line "stdout" "not killed" "$output"
}

@test "rootless: a limit on this cgroup v1 host is refused with the key and why; nothing runs" {
	write_spec <<EOF
command: ["/bin/sh", "-c", "touch $USER_DIR/ran"]
resources:
  memory: 16M
EOF
	chmod 644 "$SPEC"
	chmod 777 "$USER_DIR"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 125
	assert_contains "message" "$NAME.yaml:4:11: resources.memory: cannot be applied by an ordinary user (uid $PLAIN_UID): cgroup v1 hierarchies cannot be delegated" "$stderr"
	[ ! -e "$USER_DIR/ran" ] || fail "the command ran without its limit"
	# --plan and --check say the same, in the same line, and change nothing.
	local line
	line=$(grep -F "resources.memory: cannot be applied" <<<"$stderr")
	run --separate-stderr as "$PLAIN_UID" --plan "$SPEC"
	assert_status 125
	assert_eq "--plan message" "$line" "$stderr"
	run --separate-stderr as "$PLAIN_UID" --check "$SPEC"
	assert_status 125
	assert_eq "--check message" "$line" "$stderr"
	[ ! -e "$USER_DIR/ran" ] || fail "the command ran without its limit"
}

@test "rootless: --plan shows the user namespace and the id maps" {
	write_spec <<'EOF'
command: ["/bin/true"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" --plan "$SPEC"
	assert_status 0
	assert_line_match "clone" "parent clone CLONE_NEWUSER\|" "$output"
	assert_line_match "uid_map" "parent write 0 $PLAIN_UID 1 to /proc/<child pid>/uid_map; the user alone: no range for the user in /etc/subuid and /etc/subgid$" "$output"
	assert_line_match "gid_map" "parent write 0 $PLAIN_UID 1 to /proc/<child pid>/gid_map \(setgroups deny first\)$" "$output"
}

@test "rootless: user: needs a subordinate range; without one it is refused" {
	write_spec <<'EOF'
user: lab
command: ["/bin/true"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 125
	assert_contains "message" "user: uid 1000 is not mapped in a rootless run by uid $PLAIN_UID" "$stderr"
	# uid and gid both, in one pass; --check finds the same.
	assert_contains "message" "user: gid 1000 is not mapped in a rootless run by uid $PLAIN_UID" "$stderr"
	local first=$stderr
	run --separate-stderr as "$PLAIN_UID" --check "$SPEC"
	assert_status 125
	assert_eq "--check's lines" "$first" "$stderr"
}

@test "rootless with /etc/subuid and newuidmap: user: lab is a subordinate uid outside" {
	[ -x /usr/bin/newuidmap ] || fail "no newuidmap (scripts/deps.sh installs uidmap)"
	local start count shared=$USER_DIR/shared
	start=$(awk -F: -v u="$SUB_USER" '$1 == u { print $2; exit }' /etc/subuid)
	count=$(awk -F: -v u="$SUB_USER" '$1 == u { print $3; exit }' /etc/subuid)
	mkdir "$shared"
	chmod 777 "$shared"
	write_spec <<EOF
user: lab
command: ["/bin/sh", "-c", "id -u; id -G; cat /proc/self/uid_map; touch /tmp/made-by-lab"]
mounts:
  - {type: bind, source: $shared, target: /tmp}
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$SUB_UID" "$SPEC"
	assert_status 0
	assert_eq "uid inside" 1000 "${lines[0]}"
	assert_eq "groups inside" 1000 "${lines[1]}"
	assert_line_match "uid_map, the user" "^ +0 +$SUB_UID +1$" "$output"
	assert_line_match "uid_map, the range" "^ +1 +$start +$count$" "$output"
	# uid 1000 inside is the range's 1000th id outside.
	assert_eq "owner on the host" "$((start + 999))" "$(stat -c %u "$shared/made-by-lab")"
}

@test "rootless: a /etc/subuid range newuidmap would refuse is not used: the user alone, and --plan says why" {
	# PLAIN_UID has no /etc/passwd entry: newuidmap would fail with
	# "Cannot determine your user name"; ctlaunch maps the user alone.
	echo "$PLAIN_UID:700000:65536" >>/etc/subuid
	echo "$PLAIN_UID:700000:65536" >>/etc/subgid
	write_spec <<'EOF'
command: ["/bin/sh", "-c", "cat /proc/self/uid_map"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" --plan "$SPEC"
	local plan_status=$status plan_out=$output
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	sed -i "/^$PLAIN_UID:700000:/d" /etc/subuid /etc/subgid
	[ "$plan_status" -eq 0 ] || fail "--plan: exit $plan_status"
	assert_line_match "uid_map in --plan" "write 0 $PLAIN_UID 1 to /proc/<child pid>/uid_map; the user alone: the user is not in /etc/passwd, which newuidmap needs$" "$plan_out"
	assert_status 0
	assert_match "uid_map" "^ +0 +$PLAIN_UID +1$" "$output"
}

@test "rootless: a pid 1 that clears its parent-death signal still dies with a SIGKILLed ctlaunch" {
	# The fork path (a rootless child is a copy, released by ctlaunch),
	# and a container in a user namespace of its own: the watcher
	# (ctlaunch(1), SUPERVISION) kills it all the same.
	mkdir "$USER_DIR/bin"
	cc -static -O2 -o "$USER_DIR/bin/nodeath" "$BATS_TEST_DIRNAME/nodeath.c"
	chmod 755 "$USER_DIR/bin" "$USER_DIR/bin/nodeath"
	write_spec <<SPEC
command: [/tmp/nodeath, prctl]
mounts:
  - {type: bind, source: $USER_DIR/bin, target: /tmp, readonly: true}
SPEC
	chmod 644 "$SPEC"
	local real=$CTLAUNCH pids i
	CTLAUNCH=setpriv ctl_bg --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups "$real" "$SPEC"
	CTLAUNCH=$real
	wait_for_line ready
	kill -KILL "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	bg_release
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		pids=$(marked_procs)
		[ -z "$pids" ] && break
		sleep 0.05
	done
	[ -z "$pids" ] || fail "the container outlived the SIGKILLed ctlaunch: $pids"
}

@test "rootless: a terminal of its own and the init (-t): Control-C, exit 5, the caller's terminal as before" {
	write_spec <<'EOF'
env:
  PS1: 'rl$ '
command: [/bin/sh, -i]
EOF
	chmod 644 "$SPEC"
	cc -O2 -Wall -Wextra -Werror -o "$USER_DIR/ptydrive" "$BATS_TEST_DIRNAME/ptydrive.c"
	run --separate-stderr "$USER_DIR/ptydrive" -t "$POLL_SECS" -- env CTLT_MARKER="$NAME" \
		setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups "$CTLAUNCH" -t "$SPEC" <<'EOF'
expect rl$
send echo uid=$(id -u); tty; cat /proc/1/comm\r
expect ctlaunch-init
send sleep 30\r
sleep 300
send \x03
expect rl$
send exit 5\r
wait
termios
EOF
	assert_status 0
	assert_line "root inside" uid=0 "$output"
	assert_line "its own pts" /dev/pts/0 "$output"
	assert_line "status" "exit 5" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}

@test "rootless: network: none and host run (host: the host's /sys bound); a bridge is refused at --check" {
	write_spec <<'EOF'
command: ["/bin/ls", "/sys/class/net"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 0
	assert_eq "none" lo "$output"
	write_spec <<'EOF'
network: host
command: ["/bin/ls", "/sys/class/net"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" "$SPEC"
	assert_status 0
	assert_eq "host" "$(ls /sys/class/net)" "$output"
	assert_contains "warning" "shares the host's network namespace" "$stderr"
	write_spec <<'EOF'
network: {bridge: ctlt-rl0, subnet: 10.248.0.0/24}
command: ["/bin/true"]
EOF
	chmod 644 "$SPEC"
	run --separate-stderr as "$PLAIN_UID" --check "$SPEC"
	assert_status 125
	assert_contains "refusal" "$NAME.yaml:2:10: network: a bridge needs root" "$stderr"
	! ip link show dev ctlt-rl0 2>/dev/null
}
