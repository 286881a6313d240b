//! Privacy-preserving path: accuracy on FEBRL4, no leak of input values in
//! the encoded file, nothing found with a different key.

mod common;
use common::*;
use vigia_linkage::pprl::{self, Key};
use vigia_linkage::{eval, NoProgress};

fn key(b: u8) -> Key {
    Key::new(&[b; 32]).unwrap()
}

fn pprl_f1(with_ssid: bool) -> eval::Scores {
    let cfg = config(with_ssid);
    let a = load(&cfg, "febrl4a.csv");
    let b = load(&cfg, "febrl4b.csv");
    let k = key(7);
    let (ea, eb) = (pprl::encode(&cfg, &a, &k), pprl::encode(&cfg, &b, &k));
    let o = pprl::link_encoded(&pprl::coordinator_config(&ea.header), &ea, Some(&eb), &NoProgress).unwrap();
    let s = scores(&o, &a, Some(&b), &truth("febrl4_true_pairs.csv"));
    eprintln!("pprl febrl4 ssid={with_ssid}: {s:?} candidates={} lambda={:.4}", o.candidates, o.model.lambda);
    s
}

#[test]
fn febrl4_encoded_f1_at_least_098() {
    assert!(pprl_f1(true).f1 >= 0.98);
}

#[test]
fn febrl4_encoded_without_ssid_f1_at_least_098() {
    assert!(pprl_f1(false).f1 >= 0.98);
}

#[test]
fn febrl3_encoded_dedup() {
    let cfg = config(true);
    let a = load(&cfg, "febrl3.csv");
    let ea = pprl::encode(&cfg, &a, &key(3));
    let o = pprl::link_encoded(&cfg, &ea, None, &NoProgress).unwrap();
    let s = scores(&o, &a, None, &truth("febrl3_true_pairs.csv"));
    eprintln!("pprl febrl3: {s:?}");
    assert!(s.f1 >= 0.97);
}

/// The encoded file holds no name, date (in any written form) or identifier
/// of the input. Filters are written with the letters A–P only, so no value
/// containing a digit or a lower-case letter can appear; upper-cased values
/// made only of A–P letters are checked against every cell.
#[test]
fn encoded_file_contains_no_input_value() {
    let cfg = config(true);
    let path = data_dir().join("febrl4a.csv");
    let a = load(&cfg, "febrl4a.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.enc");
    pprl::write_encoded(&out, &pprl::encode(&cfg, &a, &key(9))).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    // The header depends only on the config and the key, never on the data:
    // it is identical to the header of an encoding of no records.
    let header_line = lines.next().unwrap();
    assert!(header_line.starts_with("#vigia-pprl {"));
    let empty = vigia_linkage::Dataset { ids: vec![], records: vec![] };
    let e0 = dir.path().join("empty.enc");
    pprl::write_encoded(&e0, &pprl::encode(&cfg, &empty, &key(9))).unwrap();
    let e0_text = std::fs::read_to_string(&e0).unwrap();
    assert_eq!(e0_text.lines().next().unwrap(), header_line);
    // Column header: the config's column names.
    assert_eq!(lines.next().unwrap(), e0_text.lines().nth(1).unwrap());
    let mut cells = std::collections::HashSet::new();
    for (n, line) in lines.enumerate() {
        // Everything but the record-id column (the agency's opaque id, kept by design).
        let rest = line.split_once(',').map_or("", |x| x.1);
        for c in rest.split(',') {
            assert!(c.chars().all(|ch| ('A'..='P').contains(&ch)), "row {n}: characters outside A-P");
            cells.insert(c.to_owned());
        }
    }
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let (mut impossible, mut checked) = (0, 0);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for col in 1..rec.len() {
            let v = rec[col].trim();
            if v.is_empty() {
                continue;
            }
            let mut forms = vec![v.to_owned(), v.to_uppercase()];
            if col == 9 && v.len() == 8 {
                forms.push(format!("{}-{}-{}", &v[0..4], &v[4..6], &v[6..8]));
                forms.push(format!("{}/{}/{}", &v[6..8], &v[4..6], &v[0..4]));
            }
            for f in &forms {
                if f.chars().any(|ch| !('A'..='P').contains(&ch)) {
                    impossible += 1; // cannot occur in an A–P text
                } else {
                    assert!(!cells.contains(f.as_str()), "an input value of column {col} appears as a cell");
                    checked += 1;
                }
            }
        }
    }
    assert!(impossible > 50_000 && checked > 0, "{impossible} {checked}");
}

/// A coordinator linking files encoded under different keys finds nothing;
/// the key check value tells the two keys apart.
#[test]
fn different_key_finds_nothing() {
    let cfg = config(false);
    let a = load(&cfg, "febrl4a.csv");
    let b = load(&cfg, "febrl4b.csv");
    let (ea, eb) = (pprl::encode(&cfg, &a, &key(1)), pprl::encode(&cfg, &b, &key(2)));
    assert!(!pprl::same_key(&ea, &eb));
    let o = pprl::link_encoded(&cfg, &ea, Some(&eb), &NoProgress).unwrap();
    let s = scores(&o, &a, Some(&b), &truth("febrl4_true_pairs.csv"));
    eprintln!("different keys: {s:?}, candidates {}", o.candidates);
    assert_eq!(s.tp, 0);
    assert!(o.matches.len() <= 5, "{} spurious matches", o.matches.len());
}

#[test]
fn roundtrip_and_version_check() {
    let cfg = config(true);
    let a = load(&cfg, "febrl1.csv");
    let e = pprl::encode(&cfg, &a, &key(5));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.enc");
    pprl::write_encoded(&p, &e).unwrap();
    let back = pprl::read_encoded(&p).unwrap();
    assert_eq!(back.header, e.header);
    assert_eq!(back.ids, e.ids);
    assert_eq!(back.records[3].filters, e.records[3].filters);
    let text = std::fs::read_to_string(&p).unwrap().replacen("\"version\":1", "\"version\":99", 1);
    std::fs::write(&p, text).unwrap();
    let err = pprl::read_encoded(&p).unwrap_err().to_string();
    assert!(err.contains("version 99"), "{err}");
}
