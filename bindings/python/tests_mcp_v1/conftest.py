"""Real `mcp` 1.x servers (server_v1.py in a subprocess) and 1.x ClientSessions over stdio and
Streamable HTTP on 127.0.0.1. Runs in its own virtualenv (scripts/test-mcp.sh makes it)."""

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
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

SERVER = Path(__file__).resolve().parent / "server_v1.py"
SEED_A = "01" * 32
SEED_B = "02" * 32


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
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


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


Connect = Callable[..., Any]


@pytest.fixture
def connect(transport: str) -> Connect:
    """`async with connect(seed=, tamper=, passport=, server=, rotate_from=, message_handler=)`:
    an initialized 1.x ClientSession to a real 1.x server."""

    @asynccontextmanager
    async def _connect(
        *,
        seed: str = SEED_A,
        tamper: str = "none",
        passport: str = "self",
        server: str = "fastmcp",
        rotate_from: str | None = None,
        message_handler: Any = None,
    ) -> AsyncIterator[ClientSession]:
        args = [str(SERVER), "--seed", seed, "--tamper", tamper, "--passport", passport, "--server", server]
        if rotate_from is not None:
            args += ["--rotate-from", rotate_from]
        if transport == "stdio":
            params = StdioServerParameters(command=sys.executable, args=args, env=_child_env())
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write, message_handler=message_handler) as session:
                    await session.initialize()
                    yield session
        else:
            async with _http_server(args) as url:
                async with streamablehttp_client(url) as (read, write, _):
                    async with ClientSession(read, write, message_handler=message_handler) as session:
                        await session.initialize()
                        yield session

    return _connect
