#!/usr/bin/env bash
# bench/run.sh (`make bench`): ctlaunch side by side with a floor
# program, crun, runc and bwrap, all launching the same container
# (busybox rootfs, /bin/true, new uts/pid/mnt/ipc/net namespaces, memory
# 64M, cpu shares 512, cpuset cpus 0 mems 0), then ctlaunch alone:
# --plan times, 1000 sequential and 32 concurrent launches, spec-size
# scaling, and where its time goes (strace, perf).
#
# Prints a markdown report and writes it, with every raw number behind
# it, to build/bench/. It reports and never judges: the exit status is
# non-zero only when a launcher is missing or a launch fails.
#
# As root. Installs what is missing from Debian (apt-get). Everything
# runs in a private mount namespace whose /sys/fs/cgroup is a fresh tmpfs
# with the v1 hierarchies mounted again by name (crun 1.8.1 refuses a
# hybrid layout); the host's mounts are never touched. The cgroups made
# live under /ctbench-PID in each hierarchy and are removed at the end,
# on Ctrl-C too. See bench/README.md.
#
# Knobs (environment): BENCH_RUNS (hyperfine runs per launcher, 30),
# BENCH_ITERS (interleaved rounds, 60), BENCH_SEQ (sequential launches,
# 1000), BENCH_CONC (concurrent launches, 32), BENCH_BASE (a git revision
# of ctlaunch to build and time beside this one, e.g. the commit before
# a change: a row of its own; none by default).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/bench
ROOTFS=$ROOT/build/private/rootfs
CTL=$ROOT/build/ctlaunch
CG=/sys/fs/cgroup
RUNS=${BENCH_RUNS:-30}
ITERS=${BENCH_ITERS:-60}
SEQ=${BENCH_SEQ:-1000}
CONC=${BENCH_CONC:-32}
PLAN_RUNS=50
PEERS="crun runc bubblewrap hyperfine time strace"

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# v1_hierarchies and remount_v1_cgroups (crun refuses this hybrid host
# as it is), shared with tests/oci-diff.sh.
# shellcheck source=scripts/v1-cgroups.sh
. scripts/v1-cgroups.sh

# Removes every cgroup of this run: /ctbench-ID and /ctbench-ID-* in each
# hierarchy, with whatever a launcher made below them. A process still in one was started
# by this run; it is killed first, by its pid.
sweep_cgroups() {
	local dir d left=0
	while read -r dir _; do
		for d in "$dir/$CTBENCH_ID" "$dir/$CTBENCH_ID"-*; do
			[ -d "$d" ] || continue
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
				while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
			if [ -d "$d" ]; then
				sleep 0.2 # a killed task leaves its cgroup a moment after it dies
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
			fi
			[ -d "$d" ] && left=1 && say "could not remove $d"
		done
	done < <(v1_hierarchies)
	return $left
}

# grep reads to the end (no -q): with pipefail, a writer cut off by an
# early exit of grep would make the pipeline fail.
pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep ' ok installed$' >/dev/null
}

pkg_available() {
	apt-cache policy "$1" 2>/dev/null | grep '^  Candidate: [^(]' >/dev/null
}

