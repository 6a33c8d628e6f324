//! The native reference of the browser benchmark (`npm run bench` runs it): the same core, the
//! same cases, timed by the same rule (warm-up calls for 400 ms, then the units of work per window
//! calibrated so that a window lasts at least 100 ms, then 7 windows; median and spread per step),
//! plus a sparsity sweep of a CSR forward pass against the dense one per layer size.
//!
//! ```sh
//! cargo run --release --example bench_native -- cases.json [NAME]  # cases as bench/bench.js's cases()
//! ```
//!
//! Prints one JSON object `{ "rows": [...], "sparse": [...] }` on stdout.

use std::time::Instant;

use ndarray::linalg::general_mat_mul;
use ndarray::Array2;
use pruning_playground::experiment::{Experiment, ExperimentConfig};
use rand::Rng;
use serde_json::{json, Value};

const WINDOWS: usize = 7;
/// Warm-up and shortest window, as bench/bench.js's `WARMUP_MS` and `WINDOW_MS`.
const WARMUP_MS: f64 = 400.0;
const WINDOW_MS: f64 = 100.0;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// `f(reps)` does `reps` units of `unit` steps. Warm-up calls of one unit for `warmup_ms` (at least
/// one), the units per window that make a window last at least WINDOW_MS (as bench.js's
/// `calibrate`), then WINDOWS timed windows: (median, min, max) ms per step and the steps per
/// window.
fn time_windows(mut f: impl FnMut(usize), unit: usize, warmup_ms: f64) -> (f64, f64, f64, usize) {
    let ms_of = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let start = Instant::now();
    loop {
        f(1);
        if ms_of(start) >= warmup_ms {
            break;
        }
    }
    let mut time = |reps: usize| {
        let t = Instant::now();
        f(reps);
        ms_of(t)
    };
    // Doubling up to a quarter window, then the fastest of three such windows scaled.
    let mut reps = 1;
    while time(reps) < WINDOW_MS / 4.0 {
        reps *= 2;
    }
    let ms = (0..3).map(|_| time(reps)).fold(f64::INFINITY, f64::min);
    let reps = reps.max((reps as f64 * WINDOW_MS / ms).ceil() as usize);
    let mut ms: Vec<f64> = (0..WINDOWS)
        .map(|_| {
            let t = Instant::now();
            f(reps);
            ms_of(t) / (reps * unit) as f64
        })
        .collect();
    let (lo, hi) = (
        ms.iter().cloned().fold(f64::INFINITY, f64::min),
        ms.iter().cloned().fold(0.0, f64::max),
    );
    (median(&mut ms), lo, hi, reps * unit)
}

fn step_flops(widths: &[usize], batch: usize) -> f64 {
    let f: usize = widths
        .windows(2)
        .enumerate()
        .map(|(l, p)| if l > 0 { 6 } else { 4 } * p[0] * p[1])
        .sum();
    (f * batch) as f64
}

fn forward_flops(widths: &[usize]) -> f64 {
    widths.windows(2).map(|p| 2 * p[0] * p[1]).sum::<usize>() as f64
}

fn run_case(c: &Value) -> Value {
    let name = c["name"].as_str().expect("case name");
    let kind = c["kind"].as_str().expect("case kind");
    let config: ExperimentConfig =
        serde_json::from_value(c["config"].clone()).expect("a valid config");
    let batch = config.batch_size;
    let mut exp = Experiment::new(config).expect("the case builds");
    let widths = exp.model.widths();
    let n_train = exp.data.x_train.nrows();
    let n_test = exp.data.x_test.nrows();
    let epoch_steps = n_train.div_ceil(batch);
    exp.train_steps_only(epoch_steps as u64).expect("trains");
    let loss = exp.evaluate().0.loss;
    let (timing, flops) = match kind {
        "steps" => {
            let k = c["steps"]["default"].as_u64().unwrap_or(epoch_steps as u64);
            let t = time_windows(
                |reps| {
                    exp.train_steps_only(k * reps as u64).expect("trains");
                },
                k as usize,
                WARMUP_MS,
            );
            (t, step_flops(&widths, batch))
        }
        "epoch" => {
            let t = time_windows(
                |reps| {
                    exp.train_steps_only((reps * epoch_steps) as u64)
                        .expect("trains");
                },
                epoch_steps,
                WARMUP_MS,
            );
            (t, step_flops(&widths, batch))
        }
        _ => {
            let t = time_windows(
                |reps| {
                    for _ in 0..reps {
                        exp.train(1).expect("trains");
                        let g = exp.grid(100, [-6.0, 6.0], [-6.0, 6.0]).expect("grid");
                        std::hint::black_box(exp.probabilities(g.view()).expect("predicts"));
                    }
                },
                1,
                WARMUP_MS,
            );
            let f = epoch_steps as f64 * step_flops(&widths, batch)
                + (10_000 + n_train + n_test) as f64 * forward_flops(&widths);
            (t, f)
        }
    };
    json!({
        "case": name,
        "engine": "native",
        "ms_per_step": timing.0,
        "ms_min": timing.1,
        "ms_max": timing.2,
        "windows": WINDOWS,
        "steps_per_window": if kind == "playground" { timing.3 * epoch_steps } else { timing.3 },
        "ms_per_epoch": if kind == "playground" { Value::Null } else { json!(timing.0 * epoch_steps as f64) },
        "gflops": flops / (timing.0 * 1e6),
        "loss_after_epoch": loss,
    })
}

