"""The exceptions of mcp-attest.

Every exception raised by this package for a failed check or bad input is an instance of
:class:`McpAttestError` with a stable ``.code`` (the same snake_case codes as the Rust
crate and the npm package; see ``tests/vectors/error_codes.json``). The classes group the
codes into families; those about malformed input are also :class:`ValueError` so that
``except ValueError`` catches them. Messages are for humans and may change; match on
``.code`` or on the class.

Exceptions are pure Python and pickle-safe. The native module raises them through
:func:`_from_code`; it never defines an exception class itself.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ErrorCode",
    "McpAttestError",
    "MalformedInputError",
    "InputTooLargeError",
    "EncodingError",
    "InvalidJsonError",
    "MalformedToolError",
    "InvalidKeyError",
    "WeakKeyError",
    "KeyMismatchError",
    "UnsupportedKeyTypeError",
    "InvalidSignatureError",
    "DidError",
    "RecordMismatchError",
    "ToolAttestationError",
    "KidMismatchError",
    "TokenError",
    "MalformedTokenError",
    "ClaimError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "ClaimMismatchError",
    "TrustError",
    "UntrustedIssuerError",
    "RevokedError",
    "PinnedKeyChangedError",
    "AttestationExpiredError",
    "ChallengeError",
    "StaleTimestampError",
    "ReplayedNonceError",
    "NonceCacheFullError",
    "ChallengeRateLimitedError",
    "EvidenceError",
    "InsufficientTrustLevelError",
    "CallerProofMismatchError",
    "InvalidChallengeError",
]

ErrorCode = Literal[
    "input_too_large",
    "invalid_base64",
    "invalid_base58",
    "invalid_hex",
    "invalid_key_length",
    "invalid_key",
    "weak_key",
    "key_mismatch",
    "unsupported_key_type",
    "malformed_pem",
    "malformed_der",
    "malformed_jwk",
    "malformed_signature",
    "invalid_signature",
    "malformed_did",
    "unsupported_did_method",
    "invalid_did_url",
    "malformed_record",
    "record_mismatch",
    "invalid_json",
    "duplicate_key",
    "invalid_unicode",
    "number_out_of_range",
    "json_too_deep",
    "malformed_tool_definition",
    "malformed_attestation",
    "missing_signature",
    "kid_mismatch",
    "malformed_manifest",
    "manifest_mismatch",
    "missing_manifest",
    "malformed_token",
    "unsupported_algorithm",
    "unsupported_critical",
    "wrong_token_type",
    "missing_claim",
    "invalid_claim",
    "token_expired",
    "token_not_yet_valid",
    "token_issued_in_future",
    "lifetime_too_long",
    "audience_mismatch",
    "issuer_mismatch",
    "subject_mismatch",
    "invalid_timestamp",
    "untrusted_issuer",
    "revoked",
    "pinned_key_changed",
    "malformed_trust_store",
    "invalid_policy",
    "no_identity",
    "missing_passport",
    "server_error",
    "tool_changed",
    "endpoint_mismatch",
    "unsupported_sdk",
    "attestation_expired",
    "malformed_identity",
    "invalid_challenge",
    "stale_timestamp",
    "replayed_nonce",
    "nonce_cache_full",
    "challenge_rate_limited",
    "malformed_evidence",
    "evidence_chain_broken",
    "evidence_truncated",
    "insufficient_trust_level",
    "caller_proof_mismatch",
    "signer_failed",
    "key_unavailable",
    "unsafe_directory",
]


class McpAttestError(Exception):
    """Base class of every exception raised by mcp-attest.

    Attributes:
        code: The stable machine-readable code, e.g. ``"invalid_signature"``.
    """

    code: ErrorCode

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        """The human-readable message (not part of the compatibility contract)."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[type[McpAttestError], tuple[str, ErrorCode]]:
        # Pickle through (message, code): the default would call cls(*args) with one argument.
        return (type(self), (self.message, self.code))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


# --- malformed input (also ValueError) ---------------------------------------------------


class MalformedInputError(McpAttestError, ValueError):
    """Input that is not well-formed: JSON, encodings, records, tools, tokens, documents."""


