#!/bin/sh
# Installs the Debian packages that building and testing ctlaunch need,
# only those that are missing. Quiet when everything is there. Works
# without a terminal (CI).
#
#   sh scripts/deps.sh                  install what is missing (root)
#   sh scripts/deps.sh --missing GROUP...   print the missing packages of
#                                       those groups on one line, install
#                                       nothing (tests/run.sh: which suites
#                                       an ordinary user has to skip)
set -eu

# The packages by what needs them; a package may be in several groups.
# build: the launcher, the unit tests and the sanitizer builds.
# libseccomp-dev: libseccomp compiles the seccomp filters (the default
# one at build time, a spec's own at run time); its libseccomp.a goes
# into the static launcher. clang-tidy reads the libraries' headers too.
# integration: uidmap is newuidmap and newgidmap, for the rootless tests
# with subordinate ids.
# json: python3 checks the JSON outputs against their schema
# (tests/json/validate.py, the standard library only).
# umoci reads the OCI image layouts of --export-image back
# (tests/integration/image.bats unpacks one and compares the trees;
# jq reads the JSON umoci makes of it).
# completion: bash-completion's helpers, which the completion script
# uses (tests/integration/completion.bats sources both).
# vm: qemu-system-x86, tests/vm/run.sh boots a Debian kernel with cgroup
# v2 only (it fetches that kernel itself: it is not installed, only
# unpacked).
group() {
	case $1 in
	build) echo gcc make pkg-config libyaml-dev libcap-dev libseccomp-dev libnl-route-3-dev ;;
	man) echo mandoc ;;
	cppcheck) echo cppcheck ;;
	clang-tidy) echo clang-tidy libyaml-dev libcap-dev libseccomp-dev libnl-route-3-dev ;;
	integration) echo bats busybox-static iproute2 strace uidmap umoci jq bash-completion ;;
	vm) echo qemu-system-x86 busybox-static ;;
	json) echo python3-minimal ;;
	*) echo "deps: no group '$1'" >&2; exit 2 ;;
	esac
}
GROUPS_ALL="build man cppcheck clang-tidy integration vm json"

# missing PKG...: those of the packages dpkg does not have installed.
missing() {
	for p; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case $st in
		*" ok installed") ;;
		*) printf ' %s' "$p" ;;
		esac
	done
}

# pkgs GROUP...: their packages, each once.
pkgs() {
	for g; do group "$g" >/dev/null || exit 2; done
	for g; do group "$g"; done | tr ' ' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' '
}

if [ "${1:-}" = --missing ]; then
	shift
	# Not Debian: nothing to say; the suites run and say what fails.
	command -v dpkg-query >/dev/null 2>&1 || exit 0
	p=$(pkgs "$@") || exit 2
	# shellcheck disable=SC2086 # one word per package
	m=$(missing $p)
	echo "${m# }"
	exit 0
fi

# shellcheck disable=SC2046,SC2086 # one word per package
missing=$(missing $(pkgs $GROUPS_ALL))
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: these packages are missing:$missing" >&2
	echo "deps: run as root, or: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing </dev/null ||
	{ echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
