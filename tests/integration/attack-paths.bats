#!/usr/bin/env bats
# Attacks on the paths between the check and their use (issue 10,
# classes 2, 3 and 5; issue 15, classes 1 and 2). An ordinary user
# (uid ATTACKER, no passwd entry, through setpriv) swaps two names with
# renameat2(RENAME_EXCHANGE) in a loop (swap.c, built here) while root
# launches LAUNCHES containers, one after the other. A race test passes
# only if not one launch shows what the swap points at (the host's /, its
# /root, a secret file, an unmasked /proc, ctlaunch's binary); it does
# not depend on timing: launches that the race makes fail are allowed,
# and how many ran and how many failed is printed as a TAP comment.
# Against the launcher before the descriptor-based setup (CTLAUNCH=an
# older build) the race tests fail.

load helpers

ATTACKER=59125
LAUNCHES=${LAUNCHES:-200}

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	cc -O2 -o "$BATS_FILE_TMPDIR/swap" "$BATS_TEST_DIRNAME/swap.c"
}

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	[ -x "$BATS_FILE_TMPDIR/swap" ] || fail "swap.c did not build"
	SWAP_PID=
	HOST_FILES=()
	# Root's, world-traversable: the attacker works in directories of
	# its own below it.
	WORK=$(mktemp -d /tmp/ctlt-race.XXXXXX)
	chmod 755 "$WORK"
}

teardown() {
	stop_swap
	rm -rf "$WORK"
	local f
	for f in "${HOST_FILES[@]}"; do rm -f "$f"; done
	helpers_teardown
}

# start_swap DIR A B [USEC]: the attacker exchanges DIR/A and DIR/B until
# stopped, pausing USEC microseconds between exchanges.
start_swap() {
	setpriv --reuid="$ATTACKER" --regid="$ATTACKER" --clear-groups \
		"$BATS_FILE_TMPDIR/swap" "$@" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	SWAP_PID=$!
	sleep 0.05
	kill -0 "$SWAP_PID" 2>/dev/null || fail "the swap loop did not start"
}

stop_swap() {
	[ -n "${SWAP_PID:-}" ] || return 0
	kill "$SWAP_PID" 2>/dev/null || true
	wait "$SWAP_PID" 2>/dev/null || true
	SWAP_PID=
}

# A file only the host has, made for the test and removed after it.
host_file() {
	printf '%s\n' "$2" >"$1"
	chmod 600 "$1"
	HOST_FILES+=("$1")
}

# The key that accepts a path other users can write, for a launcher
# that knows it (an older build does not, and needs none).
unsafe_key() {
	printf 'rootfs: %s\nunsafe_paths: true\ncommand: [/bin/true]\n' "$ROOTFS" >"$WORK/probe.yaml"
	if "$CTLAUNCH" --check "$WORK/probe.yaml" >/dev/null 2>&1; then
		echo "unsafe_paths: true"
	fi
}

# race PATTERN: LAUNCHES runs of $SPEC; fails if one's stdout has a line
# matching PATTERN. RAN and FAILED count the runs that exited 0 and not.
race() {
	local i rc
	RAN=0 FAILED=0 ESCAPED=0
	for ((i = 0; i < LAUNCHES; i++)); do
		rc=0
		CTLT_MARKER=$NAME timeout -k 5 20 "$CTLAUNCH" "$SPEC" \
			>"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
		if [ "$rc" -eq 0 ]; then RAN=$((RAN + 1)); else FAILED=$((FAILED + 1)); fi
		if grep -qE "$1" "$WORK/out"; then
			ESCAPED=$((ESCAPED + 1))
			[ "$ESCAPED" -gt 1 ] || cp "$WORK/out" "$WORK/first-escape"
		fi
	done
	stop_swap
	echo "# $BATS_TEST_DESCRIPTION: $LAUNCHES launches, $RAN ran, $FAILED failed, $ESCAPED escaped" >&3
	[ "$ESCAPED" -eq 0 ] ||
		fail "$ESCAPED of $LAUNCHES launches matched /$1/ ($RAN ran, $FAILED failed); first:"$'\n'"$(cat "$WORK/first-escape")"
}

