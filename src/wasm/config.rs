//! Config objects from JavaScript, read straight from the JS value — no serde, no JSON text.
//!
//! The messages are the ones serde_json + serde_path_to_error gave when configs went through
//! `JSON.stringify` (serde's own words: `invalid type: string "fast", expected f32`,
//! ``unknown field `x`, expected one of `a`, `b` ``), with the field path (`dataset.seed`,
//! `hidden[2]`), but the wasm carries no deserializer per config type, no JSON parser and no float
//! parser. Like `JSON.stringify`, keys whose value is `undefined`, a function or a symbol are
//! left out; every other key must be a field (a misspelt key is an error). Field lists and field
//! setters come from the one declaration of each settings struct in [`crate::config`].

use std::fmt;

use js_sys::{Array, Object};
use serde::de::Unexpected;
use wasm_bindgen::JsValue;

use super::with_data;
use crate::error::Allowed;

use crate::config::{
    DataConfig, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig, Slot,
};

/// A problem and where it is (innermost segment first).
struct Error {
    msg: String,
    path: Vec<String>,
}

type Result<T> = std::result::Result<T, Error>;

impl Error {
    fn new(msg: String) -> Self {
        Error {
            msg,
            path: Vec::new(),
        }
    }

    fn at(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }

    /// `a.b[2].c`, as serde_path_to_error writes it; empty at the top level.
    fn path(&self) -> String {
        let mut out = String::new();
        for s in self.path.iter().rev() {
            if !out.is_empty() && !s.starts_with('[') {
                out.push('.');
            }
            out.push_str(s);
        }
        out
    }
}

/// Largest integer a JS number holds exactly (2⁵³ − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// What a JS value is, in serde's words (`null` for null, as serde_json says).
enum Kind {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(String),
    Seq,
    Map,
    Other,
}

fn kind(v: &JsValue) -> Kind {
    if v.is_null() || v.is_undefined() {
        Kind::Null
    } else if let Some(b) = v.as_bool() {
        Kind::Bool(b)
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
            if n >= 0.0 {
                Kind::Unsigned(n as u64)
            } else {
                Kind::Signed(n as i64)
            }
        } else {
            Kind::Float(n)
        }
    } else if let Some(s) = v.as_string() {
        Kind::Str(s)
    } else if Array::is_array(v) {
        Kind::Seq
    } else if v.is_object() {
        Kind::Map
    } else {
        Kind::Other
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Null => f.write_str("null"),
            Kind::Bool(b) => Unexpected::Bool(*b).fmt(f),
            Kind::Unsigned(n) => Unexpected::Unsigned(*n).fmt(f),
            Kind::Signed(n) => Unexpected::Signed(*n).fmt(f),
            Kind::Float(n) => Unexpected::Float(*n).fmt(f),
            Kind::Str(s) => Unexpected::Str(s).fmt(f),
            Kind::Seq => Unexpected::Seq.fmt(f),
            Kind::Map => Unexpected::Map.fmt(f),
            Kind::Other => f.write_str("a value JSON cannot hold"),
        }
    }
}

fn invalid_type(k: &Kind, expected: &str) -> Error {
    Error::new(format!("invalid type: {k}, expected {expected}"))
}

/// A value read from JS the way serde reads its JSON form.
trait Read: Sized {
    fn read(v: JsValue) -> Result<Self>;
}

impl Read for f64 {
    #[inline(never)]
    fn read(v: JsValue) -> Result<f64> {
        v.as_f64().ok_or_else(|| invalid_type(&kind(&v), "f64"))
    }
}

impl Read for f32 {
    #[inline(never)]
    fn read(v: JsValue) -> Result<f32> {
        v.as_f64()
            .map(|n| n as f32)
            .ok_or_else(|| invalid_type(&kind(&v), "f32"))
    }
}

/// A whole number up to `max`; `what` is the Rust type's name.
fn whole(v: &JsValue, what: &str, max: u64) -> Result<u64> {
    match kind(v) {
        Kind::Unsigned(n) if n <= max => Ok(n),
        k @ (Kind::Unsigned(_) | Kind::Signed(_)) => {
            Err(Error::new(format!("invalid value: {k}, expected {what}")))
        }
        k => Err(invalid_type(&k, what)),
    }
}

impl Read for u64 {
    #[inline(never)]
    fn read(v: JsValue) -> Result<u64> {
        whole(&v, "u64", u64::MAX)
    }
}

impl Read for usize {
    #[inline(never)]
    fn read(v: JsValue) -> Result<usize> {
        whole(&v, "usize", usize::MAX as u64).map(|n| n as usize)
    }
}

impl Read for String {
    #[inline(never)]
    fn read(v: JsValue) -> Result<String> {
        v.as_string()
            .ok_or_else(|| invalid_type(&kind(&v), "a string"))
    }
}

impl<T: Read> Read for Option<T> {
    fn read(v: JsValue) -> Result<Option<T>> {
        if v.is_null() || v.is_undefined() {
            Ok(None)
        } else {
            T::read(v).map(Some)
        }
    }
}

