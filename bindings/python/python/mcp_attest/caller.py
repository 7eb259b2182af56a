"""Caller identity (spec §20): trust levels 0–4, the proof a client attaches to each
``tools/call``, and the server side that identifies callers and guards tools.

Every rule is the core's, shared byte for byte with the npm package (``attachCallerProof``,
``CallerVerifier`` there).

>>> from mcp_attest import SigningKey
>>> from mcp_attest.caller import CallerVerifier, attach_caller_proof
>>> client, server = SigningKey.from_bytes(bytes(32 * [3])), SigningKey.from_bytes(bytes(32 * [4]))
>>> server_did = server.verifying_key().to_did_key()
>>> sent = attach_caller_proof(client, server_did, "tools/call", {"name": "echo", "arguments": {}})
>>> who = CallerVerifier(server_did).identify("tools/call", sent.params, client="conn-1")
>>> who.level, who.did == client.verifying_key().to_did_key()
(1, True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _native
from ._native import SigningKey, TrustStore
from .errors import McpAttestError
from .key_store import Signer

if TYPE_CHECKING:
    from .session import ServerReport

__all__ = [
    "CALLER_HTTP_HEADER",
    "CALLER_META_KEY",
    "AttachedProof",
    "Caller",
    "CallerVerifier",
    "attach_caller_proof",
    "caller_refusal",
    "caller_request_hash",
    "client_call_evidence",
    "guard_level",
    "prepare_call",
    "trust_level",
]

#: The ``_meta`` member that carries the caller's proof and passport.
CALLER_META_KEY = "org.mcp-attest/caller"
#: The HTTP header that carries the proof over Streamable HTTP.
CALLER_HTTP_HEADER = "MCP-Attest-Caller"


@dataclass(frozen=True)
class AttachedProof:
    """The request params with the proof attached, and the proof alone (for the header)."""

    params: dict[str, Any]
    proof: str


@dataclass(frozen=True)
class Caller:
    """A caller the server identified."""

    did: str
    #: Trust level 1–4.
    level: int
    #: The issuer whose passport raised the level, if one did.
    issuer: str | None


def attach_caller_proof(
    key: SigningKey | Signer,
    server_did: str,
    method: str,
    params: Any,
    *,
    passport: str | None = None,
    now: Any = None,
    nonce: bytes | None = None,
) -> AttachedProof:
    """Signs a caller proof for one request to the server whose DID is ``server_did`` and puts
    it (with ``passport``, if given) in the params' ``_meta``; other ``_meta`` members are kept."""
    params_json, proof = _native.caller_attach(
        key,
        passport,
        server_did,
        method,
        params if params is not None else {},
        now,
        nonce if nonce is not None else os.urandom(16),
    )
    return AttachedProof(params=json.loads(params_json), proof=proof)


def prepare_call(
    params: Any,
    *,
    report: ServerReport | dict[str, Any] | str,
    key: SigningKey | Signer | None = None,
    passport: str | None = None,
    now: Any = None,
    nonce: bytes | None = None,
) -> tuple[dict[str, Any], str | None]:
    """What a client adapter runs on every outgoing ``tools/call`` (spec §20.4): raises
    ``insufficient_trust_level`` — nothing is sent — when ``report`` says the tool requires a
    level this caller cannot show (no key: 0; a key: 1; a passport from another issuer: its
    ``level`` claim, default 3 — the server's trust store has the last word). With a ``key``
    returns the params with the proof (and passport) in ``_meta`` and the proof for the
    ``MCP-Attest-Caller`` header; without one, the params unchanged and ``None``."""
    text = report if isinstance(report, str) else getattr(report, "json", None)
    r: Any = text if text is not None else report
    # ``nonce`` (16 bytes) is for reproducible tests; by default the OS CSPRNG.
    out = _native.caller_prepare(
        key, passport, r, params if params is not None else {}, now, nonce if nonce is not None else os.urandom(16)
    )
    if out is None:
        return (dict(params) if isinstance(params, dict) else json.loads(json.dumps(params))), None
    return json.loads(out[0]), out[1]


def client_call_evidence(
    report: ServerReport | dict[str, Any] | str,
    params: Any,
    *,
    result: Any = None,
    error: dict[str, Any] | None = None,
    refused: str | None = None,
) -> dict[str, Any]:
    """The record a client keeps of a call it made (spec §19.6), for its own evidence log
    (``EvidenceLog.append_call`` / ``FileEvidenceLog.record``), signed by the client's key:
    ``caller`` is the server called and ``level`` its level in ``report``. Refused locally
    (``refused=code``) or by the server's gate: a ``deny`` with that code; otherwise an
    ``allow`` with the result hashed or the error's code. Exactly one of ``result``,
    ``error``, ``refused``."""
    text = report if isinstance(report, str) else getattr(report, "json", None)
    r: Any = text if text is not None else report
    out: dict[str, Any] = json.loads(
        _native.client_call_evidence(r, params if params is not None else {}, result, error, refused)
    )
    return out


def caller_request_hash(method: str, params: Any) -> str:
    """``sha256-…`` of what a proof binds: method, tool name and arguments (not ``_meta``)."""
    return _native.caller_request_hash(method, params if params is not None else {})


def trust_level(*, key_proven: bool, domain_proven: bool = False, vouched: int | None = None) -> int:
    """The trust level (0–4) of what a peer has shown (spec §20.1)."""
    return _native.trust_level(key_proven, domain_proven, vouched)


def guard_level(required: int, level: int) -> None:
    """Raises ``insufficient_trust_level`` when ``level`` is below ``required``."""
    _native.guard_level(required, level)


def caller_refusal(error: McpAttestError, *, required: int | None = None, level: int | None = None) -> dict[str, Any]:
    """The JSON-RPC error object refusing a call: code -31001 (level) or -31002 (proof or
    passport), ``data: {code, reason, required?, level?}``. Clients decide on ``data.reason``."""
    out: dict[str, Any] = json.loads(_native.caller_refusal(error.code, error.message, required, level))
    return out


class CallerVerifier:
    """The server side: identifies the caller of each request from its proof. One per server
    (its replay cache is shared by every connection). ``capacity`` and ``client_quota`` default
    to the core's (100,000 proofs, 10,000 per connection)."""

    def __init__(
        self,
        server_did: str,
        *,
        trust_store: TrustStore | None = None,
        capacity: int | None = None,
        client_quota: int | None = None,
    ) -> None:
        self._inner = _native.CallerVerifier(server_did, capacity, client_quota, trust_store)

    def identify(
        self, method: str, params: Any, *, header: str | None = None, client: str = "", now: Any = None
    ) -> Caller | None:
        """``None`` for a request without a proof (anonymous, level 0); the caller when its
        proof holds; raises when a proof is present but fails — never a silent downgrade."""
        out = self._inner.identify(method, params if params is not None else {}, header, client, now)
        if out is None:
            return None
        d = json.loads(out)
        return Caller(did=d["did"], level=d["level"], issuer=d["issuer"])
