//! The `data` and `predict` subcommands: datasets out to PyTorch, models in from safetensors.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pruning_playground::config::PruneConfig;
use pruning_playground::io::{self, ImportOptions, MAX_FILE_BYTES};
use pruning_playground::model::Activation;
use pruning_playground::train::{self, Loss};

use super::DatasetArgs;

/// `data`: write a dataset as safetensors.
#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(flatten)]
    data: DatasetArgs,
    /// Output file (x_train F32 [n, features], y_train I64 [n], x_test, y_test).
    #[arg(long)]
    out: PathBuf,
}

/// Which part of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Split {
    /// The training samples.
    Train,
    /// The test samples.
    Test,
}

/// `predict`: run a saved model on a dataset split.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model file (safetensors) written by this tool or by PyTorch's `save_file`.
    #[arg(long)]
    model: PathBuf,
    /// Hidden activation (relu, tanh, sigmoid, linear): required for a file without metadata,
    /// checked against the metadata otherwise.
    #[arg(long)]
    activation: Option<String>,
    /// Output activation (default for a file without metadata: linear).
    #[arg(long)]
    output_activation: Option<String>,
    #[command(flatten)]
    data: DatasetArgs,
    /// Which split to run on.
    #[arg(long, value_enum, default_value_t = Split::Test)]
    split: Split,
    /// Print one JSON array of output rows (one array of logits per sample) and nothing else.
    #[arg(long)]
    json: bool,
}

