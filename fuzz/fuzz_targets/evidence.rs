//! Evidence logs: any text, split into lines, is verified without a panic and in time linear
//! in its length; a log the verifier calls valid really continues from what it verified (its
//! head is the hash of its last line), and a writer resumed from a valid last line continues
//! the same chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::evidence::{self, CheckpointReason, EvidenceWriter, LogVerifier};
use mcp_attest::SigningKey;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // The key of tests/vectors/evidence.json (xtask's seed 40), whose logs are the seed
    // corpus, so mutations reach the chain checks rather than stopping at the signature.
    let mut seed = [0u8; 32];
    for (j, b) in seed.iter_mut().enumerate() {
        *b = 40u8.wrapping_mul(31).wrapping_add(j as u8);
    }
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let (log, anchors) = text.split_once("\n\n").unwrap_or((text, ""));
    let lines: Vec<&str> = log.split('\n').collect();
    let anchors: Vec<&str> = anchors.split('\n').filter(|a| !a.is_empty()).collect();
    let mut v = LogVerifier::new(&public);
    for l in &lines {
        v.push(l);
    }
    let report = v.finish(&anchors);
    if report.is_valid() {
        if let Some(last) = lines.last() {
            assert_eq!(report.head.as_deref(), Some(evidence::line_hash(last).as_str()));
            let mut w = EvidenceWriter::resume(key, last).expect("a valid log's last line resumes");
            let next = w.checkpoint(CheckpointReason::Close, u64::MAX).expect("checkpoint");
            let mut again = LogVerifier::new(&public);
            for l in &lines {
                again.push(l);
            }
            again.push(&next);
            let r = again.finish(&[]);
            assert!(r.is_valid(), "a resumed writer broke a valid chain: {:?}", r.problems);
        }
    }
});
