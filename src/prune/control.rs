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

pub use crate::views::weight_histogram;
