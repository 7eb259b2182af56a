"""Type stubs of the native module ``mcp_attest._native`` (the PyO3 glue over the Rust core).

Import from ``mcp_attest``; this module is an implementation detail.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol, TypeAlias, final

from .errors import McpAttestError

__all__ = [
    "__version__",
    "KeyFile",
    "MAX_KEY_FILE_BYTES",
    "PRIVATE_KEY_PATH_ENV",
    "PRIVATE_KEY_PEM_ENV",
    "check_key_directory",
    "key_plan",
    "SigningKey",
    "VerifyingKey",
    "DidUrl",
    "DnsRecord",
    "RegistryRecord",
    "ToolReport",
    "ToolsReport",
    "parse_did_url",
    "did_document",
    "base64url_encode",
    "base64url_decode",
    "base58_encode",
    "base58_decode",
    "multibase_encode",
    "multibase_decode",
    "dns_record_name",
    "dns_record",
    "registry_record",
    "canonicalize",
    "format_rfc3339",
    "parse_rfc3339",
    "ext_auth_signing_input",
    "content_hash",
    "tools_hash",
    "sign_tool",
    "verify_tool",
    "sign_tools_list",
    "verify_tools_list",
    "UnverifiedJws",
    "VerifiedJws",
    "McpInfo",
    "Passport",
    "TrustedIssuer",
    "RevocationEntry",
    "RevocationList",
    "Pin",
    "TrustStore",
    "PublisherInfo",
    "Rotation",
    "VerifiedIdentity",
    "ChallengeRequest",
    "ChallengeResponse",
    "ChallengeResponder",
    "AdmittedChallenge",
    "sign_jws",
    "parse_jws",
    "check_claims",
    "verify_jws",
    "issue_self_passport",
    "issue_passport",
    "verify_passport",
    "issue_revocation_list",
    "served_jwk",
    "publisher_attestation",
    "revocation_attestation",
    "identity_document",
    "verify_identity_document",
    "verify_challenge_response",
    "jsonrpc_error",
    "jsonrpc_error_json",
    "error_codes",
    "CallerContext",
    "CallerVerifier",
    "EvidenceLog",
    "LogVerifier",
    "caller_attach",
    "client_call_evidence",
    "caller_refusal",
    "caller_request_hash",
    "evidence_file_index",
    "evidence_file_name",
    "evidence_hash",
    "guard_level",
    "trust_level",
    "verify_ai_identity_passport",
    "find_ai_identity_passport",
    "verify_capiscio_badge",
    "ClientSession",
    "ServerPresentation",
]

__version__: str

_BytesLike: TypeAlias = bytes | bytearray | memoryview
"""Any bytes-like input."""
_JsonInput: TypeAlias = str | bytes | bytearray | Mapping[str, Any]
"""JSON text (``str`` or UTF-8 bytes) or a mapping, which travels as JSON text into the parser."""

class _SignerLike(Protocol):
    @property
    def public_key(self) -> VerifyingKey | bytes | str: ...
    def sign(self, data: bytes, /) -> bytes: ...

_AnySigner: TypeAlias = SigningKey | _SignerLike

_Now: TypeAlias = datetime | int | None
"""``None`` (the current time), Unix seconds, or an aware ``datetime``."""
_DocumentFormat: TypeAlias = Literal["multikey", "ed25519_verification_key_2020", "json_web_key"]
_ToolStatus: TypeAlias = Literal[
    "verified",
    "tampered",
    "unsigned",
    "wrong_key",
    "not_in_manifest",
    "missing_from_list",
    "duplicate",
    "malformed",
    "revoked",
    "manifest_unverified",
]

# --- keys ---------------------------------------------------------------------------------

@final
class SigningKey:
    """A secret Ed25519 key (the 32-byte seed). Its repr shows only the did:key; it refuses pickling."""

    @staticmethod
    def generate() -> SigningKey:
        """A fresh key from the operating system's random number generator."""
    @staticmethod
    def from_bytes(data: _BytesLike) -> SigningKey:
        """A key from a 32-byte seed or 64-byte seed ‖ public key (the public half must match).

        Raises:
            InvalidKeyError: ``invalid_key_length`` or ``key_mismatch``.
        """
    @staticmethod
    def from_pkcs8_der(der: _BytesLike) -> SigningKey:
        """A key from PKCS#8 DER (v1 or v2)."""
    @staticmethod
    def from_pkcs8_pem(pem: str) -> SigningKey:
        """A key from PKCS#8 PEM (also the forms PEM takes in environment variables)."""
    @staticmethod
    def from_jwk(jwk: _JsonInput) -> SigningKey:
        """A key from a private JWK (``d`` = seed)."""
    def to_bytes(self) -> bytes:
        """The 32-byte seed: the whole secret."""
    def to_keypair_bytes(self) -> bytes:
        """seed ‖ public key (64 bytes, the NaCl/libsodium/Go layout)."""
    def to_pkcs8_der(self, *, v2: bool = False) -> bytes:
        """PKCS#8 DER, v1 (seed only) or v2 (with the public key)."""
    def to_pkcs8_pem(self, *, v2: bool = False) -> str:
        """PKCS#8 PEM, v1 or v2."""
    def to_jwk(self) -> str:
        """The private JWK as JSON text. Handle with care."""
    def verifying_key(self) -> VerifyingKey:
        """The public key."""
    def to_did_key(self) -> str:
        """The did:key of the public key."""
    def sign(self, message: _BytesLike) -> bytes:
        """Signs ``message`` (pure Ed25519, deterministic): 64 bytes."""
    def __reduce__(self) -> Any:
        """Refuses: raises ``TypeError`` (export with ``to_bytes()``)."""
    def __copy__(self) -> SigningKey: ...
    def __deepcopy__(self, memo: Any, /) -> SigningKey: ...

