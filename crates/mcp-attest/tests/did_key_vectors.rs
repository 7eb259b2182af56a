//! did:key, multibase and base58btc against the shared public test vectors in
//! `shared/vectors` (formats in its README.md).
//!
//! Every runner counts the cases it ran (and any it skipped, each for a stated reason)
//! and asserts the counts, so a file that silently yields zero cases fails. A missing
//! vector file fails too (see `common::read_bytes`). `serde_json` only reads the files'
//! structure; DID documents and JWKs are compared as RFC 8785 text produced by
//! `mcp_attest::json` on both sides.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{array_field, field, hex, hex_array, read_json, read_text, str_field, to_hex};
use mcp_attest::did_key::{self, parse_did_url, DidUrlFragment, DocumentFormat};
use mcp_attest::encoding::{
    base58_decode, base58_encode, base64url_decode, base64url_encode, multibase_decode,
    multibase_encode,
};
use mcp_attest::json;
use mcp_attest::{ErrorCode, SigningKey, VerifyingKey};

/// RFC 8785 text of a JSON value from a vector file, produced by our own parser.
fn jcs_of_vector(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap();
    json::parse(&text)
        .unwrap_or_else(|e| panic!("our parser refused vector JSON ({e:?}): {text}"))
        .to_jcs()
}

/// RFC 8785 text of JSON produced by the library (re-parsed, so formatting cannot matter).
fn jcs_of_text(text: &str) -> String {
    json::parse(text)
        .unwrap_or_else(|e| panic!("library emitted invalid JSON ({e:?}): {text}"))
        .to_jcs()
}

// ---------------------------------------------------------------------------------------
// did-key/did-key.json
// ---------------------------------------------------------------------------------------

#[test]
fn did_key_positive() {
    let file = read_json("did-key/did-key.json");
    let mut ran = 0;
    let mut with_seed = 0;
    for case in array_field(&file, "positive") {
        let name = str_field(case, "name");
        let did = str_field(case, "did");
        let vk = VerifyingKey::from_did_key(did).unwrap_or_else(|e| panic!("{name}: {did}: {e:?}"));

        assert_eq!(
            to_hex(vk.as_bytes()),
            str_field(case, "public_key_hex"),
            "{name}: public key"
        );
        assert_eq!(
            base58_encode(vk.as_bytes()),
            str_field(case, "public_key_base58"),
            "{name}: base58"
        );
        assert_eq!(vk.to_did_key(), did, "{name}: round trip");

        // The multibase value decodes to the multicodec prefix followed by the key.
        let mb = did.strip_prefix("did:key:").unwrap();
        assert_eq!(vk.to_multibase(), mb, "{name}: multibase");
        assert_eq!(
            VerifyingKey::from_multibase(mb).unwrap(),
            vk,
            "{name}: from_multibase"
        );
        let decoded = multibase_decode(mb).unwrap();
        let prefix = hex(str_field(case, "multicodec_prefix_hex"));
        assert_eq!(
            &decoded[..prefix.len()],
            &prefix[..],
            "{name}: multicodec prefix"
        );
        assert_eq!(&decoded[prefix.len()..], vk.as_bytes(), "{name}");

        assert_eq!(
            jcs_of_text(&vk.to_jwk()),
            jcs_of_vector(field(case, "public_key_jwk")),
            "{name}: JWK"
        );
        let jwk_text = serde_json::to_string(field(case, "public_key_jwk")).unwrap();
        assert_eq!(
            VerifyingKey::from_jwk(&jwk_text).unwrap(),
            vk,
            "{name}: JWK import"
        );

        let vm_id = str_field(case, "verification_method_id");
        assert_eq!(vk.to_did_key_url(), vm_id, "{name}: verification method id");
        let url = parse_did_url(vm_id).unwrap_or_else(|e| panic!("{name}: {vm_id}: {e:?}"));
        assert_eq!(
            (url.key, url.fragment),
            (vk, DidUrlFragment::VerificationMethod),
            "{name}"
        );
        let url = parse_did_url(did).unwrap();
        assert_eq!(
            (url.key, url.fragment),
            (vk, DidUrlFragment::None),
            "{name}"
        );

        let x_mb = str_field(case, "x25519_key_agreement_multibase");
        assert_eq!(
            did_key::x25519_multibase(&vk),
            x_mb,
            "{name}: X25519 key agreement"
        );
        // The same value where the file also quotes the spec or source it came from.
        for also in ["x25519_expected_in_spec", "x25519_expected_in_source"] {
            if let Some(v) = case.get(also) {
                assert_eq!(v.as_str(), Some(x_mb), "{name}: {also}");
            }
        }
        let x_bytes = multibase_decode(x_mb).unwrap();
        assert_eq!(
            to_hex(&x_bytes[..2]),
            "ec01",
            "{name}: x25519-pub multicodec"
        );
        assert_eq!(&x_bytes[2..], &vk.to_x25519(), "{name}: to_x25519");
        let ka_url = parse_did_url(&format!("{did}#{x_mb}")).unwrap();
        assert_eq!(
            (ka_url.key, ka_url.fragment),
            (vk, DidUrlFragment::KeyAgreement),
            "{name}"
        );

        if let Some(seed_hex) = case.get("seed_hex") {
            let seed: [u8; 32] = hex_array(seed_hex.as_str().unwrap());
            let derived = SigningKey::from_bytes(&seed).verifying_key();
            assert_eq!(derived.to_did_key(), did, "{name}: seed derives the DID");
            with_seed += 1;
        }
        ran += 1;
    }
    assert_eq!((ran, with_seed), (9, 6));
}

