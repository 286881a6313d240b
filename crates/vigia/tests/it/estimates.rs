//! Standard indicators, population tables and estimation runs, on both
//! backends: every indicator recomputed here from the inserted data; population
//! import errors naming line and column (and nothing stored); an estimate on
//! persons with known capture probabilities, its re-run reproducing it, a
//! refusal on lists that do not overlap; access for each role.

use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::input::CaseInput;
use vigia_domain::taxonomy::{ReferralStatus, ServiceKind};
use vigia_service::estimates::{EstimateSpec, LinkedPersons, ListsSpec, Stratify};
use vigia_service::nrm::{Referral, ServiceRecord};
use vigia_store::{AuditEvent, Record};

use crate::common::*;

struct Api {
    router: axum::Router,
}

impl Api {
    async fn call(&self, method: &str, uri: &str, token: &str, body: Option<(&str, String)>) -> (StatusCode, Value, String) {
        let mut b = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some((ct, v)) => {
                b = b.header(header::CONTENT_TYPE, ct);
                Body::from(v)
            }
            None => Body::empty(),
        };
        let res = self.router.clone().oneshot(b.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
    }
    async fn get(&self, uri: &str, token: &str) -> (StatusCode, Value, String) {
        self.call("GET", uri, token, None).await
    }
    async fn post_json(&self, uri: &str, token: &str, v: Value) -> (StatusCode, Value, String) {
        self.call("POST", uri, token, Some(("application/json", v.to_string()))).await
    }
}

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

/// A small deterministic generator (no dependency, same data on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[((self.next() * v.len() as f64) as usize).min(v.len() - 1)]
    }
}

/// One inserted case, as the test knows it.
#[derive(Clone)]
struct Known {
    id: CaseId,
    person: usize,
    agency: usize,
    sex: &'static str,
    age: Option<i64>,
    forms: Vec<&'static str>,
    identified_on: time::Date,
    victim: bool,
}

const SEXES: [&str; 4] = ["female", "female", "male", "unknown"];
const FORMS: [&str; 4] = ["sexual_exploitation", "forced_labour", "forced_begging", "domestic"];

