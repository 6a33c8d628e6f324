//! Pruning at initialization compared (src/lottery/pai.rs): every run starts from the same θ₀,
//! reports the test accuracy at the best validation epoch, and its controls keep what they
//! claim to keep (per-layer counts for the shuffle, the mask for the reinit).
#![cfg(not(target_arch = "wasm32"))]

use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig};
use pruning_playground::lottery::pai::{PaiControl, PaiRunner, PaiSpec};
use pruning_playground::prune::{Amount, PruneSpec, Scope, Score, Structure};

fn moons() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 300,
            ..DataConfig::default()
        },
        hidden: vec![16, 16],
        ..ExperimentConfig::default()
    })
    .unwrap()
}

fn spec(methods: Vec<Score>) -> PaiSpec {
    PaiSpec {
        methods,
        densities: vec![0.3, 0.1],
        controls: vec![PaiControl::Shuffle, PaiControl::Reinit],
        epochs: 4,
        synflow_rounds: 5,
        seed: 3,
    }
}

/// The method's run is `train` after one `prune` of round((1 − d) × weights) from θ₀, read at
/// the epoch of least validation loss (the first of equals), the lottery's early-stopping rule.
#[test]
fn a_method_run_is_prune_at_theta0_then_train_read_at_the_early_stopping_epoch() {
    let exp = moons();
    let mut runner = PaiRunner::new(&exp, spec(vec![Score::Snip, Score::Grasp])).unwrap();
    assert_eq!(runner.total(), 2 * 2 * 3);
    let runs = runner.run_all().unwrap().to_vec();
    for method in [Score::Snip, Score::Grasp] {
        for density in [0.3, 0.1] {
            let mut by_hand = exp.clone();
            let total = by_hand.model.n_alive();
            let removed = total - (density * total as f64).round() as usize;
            by_hand
                .prune(&PruneSpec {
                    structure: Structure::Weights,
                    score: method,
                    scope: Scope::Global,
                    amount: Amount::Count(removed),
                    output_rate: 1.0,
                    layer_rates: Vec::new(),
                    seed: 3,
                    pattern: None,
                })
                .unwrap();
            let metrics = by_hand.train(4).unwrap();
            let mut best = 0;
            for (i, m) in metrics.iter().enumerate() {
                if m.val_loss.unwrap() < metrics[best].val_loss.unwrap() {
                    best = i;
                }
            }
            let run = runs
                .iter()
                .find(|r| r.method == method.name() && r.density == density && r.control.is_none())
                .unwrap();
            assert_eq!(run.actual_density, by_hand.model.density());
            assert_eq!(run.best_epoch, best + 1);
            assert_eq!(run.test_accuracy, metrics[best].test_accuracy);
            assert_eq!(run.val_accuracy, metrics[best].val_accuracy);
        }
    }
}

/// The shuffle keeps each layer's alive count and the reinit the whole mask: both have the
/// method's per-layer densities; the same spec replays bit for bit.
#[test]
fn controls_keep_the_per_layer_densities_and_runs_replay() {
    let exp = moons();
    let mut runner = PaiRunner::new(
        &exp,
        spec(vec![Score::Synflow, Score::Magnitude, Score::Random]),
    )
    .unwrap();
    let runs = runner.run_all().unwrap().to_vec();
    assert_eq!(runs.len(), 3 * 2 * 3);
    for group in runs.chunks(3) {
        assert_eq!(group[0].control, None);
        assert_eq!(group[1].control, Some(PaiControl::Shuffle));
        assert_eq!(group[2].control, Some(PaiControl::Reinit));
        for r in &group[1..] {
            assert_eq!(r.layer_density, group[0].layer_density, "{r:?}");
            assert_eq!(r.actual_density, group[0].actual_density);
        }
    }
    // SynFlow's rounds reach the one-shot count; magnitude at θ₀ under a global ranking does not
    // keep the layers at one density (the initializer's scales differ by fan-in).
    assert!((runs[0].actual_density - 0.3).abs() < 1.0 / 300.0);
    let magnitude = &runs[6].layer_density;
    assert!(
        magnitude.iter().any(|&d| (d - magnitude[0]).abs() > 0.05),
        "{magnitude:?}"
    );
    let again = PaiRunner::new(
        &exp,
        spec(vec![Score::Synflow, Score::Magnitude, Score::Random]),
    )
    .unwrap()
    .run_all()
    .unwrap()
    .to_vec();
    assert_eq!(again, runs);
}

#[test]
fn bad_specs_and_trained_networks_are_refused_by_name() {
    let exp = moons();
    let err = PaiRunner::new(&exp, spec(vec![Score::Lp(2.0)])).unwrap_err();
    assert!(err.to_string().contains("lp:2"), "{err}");
    let mut s = spec(vec![Score::Snip]);
    s.densities = vec![0.0];
    assert!(PaiRunner::new(&exp, s)
        .unwrap_err()
        .to_string()
        .contains("densities"));
    let mut s = spec(vec![Score::Snip]);
    s.epochs = 0;
    assert!(PaiRunner::new(&exp, s)
        .unwrap_err()
        .to_string()
        .contains("epochs"));
    let mut trained = exp.clone();
    trained.train(1).unwrap();
    let err = PaiRunner::new(&trained, spec(vec![Score::Snip])).unwrap_err();
    assert!(err.to_string().contains("untrained"), "{err}");
}

#[test]
fn the_cli_prints_one_json_object_per_run() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args([
            "pai",
            "--methods",
            "snip,random",
            "--densities",
            "0.5",
            "--controls",
            "shuffle",
            "--epochs",
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
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["method"], "snip");
    assert_eq!(lines[1]["control"], "shuffle");
    assert_eq!(lines[2]["method"], "random");
    assert!(lines[0]["test_accuracy"].as_f64().unwrap() > 0.0);
}
