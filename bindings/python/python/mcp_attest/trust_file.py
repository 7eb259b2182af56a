"""Trust stores in files: loaded strictly, saved atomically (no SDK needed)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import _native

__all__ = ["load_trust_store", "save_trust_store"]


def load_trust_store(path: str | os.PathLike[str]) -> _native.TrustStore:
    """Reads a trust store saved by :func:`save_trust_store`; a missing file is an empty store.
    A malformed file raises ``malformed_trust_store`` (never silently replaced)."""
    p = Path(path)
    if not p.exists():
        return _native.TrustStore()
    return _native.TrustStore.from_json(p.read_text(encoding="utf-8"))


def save_trust_store(store: _native.TrustStore, path: str | os.PathLike[str]) -> None:
    """Writes ``store`` atomically: a temporary file in the same folder (mode 0600), fsync,
    rename. Two processes sharing one file: the last writer wins (each process should hold its
    own file, or serialise access)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(store.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
