//! `compare` on real CLI outputs: a `train --json` and two `lottery --json` runs written to files,
//! read back side by side.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pp-compare-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes the JSON lines of a CLI run to `dir/name.jsonl` and returns the path and the lines.
fn save(dir: &std::path::Path, name: &str, args: &[&str]) -> (String, Vec<serde_json::Value>) {
    let text = stdout(&run(args));
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, &text).unwrap();
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (path.to_str().unwrap().to_string(), lines)
}

const LOTTERY: [&str; 8] = [
    "lottery",
    "--json",
    "--epochs",
    "2",
    "--fraction",
    "0.5",
    "--controls",
    "",
];

#[test]
fn two_lottery_runs_are_aligned_by_level_and_their_csv_holds_every_point() {
    let d = dir("lottery");
    let (global, g) = save(
        &d,
        "global",
        &[&LOTTERY[..], &["--levels", "2", "--scope", "global"]].concat(),
    );
    let (layer, l) = save(
        &d,
        "layer",
        &[&LOTTERY[..], &["--levels", "2", "--scope", "layer"]].concat(),
    );
    let csv_path = d.join("out.csv");
    let csv_arg = csv_path.to_str().unwrap();
    stdout(&run(&["compare", &global, &layer, "--csv", csv_arg]));
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "run,series,x,y");
    assert_eq!(rows.len(), 1 + g.len() + l.len());
    // Each CLI line is one CSV row: run, branch, density, test accuracy.
    for (name, lines) in [("global", &g), ("layer", &l)] {
        for v in lines {
            let row = format!(
                "{name},{},{},{}",
                v["branch"].as_str().unwrap(),
                v["density"].as_f64().unwrap(),
                v["test_accuracy"].as_f64().unwrap()
            );
            assert!(rows.contains(&row.as_str()), "{row} not in\n{csv}");
        }
    }
    let table = stdout(&run(&["compare", &global, &layer]));
    // Same kind, levels, branches and trials: nothing differs but the curves.
    assert!(table.starts_with("the runs' files agree"), "{table}");
    assert!(
        table.contains("global:ticket") && table.contains("layer:ticket"),
        "{table}"
    );
    let level_rows: Vec<&str> = table.lines().filter(|r| r.starts_with("level ")).collect();
    assert_eq!(level_rows.len(), g.len(), "one row per level:\n{table}");
}

#[test]
fn a_train_run_beside_a_lottery_run_lists_what_differs() {
    let d = dir("mixed");
    let (train, t) = save(&d, "dense", &["train", "--json", "--epochs", "3"]);
    let (lottery, _) = save(&d, "ticket", &[&LOTTERY[..], &["--levels", "1"]].concat());
    let table = stdout(&run(&["compare", &train, &lottery]));
    assert!(
        table.contains("kind: dense=train  ticket=lottery"),
        "{table}"
    );
    assert!(table.contains("epochs: dense=3  ticket=–"), "{table}");
    let acc = t[2]["test_accuracy"].as_f64().unwrap();
    let epoch3 = table.lines().find(|r| r.starts_with("epoch 3")).unwrap();
    assert!(epoch3.contains(&format!("{:.2}%", 100.0 * acc)), "{epoch3}");
}

#[test]
fn unreadable_or_foreign_files_fail_with_their_name() {
    let d = dir("bad");
    let junk = d.join("junk.jsonl");
    std::fs::write(&junk, "{\"epoch\": 1}\nnot json\n").unwrap();
    let out = run(&["compare", junk.to_str().unwrap(), "/nonexistent/x.jsonl"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk: line 2: not JSON"), "{err}");
    let missing = run(&["compare", "/nonexistent/x.jsonl"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/x.jsonl"));
}
