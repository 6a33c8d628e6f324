//! The settings of an experiment as the CLI flags, the JS API and saved runs give them: flat,
//! serde-friendly structs whose enumerations are given by name, so that a wrong value gets a
//! message listing the allowed ones. Each `spec`/`plan`/`build` parses and checks them into the
//! typed specs of [`crate::prune`], [`crate::lottery`], [`crate::model`] and [`crate::train`];
//! [`crate::experiment`] runs them.

use serde::{Deserialize, Serialize};

use crate::data::{self, DataSpec, Dataset, DatasetKind};
use crate::lottery::{Branch, LotterySpec, Reset};
use crate::model::{Activation, Init, MlpSpec};
use crate::prune::{Amount, Gradual, PruneSpec, Scope, Score, Structure};
use crate::train::{Loss, Optimizer, TrainConfig};
use crate::{Error, Result};

/// The default validation fraction: 10% of the training samples.
pub const DEFAULT_VALIDATION: f32 = 0.1;

/// Which data to use: a built-in dataset by name, or CSV text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct DataConfig {
    /// `circle`, `xor`, `gauss`, `spiral`, `moons`, `mnist1d`, `digits` or `csv`.
    pub kind: String,
    /// Noise of the toy sets, 0 to 0.5.
    pub noise: f32,
    /// Fraction of samples used for training.
    pub train_fraction: f32,
    /// Samples of a toy set (train + test).
    pub samples: usize,
    /// Seed of generation and split.
    pub seed: u64,
    /// Fraction of the training samples held out as the validation split (0 to 0.5; 0 = none),
    /// drawn from `seed`: early stopping reads it, training never sees it.
    pub validation: f32,
    /// The CSV text when `kind` is `csv`.
    pub csv: Option<String>,
    /// The label column's name (default: the last column).
    pub label_column: Option<String>,
}

impl DataConfig {
    /// The keys of the JS/JSON form, in declaration order (the wasm config reader's field list;
    /// a test checks it against serde's).
    pub const FIELDS: &'static [&'static str] = &[
        "kind",
        "noise",
        "trainFraction",
        "samples",
        "seed",
        "validation",
        "csv",
        "labelColumn",
    ];
}

impl Default for DataConfig {
    fn default() -> Self {
        let d = DataSpec::default();
        DataConfig {
            kind: d.kind.name().into(),
            noise: d.noise,
            train_fraction: d.train_fraction,
            samples: d.samples,
            seed: d.seed,
            validation: DEFAULT_VALIDATION,
            csv: None,
            label_column: None,
        }
    }
}

impl DataConfig {
    /// Builds the dataset.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an unknown kind or a field out of range; [`Error::Csv`] for a
    /// CSV problem.
    pub fn build(&self) -> Result<Dataset> {
        if self.kind == "csv" {
            return self.build_csv();
        }
        let kind = DatasetKind::parse(&self.kind).map_err(|_| {
            Error::config(
                "dataset",
                &self.kind,
                format!("{} or csv", DatasetKind::allowed()),
            )
        })?;
        data::build(&DataSpec {
            kind,
            noise: self.noise,
            train_fraction: self.train_fraction,
            samples: self.samples,
            seed: self.seed,
        })
    }

    /// Reads the CSV text (`kind` is `csv`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when there is no CSV text; [`Error::Csv`] for a CSV problem.
    #[cfg(feature = "io")]
    pub fn build_csv(&self) -> Result<Dataset> {
        let text = self.csv.as_deref().ok_or_else(|| {
            Error::config("dataset.csv", "missing", "the CSV text when kind is csv")
        })?;
        data::csv::from_csv(
            text,
            &data::csv::CsvOptions {
                label_column: self.label_column.clone(),
                train_fraction: self.train_fraction,
                seed: self.seed,
                name: "csv".into(),
            },
        )
    }

    /// Without the `io` feature (the wasm engine) CSV text is read by the I/O module, which hands
    /// the data set over ([`Experiment::with_data`]).
    #[cfg(not(feature = "io"))]
    fn build_csv(&self) -> Result<Dataset> {
        Err(Error::State(
            "this build reads no CSV text: parse it with the I/O module (csvDataset) and pass the data set along".into(),
        ))
    }
}

/// Everything that defines an experiment before any step is taken. Field names are camelCase in
/// JSON/JS; enumerations are given by name so that a wrong value gets a message listing the
/// allowed ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ExperimentConfig {
    /// The data.
    pub dataset: DataConfig,
    /// Hidden layer widths, input side first.
    pub hidden: Vec<usize>,
    /// Hidden activation: relu, tanh, sigmoid, linear.
    pub activation: String,
    /// Output activation; default linear for cross-entropy, tanh for MSE.
    pub output_activation: Option<String>,
    /// Initializer: kaiming-normal, kaiming-uniform, glorot-normal, glorot-uniform, torch.
    pub init: String,
    /// Loss: cross-entropy or mse.
    pub loss: String,
    /// Optimizer: sgd, momentum, adam.
    pub optimizer: String,
    /// Momentum coefficient for `momentum`.
    pub momentum: f32,
    /// Learning rate.
    pub learning_rate: f32,
    /// Mini-batch size.
    pub batch_size: usize,
    /// L1 penalty.
    pub l1: f32,
    /// L2 penalty.
    pub l2: f32,
    /// Seed of the initial weights and of the data order.
    pub seed: u64,
    /// Save the weights after this many steps, for late rewinding.
    pub rewind_step: Option<u64>,
}

