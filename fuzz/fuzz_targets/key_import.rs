//! Key import: PKCS#8 (PEM/DER), SPKI (PEM/DER), JWK (secret/public) and raw bytes.
//!
//! The first byte picks the importer; the rest is its input. Every imported key must
//! re-export and re-import to the same key in every format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::{SigningKey, VerifyingKey};

fn check_signing(sk: &SigningKey) {
    let vk = sk.verifying_key();
    let seed = sk.to_bytes();
    let same = |other: SigningKey, how: &str| {
        assert_eq!(*other.to_bytes(), *seed, "{how}: seed changed");
        assert_eq!(other.verifying_key(), vk, "{how}: public key changed");
    };
    let der = sk.to_pkcs8_der().expect("to_pkcs8_der");
    same(SigningKey::from_pkcs8_der(&der).expect("re-import PKCS#8 v1 DER"), "pkcs8 der");
    let der2 = sk.to_pkcs8_der_v2().expect("to_pkcs8_der_v2");
    same(SigningKey::from_pkcs8_der(&der2).expect("re-import PKCS#8 v2 DER"), "pkcs8 v2 der");
    let pem = sk.to_pkcs8_pem().expect("to_pkcs8_pem");
    same(SigningKey::from_pkcs8_pem(&pem).expect("re-import PKCS#8 PEM"), "pkcs8 pem");
    let pem2 = sk.to_pkcs8_pem_v2().expect("to_pkcs8_pem_v2");
    same(SigningKey::from_pkcs8_pem(&pem2).expect("re-import PKCS#8 v2 PEM"), "pkcs8 v2 pem");
    let jwk = sk.to_jwk();
    same(SigningKey::from_jwk(&jwk).expect("re-import secret JWK"), "jwk");
    same(SigningKey::from_slice(seed.as_ref()).expect("re-import seed"), "seed");
    let pair = sk.to_keypair_bytes();
    same(SigningKey::from_slice(pair.as_ref()).expect("re-import keypair bytes"), "keypair");
    // A secret JWK is not a public JWK.
    assert!(VerifyingKey::from_jwk(&jwk).is_err(), "public JWK import accepted a secret JWK");
    check_verifying(&vk);
}

fn check_verifying(vk: &VerifyingKey) {
    let vk = *vk;
    assert_eq!(VerifyingKey::from_spki_der(&vk.to_spki_der()), Ok(vk), "SPKI DER round trip");
    assert_eq!(VerifyingKey::from_spki_pem(&vk.to_spki_pem()), Ok(vk), "SPKI PEM round trip");
    assert_eq!(VerifyingKey::from_jwk(&vk.to_jwk()), Ok(vk), "public JWK round trip");
    assert_eq!(VerifyingKey::from_slice(vk.as_bytes()), Ok(vk), "raw round trip");
    assert_eq!(VerifyingKey::from_multibase(&vk.to_multibase()), Ok(vk), "multibase round trip");
    assert_eq!(VerifyingKey::from_did_key(&vk.to_did_key()), Ok(vk), "did:key round trip");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = core::str::from_utf8(rest).ok();
    match selector % 8 {
        0 => {
            if let Some(Ok(sk)) = text.map(SigningKey::from_pkcs8_pem) {
                check_signing(&sk);
            }
        }
        1 => {
            if let Ok(sk) = SigningKey::from_pkcs8_der(rest) {
                check_signing(&sk);
            }
        }
        2 => {
            if let Some(Ok(sk)) = text.map(SigningKey::from_jwk) {
                check_signing(&sk);
            }
        }
        3 => {
            if let Some(Ok(vk)) = text.map(VerifyingKey::from_jwk) {
                check_verifying(&vk);
            }
        }
        4 => {
            if let Some(Ok(vk)) = text.map(VerifyingKey::from_spki_pem) {
                check_verifying(&vk);
            }
        }
        5 => {
            if let Ok(vk) = VerifyingKey::from_spki_der(rest) {
                // SPKI DER for Ed25519 has exactly one encoding.
                assert_eq!(vk.to_spki_der(), rest, "from_spki_der accepted a non-canonical encoding");
                check_verifying(&vk);
            }
        }
        6 => {
            if let Ok(sk) = SigningKey::from_slice(rest) {
                check_signing(&sk);
            }
        }
        _ => {
            if let Ok(vk) = VerifyingKey::from_slice(rest) {
                assert_eq!(vk.as_bytes().as_slice(), rest);
                check_verifying(&vk);
            }
        }
    }
});
