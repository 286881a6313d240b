//! Routes and maps: corridor counts from the API equal counts computed here,
//! independently, from the cases inserted (SQLite and PostgreSQL); access by
//! role; GeoJSON; the place picker's search and reverse lookup; and a crawler
//! that logs in as every demo role, follows every same-site link and asserts
//! that no page, style sheet or script refers to another host.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

async fn get(router: &axum::Router, uri: &str, token: &str) -> (StatusCode, Value, String) {
    let req = Request::builder().uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

async fn post(router: &axum::Router, uri: &str, token: &str, body: &Value) -> StatusCode {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    router.clone().oneshot(req).await.unwrap().status()
}

/// Places the generated routes draw from: (country, subdivision).
const PLACES: &[(&str, Option<&str>)] = &[
    ("BR", Some("BR-PE")),
    ("BR", Some("BR-SP")),
    ("BR", Some("BR-BA")),
    ("BR", None),
    ("PY", Some("PY-ASU")),
    ("BO", None),
    ("ES", Some("ES-M")),
    ("PT", None),
    ("AR", Some("AR-B")),
];
const EXPLOITATION: &[&str] = &["sexual_exploitation", "forced_labour", "forced_criminality"];

/// A small deterministic generator (no randomness crate needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One generated case: its JSON and the facts the expected counts need.
struct Gen {
    body: Value,
    agency: &'static str,
    sex: &'static str,
    age: u8,
    exploitation: &'static str,
    date: String,
    route: Vec<(&'static str, Option<&'static str>)>,
}

fn generate(n: usize, seed: u64) -> Vec<Gen> {
    let mut r = Lcg(seed);
    (0..n)
        .map(|i| {
            let len = r.next(5); // 0..=4 places
            let route: Vec<(&str, Option<&str>)> = (0..len).map(|_| PLACES[r.next(PLACES.len())]).collect();
            let sex = ["female", "male"][r.next(2)];
            let age = [12u8, 16, 25, 40][r.next(4)];
            let exploitation = EXPLOITATION[r.next(EXPLOITATION.len())];
            let date = format!("2024-{:02}-{:02}", 1 + r.next(12), 1 + r.next(28));
            let agency = ["a", "b"][r.next(2)];
            let citizenship = ["BR", "PY", "BO"][r.next(3)];
            let body = json!({
                "identity": {"given_names": format!("Synthetic{i}"), "family_names": "Maptest"},
                "sex": sex, "age_at_identification": age, "citizenship": citizenship,
                "acts": ["recruitment"], "means": ["deception"], "exploitation": [exploitation],
                "identified_on": date,
                "route": route.iter().map(|(c, s)| match s { Some(s) => json!({"country": c, "subdivision": s}), None => json!({"country": c}) }).collect::<Vec<_>>(),
            });
            Gen { body, agency, sex, age, exploitation, date, route }
        })
        .collect()
}

/// Expected corridors, computed from the generated cases without Vigia's code:
/// (origin, transit, destination) → cases, at country or subdivision level.
fn expected<'a>(cases: impl Iterator<Item = &'a Gen>, subdivision: bool) -> BTreeMap<(String, Vec<String>, String), u64> {
    let mut m = BTreeMap::new();
    for c in cases {
        if c.route.is_empty() {
            continue;
        }
        let code = |p: &(&str, Option<&str>)| if subdivision { p.1.unwrap_or(p.0).to_string() } else { p.0.to_string() };
        let mut seq: Vec<String> = Vec::new();
        for p in &c.route {
            let k = code(p);
            if seq.last() != Some(&k) {
                seq.push(k);
            }
        }
        let origin = seq[0].clone();
        let dest = seq[seq.len() - 1].clone();
        let transit = if seq.len() > 2 { seq[1..seq.len() - 1].to_vec() } else { vec![] };
        *m.entry((origin, transit, dest)).or_insert(0) += 1;
    }
    m
}

fn from_api(v: &Value) -> BTreeMap<(String, Vec<String>, String), u64> {
    v["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let transit = c["transit"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
            ((c["origin"].as_str().unwrap().to_string(), transit, c["destination"].as_str().unwrap().to_string()), c["cases"].as_u64().unwrap())
        })
        .collect()
}