impl ExperimentConfig {
    /// The keys of the JS/JSON form, in declaration order (the wasm config reader's field list;
    /// a test checks it against serde's).
    pub const FIELDS: &'static [&'static str] = &[
        "dataset",
        "hidden",
        "activation",
        "outputActivation",
        "init",
        "loss",
        "optimizer",
        "momentum",
        "learningRate",
        "batchSize",
        "l1",
        "l2",
        "seed",
        "rewindStep",
    ];
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        ExperimentConfig {
            dataset: DataConfig::default(),
            hidden: vec![8, 8],
            activation: "tanh".into(),
            output_activation: None,
            init: Init::default().name().into(),
            loss: Loss::CrossEntropy.name().into(),
            optimizer: "adam".into(),
            momentum: 0.9,
            learning_rate: 0.01,
            batch_size: 10,
            l1: 0.0,
            l2: 0.0,
            seed: 0,
            rewind_step: None,
        }
    }
}

impl ExperimentConfig {
    /// The training half of the config, parsed and checked.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn train_config(&self) -> Result<TrainConfig> {
        let optimizer = match Optimizer::parse(&self.optimizer)? {
            Optimizer::Momentum { .. } => Optimizer::Momentum {
                beta: self.momentum,
            },
            o => o,
        };
        let c = TrainConfig {
            loss: Loss::parse(&self.loss)?,
            optimizer,
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            l1: self.l1,
            l2: self.l2,
            seed: self.seed,
            rewind_step: self.rewind_step,
        };
        c.validate()?;
        Ok(c)
    }

    /// The model half of the config for a dataset with `inputs` features and `n_classes` classes.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn mlp_spec(&self, inputs: usize, n_classes: usize) -> Result<MlpSpec> {
        let loss = Loss::parse(&self.loss)?;
        let output_activation = match &self.output_activation {
            Some(name) => Activation::parse(name).map_err(|_| {
                Error::config(
                    "output_activation",
                    name,
                    "one of relu, tanh, sigmoid, linear",
                )
            })?,
            None => loss.default_output_activation(),
        };
        let spec = MlpSpec {
            inputs,
            hidden: self.hidden.clone(),
            outputs: loss.outputs(n_classes),
            activation: Activation::parse(&self.activation)?,
            output_activation,
            init: Init::parse(&self.init)?,
            seed: self.seed,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// One pruning step as the CLI flags and the JS API give it: names, not types, so every wrong
/// value gets a message listing the allowed ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PruneConfig {
    /// `weights` or `neurons`.
    pub structure: String,
    /// `magnitude`, `lp:P`, `random` or `snip`.
    pub score: String,
    /// `global` or `layer`.
    pub scope: String,
    /// Fraction of the remaining weights (or neurons) to prune.
    pub fraction: Option<f64>,
    /// Or an absolute number to prune (exactly one of `fraction` and `count`).
    pub count: Option<usize>,
    /// Output layer pruned at `fraction × output_rate`; 0 leaves it alone.
    pub output_rate: f64,
    /// Seed of the `random` score.
    pub seed: u64,
}

impl PruneConfig {
    /// The keys of the JS/JSON form, in declaration order (the wasm config reader's field list;
    /// a test checks it against serde's).
    pub const FIELDS: &'static [&'static str] = &[
        "structure",
        "score",
        "scope",
        "fraction",
        "count",
        "outputRate",
        "seed",
    ];
}

impl Default for PruneConfig {
    fn default() -> Self {
        PruneConfig {
            structure: "weights".into(),
            score: "magnitude".into(),
            scope: "global".into(),
            fraction: None,
            count: None,
            output_rate: 1.0,
            seed: 0,
        }
    }
}

