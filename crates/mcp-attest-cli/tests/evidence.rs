//! `mcp-attest evidence verify` on real files: every log of tests/vectors/evidence.json
//! written out, verified by the binary, with the vector's report (messages aside) and the
//! documented exit codes; a directory of rotated files read in order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn vectors() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/evidence.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-attest"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn every_vector_log_gets_the_vector_report_and_exit_code() {
    let file = vectors();
    let did = file["server_did"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for case in file["logs"].as_array().unwrap() {
        let lines: Vec<&str> = case["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let log = dir.path().join(format!("log-{n}.jsonl"));
        let anchors = dir.path().join(format!("anchors-{n}.txt"));
        n += 1;
        std::fs::write(
            &log,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        let anchor_text: String = case["anchors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| format!("{}\n", a.as_str().unwrap()))
            .collect();
        std::fs::write(&anchors, anchor_text).unwrap();
        let (code, stdout) = run(&[
            "--json",
            "evidence",
            "verify",
            "--key",
            did,
            "--anchors",
            anchors.to_str().unwrap(),
            log.to_str().unwrap(),
        ]);
        let mut got: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{}: {e}: {stdout}", case["id"]));
        for p in got["problems"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("message");
        }
        let want = &case["expect"]["ok"];
        assert_eq!(&got, want, "{}", case["id"]);
        assert_eq!(
            code,
            if want["valid"] == Value::Bool(true) {
                0
            } else {
                1
            },
            "{}",
            case["id"]
        );
    }
    assert!(n >= 10);
}

#[test]
fn a_directory_of_rotated_files_is_read_in_order_and_a_missing_file_is_named() {
    let file = vectors();
    let did = file["server_did"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The rotating file log of the vectors, written as the bindings write it. Names are
    // given out of order on purpose: the directory form sorts by index, not by listing.
    let writes = file["file_log"]["expect"]["ok"].as_array().unwrap();
    for w in writes.iter().rev() {
        let name = format!("evidence-{:06}.jsonl", w["file"].as_u64().unwrap());
        let path = dir.path().join(name);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.insert_str(0, &format!("{}\n", w["line"].as_str().unwrap()));
        std::fs::write(&path, text).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not part of the log\n").unwrap();
    let (code, stdout) = run(&[
        "evidence",
        "verify",
        "--key",
        did,
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("valid ("), "{stdout}");
    assert!(stdout.contains("from genesis"), "{stdout}");

    std::fs::remove_file(dir.path().join("evidence-000001.jsonl")).unwrap();
    let (code, stdout) = run(&[
        "evidence",
        "verify",
        "--key",
        did,
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("evidence_chain_broken"), "{stdout}");
    assert!(
        stdout.ends_with("code: evidence_chain_broken\n"),
        "{stdout}"
    );

    let (code, _) = run(&[
        "evidence",
        "verify",
        "--key",
        did,
        dir.path().join("nope.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "an unreadable file cannot be checked");
}
