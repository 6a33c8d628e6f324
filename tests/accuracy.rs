//! End-to-end learning checks on the real datasets: the numbers a learner will see.
//!
//! These train real networks for a few seconds each (the dev profile is optimized, see
//! Cargo.toml), and run in CI with the rest of `cargo test`.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig};

fn run(cfg: ExperimentConfig, epochs: usize) -> (f64, f64) {
    let mut exp = Experiment::new(cfg).unwrap();
    let m = exp.train(epochs).unwrap();
    let last = m.last().unwrap();
    let best = m.iter().map(|m| m.test_accuracy).fold(0.0, f64::max);
    println!(
        "{}: hidden {:?}: final test accuracy {:.3}, best {:.3}",
        exp.data.name, exp.config.hidden, last.test_accuracy, best
    );
    (last.test_accuracy, best)
}

fn toy(kind: &str) -> ExperimentConfig {
    ExperimentConfig {
        dataset: DataConfig {
            kind: kind.into(),
            noise: 0.1,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        activation: "tanh".into(),
        optimizer: "adam".into(),
        learning_rate: 0.03,
        batch_size: 10,
        ..ExperimentConfig::default()
    }
}

#[test]
fn a_small_tanh_net_learns_circle_to_95_percent() {
    let (acc, _) = run(toy("circle"), 40);
    assert!(acc >= 0.95, "circle test accuracy {acc}");
}

#[test]
fn a_small_tanh_net_learns_xor_to_95_percent() {
    let (acc, _) = run(toy("xor"), 40);
    assert!(acc >= 0.95, "xor test accuracy {acc}");
}

#[test]
fn an_mlp_learns_digits_to_90_percent() {
    let cfg = ExperimentConfig {
        dataset: DataConfig {
            kind: "digits".into(),
            train_fraction: 0.7,
            ..DataConfig::default()
        },
        hidden: vec![64, 32],
        activation: "relu".into(),
        learning_rate: 1e-3,
        batch_size: 32,
        ..ExperimentConfig::default()
    };
    let (acc, _) = run(cfg, 40);
    assert!(acc >= 0.90, "digits test accuracy {acc}");
}

fn mnist1d(hidden: Vec<usize>, lr: f32, epochs: usize) -> (f64, f64) {
    let cfg = ExperimentConfig {
        dataset: DataConfig {
            kind: "mnist1d".into(),
            ..DataConfig::default()
        },
        hidden,
        activation: "relu".into(),
        learning_rate: lr,
        batch_size: 100,
        ..ExperimentConfig::default()
    };
    run(cfg, epochs)
}

/// Greydanus (2020) reports ≈68% for an MLP on MNIST-1D; we accept 55–78%.
#[test]
fn mnist1d_mlp_reaches_the_papers_band() {
    let (acc, _) = mnist1d(vec![100, 100], 1e-2, 60);
    assert!(
        (0.55..=0.78).contains(&acc),
        "MNIST-1D MLP test accuracy {acc}"
    );
}

/// Greydanus (2020) reports ≈32% for logistic regression on MNIST-1D; we accept 20–45%.
#[test]
fn mnist1d_logistic_regression_reaches_the_papers_band() {
    let (acc, _) = mnist1d(vec![], 1e-2, 60);
    assert!(
        (0.20..=0.45).contains(&acc),
        "MNIST-1D logistic regression test accuracy {acc}"
    );
}
