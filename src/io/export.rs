//! Writing models and datasets.

use std::collections::{BTreeMap, HashMap};

use safetensors::tensor::{Dtype, TensorView};

use super::names::{Part, TensorName};
use super::{ExportForm, ExportOptions, DATASET_FORMAT, FORMAT_VERSION, MODEL_FORMAT};
use crate::data::Dataset;
use crate::model::Mlp;
use crate::{Error, Result};

/// A tensor ready to serialize: name, dtype, shape and little-endian bytes.
struct Owned {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl Owned {
    /// An F32 tensor; `values` in row-major order.
    fn f32<'a>(name: String, shape: &[usize], values: impl Iterator<Item = &'a f32>) -> Self {
        Owned {
            name,
            dtype: Dtype::F32,
            shape: shape.to_vec(),
            bytes: values.flat_map(|v| v.to_le_bytes()).collect(),
        }
    }

    /// An I64 tensor of class labels.
    fn labels(name: &str, y: &[usize]) -> Self {
        Owned {
            name: name.into(),
            dtype: Dtype::I64,
            shape: vec![y.len()],
            // Labels are below MAX_WIDTH classes, so the cast is exact.
            bytes: y.iter().flat_map(|&v| (v as i64).to_le_bytes()).collect(),
        }
    }
}