class InputTooLargeError(MalformedInputError):
    """Input larger than the stated limit (``input_too_large``), refused before parsing."""


class EncodingError(MalformedInputError):
    """Text that is not valid base64url/base64, base58btc or hex."""


class InvalidJsonError(MalformedInputError):
    """JSON refused by the strict parser: syntax, duplicate names, lone surrogates or text
    that is not UTF-8, numbers out of range, nesting too deep."""


class MalformedToolError(MalformedInputError):
    """A malformed tool definition, attestation or tools manifest."""


# --- keys ----------------------------------------------------------------------------------


class InvalidKeyError(McpAttestError, ValueError):
    """A key that cannot be imported: wrong length, not a curve point, wrong format."""


class WeakKeyError(InvalidKeyError):
    """A small-order public key (``weak_key``), under which forged signatures verify."""


class KeyMismatchError(InvalidKeyError):
    """A public half (or bound key) that is not the key of the secret (``key_mismatch``)."""


class UnsupportedKeyTypeError(InvalidKeyError):
    """A key of another algorithm, curve or multicodec than Ed25519."""


# --- signatures ----------------------------------------------------------------------------


class InvalidSignatureError(McpAttestError):
    """A signature that does not verify (deliberately opaque about why)."""


# --- did:key and records -------------------------------------------------------------------


class DidError(McpAttestError, ValueError):
    """A malformed DID or DID URL, or a DID of another method than did:key."""


class RecordMismatchError(McpAttestError):
    """A well-formed DNS or registry record that names another key."""


# --- tool attestation ----------------------------------------------------------------------


class ToolAttestationError(McpAttestError):
    """A tool or tools list that does not carry the attestation it should."""


class KidMismatchError(ToolAttestationError):
    """A signature that names another key id than the verifying key's (``kid_mismatch``)."""


# --- tokens (passports, manifests, revocation lists, JWS) ----------------------------------


class TokenError(McpAttestError):
    """A JWS/JWT-based token (passport, manifest, revocation list) that is not accepted."""


class MalformedTokenError(TokenError, ValueError):
    """A token that is malformed or uses an algorithm, ``crit`` or ``typ`` not accepted."""


class ClaimError(TokenError, ValueError):
    """A required claim is missing or a claim has the wrong type or value."""


class TokenExpiredError(TokenError):
    """The token's ``exp`` has passed (``token_expired``)."""


class TokenNotYetValidError(TokenError):
    """The token's ``nbf`` or ``iat`` is in the future."""


class ClaimMismatchError(TokenError):
    """The token is for another audience, issuer or subject than expected."""


# --- trust ---------------------------------------------------------------------------------


class TrustError(McpAttestError):
    """A key, issuer or identity that the caller's trust does not extend to."""


class UntrustedIssuerError(TrustError):
    """The issuer is not among the caller's trusted issuers (``untrusted_issuer``)."""


class RevokedError(TrustError):
    """A revocation list names the key, DID or token (``revoked``)."""


class PinnedKeyChangedError(TrustError):
    """A pinned server now presents another key (``pinned_key_changed``)."""


class AttestationExpiredError(TrustError):
    """An identity attestation's ``expiresAt`` has passed (``attestation_expired``)."""


# --- identity/challenge --------------------------------------------------------------------


class ChallengeError(McpAttestError):
    """An ``identity/challenge`` request that is refused."""


class StaleTimestampError(ChallengeError):
    """The challenge timestamp is over 5 minutes behind or 60 s ahead of the server's clock (``stale_timestamp``)."""


class ReplayedNonceError(ChallengeError):
    """The challenge nonce was already answered (``replayed_nonce``)."""


class NonceCacheFullError(ChallengeError):
    """The replay cache is full of live nonces (``nonce_cache_full``)."""


class ChallengeRateLimitedError(ChallengeError):
    """This client holds its quota of the replay cache; only its challenges are refused (``challenge_rate_limited``)."""


class InsufficientTrustLevelError(TrustError):
    """The caller's trust level is below what the tool requires (``insufficient_trust_level``)."""


class CallerProofMismatchError(TrustError):
    """A caller proof was made for another request (``caller_proof_mismatch``)."""


