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
//!
//! A pattern is a setting of a [`super::PruneSpec`] (`pattern: "2:4"`), so it goes wherever a
//! prune spec goes. How the schedules reach it, also written once here ([`keep_count`],
//! [`step_pattern`]): a schedule lowers the number of weights each group keeps from `m` to `n`,
//! and a step that keeps `k` prunes to `k:m`. At progress p ∈ [0, 1] a group keeps
//!
//! k(p) = m − round((m − n) · p)   (Python's round, half to even),
//!
//! - one-shot: p = 1, straight to `n:m`;
//! - iterative, step r of R (the page's rounds; the lottery runner's levels, R = its levels):
//!   p = r / R, so 2:4 in 2 rounds is 3:4 then 2:4, in 3 rounds 3:4, 3:4, 2:4 (2/3 → 1,
//!   4/3 → 1, 2), in 4 rounds 4:4 (nothing: 2·1/4 = 0.5 rounds to 0), 3:4, 2:4, 2:4. With more
//!   steps than the m − n keep counts between m and n, some steps keep what the one before kept
//!   and prune nothing; with fewer, a step drops more than one per group;
//! - gradual (Zhu & Gupta): p(t) = 1 − (1 − (t − t₀)/(end − t₀))^power, the progress of the cubic
//!   sparsity curve ([`super::Gradual::progress`]), so the keep count falls fast at first, then
//!   slowly, and is `n` from `end` on.
//!
//! Starting from a dense network every full group then keeps exactly `k` (masks only shrink, and
//! each step leaves `min(k, alive)`), so a layer whose width is a multiple of `m` has density
//! exactly `k / m`.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{lowest, scores, Candidate, Plan, Score, ScoreContext, Scores, Selection, Structure};
use crate::model::Mlp;
use crate::{Error, Result};

/// An `n:m` pattern: at most `n` of every `m` consecutive inputs of a neuron. Written `N:M` in
/// JSON, URLs and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
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

impl TryFrom<String> for NM {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        NM::parse(&s)
    }
}

impl From<NM> for String {
    fn from(p: NM) -> String {
        p.name()
    }
}

/// Weights a group keeps at `progress` ∈ [0, 1] (clamped) of a schedule towards `pattern`:
/// `m − round((m − n) · progress)`, Python's round (see the module documentation).
pub fn keep_count(pattern: NM, progress: f64) -> usize {
    let drop = ((pattern.m - pattern.n) as f64 * progress.clamp(0.0, 1.0)).round_ties_even();
    pattern.m - (drop as usize).min(pattern.m - pattern.n)
}

/// Weights a group keeps after step `step` (1-based) of a schedule of `steps` towards
/// `pattern`: [`keep_count`] at `step / steps` (computed as `((m − n) · step) / steps`, one
/// division of whole numbers, so a half is exactly a half). `steps` 0 counts as 1.
pub fn keep_at_step(pattern: NM, step: usize, steps: usize) -> usize {
    let steps = steps.max(1);
    let drop = ((pattern.m - pattern.n) * step.min(steps)) as f64 / steps as f64;
    pattern.m - (drop.round_ties_even() as usize).min(pattern.m - pattern.n)
}

/// The pattern step `step` of `steps` prunes to: `k:m` with `k` = [`keep_at_step`]; `None` when
/// `k` is `m` (the step prunes nothing).
pub fn step_pattern(pattern: NM, step: usize, steps: usize) -> Option<NM> {
    let n = keep_at_step(pattern, step, steps);
    (n < pattern.m).then_some(NM { n, m: pattern.m })
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
    let s = scores(model, masks, score, Structure::Weights, seed, ctx)?;
    select(model, masks, &s, pattern)
}

/// The N:M step for given weight scores: the second half of [`plan`], through which
/// [`super::select`] runs every spec with a pattern.
///
/// # Errors
/// [`Error::Shape`] if the scores are not weight scores shaped like the masks, or the masks do
/// not fit the model; [`Error::State`] for a NaN score.
pub fn select(model: &Mlp, masks: &[Array2<f32>], scores: &Scores, pattern: NM) -> Result<Plan> {
    model.check_masks(masks)?;
    let scores = match scores {
        Scores::Weights(s)
            if s.len() == masks.len() && s.iter().zip(masks).all(|(s, m)| s.dim() == m.dim()) =>
        {
            s
        }
        _ => {
            return Err(Error::Shape {
                what: "scores".into(),
                expected: format!("weight scores for widths {:?}", model.widths()),
                got: format!("{} scores", scores.structure().name()),
            })
        }
    };
    let mut out = masks.to_vec();
    let mut layer_removed = vec![0; out.len()];
    let mut layer_threshold: Vec<Option<f32>> = vec![None; out.len()];
    for (l, (mask, score)) in out.iter_mut().zip(scores).enumerate() {
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

/// What a pattern costs on hardware that runs it (sparse tensor cores), for one layer or a
/// whole network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HardwareCost {
    /// Multiply-adds of one sample, dense: fan-out × fan-in.
    pub dense: usize,
    /// Multiply-adds of one sample on the pattern's hardware: `n` per group.
    pub sparse: usize,
    /// Bytes of metadata: the position of each kept weight in its group.
    pub metadata_bytes: usize,
}

/// What `pattern` costs on hardware that runs it, layer by layer (input side first). Each row
/// is cut into `⌈fan_in / m⌉` groups (a short last group padded, as the hardware pads it), each
/// doing `n` multiply-adds and storing the position of each kept weight in `⌈log2 m⌉` bits
/// (2:4: 2 bits per kept weight, 4 per group, as NVIDIA's sparse tensor cores store it), a
/// layer's bits rounded up to whole bytes.
pub fn layer_costs(model: &Mlp, pattern: NM) -> Vec<HardwareCost> {
    let index_bits = (usize::BITS - (pattern.m - 1).leading_zeros()) as usize;
    model
        .layers()
        .iter()
        .map(|d| {
            let groups = d.fan_out() * d.fan_in().div_ceil(pattern.m);
            HardwareCost {
                dense: d.fan_out() * d.fan_in(),
                sparse: groups * pattern.n,
                metadata_bytes: (groups * pattern.n * index_bits).div_ceil(8),
            }
        })
        .collect()
}

/// [`layer_costs`] summed over the layers.
pub fn hardware_cost(model: &Mlp, pattern: NM) -> HardwareCost {
    layer_costs(model, pattern)
        .iter()
        .fold(HardwareCost::default(), |a, c| HardwareCost {
            dense: a.dense + c.dense,
            sparse: a.sparse + c.sparse,
            metadata_bytes: a.metadata_bytes + c.metadata_bytes,
        })
}
