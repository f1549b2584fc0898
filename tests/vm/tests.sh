#!/bin/sh
# tests/vm/tests.sh: the tests that need a cgroup v2 host. Runs inside the
# test VM (tests/vm/init, started by tests/vm/run.sh) as root, with
# busybox only: cgroup2 is the only cgroup hierarchy, at /sys/fs/cgroup.
#
# Prints TAP on stdout: "ok N - ..." or "not ok N - ...", with "# " lines
# under a failure saying why, and the plan "1..N" last, so that nobody
# counts tests by hand (run.sh puts the plan first for its reader). Exits
# 1 if a test failed. stderr goes to the VM's console, which run.sh shows
# only when something went wrong.
#
# A test is a shell function, run in a subshell with `set -e`: the first
# command or assertion that fails ends it, and whatever it printed becomes
# the "# " lines. Register it with
#     t 'what it shows' function [args]
# or, for what ctlaunch does not do yet (TAP's TODO: expected to fail),
#     todo 'reason' 'what it shows' function [args]
# Helpers: spec (write a spec), run (run a command, keep its status and
# output), expect_* (assertions), snapshot (the host state a run must
# leave as it found it), in_cgroup (run a command from a given cgroup).
set -u

CTLAUNCH=/vm/ctlaunch
ROOTFS=/vm/rootfs
RUNAS=/vm/runas
CGNS=/vm/cgns
CG=/sys/fs/cgroup

T=$(mktemp -d /tmp/vmtests.XXXXXX) || exit 1
CG_MODE=$(ls -ld "$CG" | cut -c1-10)
n=0
failed=0

# tree_state DIR: names, types, modes, owners, sizes and file hashes.
tree_state() {
	(cd "$1" && ls -lnAR . && find . -type f | sort | xargs sha256sum)
}

# --- the harness ------------------------------------------------------

# _test DIRECTIVE DESC CMD...: runs one test, prints its TAP line. The
# subshell keeps a test's variables, cd and exit from the next test. Not
# in an `if`: there, set -e would be off inside the test.
_test() {
	directive=$1 desc=$2
	shift 2
	n=$((n + 1))
	(
		set -e
		"$@"
	) >"$T/log" 2>&1 </dev/null
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $desc$directive"
	else
		echo "not ok $n - $desc$directive"
		[ -n "$directive" ] || failed=$((failed + 1))
		sed 's/^/# /' "$T/log"
		[ -s "$T/log" ] || echo "# (exit status $rc, no output)"
	fi
}

t() { _test '' "$@"; }

todo() {
	reason=$1
	shift
	_test " # TODO $reason" "$@"
}

fail() {
	printf '%s\n' "$@"
	return 1
}

# spec NAME: the spec $T/NAME.yaml from stdin, with `rootfs:` first. The
# container's name is then NAME (the file's name). Quote the here-doc's
# word (<<'EOF') so that $ in commands is the container's.
spec() {
	{
		echo "rootfs: $ROOTFS"
		cat
	} >"$T/$1.yaml"
}

# run CMD...: runs CMD; its exit status in $status, its output in $out
# and $err (without the last newlines, as with $(...)).
run() {
	status=0
	"$@" >"$T/out" 2>"$T/err" || status=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# After `run`.
expect_status() {
	[ "$status" -eq "$1" ] ||
		fail "exit status: want $1, got $status" "stdout: $out" "stderr: $err"
}

expect_out() {
	[ "$out" = "$1" ] || fail "stdout: want:" "$1" "got:" "$out" "stderr: $err"
}

expect_err_contains() {
	case $err in
	*"$1"*) ;;
	*) fail "stderr: want '$1' in:" "$err" ;;
	esac
}

# expect_eq WHAT WANT GOT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: want '$2', got '$3'"
}

# expect_same WHAT FILE1 FILE2: the files are equal, else their diff.
expect_same() {
	diff -u "$2" "$3" >"$T/diff" 2>&1 || fail "$1 changed:" "$(cat "$T/diff")"
}

# snapshot PREFIX: the state a run must leave as it found it: the mount
# table, the cgroup tree, and which processes are in a PID namespace
# other than ours (a container's). The shared ctlaunch/ level is not
# counted: a run makes it when it is missing and leaves it in place
# (ctlaunch(1), FILES); every cgroup below it is.
snapshot() {
	cat /proc/self/mountinfo >"$1.mounts"
	find "$CG" -type d ! -path '*/ctlaunch' | sort >"$1.cgroups"
	foreign_procs >"$1.procs"
}

foreign_procs() {
	ours=$(readlink /proc/self/ns/pid)
	for p in /proc/[0-9]*; do
		ns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
		[ "$ns" = "$ours" ] || echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
	done
}

# expect_unchanged PREFIX: the state is again that of `snapshot PREFIX`.
# A container's last processes may take a moment to be reaped: retry.
expect_unchanged() {
	i=0
	while :; do
		snapshot "$1.now"
		if cmp -s "$1.mounts" "$1.now.mounts" && cmp -s "$1.cgroups" "$1.now.cgroups" &&
			cmp -s "$1.procs" "$1.now.procs"; then
			return 0
		fi
		i=$((i + 1))
		[ "$i" -lt 20 ] || break
		sleep 0.1
	done
	# Say everything that changed, not only the first.
	bad=0
	expect_same "the mount table" "$1.mounts" "$1.now.mounts" || bad=1
	expect_same "the cgroup tree" "$1.cgroups" "$1.now.cgroups" || bad=1
	expect_same "the processes in other PID namespaces" "$1.procs" "$1.now.procs" || bad=1
	return "$bad"
}

# in_cgroup PATH CMD...: runs CMD in the cgroup $CG/PATH (made if
# needed), as a process started from a systemd unit or session would be.
in_cgroup() {
	dir=$CG/$1
	shift
	mkdir -p "$dir"
	# shellcheck disable=SC2016 # $$ is that of the new shell
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$@"
}

# expect_bare DIR: the cgroup DIR hands nothing down and has no cgroup
# below it: as it was before ctlaunch ran there.
expect_bare() {
	expect_eq "$1 hands down" "" "$(cat "$1/cgroup.subtree_control")"
	bare_left=$(find "$1" -mindepth 1 -type d)
	[ -z "$bare_left" ] || fail "left in $1:" "$bare_left"
}

# --- the VM is what the tests need ------------------------------------

vm_is_v2_only() {
	# Busybox's stat has no name for cgroup2fs: its magic number.
	expect_eq "file system magic of $CG (CGROUP2_SUPER_MAGIC)" 63677270 "$(stat -fc %t "$CG")"
	expect_eq "type of the mount on $CG" cgroup2 "$(awk -v d="$CG" '$2 == d { t = $3 } END { print t }' /proc/mounts)"
	v1=$(awk '$3 == "cgroup"' /proc/mounts)
	[ -z "$v1" ] || fail "cgroup v1 mounts:" "$v1"
	expect_eq "/proc/self/cgroup" "0::/" "$(cat /proc/self/cgroup)"
}
t 'the VM has cgroup v2 only, on /sys/fs/cgroup' vm_is_v2_only

vm_has_controllers() {
	have=" $(cat "$CG/cgroup.subtree_control") "
	for c in cpu cpuset memory pids; do
		case $have in
		*" $c "*) ;;
		*) fail "controller $c not enabled in $CG/cgroup.subtree_control:$have" ;;
		esac
	done
}
t 'the root cgroup hands cpu, cpuset, memory and pids to its children' vm_has_controllers

vm_runas() {
	# shellcheck disable=SC2016 # expanded by the shell that runas starts
	run "$RUNAS" lab sh -c 'echo "$(id -u) $(id -g) $(id -G) $HOME"'
	expect_status 0
	expect_out "1000 1000 1000 /home/lab"
}
t 'runas lab runs a command as uid 1000 (for the rootless tests)' vm_runas

vm_userns() {
	run "$RUNAS" lab unshare -r id -u
	expect_status 0
	expect_out 0
}
t 'uid 1000 can make a user namespace (for the rootless tests)' vm_userns

