//! One conformance suite for every backend: each test runs on SQLite (a temp
//! file) and on PostgreSQL (a fresh schema) when `VIGIA_TEST_POSTGRES_URL` is set.
//! With `CI=true`, a missing PostgreSQL URL is a failure, not a skip.

use std::sync::Arc;

use sqlx::postgres::PgConnectOptions;
use time::macros::date;
use vigia_domain::audit::Verifier;
use vigia_domain::case::{Case, CaseFacts, Exploitation};
use vigia_domain::geo::{Country, Place, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::Scope;
use vigia_domain::taxonomy::{Act, AgencyKind, CaseStatus, ExploitationKind, Means, Role, Sex};
use vigia_store::{Agency, AuditEvent, PgStore, Session, SqliteStore, Store, StoreError, StoredCase, User};

const AUDIT_KEY: &[u8] = b"conformance-audit-key-0123456789";

struct Fixture {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let s = SqliteStore::open(path.to_str().unwrap(), AUDIT_KEY, true).await.unwrap();
    Fixture { store: Arc::new(s), _dir: Some(dir) }
}

async fn postgres() -> Option<Fixture> {
    let url = match std::env::var("VIGIA_TEST_POSTGRES_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("CI=true but VIGIA_TEST_POSTGRES_URL is not set"),
        Err(_) => return None,
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin: PgConnectOptions = url.parse().unwrap();
    let pool = sqlx::PgPool::connect_with(admin.clone()).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&pool).await.unwrap();
    pool.close().await;
    let opts = admin.options([("search_path", schema.as_str())]);
    let s = PgStore::connect_with(opts, AUDIT_KEY).await.unwrap();
    Some(Fixture { store: Arc::new(s), _dir: None })
}

macro_rules! conformance {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let f = super::sqlite().await;
                ($body)(f.store.clone()).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(f) = super::postgres().await {
                    ($body)(f.store.clone()).await;
                }
            }
        }
    };
}

fn agency(name: &str, cc: &str) -> Agency {
    Agency {
        id: AgencyId(uuid::Uuid::now_v7()),
        name: name.into(),
        kind: AgencyKind::Ngo,
        country: Country::parse(cc).unwrap(),
        subdivision: None,
        created_at_ms: 1,
    }
}

fn user(email: &str, agency: AgencyId) -> User {
    User {
        id: UserId(uuid::Uuid::now_v7()),
        email: email.into(),
        role: Role::Caseworker,
        agency_id: agency,
        password_hash: "$argon2id$dummy".into(),
        identity_grant: false,
        created_at_ms: 1,
    }
}

fn case(a: &Agency, by: UserId, n: i64, ext: Option<&str>) -> StoredCase {
    let br = Country::parse("BR").unwrap();
    StoredCase {
        case: Case {
            id: CaseId(uuid::Uuid::now_v7()),
            agency_id: a.id,
            created_by: by,
            created_at: time::OffsetDateTime::from_unix_timestamp(1_700_000_000 + n).unwrap(),
            external_ref: ext.map(String::from),
            facts: CaseFacts {
                sex: Sex::Female,
                age: Some(vigia_domain::case::AgeInfo::Exact(vigia_domain::case::Age::parse(17).unwrap())),
                citizenship: Some(br),
                acts: vec![Act::Recruitment, Act::Transportation],
                means: vec![Means::Deception],
                exploitation: vec![Exploitation::Kind(ExploitationKind::SexualExploitation), Exploitation::Other("selling in markets".into())],
                recruitment: None,
                recruiter_relation: None,
                identified_on: date!(2024 - 03 - 01),
                status: CaseStatus::Presumed,
                route: vec![
                    Place::new(br, Some(Subdivision::parse("BR-PE").unwrap()), Some("Recife"), None).unwrap(),
                    Place::new(Country::parse("PT").unwrap(), None, None, None).unwrap(),
                    Place::new(Country::parse("ES").unwrap(), None, Some("Madrid"), Some(vigia_domain::geo::Coordinates::parse(40.4, -3.7).unwrap())).unwrap(),
                ],
            },
        },
        country: a.country,
        identity_ct: vec![1, 2, 3, n as u8],
    }
}

