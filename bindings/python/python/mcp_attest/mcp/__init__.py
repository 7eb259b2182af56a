"""MCP SDK adapter (``pip install 'mcp-attest[mcp]'``): ``mcp>=2,<3``; tested with 2.0.0, 2.1.1, 2.2.0, 2.3.0.

Server::

    identity = ServerIdentity(SigningKey.from_bytes(seed), name="weather", version="1.0")
    attach_identity(mcp_server, identity)   # MCPServer or low-level Server, before run()

Client::

    async with Client(target) as client:
        result = await verify_server(client, Policy(trust_store=store, server_id="stdio:weather"))
        expose = result.tools          # only verified tools

Placement (docs/spec.md §15): per-tool ext-auth `_meta`, manifest and passport in the
`tools/list` result `_meta["org.mcp-attest/identity"]`; `identity/get` and
`identity/challenge`; hints in initialize/discover `_meta` and `capabilities`.
"""

from __future__ import annotations

from ._common import (
    EXT_AUTH_KEY,
    IDENTITY_KEY,
    METHOD_CHALLENGE,
    METHOD_GET,
    SUPPORTED_MCP,
    IdentityChallengeParams,
    IdentityChallengeRequest,
    IdentityChallengeResult,
    IdentityGetParams,
    IdentityGetRequest,
    IdentityGetResult,
)
from ._server import (
    IDENTITY_HEADER,
    IdentityExtension,
    IdentityMiddleware,
    ServerIdentity,
    attach_identity,
    identity_header_app,
)
from ._client import ListChangedWatcher, Policy, RejectedTool, VerifiedServer, challenge_server, verified_tools, verify_server

__all__ = [
    "EXT_AUTH_KEY",
    "IDENTITY_KEY",
    "METHOD_CHALLENGE",
    "METHOD_GET",
    "SUPPORTED_MCP",
    "IdentityChallengeParams",
    "IdentityChallengeRequest",
    "IdentityChallengeResult",
    "IdentityGetParams",
    "IdentityGetRequest",
    "IdentityGetResult",
    "IdentityExtension",
    "IdentityMiddleware",
    "ServerIdentity",
    "attach_identity",
    "identity_header_app",
    "IDENTITY_HEADER",
    "ListChangedWatcher",
    "Policy",
    "RejectedTool",
    "VerifiedServer",
    "challenge_server",
    "verified_tools",
    "verify_server",
]
