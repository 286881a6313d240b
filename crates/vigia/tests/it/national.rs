//! "One person, one count" end to end: 1,500 demo cases (about a fifth of
//! persons recorded by two or three agencies, with realistic variants) are
//! inserted through the service; the Brazilian coordinator runs national
//! linkage on encodings (an agency does not allow clear text) and in clear
//! text (all allow it). Measured: pair precision and recall against the
//! hidden true person ids; no names reach a coordinator without an identity
//! grant (API and pages, 403 on review); a granted coordinator's decisions
//! change the persons; counts equal an independent computation; every case
//! read by a run is in the audit log and the chain verifies.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::json;
use vigia_domain::case::{Exploitation, NewCase};
use vigia_domain::ids::{AgencyId, CaseId};
use vigia_domain::taxonomy::{Role, Sex};
use vigia_service::{AuditEvent, Email, Vigia};

use crate::common::*;


async fn user(v: &Vigia, email: &str, role: Role, agency: AgencyId) -> String {
    let e = Email::parse(email).unwrap();
    v.add_user(&e, role, agency, "a long enough password").await.unwrap();
    v.create_token(&e).await.unwrap()
}

/// Pairs (as sorted case-id pairs) inside the groups.
fn pairs_of(groups: &[Vec<CaseId>]) -> HashSet<(CaseId, CaseId)> {
    let mut out = HashSet::new();
    for g in groups {
        for i in 0..g.len() {
            for j in i + 1..g.len() {
                out.insert((g[i].min(g[j]), g[i].max(g[j])));
            }
        }
    }
    out
}

async fn persons(api: &Api, token: &str) -> Vec<Vec<CaseId>> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (s, v, t) = api.call("GET", &format!("/api/v1/national/persons?limit=1000&offset={offset}"), token, None).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let items = v["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for p in items {
            out.push(p["cases"].as_array().unwrap().iter().map(|c| c["case_id"].as_str().unwrap().parse().unwrap()).collect());
        }
        offset += items.len();
        if offset as u64 >= v["total"].as_u64().unwrap() {
            break;
        }
    }
    out
}

/// Pair precision and recall of the predicted persons against the truth.
fn score(pred: &[Vec<CaseId>], truth: &HashSet<(CaseId, CaseId)>) -> (f64, f64) {
    let p = pairs_of(pred);
    let tp = p.intersection(truth).count() as f64;
    (tp / p.len().max(1) as f64, tp / truth.len().max(1) as f64)
}

/// The documented rules, written again independently of the domain code.
fn independent_counts(persons: &[Vec<CaseId>], facts: &HashMap<CaseId, NewCase>) -> BTreeMap<&'static str, BTreeMap<String, u64>> {
    let mut out: BTreeMap<&'static str, BTreeMap<String, u64>> = BTreeMap::new();
    for p in persons {
        let mut recs: Vec<(&CaseId, &NewCase)> = p.iter().map(|c| (c, &facts[c])).collect();
        recs.sort_by(|a, b| (a.1.facts.identified_on, a.0.to_string()).cmp(&(b.1.facts.identified_on, b.0.to_string())));
        let pick = |vals: Vec<Option<String>>| -> String {
            let mut n: Vec<(String, usize, usize)> = Vec::new();
            for (i, v) in vals.into_iter().enumerate() {
                if let Some(v) = v {
                    match n.iter_mut().find(|x| x.0 == v) {
                        Some(x) => x.1 += 1,
                        None => n.push((v, 1, i)),
                    }
                }
            }
            n.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
            n.first().map(|x| x.0.clone()).unwrap_or_else(|| "unknown".into())
        };
        let sex = pick(recs.iter().map(|r| (r.1.facts.sex != Sex::Unknown).then(|| r.1.facts.sex.code().to_string())).collect());
        let cit = pick(recs.iter().map(|r| r.1.facts.citizenship.map(|c| c.code().to_string())).collect());
        let age = match recs.iter().find_map(|r| r.1.facts.is_minor()) {
            Some(true) => "child",
            Some(false) => "adult",
            None => "unknown",
        };
        let forms: BTreeSet<String> = recs
            .iter()
            .flat_map(|r| r.1.facts.exploitation.iter().map(|e| if let Exploitation::Kind(k) = e { k.code().to_string() } else { "other".to_string() }))
            .collect();
        *out.entry("by_sex").or_default().entry(sex).or_default() += 1;
        *out.entry("by_citizenship").or_default().entry(cit).or_default() += 1;
        *out.entry("by_age_group").or_default().entry(age.to_string()).or_default() += 1;
        for f in forms {
            *out.entry("by_exploitation").or_default().entry(f).or_default() += 1;
        }
    }
    out
}

