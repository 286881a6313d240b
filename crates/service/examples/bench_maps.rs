//! Route and map aggregates over N synthetic cases (default 1,000,000).
//!
//! `cargo run --release -p vigia-service --example bench_maps -- [N] [--db URL]`
//! generates N cases into a fresh database (SQLite in a temp dir unless `--db`
//! names an empty PostgreSQL database or schema), then times
//! `Vigia::route_aggregate` (policy, audit append, the check for cases written
//! since the last call, the scan of the in-memory fact table, the pure corridor
//! aggregation) for three kinds of caller and eight filter sets, and prints
//! p50/p95. The one-off load of the fact table (what `serve` does at start) is
//! timed apart. Cases are written straight through the
//! store (facts in clear, a dummy identity ciphertext): the benchmark measures
//! reads, not encryption. Synthetic data only.

use std::sync::Arc;
use std::time::Instant;

use time::{Date, Month};
use vigia_domain::case::{Age, AgeInfo, Case, CaseFacts, Exploitation};
use vigia_domain::geo::{Country, Place, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::Actor;
use vigia_domain::taxonomy::{Act, AgencyKind, CaseStatus, ExploitationKind, Means, Role, Sex};
use vigia_geo::routes::Level;
use vigia_service::routes::{AgeGroup, RouteQuery};
use vigia_service::{Agency, Keys, StoredCase, SystemClock, Vigia};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const ORIGINS: &[&str] = &["BR-PE", "BR-BA", "BR-MA", "BR-PA", "PY-ASU", "BO-L", "NG-ED", "NG-LA", "GH-AA", "CO-ANT", "VE-A", "BR-SP", "AR-C"];
const TRANSITS: &[&str] = &["BR-SP", "ES-M", "PT-11", "AR-C", "GH-AA", "CO-ANT"];
const DESTS: &[&str] = &["ES-M", "ES-CT", "PT-11", "IT-25", "BR-SP", "BR-RJ", "AR-C", "NG-LA", "BR-PE", "ES-AN"];
const COUNTRIES: &[&str] = &["BR", "ES", "PT", "AR", "PY", "NG", "GH", "IT"];

fn place(code: &str) -> Place {
    let sub = Subdivision::parse(code).ok();
    let cc = Country::parse(code.split('-').next().unwrap_or("BR")).expect("country");
    Place::new(cc, sub.filter(|s| s.country_code() == cc.code()), None, None).expect("place")
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[i.min(v.len() - 1)]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let url = match args.iter().position(|a| a == "--db") {
        Some(i) => args.get(i + 1).cloned().unwrap_or_default(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let (keys, _) = Keys::load_or_create(&dir.path().join("bench.key"), true)?;
    let store = vigia_store::open(&url, keys.audit_key(), true).await?;
    let vigia = Vigia::new(store.clone(), keys, Arc::new(SystemClock));

    let kinds = [AgencyKind::Police, AgencyKind::Ngo, AgencyKind::LabourInspection, AgencyKind::Shelter, AgencyKind::Prosecution];
    let mut agencies: Vec<Agency> = Vec::new();
    for cc in COUNTRIES {
        for (k, kind) in kinds.iter().enumerate() {
            let a = Agency {
                id: AgencyId(uuid::Uuid::now_v7()),
                name: format!("Bench {cc} {k}"),
                kind: *kind,
                country: Country::parse(cc)?,
                subdivision: None,
                created_at_ms: 0,
            };
            store.insert_agency(&a).await?;
            agencies.push(a);
        }
    }
    let by = UserId(uuid::Uuid::now_v7());
    let mut r = Lcg(42);
    let forms = [ExploitationKind::SexualExploitation, ExploitationKind::ForcedLabour, ExploitationKind::ForcedCriminality, ExploitationKind::ForcedBegging];
    let t0 = Instant::now();
    let batch = 5000;
    let mut made = 0;
    while made < n {
        let m = batch.min(n - made);
        let cases: Vec<StoredCase> = (0..m)
            .map(|_| {
                let mut route = vec![place(ORIGINS[r.next(ORIGINS.len())])];
                if r.next(3) == 0 {
                    route.push(place(TRANSITS[r.next(TRANSITS.len())]));
                }
                if r.next(10) > 0 {
                    route.push(place(DESTS[r.next(DESTS.len())]));
                }
                if r.next(20) == 0 {
                    route.clear();
                }
                // The recording agency: in the destination's country when there is one there.
                let dest_cc = route.last().map(|p| p.country.code().to_string()).unwrap_or_else(|| "BR".into());
                let pool: Vec<&Agency> = agencies.iter().filter(|a| a.country.code() == dest_cc).collect();
                let a = if pool.is_empty() { &agencies[r.next(agencies.len())] } else { pool[r.next(pool.len())] };
                let date = Date::from_calendar_date(2019 + r.next(6) as i32, Month::try_from(1 + r.next(12) as u8).unwrap_or(Month::January), 1 + r.next(28) as u8)
                    .unwrap_or(Date::MIN);
                StoredCase {
                    case: Case {
                        id: CaseId(uuid::Uuid::now_v7()),
                        agency_id: a.id,
                        created_by: by,
                        created_at: time::OffsetDateTime::now_utc(),
                        external_ref: None,
                        facts: CaseFacts {
                            sex: [Sex::Female, Sex::Female, Sex::Male][r.next(3)],
                            age: if r.next(8) == 0 { None } else { Some(AgeInfo::Exact(Age::parse(10 + r.next(45) as i64).expect("age"))) },
                            citizenship: Some(route.first().map(|p| p.country).unwrap_or(Country::parse("BR").expect("BR"))),
                            acts: vec![Act::Recruitment],
                            means: vec![Means::Deception],
                            exploitation: vec![Exploitation::Kind(forms[r.next(forms.len())])],
                            recruitment: None,
                            recruiter_relation: None,
                            identified_on: date,
                            status: CaseStatus::Presumed,
                            route,
                        },
                    },
                    country: a.country,
                    identity_ct: vec![0; 48],
                }
            })
            .collect();
        store.insert_cases(&cases, &[]).await?;
        made += m;
        if made % 100_000 == 0 {
            eprintln!("{made} cases ({:.0} s)", t0.elapsed().as_secs_f64());
        }
    }
    let load_s = t0.elapsed().as_secs_f64();
    println!("generated {n} cases on {} in {load_s:.1} s", store.backend());
    let t = Instant::now();
    let facts = vigia.refresh_route_facts().await?;
    println!("loaded the in-memory fact table ({facts} cases) in {:.2} s (once, at server start)", t.elapsed().as_secs_f64());

    let actor = |role: Role, a: &Agency| Actor { user_id: UserId(uuid::Uuid::now_v7()), role, agency_id: a.id, country: a.country, identity_grant: false };
    let br = agencies.iter().find(|a| a.country.code() == "BR").expect("a BR agency");
    let es_police = agencies.iter().find(|a| a.country.code() == "ES" && a.kind == AgencyKind::Police).expect("ES police");
    let callers = [("regional monitor (all cases)", actor(Role::RegionalMonitor, br)), ("coordinator BR", actor(Role::Coordinator, br)), ("caseworker, ES police", actor(Role::Caseworker, es_police))];
    let d = |y: i32, m: Month, day: u8| Date::from_calendar_date(y, m, day).ok();
    let filters: Vec<(&str, RouteQuery)> = vec![
        ("none", RouteQuery::default()),
        ("subdivision level", RouteQuery { level: Level::Subdivision, ..Default::default() }),
        ("sex=female", RouteQuery { sex: Some(Sex::Female), ..Default::default() }),
        ("age_group=child", RouteQuery { age_group: Some(AgeGroup::Child), ..Default::default() }),
        ("exploitation=forced_labour", RouteQuery { exploitation: Some(ExploitationKind::ForcedLabour), ..Default::default() }),
        ("agency_kind=police", RouteQuery { agency_kind: Some(AgencyKind::Police), ..Default::default() }),
        ("period 2023", RouteQuery { from: d(2023, Month::January, 1), to: d(2023, Month::December, 31), ..Default::default() }),
        ("place=BR-PE", RouteQuery { place: Some("BR-PE".into()), ..Default::default() }),
    ];
    let reps = 10;
    let mut all = Vec::new();
    println!("\n| caller | p50 ms | p95 ms | max ms | cases in scope |");
    println!("|---|---:|---:|---:|---:|");
    for (label, who) in &callers {
        let mut times = Vec::new();
        let mut in_scope = 0;
        // One warm-up call.
        vigia.route_aggregate(who, &RouteQuery::default()).await?;
        for _ in 0..reps {
            for (_, q) in &filters {
                let t = Instant::now();
                let a = vigia.route_aggregate(who, q).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                in_scope = in_scope.max(a.summary.cases);
            }
        }
        let max = times.iter().copied().fold(0.0, f64::max);
        println!("| {label} | {:.1} | {:.1} | {max:.1} | {in_scope} |", percentile(&mut times.clone(), 50.0), percentile(&mut times.clone(), 95.0));
        all.extend(times);
    }
    println!(
        "| **all calls ({})** | **{:.1}** | **{:.1}** | {:.1} | |",
        all.len(),
        percentile(&mut all.clone(), 50.0),
        percentile(&mut all.clone(), 95.0),
        all.iter().copied().fold(0.0, f64::max)
    );

    // Peer, same run, same data: the database groups the cases itself (what the
    // previous version did for every request), for the same three scopes.
    if let Some(path) = url.strip_prefix("sqlite://") {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true))
            .await?;
        let es_police_id = es_police.id.to_string();
        let scopes: [(&str, &str, String); 3] = [
            ("all cases", "1 = 1 OR ?1 = ''", String::new()),
            ("country BR", "country = ?1", "BR".to_string()),
            ("agency (ES police)", "agency_id = ?1", es_police_id),
        ];
        println!("\npeer: SQLite groups the same cases by route and citizenship (`SELECT route, citizenship, COUNT(*) FROM cases WHERE <scope> GROUP BY 1, 2`), 5 runs each");
        println!("\n| scope | p50 ms | p95 ms |\n|---|---:|---:|");
        let mut peer_all = Vec::new();
        for (label, cond, arg) in &scopes {
            let sql = format!("SELECT route, citizenship, COUNT(*) FROM cases WHERE {cond} GROUP BY route, citizenship");
            let mut times = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                let rows = sqlx::query(&sql).bind(arg).fetch_all(&pool).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert!(!rows.is_empty());
            }
            println!("| {label} | {:.1} | {:.1} |", percentile(&mut times.clone(), 50.0), percentile(&mut times.clone(), 95.0));
            peer_all.extend(times);
        }
        println!("| **all** | **{:.1}** | **{:.1}** |", percentile(&mut peer_all.clone(), 50.0), percentile(&mut peer_all.clone(), 95.0));
    }
    Ok(())
}
