//! The JavaScript boundary: the only module that knows about `wasm_bindgen`.
//!
//! It converts, calls the core, and converts back — nothing else. Config objects are read by a
//! small deserializer over the JS value ([`config`]); results go out as plain JS objects
//! (camelCase) or copied typed arrays, never as views into wasm memory. Every fallible call
//! returns a JS `Error` whose message is the core's error text (it names the field, the value and
//! what is allowed).
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
mod toolkit;

#[cfg(feature = "io")]
pub mod io;

fn js_err(e: crate::Error) -> wasm_bindgen::JsError {
    wasm_bindgen::JsError::new(&e.to_string())
}
