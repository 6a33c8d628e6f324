//! The CLI as a user runs it: JSON lines on stdout and nothing else, errors on stderr.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use std::process::{Command, Output};

use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig, LotteryConfig};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn train_json_prints_one_object_per_epoch_with_the_documented_keys() {
    let out = run(&[
        "train",
        "--dataset",
        "xor",
        "--epochs",
        "4",
        "--seed",
        "3",
        "--json",
    ]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["epoch"], i + 1);
        for key in ["train_loss", "test_loss", "train_accuracy", "test_accuracy"] {
            assert!(l[key].is_number(), "{key} missing in {l}");
        }
    }
    // The same seed gives the same numbers; another seed does not.
    assert_eq!(
        json_lines(&run(&[
            "train",
            "--dataset",
            "xor",
            "--epochs",
            "4",
            "--seed",
            "3",
            "--json"
        ])),
        lines
    );
    assert_ne!(
        json_lines(&run(&[
            "train",
            "--dataset",
            "xor",
            "--epochs",
            "4",
            "--seed",
            "4",
            "--json"
        ])),
        lines
    );
}

/// `--shift K` trains on the digits moved by up to K pixels: seeded (the same numbers twice),
/// another run than `--shift 0`, which is the run without the flag.
#[test]
fn train_shift_moves_the_training_digits_and_is_reproducible() {
    let train = |shift: Option<&str>| {
        let mut args = vec![
            "train",
            "--dataset",
            "digits",
            "--hidden",
            "32",
            "--activation",
            "relu",
            "--epochs",
            "2",
            "--json",
        ];
        if let Some(k) = shift {
            args.extend(["--shift", k]);
        }
        json_lines(&run(&args))
    };
    let plain = train(None);
    assert_eq!(train(Some("0")), plain);
    let shifted = train(Some("1"));
    assert_eq!(shifted.len(), 2);
    assert_ne!(shifted, plain);
    assert_eq!(train(Some("1")), shifted);
}

