//! One experiment: a dataset, a model and its trainer, built from a single flat configuration.
//!
//! This is what the CLI and the browser both drive, so the two cannot drift apart: the same
//! [`ExperimentConfig`] gives the same numbers natively and in WebAssembly, bit for bit: every
//! product is summed in one fixed order without fused multiply-adds (`model::tiled`) and every
//! transcendental function is the same libm (`math`).

use serde::{Deserialize, Serialize};

use crate::data::{self, Dataset};
use crate::error::Allowed;
use crate::lottery::{LotteryRunner, LotterySpec};
use crate::model::Mlp;
use crate::prune::{
    self, Amount, Gradual, PruneReport, PruneSpec, Round, Schedule, SchedulePlan, ScoreContext,
};
use crate::train::{EpochMetrics, Evaluation, TrainConfig, Trainer};
use crate::{Error, Result};

pub use crate::config::{
    DataConfig, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig, DEFAULT_VALIDATION,
};
pub use crate::train::MAX_EPOCHS;

/// Largest number of values [`Experiment::neuron_maps`] returns (64 MiB of f32).
pub const MAX_MAP_VALUES: usize = 16 << 20;

/// A dataset, a model and a trainer that belong together.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The configuration it was built from.
    pub config: ExperimentConfig,
    /// The data.
    pub data: Dataset,
    /// The model being trained and pruned.
    pub model: Mlp,
    /// The trainer (optimizer state, step count, data order).
    pub trainer: Trainer,
    /// Metrics of every epoch trained so far.
    pub history: Vec<EpochMetrics>,
    /// A gradual pruning schedule applied during training, if set.
    pub gradual: Option<(Gradual, PruneSpec)>,
}

impl Experiment {
    /// The page's iterative or gradual pruning (`schedule`) of `fraction` of the remaining
    /// weights from the network as it is now, in `rounds` rounds of `epochs_per_round` epochs:
    /// iterative rounds each prune [`Schedule::iterative_to`]'s fraction and retrain; gradual
    /// pruning trains `rounds × epochs_per_round` epochs under [`Gradual::over_epochs`] from the
    /// current step and density.
    ///
    /// With a `pattern` `n:m` the fraction is not used: iterative round r of R prunes to the
    /// round's `k:m` ([`prune::nm::step_pattern`]), and gradual pruning, planned as without one,
    /// lowers the keep count along the schedule's curve (give the pattern to the gradual
    /// schedule's spec).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an unknown schedule, a fraction outside [0, 1) or rounds
    /// outside 1 to [`crate::lottery::MAX_LEVELS`].
    pub fn schedule_plan(
        &self,
        schedule: &str,
        fraction: f64,
        rounds: usize,
        epochs_per_round: usize,
        pattern: Option<prune::nm::NM>,
    ) -> Result<SchedulePlan> {
        if !(1..=crate::lottery::MAX_LEVELS).contains(&rounds) {
            return Err(Error::config(
                "rounds",
                rounds,
                Allowed::Range {
                    min: 1,
                    max: crate::lottery::MAX_LEVELS as u64,
                },
            ));
        }
        if !(0.0..1.0).contains(&fraction) {
            return Err(Error::config(
                "fraction",
                fraction,
                Allowed::interval(0.0, 1.0, false, true),
            ));
        }
        let density = self.model.density();
        match schedule {
            "iterative" => {
                let s = Schedule::iterative_to(fraction, rounds);
                s.validate()?;
                Ok(SchedulePlan::Iterative(
                    (0..rounds)
                        .map(|level| match pattern {
                            Some(p) => Round {
                                amount: 0.0,
                                epochs: epochs_per_round,
                                pattern: prune::nm::step_pattern(p, level + 1, rounds),
                            },
                            None => Round {
                                amount: s.fraction(level, density),
                                epochs: epochs_per_round,
                                pattern: None,
                            },
                        })
                        .collect(),
                ))
            }
            "gradual" => {
                let epochs = rounds * epochs_per_round;
                let gradual = Gradual::over_epochs(
                    density,
                    fraction,
                    self.trainer.step(),
                    self.trainer.steps_per_epoch(self.data.x_train.nrows()),
                    epochs as u64,
                    rounds as u64,
                );
                gradual.validate()?;
                Ok(SchedulePlan::Gradual { gradual, epochs })
            }
            _ => Err(Error::config(
                "schedule",
                schedule,
                Allowed::one_of(&["iterative", "gradual"]),
            )),
        }
    }

