//! The loops behind the page's views: the grid of input points and the class probabilities over
//! it (`Experiment::grid`, `Experiment::probabilities` and `Experiment::neuron_maps` call them) and
//! the weight histogram (re-exported as `prune::weight_histogram`).
//!
//! They run over up to 512² points or every weight for every redraw, so they live in `pruning-playground-core`,
//! which the browser engine builds at opt-level 3, and not beside their callers in the main crate,
//! which it builds for size. They are never inlined: fat LTO would otherwise fold these
//! single-call functions into their size-optimized callers, and their loops would lose the
//! vectorization and unrolling that only the link-time pipeline does.

use ndarray::Array2;

use crate::model::{Activation, Mlp};
use crate::train::Loss;

/// `resolution²` points (x fastest) spanning `xr` × `yr`, ends included; `resolution` ≥ 2.
#[inline(never)] // (see the module docs)
pub fn grid_points(resolution: usize, xr: [f32; 2], yr: [f32; 2]) -> Array2<f32> {
    let step = |r: [f32; 2], i: usize| r[0] + (r[1] - r[0]) * i as f32 / (resolution - 1) as f32;
    Array2::from_shape_fn((resolution * resolution, 2), |(p, c)| {
        if c == 0 {
            step(xr, p % resolution)
        } else {
            step(yr, p / resolution)
        }
    })
}

/// Class probabilities from the network's outputs `a`: softmax of the logits for cross-entropy;
/// for MSE the outputs mapped from the target range of `out_act` to [0, 1] (one output ⇒ two
/// columns, 1 − p and p).
#[inline(never)] // (see the module docs)
pub fn probabilities(a: Array2<f32>, loss: Loss, out_act: Activation) -> Array2<f32> {
    match loss {
        Loss::CrossEntropy => {
            let mut p = a;
            for mut row in p.rows_mut() {
                let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                row.mapv_inplace(|v| crate::math::expf(v - max));
                let s = row.sum();
                row /= s;
            }
            p
        }
        Loss::Mse => {
            let (lo, hi) = Loss::target_range(out_act);
            let scaled = a.mapv(|v| ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
            if scaled.ncols() == 1 {
                Array2::from_shape_fn((scaled.nrows(), 2), |(i, c)| {
                    if c == 1 {
                        scaled[[i, 0]]
                    } else {
                        1.0 - scaled[[i, 0]]
                    }
                })
            } else {
                scaled
            }
        }
    }
}

/// A histogram of |w| over the alive weights of every layer: `bins + 1` edges from 0 to the
/// largest |w| (0 to 1 if there is none or it is 0) and `bins` counts; the last bin includes its
/// upper edge. `bins` of 0 is taken as 1.
#[inline(never)] // (see the module docs)
pub fn weight_histogram(model: &Mlp, bins: usize) -> (Vec<f32>, Vec<usize>) {
    let bins = bins.max(1);
    let alive = || {
        model.layers().iter().flat_map(|d| {
            d.weight()
                .into_iter()
                .zip(d.mask())
                .filter(|(_, &m)| m != 0.0)
                .map(|(&w, _)| w.abs())
                .collect::<Vec<_>>()
        })
    };
    let max = alive().fold(0.0f32, f32::max);
    let hi = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let edges = (0..=bins).map(|i| hi * i as f32 / bins as f32).collect();
    let mut counts = vec![0usize; bins];
    for w in alive() {
        let b = ((w / hi) * bins as f32) as usize;
        counts[b.min(bins - 1)] += 1;
    }
    (edges, counts)
}
