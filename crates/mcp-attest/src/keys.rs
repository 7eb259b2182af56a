//! Ed25519 keys and signatures, and every format they are imported from or exported to.
//!
//! Names follow ed25519-dalek: [`SigningKey`] (the secret 32-byte seed), [`VerifyingKey`]
//! (the public key) and [`Signature`]. Verification always has `verify_strict` semantics:
//! small-order public keys are refused at import, signatures with a non-canonical `S`, a
//! small-order `R` or a non-canonical encoding are rejected. This is stricter than
//! RFC 8032 requires and than most platform libraries (OpenSSL, WebCrypto, pyca) are, which
//! is exactly why every binding verifies through this code and never through the platform.
//!
//! ```
//! use mcp_attest::{SigningKey, VerifyingKey};
//! let sk = SigningKey::from_bytes(&[7u8; 32]);
//! let vk = sk.verifying_key();
//! let sig = sk.sign(b"hello");
//! assert!(vk.verify(b"hello", &sig).is_ok());
//! assert!(vk.verify(b"hellO", &sig).is_err());
//! let again = VerifyingKey::from_multibase(&vk.to_multibase()).unwrap();
//! assert_eq!(again, vk);
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::encoding;
use crate::error::{err, Error, ErrorCode, Result};

/// Length of a secret seed in bytes.
pub const SEED_LENGTH: usize = 32;
/// Length of a public key in bytes.
pub const PUBLIC_KEY_LENGTH: usize = 32;
/// Length of a signature in bytes.
pub const SIGNATURE_LENGTH: usize = 64;
/// The multicodec prefix of an Ed25519 public key (`ed25519-pub`, 0xed as a varint).
pub const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// Largest PEM or DER input accepted for a key; real keys are under 200 bytes.
const MAX_KEY_TEXT: usize = 4096;

/// A secret Ed25519 key (the 32-byte seed). Zeroized on drop; `Debug` shows only the
/// public key.
///
/// ```
/// use mcp_attest::SigningKey;
/// let sk = SigningKey::from_bytes(&[1u8; 32]);
/// let printed = format!("{sk:?}");
/// assert!(printed.starts_with("SigningKey"));
/// assert!(!printed.contains("0101"));
/// ```
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
    public: VerifyingKey,
}

/// A validated Ed25519 public key: canonically encoded and not of small order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyingKey {
    inner: ed25519_dalek::VerifyingKey,
}

/// A 64-byte Ed25519 signature (`R ‖ S`). Its scalar and point are checked when verified.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; SIGNATURE_LENGTH]);

impl SigningKey {
    /// A key from its 32-byte seed.
    #[must_use]
    pub fn from_bytes(seed: &[u8; SEED_LENGTH]) -> SigningKey {
        let inner = ed25519_dalek::SigningKey::from_bytes(seed);
        let public = VerifyingKey {
            inner: inner.verifying_key(),
        };
        SigningKey { inner, public }
    }

    /// A key from a 32-byte seed or a 64-byte `seed ‖ public` (the NaCl / libsodium / Go
    /// layout). The public half must equal the key derived from the seed: signing with a
    /// mismatched stored public key leaks the secret scalar.
    ///
    /// # Errors
    /// `invalid_key_length`, `key_mismatch`.
    pub fn from_slice(bytes: &[u8]) -> Result<SigningKey> {
        if let Ok(seed) = <&[u8; SEED_LENGTH]>::try_from(bytes) {
            return Ok(SigningKey::from_bytes(seed));
        }
        if let Ok(pair) = <&[u8; 64]>::try_from(bytes) {
            return SigningKey::from_keypair_bytes(pair);
        }
        Err(err!(
            InvalidKeyLength,
            "an Ed25519 secret key is a 32-byte seed or 64-byte seed and public key, got {} bytes",
            bytes.len()
        ))
    }

