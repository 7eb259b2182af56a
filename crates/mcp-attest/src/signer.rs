//! Signing through a [`Signer`]: an in-memory [`SigningKey`], or a key that never leaves its
//! store (a KMS, an HSM, the OS keychain) behind a callback.
//!
//! Every signing function of the crate has a form that takes any `&S where S: Signer + ?Sized`
//! (`jws::sign_with`, `passport::issue_self_with`, `tool::sign_tool`, …). A signature that a
//! signer other than [`SigningKey`] returns is verified under the signer's own public key
//! before it is used: a store that answers with garbage, or with another key's signature,
//! fails here with `signer_failed` instead of producing a token that every verifier refuses
//! later.
//!
//! ```
//! use mcp_attest::signer::Signer;
//! use mcp_attest::{jws, json::Object, Error, ErrorCode, Signature, SigningKey, VerifyingKey};
//!
//! /// Stands in for a KMS client: the secret lives elsewhere; we see only sign().
//! struct Remote(SigningKey);
//! impl Signer for Remote {
//!     fn verifying_key(&self) -> VerifyingKey { self.0.verifying_key() }
//!     fn try_sign(&self, message: &[u8]) -> mcp_attest::Result<Signature> {
//!         Ok(self.0.sign(message))
//!     }
//! }
//! let token = jws::sign_with(&Remote(SigningKey::from_bytes(&[3; 32])), None, None, &Object::new())?;
//! assert_eq!(token, jws::sign(&SigningKey::from_bytes(&[3; 32]), None, None, &Object::new()));
//!
//! /// A store that signs with another key than the one it claims.
//! struct Confused;
//! impl Signer for Confused {
//!     fn verifying_key(&self) -> VerifyingKey { SigningKey::from_bytes(&[1; 32]).verifying_key() }
//!     fn try_sign(&self, message: &[u8]) -> mcp_attest::Result<Signature> {
//!         Ok(SigningKey::from_bytes(&[2; 32]).sign(message))
//!     }
//! }
//! let refused = jws::sign_with(&Confused, None, None, &Object::new()).unwrap_err();
//! assert_eq!(refused.code(), ErrorCode::SignerFailed);
//! # Ok::<(), Error>(())
//! ```

use alloc::boxed::Box;
use core::convert::Infallible;

use crate::error::{err, Error, Result};
use crate::keys::{Signature, SigningKey, VerifyingKey};

/// Something that signs with one Ed25519 key: its public half, and a signature over bytes.
///
/// Implement it for a key held elsewhere. `try_sign` may fail (a network error, a locked
/// keychain); return an error with the code that fits, or `signer_failed`. Never panic.
pub trait Signer {
    /// The public key every signature must verify under.
    fn verifying_key(&self) -> VerifyingKey;

    /// A pure Ed25519 (RFC 8032) signature over `message`.
    ///
    /// # Errors
    /// Whatever the store reports; `signer_failed` fits most.
    fn try_sign(&self, message: &[u8]) -> Result<Signature>;

    /// The in-memory key behind this signer, if it is one: its signatures need no check.
    #[doc(hidden)]
    fn as_signing_key(&self) -> Option<&SigningKey> {
        None
    }
}

