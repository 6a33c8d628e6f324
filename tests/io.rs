//! safetensors export/import: round trips, PyTorch's names and shapes, plain `state_dict`s, every
//! error with its message, and the `data` / `predict` subcommands (plus a numpy cross-check when
//! python3 has numpy and safetensors).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use ndarray::{Array2, Axis};
use pruning_playground::data::Dataset;
use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig};
use pruning_playground::io::{
    dataset_safetensors, export_init_safetensors, export_safetensors, import_safetensors,
    import_with_init, read_metadata, ExportForm, ExportOptions, ImportOptions, MAX_FILE_BYTES,
};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::train::Loss;
use pruning_playground::Error;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn spec(hidden: Vec<usize>) -> MlpSpec {
    MlpSpec {
        inputs: 5,
        hidden,
        outputs: 3,
        activation: Activation::Tanh,
        output_activation: Activation::Linear,
        init: Init::GlorotUniform,
        seed: 11,
    }
}

/// A model whose weights differ from θ₀ and whose biases are not 0.
fn trained_like(hidden: Vec<usize>) -> Mlp {
    let mut m = Mlp::new(&spec(hidden)).unwrap();
    let p: Vec<LayerParams> = m
        .params()
        .into_iter()
        .map(|p| LayerParams {
            weight: p.weight.mapv(|w| 1.5 * w + 0.01),
            bias: p.bias.mapv(|_| 0.0) + 0.25,
        })
        .collect();
    m.set_params(&p).unwrap();
    m
}

/// Prunes every third weight of every layer.
fn masked(mut m: Mlp) -> Mlp {
    let masks: Vec<Array2<f32>> = m
        .masks()
        .iter()
        .map(|k| {
            let cols = k.ncols();
            Array2::from_shape_fn(
                k.dim(),
                |(i, j)| if (i * cols + j) % 3 == 0 { 0.0 } else { 1.0 },
            )
        })
        .collect();
    m.set_masks(&masks).unwrap();
    m
}

fn batch() -> Array2<f32> {
    Array2::from_shape_fn((6, 5), |(i, j)| ((i * 5 + j) as f32 * 0.37).sin())
}

/// Export with θ₀ in the file (opt-in), import.
fn round_trip(m: &Mlp) -> Mlp {
    let opts = ExportOptions {
        include_init: true,
        ..ExportOptions::default()
    };
    let bytes = export_safetensors(m, &opts).unwrap();
    import_safetensors(&bytes, &ImportOptions::default()).unwrap()
}

