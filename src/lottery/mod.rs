//! The lottery-ticket runner, in levels as OpenLTH lays them out.
//!
//! Level 0 trains the dense network. Each later level takes the previous level's *trained*
//! ticket, prunes a fraction of its remaining weights (or neurons), resets the survivors as the
//! [`Reset`] choice says — rewind to θ₀ (the lottery ticket), rewind to the weights of step k,
//! keep the trained weights (fine-tuning), or draw fresh ones — and trains again.
//!
//! Every level after the dense one trains with a fresh optimizer (no moments, Adam's bias
//! correction from step 1), as OpenLTH does. After rewinding to step k ("late rewinding",
//! Frankle et al. 2020) a level trains the remaining T − k steps of the dense run's T, over the
//! dense run's data order from step k on; otherwise it trains T steps from step 0, over the same
//! data order as the dense run.
//!
//! Beside that main line ("ticket"), control branches run at every level with the same density,
//! from the same step and over the same data order as the ticket:
//! - `random-reinit`: the ticket's mask with freshly drawn weights (Frankle & Carbin's control);
//! - `random-mask`: a random mask with the same per-layer densities, on the dense network's
//!   weights at the point the ticket is reset to: θ₀ (for `init` and `reinit`), θ_k (for
//!   `step:k`), or the trained dense weights (for `keep`).
//!
//! Under an N:M pattern ([`PruneSpec::pattern`]) level L of `levels` prunes to step L of the
//! pattern's decay ([`PruneSpec::at_step`]: 2:4 over 2 levels is 3:4, then 2:4; more levels than
//! keep counts repeat a count, and such a level prunes nothing more), and the random mask is a
//! random mask of the level's `k:m`.
//!
//! Each (branch, level) reports its final test accuracy and, with a validation split, the
//! early-stopping epoch (the epoch of least validation loss; Frankle & Carbin's "early-stopping
//! iteration") and the test accuracy there. The test set never chooses anything.
//!
//! The runner advances one step at a time ([`LotteryRunner::step`]: prepare a level, or train one
//! epoch of it), so a browser can draw between steps and cancel, or runs to the end with
//! [`LotteryRunner::run`].
//!
//! The controls of a level depend on the ticket only through the structure (mask and kept
//! neurons) it was pruned to, so an experiment can be split in two runners that work side by
//! side — in two Web Workers, or two threads: [`Role::Ticket`] trains the main line and hands out
//! each level's structure ([`LotteryRunner::ticket_structure`]); [`Role::Controls`] is fed those
//! structures ([`LotteryRunner::feed_ticket`]) and trains the controls. Merging the controls'
//! results into the ticket runner ([`LotteryRunner::absorb`]) gives exactly the results, in the
//! same order, of one runner doing both.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use ndarray::Array2;

use crate::error::Allowed;
use crate::model::Mlp;
use crate::prune::{self, PruneSpec, Structure};
use crate::train::{EpochMetrics, TrainConfig, Trainer};
use crate::{Error, Result};

pub mod analysis;
pub mod pai;
pub mod trials;
pub use analysis::{Agreement, InitHistogram, MaskAnalysis};

/// Largest number of pruning levels.
pub const MAX_LEVELS: usize = 40;

/// What the surviving weights are set to before retraining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reset {
    /// Keep the trained weights and fine-tune them (weight preserving).
    Keep,
    /// Rewind to θ₀, the weights at initialization: the lottery ticket.
    Init,
    /// Rewind to the weights saved after step k of the dense training ("late rewinding").
    Step(u64),
    /// Draw fresh random weights (a new seed each level), keeping the mask.
    Reinit,
}

