//! Results, failures and how they are printed: one JSON object on stdout with `--json`,
//! text otherwise; the exit code says which of the documented outcomes it was.

use std::path::Path;

use serde_json::{json, Value};
use zeroize::Zeroizing;

/// Verified / done.
pub(crate) const EXIT_OK: u8 = 0;
/// Refused: what was checked is not acceptable (the code says why).
pub(crate) const EXIT_REFUSED: u8 = 1;
/// Could not check: an input could not be read or parsed, a server did not start or
/// answer. (2 is clap's usage error.)
pub(crate) const EXIT_CANNOT: u8 = 3;

/// A finished command: the JSON object, its text rendering and the exit code.
pub(crate) struct Outcome {
    pub(crate) json: Value,
    /// Printed instead of `json` with `--json` when set: the core's own text (the session
    /// report), byte for byte what the other adapters print, not a re-serialisation.
    pub(crate) json_text: Option<Zeroizing<String>>,
    /// Wiped on drop: for `keygen --stdout` it is (or contains) the secret.
    pub(crate) human: Zeroizing<String>,
    pub(crate) exit: u8,
}

impl Outcome {
    pub(crate) fn ok(json: Value, human: String) -> Outcome {
        Outcome {
            json,
            json_text: None,
            human: Zeroizing::new(human),
            exit: EXIT_OK,
        }
    }
}

/// A command that stopped with an error code.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) exit: u8,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Fail {
    pub(crate) fn refused(code: &str, message: String) -> Fail {
        Fail {
            exit: EXIT_REFUSED,
            code: code.to_owned(),
            message,
        }
    }

    pub(crate) fn cannot(code: &str, message: String) -> Fail {
        Fail {
            exit: EXIT_CANNOT,
            code: code.to_owned(),
            message,
        }
    }

    /// A core error on what is being verified: a refusal, with the core's stable code.
    pub(crate) fn refused_core(e: mcp_attest::Error) -> Fail {
        Fail::refused(e.code().as_str(), e.message().to_owned())
    }

    /// A core error on one of our own inputs (a key, a JWKS, a trust store): could not check.
    pub(crate) fn cannot_core(e: mcp_attest::Error) -> Fail {
        Fail::cannot(e.code().as_str(), e.message().to_owned())
    }

    pub(crate) fn io(path: &Path, e: &std::io::Error) -> Fail {
        Fail::cannot("io_error", format!("{}: {e}", path.display()))
    }
}

/// Prints an outcome and returns its exit code.
pub(crate) fn print_outcome(o: &Outcome, as_json: bool) -> u8 {
    if as_json {
        match &o.json_text {
            Some(t) => println!("{}", t.as_str()),
            None => println!("{}", o.json),
        }
    } else if !o.human.is_empty() {
        print!("{}", o.human.as_str());
        if !o.human.ends_with('\n') {
            println!();
        }
    }
    o.exit
}

/// Prints a failure: the JSON object on stdout with `--json` (so a script always has one
/// object to parse), else `error: code: message` on stderr.
pub(crate) fn print_fail(f: &Fail, as_json: bool) -> u8 {
    if as_json {
        println!(
            "{}",
            json!({"ok": false, "code": f.code, "message": f.message, "exit": f.exit})
        );
    } else {
        eprintln!("error: {}: {}", f.code, f.message);
    }
    f.exit
}