    /// Builds data, model and trainer. Nothing is trained yet.
    ///
    /// # Errors
    /// Any config or data error, naming the field.
    pub fn new(config: ExperimentConfig) -> Result<Self> {
        let train = config.train_config()?;
        let data = config.dataset.build()?;
        Self::with_data(config, train, data)
    }

    /// Builds model and trainer for data made elsewhere (the wasm engine gets CSV data sets from
    /// the I/O module); `config.dataset` is kept as given, for `config()` and the PyTorch script.
    ///
    /// # Errors
    /// Any config error, naming the field.
    pub fn from_data(config: ExperimentConfig, data: Dataset) -> Result<Self> {
        let train = config.train_config()?;
        Self::with_data(config, train, data)
    }

    fn with_data(config: ExperimentConfig, train: TrainConfig, mut data: Dataset) -> Result<Self> {
        // The one place every data set passes (built here or handed over by the I/O module):
        // the validation split is carved out here, so the CLI and the browser see the same one.
        if data.y_val.is_empty() {
            data::split_validation(&mut data, config.dataset.validation, config.dataset.seed)?;
        }
        train.validate_for(&data)?;
        let model = Mlp::new(&config.mlp_spec(data.n_features(), data.n_classes)?)?;
        let trainer = Trainer::new(train)?;
        Ok(Experiment {
            config,
            data,
            model,
            trainer,
            history: Vec::new(),
            gradual: None,
        })
    }

    /// Trains `epochs` whole epochs; returns their metrics (also appended to `history`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `epochs` exceeds [`MAX_EPOCHS`]; [`Error::Diverged`] if the loss
    /// stops being finite (the epochs before it are kept in `history`).
    pub fn train(&mut self, epochs: usize) -> Result<Vec<EpochMetrics>> {
        if epochs > MAX_EPOCHS {
            return Err(Error::config(
                "epochs",
                epochs,
                Allowed::Range {
                    min: 0,
                    max: MAX_EPOCHS as u64,
                },
            ));
        }
        let mut out = Vec::with_capacity(epochs);
        for _ in 0..epochs {
            let m = if self.gradual.is_some() {
                // Step by step, so the schedule can prune between steps (see `gradual_prune`).
                if self.trainer.step() == 0 {
                    self.gradual_prune()?;
                }
                loop {
                    let m = self
                        .trainer
                        .train_steps(&mut self.model, &self.data, 1)?
                        .pop();
                    let pruned = self.gradual_prune()?;
                    if let Some(m) = m {
                        // An epoch's metrics describe the model it ends with, pruned or not.
                        break if pruned {
                            self.trainer.metrics(&self.model, &self.data)
                        } else {
                            m
                        };
                    }
                }
            } else {
                self.trainer.train_epoch(&mut self.model, &self.data)?
            };
            let m = self.record(m);
            out.push(m);
        }
        Ok(out)
    }

    /// Appends an epoch's metrics to `history`, numbered as the experiment's epoch (the trainer
    /// counts from 0 again after a prune, rewind or reinit; the history keeps counting).
    fn record(&mut self, mut m: EpochMetrics) -> EpochMetrics {
        m.epoch = self.history.len() + 1;
        self.history.push(m);
        m
    }

    /// Takes `n` optimizer steps; returns the metrics of epochs completed on the way (also
    /// appended to `history`).
    ///
    /// # Errors
    /// [`Error::Diverged`] if the loss stops being finite.
    pub fn train_steps(&mut self, n: u64) -> Result<Vec<EpochMetrics>> {
        let mut done = Vec::new();
        if self.gradual.is_some() {
            if self.trainer.step() == 0 {
                self.gradual_prune()?;
            }
            for _ in 0..n {
                let mut m = self.trainer.train_steps(&mut self.model, &self.data, 1)?;
                if self.gradual_prune()? {
                    for m in &mut m {
                        *m = self.trainer.metrics(&self.model, &self.data);
                    }
                }
                for m in m {
                    done.push(self.record(m));
                }
            }
        } else {
            for m in self.trainer.train_steps(&mut self.model, &self.data, n)? {
                done.push(self.record(m));
            }
        }
        Ok(done)
    }

