//! The pruning course's toolkit on [`Playground`]: the per-layer sensitivity scan and N:M
//! semi-structured pruning (src/prune/sensitivity.rs, src/prune/nm.rs).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::engine::{to_js, Playground};
use super::js_err;
use crate::prune::nm::{hardware_cost, NM};
use crate::prune::Score;

/// What `nmCost` returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsNmCost {
    pattern: String,
    dense_multiply_adds: usize,
    sparse_multiply_adds: usize,
    metadata_bytes: usize,
}

#[wasm_bindgen]
impl Playground {
    /// Prunes each layer alone to each of `sparsities` (fractions of the layer's weights) and
    /// evaluates it without retraining on the validation split (the training split without one),
    /// leaving the model as it is: `{ split, base: { loss, accuracy }, curves: [{ layer, weights,
    /// alive, points: [{ sparsity, zeros, loss, accuracy }] }] }`. `score` as a prune spec's
    /// (default `magnitude`); `seed` feeds `random`.
    pub fn sensitivity(
        &self,
        sparsities: Vec<f64>,
        score: Option<String>,
        seed: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let score = Score::parse(score.as_deref().unwrap_or("magnitude")).map_err(js_err)?;
        let s = self
            .exp
            .sensitivity(&sparsities, score, u64::from(seed.unwrap_or(0)))
            .map_err(js_err)?;
        to_js(&s)
    }

    /// N:M semi-structured pruning of every layer (`pattern` such as `"2:4"`), ranked by
    /// `score` (default `magnitude`); returns the same report as `prune`. The next training
    /// starts with a fresh optimizer.
    #[wasm_bindgen(js_name = prunePattern)]
    pub fn prune_pattern(
        &mut self,
        pattern: &str,
        score: Option<String>,
        seed: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let pattern = NM::parse(pattern).map_err(js_err)?;
        let score = Score::parse(score.as_deref().unwrap_or("magnitude")).map_err(js_err)?;
        let report = self
            .exp
            .prune_pattern(pattern, score, u64::from(seed.unwrap_or(0)))
            .map_err(js_err)?;
        to_js(&super::engine::JsPruneReport::from(&report))
    }

    /// What `pattern` costs on hardware that runs it, for the current network:
    /// `{ pattern, denseMultiplyAdds, sparseMultiplyAdds, metadataBytes }`.
    #[wasm_bindgen(js_name = nmCost)]
    pub fn nm_cost(&self, pattern: &str) -> Result<JsValue, JsValue> {
        let p = NM::parse(pattern).map_err(js_err)?;
        let (dense, sparse, meta) = hardware_cost(&self.exp.model, p);
        to_js(&JsNmCost {
            pattern: p.name(),
            dense_multiply_adds: dense,
            sparse_multiply_adds: sparse,
            metadata_bytes: meta,
        })
    }
}
