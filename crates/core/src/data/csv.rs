//! User CSV files: numeric feature columns and one label column.
//!
//! - **Delimiter**: comma; cells are trimmed; quoted cells (RFC 4180) are fine; blank lines are
//!   skipped; a leading UTF-8 byte-order mark is ignored.
//! - **Header**: optional. The first row is a header when one of its *feature* cells is not a
//!   number (the label cell may be text either way), or when the label column is chosen by name.
//! - **Label column**: [`CsvOptions::label_column`] by header name, or the last column.
//! - **Labels**: if every label is an integer (`3`, `-1`, `2.0`), the sorted distinct values become
//!   classes `0..k`; otherwise each distinct string is a class, numbered in order of first
//!   appearance. At least 2 classes.
//! - **Features**: finite numbers; `NaN`, `inf` and values beyond `f32` are refused.
//! - **Limits**: [`MAX_BYTES`], [`MAX_ROWS`], [`MAX_COLUMNS`].
//! - **Split and scaling**: a seeded stratified split (each class keeps its share, the total is
//!   `round(rows · train_fraction)`), then each feature is standardized with the training part's
//!   mean and std (a constant column is only centred).
//!
//! Every problem with the file is an [`Error::Csv`] naming the 1-based line (0 for the file as a
//! whole) and what is wrong; none panics.

use ::csv::{ReaderBuilder, StringRecord, Trim};
use ndarray::Array2;

use super::Dataset;
use crate::error::CsvProblem;
use crate::{Error, Result};

/// Largest accepted file: 20 MB (20 000 000 bytes).
pub const MAX_BYTES: usize = 20_000_000;
/// Most data rows (the header does not count).
pub const MAX_ROWS: usize = 100_000;
/// Most columns, the label column included.
pub const MAX_COLUMNS: usize = 1_000;
/// Longest cell text quoted in an error message; longer cells are cut with `…`.
const QUOTE_LEN: usize = 40;

/// How to read a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    /// Header name of the label column; `None` takes the last column.
    pub label_column: Option<String>,
    /// Fraction of rows used for training, strictly between 0 and 1.
    pub train_fraction: f32,
    /// Seed of the split.
    pub seed: u64,
    /// Dataset name for display.
    pub name: String,
}

impl Default for CsvOptions {
    /// Last column as label, 80 % for training, seed 0, name `csv`.
    fn default() -> Self {
        CsvOptions {
            label_column: None,
            train_fraction: 0.8,
            seed: 0,
            name: "csv".into(),
        }
    }
}

/// Reads a CSV file into a split, standardized [`Dataset`] (rules in the module docs).
///
/// # Errors
/// [`Error::Csv`] for a malformed file: too large, empty, only a header, ragged rows, a
/// non-numeric or non-finite feature cell, an empty label, fewer than 2 classes, too many rows or
/// columns, an unknown label column. [`Error::InvalidConfig`] when `train_fraction` is not strictly
/// between 0 and 1 with at least one row on each side.
///
/// # Example
/// ```
/// use pruning_playground_core::data::csv::{from_csv, CsvOptions};
///
/// let text = "height,weight,kind\n1.0,2.0,cat\n1.5,2.5,dog\n1.1,2.1,cat\n1.6,2.4,dog\n";
/// let data = from_csv(text, &CsvOptions { train_fraction: 0.5, ..CsvOptions::default() }).unwrap();
/// assert_eq!(data.feature_names, ["height", "weight"]);
/// assert_eq!(data.n_classes, 2);
/// assert_eq!(data.x_train.nrows(), 2);
/// ```
pub fn from_csv(text: &str, opts: &CsvOptions) -> Result<Dataset> {
    from_csv_with_classes(text, opts).map(|(data, _)| data)
}

