#!/usr/bin/env bats
# The bash completion (completions/ctlaunch), sourced after
# bash-completion itself, asked what a user's Tab would ask: COMPREPLY
# for a few command lines; and make install's place for it.

load helpers

COMPLETION=${COMPLETION:-/usr/share/bash-completion/bash_completion}

# complete LINE: the completions of LINE (its last word, "" after a
# space), one a line, sorted, in a bash of their own.
complete_line() {
	bash -c '
		source "$1" && source "$2" || exit 9
		COMP_LINE=$3
		COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<<"$COMP_LINE"
		[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ctlaunch "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' complete "$COMPLETION" "$ROOT/completions/ctlaunch" "$1"
}

setup_file() {
	[ -f "${COMPLETION:-/usr/share/bash-completion/bash_completion}" ] ||
		skip "no bash-completion (scripts/deps.sh installs it)"
}

@test "completion: options from --help, signals, no option after a value's flag" {
	run complete_line "$CTLAUNCH --exp"
	assert_eq "--exp" $'--export-image\n--export-oci' "$output"
	run complete_line "$CTLAUNCH --export-i"
	assert_eq "--export-i" "--export-image" "$output"
	run complete_line "$CTLAUNCH --s"
	assert_eq "--s" $'--set\n--signal\n--stats\n--stats-file\n--stop' "$output"
	run complete_line "$CTLAUNCH --stop x --signal KI"
	assert_eq "--signal KI" "KILL" "$output"
	run complete_line "$CTLAUNCH --signal SIGUS"
	assert_eq "--signal SIGUS" $'USR1\nUSR2' "$output"
	run complete_line "$CTLAUNCH --name "
	assert_eq "--name" "" "$output"
	# The hidden --host-facts is not offered.
	run complete_line "$CTLAUNCH --h"
	assert_eq "--h" "--help" "$output"
}

@test "completion: spec files, directories after --export-image, a command after --" {
	mkdir -p "$BATS_TEST_TMPDIR/w/sub"
	touch "$BATS_TEST_TMPDIR/w/lab.yaml" "$BATS_TEST_TMPDIR/w/lab.yml" "$BATS_TEST_TMPDIR/w/notes.txt"
	cd "$BATS_TEST_TMPDIR/w"
	run complete_line "$CTLAUNCH --plan "
	assert_eq "specs" $'lab.yaml\nlab.yml\nsub' "$output"
	run complete_line "$CTLAUNCH --export-image "
	assert_eq "directories" "sub" "$output"
	run complete_line "$CTLAUNCH lab.yaml -- busybo"
	assert_line "a command" busybox "$output"
	run complete_line "$CTLAUNCH lab.yaml -- ls --al"
	assert_line "the command's own options" --all "$output"
}

@test "completion: --join and --stop offer the running containers' names" {
	write_spec <<-'EOF2'
		command: [/bin/sh, -c, "echo started; read x; exit 0"]
	EOF2
	ctl_bg "$SPEC"
	wait_for_line started
	run complete_line "$CTLAUNCH --stop ${NAME%-*}"
	assert_line "--stop" "$NAME" "$output"
	run complete_line "$CTLAUNCH -t --join "
	assert_line "--join" "$NAME" "$output"
	run ctl --list -q
	assert_line "--list -q" "$NAME" "$output"
	run --separate-stderr ctl --stop "$NAME" -q
	assert_status 125
	assert_eq "-q without --list" "ctlaunch: -q goes with --list" "$stderr"
	bg_wait
	assert_status 0
	run complete_line "$CTLAUNCH --stop $NAME"
	assert_eq "after the run" "" "$output"
}

@test "completion: make install puts it in bash-completion's directory, under DESTDIR and PREFIX" {
	local d=$BATS_TEST_TMPDIR/dest
	run make -C "$ROOT" --no-print-directory B="$CT_BUILD" DESTDIR="$d" PREFIX=/usr install
	assert_status 0
	cmp "$ROOT/completions/ctlaunch" "$d/usr/share/bash-completion/completions/ctlaunch"
	run make -C "$ROOT" --no-print-directory B="$CT_BUILD" DESTDIR="$d" PREFIX=/opt/ct install
	assert_status 0
	[ -f "$d/opt/ct/share/bash-completion/completions/ctlaunch" ] || fail "not under PREFIX /opt/ct"
	run make -C "$ROOT" --no-print-directory B="$CT_BUILD" DESTDIR="$d" PREFIX=/usr uninstall
	assert_status 0
	[ ! -e "$d/usr/share/bash-completion/completions/ctlaunch" ] || fail "uninstall left it"
}
