//! Privacy-preserving record linkage with keyed field-level Bloom filters.
//!
//! Scheme `vigia-fbf-hmac-sha256`, version 1 (see `docs/linkage.md`):
//!
//! * every identifying field is normalised as in clear-text linkage and cut
//!   into tokens: padded q-grams (default bigrams) of names, streets and
//!   text; q-grams plus the whole value of identifiers and postcodes; year,
//!   month, day, the unordered day/month pair and digit q-grams of dates;
//! * each token is hashed with HMAC-SHA256 under the secret shared by the
//!   agencies (never by the coordinator), domain-separated by version and
//!   field; the first 16 bytes of the MAC give `k` bit positions by double
//!   hashing into the field's filter of `bits` bits;
//! * only the filters and the agency's opaque record id leave the agency.
//!
//! The coordinator compares filters by Dice coefficient (u64 words,
//! popcount), maps Dice to agreement levels, and runs the same
//! Fellegi–Sunter engine as the clear-text path. Blocking uses only the
//! filters: equality of whole filters (dates, ids, name pairs) and MinHash
//! LSH over the set bits of the name filters.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::clear::Dataset;
use crate::compare::Value;
use crate::config::{FieldKind, LinkConfig};
use crate::engine::{self, Comparator, Outcome, Progress};
use crate::error::{LinkError, Result};
use crate::hash::{mix, KeyHasher};
use crate::model::pack;

/// Format version written in every encoded file.
pub const VERSION: u32 = 1;
/// Scheme name written in every encoded file.
pub const SCHEME: &str = "vigia-fbf-hmac-sha256";
const MAGIC: &str = "#vigia-pprl ";

/// The secret shared between agencies. Wiped from memory on drop; never printed.
pub struct Key(Vec<u8>);

impl Key {
    /// From raw bytes (at least 16).
    pub fn new(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < 16 {
            return Err(LinkError::Key("the key must have at least 16 bytes (use 32 random bytes)".into()));
        }
        Ok(Key(bytes.to_vec()))
    }
    /// Reads a key file: raw bytes; a text key (printable ASCII, e.g. hex
    /// or base64) has surrounding whitespace and line ends removed.
    pub fn from_file(path: &Path) -> Result<Self> {
        let mut b = std::fs::read(path).map_err(|e| LinkError::io(path, e))?;
        if b.iter().all(|c| c.is_ascii_graphic() || c.is_ascii_whitespace()) {
            while b.last().is_some_and(u8::is_ascii_whitespace) {
                b.pop();
            }
            let lead = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
            b.drain(..lead);
        }
        let k = Key::new(&b);
        b.iter_mut().for_each(|x| *x = 0);
        k
    }
    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length")
    }
    /// Public check value: lets the coordinator see whether two files were
    /// made with the same key without learning the key.
    pub fn check_value(&self) -> String {
        let mut m = self.mac();
        m.update(b"vigia-pprl key check v1");
        letters(&m.finalize().into_bytes()[..8])
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // Volatile-free wipe: good enough against accidental reuse; see docs.
            *b = 0;
        }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// One encoded field's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Column name (a label, not a value).
    pub column: String,
    /// Kind of the field.
    pub kind: FieldKind,
    /// Filter length in bits (multiple of 64).
    pub bits: usize,
    /// Hash functions per token.
    pub k: usize,
}

/// Header line of an encoded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `vigia-pprl`.
    pub format: String,
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// Scheme name ([`SCHEME`]).
    pub scheme: String,
    /// q-gram length.
    pub q: usize,
    /// Key check value (same key ⇔ same value).
    pub key_check: String,
    /// Record id column (opaque agency record id, kept as given).
    pub id_column: String,
    /// Encoded fields.
    pub fields: Vec<FieldSpec>,
}

/// A Bloom filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Bits, little-endian within words.
    pub words: Box<[u64]>,
    /// Number of set bits.
    pub ones: u32,
}

