//! Strict JSON parsing (RFC 8259 restricted to I-JSON, RFC 7493) and RFC 8785 (JCS)
//! canonical serialisation.
//!
//! Signatures over tool definitions are computed over canonical bytes, so two parties
//! must agree exactly on which texts are JSON and what they mean. The parser therefore
//! rejects everything that other parsers resolve differently: duplicate member names,
//! lone surrogates, numbers that are not finite, integer literals an IEEE-754 double would
//! round (such as 9007199254740993), a byte order mark, non-JSON whitespace, and trailing
//! data. Integer literals beyond 2^53 that a double holds exactly, or that are exactly how
//! ECMAScript prints a double (`18446744073709552000`, what `JSON.stringify` writes for
//! 2^64), are accepted as that double: JSON numbers are doubles here, as in I-JSON, and this
//! keeps every canonical output of this parser parseable again.
//! Input size and nesting depth are bounded by [`Limits`], checked before the work they
//! bound, and parsing runs in linear time without recursion.
//!
//! ```
//! use mcp_attest::json;
//!
//! let canonical = json::canonicalize(r#"{ "b": [1.0, 1e2, "\u00e9"], "a": null }"#)?;
//! assert_eq!(canonical, r#"{"a":null,"b":[1,100,"é"]}"#);
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use crate::error::{err, excerpt, Error};

/// Default for [`Limits::max_bytes`]: 1 MiB.
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

/// Default for [`Limits::max_depth`]: 64 nested arrays or objects.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Largest magnitude of an integer that every IEEE-754 double consumer reads exactly
/// (2^53 − 1, JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The longest number literal the parser reads, in bytes (sign, digits, point and exponent).
///
/// Every serialiser writes a double in at most 25 bytes, and every integer we accept beyond
/// 2^53 in at most 39, so 512 refuses nothing honest. The bound exists because `core`'s
/// float parser stops accumulating an exponent past 65,535 and then reads a literal whose
/// long run of zeros cancels a huge exponent (`-0.000…0005e655369`, 655 KB) as 0, where
/// ECMAScript, Python and serde_json read −5e9: a signed `"minimum": 0` could be swapped for
/// it. Within 512 bytes the digits cannot cancel an exponent that large, so every literal
/// that parses is read as the correctly rounded double that ECMAScript's `Number()` gives.
pub const MAX_NUMBER_LITERAL_BYTES: usize = 512;

/// Bounds on the input the parser accepts.
///
/// ```
/// use mcp_attest::json::{parse_with_limits, Limits};
/// use mcp_attest::ErrorCode;
///
/// let tight = Limits { max_bytes: 16, max_depth: 2 };
/// assert!(parse_with_limits("[[1]]", tight).is_ok());
/// assert_eq!(parse_with_limits("[[[1]]]", tight).unwrap_err().code(), ErrorCode::JsonTooDeep);
/// assert_eq!(
///     parse_with_limits("\"a long string literal\"", tight).unwrap_err().code(),
///     ErrorCode::InputTooLarge,
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes of UTF-8. Longer input fails with
    /// [`InputTooLarge`](crate::ErrorCode::InputTooLarge) before it is looked at.
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays and objects; a top-level array or object is
    /// depth 1, and scalars add no depth. Deeper input fails with
    /// [`JsonTooDeep`](crate::ErrorCode::JsonTooDeep).
    ///
    /// The parser itself never recurses, but dropping, cloning, comparing and
    /// debug-printing a [`Value`] do, once per level: keep this in the hundreds at most.
    pub max_depth: usize,
}

impl Default for Limits {
    /// [`DEFAULT_MAX_BYTES`] and [`DEFAULT_MAX_DEPTH`].
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A parsed JSON value.
///
/// ```
/// use mcp_attest::json::{parse, Value};
///
/// let v = parse(r#"{"name": "get_weather", "tags": ["a", "b"], "hidden": false}"#)?;
/// assert_eq!(v.get("name").and_then(Value::as_str), Some("get_weather"));
/// assert_eq!(v.get("tags").and_then(Value::as_array).map(<[Value]>::len), Some(2));
/// assert_eq!(v.get("hidden").and_then(Value::as_bool), Some(false));
/// assert!(v.get("missing").is_none());
/// # Ok::<(), mcp_attest::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A finite number.
    Number(Number),
    /// A string (any Unicode scalar values; lone surrogates are rejected by the parser).
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object with unique member names.
    Object(Object),
}

/// A finite JSON number, held as an IEEE-754 double as in JavaScript and RFC 8785.
///
/// `-0.0` is allowed and serialises as `0`, as ECMAScript does.
///
/// ```
/// use mcp_attest::json::Number;
/// use mcp_attest::ErrorCode;
///
/// assert_eq!(Number::from_i64(42)?.as_u64(), Some(42));
/// assert_eq!(Number::from_f64(0.5)?.as_i64(), None);
/// assert_eq!(Number::from_f64(f64::NAN).unwrap_err().code(), ErrorCode::NumberOutOfRange);
/// assert_eq!(Number::from_i64(1 << 53).unwrap_err().code(), ErrorCode::NumberOutOfRange);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number(f64);

impl Number {
    /// The number `f`; [`NumberOutOfRange`](crate::ErrorCode::NumberOutOfRange) if `f`
    /// is NaN or infinite, which JSON cannot express.
    pub fn from_f64(f: f64) -> Result<Number, Error> {
        if f.is_finite() {
            Ok(Number(f))
        } else {
            Err(err!(NumberOutOfRange, "JSON numbers must be finite"))
        }
    }

    /// The integer `i`; [`NumberOutOfRange`](crate::ErrorCode::NumberOutOfRange) beyond
    /// ±(2^53 − 1), where a double would silently round it.
    pub fn from_i64(i: i64) -> Result<Number, Error> {
        if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
            // Exact: |i| < 2^53.
            Ok(Number(i as f64))
        } else {
            Err(err!(
                NumberOutOfRange,
                "integer {} is beyond ±(2^53 - 1)",
                i
            ))
        }
    }

    /// The value as a double.
    #[must_use]
    pub fn as_f64(self) -> f64 {
        self.0
    }

    /// The value as an integer, if it is integral and within ±(2^53 − 1).
    #[must_use]
    pub fn as_i64(self) -> Option<i64> {
        // Range first, so that the cast below cannot saturate; the round trip then
        // rejects fractions.
        let bound = MAX_SAFE_INTEGER as f64;
        if !(-bound..=bound).contains(&self.0) {
            return None;
        }
        let i = self.0 as i64;
        (i as f64 == self.0).then_some(i)
    }

    /// The value as an unsigned integer, if it is integral, not negative and at most
    /// 2^53 − 1 (`-0.0` counts as 0).
    #[must_use]
    pub fn as_u64(self) -> Option<u64> {
        self.as_i64().and_then(|i| u64::try_from(i).ok())
    }
}

/// A JSON object: members in the order they were parsed or inserted, with unique names.
///
/// An object of more than 16 members keeps an index of its names, so [`Object::get`] and
/// [`Object::insert`] cost O(log n) and building or copying an object member by member
/// costs O(n log n), never O(n²): a hostile input may have hundreds of thousands of members
/// (a 4 MiB `tools/list` result holds 320 000). [`Object::remove`] is O(n). Equality (`==`)
/// also compares member order; compare [`Value::to_jcs`] output for order-insensitive
/// equality.
///
/// ```
/// use mcp_attest::json::{Object, Value};
///
/// let mut o = Object::new();
/// assert_eq!(o.insert("b", Value::from(true)), None);
/// o.insert("a", Value::Null);
/// assert_eq!(o.insert("b", Value::from("x")), Some(Value::Bool(true)));
/// assert_eq!(o.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "a"]);
/// assert_eq!(Value::from(o).to_jcs(), r#"{"a":null,"b":"x"}"#);
/// ```
#[derive(Clone, Default)]
pub struct Object {
    members: Vec<(String, Value)>,
    /// Present (and exact) once the object is wider than [`INDEX_FROM`]: below that a scan
    /// is faster and costs no memory. Boxed so that `Value` stays 32 bytes: most objects are
    /// narrow, and arrays of values are where memory goes.
    index: Option<Box<Index>>,
}

/// A name index of a wide [`Object`].
#[derive(Clone)]
enum Index {
    /// Member positions in RFC 8785 order (UTF-16 code units): what the parser builds while
    /// checking for repeated names, with no copy of any name (a parsed object is mostly only
    /// read), and the order JCS output then uses without sorting again.
    Sorted(Vec<usize>),
    /// Name → position: what an inserted-into object keeps, O(log n) per insert.
    Map(BTreeMap<String, usize>),
}

/// Objects with more members than this keep a name index.
const INDEX_FROM: usize = 16;

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        // The index is derived from the members.
        self.members == other.members
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Object").field(&self.members).finish()
    }
}