#[test]
fn did_key_document_variants() {
    let file = read_json("did-key/did-key.json");
    let variants = field(&file, "document_variants");
    let did = str_field(variants, "did");
    let vk = VerifyingKey::from_did_key(did).unwrap();
    let documents = field(variants, "documents")
        .as_object()
        .expect("documents is an object");

    let mut ran = Vec::new();
    for (label, given) in documents {
        if label.starts_with("Multikey") || label.starts_with("Ed25519VerificationKey2020") {
            let format = if label.starts_with("Multikey") {
                DocumentFormat::Multikey
            } else {
                DocumentFormat::Ed25519VerificationKey2020
            };
            // Whole documents, exactly: both sides as RFC 8785 text.
            assert_eq!(
                jcs_of_text(&did_key::document(&vk, format)),
                jcs_of_vector(given),
                "{label}"
            );
            assert_eq!(
                did_key::document_value(&vk, format).to_jcs(),
                jcs_of_vector(given),
                "{label}: value"
            );
            ran.push(format);
        } else if label.starts_with("JsonWebKey2020") {
            // Partial comparison on purpose: this variant is the 2022 draft's test-vector
            // style (type "JsonWebKey2020", no @context, only verificationMethod), while our
            // JsonWebKey format follows did:key v0.9 (type "JsonWebKey", did/v1.1 context,
            // all verification relationships and a keyAgreement method). The parts both
            // agree on are the method's id, controller and publicKeyJwk.
            let ours = did_key::document_value(&vk, DocumentFormat::JsonWebKey);
            let our_vm = &ours
                .get("verificationMethod")
                .and_then(json::Value::as_array)
                .unwrap()[0];
            let given_vms = array_field(given, "verificationMethod");
            assert_eq!(given_vms.len(), 1, "{label}");
            let given_vm = &given_vms[0];
            assert_eq!(
                ours.get("id").and_then(json::Value::as_str),
                Some(str_field(given, "id")),
                "{label}: id"
            );
            for member in ["id", "controller"] {
                assert_eq!(
                    our_vm.get(member).and_then(json::Value::as_str),
                    Some(str_field(given_vm, member)),
                    "{label}: verificationMethod[0].{member}"
                );
            }
            assert_eq!(
                our_vm.get("publicKeyJwk").unwrap().to_jcs(),
                jcs_of_vector(field(given_vm, "publicKeyJwk")),
                "{label}: verificationMethod[0].publicKeyJwk"
            );
            assert_eq!(
                our_vm.get("type").and_then(json::Value::as_str),
                Some("JsonWebKey")
            );
            ran.push(DocumentFormat::JsonWebKey);
        } else {
            panic!("unexpected document variant {label:?}: add it to this runner");
        }
    }
    ran.sort_by_key(|f| format!("{f:?}"));
    assert_eq!(
        ran,
        [
            DocumentFormat::Ed25519VerificationKey2020,
            DocumentFormat::JsonWebKey,
            DocumentFormat::Multikey
        ],
        "each of the three variants exactly once"
    );
}

