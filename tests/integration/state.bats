#!/usr/bin/env bats
# Running containers (issue 11): the record a run keeps of itself,
# --list, --join and --stop, with real containers. A joined command is
# compared with the container's own command, line by line, on what the
# kernel shows each of them: namespaces, cgroups, capabilities,
# no_new_privs, seccomp, limits, user, host name, working directory.
# The teardown of helpers.bash checks that nothing is left.

load helpers

# A user without a passwd entry, as in rootless.bats.
PLAIN_UID=59123
STATE_DIR=/run/ctlaunch

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	USER_DIR=
}

teardown() {
	# Records a test made by hand, and a user's runtime directory.
	rm -f "$STATE_DIR/$NAME"*.state "$STATE_DIR/.$NAME"*.tmp
	[ -z "$USER_DIR" ] || rm -rf "$USER_DIR"
	helpers_teardown
}

# What a process shows of itself; the same script for the container's
# command and for the joined one.
INFO='for n in cgroup ipc mnt net pid time user uts; do echo "ns $n $(readlink /proc/self/ns/$n)"; done
cat /proc/self/cgroup
grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
grep -E "^Max (open files|processes|core file size|locked memory) " /proc/self/limits
echo "host $(hostname)"
echo "cwd $(pwd)"
echo "env $LAB_VAR"
echo "user $HOME $USER $LOGNAME"'

# A container that prints INFO, then "ready", and waits for the test.
info_spec() {
	write_spec <<-EOF
		hostname: joinbox
		workdir: /tmp
		$1
		env:
		  LAB_VAR: from the spec
		command:
		  - /bin/sh
		  - -c
		  - |
		$(printf '%s\n' "$INFO" | sed 's/^/    /')
		    echo ready
		    read x || true
	EOF
}

# The container's own INFO lines, from its output.
cmd_info() {
	sed '/^ready$/,$d' "$BG_OUT"
}

@test "state: --join sees what the container's command sees (root, changed capabilities, rlimits, memory limit)" {
	info_spec "$(printf '%s\n' 'capabilities: {drop: [CAP_CHOWN, CAP_FOWNER], add: [CAP_SYS_NICE]}' 'rlimits: {nofile: {soft: 300, hard: 400}, memlock: 65536}' 'resources: {memory: 64M}')"
	ctl_bg "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c "$INFO"
	assert_status 0
	assert_eq "the joined command's view (diff: container, join)" "$(cmd_info)" "$output"
	# Not trivially equal: the values are the spec's, not the host's.
	assert_line "host" "host joinbox" "$output"
	assert_line "cwd" "cwd /tmp" "$output"
	assert_line_match "capabilities" "^CapEff:[[:space:]]+00000000808405f2$" "$output"
	assert_line_match "no_new_privs" "^NoNewPrivs:[[:space:]]+1$" "$output"
	assert_line_match "seccomp" "^Seccomp:[[:space:]]+2$" "$output"
	assert_line_match "rlimit" "^Max open files +300 +400 " "$output"
	[[ $output != *"$(readlink /proc/self/ns/mnt)"* ]] || fail "the host's mount namespace"
	bg_wait
	assert_status 0
}

@test "state: --join of a container started with --set: the same values, and --join takes no --set" {
	info_spec ''
	ctl_bg --set hostname=setbox --set env.LAB_VAR=from-the-cli --set 'capabilities={drop: [CAP_KILL]}' "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c "$INFO"
	assert_status 0
	assert_eq "the joined command's view" "$(cmd_info)" "$output"
	assert_line "host" "host setbox" "$output"
	assert_line "env" "env from-the-cli" "$output"
	assert_line_match "capabilities" "^CapEff:[[:space:]]+00000000800405db$" "$output"
	run --separate-stderr ctl --join "$NAME" --set hostname=other -- /bin/true
	assert_status 125
	assert_eq "stderr" "ctlaunch: --join does not go with --set" "$stderr"
	bg_wait
}

@test "state: --join runs as the spec's user, with its groups and no capabilities" {
	info_spec 'user: lab'
	ctl_bg "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c "$INFO; id"
	assert_status 0
	assert_eq "the joined command's view" "$(cmd_info)" "$(sed '$d' <<<"$output")"
	assert_eq "id" "uid=1000(lab) gid=1000(lab) groups=1000(lab)" "$(tail -n 1 <<<"$output")"
	assert_line "HOME, USER, LOGNAME of the passwd entry" "user /home/lab lab lab" "$output"
	bg_wait
}

