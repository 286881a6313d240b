//! A seeded generator of synthetic HTCDS flat-layout CSV files, for tests and benchmarks.
//!
//! Names are made of invented syllables and document numbers are random: no row
//! describes a real person. Every date is on or before [`GENERATED_LATEST_DATE`],
//! so a generated file is valid for any `today` from then on.

use std::io::Write;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::crosswalk::{
    METHODS_OF_CONTROL, METHOD_OF_RECRUITMENT, RELATIONSHIP_TO_TRAFFICKER, TYPE_OF_EXPLOITATION,
};

/// Every generated date is on or before this day (`YYYY-MM-DD`).
pub const GENERATED_LATEST_DATE: &str = "2024-12-31";

/// The columns of a generated file, in order.
pub const GENERATED_COLUMNS: &[&str] = &[
    "id",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_IdentityNumber",
    "prs_MobilePhone",
    "vic_TraffickingStatus",
    "vic_AgeWhenTrafficked",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "vic_RelationshipToTrafficker",
    "cas_Status",
    "identified_on",
    "hte_Recruitment_Country",
    "hte_Transit_Countries",
    "hte_Exploitation_Country",
];

/// The kind of defect to inject into one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRowKind {
    /// `hte_Exploitation_Country` = `QQ` (not an ISO 3166-1 code).
    UnknownExploitationCountry,
    /// `prs_Birthdate` in the future (identifying column: its value must be withheld).
    FutureBirthdate,
}

/// One bad row at a given position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadRow {
    /// The spreadsheet row number (header = row 1, so data rows are 2..=rows+1).
    pub row: u64,
    pub kind: BadRowKind,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    pub rows: u64,
    pub seed: u64,
    pub bad_row: Option<BadRow>,
}

const COUNTRIES: &[&str] = &[
    "BR", "PY", "BO", "AR", "CO", "VE", "PE", "MX", "GT", "HN", "DO", "HT", "ES", "PT", "US", "NG",
    "GH", "CI", "SN", "TH", "KH", "MM", "VN", "PH", "NP", "IN", "UA", "MD", "RO", "AL",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "su", "te", "vo", "na", "bi", "de", "zu", "fe", "go", "ji", "pa",
];
const GENDERS: &[&str] = &[
    "Feminine",
    "Feminine",
    "Masculine",
    "TransgenderFeminine",
    "NonConforming",
    "Not Specified/Unknown",
];
const STATUSES: &[&str] = &[
    "PossibleVictimOfTrafficking",
    "ActualVictimOfTrafficking",
    "Actual Victim Of Trafficking",
];
const CASE_STATUS: &[&str] = &[
    "Active",
    "FollowUp",
    "Follow up",
    "Closed",
    "ClosedReferred",
];

/// Split `CamelCase` into the toolkit's label style (`Camel case`), sometimes with a trailing space.
fn label(name: &str, out: &mut String) {
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
}

fn value(rng: &mut ChaCha8Rng, name: &str, out: &mut String) {
    if rng.gen_bool(0.2) {
        label(name, out);
        if rng.gen_bool(0.3) {
            out.push(' ');
        }
    } else {
        out.push_str(name);
    }
}

fn pick_multi(
    rng: &mut ChaCha8Rng,
    table: &[(&str, &str)],
    max: usize,
    skip_other: bool,
    out: &mut String,
) {
    let k = rng.gen_range(1..=max);
    let names: Vec<&str> = table
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !(skip_other && *n == "Other"))
        .collect();
    for (i, n) in names.choose_multiple(rng, k).enumerate() {
        if i > 0 {
            out.push(';');
        }
        value(rng, n, out);
    }
}

fn name(rng: &mut ChaCha8Rng, out: &mut String) {
    let n = rng.gen_range(2..=3);
    for i in 0..n {
        let s = SYLLABLES[rng.gen_range(0..SYLLABLES.len())];
        if i == 0 {
            let mut c = s.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(s);
        }
    }
}

