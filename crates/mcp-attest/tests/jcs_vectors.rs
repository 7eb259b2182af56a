//! The JSON parser and RFC 8785 (JCS) serialiser against the shared test vectors in
//! `shared/vectors` (see its README.md for the file formats).
//!
//! A missing vector file fails the test: silently skipping would let the canonical
//! bytes that signatures depend on drift unnoticed.
//!
//! `serde_json` only reads the structure of the vector files here; every canonical
//! byte compared comes from `mcp_attest::json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};

use mcp_attest::json::{self, Number, Value};
use mcp_attest::ErrorCode;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors");

fn vector_path(relative: &str) -> PathBuf {
    Path::new(VECTORS).join(relative)
}

fn read_bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| {
        panic!(
            "vector file {} is missing or unreadable: {e}",
            path.display()
        )
    })
}

fn read_text(path: &Path) -> String {
    String::from_utf8(read_bytes(path))
        .unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

/// Contiguous hex (either case) to bytes.
fn decode_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len() % 2 == 0, "odd-length hex {hex:?}");
    let nibble = |c: u8| {
        let digit = char::from(c)
            .to_digit(16)
            .unwrap_or_else(|| panic!("bad hex digit in {hex:?}"));
        u8::try_from(digit).unwrap()
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| nibble(pair[0]) << 4 | nibble(pair[1]))
        .collect()
}

/// The `outhex` format: bytes as two-digit hex tokens separated by spaces and newlines.
fn decode_spaced_hex(text: &str) -> Vec<u8> {
    text.split_ascii_whitespace()
        .map(|token| {
            assert_eq!(token.len(), 2, "bad outhex token {token:?}");
            decode_hex(token)[0]
        })
        .collect()
}

#[test]
fn jcs_reference_files() {
    let input_dir = vector_path("jcs/input");
    let mut names: Vec<String> = fs::read_dir(&input_dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", input_dir.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();

    let mut ran = 0;
    for name in &names {
        let stem = name.strip_suffix(".json").unwrap();
        let input = read_text(&input_dir.join(name));
        let expected = read_bytes(&vector_path(&format!("jcs/output/{name}")));
        let expected_hex =
            decode_spaced_hex(&read_text(&vector_path(&format!("jcs/outhex/{stem}.txt"))));
        assert_eq!(expected, expected_hex, "{name}: output and outhex disagree");

        let canonical = json::canonicalize(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            canonical.as_bytes(),
            expected.as_slice(),
            "{name}:\n got {canonical}\nwant {}",
            String::from_utf8_lossy(&expected)
        );
        // Canonical output is a fixed point.
        assert_eq!(json::canonicalize(&canonical).unwrap(), canonical, "{name}");
        ran += 1;
    }
    assert!(ran >= 6, "only {ran} JCS reference files ran: {names:?}");
}

#[test]
fn es6_number_serialisation() {
    let path = vector_path("jcs/es6testfile-first10000.txt");
    let text = read_text(&path);
    let mut ran = 0;
    for (number, line) in text.lines().enumerate() {
        let number = number + 1;
        let (hex, expected) = line
            .split_once(',')
            .unwrap_or_else(|| panic!("line {number}: no comma in {line:?}"));
        let bits =
            u64::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("line {number}: {hex:?}: {e}"));
        let f = f64::from_bits(bits);
        if f.is_finite() {
            let n = Number::from_f64(f).unwrap_or_else(|e| panic!("line {number}: {e}"));
            let got = Value::Number(n).to_jcs();
            assert_eq!(got, expected, "line {number}: bits {hex}");
        } else {
            // The JCS generator leaves NaN and Infinity out; if one appears anyway it
            // must be refused, since JSON cannot express it.
            let err = Number::from_f64(f).unwrap_err();
            assert_eq!(err.code(), ErrorCode::NumberOutOfRange, "line {number}");
        }
        ran += 1;
    }
    assert_eq!(ran, 10_000, "{}", path.display());
}

/// The `expect_presented_error` names of tool-tamper.json mapped to our codes. They
/// happen to be spelled like our stable code strings, but the vector file is its own
/// contract, so the mapping is explicit rather than `ErrorCode::from_code`.
fn tamper_error_code(kind: &str) -> ErrorCode {
    match kind {
        "duplicate_key" => ErrorCode::DuplicateKey,
        "number_out_of_range" => ErrorCode::NumberOutOfRange,
        "invalid_json" => ErrorCode::InvalidJson,
        "invalid_unicode" => ErrorCode::InvalidUnicode,
        other => panic!("unknown expect_presented_error {other:?}"),
    }
}

fn str_field<'a>(case: &'a serde_json::Value, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("case {}: {field} is not a string", case["name"]))
}

#[test]
fn tool_tamper_canonical_bytes() {
    let path = vector_path("tool-tamper.json");
    let file: serde_json::Value = serde_json::from_str(&read_text(&path)).unwrap();
    // Field meanings come from the file's own description; fail loudly if it changes
    // shape rather than silently testing nothing.
    let format = file["format"]
        .as_str()
        .expect("tool-tamper.json has no format description");
    for field in [
        "original_json",
        "presented_json",
        "_canonical_hex",
        "expect_same_canonical_bytes",
    ] {
        assert!(
            format.contains(field),
            "format description no longer mentions {field}"
        );
    }
    let cases = file["cases"]
        .as_array()
        .expect("tool-tamper.json has no cases");
    let count = file["count"]
        .as_u64()
        .expect("tool-tamper.json has no count");
    assert_eq!(cases.len() as u64, count);

    let mut rejected = 0;
    for case in cases {
        let name = str_field(case, "name");

        let original = json::parse(str_field(case, "original_json"))
            .unwrap_or_else(|e| panic!("{name}: original: {e}"));
        let original_jcs = original.to_jcs();
        assert_eq!(
            original_jcs.as_bytes(),
            decode_hex(str_field(case, "original_canonical_hex")),
            "{name}: original canonical bytes"
        );
        assert_eq!(
            original_jcs,
            str_field(case, "original_canonical"),
            "{name}"
        );

        let presented = json::parse(str_field(case, "presented_json"));
        match &case["expect_presented_error"] {
            serde_json::Value::Null => {
                let presented = presented.unwrap_or_else(|e| panic!("{name}: presented: {e}"));
                let presented_jcs = presented.to_jcs();
                assert_eq!(
                    presented_jcs.as_bytes(),
                    decode_hex(str_field(case, "presented_canonical_hex")),
                    "{name}: presented canonical bytes"
                );
                assert_eq!(
                    presented_jcs,
                    str_field(case, "presented_canonical"),
                    "{name}"
                );
                let expect_same = case["expect_same_canonical_bytes"]
                    .as_bool()
                    .unwrap_or_else(|| {
                        panic!("{name}: expect_same_canonical_bytes is not a boolean")
                    });
                assert_eq!(
                    presented_jcs == original_jcs,
                    expect_same,
                    "{name}: same canonical bytes"
                );
            }
            serde_json::Value::String(kind) => {
                let err = match presented {
                    Ok(v) => panic!(
                        "{name}: presented_json parsed ({}), expected {kind}",
                        v.to_jcs()
                    ),
                    Err(err) => err,
                };
                assert_eq!(err.code(), tamper_error_code(kind), "{name}: {err}");
                assert!(case["presented_canonical_hex"].is_null(), "{name}");
                assert!(case["expect_same_canonical_bytes"].is_null(), "{name}");
                rejected += 1;
            }
            other => panic!("{name}: expect_presented_error is {other}"),
        }
    }
    assert!(rejected > 0, "no rejection cases ran");
}
