#!/usr/bin/env bash
# tests/oci-diff.sh SPEC...: the differential test of --export-oci
# (tests/integration/oci-diff.bats runs it, as root). For each spec, the
# container runs three times, one after the other: with ctlaunch, and
# with crun and runc from the bundle `ctlaunch --export-oci` wrote. Each
# runs the same probe instead of the spec's command (busybox sh: host
# name, ids and groups, the Cap*, NoNewPrivs and Seccomp lines of
# /proc/self/status, the mount table as targets, types and options,
# the rlimits, the environment, the working directory, the umask), and
# while it waits, the host reads the container's cgroup files. What crun
# or runc saw is compared with what ctlaunch saw, line by line.
#
# A difference is a failure unless tests/oci-diff.known lists it: one
# known difference a line, "RUNTIME SIDE REGEX" (RUNTIME crun, runc or
# *; SIDE - for a line only ctlaunch's container showed, + for one only
# the runtime's), each with its reason there and in ctlaunch(1), OCI
# EXPORT. So a new difference fails the test.
#
# Prints TAP: one line per spec and runtime. Runs in a private mount
# namespace of its own with the v1 hierarchies mounted again by name
# (scripts/v1-cgroups.sh: crun refuses this hybrid host as it is); the
# containers' cgroups live under /ctlt-oci-PID in every hierarchy and are
# removed at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
CTL=${CTLAUNCH:-$ROOT/build/ctlaunch}
KNOWN=$ROOT/tests/oci-diff.known
# shellcheck source=scripts/v1-cgroups.sh
. "$ROOT/scripts/v1-cgroups.sh"

