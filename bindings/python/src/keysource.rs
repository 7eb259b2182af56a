//! The core's key-source rules (`mcp_attest::keysource`) for `mcp_attest.load_or_create_key`:
//! the decisions are the core's, the file I/O is Python's.

use mcp_attest::keysource::{self, FileState, KeyConfig, KeyDecision, KeyStep};
use pyo3::prelude::*;

use crate::error::CoreResult;
use crate::keys::{SigningKey, VerifyingKey};

/// A key file to read, as the core's rules named it.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct KeyFile {
    inner: keysource::KeyFile,
}

#[pymethods]
impl KeyFile {
    /// The path, as configured.
    #[getter]
    fn path(&self) -> &str {
        self.inner.path()
    }
    /// Whether ``MCP_ATTEST_PRIVATE_KEY_PATH`` named it (then it must exist).
    #[getter]
    fn named_by_env(&self) -> bool {
        self.inner.named_by_env()
    }
    /// ``(key, warnings)`` for a file's ``text`` and ``mode``, or ``(None, [])`` when
    /// ``text`` is None (no file) and a new key is to be created; raises
    /// ``key_unavailable`` or the key's parse error.
    #[pyo3(signature = (text, mode = None))]
    fn decide(
        &self,
        text: Option<&str>,
        mode: Option<u32>,
    ) -> PyResult<(Option<SigningKey>, Vec<String>)> {
        let state = match text {
            Some(text) => FileState::Present { text, mode },
            None => FileState::Missing,
        };
        Ok(match self.inner.decide(&state).py()? {
            KeyDecision::Loaded { key, warnings } => (Some(SigningKey { inner: *key }), warnings),
            KeyDecision::Create => (None, Vec::new()),
        })
    }
    /// The warning to log after creating a key at ``path``.
    fn created_warning(&self, key: &Bound<'_, VerifyingKey>) -> String {
        self.inner.created_warning(&key.get().inner)
    }
}

/// The first step of the rules: ``(key, None, warnings)`` from the environment, or
/// ``(None, KeyFile, [])`` to read next.
#[pyfunction]
#[pyo3(signature = (env_pem, env_path, path))]
pub(crate) fn key_plan(
    env_pem: Option<&str>,
    env_path: Option<&str>,
    path: Option<&str>,
) -> PyResult<(Option<SigningKey>, Option<KeyFile>, Vec<String>)> {
    let config = KeyConfig {
        env_pem,
        env_path,
        path,
    };
    Ok(match config.plan().py()? {
        KeyStep::Use { key, warnings } => (Some(SigningKey { inner: *key }), None, warnings),
        KeyStep::ReadFile(f) => (None, Some(KeyFile { inner: f }), Vec::new()),
    })
}

/// A warning for a directory a key file goes into (``None``: fine); raises
/// ``unsafe_directory`` for one anyone can write to without the sticky bit.
#[pyfunction]
pub(crate) fn check_key_directory(dir: &str, mode: u32) -> PyResult<Option<String>> {
    keysource::check_key_directory(dir, mode).py()
}
