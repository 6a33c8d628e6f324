//! Training: backpropagation over whole mini-batches (matrix products, no per-sample loops), the
//! optimizers, and per-epoch metrics.
//!
//! Gradients at masked weights are read as 0 by the optimizer, which also re-applies the mask
//! after its update (to the weights and to the moments), so a pruned weight stays exactly 0
//! whatever the rule (momentum and Adam carry state that would otherwise revive it).
//!
//! One backprop computes a step's gradients (`backprop.rs`), over slice buffers, with each
//! layer's products going through the back end chosen for it once per training call (direct
//! loops, the tiled kernel or sparse rows: [`Product`]), each the same sums natively and in
//! WebAssembly, so a seed trains to the same bits in the CLI and in the browser.

mod backprop;
mod kernels;
mod loss;
mod optimizer;
pub mod shift;

pub use backprop::Product;
pub use loss::Loss;
pub use optimizer::Optimizer;

use ndarray::{s, Array2, ArrayView2};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::Allowed;
use crate::model::Mlp;
use crate::rng::{self, Rng};
use crate::{Error, Result};
use optimizer::OptState;

/// Largest mini-batch.
pub const MAX_BATCH: usize = 4096;

/// Largest number of epochs one call may train (an experiment's `train`, a lottery level).
pub const MAX_EPOCHS: usize = 10_000;

/// Hyperparameters of training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The loss to minimize.
    pub loss: Loss,
    /// The update rule.
    pub optimizer: Optimizer,
    /// Step size η, > 0.
    pub learning_rate: f32,
    /// Samples per mini-batch; the last batch of an epoch may be smaller.
    pub batch_size: usize,
    /// L1 penalty λ₁ on weights (not biases): adds λ₁·sign(w) to the gradient.
    pub l1: f32,
    /// L2 penalty λ₂ on weights (not biases): adds λ₂·w to the gradient (PyTorch's
    /// `weight_decay` for SGD).
    pub l2: f32,
    /// Seed of the per-epoch shuffling.
    pub seed: u64,
    /// If set, the weights after this many optimizer steps are saved in the model for late
    /// rewinding (`step:K`). Step 0 is θ₀ itself.
    pub rewind_step: Option<u64>,
    /// Augmentation: each training image of a batch is moved by a random offset in
    /// `{−shift … shift}²` pixels, zero fill ([`shift`]); 0 (the default) trains on the images
    /// as they are. Image data only; validation and test data are never moved.
    pub shift: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            loss: Loss::CrossEntropy,
            optimizer: Optimizer::adam(),
            learning_rate: 1e-3,
            batch_size: 32,
            l1: 0.0,
            l2: 0.0,
            seed: 0,
            rewind_step: None,
            shift: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field, the value and what is allowed.
    pub fn validate(&self) -> Result<()> {
        if !(self.learning_rate > 0.0 && self.learning_rate <= 10.0) {
            return Err(Error::config(
                "learning_rate",
                self.learning_rate,
                Allowed::interval(0.0, 10.0, true, false),
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH {
            return Err(Error::config(
                "batch_size",
                self.batch_size,
                Allowed::Range {
                    min: 1,
                    max: MAX_BATCH as u64,
                },
            ));
        }
        for (field, v) in [("l1", self.l1), ("l2", self.l2)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::config(
                    field,
                    v,
                    Allowed::interval(0.0, 1.0, false, false),
                ));
            }
        }
        if self.shift > shift::MAX_SHIFT {
            return Err(Error::config(
                "shift",
                self.shift,
                Allowed::Range {
                    min: 0,
                    max: shift::MAX_SHIFT as u64,
                },
            ));
        }
        self.optimizer.validate()
    }

    /// Checks the settings that depend on the data: a `shift` needs images.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a `shift` above 0 on data that are not images.
    pub fn validate_for(&self, data: &Dataset) -> Result<()> {
        if self.shift > 0 && data.image_side.is_none() {
            return Err(Error::config("shift", self.shift, Allowed::ImagesOnly));
        }
        Ok(())
    }
}

/// Loss and accuracy on one split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Mean loss.
    pub loss: f64,
    /// Fraction classified correctly, in [0, 1].
    pub accuracy: f64,
}