# The modules run.sh puts in the initramfs and /init loads: overlayfs,
# and veth and the bridge (tried in a network namespace of their own, so
# nothing is left in the VM's).
vm_modules() {
	grep -qw overlay /proc/filesystems || fail "no overlay in /proc/filesystems"
	run unshare -n sh -c 'ip link add name va type veth peer name vb && ip link add name vbr type bridge && ip link set va master vbr && echo made'
	expect_status 0
	expect_out made
}
t 'the kernel has overlayfs, veth and the bridge (modules loaded by /init)' vm_modules

# --- specs without resources run --------------------------------------

basic() {
	spec basic <<'EOF'
hostname: vmtest
command: [/bin/sh, -c, 'echo "$(hostname) $$"']
EOF
	run "$CTLAUNCH" "$T/basic.yaml"
	expect_status 0
	expect_out "vmtest 1"
}
t "a spec without resources runs: the spec's host name, the command is PID 1" basic

plan_says_v2() {
	spec planned <<'EOF'
command: [/bin/true]
EOF
	run "$CTLAUNCH" --plan "$T/planned.yaml"
	expect_status 0
	first=$(echo "$out" | head -n 1)
	case $first in
	*" on cgroup v2") ;;
	*) fail "want the first line to end with ' on cgroup v2', got:" "$first" ;;
	esac
}
t 'ctlaunch --plan sees a cgroup v2 host' plan_says_v2

exit_status() {
	spec exit3 <<'EOF'
command: [/bin/sh, -c, 'exit 3']
EOF
	run "$CTLAUNCH" "$T/exit3.yaml"
	expect_status 3
}
t "the command's exit status is ctlaunch's (exit 3)" exit_status

left_nothing() {
	# The container's PID 1 exits while another of its processes still
	# runs: the kernel kills that one, and nothing may stay.
	spec leave <<'EOF'
command: [/bin/sh, -c, 'sleep 60 & echo started']
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/leave.yaml"
	expect_status 0
	expect_out started
	expect_unchanged "$T/before"
}
t 'a run leaves the mount table, the cgroup tree and the processes as they were' left_nothing

nested_cgroup() {
	# From a cgroup of its own, as from a systemd session: the container
	# gets its own cgroup namespace, rooted there.
	spec nested <<'EOF'
command: [/bin/cat, /proc/self/cgroup]
EOF
	snapshot "$T/before"
	run in_cgroup vmtest.slice/session-1.scope "$CTLAUNCH" "$T/nested.yaml"
	# Busy if something was left in it; expect_unchanged then says what.
	rmdir "$CG/vmtest.slice/session-1.scope" "$CG/vmtest.slice" 2>/dev/null || true
	expect_status 0
	expect_out "0::/"
	expect_unchanged "$T/before"
}
t 'started from a nested cgroup, the container sees its cgroup as 0::/' nested_cgroup

# --- v2 limits -----------------------------------------------------------
# Each limit is read on the host side, in the container's cgroup, while
# the container waits; then inside, through its own /sys/fs/cgroup. The
# container waits on a file in a directory bound at /tmp: it writes
# /tmp/ready and goes on when the test makes /tmp/go.

# share NAME: a fresh directory for the container's /tmp, in $SHARE.
share() {
	SHARE=$T/share.$1
	rm -rf "$SHARE"
	mkdir -p "$SHARE"
	chmod 777 "$SHARE"
}

# start_bg CMD...: CMD (a ctlaunch run) in the background, until the
# container wrote /tmp/ready.
start_bg() {
	"$@" >"$T/bg.out" 2>"$T/bg.err" &
	bg=$!
	i=0
	while [ ! -e "$SHARE/ready" ]; do
		if ! kill -0 "$bg" 2>/dev/null; then
			status=0
			wait "$bg" || status=$?
			fail "ctlaunch ended (status $status) before the container was ready" \
				"stdout: $(cat "$T/bg.out")" "stderr: $(cat "$T/bg.err")"
		fi
		i=$((i + 1))
		[ "$i" -lt 600 ] || fail "the container was not ready in 60 s" "stderr: $(cat "$T/bg.err")"
		sleep 0.1
	done
}

# finish_bg: let the container go on; its status and output as `run`'s.
finish_bg() {
	touch "$SHARE/go"
	status=0
	wait "$bg" || status=$?
	out=$(cat "$T/bg.out")
	err=$(cat "$T/bg.err")
}

WAIT_GO='echo ready >/tmp/ready; while [ ! -e /tmp/go ]; do sleep 0.05; done'

# launcher_in DIR: the ctlaunch among the processes of the cgroup DIR:
# its watcher (see ctlaunch(1), SUPERVISION) is there too, a child of it.
launcher_in() {
	procs=$(cat "$1/cgroup.procs")
	for p in $procs; do
		ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
		case " $(echo $procs) " in
		*" $ppid "*) ;;
		*) echo "$p" ;;
		esac
	done
}

# What every cgroup hands down: a run enables controllers on its way,
# and must put them back. But in the shared ctlaunch/ level, which
# stays with the controllers runs enabled in it (ctlaunch(1), FILES).
subtree_state() {
	find "$CG" -name cgroup.subtree_control ! -path '*/ctlaunch/cgroup.subtree_control' |
		sort | while read -r f; do
		echo "$f: $(cat "$f")"
	done
}

every_limit() {
	share all
	spec all <<EOF
command: [/bin/sh, -c, '$WAIT_GO; cd /sys/fs/cgroup; cat memory.max cpu.weight cpu.max pids.max cpuset.cpus.effective /proc/self/cgroup']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources:
  memory: 48M
  cpu_shares: 512
  cpus: 1.5
  pids: 64
  cpuset: {cpus: "1", mems: "0"}
EOF
	snapshot "$T/before"
	subtree_state >"$T/before.subtree"
	start_bg "$CTLAUNCH" "$T/all.yaml"
	leaf=$CG/ctlaunch/all
	expect_eq "memory.max" 50331648 "$(cat "$leaf/memory.max")"
	if [ -e "$leaf/memory.swap.max" ]; then
		expect_eq "memory.swap.max" 0 "$(cat "$leaf/memory.swap.max")"
	fi
	expect_eq "cpu.weight (shares 512)" 59 "$(cat "$leaf/cpu.weight")"
	expect_eq "cpu.max" "150000 100000" "$(cat "$leaf/cpu.max")"
	expect_eq "pids.max" 64 "$(cat "$leaf/pids.max")"
	expect_eq "cpuset.cpus" 1 "$(cat "$leaf/cpuset.cpus")"
	expect_eq "cpuset.mems" 0 "$(cat "$leaf/cpuset.mems")"
	procs=$(cat "$leaf/cgroup.procs")
	[ -n "$procs" ] || fail "no process in $leaf/cgroup.procs"
	expect_eq "ctlaunch/ hands down" "cpuset cpu memory pids" "$(cat "$CG/ctlaunch/cgroup.subtree_control")"
	finish_bg
	expect_status 0
	expect_out "50331648
59
150000 100000
64
1
0::/"
	expect_unchanged "$T/before"
	subtree_state >"$T/after.subtree"
	expect_same "what the cgroups hand down" "$T/before.subtree" "$T/after.subtree"
}
t 'every limit lands in its v2 file (memory.max, cpu.weight, cpu.max, pids.max, cpuset), seen from both sides' every_limit

# The weight curve at its ends and its default, in the kernel's file.
weights() {
	for pair in 2:1 1024:100 262144:10000; do
		spec weight <<EOF
command: [/bin/cat, /sys/fs/cgroup/cpu.weight]
resources: {cpu_shares: ${pair%%:*}}
EOF
		run "$CTLAUNCH" "$T/weight.yaml"
		expect_status 0
		expect_eq "cpu.weight of shares ${pair%%:*}" "${pair#*:}" "$out"
	done
}
t 'cpu_shares 2, 1024, 262144 are cpu.weight 1, 100, 10000' weights

oom() {
	spec oom <<'EOF'
command: [/bin/tail, /dev/zero]
resources: {memory: 16M}
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/oom.yaml"
	expect_status 137
	expect_err_contains "ctlaunch: oom: killed by the OOM killer (memory limit 16M)"
	expect_unchanged "$T/before"
}
t 'past memory.max: OOM-killed, 137 and the message (from memory.events); nothing left' oom

