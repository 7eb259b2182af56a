"""Server side for the `mcp` 1.x line.

1.x has no middleware and validates every request against its closed ``ClientRequest`` union,
so a custom method never reaches a handler (it is answered "Invalid request parameters"). The
adapter therefore sits on the JSON-RPC message streams of each connection: ``Server.run`` is
wrapped so that ``identity/get`` and ``identity/challenge`` are answered before the SDK sees
them, and the ``tools/list`` and ``initialize`` results are signed / annotated on their way
out, as the JSON that goes on the wire. A ``tools/call`` goes through the core's gate on its
way in (refused ones are answered here, so the SDK never runs the tool) and its outcome is
recorded on its way out. Everything else passes through untouched.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
from collections.abc import Mapping
from typing import Any

import anyio

from ..caller import CALLER_HTTP_HEADER
from ._common import IDENTITY_KEY, METHOD_CHALLENGE, METHOD_GET, SdkShapeError, http_header
from ._identity import CallRefused, ServerIdentity, attach_identity

__all__ = ["attach_identity", "client_key_of", "install", "lowlevel_of"]

# Typed as Any: mypy checks this package against the 2.x SDK, whose modules differ.
_types: Any = importlib.import_module("mcp.types")
_message: Any = importlib.import_module("mcp.shared.message")
_lowlevel_mod: Any = importlib.import_module("mcp.server.lowlevel")
_COUNTER = itertools.count(1)


def client_key_of(request: Any, connection: int) -> str:
    """Whom a challenge is charged to, from the HTTP request a 1.x message came with (a
    Starlette ``Request``; ``None`` on stdio): ``auth:<client_id>``, ``session:<Mcp-Session-Id>``,
    ``address:<peer host>``, else ``connection:<n>`` (one per ``Server.run``: a connection)."""
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, Mapping) else None
    client_id = getattr(getattr(user, "access_token", None), "client_id", None)
    if isinstance(client_id, str) and client_id:
        return f"auth:{client_id}"
    headers = getattr(request, "headers", None)
    session_id = headers.get("mcp-session-id") if isinstance(headers, Mapping) else None
    if isinstance(session_id, str) and session_id:
        return f"session:{session_id}"
    host = getattr(getattr(request, "client", None), "host", None)
    if isinstance(host, str) and host:
        return f"address:{host}"
    return f"connection:{connection}"


def _send_message(root: Any, related: Any = None) -> Any:
    metadata = _message.ServerMessageMetadata(related_request_id=related) if related is not None else None
    return _message.SessionMessage(message=_types.JSONRPCMessage(root), metadata=metadata)


def _merge(into: dict[str, Any], add: Mapping[str, Any]) -> None:
    for k, v in add.items():
        have = into.get(k)
        into[k] = {**have, **v} if isinstance(have, Mapping) and isinstance(v, Mapping) else v


class _Connection:
    """One ``Server.run``: the pending ``tools/list`` and ``initialize`` request ids, and the
    tickets of the ``tools/call`` requests the gate admitted."""

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity
        self.number = next(_COUNTER)
        self.pending: dict[Any, tuple[str, str | None]] = {}
        self.calls: dict[Any, dict[str, Any]] = {}

    def client(self, metadata: Any) -> str:
        """Whom a challenge or a caller proof of this message is charged to."""
        http = getattr(metadata, "request_context", None)
        client = self.identity.client_key(http) if self.identity.client_key is not None else None
        return client if isinstance(client, str) and client else client_key_of(http, self.number)

    async def answer(self, request: Any, metadata: Any, write: Any) -> None:
        """Answers an identity method straight onto the transport."""
        presentation = self.identity.presentation
        params = request.params if isinstance(request.params, Mapping) else {}
        if request.method == METHOD_GET:
            ok, result = True, presentation.identity_get()
        else:
            try:
                ok, result = await self.identity.answer_challenge(dict(params), self.client(metadata))
            except Exception as exc:  # noqa: BLE001 - a replay store that fails refuses the challenge
                ok, result = False, {"code": -32603, "message": f"the replay store failed: {type(exc).__name__}"}
        if ok:
            await write.send(_send_message(_types.JSONRPCResponse(jsonrpc="2.0", id=request.id, result=result)))
        else:
            await write.send(_error_message(request.id, result))

    async def admit(self, request: Any, metadata: Any) -> dict[str, Any] | None:
        """The gate on a ``tools/call``: ``None`` when the SDK may run it (its ticket kept for
        the response), else the JSON-RPC error to answer without the SDK seeing the request."""
        http = getattr(metadata, "request_context", None)
        try:
            ticket = await self.identity.admit_call(
                request.params, client=self.client(metadata), header=http_header(http, CALLER_HTTP_HEADER)
            )
        except CallRefused as refused:
            return refused.error
        self.calls[request.id] = ticket
        return None

    def outgoing(self, item: Any) -> Any:
        """Signs a ``tools/list`` result, annotates an ``initialize`` result and records how an
        admitted ``tools/call`` ended, on the way out."""
        root = getattr(getattr(item, "message", None), "root", None)
        request_id = getattr(root, "id", None)
        if isinstance(root, (_types.JSONRPCResponse, _types.JSONRPCError)) and request_id in self.calls:
            return self._completed(item, root)
        if not isinstance(root, _types.JSONRPCResponse) or root.id not in self.pending:
            return item
        method, cursor = self.pending.pop(root.id)
        presentation = self.identity.presentation
        result = dict(root.result)
        if method == "tools/list":
            result = presentation.sign_tools_list(result, cursor=cursor)
        else:
            meta = result.get("_meta")
            result["_meta"] = {**(meta if isinstance(meta, Mapping) else {}), IDENTITY_KEY: self.identity.hint()}
            caps = result.get("capabilities")
            if isinstance(caps, dict):
                _merge(caps, presentation.capabilities())
        signed = _types.JSONRPCResponse(jsonrpc="2.0", id=root.id, result=result)
        return _message.SessionMessage(message=_types.JSONRPCMessage(signed), metadata=item.metadata)

    def abandon(self) -> None:
        """Ends in the log every admitted call the connection closed on before it was answered
        (the SDK cancels its handler with the connection; the call ran, but not to an answer)."""
        calls, self.calls = self.calls, {}
        for ticket in calls.values():
            with contextlib.suppress(CallRefused):
                self.identity.complete_call(ticket, error=_CLOSED)

    def _completed(self, item: Any, root: Any) -> Any:
        ticket = self.calls.pop(root.id)
        try:
            if isinstance(root, _types.JSONRPCResponse):
                self.identity.complete_call(ticket, result=root.result)
            else:
                self.identity.complete_call(ticket, error={"code": root.error.code, "data": root.error.data})
        except CallRefused as refused:
            # Not recorded, so not sent: the client gets the error instead of the outcome.
            return _error_message(root.id, refused.error)
        return item


_CLOSED = {"code": getattr(_types, "CONNECTION_CLOSED", -32000), "data": None}
"""How a call the connection closed on ends in the evidence log: the SDK's own code for it."""