impl<T: Read> Read for Vec<T> {
    fn read(v: JsValue) -> Result<Vec<T>> {
        if !Array::is_array(&v) {
            return Err(invalid_type(&kind(&v), "a sequence"));
        }
        Array::from(&v)
            .iter()
            .enumerate()
            .map(|(i, x)| T::read(x).map_err(|e| e.at(format!("[{i}]"))))
            .collect()
    }
}

/// serde's list of the expected fields: `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
fn one_of(fields: &[&str]) -> String {
    match fields {
        [] => "there are no fields".into(),
        [a] => format!("expected `{a}`"),
        [a, b] => format!("expected `{a}` or `{b}`"),
        _ => {
            let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            format!("expected one of {}", list.join(", "))
        }
    }
}

/// Reads an object's keys in order into `set(key, value)`; `name` is the struct's (for
/// `expected struct ExperimentConfig`), `fields` its camelCase keys.
/// (Not generic and not inlined: one copy serves every config type.)
#[inline(never)]
fn fields(
    v: JsValue,
    name: &str,
    fields: &[&str],
    set: &mut dyn FnMut(&str, JsValue) -> Result<()>,
) -> Result<()> {
    if !v.is_object() || Array::is_array(&v) {
        return Err(invalid_type(&kind(&v), &format!("struct {name}")));
    }
    for entry in Object::entries(&Object::from(v)).iter() {
        let pair = Array::from(&entry);
        let value = pair.get(1);
        if value.is_undefined() || value.is_function() || value.is_symbol() {
            continue;
        }
        let key = pair.get(0).as_string().unwrap_or_default();
        if !fields.contains(&key.as_str()) {
            return Err(Error::new(format!(
                "unknown field `{key}`, {}",
                one_of(fields)
            )));
        }
        set(&key, value).map_err(|e| e.at(key))?;
    }
    Ok(())
}

/// A JS value as the filler of a settings field ([`crate::config::Slot`]).
struct Js(JsValue);

impl<T: Read> Slot<T, Error> for Js {
    fn fill(self, slot: &mut T) -> Result<()> {
        *slot = T::read(self.0)?;
        Ok(())
    }
}

/// `Read` for settings structs: the keys and fields come from the struct's one declaration
/// (`FIELDS`, `set_field`).
macro_rules! read_settings {
    ($($name:ident),*) => {$(
        impl Read for $name {
            fn read(v: JsValue) -> Result<Self> {
                let mut c = $name::default();
                fields(v, stringify!($name), $name::FIELDS, &mut |k, v| c.set_field(k, Js(v)))?;
                Ok(c)
            }
        }
    )*};
}

read_settings!(
    DataConfig,
    ExperimentConfig,
    PruneConfig,
    LotteryConfig,
    GradualConfig
);

/// Reads a config object (`what` names it in messages: `config`, `prune spec`, …). NaN and
/// ±Infinity are refused first, naming where they are; every other problem names the field path.
#[allow(private_bounds)]
pub(crate) fn from_js<T: Read>(what: &str, v: JsValue) -> std::result::Result<T, JsValue> {
    if let Some((path, n)) = non_finite(&v, String::new(), 0) {
        return Err(super::js_err(crate::Error::config(
            &path,
            n,
            Allowed::Finite,
        )));
    }
    T::read(v).map_err(|e| {
        let path = e.path();
        let message = if path.is_empty() {
            format!("invalid {what}: {}", e.msg)
        } else {
            format!("invalid {what}: {path}: {}", e.msg)
        };
        with_data(
            &message,
            &Unreadable {
                kind: "read",
                what,
                path: &path,
                problem: &e.msg,
            },
        )
    })
}

/// A config object that does not have the settings' shape (a key or type the page never sends),
/// as data: `problem` is serde's English wording.
#[derive(serde::Serialize)]
struct Unreadable<'a> {
    kind: &'static str,
    what: &'a str,
    path: &'a str,
    problem: &'a str,
}

/// The path (`a.b[2]`) and value of the first NaN or infinite number in a JS value, if any.
fn non_finite(v: &JsValue, path: String, depth: usize) -> Option<(String, String)> {
    if let Some(n) = v.as_f64() {
        let js = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return (!n.is_finite()).then(|| (path, js.to_string()));
    }
    if depth > 8 || !v.is_object() || js_sys::ArrayBuffer::is_view(v) {
        return None;
    }
    if Array::is_array(v) {
        let a = Array::from(v);
        return (0..a.length().min(4096))
            .find_map(|i| non_finite(&a.get(i), format!("{path}[{i}]"), depth + 1));
    }
    let entries = Object::entries(&Object::from(v.clone()));
    entries.iter().find_map(|e| {
        let pair = Array::from(&e);
        let key = pair.get(0).as_string().unwrap_or_default();
        let path = if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        };
        non_finite(&pair.get(1), path, depth + 1)
    })
}
