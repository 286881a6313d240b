//! Reading CSV and workbook files into validated cases, all or nothing.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use time::Date;
use vigia_domain::case::NewCase;
use vigia_domain::input::{CaseInput, PlaceInput};
use vigia_domain::FieldErrors;

use crate::crosswalk::{expected, Lookup, Target};
use crate::error::ImportError;
use crate::field::{normalise_owned, Domain, Field, UNRECORDED_HTCDS};
use crate::mapping::{DateFormat, Mapping};

/// The file format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-, semicolon- or tab-separated text, UTF-8 (a BOM is fine).
    Csv,
    /// A workbook: .xlsx (also .xls, .xlsb and .ods, detected from the content).
    Xlsx,
}

impl Format {
    /// From a file name's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// What to do with a column that is neither a Vigia/HTCDS field nor mapped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownColumns {
    /// Ignore it, with one warning naming the column (default).
    #[default]
    Warn,
    /// Refuse the whole file.
    Reject,
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The agency's saved mapping; `None` reads the plain HTCDS flat layout.
    pub mapping: Option<Mapping>,
    /// CSV delimiter; `None` guesses from the header line (`,`, `;` or tab).
    pub delimiter: Option<u8>,
    /// Workbook sheet name; `None` takes the first sheet.
    pub sheet: Option<String>,
    /// Rows to skip between the header and the data (the HTCDS Excel toolkit has a
    /// field-name row then a label row: use 1 there). Skipped rows keep their numbers.
    pub skip_rows_after_header: u32,
    pub unknown_columns: UnknownColumns,
    /// At most this many [`RowError`]s are kept (all rejected rows are counted).
    pub max_errors: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            mapping: None,
            delimiter: None,
            sheet: None,
            skip_rows_after_header: 0,
            unknown_columns: UnknownColumns::Warn,
            max_errors: 1000,
        }
    }
}

/// One invalid cell of one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The spreadsheet's row number (the header is row 1).
    pub row: u64,
    /// The source column name, as written in the file.
    pub column: String,
    /// The offending value; `None` for identifying columns (names, birth date,
    /// documents, contacts), whose values are never repeated.
    pub value: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => write!(
                f,
                "row {}, column {}: {:?}: {}",
                self.row, self.column, v, self.reason
            ),
            None => write!(
                f,
                "row {}, column {}: {}",
                self.row, self.column, self.reason
            ),
        }
    }
}

/// Something the importer did not record or had to decide; the import still goes ahead.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The source column concerned, if any.
    pub column: Option<String>,
    pub message: String,
    /// How many rows it concerns (0 for a file-level warning about an empty column).
    pub rows: u64,
    /// The first row concerned.
    pub first_row: Option<u64>,
}

/// How one source column was understood.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ColumnUse {
    pub column: String,
    /// `None`: not recorded (see the warnings).
    pub field: Option<Field>,
}

/// A valid row, ready for storage.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    /// The spreadsheet's row number (the header is row 1).
    pub row: u64,
    /// `case.external_ref` holds the agency's record id (the upsert key).
    pub case: NewCase,
}

/// The outcome of reading a file. Nothing is importable unless every row is valid.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// Every row, validated; **empty as soon as one row is rejected**.
    pub rows: Vec<ImportedRow>,
    /// Data rows read (blank rows are not counted).
    pub rows_read: u64,
    /// Rows with at least one error.
    pub rejected_rows: u64,
    /// The errors, in row order, at most [`ReadOptions::max_errors`].
    pub rejected: Vec<RowError>,
    /// Whether errors were left out of `rejected`.
    pub rejected_truncated: bool,
    pub warnings: Vec<Warning>,
    pub columns: Vec<ColumnUse>,
}

impl ImportReport {
    /// True when the file may be imported: at least one row, none rejected.
    pub fn is_importable(&self) -> bool {
        self.rejected_rows == 0 && self.rows_read > 0
    }
    /// One line for a CLI or a page.
    pub fn summary(&self) -> String {
        if self.is_importable() {
            format!(
                "{} rows valid; nothing rejected; {} warnings",
                self.rows_read,
                self.warnings.len()
            )
        } else if self.rows_read == 0 {
            "no data rows: nothing to import".into()
        } else {
            format!(
                "{} of {} rows rejected: nothing will be imported until every row is valid",
                self.rejected_rows, self.rows_read
            )
        }
    }
}

