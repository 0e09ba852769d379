"""Everything a run needs before it measures: our binaries, built in a
release build directory, and the peers' programs, installed with apt-get
when missing and we are root."""

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

APT_LOCK_WAIT_S = 300  # another apt-get on the machine: wait for it, within reason

# Program -> the Debian packages that provide it, tried in order. They are
# the benchmark's tools, not netcookd's dependencies: packaging does not list them.
PACKAGES = {
    "gnuplot": ("gnuplot-nox",),
    "wrk": ("wrk",),
    "nginx": ("nginx-light", "nginx"),
    "ncat": ("ncat",),
    "socat": ("socat",),
    "xinetd": ("xinetd",),
    "iperf3": ("iperf3",),
    "redis-server": ("redis-server",),
}

# Our binaries, by meson target; the speed-of-light loops may not exist yet.
REQUIRED = ("daemon/netcookd", "bench/netcook-echoload", "bench/netcook-chatload", "bench/netcook-httpsload")
OPTIONAL = ("bench/netcook-sol-echo", "bench/netcook-sol-echo-uring", "bench/netcook-sol-echo-threads",
            "bench/netcook-sol-echo-forks", "bench/netcook-sol-http")


class SetupError(Exception):
    pass


@dataclass
class Paths:
    root: Path          # the repository
    build: Path
    peers: Path         # bench/peers: the Python servers
    python: str         # their interpreter: Debian's python3
    tools: dict = field(default_factory=dict)  # program -> path, or None when missing

    def binary(self, target):
        """build/<target> if it is there, else None."""
        path = self.build / target
        return path if os.access(path, os.X_OK) else None


def which(name):
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}")
                                       if os.access(p, os.X_OK)), None)


def find_paths(root, build_dir, python):
    build = Path(build_dir) if build_dir else root / "build-bench"
    if not build.is_absolute():
        build = root / build
    return Paths(root, build, root / "bench" / "peers", python, {name: which(name) for name in PACKAGES})


def build(paths, log):
    """meson setup once (release, no tests), then ninja for the binaries we
    run; the optional ones only when this checkout has them."""
    if not (paths.build / "build.ninja").exists():
        log(f"configuring {paths.build} (release)")
        _run(["meson", "setup", str(paths.build), "-Dbuildtype=release", "-Dtests=false", "-Dbench=true"],
             paths.root)
    known = subprocess.run(["ninja", "-C", str(paths.build), "-t", "targets", "all"], capture_output=True,
                           text=True, check=False).stdout
    names = {line.split(":")[0] for line in known.splitlines()}
    wanted = list(REQUIRED) + [t for t in OPTIONAL if t in names]
    log(f"building {', '.join(Path(t).name for t in wanted)} in {paths.build}")
    _run(["ninja", "-C", str(paths.build)] + wanted, paths.root)


def _run(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{' '.join(argv)} failed (status {result.returncode}):\n{tail}")


def check_binaries(paths):
    for target in REQUIRED:
        if paths.binary(target) is None:
            raise SetupError(f"{paths.build / target} is missing; run without --no-build")


def apt_install(package):
    """apt-get install, then update and retry once; returns apt's complaint or None."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}"]
    install = ["apt-get"] + lock + ["install", "-y", "-qq", "--no-install-recommends", package]
    result = None
    for argv in (install, ["apt-get"] + lock + ["update", "-qq"], install):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if argv is install and result.returncode == 0:
            return None
    return result.stderr.strip()[-200:]


def ensure_tools(paths, names, log):
    """Installs the missing programs among names; returns {name: why it is
    missing} for those still missing (their targets are n/a)."""
    missing = {}
    for name in names:
        if paths.tools.get(name):
            continue
        if os.geteuid() != 0:
            missing[name] = f"{name} is missing and we are not root: apt-get install {PACKAGES[name][0]}"
            continue
        why = None
        for package in PACKAGES[name]:
            log(f"installing {package} with apt-get")
            why = apt_install(package)
            paths.tools[name] = which(name)
            if paths.tools[name]:
                break
        if not paths.tools[name]:
            missing[name] = f"apt-get could not install {' or '.join(PACKAGES[name])}: {why}"
    return missing


def tool_versions(paths, names):
    """'nginx-light 1.22.1-9, ...': the Debian packages of the programs used."""
    out = []
    for name in names:
        for package in PACKAGES[name]:
            result = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0 and result.stdout.strip():
                out.append(f"{package} {result.stdout.strip()}")
                break
    return ", ".join(out)


def ensure_gnuplot(log):
    """gnuplot for the charts, installed (gnuplot-nox) when missing and root;
    returns None or why there will be no chart (a run goes on without one)."""
    if which("gnuplot"):
        return None
    if os.geteuid() != 0:
        return "gnuplot is missing and we are not root: apt-get install gnuplot-nox"
    log("installing gnuplot-nox with apt-get")
    why = apt_install("gnuplot-nox")
    return None if which("gnuplot") else f"apt-get could not install gnuplot-nox: {why}"