impl Reset {
    /// Parses `keep`, `init`, `step:K` or `reinit`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed forms.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "keep" => Ok(Reset::Keep),
            "init" => Ok(Reset::Init),
            "reinit" => Ok(Reset::Reinit),
            _ => s
                .strip_prefix("step:")
                .and_then(|k| k.parse().ok())
                .map(Reset::Step)
                .ok_or_else(|| {
                    Error::config(
                        "init",
                        s,
                        "one of keep, init, step:K (K a whole number of steps), reinit",
                    )
                }),
        }
    }

    /// The name as [`Reset::parse`] reads it.
    pub fn name(self) -> String {
        match self {
            Reset::Keep => "keep".into(),
            Reset::Init => "init".into(),
            Reset::Step(k) => format!("step:{k}"),
            Reset::Reinit => "reinit".into(),
        }
    }
}

/// A line of the experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Branch {
    /// The main line: prune, reset as chosen, retrain.
    Ticket,
    /// Control: the ticket's mask, fresh random weights.
    RandomReinit,
    /// Control: a random mask of the same per-layer densities, θ₀ weights.
    RandomMask,
}

impl Branch {
    /// The name used in output and on the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Branch::Ticket => "ticket",
            Branch::RandomReinit => "random-reinit",
            Branch::RandomMask => "random-mask",
        }
    }

    /// Parses a control branch name.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed controls.
    pub fn parse_control(s: &str) -> Result<Self> {
        match s {
            "random-reinit" => Ok(Branch::RandomReinit),
            "random-mask" => Ok(Branch::RandomMask),
            _ => Err(Error::config(
                "controls",
                s,
                Allowed::one_of(&["random-reinit", "random-mask"]),
            )),
        }
    }
}

/// The whole experiment's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotterySpec {
    /// Pruning levels after the dense level 0.
    pub levels: usize,
    /// How each level prunes (its amount is per level, a fraction of what remains).
    pub prune: PruneSpec,
    /// What survivors are reset to before retraining.
    pub reset: Reset,
    /// Control branches to run beside the ticket.
    pub controls: Vec<Branch>,
    /// Training epochs per level and branch.
    pub epochs: usize,
    /// Seed of the controls' random draws (the model and data seeds come with the model/trainer).
    pub seed: u64,
    /// A model seed whose own ticket line (no controls) runs beside the ticket, one epoch of it per
    /// step, so that every ticket level's mask analysis also reports its agreement with that
    /// seed's ticket of the same level (`mask_analysis.vs_other_seed`). It doubles the ticket's
    /// training; `None` (the default) runs nothing more. A controls-only runner ignores it.
    #[serde(default)]
    pub compare_seed: Option<u64>,
}

impl LotterySpec {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.levels > MAX_LEVELS {
            return Err(Error::config(
                "levels",
                self.levels,
                Allowed::Range {
                    min: 0,
                    max: MAX_LEVELS as u64,
                },
            ));
        }
        if self.epochs == 0 || self.epochs > crate::train::MAX_EPOCHS {
            return Err(Error::config(
                "epochs",
                self.epochs,
                Allowed::Range {
                    min: 1,
                    max: crate::train::MAX_EPOCHS as u64,
                },
            ));
        }
        if self.controls.contains(&Branch::Ticket) {
            return Err(Error::config(
                "controls",
                "ticket",
                Allowed::one_of(&["random-reinit", "random-mask"]),
            ));
        }
        self.prune.validate()
    }
}

/// The record of one branch at one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelResult {
    /// Which line.
    pub branch: Branch,
    /// 0 = dense.
    pub level: usize,
    /// Weights alive over the dense network's weights.
    pub density: f64,
    /// Per-layer density.
    pub layer_density: Vec<f64>,
    /// Metrics of every epoch of this level's training.
    pub epochs: Vec<EpochMetrics>,
    /// Test accuracy after the last epoch.
    pub test_accuracy: f64,
    /// The epoch of the least validation loss (early stopping; the first one on ties), counted
    /// as the dense run counts them (after rewinding to step k, the first epoch trained is the
    /// one step k lies in); `None` without a validation split or an epoch trained.
    pub early_stop_epoch: Option<usize>,
    /// The optimizer step at the end of that epoch (the early-stopping iteration).
    pub early_stop_step: Option<u64>,
    /// The test accuracy at that epoch: the level's headline number.
    pub early_stop_test_accuracy: Option<f64>,
    /// The ticket's mask compared with the random mask, the largest-|θ₀| mask and (when run)
    /// another seed's ticket, and its θ₀ histograms ([`analysis`]); `None` at level 0 and for
    /// the controls.
    pub mask_analysis: Option<MaskAnalysis>,
    /// True if training stopped on a non-finite loss; the metrics are those before it.
    pub diverged: bool,
}