/// The name of member `at` ("" past the end, which no position in an index is).
fn name_at(members: &[(String, Value)], at: usize) -> &str {
    members.get(at).map_or("", |(k, _)| k.as_str())
}

/// The positions of `members` in RFC 8785 order. The one sort of member names in the crate
/// (duplicate checks, indexes and JCS output share it, which keeps the WebAssembly build
/// small): O(n log n) comparisons.
fn sorted_positions(members: &[(String, Value)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_unstable_by(|&a, &b| utf16_cmp(name_at(members, a), name_at(members, b)));
    order
}

/// Name → position for `members`, inserted one by one rather than collected: the same code
/// as every other map update, which keeps the WebAssembly build small.
fn name_map(members: &[(String, Value)]) -> BTreeMap<String, usize> {
    probe::add(members.len());
    let mut map = BTreeMap::new();
    for (i, (k, _)) in members.iter().enumerate() {
        map.insert(k.clone(), i);
    }
    map
}

impl Object {
    /// An empty object.
    #[must_use]
    pub const fn new() -> Self {
        Object {
            members: Vec::new(),
            index: None,
        }
    }

    /// A parsed object's members: refuses a repeated name (after unescaping) and indexes a
    /// wide object, both by one sort, O(n log n) name comparisons (pairwise checks would be
    /// O(n²)).
    fn from_parsed(members: Vec<(String, Value)>, start: usize) -> Result<Object, Error> {
        if members.len() < 2 {
            return Ok(Object {
                members,
                index: None,
            });
        }
        probe::add(members.len());
        if members.len() <= INDEX_FROM {
            // Small objects (most of a tools list) are checked pairwise: at most 120
            // comparisons that mostly stop at the first byte, no allocation and no sort
            // (which cost more per object than the pairs).
            // A duplicate goes on to the sorted check below, which names the same member
            // as before whichever pair was found first.
            let unique = members
                .iter()
                .enumerate()
                .all(|(i, (a, _))| members.iter().skip(i + 1).all(|(b, _)| a != b));
            if unique {
                return Ok(Object {
                    members,
                    index: None,
                });
            }
        }
        let order = sorted_positions(&members);
        for pair in order.windows(2) {
            if let [a, b] = pair {
                // Equal names are adjacent in any total order of them.
                if name_at(&members, *a) == name_at(&members, *b) {
                    return Err(duplicate_name(name_at(&members, *a), start));
                }
            }
        }
        let index = (members.len() > INDEX_FROM).then(|| Box::new(Index::Sorted(order)));
        Ok(Object { members, index })
    }

    /// The position of member `name`.
    fn position(&self, name: &str) -> Option<usize> {
        match self.index.as_deref() {
            Some(Index::Sorted(order)) => {
                probe::add(1);
                let i = order
                    .binary_search_by(|&p| utf16_cmp(name_at(&self.members, p), name))
                    .ok()?;
                order.get(i).copied()
            }
            Some(Index::Map(map)) => {
                probe::add(1);
                map.get(name).copied()
            }
            None => {
                let mut visited = 0;
                let found = self.members.iter().position(|(k, _)| {
                    visited += 1;
                    k == name
                });
                probe::add(visited);
                found
            }
        }
    }

    /// The value of member `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        let i = self.position(name)?;
        self.members.get(i).map(|(_, v)| v)
    }

    /// Sets member `name` to `value` and returns its previous value. A new member goes
    /// last; an existing one keeps its position.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) -> Option<Value> {
        let name = name.into();
        if let Some(i) = self.position(&name) {
            if let Some((_, slot)) = self.members.get_mut(i) {
                return Some(core::mem::replace(slot, value));
            }
        }
        let at = self.members.len();
        match self.index.as_deref_mut() {
            Some(Index::Map(map)) => {
                map.insert(name.clone(), at);
            }
            // A sorted order would need O(n) per insert: switch to a map once.
            Some(Index::Sorted(_)) => {
                let mut map = name_map(&self.members);
                map.insert(name.clone(), at);
                self.index = Some(Box::new(Index::Map(map)));
            }
            None => {}
        }
        self.members.push((name, value));
        if self.index.is_none() && self.members.len() > INDEX_FROM {
            self.index = Some(Box::new(Index::Map(name_map(&self.members))));
        }
        None
    }

    /// Removes member `name` and returns its value, if present. The other members keep
    /// their order.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let at = self.position(name)?;
        let (_, value) = self.members.remove(at);
        let shift = |p: &mut usize| {
            if *p > at {
                *p -= 1;
            }
        };
        match self.index.as_deref_mut() {
            Some(Index::Map(map)) => {
                map.remove(name);
                probe::add(map.len());
                map.values_mut().for_each(shift);
            }
            Some(Index::Sorted(order)) => {
                // Still sorted by name: one entry goes, the others are renumbered.
                order.retain(|&p| p != at);
                probe::add(order.len());
                order.iter_mut().for_each(shift);
            }
            None => {}
        }
        Some(value)
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// Counts the member names [`Object`] examines (scanned, indexed or looked up), so tests can
/// assert that a code path is not quadratic without timing it.
#[cfg(test)]
pub(crate) mod probe {
    extern crate std;
    use core::cell::Cell;

    std::thread_local! {
        static VISITS: Cell<usize> = const { Cell::new(0) };
    }

    pub(crate) fn add(n: usize) {
        VISITS.with(|v| v.set(v.get().saturating_add(n)));
    }

    /// The count since the last call, on this thread.
    pub(crate) fn take() -> usize {
        VISITS.with(|v| v.replace(0))
    }
}

#[cfg(not(test))]
mod probe {
    #[inline(always)]
    pub(crate) fn add(_: usize) {}
}

impl Value {
    /// A whole number of seconds or a count as a JSON number, saturating at 2^53 − 1 (the
    /// largest integer every JSON implementation reads exactly); timestamps and counts never
    /// come near it.
    ///
    /// ```
    /// use mcp_attest::json::Value;
    /// assert_eq!(Value::from_u64(1_800_000_000).to_jcs(), "1800000000");
    /// assert_eq!(Value::from_u64(u64::MAX).to_jcs(), "9007199254740991");
    /// ```
    #[must_use]
    pub fn from_u64(n: u64) -> Value {
        let n = i64::try_from(n).unwrap_or(i64::MAX).min(MAX_SAFE_INTEGER);
        Number::from_i64(n).map_or(Value::Null, Value::Number)
    }

