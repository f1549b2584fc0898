#!/bin/sh
# tests/run.sh [SUITE...]: the whole test run of `make check`, or only
# the suites named: unit, unit-san, golden, man, cppcheck, clang-tidy,
# layers, integration, vm. Builds what they need (make, in $B), runs them, prints
# every suite's results and ends with one line "N passed, N failed". A
# failing suite does not stop the others; the exit status is 1 if
# anything failed.
#
# It runs what it can and installs nothing: a suite whose packages are
# missing (scripts/deps.sh knows which it needs; `make deps`, as root,
# installs them) or that needs root is skipped, and the line before the
# last names each skipped suite and why. A skip is neither a pass nor a
# failure.
#
# Environment: B, the build directory, relative to the source tree or
# absolute (default build; make passes its own); UPDATE=1 first rewrites each
# golden file from the launcher's output (make golden), for review with
# git diff.
set -u
cd "$(dirname "$0")/.." || exit 1

B=${B:-build}
UPDATE=${UPDATE:-}
ALL="unit unit-san golden man cppcheck clang-tidy layers integration vm"
SUITES=${*:-$ALL}
for s in $SUITES; do
	case " $ALL " in
	*" $s "*) ;;
	*) echo "usage: tests/run.sh [SUITE...] (suites: $ALL)" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctlaunch-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

passed=0
failed=0
skipped=

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); }

# skip SUITE REASON: says so now, and in the line before the count.
skip() {
	echo "$1: skipped ($2)"
	skipped="$skipped${skipped:+, }$1 ($2)"
}

