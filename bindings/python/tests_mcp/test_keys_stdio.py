"""The stdio key trap, end to end: a real mcp 2.x client starts a real mcp 2.x stdio server
twice, pinning its key. The SDK's stdio client passes the child only a short list of
environment variables (``get_default_environment``), so a PEM in the host's environment never
reaches the server."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import mcp_attest as mi
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client
from mcp_attest.mcp import verify_server

pytestmark = pytest.mark.anyio

SERVER = Path(__file__).resolve().parent / "key_server.py"
HOST_KEY = mi.SigningKey.generate()


async def start(store: mi.TrustStore, args: list[str], env: dict[str, str] | None = None) -> mi.ServerReport:
    # env=None: what a host does by default, the SDK's allowlist of variables.
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER), *args], env=env)
    async with Client(stdio_client(params)) as client:
        return await verify_server(client, trust_store=store, server_id="stdio:" + " ".join(args))


@pytest.fixture(autouse=True)
def pem_in_host_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_ATTEST_PRIVATE_KEY_PEM", HOST_KEY.to_pkcs8_pem())


async def test_the_documented_pattern_keeps_the_pin_across_starts(tmp_path: Path) -> None:
    store = mi.TrustStore()
    path = tmp_path / "weather" / "server-key.pem"
    first = await start(store, ["new", str(path)])
    assert first.verified, first.json
    assert first.pin == "first_use"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = await start(store, ["new", str(path)])
    assert second.verified, second.json
    assert second.pin == "match"
    assert first.server is not None and second.server is not None
    assert second.server["did"] == first.server["did"]


async def test_a_pem_passed_in_the_transport_env_wins(tmp_path: Path) -> None:
    env = {
        **get_default_environment(),
        "MCP_ATTEST_PRIVATE_KEY_PEM": '"' + HOST_KEY.to_pkcs8_pem().replace("\n", "\\n") + '"',
    }
    r = await start(mi.TrustStore(), ["new", str(tmp_path / "unused.pem")], env)
    assert r.verified, r.json
    assert r.server is not None and r.server["did"] == HOST_KEY.verifying_key().to_did_key()
    assert not (tmp_path / "unused.pem").exists()


async def test_control_the_old_pattern_breaks_the_pin() -> None:
    store = mi.TrustStore()
    first = await start(store, ["old"])
    assert first.verified, first.json
    assert first.server is not None and first.server["did"] != HOST_KEY.verifying_key().to_did_key()
    second = await start(store, ["old"])
    assert not second.verified
    assert second.code == "pinned_key_changed"


async def test_attach_identity_takes_a_signer() -> None:
    # A key the library never sees (pyca/cryptography), through the adapter, over a real
    # stdio-free in-memory connection of the SDK.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from mcp.server.mcpserver import MCPServer
    from mcp_attest.mcp import attach_identity

    secret = Ed25519PrivateKey.generate()

    class Signer:
        public_key = secret.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

        def sign(self, data: bytes) -> bytes:
            return secret.sign(data)

    server = MCPServer("hsm")

    @server.tool()
    def forecast(city: str) -> str:
        """Forecast."""
        return city

    attach_identity(server, key=Signer())
    async with Client(server) as client:
        r = await verify_server(client)
        assert r.verified, r.json
        assert r.server is not None
        assert r.server["did"] == mi.VerifyingKey.from_bytes(Signer.public_key).to_did_key()
