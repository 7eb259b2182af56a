//! The size floor of `mcp-attest/verify`: what the libraries a verify-only browser client
//! needs weigh in wasm by themselves, built the way the npm package's wasm is built (fat LTO,
//! opt-level z outside the signature and hash crates, wasm-opt -Oz). Strict Ed25519, SHA-256
//! and SHA-512, base64url, base58, a JSON parser and serialiser, ECMAScript number formatting
//! and the allocator; none of our code. `run.sh` builds it and prints its size next to the
//! verify entry's, so the rest of that entry is ours to cut.
//!
//! Never run: the export only keeps each library's code alive (LTO drops what nothing
//! reaches), which is why it reads its input from a static buffer.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use base64ct::Encoding;
use sha2::Digest;

#[global_allocator]
static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

static mut INPUT: [u8; 4096] = [0; 4096];

#[no_mangle]
pub extern "C" fn touch(len: usize) -> u32 {
    // SAFETY: single-threaded wasm, and nothing writes INPUT while this runs.
    let all: &[u8] = unsafe { &*core::ptr::addr_of!(INPUT) };
    let b = all.get(..len).unwrap_or(all);
    let mut out = 0u32;
    if let (Some(pk), Some(sig), Some(msg)) = (b.get(..32), b.get(32..96), b.get(96..)) {
        let pk: [u8; 32] = pk.try_into().unwrap_or([0; 32]);
        if let (Ok(vk), Ok(sig)) = (
            ed25519_dalek::VerifyingKey::from_bytes(&pk),
            ed25519_dalek::Signature::from_slice(sig),
        ) {
            out |= u32::from(vk.verify_strict(msg, &sig).is_ok());
        }
    }
    out += u32::from(sha2::Sha256::digest(b)[0]);
    let mut decoded: Vec<u8> = Vec::new();
    if let Ok(s) = core::str::from_utf8(b) {
        if let Ok(d) = base64ct::Base64UrlUnpadded::decode_vec(s) {
            decoded = d;
        }
        if let Ok(d) = bs58::decode(s).into_vec() {
            decoded.extend(d);
        }
    }
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(b) {
        if let Some(n) = j.get("n").and_then(serde_json::Value::as_f64) {
            out += ryu_js::Buffer::new().format(n).len() as u32;
        }
        out += serde_json::to_vec(&j).map_or(0, |t| t.len() as u32);
    }
    out + decoded.len() as u32
}