# want SUITE: the suite is one this run was asked for.
want() {
	case " $SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}

# lacking GROUP...: the missing packages of scripts/deps.sh's groups, on
# one line, empty when none is.
lacking() {
	sh scripts/deps.sh --missing "$@"
}

# needs SUITE GROUP...: true when those groups' packages are installed;
# else skips SUITE, saying which are missing.
needs() {
	suite=$1
	shift
	m=$(lacking "$@")
	[ -z "$m" ] && return 0
	skip "$suite" "missing $m: make deps, as root"
	return 1
}

# run_tap LABEL CMD...: runs a suite that prints "ok ..." and "not ok ..."
# lines (the unit runner's "ok - name", or TAP), shows its output as it
# comes, and counts the lines. A suite that exits non-zero without a
# "not ok" line (a crash, a sanitizer report, a syntax error), or that
# runs fewer tests than its TAP plan announced, counts one failure more.
# One that says "1..0 # SKIP reason" and nothing else is skipped.
run_tap() {
	label=$1
	shift
	echo "== $label"
	{
		"$@" 2>&1
		echo $? >"$tmp/rc"
	} | tee "$tmp/out"
	rc=$(cat "$tmp/rc")
	# TAP's "1..0 # SKIP reason": the suite could not run here.
	why=$(sed -n 's/^1\.\.0 *# *SKIP *//p' "$tmp/out" | head -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$why" ] && ! grep -qE '^(not )?ok( |$)' "$tmp/out"; then
		skip "${label%% (*}" "$why"
		return
	fi
	# A "not ok ... # TODO" is a known gap, not a failure (TAP).
	ok=$(grep -cE '^ok( |$)' "$tmp/out")
	nok=$(grep -E '^not ok( |$)' "$tmp/out" | grep -cvE '# TODO( |$)')
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tmp/out" | head -n 1)
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		echo "$label: exited with status $rc"
		fail
	elif [ -n "$plan" ] && [ "$(grep -cE '^(not )?ok( |$)' "$tmp/out")" -lt "$plan" ]; then
		echo "$label: $(grep -cE '^(not )?ok( |$)' "$tmp/out") of $plan tests ran"
		fail
	fi
	echo "$label: $ok passed, $nok failed"
}

# The build: one make for every binary the suites asked for, so that
# make -j shares the work; -k builds whatever can be built. Each suite
# then asks make whether its binary is up to date: a build that failed
# never lets a stale binary run.
build_missing=$(lacking build)
targets=
want unit && targets="$targets $B/unit"
want unit-san && targets="$targets $B/unit-san"
want golden && targets="$targets $B/ctlaunch-san"
if want vm || { want integration && [ "$(id -u)" -eq 0 ]; }; then
	targets="$targets $B/ctlaunch"
fi
# tests/integration/nomalloc.bats: the launcher with the allocator check.
if want integration && [ "$(id -u)" -eq 0 ]; then
	targets="$targets $B/ctlaunch-nomalloc $B/ctlaunch-nomalloc-canary"
fi
if [ -n "$targets" ] && [ -z "$build_missing" ]; then
	echo "== build"
	# shellcheck disable=SC2086 # one word per target
	make --no-print-directory -k B="$B" $targets ||
		echo "build: make failed; the suites whose binary did not build fail"
fi

# built SUITE BIN: true when BIN is built and up to date; else skips
# SUITE (the build's packages are missing) or fails it (BIN did not build).
built() {
	if [ -n "$build_missing" ]; then
		skip "$1" "missing $build_missing: make deps, as root"
		return 1
	fi
	make -q --no-print-directory B="$B" "$2" 2>/dev/null && return 0
	echo "== $1"
	echo "not ok - $2 did not build (make B=$B $2)"
	fail
	return 1
}

# (a), (b) unit tests, plain and under the sanitizers.
for suite in "unit:unit:$B/unit" "unit-san:unit (asan+ubsan):$B/unit-san"; do
	name=${suite%%:*}
	rest=${suite#*:}
	label=${rest%%:*}
	bin=${rest#*:}
	want "$name" || continue
	built "$name" "$bin" || continue
	run_tap "$label" "$bin"
done

# (c) golden files: NAME.yaml beside the expected plan (NAME.plan) or
# the expected error text (NAME.err), planned for a fake host: the one
# in NAME.facts where there is one, else the v1 host of host-v1.facts,
# with the options in NAME.args where there is one (one a line: --set
# and its value, e.g.). The expected text says @TOP@ for the absolute path of the source tree (a
# rootfs resolves to one), and is made without TERM in the environment.
# With UPDATE=1 each expected file is first rewritten from what the
# launcher printed (a plan, exit 0: NAME.plan; an error, exit 125:
# NAME.err; any other exit: nothing is written and the case fails).

# golden_write BASE RC: UPDATE's rewrite of BASE.plan or BASE.err.
golden_write() {
	case $2 in
	0) new=$1.plan old=$1.err src=$tmp/out.top ;;
	125) new=$1.err old=$1.plan src=$tmp/err.top ;;
	*) return 0 ;;
	esac
	if ! cmp -s "$src" "$new" || [ -e "$old" ]; then
		cp "$src" "$new"
		rm -f "$old"
		echo "golden: rewrote $new"
		rewritten=$((rewritten + 1))
	fi
}

# The specs are planned in a private copy of tests/golden, 755 and 644:
# ctlaunch refuses a rootfs under a directory its group or others may
# write, and a checkout made with umask 002 (a user's default on Debian)
# has such directories. The checkout's modes are not what these tests
# test; @TOP@ stands for the copy's top.
golden() {
	echo "== golden"
	g_pass=$passed g_fail=$failed rewritten=0
	ctl=$(cd "$(dirname "$B/ctlaunch-san")" && pwd -P)/ctlaunch-san
	mkdir "$tmp/tree" && (umask 022 && mkdir "$tmp/tree/tests" && cp -R tests/golden "$tmp/tree/tests/")
	top=$(cd "$tmp/tree" && pwd -P)
	for spec in tests/golden/*.yaml; do
		[ -e "$spec" ] || continue
		base=${spec%.yaml}
		name=${base##*/}
		rc=0
		facts=tests/golden/host-v1.facts
		[ -f "$base.facts" ] && facts=$base.facts
		set --
		if [ -f "$base.args" ]; then
			while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done <"$base.args"
		fi
		(cd "$top" && exec env -u TERM "$ctl" --plan --host-facts "$facts" "$@" "$spec") \
			>"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
		# --check refuses what --plan refuses, with the same lines
		# and status, and passes what it plans.
		check_rc=0
		(cd "$top" && exec env -u TERM "$ctl" --check --host-facts "$facts" "$@" "$spec") \
			>/dev/null 2>"$tmp/check" </dev/null || check_rc=$?
		for f in out err; do
			awk -v top="$top" '{
				while ((i = index($0, top)) > 0)
					$0 = substr($0, 1, i - 1) "@TOP@" substr($0, i + length(top))
				print
			}' "$tmp/$f" >"$tmp/$f.top"
		done
		[ -z "$UPDATE" ] || golden_write "$base" "$rc"
		if [ -f "$base.plan" ]; then
			want=$base.plan want_rc=0 stream=out
		elif [ -f "$base.err" ]; then
			want=$base.err want_rc=125 stream=err
		else
			echo "not ok - golden $name: neither $name.plan nor $name.err (exit $rc; UPDATE=1 writes one)"
			fail
			continue
		fi
		check_ok=true
		[ "$check_rc" -eq "$want_rc" ] || check_ok=false
		[ "$stream" = out ] || cmp -s "$tmp/err" "$tmp/check" || check_ok=false
		if diff -u "$want" "$tmp/$stream.top" >"$tmp/diff" 2>&1 && [ "$rc" -eq "$want_rc" ] &&
			$check_ok; then
			echo "ok - golden $name"
			pass
		else
			echo "not ok - golden $name (exit $rc, --check $check_rc, want $want_rc)"
			sed 's/^/    /' "$tmp/diff"
			[ "$stream" = err ] || sed 's/^/    stderr: /' "$tmp/err"
			[ "$stream" = out ] || diff "$tmp/err" "$tmp/check" | sed 's/^/    --plan, --check: /'
			fail
		fi
	done
	# Facts of another machine are for --plan and --check only: without
	# them ctlaunch refuses before it reads the spec (and, were that
	# refusal gone, exec_plan would refuse the plan: the message differs).
	rc=0
	(cd "$top" && exec env -u TERM "$ctl" --host-facts tests/golden/host-v1.facts \
		tests/golden/minimal.yaml) >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	if [ "$rc" -eq 125 ] && [ ! -s "$tmp/out" ] &&
		grep -q -- '--host-facts goes with --plan, --check or --export-oci only' "$tmp/err"; then
		echo "ok - golden: --host-facts without --plan or --check is refused"
		pass
	else
		echo "not ok - golden: --host-facts without --plan or --check is refused (exit $rc)"
		sed 's/^/    stderr: /' "$tmp/err"
		fail
	fi
	[ -z "$UPDATE" ] || echo "golden: rewrote $rewritten expected files; review them: git diff tests/golden"
	echo "golden: $((passed - g_pass)) passed, $((failed - g_fail)) failed"
}
if want golden && built golden "$B/ctlaunch-san"; then
	golden