/// A tensor as plain data, to edit files in tests.
#[derive(Clone)]
struct T {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

fn f32_tensor(name: &str, shape: &[usize], values: &[f32]) -> T {
    T {
        name: name.into(),
        dtype: Dtype::F32,
        shape: shape.to_vec(),
        bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

fn write(tensors: &[T], meta: Option<HashMap<String, String>>) -> Vec<u8> {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|t| {
            let v = TensorView::new(t.dtype, t.shape.clone(), &t.bytes).unwrap();
            (t.name.clone(), v)
        })
        .collect();
    safetensors::serialize(views, meta).unwrap()
}

fn read(bytes: &[u8]) -> (Vec<T>, Option<HashMap<String, String>>) {
    let (_, header) = SafeTensors::read_metadata(bytes).unwrap();
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut tensors: Vec<T> = file
        .tensors()
        .into_iter()
        .map(|(name, v)| T {
            name,
            dtype: v.dtype(),
            shape: v.shape().to_vec(),
            bytes: v.data().to_vec(),
        })
        .collect();
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    (tensors, header.metadata().clone())
}

fn values(t: &T) -> Vec<f32> {
    t.bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn find<'a>(tensors: &'a [T], name: &str) -> &'a T {
    tensors
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no tensor {name}"))
}

/// Exports `m` (θ₀ included), lets `edit` change tensors and metadata, and imports the result.
fn import_edited(
    m: &Mlp,
    opts: &ImportOptions,
    edit: impl FnOnce(&mut Vec<T>, &mut HashMap<String, String>),
) -> pruning_playground::Result<Mlp> {
    let with_init = ExportOptions {
        include_init: true,
        ..ExportOptions::default()
    };
    let (mut tensors, meta) = read(&export_safetensors(m, &with_init).unwrap());
    let mut meta = meta.unwrap();
    edit(&mut tensors, &mut meta);
    import_safetensors(&write(&tensors, Some(meta)), opts)
}

fn error_text(r: pruning_playground::Result<Mlp>) -> String {
    r.expect_err("import should fail").to_string()
}

/// A plain PyTorch `state_dict` of Sequential(Linear(5, 7), act, Linear(7, 3)), no metadata.
fn plain_state_dict(meta: Option<HashMap<String, String>>) -> Vec<u8> {
    let w0: Vec<f32> = (0..35).map(|i| (i as f32 * 0.1).cos() * 0.3).collect();
    let w2: Vec<f32> = (0..21).map(|i| (i as f32 * 0.2).sin() * 0.4).collect();
    write(
        &[
            f32_tensor("0.weight", &[7, 5], &w0),
            f32_tensor("0.bias", &[7], &[0.1; 7]),
            f32_tensor("2.weight", &[3, 7], &w2),
            f32_tensor("2.bias", &[3], &[-0.2; 3]),
        ],
        meta,
    )
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn dense_model_round_trips_bit_identically() {
    let m = trained_like(vec![7, 6]);
    let back = round_trip(&m);
    assert_eq!(back, m, "weights, masks, θ₀, neuron ids and spec all equal");
    assert_eq!(
        back.forward(batch().view()).unwrap(),
        m.forward(batch().view()).unwrap()
    );
}

#[test]
fn masked_model_round_trips_bit_identically() {
    let m = masked(trained_like(vec![7, 6]));
    let back = round_trip(&m);
    assert_eq!(back.masks(), m.masks());
    assert_eq!(back.initial_params(), m.initial_params());
    assert_eq!(back, m);
    assert_eq!(
        back.forward(batch().view()).unwrap(),
        m.forward(batch().view()).unwrap()
    );
}

#[test]
fn structurally_shrunk_model_round_trips_with_neuron_ids() {
    let mut m = masked(trained_like(vec![7, 6]));
    m.remove_neurons(0, &[1, 2, 5]).unwrap();
    m.remove_neurons(1, &[0, 4]).unwrap();
    m.remove_neurons(0, &[0, 2]).unwrap();
    assert_eq!(m.neuron_ids(), &[vec![1, 5], vec![0, 4]]);
    let back = round_trip(&m);
    assert_eq!(back.widths(), vec![5, 2, 2, 3]);
    assert_eq!(back.spec().hidden, vec![7, 6], "original widths survive");
    assert_eq!(back.neuron_ids(), m.neuron_ids());
    assert_eq!(back.density(), m.density());
    assert_eq!(back, m);
    assert_eq!(
        back.forward(batch().view()).unwrap(),
        m.forward(batch().view()).unwrap()
    );
}

#[test]
fn logistic_regression_round_trips() {
    let m = trained_like(vec![]);
    assert_eq!(round_trip(&m), m);
}

#[test]
fn rewinding_after_import_restores_theta0() {
    let m = masked(trained_like(vec![4]));
    let mut back = round_trip(&m);
    let mut expected = m.clone();
    back.rewind_to_init().unwrap();
    expected.rewind_to_init().unwrap();
    assert_eq!(back.params(), expected.params());
}

/// θ₀'s own file, read back beside the model in either form, rewinds every survivor (and every
/// bias) to θ₀ bit for bit.
#[test]
fn theta0_file_beside_the_model_rewinds_survivors_bit_for_bit() {
    let mut m = masked(trained_like(vec![7, 6]));
    m.remove_neurons(0, &[0, 2, 3, 6]).unwrap();
    let init = export_init_safetensors(&m).unwrap();
    for form in [ExportForm::Pruned, ExportForm::Plain] {
        let opts = ExportOptions {
            form,
            ..ExportOptions::default()
        };
        let bytes = export_safetensors(&m, &opts).unwrap();
        let mut back = import_with_init(&bytes, Some(&init), &ImportOptions::default()).unwrap();
        assert!(back.init_known(), "{form:?}");
        assert_eq!(back.initial_params(), m.initial_params(), "{form:?}");
        back.rewind_to_init().unwrap();
        for (l, (p, p0)) in back.params().iter().zip(m.initial_params()).enumerate() {
            for ((w, w0), k) in p.weight.iter().zip(&p0.weight).zip(&m.masks()[l]) {
                if *k == 1.0 {
                    assert_eq!(w.to_bits(), w0.to_bits(), "{form:?} layer {l}");
                }
            }
            assert_eq!(p.bias, p0.bias, "{form:?} layer {l}");
        }
    }
}

#[test]
fn without_theta0_the_model_loads_and_rewinding_says_theta0_is_unknown() {
    let m = masked(trained_like(vec![4, 4]));
    let bytes = export_safetensors(&m, &ExportOptions::default()).unwrap();
    let mut back = import_with_init(&bytes, None, &ImportOptions::default()).unwrap();
    assert!(!back.init_known());
    let before = back.params();
    let e = back.rewind_to_init().unwrap_err();
    assert!(matches!(e, Error::State { .. }), "{e:?}");
    assert!(e.to_string().contains("θ₀ is unknown"), "{e}");
    assert_eq!(back.params(), before, "nothing changes");
    let e = export_init_safetensors(&back).unwrap_err();
    assert!(e.to_string().contains("θ₀ is unknown"), "{e}");
    // A reinit draws a new θ₀, which is known.
    back.reinit(3);
    back.rewind_to_init().unwrap();
}

#[test]
fn a_theta0_file_is_checked_against_its_model() {
    let m = masked(trained_like(vec![4, 4]));
    let bytes = export_safetensors(&m, &ExportOptions::default()).unwrap();
    let import = |init: &[u8]| {
        import_with_init(&bytes, Some(init), &ImportOptions::default())
            .unwrap_err()
            .to_string()
    };
    // The model's own file given as θ₀.
    let e = import(&bytes);
    assert!(
        e.contains("θ₀ file") && e.contains("model's weights"),
        "{e}"
    );
    // θ₀ of another seed's model, of the same shapes.
    let other = Mlp::new(&MlpSpec {
        seed: 12,
        ..spec(vec![4, 4])
    })
    .unwrap();
    let e = import(&export_init_safetensors(&other).unwrap());
    assert!(e.contains("another model") && e.contains("seed 12"), "{e}");
    // θ₀ of another shape.
    let e = import(&export_init_safetensors(&trained_like(vec![4, 5])).unwrap());
    assert!(e.contains("θ₀ file"), "{e}");
    // Not a safetensors file.
    let e = import(b"not safetensors");
    assert!(
        e.starts_with("model file: θ₀ file: not a safetensors file"),
        "{e}"
    );
    // θ₀ twice: in the model file and beside it.
    let with_init = export_safetensors(
        &m,
        &ExportOptions {
            include_init: true,
            ..ExportOptions::default()
        },
    )
    .unwrap();
    let e = import_with_init(
        &with_init,
        Some(&export_init_safetensors(&m).unwrap()),
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("holds θ₀"), "{e}");
}

#[test]
fn without_init_theta0_is_unknown_and_stands_in_as_the_loaded_weights() {
    let m = masked(trained_like(vec![4, 4]));
    let opts = ExportOptions {
        include_init: false,
        loss: None,
        ..ExportOptions::default()
    };
    let bytes = export_safetensors(&m, &opts).unwrap();
    let (tensors, _) = read(&bytes);
    assert!(tensors.iter().all(|t| !t.name.starts_with("init.")));
    let back = import_safetensors(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(back.params(), m.params());
    assert_eq!(back.masks(), m.masks());
    assert_eq!(back.initial_params(), back.params().as_slice());
    assert!(!back.init_known());
}

// ---------------------------------------------------------------------------------------------
// PyTorch's names, shapes and metadata

#[test]
fn dense_layers_are_written_as_sequential_linear_weights() {
    let m = trained_like(vec![7, 6]);
    let (tensors, meta) = read(&export_safetensors(&m, &ExportOptions::default()).unwrap());
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight",],
        "θ₀ is not in the model file unless asked for"
    );
    assert!(tensors.iter().all(|t| t.dtype == Dtype::F32));
    assert_eq!(find(&tensors, "0.weight").shape, [7, 5], "[out, in]");
    assert_eq!(find(&tensors, "2.weight").shape, [6, 7]);
    assert_eq!(find(&tensors, "4.weight").shape, [3, 6]);
    assert_eq!(find(&tensors, "4.bias").shape, [3]);
    let w = values(find(&tensors, "2.weight"));
    assert_eq!(
        w,
        m.layers()[1].weight().iter().copied().collect::<Vec<_>>(),
        "row-major"
    );
    let meta = meta.unwrap();
    for (k, v) in [
        ("format", "pruning-playground"),
        ("version", "1"),
        ("architecture", "[5,7,6,3]"),
        ("original_architecture", "[5,7,6,3]"),
        ("activation", "tanh"),
        ("output_activation", "linear"),
        ("init", "glorot-uniform"),
        ("seed", "11"),
        ("neuron_ids", "[[0,1,2,3,4,5,6],[0,1,2,3,4,5]]"),
        ("density", "1"),
        ("form", "pruned"),
    ] {
        assert_eq!(meta.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert!(!meta.contains_key("loss"));
}

/// The plain form is a bare `nn.Sequential`'s `state_dict` (what `prune.remove` leaves):
/// `weight` and `bias` for every layer, the weights as they act — 0 where pruned — so
/// `load_state_dict(strict=True)` takes it and computes the same outputs.
#[test]
fn the_plain_form_writes_masked_weights_as_weight_for_strict_loading() {
    let mut m = masked(trained_like(vec![7, 6]));
    m.remove_neurons(1, &[0, 2, 3]).unwrap();
    let opts = ExportOptions {
        form: ExportForm::Plain,
        ..ExportOptions::default()
    };
    let bytes = export_safetensors(&m, &opts).unwrap();
    let (tensors, meta) = read(&bytes);
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    );
    for (l, d) in m.layers().iter().enumerate() {
        let w = values(find(&tensors, &format!("{}.weight", 2 * l)));
        let expected: Vec<f32> = d.weight().iter().copied().collect();
        assert_eq!(w, expected, "layer {l}");
        let zeros = d.mask().iter().filter(|&&k| k == 0.0).count();
        assert!(zeros > 0 && w.iter().filter(|&&v| v == 0.0).count() >= zeros);
    }
    assert_eq!(meta.unwrap()["form"], "plain");
    let back = import_safetensors(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(back.widths(), m.widths());
    assert_eq!(
        back.forward(batch().view()).unwrap(),
        m.forward(batch().view()).unwrap()
    );
}

/// θ₀ travels in a file of its own, under the plain form's names at the model's current shape,
/// so it too loads strictly into the bare `nn.Sequential`.
#[test]
fn theta0_travels_in_its_own_file_under_the_plain_names() {
    let mut m = masked(trained_like(vec![7, 6]));
    m.remove_neurons(0, &[1, 2, 5]).unwrap();
    let (tensors, meta) = read(&export_init_safetensors(&m).unwrap());
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    );
    assert_eq!(find(&tensors, "0.weight").shape, [3, 5]);
    assert_eq!(find(&tensors, "2.weight").shape, [6, 3]);
    for (l, init) in m.initial_params().iter().enumerate() {
        let expected: Vec<f32> = init.weight.iter().copied().collect();
        assert_eq!(
            values(find(&tensors, &format!("{}.weight", 2 * l))),
            expected
        );
        let expected: Vec<f32> = init.bias.iter().copied().collect();
        assert_eq!(values(find(&tensors, &format!("{}.bias", 2 * l))), expected);
    }
    let meta = meta.unwrap();
    assert_eq!(meta["weights"], "init");
    assert_eq!(meta["architecture"], "[5,3,6,3]");
}

#[test]
fn the_same_model_always_gives_the_same_bytes() {
    let m = masked(trained_like(vec![7, 6]));
    let opts = ExportOptions {
        include_init: true,
        loss: Some(Loss::Mse),
        ..ExportOptions::default()
    };
    let first = export_safetensors(&m, &opts).unwrap();
    for _ in 0..5 {
        assert_eq!(export_safetensors(&m, &opts).unwrap(), first);
    }
    assert_eq!(
        first.len() % 4,
        0,
        "header padded to 8 bytes, F32 data aligned"
    );
}

#[test]
fn pruned_layers_are_written_as_torch_prune_leaves_them() {
    let mut m = trained_like(vec![4]);
    // Prune only the first layer; the second stays dense.
    let mut masks = m.masks();
    masks[0][[1, 2]] = 0.0;
    m.set_masks(&masks).unwrap();
    let opts = ExportOptions {
        include_init: true,
        loss: Some(Loss::CrossEntropy),
        ..ExportOptions::default()
    };
    let (tensors, meta) = read(&export_safetensors(&m, &opts).unwrap());
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"0.weight_orig") && names.contains(&"0.weight_mask"));
    assert!(
        !names.contains(&"0.weight"),
        "torch's pruned Linear has no `weight` entry"
    );
    assert!(names.contains(&"2.weight") && !names.contains(&"2.weight_mask"));
    let mask = values(find(&tensors, "0.weight_mask"));
    assert_eq!(find(&tensors, "0.weight_mask").shape, [4, 5]);
    assert_eq!(mask.iter().filter(|&&v| v == 0.0).count(), 1);
    assert!(mask.iter().all(|&v| v == 0.0 || v == 1.0));
    assert_eq!(
        values(find(&tensors, "0.weight_orig"))[7],
        0.0,
        "masked entry is 0"
    );
    let meta = meta.unwrap();
    assert_eq!(meta["loss"], "cross-entropy");
    assert_eq!(meta["density"], (31.0f64 / 32.0).to_string());
}

#[test]
fn dataset_file_holds_float_features_and_int64_labels() {
    let ds = Dataset {
        name: "tiny".into(),
        x_train: Array2::from_shape_vec((3, 2), vec![0.5, -1.0, 2.0, 0.0, 1.5, 3.25]).unwrap(),
        y_train: vec![0, 2, 1],
        x_test: Array2::from_shape_vec((1, 2), vec![7.0, 8.0]).unwrap(),
        y_test: vec![2],
        x_val: Array2::zeros((0, 0)),
        y_val: Vec::new(),
        n_classes: 3,
        feature_names: vec!["a".into(), "b".into()],
        image_side: None,
    };
    let bytes = dataset_safetensors(&ds).unwrap();
    let (tensors, meta) = read(&bytes);
    let x = find(&tensors, "x_train");
    assert_eq!((x.dtype, x.shape.as_slice()), (Dtype::F32, &[3, 2][..]));
    assert_eq!(values(x), vec![0.5, -1.0, 2.0, 0.0, 1.5, 3.25]);
    let y = find(&tensors, "y_train");
    assert_eq!((y.dtype, y.shape.as_slice()), (Dtype::I64, &[3][..]));
    let labels: Vec<i64> = y
        .bytes
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(labels, vec![0, 2, 1]);
    assert_eq!(find(&tensors, "x_test").shape, [1, 2]);
    assert_eq!(find(&tensors, "y_test").shape, [1]);
    let meta = meta.unwrap();
    assert_eq!(meta["format"], "pruning-playground-dataset");
    assert_eq!(meta["n_classes"], "3");
    assert_eq!(meta["feature_names"], r#"["a","b"]"#);
    // A dataset is not a model.
    let e = import_safetensors(&bytes, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("dataset file"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Plain PyTorch state_dicts

#[test]
fn plain_state_dict_loads_with_the_given_activation() {
    let opts = ImportOptions {
        activation: Some(Activation::Relu),
        output_activation: None,
    };
    for meta in [None, Some(HashMap::from([("format".into(), "pt".into())]))] {
        let m = import_safetensors(&plain_state_dict(meta), &opts).unwrap();
        assert_eq!(m.widths(), vec![5, 7, 3], "widths inferred from shapes");
        assert_eq!(m.layers()[0].activation, Activation::Relu);
        assert_eq!(m.layers()[1].activation, Activation::Linear);
        assert_eq!(m.initial_params(), m.params().as_slice());
        assert_eq!(m.n_alive(), m.n_weights());
        assert_eq!(m.neuron_ids(), &[(0..7).collect::<Vec<_>>()]);
        // The forward pass is Linear → ReLU → Linear.
        let x = batch();
        let h = (x.dot(&m.layers()[0].weight().t()) + 0.1).mapv(|v| v.max(0.0));
        let y = h.dot(&m.layers()[1].weight().t()) - 0.2;
        let got = m.forward(x.view()).unwrap();
        assert!(got.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-6));
    }
}

#[test]
fn plain_state_dict_without_activation_asks_for_one() {
    let e = import_safetensors(&plain_state_dict(None), &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, Error::ModelFile { .. }));
    assert!(e.to_string().contains("pass --activation"), "{e}");
}

#[test]
fn plain_single_linear_layer_needs_no_activation() {
    let bytes = write(
        &[
            f32_tensor("0.weight", &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            f32_tensor("0.bias", &[2], &[0.5, -0.5]),
        ],
        None,
    );
    let m = import_safetensors(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(m.widths(), vec![3, 2]);
}

#[test]
fn torch_pruned_weights_are_multiplied_by_the_mask() {
    // torch keeps the original values under a 0 mask in weight_orig.
    let bytes = write(
        &[
            f32_tensor("0.weight_orig", &[2, 2], &[1.0, 2.0, 3.0, 4.0]),
            f32_tensor("0.weight_mask", &[2, 2], &[1.0, 0.0, 0.0, 1.0]),
            f32_tensor("0.bias", &[2], &[0.0, 0.0]),
        ],
        None,
    );
    let m = import_safetensors(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(
        m.layers()[0].weight().iter().copied().collect::<Vec<_>>(),
        [1.0, 0.0, 0.0, 4.0]
    );
    assert_eq!(m.n_alive(), 2);
}

// ---------------------------------------------------------------------------------------------
// Errors, each with its message

#[test]
fn garbage_is_not_a_safetensors_file() {
    for bytes in [
        &b""[..],
        b"hello world, this is not a model",
        b"\x10\0\0\0\0\0\0\0{not json}",
    ] {
        let e = import_safetensors(bytes, &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("not a safetensors file"), "{e}");
    }
}

#[test]
fn files_over_64_mib_are_refused_before_parsing() {
    let bytes = vec![0u8; MAX_FILE_BYTES + 1];
    let e = import_safetensors(&bytes, &ImportOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "model file: the file is 67108865 bytes; the limit is 67108864 bytes (64 MiB)"
    );
    assert!(read_metadata(&bytes).is_err());
}

#[test]
fn missing_tensor_is_named() {
    let m = trained_like(vec![4, 4]);
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.retain(|t| t.name != "2.bias")
    }));
    assert_eq!(e, "model file: missing tensor 2.bias");
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.retain(|t| t.name != "4.weight")
    }));
    assert_eq!(
        e,
        "model file: missing tensor 4.weight (or 4.weight_orig with 4.weight_mask)"
    );
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.retain(|t| t.name != "init.2.weight")
    }));
    assert_eq!(e, "model file: missing tensor init.2.weight");
}

