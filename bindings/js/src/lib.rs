//! wasm-bindgen glue for the `mcp-attest` npm package.
//!
//! Conversions only: JS values in, core calls, JS values out. Every decision lives in the
//! `mcp-attest` core; the documented API is the TypeScript layer in `bindings/js/ts`, which
//! is the only caller of these functions. Structured results cross as JSON text built by the
//! core's own serialiser; the TS layer `JSON.parse`s them.
// The exports are documented on the TypeScript layer, not here (house style §9.9).
#![allow(missing_docs)]

mod attest;
mod error;
mod glue;
mod keysource;
mod session;

pub use attest::*;
pub use glue::*;
pub use keysource::*;
pub use session::*;