async fn scenario(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let ag_ids = [agency(&db, "NGO A", "ngo", "BR"), agency(&db, "Police B", "police", "BR"), agency(&db, "Shelter C", "shelter", "BR")];
    let coord_ag = agency(&db, "Coordinator BR", "national_coordinator", "BR");
    let es_coord_ag = agency(&db, "Coordinator ES", "national_coordinator", "ES");
    let es_ngo = agency(&db, "ONG ES", "ngo", "ES");
    let regional = agency(&db, "Regional", "regional_mechanism", "BR");
    let caseworker = user(&db, "cw@a.example", "caseworker", &ag_ids[0]);
    let admin = user(&db, "admin@a.example", "agency_admin", &ag_ids[0]);
    let coordinator = user(&db, "coord@br.example", "coordinator", &coord_ag);
    let coordinator_es = user(&db, "coord@es.example", "coordinator", &es_coord_ag);
    let monitor = user(&db, "monitor@r.example", "regional_monitor", &regional);

    let vigia = db.vigia(clock()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };
    let store = vigia.store().clone();
    let agencies: Vec<_> = {
        let mut v = Vec::new();
        for a in ag_ids.iter().chain([&es_ngo]) {
            v.push(store.get_agency(a.parse::<AgencyId>().unwrap()).await.unwrap().unwrap());
        }
        v
    };

    // Persons with known capture probabilities per agency (independent lists).
    const N: usize = 600;
    let probs = [0.35, 0.30, 0.25];
    let mut rng = Lcg(7);
    let today = vigia.today();
    let mut known: Vec<Known> = Vec::new();
    let mut stored = Vec::new();
    let mut events = Vec::new();
    for p in 0..N {
        let sex = *rng.pick(&SEXES);
        let age = if rng.next() < 0.1 { None } else { Some(5 + (rng.next() * 50.0) as i64) };
        let form = *rng.pick(&FORMS);
        let mut forms = vec![if form == "domestic" { "servitude" } else { form }];
        if rng.next() < 0.15 {
            forms.push("debt_bondage");
        }
        // 2024 for most; some in 2023 (outside the indicator period); a few not victims.
        let year = if rng.next() < 0.85 { 2024 } else { 2023 };
        let day = 1 + (rng.next() * 360.0) as u16;
        let identified_on = time::Date::from_ordinal_date(year, day).unwrap();
        let victim = rng.next() > 0.03;
        for (a, pr) in probs.iter().enumerate() {
            if rng.next() >= *pr {
                continue;
            }
            let mut input = json!({
                "sex": sex, "exploitation": forms, "identified_on": vigia_domain::case::format_date(identified_on),
                "status": if victim { "presumed" } else { "not_a_victim" },
                "route": [{"country": "BR", "subdivision": if p % 2 == 0 { "BR-PE" } else { "BR-SP" }}],
                "identity": {"given_names": format!("P{p}")}
            });
            if let Some(a) = age {
                input["age_at_identification"] = json!(a);
            }
            let ci: CaseInput = serde_json::from_value(input).unwrap();
            let nc = ci.parse(today).unwrap();
            let sc = vigia.prepare_case(&nc, &agencies[a], UserId(uuid::Uuid::now_v7()));
            events.push(AuditEvent { at_ms: 0, actor: None, action: "case.create".into(), case_id: Some(sc.case.id), detail: "test".into() });
            known.push(Known { id: sc.case.id, person: p, agency: a, sex, age, forms: forms.clone(), identified_on, victim });
            stored.push(sc);
        }
    }
    // Another country's cases must never count here.
    for _ in 0..20 {
        let ci: CaseInput = serde_json::from_value(json!({"sex": "female", "identified_on": "2024-05-01", "exploitation": ["forced_labour"]})).unwrap();
        stored.push(vigia.prepare_case(&ci.parse(today).unwrap(), &agencies[3], UserId(uuid::Uuid::now_v7())));
    }
    store.insert_cases(&stored, &events).await.unwrap();

    // Referrals and services on some cases (records of the referral mechanism).
    let mut recs = Vec::new();
    let mut referred: Vec<(CaseId, time::Date)> = Vec::new();
    let mut assisted: Vec<(CaseId, time::Date)> = Vec::new();
    for (i, k) in known.iter().enumerate() {
        if i % 4 != 0 {
            continue;
        }
        let sent = k.identified_on + time::Duration::days(3);
        let sent_ms = (time::PrimitiveDateTime::new(sent, time::Time::MIDNIGHT).assume_utc().unix_timestamp()) * 1000 + 3_600_000;
        let rid = uuid::Uuid::now_v7().to_string();
        let from = agencies[k.agency].id;
        let to = agencies[(k.agency + 1) % 3].id;
        let r = Referral {
            id: rid.clone(), case_id: k.id, from_agency: from, to_agency: to, agreement_id: "x".into(), services: vec![ServiceKind::Shelter],
            note_ct: None, status: ReferralStatus::Accepted, sent_at_ms: sent_ms, sent_by: UserId(uuid::Uuid::now_v7()),
            answered_at_ms: None, answered_by: None, decline_reason_ct: None, completed_at_ms: None,
        };
        recs.push(Record { id: rid.clone(), kind: "referral".into(), case_id: Some(k.id), agency_id: Some(from), other_agency_id: Some(to), status: Some("accepted".into()), at_ms: sent_ms, body: serde_json::to_string(&r).unwrap() });
        referred.push((k.id, sent));
        if i % 8 == 0 {
            let started = sent + time::Duration::days(40);
            let s = ServiceRecord { id: uuid::Uuid::now_v7().to_string(), referral_id: rid, case_id: k.id, agency_id: to, kind: ServiceKind::Medical, started_on: started, ended_on: None, recorded_by: UserId(uuid::Uuid::now_v7()), recorded_at_ms: sent_ms };
            recs.push(Record { id: s.id.clone(), kind: "service".into(), case_id: Some(k.id), agency_id: Some(to), other_agency_id: Some(from), status: Some("medical".into()), at_ms: sent_ms, body: serde_json::to_string(&s).unwrap() });
            assisted.push((k.id, started));
        }
    }
    store.put_records(&recs, &[]).await.unwrap();

    // ----- population import -----
    let (s, _, t) = api.call("POST", "/api/v1/population", &caseworker, Some(("text/csv", "country,year,sex,age_group,population\nBR,2024,total,total,1000\n".into()))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{t}");
    let good = "country,year,sex,age_group,population\nBR,2024,total,total,2000000\nBR,2024,female,total,1020000\nBR,2024,male,total,980000\nBR,2024,total,0_17,500000\nBR,2024,total,18_plus,1500000\nBR,2024,female,0_17,245000\nBR,2024,female,18_plus,775000\nBR,2024,male,0_17,255000\n";
    let (s, v, t) = api.call("POST", "/api/v1/population?source=test%20figures", &coordinator, Some(("text/csv", good.into()))).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(v["rows"], 8);
    // Errors name line and column; nothing of a bad file is stored.
    let bad = "country,year,sex,age_group,population\nBR,2025,total,total,2000000\nBR,2025,both,total,5\nBR,2025,male,0-17,5\nES,2025,male,total,5\nBR,2025,female,total,abc\n";
    let (s, v, t) = api.post_json("/api/v1/population", &coordinator, json!({"csv": bad, "source": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    let fields: Vec<String> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, vec!["line 3, column sex", "line 4, column age_group", "line 6, column population"], "{t}");
    let only_es = "country,year,sex,age_group,population\nBR,2025,total,total,2000000\nES,2025,male,total,5\n";
    let (s, v, t) = api.post_json("/api/v1/population", &coordinator, json!({"csv": only_es})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    assert_eq!(v["fields"][0]["field"], "line 3, column country");
    let (s, v, _) = api.get("/api/v1/population", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1, "the failed imports stored nothing");
    assert_eq!(v[0]["year"], 2024);

    // ----- indicators, recomputed here -----
    let (s, r, t) = api.get("/api/v1/indicators?year=2024&by=quarter", &coordinator).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(r["unit"], "cases");
    assert!(r["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("Not de-duplicated")));
    let in2024: Vec<&Known> = known.iter().filter(|k| k.victim && k.identified_on.year() == 2024).collect();
    assert_eq!(r["detected"], in2024.len() as u64);
    let rows = r["rows"].as_array().unwrap();
    let row = |dim: &str, g: &str| rows.iter().find(|x| x["dimension"] == dim && x["group"] == g).unwrap_or_else(|| panic!("{dim}/{g}")).clone();
    let check = |dim: &str, g: &str, n: usize, pop: Option<f64>| {
        let x = row(dim, g);
        assert_eq!(x["count"], n as u64, "{dim}/{g}");
        match pop {
            Some(p) => assert!((x["rate"].as_f64().unwrap() - n as f64 / p * 1e5).abs() < 1e-9, "{dim}/{g}"),
            None => assert!(x["rate"].is_null() && x["rate_refused"].is_string(), "{dim}/{g}"),
        }
        assert_eq!(x["caution"].is_string(), n > 0 && n < 10, "{dim}/{g}");
    };
    let count = |f: &dyn Fn(&Known) -> bool| in2024.iter().filter(|k| f(k)).count();
    check("total", "total", in2024.len(), Some(2_000_000.0));
    check("sex", "female", count(&|k| k.sex == "female"), Some(1_020_000.0));
    check("sex", "male", count(&|k| k.sex == "male"), Some(980_000.0));
    check("sex", "unknown", count(&|k| k.sex == "unknown"), None);
    check("age_group", "0_17", count(&|k| k.age.is_some_and(|a| a < 18)), Some(500_000.0));
    check("age_group", "18_plus", count(&|k| k.age.is_some_and(|a| a >= 18)), Some(1_500_000.0));
    check("age_group", "unknown", count(&|k| k.age.is_none()), None);
    check("sex_age", "female/0_17", count(&|k| k.sex == "female" && k.age.is_some_and(|a| a < 18)), Some(245_000.0));
    check("sex_age", "female/18_plus", count(&|k| k.sex == "female" && k.age.is_some_and(|a| a >= 18)), Some(775_000.0));
    check("sex_age", "male/0_17", count(&|k| k.sex == "male" && k.age.is_some_and(|a| a < 18)), Some(255_000.0));
    // No population cell for men: the rate is refused, not derived.
    check("sex_age", "male/18_plus", count(&|k| k.sex == "male" && k.age.is_some_and(|a| a >= 18)), None);
    for f in ["sexual_exploitation", "forced_labour", "forced_begging", "servitude", "debt_bondage"] {
        check("form", f, count(&|k| k.forms.contains(&f)), Some(2_000_000.0));
    }
    // Series per quarter: identified, referred (referral sent), assisted (service started).
    let series = r["series"].as_array().unwrap();
    assert_eq!(series.len(), 4);
    let victim_ids: HashMap<CaseId, &Known> = known.iter().filter(|k| k.victim).map(|k| (k.id, k)).collect();
    for (q, b) in series.iter().enumerate() {
        let inq = |d: time::Date| d.year() == 2024 && (u8::from(d.month()) as usize - 1) / 3 == q;
        assert_eq!(b["identified"], in2024.iter().filter(|k| inq(k.identified_on)).count() as u64, "Q{}", q + 1);
        let uniq = |v: &[(CaseId, time::Date)]| v.iter().filter(|(c, d)| victim_ids.contains_key(c) && inq(*d)).map(|(c, _)| *c).collect::<std::collections::HashSet<_>>().len() as u64;
        assert_eq!(b["referred"], uniq(&referred), "Q{}", q + 1);
        assert_eq!(b["assisted"], uniq(&assisted), "Q{}", q + 1);
    }
    // A year without population figures: rates refused, with a warning.
    let (s, r2, _) = api.get("/api/v1/indicators?year=2023", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert!(r2["rows"].as_array().unwrap().iter().all(|x| x["rate"].is_null()));
    assert!(r2["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("No population figures")));

    // ----- access -----
    for tok in [&caseworker, &admin] {
        assert_eq!(api.get("/api/v1/indicators?year=2024", tok).await.0, StatusCode::FORBIDDEN);
        assert_eq!(api.get("/api/v1/estimates", tok).await.0, StatusCode::FORBIDDEN);
        assert_eq!(api.post_json("/api/v1/estimates", tok, json!({"lists": {"kind": "per_agency"}})).await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(api.get("/api/v1/indicators?year=2024&country=BR", &coordinator_es).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.get("/api/v1/population?country=BR", &coordinator_es).await.0, StatusCode::FORBIDDEN);
    // The regional monitor sees aggregates with small counts suppressed and no series.
    let (s, m, t) = api.get("/api/v1/indicators?year=2024&country=BR", &monitor).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(m["suppressed_below"], 5);
    assert!(m["series"].is_null());
    assert!(m["rows"].as_array().unwrap().iter().all(|x| x["count"].as_u64().unwrap() == 0 || x["count"].as_u64().unwrap() >= 5));
    assert_eq!(api.post_json("/api/v1/estimates", &monitor, json!({"lists": {"kind": "per_agency"}})).await.0, StatusCode::FORBIDDEN);

    // ----- estimation without linkage: lists cannot overlap, so a refusal, never a number -----
    let (s, run, t) = api.post_json("/api/v1/estimates", &coordinator, json!({"lists": {"kind": "per_agency"}, "bootstrap": 50})).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(run["unit"], "cases");
    assert!(run["strata"][0]["result"].is_null());
    assert!(run["strata"][0]["refusal"].as_str().unwrap().contains("overlap"), "{t}");

    // ----- estimation on persons with known overlaps -----
    let (coord_actor, _) = vigia.actor_for_token(&coordinator).await.unwrap().unwrap();
    let mut persons: BTreeMap<usize, Vec<(CaseId, AgencyId)>> = BTreeMap::new();
    for k in &known {
        persons.entry(k.person).or_default().push((k.id, agencies[k.agency].id));
    }
    let linked = LinkedPersons { run_id: "test-linkage".into(), persons: persons.into_iter().map(|(p, v)| (format!("p{p}"), v)).collect() };
    let spec = EstimateSpec {
        lists: ListsSpec::PerAgency,
        stratify: Stratify::None,
        from: None,
        to: None,
        criterion: vigia_mse::Criterion::Bic,
        bootstrap: 200,
        seed: 11,
        max_order: 2,
    };
    let run = vigia.run_estimate_with(&coord_actor, spec.clone(), Some(linked.clone())).await.unwrap();
    assert_eq!(run.basis.unit, "persons");
    assert_eq!(run.basis.linkage_run.as_deref(), Some("test-linkage"));
    assert_eq!(run.lists.len(), 3);
    let st = &run.strata[0];
    let res = st.result.as_ref().unwrap_or_else(|| panic!("refused: {:?}", st.refusal));
    // The observed persons: victims on at least one list.
    let observed = known.iter().filter(|k| k.victim).map(|k| k.person).collect::<std::collections::HashSet<_>>().len() as u64;
    assert_eq!(res.observed, observed);
    assert!(res.ci_low <= res.estimate && res.estimate <= res.ci_high);
    // The true number of victims (about 97% of N) lies in the interval for this seeded data.
    let victims_total = N as f64 * 0.97;
    assert!(res.ci_low < victims_total && victims_total < res.ci_high, "{} [{}, {}]", res.estimate, res.ci_low, res.ci_high);
    assert!(!res.candidates.is_empty());
    // The table was stored with the run; its counts are those of the persons.
    let table = st.table.as_ref().unwrap();
    assert_eq!(table.observed(), observed);

    // Stored, listed, and re-run to the same numbers through the API.
    let (s, v, t) = api.get(&format!("/api/v1/estimates/{}", run.id), &coordinator).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(v["strata"][0]["result"]["estimate"].as_f64().unwrap(), res.estimate);
    let (s, re, t) = api.call("POST", &format!("/api/v1/estimates/{}/rerun", run.id), &coordinator, None).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(re["reproduced"], true, "{t}");
    assert_eq!(re["rerun_of"], run.id.as_str());
    assert_eq!(re["strata"][0]["result"]["estimate"].as_f64().unwrap(), res.estimate);
    assert_eq!(re["strata"][0]["result"]["ci_low"].as_f64().unwrap(), res.ci_low);
    assert_eq!(re["strata"][0]["result"]["ci_high"].as_f64().unwrap(), res.ci_high);
    let (s, list, _) = api.get("/api/v1/estimates", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 3);

    // Stratified by sex: one result or refusal per stratum, never a silent gap.
    let run2 = vigia.run_estimate_with(&coord_actor, EstimateSpec { stratify: Stratify::Sex, bootstrap: 50, ..spec.clone() }, Some(linked.clone())).await.unwrap();
    let names: Vec<&str> = run2.strata.iter().map(|s| s.stratum.as_str()).collect();
    assert_eq!(names, vec!["female", "male", "other_or_unknown"]);
    assert!(run2.strata.iter().all(|s| s.result.is_some() != s.refusal.is_some()));
    // Two groups of agencies.
    let groups = ListsSpec::Groups { groups: vec![
        vigia_service::estimates::ListGroup { name: "Police".into(), agencies: vec![agencies[1].id] },
        vigia_service::estimates::ListGroup { name: "Civil society".into(), agencies: vec![agencies[0].id, agencies[2].id] },
    ] };
    let run3 = vigia.run_estimate_with(&coord_actor, EstimateSpec { lists: groups, bootstrap: 50, ..spec.clone() }, Some(linked)).await.unwrap();
    assert_eq!(run3.lists.len(), 2);
    assert!(run3.strata[0].result.is_some(), "{:?}", run3.strata[0].refusal);

    // Another country's coordinator sees nothing of these runs.
    assert_eq!(api.get(&format!("/api/v1/estimates/{}", run.id), &coordinator_es).await.0, StatusCode::NOT_FOUND);
    let (s, v, _) = api.get("/api/v1/estimates", &coordinator_es).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_array().unwrap().is_empty());
    assert_eq!(api.call("POST", &format!("/api/v1/estimates/{}/rerun", run.id), &coordinator_es, None).await.0, StatusCode::NOT_FOUND);

    // Pages (server-rendered, no script): indicators with inline SVG charts, population, runs.
    let (s, _, html) = api.get("/indicators?year=2024&by=quarter", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("SDG 16.2.2") && !html.contains("<script"), "{html}");
    let (s, _, html) = api.get("/population", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("test figures"));
    let (s, _, html) = api.get("/estimates", &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&run.id));
    let (s, _, html) = api.get(&format!("/estimates/{}", run.id), &coordinator).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Models considered") && html.contains("(chosen)"), "{html}");
    assert_eq!(api.get("/indicators", &caseworker).await.0, StatusCode::FORBIDDEN);
    assert_eq!(api.get("/estimates", &caseworker).await.0, StatusCode::FORBIDDEN);

    // Audited once per computation, without identifying detail.
    let mut after = 0;
    let mut actions = Vec::new();
    loop {
        let batch = store.audit_entries(after, 1000).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.record.seq;
        for e in batch {
            actions.push((e.record.action.clone(), e.record.detail.clone()));
        }
    }
    assert!(actions.iter().any(|(a, d)| a == "indicators.read" && d.contains("country=BR")));
    assert!(actions.iter().any(|(a, _)| a == "estimate.run"));
    assert!(actions.iter().any(|(a, d)| a == "estimate.rerun" && d.contains("rerun_of=")));
    assert!(actions.iter().any(|(a, d)| a == "population.import" && d.contains("years=2024")));
    assert!(actions.iter().all(|(_, d)| !d.contains("P1")), "no identifying value in the audit detail");
}

#[tokio::test]
async fn estimates_sqlite() {
    scenario(Backend::Sqlite).await;
}

#[tokio::test]
async fn estimates_postgres() {
    scenario(Backend::Postgres).await;
}
