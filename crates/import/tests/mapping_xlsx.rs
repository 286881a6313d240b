//! An agency's own workbook (Portuguese/Spanish headers and labels) through a saved mapping.

use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
use time::macros::date;
use time::Date;
use vigia_import::{read, read_workbook, Field, Format, ImportError, Mapping, ReadOptions};

const TODAY: Date = date!(2025 - 06 - 01);

const MAPPING_TOML: &str = r#"
name = "Rede Nordeste / Red Andina 2024"
date_format = "DD/MM/YYYY"

[columns]
"Código" = "id"
"Nome" = "given_names"
"Apellido" = "prs_SecondName"
"Fecha de nacimiento" = "date_of_birth"
"Sexo" = "sex"
"Nacionalidade" = "citizenship"
"Situação" = "status"
"Tipo de exploração" = "exploitation"
"Meios" = "means"
"Fecha de identificación" = "identified_on"
"Edad" = "age_at_identification"
"País de origem" = "hte_Recruitment_Country"
"Estado de origem" = "hte_Recruitment_State"
"País de exploração" = "hte_Exploitation_Country"
"Notas internas" = "ignore"

[values.prs_Gender]
"Mujer" = "female"
"F" = "female"
"Homem" = "male"
"Não informado" = ""

[values.prs_Citizenship]
"Brasil" = "BR"
"Bolívia" = "BO"

[values.vic_TraffickingStatus]
"Presumida" = "presumed"
"Identificada" = "identified"

[values.vic_TypeOfExploitation]
"Trabalho escravo" = "forced_labour"
"Exploração sexual" = "sexual_exploitation"
"Mendicância" = "forced_begging"
"Venda ambulante forçada" = "other: venda ambulante forçada"

[values.vic_MethodsOfControl]
"Engano" = "deception"
"Dívida" = "coercion"
"#;

const HEADERS: [&str; 16] = [
    "Código",
    "Nome",
    "Apellido",
    "Fecha de nacimiento",
    "Sexo",
    "Nacionalidade",
    "Situação",
    "Tipo de exploração",
    "Meios",
    "Fecha de identificación",
    "Edad",
    "País de origem",
    "Estado de origem",
    "País de exploração",
    "Notas internas",
    "Observações",
];

struct Row<'a> {
    cells: [&'a str; 16],
    birth: Option<(u16, u8, u8)>,
}

fn workbook(rows: &[Row<'_>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = XFormat::new().set_num_format("dd/mm/yyyy");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.cells.iter().enumerate() {
            if c == 3 {
                if let Some((y, m, d)) = row.birth {
                    // A real Excel date cell.
                    let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                    ws.write_datetime_with_format(r, 3, &dt, &date_fmt).unwrap();
                }
            } else if c == 10 && !v.is_empty() {
                ws.write_number(r, 10, v.parse::<f64>().unwrap()).unwrap();
            } else if !v.is_empty() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn mapping() -> Mapping {
    Mapping::from_toml(MAPPING_TOML).expect("the saved mapping is valid")
}

fn opts() -> ReadOptions {
    ReadOptions {
        mapping: Some(mapping()),
        ..ReadOptions::default()
    }
}

const GOOD: [Row<'static>; 3] = [
    Row {
        cells: [
            "BR-001",
            "Qwerta",
            "Zuvo",
            "",
            "Mujer",
            "Brasil",
            "Presumida",
            "Trabalho escravo",
            "Engano; Dívida",
            "03/02/2024",
            "",
            "BR",
            "BR-PE",
            "ES",
            "interno",
            "x",
        ],
        birth: Some((1999, 7, 14)),
    },
    Row {
        cells: [
            "BO-002",
            "",
            "",
            "",
            "Homem",
            "Bolívia",
            "Identificada",
            "Exploração sexual;Mendicância",
            "",
            "28/12/2023",
            "16",
            "BO",
            "",
            "BR",
            "",
            "",
        ],
        birth: None,
    },
    Row {
        cells: [
            "BO-003",
            "",
            "",
            "",
            "Não informado",
            "Brasil",
            "Presumida",
            "Venda ambulante forçada",
            "",
            "01/01/2024",
            "",
            "",
            "",
            "BR",
            "",
            "",
        ],
        birth: None,
    },
];

#[test]
fn mapped_workbook_with_non_english_labels_imports() {
    let bytes = workbook(&GOOD);
    let report = read_workbook(&bytes, TODAY, &opts(), &mut |_| {}).unwrap();
    assert!(report.is_importable(), "{:?}", report.rejected);
    assert_eq!(report.rows.len(), 3);

    let a = &report.rows[0];
    assert_eq!(a.row, 2);
    assert_eq!(a.case.external_ref.as_deref(), Some("BR-001"));
    assert_eq!(a.case.identity.given_names.as_deref(), Some("Qwerta"));
    assert_eq!(a.case.identity.date_of_birth, Some(date!(1999 - 07 - 14)));
    let f = &a.case.facts;
    assert_eq!(f.sex.code(), "female");
    assert_eq!(
        f.citizenship.map(|c| c.code().to_string()).as_deref(),
        Some("BR")
    );
    assert_eq!(f.status.code(), "presumed");
    assert_eq!(
        f.exploitation.iter().map(|e| e.code()).collect::<Vec<_>>(),
        ["forced_labour"]
    );
    assert_eq!(
        f.means.iter().map(|m| m.code()).collect::<Vec<_>>(),
        ["deception", "coercion"]
    );
    assert_eq!(f.identified_on, date!(2024 - 02 - 03));
    assert_eq!(
        f.is_minor(),
        Some(false),
        "age derived from the Excel birth date"
    );
    assert_eq!(
        f.route[0].subdivision.as_ref().map(|s| s.code()),
        Some("BR-PE")
    );
    assert_eq!(f.route[1].country.code(), "ES");

    let b = &report.rows[1].case.facts;
    assert_eq!(b.sex.code(), "male");
    assert_eq!(
        b.citizenship.map(|c| c.code().to_string()).as_deref(),
        Some("BO")
    );
    assert_eq!(b.status.code(), "identified");
    assert_eq!(
        b.exploitation.iter().map(|e| e.code()).collect::<Vec<_>>(),
        ["sexual_exploitation", "forced_begging"]
    );
    assert_eq!(b.is_minor(), Some(true), "Edad is a number cell");
    assert_eq!(b.identified_on, date!(2023 - 12 - 28));

    let c = &report.rows[2].case.facts;
    assert_eq!(
        c.sex.code(),
        "unknown",
        "a value mapped to \"\" is an empty cell"
    );
    assert_eq!(
        c.exploitation.iter().map(|e| e.code()).collect::<Vec<_>>(),
        ["other: venda ambulante forçada"]
    );
    assert_eq!(c.route.len(), 1);

    // The unmapped column warns; the ignored one does not.
    assert!(report
        .warnings
        .iter()
        .any(|w| w.column.as_deref() == Some("Observações")));
    assert!(!report
        .warnings
        .iter()
        .any(|w| w.column.as_deref() == Some("Notas internas")));
    let used: Vec<_> = report
        .columns
        .iter()
        .map(|c| (c.column.as_str(), c.field))
        .collect();
    assert!(used.contains(&("Sexo", Some(Field::Gender))));
}

#[test]
fn an_unmapped_value_is_rejected_under_its_own_column() {
    let mut rows = GOOD;
    rows[1].cells[7] = "Exploração sexual;Trabalho forçado";
    rows[2].cells[9] = "2024-13-45";
    rows[0].cells[2] = "";
    let bytes = workbook(&rows);
    let report = read(Format::Xlsx, &bytes, TODAY, &opts(), &mut |_| {}).unwrap();
    assert!(report.rows.is_empty());
    assert_eq!(report.rejected_rows, 2);
    let e = &report.rejected[0];
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_deref()),
        (3, "Tipo de exploração", Some("Trabalho forçado"))
    );
    let e = &report.rejected[1];
    assert_eq!(
        (e.row, e.column.as_str(), e.value.as_deref()),
        (4, "Fecha de identificación", Some("2024-13-45"))
    );
}

