//! Exports: formula-safe CSV and .xlsx, in the HTCDS layout, that re-import.

use calamine::{Data, Reader};
use time::macros::date;
use time::Date;
use vigia_import::{
    read, write_csv, write_xlsx, ExportOptions, ExportRow, Format, ImportReport, ReadOptions,
};

const TODAY: Date = date!(2025 - 06 - 01);

const SOURCE: &str = "id,prs_FirstName,prs_SecondName,prs_Birthdate,prs_IdentityNumber,prs_Email,prs_Gender,vig_AgeBracket,prs_Citizenship,vic_TraffickingStatus,identified_on,vig_Acts,vic_MethodsOfControl,vic_TypeOfExploitation,vic_TypeOfExploitationOther,vic_MethodOfRecruitment,vic_RelationshipToTrafficker,hte_Recruitment_Country,hte_Recruitment_State,hte_Recruitment_City,hte_Transit_Countries,hte_Exploitation_Country,hte_Exploitation_State,hte_Exploitation_City\n\
1,=cmd|' /C calc'!A0,Souza,1990-04-01,P123;RG-9,a@example.org,Feminine,,BR,ActualVictimOfTrafficking,2024-03-01,recruitment;transportation,FalsePromises;PhysicalThreats;abduction,SexualExploitation;forced_criminality;Other,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",ThroughFamilyOrFamilyEvents,Familial,BR,BR-PE,@Recife,PY;AR,ES,ES-M,-Madrid+\n\
-2,,,,,,TransgenderMasculine,9_17,VE,not_a_victim,2023-11-30,,,ForcedLabour,,abducted,intimate_partner,VE,,,,,,\n\
+3,,,,,,,,,,2022-01-01,,,,,,,,,,,,,\n";

fn import(format: Format, bytes: &[u8]) -> ImportReport {
    let r = read(format, bytes, TODAY, &ReadOptions::default(), &mut |_| {}).unwrap();
    assert!(r.is_importable(), "{:?}", r.rejected);
    r
}

fn source() -> ImportReport {
    import(Format::Csv, SOURCE.as_bytes())
}

#[test]
fn csv_export_neutralises_formulas_and_round_trips() {
    let src = source();
    assert_eq!(src.rows.len(), 3);
    let mut out = Vec::new();
    let opts = ExportOptions { identity: true };
    write_csv(
        &mut out,
        src.rows
            .iter()
            .map(|r| ExportRow::from_new_case(&r.case, true)),
        &opts,
    )
    .unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.starts_with("id,prs_FirstName,prs_SecondName,prs_Birthdate"),
        "{text}"
    );
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'=cmd"), "{text}");
    assert!(text.contains("'@Recife"), "{text}");
    assert!(text.contains("'-Madrid+"), "{text}");
    assert!(text.contains("\n'-2,"), "{text}");
    assert!(text.contains("\n'+3,"), "{text}");
    // No cell starts with a formula trigger.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    for rec in rdr.records() {
        for cell in rec.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
    // Re-import: the same facts, the same ids, the same identity.
    let back = import(Format::Csv, &out);
    assert_eq!(back.rows.len(), 3);
    for (a, b) in src.rows.iter().zip(&back.rows) {
        assert_eq!(a.case.facts, b.case.facts);
        assert_eq!(a.case.external_ref, b.case.external_ref);
        assert_eq!(a.case.identity, b.case.identity);
    }
    assert_eq!(back.rows[1].case.external_ref.as_deref(), Some("-2"));
}

#[test]
fn export_without_identity_has_no_identifying_column() {
    let src = source();
    let mut out = Vec::new();
    // Even if a row carries an identity, the columns are not written unless asked for.
    write_csv(
        &mut out,
        src.rows
            .iter()
            .map(|r| ExportRow::from_new_case(&r.case, true)),
        &ExportOptions::default(),
    )
    .unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    for banned in [
        "prs_FirstName",
        "prs_Birthdate",
        "Souza",
        "1990-04-01",
        "P123",
        "example.org",
    ] {
        assert!(!text.contains(banned), "{banned} in {text}");
    }
    let back = import(Format::Csv, &out);
    for (a, b) in src.rows.iter().zip(&back.rows) {
        assert_eq!(a.case.facts, b.case.facts);
        assert!(b.case.identity.is_empty());
    }
}

#[test]
fn xlsx_export_writes_strings_never_formulas_and_round_trips() {
    let src = source();
    let opts = ExportOptions { identity: true };
    let bytes = write_xlsx(
        src.rows
            .iter()
            .map(|r| ExportRow::from_new_case(&r.case, true)),
        &opts,
    )
    .unwrap();

    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
    let formulas = wb.worksheet_formula("cases").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    let range = wb.worksheet_range("cases").unwrap();
    let mut seen_formula_like = 0;
    for (_, _, cell) in range.used_cells() {
        assert!(
            matches!(cell, Data::String(_)),
            "{cell:?} is not a string cell"
        );
        if let Data::String(s) = cell {
            if s.starts_with('=') {
                seen_formula_like += 1;
            }
        }
    }
    assert_eq!(
        seen_formula_like, 2,
        "the =HYPERLINK and =cmd values are kept verbatim, as text"
    );

    let back = import(Format::Xlsx, &bytes);
    assert_eq!(back.rows.len(), 3);
    for (a, b) in src.rows.iter().zip(&back.rows) {
        assert_eq!(a.case.facts, b.case.facts);
        assert_eq!(a.case.external_ref, b.case.external_ref);
        assert_eq!(a.case.identity, b.case.identity);
    }
}

#[test]
fn generated_file_round_trips_through_export() {
    let mut gen = Vec::new();
    vigia_import::generate_htcds_csv(
        &mut gen,
        &vigia_import::GenOptions {
            rows: 2_000,
            seed: 9,
            bad_row: None,
        },
    )
    .unwrap();
    let src = import(Format::Csv, &gen);
    let mut out = Vec::new();
    write_csv(
        &mut out,
        src.rows
            .iter()
            .map(|r| ExportRow::from_new_case(&r.case, false)),
        &ExportOptions::default(),
    )
    .unwrap();
    let back = import(Format::Csv, &out);
    assert_eq!(src.rows.len(), back.rows.len());
    for (a, b) in src.rows.iter().zip(&back.rows) {
        assert_eq!(a.case.facts, b.case.facts, "row {}", a.row);
    }
}
