//! Reading models.

use std::collections::{BTreeMap, HashMap};

use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, SafeTensorError, TensorView};
use safetensors::SafeTensors;

use super::names::{Part, TensorName};
use super::{ImportOptions, DATASET_FORMAT, FORMAT_VERSION, MAX_FILE_BYTES, MODEL_FORMAT};
use crate::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use crate::{Error, Result};

fn check_size(bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::model_file(format!(
            "the file is {} bytes; the limit is {MAX_FILE_BYTES} bytes (64 MiB)",
            bytes.len()
        )));
    }
    Ok(())
}

fn not_safetensors(e: SafeTensorError) -> Error {
    Error::model_file(format!("not a safetensors file ({e})"))
}

/// The `__metadata__` of a safetensors file (empty if it has none).
///
/// # Errors
/// [`Error::ModelFile`] if the file is larger than [`MAX_FILE_BYTES`] or not a safetensors file.
pub fn read_metadata(bytes: &[u8]) -> Result<BTreeMap<String, String>> {
    check_size(bytes)?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(not_safetensors)?;
    Ok(header
        .metadata()
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect())
}

/// The metadata of a `pruning-playground` model file, parsed.
struct Meta {
    widths: Vec<usize>,
    original_widths: Vec<usize>,
    activation: Activation,
    output_activation: Activation,
    init: Init,
    seed: u64,
    neuron_ids: Option<Vec<Vec<usize>>>,
}

/// `None` for a file without `format: pruning-playground` (e.g. a plain torch `state_dict`).
fn parse_meta(map: &HashMap<String, String>) -> Result<Option<Meta>> {
    match map.get("format").map(String::as_str) {
        Some(MODEL_FORMAT) => {}
        Some(DATASET_FORMAT) => {
            return Err(Error::model_file(
                "this is a dataset file (x_train, y_train, x_test, y_test), not a model",
            ))
        }
        _ => return Ok(None),
    }
    let get = |key: &str| {
        map.get(key).map(String::as_str).ok_or_else(|| {
            Error::model_file(format!(
                "metadata has no `{key}`, which a {MODEL_FORMAT} file must have"
            ))
        })
    };
    let bad = |key: &str, value: &str, allowed: &str| {
        Error::model_file(format!("metadata `{key}` is {value:?}; expected {allowed}"))
    };
    let version = get("version")?;
    if version != FORMAT_VERSION.to_string() {
        return Err(Error::model_file(format!(
            "metadata version {version:?} is not supported; this build reads version {FORMAT_VERSION}"
        )));
    }
    let widths_of = |key: &str, value: &str| {
        serde_json::from_str::<Vec<usize>>(value)
            .ok()
            .filter(|w| w.len() >= 2)
            .ok_or_else(|| bad(key, value, "a JSON list of at least two widths"))
    };
    let widths = widths_of("architecture", get("architecture")?)?;
    let original_widths = match map.get("original_architecture") {
        Some(v) => widths_of("original_architecture", v)?,
        None => widths.clone(),
    };
    if original_widths.len() != widths.len()
        || original_widths[0] != widths[0]
        || original_widths.last() != widths.last()
    {
        return Err(bad(
            "original_architecture",
            &json_list(&original_widths),
            &format!(
                "the same inputs, outputs and number of layers as architecture {}",
                json_list(&widths)
            ),
        ));
    }
    let activation_of = |key: &str| -> Result<Activation> {
        let v = get(key)?;
        Activation::parse(v).map_err(|_| bad(key, v, "one of relu, tanh, sigmoid, linear"))
    };
    let init = match map.get("init") {
        Some(v) => Init::parse(v).map_err(|e| Error::model_file(format!("metadata: {e}")))?,
        None => Init::default(),
    };
    let seed = match map.get("seed") {
        Some(v) => v
            .parse()
            .map_err(|_| bad("seed", v, "an unsigned integer"))?,
        None => 0,
    };
    let neuron_ids = match map.get("neuron_ids") {
        Some(v) => Some(
            serde_json::from_str(v)
                .map_err(|_| bad("neuron_ids", v, "a JSON list of lists of neuron indices"))?,
        ),
        None => None,
    };
    Ok(Some(Meta {
        widths,
        original_widths,
        activation: activation_of("activation")?,
        output_activation: activation_of("output_activation")?,
        init,
        seed,
        neuron_ids,
    }))
}