impl PruneConfig {
    /// Parses and checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn spec(&self) -> Result<PruneSpec> {
        let amount = match (self.fraction, self.count) {
            (Some(f), None) => Amount::Fraction(f),
            (None, Some(n)) => Amount::Count(n),
            (None, None) => Amount::Fraction(0.2),
            (Some(f), Some(n)) => {
                return Err(Error::config(
                    "amount",
                    format!("fraction {f} and count {n}"),
                    "either a fraction or a count, not both",
                ))
            }
        };
        let spec = PruneSpec {
            structure: Structure::parse(&self.structure)?,
            score: Score::parse(&self.score)?,
            scope: Scope::parse(&self.scope)?,
            amount,
            output_rate: self.output_rate,
            seed: self.seed,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// A lottery experiment as the CLI flags and the JS API give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct LotteryConfig {
    /// Pruning levels after the dense level 0.
    pub levels: usize,
    /// Fraction of the remaining weights (or neurons) pruned per level.
    pub fraction: f64,
    /// `weights` or `neurons`.
    pub structure: String,
    /// `magnitude`, `lp:P`, `random` or `snip`.
    pub score: String,
    /// `global` or `layer`.
    pub scope: String,
    /// Output layer pruned at `fraction × output_rate` (Frankle & Carbin: 0.5).
    pub output_rate: f64,
    /// `keep`, `init`, `step:K` or `reinit`.
    pub init: String,
    /// Control branches: `random-reinit`, `random-mask`.
    pub controls: Vec<String>,
    /// Epochs per level and branch.
    pub epochs: usize,
    /// Seed of the controls' draws.
    pub seed: u64,
}

impl LotteryConfig {
    /// The keys of the JS/JSON form, in declaration order (the wasm config reader's field list;
    /// a test checks it against serde's).
    pub const FIELDS: &'static [&'static str] = &[
        "levels",
        "fraction",
        "structure",
        "score",
        "scope",
        "outputRate",
        "init",
        "controls",
        "epochs",
        "seed",
    ];
}

impl Default for LotteryConfig {
    fn default() -> Self {
        LotteryConfig {
            levels: 3,
            fraction: 0.2,
            structure: "weights".into(),
            score: "magnitude".into(),
            scope: "global".into(),
            output_rate: 0.5,
            init: "init".into(),
            controls: vec!["random-reinit".into()],
            epochs: 10,
            seed: 0,
        }
    }
}

impl LotteryConfig {
    /// Parses and checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn spec(&self) -> Result<LotterySpec> {
        let prune = PruneConfig {
            structure: self.structure.clone(),
            score: self.score.clone(),
            scope: self.scope.clone(),
            fraction: Some(self.fraction),
            count: None,
            output_rate: self.output_rate,
            seed: self.seed,
        }
        .spec()?;
        let mut controls = Vec::new();
        for c in &self.controls {
            let b = Branch::parse_control(c)?;
            if !controls.contains(&b) {
                controls.push(b);
            }
        }
        let spec = LotterySpec {
            levels: self.levels,
            prune,
            reset: Reset::parse(&self.init)?,
            controls,
            epochs: self.epochs,
            seed: self.seed,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// Gradual pruning during training (Zhu & Gupta 2017), as the JS API gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct GradualConfig {
    /// Sparsity at `begin_step`.
    pub initial_sparsity: f64,
    /// Sparsity reached at `end_step`.
    pub final_sparsity: f64,
    /// First pruning step.
    pub begin_step: u64,
    /// Last pruning step.
    pub end_step: u64,
    /// Steps between prunings.
    pub frequency: u64,
    /// Exponent of the polynomial decay.
    pub power: f64,
    /// `weights` or `neurons`.
    pub structure: String,
    /// `magnitude`, `lp:P`, `random` or `snip`.
    pub score: String,
    /// `global` or `layer`.
    pub scope: String,
    /// Output layer rate (1 = like the others, so the final density is exact).
    pub output_rate: f64,
}

impl GradualConfig {
    /// The keys of the JS/JSON form, in declaration order (the wasm config reader's field list;
    /// a test checks it against serde's).
    pub const FIELDS: &'static [&'static str] = &[
        "initialSparsity",
        "finalSparsity",
        "beginStep",
        "endStep",
        "frequency",
        "power",
        "structure",
        "score",
        "scope",
        "outputRate",
    ];
}

impl Default for GradualConfig {
    fn default() -> Self {
        GradualConfig {
            initial_sparsity: 0.0,
            final_sparsity: 0.8,
            begin_step: 0,
            end_step: 1000,
            frequency: 100,
            power: 3.0,
            structure: "weights".into(),
            score: "magnitude".into(),
            scope: "global".into(),
            output_rate: 1.0,
        }
    }
}

impl GradualConfig {
    /// Parses and checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn plan(&self) -> Result<(Gradual, PruneSpec)> {
        let g = Gradual {
            initial_sparsity: self.initial_sparsity,
            final_sparsity: self.final_sparsity,
            begin_step: self.begin_step,
            end_step: self.end_step,
            frequency: self.frequency,
            power: self.power,
        };
        g.validate()?;
        let spec = PruneConfig {
            structure: self.structure.clone(),
            score: self.score.clone(),
            scope: self.scope.clone(),
            fraction: Some(0.0),
            count: None,
            output_rate: self.output_rate,
            seed: 0,
        }
        .spec()?;
        Ok((g, spec))
    }
}