if [ -z "${OCIDIFF_INNER:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
	for t in crun runc; do
		command -v $t >/dev/null || { echo "1..0 # SKIP no $t (make deps)"; exit 0; }
	done
	[ -n "$(v1_hierarchies)" ] || { echo "1..0 # SKIP no cgroup v1 hierarchy"; exit 0; }
	export OCIDIFF_INNER=1
	exec unshare -m --propagation private -- "$BASH" "$0" "$@"
fi

remount_v1_cgroups
P=ctlt-oci-$$
T=$(mktemp -d /tmp/ctlt-oci.XXXXXX)
# A rootfs the mapped root of a user namespace can reach, for the specs
# with userns: true (build/private is root's alone: ctlaunch opens it
# before the clone, a runtime from inside the namespace).
chmod 755 "$T"
sh scripts/mkrootfs.sh "$T/rootfs" >/dev/null
BG=
NAMES=()

cleanup() {
	local n d
	[ -z "$BG" ] || kill -KILL "$BG" 2>/dev/null || true
	wait 2>/dev/null || true
	for n in "${NAMES[@]}"; do
		crun --root "$T/crun-state" delete -f "$n" >/dev/null 2>&1 || true
		runc --root "$T/runc-state" delete -f "$n" >/dev/null 2>&1 || true
		rm -f "/run/ctlaunch/$n.lock" "/run/ctlaunch/$n.state"
	done
	while read -r d _; do
		[ -d "$d/$P" ] && find "$d/$P" -depth -type d -exec rmdir {} + 2>/dev/null
	done < <(v1_hierarchies)
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The parent of every container's cgroups, in every hierarchy; a new v1
# cpuset takes no task until cpus and mems are set.
while read -r d _; do
	mkdir "$d/$P"
done < <(v1_hierarchies)
cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$P/cpuset.mems"
cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$P/cpuset.cpus"

# What the container sees; then it waits on its stdin (a fifo) while the
# host reads its cgroups. mountinfo: target, type, the mount's options
# and the file system's, each list sorted, the mounts sorted by target:
# the runtimes make the masks and the cgroup hierarchies in an order of
# their own, and pass options in another order.
# shellcheck disable=SC2016 # expanded in the container
PROBE='
echo "hostname $(hostname)"
echo "ids $(id -u) $(id -g) groups $(id -G)"
grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status
awk "{ split(\$0, h, \" - \"); split(h[1], f, \" \"); split(h[2], g, \" \")
	n = split(f[6] \",\" g[3], o, \",\"); s = \"\"
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (o[j] < o[i]) { t = o[i]; o[i] = o[j]; o[j] = t }
	for (i = 1; i <= n; i++) if (i == 1 || o[i] != o[i - 1]) s = s (s == \"\" ? \"\" : \",\") o[i]
	print \"mount\", f[5], g[1], s }" /proc/self/mountinfo | sort
sed -n "s/^Max /rlimit /p" /proc/self/limits
env | grep -v "^SHLVL=" | sort | sed "s/^/env /"
echo "cwd $(pwd)"
mkdir /dev/shm/.probe 2>&1 && rmdir /dev/shm/.probe; echo "mkdir $?"
echo "uname $(uname -n 2>&1)"
echo "umask $(umask)"
echo END
read x
exit 0
'

# The host's side: the container's cgroup files, where they exist.
CG_FILES="memory.limit_in_bytes memory.memsw.limit_in_bytes memory.kmem.tcp.limit_in_bytes
cpu.shares cpu.cfs_period_us cpu.cfs_quota_us cpuset.cpus cpuset.mems pids.max devices.list"
cgroup_values() { # NAME
	local f ctrl d
	for f in $CG_FILES; do
		ctrl=${f%%.*}
		while read -r d opts; do
			[[ ",$opts," == *",$ctrl,"* ]] || continue
			if [ -f "$d/$P/ctlaunch/$1/$f" ]; then
				echo "cgroup $f $(paste -sd' ' "$d/$P/ctlaunch/$1/$f")"
			elif [ ! -d "$d/$P/ctlaunch/$1" ]; then
				echo "cgroup $f: no directory $d/$P/ctlaunch/$1"
			fi
		done < <(v1_hierarchies)
	done
	if grep -q . "/sys/fs/cgroup/pids/$P/ctlaunch/$1/cgroup.procs"; then
		echo "cgroup pids: the container is in it"
	fi
}

# run_one OUT NAME COMMAND...: runs the container, its stdin a fifo,
# waits for the probe's END, adds the cgroup values, lets it end.
run_one() {
	local out=$1 name=$2 i rc=0
	shift 2
	rm -f "$T/go"
	mkfifo "$T/go"
	"$@" <"$T/go" >"$out" 2>"$out.err" &
	BG=$!
	exec 9>"$T/go"
	for ((i = 0; i < 200; i++)); do
		grep -qx END "$out" && break
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.05
	done
	if grep -qx END "$out"; then
		cgroup_values "$name" >>"$out"
	fi
	exec 9>&-
	wait "$BG" || rc=$?
	BG=
	[ "$rc" -eq 0 ] || echo "exit $rc: $(head -c 300 "$out.err")" >>"$out"
}

# The diff lines of BASE and OTHER that tests/oci-diff.known does not
# explain, for RUNTIME.
unexplained() { # RUNTIME BASE OTHER
	{ diff "$2" "$3" || true; } | { grep -E '^[<>] ' || true; } | sed 's/^</-/; s/^>/+/' |
		while IFS= read -r line; do
			side=${line:0:1} text=${line:2}
			explained=
			while read -r rt sd re; do
				[[ -z "$rt" || "$rt" == \#* ]] && continue
				[[ "$rt" == "$1" || "$rt" == "*" ]] || continue
				[ "$sd" = "$side" ] || continue
				[[ "$text" =~ ^$re$ ]] && explained=1 && break
			done <"$KNOWN"
			[ -n "$explained" ] || printf '%s %s\n' "$side" "$text"
		done
}

echo "1..$(($# * 2))"
n=0
status=0
for spec in "$@"; do
	n=$((n + 1))
	name=ctlt-oci-$$-$n
	NAMES+=("$name")
	args=(--name "$name" --cgroup-parent "/$P")
	# A terminal of its own: the probe runs without one (a runtime
	# wants one on stdin as ctlaunch does; tests/integration/tty.bats
	# tests ctlaunch's).
	if grep -Eq '^tty:[[:space:]]*true' "$spec"; then
		args+=(--set tty=false)
	fi
	if grep -Eq '^userns:[[:space:]]*true' "$spec"; then
		args+=(--set "rootfs=$T/rootfs")
	fi
	args+=("$spec" -- /bin/sh -c "$PROBE")
	run_one "$T/ctlaunch.out" "$name" "$CTL" "${args[@]}"
	rm -rf "$T/bundle"
	if ! "$CTL" --export-oci "$T/bundle" "${args[@]}" 2>"$T/export.err"; then
		for rt in crun runc; do
			echo "not ok - $spec: $rt: --export-oci failed: $(cat "$T/export.err")"
		done
		status=1
		continue
	fi
	for rt in crun runc; do
		run_one "$T/$rt.out" "$name" "$rt" --root "$T/$rt-state" run --bundle "$T/bundle" "$name"
		unexplained "$rt" "$T/ctlaunch.out" "$T/$rt.out" >"$T/diff"
		if [ -s "$T/diff" ] || ! grep -qx END "$T/ctlaunch.out"; then
			echo "not ok - $spec: $rt sees what ctlaunch's container does"
			grep -qx END "$T/ctlaunch.out" || sed 's/^/#   ctlaunch: /' "$T/ctlaunch.out" "$T/ctlaunch.out.err"
			sed 's/^/#   /' "$T/diff"
			status=1
		else
			echo "ok - $spec: $rt sees what ctlaunch's container does"
		fi
	done
done
exit $status
