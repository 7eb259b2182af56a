"""Caller identity, guards and evidence logs on the `mcp` 1.x line: the scenarios of
tests_mcp/caller_cases.py (the same as 2.x's, the same guard_server.py, now on FastMCP) with
1.x ClientSessions over stdio and Streamable HTTP."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_attest as mi
import pytest
from conftest import _child_env, _http_server
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client
from mcp.server.fastmcp import FastMCP
from mcp.shared.memory import create_connected_server_and_client_session
from mcp_attest.evidence import open_evidence_log, verify_evidence_files
from mcp_attest.mcp import attach_caller_identity, attach_identity, caller_http_client, require_verified, verify_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests_mcp"))

from caller_cases import (  # noqa: E402 - found through the path set above
    SELF,
    Harness,
    attacks_refused_and_recorded,
    guarded_tools_by_caller_kind,
    header_carries_the_proof_when_meta_is_dropped,
    records,
    refused,
    text_of,
)

pytestmark = pytest.mark.anyio
KEY = mi.SigningKey.from_bytes(b"\x05" * 32)


@pytest.fixture
def harness(transport: str) -> Harness:
    @asynccontextmanager
    async def serve(args: list[str]) -> AsyncIterator[Any]:
        if transport == "stdio":
            yield args
        else:
            async with _http_server(args) as url:
                yield url

    @asynccontextmanager
    async def client(endpoint: Any, *, plain: bool = False, hook: Any = None) -> AsyncIterator[ClientSession]:
        if transport == "stdio":
            params = StdioServerParameters(command=sys.executable, args=endpoint, env=_child_env())
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                yield session
            return

        def factory(**kwargs: Any) -> Any:
            if plain:
                import httpx

                http = httpx.AsyncClient(**kwargs)
            else:
                http = caller_http_client(**kwargs)
            if hook is not None:
                http.event_hooks["request"].append(hook)
            return http

        async with streamablehttp_client(endpoint, httpx_client_factory=factory) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session

    return Harness(transport, serve, client)


async def test_guarded_tools_by_caller_kind(harness: Harness, tmp_path: Path) -> None:
    await guarded_tools_by_caller_kind(harness, tmp_path)


async def test_attacks_refused_and_recorded(harness: Harness, tmp_path: Path) -> None:
    await attacks_refused_and_recorded(harness, tmp_path)


async def test_header_carries_the_proof_when_meta_is_dropped(harness: Harness, tmp_path: Path) -> None:
    if harness.transport != "http":
        pytest.skip("the MCP-Attest-Caller header exists on Streamable HTTP only")
    await header_carries_the_proof_when_meta_is_dropped(harness, tmp_path)


async def test_a_level_set_while_serving_applies_to_the_next_list_and_call() -> None:
    server = FastMCP("later")
    ran: list[str] = []

    @server.tool(description="Ping.")
    def ping() -> str:
        ran.append("ping")
        return "pong"

    identity = attach_identity(server, key=KEY)
    async with create_connected_server_and_client_session(server) as client:
        report = require_verified(await verify_server(client))
        assert [(t.name, t.required_level) for t in report.tools] == [("ping", 0)]
        attach_caller_identity(client, key=SELF, report=report)
        assert text_of(await client.call_tool("ping", {})) == "pong"
        identity.set_tool_trust_level("ping", 2)
        report = require_verified(await verify_server(client))
        assert [(t.name, t.required_level) for t in report.tools] == [("ping", 2)]
    async with create_connected_server_and_client_session(server) as client:
        assert await refused(client.call_tool("ping", {})) == (-31001, "insufficient_trust_level")
    assert ran == ["ping"]


async def test_a_call_the_connection_closed_on_still_ends_in_the_log(tmp_path: Path) -> None:
    """The client goes away while a tool runs: the SDK never answers the call, and the adapter
    used to keep its admission until the connection closed, then drop it (admitted in the log,
    never ended). It now records the call as ended by the closed connection (-32000)."""
    server = FastMCP("slow")
    started = anyio.Event()

    @server.tool(description="Waits for ever.")
    async def wait() -> str:
        started.set()
        await anyio.sleep_forever()
        return "never"

    attach_identity(server, key=KEY, evidence_log=open_evidence_log(tmp_path / "log", KEY))
    async with create_connected_server_and_client_session(server) as client, anyio.create_task_group() as tg:
        tg.start_soon(client.call_tool, "wait", {})
        with anyio.fail_after(10):
            await started.wait()
        tg.cancel_scope.cancel()
    log = verify_evidence_files(tmp_path / "log", KEY.verifying_key())
    assert log.valid and log.records == 1
    assert [(r["tool"], r["decision"], r["error"]) for r in records(tmp_path)] == [("wait", "allow", "-32000")]
