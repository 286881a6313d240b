//! The HTCDS flat layout from CSV: a generated file parses; one bad row rejects
//! exactly that row and column and nothing is importable.

use time::macros::date;
use time::Date;
use vigia_import::{
    generate_htcds_csv, read, read_csv, BadRow, BadRowKind, Format, GenOptions, ImportError,
    ImportReport, ReadOptions,
};

const TODAY: Date = date!(2025 - 06 - 01);

fn generated(rows: u64, bad_row: Option<BadRow>) -> Vec<u8> {
    let mut out = Vec::new();
    generate_htcds_csv(
        &mut out,
        &GenOptions {
            rows,
            seed: 42,
            bad_row,
        },
    )
    .unwrap();
    out
}

fn import(bytes: &[u8]) -> ImportReport {
    read(
        Format::Csv,
        bytes,
        TODAY,
        &ReadOptions::default(),
        &mut |_| {},
    )
    .unwrap()
}

#[test]
fn ten_thousand_generated_rows_all_parse() {
    let bytes = generated(10_000, None);
    let mut last = 0;
    let mut calls = 0;
    let report = read_csv(bytes.as_slice(), TODAY, &ReadOptions::default(), &mut |n| {
        assert!(n >= last);
        last = n;
        calls += 1;
    })
    .unwrap();
    assert!(
        report.rejected.is_empty(),
        "{:?}",
        &report.rejected[..report.rejected.len().min(5)]
    );
    assert!(report.is_importable(), "{}", report.summary());
    assert_eq!(report.rows.len(), 10_000);
    assert_eq!(report.rows_read, 10_000);
    assert_eq!(last, 10_000);
    assert!(calls >= 3);
    // Row numbers are the spreadsheet's: the header is row 1.
    assert_eq!(report.rows[0].row, 2);
    assert_eq!(report.rows[9_999].row, 10_001);
    assert_eq!(
        report.rows[0].case.external_ref.as_deref(),
        Some("REC-00000001")
    );
    // Every case has a route ending in the exploitation country, and a status.
    for r in &report.rows {
        assert!(r.case.facts.route.len() >= 2);
        assert!(!r.case.facts.exploitation.is_empty());
        assert!(!r.case.facts.means.is_empty());
        assert!(r.case.identity.date_of_birth.is_some());
        assert!(!r.case.identity.document_numbers.is_empty());
    }
    // Known HTCDS columns Vigia does not record are reported, once each.
    for col in ["vic_AgeWhenTrafficked", "cas_Status"] {
        let w = report
            .warnings
            .iter()
            .find(|w| w.column.as_deref() == Some(col))
            .expect(col);
        assert_eq!(w.rows, 10_000);
    }
}

#[test]
fn the_same_values_map_whatever_the_spelling() {
    let csv = "id;prs_Gender;vic_TraffickingStatus;vic_MethodsOfControl;vic_TypeOfExploitation;vic_RelationshipToTrafficker;identified_on;hte_Recruitment_Country;hte_Transit_Countries;hte_Exploitation_Country\n\
               a;Feminine;PossibleVictimOfTrafficking;Debt bondage ;ForcedLabour;Unaquainted;2024-01-02;BR;PY; AR\n\
               b;not specified/unknown;Actual Victim Of Trafficking;PhysicalThreats;Forced adoption;familial;2024-01-02;bra;;es\n";
    let report = import(csv.as_bytes());
    assert!(report.is_importable(), "{:?}", report.rejected);
    let a = &report.rows[0].case.facts;
    assert_eq!(a.sex.code(), "female");
    assert_eq!(a.status.code(), "presumed");
    assert_eq!(
        a.means.iter().map(|m| m.code()).collect::<Vec<_>>(),
        ["coercion"]
    );
    assert_eq!(a.exploitation[0].code(), "forced_labour");
    assert_eq!(a.recruiter_relation.map(|r| r.code()), Some("stranger"));
    assert_eq!(
        a.route.iter().map(|p| p.country.code()).collect::<Vec<_>>(),
        ["BR", "PY", "AR"]
    );
    let b = &report.rows[1].case.facts;
    assert_eq!(b.sex.code(), "unknown");
    assert_eq!(b.status.code(), "identified");
    assert_eq!(b.exploitation[0].code(), "illegal_adoption");
    assert_eq!(
        b.route.iter().map(|p| p.country.code()).collect::<Vec<_>>(),
        ["BR", "ES"]
    );
}

