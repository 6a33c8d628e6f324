//! `compare`: runs side by side. A run is a file of the JSON lines `train --json` or
//! `lottery --json` prints; each becomes named curves (train: loss and accuracy per epoch;
//! lottery: each branch's test accuracy against its density), aligned on their x (epoch, or
//! level) in one table, or written as long-format CSV (`run,series,x,y`, the page's export).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Files of JSON lines written by `train --json` or `lottery --json`, one run each.
    #[arg(required = true, num_args = 1..)]
    files: Vec<PathBuf>,
    /// Write the curves as CSV (run,series,x,y) to this file instead of printing the table.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// One point of a curve: x is the epoch (train) or the density (lottery); `level` aligns
/// lottery points across runs whose densities differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub series: String,
    pub x: f64,
    pub y: f64,
    pub level: Option<u64>,
}

/// A run read from one file: its name (the file's stem), what its lines say about how it was
/// run (`facts`: the kind, epochs, levels, branches, trials) and its curves.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub name: String,
    pub facts: BTreeMap<String, String>,
    pub points: Vec<Point>,
}

const TRAIN_SERIES: [&str; 6] = [
    "train_loss",
    "val_loss",
    "test_loss",
    "train_accuracy",
    "val_accuracy",
    "test_accuracy",
];

/// Reads one run from the text of a `train --json` or `lottery --json` output. With
/// `--trials`, the summary lines (the means over trials) are the curve.
pub fn parse_run(name: &str, text: &str) -> Result<Run, String> {
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{name}: line {}: not JSON: {e}", i + 1))?;
        if !v.is_object() {
            return Err(format!("{name}: line {}: not a JSON object", i + 1));
        }
        lines.push(v);
    }
    let num = |v: &serde_json::Value, key: &str, i: usize| {
        v[key]
            .as_f64()
            .ok_or_else(|| format!("{name}: line {}: no number \"{key}\"", i + 1))
    };
    let mut facts = BTreeMap::new();
    let mut points = Vec::new();
    let Some(first) = lines.first() else {
        return Err(format!(
            "{name}: no JSON lines (a train or lottery --json output)"
        ));
    };
    if first.get("epoch").is_some() {
        facts.insert("kind".into(), "train".into());
        facts.insert("epochs".into(), lines.len().to_string());
        for (i, v) in lines.iter().enumerate() {
            let epoch = num(v, "epoch", i)?;
            for s in TRAIN_SERIES {
                // val_* are null without a validation split: that curve is absent.
                if let Some(y) = v[s].as_f64() {
                    points.push(Point {
                        series: s.into(),
                        x: epoch,
                        y,
                        level: None,
                    });
                }
            }
        }
    } else if first.get("branch").is_some() {
        facts.insert("kind".into(), "lottery".into());
        let summaries = lines.iter().any(|v| v["summary"] == true);
        let mut branches = BTreeSet::new();
        let mut levels = BTreeSet::new();
        let mut trials = BTreeSet::new();
        for (i, v) in lines.iter().enumerate() {
            if let Some(t) = v["trial"].as_u64() {
                trials.insert(t);
            }
            if (v["summary"] == true) != summaries {
                continue;
            }
            let branch = v["branch"]
                .as_str()
                .ok_or_else(|| format!("{name}: line {}: no \"branch\"", i + 1))?;
            let level = v["level"]
                .as_u64()
                .ok_or_else(|| format!("{name}: line {}: no \"level\"", i + 1))?;
            let accuracy = match &v["test_accuracy"] {
                serde_json::Value::Object(spread) => spread.get("mean").and_then(|m| m.as_f64()),
                other => other.as_f64(),
            }
            .ok_or_else(|| format!("{name}: line {}: no number \"test_accuracy\"", i + 1))?;
            branches.insert(branch.to_string());
            levels.insert(level);
            points.push(Point {
                series: branch.into(),
                x: num(v, "density", i)?,
                y: accuracy,
                level: Some(level),
            });
        }
        facts.insert("levels".into(), levels.len().to_string());
        facts.insert(
            "branches".into(),
            branches.into_iter().collect::<Vec<_>>().join(","),
        );
        facts.insert("trials".into(), trials.len().max(1).to_string());
    } else {
        return Err(format!(
            "{name}: line 1 has neither \"epoch\" (train --json) nor \"branch\" (lottery --json)"
        ));
    }
    Ok(Run {
        name: name.into(),
        facts,
        points,
    })
}

/// The facts whose values are not the same in every run (a fact a run lacks counts as "–").
pub fn differing(runs: &[Run]) -> Vec<String> {
    let keys: BTreeSet<&String> = runs.iter().flat_map(|r| r.facts.keys()).collect();
    keys.into_iter()
        .filter(|k| {
            let values: BTreeSet<Option<&String>> = runs.iter().map(|r| r.facts.get(*k)).collect();
            values.len() > 1
        })
        .cloned()
        .collect()
}

