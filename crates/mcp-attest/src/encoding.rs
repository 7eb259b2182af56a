//! Strict text encodings of bytes: base64url, base64, base58btc and hex.
//!
//! Thin wrappers over vetted encoders (`base64ct`, `bs58`, `base16ct`) that map their errors
//! to our codes. Decoders are strict: base64url must be unpadded with canonical trailing bits
//! (RFC 4648 §3.5), so every byte string has exactly one accepted spelling — otherwise a
//! signature or key id could be re-spelled without changing what it decodes to.
//!
//! ```
//! use mcp_attest::encoding;
//! let text = encoding::base64url_encode(b"hi");
//! assert_eq!(text, "aGk");
//! assert_eq!(encoding::base64url_decode(&text).unwrap(), b"hi");
//! assert!(encoding::base64url_decode("aGl").is_err()); // non-canonical trailing bits
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};

use crate::error::{err, Result};

/// Unpadded base64url (RFC 4648 §5), as JOSE uses it.
#[must_use]
pub fn base64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url; padding, whitespace, the `+/` alphabet and non-canonical
/// trailing bits are errors.
///
/// # Errors
/// `invalid_base64`.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text)
        .map_err(|_| err!(InvalidBase64, "not canonical unpadded base64url"))
}

/// Decodes unpadded base64url into exactly `N` bytes.
///
/// # Errors
/// `invalid_base64`, or `what_len` (the caller's code) when the length differs.
pub(crate) fn base64url_decode_array<const N: usize>(text: &str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    // Decoding into a fixed buffer first rejects oversized input without allocating.
    let decoded = Base64UrlUnpadded::decode(text, &mut out).map_err(|_| {
        err!(
            InvalidBase64,
            "not canonical unpadded base64url of {} bytes",
            N
        )
    })?;
    if decoded.len() != N {
        return Err(err!(
            InvalidBase64,
            "expected {} bytes of base64url, got {}",
            N,
            decoded.len()
        ));
    }
    Ok(out)
}

/// Standard padded base64 (RFC 4648 §4), as the MCP Registry proof record uses it.
#[must_use]
pub fn base64_encode(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Decodes standard padded base64 with canonical trailing bits.
///
/// # Errors
/// `invalid_base64`.
pub fn base64_decode(text: &str) -> Result<Vec<u8>> {
    Base64::decode_vec(text).map_err(|_| err!(InvalidBase64, "not canonical padded base64"))
}

/// base58btc (the Bitcoin alphabet), without a multibase prefix.
#[must_use]
pub fn base58_encode(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}

/// Decodes base58btc; characters outside the alphabet (including `0OIl`, whitespace and
/// non-ASCII) are errors.
///
/// # Errors
/// `invalid_base58`.
pub fn base58_decode(text: &str) -> Result<Vec<u8>> {
    bs58::decode(text)
        .into_vec()
        .map_err(|_| err!(InvalidBase58, "not valid base58btc"))
}

/// Multibase base58btc: `z` followed by base58btc.
///
/// ```
/// assert_eq!(mcp_attest::encoding::multibase_encode(b"Hello World!"), "z2NEpo7TZRRrLZSi2U");
/// ```
#[must_use]
pub fn multibase_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(1 + bytes.len() * 138 / 100 + 1);
    s.push('z');
    s.push_str(&base58_encode(bytes));
    s
}

/// Decodes a multibase base58btc string. Only the `z` prefix is accepted: this library uses
/// no other multibase encoding, and accepting several spellings of one key would make
/// identifiers malleable.
///
/// # Errors
/// `invalid_base58` (also for a missing or other multibase prefix).
pub fn multibase_decode(text: &str) -> Result<Vec<u8>> {
    match text.strip_prefix('z') {
        Some(rest) => base58_decode(rest),
        None => Err(err!(
            InvalidBase58,
            "multibase value must start with 'z' (base58btc)"
        )),
    }
}

/// Lowercase hexadecimal.
#[must_use]
pub fn hex_encode(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Decodes hexadecimal (upper, lower or mixed case).
///
/// # Errors
/// `invalid_hex`.
pub fn hex_decode(text: &str) -> Result<Vec<u8>> {
    base16ct::mixed::decode_vec(text).map_err(|_| err!(InvalidHex, "not valid hexadecimal"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn base64url_rejects_padding_and_other_alphabet() {
        assert_eq!(
            base64url_decode("aGk=").unwrap_err().code(),
            ErrorCode::InvalidBase64
        );
        assert_eq!(
            base64url_decode("a+k").unwrap_err().code(),
            ErrorCode::InvalidBase64
        );
        assert_eq!(
            base64url_decode("aG k").unwrap_err().code(),
            ErrorCode::InvalidBase64
        );
        assert_eq!(base64url_decode("").unwrap(), b"");
    }

    #[test]
    fn base64url_array_checks_length() {
        assert!(base64url_decode_array::<2>("aGk").is_ok());
        assert_eq!(
            base64url_decode_array::<3>("aGk").unwrap_err().code(),
            ErrorCode::InvalidBase64
        );
        assert_eq!(
            base64url_decode_array::<1>("aGk").unwrap_err().code(),
            ErrorCode::InvalidBase64
        );
    }

    #[test]
    fn base64_standard_round_trip_and_strict() {
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64_decode("+/8=").unwrap(), [0xfb, 0xff]);
        assert!(base64_decode("+/8").is_err());
        assert!(base64_decode("+/9=").is_err());
    }

    #[test]
    fn multibase_requires_z() {
        assert_eq!(
            multibase_decode("z2NEpo7TZRRrLZSi2U").unwrap(),
            b"Hello World!"
        );
        assert_eq!(
            multibase_decode("Z2NEpo").unwrap_err().code(),
            ErrorCode::InvalidBase58
        );
        assert_eq!(
            multibase_decode("z0").unwrap_err().code(),
            ErrorCode::InvalidBase58
        );
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex_encode(&[0xde, 0xad]), "dead");
        assert_eq!(hex_decode("DEAD").unwrap(), [0xde, 0xad]);
        assert_eq!(hex_decode("dea").unwrap_err().code(), ErrorCode::InvalidHex);
        assert_eq!(hex_decode("zz").unwrap_err().code(), ErrorCode::InvalidHex);
    }
}
