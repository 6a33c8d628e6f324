//! The pruning course's toolkit on [`Playground`]: the per-layer sensitivity scan and N:M
//! semi-structured pruning (src/prune/sensitivity.rs, src/prune/nm.rs).

//! Results are built as plain objects ([`object`]) rather than through serde, which costs the
//! engine module several kilobytes per result type.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::engine::Playground;
use super::js_err;
use super::parts::object;
use crate::prune::nm::{hardware_cost, layer_costs, NM};
use crate::prune::Score;

fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
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
        let curves: Array = s
            .curves
            .iter()
            .map(|c| {
                let points: Array = c
                    .points
                    .iter()
                    .map(|p| {
                        object(&[
                            ("sparsity", n(p.sparsity)),
                            ("zeros", n(p.zeros as f64)),
                            ("loss", n(p.loss)),
                            ("accuracy", n(p.accuracy)),
                        ])
                    })
                    .collect();
                object(&[
                    ("layer", n(c.layer as f64)),
                    ("weights", n(c.weights as f64)),
                    ("alive", n(c.alive as f64)),
                    ("points", points.into()),
                ])
            })
            .collect();
        Ok(object(&[
            ("split", s.split.into()),
            (
                "base",
                object(&[("loss", n(s.base.loss)), ("accuracy", n(s.base.accuracy))]),
            ),
            ("curves", curves.into()),
        ]))
    }

    /// What `pattern` costs on hardware that runs it, for the current network:
    /// `{ pattern, denseMultiplyAdds, sparseMultiplyAdds, metadataBytes, layers }`, `layers` the
    /// same three numbers per layer (`{ dense, sparse, metadataBytes }`, input side first).
    #[wasm_bindgen(js_name = nmCost)]
    pub fn nm_cost(&self, pattern: &str) -> Result<JsValue, JsValue> {
        let p = NM::parse(pattern).map_err(js_err)?;
        let total = hardware_cost(&self.exp.model, p);
        let layers: Array = layer_costs(&self.exp.model, p)
            .iter()
            .map(|c| {
                object(&[
                    ("dense", n(c.dense as f64)),
                    ("sparse", n(c.sparse as f64)),
                    ("metadataBytes", n(c.metadata_bytes as f64)),
                ])
            })
            .collect();
        Ok(object(&[
            ("pattern", p.name().into()),
            ("denseMultiplyAdds", n(total.dense as f64)),
            ("sparseMultiplyAdds", n(total.sparse as f64)),
            ("metadataBytes", n(total.metadata_bytes as f64)),
            ("layers", layers.into()),
        ]))
    }
}
