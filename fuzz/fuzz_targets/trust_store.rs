//! The trust-store loader: any text either loads or is refused, and a loaded store writes
//! itself back to text that loads to an equal store.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::trust::TrustStore;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(store) = TrustStore::from_json(s) {
        let saved = store.to_json();
        let again = TrustStore::from_json(&saved).expect("a saved store loads");
        assert_eq!(again, store, "trust store round trip changed it");
        assert_eq!(again.to_json(), saved, "trust store JSON is not canonical");
    }
});