@test "race: the rootfs swapped with a link to / never gives the host's / as the root" {
	host_file "/ctlt-host-$NAME" host
	mkdir "$WORK/lab"
	cp -a "$ROOTFS" "$WORK/lab/rfs"
	ln -s / "$WORK/lab/alt"
	chown -h "$ATTACKER" "$WORK/lab" "$WORK/lab/rfs" "$WORK/lab/alt"
	cat >"$SPEC" <<-EOF
		rootfs: $WORK/lab/rfs
		$(unsafe_key)
		command: ["/bin/sh", "-c", "test -e /ctlt-host-$NAME && echo HOST-ROOT; true"]
		env: {CTLT_MARKER: $NAME}
	EOF
	start_swap "$WORK/lab" rfs alt
	race '^HOST-ROOT'
}

@test "race: a bind source directory swapped with a link to /root never binds /root" {
	host_file "/root/ctlt-secret-$NAME" secret
	mkdir -p "$WORK/lab/data"
	echo mine >"$WORK/lab/data/mine"
	ln -s /root "$WORK/lab/alt"
	chown -hR "$ATTACKER" "$WORK/lab"
	cat >"$SPEC" <<-EOF
		rootfs: $ROOTFS
		$(unsafe_key)
		mounts:
		  - {type: bind, source: $WORK/lab/data, target: /data}
		command: ["/bin/sh", "-c", "test -e /data/ctlt-secret-$NAME && echo HOST-ROOT-DIR; true"]
		env: {CTLT_MARKER: $NAME}
	EOF
	start_swap "$WORK/lab" data alt
	race '^HOST-ROOT-DIR'
}

@test "race: a bind source file swapped with a link to a secret file never binds the secret" {
	host_file "/etc/ctlt-secret-$NAME" "SECRET-$NAME"
	mkdir "$WORK/lab"
	echo "notes of the student" >"$WORK/lab/notes.txt"
	ln -s "/etc/ctlt-secret-$NAME" "$WORK/lab/alt"
	chown -hR "$ATTACKER" "$WORK/lab"
	cat >"$SPEC" <<-EOF
		rootfs: $ROOTFS
		$(unsafe_key)
		mounts:
		  - {type: bind, source: $WORK/lab/notes.txt, target: /notes.txt, readonly: true}
		command: ["/bin/cat", "/notes.txt"]
		env: {CTLT_MARKER: $NAME}
	EOF
	start_swap "$WORK/lab" notes.txt alt
	race "SECRET-$NAME"
}

@test "race: the rootfs's proc swapped with another directory never leaves /proc/sys writable or /proc/keys unmasked" {
	# The host's /proc/keys has content for root: an empty read inside
	# is the mask.
	[ "$(head -c 1 /proc/keys | wc -c)" -eq 1 ] || skip "the host's /proc/keys is empty"
	local core
	core=$(cat /proc/sys/kernel/core_pattern)
	# The rootfs's owner is the attacker: it may rename its top entries.
	# An empty directory swapped with proc/ passes any check of the
	# target's type (a link there is refused outright), and a mask
	# applied by path after the swap finds nothing to mask.
	cp -a "$ROOTFS" "$WORK/rfs"
	mkdir "$WORK/rfs/fake"
	chown -h "$ATTACKER" "$WORK/rfs" "$WORK/rfs/fake"
	cat >"$SPEC" <<-EOF
		rootfs: $WORK/rfs
		command: |
		  for d in /proc /fake; do
		    test -e \$d/sys/kernel/domainname || continue
		    (echo ctlt >\$d/sys/kernel/domainname) 2>/dev/null && echo "WRITABLE \$d"
		    test "\$(head -c 1 \$d/keys | wc -c)" -eq 0 || echo "UNMASKED \$d"
		  done
		  true
		env: {CTLT_MARKER: $NAME}
	EOF
	# A pause of 100 us between swaps: the names then stay put across
	# the several mask steps of one launch, as a timed single swap would.
	start_swap "$WORK/rfs" proc fake 100
	race '^(WRITABLE|UNMASKED)'
	assert_eq "host core_pattern" "$core" "$(cat /proc/sys/kernel/core_pattern)"
}

@test "race: the command swapped with a link to /proc/self/exe never runs ctlaunch's binary" {
	cp -a "$ROOTFS" "$WORK/rfs"
	printf '#!/bin/sh\necho APP\n' >"$WORK/rfs/bin/app"
	chmod 755 "$WORK/rfs/bin/app"
	ln -s /proc/self/exe "$WORK/rfs/bin/evil"
	chown -h "$ATTACKER" "$WORK/rfs/bin" "$WORK/rfs/bin/evil"
	cat >"$SPEC" <<-EOF
		rootfs: $WORK/rfs
		command: ["/bin/app", "--version"]
		env: {CTLT_MARKER: $NAME}
	EOF
	start_swap "$WORK/rfs/bin" app evil
	# ctlaunch --version prints "ctlaunch VERSION"; the script, APP.
	race '^ctlaunch '
}

