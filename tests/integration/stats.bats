#!/usr/bin/env bats
# --stats: what a run used, read from its cgroups at exit (cgroup v1
# here; tests/vm/tests.sh checks the v2 fields). Each test makes the
# kernel count something real and checks that the number shows.

load helpers

# jget FILE KEY: the value of KEY in the JSON object in FILE ("null" for
# null), python3's json module reading it strictly.
jget() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))[sys.argv[2]]
print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$1" "$2"
}

setup_file() {
	command -v python3 >/dev/null || skip "no python3 (scripts/deps.sh's group json)"
}

# A shell loop that burns about N/1000 s of CPU at this machine's speed.
burn() {
	printf 'i=0; while [ $i -lt %s ]; do i=$((i+1)); done' "$1"
}

@test "stats: a CPU burner's user time, the wall time, the exit status; no throttling without a quota" {
	write_spec <<-EOF
		command: ["/bin/sh", "-c", "$(burn 200000); exit 3"]
	EOF
	local f=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr ctl --stats=json --stats-file "$f" "$SPEC"
	assert_status 3
	[ -z "$stderr" ] || fail "stderr with --stats-file: $stderr"
	python3 "$ROOT/tests/json/validate.py" "$ROOT/man/ctlaunch-json.schema.json" stats "$f" ||
		fail "not the schema's: $(cat "$f")"
	assert_eq "cgroup" v1 "$(jget "$f" cgroup)"
	assert_eq "exit_status" 3 "$(jget "$f" exit_status)"
	local user sys wall
	user=$(jget "$f" cpu_user_us) sys=$(jget "$f" cpu_system_us) wall=$(jget "$f" wall_us)
	# The loop is CPU work in user mode, one process: its time is the
	# container's cpuacct count, and within the wall time.
	[ "$user" -ge 50000 ] || fail "cpu_user_us $user for a busy loop: $(cat "$f")"
	[ "$user" -gt "$sys" ] || fail "more system than user time: $(cat "$f")"
	[ "$wall" -ge "$user" ] || fail "wall $wall < user $user: $(cat "$f")"
	assert_eq "cpu_quota" false "$(jget "$f" cpu_quota)"
	assert_eq "cpu_periods" null "$(jget "$f" cpu_periods)"
	[ "$(stat -c %a "$f")" = 600 ] || fail "--stats-file mode $(stat -c %a "$f")"
}

@test "stats: the text block on stderr, after what the run said; the memory peak of a 32 MiB buffer against its limit" {
	write_spec <<-'EOF'
		resources:
		  memory: 128M
		command: ["/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=32M", "count=1"]
	EOF
	run --separate-stderr ctl --stats "$SPEC"
	assert_status 0
	assert_line "stderr" "ctlaunch: $NAME: stats (cgroup v1):" "$stderr"
	assert_line_match "stderr" '^  wall time      [0-9]+\.[0-9]{3} s$' "$stderr"
	assert_line_match "stderr" '^  cpu time       [0-9]+\.[0-9]{3} s user, [0-9]+\.[0-9]{3} s system$' "$stderr"
	assert_line "stderr" "  oom kills      0" "$stderr"
	assert_line "stderr" "  exit status    0" "$stderr"
	assert_no_line "stderr" 'throttled' "$stderr"
	# dd reads /dev/zero into one 32 MiB buffer: every page of it is
	# touched and charged; the rest (busybox, page tables) is small.
	local peak
	peak=$(sed -n 's/^  memory peak    .* (\([0-9]*\) bytes) of 128.0 MiB limit$/\1/p' <<<"$stderr")
	[ -n "$peak" ] || fail "no peak against the limit in: $stderr"
	[ "$peak" -ge $((32 << 20)) ] && [ "$peak" -lt $((40 << 20)) ] ||
		fail "memory peak $peak for a 32 MiB buffer"
	# The block is the last thing said.
	assert_eq "last line" "  exit status    0" "$(tail -n 1 <<<"$stderr")"
}

