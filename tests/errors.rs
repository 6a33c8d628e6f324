//! Engine errors as data: one example of every kind (and of every `allowed` and CSV problem), as
//! the browser receives them, kept in tests/fixtures/engine-errors.json. The page's wording test
//! (tests/node/engine-text.test.mjs) words each in English and Korean, so a kind added here
//! without wording fails there. Regenerate the file with `UPDATE_FIXTURES=1 cargo test --test
//! errors`.
#![cfg(not(target_arch = "wasm32"))]

use pruning_playground::error::{Allowed, CsvProblem};
use pruning_playground::Error;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/engine-errors.json"
);

/// Which variant, by position; exhaustive, so a new variant does not compile without a number.
fn variant(e: &Error) -> usize {
    match e {
        Error::InvalidConfig { .. } => 0,
        Error::Csv { .. } => 1,
        Error::Shape { .. } => 2,
        Error::ModelFile { .. } => 3,
        Error::Diverged { .. } => 4,
        Error::Rewind { .. } => 5,
        Error::State { .. } => 6,
    }
}
const VARIANTS: usize = 7;

fn allowed_variant(a: &Allowed) -> usize {
    match a {
        Allowed::OneOf { .. } => 0,
        Allowed::Interval { .. } => 1,
        Allowed::Range { .. } => 2,
        Allowed::Between { .. } => 3,
        Allowed::Positive => 4,
        Allowed::Finite => 5,
        Allowed::Binary => 6,
        Allowed::AtLeastSteps { .. } => 7,
        Allowed::LayerWidth { .. } => 8,
        Allowed::HiddenLayers { .. } => 9,
        Allowed::Parameters { .. } => 10,
        Allowed::Text { .. } => 11,
        Allowed::ImagesOnly => 12,
    }
}
const ALLOWED_VARIANTS: usize = 13;

fn csv_variant(p: &CsvProblem) -> usize {
    match p {
        CsvProblem::TooLarge { .. } => 0,
        CsvProblem::Empty => 1,
        CsvProblem::HeaderOnly => 2,
        CsvProblem::TooManyColumns { .. } => 3,
        CsvProblem::OneColumn => 4,
        CsvProblem::NoLabelColumn { .. } => 5,
        CsvProblem::TooManyRows { .. } => 6,
        CsvProblem::ColumnCount { .. } => 7,
        CsvProblem::EmptyLabel { .. } => 8,
        CsvProblem::EmptyCell { .. } => 9,
        CsvProblem::NotANumber { .. } => 10,
        CsvProblem::NotFinite { .. } => 11,
        CsvProblem::OneClass { .. } => 12,
        CsvProblem::Unreadable { .. } => 13,
    }
}
const CSV_VARIANTS: usize = 14;

fn examples() -> Vec<Error> {
    let allowed = [
        Allowed::one_of(&["sgd", "momentum", "adam"]),
        Allowed::interval(0.0, 10.0, true, false),
        Allowed::Range { min: 1, max: 4096 },
        Allowed::Between {
            low: 0.0,
            high: 0.5,
        },
        Allowed::Positive,
        Allowed::Finite,
        Allowed::Binary,
        Allowed::AtLeastSteps { min: 1 },
        Allowed::LayerWidth { max: 4096 },
        Allowed::HiddenLayers { max: 16 },
        Allowed::Parameters { max: 4_000_000 },
        Allowed::from("at most the 24 weights of layer 1"),
        Allowed::ImagesOnly,
    ];
    let csv = [
        CsvProblem::TooLarge {
            bytes: 20_000_001,
            limit: 20_000_000,
        },
        CsvProblem::Empty,
        CsvProblem::HeaderOnly,
        CsvProblem::TooManyColumns {
            columns: 1001,
            limit: 1000,
        },
        CsvProblem::OneColumn,
        CsvProblem::NoLabelColumn {
            column: "kind".into(),
            header: vec!["a".into(), "b".into()],
        },
        CsvProblem::TooManyRows { limit: 100_000 },
        CsvProblem::ColumnCount {
            expected: 3,
            got: 2,
        },
        CsvProblem::EmptyLabel {
            column: "label".into(),
        },
        CsvProblem::EmptyCell { column: "b".into() },
        CsvProblem::NotANumber {
            column: "b".into(),
            cell: "x".into(),
        },
        CsvProblem::NotFinite {
            column: "b".into(),
            cell: "NaN".into(),
        },
        CsvProblem::OneClass {
            column: "label".into(),
            class: "0".into(),
        },
        CsvProblem::Unreadable {
            reason: "invalid UTF-8".into(),
        },
    ];
    let mut out: Vec<Error> = allowed
        .into_iter()
        .enumerate()
        .map(|(i, a)| Error::config("batch_size", i, a))
        .collect();
    out.extend(csv.into_iter().enumerate().map(|(i, p)| Error::csv(i, p)));
    out.extend([
        Error::Shape {
            what: "input batch".into(),
            expected: "[batch, 2]".into(),
            got: "[1, 3]".into(),
        },
        Error::model_file("missing tensor layers.0.weight"),
        Error::Diverged {
            step: 120,
            what: "the training loss".into(),
        },
        Error::Rewind {
            step: 5,
            saved: Some(3),
        },
        Error::Rewind {
            step: 5,
            saved: None,
        },
        Error::state("the training set is empty"),
    ]);
    out
}

