//! MNIST-1D (Greydanus 2020, "Scaling down deep learning", arXiv:2011.14439), generated
//! procedurally with the published construction and default arguments.
//!
//! Each of the ten digits has a hand-drawn 1D template of 12 points ([`TEMPLATES`]); the templates
//! are whitened, shifted so that they start (and end) at 0, and divided by 6. One sample of
//! digit `d` is made from template `d` by, in order:
//!
//! 1. **pad**: append `p ~ U{36, …, 60}` zeros (after adding `1e-8`, so the signal itself is
//!    never exactly 0);
//! 2. **dilate**: linearly interpolate the `12 + p` points onto 72 evenly spaced ones;
//! 3. **scale**: multiply by `1 + 0.4·(u − 0.5)`, `u ~ U(0, 1)`;
//! 4. **translate**: rotate right by `k ~ U{0, …, 47}` places;
//! 5. **noise**: where the signal is exactly 0 (the padding), put correlated noise — 0.25·N(0, 1)
//!    smoothed by a Gaussian filter of σ = 2 (radius 8, reflected at the ends); then add iid noise
//!    0.02·N(0, 1) everywhere;
//! 6. **shear**: subtract `c·t` with `c = 0.75·(u − 0.5)` and `t` evenly spaced in [−0.5, 0.5];
//! 7. **subsample**: linearly interpolate onto 40 evenly spaced points.
//!
//! 500 samples per digit (5000), shuffled, then the first 4000 are the training set and the last
//! 1000 the test set, as in the reference package. The random numbers come from this crate's
//! seeded ChaCha generator, so the samples differ from the reference file's but follow the same
//! distribution.
//!
//! One deliberate difference: the reference centres and scales the whole array by one scalar mean
//! and std (of train and test together); [`load`] standardizes each of the 40 features with the
//! training set's mean and std and applies those to the test set, as everywhere in this crate.
//! [`samples`] gives the raw, unscaled signals.

use ndarray::Array2;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

use super::Dataset;
use crate::rng::Rng;

/// The ten digit templates as published (12 points each, digit 0 first), before whitening.
pub const TEMPLATES: [[f64; TEMPLATE_LEN]; N_CLASSES] = [
    [5., 6., 6.5, 6.75, 7., 7., 7., 7., 6.75, 6.5, 6., 5.],
    [5., 3., 3., 3.4, 3.8, 4.2, 4.6, 5., 5.4, 5.8, 5., 5.],
    [5., 6., 6.5, 6.5, 6., 5.25, 4.75, 4., 3.5, 3.5, 4., 5.],
    [5., 6., 6.5, 6.5, 6., 5., 5., 6., 6.5, 6.5, 6., 5.],
    [5., 4.4, 3.8, 3.2, 2.6, 2.6, 5., 5., 5., 5., 5., 5.],
    [5., 3., 3., 3., 3., 5., 6., 6.5, 6.5, 6., 4.5, 5.],
    [5., 4., 3.5, 3.25, 3., 3., 3., 3., 3.25, 3.5, 4., 5.],
    [5., 7., 7., 6.6, 6.2, 5.8, 5.4, 5., 4.6, 4.2, 5., 5.],
    [5., 4., 3.5, 3.5, 4., 5., 5., 4., 3.5, 3.5, 4., 5.],
    [5., 4., 3.5, 3.5, 4., 5., 5., 5., 5., 4.7, 4.3, 5.],
];

/// Number of classes (digits).
pub const N_CLASSES: usize = 10;
/// Points per template.
pub const TEMPLATE_LEN: usize = 12;
/// Fewest zeros appended to a template.
pub const PAD_MIN: usize = 36;
/// Most zeros appended to a template.
pub const PAD_MAX: usize = 60;
/// Length after dilation: `TEMPLATE_LEN + PAD_MAX`.
pub const DILATED_LEN: usize = TEMPLATE_LEN + PAD_MAX;
/// Relative range of the random scaling: factor in `[1 − 0.2, 1 + 0.2)`.
pub const SCALE_COEFF: f64 = 0.4;
/// Translations are `0..MAX_TRANSLATION` places.
pub const MAX_TRANSLATION: usize = 48;
/// Std of the correlated noise before smoothing.
pub const CORR_NOISE_SCALE: f64 = 0.25;
/// Std of the iid noise.
pub const IID_NOISE_SCALE: f64 = 0.02;
/// Range of the shear coefficient: `[−0.375, 0.375)`.
pub const SHEAR_SCALE: f64 = 0.75;
/// Length of a final sample (number of features).
pub const SEQ_LEN: usize = 40;
/// Samples per class.
pub const SAMPLES_PER_CLASS: usize = 500;
/// Training samples (the first 80 % of 5000).
pub const N_TRAIN: usize = 4000;
/// Test samples.
pub const N_TEST: usize = 1000;