@test "state: --join: no descriptor of the host, exit status as for a run, /bin/sh by default" {
	info_spec ''
	ctl_bg "$SPEC"
	wait_for_line ready
	# A descriptor the caller leaves open must not reach the container
	# (runc's CVE-2016-9962).
	exec 7</etc/hostname
	run --separate-stderr ctl --join "$NAME" -- /bin/ls /proc/self/fd
	exec 7<&-
	assert_status 0
	# ls's own directory is 3.
	assert_eq "descriptors" "0 1 2 3" "$(echo $output)"
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c 'exit 7'
	assert_status 7
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c 'kill -TERM $$'
	assert_status 143
	run -127 --separate-stderr ctl --join "$NAME" -- /no/such/command
	assert_status 127
	run --separate-stderr ctl --join "$NAME" <<<'echo "shell $$ in $(hostname)"'
	assert_status 0
	# A child in the container's pid namespace: not pid 1, a small pid.
	assert_match "default shell" "^shell [0-9]+ in joinbox$" "$output"
	[ "$(awk '{ print $2 }' <<<"$output")" -lt 100 ] || fail "the joined shell's pid is the host's: $output"
	bg_wait
}

@test "state: --join: the container's umask, not the caller's" {
	write_spec <<-EOF
		command: [/bin/sh, -c, "umask; echo ready; read x || true"]
		mounts:
		  - {type: tmpfs, target: /scratch, size: 1M}
	EOF
	umask 022
	ctl_bg "$SPEC"
	wait_for_line ready
	umask 077
	run --separate-stderr ctl --join "$NAME" -- /bin/sh -c 'umask; cd /scratch && : > joined && ls -l joined'
	umask 022
	assert_status 0
	assert_eq "the container's command's umask" "0022" "$(head -n 1 "$BG_OUT")"
	assert_eq "the joined command's umask" "0022" "$(head -n 1 <<<"$output")"
	assert_match "a file it makes" "^-rw-r--r-- " "$(tail -n 1 <<<"$output")"
	bg_wait
}

@test "state: --plan --join: not dumpable and in the cgroups before the namespaces, the filter and the exec last" {
	info_spec ''
	ctl_bg "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --plan --join "$NAME"
	assert_status 0
	local dumpable setns fork seccomp exec
	dumpable=$(grep -n 'PR_SET_DUMPABLE 0' <<<"$output" | head -n 1 | cut -d: -f1)
	setns=$(grep -n 'setns through the pidfd' <<<"$output" | cut -d: -f1)
	fork=$(grep -n 'clone CLONE_PARENT' <<<"$output" | cut -d: -f1)
	seccomp=$(grep -n 'seccomp filter default' <<<"$output" | cut -d: -f1)
	exec=$(grep -n ' exec /bin/sh ' <<<"$output" | cut -d: -f1)
	[ -n "$dumpable" ] && [ -n "$setns" ] && [ -n "$fork" ] && [ -n "$seccomp" ] && [ -n "$exec" ] ||
		fail "steps missing from the join's plan:"$'\n'"$output"
	[ "$dumpable" -lt "$setns" ] && [ "$setns" -lt "$fork" ] && [ "$fork" -lt "$seccomp" ] &&
		[ "$seccomp" -lt "$exec" ] || fail "steps out of order:"$'\n'"$output"
	assert_line_match "cgroups first" "write 0 \(itself\) to $(cg_dir memory)/cgroup.procs$" "$output"
	assert_line_match "PID 1 by its start time" "pidfd_open $(container_init_pid "$(cg_dir memory)"), then check that its start time" "$output"
	bg_wait
}