/// Like [`from_csv`], and also returns the class names: `names[c]` is the label text of class `c`.
///
/// # Errors
/// As [`from_csv`].
pub fn from_csv_with_classes(text: &str, opts: &CsvOptions) -> Result<(Dataset, Vec<String>)> {
    if text.len() > MAX_BYTES {
        return Err(Error::csv(
            0,
            CsvProblem::TooLarge {
                bytes: text.len(),
                limit: MAX_BYTES,
            },
        ));
    }
    let table = read_table(text.strip_prefix('\u{feff}').unwrap_or(text), opts)?;
    let (y, classes) = classes(&table)?;
    let n = y.len();
    let n_train = super::train_count(n, opts.train_fraction)?;
    let x = Array2::from_shape_vec((n, table.feature_names.len()), table.features)
        .expect("every row has one value per feature");
    let mut rng = crate::rng::derived(opts.seed, "split");
    let (train, test) = super::stratified_split(&y, classes.len(), n_train, &mut rng);
    let mut data = super::assemble(
        opts.name.clone(),
        &x,
        &y,
        (&train, &test),
        classes.len(),
        table.feature_names,
    );
    super::standardize(&mut data);
    Ok((data, classes))
}

/// The parsed cells, before labels become classes.
struct Table {
    feature_names: Vec<String>,
    label_name: String,
    /// Row-major, one row per data line.
    features: Vec<f32>,
    /// The label cell of each data row, and its line.
    labels: Vec<(String, usize)>,
}

fn read_table(text: &str, opts: &CsvOptions) -> Result<Table> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut next_row = || -> Result<Option<(StringRecord, usize)>> {
        for result in records.by_ref() {
            let record = result.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line() as usize);
                Error::csv(
                    line,
                    CsvProblem::Unreadable {
                        reason: e.to_string(),
                    },
                )
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if record.iter().any(|cell| !cell.is_empty()) {
                return Ok(Some((record, line)));
            }
        }
        Ok(None)
    };

    let Some((first, first_line)) = next_row()? else {
        return Err(Error::csv(0, CsvProblem::Empty));
    };
    let n_cols = first.len();
    if n_cols > MAX_COLUMNS {
        return Err(Error::csv(
            first_line,
            CsvProblem::TooManyColumns {
                columns: n_cols,
                limit: MAX_COLUMNS,
            },
        ));
    }
    if n_cols < 2 {
        return Err(Error::csv(first_line, CsvProblem::OneColumn));
    }
    let label_ix = match &opts.label_column {
        Some(name) => first.iter().position(|cell| cell == name).ok_or_else(|| {
            Error::csv(
                first_line,
                CsvProblem::NoLabelColumn {
                    column: quote(name),
                    header: first.iter().map(quote).collect(),
                },
            )
        })?,
        None => n_cols - 1,
    };
    let is_header = opts.label_column.is_some()
        || first
            .iter()
            .enumerate()
            .any(|(j, cell)| j != label_ix && cell.parse::<f64>().is_err());
    let column_name = |j: usize| -> String {
        match first.get(j) {
            Some(cell) if is_header && !cell.is_empty() => cell.to_string(),
            _ if is_header => format!("column {}", j + 1),
            _ => format!("x{}", if j < label_ix { j + 1 } else { j }),
        }
    };
    let feature_names: Vec<String> = (0..n_cols)
        .filter(|&j| j != label_ix)
        .map(column_name)
        .collect();
    let label_name = if is_header {
        column_name(label_ix)
    } else {
        format!("column {}", label_ix + 1)
    };

    let mut table = Table {
        feature_names,
        label_name,
        features: Vec::new(),
        labels: Vec::new(),
    };
    let mut pending = if is_header {
        None
    } else {
        Some((first.clone(), first_line))
    };
    loop {
        let row = match pending.take() {
            Some(row) => Some(row),
            None => next_row()?,
        };
        let Some((record, line)) = row else {
            break;
        };
        if table.labels.len() == MAX_ROWS {
            return Err(Error::csv(
                line,
                CsvProblem::TooManyRows { limit: MAX_ROWS },
            ));
        }
        if record.len() != n_cols {
            return Err(Error::csv(
                line,
                CsvProblem::ColumnCount {
                    expected: n_cols,
                    got: record.len(),
                },
            ));
        }
        for (j, cell) in record.iter().enumerate() {
            if j == label_ix {
                if cell.is_empty() {
                    return Err(Error::csv(
                        line,
                        CsvProblem::EmptyLabel {
                            column: table.label_name.clone(),
                        },
                    ));
                }
                table.labels.push((cell.to_string(), line));
                continue;
            }
            let name = || column_name(j);
            if cell.is_empty() {
                return Err(Error::csv(line, CsvProblem::EmptyCell { column: name() }));
            }
            let value: f64 = cell.parse().map_err(|_| {
                Error::csv(
                    line,
                    CsvProblem::NotANumber {
                        column: name(),
                        cell: quote(cell),
                    },
                )
            })?;
            let value = value as f32;
            if !value.is_finite() {
                return Err(Error::csv(
                    line,
                    CsvProblem::NotFinite {
                        column: name(),
                        cell: quote(cell),
                    },
                ));
            }
            table.features.push(value);
        }
    }
    if table.labels.is_empty() {
        return Err(Error::csv(0, CsvProblem::HeaderOnly));
    }
    Ok(table)
}