    /// The string, if this is a string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is an object.
    #[must_use]
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The boolean, if this is `true` or `false`.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a number.
    #[must_use]
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Member `name`, if this is an object that has it; `None` for every other value.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(name))
    }

    /// The RFC 8785 (JCS) canonical form: no whitespace, object members sorted by the
    /// UTF-16 code units of their names, strings and numbers written as ECMAScript's
    /// `JSON.stringify` writes them.
    ///
    /// ```
    /// use mcp_attest::json::parse;
    ///
    /// let v = parse("{\"\u{10000}\": 1, \"\u{e000}\": 2, \"a\": [1E3, -0, \"\\u000f\"]}")?;
    /// // U+10000 is a surrogate pair in UTF-16 and so sorts before U+E000.
    /// assert_eq!(v.to_jcs(), "{\"a\":[1000,0,\"\\u000f\"],\"\u{10000}\":1,\"\u{e000}\":2}");
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    #[must_use]
    pub fn to_jcs(&self) -> String {
        let mut out = String::new();
        self.write_jcs(&mut out);
        out
    }

    /// Appends the RFC 8785 (JCS) canonical form to `out` (see [`Value::to_jcs`]).
    ///
    /// Works without recursion, so arbitrarily deep values cannot overflow the stack here.
    ///
    /// ```
    /// use mcp_attest::json::Value;
    ///
    /// let mut out = String::from("prefix:");
    /// Value::from(vec![Value::from(true), Value::Null]).write_jcs(&mut out);
    /// assert_eq!(out, "prefix:[true,null]");
    /// ```
    pub fn write_jcs(&self, out: &mut String) {
        /// An open container: its remaining items, and whether one was written yet.
        enum Open<'a> {
            Array(core::slice::Iter<'a, Value>, bool),
            /// The members, their positions in output order, the next one, and whether one
            /// was written yet.
            Object(&'a [(String, Value)], Cow<'a, [usize]>, usize, bool),
        }
        // One entry per open container, not per item: the stack is bounded by the nesting
        // depth, so a wide array costs no second copy of itself (a stack of every pending
        // item took 32 bytes per element, 25 MB for a 1 MiB array).
        let mut open: Vec<Open<'_>> = Vec::new();
        let mut next = Some(self);
        loop {
            match next.take() {
                None => {}
                Some(Value::Null) => out.push_str("null"),
                Some(Value::Bool(true)) => out.push_str("true"),
                Some(Value::Bool(false)) => out.push_str("false"),
                Some(Value::Number(n)) => write_number(*n, out),
                Some(Value::String(s)) => write_string(s, out),
                Some(Value::Array(items)) => {
                    out.push('[');
                    open.push(Open::Array(items.iter(), false));
                }
                Some(Value::Object(object)) => {
                    out.push('{');
                    // A parsed wide object is already in output order.
                    let order = match object.index.as_deref() {
                        Some(Index::Sorted(order)) => Cow::Borrowed(order.as_slice()),
                        _ => Cow::Owned(sorted_positions(&object.members)),
                    };
                    open.push(Open::Object(&object.members, order, 0, false));
                }
            }
            let Some(top) = open.last_mut() else {
                return;
            };
            match top {
                Open::Array(items, started) => match items.next() {
                    Some(item) => {
                        if core::mem::replace(started, true) {
                            out.push(',');
                        }
                        next = Some(item);
                    }
                    None => {
                        out.push(']');
                        open.pop();
                    }
                },
                Open::Object(members, order, at, started) => {
                    match order.get(*at).and_then(|&p| members.get(p)) {
                        Some((name, member)) => {
                            *at += 1;
                            if core::mem::replace(started, true) {
                                out.push(',');
                            }
                            write_string(name, out);
                            out.push(':');
                            next = Some(member);
                        }
                        None => {
                            out.push('}');
                            open.pop();
                        }
                    }
                }
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}

/// Parses JSON text under the default [`Limits`] (1 MiB, depth 64).
///
/// Fails with [`InvalidJson`](crate::ErrorCode::InvalidJson) for anything outside the
/// RFC 8259 grammar (including a byte order mark, `NaN`, comments and trailing commas),
/// [`DuplicateKey`](crate::ErrorCode::DuplicateKey),
/// [`InvalidUnicode`](crate::ErrorCode::InvalidUnicode) for an escaped lone surrogate,
/// [`NumberOutOfRange`](crate::ErrorCode::NumberOutOfRange) for a number that overflows a
/// double, or an integer literal beyond ±(2^53 − 1) that a double would round (see the
/// module docs), and the limit errors.
///
/// ```
/// use mcp_attest::json::{parse, Value};
/// use mcp_attest::ErrorCode;
///
/// let v = parse(r#"{"limit": 10, "units": ["metric"]}"#)?;
/// assert_eq!(v.get("limit").and_then(Value::as_number).and_then(|n| n.as_u64()), Some(10));
///
/// assert_eq!(parse(r#"{"a": 1, "a": 2}"#).unwrap_err().code(), ErrorCode::DuplicateKey);
/// assert_eq!(parse("9007199254740993").unwrap_err().code(), ErrorCode::NumberOutOfRange);
/// assert_eq!(parse(r#""\ud800""#).unwrap_err().code(), ErrorCode::InvalidUnicode);
/// assert_eq!(parse("[1,]").unwrap_err().code(), ErrorCode::InvalidJson);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub fn parse(text: &str) -> Result<Value, Error> {
    parse_with_limits(text, Limits::default())
}

/// Parses JSON text under the given [`Limits`]; otherwise as [`parse`].
///
/// ```
/// use mcp_attest::json::{parse_with_limits, Limits};
/// use mcp_attest::ErrorCode;
///
/// let limits = Limits { max_depth: 3, ..Limits::default() };
/// assert!(parse_with_limits("[[[]]]", limits).is_ok());
/// assert_eq!(parse_with_limits("[[[[]]]]", limits).unwrap_err().code(), ErrorCode::JsonTooDeep);
/// ```
pub fn parse_with_limits(text: &str, limits: Limits) -> Result<Value, Error> {
    if text.len() > limits.max_bytes {
        return Err(err!(
            InputTooLarge,
            "JSON text is {} bytes, more than the limit of {}",
            text.len(),
            limits.max_bytes
        ));
    }
    if text.starts_with('\u{feff}') {
        return Err(err!(
            InvalidJson,
            "JSON text must not start with a byte order mark"
        ));
    }
    Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth: limits.max_depth,
    }
    .document()
}

/// Parses JSON text given as bytes, which must be UTF-8
/// ([`InvalidUnicode`](crate::ErrorCode::InvalidUnicode) otherwise) without a byte
/// order mark ([`InvalidJson`](crate::ErrorCode::InvalidJson)); otherwise as
/// [`parse_with_limits`]. The size limit is checked before UTF-8 validation.
///
/// ```
/// use mcp_attest::json::{parse_bytes, Limits, Value};
/// use mcp_attest::ErrorCode;
///
/// assert_eq!(parse_bytes(b"[true]", Limits::default())?, Value::from(vec![Value::from(true)]));
/// assert_eq!(
///     parse_bytes(b"\"\xff\"", Limits::default()).unwrap_err().code(),
///     ErrorCode::InvalidUnicode,
/// );
/// assert_eq!(
///     parse_bytes(b"\xef\xbb\xbf[]", Limits::default()).unwrap_err().code(),
///     ErrorCode::InvalidJson,
/// );
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub fn parse_bytes(bytes: &[u8], limits: Limits) -> Result<Value, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(err!(
            InputTooLarge,
            "JSON text is {} bytes, more than the limit of {}",
            bytes.len(),
            limits.max_bytes
        ));
    }
    let text = core::str::from_utf8(bytes).map_err(|e| {
        err!(
            InvalidUnicode,
            "JSON text is not UTF-8: invalid byte sequence at byte {}",
            e.valid_up_to()
        )
    })?;
    parse_with_limits(text, limits)
}

/// Parses JSON text under the default [`Limits`] and returns its RFC 8785 (JCS)
/// canonical form; fails as [`parse`] does.
///
/// ```
/// use mcp_attest::json::canonicalize;
///
/// assert_eq!(
///     canonicalize("{\"b\": 1.50, \"a\": \"\\u0041\\/\"}")?,
///     r#"{"a":"A/","b":1.5}"#,
/// );
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub fn canonicalize(text: &str) -> Result<String, Error> {
    Ok(parse(text)?.to_jcs())
}

/// How many leading bytes of `bytes` a JSON string holds as they are: none of them `"`, `\\`
/// or a control character. Eight bytes at a time (SWAR): strings are most of a tools list,
/// and scanning them a byte at a time was a fifth of a client's work on one (parsing it, then
/// writing each tool's JCS to hash it).
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Exact for "some byte is below n" with n ≤ 0x80 (the classic hasless test).
    let below = |x: u64, n: u64| x.wrapping_sub(ONES.wrapping_mul(n)) & !x & HIGHS;
    let mut n = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(w);
        if below(x, 0x20)
            | below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            != 0
        {
            break;
        }
        n += 8;
    }
    n + bytes
        .get(n..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b >= 0x20 && b != b'"' && b != b'\\')
        .count()
}

