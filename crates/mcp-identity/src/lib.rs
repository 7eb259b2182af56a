#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc = include_str!("../README.md")]

extern crate alloc;

pub mod encoding;
mod error;
pub mod json;

pub use error::{Error, ErrorCode, Result};
pub mod keys;

pub use keys::{Signature, SigningKey, VerifyingKey};
pub mod batch;
pub mod did_key;
pub mod issuer;
mod jwk;
pub mod jws;
pub mod records;
pub mod revocation;
pub mod time;
pub mod tool;
pub mod passport;
