//! The JavaScript boundary: the only file that knows about `wasm_bindgen`.
//!
//! It converts, calls the core, and converts back — nothing else. Config objects come in through
//! `serde-wasm-bindgen`; results go out as plain JS objects (camelCase) or copied typed arrays, never
//! as views into wasm memory. Every fallible call returns a JS `Error` whose message is the core's
//! error text (it names the field, the value and what is allowed).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::experiment::{Experiment, ExperimentConfig};
use crate::train::{EpochMetrics, Evaluation};

fn js_err(e: crate::Error) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Metrics of one epoch, as JS sees them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsEpoch {
    epoch: usize,
    step: u64,
    train_loss: f64,
    test_loss: f64,
    train_accuracy: f64,
    test_accuracy: f64,
}

impl From<&EpochMetrics> for JsEpoch {
    fn from(m: &EpochMetrics) -> Self {
        JsEpoch {
            epoch: m.epoch,
            step: m.step,
            train_loss: m.train_loss,
            test_loss: m.test_loss,
            train_accuracy: m.train_accuracy,
            test_accuracy: m.test_accuracy,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsEvaluation {
    train_loss: f64,
    test_loss: f64,
    train_accuracy: f64,
    test_accuracy: f64,
}

impl From<(Evaluation, Evaluation)> for JsEvaluation {
    fn from((tr, te): (Evaluation, Evaluation)) -> Self {
        JsEvaluation {
            train_loss: tr.loss,
            test_loss: te.loss,
            train_accuracy: tr.accuracy,
            test_accuracy: te.accuracy,
        }
    }
}

/// A whole experiment — data, model, trainer — driven step by step from JavaScript.
#[wasm_bindgen]
pub struct Playground {
    exp: Experiment,
}

#[wasm_bindgen]
impl Playground {
    /// Builds an experiment from a config object (camelCase keys; every key optional).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Playground, JsError> {
        let config: ExperimentConfig = if config.is_undefined() || config.is_null() {
            ExperimentConfig::default()
        } else {
            serde_wasm_bindgen::from_value(config)
                .map_err(|e| JsError::new(&format!("invalid config: {e}")))?
        };
        Ok(Playground {
            exp: Experiment::new(config).map_err(js_err)?,
        })
    }

    /// Trains whole epochs in one call; returns an array of per-epoch metrics.
    pub fn train(&mut self, epochs: usize) -> Result<JsValue, JsError> {
        let m = self.exp.train(epochs).map_err(js_err)?;
        to_js(&m.iter().map(JsEpoch::from).collect::<Vec<_>>())
    }

    /// Loss and accuracy on both splits now.
    pub fn evaluate(&self) -> Result<JsValue, JsError> {
        to_js(&JsEvaluation::from(self.exp.evaluate()))
    }
}
