"""The module shares its process with the interpreter's own libraries."""

from __future__ import annotations

import subprocess
import sys


def test_hashlib_and_ssl_work_after_importing_ocpagg():
    # pyarrow's libparquet exports an OpenSSL of its own; the system's libssl and libcrypto
    # (libpq's, and Python's hashlib and ssl) must not bind into it when ocpagg is imported
    # first (that crashed with SIGSEGV).
    code = ("import ocpagg, hashlib, ssl\n"
            "print(hashlib.sha256(b'ocpagg').hexdigest()[:8],\n"
            "      ssl.create_default_context() is not None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["f20a1f9e", "True"]