def _error_message(request_id: Any, error: Mapping[str, Any]) -> Any:
    code = error.get("code")
    data = _types.ErrorData(
        code=code if isinstance(code, int) else -32603, message=str(error.get("message", "")), data=error.get("data")
    )
    return _send_message(_types.JSONRPCError(jsonrpc="2.0", id=request_id, error=data), request_id)


def _wrap_run(low: Any, identity: ServerIdentity) -> None:
    original = low.run

    async def run(read_stream: Any, write_stream: Any, *args: Any, **kwargs: Any) -> Any:
        conn = _Connection(identity)
        inner_send, inner_read = anyio.create_memory_object_stream[Any](0)
        inner_write, outer_recv = anyio.create_memory_object_stream[Any](0)

        async def incoming(tg: Any) -> None:
            async with inner_send:
                async for item in read_stream:
                    root = getattr(getattr(item, "message", None), "root", None)
                    if isinstance(root, _types.JSONRPCRequest):
                        if root.method in (METHOD_GET, METHOD_CHALLENGE):
                            tg.start_soon(conn.answer, root, item.metadata, write_stream)
                            continue
                        if root.method == "tools/call":
                            refusal = await conn.admit(root, item.metadata)
                            if refusal is not None:
                                # Answered here: the SDK never sees it, so the tool cannot run.
                                tg.start_soon(write_stream.send, _error_message(root.id, refusal))
                                continue
                        if root.method in ("tools/list", "initialize"):
                            cursor = root.params.get("cursor") if isinstance(root.params, Mapping) else None
                            conn.pending[root.id] = (root.method, cursor if isinstance(cursor, str) else None)
                    await inner_send.send(item)

        async def outgoing() -> None:
            async with outer_recv:
                async for item in outer_recv:
                    await write_stream.send(conn.outgoing(item))

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(outgoing)
                async with anyio.create_task_group() as reading:
                    reading.start_soon(incoming, reading)
                    try:
                        return await original(inner_read, inner_write, *args, **kwargs)
                    finally:
                        # The SDK session closed its streams; stop reading the transport.
                        reading.cancel_scope.cancel()
        finally:
            conn.abandon()
            # The SDK closes the streams it is given; ours stand in for them, so close those.
            await write_stream.aclose()

    low.run = run


def lowlevel_of(server: Any) -> Any:
    """The low-level ``Server`` of a 1.x ``FastMCP`` or low-level ``Server``."""
    low = server if isinstance(server, _lowlevel_mod.Server) else getattr(server, "_mcp_server", None)
    if not isinstance(low, _lowlevel_mod.Server):
        raise SdkShapeError(
            f"attach_identity expects an mcp.server.fastmcp.FastMCP or mcp.server.lowlevel.Server, not {type(server).__name__}"
        )
    return low


def install(server: Any, low: Any, identity: ServerIdentity) -> None:
    """The 1.x seam: each connection's message streams (``Server.run``)."""
    _wrap_run(low, identity)