async fn corridor_counts(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let tokens = setup_users(&db);
    let vigia = db.vigia(clock()).await;
    let router = vigia_web::router(vigia_web::AppState::new(vigia, false));
    let cases = generate(120, 7);
    for c in &cases {
        let tok = if c.agency == "a" { &tokens["caseworker_a"] } else { &tokens["caseworker_b"] };
        assert_eq!(post(&router, "/api/v1/cases", tok, &c.body).await, StatusCode::CREATED);
    }
    let coord = &tokens["coordinator"];

    // Every case of the country, both levels.
    for (level, sub) in [("country", false), ("subdivision", true)] {
        let (s, v, t) = get(&router, &format!("/api/v1/routes/corridors?level={level}"), coord).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let want = expected(cases.iter(), sub);
        assert_eq!(from_api(&v), want, "corridors at {level} level");
        assert_eq!(v["cases"], json!(cases.len()));
        assert_eq!(v["cases_with_route"], json!(cases.iter().filter(|c| !c.route.is_empty()).count()));
        assert_eq!(v["distinct_routes"], json!(want.len()));
        let international = cases.iter().filter(|c| c.route.iter().any(|p| p.0 != c.route[0].0)).count();
        assert_eq!(v["international"], json!(international));
        assert_eq!(v["scope"], "country");
    }

    // Filters, each against its own independent count.
    type Pred = fn(&Gen) -> bool;
    let filters: &[(&str, Pred)] = &[
        ("sex=male", |c| c.sex == "male"),
        ("age_group=child", |c| c.age < 18),
        ("age_group=adult", |c| c.age >= 18),
        ("exploitation=forced_labour", |c| c.exploitation == "forced_labour"),
        ("agency_kind=police", |c| c.agency == "b"),
        ("from=2024-04-01&to=2024-06-30", |c| c.date.as_str() >= "2024-04-01" && c.date.as_str() <= "2024-06-30"),
        ("sex=female&exploitation=sexual_exploitation&agency_kind=ngo", |c| c.sex == "female" && c.exploitation == "sexual_exploitation" && c.agency == "a"),
    ];
    for (q, pred) in filters {
        let (s, v, t) = get(&router, &format!("/api/v1/routes/corridors?{q}"), coord).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(from_api(&v), expected(cases.iter().filter(|c| pred(c)), false), "filter {q}");
        assert_eq!(v["cases"], json!(cases.iter().filter(|c| pred(c)).count()), "filter {q}");
    }
    // Place filter: routes touching Paraguay.
    let (_, v, _) = get(&router, "/api/v1/routes/corridors?place=PY", coord).await;
    assert_eq!(from_api(&v), expected(cases.iter().filter(|c| c.route.iter().any(|p| p.0 == "PY")), false));

    // Places: destination counts per country.
    let (s, v, _) = get(&router, "/api/v1/routes/places", coord).await;
    assert_eq!(s, StatusCode::OK);
    let mut dest: BTreeMap<String, u64> = BTreeMap::new();
    for c in cases.iter().filter(|c| !c.route.is_empty()) {
        *dest.entry(c.route[c.route.len() - 1].0.to_string()).or_default() += 1;
    }
    let got: BTreeMap<String, u64> = serde_json::from_value(v["destination"].clone()).unwrap();
    assert_eq!(got, dest);

    // Agency staff see their own agency's cases only.
    let (_, v, _) = get(&router, "/api/v1/routes/corridors", &tokens["caseworker_a"]).await;
    assert_eq!(v["scope"], "agency");
    assert_eq!(from_api(&v), expected(cases.iter().filter(|c| c.agency == "a"), false));
    // Another country's coordinator sees none of them; the regional monitor sees all.
    let (_, v, _) = get(&router, "/api/v1/routes/corridors", &tokens["coordinator_es"]).await;
    assert_eq!(v["cases"], json!(0));
    let (_, v, _) = get(&router, "/api/v1/routes/corridors", &tokens["monitor"]).await;
    assert_eq!(v["cases"], json!(cases.len()));
    // Auditors: refused (and the refusal is audited).
    let (s, _, _) = get(&router, "/api/v1/routes/corridors", &tokens["auditor"]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Bad filters are named.
    let (s, v, _) = get(&router, "/api/v1/routes/corridors?sex=x&place=QQ&level=city", coord).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: BTreeSet<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, BTreeSet::from(["sex", "place", "level"]));

    // GeoJSON.
    let (s, v, _) = get(&router, "/api/v1/routes/corridors?format=geojson", coord).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["type"], "FeatureCollection");
    let total: u64 = v["features"].as_array().unwrap().iter().map(|f| f["properties"]["cases"].as_u64().unwrap()).sum();
    assert_eq!(total, expected(cases.iter(), false).values().sum::<u64>());
    assert!(v["features"].as_array().unwrap().iter().all(|f| f["geometry"]["type"] == "LineString"));
    let (_, v, _) = get(&router, "/api/v1/routes/places?format=geojson", coord).await;
    assert!(v["features"].as_array().unwrap().iter().any(|f| f["properties"]["code"] == "ES" && f["geometry"]["type"] == "Point"));

    // One audit entry per aggregate request, naming no filter value.
    let (_, audit, _) = get(&router, "/api/v1/audit?limit=1000", &tokens["auditor"]).await;
    let text = audit.to_string();
    assert!(text.contains("routes.aggregate"));
    assert!(!text.contains("Synthetic"));

    // Pages render for the coordinator (in-process, bearer token).
    for uri in ["/maps", "/maps?place=BR&sex=female", "/maps/BR", "/maps/BR?place=BR-PE", "/about/data"] {
        let (s, _, t) = get(&router, uri, coord).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(t.contains("<svg") || uri == "/about/data", "{uri}");
    }
}

