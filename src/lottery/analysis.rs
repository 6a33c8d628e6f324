//! What a ticket's mask has in common with other masks: pure functions over masks and models.
//!
//! The measure is **agreement**: for the ticket's kept set A and another kept set B of the same
//! layer, the fraction of A's survivors that B also keeps, |A ∩ B| / |A|. Its **chance level**
//! is what an independent random B with the same number kept would give on average,
//! |B| / n (n = the layer's size): for a mask with the ticket's own per-layer counts, the
//! layer's density. Over all layers the agreement is Σ|A ∩ B| / Σ|A| and its chance level
//! Σ |A|·|B|/n / Σ|A|. Reporting both lets "0.62 vs chance 0.20" read directly.
//!
//! (The runner used to report the Jaccard index of a level's mask with the previous level's;
//! iterative pruning nests the masks, so that number was just the ratio of the two densities.)
//!
//! A ticket is compared with:
//! - the random-mask control of its level (the same seed as that branch draws): agreement at
//!   chance, a check of the measure itself;
//! - the mask that keeps, per layer, as many weights as the ticket with the largest |θ₀|
//!   ("is the ticket just the large initial weights?", Zhou et al. 2019), ranked by
//!   [`prune::select`] — the project's one rule: ties by the lower index;
//! - optionally the ticket found from another model seed ([`agreement_of_tickets`]).
//!
//! Beside it, per layer, a histogram of θ₀ for the survivors and for the pruned weights.
//!
//! Structured (neuron) tickets compare kept neurons per hidden layer; the |θ₀| mask and the
//! histogram rank single weights and are not applicable there (`None` / empty).

use ndarray::Array2;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::model::Mlp;
use crate::prune::{self, Amount, PruneSpec, Scope, Score, Scores, Structure};
use crate::{rng, Result};

use super::TicketStructure;

/// Bins of the θ₀ histograms.
pub const INIT_HISTOGRAM_BINS: usize = 20;

/// The agreement of a ticket's kept set with another, per layer and overall, beside its chance
/// level (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Per layer (weights) or hidden layer (neurons): |A ∩ B| / |A|; 1 if A is empty and B too,
    /// 0 if only A is empty.
    pub layer: Vec<f64>,
    /// Per layer: |B| / n, the expected agreement of an independent random B of that size.
    pub layer_chance: Vec<f64>,
    /// Σ|A ∩ B| / Σ|A| over the layers (the same empty-set rule).
    pub overall: f64,
    /// Σ |A|·|B|/n / Σ|A| (Σ|B| / Σn if A is empty everywhere).
    pub chance: f64,
}

/// θ₀ of one layer's weights, binned, for the survivors and the pruned weights separately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitHistogram {
    /// `bins + 1` edges, symmetric around 0 from −max|θ₀| to +max|θ₀| of the layer (±1 if that
    /// is 0); bin `i` is `[edges[i], edges[i+1])`, the last one closed.
    pub edges: Vec<f32>,
    /// Survivors per bin.
    pub kept: Vec<usize>,
    /// Pruned weights per bin.
    pub pruned: Vec<usize>,
}

/// The mask analysis of one ticket level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskAnalysis {
    /// Against the random-mask control of the same level (expected: at chance).
    pub vs_random_mask: Agreement,
    /// Against the per-layer largest-|θ₀| mask of the same counts; `None` for neuron tickets.
    pub vs_init_magnitude: Option<Agreement>,
    /// Per layer, θ₀ of survivors vs pruned weights; empty for neuron tickets.
    pub init_histogram: Vec<InitHistogram>,
    /// Against the ticket of the same level found from another model seed, when one was run
    /// (filled in by the caller with [`agreement_of_tickets`]).
    pub vs_other_seed: Option<Agreement>,
}

