//! How much to prune over time. Schedules speak in weight *density* (alive over the original
//! architecture's weights, [`crate::model::Mlp::density`]) and hand out a fraction of the
//! *remaining* weights for each step, to be used as [`crate::prune::Amount::Fraction`]. The
//! fraction is recomputed from the density actually reached, so rounding never accumulates.
//!
//! The targets are met exactly (up to rounding one weight per ranking group) when every layer is
//! pruned at the same fraction, i.e. with `output_rate` 1; a lower output rate leaves the network
//! slightly denser than planned. For neuron pruning they are approximate, since removing a neuron
//! removes a varying number of weights.

use serde::{Deserialize, Serialize};

use crate::error::Allowed;
use crate::{math, Error, Result};

/// The fraction of the remaining weights to prune to go from `current_density` to
/// `target_density`: `1 − target / current`, clamped to [0, 1] (0 if the target is not below
/// the current density).
pub fn fraction_to_reach(current_density: f64, target_density: f64) -> f64 {
    if current_density <= 0.0 || target_density >= current_density {
        0.0
    } else {
        (1.0 - target_density.max(0.0) / current_density).clamp(0.0, 1.0)
    }
}

/// The weights alive after each of `rounds` rounds of pruning at initialization that together
/// prune `fraction` of `total` alive weights under one global ranking (SynFlow's schedule,
/// Tanaka et al. 2020): round r (1-based) keeps `round(total × d^(r / rounds))`, half to even,
/// with d the density one-shot pruning leaves, and the last round keeps exactly what one-shot
/// pruning of `fraction` would — `total − round(fraction × total)` by
/// [`crate::prune::counts_to_prune`]. Never increasing; each round prunes the difference as an
/// [`crate::prune::Amount::Count`], so no rounding accumulates.
///
/// # Errors
/// [`Error::InvalidConfig`] for a fraction outside [0, 1] or no rounds.
pub fn exponential_keep_counts(total: usize, fraction: f64, rounds: usize) -> Result<Vec<usize>> {
    crate::prune::Amount::Fraction(fraction).validate()?;
    if rounds == 0 {
        return Err(Error::config("rounds", 0, "at least 1"));
    }
    let pruned = crate::prune::counts_to_prune(
        crate::prune::Amount::Fraction(fraction),
        &[(total, 1.0)],
        "weights",
    )?[0];
    let last = total - pruned;
    let density = if total == 0 {
        1.0
    } else {
        last as f64 / total as f64
    };
    let mut keep = Vec::with_capacity(rounds);
    let mut alive = total;
    for r in 1..=rounds {
        let k = if r == rounds {
            last
        } else {
            let target = total as f64 * math::pow(density, r as f64 / rounds as f64);
            (target.round_ties_even().max(0.0) as usize).clamp(last, alive)
        };
        alive = k;
        keep.push(k);
    }
    Ok(keep)
}

/// One round of an iterative schedule as the page runs it: prune `amount` of the remaining
/// weights (or, under a pattern, to `pattern`), then train `epochs` epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Round {
    /// Fraction of the remaining weights to prune ([`crate::prune::Amount::Fraction`]); 0 under
    /// a pattern.
    pub amount: f64,
    /// Epochs of training after the pruning.
    pub epochs: usize,
    /// Under a pattern `n:m`, the round's `k:m` ([`crate::prune::nm::step_pattern`]); `None`
    /// without a pattern, or when the round keeps all `m` (it prunes nothing, `amount` 0).
    pub pattern: Option<crate::prune::nm::NM>,
}

/// What the page's iterative and gradual pruning run, computed by the core
/// ([`crate::experiment::Experiment::schedule_plan`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SchedulePlan {
    /// Rounds of pruning and retraining ([`Schedule::Iterative`]).
    Iterative(Vec<Round>),
    /// `epochs` epochs of training under a gradual schedule.
    Gradual {
        /// The schedule.
        gradual: Gradual,
        /// Epochs to train.
        epochs: usize,
    },
}

/// A pruning schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Schedule {
    /// Prune once, straight to `target_density` in (0, 1].
    OneShot {
        /// The density to reach.
        target_density: f64,
    },
    /// `levels` rounds (the lottery runner's levels), each pruning `fraction` of the remaining
    /// weights: the density after level n is (1 − fraction)ⁿ.
    Iterative {
        /// Number of pruning rounds.
        levels: usize,
        /// Fraction of the remaining weights pruned per round, in [0, 1).
        fraction: f64,
    },
    /// Gradual pruning during training (Zhu & Gupta 2017).
    Gradual(Gradual),
}

