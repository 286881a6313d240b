//! Reporting rounds end to end through the API, on SQLite and PostgreSQL, under
//! a settable clock: a coordinator opens a round for three agencies; one submits
//! before the deadline, one after, one not at all: completeness 67 %, timeliness
//! 33 %, the missing agency named. Then extensions, reminders, amendments,
//! returns, acceptance (a locked form), pre-filling from case records, a regional
//! round to national coordinators, access control and the audit trail.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

const SECRET: &str = "Quorvendalis";




fn agency(db: &TestDb, name: &str, kind: &str, cc: &str) -> String {
    let (c, out, e) = db.run(&["agency", "add", "--name", name, "--kind", kind, "--country", cc], None);
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

/// Every cell of the statistics template's breakdown, zero except one.
fn full_breakdown(one: &str, n: u64) -> Value {
    let mut m = serde_json::Map::new();
    for s in ["female", "male", "transgender", "non_conforming", "unknown"] {
        for a in ["child", "adult", "unknown"] {
            for f in ["sexual_exploitation", "forced_labour", "forced_criminality", "forced_begging", "forced_marriage", "organ_removal", "other", "unknown"] {
                let k = format!("{s}|{a}|{f}");
                let v = if k == one { n } else { 0 };
                m.insert(k, json!(v));
            }
        }
    }
    Value::Object(m)
}

async fn round_path(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let coord_agency = agency(&db, "Coordenação Nacional", "national_coordinator", "BR");
    let police = agency(&db, "Polícia Federal PE", "police", "BR");
    let ngo = agency(&db, "ONG Travessia", "ngo", "BR");
    let shelter = agency(&db, "Casa Abrigo Recife", "shelter", "BR");
    let es_police = agency(&db, "Policía Nacional", "police", "ES");
    let coordinator = user(&db, "coord@gov.example", "coordinator", &coord_agency);
    let police_cw = user(&db, "cw@police.example", "caseworker", &police);
    let ngo_admin = user(&db, "admin@ngo.example", "agency_admin", &ngo);
    let shelter_cw = user(&db, "cw@shelter.example", "caseworker", &shelter);
    let auditor = user(&db, "audit@gov.example", "auditor", &coord_agency);

    let clock = Arc::new(SettableClock(Mutex::new(time::macros::datetime!(2025-06-01 12:00 UTC))));
    let vigia = db.vigia(clock.clone()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };

    // The NGO has recorded one case identified in 2024 (and one in 2025, outside the period).
    let (s, _, t) = api.call("POST", "/api/v1/cases", &ngo_admin, Some(case_json(SECRET))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let mut later = case_json(SECRET);
    later["identified_on"] = json!("2025-02-01");
    let (s, _, t) = api.call("POST", "/api/v1/cases", &ngo_admin, Some(later)).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");

    // Templates are listed.
    let (s, v, _) = api.call("GET", "/api/v1/rounds/templates", &coordinator, None).await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<&str> = v.as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["national_authorities_2014", "annual_statistics"]);

    let round_body = |deadline: &str, recipients: Vec<&str>| {
        json!({"title": "Statistics 2024", "template": "annual_statistics", "period_from": "2024-01-01", "period_to": "2024-12-31",
               "deadline": deadline, "recipients": recipients, "compulsory": true})
    };
    // A deadline in the past is refused: lateness cannot be manufactured.
    let (s, v, _) = api.call("POST", "/api/v1/rounds", &coordinator, Some(round_body("2025-05-31", vec![&police]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "deadline");
    // A national coordinator sends to agencies of its own country only.
    let (s, v, _) = api.call("POST", "/api/v1/rounds", &coordinator, Some(round_body("2025-06-10", vec![&police, &es_police]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("own country"), "{v}");
    // Agency staff do not send rounds.
    let (s, _, _) = api.call("POST", "/api/v1/rounds", &police_cw, Some(round_body("2025-06-10", vec![&ngo]))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The coordinator opens the round for three agencies, due 10 June (end of day, UTC).
    let (s, v, t) = api.call("POST", "/api/v1/rounds", &coordinator, Some(round_body("2025-06-10", vec![&police, &ngo, &shelter]))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let round = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["deadline"], "2025-06-10T23:59:59.999Z");
    assert_eq!(v["email_reminders"], false);

    // Each recipient sees it in its inbox.
    for tok in [&police_cw, &ngo_admin, &shelter_cw] {
        let (s, v, t) = api.call("GET", "/api/v1/rounds/inbox", tok, None).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(v[0]["round"]["id"], round.as_str());
        assert_eq!(v[0]["state"], "not_started");
        assert_eq!(v[0]["round"]["compulsory"], true);
    }
    // The coordinator's own inbox is empty; an auditor has none.
    let (s, v, _) = api.call("GET", "/api/v1/rounds/inbox", &coordinator, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 0);
    let (s, _, _) = api.call("GET", "/api/v1/rounds/inbox", &auditor, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The police save a draft, then submit everything on 5 June: on time.
    clock.set(time::macros::datetime!(2025-06-05 09:00 UTC));
    let (s, v, t) = api.call("PUT", &format!("/api/v1/rounds/{round}/submission"), &police_cw, Some(json!({"answers": {"victims_total": 2}}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["state"], "draft");
    assert_eq!(v["items_answered"], 1);
    // Invalid answers are named and nothing is saved.
    let (s, v, _) = api.call("PUT", &format!("/api/v1/rounds/{round}/submission"), &police_cw, Some(json!({"answers": {"victims_total": -1, "nope": true}}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["answers.nope", "answers.victims_total"]);
    let full = json!({"answers": {
        "victims_total": 2, "victims_by_sex_age_form": full_breakdown("female|adult|sexual_exploitation", 2),
        "victims_by_citizenship": {"BR": 2}, "persons_prosecuted": 3, "persons_convicted": 1}});
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &police_cw, Some(full.clone())).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["items_answered"], 5);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
    // Submitting twice is refused: changes go through an amendment.
    let (s, v, _) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &police_cw, Some(full.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("amendment"), "{v}");

    // The NGO pre-fills from its own cases: one case identified in 2024.
    let (s, v, t) = api.call("GET", &format!("/api/v1/rounds/{round}/prefill"), &ngo_admin, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["counted"], 1);
    assert_eq!(v["answers"]["victims_total"], 1.0);
    assert_eq!(v["answers"]["victims_by_sex_age_form"]["female|adult|sexual_exploitation"], 1);
    assert_eq!(v["answers"]["victims_by_sex_age_form"]["male|child|forced_labour"], 0);
    assert_eq!(v["answers"]["victims_by_citizenship"]["BR"], 1);
    assert!(!t.contains(SECRET));
    let prefilled = v["answers"].clone();

    // The NGO submits on 12 June, after the deadline, without the justice figures.
    clock.set(time::macros::datetime!(2025-06-12 08:00 UTC));
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &ngo_admin, Some(json!({"answers": prefilled}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["items_answered"], 3);
    assert_eq!(v["items_required"], 5);

    // The dashboard: 2 of 3 received (67 %), 1 of 3 on time (33 %), the shelter is missing.
    let (s, v, t) = api.call("GET", &format!("/api/v1/rounds/{round}"), &coordinator, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["completeness"]["percent"], 67);
    assert_eq!(v["timeliness"]["percent"], 33);
    assert_eq!((v["completeness"]["num"].as_u64(), v["completeness"]["den"].as_u64()), (Some(2), Some(3)));
    assert_eq!((v["item_completeness"]["num"].as_u64(), v["item_completeness"]["den"].as_u64()), (Some(8), Some(10)));
    assert_eq!(v["missing"], json!(["Casa Abrigo Recife"]));
    assert_eq!(v["overdue_ids"], json!([shelter]));
    let rows = v["recipients"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["agency_id"] == id).unwrap().clone();
    assert_eq!(row(&police)["on_time"], true);
    assert_eq!(row(&ngo)["on_time"], false);
    assert_eq!(row(&shelter)["state"], "not_started");
    assert_eq!(row(&shelter)["overdue"], true);

    // Only the sender sees the dashboard and the submissions.
    for tok in [&police_cw, &shelter_cw, &auditor] {
        let (s, _, _) = api.call("GET", &format!("/api/v1/rounds/{round}"), tok, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, _, _) = api.call("GET", &format!("/api/v1/rounds/{round}/recipients/{ngo}"), &police_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A recipient sees only its own submission; a non-recipient none.
    let (s, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/submission"), &police_cw, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["answers"]["persons_prosecuted"], 3.0);
    let other = agency(&db, "Conselho Tutelar", "child_protection", "BR");
    let other_cw = user(&db, "cw@ct.example", "caseworker", &other);
    let (s, _, _) = api.call("GET", &format!("/api/v1/rounds/{round}/submission"), &other_cw, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Extensions: on record, later than the due date in force, never for one who has submitted.
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{shelter}/extend"), &coordinator, Some(json!({"due": "2025-06-20", "reason": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{shelter}/extend"), &coordinator, Some(json!({"due": "2025-06-09", "reason": "x"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{ngo}/extend"), &coordinator, Some(json!({"due": "2025-06-20", "reason": "x"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v, t) = api
        .call("POST", &format!("/api/v1/rounds/{round}/recipients/{shelter}/extend"), &coordinator, Some(json!({"due": "2025-06-20", "reason": "flooding closed the office"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(v["previous_due"], "2025-06-10T23:59:59.999Z");

    // Reminders to everyone missing reach the shelter's inbox only (no e-mail).
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/reminders"), &coordinator, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["sent"], 1);
    let (_, v, _) = api.call("GET", "/api/v1/rounds/inbox", &shelter_cw, None).await;
    assert_eq!(v[0]["due"], "2025-06-20T23:59:59.999Z");
    assert_eq!(v[0]["overdue"], false);
    assert_eq!(v[0]["reminders"][0]["emailed"], false);
    assert!(v[0]["reminders"][0]["message"].as_str().unwrap().contains("compulsory"));
    let (_, v, _) = api.call("GET", "/api/v1/rounds/inbox", &police_cw, None).await;
    assert_eq!(v[0]["reminders"].as_array().unwrap().len(), 0);

    // The shelter submits within its extension: on time.
    clock.set(time::macros::datetime!(2025-06-15 10:00 UTC));
    let (s, _, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &shelter_cw, Some(full.clone())).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let (_, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}"), &coordinator, None).await;
    assert_eq!(v["completeness"]["percent"], 100);
    assert_eq!(v["timeliness"]["percent"], 67);
    assert_eq!(v["missing"], json!([]));

    // Amendments need a reason and keep the versions; timeliness stays with the first submission.
    let mut amended = full.clone();
    amended["answers"]["persons_convicted"] = json!(2);
    let (s, v, _) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/amend"), &police_cw, Some(amended.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "reason");
    amended["reason"] = json!("a conviction was recorded late");
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/amend"), &police_cw, Some(amended)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["versions"], 2);
    assert_eq!(v["first_submitted_at"], "2025-06-05T09:00:00Z");

    // The sender returns the NGO's submission with questions; the NGO answers; the sender accepts.
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{ngo}/decision"), &coordinator, Some(json!({"action": "return"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "returning needs questions");
    let (s, v, t) = api
        .call("POST", &format!("/api/v1/rounds/{round}/recipients/{ngo}/decision"), &coordinator, Some(json!({"action": "return", "note": "Please add the justice figures."})))
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["state"], "returned");
    let (_, v, _) = api.call("GET", "/api/v1/rounds/inbox", &ngo_admin, None).await;
    assert_eq!(v[0]["state"], "returned");
    let (_, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/submission"), &ngo_admin, None).await;
    assert!(v["history"].as_array().unwrap().iter().any(|h| h["note"] == "Please add the justice figures."));
    let mut answers = v["answers"].clone();
    answers["persons_prosecuted"] = json!(0);
    answers["persons_convicted"] = json!(0);
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &ngo_admin, Some(json!({"answers": answers, "reason": "none in 2024"}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["state"], "submitted");
    for action in ["validate", "accept"] {
        let (s, _, t) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{ngo}/decision"), &coordinator, Some(json!({"action": action}))).await;
        assert_eq!(s, StatusCode::OK, "{t}");
    }
    // The NGO's lateness is on record still; its item completeness is now full.
    let (_, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}"), &coordinator, None).await;
    let rows = v["recipients"].as_array().unwrap();
    let ngo_row = rows.iter().find(|r| r["agency_id"] == ngo.as_str()).unwrap();
    assert_eq!((ngo_row["on_time"].as_bool(), ngo_row["items_answered"].as_u64(), ngo_row["state"].as_str()), (Some(false), Some(5), Some("accepted")));
    // An accepted submission is locked, and says why.
    let (_, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/submission"), &ngo_admin, None).await;
    assert!(v["locked"].as_str().unwrap().contains("accepted"));
    let (s, v, _) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/amend"), &ngo_admin, Some(json!({"answers": answers, "reason": "x"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("accepted"), "{v}");

    // A sender's decision is not the recipient's to take.
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/recipients/{police}/decision"), &police_cw, Some(json!({"action": "accept"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Closing locks every form.
    let (s, _, _) = api.call("POST", &format!("/api/v1/rounds/{round}/close"), &coordinator, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/submission"), &shelter_cw, None).await;
    assert!(v["locked"].as_str().unwrap().contains("closed"));

    // The audit log records the round's life, and names no person.
    let (s, v, t) = api.call("GET", "/api/v1/audit?limit=1000", &auditor, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let actions: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["round.open", "round.save_draft", "round.submit", "round.amend", "round.extend", "round.remind", "round.return", "round.accept", "round.close", "round.prefill", "case.aggregate"] {
        assert!(actions.contains(&a), "audit lacks {a}");
    }
    assert!(actions.iter().filter(|a| **a == "case.aggregate").count() >= 2, "each case read for the prefill is audited");
    assert!(!t.contains(SECRET));
    assert!(!t.contains("flooding"), "reasons stay out of the audit detail");
    let report = vigia.verify_audit(|_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[tokio::test]
async fn round_path_sqlite() {
    round_path(Backend::Sqlite).await;
}

#[tokio::test]
async fn round_path_postgres() {
    round_path(Backend::Postgres).await;
}

/// A regional mechanism sends the questions of file 002 to member states' coordinators.
async fn regional_round(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let oas = agency(&db, "Secretariat", "regional_mechanism", "US");
    let br = agency(&db, "Coordenação BR", "national_coordinator", "BR");
    let ar = agency(&db, "Coordinación AR", "national_coordinator", "AR");
    let ngo = agency(&db, "NGO", "ngo", "BR");
    let monitor = user(&db, "sec@oas.example", "regional_monitor", &oas);
    let coord_br = user(&db, "coord@br.example", "coordinator", &br);
    let coord_ar = user(&db, "coord@ar.example", "coordinator", &ar);
    let clock = Arc::new(SettableClock(Mutex::new(time::macros::datetime!(2025-06-01 12:00 UTC))));
    let vigia = db.vigia(clock.clone()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };

    // A questionnaire kept from the template, then a round from it.
    let (s, v, t) = api.call("POST", "/api/v1/rounds/questionnaires", &monitor, Some(json!({"template": "national_authorities_2014"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let qid = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["questionnaire"]["sections"].as_array().unwrap().len(), 3);
    // A regional mechanism writes to coordinators, not to an NGO.
    let body = |recips: Vec<&str>| json!({"title": "Fourth Meeting of National Authorities", "questionnaire_id": qid, "period_from": "2013-01-01", "period_to": "2014-10-31", "deadline": "2025-06-30T17:00", "recipients": recips});
    let (s, _, _) = api.call("POST", "/api/v1/rounds", &monitor, Some(body(vec![&br, &ngo]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v, t) = api.call("POST", "/api/v1/rounds", &monitor, Some(body(vec![&br, &ar]))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let round = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["deadline"], "2025-06-30T17:00:00Z");

    // A custom questionnaire is validated; a bad one is refused with named fields.
    let (s, v, _) = api
        .call("POST", "/api/v1/rounds/questionnaires", &monitor, Some(json!({"questionnaire": {"code": "Bad Code", "title": "x", "sections": []}})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"].as_array().unwrap().len() >= 2);

    // Brazil answers the topics; a wrong option is named.
    let (s, v, _) = api
        .call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &coord_br, Some(json!({"answers": {"t1_q1_structure": ["monarchy"]}})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["fields"][0]["field"], "answers.t1_q1_structure");
    let answers = json!({
        "t1_q1_structure": ["coordinating_office", "plan"], "t1_q1_administration": "An inter-ministerial committee.",
        "t1_q2_integrate": true, "t1_q2_civil_society": true, "t1_q3_monitoring": true,
        "t1_q4_work_plan": "Indicators with baselines.", "t2_q1_consent": "Irrelevant where a means is used.",
        "t2_q1_linked_to_means": true, "t2_q1_adults_children": true, "t2_q2_forms": ["sexual_exploitation", "forced_labour", "illegal_adoption"]
    });
    let (s, v, t) = api.call("POST", &format!("/api/v1/rounds/{round}/submission/submit"), &coord_br, Some(json!({"answers": answers}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["items_answered"], 10);
    // Prefill has nothing to offer for a qualitative questionnaire.
    let (s, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/prefill"), &coord_ar, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["answers"], json!({}));

    let (s, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}"), &monitor, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["completeness"]["percent"], 50);
    assert_eq!(v["timeliness"]["percent"], 50);
    assert_eq!(v["missing"], json!(["Coordinación AR"]));
    let (s, v, _) = api.call("GET", &format!("/api/v1/rounds/{round}/recipients/{br}"), &monitor, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["answers"]["t2_q2_forms"][2], "illegal_adoption");
    // The Argentinian coordinator cannot read Brazil's answers.
    let (s, _, _) = api.call("GET", &format!("/api/v1/rounds/{round}/recipients/{br}"), &coord_ar, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn regional_round_sqlite() {
    regional_round(Backend::Sqlite).await;
}

#[tokio::test]
async fn regional_round_postgres() {
    regional_round(Backend::Postgres).await;
}

/// The pages: the dashboard shows the measures and the missing agency; the answer form works without JavaScript.
#[tokio::test]
async fn pages_render() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else { return };
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let coord_agency = agency(&db, "Coordenação", "national_coordinator", "BR");
    let police = agency(&db, "Polícia", "police", "BR");
    let coordinator = user(&db, "coord@gov.example", "coordinator", &coord_agency);
    let police_cw = user(&db, "cw@police.example", "caseworker", &police);
    let clock = Arc::new(SettableClock(Mutex::new(time::macros::datetime!(2025-06-01 12:00 UTC))));
    let vigia = db.vigia(clock.clone()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia, false)) };
    let (s, v, t) = api
        .call("POST", "/api/v1/rounds", &coordinator, Some(json!({"title": "Stats", "template": "annual_statistics", "period_from": "2024-01-01", "period_to": "2024-12-31", "deadline": "2025-06-10", "recipients": [police]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let round = v["id"].as_str().unwrap().to_string();
    let (s, _, html) = api.call("GET", &format!("/rounds/{round}"), &coordinator, None).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"completeness\">0 %"), "{html}");
    assert!(html.contains("Polícia"));
    let (s, _, html) = api.call("GET", &format!("/rounds/{round}/answer"), &police_cw, None).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("q.victims_by_sex_age_form.female|child|sexual_exploitation"));
    assert!(html.contains("value=\"save_draft\""));
    let (s, _, html) = api.call("GET", "/rounds/inbox", &police_cw, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Stats"));
    let (s, _, html) = api.call("GET", "/rounds", &coordinator, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Open a round") && html.contains("Polícia"));
    // The OpenAPI document lists the rounds API.
    let (_, v, _) = api.call("GET", "/api/v1/openapi.json", &coordinator, None).await;
    assert!(v["paths"]["/api/v1/rounds/{id}"].is_object());
    assert!(v["paths"]["/api/v1/rounds/{id}/submission/amend"].is_object());
}
