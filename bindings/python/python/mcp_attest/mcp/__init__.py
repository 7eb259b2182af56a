"""MCP SDK adapter (``pip install 'mcp-attest[mcp]'``): the `mcp` 2.x line (tested with 2.3.0)
and the 1.x line (tested with 1.30.0), chosen by what the installed SDK imports.

The adapter decides nothing: the core's ``ServerPresentation`` (server) and ``ClientSession``
(client) do. It moves JSON between the SDK and the core. Option names are the core's in
snake_case, the same as the TypeScript adapter's in camelCase.

Server (2.x ``MCPServer`` or low-level ``Server``; 1.x ``FastMCP`` or low-level ``Server``)::

    attach_identity(server, key=SigningKey.from_pem(pem))   # before run(); name/version from the server

    # Guards and evidence: a level for every tool, a higher one for one tool, every call logged.
    identity = attach_identity(server, key=key, min_trust_level=1, caller_trust=issuers,
                               evidence_log=open_evidence_log("evidence", key))
    @identity.tool(min_trust_level=3)
    def open_vault() -> str: ...

Client (2.x ``mcp.Client``, or a ``ClientSession`` of either line)::

    store = load_trust_store("trust.json")
    report = await verify_server(client, trust_store=store, server_id="stdio:weather")
    save_trust_store(store, "trust.json")
    require_verified(report)                 # or read report.tools / report.verified_names
    attach_caller_identity(client, key=my_key, report=report)   # a proof on every tools/call

Placement (docs/spec.md §15): per-tool ext-auth `_meta`, manifest, passport and page token in
the `tools/list` result `_meta["org.mcp-attest/identity"]`; `identity/get` and
`identity/challenge`; hints in initialize/discover `_meta`, `capabilities` and an HTTP header.

With neither SDK line installed, importing this module raises :class:`SdkShapeError`
(``code == "unsupported_sdk"``, also an ``ImportError``).
"""

from __future__ import annotations

from ._common import (
    EXT_AUTH_KEY,
    IDENTITY_HEADER,
    IDENTITY_KEY,
    METHOD_CHALLENGE,
    METHOD_GET,
    SDK_LINE,
    SUPPORTED_MCP,
    SdkShapeError,
)
from ..trust_file import load_trust_store, save_trust_store
from ._client import (
    ListChangedWatcher,
    attach_caller_identity,
    require_verified,
    verified_tools,
    verify_server,
    watch_server,
)
from ._http import caller_http_client, identity_header_app
from ._identity import ServerIdentity, attach_identity

__all__ = [
    "EXT_AUTH_KEY",
    "IDENTITY_HEADER",
    "IDENTITY_KEY",
    "METHOD_CHALLENGE",
    "METHOD_GET",
    "SDK_LINE",
    "SUPPORTED_MCP",
    "ListChangedWatcher",
    "SdkShapeError",
    "ServerIdentity",
    "attach_caller_identity",
    "attach_identity",
    "caller_http_client",
    "identity_header_app",
    "load_trust_store",
    "require_verified",
    "save_trust_store",
    "verified_tools",
    "verify_server",
    "watch_server",
]
