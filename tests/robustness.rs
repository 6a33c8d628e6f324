//! Parsers that take user input never panic: property tests over arbitrary and mutated inputs.
//! (The same entry points are fuzzed with cargo-fuzz; see fuzz/.)
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use proptest::prelude::*;
use pruning_playground::experiment::{ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig};
use pruning_playground::io::{
    export_safetensors, import_safetensors, ExportOptions, ImportOptions,
};
use pruning_playground::model::{Activation, Init, Mlp, MlpSpec};

fn model_bytes() -> Vec<u8> {
    let mut m = Mlp::new(&MlpSpec {
        inputs: 3,
        hidden: vec![4],
        outputs: 2,
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::default(),
        seed: 1,
    })
    .unwrap();
    let mut masks = m.masks();
    masks[0][[0, 0]] = 0.0;
    m.set_masks(&masks).unwrap();
    export_safetensors(&m, &ExportOptions::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_the_model_importer(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = import_safetensors(&bytes, &ImportOptions::default());
    }

    #[test]
    fn a_corrupted_model_file_is_refused_or_loads_a_working_model(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = model_bytes();
        for (i, v) in flips {
            let i = i.index(bytes.len());
            bytes[i] = v;
        }
        if let Ok(m) = import_safetensors(&bytes, &ImportOptions::default()) {
            let x = ndarray::Array2::<f32>::zeros((1, m.widths()[0]));
            prop_assert!(m.forward(x.view()).is_ok());
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_config_parsers(text in ".{0,200}") {
        if let Ok(c) = serde_json::from_str::<ExperimentConfig>(&text) {
            let _ = c.train_config();
            let _ = c.mlp_spec(2, 2);
        }
        if let Ok(p) = serde_json::from_str::<PruneConfig>(&text) { let _ = p.spec(); }
        if let Ok(l) = serde_json::from_str::<LotteryConfig>(&text) { let _ = l.spec(); }
        if let Ok(g) = serde_json::from_str::<GradualConfig>(&text) { let _ = g.plan(); }
    }

    #[test]
    fn configs_with_arbitrary_field_values_are_accepted_or_named(
        lr in prop_oneof![Just(f64::NAN), any::<f64>(), -1.0..20.0f64],
        batch in any::<u64>(),
        hidden in prop::collection::vec(any::<u32>(), 0..4),
        fraction in prop_oneof![Just(f64::INFINITY), any::<f64>(), -1.0..2.0f64],
        score in "(magnitude|lp:[0-9a-z.]{0,4}|random|snip|x{0,3})",
    ) {
        let json = serde_json::json!({
            "learningRate": lr, "batchSize": batch, "hidden": hidden,
        });
        if let Ok(c) = serde_json::from_value::<ExperimentConfig>(json) {
            if let Err(e) = c.train_config().and_then(|_| c.mlp_spec(2, 2)) {
                let msg = e.to_string();
                prop_assert!(["learning_rate", "batch_size", "hidden"].iter().any(|f| msg.contains(f)), "{}", msg);
            }
        }
        let p = PruneConfig { fraction: Some(fraction), score: score.clone(), ..PruneConfig::default() };
        if let Err(e) = p.spec() {
            let msg = e.to_string();
            prop_assert!(msg.contains("fraction") || msg.contains("amount") || msg.contains("score"), "{}", msg);
        }
    }
}

#[test]
fn unknown_config_keys_are_named() {
    let err = serde_json::from_str::<ExperimentConfig>(r#"{"learnRate": 0.1}"#).unwrap_err();
    assert!(err.to_string().contains("learnRate"), "{err}");
}
