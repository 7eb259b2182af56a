"""The file-backed evidence log and the caller API through the Python package: files rotate,
a reopened log continues its chain, every kind of tampering is found and named by line, and
a log is never silently restarted. Real files in a temporary directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest
from mcp_attest.caller import CALLER_META_KEY, CallerVerifier, attach_caller_proof, caller_refusal, guard_level
from mcp_attest.evidence import evidence_files, open_evidence_log, verify_evidence_files

KEY = mi.SigningKey.from_bytes(bytes([21] * 32))


def call(i: int) -> dict[str, Any]:
    return {
        "tool": "echo",
        "arguments": {"i": i},
        "result": {"content": [{"type": "text", "text": f"r{i}"}]},
        "decision": "allow",
    }


def test_a_file_log_rotates_survives_a_restart_and_verifies(tmp_path: Path) -> None:
    log = open_evidence_log(tmp_path, KEY, max_file_bytes=2000)
    for i in range(6):
        log.record(call(i))
    log = open_evidence_log(tmp_path, KEY, max_file_bytes=2000)  # a restart
    for i in range(6, 12):
        log.record(call(i))
    log.record({"tool": "delete", "caller": None, "decision": "deny", "reason": "insufficient_trust_level"})
    files = evidence_files(tmp_path)
    assert len(files) >= 3
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    r = verify_evidence_files(tmp_path, KEY.verifying_key())
    assert r.valid, r.problems
    assert r.from_genesis and r.records == r.lines and r.checkpoints >= 2


def test_edits_deletions_and_cuts_are_named(tmp_path: Path) -> None:
    log = open_evidence_log(tmp_path, KEY, max_file_bytes=2000)
    for i in range(10):
        log.record(call(i))
    anchor = log.checkpoint()
    log.record(call(10))
    files = evidence_files(tmp_path)
    vk = KEY.verifying_key()
    assert verify_evidence_files(tmp_path, vk, anchors=[anchor]).valid

    first = files[0].read_text()
    files[0].write_text(first.replace('"tool":"echo"', '"tool":"ecHo"', 1))
    r = verify_evidence_files(tmp_path, vk)
    assert [(p.line, p.code) for p in r.problems] == [(1, "invalid_signature")]
    files[0].write_text(first)

    middle = files[1].read_text()
    files[1].unlink()
    r = verify_evidence_files(tmp_path, vk)
    assert not r.valid and r.problems[0].code == "evidence_chain_broken"
    files[1].write_text(middle)

    last = files[-1]
    last_text = last.read_text()
    last.unlink()
    assert verify_evidence_files(tmp_path, vk).valid, "a cut tail verifies without an anchor (spec §19.4)"
    r = verify_evidence_files(tmp_path, vk, anchors=[anchor])
    assert [p.code for p in r.problems] == ["evidence_truncated"]
    last.write_text(last_text)


def test_a_log_is_never_silently_restarted(tmp_path: Path) -> None:
    open_evidence_log(tmp_path, KEY).record(call(1))
    other = mi.SigningKey.from_bytes(bytes([22] * 32))
    with pytest.raises(mi.InvalidSignatureError):
        open_evidence_log(tmp_path, other)
    [f] = evidence_files(tmp_path)
    f.write_text(f.read_text() + '{"v":1,"ki')
    with pytest.raises(mi.McpAttestError, match="partial line") as e:
        open_evidence_log(tmp_path, KEY)
    assert e.value.code == "malformed_evidence"


def test_caller_proofs_attached_identified_and_guarded() -> None:
    client = mi.SigningKey.from_bytes(bytes([23] * 32))
    server_did = KEY.verifying_key().to_did_key()
    sent = attach_caller_proof(
        client, server_did, "tools/call", {"name": "echo", "arguments": {"x": 1}, "_meta": {"progressToken": 3}}
    )
    assert sent.params["_meta"]["progressToken"] == 3
    assert sent.params["_meta"][CALLER_META_KEY]["proof"] == sent.proof
    v = CallerVerifier(server_did)
    who = v.identify("tools/call", sent.params, client="a")
    assert who is not None and (who.did, who.level, who.issuer) == (client.verifying_key().to_did_key(), 1, None)
    with pytest.raises(mi.McpAttestError) as e:
        v.identify("tools/call", sent.params, client="b")
    assert e.value.code == "replayed_nonce"
    assert v.identify("tools/call", {"name": "echo"}) is None
    guard_level(1, who.level)
    with pytest.raises(mi.InsufficientTrustLevelError) as e2:
        guard_level(2, who.level)
    assert caller_refusal(e2.value, required=2, level=1)["data"] == {
        "code": "insufficient_trust_level",
        "level": 1,
        "reason": "insufficient_trust_level",
        "required": 2,
    }


def test_fsync_false_writes_the_same_chain(tmp_path: Path) -> None:
    log = open_evidence_log(tmp_path, KEY, fsync=False)
    for i in range(3):
        log.record(call(i))
    r = verify_evidence_files(tmp_path, KEY.verifying_key())
    assert r.valid, r.problems
    assert r.records == 3