@test "state: a joined process ends with the container" {
	info_spec ''
	ctl_bg "$SPEC"
	wait_for_line ready
	local join_out=$BATS_TEST_TMPDIR/join.out jpid i
	# Not with the writer of the container's stdin: its end is the
	# container's end.
	env CTLT_MARKER="$NAME" "$CTLAUNCH" --join "$NAME" -- /bin/sh -c 'echo joined; exec sleep 1000' \
		>"$join_out" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- {BG_W}>&- &
	jpid=$!
	for ((i = 0; i < POLL_SECS * 50; i++)); do
		grep -qx joined "$join_out" && break
		sleep 0.02
	done
	grep -qx joined "$join_out" || fail "the join did not start: $(cat "$join_out")"
	# The container's PID 1 ends: the kernel kills its pid namespace.
	bg_wait
	assert_status 0
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		is_running "$jpid" || break
		sleep 0.05
	done
	is_running "$jpid" && fail "the join outlived its container"
	local rc=0
	wait "$jpid" || rc=$?
	assert_eq "the joined command's status" 137 "$rc"
}

@test "state: --join and --stop refuse a name that is not running" {
	run --separate-stderr ctl --join "$NAME"
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: no container named $NAME is running (see ctlaunch --list)" "$stderr"
	run --separate-stderr ctl --stop "$NAME"
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: no container named $NAME is running (see ctlaunch --list)" "$stderr"
}

@test "state: --list and --list --json show the container, and nobody sees root's but may not join or stop it" {
	info_spec 'resources: {memory: 64M, cpus: 0.5, pids: 50}'
	ctl_bg "$SPEC"
	wait_for_line ready
	local pid
	pid=$(container_init_pid "$(cg_dir memory)")
	run --separate-stderr ctl --list
	assert_status 0
	assert_line_match "table" "^$NAME +$pid +[0-9]+s +0 +$SPEC +memory=64M cpus=0.5 pids=50$" "$output"
	assert_match "header" "^NAME +PID +UPTIME +OWNER +SPEC +LIMITS" "$output"
	run --separate-stderr ctl --list --json
	assert_status 0
	assert_contains "json" "{\"name\": \"$NAME\", \"pid\": $pid, \"uptime\": " "$output"
	assert_contains "json" "\"owner\": 0, \"spec\": \"$SPEC\", \"limits\": {\"memory\": \"64M\", \"cpus\": \"0.5\", \"pids\": \"50\"}, \"cgroups\": [" "$output"
	assert_contains "json" "\"$(cg_dir memory)\"" "$output"
	assert_eq "the record's mode" "644 0" "$(stat -c '%a %u' "$STATE_DIR/$NAME.state")"
	# Another user sees root's containers, and may not touch them.
	run --separate-stderr setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env -u XDG_RUNTIME_DIR "$CTLAUNCH" --list
	assert_status 0
	assert_line_match "a user's list" "^$NAME +$pid " "$output"
	run --separate-stderr setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env -u XDG_RUNTIME_DIR "$CTLAUNCH" --join "$NAME" -- /bin/true
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: uid 0's container: only its owner may join it" "$stderr"
	run --separate-stderr setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env -u XDG_RUNTIME_DIR "$CTLAUNCH" --stop "$NAME"
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: uid 0's container: only its owner, or root, may stop it" "$stderr"
	is_running "$pid" || fail "the container died"
	bg_wait
	assert_status 0
	[ ! -e "$STATE_DIR/$NAME.state" ] || fail "the record outlived the run"
}

@test "state: --stop: SIGTERM to PID 1, which handles it; the run cleans up and --stop returns after" {
	write_spec <<-'EOF'
		resources: {memory: 64M}
		command: ["/bin/sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done"]
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local start end
	start=$(date +%s%N)
	run --separate-stderr ctl --stop "$NAME"
	end=$(date +%s%N)
	assert_status 0
	assert_eq "stderr" "" "$stderr"
	[ $(((end - start) / 1000000)) -lt 5000 ] || fail "--stop took $(((end - start) / 1000000)) ms"
	# Returned only once the run was gone, its cleanup done.
	is_running "$BG_PID" && fail "ctlaunch still runs after --stop returned"
	[ ! -e "$(cg_dir memory)" ] || fail "the cgroup is still there after --stop returned"
	[ ! -e "$STATE_DIR/$NAME.state" ] || fail "the record is still there after --stop returned"
	bg_wait
	assert_status 3
	assert_line "stdout" "got TERM" "$output"
}

