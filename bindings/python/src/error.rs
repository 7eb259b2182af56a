//! The one place a core [`mcp_attest::Error`] becomes a Python exception.
//!
//! Rust passes `(code, message)`; the class is chosen in Python by
//! `mcp_attest.errors._from_code`, so no exception class is defined here.

use mcp_attest::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_CODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error: `mcp_attest.errors._from_code(code, message)`.
pub(crate) fn to_py_err(err: &Error) -> PyErr {
    Python::attach(|py| exception(py, err.code().as_str(), err.message()))
}

/// The exception object for `code` and `message` (an import failure is returned as is).
pub(crate) fn exception(py: Python<'_>, code: &str, message: &str) -> PyErr {
    let made = FROM_CODE
        .import(py, "mcp_attest.errors", "_from_code")
        .and_then(|f| f.call1((code, message)));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// A core error with a message written by the glue (used only where the glue converts a
/// Python value and the core's own code names the failure, e.g. text that is not UTF-8).
pub(crate) fn glue_error(code: ErrorCode, message: &'static str) -> PyErr {
    to_py_err(&Error::new(code, message))
}

/// `?` for core results.
pub(crate) trait CoreResult<T> {
    /// Maps a core error to its Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> CoreResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| to_py_err(&e))
    }
}
