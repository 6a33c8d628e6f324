//! The per-layer sensitivity scan of a pruning course: prune one layer at a time to each of a
//! list of sparsities (the other layers as they are), evaluate without retraining, and put the
//! layer back. One curve per layer answers "which layers can I prune hard?";
//! [`sparsities_within`] turns the curves into one sparsity per layer.
//!
//! Sparsity here is of the layer's weights as they stand (`fan_out × fan_in`): sparsity `s`
//! leaves `round(s × n)` of its `n` weights at zero (Python's rounding, half to even, as every
//! amount in [`crate::prune`]). Weights already masked count towards it and stay masked, so a
//! sparsity at or below the layer's current one changes nothing. Which weights go: the lowest
//! scores among the layer's alive weights, ties broken by the lower index (row-major), the rule
//! of every pruning step.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{lowest, round_half_even, scores, Candidate, Score, ScoreContext, Scores, Structure};
use crate::model::Mlp;
use crate::train::Evaluation;
use crate::{Error, Result};

/// One point of a layer's curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPoint {
    /// The layer's sparsity asked for.
    pub sparsity: f64,
    /// The layer's weights at zero at that point (masked before, or pruned for the scan).
    pub zeros: usize,
    /// The evaluation with only this layer pruned further.
    pub loss: f64,
    /// The same, accuracy.
    pub accuracy: f64,
}

/// One layer's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityCurve {
    /// The layer (0 = the first hidden layer's incoming weights; the last is the output layer).
    pub layer: usize,
    /// The layer's weights (`fan_out × fan_in`): the bar of "parameters per layer".
    pub weights: usize,
    /// The layer's weights alive before the scan.
    pub alive: usize,
    /// One point per sparsity, in the order asked.
    pub points: Vec<SensitivityPoint>,
}

/// A scan in pieces: [`SensitivityScan::new`] ranks every layer's weights once, then each
/// [`SensitivityScan::step`] evaluates one point (one layer at one sparsity), layer by layer in
/// the order of `sparsities`, so a caller can report progress and stop between two points.
/// [`scan`] is these steps run to the end. The scan holds its own copy of the model: the model
/// it was started from may change meanwhile without changing the scan.
#[derive(Debug, Clone)]
pub struct SensitivityScan {
    model: Mlp,
    masks: Vec<Array2<f32>>,
    /// Per layer, its alive weights with their scores (−0 read as 0).
    alive: Vec<Vec<Candidate>>,
    sparsities: Vec<f64>,
    curves: Vec<SensitivityCurve>,
    done: usize,
}

impl SensitivityScan {
    /// Starts the scan of every layer of `model` at each of `sparsities` (each in `[0, 1]`),
    /// scored by `score` (`snip` needs `ctx`; `seed` feeds `random`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a sparsity outside `[0, 1]` or not finite, an empty list, or a
    /// score the model cannot take; [`Error::State`] for a NaN score; the score's errors.
    pub fn new(
        model: &Mlp,
        sparsities: &[f64],
        score: Score,
        seed: u64,
        ctx: Option<&ScoreContext>,
    ) -> Result<Self> {
        if sparsities.is_empty() {
            return Err(Error::config(
                "sparsities",
                "none",
                "at least one sparsity in [0, 1]",
            ));
        }
        if let Some(bad) = sparsities
            .iter()
            .find(|s| !s.is_finite() || !(0.0..=1.0).contains(*s))
        {
            return Err(Error::config("sparsities", bad, "numbers in [0, 1]"));
        }
        let masks = model.masks();
        let Scores::Weights(scores) = scores(model, &masks, score, Structure::Weights, seed, ctx)?
        else {
            unreachable!("weight scores for Structure::Weights")
        };
        let mut alive = Vec::with_capacity(masks.len());
        let mut curves = Vec::with_capacity(masks.len());
        for (l, (mask, score)) in masks.iter().zip(&scores).enumerate() {
            let a: Vec<Candidate> = mask
                .iter()
                .zip(score.iter())
                .enumerate()
                .filter(|(_, (&m, _))| m != 0.0)
                .map(|(i, (_, &s))| (if s == 0.0 { 0.0 } else { s }, i))
                .collect();
            if a.iter().any(|(s, _)| s.is_nan()) {
                return Err(Error::state(format!(
                    "an importance score of layer {l} is NaN; the model or the batch holds non-finite values"
                )));
            }
            curves.push(SensitivityCurve {
                layer: l,
                weights: mask.len(),
                alive: a.len(),
                points: Vec::with_capacity(sparsities.len()),
            });
            alive.push(a);
        }
        Ok(Self {
            model: model.clone(),
            masks,
            alive,
            sparsities: sparsities.to_vec(),
            curves,
            done: 0,
        })
    }

    /// The points of the whole scan: layers × sparsities.
    pub fn total(&self) -> usize {
        self.curves.len() * self.sparsities.len()
    }

