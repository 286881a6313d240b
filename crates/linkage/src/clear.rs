//! Clear-text records: reading a CSV with a config, preparing values, the
//! comparator and the automatic blocking keys.

use std::path::Path;

use crate::compare::{compare, compare_names, n_levels, prepare, Value};
use crate::config::{FieldKind, LinkConfig};
use crate::engine::Comparator;
use crate::error::{LinkError, Result};
use crate::hash::KeyHasher;
use crate::model::pack;
use crate::normalize::{fold, ident};

/// A list of records read from one file.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Record ids as given.
    pub ids: Vec<String>,
    /// Prepared values, one `Vec` per record, one entry per config field.
    pub records: Vec<Record>,
}

/// One prepared record.
#[derive(Debug, Clone)]
pub struct Record {
    /// Values in config field order.
    pub values: Vec<Value>,
    /// Values of the extra blocking columns, normalised.
    pub extra: Vec<String>,
}

/// Column positions of the config in a CSV header.
pub(crate) struct Columns {
    pub id: usize,
    pub fields: Vec<usize>,
    pub extra: Vec<Vec<usize>>,
}

pub(crate) fn locate(cfg: &LinkConfig, header: &csv::StringRecord, path: &Path) -> Result<Columns> {
    let find = |name: &str| -> Result<usize> {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| LinkError::Csv {
            path: path.to_owned(),
            message: format!("column `{name}` named in the config is not in the header"),
        })
    };
    Ok(Columns {
        id: find(&cfg.id)?,
        fields: cfg.fields.iter().map(|f| find(&f.column)).collect::<Result<_>>()?,
        extra: cfg.blocking.iter().map(|cols| cols.iter().map(|c| find(c)).collect::<Result<_>>()).collect::<Result<_>>()?,
    })
}

/// Opens a CSV reader (flexible quoting, header row required).
pub(crate) fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::None)
        .from_path(path)
        .map_err(|e| LinkError::Csv { path: path.to_owned(), message: redact_csv(&e) })
}

/// CSV error text without any cell content.
pub(crate) fn redact_csv(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(err) => format!("I/O error: {err}"),
        csv::ErrorKind::Utf8 { pos, .. } => format!("invalid UTF-8 at row {}", pos.as_ref().map_or(0, |p| p.line())),
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
            format!("row {} has {len} columns, expected {expected_len}", pos.as_ref().map_or(0, |p| p.line()))
        }
        _ => "malformed CSV".to_owned(),
    }
}

impl Dataset {
    /// Reads a CSV file with a header row.
    pub fn from_csv(cfg: &LinkConfig, path: &Path) -> Result<Self> {
        let mut rdr = reader(path)?;
        let header = rdr.headers().map_err(|e| LinkError::Csv { path: path.to_owned(), message: redact_csv(&e) })?.clone();
        let cols = locate(cfg, &header, path)?;
        let mut ids = Vec::new();
        let mut records = Vec::new();
        let mut row = csv::StringRecord::new();
        let mut line = 1u64;
        loop {
            match rdr.read_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(LinkError::Csv { path: path.to_owned(), message: redact_csv(&e) }),
            }
            line += 1;
            let id = row.get(cols.id).unwrap_or("").trim();
            if id.is_empty() {
                return Err(LinkError::Csv { path: path.to_owned(), message: format!("row {line}: empty `{}`", cfg.id) });
            }
            ids.push(id.to_owned());
            records.push(prepare_record(cfg, &cols, &row));
        }
        if ids.len() >= (1 << 31) {
            return Err(LinkError::Csv { path: path.to_owned(), message: "too many rows (max 2^31)".into() });
        }
        Ok(Dataset { ids, records })
    }

    /// Builds a dataset from in-memory rows (`values[i]` in config field order).
    pub fn from_rows(cfg: &LinkConfig, rows: &[(String, Vec<String>)]) -> Self {
        let ids = rows.iter().map(|r| r.0.clone()).collect();
        let records = rows
            .iter()
            .map(|(_, vals)| Record {
                values: cfg.fields.iter().zip(vals).map(|(f, v)| prepare(f.kind, v)).collect(),
                extra: Vec::new(),
            })
            .collect();
        Dataset { ids, records }
    }
}

