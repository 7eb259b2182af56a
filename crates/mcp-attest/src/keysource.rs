//! Where a server's signing key comes from, decided once for every language: the rules of
//! `loadOrCreateKey` (TypeScript) and `load_or_create_key` (Python). No I/O happens here; a
//! binding reads the environment and the file, passes what it found, and does what the
//! answer says.
//!
//! The rules, in order:
//!
//! 1. `MCP_ATTEST_PRIVATE_KEY_PEM` set: that key (a PKCS#8 PEM, also quoted or with literal
//!    `\n` as `.env` files and secret stores write it, or a secret JWK). Set but empty or
//!    invalid is an error, never a reason to fall through to a new key.
//! 2. `MCP_ATTEST_PRIVATE_KEY_PATH` set: the key in that file, which must exist (the
//!    operator said where the key is; a volume that was not mounted must not mint a new
//!    identity): missing is `key_unavailable`.
//! 3. The caller's `path`: the key in that file; if there is no file yet, a new key is
//!    written there (mode 0600, never over an existing file) with a warning naming the file
//!    to keep.
//! 4. Nothing configured: `key_unavailable`. There is no default location: one shared by
//!    every server of a user would give different servers one identity, and one relative to
//!    the working directory moves with wherever a client happens to start the server.
//!
//! ```
//! use mcp_attest::keysource::{FileState, KeyConfig, KeyDecision, KeyStep};
//! use mcp_attest::{ErrorCode, SigningKey};
//!
//! // A first start: nothing in the environment, no file yet.
//! let config = KeyConfig { path: Some("/srv/app/server-key.pem"), ..KeyConfig::default() };
//! let KeyStep::ReadFile(file) = config.plan()? else { unreachable!() };
//! assert!(matches!(file.decide(&FileState::Missing)?, KeyDecision::Create));
//!
//! // The variable set but unusable is an error, whatever else is configured.
//! let broken = KeyConfig { env_pem: Some("\"-----BEGIN PRIVATE KEY-----\\nAAAA\""), ..config };
//! assert_eq!(broken.plan().unwrap_err().code(), ErrorCode::MalformedPem);
//!
//! // The PEM as a .env file holds it: quoted, with literal \n.
//! let pem = SigningKey::from_bytes(&[5; 32]).to_pkcs8_pem()?;
//! let escaped = format!("\"{}\"", pem.replace('\n', "\\n"));
//! let from_env = KeyConfig { env_pem: Some(&escaped), ..KeyConfig::default() };
//! let KeyStep::Use { key, .. } = from_env.plan()? else { unreachable!() };
//! assert_eq!(key.verifying_key(), SigningKey::from_bytes(&[5; 32]).verifying_key());
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, Error, Result};
use crate::keys::{SigningKey, VerifyingKey};

/// The environment variable holding the server's private key (PKCS#8 PEM).
pub const PRIVATE_KEY_PEM_ENV: &str = "MCP_ATTEST_PRIVATE_KEY_PEM";
/// The environment variable naming the file that holds the server's private key.
pub const PRIVATE_KEY_PATH_ENV: &str = "MCP_ATTEST_PRIVATE_KEY_PATH";
/// Largest key file a binding reads: a PEM or JWK is a few hundred bytes.
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

/// What a binding found: the two environment variables and its caller's `path` option.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyConfig<'a> {
    /// The value of [`PRIVATE_KEY_PEM_ENV`], if set.
    pub env_pem: Option<&'a str>,
    /// The value of [`PRIVATE_KEY_PATH_ENV`], if set.
    pub env_path: Option<&'a str>,
    /// The file the application keeps its key in, created if missing.
    pub path: Option<&'a str>,
}

/// The first answer: the key, or the file to read next.
#[derive(Debug)]
pub enum KeyStep {
    /// The key from [`PRIVATE_KEY_PEM_ENV`].
    Use {
        /// The key (boxed: the variants would otherwise differ much in size).
        key: Box<SigningKey>,
        /// Warnings to log (never secret).
        warnings: Vec<String>,
    },
    /// Read this file and call [`KeyFile::decide`] with what was found.
    ReadFile(KeyFile),
}

/// A key file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFile {
    path: String,
    from_env: bool,
}

