"""Server side for the `mcp` 2.x line: wire the core's presentation into an ``MCPServer`` or a
low-level ``Server`` through the SDK's own hooks (``Extension`` methods and a middleware)."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, ConfigDict

from ..caller import CALLER_HTTP_HEADER
from ._common import (
    EXT_AUTH_KEY,
    IDENTITY_KEY,
    METHOD_CHALLENGE,
    METHOD_GET,
    SdkShapeError,
    http_header,
    jsonrpc_error_of,
)
from ._identity import CallRefused, ServerIdentity, attach_identity

__all__ = ["attach_identity", "client_key_of", "install", "lowlevel_of"]

# How the SDK turns a handler's exception into its JSON-RPC error (recorded as the call's
# outcome); looked up, not imported by name, as it is not part of the SDK's public API.
try:
    _dispatcher: Any = importlib.import_module("mcp.shared.jsonrpc_dispatcher")
except ImportError:  # an SDK release without it: unknown exceptions are recorded as -32603
    _dispatcher = None

_COUNTER = itertools.count(1)
# SDK connection object → a number never reused (unlike id()), forgotten with the connection.
_CONNECTIONS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


class _AnyParams(BaseModel):
    """Params of the identity methods as received: the core, not pydantic, judges them."""

    model_config = ConfigDict(extra="allow")


def _params_of(params: Any) -> dict[str, Any]:
    if isinstance(params, BaseModel):
        dumped: dict[str, Any] = params.model_dump(by_alias=True, mode="json", exclude_unset=True)
        return dumped
    return dict(params) if isinstance(params, Mapping) else {}


def client_key_of(ctx: Any) -> str:
    """Whom a challenge is charged to, from a 2.x request context: ``auth:<OAuth client_id>``,
    else ``session:<Mcp-Session-Id>``, else (stateless HTTP) ``address:<peer host>``, else
    ``connection:<n>``, one per SDK connection (stdio, in-process)."""
    try:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
    except Exception:  # noqa: BLE001 - no auth support in this SDK build: not authenticated
        token = None
    client_id = getattr(token, "client_id", None)
    if isinstance(client_id, str) and client_id:
        return f"auth:{client_id}"
    # The per-connection object behind the per-request ServerSession is `_connection` in 2.x
    # (no public accessor on ServerRequestContext).
    session = getattr(ctx, "session", None)
    connection = getattr(session, "connection", None) or getattr(session, "_connection", None)
    session_id = getattr(connection, "session_id", None)
    request = getattr(ctx, "request", None)
    if not (isinstance(session_id, str) and session_id):
        headers = getattr(request, "headers", None)
        session_id = headers.get("mcp-session-id") if isinstance(headers, Mapping) else None
    if isinstance(session_id, str) and session_id:
        return f"session:{session_id}"
    # Stateless HTTP: the peer address. Behind a load balancer pass client_key= reading the
    # address the balancer vouches for, or every client shares the balancer's quota.
    host = getattr(getattr(request, "client", None), "host", None)
    if isinstance(host, str) and host:
        return f"address:{host}"
    if connection is None:
        return f"connection:{id(session)}"
    try:
        number = _CONNECTIONS.get(connection)
        if number is None:
            number = _CONNECTIONS[connection] = next(_COUNTER)
    except TypeError:  # not weakly referenceable: its id is unique while it lives
        return f"connection:{id(connection)}"
    return f"connection:{number}"


def _client_of(identity: ServerIdentity, ctx: Any) -> str:
    if identity.client_key is not None:
        custom = identity.client_key(ctx)
        if isinstance(custom, str) and custom:
            return custom
    return client_key_of(ctx)


class _IdentityExtension(Extension):
    """``identity/get`` and ``identity/challenge`` as an SDK ``Extension``."""

    identifier = EXT_AUTH_KEY

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity

    def settings(self) -> dict[str, Any]:
        ext: dict[str, Any] = self.identity.presentation.capabilities()["extensions"][EXT_AUTH_KEY]
        return ext

    def methods(self) -> Sequence[MethodBinding]:
        identity = self.identity

        async def get(ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
            return identity.presentation.identity_get()

        async def challenge(ctx: ServerRequestContext[Any, Any], params: Any) -> HandlerResult:
            ok, answer = await identity.answer_challenge(_params_of(params), _client_of(identity, ctx))
            if not ok:
                raise MCPError(answer.get("code", -32603), str(answer.get("message", "")), answer.get("data"))
            return answer

        return (
            MethodBinding(METHOD_GET, _AnyParams, get),
            MethodBinding(METHOD_CHALLENGE, _AnyParams, challenge),
        )


def _wire(result: HandlerResult) -> dict[str, Any] | None:
    if isinstance(result, dict):
        return result
    if isinstance(result, BaseModel):
        dumped: dict[str, Any] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return dumped
    return None


def _merge(into: dict[str, Any], add: Mapping[str, Any]) -> None:
    """Adds ``add``'s members to ``into`` one level down, keeping what the SDK put there."""
    for k, v in add.items():
        have = into.get(k)
        into[k] = {**have, **v} if isinstance(have, Mapping) and isinstance(v, Mapping) else v