impl Filter {
    fn new(bits: usize) -> Self {
        Filter { words: vec![0u64; bits / 64].into_boxed_slice(), ones: 0 }
    }
    fn set(&mut self, pos: usize) {
        self.words[pos / 64] |= 1u64 << (pos % 64);
    }
    fn count(&mut self) {
        self.ones = self.words.iter().map(|w| w.count_ones()).sum();
    }
    /// Dice coefficient 2|A∩B| / (|A|+|B|).
    pub fn dice(&self, o: &Filter) -> f64 {
        let inter: u32 = self.words.iter().zip(o.words.iter()).map(|(a, b)| (a & b).count_ones()).sum();
        let d = self.ones + o.ones;
        if d == 0 {
            1.0
        } else {
            2.0 * f64::from(inter) / f64::from(d)
        }
    }
    fn digest(&self) -> u64 {
        let mut h = KeyHasher::new(0xF1);
        for w in self.words.iter() {
            h = h.u64(*w);
        }
        h.finish()
    }
}

/// One encoded record: a filter per field, `None` when the value was missing.
#[derive(Debug, Clone)]
pub struct EncRecord {
    /// Filters in field order.
    pub filters: Vec<Option<Filter>>,
}

/// An encoded list.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// File header.
    pub header: Header,
    /// Record ids as given by the agency.
    pub ids: Vec<String>,
    /// Encoded records.
    pub records: Vec<EncRecord>,
}

/// Default filter length and hash count of a kind.
pub fn default_bits_k(kind: FieldKind) -> (usize, usize) {
    match kind {
        FieldKind::Name => (512, 15),
        FieldKind::Street | FieldKind::Text => (512, 12),
        FieldKind::Date | FieldKind::Id => (256, 10),
        FieldKind::Postcode => (256, 10),
    }
}

/// Field specs of a config.
pub fn field_specs(cfg: &LinkConfig) -> Vec<FieldSpec> {
    cfg.fields
        .iter()
        .map(|f| {
            let (b, k) = default_bits_k(f.kind);
            FieldSpec { column: f.column.clone(), kind: f.kind, bits: f.bloom_bits.unwrap_or(b), k: f.bloom_k.unwrap_or(k) }
        })
        .collect()
}

fn qgrams(s: &str, q: usize, out: &mut Vec<String>) {
    let mut chars: Vec<char> = Vec::with_capacity(s.len() + 2 * (q - 1));
    chars.extend(std::iter::repeat_n('_', q - 1));
    chars.extend(s.chars());
    chars.extend(std::iter::repeat_n('_', q - 1));
    if chars.len() < q {
        out.push(chars.iter().collect());
        return;
    }
    for w in chars.windows(q) {
        out.push(w.iter().collect());
    }
}

/// Tokens of a prepared value (what goes into the filter).
pub fn tokens(v: &Value, q: usize) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Missing => {}
        Value::Name(n) => {
            for t in &n.sorted {
                qgrams(t, q, &mut out);
            }
        }
        Value::Date(d) => {
            if let Some(y) = d.y {
                out.push(format!("y{y:04}"));
            }
            if let Some(m) = d.m {
                out.push(format!("m{m:02}"));
            }
            if let Some(dd) = d.d {
                out.push(format!("d{dd:02}"));
            }
            if let (Some(m), Some(dd)) = (d.m, d.d) {
                out.push(format!("s{:02}{:02}", m.min(dd), m.max(dd)));
            }
            if d.is_full() || d.y.is_none() {
                qgrams(&d.digits, q, &mut out);
            }
        }
        Value::Str(s) => {
            out.push(format!("={s}"));
            qgrams(s, q, &mut out);
        }
    }
    out
}

/// Encodes a data set (runs at the agency, with the secret key).
pub fn encode(cfg: &LinkConfig, data: &Dataset, key: &Key) -> Encoded {
    use rayon::prelude::*;
    let specs = field_specs(cfg);
    let base = key.mac();
    // Domain label: names share one label so that crossed (swapped) name
    // fields stay comparable; other fields are separated by kind and rank.
    let mut labels = Vec::new();
    let mut seen: std::collections::HashMap<FieldKind, usize> = std::collections::HashMap::new();
    for s in &specs {
        let rank = seen.entry(s.kind).or_insert(0);
        labels.push(if s.kind == FieldKind::Name { format!("v{VERSION}/name") } else { format!("v{VERSION}/{}/{rank}", s.kind.as_str()) });
        *rank += 1;
    }
    let records = data
        .records
        .par_iter()
        .map(|r| EncRecord {
            filters: specs
                .iter()
                .enumerate()
                .map(|(f, spec)| {
                    let toks = tokens(&r.values[f], cfg.q);
                    if toks.is_empty() {
                        return None;
                    }
                    let mut filt = Filter::new(spec.bits);
                    for t in &toks {
                        let mut m = base.clone();
                        m.update(labels[f].as_bytes());
                        m.update(&[0]);
                        m.update(t.as_bytes());
                        let out = m.finalize().into_bytes();
                        let h1 = u64::from_le_bytes(out[0..8].try_into().expect("8 bytes"));
                        let h2 = u64::from_le_bytes(out[8..16].try_into().expect("8 bytes")) | 1;
                        for i in 0..spec.k as u64 {
                            filt.set((h1.wrapping_add(i.wrapping_mul(h2)) % spec.bits as u64) as usize);
                        }
                    }
                    filt.count();
                    Some(filt)
                })
                .collect(),
        })
        .collect();
    Encoded {
        header: Header {
            format: "vigia-pprl".into(),
            version: VERSION,
            scheme: SCHEME.into(),
            q: cfg.q,
            key_check: key.check_value(),
            id_column: cfg.id.clone(),
            fields: specs,
        },
        ids: data.ids.clone(),
        records,
    }
}

