//! Loading and saving trust stores: the one place the CLI reads and writes them (`verify
//! --trust-store` and the `trust` commands), in the format the libraries save
//! (`TrustStore::to_json`), so a store edited here loads in the TypeScript and Python
//! packages and back.

use std::io::Read;
use std::path::Path;

use mcp_attest::trust::{TrustStore, MAX_TRUST_STORE_BYTES};

use crate::keyio;
use crate::out::Fail;

/// Loads a trust store; a missing file is an empty store (the first `verify` creates it).
/// Read bounded by the core's own limit, so a huge file is refused with its code instead of
/// read whole.
pub(crate) fn load(path: &Path) -> Result<TrustStore, Fail> {
    if !path.exists() {
        return Ok(TrustStore::new());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(MAX_TRUST_STORE_BYTES as u64 + 1)
                .read_to_string(&mut text)
        })
        .map_err(|e| Fail::io(path, &e))?;
    TrustStore::from_json(&text).map_err(Fail::cannot_core)
}

/// Saves a trust store atomically, mode 0600 (see [`keyio::write_private`]): a crash or a
/// concurrent reader never sees half a store.
pub(crate) fn save(path: &Path, store: &TrustStore) -> Result<(), Fail> {
    keyio::write_private(path, store.to_json().as_bytes(), true)
}