/// Appends `s` to `out` as a JSON string literal with JCS escaping, which is
/// ECMAScript's `JSON.stringify`: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
/// characters below U+0020 as `\u00xx` (lowercase hex), everything else as literal UTF-8.
///
/// ```
/// use mcp_attest::json::write_string;
///
/// let mut out = String::new();
/// write_string("a\"b\\c\n\u{1}/\u{2028}é", &mut out);
/// assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001/\u{2028}é\"");
/// ```
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i += plain_prefix(bytes.get(i..).unwrap_or_default());
        let Some(&b) = bytes.get(i) else { break };
        i += 1;
        let short = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1f => None,
            _ => continue,
        };
        // `i - 1` is at an ASCII byte, hence a char boundary, so `get` always succeeds.
        out.push_str(s.get(run..i - 1).unwrap_or_default());
        run = i;
        match short {
            Some(escape) => out.push_str(escape),
            None => {
                out.push_str("\\u00");
                for nibble in [b >> 4, b & 0x0f] {
                    out.push(char::from(
                        HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                    ));
                }
            }
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// ECMAScript `Number::toString`, which RFC 8785 §3.2.2.3 prescribes.
fn write_number(n: Number, out: &mut String) {
    // ryu_js already prints both zeros as "0"; spelling it out keeps the -0 rule
    // independent of that detail.
    if n.0 == 0.0 {
        out.push('0');
        return;
    }
    // ryu_js implements ECMA-262 Number::toString for finite doubles: shortest
    // round-tripping digits, closest to the exact value, and the same switch points
    // (1e21, 1e-7) between positional and exponential notation. The vector tests
    // check it against all 10,000 lines of the JCS ES6 number test file, and the unit
    // tests against an independent implementation of the ECMA-262 algorithm.
    out.push_str(ryu_js::Buffer::new().format_finite(n.0));
}

/// Orders member names by their UTF-16 code units, as RFC 8785 §3.2.3 requires. This
/// differs from UTF-8 byte order only when U+E000..=U+FFFF meets a character above
/// U+FFFF, but getting it wrong there changes the signed bytes.
///
/// Only the first character that differs decides, so the names are compared as bytes up to
/// it (sorting members by `encode_utf16` iterators was a few per cent of verifying a list).
fn utf16_cmp(a: &str, b: &str) -> Ordering {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // The shared prefix is the same bytes in both, so their char boundaries agree.
    let start = (0..=common)
        .rev()
        .find(|&i| a.is_char_boundary(i))
        .unwrap_or(0);
    let first = |s: &str| {
        let mut units = [0u16; 2];
        let n = s
            .get(start..)
            .and_then(|t| t.chars().next())
            .map_or(0, |c| c.encode_utf16(&mut units).len());
        (units, n)
    };
    let ((ua, na), (ub, nb)) = (first(a), first(b));
    match (na, nb) {
        // One name is a prefix of the other (or they are equal).
        (0, _) | (_, 0) => a.len().cmp(&b.len()),
        _ => ua.get(..na).cmp(&ub.get(..nb)),
    }
}

/// An open array or object whose members are still being parsed. Its items so far are
/// the tail of the parser's shared `items` or `members` stack from `base` on, moved into a
/// vector of exactly their number when it closes: one allocation per container, where
/// growing a vector per container from capacity 1 reallocated and copied it two or three
/// times (a tools list is thousands of small containers).
enum Frame {
    Array {
        base: usize,
    },
    /// `name` is the member whose value is being parsed; `start` is the offset of `{`.
    Object {
        base: usize,
        name: String,
        start: usize,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    /// The whole text as one value. Open containers live on an explicit stack rather
    /// than the call stack, so hostile nesting costs heap bounded by `max_depth`, never
    /// a stack overflow.
    fn document(mut self) -> Result<Value, Error> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut items: Vec<Value> = Vec::new();
        let mut members: Vec<(String, Value)> = Vec::new();
        'value: loop {
            self.skip_whitespace();
            let start = self.pos;
            let mut value = match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    if stack.len() >= self.max_depth {
                        return Err(err!(
                            JsonTooDeep,
                            "JSON nesting exceeds the depth limit of {} at byte {}",
                            self.max_depth,
                            start
                        ));
                    }
                    self.pos += 1;
                    self.skip_whitespace();
                    if open == b'[' {
                        if self.peek() == Some(b']') {
                            self.pos += 1;
                            Value::Array(Vec::new())
                        } else {
                            // No vector until it closes: hostile nesting is mostly
                            // one-element containers (a vector of capacity 4 per open one
                            // took 54 MB for a 768 KB text).
                            stack.push(Frame::Array { base: items.len() });
                            continue 'value;
                        }
                    } else if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Value::Object(Object::new())
                    } else {
                        let name = self.member_name()?;
                        stack.push(Frame::Object {
                            base: members.len(),
                            name,
                            start,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Null)?,
                _ => return Err(self.unexpected("a JSON value")),
            };
            // `value` is complete: hand it to the enclosing container, and keep going
            // outwards for as long as containers close right after it.
            loop {
                let Some(frame) = stack.pop() else {
                    self.skip_whitespace();
                    if self.pos < self.bytes.len() {
                        return Err(self.unexpected("the end of the JSON text"));
                    }
                    return Ok(value);
                };
                match frame {
                    Frame::Array { base } => {
                        items.push(value);
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                stack.push(Frame::Array { base });
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                value = Value::Array(items.drain(base..).collect());
                            }
                            _ => return Err(self.unexpected("',' or ']' in an array")),
                        }
                    }
                    Frame::Object { base, name, start } => {
                        members.push((name, value));
                        self.skip_whitespace();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_whitespace();
                                let name = self.member_name()?;
                                stack.push(Frame::Object { base, name, start });
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let own = members.drain(base..).collect();
                                value = Value::Object(Object::from_parsed(own, start)?);
                            }
                            _ => return Err(self.unexpected("',' or '}' in an object")),
                        }
                    }
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Only the four whitespace characters of RFC 8259 §2; others (NBSP, form feed,
    /// U+2028, ...) are errors, since lenient parsers disagree about them.
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// An `InvalidJson` error for whatever is at the current position.
    fn unexpected(&self, expected: &str) -> Error {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => err!(
                InvalidJson,
                "unexpected end of JSON text at byte {}, expected {}",
                self.pos,
                expected
            ),
            Some(c) => {
                let rest = self.text.get(self.pos..).unwrap_or_default();
                let hint = if ["NaN", "Infinity", "-Infinity"]
                    .iter()
                    .any(|w| rest.starts_with(w))
                {
                    " (NaN and Infinity are not JSON)"
                } else if c == '\u{feff}' {
                    " (byte order mark)"
                } else {
                    ""
                };
                err!(
                    InvalidJson,
                    "unexpected {:?} at byte {}, expected {}{}",
                    c,
                    self.pos,
                    expected,
                    hint
                )
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        if self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()))
        {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    /// A member name and the `:` after it.
    fn member_name(&mut self) -> Result<String, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a member name string"));
        }
        let name = self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':' after a member name"));
        }
        self.pos += 1;
        Ok(name)
    }

    /// A string literal; the current byte is its opening quote.
    fn string(&mut self) -> Result<String, Error> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        // Start of the pending run of bytes that are copied unchanged. Runs start and
        // end next to ASCII bytes, so they are whole UTF-8 sequences of `text`.
        let mut run = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(err!(
                        InvalidJson,
                        "unterminated string starting at byte {}",
                        open
                    ));
                }
                Some(b'"') => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..self.pos).unwrap_or_default());
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(b @ 0x00..=0x1f) => {
                    return Err(err!(
                        InvalidJson,
                        "unescaped control character U+{:04X} in a string at byte {}",
                        b,
                        self.pos
                    ));
                }
                Some(_) => {
                    self.pos += 1;
                    self.pos += plain_prefix(self.bytes.get(self.pos..).unwrap_or_default());
                }
            }
        }
    }

    /// One escape sequence; the current byte is its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4(at)?;
                let c = match unit {
                    0xd800..=0xdbff => {
                        // Only a `\u`-escaped low surrogate can complete the pair: a raw
                        // one cannot occur in valid UTF-8.
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return Err(lone_surrogate(unit, at));
                        }
                        self.pos += 2;
                        let low = self.hex4(at)?;
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(lone_surrogate(unit, at));
                        }
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                    }
                    0xdc00..=0xdfff => return Err(lone_surrogate(unit, at)),
                    _ => char::from_u32(unit),
                };
                // Surrogates are excluded above, so every remaining value is a char.
                out.push(c.ok_or_else(|| lone_surrogate(unit, at))?);
                return Ok(());
            }
            _ => {
                let found = self.text.get(at + 1..).and_then(|rest| rest.chars().next());
                return Err(match found {
                    None => err!(InvalidJson, "unterminated escape sequence at byte {}", at),
                    Some(c) => err!(
                        InvalidJson,
                        "invalid escape sequence \\{:?} at byte {}",
                        c,
                        at
                    ),
                });
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    /// The four hex digits of a `\u` escape that started at `at`.
    fn hex4(&mut self, at: usize) -> Result<u32, Error> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| {
                err!(
                    InvalidJson,
                    "\\u escape at byte {} needs four hex digits",
                    at
                )
            })?;
        let unit = digits.iter().fold(0, |acc, &d| {
            acc << 4 | char::from(d).to_digit(16).unwrap_or(0)
        });
        self.pos += 4;
        Ok(unit)
    }

    /// A number literal; the current byte is `-` or a digit.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(err!(
                        InvalidJson,
                        "number with a leading zero at byte {}",
                        start
                    ));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        let int_end = self.pos;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.digits();
        }
        if self.pos - start > MAX_NUMBER_LITERAL_BYTES {
            return Err(err!(
                InputTooLarge,
                "number literal at byte {} is {} bytes long; the limit is {}",
                start,
                self.pos - start,
                MAX_NUMBER_LITERAL_BYTES
            ));
        }
        let literal = self.text.get(start..self.pos).unwrap_or_default();
        if self.pos == int_end {
            // An integer literal means an exact integer to its author (Python, Go, ...), so
            // refuse one a double cannot hold exactly rather than round it silently (which
            // would let two parties read different numbers from the same text). Two kinds
            // are kept even beyond 2^53: integers a double holds exactly (odd part below
            // 2^53), and the digit strings JCS itself prints for large integral doubles
            // (2^64 → "18446744073709552000"), because our canonical output must parse
            // again. Beyond 38 digits (u128) nothing useful is lost by refusing.
            let magnitude = literal.trim_start_matches('-');
            let exact = magnitude.len() <= 38
                && magnitude
                    .parse::<u128>()
                    .is_ok_and(|m| m == 0 || (m >> m.trailing_zeros()) < (1u128 << 53));
            let canonical = || {
                literal.parse::<f64>().is_ok_and(|f| {
                    f.is_finite() && ryu_js::Buffer::new().format_finite(f) == literal
                })
            };
            if !exact && !canonical() {
                return Err(err!(
                    NumberOutOfRange,
                    "integer {} at byte {} is beyond ±(2^53 - 1) and a double would round it",
                    excerpt(literal),
                    start
                ));
            }
        }
        // core's parser is correctly rounded and linear in the literal's length, and
        // accepts every literal the grammar above lets through; within
        // MAX_NUMBER_LITERAL_BYTES its exponent never saturates (see there).
        let f: f64 = literal
            .parse()
            .map_err(|_| err!(InvalidJson, "malformed number at byte {}", start))?;
        if !f.is_finite() {
            return Err(err!(
                NumberOutOfRange,
                "number {} at byte {} overflows a double",
                excerpt(literal),
                start
            ));
        }
        Ok(Number(f))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

