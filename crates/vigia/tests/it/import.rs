//! Imports through the real binary and the API: 10,000 HTCDS rows, one bad row
//! rejects the whole file and is named, an Excel file through a saved mapping
//! with non-English labels, re-import without duplicates, exports that cannot
//! execute in a spreadsheet.

use vigia_import::{generate_htcds_csv, BadRow, BadRowKind, GenOptions};

use crate::common::*;

async fn count_cases(db: &TestDb) -> i64 {
    {
        if let Some(p) = &db.sqlite_path {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", p.display())).await.unwrap();
            let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&pool).await.unwrap();
            n.0
        } else {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&db.url).await.unwrap();
            let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases").fetch_one(&pool).await.unwrap();
            n.0
        }
    }
}

fn setup(db: &TestDb) -> String {
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let (c, out, e) = db.run(&["agency", "add", "--name", "Rede Nordeste", "--kind", "ngo", "--country", "BR"], None);
    assert_eq!(c, 0, "{e}");
    out.trim().to_string()
}

fn htcds_file(db: &TestDb, name: &str, rows: u64, bad: Option<BadRow>) -> String {
    let path = db.dir.path().join(name);
    generate_htcds_csv(std::fs::File::create(&path).unwrap(), &GenOptions { rows, seed: 7, bad_row: bad }).unwrap();
    path.display().to_string()
}

async fn ten_thousand_rows(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let agency = setup(&db);
    let good = htcds_file(&db, "good.csv", 10_000, None);
    let bad = htcds_file(&db, "bad.csv", 10_000, Some(BadRow { row: 5_001, kind: BadRowKind::UnknownExploitationCountry }));

    // One bad row in the middle: nothing imported, that row and column reported.
    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &bad], None);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("1 row(s) rejected"), "{err}");
    assert!(err.contains("row 5001") && err.contains("hte_Exploitation_Country"), "{err}");
    assert_eq!(err.lines().filter(|l| l.trim_start().starts_with("row ")).count(), 1, "only the bad row is reported: {err}");
    assert_eq!(count_cases(&db).await, 0, "nothing was written");

    // A bad row near the end, after rows before it were already written in
    // batches (the writer does not wait for the whole file): rolled back.
    let late = htcds_file(&db, "late.csv", 10_000, Some(BadRow { row: 9_901, kind: BadRowKind::UnknownExploitationCountry }));
    let (code, _, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &late], None);
    assert_ne!(code, 0);
    assert!(err.contains("row 9901") && err.contains("hte_Exploitation_Country"), "{err}");
    assert_eq!(count_cases(&db).await, 0, "the batches written before the bad row were rolled back");

    // Dry run: reports, writes nothing.
    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--dry-run", "--quiet", &good], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10000 new case(s)") && out.contains("nothing written"), "{out}");
    assert_eq!(count_cases(&db).await, 0);

    // The good file imports, and again without duplicates.
    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &good], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10000 new case(s), 0 updated"), "{out}");
    assert_eq!(count_cases(&db).await, 10_000);
    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &good], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 new case(s), 10000 updated"), "{out}");
    assert_eq!(count_cases(&db).await, 10_000, "re-import does not duplicate");

    // The audit chain holds one entry per written case and verifies.
    let (code, out, err) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("20000 entries") || out.contains("2000"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn htcds_csv_of_10000_rows_sqlite() {
    ten_thousand_rows(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn htcds_csv_of_10000_rows_postgres() {
    ten_thousand_rows(Backend::Postgres).await;
}

/// SIGKILL in the middle of a large import into SQLite (which runs with a
/// rollback journal when it has the file to itself): after restart the database
/// holds exactly what it held before, the audit chain verifies, and the same
/// import then goes through, leaving the database in WAL mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_import_killed_midway_loses_nothing_and_writes_nothing() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else { return };
    let agency = setup(&db);
    let small = htcds_file(&db, "small.csv", 100, None);
    let (code, _, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &small], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(count_cases(&db).await, 100);

    let big = htcds_file(&db, "big.csv", 60_000, None);
    let journal = db.dir.path().join("vigia.db-journal");
    let mut args: Vec<String> = ["import", "--agency", &agency, "--format", "htcds", "--quiet", &big].iter().map(|s| s.to_string()).collect();
    args.extend(db.args());
    let mut child = std::process::Command::new(BIN)
        .args(&args)
        .current_dir(db.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !journal.exists() {
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it wrote anything: make the file larger");
        assert!(start.elapsed() < std::time::Duration::from_secs(120), "no rollback journal appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "the import finished before it could be killed: make the file larger");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(journal.exists(), "killed mid-transaction: the journal is left for recovery");

    // The next opener rolls the half-written import back.
    assert_eq!(count_cases(&db).await, 100, "nothing of the killed import is visible");
    let (code, out, err) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("100 entries"), "{out}");

    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "htcds", "--quiet", &big], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("59900 new case(s), 100 updated"), "{out}");
    assert_eq!(count_cases(&db).await, 60_000);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.sqlite_path.as_ref().unwrap().display())).await.unwrap();
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode.0, "wal");
    assert!(!journal.exists());
}

const MAPPING: &str = r#"
name = "Planilha da rede"
date_format = "DD/MM/YYYY"

