"""In-process (Client(server)) tests: the low-level Server, _meta merging, feature checks."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client, types
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer

import mcp_attest as mi
from mcp_attest.mcp import (
    EXT_AUTH_KEY,
    IDENTITY_KEY,
    Policy,
    ServerIdentity,
    attach_identity,
    verify_server,
)

pytestmark = pytest.mark.anyio
KEY = mi.SigningKey.from_bytes(b"\x03" * 32)


def lowlevel_server() -> Server[Any]:
    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(name="b", description="second", input_schema={"type": "object", "properties": {"x": {"type": "number", "minimum": 1.0}}}),
                types.Tool(name="a", title="First", input_schema={"type": "object"}, annotations=types.ToolAnnotations(read_only_hint=True)),
            ]
        )

    return Server("lowlevel", on_list_tools=list_tools)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_lowlevel_server(mode: str) -> None:
    server = lowlevel_server()
    attach_identity(server, ServerIdentity(KEY, name="lowlevel"))
    async with Client(server, mode=mode) as client:
        r = await verify_server(client, Policy(expected_key=KEY.verifying_key()))
        assert r.verified, r
        assert sorted(r.verified_names()) == ["a", "b"]
        assert r.server_did == KEY.to_did_key()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_meta_merged_not_replaced(mode: str) -> None:
    server = MCPServer("merge-test", version="1")

    @server.tool()
    def ping() -> str:
        return "pong"

    attach_identity(server, ServerIdentity(KEY))
    async with Client(server, mode=mode) as client:
        page = await client.list_tools()
        assert page.meta is not None
        ours = page.meta[IDENTITY_KEY]
        assert set(ours) == {"manifest", "passport"}
        if client.protocol_version >= "2026":
            assert "io.modelcontextprotocol/serverInfo" in page.meta
        assert EXT_AUTH_KEY in (page.tools[0].meta or {})
        caps = client.server_capabilities
        assert caps.experimental is not None and caps.experimental[IDENTITY_KEY]["did"] == KEY.to_did_key()


async def test_unverified_without_identity() -> None:
    server = MCPServer("plain")

    @server.tool()
    def ping() -> str:
        return "pong"

    async with Client(server) as client:
        r = await verify_server(client, Policy())
        assert not r.verified and r.code == "missing_passport" and r.tools == ()
        r = await verify_server(client, Policy(require_passport=False))
        assert not r.verified and r.tools == () and r.code is not None  # identity/get: method not found


def test_attach_identity_feature_checks() -> None:
    with pytest.raises(TypeError, match="MCPServer or mcp.server.lowlevel.Server"):
        attach_identity(object(), ServerIdentity(KEY))
    server = MCPServer("twice")
    attach_identity(server, ServerIdentity(KEY))
    with pytest.raises(ValueError):
        attach_identity(server, ServerIdentity(KEY))


def test_extension_advertised() -> None:
    server = lowlevel_server()
    attach_identity(server, ServerIdentity(KEY))
    assert server.extensions[EXT_AUTH_KEY]["version"] == "1.0.0"


async def test_passport_tools_hash_binds_the_tool_set() -> None:
    def make(token: str | None) -> MCPServer:
        server = MCPServer("bound", version="1")

        @server.tool(description="Echo.")
        def echo(text: str) -> str:
            return text

        attach_identity(server, ServerIdentity(KEY, passport=token))
        return server

    async with Client(make(None)) as client:
        page = await client.list_tools()
    tools = [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in page.tools]
    info = mi.McpInfo("bound", version="1", tools_hash=mi.tools_hash(tools))
    bound = mi.issue_self_passport(KEY, info)
    server = make(bound)
    async with Client(server) as client:
        r = await verify_server(client, Policy())
        assert r.verified and r.passport is not None and r.passport.mcp is not None
        server.remove_tool("echo")

        @server.tool(name="echo", description="Echo. And exfiltrate.")
        def echo2(text: str) -> str:
            return text

        r = await verify_server(client, Policy())
        assert not r.verified and r.code == "tools_hash_mismatch" and r.tools == ()


async def test_issuer_signed_passport_needs_a_trusted_issuer() -> None:
    issuer = mi.SigningKey.from_bytes(b"\x0a" * 32)
    token = mi.issue_passport(issuer, issuer.to_did_key(), KEY.verifying_key(), mi.McpInfo("pub"))
    server = MCPServer("published")

    @server.tool()
    def ping() -> str:
        return "pong"

    attach_identity(server, ServerIdentity(KEY, passport=token))
    async with Client(server) as client:
        r = await verify_server(client, Policy(trust_store=mi.TrustStore(), allow_self_issued=False))
        assert not r.verified and r.code == "untrusted_issuer" and r.tools == ()
        store = mi.TrustStore()
        store.add_issuer(mi.TrustedIssuer.from_did_key(issuer.to_did_key()))
        r = await verify_server(client, Policy(trust_store=store, allow_self_issued=False))
        assert r.verified and r.passport is not None and r.passport.issuer == issuer.to_did_key()


async def test_custom_kid_from_identity_get() -> None:
    server = MCPServer("custom-kid")

    @server.tool()
    def ping() -> str:
        return "pong"

    attach_identity(server, ServerIdentity(KEY, kid="srv-2026"))
    async with Client(server) as client:
        r = await verify_server(client, Policy(tool_signatures="always"))
        assert r.verified, r
