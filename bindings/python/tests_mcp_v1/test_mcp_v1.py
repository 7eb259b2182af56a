"""The adapter on the `mcp` 1.x line: real 1.x servers and ClientSessions, stdio and
Streamable HTTP. Same scenarios and the same core reports as tests_mcp (2.x)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest
from conftest import SEED_A, SEED_B
from mcp.shared.exceptions import McpError
from mcp_attest.mcp import SDK_LINE, ListChangedWatcher, SdkShapeError, attach_identity, verified_tools, verify_server
from mcp_attest.mcp._client import _RawRequest, _RawResult

pytestmark = pytest.mark.anyio
KEY_A = mi.SigningKey.from_bytes(bytes.fromhex(SEED_A)).verifying_key()
KEY_B = mi.SigningKey.from_bytes(bytes.fromhex(SEED_B)).verifying_key()
ID = "v1-server"
ALL = ["add", "echo", "readd_echo", "remove_echo", "rug_pull"]


def refused(r: mi.ServerReport) -> list[tuple[str | None, str, str | None]]:
    return [(t.name, t.status, t.code) for t in r.tools if t.status != "verified"]


def test_the_1x_line_is_chosen() -> None:
    assert SDK_LINE == 1


async def test_honest_server(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect() as session:
        r = await verify_server(session, trust_store=store, server_id=ID)
        assert r.verified, r.json
        assert (r.pin, r.challenge) == ("first_use", "verified")
        assert r.server is not None and r.server["did"] == KEY_A.to_did_key()
        assert sorted(r.verified_names) == ALL
        assert sorted(t["name"] for t in await verified_tools(session)) == ALL
        caps = session.get_server_capabilities()
        assert caps is not None and caps.experimental is not None
        assert caps.experimental["org.mcp-attest/identity"]["did"] == KEY_A.to_did_key()
        assert not (await session.call_tool("echo", {"text": "hi"})).isError


async def test_paginated_server(connect: Any) -> None:
    async with connect(server="paginated") as session:
        r = await verify_server(session)
        assert r.verified and r.pages == (2, 2, 1), r.json


@pytest.mark.parametrize("tamper", ["drop-page", "repeat-page"])
async def test_dropped_or_repeated_page_refused(connect: Any, tamper: str) -> None:
    async with connect(server="paginated", tamper=tamper) as session:
        r = await verify_server(session)
        assert not r.verified and r.code == "manifest_mismatch" and r.verified_names == ()


async def test_rotation_and_pinned_key_change(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=SEED_A) as session:
        assert (await verify_server(session, trust_store=store, server_id=ID)).pin == "first_use"
    async with connect(seed=SEED_B) as session:
        r = await verify_server(session, trust_store=store, server_id=ID)
        assert not r.verified and (r.code, r.pin) == ("pinned_key_changed", "changed")
    async with connect(seed=SEED_B, rotate_from=SEED_A) as session:
        r = await verify_server(session, trust_store=store, server_id=ID)
        assert r.verified and r.pin == "rotated", r.json
    assert store.pinned(ID).key == KEY_B  # type: ignore[union-attr]


async def test_rug_pull_after_list_changed(connect: Any) -> None:
    store = mi.TrustStore()
    watcher = ListChangedWatcher()
    async with connect(message_handler=watcher.handler) as session:
        assert (await verify_server(session, trust_store=store, server_id=ID)).verified
        await session.call_tool("rug_pull", {})
        assert await watcher.wait(10), "no notifications/tools/list_changed"
        r = await verify_server(session, trust_store=store, server_id=ID)
        assert refused(r) == [("echo", "changed", "tool_changed")]
        [echo] = [t for t in r.tools if t.name == "echo"]
        assert "description" in echo.changed_fields


async def test_removed_then_readded_changed_tool(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect() as session:
        assert (await verify_server(session, trust_store=store, server_id=ID)).verified
        await session.call_tool("remove_echo", {})
        gone = await verify_server(session, trust_store=store, server_id=ID)
        assert gone.verified and gone.changes is not None and gone.changes["removed"] == ["echo"]
        await session.call_tool("readd_echo", {})
        back = await verify_server(session, trust_store=store, server_id=ID)
        assert refused(back) == [("echo", "changed", "tool_changed")]


async def test_tampered_description(connect: Any) -> None:
    async with connect(tamper="description") as session:
        r = await verify_server(session)
        assert not r.verified and refused(r)[0][1:] == ("tampered", "manifest_mismatch"), r.json


async def test_expired_passport(connect: Any) -> None:
    async with connect(passport="expired") as session:
        r = await verify_server(session)
        assert not r.verified and r.code == "token_expired"


async def test_replayed_challenge(connect: Any) -> None:
    async with connect() as session:
        params = json.loads(mi.ChallengeRequest().to_json())
        first = await session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
        assert set(first.root) >= {"kid", "signature"}
        with pytest.raises(McpError) as ei:
            await session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
        assert ei.value.error.code == -32002 and ei.value.error.data["reason"] == "replayed_nonce"


async def test_no_identity(connect: Any) -> None:
    async with connect(server="plain") as session:
        r = await verify_server(session)
        assert not r.verified and r.code == "no_identity"


def test_misuse() -> None:
    from mcp.server.fastmcp import FastMCP

    with pytest.raises(mi.InvalidKeyError):
        attach_identity(FastMCP("x"), key="-----BEGIN PRIVATE KEY-----")
    with pytest.raises(mi.McpAttestError) as ei:
        attach_identity(FastMCP("x"), key=mi.SigningKey.generate(), passport=42)  # type: ignore[arg-type]
    assert ei.value.code == "invalid_policy"
    with pytest.raises(mi.McpAttestError) as ei:
        attach_identity(FastMCP("x"), key=mi.SigningKey.generate(), manifest_tll=60)
    assert ei.value.code == "invalid_policy"
    with pytest.raises(SdkShapeError):
        attach_identity(object(), key=mi.SigningKey.generate())


async def test_a_real_third_party_server_without_identity() -> None:
    """mcp-server-time (which pins mcp<2, the reason for the 1.x adapter) over stdio: a server
    that implements no identity gets the one plain code, and its tools never verify."""
    import shutil
    import sys

    from conftest import _child_env
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    command = shutil.which("mcp-server-time", path=str(Path(sys.executable).parent))
    assert command is not None, "scripts/test-mcp.sh installs mcp-server-time into the 1.x venv"
    params = StdioServerParameters(command=command, args=["--local-timezone", "UTC"], env=_child_env())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            r = await verify_server(session)
    assert not r.verified and r.code == "no_identity" and r.verified_names == ()
    assert {t.status for t in r.tools} == {"server_unverified"} and len(r.tools) >= 2


async def test_stateless_http_server() -> None:
    """Stateless Streamable HTTP: every request is its own Server.run; the identity (and its
    replay cache) is shared, and challenges are charged to the peer address."""
    from conftest import SERVER, _http_server
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with _http_server([str(SERVER), "--seed", SEED_A, "--stateless"]) as url:
        async with streamablehttp_client(url) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                r = await verify_server(session, expected_key=KEY_A)
                assert r.verified and r.challenge == "verified", r.json
                params = json.loads(mi.ChallengeRequest().to_json())
                await session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
                with pytest.raises(McpError) as ei:
                    await session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
                assert ei.value.error.data["reason"] == "replayed_nonce"


async def test_the_sdk_session_holds_the_verified_listing_as_its_own_list_tools_would() -> None:
    """The core lists tools with a raw request; mcp 1.x's call_tool validates a tool's output
    with the schema its own list_tools() cached, and lists the tools again (unverified) for a
    tool it has none for: the counter below was 2 before the listing was handed over."""
    from mcp import types
    from mcp.server.lowlevel import Server
    from mcp.shared.memory import create_connected_server_and_client_session

    listed = 0
    server: Server[Any] = Server("counted")

    @server.list_tools()  # type: ignore[misc, no-untyped-call]
    async def list_tools() -> list[types.Tool]:
        nonlocal listed
        listed += 1
        schema = {"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"]}
        return [types.Tool(name="count", description="a number", inputSchema={"type": "object"}, outputSchema=schema)]

    @server.call_tool()  # type: ignore[misc]
    async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"n": 1}

    attach_identity(server, key=mi.SigningKey.from_bytes(bytes.fromhex(SEED_A)))
    async with create_connected_server_and_client_session(server) as client:
        assert [t["name"] for t in await verified_tools(client)] == ["count"]
        assert listed == 1
        result = await client.call_tool("count", {})
        assert result.structuredContent == {"n": 1} and not result.isError
        assert listed == 1
