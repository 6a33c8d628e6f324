//! Several trials of one lottery experiment, for error bars (Frankle & Carbin average five).
//!
//! Trial `t` (0-based) is the whole experiment run with every seed moved by `t`: the model's
//! initial weights and data order, the data's seed (MNIST's split is fixed and ignores it), the
//! controls' draws and the other-seed comparison's seed ([`trial_configs`]), so that seed stays
//! apart from the trial's own. Trial 0 is the experiment itself, so one trial gives
//! exactly the numbers of a run without trials. [`summarize`] reduces the trials' results to the
//! mean, minimum and maximum of each (branch, level).

use serde::{Deserialize, Serialize};

use super::{Branch, LevelResult};
use crate::config::{ExperimentConfig, LotteryConfig};

/// Largest number of trials.
pub const MAX_TRIALS: usize = 10;

/// The configs of trial `t`: every seed moved by `t` (wrapping), nothing else changed.
pub fn trial_configs(
    exp: &ExperimentConfig,
    lottery: &LotteryConfig,
    t: usize,
) -> (ExperimentConfig, LotteryConfig) {
    let shift = |s: u64| s.wrapping_add(t as u64);
    let mut e = exp.clone();
    e.seed = shift(e.seed);
    e.dataset.seed = shift(e.dataset.seed);
    let mut l = lottery.clone();
    l.seed = shift(l.seed);
    l.compare_seed = l.compare_seed.map(shift);
    (e, l)
}

/// Mean, minimum and maximum of one quantity over the trials that have it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` for none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let (mut n, mut sum, mut min, mut max) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            n += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
        (n > 0).then(|| Spread {
            mean: sum / n as f64,
            min,
            max,
        })
    }
}

/// One (branch, level) over all trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelSummary {
    /// Which line.
    pub branch: Branch,
    /// 0 = dense.
    pub level: usize,
    /// Trials that reached this (branch, level).
    pub trials: usize,
    /// Weights alive over the dense network's (the same in every trial: the counts are exact).
    pub density: Spread,
    /// Test accuracy after the last epoch.
    pub test_accuracy: Spread,
    /// Test accuracy at the early-stopping epoch (the figure's y value), over the trials with a
    /// validation split.
    pub early_stop_test_accuracy: Option<Spread>,
    /// The early-stopping epoch.
    pub early_stop_epoch: Option<Spread>,
    /// The early-stopping iteration (optimizer step at the end of that epoch).
    pub early_stop_step: Option<Spread>,
}

/// Summarizes each (branch, level) found in any trial, in the order of the first trial that has
/// it (the runner's order: level 0's ticket, then each level's ticket and controls).
pub fn summarize(trials: &[Vec<LevelResult>]) -> Vec<LevelSummary> {
    let mut keys: Vec<(Branch, usize)> = Vec::new();
    for r in trials.iter().flatten() {
        if !keys.contains(&(r.branch, r.level)) {
            keys.push((r.branch, r.level));
        }
    }
    keys.into_iter()
        .map(|(branch, level)| {
            let rs: Vec<&LevelResult> = trials
                .iter()
                .filter_map(|t| t.iter().find(|r| r.branch == branch && r.level == level))
                .collect();
            let spread = |f: &dyn Fn(&LevelResult) -> Option<f64>| {
                Spread::of(rs.iter().filter_map(|r| f(r)))
            };
            LevelSummary {
                branch,
                level,
                trials: rs.len(),
                density: spread(&|r| Some(r.density)).expect("at least one trial"),
                test_accuracy: spread(&|r| Some(r.test_accuracy)).expect("at least one trial"),
                early_stop_test_accuracy: spread(&|r| r.early_stop_test_accuracy),
                early_stop_epoch: spread(&|r| r.early_stop_epoch.map(|e| e as f64)),
                early_stop_step: spread(&|r| r.early_stop_step.map(|s| s as f64)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(branch: Branch, level: usize, acc: f64, stop: Option<usize>) -> LevelResult {
        LevelResult {
            branch,
            level,
            density: 0.8f64.powi(level as i32),
            layer_density: Vec::new(),
            epochs: Vec::new(),
            test_accuracy: acc,
            early_stop_epoch: stop,
            early_stop_step: stop.map(|e| e as u64 * 10),
            early_stop_test_accuracy: stop.map(|_| acc - 0.01),
            mask_analysis: None,
            diverged: false,
        }
    }

    #[test]
    fn summary_gives_mean_min_max_per_branch_and_level_in_run_order() {
        let a = vec![
            result(Branch::Ticket, 0, 0.90, Some(3)),
            result(Branch::Ticket, 1, 0.92, Some(2)),
            result(Branch::RandomReinit, 1, 0.80, Some(5)),
        ];
        let b = vec![
            result(Branch::Ticket, 0, 0.94, Some(5)),
            result(Branch::Ticket, 1, 0.90, None),
            result(Branch::RandomReinit, 1, 0.70, Some(7)),
        ];
        let s = summarize(&[a, b]);
        let keys: Vec<_> = s.iter().map(|s| (s.branch, s.level)).collect();
        assert_eq!(
            keys,
            [
                (Branch::Ticket, 0),
                (Branch::Ticket, 1),
                (Branch::RandomReinit, 1)
            ]
        );
        let t0 = &s[0];
        assert_eq!(t0.trials, 2);
        assert!((t0.test_accuracy.mean - 0.92).abs() < 1e-12);
        assert_eq!((t0.test_accuracy.min, t0.test_accuracy.max), (0.90, 0.94));
        assert_eq!(t0.early_stop_epoch.unwrap().mean, 4.0);
        // A trial without early stopping counts for the final accuracy only.
        let t1 = &s[1];
        assert_eq!(t1.early_stop_epoch.unwrap().min, 2.0);
        assert_eq!(t1.early_stop_epoch.unwrap().max, 2.0);
        assert_eq!(s[2].early_stop_step.unwrap().max, 70.0);
        assert!(summarize(&[]).is_empty());
    }

    #[test]
    fn trial_zero_is_the_run_itself_and_later_trials_move_every_seed() {
        let exp = ExperimentConfig {
            seed: 7,
            dataset: crate::config::DataConfig {
                seed: 7,
                ..Default::default()
            },
            ..Default::default()
        };
        let lot = LotteryConfig {
            seed: 7,
            compare_seed: Some(8),
            ..LotteryConfig::default()
        };
        assert_eq!(trial_configs(&exp, &lot, 0), (exp.clone(), lot.clone()));
        let (e, l) = trial_configs(&exp, &lot, 3);
        assert_eq!((e.seed, e.dataset.seed, l.seed), (10, 10, 10));
        // The other seed moves too: trial 1 of seed 7 against seed 8 must not compare 8 with 8.
        assert_eq!(l.compare_seed, Some(11));
        assert_eq!(trial_configs(&exp, &lot, 1).1.compare_seed, Some(9));
        assert_eq!(
            ExperimentConfig {
                seed: 7,
                dataset: exp.dataset.clone(),
                ..e
            },
            exp
        );
    }
}
