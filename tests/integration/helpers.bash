# Shared helpers of the integration tests: real containers from
# build/private/rootfs on the real kernel, as root. Load with `load helpers`.
#
# Every test gets a unique container name ($NAME) that is also its
# marker: it is the spec's file name (so ctlaunch's command line holds
# it), and every spec written by write_spec puts it in the container's
# environment (CTLT_MARKER), so every process of the container carries
# it. After each test, teardown checks that the run left nothing behind:
# no new cgroup under */ctlaunch/*, the host's mount table unchanged, no
# process with the marker. (The shared ctlaunch/ level itself stays, by
# design: ctlaunch --cleanup removes it, and tests/run.sh runs that
# after the suite.)

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# The build directory, absolute: tests/run.sh passes its B.
CT_BUILD=${CT_BUILD:-$ROOT/build}
CTLAUNCH=${CTLAUNCH:-$CT_BUILD/ctlaunch}
ROOTFS=$CT_BUILD/private/rootfs
# How long a poll waits for a container before the test fails.
POLL_SECS=${POLL_SECS:-20}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -x "$CTLAUNCH" ] || fail "no $CTLAUNCH (make $CTLAUNCH)"
	[ -x "$ROOTFS/bin/busybox" ] || fail "no $ROOTFS (sh scripts/mkrootfs.sh $ROOTFS)"
	NAME=ctlt-$$-$BATS_TEST_NUMBER
	SPEC=$BATS_TEST_TMPDIR/$NAME.yaml
	BG_PID=
	# Directories a test makes on the host (cgroup parents...): teardown
	# removes them, last first, also when the test failed half-way.
	RMDIR_AFTER=()
	CG_BEFORE=$BATS_TEST_TMPDIR/cgroups.before
	MNT_BEFORE=$BATS_TEST_TMPDIR/mountinfo.before
	list_ctlaunch_cgroups >"$CG_BEFORE"
	list_mounts >"$MNT_BEFORE"
	HOST_HOSTNAME=$(uname -n)
}