fn lone_surrogate(unit: u32, at: usize) -> Error {
    err!(
        InvalidUnicode,
        "lone surrogate \\u{:04x} in a string at byte {}",
        unit,
        at
    )
}

fn duplicate_name(name: &str, start: usize) -> Error {
    err!(
        DuplicateKey,
        "duplicate member name \"{}\" in the object at byte {}",
        excerpt(name),
        start
    )
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    /// The SWAR scan against its byte-at-a-time definition: every byte value, at every
    /// offset of a word and past it, after a prefix of UTF-8 (high bytes must not match).
    #[test]
    fn plain_prefix_stops_at_exactly_the_bytes_a_string_escapes() {
        for b in 0..=255u8 {
            let special = b < 0x20 || b == b'"' || b == b'\\';
            for at in 0..19 {
                let mut bytes = vec![0xc3u8; 19];
                bytes[at] = b;
                let expected = if special { at } else { 19 };
                assert_eq!(plain_prefix(&bytes), expected, "byte {b:#x} at {at}");
                assert_eq!(
                    plain_prefix(&bytes[at..]),
                    if special { 0 } else { 19 - at }
                );
            }
        }
    }

    /// The shortcut against the definition (UTF-16 code unit order of the whole names) on
    /// names that share prefixes and differ in characters of every UTF-8 length, including
    /// U+E000..=U+FFFF against a supplementary character, where UTF-8 order is the reverse.
    #[test]
    fn utf16_order_matches_the_code_unit_definition() {
        let chars = [
            "",
            "a",
            "b",
            "é",
            "\u{7ff}",
            "\u{d7ff}",
            "\u{e000}",
            "\u{ffff}",
            "\u{10000}",
            "\u{1f600}",
        ];
        for p in ["", "x", "é", "\u{1f600}"] {
            for x in chars {
                for y in chars {
                    for tail in ["", "z"] {
                        let (a, b) = (format!("{p}{x}{tail}"), format!("{p}{y}"));
                        let want = a.encode_utf16().cmp(b.encode_utf16());
                        assert_eq!(utf16_cmp(&a, &b), want, "{a:?} vs {b:?}");
                        assert_eq!(utf16_cmp(&b, &a), want.reverse(), "{b:?} vs {a:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn strings_with_escapes_anywhere_in_a_word_round_trip() {
        for at in 0..17 {
            let mut s = "abcdefghijklmnopq".to_string();
            s.insert_str(at, "\"\\\n\u{1}é");
            let mut out = String::new();
            write_string(&s, &mut out);
            assert_eq!(parse(&out).unwrap(), Value::from(s.as_str()), "{out}");
        }
    }

    #[track_caller]
    fn code(text: &str) -> ErrorCode {
        match parse(text) {
            Ok(v) => panic!("{text:?} parsed as {v:?}"),
            Err(e) => e.code(),
        }
    }

    #[track_caller]
    fn canon(text: &str) -> String {
        canonicalize(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn nested(depth: usize) -> String {
        let mut s = "[".repeat(depth);
        s.push_str(&"]".repeat(depth));
        s
    }

    #[test]
    fn size_limit_is_checked_before_anything_else() {
        let limits = Limits {
            max_bytes: 4,
            max_depth: 64,
        };
        assert!(parse_with_limits("1234", limits).is_ok());
        // Invalid in every other way too, yet the size error wins.
        assert_eq!(
            parse_with_limits("\u{feff}[{", limits).unwrap_err().code(),
            ErrorCode::InputTooLarge
        );
        assert_eq!(
            parse_bytes(b"\xff\xff\xff\xff\xff", limits)
                .unwrap_err()
                .code(),
            ErrorCode::InputTooLarge
        );
        assert_eq!(
            parse_bytes(b"1234", limits).unwrap(),
            Value::Number(Number(1234.0))
        );
        let big = " ".repeat(DEFAULT_MAX_BYTES) + "1";
        assert_eq!(code(&big), ErrorCode::InputTooLarge);
        assert!(parse(&big[1..]).is_ok());
    }

    #[test]
    fn depth_limit_is_exact() {
        assert!(parse(&nested(64)).is_ok());
        assert_eq!(code(&nested(65)), ErrorCode::JsonTooDeep);
        // Objects count too, and an empty container at the limit is still a level.
        let mixed = "{\"a\":".repeat(32) + &"[".repeat(32) + &"]".repeat(32) + &"}".repeat(32);
        assert!(parse(&mixed).is_ok());
        let deeper = "[".to_string() + &mixed + "]";
        assert_eq!(code(&deeper), ErrorCode::JsonTooDeep);
        let deeper = "{\"x\":".to_string() + &mixed + "}";
        assert_eq!(code(&deeper), ErrorCode::JsonTooDeep);
        assert_eq!(
            code(&("[".repeat(64) + "{}" + &"]".repeat(64))),
            ErrorCode::JsonTooDeep
        );
        // Scalars add no depth.
        assert!(parse(&("[".repeat(64) + "1" + &"]".repeat(64))).is_ok());
        let zero = Limits {
            max_bytes: 100,
            max_depth: 0,
        };
        assert!(parse_with_limits("\"s\"", zero).is_ok());
        assert_eq!(
            parse_with_limits("[]", zero).unwrap_err().code(),
            ErrorCode::JsonTooDeep
        );
    }

    #[test]
    fn hostile_nesting_cannot_overflow_the_stack() {
        let open = "[".repeat(100_000);
        assert_eq!(code(&open), ErrorCode::JsonTooDeep);
        assert_eq!(code(&nested(100_000)), ErrorCode::JsonTooDeep);
        assert_eq!(code(&"{\"a\":".repeat(100_000)), ErrorCode::JsonTooDeep);
        // Without a depth limit the parser still does not recurse: the unclosed input
        // fails at its end after holding 100,000 open frames on the heap.
        let unlimited = Limits {
            max_bytes: usize::MAX,
            max_depth: usize::MAX,
        };
        assert_eq!(
            parse_with_limits(&open, unlimited).unwrap_err().code(),
            ErrorCode::InvalidJson
        );
    }

    #[test]
    fn to_jcs_does_not_recurse() {
        // Built by hand, since the parser would refuse this depth.
        let depth = 100_000;
        let mut v = Value::Null;
        for _ in 0..depth {
            v = Value::Array(vec![v]);
        }
        let s = v.to_jcs();
        // Torn down iteratively before asserting: the derived Drop recurses, and so
        // would the unwinding of a failed assertion.
        while let Value::Array(mut items) = v {
            v = items.pop().unwrap_or(Value::Null);
        }
        assert!(s == "[".repeat(depth) + "null" + &"]".repeat(depth));
    }

    #[test]
    fn structure_errors() {
        for text in [
            "",
            " ",
            "\t\r\n",
            "[",
            "]",
            "{",
            "}",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[1,,2]",
            "{,}",
            "{\"a\":1,}",
            "{\"a\"}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{1:2}",
            "{a:1}",
            "{'a':1}",
            "['a']",
            "[1]]",
            "{}}",
            "1 2",
            "[] []",
            "nul",
            "tru",
            "fals",
            "True",
            "NULL",
            "undefined",
            "/* c */ 1",
            "1 // c",
            "[1;2]",
            "\"a\" x",
            "{\"a\":1 \"b\":2}",
            "\u{feff}1",
            "\u{feff}",
            "1\u{feff}",
        ] {
            assert_eq!(code(text), ErrorCode::InvalidJson, "{text:?}");
        }
    }

    #[test]
    fn only_json_whitespace() {
        assert_eq!(
            canon(" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \"a\" : 2 } ] \t\r\n"),
            "[1,{\"a\":2}]"
        );
        for ws in [
            "\u{c}", "\u{b}", "\u{a0}", "\u{2028}", "\u{3000}", "\u{85}", "\u{0}",
        ] {
            assert_eq!(code(&format!("{ws}1")), ErrorCode::InvalidJson, "{ws:?}");
            assert_eq!(code(&format!("1{ws}")), ErrorCode::InvalidJson, "{ws:?}");
            assert_eq!(
                code(&format!("[1,{ws}2]")),
                ErrorCode::InvalidJson,
                "{ws:?}"
            );
        }
    }

    #[test]
    fn byte_order_mark_and_utf8() {
        let limits = Limits::default();
        assert_eq!(
            parse_bytes(b"\xef\xbb\xbf{}", limits).unwrap_err().code(),
            ErrorCode::InvalidJson
        );
        assert_eq!(code("\u{feff}{}"), ErrorCode::InvalidJson);
        for bad in [
            &b"\"\xff\""[..],
            b"\"\xc3\"",             // truncated sequence
            b"\"\xc0\xaf\"",         // overlong '/'
            b"\"\xed\xa0\x80\"",     // CESU-8 / raw surrogate U+D800
            b"\"\xf4\x90\x80\x80\"", // above U+10FFFF
            b"[1]\x80",
        ] {
            assert_eq!(
                parse_bytes(bad, limits).unwrap_err().code(),
                ErrorCode::InvalidUnicode,
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_bytes("\"é😀\"".as_bytes(), limits).unwrap(),
            Value::from("é😀")
        );
    }

    #[test]
    fn string_errors() {
        for text in [
            "\"abc",
            "\"\\",
            "\"\\\"",
            "\"\\x\"",
            "\"\\'\"",
            "\"\\U0041\"",
            "\"\\u41\"",
            "\"\\u004\"",
            "\"\\u00G1\"",
            "\"\\u+041\"",
            "\"\\u 041\"",
            "\"\\a\"",
            "\"\\0\"",
            "\"\\\u{e9}\"",
            "'a'",
        ] {
            assert_eq!(code(text), ErrorCode::InvalidJson, "{text:?}");
        }
        for c in 0u8..0x20 {
            let text = format!("\"a{}b\"", char::from(c));
            assert_eq!(code(&text), ErrorCode::InvalidJson, "{text:?}");
            assert_eq!(
                code(&format!("{{{text}:1}}")),
                ErrorCode::InvalidJson,
                "{text:?}"
            );
        }
        // DEL and C1 controls need no escape in JSON.
        assert_eq!(
            parse("\"\u{7f}\u{85}\"").unwrap(),
            Value::from("\u{7f}\u{85}")
        );
    }

    #[test]
    fn escapes_and_surrogates() {
        let v =
            parse(r#""\"\\\/\b\f\n\r\t\u0000\u00e9\u00E9\uFFFF\ud83d\ude00\uD83D\uDE00""#).unwrap();
        assert_eq!(v, Value::from("\"\\/\u{8}\u{c}\n\r\t\0éé\u{ffff}😀😀"));
        assert_eq!(
            parse(r#""\udbff\udfff""#).unwrap(),
            Value::from("\u{10ffff}")
        );
        for text in [
            r#""\ud800""#,
            r#""\ud800x""#,
            r#""\ud800\n""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ud800""#,
            r#""\udbff\ue000""#,
            r#""\udc00""#,
            r#""\udfff\ud800""#,
            r#""a\udc00b""#,
            r#"{"\ud800":1}"#,
        ] {
            assert_eq!(code(text), ErrorCode::InvalidUnicode, "{text}");
        }
        // A malformed second escape is a syntax error, not a Unicode one.
        assert_eq!(code(r#""\ud800\u00""#), ErrorCode::InvalidJson);
        assert_eq!(code(r#""\ud800\uzzzz""#), ErrorCode::InvalidJson);
    }

    #[test]
    fn duplicate_names() {
        assert_eq!(code(r#"{"a":1,"a":2}"#), ErrorCode::DuplicateKey);
        assert_eq!(code(r#"{"a":1,"b":2,"a":1}"#), ErrorCode::DuplicateKey);
        assert_eq!(code(r#"{"a":1,"\u0061":2}"#), ErrorCode::DuplicateKey);
        assert_eq!(
            code(r#"{"😀":1,"\ud83d\ude00":2}"#),
            ErrorCode::DuplicateKey
        );
        assert_eq!(code(r#"[{"x":{"a":[],"a":[]}}]"#), ErrorCode::DuplicateKey);
        // With two repeated names, the error names the first in member-name order, for
        // small objects (checked pairwise) as for large ones (checked sorted).
        for filler in [0, 20] {
            let extra: String = (0..filler).map(|i| format!(",\"m{i}\":0")).collect();
            let text = format!(r#"{{"b":1,"a":1,"b":2,"a":2{extra}}}"#);
            let message = parse(&text).unwrap_err().message().to_string();
            assert!(
                message.starts_with("duplicate member name \"a\""),
                "{message}"
            );
        }
        assert_eq!(code(r#"{"":1,"":2}"#), ErrorCode::DuplicateKey);
        // Same name in different objects, and names differing only in case or
        // normalisation, are fine.
        assert!(parse(r#"{"a":{"a":1},"b":{"a":2},"A":0,"é":1,"e\u0301":2}"#).is_ok());
    }

    #[test]
    fn wide_objects_are_not_quadratic() {
        let n = 60_000;
        let mut text = String::from("{");
        for i in 0..n {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!("\"k{i}\":{i}"));
        }
        let unique = text.clone() + "}";
        let v = parse(&unique).unwrap();
        assert_eq!(v.as_object().map(Object::len), Some(n));
        let dup = text + ",\"k12345\":0}";
        let e = parse(&dup).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DuplicateKey);
        assert!(e.message().contains("\"k12345\""), "{e}");
    }

    /// Building, looking up and copying a wide object must not scan it once per member.
    /// Counts the names `Object` examines rather than timing: with the former linear
    /// scans, 20 000 inserts examine 2·10⁸ names and this fails.
    #[test]
    fn wide_object_operations_examine_n_log_n_names() {
        let n = 20_000;
        probe::take();
        let mut o = Object::new();
        for i in 0..n {
            o.insert(format!("k{i}"), Value::Null);
        }
        for i in 0..n {
            assert!(o.get(&format!("k{i}")).is_some());
        }
        assert_eq!(o.insert("k7", Value::Bool(true)), Some(Value::Null));
        assert_eq!(o.remove("k3"), Some(Value::Null));
        assert_eq!(o.get("k4"), Some(&Value::Null));
        assert_eq!(o.get("k7"), Some(&Value::Bool(true)));
        assert_eq!(o.get("k3"), None);
        let copy: Object = {
            let mut c = Object::new();
            for (k, v) in o.iter() {
                c.insert(k, v.clone());
            }
            c
        };
        assert_eq!(copy, o);
        let visits = probe::take();
        assert!(visits < 10 * n, "{visits} names examined for {n} members");

        let mut text = String::from("{");
        for i in 0..n {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"last\":0}");
        let v = parse(&text).unwrap();
        for i in (0..n).step_by(7) {
            assert!(v.get(&format!("k{i}")).is_some());
        }
        let visits = probe::take();
        assert!(
            visits < 4 * n,
            "{visits} names examined parsing {n} members"
        );

        // A parsed wide object (sorted-position index): remove, then insert (which
        // switches it to a map), and every member is still found where it is.
        let mut o = v.as_object().unwrap().clone();
        assert_eq!(o.remove("k10"), Some(Value::Number(Number(10.0))));
        assert_eq!(o.remove("k10"), None);
        assert_eq!(o.get("k11"), Some(&Value::Number(Number(11.0))));
        assert_eq!(o.get("last"), Some(&Value::Number(Number(0.0))));
        assert_eq!(
            o.insert("k12", Value::Null),
            Some(Value::Number(Number(12.0)))
        );
        assert_eq!(o.insert("new", Value::Bool(true)), None);
        assert_eq!(o.get("new"), Some(&Value::Bool(true)));
        assert_eq!(o.remove("k0"), Some(Value::Number(Number(0.0))));
        for (k, value) in o.iter() {
            assert_eq!(o.get(k), Some(value), "{k}");
        }
        assert_eq!(o.len(), n);
        let visits = probe::take();
        assert!(
            visits < 8 * n,
            "{visits} names examined editing {n} members"
        );
        // Removing from a parsed object keeps its sorted index exact.
        let mut p = v.as_object().unwrap().clone();
        for i in (0..n).step_by(97) {
            assert!(p.remove(&format!("k{i}")).is_some());
        }
        for (k, value) in p.iter() {
            assert_eq!(p.get(k), Some(value), "{k}");
        }
        assert_eq!(p.get("k97"), None);
    }

    #[test]
    fn number_grammar() {
        for text in [
            "01",
            "-01",
            "00",
            "+1",
            "-",
            "--1",
            "1.",
            "-1.",
            ".5",
            "-.5",
            "1.e5",
            "1e",
            "1e+",
            "1E-",
            "0x10",
            "0X10",
            "1_000",
            "1,000",
            "NaN",
            "-NaN",
            "Infinity",
            "-Infinity",
            "+Infinity",
            "inf",
            "nan",
            "1e5.5",
            "1.5.5",
            "0.5e",
            "[01]",
            "[1.]",
            "{\"a\":-}",
            "\u{0661}",
            "１",
        ] {
            assert_eq!(code(text), ErrorCode::InvalidJson, "{text:?}");
        }
        for (text, jcs) in [
            ("0", "0"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("0e0", "0"),
            ("-0E-0", "0"),
            ("1.0", "1"),
            ("1e2", "100"),
            ("1E+2", "100"),
            ("10E-1", "1"),
            ("7.000", "7"),
            ("0.1", "0.1"),
            ("1e20", "100000000000000000000"),
            ("1e21", "1e+21"),
            ("1.5e300", "1.5e+300"),
            ("1e-6", "0.000001"),
            ("1e-7", "1e-7"),
            ("-1.25e-9", "-1.25e-9"),
            ("1e-400", "0"),
            ("9007199254740993.0", "9007199254740992"),
            ("9007199254740993e0", "9007199254740992"),
            ("9007199254740991", "9007199254740991"),
            ("-9007199254740991", "-9007199254740991"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("4.9e-324", "5e-324"),
        ] {
            assert_eq!(canon(text), jcs, "{text}");
        }
    }

    #[test]
    fn numbers_out_of_range() {
        // Integers a double holds exactly are kept, even beyond 2^53; JCS's own output of
        // such doubles (1e17 → "100000000000000000") must parse again.
        for (text, jcs) in [
            ("9007199254740992", "9007199254740992"),
            ("-9007199254740992", "-9007199254740992"),
            ("18446744073709551616", "18446744073709552000"),
            ("18446744073709552000", "18446744073709552000"),
            ("100000000000000000000", "100000000000000000000"),
            ("1e17", "100000000000000000"),
        ] {
            assert_eq!(canon(text), jcs);
            assert_eq!(canon(jcs), jcs);
        }
        for text in [
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551617",
            "100000000000000000001",
            "1e400",
            "-1e400",
            "1.8e308",
            "[1,2,1e999]",
            "{\"limit\":9007199254740993}",
        ] {
            assert_eq!(code(text), ErrorCode::NumberOutOfRange, "{text}");
        }
        // Literals over MAX_NUMBER_LITERAL_BYTES are refused after one linear scan and
        // quoted only briefly.
        for long in [
            "1".to_string() + &"0".repeat(200_000),
            "1".to_string() + &"0".repeat(200_000) + "e0",
            "0.".to_string() + &"0".repeat(200_000) + "1",
            "1.".to_string() + &"3".repeat(200_000),
        ] {
            let e = parse(&long).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InputTooLarge);
            assert!(e.message().len() < 160, "{e}");
        }
        let long_int = "1".to_string() + &"0".repeat(400);
        assert_eq!(code(&long_int), ErrorCode::NumberOutOfRange);
        let long_digits = "1.".to_string() + &"3".repeat(500);
        assert_eq!(canon(&long_digits), "1.3333333333333333");
        assert_eq!(canon("1e-99999999999999999999"), "0");
        assert_eq!(code("1e99999999999999999999"), ErrorCode::NumberOutOfRange);
    }

    #[test]
    fn number_api() {
        assert_eq!(
            Number::from_f64(f64::NAN).unwrap_err().code(),
            ErrorCode::NumberOutOfRange
        );
        assert_eq!(
            Number::from_f64(f64::INFINITY).unwrap_err().code(),
            ErrorCode::NumberOutOfRange
        );
        assert_eq!(
            Number::from_f64(f64::NEG_INFINITY).unwrap_err().code(),
            ErrorCode::NumberOutOfRange
        );
        assert_eq!(Number::from_f64(1.5).unwrap().as_f64(), 1.5);
        let max = MAX_SAFE_INTEGER;
        assert_eq!(Number::from_i64(max).unwrap().as_i64(), Some(max));
        assert_eq!(Number::from_i64(-max).unwrap().as_i64(), Some(-max));
        for i in [max + 1, -max - 1, i64::MAX, i64::MIN] {
            assert_eq!(
                Number::from_i64(i).unwrap_err().code(),
                ErrorCode::NumberOutOfRange,
                "{i}"
            );
        }
        let n = |f: f64| Number::from_f64(f).unwrap();
        assert_eq!(n(-0.0).as_i64(), Some(0));
        assert_eq!(n(-0.0).as_u64(), Some(0));
        assert_eq!(n(3.0).as_u64(), Some(3));
        assert_eq!(n(-3.0).as_i64(), Some(-3));
        assert_eq!(n(-3.0).as_u64(), None);
        assert_eq!(n(0.5).as_i64(), None);
        assert_eq!(n(-1e-300).as_i64(), None);
        assert_eq!(n(9007199254740992.0).as_i64(), None);
        assert_eq!(n(1e300).as_i64(), None);
        assert_eq!(n(f64::MIN).as_u64(), None);
        assert_eq!(Value::from(n(-0.0)).to_jcs(), "0");
    }

    #[test]
    fn object_api() {
        let mut o = Object::new();
        assert!(o.is_empty());
        assert_eq!(o.insert("b", Value::from(1 == 1)), None);
        assert_eq!(o.insert(String::from("a"), Value::Null), None);
        assert_eq!(o.insert("c", Value::from("x")), None);
        assert_eq!(o.insert("b", Value::from(false)), Some(Value::Bool(true)));
        assert_eq!(o.len(), 3);
        assert_eq!(
            o.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["b", "a", "c"]
        );
        assert_eq!(o.get("b"), Some(&Value::Bool(false)));
        assert_eq!(o.get("z"), None);
        assert_eq!(o.remove("a"), Some(Value::Null));
        assert_eq!(o.remove("a"), None);
        assert_eq!(o.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "c"]);
        let v = Value::from(o.clone());
        assert_eq!(v.get("c").and_then(Value::as_str), Some("x"));
        assert_eq!(v.as_object(), Some(&o));
        assert_eq!(v.to_jcs(), r#"{"b":false,"c":"x"}"#);
        assert_eq!(Object::default(), Object::new());
    }

    #[test]
    fn value_accessors() {
        let v = parse(r#"{"s":"x","n":2,"b":true,"a":[null],"o":{}}"#).unwrap();
        assert_eq!(v.get("s").and_then(Value::as_str), Some("x"));
        assert_eq!(
            v.get("n")
                .and_then(Value::as_number)
                .and_then(Number::as_u64),
            Some(2)
        );
        assert_eq!(v.get("b").and_then(Value::as_bool), Some(true));
        assert_eq!(
            v.get("a").and_then(Value::as_array),
            Some(&[Value::Null][..])
        );
        assert!(v
            .get("a")
            .and_then(Value::as_array)
            .is_some_and(|a| a[0].is_null()));
        assert_eq!(v.get("o").and_then(Value::as_object), Some(&Object::new()));
        let s = v.get("s").unwrap();
        assert!(s.as_object().is_none() && s.as_array().is_none() && s.as_bool().is_none());
        assert!(s.as_number().is_none() && !s.is_null() && s.get("s").is_none());
        assert!(Value::Array(vec![]).get("0").is_none());
        assert!(v.get("n").unwrap().as_str().is_none());
        assert_eq!(Value::from(String::from("t")), Value::String("t".into()));
        assert_eq!(
            Value::from(vec![Value::Null]),
            Value::Array(vec![Value::Null])
        );
    }

    #[test]
    fn members_sort_by_utf16_code_units() {
        // UTF-8 / code-point order would put U+E000 first; UTF-16 puts the surrogate
        // pair D800 DC00 of U+10000 first.
        assert_eq!(
            canon("{\"\u{e000}\":1,\"\u{10000}\":2}"),
            "{\"\u{10000}\":2,\"\u{e000}\":1}"
        );
        assert_eq!(
            canon("{\"\u{10000}\":2,\"\u{e000}\":1}"),
            "{\"\u{10000}\":2,\"\u{e000}\":1}"
        );
        assert_eq!(
            canon("{\"\u{ffff}\":0,\"\u{fb01}le\":1,\"\u{1f600}\":2,\"zeta\":3,\"\u{d7ff}\":4,\"\":5}"),
            "{\"\":5,\"zeta\":3,\"\u{d7ff}\":4,\"\u{1f600}\":2,\"\u{fb01}le\":1,\"\u{ffff}\":0}"
        );
        // Prefixes first, then code unit by code unit, case-sensitively.
        assert_eq!(
            canon(r#"{"ab":1,"a":2,"b":3,"B":4,"aa":5,"\u0000":6}"#),
            "{\"\\u0000\":6,\"B\":4,\"a\":2,\"aa\":5,\"ab\":1,\"b\":3}"
        );
        assert_eq!(utf16_cmp("\u{e000}", "\u{10000}"), Ordering::Greater);
        assert_eq!(utf16_cmp("a\u{10ffff}", "a\u{ffff}"), Ordering::Less);
        assert_eq!(utf16_cmp("x", "x"), Ordering::Equal);
    }

    #[test]
    fn string_escaping_matches_json_stringify() {
        let mut all = String::new();
        for c in 0u8..0x20 {
            all.push(char::from(c));
        }
        let mut out = String::new();
        write_string(&all, &mut out);
        assert_eq!(
            out,
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
             \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\""
        );
        let mut out = String::new();
        write_string(
            "\"\\/\u{7f}\u{80}\u{2028}\u{2029}\u{feff}<script>é😀'",
            &mut out,
        );
        assert_eq!(
            out,
            "\"\\\"\\\\/\u{7f}\u{80}\u{2028}\u{2029}\u{feff}<script>é😀'\""
        );
        let mut out = String::from("x");
        write_string("", &mut out);
        assert_eq!(out, "x\"\"");
        assert_eq!(
            canon(r#""\u002F\u0041\u001F\u007f""#),
            "\"/A\\u001f\u{7f}\""
        );
    }

    #[test]
    fn canonical_form_round_trips() {
        let texts = [
            r#"{"b":[1,2.5,-0,1e30,"x\n"],"a":{"z":null,"y":true,"x":false},"":[[],{}]}"#,
            "[\"\u{10000}\u{e000}\",{\"\u{e000}\":[0.1],\"\u{10000}\":{}}]",
            "\"\\u0000\\ud83d\\ude00\"",
            "-1.5e-7",
            "null",
        ];
        for text in texts {
            let v = parse(text).unwrap();
            let jcs = v.to_jcs();
            let again = parse(&jcs).unwrap();
            assert_eq!(again.to_jcs(), jcs, "{text}");
            assert_eq!(canon(&jcs), jcs, "{text}");
            // Same value except for member order.
            assert_eq!(again.to_jcs(), v.to_jcs());
        }
        let v = parse(texts[0]).unwrap();
        assert_eq!(
            v.to_jcs(),
            r#"{"":[[],{}],"a":{"x":false,"y":true,"z":null},"b":[1,2.5,0,1e+30,"x\n"]}"#
        );
        let mut out = String::from("> ");
        v.write_jcs(&mut out);
        assert_eq!(out, format!("> {}", v.to_jcs()));
    }

    #[test]
    fn error_messages_locate_and_stay_short() {
        let e = parse("[1, 2, x]").unwrap_err();
        assert!(e.message().contains("byte 7"), "{e}");
        let e = parse("[1] junk").unwrap_err();
        assert!(e.message().contains("byte 4"), "{e}");
        let long_name = "n".repeat(10_000);
        let e = parse(&format!("{{\"{long_name}\":1,\"{long_name}\":2}}")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::DuplicateKey);
        assert!(e.message().len() < 160, "{e}");
        let e = parse(&format!("\"{}", "s".repeat(10_000))).unwrap_err();
        assert!(
            e.message().len() < 160 && e.message().contains("byte 0"),
            "{e}"
        );
        let e = parse("[NaN]").unwrap_err();
        assert!(e.message().contains("NaN"), "{e}");
        let e = parse("\"\\ud800\"").unwrap_err();
        assert!(e.message().contains("byte 1"), "{e}");
    }

    /// ECMA-262 Number::toString (6.1.6.1.20) written independently of ryu_js.
    fn es_number_to_string(f: f64) -> String {
        if f == 0.0 {
            return "0".into();
        }
        // ECMAScript wants the fewest digits that round-trip and, among those, the ones
        // closest to the exact value, ties to even. core's shortest mode gives the
        // right count, but on an exact tie it rounds up (2^-25 = 2.98023223876953125e-8
        // must print ...312e-8). core's exact mode at that count is the closest
        // candidate, ties to even, but at a power of two the closest may fall outside
        // the narrower lower half of the rounding interval (2^-1017 is nearer
        // ...044e-307, which reads back as another double); then the shortest mode's
        // round-tripping candidate is the one.
        let abs = f.abs();
        let shortest = format!("{abs:e}");
        let count = shortest.split_once('e').unwrap().0.replace('.', "").len();
        let closest = format!("{:.*e}", count - 1, abs);
        let sci = if closest.parse::<f64>().unwrap() == abs {
            closest
        } else {
            shortest
        };
        let (mantissa, exp) = sci.split_once('e').unwrap();
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        let k = digits.len() as i64;
        let n = exp.parse::<i64>().unwrap() + 1;
        let sign = if f < 0.0 { "-" } else { "" };
        let body = if k <= n && n <= 21 {
            digits + &"0".repeat((n - k) as usize)
        } else if 0 < n && n <= 21 {
            format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
        } else if -6 < n && n <= 0 {
            format!("0.{}{}", "0".repeat((-n) as usize), digits)
        } else {
            let e = n - 1;
            let e = if e >= 0 {
                format!("+{e}")
            } else {
                format!("{e}")
            };
            if k == 1 {
                format!("{digits}e{e}")
            } else {
                format!("{}.{}e{}", &digits[..1], &digits[1..], e)
            }
        };
        format!("{sign}{body}")
    }

    #[test]
    fn numbers_serialise_as_ecmascript() {
        let check = |f: f64| {
            if let Ok(n) = Number::from_f64(f) {
                let mut out = String::new();
                write_number(n, &mut out);
                assert_eq!(out, es_number_to_string(f), "bits {:016x}", f.to_bits());
            }
        };
        for f in [
            // Either side of the switches between positional and exponential notation.
            1e21,
            f64::from_bits(1e21f64.to_bits() - 1),
            1e-7,
            f64::from_bits(1e-7f64.to_bits() - 1),
            1e-6,
            f64::from_bits(1e-6f64.to_bits() - 1),
            123e-20,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            2f64.powi(53),
            2f64.powi(63),
            0.1,
            1.0 / 3.0,
            100.0,
            1234567.0,
            4.35,
            0.000001234,
            1e300,
            1.5e-300,
        ] {
            check(f);
            check(-f);
        }
        // Powers of two and ten span every exponent; xorshift covers random bit patterns.
        for e in -1074..=1023 {
            check(2f64.powi(e));
        }
        for e in -323..=308 {
            check(format!("1e{e}").parse().unwrap());
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check(f64::from_bits(x));
            // Also short-mantissa values, where the notation switch points lie.
            check(f64::from_bits(x & 0xfff0_0000_0000_0000 | (x & 0xff)));
        }
    }

    /// Regression (issue #10.2): `core`'s float parser read this 655 KB literal as 0, where
    /// ECMAScript, Python and serde_json read −5e9, so a signed `"minimum": 0` could be
    /// replaced by it and still verify. On the old tree `canon` returned `[0]`.
    #[test]
    fn long_zero_runs_cannot_cancel_a_saturated_exponent() {
        let attack = format!("[-0.{}5e655369]", "0".repeat(655_359));
        assert_eq!(code(&attack), ErrorCode::InputTooLarge);
        // The same shape inside the limit is read exactly: −5e9.
        let inside = format!("-0.{}5e510", "0".repeat(500));
        assert!(inside.len() <= MAX_NUMBER_LITERAL_BYTES);
        assert_eq!(canon(&inside), "-5000000000");
        let over = format!("-0.{}5e520", "0".repeat(510));
        assert!(over.len() > MAX_NUMBER_LITERAL_BYTES);
        assert_eq!(code(&over), ErrorCode::InputTooLarge);
        // Exactly at the limit is still read.
        let at = format!("1.{}", "0".repeat(MAX_NUMBER_LITERAL_BYTES - 2));
        assert_eq!(at.len(), MAX_NUMBER_LITERAL_BYTES);
        assert_eq!(canon(&at), "1");
    }

    /// Adversarial literals read as ECMAScript's `Number()` reads them (the values were
    /// checked in Node; the cross-runtime vectors in `jcs.json` check them in every runtime).
    #[test]
    fn adversarial_literals_round_like_ecmascript() {
        let cases: &[(&str, &str)] = &[
            // Exactly half-way between 1 and the next double: ties to even.
            ("1.00000000000000011102230246251565404236316680908203125", "1"),
            // One digit past half-way, 55 digits in: rounds up.
            (
                "1.00000000000000011102230246251565404236316680908203126",
                "1.0000000000000002",
            ),
            // Half the smallest subnormal rounds to 0 (even); a hair above to 5e-324.
            ("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324", "0"),
            ("2.4703282292062328e-324", "5e-324"),
            ("4.9406564584124654e-324", "5e-324"),
            ("2.2250738585072011e-308", "2.225073858507201e-308"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("1e-400", "0"),
            ("-1e-400", "0"),
            ("1e-99999999999999999999", "0"),
            ("0e99999999999999999999", "0"),
            ("0.0000000000000000000000000000001e31", "1"),
            ("100000000000000000000000000000000e-32", "1"),
        ];
        for (lit, want) in cases {
            if lit.len() <= MAX_NUMBER_LITERAL_BYTES {
                assert_eq!(canon(lit), *want, "{lit}");
            } else {
                assert_eq!(code(lit), ErrorCode::InputTooLarge, "{lit}");
            }
        }
        for lit in ["1.7976931348623159e308", "1e99999999999999999999", "-1e400"] {
            assert_eq!(code(lit), ErrorCode::NumberOutOfRange, "{lit}");
        }
    }
}