/// Where the runner is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The branch being trained (or just finished).
    pub branch: Branch,
    /// Its level.
    pub level: usize,
    /// Epochs done in this (branch, level).
    pub epoch: usize,
    /// Epochs done in the whole experiment.
    pub epochs_done: usize,
    /// Epochs of the whole experiment.
    pub epochs_total: usize,
    /// True once every level of every branch is done.
    pub finished: bool,
}

/// Which part of an experiment a runner does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// The ticket and every control, one after another.
    #[default]
    All,
    /// The ticket's levels only; the controls are left to a [`Role::Controls`] runner.
    Ticket,
    /// The controls only, for the ticket structures fed to it.
    Controls,
}

pruning_playground_core::named_enum!(Role, "role", {
    All => "all",
    Ticket => "ticket",
    Controls => "controls",
});

/// The structure a ticket level was pruned to: what the controls of that level copy.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketStructure {
    /// The level (1-based; level 0 is the dense network).
    pub level: usize,
    /// Each layer's 0/1 mask at the pruned shape.
    pub masks: Vec<Array2<f32>>,
    /// Original ids of the neurons kept in each hidden layer.
    pub neuron_ids: Vec<Vec<usize>>,
}

/// A (branch, level) being trained.
#[derive(Debug, Clone)]
struct Job {
    branch: Branch,
    level: usize,
    model: Mlp,
    trainer: Trainer,
    epochs: Vec<EpochMetrics>,
    mask_analysis: Option<MaskAnalysis>,
    diverged: bool,
}

/// Runs a lottery experiment one epoch at a time.
#[derive(Debug, Clone)]
pub struct LotteryRunner {
    spec: LotterySpec,
    train: TrainConfig,
    data: Dataset,
    /// The dense network as initialized (θ₀, full masks): the source of every control.
    dense: Mlp,
    /// The ticket after training at the last finished level.
    ticket_trained: Option<Mlp>,
    /// The dense network at the point the ticket is reset to (θ₀, θ_k, or trained for `keep`):
    /// the random-mask control's weights. Known from the start for `init` and `reinit`, after
    /// level 0 for the others.
    control_start: Option<Mlp>,
    /// The step each level after the dense one starts training at: k after rewinding to step k,
    /// else 0.
    start_step: u64,
    /// The ticket's pruned-and-reset model of the latest level, whose mask the controls copy.
    ticket_start: Option<(usize, Mlp)>,
    queue: Vec<(Branch, usize)>,
    job: Option<Job>,
    results: Vec<LevelResult>,
    /// The trained model of the (branch, level) that finished last.
    last_model: Option<Mlp>,
    epochs_done: usize,
    role: Role,
    /// [`Role::Controls`]: the ticket's pruned model of each level fed so far, rebuilt from its
    /// structure, until that level's controls have started.
    /// (A short list, searched by level: no `BTreeMap` code in the wasm engine.)
    fed: Vec<(usize, Mlp)>,
    /// [`Role::Controls`]: the highest level fed.
    fed_up_to: usize,
    /// The other seed's ticket structure per level, gathered from `compare`, for
    /// `mask_analysis.vs_other_seed`.
    other_seed: Vec<TicketStructure>,
    /// [`LotterySpec::compare_seed`]: the ticket line from that model seed, stepped beside this one.
    compare: Option<Box<LotteryRunner>>,
}

impl LotteryRunner {
    /// A runner for `spec`, starting from the dense, untrained `model` (its θ₀ is the ticket's
    /// initialization) and training each level with `train`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the spec is invalid, [`Error::State`] if `model` is already
    /// pruned.
    pub fn new(spec: LotterySpec, model: Mlp, train: TrainConfig, data: Dataset) -> Result<Self> {
        Self::with_role(spec, model, train, data, Role::All)
    }

