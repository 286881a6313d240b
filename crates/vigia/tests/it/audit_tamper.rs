//! Changing, deleting or swapping one audit entry makes `vigia audit verify`
//! exit non-zero and name it.

use vigia_service::AuditEvent;

use crate::common::*;

async fn chain(db: &TestDb, n: usize) {
    let vigia = db.vigia(clock()).await;
    for i in 0..n {
        vigia
            .store()
            .append_audit(&[AuditEvent { at_ms: 1_000 + i as i64, actor: None, action: "case.read".into(), case_id: None, detail: format!("n{i}") }])
            .await
            .unwrap();
    }
}

async fn exec(db: &TestDb, sqls: &[&str]) {
    if let Some(p) = &db.sqlite_path {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", p.display())).await.unwrap();
        for s in sqls {
            sqlx::query(s).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&db.url).await.unwrap();
        for s in sqls {
            sqlx::query(s).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

fn unlock(db: &TestDb) -> Vec<&'static str> {
    if db.sqlite_path.is_some() {
        vec!["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    } else {
        vec!["DROP TRIGGER audit_log_no_change ON audit_log"]
    }
}

async fn scenario(backend: fn() -> Backend, tamper: &[&str], expect: &[&str]) {
    let Some(db) = TestDb::new(backend()).await else { return };
    chain(&db, 10).await;
    let (code, out, err) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0, "intact chain verifies: {out}{err}");
    assert!(out.contains("audit chain OK: 10 entries"), "{out}");
    let mut sqls = unlock(&db);
    sqls.extend_from_slice(tamper);
    exec(&db, &sqls).await;
    let (code, out, err) = db.run(&["audit", "verify"], None);
    assert_ne!(code, 0, "tampering must be detected: {out}{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
}

const ALTER: &[&str] = &["UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 4"];
const DELETE: &[&str] = &["DELETE FROM audit_log WHERE seq = 5"];
const SWAP: &[&str] = &[
    "UPDATE audit_log SET seq = -3 WHERE seq = 3",
    "UPDATE audit_log SET seq = 3 WHERE seq = 6",
    "UPDATE audit_log SET seq = 6 WHERE seq = -3",
];
const TRUNCATE: &[&str] = &["DELETE FROM audit_log WHERE seq = 10"];

#[tokio::test]
async fn sqlite_altered_entry_is_named() {
    scenario(|| Backend::Sqlite, ALTER, &["entry 4 was altered"]).await;
}
#[tokio::test]
async fn sqlite_deleted_entry_is_named() {
    scenario(|| Backend::Sqlite, DELETE, &["entry 5 is missing"]).await;
}
#[tokio::test]
async fn sqlite_swapped_entries_are_named() {
    scenario(|| Backend::Sqlite, SWAP, &["entry 3 was altered", "entry 6 was altered"]).await;
}
#[tokio::test]
async fn sqlite_removed_last_entry_is_seen() {
    scenario(|| Backend::Sqlite, TRUNCATE, &["chain head is entry 10"]).await;
}
#[tokio::test]
async fn postgres_altered_entry_is_named() {
    scenario(|| Backend::Postgres, ALTER, &["entry 4 was altered"]).await;
}
#[tokio::test]
async fn postgres_deleted_entry_is_named() {
    scenario(|| Backend::Postgres, DELETE, &["entry 5 is missing"]).await;
}
#[tokio::test]
async fn postgres_swapped_entries_are_named() {
    scenario(|| Backend::Postgres, SWAP, &["entry 3 was altered", "entry 6 was altered"]).await;
}

#[tokio::test]
async fn the_log_refuses_updates_while_its_triggers_stand() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    chain(&db, 2).await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    assert!(sqlx::query("UPDATE audit_log SET detail = 'x'").execute(&pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit_log").execute(&pool).await.is_err());
}