/// What one epoch achieved, measured on the whole train, validation and test sets after its last
/// step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based count of epochs completed by this trainer.
    pub epoch: usize,
    /// Optimizer steps taken so far.
    pub step: u64,
    /// Mean training loss.
    pub train_loss: f64,
    /// Mean test loss.
    pub test_loss: f64,
    /// Training accuracy in [0, 1].
    pub train_accuracy: f64,
    /// Test accuracy in [0, 1].
    pub test_accuracy: f64,
    /// Mean validation loss (`None` without a validation split): what early stopping reads.
    pub val_loss: Option<f64>,
    /// Validation accuracy in [0, 1] (`None` without a validation split).
    pub val_accuracy: Option<f64>,
}

/// Every layer's gradients, row-major like its weights (`[out, in]`) and bias, written by either
/// training path and read by the regularization and the optimizer.
#[derive(Debug, Clone, Default)]
struct Grads {
    w: Vec<Vec<f32>>,
    b: Vec<Vec<f32>>,
}

impl Grads {
    /// Sizes the buffers for these layers (allocates only when a shape changed).
    fn fit(&mut self, layers: &[crate::model::Dense]) {
        let fits = self.w.len() == layers.len()
            && layers
                .iter()
                .zip(self.w.iter().zip(&self.b))
                .all(|(d, (w, b))| w.len() == d.weight.len() && b.len() == d.bias.len());
        if !fits {
            self.w = layers.iter().map(|d| vec![0.0; d.weight.len()]).collect();
            self.b = layers.iter().map(|d| vec![0.0; d.bias.len()]).collect();
        }
    }
}

/// Runs mini-batch training on a model, one step, many steps or whole epochs per call.
///
/// The trainer owns what persists between calls: the optimizer's moments, the step count, the
/// shuffled order of the current epoch and the shuffling RNG. Everything is seeded, so the same
/// config, model and data give bit-identical weights on every run of the same build.
#[derive(Debug, Clone)]
pub struct Trainer {
    config: TrainConfig,
    state: Option<OptState>,
    step: u64,
    epoch: usize,
    order: Vec<usize>,
    cursor: usize,
    rng: Rng,
    bp: backprop::Backprop,
    grads: Grads,
    /// The back end forced on every layer (see [`Trainer::force_products`]).
    force: Option<Product>,
    /// One image, for the `shift` augmentation.
    scratch: Vec<f32>,
}

