//! `evidence verify`: an evidence log (spec §19) checked offline, file by file in order, with
//! anchors; the report is the core's, byte for byte what the TypeScript and Python APIs give.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mcp_attest::evidence::{self, LogVerifier};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keyio;
use crate::out::{Fail, Outcome, EXIT_REFUSED};

/// Longest line read before giving up on a file: the core refuses lines over
/// `evidence::MAX_LINE_BYTES` anyway; this only keeps a file without newlines from filling
/// memory.
const MAX_READ_LINE: u64 = evidence::MAX_LINE_BYTES as u64 + 2;

#[derive(Subcommand)]
pub(crate) enum EvidenceCmd {
    /// Verify an evidence log: its files in order (oldest first; a directory is read as
    /// `<prefix>-NNNNNN.jsonl` files), under the server key, with anchors.
    Verify(EvidenceVerifyArgs),
}

#[derive(Args)]
pub(crate) struct EvidenceVerifyArgs {
    /// The server key: a did:key, or a key file / env:VAR (public or secret).
    #[arg(long)]
    pub(crate) key: String,
    /// A file of checkpoint lines kept elsewhere (one per line); repeat for several.
    #[arg(long)]
    pub(crate) anchors: Vec<PathBuf>,
    /// The file-name prefix when a directory is given.
    #[arg(long, default_value = "evidence")]
    pub(crate) prefix: String,
    /// The log's files in order, or one directory.
    #[arg(required = true, num_args = 1..)]
    pub(crate) files: Vec<PathBuf>,
}

pub(crate) fn run(c: &EvidenceCmd) -> Result<Outcome, Fail> {
    match c {
        EvidenceCmd::Verify(a) => verify(a),
    }
}

fn files_of(a: &EvidenceVerifyArgs) -> Result<Vec<PathBuf>, Fail> {
    if let [one] = a.files.as_slice() {
        if one.is_dir() {
            let mut found: Vec<(u64, PathBuf)> = std::fs::read_dir(one)
                .map_err(|e| Fail::io(one, &e))?
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    evidence::file_index(&a.prefix, &name).map(|i| (i, e.path()))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Fail::cannot(
                    "missing_file",
                    format!("{} holds no {}-NNNNNN.jsonl files", one.display(), a.prefix),
                ));
            }
            return Ok(found.into_iter().map(|(_, p)| p).collect());
        }
    }
    Ok(a.files.clone())
}

/// Pushes every line of `path`; a line longer than the core accepts is pushed cut, so the
/// core reports it (`input_too_large`) at its line number instead of this program stopping.
fn push_file(v: &mut LogVerifier, path: &Path) -> Result<(), Fail> {
    let f = std::fs::File::open(path).map_err(|e| Fail::io(path, &e))?;
    let mut r = BufReader::new(f);
    loop {
        let mut buf = Vec::new();
        let n = (&mut r)
            .take(MAX_READ_LINE)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Fail::io(path, &e))?;
        if n == 0 {
            return Ok(());
        }
        let complete = buf.last() == Some(&b'\n');
        if complete {
            buf.pop();
        } else if n as u64 == MAX_READ_LINE {
            // Skip the rest of the over-long line.
            let mut rest = Vec::new();
            let _ = r.read_until(b'\n', &mut rest);
        }
        v.push(&String::from_utf8_lossy(&buf));
    }
}

fn verify(a: &EvidenceVerifyArgs) -> Result<Outcome, Fail> {
    let key = keyio::load_verifying_key(&a.key)?;
    let files = files_of(a)?;
    let mut anchors = Vec::new();
    for p in &a.anchors {
        let text = keyio::read_file_text(p)?;
        anchors.extend(text.lines().filter(|l| !l.is_empty()).map(String::from));
    }
    let mut v = LogVerifier::new(&key);
    for f in &files {
        push_file(&mut v, f)?;
    }
    let anchor_refs: Vec<&str> = anchors.iter().map(String::as_str).collect();
    let report = v.finish(&anchor_refs);
    let text = report.to_json();
    let ok = report.is_valid();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "{} ({} lines, {} records, {} checkpoints, {} anchors matched; {})",
        if ok { "valid" } else { "REFUSED" },
        report.lines,
        report.records,
        report.checkpoints,
        report.anchors_matched,
        if report.from_genesis {
            "from genesis"
        } else {
            "NOT from genesis: earlier files missing"
        }
    );
    for p in &report.problems {
        let _ = writeln!(
            h,
            "line {:>6}  seq {:>8}  {}: {}",
            p.line,
            p.seq.map_or_else(|| String::from("-"), |s| s.to_string()),
            p.code.as_str(),
            p.message
        );
    }
    if report.problems_omitted > 0 {
        let _ = writeln!(h, "… and {} more problems", report.problems_omitted);
    }
    if !ok {
        let first = report
            .problems
            .first()
            .map_or("evidence_chain_broken", |p| p.code.as_str());
        let _ = writeln!(h, "code: {first}");
    }
    Ok(Outcome {
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        json_text: Some(Zeroizing::new(text)),
        human: Zeroizing::new(h),
        exit: if ok { 0 } else { EXIT_REFUSED },
    })
}
