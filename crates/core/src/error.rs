//! The crate's one error type. Every message names what was wrong and what is allowed, so a person
//! can act on it without reading the source.

use thiserror::Error;

/// Everything that can go wrong in the core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A configuration field holds a value outside what is allowed.
    #[error("invalid {field}: {value} ({allowed})")]
    InvalidConfig {
        /// The field's name as the user wrote it (e.g. `learning_rate`, `hidden`).
        field: String,
        /// The offending value, rendered for display.
        value: String,
        /// What would have been accepted.
        allowed: String,
    },
    /// A CSV file could not be used. `line` is 1-based; 0 means the file as a whole.
    #[error("CSV line {line}: {problem}")]
    Csv {
        /// 1-based line number in the file, 0 for the whole file.
        line: usize,
        /// What is wrong on that line.
        problem: String,
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
    #[error("model file: {0}")]
    ModelFile(String),
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
    /// An operation that is not possible in the current state.
    #[error("{0}")]
    State(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidConfig`].
    pub fn config(field: &str, value: impl ToString, allowed: impl ToString) -> Self {
        Error::InvalidConfig {
            field: field.to_string(),
            value: value.to_string(),
            allowed: allowed.to_string(),
        }
    }

    /// Shorthand for [`Error::Csv`].
    pub fn csv(line: usize, problem: impl ToString) -> Self {
        Error::Csv {
            line,
            problem: problem.to_string(),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
