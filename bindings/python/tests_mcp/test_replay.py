"""issue #10 item 5: one client cannot deny the others' challenges, clients retry once on a full
replay cache, and replicas sharing a RedisReplayStore refuse an answer replayed against another
replica. Real mcp servers and clients in process, and a real redis-server started here on a free
port of 127.0.0.1 (never 6379), killed afterwards."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import mcp_attest as mi
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_attest.mcp import attach_identity, verify_server
from mcp_attest.mcp._client import _RawRequest, _RawResult

pytestmark = pytest.mark.anyio
KEY = mi.SigningKey.from_bytes(b"\x33" * 32)
VK = KEY.verifying_key()
REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def server_with(**identity: Any) -> MCPServer:
    server = MCPServer("replay", version="1")

    @server.tool()
    def ping() -> str:
        return "pong"

    attach_identity(server, key=KEY, **identity)
    return server


async def refusal(client: Client, request: mi.ChallengeRequest, key: mi.VerifyingKey = VK) -> str | None:
    """`data.reason` of a refused challenge, or None when it was answered (and verified)."""
    try:
        out = await client.session.send_request(
            _RawRequest(method="identity/challenge", params=json.loads(request.to_json())), _RawResult
        )
    except MCPError as e:
        data = e.data if isinstance(e.data, Mapping) else {}
        reason = data.get("reason")
        return reason if isinstance(reason, str) else f"jsonrpc_{e.code}"
    mi.verify_challenge_response(request, mi.ChallengeResponse.from_json(out.root), key)
    return None


async def flood(client: Client, offset: int, count: int, key: mi.VerifyingKey = VK) -> dict[str, int]:
    seen: dict[str, int] = {}
    at = int(time.time()) + offset
    for _ in range(count):
        r = await refusal(client, mi.ChallengeRequest(os.urandom(32), now=at), key) or "answered"
        seen[r] = seen.get(r, 0) + 1
    return seen


async def test_one_client_flooding_cannot_deny_another() -> None:
    # The attack, scaled to a 1 600-nonce cache (quota 100) to keep the test quick:
    # before the fix the far-future flood filled the shared cache and the honest client failed
    # with nonce_cache_full.
    server = server_with(replay_cache_capacity=1600)
    # Legacy (session) mode: in-process clients of the 2026-era protocol have no connection
    # that outlives a request, nothing to tell two of them apart by (see client_key_of).
    async with Client(server, mode="legacy") as flooder, Client(server, mode="legacy") as honest:
        assert await flood(flooder, 300, 1600) == {"stale_timestamp": 1600}
        assert await flood(flooder, 55, 1600) == {"answered": 100, "challenge_rate_limited": 1500}
        r = await verify_server(honest, expected_key=VK)
        assert r.verified, r
        assert r.challenge == "verified"
        # The nonce set stays one set: the honest client's answered nonce replayed from the
        # flooder's connection is a replay (here also over the flooder's quota: replay first).
        req = mi.ChallengeRequest(os.urandom(32))
        assert await refusal(honest, req) is None
        assert await refusal(flooder, req) == "replayed_nonce"


async def test_one_client_flooding_over_http_sessions_cannot_deny_another() -> None:
    # A real server process over Streamable HTTP with sessions: each client is its session.
    from conftest import SEED_A, _http_server, _server_args

    args = [*_server_args(SEED_A, "none", "self"), "--replay-cache-capacity", "320"]
    async with _http_server(args) as url:
        async with Client(url, mode="legacy") as flooder, Client(url, mode="legacy") as honest:
            key_a = mi.SigningKey.from_bytes(bytes.fromhex(SEED_A)).verifying_key()
            assert await flood(flooder, 55, 320, key_a) == {"answered": 20, "challenge_rate_limited": 300}
            r = await verify_server(honest)
            assert r.verified, r
            assert r.challenge == "verified"


def flaky_server(full_times: int, data: dict[str, str] | None, seen: list[str]) -> MCPServer:
    """A server whose first `full_times` challenges are refused as a full cache (or with `data`),
    by a middleware outside the adapter's (the server's condition, not the adapter's code)."""
    server = server_with()
    refusal_data = data if data is not None else {"code": "nonce_cache_full", "reason": "nonce_cache_full"}

    async def flaky(ctx: Any, call_next: Any) -> Any:
        if ctx.method == "identity/challenge":
            seen.append(str((ctx.params or {}).get("challenge")))
            if len(seen) <= full_times:
                raise MCPError(-32603, "the challenge replay cache is full", refusal_data)
        return await call_next(ctx)

    server.middleware.insert(0, flaky)
    return server


@pytest.mark.parametrize(
    ("full_times", "data", "verified", "calls"),
    [
        (1, None, True, 2),  # one retry, with a fresh challenge, then verified
        (2, None, False, 2),  # only one retry
        (1, {"code": "invalid_challenge"}, False, 1),  # -32603 without the reason: no retry
    ],
)
async def test_client_retries_once_on_nonce_cache_full(
    full_times: int, data: dict[str, str] | None, verified: bool, calls: int
) -> None:
    seen: list[str] = []
    async with Client(flaky_server(full_times, data, seen)) as client:
        r = await verify_server(client, expected_key=VK)
    assert r.verified is verified, r.json
    assert len(seen) == calls
    assert len(set(seen)) == calls, "each attempt sends a fresh challenge"
    if not verified and data is None:
        assert r.code == "nonce_cache_full" and r.challenge == "failed"


