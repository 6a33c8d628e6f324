//! The hot part of Pruning Playground: the masked MLP, training, data sets, the error type, the
//! seeded RNG and the loops of the decision-boundary views. Use it through the main crate (`pruning_playground::{model, train, data, …}`,
//! which re-exports these modules unchanged).
//!
//! It is a crate of its own only so that the browser engine can build it at opt-level 3 while the
//! cold rest (pruning planner, lottery runner, experiment, wasm glue) is built for size: Cargo
//! sets optimization levels per crate (`[profile.wasm.package.*]` in the workspace's Cargo.toml).
//! The module files stay in the main crate's `src/`, included here by path.

#[path = "../../../src/data/mod.rs"]
pub mod data;
#[path = "../../../src/error.rs"]
pub mod error;
#[path = "../../../src/model/mod.rs"]
pub mod model;
#[path = "../../../src/rng.rs"]
pub mod rng;
#[path = "../../../src/train/mod.rs"]
pub mod train;
#[path = "../../../src/views.rs"]
pub mod views;

pub use error::{Error, Result};