    /// Takes `n` optimizer steps without measuring anything (no epoch metrics, nothing added to
    /// `history`); returns the epochs completed. A gradual schedule is not applied.
    ///
    /// # Errors
    /// [`Error::Diverged`] if the loss stops being finite.
    pub fn train_steps_only(&mut self, n: u64) -> Result<usize> {
        self.trainer
            .train_steps_only(&mut self.model, &self.data, n)
    }

    /// The rule of every method that changes the weights (prune, rewind, rewind to step k,
    /// reinit, a swapped-in model): the next training starts as a new optimizer would — no
    /// moments, Adam's bias correction from step 1 — over the data order of a run from step 0,
    /// or from step `at` after rewinding to step k (OpenLTH retrains every level this way; a
    /// PyTorch user creates a new optimizer). Fine-tuning the kept weights follows it too.
    fn fresh_trainer(&mut self, at: u64) {
        self.trainer.restart_at(at, self.data.x_train.nrows());
    }

    /// Survivors back to θ₀ (the mask stays); the next training starts fresh (see
    /// [`Experiment::prune`]).
    ///
    /// # Errors
    /// [`Error::State`] if θ₀ is unknown (a model imported without its θ₀ file); nothing
    /// changes then.
    pub fn rewind(&mut self) -> Result<()> {
        self.model.rewind_to_init()?;
        self.fresh_trainer(0);
        Ok(())
    }

    /// Survivors back to the weights saved after step `k` (late rewinding); the next training
    /// starts with a fresh optimizer at step `k` of the data order, as the dense run went on
    /// from there.
    ///
    /// # Errors
    /// [`Error::State`] if no weights were saved at step `k`; nothing changes then.
    pub fn rewind_to(&mut self, k: u64) -> Result<()> {
        self.model.rewind_to_step(k)?;
        self.fresh_trainer(k);
        Ok(())
    }

    /// Fresh random survivors from `seed` (the mask stays); the next training starts fresh.
    pub fn reinit(&mut self, seed: u64) {
        self.model.reinit(seed);
        self.fresh_trainer(0);
    }

    /// Loss and accuracy on the train and test splits now.
    pub fn evaluate(&self) -> (Evaluation, Evaluation) {
        let loss = self.trainer.config().loss;
        (
            crate::train::evaluate(
                &self.model,
                self.data.x_train.view(),
                &self.data.y_train,
                loss,
            ),
            crate::train::evaluate(
                &self.model,
                self.data.x_test.view(),
                &self.data.y_test,
                loss,
            ),
        )
    }
}

/// Bytes and operations an inference costs, dense and sparse, so learners can see what pruning
/// buys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    /// Weights + biases at the current shape.
    pub parameters: usize,
    /// Non-zero weights + biases.
    pub nonzero: usize,
    /// Bytes stored densely: 4 per parameter (f32).
    pub dense_bytes: usize,
    /// Bytes stored as CSR: per layer, 4 per non-zero value + 4 per column index + 4 per
    /// (row + 1) pointer, plus the dense bias.
    pub sparse_bytes: usize,
    /// Multiply-adds × 2 for one sample, dense.
    pub flops_dense: usize,
    /// Multiply-adds × 2 for one sample, skipping zero weights.
    pub flops_sparse: usize,
}

impl Experiment {
    /// Storage and compute costs of the current model.
    pub fn costs(&self) -> Costs {
        let mut c = Costs {
            parameters: 0,
            nonzero: 0,
            dense_bytes: 0,
            sparse_bytes: 0,
            flops_dense: 0,
            flops_sparse: 0,
        };
        for d in self.model.layers() {
            let nnz = d.weight().iter().filter(|&&w| w != 0.0).count();
            let bias = d.bias().len();
            c.parameters += d.weight().len() + bias;
            c.nonzero += nnz + d.bias().iter().filter(|&&b| b != 0.0).count();
            c.dense_bytes += 4 * (d.weight().len() + bias);
            c.sparse_bytes += 4 * (2 * nnz + d.fan_out() + 1) + 4 * bias;
            c.flops_dense += 2 * d.weight().len();
            c.flops_sparse += 2 * nnz;
        }
        c
    }

