"""Shared names and wire models of the MCP adapter (docs/spec.md §15)."""

from __future__ import annotations

from typing import Any

try:
    import mcp.types as _types
    from pydantic import ConfigDict
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "mcp_attest.mcp needs the MCP Python SDK 2.x: pip install 'mcp-attest[mcp]' (mcp>=2,<3)"
    ) from exc

#: `_meta` key of the tools/list result (manifest + passport) and of the initialize/discover hints;
#: also the `capabilities.experimental` key.
IDENTITY_KEY = "org.mcp-attest/identity"
#: The ext-auth draft's per-tool `_meta` key and its `capabilities.extensions` identifier.
EXT_AUTH_KEY = "io.modelcontextprotocol/server-identity"
#: Custom JSON-RPC methods of the ext-auth draft.
METHOD_GET = "identity/get"
METHOD_CHALLENGE = "identity/challenge"
#: Supported SDK line: mcp 2.x (tests_mcp pass with 2.0.0, 2.1.1, 2.2.0 and 2.3.0; 1.x cannot serve custom methods).
SUPPORTED_MCP = ">=2,<3"


class IdentityGetParams(_types.RequestParams):
    """Params of ``identity/get`` (``{}``)."""

    model_config = ConfigDict(extra="allow")


class IdentityChallengeParams(_types.RequestParams):
    """Params of ``identity/challenge``; members are optional so the core, not pydantic, judges them."""

    model_config = ConfigDict(extra="allow")
    challenge: Any = None
    timestamp: Any = None


class IdentityGetRequest(_types.Request[IdentityGetParams, str]):
    method: str = METHOD_GET
    params: IdentityGetParams


class IdentityChallengeRequest(_types.Request[IdentityChallengeParams, str]):
    method: str = METHOD_CHALLENGE
    params: IdentityChallengeParams


class IdentityGetResult(_types.Result):
    """The identity document (a typed Result subclass: plain ``Result`` drops the fields)."""

    model_config = ConfigDict(extra="allow")
    publicKey: Any = None  # noqa: N815 - wire name
    attestations: Any = None


class IdentityChallengeResult(_types.Result):
    model_config = ConfigDict(extra="allow")
    kid: Any = None
    signature: Any = None