fn ev(action: &str, case: Option<CaseId>) -> AuditEvent {
    AuditEvent { at_ms: 5, actor: None, action: action.into(), case_id: case, detail: String::new() }
}

conformance!(agencies_and_users, |s: Arc<dyn Store>| async move {
    let a = agency("Recife NGO", "BR");
    s.insert_agency(&a).await.unwrap();
    assert_eq!(s.get_agency(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(s.list_agencies().await.unwrap().len(), 1);
    let u = user("a@b.org", a.id);
    s.insert_user(&u).await.unwrap();
    assert!(matches!(s.insert_user(&user("a@b.org", a.id)).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.user_by_email("a@b.org").await.unwrap().map(|x| x.id), Some(u.id));
    assert!(s.set_identity_grant(u.id, true).await.unwrap());
    assert!(s.get_user(u.id).await.unwrap().unwrap().identity_grant);
    s.insert_token("h1", u.id, 3).await.unwrap();
    assert_eq!(s.user_for_token("h1").await.unwrap().map(|x| x.id), Some(u.id));
    assert!(s.user_for_token("h2").await.unwrap().is_none());
    s.insert_session(&Session { id_hash: "s1".into(), user_id: u.id, csrf_token: "c".into(), expires_at_ms: 100 }).await.unwrap();
    assert!(s.get_session("s1", 50).await.unwrap().is_some());
    assert!(s.get_session("s1", 150).await.unwrap().is_none(), "expired sessions are not returned");
    s.delete_session("s1").await.unwrap();
    assert!(s.get_session("s1", 50).await.unwrap().is_none());
});

conformance!(cases_round_trip_and_scope, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    let b = agency("B", "BR");
    let c = agency("C", "ES");
    for x in [&a, &b, &c] {
        s.insert_agency(x).await.unwrap();
    }
    let by = UserId(uuid::Uuid::now_v7());
    let cases: Vec<_> = (0..7).map(|n| case(if n < 4 { &a } else if n < 6 { &b } else { &c }, by, n, None)).collect();
    s.insert_cases(&cases, &[ev("case.create", Some(cases[0].case.id))]).await.unwrap();
    let got = s.get_case(cases[0].case.id).await.unwrap().unwrap();
    assert_eq!(got, cases[0]);
    assert!(s.get_case(CaseId(uuid::Uuid::now_v7())).await.unwrap().is_none());
    let (total, page) = s.list_cases(&Scope::Agency(a.id), 3, 0).await.unwrap();
    assert_eq!((total, page.len()), (4, 3));
    assert_eq!(page[0].case.id, cases[3].case.id, "newest first");
    let (_, rest) = s.list_cases(&Scope::Agency(a.id), 3, 3).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0], cases[0], "routes come back in order with each case");
    let (total, _) = s.list_cases(&Scope::Country(Country::parse("BR").unwrap()), 100, 0).await.unwrap();
    assert_eq!(total, 6);
});

conformance!(batch_is_all_or_nothing, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    s.insert_agency(&a).await.unwrap();
    let by = UserId(uuid::Uuid::now_v7());
    s.insert_cases(&[case(&a, by, 1, Some("R-1"))], &[]).await.unwrap();
    let batch = vec![case(&a, by, 2, Some("R-2")), case(&a, by, 3, Some("R-1"))];
    let r = s.insert_cases(&batch, &[ev("case.create", None)]).await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "duplicate external reference is a conflict");
    let (total, _) = s.list_cases(&Scope::Agency(a.id), 10, 0).await.unwrap();
    assert_eq!(total, 1, "nothing of the failed batch was written");
    assert!(s.audit_head().await.unwrap().is_none(), "nor its audit entries");
});

