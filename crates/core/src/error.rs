//! The crate's one error type. Every error is data — what kind of problem, which field, which
//! value, what is allowed, which CSV line — and its `Display` words it in English, naming what was
//! wrong and what is allowed, so a person can act on it without reading the source. The browser
//! receives the data (serialized with serde, `kind` in kebab-case) and words it in the page's
//! language; the CLI prints the English text.

use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Everything that can go wrong in the core. (`Debug` prints the English text: a derived one
/// would bring the formatting of every field, floats included, into the browser's engine.)
#[derive(Error, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Error {
    /// A setting holds a value outside what is allowed.
    #[error("invalid {field}: {value} ({allowed})")]
    #[serde(rename = "setting")]
    InvalidConfig {
        /// The setting's name as the user wrote it (e.g. `learning_rate`, `hidden`).
        field: String,
        /// The offending value, rendered for display.
        value: String,
        /// What would have been accepted.
        allowed: Allowed,
    },
    /// A CSV file could not be used. `line` is 1-based; 0 means the file as a whole. (Only with
    /// the `io` feature, which reads CSV: the browser's training engine has neither.)
    #[cfg(feature = "io")]
    #[error("CSV line {line}: {problem}")]
    Csv {
        /// 1-based line number in the file, 0 for the whole file.
        line: usize,
        /// What is wrong on that line.
        problem: CsvProblem,
    },
    /// Arrays whose shapes do not fit together.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    Shape {
        /// Which tensor or input.
        what: String,
        /// The expected shape.
        expected: String,
        /// The shape that was given.
        got: String,
    },
    /// A model file (safetensors) could not be read or written.
    #[error("model file: {problem}")]
    ModelFile {
        /// What is wrong with the file (English).
        problem: String,
    },
    /// Training produced a non-finite loss or weight.
    #[error(
        "training diverged at step {step}: {what} is not finite (try a smaller learning rate)"
    )]
    Diverged {
        /// The optimizer step at which the problem was seen.
        step: u64,
        /// What became NaN or infinite.
        what: String,
    },
    /// A rewind to step `step`, whose weights were not saved.
    #[error("no weights were saved at step {step}; {}", rewind_hint(.saved))]
    Rewind {
        /// The step asked for.
        step: u64,
        /// The step whose weights were saved, if any.
        saved: Option<u64>,
    },
    /// An operation that is not possible in the current state.
    #[error("{problem}")]
    State {
        /// Why (English).
        problem: String,
    },
}

fn rewind_hint(saved: &Option<u64>) -> String {
    match saved {
        Some(s) => format!("the rewind point is step {s}"),
        None => "train with a rewind step first".to_string(),
    }
}

/// What a setting accepts, as data (its `Display` is the English wording).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Allowed {
    /// One of the listed names.
    OneOf {
        /// The accepted names, in display order.
        values: Vec<String>,
    },
    /// A number in an interval; `low_open` / `high_open` exclude the end.
    #[serde(rename_all = "camelCase")]
    Interval {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
        /// Whether `low` itself is refused.
        low_open: bool,
        /// Whether `high` itself is refused.
        high_open: bool,
    },
    /// A whole number from `min` to `max`, both included.
    Range {
        /// Smallest accepted.
        min: u64,
        /// Largest accepted.
        max: u64,
    },
    /// A number from `low` to `high`, both included.
    Between {
        /// Smallest accepted.
        low: f64,
        /// Largest accepted.
        high: f64,
    },
    /// A number above 0 (and finite).
    Positive,
    /// A finite number (not NaN or ±Infinity).
    Finite,
    /// Only 0 and 1 (masks).
    Binary,
    /// A number of steps, at least `min`.
    AtLeastSteps {
        /// Smallest accepted.
        min: u64,
    },
    /// Hidden layers of 1 to `max` neurons each.
    LayerWidth {
        /// Largest width.
        max: usize,
    },
    /// At most `max` hidden layers.
    HiddenLayers {
        /// Largest number of hidden layers.
        max: usize,
    },
    /// At most `max` parameters in the network.
    Parameters {
        /// Largest number of parameters.
        max: usize,
    },
    /// 0 unless the data are images (`shift` moves pixels).
    ImagesOnly,
    /// Anything else, worded in English.
    Text {
        /// The English wording.
        text: String,
    },
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowed::OneOf { values } => write!(f, "one of {}", values.join(", ")),
            Allowed::Interval {
                low,
                high,
                low_open,
                high_open,
            } => write!(
                f,
                "a number in {}{low}, {high}{}",
                if *low_open { '(' } else { '[' },
                if *high_open { ')' } else { ']' }
            ),
            Allowed::Range { min, max } => write!(f, "{min} to {max}"),
            Allowed::Between { low, high } => write!(f, "between {low} and {high}"),
            Allowed::Positive => f.write_str("a positive number"),
            Allowed::Finite => f.write_str("a finite number"),
            Allowed::Binary => f.write_str("only 0 and 1"),
            Allowed::AtLeastSteps { min } => {
                write!(f, "at least {min} step{}", if *min == 1 { "" } else { "s" })
            }
            Allowed::LayerWidth { max } => write!(f, "each hidden layer has 1 to {max} neurons"),
            Allowed::HiddenLayers { max } => write!(f, "at most {max} hidden layers"),
            Allowed::Parameters { max } => write!(f, "at most {max} parameters"),
            Allowed::ImagesOnly => {
                f.write_str("0 unless the data set is images (digits, MNIST): it moves pixels")
            }
            Allowed::Text { text } => f.write_str(text),
        }
    }
}