/// Agreement of the kept sets `a` with `b`, one `Vec<bool>` per layer (`true` = kept), layer
/// sizes equal.
///
/// # Panics
/// If the layer counts or sizes differ (a caller's bug: both come from the same network).
pub fn agreement(a: &[Vec<bool>], b: &[Vec<bool>]) -> Agreement {
    assert_eq!(a.len(), b.len(), "kept sets of different layer counts");
    let (mut layer, mut layer_chance) = (Vec::new(), Vec::new());
    let (mut both_sum, mut a_sum, mut expected_sum, mut b_sum, mut n_sum) = (0, 0, 0.0, 0, 0);
    for (a, b) in a.iter().zip(b) {
        assert_eq!(a.len(), b.len(), "kept sets of different layer sizes");
        let n = a.len();
        let na = a.iter().filter(|&&k| k).count();
        let nb = b.iter().filter(|&&k| k).count();
        let both = a.iter().zip(b).filter(|(&x, &y)| x && y).count();
        let chance = if n == 0 { 0.0 } else { nb as f64 / n as f64 };
        layer.push(ratio(both, na, nb));
        layer_chance.push(chance);
        both_sum += both;
        a_sum += na;
        b_sum += nb;
        n_sum += n;
        expected_sum += na as f64 * chance;
    }
    Agreement {
        layer,
        layer_chance,
        overall: ratio(both_sum, a_sum, b_sum),
        chance: if a_sum > 0 {
            expected_sum / a_sum as f64
        } else if n_sum > 0 {
            b_sum as f64 / n_sum as f64
        } else {
            0.0
        },
    }
}

/// |A ∩ B| / |A|, with the empty-set rule of [`Agreement::layer`].
fn ratio(both: usize, na: usize, nb: usize) -> f64 {
    match (na, nb) {
        (0, 0) => 1.0,
        (0, _) => 0.0,
        _ => both as f64 / na as f64,
    }
}

/// The kept sets of 0/1 masks, one per layer in row-major order.
pub fn kept_weights(masks: &[Array2<f32>]) -> Vec<Vec<bool>> {
    masks
        .iter()
        .map(|m| m.iter().map(|&v| v != 0.0).collect())
        .collect()
}

/// The kept sets of hidden neurons: for hidden layer `l` of original width `widths[l]`, the
/// original ids in `ids[l]`.
pub fn kept_neurons(ids: &[Vec<usize>], widths: &[usize]) -> Vec<Vec<bool>> {
    ids.iter()
        .zip(widths)
        .map(|(ids, &w)| {
            let mut k = vec![false; w];
            for &i in ids.iter().filter(|&&i| i < w) {
                k[i] = true;
            }
            k
        })
        .collect()
}

/// The hidden widths of the dense network `dense` (its original architecture).
fn hidden_widths(dense: &Mlp) -> Vec<usize> {
    dense.spec().hidden.clone()
}

/// The random-mask control's neurons for a structured ticket: per hidden layer of original width
/// `widths[l]`, `counts[l]` ids drawn from `seed`, ascending.
pub fn random_kept_neurons(widths: &[usize], counts: &[usize], seed: u64) -> Vec<Vec<usize>> {
    let mut r = rng::derived(seed, "random-mask");
    widths
        .iter()
        .zip(counts)
        .map(|(&w, &c)| {
            let mut all: Vec<usize> = (0..w).collect();
            all.shuffle(&mut r);
            let mut keep = all[..c.min(w)].to_vec();
            keep.sort_unstable();
            keep
        })
        .collect()
}

/// The masks that keep, in each layer `l` of the dense network `dense` (at θ₀, full masks),
/// the `counts[l]` weights of largest |θ₀|, ties broken by [`prune::select`]'s rule (of equal
/// |θ₀|, the lower row-major index is pruned first).
///
/// # Errors
/// [`crate::Error::InvalidConfig`] if a count exceeds its layer's size.
pub fn init_magnitude_masks(dense: &Mlp, counts: &[usize]) -> Result<Vec<Array2<f32>>> {
    let init = dense.initial_params();
    let scores = Scores::Weights(init.iter().map(|p| p.weight.mapv(f32::abs)).collect());
    let full: Vec<Array2<f32>> = init.iter().map(|p| Array2::ones(p.weight.dim())).collect();
    let mut out = Vec::with_capacity(full.len());
    for (l, &count) in counts.iter().enumerate() {
        // Only layer l competes (the others' entries are masked out), so one global ranking
        // with an exact count prunes exactly the layer's lowest n − count.
        let mut masks: Vec<Array2<f32>> = full.iter().map(|m| Array2::zeros(m.dim())).collect();
        masks[l] = full[l].clone();
        let n = full[l].len();
        let spec = PruneSpec {
            structure: Structure::Weights,
            score: Score::Magnitude,
            scope: Scope::Global,
            amount: Amount::Count(n.saturating_sub(count)),
            output_rate: 1.0,
            layer_rates: Vec::new(),
            seed: 0,
            pattern: None,
        };
        if count > n {
            return Err(crate::Error::config(
                "counts",
                count,
                format!("at most the {n} weights of layer {l}"),
            ));
        }
        let plan = prune::select(dense, &masks, &scores, &spec)?;
        let prune::Selection::Weights(mut m) = plan.selection else {
            unreachable!("a weights spec selects weights")
        };
        out.push(m.swap_remove(l));
    }
    Ok(out)
}

