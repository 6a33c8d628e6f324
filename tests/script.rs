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
        ("weights", "magnitude", "layer"),
        ("weights", "random", "global"),
        ("neurons", "lp:2", "layer"),
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
    assert_eq!(n, 48);
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
        ("kaiming-normal", "nn.init.kaiming_normal_(m.weight"),
        ("kaiming-uniform", "nn.init.kaiming_uniform_(m.weight"),
        ("glorot-normal", "nn.init.xavier_normal_(m.weight)"),
        ("glorot-uniform", "nn.init.xavier_uniform_(m.weight)"),
        ("torch", "m.reset_parameters()"),
    ] {
        let exp = ExperimentConfig {
            init: init.into(),
            ..ExperimentConfig::default()
        };
        let text = pytorch_script(&exp, &LotteryConfig::default()).unwrap();
        assert!(text.contains(call), "{init}: no {call}");
        assert_eq!(
            text.contains("nn.init.zeros_(m.bias)"),
            init != "torch",
            "{init}"
        );
        python_compiles(&text, &format!("init-{init}")).unwrap_or_else(|e| panic!("{init}: {e}"));
    }
}
