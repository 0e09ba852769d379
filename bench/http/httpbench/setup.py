"""Everything the run needs before it measures: netcookd, wrk and nginx."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from modelbench.setup import SetupError

APT_LOCK_WAIT_S = 300  # another apt-get on the machine: wait for it, within reason


@dataclass
class Paths:
    root: Path         # the repository
    build: Path
    netcookd: Path
    wrk: str | None = None
    nginx: str | None = None


def _which(name):
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}")
                                       if os.access(p, os.X_OK)), None)


def find_paths(root, build_dir):
    build = Path(build_dir) if build_dir else root / "build-httpbench"
    if not build.is_absolute():
        build = root / build
    return Paths(root, build, build / "daemon" / "netcookd", _which("wrk"), _which("nginx"))


def build(paths, log):
    """meson setup once (release, no tests), then ninja for netcookd alone."""
    if not (paths.build / "build.ninja").exists():
        log(f"configuring {paths.build} (release)")
        _run(["meson", "setup", str(paths.build), "-Dbuildtype=release", "-Dtests=false"], paths.root)
    log(f"building netcookd in {paths.build}")
    _run(["ninja", "-C", str(paths.build), "daemon/netcookd"], paths.root)


def _run(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{' '.join(argv)} failed (status {result.returncode}):\n{tail}")


def check_binaries(paths):
    if not os.access(paths.netcookd, os.X_OK):
        raise SetupError(f"{paths.netcookd} is missing; run without --no-build")


def _apt_install(package):
    """apt-get install, then update and retry once; returns apt's complaint or None."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}", "install", "-y", "-qq",
               "--no-install-recommends", package]
    result = None
    for argv in (install, ["apt-get", "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}", "update", "-qq"], install):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if argv is install and result.returncode == 0:
            return None
    return result.stderr.strip()[-200:]


def ensure_tools(paths, log):
    """Installs wrk and nginx-light (else nginx) with apt-get when missing.
    Raises SetupError without wrk; returns None or why nginx will be n/a.
    Debian's nginx package starts its own service where services may start
    (bench/README.md says so); this run never uses it: it starts its own
    nginx on its own configuration."""
    if paths.wrk is None:
        if os.geteuid() != 0:
            raise SetupError("wrk is missing and we are not root: apt-get install wrk")
        log("installing wrk with apt-get")
        why = _apt_install("wrk")
        paths.wrk = _which("wrk")
        if paths.wrk is None:
            raise SetupError(f"apt-get could not install wrk: {why}")
    if paths.nginx is None:
        if os.geteuid() != 0:
            return "nginx is missing and we are not root: apt-get install nginx-light"
        why = None
        for package in ("nginx-light", "nginx"):
            log(f"installing {package} with apt-get")
            why = _apt_install(package)
            paths.nginx = _which("nginx")
            if paths.nginx:
                break
        if paths.nginx is None:
            return f"apt-get could not install nginx-light or nginx: {why}"
    return None


def tool_versions(paths):
    """'wrk 4.1.0 ..., nginx/1.22.1' for the report."""
    out = []
    for argv in ([paths.wrk, "-v"], [paths.nginx, "-v"]):
        if argv[0] is None:
            continue
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        text = (result.stdout + result.stderr).strip().splitlines()
        out.append(text[0].split(" Copyright")[0] if text else argv[0])
    return "; ".join(out)
