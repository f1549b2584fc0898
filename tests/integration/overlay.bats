#!/usr/bin/env bats
# rootfs: {path:, overlay: tmpfs | DIR}: the lower layers are never
# written, DIR keeps the writes for the next run and only for its owner,
# the errors at --check name the key, and nothing stays mounted (the
# helpers' teardown compares the host's mount table with setup's).

load helpers

PLAIN_UID=59123
ATTACKER=59125

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	# Root's, 0755: the layers live here, and only the test writes them.
	WORK=$(mktemp -d /tmp/ctlt-overlay.XXXXXX)
	chmod 755 "$WORK"
	LOWER=$WORK/lower
	cp -a "$ROOTFS" "$LOWER"
	mkdir -p "$LOWER/data"
	echo original >"$LOWER/data/keep.txt"
	chmod 640 "$LOWER/data/keep.txt"
	SPEC=$WORK/$NAME.yaml
}

teardown() {
	[ -z "${SWAP_PID:-}" ] || { kill "$SWAP_PID" 2>/dev/null; wait "$SWAP_PID" 2>/dev/null || true; }
	rm -rf "$WORK"
	helpers_teardown
}

# A listing of a tree with every name, type, size, mode, owner, link
# target and file's sha256: equal before and after means untouched.
tree_state() {
	(cd "$1" && find . -printf '%p %y %s %m %U:%G %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# spec BODY: the spec, with the marker in its environment.
spec() {
	{ cat; printf 'env:\n  CTLT_MARKER: %s\n' "$NAME"; } >"$SPEC"
}

@test "overlay tmpfs: a run that deletes and writes leaves the lower byte-identical" {
	spec <<EOF
rootfs: {path: lower, overlay: tmpfs, size: 16M}
command: rm -rf /data /bin/ls /etc/passwd && echo new >/etc/new && chmod 700 /bin && echo wrote && grep ' / / ' /proc/self/mountinfo
EOF
	tree_state "$LOWER" >"$WORK/before"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the command ran" wrote "$output"
	assert_contains "an overlay as /" " - overlay " "$output"
	tree_state "$LOWER" >"$WORK/after"
	run diff "$WORK/before" "$WORK/after"
	assert_status 0
	# The next run finds it whole again.
	spec <<EOF
rootfs: {path: lower, overlay: tmpfs}
command: cat /data/keep.txt; test -e /etc/new || echo no-new
EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the lower's file" original "$output"
	assert_line "the last run's write gone" no-new "$output"
}

@test "overlay DIR: a file kept for the next run, in a 0700 directory of the caller's" {
	spec <<EOF
rootfs: {path: lower, overlay: state}
command: cat /kept 2>/dev/null || echo none; echo run >>/kept; rm -f /data/keep.txt
EOF
	tree_state "$LOWER" >"$WORK/before"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the first run" none "$output"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the second run finds the first's file" run "$output"
	assert_eq "DIR's mode" "700 0:0" "$(stat -c '%a %u:%g' "$WORK/state")"
	assert_eq "work's mode" 700 "$(stat -c %a "$WORK/state/work")"
	assert_eq "the kept file" "$(printf 'run\nrun')" "$(cat "$WORK/state/upper/kept")"
	tree_state "$LOWER" >"$WORK/after"
	run diff "$WORK/before" "$WORK/after"
	assert_status 0
}

@test "overlay DIR: what the container writes, a setuid file too, is out of other users' reach" {
	spec <<EOF
rootfs: {path: lower, overlay: state}
command: cp /bin/busybox /suid && chmod 4755 /suid && echo planted
EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "planted" planted "$output"
	[ -u "$WORK/state/upper/suid" ] || fail "no setuid file in the upper layer"
	run setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		sh -c 'test -e "$1" && echo reachable || echo unreachable' _ "$WORK/state/upper/suid"
	assert_eq "the setuid file, for another user" unreachable "$output"
	run setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups ls "$WORK/state/upper"
	assert_match "ls as another user" "Permission denied" "$output"
}

@test "overlay: two concurrent containers on one lower see only their own writes" {
	local i
	for i in 1 2; do
		cat >"$WORK/$NAME-$i.yaml" <<EOF
name: $NAME-$i
rootfs: {path: lower, overlay: tmpfs}
command: echo $i >/mine-$i; sleep 1; ls / | grep mine-
env:
  CTLT_MARKER: $NAME
EOF
	done
	ctl "$WORK/$NAME-1.yaml" >"$WORK/out1" 2>&1 &
	local p1=$!
	ctl "$WORK/$NAME-2.yaml" >"$WORK/out2" 2>&1 &
	local p2=$!
	wait "$p1" || fail "first: $(cat "$WORK/out1")"
	wait "$p2" || fail "second: $(cat "$WORK/out2")"
	assert_eq "the first's view" mine-1 "$(cat "$WORK/out1")"
	assert_eq "the second's view" mine-2 "$(cat "$WORK/out2")"
	[ ! -e "$LOWER/mine-1" ] && [ ! -e "$LOWER/mine-2" ] || fail "a write reached the lower"
}

@test "overlay: two layers, the top one's files over the base's, neither written" {
	mkdir -p "$WORK/tools/bin" "$WORK/tools/data"
	printf '#!/bin/sh\necho tool-ran\n' >"$WORK/tools/bin/tool"
	chmod 755 "$WORK/tools/bin/tool"
	echo from-tools >"$WORK/tools/data/keep.txt"
	spec <<EOF
rootfs: {path: [lower, tools], overlay: tmpfs}
command: tool; cat /data/keep.txt; rm /bin/tool /data/keep.txt && echo removed
EOF
	tree_state "$WORK/tools" >"$WORK/before"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "the top layer's command" tool-ran "$output"
	assert_line "the top layer's file" from-tools "$output"
	assert_line "removed" removed "$output"
	tree_state "$WORK/tools" >"$WORK/after"
	run diff "$WORK/before" "$WORK/after"
	assert_status 0
	assert_eq "the base's file" original "$(cat "$LOWER/data/keep.txt")"
}

@test "overlay: readonly_rootfs on top refuses writes" {
	spec <<EOF
rootfs: {path: lower, overlay: tmpfs}
readonly_rootfs: true
command: touch /x 2>&1 || echo refused
EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_line "refused" refused "$output"
	assert_contains "the reason" "Read-only file system" "$output"
}

@test "overlay: Control-C leaves nothing mounted" {
	spec <<EOF
rootfs: {path: lower, overlay: state}
command: trap 'exit 130' INT; echo up; while :; do sleep 1 & wait \$!; done
EOF
	# ctlaunch passes SIGINT to pid 1 alone, and a shell runs a trap
	# only after its foreground command, but its wait builtin returns at
	# once. (It was "read x; sleep 30": when bg_wait's closing of stdin
	# won the race, the signal came during the sleep: a 30 s run.)
	ctl_bg "$SPEC"
	wait_for_line up
	kill -INT "$BG_PID"
	bg_wait
	assert_status 130
}

@test "overlay rootless: the user's own lower stays as it was; DIR kept, the user's, 0700" {
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	chown -R "$PLAIN_UID:$PLAIN_UID" "$LOWER"
	mkdir "$WORK/home"
	chown "$PLAIN_UID:$PLAIN_UID" "$WORK/home"
	mv "$LOWER" "$WORK/home/lower"
	LOWER=$WORK/home/lower
	SPEC=$WORK/home/$NAME.yaml
	spec <<EOF
rootfs: {path: lower, overlay: state}
command: id -u; cat /kept 2>/dev/null; rm -rf /data && echo kept >/kept && grep ' / / ' /proc/self/mountinfo
EOF
	chmod 644 "$SPEC"
	tree_state "$LOWER" >"$WORK/before"
	local i
	for i in 1 2; do
		run --separate-stderr setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
			env CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
		assert_status 0
		assert_line "root inside" 0 "$output"
		assert_contains "an overlay in the user namespace" "userxattr" "$output"
	done
	assert_line "the first run's file" kept "$output"
	assert_eq "DIR" "700 $PLAIN_UID" "$(stat -c '%a %u' "$WORK/home/state")"
	tree_state "$LOWER" >"$WORK/after"
	run diff "$WORK/before" "$WORK/after"
	assert_status 0
	# And in a tmpfs.
	spec <<EOF
rootfs: {path: lower, overlay: tmpfs}
command: rm -rf /data && echo gone
EOF
	run --separate-stderr setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
	assert_status 0
	assert_line "removed inside" gone "$output"
	[ -f "$LOWER/data/keep.txt" ] || fail "the lower lost its file"
}

@test "overlay: --check refuses each problem at file:line:col with its key" {
	mkdir -p "$WORK/other" "$WORK/open" "$WORK/lower/inside"
	chown "$ATTACKER" "$WORK/other"
	chmod 700 "$WORK/other"
	chmod 755 "$WORK/open"
	chmod 700 "$WORK/lower/inside"
	mkdir -m 700 -p "$WORK/rootst/upper"
	ln -s /root "$WORK/link"
	local cases=(
		"rootfs: {path: /sys/kernel, overlay: tmpfs}|:1:16: rootfs.path: '/sys/kernel' is on sysfs, which overlayfs cannot use as a lower layer"
		"rootfs: {path: lower, overlay: lower/inside}|:1:32: rootfs.overlay: '$WORK/lower/inside' and the layer '$WORK/lower' overlap"
		"rootfs: {path: [lower, lower/data], overlay: tmpfs}|rootfs.path[1]: '$WORK/lower/data' and the layer '$WORK/lower' overlap"
		"rootfs: {path: lower, overlay: link}|:1:32: rootfs.overlay: '$WORK/link' is a symbolic link (expected a directory, or none: ctlaunch makes it)"
		"rootfs: {path: lower, overlay: other}|:1:32: rootfs.overlay: '$WORK/other' is uid $ATTACKER's"
		"rootfs: {path: lower, overlay: open}|:1:32: rootfs.overlay: '$WORK/open' has mode 0755"
		"rootfs: {path: lower, overlay: /proc/x}|:1:32: rootfs.overlay: '/proc/x' is on proc, where overlayfs cannot keep its writes"
		"rootfs: {path: lower, overlay: rootst}
userns: true|:1:32: rootfs.overlay: '$WORK/rootst/upper' is uid 0's and gid 0's, not the user namespace's"
		"rootfs: {path: lower, overlay: st, size: 1M}|:1:42: rootfs.size: only with overlay: tmpfs"
		"rootfs: {path: lower}|:1:9: rootfs.overlay: missing"
	)
	local c body want
	for c in "${cases[@]}"; do
		body=${c%%|*}
		want=${c#*|}
		printf '%s\ncommand: "true"\n' "$body" >"$SPEC"
		run --separate-stderr ctl --check "$SPEC"
		[ "$status" -eq 125 ] || fail "status $status for: $body"$'\n'"$stderr"
		assert_contains "$body" "$want" "$stderr"
	done
	[ ! -e "$WORK/st" ] || fail "--check made DIR"
}

@test "overlay hostile: DIR's parent swapped with a link to a host directory never writes the host" {
	cc -O2 -o "$WORK/swap" "$BATS_TEST_DIRNAME/swap.c" || fail "swap.c did not build"
	local host=$WORK/host-target
	mkdir "$host" "$WORK/att"
	chmod 700 "$host"
	chown "$ATTACKER:$ATTACKER" "$WORK/att"
	mkdir "$WORK/att/lab"
	chown "$ATTACKER:$ATTACKER" "$WORK/att/lab"
	ln -s "$host" "$WORK/att/alt"
	spec <<EOF
rootfs: {path: lower, overlay: att/lab/state}
unsafe_paths: true
command: echo pwned >/pwned
EOF
	setpriv --reuid="$ATTACKER" --regid="$ATTACKER" --clear-groups \
		"$WORK/swap" "$WORK/att" lab alt 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	SWAP_PID=$!
	local i ok=0 refused=0
	for ((i = 0; i < 30; i++)); do
		if ctl "$SPEC" >/dev/null 2>"$WORK/err"; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
	done
	kill "$SWAP_PID"
	wait "$SWAP_PID" 2>/dev/null || true
	SWAP_PID=
	echo "runs: $ok, refused: $refused" >&3
	run ls -A "$host"
	assert_eq "the host directory" "" "$output"
}

@test "examples/pristine.yaml: a run wrecks its /, the next finds it intact, the rootfs untouched" {
	tree_state "$ROOTFS" >"$WORK/before"
	local i
	for i in 1 2; do
		run --separate-stderr ctl --name "$NAME" "$ROOT/examples/pristine.yaml"
		assert_status 0
		assert_line "run $i finds / intact" "/ is intact" "$output"
		assert_line "run $i wrecks it" "/ is wrecked (the next run will not see it)" "$output"
	done
	tree_state "$ROOTFS" >"$WORK/after"
	run diff "$WORK/before" "$WORK/after"
	assert_status 0
}

@test "overlay: a run that fails after the overlay is made leaves nothing mounted" {
	spec <<EOF2
rootfs: {path: lower, overlay: state}
workdir: /no/such/dir
command: "true"
EOF2
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_contains "the failure" "chdir /no/such/dir" "$stderr"
	spec <<EOF2
rootfs: {path: [lower, gone], overlay: tmpfs}
command: "true"
EOF2
	run --separate-stderr ctl --check "$SPEC"
	assert_status 125
	assert_contains "a missing layer" ":1:24: rootfs.path[1]: '$WORK/gone': No such file or directory" "$stderr"
}
