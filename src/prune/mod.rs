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
//! The one rule for how many go is [`counts_to_prune`]: in each ranking group a fraction `f`
//! prunes exactly `k = round(f × remaining)` entries with Python's rounding (half to even, in
//! `f64`), as `torch.nn.utils.prune` does; a count prunes exactly that many in total, shared out
//! over the groups. The one rule for which go: the `k` lowest scores of the group, ties broken by
//! the lower flat index (layers in order, row-major within a layer; for neurons, layers in
//! order, then the neuron's index). Entries already masked or removed never compete, so the new
//! mask is a subset of the old one, and `k = 0` changes nothing. There is no `keep > threshold`
//! rule, which would prune more than `k` on ties.
//!
//! [`Schedule`]s say how much to prune over time (one-shot, iterative levels, or gradual during
//! training after Zhu & Gupta 2017); [`random_masks_like`] and [`mask_overlap`] serve the lottery
//! runner's random-mask control; [`weight_histogram`] and [`neuron_norms`] feed the views;
//! [`sensitivity`] scans each layer's accuracy against its sparsity; [`nm`] is N:M (2:4)
//! semi-structured sparsity: a spec's `pattern` (which replaces the amount), and the one rule by
//! which the schedules reach it.

mod control;
mod grasp;
pub mod nm;
mod schedule;
mod score;
pub mod sensitivity;
mod spec;

pub use control::{mask_overlap, random_masks_like, weight_histogram};
pub use schedule::{
    exponential_keep_counts, fraction_to_reach, Gradual, Round, Schedule, SchedulePlan,
};
pub use score::{neuron_norms, next_batch, scores, ScoreContext, Scores};
pub use spec::{Amount, PruneSpec, Scope, Score, Structure, SCORE_ALLOWED};

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

/// Python's `round(x)` for `x ≥ 0`: to the nearest integer, half to even (2.5 → 2, 3.5 → 4).
fn round_half_even(x: f64) -> usize {
    x.round_ties_even().max(0.0) as usize
}

/// **The** rule for how many entries a pruning step takes, used by every caller (the planner
/// behind [`prune`] and [`compute_masks`], and through it the schedules, the lottery levels and
/// gradual pruning). `groups` are the ranking groups as `(remaining, rate)`: the entries still
/// alive in the group and the rate its fraction is scaled by (1 for every group but a separately
/// ranked output layer, which has `output_rate`). Returns the number to prune in each group.
///
/// - [`Amount::Fraction`]`(f)`: group `g` loses `round((f × rate_g) × remaining_g)`, with
///   Python's `round` (half to even) in `f64`, as `torch.nn.utils.prune` computes
///   `round(amount * n)`: 0.15625 × 16 = 2.5 prunes 2, 0.375 × 4 = 1.5 prunes 2.
/// - [`Amount::Count`]`(n)`: exactly `n` in total over all groups, shared out in proportion to
///   `rate_g × remaining_g` by largest remainder: each group first gets
///   `⌊n × rate_g × remaining_g / W⌋` (W = Σ rate × remaining), and the units still missing go
///   one each to the groups with the largest fractional parts, the lower group index first on
///   equal parts. So `count:17` with output rate 0.5 prunes 17 weights, and the output layer's
///   share is half what its size alone would give it. A count above `⌊W⌋` (what a fraction of 1
///   would take, the output layer at its rate) is an error.
///
/// # Errors
/// [`Error::InvalidConfig`] (field `amount`) for a count above `⌊W⌋`; `what` names the entries.
pub fn counts_to_prune(amount: Amount, groups: &[(usize, f64)], what: &str) -> Result<Vec<usize>> {
    match amount {
        Amount::Fraction(f) => Ok(groups
            .iter()
            .map(|&(r, rate)| round_half_even(f * rate * r as f64).min(r))
            .collect()),
        Amount::Count(n) => {
            let weight: Vec<f64> = groups.iter().map(|&(r, rate)| rate * r as f64).collect();
            let total: f64 = weight.iter().sum();
            let cap = (total + 1e-9).floor() as usize;
            if n > cap {
                let allowed = if groups.iter().all(|&(_, rate)| rate == 1.0 || rate == 0.0) {
                    format!("at most the {cap} {what} that remain")
                } else {
                    format!(
                        "at most {cap}: the {what} that remain, the output layer's counted at the output rate"
                    )
                };
                return Err(Error::config("amount", format!("count:{n}"), allowed));
            }
            if n == 0 {
                return Ok(vec![0; groups.len()]);
            }
            let quota: Vec<f64> = weight.iter().map(|w| n as f64 * w / total).collect();
            let mut k: Vec<usize> = quota
                .iter()
                .zip(groups)
                .map(|(q, &(r, _))| (q.floor() as usize).min(r))
                .collect();
            // Largest remainder: each unit still missing after the floors goes to the group with
            // the largest fractional part not yet served (the lower index on equal parts). Float
            // rounding of the quotas could leave the floors one over; such a unit comes back from
            // the smallest fractional part.
            let mut rest: Vec<f64> = quota.iter().map(|q| q - q.floor()).collect();
            let mut sum: usize = k.iter().sum();
            while sum < n {
                let Some(g) = (0..groups.len())
                    .filter(|&g| k[g] < groups[g].0)
                    .reduce(|a, b| if rest[b] > rest[a] { b } else { a })
                else {
                    break;
                };
                k[g] += 1;
                rest[g] = f64::NEG_INFINITY;
                sum += 1;
            }
            while sum > n {
                let Some(g) = (0..groups.len()).filter(|&g| k[g] > 0).reduce(|a, b| {
                    if rest[b] < rest[a] {
                        b
                    } else {
                        a
                    }
                }) else {
                    break;
                };
                k[g] -= 1;
                rest[g] = f64::INFINITY;
                sum -= 1;
            }
            Ok(k)
        }
    }
}

