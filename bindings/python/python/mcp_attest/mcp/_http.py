"""HTTP headers: the identity hint on Streamable HTTP responses (pure ASGI: no SDK, SSE
untouched), and the caller's proof on Streamable HTTP requests (an httpx request hook)."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any

from ..caller import CALLER_HTTP_HEADER, CALLER_META_KEY
from ._common import SDK_LINE

if TYPE_CHECKING:
    from ._identity import ServerIdentity

__all__ = ["caller_http_client", "identity_header_app"]

# A body larger than a request the core would read (params are capped at 4 MiB) is not parsed.
_MAX_BODY = 4 * 1024 * 1024 + 4096


def identity_header_app(app: Any, identity: ServerIdentity) -> Any:
    """Wraps an ASGI app (a server's ``streamable_http_app()``) to add the core's HTTP headers
    (``MCP-Attest-Identity: did=…`` and ``Access-Control-Expose-Headers``) to every HTTP response.
    ``attach_identity`` already wraps the apps of servers that build one; use this for others.
    A hint only: clients verify the signed ``_meta`` and the challenge, never the header."""
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in identity.presentation.http_headers().items()
    ]

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message.get("type") == "http.response.start":
                # Appended, never replacing: a list header the SDK set (Expose-Headers) stays.
                message = {**message, "headers": [*(message.get("headers") or []), *headers]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def _proof_of(body: bytes) -> str | None:
    """The caller proof of a ``tools/call`` JSON-RPC body, if it carries one."""
    if not body or len(body) > _MAX_BODY:
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return None
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    carrier = meta.get(CALLER_META_KEY) if isinstance(meta, dict) else None
    proof = carrier.get("proof") if isinstance(carrier, dict) else None
    return proof if isinstance(proof, str) else None


async def _add_caller_header(request: Any) -> None:
    if request.method != "POST":
        return
    try:
        body = request.content
    except Exception:  # noqa: BLE001 - a streamed body (not the SDK's): nothing to copy
        return
    proof = _proof_of(body)
    if proof is not None:
        request.headers[CALLER_HTTP_HEADER] = proof


def caller_http_client(**httpx_kwargs: Any) -> Any:
    """An ``AsyncClient`` for the SDK's Streamable HTTP client transport that copies the caller
    proof of each outgoing ``tools/call`` (put in ``_meta`` by :func:`attach_caller_identity`)
    into the ``MCP-Attest-Caller`` header, so a proxy or SDK that drops ``_meta`` does not make
    the caller anonymous. The SDK's own client (``httpx2`` in 2.x, ``httpx`` in 1.x), with the
    SDK's default timeouts unless ``timeout=`` is given::

        streamable_http_client(url, http_client=caller_http_client())          # 2.x
        streamablehttp_client(url, httpx_client_factory=caller_http_client)    # 1.x

    What the hook does to a request (no network: the hook alone, on a built request):

    >>> import anyio, json
    >>> http = caller_http_client()
    >>> body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
    ...         "params": {"name": "t", "_meta": {"org.mcp-attest/caller": {"proof": "eyJ.e30.sig"}}}}
    >>> request = http.build_request("POST", "http://127.0.0.1/mcp", content=json.dumps(body))
    >>> for hook in http.event_hooks["request"]:
    ...     anyio.run(hook, request)
    >>> request.headers["MCP-Attest-Caller"]
    'eyJ.e30.sig'
    """
    utils: Any = importlib.import_module("mcp.shared._httpx_utils")
    make = getattr(utils, "create_mcp_http_client", None)
    if callable(make) and set(httpx_kwargs) <= {"headers", "timeout", "auth"}:
        client = make(**httpx_kwargs)
    else:
        httpx: Any = importlib.import_module("httpx2" if SDK_LINE == 2 else "httpx")
        client = httpx.AsyncClient(**httpx_kwargs)
    client.event_hooks["request"] = [*client.event_hooks.get("request", []), _add_caller_header]
    return client
