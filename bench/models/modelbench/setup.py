"""Everything the run needs before it measures: binaries and gnuplot."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class SetupError(Exception):
    pass


@dataclass
class Paths:
    root: Path        # the repository
    build: Path
    netcookd: Path
    echoload: Path
    peers: Path
    python: str       # for the Python peers: Debian's python3


def find_paths(root, build_dir, python):
    build = Path(build_dir) if build_dir else root / "build-bench"
    if not build.is_absolute():
        build = root / build
    return Paths(root, build, build / "daemon" / "netcookd",
                 build / "bench" / "netcook-echoload", root / "bench" / "peers", python)


def build(paths, log):
    """meson setup once (release), then ninja for the two binaries we run."""
    if not (paths.build / "build.ninja").exists():
        log(f"configuring {paths.build} (release)")
        _run(["meson", "setup", str(paths.build), "-Dbuildtype=release", "-Dtests=false"], paths.root)
    log(f"building netcookd and netcook-echoload in {paths.build}")
    _run(["ninja", "-C", str(paths.build), "daemon/netcookd", "bench/netcook-echoload"], paths.root)


def _run(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{' '.join(argv)} failed (status {result.returncode}):\n{tail}")


def check_binaries(paths):
    for binary in (paths.netcookd, paths.echoload):
        if not os.access(binary, os.X_OK):
            raise SetupError(f"{binary} is missing; run without --no-build")


def ensure_gnuplot(log):
    """Installs gnuplot-nox with apt-get when gnuplot is missing; returns
    None or why there will be no chart (the run goes on without one)."""
    if shutil.which("gnuplot"):
        return None
    if os.geteuid() != 0:
        return "gnuplot is missing and we are not root: apt-get install gnuplot-nox"
    log("installing gnuplot-nox with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "gnuplot-nox"]
    for argv in (install, ["apt-get", "update", "-qq"], install):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if argv is install and result.returncode == 0:
            break
    return None if shutil.which("gnuplot") else f"apt-get could not install gnuplot-nox: {result.stderr.strip()[-200:]}"