async fn national(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let vigia = db.vigia(clock()).await;
    let api = Api { router: vigia_web::router(vigia_web::AppState::new(vigia.clone(), false)) };
    let data = vigia_demo::generate(20250601, 1500, vigia.today());

    let mut agencies: HashMap<&str, AgencyId> = HashMap::new();
    for a in &data.agencies {
        agencies.insert(a.key, vigia.add_agency(&a.name, a.kind, a.country, a.subdivision.clone()).await.unwrap().id);
    }
    let br: HashSet<&str> = data.agencies.iter().filter(|a| a.country.code() == "BR").map(|a| a.key).collect();
    let coord = user(&vigia, "coord@gov.example", Role::Coordinator, agencies["br-coord"]).await;
    let granted = user(&vigia, "granted@gov.example", Role::Coordinator, agencies["br-coord"]).await;
    vigia.set_identity_grant(&Email::parse("granted@gov.example").unwrap(), true).await.unwrap();
    let mut admins: HashMap<&str, String> = HashMap::new();
    for key in &br {
        if *key != "br-coord" {
            admins.insert(key, user(&vigia, &format!("admin@{key}.example"), Role::AgencyAdmin, agencies[key]).await);
        }
    }

    // Insert the cases as the demo does; remember the hidden person of each Brazilian case.
    let mut truth_person: HashMap<CaseId, u32> = HashMap::new();
    let mut facts: HashMap<CaseId, NewCase> = HashMap::new();
    let all_agencies = vigia.store().list_agencies().await.unwrap();
    for chunk in data.cases.chunks(500) {
        let mut stored = Vec::new();
        let mut events = Vec::new();
        for c in chunk {
            let agency = all_agencies.iter().find(|a| a.id == agencies[c.agency_key]).unwrap();
            let sc = vigia.prepare_case(&c.case, agency, vigia_domain::ids::UserId(agency.id.as_uuid()));
            events.push(AuditEvent { at_ms: vigia.clock().now_ms(), actor: None, action: "case.create".into(), case_id: Some(sc.case.id), detail: "test".into() });
            if br.contains(c.agency_key) {
                truth_person.insert(sc.case.id, c.person);
                facts.insert(sc.case.id, c.case.clone());
            }
            stored.push(sc);
        }
        vigia.store().insert_cases(&stored, &events).await.unwrap();
    }
    let mut by_person: BTreeMap<u32, Vec<CaseId>> = BTreeMap::new();
    for (c, p) in &truth_person {
        by_person.entry(*p).or_default().push(*c);
    }
    let true_groups: Vec<Vec<CaseId>> = by_person.into_values().collect();
    let truth = pairs_of(&true_groups);
    assert!(truth.len() > 30, "the demo must hold duplicates: {}", truth.len());

    // Settings: only the administrator of an agency sets it; default is no (encodings).
    let (s, v, _) = api.call("GET", "/api/v1/national/linkage-setting", &admins["br-pe-ngo"], None).await;
    assert_eq!((s, v["clear_text_allowed"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, _, _) = api.call("PUT", "/api/v1/national/linkage-setting", &coord, Some(json!({"clear_text_allowed": true}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, t) = api.call("PUT", "/api/v1/national/linkage-setting", &admins["br-pe-ngo"], Some(json!({"clear_text_allowed": true}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{t}");
    // Agency staff cannot run linkage.
    let (s, _, _) = api.call("POST", "/api/v1/national/linkage/runs", &admins["br-pe-ngo"], None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // 1. Encoded run (not every agency allows clear text), by a coordinator without grant.
    let (s, run, t) = api.call("POST", "/api/v1/national/linkage/runs", &coord, None).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(run["mode"], "encoded");
    assert_eq!(run["records"].as_u64().unwrap() as usize, truth_person.len());
    let enc_run = run["id"].as_str().unwrap().to_string();
    let pred = persons(&api, &coord).await;
    let (p_enc, r_enc) = score(&pred, &truth);
    eprintln!(
        "national linkage (encoded): {} records, {} true persons, {} persons found, pair precision {p_enc:.4} recall {r_enc:.4}",
        truth_person.len(),
        true_groups.len(),
        pred.len()
    );
    // Measured, not tuned (seed 20250601, 1,500 demo cases, 676 Brazilian; the key
    // is random per test database): precision 0.92 to 0.96, recall 0.48 to 0.51
    // (seeds 7 and 99: precision 0.86 to 0.94, recall 0.47 to 0.62). Before the
    // library's two-stage EM: precision 0.08 to 0.43 (over-merging), recall 0.68
    // to 0.75. Recall is capped by the data: 15 to 22 % of the true pairs are never
    // compared (no name on one side, or a partly agreeing name and no date of birth).
    assert!(p_enc >= 0.85 && r_enc >= 0.42, "encoded precision {p_enc} recall {r_enc}");

    // No name anywhere for the coordinator without grant; review is refused.
    let names: HashSet<String> = facts
        .values()
        .flat_map(|c| [c.identity.given_names.clone(), c.identity.family_names.clone()])
        .flatten()
        .flat_map(|n| n.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|n| n.chars().count() >= 5)
        .filter(|n| !all_agencies.iter().any(|a| a.name.contains(n.as_str())))
        .collect();
    let leaks = |body: &str| names.iter().filter(|n| body.contains(n.as_str())).cloned().collect::<Vec<_>>();
    for uri in ["/api/v1/national/linkage/runs/latest", "/api/v1/national/persons?limit=1000", "/api/v1/national/counts", "/national"] {
        let (s, _, body) = api.call("GET", uri, &coord, None).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(leaks(&body).is_empty(), "{uri} shows names to a coordinator without grant");
    }
    assert!(leaks(&t).is_empty());
    for uri in ["/api/v1/national/review/pairs", "/national/review"] {
        let (s, _, body) = api.call("GET", uri, &coord, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
        assert!(leaks(&body).is_empty());
    }
    let (a0, b0) = (true_groups[0][0], *true_groups.iter().flatten().nth(5).unwrap());
    let (s, _, _) = api.call("POST", "/api/v1/national/review/decisions", &coord, Some(json!({"a": a0.to_string(), "b": b0.to_string(), "verdict": "same"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Every case read by the run is in the audit log, once.
    let mut read: Vec<CaseId> = Vec::new();
    let mut after = 0;
    loop {
        let page = vigia.store().audit_entries(after, 5000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.record.seq;
        read.extend(
            page.iter()
                .map(|e| &e.record)
                .filter(|r| r.action == "case.read" && r.detail == format!("linkage run {enc_run}"))
                .filter_map(|r| r.case_id.as_deref().and_then(|c| c.parse::<CaseId>().ok())),
        );
    }
    assert_eq!(read.len(), truth_person.len());
    assert_eq!(read.iter().collect::<HashSet<_>>(), truth_person.keys().collect::<HashSet<_>>());

    // 2. Clear-text run: every Brazilian agency allows it.
    for key in admins.keys() {
        let (s, _, _) = api.call("PUT", "/api/v1/national/linkage-setting", &admins[key], Some(json!({"clear_text_allowed": true}))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, run, t) = api.call("POST", "/api/v1/national/linkage/runs", &coord, None).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(run["mode"], "clear", "{t}");
    let pred = persons(&api, &coord).await;
    let (p_clr, r_clr) = score(&pred, &truth);
    eprintln!("national linkage (clear): {} persons found of {} true, pair precision {p_clr:.4} recall {r_clr:.4}", pred.len(), true_groups.len());
    // Measured: precision 0.71, recall 0.60 (seeds 7 and 99: 0.94 / 0.54 and
    // 0.65 / 0.69); before the library's two-stage EM 0.59 / 0.67. Target 0.9 not met.
    assert!(p_clr >= 0.65 && r_clr >= 0.55, "clear precision {p_clr} recall {r_clr}");
    let rel = (pred.len() as f64 - true_groups.len() as f64).abs() / true_groups.len() as f64;
    // Persons: 8 % more than the truth (other seeds: 1 % to 14 % more): the model
    // now errs on the side of not merging.
    assert!(rel < 0.12, "persons {} vs true {}", pred.len(), true_groups.len());

    // 3. Clerical review by the granted coordinator: names side by side, decisions change persons.
    let (s, pairs, t) = api.call("GET", "/api/v1/national/review/pairs?limit=10", &granted, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let (s, _, page) = api.call("GET", "/national/review", &granted, None).await;
    assert_eq!(s, StatusCode::OK);
    let pairs = pairs.as_array().unwrap().clone();
    eprintln!("pairs awaiting review: {} shown (run lists {})", pairs.len(), run["review_pairs"]);
    if let Some(p) = pairs.first() {
        assert!(p["a"]["family_names"].is_string() || p["a"]["given_names"].is_string());
        assert!(!leaks(&page).is_empty(), "the review page shows names to a granted coordinator");
    }
    // Two records of two different persons now: "same" merges them.
    let before = run["persons"].as_u64().unwrap();
    let (x, y) = (pred[0][0], pred[1][0]);
    let (s, r, t) = api.call("POST", "/api/v1/national/review/decisions", &granted, Some(json!({"a": x.to_string(), "b": y.to_string(), "verdict": "same"}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(r["persons"].as_u64().unwrap(), before - 1);
    let (coord_actor, _) = vigia.actor_for_token(&coord).await.unwrap().unwrap();
    assert!(vigia.linked_together(&coord_actor, x, y).await.unwrap());
    // "different" takes it back; on a linked pair of one person it splits them.
    let (s, r, _) = api.call("POST", "/api/v1/national/review/decisions", &granted, Some(json!({"a": x.to_string(), "b": y.to_string(), "verdict": "different"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["persons"].as_u64().unwrap(), before);
    assert!(!vigia.linked_together(&coord_actor, x, y).await.unwrap());
    let pair = pred.iter().find(|p| p.len() == 2).expect("a person with two records").clone();
    let (s, r, _) = api.call("POST", "/api/v1/national/review/decisions", &granted, Some(json!({"a": pair[0].to_string(), "b": pair[1].to_string(), "verdict": "different"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["persons"].as_u64().unwrap(), before + 1);
    assert!(!vigia.linked_together(&coord_actor, pair[0], pair[1]).await.unwrap());
    let (s, _, _) = api.call("POST", "/api/v1/national/review/decisions", &granted, Some(json!({"a": x.to_string(), "b": y.to_string(), "verdict": "maybe"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // 4. Figures on persons equal an independent computation on the clusters.
    let pred = persons(&api, &coord).await;
    let (s, counts, t) = api.call("GET", "/api/v1/national/counts", &coord, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(counts["persons"].as_u64().unwrap() as usize, pred.len());
    assert_eq!(counts["records"].as_u64().unwrap() as usize, truth_person.len());
    let expect = independent_counts(&pred, &facts);
    for key in ["by_sex", "by_age_group", "by_exploitation", "by_citizenship"] {
        let got: BTreeMap<String, u64> =
            counts[key].as_array().unwrap().iter().filter(|l| l["persons"].as_u64().unwrap() > 0).map(|l| (l["code"].as_str().unwrap().to_string(), l["persons"].as_u64().unwrap())).collect();
        assert_eq!(got, expect[key], "{key}");
        let records: u64 = counts[key].as_array().unwrap().iter().map(|l| l["records"].as_u64().unwrap()).sum();
        if key != "by_exploitation" {
            assert_eq!(records as usize, truth_person.len(), "{key}");
        }
    }
    // The national page draws the figures (inline SVG) without names.
    let (s, _, html) = api.call("GET", "/national", &coord, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains(&format!("id=\"persons\">{}<", pred.len())), "national page");
    assert!(leaks(&html).is_empty());

    // The chain verifies.
    let (c, out, e) = db.run(&["audit", "verify"], None);
    assert_eq!(c, 0, "{out}{e}");
}

#[tokio::test]
async fn national_linkage_sqlite() {
    national(Backend::Sqlite).await;
}

#[tokio::test]
async fn national_linkage_postgres() {
    national(Backend::Postgres).await;
}
