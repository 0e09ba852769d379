"""What the soak needs before it starts: the daemon and the load tools
built in ./build (like the other bench scripts, meson setup once), and wrk."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchlib.setup import SetupError, apt_install, which

TARGETS = ("daemon/netcookd", "bench/netcook-echoload", "bench/netcook-chatload")


@dataclass
class Paths:
    root: Path
    build: Path
    netcookd: Path
    echoload: Path
    chatload: Path
    wrk: str | None


def find_paths(root, build_dir):
    build = Path(build_dir) if build_dir else root / "build"
    if not build.is_absolute():
        build = root / build
    return Paths(root, build, build / TARGETS[0], build / TARGETS[1], build / TARGETS[2], which("wrk"))


def build(paths, log):
    """meson setup once, then ninja for the daemon and the two load tools."""
    if not (paths.build / "build.ninja").exists():
        log(f"configuring {paths.build}")
        _run(["meson", "setup", str(paths.build)], paths.root)
    log(f"building {', '.join(TARGETS)} in {paths.build}")
    _run(["ninja", "-C", str(paths.build), *TARGETS], paths.root,
         hint=f"the load tools need the bench option: meson configure {paths.build} -Dbench=true")


def _run(argv, cwd, hint=None):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{' '.join(argv)} failed (status {result.returncode}):\n{tail}"
                         + (f"\n({hint}?)" if hint else ""))


def check(paths, log):
    """Raises SetupError when something is missing; installs wrk as root."""
    for binary in (paths.netcookd, paths.echoload, paths.chatload):
        if not os.access(binary, os.X_OK):
            raise SetupError(f"{binary} is missing; run without --no-build")
    if paths.wrk is None:
        if os.geteuid() != 0:
            raise SetupError("wrk is missing and we are not root: apt-get install wrk")
        log("installing wrk with apt-get")
        why = apt_install("wrk")
        paths.wrk = which("wrk")
        if paths.wrk is None:
            raise SetupError(f"apt-get could not install wrk: {why}")
