//! Helpers for the lottery runner's controls and for the views.

use ndarray::Array2;
use rand::seq::index;

use crate::model::Mlp;
use crate::rng;

/// A random mask with exactly the same number of alive weights in every layer as the model's
/// current masks, at positions drawn from `seed`: the "random mask" control (same layer-wise
/// density, no winning ticket).
pub fn random_masks_like(model: &Mlp, seed: u64) -> Vec<Array2<f32>> {
    let mut rng = rng::derived(seed, "random-mask");
    model
        .layers()
        .iter()
        .map(|d| {
            let (rows, cols) = d.weight().dim();
            let mut m = Array2::<f32>::zeros((rows, cols));
            for i in index::sample(&mut rng, rows * cols, d.alive()) {
                m[(i / cols, i % cols)] = 1.0;
            }
            m
        })
        .collect()
}

/// The Jaccard index |A ∩ B| / |A ∪ B| of the alive positions (layer, row, column) of two mask
/// sets; 1.0 if both are empty. Masks of different shapes compare position by position (a
/// position outside one of them is not alive there).
pub fn mask_overlap(a: &[Array2<f32>], b: &[Array2<f32>]) -> f64 {
    let alive = |m: Option<&Array2<f32>>, i: (usize, usize)| {
        m.and_then(|m| m.get(i)).is_some_and(|&v| v != 0.0)
    };
    let (mut both, mut either) = (0usize, 0usize);
    for l in 0..a.len().max(b.len()) {
        let (ma, mb) = (a.get(l), b.get(l));
        let dim = |m: Option<&Array2<f32>>| m.map_or((0, 0), |m| m.dim());
        let rows = dim(ma).0.max(dim(mb).0);
        let cols = dim(ma).1.max(dim(mb).1);
        for r in 0..rows {
            for c in 0..cols {
                let (x, y) = (alive(ma, (r, c)), alive(mb, (r, c)));
                both += usize::from(x && y);
                either += usize::from(x || y);
            }
        }
    }
    if either == 0 {
        1.0
    } else {
        both as f64 / either as f64
    }
}

/// A histogram of |w| over the alive weights of every layer: `bins + 1` edges from 0 to the
/// largest |w| (0 to 1 if there is none or it is 0) and `bins` counts; the last bin includes its
/// upper edge. `bins` of 0 is taken as 1.
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