/// Write `opts.rows` rows of synthetic HTCDS data as CSV (header first).
pub fn generate_htcds_csv<W: Write>(w: W, opts: &GenOptions) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut wtr = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, w));
    wtr.write_record(GENERATED_COLUMNS)?;
    let mut cells: Vec<String> = vec![String::new(); GENERATED_COLUMNS.len()];
    for i in 0..opts.rows {
        let row = i + 2;
        cells.iter_mut().for_each(String::clear);
        let bad = opts.bad_row.filter(|b| b.row == row).map(|b| b.kind);
        // id
        cells[0].push_str(&format!("REC-{:08}", i + 1));
        name(&mut rng, &mut cells[1]);
        name(&mut rng, &mut cells[2]);
        // Identified 2015..2024; born 0..60 years before identification.
        let ident_year: i32 = rng.gen_range(2015..=2024);
        let (im, id) = (rng.gen_range(1..=12u8), rng.gen_range(1..=28u8));
        let age: i32 = rng.gen_range(6..=60);
        let (bm, bd) = (rng.gen_range(1..=12u8), rng.gen_range(1..=28u8));
        let birth_year = ident_year - age - 1;
        if bad == Some(BadRowKind::FutureBirthdate) {
            cells[3].push_str("2999-01-01");
        } else {
            cells[3].push_str(&format!("{birth_year:04}-{bm:02}-{bd:02}"));
        }
        cells[4].push_str(GENDERS[rng.gen_range(0..GENDERS.len())]);
        let citizenship = COUNTRIES[rng.gen_range(0..COUNTRIES.len())];
        cells[5].push_str(citizenship);
        cells[6].push_str(&format!(
            "{}{:07}",
            ["P", "ID", "RG"][rng.gen_range(0..3)],
            rng.gen_range(0..10_000_000u32)
        ));
        cells[7].push_str(&format!(
            "+{}{:09}",
            rng.gen_range(1..=99u8),
            rng.gen_range(0..1_000_000_000u32)
        ));
        cells[8].push_str(STATUSES[rng.gen_range(0..STATUSES.len())]);
        let at = (age - rng.gen_range(0..=age.min(5))).max(0);
        cells[9].push_str(&at.to_string());
        pick_multi(&mut rng, TYPE_OF_EXPLOITATION, 2, true, &mut cells[10]);
        pick_multi(&mut rng, METHODS_OF_CONTROL, 3, true, &mut cells[11]);
        pick_multi(&mut rng, METHOD_OF_RECRUITMENT, 1, false, &mut cells[12]);
        let (rel, _) =
            RELATIONSHIP_TO_TRAFFICKER[rng.gen_range(0..RELATIONSHIP_TO_TRAFFICKER.len())];
        cells[13].push_str(rel);
        cells[14].push_str(CASE_STATUS[rng.gen_range(0..CASE_STATUS.len())]);
        cells[15].push_str(&format!("{ident_year:04}-{im:02}-{id:02}"));
        cells[16].push_str(citizenship);
        for t in 0..rng.gen_range(0..=2) {
            if t > 0 {
                cells[17].push(';');
            }
            cells[17].push_str(COUNTRIES[rng.gen_range(0..COUNTRIES.len())]);
        }
        if bad == Some(BadRowKind::UnknownExploitationCountry) {
            cells[18].push_str("QQ");
        } else {
            cells[18].push_str(COUNTRIES[rng.gen_range(0..COUNTRIES.len())]);
        }
        wtr.write_record(&cells)?;
    }
    wtr.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_file() {
        let opts = GenOptions {
            rows: 50,
            seed: 7,
            bad_row: None,
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        generate_htcds_csv(&mut a, &opts).unwrap();
        generate_htcds_csv(&mut b, &opts).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        generate_htcds_csv(&mut c, &GenOptions { seed: 8, ..opts }).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn labels() {
        let mut s = String::new();
        label("ThreatsLawEnforcement", &mut s);
        assert_eq!(s, "Threats law enforcement");
    }
}
