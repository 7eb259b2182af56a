//! DNS TXT / registry proof records and RFC 3339 timestamps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::records::{self, DnsRecord, RegistryRecord};
use mcp_attest::time;

/// 9999-12-31T23:59:59Z.
const MAX_FORMATTABLE: u64 = 253_402_300_799;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };

    if let Ok(r) = DnsRecord::parse(s) {
        // The canonical record text for the parsed fields parses back to the same fields.
        let canonical = format!("v=mcp1; kid={}; fp={}", r.kid, r.fp);
        if let Ok(again) = DnsRecord::parse(&canonical) {
            assert_eq!(again, r, "DNS record round trip changed the fields");
        }
    }

    if let Ok(r) = RegistryRecord::parse(s) {
        if let Ok(vk) = r.verifying_key() {
            assert_eq!(vk.as_bytes().as_slice(), r.public_key.as_slice());
            let canonical = records::registry_record(&vk);
            assert_eq!(RegistryRecord::parse(&canonical), Ok(r.clone()), "registry record round trip");
            assert!(r.verify(&vk).is_ok());
        }
    }

    if let Ok(secs) = time::parse_rfc3339(s) {
        // format_rfc3339 is documented to clamp at 9999-12-31T23:59:59Z, which a negative
        // offset on a year-9999 time can exceed; below that, the canonical form must parse
        // back to the same instant.
        if secs > MAX_FORMATTABLE {
            return;
        }
        let formatted = time::format_rfc3339(secs);
        assert_eq!(time::parse_rfc3339(&formatted), Ok(secs), "format/parse round trip: {formatted}");
    }
});
