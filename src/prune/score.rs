//! Importance scores, computed apart from the weights (as torch's `importance_scores`): a step
//! ranks [`Scores`], and any scores of the right shape can be ranked (see
//! [`crate::prune::select`]).

use ndarray::{Array1, Array2, ArrayView2, Zip};
use rand::Rng as _;

use super::{Score, Structure};
use crate::data::Dataset;
use crate::model::Mlp;
use crate::train::{self, Loss, Trainer};
use crate::{math, rng, Error, Result};

/// One importance score per prunable entry; the lowest are pruned.
#[derive(Debug, Clone, PartialEq)]
pub enum Scores {
    /// One score per weight: per layer, `[out, in]` like the weights.
    Weights(Vec<Array2<f32>>),
    /// One score per hidden neuron: per hidden layer (0 = first), one entry per neuron.
    Neurons(Vec<Array1<f32>>),
}

impl Scores {
    /// The structure these scores rank.
    pub fn structure(&self) -> Structure {
        match self {
            Scores::Weights(_) => Structure::Weights,
            Scores::Neurons(_) => Structure::Neurons,
        }
    }
}

/// A batch of data for data-dependent scores (`snip`, `grasp`): inputs `[batch, inputs]`, labels and the
/// loss whose gradient is taken.
#[derive(Debug, Clone, Copy)]
pub struct ScoreContext<'a> {
    /// Inputs, `[batch, inputs]`.
    pub x: ArrayView2<'a, f32>,
    /// One label per row of `x`.
    pub y: &'a [usize],
    /// The loss to differentiate.
    pub loss: Loss,
}

/// The mini-batch a data-dependent score (`snip`, `grasp`) is computed on, as Lee et al. (2019) score one
/// mini-batch at θ₀: the rows the trainer's next optimizer step will use, in that order — before
/// any training, the first batch of the seeded order — `batch_size` of them (the rest of the epoch
/// if fewer remain). Peeking draws nothing, so training afterwards takes the same steps.
pub fn next_batch(trainer: &Trainer, data: &Dataset) -> (Array2<f32>, Vec<usize>) {
    let n = data.x_train.nrows();
    let start = trainer.epoch_cursor(n);
    let end = (start + trainer.config().batch_size).min(n);
    let rows = &trainer.epoch_order(n)[start..end];
    let x = Array2::from_shape_fn((rows.len(), data.x_train.ncols()), |(r, c)| {
        data.x_train[(rows[r], c)]
    });
    (x, rows.iter().map(|&i| data.y_train[i]).collect())
}

