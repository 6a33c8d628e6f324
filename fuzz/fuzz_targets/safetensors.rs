//! Any bytes as a model file: an error naming what is wrong, or a model whose forward pass runs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pruning_playground::io::{import_safetensors, ImportOptions};
use pruning_playground::model::Activation;

fuzz_target!(|data: &[u8]| {
    for activation in [None, Some(Activation::Relu)] {
        let opts = ImportOptions { activation, ..ImportOptions::default() };
        if let Ok(model) = import_safetensors(data, &opts) {
            let inputs = model.widths()[0];
            if inputs <= 4096 {
                let x = ndarray::Array2::<f32>::zeros((1, inputs));
                model.forward(x.view()).expect("a loaded model takes its own input width");
            }
        }
    }
});