#[test]
fn mapping_round_trips_through_json_and_toml() {
    let m = mapping();
    assert_eq!(Mapping::from_json(&m.to_json()).unwrap(), m);
    assert_eq!(Mapping::from_toml(&m.to_toml()).unwrap(), m);
    // Canonical names are stored whatever alias was written.
    assert!(m.to_json().contains("\"prs_Gender\""));
}

#[test]
fn invalid_mappings_are_refused_before_reading() {
    let bad = MAPPING_TOML.replace(
        "\"Trabalho escravo\" = \"forced_labour\"",
        "\"Trabalho escravo\" = \"slave_labour\"",
    );
    let e = Mapping::from_toml(&bad).unwrap_err();
    assert!(e.to_string().contains("slave_labour"), "{e}");
    let bad = MAPPING_TOML.replace("\"Sexo\" = \"sex\"", "\"Sexo\" = \"gender_identity\"");
    assert!(Mapping::from_toml(&bad).is_err());
    let bad = MAPPING_TOML.replace("\"Edad\" = \"age_at_identification\"", "\"Edad\" = \"sex\"");
    assert!(Mapping::from_toml(&bad)
        .unwrap_err()
        .to_string()
        .contains("both map to prs_Gender"));
    // A mapping built in code and never validated is checked by the reader.
    let mut m = mapping();
    m.values
        .entry(Field::Citizenship)
        .or_default()
        .insert("Atlântida".into(), "AT-LANTIS".into());
    let r = read_workbook(
        &workbook(&GOOD),
        TODAY,
        &ReadOptions {
            mapping: Some(m),
            ..ReadOptions::default()
        },
        &mut |_| {},
    );
    assert!(matches!(r, Err(ImportError::Mapping(_))));
}

#[test]
fn htcds_toolkit_label_row_can_be_skipped() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let fields = [
        "id",
        "prs_Gender",
        "vic_MethodsOfControl",
        "identified_on",
        "",
    ];
    let labels = [
        "Id",
        "Gender",
        "Methods of control",
        "Identified on",
        "Reason for outgoing referral",
    ];
    for (c, (f, l)) in fields.iter().zip(labels).enumerate() {
        ws.write_string(0, c as u16, *f).unwrap();
        ws.write_string(1, c as u16, l).unwrap();
    }
    ws.write_row(
        2,
        0,
        [
            "T-1",
            "Feminine",
            "Physical threats;Debt bondage ",
            "2024-05-06",
        ],
    )
    .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let opts = ReadOptions {
        skip_rows_after_header: 1,
        ..ReadOptions::default()
    };
    let report = read_workbook(&bytes, TODAY, &opts, &mut |_| {}).unwrap();
    assert!(report.is_importable(), "{:?}", report.rejected);
    assert_eq!(report.rows[0].row, 3);
    assert_eq!(
        report.rows[0]
            .case
            .facts
            .means
            .iter()
            .map(|m| m.code())
            .collect::<Vec<_>>(),
        ["threat", "coercion"]
    );
}
