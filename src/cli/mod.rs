//! Command-line parsing (clap) and the subcommands. Native only.

use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use pruning_playground::data::DatasetKind;
use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig, LotteryConfig};
use pruning_playground::lottery::trials::{self, LevelSummary, Spread};
use pruning_playground::lottery::{
    Agreement, Branch, LevelResult, LotteryRunner, LotterySpec, Role, TicketStructure,
};
use pruning_playground::prune::{self, Score};
use pruning_playground::train::Loss;

mod compare;
mod io_cmds;
mod pai;
mod sensitivity;

/// Train and prune small MLPs; run lottery-ticket experiments.
#[derive(Debug, Parser)]
#[command(name = "pruning-playground", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a dense network and report metrics per epoch.
    Train(TrainArgs),
    /// Run a lottery-ticket experiment: train, prune, reset, retrain, level by level.
    Lottery(LotteryArgs),
    /// Print a Python script that reproduces the lottery experiment in PyTorch.
    Script(LotteryArgs),
    /// Write a dataset as safetensors for PyTorch (x_train, y_train, x_test, y_test).
    Data(io_cmds::DataArgs),
    /// Prune the weights in a model file once and write the result.
    Prune(io_cmds::PruneArgs),
    /// Train a dense network, then prune each layer alone to a range of sparsities and print
    /// its accuracy on the validation split: which layers can be pruned hard.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Pruning at initialization compared (Frankle et al. 2021): SNIP, GraSP, SynFlow,
    /// magnitude and random at a few densities, each beside its shuffled-mask and
    /// reinitialized-weights controls.
    Pai(pai::PaiArgs),
    /// Print a saved model's outputs (or accuracy) on a dataset split.
    Predict(io_cmds::PredictArgs),
    /// Compare runs side by side: the JSON lines of `train --json` or `lottery --json` outputs,
    /// their differing facts and their curves aligned in one table (or CSV).
    Compare(compare::CompareArgs),
}

/// Dataset flags shared by the subcommands that build data.
#[derive(Debug, Args)]
struct DatasetArgs {
    /// circle, xor, gauss, spiral, moons, mnist1d, digits, mnist (28×28, data/mnist.bin), or a path to a .csv file.
    #[arg(long, default_value_t = DataConfig::default().kind)]
    dataset: String,
    /// The CSV label column's name (default: the last column).
    #[arg(long)]
    label_column: Option<String>,
    /// Noise of the 2D toy sets, 0 to 0.5.
    #[arg(long, default_value_t = DataConfig::default().noise)]
    noise: f32,
    /// Fraction of samples used for training (toy sets, digits, CSV).
    #[arg(long, default_value_t = DataConfig::default().train_fraction)]
    train_fraction: f32,
    /// Samples of a toy set (train + test).
    #[arg(long, default_value_t = DataConfig::default().samples)]
    samples: usize,
    /// Seed of the data (when training, also of the initial weights and data order).
    #[arg(long, default_value_t = DataConfig::default().seed)]
    seed: u64,
    /// Fraction of the training samples held out for validation (early stopping), 0 to 0.5.
    #[arg(long, default_value_t = DataConfig::default().validation)]
    validation: f32,
}

impl DatasetArgs {
    fn config(&self) -> Result<DataConfig, String> {
        let (kind, csv) = if DatasetKind::parse(&self.dataset).is_ok() {
            (self.dataset.clone(), None)
        } else if self.dataset.ends_with(".csv") {
            let text = std::fs::read_to_string(&self.dataset)
                .map_err(|e| format!("cannot read {}: {e}", self.dataset))?;
            ("csv".to_string(), Some(text))
        } else {
            return Err(format!(
                "invalid dataset: {} ({} or a path ending in .csv)",
                self.dataset,
                DatasetKind::allowed()
            ));
        };
        Ok(DataConfig {
            kind,
            noise: self.noise,
            train_fraction: self.train_fraction,
            samples: self.samples,
            seed: self.seed,
            validation: self.validation,
            csv,
            label_column: self.label_column.clone(),
        })
    }
}

