"""Cross-language caller identity: the Python client (mcp 2.x + mcp_attest.mcp) calling a guarded
TypeScript server (bindings/js/test-mcp/server.mjs, SDK 1.x + mcp-attest/mcp) over stdio and
Streamable HTTP: anonymous, key-only and issuer-vouched callers, the client's own refusal, and
proofs replayed, moved, addressed to another server and stale — each refused with its code and
its handler not run. Then the log the TypeScript server wrote is verified by the Python API and
by the CLI, and an edited copy is refused with the line named."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest
from conftest import NODE, ROOT, SERVER, _env, _http_server
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_attest.caller import attach_caller_proof, prepare_call
from mcp_attest.evidence import verify_evidence_files
from mcp_attest.mcp import attach_caller_identity, caller_http_client, require_verified, verify_server
from mcp_attest.mcp._client import _RawRequest, _RawResult

pytestmark = pytest.mark.anyio

CLI = ROOT / "target" / "debug" / "mcp-attest"
# A missing CLI is a failure, not a skip: `just test-cross` builds it first.
assert CLI.exists(), "run just test-cross"
SERVER_KEY = mi.SigningKey.from_bytes(bytes([8]) * 32)
SERVER_DID = SERVER_KEY.verifying_key().to_did_key()
ISSUER_ID = "https://callers.test"  # the TS test server's caller issuer (caller-server.mjs)
ISSUER = mi.SigningKey.from_bytes(bytes([63]) * 32)
CALLER = mi.SigningKey.from_bytes(bytes([64]) * 32)


def _args(evidence: Path, handled: Path) -> list[str]:
    return [
        str(SERVER),
        "--seed",
        "8",
        "--min-level",
        "1",
        "--tool-levels",
        json.dumps({"transfer": 3}),
        "--caller-issuer-seed",
        "63",
        "--evidence",
        str(evidence),
        "--handled",
        str(handled),
    ]


@asynccontextmanager
async def _client(transport: str, args: list[str]) -> AsyncIterator[Client]:
    if transport == "stdio":
        async with Client(stdio_client(StdioServerParameters(command=NODE, args=args, env=_env()))) as client:
            yield client
        return
    async with _http_server(args) as url:
        # caller_http_client: the proof also travels in the MCP-Attest-Caller header.
        http = caller_http_client()
        async with http, Client(streamable_http_client(url, http_client=http)) as client:
            yield client


async def _raw(client: Client, params: Mapping[str, Any]) -> str | None:
    """``data.reason`` of a tools/call refused by the server, or None when it ran."""
    try:
        await client.session.send_request(_RawRequest(method="tools/call", params=dict(params)), _RawResult)
    except MCPError as e:
        data = e.data if isinstance(e.data, Mapping) else {}
        reason = data.get("reason")
        return reason if isinstance(reason, str) else f"jsonrpc_{e.code}"
    return None


def _cli(*files: str) -> tuple[int, dict[str, Any]]:
    p = subprocess.run(
        [str(CLI), "--json", "evidence", "verify", "--key", SERVER_DID, *files],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return p.returncode, json.loads(p.stdout)


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_python_caller_against_a_guarded_typescript_server(transport: str, tmp_path: Path) -> None:
    evidence, handled = tmp_path / "ev", tmp_path / "handled.txt"
    args = _args(evidence, handled)
    echo = {"name": "echo", "arguments": {"text": "hi"}}

    # Attacks, on a client without the adapter's wrapper: proofs go out as made.
    async with _client(transport, args) as client:
        report = require_verified(await verify_server(client))
        assert report.server is not None and report.server["did"] == SERVER_DID
        levels = {t.name: t.required_level for t in report.tools}
        assert levels["transfer"] == 3 and levels["echo"] == 1
        assert await _raw(client, echo) == "insufficient_trust_level"
        params, _ = prepare_call(echo, report=report, key=CALLER)
        assert await _raw(client, params) is None
        assert await _raw(client, params) == "replayed_nonce"
        moved, _ = prepare_call(echo, report=report, key=CALLER)
        assert await _raw(client, {**moved, "name": "add"}) == "caller_proof_mismatch"
        other = json.loads(report.json)
        other["server"]["did"] = CALLER.verifying_key().to_did_key()
        elsewhere, _ = prepare_call(echo, report=json.dumps(other), key=CALLER)
        assert await _raw(client, elsewhere) == "audience_mismatch"
        stale, _ = prepare_call(echo, report=report, key=CALLER, now=int(time.time()) - 600)
        assert await _raw(client, stale) == "stale_timestamp"
        forced = attach_caller_proof(CALLER, SERVER_DID, "tools/call", {"name": "transfer", "arguments": {"amount": 1}})
        assert await _raw(client, forced.params) == "insufficient_trust_level"
    assert handled.read_text().split() == ["echo"]

    # The adapter: refuses before sending what a key alone cannot show; vouched moves money.
    async with _client(transport, args) as client:
        report = require_verified(await verify_server(client))
        attach_caller_identity(client, key=CALLER, report=report)
        await client.call_tool("echo", {"text": "x"})
        with pytest.raises(mi.McpAttestError) as ei:
            await client.call_tool("transfer", {"amount": 5})
        assert ei.value.code == "insufficient_trust_level"
        passport = mi.issue_passport(ISSUER, ISSUER_ID, CALLER.verifying_key(), mi.McpInfo("py-cross-caller"))
        attach_caller_identity(client, key=CALLER, passport=passport, report=report)
        out = await client.call_tool("transfer", {"amount": 5})
        assert out.content[0].text == "moved 5"  # type: ignore[union-attr]
    assert handled.read_text().split() == ["echo", "echo", "transfer"]

    # The TypeScript server's log, verified here and by the CLI alike.
    v = verify_evidence_files(evidence, SERVER_KEY.verifying_key())
    assert v.valid, v.problems
    lines = [json.loads(x) for f in sorted(evidence.iterdir()) for x in f.read_text().splitlines() if x]
    records = [x for x in lines if "decision" in x]
    assert [x.get("reason") or x["decision"] for x in records] == [
        "insufficient_trust_level",
        "allow",
        "replayed_nonce",
        "caller_proof_mismatch",
        "audience_mismatch",
        "stale_timestamp",
        "insufficient_trust_level",
        "allow",
        "allow",
    ]
    assert records[-1]["level"] == 3
    code, report_json = _cli(str(evidence))
    assert code == 0 and report_json["valid"] and report_json["records"] == v.records, report_json
    # An edited copy: the record is named by its line.
    first = sorted(evidence.iterdir())[0].read_text().split("\n")
    first[1] = first[1].replace('"decision":"allow"', '"decision":"deny"')
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(first))
    code, bad = _cli(str(edited))
    assert code == 1 and bad["problems"][0]["line"] == 2, bad
