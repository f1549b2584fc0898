#!/usr/bin/env python3
"""bench/oci_bundle.py PROFILE ROOTFS CGROUPSPATH COMMAND [ARG...]: the
config.json that crun and runc get, on stdout: one source for both.

It describes the container ctlaunch makes by default (its mounts,
masked and read-only paths, capabilities, no_new_privileges, podman's
seccomp profile resolved for those capabilities by oci_seccomp.py, a
device policy that allows the standard nodes alone, pids 2048), with
the benchmark's limits. The command comes as arguments, so a path with
spaces stays one argument. ctlaunch has no OCI export yet; when it has,
this is the file to replace with it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oci_seccomp  # noqa: E402

# ctlaunch's default capabilities (man/ctlaunch.yaml.5, "capabilities").
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_SETFCAP"]

MASKED = ["/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/sched_debug", "/proc/timer_list", "/proc/timer_stats", "/proc/acpi",
          "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

# The standard nodes ctlaunch's device policy allows (src/devices.c).
DEVICES = [(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 2), (136, None)]


def mount(dest, typ, src, *opts):
    return {"destination": dest, "type": typ, "source": src, "options": list(opts)}


def mounts():
    return [
        mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
        mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
        mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance",
              "ptmxmode=0666", "mode=0620", "gid=5"),
        mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777",
              "size=65536k"),
        mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime",
              "ro"),
    ]


def devices():
    rules = [{"allow": False, "access": "rwm"}]
    for major, minor in DEVICES:
        r = {"allow": True, "type": "c", "major": major, "access": "rwm"}
        if minor is not None:
            r["minor"] = minor
        rules.append(r)
    return rules


def process(args):
    return {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": args,
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=bench", "HOME=/root"],
        "cwd": "/",
        "capabilities": {"bounding": CAPS, "effective": CAPS, "permitted": CAPS,
                         "inheritable": [], "ambient": []},
        "noNewPrivileges": True,
    }


def linux(profile, cgroups_path):
    return {
        "cgroupsPath": cgroups_path,
        "resources": {
            "memory": {"limit": 67108864},
            "cpu": {"shares": 512, "cpus": "0", "mems": "0"},
            "pids": {"limit": 2048},
            "devices": devices(),
        },
        "seccomp": oci_seccomp.section(profile, set(CAPS)),
        "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")],
        "maskedPaths": MASKED,
        "readonlyPaths": READONLY,
    }


def main(argv):
    if len(argv) < 5:
        sys.exit("usage: oci_bundle.py PROFILE ROOTFS CGROUPSPATH COMMAND [ARG...]")
    with open(argv[1]) as f:
        profile = json.load(f)
    config = {
        "ociVersion": "1.0.2",
        "process": process(argv[4:]),
        "root": {"path": argv[2], "readonly": False},
        "hostname": "bench",
        "mounts": mounts(),
        "linux": linux(profile, argv[3]),
    }
    json.dump(config, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
