//! did:key, DID URL and multibase key parsing.
//!
//! Parsing is strict (one spelling per key), so anything accepted must re-serialise to
//! exactly the input, and the re-serialised form must parse to the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::did_key::{self, DidUrlFragment};
use mcp_attest::VerifyingKey;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };

    if let Ok(vk) = VerifyingKey::from_did_key(s) {
        let did = vk.to_did_key();
        assert_eq!(VerifyingKey::from_did_key(&did), Ok(vk), "to_did_key output does not re-parse");
        assert_eq!(did, s, "from_did_key accepted a non-canonical spelling");
        // The URL parser accepts every bare DID the DID parser accepts.
        let url = did_key::parse_did_url(s).expect("parse_did_url rejects a DID that from_did_key accepts");
        assert_eq!(url.key, vk);
        assert_eq!(url.fragment, DidUrlFragment::None);
    }

    if let Ok(url) = did_key::parse_did_url(s) {
        let did = url.key.to_did_key();
        let canonical = match url.fragment {
            DidUrlFragment::None => did,
            DidUrlFragment::VerificationMethod => url.key.to_did_key_url(),
            DidUrlFragment::KeyAgreement => format!("{did}#{}", did_key::x25519_multibase(&url.key)),
        };
        assert_eq!(canonical, s, "parse_did_url accepted a non-canonical spelling");
        assert_eq!(did_key::parse_did_url(&canonical), Ok(url), "canonical DID URL does not re-parse");
    }

    if let Ok(vk) = VerifyingKey::from_multibase(s) {
        let mb = vk.to_multibase();
        assert_eq!(VerifyingKey::from_multibase(&mb), Ok(vk), "to_multibase output does not re-parse");
        assert_eq!(mb, s, "from_multibase accepted a non-canonical spelling");
    }
});
