#!/bin/sh
# Installs the Debian packages that building and testing ctlaunch need,
# only those that are missing. Quiet when everything is there. Works
# without a terminal (CI).
set -eu

# qemu-system-x86: tests/vm/run.sh boots a Debian kernel with cgroup v2
# only (it fetches that kernel itself: it is not installed, only unpacked).
# uidmap: newuidmap and newgidmap, for the rootless tests with
# subordinate ids.
# libseccomp-dev: libseccomp compiles the seccomp filters (the default
# one at build time, a spec's own at run time); its libseccomp.a goes
# into the static launcher.
PKGS="gcc make pkg-config libyaml-dev libcap-dev libseccomp-dev busybox-static bats mandoc iproute2 cppcheck
clang-tidy strace qemu-system-x86 uidmap"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
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
