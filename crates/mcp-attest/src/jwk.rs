//! JSON Web Keys for Ed25519 (RFC 8037 `OKP` keys).
//!
//! Import is strict: `kty` must be `OKP` and `crv` `Ed25519`; `x` (and `d` for a secret key)
//! must be canonical unpadded base64url of exactly 32 bytes; a public JWK must not carry `d`;
//! `alg`, when present, must be `EdDSA` or `Ed25519`; `use`, when present, must be `sig`. A
//! secret JWK's `x` must match the key derived from `d`. Other members (`kid`, `key_ops`, …)
//! are ignored. Export writes the members in RFC 8785 order.
//!
//! ```
//! use mcp_attest::{SigningKey, VerifyingKey};
//! let sk = SigningKey::from_bytes(&[7u8; 32]);
//! let jwk = sk.verifying_key().to_jwk();
//! assert!(jwk.starts_with(r#"{"crv":"Ed25519","kty":"OKP","x":"#));
//! assert_eq!(VerifyingKey::from_jwk(&jwk).unwrap(), sk.verifying_key());
//! let secret = sk.to_jwk();
//! assert_eq!(SigningKey::from_jwk(&secret).unwrap().verifying_key(), sk.verifying_key());
//! ```

use alloc::string::String;
use zeroize::Zeroizing;

use crate::encoding;
use crate::error::{err, excerpt, Result};
use crate::json::{self, Limits, Object, Value};
use crate::keys::{SigningKey, VerifyingKey};

/// Largest JWK text accepted.
pub(crate) const MAX_JWK_LENGTH: usize = 4096;

impl VerifyingKey {
    /// A public key from a JWK in JSON text.
    ///
    /// # Errors
    /// `input_too_large`, JSON errors, `malformed_jwk`, `unsupported_key_type`,
    /// `unsupported_algorithm`, `invalid_key_length`, `invalid_key`, `weak_key`.
    pub fn from_jwk(text: &str) -> Result<VerifyingKey> {
        VerifyingKey::from_jwk_value(&parse_jwk(text)?)
    }

    /// A public key from a JWK already parsed as JSON.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_jwk`].
    pub fn from_jwk_value(jwk: &Value) -> Result<VerifyingKey> {
        let o = check_okp(jwk)?;
        if o.get("d").is_some() {
            return Err(err!(
                MalformedJwk,
                "a public JWK must not contain the secret member d"
            ));
        }
        public_from(o)
    }

    /// The public JWK `{"crv":"Ed25519","kty":"OKP","x":…}` as compact JSON.
    #[must_use]
    pub fn to_jwk(&self) -> String {
        self.to_jwk_value(None).to_jcs()
    }

    /// The public JWK as a JSON value, with a `kid` member when one is given.
    #[must_use]
    pub fn to_jwk_value(&self, kid: Option<&str>) -> Value {
        let mut o = Object::new();
        o.insert("kty", Value::from("OKP"));
        o.insert("crv", Value::from("Ed25519"));
        o.insert(
            "x",
            Value::from(encoding::base64url_encode(self.as_bytes())),
        );
        if let Some(kid) = kid {
            o.insert("kid", Value::from(kid));
        }
        Value::Object(o)
    }
}

impl SigningKey {
    /// A secret key from a JWK with `d` (the seed) in JSON text.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_jwk`], plus `key_mismatch` when `x` is not the key of `d`.
    pub fn from_jwk(text: &str) -> Result<SigningKey> {
        let mut value = parse_jwk(text)?;
        check_okp(&value)?;
        // Take d out of the parsed value so its copy of the secret is wiped, not just freed.
        let d = match &mut value {
            Value::Object(o) => o.remove("d"),
            _ => None,
        };
        let d = match d {
            Some(Value::String(d)) => Zeroizing::new(d),
            Some(_) => return Err(err!(MalformedJwk, "JWK member d must be a string")),
            None => {
                return Err(err!(
                    MalformedJwk,
                    "a secret JWK has a d member (the 32-byte seed)"
                ))
            }
        };
        let seed = Zeroizing::new(encoding::base64url_decode_array::<32>(&d).map_err(|_| {
            err!(
                InvalidKeyLength,
                "JWK d must be 32 bytes of unpadded base64url"
            )
        })?);
        let key = SigningKey::from_bytes(&seed);
        let public = public_from(check_okp(&value)?)?;
        if public != key.verifying_key() {
            return Err(err!(KeyMismatch, "JWK x is not the public key of d"));
        }
        Ok(key)
    }