/// What a binding found at [`KeyFile::path`].
#[derive(Clone, Copy, Debug)]
pub enum FileState<'a> {
    /// No file at that path.
    Missing,
    /// The file's text and its Unix permission bits (`None` where there are none).
    Present {
        /// The file's contents.
        text: &'a str,
        /// `st_mode & 0o777`.
        mode: Option<u32>,
    },
}

/// The final answer for a key file.
#[derive(Debug)]
pub enum KeyDecision {
    /// The key in the file.
    Loaded {
        /// The key (boxed: the variants would otherwise differ much in size).
        key: Box<SigningKey>,
        /// Warnings to log (a file others can read).
        warnings: Vec<String>,
    },
    /// No file yet: generate a key, write it as PKCS#8 PEM to the path with mode 0600 and
    /// without replacing a file that appeared meanwhile (then load that one instead), and
    /// log [`KeyFile::created_warning`].
    Create,
}

impl KeyConfig<'_> {
    /// Applies the rules of the [module documentation](self) to the environment.
    ///
    /// # Errors
    /// `key_unavailable` (a variable set but empty, or nothing configured); the key's parse
    /// error (`malformed_pem`, `malformed_der`, `malformed_jwk`, `key_mismatch`, …) when
    /// [`PRIVATE_KEY_PEM_ENV`] holds no valid key.
    pub fn plan(&self) -> Result<KeyStep> {
        if let Some(pem) = self.env_pem {
            if pem.trim().is_empty() {
                return Err(err!(
                    KeyUnavailable,
                    "{PRIVATE_KEY_PEM_ENV} is set but empty; unset it or give it the key \
                     (a new key is not generated in its place)"
                ));
            }
            let key = parse_key(pem).map_err(|e| {
                context(&e, format_args!("{PRIVATE_KEY_PEM_ENV} holds no valid key"))
            })?;
            let mut warnings = Vec::new();
            if self.env_path.is_some() {
                warnings.push(format!(
                    "both {PRIVATE_KEY_PEM_ENV} and {PRIVATE_KEY_PATH_ENV} are set; using \
                     {PRIVATE_KEY_PEM_ENV}"
                ));
            }
            return Ok(KeyStep::Use {
                key: Box::new(key),
                warnings,
            });
        }
        if let Some(path) = self.env_path {
            let path = path.trim();
            if path.is_empty() {
                return Err(err!(
                    KeyUnavailable,
                    "{} is set but empty; unset it or name the key file",
                    PRIVATE_KEY_PATH_ENV
                ));
            }
            return Ok(KeyStep::ReadFile(KeyFile {
                path: String::from(path),
                from_env: true,
            }));
        }
        match self.path {
            Some(p) if !p.trim().is_empty() => Ok(KeyStep::ReadFile(KeyFile {
                path: String::from(p),
                from_env: false,
            })),
            _ => Err(err!(
                KeyUnavailable,
                "no server key configured: set {PRIVATE_KEY_PEM_ENV} (the PEM) or \
                 {PRIVATE_KEY_PATH_ENV} (a key file), or pass a path to keep the key in"
            )),
        }
    }
}

impl KeyFile {
    /// The path to read, as configured.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the path came from [`PRIVATE_KEY_PATH_ENV`] (then the file must exist).
    #[must_use]
    pub fn named_by_env(&self) -> bool {
        self.from_env
    }