/// σ of the Gaussian filter that correlates the background noise.
const FILTER_SIGMA: f64 = 2.0;
/// Filter radius: `round(4σ)`, as in SciPy's `gaussian_filter` (truncate = 4).
const FILTER_RADIUS: usize = 8;

/// MNIST-1D with the seed's `mnist1d` stream: 4000 training and 1000 test samples of 40 features,
/// standardized per feature with training statistics. Features are named `x1` … `x40`.
pub fn load(seed: u64) -> Dataset {
    let (x, y) = samples(seed);
    let train: Vec<usize> = (0..N_TRAIN).collect();
    let test: Vec<usize> = (N_TRAIN..N_TRAIN + N_TEST).collect();
    let mut data = super::assemble(
        "mnist1d".into(),
        &x,
        &y,
        (&train, &test),
        N_CLASSES,
        super::numbered_names(SEQ_LEN),
    );
    super::standardize(&mut data);
    data
}

/// The 5000 raw (unscaled) MNIST-1D signals `[5000, 40]` and their digits, shuffled; the first
/// [`N_TRAIN`] rows are the training set.
pub fn samples(seed: u64) -> (Array2<f32>, Vec<usize>) {
    let mut rng = crate::rng::derived(seed, "mnist1d");
    let templates = whitened_templates();
    let kernel = gaussian_kernel();
    let n = N_CLASSES * SAMPLES_PER_CLASS;
    let mut raw = Vec::with_capacity(n * SEQ_LEN);
    let mut labels = Vec::with_capacity(n);
    for (digit, template) in templates.iter().enumerate() {
        for _ in 0..SAMPLES_PER_CLASS {
            raw.extend(transform(template, &kernel, &mut rng).map(|v| v as f32));
            labels.push(digit);
        }
    }
    let order = super::permutation(n, &mut rng);
    let mut x = Array2::zeros((n, SEQ_LEN));
    let mut y = Vec::with_capacity(n);
    for (row, &src) in order.iter().enumerate() {
        x.row_mut(row)
            .iter_mut()
            .zip(&raw[src * SEQ_LEN..(src + 1) * SEQ_LEN])
            .for_each(|(dst, &v)| *dst = v);
        y.push(labels[src]);
    }
    (x, y)
}

/// The templates whitened (zero mean, unit population std), shifted to start at 0, divided by 6.
pub fn whitened_templates() -> [[f64; TEMPLATE_LEN]; N_CLASSES] {
    TEMPLATES.map(|t| {
        let mean = t.iter().sum::<f64>() / TEMPLATE_LEN as f64;
        let std = (t.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / TEMPLATE_LEN as f64).sqrt();
        let w = t.map(|v| (v - mean) / std);
        w.map(|v| (v - w[0]) / 6.0)
    })
}

/// One sample from a whitened template: steps 1–7 of the module docs.
fn transform(
    template: &[f64; TEMPLATE_LEN],
    kernel: &[f64; 2 * FILTER_RADIUS + 1],
    rng: &mut Rng,
) -> [f64; SEQ_LEN] {
    const EPS: f64 = 1e-8;
    // 1. pad
    let pad = rng.random_range(PAD_MIN..=PAD_MAX);
    let mut padded = [0.0; DILATED_LEN];
    for (p, &t) in padded.iter_mut().zip(template) {
        *p = t + EPS;
    }
    // 2. dilate
    let mut x = [0.0; DILATED_LEN];
    interpolate(&padded[..TEMPLATE_LEN + pad], &mut x);
    // 3. scale
    let scale = 1.0 + SCALE_COEFF * (rng.random::<f64>() - 0.5);
    x.iter_mut().for_each(|v| *v *= scale);
    // 4. translate
    let k = rng.random_range(0..MAX_TRANSLATION);
    x.rotate_right(k);
    // 5. noise: correlated where the signal is exactly zero, then iid everywhere
    let mut white = [0.0; DILATED_LEN];
    for w in &mut white {
        let z: f64 = StandardNormal.sample(rng);
        *w = CORR_NOISE_SCALE * z;
    }
    let corr = gaussian_filter(&white, kernel);
    for (v, c) in x.iter_mut().zip(&corr) {
        if *v == 0.0 {
            *v = *c;
        }
    }
    for v in &mut x {
        let z: f64 = StandardNormal.sample(rng);
        *v += IID_NOISE_SCALE * z;
    }
    // 6. shear
    let coeff = SHEAR_SCALE * (rng.random::<f64>() - 0.5);
    let last = (DILATED_LEN - 1) as f64;
    for (i, v) in x.iter_mut().enumerate() {
        *v -= coeff * (i as f64 / last - 0.5);
    }
    // 7. subsample
    let mut out = [0.0; SEQ_LEN];
    interpolate(&x, &mut out);
    out
}