@final
class VerifyingKey:
    """A validated Ed25519 public key (canonical encoding, not of small order). Hashable, picklable."""

    @staticmethod
    def from_bytes(data: _BytesLike) -> VerifyingKey:
        """A public key from its 32 bytes."""
    @staticmethod
    def from_spki_der(der: _BytesLike) -> VerifyingKey:
        """A public key from SubjectPublicKeyInfo DER."""
    @staticmethod
    def from_spki_pem(pem: str) -> VerifyingKey:
        """A public key from SubjectPublicKeyInfo PEM."""
    @staticmethod
    def from_multibase(text: str) -> VerifyingKey:
        """A public key from its multibase form ``z6Mk…``."""
    @staticmethod
    def from_did_key(did: str) -> VerifyingKey:
        """The key a did:key encodes (DID URLs are refused: see ``parse_did_url``)."""
    @staticmethod
    def from_jwk(jwk: _JsonInput) -> VerifyingKey:
        """A public key from a public JWK."""
    def to_bytes(self) -> bytes: ...
    def to_spki_der(self) -> bytes: ...
    def to_spki_pem(self) -> str: ...
    def to_multibase(self) -> str: ...
    def to_did_key(self) -> str: ...
    def to_did_key_url(self) -> str:
        """``did:key:z6Mk…#z6Mk…``, the verification-method id."""
    def to_jwk(self) -> str:
        """The public JWK as compact JSON text."""
    def jwk_thumbprint(self) -> str:
        """The RFC 7638 thumbprint (base64url)."""
    def kid(self) -> str:
        """The ext-auth key id: base64url(SHA-256(key)[:16])."""
    def fingerprint(self) -> str:
        """The ext-auth DNS fingerprint: base64url(SHA-256(key))."""
    def to_x25519(self) -> bytes:
        """The X25519 public key for key agreement."""
    def x25519_multibase(self) -> str:
        """The multibase form of the X25519 key (``z6LS…``)."""
    def verify(self, message: _BytesLike, signature: _BytesLike) -> None:
        """Verifies strictly (``verify_strict``).

        Raises:
            InvalidSignatureError: whatever the reason (also a signature that is not 64 bytes).
        """
    def verify_batch(self, items: Iterable[tuple[_BytesLike, _BytesLike]]) -> list[bool]:
        """Verifies ``(message, signature)`` pairs with the GIL released; each bool is ``verify``'s verdict."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __bytes__(self) -> bytes: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

# --- did:key, encodings, records ----------------------------------------------------------

@final
class DidUrl:
    """A parsed did:key DID URL."""

    @property
    def key(self) -> VerifyingKey: ...
    @property
    def fragment(self) -> Literal["none", "verification_method", "key_agreement"]: ...

def parse_did_url(url: str) -> DidUrl:
    """Parses a did:key DID URL (the DID, optionally ``#`` one of its own methods)."""

def did_document(key: VerifyingKey, *, format: _DocumentFormat = "multikey") -> str:
    """The DID document of ``key`` as canonical JSON text."""

def base64url_encode(data: _BytesLike) -> str: ...
def base64url_decode(text: str) -> bytes: ...
def base58_encode(data: _BytesLike) -> str: ...
def base58_decode(text: str) -> bytes: ...
def multibase_encode(data: _BytesLike) -> str: ...
def multibase_decode(text: str) -> bytes: ...
def dns_record_name(domain: str) -> str:
    """``_mcp-identity.<domain>``."""

def dns_record(key: VerifyingKey, *, kid: str | None = None) -> str:
    """The ext-auth DNS TXT record value ``v=mcp1; kid=…; fp=…``."""

def registry_record(key: VerifyingKey) -> str:
    """The MCP Registry proof ``v=MCPv1; k=ed25519; p=…``."""

@final
class DnsRecord:
    """A parsed ext-auth DNS record."""

    @staticmethod
    def parse(text: str) -> DnsRecord: ...
    @property
    def kid(self) -> str: ...
    @property
    def fp(self) -> str: ...
    def verify(self, key: VerifyingKey, *, kid: str | None = None) -> None:
        """Raises ``RecordMismatchError`` (with the expected record) if it names another key."""

@final
class RegistryRecord:
    """A parsed MCP Registry proof record."""

    @staticmethod
    def parse(text: str) -> RegistryRecord: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def public_key(self) -> bytes: ...
    def verifying_key(self) -> VerifyingKey: ...
    def verify(self, key: VerifyingKey) -> None: ...

# --- JSON, time -----------------------------------------------------------------------------

def canonicalize(value: object) -> str:
    """RFC 8785 (JCS) canonical JSON of JSON text (``str``/UTF-8 bytes) or a Python value."""

def format_rfc3339(secs: int) -> str: ...
def parse_rfc3339(text: str) -> int: ...
def error_codes() -> list[tuple[str, str]]:
    """Every core error code with its one-line meaning, in declaration order."""

# --- tools ----------------------------------------------------------------------------------

def ext_auth_signing_input(tool: _JsonInput) -> str:
    """The exact text the ext-auth draft signs for ``tool``."""

def content_hash(tool: _JsonInput) -> str:
    """``sha256-<base64url>`` of the fields every SDK preserves."""

def tools_hash(tools: str | bytes | bytearray | Sequence[Mapping[str, Any]]) -> str:
    """The ``mcp.toolsHash`` a passport carries for a tool set."""

def sign_tool(key: _AnySigner, tool: _JsonInput, *, kid: str | None = None, now: _Now = None) -> str:
    """``tool`` with its ext-auth attestation in ``_meta``, as canonical JSON text."""

def verify_tool(tool: _JsonInput, key: VerifyingKey, *, kid: str | None = None) -> None:
    """Checks one tool's ext-auth attestation; raises on failure."""

def sign_tools_list(
    key: _AnySigner,
    result: _JsonInput,
    *,
    now: _Now = None,
    ttl: int = ...,
    audience: str | None = None,
    kid: str | None = None,
) -> str:
    """Signs every tool of a ``tools/list`` result and attaches the manifest; canonical JSON text.

    The manifest lives ``ttl`` seconds (default 3600).
    """

def verify_tools_list(
    result: _JsonInput,
    key: VerifyingKey,
    *,
    now: _Now = None,
    leeway: int = ...,
    audience: str | None = None,
    kid: str | None = None,
    require_manifest: bool = True,
    tool_signatures: Literal["if_no_manifest", "always"] = "if_no_manifest",
    revocations: Iterable[RevocationList] | None = None,
    max_bytes: int = ...,
) -> ToolsReport:
    """Verifies a ``tools/list`` result into a per-tool report (GIL released).

    Defaults: ``leeway`` 60 s, ``max_bytes`` 4 MiB.

    Raises only for input that is not a tools list at all.
    """

@final
class ToolReport:
    """The verdict on one tool."""

    @property
    def index(self) -> int | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def status(self) -> _ToolStatus: ...
    @property
    def error_code(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def error(self) -> McpAttestError | None:
        """The reason as an exception object (not raised)."""
    @property
    def hash(self) -> str | None: ...

@final
class ToolsReport:
    """The verdict on a whole ``tools/list`` result."""

    @property
    def verified(self) -> bool:
        """Every tool verified and the manifest verified (or not required)."""
    @property
    def manifest_status(self) -> Literal["verified", "absent", "invalid"]: ...
    @property
    def manifest_error_code(self) -> str | None: ...
    @property
    def manifest_issued_at(self) -> int | None: ...
    @property
    def manifest_expires_at(self) -> int | None: ...
    @property
    def require_manifest(self) -> bool: ...
    @property
    def tools(self) -> tuple[ToolReport, ...]: ...
    def verified_names(self) -> list[str]:
        """The tools that verified: the only ones to show a model."""
    def to_json(self) -> str: ...

# --- JWS ------------------------------------------------------------------------------------

def sign_jws(key: _AnySigner, claims: _JsonInput, *, typ: str | None = None, kid: str | None = None) -> str:
    """A compact JWS (``alg: EdDSA``) over canonical JSON."""

def parse_jws(token: str, *, max_bytes: int = ...) -> UnverifiedJws:
    """Parses a compact JWS and checks everything that needs no key."""

def check_claims(
    claims: _JsonInput,
    *,
    now: _Now = None,
    leeway: int = ...,
    audience: str | None = None,
    require_exp: bool = True,
    max_lifetime: int | None = None,
) -> None: ...
def verify_jws(
    token: str,
    key: VerifyingKey,
    *,
    typ: str | None = None,
    now: _Now = None,
    leeway: int = ...,
    audience: str | None = None,
    require_exp: bool = True,
    max_lifetime: int | None = None,
    max_bytes: int = ...,
) -> VerifiedJws:
    """parse → typ → signature → claims; the first failure is raised."""

@final
class UnverifiedJws:
    @property
    def header(self) -> dict[str, Any]: ...
    @property
    def unverified_claims(self) -> dict[str, Any]: ...
    def expect_typ(self, typ: str) -> None: ...
    def verify(self, key: VerifyingKey) -> VerifiedJws: ...
    def verify_any(self, keys: Iterable[VerifyingKey]) -> tuple[VerifiedJws, VerifyingKey]: ...
    def check_claims(
        self,
        *,
        now: _Now = None,
        leeway: int = ...,
        audience: str | None = None,
        require_exp: bool = True,
        max_lifetime: int | None = None,
    ) -> None: ...

@final
class VerifiedJws:
    @property
    def header(self) -> dict[str, Any]: ...
    @property
    def claims(self) -> dict[str, Any]: ...
    def check_claims(
        self,
        *,
        now: _Now = None,
        leeway: int = ...,
        audience: str | None = None,
        require_exp: bool = True,
        max_lifetime: int | None = None,
    ) -> None: ...

# --- passports ------------------------------------------------------------------------------

@final
class McpInfo:
    """The MCP server a passport describes."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(
        cls,
        name: str,
        *,
        version: str | None = None,
        endpoints: Iterable[str] | None = None,
        tools_hash: str | None = None,
    ) -> McpInfo: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def endpoints(self) -> tuple[str, ...]: ...
    @property
    def tools_hash(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...

def issue_self_passport(
    server_key: _AnySigner,
    mcp: McpInfo,
    *,
    now: _Now = None,
    ttl: int = ...,
    audience: str | None = None,
    jti: str | None = None,
    not_before: _Now = None,
) -> str:
    """A self-issued passport (``iss = sub =`` the server's did:key)."""

def issue_passport(
    issuer_key: _AnySigner,
    issuer_id: str,
    server: VerifyingKey,
    mcp: McpInfo,
    *,
    issuer_kid: str | None = None,
    now: _Now = None,
    ttl: int = ...,
    audience: str | None = None,
    jti: str | None = None,
    not_before: _Now = None,
) -> str:
    """A passport for ``server`` signed by a publisher or registry (binds the key in ``cnf.jwk``)."""

def verify_passport(
    token: str,
    *,
    now: _Now = None,
    leeway: int = ...,
    audience: str | None = None,
    issuers: Iterable[TrustedIssuer] | None = None,
    allow_self_issued: bool | None = None,
    max_age: int | None = None,
    max_lifetime: int = ...,
    revocations: Iterable[RevocationList] | None = None,
    subject: VerifyingKey | None = None,
) -> Passport:
    """Verifies a passport; raises the first failure (``TokenError``, ``TrustError``, …).

    ``leeway`` defaults to 60 s. Self-issued passports are accepted when
    ``allow_self_issued`` is true, and by default (``None``) only when ``issuers`` is empty;
    issuer-signed ones need their issuer in ``issuers``. ``max_lifetime`` (default 30 days)
    caps ``exp`` minus ``iat`` (else ``nbf``, else now): ``lifetime_too_long``.
    """

@final
class Passport:
    @property
    def issuer(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def subject_key(self) -> VerifyingKey: ...
    @property
    def issuer_key(self) -> VerifyingKey: ...
    @property
    def self_issued(self) -> bool: ...
    @property
    def audience(self) -> tuple[str, ...]: ...
    @property
    def issued_at(self) -> int | None: ...
    @property
    def not_before(self) -> int | None: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def jti(self) -> str | None: ...
    @property
    def mcp(self) -> McpInfo | None: ...

@final
class TrustedIssuer:
    """A publisher or registry: the ``iss`` it signs with and its keys."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(cls, id: str, key: VerifyingKey) -> TrustedIssuer: ...
    @staticmethod
    def from_did_key(did: str) -> TrustedIssuer: ...
    @staticmethod
    def from_jwks(id: str, jwks: _JsonInput) -> TrustedIssuer: ...
    @staticmethod
    def from_json(text: _JsonInput) -> TrustedIssuer: ...
    @property
    def max_level(self) -> int: ...
    def with_max_level(self, level: int) -> TrustedIssuer: ...
    def to_json(self) -> str: ...
    def with_key(self, key: VerifyingKey, *, kid: str | None = None) -> TrustedIssuer: ...
    @property
    def id(self) -> str: ...
    @property
    def keys(self) -> list[tuple[str | None, VerifyingKey]]: ...
    def __eq__(self, other: object, /) -> bool: ...

# --- revocation -----------------------------------------------------------------------------

@final
class RevocationEntry:
    __hash__: ClassVar[None]  # type: ignore[assignment]
    @staticmethod
    def for_key(key: VerifyingKey, *, reason: str | None = None, revoked_at: _Now = None) -> RevocationEntry: ...
    @staticmethod
    def for_did(did: str, *, reason: str | None = None, revoked_at: _Now = None) -> RevocationEntry: ...
    @staticmethod
    def for_jti(jti: str, *, reason: str | None = None, revoked_at: _Now = None) -> RevocationEntry: ...
    @property
    def kind(self) -> Literal["key", "did", "jti"]: ...
    @property
    def value(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def revoked_at(self) -> int | None: ...
    def __eq__(self, other: object, /) -> bool: ...

def issue_revocation_list(
    key: _AnySigner, issuer_id: str, entries: Iterable[RevocationEntry], *, now: _Now = None, ttl: int | None = None
) -> str: ...

@final
class RevocationList:
    __hash__: ClassVar[None]  # type: ignore[assignment]
    @staticmethod
    def verify(
        token: str, issuers: Iterable[TrustedIssuer], *, now: _Now = None, check_time: bool = True
    ) -> RevocationList:
        """Verifies under the trusted issuer it names; ``check_time=False`` skips ``iat``/``exp``."""
    @property
    def issuer(self) -> str: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def expires_at(self) -> int | None: ...
    @property
    def entries(self) -> list[RevocationEntry]: ...
    def find(self, kind: Literal["key", "did", "jti"], value: str) -> RevocationEntry | None: ...
    def check_key(self, key: VerifyingKey) -> None: ...
    def check_did(self, did: str) -> None: ...
    def check_jti(self, jti: str) -> None: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

# --- trust store ----------------------------------------------------------------------------

@final
class Pin:
    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def key(self) -> VerifyingKey: ...
    @property
    def first_seen(self) -> int: ...
    @property
    def last_seen(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class TrustStore:
    """Pinned server keys (TOFU), trusted issuers and revocation lists; thread-safe."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(cls) -> TrustStore: ...
    @staticmethod
    def from_json(text: _JsonInput) -> TrustStore: ...
    def to_json(self) -> str: ...
    def check_pin(self, server: str, key: VerifyingKey, *, now: _Now = None) -> Literal["first_use", "match"]:
        """Raises ``PinnedKeyChangedError`` if ``server`` now presents another key."""
    def pin(self, server: str, key: VerifyingKey, *, now: _Now = None) -> None: ...
    def accept_tool(self, server: str, tool: _JsonInput) -> None: ...
    def forget_tool(self, server: str, name: str) -> bool: ...
    def accepted_tool_names(self, server: str) -> list[str]: ...
    def unpin(self, server: str) -> Pin | None: ...
    def pinned(self, server: str) -> Pin | None: ...
    def add_issuer(self, issuer: TrustedIssuer) -> None: ...
    def issuers(self) -> list[TrustedIssuer]: ...
    def add_revocation_list(self, token: str, *, now: _Now = None) -> bool: ...
    def revocation_lists(self) -> list[RevocationList]: ...
    def check_revoked(self, key: VerifyingKey) -> None: ...
    def __eq__(self, other: object, /) -> bool: ...

# --- identity/get ---------------------------------------------------------------------------

def served_jwk(key: VerifyingKey, kid: str) -> str: ...
def publisher_attestation(
    publisher_key: _AnySigner,
    server: VerifyingKey,
    *,
    name: str,
    url: str | None = None,
    kid: str | None = None,
    now: _Now = None,
    ttl: int | None = None,
) -> str: ...
def revocation_attestation(
    old_key: _AnySigner,
    revoked_kid: str,
    *,
    replacement_key: VerifyingKey | str | None = None,
    reason: str | None = None,
    now: _Now = None,
) -> str: ...
def identity_document(
    server_key: _AnySigner,
    *,
    kid: str | None = None,
    now: _Now = None,
    attestations: Iterable[_JsonInput] | None = None,
) -> str: ...
def verify_identity_document(
    document: _JsonInput,
    *,
    now: _Now = None,
    trusted_publishers: Iterable[VerifyingKey] | None = None,
    require_trusted_publisher: bool = False,
    previous_key: VerifyingKey | None = None,
) -> VerifiedIdentity: ...

@final
class PublisherInfo:
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def key(self) -> VerifyingKey: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def signed_at(self) -> int: ...
    @property
    def expires_at(self) -> int | None: ...
    @property
    def bound(self) -> bool: ...
    @property
    def trusted(self) -> bool: ...

@final
class Rotation:
    @property
    def revoked_kid(self) -> str: ...
    @property
    def replacement_kid(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def verified(self) -> bool: ...

@final
class VerifiedIdentity:
    @property
    def key(self) -> VerifyingKey: ...
    @property
    def kid(self) -> str: ...
    @property
    def self_signed_at(self) -> int: ...
    @property
    def publishers(self) -> list[PublisherInfo]: ...
    @property
    def rotations(self) -> list[Rotation]: ...

# --- identity/challenge ---------------------------------------------------------------------

@final
class ChallengeRequest:
    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(cls, random: _BytesLike | None = None, *, now: _Now = None) -> ChallengeRequest: ...
    @staticmethod
    def from_json(params: _JsonInput) -> ChallengeRequest: ...
    @property
    def challenge(self) -> str: ...
    @property
    def timestamp(self) -> str: ...
    def to_json(self) -> str: ...
    def signing_input(self) -> bytes: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class ChallengeResponse:
    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __new__(cls, signature: str, kid: str) -> ChallengeResponse: ...
    @staticmethod
    def from_json(result: _JsonInput) -> ChallengeResponse: ...
    @property
    def signature(self) -> str: ...
    @property
    def kid(self) -> str: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class AdmittedChallenge:
    """A challenge admitted by ``ChallengeResponder.admit``, waiting for a replay store."""

    @property
    def store_key(self) -> str: ...
    @property
    def expires_at(self) -> int: ...

@final
class ChallengeResponder:
    """Answers ``identity/challenge`` with a bounded replay cache and per-client quotas; thread-safe."""

    def __new__(cls, kid: str, *, cache_capacity: int = ..., client_quota: int | None = None) -> ChallengeResponder: ...
    def respond(
        self, key: _AnySigner, params: _JsonInput, *, now: _Now = None, client_key: str | None = None
    ) -> ChallengeResponse: ...
    def admit(self, params: _JsonInput, *, now: _Now = None, client_key: str | None = None) -> AdmittedChallenge: ...
    def sign(self, key: _AnySigner, admitted: AdmittedChallenge) -> ChallengeResponse: ...
    @property
    def kid(self) -> str: ...
    @property
    def cache_capacity(self) -> int: ...
    @property
    def client_quota(self) -> int: ...
    def cache_len(self) -> int: ...

def verify_challenge_response(
    request: ChallengeRequest, response: ChallengeResponse, key: VerifyingKey, *, expected_kid: str | None = None
) -> None: ...
def jsonrpc_error(error: McpAttestError) -> tuple[int, str]:
    """The JSON-RPC ``(code, data.reason)`` for a failed challenge."""

def jsonrpc_error_json(error: McpAttestError) -> str: ...

@final
class ClientSession:
    def __new__(
        cls, policy_json: _JsonInput, trust_store: TrustStore | None, now: _Now, random: bytes
    ) -> ClientSession: ...
    def next_request(self) -> tuple[str, str] | None: ...
    def receive_result(self, result: _JsonInput) -> None: ...
    def receive_error(self, code: int, message: str, data_json: _JsonInput | None = None) -> None: ...
    def report(self) -> str | None: ...
    def save_trust_store(self, store: TrustStore) -> None: ...

@final
class ServerPresentation:
    def __new__(cls, key: _AnySigner, options_json: _JsonInput) -> ServerPresentation: ...
    @property
    def kid(self) -> str: ...
    @property
    def did(self) -> str: ...
    def capabilities(self) -> str: ...
    def http_headers(self) -> str: ...
    def passport(self, *, now: _Now = None) -> str | None: ...
    def sign_tools_list(self, result: _JsonInput, *, cursor: str | None = None, now: _Now = None) -> str: ...
    def identity_get(self, *, now: _Now = None) -> str: ...
    def answer_challenge(self, params: _JsonInput, client: str, *, now: _Now = None) -> tuple[bool, str]: ...
    def admit_challenge(
        self, params: _JsonInput, client: str, *, now: _Now = None
    ) -> tuple[bool, tuple[str, int] | None, str | None]: ...
    def complete_challenge(self, store_key: str, inserted: bool) -> tuple[bool, str]: ...
    def set_tool_trust_level(self, tool: str, level: int) -> None: ...
    def required_level(self, tool: str) -> int: ...
    def set_caller_trust(self, store: TrustStore) -> None: ...
    def admit_call(
        self,
        params: _JsonInput,
        client: str,
        header: str | None = None,
        log: EvidenceLog | None = None,
        now: _Now = None,
    ) -> str: ...
    def complete_admission(
        self, ticket: _JsonInput, inserted: bool, log: EvidenceLog | None = None, now: _Now = None
    ) -> str: ...
    def complete_call(
        self,
        ticket: _JsonInput,
        result: _JsonInput | None = None,
        error: _JsonInput | None = None,
        log: EvidenceLog | None = None,
        now: _Now = None,
    ) -> str: ...

# Caller identity (spec §20) and evidence logs (§19); wrapped by mcp_attest.caller and
# mcp_attest.evidence.
def caller_attach(
    key: _AnySigner, passport: str | None, audience: str, method: str, params: _JsonInput, now: _Now, nonce: bytes
) -> tuple[str, str]: ...
def client_call_evidence(
    report: _JsonInput,
    params: _JsonInput,
    result: _JsonInput | None = None,
    error: _JsonInput | None = None,
    refused: str | None = None,
) -> str: ...
def caller_request_hash(method: str, params: _JsonInput) -> str: ...
def trust_level(key_proven: bool, domain_proven: bool = False, vouched: int | None = None) -> int: ...
def guard_level(required: int, level: int) -> None: ...
def caller_refusal(code: str, message: str, required: int | None = None, level: int | None = None) -> str: ...

@final
class CallerContext:
    def __new__(
        cls, report: _JsonInput, key: _AnySigner | None = None, passport: str | None = None
    ) -> CallerContext: ...
    def prepare(self, params: _JsonInput, now: _Now, nonce: bytes) -> tuple[str, str] | None: ...

@final
class CallerVerifier:
    def __new__(
        cls,
        audience: str,
        capacity: int | None = None,
        client_quota: int | None = None,
        trust_store: TrustStore | None = None,
    ) -> CallerVerifier: ...
    def identify(self, method: str, params: _JsonInput, header: str | None, client: str, now: _Now) -> str | None: ...

@final
class EvidenceLog:
    def __new__(
        cls,
        key: _AnySigner,
        max_file_bytes: int | None = None,
        resume: tuple[str, int, int] | None = None,
        resume_files: tuple[int, str, str | None] | None = None,
    ) -> EvidenceLog: ...
    def append_call(self, call: _JsonInput, now: _Now = None) -> list[tuple[int, str]]: ...
    def checkpoint(self, now: _Now = None) -> tuple[int, str]: ...
    def close(self, now: _Now = None) -> tuple[int, str]: ...
    @property
    def server_did(self) -> str: ...
    @property
    def next_seq(self) -> int: ...
    @property
    def file(self) -> int: ...

@final
class LogVerifier:
    def __new__(cls, key: VerifyingKey) -> LogVerifier: ...
    def push(self, line: str) -> None: ...
    def finish(self, anchors: list[str]) -> str: ...

def evidence_hash(value: _JsonInput) -> str: ...
def evidence_file_name(prefix: str, index: int) -> str: ...
def evidence_file_index(prefix: str, name: str) -> int | None: ...

PRIVATE_KEY_PEM_ENV: str
PRIVATE_KEY_PATH_ENV: str
MAX_KEY_FILE_BYTES: int

@final
class KeyFile:
    """A key file to read, as the core's key-source rules named it."""

    @property
    def path(self) -> str: ...
    @property
    def named_by_env(self) -> bool: ...
    def decide(self, text: str | None, mode: int | None = None) -> tuple[SigningKey | None, list[str]]: ...
    def created_warning(self, key: VerifyingKey) -> str: ...

def key_plan(
    env_pem: str | None, env_path: str | None, path: str | None
) -> tuple[SigningKey | None, KeyFile | None, list[str]]: ...
def check_key_directory(dir: str, mode: int) -> str | None: ...
def verify_ai_identity_passport(token: str, registry_id: str, jwks: _JsonInput, now: _Now = None) -> str: ...
def find_ai_identity_passport(initialize_result: _JsonInput) -> str | None: ...
def verify_capiscio_badge(
    token: str, trust_store: TrustStore, audience: str | None = None, now: _Now = None
) -> str: ...