class EvidenceError(McpAttestError):
    """An evidence log's chain is broken or the log was cut before a checkpoint anchor."""


class InvalidChallengeError(ChallengeError, MalformedInputError):
    """Malformed ``identity/challenge`` params (``invalid_challenge``)."""


_CLASS_BY_CODE: dict[ErrorCode, type[McpAttestError]] = {
    "input_too_large": InputTooLargeError,
    "invalid_base64": EncodingError,
    "invalid_base58": EncodingError,
    "invalid_hex": EncodingError,
    "invalid_key_length": InvalidKeyError,
    "invalid_key": InvalidKeyError,
    "weak_key": WeakKeyError,
    "key_mismatch": KeyMismatchError,
    "unsupported_key_type": UnsupportedKeyTypeError,
    "malformed_pem": InvalidKeyError,
    "malformed_der": InvalidKeyError,
    "malformed_jwk": InvalidKeyError,
    "malformed_signature": MalformedInputError,
    "invalid_signature": InvalidSignatureError,
    "malformed_did": DidError,
    "unsupported_did_method": DidError,
    "invalid_did_url": DidError,
    "malformed_record": MalformedInputError,
    "record_mismatch": RecordMismatchError,
    "invalid_json": InvalidJsonError,
    "duplicate_key": InvalidJsonError,
    "invalid_unicode": InvalidJsonError,
    "number_out_of_range": InvalidJsonError,
    "json_too_deep": InvalidJsonError,
    "malformed_tool_definition": MalformedToolError,
    "malformed_attestation": MalformedToolError,
    "missing_signature": ToolAttestationError,
    "kid_mismatch": KidMismatchError,
    "malformed_manifest": MalformedToolError,
    "manifest_mismatch": ToolAttestationError,
    "missing_manifest": ToolAttestationError,
    "malformed_token": MalformedTokenError,
    "unsupported_algorithm": MalformedTokenError,
    "unsupported_critical": MalformedTokenError,
    "wrong_token_type": MalformedTokenError,
    "missing_claim": ClaimError,
    "invalid_claim": ClaimError,
    "token_expired": TokenExpiredError,
    "token_not_yet_valid": TokenNotYetValidError,
    "token_issued_in_future": TokenNotYetValidError,
    "lifetime_too_long": ClaimError,
    "audience_mismatch": ClaimMismatchError,
    "issuer_mismatch": ClaimMismatchError,
    "subject_mismatch": ClaimMismatchError,
    "invalid_timestamp": MalformedInputError,
    "untrusted_issuer": UntrustedIssuerError,
    "revoked": RevokedError,
    "pinned_key_changed": PinnedKeyChangedError,
    "malformed_trust_store": MalformedInputError,
    "invalid_policy": MalformedInputError,
    "no_identity": TrustError,
    "missing_passport": TrustError,
    "server_error": TrustError,
    "tool_changed": ToolAttestationError,
    "endpoint_mismatch": TrustError,
    "unsupported_sdk": McpAttestError,
    "attestation_expired": AttestationExpiredError,
    "malformed_identity": MalformedInputError,
    "invalid_challenge": InvalidChallengeError,
    "stale_timestamp": StaleTimestampError,
    "replayed_nonce": ReplayedNonceError,
    "nonce_cache_full": NonceCacheFullError,
    "challenge_rate_limited": ChallengeRateLimitedError,
    "malformed_evidence": MalformedInputError,
    "evidence_chain_broken": EvidenceError,
    "evidence_truncated": EvidenceError,
    "insufficient_trust_level": InsufficientTrustLevelError,
    "caller_proof_mismatch": CallerProofMismatchError,
    "signer_failed": McpAttestError,
    "key_unavailable": McpAttestError,
    "unsafe_directory": McpAttestError,
}


def _from_code(code: str, message: str) -> McpAttestError:
    """The exception for a core error (called by the native module; never raises)."""
    cls = _CLASS_BY_CODE.get(code, McpAttestError)  # type: ignore[call-overload]
    # An unknown code (newer than this module) still gives an McpAttestError with the code.
    exc: McpAttestError = cls(message, code)
    return exc