/// A weight matrix `[out, in]` in CSR form.
struct Csr {
    ptr: Vec<u32>,
    col: Vec<u32>,
    val: Vec<f32>,
}

impl Csr {
    fn from_dense(w: &Array2<f32>) -> Csr {
        let mut c = Csr {
            ptr: vec![0],
            col: Vec::new(),
            val: Vec::new(),
        };
        for row in w.rows() {
            for (i, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    c.col.push(i as u32);
                    c.val.push(v);
                }
            }
            c.ptr.push(c.col.len() as u32);
        }
        c
    }

    /// z = x · Wᵀ for x `[batch, in]`, z `[batch, out]`: with xᵀ `[in, batch]`, each stored
    /// weight adds `val · xᵀ[col]` to zᵀ[row], an axpy over the batch that vectorizes; the two
    /// transposes are counted in the time.
    fn forward(
        &self,
        x: &Array2<f32>,
        xt: &mut Array2<f32>,
        zt: &mut Array2<f32>,
        z: &mut Array2<f32>,
    ) {
        xt.assign(&x.t());
        zt.fill(0.0);
        let b = x.nrows();
        let xs = xt.as_slice().expect("standard layout");
        let zs = zt.as_slice_mut().expect("standard layout");
        for j in 0..self.ptr.len() - 1 {
            let zr = &mut zs[j * b..(j + 1) * b];
            for k in self.ptr[j] as usize..self.ptr[j + 1] as usize {
                let v = self.val[k];
                let c = self.col[k] as usize;
                for (o, &xv) in zr.iter_mut().zip(&xs[c * b..(c + 1) * b]) {
                    *o += v * xv;
                }
            }
        }
        z.assign(&zt.t());
    }
}

/// Dense (GEMM, the core's kernel) against CSR forward time per layer size and density.
fn sparse_sweep() -> Vec<Value> {
    let mut rng = pruning_playground::rng::seeded(3);
    let mut rows = Vec::new();
    let batch = 64;
    for (fan_in, fan_out) in [(40, 100), (100, 100), (784, 300), (300, 100)] {
        let x = Array2::from_shape_simple_fn((batch, fan_in), || rng.random_range(-1.0f32..1.0));
        let w_full =
            Array2::from_shape_simple_fn((fan_out, fan_in), || rng.random_range(-1.0f32..1.0));
        let mut z = Array2::<f32>::zeros((batch, fan_out));
        let mut xt = Array2::<f32>::zeros((fan_in, batch));
        let mut zt = Array2::<f32>::zeros((fan_out, batch));
        // ms per forward pass (one warm-up call).
        let (dense, _, _, _) = time_windows(
            |reps| {
                for _ in 0..reps {
                    general_mat_mul(1.0, &x, &w_full.t(), 0.0, &mut z);
                }
            },
            1,
            0.0,
        );
        for density in [1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01] {
            let w = w_full.mapv(|v| {
                if rng.random::<f64>() < density {
                    v
                } else {
                    0.0
                }
            });
            let csr = Csr::from_dense(&w);
            let (sparse, _, _, _) = time_windows(
                |reps| {
                    for _ in 0..reps {
                        csr.forward(&x, &mut xt, &mut zt, &mut z);
                    }
                },
                1,
                0.0,
            );
            rows.push(json!({
                "layer": format!("{fan_in}→{fan_out}"),
                "batch": batch,
                "density": density,
                "dense_ms": dense,
                "csr_ms": sparse,
                "csr_speedup": dense / sparse,
            }));
        }
    }
    rows
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bench_native CASES.json");
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("readable cases file"))
            .expect("a JSON array of cases");
    // An optional second argument keeps only the cases whose name contains it (and skips the
    // sparse sweep): a quick loop while optimizing.
    let only = std::env::args().nth(2);
    let rows: Vec<Value> = cases
        .iter()
        .filter(|c| {
            only.as_deref()
                .map_or(true, |o| c["name"].as_str().unwrap_or("").contains(o))
        })
        .map(|c| {
            let r = run_case(c);
            eprintln!("[native] {} {:.4} ms", r["case"], r["ms_per_step"]);
            r
        })
        .collect();
    let sparse = if only.is_some() {
        Vec::new()
    } else {
        sparse_sweep()
    };
    println!("{}", json!({ "rows": rows, "sparse": sparse }));
}