impl Schedule {
    /// `rounds` rounds of one fraction that together prune `total` of the remaining weights:
    /// each prunes 1 − (1 − total)^(1 / rounds), so the density after the last is 1 − `total`,
    /// as one-shot pruning of `total` would leave it.
    pub fn iterative_to(total: f64, rounds: usize) -> Schedule {
        // In the browser, JavaScript's `Math.pow` (see `crate::wasm::num::pow`).
        #[cfg(target_arch = "wasm32")]
        let pow = crate::wasm::num::pow;
        #[cfg(not(target_arch = "wasm32"))]
        let pow = f64::powf;
        Schedule::Iterative {
            levels: rounds,
            fraction: 1.0 - pow(1.0 - total, 1.0 / rounds as f64),
        }
    }

    /// The name used by the CLI and URLs.
    pub fn name(&self) -> &'static str {
        match self {
            Schedule::OneShot { .. } => "one-shot",
            Schedule::Iterative { .. } => "iterative",
            Schedule::Gradual(_) => "gradual",
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field, the value and what is allowed.
    pub fn validate(&self) -> Result<()> {
        match self {
            Schedule::OneShot { target_density } => {
                if *target_density > 0.0 && *target_density <= 1.0 {
                    Ok(())
                } else {
                    Err(Error::config(
                        "target_density",
                        target_density,
                        Allowed::interval(0.0, 1.0, true, false),
                    ))
                }
            }
            Schedule::Iterative { fraction, .. } => {
                if (0.0..1.0).contains(fraction) {
                    Ok(())
                } else {
                    Err(Error::config(
                        "fraction",
                        fraction,
                        Allowed::interval(0.0, 1.0, false, true),
                    ))
                }
            }
            Schedule::Gradual(g) => g.validate(),
        }
    }

    /// Number of pruning steps: 1, `levels`, or the steps at which a gradual schedule is due.
    pub fn levels(&self) -> usize {
        match self {
            Schedule::OneShot { .. } => 1,
            Schedule::Iterative { levels, .. } => *levels,
            Schedule::Gradual(g) => g.n_steps(),
        }
    }

    /// The planned density after `level` pruning steps from a dense network (level 0 is 1.0;
    /// levels past the last stay at the final density).
    pub fn density_after(&self, level: usize) -> f64 {
        if level == 0 {
            return 1.0;
        }
        match self {
            Schedule::OneShot { target_density } => *target_density,
            Schedule::Iterative { levels, fraction } => {
                (1.0 - fraction).powi(level.min(*levels) as i32)
            }
            Schedule::Gradual(g) => 1.0 - g.sparsity(g.nth_step(level - 1)),
        }
    }

    /// The fraction of the remaining weights to prune at step `level` (0-based) when the network
    /// is at `current_density`: iterative schedules prune their fixed fraction, the others what
    /// takes the density to [`Schedule::density_after`]`(level + 1)`. 0 past the last level.
    pub fn fraction(&self, level: usize, current_density: f64) -> f64 {
        if level >= self.levels() {
            return 0.0;
        }
        match self {
            Schedule::Iterative { fraction, .. } => *fraction,
            _ => fraction_to_reach(current_density, self.density_after(level + 1)),
        }
    }
}

/// Gradual magnitude pruning (Zhu & Gupta 2017; TF-MOT's `PolynomialDecay`): the sparsity rises
/// from `initial_sparsity` to `final_sparsity` between `begin_step` and `end_step` as
///
/// s_t = s_f + (s_i − s_f) · (1 − (t − t₀) / (end − t₀))^power,
///
/// with t clamped to [t₀, end]; pruning happens at t₀, every `frequency` steps after, and at `end`.
///
/// Step t counts optimizer updates taken: the pruning at step t comes after the t-th update (at
/// t = 0, before the first), so a run of exactly `end_step` steps ends with the pruning at
/// `end_step`, at density 1 − `final_sparsity` (not one pruning short). This is how
/// [`crate::experiment::Experiment`] drives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gradual {
    /// Sparsity at `begin_step`, in [0, 1).
    pub initial_sparsity: f64,
    /// Sparsity from `end_step` on, in [initial_sparsity, 1).
    pub final_sparsity: f64,
    /// First pruning step t₀.
    pub begin_step: u64,
    /// Last pruning step, ≥ `begin_step`.
    pub end_step: u64,
    /// Steps between two prunings, ≥ 1.
    pub frequency: u64,
    /// Exponent of the decay, > 0 (Zhu & Gupta use 3).
    #[serde(default = "default_power")]
    pub power: f64,
}

