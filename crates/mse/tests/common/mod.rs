// Shared helpers for the integration tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::PathBuf;

use vigia_mse::CaptureTable;

/// `shared/data/mse`: `$VIGIA_SHARED_DATA/mse` if set, else
/// `$CARGO_MANIFEST_DIR/../../../shared/data/mse` (CI clones the repo with shared/ beside it).
pub fn data_dir() -> PathBuf {
    match std::env::var_os("VIGIA_SHARED_DATA") {
        Some(d) => PathBuf::from(d).join("mse"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mse"),
    }
}

pub fn load(name: &str) -> CaptureTable {
    let path = data_dir().join(name);
    CaptureTable::from_csv_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