/// Read a CSV or workbook held in memory.
pub fn read(
    format: Format,
    bytes: &[u8],
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport, ImportError> {
    match format {
        Format::Csv => read_csv(bytes, today, opts, progress),
        Format::Xlsx => read_workbook(bytes, today, opts, progress),
    }
}

/// Read a file, the format chosen by its extension. CSV is streamed.
pub fn read_file(
    path: &Path,
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport, ImportError> {
    match Format::from_path(path).ok_or(ImportError::UnknownFormat)? {
        Format::Csv => read_csv(std::fs::File::open(path)?, today, opts, progress),
        Format::Xlsx => read_workbook(&std::fs::read(path)?, today, opts, progress),
    }
}

/// Where valid rows go while a file is read: handed over `size` at a time as
/// long as no row has been rejected, so that a caller can write them while the
/// rest of the file is read (and roll back if a later row is rejected).
pub struct Batches<'a> {
    pub size: usize,
    pub sink: &'a mut dyn FnMut(Vec<ImportedRow>),
}

/// As [`read_file`], handing valid rows to `batches` as they are read. The
/// report's `rows` hold only the rows not yet handed over; whatever was handed
/// over must be discarded if the report is not importable.
pub fn read_file_batches(
    path: &Path,
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
    batches: Batches<'_>,
) -> Result<ImportReport, ImportError> {
    match Format::from_path(path).ok_or(ImportError::UnknownFormat)? {
        Format::Csv => read_csv_inner(std::fs::File::open(path)?, today, opts, progress, Some(batches)),
        Format::Xlsx => read_workbook_inner(&std::fs::read(path)?, today, opts, progress, Some(batches)),
    }
}

/// The progress callback is called every this many rows (and at the end).
const PROGRESS_EVERY: u64 = 4096;

/// Guess the delimiter from the first line: the most frequent of `,`, `;`, tab.
fn sniff_delimiter(buf: &[u8]) -> u8 {
    let line = buf.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let count = |d: u8| line.iter().filter(|b| **b == d).count();
    let (c, s, t) = (count(b','), count(b';'), count(b'\t'));
    if s > c && s >= t {
        b';'
    } else if t > c && t > s {
        b'\t'
    } else {
        b','
    }
}

/// Read CSV from any reader (streamed; one record buffer reused).
pub fn read_csv<R: Read>(
    reader: R,
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport, ImportError> {
    read_csv_inner(reader, today, opts, progress, None)
}

fn read_csv_inner<R: Read>(
    reader: R,
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
    mut batches: Option<Batches<'_>>,
) -> Result<ImportReport, ImportError> {
    let mut br = BufReader::with_capacity(1 << 16, reader);
    let delimiter = match opts.delimiter {
        Some(d) => d,
        None => sniff_delimiter(br.fill_buf()?),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(br);
    let mut brec = csv::ByteRecord::new();
    let csv_err = |e: csv::Error| ImportError::Csv(e.to_string());
    if !rdr.read_byte_record(&mut brec).map_err(csv_err)? {
        return Err(ImportError::NoHeader);
    }
    let header = csv::StringRecord::from_byte_record(brec.clone())
        .map_err(|_| ImportError::Csv("the header row is not valid UTF-8".into()))?;
    let headers: Vec<String> = header.iter().map(str::to_string).collect();
    let mut imp = RowImporter::new(&headers, today, opts)?;
    let mut row: u64 = 1;
    let mut last = 0;
    let skip = u64::from(opts.skip_rows_after_header);
    while rdr.read_byte_record(&mut brec).map_err(csv_err)? {
        row += 1;
        if row <= 1 + skip {
            continue;
        }
        match csv::StringRecord::from_byte_record(std::mem::take(&mut brec)) {
            Ok(rec) => {
                imp.push(row, &rec);
                brec = rec.into_byte_record();
            }
            Err(e) => {
                imp.reject_whole_row(
                    row,
                    "the row is not valid UTF-8 text: save the file as UTF-8",
                );
                brec = e.into_byte_record();
            }
        }
        imp.hand_over(&mut batches);
        if imp.report.rows_read >= last + PROGRESS_EVERY {
            last = imp.report.rows_read;
            progress(last);
        }
    }
    progress(imp.report.rows_read);
    Ok(imp.finish())
}

/// Read the first (or the named) sheet of a workbook held in memory.
pub fn read_workbook(
    bytes: &[u8],
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportReport, ImportError> {
    read_workbook_inner(bytes, today, opts, progress, None)
}

fn read_workbook_inner(
    bytes: &[u8],
    today: Date,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
    mut batches: Option<Batches<'_>>,
) -> Result<ImportReport, ImportError> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| ImportError::Workbook(e.to_string()))?;
    let range = match &opts.sheet {
        Some(name) => {
            if !wb.sheet_names().iter().any(|s| s == name) {
                return Err(ImportError::NoSuchSheet(name.clone()));
            }
            wb.worksheet_range(name)
                .map_err(|e| ImportError::Workbook(e.to_string()))?
        }
        None => match wb.worksheet_range_at(0) {
            Some(r) => r.map_err(|e| ImportError::Workbook(e.to_string()))?,
            None => return Err(ImportError::NoHeader),
        },
    };
    let Some((first_row, _)) = range.start() else {
        return Err(ImportError::NoHeader);
    };
    let mut rows = range.rows();
    let header = rows.next().ok_or(ImportError::NoHeader)?;
    let mut cells: Vec<String> = Vec::new();
    fill_cells(header, &mut cells);
    let mut imp = RowImporter::new(&cells, today, opts)?;
    let header_row = u64::from(first_row) + 1;
    let skip = u64::from(opts.skip_rows_after_header);
    let mut last = 0;
    for (i, r) in rows.enumerate() {
        let row = header_row + 1 + i as u64;
        if row <= header_row + skip {
            continue;
        }
        fill_cells(r, &mut cells);
        imp.push(row, cells.as_slice());
        imp.hand_over(&mut batches);
        if imp.report.rows_read >= last + PROGRESS_EVERY {
            last = imp.report.rows_read;
            progress(last);
        }
    }
    progress(imp.report.rows_read);
    Ok(imp.finish())
}

fn fill_cells(row: &[calamine::Data], out: &mut Vec<String>) {
    out.resize_with(row.len(), String::new);
    out.truncate(row.len());
    for (d, s) in row.iter().zip(out.iter_mut()) {
        s.clear();
        cell_text(d, s);
    }
}

/// A workbook cell as text: dates as `YYYY-MM-DD`, whole numbers without `.0`.
fn cell_text(d: &calamine::Data, out: &mut String) {
    use calamine::Data;
    use std::fmt::Write;
    match d {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
        Data::DateTime(dt) => {
            let _ = write!(out, "{}", dt.as_f64());
        }
        Data::DateTimeIso(s) => {
            // `2024-03-01T00:00:00` → the date part.
            let date = s.split('T').next().unwrap_or(s);
            out.push_str(date);
        }
        Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            let _ = write!(out, "#ERROR {e}");
        }
    }
}

/// A row of cells, whatever the file format.
pub(crate) trait Cells {
    fn cell(&self, i: usize) -> &str;
    fn count(&self) -> usize;
}

impl Cells for csv::StringRecord {
    fn cell(&self, i: usize) -> &str {
        self.get(i).unwrap_or("")
    }
    fn count(&self) -> usize {
        self.len()
    }
}

impl Cells for [String] {
    fn cell(&self, i: usize) -> &str {
        self.get(i).map(String::as_str).unwrap_or("")
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// Drop the `'` that an export put in front of a formula-like value.
fn unneutralise(s: &str) -> &str {
    let s = s.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\n');
    match s.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .starts_with(crate::export::FORMULA_TRIGGERS) =>
        {
            rest
        }
        _ => s,
    }
}

/// Where the values of a multi-valued case field came from (for error mapping).
#[derive(Default)]
struct Origins {
    exploitation: Vec<Field>,
    route: Vec<[Field; 3]>,
}

const CONTACT_FIELDS: [Field; 9] = [
    Field::Contact,
    Field::Email,
    Field::MobilePhone,
    Field::HomePhone,
    Field::MailingStreet,
    Field::MailingCity,
    Field::MailingState,
    Field::MailingPostalCode,
    Field::MailingCountry,
];

/// Turns rows of cells into cases; shared by the CSV and workbook readers.
pub(crate) struct RowImporter {
    headers: Vec<String>,
    col_of: [Option<usize>; Field::COUNT],
    /// Columns not recorded: (index, warning slot).
    unrecorded: Vec<(usize, usize)>,
    lookup: Lookup,
    date_format: DateFormat,
    sep: char,
    today: Date,
    max_errors: usize,
    seen_ids: foldhash::HashMap<Box<str>, u64>,
    buf: String,
    report: ImportReport,
}

impl RowImporter {
    pub(crate) fn new(
        headers: &[String],
        today: Date,
        opts: &ReadOptions,
    ) -> Result<Self, ImportError> {
        let mapping = opts.mapping.clone().unwrap_or_default();
        if opts.mapping.is_some() {
            mapping.validate()?;
        }
        let mut lookup = Lookup::builtin();
        for (field, values) in &mapping.values {
            for (source, code) in values {
                lookup.add(field.domain(), source, code);
            }
        }
        let mapped: Vec<(String, Field)> = mapping
            .columns
            .iter()
            .map(|(k, f)| (k.trim().to_lowercase(), *f))
            .collect();
        let unrecorded_names: Vec<String> = UNRECORDED_HTCDS
            .iter()
            .map(|s| normalise_owned(s))
            .collect();
        let mut col_of: [Option<usize>; Field::COUNT] = [None; Field::COUNT];
        let mut unrecorded = Vec::new();
        let mut warnings = Vec::new();
        let mut columns = Vec::new();
        let mut found_mapped = vec![false; mapped.len()];
        let headers: Vec<String> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 {
                    h.trim_start_matches('\u{feff}').trim()
                } else {
                    h.trim()
                }
                .to_string()
            })
            .collect();
        for (i, h) in headers.iter().enumerate() {
            let key = h.to_lowercase();
            let field = match mapped.iter().position(|(k, _)| *k == key) {
                Some(p) => {
                    found_mapped[p] = true;
                    Some(mapped[p].1)
                }
                None if mapping.htcds_columns => Field::from_header(h),
                None => None,
            };
            columns.push(ColumnUse {
                column: h.clone(),
                field: field.filter(|f| *f != Field::Ignore),
            });
            match field {
                Some(Field::Ignore) => {}
                Some(f) => {
                    if let Some(prev) = col_of[f.idx()] {
                        return Err(ImportError::DuplicateColumn {
                            field: f.name().into(),
                            first: headers[prev].to_string(),
                            second: h.clone(),
                        });
                    }
                    col_of[f.idx()] = Some(i);
                }
                None => {
                    let message = if h.is_empty() {
                        format!("column {} has no header: not recorded", i + 1)
                    } else if unrecorded_names.contains(&normalise_owned(h)) {
                        "HTCDS field that Vigia does not record: ignored".to_string()
                    } else if opts.unknown_columns == UnknownColumns::Reject {
                        return Err(ImportError::UnknownColumn(h.clone()));
                    } else {
                        "not an HTCDS or Vigia field and not in the mapping: ignored".to_string()
                    };
                    unrecorded.push((i, warnings.len()));
                    warnings.push(Warning {
                        column: Some(h.clone()),
                        message,
                        rows: 0,
                        first_row: None,
                    });
                }
            }
        }
        for (p, found) in found_mapped.iter().enumerate() {
            if !found {
                let col = mapping.columns.keys().nth(p).cloned();
                warnings.push(Warning {
                    column: col,
                    message: "column named in the mapping is not in the file".into(),
                    rows: 0,
                    first_row: None,
                });
            }
        }
        for required in [Field::Id, Field::IdentifiedOn] {
            if col_of[required.idx()].is_none() {
                let name = mapping
                    .columns
                    .iter()
                    .find(|(_, f)| **f == required)
                    .map(|(k, _)| k.clone())
                    .unwrap_or_else(|| required.name().to_string());
                return Err(ImportError::MissingColumn(name));
            }
        }
        Ok(RowImporter {
            headers,
            col_of,
            unrecorded,
            lookup,
            date_format: mapping.date_format,
            sep: mapping.multi_separator,
            today,
            max_errors: opts.max_errors,
            seen_ids: foldhash::HashMap::default(),
            buf: String::new(),
            report: ImportReport {
                rows: Vec::new(),
                rows_read: 0,
                rejected_rows: 0,
                rejected: Vec::new(),
                rejected_truncated: false,
                warnings,
                columns,
            },
        })
    }

    fn column_name(&self, f: Field) -> String {
        match self.col_of[f.idx()] {
            Some(c) => self.headers[c].clone(),
            None => f.name().to_string(),
        }
    }

    fn get<'c, C: Cells + ?Sized>(&self, cells: &'c C, f: Field) -> &'c str {
        match self.col_of[f.idx()] {
            Some(c) => unneutralise(cells.cell(c)),
            None => "",
        }
    }

    fn warn(&mut self, f: Field, message: &str, row: u64) {
        let col = self.col_of[f.idx()].map(|c| self.headers[c].as_str());
        if let Some(w) = self
            .report
            .warnings
            .iter_mut()
            .find(|w| w.column.as_deref() == col && w.message == message)
        {
            w.rows += 1;
            return;
        }
        let column = Some(self.column_name(f));
        self.report.warnings.push(Warning {
            column,
            message: message.into(),
            rows: 1,
            first_row: Some(row),
        });
    }

    fn error(&self, errs: &mut Vec<RowError>, row: u64, f: Field, value: &str, reason: &str) {
        if errs.iter().any(|e| e.column == self.column_name(f)) {
            return;
        }
        let (value, reason) = if f.is_identifying() {
            (
                None,
                format!("{reason} (value withheld: identifying field)"),
            )
        } else {
            (Some(value.to_string()), reason.to_string())
        };
        errs.push(RowError {
            row,
            column: self.column_name(f),
            value,
            reason,
        });
    }

    /// Map one coded value. `Ok(None)`: blank or unrecorded.
    fn code(
        &mut self,
        cells_value: &str,
        f: Field,
        row: u64,
        errs: &mut Vec<RowError>,
    ) -> Option<Target> {
        let mut buf = std::mem::take(&mut self.buf);
        let t = self.lookup.get(f.domain(), cells_value, &mut buf).cloned();
        self.buf = buf;
        match t {
            Some(Target::Unrecorded) => {
                self.warn(
                    f,
                    "value with no Vigia equivalent (e.g. Other): not recorded",
                    row,
                );
                None
            }
            Some(Target::Blank) => None,
            Some(t) => Some(t),
            None if f.domain() == Domain::Subdivision => {
                Some(Target::Code(cells_value.trim().to_ascii_uppercase().into()))
            }
            None => {
                let reason = format!("unknown value; expected {}", expected(f.domain()));
                self.error(errs, row, f, cells_value, &reason);
                None
            }
        }
    }

    fn single_code<C: Cells + ?Sized>(
        &mut self,
        cells: &C,
        f: Field,
        row: u64,
        errs: &mut Vec<RowError>,
    ) -> Option<String> {
        let raw = self.get(cells, f);
        if raw.is_empty() {
            return None;
        }
        match self.code(raw, f, row, errs)? {
            Target::Code(c) => Some(c.into()),
            _ => None,
        }
    }

    /// The codes of a multi-select cell, in order, without repeats.
    fn multi_codes<C: Cells + ?Sized>(
        &mut self,
        cells: &C,
        f: Field,
        row: u64,
        errs: &mut Vec<RowError>,
        other: &mut bool,
    ) -> Vec<String> {
        let raw = self.get(cells, f);
        let mut out: Vec<String> = Vec::new();
        if raw.is_empty() {
            return out;
        }
        for item in raw.split(self.sep).map(str::trim).filter(|s| !s.is_empty()) {
            match self.code(item, f, row, errs) {
                Some(Target::Code(c)) if !out.iter().any(|o| **o == *c) => out.push(c.into()),
                Some(Target::OtherExploitation) => *other = true,
                _ => {}
            }
        }
        out
    }

    fn date<C: Cells + ?Sized>(
        &self,
        cells: &C,
        f: Field,
        row: u64,
        errs: &mut Vec<RowError>,
    ) -> Option<String> {
        let raw = self.get(cells, f);
        if raw.is_empty() {
            return None;
        }
        match self.date_format {
            DateFormat::Iso => Some(raw.to_string()),
            _ if looks_iso(raw) => Some(raw.to_string()),
            fmt => match reorder_date(raw, fmt) {
                Some(iso) => Some(iso),
                None => {
                    let want = if fmt == DateFormat::DayMonthYear {
                        "DD/MM/YYYY"
                    } else {
                        "MM/DD/YYYY"
                    };
                    self.error(errs, row, f, raw, &format!("must be a date written {want}"));
                    None
                }
            },
        }
    }

    fn text<C: Cells + ?Sized>(&self, cells: &C, fields: &[Field], sep: &str) -> Option<String> {
        let mut out = String::new();
        for f in fields {
            let v = self.get(cells, *f);
            if !v.is_empty() {
                if !out.is_empty() {
                    out.push_str(sep);
                }
                out.push_str(v);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// A row that cannot even be read (bad encoding).
    pub(crate) fn reject_whole_row(&mut self, row: u64, reason: &str) {
        self.report.rows_read += 1;
        let e = RowError {
            row,
            column: "(whole row)".into(),
            value: None,
            reason: reason.into(),
        };
        self.reject(vec![e]);
    }

    fn reject(&mut self, errs: Vec<RowError>) {
        self.report.rejected_rows += 1;
        if !self.report.rows.is_empty() {
            self.report.rows = Vec::new();
        }
        for e in errs {
            if self.report.rejected.len() < self.max_errors {
                self.report.rejected.push(e);
            } else {
                self.report.rejected_truncated = true;
            }
        }
    }

    pub(crate) fn push<C: Cells + ?Sized>(&mut self, row: u64, cells: &C) {
        if (0..cells.count()).all(|i| cells.cell(i).trim().is_empty()) {
            return;
        }
        self.report.rows_read += 1;
        for k in 0..self.unrecorded.len() {
            let (c, w) = self.unrecorded[k];
            if !cells.cell(c).trim().is_empty() {
                let w = &mut self.report.warnings[w];
                w.rows += 1;
                w.first_row.get_or_insert(row);
            }
        }
        let mut errs: Vec<RowError> = Vec::new();
        if cells.count() > self.headers.len()
            && (self.headers.len()..cells.count()).any(|i| !cells.cell(i).trim().is_empty())
        {
            errs.push(RowError {
                row,
                column: format!("(column {}, no header)", self.headers.len() + 1),
                value: None,
                reason: "the row has more cells than the header".into(),
            });
        }

        let (input, origins) = self.build(cells, row, &mut errs);
        let parsed = input.parse(self.today);
        match parsed {
            Ok(case) if errs.is_empty() => {
                if self.report.rejected_rows == 0 {
                    self.report.rows.push(ImportedRow { row, case });
                }
            }
            Ok(_) => self.reject(errs),
            Err(fe) => {
                self.map_field_errors(cells, row, &fe, &origins, &mut errs);
                self.reject(errs);
            }
        }
    }

    fn build<C: Cells + ?Sized>(
        &mut self,
        cells: &C,
        row: u64,
        errs: &mut Vec<RowError>,
    ) -> (CaseInput, Origins) {
        let mut input = CaseInput::default();
        let mut origins = Origins::default();

        // The agency's record id: required, unique within the file.
        let id = self.get(cells, Field::Id);
        if id.is_empty() {
            self.error(
                errs,
                row,
                Field::Id,
                id,
                "is required: the agency's own record id",
            );
        } else if let Some(first) = self.seen_ids.get(id) {
            let reason = format!("duplicate id: the same id is on row {first}");
            self.error(errs, row, Field::Id, id, &reason);
        } else {
            self.seen_ids.insert(id.into(), row);
        }
        input.external_ref = (!id.is_empty()).then(|| id.to_string());

        // Identity.
        input.identity.given_names = self.text(cells, &[Field::FirstName, Field::MiddleName], " ");
        input.identity.family_names = self.text(cells, &[Field::SecondName], " ");
        input.identity.date_of_birth = self.date(cells, Field::Birthdate, row, errs);
        let docs = self.get(cells, Field::IdentityNumber);
        input.identity.document_numbers = docs
            .split(self.sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        input.identity.contact = self.text(cells, &CONTACT_FIELDS, "; ");

        // Facts.
        input.sex = self.single_code(cells, Field::Gender, row, errs);
        input.status = self.single_code(cells, Field::TraffickingStatus, row, errs);
        input.recruiter_relation =
            self.single_code(cells, Field::RelationshipToTrafficker, row, errs);
        input.age_bracket = self.single_code(cells, Field::AgeBracket, row, errs);
        let age = self.get(cells, Field::AgeAtIdentification);
        if !age.is_empty() {
            match age.parse::<i64>() {
                Ok(a) => input.age_at_identification = Some(a),
                Err(_) => self.error(
                    errs,
                    row,
                    Field::AgeAtIdentification,
                    age,
                    "must be a whole number of years from 0 to 120",
                ),
            }
        }
        let mut other = false;
        let citizenship = self.multi_codes(cells, Field::Citizenship, row, errs, &mut other);
        if citizenship.len() > 1 {
            self.warn(
                Field::Citizenship,
                "several citizenships: Vigia keeps the first",
                row,
            );
        }
        input.citizenship = citizenship.into_iter().next();
        let recruitment =
            self.multi_codes(cells, Field::MethodOfRecruitment, row, errs, &mut other);
        if recruitment.len() > 1 {
            self.warn(
                Field::MethodOfRecruitment,
                "several methods of recruitment: Vigia keeps the first",
                row,
            );
        }
        input.recruitment = recruitment.into_iter().next();
        input.identified_on = self.date(cells, Field::IdentifiedOn, row, errs);
        input.acts = self.multi_codes(cells, Field::Acts, row, errs, &mut other);
        input.means = self.multi_codes(cells, Field::MethodsOfControl, row, errs, &mut other);

        let mut want_other = false;
        for f in [Field::TypeOfExploitation, Field::TypeOfSexExploitation] {
            for code in self.multi_codes(cells, f, row, errs, &mut want_other) {
                if !input.exploitation.contains(&code) {
                    input.exploitation.push(code);
                    origins.exploitation.push(f);
                }
            }
        }
        let texts = self.get(cells, Field::TypeOfExploitationOther);
        let mut any_text = false;
        for t in texts
            .split(self.sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            any_text = true;
            input.exploitation.push(format!("other: {t}"));
            origins.exploitation.push(Field::TypeOfExploitationOther);
        }
        if want_other && !any_text {
            input.exploitation.push("other: not specified".into());
            origins.exploitation.push(Field::TypeOfExploitation);
            self.warn(
                Field::TypeOfExploitation,
                "Other without a description: recorded as \"other: not specified\"",
                row,
            );
        }

        let consent = self.single_code(cells, Field::Consent, row, errs);
        input.consent_given = consent.map(|c| c == "true");

        // Route: recruitment, transits in order, exploitation.
        self.place(
            cells,
            [
                Field::RecruitmentCountry,
                Field::RecruitmentState,
                Field::RecruitmentCity,
            ],
            row,
            errs,
            &mut input,
            &mut origins,
        );
        let transit = self.multi_codes(cells, Field::TransitCountries, row, errs, &mut other);
        for country in transit {
            input.route.push(PlaceInput {
                country,
                ..PlaceInput::default()
            });
            origins.route.push([Field::TransitCountries; 3]);
        }
        self.place(
            cells,
            [
                Field::ExploitationCountry,
                Field::ExploitationState,
                Field::ExploitationCity,
            ],
            row,
            errs,
            &mut input,
            &mut origins,
        );
        (input, origins)
    }

    fn place<C: Cells + ?Sized>(
        &mut self,
        cells: &C,
        fields: [Field; 3],
        row: u64,
        errs: &mut Vec<RowError>,
        input: &mut CaseInput,
        origins: &mut Origins,
    ) {
        let [cf, sf, mf] = fields;
        let raw_country = self.get(cells, cf);
        let country = self.single_code(cells, cf, row, errs);
        let subdivision = self.single_code(cells, sf, row, errs);
        let municipality = self.get(cells, mf);
        match country {
            Some(country) => {
                input.route.push(PlaceInput {
                    country,
                    subdivision,
                    municipality: (!municipality.is_empty()).then(|| municipality.to_string()),
                    lat: None,
                    lon: None,
                });
                origins.route.push(fields);
            }
            None if raw_country.is_empty()
                && (subdivision.is_some() || !municipality.is_empty()) =>
            {
                let (f, v) = if subdivision.is_some() {
                    (sf, self.get(cells, sf))
                } else {
                    (mf, municipality)
                };
                let reason = format!("needs a country in {}", self.column_name(cf));
                self.error(errs, row, f, v, &reason);
            }
            None => {}
        }
    }

    fn map_field_errors<C: Cells + ?Sized>(
        &self,
        cells: &C,
        row: u64,
        fe: &FieldErrors,
        origins: &Origins,
        errs: &mut Vec<RowError>,
    ) {
        for e in &fe.0 {
            let path = e.field.as_str();
            let (head, index, tail) = split_path(path);
            let field = match head {
                "identity.given_names" => {
                    if self.get(cells, Field::FirstName).is_empty() {
                        Field::MiddleName
                    } else {
                        Field::FirstName
                    }
                }
                "identity.family_names" => Field::SecondName,
                "identity.date_of_birth" => Field::Birthdate,
                "identity.document_numbers" => Field::IdentityNumber,
                "identity.contact" => CONTACT_FIELDS
                    .iter()
                    .copied()
                    .find(|f| !self.get(cells, *f).is_empty())
                    .unwrap_or(Field::Contact),
                "sex" => Field::Gender,
                "age_at_identification" => Field::AgeAtIdentification,
                "age_bracket" => Field::AgeBracket,
                "citizenship" => Field::Citizenship,
                "acts" => Field::Acts,
                "means" => Field::MethodsOfControl,
                "exploitation" => index
                    .and_then(|i| origins.exploitation.get(i).copied())
                    .unwrap_or(Field::TypeOfExploitation),
                "recruitment" => Field::MethodOfRecruitment,
                "recruiter_relation" => Field::RelationshipToTrafficker,
                "identified_on" => Field::IdentifiedOn,
                "status" => Field::TraffickingStatus,
                "external_ref" => Field::Id,
                "route" => match index.and_then(|i| origins.route.get(i)) {
                    Some([c, s, m]) => match tail {
                        ".country" => *c,
                        ".subdivision" => *s,
                        _ if e.message.contains("municipality") => *m,
                        _ => *s,
                    },
                    None => Field::TransitCountries,
                },
                _ => {
                    errs.push(RowError {
                        row,
                        column: path.to_string(),
                        value: None,
                        reason: e.message.clone(),
                    });
                    continue;
                }
            };
            let value = self.get(cells, field);
            self.error(errs, row, field, value, &e.message);
        }
    }

    /// Hand a full batch of valid rows over, while nothing has been rejected.
    fn hand_over(&mut self, batches: &mut Option<Batches<'_>>) {
        if let Some(b) = batches {
            if self.report.rejected_rows == 0 && self.report.rows.len() >= b.size.max(1) {
                let full = std::mem::replace(&mut self.report.rows, Vec::with_capacity(b.size));
                (b.sink)(full);
            }
        }
    }

    pub(crate) fn finish(mut self) -> ImportReport {
        if self.report.rejected_rows > 0 {
            self.report.rows = Vec::new();
        }
        self.report
    }
}

/// `route[3].country` → (`route`, Some(3), `.country`).
fn split_path(path: &str) -> (&str, Option<usize>, &str) {
    match path.find('[') {
        Some(open) => {
            let close = path[open..]
                .find(']')
                .map(|c| open + c)
                .unwrap_or(path.len());
            let index = path[open + 1..close].parse().ok();
            (&path[..open], index, path.get(close + 1..).unwrap_or(""))
        }
        None => (path, None, ""),
    }
}

fn looks_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-'
}

/// `31/03/2024` (or with `-`/`.`) → `2024-03-31`, in the given order.
fn reorder_date(s: &str, fmt: DateFormat) -> Option<String> {
    let mut parts = s.split(['/', '-', '.']).map(str::trim);
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || a.is_empty()
        || b.is_empty()
        || a.len() > 2
        || b.len() > 2
    {
        return None;
    }
    let (d, m) = if fmt == DateFormat::DayMonthYear {
        (a, b)
    } else {
        (b, a)
    };
    let d: u8 = d.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let y: u16 = y.parse().ok()?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            split_path("route[3].country"),
            ("route", Some(3), ".country")
        );
        assert_eq!(split_path("sex"), ("sex", None, ""));
        assert_eq!(split_path("exploitation[0]"), ("exploitation", Some(0), ""));
    }

    #[test]
    fn dates_reordered() {
        assert_eq!(
            reorder_date("31/03/2024", DateFormat::DayMonthYear).as_deref(),
            Some("2024-03-31")
        );
        assert_eq!(
            reorder_date("3.1.2024", DateFormat::MonthDayYear).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(reorder_date("2024/03/01", DateFormat::DayMonthYear), None);
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"id;prs_Gender;x,y\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"id,prs_Gender\n"), b',');
        assert_eq!(sniff_delimiter(b"id\tprs_Gender\n"), b'\t');
    }
}