/// Per layer, the histogram of θ₀ (`init[l]`) split by `masks[l]` into survivors and pruned, on
/// `bins` bins symmetric around 0.
pub fn init_histograms(
    init: &[Array2<f32>],
    masks: &[Array2<f32>],
    bins: usize,
) -> Vec<InitHistogram> {
    let bins = bins.max(1);
    init.iter()
        .zip(masks)
        .map(|(w, m)| {
            let max = w.iter().fold(0.0f32, |a, &v| a.max(v.abs()));
            let hi = if max > 0.0 && max.is_finite() {
                max
            } else {
                1.0
            };
            let edges: Vec<f32> = (0..=bins)
                .map(|i| -hi + 2.0 * hi * i as f32 / bins as f32)
                .collect();
            let (mut kept, mut pruned) = (vec![0; bins], vec![0; bins]);
            for (&v, &k) in w.iter().zip(m) {
                let b =
                    (((v + hi) / (2.0 * hi) * bins as f32).floor().max(0.0) as usize).min(bins - 1);
                if k != 0.0 {
                    kept[b] += 1;
                } else {
                    pruned[b] += 1;
                }
            }
            InitHistogram {
                edges,
                kept,
                pruned,
            }
        })
        .collect()
}

/// The analysis of a ticket level: `ticket` pruned from the dense network `dense` (at θ₀, full
/// masks) under `structure`; `random_seed` is the seed the random-mask control of that level
/// draws from. `vs_other_seed` is left `None`.
///
/// # Errors
/// Only on a ticket that does not come from `dense` (its shapes differ).
pub fn analyse(
    dense: &Mlp,
    ticket: &Mlp,
    structure: Structure,
    random_seed: u64,
) -> Result<MaskAnalysis> {
    match structure {
        Structure::Weights => {
            let masks = ticket.masks();
            dense.check_masks(&masks)?;
            let kept = kept_weights(&masks);
            let counts: Vec<usize> = ticket.layers().iter().map(|d| d.alive()).collect();
            let random = kept_weights(&prune::random_masks_like(ticket, random_seed));
            let top = kept_weights(&init_magnitude_masks(dense, &counts)?);
            let init: Vec<Array2<f32>> = dense
                .initial_params()
                .iter()
                .map(|p| p.weight.clone())
                .collect();
            Ok(MaskAnalysis {
                vs_random_mask: agreement(&kept, &random),
                vs_init_magnitude: Some(agreement(&kept, &top)),
                init_histogram: init_histograms(&init, &masks, INIT_HISTOGRAM_BINS),
                vs_other_seed: None,
            })
        }
        Structure::Neurons => {
            let widths = hidden_widths(dense);
            let ids = ticket.neuron_ids();
            let counts: Vec<usize> = ids.iter().map(Vec::len).collect();
            let random = random_kept_neurons(&widths, &counts, random_seed);
            Ok(MaskAnalysis {
                vs_random_mask: agreement(
                    &kept_neurons(ids, &widths),
                    &kept_neurons(&random, &widths),
                ),
                vs_init_magnitude: None,
                init_histogram: Vec::new(),
                vs_other_seed: None,
            })
        }
    }
}

/// Agreement of ticket `a` with ticket `b` (the same level of two runs on the same
/// architecture, e.g. two model seeds): over weights, or over kept neurons with
/// `hidden` the original hidden widths.
///
/// # Panics
/// If the two structures do not fit the same network.
pub fn agreement_of_tickets(
    a: &TicketStructure,
    b: &TicketStructure,
    structure: Structure,
    hidden: &[usize],
) -> Agreement {
    match structure {
        Structure::Weights => agreement(&kept_weights(&a.masks), &kept_weights(&b.masks)),
        Structure::Neurons => agreement(
            &kept_neurons(&a.neuron_ids, hidden),
            &kept_neurons(&b.neuron_ids, hidden),
        ),
    }
}
