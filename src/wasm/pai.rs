//! Pruning at initialization compared (src/lottery/pai.rs) on [`Playground`], one run per call
//! so the worker can report progress and stop between runs.

use wasm_bindgen::prelude::*;

use super::engine::Playground;
use super::parts::object;
use super::{js_err, js_msg};
use crate::lottery::pai::{PaiControl, PaiRunner, PaiSpec};
use crate::prune::Score;

#[wasm_bindgen]
impl Playground {
    /// Starts the comparison from this experiment's dense θ₀ (its own model is not changed):
    /// each of `methods` (score names that prune at θ₀) at each of `densities`, beside the
    /// `controls` (`shuffle`, `reinit`), `epochs` epochs a run; `synflowRounds` rounds for
    /// SynFlow, `seed` for the random score and the controls. Returns the number of runs.
    #[wasm_bindgen(js_name = startPai)]
    pub fn start_pai(
        &mut self,
        methods: Vec<String>,
        densities: Vec<f64>,
        controls: Vec<String>,
        epochs: u32,
        synflow_rounds: u32,
        seed: u32,
    ) -> Result<usize, JsValue> {
        let methods = methods
            .iter()
            .map(|m| Score::parse(m))
            .collect::<crate::Result<Vec<_>>>()
            .map_err(js_err)?;
        let controls = controls
            .iter()
            .map(|c| PaiControl::parse(c))
            .collect::<crate::Result<Vec<_>>>()
            .map_err(js_err)?;
        let mut exp = self.exp.clone();
        exp.reset().map_err(js_err)?;
        let runner = PaiRunner::new(
            &exp,
            PaiSpec {
                methods,
                densities,
                controls,
                epochs: epochs as usize,
                synflow_rounds: synflow_rounds as usize,
                seed: u64::from(seed),
            },
        )
        .map_err(js_err)?;
        let total = runner.total();
        self.pai = Some(runner);
        Ok(total)
    }

    /// Prunes and trains the next network of the comparison: `{ method, control (null,
    /// 'shuffle', 'reinit'), density, actualDensity, bestEpoch, valAccuracy, testAccuracy, done,
    /// total }`, or `null` when every run is done.
    #[wasm_bindgen(js_name = paiStep)]
    pub fn pai_step(&mut self) -> Result<JsValue, JsValue> {
        let runner = self
            .pai
            .as_mut()
            .ok_or_else(|| js_msg("no comparison is running; call startPai first"))?;
        let total = runner.total();
        let Some(r) = runner.step().map_err(js_err)? else {
            return Ok(JsValue::NULL);
        };
        let n = JsValue::from_f64;
        Ok(object(&[
            ("method", JsValue::from_str(&r.method)),
            (
                "control",
                r.control
                    .map_or(JsValue::NULL, |c| JsValue::from_str(c.name())),
            ),
            ("density", n(r.density)),
            ("actualDensity", n(r.actual_density)),
            ("bestEpoch", n(r.best_epoch as f64)),
            ("valAccuracy", r.val_accuracy.map_or(JsValue::NULL, n)),
            ("testAccuracy", n(r.test_accuracy)),
            ("done", n(runner.runs().len() as f64)),
            ("total", n(total as f64)),
        ]))
    }
}