#[tokio::test]
async fn corridor_counts_sqlite() {
    corridor_counts(Backend::Sqlite).await;
}

#[tokio::test]
async fn corridor_counts_postgres() {
    corridor_counts(Backend::Postgres).await;
}

#[tokio::test]
async fn place_search_and_reverse() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else { return };
    let tokens = setup_users(&db);
    let router = vigia_web::router(vigia_web::AppState::new(db.vigia(clock()).await, false));
    let tok = &tokens["caseworker_a"];
    let (s, v, _) = get(&router, "/api/v1/places/search?q=recif&country=BR", tok).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["municipality"], "Recife");
    assert_eq!(v[0]["subdivision"], "BR-PE");
    let (_, v, _) = get(&router, "/api/v1/places/search?q=Bresil&lang=fr", tok).await;
    assert_eq!(v[0]["country"], "BR");
    assert_eq!(v[0]["name"], "Brésil");
    let (s, v, _) = get(&router, "/api/v1/places/reverse?lat=-23.55&lon=-46.63", tok).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["country"].as_str(), v["subdivision"].as_str()), (Some("BR"), Some("BR-SP")));
    let (s, _, _) = get(&router, "/api/v1/places/reverse?lat=0&lon=-30", tok).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = get(&router, "/api/v1/places/search?q=recife", "not-a-token").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Every `http(s)://host` in attributes and CSS that is not our own server and
/// would be loaded (src, style sheets, url(), @import, form actions); plain
/// `<a href>` links to other hosts go to `anchors`.
fn foreign_refs_split(body: &str, own: &str, anchors: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    let lower = body.to_ascii_lowercase();
    for scheme in ["http://", "https://", "//"] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(scheme) {
            let at = from + i;
            from = at + scheme.len();
            // What precedes: an attribute value, url( or @import.
            let before = lower[..at].trim_end_matches(['"', '\'', ' ']);
            let referring = before.ends_with("src=") || before.ends_with("href=") || before.ends_with("url(") || before.ends_with("@import") || before.ends_with("action=");
            if !referring {
                continue;
            }
            let rest = &body[at..];
            let end = rest.find(['"', '\'', ')', ' ', '>']).unwrap_or(rest.len());
            let r = &rest[..end];
            // A plain link (<a href>) to a document elsewhere loads nothing by itself: it is
            // reported apart (recorded document links in the knowledge library), not a load.
            let tag_start = lower[..at].rfind('<').unwrap_or(0);
            let is_anchor = lower[tag_start..].starts_with("<a ") && before.ends_with("href=");
            if !r.starts_with(own) {
                if is_anchor {
                    anchors.push(r.to_string());
                } else {
                    out.push(r.to_string());
                }
            }
        }
    }
    out
}

fn foreign_refs(body: &str, own: &str) -> Vec<String> {
    let mut anchors = Vec::new();
    let mut v = foreign_refs_split(body, own, &mut anchors);
    v.extend(anchors);
    v
}