conformance!(audit_chain, |s: Arc<dyn Store>| async move {
    let id = CaseId(uuid::Uuid::now_v7());
    for i in 0..5 {
        s.append_audit(&[ev("case.read", Some(id)), ev(&format!("x{i}"), None)]).await.unwrap();
    }
    let entries = s.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.len(), 10);
    assert_eq!(entries.iter().map(|e| e.record.seq).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
    let mut v = Verifier::new(AUDIT_KEY);
    entries.iter().for_each(|e| v.feed(e));
    assert!(v.finish(s.audit_head().await.unwrap()).is_empty());
    assert_eq!(s.audit_for_case(id).await.unwrap().len(), 5);
    assert_eq!(s.audit_entries(8, 100).await.unwrap().len(), 2);
});

conformance!(concurrent_appends_keep_one_chain, |s: Arc<dyn Store>| async move {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                s.append_audit(&[ev("case.read", None)]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = s.audit_entries(0, 1000).await.unwrap();
    assert_eq!(entries.len(), 80);
    let mut v = Verifier::new(AUDIT_KEY);
    entries.iter().for_each(|e| v.feed(e));
    assert!(v.finish(s.audit_head().await.unwrap()).is_empty());
});

conformance!(a_reader_following_facts_misses_no_concurrent_write, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    s.insert_agency(&a).await.unwrap();
    let by = UserId(uuid::Uuid::now_v7());
    let mut writers = Vec::new();
    for w in 0..6 {
        let (s, a) = (s.clone(), a.clone());
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..10 {
                let c = case(&a, by, 1, Some(&format!("w{w}-{i}")));
                ids.push(c.case.id);
                // Audit events too: the real writes take the audit lock after the revision.
                s.insert_cases(std::slice::from_ref(&c), &[ev("case.create", Some(c.case.id))]).await.unwrap();
            }
            ids
        }));
    }
    // Follow the facts while the writers run, remembering only the last position.
    let mut seen = std::collections::HashSet::new();
    let mut pos = None;
    loop {
        let done = writers.iter().all(|w| w.is_finished());
        loop {
            let page = s.case_facts_after(pos, 7).await.unwrap();
            if let Some(l) = page.last() {
                pos = Some((l.rev, l.id));
            }
            seen.extend(page.iter().map(|f| f.id));
            if page.len() < 7 {
                break;
            }
        }
        if done {
            break;
        }
        tokio::task::yield_now().await;
    }
    let mut all = std::collections::HashSet::new();
    for w in writers {
        all.extend(w.await.unwrap());
    }
    assert_eq!(all.len(), 60);
    assert_eq!(seen, all, "every committed case reached the reader");
});

conformance!(an_import_dropped_uncommitted_leaves_nothing, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    s.insert_agency(&a).await.unwrap();
    let c = case(&a, UserId(uuid::Uuid::now_v7()), 1, Some("r1"));
    let mut import = s.begin_import().await.unwrap();
    import.write(std::slice::from_ref(&c), &[], &[ev("case.create", Some(c.case.id))]).await.unwrap();
    assert_eq!(import.case_refs(a.id).await.unwrap().len(), 1, "the transaction sees its own writes");
    drop(import);
    assert!(s.get_case(c.case.id).await.unwrap().is_none());
    assert!(s.case_refs(a.id).await.unwrap().is_empty());
    assert!(s.audit_entries(0, 10).await.unwrap().is_empty());
    assert!(s.case_facts_after(None, 10).await.unwrap().is_empty());
});

