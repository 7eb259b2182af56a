//! Every example in docs/cli.md is run: each ```` ```console ```` block, in order, in one
//! scratch directory, and its output compared with the page. The format is described at the
//! top of docs/cli.md (an HTML comment): `$ ` starts a command (a line ending in `\`
//! continues it), the lines after it are its expected output, stdout and stderr together in
//! the order written; `...` alone on a line matches any number of lines, `…` inside a line
//! any text; `[exit N]` as the last expected line says the command exits N (otherwise it
//! must exit 0).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    missing_docs
)]

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// One `$ ` command and what the page says it prints.
struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
    exit: i32,
}

/// The console blocks' examples, in page order.
fn examples(page: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut continuing = false;
    for (i, line) in page.lines().enumerate() {
        if !in_block {
            in_block = line.trim_end() == "```console";
            continue;
        }
        if line.trim_end() == "```" {
            in_block = false;
            continuing = false;
            continue;
        }
        if continuing {
            let ex = out.last_mut().unwrap();
            ex.command.push('\n');
            ex.command.push_str(line);
            continuing = line.ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                line: i + 1,
                command: cmd.to_owned(),
                expected: Vec::new(),
                exit: 0,
            });
            continuing = cmd.ends_with('\\');
        } else {
            let ex = out
                .last_mut()
                .unwrap_or_else(|| panic!("docs line {}: output before any `$ ` command", i + 1));
            ex.expected.push(line.to_owned());
        }
    }
    for ex in &mut out {
        if let Some(n) = ex
            .expected
            .last()
            .and_then(|l| l.strip_prefix("[exit ")?.strip_suffix(']')?.parse().ok())
        {
            ex.exit = n;
            ex.expected.pop();
        }
    }
    out
}

/// `…` inside a line matches any text (including none).
fn line_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('…');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.len() >= part.len() && rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// `...` alone on a line matches any number of lines.
fn lines_match(pattern: &[String], text: &[&str]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((p, rest)) if p == "..." => (0..=text.len()).any(|k| lines_match(rest, &text[k..])),
        Some((p, rest)) => text
            .split_first()
            .is_some_and(|(t, trest)| line_matches(p, t) && lines_match(rest, trest)),
    }
}

/// Runs the page's examples in `dir`; the first difference is the error.
fn run_page(page: &str, dir: &Path) -> Result<usize, String> {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mcp-attest"))
        .parent()
        .unwrap()
        .to_owned();
    let repo = repo();
    let path = format!(
        "{}:{}:{}",
        bin_dir.display(),
        repo.join(".venv/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let exs = examples(page);
    for ex in &exs {
        // stderr into the same pipe as stdout: the page shows what a terminal shows.
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1\n{}", ex.command))
            .current_dir(dir)
            .env("REPO", &repo)
            .env("PATH", &path)
            .env_remove("MCP_ATTEST_PRIVATE_KEY_PEM")
            .env_remove("MCP_ATTEST_PRIVATE_KEY_PATH")
            .output()
            .map_err(|e| format!("cannot run bash: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let got: Vec<&str> = text.lines().collect();
        let code = out.status.code().unwrap_or(-1);
        if code != ex.exit || !lines_match(&ex.expected, &got) {
            let mut msg = format!(
                "docs/cli.md line {}: $ {}\nexpected (exit {}):\n",
                ex.line, ex.command, ex.exit
            );
            for l in &ex.expected {
                let _ = writeln!(msg, "  {l}");
            }
            let _ = writeln!(msg, "got (exit {code}):");
            for l in &got {
                let _ = writeln!(msg, "  {l}");
            }
            return Err(msg);
        }
    }
    Ok(exs.len())
}

/// Background servers an example starts (dnsmasq) write a `*.pid` file in the scratch
/// directory; they are stopped even when an example fails halfway.
struct Scratch(tempfile::TempDir);

impl Drop for Scratch {
    fn drop(&mut self) {
        let Ok(entries) = std::fs::read_dir(self.0.path()) else {
            return;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "pid") {
                if let Ok(pid) = std::fs::read_to_string(e.path()) {
                    let _ = Command::new("kill").arg(pid.trim()).status();
                }
            }
        }
    }
}

impl Scratch {
    /// A private directory (0700), as a user's working directory for keys should be: the
    /// key commands warn about a world-readable one.
    fn new() -> Scratch {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        Scratch(d)
    }
}

fn page() -> String {
    std::fs::read_to_string(repo().join("docs/cli.md")).unwrap()
}

#[test]
fn every_console_example_in_docs_cli_md_prints_what_the_page_says() {
    let dir = Scratch::new();
    let n = run_page(&page(), dir.0.path()).unwrap_or_else(|e| panic!("{e}"));
    // Not vacuous: the page's examples are found and run.
    assert!(n >= 30, "only {n} examples found in docs/cli.md");
}

#[test]
fn the_harness_fails_when_an_example_output_or_exit_changes() {
    let good = "```console\n$ echo hello; echo world\nhello\n...\n$ echo 'a b c'\na … c\n```\n";
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_page(good, dir.path()), Ok(2));
    for bad in [
        "```console\n$ echo hello\nhallo\n```\n",
        "```console\n$ echo hello; echo more\nhello\n```\n",
        "```console\n$ false\n```\n",
        "```console\n$ true\n[exit 1]\n```\n",
        "```console\n$ echo 'a b'\na … c\n```\n",
    ] {
        assert!(run_page(bad, dir.path()).is_err(), "{bad}");
    }
    // The real page, with one output line changed, fails at that line.
    let page = page();
    let changed = page.replacen(
        "wrote server.pem (mode 0600)",
        "wrote server.pem (mode 0644)",
        1,
    );
    assert_ne!(
        changed, page,
        "the example this test edits is gone from docs/cli.md"
    );
    let dir = Scratch::new();
    let err = run_page(&changed, dir.0.path()).unwrap_err();
    assert!(err.contains("mode 0644"), "{err}");
}