/// The examples as the browser receives them: the error's fields and its English `message`.
fn as_js(examples: &[Error]) -> String {
    let list: Vec<serde_json::Value> = examples
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap();
            v["message"] = e.to_string().into();
            v
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap() + "\n"
}

#[test]
fn the_examples_cover_every_kind_of_error_allowed_value_and_csv_problem() {
    let e = examples();
    let mut seen = [false; VARIANTS];
    let mut allowed = [false; ALLOWED_VARIANTS];
    let mut csv = [false; CSV_VARIANTS];
    for x in &e {
        seen[variant(x)] = true;
        match x {
            Error::InvalidConfig { allowed: a, .. } => allowed[allowed_variant(a)] = true,
            Error::Csv { problem, .. } => csv[csv_variant(problem)] = true,
            _ => {}
        }
    }
    assert!(
        seen.iter().all(|&s| s),
        "kinds without an example: {seen:?}"
    );
    assert!(
        allowed.iter().all(|&s| s),
        "allowed without an example: {allowed:?}"
    );
    assert!(
        csv.iter().all(|&s| s),
        "CSV problems without an example: {csv:?}"
    );
}

#[test]
fn the_fixture_holds_every_example_as_the_browser_receives_it() {
    let text = as_js(&examples());
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, &text).unwrap();
    }
    let stored = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    assert!(
        stored == text,
        "tests/fixtures/engine-errors.json is out of date: run UPDATE_FIXTURES=1 cargo test --test errors"
    );
}

/// The English text the CLI prints is the one it printed when errors were sentences.
#[test]
fn every_error_still_reads_as_before() {
    let cases = [
        (
            Error::config(
                "learning_rate",
                0.0,
                Allowed::interval(0.0, 10.0, true, false),
            ),
            "invalid learning_rate: 0 (a number in (0, 10])",
        ),
        (
            Error::config("batch_size", 0, Allowed::Range { min: 1, max: 4096 }),
            "invalid batch_size: 0 (1 to 4096)",
        ),
        (
            Error::config("optimizer", "x", Allowed::one_of(&["sgd", "adam"])),
            "invalid optimizer: x (one of sgd, adam)",
        ),
        (
            Error::config("frequency", 0, Allowed::AtLeastSteps { min: 1 }),
            "invalid frequency: 0 (at least 1 step)",
        ),
        (
            Error::csv(
                0,
                CsvProblem::TooLarge {
                    bytes: 20_000_001,
                    limit: 20_000_000,
                },
            ),
            "CSV line 0: the file is 20000001 bytes; the limit is 20000000 bytes (20 MB)",
        ),
        (
            Error::csv(
                1,
                CsvProblem::NoLabelColumn {
                    column: "y".into(),
                    header: vec!["a".into(), "b".into()],
                },
            ),
            "CSV line 1: no label column named \"y\"; the header has \"a\", \"b\"",
        ),
        (
            Error::Rewind {
                step: 5,
                saved: Some(3),
            },
            "no weights were saved at step 5; the rewind point is step 3",
        ),
        (
            Error::Rewind {
                step: 5,
                saved: None,
            },
            "no weights were saved at step 5; train with a rewind step first",
        ),
    ];
    for (e, text) in cases {
        assert_eq!(e.to_string(), text);
    }
}
