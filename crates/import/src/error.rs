//! Errors. None of them ever carries an identifying value.

use std::fmt;

/// A mapping that cannot be used, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
pub struct MappingError {
    pub problems: Vec<String>,
}

impl MappingError {
    pub(crate) fn syntax(msg: String) -> Self {
        MappingError {
            problems: vec![msg],
        }
    }
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid mapping: {}", self.problems.join("; "))
    }
}

/// The whole file cannot be read (as opposed to row-level errors, which go in the
/// [`ImportReport`](crate::ImportReport)).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a valid CSV file: {0}")]
    Csv(String),
    #[error("not a readable spreadsheet: {0}")]
    Workbook(String),
    #[error("the workbook has no sheet named `{0}`")]
    NoSuchSheet(String),
    #[error("the file has no header row")]
    NoHeader,
    #[error("required column `{0}` is missing")]
    MissingColumn(String),
    #[error("columns {first} and {second} both feed {field}")]
    DuplicateColumn {
        field: String,
        first: String,
        second: String,
    },
    #[error(
        "column `{0}` is not an HTCDS or Vigia field (unknown columns are refused by the options)"
    )]
    UnknownColumn(String),
    #[error("unknown file format (expected .csv, .xlsx, .xls, .xlsb or .ods)")]
    UnknownFormat,
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(String),
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    #[error("too many rows for one sheet ({0}; the limit is 1,048,575 data rows)")]
    TooManyRows(usize),
}
