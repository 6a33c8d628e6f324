//! Models and data sets as plain JS objects of typed arrays: how they cross between the training
//! engine and the I/O module (two wasm instances share no memory), and what a script may hand to
//! either. Reading checks everything (a hand-made object gets a message, never a panic).
//!
//! A model (`ModelParts` in www/types.js):
//! `{ inputs, hidden, outputs, activation, outputActivation, init, seed, loss, neuronIds,
//!    initKnown, layers: [{ weight, bias, mask, initialWeight, initialBias }] }` — `hidden` holds the
//! original widths, `neuronIds[h]` the original indices of hidden layer `h`'s neurons (so the
//! current widths), `weight`/`initialWeight` are row-major `[out, in]` Float32Arrays, `mask` a
//! Uint8Array of 0/1, `seed` a decimal string (a u64), `loss` a loss name or null, `initKnown`
//! false for a model imported without its θ₀ file (then `initial*` repeat the weights and
//! rewinding is refused; missing means true).
//!
//! A data set (`DatasetParts`): `{ name, featureNames, nClasses, xTrain, yTrain, xTest, yTest }`
//! with Float32Array rows of `featureNames.length` features and Uint32Array labels.

use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use ndarray::{Array1, Array2};
use wasm_bindgen::{JsCast, JsValue};

use super::js_err;
use crate::data::Dataset;
use crate::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use crate::train::Loss;

/// A plain JS object from key/value pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("setting a property on a fresh object");
    }
    o.into()
}

pub(crate) fn f32s<'a>(v: impl IntoIterator<Item = &'a f32>) -> JsValue {
    Float32Array::from(v.into_iter().copied().collect::<Vec<f32>>().as_slice()).into()
}

#[cfg(not(feature = "io-module"))]
pub(crate) fn numbers<T: Copy + Into<f64>>(v: &[T]) -> JsValue {
    v.iter()
        .map(|&x| JsValue::from_f64(x.into()))
        .collect::<Array>()
        .into()
}

fn usizes(v: &[usize]) -> JsValue {
    v.iter()
        .map(|&x| JsValue::from_f64(x as f64))
        .collect::<Array>()
        .into()
}

fn bad(what: &str, value: &str, allowed: &str) -> JsValue {
    js_err(crate::Error::config(what, value, allowed))
}

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn count(o: &JsValue, key: &str, what: &str) -> Result<usize, JsValue> {
    let v = get(o, key);
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(n as usize),
        _ => Err(bad(
            &format!("{what}.{key}"),
            &describe(&v),
            "a whole number ≥ 0",
        )),
    }
}

fn text(o: &JsValue, key: &str, what: &str) -> Result<String, JsValue> {
    let v = get(o, key);
    v.as_string()
        .ok_or_else(|| bad(&format!("{what}.{key}"), &describe(&v), "a string"))
}

fn array(o: &JsValue, key: &str, what: &str) -> Result<Array, JsValue> {
    let v = get(o, key);
    if Array::is_array(&v) {
        Ok(Array::from(&v))
    } else {
        Err(bad(&format!("{what}.{key}"), &describe(&v), "an array"))
    }
}

fn floats(o: &JsValue, key: &str, what: &str, len: usize) -> Result<Vec<f32>, JsValue> {
    let v = get(o, key);
    let a = v
        .dyn_ref::<Float32Array>()
        .ok_or_else(|| bad(&format!("{what}.{key}"), &describe(&v), "a Float32Array"))?;
    if a.length() as usize != len {
        return Err(bad(
            &format!("{what}.{key}"),
            &format!("{} numbers", a.length()),
            &format!("{len} numbers"),
        ));
    }
    Ok(a.to_vec())
}

/// A short description of a JS value for messages (never the whole value).
fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        "missing".into()
    } else if let Some(s) = v.as_string() {
        format!("{:?}", s.chars().take(40).collect::<String>())
    } else if let Some(n) = v.as_f64() {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            format!("{}", n as i64)
        } else {
            "a fractional number".into()
        }
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

