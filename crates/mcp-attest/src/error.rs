//! The one error type of the crate and its stable codes.
//!
//! Every fallible function returns [`Error`]. Its [`ErrorCode`] is the machine-readable
//! part: a snake_case string that is the same in Rust, JavaScript and Python and never
//! changes meaning. The message is for humans, may change between releases, and never
//! contains secret material.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

macro_rules! codes {
    ($( #[doc = $doc:literal] $variant:ident => $code:literal, )*) => {
        /// A stable, machine-readable error code.
        ///
        /// The string form ([`ErrorCode::as_str`]) is a public contract shared with the
        /// JavaScript and Python packages: codes are never renamed or reused; new ones may
        /// be added, so match with a wildcard arm.
        ///
        /// ```
        /// use mcp_attest::ErrorCode;
        /// assert_eq!(ErrorCode::InvalidSignature.as_str(), "invalid_signature");
        /// assert_eq!(ErrorCode::from_code("weak_key"), Some(ErrorCode::WeakKey));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( #[doc = $doc] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order (for parity tests and `error_codes.json`).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable snake_case string of this code.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// The code whose string is `code`, if there is one.
            #[must_use]
            pub fn from_code(code: &str) -> Option<ErrorCode> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }

            /// The one-line meaning of the code, as written in `error_codes.json`.
            #[must_use]
            pub const fn description(self) -> &'static str {
                match self { $( ErrorCode::$variant => $doc.trim_ascii(), )* }
            }
        }
    };
}

