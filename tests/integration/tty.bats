#!/usr/bin/env bats
# A terminal of the container's own (tty: true, -t), driven as a person
# at a terminal would: ptydrive (ptydrive.c) runs ctlaunch on a new
# pseudo-terminal, types, and reads the screen. The container's shell
# gets a pty of its own devpts as its controlling terminal; keys,
# Control-C and Control-Z included, reach its line discipline; the
# caller's terminal comes back as it was, whichever way the run ends.
# Without -t the container keeps the caller's terminal, and cannot push
# input into it or leave its settings changed (ttyprobe.c tries).

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	cc -O2 -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/ptydrive" "$BATS_TEST_DIRNAME/ptydrive.c"
	cc -static -O2 -Wall -Wextra -Werror -o "$BATS_FILE_TMPDIR/bin/ttyprobe" \
		"$BATS_TEST_DIRNAME/ttyprobe.c"
}

# drive SCRIPT ARGS...: ctlaunch ARGS on a new 24x80 pty, following
# ptydrive's SCRIPT; the screen (and ptydrive's report: "exit N",
# "termios same") in $output.
drive() {
	local script=$1
	shift
	run --separate-stderr "$BATS_FILE_TMPDIR/ptydrive" -t "$POLL_SECS" -s 24x80 -- \
		env CTLT_MARKER="$NAME" "$CTLAUNCH" "$@" <<<"$script"
}

# An interactive shell with a prompt of its own.
shell_spec() {
	write_spec <<-EOF
		env:
		  PS1: 'lab\$ '
		mounts:
		  - {type: bind, source: $BATS_FILE_TMPDIR/bin, target: /opt/t, readonly: true}
		command: [/bin/sh, -i]
	EOF
}

