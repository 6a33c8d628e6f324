//! Datasets through the public API: shapes, labels, splits, seeds, scaling, and every CSV error.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::Array2;
use proptest::prelude::*;
use pruning_playground::data::csv::{from_csv, from_csv_with_classes, CsvOptions, MAX_BYTES};
use pruning_playground::data::{build, digits, mnist1d, DataSpec, Dataset, DatasetKind};
use pruning_playground::error::Allowed;
use pruning_playground::Error;

const TOYS: [DatasetKind; 5] = [
    DatasetKind::Circle,
    DatasetKind::Xor,
    DatasetKind::Gauss,
    DatasetKind::Spiral,
    DatasetKind::Moons,
];

fn toy(kind: DatasetKind, noise: f32, seed: u64) -> Dataset {
    build(&DataSpec {
        kind,
        noise,
        train_fraction: 0.7,
        samples: 501,
        seed,
    })
    .unwrap()
}

fn class_counts(d: &Dataset) -> Vec<usize> {
    let mut counts = vec![0; d.n_classes];
    for &c in d.y_train.iter().chain(&d.y_test) {
        counts[c] += 1;
    }
    counts
}

/// Per-feature (mean, population std) of `x`.
fn column_stats(x: &Array2<f32>) -> Vec<(f64, f64)> {
    x.columns()
        .into_iter()
        .map(|c| {
            let n = c.len() as f64;
            let mean = c.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let var = c
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / n;
            (mean, var.sqrt())
        })
        .collect()
}

// ---------------------------------------------------------------- toys

#[test]
fn toy_sets_have_two_raw_features_and_split_by_train_fraction() {
    for kind in TOYS {
        let d = toy(kind, 0.2, 1);
        assert_eq!(d.name, kind.name());
        assert_eq!(d.feature_names, ["x1", "x2"]);
        assert_eq!(d.n_classes, 2);
        // round(501 * 0.7) = 351 (350.7)
        assert_eq!(d.x_train.dim(), (351, 2), "{kind:?}");
        assert_eq!(d.x_test.dim(), (150, 2), "{kind:?}");
        assert_eq!((d.y_train.len(), d.y_test.len()), (351, 150));
        assert!(d.y_train.iter().chain(&d.y_test).all(|&c| c < 2));
        let max = d
            .x_train
            .iter()
            .chain(&d.x_test)
            .fold(0.0_f32, |m, v| m.max(v.abs()));
        assert!(max > 2.0 && max < 12.0, "{kind:?}: max |x| = {max}");
    }
}

#[test]
fn toy_classes_are_balanced_without_noise() {
    for kind in TOYS {
        assert_eq!(class_counts(&toy(kind, 0.0, 3)), [251, 250], "{kind:?}");
    }
}

#[test]
fn gauss_spiral_and_moons_stay_balanced_with_noise() {
    for kind in [DatasetKind::Gauss, DatasetKind::Spiral, DatasetKind::Moons] {
        assert_eq!(class_counts(&toy(kind, 0.5, 3)), [251, 250], "{kind:?}");
    }
}

/// Circle and XOR label the noisy point (TF Playground), so noise moves a few points across.
#[test]
fn circle_and_xor_stay_about_balanced_with_noise() {
    for kind in [DatasetKind::Circle, DatasetKind::Xor] {
        let counts = class_counts(&toy(kind, 0.3, 3));
        assert!(counts[0].abs_diff(counts[1]) < 100, "{kind:?}: {counts:?}");
    }
}

#[test]
fn toy_features_are_not_standardized() {
    // A circle's points reach radius ~5, far beyond a standardized feature's unit scale.
    let d = toy(DatasetKind::Circle, 0.0, 2);
    let max_r = d
        .x_train
        .rows()
        .into_iter()
        .map(|r| r[0].hypot(r[1]))
        .fold(0.0_f32, f32::max);
    assert!(max_r > 4.8 && max_r <= 5.0, "{max_r}");
}