codes! {
    /// Input is larger than the stated limit; refused before parsing.
    InputTooLarge => "input_too_large",
    /// Text is not valid base64url (RFC 4648 §5, unpadded, canonical trailing bits) or base64.
    InvalidBase64 => "invalid_base64",
    /// Text is not valid base58btc.
    InvalidBase58 => "invalid_base58",
    /// Text is not valid lowercase or uppercase hexadecimal.
    InvalidHex => "invalid_hex",
    /// A key has the wrong number of bytes.
    InvalidKeyLength => "invalid_key_length",
    /// A public key is not the canonical encoding of a curve point.
    InvalidKey => "invalid_key",
    /// A public key is a small-order point, under which forged signatures verify.
    WeakKey => "weak_key",
    /// Two things that must name the same key do not (seed and public half, JWK `x` and `d`, `cnf.jwk` and `sub`, a publisher attestation and the server).
    KeyMismatch => "key_mismatch",
    /// A key uses another algorithm, curve or multicodec than Ed25519.
    UnsupportedKeyType => "unsupported_key_type",
    /// PEM text is malformed or has an unexpected label.
    MalformedPem => "malformed_pem",
    /// DER (PKCS#8 or SubjectPublicKeyInfo) is malformed.
    MalformedDer => "malformed_der",
    /// A JWK is malformed (missing or wrongly typed members, a secret member in a public JWK).
    MalformedJwk => "malformed_jwk",
    /// A signature is not 64 bytes or not validly encoded.
    MalformedSignature => "malformed_signature",
    /// A signature does not verify (deliberately opaque about why).
    InvalidSignature => "invalid_signature",
    /// Text is not a syntactically valid DID.
    MalformedDid => "malformed_did",
    /// A DID of another method than did:key.
    UnsupportedDidMethod => "unsupported_did_method",
    /// A DID URL is malformed or its fragment names another key.
    InvalidDidUrl => "invalid_did_url",
    /// A DNS or registry record is malformed.
    MalformedRecord => "malformed_record",
    /// A well-formed record names another key than expected.
    RecordMismatch => "record_mismatch",
    /// Text is not valid JSON (RFC 8259).
    InvalidJson => "invalid_json",
    /// A JSON object repeats a member name.
    DuplicateKey => "duplicate_key",
    /// JSON text holds a lone surrogate or is not UTF-8.
    InvalidUnicode => "invalid_unicode",
    /// A JSON number is not finite, or an integer a double cannot hold exactly.
    NumberOutOfRange => "number_out_of_range",
    /// JSON nesting is deeper than the stated limit.
    JsonTooDeep => "json_too_deep",
    /// A tool definition is not an object or has wrongly typed fields.
    MalformedToolDefinition => "malformed_tool_definition",
    /// A tool's server-identity `_meta` attestation is malformed.
    MalformedAttestation => "malformed_attestation",
    /// A tool carries no signature.
    MissingSignature => "missing_signature",
    /// A signature names another key id than the verifying key's.
    KidMismatch => "kid_mismatch",
    /// A tools manifest is malformed.
    MalformedManifest => "malformed_manifest",
    /// A tools list does not match its manifest.
    ManifestMismatch => "manifest_mismatch",
    /// A policy requires a signed tools manifest and the `tools/list` result carries none.
    MissingManifest => "missing_manifest",
    /// A compact JWS or JWT is malformed.
    MalformedToken => "malformed_token",
    /// A JWS uses an algorithm other than EdDSA / Ed25519.
    UnsupportedAlgorithm => "unsupported_algorithm",
    /// A JWS carries `crit` or `b64` (RFC 7797), which this library does not understand.
    UnsupportedCritical => "unsupported_critical",
    /// A JWS `typ` header is not the expected one.
    WrongTokenType => "wrong_token_type",
    /// A required claim is absent.
    MissingClaim => "missing_claim",
    /// A claim has the wrong JSON type or an unrepresentable value.
    InvalidClaim => "invalid_claim",
    /// The token's `exp` has passed.
    TokenExpired => "token_expired",
    /// The token's `nbf` is in the future.
    TokenNotYetValid => "token_not_yet_valid",
    /// The token's `iat` is in the future.
    TokenIssuedInFuture => "token_issued_in_future",
    /// The token's validity (`exp` after `iat`, else `nbf`, else now) is longer than the verifier accepts.
    LifetimeTooLong => "lifetime_too_long",
    /// The token's `aud` does not name the expected audience.
    AudienceMismatch => "audience_mismatch",
    /// A token's issuer is not the expected one (a tools manifest not issued by the server key).
    IssuerMismatch => "issuer_mismatch",
    /// The token's subject is not the expected one.
    SubjectMismatch => "subject_mismatch",
    /// A timestamp is not an RFC 3339 date-time in the extended form.
    InvalidTimestamp => "invalid_timestamp",
    /// The token's issuer is not among the caller's trusted issuers.
    UntrustedIssuer => "untrusted_issuer",
    /// A revocation list names the key, DID or token.
    Revoked => "revoked",
    /// A pinned server identity now presents another key.
    PinnedKeyChanged => "pinned_key_changed",
    /// A trust store's JSON is malformed or of an unsupported version.
    MalformedTrustStore => "malformed_trust_store",
    /// A session policy option is missing, misspelt or of the wrong type (the caller's configuration, never the server).
    InvalidPolicy => "invalid_policy",
    /// The server implements no MCP identity at all: no passport and no `identity/get`.
    NoIdentity => "no_identity",
    /// The server sent no passport, and the policy requires one.
    MissingPassport => "missing_passport",
    /// The server answered a request with an error that names no contract code.
    ServerError => "server_error",
    /// A tool differs from the version accepted earlier; it stays refused until accepted again.
    ToolChanged => "tool_changed",
    /// The passport does not list the endpoint the client connected to.
    EndpointMismatch => "endpoint_mismatch",
    /// An MCP adapter was given an SDK object of a shape it does not support (the SDK line or version is named in the message).
    UnsupportedSdk => "unsupported_sdk",
    /// An identity attestation's `expiresAt` has passed.
    AttestationExpired => "attestation_expired",
    /// A malformed identity document, attestation or identity/challenge result.
    MalformedIdentity => "malformed_identity",
    /// identity/challenge params are malformed (JSON-RPC -32602).
    InvalidChallenge => "invalid_challenge",
    /// A challenge timestamp is over 5 minutes behind or over 60 s ahead of the server's clock (JSON-RPC -32001).
    StaleTimestamp => "stale_timestamp",
    /// A challenge nonce was already answered (JSON-RPC -32002).
    ReplayedNonce => "replayed_nonce",
    /// The replay cache is full of unexpired nonces; the challenge is refused, not answered.
    NonceCacheFull => "nonce_cache_full",
    /// One client holds its quota of the replay cache; only that client's challenge is refused (JSON-RPC -32029).
    ChallengeRateLimited => "challenge_rate_limited",
    /// An evidence-log line is not a well-formed, canonical evidence record (or breaks a record rule).
    MalformedEvidence => "malformed_evidence",
    /// An evidence-log record does not follow the one before it: a record was deleted, moved, repeated or edited.
    EvidenceChainBroken => "evidence_chain_broken",
    /// An evidence log ends before a checkpoint the verifier holds as an anchor: records were cut.
    EvidenceTruncated => "evidence_truncated",
    /// The caller's trust level is below what the tool requires; the tool did not run.
    InsufficientTrustLevel => "insufficient_trust_level",
    /// A caller proof was made for another request (method, tool, arguments) or disagrees with its other copy.
    CallerProofMismatch => "caller_proof_mismatch",
    /// A signer (a key held in a KMS, HSM or keychain behind a callback) failed, or returned a signature that does not verify under its own public key.
    SignerFailed => "signer_failed",
    /// A key was configured (an environment variable or a key file) but is not there; a new one is never generated in its place.
    KeyUnavailable => "key_unavailable",
    /// A key file's directory is writable by anyone without the sticky bit: anyone could replace the key.
    UnsafeDirectory => "unsafe_directory",
}

