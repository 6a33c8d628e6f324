//! `pai`: pruning at initialization compared as Frankle et al. 2021 do (src/lottery/pai.rs):
//! each method prunes θ₀ to each density, trains, and reports the test accuracy at its
//! early-stopping epoch (least validation loss), beside its shuffled-mask and reinitialized-weights
//! controls.

use std::io::Write;

use clap::Args;
use pruning_playground::experiment::Experiment;
use pruning_playground::lottery::pai::{PaiControl, PaiRunner, PaiSpec};
use pruning_playground::prune::Score;

use super::ExperimentArgs;

#[derive(Debug, Args)]
pub struct PaiArgs {
    #[command(flatten)]
    exp: ExperimentArgs,
    /// The methods, each pruning θ₀ in one global ranking: snip, grasp, synflow, magnitude,
    /// random.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "snip,grasp,synflow,magnitude,random"
    )]
    methods: Vec<String>,
    /// Target densities in (0, 1] (alive weights over all weights).
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.2,0.1")]
    densities: Vec<f64>,
    /// The sanity checks beside each method: shuffle (the same per-layer densities, positions
    /// shuffled within each layer), reinit (the method's mask, weights drawn afresh); `none` for
    /// neither.
    #[arg(long, value_delimiter = ',', default_value = "shuffle,reinit")]
    controls: Vec<String>,
    /// Epochs each pruned network trains.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// SynFlow's pruning rounds at θ₀ (Tanaka et al. 2020 use 100).
    #[arg(long, default_value_t = 100)]
    synflow_rounds: usize,
    /// Seed of the random score, the shuffled masks and the reinitialized weights.
    #[arg(long, default_value_t = 0)]
    pai_seed: u64,
    /// Print one JSON object per run and nothing else.
    #[arg(long)]
    json: bool,
}

pub fn pai(args: &PaiArgs) -> Result<(), String> {
    let methods = args
        .methods
        .iter()
        .map(|m| Score::parse(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let controls = args
        .controls
        .iter()
        .filter(|c| c.as_str() != "none")
        .map(|c| PaiControl::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let exp = Experiment::new(args.exp.config()?).map_err(|e| e.to_string())?;
    let mut runner = PaiRunner::new(
        &exp,
        PaiSpec {
            methods,
            densities: args.densities.clone(),
            controls,
            epochs: args.epochs,
            synflow_rounds: args.synflow_rounds,
            seed: args.pai_seed,
        },
    )
    .map_err(|e| e.to_string())?;
    let out = std::io::stdout();
    let mut out = out.lock();
    if !args.json {
        writeln!(
            out,
            "{}: {} runs of {} epochs; test accuracy at the best validation epoch",
            exp.data.name,
            runner.total(),
            args.epochs
        )
        .map_err(|e| e.to_string())?;
        writeln!(out, "method     control  density  actual  best   test")
            .map_err(|e| e.to_string())?;
    }
    while let Some(run) = runner.step().map_err(|e| e.to_string())? {
        let line = if args.json {
            serde_json::to_string(run).map_err(|e| e.to_string())?
        } else {
            format!(
                "{:<10} {:<8} {:>7.4} {:>7.4} {:>4} {:>6.2}%",
                run.method,
                run.control.map_or("-", |c| c.name()),
                run.density,
                run.actual_density,
                run.best_epoch,
                100.0 * run.test_accuracy
            )
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
