"""Real MCP servers (tests_mcp/server.py in a subprocess) over stdio and Streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = Path(__file__).resolve().parent / "server.py"
SEED_A = "01" * 32
SEED_B = "02" * 32


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _server_args(
    seed: str, tamper: str, passport: str, kind: str = "mcpserver", rotate_from: str | None = None, readd: bool = False
) -> list[str]:
    extra = ["--rotate-from", rotate_from] if rotate_from is not None else []
    extra += ["--readd"] if readd else []
    return [str(SERVER), "--seed", seed, "--tamper", tamper, "--passport", passport, "--server", kind, *extra]


def _child_env() -> dict[str, str]:
    # The SDK's stdio client passes only an allowlist of variables: give the child what it needs.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


@asynccontextmanager
async def _http_server(args: list[str]) -> AsyncIterator[str]:
    proc = subprocess.Popen(
        [sys.executable, *args, "--transport", "http", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_child_env(),
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        url = None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("LISTENING "):
                url = line.split(" ", 1)[1].strip()
                break
        if url is None:
            raise RuntimeError("the HTTP test server did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


Connect = Callable[..., Any]


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def connect(transport: str) -> Connect:
    """`async with connect(seed=, tamper=, passport=, server=, rotate_from=, readd=, mode=) as client:` a real server."""

    @asynccontextmanager
    async def _connect(
        *,
        seed: str = SEED_A,
        tamper: str = "none",
        passport: str = "self",
        mode: str = "auto",
        server: str = "mcpserver",
        rotate_from: str | None = None,
        readd: bool = False,
        **client_kw: Any,
    ) -> AsyncIterator[Client]:
        args = _server_args(seed, tamper, passport, server, rotate_from, readd)
        if transport == "stdio":
            params = StdioServerParameters(command=sys.executable, args=args, env=_child_env())
            # stdio_client(...) as the Transport: mcp 2.0 has no Client(StdioServerParameters).
            async with Client(stdio_client(params), mode=mode, **client_kw) as client:
                yield client
        else:
            async with _http_server(args) as url:
                async with Client(url, mode=mode, **client_kw) as client:
                    yield client

    return _connect