    /// A key from 64 bytes `seed ‖ public`, checking that the public half matches.
    ///
    /// # Errors
    /// `key_mismatch`.
    pub fn from_keypair_bytes(pair: &[u8; 64]) -> Result<SigningKey> {
        let (seed, public) = pair.split_at(SEED_LENGTH);
        let seed = Zeroizing::new(
            <[u8; SEED_LENGTH]>::try_from(seed)
                .map_err(|_| err!(InvalidKeyLength, "seed must be 32 bytes"))?,
        );
        let key = SigningKey::from_bytes(&seed);
        // Compared in constant time: the public half is not secret, but a timing difference
        // on a key-import path is never worth having to argue about.
        if !ct_eq(key.public.as_bytes(), public) {
            return Err(err!(
                KeyMismatch,
                "the public half of the 64-byte key does not match the key derived from the seed"
            ));
        }
        Ok(key)
    }

    /// A fresh key from the operating system's random number generator.
    ///
    /// # Errors
    /// Never on supported platforms; `invalid_key` if the OS RNG is unavailable.
    #[cfg(feature = "getrandom")]
    pub fn generate() -> Result<SigningKey> {
        let mut seed = Zeroizing::new([0u8; SEED_LENGTH]);
        getrandom::getrandom(seed.as_mut()).map_err(|_| {
            err!(
                InvalidKey,
                "the operating system's random number generator failed"
            )
        })?;
        Ok(SigningKey::from_bytes(&seed))
    }

