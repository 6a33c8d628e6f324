//! Any text through the CSV reader: an error or a dataset, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pruning_playground::data::csv::{from_csv, CsvOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ds) = from_csv(&text, &CsvOptions::default()) {
        assert!(ds.y_train.iter().chain(&ds.y_test).all(|&y| y < ds.n_classes));
        assert!(ds.x_train.iter().all(|v| v.is_finite()));
    }
});
