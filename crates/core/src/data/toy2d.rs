//! The 2D toy sets: TF Playground's circle, XOR, two Gaussians and spiral, plus scikit-learn-style
//! two moons. Two classes, features `x1`, `x2`, raw coordinates (not standardized: the
//! decision-boundary view draws them as they are) in about [-6, 6].
//!
//! The geometry and the meaning of `noise` (0 to 0.5) follow TF Playground:
//!
//! - **circle**: class 1 is a disc of radius 2.5 (`r ~ U(0, 2.5)`), class 0 a ring
//!   `r ~ U(3.5, 5)`, angle uniform. Noise adds `U(-5, 5)·noise` to each coordinate, and the label is
//!   that of the *noisy* point (inside radius 2.5 or not) while the stored point stays clean, so
//!   noise shows up as labels flipped near the boundary.
//! - **xor**: coordinates `±(U(0, 5) + 0.3)` (kept 0.3 away from the axes), class 1 where
//!   `x1·x2 ≥ 0`. Noise as for circle: `U(-5, 5)·noise` per coordinate, label of the noisy point.
//! - **gauss**: class 1 around (2, 2), class 0 around (-2, -2), each coordinate normal with
//!   variance `0.5 + 7·noise` (0.5 to 4).
//! - **spiral**: point `i` of `n` per class at radius `5·i/n`, angle `1.75·2π·i/n` (+π for class
//!   0), plus `U(-1, 1)·noise` per coordinate.
//! - **moons**: scikit-learn's `make_moons`: class 0 on the upper half circle
//!   `(cos t, sin t)`, class 1 on `(1 − cos t, 0.5 − sin t)`, `t` evenly spaced in [0, π], normal
//!   noise with std `noise` per coordinate; then centred on (0.5, 0.25) and scaled by 3 so that it
//!   spans about [-4.5, 4.5] × [-2.3, 2.3] like the others.
//!
//! Classes are generated balanced (`n − n/2` of class 0, `n/2` of class 1). For circle and xor the
//! noisy labelling can move a few points across, so with noise > 0 the counts are only about
//! equal — as in TF Playground.

use ndarray::Array2;
use rand::Rng as _;
use rand_distr::{Distribution, Normal};

use super::DatasetKind;
use crate::math::{cosf, hypotf, sinf};
use crate::rng::Rng;

/// Radius of the region the TF Playground sets live in.
pub const RADIUS: f32 = 5.0;

/// Generates `n` samples of a toy set, unshuffled (class by class), from the seed's
/// `toy2d/<name>` stream. Returns features `[n, 2]` and labels in `{0, 1}`.
///
/// # Panics
/// If `kind` is not a toy set ([`DatasetKind::is_toy`]).
pub fn generate(kind: DatasetKind, n: usize, noise: f32, seed: u64) -> (Array2<f32>, Vec<usize>) {
    let mut rng = crate::rng::derived(seed, &format!("toy2d/{}", kind.name()));
    let counts = [n - n / 2, n / 2];
    let mut points = Vec::with_capacity(n);
    for (label, &count) in counts.iter().enumerate() {
        for i in 0..count {
            let p = match kind {
                DatasetKind::Circle => circle(label, noise, &mut rng),
                DatasetKind::Xor => xor(label, noise, &mut rng),
                DatasetKind::Gauss => gauss(label, noise, &mut rng),
                DatasetKind::Spiral => spiral(label, i, count, noise, &mut rng),
                DatasetKind::Moons => moons(label, i, count, noise, &mut rng),
                DatasetKind::Mnist1d | DatasetKind::Digits | DatasetKind::Mnist => {
                    panic!("{} is not a 2D toy set", kind.name())
                }
            };
            points.push(p);
        }
    }
    let mut x = Array2::zeros((n, 2));
    let mut y = Vec::with_capacity(n);
    for (i, (p, label)) in points.into_iter().enumerate() {
        x[[i, 0]] = p[0];
        x[[i, 1]] = p[1];
        y.push(label);
    }
    (x, y)
}

/// The feature names of every toy set.
pub fn feature_names() -> Vec<String> {
    vec!["x1".into(), "x2".into()]
}

/// A point drawn for class `label`, and the label it ends up with.
type Labelled = ([f32; 2], usize);

fn circle(label: usize, noise: f32, rng: &mut Rng) -> Labelled {
    let r = if label == 1 {
        rng.random_range(0.0..RADIUS * 0.5)
    } else {
        rng.random_range(RADIUS * 0.7..RADIUS)
    };
    let angle = rng.random_range(0.0..std::f32::consts::TAU);
    let (x, y) = (r * sinf(angle), r * cosf(angle));
    let nx = rng.random_range(-RADIUS..RADIUS) * noise;
    let ny = rng.random_range(-RADIUS..RADIUS) * noise;
    let inside = hypotf(x + nx, y + ny) < RADIUS * 0.5;
    ([x, y], usize::from(inside))
}