/// The spec's did:key error names (did-key.json `error_kind`) and the codes they map to.
///
/// | spec `error_kind`          | our `ErrorCode`                                        |
/// |----------------------------|--------------------------------------------------------|
/// | `invalidDid`               | `MalformedDid`                                         |
/// | `methodNotSupported`       | `UnsupportedDidMethod`                                 |
/// | `invalidPublicKeyLength`   | `InvalidKeyLength`                                     |
/// | `invalidPublicKey`         | `InvalidKey` (not a point / non-canonical) or `WeakKey` (small order) |
/// | `unsupportedPublicKeyType` | `UnsupportedKeyType`                                   |
/// | `invalidDidUrl`            | `InvalidDidUrl`                                        |
fn mapped_codes(error_kind: &str) -> &'static [ErrorCode] {
    match error_kind {
        "invalidDid" => &[ErrorCode::MalformedDid],
        "methodNotSupported" => &[ErrorCode::UnsupportedDidMethod],
        "invalidPublicKeyLength" => &[ErrorCode::InvalidKeyLength],
        "invalidPublicKey" => &[ErrorCode::InvalidKey, ErrorCode::WeakKey],
        "unsupportedPublicKeyType" => &[ErrorCode::UnsupportedKeyType],
        "invalidDidUrl" => &[ErrorCode::InvalidDidUrl],
        other => panic!("unknown did:key error_kind {other:?}: extend the mapping table"),
    }
}

#[test]
fn did_key_negative() {
    let file = read_json("did-key/did-key.json");
    let mut ran_did = 0;
    let mut ran_url = 0;
    for case in array_field(&file, "negative") {
        let name = str_field(case, "name");
        let kind = str_field(case, "error_kind");
        let allowed = mapped_codes(kind);
        let (input, result) = match (case.get("did"), case.get("did_url")) {
            (Some(did), None) => {
                ran_did += 1;
                let did = did.as_str().unwrap();
                (did, VerifyingKey::from_did_key(did).map(|_| ()))
            }
            (None, Some(url)) => {
                ran_url += 1;
                let url = url.as_str().unwrap();
                (url, parse_did_url(url).map(|_| ()))
            }
            _ => panic!("{name}: exactly one of did and did_url"),
        };
        let e = result.expect_err(name);
        println!("did:key negative {name}: {kind} -> {}", e.code());
        assert!(
            allowed.contains(&e.code()),
            "{name}: {input:?} gave {:?} ({}), spec error {kind} maps to {allowed:?}",
            e.code(),
            e.message()
        );
    }
    assert_eq!((ran_did, ran_url), (26, 1));
}

// ---------------------------------------------------------------------------------------
// did-key/w3c-ccg-ed25519-x25519.json
// ---------------------------------------------------------------------------------------