    /// The secret JWK (`crv`, `d`, `kty`, `x`) as compact JSON. Handle with care.
    #[must_use]
    pub fn to_jwk(&self) -> Zeroizing<String> {
        let d = Zeroizing::new(encoding::base64url_encode(self.to_bytes().as_ref()));
        let x = encoding::base64url_encode(self.verifying_key().as_bytes());
        // Written by hand into one buffer reserved up front (members in RFC 8785 order), so
        // no reallocation or intermediate JSON value leaves a copy of `d` behind.
        let mut out = Zeroizing::new(String::with_capacity(128));
        out.push_str(r#"{"crv":"Ed25519","d":""#);
        out.push_str(&d);
        out.push_str(r#"","kty":"OKP","x":""#);
        out.push_str(&x);
        out.push_str(r#""}"#);
        out
    }
}

fn parse_jwk(text: &str) -> Result<Value> {
    json::parse_with_limits(
        text,
        Limits {
            max_bytes: MAX_JWK_LENGTH,
            max_depth: 8,
        },
    )
}

fn check_okp(jwk: &Value) -> Result<&Object> {
    let o = jwk
        .as_object()
        .ok_or_else(|| err!(MalformedJwk, "a JWK is a JSON object"))?;
    match o.get("kty") {
        Some(Value::String(k)) if k == "OKP" => {}
        Some(Value::String(k)) => {
            return Err(err!(
                UnsupportedKeyType,
                "JWK kty is {:?}; only OKP (Ed25519) keys are supported",
                excerpt(k)
            ))
        }
        Some(_) => return Err(err!(MalformedJwk, "JWK kty must be a string")),
        None => return Err(err!(MalformedJwk, "JWK has no kty")),
    }
    match o.get("crv") {
        Some(Value::String(c)) if c == "Ed25519" => {}
        Some(Value::String(c)) => {
            return Err(err!(
                UnsupportedKeyType,
                "JWK crv is {:?}; only Ed25519 is supported",
                excerpt(c)
            ))
        }
        Some(_) => return Err(err!(MalformedJwk, "JWK crv must be a string")),
        None => return Err(err!(MalformedJwk, "JWK has no crv")),
    }
    match o.get("alg") {
        None => {}
        Some(Value::String(a)) if a == "EdDSA" || a == "Ed25519" => {}
        Some(Value::String(a)) => {
            return Err(err!(
                UnsupportedAlgorithm,
                "JWK alg is {:?}; expected EdDSA or Ed25519",
                excerpt(a)
            ))
        }
        Some(_) => return Err(err!(MalformedJwk, "JWK alg must be a string")),
    }
    match o.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(_) => {
            return Err(err!(
                MalformedJwk,
                "JWK use must be \"sig\" for an Ed25519 signing key"
            ))
        }
    }
    Ok(o)
}

fn public_from(o: &Object) -> Result<VerifyingKey> {
    let x = match o.get("x") {
        Some(Value::String(x)) => x,
        Some(_) => return Err(err!(MalformedJwk, "JWK x must be a string")),
        None => return Err(err!(MalformedJwk, "JWK has no x")),
    };
    let bytes = encoding::base64url_decode(x)
        .map_err(|_| err!(MalformedJwk, "JWK x is not canonical unpadded base64url"))?;
    VerifyingKey::from_slice(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn rfc8037_a1_a2_keys() {
        let private = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let sk = SigningKey::from_jwk(private).unwrap();
        assert_eq!(
            sk.verifying_key().jwk_thumbprint(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        assert_eq!(
            json::parse(&sk.to_jwk()).unwrap().to_jcs(),
            json::parse(private).unwrap().to_jcs(),
            "export must carry exactly the RFC 8037 members"
        );
    }

    #[test]
    fn jwk_errors_are_specific() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let cases = [
            (
                alloc::format!(r#"{{"kty":"EC","crv":"Ed25519","x":"{x}"}}"#),
                ErrorCode::UnsupportedKeyType,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x}"}}"#),
                ErrorCode::UnsupportedKeyType,
            ),
            (
                String::from(r#"{"kty":"OKP","crv":"Ed25519"}"#),
                ErrorCode::MalformedJwk,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}=" }}"#),
                ErrorCode::MalformedJwk,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, &x[..40]),
                ErrorCode::InvalidKeyLength,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","alg":"ES256"}}"#),
                ErrorCode::UnsupportedAlgorithm,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","use":"enc"}}"#),
                ErrorCode::MalformedJwk,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}"#),
                ErrorCode::MalformedJwk,
            ),
            (
                alloc::format!(r#"{{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"{x}"}}"#),
                ErrorCode::DuplicateKey,
            ),
            (String::from("[]"), ErrorCode::MalformedJwk),
        ];
        for (text, code) in cases {
            assert_eq!(
                VerifyingKey::from_jwk(&text).unwrap_err().code(),
                code,
                "{text}"
            );
        }
        let mismatched = alloc::format!(
            r#"{{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"{}"}}"#,
            SigningKey::from_bytes(&[3; 32])
                .verifying_key()
                .to_jwk()
                .split('"')
                .nth(11)
                .unwrap()
        );
        assert_eq!(
            SigningKey::from_jwk(&mismatched).unwrap_err().code(),
            ErrorCode::KeyMismatch
        );
    }
}