# The peers and the tools, from Debian, only what is missing; apt-get
# update only when apt does not know a package yet.
install_peers() {
	local p missing=() unknown=()
	for p in $PEERS; do
		pkg_installed "$p" || missing+=("$p")
	done
	command -v python3 >/dev/null || missing+=(python3)
	[ ${#missing[@]} -eq 0 ] && return 0
	for p in "${missing[@]}"; do
		pkg_available "$p" || unknown+=("$p")
	done
	if [ ${#unknown[@]} -gt 0 ]; then
		say "apt-get update (apt does not know: ${unknown[*]})"
		apt-get update -q >&2 || die "apt-get update failed"
		for p in "${unknown[@]}"; do
			pkg_available "$p" || die "package '$p' is not in the apt sources"
		done
	fi
	say "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=120 "${missing[@]}" </dev/null >&2 ||
		die "apt-get install failed for: ${missing[*]}"
}

# bench/floor.c and bench/timeit.c, with the project's own compiler
# flags, static when the C library allows it.
build_tools() {
	local flags f name
	# shellcheck disable=SC2016 # $(ALL_CFLAGS) is make's, not the shell's
	flags=$(make -s --no-print-directory --eval 'bench-cflags: ; @echo $(ALL_CFLAGS)' bench-cflags)
	flags=$(tr ' ' '\n' <<<"$flags" | grep -Ev '^(-MMD|-MP|-DCTLAUNCH_VERSION=.*)$' | tr '\n' ' ')
	for name in floor timeit; do
		f=$OUT/$name
		src=("bench/$name.c")
		# The floor's --secure loads ctlaunch's precompiled default
		# seccomp filter: the file the build generates, linked in.
		[ "$name" = floor ] && src+=(-DFLOOR_SECCOMP build/gen/seccomp_builtin.c)
		# shellcheck disable=SC2086 # one word per flag
		if ${CC:-cc} $flags -static -o "$f" "${src[@]}" 2>"$OUT/$name.build.log"; then
			echo static >"$OUT/$name.linkage"
		else
			# shellcheck disable=SC2086
			${CC:-cc} $flags -o "$f" "${src[@]}" || die "cannot build bench/$name.c"
			echo dynamic >"$OUT/$name.linkage"
		fi
	done
}

# The dynamic ctlaunch (make STATIC=0; the default build is static), and
# one with only libyaml and libcap linked in (libc still shared), each in
# its own build directory so that build/ctlaunch stays as it is.
# BENCH_BASE: that revision of this repository, built in build/bench/base
# from git archive (its own Makefile, its default static build).
build_base_ctlaunch() {
	local dir=$OUT/base
	rm -rf "$dir"
	[ -n "${BENCH_BASE:-}" ] || return 0
	mkdir -p "$dir"
	git rev-parse --short "$BENCH_BASE" >"$dir/rev" 2>/dev/null ||
		die "BENCH_BASE: no revision '$BENCH_BASE' in this repository"
	git archive "$BENCH_BASE" | tar -x -C "$dir" ||
		die "BENCH_BASE: cannot unpack $BENCH_BASE"
	make --no-print-directory -C "$dir" build/ctlaunch >"$OUT/base.build.log" 2>&1 ||
		die "BENCH_BASE: $BENCH_BASE does not build (build/bench/base.build.log)"
}

build_dynamic_ctlaunch() {
	local how="make B=build/bench/dynamic STATIC=0 build/bench/dynamic/ctlaunch"
	rm -f "$OUT/static.tsv"
	if make --no-print-directory B=build/bench/dynamic STATIC=0 \
		build/bench/dynamic/ctlaunch >"$OUT/dynamic.build.log" 2>&1 &&
		"$OUT/dynamic/ctlaunch" --version >/dev/null 2>&1; then
		local s d ss ds
		s=$(stat -c %s "$CTL")
		d=$(stat -c %s "$OUT/dynamic/ctlaunch")
		strip -o "$OUT/dynamic/ctlaunch.static-stripped" "$CTL"
		strip -o "$OUT/dynamic/ctlaunch.stripped" "$OUT/dynamic/ctlaunch"
		ss=$(stat -c %s "$OUT/dynamic/ctlaunch.static-stripped")
		ds=$(stat -c %s "$OUT/dynamic/ctlaunch.stripped")
		rm -f "$OUT/dynamic/ctlaunch.stripped" "$OUT/dynamic/ctlaunch.static-stripped"
		printf 'how\t%s\nresult\tbuilds and runs (it is the "ctlaunch, dynamic" row); the default static build is %s bytes, %s stripped, against %s and %s for this dynamic one (libyaml, libcap and libc shared)\n' \
			"$how" "$s" "$ss" "$d" "$ds" >"$OUT/static.tsv"
	else
		rm -f "$OUT/dynamic/ctlaunch"
		printf 'how\t%s\nresult\tfailed, see build/bench/dynamic.build.log\n' "$how" >"$OUT/static.tsv"
		say "the dynamic build of ctlaunch failed (build/bench/dynamic.build.log); its row is skipped"
	fi
	if make --no-print-directory B=build/bench/libs-static STATIC=0 \
		PKG_LIBS='-Wl,-Bstatic -lyaml -lcap -lseccomp -Wl,-Bdynamic -lm' \
		build/bench/libs-static/ctlaunch >"$OUT/libs-static.build.log" 2>&1 &&
		"$OUT/libs-static/ctlaunch" --version >/dev/null 2>&1; then
		printf 'libs\t%s bytes (libyaml, libcap and libseccomp linked in, libc shared)\n' \
			"$(stat -c %s "$OUT/libs-static/ctlaunch")" >>"$OUT/static.tsv"
	else
		rm -f "$OUT/libs-static/ctlaunch"
		say "the libyaml+libcap static build failed (build/bench/libs-static.build.log); its row is skipped"
	fi
}

if [ -z "${CTBENCH_ID:-}" ]; then
	# ---------------------------------------------------------- outside
	[ "$(id -u)" -eq 0 ] || die "run as root: the launchers need it (sudo make bench)"
	case $ROOT in *[[:space:]]*) die "the checkout's path must not contain spaces: $ROOT" ;; esac
	[ -n "$(v1_hierarchies)" ] ||
		die "no cgroup v1 hierarchy under /sys/fs/cgroup: ctlaunch's limits need v1 or a hybrid layout"
	sh scripts/deps.sh
	install_peers
	mkdir -p "$OUT"
	rm -f "$OUT"/*.tsv "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.md "$OUT"/*.log
	say "building"
	make --no-print-directory build/ctlaunch >"$OUT/build.log" 2>&1 ||
		{ cat "$OUT/build.log" >&2; die "cannot build ctlaunch"; }
	sh scripts/mkrootfs.sh "$ROOTFS"
	# examples/rootless.yaml's rootfs: --plan of every example checks it.
	# Its directory is made here, not by mkrootfs.sh (which makes the
	# directories it creates root's alone): an ordinary user's container
	# must reach it, as tests/integration/rootless.bats makes it.
	mkdir -p "$ROOT/build/rootless"
	sh scripts/mkrootfs.sh "$ROOT/build/rootless/rootfs"
	build_tools
	build_dynamic_ctlaunch
	build_base_ctlaunch
	export CTBENCH_ID=ctbench-$$
	# The name locks of this run's containers too (ctlaunch keeps one
	# file per name in /run/ctlaunch; these names are used once).
	trap 'sweep_cgroups || true; rm -f /run/ctlaunch/"$CTBENCH_ID"*.lock' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	rc=0
	unshare -m --propagation private -- "$BASH" "$0" "$@" || rc=$?
	exit $rc
fi

# -------------------------------------------------------------- inside
# A private mount namespace: what is mounted here is never seen outside,
# and goes away with the last process of the benchmark.
ID=$CTBENCH_ID
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
TMP=
BG=()

cleanup() {
	local p
	for p in "${BG[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ -n "$TMP" ]; then
		crun --root "$TMP/crun-state" delete -f "$ID-crun" >/dev/null 2>&1 || true
		runc --root "$TMP/runc-state" delete -f "$ID-runc" >/dev/null 2>&1 || true
	fi
	sweep_cgroups || true
	[ -n "$TMP" ] && rm -rf "$TMP"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

remount_v1_cgroups
TMP=$(mktemp -d /tmp/ctbench.XXXXXX)

# The parent of every cgroup of this run, in every hierarchy: ctlaunch
# gives its container a cgroup in each (--cgroup-parent must be there).
# A new v1 cpuset takes no task until cpus and mems are set: copy them.
mkcg() {
	local dir
	while read -r dir _; do
		mkdir "$dir/$1"
	done < <(v1_hierarchies)
	cat "$CG/cpuset/$(dirname "$1")/cpuset.mems" >"$CG/cpuset/$1/cpuset.mems"
	cat "$CG/cpuset/$(dirname "$1")/cpuset.cpus" >"$CG/cpuset/$1/cpuset.cpus"
}
mkcg "$ID"
# For the "shared cgroups kept" variant: an empty child keeps ctlaunch
# from removing its shared ctlaunch/ directories after each launch.
mkcg "$ID/kept"
mkcg "$ID/kept/ctlaunch"
mkcg "$ID/kept/ctlaunch/keep"

# ctlaunch's spec, and the same without resources.
cat >"$TMP/bench.yaml" <<EOF
name: bench
rootfs: $ROOTFS
hostname: bench
command: [/bin/true]
resources:
  memory: 64M
  cpu_shares: 512
  cpuset:
    cpus: "0"
    mems: "0"
EOF
sed '/^resources:/,$d' "$TMP/bench.yaml" >"$TMP/bench-nores.yaml"
sed '/^  cpuset:/,$d' "$TMP/bench.yaml" >"$TMP/bench-nocpuset.yaml"
# What the default's parts cost (issues 10 and 15): without the seccomp
# filter, and with a user namespace of its own.
{ cat "$TMP/bench.yaml"; echo "seccomp: unconfined"; } >"$TMP/bench-unconfined.yaml"
{ cat "$TMP/bench.yaml"; echo "userns: true"; } >"$TMP/bench-userns.yaml"
# The cost of an overlay rootfs (issue 12): the rootfs as the lower layer,
# the writes in a tmpfs of the container's.
sed "s|^rootfs: .*|rootfs: {path: $ROOTFS, overlay: tmpfs}|" "$TMP/bench.yaml" >"$TMP/bench-overlay.yaml"
# And a bridge (issue 12): the lease, the container's namespace, its veth
# pair, address and route, and the bridge itself, which each launch makes
# and removes (it is the bridge's only user).
BENCH_BR=ctb$$
BENCH_BR=${BENCH_BR:0:15}
{ cat "$TMP/bench.yaml"; printf 'network: {bridge: %s, subnet: 10.250.0.0/24}\n' "$BENCH_BR"; } \
	>"$TMP/bench-bridge.yaml"

# The OCI bundles of crun and runc: ctlaunch's own container, from the
# same spec, by --export-oci (its cgroups under /$ID/ctlaunch/NAME, as
# ctlaunch's would be; tests/oci-diff.sh checks that crun and runc run
# it as ctlaunch does). The rootfs is used in place, so a bundle holds
# only config.json.
write_bundle() { # DIR NAME COMMAND...
	"$CTL" --export-oci "$1" --name "$2" --cgroup-parent "/$ID" "$TMP/bench.yaml" -- "${@:3}" ||
		die "cannot write $1/config.json"
}
for rt in crun runc; do
	write_bundle "$TMP/$rt-true" "$ID-$rt" /bin/true
	write_bundle "$TMP/$rt-sleep" "$ID-$rt" /bin/sleep 1
done

# The launchers: key, label, group (main or variant).
# shellcheck disable=SC2016 # backquotes for markdown
{
	printf 'true\t`/bin/true` alone, no container\tmain\n'
	printf 'floor\tfloor (bench/floor.c, %s)\tmain\n' "$(cat "$OUT/floor.linkage")"
	printf 'floor-secure\tsecure floor (floor --secure: a cgroup in every hierarchy, pids 2048, device rules, seccomp filter)\tmain\n'
	printf 'ctlaunch\tctlaunch %s\tmain\n' "$("$CTL" --version | awk '{print $2}')"
	printf 'crun\tcrun %s\tmain\n' "$(crun --version | awk 'NR==1{print $3}')"
	printf 'runc\trunc %s\tmain\n' "$(runc --version | awk 'NR==1{print $3}')"
	printf 'bwrap\tbwrap %s (applies no cgroup limits)\tmain\n' "$(bwrap --version | awk '{print $2}')"
	if [ -x "$OUT/dynamic/ctlaunch" ]; then
		printf 'ctlaunch-dynamic\tctlaunch, dynamic (make STATIC=0)\tvariant\n'
	fi
	if [ -x "$OUT/libs-static/ctlaunch" ]; then
		printf 'ctlaunch-libs\tctlaunch, libyaml and libcap linked in, libc shared\tvariant\n'
	fi
	printf 'ctlaunch-kept\tctlaunch, shared ctlaunch/ cgroups kept between launches\tvariant\n'
	printf 'floor-secure-vfork\tsecure floor --vfork\tvariant\n'
	printf 'floor-vfork\tfloor --vfork: its child started as ctlaunch starts root'"'"'s (CLONE_VM, CLONE_VFORK)\tvariant\n'
	printf 'ctlaunch-nocpuset\tctlaunch, memory and cpu shares only (no cpuset)\tvariant\n'
	printf 'ctlaunch-nores\tctlaunch, no resources (the default pids limit alone)\tvariant\n'
	printf 'ctlaunch-unconfined\tctlaunch, seccomp: unconfined (no filter)\tvariant\n'
	printf 'ctlaunch-userns\tctlaunch, userns: true (a user namespace of its own)\tvariant\n'
	printf 'ctlaunch-overlay\tctlaunch, rootfs: {overlay: tmpfs} (an overlay rootfs)\tvariant\n'
	printf 'ctlaunch-bridge\tctlaunch, network: a bridge (lease, veth pair, address, route; the bridge made and removed each launch)\tvariant\n'
	if [ -x "$OUT/base/build/ctlaunch" ]; then
		printf 'ctlaunch-base\tctlaunch at %s (BENCH_BASE)\tvariant\n' "$(cat "$OUT/base/rev")"
	fi
} >"$OUT/launchers.tsv"
mapfile -t KEYS < <(cut -f1 "$OUT/launchers.tsv")

# The secure floor's cgroups: one in every hierarchy, as ctlaunch's
# since issue 10, CONTROLLER=DIR where it writes limits (the bench's,
# the default pids limit, the device policy); argv_of appends the name.
SECURE_DIRS=()
while read -r dir opts; do
	c=
	for o in memory cpu cpuset pids devices; do
		[[ ",$opts," == *",$o,"* ]] && c=$o=
	done
	SECURE_DIRS+=("$c$dir/$ID")
done < <(v1_hierarchies)

# argv_of KEY true|sleep: the launcher's command line in A, its container
# running /bin/true or, for the limits check, /bin/sleep 1.
argv_of() {
	local cmd=(/bin/true)
	[ "$2" = sleep ] && cmd=(/bin/sleep 1)
	case $1 in
	true) A=("${cmd[@]}") ;;
	floor) A=("$OUT/floor" "$ROOTFS" "memory=$CG/memory/$ID/floor" "cpu=$CG/cpu/$ID/floor"
		"cpuset=$CG/cpuset/$ID/floor" -- "${cmd[@]}") ;;
	floor-vfork) A=("$OUT/floor" --vfork "$ROOTFS" "memory=$CG/memory/$ID/floorv"
		"cpu=$CG/cpu/$ID/floorv" "cpuset=$CG/cpuset/$ID/floorv" -- "${cmd[@]}") ;;
	floor-secure) A=("$OUT/floor" --secure "$ROOTFS" "${SECURE_DIRS[@]/%//floors}" -- "${cmd[@]}") ;;
	floor-secure-vfork) A=("$OUT/floor" --secure --vfork "$ROOTFS" "${SECURE_DIRS[@]/%//floorsv}"
		-- "${cmd[@]}") ;;
	ctlaunch) A=("$CTL" --name "$ID" --cgroup-parent "/$ID" "$TMP/bench.yaml" -- "${cmd[@]}") ;;
	ctlaunch-dynamic) A=("$OUT/dynamic/ctlaunch" --name "$ID-s" --cgroup-parent "/$ID"
		"$TMP/bench.yaml" -- "${cmd[@]}") ;;
	ctlaunch-libs) A=("$OUT/libs-static/ctlaunch" --name "$ID-l" --cgroup-parent "/$ID"
		"$TMP/bench.yaml" -- "${cmd[@]}") ;;
	ctlaunch-kept) A=("$CTL" --name "$ID-k" --cgroup-parent "/$ID/kept" "$TMP/bench.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-nocpuset) A=("$CTL" --name "$ID-c" --cgroup-parent "/$ID" "$TMP/bench-nocpuset.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-nores) A=("$CTL" --name "$ID-n" "$TMP/bench-nores.yaml" -- "${cmd[@]}") ;;
	ctlaunch-unconfined) A=("$CTL" --name "$ID-u" --cgroup-parent "/$ID" "$TMP/bench-unconfined.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-userns) A=("$CTL" --name "$ID-U" --cgroup-parent "/$ID" "$TMP/bench-userns.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-overlay) A=("$CTL" --name "$ID-o" --cgroup-parent "/$ID" "$TMP/bench-overlay.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-bridge) A=("$CTL" --name "$ID-B" --cgroup-parent "/$ID" "$TMP/bench-bridge.yaml"
		-- "${cmd[@]}") ;;
	ctlaunch-base) A=("$OUT/base/build/ctlaunch" --name "$ID-b" --cgroup-parent "/$ID"
		"$TMP/bench.yaml" -- "${cmd[@]}") ;;
	crun) A=(crun --root "$TMP/crun-state" run --bundle "$TMP/crun-$2" "$ID-crun") ;;
	runc) A=(runc --root "$TMP/runc-state" run --bundle "$TMP/runc-$2" "$ID-runc") ;;
	bwrap) A=(bwrap --unshare-uts --unshare-pid --unshare-ipc --unshare-net --bind "$ROOTFS" /
		--proc /proc --dev /dev "${cmd[@]}") ;;
	*) die "unknown launcher $1" ;;
	esac
}

# A command line as one string for hyperfine (-N splits it as a shell
# would): each word quoted, so a path with spaces stays one word.
quoted() {
	local w out=
	for w in "$@"; do out+="$(printf '%q' "$w") "; done
	printf '%s' "${out% }"
}

# interleave OUT ROUNDS ARGV-FUNCTION KEY...: ROUNDS rounds, each running
# every KEY's command once (ARGV-FUNCTION KEY sets A), in an order that
# rotates every round, so that no command is always first; one line
# "round key ns" each, timed by bench/timeit. The one timing loop of
# the bench.
interleave() {
	local out=$1 rounds=$2 fn=$3 i j k ns
	local keys=("${@:4}")
	local n=${#keys[@]}
	for ((i = 0; i < rounds; i++)); do
		for ((j = 0; j < n; j++)); do
			k=${keys[(i + j) % n]}
			"$fn" "$k"
			ns=$("$OUT/timeit" "${A[@]}") || die "$k failed: ${A[*]}"
			printf '%s\t%s\t%s\n' "$i" "$k" "$ns" >>"$out"
		done
	done
}
launch_argv() { argv_of "$1" true; }

# One launch of each first: a launcher that cannot launch stops the run
# here, with its own error message.
say "checking that every launcher launches"
for k in "${KEYS[@]}"; do
	argv_of "$k" true
	"${A[@]}" </dev/null >"$TMP/out" 2>&1 || {
		cat "$TMP/out" >&2
		die "$k failed to launch: ${A[*]}"
	}
done

{
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'host\tLinux %s, %s CPUs (%s), %s MiB, Debian %s\n' "$(uname -r)" "$(nproc)" \
		"$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)" \
		"$(awk '/^MemTotal/{print int($2/1024)}' /proc/meminfo)" "$(cat /etc/debian_version)"
	printf 'runs\t%s\niters\t%s\nseq\t%s\nconc\t%s\n' "$RUNS" "$ITERS" "$SEQ" "$CONC"
} >"$OUT/info.tsv"

say "limits: what each launcher's container really gets"
for k in "${KEYS[@]}"; do
	[ "$k" = true ] && continue
	argv_of "$k" sleep
	"$PY" bench/report.py limits "$k" "$OUT/limits.tsv" -- "${A[@]}" ||
		die "$k failed to launch: ${A[*]}"
done

say "hyperfine: $RUNS runs of each launcher"
hf=(hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-json "$OUT/launch.json")
for k in "${KEYS[@]}"; do
	argv_of "$k" true
	hf+=(-n "$k" "$(quoted "${A[@]}")")
done
"${hf[@]}" >"$OUT/hyperfine-launch.log" 2>&1 || {
	tail -n 20 "$OUT/hyperfine-launch.log" >&2
	die "a launch failed under hyperfine (build/bench/hyperfine-launch.log)"
}

say "interleaved: $ITERS rounds, each launcher once per round"
interleave "$OUT/interleaved.tsv" "$ITERS" launch_argv "${KEYS[@]}"

say "peak RSS"
for k in "${KEYS[@]}"; do
	argv_of "$k" true
	for ((i = 0; i < 5; i++)); do
		/usr/bin/time -f %M -o "$TMP/rss" "${A[@]}" </dev/null >/dev/null ||
			die "$k failed to launch: ${A[*]}"
		printf '%s\t%s\n' "$k" "$(tail -n 1 "$TMP/rss")" >>"$OUT/rss.tsv"
	done
done

say "--plan: the examples, and specs of growing size"
# Interleaved rounds, like the launches: a burst of the kernel's own
# clean-up after the launch loops (network namespaces are freed in the
# background) then slows every spec a little, not the first one a lot.
# Beside them, an empty static program: what process start-up alone
# costs here, the part of a --plan no launcher can avoid.
printf 'int main(void) { return 0; }\n' | ${CC:-cc} -O2 -static -x c -o "$OUT/empty" - 2>/dev/null ||
	printf 'int main(void) { return 0; }\n' | ${CC:-cc} -O2 -x c -o "$OUT/empty" - ||
	die "cannot build an empty C program"
# Each --plan command by its label; the empty program's first.
declare -A PLAN
plan_label=("an empty C program (static), for scale")
PLAN[${plan_label[0]}]=$OUT/empty
for f in examples/*.yaml; do
	plan_label+=("$f")
	PLAN[$f]=$ROOT/$f
done
# The same with the dynamic build: what its loader costs.
if [ -x "$OUT/dynamic/ctlaunch" ]; then
	plan_label+=("examples/hello.yaml, dynamic build")
	PLAN[${plan_label[-1]}]=$ROOT/examples/hello.yaml
fi
plan_argv() {
	case $1 in
	"an empty"*) A=("$OUT/empty") ;;
	*"dynamic build") A=("$OUT/dynamic/ctlaunch" --plan "${PLAN[$1]}") ;;
	*) A=("$CTL" --plan "${PLAN[$1]}") ;;
	esac
}
# hyperfine too, the issue's tool, with the empty program first: it
# takes whatever is left of the background clean-up.
hf=(hyperfine -N --style basic --warmup 5 --runs "$PLAN_RUNS" --export-json "$OUT/plan-examples.json")
for k in "${plan_label[@]}"; do
	plan_argv "$k"
	hf+=(-n "$k" "$(quoted "${A[@]}")")
done
"${hf[@]}" >"$OUT/hyperfine-plan.log" 2>&1 || die "ctlaunch --plan failed (build/bench/hyperfine-plan.log)"
interleave "$OUT/plan-examples.tsv" "$PLAN_RUNS" plan_argv "${plan_label[@]}"

gen_spec() { # ENV MOUNTS
	local i
	echo "name: scale"
	echo "rootfs: $ROOTFS"
	echo "command: [/bin/true]"
	if [ "$1" -gt 0 ]; then
		echo "env:"
		for ((i = 0; i < $1; i++)); do echo "  VAR_$i: value number $i"; done
	fi
	if [ "$2" -gt 0 ]; then
		echo "mounts:"
		for ((i = 0; i < $2; i++)); do echo "  - {type: tmpfs, target: /scale/m$i, size: 1M}"; done
	fi
}
# Interleaved like the launches, and compared round by round with the
# empty spec: start-up noise cancels, what is left is parsing and
# planning the entries.
scale=()
for sz in "0 0" "100 20" "500 100" "1000 200"; do
	read -r e m <<<"$sz"
	f=scale-${e}x$m.yaml
	gen_spec "$e" "$m" >"$TMP/$f"
	printf '%s\t%s\t%s\t%s\n' "$f" "$e" "$m" "$(wc -c <"$TMP/$f")" >>"$OUT/plan-scale.tsv"
	scale+=("$f")
done
scale_argv() { A=("$CTL" --plan "$TMP/$1"); }
interleave "$OUT/plan-scale-rounds.tsv" "$PLAN_RUNS" scale_argv "${scale[@]}"

say "cgroup mkdir and rmdir, at the hierarchy root and below it"
"$PY" bench/report.py cgcost "$OUT/cgcost.tsv" "$CG" "$ID"

say "strace and perf"
argv_of ctlaunch true
strace -f -c -w -o "$OUT/strace-c.txt" "${A[@]}" || die "ctlaunch failed under strace"
strace -f -T -tt -o "$OUT/strace-T.txt" "${A[@]}" || die "ctlaunch failed under strace"
# Low-overhead traces of the landmarks only (seccomp-bpf: the other
# system calls do not stop), for phase times close to the real ones.
landmarks=(-e 'trace=openat,mkdir,rmdir,clone,clone3,write,execve,execveat')
sb=(--seccomp-bpf)
strace -f "${sb[@]}" -e trace=execve -o /dev/null /bin/true 2>/dev/null || sb=()
for i in 1 2 3 4 5; do
	strace -f "${sb[@]}" -tt -T "${landmarks[@]}" -o "$OUT/strace-L$i.txt" "${A[@]}" ||
		die "ctlaunch failed under strace"
done
"$PY" bench/report.py phases "$OUT/strace-T.txt" "$OUT"/strace-L*.txt >"$OUT/strace-phases.md"
if command -v perf >/dev/null; then
	# instructions where the machine counts them (not in most VMs).
	ev=task-clock
	perf stat -x, -e instructions -o "$TMP/p" /bin/true 2>/dev/null &&
		grep -q '^[0-9]' "$TMP/p" && ev=task-clock,instructions
	for k in floor floor-secure ctlaunch crun; do
		argv_of "$k" true
		perf stat -x, -r 20 -e "$ev" -o "$OUT/perf-$k.txt" "${A[@]}" >/dev/null 2>&1 ||
			die "$k failed to launch under perf"
	done
	"$PY" bench/report.py perf "$OUT" floor floor-secure ctlaunch crun >"$OUT/perf.tsv"
	# perf trace: every system call with its duration, from tracepoints
	# rather than ptrace stops, so far less distorted than strace.
	argv_of ctlaunch true
	perf trace -s -o "$OUT/perf-trace.txt" "${A[@]}" >/dev/null 2>"$TMP/perf-trace.err" ||
		rm -f "$OUT/perf-trace.txt"
fi

# What a run may leave behind, counted: the bench's own cgroups, the
# mounts of this namespace and of the host's pid 1, the bench shell's
# descriptors, processes in the bench's cgroups and live (not zombie:
# init reaps those) ctlaunch processes of this session.
leftovers() {
	printf '%s\n' \
		"$(find $CG/*/"$ID" -path "$CG/*/$ID/ctlaunch*" -type d 2>/dev/null | wc -l)" \
		"$(wc -l </proc/self/mountinfo)" \
		"$(wc -l </proc/1/mountinfo)" \
		"$(find /proc/$BASHPID/fd -mindepth 1 -maxdepth 1 | wc -l)" \
		"$(find $CG/*/"$ID" -name cgroup.procs -exec cat {} + 2>/dev/null | wc -l)" \
		"$(pgrep -c -s 0 -r D,R,S,T,t -x ctlaunch || true)"
}
mapfile -t before < <(leftovers)

say "$SEQ sequential launches of ctlaunch"
argv_of floor true
F=("${A[@]}")
argv_of ctlaunch true
for ((i = 0; i < SEQ; i++)); do
	"$OUT/timeit" "${A[@]}" >>"$OUT/seq.tsv" || die "launch $((i + 1)) of $SEQ failed: ${A[*]}"
	# A control: the floor every 10th launch, to tell the machine's
	# drift from ctlaunch's.
	if ((i % 10 == 9)); then
		"$OUT/timeit" "${F[@]}" >>"$OUT/seq-floor.tsv" || die "the floor failed: ${F[*]}"
	fi
done
mapfile -t after_seq < <(leftovers)

say "$CONC concurrent launches"
pids=()
t0=$(date +%s%N)
for ((i = 1; i <= CONC; i++)); do
	"$CTL" --name "$ID-c$i" --cgroup-parent "/$ID" "$TMP/bench.yaml" -- /bin/sleep 1 \
		</dev/null >/dev/null 2>"$TMP/c$i.err" &
	pids+=($!)
	BG+=($!)
done
ok=0
for ((i = 0; i < CONC; i++)); do
	if wait "${pids[i]}"; then
		ok=$((ok + 1))
	else
		say "concurrent launch $((i + 1)) failed: $(cat "$TMP/c$((i + 1)).err")"
	fi
done
BG=()
t1=$(date +%s%N)
printf '%s\t%s\t%s\n' "$CONC" "$ok" "$((t1 - t0))" >"$OUT/concurrent.tsv"
mapfile -t after_conc < <(leftovers)
labels=("ctlaunch cgroup directories (under /$ID)" "mounts in the bench's namespace"
	"mounts of the host (pid 1)" "open descriptors of the bench shell"
	"processes in the bench's cgroups" "ctlaunch processes in this session")
for i in "${!labels[@]}"; do
	printf '%s\t%s\t%s\t%s\n' "${labels[i]}" "${before[i]}" "${after_seq[i]}" "${after_conc[i]}"
done >"$OUT/leftovers.tsv"

argv_of ctlaunch true
"${A[@]:0:${#A[@]}-1}" /bin/ls /proc/self/fd </dev/null | paste -sd' ' >"$OUT/fds-inside.tsv" ||
	die "ctlaunch failed to launch ls"

"$PY" bench/report.py table "$OUT" >"$OUT/results.md"
cat "$OUT/results.md"
say "report and raw numbers in build/bench/ (results.md)"
[ "$ok" -eq "$CONC" ] || die "$((CONC - ok)) of $CONC concurrent launches failed"