/// Builds the dataset and writes it to `--out`.
pub fn data(args: &DataArgs) -> Result<(), String> {
    let config = args.data.config()?;
    let mut ds = config.build().map_err(|e| e.to_string())?;
    // The engine's validation split (Experiment::with_data carves the same one): x_train holds
    // only the rows trained on, x_val / y_val the held-out ones.
    pruning_playground::data::split_validation(&mut ds, config.validation, config.seed)
        .map_err(|e| e.to_string())?;
    let bytes = io::dataset_safetensors(&ds).map_err(|e| e.to_string())?;
    std::fs::write(&args.out, bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!(
        "wrote {}: {}, {} train / {} validation / {} test samples, {} features, {} classes",
        args.out.display(),
        ds.name,
        ds.x_train.nrows(),
        ds.x_val.nrows(),
        ds.x_test.nrows(),
        ds.n_features(),
        ds.n_classes
    );
    Ok(())
}

fn parse_activation(flag: &str, name: &Option<String>) -> Result<Option<Activation>, String> {
    name.as_deref()
        .map(|n| Activation::parse(n).map_err(|e| format!("--{flag}: {e}")))
        .transpose()
}

/// Reads and imports a model file, checking its size first.
fn read_file(file: &std::path::Path) -> Result<Vec<u8>, String> {
    let path = file.display();
    let size = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {path}: {e}"))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "{path}: the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes (64 MiB)"
        ));
    }
    std::fs::read(file).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Reads a model file and, if `init` names one, its θ₀ file (never picked up unasked: a file
/// beside the model may be stale). Without θ₀ the model loads with θ₀ unknown.
fn load_model(
    file: &std::path::Path,
    init: Option<&std::path::Path>,
    activation: &Option<String>,
    output_activation: &Option<String>,
) -> Result<(pruning_playground::model::Mlp, Vec<u8>), String> {
    let bytes = read_file(file)?;
    let init_bytes = init.map(read_file).transpose()?;
    let opts = ImportOptions {
        activation: parse_activation("activation", activation)?,
        output_activation: parse_activation("output-activation", output_activation)?,
    };
    let model = io::import_with_init(&bytes, init_bytes.as_deref(), &opts).map_err(|e| {
        let e = e.to_string();
        match init {
            Some(i) if e.contains("θ₀ file: ") => {
                format!("{}: {}", i.display(), e.replacen("θ₀ file: ", "", 1))
            }
            _ => format!("{}: {e}", file.display()),
        }
    })?;
    Ok((model, bytes))
}

/// How model files are written (`train --save`, `lottery --export`, `prune --out`).
#[derive(Debug, Args)]
pub struct SaveArgs {
    /// How pruned layers are written: pruned (torch.nn.utils.prune's weight_orig and
    /// weight_mask; load after prune.identity) or plain (the masked weights as `weight`, as after
    /// prune.remove; loads into a bare nn.Sequential with strict=True).
    #[arg(long, default_value = "pruned")]
    form: String,
    /// Also write θ₀ beside each model file, as NAME.init.safetensors (a plain state_dict).
    #[arg(long)]
    with_init: bool,
}

/// Writes a model file (and, with `--with-init`, θ₀ beside it).
pub fn save_model(
    model: &pruning_playground::model::Mlp,
    loss: Loss,
    file: &std::path::Path,
    save: &SaveArgs,
) -> Result<(), String> {
    let form = io::ExportForm::parse(&save.form).map_err(|e| format!("--form: {e}"))?;
    let bytes = io::export_safetensors(
        model,
        &io::ExportOptions {
            loss: Some(loss),
            form,
            include_init: false,
        },
    )
    .map_err(|e| e.to_string())?;
    let write = |file: &std::path::Path, bytes: Vec<u8>| {
        std::fs::write(file, bytes).map_err(|e| format!("cannot write {}: {e}", file.display()))
    };
    write(file, bytes)?;
    if save.with_init {
        let init = io::export_init_safetensors(model)
            .map_err(|e| format!("--with-init: {e} (give it with --init FILE)"))?;
        write(&file.with_extension("init.safetensors"), init)?;
    }
    Ok(())
}

/// `prune`: one pruning step on the weights in a model file.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// The model file to prune (safetensors, from this tool or PyTorch).
    #[arg(long)]
    model: PathBuf,
    /// The model's θ₀ file (NAME.init.safetensors, written by --with-init), so that θ₀ goes on
    /// with the pruned model (--with-init). Read only when given, never picked up from beside the
    /// model.
    #[arg(long)]
    init: Option<PathBuf>,
    /// Hidden activation, for a file without metadata.
    #[arg(long)]
    activation: Option<String>,
    /// Output activation, for a file without metadata (default linear).
    #[arg(long)]
    output_activation: Option<String>,
    /// Fraction of the remaining weights (or neurons) to prune.
    #[arg(long, conflicts_with_all = ["count", "pattern"])]
    fraction: Option<f64>,
    /// Or an absolute number of weights (or neurons) to prune: exactly that many in total, the
    /// output layer included. With --output-rate below 1 the output layer takes the share its
    /// remaining weights × the rate earn (largest remainder), so --count 17 --output-rate 0.5
    /// prunes 17.
    #[arg(long, conflicts_with = "pattern")]
    count: Option<usize>,
    /// Instead of an amount: N:M semi-structured sparsity (2:4: in every group of 4 consecutive
    /// inputs of a neuron at most 2 weights stay, the lowest --score go, ties by index), in every
    /// layer; weights already masked count as gone. --scope and --output-rate are not used.
    #[arg(long, visible_alias = "prune-pattern", conflicts_with = "layer_rates")]
    pattern: Option<String>,
    /// weights (unstructured) or neurons (structured).
    #[arg(long, default_value_t = PruneConfig::default().structure)]
    structure: String,
    /// magnitude, lp:P, lp:P:raw, random or synflow (one round, data-free) (neurons: norms over
    /// √fan-in unless :raw; snip and grasp need data: use train --prune-at-init, the lottery or
    /// the browser).
    #[arg(long, default_value_t = PruneConfig::default().score)]
    score: String,
    /// global or layer.
    #[arg(long, default_value_t = PruneConfig::default().scope)]
    scope: String,
    /// The output layer is pruned at fraction × output-rate, ranked on its own (0 = never; 1 =
    /// like the other layers). Fractions round as torch's: half to even.
    #[arg(long, default_value_t = PruneConfig::default().output_rate)]
    output_rate: f64,
    /// A rate per layer before the output (neurons: per hidden layer), comma-separated, with
    /// --scope layer: each layer loses fraction × rate of its remaining entries; 0 leaves it dense.
    #[arg(long, value_delimiter = ',')]
    layer_rates: Vec<f64>,
    /// Seed of the random score.
    #[arg(long, default_value_t = PruneConfig::default().seed)]
    seed: u64,
    /// Where to write the pruned model.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    save: SaveArgs,
}