conformance!(an_import_replaces_only_the_agencys_own_existing_cases, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    let b = agency("B", "BR");
    s.insert_agency(&a).await.unwrap();
    s.insert_agency(&b).await.unwrap();
    let by = UserId(uuid::Uuid::now_v7());
    let mine: Vec<StoredCase> = (0..450).map(|i| case(&a, by, i, Some(&format!("a{i}")))).collect();
    let theirs = case(&b, by, 1, Some("b1"));
    s.insert_cases(&mine, &[]).await.unwrap();
    s.insert_cases(std::slice::from_ref(&theirs), &[]).await.unwrap();

    // Replaced in more than one statement: every case gets its new facts and identity.
    let replaced: Vec<StoredCase> = mine
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.case.facts.sex = Sex::Male;
            c.case.facts.route.truncate(1);
            c.identity_ct = vec![7, 7, 7];
            c
        })
        .collect();
    let mut import = s.begin_import().await.unwrap();
    import.write(&[], &replaced, &[]).await.unwrap();
    import.commit().await.unwrap();
    for c in [&replaced[0], &replaced[449]] {
        let back = s.get_case(c.case.id).await.unwrap().unwrap();
        assert_eq!(back.case.facts, c.case.facts);
        assert_eq!(back.identity_ct, vec![7, 7, 7]);
        assert_eq!(back.case.external_ref, c.case.external_ref, "the record id stays");
        assert_eq!(back.case.created_at, c.case.created_at, "the creation time stays");
    }

    // Another agency's case, or one that does not exist, is not replaced: the write fails.
    let mut forged = theirs.clone();
    forged.case.agency_id = a.id;
    forged.case.facts.sex = Sex::Male;
    let missing = case(&a, by, 999, Some("a999"));
    for bad in [forged, missing] {
        let mut import = s.begin_import().await.unwrap();
        assert!(matches!(import.write(&[], std::slice::from_ref(&bad), &[]).await, Err(StoreError::Corrupt(_))));
        drop(import);
    }
    assert_eq!(s.get_case(theirs.case.id).await.unwrap().unwrap().case.facts, theirs.case.facts);
});

conformance!(ciphertext_replacement, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    s.insert_agency(&a).await.unwrap();
    let c = case(&a, UserId(uuid::Uuid::now_v7()), 1, None);
    s.insert_cases(std::slice::from_ref(&c), &[]).await.unwrap();
    let all = s.case_ciphertexts().await.unwrap();
    assert_eq!(all, vec![(c.case.id, c.identity_ct.clone())]);
    s.replace_ciphertexts(&[(c.case.id, vec![9, 9])], &ev("key.rotate", None)).await.unwrap();
    assert_eq!(s.get_case(c.case.id).await.unwrap().unwrap().identity_ct, vec![9, 9]);
});

conformance!(records, |s: Arc<dyn Store>| async move {
    use vigia_store::{Record, RecordQuery};
    let a = agency("A", "BR");
    let b = agency("B", "BR");
    s.insert_agency(&a).await.unwrap();
    s.insert_agency(&b).await.unwrap();
    let c = case(&a, UserId(uuid::Uuid::now_v7()), 1, None);
    s.insert_cases(std::slice::from_ref(&c), &[]).await.unwrap();
    let rec = |id: &str, at: i64, status: &str| Record {
        id: id.into(),
        kind: "referral".into(),
        case_id: Some(c.case.id),
        agency_id: Some(a.id),
        other_agency_id: Some(b.id),
        status: Some(status.into()),
        at_ms: at,
        body: format!("{{\"n\":{at}}}"),
    };
    s.put_records(&[rec("r2", 20, "sent"), rec("r1", 10, "sent")], &[ev("referral.send", Some(c.case.id))]).await.unwrap();
    let all = s.find_records(&RecordQuery { case_id: Some(c.case.id), ..RecordQuery::kind("referral") }).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r1", "r2"], "oldest first");
    s.put_records(&[rec("r1", 10, "accepted")], &[]).await.unwrap();
    assert_eq!(s.get_record("referral", "r1").await.unwrap().unwrap().status.as_deref(), Some("accepted"));
    assert!(s.get_record("consent", "r1").await.unwrap().is_none(), "kind is part of the key");
    // Another kind may use the same id without overwriting.
    let mut other = rec("r1", 30, "given");
    other.kind = "consent".into();
    s.put_records(&[other], &[]).await.unwrap();
    assert_eq!(s.get_record("consent", "r1").await.unwrap().unwrap().status.as_deref(), Some("given"));
    assert_eq!(s.get_record("referral", "r1").await.unwrap().unwrap().status.as_deref(), Some("accepted"));
    assert_eq!(s.get_record("referral", "r1").await.unwrap().unwrap().id, "r1");
    let to_b = s.find_records(&RecordQuery { other_agency_id: Some(b.id), status: Some("sent".into()), ..RecordQuery::kind("referral") }).await.unwrap();
    assert_eq!(to_b.len(), 1);
    assert_eq!(s.find_records(&RecordQuery { agency_id: Some(b.id), ..RecordQuery::kind("referral") }).await.unwrap().len(), 0);
    assert_eq!(s.audit_for_case(c.case.id).await.unwrap().len(), 1);
});

