//! The browser build: one cdylib holding the main crate's `#[wasm_bindgen]` exports
//! (`pruning_playground::wasm`). It is the crate at the root of the link, so its opt-level (3)
//! is the one fat LTO optimizes with; the main crate's own functions keep the size level the
//! `wasm` profile gives them (see the workspace's Cargo.toml).

#[cfg(target_arch = "wasm32")]
pub use pruning_playground::wasm::*;
