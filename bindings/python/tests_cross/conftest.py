"""The TypeScript test server (bindings/js/test-mcp/server.mjs, SDK 1.x + mcp-attest/mcp) in a
subprocess, over stdio and Streamable HTTP on 127.0.0.1, for the Python client."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[3]
SERVER = ROOT / "bindings" / "js" / "test-mcp" / "server.mjs"
NODE = shutil.which("node") or "node"

# A missing server or build is a failure, not a skip: `just test-cross` builds both first.
assert SERVER.exists() and (ROOT / "bindings" / "js" / "dist" / "mcp.js").exists(), "run just test-cross"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _args(seed: int, tamper: str, passport: str) -> list[str]:
    return [str(SERVER), "--seed", str(seed), "--tamper", tamper, "--passport", passport]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}


@asynccontextmanager
async def _http_server(args: list[str]) -> AsyncIterator[str]:
    proc = subprocess.Popen(
        [NODE, *args, "--transport", "http", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
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
                url = line.split()[1]
                break
        if url is None:
            raise RuntimeError("the TypeScript server did not start")
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
    """`async with connect(seed=1, tamper="none", passport="self") as client:` a TS server."""

    @asynccontextmanager
    async def _connect(
        *, seed: int = 1, tamper: str = "none", passport: str = "self", **kw: Any
    ) -> AsyncIterator[Client]:
        args = _args(seed, tamper, passport)
        if transport == "stdio":
            params = StdioServerParameters(command=NODE, args=args, env=_env())
            async with Client(stdio_client(params), **kw) as client:
                yield client
        else:
            async with _http_server(args) as url:
                async with Client(url, **kw) as client:
                    yield client

    return _connect