conformance!(case_facts_after, |s: Arc<dyn Store>| async move {
    let a = agency("A", "BR");
    let mut b = agency("B", "ES");
    b.kind = AgencyKind::Police;
    s.insert_agency(&a).await.unwrap();
    s.insert_agency(&b).await.unwrap();
    let by = UserId(uuid::Uuid::now_v7());
    let mut cases = vec![case(&a, by, 1, Some("r1")), case(&a, by, 2, None), case(&b, by, 3, None)];
    // A case with no route, and one with a single place.
    cases[1].case.facts.route.clear();
    cases[1].case.facts.sex = Sex::Male;
    cases[2].case.facts.route.truncate(1);
    cases[2].case.facts.exploitation = vec![Exploitation::Kind(ExploitationKind::ForcedLabour)];
    s.insert_cases(&cases[..2], &[]).await.unwrap();
    s.insert_cases(&cases[2..], &[]).await.unwrap();
    let all = s.case_facts_after(None, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| (w[0].rev, w[0].id) < (w[1].rev, w[1].id)), "in (revision, id) order");
    // Pages follow on from one another.
    let p1 = s.case_facts_after(None, 2).await.unwrap();
    let p2 = s.case_facts_after(Some((p1[1].rev, p1[1].id)), 2).await.unwrap();
    assert_eq!(p1.iter().chain(p2.iter()).map(|f| f.id).collect::<Vec<_>>(), all.iter().map(|f| f.id).collect::<Vec<_>>());
    let first = all.iter().find(|f| f.id == cases[0].case.id).unwrap();
    let expect_route: Vec<(String, Option<String>)> = cases[0]
        .case
        .facts
        .route
        .iter()
        .map(|p| (p.country.code().to_string(), p.subdivision.as_ref().map(|x| x.code().to_string())))
        .collect();
    assert_eq!(first.route, expect_route, "the route in order");
    assert_eq!((first.agency_kind.as_str(), first.country.as_str(), first.sex.as_str()), ("ngo", "BR", "female"));
    assert_eq!(first.identified_on, vigia_domain::case::format_date(cases[0].case.facts.identified_on));
    let third = all.iter().find(|f| f.id == cases[2].case.id).unwrap();
    assert_eq!((third.agency_kind.as_str(), third.exploitation.clone(), third.route.len()), ("police", vec!["forced_labour".to_string()], 1));
    assert!(all.iter().any(|f| f.route.is_empty()), "a case without a route is still a fact");
    // Only what a later transaction wrote comes back after the highest revision seen.
    let seen = all.last().map(|f| (f.rev, f.id)).unwrap();
    assert!(s.case_facts_after(Some(seen), 100).await.unwrap().is_empty());
    let mut upd = cases[0].clone();
    upd.case.facts.route.remove(1);
    upd.case.facts.sex = Sex::Male;
    let mut import = s.begin_import().await.unwrap();
    import.write(&[], std::slice::from_ref(&upd), &[]).await.unwrap();
    import.commit().await.unwrap();
    let changed = s.case_facts_after(Some(seen), 100).await.unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!((changed[0].id, changed[0].sex.as_str(), changed[0].route.len()), (upd.case.id, "male", expect_route.len() - 1));
    assert!(changed[0].rev > seen.0);
    // The stored case reads back with the new route (places kept with their details).
    let back = s.get_case(upd.case.id).await.unwrap().unwrap();
    assert_eq!(back.case.facts.route, upd.case.facts.route);
});