fn default_power() -> f64 {
    3.0
}

impl Gradual {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if !(0.0..1.0).contains(&self.initial_sparsity) {
            return Err(Error::config(
                "initial_sparsity",
                self.initial_sparsity,
                Allowed::interval(0.0, 1.0, false, true),
            ));
        }
        if !(self.initial_sparsity..1.0).contains(&self.final_sparsity) {
            return Err(Error::config(
                "final_sparsity",
                self.final_sparsity,
                format!(
                    "a number in [initial_sparsity = {}, 1)",
                    self.initial_sparsity
                ),
            ));
        }
        if self.end_step < self.begin_step {
            return Err(Error::config(
                "end_step",
                self.end_step,
                format!("at least begin_step = {}", self.begin_step),
            ));
        }
        if self.frequency == 0 {
            return Err(Error::config(
                "frequency",
                0,
                Allowed::AtLeastSteps { min: 1 },
            ));
        }
        if !(self.power > 0.0 && self.power.is_finite()) {
            return Err(Error::config("power", self.power, Allowed::Positive));
        }
        Ok(())
    }

    /// The page's gradual pruning: from the network as it is (`density` at training step `step`)
    /// to `density` × (1 − `fraction`), over `epochs` epochs of `steps_per_epoch` steps. The
    /// sparsity rises from step `step` to the start of the last epoch (so that epoch trains at
    /// the final density), pruning `4 × rounds` times (at least every step).
    pub fn over_epochs(
        density: f64,
        fraction: f64,
        step: u64,
        steps_per_epoch: u64,
        epochs: u64,
        rounds: u64,
    ) -> Gradual {
        let end_step = step + steps_per_epoch.max(1) * epochs.saturating_sub(1).max(1);
        Gradual {
            initial_sparsity: 1.0 - density,
            final_sparsity: 1.0 - density * (1.0 - fraction),
            begin_step: step,
            end_step,
            frequency: ((end_step - step) / (rounds * 4).max(1)).max(1),
            power: 3.0,
        }
    }

    /// The target sparsity s_t at training step `step`.
    pub fn sparsity(&self, step: u64) -> f64 {
        let (s_i, s_f) = (self.initial_sparsity, self.final_sparsity);
        if step >= self.end_step {
            return s_f;
        }
        if step <= self.begin_step {
            return s_i;
        }
        let progress = (step - self.begin_step) as f64 / (self.end_step - self.begin_step) as f64;
        s_f + (s_i - s_f) * math::pow(1.0 - progress, self.power)
    }

    /// How far the sparsity curve is at `step`, from 0 (at and before `begin_step`) to 1 (at
    /// and after `end_step`): 1 − (1 − (t − t₀) / (end − t₀))^power. A pattern's keep count
    /// follows it ([`crate::prune::nm::keep_count`]).
    pub fn progress(&self, step: u64) -> f64 {
        if step >= self.end_step {
            return 1.0;
        }
        if step <= self.begin_step {
            return 0.0;
        }
        let t = (step - self.begin_step) as f64 / (self.end_step - self.begin_step) as f64;
        1.0 - math::pow(1.0 - t, self.power)
    }

    /// Whether to prune at `step`: at `begin_step`, every `frequency` steps after, and at
    /// `end_step`.
    pub fn due(&self, step: u64) -> bool {
        step >= self.begin_step
            && step <= self.end_step
            && ((step - self.begin_step) % self.frequency == 0 || step == self.end_step)
    }

    /// How many steps are due: ⌈(end − begin) / frequency⌉ + 1.
    pub fn n_steps(&self) -> usize {
        let span = self.end_step.saturating_sub(self.begin_step);
        span.div_ceil(self.frequency.max(1)) as usize + 1
    }

    /// The `i`-th (0-based) step at which [`Gradual::due`] is true; `end_step` for `i` past the
    /// last.
    pub fn nth_step(&self, i: usize) -> u64 {
        self.begin_step
            .saturating_add((i as u64).saturating_mul(self.frequency))
            .min(self.end_step)
    }

    /// The fraction of the remaining weights to prune at `step` so that the density becomes
    /// 1 − s_t (0 if the network is already that sparse).
    pub fn fraction_now(&self, step: u64, current_density: f64) -> f64 {
        fraction_to_reach(current_density, 1.0 - self.sparsity(step))
    }
}
