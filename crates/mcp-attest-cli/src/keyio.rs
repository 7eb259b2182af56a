//! Reading keys from files and environment variables, and writing secrets safely.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use mcp_attest::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::out::Fail;

/// Largest key file read: a PEM or JWK is a few hundred bytes; anything far larger is not a
/// key, and reading it whole into memory is pointless.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Reads the text a key argument names: `env:VAR` (the variable holds the key; a variable
/// whose name ends in `_PATH`, as `MCP_ATTEST_PRIVATE_KEY_PATH`, holds a file path) or a
/// file path. The text is wiped when dropped.
pub(crate) fn read_key_text(spec: &str) -> Result<Zeroizing<String>, Fail> {
    if let Some(var) = spec.strip_prefix("env:") {
        let value = Zeroizing::new(std::env::var(var).map_err(|_| {
            Fail::cannot(
                "key_unavailable",
                format!("environment variable {var} is not set (or not UTF-8)"),
            )
        })?);
        if var.ends_with("_PATH") {
            return read_file_text(Path::new(value.trim()));
        }
        return Ok(value);
    }
    read_file_text(Path::new(spec))
}

/// Reads a small text file (keys, tokens, JWKS) as a wiped-on-drop string.
pub(crate) fn read_file_text(path: &Path) -> Result<Zeroizing<String>, Fail> {
    let meta = fs::metadata(path).map_err(|e| Fail::io(path, &e))?;
    if meta.len() > MAX_KEY_FILE {
        return Err(Fail::cannot(
            "input_too_large",
            format!("{} is larger than {MAX_KEY_FILE} bytes", path.display()),
        ));
    }
    let bytes = Zeroizing::new(fs::read(path).map_err(|e| Fail::io(path, &e))?);
    let text = core::str::from_utf8(&bytes)
        .map_err(|_| Fail::cannot("invalid_utf8", format!("{} is not UTF-8", path.display())))?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// A secret key: a PKCS#8 PEM (including the env-var escaped forms the core accepts) or a
/// secret JWK. A key that does not parse is exit 3 with the core's code: the program could
/// not do what was asked with it.
pub(crate) fn load_signing_key(spec: &str) -> Result<SigningKey, Fail> {
    let text = read_key_text(spec)?;
    let t = text.trim();
    let parsed = if t.starts_with('{') {
        SigningKey::from_jwk(t)
    } else {
        SigningKey::from_pkcs8_pem(&text)
    };
    parsed.map_err(Fail::cannot_core)
}

/// A public key: a did:key, or a file/env var holding a public PEM (SPKI), a public or
/// secret JWK, or a secret PEM (its public half is used).
pub(crate) fn load_verifying_key(spec: &str) -> Result<VerifyingKey, Fail> {
    if spec.starts_with("did:key:") {
        return VerifyingKey::from_did_key(spec).map_err(Fail::cannot_core);
    }
    let text = read_key_text(spec)?;
    let t = text.trim();
    let parsed = if t.starts_with('{') {
        if t.contains("\"d\"") {
            SigningKey::from_jwk(t).map(|k| k.verifying_key())
        } else {
            VerifyingKey::from_jwk(t)
        }
    } else if t.contains("PUBLIC KEY") {
        VerifyingKey::from_spki_pem(t)
    } else {
        SigningKey::from_pkcs8_pem(&text).map(|k| k.verifying_key())
    };
    parsed.map_err(Fail::cannot_core)
}

/// The directory a new file goes into (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks the directory a secret goes into. A world-writable directory without the sticky
/// bit is refused: anyone could rename our file away and put theirs in its place (the next
/// run would then load an attacker's key). With the sticky bit (`/tmp`), others cannot
/// rename or delete our file, and we never write through an existing name without
/// `--force`, so it is allowed with a warning. A world-readable directory only reveals the
/// file's name (the file itself is 0600): a warning.
pub(crate) fn check_secret_dir(path: &Path) -> Result<(), Fail> {
    let dir = parent_dir(path);
    let meta = fs::metadata(&dir).map_err(|e| Fail::io(&dir, &e))?;
    let mode = meta.mode();
    if mode & 0o002 != 0 {
        if mode & 0o1000 == 0 {
            return Err(Fail::refused(
                "unsafe_directory",
                format!(
                    "{} is world-writable (mode {:o}) without the sticky bit: anyone could \
                     replace the key file; choose a private directory",
                    dir.display(),
                    mode & 0o7777
                ),
            ));
        }
        eprintln!(
            "warning: {} is world-writable (sticky); the key file itself is 0600",
            dir.display()
        );
    } else if mode & 0o004 != 0 {
        eprintln!(
            "warning: {} is world-readable (mode {:o}); the key file itself is 0600",
            dir.display(),
            mode & 0o777
        );
    }
    Ok(())
}

/// Writes `data` to `path` atomically with mode 0600: a temporary file in the same directory
/// (created 0600, so the secret is never readable by others even for a moment), fsync,
/// rename, fsync of the directory. Without `overwrite`, an existing file is never replaced
/// (checked by the rename itself, so a file created meanwhile is not clobbered either).
pub(crate) fn write_private(path: &Path, data: &[u8], overwrite: bool) -> Result<(), Fail> {
    write_atomic(path, data, overwrite, 0o600)
}

/// [`write_private`] with another mode: 0644 for public documents (revocation lists,
/// rotation attestations), which are meant to be published.
pub(crate) fn write_atomic(
    path: &Path,
    data: &[u8],
    overwrite: bool,
    mode: u32,
) -> Result<(), Fail> {
    let dir = parent_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".mcp-attest-")
        .tempfile_in(&dir)
        .map_err(|e| Fail::io(&dir, &e))?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(|e| Fail::io(tmp.path(), &e))?;
    tmp.write_all(data).map_err(|e| Fail::io(path, &e))?;
    tmp.as_file().sync_all().map_err(|e| Fail::io(path, &e))?;
    let persisted = if overwrite {
        tmp.persist(path).map(drop)
    } else {
        tmp.persist_noclobber(path).map(drop)
    };
    if let Err(e) = persisted {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(exists(path));
        }
        return Err(Fail::io(path, &e.error));
    }
    // The rename is durable only once the directory entry is.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The refusal for an existing file without `--force`.
pub(crate) fn exists(path: &Path) -> Fail {
    Fail::refused(
        "file_exists",
        format!(
            "{} exists; pass --force to replace it (the old key is lost)",
            path.display()
        ),
    )
}