    /// Decides on what the binding found at [`KeyFile::path`].
    ///
    /// # Errors
    /// `key_unavailable` (a file named by [`PRIVATE_KEY_PATH_ENV`] is missing),
    /// `input_too_large`, the key's parse error (a file that holds no valid key is never
    /// replaced).
    pub fn decide(&self, state: &FileState<'_>) -> Result<KeyDecision> {
        match *state {
            FileState::Missing if self.from_env => Err(err!(
                KeyUnavailable,
                "{PRIVATE_KEY_PATH_ENV} names {:?}, which does not exist; a new key is not \
                 generated in its place (create one with `mcp-attest keygen --out {}`, or \
                 mount the volume that holds it)",
                self.path,
                self.path
            )),
            FileState::Missing => Ok(KeyDecision::Create),
            FileState::Present { text, mode } => {
                if text.len() > MAX_KEY_FILE_BYTES {
                    return Err(err!(
                        InputTooLarge,
                        "key file {:?} is larger than {MAX_KEY_FILE_BYTES} bytes",
                        self.path
                    ));
                }
                let key = parse_key(text).map_err(|e| {
                    context(
                        &e,
                        format_args!("key file {:?} holds no valid key", self.path),
                    )
                })?;
                let mut warnings = Vec::new();
                if let Some(m) = mode {
                    if m & 0o077 != 0 {
                        warnings.push(format!(
                            "key file {:?} is readable or writable by others (mode {:o}); \
                             chmod 600 it",
                            self.path,
                            m & 0o777
                        ));
                    }
                }
                Ok(KeyDecision::Loaded {
                    key: Box::new(key),
                    warnings,
                })
            }
        }
    }

    /// The warning for a key just created at [`KeyFile::path`]: what to keep, and how.
    #[must_use]
    pub fn created_warning(&self, key: &VerifyingKey) -> String {
        format!(
            "created a new server key {} in {:?} (mode 0600). This file is the server's \
             identity: clients pin it, and a new key looks to them like an impostor \
             (pinned_key_changed). Keep the file across deploys and restarts (a persistent \
             volume), back it up, or put its contents in {PRIVATE_KEY_PEM_ENV}.",
            key.to_did_key(),
            self.path
        )
    }
}

/// Checks the directory a new key file goes into, from its Unix mode bits. Writable by
/// anyone without the sticky bit is refused: anyone could rename the key file away and put
/// theirs in its place. With the sticky bit (`/tmp`) others cannot, so it is a warning.
///
/// # Errors
/// `unsafe_directory`.
pub fn check_key_directory(dir: &str, mode: u32) -> Result<Option<String>> {
    if mode & 0o002 == 0 {
        return Ok(None);
    }
    if mode & 0o1000 == 0 {
        return Err(err!(
            UnsafeDirectory,
            "{dir:?} is world-writable (mode {:o}) without the sticky bit: anyone could replace \
             the key file; choose a private directory",
            mode & 0o7777
        ));
    }
    Ok(Some(format!(
        "{dir:?} is world-writable (sticky); the key file itself is 0600"
    )))
}

/// The same error with where it happened in front (the parse message never holds key bytes).
fn context(e: &Error, what: core::fmt::Arguments<'_>) -> Error {
    Error::with_message(e.code(), format!("{what}: {}", e.message()))
}