impl Trainer {
    /// A trainer at step 0.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the config is invalid.
    pub fn new(config: TrainConfig) -> Result<Self> {
        config.validate()?;
        let rng = rng::derived(config.seed, "shuffle");
        Ok(Trainer {
            config,
            state: None,
            step: 0,
            epoch: 0,
            order: Vec::new(),
            cursor: 0,
            rng,
            bp: backprop::Backprop::default(),
            grads: Grads::default(),
            force: None,
            scratch: Vec::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
    /// Optimizer steps taken so far.
    pub fn step(&self) -> u64 {
        self.step
    }
    /// Epochs completed so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Replaces the learning rate (e.g. for fine-tuning), keeping all state.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if out of range; the trainer is unchanged then.
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        let mut c = self.config.clone();
        c.learning_rate = lr;
        c.validate()?;
        self.config = c;
        Ok(())
    }

    /// Forgets the optimizer's moments (as a new optimizer would start), keeping the step count
    /// and the data order.
    pub fn reset_optimizer(&mut self) {
        self.state = None;
    }

    /// Starts over as a new trainer with the same config would, then moves on to step `at` of
    /// that run without training: a fresh optimizer (no moments; Adam's bias correction counts
    /// from 1 again) and the data order of a run from step 0, positioned at step `at` — the
    /// epochs before it drawn and skipped, the batches of steps `at`, `at + 1`, … next. This is
    /// OpenLTH's retraining after a prune: a new optimizer, and after rewinding to step k the data
    /// continuing from step k. `n` is the number of training rows.
    pub fn restart_at(&mut self, at: u64, n: usize) {
        self.state = None;
        self.rng = rng::derived(self.config.seed, "shuffle");
        self.order.clear();
        self.cursor = 0;
        let per_epoch = n.div_ceil(self.config.batch_size).max(1) as u64;
        let (epochs, within) = (at / per_epoch, at % per_epoch);
        for _ in 0..epochs {
            // Each epoch draws one permutation (as `one_step` does at an epoch boundary).
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut self.rng);
        }
        if within > 0 {
            self.order = (0..n).collect();
            self.order.shuffle(&mut self.rng);
            self.cursor = within as usize * self.config.batch_size;
        }
        self.step = at;
        self.epoch = epochs as usize;
    }

    /// Steps in one epoch over `n` training rows: ⌈n / batch size⌉.
    pub fn steps_per_epoch(&self, n: usize) -> u64 {
        n.div_ceil(self.config.batch_size) as u64
    }

    /// Forces one back end on every layer's products, or (`None`, the default) lets each layer
    /// have the one its shape, layout and mask select (see `src/train/backprop.rs`). A layer
    /// whose weights are column-major has the tiled kernel for the products that read them, and
    /// the sparse back end only takes row-major layers. The back ends agree bit for
    /// bit where their sums are the same (tested), so this changes speed only there: it exists
    /// for benchmarks and for those tests.
    pub fn force_products(&mut self, product: Option<Product>) {
        self.force = product;
    }

    /// Trains until the current epoch ends, then measures loss and accuracy on both splits.
    ///
    /// # Errors
    /// [`Error::Diverged`] if a batch loss is not finite (that update is not applied);
    /// [`Error::Shape`] if the data does not fit the model.
    pub fn train_epoch(&mut self, model: &mut Mlp, data: &Dataset) -> Result<EpochMetrics> {
        self.check_data(model, data)?;
        let x_train = self.prepare(model, data);
        loop {
            let ended = self.one_step(model, data, x_train)?;
            if ended {
                break;
            }
        }
        Ok(self.metrics(model, data))
    }

    /// Takes `n` optimizer steps (crossing epoch boundaries as needed). Returns the metrics of
    /// every epoch completed along the way.
    ///
    /// # Errors
    /// As [`Trainer::train_epoch`].
    pub fn train_steps(
        &mut self,
        model: &mut Mlp,
        data: &Dataset,
        n: u64,
    ) -> Result<Vec<EpochMetrics>> {
        self.check_data(model, data)?;
        let x_train = self.prepare(model, data);
        let mut done = Vec::new();
        for _ in 0..n {
            if self.one_step(model, data, x_train)? {
                done.push(self.metrics(model, data));
            }
        }
        Ok(done)
    }

    /// Takes `n` optimizer steps (crossing epoch boundaries as needed) and measures nothing: no
    /// epoch metrics are computed. Returns the number of epochs completed. The steps are exactly
    /// those [`Trainer::train_steps`] takes (same batches, same numbers); only the per-epoch
    /// evaluation is skipped, for benchmarks and callers that evaluate themselves.
    ///
    /// # Errors
    /// As [`Trainer::train_epoch`].
    pub fn train_steps_only(&mut self, model: &mut Mlp, data: &Dataset, n: u64) -> Result<usize> {
        self.check_data(model, data)?;
        let x_train = self.prepare(model, data);
        let mut epochs = 0;
        for _ in 0..n {
            if self.one_step(model, data, x_train)? {
                epochs += 1;
            }
        }
        Ok(epochs)
    }

    /// The order of training rows the next steps use: the current epoch's shuffled order if an
    /// epoch is under way (its first `cursor` rows already used, see [`Trainer::epoch_cursor`]),
    /// otherwise the order the next epoch will draw. Peeking draws nothing: the steps that follow
    /// are the same with or without it. `n` is the number of training rows.
    pub fn epoch_order(&self, n: usize) -> Vec<usize> {
        if self.order.len() == n && self.cursor < n {
            return self.order.clone();
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.rng.clone());
        order
    }

    /// Rows of the current epoch's order already used (0 at an epoch boundary).
    pub fn epoch_cursor(&self, n: usize) -> usize {
        if self.order.len() == n && self.cursor < n {
            self.cursor
        } else {
            0
        }
    }

    /// Loss and accuracy of every split after the current step.
    pub fn metrics(&self, model: &Mlp, data: &Dataset) -> EpochMetrics {
        let tr = evaluate(model, data.x_train.view(), &data.y_train, self.config.loss);
        let te = evaluate(model, data.x_test.view(), &data.y_test, self.config.loss);
        let va = (!data.y_val.is_empty())
            .then(|| evaluate(model, data.x_val.view(), &data.y_val, self.config.loss));
        EpochMetrics {
            epoch: self.epoch,
            step: self.step,
            train_loss: tr.loss,
            test_loss: te.loss,
            train_accuracy: tr.accuracy,
            test_accuracy: te.accuracy,
            val_loss: va.map(|e| e.loss),
            val_accuracy: va.map(|e| e.accuracy),
        }
    }

    fn check_data(&self, model: &Mlp, data: &Dataset) -> Result<()> {
        let widths = model.widths();
        let outputs = self.config.loss.outputs(data.n_classes);
        if widths[0] != data.n_features() || widths[widths.len() - 1] != outputs {
            return Err(Error::Shape {
                what: format!("model for dataset {}", data.name),
                expected: format!(
                    "{} inputs and {outputs} outputs ({} loss, {} classes)",
                    data.n_features(),
                    self.config.loss.name(),
                    data.n_classes
                ),
                got: format!(
                    "{} inputs and {} outputs",
                    widths[0],
                    widths[widths.len() - 1]
                ),
            });
        }
        if data.x_train.nrows() == 0 {
            return Err(Error::state("the training set is empty"));
        }
        if let Some(side) = data.image_side.filter(|_| self.config.shift > 0) {
            if side * side != data.n_features() {
                return Err(Error::Shape {
                    what: format!("images of dataset {}", data.name),
                    expected: format!("{side}×{side} = {} features", side * side),
                    got: format!("{} features", data.n_features()),
                });
            }
        }
        self.config.validate_for(data)
    }

    /// What the steps of one training call share, chosen once per call rather than per step (a
    /// step changes weights, never shapes, layouts or masks): sizes the buffers, chooses every
    /// layer's back end for the full batch and the epoch's short last batch, and returns the
    /// training rows as one row-major slice if they are one (else the steps gather them from
    /// the array).
    fn prepare<'d>(&mut self, model: &Mlp, data: &'d Dataset) -> Option<&'d [f32]> {
        self.grads.fit(&model.layers);
        let (n, batch) = (data.x_train.nrows(), self.config.batch_size);
        let last = if n % batch == 0 { batch } else { n % batch };
        self.bp.prepare(&model.layers, (batch, last), self.force);
        data.x_train.as_slice()
    }

    /// One optimizer step on the next batch, gathered from `x_train` if the training rows are
    /// that row-major slice ([`Trainer::prepare`]). Returns true if it completed an epoch.
    fn one_step(
        &mut self,
        model: &mut Mlp,
        data: &Dataset,
        x_train: Option<&[f32]>,
    ) -> Result<bool> {
        if self.step == 0 && self.config.rewind_step == Some(0) {
            model.save_rewind_point(0);
        }
        let n = data.x_train.nrows();
        if self.order.len() != n || self.cursor >= n {
            self.order = (0..n).collect();
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        let end = (self.cursor + self.config.batch_size).min(n);
        let rows = &self.order[self.cursor..end];
        match x_train {
            Some(x) => self.bp.gather_slice(x, &data.y_train, rows),
            None => self
                .bp
                .gather_view(data.x_train.view(), &data.y_train, rows),
        }
        if let Some(side) = data.image_side.filter(|_| self.config.shift > 0) {
            shift::shift_batch(
                self.bp.inputs_mut(),
                rows.len(),
                side,
                (self.config.seed, self.step, self.config.shift),
                &mut self.scratch,
            );
        }
        let loss = self.bp.run(
            model,
            rows.len(),
            backprop::Objective::Loss(self.config.loss),
            &mut self.grads,
        );
        if !loss.is_finite() {
            return Err(Error::Diverged {
                step: self.step,
                what: "the training loss".into(),
            });
        }
        regularize(model, &mut self.grads, self.config.l1, self.config.l2);
        if !self.state.as_ref().is_some_and(|s| s.fits(&model.layers)) {
            self.state = Some(OptState::new(&model.layers));
        }
        let state = self.state.as_mut().expect("state set above");
        state.step(
            self.config.optimizer,
            self.config.learning_rate,
            &mut model.layers,
            self.grads
                .w
                .iter()
                .zip(&self.grads.b)
                .map(|(w, b)| (&w[..], &b[..])),
        );
        self.step += 1;
        if self.config.rewind_step == Some(self.step) {
            model.save_rewind_point(self.step);
        }
        self.cursor = end;
        if self.cursor >= n {
            self.epoch += 1;
            return Ok(true);
        }
        Ok(false)
    }
}