#[test]
fn lottery_json_prints_one_object_per_branch_and_level() {
    let out = run(&[
        "lottery",
        "--dataset",
        "moons",
        "--levels",
        "2",
        "--epochs",
        "2",
        "--controls",
        "random-reinit,random-mask",
        "--json",
    ]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1 + 2 * 3);
    for l in &lines {
        for key in [
            "branch",
            "level",
            "density",
            "layer_density",
            "test_accuracy",
            "early_stop_epoch",
            "early_stop_step",
            "early_stop_test_accuracy",
            "mask_analysis",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
    }
    assert_eq!(lines[0]["branch"], "ticket");
    assert!(lines[0]["mask_analysis"].is_null());
    let m = &lines[1]["mask_analysis"];
    assert_eq!(lines[1]["branch"], "ticket");
    assert_eq!(m["vs_random_mask"]["layer"].as_array().unwrap().len(), 3);
    assert_eq!(m["init_histogram"].as_array().unwrap().len(), 3);
    assert!(m["vs_other_seed"].is_null(), "no --compare-seed: {m}");
    assert!(
        lines[2]["mask_analysis"].is_null(),
        "a control: {}",
        lines[2]
    );
    assert_eq!(lines[1]["layer_density"].as_array().unwrap().len(), 3);
}

/// `--compare-seed S` reruns the ticket line from model seed S: with the run's own seed it finds
/// the same ticket (agreement 1 at every level); with another seed it reports a real agreement
/// beside its chance level.
#[test]
fn lottery_compare_seed_reports_the_agreement_with_the_other_seeds_ticket() {
    let other = |seed: &str| {
        let out = run(&[
            "lottery",
            "--dataset",
            "moons",
            "--levels",
            "2",
            "--epochs",
            "1",
            "--controls",
            "random-mask",
            "--seed",
            "3",
            "--compare-seed",
            seed,
            "--json",
        ]);
        json_lines(&out)
            .into_iter()
            .filter(|l| l["branch"] == "ticket" && l["level"] != 0)
            .map(|l| l["mask_analysis"]["vs_other_seed"].clone())
            .collect::<Vec<_>>()
    };
    let same = other("3");
    assert_eq!(same.len(), 2);
    for g in &same {
        assert_eq!(g["overall"], 1.0, "{g}");
        assert!(
            g["layer"].as_array().unwrap().iter().all(|x| x == 1.0),
            "{g}"
        );
    }
    for g in other("4") {
        let (overall, chance) = (
            g["overall"].as_f64().unwrap(),
            g["chance"].as_f64().unwrap(),
        );
        assert!(overall < 1.0 && chance > 0.0 && chance < 1.0, "{g}");
    }
}

/// With two or more cores the controls train in a second thread; `--serial` keeps one thread.
/// Both print the same lines in the same order and export the same files, byte for byte.
#[test]
fn a_lottery_in_two_threads_prints_and_exports_what_one_thread_does() {
    let base = std::env::temp_dir().join(format!("pp-cli-threads-{}", std::process::id()));
    let mut outputs = Vec::new();
    for (name, serial) in [("two", false), ("one", true)] {
        let dir = base.join(name);
        let dir_s = dir.to_str().unwrap().to_string();
        for json in [true, false] {
            let mut args = vec![
                "lottery",
                "--dataset",
                "moons",
                "--hidden",
                "12,12",
                "--levels",
                "3",
                "--epochs",
                "2",
                "--controls",
                "random-mask,random-reinit",
                "--export",
                &dir_s,
            ];
            if json {
                args.push("--json");
            }
            if serial {
                args.push("--serial");
            }
            let out = run(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            outputs.push((name, json, String::from_utf8(out.stdout).unwrap()));
        }
    }
    let (two, one) = outputs.split_at(2);
    for ((_, json, a), (_, _, b)) in two.iter().zip(one) {
        assert_eq!(a, b, "json {json}");
        assert_eq!(a.lines().count(), 1 + 3 * 3);
    }
    let first = json_lines_of(&one[0].2);
    let order: Vec<(String, u64)> = first
        .iter()
        .map(|l| {
            (
                l["branch"].as_str().unwrap().to_string(),
                l["level"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order[..4]
            .iter()
            .map(|(b, _)| b.as_str())
            .collect::<Vec<_>>(),
        ["ticket", "ticket", "random-mask", "random-reinit"]
    );
    let mut files: Vec<_> = std::fs::read_dir(base.join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(files.len(), 1 + 3 * 3);
    for f in &files {
        let a = std::fs::read(base.join("one").join(f)).unwrap();
        let b = std::fs::read(base.join("two").join(f)).unwrap();
        assert!(a == b, "{f:?} differs");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

fn json_lines_of(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn bad_flags_fail_on_stderr_with_a_message_naming_the_value() {
    for (args, needle) in [
        (vec!["train", "--dataset", "imagenet"], "imagenet"),
        (vec!["train", "--activation", "swish"], "activation"),
        (vec!["train", "--lr=-1"], "learning_rate"),
        (vec!["train", "--dataset", "missing.csv"], "missing.csv"),
        (vec!["lottery", "--init", "rewind"], "init"),
        (vec!["lottery", "--score", "taylor"], "score"),
        (vec!["train", "--hidden", "0"], "hidden"),
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn a_malformed_csv_file_is_named_with_its_line() {
    let dir = std::env::temp_dir().join(format!("pp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.csv");
    std::fs::write(&file, "a,b,label\n1,2,0\n3,4\n5,6,1\n").unwrap();
    let out = run(&["train", "--dataset", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
}

/// Bad flags and bad files: each refused on stderr with a message naming the flag or file, nothing
/// on stdout, and an existing output file is left exactly as it was.
#[test]
fn bad_inputs_leave_existing_outputs_untouched() {
    let dir = std::env::temp_dir().join(format!("pp-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (good, garbage, out) = (
        path("good.safetensors"),
        path("garbage.safetensors"),
        path("out.bin"),
    );
    let trained = run(&["train", "--epochs", "1", "--save", &good]);
    assert!(trained.status.success());
    std::fs::write(&garbage, b"not a model").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "prune",
                "--model",
                &garbage,
                "--fraction",
                "0.5",
                "--out",
                &out,
            ],
            "model file",
        ),
        (
            vec!["prune", "--model", &good, "--fraction", "2", "--out", &out],
            "amount",
        ),
        (
            vec![
                "prune",
                "--model",
                &good,
                "--fraction",
                "0.5",
                "--score",
                "taylor",
                "--out",
                &out,
            ],
            "taylor",
        ),
        (
            vec![
                "prune",
                "--model",
                &good,
                "--fraction",
                "0.5",
                "--scope",
                "local",
                "--out",
                &out,
            ],
            "scope",
        ),
        (
            vec!["predict", "--model", &garbage, "--dataset", "circle"],
            "model file",
        ),
        (
            vec!["predict", "--model", &good, "--dataset", "mnist1d"],
            "40",
        ),
        (vec!["train", "--lr=-1", "--save", &out], "learning_rate"),
        (vec!["train", "--epochs", "ten", "--save", &out], "--epochs"),
        (vec!["train", "--batch", "0", "--save", &out], "batch_size"),
        (vec!["train", "--noise", "5"], "noise"),
        (vec!["train", "--train-fraction", "1"], "train_fraction"),
        (vec!["train", "--hidden", "100000"], "hidden"),
        (vec!["train", "--weight-init", "zeros"], "zeros"),
        (vec!["lottery", "--levels", "1000"], "levels"),
        (
            vec!["train", "--shift", "1", "--save", &out],
            "invalid shift: 1 (0 unless",
        ),
        (
            vec![
                "train",
                "--dataset",
                "digits",
                "--shift",
                "4",
                "--save",
                &out,
            ],
            "invalid shift: 4 (0 to 3)",
        ),
        (vec!["lottery", "--controls", "shuffle"], "shuffle"),
        (
            vec!["data", "--dataset", "imagenet", "--out", &out],
            "imagenet",
        ),
    ];
    for (args, needle) in cases {
        std::fs::write(&out, b"the user's file").unwrap();
        let res = run(&args);
        assert!(!res.status.success(), "{args:?} succeeded");
        assert!(res.stdout.is_empty(), "{args:?} printed on stdout");
        let err = String::from_utf8_lossy(&res.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert_eq!(
            std::fs::read(&out).unwrap(),
            b"the user's file",
            "{args:?} touched {out}"
        );
    }
}

/// The CLI's lottery gives, at level 1, the numbers of the same steps driven one by one through
/// the experiment API — train, prune 20% globally, rewind (to θ₀, or to step k), retrain — each
/// retraining with a fresh optimizer (the CLI has no separate train/prune/rewind/retrain
/// commands, so its lottery JSON is compared with the stepwise Rust numbers).
#[test]
fn the_cli_lottery_level_one_is_train_prune_rewind_retrain_step_by_step() {
    for init in ["init", "step:25"] {
        let out = run(&[
            "lottery",
            "--dataset",
            "moons",
            "--samples",
            "300",
            "--hidden",
            "12,12",
            "--lr",
            "0.02",
            "--levels",
            "1",
            "--epochs",
            "4",
            "--fraction",
            "0.2",
            "--scope",
            "global",
            "--output-rate",
            "0.5",
            "--init",
            init,
            "--controls",
            "",
            "--json",
        ]);
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 2);
        let mut config = ExperimentConfig {
            dataset: DataConfig {
                kind: "moons".into(),
                samples: 300,
                ..DataConfig::default()
            },
            hidden: vec![12, 12],
            activation: "tanh".into(),
            init: "kaiming-normal".into(),
            learning_rate: 0.02,
            ..ExperimentConfig::default()
        };
        let k = init
            .strip_prefix("step:")
            .map(|k| k.parse::<u64>().unwrap());
        config.rewind_step = k;
        let mut exp = Experiment::new(config).unwrap();
        let dense = exp.train(4).unwrap();
        let lottery = LotteryConfig {
            fraction: 0.2,
            output_rate: 0.5,
            ..LotteryConfig::default()
        };
        exp.prune(&lottery.spec().unwrap().prune).unwrap();
        match k {
            None => exp.rewind().unwrap(),
            Some(k) => exp.rewind_to(k).unwrap(),
        }
        // Retrain to where the dense run ended (epoch 4).
        let mut retrain = Vec::new();
        while exp.trainer.epoch() < 4 {
            retrain.extend(exp.train(1).unwrap());
        }
        for (line, run) in lines.iter().zip([&dense, &retrain]) {
            let last = run.last().unwrap();
            // serde_json reads a printed f64 back to within an ulp.
            let same = |key: &str, x: f64| {
                let v = line[key].as_f64().unwrap();
                assert!(
                    (v - x).abs() <= 2.0 * f64::EPSILON * x.abs().max(1.0),
                    "{init} {key}: {v} vs {x}"
                );
            };
            same("test_accuracy", last.test_accuracy);
            let best = run
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    a.1.val_loss
                        .partial_cmp(&b.1.val_loss)
                        .unwrap()
                        .then(a.0.cmp(&b.0))
                })
                .unwrap()
                .1;
            assert_eq!(
                line["early_stop_step"].as_u64().unwrap(),
                best.step,
                "{init}"
            );
            same("early_stop_test_accuracy", best.test_accuracy);
            same(
                "density",
                if run == &dense {
                    1.0
                } else {
                    exp.model.density()
                },
            );
        }
    }
}

/// θ₀ goes on through `prune` only with `--init`: the pruned model's θ₀ file equals the
/// trained model's bit for bit; without `--init`, `--with-init` says θ₀ is unknown.
#[test]
fn prune_carries_theta0_from_init_and_refuses_with_init_without_it() {
    let dir = std::env::temp_dir().join(format!("pp-cli-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (model, init, out) = (
        path("m.safetensors"),
        path("m.init.safetensors"),
        path("p.safetensors"),
    );
    let trained = run(&["train", "--epochs", "1", "--save", &model, "--with-init"]);
    assert!(trained.status.success());
    let prune = |extra: &[&str]| {
        let mut args = vec![
            "prune",
            "--model",
            &model,
            "--fraction",
            "0.5",
            "--out",
            &out,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let ok = prune(&["--init", &init, "--with-init"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let theta0 = |file: &str| {
        let bytes = std::fs::read(file).unwrap();
        pruning_playground::io::import_safetensors(&bytes, &Default::default())
            .unwrap()
            .params()
    };
    assert_eq!(theta0(&path("p.init.safetensors")), theta0(&init));
    let refused = prune(&["--with-init"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("θ₀ is unknown") && err.contains("--init"),
        "{err}"
    );
    let wrong = prune(&["--init", &model]);
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains(&model) && err.contains("model's weights"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
