"""Caller identity, guards and evidence logs with real mcp 2.x servers and clients (the
scenarios are caller_cases.py's, shared with the 1.x line), plus what needs the 2.x in-process
client: a level set while serving, a log that cannot record, the low-level Server, the DNS
lookup against a real DNS server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import dns.asyncresolver
import dns.exception
import dns.resolver
import mcp_attest as mi
import pytest
from caller_cases import (
    SELF,
    Harness,
    attacks_refused_and_recorded,
    guarded_tools_by_caller_kind,
    header_carries_the_proof_when_meta_is_dropped,
    records,
    refused,
    text_of,
)
from conftest import _child_env, _http_server
from mcp import Client, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_attest.evidence import evidence_files, open_evidence_log, verify_evidence_files
from mcp_attest.mcp import (
    attach_caller_identity,
    attach_identity,
    caller_http_client,
    require_verified,
    verify_server,
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
    async def client(endpoint: Any, *, plain: bool = False, hook: Any = None) -> AsyncIterator[Client]:
        if transport == "stdio":
            params = StdioServerParameters(command=sys.executable, args=endpoint, env=_child_env())
            async with Client(stdio_client(params)) as c:
                yield c
            return
        http = caller_http_client() if not plain else None
        if http is None:
            import httpx2

            http = httpx2.AsyncClient()
        if hook is not None:
            http.event_hooks["request"].append(hook)
        async with http, Client(streamable_http_client(endpoint, http_client=http)) as c:
            yield c

    return Harness(transport, serve, client)


async def test_guarded_tools_by_caller_kind(harness: Harness, tmp_path: Path) -> None:
    await guarded_tools_by_caller_kind(harness, tmp_path)


async def test_attacks_refused_and_recorded(harness: Harness, tmp_path: Path) -> None:
    await attacks_refused_and_recorded(harness, tmp_path)


async def test_header_carries_the_proof_when_meta_is_dropped(harness: Harness, tmp_path: Path) -> None:
    if harness.transport != "http":
        pytest.skip("the MCP-Attest-Caller header exists on Streamable HTTP only")
    await header_carries_the_proof_when_meta_is_dropped(harness, tmp_path)


# --- in-process -----------------------------------------------------------------------------


def counting_server(name: str = "guarded") -> tuple[MCPServer, list[str]]:
    server = MCPServer(name, version="1")
    ran: list[str] = []

    @server.tool(description="Ping.")
    def ping() -> str:
        ran.append("ping")
        return "pong"

    return server, ran


async def test_a_level_set_while_serving_applies_to_the_next_list_and_call() -> None:
    server, ran = counting_server("later")
    identity = attach_identity(server, key=KEY)
    async with Client(server) as client:
        report = require_verified(await verify_server(client))
        assert [(t.name, t.required_level) for t in report.tools] == [("ping", 0)]
        attach_caller_identity(client, key=SELF, report=report)
        assert text_of(await client.call_tool("ping", {})) == "pong"
        identity.set_tool_trust_level("ping", 2)
        assert identity.required_level("ping") == 2
        report = require_verified(await verify_server(client))
        assert [(t.name, t.required_level) for t in report.tools] == [("ping", 2)]
    async with Client(server) as client:
        # The old report (level 0) would let the client send it: the server still refuses.
        assert await refused(client.call_tool("ping", {})) == (-31001, "insufficient_trust_level")
    assert ran == ["ping"]


async def test_bad_levels_are_invalid_policy() -> None:
    server, _ran = counting_server("bad-levels")
    for options in ({"min_trust_level": 5}, {"tool_trust_levels": {"ping": -1}}):
        with pytest.raises(mi.McpAttestError) as ei:
            attach_identity(counting_server()[0], key=KEY, **options)
        assert ei.value.code == "invalid_policy"
    identity = attach_identity(server, key=KEY)
    with pytest.raises(mi.McpAttestError) as ei:

        @identity.tool(min_trust_level=9)
        def unguarded() -> str:
            return "never registered"

    assert ei.value.code == "invalid_policy"
    async with Client(server) as client:
        names = [t.name for t in (await client.list_tools()).tools]
    assert names == ["ping"]  # the tool with a bad level was not registered at all


class BrokenLog:
    """An evidence log whose files cannot be written (a full disk, a read-only mount)."""

    def __init__(self, key: mi.SigningKey, directory: Path) -> None:
        self.inner = open_evidence_log(directory, key)
        self.log = self.inner.log

    def write(self, writes: Any) -> None:
        raise OSError(28, "No space left on device: /secret/path")


async def test_a_log_that_cannot_record_fails_the_call_closed(tmp_path: Path) -> None:
    server, ran = counting_server("broken-log")
    log = BrokenLog(KEY, tmp_path)
    attach_identity(server, key=KEY, tool_trust_levels={"ping": 1}, evidence_log=log)  # type: ignore[arg-type]
    async with Client(server) as client:
        # Refused (level 0 < 1) and the refusal cannot be recorded: still refused, not run.
        assert await refused(client.call_tool("ping", {})) == (-31001, "insufficient_trust_level")
        assert ran == []
        # Allowed, run, but its outcome cannot be recorded: the client gets an error, not the result.
        report = require_verified(await verify_server(client))
        attach_caller_identity(client, key=SELF, report=report)
        with pytest.raises(MCPError) as ei:
            await client.call_tool("ping", {})
    assert ran == ["ping"]
    assert ei.value.error.code == -32603 and "secret" not in str(ei.value)


async def test_lowlevel_server_calls_are_gated_and_recorded(tmp_path: Path) -> None:
    ran: list[str] = []

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[types.Tool(name="t", input_schema={"type": "object"})])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        ran.append(params.name)
        return types.CallToolResult(content=[types.TextContent(type="text", text="done")], is_error=True)

    server: Server[Any] = Server("low", version="1", on_list_tools=list_tools, on_call_tool=call_tool)
    identity = attach_identity(
        server, key=KEY, tool_trust_levels={"t": 1}, evidence_log=open_evidence_log(tmp_path, KEY)
    )
    async with Client(server) as client:
        assert await refused(client.call_tool("t", {})) == (-31001, "insufficient_trust_level")
        report = require_verified(await verify_server(client))
        attach_caller_identity(client, key=SELF, report=report)
        result = await client.call_tool("t", {"n": 1})
        assert result.is_error and text_of(result) == "done"
    assert ran == ["t"] and identity.required_level("t") == 1
    log = verify_evidence_files(tmp_path, KEY.verifying_key())
    assert log.valid and log.records == 2
    lines = [json.loads(line) for f in evidence_files(tmp_path) for line in f.read_text().splitlines()]
    assert [(r["decision"], r["reason"], r["result"] is not None) for r in lines] == [
        ("deny", "insufficient_trust_level", False),
        ("allow", None, True),  # an isError result is still a result
    ]


async def test_a_cancelled_call_still_ends_in_the_log(tmp_path: Path) -> None:
    """The client gives up on a call (its timeout sends notifications/cancelled) and the SDK
    cancels the tool: the admitted call still gets its completion record (-32800). Before,
    the adapter recorded only outcomes that returned or raised an Exception, so a cancelled
    call was admitted in the log and never ended."""
    server = MCPServer("slow", version="1")
    started = anyio.Event()

    @server.tool(description="Waits for ever.")
    async def wait() -> str:
        started.set()
        await anyio.sleep_forever()
        return "never"

    attach_identity(server, key=KEY, evidence_log=open_evidence_log(tmp_path / "log", KEY))
    async with Client(server) as client:
        with pytest.raises(MCPError):
            await client.call_tool("wait", {}, read_timeout_seconds=0.5)
        assert started.is_set()
        # The server's cancellation runs after the client's timeout: wait for the record.
        with anyio.fail_after(10):
            while not records(tmp_path):
                await anyio.sleep(0.05)
    log = verify_evidence_files(tmp_path / "log", KEY.verifying_key())
    assert log.valid and log.records == 1
    assert [(r["tool"], r["decision"], r["error"]) for r in records(tmp_path)] == [("wait", "allow", "-32800")]


# --- DNS: a real DNS server on a loopback port ------------------------------------------------


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def dnsmasq() -> Iterator[int]:
    """dnsmasq on a free loopback port, authoritative for `.test`: `_mcp-identity.good.test`
    names KEY, `_mcp-identity.stale.test` another key; other names there are NXDOMAIN."""
    binary = shutil.which("dnsmasq") or next((b for b in ("/usr/sbin/dnsmasq",) if Path(b).exists()), None)
    if binary is None:
        pytest.fail("dnsmasq is not installed (apt-get install dnsmasq-base; .ci/run does)")
    other = mi.SigningKey.from_bytes(b"\x06" * 32).verifying_key()
    records = {"good": mi.dns_record(KEY.verifying_key()), "stale": mi.dns_record(other)}
    # The port is free when found and released, then another process may take it (dnsmasq
    # listens on UDP and TCP): a start that meets "Address already in use" tries another.
    for _attempt in range(5):
        port = _free_udp_port()
        args = [binary, "--no-daemon", "--keep-in-foreground", f"--port={port}", "--listen-address=127.0.0.1"]
        args += ["--bind-interfaces", "--no-resolv", "--no-hosts", "--local=/test/", "--conf-file=/dev/null"]
        args += ["--pid-file=", "--user="]
        args += [f"--txt-record={mi.dns_record_name(f'{n}.test')},{v}" for n, v in records.items()]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=0.3)
        except subprocess.TimeoutExpired:
            break  # still running: it bound its port
        err = proc.stderr.read() if proc.stderr else b""
        if b"Address already in use" not in err:
            raise RuntimeError(f"dnsmasq exited: {err!r}")
    try:
        # Ready when it answers a name it serves.
        probe = dns.resolver.Resolver(configure=False)
        probe.nameservers, probe.port, probe.lifetime = ["127.0.0.1"], port, 0.5
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"dnsmasq exited: {proc.stderr.read() if proc.stderr else b''!r}")
            try:
                probe.resolve(mi.dns_record_name("good.test"), "TXT")
                break
            except dns.exception.DNSException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port
    finally:
        proc.kill()
        proc.wait()


def _resolver(port: int, lifetime: float = 3.0) -> dns.asyncresolver.Resolver:
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = port
    resolver.lifetime = lifetime
    return resolver


@pytest.mark.parametrize(
    ("domain", "dns_state", "level", "code"),
    [
        ("good.test", "verified", 2, None),  # the record names the served key
        ("absent.test", "absent", 1, None),  # NXDOMAIN: no claim either way
        ("stale.test", "mismatch", 0, "record_mismatch"),  # the domain names another key
    ],
)
async def test_dns_record_against_a_real_dns_server(
    dnsmasq: int, domain: str, dns_state: str, level: int, code: str | None
) -> None:
    server, _ran = counting_server("dns")
    attach_identity(server, key=KEY)
    async with Client(server) as client:
        report = await verify_server(client, domain=domain, dns_resolver=_resolver(dnsmasq))
    assert (report.dns, report.level, report.code) == (dns_state, level, code), report.json


async def test_dns_lookup_that_fails_is_unchecked() -> None:
    server, _ran = counting_server("dns-down")
    attach_identity(server, key=KEY)
    async with Client(server) as client:
        # Nothing listens there: the lookup times out, which is not a "no such record".
        report = await verify_server(client, domain="good.test", dns_resolver=_resolver(_free_udp_port(), 0.5))
    assert (report.verified, report.dns, report.level) == (True, "unchecked", 1), report.json
