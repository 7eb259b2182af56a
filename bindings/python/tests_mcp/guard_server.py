"""A guarded MCP test server with an evidence log, on whichever SDK line is installed (2.x
``MCPServer`` or 1.x ``FastMCP``): the same script for tests_mcp and tests_mcp_v1.

    python guard_server.py --evidence DIR [--seed HEX64] [--min-level N] [--vault-level N]
                           [--caller-trust FILE] [--transport stdio|http] [--port N]

Tools: echo, shout and add (guarded by the server-wide ``--min-level`` only) and vault (registered
with ``@identity.tool(min_trust_level=--vault-level)``). Every handler that runs appends its
name to DIR/ran.txt, so a test can tell that a refused call never reached its handler. The
evidence log is DIR/log (signed by the server key); ``--caller-trust`` is a trust-store file
(mcp_attest.mcp.save_trust_store) naming the issuers whose passports raise a caller's level.
On http it prints `LISTENING <url>` once it accepts connections; ``--strip-meta`` puts in
front of the app what a proxy that drops unknown ``_meta`` members would do: every
``tools/call`` body loses ``params._meta["org.mcp-attest/caller"]`` before the SDK reads it
(the ``MCP-Attest-Caller`` header is kept).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import mcp_attest  # noqa: F401
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import anyio
import mcp_attest as mi
from mcp_attest.caller import CALLER_META_KEY
from mcp_attest.evidence import open_evidence_log
from mcp_attest.mcp import SDK_LINE, ServerIdentity, attach_identity, load_trust_store

NAME = "guard-test-server"


def build(
    seed_hex: str, evidence: Path, min_level: int = 0, vault_level: int = 3, caller_trust: str | None = None
) -> tuple[Any, ServerIdentity]:
    server: Any
    if SDK_LINE == 2:
        from mcp.server.mcpserver import MCPServer

        server = MCPServer(NAME, version="1.0.0")
    else:
        # Looked up at run time: mypy checks this file against the 2.x SDK, which has no FastMCP.
        server = importlib.import_module("mcp.server.fastmcp").FastMCP(NAME)
    key = mi.SigningKey.from_bytes(bytes.fromhex(seed_hex))
    ran = evidence / "ran.txt"

    def note(name: str) -> None:
        with ran.open("a", encoding="utf-8") as f:
            f.write(name + "\n")

    identity = attach_identity(
        server,
        key=key,
        min_trust_level=min_level,
        caller_trust=load_trust_store(caller_trust) if caller_trust is not None else None,
        evidence_log=open_evidence_log(evidence / "log", key),
    )

    def tool(**kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register: Callable[[Callable[..., Any]], Any] = server.tool(**kwargs)
        return register

    @tool(description="Echo the text back.")
    def echo(text: str) -> str:
        note("echo")
        return text

    @tool(description="Echo the text back, louder.")
    def shout(text: str) -> str:
        note("shout")
        return text.upper()

    @tool(description="Add two numbers.")
    def add(a: int, b: int = 1) -> int:
        note("add")
        return a + b

    @identity.tool(min_trust_level=vault_level, description="Open the vault.")
    def vault() -> str:
        note("vault")
        return "opened"

    return server, identity


def strip_meta(app: Any) -> Any:
    """An ASGI wrapper dropping the caller's member of ``params._meta`` from every
    ``tools/call`` request body (a proxy keeping only the ``_meta`` keys it knows)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("method") == "tools/call":
            request.get("params", {}).get("_meta", {}).pop(CALLER_META_KEY, None)
            body = json.dumps(request).encode()
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app({**scope, "headers": headers}, replay, send)

    return wrapped


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--seed", default="01" * 32)
    p.add_argument("--evidence", required=True, type=Path)
    p.add_argument("--min-level", type=int, default=0)
    p.add_argument("--vault-level", type=int, default=3)
    p.add_argument("--caller-trust", default=None)
    p.add_argument("--strip-meta", action="store_true")
    a = p.parse_args(argv)
    server, _identity = build(a.seed, a.evidence, a.min_level, a.vault_level, a.caller_trust)
    if a.transport == "stdio":
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app()
    if a.strip_meta:
        app = strip_meta(app)
    config = uvicorn.Config(app, host="127.0.0.1", port=a.port, log_level="warning", lifespan="on")
    userver = uvicorn.Server(config)

    async def serve() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(userver.serve)
            while not userver.started:
                await anyio.sleep(0.02)
            port = userver.servers[0].sockets[0].getsockname()[1]
            print(f"LISTENING http://127.0.0.1:{port}/mcp", flush=True)

    anyio.run(serve)


if __name__ == "__main__":
    main()