impl Signer for SigningKey {
    fn verifying_key(&self) -> VerifyingKey {
        SigningKey::verifying_key(self)
    }
    fn try_sign(&self, message: &[u8]) -> Result<Signature> {
        Ok(self.sign(message))
    }
    fn as_signing_key(&self) -> Option<&SigningKey> {
        Some(self)
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn verifying_key(&self) -> VerifyingKey {
        (**self).verifying_key()
    }
    fn try_sign(&self, message: &[u8]) -> Result<Signature> {
        (**self).try_sign(message)
    }
    fn as_signing_key(&self) -> Option<&SigningKey> {
        (**self).as_signing_key()
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn verifying_key(&self) -> VerifyingKey {
        (**self).verifying_key()
    }
    fn try_sign(&self, message: &[u8]) -> Result<Signature> {
        (**self).try_sign(message)
    }
    fn as_signing_key(&self) -> Option<&SigningKey> {
        (**self).as_signing_key()
    }
}

/// Signs `message` with `signer` and verifies the result under its public key, unless the
/// signer is an in-memory key (whose signatures are correct by construction).
///
/// # Errors
/// The signer's own error; `signer_failed` when the signature does not verify.
pub fn sign_checked<S: Signer + ?Sized>(signer: &S, message: &[u8]) -> Result<Signature> {
    if let Some(key) = signer.as_signing_key() {
        // The fast path must not let a signer claim one key and sign with another.
        if key.verifying_key() == signer.verifying_key() {
            return Ok(key.sign(message));
        }
    }
    let sig = signer.try_sign(message)?;
    signer.verifying_key().verify(message, &sig).map_err(|_| {
        err!(
            SignerFailed,
            "the signer returned a signature that does not verify under its own public key"
        )
    })?;
    Ok(sig)
}

/// The crate's signing functions are written once over this: infallible for an in-memory
/// key (so the `SigningKey` forms keep returning plain values), checked for any [`Signer`].
pub(crate) trait Sign {
    type Error;
    fn public(&self) -> VerifyingKey;
    fn sign_bytes(&self, message: &[u8]) -> core::result::Result<Signature, Self::Error>;
}

impl Sign for SigningKey {
    type Error = Infallible;
    fn public(&self) -> VerifyingKey {
        self.verifying_key()
    }
    fn sign_bytes(&self, message: &[u8]) -> core::result::Result<Signature, Infallible> {
        Ok(self.sign(message))
    }
}

/// A [`Signer`] whose every signature goes through [`sign_checked`].
pub(crate) struct Checked<'a, S: ?Sized>(pub(crate) &'a S);

impl<S: Signer + ?Sized> Sign for Checked<'_, S> {
    type Error = Error;
    fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }
    fn sign_bytes(&self, message: &[u8]) -> Result<Signature> {
        sign_checked(self.0, message)
    }
}

