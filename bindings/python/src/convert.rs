//! Conversions between Python values and the core's types. Nothing here decides anything:
//! every check on content is the core's.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use mcp_attest::json::{Number, Object, Value};
use mcp_attest::ErrorCode;
use pyo3::exceptions::{PyRecursionError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::error::{glue_error, CoreResult};

static MEMORYVIEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static JSON_DEFAULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn type_name(ob: &Bound<'_, PyAny>) -> String {
    ob.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| String::from("?"))
}

/// Any bytes-like object (`bytes`, `bytearray`, `memoryview`, …) as bytes; `bytes` is borrowed.
pub(crate) fn bytes_like<'a>(ob: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = ob.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(b) = ob.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    // Other buffer objects through memoryview (abi3 on 3.10 has no buffer API). Not bytes():
    // bytes(5) would be five zero bytes, and bytes([1, 2]) is not a bytes-like input.
    let py = ob.py();
    let view = MEMORYVIEW
        .import(py, "builtins", "memoryview")?
        .call1((ob,))
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{what} must be a bytes-like object, not {}",
                type_name(ob)
            ))
        })?;
    let copy = view.call_method0("tobytes")?;
    let bytes = copy.cast::<PyBytes>()?;
    Ok(Cow::Owned(bytes.as_bytes().to_vec()))
}

/// A `str` argument as UTF-8. A `str` holding lone surrogates has no UTF-8 form:
/// `invalid_unicode`, as the core names text that is not Unicode scalar values.
pub(crate) fn text<'a>(ob: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a str> {
    match ob.cast::<PyString>() {
        Ok(s) => s.to_str().map_err(|_| {
            glue_error(
                ErrorCode::InvalidUnicode,
                "text holds a lone surrogate, which has no UTF-8 form",
            )
        }),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(ob)
        ))),
    }
}

/// An optional `str` argument (`None` is absent).
pub(crate) fn opt_text<'a>(
    ob: Option<&'a Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<&'a str>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => text(o, what).map(Some),
    }
}

/// JSON input: `str` (JSON text), bytes-like (UTF-8 JSON text), or any other Python value,
/// which is serialised with `json.dumps(..., ensure_ascii=False, allow_nan=False)` purely as
/// transport into the core's strict parser (never as signing input).
pub(crate) fn json_text<'a>(ob: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    if let Ok(s) = ob.cast::<PyString>() {
        return text(s.as_any(), what).map(Cow::Borrowed);
    }
    if ob.cast::<PyBytes>().is_ok() || ob.cast::<PyByteArray>().is_ok() {
        return utf8(bytes_like(ob, what)?);
    }
    let py = ob.py();
    let dumps = JSON_DUMPS.import(py, "json", "dumps")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    kwargs.set_item(
        "default",
        JSON_DEFAULT.import(py, "mcp_attest._json", "_default")?,
    )?;
    let out = dumps.call((ob,), Some(&kwargs)).map_err(|e| {
        if e.is_instance_of::<PyRecursionError>(py) {
            glue_error(
                ErrorCode::JsonTooDeep,
                "the value is nested too deeply to serialise",
            )
        } else if e.is_instance_of::<PyValueError>(py) {
            let msg = e.value(py).to_string();
            if msg.contains("float") {
                glue_error(
                    ErrorCode::NumberOutOfRange,
                    "NaN and infinite numbers are not JSON",
                )
            } else {
                glue_error(
                    ErrorCode::InvalidJson,
                    "the value cannot be serialised as JSON",
                )
            }
        } else {
            e
        }
    })?;
    let s = out.cast::<PyString>()?;
    let t = s.to_str().map_err(|_| {
        glue_error(
            ErrorCode::InvalidUnicode,
            "text holds a lone surrogate, which has no UTF-8 form",
        )
    })?;
    Ok(Cow::Owned(t.to_owned()))
}

fn utf8(bytes: Cow<'_, [u8]>) -> PyResult<Cow<'_, str>> {
    let bad = || glue_error(ErrorCode::InvalidUnicode, "JSON text is not UTF-8");
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| bad()),
        Cow::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(|_| bad()),
    }
}

/// The core's JSON value of a JSON input (see [`json_text`]), parsed by the core.
pub(crate) fn json_value(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let t = json_text(ob, what)?;
    mcp_attest::json::parse(&t).py()
}

/// A JSON object input, as the core's object.
pub(crate) fn json_object(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<Object> {
    match json_value(ob, what)? {
        Value::Object(o) => Ok(o),
        _ => Err(glue_error(ErrorCode::InvalidJson, "expected a JSON object")),
    }
}

/// `now`: `None` (the current time), an `int` of Unix seconds, or an aware `datetime`.
pub(crate) fn now(ob: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let ob = match ob {
        Some(o) if !o.is_none() => o,
        _ => return Ok(current_time()),
    };
    seconds(ob, "now")
}

/// An optional point in time (`None` is absent).
pub(crate) fn opt_time(ob: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u64>> {
    match ob {
        Some(o) if !o.is_none() => seconds(o, what).map(Some),
        _ => Ok(None),
    }
}

/// The clock of the host (the core has none). Before 1970 reads as 0.
pub(crate) fn current_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn seconds(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if ob.cast::<PyBool>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int or a datetime, not bool"
        )));
    }
    if ob.cast::<PyInt>().is_ok() {
        return ob.extract::<u64>();
    }
    let py = ob.py();
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    if ob.is_instance(datetime)? {
        if ob.getattr("tzinfo")?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{what} is a naive datetime; pass an aware one (e.g. tzinfo=timezone.utc) or Unix seconds"
            )));
        }
        let ts: f64 = ob.call_method0("timestamp")?.extract()?;
        if !(0.0..1.8e19).contains(&ts) {
            return Err(PyValueError::new_err(format!(
                "{what} is before 1970 or out of range"
            )));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return Ok(ts.floor() as u64);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be an int (Unix seconds), an aware datetime or None, not {}",
        type_name(ob)
    )))
}

/// A core JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => number_to_py(py, *n)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => object_to_py(py, o)?.into_any(),
    })
}

/// A core JSON object as a Python dict.
pub(crate) fn object_to_py<'py>(py: Python<'py>, o: &Object) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in o.iter() {
        d.set_item(k, to_py(py, v)?)?;
    }
    Ok(d)
}

fn number_to_py(py: Python<'_>, n: Number) -> PyResult<Bound<'_, PyAny>> {
    match n.as_i64() {
        Some(i) => Ok(i.into_pyobject(py)?.into_any()),
        None => Ok(PyFloat::new(py, n.as_f64()).into_any()),
    }
}

/// Items of any iterable, each converted by `f`.
pub(crate) fn each<T>(
    ob: &Bound<'_, PyAny>,
    mut f: impl FnMut(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for item in ob.try_iter()? {
        out.push(f(&item?)?);
    }
    Ok(out)
}