/// Bytes as letters `A`–`P` (one per nibble): no digit and no lower-case
/// letter can appear, so no input value can leak by accident into the text.
fn letters(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push((b'A' + (b >> 4)) as char);
        s.push((b'A' + (b & 15)) as char);
    }
    s
}

fn from_letters(s: &str, bits: usize) -> Option<Filter> {
    let b = s.as_bytes();
    if b.len() != bits / 4 {
        return None;
    }
    let mut f = Filter::new(bits);
    for (i, pair) in b.chunks(2).enumerate() {
        let hi = pair[0].checked_sub(b'A').filter(|&v| v < 16)?;
        let lo = pair[1].checked_sub(b'A').filter(|&v| v < 16)?;
        let byte = u64::from((hi << 4) | lo);
        f.words[i / 8] |= byte << (8 * (i % 8));
    }
    f.count();
    Some(f)
}

fn to_letters(f: &Filter) -> String {
    let bytes: Vec<u8> = f.words.iter().flat_map(|w| w.to_le_bytes()).collect();
    letters(&bytes)
}

/// Writes an encoded file.
pub fn write_encoded(path: &Path, e: &Encoded) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|er| LinkError::io(path, er))?;
    let mut w = BufWriter::new(file);
    let io = |er| LinkError::io(path, er);
    let header = serde_json::to_string(&e.header).map_err(|er| LinkError::Encoded { path: path.to_owned(), message: er.to_string() })?;
    writeln!(w, "{MAGIC}{header}").map_err(io)?;
    let mut cw = csv::Writer::from_writer(w);
    let map = |er: csv::Error| LinkError::Encoded { path: path.to_owned(), message: crate::clear::redact_csv(&er) };
    let mut head = vec![e.header.id_column.clone()];
    head.extend(e.header.fields.iter().map(|f| f.column.clone()));
    cw.write_record(&head).map_err(map)?;
    for (id, r) in e.ids.iter().zip(&e.records) {
        let mut row = vec![id.clone()];
        row.extend(r.filters.iter().map(|f| f.as_ref().map_or(String::new(), to_letters)));
        cw.write_record(&row).map_err(map)?;
    }
    cw.flush().map_err(io)
}

/// Reads an encoded file, checking format and version.
pub fn read_encoded(path: &Path) -> Result<Encoded> {
    let bad = |m: String| LinkError::Encoded { path: path.to_owned(), message: m };
    let file = std::fs::File::open(path).map_err(|e| LinkError::io(path, e))?;
    let mut r = std::io::BufReader::new(file);
    let mut first = String::new();
    r.read_line(&mut first).map_err(|e| LinkError::io(path, e))?;
    let json = first.trim_end().strip_prefix(MAGIC).ok_or_else(|| bad("not a Vigia encoded file (missing `#vigia-pprl` header)".into()))?;
    let header: Header = serde_json::from_str(json).map_err(|e| bad(format!("bad header: {e}")))?;
    if header.format != "vigia-pprl" || header.scheme != SCHEME {
        return Err(bad("unknown format or scheme".into()));
    }
    if header.version != VERSION {
        return Err(bad(format!("version {} is not supported (this Vigia reads version {VERSION})", header.version)));
    }
    if header.fields.iter().any(|f| f.bits == 0 || f.bits % 64 != 0 || f.k == 0) {
        return Err(bad("bad filter parameters".into()));
    }
    let mut cr = csv::ReaderBuilder::new().has_headers(true).from_reader(r);
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for (n, rec) in cr.records().enumerate() {
        let rec = rec.map_err(|e| bad(crate::clear::redact_csv(&e)))?;
        if rec.len() != header.fields.len() + 1 {
            return Err(bad(format!("row {}: wrong number of columns", n + 3)));
        }
        ids.push(rec[0].to_owned());
        let filters = header
            .fields
            .iter()
            .enumerate()
            .map(|(f, spec)| {
                let cell = &rec[f + 1];
                if cell.is_empty() {
                    Ok(None)
                } else {
                    from_letters(cell, spec.bits).map(Some).ok_or_else(|| bad(format!("row {}: column `{}` is not a valid filter", n + 3, spec.column)))
                }
            })
            .collect::<Result<_>>()?;
        records.push(EncRecord { filters });
    }
    Ok(Encoded { header, ids, records })
}