    /// A runner that does the `role` part of the experiment [`LotteryRunner::new`] would run
    /// (see the module documentation).
    ///
    /// # Errors
    /// As [`LotteryRunner::new`].
    pub fn with_role(
        spec: LotterySpec,
        model: Mlp,
        train: TrainConfig,
        data: Dataset,
        role: Role,
    ) -> Result<Self> {
        spec.validate()?;
        train.validate()?;
        if model.n_alive() != model.n_weights() || model.widths() != model.spec().widths() {
            return Err(Error::state(
                "a lottery experiment starts from the dense network; reset the model first",
            ));
        }
        let mut dense = model;
        dense.rewind_to_init()?;
        let start_step = match spec.reset {
            Reset::Step(k) => {
                let total = spec.epochs as u64
                    * Trainer::new(train.clone())?.steps_per_epoch(data.x_train.nrows());
                if k >= total {
                    return Err(Error::config(
                        "init",
                        spec.reset.name(),
                        format!(
                            "step:K with K below the {total} steps of training ({} epochs)",
                            spec.epochs
                        ),
                    ));
                }
                k
            }
            _ => 0,
        };
        let control_start =
            matches!(spec.reset, Reset::Init | Reset::Reinit).then(|| dense.clone());
        let mut queue = Vec::new();
        if role != Role::Controls {
            queue.push((Branch::Ticket, 0));
            for level in 1..=spec.levels {
                queue.push((Branch::Ticket, level));
                if role == Role::All {
                    queue.extend(spec.controls.iter().map(|&b| (b, level)));
                }
            }
            queue.reverse();
        }
        let compare = match spec.compare_seed {
            Some(seed) if role != Role::Controls => {
                let mut other = dense.spec().clone();
                other.seed = seed;
                let spec = LotterySpec {
                    controls: Vec::new(),
                    compare_seed: None,
                    ..spec.clone()
                };
                let model = Mlp::new(&other)?;
                Some(Box::new(LotteryRunner::with_role(
                    spec,
                    model,
                    train.clone(),
                    data.clone(),
                    Role::Ticket,
                )?))
            }
            _ => None,
        };
        Ok(LotteryRunner {
            spec,
            train,
            data,
            dense,
            ticket_trained: None,
            control_start,
            start_step,
            ticket_start: None,
            queue,
            job: None,
            results: Vec::new(),
            last_model: None,
            epochs_done: 0,
            other_seed: Vec::new(),
            compare,
            role,
            fed: Vec::new(),
            fed_up_to: 0,
        })
    }

    /// The dense network at θ₀ that every level starts from.
    pub fn dense(&self) -> &Mlp {
        &self.dense
    }

    /// Which part of the experiment this runner does.
    pub fn role(&self) -> Role {
        self.role
    }

    /// [`Role::Ticket`] (or [`Role::All`]): the structure of the latest ticket level that has
    /// been pruned, for a [`Role::Controls`] runner. `None` before level 1 is prepared.
    pub fn ticket_structure(&self) -> Option<TicketStructure> {
        self.ticket_start
            .as_ref()
            .map(|(level, m)| TicketStructure {
                level: *level,
                masks: m.masks(),
                neuron_ids: m.neuron_ids().to_vec(),
            })
    }