/// Dataset, architecture and optimizer flags shared by the subcommands that train.
#[derive(Debug, Args)]
struct ExperimentArgs {
    #[command(flatten)]
    data: DatasetArgs,
    /// Hidden layer widths, comma-separated (empty for logistic regression).
    #[arg(long, default_value = "8,8", value_delimiter = ',', num_args = 0..)]
    hidden: Vec<usize>,
    /// relu, tanh, sigmoid or linear.
    #[arg(long, default_value_t = ExperimentConfig::default().activation)]
    activation: String,
    /// Weight initializer: kaiming-normal, kaiming-uniform, glorot-normal, glorot-uniform or torch (nn.Linear default, biases too).
    #[arg(long, default_value_t = ExperimentConfig::default().init)]
    weight_init: String,
    /// cross-entropy or mse.
    #[arg(long, default_value_t = ExperimentConfig::default().loss)]
    loss: String,
    /// sgd, momentum or adam.
    #[arg(long, default_value_t = ExperimentConfig::default().optimizer)]
    optimizer: String,
    /// Momentum coefficient (with --optimizer momentum).
    #[arg(long, default_value_t = ExperimentConfig::default().momentum)]
    momentum: f32,
    /// Learning rate.
    #[arg(long, default_value_t = ExperimentConfig::default().learning_rate)]
    lr: f32,
    /// Mini-batch size.
    #[arg(long, default_value_t = ExperimentConfig::default().batch_size)]
    batch: usize,
    /// L1 penalty on weights.
    #[arg(long, default_value_t = ExperimentConfig::default().l1)]
    l1: f32,
    /// L2 penalty on weights.
    #[arg(long, default_value_t = ExperimentConfig::default().l2)]
    l2: f32,
    /// Augmentation: move each training image by a random offset of up to this many pixels each
    /// way, zero fill (0 to 3; 0 = off). Image data only (digits, mnist).
    #[arg(long, default_value_t = ExperimentConfig::default().shift)]
    shift: usize,
}

impl ExperimentArgs {
    fn config(&self) -> Result<ExperimentConfig, String> {
        Ok(ExperimentConfig {
            dataset: self.data.config()?,
            hidden: self.hidden.clone(),
            activation: self.activation.clone(),
            output_activation: None,
            init: self.weight_init.clone(),
            loss: self.loss.clone(),
            optimizer: self.optimizer.clone(),
            momentum: self.momentum,
            learning_rate: self.lr,
            batch_size: self.batch,
            l1: self.l1,
            l2: self.l2,
            seed: self.data.seed,
            rewind_step: None,
            shift: self.shift,
        })
    }
}

#[derive(Debug, Args)]
struct TrainArgs {
    #[command(flatten)]
    exp: ExperimentArgs,
    /// Epochs to train.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Print one JSON object per epoch on stdout and nothing else.
    #[arg(long)]
    json: bool,
    /// Save the trained model (safetensors, PyTorch names) to this file.
    #[arg(long)]
    save: Option<std::path::PathBuf>,
    /// Prune before any training (pruning at initialization): this fraction of the weights,
    /// ranked in one global ranking over all layers by --prune-score, computed at θ₀ (snip: on
    /// one mini-batch, the first batch (--batch rows) of the seeded order, as Lee et al. do;
    /// grasp: on the same batch; synflow: without data). The final count is one-shot pruning's: round(F × weights).
    #[arg(long)]
    prune_at_init: Option<f64>,
    /// The score of --prune-at-init: snip (|w · ∂L/∂w|), grasp (w · Hg, Wang et al. 2020),
    /// synflow (|w · ∂R/∂w|, data-free), magnitude (|θ₀|, the baseline) or random (the
    /// control). The Lp-norms are refused: at θ₀ they add nothing to magnitude.
    #[arg(long, default_value = "snip", requires = "prune_at_init")]
    prune_score: String,
    /// Rounds of --prune-at-init, each rescoring the masked network: round r keeps
    /// d^(r/N) of the weights (d = 1 − F, counts rounded half to even, the last one exact).
    /// Default: 100 for synflow (Tanaka et al.), 1 for snip and random.
    #[arg(long, requires = "prune_at_init")]
    prune_rounds: Option<usize>,
    #[command(flatten)]
    save_args: io_cmds::SaveArgs,
}

