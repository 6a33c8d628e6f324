//! The training engine's JS class, [`Playground`] (module `www/pkg/pruning_playground.js`).

use js_sys::{Array, Float32Array, Reflect, Uint16Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::config::from_js;
use super::parts::{dataset_from_js, f32s, model_from_js, model_to_js, numbers, object};
use super::{js_err, js_msg};
use crate::experiment::{Experiment, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig};
use crate::lottery::{
    Agreement, Branch, InitHistogram, LevelResult, LotteryRunner, MaskAnalysis, Role,
    TicketStructure,
};
use crate::prune::{PruneReport, SchedulePlan};
use crate::train::{EpochMetrics, Evaluation};

pub(super) fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_msg(&e.to_string()))
}

fn range(v: &[f32]) -> Result<[f32; 2], JsValue> {
    match v {
        [a, b] => Ok([*a, *b]),
        _ => Err(js_msg(&format!(
            "a range is two numbers [low, high], got {} numbers",
            v.len()
        ))),
    }
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
    val_loss: Option<f64>,
    val_accuracy: Option<f64>,
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
            val_loss: m.val_loss,
            val_accuracy: m.val_accuracy,
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
    pub(super) exp: Experiment,
    lottery: Option<LotteryRunner>,
    /// The running comparison of pruning at initialization (src/wasm/pai.rs).
    pub(super) pai: Option<crate::lottery::pai::PaiRunner>,
    /// The running sensitivity scan (src/wasm/toolkit.rs).
    pub(super) scan: Option<crate::prune::sensitivity::SensitivityScan>,
    /// One saved copy of the experiment ([`Playground::checkpoint`]), for going back after divergence.
    checkpoint: Option<Box<Experiment>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsPruneReport {
    structure: &'static str,
    removed: usize,
    remaining: usize,
    density: f64,
    layer_density: Vec<f64>,
    removed_per_layer: Vec<usize>,
    threshold: Option<f32>,
    clipped: bool,
}

impl From<&PruneReport> for JsPruneReport {
    fn from(r: &PruneReport) -> Self {
        JsPruneReport {
            structure: r.structure.name(),
            removed: r.removed,
            remaining: r.remaining,
            density: r.density,
            layer_density: r.layer_density.clone(),
            removed_per_layer: r.layer_removed.clone(),
            threshold: r.threshold,
            clipped: r.clipped,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsLevel {
    branch: &'static str,
    level: usize,
    density: f64,
    layer_density: Vec<f64>,
    test_accuracy: f64,
    early_stop_epoch: Option<usize>,
    early_stop_step: Option<u64>,
    early_stop_test_accuracy: Option<f64>,
    /// `LevelResult::mask_analysis` in camelCase (docs/api.md).
    mask_analysis: Option<JsMaskAnalysis>,
    diverged: bool,
    epochs: Vec<JsEpoch>,
}

impl From<&LevelResult> for JsLevel {
    fn from(r: &LevelResult) -> Self {
        JsLevel {
            branch: r.branch.name(),
            level: r.level,
            density: r.density,
            layer_density: r.layer_density.clone(),
            test_accuracy: r.test_accuracy,
            early_stop_epoch: r.early_stop_epoch,
            early_stop_step: r.early_stop_step,
            early_stop_test_accuracy: r.early_stop_test_accuracy,
            mask_analysis: r.mask_analysis.as_ref().map(JsMaskAnalysis::from),
            diverged: r.diverged,
            epochs: r.epochs.iter().map(JsEpoch::from).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsAgreement {
    layer: Vec<f64>,
    layer_chance: Vec<f64>,
    overall: f64,
    chance: f64,
}

impl From<&Agreement> for JsAgreement {
    fn from(a: &Agreement) -> Self {
        JsAgreement {
            layer: a.layer.clone(),
            layer_chance: a.layer_chance.clone(),
            overall: a.overall,
            chance: a.chance,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsMaskAnalysis {
    vs_random_mask: JsAgreement,
    vs_init_magnitude: Option<JsAgreement>,
    vs_other_seed: Option<JsAgreement>,
    /// Per layer `{ edges, kept, pruned }`.
    init_histogram: Vec<InitHistogram>,
}

impl From<&MaskAnalysis> for JsMaskAnalysis {
    fn from(m: &MaskAnalysis) -> Self {
        JsMaskAnalysis {
            vs_random_mask: (&m.vs_random_mask).into(),
            vs_init_magnitude: m.vs_init_magnitude.as_ref().map(JsAgreement::from),
            vs_other_seed: m.vs_other_seed.as_ref().map(JsAgreement::from),
            init_histogram: m.init_histogram.clone(),
        }
    }
}

#[wasm_bindgen]
impl Playground {
    /// Builds an experiment from a config object (camelCase keys; every key optional). A `csv`
    /// data set comes as `data`, read from the CSV text by the I/O module (`csvDataset(config)`);
    /// given for another kind, `data` replaces the built-in data set.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, data: JsValue) -> Result<Playground, JsValue> {
        let config: ExperimentConfig = if config.is_undefined() || config.is_null() {
            ExperimentConfig::default()
        } else {
            from_js("config", config)?
        };
        let exp = if data.is_undefined() || data.is_null() {
            if config.dataset.kind == "csv" {
                // Checked first, so the message is about the config when that is wrong.
                config.train_config().map_err(js_err)?;
                return Err(js_msg(
                    "a csv data set is read by the I/O module: new Playground(config, csvDataset(config))",
                ));
            }
            Experiment::new(config)
        } else {
            let data = dataset_from_js(&data)?;
            Experiment::from_data(config, data)
        };
        Ok(Playground {
            exp: exp.map_err(js_err)?,
            lottery: None,
            pai: None,
            scan: None,
            checkpoint: None,
        })
    }

    /// Trains whole epochs in one call; returns an array of per-epoch metrics.
    pub fn train(&mut self, epochs: usize) -> Result<JsValue, JsValue> {
        let m = self.exp.train(epochs).map_err(js_err)?;
        to_js(&m.iter().map(JsEpoch::from).collect::<Vec<_>>())
    }

    /// Loss and accuracy on both splits now.
    pub fn evaluate(&self) -> Result<JsValue, JsValue> {
        to_js(&JsEvaluation::from(self.exp.evaluate()))
    }
}

#[wasm_bindgen]
impl Playground {
    /// The version of this API (see docs/api.md); bumped on any breaking change.
    #[wasm_bindgen(js_name = apiVersion)]
    pub fn api_version() -> u32 {
        3
    }

    /// Gives the engine the 8×8 digits file (`pkg/digits.bin`, a copy of `data/digits.bin`), which
    /// the wasm build does not embed to stay small; needed once before building a `digits`
    /// network. The bytes are checked (format, checksum, that it is this build's file).
    #[wasm_bindgen(js_name = loadDigits)]
    pub fn load_digits(bytes: &[u8]) -> Result<(), JsValue> {
        crate::data::digits::provide(bytes).map_err(js_err)
    }

    /// Whether the digits file has been given ([`Playground::load_digits`]).
    #[wasm_bindgen(js_name = hasDigits)]
    pub fn has_digits() -> bool {
        crate::data::digits::available()
    }

    /// Gives the engine the MNIST file (`pkg/mnist.bin`, a copy of the generated
    /// `data/mnist.bin`, 7.85 MB); needed once before building an `mnist` network. The bytes are
    /// checked (format, checksum, that it is this build's file).
    #[wasm_bindgen(js_name = loadMnist)]
    pub fn load_mnist(bytes: &[u8]) -> Result<(), JsValue> {
        crate::data::mnist::provide(bytes).map_err(js_err)
    }

    /// Whether the MNIST file has been given ([`Playground::load_mnist`]).
    #[wasm_bindgen(js_name = hasMnist)]
    pub fn has_mnist() -> bool {
        crate::data::mnist::available()
    }

    /// A named experiment (`frankle-carbin-lenet`): `{ experiment, lottery }`, the configs to
    /// build the network with and to run its lottery with (camelCase, every field filled in).
    #[wasm_bindgen(js_name = preset)]
    pub fn preset(name: &str) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Preset {
            experiment: crate::config::ExperimentConfig,
            lottery: crate::config::LotteryConfig,
        }
        let (experiment, lottery) = crate::config::preset(name).map_err(js_err)?;
        to_js(&Preset {
            experiment,
            lottery,
        })
    }

    /// The config the experiment was built from (camelCase, with defaults filled in).
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(&self.exp.config)
    }

    /// The same as `train`: the name for retraining after a prune.
    #[wasm_bindgen(js_name = fineTune)]
    pub fn fine_tune(&mut self, epochs: usize) -> Result<JsValue, JsValue> {
        self.train(epochs)
    }

    /// Takes `n` optimizer steps: `{ step, epoch, completed }`.
    #[wasm_bindgen(js_name = trainSteps)]
    pub fn train_steps(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let done = self.exp.train_steps(u64::from(n)).map_err(js_err)?;
        #[derive(Serialize)]
        struct Out {
            step: u64,
            epoch: usize,
            completed: Vec<JsEpoch>,
        }
        to_js(&Out {
            step: self.exp.trainer.step(),
            epoch: self.exp.trainer.epoch(),
            completed: done.iter().map(JsEpoch::from).collect(),
        })
    }

    /// Takes `n` optimizer steps and measures nothing (no epoch metrics, no history): for
    /// benchmarks. Returns the number of epochs completed.
    #[wasm_bindgen(js_name = trainStepsOnly)]
    pub fn train_steps_only(&mut self, n: u32) -> Result<usize, JsValue> {
        self.exp.train_steps_only(u64::from(n)).map_err(js_err)
    }

    /// The order of training rows the next steps use: `{ order: Uint32Array, cursor }`, where
    /// the first `cursor` rows of `order` are already used in the current epoch. Draws nothing.
    #[wasm_bindgen(js_name = epochOrder)]
    pub fn epoch_order(&self) -> JsValue {
        let n = self.exp.data.x_train.nrows();
        let order: Vec<u32> = self
            .exp
            .trainer
            .epoch_order(n)
            .iter()
            .map(|&i| i as u32)
            .collect();
        object(&[
            ("order", js_sys::Uint32Array::from(order.as_slice()).into()),
            (
                "cursor",
                JsValue::from_f64(self.exp.trainer.epoch_cursor(n) as f64),
            ),
        ])
    }

    /// Every epoch's metrics so far.
    pub fn history(&self) -> Result<JsValue, JsValue> {
        to_js(
            &self
                .exp
                .history
                .iter()
                .map(JsEpoch::from)
                .collect::<Vec<_>>(),
        )
    }

    /// Survivors back to θ₀; the mask stays. The next training starts with a fresh optimizer
    /// at step 0 (as after every prune, rewind or reinit).
    ///
    /// # Errors
    /// If θ₀ is unknown (a model imported without its θ₀ file).
    pub fn rewind(&mut self) -> Result<(), JsValue> {
        self.exp.rewind().map_err(js_err)
    }

    /// Survivors back to the weights saved at the config's `rewindStep`; the next training
    /// starts with a fresh optimizer at that step of the data order.
    #[wasm_bindgen(js_name = rewindTo)]
    pub fn rewind_to(&mut self, step: u32) -> Result<(), JsValue> {
        self.exp.rewind_to(u64::from(step)).map_err(js_err)
    }

    /// Fresh random survivors from `seed`; the mask stays. The next training starts fresh.
    pub fn reinit(&mut self, seed: u32) {
        self.exp.reinit(u64::from(seed));
    }

    /// Keeps one copy of the whole experiment — model, θ₀, masks, optimizer state, data order,
    /// history — replacing the previous copy. The worker takes one before every epoch, so after a
    /// divergence [`Playground::restore_checkpoint`] goes back to the last good state.
    pub fn checkpoint(&mut self) {
        self.checkpoint = Some(Box::new(self.exp.clone()));
    }

    /// Goes back to the copy kept by [`Playground::checkpoint`] (the copy is used up).
    #[wasm_bindgen(js_name = restoreCheckpoint)]
    pub fn restore_checkpoint(&mut self) -> Result<(), JsValue> {
        let saved = self.checkpoint.take().ok_or_else(|| {
            js_msg("no good state was kept to go back to (checkpoint() was not called)")
        })?;
        self.exp = *saved;
        Ok(())
    }

    /// Whether a copy is kept ([`Playground::checkpoint`]).
    #[wasm_bindgen(js_name = hasCheckpoint)]
    pub fn has_checkpoint(&self) -> bool {
        self.checkpoint.is_some()
    }

    /// Back to the dense θ₀ network with a fresh trainer and no history.
    pub fn reset(&mut self) -> Result<(), JsValue> {
        self.exp.reset().map_err(js_err)
    }

    /// The model for drawing: per layer, copies of weights, θ₀, mask, bias and neuron ids.
    pub fn snapshot(&self) -> JsValue {
        let m = &self.exp.model;
        let layers: Array = m
            .layers()
            .iter()
            .zip(m.initial_params())
            .enumerate()
            .map(|(l, (d, p0))| {
                let ids: Vec<f64> = if l < m.neuron_ids().len() {
                    m.neuron_ids()[l].iter().map(|&i| i as f64).collect()
                } else {
                    (0..d.fan_out()).map(|i| i as f64).collect()
                };
                let mask: Vec<u8> = d.mask().iter().map(|&v| v as u8).collect();
                object(&[
                    ("shape", numbers(&[d.fan_out() as f64, d.fan_in() as f64])),
                    ("weights", f32s(d.weight().iter())),
                    ("initialWeights", f32s(p0.weight.iter())),
                    ("mask", Uint8Array::from(mask.as_slice()).into()),
                    ("bias", f32s(d.bias().iter())),
                    ("neuronIds", numbers(&ids)),
                ])
            })
            .collect();
        let widths: Vec<f64> = m.widths().iter().map(|&w| w as f64).collect();
        let original: Vec<f64> = m.spec().widths().iter().map(|&w| w as f64).collect();
        object(&[
            ("step", JsValue::from_f64(self.exp.trainer.step() as f64)),
            ("epoch", JsValue::from_f64(self.exp.trainer.epoch() as f64)),
            ("density", JsValue::from_f64(m.density())),
            ("layerDensity", numbers(&m.layer_density())),
            ("widths", numbers(&widths)),
            ("originalWidths", numbers(&original)),
            ("layers", layers.into()),
        ])
    }

    /// The data for drawing: features as Float32Array rows, labels as Uint8Array, or as
    /// Uint16Array when there are more than 256 classes (a CSV data set can have up to
    /// `MAX_WIDTH` = 4096, one output each).
    pub fn dataset(&self) -> JsValue {
        let d = &self.exp.data;
        let wide = d.n_classes > 256;
        let labels = |y: &[usize]| -> JsValue {
            if wide {
                Uint16Array::from(y.iter().map(|&c| c as u16).collect::<Vec<u16>>().as_slice())
                    .into()
            } else {
                Uint8Array::from(y.iter().map(|&c| c as u8).collect::<Vec<u8>>().as_slice()).into()
            }
        };
        let names: Array = d
            .feature_names
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect();
        object(&[
            ("name", JsValue::from_str(&d.name)),
            ("nFeatures", JsValue::from_f64(d.n_features() as f64)),
            ("nClasses", JsValue::from_f64(d.n_classes as f64)),
            ("featureNames", names.into()),
            ("xTrain", f32s(d.x_train.iter())),
            ("yTrain", labels(&d.y_train)),
            ("xTest", f32s(d.x_test.iter())),
            ("yTest", labels(&d.y_test)),
        ])
    }

    /// Class probabilities over a `resolution²` grid (x fastest), one batched forward pass:
    /// `resolution² × nClasses` values.
    #[wasm_bindgen(js_name = predictGrid)]
    pub fn predict_grid(
        &self,
        resolution: usize,
        x_range: Vec<f32>,
        y_range: Vec<f32>,
    ) -> Result<Float32Array, JsValue> {
        let grid = self
            .exp
            .grid(resolution, range(&x_range)?, range(&y_range)?)
            .map_err(js_err)?;
        let p = self.exp.probabilities(grid.view()).map_err(js_err)?;
        Ok(Float32Array::from(p.as_slice().expect("standard layout")))
    }

    /// Every layer's activations over a `resolution²` grid: one `resolution² × width`
    /// Float32Array per layer, for the per-neuron thumbnails.
    #[wasm_bindgen(js_name = neuronMaps)]
    pub fn neuron_maps(
        &self,
        resolution: usize,
        x_range: Vec<f32>,
        y_range: Vec<f32>,
    ) -> Result<Array, JsValue> {
        let acts = self
            .exp
            .neuron_maps(resolution, range(&x_range)?, range(&y_range)?)
            .map_err(js_err)?;
        Ok(acts
            .iter()
            .map(|a| JsValue::from(Float32Array::from(a.as_slice().expect("standard layout"))))
            .collect())
    }

    /// Network outputs for rows of `nFeatures` inputs.
    pub fn predict(&self, inputs: Vec<f32>) -> Result<Float32Array, JsValue> {
        let f = self.exp.model.widths()[0];
        if let Some(i) = inputs.iter().position(|v| !v.is_finite()) {
            return Err(js_msg(&format!(
                "predict: input {i} (row {}, feature {}) is {}; inputs must be finite numbers",
                i / f,
                i % f,
                inputs[i]
            )));
        }
        if inputs.len() % f != 0 {
            return Err(js_msg(&format!(
                "predict: {} numbers is not a whole number of rows of {f} features",
                inputs.len()
            )));
        }
        let x =
            ndarray::Array2::from_shape_vec((inputs.len() / f, f), inputs).expect("checked length");
        let a = self.exp.model.forward(x.view()).map_err(js_err)?;
        Ok(Float32Array::from(a.as_slice().expect("standard layout")))
    }

    /// Storage and compute costs of the current model.
    pub fn costs(&self) -> Result<JsValue, JsValue> {
        let c = self.exp.costs();
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out {
            parameters: usize,
            nonzero: usize,
            dense_bytes: usize,
            sparse_bytes: usize,
            flops_dense: usize,
            flops_sparse: usize,
        }
        to_js(&Out {
            parameters: c.parameters,
            nonzero: c.nonzero,
            dense_bytes: c.dense_bytes,
            sparse_bytes: c.sparse_bytes,
            flops_dense: c.flops_dense,
            flops_sparse: c.flops_sparse,
        })
    }

    /// One pruning step (see docs/api.md for the spec's keys).
    pub fn prune(&mut self, spec: JsValue) -> Result<JsValue, JsValue> {
        let cfg: PruneConfig = if spec.is_undefined() {
            PruneConfig::default()
        } else {
            from_js("prune spec", spec)?
        };
        let spec = cfg.spec().map_err(js_err)?;
        let report = self.exp.prune(&spec).map_err(js_err)?;
        to_js(&JsPruneReport::from(&report))
    }

    /// The page's iterative or gradual pruning of `fraction` of the remaining weights from the
    /// network as it is now ([`Experiment::schedule_plan`]): `{ kind: 'iterative', rounds:
    /// [{ amount, epochs, pattern }] }` (prune `amount` of the remaining weights, or to the
    /// round's `pattern` when it is not null, then train `epochs`), or `{ kind: 'gradual', epochs,
    /// gradual: { initialSparsity, finalSparsity, beginStep, endStep, frequency, power } }` (the
    /// fields of `setGradual`). `pattern` (optional, `"2:4"`): an N:M pattern reached in steps
    /// instead of `fraction`.
    #[wasm_bindgen(js_name = schedulePlan)]
    pub fn schedule_plan(
        &self,
        schedule: &str,
        fraction: f64,
        rounds: u32,
        epochs_per_round: u32,
        pattern: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let pattern = pattern
            .as_deref()
            .map(crate::prune::nm::NM::parse)
            .transpose()
            .map_err(js_err)?;
        let plan = self
            .exp
            .schedule_plan(
                schedule,
                fraction,
                rounds as usize,
                epochs_per_round as usize,
                pattern,
            )
            .map_err(js_err)?;
        let n = JsValue::from_f64;
        Ok(match plan {
            SchedulePlan::Iterative(rounds) => {
                let rounds: Array = rounds
                    .iter()
                    .map(|r| {
                        object(&[
                            ("amount", n(r.amount)),
                            ("epochs", n(r.epochs as f64)),
                            (
                                "pattern",
                                r.pattern.map_or(JsValue::NULL, |p| p.name().into()),
                            ),
                        ])
                    })
                    .collect();
                object(&[("kind", "iterative".into()), ("rounds", rounds.into())])
            }
            SchedulePlan::Gradual { gradual: g, epochs } => object(&[
                ("kind", "gradual".into()),
                ("epochs", n(epochs as f64)),
                (
                    "gradual",
                    object(&[
                        ("initialSparsity", n(g.initial_sparsity)),
                        ("finalSparsity", n(g.final_sparsity)),
                        ("beginStep", n(g.begin_step as f64)),
                        ("endStep", n(g.end_step as f64)),
                        ("frequency", n(g.frequency as f64)),
                        ("power", n(g.power)),
                    ]),
                ),
            ]),
        })
    }

    /// Sets (or with `null`, clears) a gradual pruning schedule applied by later training.
    #[wasm_bindgen(js_name = setGradual)]
    pub fn set_gradual(&mut self, spec: JsValue) -> Result<(), JsValue> {
        if spec.is_null() || spec.is_undefined() {
            self.exp.gradual = None;
            return Ok(());
        }
        let cfg: GradualConfig = from_js("gradual schedule", spec)?;
        self.exp.gradual = Some(cfg.plan().map_err(js_err)?);
        Ok(())
    }

    /// Starts a lottery experiment from this experiment's dense θ₀ (this playground's own model
    /// is not changed). Returns the total number of epochs it will train.
    ///
    /// `role` (optional) splits the experiment for two workers: `"ticket"` runs the ticket's
    /// levels only and hands out each level's structure (`lotteryTicketStructure`); `"controls"`
    /// runs the controls of the structures it is fed (`lotteryFeed`), in a playground built from
    /// the same config. Merged by level (ticket first, then the controls in the spec's order),
    /// the two histories are exactly the one of `"all"` (the default).
    #[wasm_bindgen(js_name = startLottery)]
    pub fn start_lottery(&mut self, spec: JsValue, role: Option<String>) -> Result<usize, JsValue> {
        let role = match role {
            Some(r) => Role::parse(&r).map_err(js_err)?,
            None => Role::All,
        };
        let cfg: LotteryConfig = if spec.is_undefined() {
            LotteryConfig::default()
        } else {
            from_js("lottery spec", spec)?
        };
        let spec = cfg.spec().map_err(js_err)?;
        let mut exp = self.exp.clone();
        if let crate::lottery::Reset::Step(k) = spec.reset {
            exp.config.rewind_step = Some(k);
        }
        let runner = exp.lottery_part(spec, role).map_err(js_err)?;
        let total = runner.epochs_total();
        self.lottery = Some(runner);
        Ok(total)
    }

    /// The structure the latest ticket level was pruned to — `{ level, masks: Uint8Array[],
    /// neuronIds: Uint32Array[] }` — or `null` before level 1 is prepared (or with no lottery).
    #[wasm_bindgen(js_name = lotteryTicketStructure)]
    pub fn lottery_ticket_structure(&self) -> JsValue {
        let Some(t) = self.lottery.as_ref().and_then(|r| r.ticket_structure()) else {
            return JsValue::NULL;
        };
        let masks: Array = t
            .masks
            .iter()
            .map(|m| {
                let bytes: Vec<u8> = m.iter().map(|&v| u8::from(v != 0.0)).collect();
                JsValue::from(Uint8Array::from(bytes.as_slice()))
            })
            .collect();
        let ids: Array = t
            .neuron_ids
            .iter()
            .map(|ids| {
                let ids: Vec<u32> = ids.iter().map(|&i| i as u32).collect();
                JsValue::from(js_sys::Uint32Array::from(ids.as_slice()))
            })
            .collect();
        object(&[
            ("level", JsValue::from(t.level as u32)),
            ("masks", masks.into()),
            ("neuronIds", ids.into()),
        ])
    }

    /// Feeds a `"controls"` lottery the structure of the next ticket level, as
    /// `lotteryTicketStructure` gave it. A wrong level, role or shape is an `Error`; the runner
    /// is unchanged then.
    #[wasm_bindgen(js_name = lotteryFeed)]
    pub fn lottery_feed(&mut self, structure: JsValue) -> Result<(), JsValue> {
        let runner = self
            .lottery
            .as_mut()
            .ok_or_else(|| js_msg("no lottery experiment is running; call startLottery first"))?;
        let bad = |what: &str| js_msg(&format!("invalid ticket structure: {what}"));
        let get = |k: &str| Reflect::get(&structure, &JsValue::from_str(k)).ok();
        let level = get("level")
            .and_then(|v| v.as_f64())
            .filter(|l| l.fract() == 0.0 && *l >= 1.0)
            .ok_or_else(|| bad("level is not a whole number ≥ 1"))? as usize;
        let list = |k: &str| {
            get(k)
                .filter(Array::is_array)
                .map(|v| Array::from(&v).iter().collect::<Vec<_>>())
                .ok_or_else(|| bad(&format!("{k} is not a list")))
        };
        let neuron_ids: Vec<Vec<usize>> = list("neuronIds")?
            .iter()
            .map(|v| {
                v.dyn_ref::<js_sys::Uint32Array>()
                    .map(|a| a.to_vec().into_iter().map(|i| i as usize).collect())
                    .ok_or_else(|| bad("neuronIds holds something other than Uint32Array"))
            })
            .collect::<Result<_, _>>()?;
        let widths = runner.dense().widths();
        let mut sizes = vec![widths[0]];
        sizes.extend(neuron_ids.iter().map(Vec::len));
        sizes.push(widths[widths.len() - 1]);
        let masks_in = list("masks")?;
        if masks_in.len() + 1 != sizes.len() {
            return Err(bad(&format!(
                "{} masks for {} layers",
                masks_in.len(),
                sizes.len() - 1
            )));
        }
        let masks = masks_in
            .iter()
            .enumerate()
            .map(|(l, v)| {
                let bytes = v
                    .dyn_ref::<Uint8Array>()
                    .ok_or_else(|| bad("masks holds something other than Uint8Array"))?
                    .to_vec();
                let values: Vec<f32> = bytes.iter().map(|&b| f32::from(b)).collect();
                ndarray::Array2::from_shape_vec((sizes[l + 1], sizes[l]), values).map_err(|_| {
                    bad(&format!(
                        "mask {l} has {} values, the layer {}×{}",
                        bytes.len(),
                        sizes[l + 1],
                        sizes[l]
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        runner
            .feed_ticket(&TicketStructure {
                level,
                masks,
                neuron_ids,
            })
            .map_err(js_err)
    }

    /// True if `lotteryStep` has work now (a `"controls"` lottery may be waiting to be fed).
    #[wasm_bindgen(js_name = lotteryHasWork)]
    pub fn lottery_has_work(&self) -> bool {
        self.lottery.as_ref().is_some_and(LotteryRunner::has_work)
    }

    /// Trains one epoch of the running lottery experiment:
    /// `{ branch, level, epoch, epochsDone, epochsTotal, finished }`.
    #[wasm_bindgen(js_name = lotteryStep)]
    pub fn lottery_step(&mut self) -> Result<JsValue, JsValue> {
        let runner = self
            .lottery
            .as_mut()
            .ok_or_else(|| js_msg("no lottery experiment is running; call startLottery first"))?;
        let p = runner.step().map_err(js_err)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out {
            branch: &'static str,
            level: usize,
            epoch: usize,
            epochs_done: usize,
            epochs_total: usize,
            finished: bool,
        }
        to_js(&Out {
            branch: p.branch.name(),
            level: p.level,
            epoch: p.epoch,
            epochs_done: p.epochs_done,
            epochs_total: p.epochs_total,
            finished: p.finished,
        })
    }

    /// Every finished (branch, level) of the lottery experiment so far.
    #[wasm_bindgen(js_name = lotteryHistory)]
    pub fn lottery_history(&self) -> Result<JsValue, JsValue> {
        let results = self.lottery.as_ref().map(|r| r.results()).unwrap_or(&[]);
        to_js(&results.iter().map(JsLevel::from).collect::<Vec<_>>())
    }

    /// Drops the lottery runner.
    #[wasm_bindgen(js_name = cancelLottery)]
    pub fn cancel_lottery(&mut self) {
        self.lottery = None;
    }

    /// Makes the lottery's latest trained ticket the playground's model (to inspect or export it),
    /// with that level's training as the history: the epoch count and loss curve describe the
    /// network shown.
    #[wasm_bindgen(js_name = adoptTicket)]
    pub fn adopt_ticket(&mut self) -> Result<(), JsValue> {
        let runner = self.lottery.as_ref();
        let ticket = runner
            .and_then(|r| r.ticket())
            .ok_or_else(|| js_msg("no trained ticket yet; run a lottery level first"))?;
        let history = runner
            .and_then(|r| {
                r.results()
                    .iter()
                    .rev()
                    .find(|l| l.branch == Branch::Ticket)
            })
            .map(|l| l.epochs.clone())
            .unwrap_or_default();
        self.exp.replace_model(ticket.clone()).map_err(js_err)?;
        self.exp.history = history;
        Ok(())
    }

    /// Histogram of |w| over alive weights: `{ edges, counts }`.
    #[wasm_bindgen(js_name = weightHistogram)]
    pub fn weight_histogram(&self, bins: usize) -> Result<JsValue, JsValue> {
        let (edges, counts) = crate::prune::weight_histogram(&self.exp.model, bins.clamp(1, 1000));
        #[derive(Serialize)]
        struct Out {
            edges: Vec<f32>,
            counts: Vec<usize>,
        }
        to_js(&Out { edges, counts })
    }

    /// The model as a plain object of typed arrays (see src/wasm/parts.rs), for the I/O module's
    /// `exportSafetensors`; it records the loss.
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self) -> JsValue {
        model_to_js(&self.exp.model, Some(self.exp.trainer.config().loss))
    }

    /// Replaces the model with a model object (the I/O module's `importSafetensors`); it must fit
    /// the current data (inputs and outputs). On error the current model stays. Returns
    /// `snapshot()`.
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&mut self, model: JsValue) -> Result<JsValue, JsValue> {
        let (model, _loss) = model_from_js(&model)?;
        self.exp.replace_model(model).map_err(js_err)?;
        Ok(self.snapshot())
    }
}