#[test]
fn w3c_ccg_ed25519_x25519() {
    let file = read_json("did-key/w3c-ccg-ed25519-x25519.json");
    let entries = file.as_object().expect("the file maps DIDs to key pairs");
    let mut ran_2018 = 0;
    let mut ran_jwk2020 = 0;
    let mut skipped_other_key_types = 0;
    for (did, entry) in entries {
        // Only Ed25519 did:keys (`z6Mk…`) are in scope; a DID of another key type would be
        // skipped here, since this library implements Ed25519 only. The file has none today.
        if !did.starts_with("did:key:z6Mk") {
            skipped_other_key_types += 1;
            println!("w3c-ccg: skipping non-Ed25519 DID {did}");
            continue;
        }
        let vk = VerifyingKey::from_did_key(did).unwrap_or_else(|e| panic!("{did}: {e:?}"));
        assert_eq!(&vk.to_did_key(), did);

        // `seed` is the 32-byte Ed25519 seed in hex.
        let seed: [u8; 32] = hex_array(str_field(entry, "seed"));
        let sk = SigningKey::from_bytes(&seed);
        assert_eq!(
            &sk.verifying_key().to_did_key(),
            did,
            "{did}: seed derives the DID"
        );

        let vkp = field(entry, "verificationKeyPair");
        let kap = field(entry, "keyAgreementKeyPair");
        let x_mb = did_key::x25519_multibase(&vk);
        assert_eq!(str_field(vkp, "controller"), did);
        assert_eq!(str_field(kap, "controller"), did);
        // Method ids are `#fragment` (2018/2019 style) or `did#fragment` (JsonWebKey2020).
        assert!(
            str_field(vkp, "id").ends_with(&format!("#{}", vk.to_multibase())),
            "{did}"
        );
        assert!(
            str_field(kap, "id").ends_with(&format!("#{x_mb}")),
            "{did}: key agreement id"
        );

        match (str_field(vkp, "type"), str_field(kap, "type")) {
            ("Ed25519VerificationKey2018", "X25519KeyAgreementKey2019") => {
                // These suites carry raw keys in base58btc, without multicodec or multibase.
                assert_eq!(
                    str_field(vkp, "publicKeyBase58"),
                    base58_encode(vk.as_bytes()),
                    "{did}"
                );
                let x = base58_decode(str_field(kap, "publicKeyBase58")).unwrap();
                assert_eq!(
                    to_hex(&x),
                    to_hex(&vk.to_x25519()),
                    "{did}: X25519 public key"
                );
                // privateKeyBase58 (the X25519 secret) is not checked: the library derives no
                // X25519 secret key, only the public key.
                ran_2018 += 1;
            }
            ("JsonWebKey2020", "JsonWebKey2020") => {
                assert_eq!(
                    jcs_of_text(&vk.to_jwk()),
                    jcs_of_vector(field(vkp, "publicKeyJwk")),
                    "{did}"
                );
                // The private JWK carries d = the seed; it imports as our secret key.
                let private = serde_json::to_string(field(vkp, "privateKeyJwk")).unwrap();
                let from_jwk =
                    SigningKey::from_jwk(&private).unwrap_or_else(|e| panic!("{did}: {e:?}"));
                assert_eq!(
                    *from_jwk.to_bytes(),
                    seed,
                    "{did}: privateKeyJwk d is the seed"
                );
                let ka_jwk = field(kap, "publicKeyJwk");
                assert_eq!(str_field(ka_jwk, "kty"), "OKP");
                assert_eq!(str_field(ka_jwk, "crv"), "X25519");
                let x = base64url_decode(str_field(ka_jwk, "x")).unwrap();
                assert_eq!(
                    to_hex(&x),
                    to_hex(&vk.to_x25519()),
                    "{did}: X25519 public key"
                );
                assert_eq!(base64url_encode(&vk.to_x25519()), str_field(ka_jwk, "x"));
                ran_jwk2020 += 1;
            }
            other => panic!("{did}: unexpected verification method types {other:?}"),
        }

        // The document's own id and its keyAgreement reference agree with our derivation.
        let doc = field(entry, "didDocument");
        assert_eq!(str_field(doc, "id"), did);
        let ka_ref = &array_field(doc, "keyAgreement")[0];
        assert_eq!(
            ka_ref.as_str(),
            Some(format!("{did}#{x_mb}").as_str()),
            "{did}: keyAgreement"
        );
    }
    assert_eq!((ran_2018, ran_jwk2020, skipped_other_key_types), (4, 1, 0));
}

// ---------------------------------------------------------------------------------------
// multibase/base58btc.json
// ---------------------------------------------------------------------------------------

