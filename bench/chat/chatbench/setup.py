"""Everything the run needs before it measures: our binaries, ncat, gnuplot."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from modelbench.setup import SetupError


@dataclass
class Paths:
    root: Path        # the repository
    build: Path
    netcookd: Path
    chatload: Path
    peers: Path
    python: str       # for the Python server: Debian's python3
    ncat: str | None = None


def find_paths(root, build_dir, python):
    build = Path(build_dir) if build_dir else root / "build-chatbench"
    if not build.is_absolute():
        build = root / build
    return Paths(root, build, build / "daemon" / "netcookd", build / "bench" / "netcook-chatload",
                 root / "bench" / "peers", python, shutil.which("ncat"))


def build(paths, log):
    """meson setup once (release, no tests), then ninja for the two binaries we run."""
    if not (paths.build / "build.ninja").exists():
        log(f"configuring {paths.build} (release)")
        _run(["meson", "setup", str(paths.build), "-Dbuildtype=release", "-Dtests=false"], paths.root)
    log(f"building netcookd and netcook-chatload in {paths.build}")
    _run(["ninja", "-C", str(paths.build), "daemon/netcookd", "bench/netcook-chatload"], paths.root)


def _run(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{' '.join(argv)} failed (status {result.returncode}):\n{tail}")


def check_binaries(paths):
    for binary in (paths.netcookd, paths.chatload):
        if not os.access(binary, os.X_OK):
            raise SetupError(f"{binary} is missing; run without --no-build")


def ensure_ncat(paths, log):
    """Installs Debian's ncat with apt-get when it is missing; returns None
    or why ncat will be n/a (the run goes on without it)."""
    if paths.ncat:
        return None
    if os.geteuid() != 0:
        return "ncat is missing and we are not root: apt-get install ncat"
    log("installing ncat with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "ncat"]
    for argv in (install, ["apt-get", "update", "-qq"], install):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if argv is install and result.returncode == 0:
            break
    paths.ncat = shutil.which("ncat")
    return None if paths.ncat else f"apt-get could not install ncat: {result.stderr.strip()[-200:]}"


def ncat_version(paths):
    if not paths.ncat:
        return None
    out = subprocess.run([paths.ncat, "--version"], capture_output=True, text=True, check=False)
    return (out.stdout + out.stderr).strip().splitlines()[0] if (out.stdout + out.stderr).strip() else None
