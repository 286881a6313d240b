//! The command line: help texts, operator commands, clear errors.

use crate::common::*;

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &[],
        &["migrate"],
        &["serve"],
        &["demo"],
        &["agency", "add"],
        &["agency", "list"],
        &["user", "add"],
        &["user", "grant-identity"],
        &["token", "create"],
        &["audit", "verify"],
        &["key", "rotate"],
        &["link"],
        &["encode"],
        &["estimate", "mse"],
    ];
    for c in commands {
        let mut args: Vec<String> = c.iter().map(|s| s.to_string()).collect();
        args.push("--help".into());
        let (code, out, err) = run_bin(&args, None, dir.path());
        assert_eq!(code, 0, "{c:?}: {err}");
        assert!(out.contains("Usage:") && out.len() > 100, "{c:?} help is too thin:\n{out}");
    }
}

#[tokio::test]
async fn operator_commands_work_and_refuse_bad_values() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let (code, _, err) = db.run(&["serve"], None);
    assert_ne!(code, 0);
    assert!(err.contains("run `vigia migrate`") || err.contains("no key file"), "{err}");
    let (code, _, err) = db.run(&["migrate"], None);
    assert_eq!(code, 0, "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&db.key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (code, _, err) = db.run(&["agency", "add", "--name", "X", "--kind", "spaceship", "--country", "BR"], None);
    assert_ne!(code, 0);
    assert!(err.contains("--kind") && err.contains("labour_inspection"), "{err}");
    let (code, _, err) = db.run(&["agency", "add", "--name", "X", "--kind", "ngo", "--country", "XX"], None);
    assert_ne!(code, 0);
    assert!(err.contains("--country"), "{err}");
    let (code, id, err) = db.run(&["agency", "add", "--name", "Casa", "--kind", "shelter", "--country", "BR", "--subdivision", "BR-PE"], None);
    assert_eq!(code, 0, "{err}");
    let id = id.trim().to_string();
    assert!(id.parse::<uuid::Uuid>().is_ok());
    let (_, list, _) = db.run(&["agency", "list"], None);
    assert!(list.contains(&id) && list.contains("shelter"));
    let (code, _, err) = db.run(&["user", "add", "--email", "a@b.org", "--role", "caseworker", "--agency", &id], Some("short\n"));
    assert_ne!(code, 0);
    assert!(err.contains("12 characters"), "{err}");
    assert!(!err.contains("short"), "the password is never echoed");
    let (code, _, err) = db.run(&["user", "add", "--email", "a@b.org", "--role", "caseworker", "--agency", &id], Some("long enough password\n"));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = db.run(&["user", "add", "--email", "a@b.org", "--role", "caseworker", "--agency", &id], Some("long enough password\n"));
    assert_ne!(code, 0);
    assert!(err.contains("already exists"), "{err}");
    let (code, tok, _) = db.run(&["token", "create", "--email", "a@b.org"], None);
    assert_eq!(code, 0);
    assert!(tok.trim().starts_with("vgt_"));
    let (code, _, err) = db.run(&["token", "create", "--email", "nobody@b.org"], None);
    assert_ne!(code, 0);
    assert!(err.contains("not found"), "{err}");
    let (code, _, _) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0);
    // Unknown database schemes are refused, and no file is made for them.
    let (code, _, err) = run_bin(&["migrate".into(), "--db".into(), "mysql://x".into(), "--key-file".into(), "k".into()], None, db.dir.path());
    assert_ne!(code, 0);
    assert!(err.contains("sqlite://") , "{err}");
}

#[tokio::test]
async fn key_rotation_keeps_every_identity_readable() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let tokens = setup_users(&db);
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let res = client.post(format!("{}/api/v1/cases", server.base)).bearer_auth(&tokens["caseworker_a"]).json(&case_json("Rotatova")).send().await.unwrap();
    let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    drop(server);
    let before = std::fs::read_to_string(&db.key_file).unwrap();
    let (code, out, err) = db.run(&["key", "rotate"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("re-encrypted 1 identities"), "{out}");
    assert_ne!(before, std::fs::read_to_string(&db.key_file).unwrap());
    let server = Server::start(&db);
    let v: serde_json::Value = client
        .get(format!("{}/api/v1/cases/{id}", server.base))
        .bearer_auth(&tokens["caseworker_a"])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["identity"]["family_names"], "Rotatova");
    let (code, _, err) = db.run(&["audit", "verify"], None);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn demo_creates_data_and_prints_one_login_per_role() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_bin(&["demo".into(), "--no-serve".into(), "--cases".into(), "300".into()], None, dir.path());
    assert_eq!(code, 0, "{err}");
    for role in ["caseworker", "agency_admin", "coordinator", "regional_monitor", "auditor"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(role) && l.contains("password")), "no {role} login in:\n{out}");
    }
    assert!(out.contains("300 cases"));
    // Running it again gives a fresh database, not a doubled one.
    let (code, out, err) = run_bin(&["demo".into(), "--no-serve".into(), "--cases".into(), "300".into()], None, dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("300 cases"));
}
