//! The JS-facing `Playground`, exercised from wasm: in Node by default, and in headless Chromium
//! when the test runner is pointed at a browser (see scripts/test.sh). Also the core's
//! wasm-only code paths (the SIMD128 products and Adam), against what they replace.
#![cfg(target_arch = "wasm32")]

use js_sys::{Float32Array, Reflect, Uint8Array, JSON};
use ndarray::{s, Array2};
use pruning_playground::data::Dataset;
use pruning_playground::model::{Activation, Init, Mlp, MlpSpec};
use pruning_playground::rng;
use pruning_playground::train::{gradients, Loss, Optimizer, Product, TrainConfig, Trainer};
use pruning_playground::wasm::{io, Playground};
use rand::Rng;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON in the test")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn circle() -> Playground {
    Playground::new(js(
        r#"{"dataset": {"kind": "circle", "samples": 300}, "hidden": [8, 8], "learningRate": 0.03, "seed": 1}"#,
    ), JsValue::UNDEFINED)
    .unwrap()
}

fn error_message(r: Result<impl Sized, JsValue>) -> String {
    let e = match r {
        Ok(_) => return "(no error)".into(),
        Err(e) => e,
    };
    let e: js_sys::Error = e.into();
    String::from(e.message())
}

fn layers(pg: &Playground) -> Vec<JsValue> {
    js_sys::Array::from(&get(&pg.snapshot(), "layers"))
        .iter()
        .collect()
}

#[wasm_bindgen_test]
fn digits_need_their_file_which_is_checked() {
    // Before the file is given (tests run in one instance, so this test gives it itself).
    let bin: &[u8] = include_bytes!("../data/digits.bin");
    let mut bad = bin.to_vec();
    bad[100] ^= 1;
    let err = Playground::load_digits(&bad).unwrap_err();
    let msg = js_sys::Error::from(err).message().as_string().unwrap();
    assert!(msg.contains("checksum"), "{msg}");
    Playground::load_digits(bin).unwrap();
    assert!(Playground::has_digits());
}

#[wasm_bindgen_test]
fn builds_every_dataset() {
    Playground::load_digits(include_bytes!("../data/digits.bin")).unwrap();
    for kind in [
        "circle", "xor", "gauss", "spiral", "moons", "mnist1d", "digits",
    ] {
        let pg = Playground::new(
            js(&format!(
                r#"{{"dataset": {{"kind": "{kind}"}}, "hidden": [4]}}"#
            )),
            JsValue::UNDEFINED,
        )
        .unwrap();
        let d = pg.dataset();
        assert!(num(&d, "nClasses") >= 2.0, "{kind}");
        let x = Float32Array::from(get(&d, "xTrain"));
        assert_eq!(x.length() as f64 % num(&d, "nFeatures"), 0.0, "{kind}");
    }
}

#[wasm_bindgen_test]
fn training_lowers_the_loss() {
    let mut pg = circle();
    let before = num(&pg.evaluate().unwrap(), "trainLoss");
    let metrics = js_sys::Array::from(&pg.train(10).unwrap());
    assert_eq!(metrics.length(), 10);
    let after = num(&metrics.get(9), "trainLoss");
    assert!(after < 0.7 * before, "{before} → {after}");
}

#[wasm_bindgen_test]
fn pruning_to_a_fraction_gives_exactly_that_density_and_zeroes_masked_weights() {
    let mut pg = circle();
    pg.train(2).unwrap();
    let report = pg
        .prune(js(
            r#"{"structure": "weights", "scope": "global", "fraction": 0.5, "outputRate": 1}"#,
        ))
        .unwrap();
    // 2·8 + 8·8 + 8·2 = 96 weights; exactly round(0.5·96) = 48 go.
    assert_eq!(num(&report, "removed"), 48.0);
    assert_eq!(num(&report, "density"), 0.5);
    let snap = pg.snapshot();
    assert_eq!(num(&snap, "density"), 0.5);
    for layer in layers(&pg) {
        let w = Float32Array::from(get(&layer, "weights")).to_vec();
        let m = Uint8Array::from(get(&layer, "mask")).to_vec();
        assert!(w.iter().zip(&m).all(|(w, m)| *m == 1 || *w == 0.0));
    }
}

