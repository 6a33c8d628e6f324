//! Pruning: which weights or neurons go, and when.
//!
//! A pruning step is a pure function `(model, current masks, spec[, batch]) → plan`
//! ([`compute_masks`]); [`prune`] computes the plan on the model's own masks and applies it. A
//! [`PruneSpec`] is the product of four axes:
//!
//! - **structure** ([`Structure`]): `weights` masks single weights (unstructured); `neurons`
//!   physically removes whole hidden neurons (structured) and never the last one of a layer;
//! - **score** ([`Score`]): `magnitude`, `lp:P`, `random` (the seeded control) or `snip`
//!   (needs a [`ScoreContext`]); [`scores`] computes them apart from the weights, and [`select`]
//!   ranks any [`Scores`];
//! - **scope** ([`Scope`]): one `global` ranking, or each `layer` at the same fraction; the output
//!   layer is ranked on its own at `fraction × output_rate` unless `output_rate` is 1;
//! - **amount** ([`Amount`]): a fraction of the *remaining* entries, or a count.
//!
//! The one rule for what goes: in each ranking group exactly `k = round(f × remaining)` entries
//! are pruned (half away from zero, in `f64`) — the `k` lowest scores, ties broken by the lower
//! flat index (layers in order, row-major within a layer; for neurons, layers in order, then the
//! neuron's index). Entries already masked or removed never compete, so the new mask is a subset
//! of the old one, and `k = 0` changes nothing. There is no `keep > threshold` rule, which would
//! prune more than `k` on ties.
//!
//! [`Schedule`]s say how much to prune over time (one-shot, iterative levels, or gradual during
//! training after Zhu & Gupta 2017); [`random_masks_like`] and [`mask_overlap`] serve the lottery
//! runner's random-mask control; [`weight_histogram`] and [`neuron_norms`] feed the views.

mod control;
mod schedule;
mod score;
mod spec;

pub use control::{mask_overlap, random_masks_like, weight_histogram};
pub use schedule::{fraction_to_reach, Gradual, Schedule};
pub use score::{neuron_norms, scores, ScoreContext, Scores};
pub use spec::{Amount, PruneSpec, Scope, Score, Structure};

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::model::Mlp;
use crate::{Error, Result};

/// What one step removes, before it is applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Unstructured: the new masks, one per layer, each a subset of the old one.
    Weights(Vec<Array2<f32>>),
    /// Structured: for each hidden layer, the (ascending) indices of the neurons that stay.
    Neurons(Vec<Vec<usize>>),
}

/// The outcome of [`compute_masks`]: what goes, and the numbers a view needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The new masks or the neurons to keep.
    pub selection: Selection,
    /// Entries pruned per layer (weights) or per hidden layer (neurons).
    pub layer_removed: Vec<usize>,
    /// The largest pruned score over all layers; `None` if nothing is pruned.
    pub threshold: Option<f32>,
    /// The largest pruned score of each layer (weights) or hidden layer (neurons).
    pub layer_threshold: Vec<Option<f32>>,
    /// True if fewer neurons were removed than the amount asked, so that every hidden layer
    /// keeps at least one.
    pub clipped: bool,
}

/// What [`prune`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PruneReport {
    /// Weights or neurons.
    pub structure: Structure,
    /// Weights masked (weights) or hidden neurons removed (neurons).
    pub removed: usize,
    /// Weights alive (weights) or hidden neurons left (neurons), after the step.
    pub remaining: usize,
    /// Removed per layer (weights) or per hidden layer (neurons).
    pub layer_removed: Vec<usize>,
    /// Weights alive over the original architecture's weights, after the step.
    pub density: f64,
    /// The same per layer.
    pub layer_density: Vec<f64>,
    /// The largest pruned score, for the histogram view; `None` if nothing was pruned.
    pub threshold: Option<f32>,
    /// The largest pruned score of each layer (weights) or hidden layer (neurons).
    pub layer_threshold: Vec<Option<f32>>,
    /// True if the amount was cut so that every hidden layer keeps at least one neuron.
    pub clipped: bool,
}