@test "state: --stop --timeout: a PID 1 that ignores SIGTERM is killed after the timeout; --signal" {
	write_spec <<-'EOF'
		command: ["/bin/sh", "-c", "trap '' TERM; trap 'echo got INT; exit 4' INT; echo ready; while :; do sleep 0.1; done"]
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local start end
	start=$(date +%s%N)
	run --separate-stderr ctl --stop "$NAME" --timeout 1
	end=$(date +%s%N)
	assert_status 0
	assert_eq "stderr" "ctlaunch: $NAME: still running 1 s after SIGTERM: killed with SIGKILL" "$stderr"
	[ $(((end - start) / 1000000)) -ge 1000 ] || fail "killed before the timeout"
	bg_wait
	assert_status 137

	ctl_bg "$SPEC"
	wait_for_line ready
	run --separate-stderr ctl --stop "$NAME" --signal INT --timeout 5
	assert_status 0
	assert_eq "stderr" "" "$stderr"
	bg_wait
	assert_status 4
	run --separate-stderr ctl --stop "$NAME" --signal NOPE
	assert_status 125
	assert_match "bad signal" "unknown signal 'NOPE'" "$stderr"
	run --separate-stderr ctl --stop "$NAME" --timeout -1
	assert_status 125
}

@test "state: a record left by a SIGKILLed run is not shown, and --list removes it" {
	info_spec 'resources: {memory: 64M}'
	ctl_bg "$SPEC"
	wait_for_line ready
	[ -f "$STATE_DIR/$NAME.state" ] || fail "no record"
	kill -KILL "$BG_PID"
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=
	bg_release
	wait_no_marked_procs >/dev/null || fail "the container outlived the SIGKILLed ctlaunch"
	[ -f "$STATE_DIR/$NAME.state" ] || fail "the killed run's record is gone already"
	run --separate-stderr ctl --list
	assert_status 0
	assert_no_line "the stale record" "^$NAME " "$output"
	[ ! -e "$STATE_DIR/$NAME.state" ] || fail "--list left the stale record"
	run --separate-stderr ctl --join "$NAME" -- /bin/true
	assert_status 125
	assert_match "not running" "no container named $NAME is running" "$stderr"
	# The next run of the name sweeps the killed run's cgroups.
	run --separate-stderr ctl "$SPEC" -- /bin/true
	assert_status 0
}

@test "state: a record another user could have written is ignored: a symbolic link, another owner, a forged pid" {
	info_spec ''
	ctl_bg "$SPEC"
	wait_for_line ready
	local real=$STATE_DIR/$NAME.state
	ln -s "$real" "$STATE_DIR/$NAME-link.state"
	sed "s/^name .*/name $NAME-other/" "$real" >"$STATE_DIR/$NAME-other.state"
	chown "$PLAIN_UID" "$STATE_DIR/$NAME-other.state"
	sed "s/^name .*/name $NAME-wide/" "$real" >"$STATE_DIR/$NAME-wide.state"
	chmod 666 "$STATE_DIR/$NAME-wide.state"
	# Root's own, but naming a process that is not the container (the
	# test's shell, with another start time): stale, and removed.
	sed -e "s/^name .*/name $NAME-forged/" -e "s/^pid .*/pid $$/" "$real" >"$STATE_DIR/$NAME-forged.state"
	run --separate-stderr ctl --list
	assert_status 0
	assert_line_match "the real one" "^$NAME " "$output"
	assert_no_line "no other" "^$NAME-" "$output"
	assert_line "link" "ctlaunch: warning: ignoring $STATE_DIR/$NAME-link.state: a symbolic link" "$stderr"
	assert_line "owner" "ctlaunch: warning: ignoring $STATE_DIR/$NAME-other.state: not a regular file of uid 0 with one link, writable by it alone" "$stderr"
	assert_line "mode" "ctlaunch: warning: ignoring $STATE_DIR/$NAME-wide.state: not a regular file of uid 0 with one link, writable by it alone" "$stderr"
	[ ! -e "$STATE_DIR/$NAME-forged.state" ] || fail "the forged record is still there"
	for n in link other wide; do
		run --separate-stderr ctl --join "$NAME-$n" -- /bin/true
		assert_status 125
		assert_match "join $n" "ignoring $STATE_DIR/$NAME-$n.state" "$stderr"
	done
	rm -f "$STATE_DIR/$NAME-link.state" "$STATE_DIR/$NAME-other.state" "$STATE_DIR/$NAME-wide.state"
	rm -f "$STATE_DIR/$NAME"-*.lock
	bg_wait
}

