"""Keys that survive deploys, and keys that never leave their store.

:func:`load_or_create_key` finds a server's key by the core's rules (the same in every
language): ``MCP_ATTEST_PRIVATE_KEY_PEM``, else the file ``MCP_ATTEST_PRIVATE_KEY_PATH`` names
(which must exist), else the file at ``path`` (created with mode 0600 on first start, with a
warning naming the file to keep). This module only does the file I/O the core asks for.

:class:`Signer` is what every signing function accepts besides a :class:`SigningKey`: an
object with ``public_key`` and ``sign(data) -> bytes``, for keys in a KMS, an HSM or the OS
keychain. Each signature it returns is verified under ``public_key`` before use
(``signer_failed`` otherwise).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from . import _native
from ._native import SigningKey, VerifyingKey

__all__ = ["Signer", "load_or_create_key", "PRIVATE_KEY_PEM_ENV", "PRIVATE_KEY_PATH_ENV"]

PRIVATE_KEY_PEM_ENV: str = _native.PRIVATE_KEY_PEM_ENV
PRIVATE_KEY_PATH_ENV: str = _native.PRIVATE_KEY_PATH_ENV

_log = logging.getLogger("mcp_attest")


@runtime_checkable
class Signer(Protocol):
    """A key held elsewhere. ``sign`` is called with the GIL held, synchronously; it may raise
    (the call fails with ``signer_failed``, the exception's type and message in the text)."""

    @property
    def public_key(self) -> VerifyingKey | bytes | str:
        """The public key: a :class:`VerifyingKey`, its 32 bytes, or its did:key."""
        ...

    def sign(self, data: bytes) -> bytes:
        """A 64-byte pure Ed25519 signature over ``data``."""
        ...


def load_or_create_key(
    *,
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SigningKey:
    """The server's signing key, by the core's rules (see the module docs).

    ``env`` defaults to ``os.environ``; ``on_warning`` (default: the ``mcp_attest`` logger,
    which reaches stderr even unconfigured) receives what to tell the operator. Raises
    ``key_unavailable`` when a key was configured but is not there, the key's parse error
    when one is invalid (never a new key instead), ``unsafe_directory``, or ``OSError``.
    """
    environ = os.environ if env is None else env
    warn = on_warning if on_warning is not None else _log.warning
    key, file, warnings = _native.key_plan(
        environ.get(PRIVATE_KEY_PEM_ENV),
        environ.get(PRIVATE_KEY_PATH_ENV),
        None if path is None else os.fspath(path),
    )
    for w in warnings:
        warn(w)
    if key is not None:
        return key
    assert file is not None
    # Twice at most: a file another process created between our read and our write is
    # read and used instead of ours.
    for _ in range(2):
        key, warnings = _read(file)
        for w in warnings:
            warn(w)
        if key is not None:
            return key
        created = _create(file, warn)
        if created is not None:
            warn(file.created_warning(created.verifying_key()))
            return created
    raise OSError(f"{file.path}: created and removed again while loading the key")


def _read(file: _native.KeyFile) -> tuple[SigningKey | None, list[str]]:
    try:
        fd = os.open(file.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return file.decide(None)
    try:
        mode = os.fstat(fd).st_mode & 0o777 if os.name == "posix" else None
        data = os.read(fd, _native.MAX_KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    # Not UTF-8 cannot be a PEM or a JWK; the replacement characters make the core say so.
    return file.decide(data.decode("utf-8", errors="replace"), mode)


def _create(file: _native.KeyFile, warn: Callable[[str], None]) -> SigningKey | None:
    """Writes a new key to ``file.path`` (0600, atomically, never over an existing file).
    ``None`` when a file appeared meanwhile."""
    target = os.path.abspath(file.path)
    directory = os.path.dirname(target)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if os.name == "posix":
        w = _native.check_key_directory(directory, os.stat(directory).st_mode)
        if w is not None:
            warn(w)
    key = SigningKey.generate()
    pem = key.to_pkcs8_pem().encode()
    tmp = os.path.join(directory, f".mcp-attest-{os.getpid()}-{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() fails if the name exists: two servers starting at once never both win.
            os.link(tmp, target)
        except FileExistsError:
            return None
    finally:
        os.unlink(tmp)
    if os.name == "posix":
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return key