/// The model as a JS object (module docs).
pub(crate) fn model_to_js(m: &Mlp, loss: Option<Loss>) -> JsValue {
    let spec = m.spec();
    let layers: Array = m
        .layers()
        .iter()
        .zip(m.initial_params())
        .map(|(d, p0)| {
            let mask: Vec<u8> = d.mask().iter().map(|&v| v as u8).collect();
            object(&[
                ("weight", f32s(d.weight().iter())),
                ("bias", f32s(d.bias().iter())),
                ("mask", Uint8Array::from(mask.as_slice()).into()),
                ("initialWeight", f32s(p0.weight.iter())),
                ("initialBias", f32s(p0.bias.iter())),
            ])
        })
        .collect();
    let ids: Array = m.neuron_ids().iter().map(|ids| usizes(ids)).collect();
    object(&[
        ("inputs", JsValue::from_f64(spec.inputs as f64)),
        ("hidden", usizes(&spec.hidden)),
        ("outputs", JsValue::from_f64(spec.outputs as f64)),
        ("activation", JsValue::from_str(spec.activation.name())),
        (
            "outputActivation",
            JsValue::from_str(spec.output_activation.name()),
        ),
        ("init", JsValue::from_str(spec.init.name())),
        ("seed", JsValue::from_str(&spec.seed.to_string())),
        (
            "loss",
            loss.map_or(JsValue::NULL, |l| JsValue::from_str(l.name())),
        ),
        ("neuronIds", ids.into()),
        ("initKnown", JsValue::from_bool(m.init_known())),
        ("layers", layers.into()),
    ])
}

fn whole_numbers(a: &Array, what: &str) -> Result<Vec<usize>, JsValue> {
    a.iter()
        .map(|v| match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Ok(n as usize),
            _ => Err(bad(what, &describe(&v), "whole numbers ≥ 0")),
        })
        .collect()
}

/// Reads a model object (module docs); the loss it names, if any.
pub(crate) fn model_from_js(v: &JsValue) -> Result<(Mlp, Option<Loss>), JsValue> {
    const W: &str = "model";
    if !v.is_object() {
        return Err(bad(W, &describe(v), "a model object"));
    }
    let err = js_err;
    let seed_text = text(v, "seed", W)?;
    let seed = seed_text.parse::<u64>().map_err(|_| {
        bad(
            "model.seed",
            &describe(&get(v, "seed")),
            "a whole number as text",
        )
    })?;
    let spec = MlpSpec {
        inputs: count(v, "inputs", W)?,
        hidden: whole_numbers(&array(v, "hidden", W)?, "model.hidden")?,
        outputs: count(v, "outputs", W)?,
        activation: Activation::parse(&text(v, "activation", W)?).map_err(err)?,
        output_activation: Activation::parse(&text(v, "outputActivation", W)?).map_err(err)?,
        init: Init::parse(&text(v, "init", W)?).map_err(err)?,
        seed,
    };
    spec.validate().map_err(err)?;
    let loss = match get(v, "loss") {
        l if l.is_null() || l.is_undefined() => None,
        l => Some(Loss::parse(&l.as_string().unwrap_or_default()).map_err(err)?),
    };
    let ids_js = array(v, "neuronIds", W)?;
    let mut neuron_ids = Vec::with_capacity(ids_js.length() as usize);
    for (h, ids) in ids_js.iter().enumerate() {
        if !Array::is_array(&ids) {
            return Err(bad(
                &format!("model.neuronIds[{h}]"),
                &describe(&ids),
                "an array",
            ));
        }
        neuron_ids.push(whole_numbers(
            &Array::from(&ids),
            &format!("model.neuronIds[{h}]"),
        )?);
    }
    let mut widths = vec![spec.inputs];
    widths.extend(neuron_ids.iter().map(Vec::len));
    widths.push(spec.outputs);
    let layers_js = array(v, "layers", W)?;
    if layers_js.length() as usize != widths.len() - 1 {
        return Err(bad(
            "model.layers",
            &format!("{} layers", layers_js.length()),
            &format!("{} layers for widths {widths:?}", widths.len() - 1),
        ));
    }
    let (mut params, mut masks, mut initial) = (Vec::new(), Vec::new(), Vec::new());
    for (l, layer) in layers_js.iter().enumerate() {
        let what = format!("model.layers[{l}]");
        if !layer.is_object() {
            return Err(bad(&what, &describe(&layer), "a layer object"));
        }
        let (fan_out, fan_in) = (widths[l + 1], widths[l]);
        let matrix = |key: &str| -> Result<Array2<f32>, JsValue> {
            let w = floats(&layer, key, &what, fan_out * fan_in)?;
            Ok(Array2::from_shape_vec((fan_out, fan_in), w).expect("checked length"))
        };
        let vector = |key: &str| -> Result<Array1<f32>, JsValue> {
            Ok(Array1::from(floats(&layer, key, &what, fan_out)?))
        };
        let mask_js = get(&layer, "mask");
        let mask = mask_js
            .dyn_ref::<Uint8Array>()
            .ok_or_else(|| bad(&format!("{what}.mask"), &describe(&mask_js), "a Uint8Array"))?
            .to_vec();
        if mask.len() != fan_out * fan_in {
            return Err(bad(
                &format!("{what}.mask"),
                &format!("{} values", mask.len()),
                &format!("{} values", fan_out * fan_in),
            ));
        }
        let mask: Vec<f32> = mask.iter().map(|&b| f32::from(b)).collect();
        masks.push(Array2::from_shape_vec((fan_out, fan_in), mask).expect("checked length"));
        params.push(LayerParams {
            weight: matrix("weight")?,
            bias: vector("bias")?,
        });
        initial.push(LayerParams {
            weight: matrix("initialWeight")?,
            bias: vector("initialBias")?,
        });
    }
    let mut model = Mlp::from_parts(&spec, params, masks, initial, neuron_ids).map_err(err)?;
    // `initKnown: false` (a model imported without its θ₀ file); missing means known.
    if get(v, "initKnown").as_bool() == Some(false) {
        model.forget_init();
    }
    Ok((model, loss))
}

