//! The wasm I/O module (`www/pkg/pruning_playground_io.js`): model files, the PyTorch script and
//! CSV data sets — what a training session does not need up front, so the engine module stays
//! small. Free functions, no state: models and data sets come and go as plain objects of typed
//! arrays ([`super::parts`]), which the engine's `exportModel` / `importModel` and
//! `new Playground(config, data)` take and give. The worker (www/worker.js) loads this module the
//! first time one of these is asked for.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::config::from_js;
use super::parts::{dataset_to_js, model_from_js, model_to_js};
use super::{js_err, js_msg};
use crate::config::{ExperimentConfig, LotteryConfig};

/// A model object (the engine's `exportModel()`) as PyTorch-compatible safetensors bytes, the
/// CLI's format: `form` `"pruned"` (the default: torch.nn.utils.prune's `weight_orig` /
/// `weight_mask`) or `"plain"` (masked weights as `weight`, for a bare `nn.Sequential`). θ₀ is
/// not in it: [`export_init_safetensors`].
#[wasm_bindgen(js_name = exportSafetensors)]
pub fn export_safetensors(model: JsValue, form: Option<String>) -> Result<Uint8Array, JsValue> {
    let (model, loss) = model_from_js(&model)?;
    let form = match form {
        Some(name) => crate::io::ExportForm::parse(&name).map_err(js_err)?,
        None => crate::io::ExportForm::default(),
    };
    let bytes = crate::io::export_safetensors(
        &model,
        &crate::io::ExportOptions {
            loss,
            form,
            include_init: false,
        },
    )
    .map_err(js_err)?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// θ₀ of a model object as a plain `state_dict` file of its own (the CLI's `--with-init`).
#[wasm_bindgen(js_name = exportInitSafetensors)]
pub fn export_init_safetensors(model: JsValue) -> Result<Uint8Array, JsValue> {
    let (model, _) = model_from_js(&model)?;
    let bytes = crate::io::export_init_safetensors(&model).map_err(js_err)?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Reads safetensors bytes into a model object (for the engine's `importModel`), with θ₀ from
/// the bytes of its θ₀ file (`NAME.init.safetensors`) if given; without it θ₀ is unknown
/// (`initKnown: false`) and the engine refuses to rewind.
#[wasm_bindgen(js_name = importSafetensors)]
pub fn import_safetensors(bytes: &[u8], init: Option<Vec<u8>>) -> Result<JsValue, JsValue> {
    let model =
        crate::io::import_with_init(bytes, init.as_deref(), &crate::io::ImportOptions::default())
            .map_err(js_err)?;
    Ok(model_to_js(&model, None))
}

/// A Python script that reproduces the experiment `config` (the engine's `config()`) as a lottery
/// run with `spec` in PyTorch.
#[wasm_bindgen(js_name = pytorchScript)]
pub fn pytorch_script(config: JsValue, spec: JsValue) -> Result<String, JsValue> {
    let config: ExperimentConfig = if config.is_undefined() || config.is_null() {
        ExperimentConfig::default()
    } else {
        from_js("config", config)?
    };
    let spec: LotteryConfig = if spec.is_undefined() {
        LotteryConfig::default()
    } else {
        from_js("lottery spec", spec)?
    };
    crate::io::pytorch_script(&config, &spec).map_err(js_err)
}

/// Reads the CSV text of an experiment config whose `dataset.kind` is `csv` into a data set
/// object, for `new Playground(config, data)`.
#[wasm_bindgen(js_name = csvDataset)]
pub fn csv_dataset(config: JsValue) -> Result<JsValue, JsValue> {
    let config: ExperimentConfig = from_js("config", config)?;
    if config.dataset.kind != "csv" {
        return Err(js_msg(&format!(
            "invalid dataset: {} (csvDataset reads kind csv)",
            config.dataset.kind
        )));
    }
    Ok(dataset_to_js(&config.dataset.build_csv().map_err(js_err)?))
}