/// Comparator of encoded records.
pub struct EncComparator {
    kinds: Vec<FieldKind>,
    names: Vec<usize>,
    bands: usize,
    rows: usize,
    seed: u64,
}

/// Dice cut-offs of the name levels. Names have one more level than in clear
/// text: a full name of three tokens and the same name without one of them
/// reach a Dice near 0.8, so 0.80-0.90 ("one token missing or changed") is kept
/// apart from near-identical filters (>= 0.90: a typo or an accent).
const NAME_CUTS: [f64; 5] = [0.999, 0.90, 0.80, 0.60, 0.40];

/// Levels of a field kind on encodings.
pub fn enc_n_levels(kind: FieldKind) -> u8 {
    match kind {
        FieldKind::Name => NAME_CUTS.len() as u8 + 1,
        k => crate::compare::n_levels(k),
    }
}

/// Agreement level of a Dice coefficient for a kind.
pub fn dice_level(kind: FieldKind, d: f64) -> u8 {
    let cuts: &[f64] = match kind {
        FieldKind::Name => &NAME_CUTS,
        FieldKind::Date => &[0.999, 0.70, 0.45],
        FieldKind::Id => &[0.999, 0.60, 0.40],
        FieldKind::Postcode => &[0.999, 0.45],
        FieldKind::Street | FieldKind::Text => &[0.999, 0.75, 0.50],
    };
    cuts.iter().position(|&c| d >= c).unwrap_or(cuts.len()) as u8
}

impl EncComparator {
    /// From a header.
    pub fn new(h: &Header, seed: u64) -> Self {
        let kinds: Vec<FieldKind> = h.fields.iter().map(|f| f.kind).collect();
        let names = kinds.iter().enumerate().filter(|(_, k)| **k == FieldKind::Name).map(|(i, _)| i).collect();
        EncComparator { kinds, names, bands: 20, rows: 6, seed }
    }
    fn lv(&self, f: usize, a: &EncRecord, b: &EncRecord, g: usize) -> Option<u8> {
        match (&a.filters[f], &b.filters[g]) {
            (Some(x), Some(y)) => Some(dice_level(self.kinds[f], x.dice(y))),
            _ => None,
        }
    }
}

impl Comparator for EncComparator {
    type Rec = EncRecord;

    fn n_levels(&self) -> Vec<u8> {
        self.kinds.iter().map(|&k| enc_n_levels(k)).collect()
    }

    fn pattern(&self, a: &EncRecord, b: &EncRecord) -> u64 {
        let mut lv: Vec<Option<u8>> = (0..self.kinds.len()).map(|f| self.lv(f, a, b, f)).collect();
        if self.names.len() >= 2 {
            let (x, y) = (self.names[0], self.names[1]);
            // On the five-level scale of clear text (0.80-0.90 and 0.90-0.999 count as one).
            let s = |l: Option<u8>| l.map_or(2, |l| u32::from(if l >= 2 { l - 1 } else { l }));
            let direct = s(lv[x]) + s(lv[y]);
            if direct >= 4 {
                let (cx, cy) = (self.lv(x, a, b, y), self.lv(y, a, b, x));
                if s(cx) + s(cy) + 2 <= direct {
                    let last = enc_n_levels(FieldKind::Name) - 1;
                    lv[x] = cx.map(|l| (l + 1).min(last));
                    lv[y] = cy.map(|l| (l + 1).min(last));
                }
            }
        }
        pack(lv)
    }