#[test]
fn one_unknown_country_rejects_exactly_that_row_and_column() {
    let bytes = generated(
        10_000,
        Some(BadRow {
            row: 5_001,
            kind: BadRowKind::UnknownExploitationCountry,
        }),
    );
    let report = import(&bytes);
    assert!(!report.is_importable());
    assert!(
        report.rows.is_empty(),
        "nothing is importable when a row is rejected"
    );
    assert_eq!(report.rows_read, 10_000);
    assert_eq!(report.rejected_rows, 1);
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    let e = &report.rejected[0];
    assert_eq!(e.row, 5_001);
    assert_eq!(e.column, "hte_Exploitation_Country");
    assert_eq!(e.value.as_deref(), Some("QQ"));
    assert!(
        report.summary().contains("1 of 10000 rows rejected"),
        "{}",
        report.summary()
    );
}

#[test]
fn a_future_birth_date_is_rejected_without_repeating_it() {
    let bytes = generated(
        10_000,
        Some(BadRow {
            row: 4_321,
            kind: BadRowKind::FutureBirthdate,
        }),
    );
    let report = import(&bytes);
    assert!(!report.is_importable());
    assert!(report.rows.is_empty());
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    let e = &report.rejected[0];
    assert_eq!((e.row, e.column.as_str()), (4_321, "prs_Birthdate"));
    assert_eq!(e.value, None);
    assert!(e.reason.contains("future"), "{}", e.reason);
    assert!(e.reason.contains("value withheld"), "{}", e.reason);
    let everything = format!("{report:?} {e}");
    assert!(!everything.contains("2999"), "the identifying value leaked");
}

#[test]
fn domain_errors_map_back_to_source_columns() {
    let csv = "id,prs_FirstName,prs_Birthdate,prs_Gender,identified_on,hte_Recruitment_Country,hte_Recruitment_State,hte_Transit_Countries,hte_Exploitation_Country,vig_AgeAtIdentification\n\
               1,Zyxwvu,1990-02-30,Feminine,2024-01-01,BR,ES-M,,PT,\n\
               2,,,Vulcan,2030-01-01,BR,,PY;XX,PT,200\n";
    let report = import(csv.as_bytes());
    assert_eq!(report.rejected_rows, 2);
    let find = |row: u64, col: &str| {
        report
            .rejected
            .iter()
            .find(|e| e.row == row && e.column == col)
            .cloned()
    };
    let dob = find(2, "prs_Birthdate").expect("birth date");
    assert_eq!(dob.value, None);
    let sub = find(2, "hte_Recruitment_State").expect("subdivision outside country");
    assert_eq!(sub.value.as_deref(), Some("ES-M"));
    assert!(find(3, "prs_Gender").unwrap().reason.contains("Feminine"));
    assert_eq!(
        find(3, "identified_on").unwrap().value.as_deref(),
        Some("2030-01-01")
    );
    assert_eq!(
        find(3, "hte_Transit_Countries").unwrap().value.as_deref(),
        Some("XX")
    );
    assert_eq!(
        find(3, "vig_AgeAtIdentification").unwrap().value.as_deref(),
        Some("200")
    );
    assert!(!format!("{report:?}").contains("Zyxwvu"));
    assert!(!format!("{report:?}").contains("1990-02-30"));
}

#[test]
fn duplicate_ids_reject_the_second_row() {
    let csv = "id,identified_on\nA-1,2024-01-01\nA-2,2024-01-01\nA-1,2024-02-01\n";
    let report = import(csv.as_bytes());
    assert!(report.rows.is_empty());
    assert_eq!(report.rejected.len(), 1);
    let e = &report.rejected[0];
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_deref()),
        (4, "id", Some("A-1"))
    );
    assert!(e.reason.contains("row 2"), "{}", e.reason);
}

#[test]
fn missing_required_columns_refuse_the_file() {
    let r = read(
        Format::Csv,
        b"prs_Gender,identified_on\nFeminine,2024-01-01\n",
        TODAY,
        &ReadOptions::default(),
        &mut |_| {},
    );
    assert!(matches!(r, Err(ImportError::MissingColumn(c)) if c == "id"));
    let r = read(
        Format::Csv,
        b"id\n1\n",
        TODAY,
        &ReadOptions::default(),
        &mut |_| {},
    );
    assert!(matches!(r, Err(ImportError::MissingColumn(c)) if c == "identified_on"));
    let r = read(
        Format::Csv,
        b"",
        TODAY,
        &ReadOptions::default(),
        &mut |_| {},
    );
    assert!(matches!(r, Err(ImportError::NoHeader)));
}