    /// The points evaluated so far.
    pub fn done(&self) -> usize {
        self.done
    }

    /// The curves so far: every layer's (weights, alive), and the points evaluated so far.
    pub fn curves(&self) -> &[SensitivityCurve] {
        &self.curves
    }

    /// The curves, once every point is evaluated (or so far).
    pub fn into_curves(self) -> Vec<SensitivityCurve> {
        self.curves
    }

    /// Evaluates the next point with `eval`: returns its layer and the point, or `None` when
    /// every point is done.
    ///
    /// # Errors
    /// The masking's errors (none for a mask the model itself gave).
    pub fn step(
        &mut self,
        mut eval: impl FnMut(&Mlp) -> Evaluation,
    ) -> Result<Option<(usize, SensitivityPoint)>> {
        if self.done >= self.total() {
            return Ok(None);
        }
        let (l, k) = (
            self.done / self.sparsities.len(),
            self.done % self.sparsities.len(),
        );
        let s = self.sparsities[k];
        let mask = &self.masks[l];
        let n = mask.len();
        let already = n - self.alive[l].len();
        let zeros = round_half_even(s * n as f64).max(already);
        let mut m: Array2<f32> = mask.clone();
        let flat = m.as_slice_mut().expect("masks are standard layout");
        for (_, i) in lowest(self.alive[l].clone(), zeros - already) {
            flat[i] = 0.0;
        }
        let mut layer_masks = self.masks.clone();
        layer_masks[l] = m;
        // A fresh copy per point: masking zeroes the weights, which a later point must have.
        let mut probe = self.model.clone();
        probe.set_masks(&layer_masks)?;
        let e = eval(&probe);
        let point = SensitivityPoint {
            sparsity: s,
            zeros,
            loss: e.loss,
            accuracy: e.accuracy,
        };
        self.curves[l].points.push(point);
        self.done += 1;
        Ok(Some((l, point)))
    }
}

/// The scan of every layer of `model` at each of `sparsities` (each in `[0, 1]`), scored by
/// `score` (`snip` needs `ctx`; `seed` feeds `random`) and evaluated by `eval` (the caller's
/// split: the validation split where there is one, never the test set). Returns the unpruned
/// evaluation and one curve per layer; `model` is not changed. The same as
/// [`SensitivityScan`]'s steps run to the end.
///
/// # Errors
/// As [`SensitivityScan::new`].
pub fn scan(
    model: &Mlp,
    sparsities: &[f64],
    score: Score,
    seed: u64,
    ctx: Option<&ScoreContext>,
    mut eval: impl FnMut(&Mlp) -> Evaluation,
) -> Result<(Evaluation, Vec<SensitivityCurve>)> {
    let mut run = SensitivityScan::new(model, sparsities, score, seed, ctx)?;
    let base = eval(model);
    while run.step(&mut eval)?.is_some() {}
    Ok((base, run.into_curves()))
}

/// For each curve, the largest sparsity reached before the first point whose accuracy falls more
/// than `max_drop` (a fraction: 0.01 = one point) below `base_accuracy`, scanning the points in
/// order of sparsity; 0 when even the sparsest point below that fails. The points of a noisy
/// curve after a first failure are not trusted, so the result is the sparsity every lower point
/// also held.
pub fn sparsities_within(
    curves: &[SensitivityCurve],
    base_accuracy: f64,
    max_drop: f64,
) -> Vec<f64> {
    curves
        .iter()
        .map(|c| {
            let mut points: Vec<&SensitivityPoint> = c.points.iter().collect();
            points.sort_by(|a, b| a.sparsity.total_cmp(&b.sparsity));
            points
                .iter()
                .take_while(|p| p.accuracy >= base_accuracy - max_drop)
                .last()
                .map_or(0.0, |p| p.sparsity)
        })
        .collect()
}

/// The per-layer rates that, under layer scope at fraction 1, prune each layer to the zeros its
/// curve counted at `sparsities[l]` (one of the curve's sparsities, or 0 to leave the layer as it
/// is): a layer with `alive` of its `weights` alive loses `round(rate × alive)` = zeros −
/// (weights − alive), since weights already masked count among the zeros. Each rate is rounded
/// to 6 decimals, as a link holds it; `round(rate × alive)` is unchanged while `alive` < 500 000.
/// The page's "use as per-layer rates" (www/app/workflows.js `rateFor`) is this rule.
pub fn rates_for(curves: &[SensitivityCurve], sparsities: &[f64]) -> Vec<f64> {
    curves
        .iter()
        .zip(sparsities)
        .map(|(c, &s)| {
            let Some(p) = c.points.iter().find(|p| p.sparsity == s) else {
                return 0.0;
            };
            if c.alive == 0 {
                return 0.0;
            }
            let more = p.zeros.saturating_sub(c.weights - c.alive);
            (more as f64 / c.alive as f64 * 1e6).round() / 1e6
        })
        .collect()
}