/// One pruning step as a pure function: the plan for `model` whose current masks are `masks`
/// (usually `model.masks()`), under `spec`. `ctx` is the batch for data-dependent scores.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid spec, masks that are not 0/1, a count larger than what
/// remains, or `snip` without `ctx`; [`Error::Shape`] if masks or batch do not fit the model;
/// [`Error::State`] if a score is NaN.
pub fn compute_masks(
    model: &Mlp,
    masks: &[Array2<f32>],
    spec: &PruneSpec,
    ctx: Option<&ScoreContext>,
) -> Result<Plan> {
    spec.validate()?;
    let s = scores(model, masks, spec.score, spec.structure, spec.seed, ctx)?;
    select(model, masks, &s, spec)
}

/// Prunes `model` in place: [`compute_masks`] on its own masks, then [`Plan::apply`].
///
/// # Errors
/// As [`compute_masks`]. On error the model is unchanged.
pub fn prune(model: &mut Mlp, spec: &PruneSpec, ctx: Option<&ScoreContext>) -> Result<PruneReport> {
    let plan = compute_masks(model, &model.masks(), spec, ctx)?;
    plan.apply(model)
}

impl Plan {
    /// Applies the plan: installs the masks, or removes the neurons not kept (from the weights, θ₀
    /// and the rewind snapshot alike).
    ///
    /// # Errors
    /// [`Error::Shape`] or [`Error::InvalidConfig`] if the plan does not fit `model` (it was
    /// computed for another shape). On error the model is unchanged.
    pub fn apply(&self, model: &mut Mlp) -> Result<PruneReport> {
        let structure = match &self.selection {
            Selection::Weights(masks) => {
                model.set_masks(masks)?;
                Structure::Weights
            }
            Selection::Neurons(keep) => {
                let hidden = model.layers().len() - 1;
                if keep.len() != hidden {
                    return Err(Error::Shape {
                        what: "neurons to keep".into(),
                        expected: format!("{hidden} hidden layers"),
                        got: format!("{}", keep.len()),
                    });
                }
                // Work on a copy so that a failure half-way leaves the model as it was.
                let mut m = model.clone();
                for (h, keep) in keep.iter().enumerate() {
                    if keep.len() != m.layers()[h].fan_out() {
                        m.remove_neurons(h, keep)?;
                    }
                }
                *model = m;
                Structure::Neurons
            }
        };
        let remaining = match structure {
            Structure::Weights => model.n_alive(),
            Structure::Neurons => model.layers()[..model.layers().len() - 1]
                .iter()
                .map(|d| d.fan_out())
                .sum(),
        };
        Ok(PruneReport {
            structure,
            removed: self.layer_removed.iter().sum(),
            remaining,
            layer_removed: self.layer_removed.clone(),
            density: model.density(),
            layer_density: model.layer_density(),
            threshold: self.threshold,
            layer_threshold: self.layer_threshold.clone(),
            clipped: self.clipped,
        })
    }
}

/// A candidate for pruning: its score and flat index. Ordered by score, then index — the one
/// definition of "lowest" (scores are never NaN here, and −0 is folded into +0).
type Candidate = (f32, usize);

/// Sets `w` to exactly 0.0 wherever `mask` is 0, like the model's own masking (robust to
/// non-finite `w`, unlike `w *= mask`). The model's helper is private to `pruning-playground-core`.
pub(crate) fn zero_masked(w: &mut Array2<f32>, mask: &Array2<f32>) {
    ndarray::Zip::from(w).and(mask).for_each(|w, &m| {
        if m == 0.0 {
            *w = 0.0;
        }
    });
}

fn rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

/// The `k` lowest candidates (exactly `k`, or all if fewer), in no particular order.
fn lowest(mut c: Vec<Candidate>, k: usize) -> Vec<Candidate> {
    if k == 0 {
        return Vec::new();
    }
    if k < c.len() {
        c.select_nth_unstable_by(k - 1, rank);
        c.truncate(k);
    }
    c
}