#[test]
fn base58btc_json() {
    let file = read_json("multibase/base58btc.json");
    let mut ran = 0;
    for v in array_field(&file, "vectors") {
        let name = str_field(v, "name");
        let bytes = hex(str_field(v, "bytes_hex"));
        let b58 = str_field(v, "base58btc");
        let mb = str_field(v, "multibase");
        assert_eq!(base58_encode(&bytes), b58, "{name}: base58 encode");
        assert_eq!(multibase_encode(&bytes), mb, "{name}: multibase encode");
        assert_eq!(base58_decode(b58).unwrap(), bytes, "{name}: base58 decode");
        assert_eq!(
            multibase_decode(mb).unwrap(),
            bytes,
            "{name}: multibase decode"
        );
        ran += 1;
    }
    let mut failed = 0;
    for v in array_field(&file, "decode_must_fail") {
        let name = str_field(v, "name");
        let input = str_field(v, "input");
        let e = multibase_decode(input).expect_err(name);
        assert_eq!(
            e.code(),
            ErrorCode::InvalidBase58,
            "{name} ({})",
            str_field(v, "reason")
        );
        failed += 1;
    }
    assert_eq!((ran, failed), (12, 12));
}

// ---------------------------------------------------------------------------------------
// multibase/*.csv (multiformats/multibase tests)
// ---------------------------------------------------------------------------------------

/// Undoes the `\xHH` escapes the CSV files use for control bytes in the input line.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            assert_eq!(
                bytes.get(i + 1),
                Some(&b'x'),
                "only \\xHH escapes are expected: {text:?}"
            );
            out.extend(hex(&text[i + 2..i + 4]));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// One line `name, "value"` of a multibase CSV file.
fn csv_row(line: &str) -> (&str, &str) {
    let (name, value) = line
        .split_once(", ")
        .unwrap_or_else(|| panic!("bad CSV line {line:?}"));
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("CSV value is not quoted: {line:?}"));
    (name.trim(), value)
}

#[test]
fn multibase_csv() {
    let mut base58btc_rows = 0;
    // Rows of other encodings (base2 … base256emoji) are not run as encoding tests: this
    // library implements only base58btc, the one did:key uses. They are counted, and each
    // is checked to be refused by our decoder, which accepts only the `z` prefix.
    let mut other_rows = 0;
    let files = [
        ("multibase/basic.csv", 1),
        ("multibase/leading_zero.csv", 1),
        ("multibase/two_leading_zeros.csv", 1),
        // tests-README.md: these inputs are differently cased than expected and must still
        // decode. base58btc is case-sensitive, so this file has no base58btc row (a
        // re-cased base58 string is a different value), and zero rows run here is expected.
        ("multibase/case_insensitivity.csv", 0),
    ];
    for (path, expected_base58btc) in files {
        let text = read_text(path);
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let (header, input) = csv_row(lines.next().unwrap_or_else(|| panic!("{path} is empty")));
        assert!(
            header == "encoding" || header == "non-canonical encoding",
            "{path}: header {header:?}"
        );
        let input = unescape(input);
        let mut here = 0;
        for line in lines {
            let (encoding, value) = csv_row(line);
            if encoding == "base58btc" {
                assert_eq!(multibase_encode(&input), value, "{path}: encode");
                assert_eq!(multibase_decode(value).unwrap(), input, "{path}: decode");
                here += 1;
            } else {
                assert!(
                    !value.starts_with('z'),
                    "{path}: {encoding} row uses the base58btc prefix"
                );
                let e = multibase_decode(value).expect_err(encoding);
                assert_eq!(e.code(), ErrorCode::InvalidBase58, "{path}: {encoding}");
                other_rows += 1;
            }
        }
        assert_eq!(here, expected_base58btc, "{path}: base58btc rows");
        base58btc_rows += here;
    }
    println!("multibase CSV: {base58btc_rows} base58btc rows run, {other_rows} rows of other encodings skipped");
    assert_eq!(base58btc_rows, 3);
    // 22 other encodings in each of the three byte-string files, 12 in
    // case_insensitivity.csv.
    assert_eq!(other_rows, 22 * 3 + 12);
}
