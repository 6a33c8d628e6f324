//! The generated PyTorch script is valid Python for every axis of the taxonomy.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use std::process::Command;

use pruning_playground::experiment::{ExperimentConfig, LotteryConfig};
use pruning_playground::io::pytorch_script;

fn python_compiles(source: &str, name: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("pp-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.py"));
    std::fs::write(&file, source).unwrap();
    let out = Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&file)
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn the_script_is_valid_python_for_every_structure_score_scope_and_reset() {
    let mut n = 0;
    for (structure, score, scope) in [
        ("weights", "magnitude", "global"),
        ("weights", "lp:inf", "layer"),
        ("weights", "snip", "global"),
        ("neurons", "lp:2", "layer"),
        ("neurons", "random", "global"),
    ] {
        for init in ["init", "keep", "step:50", "reinit"] {
            for (loss, optimizer) in [
                ("cross-entropy", "adam"),
                ("mse", "momentum"),
                ("cross-entropy", "sgd"),
            ] {
                let exp = ExperimentConfig {
                    loss: loss.into(),
                    optimizer: optimizer.into(),
                    hidden: vec![16, 8],
                    ..ExperimentConfig::default()
                };
                let lottery = LotteryConfig {
                    structure: structure.into(),
                    score: score.into(),
                    scope: scope.into(),
                    init: init.into(),
                    controls: vec!["random-reinit".into(), "random-mask".into()],
                    ..LotteryConfig::default()
                };
                let text = pytorch_script(&exp, &lottery).unwrap();
                assert!(text.contains("HIDDEN = [16, 8]"));
                assert!(text.contains(&format!("RESET = \"{init}\"")));
                python_compiles(&text, &format!("s{n}"))
                    .unwrap_or_else(|e| panic!("{structure}/{score}/{scope}/{init}/{loss}: {e}"));
                n += 1;
            }
        }
    }
    assert_eq!(n, 60);
}

#[test]
fn an_invalid_config_names_the_field_instead_of_writing_a_script() {
    let err = pytorch_script(
        &ExperimentConfig::default(),
        &LotteryConfig {
            init: "rewind".into(),
            ..LotteryConfig::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("init"), "{err}");
}

/// Each weight initializer becomes its torch call (and `torch` keeps `nn.Linear`'s own draw,
/// biases included); the script stays valid Python.
#[test]
fn each_weight_initializer_maps_to_its_torch_call() {
    for (init, call) in [
        ("kaiming-normal", "nn.init.kaiming_normal_(m.weight_orig"),
        ("kaiming-uniform", "nn.init.kaiming_uniform_(m.weight_orig"),
        ("glorot-normal", "nn.init.xavier_normal_(m.weight_orig)"),
        ("glorot-uniform", "nn.init.xavier_uniform_(m.weight_orig)"),
        ("torch", "nn.init.uniform_(m.weight_orig, -bound, bound)"),
    ] {
        let exp = ExperimentConfig {
            init: init.into(),
            ..ExperimentConfig::default()
        };
        let text = pytorch_script(&exp, &LotteryConfig::default()).unwrap();
        assert!(text.contains(call), "{init}: no {call}");
        assert_eq!(
            text.contains("nn.init.zeros_(m.bias_orig)"),
            init != "torch",
            "{init}"
        );
        python_compiles(&text, &format!("init-{init}")).unwrap_or_else(|e| panic!("{init}: {e}"));
    }
}

fn script_for(lottery: LotteryConfig) -> String {
    pytorch_script(&ExperimentConfig::default(), &lottery).unwrap()
}

/// Every score option calls its own torch implementation (no score silently becomes L1
/// magnitude, as `lp:P` and `snip` used to), with P passed through.
#[test]
fn each_score_calls_its_own_torch_implementation() {
    for structure in ["weights", "neurons"] {
        for (score, call) in [
            ("magnitude", "score_magnitude(model, weights, data)"),
            ("lp:3", "score_lp(model, weights, data, p=3.0)"),
            ("lp:1.5", "score_lp(model, weights, data, p=1.5)"),
            ("lp:inf", "score_lp(model, weights, data, p=math.inf)"),
            ("random", "score_random(model, weights, data)"),
            ("snip", "score_snip(model, weights, data)"),
        ] {
            let text = script_for(LotteryConfig {
                structure: structure.into(),
                score: score.into(),
                ..LotteryConfig::default()
            });
            let def = text
                .split("def score(model, weights, data):")
                .nth(1)
                .unwrap();
            let body = def.lines().nth(1).unwrap().trim();
            assert_eq!(body, format!("return {call}"), "{structure} {score}");
            assert!(text.contains(&format!("STRUCTURE = \"{structure}\"")));
            // No torch shortcut that ranks by another rule.
            for substitute in ["l1_unstructured", "ln_structured", "global_unstructured"] {
                assert!(
                    !text.contains(&format!("prune.{substitute}")),
                    "{substitute}"
                );
            }
            python_compiles(
                &text,
                &format!("score-{structure}-{}", score.replace([':', '.'], "_")),
            )
            .unwrap();
        }
    }
}

/// The engine decays weights, never biases: torch gets two parameter groups, the biases' with
/// no weight decay, for every optimizer.
#[test]
fn weight_decay_applies_to_weights_only() {
    for optimizer in ["sgd", "momentum", "adam"] {
        let exp = ExperimentConfig {
            optimizer: optimizer.into(),
            l2: 0.01,
            ..ExperimentConfig::default()
        };
        let text = pytorch_script(&exp, &LotteryConfig::default()).unwrap();
        assert!(text.contains("L2 = 0.01"), "{optimizer}");
        assert!(
            text.contains(
                "[{\"params\": [m.weight_orig for m in linears(model)], \"weight_decay\": L2},"
            ),
            "{optimizer}"
        );
        assert!(
            text.contains(
                "{\"params\": [m.bias_orig for m in linears(model)], \"weight_decay\": 0.0}]"
            ),
            "{optimizer}"
        );
        assert!(!text.contains("weight_decay=0.01"), "{optimizer}");
    }
}

/// Settings reach the script as they are, including the output rate and global scope for
/// neurons (which the old script dropped).
#[test]
fn the_settings_reach_the_script() {
    let text = script_for(LotteryConfig {
        structure: "neurons".into(),
        scope: "global".into(),
        fraction: 0.25,
        output_rate: 0.0,
        init: "step:7".into(),
        controls: vec!["random-mask".into()],
        ..LotteryConfig::default()
    });
    for line in [
        "STRUCTURE = \"neurons\"",
        "SCOPE = \"global\"",
        "FRACTION = 0.25",
        "OUTPUT_RATE = 0.0",
        "RESET = \"step:7\"",
        "CONTROLS = [\"random-mask\"]",
    ] {
        assert!(text.contains(line), "no {line}");
    }
}

/// An N:M pattern reaches the script as `PATTERN = (N, M)` (None without one), and the script
/// with it is valid Python; the engine's keep-count rule is the script's `keep_at_step`.
#[test]
fn a_pattern_reaches_the_script() {
    let text = script_for(LotteryConfig {
        pattern: Some("2:4".into()),
        levels: 3,
        controls: vec!["random-mask".into()],
        ..LotteryConfig::default()
    });
    assert!(text.contains("PATTERN = (2, 4)"));
    assert!(text.contains("def keep_at_step(step, steps):"));
    assert!(text.contains("prune_step(ticket, data, level=level, levels=LEVELS)"));
    python_compiles(&text, "pattern").unwrap();
    assert!(script_for(LotteryConfig::default()).contains("PATTERN = None"));
}