#[derive(Debug, Args)]
struct LotteryArgs {
    /// A named experiment whose settings replace the defaults of the flags not given:
    /// frankle-carbin-lenet (LeNet-300-100 on MNIST, Frankle & Carbin 2019).
    #[arg(long)]
    preset: Option<String>,
    #[command(flatten)]
    exp: ExperimentArgs,
    /// Pruning levels after the dense level 0.
    // The CLI's lottery is longer than the config's default (3 levels of 10 epochs, the page's).
    #[arg(long, default_value_t = 10)]
    levels: usize,
    /// Fraction of the remaining weights (or neurons) pruned per level.
    #[arg(long, default_value_t = LotteryConfig::default().fraction)]
    fraction: f64,
    /// weights (unstructured) or neurons (structured).
    #[arg(long, default_value_t = LotteryConfig::default().structure)]
    structure: String,
    /// magnitude, lp:P, lp:P:raw, random, snip, grasp or synflow (one round per level) (neurons: norms
    /// over √fan-in unless :raw).
    #[arg(long, default_value_t = LotteryConfig::default().score)]
    score: String,
    /// global or layer.
    #[arg(long, default_value_t = LotteryConfig::default().scope)]
    scope: String,
    /// The output layer is pruned at fraction × output-rate (0 = never).
    #[arg(long, default_value_t = LotteryConfig::default().output_rate)]
    output_rate: f64,
    /// A rate per layer before the output (neurons: per hidden layer), comma-separated, with
    /// --scope layer: each level prunes fraction × rate of that layer; 0 leaves it dense.
    #[arg(long, value_delimiter = ',')]
    layer_rates: Vec<f64>,
    /// Instead of --fraction: N:M semi-structured sparsity (2:4: at most 2 of every 4
    /// consecutive inputs of a neuron stay, in every layer). Level L of --levels keeps
    /// M − round((M − N) · L / levels) per group (Python's round), the last level N: 2:4 over 2
    /// levels is 3:4, then 2:4. --scope and --output-rate are not used; weights only.
    #[arg(long, visible_alias = "prune-pattern", conflicts_with_all = ["fraction", "layer_rates"])]
    pattern: Option<String>,
    /// What survivors are reset to before retraining: keep, init, step:K or reinit.
    #[arg(long, default_value_t = LotteryConfig::default().init)]
    init: String,
    /// Control branches, comma-separated: random-reinit, random-mask (empty for none).
    #[arg(long, value_delimiter = ',', num_args = 0.., default_values_t = LotteryConfig::default().controls)]
    controls: Vec<String>,
    /// Training epochs per level and branch.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// Run the whole experiment this many times, trial t with every seed moved by t, then print
    /// each (branch, level)'s mean, min and max over the trials (1 to 10).
    #[arg(long, default_value_t = LotteryConfig::default().trials)]
    trials: usize,
    /// Print one JSON object per (branch, level) on stdout and nothing else.
    #[arg(long)]
    json: bool,
    /// Write each level's trained model as DIR/<branch>-level-<n>.safetensors.
    #[arg(long)]
    export: Option<std::path::PathBuf>,
    #[command(flatten)]
    save: io_cmds::SaveArgs,
    /// Train the controls after the ticket in one thread (by default, with two or more cores,
    /// they train in a second thread beside it; the results are the same either way).
    #[arg(long)]
    serial: bool,
    /// Also find the ticket from this model seed (same data and settings, before the main run)
    /// and report each level's agreement with it (`mask_analysis.vs_other_seed`).
    #[arg(long)]
    compare_seed: Option<u64>,
}