pids_max() {
	# The forks come from a shell of their own, which dies at the first
	# refused one; PID 1 then reads the counts with builtins only (a
	# fork of its own could be refused too).
	spec forks <<'EOF'
command: [/bin/sh, -c, 'sh -c "for i in \$(seq 40); do sleep 3 & done" 2>/dev/null; read n </sys/fs/cgroup/pids.current; echo $n; while read k v; do echo $k $v; done </sys/fs/cgroup/pids.events']
resources: {pids: 10}
EOF
	run "$CTLAUNCH" "$T/forks.yaml"
	expect_status 0
	# shellcheck disable=SC2086 # words of the output
	set -- $out
	[ "$1" -le 10 ] || fail "pids.current $1, with pids.max 10"
	[ "$1" -ge 5 ] || fail "pids.current $1: did the forks run at all?" "$out"
	[ "$2" = max ] && [ "$3" -ge 1 ] || fail "pids.events: want max >= 1:" "$out"
}
t 'pids: 10 stops the eleventh process' pids_max

# jnum KEY: the value of "KEY" in the one-line JSON object in $T/stats.json
# (busybox has no JSON reader; ctlaunch writes one object, one line).
jnum() {
	sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p" "$T/stats.json"
}

# --stats on v2: every field from the one leaf (cpu.stat, memory.peak,
# memory.max, memory.events, pids.max), with real work behind each.
stats_v2() {
	spec statsv2 <<'EOF'
command: [/bin/sh, -c, 'dd if=/dev/zero of=/dev/null bs=24M count=1 2>/dev/null; i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done; exit 4']
resources: {memory: 64M, cpus: 0.5}
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" --stats=json --stats-file "$T/stats.json" "$T/statsv2.yaml"
	expect_status 4
	# Into the file, not on stderr (which has the rootfs warning).
	case $err in *"stats (cgroup"* | *wall_us*) fail "stats on stderr with --stats-file:" "$err" ;; esac
	expect_eq "cgroup" '"v2"' "$(jnum cgroup)"
	expect_eq "exit_status" 4 "$(jnum exit_status)"
	[ "$(jnum cpu_user_us)" -ge 20000 ] || fail "cpu_user_us for a busy loop:" "$(cat "$T/stats.json")"
	# 24 MiB read into one buffer, each page touched (Linux 5.19+).
	peak=$(jnum memory_peak_bytes)
	[ "$peak" -ge $((24 << 20)) ] && [ "$peak" -lt $((40 << 20)) ] ||
		fail "memory_peak_bytes $peak for a 24 MiB buffer"
	expect_eq "memory_limit_bytes" $((64 << 20)) "$(jnum memory_limit_bytes)"
	expect_eq "oom_kills" 0 "$(jnum oom_kills)"
	expect_eq "cpu_quota" true "$(jnum cpu_quota)"
	[ "$(jnum cpu_periods)" -ge 1 ] && [ "$(jnum cpu_throttled_periods)" -ge 1 ] &&
		[ "$(jnum cpu_throttled_us)" -gt 0 ] ||
		fail "throttling at half a CPU not counted:" "$(cat "$T/stats.json")"
	expect_eq "tasks_limit" 2048 "$(jnum tasks_limit)"
	# pids.peak, where the kernel has it (Debian's 6.1 does): the
	# shell and dd at least; null where it has not.
	tp=$(jnum tasks_peak)
	[ "$tp" = null ] || [ "$tp" -ge 2 ] || fail "tasks_peak $tp:" "$(cat "$T/stats.json")"
	expect_unchanged "$T/before"
}
t 'stats: v2 cpu.stat times and throttling, memory.peak of a 24 MiB buffer, the limits, exit 4' stats_v2

stats_v2_text() {
	spec statsoom <<'EOF'
command: [/bin/tail, /dev/zero]
resources: {memory: 16M}
EOF
	run "$CTLAUNCH" --stats "$T/statsoom.yaml"
	expect_status 137
	expect_err_contains "ctlaunch: statsoom: stats (cgroup v2):"
	expect_err_contains "  oom kills      1"
	expect_err_contains "of 16.0 MiB limit"
	expect_err_contains "  exit status    137"
	case $err in
	*"  tasks peak     not available on this kernel, limit 2048"* | *"  tasks peak     "[0-9]*" of 2048"*) ;;
	*) fail "no tasks line:" "$err" ;;
	esac
}
t 'stats: v2 text block: the OOM kill from memory.events, the peak at the limit, 137' stats_v2_text

clone_into_cgroup() {
	spec c3 <<'EOF'
command: [/bin/true]
resources: {memory: 32M}
EOF
	run "$CTLAUNCH" --plan "$T/c3.yaml"
	expect_status 0
	case $out in
	*"into cgroup $CG/ctlaunch/c3 (clone3 CLONE_INTO_CGROUP)"*) ;;
	*) fail "no clone3 into the cgroup in the plan:" "$out" ;;
	esac
	case $out in
	*"cgroup.procs"*) fail "a cgroup.procs write besides clone3:" "$out" ;;
	esac
	run "$CTLAUNCH" "$T/c3.yaml"
	expect_status 0
}
t 'Linux 6.1: the child starts in its cgroup (clone3 CLONE_INTO_CGROUP), no cgroup.procs write' clone_into_cgroup

# ctlaunch alone in a cgroup that hands nothing down (a systemd scope
# with Delegate=yes): it moves into a supervisor cgroup, enables what it
# needs, and puts everything back at exit.
supervisor() {
	share sup
	scope=$CG/vmtest.slice/run-1.scope
	mkdir -p "$scope"
	spec sup <<EOF
command: [/bin/sh, -c, '$WAIT_GO; cat /sys/fs/cgroup/memory.max']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 40M}
EOF
	start_bg in_cgroup vmtest.slice/run-1.scope "$CTLAUNCH" "$T/sup.yaml"
	expect_eq "memory.max" 41943040 "$(cat "$scope/ctlaunch/sup/memory.max")"
	# pids too: the default pids limit (issue 10).
	expect_eq "the scope hands down" "memory pids" "$(cat "$scope/cgroup.subtree_control")"
	# ctlaunch and its watcher.
	for sup in $(cat "$scope/ctlaunch.supervisor/cgroup.procs"); do
		expect_eq "in its supervisor cgroup" ctlaunch "$(cat "/proc/$sup/comm" 2>/dev/null)"
	done
	expect_eq "ctlaunch in its supervisor cgroup" 1 "$(launcher_in "$scope/ctlaunch.supervisor" | wc -l)"
	expect_eq "processes in the scope itself" "" "$(cat "$scope/cgroup.procs")"
	finish_bg
	expect_status 0
	expect_out 41943040
	# The scope hands nothing down again, and has nothing below it; the
	# cgroup above it keeps the controller it handed down (see the man
	# page: turning it off could take another cgroup's files).
	expect_bare "$scope"
	expect_eq "vmtest.slice hands down" "memory pids" "$(cat "$CG/vmtest.slice/cgroup.subtree_control")"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'alone in its cgroup: ctlaunch moves into ctlaunch.supervisor, and puts that cgroup back at exit' supervisor