/// `round(f × n)`, half away from zero, in `f64`, never above `n`.
fn amount_of(f: f64, n: usize) -> usize {
    ((f * n as f64).round() as usize).min(n)
}

/// The main fraction `f` of a step whose main ranking set has `remaining` entries.
fn main_fraction(amount: Amount, remaining: usize, what: &str) -> Result<f64> {
    match amount {
        Amount::Fraction(f) => Ok(f),
        Amount::Count(n) if n > remaining => Err(Error::config(
            "amount",
            format!("count:{n}"),
            format!("at most the {remaining} {what} that remain"),
        )),
        Amount::Count(0) => Ok(0.0),
        Amount::Count(n) => Ok(n as f64 / remaining as f64),
    }
}

/// Ranks given scores under `spec` (its score and seed are not used): the second half of
/// [`compute_masks`], for callers with scores of their own.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid spec, masks that are not 0/1, or a count larger than
/// what remains; [`Error::Shape`] if masks or scores do not fit the model or the structure;
/// [`Error::State`] if a score is NaN.
pub fn select(
    model: &Mlp,
    masks: &[Array2<f32>],
    scores: &Scores,
    spec: &PruneSpec,
) -> Result<Plan> {
    spec.validate()?;
    model.check_masks(masks)?;
    let layers = model.layers();
    let n = layers.len();
    let shape_error = || Error::Shape {
        what: "scores".into(),
        expected: format!(
            "{} scores for widths {:?}",
            spec.structure.name(),
            model.widths()
        ),
        got: format!("{} scores", scores.structure().name()),
    };
    // Unit `u` is a layer (weights) or a hidden layer (neurons); its scores and whether each
    // entry competes, in flat (row-major) order.
    let (unit_scores, unit_alive): (Vec<Vec<f32>>, Vec<Vec<bool>>) = match (spec.structure, scores)
    {
        (Structure::Weights, Scores::Weights(s))
            if s.len() == n
                && s.iter()
                    .zip(layers)
                    .all(|(s, d)| s.dim() == d.weight().dim()) =>
        {
            s.iter()
                .zip(masks)
                .map(|(s, m)| {
                    (
                        s.iter().copied().collect(),
                        m.iter().map(|&m| m != 0.0).collect(),
                    )
                })
                .unzip()
        }
        (Structure::Neurons, Scores::Neurons(s))
            if s.len() == n - 1 && s.iter().zip(layers).all(|(s, d)| s.len() == d.fan_out()) =>
        {
            s.iter().map(|s| (s.to_vec(), vec![true; s.len()])).unzip()
        }
        _ => return Err(shape_error()),
    };
    if let Some(l) = unit_scores
        .iter()
        .zip(&unit_alive)
        .position(|(s, a)| s.iter().zip(a).any(|(v, &a)| a && v.is_nan()))
    {
        return Err(Error::State(format!(
            "an importance score of layer {l} is NaN; the model or the batch holds non-finite values"
        )));
    }
    let sizes: Vec<usize> = unit_scores.iter().map(Vec::len).collect();
    let offsets: Vec<usize> = sizes
        .iter()
        .scan(0, |acc, &s| {
            let o = *acc;
            *acc += s;
            Some(o)
        })
        .collect();
    let candidates = |units: &[usize]| -> Vec<Candidate> {
        let mut c = Vec::new();
        for &u in units {
            for (i, (&s, &alive)) in unit_scores[u].iter().zip(&unit_alive[u]).enumerate() {
                if alive {
                    c.push((s + 0.0, offsets[u] + i));
                }
            }
        }
        c
    };
    let unit_of = |flat: usize| offsets.partition_point(|&o| o <= flat) - 1;

    let mut pruned: Vec<Candidate> = Vec::new();
    let mut clipped = false;
    match spec.structure {
        Structure::Weights => {
            let out = n - 1;
            let rate = spec.output_rate;
            let joins = rate == 1.0;
            let main: Vec<usize> = (0..n).filter(|&l| l < out || joins).collect();
            let remaining = main
                .iter()
                .map(|&l| unit_alive[l].iter().filter(|&&a| a).count())
                .sum();
            let f = main_fraction(spec.amount, remaining, "weights")?;
            let mut groups: Vec<(Vec<usize>, f64)> = match spec.scope {
                Scope::Global => vec![(main, f)],
                Scope::Layer => main.into_iter().map(|l| (vec![l], f)).collect(),
            };
            if !joins && rate > 0.0 {
                groups.push((vec![out], f * rate));
            }
            for (units, f) in groups {
                let c = candidates(&units);
                let k = amount_of(f, c.len());
                pruned.extend(lowest(c, k));
            }
        }
        Structure::Neurons => {
            let hidden: Vec<usize> = (0..n - 1).collect();
            let f = main_fraction(spec.amount, sizes.iter().sum(), "hidden neurons")?;
            let groups: Vec<Vec<usize>> = match spec.scope {
                Scope::Global => vec![hidden],
                Scope::Layer => hidden.into_iter().map(|h| vec![h]).collect(),
            };
            for units in groups {
                let mut c = candidates(&units);
                let k = amount_of(f, c.len());
                // Every layer keeps its top-ranked neuron. Taking the k lowest of the rest is the
                // same as walking the ranking and skipping a neuron only when it is the last of
                // its layer.
                for &u in &units {
                    if let Some(top) = c
                        .iter()
                        .enumerate()
                        .filter(|(_, x)| unit_of(x.1) == u)
                        .max_by(|a, b| rank(a.1, b.1))
                        .map(|(i, _)| i)
                    {
                        c.swap_remove(top);
                    }
                }
                clipped |= k > c.len();
                pruned.extend(lowest(c, k));
            }
        }
    }

    let units = sizes.len();
    let mut layer_removed = vec![0usize; units];
    let mut layer_threshold: Vec<Option<f32>> = vec![None; units];
    for &(s, flat) in &pruned {
        let u = unit_of(flat);
        layer_removed[u] += 1;
        layer_threshold[u] = Some(layer_threshold[u].map_or(s, |t| t.max(s)));
    }
    let threshold = layer_threshold.iter().flatten().copied().reduce(f32::max);
    let selection = match spec.structure {
        Structure::Weights => {
            let mut new: Vec<Array2<f32>> = masks.to_vec();
            for &(_, i) in &pruned {
                let u = unit_of(i);
                let cols = new[u].ncols();
                let local = i - offsets[u];
                new[u][(local / cols, local % cols)] = 0.0;
            }
            Selection::Weights(new)
        }
        Structure::Neurons => {
            let mut keep: Vec<Vec<bool>> = sizes.iter().map(|&s| vec![true; s]).collect();
            for &(_, i) in &pruned {
                let u = unit_of(i);
                keep[u][i - offsets[u]] = false;
            }
            Selection::Neurons(
                keep.iter()
                    .map(|k| {
                        k.iter()
                            .enumerate()
                            .filter(|(_, &k)| k)
                            .map(|(i, _)| i)
                            .collect()
                    })
                    .collect(),
            )
        }
    };
    Ok(Plan {
        selection,
        layer_removed,
        threshold,
        layer_threshold,
        clipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_half_away_from_zero() {
        assert_eq!(amount_of(0.5, 3), 2); // 1.5 → 2
        assert_eq!(amount_of(0.25, 2), 1); // 0.5 → 1
        assert_eq!(amount_of(0.2, 7), 1); // 1.4 → 1
        assert_eq!(amount_of(1.0, 5), 5);
        assert_eq!(amount_of(0.0, 5), 0);
    }

    #[test]
    fn lowest_takes_exactly_k_and_breaks_ties_by_index() {
        let c = vec![(1.0, 4), (0.5, 9), (1.0, 2), (1.0, 7), (-0.0 + 0.0, 5)];
        let mut got = lowest(c.clone(), 3);
        got.sort_by(rank);
        assert_eq!(got, vec![(0.0, 5), (0.5, 9), (1.0, 2)]);
        assert!(lowest(c.clone(), 0).is_empty());
        assert_eq!(lowest(c, 9).len(), 5);
    }
}