@test "state: --join refuses when the spec changed since the container started" {
	info_spec ''
	ctl_bg "$SPEC"
	wait_for_line ready
	echo "# changed" >>"$SPEC"
	run --separate-stderr ctl --join "$NAME" -- /bin/true
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: its spec $SPEC has changed since it started: a join planned from it would not run as the container's command does" "$stderr"
	bg_wait
}

# as UID ARGS...: ctlaunch as that user, with a runtime directory of
# its own.
as_user() {
	CTLT_MARKER=$NAME setpriv --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env XDG_RUNTIME_DIR="$USER_DIR/run" "$@"
}

@test "state: rootless: --list, --join (its user namespace too) and --stop of a user's own container" {
	USER_DIR=$(mktemp -d /tmp/ctlt-state.XXXXXX)
	chmod 755 "$USER_DIR"
	mkdir -m 700 "$USER_DIR/run"
	chown "$PLAIN_UID:$PLAIN_UID" "$USER_DIR/run"
	mkdir -p "$ROOT/build/rootless"
	sh "$ROOT/scripts/mkrootfs.sh" "$ROOT/build/rootless/rootfs" >/dev/null
	SPEC=$USER_DIR/$NAME.yaml
	ROOTFS=$ROOT/build/rootless/rootfs info_spec ''
	chmod 644 "$SPEC"
	local real=$CTLAUNCH
	CTLAUNCH=setpriv ctl_bg --reuid="$PLAIN_UID" --regid="$PLAIN_UID" --clear-groups \
		env XDG_RUNTIME_DIR="$USER_DIR/run" "$real" "$SPEC"
	wait_for_line ready
	CTLAUNCH=$real
	assert_eq "the record's owner and mode" "600 $PLAIN_UID" "$(stat -c '%a %u' "$USER_DIR/run/ctlaunch/$NAME.state")"
	run --separate-stderr as_user "$CTLAUNCH" --list
	assert_status 0
	assert_line_match "list" "^$NAME +[0-9]+ +[0-9]+s +$PLAIN_UID +$SPEC +-$" "$output"
	run --separate-stderr as_user "$CTLAUNCH" --join "$NAME" -- /bin/sh -c "$INFO"
	assert_status 0
	assert_eq "the joined command's view" "$(cmd_info)" "$output"
	assert_line_match "root inside" "^Uid:[[:space:]]+0[[:space:]]" "$output"
	# Root does not join a user's container.
	run --separate-stderr ctl --list
	assert_no_line "root's list: only /run/user/UID" "^$NAME " "$output"
	run --separate-stderr as_user "$CTLAUNCH" --stop "$NAME" --timeout 1
	assert_status 0
	bg_wait
	[ ! -e "$USER_DIR/run/ctlaunch/$NAME.state" ] || fail "the record outlived the run"
}

@test "state: --join -t: a shell on a terminal of its own from the container's devpts, Control-C, exit 4; -t needs a terminal" {
	local bin=$BATS_TEST_TMPDIR/ptydrive
	cc -O2 -Wall -Wextra -Werror -o "$bin" "$BATS_TEST_DIRNAME/ptydrive.c"
	write_spec <<-'EOF'
		hostname: ttybox
		env:
		  PS1: 'joined$ '
		command: [/bin/sh, -c, 'echo ready; read x || true']
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	run --separate-stderr "$bin" -t "$POLL_SECS" -s 24x80 -- \
		env CTLT_MARKER="$NAME" "$CTLAUNCH" -t --join "$NAME" -- /bin/sh -i <<<'expect joined$
send tty; hostname; echo /dev/pts/*\r
expect ttybox
send sleep 30\r
sleep 300
send \x03
expect joined$
send echo back after $?\r
expect back after 130
send exit 4\r
wait
termios'
	assert_status 0
	# A pty of the container's devpts (PID 1 has none: /dev/pts/0 is the join's).
	assert_line "tty" /dev/pts/0 "$output"
	assert_line "/dev/pts" "/dev/pts/0 /dev/pts/ptmx" "$output"
	assert_line "Control-C ends the sleep, not the shell" "back after 130" "$output"
	assert_line "status" "exit 4" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
	# Without a terminal on standard input: one line, nothing run.
	run --separate-stderr ctl -t --join "$NAME" -- /bin/true </dev/null
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: a terminal for the joined command (-t) needs one on standard input" "$stderr"
	bg_wait
	assert_status 0
}
