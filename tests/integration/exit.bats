#!/usr/bin/env bats
# ctlaunch's exit status is the container's; signals to ctlaunch reach
# the container's PID 1; -- COMMAND and --name override the spec.

load helpers

@test "exit: 0 when the command succeeds" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "stderr" "" "$stderr"
}

@test "exit: the command's status (exit 7)" {
	write_spec <<-'EOF'
		command: exit 7
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 7
}

@test "exit: 126 when the command is not executable (a plain file)" {
	write_spec <<-'EOF'
		command: ["/etc/passwd"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 126
	assert_match "stderr" '/etc/passwd' "$stderr"
}

@test "exit: 126 when the command is a directory" {
	write_spec <<-'EOF'
		command: ["/tmp"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 126
}

@test "exit: 127 when the command is not found (a path)" {
	write_spec <<-'EOF'
		command: ["/nope"]
	EOF
	run -127 --separate-stderr ctl "$SPEC"
	assert_status 127
	assert_match "stderr" 'nope' "$stderr"
}

@test "exit: 127 when the command is not found in the container's PATH" {
	# bats is on the host's PATH, never in the rootfs.
	write_spec <<-'EOF'
		command: ["bats"]
	EOF
	run -127 --separate-stderr ctl "$SPEC"
	assert_status 127
}

@test "exit: 137 when the container's PID 1 is SIGKILLed from the host; no OOM message" {
	write_spec <<-'EOF'
		resources:
		  memory: 64M
		command: echo ready; read x; echo not killed
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local pid
	pid=$(container_init_pid "$(cg_dir memory)")
	kill -KILL "$pid"
	bg_wait
	assert_status 137
	assert_no_line "stdout" 'not killed' "$output"
	assert_no_line "stderr" 'OOM' "$stderr"
}

@test "signals: SIGTERM to ctlaunch reaches PID 1 (it traps TERM and exits 42)" {
	write_spec <<-'EOF'
		command: |
		  trap 'echo got TERM; exit 42' TERM
		  echo ready
		  while :; do sleep 1 & wait $!; done
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	kill -TERM "$BG_PID"
	bg_wait
	assert_status 42
	assert_line "stdout" "got TERM" "$output"
}

@test "signals: HUP, USR1, USR2, WINCH and QUIT reach PID 1" {
	write_spec <<-'EOF'
		command: |
		  for s in HUP USR1 USR2 WINCH QUIT; do trap "echo got $s" $s; done
		  trap 'echo got TERM; exit 3' TERM
		  echo ready
		  while :; do sleep 1 & wait $!; done
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	local s
	for s in HUP USR1 USR2 WINCH QUIT; do
		kill -"$s" "$BG_PID"
		wait_for_line "got $s"
	done
	kill -TERM "$BG_PID"
	bg_wait
	assert_status 3
}

@test "signals: a second SIGINT kills a container that survives the first: 137" {
	write_spec <<-'EOF'
		command: |
		  trap 'echo got INT' INT
		  echo ready
		  while :; do sleep 1 & wait $!; done
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	kill -INT "$BG_PID"
	# The first one is forwarded, and the container lives on.
	wait_for_line "got INT"
	is_running "$BG_PID" || fail "ctlaunch ended on the first SIGINT"
	kill -INT "$BG_PID"
	bg_wait
	assert_status 137
	# One line says why, and nothing else.
	assert_eq "stderr" "ctlaunch: $NAME: killed after a second interrupt" "$stderr"
}

@test "signals: a second SIGTERM kills a container that ignores TERM: 137" {
	write_spec <<-'EOF'
		command: |
		  trap '' TERM
		  echo ready
		  while :; do sleep 1 & wait $!; done
	EOF
	ctl_bg "$SPEC"
	wait_for_line ready
	kill -TERM "$BG_PID"
	# Two signals of a kind pending at once are one: let ctlaunch take
	# the first before the second comes.
	wait_not_pending "$BG_PID" 15
	is_running "$BG_PID" || fail "ctlaunch ended on the first SIGTERM"
	kill -TERM "$BG_PID"
	bg_wait
	assert_status 137
	assert_eq "stderr" "ctlaunch: $NAME: killed after a second interrupt" "$stderr"
}

@test "cli: -- COMMAND overrides the spec's command" {
	write_spec <<-'EOF'
		command: echo from the spec
	EOF
	run --separate-stderr ctl "$SPEC" -- /bin/echo from the command line
	assert_status 0
	assert_eq "output" "from the command line" "$output"
}

@test "cli: -- COMMAND runs without a command in the spec, and exec-style" {
	write_spec <<-'EOF'
		hostname: h1
	EOF
	run --separate-stderr ctl "$SPEC" -- sh -c 'echo "$$ $(hostname)"; exit 5'
	assert_status 5
	assert_eq "output" "1 h1" "$output"
}

@test "cli: --name overrides the name: hostname and cgroup" {
	write_spec <<-'EOF'
		name: from-the-spec
		resources:
		  memory: 32M
		command: hostname; echo ready; read x; echo done
	EOF
	local other=$NAME-other mem
	mem=$(cg_dir memory "$other")
	ctl_bg --name "$other" "$SPEC"
	wait_for_line ready
	[ -d "$mem" ] || fail "no cgroup $mem while it runs"
	[ ! -e "$(cg_dir memory from-the-spec)" ] || fail "a cgroup was made under the spec's name"
	# Fails unless the container's PID 1 is in that cgroup.
	container_init_pid "$mem" >/dev/null
	bg_wait
	assert_status 0
	assert_eq "output" "$other"$'\n'ready$'\n'done "$output"
}

@test "signals: Control-C ends a launch that waits for the cgroup lock: 130, nothing made" {
	write_spec <<-'EOF'
		resources:
		  memory: 32M
		command: echo started
	EOF
	# Only root may open the lock (an ordinary user could stall every
	# launch otherwise), whoever made the file; here root holds it, as
	# a slow launch would.
	touch /run/ctlaunch.lock
	chmod 644 /run/ctlaunch.lock
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "the lock's mode and owner" 600:root "$(stat -c %a:%U /run/ctlaunch.lock)"
	flock /run/ctlaunch.lock sleep 20 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	local holder=$!
	sleep 0.3
	is_running "$holder" || fail "the lock holder ended"
	ctl_bg "$SPEC"
	sleep 0.5
	is_running "$BG_PID" || fail "ctlaunch did not wait for the lock: $(cat "$BG_ERR")"
	kill -INT "$BG_PID"
	bg_wait
	# It ended while the lock was still held: no second wait at exit.
	local held=yes
	is_running "$holder" || held=no
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	assert_eq "the holder still held the lock when ctlaunch ended" yes "$held"
	assert_status 130
	assert_contains "stderr" "interrupted while waiting for /run/ctlaunch.lock" "$stderr"
	assert_no_line "stdout" started "$output"
}

@test "lock: a FIFO in place of /run/ctlaunch.lock is refused at once, not waited on" {
	write_spec <<-'EOF2'
		resources:
		  memory: 32M
		command: echo started
	EOF2
	local saved=
	if [ -e /run/ctlaunch.lock ]; then
		saved=/run/ctlaunch.lock.ctlt-$$
		mv /run/ctlaunch.lock "$saved"
	fi
	mkfifo -m 600 /run/ctlaunch.lock
	run --separate-stderr timeout -k 2 10 env CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC"
	rm -f /run/ctlaunch.lock
	[ -z "$saved" ] || mv "$saved" /run/ctlaunch.lock
	assert_status 125
	assert_contains "stderr" "the lock /run/ctlaunch.lock is not a regular file" "$stderr"
	assert_no_line "stdout" started "$output"
}

@test "signals: a SIGINT the caller ignores (nohup, a script's &) stays ignored: not forwarded, no stop" {
	write_spec <<-'EOF'
		command: |
		  trap 'echo got INT' INT
		  echo ready
		  read x
		  echo done
	EOF
	BG_IN=$BATS_TEST_TMPDIR/in BG_OUT=$BATS_TEST_TMPDIR/out BG_ERR=$BATS_TEST_TMPDIR/err
	mkfifo "$BG_IN"
	env --ignore-signal=INT CTLT_MARKER="$NAME" "$CTLAUNCH" "$SPEC" \
		<"$BG_IN" >"$BG_OUT" 2>"$BG_ERR" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	BG_PID=$!
	exec {BG_W}<>"$BG_IN"
	wait_for_line ready
	kill -INT "$BG_PID"
	kill -INT "$BG_PID"
	sleep 0.3
	bg_wait
	assert_status 0
	assert_line "stdout" done "$output"
	assert_no_line "stdout" "got INT" "$output"
}
