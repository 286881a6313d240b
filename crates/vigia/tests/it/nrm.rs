//! The referral mechanism end to end through the API: screening, agreements,
//! consent, referral, the receiver's restricted view, services, withdrawal,
//! timeline; overdue referrals under a controllable clock; hotline tips under a flood.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

const SECRET: &str = "Vrelkondastro";



fn agency(db: &TestDb, name: &str, kind: &str) -> String {
    let (c, out, e) = db.run(&["agency", "add", "--name", name, "--kind", kind, "--country", "BR"], None);
    assert_eq!(c, 0, "{e}");
    out.trim().to_string()
}

fn user(db: &TestDb, email: &str, role: &str, agency: &str) -> String {
    let (c, _, e) = db.run(&["user", "add", "--email", email, "--role", role, "--agency", agency], Some("a long enough password\n"));
    assert_eq!(c, 0, "{e}");
    let (c, tok, e) = db.run(&["token", "create", "--email", email], None);
    assert_eq!(c, 0, "{e}");
    tok.trim().to_string()
}

struct World {
    db: TestDb,
    shelter: String,
    police: String,
    child_protection: String,
    ngo_cw: String,
    ngo_admin: String,
    shelter_cw: String,
    police_cw: String,
    coordinator: String,
}

async fn world(backend: Backend) -> Option<World> {
    let db = TestDb::new(backend).await?;
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let ngo = agency(&db, "NGO Recife", "ngo");
    let shelter = agency(&db, "Casa Abrigo", "shelter");
    let police = agency(&db, "Police PE", "police");
    let child_protection = agency(&db, "Conselho Tutelar", "child_protection");
    let coord_agency = agency(&db, "Coordinator", "national_coordinator");
    Some(World {
        ngo_cw: user(&db, "cw@ngo.example", "caseworker", &ngo),
        ngo_admin: user(&db, "admin@ngo.example", "agency_admin", &ngo),
        shelter_cw: user(&db, "cw@shelter.example", "caseworker", &shelter),
        police_cw: user(&db, "cw@police.example", "caseworker", &police),
        coordinator: user(&db, "coord@gov.example", "coordinator", &coord_agency),
        db,
        shelter,
        police,
        child_protection,
    })
}