internal_processes() {
	scope=$CG/vmtest.slice/shell.scope
	mkdir -p "$scope"
	spec busy <<'EOF'
command: [/bin/true]
resources: {memory: 40M}
EOF
	# A process that stays in the cgroup, as a login shell does.
	in_cgroup vmtest.slice/shell.scope sleep 30 &
	sleeper=$!
	i=0
	while [ -z "$(cat "$scope/cgroup.procs")" ] && [ "$i" -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	run in_cgroup vmtest.slice/shell.scope "$CTLAUNCH" "$T/busy.yaml"
	# The sleep itself, not only the shell that started it.
	for p in $(cat "$scope/cgroup.procs"); do kill "$p"; done
	wait "$sleeper" 2>/dev/null || true
	while [ -n "$(cat "$scope/cgroup.procs")" ]; do sleep 0.05; done
	expect_status 125
	expect_err_contains "cannot enable +memory +pids in $scope/cgroup.subtree_control: processes are in that cgroup"
	expect_err_contains "--cgroup-parent"
	expect_err_contains "Delegate=yes"
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'others in its cgroup: refused with the cgroup, the rule and the fix; nothing changed' internal_processes

cgroup_parent() {
	mkdir -p "$CG/lab/exp"
	spec par <<'EOF'
command: [/bin/cat, /proc/self/cgroup, /sys/fs/cgroup/pids.max]
resources: {pids: 33}
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" --cgroup-parent /lab/exp --plan "$T/par.yaml"
	case $out in
	*"mkdir $CG/lab/exp/ctlaunch/par"*) ;;
	*) fail "not under /lab/exp:" "$out" ;;
	esac
	run "$CTLAUNCH" --cgroup-parent /lab/exp "$T/par.yaml"
	expect_status 0
	expect_out "0::/
33"
	expect_unchanged "$T/before"
	# pids was enabled down the path, and stays on there, as crun
	# leaves it: another cgroup below may use it by now.
	expect_eq "/lab hands down" pids "$(cat "$CG/lab/cgroup.subtree_control")"
	expect_eq "/lab/exp hands down" pids "$(cat "$CG/lab/exp/cgroup.subtree_control")"
	# The shared level stays, empty, handing pids down; --cleanup
	# removes it (no container runs).
	expect_eq "ctlaunch/ stays, handing down" pids "$(cat "$CG/lab/exp/ctlaunch/cgroup.subtree_control")"
	expect_eq "what is below ctlaunch/" "" "$(find "$CG/lab/exp/ctlaunch" -mindepth 1 -type d)"
	run "$CTLAUNCH" --cleanup --cgroup-parent /lab/exp
	expect_status 0
	echo "$out" | grep -qxF "removed $CG/lab/exp/ctlaunch" || fail "--cleanup:" "$out"
	[ ! -e "$CG/lab/exp/ctlaunch" ] || fail "--cleanup left $CG/lab/exp/ctlaunch"
	rmdir "$CG/lab/exp" "$CG/lab"
}
t '--cgroup-parent puts the cgroup there, enabling pids down the path' cgroup_parent