/// Maps label cells to classes; returns the labels and the class names.
fn classes(table: &Table) -> Result<(Vec<usize>, Vec<String>)> {
    let as_integer = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && v.fract() == 0.0)
    };
    let numeric: Option<Vec<f64>> = table.labels.iter().map(|(s, _)| as_integer(s)).collect();
    let (y, names) = match numeric {
        Some(values) => {
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let y = values
                .iter()
                .map(|v| distinct.partition_point(|d| d < v))
                .collect();
            (y, distinct.iter().map(|v| format!("{v}")).collect())
        }
        None => {
            let mut names: Vec<String> = Vec::new();
            let mut index = std::collections::HashMap::new();
            let y = table
                .labels
                .iter()
                .map(|(s, _)| {
                    *index.entry(s.as_str()).or_insert_with(|| {
                        names.push(s.clone());
                        names.len() - 1
                    })
                })
                .collect();
            (y, names)
        }
    };
    if names.len() < 2 {
        return Err(Error::csv(
            0,
            CsvProblem::OneClass {
                column: table.label_name.clone(),
                class: quote(&names[0]),
            },
        ));
    }
    Ok((y, names))
}

/// `cell`, cut to [`QUOTE_LEN`] characters for an error message.
fn quote(cell: &str) -> String {
    if cell.chars().count() > QUOTE_LEN {
        let cut: String = cell.chars().take(QUOTE_LEN).collect();
        format!("{cut}…")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> CsvOptions {
        CsvOptions {
            train_fraction: 0.5,
            ..CsvOptions::default()
        }
    }

    #[test]
    fn integer_labels_map_sorted_values_to_classes() {
        let text = "1,0,10\n2,0,-3\n3,0,10\n4,0,7\n";
        let (data, names) = from_csv_with_classes(text, &opts()).unwrap();
        assert_eq!(names, ["-3", "7", "10"]);
        let mut pairs: Vec<(f32, usize)> = data
            .x_train
            .column(0)
            .iter()
            .chain(data.x_test.column(0).iter())
            .copied()
            .zip(data.y_train.iter().chain(&data.y_test).copied())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let labels: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        assert_eq!(labels, [2, 0, 2, 1]);
    }

    #[test]
    fn string_labels_are_numbered_in_order_of_first_appearance() {
        let text = "a,b,y\n1,2,dog\n3,4,cat\n5,6,dog\n7,8,cat\n";
        let (_, names) = from_csv_with_classes(text, &opts()).unwrap();
        assert_eq!(names, ["dog", "cat"]);
    }

    #[test]
    fn label_column_can_be_chosen_by_name() {
        let text = "kind,a,b\nx,1,2\ny,3,4\nx,5,6\ny,7,8\n";
        let o = CsvOptions {
            label_column: Some("kind".into()),
            ..opts()
        };
        let (data, names) = from_csv_with_classes(text, &o).unwrap();
        assert_eq!(data.feature_names, ["a", "b"]);
        assert_eq!(names, ["x", "y"]);
    }

    #[test]
    fn headerless_file_gets_numbered_feature_names() {
        let text = "1,2,a\n3,4,b\n5,6,a\n7,8,b\n";
        let data = from_csv(text, &opts()).unwrap();
        assert_eq!(data.feature_names, ["x1", "x2"]);
        assert_eq!(data.x_train.nrows() + data.x_test.nrows(), 4);
    }

    #[test]
    fn long_cells_are_cut_in_messages() {
        assert_eq!(quote(&"é".repeat(50)).chars().count(), QUOTE_LEN + 1);
    }
}