impl Allowed {
    /// One of `values`.
    pub fn one_of(values: &[&str]) -> Self {
        Allowed::OneOf {
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// A number in `[low, high]`, `(low, high]`, … (`low_open`, `high_open` exclude the ends).
    pub fn interval(low: f64, high: f64, low_open: bool, high_open: bool) -> Self {
        Allowed::Interval {
            low,
            high,
            low_open,
            high_open,
        }
    }
}

/// Free English text, for limits that have no data shape of their own.
impl From<&str> for Allowed {
    fn from(text: &str) -> Self {
        Allowed::Text { text: text.into() }
    }
}

impl From<String> for Allowed {
    fn from(text: String) -> Self {
        Allowed::Text { text }
    }
}

/// What is wrong with a CSV file (the line is in [`Error::Csv`]).
#[cfg(feature = "io")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CsvProblem {
    /// Larger than `limit` bytes.
    #[serde(rename = "too-large")]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// The largest accepted.
        limit: usize,
    },
    /// No rows at all.
    Empty,
    /// A header row and nothing else.
    HeaderOnly,
    /// More columns than `limit`.
    TooManyColumns {
        /// The header's columns.
        columns: usize,
        /// The largest accepted.
        limit: usize,
    },
    /// Only one column (features and a label need two, separated by commas).
    OneColumn,
    /// The label column asked for is not in the header.
    NoLabelColumn {
        /// The column asked for (cut to the quoting length).
        column: String,
        /// The header's cells (each cut to the quoting length).
        header: Vec<String>,
    },
    /// More data rows than `limit`.
    TooManyRows {
        /// The largest accepted.
        limit: usize,
    },
    /// A row with a different number of columns than the first.
    ColumnCount {
        /// The first row's columns.
        expected: usize,
        /// This row's.
        got: usize,
    },
    /// An empty label cell.
    EmptyLabel {
        /// The label column's name.
        column: String,
    },
    /// An empty feature cell.
    EmptyCell {
        /// The column's name.
        column: String,
    },
    /// A feature cell that is not a number.
    NotANumber {
        /// The column's name.
        column: String,
        /// The cell (cut to the quoting length).
        cell: String,
    },
    /// A feature cell that is NaN, infinite or beyond `f32`.
    NotFinite {
        /// The column's name.
        column: String,
        /// The cell (cut to the quoting length).
        cell: String,
    },
    /// Every label the same.
    OneClass {
        /// The label column's name.
        column: String,
        /// The one class (cut to the quoting length).
        class: String,
    },
    /// A row the CSV reader could not read (its own English reason).
    Unreadable {
        /// The reader's reason.
        reason: String,
    },
}

#[cfg(feature = "io")]
impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvProblem::TooLarge { bytes, limit } => write!(
                f,
                "the file is {bytes} bytes; the limit is {limit} bytes ({} MB)",
                limit / 1_000_000
            ),
            CsvProblem::Empty => f.write_str("the file is empty"),
            CsvProblem::HeaderOnly => f.write_str("only a header row, no data rows"),
            CsvProblem::TooManyColumns { columns, limit } => {
                write!(f, "{columns} columns; the limit is {limit}")
            }
            CsvProblem::OneColumn => f.write_str(
                "need at least 2 columns (features and a label), got 1; columns must be separated by commas",
            ),
            CsvProblem::NoLabelColumn { column, header } => {
                let header: Vec<String> = header.iter().map(|c| format!("\"{c}\"")).collect();
                write!(
                    f,
                    "no label column named \"{column}\"; the header has {}",
                    header.join(", ")
                )
            }
            CsvProblem::TooManyRows { limit } => {
                write!(f, "more than {limit} data rows; the limit is {limit}")
            }
            CsvProblem::ColumnCount { expected, got } => {
                write!(f, "expected {expected} columns, got {got}")
            }
            CsvProblem::EmptyLabel { column } => write!(f, "empty label in column \"{column}\""),
            CsvProblem::EmptyCell { column } => write!(f, "column \"{column}\": empty cell"),
            CsvProblem::NotANumber { column, cell } => {
                write!(f, "column \"{column}\": \"{cell}\" is not a number")
            }
            CsvProblem::NotFinite { column, cell } => {
                write!(f, "column \"{column}\": \"{cell}\" is not a finite number")
            }
            CsvProblem::OneClass { column, class } => write!(
                f,
                "the label column \"{column}\" has only one class (\"{class}\"); need at least 2"
            ),
            CsvProblem::Unreadable { reason } => write!(f, "unreadable row: {reason}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({self})")
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidConfig`]. (Not inlined: one copy per type of value and
    /// allowed, not one per call site, in the browser's engine.)
    #[inline(never)]
    pub fn config(field: &str, value: impl ToString, allowed: impl Into<Allowed>) -> Self {
        Self::invalid(field, value.to_string(), allowed.into())
    }

    /// [`Error::InvalidConfig`] for `name`, not one of `names` (one copy for every
    /// enumeration's `parse`).
    #[inline(never)]
    pub fn unknown_name(field: &str, name: &str, names: &[&str]) -> Self {
        Self::invalid(field, name.to_string(), Allowed::one_of(names))
    }

    /// One copy of [`Error::config`]'s body, not one per call site.
    #[inline(never)]
    fn invalid(field: &str, value: String, allowed: Allowed) -> Self {
        Error::InvalidConfig {
            field: field.to_string(),
            value,
            allowed,
        }
    }

    /// Shorthand for [`Error::Csv`].
    #[cfg(feature = "io")]
    pub fn csv(line: usize, problem: CsvProblem) -> Self {
        Error::Csv { line, problem }
    }

    /// Shorthand for [`Error::State`].
    pub fn state(problem: impl Into<String>) -> Self {
        Error::State {
            problem: problem.into(),
        }
    }

    /// Shorthand for [`Error::ModelFile`].
    pub fn model_file(problem: impl Into<String>) -> Self {
        Error::ModelFile {
            problem: problem.into(),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