#[test]
fn foreign_ref_finder() {
    let own = "http://127.0.0.1:1";
    assert!(foreign_refs(r#"<a href="/x"><img src="http://127.0.0.1:1/a.png">"#, own).is_empty());
    assert_eq!(foreign_refs(r#"<script src="https://cdn.example/x.js">"#, own), ["https://cdn.example/x.js"]);
    assert_eq!(foreign_refs("body{background:url(//evil.example/a.png)}", own), ["//evil.example/a.png"]);
    assert_eq!(foreign_refs("@import 'http://fonts.example/css';", own), ["http://fonts.example/css"]);
    // The SVG namespace is not a reference to load.
    assert!(foreign_refs(r#"<svg xmlns="http://www.w3.org/2000/svg">"#, own).is_empty());
    let mut anchors = Vec::new();
    assert!(foreign_refs_split(r#"<a class="doc" href="https://example.org/a.pdf">"#, own, &mut anchors).is_empty());
    assert_eq!(anchors, ["https://example.org/a.pdf"]);
    assert_eq!(foreign_refs_split(r#"<link rel="stylesheet" href="https://cdn.example/a.css">"#, own, &mut anchors), ["https://cdn.example/a.css"]);
}

/// Same-site links, scripts and style sheets of a page (path and query).
fn links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut from = 0;
        while let Some(i) = body[from..].find(attr) {
            let start = from + i + attr.len();
            let Some(len) = body[start..].find('"') else { break };
            let raw = body[start..start + len].replace("&amp;", "&");
            from = start + len;
            if raw.starts_with('/') && !raw.starts_with("//") {
                out.push(raw.split('#').next().unwrap_or("").to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn crawl_every_page_for_foreign_hosts() {
    let Some(db) = TestDb::new(Backend::Sqlite).await else { return };
    let (c, out, e) = db.run(&["demo", "--no-serve", "--cases", "400"], None);
    assert_eq!(c, 0, "{e}");
    // "  role  email  password PASSWORD  (agency)"
    let logins: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let p = w.iter().position(|x| *x == "password")?;
            Some((w.get(p - 1)?.to_string(), w.get(p + 1)?.to_string()))
        })
        .collect();
    assert!(logins.len() >= 5, "{out}");
    let server = Server::start(&db);
    let own = server.base.clone();
    let mut checked = 0usize;
    // Plain links to documents elsewhere (recorded in the knowledge library): listed, not loaded.
    let mut outbound: BTreeSet<String> = BTreeSet::new();
    for (email, password) in &logins {
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::limited(5)).build().unwrap();
        let res = client
            .post(format!("{own}/login"))
            .header("origin", &own)
            .form(&[("email", email.as_str()), ("password", password.as_str())])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "login {email}: {}", res.status());
        let mut queue: Vec<String> = vec!["/".into(), "/maps".into(), "/maps/BR".into(), "/about/data".into()];
        let mut seen: HashMap<String, ()> = HashMap::new();
        while let Some(path) = queue.pop() {
            // Skip what logs out, and case-specific pages beyond a few (they are all one template).
            if path.starts_with("/logout") || seen.contains_key(&path) || seen.len() > 80 {
                continue;
            }
            seen.insert(path.clone(), ());
            let res = client.get(format!("{own}{path}")).send().await.unwrap();
            let status = res.status();
            let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let ctype = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let body = res.text().await.unwrap();
            assert!(!status.is_server_error(), "{email} {path}: {status}");
            assert!(csp.contains("default-src 'self'") && !csp.contains("http"), "{path}: CSP {csp}");
            let mut anchors = Vec::new();
            let foreign = foreign_refs_split(&body, &own, &mut anchors);
            assert!(foreign.is_empty(), "{email} {path} loads from other hosts: {foreign:?}");
            if !anchors.is_empty() {
                outbound.insert(format!("{path}: {}", anchors.join(" ")));
            }
            checked += 1;
            if ctype.starts_with("text/html") {
                for l in links(&body) {
                    // Do not follow the API's JSON beyond what pages link (it has no references), nor downloads.
                    // Filtered map pages ("place=") are the same template as the unfiltered ones.
                    if !seen.contains_key(&l) && !l.starts_with("/api/v1/exports") && !l.contains("place=") {
                        queue.push(l);
                    }
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} pages crawled");
    // Vigia's own markup never links elsewhere: only user-recorded document links may.
    for o in &outbound {
        eprintln!("outbound link (not loaded): {o}");
        assert!(o.starts_with("/knowledge"), "a page other than the knowledge library links to another host: {o}");
    }
}
