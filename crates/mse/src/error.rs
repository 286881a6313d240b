use thiserror::Error;

/// Everything that can go wrong when reading a capture table or estimating from it.
///
/// Input errors name the line of the CSV file (the header is line 1) and, where
/// there is one, the column.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MseError {
    #[error("could not read the input: {0}")]
    Io(String),
    #[error("the input is empty: expected a header row with one column per list and a final `count` column")]
    Empty,
    #[error("line 1 (header): {0}")]
    Header(String),
    #[error("{found} list(s) given: multiple systems estimation needs at least 2 lists")]
    TooFewLists { found: usize },
    #[error("{found} lists given: at most {max} lists are supported")]
    TooManyLists { found: usize, max: usize },
    #[error("line {line}: expected {expected} fields (one per list and `count`), found {found}")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}, column `{column}`: capture value `{value}` is not 0 or 1")]
    NotBinary {
        line: usize,
        column: String,
        value: String,
    },
    #[error("line {line}, column `{column}`: count `{value}` is not a non-negative whole number")]
    BadCount {
        line: usize,
        column: String,
        value: String,
    },
    #[error("line {line}: capture pattern {pattern} already given on line {first_line}")]
    DuplicatePattern {
        line: usize,
        first_line: usize,
        pattern: String,
    },
    #[error("line {line}: the all-zero pattern (persons on no list) cannot be observed and must not appear")]
    AllZeroPattern { line: usize },
    #[error("no person is recorded on any list (all counts are zero)")]
    NoData,
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("no estimate is possible: no candidate model has a maximum likelihood estimate that exists and is identifiable ({})", .reasons.join("; "))]
    NoEstimableModel { reasons: Vec<String> },
}

impl From<std::io::Error> for MseError {
    fn from(e: std::io::Error) -> Self {
        MseError::Io(e.to_string())
    }
}