    /// The evenly spaced `resolution × resolution` grid of 2D points over `[x0, x1] × [y0, y1]`,
    /// row-major from `(x0, y0)` (x varies fastest).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the model does not take 2 inputs, the resolution is outside
    /// 2–512, or a range is empty or not finite.
    pub fn grid(
        &self,
        resolution: usize,
        xr: [f32; 2],
        yr: [f32; 2],
    ) -> Result<ndarray::Array2<f32>> {
        if self.model.widths()[0] != 2 {
            return Err(Error::state(format!(
                "a decision boundary needs 2 input features; {} has {}",
                self.data.name,
                self.model.widths()[0]
            )));
        }
        if !(2..=512).contains(&resolution) {
            return Err(Error::config(
                "resolution",
                resolution,
                Allowed::Range { min: 2, max: 512 },
            ));
        }
        for (name, r) in [("xRange", xr), ("yRange", yr)] {
            if !(r[0].is_finite() && r[1].is_finite() && r[0] < r[1]) {
                return Err(Error::config(
                    name,
                    format!("{r:?}"),
                    "two finite numbers, low < high",
                ));
            }
        }
        Ok(crate::views::grid_points(resolution, xr, yr))
    }

    /// Every layer's activations over the `resolution²` grid (see [`Experiment::grid`]), for the
    /// per-neuron thumbnails.
    ///
    /// # Errors
    /// As [`Experiment::grid`], and [`Error::InvalidConfig`] if the maps would exceed
    /// [`MAX_MAP_VALUES`] numbers (a large grid over a wide network).
    pub fn neuron_maps(
        &self,
        resolution: usize,
        xr: [f32; 2],
        yr: [f32; 2],
    ) -> Result<Vec<ndarray::Array2<f32>>> {
        let neurons: usize = self.model.widths()[1..].iter().sum();
        if resolution
            .saturating_mul(resolution)
            .saturating_mul(neurons)
            > MAX_MAP_VALUES
        {
            return Err(Error::config(
                "resolution",
                resolution,
                format!(
                    "at most {} for {neurons} neurons",
                    ((MAX_MAP_VALUES / neurons.max(1)) as f64).sqrt() as usize
                ),
            ));
        }
        let grid = self.grid(resolution, xr, yr)?;
        self.model.activations(grid.view())
    }

    /// Class probabilities for a batch: softmax of the logits for cross-entropy; for MSE the
    /// outputs mapped from the target range to [0, 1] (one output ⇒ two columns, 1 − p and p).
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has the wrong number of columns.
    pub fn probabilities(&self, x: ndarray::ArrayView2<f32>) -> Result<ndarray::Array2<f32>> {
        let a = self.model.forward(x)?;
        let loss = self.trainer.config().loss;
        let out_act = self.model.layers()[self.model.layers().len() - 1].activation;
        Ok(crate::views::probabilities(a, loss, out_act))
    }

    /// Swaps in another model (e.g. an imported file, or a lottery's ticket) if it fits the data
    /// and the loss; the next training starts fresh (see [`Experiment::prune`]).
    ///
    /// # Errors
    /// [`Error::Shape`] if its inputs or outputs do not fit; the current model stays.
    pub fn replace_model(&mut self, model: Mlp) -> Result<()> {
        let w = model.widths();
        let loss = self.trainer.config().loss;
        let (inputs, outputs) = (self.data.n_features(), loss.outputs(self.data.n_classes));
        if w[0] != inputs || w[w.len() - 1] != outputs {
            return Err(Error::Shape {
                what: "imported model".into(),
                expected: format!(
                    "{inputs} inputs and {outputs} outputs for {}",
                    self.data.name
                ),
                got: format!("{} inputs and {} outputs", w[0], w[w.len() - 1]),
            });
        }
        self.model = model;
        self.fresh_trainer(0);
        Ok(())
    }

