//! Vigia import and export: the HTCDS v2.0 flat layout and agencies' own layouts
//! (through a saved [`Mapping`]) read from CSV or workbooks into validated cases,
//! all or nothing, with row-level errors that never repeat an identifying value;
//! formula-safe CSV/.xlsx exports that re-import; and a seeded generator of
//! synthetic HTCDS files for tests and benchmarks.
//!
//! Pure library: no database, network, clock or global randomness. The caller
//! passes `today` (every date is checked against it), readers/bytes and seeds.
//! The crosswalk and formats are described in `docs/htcds-crosswalk.md`.
//!
//! ```no_run
//! use vigia_import::{read_file, ReadOptions};
//! # let today = time::macros::date!(2025 - 01 - 01);
//! let report = read_file("cases.csv".as_ref(), today, &ReadOptions::default(), &mut |_| {})?;
//! if report.is_importable() {
//!     for r in &report.rows { /* upsert r.case by (agency, r.case.external_ref) */ }
//! } else {
//!     for e in &report.rejected { eprintln!("{e}"); }
//! }
//! # Ok::<(), vigia_import::ImportError>(())
//! ```

pub mod crosswalk;
mod error;
mod export;
mod field;
mod generate;
mod mapping;
mod read;

pub use error::{ExportError, ImportError, MappingError};
pub use export::{
    export_columns, neutralise_formula, write_csv, write_xlsx, ExportOptions, ExportRow,
    FORMULA_TRIGGERS,
};
pub use field::{Domain, Field};
pub use generate::{
    generate_htcds_csv, BadRow, BadRowKind, GenOptions, GENERATED_COLUMNS, GENERATED_LATEST_DATE,
};
pub use mapping::{DateFormat, Mapping};
pub use read::{
    read, read_csv, read_file, read_file_batches, read_workbook, Batches, ColumnUse, Format, ImportReport, ImportedRow,
    ReadOptions, RowError, UnknownColumns, Warning,
};