#[test]
fn half_of_a_pruned_pair_is_an_error() {
    let m = masked(trained_like(vec![4]));
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.retain(|t| t.name != "0.weight_mask")
    }));
    assert_eq!(e, "model file: missing tensor 0.weight_mask");
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        let w = find(t, "0.weight_orig").clone();
        t.push(T {
            name: "0.weight".into(),
            ..w
        });
    }));
    assert!(
        e.contains("0.weight and 0.weight_orig are both present"),
        "{e}"
    );
}

#[test]
fn unexpected_tensor_is_named() {
    let m = trained_like(vec![4]);
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.push(f32_tensor("fc1.weight", &[1], &[0.0]))
    }));
    assert!(
        e.starts_with("model file: unexpected tensor fc1.weight: "),
        "{e}"
    );
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.push(f32_tensor("1.weight", &[1], &[0.0]))
    }));
    assert!(
        e.starts_with("model file: unexpected tensor 1.weight: "),
        "{e}"
    );
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        t.push(f32_tensor("4.bias", &[3], &[0.0; 3]))
    }));
    assert!(
        e.contains("unexpected tensor 4.bias: the metadata's architecture has 2 Linear layers"),
        "{e}"
    );
}

#[test]
fn shapes_that_do_not_chain_name_the_layer() {
    let bytes = write(
        &[
            f32_tensor("0.weight", &[4, 3], &[0.0; 12]),
            f32_tensor("0.bias", &[4], &[0.0; 4]),
            f32_tensor("2.weight", &[2, 5], &[0.0; 10]),
            f32_tensor("2.bias", &[2], &[0.0; 2]),
        ],
        None,
    );
    let opts = ImportOptions {
        activation: Some(Activation::Relu),
        output_activation: None,
    };
    let e = import_safetensors(&bytes, &opts).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "shape mismatch in tensor 2.weight: expected [out, 4] (its inputs are the 4 outputs of \
         0.weight), got [2, 5]"
    );
}

