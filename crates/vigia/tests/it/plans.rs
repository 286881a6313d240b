//! Action plans and the knowledge base end to end, on SQLite and PostgreSQL:
//! a coordinator's plan with every live indicator, each compared with an
//! independent computation from the data the test inserted; adding a case moves
//! the indicator; a designated NGO files a diverging shadow assessment and the
//! dashboard flags it; the report file holds the plan's figures; the indicators
//! export; access control; the knowledge base's search in four languages; the
//! directory's contact details hidden from anonymous callers.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use time::macros::date;
use time::Date;
use tower::ServiceExt;
use vigia_domain::ids::{AgencyId, CaseId};
use vigia_domain::taxonomy::{ConsentPurpose, DataCategory, ServiceKind};

use crate::common::*;

struct Api {
    router: axum::Router,
}

impl Api {
    async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value, Vec<u8>) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let res = self.router.clone().oneshot(b.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), bytes)
    }
}

/// What the test inserted, to compute the indicators independently.
struct Inserted {
    id: CaseId,
    identified_on: Date,
    child: bool,
    /// (sent on, services, status code)
    referrals: Vec<(Date, Vec<&'static str>, &'static str)>,
    services_started: Vec<Date>,
    best_interests: bool,
}

fn expected(cases: &[Inserted], code: &str, from: Date, to: Date) -> Option<f64> {
    let in_p = |d: Date| from <= d && d <= to;
    let ident: Vec<&Inserted> = cases.iter().filter(|c| in_p(c.identified_on)).collect();
    let kids: Vec<&&Inserted> = ident.iter().filter(|c| c.child).collect();
    let shelter7 = ident
        .iter()
        .filter(|c| c.referrals.iter().any(|(on, s, st)| *st != "declined" && s.contains(&"shelter") && (*on - c.identified_on).whole_days() <= 7))
        .count() as f64;
    let share = |n: f64, d: usize| if d == 0 { None } else { Some(n * 100.0 / d as f64) };
    match code {
        "identified_persons" => Some(ident.len() as f64),
        "identified_children" => Some(kids.len() as f64),
        "shelter_within_7_days" => Some(shelter7),
        "shelter_within_7_days_share" => share(shelter7, ident.len()),
        "children_best_interests_share" => share(kids.iter().filter(|c| c.best_interests).count() as f64, kids.len()),
        "referrals_accepted_share" => {
            let sent: Vec<_> = cases.iter().flat_map(|c| c.referrals.iter()).filter(|(on, _, _)| in_p(*on)).collect();
            share(sent.iter().filter(|(_, _, st)| *st == "accepted" || *st == "completed").count() as f64, sent.len())
        }
        "persons_assisted" => Some(cases.iter().filter(|c| c.services_started.iter().any(|d| in_p(*d))).count() as f64),
        other => panic!("unknown live indicator {other}"),
    }
}

