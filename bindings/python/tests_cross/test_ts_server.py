"""Cross-language: the Python client (mcp 2.x + mcp_attest.mcp) against the TypeScript server
(bindings/js/test-mcp/server.mjs, SDK 1.x + mcp-attest/mcp), over stdio and Streamable HTTP.
Same scenarios as each adapter's own suite; the verdicts are the core's report."""

from __future__ import annotations

import json
from typing import Any

import mcp_attest as mi
import pytest
from mcp.shared.exceptions import MCPError
from mcp_attest.mcp import ListChangedWatcher, verify_server
from mcp_attest.mcp._client import _RawRequest, _RawResult

pytestmark = pytest.mark.anyio

KEY_1 = mi.SigningKey.from_bytes(bytes([1]) * 32).verifying_key()
ID = "ts-server"


def refused(r: mi.ServerReport) -> list[tuple[str | None, str, str | None]]:
    return [(t.name, t.status, t.code) for t in r.tools if t.status != "verified"]


async def test_honest_server_verifies(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect() as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert r.verified, r.json
        assert (r.pin, r.challenge) == ("first_use", "verified")
        assert r.server is not None and r.server["did"] == KEY_1.to_did_key()
        # The TS test server lists rug_pull only in its rugpull mode.
        assert sorted(r.verified_names) == ["add", "echo"]


async def test_description_changed_after_signing_refused(connect: Any) -> None:
    async with connect(tamper="description") as client:
        r = await verify_server(client)
        assert not r.verified and refused(r) == [("echo", "tampered", "manifest_mismatch")], r.json


async def test_tool_added_without_signature_refused(connect: Any) -> None:
    async with connect(tamper="add-unsigned") as client:
        r = await verify_server(client)
        assert not r.verified and [x[0] for x in refused(r)] == ["exfiltrate"], r.json


async def test_rug_pull_after_list_changed(connect: Any) -> None:
    store = mi.TrustStore()
    watcher = ListChangedWatcher()
    async with connect(tamper="rugpull", mode="legacy", message_handler=watcher.handler) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).verified
        await client.call_tool("rug_pull", {})
        assert await watcher.wait(15), "no notifications/tools/list_changed from the TypeScript server"
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert refused(r) == [("echo", "changed", "tool_changed")]
        [echo] = [t for t in r.tools if t.name == "echo"]
        assert echo.changed_fields == ("description",)


async def test_pinned_key_change_refused(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=1) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).verified
    async with connect(seed=2) as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert not r.verified and (r.code, r.pin) == ("pinned_key_changed", "changed") and r.verified_names == ()


async def test_expired_passport_refused(connect: Any) -> None:
    async with connect(passport="expired") as client:
        r = await verify_server(client)
        assert not r.verified and r.code == "token_expired" and r.verified_names == ()


async def test_replayed_challenge_refused(connect: Any) -> None:
    async with connect() as client:
        params = json.loads(mi.ChallengeRequest().to_json())
        first = await client.session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
        assert set(first.root) >= {"kid", "signature"}
        with pytest.raises(MCPError) as ei:
            await client.session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
        assert ei.value.code == -32002 and ei.value.data["reason"] == "replayed_nonce"