# ---------------------------------------------------------------------------------------------
# Replicas sharing a Redis replay store.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def redis_url() -> Iterator[str]:
    if not (os.path.exists(REDIS) and shutil.which(REDIS)):
        pytest.skip(f"no {REDIS} (apt-get install redis-server)")
    port = _free_port()
    assert port != 6379
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Any]:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


async def test_replay_against_another_replica_is_refused(redis_client: Any) -> None:
    store = mi.RedisReplayStore(redis_client, prefix="test:replica:")
    # Two replicas: separate processes in production, so two identities (two caches).
    a = server_with(replay_store=store, endpoints=["https://a.example/mcp"])
    b = server_with(replay_store=store, endpoints=["https://b.example/mcp"])
    async with Client(a) as to_a, Client(b) as to_b:
        req = mi.ChallengeRequest(os.urandom(32))
        assert await refusal(to_a, req) is None
        assert await refusal(to_b, req) == "replayed_nonce"
        assert await refusal(to_a, req) == "replayed_nonce"
        keys = await redis_client.keys("test:replica:*")
        assert len(keys) == 1 and len(keys[0]) == len("test:replica:") + 32
        ttl = await redis_client.ttl(keys[0])
        assert 290 < ttl <= 302, ttl
        for client in (to_a, to_b):
            r = await verify_server(client, expected_key=VK)
            assert r.verified, r.json


async def test_without_the_store_the_replay_would_be_answered() -> None:
    # The control: what the store prevents. (Two replicas: the endpoints differ, so each has
    # its own presentation and replay cache, as separate processes would.)
    a = server_with(endpoints=["https://a.example/mcp"])
    b = server_with(endpoints=["https://b.example/mcp"])
    async with Client(a) as to_a, Client(b) as to_b:
        req = mi.ChallengeRequest(os.urandom(32))
        assert await refusal(to_a, req) is None
        assert await refusal(to_b, req) is None


async def test_a_store_that_cannot_answer_refuses() -> None:
    class Down:
        async def insert_if_absent(self, key: str, expires_at: int) -> bool:
            raise ConnectionError("redis is down")

    async with Client(server_with(replay_store=Down())) as client:
        r = await verify_server(client, expected_key=VK)
        assert not r.verified and r.challenge == "failed"


def test_sync_redis_client_and_bad_input(redis_url: str) -> None:
    import asyncio

    import redis

    sync = redis.Redis.from_url(redis_url)
    try:
        store = mi.RedisReplayStore(sync, prefix="test:sync:")
        expiry = int(time.time()) + 60
        assert asyncio.run(store.insert_if_absent("0" * 32, expiry)) is True
        assert asyncio.run(store.insert_if_absent("0" * 32, expiry)) is False
        with pytest.raises(mi.InvalidChallengeError):
            asyncio.run(store.insert_if_absent("not hex", expiry))
        with pytest.raises(TypeError):
            mi.RedisReplayStore(object())
        assert isinstance(store, mi.ReplayStore)
    finally:
        sync.close()


async def _call_raw(client: Client, params: dict[str, Any]) -> str | None:
    """`data.reason` of a refused tools/call, or None when it ran."""
    try:
        await client.session.send_request(_RawRequest(method="tools/call", params=params), _RawResult)
    except MCPError as e:
        data = e.data if isinstance(e.data, Mapping) else {}
        reason = data.get("reason")
        return reason if isinstance(reason, str) else f"jsonrpc_{e.code}"
    return None


async def test_a_caller_proof_replayed_against_another_replica_is_refused(redis_client: Any) -> None:
    from mcp_attest.caller import prepare_call

    caller = mi.SigningKey.from_bytes(b"\x44" * 32)
    store = mi.RedisReplayStore(redis_client, prefix="test:calls:")
    a = server_with(replay_store=store, endpoints=["https://a.example/mcp"])
    b = server_with(replay_store=store, endpoints=["https://b.example/mcp"])
    async with Client(a) as to_a, Client(b) as to_b:
        report = await verify_server(to_a, expected_key=VK)
        assert report.verified, report.json
        params, proof = prepare_call({"name": "ping", "arguments": {}}, report=report, key=caller)
        assert proof is not None
        assert await _call_raw(to_a, params) is None
        # Replica b's own cache never saw the proof; the shared store did.
        assert await _call_raw(to_b, params) == "replayed_nonce"
        # One key for the session's challenge, one for the proof: 32 hex characters each, kept
        # as long as they are fresh.
        keys = await redis_client.keys("test:calls:*")
        assert len(keys) == 2 and all(len(k) == len("test:calls:") + 32 for k in keys)
        for k in keys:
            assert 290 < await redis_client.ttl(k) <= 302


async def test_without_the_store_a_caller_proof_replays_on_another_replica() -> None:
    # The control: what the store prevents.
    from mcp_attest.caller import prepare_call

    caller = mi.SigningKey.from_bytes(b"\x44" * 32)
    a = server_with(endpoints=["https://a.example/mcp"])
    b = server_with(endpoints=["https://b.example/mcp"])
    async with Client(a) as to_a, Client(b) as to_b:
        report = await verify_server(to_a, expected_key=VK)
        params, _ = prepare_call({"name": "ping", "arguments": {}}, report=report, key=caller)
        assert await _call_raw(to_a, params) is None
        assert await _call_raw(to_b, params) is None
        assert await _call_raw(to_b, params) == "replayed_nonce"
