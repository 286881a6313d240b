//! Identifying data is encrypted at rest and never logged: a family name sent
//! through the API appears nowhere in the SQLite file, the PostgreSQL data, or
//! the server's log.

use crate::common::*;

const NAME: &str = "Zqxwvkatrin";

async fn post_case(base: &str, token: &str) -> String {
    let client = reqwest::Client::new();
    let res = client.post(format!("{base}/api/v1/cases")).bearer_auth(token).json(&case_json(NAME)).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    // Reading it back shows the name to its owner: the data is really there.
    let got: serde_json::Value = client.get(format!("{base}/api/v1/cases/{id}")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["identity"]["family_names"], NAME);
    // A bad request with the name in it does not echo or log it.
    let mut bad = case_json(NAME);
    bad["identity"]["date_of_birth"] = serde_json::json!(format!("{NAME}-01-01"));
    let res = client.post(format!("{base}/api/v1/cases")).bearer_auth(token).json(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(!res.text().await.unwrap().contains(NAME));
    id
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[tokio::test]
async fn name_is_nowhere_in_sqlite_file_or_logs() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let tokens = setup_users(&db);
    let mut server = Server::start(&db);
    post_case(&server.base, &tokens["caseworker_a"]).await;
    server.kill9();
    let dir = db.dir.path();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        assert!(!contains(&bytes, NAME), "{} contains the name", p.display());
    }
    assert!(!server.log().is_empty(), "the server logged at debug level");
    assert!(!server.log().contains(NAME));
}

#[tokio::test]
async fn name_is_nowhere_in_postgres_dump_or_logs() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let tokens = setup_users(&db);
    let server = Server::start(&db);
    post_case(&server.base, &tokens["caseworker_a"]).await;
    let schema = db.pg_schema.clone().unwrap();
    let base = pg_url().unwrap();
    let out = std::process::Command::new("pg_dump").args(["--dbname", &base, "--schema", &schema, "--data-only"]).output().expect("pg_dump");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.len() > 1000, "the dump holds the data");
    assert!(!contains(&out.stdout, NAME), "pg_dump contains the name");
    assert!(!server.log().contains(NAME));
}
