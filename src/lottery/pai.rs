//! Pruning at initialization compared as Frankle et al. 2021 ("Pruning Neural Networks at
//! Initialization: Why Are We Missing the Mark?") do: each method prunes the untrained network
//! θ₀ to a density, the survivors train for E epochs from a fresh optimizer, and the run
//! reports the test accuracy at its early-stopping epoch (least validation loss, as the lottery). Beside each method, its
//! two sanity checks: the same per-layer densities with the mask shuffled within each layer
//! (`shuffle`), and the method's mask with reinitialized weights (`reinit`). A method whose
//! accuracy survives both found per-layer densities, not which weights.
//!
//! Every run starts from the same θ₀ (the experiment as given, untrained: the lottery's dense
//! network for the same seed) and the same data order; the runner is stepwise, one run per
//! [`PaiRunner::step`], so a caller can report progress and stop between runs.

use rand::Rng as _;
use serde::Serialize;

use crate::experiment::Experiment;
use crate::prune::{self, Amount, PruneSpec, Scope, Score, Structure};
use crate::{rng, Error, Result};

/// Most densities, methods and epochs one comparison takes (every run trains E epochs).
pub const MAX_RUNS: usize = 200;

/// A sanity check of Frankle et al. 2021 applied to a method's mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaiControl {
    /// The same number of alive weights in each layer, at positions drawn at random.
    Shuffle,
    /// The method's mask, the survivors drawn afresh from the initializer.
    Reinit,
}

pruning_playground_core::named_enum!(PaiControl, "control", {
    Shuffle => "shuffle",
    Reinit => "reinit",
});

/// What to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct PaiSpec {
    /// The scores that prune at θ₀ (each [`Score::prunes_untrained`]).
    pub methods: Vec<Score>,
    /// Target densities in (0, 1]: each method prunes round((1 − d) × weights) weights in one
    /// global ranking.
    pub densities: Vec<f64>,
    /// The sanity checks run beside each method.
    pub controls: Vec<PaiControl>,
    /// Epochs each pruned network trains.
    pub epochs: usize,
    /// SynFlow's rounds (Tanaka et al. 2020 use 100); the other methods prune in one shot.
    pub synflow_rounds: usize,
    /// Seed of the random score, the shuffled masks and the reinitialized weights.
    pub seed: u64,
}

/// One pruned-and-trained network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaiRun {
    /// The method's score name (`snip`, `grasp`, `synflow`, `magnitude`, `random`).
    pub method: String,
    /// `None` for the method itself, else the sanity check.
    pub control: Option<PaiControl>,
    /// The target density.
    pub density: f64,
    /// Alive weights over all weights after pruning.
    pub actual_density: f64,
    /// Alive weights per layer over the layer's weights.
    pub layer_density: Vec<f64>,
    /// The early-stopping epoch (1-based): least validation loss, the first of equals, as
    /// [`super::early_stop`]; the last epoch without a validation split.
    pub best_epoch: usize,
    /// Validation accuracy at that epoch (`None` without a validation split).
    pub val_accuracy: Option<f64>,
    /// Test accuracy at that epoch.
    pub test_accuracy: f64,
}

/// Runs a [`PaiSpec`] one network at a time: methods in order, each at every density, the method
/// itself then its controls.
#[derive(Debug, Clone)]
pub struct PaiRunner {
    base: Experiment,
    spec: PaiSpec,
    queue: Vec<(Score, f64, Option<PaiControl>)>,
    runs: Vec<PaiRun>,
}

