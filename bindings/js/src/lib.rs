//! wasm-bindgen glue for the `mcp-attest` npm package.
//!
//! Conversions only: JS values in, core calls, JS values out. Every decision lives in the
//! `mcp-attest` core; the documented API is the TypeScript layer in `bindings/js/ts`, which
//! is the only caller of these functions. Structured results cross as JSON text built by the
//! core's own serialiser; the TS layer `JSON.parse`s them.
// The exports are documented on the TypeScript layer, not here (house style §9.9).
#![allow(missing_docs)]
// Without `full` (the wasm of `mcp-attest/verify`) the signing and server-side exports are
// left out; a few conversions only they use are then dead, which is expected there.
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

#[cfg(feature = "full")]
mod attest;
mod error;
mod glue;
#[cfg(feature = "full")]
mod keysource;
#[cfg(feature = "full")]
mod session;

#[cfg(feature = "full")]
pub use attest::*;
pub use glue::*;
#[cfg(feature = "full")]
pub use keysource::*;
#[cfg(feature = "full")]
pub use session::*;
