"""Cross-language: the Python client (mcp 2.x + mcp_attest.mcp) against the TypeScript server
(SDK 1.x + mcp-attest/mcp), over stdio and Streamable HTTP. Same scenarios as each adapter's
own suite."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.shared.exceptions import MCPError

import mcp_attest as mi
from mcp_attest.mcp import ListChangedWatcher, Policy, challenge_server, verify_server

pytestmark = pytest.mark.anyio

KEY_1 = mi.SigningKey.from_bytes(bytes([1]) * 32).verifying_key()


def policy(store: mi.TrustStore | None = None) -> Policy:
    return Policy(trust_store=store if store is not None else mi.TrustStore(), server_id="ts-server")


async def test_honest_server_verifies(connect: Any) -> None:
    async with connect() as client:
        r = await verify_server(client, policy())
        assert r.verified, (r.code, r.rejected)
        # The TS test server lists rug_pull only in its rugpull mode.
        assert sorted(r.verified_names()) == ["add", "echo"]


async def test_description_changed_after_signing_rejected(connect: Any) -> None:
    async with connect(tamper="description") as client:
        r = await verify_server(client, policy())
        assert not r.verified
        bad = {x.name: x.status for x in r.rejected}
        assert len(bad) == 1 and next(iter(bad.values())) == "tampered", r.rejected


async def test_tool_added_without_signature_flagged(connect: Any) -> None:
    async with connect(tamper="add-unsigned") as client:
        r = await verify_server(client, policy())
        assert not r.verified
        assert len(r.rejected) == 1 and r.rejected[0].status in ("unsigned", "not_in_manifest"), r.rejected


async def test_rug_pull_after_list_changed_caught(connect: Any) -> None:
    watcher = ListChangedWatcher()
    async with connect(tamper="rugpull", mode="legacy", message_handler=watcher.handler) as client:
        first = await verify_server(client, policy())
        assert first.verified
        await client.call_tool("rug_pull", {})
        assert await watcher.wait(15), "no notifications/tools/list_changed from the TypeScript server"
        second = await verify_server(client, policy(), previous=first)
        assert not second.verified
        assert [(x.name, x.code) for x in second.rejected] == [("echo", "tool_changed")]


async def test_pinned_key_change_refused(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=1) as client:
        assert (await verify_server(client, policy(store))).verified
    async with connect(seed=2) as client:
        r = await verify_server(client, policy(store))
        assert not r.verified and r.code == "pinned_key_changed" and r.tools == ()


async def test_expired_passport_refused(connect: Any) -> None:
    async with connect(passport="expired") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.code == "token_expired" and r.tools == ()


async def test_replayed_challenge_refused(connect: Any) -> None:
    async with connect() as client:
        req = await challenge_server(client, KEY_1)
        with pytest.raises(MCPError) as ei:
            await challenge_server(client, KEY_1, request=req)
        assert ei.value.code == -32002
        assert ei.value.data["reason"] == "replayed_nonce"