# In a container of podman or docker, ctlaunch's cgroup is "/" in its
# cgroup namespace, and is not the root: the rule applies, and ctlaunch
# alone there moves into its supervisor cgroup as anywhere else.
cgns_root() {
	scope=$CG/vmtest.slice/ns.scope
	mkdir -p "$scope"
	# As a container engine does: the container's cgroup is handed the
	# controllers.
	echo +memory >"$CG/vmtest.slice/cgroup.subtree_control"
	spec nsroot <<'EOF'
command: [/bin/cat, /sys/fs/cgroup/memory.max]
resources: {memory: 36M}
EOF
	run in_cgroup vmtest.slice/ns.scope "$CGNS" "$CTLAUNCH" "$T/nsroot.yaml"
	expect_status 0
	expect_out 37748736
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'at the root of a cgroup namespace (as in a container): the supervisor move too' cgns_root

# Two containers under one scope: one whose ctlaunch is alone there
# (and moves aside), one started with --cgroup-parent of that scope.
# The first ends first; the second, emptying ctlaunch/, puts the scope
# back for both.
shared_scope() {
	scope=$CG/vmtest.slice/run-2.scope
	mkdir -p "$scope"
	share a
	share_a=$SHARE
	spec sa <<EOF
command: [/bin/sh, -c, '$WAIT_GO']
mounts: [{type: bind, source: $share_a, target: /tmp}]
resources: {memory: 30M}
EOF
	start_bg in_cgroup vmtest.slice/run-2.scope "$CTLAUNCH" "$T/sa.yaml"
	bg_a=$bg
	share b
	spec sb <<EOF
command: [/bin/sh, -c, '$WAIT_GO']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 30M}
EOF
	"$CTLAUNCH" --cgroup-parent /vmtest.slice/run-2.scope "$T/sb.yaml" >"$T/b.out" 2>"$T/b.err" &
	bg_b=$!
	i=0
	while [ ! -e "$SHARE/ready" ] && [ "$i" -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
	touch "$share_a/go"
	wait "$bg_a" || fail "a: exit $?" "$(cat "$T/bg.err")"
	[ -d "$scope/ctlaunch.supervisor" ] || fail "a's supervisor cgroup is gone while b runs"
	touch "$SHARE/go"
	wait "$bg_b" || fail "b: exit $?" "$(cat "$T/b.err")"
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'two containers in one scope: the last one out puts the scope back' shared_scope

# A cgroup beside ctlaunch/ that uses memory keeps its memory.max: the
# controllers ctlaunch enabled above are never taken away.
sibling_keeps_limits() {
	mkdir -p "$CG/w"
	share w
	spec wrun <<EOF
command: [/bin/sh, -c, '$WAIT_GO']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 30M}
EOF
	start_bg "$CTLAUNCH" --cgroup-parent /w "$T/wrun.yaml"
	mkdir "$CG/w/other"
	echo 100M >"$CG/w/other/memory.max"
	finish_bg
	expect_status 0
	expect_eq "the other cgroup's memory.max" 104857600 "$(cat "$CG/w/other/memory.max" 2>&1)"
	rmdir "$CG/w/other" "$CG/w/ctlaunch" "$CG/w"
}
t "a cgroup beside the container's keeps its limits after the run" sibling_keeps_limits

# ctlaunch killed with SIGKILL while it sits in its supervisor cgroup:
# the container dies with it; the next run of that name there puts
# everything back.
after_sigkill() {
	scope=$CG/vmtest.slice/run-3.scope
	mkdir -p "$scope"
	share k
	spec killed <<EOF
command: [/bin/sh, -c, '$WAIT_GO']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 30M}
EOF
	start_bg in_cgroup vmtest.slice/run-3.scope "$CTLAUNCH" "$T/killed.yaml"
	kill -KILL "$(launcher_in "$scope/ctlaunch.supervisor")"
	wait "$bg" 2>/dev/null || true
	i=0
	while [ -n "$(cat "$scope/ctlaunch/killed/cgroup.procs" 2>/dev/null)" ] && [ "$i" -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	[ -d "$scope/ctlaunch.supervisor" ] || fail "nothing was left to clean: the test shows nothing"
	rm -f "$SHARE/ready"
	touch "$SHARE/go"
	run "$CTLAUNCH" --cgroup-parent /vmtest.slice/run-3.scope "$T/killed.yaml"
	expect_status 0
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'after a SIGKILL, the next run of that name puts the scope back' after_sigkill

# --- supervision and cleanup the container cannot break --------------

# with_run CMD...: CMD with /run present, as on a real host (the VM has
# none; the name's lock lives in /run/ctlaunch), and gone again after.
with_run() {
	mkdir /run
	trap 'rm -rf /run' EXIT
	"$@"
}

# wait_out TEXT: until the background run's stdout has the line TEXT.
wait_out() {
	i=0
	until grep -qxF "$1" "$T/bg.out" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || fail "no '$1' from the container in 60 s" "stderr: $(cat "$T/bg.err")"
		sleep 0.1
	done
}

# A pid 1 that clears its parent-death signal, and ctlaunch SIGKILLed:
# the watcher kills the container; the next run of the name removes the
# cgroups and puts the scope back (supervisor cgroup, subtree_control).
pdeath_cleared() {
	scope=$CG/vmtest.slice/run-5.scope
	mkdir -p "$scope"
	spec nodeath <<'EOF'
command: [/ctlt/nodeath, prctl]
mounts: [{type: bind, source: /vm/bin, target: /ctlt, readonly: true}]
resources: {memory: 30M}
EOF
	# shellcheck disable=SC2016 # $$ is that of the new shell
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$scope" \
		"$CTLAUNCH" "$T/nodeath.yaml" >"$T/bg.out" 2>"$T/bg.err" &
	bg=$!
	wait_out ready
	expect_eq "the launcher" "$bg" "$(launcher_in "$scope/ctlaunch.supervisor")"
	[ -n "$(pidof nodeath)" ] || fail "no nodeath process"
	kill -KILL "$bg"
	wait "$bg" 2>/dev/null || true
	i=0
	while [ -n "$(pidof nodeath)" ] && [ "$i" -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	[ -z "$(pidof nodeath)" ] || fail "the container outlived the SIGKILLed ctlaunch: $(pidof nodeath)"
	run "$CTLAUNCH" --cgroup-parent /vmtest.slice/run-5.scope "$T/nodeath.yaml" -- /bin/true
	expect_status 0
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'a pid 1 that clears its parent-death signal dies with a SIGKILLed ctlaunch; the next run cleans up' with_run pdeath_cleared

# With CAP_SYS_ADMIN, the container mounts its own view of cgroup2, makes
# child cgroups, puts a process there and exits 3: the status is 3,
# nothing is left, the scope is put back, the name works at once.
child_cgroups() {
	scope=$CG/vmtest.slice/run-6.scope
	mkdir -p "$scope"
	spec kids <<'EOF'
capabilities: {add: [CAP_SYS_ADMIN]}
resources: {memory: 30M}
command:
  - /bin/sh
  - -c
  - mkdir -p /cgv && mount -t cgroup2 none /cgv && mkdir -p /cgv/made/deeper &&
    sh -c 'echo $$ >/cgv/made/deeper/cgroup.procs && exec sleep 60' &
    sleep 0.5; cat /cgv/made/deeper/cgroup.procs; exit 3
EOF
	run in_cgroup vmtest.slice/run-6.scope "$CTLAUNCH" "$T/kids.yaml"
	expect_status 3
	[ -n "$out" ] || fail "no process in the child cgroup: the test shows nothing" "stderr: $err"
	case $err in *"warning: cleanup"*) fail "a cleanup warning:" "$err" ;; esac
	expect_bare "$scope"
	run in_cgroup vmtest.slice/run-6.scope "$CTLAUNCH" "$T/kids.yaml" -- /bin/true
	expect_status 0
	expect_bare "$scope"
	rmdir "$scope" "$CG/vmtest.slice"
}
t 'child cgroups made by the container: its own exit status, nothing left, the scope put back' with_run child_cgroups

# A second run of a name whose first has not finished: refused at once,
# the first's cgroup untouched, even between the first container's end
# and its launcher's cleanup (held there by SIGSTOP).
second_run() {
	share two
	spec two <<EOF
command: [/bin/sh, -c, '$WAIT_GO; exec tail /dev/zero']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 16M}
EOF
	start_bg "$CTLAUNCH" "$T/two.yaml"
	leaf=$(find "$CG" -type d -path '*/ctlaunch/two' | head -1)
	[ -d "$leaf" ] || fail "no cgroup of the first run"
	run "$CTLAUNCH" "$T/two.yaml" -- /bin/echo second
	expect_status 125
	expect_err_contains "already running"
	kill -STOP "$bg"
	touch "$SHARE/go"
	i=0
	while [ -n "$(cat "$leaf/cgroup.procs")" ] && [ "$i" -lt 600 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	run "$CTLAUNCH" "$T/two.yaml" -- /bin/echo second
	max=$(cat "$leaf/memory.max" 2>/dev/null || echo gone)
	kill -CONT "$bg"
	expect_status 125
	expect_err_contains "already running"
	expect_eq "the first's memory.max" 16777216 "$max"
	status=0
	wait "$bg" || status=$?
	err=$(cat "$T/bg.err")
	expect_eq "the first's status" 137 "$status"
	expect_err_contains "ctlaunch: two: killed by the OOM killer (memory limit 16M)"
	[ ! -e "$leaf" ] || fail "$leaf is still there"
}
t 'a second run of a live name fails at once and leaves the first cgroup alone' with_run second_run

# --- rootless on cgroup v2 -------------------------------------------------

# delegate DIR: a cgroup handed to lab, as systemd does for Delegate=yes:
# its parent hands it the controllers, and the directory and its
# cgroup.procs, cgroup.subtree_control and cgroup.threads are lab's.
delegate() {
	mkdir -p "$CG/$1"
	echo "+cpu +memory +pids" >"$CG/${1%/*}/cgroup.subtree_control"
	chown 1000:1000 "$CG/$1" "$CG/$1/cgroup.procs" "$CG/$1/cgroup.subtree_control" \
		"$CG/$1/cgroup.threads"
}

# Specs lab can read.
lab_reads() {
	chmod 755 "$T"
	chmod 644 "$T"/*.yaml
}

rootless_limits() {
	share rl
	snapshot "$T/before"
	delegate lab.slice/deleg
	spec rl <<EOF
command: [/bin/sh, -c, '$WAIT_GO; id -u; cat /proc/self/uid_map /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 24M, pids: 20}
EOF
	lab_reads
	start_bg in_cgroup lab.slice/deleg "$RUNAS" lab "$CTLAUNCH" "$T/rl.yaml"
	leaf=$CG/lab.slice/deleg/ctlaunch/rl
	expect_eq "memory.max" 25165824 "$(cat "$leaf/memory.max")"
	expect_eq "pids.max" 20 "$(cat "$leaf/pids.max")"
	expect_eq "the leaf's owner" 1000 "$(stat -c %u "$leaf")"
	pid=$(head -n 1 "$leaf/cgroup.procs")
	expect_eq "the container's uid on the host" 1000 "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
	finish_bg
	expect_status 0
	# shellcheck disable=SC2086 # words of the output
	set -- $out
	expect_eq "uid inside" 0 "$1"
	expect_eq "uid_map" "0 1000 1" "$2 $3 $4"
	expect_eq "memory.max inside" 25165824 "$5"
	expect_eq "pids.max inside" 20 "$6"
	expect_bare "$CG/lab.slice/deleg"
	rmdir "$CG/lab.slice/deleg" "$CG/lab.slice"
	expect_unchanged "$T/before"
}
t 'rootless in a delegated cgroup: the limits apply (host side and inside); uid 0 inside is 1000 outside' rootless_limits

rootless_oom() {
	delegate lab.slice/deleg
	spec rloom <<'EOF'
command: [/bin/tail, /dev/zero]
resources: {memory: 16M}
EOF
	lab_reads
	run in_cgroup lab.slice/deleg "$RUNAS" lab "$CTLAUNCH" "$T/rloom.yaml"
	expect_status 137
	expect_err_contains "killed by the OOM killer (memory limit 16M)"
	expect_bare "$CG/lab.slice/deleg"
	rmdir "$CG/lab.slice/deleg" "$CG/lab.slice"
}
t 'rootless OOM in a delegated cgroup: 137 and the message; nothing left' rootless_oom

rootless_not_delegated() {
	mkdir -p "$CG/lab.slice/plain"
	share rlno
	spec rlno <<EOF
command: [/bin/sh, -c, 'touch /tmp/ran']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 24M}
EOF
	lab_reads
	run in_cgroup lab.slice/plain "$RUNAS" lab "$CTLAUNCH" "$T/rlno.yaml"
	expect_status 125
	expect_err_contains "rlno.yaml:4:21: resources.memory: cannot be applied by uid 1000: its cgroup /lab.slice/plain is not delegated to it"
	[ ! -e "$SHARE/ran" ] || fail "the command ran without its limit"
	expect_bare "$CG/lab.slice/plain"
	rmdir "$CG/lab.slice/plain" "$CG/lab.slice"
}
t 'rootless, cgroup not delegated: a limit is refused with the key and why; nothing runs' rootless_not_delegated

rootless_plain() {
	spec rlplain <<'EOF'
hostname: rl
command: [/bin/sh, -c, 'echo "$(id -u) $(hostname) $$"; echo x >/dev/null']
EOF
	lab_reads
	snapshot "$T/before"
	run "$RUNAS" lab "$CTLAUNCH" "$T/rlplain.yaml"
	expect_status 0
	expect_out "0 rl 1"
	expect_unchanged "$T/before"
}
t 'rootless without limits: root inside, its host name, PID 1; nothing left' rootless_plain

# The seccomp filter on v2: the child forks here (clone3 into its
# cgroup), and the filter is the same. scprobe is on /tmp, bound from
# /vm/probe; an EPERM is the filter's (see tests/vm/scprobe.c).
seccomp_v2() {
	spec scv2 <<'EOF'
command: [/tmp/scprobe, unshare-user, mount, keyctl, add_key, io_uring_setup, bpf, clone3, inet]
resources: {memory: 64M}
mounts:
  - {type: bind, source: /vm/probe, target: /tmp, readonly: true}
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/scv2.yaml"
	expect_status 0
	expect_out "unshare-user EPERM
mount EPERM
keyctl EPERM
add_key EPERM
io_uring_setup EPERM
bpf EPERM
clone3 ENOSYS
inet ok"
	# Without it, a user namespace is there for the taking (class 1).
	echo "seccomp: unconfined" >>"$T/scv2.yaml"
	run "$CTLAUNCH" "$T/scv2.yaml" -- /tmp/scprobe unshare-user
	expect_status 0
	expect_out "unshare-user ok"
	expect_unchanged "$T/before"
}
t 'seccomp on v2: a default container gets EPERM for unshare, mount, keyctl...; unconfined does not' seccomp_v2

rootless_seccomp() {
	spec rlsc <<'EOF'
command: [/tmp/scprobe, unshare-user, mount, keyctl]
mounts:
  - {type: bind, source: /vm/probe, target: /tmp, readonly: true}
EOF
	lab_reads
	run "$RUNAS" lab "$CTLAUNCH" "$T/rlsc.yaml"
	expect_status 0
	expect_out "unshare-user EPERM
mount EPERM
keyctl EPERM"
}
t 'seccomp, rootless on v2: the same EPERMs' rootless_seccomp

# userns: true on v2 (issue 15, class 5): root's container is a host
# user of the range, not root, and even with CAP_SYS_ADMIN and its own
# mount of cgroup2 it cannot lift its limit (the files are host root's).
userns_v2() {
	share uns
	snapshot "$T/before"
	spec uns <<EOF
userns: true
resources: {memory: 64M}
capabilities: {add: [CAP_SYS_ADMIN]}
mounts: [{type: bind, source: $SHARE, target: /tmp}]
command: [/bin/sh, -c, '$WAIT_GO; id -u; mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg && cat /tmp/cg/memory.max; (echo max >/tmp/cg/memory.max) 2>/dev/null && echo lifted; umount /tmp/cg; true']
EOF
	start_bg "$CTLAUNCH" "$T/uns.yaml"
	leaf=$CG/ctlaunch/uns
	pid=$(head -n 1 "$leaf/cgroup.procs")
	[ -n "$pid" ] || fail "no process in $leaf"
	expect_eq "host uid of the container's pid 1" 2147352576 "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
	expect_eq "memory.max on the host" 67108864 "$(cat "$leaf/memory.max")"
	finish_bg
	expect_status 0
	expect_out "0
67108864"
	expect_unchanged "$T/before"
}
t 'userns on v2: root inside is host uid 2147352576; its own cgroup2 mount cannot lift memory.max' userns_v2

# userns: true with an overlay rootfs on v2 (Linux 6.1): the layer an
# idmapped mount, so its files are the container's root's and writable
# through the overlay; what it writes, in DIR/upper, the range's on the
# host. The layer on ext4 on a loop device: the VM's root is a tmpfs,
# which has idmapped mounts only from Linux 6.3.
userns_overlay_v2() {
	cat >"$T/utmp.yaml" <<EOF
rootfs: {path: $ROOTFS, overlay: tmpfs}
userns: true
command: [/bin/true]
EOF
	run "$CTLAUNCH" "$T/utmp.yaml"
	expect_status 125
	expect_err_contains "has no idmapped mounts in this kernel"
	dd if=/dev/zero of="$T/ext4.img" bs=1M count=32 2>/dev/null
	mke2fs -F "$T/ext4.img" >/dev/null 2>&1 || fail "mke2fs"
	mkdir -p "$T/ext4"
	mount -o loop -t ext4 "$T/ext4.img" "$T/ext4" || fail "mount the ext4 image"
	cp -a "$ROOTFS" "$T/ext4/rootfs"
	# Written back first: ext4 counts an ext2 file's indirect blocks
	# (ls's "total") only once they are allocated.
	sync
	tree_state "$T/ext4/rootfs" >"$T/lower.before"
	snapshot "$T/before"
	cat >"$T/uovl.yaml" <<EOF
rootfs: {path: $T/ext4/rootfs, overlay: $T/ext4/state}
userns: true
command: [/bin/sh, -c, 'stat -c "%u:%g %n" / /etc/passwd; echo x >>/etc/passwd && echo wrote; cp /bin/busybox /sx && chmod 4755 /sx']
EOF
	run "$CTLAUNCH" "$T/uovl.yaml"
	expect_status 0
	expect_out "0:0 /
0:0 /etc/passwd
wrote"
	expect_eq "the setuid file on the host" "2147352576 4755" "$(stat -c '%u %a' "$T/ext4/state/upper/sx")"
	expect_eq "the copied-up /etc/passwd on the host" 2147352576 "$(stat -c %u "$T/ext4/state/upper/etc/passwd")"
	expect_eq "DIR/upper's owner, then DIR's" "2147352576 0" "$(stat -c %u "$T/ext4/state/upper") $(stat -c %u "$T/ext4/state")"
	tree_state "$T/ext4/rootfs" >"$T/lower.after"
	expect_same "the lower" "$T/lower.before" "$T/lower.after"
	expect_unchanged "$T/before"
	umount "$T/ext4"
	rm -f "$T/ext4.img"
}
t "userns on v2: an overlay rootfs on idmapped layers is root's inside, its writes the range's on the host" userns_overlay_v2

# A per-user counter: a userns container holds all the inotify
# instances it may while host root makes one.
userns_inotify_v2() {
	share ino
	cp -a "$ROOTFS" "$T/inoroot"
	cp /vm/bin/counters "$T/inoroot/bin/"
	cat >"$T/ino.yaml" <<EOF
rootfs: $T/inoroot
userns: true
mounts: [{type: bind, source: $SHARE, target: /tmp}]
command: [/bin/sh, -c, 'counters hog-inotify </tmp/fifo >/tmp/hog & while [ ! -s /tmp/hog ]; do sleep 0.05; done; $WAIT_GO']
EOF
	mkfifo "$SHARE/fifo"
	exec 7<>"$SHARE/fifo"
	start_bg "$CTLAUNCH" "$T/ino.yaml"
	run /vm/bin/counters probe-inotify
	probe=$out
	exec 7>&-
	finish_bg
	expect_status 0
	case $(cat "$SHARE/hog") in
	[0-9]*" Too many open files") ;;
	*) fail "the container's hog: $(cat "$SHARE/hog")" ;;
	esac
	expect_eq "host root's probe while the container holds all it may" ok "$probe"
	rm -rf "$T/inoroot"
}
t "userns on v2: host root's inotify instances are untouched by a container that takes all it may" userns_inotify_v2

# The VM has no /run: root's lock falls back to the cgroup root, which
# must stay as it was (all these runs locked it).
cgroup_root_mode() {
	expect_eq "mode of $CG" "$CG_MODE" "$(ls -ld "$CG" | cut -c1-10)"
}
t 'the lock fallback leaves the cgroup root as it was' cgroup_root_mode

# --- a cgroup of its own, the device program, the default pids limit ----
# (issue 10 classes 1, 6 and 8's pids default)

own_cgroup_default_pids() {
	share own
	snapshot "$T/before"
	spec own <<EOF
command: [/bin/sh, -c, '$WAIT_GO; cat /proc/self/cgroup /sys/fs/cgroup/pids.max']
mounts: [{type: bind, source: $SHARE, target: /tmp}]
EOF
	start_bg "$CTLAUNCH" "$T/own.yaml"
	leaf=$CG/ctlaunch/own
	pid=$(head -n 1 "$leaf/cgroup.procs")
	[ -n "$pid" ] || fail "no process in $leaf"
	expect_eq "the container's cgroup, from the host" "0::/ctlaunch/own" "$(cat "/proc/$pid/cgroup")"
	expect_eq "pids.max" 2048 "$(cat "$leaf/pids.max")"
	finish_bg
	expect_status 0
	# shellcheck disable=SC2086 # words of the output
	set -- $out
	expect_eq "its cgroup inside" "0::/" "$1"
	expect_eq "pids.max inside" 2048 "$2"
	expect_unchanged "$T/before"
}
t 'no limits in the spec: the container has its own cgroup all the same, with pids.max 2048' own_cgroup_default_pids

bpf_devices() {
	spec dev <<'EOF'
capabilities: {add: [CAP_MKNOD]}
command:
  - /bin/sh
  - -c
  - |
    mknod /dev/kmsg c 1 11 2>/dev/null; echo "mknod kmsg $?"
    [ -c /dev/kmsg ] && (: >>/dev/kmsg) 2>/dev/null; echo "open kmsg $?"
    mknod /dev/sda b 8 0 2>/dev/null; echo "mknod sda $?"
    mknod /dev/zero2 c 1 5 && head -c 2 /dev/zero2 | od -An -tx1 | tr -d ' ' | sed 's/^/zero2 /'
    echo x >/dev/null && echo "null ok"
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/dev.yaml"
	expect_status 0
	expect_out "mknod kmsg 1
open kmsg 1
mknod sda 1
zero2 0000
null ok"
	expect_unchanged "$T/before"
}
t 'the BPF device program: with CAP_MKNOD a node for /dev/kmsg or a disk is refused; null and a new zero work' bpf_devices

default_pids_busy() {
	# From a cgroup that holds another process, as a login shell's: the
	# kernel will not hand pids down from it; the run goes on without
	# the default (a limit the spec asks for is refused, see above).
	mkdir -p "$CG/busy.scope"
	in_cgroup busy.scope sleep 60 &
	busy=$!
	spec busy <<'EOF'
command: [/bin/sh, -c, 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max 2>/dev/null || echo no pids.max']
EOF
	# Once the sleep is there.
	i=0
	while [ -z "$(cat "$CG/busy.scope/cgroup.procs")" ] && [ "$i" -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	run in_cgroup busy.scope "$CTLAUNCH" "$T/busy.yaml"
	# shellcheck disable=SC2046 # the pids, one word each
	kill $(cat "$CG/busy.scope/cgroup.procs") 2>/dev/null || true
	wait "$busy" 2>/dev/null || true
	i=0
	while [ -n "$(cat "$CG/busy.scope/cgroup.procs")" ] && [ "$i" -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	expect_status 0
	expect_out "0::/
no pids.max"
	expect_bare "$CG/busy.scope"
	rmdir "$CG/busy.scope"
}
t 'from a cgroup with other processes, no limits: the run goes on without the default pids limit' default_pids_busy

# --- running containers: --list, --join, --stop (issue 11) ----------------

# What a process shows of itself: the container's command writes it to
# /tmp/info, a joined command prints it; the two must be the same.
INFO='for n in cgroup ipc mnt net pid uts user; do echo "ns $n $(readlink /proc/self/ns/$n)"; done; cat /proc/self/cgroup; grep -E "^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; echo "host $(hostname)"; echo "cwd $(pwd)"'

# info_spec NAME [LINE]: a container that writes INFO to /tmp/info, then
# /tmp/ready, and waits; SIGTERM ends it with 5. /tmp is $SHARE.
info_spec() {
	spec "$1" <<EOF
hostname: $1-host
workdir: /tmp
mounts: [{type: bind, source: $SHARE, target: /tmp}]
${2:-}
command: [/bin/sh, -c, '{ $INFO; } >/tmp/info; echo ready >/tmp/ready; trap "exit 5" TERM; while :; do sleep 0.1; done']
EOF
}

list_join_stop() {
	share ljs
	snapshot "$T/before"
	info_spec ljs 'resources: {memory: 32M, pids: 40}'
	start_bg "$CTLAUNCH" "$T/ljs.yaml"
	leaf=$CG/ctlaunch/ljs
	pid=$(head -n 1 "$leaf/cgroup.procs")
	run "$CTLAUNCH" --list
	expect_status 0
	echo "$out" | grep -qE "^ljs +$pid +[0-9]+s +0 +$T/ljs.yaml +memory=32M pids=40\$" ||
		fail "--list:" "$out"
	run "$CTLAUNCH" --join ljs -- /bin/sh -c "$INFO"
	expect_status 0
	expect_eq "the joined command's view" "$(cat "$SHARE/info")" "$out"
	# In the container's one cgroup: PID 1 and the joined shell at least.
	run "$CTLAUNCH" --join ljs -- /bin/sh -c 'wc -l </sys/fs/cgroup/cgroup.procs'
	expect_status 0
	[ "$out" -ge 2 ] || fail "the joined shell is not in the container's cgroup: $out processes there"
	run "$CTLAUNCH" --stop ljs
	expect_status 0
	# --stop returns once the run has cleaned up.
	[ ! -e "$leaf" ] || fail "$leaf is still there after --stop returned"
	[ ! -e /run/ctlaunch/ljs.state ] || fail "the record is still there after --stop returned"
	status=0
	wait "$bg" || status=$?
	expect_eq "the run's status (its PID 1 handles SIGTERM)" 5 "$status"
	expect_unchanged "$T/before"
}
t '--list, --join (the same namespaces, cgroup, capabilities, seccomp as the command), --stop; nothing left' with_run list_join_stop

# lab's cgroups as systemd's user@1000.service has them: one delegated
# cgroup, with a scope for the run and one for a shell below it; and a
# cgroup outside it.
lab_scopes() {
	delegate lab.slice/user
	echo "+cpu +memory +pids" >"$CG/lab.slice/user/cgroup.subtree_control"
	for s in run shell; do
		mkdir "$CG/lab.slice/user/$s"
		chown 1000:1000 "$CG/lab.slice/user/$s" "$CG/lab.slice/user/$s/cgroup.procs" \
			"$CG/lab.slice/user/$s/cgroup.subtree_control" "$CG/lab.slice/user/$s/cgroup.threads"
	done
	mkdir -p "$CG/lab.slice/other"
}

# as_lab SCOPE CMD...: CMD as lab from lab.slice/SCOPE, with a runtime
# directory of its own (the VM has no /run/user).
as_lab() {
	scope=$1
	shift
	in_cgroup "lab.slice/$scope" "$RUNAS" lab env XDG_RUNTIME_DIR="$T/xdg" "$@"
}

rootless_join() {
	share rlj
	snapshot "$T/before"
	mkdir -p "$T/xdg"
	chown 1000:1000 "$T/xdg"
	chmod 700 "$T/xdg"
	lab_scopes
	info_spec rlj 'resources: {memory: 24M}'
	lab_reads
	start_bg as_lab user/run "$CTLAUNCH" "$T/rlj.yaml"
	run as_lab user/shell "$CTLAUNCH" --list
	expect_status 0
	echo "$out" | grep -qE "^rlj +[0-9]+ +[0-9]+s +1000 +$T/rlj.yaml +memory=24M pids=2048\$" ||
		fail "--list:" "$out"
	run as_lab user/shell "$CTLAUNCH" --join rlj -- /bin/sh -c "$INFO"
	expect_status 0
	expect_eq "the joined command's view" "$(cat "$SHARE/info")" "$out"
	# From a cgroup outside lab's delegated one the kernel refuses the
	# move into the container's cgroup: said, and nothing runs.
	run as_lab other "$CTLAUNCH" --join rlj -- /bin/true
	expect_status 125
	expect_err_contains "cannot join the container's cgroup $CG/lab.slice/user/run/ctlaunch/rlj"
	run as_lab user/shell "$CTLAUNCH" --stop rlj
	expect_status 0
	status=0
	wait "$bg" || status=$?
	expect_eq "the run's status" 5 "$status"
	[ ! -e "$T/xdg/ctlaunch/rlj.state" ] || fail "the record is still there"
	for s in run shell; do
		expect_bare "$CG/lab.slice/user/$s"
	done
	rmdir "$CG/lab.slice/user/run" "$CG/lab.slice/user/shell" "$CG/lab.slice/user" \
		"$CG/lab.slice/other" "$CG/lab.slice"
	expect_unchanged "$T/before"
}
t 'rootless on v2: --list, --join from a scope of the same delegated cgroup, --stop; refused from elsewhere' rootless_join
# --- a terminal and an init (tty, init) ---------------------------------
# ptydrive (tests/integration/ptydrive.c) runs ctlaunch on a new pty and
# types into it. On v2 root's child is a fork (clone3 into its cgroup),
# released by ctlaunch: the other path than on the v1 host's vfork.

PTYDRIVE=/vm/ptydrive

# drive SCRIPT CMD...: CMD on a 24x80 pty, following ptydrive's script;
# the screen and its report ("exit N", "termios same") in $out.
drive() {
	script=$1
	shift
	status=0
	printf '%s\n' "$script" | "$PTYDRIVE" -t 60 -s 24x80 -- "$@" >"$T/out" 2>"$T/err" || status=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# expect_line LINE: $out has LINE as a line of its own.
expect_line() {
	printf '%s\n' "$out" | grep -qxF -- "$1" || fail "want the line '$1' in:" "$out" "stderr: $err"
}

tty_shell() {
	spec ttysh <<'EOF'
tty: true
env: {PS1: 'lab$ '}
command: [/bin/sh, -i]
resources: {memory: 64M}
EOF
	snapshot "$T/before"
	drive 'expect lab$
send tty; stty size\r
expect 24 80
send sleep 30\r
sleep 500
send \x03
expect lab$
send echo alive-$((6*7)) $(cat /proc/1/comm)\r
expect alive-42 ctlaunch-init
winsize 30 90
send stty size\r
expect 30 90
send exit 3\r
wait
termios' "$CTLAUNCH" "$T/ttysh.yaml"
	expect_status 0
	expect_line /dev/pts/0
	expect_line "exit 3"
	expect_line "termios same"
	expect_unchanged "$T/before"
}
t 'tty: a shell on a pty of its own, Control-C of a sleep, the window size, exit 3; the terminal as before' tty_shell

init_v2() {
	spec initv2 <<'EOF'
init: true
command: [/bin/sh, -c, 'for i in 1 2 3; do sh -c "sleep 0.1 & exit 0"; done; sleep 0.5; readlink /proc/1/exe; cut -d" " -f3 /proc/[0-9]*/stat | sort | uniq -c | tr -s " "; kill -TERM $$; sleep 5']
resources: {memory: 64M}
EOF
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/initv2.yaml"
	expect_status 143
	case $out in
	*" Z"*) fail "a zombie:" "$out" ;;
	"/memfd:ctlaunch-init (deleted)"*) ;;
	*) fail "want /proc/1/exe a memfd, got:" "$out" ;;
	esac
	expect_unchanged "$T/before"
}
t 'init: pid 1 from a sealed memfd reaps orphans and passes the status on (143)' init_v2

