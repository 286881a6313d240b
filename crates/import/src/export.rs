//! Exports of cases to CSV and .xlsx, safe against formula injection, in the
//! HTCDS flat layout so that an export re-imports.
//!
//! Formula injection (OWASP "CSV injection"): a cell that starts with `=`, `+`,
//! `-`, `@`, tab or carriage return could run as a formula when the file is opened
//! in a spreadsheet. In CSV such a cell is written with a leading `'`; in .xlsx every
//! cell is written as a string cell, never as a formula. The reader removes a `'`
//! that precedes one of those characters, so the value round-trips.

use std::borrow::Cow;
use std::io::Write;

use vigia_domain::case::{format_date, AgeInfo, CaseFacts, Exploitation, Identity, NewCase};
use vigia_domain::geo::Place;

use crate::crosswalk::export_value;
use crate::error::ExportError;
use crate::field::{Domain, Field};

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Prefix a formula-like value with `'` (for CSV).
/// A value that already starts with `'` before such a character gets one more `'`,
/// so that the reader's removal of one `'` gives the value back.
pub fn neutralise_formula(s: &str) -> Cow<'_, str> {
    if s.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// One case to export. Identity is written only when present and asked for.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    pub external_ref: Option<&'a str>,
    pub facts: &'a CaseFacts,
    pub identity: Option<&'a Identity>,
}

impl<'a> ExportRow<'a> {
    /// From a validated new case (e.g. an import), with or without its identity.
    pub fn from_new_case(case: &'a NewCase, with_identity: bool) -> Self {
        ExportRow {
            external_ref: case.external_ref.as_deref(),
            facts: &case.facts,
            identity: with_identity.then_some(&case.identity),
        }
    }
    /// From a stored case; `identity` is whatever the caller may see (usually `None`).
    pub fn from_case(case: &'a vigia_domain::case::Case, identity: Option<&'a Identity>) -> Self {
        ExportRow {
            external_ref: case.external_ref.as_deref(),
            facts: &case.facts,
            identity,
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Add the identifying columns (names, birth date, documents, contact). Off by default.
    pub identity: bool,
}

const IDENTITY_COLUMNS: [Field; 5] = [
    Field::FirstName,
    Field::SecondName,
    Field::Birthdate,
    Field::IdentityNumber,
    Field::Contact,
];
const FACT_COLUMNS: [Field; 19] = [
    Field::Gender,
    Field::AgeAtIdentification,
    Field::AgeBracket,
    Field::Citizenship,
    Field::TraffickingStatus,
    Field::IdentifiedOn,
    Field::Acts,
    Field::MethodsOfControl,
    Field::TypeOfExploitation,
    Field::TypeOfExploitationOther,
    Field::MethodOfRecruitment,
    Field::RelationshipToTrafficker,
    Field::RecruitmentCountry,
    Field::RecruitmentState,
    Field::RecruitmentCity,
    Field::TransitCountries,
    Field::ExploitationCountry,
    Field::ExploitationState,
    Field::ExploitationCity,
];

/// The export's columns, in order.
pub fn export_columns(opts: &ExportOptions) -> Vec<Field> {
    let mut v = vec![Field::Id];
    if opts.identity {
        v.extend(IDENTITY_COLUMNS);
    }
    v.extend(FACT_COLUMNS);
    v
}

fn join<'s>(items: impl Iterator<Item = &'s str>, out: &mut String) {
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(s);
    }
}

fn place_cell(p: Option<&Place>, part: usize, out: &mut String) {
    if let Some(p) = p {
        match part {
            0 => out.push_str(p.country.code()),
            1 => out.push_str(p.subdivision.as_ref().map(|s| s.code()).unwrap_or("")),
            _ => out.push_str(p.municipality.as_deref().unwrap_or("")),
        }
    }
}