fn json_list(w: &[usize]) -> String {
    serde_json::to_string(w).expect("lists of integers always serialize")
}

fn missing(name: TensorName) -> Error {
    Error::model_file(format!("missing tensor {name}"))
}

/// The values of an F32 tensor, checked to be finite.
fn floats(name: TensorName, view: &TensorView) -> Result<Vec<f32>> {
    if view.dtype() != Dtype::F32 {
        return Err(Error::model_file(format!(
            "tensor {name} has dtype {}; only F32 is supported (in PyTorch, call .float() before saving)",
            view.dtype()
        )));
    }
    let values: Vec<f32> = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::model_file(format!(
            "tensor {name} holds {} at flat index {i}; only finite values are allowed",
            values[i]
        )));
    }
    Ok(values)
}

fn matrix(name: TensorName, view: &TensorView) -> Result<Array2<f32>> {
    let values = floats(name, view)?;
    match *view.shape() {
        [rows, cols] => {
            Ok(Array2::from_shape_vec((rows, cols), values).expect("safetensors checked the size"))
        }
        ref shape => Err(Error::Shape {
            what: format!("tensor {name}"),
            expected: "2 dimensions, [out, in]".into(),
            got: format!("{shape:?}"),
        }),
    }
}

fn vector(name: TensorName, view: &TensorView, len: usize) -> Result<Array1<f32>> {
    let values = floats(name, view)?;
    if view.shape() != [len] {
        return Err(Error::Shape {
            what: format!("tensor {name}"),
            expected: format!("[{len}]"),
            got: format!("{:?}", view.shape()),
        });
    }
    Ok(Array1::from(values))
}

fn same_shape(
    name: TensorName,
    got: &Array2<f32>,
    like: TensorName,
    dim: (usize, usize),
) -> Result<()> {
    if got.dim() != dim {
        return Err(Error::Shape {
            what: format!("tensor {name}"),
            expected: format!("[{}, {}] like {like}", dim.0, dim.1),
            got: format!("[{}, {}]", got.nrows(), got.ncols()),
        });
    }
    Ok(())
}

/// A layer's weights and mask: `N.weight` (dense) or `N.weight_orig` × `N.weight_mask`.
fn weight_and_mask(
    l: usize,
    tensors: &BTreeMap<TensorName, TensorView>,
) -> Result<(TensorName, Array2<f32>, Array2<f32>)> {
    let name = |part| TensorName::new(l, part);
    let get = |part| tensors.get(&name(part));
    match (get(Part::Weight), get(Part::WeightOrig), get(Part::WeightMask)) {
        (Some(w), None, None) => {
            let w = matrix(name(Part::Weight), w)?;
            let ones = Array2::ones(w.dim());
            Ok((name(Part::Weight), w, ones))
        }
        (None, Some(orig), Some(mask)) => {
            let mut w = matrix(name(Part::WeightOrig), orig)?;
            let m = matrix(name(Part::WeightMask), mask)?;
            same_shape(name(Part::WeightMask), &m, name(Part::WeightOrig), w.dim())?;
            if let Some(v) = m.iter().find(|&&v| v != 0.0 && v != 1.0) {
                return Err(Error::model_file(format!(
                    "tensor {} holds {v}; a mask holds only 0 and 1",
                    name(Part::WeightMask)
                )));
            }
            // PyTorch keeps pruned weights in weight_orig; the effective weight is orig × mask.
            crate::prune::zero_masked(&mut w, &m);
            Ok((name(Part::WeightOrig), w, m))
        }
        (None, Some(_), None) => Err(missing(name(Part::WeightMask))),
        (None, None, Some(_)) => Err(missing(name(Part::WeightOrig))),
        (None, None, None) => Err(Error::model_file(format!(
            "missing tensor {} (or {} with {})",
            name(Part::Weight),
            name(Part::WeightOrig),
            name(Part::WeightMask)
        ))),
        (Some(_), _, _) => Err(Error::model_file(format!(
            "tensor {} and {} are both present; a layer has either {} (dense) or {} with {} (pruned)",
            name(Part::Weight),
            if get(Part::WeightOrig).is_some() {
                name(Part::WeightOrig)
            } else {
                name(Part::WeightMask)
            },
            name(Part::Weight),
            name(Part::WeightOrig),
            name(Part::WeightMask)
        ))),
    }
}

