//! Per-step time of small networks natively: the playground's circle case (2-8-8-1 tanh, MSE,
//! batch 10, SGD) and a few variants, so the small-network training path can be profiled
//! (`perf record`) and compared before and after a change.
//!
//! ```sh
//! cargo run --release --example small_step [-- SECONDS_PER_CASE [FILTER]]
//! ```
//!
//! Prints, per case whose name contains FILTER, the median of 9 windows in µs per step with the
//! back ends chosen per layer (direct loops for these networks) and with the GEMM library forced
//! on every layer (`Trainer::force_products`), the two alternating window by window so that
//! machine load hits both alike, and the training loss after the first 1000 steps of each (equal
//! where the GEMM does not fuse multiply-adds, as in WebAssembly; natively it may).

use std::time::Instant;

use pruning_playground::experiment::{Experiment, ExperimentConfig};
use pruning_playground::train::Product;
use serde_json::json;

fn case(name: &str, extra: serde_json::Value) -> (String, ExperimentConfig) {
    let mut c = json!({
        "optimizer": "sgd", "seed": 0,
        "dataset": { "kind": "circle", "samples": 500, "trainFraction": 0.5, "seed": 0 },
        "hidden": [8, 8], "activation": "tanh", "loss": "mse",
        "learningRate": 0.03, "batchSize": 10,
    });
    for (k, v) in extra.as_object().expect("an object") {
        c[k] = v.clone();
    }
    (
        name.to_string(),
        serde_json::from_value(c).expect("a valid config"),
    )
}

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.5);
    let filter = std::env::args().nth(2).unwrap_or_default();
    // For profiling the chosen back ends alone (the GEMM run is then not timed: 0 µs).
    let chosen_only = std::env::var_os("CHOSEN_ONLY").is_some();
    let cases = [
        case("circle 2-8-8-1 sgd", json!({})),
        case(
            "circle 2-8-8-1 adam",
            json!({ "optimizer": "adam", "learningRate": 0.01 }),
        ),
        case(
            "circle 2-8-8-1 momentum relu",
            json!({ "optimizer": "momentum", "activation": "relu" }),
        ),
        case(
            "spiral 2-16-16-16-2 xent b25",
            json!({ "dataset": { "kind": "spiral", "samples": 500, "trainFraction": 0.5, "seed": 0 },
                    "hidden": [16, 16, 16], "loss": "cross-entropy", "batchSize": 25 }),
        ),
    ];
    for (name, config) in cases {
        if !name.contains(&filter) {
            continue;
        }
        let mut runs = [None, Some(Product::Gemm)].map(|force| {
            let mut exp = Experiment::new(config.clone()).expect("the case builds");
            exp.trainer.force_products(force);
            // A fixed run first, whose loss identifies the numbers (timing runs vary in length).
            exp.train_steps_only(1000).expect("trains");
            let loss = exp.evaluate().0.loss;
            (exp, loss, Vec::new())
        });
        // Calibrate on the chosen run: steps per window ≈ secs / 18.
        let t = Instant::now();
        let mut calib = 0u64;
        while t.elapsed().as_secs_f64() < 0.05 {
            runs[0].0.train_steps_only(100).expect("trains");
            calib += 100;
        }
        let per = t.elapsed().as_secs_f64() / calib as f64;
        let n = ((secs / 18.0 / per) as u64).max(100);
        for _ in 0..9 {
            for (r, (exp, _, us)) in runs.iter_mut().enumerate() {
                if chosen_only && r == 1 {
                    us.push(0.0);
                    continue;
                }
                let t = Instant::now();
                exp.train_steps_only(n).expect("trains");
                us.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
        }
        let [chosen, gemm] = runs.map(|(_, loss, mut us)| {
            us.sort_by(f64::total_cmp);
            (us[4], loss)
        });
        println!(
            "{name:32} chosen {:7.3} µs/step, gemm {:7.3} ({:.2}×); loss after 1000 steps {:.9} / {:.9}",
            chosen.0,
            gemm.0,
            gemm.0 / chosen.0,
            chosen.1,
            gemm.1
        );
    }
}