/// Long-format CSV: one row per point, `run,series,x,y` (x: epoch or density).
pub fn to_csv(runs: &[Run]) -> String {
    let mut out = String::from("run,series,x,y\n");
    for r in runs {
        for p in &r.points {
            out.push_str(&format!(
                "{},{},{},{}\n",
                quote(&r.name),
                p.series,
                p.x,
                p.y
            ));
        }
    }
    out
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The curves aligned on their x: one row per epoch (train) or level (lottery), one column per
/// (run, series); lottery cells read `accuracy% @ density%`. Cells a run lacks are "–".
pub fn table(runs: &[Run]) -> String {
    let mut columns: Vec<(usize, String)> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for p in &r.points {
            if seen.insert(p.series.clone()) {
                columns.push((i, p.series.clone()));
            }
        }
    }
    // Rows keyed by level (lottery) or epoch (train); both are whole numbers.
    let key = |p: &Point| p.level.map_or(("epoch", p.x as u64), |l| ("level", l));
    let rows: BTreeSet<(&str, u64)> = runs.iter().flat_map(|r| r.points.iter().map(key)).collect();
    let header: Vec<String> = std::iter::once("x".to_string())
        .chain(
            columns
                .iter()
                .map(|(i, s)| format!("{}:{s}", runs[*i].name)),
        )
        .collect();
    let mut grid = vec![header];
    for (kind, x) in rows {
        let mut row = vec![format!("{kind} {x}")];
        for (i, s) in &columns {
            let cell = runs[*i]
                .points
                .iter()
                .find(|p| &p.series == s && key(p) == (kind, x))
                .map_or("–".to_string(), |p| match p.level {
                    Some(_) => format!("{:.2}% @ {:.2}%", 100.0 * p.y, 100.0 * p.x),
                    None if s.ends_with("accuracy") => format!("{:.2}%", 100.0 * p.y),
                    None => format!("{:.4}", p.y),
                });
            row.push(cell);
        }
        grid.push(row);
    }
    let widths: Vec<usize> = (0..grid[0].len())
        .map(|c| grid.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    grid.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}

fn read_run(path: &Path) -> Result<Run, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    parse_run(&name, &text)
}

pub fn compare(args: &CompareArgs) -> Result<(), String> {
    let runs = args
        .files
        .iter()
        .map(|p| read_run(p))
        .collect::<Result<Vec<_>, _>>()?;
    let names: BTreeSet<&String> = runs.iter().map(|r| &r.name).collect();
    if names.len() < runs.len() {
        return Err(
            "two files have the same name (stem): rename one so the runs can be told apart".into(),
        );
    }
    if let Some(path) = &args.csv {
        return std::fs::write(path, to_csv(&runs))
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut text = String::new();
    let diff = differing(&runs);
    if diff.is_empty() {
        text.push_str("the runs' files agree on kind, epochs, levels, branches and trials\n");
    }
    for key in diff {
        let values: Vec<String> = runs
            .iter()
            .map(|r| {
                format!(
                    "{}={}",
                    r.name,
                    r.facts.get(&key).map_or("–", |v| v.as_str())
                )
            })
            .collect();
        text.push_str(&format!("{key}: {}\n", values.join("  ")));
    }
    text.push('\n');
    text.push_str(&table(&runs));
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAIN: &str = r#"{"epoch":1,"train_loss":0.6,"test_loss":0.7,"train_accuracy":0.5,"test_accuracy":0.55,"val_loss":null,"val_accuracy":null}
{"epoch":2,"train_loss":0.4,"test_loss":0.5,"train_accuracy":0.8,"test_accuracy":0.75,"val_loss":null,"val_accuracy":null}
"#;

    #[test]
    fn a_train_output_becomes_one_curve_per_metric_without_the_absent_validation() {
        let r = parse_run("t", TRAIN).unwrap();
        assert_eq!(r.facts["kind"], "train");
        assert_eq!(r.facts["epochs"], "2");
        let series: BTreeSet<&str> = r.points.iter().map(|p| p.series.as_str()).collect();
        assert_eq!(
            series,
            BTreeSet::from(["train_loss", "test_loss", "train_accuracy", "test_accuracy"])
        );
        assert_eq!(r.points.len(), 8);
    }

    #[test]
    fn lottery_summaries_replace_the_trial_lines() {
        let text = r#"{"branch":"ticket","level":0,"density":1.0,"test_accuracy":0.9,"trial":0,"seed":0}
{"branch":"ticket","level":0,"density":1.0,"test_accuracy":0.7,"trial":1,"seed":1}
{"summary":true,"branch":"ticket","level":0,"trials":2,"density":1.0,"test_accuracy":{"mean":0.8,"min":0.7,"max":0.9}}
"#;
        let r = parse_run("l", text).unwrap();
        assert_eq!(r.facts["trials"], "2");
        assert_eq!(
            r.points,
            vec![Point {
                series: "ticket".into(),
                x: 1.0,
                y: 0.8,
                level: Some(0)
            }]
        );
    }

    #[test]
    fn bad_files_are_named_with_their_line() {
        let e = parse_run("f", "{\"epoch\":1}\nnot json\n").unwrap_err();
        assert!(e.starts_with("f: line 2: not JSON"), "{e}");
        let e = parse_run("f", "{\"what\":1}\n").unwrap_err();
        assert!(e.contains("neither \"epoch\""), "{e}");
        assert!(parse_run("f", "").unwrap_err().contains("no JSON lines"));
    }

    #[test]
    fn only_differing_facts_are_listed_and_csv_quotes_names() {
        let a = parse_run("a,1", TRAIN).unwrap();
        let b = parse_run("b", TRAIN.lines().next().unwrap()).unwrap();
        assert_eq!(differing(&[a.clone(), a.clone()]), Vec::<String>::new());
        assert_eq!(
            differing(&[a.clone(), b.clone()]),
            vec!["epochs".to_string()]
        );
        let csv = to_csv(&[a, b]);
        assert!(
            csv.starts_with("run,series,x,y\n\"a,1\",train_loss,1,0.6\n"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 1 + 8 + 4);
    }
}