    /// [`Role::Controls`]: the ticket of `t.level` was pruned to `t`; queues that level's
    /// controls. Levels must come in order (1, 2, …), each once.
    ///
    /// # Errors
    /// [`Error::State`] for another role or a level out of order; [`Error::Shape`] or
    /// [`Error::InvalidConfig`] if the structure does not fit the network (the runner is
    /// unchanged then).
    pub fn feed_ticket(&mut self, t: &TicketStructure) -> Result<()> {
        if self.role != Role::Controls {
            return Err(Error::state(
                "only a controls runner is fed ticket structures",
            ));
        }
        if t.level != self.fed_up_to + 1 || t.level > self.spec.levels {
            return Err(Error::state(format!(
                "expected the ticket of level {}, got level {}",
                self.fed_up_to + 1,
                t.level
            )));
        }
        let mut m = self.dense.clone();
        if t.neuron_ids.len() + 1 != m.layers().len() {
            return Err(Error::state(format!(
                "the ticket has {} hidden layers, the network {}",
                t.neuron_ids.len(),
                m.layers().len() - 1
            )));
        }
        // The dense network's neuron ids are 0..width, so the kept ids are the rows to keep.
        for (l, ids) in t.neuron_ids.iter().enumerate() {
            if ids.len() != m.widths()[l + 1] {
                m.remove_neurons(l, ids)?;
            }
        }
        m.set_masks(&t.masks)?;
        self.fed.retain(|(l, _)| *l != t.level);
        self.fed.push((t.level, m));
        self.fed_up_to = t.level;
        self.queue
            .splice(0..0, self.spec.controls.iter().rev().map(|&b| (b, t.level)));
        Ok(())
    }

    /// True if [`LotteryRunner::step`] has something to do now (a [`Role::Controls`] runner
    /// may be waiting for the next ticket structure).
    pub fn has_work(&self) -> bool {
        self.job.is_some() || !self.queue.is_empty()
    }

    /// Merges the results of a [`Role::Controls`] runner into this [`Role::Ticket`] runner's,
    /// in the order one [`Role::All`] runner would have finished them: by level, the ticket
    /// first, then the controls in the spec's order.
    pub fn absorb(&mut self, results: Vec<LevelResult>) {
        self.results.extend(results);
        let rank = |b: Branch| match b {
            Branch::Ticket => 0,
            c => {
                1 + self
                    .spec
                    .controls
                    .iter()
                    .position(|&x| x == c)
                    .unwrap_or(self.spec.controls.len())
            }
        };
        let mut results = std::mem::take(&mut self.results);
        results.sort_by_key(|r| (r.level, rank(r.branch)));
        self.results = results;
    }

    /// The spec.
    pub fn spec(&self) -> &LotterySpec {
        &self.spec
    }
    /// Results of every finished (branch, level), in the order they finished.
    pub fn results(&self) -> &[LevelResult] {
        &self.results
    }
    /// The ticket as trained at the last finished level, if any.
    pub fn ticket(&self) -> Option<&Mlp> {
        self.ticket_trained.as_ref()
    }
    /// The trained model of the (branch, level) that finished last (for exporting each level).
    pub fn last_finished_model(&self) -> Option<&Mlp> {
        self.last_model.as_ref()
    }
    /// The trainer of the level in progress (its step, data order and epoch), if any.
    pub fn current_trainer(&self) -> Option<&Trainer> {
        self.job.as_ref().map(|j| &j.trainer)
    }
    /// The model being trained now, if a level is in progress.
    pub fn current_model(&self) -> Option<&Mlp> {
        self.job.as_ref().map(|j| &j.model)
    }
    /// Total epochs of the whole experiment (an epoch that a rewind step lies in counts as one).
    pub fn epochs_total(&self) -> usize {
        let later = self.spec.levels
            * match self.role {
                Role::All => 1 + self.spec.controls.len(),
                Role::Ticket => 1,
                Role::Controls => self.spec.controls.len(),
            };
        let dense = if self.role == Role::Controls {
            0
        } else {
            self.spec.epochs
        };
        dense + later * self.level_epochs(1)
    }

    /// Epochs (whole or, the first after rewinding to step k, partial) that `level` trains.
    fn level_epochs(&self, level: usize) -> usize {
        if level == 0 {
            return self.spec.epochs;
        }
        let per_epoch = self.train.batch_size.max(1) as u64;
        let per_epoch = (self.data.x_train.nrows() as u64)
            .div_ceil(per_epoch)
            .max(1);
        self.spec.epochs - (self.start_step / per_epoch) as usize
    }
    /// True once everything has run (for [`Role::Controls`]: every level was fed and run).
    pub fn finished(&self) -> bool {
        self.job.is_none()
            && self.queue.is_empty()
            && (self.role != Role::Controls
                || self.fed_up_to == self.spec.levels
                || self.spec.controls.is_empty())
    }