    /// Starts over: the dense network at θ₀, a fresh trainer, no history.
    pub fn reset(&mut self) -> Result<()> {
        let spec = self
            .config
            .mlp_spec(self.data.n_features(), self.data.n_classes)?;
        self.model = Mlp::new(&spec)?;
        self.trainer = Trainer::new(self.config.train_config()?)?;
        self.history.clear();
        self.gradual = None;
        Ok(())
    }
}

impl Experiment {
    /// One pruning step on the current model. A data-dependent score (`snip`) is computed on
    /// one mini-batch, [`prune::next_batch`]: the batch the next optimizer step will use (before
    /// any training, the first batch of the seeded order), as Lee et al. score θ₀.
    ///
    /// The next training starts with a fresh optimizer and step count, over the data order of a
    /// run from step 0 — after a prune, a rewind ([`Experiment::rewind`],
    /// [`Experiment::rewind_to`]), a reinit or a swapped-in model alike, whether the weights are
    /// then kept (fine-tuning) or reset. This is what OpenLTH does at every level, so a
    /// train → prune → rewind → retrain driven step by step gives the lottery runner's numbers
    /// bit for bit. A gradual schedule's prunes during training do not restart anything.
    ///
    /// # Errors
    /// Any spec error; on error the model is unchanged.
    pub fn prune(&mut self, spec: &PruneSpec) -> Result<PruneReport> {
        let report = self.prune_only(spec)?;
        self.fresh_trainer(0);
        Ok(report)
    }

    /// The pruning of [`Experiment::prune`] without touching the trainer (gradual pruning). A
    /// gradient score (SNIP) reads the mini-batch the next training step would use.
    fn prune_only(&mut self, spec: &PruneSpec) -> Result<PruneReport> {
        if !spec.score.needs_data() {
            return prune::prune(&mut self.model, spec, None);
        }
        let (x, y) = prune::next_batch(&self.trainer, &self.data);
        let ctx = ScoreContext {
            x: x.view(),
            y: &y,
            loss: self.trainer.config().loss,
        };
        prune::prune(&mut self.model, spec, Some(&ctx))
    }

    /// The per-layer sensitivity scan of the current model ([`prune::sensitivity::scan`]): each
    /// layer pruned alone to each of `sparsities` by `score` (`seed` feeds `random`; `snip` reads
    /// the batch the next training step would use), evaluated on the validation split, or on the
    /// training split when there is none — never on the test split, since the curves are used to
    /// choose sparsities. Returns which split was read, the unpruned evaluation and the curves;
    /// the model, the trainer and the history are not touched. The same as
    /// [`Experiment::sensitivity_start`] and its steps run to the end.
    ///
    /// # Errors
    /// As [`prune::sensitivity::scan`].
    pub fn sensitivity(
        &self,
        sparsities: &[f64],
        score: crate::prune::Score,
        seed: u64,
    ) -> Result<Sensitivity> {
        let (mut run, split, base) = self.sensitivity_start(sparsities, score, seed)?;
        while self.sensitivity_step(&mut run)?.is_some() {}
        Ok(Sensitivity {
            split,
            base,
            curves: run.into_curves(),
        })
    }

    /// [`Experiment::sensitivity`] in pieces: the scan started on the current model, the split
    /// its points are read on and the unpruned evaluation there. Each
    /// [`Experiment::sensitivity_step`] then evaluates one point.
    ///
    /// # Errors
    /// As [`prune::sensitivity::SensitivityScan::new`].
    pub fn sensitivity_start(
        &self,
        sparsities: &[f64],
        score: crate::prune::Score,
        seed: u64,
    ) -> Result<(
        prune::sensitivity::SensitivityScan,
        &'static str,
        Evaluation,
    )> {
        let run = if score.needs_data() {
            let (bx, by) = prune::next_batch(&self.trainer, &self.data);
            let ctx = ScoreContext {
                x: bx.view(),
                y: &by,
                loss: self.trainer.config().loss,
            };
            prune::sensitivity::SensitivityScan::new(
                &self.model,
                sparsities,
                score,
                seed,
                Some(&ctx),
            )?
        } else {
            prune::sensitivity::SensitivityScan::new(&self.model, sparsities, score, seed, None)?
        };
        let (split, x, y) = self.scan_split();
        let base = crate::train::evaluate(&self.model, x, y, self.trainer.config().loss);
        Ok((run, split, base))
    }