#[test]
fn shapes_that_contradict_the_metadata_are_errors() {
    let m = trained_like(vec![4]);
    let e = error_text(import_edited(&m, &ImportOptions::default(), |_, meta| {
        meta.insert("architecture".into(), "[6,4,3]".into());
        meta.insert("original_architecture".into(), "[6,4,3]".into());
    }));
    assert_eq!(
        e,
        "shape mismatch in tensor 0.weight: expected [4, 6] (the metadata's architecture), got [4, 5]"
    );
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        for t in t.iter_mut().filter(|t| t.name == "2.bias") {
            *t = f32_tensor("2.bias", &[2], &[0.0; 2]);
        }
    }));
    assert_eq!(e, "shape mismatch in tensor 2.bias: expected [3], got [2]");
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        for t in t.iter_mut().filter(|t| t.name == "0.weight") {
            t.shape = vec![20];
        }
    }));
    assert_eq!(
        e,
        "shape mismatch in tensor 0.weight: expected 2 dimensions, [out, in], got [20]"
    );
}

#[test]
fn only_f32_is_accepted() {
    let m = trained_like(vec![4]);
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        for t in t.iter_mut().filter(|t| t.name == "0.bias") {
            let v: Vec<u8> = values(t)
                .iter()
                .flat_map(|&v| f64::from(v).to_le_bytes())
                .collect();
            *t = T {
                dtype: Dtype::F64,
                bytes: v,
                ..t.clone()
            };
        }
    }));
    assert_eq!(
        e,
        "model file: tensor 0.bias has dtype F64; only F32 is supported (in PyTorch, call \
         .float() before saving)"
    );
}

