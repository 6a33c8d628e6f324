//! Semi-structured N:M sparsity (2:4 above all): in every group of `m` consecutive weights along
//! a neuron's inputs (a row of a layer's `[out, in]` weights), at most `n` stay. The pattern that
//! sparse tensor cores run at twice the dense rate for 2:4; in the taxonomy it sits between
//! unstructured (any weight may go) and structured (whole neurons go): single weights go, but
//! every small group keeps the same share.
//!
//! The rule, written once here: in each group the weights still alive compete; the
//! `alive − n` lowest scores are masked (none when `n` or fewer are alive), ties broken by the
//! lower index, as every pruning step breaks them. A row whose length is not a multiple of `m`
//! ends with a shorter group, which also keeps at most `n`. Weights already masked stay masked,
//! so the new mask is a subset of the old one and applying the same `n:m` twice changes nothing.

use ndarray::Array2;

use super::{lowest, scores, Candidate, Plan, Score, ScoreContext, Scores, Selection, Structure};
use crate::model::Mlp;
use crate::{Error, Result};

/// An `n:m` pattern: at most `n` of every `m` consecutive inputs of a neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NM {
    /// Weights kept per group.
    pub n: usize,
    /// The group's length.
    pub m: usize,
}

impl NM {
    /// Parses `N:M` (`2:4`), with `1 ≤ N < M ≤ 32`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] (field `pattern`) naming the value and what is allowed.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::config("pattern", s, "N:M with 1 ≤ N < M ≤ 32, e.g. 2:4");
        let (n, m) = s.split_once(':').ok_or_else(bad)?;
        let (n, m) = (
            n.trim().parse().map_err(|_| bad())?,
            m.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || n >= m || m > 32 {
            return Err(bad());
        }
        Ok(NM { n, m })
    }

    /// `N:M`.
    pub fn name(self) -> String {
        format!("{}:{}", self.n, self.m)
    }
}

/// The masks that apply `pattern` to every layer of `model` whose current masks are `masks`,
/// ranking by `score` (`seed` feeds `random`; `snip` needs `ctx`).
///
/// # Errors
/// The score's errors (an invalid score, masks that do not fit, `snip` without a batch);
/// [`Error::State`] for a NaN score.
pub fn masks(
    model: &Mlp,
    masks: &[Array2<f32>],
    pattern: NM,
    score: Score,
    seed: u64,
    ctx: Option<&ScoreContext>,
) -> Result<Vec<Array2<f32>>> {
    Ok(
        match plan(model, masks, pattern, score, seed, ctx)?.selection {
            Selection::Weights(m) => m,
            Selection::Neurons(_) => unreachable!("an N:M plan masks weights"),
        },
    )
}

/// The N:M step as a [`Plan`] (new masks, weights pruned and largest pruned score per layer),
/// applied like any pruning step by [`Plan::apply`].
///
/// # Errors
/// As [`masks`].
pub fn plan(
    model: &Mlp,
    masks: &[Array2<f32>],
    pattern: NM,
    score: Score,
    seed: u64,
    ctx: Option<&ScoreContext>,
) -> Result<Plan> {
    let Scores::Weights(scores) = scores(model, masks, score, Structure::Weights, seed, ctx)?
    else {
        unreachable!("weight scores for Structure::Weights")
    };
    let mut out = masks.to_vec();
    let mut layer_removed = vec![0; out.len()];
    let mut layer_threshold: Vec<Option<f32>> = vec![None; out.len()];
    for (l, (mask, score)) in out.iter_mut().zip(&scores).enumerate() {
        let cols = mask.ncols();
        for (mut mrow, srow) in mask.rows_mut().into_iter().zip(score.rows()) {
            for start in (0..cols).step_by(pattern.m) {
                let end = (start + pattern.m).min(cols);
                let alive: Vec<Candidate> = (start..end)
                    .filter(|&c| mrow[c] != 0.0)
                    .map(|c| (if srow[c] == 0.0 { 0.0 } else { srow[c] }, c))
                    .collect();
                if alive.iter().any(|(s, _)| s.is_nan()) {
                    return Err(Error::state(format!(
                        "an importance score of layer {l} is NaN; the model or the batch holds non-finite values"
                    )));
                }
                let k = alive.len().saturating_sub(pattern.n);
                for (s, c) in lowest(alive, k) {
                    mrow[c] = 0.0;
                    layer_removed[l] += 1;
                    layer_threshold[l] = Some(layer_threshold[l].map_or(s, |t: f32| t.max(s)));
                }
            }
        }
    }
    Ok(Plan {
        selection: Selection::Weights(out),
        layer_removed,
        threshold: layer_threshold.iter().flatten().copied().reduce(f32::max),
        layer_threshold,
        clipped: false,
    })
}

/// Whether every group of every layer keeps at most `n` of `m` (the check a sparse kernel would
/// make before running).
pub fn satisfies(masks: &[Array2<f32>], pattern: NM) -> bool {
    masks.iter().all(|mask| {
        mask.rows().into_iter().all(|row| {
            row.to_vec()
                .chunks(pattern.m)
                .all(|g| g.iter().filter(|&&v| v != 0.0).count() <= pattern.n)
        })
    })
}

/// What `pattern` costs on hardware that runs it (sparse tensor cores), for `model`'s layers:
/// `(dense multiply-adds, n:m multiply-adds, metadata bytes)`. Each row is cut into
/// `⌈fan_in / m⌉` groups (a short last group padded, as the hardware pads it), each doing `n`
/// multiply-adds and storing the position of each kept weight in `⌈log2 m⌉` bits (2:4: 2 bits
/// per kept weight, 4 per group, as NVIDIA's sparse tensor cores store it).
pub fn hardware_cost(model: &Mlp, pattern: NM) -> (usize, usize, usize) {
    let (mut dense, mut sparse, mut bits) = (0, 0, 0);
    let index_bits = (usize::BITS - (pattern.m - 1).leading_zeros()) as usize;
    for d in model.layers() {
        let groups = d.fan_out() * d.fan_in().div_ceil(pattern.m);
        dense += d.fan_out() * d.fan_in();
        sparse += groups * pattern.n;
        bits += groups * pattern.n * index_bits;
    }
    (dense, sparse, bits.div_ceil(8))
}
