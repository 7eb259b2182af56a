"""The session through the Python API: a rug pull is refused until the host accepts the
changed tool, and then verifies. Uses the recorded transcripts of tests/vectors/sessions.json,
so the server side is the core's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest

FILE = json.loads((Path(__file__).parents[3] / "tests" / "vectors" / "sessions.json").read_text())


def case(id: str) -> dict[str, Any]:
    return next(c for c in FILE["cases"] if c["id"] == id)


def replay(c: dict[str, Any], store: mi.TrustStore) -> mi.ServerReport:
    camel = json.loads(c["policy"])
    s = mi.ClientSession(
        mi.ClientPolicy(server_id=camel.get("serverId")),
        trust_store=store,
        now=c["now"],
        random=bytes.fromhex(c["random_hex"]),
    )
    for x in c["exchanges"]:
        req = s.next_request()
        assert req is not None and req[0] == x["method"]
        if "result" in x:
            s.receive_result(x["result"])
        else:
            e = x["error"]
            s.receive_error(e["code"], e["message"], None if e["data"] is None else json.loads(e["data"]))
    assert s.next_request() is None
    s.save_trust_store()
    report = s.report
    assert report is not None
    return report


def test_a_changed_tool_stays_refused_until_the_host_accepts_it() -> None:
    c = case("session/rug-pull-description")
    store = mi.TrustStore.from_json(c["store"])
    first = replay(c, store)
    assert not first.verified and first.code == "tool_changed"
    changed = next(t for t in first.tools if t.status == "changed")
    assert changed.changed_fields == ("description",)
    assert replay(c, store).code == "tool_changed"
    listed = next(t for t in json.loads(c["exchanges"][0]["result"])["tools"] if t["name"] == changed.name)
    store.accept_tool("stdio:weather", listed)
    after = replay(c, store)
    assert after.verified, after.message
    assert changed.name in after.verified_names
    assert changed.name in store.accepted_tool_names("stdio:weather")
    assert store.forget_tool("stdio:weather", changed.name)
    with pytest.raises(mi.McpAttestError) as ei:
        store.accept_tool("stdio:weather", {"description": "no name"})
    assert ei.value.code == "malformed_tool_definition"


def test_configuration_errors_have_a_code() -> None:
    cases: list[tuple[dict[str, Any], mi.TrustStore | None]] = [
        ({}, mi.TrustStore()),
        ({"server_id": "x", "challange": False}, None),
        ({"server_id": "x", "max_pages": "ten"}, None),
    ]
    for policy, store in cases:
        with pytest.raises(mi.McpAttestError) as ei:
            mi.ClientSession(policy, trust_store=store)
        assert ei.value.code == "invalid_policy"


def test_presentation_and_session_in_one_process() -> None:
    key = mi.SigningKey.from_bytes(b"\x03" * 32)
    server = mi.ServerPresentation(key, name="calc", version="1.0.0")
    tools = {"tools": [{"name": "add", "description": "Adds.", "inputSchema": {"type": "object"}}]}
    store = mi.TrustStore()
    s = mi.ClientSession({"server_id": "stdio:calc"}, trust_store=store)
    while (req := s.next_request()) is not None:
        method, params = req
        if method == "tools/list":
            s.receive_result(server.sign_tools_list(tools, cursor=params.get("cursor")))
        elif method == "identity/get":
            s.receive_result(server.identity_get())
        else:
            ok, answer = server.answer_challenge(params, "client-1")
            if ok:
                s.receive_result(answer)
            else:
                s.receive_error(answer["code"], answer["message"], answer["data"])
    s.save_trust_store()
    report = s.report
    assert report is not None and report.verified, report
    assert report.pin == "first_use" and report.server is not None and report.server["did"] == server.did
    assert store.accepted_tool_names("stdio:calc") == ["add"]
