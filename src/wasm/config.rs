//! Config objects from JavaScript: a small serde `Deserializer` that walks the JS value itself.
//!
//! It reports what `serde_json` + `serde_path_to_error` reported when configs went through
//! `JSON.stringify`, in the same words (serde's own: `invalid type: string "fast", expected f32`,
//! ``unknown field `x`, expected one of …``), with the field path (`dataset.seed`, `hidden[2]`),
//! but without a JSON parser and float parser in the wasm. Like `JSON.stringify`, keys whose value
//! is `undefined` (or a function) are left out; unlike serde-wasm-bindgen, every key of an object
//! is visited, so a misspelt key is an error.

use std::fmt;

use js_sys::{Array, Object};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use wasm_bindgen::{JsError, JsValue};

/// A deserialization error and where it happened (innermost segment first).
#[derive(Debug)]
struct Error {
    msg: String,
    path: Vec<String>,
}

impl Error {
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            msg: msg.to_string(),
            path: Vec::new(),
        }
    }

    // JSON has `null` where serde says "unit value".
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        match unexp {
            de::Unexpected::Unit => {
                de::Error::custom(format_args!("invalid type: null, expected {exp}"))
            }
            u => de::Error::custom(format_args!("invalid type: {u}, expected {exp}")),
        }
    }
}

/// Largest integer a JS number holds exactly (2⁵³ − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A JS value as a serde data source.
struct Value(JsValue);

/// Whether a key with this value is left out, as `JSON.stringify` leaves it out.
fn skipped(v: &JsValue) -> bool {
    v.is_undefined() || v.is_function() || v.is_symbol()
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            return visitor.visit_unit();
        }
        if let Some(b) = v.as_bool() {
            return visitor.visit_bool(b);
        }
        if let Some(n) = v.as_f64() {
            // Whole numbers as integers (as JSON text would give them to serde_json).
            return if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
                if n >= 0.0 {
                    visitor.visit_u64(n as u64)
                } else {
                    visitor.visit_i64(n as i64)
                }
            } else {
                visitor.visit_f64(n)
            };
        }
        if let Some(s) = v.as_string() {
            return visitor.visit_string(s);
        }
        if Array::is_array(&v) {
            let a = Array::from(&v);
            return visitor.visit_seq(Seq { items: a, next: 0 });
        }
        if v.is_object() {
            let entries = Object::entries(&Object::from(v));
            return visitor.visit_map(Map {
                entries,
                next: 0,
                key: String::new(),
                value: JsValue::UNDEFINED,
            });
        }
        Err(de::Error::custom(
            "not a JSON value (numbers, strings, booleans, arrays and plain objects only)",
        ))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    // A unit variant by name, as serde_json reads `"name"`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(s) => visitor.visit_enum(de::IntoDeserializer::<Error>::into_deserializer(s)),
            None => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        seed.deserialize(Value(self.items.get(i)))
            .map(Some)
            .map_err(|e| e.at(format!("[{i}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.items.length() - self.next) as usize)
    }
}

struct Map {
    entries: Array,
    next: u32,
    key: String,
    value: JsValue,
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        while self.next < self.entries.length() {
            let pair = Array::from(&self.entries.get(self.next));
            self.next += 1;
            let value = pair.get(1);
            if skipped(&value) {
                continue;
            }
            self.key = pair.get(0).as_string().unwrap_or_default();
            self.value = value;
            let key: de::value::StrDeserializer<'_, Error> = self.key.as_str().into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = std::mem::replace(&mut self.value, JsValue::UNDEFINED);
        seed.deserialize(Value(value))
            .map_err(|e| e.at(std::mem::take(&mut self.key)))
    }
}

/// Reads a config object (`what` names it in messages: `config`, `prune spec`, …). NaN and
/// ±Infinity are refused first, naming where they are; every other problem names the field path.
pub(crate) fn from_js<T: DeserializeOwned>(what: &str, v: JsValue) -> Result<T, JsError> {
    if let Some((path, n)) = non_finite(&v, String::new(), 0) {
        return Err(JsError::new(&format!(
            "invalid {what}: {path} is {n} (a finite number)"
        )));
    }
    T::deserialize(Value(v)).map_err(|e| {
        let path = e.path();
        if path.is_empty() {
            JsError::new(&format!("invalid {what}: {}", e.msg))
        } else {
            JsError::new(&format!("invalid {what}: {path}: {}", e.msg))
        }
    })
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