[columns]
"Código" = "id"
"Nome" = "given_names"
"Sobrenome" = "prs_SecondName"
"Sexo" = "sex"
"Nacionalidade" = "citizenship"
"Tipo de exploração" = "exploitation"
"Meios" = "means"
"Data de identificação" = "identified_on"
"Idade" = "age_at_identification"
"País de exploração" = "hte_Exploitation_Country"

[values.prs_Gender]
"Mujer" = "female"
"F" = "female"
"Homem" = "male"

[values.prs_Citizenship]
"Brasil" = "BR"
"Bolívia" = "BO"

[values.vic_TypeOfExploitation]
"Trabalho escravo" = "forced_labour"
"Exploração sexual" = "sexual_exploitation"

[values.vic_MethodsOfControl]
"Engano" = "deception"
"#;

fn workbook(path: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let headers = ["Código", "Nome", "Sobrenome", "Sexo", "Nacionalidade", "Tipo de exploração", "Meios", "Data de identificação", "Idade", "País de exploração"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["RN-001", "Maria", "=HYPERLINK(\"http://x\")", "Mujer", "Brasil", "Trabalho escravo", "Engano", "03/02/2024", "31", "BR"],
        ["RN-002", "João", "Ferreira", "Homem", "Bolívia", "Exploração sexual", "", "15/05/2024", "17", "ES"],
        ["RN-003", "Ana", "Lima", "F", "Brasil", "Trabalho escravo", "Engano", "01/06/2024", "", "BR"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[tokio::test]
async fn excel_through_a_saved_mapping_with_non_english_labels() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let agency = setup(&db);
    let mapping = db.dir.path().join("planilha.toml");
    std::fs::write(&mapping, MAPPING).unwrap();
    let (code, out, err) = db.run(&["mapping", "save", "--agency", &agency, mapping.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Planilha da rede"));
    let xlsx = db.dir.path().join("rede.xlsx");
    workbook(&xlsx);
    let (code, out, err) = db.run(&["import", "--agency", &agency, "--format", "mapped", "--mapping", "Planilha da rede", "--quiet", xlsx.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 new case(s)"), "{out}");

    // The facts arrived as Vigia's codes; export them back through the API as an admin.
    let (c, _, e) = db.run(&["user", "add", "--email", "admin@rede.example", "--role", "agency_admin", "--agency", &agency], Some("a long enough password\n"));
    assert_eq!(c, 0, "{e}");
    let (_, tok, _) = db.run(&["token", "create", "--email", "admin@rede.example"], None);
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let list: serde_json::Value =
        client.get(format!("{}/api/v1/cases?limit=10", server.base)).bearer_auth(tok.trim()).send().await.unwrap().json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let joao = items.iter().find(|c| c["external_ref"] == "RN-002").unwrap();
    assert_eq!(joao["sex"], "male");
    assert_eq!(joao["citizenship"], "BO");
    assert_eq!(joao["exploitation"], serde_json::json!(["sexual_exploitation"]));
    assert_eq!(joao["minor"], true);
    assert_eq!(joao["identified_on"], "2024-05-15");
    let maria = items.iter().find(|c| c["external_ref"] == "RN-001").unwrap();
    assert_eq!(maria["means"], serde_json::json!(["deception"]));

    // CSV export: the formula-like family name cannot execute.
    let csv = client.get(format!("{}/api/v1/exports/cases?format=csv&identity=true", server.base)).bearer_auth(tok.trim()).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.lines().any(|l| l.split(',').any(|cell| cell.trim_start_matches('"').starts_with('='))));
    let xlsx = client.get(format!("{}/api/v1/exports/cases?format=xlsx", server.base)).bearer_auth(tok.trim()).send().await.unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn api_import_is_for_administrators_and_reports_rows() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let agency = setup(&db);
    for (email, role) in [("admin@rede.example", "agency_admin"), ("cw@rede.example", "caseworker")] {
        let (c, _, e) = db.run(&["user", "add", "--email", email, "--role", role, "--agency", &agency], Some("a long enough password\n"));
        assert_eq!(c, 0, "{e}");
    }
    let (_, admin, _) = db.run(&["token", "create", "--email", "admin@rede.example"], None);
    let (_, cw, _) = db.run(&["token", "create", "--email", "cw@rede.example"], None);
    let bad = htcds_file(&db, "bad.csv", 50, Some(BadRow { row: 20, kind: BadRowKind::FutureBirthdate }));
    let good = htcds_file(&db, "good.csv", 50, None);
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let post = |tok: String, file: String, q: &'static str| {
        let url = format!("{}/api/v1/imports?format=htcds{q}", server.base);
        let body = std::fs::read(file).unwrap();
        let client = client.clone();
        async move { client.post(url).bearer_auth(tok.trim()).header("content-type", "text/csv").body(body).send().await.unwrap() }
    };
    let r = post(cw.clone(), good.clone(), "").await;
    assert_eq!(r.status(), 403, "caseworkers do not import");
    let r = post(admin.clone(), bad, "").await;
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["rejected"][0]["row"], 20);
    assert_eq!(v["rejected"][0]["column"], "prs_Birthdate");
    assert!(v["rejected"][0]["value"].is_null(), "an identifying value is withheld");
    assert_eq!(v["inserted"], 0);
    let r = post(admin.clone(), good.clone(), "&dry_run=true").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["inserted"], 50);
    assert_eq!(count_cases(&db).await, 0);
    let r = post(admin.clone(), good, "").await;
    assert_eq!(r.status(), 200);
    assert_eq!(count_cases(&db).await, 50);
}