def _sdk_error(exc: BaseException) -> dict[str, Any]:
    """``{"code", "data"}`` of the JSON-RPC error the SDK answers for a handler's exception."""
    found = jsonrpc_error_of(exc)
    if found is not None:
        return {"code": found[0], "data": found[2]}
    to_error = getattr(_dispatcher, "handler_exception_to_error_data", None)
    error = to_error(exc) if callable(to_error) else None
    code = getattr(error, "code", None)
    if isinstance(code, int):
        return {"code": code, "data": getattr(error, "data", None)}
    return {"code": -32603, "data": None}


class _IdentityMiddleware:
    """Signs every `tools/list` result (with the request's cursor), adds the capabilities and
    the `_meta` hint to `initialize` / `server/discover`, and puts every `tools/call` through
    the core's gate (admit → the tool → complete)."""

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and ctx.request_id is not None:
            return await self._call(ctx, call_next)
        result = await call_next(ctx)
        if ctx.request_id is None:
            return result
        presentation = self.identity.presentation
        if ctx.method == "tools/list":
            wire = _wire(result)
            if wire is None:
                return result
            cursor = _params_of(ctx.params).get("cursor")
            return presentation.sign_tools_list(wire, cursor=cursor if isinstance(cursor, str) else None)
        if ctx.method in ("initialize", "server/discover"):
            wire = _wire(result)
            if wire is None:
                return result
            meta = wire.get("_meta")
            wire["_meta"] = {**(meta if isinstance(meta, Mapping) else {}), IDENTITY_KEY: self.identity.hint()}
            caps = wire.get("capabilities")
            if isinstance(caps, dict):
                _merge(caps, presentation.capabilities())
            return wire
        return result

    async def _call(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        identity = self.identity
        params = dict(ctx.params) if isinstance(ctx.params, Mapping) else ctx.params
        try:
            ticket = await identity.admit_call(
                params, client=_client_of(identity, ctx), header=http_header(ctx.request, CALLER_HTTP_HEADER)
            )
        except CallRefused as refused:
            raise _mcp_error(refused.error) from None
        try:
            result = await call_next(ctx)
        except Exception as exc:
            try:
                identity.complete_call(ticket, error=_sdk_error(exc))
            except CallRefused as refused:
                raise _mcp_error(refused.error) from None
            raise
        except BaseException:
            # Cancelled: the client's notifications/cancelled (or its timeout), or shutdown.
            # The tool did not finish and nothing is answered, but the admitted call still
            # ends in the log, as the SDK's own code for it (Streamable HTTP answers it so).
            with contextlib.suppress(CallRefused):
                identity.complete_call(ticket, error=_CANCELLED)
            raise
        try:
            identity.complete_call(ticket, result=_wire(result))
        except CallRefused as refused:
            raise _mcp_error(refused.error) from None
        return result


_CANCELLED = {"code": -32800, "data": None}
"""How a cancelled call ends in the evidence log: JSON-RPC's RequestCancelled, which the SDK
answers a cancelled request with on Streamable HTTP."""


def _mcp_error(error: Mapping[str, Any]) -> MCPError:
    code = error.get("code")
    return MCPError(code if isinstance(code, int) else -32603, str(error.get("message", "")), error.get("data"))


def lowlevel_of(server: Any) -> Server[Any]:
    """The low-level ``Server`` of a 2.x ``MCPServer`` or low-level ``Server``."""
    if isinstance(server, Server):
        low: Any = server
    else:
        low = getattr(server, "_lowlevel_server", None)
    if not isinstance(low, Server):
        raise SdkShapeError(
            f"attach_identity expects an mcp.server.MCPServer or mcp.server.lowlevel.Server, not {type(server).__name__}"
        )
    for attr in ("middleware", "extensions", "add_request_handler", "get_request_handler"):
        if not hasattr(low, attr):
            raise SdkShapeError(f"the low-level Server has no {attr!r}")
    return low


def install(server: Any, low: Server[Any], identity: ServerIdentity) -> None:
    """The 2.x seams: ``identity/get`` and ``identity/challenge`` as an ``Extension``, and one
    middleware for ``tools/list``, ``initialize`` and ``tools/call``."""
    ext = _IdentityExtension(identity)
    for binding in ext.methods():
        if low.get_request_handler(binding.method) is not None:
            raise ValueError(f"attach_identity: {binding.method!r} is already served (attached twice?)")
    apply = getattr(server, "_apply_extension", None)
    if apply is not None and low is not server:
        apply(ext)  # MCPServer: the Extension path (methods + capabilities.extensions)
    else:
        for binding in ext.methods():
            low.add_request_handler(binding.method, binding.params_type, binding.handler)
        low.extensions[ext.identifier] = ext.settings()
    low.middleware.append(_IdentityMiddleware(identity))
