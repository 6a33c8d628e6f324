//! The hot part of Pruning Playground: the masked MLP, training, data sets, the error type, the
//! seeded RNG and the loops of the decision-boundary views. Use it through the main crate (`pruning_playground::{model, train, data, …}`,
//! which re-exports these modules unchanged).
//!
//! It is a crate of its own so that the browser engine can build it at opt-level 3 while the
//! cold rest (pruning planner, lottery runner, experiment, wasm glue) is built for size: Cargo
//! sets optimization levels per crate (`[profile.wasm.package.*]` in the workspace's Cargo.toml).
//! It depends on nothing of the workspace: pure Rust, tested natively with `cargo test -p
//! pruning-playground-core`.

pub mod data;
pub mod error;
pub mod math;
pub mod model;
mod names;
pub mod rng;
pub mod train;
pub mod views;

pub use error::{Error, Result};
