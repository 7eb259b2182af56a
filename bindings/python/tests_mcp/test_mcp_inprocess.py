"""In-process (Client(server)) tests with mcp 2.x: the low-level Server, `_meta` merging, the
passport's toolsHash and issuers, no identity at all, misuse errors, trust-store files."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import mcp_attest as mi
import pytest
from mcp import Client, types
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp_attest.mcp import (
    EXT_AUTH_KEY,
    IDENTITY_KEY,
    SdkShapeError,
    attach_identity,
    load_trust_store,
    require_verified,
    save_trust_store,
    verified_tools,
    verify_server,
    watch_server,
)

pytestmark = pytest.mark.anyio
KEY = mi.SigningKey.from_bytes(b"\x03" * 32)


def lowlevel_server() -> Server[Any]:
    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name="b",
                    description="second",
                    input_schema={"type": "object", "properties": {"x": {"type": "number", "minimum": 1.0}}},
                ),
                types.Tool(
                    name="a",
                    title="First",
                    input_schema={"type": "object"},
                    annotations=types.ToolAnnotations(read_only_hint=True),
                ),
            ]
        )

    return Server("lowlevel", version="3.1", on_list_tools=list_tools)


def ping_server(name: str = "plain") -> MCPServer:
    server = MCPServer(name, version="1")

    @server.tool(description="Ping.")
    def ping() -> str:
        return "pong"

    return server


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_lowlevel_server(mode: str) -> None:
    server = lowlevel_server()
    attach_identity(server, key=KEY)
    async with Client(server, mode=mode) as client:
        r = require_verified(await verify_server(client, expected_key=KEY.verifying_key()))
        assert sorted(r.verified_names) == ["a", "b"]
        assert r.server is not None and r.server["did"] == KEY.to_did_key()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_meta_merged_not_replaced(mode: str) -> None:
    server = ping_server("merge-test")
    identity = attach_identity(server, key=KEY)
    async with Client(server, mode=mode) as client:
        page = await client.list_tools()
        assert page.meta is not None
        assert set(page.meta[IDENTITY_KEY]) == {"manifest", "passport"}
        if client.protocol_version >= "2026":
            assert "io.modelcontextprotocol/serverInfo" in page.meta
        assert EXT_AUTH_KEY in (page.tools[0].meta or {})
        caps = client.server_capabilities
        assert caps.experimental is not None and caps.experimental[IDENTITY_KEY]["did"] == identity.did
    # The self-issued passport names the server as the SDK knows it.
    passport = mi.verify_passport(page.meta[IDENTITY_KEY]["passport"])
    assert passport.mcp is not None and (passport.mcp.name, passport.mcp.version) == ("merge-test", "1")


def test_extension_advertised_on_lowlevel() -> None:
    server = lowlevel_server()
    attach_identity(server, key=KEY)
    assert server.extensions[EXT_AUTH_KEY] == {"version": "1.0.0"}


async def test_no_identity_at_all() -> None:
    async with Client(ping_server()) as client:
        r = await verify_server(client)
        assert not r.verified and r.code == "no_identity" and r.verified_names == ()
        with pytest.raises(mi.McpAttestError) as ei:
            require_verified(r)
        assert ei.value.code == "no_identity"


async def test_passport_tools_hash_binds_the_tool_set() -> None:
    async with Client(ping_server("bound")) as client:
        tools = [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in (await client.list_tools()).tools]
    bound = mi.issue_self_passport(KEY, mi.McpInfo("bound", version="1", tools_hash=mi.tools_hash(tools)))
    server = ping_server("bound")
    attach_identity(server, key=KEY, passport=bound)
    async with Client(server) as client:
        assert (await verify_server(client)).verified

        @server.tool(description="Added after the passport was issued.")
        def extra() -> str:
            return "x"

        r = await verify_server(client)
        assert not r.verified and r.code == "manifest_mismatch" and r.verified_names == ()


async def test_issuer_signed_passport_needs_a_trusted_issuer() -> None:
    issuer = mi.SigningKey.from_bytes(b"\x0a" * 32)
    token = mi.issue_passport(issuer, issuer.to_did_key(), KEY.verifying_key(), mi.McpInfo("pub"))
    server = ping_server("published")
    attach_identity(server, key=KEY, passport=token)
    async with Client(server) as client:
        r = await verify_server(client, trust_store=mi.TrustStore(), server_id="pub", allow_self_issued=False)
        assert not r.verified and r.code == "untrusted_issuer"
        store = mi.TrustStore()
        store.add_issuer(mi.TrustedIssuer.from_did_key(issuer.to_did_key()))
        r = await verify_server(client, trust_store=store, server_id="pub")
        assert r.verified and r.passport is not None and r.passport["issuer"] == issuer.to_did_key()


async def test_custom_kid_everywhere() -> None:
    server = ping_server("custom-kid")
    attach_identity(server, key=KEY, kid="srv-2026")
    async with Client(server) as client:
        r = await verify_server(client, tool_signatures="always")
        assert r.verified and r.server is not None and r.server["kid"] == "srv-2026"


async def test_audience_on_passport_and_manifest() -> None:
    server = ping_server("aud")
    attach_identity(server, key=KEY, audience="client-a")
    async with Client(server) as client:
        assert (await verify_server(client, audience="client-a")).verified
        r = await verify_server(client, audience="client-b")
        assert not r.verified and r.code == "audience_mismatch"


async def test_one_presentation_per_key_across_server_objects() -> None:
    # A server built per request (stateless HTTP) must keep one replay cache per key.
    a = attach_identity(ping_server("same"), key=KEY)
    b = attach_identity(ping_server("same"), key=mi.SigningKey.from_bytes(b"\x03" * 32))
    assert a.presentation is b.presentation
    assert a.server is not b.server  # each its own: identity.tool registers on its server


# --- misuse: a stable code, raised at once ------------------------------------------------------


def test_misuse_of_attach_identity() -> None:
    with pytest.raises(mi.InvalidKeyError) as ei:
        attach_identity(ping_server(), key=KEY.to_pkcs8_pem())
    assert ei.value.code == "invalid_key"
    with pytest.raises(mi.McpAttestError) as ei2:
        attach_identity(ping_server(), key=KEY, passport=42)  # type: ignore[arg-type]
    assert ei2.value.code == "invalid_policy"
    with pytest.raises(mi.McpAttestError) as ei2:
        attach_identity(ping_server(), key=KEY, passport="not-a-token")
    assert ei2.value.code == "invalid_policy"
    with pytest.raises(mi.McpAttestError) as ei2:
        attach_identity(ping_server(), key=KEY, pasport_ttl=60)  # misspelt: the core refuses it
    assert ei2.value.code == "invalid_policy"
    with pytest.raises(SdkShapeError) as ei3:
        attach_identity(object(), key=KEY)
    assert str(ei3.value.code) == "unsupported_sdk" and "mcp>=1.23,<3" in str(ei3.value)
    server = ping_server("twice")
    attach_identity(server, key=KEY)
    with pytest.raises(ValueError):
        attach_identity(server, key=KEY)


async def test_misuse_of_verify_server() -> None:
    async with Client(ping_server()) as client:
        with pytest.raises(mi.McpAttestError) as ei:
            await verify_server(client, trust_store=mi.TrustStore())  # no server_id: never the server's own name
        assert ei.value.code == "invalid_policy"
        with pytest.raises(mi.McpAttestError) as ei:
            await verify_server(client, require_pasport=False)
        assert ei.value.code == "invalid_policy"
    with pytest.raises(SdkShapeError):
        await verify_server(object())


async def test_watch_server_requires_a_trust_store() -> None:
    # As in TypeScript: without a store no accepted tools are remembered, so a rug pull would
    # re-verify as verified; refused before anything is sent.
    async with Client(ping_server()) as client:
        with pytest.raises(mi.McpAttestError) as ei:
            await watch_server(client, lambda report: None, server_id="x")
        assert ei.value.code == "invalid_policy"


def test_trust_store_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    store = load_trust_store(path)  # missing: empty
    store.pin("stdio:weather", KEY.verifying_key())
    save_trust_store(store, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_trust_store(path) == store
    assert [p.name for p in tmp_path.iterdir()] == ["trust.json"], "no temporary file left"
    path.write_text("{not json")
    with pytest.raises(mi.McpAttestError) as ei:
        load_trust_store(path)
    assert ei.value.code in ("malformed_trust_store", "invalid_json")


@pytest.mark.parametrize("fake", ["empty", "none"])
def test_neither_sdk_line_is_a_clear_error(tmp_path: Path, fake: str) -> None:
    """Importing the adapter beside an `mcp` of neither line (or none) raises SdkShapeError with
    a code and the supported range, not a raw ModuleNotFoundError from deep inside."""
    import subprocess
    import sys

    if fake == "empty":
        (tmp_path / "mcp").mkdir()
        (tmp_path / "mcp" / "__init__.py").write_text("")
    code = (
        "import sys\n"
        + ("sys.modules['mcp'] = None\n" if fake == "none" else "")
        + "try:\n    import mcp_attest.mcp\nexcept ImportError as e:\n"
        "    print(type(e).__name__, getattr(e, 'code', None), e)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert out.stdout.startswith("SdkShapeError unsupported_sdk mcp_attest.mcp: "), out.stdout + out.stderr
    assert "mcp>=1.23,<3" in out.stdout


async def test_the_sdk_session_holds_the_verified_listing_as_its_own_list_tools_would() -> None:
    """The core lists tools with a raw request; the SDK validates a tool's output against the
    schema its own list_tools() cached. Without the listing handed over, call_tool listed the
    tools again, unverified, to find the schema (the counter below was 2)."""
    listed = 0

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        nonlocal listed
        listed += 1
        schema = {"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"]}
        tool = types.Tool(
            name="liar",
            description="declares a number, returns a string",
            input_schema={"type": "object"},
            output_schema=schema,
        )
        return types.ListToolsResult(tools=[tool])

    async def call_tool(ctx: Any, params: Any) -> types.CallToolResult:
        return types.CallToolResult(content=[], structured_content={"n": "not a number"})

    server: Server[Any] = Server("liar", version="1", on_list_tools=list_tools, on_call_tool=call_tool)
    attach_identity(server, key=KEY)
    async with Client(server) as client:
        assert [t["name"] for t in await verified_tools(client)] == ["liar"]
        assert listed == 1
        with pytest.raises(RuntimeError, match="liar"):
            await client.call_tool("liar", {})
        assert listed == 1
