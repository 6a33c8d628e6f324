//! Real MNIST (data/mnist.bin) and the Frankle & Carbin LeNet-300-100 preset, at a reduced size:
//! the CLI's trials are the engine's runs with every seed moved by the trial's index, bit for bit,
//! and its summary is their mean, min and max.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use std::process::Command;

use pruning_playground::config::{preset, FRANKLE_CARBIN};
use pruning_playground::experiment::{Experiment, LotteryConfig};
use pruning_playground::lottery::trials::trial_configs;

/// `lottery --preset frankle-carbin-lenet --levels 1 --epochs 1 --trials 2`, one control: the
/// lines of trial t are the library's run of the preset with seeds moved by t, and the summary
/// lines are mean / min / max over the two trials. (Floats are compared to 1e-12: serde_json's
/// default parser may read the printed shortest form one ulp off.)
fn same(json: &serde_json::Value, x: Option<f64>) {
    match (json.as_f64(), x) {
        (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}"),
        (a, b) => assert_eq!(a, b),
    }
}

#[test]
fn preset_trials_on_the_cli_are_the_engine_runs_and_their_summary() {
    let out = Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args([
            "lottery",
            "--preset",
            FRANKLE_CARBIN,
            "--levels",
            "1",
            "--epochs",
            "1",
            "--controls",
            "random-reinit",
            "--trials",
            "2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Per trial: level 0's ticket, level 1's ticket and control; then 3 summary lines.
    assert_eq!(lines.len(), 2 * 3 + 3);
    let (exp, lot) = preset(FRANKLE_CARBIN).unwrap();
    let lot = LotteryConfig {
        levels: 1,
        epochs: 1,
        controls: vec!["random-reinit".into()],
        ..lot
    };
    let mut accuracies = vec![Vec::new(); 3];
    for t in 0..2 {
        let (e, l) = trial_configs(&exp, &lot, t);
        assert_eq!(e.dataset.kind, "mnist");
        let ex = Experiment::new(e.clone()).unwrap();
        let results = ex
            .lottery(l.spec().unwrap())
            .unwrap()
            .run()
            .unwrap()
            .to_vec();
        assert_eq!(results.len(), 3);
        for (i, r) in results.iter().enumerate() {
            let line = &lines[3 * t + i];
            assert_eq!(line["trial"], t);
            assert_eq!(line["seed"], e.seed);
            assert_eq!(line["branch"], r.branch.name());
            assert_eq!(line["level"], r.level);
            same(&line["density"], Some(r.density));
            same(&line["test_accuracy"], Some(r.test_accuracy));
            same(
                &line["early_stop_test_accuracy"],
                r.early_stop_test_accuracy,
            );
            assert_eq!(line["early_stop_step"].as_u64(), r.early_stop_step);
            accuracies[i].push(r.test_accuracy);
        }
    }
    // Different seeds are different runs.
    assert_ne!(accuracies[0][0], accuracies[0][1]);
    for (i, acc) in accuracies.iter().enumerate() {
        let s = &lines[6 + i];
        assert_eq!(s["summary"], true);
        assert_eq!(s["trials"], 2);
        assert_eq!(s["branch"], lines[i]["branch"]);
        let spread = &s["test_accuracy"];
        same(&spread["min"], Some(acc[0].min(acc[1])));
        same(&spread["max"], Some(acc[0].max(acc[1])));
        same(&spread["mean"], Some((acc[0] + acc[1]) / 2.0));
    }
}

/// The preset is the paper's network and schedule: 784-300-100-10, 20 % of each hidden layer's
/// and 10 % of the output layer's remaining weights per level, rewound to θ₀, both controls,
/// density at the last level between 3 % and 10 %, and MNIST's fixed validation split for early
/// stopping.
#[test]
fn the_frankle_carbin_preset_is_lenet_300_100_with_the_papers_rates() {
    let (exp, lot) = preset(FRANKLE_CARBIN).unwrap();
    let ex = Experiment::new(exp).unwrap();
    assert_eq!(ex.model.widths(), vec![784, 300, 100, 10]);
    // The one departure from the paper: training images shifted by up to 1 pixel (28×28 images).
    assert_eq!(ex.trainer.config().shift, 1);
    assert_eq!(ex.data.image_side, Some(28));
    assert_eq!(
        (
            ex.data.x_train.nrows(),
            ex.data.x_val.nrows(),
            ex.data.x_test.nrows()
        ),
        (7000, 1000, 2000)
    );
    let spec = lot.spec().unwrap();
    assert_eq!(
        spec.prune.amount,
        pruning_playground::prune::Amount::Fraction(0.2)
    );
    assert_eq!(spec.prune.output_rate, 0.5);
    assert_eq!(spec.prune.scope, pruning_playground::prune::Scope::Layer);
    assert_eq!(spec.controls.len(), 2);
    assert!(spec.levels >= 10);
    let hidden = 235_200.0 + 30_000.0;
    let density = (hidden * 0.8f64.powi(spec.levels as i32)
        + 1000.0 * 0.9f64.powi(spec.levels as i32))
        / (hidden + 1000.0);
    assert!((0.03..=0.10).contains(&density), "{density}");
    assert!(preset("lenet")
        .unwrap_err()
        .to_string()
        .contains(FRANKLE_CARBIN));
}

/// Without the file the CLI says which file it needs and how to make it, and exits with 1.
#[test]
fn a_missing_mnist_file_is_named_with_how_to_make_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args(["train", "--dataset", "mnist", "--epochs", "1"])
        .env("PP_MNIST_BIN", "/nonexistent/mnist.bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/mnist.bin") && err.contains("build-mnist.mjs"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