#[test]
fn masks_hold_only_zero_and_one() {
    let m = masked(trained_like(vec![4]));
    let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
        for t in t.iter_mut().filter(|t| t.name == "2.weight_mask") {
            let mut v = values(t);
            v[1] = 0.5;
            *t = f32_tensor("2.weight_mask", &t.shape.clone(), &v);
        }
    }));
    assert_eq!(
        e,
        "model file: tensor 2.weight_mask holds 0.5; a mask holds only 0 and 1"
    );
}

#[test]
fn non_finite_values_are_refused() {
    let m = trained_like(vec![4]);
    for (name, bad) in [("0.weight", f32::NAN), ("init.2.bias", f32::INFINITY)] {
        let e = error_text(import_edited(&m, &ImportOptions::default(), |t, _| {
            for t in t.iter_mut().filter(|t| t.name == name) {
                let mut v = values(t);
                v[2] = bad;
                *t = f32_tensor(name, &t.shape.clone(), &v);
            }
        }));
        assert_eq!(
            e,
            format!("model file: tensor {name} holds {bad} at flat index 2; only finite values are allowed")
        );
    }
}

#[test]
fn metadata_problems_are_named() {
    let m = trained_like(vec![4]);
    let cases: [(&str, Option<&str>, &str); 5] = [
        (
            "version",
            Some("2"),
            "model file: metadata version \"2\" is not supported; this build reads version 1",
        ),
        (
            "activation",
            None,
            "model file: metadata has no `activation`, which a pruning-playground file must have",
        ),
        (
            "activation",
            Some("gelu"),
            "model file: metadata `activation` is \"gelu\"; expected one of relu, tanh, sigmoid, linear",
        ),
        (
            "architecture",
            Some("[5]"),
            "model file: metadata `architecture` is \"[5]\"; expected a JSON list of at least two widths",
        ),
        (
            "neuron_ids",
            Some("[[0,1,2,9]]"),
            "model file: metadata or shapes: invalid neuron_ids: hidden layer 0: [0, 1, 2, 9] \
             (at least one ascending distinct index below 4)",
        ),
    ];
    for (key, value, message) in cases {
        let e = error_text(import_edited(&m, &ImportOptions::default(), |_, meta| {
            match value {
                Some(v) => meta.insert(key.into(), v.into()),
                None => meta.remove(key),
            };
        }));
        assert_eq!(e, message);
    }
}

