//! Any bytes as the JSON configs the browser and URLs send: an error naming a field, or a config
//! that builds, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pruning_playground::experiment::{
    Experiment, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(cfg) = serde_json::from_slice::<ExperimentConfig>(data) {
        let _ = cfg.train_config();
        let _ = cfg.mlp_spec(2, 2);
        // Build (and train one step of) only the cheap toy sets, with small sizes.
        let toy = ["circle", "xor", "gauss", "spiral", "moons"].contains(&cfg.dataset.kind.as_str());
        let small = cfg.dataset.samples <= 200 && cfg.hidden.iter().all(|&h| h <= 32) && cfg.hidden.len() <= 3;
        if toy && small {
            if let Ok(mut exp) = Experiment::new(cfg) {
                let _ = exp.train_steps(1);
            }
        }
    }
    if let Ok(p) = serde_json::from_slice::<PruneConfig>(data) {
        let _ = p.spec();
    }
    if let Ok(l) = serde_json::from_slice::<LotteryConfig>(data) {
        let _ = l.spec();
    }
    if let Ok(g) = serde_json::from_slice::<GradualConfig>(data) {
        let _ = g.plan();
    }
});
