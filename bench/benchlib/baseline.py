"""The baseline of a before/after run (--baseline BUILD_DIR): the netcookd
of another checkout's meson build directory, built there already (bench/run
never builds it), and what the report calls it: the directory and, when its
source tree is a git checkout, that tree's git describe."""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .setup import SetupError

BINARY = "daemon/netcookd"


@dataclass(frozen=True)
class Baseline:
    build: Path
    binary: Path
    describe: str  # git describe --always --dirty of its source tree; "" when that is no git checkout

    @property
    def title(self):
        """'/path/to/build, v1.2-3-gabcdef' or just the path."""
        return f"{self.build}, {self.describe}" if self.describe else str(self.build)


def _source(build):
    """The source tree meson configured build from (meson-info), else build
    itself: a build directory inside its checkout finds the same git."""
    try:
        info = json.loads((build / "meson-info" / "meson-info.json").read_text())
        return Path(info["directories"]["source"])
    except (OSError, ValueError, KeyError, TypeError):
        return build


def _describe(source):
    result = subprocess.run(["git", "--no-optional-locks", "-C", str(source), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def find(build_dir):
    """The baseline in build_dir (relative to the current directory), or
    SetupError when its netcookd is not there, built and executable."""
    build = Path(build_dir).absolute()
    binary = build / BINARY
    if not build.is_dir():
        raise SetupError(f"--baseline {build_dir}: no such directory")
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise SetupError(f"--baseline: {binary} is missing or not executable; bench/run does not build "
                         f"the baseline: ninja -C {build} {BINARY}")
    return Baseline(build, binary, _describe(_source(build)))
