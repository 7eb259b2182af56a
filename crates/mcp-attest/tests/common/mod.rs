//! Helpers shared by the integration tests: where the shared vectors live, reading them
//! (a missing file is a test failure, never a skip), and a hex decoder that does not go
//! through the library under test.
//!
//! Keep this module small and generic; each test binary uses only part of it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// The shared, read-only test vectors (`/work/shared/vectors` in the usual layout).
pub(crate) const VECTORS_DIR: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors");

/// The path of a vector file, relative to the vectors directory.
pub(crate) fn vector_path(relative: &str) -> PathBuf {
    Path::new(VECTORS_DIR).join(relative)
}

/// The bytes of a vector file; panics (fails the test) if it is missing or unreadable.
pub(crate) fn read_bytes(relative: &str) -> Vec<u8> {
    let path = vector_path(relative);
    fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "vector file {} is missing or unreadable ({e}); tests must not skip missing vectors",
            path.display()
        )
    })
}

/// The text of a vector file (must be UTF-8); panics if it is missing.
pub(crate) fn read_text(relative: &str) -> String {
    String::from_utf8(read_bytes(relative))
        .unwrap_or_else(|e| panic!("vector file {relative} is not UTF-8: {e}"))
}

/// A vector file parsed with `serde_json` (used only to read the files' structure).
pub(crate) fn read_json(relative: &str) -> serde_json::Value {
    serde_json::from_str(&read_text(relative))
        .unwrap_or_else(|e| panic!("vector file {relative} is not valid JSON: {e}"))
}

/// Member `name` of a JSON object, which must be present.
pub(crate) fn field<'a>(value: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    value
        .get(name)
        .unwrap_or_else(|| panic!("vector entry has no member {name:?}: {value}"))
}

/// String member `name` of a JSON object, which must be present and a string.
pub(crate) fn str_field<'a>(value: &'a serde_json::Value, name: &str) -> &'a str {
    field(value, name)
        .as_str()
        .unwrap_or_else(|| panic!("vector member {name:?} is not a string: {value}"))
}

/// Array member `name` of a JSON object, which must be present and an array.
pub(crate) fn array_field<'a>(value: &'a serde_json::Value, name: &str) -> &'a [serde_json::Value] {
    field(value, name)
        .as_array()
        .unwrap_or_else(|| panic!("vector member {name:?} is not an array: {value}"))
}

/// Contiguous hex (either case) to bytes, independent of `mcp_attest::encoding`.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd-length hex {text:?}");
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair =
                core::str::from_utf8(pair).unwrap_or_else(|_| panic!("non-ASCII in hex {text:?}"));
            u8::from_str_radix(pair, 16)
                .unwrap_or_else(|e| panic!("bad hex byte {pair:?} in {text:?}: {e}"))
        })
        .collect()
}

/// Hex that must decode to exactly `N` bytes.
pub(crate) fn hex_array<const N: usize>(text: &str) -> [u8; N] {
    let bytes = hex(text);
    <[u8; N]>::try_from(bytes.as_slice())
        .unwrap_or_else(|_| panic!("expected {N} bytes of hex, got {}: {text:?}", bytes.len()))
}

/// Lowercase hex of `bytes`, for messages and comparisons.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