#[test]
fn an_activation_that_contradicts_the_metadata_is_refused() {
    let m = trained_like(vec![4]);
    let with_init = ExportOptions {
        include_init: true,
        ..ExportOptions::default()
    };
    let bytes = export_safetensors(&m, &with_init).unwrap();
    let agree = ImportOptions {
        activation: Some(Activation::Tanh),
        output_activation: Some(Activation::Linear),
    };
    assert_eq!(import_safetensors(&bytes, &agree).unwrap(), m);
    let clash = ImportOptions {
        activation: Some(Activation::Relu),
        output_activation: None,
    };
    let e = import_safetensors(&bytes, &clash).unwrap_err();
    assert_eq!(
        e.to_string(),
        "model file: the file's metadata says activation tanh, but relu was given"
    );
}

#[test]
fn from_parts_checks_shapes_masks_and_neuron_ids() {
    let m = masked(trained_like(vec![4, 3]));
    let parts = || {
        (
            m.params(),
            m.masks(),
            m.initial_params().to_vec(),
            m.neuron_ids().to_vec(),
        )
    };
    let (p, k, i, n) = parts();
    assert_eq!(Mlp::from_parts(m.spec(), p, k, i, n).unwrap(), m);

    let (p, mut k, i, n) = parts();
    k[1][[0, 0]] = 2.0;
    let e = Mlp::from_parts(m.spec(), p, k, i, n).unwrap_err();
    assert_eq!(e.to_string(), "invalid mask: 2 (only 0 and 1)");

    let (mut p, k, i, n) = parts();
    p[1].weight = p[1].weight.select(Axis(1), &[0, 1, 2]);
    let e = Mlp::from_parts(m.spec(), p, k, i, n).unwrap_err();
    assert!(
        matches!(e, Error::Shape { ref what, .. } if what == "parameters"),
        "{e}"
    );

    let (p, k, i, mut n) = parts();
    n[1] = vec![2, 1, 0];
    let e = Mlp::from_parts(m.spec(), p, k, i, n).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid neuron_ids: hidden layer 1"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// The CLI: `data` and `predict`, and the numpy cross-check

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("io-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A small mnist1d experiment, trained, magnitude-masked and shrunk, saved to `path`.
fn saved_experiment(path: &PathBuf) -> Experiment {
    let config = ExperimentConfig {
        dataset: DataConfig {
            kind: "mnist1d".into(),
            seed: 0,
            ..DataConfig::default()
        },
        hidden: vec![16, 8],
        activation: "relu".into(),
        seed: 0,
        ..ExperimentConfig::default()
    };
    let mut exp = Experiment::new(config).unwrap();
    exp.train(3).unwrap();
    let masks: Vec<Array2<f32>> = exp
        .model
        .layers()
        .iter()
        .map(|d| {
            let mut w: Vec<f32> = d.weight().iter().map(|v| v.abs()).collect();
            w.sort_by(f32::total_cmp);
            let cut = w[w.len() / 2];
            d.weight().mapv(|v| if v.abs() > cut { 1.0 } else { 0.0 })
        })
        .collect();
    exp.model.set_masks(&masks).unwrap();
    exp.model
        .remove_neurons(0, &[0, 1, 2, 3, 5, 8, 13])
        .unwrap();
    let opts = ExportOptions {
        include_init: true,
        loss: Some(Loss::CrossEntropy),
        ..ExportOptions::default()
    };
    std::fs::write(path, export_safetensors(&exp.model, &opts).unwrap()).unwrap();
    exp
}

/// `--form plain --with-init`: a model file a bare `nn.Sequential` loads strictly (only
/// `weight` and `bias`, no masks, no θ₀) and θ₀ beside it as NAME.init.safetensors.
#[test]
fn the_cli_writes_the_plain_form_and_theta0_beside_it() {
    let model_path = tmp("forms-model.safetensors");
    saved_experiment(&model_path);
    let out = tmp("forms-pruned.safetensors");
    let status = bin()
        .args(["prune", "--model"])
        .arg(&model_path)
        .args([
            "--fraction",
            "0.3",
            "--form",
            "plain",
            "--with-init",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let (tensors, meta) = read(&std::fs::read(&out).unwrap());
    assert!(tensors
        .iter()
        .all(|t| t.name.ends_with(".weight") || t.name.ends_with(".bias")));
    assert!(tensors.iter().all(|t| !t.name.starts_with("init.")));
    assert_eq!(meta.unwrap()["form"], "plain");
    let (init, meta) = read(&std::fs::read(tmp("forms-pruned.init.safetensors")).unwrap());
    assert_eq!(init.len(), tensors.len());
    assert_eq!(meta.unwrap()["weights"], "init");
    let bad = bin()
        .args(["prune", "--model"])
        .arg(&model_path)
        .args(["--fraction", "0.3", "--form", "onnx", "--out"])
        .arg(tmp("forms-bad.safetensors"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("one of pruned, plain"));
}

#[test]
fn predict_json_prints_the_model_outputs_bit_for_bit() {
    let model_path = tmp("predict-model.safetensors");
    let exp = saved_experiment(&model_path);
    let out = bin()
        .args(["predict", "--model"])
        .arg(&model_path)
        .args([
            "--dataset",
            "mnist1d",
            "--seed",
            "0",
            "--split",
            "test",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<f32>> = serde_json::from_slice(&out.stdout).unwrap();
    let expected = exp.model.forward(exp.data.x_test.view()).unwrap();
    assert_eq!(rows.len(), expected.nrows());
    for (row, want) in rows.iter().zip(expected.outer_iter()) {
        assert_eq!(row.as_slice(), want.as_slice().unwrap());
    }

    let out = bin()
        .args(["predict", "--model"])
        .arg(&model_path)
        .args(["--dataset", "mnist1d", "--split", "train"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("train split") && text.contains("accuracy"),
        "{text}"
    );
}

#[test]
fn data_writes_the_same_dataset_the_experiment_uses() {
    let path = tmp("data-circle.safetensors");
    let out = bin()
        .args([
            "data",
            "--dataset",
            "circle",
            "--seed",
            "3",
            "--samples",
            "40",
            "--out",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The experiment's data: its training rows without the validation split, which the file
    // holds as x_val / y_val.
    let exp = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "circle".into(),
            seed: 3,
            samples: 40,
            ..DataConfig::default()
        },
        ..ExperimentConfig::default()
    })
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes, dataset_safetensors(&exp.data).unwrap());
    let (tensors, _) = read(&bytes);
    assert_eq!(find(&tensors, "x_train").shape[0], exp.data.x_train.nrows());
    assert_eq!(find(&tensors, "x_val").shape[0], exp.data.x_val.nrows());
    assert!(exp.data.x_val.nrows() > 0);
}

#[test]
fn cli_errors_go_to_stderr_with_a_failure_status() {
    let plain = tmp("plain.safetensors");
    std::fs::write(&plain, plain_state_dict(None)).unwrap();
    let garbage = tmp("garbage.safetensors");
    std::fs::write(&garbage, b"not a model").unwrap();
    let cases: [(Vec<&str>, &PathBuf, &str); 4] = [
        (vec!["--dataset", "circle"], &plain, "pass --activation"),
        (
            vec!["--dataset", "circle"],
            &garbage,
            "not a safetensors file",
        ),
        (
            vec!["--dataset", "circle", "--activation", "relu"],
            &plain,
            "the model takes 5 inputs but dataset circle has 2 features",
        ),
        (
            vec!["--activation", "swish"],
            &plain,
            "--activation: invalid activation: swish",
        ),
    ];
    for (args, model, message) in cases {
        let out = bin()
            .args(["predict", "--model"])
            .arg(model)
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(message),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = bin()
        .args(["predict", "--model", "/nonexistent/m.safetensors"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/m.safetensors"));
}

/// Loads a CLI-exported model and dataset in Python, runs the forward pass in numpy and compares
/// it with `predict --json` (tests/python/check_export.py). Skipped, with a note, when python3
/// with numpy and safetensors is not available.
#[test]
fn numpy_forward_pass_matches_predict_json() {
    let has_python = Command::new("python3")
        .args(["-c", "import numpy, safetensors.numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!(
            "note: skipping the numpy cross-check: python3 with numpy and safetensors not found"
        );
        return;
    }
    let (model, data, preds) = (
        tmp("py-model.safetensors"),
        tmp("py-data.safetensors"),
        tmp("py-predict.json"),
    );
    saved_experiment(&model);
    let ok = bin()
        .args(["data", "--dataset", "mnist1d", "--seed", "0", "--out"])
        .arg(&data)
        .status()
        .unwrap();
    assert!(ok.success());
    let out = bin()
        .args(["predict", "--model"])
        .arg(&model)
        .args([
            "--dataset",
            "mnist1d",
            "--seed",
            "0",
            "--split",
            "test",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&preds, &out.stdout).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/check_export.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&model, &data, &preds])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