async fn dashboard(api: &Api, token: &str, plan: &str) -> Value {
    let (s, v, _) = api.call("GET", &format!("/api/v1/plans/{plan}"), Some(token), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn run(db: TestDb) {
    let tokens = setup_users(&db);
    let vigia = db.vigia(clock()).await; // 2025-06-01 12:00 UTC
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };
    let agencies = vigia.store().list_agencies().await.unwrap();
    let agency = |name: &str| agencies.iter().find(|a| a.name == name).unwrap().id;
    let (ngo_a, police_b): (AgencyId, AgencyId) = (agency("NGO A"), agency("Police B"));
    let actor = |label: &str| {
        let t = tokens[label].clone();
        let v = vigia.clone();
        async move { v.actor_for_token(&t).await.unwrap().unwrap().0 }
    };
    let coord = tokens["coordinator"].as_str();

    // Only coordinators and regional mechanisms keep plans; a coordinator's plans are national or state.
    let plan_body = json!({"title": "Plano nacional de enfrentamento ao tráfico", "level": "national", "period_from": "2025-01-01", "period_to": "2026-12-31",
        "owner": "Comitê nacional", "currency": "BRL", "monitors": [ngo_a.to_string()]});
    let (s, _, _) = api.call("POST", "/api/v1/plans", Some(&tokens["caseworker_a"]), Some(plan_body.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut regional = plan_body.clone();
    regional["level"] = json!("regional");
    let (s, _, _) = api.call("POST", "/api/v1/plans", Some(coord), Some(regional)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v, _) = api.call("POST", "/api/v1/plans", Some(coord), Some(plan_body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let plan = v["id"].as_str().unwrap().to_string();

    let (s, v, _) = api
        .call("POST", &format!("/api/v1/plans/{plan}/activities"), Some(coord), Some(json!({"pillar": "protection", "objective": "Assist every person identified",
            "title": "Shelter places for referred persons", "responsible": ["Secretaria de Assistência Social"], "partners": ["NGO A"],
            "start": "2025-01-01", "end": "2025-03-31", "budget_allocated": 12000, "budget_spent": 3000, "status": "in_progress"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let activity = v["id"].as_str().unwrap().to_string();
    let lives = ["identified_persons", "identified_children", "shelter_within_7_days", "shelter_within_7_days_share", "children_best_interests_share", "referrals_accepted_share", "persons_assisted"];
    for l in lives {
        let (s, v, _) = api.call("POST", &format!("/api/v1/plans/{plan}/indicators"), Some(coord), Some(json!({"title": format!("Live {l}"), "live": l, "yearly_target": 10, "baseline": 0}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    // A live indicator's values cannot be typed in; a live kind cannot be contradicted.
    let (s, _, _) = api.call("POST", &format!("/api/v1/plans/{plan}/indicators"), Some(coord), Some(json!({"title": "x", "live": "identified_persons", "kind": "percentage", "yearly_target": 1}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v, _) = api.call("POST", &format!("/api/v1/plans/{plan}/indicators"), Some(coord), Some(json!({"title": "Code of conduct adopted", "kind": "yes_no", "yearly_target": 1}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let coc = v["id"].as_str().unwrap().to_string();
    let (s, v, _) = api.call("POST", &format!("/api/v1/plans/{plan}/indicators/{coc}/values"), Some(coord), Some(json!({"period": "2025", "value": 1}))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The data: cases, an agreement, consents, referrals, answers, a service, a best-interests assessment.
    let cw = actor("caseworker_a").await;
    let admin = actor("admin_a").await;
    let police = actor("caseworker_b").await;
    vigia.create_agreement(&admin, police_b, vec![DataCategory::Demographics], vec![ServiceKind::Shelter, ServiceKind::Medical]).await.unwrap();
    let today = date!(2025 - 06 - 01);
    let mut cases: Vec<Inserted> = Vec::new();
    let specs: &[(&str, i64, bool)] = &[("2025-05-28", 30, false), ("2025-05-01", 25, false), ("2025-05-30", 15, true), ("2025-03-01", 16, true), ("2024-11-01", 40, false), ("2025-02-10", 33, false)];
    for (i, (on, age, _)) in specs.iter().enumerate() {
        let mut body = case_json(&format!("Planfam{i}"));
        body["identified_on"] = json!(on);
        body["age_at_identification"] = json!(age);
        let (s, v, _) = api.call("POST", "/api/v1/cases", Some(&tokens["caseworker_a"]), Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        cases.push(Inserted {
            id: v["id"].as_str().unwrap().parse().unwrap(),
            identified_on: vigia_domain::case::parse_iso_date(on).unwrap(),
            child: *age < 18,
            referrals: vec![],
            services_started: vec![],
            best_interests: false,
        });
    }
    // Case 0: adult, consent, referred for shelter 4 days after identification; accepted; shelter started.
    vigia.record_consent(&cw, cases[0].id, ConsentPurpose::ShareWithAgency, Some(police_b), "pt", today).await.unwrap();
    let r0 = vigia.refer(&cw, cases[0].id, police_b, vec![ServiceKind::Shelter], "").await.unwrap();
    vigia.answer_referral(&police, &r0.id, true, "").await.unwrap();
    vigia.record_service(&police, &r0.id, ServiceKind::Shelter, today, None).await.unwrap();
    cases[0].referrals.push((today, vec!["shelter"], "accepted"));
    cases[0].services_started.push(today);
    // Case 1: adult, referred 31 days after identification; declined.
    vigia.record_consent(&cw, cases[1].id, ConsentPurpose::ShareWithAgency, Some(police_b), "pt", today).await.unwrap();
    let r1 = vigia.refer(&cw, cases[1].id, police_b, vec![ServiceKind::Shelter], "").await.unwrap();
    vigia.answer_referral(&police, &r1.id, false, "no places").await.unwrap();
    cases[1].referrals.push((today, vec!["shelter"], "declined"));
    // Case 2: a child, best interests assessed, referred within 2 days; unanswered.
    vigia.record_best_interests(&cw, cases[2].id, date!(2025 - 05 - 31), "Conselho Tutelar").await.unwrap();
    vigia.refer(&cw, cases[2].id, police_b, vec![ServiceKind::Shelter, ServiceKind::Medical], "").await.unwrap();
    cases[2].best_interests = true;
    cases[2].referrals.push((today, vec!["shelter", "medical"], "sent"));

    let d = dashboard(&api, &tokens["admin_a"], &plan).await;
    let (from, to) = (date!(2025 - 01 - 01), today);
    for ind in d["indicators"].as_array().unwrap() {
        let src = ind["source"].as_str().unwrap();
        if src == "manual" {
            assert_eq!(ind["current"], json!(1.0));
            continue;
        }
        assert_eq!(ind["period"], "2025");
        let want = expected(&cases, src, from, to);
        let got = ind["current"].as_f64();
        match (want, got) {
            (Some(w), Some(g)) => assert!((w - g).abs() < 1e-9, "{src}: expected {w}, got {g}"),
            (None, None) => {}
            other => panic!("{src}: {other:?}"),
        }
        assert_eq!(ind["trend"].as_array().unwrap().len(), 1, "2026 has not begun");
    }
    // And the figures by hand, as a check on the independent computation itself.
    let cur = |d: &Value, code: &str| d["indicators"].as_array().unwrap().iter().find(|i| i["source"] == code).unwrap()["current"].clone();
    assert_eq!(cur(&d, "identified_persons"), json!(5.0));
    assert_eq!(cur(&d, "identified_children"), json!(2.0));
    assert_eq!(cur(&d, "shelter_within_7_days"), json!(2.0));
    assert_eq!(cur(&d, "shelter_within_7_days_share"), json!(40.0));
    assert_eq!(cur(&d, "children_best_interests_share"), json!(50.0));
    assert!((cur(&d, "referrals_accepted_share").as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(cur(&d, "persons_assisted"), json!(1.0));
    // Budget and overdue: the activity ended on 2025-03-31 and is not completed.
    assert_eq!(d["budget"]["execution"], json!(0.25));
    assert_eq!(d["overdue"], json!(1));
    assert_eq!(d["divergences"], json!(0));

    // Adding a case moves the indicator.
    let mut body = case_json("Planfam-new");
    body["identified_on"] = json!("2025-05-15");
    let (s, _, _) = api.call("POST", "/api/v1/cases", Some(&tokens["caseworker_b"]), Some(body)).await;
    assert_eq!(s, StatusCode::CREATED);
    let d = dashboard(&api, &tokens["admin_a"], &plan).await;
    assert_eq!(cur(&d, "identified_persons"), json!(6.0));

    // Official progress, then the NGO's shadow assessment that differs.
    let (s, _, _) = api
        .call("POST", &format!("/api/v1/plans/{plan}/activities/{activity}/progress"), Some(coord), Some(json!({"status": "completed", "percent_complete": 100, "budget_spent": 9000})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let identified = d["indicators"].as_array().unwrap().iter().find(|i| i["source"] == "identified_persons").unwrap()["id"].as_str().unwrap().to_string();
    let assess = json!({"activity_id": activity, "status": "in_progress", "percent_complete": 40, "comment": "Only half the places exist."});
    for who in ["monitor", "caseworker_a", "coordinator"] {
        let (s, _, _) = api.call("POST", &format!("/api/v1/plans/{plan}/assessments"), Some(&tokens[who]), Some(assess.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who} is not a designated monitor");
    }
    let (s, v, _) = api.call("POST", &format!("/api/v1/plans/{plan}/assessments"), Some(&tokens["admin_a"]), Some(assess)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _, _) = api.call("POST", &format!("/api/v1/plans/{plan}/assessments"), Some(&tokens["admin_a"]), Some(json!({"indicator_id": identified, "value": 2}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let d = dashboard(&api, &tokens["admin_a"], &plan).await;
    assert_eq!(d["divergences"], json!(2), "{d}");
    assert_eq!(d["overdue"], json!(0), "completed per the official report");
    assert_eq!(d["budget"]["execution"], json!(0.75));
    let act = &d["activities"][0];
    assert_eq!(act["diverges"], json!(true));
    assert!(act["independent"][0]["divergence"].as_str().unwrap().contains("In progress"));

    // The report: a self-contained HTML file with the plan's figures.
    let (s, _, bytes) = api.call("GET", &format!("/api/v1/plans/{plan}/report.html"), Some(coord), None).await;
    assert_eq!(s, StatusCode::OK);
    let path = db.dir.path().join("plan-report.html");
    std::fs::write(&path, &bytes).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("Plano nacional de enfrentamento ao tráfico"));
    assert!(html.contains("<style>"), "styles are inline");
    assert!(!html.contains("/static/style.css\""), "no link to the server");
    assert!(html.contains("12,000 BRL") && html.contains("9,000 BRL") && html.contains("75 %"), "budget figures");
    assert!(html.contains("<td id=\"r-divergences\">2</td>"));
    assert!(html.contains("<td>6</td>"), "identified persons");
    assert!(html.contains("33.3 %") && html.contains("50.0 %"), "shares (shelter 2/6, best interests 1/2, accepted 1/3)");
    assert!(html.contains("<svg class=\"trend\""));
    assert!(html.contains("Only half the places exist."));
    for secret in ["Planfam", "P-998877", "99999"] {
        assert!(!html.contains(secret), "the report names no person");
    }
    // The indicators as CSV and .xlsx.
    let (s, _, csv) = api.call("GET", &format!("/api/v1/plans/{plan}/indicators.csv"), Some(coord), None).await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + 8 * 2, "{csv}");
    assert!(csv.contains("Live identified_persons,count,,live:identified_persons,0,2025,2025-01-01,2025-12-31,10,6,2,yes"), "{csv}");
    let (s, _, xlsx) = api.call("GET", &format!("/api/v1/plans/{plan}/indicators.xlsx"), Some(coord), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK") && xlsx.len() > 1000);
    // Reading plans needs a signed-in user.
    let (s, _, _) = api.call("GET", &format!("/api/v1/plans/{plan}"), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Every write is audited, without identifying values.
    let entries = vigia.store().audit_entries(0, 100_000).await.unwrap();
    for a in ["plan.create", "plan.activity", "plan.indicator", "plan.value", "plan.progress", "plan.assessment", "plan.dashboard"] {
        assert!(entries.iter().any(|e| e.record.action == a), "{a} audited");
    }
    assert!(entries.iter().any(|e| e.record.action == "plan.assessment" && e.record.detail.contains("denied")));

    knowledge(&api, &tokens).await;
}

async fn knowledge(api: &Api, tokens: &std::collections::HashMap<&'static str, String>) {
    let coord = tokens["coordinator"].as_str();
    let fw = |law: &str, consent: &str| json!({"law": law, "illustrative": true, "points": {"consent": {"answer": consent, "text": "t"}, "penalties": {"answer": "yes", "text": "4-8 years"}}, "profile_code": "palermo"});
    let (s, _, _) = api.call("PUT", "/api/v1/knowledge/frameworks/BR", Some(&tokens["caseworker_a"]), Some(fw("L", "yes"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (cc, consent) in [("BR", "partly"), ("ES", "yes")] {
        let (s, v, _) = api.call("PUT", &format!("/api/v1/knowledge/frameworks/{cc}"), Some(coord), Some(fw("Example law", consent))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v, _) = api.call("GET", "/api/v1/knowledge/compare?countries=ES,BR", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["countries"], json!(["ES", "BR"]));
    let row = |p: &str| v["rows"].as_array().unwrap().iter().find(|r| r["point"] == p).unwrap().clone();
    assert_eq!(row("consent")["differs"], json!(true));
    assert_eq!(row("penalties")["differs"], json!(false));
    let (s, v, _) = api.call("GET", "/api/v1/knowledge/frameworks/BR", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["legal_profile"]["code"], "palermo", "the screening profile is linked");

    let entries = [
        ("es", "Protocolo de atención a víctimas", "Atención integral a las víctimas de trata en albergues."),
        ("pt", "Proteção de crianças traficadas", "Fluxo de atendimento às crianças e adolescentes."),
        ("fr", "Foyers d'accueil", "Hébergement des travailleuses exploitées."),
        ("en", "Shelter standards", "Minimum standards for shelters receiving trafficked persons."),
    ];
    for (lang, title, summary) in entries {
        let (s, v, _) = api
            .call("POST", "/api/v1/knowledge/entries", Some(coord), Some(json!({"kind": "practice", "title": title, "lang": lang, "region": "Americas", "pillar": "protection", "summary": summary, "tags": ["demo"]})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    for (q, want) in [("VICTIMA", "Protocolo de atención a víctimas"), ("protecao criança", "Proteção de crianças traficadas"), ("hebergement", "Foyers d'accueil"), ("shelter", "Shelter standards")] {
        let (s, v, _) = api.call("GET", &format!("/api/v1/knowledge/entries?q={}", q.replace(' ', "%20").replace('ç', "%C3%A7")), None, None).await;
        assert_eq!(s, StatusCode::OK);
        let titles: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
        assert_eq!(titles, vec![want], "query {q}");
    }

    let (s, _, _) = api
        .call("POST", "/api/v1/knowledge/directory", Some(coord), Some(json!({"mechanism": "OAS", "country": "BR", "role": "coordinator", "organisation": "Núcleo", "title": "Coordinator", "name": "Fulana Exemplo", "email": "fulana@example.org", "phone": "+55 61 0000"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, anon, _) = api.call("GET", "/api/v1/knowledge/directory", None, None).await;
    assert_eq!(anon[0]["organisation"], "Núcleo");
    assert_eq!(anon[0]["email"], "");
    assert_eq!(anon[0]["name"], "");
    let (_, signed, _) = api.call("GET", "/api/v1/knowledge/directory", Some(&tokens["caseworker_a"]), None).await;
    assert_eq!(signed[0]["email"], "fulana@example.org");
    let (s, _, page) = api.call("GET", "/knowledge/directory", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&page).contains("fulana@example.org"));
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_sqlite() {
    run(TestDb::new(Backend::Sqlite).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    run(db).await;
}
