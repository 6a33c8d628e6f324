//! TEMPORARY placeholder until the datasets land.
use super::Dataset;
use crate::{Error, Result};
/// CSV options.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Label column.
    pub label_column: Option<String>,
    /// Train fraction.
    pub train_fraction: f32,
    /// Seed.
    pub seed: u64,
    /// Name.
    pub name: String,
}
/// Parses CSV.
///
/// # Errors
/// Always, for now.
pub fn from_csv(_text: &str, _opts: &CsvOptions) -> Result<Dataset> {
    Err(Error::csv(0, "not yet"))
}