fn prepare_record(cfg: &LinkConfig, cols: &Columns, row: &csv::StringRecord) -> Record {
    let values = cfg.fields.iter().zip(&cols.fields).map(|(f, &c)| prepare(f.kind, row.get(c).unwrap_or(""))).collect();
    let extra = cols
        .extra
        .iter()
        .map(|cs| {
            let parts: Vec<String> = cs.iter().map(|&c| ident(&fold(row.get(c).unwrap_or("")))).collect();
            if parts.iter().any(String::is_empty) {
                String::new()
            } else {
                parts.join("|")
            }
        })
        .collect();
    Record { values, extra }
}

/// Clear-text comparator built from the config.
pub struct ClearComparator {
    kinds: Vec<FieldKind>,
    block: Vec<bool>,
    names: Vec<usize>,
}

impl ClearComparator {
    /// From a config.
    pub fn new(cfg: &LinkConfig) -> Self {
        let kinds: Vec<FieldKind> = cfg.fields.iter().map(|f| f.kind).collect();
        let block = cfg
            .fields
            .iter()
            .map(|f| f.block.unwrap_or(matches!(f.kind, FieldKind::Name | FieldKind::Date | FieldKind::Id | FieldKind::Postcode)))
            .collect();
        let names = kinds.iter().enumerate().filter(|(_, k)| **k == FieldKind::Name).map(|(i, _)| i).collect();
        ClearComparator { kinds, block, names }
    }
}

/// Sum of levels (lower is better) used to detect swapped names.
fn name_levels(a: &[Value], b: &[Value], pairs: &[(usize, usize)]) -> (u32, Vec<Option<u8>>) {
    let mut sum = 0u32;
    let mut out = Vec::with_capacity(pairs.len());
    for &(x, y) in pairs {
        let l = match (&a[x], &b[y]) {
            (Value::Name(p), Value::Name(q)) => Some(compare_names(p, q)),
            _ => None,
        };
        sum += u32::from(l.unwrap_or(2));
        out.push(l);
    }
    (sum, out)
}

impl Comparator for ClearComparator {
    type Rec = Record;

    fn n_levels(&self) -> Vec<u8> {
        self.kinds.iter().map(|&k| n_levels(k)).collect()
    }

    fn pattern(&self, a: &Record, b: &Record) -> u64 {
        let mut lv = [None; 21];
        for (f, &k) in self.kinds.iter().enumerate() {
            lv[f] = compare(k, &a.values[f], &b.values[f]);
        }
        // Given and family names swapped: when both name fields disagree,
        // compare them crossed.
        if self.names.len() >= 2 {
            let (x, y) = (self.names[0], self.names[1]);
            let bad = |l: Option<u8>| l.is_none_or(|v| v >= 3);
            if bad(lv[x]) && bad(lv[y]) {
                let (direct, _) = name_levels(&a.values, &b.values, &[(x, x), (y, y)]);
                let (crossed, cl) = name_levels(&a.values, &b.values, &[(x, y), (y, x)]);
                if crossed + 2 <= direct {
                    // Evidence of a swap: keep the crossed levels, one level weaker.
                    lv[x] = cl[0].map(|l| (l + 1).min(n_levels(FieldKind::Name) - 1));
                    lv[y] = cl[1].map(|l| (l + 1).min(n_levels(FieldKind::Name) - 1));
                }
            }
        }
        pack(lv[..self.kinds.len()].iter().copied())
    }

