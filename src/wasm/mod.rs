//! The JavaScript boundary: the only module that knows about `wasm_bindgen`.
//!
//! It converts, calls the core, and converts back — nothing else. Config objects are read by a
//! small deserializer over the JS value ([`config`]); results go out as plain JS objects
//! (camelCase) or copied typed arrays, never as views into wasm memory. Every fallible call
//! throws a JS `Error` whose message is the core's English text and whose own properties are the
//! error as data ([`js_err`]: `kind`, and `field`, `value`, `allowed`, `line`, `problem`… as the
//! kind has them), for the page to word in its own language.
//!
//! The crate gives the browser two wasm modules (scripts/build-wasm.sh):
//! - the training engine, [`Playground`] (built without the `io` feature);
//! - the I/O module, [`io`] (feature `io-module`): safetensors files, the PyTorch script and CSV
//!   data sets, loaded by the worker only when one is asked for. Models and data sets cross
//!   between the two as plain objects of typed arrays ([`parts`]).
//!
//! With the default features (the wasm tests) both are compiled into one module.

mod config;
pub(crate) mod num;
mod parts;

#[cfg(not(feature = "io-module"))]
mod engine;
#[cfg(not(feature = "io-module"))]
pub use engine::Playground;
#[cfg(not(feature = "io-module"))]
mod pai;
#[cfg(not(feature = "io-module"))]
mod toolkit;

#[cfg(feature = "io")]
pub mod io;

/// A core error as a JS `Error`: `message` is its English text, and its fields (serialized as
/// plain data, `kind` first) are set on the object.
fn js_err(e: crate::Error) -> wasm_bindgen::JsValue {
    with_data(&e.to_string(), &e)
}

/// A JS `Error` with `message` and the fields of `data` as own properties.
fn with_data(message: &str, data: &impl serde::Serialize) -> wasm_bindgen::JsValue {
    let err = js_sys::Error::new(message);
    if let Ok(fields) = data.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) {
        js_sys::Object::assign(&err, &fields.into());
    }
    err.into()
}

/// A JS `Error` with only a message: a call the page never makes (wrong types, wrong lengths).
fn js_msg(message: &str) -> wasm_bindgen::JsValue {
    js_sys::Error::new(message).into()
}