teardown() {
	[ -n "${NAME:-}" ] || return 0
	local problems=

	# A test that failed half-way may leave its container running.
	if [ -n "$BG_PID" ] && is_running "$BG_PID"; then
		problems+="ctlaunch (pid $BG_PID) still running at the end of the test"$'\n'
		kill -KILL "$BG_PID" 2>/dev/null || true
	fi
	[ -z "$BG_PID" ] || wait "$BG_PID" 2>/dev/null || true

	local pids
	pids=$(wait_no_marked_procs) ||
		problems+="processes left with marker $NAME: $pids"$'\n'
	local new
	new=$(new_ctlaunch_cgroups)
	[ -z "$new" ] || problems+="cgroups left behind:"$'\n'"$new"$'\n'
	local mnt
	mnt=$(list_mounts | diff "$MNT_BEFORE" - 2>&1) ||
		problems+="the host's mount table changed:"$'\n'"$mnt"$'\n'
	[ "$(uname -n)" = "$HOST_HOSTNAME" ] ||
		problems+="the host's name changed from $HOST_HOSTNAME to $(uname -n)"$'\n'

	# Clean up whatever was left, so one failure does not spread.
	for pid in $(marked_procs); do kill -KILL "$pid" 2>/dev/null || true; done
	# The names' lock files stay by design (ctlaunch(1), FILES), and so
	# does the record of a run killed with SIGKILL until a --list finds
	# it (which then makes the name's lock to remove it); the tests'
	# names are used once: remove both, now that no run is left.
	rm -f "/run/ctlaunch/$NAME.lock" /run/ctlaunch/"$NAME"-*.lock \
		"/run/ctlaunch/$NAME.state" /run/ctlaunch/"$NAME"-*.state
	local d
	while IFS= read -r d; do
		if [ -n "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
	done < <(printf '%s\n' "$new" | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
	local i
	for ((i = ${#RMDIR_AFTER[@]} - 1; i >= 0; i--)); do
		# The shared level a run left in a parent of the test's own
		# (ctlaunch(1), FILES).
		[ ! -d "${RMDIR_AFTER[i]}/ctlaunch" ] || rmdir "${RMDIR_AFTER[i]}/ctlaunch" 2>/dev/null || true
		[ ! -d "${RMDIR_AFTER[i]}" ] || rmdir "${RMDIR_AFTER[i]}" ||
			problems+="could not remove ${RMDIR_AFTER[i]}"$'\n'
	done

	if [ -n "$problems" ]; then
		printf 'teardown: %s' "$problems" >&2
		return 1
	fi
}

fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# --- host state ------------------------------------------------------

# Every cgroup directory below a directory named ctlaunch, in every
# hierarchy: the containers' cgroups.
list_ctlaunch_cgroups() {
	find /sys/fs/cgroup/*/ -mindepth 1 -type d -path '*/ctlaunch/*' 2>/dev/null | sort
}

# The container cgroups made since setup that are this test's: named
# after it ($NAME or $NAME-*), or made anywhere below our own memory
# cgroup when that one is ours alone (not the root). Containers that
# others run on the machine at the same time are not ours to judge or
# remove.
new_ctlaunch_cgroups() {
	local d rest mine=
	if [ "$(cg_own memory)" != / ]; then
		mine=$(cg_mount memory)$(cg_own memory)/ctlaunch/
	fi
	list_ctlaunch_cgroups | comm -13 "$CG_BEFORE" - | while IFS= read -r d; do
		rest=${d##*/ctlaunch/}
		rest=${rest%%/*}
		if [ "$rest" = "$NAME" ] || [[ $rest == "$NAME"-* ]] ||
			{ [ -n "$mine" ] && [[ $d == "$mine"* ]]; }; then
			printf '%s\n' "$d"
		fi
	done
}

# The host's mounts: mount ID and mount point, sorted.
list_mounts() {
	awk '{ print $1, $5 }' /proc/self/mountinfo | sort
}

# Pids of processes whose command line or environment holds the marker
# as a word of its own: the container's name, the spec's path, or
# CTLT_MARKER=<name>. grep -z matches NUL-separated words whole; the
# patterns are written so that grep's own command line never matches.
# (A loop in bash would be slow: bats traps every command.)
marked_procs() {
	{
		grep -lsazxF -- "CTLT_MARKER=$NAME" /proc/[0-9]*/environ
		grep -lsazxE -- "[${NAME:0:1}]${NAME:1}|.*/[${NAME:0:1}]${NAME:1}[.]yaml" /proc/[0-9]*/cmdline
	} | sed 's:^/proc/\([0-9]*\)/.*:\1:' | sort -un | tr '\n' ' '
}

# Processes of a container may take a moment to be reaped: poll, up to
# POLL_SECS; prints what is left when something is.
wait_no_marked_procs() {
	local pids i
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		pids=$(marked_procs)
		[ -z "$pids" ] && return 0
		sleep 0.05
	done
	printf '%s' "$pids"
	return 1
}

# --- cgroups ---------------------------------------------------------

# Where the v1 hierarchy holding controller $1 is mounted.
cg_mount() {
	awk -v c="$1" '{
		for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# Our own cgroup in the hierarchy of controller $1, as in /proc/self/cgroup.
cg_own() {
	awk -F: -v c="$1" '{
		n = split($2, o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $3; exit }
	}' /proc/self/cgroup
}

# The cgroup directory of container $2 (default $NAME) for controller $1:
# ctlaunch runs in the test's cgroup, so its cgroup is
# <mount><our cgroup>/ctlaunch/<name>.
cg_dir() {
	local mnt own
	mnt=$(cg_mount "$1")
	own=$(cg_own "$1")
	[ -n "$mnt" ] || { echo "no v1 hierarchy for $1" >&2; return 1; }
	[ "$own" = / ] && own=
	printf '%s%s/ctlaunch/%s\n' "$mnt" "$own" "${2:-$NAME}"
}

# --- specs and runs --------------------------------------------------

# write_spec <<EOF ... EOF: the spec at $SPEC from stdin, after
# `rootfs: <build/private/rootfs>`, with the marker added to its env (a block
# `env:` line of the input gets it as its first entry).
write_spec() {
	local body
	body=$(cat)
	{
		printf 'rootfs: %s\n' "$ROOTFS"
		if grep -q '^env:[[:space:]]*$' <<<"$body"; then
			awk -v m="$NAME" '{ print } /^env:[[:space:]]*$/ { print "  CTLT_MARKER: " m }' <<<"$body"
		else
			printf '%s\n' "$body"
			printf 'env:\n  CTLT_MARKER: %s\n' "$NAME"
		fi
	} >"$SPEC"
}

# ctl ARGS...: run ctlaunch in the foreground (use with `run`).
ctl() {
	CTLT_MARKER=$NAME "$CTLAUNCH" "$@"
}

# ctl_bg ARGS...: start ctlaunch in the background with its pid in
# BG_PID; stdin from the fifo $BG_IN (the container reads it to wait),
# stdout and stderr to $BG_OUT and $BG_ERR. SIGINT and SIGQUIT get their
# default action back (bash ignores them in background jobs), as from a
# terminal. Descriptors of bats above 2 are closed: a background process
# holding one would stall bats.
ctl_bg() {
	BG_IN=$BATS_TEST_TMPDIR/in
	BG_OUT=$BATS_TEST_TMPDIR/out
	BG_ERR=$BATS_TEST_TMPDIR/err
	rm -f "$BG_IN"
	mkfifo "$BG_IN"
	: >"$BG_OUT"
	: >"$BG_ERR"
	env --default-signal=INT,QUIT CTLT_MARKER="$NAME" "$CTLAUNCH" "$@" \
		<"$BG_IN" >"$BG_OUT" 2>"$BG_ERR" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	BG_PID=$!
	# Opening the writer lets the background job open its stdin; the
	# container's `read` returns when bg_release closes it.
	exec {BG_W}<>"$BG_IN"
}

# Let a container waiting in `read` go on: closing the only writer is
# an end of file for it. (Writing could raise SIGPIPE in the test if
# ctlaunch has already ended.)
bg_release() {
	if [ -n "${BG_W:-}" ]; then
		exec {BG_W}>&-
		BG_W=
	fi
}

# bg_wait: wait for the background ctlaunch; its exit status in $status,
# its output in $output and $stderr. Fails after POLL_SECS.
bg_wait() {
	bg_release
	local i
	for ((i = 0; i < POLL_SECS * 20; i++)); do
		is_running "$BG_PID" || break
		sleep 0.05
	done
	if is_running "$BG_PID"; then
		fail "ctlaunch still runs after ${POLL_SECS}s"$'\n'"stdout: $(cat "$BG_OUT")"$'\n'"stderr: $(cat "$BG_ERR")"
		return 1
	fi
	status=0
	wait "$BG_PID" || status=$?
	BG_PID=
	output=$(cat "$BG_OUT")
	stderr=$(cat "$BG_ERR")
}

# wait_for_line TEXT: until the background container printed TEXT.
wait_for_line() {
	local i
	for ((i = 0; i < POLL_SECS * 50; i++)); do
		grep -qxF -- "$1" "$BG_OUT" && return 0
		if ! is_running "$BG_PID"; then
			grep -qxF -- "$1" "$BG_OUT" && return 0
			fail "ctlaunch ended before the container printed '$1'"$'\n'"stdout: $(cat "$BG_OUT")"$'\n'"stderr: $(cat "$BG_ERR")"
			return 1
		fi
		sleep 0.02
	done
	fail "the container did not print '$1' in ${POLL_SECS}s"$'\n'"stdout: $(cat "$BG_OUT")"$'\n'"stderr: $(cat "$BG_ERR")"
}

# Whether process $1 exists and has not ended (a zombie has: kill -0
# would still find it).
is_running() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# wait_not_pending PID SIGNUM: until process PID has taken signal SIGNUM
# (it is no longer pending), or PID ended.
wait_not_pending() {
	local i mask
	for ((i = 0; i < POLL_SECS * 50; i++)); do
		is_running "$1" || return 0
		mask=$(awk '/^ShdPnd:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 0
		[ -n "$mask" ] || return 0
		(((0x$mask >> ($2 - 1)) & 1)) || return 0
		sleep 0.02
	done
	fail "signal $2 still pending for pid $1 after ${POLL_SECS}s"
}

# The host pid of the container's PID 1: the process in the cgroup $1
# whose pid in its own namespace is 1.
container_init_pid() {
	local pid nspid
	while read -r pid; do
		nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status" 2>/dev/null)
		[ "$nspid" = 1 ] && { echo "$pid"; return 0; }
	done <"$1/cgroup.procs"
	fail "no PID 1 of a container in $1/cgroup.procs: $(cat "$1/cgroup.procs")"
}

# --- assertions ------------------------------------------------------

# After `run`: the exit status must be $1.
assert_status() {
	[ "$status" -eq "$1" ] && return 0
	fail "exit status: want $1, got $status"$'\n'"stdout: $output"$'\n'"stderr: ${stderr:-}"
}

# assert_eq WHAT WANT GOT
assert_eq() {
	[ "$2" = "$3" ] && return 0
	fail "$1: want '$2', got '$3'"
}

# assert_match WHAT ERE TEXT
assert_match() {
	[[ $3 =~ $2 ]] && return 0
	fail "$1: want a match of /$2/, got '$3'"
}

# assert_contains WHAT STRING TEXT
assert_contains() {
	[[ $3 == *"$2"* ]] && return 0
	fail "$1: want '$2' in:"$'\n'"$3"
}

# assert_no_match WHAT ERE TEXT
assert_no_match() {
	[[ $3 =~ $2 ]] || return 0
	fail "$1: want no match of /$2/, got '$3'"
}

# assert_line WHAT LINE TEXT: TEXT holds LINE as a whole line.
assert_line() {
	grep -qxF -- "$2" <<<"$3" && return 0
	fail "$1: want the line '$2' in:"$'\n'"$3"
}

# assert_line_match WHAT ERE TEXT: a line of TEXT matches ERE.
assert_line_match() {
	grep -qE -- "$2" <<<"$3" && return 0
	fail "$1: want a line matching /$2/ in:"$'\n'"$3"
}

# assert_no_line WHAT ERE TEXT: no line of TEXT matches ERE.
assert_no_line() {
	grep -qE -- "$2" <<<"$3" || return 0
	fail "$1: want no line matching /$2/, got:"$'\n'"$3"
}