    fn block_keys(&self, r: &Record, out: &mut Vec<u64>) {
        let mut name_phon: Vec<&str> = Vec::new();
        let mut date: Option<(u16, u8, u8)> = None;
        let mut year: Option<u16> = None;
        let mut places: Vec<(u64, &str)> = Vec::new();
        for (f, (&k, v)) in self.kinds.iter().zip(&r.values).enumerate() {
            match (k, v) {
                (FieldKind::Name, Value::Name(n)) if self.block[f] => {
                    for p in n.phon.iter().take(3) {
                        if !name_phon.contains(&p.as_str()) {
                            name_phon.push(p);
                        }
                    }
                }
                (FieldKind::Date, Value::Date(d)) if self.block[f] => {
                    if year.is_none() {
                        year = d.y;
                    }
                    if let (Some(y), Some(m), Some(dd)) = (d.y, d.m, d.d) {
                        let (lo, hi) = (m.min(dd), m.max(dd));
                        out.push(KeyHasher::new(1).u64(f as u64).u64(u64::from(y)).u64(u64::from(lo)).u64(u64::from(hi)).finish());
                        if date.is_none() {
                            date = Some((y, lo, hi));
                        }
                    }
                }
                (FieldKind::Id, Value::Str(s)) if self.block[f] && s.len() >= 3 => out.push(KeyHasher::new(2).u64(f as u64).bytes(s.as_bytes()).finish()),
                // Places (postcode, street, town): used with a name sound, never alone
                // unless the config asks (`block = true`).
                (FieldKind::Postcode | FieldKind::Street | FieldKind::Text, Value::Str(s)) => {
                    if self.block[f] && k != FieldKind::Postcode {
                        out.push(KeyHasher::new(3).u64(f as u64).bytes(s.as_bytes()).finish());
                    }
                    places.push((f as u64, s));
                }
                _ => {}
            }
        }
        // Pairs of name sounds, order-free (swapped names, one surname missing).
        for i in 0..name_phon.len() {
            for j in i + 1..name_phon.len() {
                let (a, b) = if name_phon[i] <= name_phon[j] { (name_phon[i], name_phon[j]) } else { (name_phon[j], name_phon[i]) };
                out.push(KeyHasher::new(4).bytes(a.as_bytes()).bytes(b.as_bytes()).finish());
            }
        }
        // Initial of one name + sound of another: survives a typo that changes a sound.
        for i in 0..name_phon.len() {
            for j in 0..name_phon.len() {
                if i != j {
                    out.push(KeyHasher::new(9).bytes(&name_phon[i].as_bytes()[..1]).bytes(name_phon[j].as_bytes()).finish());
                }
            }
        }
        for p in &name_phon {
            if let Some((y, lo, hi)) = date {
                // One name sound + year + one of day/month: survives a typo in
                // the other name and in the other part of the date.
                out.push(KeyHasher::new(5).bytes(p.as_bytes()).u64(u64::from(y)).u64(u64::from(lo)).finish());
                out.push(KeyHasher::new(6).bytes(p.as_bytes()).u64(u64::from(y)).u64(u64::from(hi)).finish());
            }
            if let Some(y) = year {
                out.push(KeyHasher::new(10).bytes(p.as_bytes()).u64(u64::from(y)).finish());
            }
            for (f, pl) in &places {
                out.push(KeyHasher::new(7).u64(*f).bytes(p.as_bytes()).bytes(pl.as_bytes()).finish());
            }
        }
        if let Some((_, lo, hi)) = date {
            for (f, pl) in &places {
                // Date with a year typo, same place and day/month.
                out.push(KeyHasher::new(8).u64(*f).u64(u64::from(lo)).u64(u64::from(hi)).bytes(pl.as_bytes()).finish());
            }
        }
        for (i, e) in r.extra.iter().enumerate() {
            if !e.is_empty() {
                out.push(KeyHasher::new(100 + i as u64).bytes(e.as_bytes()).finish());
            }
        }
    }
}