    /// The 32-byte seed. Handle with care: it is the whole secret.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; SEED_LENGTH]> {
        Zeroizing::new(self.inner.to_bytes())
    }

    /// `seed ‖ public`, the 64-byte layout of NaCl, libsodium and Go.
    #[must_use]
    pub fn to_keypair_bytes(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.inner.to_keypair_bytes())
    }

    /// The public key.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public
    }

    /// Signs `message` (pure Ed25519, RFC 8032; deterministic).
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.inner.sign(message).to_bytes())
    }

    /// A key from PKCS#8 DER, version 1 (seed only) or 2 (seed and public key, which must
    /// match).
    ///
    /// # Errors
    /// `input_too_large`, `malformed_der`, `unsupported_key_type`, `key_mismatch`.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey> {
        check_size(der.len())?;
        let pair = ed25519_dalek::pkcs8::KeypairBytes::from_pkcs8_der(der).map_err(pkcs8_error)?;
        let key = SigningKey::from_bytes(&pair.secret_key);
        if let Some(public) = pair.public_key {
            if !ct_eq(key.public.as_bytes(), public.as_ref()) {
                return Err(err!(
                    KeyMismatch,
                    "the PKCS#8 public key does not match the seed"
                ));
            }
        }
        Ok(key)
    }

    /// A key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Also accepts the forms PEM
    /// takes in environment variables and `.env` files: surrounding whitespace or quotes, and
    /// literal `\n` sequences in place of line breaks.
    ///
    /// # Errors
    /// `input_too_large`, `malformed_pem`, `malformed_der`, `unsupported_key_type`,
    /// `key_mismatch`.
    pub fn from_pkcs8_pem(pem: &str) -> Result<SigningKey> {
        check_size(pem.len())?;
        let text = normalize_pem(pem);
        let (label, der) = decode_pem(&text)?;
        if label != "PRIVATE KEY" {
            return Err(err!(
                MalformedPem,
                "expected a PEM labelled PRIVATE KEY (PKCS#8), found {:?}",
                truncate(&label, 40)
            ));
        }
        SigningKey::from_pkcs8_der(&der)
    }

    /// PKCS#8 v1 DER (seed only): what `openssl genpkey -algorithm ed25519` writes.
    ///
    /// # Errors
    /// Never in practice (`malformed_der` if encoding fails).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let pair = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.inner.to_bytes(),
            public_key: None,
        };
        let doc = pair
            .to_pkcs8_der()
            .map_err(|_| err!(MalformedDer, "PKCS#8 encoding failed"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// PKCS#8 v2 DER (RFC 5958 OneAsymmetricKey, seed and public key).
    ///
    /// # Errors
    /// Never in practice (`malformed_der` if encoding fails).
    pub fn to_pkcs8_der_v2(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self
            .inner
            .to_pkcs8_der()
            .map_err(|_| err!(MalformedDer, "PKCS#8 encoding failed"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// PKCS#8 v1 PEM (`-----BEGIN PRIVATE KEY-----`, LF line endings).
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        Ok(Zeroizing::new(encode_pem(
            "PRIVATE KEY",
            &self.to_pkcs8_der()?,
        )))
    }

    /// PKCS#8 v2 PEM.
    ///
    /// # Errors
    /// Never in practice.
    pub fn to_pkcs8_pem_v2(&self) -> Result<Zeroizing<String>> {
        Ok(Zeroizing::new(encode_pem(
            "PRIVATE KEY",
            &self.to_pkcs8_der_v2()?,
        )))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the public half: a secret must never reach logs through `{:?}`.
        f.debug_struct("SigningKey")
            .field("verifying_key", &self.public)
            .finish_non_exhaustive()
    }
}

impl TryFrom<&[u8]> for SigningKey {
    type Error = Error;
    fn try_from(bytes: &[u8]) -> Result<SigningKey> {
        SigningKey::from_slice(bytes)
    }
}

impl VerifyingKey {
    /// A public key from its 32-byte encoding, refusing non-canonical encodings, points not
    /// on the curve and small-order points (under which forged signatures verify).
    ///
    /// # Errors
    /// `invalid_key`, `weak_key`.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LENGTH]) -> Result<VerifyingKey> {
        // Canonical encoding is checked on the bytes, before the (costly) decompression, and
        // the point is decompressed once: key import is on the passport path, where its cost
        // shows next to a single signature check.
        if !is_canonical_encoding(bytes) {
            return Err(err!(
                InvalidKey,
                "the public key is not canonically encoded"
            ));
        }
        let inner = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| err!(InvalidKey, "the public key is not a point on Ed25519"))?;
        if inner.is_weak() {
            return Err(err!(WeakKey, "the public key is a small-order point"));
        }
        Ok(VerifyingKey { inner })
    }

    /// A public key from a byte slice that must be exactly 32 bytes.
    ///
    /// # Errors
    /// `invalid_key_length`, `invalid_key`, `weak_key`.
    pub fn from_slice(bytes: &[u8]) -> Result<VerifyingKey> {
        let arr = <&[u8; PUBLIC_KEY_LENGTH]>::try_from(bytes).map_err(|_| {
            err!(
                InvalidKeyLength,
                "an Ed25519 public key is 32 bytes, got {}",
                bytes.len()
            )
        })?;
        VerifyingKey::from_bytes(arr)
    }

    /// The 32-byte encoding.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LENGTH] {
        self.inner.to_bytes()
    }

    /// The 32-byte encoding, borrowed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LENGTH] {
        self.inner.as_bytes()
    }

    /// Verifies `signature` over `message` with strict semantics (see the module docs).
    ///
    /// # Errors
    /// `invalid_signature`, whatever the reason: telling a forger which check failed helps
    /// nobody else.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<()> {
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.inner
            .verify_strict(message, &sig)
            .map_err(|_| Error::invalid_signature())
    }

    /// Verifies a signature given as bytes; a wrong length is `invalid_signature` too, so
    /// that callers treating "cannot parse" and "does not verify" alike need no second arm.
    ///
    /// # Errors
    /// `invalid_signature`.
    pub fn verify_slice(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let sig = Signature::from_slice(signature).map_err(|_| Error::invalid_signature())?;
        self.verify(message, &sig)
    }

    /// A public key from SubjectPublicKeyInfo DER (RFC 8410).
    ///
    /// # Errors
    /// `input_too_large`, `malformed_der`, `unsupported_key_type`, `invalid_key`, `weak_key`.
    pub fn from_spki_der(der: &[u8]) -> Result<VerifyingKey> {
        check_size(der.len())?;
        let pk =
            ed25519_dalek::pkcs8::PublicKeyBytes::from_public_key_der(der).map_err(spki_error)?;
        VerifyingKey::from_bytes(&pk.0)
    }

    /// A public key from a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), with the
    /// same environment-variable leniency as [`SigningKey::from_pkcs8_pem`].
    ///
    /// # Errors
    /// As [`VerifyingKey::from_spki_der`], plus `malformed_pem`.
    pub fn from_spki_pem(pem: &str) -> Result<VerifyingKey> {
        check_size(pem.len())?;
        let text = normalize_pem(pem);
        let (label, der) = decode_pem(&text)?;
        if label != "PUBLIC KEY" {
            return Err(err!(
                MalformedPem,
                "expected a PEM labelled PUBLIC KEY (SubjectPublicKeyInfo), found {:?}",
                truncate(&label, 40)
            ));
        }
        VerifyingKey::from_spki_der(&der)
    }

    /// SubjectPublicKeyInfo DER (44 bytes).
    #[must_use]
    pub fn to_spki_der(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(44);
        out.extend_from_slice(&SPKI_PREFIX);
        out.extend_from_slice(self.as_bytes());
        out
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`, LF line endings).
    #[must_use]
    pub fn to_spki_pem(&self) -> String {
        encode_pem("PUBLIC KEY", &self.to_spki_der())
    }

    /// The multibase form `z6Mk…`: base58btc of the `ed25519-pub` multicodec and the key.
    #[must_use]
    pub fn to_multibase(&self) -> String {
        let mut bytes = [0u8; 34];
        bytes[..2].copy_from_slice(&ED25519_PUB_MULTICODEC);
        bytes[2..].copy_from_slice(self.as_bytes());
        encoding::multibase_encode(&bytes)
    }

    /// A public key from its multibase form `z6Mk…`.
    ///
    /// # Errors
    /// `invalid_base58`, `unsupported_key_type` (another multicodec), `malformed_did` (no or
    /// a non-minimal multicodec varint), `invalid_key_length`, `invalid_key`, `weak_key`.
    pub fn from_multibase(text: &str) -> Result<VerifyingKey> {
        // 34 bytes of base58 is at most 47 characters; refuse long input before decoding,
        // since base58 decoding is quadratic.
        if text.len() > 128 {
            return Err(err!(
                InvalidKeyLength,
                "multibase key is {} characters, far too long",
                text.len()
            ));
        }
        let bytes = encoding::multibase_decode(text)?;
        let key = strip_multicodec(&bytes)?;
        VerifyingKey::from_slice(key)
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256 of `{"crv":"Ed25519","kty":"OKP","x":…}`).
    ///
    /// ```
    /// use mcp_attest::VerifyingKey;
    /// # let pk = mcp_attest::encoding::hex_decode(
    /// #     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    /// let vk = VerifyingKey::from_slice(&pk).unwrap();
    /// assert_eq!(vk.jwk_thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// ```
    #[must_use]
    pub fn jwk_thumbprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(br#"{"crv":"Ed25519","kty":"OKP","x":""#);
        h.update(encoding::base64url_encode(self.as_bytes()).as_bytes());
        h.update(br#""}"#);
        encoding::base64url_encode(&h.finalize())
    }

    /// The ext-auth key id: base64url(SHA-256(raw key)\[..16\]), 22 characters.
    ///
    /// ```
    /// # use mcp_attest::VerifyingKey;
    /// # let pk = mcp_attest::encoding::hex_decode(
    /// #     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    /// let vk = VerifyingKey::from_slice(&pk).unwrap();
    /// assert_eq!(vk.kid(), "If4x36FUomFia_hUBG_SJw");
    /// ```
    #[must_use]
    pub fn kid(&self) -> String {
        let digest = Sha256::digest(self.as_bytes());
        encoding::base64url_encode(digest.get(..16).unwrap_or(&[]))
    }

    /// The ext-auth DNS fingerprint: base64url(SHA-256(raw key)), 43 characters.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        encoding::base64url_encode(&Sha256::digest(self.as_bytes()))
    }

    /// The X25519 public key (RFC 7748 birational map) for did:key key agreement.
    #[must_use]
    pub fn to_x25519(&self) -> [u8; 32] {
        self.inner.to_montgomery().to_bytes()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", self.to_multibase())
    }
}

