//! The pruning course's toolkit on [`Playground`]: the per-layer sensitivity scan and N:M
//! semi-structured pruning (src/prune/sensitivity.rs, src/prune/nm.rs).

//! Results are built as plain objects ([`object`]) rather than through serde, which costs the
//! engine module several kilobytes per result type.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::engine::Playground;
use super::parts::object;
use super::{js_err, js_msg};
use crate::prune::nm::{hardware_cost, layer_costs, NM};
use crate::prune::sensitivity::{SensitivityCurve, SensitivityPoint};
use crate::prune::Score;
use crate::train::Evaluation;

fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn point_object(p: &SensitivityPoint) -> JsValue {
    object(&[
        ("sparsity", n(p.sparsity)),
        ("zeros", n(p.zeros as f64)),
        ("loss", n(p.loss)),
        ("accuracy", n(p.accuracy)),
    ])
}

/// A scan as `sensitivity` returns it.
fn scan_object(split: &str, base: &Evaluation, curves: &[SensitivityCurve]) -> JsValue {
    let curves: Array = curves
        .iter()
        .map(|c| {
            let points: Array = c.points.iter().map(point_object).collect();
            object(&[
                ("layer", n(c.layer as f64)),
                ("weights", n(c.weights as f64)),
                ("alive", n(c.alive as f64)),
                ("points", points.into()),
            ])
        })
        .collect();
    object(&[
        ("split", split.into()),
        (
            "base",
            object(&[("loss", n(base.loss)), ("accuracy", n(base.accuracy))]),
        ),
        ("curves", curves.into()),
    ])
}

#[wasm_bindgen]
impl Playground {
    /// Prunes each layer alone to each of `sparsities` (fractions of the layer's weights) and
    /// evaluates it without retraining on the validation split (the training split without one),
    /// leaving the model as it is: `{ split, base: { loss, accuracy }, curves: [{ layer, weights,
    /// alive, points: [{ sparsity, zeros, loss, accuracy }] }] }`. `score` as a prune spec's
    /// (default `magnitude`); `seed` feeds `random`. One call; `startSensitivity` and
    /// `sensitivityStep` give the same scan point by point.
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
        Ok(scan_object(s.split, &s.base, &s.curves))
    }

    /// Starts the scan `sensitivity` makes, to be run point by point with `sensitivityStep` (so
    /// the worker can report progress and stop between points). Returns the scan with every
    /// curve's points still empty, as `sensitivity` returns it, and `total`, the points to come.
    #[wasm_bindgen(js_name = startSensitivity)]
    pub fn start_sensitivity(
        &mut self,
        sparsities: Vec<f64>,
        score: Option<String>,
        seed: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let score = Score::parse(score.as_deref().unwrap_or("magnitude")).map_err(js_err)?;
        let (run, split, base) = self
            .exp
            .sensitivity_start(&sparsities, score, u64::from(seed.unwrap_or(0)))
            .map_err(js_err)?;
        let out = scan_object(split, &base, run.curves());
        js_sys::Reflect::set(&out, &"total".into(), &n(run.total() as f64))?;
        self.scan = Some(run);
        Ok(out)
    }

    /// Evaluates the next point of the scan `startSensitivity` began: `{ layer, point: {
    /// sparsity, zeros, loss, accuracy }, done, total }`, or `null` when every point is done.
    #[wasm_bindgen(js_name = sensitivityStep)]
    pub fn sensitivity_step(&mut self) -> Result<JsValue, JsValue> {
        let run = self
            .scan
            .as_mut()
            .ok_or_else(|| js_msg("no scan is running; call startSensitivity first"))?;
        let Some((layer, p)) = self.exp.sensitivity_step(run).map_err(js_err)? else {
            return Ok(JsValue::NULL);
        };
        Ok(object(&[
            ("layer", n(layer as f64)),
            ("point", point_object(&p)),
            ("done", n(run.done() as f64)),
            ("total", n(run.total() as f64)),
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