    /// The next point of a scan [`Experiment::sensitivity_start`] began, evaluated on its split:
    /// its layer and the point, or `None` when the scan is done.
    ///
    /// # Errors
    /// As [`prune::sensitivity::SensitivityScan::step`].
    pub fn sensitivity_step(
        &self,
        run: &mut prune::sensitivity::SensitivityScan,
    ) -> Result<Option<(usize, prune::sensitivity::SensitivityPoint)>> {
        let (_, x, y) = self.scan_split();
        let loss = self.trainer.config().loss;
        run.step(|m: &Mlp| crate::train::evaluate(m, x, y, loss))
    }

    /// The split a sensitivity scan reads: validation, or train without one.
    fn scan_split(&self) -> (&'static str, ndarray::ArrayView2<'_, f32>, &[usize]) {
        if self.data.y_val.is_empty() {
            ("train", self.data.x_train.view(), &self.data.y_train)
        } else {
            ("validation", self.data.x_val.view(), &self.data.y_val)
        }
    }

    /// A lottery runner starting from this experiment's dense θ₀ network (the experiment's own
    /// model is not touched).
    ///
    /// # Errors
    /// Any spec error.
    pub fn lottery(&self, spec: LotterySpec) -> Result<LotteryRunner> {
        self.lottery_part(spec, crate::lottery::Role::All)
    }

    /// The `role` part of [`Experiment::lottery`], for running the ticket and the controls side
    /// by side (see [`crate::lottery`]).
    ///
    /// # Errors
    /// As [`Experiment::lottery`].
    pub fn lottery_part(
        &self,
        spec: LotterySpec,
        role: crate::lottery::Role,
    ) -> Result<LotteryRunner> {
        let spec_model = self
            .config
            .mlp_spec(self.data.n_features(), self.data.n_classes)?;
        LotteryRunner::with_role(
            spec,
            Mlp::new(&spec_model)?,
            self.config.train_config()?,
            self.data.clone(),
            role,
        )
    }
}

impl Experiment {
    /// Prunes on the gradual schedule if one is set and due at the trainer's step count `t`;
    /// returns whether it pruned. Called before the first optimizer step (t = 0) and after every
    /// step (t = steps taken), so the pruning "at step t" sees t updates (see
    /// [`Gradual`]): a run of exactly `end_step` steps ends with the pruning at `end_step`, at
    /// the final sparsity.
    fn gradual_prune(&mut self) -> Result<bool> {
        let Some((g, spec)) = self.gradual.clone() else {
            return Ok(false);
        };
        let step = self.trainer.step();
        if let (true, Some(p)) = (g.due(step), spec.pattern) {
            // The keep count follows the sparsity curve's progress (prune::nm); a step whose
            // groups already keep at most k prunes nothing.
            let n = prune::nm::keep_count(p, g.progress(step));
            if n < p.m {
                let spec = PruneSpec {
                    pattern: Some(prune::nm::NM { n, m: p.m }),
                    ..spec
                };
                return Ok(self.prune_only(&spec)?.removed > 0);
            }
            return Ok(false);
        }
        if g.due(step) {
            let f = g.fraction_now(step, self.model.density());
            if f > 0.0 {
                let spec = PruneSpec {
                    amount: Amount::Fraction(f.min(1.0)),
                    ..spec
                };
                return Ok(self.prune_only(&spec)?.removed > 0);
            }
        }
        Ok(false)
    }
}

/// What [`Experiment::sensitivity`] measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The split the curves were evaluated on: `validation`, or `train` without one.
    pub split: &'static str,
    /// The evaluation before any layer was pruned further.
    pub base: Evaluation,
    /// One curve per layer, input side first.
    pub curves: Vec<crate::prune::sensitivity::SensitivityCurve>,
}
