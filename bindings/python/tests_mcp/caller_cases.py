"""Caller identity, guards and evidence logs end to end, written once for both SDK lines: each
line's test module (tests_mcp/test_caller.py for 2.x, tests_mcp_v1/test_caller_v1.py for 1.x)
gives a :class:`Harness` that starts guard_server.py and connects its own SDK client, over
stdio or Streamable HTTP; the scenarios below only use what both lines' clients share
(``call_tool``, ``send_request``) and the adapter's public API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest
from mcp.types import Request as SdkRequest
from mcp_attest.caller import CALLER_HTTP_HEADER, attach_caller_proof
from mcp_attest.evidence import evidence_files, verify_evidence_files
from mcp_attest.mcp import attach_caller_identity, require_verified, save_trust_store, verify_server
from mcp_attest.mcp._common import jsonrpc_error_of
from pydantic import RootModel

GUARD = Path(__file__).resolve().parent / "guard_server.py"
SEED_A = "01" * 32
SEED_B = "02" * 32
ISSUER = mi.SigningKey.from_bytes(b"\x21" * 32)
ISSUER_ID = "https://issuer.test"
SELF = mi.SigningKey.from_bytes(b"\x22" * 32)
VOUCHED = mi.SigningKey.from_bytes(b"\x23" * 32)

#: A request hook for the client's HTTP requests (httpx2 in 2.x, httpx in 1.x).
Hook = Callable[[Any], Any]


@dataclass(frozen=True)
class Harness:
    """``serve(args)`` starts guard_server.py and yields where to reach it (its arguments on
    stdio, where each client starts its own process; its URL on HTTP). ``client(endpoint,
    plain=, hook=)`` connects an initialized SDK client; over HTTP its requests go through
    ``caller_http_client()`` (``plain=True``: the SDK's default client instead), then ``hook``."""

    transport: str
    serve: Callable[[list[str]], AbstractAsyncContextManager[Any]]
    client: Callable[..., AbstractAsyncContextManager[Any]]


class RawRequest(SdkRequest[dict[str, Any] | None, str]):
    """A request sent as built: the attacks send params the adapter would never produce."""


class RawResult(RootModel[dict[str, Any]]):
    pass


def server_args(
    evidence: Path, *, seed: str = SEED_A, trust: Path | None = None, strip_meta: bool = False
) -> list[str]:
    """Every tool needs level 1 (server-wide); vault needs 3 (its own registration)."""
    args = [str(GUARD), "--seed", seed, "--evidence", str(evidence), "--min-level", "1", "--vault-level", "3"]
    args += ["--caller-trust", str(trust)] if trust is not None else []
    return args + (["--strip-meta"] if strip_meta else [])


def evidence_dir(tmp: Path, name: str) -> Path:
    d = tmp / name
    d.mkdir()
    return d


def records(evidence: Path) -> list[dict[str, Any]]:
    """The call records of the server's log, oldest first."""
    out: list[dict[str, Any]] = []
    for f in evidence_files(evidence / "log"):
        out += [r for r in map(json.loads, f.read_text().splitlines()) if r["kind"] == "call"]
    return out


def decisions(evidence: Path) -> list[tuple[str, str, str | None, str | None, int]]:
    """``(tool, decision, reason, caller, level)`` of each call record."""
    return [(r["tool"], r["decision"], r["reason"], r["caller"], r["level"]) for r in records(evidence)]


def assert_log_verifies(evidence: Path, seed: str, count: int) -> None:
    key = mi.SigningKey.from_bytes(bytes.fromhex(seed)).verifying_key()
    report = verify_evidence_files(evidence / "log", key)
    assert report.valid and report.problems == () and report.from_genesis, report.json
    assert report.records == count


def ran(evidence: Path) -> list[str]:
    """The handlers that ran, in order."""
    f = evidence / "ran.txt"
    return f.read_text().split() if f.exists() else []


def sdk_session(client: Any) -> Any:
    return client if callable(getattr(client, "send_request", None)) else client.session


async def send_call(client: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Sends a tools/call with exactly these params (no adapter in the way); its raw result."""
    answer = await sdk_session(client).send_request(RawRequest(method="tools/call", params=params), RawResult)
    result: dict[str, Any] = answer.root
    return result


async def refused(call: Any) -> tuple[int, str]:
    """``(JSON-RPC code, data.reason)`` of the error the awaited call raised."""
    try:
        await call
    except Exception as exc:  # noqa: BLE001 - the SDK's error class differs per line
        error = jsonrpc_error_of(exc)
        assert error is not None, f"not a JSON-RPC error: {exc!r}"
        code, _message, data = error
        assert isinstance(data, dict), data
        return code, str(data["reason"])
    raise AssertionError("the call was not refused")


def text_of(result: Any) -> str:
    """The first text content of a CallToolResult (SDK model or raw JSON)."""
    content = result["content"] if isinstance(result, dict) else result.content
    first = content[0]
    return str(first["text"] if isinstance(first, dict) else first.text)


def caller_trust_file(tmp: Path) -> Path:
    store = mi.TrustStore()
    store.add_issuer(mi.TrustedIssuer(ISSUER_ID, ISSUER.verifying_key()).with_max_level(3))
    path = tmp / "callers.json"
    save_trust_store(store, path)
    return path


async def guarded_tools_by_caller_kind(h: Harness, tmp: Path) -> None:
    """An anonymous, a self-issued and an issuer-vouched client against one guarded server."""
    ev = evidence_dir(tmp, "ev")
    self_did, vouched_did = SELF.to_did_key(), VOUCHED.to_did_key()
    passport = mi.issue_passport(ISSUER, ISSUER_ID, VOUCHED.verifying_key(), mi.McpInfo("vouched-caller"))
    async with h.serve(server_args(ev, trust=caller_trust_file(tmp))) as endpoint:
        async with h.client(endpoint) as anonymous:
            report = require_verified(await verify_server(anonymous))
            # The levels are published signed: the report shows them before any call.
            assert {t.name: t.required_level for t in report.tools} == {"echo": 1, "add": 1, "shout": 1, "vault": 3}
            assert await refused(anonymous.call_tool("echo", {"text": "hi"})) == (-31001, "insufficient_trust_level")
            # A caller that skips the client's check (a proof made by hand, on a connection
            # without attach_caller_identity): the server refuses it the same way.
            sent = attach_caller_proof(SELF, str((report.server or {})["did"]), "tools/call", {"name": "vault"})
            assert await refused(send_call(anonymous, sent.params)) == (-31001, "insufficient_trust_level")

        async with h.client(endpoint) as self_issued:
            report = require_verified(await verify_server(self_issued))
            assert attach_caller_identity(self_issued, key=SELF, report=report) == self_did
            assert text_of(await self_issued.call_tool("echo", {"text": "hi"})) == "hi"
            # vault needs 3, a key alone shows 1: refused before anything is sent.
            before = records(ev)
            with pytest.raises(mi.McpAttestError) as ei:
                await self_issued.call_tool("vault", {})
            assert ei.value.code == "insufficient_trust_level"
            assert records(ev) == before

        async with h.client(endpoint) as vouched:
            report = require_verified(await verify_server(vouched))
            attach_caller_identity(vouched, key=VOUCHED, passport=passport, report=report)
            assert text_of(await vouched.call_tool("vault", {})) == "opened"

    assert ran(ev) == ["echo", "vault"]
    assert decisions(ev) == [
        ("echo", "deny", "insufficient_trust_level", None, 0),
        ("vault", "deny", "insufficient_trust_level", self_did, 1),
        ("echo", "allow", None, self_did, 1),
        ("vault", "allow", None, vouched_did, 3),
    ]
    assert_log_verifies(ev, SEED_A, 4)


async def attacks_refused_and_recorded(h: Harness, tmp: Path) -> None:
    """A proof replayed, moved to another tool, sent to another server, stale, and (HTTP) a
    header that differs from ``_meta``: each refused with its reason, no handler run, and
    each a denial in the log of the server that refused it."""
    ev_a, ev_b = evidence_dir(tmp, "a"), evidence_dir(tmp, "b")
    self_did = SELF.to_did_key()
    rewrite: dict[str, str] = {}

    async def hook(request: Any) -> None:
        # After caller_http_client's own hook: replaces the header it copied from _meta.
        if "header" in rewrite:
            request.headers[CALLER_HTTP_HEADER] = rewrite.pop("header")

    async with h.serve(server_args(ev_a)) as a, h.serve(server_args(ev_b, seed=SEED_B)) as b:
        async with h.client(a, hook=hook) as client:
            report = require_verified(await verify_server(client))
            did_a = str((report.server or {})["did"])

            def proof(name: str, arguments: dict[str, Any], **kw: Any) -> dict[str, Any]:
                return attach_caller_proof(
                    SELF, did_a, "tools/call", {"name": name, "arguments": arguments}, **kw
                ).params

            once = proof("echo", {"text": "once"})
            assert text_of(await send_call(client, once)) == "once"
            assert await refused(send_call(client, once)) == (-31002, "replayed_nonce")
            moved = {**proof("echo", {"text": "x"}), "name": "shout"}
            assert await refused(send_call(client, moved)) == (-31002, "caller_proof_mismatch")
            stale = proof("echo", {"text": "late"}, now=int(time.time()) - 600)
            assert await refused(send_call(client, stale)) == (-31002, "stale_timestamp")
            expected_a = [
                ("echo", "allow", None, self_did, 1),
                ("echo", "deny", "replayed_nonce", None, 0),
                ("shout", "deny", "caller_proof_mismatch", None, 0),
                ("echo", "deny", "stale_timestamp", None, 0),
            ]
            if h.transport == "http":
                # Another valid proof for the same request in the header: not the _meta one.
                rewrite["header"] = attach_caller_proof(
                    SELF, did_a, "tools/call", {"name": "echo", "arguments": {"text": "h"}}
                ).proof
                assert await refused(send_call(client, proof("echo", {"text": "h"}))) == (
                    -31002,
                    "caller_proof_mismatch",
                )
                expected_a.append(("echo", "deny", "caller_proof_mismatch", None, 0))
        async with h.client(b) as other:
            made_for_a = proof("echo", {"text": "elsewhere"})
            assert await refused(send_call(other, made_for_a)) == (-31002, "audience_mismatch")

    assert ran(ev_a) == ["echo"] and ran(ev_b) == []
    assert decisions(ev_a) == expected_a
    assert_log_verifies(ev_a, SEED_A, len(expected_a))
    assert decisions(ev_b) == [("echo", "deny", "audience_mismatch", None, 0)]
    assert_log_verifies(ev_b, SEED_B, 1)


async def header_carries_the_proof_when_meta_is_dropped(h: Harness, tmp: Path) -> None:
    """Streamable HTTP behind something that drops ``_meta`` (the server strips it before the
    SDK reads the body): with ``caller_http_client`` the header still identifies the caller;
    with the SDK's plain HTTP client the same call arrives anonymous and is refused."""
    ev = evidence_dir(tmp, "ev")
    async with h.serve(server_args(ev, strip_meta=True)) as endpoint:
        async with h.client(endpoint) as client:
            report = require_verified(await verify_server(client))
            attach_caller_identity(client, key=SELF, report=report)
            assert text_of(await client.call_tool("echo", {"text": "via header"})) == "via header"
        async with h.client(endpoint, plain=True) as client:
            report = require_verified(await verify_server(client))
            attach_caller_identity(client, key=SELF, report=report)
            assert await refused(client.call_tool("echo", {"text": "no header"})) == (
                -31001,
                "insufficient_trust_level",
            )
    assert ran(ev) == ["echo"]
    assert decisions(ev) == [
        ("echo", "allow", None, SELF.to_did_key(), 1),
        ("echo", "deny", "insufficient_trust_level", None, 0),
    ]
    assert_log_verifies(ev, SEED_A, 2)