@test "stats: a cpus quota counts its throttled periods and time" {
	write_spec <<-EOF
		resources:
		  cpus: 0.2
		command: ["/bin/sh", "-c", "$(burn 150000)"]
	EOF
	local f=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr ctl --stats=json --stats-file "$f" "$SPEC"
	assert_status 0
	assert_eq "cpu_quota" true "$(jget "$f" cpu_quota)"
	local periods thr us
	periods=$(jget "$f" cpu_periods) thr=$(jget "$f" cpu_throttled_periods) us=$(jget "$f" cpu_throttled_us)
	# 20 ms in each 100 ms period: a loop that wants the whole CPU is
	# throttled in most of them.
	[ "$periods" -ge 2 ] && [ "$thr" -ge 1 ] && [ "$thr" -le "$periods" ] && [ "$us" -gt 0 ] ||
		fail "throttling not counted: $(cat "$f")"
	run --separate-stderr ctl --stats "$SPEC"
	assert_line_match "stderr" '^  cpu throttled  [0-9]+ of [0-9]+ periods, [0-9]+\.[0-9]{3} s$' "$stderr"
}

@test "stats: the OOM killer's kill is counted, at the limit" {
	write_spec <<-'EOF'
		resources:
		  memory: 16M
		command: ["/bin/tail", "/dev/zero"]
	EOF
	local f=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr ctl --stats=json --stats-file "$f" "$SPEC"
	assert_status 137
	assert_line "stderr" "ctlaunch: $NAME: killed by the OOM killer (memory limit 16M)" "$stderr"
	[ "$(jget "$f" oom_kills)" -ge 1 ] || fail "no OOM kill counted: $(cat "$f")"
	assert_eq "memory_limit_bytes" $((16 << 20)) "$(jget "$f" memory_limit_bytes)"
	[ "$(jget "$f" memory_peak_bytes)" -ge $((15 << 20)) ] || fail "peak below the limit: $(cat "$f")"
	assert_eq "exit_status" 137 "$(jget "$f" exit_status)"
}

@test "stats: the highest number of tasks, where the kernel counts it (pids.peak)" {
	write_spec <<-'EOF'
		command: ["/bin/sh", "-c", "sleep 0.3 & sleep 0.3 & sleep 0.3 & wait"]
	EOF
	local f=$BATS_TEST_TMPDIR/stats.json
	run --separate-stderr ctl --stats=json --stats-file "$f" "$SPEC"
	assert_status 0
	assert_eq "tasks_limit" 2048 "$(jget "$f" tasks_limit)"
	local peak
	peak=$(jget "$f" tasks_peak)
	if [ "$peak" = null ]; then
		# Older kernels have no pids.peak.
		[ ! -e "$(cg_mount pids)/pids.peak" ] || fail "pids.peak there, tasks_peak null"
		skip "this kernel has no pids.peak"
	fi
	# The shell and its three sleeps.
	[ "$peak" -ge 4 ] && [ "$peak" -le 8 ] || fail "tasks_peak $peak for 4 tasks: $(cat "$f")"
}

@test "stats: --stats-file never follows a link, and fails before the run" {
	write_spec <<-'EOF'
		command: ["/bin/sh", "-c", "echo ran"]
	EOF
	local target=$BATS_TEST_TMPDIR/target link=$BATS_TEST_TMPDIR/link
	echo keep >"$target"
	ln -s "$target" "$link"
	run --separate-stderr ctl --stats-file "$link" "$SPEC"
	assert_status 125
	assert_eq "stdout" "" "$output"
	assert_match "stderr" "^ctlaunch: --stats-file: cannot write $link: " "$stderr"
	assert_eq "target" keep "$(cat "$target")"
	run --separate-stderr ctl --stats-file "$BATS_TEST_TMPDIR/no/such/dir" "$SPEC"
	assert_status 125
	assert_eq "stdout" "" "$output"
}

