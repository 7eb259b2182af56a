"""The call gate through the Python package: a guarded server publishes its levels in the
signed manifest, a client session shows them, ``prepare_call`` refuses locally what the client
cannot satisfy, and ``admit_call``/``complete_call`` decide each call with evidence in real
files. The same scenario as bindings/js/test/gate.test.mjs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp_attest import McpInfo, SigningKey, TrustedIssuer, TrustStore, dns_record, issue_passport
from mcp_attest.caller import prepare_call
from mcp_attest.errors import McpAttestError
from mcp_attest.evidence import EvidenceLog, open_evidence_log, verify_evidence_files
from mcp_attest.session import ClientSession, ServerPresentation, ServerReport

SERVER = SigningKey.from_bytes(bytes([51] * 32))
CLIENT = SigningKey.from_bytes(bytes([52] * 32))
ISSUER = SigningKey.from_bytes(bytes([53] * 32))
LIST = {
    "tools": [
        {"name": "echo", "inputSchema": {"type": "object"}},
        {"name": "delete", "inputSchema": {"type": "object"}},
    ]
}


def _session(
    server: ServerPresentation, policy: dict[str, Any] | None = None, dns: Callable[[], list[str] | None] | None = None
) -> ServerReport:
    s = ClientSession(policy or {})
    while (r := s.next_request()) is not None:
        method, params = r
        if method == "tools/list":
            s.receive_result(server.sign_tools_list(LIST))
        elif method == "identity/get":
            s.receive_result(server.identity_get())
        elif method == "identity/challenge":
            ok, answer = server.answer_challenge(params, "c")
            assert ok, answer
            s.receive_result(answer)
        elif method == "dns/txt":
            assert params == {"name": "_mcp-identity.weather.example"}
            assert dns is not None
            found = dns()
            if found is None:
                s.receive_error(-32603, "no resolver")
            else:
                s.receive_result({"records": found})
        else:
            pytest.fail(f"unexpected {method}")
    report = s.report
    assert report is not None
    return report


def _refused(f: Callable[[], object]) -> None:
    with pytest.raises(McpAttestError) as e:
        f()
    assert e.value.code == "insufficient_trust_level"


def test_levels_are_published_refused_locally_and_decided_with_evidence(tmp_path: Path) -> None:
    server = ServerPresentation(SERVER, min_trust_level=1, tool_trust_levels={"delete": 3})
    store = TrustStore()
    store.add_issuer(TrustedIssuer.from_did_key(ISSUER.verifying_key().to_did_key()))
    server.set_caller_trust(store)
    report = _session(server)
    assert report.verified
    assert [(t.name, t.required_level) for t in report.tools] == [("echo", 1), ("delete", 3)]

    echo = {"name": "echo", "arguments": {"text": "hi"}}
    delete = {"name": "delete", "arguments": {"id": 7}}
    _refused(lambda: prepare_call(echo, report=report))
    _refused(lambda: prepare_call(delete, report=report, key=CLIENT))

    evidence = open_evidence_log(tmp_path, SERVER)
    params, proof = prepare_call(echo, report=report, key=CLIENT)
    assert proof is not None and params["_meta"]["org.mcp-attest/caller"]["proof"] == proof
    a = server.admit_call(params, client="c", header=proof, log=evidence.log)
    assert a.run and a.caller is not None and a.caller.level == 1 and a.ticket is not None
    evidence.write(server.complete_call(a.ticket, result={"content": []}, log=evidence.log))

    anon = server.admit_call(echo, client="c", log=evidence.log)
    assert not anon.run and anon.error is not None
    assert anon.error["code"] == -31001 and anon.error["data"]["reason"] == "insufficient_trust_level"
    evidence.write(anon.writes)

    # No ``level`` claim: an issuer's passport vouches for level 3.
    passport = issue_passport(ISSUER, ISSUER.verifying_key().to_did_key(), CLIENT.verifying_key(), McpInfo("client"))
    params, _ = prepare_call(delete, report=report, key=CLIENT, passport=passport)
    b = server.admit_call(params, client="c", log=evidence.log)
    assert b.run and b.caller is not None and b.caller.level == 3 and b.ticket is not None
    error = {"code": -32000, "message": "x", "data": {"reason": "revoked"}}
    evidence.write(server.complete_call(b.ticket, error=error, log=evidence.log))
    again = server.admit_call(params, client="c", log=evidence.log)
    assert again.error is not None and again.error["data"]["reason"] == "replayed_nonce"
    evidence.write(again.writes)

    r = verify_evidence_files(tmp_path, SERVER.verifying_key())
    assert r.valid, r.problems
    assert r.records == 4
    with pytest.raises(McpAttestError) as e:
        server.admit_call(echo, client="c", log=EvidenceLog(CLIENT))
    assert e.value.code == "invalid_policy"


def test_the_session_dns_step() -> None:
    server = ServerPresentation(SERVER)
    policy = {"domain": "weather.example"}
    r = _session(server, policy, lambda: ["other=1", dns_record(SERVER.verifying_key())])
    assert (r.verified, r.dns, r.level) == (True, "verified", 2)
    r = _session(server, policy, lambda: None)
    assert (r.verified, r.dns, r.level) == (True, "unchecked", 1)
    r = _session(server, policy, lambda: [dns_record(CLIENT.verifying_key())])
    assert (r.verified, r.dns, r.code) == (False, "mismatch", "record_mismatch")


def test_a_client_keeps_a_signed_log_of_the_calls_it_made() -> None:
    from mcp_attest.caller import client_call_evidence
    from mcp_attest.evidence import verify_evidence_log

    server = ServerPresentation(SERVER, tool_trust_levels={"delete": 3})
    report = _session(server)
    log = EvidenceLog(CLIENT)
    echo = {"name": "echo", "arguments": {"text": "hi"}}
    lines: list[str] = []
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (echo, {"result": {"content": []}}),
        ({"name": "delete", "arguments": {}}, {"refused": "insufficient_trust_level"}),
        (echo, {"error": {"code": -31002, "message": "no", "data": {"reason": "replayed_nonce"}}}),
        (echo, {"error": {"code": -32602, "message": "bad"}}),
    ]
    for params, outcome in cases:
        call = client_call_evidence(report, params, **outcome)
        lines += [line for _, line in log.append_call(call)]
    r = verify_evidence_log(lines, CLIENT.verifying_key())
    assert r.valid, r.problems
    assert report.server is not None
    import json

    got = [(x["caller"], x["decision"], x.get("reason") or x.get("error")) for x in map(json.loads, lines)]
    did = report.server["did"]
    assert got == [
        (did, "allow", None),
        (did, "deny", "insufficient_trust_level"),
        (did, "deny", "replayed_nonce"),
        (did, "allow", "-32602"),
    ]
    with pytest.raises(McpAttestError) as e:
        client_call_evidence(report, echo)
    assert e.value.code == "malformed_evidence"