rootless_tty() {
	spec rltty <<'EOF'
tty: true
env: {PS1: 'rl$ '}
command: [/bin/sh, -i]
EOF
	lab_reads
	snapshot "$T/before"
	drive 'expect rl$
send tty; id -u; cat /proc/1/comm\r
expect ctlaunch-init
send sleep 30\r
sleep 500
send \x03
expect rl$
send exit 5\r
wait
termios' "$RUNAS" lab "$CTLAUNCH" "$T/rltty.yaml"
	expect_status 0
	expect_line /dev/pts/0
	expect_line 0
	expect_line "exit 5"
	expect_line "termios same"
	expect_unchanged "$T/before"
}
t 'rootless: a terminal and the init in a user namespace; Control-C, exit 5, the terminal as before' rootless_tty

# --- the overlay rootfs ------------------------------------------------

# Root on v2: the writes in a tmpfs vanish, DIR keeps them in a 0700
# directory, the lower stays byte-identical, nothing stays mounted.
overlay_v2() {
	cat >"$T/ovl.yaml" <<EOF
rootfs: {path: $ROOTFS, overlay: tmpfs}
command: [/bin/sh, -c, 'cat /kept 2>/dev/null; echo kept >/kept; rm -rf /etc; grep -c " / / .* - overlay " /proc/self/mountinfo']
EOF
	tree_state "$ROOTFS" >"$T/lower.before"
	snapshot "$T/before"
	run "$CTLAUNCH" "$T/ovl.yaml"
	expect_status 0
	expect_out 1
	run "$CTLAUNCH" "$T/ovl.yaml"
	expect_out 1
	sed -i "s|overlay: tmpfs|overlay: ovstate|" "$T/ovl.yaml"
	run "$CTLAUNCH" "$T/ovl.yaml"
	expect_out 1
	run "$CTLAUNCH" "$T/ovl.yaml"
	expect_out "kept
1"
	expect_eq "DIR's mode" "drwx------" "$(ls -ld "$T/ovstate" | cut -c1-10)"
	tree_state "$ROOTFS" >"$T/lower.after"
	cmp "$T/lower.before" "$T/lower.after" || fail "the lower changed"
	expect_unchanged "$T/before"
	rm -rf "$T/ovstate"
}
t 'overlay rootfs on v2: tmpfs writes gone, DIR kept (0700), the lower byte-identical, nothing left' overlay_v2