/// SQLite only: an import that has the database file to itself runs with a
/// rollback journal (its pages written once), and the database is back in WAL
/// mode afterwards, whether the import committed or was dropped; while another
/// connection has the file open, the import uses the WAL.
#[tokio::test]
async fn sqlite_import_journal_modes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let journal = dir.path().join("t.db-journal");
    let s = SqliteStore::open(path.to_str().unwrap(), AUDIT_KEY, true).await.unwrap();
    let mode = |s: &SqliteStore| {
        let pool = s.pool().clone();
        async move { sqlx::query_scalar::<_, String>("PRAGMA journal_mode").fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(mode(&s).await, "wal");
    let a = agency("A", "BR");
    s.insert_agency(&a).await.unwrap();
    let by = UserId(uuid::Uuid::now_v7());

    // Alone with the file: a rollback journal while the import runs, WAL after it commits.
    let c1 = case(&a, by, 1, Some("r1"));
    let mut import = s.begin_import().await.unwrap();
    import.write(std::slice::from_ref(&c1), &[], &[ev("case.create", Some(c1.case.id))]).await.unwrap();
    assert!(journal.exists(), "the import writes a rollback journal");
    import.commit().await.unwrap();
    assert_eq!(mode(&s).await, "wal", "back in WAL mode after the commit");
    assert!(!journal.exists());
    assert!(s.get_case(c1.case.id).await.unwrap().is_some());

    // Dropped uncommitted: nothing written, and back in WAL mode at the next statement.
    let c2 = case(&a, by, 2, Some("r2"));
    let mut import = s.begin_import().await.unwrap();
    import.write(std::slice::from_ref(&c2), &[], &[ev("case.create", Some(c2.case.id))]).await.unwrap();
    drop(import);
    assert!(s.get_case(c2.case.id).await.unwrap().is_none());
    assert_eq!(mode(&s).await, "wal", "back in WAL mode after a rollback");
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(s.pool()).await.unwrap();
    assert_eq!(cache, -64 * 1024, "the everyday page cache is back after a rollback");
    assert_eq!(s.audit_entries(0, 10).await.unwrap().len(), 1, "only the committed import's entry");

    // Another connection has the file open: the import keeps to the WAL, and the
    // other connection sees the committed case.
    let other = SqliteStore::open(path.to_str().unwrap(), AUDIT_KEY, false).await.unwrap();
    assert!(other.get_case(c1.case.id).await.unwrap().is_some());
    let c3 = case(&a, by, 3, Some("r3"));
    let mut import = s.begin_import().await.unwrap();
    import.write(std::slice::from_ref(&c3), &[], &[ev("case.create", Some(c3.case.id))]).await.unwrap();
    assert!(!journal.exists(), "no rollback journal while another connection is open");
    import.commit().await.unwrap();
    assert!(other.get_case(c3.case.id).await.unwrap().is_some());
    assert_eq!(mode(&s).await, "wal");
    assert_eq!(mode(&other).await, "wal");
    let mut v = Verifier::new(AUDIT_KEY);
    for e in other.audit_entries(0, 100).await.unwrap() {
        v.feed(&e);
    }
    assert!(v.finish(other.audit_head().await.unwrap()).is_empty(), "the audit chain verifies");
}