#[test]
fn unknown_columns_warn_or_refuse() {
    let csv = b"id,identified_on,favourite_colour,prs_MaritalStatus\n1,2024-01-01,red,Single\n";
    let report = import(csv);
    assert!(report.is_importable());
    let w = report
        .warnings
        .iter()
        .find(|w| w.column.as_deref() == Some("favourite_colour"))
        .unwrap();
    assert!(w.message.contains("not an HTCDS or Vigia field"));
    assert!(!format!("{:?}", report.warnings).contains("Single"));
    let opts = ReadOptions {
        unknown_columns: vigia_import::UnknownColumns::Reject,
        ..ReadOptions::default()
    };
    let r = read(Format::Csv, csv, TODAY, &opts, &mut |_| {});
    assert!(matches!(r, Err(ImportError::UnknownColumn(c)) if c == "favourite_colour"));
}

#[test]
fn other_exploitation_and_unrecorded_means() {
    let csv = "id,identified_on,vic_TypeOfExploitation,vic_TypeOfExploitationOther,vic_MethodsOfControl,vic_TypeOfSexExploitation\n\
               1,2024-01-01,Other;ForcedBegging,selling in markets,Other;FalsePromises,Pornography\n\
               2,2024-01-01,Other,,,\n";
    let report = import(csv.as_bytes());
    assert!(report.is_importable(), "{:?}", report.rejected);
    let codes = |i: usize| {
        report.rows[i]
            .case
            .facts
            .exploitation
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(0),
        ["forced_begging", "pornography", "other: selling in markets"]
    );
    assert_eq!(codes(1), ["other: not specified"]);
    assert_eq!(
        report.rows[0]
            .case
            .facts
            .means
            .iter()
            .map(|m| m.code())
            .collect::<Vec<_>>(),
        ["deception"]
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.column.as_deref() == Some("vic_MethodsOfControl") && w.rows == 1));
}

#[test]
fn error_list_is_capped_but_rows_are_counted() {
    let bytes = generated(300, None);
    // Blank every id.
    let text: String = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!("{}\n", &l[l.find(',').unwrap()..])
            }
        })
        .collect();
    let opts = ReadOptions {
        max_errors: 10,
        ..ReadOptions::default()
    };
    let report = read(Format::Csv, text.as_bytes(), TODAY, &opts, &mut |_| {}).unwrap();
    assert_eq!(report.rejected_rows, 300);
    assert_eq!(report.rejected.len(), 10);
    assert!(report.rejected_truncated);
    assert!(report.rejected.iter().all(|e| e.column == "id"));
}

#[test]
fn batches_hand_over_every_valid_row_and_stop_at_a_rejected_one() {
    use vigia_import::{read_file_batches, Batches};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.csv");
    std::fs::write(&path, generated(1_000, None)).unwrap();
    let mut handed: Vec<u64> = Vec::new();
    let mut sizes = Vec::new();
    let report = read_file_batches(
        &path,
        TODAY,
        &ReadOptions::default(),
        &mut |_| {},
        Batches { size: 300, sink: &mut |rows| {
            sizes.push(rows.len());
            handed.extend(rows.iter().map(|r| r.row));
        } },
    )
    .unwrap();
    assert!(report.is_importable());
    assert_eq!(sizes, vec![300, 300, 300]);
    handed.extend(report.rows.iter().map(|r| r.row));
    assert_eq!(handed, (2..=1_001).collect::<Vec<u64>>(), "every row once, in order");

    // A rejected row: what follows is not handed over, nothing is importable.
    std::fs::write(&path, generated(1_000, Some(BadRow { row: 500, kind: BadRowKind::UnknownExploitationCountry }))).unwrap();
    let mut after = 0;
    let report = read_file_batches(&path, TODAY, &ReadOptions::default(), &mut |_| {}, Batches { size: 300, sink: &mut |rows| after += rows.len() })
        .unwrap();
    assert!(!report.is_importable());
    assert_eq!(after, 300, "only the batch complete before the bad row");
    assert!(report.rows.is_empty());
}