    /// Advances by one step: if no (branch, level) is in progress, prepares the next one —
    /// prunes and resets it, so [`LotteryRunner::current_model`] shows the rewound ticket before
    /// any retraining — and returns with `epoch` 0; otherwise trains one epoch of it.
    ///
    /// # Errors
    /// A pruning error (e.g. a structured level that would remove every neuron). Divergence is
    /// not an error: the level is marked `diverged` and the runner moves on.
    pub fn step(&mut self) -> Result<Progress> {
        self.step_compare()?;
        if self.job.is_none() {
            return match self.queue.pop() {
                Some((branch, level)) => {
                    let job = self.start(branch, level)?;
                    self.job = Some(job);
                    Ok(self.progress(branch, level, 0))
                }
                None => Ok(self.progress(Branch::Ticket, self.spec.levels, 0)),
            };
        }
        let level_epochs = self.job.as_ref().map_or(0, |j| self.level_epochs(j.level));
        let job = self.job.as_mut().expect("a job was started above");
        if !job.diverged {
            match job.trainer.train_epoch(&mut job.model, &self.data) {
                Ok(m) => job.epochs.push(m),
                Err(Error::Diverged { .. }) => job.diverged = true,
                Err(e) => return Err(e),
            }
        }
        self.epochs_done += 1;
        let (branch, level, epoch) = (job.branch, job.level, job.epochs.len());
        // Every level ends where the dense run ended: at epoch E (step T).
        let done = job.diverged || job.trainer.epoch() >= self.spec.epochs;
        if done {
            if job.diverged {
                // The rest of this level's epochs are skipped; count them as done.
                let n = level_epochs;
                self.epochs_done += n - 1 - job.epochs.len().min(n - 1);
            }
            let job = self.job.take().expect("job present");
            self.finish(job);
        }
        Ok(self.progress(branch, level, epoch))
    }

    /// Runs every remaining step.
    ///
    /// # Errors
    /// As [`LotteryRunner::step`].
    pub fn run(&mut self) -> Result<&[LevelResult]> {
        while !self.finished() {
            self.step()?;
        }
        Ok(&self.results)
    }

    fn progress(&self, branch: Branch, level: usize, epoch: usize) -> Progress {
        Progress {
            branch,
            level,
            epoch,
            epochs_done: self.epochs_done,
            epochs_total: self.epochs_total(),
            finished: self.finished(),
        }
    }

    /// A new trainer (a fresh optimizer) for `level`: at step 0, or for a later level at the
    /// step it starts from (k after rewinding to step k).
    fn trainer(&self, level: usize) -> Result<Trainer> {
        let mut cfg = self.train.clone();
        // Only the dense level saves the late-rewinding point.
        if level > 0 {
            cfg.rewind_step = None;
        } else if let Reset::Step(k) = self.spec.reset {
            cfg.rewind_step = Some(k);
        }
        let mut t = Trainer::new(cfg)?;
        if level > 0 {
            t.restart_at(self.start_step, self.data.x_train.nrows());
        }
        Ok(t)
    }

    /// The random-mask control's weights (see `control_start`); a controls runner, which never
    /// trains level 0, retrains the dense network as far as it needs (the same steps as the
    /// ticket's level 0, so the same weights bit for bit).
    fn control_start(&mut self) -> Result<Mlp> {
        if let Some(m) = &self.control_start {
            return Ok(m.clone());
        }
        let mut m = self.dense.clone();
        let mut t = self.trainer(0)?;
        let steps = match self.spec.reset {
            Reset::Step(k) => k,
            _ => self.spec.epochs as u64 * t.steps_per_epoch(self.data.x_train.nrows()),
        };
        t.train_steps_only(&mut m, &self.data, steps)?;
        if let Reset::Step(k) = self.spec.reset {
            m.rewind_to_step(k)?;
        }
        self.control_start = Some(m.clone());
        Ok(m)
    }

