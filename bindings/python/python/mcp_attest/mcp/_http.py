"""The identity hint header on Streamable HTTP responses (pure ASGI: no SDK, SSE untouched)."""

from __future__ import annotations

from typing import Any

from ._identity import ServerIdentity

__all__ = ["identity_header_app"]


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
