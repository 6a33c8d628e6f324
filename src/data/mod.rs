//! Datasets: seeded 2D toy sets (as in TF Playground, plus two moons), MNIST-1D generated
//! procedurally, the UCI 8×8 digits, and user CSV files. Nothing is fetched at run time.
//!
//! Every dataset is a classification problem: features `x` (one row per sample, `f32`) and class
//! labels `y` in `0..n_classes`, already split into train and test parts.

pub mod csv;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

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
    /// Number of classes.
    pub n_classes: usize,
    /// One name per feature column (`x1`, `x2`, … where the source has none).
    pub feature_names: Vec<String>,
}

impl Dataset {
    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.x_train.ncols()
    }
}

/// Which dataset to build. Serialized as the lower-case names the CLI and URL use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
}

impl DatasetKind {
    /// Every built-in kind, in display order.
    pub const ALL: [DatasetKind; 7] = [
        DatasetKind::Circle,
        DatasetKind::Xor,
        DatasetKind::Gauss,
        DatasetKind::Spiral,
        DatasetKind::Moons,
        DatasetKind::Mnist1d,
        DatasetKind::Digits,
    ];

    /// The name used by the CLI, URLs and configs.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Circle => "circle",
            DatasetKind::Xor => "xor",
            DatasetKind::Gauss => "gauss",
            DatasetKind::Spiral => "spiral",
            DatasetKind::Moons => "moons",
            DatasetKind::Mnist1d => "mnist1d",
            DatasetKind::Digits => "digits",
        }
    }

    /// Parses a name; the error lists the allowed names.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an unknown name.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| Error::config("dataset", name, Self::allowed()))
    }

    /// The allowed names, for error messages.
    pub fn allowed() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
        format!("one of {}", names.join(", "))
    }

    /// True for the 2D toy sets (the ones with a decision boundary to draw).
    pub fn is_toy(self) -> bool {
        !matches!(self, DatasetKind::Mnist1d | DatasetKind::Digits)
    }
}

/// How to build a built-in dataset. Fields not used by a kind are ignored (MNIST-1D and digits
/// have fixed sizes; they use only `seed`, and digits also `train_fraction`).
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

/// Builds a built-in dataset.
///
/// # Errors
/// [`Error::InvalidConfig`] naming a field outside its range.
pub fn build(spec: &DataSpec) -> Result<Dataset> {
    // TEMPORARY until the datasets land: a seeded circle for every kind.
    use rand::Rng as _;
    let mut rng = crate::rng::derived(spec.seed, "data");
    let n = spec.samples;
    let mut x = Array2::zeros((n, 2));
    let mut y = vec![0; n];
    for i in 0..n {
        let label = i % 2;
        let r: f32 = if label == 0 {
            rng.random_range(0.0..2.5)
        } else {
            rng.random_range(3.5..5.0)
        };
        let t: f32 = rng.random_range(0.0..std::f32::consts::TAU);
        x[[i, 0]] = r * t.cos();
        x[[i, 1]] = r * t.sin();
        y[i] = 1 - label;
    }
    let n_train = ((n as f32) * spec.train_fraction).round() as usize;
    Ok(Dataset {
        name: spec.kind.name().into(),
        x_train: x.slice(ndarray::s![..n_train, ..]).to_owned(),
        y_train: y[..n_train].to_vec(),
        x_test: x.slice(ndarray::s![n_train.., ..]).to_owned(),
        y_test: y[n_train..].to_vec(),
        n_classes: 2,
        feature_names: vec!["x1".into(), "x2".into()],
    })
}