/// Loads a model, prunes it once and writes it back out.
pub fn prune(args: &PruneArgs) -> Result<(), String> {
    let (mut model, bytes) = load_model(
        &args.model,
        args.init.as_deref(),
        &args.activation,
        &args.output_activation,
    )?;
    let spec = PruneConfig {
        structure: args.structure.clone(),
        score: args.score.clone(),
        scope: args.scope.clone(),
        fraction: args.fraction,
        count: args.count,
        output_rate: args.output_rate,
        layer_rates: args.layer_rates.clone(),
        seed: args.seed,
        pattern: args.pattern.clone(),
    }
    .spec()
    .map_err(|e| e.to_string())?;
    let report =
        pruning_playground::prune::prune(&mut model, &spec, None).map_err(|e| e.to_string())?;
    save_model(&model, file_loss(&bytes)?, &args.out, &args.save)?;
    let layers: Vec<String> = report
        .layer_density
        .iter()
        .map(|d| format!("{:.1}%", 100.0 * d))
        .collect();
    println!(
        "pruned {} {}: {} remain; density {:.2}% (layers {}); wrote {}",
        report.removed,
        report.structure.name(),
        report.remaining,
        100.0 * report.density,
        layers.join(" / "),
        args.out.display()
    );
    if let Some(p) = spec.pattern {
        let cost = pruning_playground::prune::nm::hardware_cost(&model, p);
        println!(
            "on hardware with {} support: {} of {} multiply-adds, {} bytes of metadata",
            p.name(),
            cost.sparse,
            cost.dense,
            cost.metadata_bytes
        );
    }
    Ok(())
}

/// The loss named in a model file's metadata (the default without one).
fn file_loss(bytes: &[u8]) -> Result<Loss, String> {
    match io::read_metadata(bytes)
        .map_err(|e| e.to_string())?
        .get("loss")
    {
        Some(name) => Loss::parse(name).map_err(|e| e.to_string()),
        None => Ok(Loss::default()),
    }
}

/// Loads the model, runs it on the split and prints the outputs (`--json`) or the accuracy.
pub fn predict(args: &PredictArgs) -> Result<(), String> {
    let (model, bytes) = load_model(&args.model, None, &args.activation, &args.output_activation)?;
    let path = args.model.display();
    let loss = match io::read_metadata(&bytes)
        .map_err(|e| format!("{path}: {e}"))?
        .get("loss")
    {
        Some(name) => Some(Loss::parse(name).map_err(|e| format!("{path}: metadata: {e}"))?),
        None => None,
    };

    let ds = args.data.config()?.build().map_err(|e| e.to_string())?;
    let (x, y) = match args.split {
        Split::Train => (&ds.x_train, &ds.y_train),
        Split::Test => (&ds.x_test, &ds.y_test),
    };
    let inputs = model.widths()[0];
    if x.ncols() != inputs {
        return Err(format!(
            "the model takes {inputs} inputs but dataset {} has {} features",
            ds.name,
            x.ncols()
        ));
    }
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    if args.json {
        let a = model.forward(x.view()).map_err(|e| e.to_string())?;
        let rows: Vec<Vec<f32>> = a.outer_iter().map(|r| r.to_vec()).collect();
        serde_json::to_writer(&mut out, &rows).map_err(|e| e.to_string())?;
        writeln!(out).map_err(|e| e.to_string())?;
    } else {
        let outputs = *model.widths().last().expect("a model has layers");
        if outputs != ds.n_classes && outputs != 1 {
            return Err(format!(
                "the model has {outputs} outputs but dataset {} has {} classes",
                ds.name, ds.n_classes
            ));
        }
        let e = train::evaluate(&model, x.view(), y, loss.unwrap_or_default());
        let loss_text = match loss {
            Some(l) => format!(", {} loss {:.4}", l.name(), e.loss),
            None => String::new(),
        };
        writeln!(
            out,
            "{} {} split: {} samples, accuracy {:.2}%{loss_text}; model {:?}, density {:.1}%",
            ds.name,
            if args.split == Split::Train {
                "train"
            } else {
                "test"
            },
            x.nrows(),
            100.0 * e.accuracy,
            model.widths(),
            100.0 * model.density()
        )
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