/// Adds the L1/L2 penalty gradients to the weight gradients (nothing to do without penalties).
/// Masked gradients are left as they are: the optimizer reads them as 0 ([`mask_gradients`]
/// clears them for [`gradients`]).
fn regularize(model: &Mlp, grads: &mut Grads, l1: f32, l2: f32) {
    if l1 == 0.0 && l2 == 0.0 {
        return;
    }
    for (g, d) in grads.w.iter_mut().zip(&model.layers) {
        // Row-major like the gradients (a copy only for weights in another layout).
        let w = d.weight.as_standard_layout();
        for (g, &w) in g.iter_mut().zip(w.as_slice().expect("standard layout")) {
            *g += l2 * w
                + if w > 0.0 {
                    l1
                } else if w < 0.0 {
                    -l1
                } else {
                    0.0
                };
        }
    }
}

/// Zeroes every masked weight gradient.
fn mask_gradients(model: &Mlp, grads: &mut Grads) {
    for (g, d) in grads.w.iter_mut().zip(&model.layers) {
        let mask = d.mask.as_standard_layout();
        for (g, &m) in g.iter_mut().zip(mask.as_slice().expect("standard layout")) {
            *g = crate::model::masked(*g, m);
        }
    }
}

/// Mean loss and accuracy of `model` on `(x, y)`, in chunks of 1024 rows.
pub fn evaluate(model: &Mlp, x: ArrayView2<f32>, y: &[usize], loss: Loss) -> Evaluation {
    let n = x.nrows();
    if n == 0 {
        return Evaluation {
            loss: 0.0,
            accuracy: 0.0,
        };
    }
    model
        .check_input(x)
        .expect("evaluate is called with data that fits the model");
    let out_act = model.layers[model.layers.len() - 1].activation;
    let (mut total, mut correct) = (0.0f64, 0usize);
    let mut scratch = crate::model::ForwardScratch::default();
    for start in (0..n).step_by(1024) {
        let end = (start + 1024).min(n);
        let a = model.forward_reusing(x.slice(s![start..end, ..]), &mut scratch);
        total +=
            loss.forward_backward(a.view(), &y[start..end], out_act, None) * (end - start) as f64;
        correct += loss
            .predict(a.view(), out_act)
            .iter()
            .zip(&y[start..end])
            .filter(|(p, t)| p == t)
            .count();
    }
    Evaluation {
        loss: total / n as f64,
        accuracy: correct as f64 / n as f64,
    }
}