/// Reads a model written by [`super::export_safetensors`], or a plain PyTorch `state_dict` of
/// `nn.Sequential(Linear, act, …, Linear)` (then `opts.activation` is required if there are
/// hidden layers). Weights, masks, θ₀ (`init.*`; without them θ₀ is the loaded weights) and
/// neuron ids are restored; pruned entries of `N.weight_orig` are zeroed, as PyTorch's
/// `orig × mask` does.
///
/// # Errors
/// - [`Error::ModelFile`]: larger than [`MAX_FILE_BYTES`], not a safetensors file, a dataset
///   file, missing or unexpected tensors (named), a dtype other than F32, non-finite values, a
///   mask value other than 0/1, bad metadata, a missing activation for a file without metadata
///   or one that contradicts the metadata;
/// - [`Error::Shape`]: a tensor whose shape does not chain with the previous layer's, differs
///   from the metadata's architecture, or from its sibling tensors (named).
pub fn import_safetensors(bytes: &[u8], opts: &ImportOptions) -> Result<Mlp> {
    check_size(bytes)?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(not_safetensors)?;
    let file = SafeTensors::deserialize(bytes).map_err(not_safetensors)?;
    let meta = match header.metadata() {
        Some(map) => parse_meta(map)?,
        None => None,
    };

    let mut tensors = BTreeMap::new();
    let mut names = file.names();
    names.sort_unstable();
    for name in names {
        let parsed = TensorName::parse(name).ok_or_else(|| {
            Error::model_file(format!(
                "unexpected tensor {name}: a model file holds N.weight, N.bias, N.weight_orig, \
                 N.weight_mask, init.N.weight and init.N.bias for the Linear layers at even N of \
                 nn.Sequential(Linear, activation, …, Linear)"
            ))
        })?;
        tensors.insert(parsed, file.tensor(name).map_err(not_safetensors)?);
    }
    let n_layers = match &meta {
        Some(m) => m.widths.len() - 1,
        None => tensors.keys().map(|t| t.layer + 1).max().unwrap_or(0),
    };
    if n_layers == 0 {
        return Err(Error::model_file(
            "the file holds no tensors; a model needs at least 0.weight and 0.bias",
        ));
    }
    if let Some(t) = tensors.keys().find(|t| t.layer >= n_layers) {
        return Err(Error::model_file(format!(
            "unexpected tensor {t}: the metadata's architecture has {n_layers} Linear layers, \
             the last at index {}",
            2 * (n_layers - 1)
        )));
    }

    let mut params: Vec<LayerParams> = Vec::with_capacity(n_layers);
    let mut masks = Vec::with_capacity(n_layers);
    let mut previous: Option<TensorName> = None;
    for l in 0..n_layers {
        let (w_name, weight, mask) = weight_and_mask(l, &tensors)?;
        // The input width is fixed by the previous layer (or the metadata for layer 0), the
        // output width by the metadata if there is one.
        let want_in = match (l, &meta) {
            (0, Some(m)) => Some(m.widths[0]),
            (0, None) => None,
            _ => Some(params[l - 1].weight.nrows()),
        };
        let want_out = meta.as_ref().map(|m| m.widths[l + 1]);
        let (out, inp) = weight.dim();
        if want_in.is_some_and(|w| w != inp) || want_out.is_some_and(|w| w != out) {
            let show = |w: Option<usize>, or: &str| w.map_or(or.to_string(), |w| w.to_string());
            let why = match previous {
                None => "the metadata's architecture".to_string(),
                Some(p) => format!(
                    "its inputs are the {} outputs of {p}",
                    params[l - 1].weight.nrows()
                ),
            };
            return Err(Error::Shape {
                what: format!("tensor {w_name}"),
                expected: format!(
                    "[{}, {}] ({why})",
                    show(want_out, "out"),
                    show(want_in, "in")
                ),
                got: format!("[{out}, {inp}]"),
            });
        }
        let b_name = TensorName::new(l, Part::Bias);
        let bias = vector(
            b_name,
            tensors.get(&b_name).ok_or_else(|| missing(b_name))?,
            out,
        )?;
        params.push(LayerParams { weight, bias });
        masks.push(mask);
        previous = Some(w_name);
    }

    let has_init = tensors
        .keys()
        .any(|t| matches!(t.part, Part::InitWeight | Part::InitBias));
    let initial = if has_init {
        let mut initial = Vec::with_capacity(n_layers);
        for (l, p) in params.iter().enumerate() {
            let (w_name, b_name) = (
                TensorName::new(l, Part::InitWeight),
                TensorName::new(l, Part::InitBias),
            );
            let weight = matrix(w_name, tensors.get(&w_name).ok_or_else(|| missing(w_name))?)?;
            same_shape(
                w_name,
                &weight,
                TensorName::new(l, Part::Weight),
                p.weight.dim(),
            )?;
            let bias = vector(
                b_name,
                tensors.get(&b_name).ok_or_else(|| missing(b_name))?,
                p.bias.len(),
            )?;
            initial.push(LayerParams { weight, bias });
        }
        Some(initial)
    } else {
        None
    };

    let widths: Vec<usize> = std::iter::once(params[0].weight.ncols())
        .chain(params.iter().map(|p| p.weight.nrows()))
        .collect();
    let hidden = &widths[1..n_layers];
    let agree = |field: &str, given: Option<Activation>, file: Activation| match given {
        Some(a) if a != file => Err(Error::model_file(format!(
            "the file's metadata says {field} {}, but {} was given",
            file.name(),
            a.name()
        ))),
        _ => Ok(file),
    };
    let spec = match &meta {
        Some(m) => MlpSpec {
            inputs: widths[0],
            hidden: m.original_widths[1..n_layers].to_vec(),
            outputs: widths[n_layers],
            activation: agree("activation", opts.activation, m.activation)?,
            output_activation: agree(
                "output_activation",
                opts.output_activation,
                m.output_activation,
            )?,
            init: m.init,
            seed: m.seed,
        },
        None => MlpSpec {
            inputs: widths[0],
            hidden: hidden.to_vec(),
            outputs: widths[n_layers],
            activation: match opts.activation {
                Some(a) => a,
                // Without hidden layers the hidden activation is never used.
                None if hidden.is_empty() => Activation::default(),
                None => {
                    return Err(Error::model_file(
                        "the file has no pruning-playground metadata (a plain PyTorch \
                         state_dict?), so its hidden activation is unknown: pass --activation \
                         (ImportOptions::activation), one of relu, tanh, sigmoid, linear",
                    ))
                }
            },
            output_activation: opts.output_activation.unwrap_or(Activation::Linear),
            init: Init::default(),
            seed: 0,
        },
    };
    let neuron_ids = meta
        .and_then(|m| m.neuron_ids)
        .unwrap_or_else(|| hidden.iter().map(|&w| (0..w).collect()).collect());
    let placeholder = initial.is_none();
    let initial = initial.unwrap_or_else(|| params.clone());
    let mut model =
        Mlp::from_parts(&spec, params, masks, initial, neuron_ids).map_err(|e| match e {
            Error::InvalidConfig { .. } => Error::model_file(format!("metadata or shapes: {e}")),
            e => e,
        })?;
    if placeholder {
        model.forget_init();
    }
    Ok(model)
}