impl TryFrom<&[u8]> for VerifyingKey {
    type Error = Error;
    fn try_from(bytes: &[u8]) -> Result<VerifyingKey> {
        VerifyingKey::from_slice(bytes)
    }
}

impl Signature {
    /// A signature from its 64 bytes (checked when verified, not here).
    #[must_use]
    pub const fn from_bytes(bytes: &[u8; SIGNATURE_LENGTH]) -> Signature {
        Signature(*bytes)
    }

    /// A signature from a slice that must be exactly 64 bytes.
    ///
    /// # Errors
    /// `malformed_signature`.
    pub fn from_slice(bytes: &[u8]) -> Result<Signature> {
        <[u8; SIGNATURE_LENGTH]>::try_from(bytes)
            .map(Signature)
            .map_err(|_| {
                err!(
                    MalformedSignature,
                    "an Ed25519 signature is 64 bytes, got {}",
                    bytes.len()
                )
            })
    }

    /// A signature from unpadded base64url (as in JWS and the ext-auth `_meta`).
    ///
    /// # Errors
    /// `malformed_signature`.
    pub fn from_base64url(text: &str) -> Result<Signature> {
        encoding::base64url_decode_array::<SIGNATURE_LENGTH>(text)
            .map(Signature)
            .map_err(|_| {
                err!(
                    MalformedSignature,
                    "a signature must be 64 bytes of canonical base64url"
                )
            })
    }