/// The gradients of the mean loss on `(x, y)` with respect to every weight and bias, as
/// `LayerParams`-shaped arrays (masked weight gradients are 0). Used by the finite-difference
/// check and by gradient-based importance scores (SNIP).
///
/// # Errors
/// [`Error::Shape`] if `x` does not fit the model or `y` has another length.
pub fn gradients(
    model: &Mlp,
    x: ArrayView2<f32>,
    y: &[usize],
    loss: Loss,
) -> Result<(f64, Vec<crate::model::LayerParams>)> {
    model.check_input(x)?;
    if y.len() != x.nrows() || y.is_empty() {
        return Err(Error::Shape {
            what: "labels".into(),
            expected: format!("{} labels", x.nrows()),
            got: format!("{}", y.len()),
        });
    }
    Ok(backprop_once(model, x, y, backprop::Objective::Loss(loss)))
}

/// R = the sum of every output of `model` over the rows of `x` (after the output activation),
/// and the gradients of R with respect to every weight and bias (masked weight gradients are 0):
/// the same forward and backward pass as [`gradients`], with ∂R/∂output = 1 in place of a loss
/// gradient. The SynFlow score differentiates it on a copy of the model with absolute
/// parameters and one input row of ones. In `f32`, as training; R is summed in `f64`.
///
/// # Errors
/// [`Error::Shape`] if `x` does not fit the model or has no rows.
pub fn output_sum_gradients(
    model: &Mlp,
    x: ArrayView2<f32>,
) -> Result<(f64, Vec<crate::model::LayerParams>)> {
    model.check_input(x)?;
    if x.nrows() == 0 {
        return Err(Error::Shape {
            what: "inputs".into(),
            expected: "at least one row".into(),
            got: "0 rows".into(),
        });
    }
    let y = vec![0; x.nrows()];
    Ok(backprop_once(model, x, &y, backprop::Objective::OutputSum))
}

/// One forward and backward pass of all of `(x, y)` as one batch.
fn backprop_once(
    model: &Mlp,
    x: ArrayView2<f32>,
    y: &[usize],
    objective: backprop::Objective,
) -> (f64, Vec<crate::model::LayerParams>) {
    let n = x.nrows();
    let mut bp = backprop::Backprop::default();
    bp.prepare(&model.layers, (n, n), None);
    let rows: Vec<usize> = (0..n).collect();
    bp.gather_view(x, y, &rows);
    let mut grads = Grads::default();
    grads.fit(&model.layers);
    let value = bp.run(model, n, objective, &mut grads);
    mask_gradients(model, &mut grads);
    let grads = grads
        .w
        .into_iter()
        .zip(grads.b)
        .zip(&model.layers)
        .map(|((w, b), d)| crate::model::LayerParams {
            weight: Array2::from_shape_vec(d.weight.dim(), w).expect("the weights' shape"),
            bias: b.into(),
        })
        .collect();
    (value, grads)
}