/// Reads a model file as [`import_safetensors`] does, with θ₀ from the file of its own that
/// [`super::export_init_safetensors`] writes (`NAME.init.safetensors`), so that the model can
/// rewind. Without `init` (and without `init.*` tensors in the model file) the model loads with
/// θ₀ unknown ([`Mlp::init_known`] is false) and rewinding to θ₀ is refused.
///
/// The θ₀ file is read with the same checks as a model file (names, dtype, finite values,
/// shapes that chain) and must be a θ₀ file (metadata `weights` = `init`, when it has
/// metadata) of this model: the same layer shapes and, when both files have metadata, the same
/// seed, initializer and neuron ids.
///
/// # Errors
/// As [`import_safetensors`] for either file (messages about the θ₀ file start with
/// `θ₀ file:`); [`Error::ModelFile`] if the model file holds θ₀ too, or the θ₀ file is a model's
/// weights or another model's θ₀; [`Error::Shape`] if a θ₀ layer's shape differs from the
/// model's.
pub fn import_with_init(bytes: &[u8], init: Option<&[u8]>, opts: &ImportOptions) -> Result<Mlp> {
    let mut model = import_safetensors(bytes, opts)?;
    let Some(init) = init else {
        return Ok(model);
    };
    if model.init_known() {
        return Err(Error::model_file(
            "the model file holds θ₀ (init.* tensors) already; give no θ₀ file with it",
        ));
    }
    let in_init = |e: Error| match e {
        Error::ModelFile { problem } => Error::model_file(format!("θ₀ file: {problem}")),
        Error::Shape {
            what,
            expected,
            got,
        } => Error::Shape {
            what: format!("θ₀ file: {what}"),
            expected,
            got,
        },
        e => e,
    };
    let meta = read_metadata(init).map_err(in_init)?;
    if meta.get("format").map(String::as_str) == Some(MODEL_FORMAT)
        && meta.get("weights").map(String::as_str) != Some("init")
    {
        return Err(Error::model_file(
            "θ₀ file: this is a model's weights (its metadata has no `weights: init`), not the \
             θ₀ file written beside it",
        ));
    }
    let theta0 = import_safetensors(
        init,
        &ImportOptions {
            activation: Some(model.spec().activation),
            output_activation: Some(model.spec().output_activation),
        },
    )
    .map_err(in_init)?;
    if theta0.n_alive() != theta0.n_weights() {
        return Err(Error::model_file(
            "θ₀ file: it holds masks; a θ₀ file holds plain N.weight and N.bias",
        ));
    }
    let (want, got) = (model.params(), theta0.params());
    let shapes = |p: &[LayerParams]| {
        p.iter()
            .map(|p| format!("{:?} + bias [{}]", p.weight.dim(), p.bias.len()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let same_shapes = want.len() == got.len()
        && want
            .iter()
            .zip(&got)
            .all(|(a, b)| a.weight.dim() == b.weight.dim() && a.bias.len() == b.bias.len());
    if !same_shapes {
        return Err(Error::Shape {
            what: "θ₀ file: layers".into(),
            expected: format!("the model's shapes {}", shapes(&want)),
            got: shapes(&got),
        });
    }
    if meta.get("format").map(String::as_str) == Some(MODEL_FORMAT) {
        let (a, b) = (model.spec(), theta0.spec());
        if a.seed != b.seed || a.init != b.init || model.neuron_ids() != theta0.neuron_ids() {
            return Err(Error::model_file(format!(
                "θ₀ file: it is θ₀ of another model (seed {}, init {}, neuron ids {:?}; the \
                 model has seed {}, init {}, neuron ids {:?})",
                b.seed,
                b.init.name(),
                theta0.neuron_ids(),
                a.seed,
                a.init.name(),
                model.neuron_ids()
            )));
        }
    }
    model.set_initial(got)?;
    Ok(model)
}