@test "stats: nothing without --stats; --stats goes with a run (its --plan, its --check), --format with --plan or --check" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	run --separate-stderr ctl "$SPEC"
	assert_status 0
	assert_eq "stderr" "" "$stderr"
	run --separate-stderr ctl --plan "$SPEC"
	assert_no_line "plan" '--stats' "$output"
	run --separate-stderr ctl --plan --stats "$SPEC"
	assert_status 0
	assert_line_match "plan" "^ +[0-9]+ parent note the time, for --stats' wall time$" "$output"
	assert_line_match "plan" "^at exit read --stats' counters" "$output"
	# --check takes it as the run would, and writes no file.
	run --separate-stderr ctl --check --stats-file "$BATS_TEST_TMPDIR/never" "$SPEC"
	assert_status 0
	[ ! -e "$BATS_TEST_TMPDIR/never" ] || fail "--check wrote the --stats-file"
	run --separate-stderr ctl --join "$NAME" --stats
	assert_status 125
	assert_eq "stderr" "ctlaunch: --stats goes with a run (or its --plan or --check)" "$stderr"
	run --separate-stderr ctl --format=json "$SPEC"
	assert_status 125
	assert_eq "stderr" "ctlaunch: --format goes with --plan or --check" "$stderr"
	run --separate-stderr ctl --stats=yaml "$SPEC"
	assert_status 125
	assert_eq "stderr" "ctlaunch: --stats: unknown format 'yaml' (expected text or json)" "$stderr"
}

@test "json: --check --format=json on this host: ok, and a problem with its place" {
	write_spec <<-'EOF'
		command: ["/bin/true"]
	EOF
	run --separate-stderr ctl --check --format=json "$SPEC"
	assert_status 0
	python3 "$ROOT/tests/json/validate.py" "$ROOT/man/ctlaunch-json.schema.json" check - <<<"$output" ||
		fail "not the schema's: $output"
	assert_contains "ok" '"status": "ok", "exit_status": 0, "problems": []' "$output"
	run --separate-stderr ctl --check --format=json --set workdir=tmp "$SPEC"
	assert_status 125
	python3 "$ROOT/tests/json/validate.py" "$ROOT/man/ctlaunch-json.schema.json" check - <<<"$output" ||
		fail "not the schema's: $output"
	assert_contains "problem" '"set": "workdir=tmp", "key": "workdir", "message": "'"'tmp'"' is not an absolute path' "$output"
	run --separate-stderr ctl --plan --format=json "$SPEC"
	assert_status 0
	python3 "$ROOT/tests/json/validate.py" "$ROOT/man/ctlaunch-json.schema.json" plan - <<<"$output" ||
		fail "not the schema's: $output"
}

@test "examples: cpu-shares beside itself with --stats: the share of 1024 gets about four times the CPU time of 256" {
	local lo=$BATS_TEST_TMPDIR/low.json hi=$BATS_TEST_TMPDIR/high.json
	# As the README runs them: one spec, two names, two shares, both
	# pinned to CPU 0 for 3 s.
	CTLT_MARKER=$NAME "$CTLAUNCH" --name "$NAME-low" --stats=json --stats-file "$lo" \
		"$ROOT/examples/cpu-shares.yaml" >/dev/null 2>&1 3>&- &
	BG_PID=$!
	run --separate-stderr ctl --name "$NAME-high" --set resources.cpu_shares=1024 --stats=json \
		--stats-file "$hi" "$ROOT/examples/cpu-shares.yaml"
	assert_status 0
	wait "$BG_PID" || fail "the low one: exit $?"
	BG_PID=
	local l h
	l=$(jget "$lo" cpu_user_us) h=$(jget "$hi" cpu_user_us)
	[ "$l" -gt 0 ] || fail "low: no CPU time: $(cat "$lo")"
	# 4:1 by the weights; the starts are a few ms apart and the machine
	# has other work on CPU 0, so a band around it.
	[ $((h * 10 / l)) -ge 25 ] && [ $((h * 10 / l)) -le 60 ] ||
		fail "high $h us, low $l us: not about 4:1"
}

@test "examples: memory-oom with --stats: the peak at its 16 MiB limit, one OOM kill" {
	run --separate-stderr ctl --stats "$ROOT/examples/memory-oom.yaml"
	assert_status 137
	assert_line "peak" "  memory peak    16.0 MiB (16777216 bytes) of 16.0 MiB limit" "$stderr"
	assert_line "oom" "  oom kills      1" "$stderr"
}
