//! Library error type. Messages never carry an identifying value: at most a
//! file, a row number and a column name.

use std::path::PathBuf;

/// Everything that can go wrong in the linkage library.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The TOML configuration could not be parsed or is invalid.
    #[error("configuration error: {0}")]
    Config(String),
    /// A CSV file could not be read.
    #[error("{path}: {message}")]
    Csv {
        /// File being read.
        path: PathBuf,
        /// What went wrong (row number / column name only).
        message: String,
    },
    /// An encoded (Bloom-filter) file is malformed or incompatible.
    #[error("encoded file {path}: {message}")]
    Encoded {
        /// File being read.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The secret key is unusable.
    #[error("key error: {0}")]
    Key(String),
    /// Input/output error.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl LinkError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LinkError::Io { path: path.into(), source }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, LinkError>;