    fn block_keys(&self, r: &EncRecord, out: &mut Vec<u64>) {
        let mut names: Vec<u64> = Vec::new();
        let mut date = None;
        let mut pc = None;
        for (f, k) in self.kinds.iter().enumerate() {
            let Some(filt) = &r.filters[f] else { continue };
            match k {
                FieldKind::Name => names.push(filt.digest()),
                FieldKind::Date => {
                    let d = filt.digest();
                    out.push(KeyHasher::new(11).u64(f as u64).u64(d).finish());
                    date.get_or_insert(d);
                }
                FieldKind::Id => out.push(KeyHasher::new(12).u64(f as u64).u64(filt.digest()).finish()),
                FieldKind::Postcode => {
                    pc.get_or_insert(filt.digest());
                }
                _ => {}
            }
        }
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                out.push(KeyHasher::new(13).u64(names[i].min(names[j])).u64(names[i].max(names[j])).finish());
            }
            if let Some(d) = date {
                out.push(KeyHasher::new(14).u64(names[i]).u64(d).finish());
            }
            if let Some(p) = pc {
                out.push(KeyHasher::new(15).u64(names[i]).u64(p).finish());
            }
        }
        if let (Some(d), Some(p)) = (date, pc) {
            out.push(KeyHasher::new(16).u64(d).u64(p).finish());
        }
        // MinHash LSH over the set bits of all name filters (order-free, so
        // swapped names still collide; tolerant to typos).
        let mut bits: Vec<u32> = Vec::new();
        for &f in &self.names {
            if let Some(filt) = &r.filters[f] {
                for (wi, w) in filt.words.iter().enumerate() {
                    let mut w = *w;
                    while w != 0 {
                        bits.push(wi as u32 * 64 + w.trailing_zeros());
                        w &= w - 1;
                    }
                }
            }
        }
        bits.sort_unstable();
        bits.dedup();
        if bits.len() >= 8 {
            for band in 0..self.bands {
                let mut h = KeyHasher::new(17).u64(band as u64);
                for row in 0..self.rows {
                    let salt = mix(self.seed ^ ((band * self.rows + row) as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let m = bits.iter().map(|&b| mix(u64::from(b) ^ salt)).min().unwrap_or(0);
                    h = h.u64(m);
                }
                out.push(h.finish());
            }
        }
    }
}

/// Checks that two encoded files can be linked (same scheme and fields).
/// A different key is reported by [`same_key`], not here.
pub fn check_compatible(a: &Encoded, b: &Encoded) -> Result<()> {
    let (x, y) = (&a.header, &b.header);
    if x.version != y.version || x.scheme != y.scheme || x.q != y.q {
        return Err(LinkError::Encoded { path: "(second file)".into(), message: "encoded with a different scheme, version or q".into() });
    }
    let spec = |h: &Header| h.fields.iter().map(|f| (f.kind, f.bits, f.k)).collect::<Vec<_>>();
    if spec(x) != spec(y) {
        return Err(LinkError::Encoded { path: "(second file)".into(), message: "encoded with different fields or filter parameters".into() });
    }
    Ok(())
}

/// True when both files carry the same key check value.
pub fn same_key(a: &Encoded, b: &Encoded) -> bool {
    a.header.key_check == b.header.key_check
}

/// Links encoded lists at the coordinator (no key, no clear text).
/// Settings (threshold, one-to-one, block size, EM) come from `cfg`; its
/// field list is ignored in favour of the files' headers.
pub fn link_encoded(cfg: &LinkConfig, a: &Encoded, b: Option<&Encoded>, progress: &dyn Progress) -> Result<Outcome> {
    if let Some(b) = b {
        check_compatible(a, b)?;
    }
    let cmp = EncComparator::new(&a.header, cfg.seed);
    Ok(engine::run(&cmp, &a.records, b.map(|e| e.records.as_slice()), &cfg.options(), progress))
}

/// Default settings for the coordinator when no config is given.
pub fn coordinator_config(h: &Header) -> LinkConfig {
    let fields: Vec<(&str, FieldKind)> = h.fields.iter().map(|f| (f.column.as_str(), f.kind)).collect();
    LinkConfig::new(&h.id_column, &fields)
}