    /// The batch `prune::next_batch` gives for a trainer that has run a whole level (T steps).
    fn next_batch_after_training(&self) -> Result<(Array2<f32>, Vec<usize>)> {
        let n = self.data.x_train.nrows();
        let mut t = Trainer::new(self.train.clone())?;
        let total = self.spec.epochs as u64 * t.steps_per_epoch(n);
        t.restart_at(total, n);
        Ok(prune::next_batch(&t, &self.data))
    }

    /// One epoch of the other seed's ticket line ([`LotterySpec::compare_seed`]), keeping each
    /// level's structure as it is pruned.
    fn step_compare(&mut self) -> Result<()> {
        let Some(c) = self.compare.as_mut() else {
            return Ok(());
        };
        if !c.finished() {
            c.step()?;
        }
        if let Some(t) = c.ticket_structure() {
            if !self.other_seed.iter().any(|o| o.level == t.level) {
                self.other_seed.push(t);
            }
        }
        Ok(())
    }

    /// Steps the other seed's ticket line until its level `level` is pruned (it is usually there
    /// already: it takes one epoch per step of this runner, and no more epochs per level).
    fn compare_up_to(&mut self, level: usize) -> Result<()> {
        while self
            .compare
            .as_ref()
            .is_some_and(|c| !c.finished() && !self.other_seed.iter().any(|o| o.level == level))
        {
            self.step_compare()?;
        }
        Ok(())
    }

    fn level_seed(&self, branch: Branch, level: usize) -> u64 {
        self.spec
            .seed
            .wrapping_mul(1_000_003)
            .wrapping_add((level as u64) << 8 | branch as u64)
    }

    /// Builds the model a (branch, level) starts training from.
    fn start(&mut self, branch: Branch, level: usize) -> Result<Job> {
        let structure = self.spec.prune.structure;
        let mut mask_analysis = None;
        let model = match (branch, level) {
            (_, 0) => self.dense.clone(),
            (Branch::Ticket, _) => {
                let mut m = self
                    .ticket_trained
                    .clone()
                    .expect("level 0 finishes before level 1 starts");
                // A gradient score (SNIP) reads the mini-batch the next step of the trained
                // level's trainer would take, as `Experiment::prune` does after a training run:
                // every level ends at step T, whatever step it started from.
                let (x, y) = self.next_batch_after_training()?;
                let ctx = prune::ScoreContext {
                    x: x.view(),
                    y: &y,
                    loss: self.train.loss,
                };
                // Under a pattern, level L of the levels is step L of its decay (prune::nm).
                let mut spec = self.spec.prune.at_step(level, self.spec.levels);
                spec.seed = self.level_seed(branch, level);
                prune::prune(&mut m, &spec, Some(&ctx))?;
                match self.spec.reset {
                    Reset::Keep => {}
                    Reset::Init => m.rewind_to_init()?,
                    Reset::Step(k) => m.rewind_to_step(k)?,
                    Reset::Reinit => m.reinit(self.level_seed(branch, level)),
                }
                let mut a = analysis::analyse(
                    &self.dense,
                    &m,
                    structure,
                    self.level_seed(Branch::RandomMask, level),
                )?;
                self.compare_up_to(level)?;
                if let Some(other) = self.other_seed.iter().find(|t| t.level == level) {
                    let mine = TicketStructure {
                        level,
                        masks: m.masks(),
                        neuron_ids: m.neuron_ids().to_vec(),
                    };
                    a.vs_other_seed = Some(analysis::agreement_of_tickets(
                        &mine,
                        other,
                        structure,
                        &self.dense.spec().hidden,
                    ));
                }
                mask_analysis = Some(a);
                self.ticket_start = Some((level, m.clone()));
                m
            }
            (Branch::RandomReinit, _) => {
                let mut m = self.ticket_at_level_start(level)?;
                m.reinit(self.level_seed(branch, level));
                m
            }
            (Branch::RandomMask, _) => {
                let ticket = self.ticket_at_level_start(level)?;
                let mut m = self.control_start()?;
                let seed = self.level_seed(branch, level);
                match (structure, self.spec.prune.pattern) {
                    // Under a pattern the random mask is a random one of the level's k:m (from
                    // the dense network every group keeps exactly k, so the per-layer densities
                    // are the ticket's too).
                    (Structure::Weights, Some(p)) => {
                        if let Some(q) = prune::nm::step_pattern(p, level, self.spec.levels) {
                            let masks = prune::nm::masks(
                                &m,
                                &m.masks(),
                                q,
                                prune::Score::Random,
                                seed,
                                None,
                            )?;
                            m.set_masks(&masks)?;
                        }
                    }
                    (Structure::Weights, None) => {
                        m.set_masks(&prune::random_masks_like(&ticket, seed))?;
                    }
                    (Structure::Neurons, _) => {
                        let counts: Vec<usize> = ticket.neuron_ids().iter().map(Vec::len).collect();
                        let keep =
                            analysis::random_kept_neurons(&self.dense.spec().hidden, &counts, seed);
                        for (l, keep) in keep.iter().enumerate() {
                            m.remove_neurons(l, keep)?;
                        }
                    }
                }
                m
            }
        };
        if self.role == Role::Controls && !self.queue.iter().any(|&(_, l)| l == level) {
            self.fed.retain(|(l, _)| *l != level);
        }
        Ok(Job {
            branch,
            level,
            model,
            trainer: self.trainer(level)?,
            epochs: Vec::new(),
            mask_analysis,
            diverged: false,
        })
    }