async fn referral_path(backend: Backend) {
    let Some(w) = world(backend).await else { return };
    let clock = Arc::new(SettableClock(Mutex::new(time::macros::datetime!(2025-06-01 12:00 UTC))));
    let vigia = w.db.vigia(clock.clone()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };

    // An administrator opens an agreement: the shelter may see demographics, exploitation and wishes — not identity.
    let (s, v, t) = api
        .call("POST", "/api/v1/agreements", &w.ngo_admin, Some(json!({"to_agency": w.shelter, "categories": ["demographics", "exploitation", "wishes"], "services": ["shelter", "medical"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(v["categories"].as_array().unwrap().len(), 3);
    // A caseworker cannot make agreements.
    let (s, _, _) = api.call("POST", "/api/v1/agreements", &w.ngo_cw, Some(json!({"to_agency": w.police, "categories": ["identity"]}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The caseworker records a case and screens it.
    let (s, v, t) = api.call("POST", "/api/v1/cases", &w.ngo_cw, Some(case_json(SECRET))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let case = v["id"].as_str().unwrap().to_string();
    let (s, v, t) = api.call("POST", &format!("/api/v1/cases/{case}/screen"), &w.ngo_cw, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["outcome"], "meets_definition");
    assert_eq!(v["profile"], "palermo");
    assert!(v["reasons"].as_array().unwrap().len() >= 3);
    // Wishes and interpreter need.
    let (s, _, t) = api
        .call("PUT", &format!("/api/v1/cases/{case}/person"), &w.ngo_cw, Some(json!({"interpreter_needed": true, "language": "pt", "wishes": "wants to stay near her sister"})))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");

    // No consent yet: refused with a clear message.
    let (s, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter, "services": ["shelter"]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("consent"), "{v}");
    let (s, v, t) = api
        .call("POST", &format!("/api/v1/cases/{case}/consents"), &w.ngo_cw, Some(json!({"purpose": "share_with_agency", "agency_id": w.shelter, "language": "pt", "given_on": "2025-06-01"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let consent = v["id"].as_str().unwrap().to_string();
    // No agreement with the police: refused.
    let (s, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.police}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("agreement"), "{v}");
    // To the shelter: sent.
    let (s, v, t) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter, "services": ["shelter"], "note": "urgent"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let referral = v["id"].as_str().unwrap().to_string();

    // The shelter sees only the agreed categories.
    let (s, v, t) = api.call("GET", &format!("/api/v1/referrals/{referral}/case"), &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert!(!t.contains(SECRET), "identity leaked to the shelter");
    assert!(!t.contains("P-998877") && !t.contains("99999-0000"), "documents or contact leaked");
    assert!(v["case"]["identity"].is_null());
    assert_eq!(v["case"]["exploitation"], json!(["sexual_exploitation"]));
    assert_eq!(v["case"]["route"], json!([]), "route was not agreed");
    assert_eq!(v["wishes"], "wants to stay near her sister");
    // Nobody else sees it; the shelter still cannot read the case directly.
    let (s, _, t) = api.call("GET", &format!("/api/v1/referrals/{referral}/case"), &w.police_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(!t.contains(SECRET));
    let (s, _, _) = api.call("GET", &format!("/api/v1/cases/{case}"), &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v, _) = api.call("GET", "/api/v1/referrals", &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert!(v[0]["note"].is_null(), "the sender's note stays with the sender");

    // Accept, record a service; the sender sees it.
    let (s, _, t) = api.call("POST", &format!("/api/v1/referrals/{referral}/accept"), &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");
    let (s, _, t) = api.call("POST", &format!("/api/v1/referrals/{referral}/services"), &w.shelter_cw, Some(json!({"kind": "shelter", "started_on": "2025-06-01"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (_, v, _) = api.call("GET", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, None).await;
    assert_eq!(v[0]["status"], "accepted");
    assert_eq!(v[0]["services"][0]["kind"], "shelter");

    // Consent withdrawn: the shelter's view closes and a second referral is refused.
    let (s, _, _) = api.call("POST", &format!("/api/v1/consents/{consent}/withdraw"), &w.ngo_cw, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v, _) = api.call("GET", &format!("/api/v1/referrals/{referral}/case"), &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(v["error"].as_str().unwrap().contains("withdrawn"), "{v}");
    let (s, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("withdrawn"), "{v}");

    // The timeline shows every step, with who and when.
    let (s, v, t) = api.call("GET", &format!("/api/v1/cases/{case}/timeline"), &w.ngo_cw, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let whats: Vec<String> = v.as_array().unwrap().iter().map(|e| e["what"].as_str().unwrap().to_string()).collect();
    for step in ["Case recorded", "Screened", "Consent recorded", "Referral refused", "Referral sent", "Referral accepted", "Service recorded", "Consent withdrawn"] {
        assert!(whats.iter().any(|w| w.starts_with(step)), "timeline lacks {step}: {whats:?}");
    }
    assert!(v.as_array().unwrap().iter().all(|e| e["who"].as_str().unwrap().contains('@')));
    assert!(!t.contains(SECRET));
    // The shelter cannot read the NGO's timeline.
    let (s, _, _) = api.call("GET", &format!("/api/v1/cases/{case}/timeline"), &w.shelter_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The audit chain still verifies.
    let report = vigia.verify_audit(|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[tokio::test]
async fn referral_path_sqlite() {
    referral_path(Backend::Sqlite).await;
}

#[tokio::test]
async fn referral_path_postgres() {
    referral_path(Backend::Postgres).await;
}

#[tokio::test]
async fn overdue_referrals_follow_the_configured_delay() {
    let w = world(Backend::Sqlite).await.unwrap();
    let clock = Arc::new(SettableClock(Mutex::new(time::macros::datetime!(2025-06-01 12:00 UTC))));
    let vigia = w.db.vigia(clock.clone()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };
    api.call("POST", "/api/v1/agreements", &w.ngo_admin, Some(json!({"to_agency": w.shelter, "categories": ["exploitation"]}))).await;
    let (_, v, _) = api.call("POST", "/api/v1/cases", &w.ngo_cw, Some(case_json("X"))).await;
    let case = v["id"].as_str().unwrap().to_string();
    api.call("POST", &format!("/api/v1/cases/{case}/consents"), &w.ngo_cw, Some(json!({"purpose": "share_with_agency", "agency_id": w.shelter, "language": "pt", "given_on": "2025-06-01"}))).await;
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    // The coordinator sets the delay to 5 days.
    let (s, _, t) = api
        .call("PUT", "/api/v1/timers", &w.coordinator, Some(json!({"referral_overdue_days": 5, "reasonable_grounds_days": 5, "conclusive_grounds_days": 45, "reflection_days": 30})))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");
    async fn overdue(api: &Api, token: String, dir: &str) -> bool {
        api.call("GET", &format!("/api/v1/referrals?direction={dir}"), &token, None).await.1[0]["overdue"].as_bool().unwrap()
    }
    *clock.0.lock().unwrap() = time::macros::datetime!(2025-06-05 12:00 UTC);
    assert!(!overdue(&api, w.shelter_cw.clone(), "incoming").await);
    assert!(!overdue(&api, w.ngo_cw.clone(), "outgoing").await);
    *clock.0.lock().unwrap() = time::macros::datetime!(2025-06-06 12:01 UTC);
    assert!(overdue(&api, w.shelter_cw.clone(), "incoming").await, "overdue for the receiver");
    assert!(overdue(&api, w.ngo_cw.clone(), "outgoing").await, "overdue for the sender");
    // Answering clears it.
    let (_, v, _) = api.call("GET", "/api/v1/referrals", &w.shelter_cw, None).await;
    let id = v[0]["id"].as_str().unwrap().to_string();
    api.call("POST", &format!("/api/v1/referrals/{id}/accept"), &w.shelter_cw, None).await;
    assert!(!overdue(&api, w.ngo_cw.clone(), "outgoing").await);
}

#[tokio::test]
async fn a_child_needs_a_best_interests_assessment_but_no_consent() {
    let w = world(Backend::Sqlite).await.unwrap();
    let vigia = w.db.vigia(clock()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };
    for to in [&w.shelter, &w.child_protection] {
        api.call("POST", "/api/v1/agreements", &w.ngo_admin, Some(json!({"to_agency": to, "categories": ["demographics"]}))).await;
    }
    let mut child = case_json("Child");
    child["age_at_identification"] = json!(14);
    child["identity"]["date_of_birth"] = Value::Null;
    let (_, v, _) = api.call("POST", "/api/v1/cases", &w.ngo_cw, Some(child)).await;
    let case = v["id"].as_str().unwrap().to_string();
    // Child protection may receive at once, without consent or assessment.
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.child_protection}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    // A shelter only after a best-interests assessment.
    let (s, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("best-interests"), "{v}");
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/best-interests"), &w.ngo_cw, Some(json!({"assessed_on": "2025-05-30", "assessor": "Conselho Tutelar"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/referrals"), &w.ngo_cw, Some(json!({"to_agency": w.shelter}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
}

#[tokio::test]
async fn decisions_follow_the_path_and_legal_profiles_are_versioned() {
    let w = world(Backend::Sqlite).await.unwrap();
    let vigia = w.db.vigia(clock()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };
    let (_, v, _) = api.call("POST", "/api/v1/cases", &w.ngo_cw, Some(case_json("D"))).await;
    let case = v["id"].as_str().unwrap().to_string();
    let cg = json!({"kind": "conclusive_grounds", "outcome": "positive", "decided_on": "2024-04-01", "body": "Competent authority", "reasons": "corroborated"});
    let (s, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/decisions"), &w.ngo_cw, Some(cg.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "conclusive before reasonable grounds: {v}");
    let rg = json!({"kind": "reasonable_grounds", "outcome": "positive", "decided_on": "2024-03-05", "body": "Competent authority", "reasons": "indicators"});
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/decisions"), &w.ngo_cw, Some(rg)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");
    let (s, _, t) = api.call("POST", &format!("/api/v1/cases/{case}/decisions"), &w.ngo_cw, Some(cg)).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");

    // Legal profiles: coordinators only; each save is a new version, and screening names it.
    let profile = json!({"code": "br", "name": "Brazil (illustrative)", "country": "BR", "criminalised": ["sexual_exploitation", "forced_labour", "slavery", "servitude", "organ_removal", "illegal_adoption"], "means_required_for_adults": true, "age_of_majority": 18});
    let (s, _, _) = api.call("POST", "/api/v1/legal-profiles", &w.ngo_cw, Some(profile.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v, t) = api.call("POST", "/api/v1/legal-profiles", &w.coordinator, Some(profile.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(v["version"], 1);
    let (_, v, _) = api.call("POST", "/api/v1/legal-profiles", &w.coordinator, Some(profile)).await;
    assert_eq!(v["version"], 2);
    let body = json!({"acts": ["transfer"], "means": ["payments"], "exploitation": ["illegal_adoption"], "age_at_identification": 0});
    let (_, v, _) = api.call("POST", "/api/v1/screen?profile=br", &w.ngo_cw, Some(body.clone())).await;
    assert_eq!((v["outcome"].as_str(), v["profile"].as_str(), v["profile_version"].as_i64()), (Some("meets_definition"), Some("br"), Some(2)));
    let (_, v, _) = api.call("POST", "/api/v1/screen", &w.ngo_cw, Some(body)).await;
    assert_eq!(v["outcome"], "does_not_meet", "the Protocol alone does not name illegal adoption");
    // Screening a stored case uses the country's profile by default.
    let (_, v, _) = api.call("POST", &format!("/api/v1/cases/{case}/screen"), &w.ngo_cw, None).await;
    assert_eq!(v["profile"], "br");
}

#[tokio::test]
async fn tip_form_survives_a_flood_and_reveals_nothing() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let hotline = agency(&db, "Disque 100", "hotline");
    let hotline_cw = user(&db, "cw@hotline.example", "caseworker", &hotline);
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let post = |text: String| client.post(format!("{}/tips", server.base)).form(&[("text", text.as_str()), ("country", "BR"), ("contact", "")]).send();
    // Two first tips: one naming a person, one not; the answers are identical.
    let a = post(format!("I saw {SECRET} locked in a workshop")).await.unwrap();
    let b = post("Men sleeping in a factory on Rua 7".into()).await.unwrap();
    assert_eq!(a.status(), 200);
    assert_eq!(b.status(), 200);
    let (a, b) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert_eq!(a, b, "the answer never depends on the content");
    assert!(!a.contains(SECRET));
    // A flood of 1,000 quick posts from one address.
    let mut ok = 0;
    let mut limited = 0;
    for i in 0..1000 {
        let r = post(format!("flood {i}")).await.unwrap();
        match r.status().as_u16() {
            200 => ok += 1,
            429 => limited += 1,
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(limited >= 990, "rate limited: {limited}, accepted: {ok}");
    let h = client.get(format!("{}/healthz", server.base)).send().await.unwrap();
    assert_eq!(h.status(), 200, "the server stays healthy");
    // The hotline sees the accepted tips (and no more), decrypted, and triages one.
    let tips: Value = client.get(format!("{}/api/v1/tips", server.base)).bearer_auth(&hotline_cw).send().await.unwrap().json().await.unwrap();
    let tips = tips.as_array().unwrap();
    assert_eq!(tips.len(), 2 + ok);
    let id = tips.iter().find(|t| t["text"].as_str().unwrap().contains(SECRET)).unwrap()["id"].as_str().unwrap().to_string();
    let r = client.post(format!("{}/api/v1/tips/{id}/triage", server.base)).bearer_auth(&hotline_cw).send().await.unwrap();
    assert_eq!(r.status(), 204);
    // The tip text is encrypted at rest.
    drop(server);
    for entry in std::fs::read_dir(db.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    }
}

#[test]
fn screen_command_answers_scenarios_and_ignores_consent_where_means_exist() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = [
        (json!({"acts": ["recruitment"], "means": ["deception"], "exploitation": ["sexual_exploitation"], "age_at_identification": 25}), "meets_definition"),
        (json!({"acts": ["recruitment"], "exploitation": ["forced_labour"], "age_at_identification": 15}), "meets_definition"),
        (json!({"acts": ["recruitment"], "exploitation": ["forced_labour"], "age_at_identification": 30}), "presumed"),
        (json!({"acts": ["recruitment"], "means": ["force"], "exploitation": ["forced_begging"], "age_at_identification": 30}), "does_not_meet"),
        (json!({"age_at_identification": 30}), "insufficient_information"),
        (json!({"acts": ["harbouring"], "means": ["abuse_of_vulnerability"], "exploitation": ["servitude"], "identity": {"date_of_birth": "2010-01-01"}, "identified_on": "2020-01-01"}), "meets_definition"),
    ];
    for (i, (case, expected)) in scenarios.iter().enumerate() {
        for consent in [None, Some(true), Some(false)] {
            let mut c = case.clone();
            if let Some(v) = consent {
                c["consent_given"] = json!(v);
            }
            let path = dir.path().join(format!("c{i}.json"));
            std::fs::write(&path, c.to_string()).unwrap();
            let (code, out, err) = run_bin(&["screen".into(), path.display().to_string()], None, dir.path());
            assert_eq!(code, 0, "{err}");
            let v: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["outcome"], *expected, "scenario {i} consent {consent:?}: {out}");
            assert_eq!(v["profile"], "palermo");
            assert!(!v["reasons"].as_array().unwrap().is_empty());
        }
    }
    // Standard input, and a clear error for bad input.
    let (code, out, _) = run_bin(&["screen".into(), "-".into()], Some(r#"{"acts":["receipt"],"exploitation":["slavery"],"age_at_identification":9}"#), dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("meets_definition"));
    let (code, _, err) = run_bin(&["screen".into(), "-".into()], Some(r#"{"acts":["teleportation"]}"#), dir.path());
    assert_ne!(code, 0);
    assert!(err.contains("acts[0]"), "{err}");
}
