//! `sensitivity`: train a dense network as `train` does, then scan each layer's accuracy against
//! its sparsity (src/prune/sensitivity.rs) on the validation split.

use std::io::Write;

use clap::Args;
use pruning_playground::experiment::Experiment;
use pruning_playground::prune::sensitivity::{rates_for, sparsities_within};
use pruning_playground::prune::Score;

use super::ExperimentArgs;

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    exp: ExperimentArgs,
    /// Epochs to train before the scan.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// The sparsities each layer is pruned to, one at a time (fractions of the layer's weights).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"
    )]
    sparsities: Vec<f64>,
    /// The score that ranks each layer's weights: magnitude, lp:P, random or snip.
    #[arg(long, default_value = "magnitude")]
    score: String,
    /// Seed of the random score.
    #[arg(long, default_value_t = 0)]
    score_seed: u64,
    /// Also print, per layer, the largest sparsity before the first that loses more than this
    /// many points of accuracy (e.g. 1 = one point).
    #[arg(long)]
    max_drop: Option<f64>,
    /// Print one JSON object (split, base, curves, and with --max-drop the sparsities and the
    /// per-layer rates that prune to them at layer scope, fraction 1) and nothing else.
    #[arg(long)]
    json: bool,
}

pub fn sensitivity(args: &SensitivityArgs) -> Result<(), String> {
    let score = Score::parse(&args.score).map_err(|e| e.to_string())?;
    let mut exp = Experiment::new(args.exp.config()?).map_err(|e| e.to_string())?;
    exp.train(args.epochs).map_err(|e| e.to_string())?;
    let s = exp
        .sensitivity(&args.sparsities, score, args.score_seed)
        .map_err(|e| e.to_string())?;
    let within = args
        .max_drop
        .map(|d| sparsities_within(&s.curves, s.base.accuracy, d / 100.0));
    let out = std::io::stdout();
    let mut out = out.lock();
    let w = |out: &mut std::io::StdoutLock, line: String| {
        writeln!(out, "{line}").map_err(|e| e.to_string())
    };
    if args.json {
        let mut v = serde_json::to_value(&s).map_err(|e| e.to_string())?;
        if let Some(within) = &within {
            v["sparsities_within"] = serde_json::json!(within);
            v["rates_within"] = serde_json::json!(rates_for(&s.curves, within));
        }
        return w(&mut out, v.to_string());
    }
    w(
        &mut out,
        format!(
            "{}: trained {} epochs; on the {} split before the scan: accuracy {:.2}%",
            exp.data.name,
            args.epochs,
            s.split,
            100.0 * s.base.accuracy
        ),
    )?;
    let header: String = args
        .sparsities
        .iter()
        .map(|p| format!("{:>7}", format!("{:.0}%", 100.0 * p)))
        .collect();
    w(&mut out, format!("layer  weights {header}"))?;
    for c in &s.curves {
        let row: String = c
            .points
            .iter()
            .map(|p| format!("{:>7.2}", 100.0 * p.accuracy))
            .collect();
        w(&mut out, format!("{:>5}  {:>7} {row}", c.layer, c.weights))?;
    }
    if let (Some(within), Some(d)) = (within, args.max_drop) {
        let list: Vec<String> = within
            .iter()
            .map(|s| format!("{:.0}%", 100.0 * s))
            .collect();
        w(
            &mut out,
            format!(
                "sparsity per layer losing at most {d} points: {}",
                list.join(", ")
            ),
        )?;
    }
    Ok(())
}