/// The importance scores of `model` under `masks` (each weight outside its mask counts as 0) for
/// the given score and structure. `seed` feeds the `random` score; `ctx` is needed by `snip` and `grasp`.
/// Random scores are drawn for every entry in flat order (layers in order, row-major), whatever the
/// masks, so the same seed gives the same score to the same entry.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid score, masks that are not 0/1, or `snip` without a
/// context; [`Error::Shape`] if the masks or the batch do not fit the model.
pub fn scores(
    model: &Mlp,
    masks: &[Array2<f32>],
    score: Score,
    structure: Structure,
    seed: u64,
    ctx: Option<&ScoreContext>,
) -> Result<Scores> {
    score.validate()?;
    model.check_masks(masks)?;
    let weights: Vec<Array2<f32>> = model
        .layers()
        .iter()
        .zip(masks)
        .map(|(d, m)| {
            let mut w = d.weight().to_owned();
            super::zero_masked(&mut w, m);
            w
        })
        .collect();
    let hidden = model.layers().len() - 1;
    let mut rng = rng::derived(seed, "prune-random");
    // Per-weight magnitudes |w| or sensitivities |w · g|, before any per-structure reduction.
    let per_weight = |grads: Option<Vec<crate::model::LayerParams>>| -> Vec<Array2<f32>> {
        match grads {
            None => weights.iter().map(|w| w.mapv(f32::abs)).collect(),
            Some(g) => weights
                .iter()
                .zip(&g)
                .map(|(w, g)| {
                    let mut s = w.clone();
                    Zip::from(&mut s)
                        .and(&g.weight)
                        .for_each(|s, &g| *s = (*s * g).abs());
                    s
                })
                .collect(),
        }
    };
    let need_ctx = || -> Result<&ScoreContext> {
        ctx.ok_or_else(|| {
            Error::config(
                "score context",
                "none",
                format!(
                    "{} needs a batch: inputs x, labels y and the loss",
                    score.name()
                ),
            )
        })
    };
    let snip_grads = || -> Result<Vec<crate::model::LayerParams>> {
        let ctx = need_ctx()?;
        Ok(train::gradients(model, ctx.x, ctx.y, ctx.loss)?.1)
    };
    let scores = match (structure, score) {
        (Structure::Weights, Score::Magnitude | Score::LpRaw(_)) => {
            Scores::Weights(per_weight(None))
        }
        (Structure::Weights, Score::Lp(p)) => Scores::Weights(
            weights
                .iter()
                .map(|w| {
                    let norm = lp_norm(w.iter().copied(), p);
                    w.mapv(|v| {
                        if norm > 0.0 {
                            (f64::from(v.abs()) / norm) as f32
                        } else {
                            0.0
                        }
                    })
                })
                .collect(),
        ),
        (Structure::Weights, Score::Random) => Scores::Weights(
            weights
                .iter()
                .map(|w| w.mapv(|_| rng.random::<f32>()))
                .collect(),
        ),
        (Structure::Weights, Score::Snip) => Scores::Weights(per_weight(Some(snip_grads()?))),
        (Structure::Weights, Score::Synflow) => Scores::Weights(synflow(model, masks)?),
        (Structure::Weights, Score::Grasp) => {
            Scores::Weights(super::grasp::grasp(model, masks, need_ctx()?)?)
        }
        (Structure::Neurons, Score::Grasp) => Scores::Neurons(
            super::grasp::grasp(model, masks, need_ctx()?)?[..hidden]
                .iter()
                .map(|s| s.rows().into_iter().map(|r| r.sum()).collect())
                .collect(),
        ),
        (Structure::Neurons, Score::Magnitude) => Scores::Neurons(fan_in_normalized(
            row_norms(&weights[..hidden], 1.0),
            &weights,
            1.0,
        )),
        (Structure::Neurons, Score::Lp(p)) => Scores::Neurons(fan_in_normalized(
            row_norms(&weights[..hidden], p),
            &weights,
            p,
        )),
        (Structure::Neurons, Score::LpRaw(p)) => Scores::Neurons(row_norms(&weights[..hidden], p)),
        (Structure::Neurons, Score::Random) => Scores::Neurons(
            weights[..hidden]
                .iter()
                .map(|w| Array1::from_shape_fn(w.nrows(), |_| rng.random::<f32>()))
                .collect(),
        ),
        (Structure::Neurons, Score::Synflow) => Scores::Neurons(
            synflow(model, masks)?[..hidden]
                .iter()
                .map(|s| s.rows().into_iter().map(|r| r.sum()).collect())
                .collect(),
        ),
        (Structure::Neurons, Score::Snip) => Scores::Neurons(
            per_weight(Some(snip_grads()?))[..hidden]
                .iter()
                .map(|s| s.rows().into_iter().map(|r| r.sum()).collect())
                .collect(),
        ),
    };
    Ok(scores)
}