/// Linear interpolation of `src` (at evenly spaced points of [0, 1]) onto `dst.len()` evenly
/// spaced points of [0, 1], like `numpy.interp` over two `linspace`s.
fn interpolate(src: &[f64], dst: &mut [f64]) {
    let (m, n) = (src.len(), dst.len());
    debug_assert!(m >= 2 && n >= 2);
    let step = (m - 1) as f64 / (n - 1) as f64;
    for (j, d) in dst.iter_mut().enumerate() {
        let pos = j as f64 * step;
        let i = (pos.floor() as usize).min(m - 2);
        let f = pos - i as f64;
        *d = src[i] * (1.0 - f) + src[i + 1] * f;
    }
}

/// Normalized Gaussian weights for offsets `-FILTER_RADIUS..=FILTER_RADIUS`.
fn gaussian_kernel() -> [f64; 2 * FILTER_RADIUS + 1] {
    let mut k = [0.0; 2 * FILTER_RADIUS + 1];
    for (i, w) in k.iter_mut().enumerate() {
        let d = i as f64 - FILTER_RADIUS as f64;
        *w = crate::math::exp(-0.5 * d * d / (FILTER_SIGMA * FILTER_SIGMA));
    }
    let sum: f64 = k.iter().sum();
    k.map(|w| w / sum)
}

/// Convolution with `kernel`, the signal extended by mirror reflection about its edges
/// (`… x1 x0 | x0 x1 …`, SciPy's `reflect` mode).
fn gaussian_filter(
    x: &[f64; DILATED_LEN],
    kernel: &[f64; 2 * FILTER_RADIUS + 1],
) -> [f64; DILATED_LEN] {
    let n = DILATED_LEN as isize;
    let reflect = |i: isize| -> usize {
        let j = if i < 0 {
            -i - 1
        } else if i >= n {
            2 * n - i - 1
        } else {
            i
        };
        j as usize
    };
    let mut out = [0.0; DILATED_LEN];
    for (i, o) in out.iter_mut().enumerate() {
        *o = kernel
            .iter()
            .enumerate()
            .map(|(k, w)| w * x[reflect(i as isize + k as isize - FILTER_RADIUS as isize)])
            .sum();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitened_templates_start_and_end_at_zero() {
        for t in whitened_templates() {
            assert_eq!(t[0], 0.0);
            assert!(t[TEMPLATE_LEN - 1].abs() < 1e-12);
        }
    }

    #[test]
    fn interpolate_hits_endpoints_and_midpoints() {
        let mut out = [0.0; 5];
        interpolate(&[0.0, 2.0, 4.0], &mut out);
        assert_eq!(out, [0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    /// Filtering a constant gives the constant (weights sum to 1 and reflection keeps it constant).
    #[test]
    fn gaussian_filter_preserves_constants() {
        let k = gaussian_kernel();
        let out = gaussian_filter(&[3.0; DILATED_LEN], &k);
        assert!(out.iter().all(|v| (v - 3.0).abs() < 1e-12));
    }

    /// A unit impulse at index 0 has a mirror image at index −1 (reflect mode), so the output at 0
    /// is `w[0] + w[1]` (offsets from the centre) and at 8 it is `w[8]` alone.
    #[test]
    fn gaussian_filter_reflects_at_the_edge() {
        let k = gaussian_kernel();
        let mut e = [0.0; DILATED_LEN];
        e[0] = 1.0;
        let out = gaussian_filter(&e, &k);
        assert!((out[0] - (k[FILTER_RADIUS] + k[FILTER_RADIUS + 1])).abs() < 1e-15);
        assert!((out[8] - k[0]).abs() < 1e-15);
    }
}