# Rootless on v2: the overlay made in the user namespace (userxattr), on
# a lower of lab's own; a write and a copy-up, no deletion of a lower
# directory: the VM's /tmp has no user xattrs on 6.1, which overlayfs
# needs for that (ctlaunch.yaml(5), rootfs).
overlay_rootless_v2() {
	cp -a "$ROOTFS" "$T/labroot"
	chown -R 1000:1000 "$T/labroot"
	cat >"$T/ovrl.yaml" <<'EOF'
rootfs: {path: labroot, overlay: ovrstate}
command: [/bin/sh, -c, 'id -u; cat /kept 2>/dev/null; echo kept >/kept; echo more >>/etc/passwd && grep -c userxattr /proc/self/mountinfo']
EOF
	lab_reads
	chown 1000 "$T"
	tree_state "$T/labroot" >"$T/lower.before"
	snapshot "$T/before"
	run "$RUNAS" lab "$CTLAUNCH" "$T/ovrl.yaml"
	expect_status 0
	expect_out "0
1"
	run "$RUNAS" lab "$CTLAUNCH" "$T/ovrl.yaml"
	expect_out "0
kept
1"
	expect_eq "DIR" "drwx------ 1000" "$(ls -ldn "$T/ovrstate" | awk '{ print $1, $3 }')"
	tree_state "$T/labroot" >"$T/lower.after"
	cmp "$T/lower.before" "$T/lower.after" || fail "the lower changed"
	expect_unchanged "$T/before"
	chown 0 "$T"
	rm -rf "$T/ovrstate" "$T/labroot"
}
t "overlay rootfs, rootless on v2: made in the user namespace, DIR kept and lab's, the lower untouched" overlay_rootless_v2

