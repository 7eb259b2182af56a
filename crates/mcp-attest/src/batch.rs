//! Verifying many signatures under one key with exactly the verdict of single verification.
//!
//! A tools list is N signatures by one server key. [`BatchVerifier`] precomputes wide lookup
//! tables for the base point and that key once, then checks each signature's own equation
//! `[s]B − [k]A = R` with them — exactly the checks of ed25519-dalek's `verify_strict`
//! (canonical `s`, `R` decodes and is not of small order, the recomputed `R` encodes to the
//! given bytes), with scalar multiplication from shared tables. Whether that is faster depends
//! on the curve backend (see [`verify_same_key`]); the real saving for a tools list is the
//! signed manifest, which needs one signature for the whole list.
//!
//! Why not the textbook random-linear-combination batch equation: it checks
//! `Σ zᵢ([sᵢ]B − Rᵢ − [kᵢ]A) = 0` (usually times the cofactor), which accepts signatures whose
//! `R` carries a torsion component that strict single verification rejects (speccheck case 4,
//! CCTV `low_order_component_R`). Making it agree needs a torsion check per `R`, which costs as
//! much as the batching saves. Two parties that must agree on a tool's verdict cannot use a
//! verifier that sometimes disagrees with itself, so we batch the precomputation, not the
//! equation. The vector suites run both paths and require identical verdicts.
//!
//! ```
//! use mcp_attest::{batch::BatchVerifier, SigningKey};
//! let sk = SigningKey::from_bytes(&[5u8; 32]);
//! let verifier = BatchVerifier::new(&sk.verifying_key());
//! let sig = sk.sign(b"tool");
//! assert!(verifier.verify(b"tool", &sig).is_ok());
//! assert!(verifier.verify(b"tooL", &sig).is_err());
//! ```

use alloc::vec::Vec;
use core::iter;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint, VartimeEdwardsPrecomputation};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
use sha2::{Digest, Sha512};

use crate::error::{Error, Result};
use crate::keys::{Signature, VerifyingKey};

/// Below this many signatures the table costs more than it saves; single verification is used.
pub const MIN_BATCH: usize = 4;

/// Precomputed tables for verifying many signatures under one key.
pub struct BatchVerifier {
    key: VerifyingKey,
    table: VartimeEdwardsPrecomputation,
}

impl BatchVerifier {
    /// Builds the tables for `key` (about the cost of two signature verifications).
    #[must_use]
    pub fn new(key: &VerifyingKey) -> BatchVerifier {
        let minus_a = match CompressedEdwardsY(key.to_bytes()).decompress() {
            Some(a) => -a,
            // Unreachable: a VerifyingKey always decompresses. The identity keeps this total
            // without a panic; with it every signature fails the encoding comparison below
            // except one over the identity R, which is small-order and refused first.
            None => EdwardsPoint::default(),
        };
        let table = VartimeEdwardsPrecomputation::new([ED25519_BASEPOINT_POINT, minus_a]);
        BatchVerifier { key: *key, table }
    }

    /// The key this verifier checks against.
    #[must_use]
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Verifies one signature with strict semantics, identical in verdict to
    /// [`VerifyingKey::verify`].
    ///
    /// # Errors
    /// `invalid_signature`.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<()> {
        let bytes = signature.to_bytes();
        let (r_bytes, s_bytes) = bytes.split_at(32);
        let r_bytes: [u8; 32] = r_bytes.try_into().map_err(|_| Error::invalid_signature())?;
        let s_bytes: [u8; 32] = s_bytes.try_into().map_err(|_| Error::invalid_signature())?;
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))
            .ok_or_else(Error::invalid_signature)?;
        let r = CompressedEdwardsY(r_bytes)
            .decompress()
            .ok_or_else(Error::invalid_signature)?;
        if r.is_small_order() {
            return Err(Error::invalid_signature());
        }
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(self.key.as_bytes());
        h.update(message);
        let mut wide = [0u8; 64];
        wide.copy_from_slice(&h.finalize());
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        let expected = self
            .table
            .optional_mixed_multiscalar_mul(
                [s, k],
                iter::empty::<Scalar>(),
                iter::empty::<Option<EdwardsPoint>>(),
            )
            .ok_or_else(Error::invalid_signature)?;
        // Compared as encodings, like verify_strict: a non-canonical R never matches.
        if expected.compress().as_bytes() == &r_bytes {
            Ok(())
        } else {
            Err(Error::invalid_signature())
        }
    }
}

/// Verifies `items` (message, signature) under one key; the i-th result is what
/// `key.verify(items[i])` returns.
///
/// On x86-64, curve25519-dalek picks an AVX2 or AVX-512 backend at run time whose
/// precomputed multiscalar path reads the static scalars at width 5, so the shared tables buy
/// nothing there: `bench/rust` measured [`BatchVerifier`] 4–5% *slower* per signature than
/// single verification (whose base-point table is already precomputed). There, and for fewer
/// than [`MIN_BATCH`] items, this calls single verification; elsewhere (wasm32 and other
/// targets on the serial backend, which uses width-8 tables for both points) it uses the
/// shared tables. The verdicts are identical either way.
#[must_use]
pub fn verify_same_key(key: &VerifyingKey, items: &[(&[u8], &Signature)]) -> Vec<Result<()>> {
    if cfg!(target_arch = "x86_64") || items.len() < MIN_BATCH {
        return items.iter().map(|(m, s)| key.verify(m, s)).collect();
    }
    let v = BatchVerifier::new(key);
    items.iter().map(|(m, s)| v.verify(m, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;

    #[test]
    fn agrees_with_single_verification_on_honest_and_mangled_signatures() {
        let sk = SigningKey::from_bytes(&[11; 32]);
        let vk = sk.verifying_key();
        let v = BatchVerifier::new(&vk);
        for i in 0u8..40 {
            let msg = [i; 7];
            let mut sig = sk.sign(&msg).to_bytes();
            if i % 3 == 1 {
                sig[usize::from(i)] ^= 1 << (i % 8);
            }
            if i % 5 == 2 {
                sig[63] |= 0xe0; // non-canonical s
            }
            let sig = Signature::from_bytes(&sig);
            assert_eq!(
                v.verify(&msg, &sig).is_ok(),
                vk.verify(&msg, &sig).is_ok(),
                "case {i}"
            );
        }
    }
}