fn serialize(tensors: &[Owned], metadata: HashMap<String, String>) -> Result<Vec<u8>> {
    let views = tensors
        .iter()
        .map(|t| {
            TensorView::new(t.dtype, t.shape.clone(), &t.bytes)
                .map(|v| (t.name.as_str(), v))
                .map_err(|e| Error::model_file(format!("cannot write tensor {}: {e}", t.name)))
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes = safetensors::serialize(views, Some(metadata))
        .map_err(|e| Error::model_file(format!("cannot write safetensors: {e}")))?;
    Ok(with_sorted_header(bytes))
}

/// safetensors writes `__metadata__` in `HashMap` order, which changes from run to run; this
/// rewrites the JSON header with sorted keys so that the same model always gives the same bytes.
/// The data offsets are relative to the end of the header, so the data stays as it is.
fn with_sorted_header(bytes: Vec<u8>) -> Vec<u8> {
    const N_LEN: usize = 8;
    let mut n = [0u8; N_LEN];
    n.copy_from_slice(&bytes[..N_LEN]);
    let end = N_LEN + u64::from_le_bytes(n) as usize;
    // Every top-level entry (the metadata and each tensor's info) is a JSON object.
    let header: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        serde_json::from_slice(&bytes[N_LEN..end]).expect("safetensors wrote a valid header");
    let mut json = serde_json::to_vec(&header).expect("JSON values always serialize");
    json.resize(json.len().next_multiple_of(N_LEN), b' ');
    let mut out = Vec::with_capacity(N_LEN + json.len() + bytes.len() - end);
    out.extend((json.len() as u64).to_le_bytes());
    out.extend(json);
    out.extend(&bytes[end..]);
    out
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("lists of integers always serialize")
}

/// The model as a PyTorch-compatible safetensors file (see the [module docs](super) for the
/// names, shapes and metadata).
///
/// # Errors
/// [`Error::State`] with [`ExportOptions::include_init`] if θ₀ is unknown
/// ([`Mlp::init_known`]); [`Error::ModelFile`] if serialization fails (it does not for a valid
/// model).
pub fn export_safetensors(model: &Mlp, opts: &ExportOptions) -> Result<Vec<u8>> {
    if opts.include_init {
        init_known(model)?;
    }
    let mut tensors = Vec::new();
    for (l, (d, init)) in model
        .layers()
        .iter()
        .zip(model.initial_params())
        .enumerate()
    {
        let name = |part| TensorName::new(l, part).to_string();
        let w_shape = [d.fan_out(), d.fan_in()];
        // Plain: the weights as they act (a masked weight is exactly 0), as after prune.remove.
        if opts.form == ExportForm::Plain || d.mask().iter().all(|&m| m == 1.0) {
            tensors.push(Owned::f32(name(Part::Weight), &w_shape, d.weight().iter()));
        } else {
            tensors.push(Owned::f32(
                name(Part::WeightOrig),
                &w_shape,
                d.weight().iter(),
            ));
            tensors.push(Owned::f32(
                name(Part::WeightMask),
                &w_shape,
                d.mask().iter(),
            ));
        }
        tensors.push(Owned::f32(
            name(Part::Bias),
            &[d.fan_out()],
            d.bias().iter(),
        ));
        if opts.include_init {
            tensors.push(Owned::f32(
                name(Part::InitWeight),
                &w_shape,
                init.weight.iter(),
            ));
            tensors.push(Owned::f32(
                name(Part::InitBias),
                &[d.fan_out()],
                init.bias.iter(),
            ));
        }
    }
    let mut meta = model_metadata(model);
    meta.insert("form".into(), opts.form.name().into());
    if let Some(loss) = opts.loss {
        meta.insert("loss".into(), loss.name().into());
    }
    serialize(&tensors, meta)
}

/// θ₀ of the model, at its current shape (neurons removed by structured pruning are not in it),
/// as a plain `state_dict`: `{2l}.weight` and `{2l}.bias`, the names of an
/// [`ExportForm::Plain`] model file, so it loads into the same bare `nn.Sequential` with
/// `strict=True`. To rewind a torch model pruned with `prune.identity`, copy `{2l}.weight` into
/// `weight_orig` (the mask still applies). The metadata is the model file's, with
/// `weights` = `init`; the weights are unmasked, as drawn.
///
/// # Errors
/// [`Error::State`] if θ₀ is unknown ([`Mlp::init_known`]); [`Error::ModelFile`] if
/// serialization fails (it does not for a valid model).
pub fn export_init_safetensors(model: &Mlp) -> Result<Vec<u8>> {
    init_known(model)?;
    let mut tensors = Vec::new();
    for (l, init) in model.initial_params().iter().enumerate() {
        let name = |part| TensorName::new(l, part).to_string();
        let (rows, cols) = init.weight.dim();
        tensors.push(Owned::f32(
            name(Part::Weight),
            &[rows, cols],
            init.weight.iter(),
        ));
        tensors.push(Owned::f32(name(Part::Bias), &[rows], init.bias.iter()));
    }
    let mut meta = model_metadata(model);
    meta.insert("form".into(), ExportForm::Plain.name().into());
    meta.insert("weights".into(), "init".into());
    serialize(&tensors, meta)
}

/// θ₀ is only written when it is known (not for a model imported without its θ₀ file).
fn init_known(model: &Mlp) -> Result<()> {
    if model.init_known() {
        Ok(())
    } else {
        Err(Error::state(
            "θ₀ is unknown: the model was imported without its θ₀ file, so there is no θ₀ to \
             write",
        ))
    }
}

/// The metadata every model file carries (see the [module docs](super)).
fn model_metadata(model: &Mlp) -> HashMap<String, String> {
    let spec = model.spec();
    HashMap::from([
        ("format".to_string(), MODEL_FORMAT.to_string()),
        ("version".into(), FORMAT_VERSION.to_string()),
        ("architecture".into(), json(&model.widths())),
        ("original_architecture".into(), json(&spec.widths())),
        ("activation".into(), spec.activation.name().into()),
        (
            "output_activation".into(),
            spec.output_activation.name().into(),
        ),
        ("init".into(), spec.init.name().into()),
        ("seed".into(), spec.seed.to_string()),
        ("neuron_ids".into(), json(&model.neuron_ids())),
        ("density".into(), model.density().to_string()),
    ])
}

/// The dataset as a safetensors file for PyTorch: `x_train` (F32 `[n, features]`), `y_train`
/// (I64 `[n]`), `x_test`, `y_test` and, when the data has a validation split, `x_val`, `y_val`
/// (then `x_train` holds only the rows trained on, as in the engine); metadata `format` =
/// `pruning-playground-dataset`, `version`, `name`, `n_classes` and `feature_names` (JSON list).
///
/// # Errors
/// [`Error::ModelFile`] if serialization fails (it does not for a valid dataset).
pub fn dataset_safetensors(ds: &Dataset) -> Result<Vec<u8>> {
    let f = ds.n_features();
    let mut tensors = vec![
        Owned::f32(
            "x_train".into(),
            &[ds.x_train.nrows(), f],
            ds.x_train.iter(),
        ),
        Owned::labels("y_train", &ds.y_train),
        Owned::f32("x_test".into(), &[ds.x_test.nrows(), f], ds.x_test.iter()),
        Owned::labels("y_test", &ds.y_test),
    ];
    if ds.x_val.nrows() > 0 {
        tensors.push(Owned::f32(
            "x_val".into(),
            &[ds.x_val.nrows(), f],
            ds.x_val.iter(),
        ));
        tensors.push(Owned::labels("y_val", &ds.y_val));
    }
    let meta = HashMap::from([
        ("format".to_string(), DATASET_FORMAT.to_string()),
        ("version".into(), FORMAT_VERSION.to_string()),
        ("name".into(), ds.name.clone()),
        ("n_classes".into(), ds.n_classes.to_string()),
        ("feature_names".into(), json(&ds.feature_names)),
    ]);
    serialize(&tensors, meta)
}
