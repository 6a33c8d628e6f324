//! # Pruning Playground
//!
//! Train small multi-layer perceptrons, prune them, and watch the lottery ticket hypothesis
//! play out — natively (the `pruning-playground` CLI) and in the browser (WebAssembly).
//!
//! The core is plain Rust and knows nothing of JavaScript:
//!
//! - [`model`]: the masked MLP ([`model::Mlp`], [`model::Dense`]) that keeps its initial weights θ₀;
//! - [`train`]: losses, backpropagation over whole mini-batches, SGD / momentum / Adam that never
//!   revive a masked weight;
//! - [`data`]: seeded 2D toy sets, MNIST-1D, the 8×8 digits and CSV files;
//! - [`prune`]: importance scores, masks, scopes, amounts and schedules;
//! - [`lottery`]: the level runner (train → prune → rewind → retrain) with control branches;
//! - [`io`]: PyTorch-compatible safetensors export and import (cargo feature `io`, on by default).
//!
//! [`model`], [`train`], [`data`], [`error`], [`rng`] and [`views`] live in the workspace crate
//! `pruning-playground-core` (crates/core: plain Rust, no dependency on this crate) and are
//! re-exported here, so that the browser engine can build the training path at opt-level 3 and the
//! rest of this crate for size (the `wasm` profile in Cargo.toml).
//!
//! [`wasm`] is the only module that knows about `wasm_bindgen`; it is compiled for `wasm32` only.
//! The browser gets two wasm modules from it, linked by the cdylib crate `pruning-playground-wasm`
//! (crates/wasm): the training engine (built without the `io` feature) and a small I/O module
//! (feature `io-module`) that the worker loads only when a model file, a PyTorch script or a CSV
//! data set is asked for (see docs/api.md).
//!
//! Every random choice takes an explicit seed ([`rng::seeded`]): the same seed gives the same run,
//! bit for bit, on every run of the same build.

pub mod config;
pub mod experiment;
#[cfg(feature = "io")]
pub mod io;
pub mod lottery;
pub mod prune;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use pruning_playground_core::{data, error, math, model, rng, train, views};