/// Every error this crate returns: a stable [`ErrorCode`] plus a human-readable message.
///
/// Messages never contain secret key material, whole tokens or claim values that came from
/// an untrusted peer beyond short, escaped excerpts.
///
/// ```
/// use mcp_attest::{ErrorCode, VerifyingKey};
/// let err = VerifyingKey::from_slice(&[0u8; 31]).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::InvalidKeyLength);
/// assert!(err.to_string().contains("32"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
}

impl Error {
    /// An error with a constant message.
    #[must_use]
    pub const fn new(code: ErrorCode, message: &'static str) -> Self {
        Error {
            code,
            message: Cow::Borrowed(message),
        }
    }

    /// An error with a message built at run time.
    #[must_use]
    pub fn with_message(code: ErrorCode, message: String) -> Self {
        Error {
            code,
            message: Cow::Owned(message),
        }
    }

    /// The stable code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (not part of the compatibility contract).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The one error every failed signature check collapses to.
    pub(crate) const fn invalid_signature() -> Self {
        Error::new(ErrorCode::InvalidSignature, "signature verification failed")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.code.as_str(), self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Error {}

/// A short, escaped excerpt of untrusted text for an error message: at most 64 characters,
/// control characters and quotes escaped, so a message can't be used to smuggle a whole
/// token or terminal escapes into a log.
pub(crate) fn excerpt(text: &str) -> String {
    use core::fmt::Write;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 64 {
            out.push('…');
            break;
        }
        let _ = write!(out, "{}", c.escape_debug());
    }
    out
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Builds an [`Error`] with a formatted message: `err!(InvalidJson, "at byte {}", n)`.
macro_rules! err {
    // A constant message stays borrowed; a literal with inline captures (`"{name} …"`) is
    // formatted, as `format!` would. (This arm once passed every literal through as is, so
    // such messages printed their placeholders.)
    ($code:ident, $msg:literal) => {
        match format_args!($msg).as_str() {
            Some(s) => $crate::error::Error::new($crate::error::ErrorCode::$code, s),
            None => $crate::error::Error::with_message(
                $crate::error::ErrorCode::$code,
                alloc::format!($msg),
            ),
        }
    };
    ($code:ident, $fmt:literal, $($arg:tt)+) => {
        $crate::error::Error::with_message(
            $crate::error::ErrorCode::$code,
            alloc::format!($fmt, $($arg)+),
        )
    };
}
pub(crate) use err;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn err_formats_inline_captures_and_keeps_constant_messages() {
        let name = "seq";
        let e = err!(MalformedEvidence, "member {name:?} is missing");
        assert_eq!(e.message(), "member \"seq\" is missing");
        let e = err!(MalformedEvidence, "a constant message");
        assert_eq!(e.message(), "a constant message");
        let e = err!(MalformedEvidence, "{} and {name}", 1);
        assert_eq!(e.message(), "1 and seq");
    }

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = alloc::collections::BTreeSet::new();
        for &c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s}"
            );
            assert_eq!(ErrorCode::from_code(s), Some(c));
            assert!(!c.description().is_empty());
        }
        assert_eq!(ErrorCode::from_code("no_such_code"), None);
    }
}
