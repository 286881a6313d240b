//! Every case endpoint and page, for every role, own agency and other agency:
//! nothing leaks, and every access is audited.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;

const SECRET_A: &str = "Ylvorastik";
const SECRET_B: &str = "Quarvelind";

struct App {
    router: axum::Router,
}

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, String, Option<String>) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let cookie = res.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).map(|s| s.split(';').next().unwrap_or("").to_string());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), cookie)
    }

    async fn api(&self, method: &str, uri: &str, token: &str, body: Option<serde_json::Value>) -> (StatusCode, String) {
        let mut b = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (s, t, _) = self.call(b.body(body).unwrap()).await;
        (s, t)
    }

    async fn login(&self, email: &str) -> String {
        let req = Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={}&password=a+long+enough+password", email.replace('@', "%40"))))
            .unwrap();
        let (s, _, cookie) = self.call(req).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "login of {email}");
        cookie.expect("session cookie")
    }

    async fn page(&self, uri: &str, cookie: &str) -> (StatusCode, String) {
        let (s, t, _) = self.call(Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
        (s, t)
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Sees {
    Full,
    Deidentified,
    Nothing,
}

async fn matrix(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let tokens = setup_users(&db);
    let vigia = db.vigia(clock()).await;
    let app = App { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };

    // Cases recorded by agency A and agency B (both in BR).
    let (s, body) = app.api("POST", "/api/v1/cases", &tokens["caseworker_a"], Some(case_json(SECRET_A))).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let case_a = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"].as_str().unwrap().to_string();
    let (s, body) = app.api("POST", "/api/v1/cases", &tokens["caseworker_b"], Some(case_json(SECRET_B))).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let case_b = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"].as_str().unwrap().to_string();

    let expect: HashMap<&str, (Sees, Sees, i64)> = HashMap::from([
        // label: (case A, case B, list total or -1 for refused)
        ("caseworker_a", (Sees::Full, Sees::Nothing, 1)),
        ("admin_a", (Sees::Full, Sees::Nothing, 1)),
        ("caseworker_b", (Sees::Nothing, Sees::Full, 1)),
        ("admin_b", (Sees::Nothing, Sees::Full, 1)),
        ("coordinator", (Sees::Deidentified, Sees::Deidentified, 2)),
        ("coordinator_granted", (Sees::Full, Sees::Full, 2)),
        ("coordinator_es", (Sees::Nothing, Sees::Nothing, 0)),
        ("monitor", (Sees::Nothing, Sees::Nothing, -1)),
        ("auditor", (Sees::Nothing, Sees::Nothing, -1)),
    ]);

    let audit_before = vigia.store().audit_entries(0, 100_000).await.unwrap().len();
    let mut accesses = 0;
    for (label, (sees_a, sees_b, total)) in &expect {
        let token = &tokens[label];
        let cookie = app.login(&format!("{label}@test.example")).await;
        for (case, secret, sees) in [(&case_a, SECRET_A, sees_a), (&case_b, SECRET_B, sees_b)] {
            // API
            let (s, body) = app.api("GET", &format!("/api/v1/cases/{case}"), token, None).await;
            accesses += 1;
            check(label, "api get", s, &body, secret, *sees);
            // Page
            let (s, body) = app.page(&format!("/cases/{case}"), &cookie).await;
            accesses += 1;
            check(label, "page", s, &body, secret, *sees);
        }
        // Lists
        let (s, body) = app.api("GET", "/api/v1/cases?limit=100", token, None).await;
        let (ps, pbody) = app.page("/cases", &cookie).await;
        if *total < 0 {
            assert_eq!(s, StatusCode::FORBIDDEN, "{label} api list: {body}");
            assert_eq!(ps, StatusCode::FORBIDDEN, "{label} page list");
        } else {
            assert_eq!(s, StatusCode::OK, "{label} api list: {body}");
            assert_eq!(ps, StatusCode::OK, "{label} page list");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["total"].as_i64(), Some(*total), "{label} list total");
            accesses += *total as usize;
        }
        for (secret, sees) in [(SECRET_A, sees_a), (SECRET_B, sees_b)] {
            let visible = *sees == Sees::Full;
            assert_eq!(body.contains(secret), visible, "{label} api list leaks or hides {secret}");
            assert_eq!(pbody.contains(secret), visible, "{label} page list leaks or hides {secret}");
        }
        let may_create = matches!(*label, "caseworker_a" | "admin_a" | "caseworker_b" | "admin_b");
        // The new-case page is only for agency staff
        let (s, _) = app.page("/cases/new", &cookie).await;
        assert_eq!(s == StatusCode::OK, may_create, "{label} new-case page status {s}");
        // Audit log
        let (s, body) = app.api("GET", "/api/v1/audit", token, None).await;
        assert_eq!(s == StatusCode::OK, *label == "auditor", "{label} audit: {s}");
        assert!(!body.contains(SECRET_A) && !body.contains(SECRET_B));
        let (s, _) = app.page("/audit", &cookie).await;
        assert_eq!(s == StatusCode::OK, *label == "auditor", "{label} audit page: {s}");
    }
    // Recording a case: agency staff only.
    for label in expect.keys() {
        let token = &tokens[label];
        // Create
        let (s, body) = app.api("POST", "/api/v1/cases", token, Some(case_json("Other"))).await;
        let may_create = matches!(*label, "caseworker_a" | "admin_a" | "caseworker_b" | "admin_b");
        if may_create {
            assert_eq!(s, StatusCode::CREATED, "{label} create: {body}");
        } else {
            assert_eq!(s, StatusCode::FORBIDDEN, "{label} create: {body}");
        }
    }
    // Anonymous callers get nothing.
    let (s, _, _) = app.call(Request::builder().uri(format!("/api/v1/cases/{case_a}")).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = app.call(Request::builder().uri("/api/v1/cases").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = app.call(Request::builder().uri(format!("/cases/{case_a}")).body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = app.api("GET", &format!("/api/v1/cases/{case_a}"), "vgt_forged", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Every case access (allowed or denied, single or listed) left an audit entry.
    let entries = vigia.store().audit_entries(0, 100_000).await.unwrap();
    let case_entries = entries[audit_before..].iter().filter(|e| e.record.case_id.is_some() && e.record.action.starts_with("case.read") || e.record.action == "case.list").count();
    assert!(case_entries >= accesses, "{case_entries} audit entries for {accesses} case accesses");
    let denied = entries.iter().filter(|e| e.record.detail.starts_with("denied")).count();
    assert!(denied > 0);
}

fn check(label: &str, what: &str, s: StatusCode, body: &str, secret: &str, sees: Sees) {
    match sees {
        Sees::Full => {
            assert_eq!(s, StatusCode::OK, "{label} {what}: {body}");
            assert!(body.contains(secret), "{label} {what} should show the identity");
        }
        Sees::Deidentified => {
            assert_eq!(s, StatusCode::OK, "{label} {what}: {body}");
            assert!(!body.contains(secret), "{label} {what} leaks the identity");
            assert!(body.contains("deidentified") || body.contains("de-identified"), "{label} {what} should say it is de-identified");
        }
        Sees::Nothing => {
            assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{label} {what}: {s}");
            assert!(!body.contains(secret), "{label} {what} leaks the identity");
            assert!(!body.contains("\"sex\""), "{label} {what} leaks case facts");
        }
    }
}

#[tokio::test]
async fn access_matrix_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn access_matrix_postgres() {
    matrix(Backend::Postgres).await;
}

#[tokio::test]
async fn csrf_and_origin_are_enforced_for_sessions() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let _ = setup_users(&db);
    let vigia = db.vigia(clock()).await;
    let app = App { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };
    let cookie = app.login("caseworker_a@test.example").await;
    // A JSON post with the session cookie but no CSRF header is refused.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/cases")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(case_json("X").to_string()))
        .unwrap();
    let (s, _, _) = app.call(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A form post from another site is refused.
    let req = Request::builder()
        .method("POST")
        .uri("/cases/new")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "vigia.local")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("identified_on=2024-01-01"))
        .unwrap();
    let (s, _, _) = app.call(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The form page carries a token that makes the same post work.
    let (_, page) = app.page("/cases/new", &cookie).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/cases/new")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={csrf}&family_names=Formtest&identified_on=2024-01-01&sex=female&acts=recruitment&exploitation=forced_labour&route_country=BR&route_subdivision=BR-PE&route_municipality=Recife&route_country=PT&route_subdivision=&route_municipality="
        )))
        .unwrap();
    let (s, body, _) = app.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    // A bad form re-renders with the field named and nothing saved.
    let req = Request::builder()
        .method("POST")
        .uri("/cases/new")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}&identified_on=2999-01-01&citizenship=QQ")))
        .unwrap();
    let (s, body, _) = app.call(req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("identified_on") && body.contains("citizenship"));
}