/// Runs the CLI; every error becomes a message on stderr and exit status 1.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let sub = |name| {
        matches
            .subcommand_matches(name)
            .expect("the matched subcommand")
    };
    let result = match cli.command {
        Command::Train(args) => train(&args),
        Command::Lottery(mut args) => {
            apply_preset(&mut args, sub("lottery")).and_then(|()| lottery(&args))
        }
        Command::Script(mut args) => {
            apply_preset(&mut args, sub("script")).and_then(|()| script(&args))
        }
        Command::Data(args) => io_cmds::data(&args),
        Command::Predict(args) => io_cmds::predict(&args),
        Command::Prune(args) => io_cmds::prune(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Pai(args) => pai::pai(&args),
        Command::Compare(args) => compare::compare(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `train --prune-at-init F`: prunes the untrained network, globally, with a score that means
/// something at θ₀ (see `Score::prunes_untrained`), in `--prune-rounds` rounds on the
/// exponential schedule of `prune::exponential_keep_counts`, rescoring after every round.
fn prune_at_init(exp: &mut Experiment, args: &TrainArgs, fraction: f64) -> Result<String, String> {
    let config = |fraction: Option<f64>, count: Option<usize>| {
        pruning_playground::experiment::PruneConfig {
            structure: "weights".into(),
            score: args.prune_score.clone(),
            scope: "global".into(),
            fraction,
            count,
            output_rate: 1.0,
            layer_rates: Vec::new(),
            seed: args.exp.data.seed,
            pattern: None,
        }
        .spec()
        .map_err(|e| e.to_string())
    };
    let spec = config(Some(fraction), None)?;
    if !spec.score.prunes_untrained() {
        return Err(format!(
            "--prune-score {}: only snip, grasp (on one mini-batch), synflow (data-free), \
             magnitude or random can prune before training; {} scores rank trained weights: \
             train, then use prune or lottery",
            spec.score.name(),
            spec.score.name()
        ));
    }
    let default_rounds = if spec.score == Score::Synflow { 100 } else { 1 };
    let rounds = args.prune_rounds.unwrap_or(default_rounds);
    if rounds == 0 {
        return Err("--prune-rounds 0: the number of rounds must be at least 1".into());
    }
    let total = exp.model.n_alive();
    let keep =
        prune::exponential_keep_counts(total, fraction, rounds).map_err(|e| e.to_string())?;
    let mut alive = total;
    for k in keep {
        let spec = config(None, Some(alive - k))?;
        exp.prune(&spec).map_err(|e| e.to_string())?;
        alive = exp.model.n_alive();
    }
    let on = if spec.score.needs_data() {
        format!(
            "on the first mini-batch of {}",
            exp.trainer.config().batch_size
        )
    } else {
        "without data".into()
    };
    let weights = exp.model.n_weights();
    Ok(format!(
        "pruned {} of {} weights before training ({}, global, {on}{}): density {:.2}%",
        weights - alive,
        weights,
        spec.score.name(),
        if rounds == 1 {
            String::new()
        } else {
            format!(", {rounds} rounds")
        },
        100.0 * exp.model.density()
    ))
}

fn train(args: &TrainArgs) -> Result<(), String> {
    let mut exp = Experiment::new(args.exp.config()?).map_err(|e| e.to_string())?;
    let pruned = match args.prune_at_init {
        Some(f) => Some(prune_at_init(&mut exp, args, f)?),
        None => None,
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    if let Some(line) = pruned.filter(|_| !args.json) {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    if !args.json {
        let w = exp.model.widths();
        writeln!(
            out,
            "{}: {} train / {} test samples; network {:?}, {} weights",
            exp.data.name,
            exp.data.x_train.nrows(),
            exp.data.x_test.nrows(),
            w,
            exp.model.n_weights()
        )
        .map_err(|e| e.to_string())?;
    }
    for _ in 0..args.epochs {
        let m = exp.train(1).map_err(|e| e.to_string())?[0];
        let line = if args.json {
            serde_json::json!({
                "epoch": m.epoch,
                "train_loss": m.train_loss,
                "test_loss": m.test_loss,
                "train_accuracy": m.train_accuracy,
                "test_accuracy": m.test_accuracy,
                "val_loss": m.val_loss,
                "val_accuracy": m.val_accuracy,
            })
            .to_string()
        } else {
            format!(
                "epoch {:>4}  train loss {:.4}  test loss {:.4}  train acc {:.2}%  test acc {:.2}%",
                m.epoch,
                m.train_loss,
                m.test_loss,
                100.0 * m.train_accuracy,
                100.0 * m.test_accuracy
            )
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    if let Some(path) = &args.save {
        io_cmds::save_model(&exp.model, exp.trainer.config().loss, path, &args.save_args)?;
        if !args.json {
            writeln!(out, "saved {}", path.display()).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// `--preset NAME`: the preset's settings ([`pruning_playground::config::preset`]) replace the
/// value of every flag not given on the command line.
fn apply_preset(args: &mut LotteryArgs, m: &ArgMatches) -> Result<(), String> {
    let Some(name) = &args.preset else {
        return Ok(());
    };
    let (e, l) = pruning_playground::config::preset(name).map_err(|e| e.to_string())?;
    let given = |id: &str| m.value_source(id) == Some(ValueSource::CommandLine);
    macro_rules! unless_given {
        ($($id:literal: $field:expr => $value:expr;)*) => {
            $(if !given($id) { $field = $value; })*
        };
    }
    let (x, d) = (&mut args.exp, &e.dataset);
    unless_given! {
        "dataset": x.data.dataset => d.kind.clone();
        "noise": x.data.noise => d.noise;
        "train_fraction": x.data.train_fraction => d.train_fraction;
        "samples": x.data.samples => d.samples;
        "validation": x.data.validation => d.validation;
        "hidden": x.hidden => e.hidden.clone();
        "activation": x.activation => e.activation.clone();
        "weight_init": x.weight_init => e.init.clone();
        "loss": x.loss => e.loss.clone();
        "optimizer": x.optimizer => e.optimizer.clone();
        "momentum": x.momentum => e.momentum;
        "lr": x.lr => e.learning_rate;
        "batch": x.batch => e.batch_size;
        "l1": x.l1 => e.l1;
        "l2": x.l2 => e.l2;
        "shift": x.shift => e.shift;
        "levels": args.levels => l.levels;
        "fraction": args.fraction => l.fraction;
        "structure": args.structure => l.structure.clone();
        "score": args.score => l.score.clone();
        "scope": args.scope => l.scope.clone();
        "output_rate": args.output_rate => l.output_rate;
        "init": args.init => l.init.clone();
        "controls": args.controls => l.controls.clone();
        "epochs": args.epochs => l.epochs;
        "trials": args.trials => l.trials;
    }
    Ok(())
}

fn lottery_config(args: &LotteryArgs) -> LotteryConfig {
    LotteryConfig {
        levels: args.levels,
        fraction: args.fraction,
        structure: args.structure.clone(),
        score: args.score.clone(),
        scope: args.scope.clone(),
        output_rate: args.output_rate,
        layer_rates: args.layer_rates.clone(),
        pattern: args.pattern.clone(),
        init: args.init.clone(),
        controls: args
            .controls
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect(),
        epochs: args.epochs,
        seed: args.exp.data.seed,
        compare_seed: args.compare_seed,
        trials: args.trials,
    }
}

fn script(args: &LotteryArgs) -> Result<(), String> {
    let text = pruning_playground::io::pytorch_script(&args.exp.config()?, &lottery_config(args))
        .map_err(|e| e.to_string())?;
    print!("{text}");
    Ok(())
}

/// Which trial a line belongs to (only printed with `--trials` above 1).
#[derive(Debug, Clone, Copy)]
struct Trial {
    index: usize,
    seed: u64,
}

fn lottery(args: &LotteryArgs) -> Result<(), String> {
    let config = args.exp.config()?;
    let lottery = lottery_config(args);
    lottery.spec().map_err(|e| e.to_string())?;
    if lottery.trials > 1 && args.export.is_some() {
        return Err("--export writes one trial's models: use it without --trials".into());
    }
    let mut all = Vec::with_capacity(lottery.trials);
    for t in 0..lottery.trials {
        let (config, lottery) = trials::trial_configs(&config, &lottery, t);
        let trial = (lottery.trials > 1).then_some(Trial {
            index: t,
            seed: config.seed,
        });
        all.push(lottery_trial(config, &lottery, trial, args)?);
    }
    if lottery.trials > 1 {
        let out = std::io::stdout();
        let mut out = out.lock();
        if !args.json {
            writeln!(
                out,
                "summary over {} trials (mean [min, max]):",
                lottery.trials
            )
            .map_err(|e| e.to_string())?;
        }
        for s in trials::summarize(&all) {
            writeln!(out, "{}", summary_line(&s, args.json)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// One whole lottery experiment; prints its lines as they come and returns its results.
fn lottery_trial(
    mut config: ExperimentConfig,
    lottery: &LotteryConfig,
    trial: Option<Trial>,
    args: &LotteryArgs,
) -> Result<Vec<LevelResult>, String> {
    let spec = lottery.spec().map_err(|e| e.to_string())?;
    if let pruning_playground::lottery::Reset::Step(k) = spec.reset {
        config.rewind_step = Some(k);
    }
    let exp = Experiment::new(config).map_err(|e| e.to_string())?;
    let loss = exp.trainer.config().loss;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !args.serial && cores >= 2 && !spec.controls.is_empty() && spec.levels > 0 {
        return lottery_in_two_threads(&exp, spec, loss, trial, args);
    }
    let mut runner = exp.lottery(spec).map_err(|e| e.to_string())?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut printed = 0;
    while !runner.finished() {
        runner.step().map_err(|e| e.to_string())?;
        for r in &runner.results()[printed..] {
            writeln!(out, "{}", level_line(r, trial, args.json)).map_err(|e| e.to_string())?;
            export_level(&runner, r, loss, args)?;
        }
        printed = runner.results().len();
    }
    Ok(runner.results().to_vec())
}

/// Writes the runner's last finished model as `--export DIR/<branch>-level-<n>.safetensors`.
fn export_level(
    runner: &LotteryRunner,
    r: &LevelResult,
    loss: Loss,
    args: &LotteryArgs,
) -> Result<(), String> {
    if let (Some(dir), Some(model)) = (&args.export, runner.last_finished_model()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let file = dir.join(format!("{}-level-{}.safetensors", r.branch.name(), r.level));
        io_cmds::save_model(model, loss, &file, &args.save)?;
    }
    Ok(())
}

/// The lottery with the controls in a second thread, fed each ticket level's structure as soon
/// as it is pruned (see `pruning_playground::lottery`). Lines are printed in the one-thread
/// order: a result waits until every result before it in that order is printed.
fn lottery_in_two_threads(
    exp: &Experiment,
    spec: LotterySpec,
    loss: Loss,
    trial: Option<Trial>,
    args: &LotteryArgs,
) -> Result<Vec<LevelResult>, String> {
    let err = |e: pruning_playground::Error| e.to_string();
    let mut ticket = exp.lottery_part(spec.clone(), Role::Ticket).map_err(err)?;
    let mut controls = exp
        .lottery_part(spec.clone(), Role::Controls)
        .map_err(err)?;
    // The one-runner order: level 0's ticket, then per level the ticket and each control.
    let mut order = vec![(0, Branch::Ticket)];
    for level in 1..=spec.levels {
        order.push((level, Branch::Ticket));
        order.extend(spec.controls.iter().map(|&c| (level, c)));
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut waiting = std::collections::BTreeMap::new();
    let mut printed = Vec::with_capacity(order.len());
    let mut print = |r: LevelResult| -> Result<(), String> {
        waiting.insert((r.level, r.branch), r);
        while let Some(r) = order.get(printed.len()).and_then(|k| waiting.remove(k)) {
            writeln!(out, "{}", level_line(&r, trial, args.json)).map_err(|e| e.to_string())?;
            printed.push(r);
        }
        Ok(())
    };
    std::thread::scope(|scope| -> Result<(), String> {
        let (feed, fed) = std::sync::mpsc::channel::<TicketStructure>();
        let (done, results) = std::sync::mpsc::channel::<LevelResult>();
        let worker = scope.spawn(move || -> Result<(), String> {
            let mut sent = 0;
            while !controls.finished() {
                if controls.has_work() {
                    controls.step().map_err(err)?;
                } else {
                    // The ticket side stopped early (an error): nothing more will come.
                    let Ok(t) = fed.recv() else { return Ok(()) };
                    controls.feed_ticket(&t).map_err(err)?;
                }
                for r in &controls.results()[sent..] {
                    export_level(&controls, r, loss, args)?;
                    // The receiver is gone only if the ticket side failed; its error is reported.
                    let _ = done.send(r.clone());
                }
                sent = controls.results().len();
            }
            Ok(())
        });
        let mut fed_level = 0;
        let mut sent = 0;
        while !ticket.finished() {
            ticket.step().map_err(err)?;
            if let Some(t) = ticket.ticket_structure().filter(|t| t.level > fed_level) {
                fed_level = t.level;
                let _ = feed.send(t);
            }
            for r in &ticket.results()[sent..] {
                export_level(&ticket, r, loss, args)?;
                print(r.clone())?;
            }
            sent = ticket.results().len();
            while let Ok(r) = results.try_recv() {
                print(r)?;
            }
        }
        drop(feed);
        for r in results {
            print(r)?;
        }
        worker
            .join()
            .map_err(|_| "the controls' thread failed".to_string())?
    })?;
    Ok(printed)
}

fn level_line(r: &LevelResult, trial: Option<Trial>, json: bool) -> String {
    if json {
        let mut line = serde_json::json!({
            "branch": r.branch.name(),
            "level": r.level,
            "density": r.density,
            "layer_density": r.layer_density,
            "test_accuracy": r.test_accuracy,
            "last_step": r.epochs.last().map(|m| m.step),
            "early_stop_epoch": r.early_stop_epoch,
            "early_stop_step": r.early_stop_step,
            "early_stop_test_accuracy": r.early_stop_test_accuracy,
            "mask_analysis": r.mask_analysis,
            "diverged": r.diverged,
        });
        if let Some(t) = trial {
            line["trial"] = t.index.into();
            line["seed"] = t.seed.into();
        }
        return line.to_string();
    }
    let layers: Vec<String> = r
        .layer_density
        .iter()
        .map(|d| format!("{:.1}%", 100.0 * d))
        .collect();
    let stop = match (r.early_stop_test_accuracy, r.early_stop_epoch) {
        (Some(acc), Some(epoch)) => {
            format!("  early stop {:.2}% @ epoch {epoch}", 100.0 * acc)
        }
        _ => String::new(),
    };
    let agree = |name: &str, a: &Option<Agreement>| {
        a.as_ref().map_or(String::new(), |a| {
            format!("  {name} {:.2} (chance {:.2})", a.overall, a.chance)
        })
    };
    let masks = r.mask_analysis.as_ref().map_or(String::new(), |m| {
        format!(
            "{}{}{}",
            agree("agree random", &Some(m.vs_random_mask.clone())),
            agree("|θ₀|-top", &m.vs_init_magnitude),
            agree("other seed", &m.vs_other_seed)
        )
    });
    format!(
        "{}{:<13} level {:>2}  density {:>6.2}% [{}]  test acc {:.2}%{stop}{masks}{}",
        trial.map_or(String::new(), |t| format!(
            "trial {} (seed {})  ",
            t.index, t.seed
        )),
        r.branch.name(),
        r.level,
        100.0 * r.density,
        layers.join(" "),
        100.0 * r.test_accuracy,
        if r.diverged { "  (diverged)" } else { "" }
    )
}

/// One (branch, level) over the trials: JSON (`"summary": true`, each quantity as
/// `{mean, min, max}`) or a line of text.
fn summary_line(s: &LevelSummary, json: bool) -> String {
    if json {
        return serde_json::json!({
            "summary": true,
            "branch": s.branch.name(),
            "level": s.level,
            "trials": s.trials,
            "density": s.density.mean,
            "test_accuracy": s.test_accuracy,
            "early_stop_test_accuracy": s.early_stop_test_accuracy,
            "early_stop_epoch": s.early_stop_epoch,
            "early_stop_step": s.early_stop_step,
        })
        .to_string();
    }
    let pct = |x: &Spread| {
        format!(
            "{:.2}% [{:.2}, {:.2}]",
            100.0 * x.mean,
            100.0 * x.min,
            100.0 * x.max
        )
    };
    let stop = match (&s.early_stop_test_accuracy, &s.early_stop_epoch) {
        (Some(acc), Some(e)) => format!(
            "  early stop {} @ epoch {:.1} [{}, {}]",
            pct(acc),
            e.mean,
            e.min,
            e.max
        ),
        _ => String::new(),
    };
    format!(
        "{:<13} level {:>2}  density {:>6.2}%  test acc {}{stop}",
        s.branch.name(),
        s.level,
        100.0 * s.density.mean,
        pct(&s.test_accuracy)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `--preset` sets every flag not given; a flag given on the command line wins.
    #[test]
    fn a_preset_fills_the_flags_not_given() {
        let parse = |argv: &[&str]| {
            let m = Cli::command().try_get_matches_from(argv).unwrap();
            let Command::Lottery(mut args) = Cli::from_arg_matches(&m).unwrap().command else {
                panic!("not the lottery command");
            };
            apply_preset(&mut args, m.subcommand_matches("lottery").unwrap())?;
            Ok::<_, String>((args.exp.config().unwrap(), lottery_config(&args)))
        };
        let name = pruning_playground::config::FRANKLE_CARBIN;
        let (e, l) = pruning_playground::config::preset(name).unwrap();
        let argv = ["pruning-playground", "lottery", "--preset", name];
        assert_eq!(parse(&argv).unwrap(), (e.clone(), l.clone()));
        let mut more = argv.to_vec();
        more.extend(["--epochs", "2", "--lr", "0.01", "--seed", "4"]);
        let (e2, l2) = parse(&more).unwrap();
        assert_eq!(
            (l2.epochs, e2.learning_rate, e2.seed, l2.seed),
            (2, 0.01, 4, 4)
        );
        assert_eq!((e2.hidden, l2.levels), (e.hidden, l.levels));
        let err = parse(&["pruning-playground", "lottery", "--preset", "nope"]).unwrap_err();
        assert!(err.contains(name), "{err}");
    }

    /// The flags' defaults are the settings structs' (`--hidden` is written as text, the one
    /// default clap cannot take from a value; `--levels` and `--epochs` are the CLI's own).
    #[test]
    fn flag_defaults_are_the_config_defaults() {
        let cli = Cli::try_parse_from(["pruning-playground", "lottery"]).unwrap();
        let Command::Lottery(args) = cli.command else {
            panic!("not the lottery command");
        };
        assert_eq!(args.exp.config().unwrap(), ExperimentConfig::default());
        let c = lottery_config(&args);
        assert_eq!(
            LotteryConfig {
                levels: LotteryConfig::default().levels,
                epochs: LotteryConfig::default().epochs,
                ..c
            },
            LotteryConfig::default()
        );
    }
}
