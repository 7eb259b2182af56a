"""Verify-only readers of two other schemes (spec §21): AI Identity passports and CapiscIO
trust badges, each by its own rules; keys come from you (a JWKS, a trust store), never from the
token. ES256 badges are refused (``unsupported_algorithm``). The same code as the npm
package's ``verifyAiIdentityPassport`` / ``verifyCapiscioBadge``.
"""

from __future__ import annotations

import json
from typing import Any

from . import _native
from ._native import TrustStore

__all__ = [
    "AI_IDENTITY_HEADER",
    "CAPISCIO_SERVER_BADGE_HEADER",
    "find_ai_identity_passport",
    "verify_ai_identity_passport",
    "verify_capiscio_badge",
]

#: The header (and initialize ``_meta`` member, lower-case) AI Identity's MCP binding uses.
AI_IDENTITY_HEADER = "X-AI-Identity"
#: The HTTP header CapiscIO servers disclose their badge in (RFC-007).
CAPISCIO_SERVER_BADGE_HEADER = "Capiscio-Server-Badge"


def verify_ai_identity_passport(token: str, *, registry_id: str, jwks: Any, now: Any = None) -> dict[str, Any]:
    """Verifies an AI Identity passport under the registry's JWKS (fetched by you); returns
    ``{"issuer", "subject", "tier", "operator", "keyId", "capabilities", "surfaces",
    "issuedAt", "expiresAt"}``."""
    out: dict[str, Any] = json.loads(_native.verify_ai_identity_passport(token, registry_id, jwks, now))
    return out


def find_ai_identity_passport(initialize_result: Any) -> str | None:
    """The AI Identity passport an initialize result carries (``_meta`` or ``metadata``
    ``x-ai-identity``), if any."""
    return _native.find_ai_identity_passport(initialize_result)


def verify_capiscio_badge(
    token: str, *, trust_store: TrustStore, audience: str | None = None, now: Any = None
) -> dict[str, Any]:
    """Verifies a CapiscIO trust badge with the issuers (and their ``max_level``) of
    ``trust_store``; ``vouched`` is the level on our scale (spec §20.1), capped by the store."""
    out: dict[str, Any] = json.loads(_native.verify_capiscio_badge(token, trust_store, audience, now))
    return out