/// The SynFlow scores (Tanaka et al. 2020) of `model`'s weights under `masks`: on a copy of the
/// network whose every weight and bias is replaced by its absolute value (masked weights 0),
/// R = the sum of the outputs for one input row of ones, and the score of weight w is
/// |w · ∂R/∂w| with the absolute w — the reference's `(p.grad * p).abs()` after `p.abs_()`. The
/// network keeps its activations, as the reference's forward does (with ReLU every
/// pre-activation is then ≥ 0 and R is the sum over input–output paths of the products of their
/// absolute weights, plus the bias terms). Masked weights score 0 (their gradient is cleared).
///
/// Computed in `f32` by the training backprop with the output-sum objective
/// ([`train::output_sum_gradients`]), where the reference uses `float64`: the scores only rank,
/// and R of the playground's networks stays far inside `f32`'s range; an R that overflows is
/// refused rather than ranked.
fn synflow(model: &Mlp, masks: &[Array2<f32>]) -> Result<Vec<Array2<f32>>> {
    let mut net = model.clone();
    net.set_masks(masks)?;
    let abs: Vec<crate::model::LayerParams> = net
        .params()
        .into_iter()
        .map(|p| crate::model::LayerParams {
            weight: p.weight.mapv(f32::abs),
            bias: p.bias.mapv(f32::abs),
        })
        .collect();
    net.set_params(&abs)?;
    let ones = Array2::<f32>::ones((1, net.layers()[0].fan_in()));
    let (r, grads) = train::output_sum_gradients(&net, ones.view())?;
    if !r.is_finite() {
        return Err(Error::config(
            "score",
            "synflow",
            "a network whose synaptic flow R (the sum of the outputs of the absolute network \
             on a row of ones) is finite in f32; this one overflows",
        ));
    }
    Ok(abs
        .iter()
        .zip(&grads)
        .map(|(p, g)| {
            let mut s = p.weight.clone();
            Zip::from(&mut s)
                .and(&g.weight)
                .for_each(|s, &g| *s = (*s * g).abs());
            s
        })
        .collect())
}

/// The Lp-norm of every neuron's incoming weights (masked weights are 0), for every layer
/// including the output: `out[l][i]` is ‖W_l[i, :]‖_p. `p` ≥ 1 or `f64::INFINITY` (max |w|).
pub fn neuron_norms(model: &Mlp, p: f64) -> Vec<Array1<f32>> {
    let weights: Vec<Array2<f32>> = model
        .layers()
        .iter()
        .map(|d| d.weight().to_owned())
        .collect();
    row_norms(&weights, p)
}

/// Divides each layer's neuron norms by ‖(1/√n, …, 1/√n)‖_p = n^(1/p − 1/2), n the layer's fan-in
/// (its weight's columns): the norm a row of n weights of the initial scale 1/√n has. See
/// [`Score`]'s table.
fn fan_in_normalized(norms: Vec<Array1<f32>>, weights: &[Array2<f32>], p: f64) -> Vec<Array1<f32>> {
    norms
        .into_iter()
        .zip(weights)
        .map(|(s, w)| {
            let typical = math::pow(w.ncols() as f64, 1.0 / p - 0.5);
            s.mapv(|v| (f64::from(v) / typical) as f32)
        })
        .collect()
}

fn row_norms(weights: &[Array2<f32>], p: f64) -> Vec<Array1<f32>> {
    weights
        .iter()
        .map(|w| {
            w.rows()
                .into_iter()
                .map(|r| lp_norm(r.iter().copied(), p) as f32)
                .collect()
        })
        .collect()
}

/// (Σ |v|^p)^(1/p) accumulated in `f64`; max |v| for p = ∞.
fn lp_norm(v: impl Iterator<Item = f32>, p: f64) -> f64 {
    if p == f64::INFINITY {
        v.map(|x| f64::from(x.abs())).fold(0.0, f64::max)
    } else if p == 1.0 {
        v.map(|x| f64::from(x.abs())).sum()
    } else if p == 2.0 {
        v.map(|x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt()
    } else {
        math::pow(v.map(|x| math::pow(f64::from(x.abs()), p)).sum(), 1.0 / p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lp_norm_matches_closed_forms() {
        let v = [3.0f32, -4.0, 0.0];
        assert!((lp_norm(v.into_iter(), 1.0) - 7.0).abs() < 1e-12);
        assert!((lp_norm(v.into_iter(), 2.0) - 5.0).abs() < 1e-12);
        assert!((lp_norm(v.into_iter(), 3.0) - 91f64.powf(1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(lp_norm(v.into_iter(), f64::INFINITY), 4.0);
    }
}