@test "tty: a prompt; tty names a pts of the container's own; exit 3 gives 3; the terminal as before" {
	shell_spec
	drive 'expect lab$
send tty; echo /dev/pts/*; [ -t 0 ] && echo terminal-$((6*7))\r
expect terminal-42
send /opt/t/ttyprobe ctty pgrp; echo done-$((1+1))\r
expect done-2
send exit 3\r
wait
termios' -t "$SPEC"
	assert_status 0
	assert_line "tty" /dev/pts/0 "$output"
	# The container's devpts: its one terminal and ptmx, nothing of the host's.
	assert_line "/dev/pts" "/dev/pts/0 /dev/pts/ptmx" "$output"
	assert_line "controlling terminal" "ctty ok" "$output"
	assert_line "the foreground group" "pgrp ok" "$output"
	assert_line "status" "exit 3" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}

@test "tty: sleep 30 then Control-C returns to the prompt, and the container lives" {
	shell_spec
	drive 'expect lab$
send sleep 30\r
sleep 300
send \x03
expect lab$
send echo alive after $?\r
expect alive after 130
send exit\r
wait
termios' -t "$SPEC"
	assert_status 0
	assert_line "status" "exit 0" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}

@test "tty: Control-Z stops the job, fg brings it back" {
	shell_spec
	drive 'expect lab$
send sleep 30\r
sleep 300
send \x1a
expect Stopped
expect lab$
send jobs\r
expect sleep 30
send fg\r
expect sleep 30
sleep 200
send \x03
expect lab$
send exit 4\r
wait' -t "$SPEC"
	assert_status 0
	assert_line "status" "exit 4" "$output"
}

@test "tty: the window's size at the start and its changes reach the container (SIGWINCH)" {
	shell_spec
	drive "expect lab\$
send stty size\\r
expect 24 80
send sh -c \"trap 'echo got WINCH; stty size' WINCH; echo rea''dy; while :; do sleep 1 & wait; done\"\\r
expect ready
winsize 40 100
expect got WINCH
expect 40 100
send \\x03
expect lab\$
send exit\\r
wait" -t "$SPEC"
	assert_status 0
}

@test "tty: one Control-C ends a command that is not a shell (130), init by default" {
	write_spec <<-'EOF'
		tty: true
		command: [sleep, "30"]
	EOF
	drive 'sleep 500
send \x03
wait
termios' "$SPEC"
	assert_status 0
	assert_line "status" "exit 130" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}

@test "tty: a second interrupt says so, exits 137, and the terminal comes back" {
	write_spec <<-'EOF'
		command: trap 'echo got INT' INT; echo ready; while :; do sleep 1 & wait $!; done
	EOF
	drive 'expect ready
signal 2
expect got INT
signal 2
wait
termios' -t "$SPEC"
	assert_status 0
	assert_line "status" "exit 137" "$output"
	assert_line "message" "ctlaunch: $NAME: killed after a second interrupt" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}

# The host pid of the container's process whose pid inside is $1.
kill_in_container() {
	printf 'run for p in $(cat %s/cgroup.procs); do grep -qE "^NSpid:.*[[:space:]]%s$" /proc/$p/status && kill -KILL $p; done' \
		"$(cg_dir memory)" "$1"
}

@test "tty: SIGKILL of the command: 137, the terminal comes back (with init and without)" {
	local init
	for init in true false; do
		write_spec <<-EOF
			tty: true
			init: $init
			command: echo ready; exec sleep 30
		EOF
		# With init the command is pid 2, without pid 1.
		drive "expect ready
$(kill_in_container "$([ "$init" = true ] && echo 2 || echo 1)")
wait
termios" "$SPEC"
		assert_status 0
		assert_line "status (init: $init)" "exit 137" "$output"
		assert_line "the caller's terminal (init: $init)" "termios same" "$output"
	done
}

@test "tty: -t without a terminal on stdin: one line, 125" {
	write_spec <<-'EOF'
		command: [/bin/true]
	EOF
	run --separate-stderr ctl -t "$SPEC" </dev/null
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: a terminal for the container (-t) needs one on standard input" "$stderr"
	# The same from the spec.
	write_spec <<-'EOF'
		tty: true
		command: [/bin/true]
	EOF
	run --separate-stderr ctl "$SPEC" </dev/null
	assert_status 125
	assert_eq "stderr" "ctlaunch: $NAME: a terminal for the container (tty: true) needs one on standard input" "$stderr"
}

@test "tty: without -t the container cannot push input into the caller's terminal, nor leave it changed" {
	write_spec <<-EOF
		mounts:
		  - {type: bind, source: $BATS_FILE_TMPDIR/bin, target: /opt/t, readonly: true}
		command: /opt/t/ttyprobe ctty sti raw excl; echo probed; /opt/t/ttyprobe ldisc
	EOF
	drive 'expect probed
wait
termios' "$SPEC"
	assert_status 0
	# No controlling terminal (its own session): TIOCSTI is refused.
	assert_line "controlling terminal" "ctty: Inappropriate ioctl for device" "$output"
	assert_line "TIOCSTI" "sti: Operation not permitted" "$output"
	# What an inherited terminal allows, ctlaunch puts back at exit.
	assert_line "TCSETS" "raw ok" "$output"
	assert_line "TIOCEXCL" "excl ok" "$output"
	assert_line "status" "exit 0" "$output"
	# The settings, the line discipline (N_NULL: the line "ldisc ok"
	# never reaches the screen) and the exclusive mode, all as before.
	assert_line "the caller's terminal" "termios same" "$output"
}

@test "tty: examples/shell.yaml, driven as a student would" {
	drive 'expect lab$
send echo host=$(hostname); tty\r
expect /dev/pts/0
send sleep 30\r
sleep 300
send \x03
expect lab$
send exit 0\r
wait
termios' --name "$NAME" "$ROOT/examples/shell.yaml"
	assert_status 0
	assert_line "hostname" host=lab "$output"
	assert_line "status" "exit 0" "$output"
	assert_line "the caller's terminal" "termios same" "$output"
}
