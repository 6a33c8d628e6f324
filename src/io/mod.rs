//! PyTorch interop: models and datasets as [safetensors](https://github.com/huggingface/safetensors)
//! files.
//!
//! # Model files
//!
//! A model file holds what `state_dict()` of
//! `nn.Sequential(Linear, act, Linear, act, …, Linear)` holds, so that PyTorch loads it as is:
//!
//! | tensor | shape | when |
//! | --- | --- | --- |
//! | `{2l}.weight` | `[out, in]` F32 | layer `l` is dense (its mask is all ones), or every layer in [`ExportForm::Plain`] (pruned weights are 0) |
//! | `{2l}.weight_orig`, `{2l}.weight_mask` | `[out, in]` F32 | layer `l` is pruned, in [`ExportForm::Pruned`], as `torch.nn.utils.prune` names them (pruned weights are 0 in `weight_orig`; the mask is 0/1) |
//! | `{2l}.bias` | `[out]` F32 | always |
//! | `init.{2l}.weight`, `init.{2l}.bias` | as above | θ₀, only if [`ExportOptions::include_init`] (opt-in; torch's strict loading refuses them) |
//!
//! Hidden activations sit at the odd indices (`nn.Identity` for `linear`); a non-linear output
//! activation follows the last `Linear` and shifts nothing. In torch, a [`ExportForm::Plain`] file
//! loads into a bare `nn.Sequential` with `load_state_dict(strict=True)`; a
//! [`ExportForm::Pruned`] file after `prune.identity(layer, "weight")` on each layer that has a
//! `weight_mask`. θ₀ travels in a file of its own ([`export_init_safetensors`]): the same names
//! as the plain form, so it loads the same way.
//!
//! The safetensors `__metadata__` (string → string) holds `format` = `pruning-playground`,
//! `version` = `1`, `architecture` (JSON list of the current widths), `original_architecture`
//! (the widths before structured pruning), `activation`, `output_activation`, `init`, `seed`,
//! `neuron_ids` (JSON: per hidden layer, the original index of each neuron left), `density`
//! (informational) and, when known, `loss`. The late-rewinding snapshot is not saved.
//!
//! Import also reads a plain PyTorch `state_dict` saved with `safetensors.torch.save_file`: with
//! no `format: pruning-playground` metadata the widths come from the tensor shapes and the hidden
//! activation must be given in [`ImportOptions::activation`].
//!
//! # Dataset files
//!
//! [`dataset_safetensors`] writes `x_train` (F32 `[n, features]`), `y_train` (I64 `[n]`),
//! `x_test`, `y_test`: what `torch.from_numpy` and `nn.CrossEntropyLoss` expect.

mod export;
mod import;
mod names;
mod script;

pub use export::{dataset_safetensors, export_init_safetensors, export_safetensors};
pub use import::{import_safetensors, import_with_init, read_metadata};
pub use script::pytorch_script;

use crate::model::Activation;
use crate::train::Loss;

/// Largest file [`import_safetensors`] reads: 64 MiB (a model at the parameter limit, with its
/// mask and θ₀, takes about 24 MiB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The `format` metadata value of a model file.
pub const MODEL_FORMAT: &str = "pruning-playground";
/// The `format` metadata value of a dataset file.
pub const DATASET_FORMAT: &str = "pruning-playground-dataset";
/// The `version` metadata value this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The two forms in which PyTorch users meet a pruned model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportForm {
    /// `torch.nn.utils.prune`'s parametrization: a pruned layer as `weight_orig` and
    /// `weight_mask` (load after `prune.identity` on that layer); a re-import keeps the masks.
    #[default]
    Pruned,
    /// A plain `state_dict`, as after `prune.remove`: `weight` holds the masked weights (0 where
    /// pruned); loads into a bare `nn.Sequential` with `strict=True`. Re-imported, the model is
    /// dense: its pruned weights are 0 but nothing keeps them there.
    Plain,
}

impl ExportForm {
    /// The name used by the CLI: `pruned` or `plain`.
    pub fn name(self) -> &'static str {
        match self {
            ExportForm::Pruned => "pruned",
            ExportForm::Plain => "plain",
        }
    }

    /// Parses `pruned` or `plain`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] naming the allowed values.
    pub fn parse(name: &str) -> crate::Result<Self> {
        [ExportForm::Pruned, ExportForm::Plain]
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                crate::Error::config(
                    "form",
                    name,
                    crate::error::Allowed::one_of(&["pruned", "plain"]),
                )
            })
    }
}

/// What [`export_safetensors`] writes besides the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    /// Also write θ₀ as `init.{2l}.weight` / `init.{2l}.bias` in the model file, so a re-import
    /// can still rewind. Opt-in (default false): PyTorch's strict `load_state_dict` refuses
    /// these keys; [`export_init_safetensors`] writes θ₀ as a file of its own instead.
    pub include_init: bool,
    /// Pruned layers as torch's parametrization (default) or as plain masked weights.
    pub form: ExportForm,
    /// The loss the model was trained with, recorded in the metadata (`loss`). Default: none.
    pub loss: Option<Loss>,
}

/// What [`import_safetensors`] cannot read from a file without metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// The hidden activation. Required for a file without metadata (a plain PyTorch
    /// `state_dict`) that has hidden layers; for a file with metadata it must agree with it.
    pub activation: Option<Activation>,
    /// The output activation. Default for a file without metadata: linear; for a file with
    /// metadata it must agree with it.
    pub output_activation: Option<Activation>,
}
