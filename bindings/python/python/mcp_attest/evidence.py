"""Evidence logs (spec §19): one signed, hash-chained record per ``tools/call``, allowed or
denied, with checkpoints; verified offline, naming the record that is wrong.

The core decides the record format, the hashes, the rotation point and the file names; this
module appends lines to files and reads them back — the same rules as the npm package's
``EvidenceLog`` and ``mcp-attest/fs``, and the CLI's ``mcp-attest evidence verify``.

>>> import tempfile
>>> from mcp_attest import SigningKey
>>> from mcp_attest.evidence import open_evidence_log, verify_evidence_files
>>> key = SigningKey.from_bytes(bytes(32 * [5]))
>>> d = tempfile.mkdtemp()
>>> log = open_evidence_log(d, key)
>>> log.record({"tool": "echo", "arguments": {"text": "hi"}, "result": {"content": []}, "decision": "allow"})
>>> verify_evidence_files(d, key.verifying_key()).valid
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _native
from ._native import SigningKey, VerifyingKey
from .key_store import Signer

__all__ = [
    "EvidenceLog",
    "EvidenceProblem",
    "EvidenceReport",
    "FileEvidenceLog",
    "evidence_file_index",
    "evidence_file_name",
    "evidence_files",
    "evidence_hash",
    "open_evidence_log",
    "verify_evidence_files",
    "verify_evidence_log",
]


@dataclass(frozen=True)
class EvidenceProblem:
    """One thing wrong with a log: 1-based ``line`` across every line given (0: an anchor's)."""

    line: int
    seq: int | None
    code: str
    message: str


@dataclass(frozen=True)
class EvidenceReport:
    """What verification found; the same fields as the npm package's and the CLI's report."""

    valid: bool
    lines: int
    records: int
    checkpoints: int
    first_seq: int | None
    last_seq: int | None
    head: str | None
    from_genesis: bool
    anchors_matched: int
    problems: tuple[EvidenceProblem, ...]
    problems_omitted: int
    #: The core's report as canonical JSON text (byte for byte what the other languages give).
    json: str


def _report(text: str) -> EvidenceReport:
    d = json.loads(text)
    return EvidenceReport(
        valid=d["valid"],
        lines=d["lines"],
        records=d["records"],
        checkpoints=d["checkpoints"],
        first_seq=d["firstSeq"],
        last_seq=d["lastSeq"],
        head=d["head"],
        from_genesis=d["fromGenesis"],
        anchors_matched=d["anchorsMatched"],
        problems=tuple(EvidenceProblem(p["line"], p["seq"], p["code"], p["message"]) for p in d["problems"]),
        problems_omitted=d["problemsOmitted"],
        json=text,
    )


class EvidenceLog:
    """The writer side, without I/O: returns ``(file, line)`` writes for the caller to append."""

    def __init__(
        self,
        key: SigningKey | Signer,
        *,
        max_file_bytes: int | None = None,
        resume: tuple[str, int, int] | None = None,
        resume_files: tuple[int, str, str | None] | None = None,
    ) -> None:
        """``max_file_bytes``: the rotation size (default: the core's, 16 MiB). ``resume``:
        ``(last_line, file, file_bytes)``; ``resume_files``: ``(newest_index, newest_text,
        previous_text)`` — how a file-backed log resumes is decided by the core."""
        self._inner = _native.EvidenceLog(key, max_file_bytes, resume, resume_files)

    def append_call(self, call: Any, *, now: Any = None) -> list[tuple[int, str]]:
        """Records a call: one write, or two when the file rotates (a checkpoint, then the record).
        ``call``: ``{"caller", "level", "tool", "toolHash", "arguments", "result" | "error",
        "decision", "reason"}``; arguments and results are hashed, never written."""
        return self._inner.append_call(call, now)

    def checkpoint(self, *, now: Any = None) -> tuple[int, str]:
        """A ``periodic`` checkpoint: also copy its line somewhere the server cannot rewrite."""
        return self._inner.checkpoint(now)

    def close(self, *, now: Any = None) -> tuple[int, str]:
        """A ``close`` checkpoint for a clean shutdown."""
        return self._inner.close(now)

    @property
    def server_did(self) -> str:
        return self._inner.server_did

    @property
    def next_seq(self) -> int:
        return self._inner.next_seq

    @property
    def file(self) -> int:
        return self._inner.file


def verify_evidence_log(
    lines: Iterable[str] | str, key: VerifyingKey, *, anchors: Iterable[str] = ()
) -> EvidenceReport:
    """Verifies a log: its lines in order (every file, oldest first; text is split at ``\\n``),
    under the server's key, with anchors (checkpoint lines kept elsewhere)."""
    v = _native.LogVerifier(key)
    if isinstance(lines, str):
        body = lines[:-1] if lines.endswith("\n") else lines
        lines = body.split("\n") if body else []
    for line in lines:
        v.push(line)
    return _report(v.finish(list(anchors)))


def evidence_hash(value: Any) -> str:
    """``sha256-…`` of the RFC 8785 form of a JSON value: the hash recorded for arguments and results."""
    return _native.evidence_hash(value)


def evidence_file_name(prefix: str, index: int) -> str:
    """The name of a log's file number ``index``: ``<prefix>-000007.jsonl``."""
    return _native.evidence_file_name(prefix, index)


def evidence_file_index(prefix: str, name: str) -> int | None:
    """The index of one of the log's files, or None for any other name."""
    return _native.evidence_file_index(prefix, name)


def evidence_files(directory: str | os.PathLike[str], prefix: str = "evidence") -> list[Path]:
    """The log's files in chain order (oldest first)."""
    d = Path(directory)
    if not d.exists():
        return []
    found = [(i, p) for p in d.iterdir() if (i := evidence_file_index(prefix, p.name)) is not None]
    return [p for _, p in sorted(found)]


class FileEvidenceLog:
    """An open, file-backed evidence log: every call appends (and flushes) its lines."""

    def __init__(self, directory: Path, prefix: str, log: EvidenceLog, fsync: bool = True) -> None:
        self._dir = directory
        self._prefix = prefix
        self._log = log
        self._fsync = fsync

    def _write(self, w: tuple[int, str]) -> None:
        path = self._dir / evidence_file_name(self._prefix, w[0])
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (w[1] + "\n").encode("utf-8"))
            if self._fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def record(self, call: Any, *, now: Any = None) -> None:
        """Records one ``tools/call`` decision."""
        for w in self._log.append_call(call, now=now):
            self._write(w)

    def checkpoint(self, *, now: Any = None) -> str:
        """Writes a ``periodic`` checkpoint and returns its line: keep a copy elsewhere (an anchor)."""
        w = self._log.checkpoint(now=now)
        self._write(w)
        return w[1]

    def close(self, *, now: Any = None) -> None:
        """Writes a ``close`` checkpoint."""
        self._write(self._log.close(now=now))

    @property
    def server_did(self) -> str:
        return self._log.server_did

    @property
    def log(self) -> EvidenceLog:
        """The log itself, for a call gate (``ServerPresentation.admit_call(log=…)``) that
        returns its lines."""
        return self._log

    def write(self, writes: Iterable[tuple[int, str]]) -> None:
        """Appends (and flushes) lines returned by a call gate."""
        for w in writes:
            self._write(w)