/// Write the cell of `field` for `row` into `out` (cleared first).
fn cell(row: &ExportRow<'_>, field: Field, out: &mut String) {
    out.clear();
    let f = row.facts;
    let id = row.identity;
    // Route: first place = recruitment, last = exploitation (when 2+), middle = transit.
    let n = f.route.len();
    let first = f.route.first();
    let last = if n >= 2 { f.route.last() } else { None };
    match field {
        Field::Id => out.push_str(row.external_ref.unwrap_or("")),
        Field::FirstName => out.push_str(id.and_then(|i| i.given_names.as_deref()).unwrap_or("")),
        Field::SecondName => out.push_str(id.and_then(|i| i.family_names.as_deref()).unwrap_or("")),
        Field::Birthdate => {
            if let Some(d) = id.and_then(|i| i.date_of_birth) {
                out.push_str(&format_date(d));
            }
        }
        Field::IdentityNumber => join(
            id.map(|i| i.document_numbers.as_slice())
                .unwrap_or(&[])
                .iter()
                .map(String::as_str),
            out,
        ),
        Field::Contact => out.push_str(id.and_then(|i| i.contact.as_deref()).unwrap_or("")),
        Field::Gender => out.push_str(export_value(Domain::Sex, f.sex.code())),
        Field::AgeAtIdentification => {
            if let Some(AgeInfo::Exact(a)) = f.age {
                out.push_str(&a.years().to_string());
            }
        }
        Field::AgeBracket => {
            if let Some(AgeInfo::Bracket(b)) = f.age {
                out.push_str(b.code());
            }
        }
        Field::Citizenship => out.push_str(f.citizenship.as_ref().map(|c| c.code()).unwrap_or("")),
        Field::TraffickingStatus => out.push_str(export_value(Domain::Status, f.status.code())),
        Field::IdentifiedOn => out.push_str(&format_date(f.identified_on)),
        Field::Acts => join(f.acts.iter().map(|a| a.code()), out),
        Field::MethodsOfControl => join(
            f.means
                .iter()
                .map(|m| export_value(Domain::Means, m.code())),
            out,
        ),
        Field::TypeOfExploitation => {
            let mut items: Vec<&str> = f
                .exploitation
                .iter()
                .filter_map(Exploitation::kind)
                .map(|k| export_value(Domain::Exploitation, k.code()))
                .collect();
            if f.exploitation.iter().any(|e| e.kind().is_none()) {
                items.push("Other");
            }
            join(items.into_iter(), out);
        }
        Field::TypeOfExploitationOther => join(
            f.exploitation.iter().filter_map(|e| match e {
                Exploitation::Other(t) => Some(t.as_str()),
                Exploitation::Kind(_) => None,
            }),
            out,
        ),
        Field::MethodOfRecruitment => {
            if let Some(r) = f.recruitment {
                out.push_str(export_value(Domain::Recruitment, r.code()));
            }
        }
        Field::RelationshipToTrafficker => {
            if let Some(r) = f.recruiter_relation {
                out.push_str(export_value(Domain::Relation, r.code()));
            }
        }
        Field::RecruitmentCountry => place_cell(first, 0, out),
        Field::RecruitmentState => place_cell(first, 1, out),
        Field::RecruitmentCity => place_cell(first, 2, out),
        Field::ExploitationCountry => place_cell(last, 0, out),
        Field::ExploitationState => place_cell(last, 1, out),
        Field::ExploitationCity => place_cell(last, 2, out),
        Field::TransitCountries if n > 2 => {
            join(f.route[1..n - 1].iter().map(|p| p.country.code()), out)
        }
        _ => {}
    }
}

/// Write cases as CSV (comma-separated, UTF-8, header row of field names).
pub fn write_csv<'a, W: Write>(
    w: W,
    rows: impl IntoIterator<Item = ExportRow<'a>>,
    opts: &ExportOptions,
) -> Result<(), ExportError> {
    let cols = export_columns(opts);
    let mut wtr = csv::Writer::from_writer(w);
    let e = |e: csv::Error| ExportError::Csv(e.to_string());
    wtr.write_record(cols.iter().map(|f| f.name())).map_err(e)?;
    let mut buf = String::new();
    let mut rec = csv::StringRecord::new();
    for row in rows {
        rec.clear();
        for f in &cols {
            cell(&row, *f, &mut buf);
            rec.push_field(&neutralise_formula(&buf));
        }
        wtr.write_record(&rec).map_err(e)?;
    }
    wtr.flush()?;
    Ok(())
}

/// Write cases as an .xlsx workbook (one sheet, `cases`); every cell is a string cell.
pub fn write_xlsx<'a>(
    rows: impl IntoIterator<Item = ExportRow<'a>>,
    opts: &ExportOptions,
) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::Workbook;
    let x = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let cols = export_columns(opts);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("cases").map_err(x)?;
    for (c, f) in cols.iter().enumerate() {
        ws.write_string(0, c as u16, f.name()).map_err(x)?;
    }
    let mut buf = String::new();
    let mut n: usize = 0;
    for row in rows {
        n += 1;
        let Ok(r) =
            u32::try_from(n)
                .map_err(drop)
                .and_then(|r| if r < 1_048_576 { Ok(r) } else { Err(()) })
        else {
            return Err(ExportError::TooManyRows(n));
        };
        for (c, f) in cols.iter().enumerate() {
            cell(&row, *f, &mut buf);
            if !buf.is_empty() {
                // A string cell: never parsed as a formula, whatever it starts with.
                ws.write_string(r, c as u16, buf.as_str()).map_err(x)?;
            }
        }
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(s), format!("'{s}"));
        }
        assert_eq!(neutralise_formula("BR"), "BR");
        assert_eq!(neutralise_formula("'=x"), "''=x");
    }
}
