"""Issue 21: the one certificate every TLS target of a run serves, made by
the run itself with the openssl command: ECDSA P-256, self-signed, for
127.0.0.1 (CN and subjectAltName), in a temp dir removed at the end. Its
public half is kept in the results (configs/tls-cert.pem); the key never is."""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .setup import which

DAYS = 2  # the run lasts minutes; the certificate need not outlive it
OPENSSL_TIMEOUT_S = 30


@dataclass(frozen=True)
class Certificate:
    home: Path   # the temp dir holding both files
    cert: Path   # PEM certificate; also the CA file clients verify with (self-signed)
    key: Path    # PEM private key, mode 0600

    def argv(self):
        """The openssl command that made it, for the report."""
        return command(self.cert, self.key)

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


def command(cert, key):
    return ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", str(DAYS), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1"]


def make(run_dir):
    """(Certificate, None), or (None, why not): without one the TLS
    targets are n/a."""
    openssl = which("openssl")
    if openssl is None:
        return None, "the openssl command is missing: apt-get install openssl"
    home = Path(tempfile.mkdtemp(prefix="netcook-bench-tls."))
    cert, key = home / "cert.pem", home / "key.pem"
    argv = command(cert, key)
    argv[0] = openssl
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=OPENSSL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        shutil.rmtree(home, ignore_errors=True)
        return None, f"openssl req failed: {e}"
    if result.returncode != 0 or not cert.exists() or not key.exists():
        shutil.rmtree(home, ignore_errors=True)
        return None, f"openssl req failed (status {result.returncode}): {result.stderr.strip()[-200:]}"
    key.chmod(0o600)
    shutil.copyfile(cert, run_dir / "configs" / "tls-cert.pem")
    return Certificate(home, cert, key), None