#[test]
fn same_seed_gives_identical_toys_and_other_seed_differs() {
    for kind in TOYS {
        assert_eq!(toy(kind, 0.2, 9), toy(kind, 0.2, 9), "{kind:?}");
        assert_ne!(
            toy(kind, 0.2, 9).x_train,
            toy(kind, 0.2, 10).x_train,
            "{kind:?}"
        );
    }
}

#[test]
fn noise_outside_zero_to_half_is_refused_naming_field_and_range() {
    let spec = DataSpec {
        noise: 0.7,
        ..DataSpec::default()
    };
    let err = build(&spec).unwrap_err();
    assert_eq!(
        err,
        Error::config(
            "noise",
            "0.7",
            Allowed::Between {
                low: 0.0,
                high: 0.5
            }
        )
    );
    assert_eq!(err.to_string(), "invalid noise: 0.7 (between 0 and 0.5)");
    let spec = DataSpec {
        noise: f32::NAN,
        ..DataSpec::default()
    };
    assert!(matches!(build(&spec), Err(Error::InvalidConfig { field, .. }) if field == "noise"));
}

#[test]
fn samples_outside_ten_to_twenty_thousand_are_refused() {
    for samples in [9, 20_001] {
        let spec = DataSpec {
            samples,
            ..DataSpec::default()
        };
        assert_eq!(
            build(&spec).unwrap_err(),
            Error::config(
                "samples",
                samples,
                Allowed::Between {
                    low: 10.0,
                    high: 20000.0
                }
            )
        );
    }
}

#[test]
fn train_fraction_must_leave_a_sample_on_each_side() {
    for fraction in [0.0, 1.0, -0.5, 0.01, 0.99] {
        let spec = DataSpec {
            samples: 10,
            train_fraction: fraction,
            ..DataSpec::default()
        };
        let err = build(&spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid train_fraction: {fraction} (strictly between 0 and 1, leaving at least \
                 one of the 10 samples for training and one for testing)"
            )
        );
    }
}

// ---------------------------------------------------------------- MNIST-1D

#[test]
fn mnist1d_has_4000_train_and_1000_test_samples_of_40_features() {
    let d = build(&DataSpec {
        kind: DatasetKind::Mnist1d,
        ..DataSpec::default()
    })
    .unwrap();
    assert_eq!(d.name, "mnist1d");
    assert_eq!(d.x_train.dim(), (4000, 40));
    assert_eq!(d.x_test.dim(), (1000, 40));
    assert_eq!(d.n_classes, 10);
    assert_eq!(d.feature_names.len(), 40);
    assert_eq!(class_counts(&d), [500; 10]);
    assert!(d.x_train.iter().chain(&d.x_test).all(|v| v.is_finite()));
}

#[test]
fn mnist1d_is_standardized_with_training_statistics() {
    let d = mnist1d::load(5);
    for (j, (mean, std)) in column_stats(&d.x_train).into_iter().enumerate() {
        assert!(mean.abs() < 1e-4, "feature {j}: mean {mean}");
        assert!((std - 1.0).abs() < 1e-4, "feature {j}: std {std}");
    }
    // The test set was scaled with the training statistics: close to, not exactly, 0 and 1.
    for (mean, std) in column_stats(&d.x_test) {
        assert!(mean.abs() < 0.2 && (std - 1.0).abs() < 0.2, "{mean} {std}");
    }
}

#[test]
fn same_seed_gives_identical_mnist1d_and_other_seed_differs() {
    assert_eq!(mnist1d::load(1), mnist1d::load(1));
    assert_ne!(mnist1d::load(1).x_train, mnist1d::load(2).x_train);
}