/// The data set as a JS object (module docs).
#[cfg(feature = "io")]
pub(crate) fn dataset_to_js(d: &Dataset) -> JsValue {
    let labels = |y: &[usize]| -> JsValue {
        Uint32Array::from(y.iter().map(|&c| c as u32).collect::<Vec<u32>>().as_slice()).into()
    };
    let names: Array = d
        .feature_names
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect();
    object(&[
        ("name", JsValue::from_str(&d.name)),
        ("featureNames", names.into()),
        ("nClasses", JsValue::from_f64(d.n_classes as f64)),
        ("xTrain", f32s(d.x_train.iter())),
        ("yTrain", labels(&d.y_train)),
        ("xTest", f32s(d.x_test.iter())),
        ("yTest", labels(&d.y_test)),
    ])
}

/// Reads a data set object (module docs): shapes, labels below `nClasses`, finite features.
#[cfg(not(feature = "io-module"))]
pub(crate) fn dataset_from_js(v: &JsValue) -> Result<Dataset, JsValue> {
    const W: &str = "data set";
    if !v.is_object() {
        return Err(bad(W, &describe(v), "a data set object"));
    }
    let names = array(v, "featureNames", W)?;
    let feature_names: Vec<String> = names
        .iter()
        .map(|n| n.as_string().unwrap_or_default())
        .collect();
    let f = feature_names.len();
    let n_classes = count(v, "nClasses", W)?;
    if !(1..=4096).contains(&f) || !(2..=4096).contains(&n_classes) {
        return Err(bad(
            W,
            &format!("{f} features, {n_classes} classes"),
            "1 to 4096 features and 2 to 4096 classes",
        ));
    }
    let split = |x: &str, y: &str| -> Result<(Array2<f32>, Vec<usize>), JsValue> {
        let yv = get(v, y);
        let labels = yv
            .dyn_ref::<Uint32Array>()
            .ok_or_else(|| bad(&format!("{W}.{y}"), &describe(&yv), "a Uint32Array"))?
            .to_vec();
        if let Some(c) = labels.iter().find(|&&c| c as usize >= n_classes) {
            return Err(bad(
                &format!("{W}.{y}"),
                &format!("label {c}"),
                &format!("labels below nClasses = {n_classes}"),
            ));
        }
        let rows = labels.len();
        let xs = floats(v, x, W, rows * f)?;
        if xs.iter().any(|x| !x.is_finite()) {
            return Err(bad(
                &format!("{W}.{x}"),
                "a value that is not finite",
                "finite numbers",
            ));
        }
        let x = Array2::from_shape_vec((rows, f), xs).expect("checked length");
        Ok((x, labels.into_iter().map(|c| c as usize).collect()))
    };
    let (x_train, y_train) = split("xTrain", "yTrain")?;
    let (x_test, y_test) = split("xTest", "yTest")?;
    if y_train.is_empty() || y_test.is_empty() {
        return Err(bad(
            W,
            &format!("{} training and {} test rows", y_train.len(), y_test.len()),
            "at least one of each",
        ));
    }
    Ok(Dataset {
        name: text(v, "name", W)?,
        x_train,
        y_train,
        x_test,
        y_test,
        x_val: Array2::zeros((0, 0)),
        y_val: Vec::new(),
        n_classes,
        feature_names,
        image_side: None,
    })
}