fn xor(label: usize, noise: f32, rng: &mut Rng) -> Labelled {
    const PADDING: f32 = 0.3;
    let sign_x = if rng.random::<bool>() { 1.0 } else { -1.0 };
    let sign_y = if label == 1 { sign_x } else { -sign_x };
    let x = sign_x * (rng.random_range(0.0..RADIUS) + PADDING);
    let y = sign_y * (rng.random_range(0.0..RADIUS) + PADDING);
    let nx = rng.random_range(-RADIUS..RADIUS) * noise;
    let ny = rng.random_range(-RADIUS..RADIUS) * noise;
    ([x, y], usize::from((x + nx) * (y + ny) >= 0.0))
}

fn gauss(label: usize, noise: f32, rng: &mut Rng) -> Labelled {
    // TF Playground maps noise 0..0.5 linearly onto variance 0.5..4.
    let variance = 0.5 + 7.0 * noise;
    let centre = if label == 1 { 2.0 } else { -2.0 };
    let normal = Normal::new(centre, variance.sqrt()).expect("std is positive and finite");
    ([normal.sample(rng), normal.sample(rng)], label)
}

fn spiral(label: usize, i: usize, count: usize, noise: f32, rng: &mut Rng) -> Labelled {
    let s = i as f32 / count as f32;
    let r = s * RADIUS;
    let delta = if label == 1 {
        0.0
    } else {
        std::f32::consts::PI
    };
    let t = 1.75 * s * std::f32::consts::TAU + delta;
    let x = r * sinf(t) + rng.random_range(-1.0..1.0) * noise;
    let y = r * cosf(t) + rng.random_range(-1.0..1.0) * noise;
    ([x, y], label)
}

fn moons(label: usize, i: usize, count: usize, noise: f32, rng: &mut Rng) -> Labelled {
    const SCALE: f32 = 3.0;
    let t = if count > 1 {
        std::f32::consts::PI * i as f32 / (count - 1) as f32
    } else {
        0.0
    };
    let (x, y) = if label == 0 {
        (cosf(t), sinf(t))
    } else {
        (1.0 - cosf(t), 0.5 - sinf(t))
    };
    let (mut nx, mut ny) = (0.0, 0.0);
    if noise > 0.0 {
        let normal = Normal::new(0.0, noise).expect("noise is positive and finite");
        nx = normal.sample(rng);
        ny = normal.sample(rng);
    }
    ([SCALE * (x + nx - 0.5), SCALE * (y + ny - 0.25)], label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noiseless_circle_separates_disc_from_ring() {
        let (x, y) = generate(DatasetKind::Circle, 400, 0.0, 3);
        for (row, &label) in x.rows().into_iter().zip(&y) {
            let r = hypotf(row[0], row[1]);
            if label == 1 {
                assert!(r < 2.5, "{r}");
            } else {
                assert!((3.5..=5.0).contains(&r), "{r}");
            }
        }
    }

    #[test]
    fn noiseless_xor_label_is_sign_of_product_away_from_axes() {
        let (x, y) = generate(DatasetKind::Xor, 400, 0.0, 3);
        for (row, &label) in x.rows().into_iter().zip(&y) {
            assert!(row[0].abs() >= 0.3 && row[1].abs() >= 0.3);
            assert_eq!(label, usize::from(row[0] * row[1] >= 0.0));
        }
    }

    #[test]
    fn noiseless_moons_lie_on_their_half_circles() {
        let (x, y) = generate(DatasetKind::Moons, 100, 0.0, 3);
        for (row, &label) in x.rows().into_iter().zip(&y) {
            let (u, v) = (row[0] / 3.0 + 0.5, row[1] / 3.0 + 0.25);
            let r = if label == 0 {
                hypotf(u, v)
            } else {
                hypotf(u - 1.0, v - 0.5)
            };
            assert!((r - 1.0).abs() < 1e-5, "{r}");
        }
    }

    #[test]
    fn spiral_radius_grows_to_five() {
        let (x, _) = generate(DatasetKind::Spiral, 200, 0.0, 3);
        let max_r = x
            .rows()
            .into_iter()
            .map(|r| hypotf(r[0], r[1]))
            .fold(0.0_f32, f32::max);
        assert!(max_r < 5.0 && max_r > 4.9, "{max_r}");
    }
}
