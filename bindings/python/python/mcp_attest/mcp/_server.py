"""Server side: attach an identity to an ``MCPServer`` or a low-level ``Server`` (mcp 2.x)."""

from __future__ import annotations

import itertools
import json
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from .. import _native as mi
from ..errors import McpAttestError
from ..replay import ReplayStore, respond_async
from ._common import (
    EXT_AUTH_KEY,
    IDENTITY_KEY,
    METHOD_CHALLENGE,
    METHOD_GET,
    IdentityChallengeParams,
    IdentityGetParams,
)

__all__ = ["ServerIdentity", "IdentityExtension", "IdentityMiddleware", "attach_identity", "identity_header_app"]

_COUNTER = itertools.count(1)

#: The HTTP response header carrying the identity hint (never trusted alone: docs/spec.md §15).
IDENTITY_HEADER = "X-AI-Identity"


class ServerIdentity:
    """What a server presents: its key, a passport, its identity document and a challenge responder.

    ``passport`` is a compact JWS (from a publisher or registry); without one a self-issued
    passport is issued (``passport_ttl`` seconds, default 1 day) for ``name``/``version``.

    Challenges: one responder per identity, shared by every connection; each challenge is
    charged to its client (``client_key(ctx)``, default: the authenticated OAuth client, else
    the Streamable HTTP session, else the connection), one client holding at most
    ``client_quota`` (default 1/16) of the ``nonce_cache_capacity`` nonces. Replicas behind a
    load balancer share the set of answered nonces through ``replay_store`` (e.g.
    ``RedisReplayStore``).
    """

    def __init__(
        self,
        key: mi.SigningKey,
        *,
        name: str = "mcp-server",
        version: str | None = None,
        audience: str | None = None,
        passport: str | None = None,
        passport_ttl: int = 86400,
        kid: str | None = None,
        attestations: Iterable[Mapping[str, Any] | str] | None = None,
        manifest_ttl: int = 3600,
        nonce_cache_capacity: int | None = None,
        client_quota: int | None = None,
        replay_store: ReplayStore | None = None,
        client_key: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.key = key
        self.did = key.to_did_key()
        self.kid = kid if kid is not None else key.verifying_key().kid()
        self.audience = audience
        self.manifest_ttl = manifest_ttl
        self.passport = passport if passport is not None else mi.issue_self_passport(
            key, mi.McpInfo(name, version=version), ttl=passport_ttl, audience=audience
        )
        self._attestations = [a if isinstance(a, str) else dict(a) for a in (attestations or ())]
        self.responder = (
            mi.ChallengeResponder(self.kid, client_quota=client_quota)
            if nonce_cache_capacity is None
            else mi.ChallengeResponder(self.kid, cache_capacity=nonce_cache_capacity, client_quota=client_quota)
        )
        self.replay_store = replay_store
        self._client_key = client_key
        # Connection → a number never reused (unlike id()), forgotten with the connection.
        self._connections: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"ServerIdentity(did={self.did!r})"

    # --- what goes on the wire -------------------------------------------------------------

    def hint(self) -> dict[str, Any]:
        """The hint object of initialize/discover `_meta` and `capabilities.experimental`."""
        return {"did": self.did, "kid": self.kid, "methods": [METHOD_GET, METHOD_CHALLENGE]}

    def sign_tools_list(self, result: Mapping[str, Any]) -> dict[str, Any]:
        """Signs a `tools/list` wire dict: per-tool ext-auth `_meta`, the manifest and the passport.

        The result's `_meta` (e.g. the SDK's serverInfo stamp) and other members are kept.
        """
        out = dict(result)
        meta = out.get("_meta")
        meta = dict(meta) if isinstance(meta, Mapping) else {}
        ours = meta.get(IDENTITY_KEY)
        ours = dict(ours) if isinstance(ours, Mapping) else {}
        ours["passport"] = self.passport
        meta[IDENTITY_KEY] = ours
        out["_meta"] = meta
        signed: dict[str, Any] = json.loads(
            mi.sign_tools_list(self.key, out, ttl=self.manifest_ttl, audience=self.audience, kid=self.kid)
        )
        return signed

    def identity_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(
            mi.identity_document(self.key, kid=self.kid, attestations=self._attestations)
        )
        return doc

    def answer_challenge(self, params: Mapping[str, Any], *, client_key: str | None = None) -> dict[str, Any]:
        """Answers `identity/challenge` params (in memory, without ``replay_store``); raises
        ``MCPError`` with the draft's code + `data.reason`."""
        try:
            response = self.responder.respond(self.key, dict(params), client_key=client_key)
        except McpAttestError as e:
            raise _rpc_error(e) from None
        out: dict[str, Any] = json.loads(response.to_json())
        return out

    async def answer_challenge_async(self, params: Mapping[str, Any], *, client_key: str | None = None) -> dict[str, Any]:
        """As ``answer_challenge``, through ``replay_store`` when there is one. A store that
        raises refuses the challenge (the SDK answers JSON-RPC Internal error)."""
        try:
            response = await respond_async(
                self.responder, self.key, dict(params), replay_store=self.replay_store, client_key=client_key
            )
        except McpAttestError as e:
            raise _rpc_error(e) from None
        out: dict[str, Any] = json.loads(response.to_json())
        return out

    def client_key_of(self, ctx: Any) -> str:
        """The client a challenge is charged to: ``client_key(ctx)`` when given and not empty,
        else ``auth:<OAuth client_id>``, else ``session:<Mcp-Session-Id>``, else (stateless
        HTTP) ``address:<peer host>``, else ``connection:<n>``, one per SDK connection (stdio
        and in-process; in the 2026-era protocol a connection lasts one request, and a stdio
        server has one client anyway)."""
        if self._client_key is not None:
            custom = self._client_key(ctx)
            if isinstance(custom, str) and custom:
                return custom
        try:
            from mcp.server.auth.middleware.auth_context import get_access_token

            token = get_access_token()
        except Exception:  # noqa: BLE001 - no auth support in this SDK build: not authenticated
            token = None
        client_id = getattr(token, "client_id", None)
        if isinstance(client_id, str) and client_id:
            return f"auth:{client_id}"
        # The SDK builds a ServerSession per request; the per-connection object behind it is
        # `_connection` in mcp 2.x (no public accessor on ServerRequestContext).
        session = getattr(ctx, "session", None)
        connection = getattr(session, "connection", None) or getattr(session, "_connection", None)
        session_id = getattr(connection, "session_id", None)
        if not (isinstance(session_id, str) and session_id):
            headers = getattr(getattr(ctx, "request", None), "headers", None)
            session_id = headers.get("mcp-session-id") if isinstance(headers, Mapping) else None
        if isinstance(session_id, str) and session_id:
            return f"session:{session_id}"
        # Stateless HTTP (no session; in the 2026-era protocol every request is its own
        # connection): the peer address. Behind a load balancer every request comes from the
        # balancer: pass client_key reading the address it vouches for.
        peer = getattr(getattr(ctx, "request", None), "client", None)
        host = getattr(peer, "host", None)
        if isinstance(host, str) and host:
            return f"address:{host}"
        if connection is None:
            return f"connection:{id(session)}"
        try:
            number = self._connections.get(connection)
            if number is None:
                number = self._connections[connection] = next(_COUNTER)
        except TypeError:  # not weakly referenceable: its id is unique while it lives
            return f"connection:{id(connection)}"
        return f"connection:{number}"


def _rpc_error(e: McpAttestError) -> MCPError:
    code, reason = mi.jsonrpc_error(e)
    return MCPError(code, str(e), {"code": e.code, "reason": reason})


def _params_dict(params: BaseModel) -> dict[str, Any]:
    """The params as received (members the client actually sent), without `_meta`."""
    raw = params.model_dump(by_alias=True, mode="json", exclude_unset=True)
    raw.pop("_meta", None)
    return raw


class IdentityExtension(Extension):
    """The ext-auth methods as an SDK ``Extension`` (``MCPServer(extensions=[...])``)."""

    identifier = EXT_AUTH_KEY

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity

    def settings(self) -> dict[str, Any]:
        return {"version": "1.0.0", "did": self.identity.did, "kid": self.identity.kid}

    def methods(self) -> Sequence[MethodBinding]:
        identity = self.identity

        async def get(ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
            return identity.identity_document()

        async def challenge(ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
            return await identity.answer_challenge_async(_params_dict(params), client_key=identity.client_key_of(ctx))

        return (
            MethodBinding(METHOD_GET, IdentityGetParams, get),
            MethodBinding(METHOD_CHALLENGE, IdentityChallengeParams, challenge),
        )


def _wire(result: HandlerResult) -> dict[str, Any] | None:
    if isinstance(result, dict):
        return result
    if isinstance(result, BaseModel):
        dumped: dict[str, Any] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return dumped
    return None


class IdentityMiddleware:
    """``ServerMiddleware`` that signs `tools/list` on the wire and adds the hints to
    `initialize` / `server/discover` (merging into `_meta` and `capabilities.experimental`)."""

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.request_id is None:
            return result
        method = ctx.method
        if method == "tools/list":
            wire = _wire(result)
            if wire is None or not isinstance(wire.get("tools"), list):
                return result
            return self.identity.sign_tools_list(wire)
        if method in ("initialize", "server/discover"):
            wire = _wire(result)
            if wire is None:
                return result
            meta = wire.get("_meta")
            meta = dict(meta) if isinstance(meta, Mapping) else {}
            meta[IDENTITY_KEY] = {**self.identity.hint(), "passport": self.identity.passport}
            wire["_meta"] = meta
            caps = wire.get("capabilities")
            if isinstance(caps, dict):
                exp = caps.get("experimental")
                exp = dict(exp) if isinstance(exp, Mapping) else {}
                exp[IDENTITY_KEY] = self.identity.hint()
                caps["experimental"] = exp
            return wire
        return result


def _lowlevel(server: Any) -> Server[Any]:
    if isinstance(server, Server):
        return server
    low = getattr(server, "_lowlevel_server", None)
    if isinstance(low, Server):
        return low
    raise TypeError(
        "attach_identity: expected mcp.server.MCPServer or mcp.server.lowlevel.Server (mcp>=2,<3); "
        f"got {type(server).__name__}, or an MCPServer without `_lowlevel_server` (the SDK changed shape)"
    )


def attach_identity(server: Any, identity: ServerIdentity) -> IdentityMiddleware:
    """Attaches ``identity`` to an ``MCPServer`` or low-level ``Server``; call before running it.

    Registers ``identity/get`` and ``identity/challenge`` (through the SDK's ``Extension``
    mechanism on ``MCPServer``), advertises ``capabilities.extensions`` and
    ``capabilities.experimental``, and appends the signing middleware. Returns the middleware
    (its position in ``server.middleware`` decides what it signs: everything inside it).
    """
    low = _lowlevel(server)
    for attr in ("middleware", "extensions", "add_request_handler", "get_request_handler"):
        if not hasattr(low, attr):
            raise RuntimeError(
                f"attach_identity: the low-level Server has no {attr!r}; this mcp version is not supported (mcp>=2,<3)"
            )
    ext = IdentityExtension(identity)
    apply = getattr(server, "_apply_extension", None)
    if apply is not None and low is not server:
        apply(ext)  # MCPServer: the Extension path (methods + capabilities.extensions)
    else:
        for binding in ext.methods():
            if low.get_request_handler(binding.method) is not None:
                raise ValueError(f"attach_identity: {binding.method!r} is already served")
            low.add_request_handler(binding.method, binding.params_type, binding.handler)
        low.extensions[ext.identifier] = ext.settings()
    mw = IdentityMiddleware(identity)
    low.middleware.append(mw)
    return mw


def identity_header_app(app: Any, identity: ServerIdentity) -> Any:
    """Wraps an ASGI app (``server.streamable_http_app()``) to add the ``X-AI-Identity`` hint
    header (``did=…; kid=…``) and expose it to browsers. Pure ASGI, so SSE streaming is untouched."""
    value = f"did={identity.did}; kid={identity.kid}".encode("latin-1")

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return

        async def send_with_header(message: Any) -> None:
            if message.get("type") == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((IDENTITY_HEADER.lower().encode("latin-1"), value))
                headers.append((b"access-control-expose-headers", IDENTITY_HEADER.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_header)

    return wrapped
