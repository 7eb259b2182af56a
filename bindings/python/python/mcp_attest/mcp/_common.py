"""What both SDK lines share: names, the SDK line installed, and JSON in and out of the SDK.

Nothing here decides anything about trust: the core does (``mcp_attest.session``).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from typing import Any, Literal

from ..errors import McpAttestError

#: `_meta` key of the tools/list result (manifest, passport, page token) and of the hints.
IDENTITY_KEY = "org.mcp-attest/identity"
#: The ext-auth draft's per-tool `_meta` key and its `capabilities.extensions` identifier.
EXT_AUTH_KEY = "io.modelcontextprotocol/server-identity"
#: Custom JSON-RPC methods of the ext-auth draft.
METHOD_GET = "identity/get"
METHOD_CHALLENGE = "identity/challenge"
#: The HTTP response header carrying the identity hint (never trusted alone: docs/spec.md §15).
IDENTITY_HEADER = "MCP-Attest-Identity"
#: The SDK lines this adapter supports (the `mcp` extra of the package).
SUPPORTED_MCP = ">=1.23,<3"
#: The code of :class:`SdkShapeError`.
SDK_SHAPE_CODE = "unsupported_sdk"


class SdkShapeError(McpAttestError, ImportError):
    """The installed ``mcp`` is not a line this adapter supports, or changed shape.

    ``code`` is ``"unsupported_sdk"``. Also an ``ImportError``, since it is raised while
    importing ``mcp_attest.mcp`` when no supported SDK is installed.
    """

    def __init__(self, message: str, code: str = SDK_SHAPE_CODE) -> None:
        super().__init__(
            f"mcp_attest.mcp: {message}; this adapter supports the MCP Python SDK mcp{SUPPORTED_MCP} "
            "(pip install 'mcp-attest[mcp]')",
            code,  # type: ignore[arg-type]
        )


def _sdk_line() -> Literal[1, 2]:
    """The SDK line, by what imports: 2.x has ``mcp.server.context`` (middleware, extensions);
    1.x has neither but serves through ``Server.run`` over ``SessionMessage`` streams."""
    if importlib.util.find_spec("mcp") is None:
        raise SdkShapeError("the `mcp` package is not installed")
    try:
        importlib.import_module("mcp.server.context")
        importlib.import_module("mcp.server.extension")
        return 2
    except ImportError:
        pass
    try:
        importlib.import_module("mcp.shared.message")
        low = importlib.import_module("mcp.server.lowlevel")
        importlib.import_module("mcp.client.session")
    except ImportError as exc:
        raise SdkShapeError(f"the installed `mcp` has neither the 2.x nor the 1.x modules ({exc})") from None
    if not callable(getattr(getattr(low, "Server", None), "run", None)):
        raise SdkShapeError("mcp.server.lowlevel.Server has no run()")
    return 1


#: 1 or 2: which SDK line is installed (decided once, at import).
SDK_LINE: Literal[1, 2] = _sdk_line()


def _sdk_error_types() -> tuple[type[BaseException], ...]:
    exceptions = importlib.import_module("mcp.shared.exceptions")
    names = ("MCPError", "McpError")  # 2.x, 1.x (2.x keeps McpError as an alias)
    return tuple({t for t in (getattr(exceptions, n, None) for n in names) if isinstance(t, type)})


_SDK_ERRORS = _sdk_error_types()


def jsonrpc_error_of(exc: BaseException) -> tuple[int, str, Any] | None:
    """``(code, message, data)`` of the SDK's JSON-RPC error exception (2.x ``MCPError`` with
    ``code``/``message``/``data``, 1.x ``McpError`` with ``.error``), else ``None``."""
    if not isinstance(exc, _SDK_ERRORS):
        return None
    error = getattr(exc, "error", None)
    source = error if error is not None and hasattr(error, "code") else exc
    code = getattr(source, "code", None)
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    message = getattr(source, "message", None)
    return code, message if isinstance(message, str) else str(exc), getattr(source, "data", None)


def http_header(request: Any, name: str) -> str | None:
    """One header of the HTTP request a message came with (a Starlette ``Request`` in both SDK
    lines), or ``None`` on stdio and in-process connections, which have no request."""
    headers = getattr(request, "headers", None)
    if not isinstance(headers, Mapping):
        return None
    value = headers.get(name)
    return value if isinstance(value, str) else None
