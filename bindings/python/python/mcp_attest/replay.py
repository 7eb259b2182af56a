"""Replay stores: the set of answered ``identity/challenge`` nonces shared by the replicas of a
server behind a load balancer, so that an answer from one replica cannot be replayed against
another (docs/spec.md, the challenge section).

The core checks and admits a challenge (window, per-client quota, this replica's cache), the
store inserts its fixed-size key if absent, then the core signs. The in-memory default is the
responder's own cache (no store); :class:`RedisReplayStore` shares the set through Redis.

>>> import asyncio, mcp_attest
>>> from mcp_attest.replay import respond_async
>>> class SetStore:  # an in-process stand-in for a shared store
...     def __init__(self) -> None:
...         self.keys: set[str] = set()
...     def insert_if_absent(self, key: str, expires_at: int) -> bool:
...         if key in self.keys:
...             return False
...         self.keys.add(key)
...         return True
>>> sk = mcp_attest.SigningKey.generate()
>>> store = SetStore()
>>> replica_a = mcp_attest.ChallengeResponder(sk.verifying_key().kid())
>>> replica_b = mcp_attest.ChallengeResponder(sk.verifying_key().kid())
>>> params = mcp_attest.ChallengeRequest().to_json()
>>> _ = asyncio.run(respond_async(replica_a, sk, params, replay_store=store, client_key="c1"))
>>> try:
...     asyncio.run(respond_async(replica_b, sk, params, replay_store=store, client_key="c2"))
... except mcp_attest.ReplayedNonceError as e:
...     print(e.code)
replayed_nonce
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol, runtime_checkable

from . import _native as mi
from .errors import InvalidChallengeError, ReplayedNonceError
from .key_store import Signer

__all__ = ["ReplayStore", "RedisReplayStore", "respond_async"]

_KEY = re.compile(r"[0-9a-f]{32}")


@runtime_checkable
class ReplayStore(Protocol):
    """A store of answered challenge nonces shared by replicas; must be atomic.

    ``insert_if_absent`` records ``key`` (32 hex characters) until ``expires_at`` (Unix
    seconds, inclusive) if absent and returns True, or returns False when the key is present (a
    replay). It may be a coroutine function. Raising refuses the challenge: a store that cannot
    tell must never lead to an answer.
    """

    def insert_if_absent(self, key: str, expires_at: int) -> bool | Awaitable[bool]: ...


class RedisReplayStore:
    """A :class:`ReplayStore` in Redis (≥ 6.2): ``SET <prefix><key> 1 NX EXAT <expires_at + 1>``.

    ``client`` is a ``redis.asyncio.Redis`` (preferred in async servers) or a ``redis.Redis``
    from the ``redis`` package (the optional extra ``mcp-attest[redis]``); only its ``set`` is
    used. ``prefix`` goes before every key; give servers with different keys different prefixes
    if they must not share nonces.
    """

    def __init__(self, client: Any, *, prefix: str = "mcp-attest:nonce:") -> None:
        if not callable(getattr(client, "set", None)):
            raise TypeError("RedisReplayStore: expected a redis.Redis or redis.asyncio.Redis client")
        if not isinstance(prefix, str):
            raise TypeError("prefix must be a str")
        self._client = client
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"RedisReplayStore(prefix={self.prefix!r})"

    async def insert_if_absent(self, key: str, expires_at: int) -> bool:
        if not isinstance(key, str) or _KEY.fullmatch(key) is None:
            raise InvalidChallengeError("replay store key is malformed", "invalid_challenge")
        if not isinstance(expires_at, int) or isinstance(expires_at, bool) or expires_at < 0:
            raise InvalidChallengeError("replay store expiry is malformed", "invalid_challenge")
        # EXAT removes the key at that second; the nonce must stay through expires_at inclusive.
        reply = self._client.set(self.prefix + key, b"1", nx=True, exat=expires_at + 1)
        if inspect.isawaitable(reply):
            reply = await reply
        return reply is True or reply in (b"OK", "OK")


async def respond_async(
    responder: mi.ChallengeResponder,
    key: mi.SigningKey | Signer,
    params: str | bytes | Mapping[str, Any],
    *,
    replay_store: ReplayStore | None = None,
    client_key: str | None = None,
    now: Any = None,
) -> mi.ChallengeResponse:
    """Answers ``params`` as ``responder.respond`` does, with an optional shared ``replay_store``:
    admit (checks and the client's quota), the store's insert-if-absent, then sign. A key already
    in the store raises ``ReplayedNonceError``; whatever the store raises propagates (refused).
    """
    if replay_store is None:
        return responder.respond(key, params, now=now, client_key=client_key)
    insert = getattr(replay_store, "insert_if_absent", None)
    if not callable(insert):
        raise TypeError("replay_store must have an insert_if_absent method")
    admitted = responder.admit(params, now=now, client_key=client_key)
    inserted = insert(admitted.store_key, admitted.expires_at)
    if inspect.isawaitable(inserted):
        inserted = await inserted
    if inserted is not True:
        raise ReplayedNonceError("this challenge nonce was already answered (by another replica)", "replayed_nonce")
    return responder.sign(key, admitted)