fi

# (d) the man pages.
set -- man/*.1 man/*.5
man=
for f; do [ -e "$f" ] && man="$man $f"; done
if [ -n "$man" ] && want man && needs man man; then
	echo "== man"
	# shellcheck disable=SC2086 # one word per page
	if mandoc -Tlint -W warning $man >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		echo "ok - mandoc -Tlint -W warning$man"
		pass
	else
		cat "$tmp/out"
		echo "not ok - mandoc -Tlint -W warning$man"
		fail
	fi
fi

# (d2) static analysis of our own code: cppcheck and clang-tidy must be
# silent. One test each; the commands are the Makefile's lint targets.
for tool in cppcheck clang-tidy; do
	if ! want "$tool" || ! needs "$tool" "$tool"; then continue; fi
	echo "== $tool"
	if make -s --no-print-directory B="$B" "lint-$tool" >"$tmp/out" 2>&1 &&
		! grep -qE '(warning|error):' "$tmp/out"; then
		echo "ok - $tool"
		pass
	else
		grep -E '(warning|error):' "$tmp/out" || tail -n 20 "$tmp/out"
		echo "not ok - $tool"
		fail
	fi
done

# (d3) the layers of src/LAYERS (pure, probe, edge), on the objects'
# undefined symbols and the sources' headers: one test per rule
# (tests/layers.sh). make builds the objects first.
if want layers; then
	if [ -n "$build_missing" ]; then
		skip layers "missing $build_missing: make deps, as root"
	else
		run_tap layers make -s --no-print-directory B="$B" lint-layers
	fi
fi

# (e) integration tests: real containers, so root only. Root's rootfs
# in a directory only root can enter (mkrootfs.sh makes $B/private
# so), and one an ordinary user can reach for the rootless tests and
# examples/rootless.yaml. The tests find $B in CT_BUILD.
if ! want integration; then
	:
elif [ "$(id -u)" -ne 0 ]; then
	skip integration "needs root: sudo make check"
elif needs integration integration && built integration "$B/ctlaunch" &&
	built integration "$B/ctlaunch-nomalloc" && built integration "$B/ctlaunch-nomalloc-canary"; then
	mkdir -p "$B/rootless"
	if sh scripts/mkrootfs.sh "$B/private/rootfs" && sh scripts/mkrootfs.sh "$B/rootless/rootfs"; then
		CT_BUILD=$(cd "$B" && pwd -P) run_tap integration bats --tap tests/integration
		# The runs leave the shared ctlaunch/ cgroups in place
		# (ctlaunch(1), FILES): the machine as the suite found it.
		"$B/ctlaunch" --cleanup >/dev/null || true
	else
		echo "== integration"
		echo "not ok - scripts/mkrootfs.sh $B/private/rootfs $B/rootless/rootfs"
		fail
	fi
fi

# (f) cgroup v2 and rootless on v2: this host's cgroups are v1, so a VM
# boots Debian's kernel with cgroup v2 alone and runs tests/vm/tests.sh
# there, with a static launcher: $B/ctlaunch itself (make builds it
# static), else (STATIC=0) one built for the VM in $B/vm-static.
vm() {
	vmb=$B
	# ldd fails on a static binary.
	if ldd "$B/ctlaunch" >/dev/null 2>&1; then
		vmb=$B/vm-static
		if ! make --no-print-directory B="$vmb" STATIC=1 "$vmb/ctlaunch"; then
			echo "== vm (cgroup v2)"
			echo "not ok - $vmb/ctlaunch did not build (make B=$vmb STATIC=1 $vmb/ctlaunch)"
			fail
			return
		fi
	fi
	run_tap "vm (cgroup v2)" sh tests/vm/run.sh "$vmb"
}
if want vm && needs vm vm && built vm "$B/ctlaunch"; then
	vm
fi

[ -z "$skipped" ] || echo "skipped: $skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