# --- network: a bridge (issue 12) ----------------------------------------

# Two containers on a bridge ctlaunch makes (veth and bridge are modules
# in this kernel): the server's nc gets the client's line, by address and
# by the name in the client's /etc/hosts; then no veth, no bridge, no
# lease is left, and the rest as it was.
bridge_v2() {
	share srv
	spec vmsrv <<EOF
network: {bridge: ctvmbr0, address: 10.66.0.2/24}
mounts: [{type: bind, source: $SHARE, target: /tmp}]
resources: {memory: 64M}
command: [/bin/sh, -c, 'mkfifo /dev/shm/q; exec 3<>/dev/shm/q; echo ready >/tmp/ready; nc -l -p 7000 <&3; nc -l -p 7000 <&3']
EOF
	spec vmcli <<'EOF'
network: {bridge: ctvmbr0, subnet: 10.66.0.0/24}
resources: {memory: 64M}
command: [/bin/sh, -c, 'for i in $(seq 100); do echo "by address" | nc -w 2 10.66.0.2 7000 && break; sleep 0.1; done; echo "by name" | nc -w 2 vmsrv 7000; ip -4 -o addr show dev eth0']
EOF
	snapshot "$T/before"
	start_bg "$CTLAUNCH" "$T/vmsrv.yaml"
	run "$CTLAUNCH" "$T/vmcli.yaml"
	expect_status 0
	case $out in
	*"inet 10.66.0.3/24"*) ;;
	*) fail "the client's address, want the first free one, 10.66.0.3:" "$out" ;;
	esac
	finish_bg
	expect_status 0
	expect_out "$(printf 'by address\nby name')"
	! ip link show dev ctvmbr0 2>/dev/null || fail "the bridge is left"
	[ -z "$(ip -o link show type veth)" ] || fail "a veth is left: $(ip -o link show type veth)"
	[ ! -e /run/ctlaunch/net/ctvmbr0 ] || fail "leases left: $(ls /run/ctlaunch/net/ctvmbr0)"
	expect_unchanged "$T/before"
}
t 'network: two containers on a bridge ctlaunch makes and removes, by address and by name' bridge_v2

# --- end ----------------------------------------------------------------

echo "1..$n"
rm -rf "$T"
[ "$failed" -eq 0 ]