    /// The 64 bytes.
    #[must_use]
    pub const fn to_bytes(&self) -> [u8; SIGNATURE_LENGTH] {
        self.0
    }

    /// Unpadded base64url.
    #[must_use]
    pub fn to_base64url(&self) -> String {
        encoding::base64url_encode(&self.0)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", encoding::hex_encode(&self.0))
    }
}

/// Whether `bytes` is the canonical encoding of a y-coordinate and sign: y < p = 2^255 − 19,
/// and no sign bit on the two points whose x is 0 (y = 1 and y = p − 1), whose "negative" x
/// would be a second spelling of the same point.
fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    let sign = y[31] & 0x80 != 0;
    y[31] &= 0x7f;
    // p − 1 and p in little-endian: 0xec/0xed, then 30 × 0xff, then 0x7f.
    let high_all_ones = y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f;
    let y_at_least_p = high_all_ones && y[0] >= 0xed;
    let y_is_p_minus_1 = high_all_ones && y[0] == 0xec;
    let y_is_1 = y[0] == 1 && y[1..].iter().all(|&b| b == 0);
    !(y_at_least_p || (sign && (y_is_1 || y_is_p_minus_1)))
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID
/// 1.3.101.112 }, BIT STRING (33 bytes, 0 unused bits) … }.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Returns the key bytes after a minimal `ed25519-pub` multicodec varint.
pub(crate) fn strip_multicodec(bytes: &[u8]) -> Result<&[u8]> {
    let (code, rest) = read_varint(bytes)?;
    if code != 0xed {
        let name = match code {
            0xec => "x25519-pub",
            0xe7 => "secp256k1-pub",
            0x1200 => "p256-pub",
            0x1201 => "p384-pub",
            0x1300 => "ed25519-priv",
            _ => {
                return Err(err!(
                    MalformedDid,
                    "no known key multicodec (found 0x{:x}); a did:key value is 0xed01 followed by the key",
                    code
                ))
            }
        };
        return Err(err!(
            UnsupportedKeyType,
            "expected an Ed25519 public key (multicodec 0xed), found {} (0x{:x})",
            name,
            code
        ));
    }
    Ok(rest)
}

/// Reads an unsigned LEB128 varint as multiformats defines it: at most 9 bytes, minimal.
fn read_varint(bytes: &[u8]) -> Result<(u64, &[u8])> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(9) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            // A final zero byte after the first means the varint was padded: not minimal.
            if b == 0 && i > 0 {
                return Err(err!(
                    MalformedDid,
                    "the multicodec varint is not minimally encoded"
                ));
            }
            return Ok((value, bytes.get(i + 1..).unwrap_or(&[])));
        }
    }
    Err(err!(MalformedDid, "missing or overlong multicodec varint"))
}

