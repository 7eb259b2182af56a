#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc = include_str!("../README.md")]

extern crate alloc;

mod error;
mod jwk;
mod names;

pub mod batch;
pub mod caller;
pub mod challenge;
pub mod did_key;
pub mod encoding;
pub mod evidence;
pub mod gate;
pub mod identity;
pub mod interop;
pub mod issuer;
pub mod json;
pub mod jws;
pub mod keys;
pub mod keysource;
pub mod passport;
pub mod records;
pub mod revocation;
pub mod server;
pub mod session;
pub mod signer;
pub mod time;
pub mod tool;
pub mod trust;

pub use error::{Error, ErrorCode, Result};
pub use keys::{Signature, SigningKey, VerifyingKey};
pub use signer::Signer;