impl PaiRunner {
    /// A runner over `exp` as it is (its model must be untrained: θ₀).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a method that does not prune at θ₀, a density outside
    /// (0, 1], no methods or densities, zero epochs or rounds, or more than [`MAX_RUNS`] runs;
    /// [`Error::State`] if the experiment has trained.
    pub fn new(exp: &Experiment, spec: PaiSpec) -> Result<Self> {
        if !exp.history.is_empty() || exp.trainer.step() != 0 {
            return Err(Error::state(
                "pruning at initialization compares methods on the untrained network θ₀; \
                 this one has trained",
            ));
        }
        if spec.methods.is_empty() {
            return Err(Error::config("methods", "none", "at least one method"));
        }
        for m in &spec.methods {
            m.validate()?;
            if !m.prunes_untrained() {
                return Err(Error::config(
                    "methods",
                    m.name(),
                    "one of snip, grasp, synflow, magnitude, random",
                ));
            }
        }
        if spec.densities.is_empty() {
            return Err(Error::config("densities", "none", "at least one density"));
        }
        for &d in &spec.densities {
            if !(d > 0.0 && d <= 1.0) {
                return Err(Error::config(
                    "densities",
                    d,
                    crate::error::Allowed::interval(0.0, 1.0, true, false),
                ));
            }
        }
        if spec.epochs == 0 || spec.epochs > crate::experiment::MAX_EPOCHS {
            return Err(Error::config(
                "epochs",
                spec.epochs,
                crate::error::Allowed::Range {
                    min: 1,
                    max: crate::experiment::MAX_EPOCHS as u64,
                },
            ));
        }
        if spec.synflow_rounds == 0 || spec.synflow_rounds > 1000 {
            return Err(Error::config(
                "synflow rounds",
                spec.synflow_rounds,
                crate::error::Allowed::Range { min: 1, max: 1000 },
            ));
        }
        let mut queue = Vec::new();
        for &m in &spec.methods {
            for &d in &spec.densities {
                queue.push((m, d, None));
                for &c in &spec.controls {
                    queue.push((m, d, Some(c)));
                }
            }
        }
        if queue.len() > MAX_RUNS {
            return Err(Error::config(
                "runs",
                queue.len(),
                crate::error::Allowed::Range {
                    min: 1,
                    max: MAX_RUNS as u64,
                },
            ));
        }
        queue.reverse();
        Ok(PaiRunner {
            base: exp.clone(),
            spec,
            queue,
            runs: Vec::new(),
        })
    }

    /// Runs planned in all.
    pub fn total(&self) -> usize {
        self.queue.len() + self.runs.len()
    }

    /// The runs done so far, in order.
    pub fn runs(&self) -> &[PaiRun] {
        &self.runs
    }

    /// Prunes and trains the next network; `None` when all are done.
    ///
    /// # Errors
    /// Any pruning or training error (e.g. [`Error::Diverged`]); the run is not recorded.
    pub fn step(&mut self) -> Result<Option<&PaiRun>> {
        let Some(&(method, density, control)) = self.queue.last() else {
            return Ok(None);
        };
        let run = self.run(method, density, control)?;
        self.queue.pop();
        self.runs.push(run);
        Ok(self.runs.last())
    }

    /// Every remaining run.
    ///
    /// # Errors
    /// As [`PaiRunner::step`].
    pub fn run_all(&mut self) -> Result<&[PaiRun]> {
        while self.step()?.is_some() {}
        Ok(&self.runs)
    }

    /// The network `method` leaves at `density`, pruned from θ₀ (SynFlow in its rounds).
    fn pruned(&self, method: Score, density: f64) -> Result<Experiment> {
        let mut exp = self.base.clone();
        let total = exp.model.n_alive();
        let rounds = if method == Score::Synflow {
            self.spec.synflow_rounds
        } else {
            1
        };
        let keep = prune::exponential_keep_counts(total, 1.0 - density, rounds)?;
        let mut alive = total;
        for k in keep {
            let spec = PruneSpec {
                structure: Structure::Weights,
                score: method,
                scope: Scope::Global,
                amount: Amount::Count(alive - k),
                output_rate: 1.0,
                layer_rates: Vec::new(),
                seed: self.spec.seed,
                pattern: None,
            };
            exp.prune(&spec)?;
            alive = exp.model.n_alive();
        }
        Ok(exp)
    }

    fn run(&self, method: Score, density: f64, control: Option<PaiControl>) -> Result<PaiRun> {
        let mut exp = self.pruned(method, density)?;
        let mut draw = rng::derived(self.spec.seed, "pai-controls");
        let (shuffle_seed, reinit_seed) = (draw.random::<u64>(), draw.random::<u64>());
        match control {
            None => {}
            Some(PaiControl::Shuffle) => {
                // Surviving positions drawn afresh per layer; their weights are θ₀'s there.
                let masks = prune::random_masks_like(&exp.model, shuffle_seed);
                let mut model = self.base.model.clone();
                model.set_masks(&masks)?;
                exp.replace_model(model)?;
            }
            Some(PaiControl::Reinit) => exp.reinit(reinit_seed),
        }
        let layer_density = exp.model.layer_density();
        let actual_density = exp.model.density();
        let metrics = exp.train(self.spec.epochs)?;
        // The lottery's one early-stopping rule (least validation loss), so the method lines and
        // the ticket's line on the same chart are read at the same kind of epoch.
        let best = super::early_stop(&metrics)
            .and_then(|stop| metrics.iter().position(|m| m.epoch == stop.epoch))
            .unwrap_or(metrics.len() - 1);
        let m = &metrics[best];
        Ok(PaiRun {
            method: method.name(),
            control,
            density,
            actual_density,
            layer_density,
            best_epoch: best + 1,
            val_accuracy: m.val_accuracy,
            test_accuracy: m.test_accuracy,
        })
    }
}
