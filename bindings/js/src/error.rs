//! The only place a core error becomes a JS value.

use mcp_attest::{Error, ErrorCode};
use wasm_bindgen::JsValue;

/// A JS `Error` named `McpAttestError` carrying the core's `code`; the TS layer picks the
/// subclass from the code.
pub(crate) fn to_js(err: Error) -> JsValue {
    let e = js_sys::Error::new(err.message());
    e.set_name("McpAttestError");
    // Reflect::set on a fresh Error object cannot fail; a failure would only lose the code,
    // which the TS layer reports as an unknown error rather than trapping.
    let _ = js_sys::Reflect::set(
        &e,
        &JsValue::from_str("code"),
        &JsValue::from_str(err.code().as_str()),
    );
    e.into()
}

/// Result type of every fallible export.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// Maps a core result into a JS one.
pub(crate) fn js<T>(r: mcp_attest::Result<T>) -> JsResult<T> {
    r.map_err(to_js)
}

/// An error with a constant message.
pub(crate) fn err(code: ErrorCode, message: &'static str) -> JsValue {
    to_js(Error::new(code, message))
}