/// Ranks given scores under `spec` (its score and seed are not used): the second half of
/// [`compute_masks`], for callers with scores of their own. A spec with a pattern goes to
/// [`nm::select`].
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
    if let Some(p) = spec.pattern {
        return nm::select(model, masks, scores, p);
    }
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
        return Err(Error::state(format!(
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

    if !spec.layer_rates.is_empty() && spec.layer_rates.len() != n - 1 {
        return Err(Error::config(
            "layer_rates",
            format!("{} rates", spec.layer_rates.len()),
            format!(
                "one rate per layer before the output: {} for widths {:?}",
                n - 1,
                model.widths()
            ),
        ));
    }
    let mut pruned: Vec<Candidate> = Vec::new();
    let mut clipped = false;
    match spec.structure {
        Structure::Weights => {
            let out = n - 1;
            let rate = spec.output_rate;
            let joins = rate == 1.0;
            let main: Vec<usize> = (0..n).filter(|&l| l < out || joins).collect();
            let layer_rate = |l: usize| if l < out { spec.layer_rate(l) } else { 1.0 };
            let mut groups: Vec<(Vec<usize>, f64)> = match spec.scope {
                Scope::Global => vec![(main, 1.0)],
                Scope::Layer => main
                    .into_iter()
                    .map(|l| (vec![l], layer_rate(l)))
                    .filter(|&(_, r)| r > 0.0)
                    .collect(),
            };
            if !joins && rate > 0.0 {
                groups.push((vec![out], rate));
            }
            let cands: Vec<Vec<Candidate>> = groups.iter().map(|(u, _)| candidates(u)).collect();
            let sizes: Vec<(usize, f64)> = cands
                .iter()
                .zip(&groups)
                .map(|(c, &(_, rate))| (c.len(), rate))
                .collect();
            let ks = counts_to_prune(spec.amount, &sizes, "weights")?;
            for (c, k) in cands.into_iter().zip(ks) {
                pruned.extend(lowest(c, k));
            }
        }
        Structure::Neurons => {
            let hidden: Vec<usize> = (0..n - 1).collect();
            let groups: Vec<(Vec<usize>, f64)> = match spec.scope {
                Scope::Global => vec![(hidden, 1.0)],
                Scope::Layer => hidden
                    .into_iter()
                    .map(|h| (vec![h], spec.layer_rate(h)))
                    .filter(|&(_, r)| r > 0.0)
                    .collect(),
            };
            let sizes: Vec<(usize, f64)> = groups
                .iter()
                .map(|(u, r)| (u.iter().map(|&h| sizes[h]).sum(), *r))
                .collect();
            let ks = counts_to_prune(spec.amount, &sizes, "hidden neurons")?;
            for ((units, _), k) in groups.into_iter().zip(ks) {
                let mut c = candidates(&units);
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

    fn fraction(f: f64, n: usize) -> usize {
        counts_to_prune(Amount::Fraction(f), &[(n, 1.0)], "weights").unwrap()[0]
    }

    /// Python: round(0.5 * 3) == 2, round(0.25 * 2) == 0, round(0.15625 * 16) == 2,
    /// round(0.375 * 4) == 2, round(0.5 * 5) == 2, round(0.2 * 7) == 1.
    #[test]
    fn fractions_round_half_to_even_like_python() {
        assert_eq!(fraction(0.5, 3), 2); // 1.5 → 2
        assert_eq!(fraction(0.25, 2), 0); // 0.5 → 0
        assert_eq!(fraction(0.15625, 16), 2); // 2.5 → 2
        assert_eq!(fraction(0.375, 4), 2); // 1.5 → 2
        assert_eq!(fraction(0.5, 5), 2); // 2.5 → 2
        assert_eq!(fraction(0.5, 7), 4); // 3.5 → 4
        assert_eq!(fraction(0.2, 7), 1); // 1.4 → 1
        assert_eq!(fraction(1.0, 5), 5);
        assert_eq!(fraction(0.0, 5), 0);
    }

    /// 17 over a main group of 80 and an output group of 16 at rate 0.5: W = 80 + 8 = 88, quotas
    /// 17·80/88 = 15.45… and 17·8/88 = 1.545…: floors 15 + 1, the missing unit to the larger
    /// remainder (the output's .545 > .454) → [15, 2].
    #[test]
    fn a_count_is_the_total_shared_by_largest_remainder() {
        let k = counts_to_prune(Amount::Count(17), &[(80, 1.0), (16, 0.5)], "weights").unwrap();
        assert_eq!(k, vec![15, 2]);
        // Layer scope, 16 + 64 + 16 at rate 1, 15 in all: quotas 2.5, 10, 2.5 → 2 + 10 + 2 = 14,
        // the missing unit to the first of the equal remainders.
        let k =
            counts_to_prune(Amount::Count(15), &[(16, 1.0), (64, 1.0), (16, 1.0)], "w").unwrap();
        assert_eq!(k, vec![3, 10, 2]);
        let k = counts_to_prune(Amount::Count(88), &[(80, 1.0), (16, 0.5)], "w").unwrap();
        assert_eq!(k, vec![80, 8]);
        let err = counts_to_prune(Amount::Count(89), &[(80, 1.0), (16, 0.5)], "weights");
        assert!(err.unwrap_err().to_string().contains("at most 88"));
        let err = counts_to_prune(Amount::Count(97), &[(96, 1.0)], "weights");
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("at most the 96 weights that remain"));
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