#[wasm_bindgen_test]
fn rewind_restores_theta_zero_on_survivors_and_reinit_keeps_the_mask() {
    let mut pg = circle();
    pg.train(3).unwrap();
    pg.prune(js(r#"{"fraction": 0.4}"#)).unwrap();
    pg.rewind().unwrap();
    for layer in layers(&pg) {
        let w = Float32Array::from(get(&layer, "weights")).to_vec();
        let w0 = Float32Array::from(get(&layer, "initialWeights")).to_vec();
        let m = Uint8Array::from(get(&layer, "mask")).to_vec();
        for i in 0..w.len() {
            assert_eq!(w[i], if m[i] == 1 { w0[i] } else { 0.0 });
        }
    }
    let masks: Vec<Vec<u8>> = layers(&pg)
        .iter()
        .map(|l| Uint8Array::from(get(l, "mask")).to_vec())
        .collect();
    let weights: Vec<Vec<f32>> = layers(&pg)
        .iter()
        .map(|l| Float32Array::from(get(l, "weights")).to_vec())
        .collect();
    pg.reinit(77);
    let after: Vec<Vec<u8>> = layers(&pg)
        .iter()
        .map(|l| Uint8Array::from(get(l, "mask")).to_vec())
        .collect();
    let new_weights: Vec<Vec<f32>> = layers(&pg)
        .iter()
        .map(|l| Float32Array::from(get(l, "weights")).to_vec())
        .collect();
    assert_eq!(masks, after);
    assert_ne!(weights, new_weights);
}

#[wasm_bindgen_test]
fn structured_pruning_shrinks_the_layers() {
    let mut pg = circle();
    pg.train(2).unwrap();
    pg.prune(js(
        r#"{"structure": "neurons", "scope": "layer", "fraction": 0.5, "score": "lp:2"}"#,
    ))
    .unwrap();
    let widths: Vec<f64> = js_sys::Array::from(&get(&pg.snapshot(), "widths"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(widths, vec![2.0, 4.0, 4.0, 2.0]);
    // …and the smaller network still trains and predicts.
    pg.train(1).unwrap();
    let grid = pg
        .predict_grid(10, vec![-6.0, 6.0], vec![-6.0, 6.0])
        .unwrap();
    assert_eq!(grid.length(), 10 * 10 * 2);
}

#[wasm_bindgen_test]
fn invalid_configs_throw_errors_that_name_the_field_and_the_instance_survives() {
    for (config, needle) in [
        (r#"{"activation": "swish"}"#, "activation"),
        (r#"{"learningRate": -1}"#, "learning_rate"),
        (r#"{"dataset": {"kind": "imagenet"}}"#, "dataset"),
        (r#"{"hidden": [0]}"#, "hidden"),
        (r#"{"optimiser": "adam"}"#, "optimiser"),
    ] {
        let msg = error_message(Playground::new(js(config), JsValue::UNDEFINED));
        assert!(msg.contains(needle), "{config}: {msg}");
    }
    let mut pg = circle();
    let before = pg.evaluate().unwrap();
    let msg = error_message(pg.prune(js(r#"{"fraction": 2}"#)));
    assert!(msg.contains("fraction") || msg.contains("amount"), "{msg}");
    let msg = error_message(pg.prune(js(r#"{"score": "gradient"}"#)));
    assert!(msg.contains("score"), "{msg}");
    // Beside its message, the thrown Error carries the error as data.
    let err = pg.prune(js(r#"{"score": "gradient"}"#)).unwrap_err();
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("setting"));
    assert_eq!(get(&err, "field").as_string().as_deref(), Some("score"));
    assert_eq!(get(&err, "value").as_string().as_deref(), Some("gradient"));
    assert_eq!(num(&pg.snapshot(), "density"), 1.0);
    assert_eq!(
        num(&pg.evaluate().unwrap(), "trainLoss"),
        num(&before, "trainLoss")
    );
    pg.train(1).unwrap();
}

#[wasm_bindgen_test]
fn a_lottery_runs_level_by_level_with_a_control() {
    let mut pg = circle();
    let total = pg
        .start_lottery(
            js(r#"{"levels": 2, "epochs": 2, "controls": ["random-reinit"]}"#),
            None,
        )
        .unwrap();
    assert_eq!(total, (1 + 2 * 2) * 2);
    let mut steps = 0;
    loop {
        let p = pg.lottery_step().unwrap();
        steps += 1;
        if get(&p, "finished").as_bool().unwrap() {
            break;
        }
        assert!(steps < 100);
    }
    let history = js_sys::Array::from(&pg.lottery_history().unwrap());
    assert_eq!(history.length(), 5);

    // Adopting the ticket makes the last ticket level's training the playground's history, so the
    // page's epoch count and loss curve describe the network it shows.
    pg.train(3).unwrap();
    pg.adopt_ticket().unwrap();
    let ticket = history
        .iter()
        .rev()
        .find(|r| get(r, "branch").as_string().as_deref() == Some("ticket"))
        .unwrap();
    let adopted = pg.history().unwrap();
    assert_eq!(js_sys::Array::from(&adopted).length(), 2);
    assert_eq!(
        epoch_numbers(&adopted),
        epoch_numbers(&get(&ticket, "epochs"))
    );
}

/// The numbers of an epoch as JSON text, without its number (the playground's history counts
/// epochs across retrainings; a lottery level counts as the dense run does).
fn epoch_numbers(list: &JsValue) -> Vec<String> {
    js_sys::Array::from(list)
        .iter()
        .map(|m| {
            let keys = [
                "step",
                "trainLoss",
                "testLoss",
                "trainAccuracy",
                "testAccuracy",
                "valLoss",
                "valAccuracy",
            ];
            keys.iter()
                .map(|k| format!("{k}={:?}", get(&m, k).as_f64()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The engine API driven step by step — train, prune 20% globally, rewind (to θ₀ or step k),
/// retrain — gives the lottery runner's level 1 bit for bit: each retraining starts with a fresh
/// optimizer (Adam's moments and bias correction), as OpenLTH's levels do.
#[wasm_bindgen_test]
fn train_prune_rewind_retrain_through_the_api_is_the_lottery_level_one() {
    for (init, rewind_step) in [("init", ""), ("step:20", r#", "rewindStep": 20"#)] {
        let config = format!(
            r#"{{"dataset": {{"kind": "circle", "samples": 300}}, "hidden": [8, 8], "learningRate": 0.03, "seed": 1{rewind_step}}}"#
        );
        let mut pg = Playground::new(js(&config), JsValue::UNDEFINED).unwrap();
        pg.start_lottery(
            js(&format!(
                r#"{{"levels": 1, "epochs": 3, "fraction": 0.2, "scope": "global", "outputRate": 0.5, "init": "{init}", "controls": []}}"#
            )),
            None,
        )
        .unwrap();
        while !get(&pg.lottery_step().unwrap(), "finished")
            .as_bool()
            .unwrap()
        {}
        let history = js_sys::Array::from(&pg.lottery_history().unwrap());
        let (dense, level1) = (history.get(0), history.get(1));

        let trained = pg.train(3).unwrap();
        assert_eq!(
            epoch_numbers(&trained),
            epoch_numbers(&get(&dense, "epochs"))
        );
        pg.prune(js(
            r#"{"fraction": 0.2, "scope": "global", "outputRate": 0.5}"#,
        ))
        .unwrap();
        if init == "init" {
            pg.rewind().unwrap();
        } else {
            pg.rewind_to(20).unwrap();
        }
        let retrained = js_sys::Array::new();
        while num(&pg.snapshot(), "epoch") < 3.0 {
            retrained.push(&js_sys::Array::from(&pg.fine_tune(1).unwrap()).get(0));
        }
        assert_eq!(
            epoch_numbers(&retrained),
            epoch_numbers(&get(&level1, "epochs")),
            "{init}"
        );
        assert_eq!(
            get(&retrained.get(retrained.length() - 1), "testAccuracy").as_f64(),
            get(&level1, "testAccuracy").as_f64()
        );
    }
}

/// Files go through the I/O module: the engine gives and takes model objects (`exportModel`,
/// `importModel`), the I/O module turns them into safetensors bytes and back.
#[wasm_bindgen_test]
fn an_exported_model_imports_back_identically_and_bad_bytes_are_refused() {
    let mut pg = circle();
    pg.train(2).unwrap();
    pg.prune(js(r#"{"fraction": 0.3}"#)).unwrap();
    let bytes = io::export_safetensors(pg.export_model(), None)
        .unwrap()
        .to_vec();
    let before = pg.predict(vec![0.5, -1.0, 2.0, 3.0]).unwrap().to_vec();
    // The plain form and θ₀'s own file are model files too; a plain file has no masks.
    let plain = io::export_safetensors(pg.export_model(), Some("plain".into()))
        .unwrap()
        .to_vec();
    let mut dense = circle();
    dense
        .import_model(io::import_safetensors(&plain, None).unwrap())
        .unwrap();
    assert_eq!(
        dense.predict(vec![0.5, -1.0, 2.0, 3.0]).unwrap().to_vec(),
        before
    );
    assert_eq!(num(&dense.snapshot(), "density"), 1.0);
    let init = io::export_init_safetensors(pg.export_model())
        .unwrap()
        .to_vec();
    assert!(io::import_safetensors(&init, None).is_ok());
    let msg = error_message(io::export_safetensors(
        pg.export_model(),
        Some("torch".into()),
    ));
    assert!(msg.contains("pruned, plain"), "{msg}");
    let mut other = circle();
    let model = io::import_safetensors(&bytes, None).unwrap();
    other.import_model(model).unwrap();
    // Without its θ₀ file the model cannot rewind; with it, it can.
    let msg = error_message(other.rewind());
    assert!(msg.contains("θ₀ is unknown"), "{msg}");
    let mut with_init = circle();
    with_init
        .import_model(io::import_safetensors(&bytes, Some(init.clone())).unwrap())
        .unwrap();
    with_init.rewind().unwrap();
    assert_eq!(
        other.predict(vec![0.5, -1.0, 2.0, 3.0]).unwrap().to_vec(),
        before
    );
    assert_eq!(
        num(&other.snapshot(), "density"),
        num(&pg.snapshot(), "density")
    );
    let msg = error_message(io::import_safetensors(b"not a model", None));
    assert!(msg.contains("model file"), "{msg}");
    assert_eq!(
        other.predict(vec![0.5, -1.0, 2.0, 3.0]).unwrap().to_vec(),
        before
    );
}

/// A CSV data set is read by the I/O module and handed to the engine as typed arrays.
#[wasm_bindgen_test]
fn a_csv_data_set_comes_from_the_io_module() {
    let config = js(
        r#"{"dataset": {"kind": "csv", "csv": "a,b,label\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n2,2,0\n3,1,1\n"}, "hidden": [4]}"#,
    );
    let msg = error_message(Playground::new(config.clone(), JsValue::UNDEFINED));
    assert!(msg.contains("I/O module"), "{msg}");
    let data = io::csv_dataset(config.clone()).unwrap();
    let mut pg = Playground::new(config, data).unwrap();
    assert_eq!(num(&pg.dataset(), "nFeatures"), 2.0);
    pg.train(1).unwrap();
    let msg = error_message(io::csv_dataset(js(
        r#"{"dataset": {"kind": "csv", "csv": "a,b,label\n1,2\n"}}"#,
    )));
    assert!(msg.starts_with("CSV line"), "{msg}");
}

/// `epochOrder` is a permutation of the training rows with the cursor of the current epoch, and
/// `trainStepsOnly` steps without adding history (300 samples → 150 train rows, 15 of them held
/// out for validation, batch 10: 14 steps an epoch).
#[wasm_bindgen_test]
fn epoch_order_and_steps_without_metrics() {
    let mut p = circle();
    let o = p.epoch_order();
    let order: Vec<u32> = js_sys::Uint32Array::from(get(&o, "order")).to_vec();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..135).collect::<Vec<u32>>());
    assert_eq!(num(&o, "cursor"), 0.0);
    assert_eq!(p.train_steps_only(3).unwrap(), 0);
    let o2 = p.epoch_order();
    assert_eq!(js_sys::Uint32Array::from(get(&o2, "order")).to_vec(), order);
    assert_eq!(num(&o2, "cursor"), 30.0);
    assert_eq!(p.train_steps_only(12).unwrap(), 1);
    assert_eq!(js_sys::Array::from(&p.history().unwrap()).length(), 0);
}

#[wasm_bindgen_test]
fn a_checkpoint_brings_back_the_state_before_a_divergence() {
    // Linear activations, SGD at learning rate 1, one example per step: the loss overflows in the
    // first epoch (the CLI reports step 13).
    let mut pg = Playground::new(
        js(
            r#"{"dataset": {"kind": "circle", "seed": 0}, "hidden": [8, 8], "activation": "linear",
            "optimizer": "sgd", "learningRate": 1, "batchSize": 1, "seed": 0}"#,
        ),
        JsValue::UNDEFINED,
    )
    .unwrap();
    assert!(!pg.has_checkpoint());
    let before = js_sys::JSON::stringify(&pg.snapshot()).unwrap();
    pg.checkpoint();
    let err = pg.train(1).unwrap_err();
    let msg = js_sys::Error::from(err).message().as_string().unwrap();
    assert!(msg.contains("diverged"), "{msg}");
    assert_ne!(js_sys::JSON::stringify(&pg.snapshot()).unwrap(), before);
    pg.restore_checkpoint().unwrap();
    assert_eq!(js_sys::JSON::stringify(&pg.snapshot()).unwrap(), before);
    assert!(!pg.has_checkpoint());
    assert!(pg.restore_checkpoint().is_err());
}

/// Prune specs read numbers without Rust's float parser on wasm (src/wasm/num.rs): the same
/// values, bit for bit, and the same strings refused (with the same messages) as `str::parse`.
#[wasm_bindgen_test]
fn spec_numbers_parse_exactly_as_rust_does() {
    use pruning_playground::prune::{Amount, Score, SCORE_ALLOWED};
    let allowed = "a fraction of the remaining in [0, 1] (e.g. 0.2) or count:N";
    let texts = [
        "0",
        "1",
        "0.2",
        "0.1",
        ".5",
        "1.",
        "5e-1",
        "5E-1",
        "+0.25",
        "-0",
        "-0.0",
        "0.30000000000000004",
        "1e400",
        "1e-400",
        "2.2250738585072014e-308",
        "4.9e-324",
        "0.1000000000000000055511151231257827",
        "00000.7500000000000000000000000000001",
        "1e+0",
        "inf",
        "-Infinity",
        "INF",
        "nan",
        "-NaN",
        "",
        ".",
        "e1",
        "1e",
        "1e+",
        ".e1",
        " 0.5",
        "0.5 ",
        "0x1",
        "1_0",
        "--1",
        "+-1",
        "1.2.3",
        "infinit",
        "1,5",
        "٣",
        "0.5f",
        "+",
        "-",
    ];
    for t in texts {
        let rust = t.parse::<f64>().ok();
        match (Amount::parse(t), rust) {
            (Ok(Amount::Fraction(a)), Some(r)) => {
                assert_eq!(a.to_bits(), r.to_bits(), "amount {t:?}")
            }
            (Err(e), Some(r)) => {
                assert!(!(0.0..=1.0).contains(&r), "amount {t:?}: {e}");
                assert_eq!(e, pruning_playground::Error::config("amount", r, allowed));
            }
            (Err(e), None) => {
                assert_eq!(e.to_string(), format!("invalid amount: {t} ({allowed})"))
            }
            (a, r) => panic!("amount {t:?}: {a:?} but Rust parses {r:?}"),
        }
        let lp = format!("lp:{t}");
        match (Score::parse(&lp), rust) {
            (Ok(Score::Lp(p)), Some(r)) => assert_eq!(p.to_bits(), r.to_bits(), "score {lp:?}"),
            (Err(_), Some(r)) => assert!(r.is_nan() || r < 1.0, "score {lp:?}"),
            (Err(e), None) => assert_eq!(
                e.to_string(),
                format!("invalid score: {lp} ({SCORE_ALLOWED})")
            ),
            (s, r) => panic!("score {lp:?}: {s:?} but Rust parses {r:?}"),
        }
    }
}

/// A random classification problem of `n` rows (half train, half test) with `features` inputs.
fn random_data(n: usize, features: usize, classes: usize, seed: u64) -> Dataset {
    let mut r = rng::seeded(seed);
    let x = Array2::from_shape_simple_fn((n, features), || r.random_range(-1.0f32..1.0));
    let y: Vec<usize> = (0..n).map(|_| r.random_range(0..classes)).collect();
    let half = n / 2;
    Dataset {
        name: "random".into(),
        x_train: x.slice(s![..half, ..]).to_owned(),
        y_train: y[..half].to_vec(),
        x_test: x.slice(s![half.., ..]).to_owned(),
        y_test: y[half..].to_vec(),
        x_val: Array2::zeros((0, 0)),
        y_val: Vec::new(),
        n_classes: classes,
        feature_names: (0..features).map(|i| format!("x{i}")).collect(),
        image_side: None,
    }
}

fn mlp(inputs: usize, hidden: Vec<usize>, outputs: usize, seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs,
        hidden,
        outputs,
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::GlorotNormal,
        seed,
    })
    .unwrap()
}

/// Half of every layer's weights masked, at random.
fn half_masked(model: &mut Mlp, seed: u64) {
    let mut r = rng::seeded(seed);
    let masks: Vec<Array2<f32>> = model
        .layers()
        .iter()
        .map(|d| {
            Array2::from_shape_simple_fn(d.weight().dim(), || {
                f32::from(u8::from(r.random::<bool>()))
            })
        })
        .collect();
    model.set_masks(&masks).unwrap();
}

fn weight_bits(model: &Mlp) -> Vec<u32> {
    model
        .layers()
        .iter()
        .flat_map(|d| {
            d.weight()
                .iter()
                .chain(d.bias())
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// In wasm the tiled SIMD128 kernel (src/model/tiled.rs) and matrixmultiply, each forced on every
/// layer (`Trainer::force_products`), train to the same weights and every epoch's metrics bit for
/// bit, and so do the back ends chosen per layer (direct loops for the small products, the tiled
/// kernel for the others) where no direct product sums more than the GEMM's block of 256 terms
/// (no width or batch over 256: a direct product sums all its terms in one block). On the lottery
/// experiment's shapes (with half the weights masked) and on edge shapes — reductions longer than
/// the GEMM's block (300 inputs, batches of 300), widths of 1, 3, 5 and 17.
#[wasm_bindgen_test]
fn tiled_products_train_exactly_as_the_gemm() {
    for (c, (inputs, hidden, outputs, batch, rows)) in [
        (40, vec![100, 100], 10, 100, 400),
        (300, vec![17], 5, 17, 70),
        (5, vec![100, 3], 1, 300, 700),
        (17, vec![300, 5], 3, 64, 200),
    ]
    .into_iter()
    .enumerate()
    {
        let short_sums = [inputs, batch].iter().chain(&hidden).all(|&n| n <= 256);
        let mut model = mlp(inputs, hidden, outputs, c as u64);
        half_masked(&mut model, c as u64);
        let data = random_data(rows, inputs, outputs.max(2), c as u64);
        let config = TrainConfig {
            loss: if outputs == 1 {
                Loss::Mse
            } else {
                Loss::CrossEntropy
            },
            optimizer: Optimizer::adam(),
            batch_size: batch,
            seed: c as u64,
            ..TrainConfig::default()
        };
        let run = |force: Option<Product>| {
            let mut m = model.clone();
            let mut t = Trainer::new(config.clone()).unwrap();
            t.force_products(force);
            let metrics: Vec<_> = (0..2)
                .map(|_| t.train_epoch(&mut m, &data).unwrap())
                .collect();
            (weight_bits(&m), metrics)
        };
        let (tiled, gemm) = (run(Some(Product::Tiled)), run(Some(Product::Gemm)));
        assert_eq!(tiled.0, gemm.0, "case {c}: weights");
        assert_eq!(tiled.1, gemm.1, "case {c}: metrics");
        if short_sums {
            let chosen = run(None);
            assert_eq!(chosen.0, gemm.0, "case {c}: weights (chosen)");
            assert_eq!(chosen.1, gemm.1, "case {c}: metrics (chosen)");
        }
        assert_ne!(tiled.0, weight_bits(&model), "case {c} trained");
    }
}

/// The forward pass (tiled in wasm) equals the GEMM's `x · Wᵀ`, plus the bias, then the
/// activation, bit for bit, for batches and widths of 1, 3, 5, 17, 100 and 300.
#[wasm_bindgen_test]
fn the_forward_pass_is_the_gemm_forward_bit_for_bit() {
    let sizes = [1, 3, 5, 17, 100, 300];
    let mut case = 0;
    for &rows in &sizes {
        for &inputs in &sizes {
            for &hidden in &sizes {
                case += 1;
                let outputs = sizes[case % sizes.len()];
                let model = mlp(inputs, vec![hidden], outputs, case as u64);
                let mut r = rng::seeded(case as u64);
                let x =
                    Array2::from_shape_simple_fn((rows, inputs), || r.random_range(-1.0f32..1.0));
                let mut expected = x.clone();
                for d in model.layers() {
                    let mut z = expected.dot(&d.weight().t());
                    z += &d.bias();
                    d.activation.apply(z.view_mut());
                    expected = z;
                }
                let got = model.forward(x.view()).unwrap();
                let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&got),
                    bits(&expected),
                    "{rows}×{inputs}→{hidden}→{outputs}"
                );
            }
        }
    }
}

/// Adam, which runs four values at a time in wasm, is the scalar rule bit for bit: the
/// weights after each step equal the update written out here from the step's gradients, with
/// half the weights masked, on a layer of 7 × 5 weights and 5 biases (whole groups of four and
/// the rest).
#[wasm_bindgen_test]
fn adam_is_the_scalar_rule_bit_for_bit() {
    let mut model = mlp(7, vec![], 5, 3);
    half_masked(&mut model, 3);
    // One training row, batch 1: every step's gradient is that of this row at the current weights.
    let data = random_data(2, 7, 5, 3);
    let (lr, beta1, beta2, eps) = (0.01f32, 0.9f32, 0.999f32, 1e-8f32);
    let mut trainer = Trainer::new(TrainConfig {
        optimizer: Optimizer::Adam { beta1, beta2, eps },
        learning_rate: lr,
        batch_size: 1,
        ..TrainConfig::default()
    })
    .unwrap();
    let mask: Vec<f32> = model.layers()[0].mask().iter().copied().collect();
    let n = mask.len();
    let mut expected: Vec<f32> = model.layers()[0].weight().iter().copied().collect();
    expected.extend(model.layers()[0].bias());
    let (mut m, mut v) = (vec![0.0f32; expected.len()], vec![0.0f32; expected.len()]);
    for t in 1..=4 {
        let (_, g) = gradients(
            &model,
            data.x_train.view(),
            &data.y_train,
            Loss::CrossEntropy,
        )
        .unwrap();
        let g: Vec<f32> = g[0].weight.iter().chain(&g[0].bias).copied().collect();
        let step = lr / (1.0 - beta1.powi(t));
        let c2 = 1.0 - beta2.powi(t);
        for i in 0..expected.len() {
            let keep = |x: f32| if i < n && mask[i] == 0.0 { 0.0 } else { x };
            let g = keep(g[i]);
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
            expected[i] -= step * m[i] / ((v[i] / c2).sqrt() + eps);
            m[i] = keep(m[i]);
            v[i] = keep(v[i]);
            expected[i] = keep(expected[i]);
        }
        trainer.train_steps_only(&mut model, &data, 1).unwrap();
        let got = weight_bits(&model);
        let want: Vec<u32> = expected.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, want, "step {t}");
    }
}

/// The softmax cross-entropy, whose exponentials run four at a time in wasm, is the scalar
/// formula bit for bit (loss and gradients), over exponents swept from −110 to 0 (every branch of
/// libm's `expf`: |x| ≤ 2^−14, ≤ ½ ln 2, ≤ 1.5 ln 2, beyond, underflow) in rows of 1 to 11 outputs.
#[wasm_bindgen_test]
fn cross_entropy_is_the_scalar_formula_bit_for_bit() {
    // Exponents −t for t from 2^−30 to 112 (every 211th f32 bit pattern, 1.46 M values), as rows
    // [0, −t, …] (max 0, so v − max = −t exactly).
    let ts: Vec<f32> = (0x3080_0000u32..=0x42e0_0000)
        .step_by(211)
        .map(f32::from_bits)
        .collect();
    for k in [1, 2, 3, 4, 5, 8, 9, 10, 11] {
        let a: Vec<f32> = if k == 1 {
            ts.iter().map(|&t| -t).collect()
        } else {
            ts.chunks(k - 1)
                .flat_map(|c| {
                    let mut row = vec![0.0f32];
                    row.extend(c.iter().map(|&t| -t));
                    row.resize(k, -1.5);
                    row
                })
                .collect()
        };
        let b = a.len() / k;
        let y: Vec<usize> = (0..b).map(|i| (i * 7) % k).collect();
        let logits = Array2::from_shape_vec((b, k), a).unwrap();
        let mut grad = Array2::zeros((b, k));
        let value = Loss::CrossEntropy.forward_backward(
            logits.view(),
            &y,
            Activation::Linear,
            Some(grad.view_mut()),
        );
        // The formula, one value at a time.
        let scale = 1.0 / b as f32;
        let mut total = 0.0f64;
        let mut expected = Vec::with_capacity(b * k);
        for (i, row) in logits.rows().into_iter().enumerate() {
            let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let sum: f32 = row.iter().map(|&v| (v - max).exp()).sum();
            let log_sum = max + sum.ln();
            total += f64::from(log_sum - row[y[i]]);
            for (j, &v) in row.iter().enumerate() {
                let p = (v - log_sum).exp();
                expected.push(((p - if j == y[i] { 1.0 } else { 0.0 }) * scale).to_bits());
            }
        }
        assert_eq!(
            value.to_bits(),
            (total / b as f64).to_bits(),
            "loss, {k} outputs"
        );
        let got: Vec<u32> = grad.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, expected, "gradients, {k} outputs");
    }
}

/// The scan point by point (`startSensitivity`, then `sensitivityStep` until `null`) gives the
/// points the one-call `sensitivity` returns, in order: layer by layer, sparsities in order.
#[wasm_bindgen_test]
fn the_scan_point_by_point_is_the_one_call_scan() {
    let mut pg = circle();
    pg.train(3).unwrap();
    assert!(error_message(pg.sensitivity_step()).contains("startSensitivity"));
    let sparsities = vec![0.0, 0.5, 0.9];
    let whole = pg.sensitivity(sparsities.clone(), None, None).unwrap();
    let start = pg.start_sensitivity(sparsities, None, None).unwrap();
    assert_eq!(num(&start, "total"), 9.0);
    let curves = get(&start, "curves").unchecked_into::<js_sys::Array>();
    let mut done = 0.0;
    loop {
        let step = pg.sensitivity_step().unwrap();
        if step.is_null() {
            break;
        }
        done += 1.0;
        assert_eq!(num(&step, "done"), done);
        let curve = curves.get(num(&step, "layer") as u32);
        // The curve's own list (Array::from would copy it).
        get(&curve, "points")
            .unchecked_into::<js_sys::Array>()
            .push(&get(&step, "point"));
    }
    assert_eq!(done, 9.0);
    Reflect::delete_property(&start.clone().into(), &"total".into()).unwrap();
    assert_eq!(
        JSON::stringify(&start).unwrap().as_string(),
        JSON::stringify(&whole).unwrap().as_string()
    );
}