/// The raw signals have the reference package's scale: before its global standardization the
/// reference data (`mnist1d` 0.0.2, seed 42) has mean -0.0055 and std 0.155.
#[test]
fn mnist1d_raw_signals_have_the_reference_scale() {
    let (x, y) = mnist1d::samples(0);
    assert_eq!(x.dim(), (5000, 40));
    assert_eq!(y.len(), 5000);
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let std = (x
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    assert!((mean - -0.0055).abs() < 0.003, "mean {mean}");
    assert!((std - 0.155).abs() < 0.005, "std {std}");
}

// ---------------------------------------------------------------- digits

#[test]
fn digits_file_checksum_matches() {
    let bin = digits::DIGITS_BIN;
    let (body, tail) = bin.split_at(bin.len() - 4);
    assert_eq!(bin.len(), 12 + 1797 * 65 + 4);
    assert_eq!(u32::from_le_bytes(tail.try_into().unwrap()), 0xe4c2_0f2b);
    assert_eq!(digits::fnv1a32(body), 0xe4c2_0f2b);
}

#[test]
fn digits_have_scikit_learn_class_counts() {
    let (x, y) = digits::decode(digits::DIGITS_BIN).unwrap();
    assert_eq!(x.dim(), (1797, 64));
    let mut counts = [0; 10];
    y.iter().for_each(|&c| counts[c] += 1);
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert!(x.iter().all(|&p| p <= 16));
}

#[test]
fn digits_split_is_stratified_by_train_fraction() {
    let d = build(&DataSpec {
        kind: DatasetKind::Digits,
        train_fraction: 0.7,
        seed: 4,
        ..DataSpec::default()
    })
    .unwrap();
    assert_eq!(d.x_train.dim(), (1258, 64)); // round(1797 * 0.7)
    assert_eq!(d.x_test.dim(), (539, 64));
    assert_eq!(d.feature_names[9], "pixel_1_1");
    assert_eq!(
        class_counts(&d),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    let mut train = [0_usize; 10];
    d.y_train.iter().for_each(|&c| train[c] += 1);
    for (c, (&k, n)) in train
        .iter()
        .zip([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        .enumerate()
    {
        let share = n as f64 * 0.7;
        assert!((k as f64 - share).abs() < 1.0, "class {c}: {k} of {n}");
    }
}

#[test]
fn digits_are_standardized_and_constant_pixels_centred() {
    let d = digits::load(0.5, 1).unwrap();
    for (j, (mean, std)) in column_stats(&d.x_train).into_iter().enumerate() {
        assert!(mean.abs() < 1e-5, "pixel {j}: mean {mean}");
        // A pixel that is always 0 in the training set stays 0 (std 0); the others get std 1.
        assert!(
            std < 1e-6 || (std - 1.0).abs() < 1e-4,
            "pixel {j}: std {std}"
        );
    }
    assert!(d.x_train.iter().all(|v| v.is_finite()));
}

#[test]
fn same_seed_gives_identical_digits_split_and_other_seed_differs() {
    assert_eq!(digits::load(0.6, 3).unwrap(), digits::load(0.6, 3).unwrap());
    assert_ne!(
        digits::load(0.6, 3).unwrap().y_train,
        digits::load(0.6, 4).unwrap().y_train
    );
}

// ---------------------------------------------------------------- CSV

fn opts() -> CsvOptions {
    CsvOptions {
        train_fraction: 0.5,
        ..CsvOptions::default()
    }
}

/// The CSV error's English text (the CLI prints it; the browser words its data, tests/errors.rs).
fn csv_err(text: &str) -> String {
    match from_csv(text, &opts()).unwrap_err() {
        e @ Error::Csv { .. } => e.to_string(),
        e => panic!("not a CSV error: {e:?}"),
    }
}

fn csv_text(line: usize, problem: &str) -> String {
    format!("CSV line {line}: {problem}")
}

#[test]
fn csv_with_header_and_string_labels_reads_and_standardizes() {
    let text = "a,b,label\n1,10,yes\n2,10,no\n3,10,yes\n4,10,no\n5,10,yes\n6,10,no\n";
    let (d, classes) = from_csv_with_classes(text, &opts()).unwrap();
    assert_eq!(d.feature_names, ["a", "b"]);
    assert_eq!(classes, ["yes", "no"]);
    assert_eq!(d.n_classes, 2);
    assert_eq!((d.x_train.nrows(), d.x_test.nrows()), (3, 3));
    assert_eq!(d.y_train.iter().filter(|&&c| c == 0).count(), 2);
    let stats = column_stats(&d.x_train);
    assert!(stats[0].0.abs() < 1e-6 && (stats[0].1 - 1.0).abs() < 1e-5);
    // Column b is constant: centred, not divided by zero.
    assert!(d
        .x_train
        .column(1)
        .iter()
        .chain(d.x_test.column(1))
        .all(|&v| v == 0.0));
}

#[test]
fn csv_without_header_and_a_numeric_label_reads() {
    let text = "0.5,1.5,1\n-0.5,2.5,0\n1.5,0.5,1\n2.5,-1,0\n";
    let d = from_csv(text, &opts()).unwrap();
    assert_eq!(d.feature_names, ["x1", "x2"]);
    assert_eq!(d.x_train.nrows() + d.x_test.nrows(), 4);
}

#[test]
fn csv_same_seed_gives_identical_split() {
    let text: String = (0..50).map(|i| format!("{i},{}\n", i % 3)).collect();
    let a = from_csv(&text, &opts()).unwrap();
    assert_eq!(a, from_csv(&text, &opts()).unwrap());
    let other = CsvOptions { seed: 1, ..opts() };
    assert_ne!(a.y_train, from_csv(&text, &other).unwrap().y_train);
}

#[test]
fn csv_blank_lines_and_byte_order_mark_are_ignored() {
    let text = "\u{feff}a,y\n\n1,p\n2,q\n\n3,p\n4,q\n\n";
    assert_eq!(from_csv(text, &opts()).unwrap().feature_names, ["a"]);
}

#[test]
fn csv_empty_file_is_refused() {
    assert_eq!(csv_err(""), csv_text(0, "the file is empty"));
    assert_eq!(csv_err("\n\n  \n"), csv_text(0, "the file is empty"));
}

#[test]
fn csv_header_only_is_refused() {
    assert_eq!(
        csv_err("a,b,label\n"),
        csv_text(0, "only a header row, no data rows")
    );
}

#[test]
fn csv_ragged_row_names_expected_and_actual_column_counts() {
    assert_eq!(
        csv_err("a,b,y\n1,2,p\n3,q\n"),
        csv_text(3, "expected 3 columns, got 2")
    );
    assert_eq!(
        csv_err("a,b,y\n1,2,p\n3,4,5,q\n"),
        csv_text(3, "expected 3 columns, got 4")
    );
}

#[test]
fn csv_non_numeric_cell_names_column_and_text() {
    assert_eq!(
        csv_err("a,b,y\n1,2,p\n3,abc,q\n"),
        csv_text(3, "column \"b\": \"abc\" is not a number")
    );
    assert_eq!(
        csv_err("1,2,p\n3,,q\n"),
        csv_text(2, "column \"x2\": empty cell")
    );
}

#[test]
fn csv_nan_and_infinity_are_refused() {
    assert_eq!(
        csv_err("a,b,y\n1,2,p\n3,NaN,q\n"),
        csv_text(3, "column \"b\": \"NaN\" is not a finite number")
    );
    assert_eq!(
        csv_err("a,b,y\n-inf,2,p\n3,4,q\n"),
        csv_text(2, "column \"a\": \"-inf\" is not a finite number")
    );
    assert_eq!(
        csv_err("a,b,y\n1e39,2,p\n3,4,q\n"),
        csv_text(2, "column \"a\": \"1e39\" is not a finite number")
    );
}

#[test]
fn csv_with_fewer_than_two_classes_is_refused() {
    assert_eq!(
        csv_err("a,kind\n1,cat\n2,cat\n"),
        csv_text(
            0,
            "the label column \"kind\" has only one class (\"cat\"); need at least 2"
        )
    );
}

#[test]
fn csv_empty_label_is_refused() {
    assert_eq!(
        csv_err("a,kind\n1,cat\n2,\n"),
        csv_text(3, "empty label in column \"kind\"")
    );
}

#[test]
fn csv_with_too_many_rows_is_refused_at_the_first_extra_row() {
    let mut text = String::from("a,y\n");
    for i in 0..100_001 {
        text.push_str(if i % 2 == 0 { "1,0\n" } else { "2,1\n" });
    }
    assert_eq!(
        csv_err(&text),
        csv_text(100_002, "more than 100000 data rows; the limit is 100000")
    );
}

#[test]
fn csv_with_too_many_columns_is_refused() {
    let row = vec!["1"; 1001].join(",");
    assert_eq!(
        csv_err(&format!("{row}\n{row}\n")),
        csv_text(1, "1001 columns; the limit is 1000")
    );
}

#[test]
fn csv_with_a_single_column_is_refused() {
    assert_eq!(
        csv_err("1\n2\n"),
        csv_text(
            1,
            "need at least 2 columns (features and a label), got 1; columns must be separated by commas"
        )
    );
}

#[test]
fn csv_unknown_label_column_lists_the_headers() {
    let o = CsvOptions {
        label_column: Some("class".into()),
        ..opts()
    };
    assert_eq!(
        from_csv("a,b,kind\n1,2,p\n3,4,q\n", &o)
            .unwrap_err()
            .to_string(),
        csv_text(
            1,
            "no label column named \"class\"; the header has \"a\", \"b\", \"kind\""
        )
    );
}

#[test]
fn csv_file_over_twenty_megabytes_is_refused() {
    let text = "1,2\n".repeat(MAX_BYTES / 4 + 1);
    assert_eq!(
        csv_err(&text),
        csv_text(
            0,
            "the file is 20000004 bytes; the limit is 20000000 bytes (20 MB)"
        )
    );
}

#[test]
fn csv_train_fraction_leaving_no_test_row_is_a_config_error() {
    let o = CsvOptions {
        train_fraction: 0.9,
        ..opts()
    };
    let err = from_csv("1,a\n2,b\n", &o).unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { ref field, .. } if field == "train_fraction"));
}

proptest! {
    #[test]
    fn from_csv_never_panics_on_arbitrary_text(text in "\\PC*") {
        let _ = from_csv(&text, &opts());
    }

    #[test]
    fn from_csv_never_panics_on_csv_like_text(text in "[0-9a-c,.\\-\"\\n eEnN]{0,300}") {
        if let Ok(d) = from_csv(&text, &opts()) {
            prop_assert!(d.n_classes >= 2);
            prop_assert!(d.y_train.iter().chain(&d.y_test).all(|&c| c < d.n_classes));
            prop_assert!(d.x_train.iter().chain(&d.x_test).all(|v| v.is_finite()));
        }
    }
}

/// `provide` (how the wasm build, which does not embed the file, is given it) checks the bytes:
/// corrupted, truncated, or a well-formed file that is not this build's digits are refused.
#[test]
fn digits_provide_checks_the_file_identity() {
    let bin = digits::DIGITS_BIN;
    digits::provide(bin).unwrap();
    assert!(digits::available());
    let mut flipped = bin.to_vec();
    flipped[200] ^= 1;
    let err = digits::provide(&flipped).unwrap_err().to_string();
    assert!(err.contains("checksum"), "{err}");
    let err = digits::provide(&bin[..5000]).unwrap_err().to_string();
    assert!(err.contains("bytes, expected"), "{err}");
    // A consistent file (checksum recomputed) with one pixel changed is not this build's file.
    let mut other = bin.to_vec();
    let body_len = other.len() - 4;
    other[12] = if other[12] == 0 { 1 } else { 0 };
    let sum = digits::fnv1a32(&other[..body_len]);
    other[body_len..].copy_from_slice(&sum.to_le_bytes());
    digits::decode(&other).unwrap();
    let err = digits::provide(&other).unwrap_err().to_string();
    assert!(err.contains("not the digits file of this build"), "{err}");
}