    /// The ticket's model at the start of `level` (pruned, before retraining): its mask and
    /// shape are what the controls copy.
    fn ticket_at_level_start(&self, level: usize) -> Result<Mlp> {
        if self.role == Role::Controls {
            return self
                .fed
                .iter()
                .find(|(l, _)| *l == level)
                .map(|(_, m)| m.clone())
                .ok_or_else(|| {
                    Error::state(format!("the ticket of level {level} has not been fed yet"))
                });
        }
        self.ticket_start
            .as_ref()
            .filter(|(l, _)| *l == level)
            .map(|(_, m)| m.clone())
            .ok_or_else(|| {
                Error::state(format!(
                    "the ticket of level {level} has not been pruned yet"
                ))
            })
    }

    fn finish(&mut self, job: Job) {
        let stop = early_stop(&job.epochs);
        let last = job.epochs.last().map_or(0.0, |m| m.test_accuracy);
        if job.branch == Branch::Ticket && job.level == 0 && self.control_start.is_none() {
            // The random-mask control starts where the ticket is reset to, on the dense network.
            let mut m = job.model.clone();
            if let Reset::Step(k) = self.spec.reset {
                if m.rewind_to_step(k).is_ok() {
                    self.control_start = Some(m);
                }
            } else {
                self.control_start = Some(m);
            }
        }
        let result = LevelResult {
            branch: job.branch,
            level: job.level,
            density: job.model.density(),
            layer_density: job.model.layer_density(),
            test_accuracy: last,
            early_stop_epoch: stop.map(|m| m.epoch),
            early_stop_step: stop.map(|m| m.step),
            early_stop_test_accuracy: stop.map(|m| m.test_accuracy),
            epochs: job.epochs,
            mask_analysis: job.mask_analysis,
            diverged: job.diverged,
        };
        if job.branch == Branch::Ticket {
            self.ticket_trained = Some(job.model.clone());
        }
        self.last_model = Some(job.model);
        self.results.push(result);
    }
}

/// The epoch of least validation loss (the first on ties); `None` without validation metrics.
pub fn early_stop(epochs: &[EpochMetrics]) -> Option<EpochMetrics> {
    epochs
        .iter()
        .filter(|m| m.val_loss.is_some_and(f64::is_finite))
        .fold(None, |best: Option<&EpochMetrics>, m| match best {
            Some(b) if b.val_loss <= m.val_loss => Some(b),
            _ => Some(m),
        })
        .copied()
}