/// A secret key from a PKCS#8 PEM (with the environment-variable forms) or a secret JWK.
fn parse_key(text: &str) -> Result<SigningKey> {
    let t = text.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if t.starts_with('{') {
        SigningKey::from_jwk(t)
    } else {
        SigningKey::from_pkcs8_pem(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn pem(seed: u8) -> String {
        String::from(
            SigningKey::from_bytes(&[seed; 32])
                .to_pkcs8_pem()
                .unwrap()
                .as_str(),
        )
    }

    fn file(config: KeyConfig<'_>) -> KeyFile {
        match config.plan().unwrap() {
            KeyStep::ReadFile(f) => f,
            KeyStep::Use { .. } => panic!("expected a file"),
        }
    }

    #[test]
    fn the_environment_pem_wins_in_every_form() {
        let want = SigningKey::from_bytes(&[4; 32]).verifying_key();
        let p = pem(4);
        for form in [
            p.clone(),
            format!("\"{}\"", p.replace('\n', "\\n")),
            format!("'{}'", p.replace('\n', "\\n")),
            p.replace('\n', "\r\n"),
            format!("  {p}  \n"),
            String::from(SigningKey::from_bytes(&[4; 32]).to_jwk().as_str()),
        ] {
            let c = KeyConfig {
                env_pem: Some(&form),
                env_path: Some("/nonexistent"),
                path: Some("/also/not"),
            };
            match c.plan().unwrap() {
                KeyStep::Use { key, warnings } => {
                    assert_eq!(key.verifying_key(), want, "{form:?}");
                    assert_eq!(warnings.len(), 1);
                }
                KeyStep::ReadFile(_) => panic!("{form:?}"),
            }
        }
    }

    #[test]
    fn an_empty_path_variable_is_named_in_the_error() {
        // The message once printed the literal "{PRIVATE_KEY_PATH_ENV}" (err! with an inline
        // capture takes its constant arm).
        let e = KeyConfig {
            env_pem: None,
            env_path: Some("  "),
            path: None,
        }
        .plan()
        .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::KeyUnavailable);
        assert!(
            e.message()
                .starts_with("MCP_ATTEST_PRIVATE_KEY_PATH is set but empty"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_configured_key_that_is_not_there_is_an_error_never_a_new_key() {
        let bad = KeyConfig {
            env_pem: Some("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----"),
            path: Some("/tmp/x.pem"),
            ..KeyConfig::default()
        };
        assert_eq!(bad.plan().unwrap_err().code(), ErrorCode::MalformedPem);
        let empty = KeyConfig {
            env_pem: Some("  "),
            path: Some("/tmp/x.pem"),
            ..KeyConfig::default()
        };
        assert_eq!(empty.plan().unwrap_err().code(), ErrorCode::KeyUnavailable);
        let empty_path = KeyConfig {
            env_path: Some(""),
            path: Some("/tmp/x.pem"),
            ..KeyConfig::default()
        };
        assert_eq!(
            empty_path.plan().unwrap_err().code(),
            ErrorCode::KeyUnavailable
        );
        let nothing = KeyConfig::default();
        assert_eq!(
            nothing.plan().unwrap_err().code(),
            ErrorCode::KeyUnavailable
        );

        let from_env = file(KeyConfig {
            env_path: Some(" /srv/key.pem "),
            path: Some("/tmp/x.pem"),
            ..KeyConfig::default()
        });
        assert_eq!(from_env.path(), "/srv/key.pem");
        let missing = from_env.decide(&FileState::Missing).unwrap_err();
        assert_eq!(missing.code(), ErrorCode::KeyUnavailable);
        assert!(missing.message().contains("/srv/key.pem"));
    }

    #[test]
    fn the_callers_path_is_created_when_missing_and_loaded_when_present() {
        let f = file(KeyConfig {
            path: Some("/srv/key.pem"),
            ..KeyConfig::default()
        });
        assert!(!f.named_by_env());
        assert!(matches!(
            f.decide(&FileState::Missing).unwrap(),
            KeyDecision::Create
        ));
        let text = pem(6);
        match f
            .decide(&FileState::Present {
                text: &text,
                mode: Some(0o600),
            })
            .unwrap()
        {
            KeyDecision::Loaded { key, warnings } => {
                assert_eq!(
                    key.verifying_key(),
                    SigningKey::from_bytes(&[6; 32]).verifying_key()
                );
                assert!(warnings.is_empty());
            }
            KeyDecision::Create => panic!("loaded expected"),
        }
        match f
            .decide(&FileState::Present {
                text: &text,
                mode: Some(0o644),
            })
            .unwrap()
        {
            KeyDecision::Loaded { warnings, .. } => assert!(warnings[0].contains("chmod 600")),
            KeyDecision::Create => panic!("loaded expected"),
        }
        // A file that holds garbage is an error, never overwritten.
        let garbage = f
            .decide(&FileState::Present {
                text: "",
                mode: None,
            })
            .unwrap_err();
        assert_eq!(garbage.code(), ErrorCode::MalformedPem);
        let w = f.created_warning(&SigningKey::from_bytes(&[6; 32]).verifying_key());
        assert!(
            w.contains("/srv/key.pem") && w.contains(PRIVATE_KEY_PEM_ENV) && w.contains("did:key:")
        );
        assert!(!w.contains(text.lines().nth(1).unwrap()));
    }

    #[test]
    fn directories_anyone_can_write_are_refused_unless_sticky() {
        assert_eq!(check_key_directory("/d", 0o700).unwrap(), None);
        assert_eq!(check_key_directory("/d", 0o755).unwrap(), None);
        assert!(check_key_directory("/tmp", 0o1777).unwrap().is_some());
        assert_eq!(
            check_key_directory("/d", 0o777).unwrap_err().code(),
            ErrorCode::UnsafeDirectory
        );
    }
}