def open_evidence_log(
    directory: str | os.PathLike[str],
    key: SigningKey | Signer,
    *,
    prefix: str = "evidence",
    max_file_bytes: int | None = None,
    fsync: bool = True,
) -> FileEvidenceLog:
    """Opens (or starts) the log in ``directory`` (created with mode 0700), resuming the chain
    from the newest file's last line — which must verify under ``key``: a log written by another
    key, or a file cut mid-line, is refused rather than silently restarted (a new chain would
    hide what came before).

    ``fsync`` (default true, as the npm package): every line reaches the disk before the call
    is answered, a few milliseconds per call. False leaves it to the OS: a crash can then lose
    the last lines — which the chain shows as a log cut short (spec §19.4) — but never reorder
    or alter them."""
    d = Path(directory)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = evidence_files(d, prefix)
    if not files:
        log = EvidenceLog(key, max_file_bytes=max_file_bytes)
    else:
        # Only reading here: what to resume from (and refusing a file cut mid-line) is the core's.
        newest = files[-1]
        newest_text = newest.read_bytes().decode("utf-8")
        previous_text = files[-2].read_text(encoding="utf-8") if newest_text == "" and len(files) > 1 else None
        index = evidence_file_index(prefix, newest.name) or 0
        log = EvidenceLog(key, max_file_bytes=max_file_bytes, resume_files=(index, newest_text, previous_text))
    return FileEvidenceLog(d, prefix, log, fsync)


def verify_evidence_files(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    key: VerifyingKey,
    *,
    prefix: str = "evidence",
    anchors: Iterable[str] = (),
) -> EvidenceReport:
    """Verifies a log's files in order (a directory, read with ``prefix``, or explicit paths,
    oldest first) under the server key, one file in memory at a time."""
    if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        paths = evidence_files(source, prefix)
    elif isinstance(source, (str, os.PathLike)):
        paths = [Path(source)]
    else:
        paths = [Path(p) for p in source]

    def lines() -> Iterator[str]:
        for p in paths:
            text = p.read_text(encoding="utf-8")
            body = text[:-1] if text.endswith("\n") else text
            if body:
                yield from body.split("\n")

    return verify_evidence_log(lines(), key, anchors=anchors)