fn check_size(len: usize) -> Result<()> {
    if len > MAX_KEY_TEXT {
        return Err(err!(
            InputTooLarge,
            "key input is {} bytes; the limit is {}",
            len,
            MAX_KEY_TEXT
        ));
    }
    Ok(())
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn pkcs8_error(e: ed25519_dalek::pkcs8::Error) -> Error {
    use ed25519_dalek::pkcs8::spki::Error as S;
    use ed25519_dalek::pkcs8::Error as E;
    match e {
        E::PublicKey(S::OidUnknown { .. }) => {
            err!(
                UnsupportedKeyType,
                "the PKCS#8 key is not an Ed25519 key (another algorithm OID)"
            )
        }
        E::KeyMalformed => err!(MalformedDer, "the PKCS#8 private key is malformed"),
        E::PublicKey(_) | E::ParametersMalformed => {
            err!(
                MalformedDer,
                "the PKCS#8 algorithm identifier or public key is malformed"
            )
        }
        _ => err!(MalformedDer, "the PKCS#8 DER is malformed"),
    }
}

fn spki_error(e: ed25519_dalek::pkcs8::spki::Error) -> Error {
    use ed25519_dalek::pkcs8::spki::Error as E;
    match e {
        E::OidUnknown { .. } => err!(
            UnsupportedKeyType,
            "the SubjectPublicKeyInfo is not an Ed25519 key"
        ),
        _ => err!(
            MalformedDer,
            "the SubjectPublicKeyInfo DER is malformed or has unexpected parameters"
        ),
    }
}

/// Undoes what environment variables and `.env` files do to PEM: quotes around it, and
/// `\n` written as two characters.
fn normalize_pem(text: &str) -> Zeroizing<String> {
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(t);
    let mut out = Zeroizing::new(String::with_capacity(t.len()));
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('n')) {
            chars.next();
            out.push('\n');
        } else if c == '\r' {
            // CRLF line endings are as valid as LF.
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses one PEM block (RFC 7468, strict about the frame, lenient about line length and
/// blank lines) and returns its label and the decoded DER.
fn decode_pem(text: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    let malformed = |what: &'static str| Error::new(ErrorCode::MalformedPem, what);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().ok_or_else(|| malformed("empty PEM input"))?;
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|s| s.strip_suffix("-----"))
        .ok_or_else(|| malformed("PEM must start with a -----BEGIN …----- line"))?;
    let end = alloc::format!("-----END {label}-----");
    let mut body = Zeroizing::new(String::new());
    let mut ended = false;
    for line in lines.by_ref() {
        if line == end {
            ended = true;
            break;
        }
        if line.starts_with("-----") || line.contains(':') {
            return Err(malformed(
                "PEM headers and mismatched BEGIN/END lines are not supported",
            ));
        }
        body.push_str(line);
    }
    if !ended {
        return Err(malformed("PEM has no matching -----END …----- line"));
    }
    if lines.next().is_some() {
        return Err(malformed("text after the PEM -----END …----- line"));
    }
    let der =
        encoding::base64_decode(&body).map_err(|_| malformed("PEM body is not valid base64"))?;
    Ok((String::from(label), Zeroizing::new(der)))
}

fn encode_pem(label: &str, der: &[u8]) -> String {
    let b64 = Zeroizing::new(encoding::base64_encode(der));
    let mut out = String::with_capacity(b64.len() + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC_PK: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn rfc_key() -> SigningKey {
        SigningKey::from_slice(&encoding::hex_decode(RFC_SEED).unwrap()).unwrap()
    }

    #[test]
    fn derives_rfc8032_public_key_and_ids() {
        let vk = rfc_key().verifying_key();
        assert_eq!(encoding::hex_encode(vk.as_bytes()), RFC_PK);
        assert_eq!(vk.kid(), "If4x36FUomFia_hUBG_SJw");
        assert_eq!(
            vk.fingerprint(),
            "If4x36FUomFia_hUBG_SJxt77UtqvkWqWId-9H-XIbk"
        );
        assert_eq!(
            vk.to_multibase(),
            "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
        );
    }

    #[test]
    fn pkcs8_v1_v2_and_pem_round_trip() {
        let sk = rfc_key();
        let v1 = sk.to_pkcs8_der().unwrap();
        let v2 = sk.to_pkcs8_der_v2().unwrap();
        assert_eq!(v1.len(), 48);
        assert_ne!(*v1, *v2);
        for der in [&v1, &v2] {
            assert_eq!(
                SigningKey::from_pkcs8_der(der).unwrap().verifying_key(),
                sk.verifying_key()
            );
        }
        let pem = sk.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(
            SigningKey::from_pkcs8_pem(&pem).unwrap().verifying_key(),
            sk.verifying_key()
        );
        // The .env form: quoted, with literal \n.
        let env = alloc::format!("\"{}\"", pem.replace('\n', "\\n"));
        assert_eq!(
            SigningKey::from_pkcs8_pem(&env).unwrap().verifying_key(),
            sk.verifying_key()
        );
    }

    #[test]
    fn pkcs8_v2_with_wrong_public_key_is_refused() {
        let sk = rfc_key();
        let mut v2 = sk.to_pkcs8_der_v2().unwrap().to_vec();
        let n = v2.len();
        v2[n - 1] ^= 1;
        let e = SigningKey::from_pkcs8_der(&v2).unwrap_err();
        assert!(
            matches!(e.code(), ErrorCode::KeyMismatch | ErrorCode::MalformedDer),
            "{e:?}"
        );
    }

    #[test]
    fn spki_round_trip_and_openssl_prefix() {
        let vk = rfc_key().verifying_key();
        let der = vk.to_spki_der();
        assert_eq!(encoding::hex_encode(&der[..12]), "302a300506032b6570032100");
        assert_eq!(VerifyingKey::from_spki_der(&der).unwrap(), vk);
        assert_eq!(VerifyingKey::from_spki_pem(&vk.to_spki_pem()).unwrap(), vk);
        let wrong_label = vk.to_spki_pem().replace("PUBLIC KEY", "PRIVATE KEY");
        assert_eq!(
            VerifyingKey::from_spki_pem(&wrong_label)
                .unwrap_err()
                .code(),
            ErrorCode::MalformedPem
        );
        assert_eq!(
            SigningKey::from_pkcs8_pem(&vk.to_spki_pem())
                .unwrap_err()
                .code(),
            ErrorCode::MalformedPem
        );
    }

    #[test]
    fn pem_frame_errors() {
        for bad in [
            "",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----",
            "junk\n-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        ] {
            assert_eq!(SigningKey::from_pkcs8_pem(bad).unwrap_err().code(), ErrorCode::MalformedPem, "{bad:?}");
        }
        let huge = "A".repeat(MAX_KEY_TEXT + 1);
        assert_eq!(
            SigningKey::from_pkcs8_pem(&huge).unwrap_err().code(),
            ErrorCode::InputTooLarge
        );
    }

    #[test]
    fn verifying_key_rejects_weak_and_non_canonical() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            VerifyingKey::from_bytes(&identity).unwrap_err().code(),
            ErrorCode::WeakKey
        );
        // y = p: a non-canonical spelling of a small-order point.
        let p = encoding::hex_decode(
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        )
        .unwrap();
        assert_eq!(
            VerifyingKey::from_slice(&p).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        let mut y2 = [0u8; 32];
        y2[0] = 2;
        assert_eq!(
            VerifyingKey::from_bytes(&y2).unwrap_err().code(),
            ErrorCode::InvalidKey
        );
        assert_eq!(
            VerifyingKey::from_slice(&[1; 33]).unwrap_err().code(),
            ErrorCode::InvalidKeyLength
        );
    }

    #[test]
    fn multicodec_varint_rules() {
        assert_eq!(strip_multicodec(&[0xed, 0x01, 7]).unwrap(), &[7]);
        assert_eq!(
            strip_multicodec(&[0xed, 0x81, 0x00]).unwrap_err().code(),
            ErrorCode::MalformedDid
        );
        assert_eq!(
            strip_multicodec(&[0xec, 0x01]).unwrap_err().code(),
            ErrorCode::UnsupportedKeyType
        );
        assert_eq!(
            strip_multicodec(&[0x80]).unwrap_err().code(),
            ErrorCode::MalformedDid
        );
        assert_eq!(
            strip_multicodec(&[]).unwrap_err().code(),
            ErrorCode::MalformedDid
        );
    }

    #[test]
    fn signature_parsing() {
        assert_eq!(
            Signature::from_slice(&[0; 63]).unwrap_err().code(),
            ErrorCode::MalformedSignature
        );
        let sig = rfc_key().sign(b"");
        assert_eq!(Signature::from_base64url(&sig.to_base64url()).unwrap(), sig);
        assert!(rfc_key()
            .verifying_key()
            .verify_slice(b"", &[0; 65])
            .is_err());
    }
}
