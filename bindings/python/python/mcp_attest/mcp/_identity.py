"""The server's identity as the SDK adapters use it: one core ``ServerPresentation`` per key and
options, plus the two things the core leaves to the host: a shared replay store (I/O) and the
name of the client a challenge is charged to (which depends on the SDK's request object)."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import _native
from ..errors import InvalidKeyError
from ..replay import ReplayStore
from ..session import ServerPresentation

__all__ = ["ServerIdentity", "server_identity"]

ClientKeyFn = Callable[[Any], "str | None"]


class ServerIdentity:
    """What :func:`attach_identity` attached: the core's presentation of one key, shared by every
    connection and request of a server with that key and those options (so a server built per
    request keeps one replay cache), plus the optional ``replay_store`` and ``client_key``.

    Use :attr:`presentation` for anything the adapter does not wire itself.
    """

    def __init__(
        self, presentation: ServerPresentation, replay_store: ReplayStore | None, client_key: ClientKeyFn | None
    ) -> None:
        self.presentation = presentation
        self.replay_store = replay_store
        self.client_key = client_key

    def __repr__(self) -> str:
        return f"ServerIdentity(did={self.did!r})"

    @property
    def did(self) -> str:
        """The server's did:key."""
        return self.presentation.did

    @property
    def kid(self) -> str:
        """The key id served everywhere."""
        return self.presentation.kid

    def hint(self) -> dict[str, Any]:
        """The initialize/discover `_meta` hint: the core's capability advertisement."""
        ad: dict[str, Any] = self.presentation.capabilities()["experimental"]
        return dict(ad)

    async def answer_challenge(self, params: Any, client: str) -> tuple[bool, dict[str, Any]]:
        """``(True, result)`` or ``(False, JSON-RPC error object)``; through the replay store
        when there is one (admit → insert if absent → complete). A store that raises refuses."""
        store = self.replay_store
        if store is None:
            return self.presentation.answer_challenge(params, client)
        admitted = self.presentation.admit_challenge(params, client)
        if isinstance(admitted, dict):
            return False, admitted
        store_key, expires_at = admitted
        try:
            inserted = store.insert_if_absent(store_key, expires_at)
            if inspect.isawaitable(inserted):
                inserted = await inserted
        except BaseException:
            # Release the admitted slot before refusing (the store could not tell: no answer).
            self.presentation.complete_challenge(store_key, False)
            raise
        return self.presentation.complete_challenge(store_key, inserted is True)


_LOCK = threading.Lock()
_IDENTITIES: dict[str, ServerIdentity] = {}
# Bounded: a process serves few keys; past this the oldest entry is forgotten (its replay
# cache with it), which only matters to a process cycling through many keys.
_MAX_IDENTITIES = 256


def server_identity(
    key: Any,
    *,
    name: str,
    version: str | None,
    passport: str | None = None,
    audience: str | None = None,
    endpoints: Iterable[str] | None = None,
    attestations: Iterable[Mapping[str, Any] | str] | None = None,
    passport_ttl: int | None = None,
    manifest_ttl: int | None = None,
    replay_cache_capacity: int | None = None,
    kid: str | None = None,
    replay_store: ReplayStore | None = None,
    client_key: ClientKeyFn | None = None,
    **extra: Any,
) -> ServerIdentity:
    """The identity for ``key`` with these options: the same object (and replay cache) for the
    same public key, options, ``replay_store`` object and ``client_key`` function, so a server
    built per request (stateless HTTP) keeps its replay protection as long as it passes the
    same store and function objects. The core checks the options (``invalid_policy``)."""
    if not isinstance(key, _native.SigningKey) and not (hasattr(key, "sign") and hasattr(key, "public_key")):
        raise InvalidKeyError(
            "key must be an mcp_attest.SigningKey (e.g. load_or_create_key(path=...)) or a Signer "
            f"(public_key and sign(data) -> bytes), not {type(key).__name__}",
            "invalid_key",
        )
    if replay_store is not None and not callable(getattr(replay_store, "insert_if_absent", None)):
        raise TypeError("replay_store must have an insert_if_absent(key, expires_at) method")
    if client_key is not None and not callable(client_key):
        raise TypeError("client_key must be callable")
    options: dict[str, Any] = {
        "name": name,
        "version": version,
        "passport": passport,
        "audience": audience,
        "endpoints": list(endpoints) if endpoints is not None and not isinstance(endpoints, str) else endpoints,
        "attestations": None
        if attestations is None
        else [json.loads(a) if isinstance(a, str) else dict(a) for a in attestations],
        "passport_ttl": passport_ttl,
        "manifest_ttl": manifest_ttl,
        "replay_cache_capacity": replay_cache_capacity,
        "kid": kid,
        # Any other option goes to the core as is: a name it does not know is invalid_policy,
        # as in every language, rather than Python's own TypeError.
        **extra,
    }
    presentation = ServerPresentation(key, **options)  # raises invalid_policy on bad options
    ident = f"{presentation.did} {json.dumps(options, sort_keys=True, default=str)} {id(replay_store)} {id(client_key)}"
    with _LOCK:
        found = _IDENTITIES.get(ident)
        if found is None:
            found = _IDENTITIES[ident] = ServerIdentity(presentation, replay_store, client_key)
            while len(_IDENTITIES) > _MAX_IDENTITIES:
                _IDENTITIES.pop(next(iter(_IDENTITIES)))
        return found