@test "race: a script's interpreter swapped with a link to /proc/self/exe never runs ctlaunch's binary" {
	cp -a "$ROOTFS" "$WORK/rfs"
	# The interpreter is busybox's sh through a link in a directory of
	# the attacker's; its --version is ctlaunch's too, which prints
	# "ctlaunch VERSION" if it ever runs.
	mkdir "$WORK/rfs/ibin"
	printf '#!/ibin/sh --version\necho APP\n' >"$WORK/rfs/bin/app"
	chmod 755 "$WORK/rfs/bin/app"
	ln -s /bin/busybox "$WORK/rfs/ibin/sh"
	ln -s /proc/self/exe "$WORK/rfs/ibin/evil"
	chown -h "$ATTACKER" "$WORK/rfs/ibin" "$WORK/rfs/ibin/sh" "$WORK/rfs/ibin/evil"
	cat >"$SPEC" <<-EOF
		rootfs: $WORK/rfs
		command: ["/bin/app"]
		env: {CTLT_MARKER: $NAME}
	EOF
	start_swap "$WORK/rfs/ibin" sh evil
	race '^ctlaunch '
}

@test "workdir: /proc/self/fd/N never lands on a directory of the host" {
	host_file "/root/ctlt-secret-$NAME" secret
	local n
	for n in 3 4 5 6 7 8 9; do
		cat >"$SPEC" <<-EOF
			rootfs: $ROOTFS
			workdir: /proc/self/fd/$n
			command: ["/bin/sh", "-c", "test -e ctlt-secret-$NAME && echo HOST-DIR; pwd"]
			env: {CTLT_MARKER: $NAME}
		EOF
		run --separate-stderr bash -c 'exec 3</root 4</root 5</root 6</root 7</root 8</root 9</root; exec "$0" "$1"' \
			"$CTLAUNCH" "$SPEC"
		assert_no_line "workdir /proc/self/fd/$n" '^HOST-DIR' "$output"
		[ "$status" -ne 0 ] || fail "workdir /proc/self/fd/$n: the run worked, in $output"
	done
}

@test "workdir: a magic link of /proc is refused with the reason" {
	write_spec <<-'EOF'
		workdir: /proc/self/cwd
		command: [/bin/pwd]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	assert_match "stderr" "chdir /proc/self/cwd: it leads outside the container's root or through a magic link of /proc" "$stderr"
}

@test "unsafe paths: a rootfs or bind source below a directory another user owns is refused by --check and the run" {
	mkdir "$WORK/lab"
	cp -a "$ROOTFS" "$WORK/lab/rfs"
	mkdir "$WORK/lab/data"
	chown "$ATTACKER" "$WORK/lab"
	cat >"$SPEC" <<-EOF
		rootfs: $WORK/lab/rfs
		command: [/bin/true]
	EOF
	run --separate-stderr ctl --check "$SPEC"
	assert_status 125
	assert_contains "stderr" "rootfs: '$WORK/lab/rfs': $WORK/lab is owned by uid $ATTACKER, who could swap it" "$stderr"
	run --separate-stderr ctl "$SPEC"
	assert_status 125
	# With the key, the run goes: its descriptors keep a swap out.
	printf 'unsafe_paths: true\n' >>"$SPEC"
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	# A bind source the same. A sticky directory everyone may write is
	# safe for an entry of root's (only its owner may rename it there),
	# not for another user's; without the sticky bit, it is not safe.
	chmod 1777 "$WORK/lab"
	chown root "$WORK/lab"
	cat >"$SPEC" <<-EOF
		rootfs: $ROOTFS
		mounts:
		  - {type: bind, source: $WORK/lab/data, target: /data}
		command: [/bin/true]
	EOF
	run --separate-stderr ctl --check "$SPEC"
	assert_status 0
	chown "$ATTACKER" "$WORK/lab/data"
	run --separate-stderr ctl --check "$SPEC"
	assert_status 125
	assert_contains "stderr" "$WORK/lab/data is owned by uid $ATTACKER in a directory every user can write" "$stderr"
	chown root "$WORK/lab/data"
	chmod 777 "$WORK/lab"
	run --separate-stderr ctl --check "$SPEC"
	assert_status 125
	assert_contains "stderr" "$WORK/lab is writable by every user" "$stderr"
}
