#!/usr/bin/env python3
"""bench/oci_seccomp.py PROFILE CAP...: the linux.seccomp section of an
OCI config.json for amd64, from a seccomp profile in Docker's and
podman's format (containers-common's /usr/share/containers/seccomp.json),
for a process whose capabilities are CAP...: the rules the profile
includes for those capabilities and this architecture, as docker and
podman resolve them before they hand the profile to runc or crun.

The benchmark gives crun and runc this section so that they filter
system calls as ctlaunch's default filter does: a like-for-like launch.
"""
import json
import sys

# Docker's names for this machine's architectures.
ARCHES = {"amd64", "x86", "x32"}


def applies(rule, caps):
    inc = rule.get("includes") or {}
    exc = rule.get("excludes") or {}
    if inc.get("caps") and not set(inc["caps"]) <= caps:
        return False
    if inc.get("arches") and not ARCHES & set(inc["arches"]):
        return False
    if exc.get("caps") and set(exc["caps"]) & caps:
        return False
    if exc.get("arches") and ARCHES & set(exc["arches"]):
        return False
    return True


def oci_rule(rule):
    out = {"names": rule["names"], "action": rule["action"]}
    if rule.get("errnoRet") is not None:
        out["errnoRet"] = rule["errnoRet"]
    if rule.get("args"):
        out["args"] = rule["args"]
    return out


def architectures(profile):
    for entry in profile.get("archMap") or []:
        if entry["architecture"] == "SCMP_ARCH_X86_64":
            return [entry["architecture"]] + entry.get("subArchitectures", [])
    return ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]


def section(profile, caps):
    """The OCI linux.seccomp section for a process with capabilities caps."""
    out = {
        "defaultAction": profile["defaultAction"],
        "architectures": architectures(profile),
        "syscalls": [oci_rule(r) for r in profile["syscalls"] if applies(r, caps)],
    }
    if profile.get("defaultErrnoRet") is not None:
        out["defaultErrnoRet"] = profile["defaultErrnoRet"]
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: oci_seccomp.py PROFILE CAP...")
    with open(sys.argv[1]) as f:
        profile = json.load(f)
    json.dump(section(profile, set(sys.argv[2:])), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