/// The value of a computation that cannot fail.
pub(crate) fn infallible<T>(r: core::result::Result<T, Infallible>) -> T {
    match r {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenge::{ChallengeRequest, ChallengeResponder};
    use crate::json::{Object, Value};
    use crate::server::{ServerOptions, ServerPresentation};
    use crate::{jws, passport, revocation, tool, ErrorCode};
    use alloc::string::String;
    use core::cell::Cell;

    /// A signer that holds its key elsewhere and counts its calls.
    struct Remote {
        key: SigningKey,
        calls: Cell<u32>,
    }
    impl Signer for Remote {
        fn verifying_key(&self) -> VerifyingKey {
            self.key.verifying_key()
        }
        fn try_sign(&self, message: &[u8]) -> Result<Signature> {
            self.calls.set(self.calls.get() + 1);
            Ok(self.key.sign(message))
        }
    }

    struct Failing;
    impl Signer for Failing {
        fn verifying_key(&self) -> VerifyingKey {
            SigningKey::from_bytes(&[1; 32]).verifying_key()
        }
        fn try_sign(&self, _: &[u8]) -> Result<Signature> {
            Err(err!(SignerFailed, "the KMS is unreachable"))
        }
    }

    struct Garbage;
    impl Signer for Garbage {
        fn verifying_key(&self) -> VerifyingKey {
            SigningKey::from_bytes(&[1; 32]).verifying_key()
        }
        fn try_sign(&self, _: &[u8]) -> Result<Signature> {
            Ok(Signature::from_bytes(&[7; 64]))
        }
    }

    /// Claims to be an in-memory key but names another public key: the fast path must not
    /// trust it.
    struct Liar(SigningKey);
    impl Signer for Liar {
        fn verifying_key(&self) -> VerifyingKey {
            SigningKey::from_bytes(&[1; 32]).verifying_key()
        }
        fn try_sign(&self, m: &[u8]) -> Result<Signature> {
            Ok(self.0.sign(m))
        }
        fn as_signing_key(&self) -> Option<&SigningKey> {
            Some(&self.0)
        }
    }

    fn remote() -> Remote {
        Remote {
            key: SigningKey::from_bytes(&[1; 32]),
            calls: Cell::new(0),
        }
    }

    #[test]
    fn a_remote_signer_produces_the_same_tokens_as_the_key() {
        let sk = SigningKey::from_bytes(&[1; 32]);
        let r = remote();
        let mcp = passport::McpInfo {
            name: "s".into(),
            ..Default::default()
        };
        let o = passport::IssueOptions {
            now: 1_800_000_000,
            ttl: 60,
            ..Default::default()
        };
        assert_eq!(
            passport::issue_self_with(&r, &mcp, &o).unwrap(),
            passport::issue_self(&sk, &mcp, &o)
        );
        let list = r#"{"tools":[{"name":"a","inputSchema":{"type":"object"}}]}"#;
        let so = tool::SignOptions {
            now: 1_800_000_000,
            ..Default::default()
        };
        assert_eq!(
            tool::sign_tools_list(&r, list, &so).unwrap(),
            tool::sign_tools_list(&sk, list, &so).unwrap()
        );
        assert_eq!(
            revocation::issue_with(&r, "did:web:x", &[], 5, None).unwrap(),
            revocation::issue(&sk, "did:web:x", &[], 5, None)
        );
        assert!(r.calls.get() >= 4);

        let mut s = ServerPresentation::with_signer(
            Box::new(remote()) as Box<dyn Signer>,
            ServerOptions::default(),
        );
        let mut plain = ServerPresentation::new(sk, ServerOptions::default());
        assert_eq!(
            s.try_identity_get(1_800_000_000).unwrap(),
            plain.identity_get(1_800_000_000)
        );
        assert_eq!(
            s.try_passport(1_800_000_000).unwrap(),
            plain.passport(1_800_000_000)
        );
        let req = ChallengeRequest::new(&[9; 32], 1_800_000_000).to_json();
        let answer = s.answer_challenge(&req, "c", 1_800_000_000).unwrap();
        assert!(answer.contains("signature"));
    }

    #[test]
    fn failures_and_wrong_signatures_are_signer_failed_never_a_token() {
        let claims = Object::new();
        let e = jws::sign_with(&Failing, None, None, &claims).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignerFailed);
        let e = jws::sign_with(&Garbage, None, None, &claims).unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignerFailed);
        let e = jws::sign_with(&Liar(SigningKey::from_bytes(&[2; 32])), None, None, &claims)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignerFailed);
        let tool = Value::Object(Object::new());
        let e = tool::sign_tool(&Garbage, &tool, "k", "2026-01-01T00:00:00Z");
        assert!(e.is_err());

        let mut responder = ChallengeResponder::new(String::from("k"), 10);
        let req = ChallengeRequest::new(&[9; 32], 1_800_000_000).to_json();
        let e = responder
            .respond(&Garbage, &req, 1_800_000_000)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignerFailed);

        let mut s = ServerPresentation::with_signer(Failing, ServerOptions::default());
        assert_eq!(
            s.try_passport(1_800_000_000).unwrap_err().code(),
            ErrorCode::SignerFailed
        );
        let e = s
            .sign_tools_list(r#"{"tools":[]}"#, None, 1_800_000_000)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SignerFailed);
        let req = ChallengeRequest::new(&[8; 32], 1_800_000_000).to_json();
        let rpc = s.answer_challenge(&req, "c", 1_800_000_000).unwrap_err();
        assert!(rpc.contains("signer_failed"), "{rpc}");
    }
}
