//! The two backends. The SQL is shared where the dialects agree (`$n` parameters
//! are rewritten to `?n` for SQLite); each backend has its own migrations.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row};
use vigia_domain::audit::{AuditEntry, AuditRecord, Sealer, GENESIS};
use vigia_domain::case::{format_date, parse_iso_date, Age, AgeInfo, Case, CaseFacts, Exploitation};
use vigia_domain::geo::{Coordinates, Country, Place, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::Scope;
use vigia_domain::taxonomy::{Act, AgeBracket, AgencyKind, CaseStatus, Means, RecruiterRelation, Recruitment, Role, Sex};

use crate::{Agency, AuditEvent, Record, RecordQuery, Result, Session, Store, StoreError, StoredCase, User};

/// Open the store named by a URL (`sqlite://PATH` or `postgres://...`) and apply
/// migrations. A SQLite file is created only when `create` is set.
pub async fn open(url: &str, audit_key: &[u8], create: bool) -> Result<Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(SqliteStore::open(path, audit_key, create).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let opts = PgConnectOptions::from_str(url)?;
        Ok(Arc::new(PgStore::connect_with(opts, audit_key).await?))
    } else {
        Err(StoreError::BadUrl("expected sqlite://PATH or postgres://...".into()))
    }
}

/// SQLite's page cache, KiB: everyday, and during an import's transaction.
const CACHE_KIB: u32 = 64 * 1024;
const IMPORT_CACHE_KIB: u32 = 512 * 1024;

/// Statements slower than this are logged (at debug level).
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// How long a SQLite statement waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The embedded default.
pub struct SqliteStore {
    pool: SqlitePool,
    audit_key: Vec<u8>,
    /// Set when an import ends (committed or dropped): the next acquire of the
    /// connection puts it back into WAL mode and to the everyday page cache.
    import_ended: Arc<AtomicBool>,
}

impl SqliteStore {
    pub async fn open(path: &str, audit_key: &[u8], create: bool) -> Result<Self> {
        if path.is_empty() {
            return Err(StoreError::BadUrl("sqlite:// needs a file path".into()));
        }
        if !create && path != ":memory:" && !std::path::Path::new(path).exists() {
            return Err(StoreError::BadUrl(format!("no database file at {path} (run `vigia migrate` first)")));
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed transaction survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // 64 MiB of page cache (imports raise it for their transaction).
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            .pragma("temp_store", "memory")
            // Statements of a million-row import run for seconds by design: their
            // text (placeholders only) at debug level, not as warnings.
            .log_slow_statements(log::LevelFilter::Debug, SLOW_STATEMENT);
        // One connection: SQLite has one writer, and almost every request writes
        // (reads are audited); queueing here avoids SQLITE_BUSY upgrades.
        let import_ended = Arc::new(AtomicBool::new(false));
        let flag = import_ended.clone();
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .before_acquire(move |conn, _| {
                let flag = flag.clone();
                Box::pin(async move {
                    if flag.swap(false, Ordering::SeqCst) {
                        sqlx::query(&format!("PRAGMA cache_size = -{CACHE_KIB}")).execute(&mut *conn).await?;
                        // A no-op unless the import ran with a rollback journal.
                        if let Err(e) = sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await {
                            // Still consistent and durable in rollback mode; try again next time.
                            flag.store(true, Ordering::SeqCst);
                            tracing::warn!("could not return the database to WAL mode after an import: {e}");
                        }
                    }
                    Ok(true)
                })
            })
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool, audit_key: audit_key.to_vec(), import_ended })
    }

    /// An import into a database file that no other connection has open runs with
    /// a rollback journal instead of the WAL: its new pages are written once, to the
    /// database file, where WAL mode writes them to the log and copies them again
    /// at the checkpoint (1M rows: a 10 s commit becomes 3 s). Atomicity and
    /// durability are the same (`synchronous=FULL`: the journal is synced before
    /// the file is changed; a killed import is rolled back from it on next open).
    /// While another connection, in this process or another, has the file open,
    /// the switch is refused at once and the import uses the WAL as before.
    /// Returns the flag to set when the import ends.
    async fn begin_import_settings(&self) -> Result<Option<Arc<AtomicBool>>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA busy_timeout = 0").execute(&mut *conn).await?;
        let mode = sqlx::query("PRAGMA journal_mode = DELETE").fetch_one(&mut *conn).await.ok().and_then(|r| r.try_get::<String, _>(0).ok());
        sqlx::query(&format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis())).execute(&mut *conn).await?;
        if mode.as_deref() != Some("delete") {
            tracing::debug!("another connection has the database open: the import uses the WAL");
        }
        Ok(Some(self.import_ended.clone()))
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The multi-user server of record.
pub struct PgStore {
    pool: PgPool,
    audit_key: Vec<u8>,
}

impl PgStore {
    pub async fn connect_with(opts: PgConnectOptions, audit_key: &[u8]) -> Result<Self> {
        let opts = opts.log_slow_statements(log::LevelFilter::Debug, SLOW_STATEMENT);
        let pool = PgPoolOptions::new().max_connections(10).acquire_timeout(Duration::from_secs(10)).connect_with(opts).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool, audit_key: audit_key.to_vec() })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// PostgreSQL has no journal mode to choose, nothing to restore.
    async fn begin_import_settings(&self) -> Result<Option<Arc<AtomicBool>>> {
        Ok(None)
    }
}

/// `$1` → `?1` for SQLite (explicit indexes, so order of appearance never matters).
fn sqlite_sql(s: &str) -> String {
    s.replace('$', "?")
}

fn pg_sql(s: &str) -> String {
    s.to_string()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn mac32(v: &[u8]) -> Result<[u8; 32]> {
    v.try_into().map_err(|_| corrupt("audit MAC length"))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// An import's open transaction (rolled back when dropped uncommitted).
struct DbImportTx<DB: sqlx::Database> {
    /// `None` once committed.
    tx: Option<sqlx::Transaction<'static, DB>>,
    pool: sqlx::Pool<DB>,
    rev: i64,
    audit_key: Vec<u8>,
    /// SQLite: the flag that puts the connection back to its everyday settings
    /// (WAL mode, page cache) when the import ends.
    ended: Option<Arc<AtomicBool>>,
}

impl<DB: sqlx::Database> DbImportTx<DB> {
    fn tx(&mut self) -> &mut sqlx::Transaction<'static, DB> {
        self.tx.as_mut().unwrap_or_else(|| unreachable!("an import transaction is used only until it commits"))
    }
}

impl<DB: sqlx::Database> Drop for DbImportTx<DB> {
    fn drop(&mut self) {
        // Committed or rolled back (dropped), the import is over: the next use of
        // the connection returns it to WAL mode.
        if let Some(flag) = &self.ended {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// Columns of a case row, as raw values.
struct RawCase {
    id: String,
    agency_id: String,
    country: String,
    created_by: String,
    created_at_ms: i64,
    external_ref: Option<String>,
    sex: String,
    age: Option<i64>,
    age_bracket: Option<String>,
    citizenship: Option<String>,
    acts: String,
    means: String,
    exploitation: String,
    recruitment: Option<String>,
    recruiter_relation: Option<String>,
    identified_on: String,
    status: String,
    identity_ct: Vec<u8>,
    route: String,
}

/// One place of a case's route as stored in `cases.route` (a JSON array, in order).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPlace {
    country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subdivision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    municipality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
}

/// Only what map aggregates read of a stored place.
#[derive(serde::Deserialize)]
struct StoredPlaceKey {
    country: String,
    #[serde(default)]
    subdivision: Option<String>,
}

/// A place of a route as written (borrowing from the case: no copies).
#[derive(serde::Serialize)]
struct StoredPlaceRef<'a> {
    country: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subdivision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    municipality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
}

fn route_json(route: &[Place]) -> String {
    let places: Vec<StoredPlaceRef<'_>> = route
        .iter()
        .map(|p| StoredPlaceRef {
            country: p.country.code(),
            subdivision: p.subdivision.as_ref().map(|s| s.code()),
            municipality: p.municipality.as_deref(),
            lat: p.coordinates.map(|c| c.lat()),
            lon: p.coordinates.map(|c| c.lon()),
        })
        .collect();
    serde_json::to_string(&places).unwrap_or_else(|_| "[]".into())
}


fn parse_list<T>(json: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
    let raw: Vec<String> = serde_json::from_str(json).map_err(|_| corrupt("code list"))?;
    raw.iter().map(|s| parse(s).ok_or_else(|| corrupt("code"))).collect()
}

/// A JSON array of codes (escaped: `other: ...` entries hold free text).
fn code_list<'a>(codes: impl Iterator<Item = std::borrow::Cow<'a, str>>) -> String {
    let codes: Vec<std::borrow::Cow<'a, str>> = codes.collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

fn exploitation_code(e: &Exploitation) -> std::borrow::Cow<'_, str> {
    match e {
        Exploitation::Kind(k) => std::borrow::Cow::Borrowed(k.code()),
        other => std::borrow::Cow::Owned(other.code()),
    }
}

/// The columns of `cases` that a write of a case sets, inserted or replaced:
/// everything but the id, agency, country, author, creation time and record id.
const CASE_FACT_COLUMNS: [&str; 15] = [
    "sex", "age", "age_bracket", "minor", "citizenship", "acts", "means", "exploitation", "recruitment", "recruiter_relation",
    "identified_on", "status", "identity_ct", "route", "rev",
];

/// Cases per multi-row statement (21 parameters each, well inside both backends' limits).
const CASES_PER_STATEMENT: usize = 400;
/// Audit entries per multi-row INSERT (8 parameters each).
const AUDIT_PER_STATEMENT: usize = 1000;

/// A write's audit events, sealed into the chain a statement's worth at a time
/// (so that sealing runs while the previous statement executes); `seq` and
/// `prev` are the chain's head after the entries sealed so far.
struct AuditChunks<'a> {
    sealer: Sealer,
    events: std::slice::Chunks<'a, AuditEvent>,
    seq: i64,
    prev: [u8; 32],
}

impl Iterator for AuditChunks<'_> {
    type Item = Vec<AuditEntry>;

    fn next(&mut self) -> Option<Vec<AuditEntry>> {
        let chunk = self.events.next()?;
        let mut entries = Vec::with_capacity(chunk.len());
        for ev in chunk {
            self.seq += 1;
            let entry = self.sealer.seal(AuditRecord {
                seq: self.seq,
                at_ms: ev.at_ms,
                actor: ev.actor.map(|u| u.to_text()),
                action: ev.action.clone(),
                case_id: ev.case_id.map(|c| c.to_text()),
                detail: ev.detail.clone(),
                prev: self.prev,
            });
            self.prev = entry.mac;
            entries.push(entry);
        }
        Some(entries)
    }
}

fn created_ms(sc: &StoredCase) -> i64 {
    (sc.case.created_at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Record ids are unique per kind: stored as `kind/id`, so two kinds may use the same id.
fn scoped_id(kind: &str, id: &str) -> String {
    format!("{kind}/{id}")
}

fn unscope_id<'a>(kind: &str, stored: &'a str) -> &'a str {
    stored.strip_prefix(kind).and_then(|s| s.strip_prefix('/')).unwrap_or(stored)
}

fn exact_age(f: &CaseFacts) -> Option<i64> {
    f.age.and_then(|a| match a {
        AgeInfo::Exact(a) => Some(i64::from(a.years())),
        AgeInfo::Bracket(_) => None,
    })
}

fn to_case(r: RawCase) -> Result<StoredCase> {
    let places: Vec<StoredPlace> = serde_json::from_str(&r.route).map_err(|_| corrupt("route"))?;
    let route = places
        .into_iter()
        .map(|p| {
            let country = Country::parse(&p.country).map_err(|_| corrupt("place country"))?;
            let sub = p.subdivision.as_deref().map(Subdivision::parse).transpose().map_err(|_| corrupt("place subdivision"))?;
            let coords = match (p.lat, p.lon) {
                (Some(a), Some(b)) => Some(Coordinates::parse(a, b).map_err(|_| corrupt("coordinates"))?),
                _ => None,
            };
            Place::new(country, sub, p.municipality.as_deref(), coords).map_err(|_| corrupt("place"))
        })
        .collect::<Result<Vec<_>>>()?;
    let age = match (r.age, r.age_bracket.as_deref()) {
        (Some(a), _) => Some(AgeInfo::Exact(Age::parse(a).map_err(|_| corrupt("age"))?)),
        (None, Some(b)) => Some(AgeInfo::Bracket(AgeBracket::parse(b).map_err(|_| corrupt("age bracket"))?)),
        _ => None,
    };
    let facts = CaseFacts {
        sex: Sex::parse(&r.sex).map_err(|_| corrupt("sex"))?,
        age,
        citizenship: r.citizenship.as_deref().map(Country::parse).transpose().map_err(|_| corrupt("citizenship"))?,
        acts: parse_list(&r.acts, |s| Act::parse(s).ok())?,
        means: parse_list(&r.means, |s| Means::parse(s).ok())?,
        exploitation: parse_list(&r.exploitation, |s| Exploitation::parse(s).ok())?,
        recruitment: r.recruitment.as_deref().map(Recruitment::parse).transpose().map_err(|_| corrupt("recruitment"))?,
        recruiter_relation: r
            .recruiter_relation
            .as_deref()
            .map(RecruiterRelation::parse)
            .transpose()
            .map_err(|_| corrupt("recruiter relation"))?,
        identified_on: parse_iso_date(&r.identified_on).map_err(|_| corrupt("identified_on"))?,
        status: CaseStatus::parse(&r.status).map_err(|_| corrupt("status"))?,
        route,
    };
    let created_at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.created_at_ms) * 1_000_000)
        .map_err(|_| corrupt("created_at"))?;
    Ok(StoredCase {
        case: Case {
            id: r.id.parse().map_err(|_| corrupt("case id"))?,
            agency_id: r.agency_id.parse().map_err(|_| corrupt("agency id"))?,
            created_by: r.created_by.parse().map_err(|_| corrupt("created_by"))?,
            created_at,
            external_ref: r.external_ref,
            facts,
        },
        country: Country::parse(&r.country).map_err(|_| corrupt("case country"))?,
        identity_ct: r.identity_ct,
    })
}

const CASE_COLUMNS: &str = "id, agency_id, country, created_by, created_at_ms, external_ref, sex, age, age_bracket, citizenship, acts, means, exploitation, recruitment, recruiter_relation, identified_on, status, identity_ct, route";

macro_rules! impl_store {
    ($store:ident, $db:ty, $sql:ident, $backend:literal, $audit_lock:expr) => {
        impl $store {
            fn raw_case(r: &<$db as sqlx::Database>::Row) -> Result<RawCase> {
                Ok(RawCase {
                    id: r.try_get("id")?,
                    agency_id: r.try_get("agency_id")?,
                    country: r.try_get("country")?,
                    created_by: r.try_get("created_by")?,
                    created_at_ms: r.try_get("created_at_ms")?,
                    external_ref: r.try_get("external_ref")?,
                    sex: r.try_get("sex")?,
                    age: r.try_get("age")?,
                    age_bracket: r.try_get("age_bracket")?,
                    citizenship: r.try_get("citizenship")?,
                    acts: r.try_get("acts")?,
                    means: r.try_get("means")?,
                    exploitation: r.try_get("exploitation")?,
                    recruitment: r.try_get("recruitment")?,
                    recruiter_relation: r.try_get("recruiter_relation")?,
                    identified_on: r.try_get("identified_on")?,
                    status: r.try_get("status")?,
                    identity_ct: r.try_get("identity_ct")?,
                    route: r.try_get("route")?,
                })
            }

            fn agency(r: &<$db as sqlx::Database>::Row) -> Result<Agency> {
                let id: String = r.try_get("id")?;
                let kind: String = r.try_get("kind")?;
                let country: String = r.try_get("country")?;
                let sub: Option<String> = r.try_get("subdivision")?;
                Ok(Agency {
                    id: id.parse().map_err(|_| corrupt("agency id"))?,
                    name: r.try_get("name")?,
                    kind: AgencyKind::parse(&kind).map_err(|_| corrupt("agency kind"))?,
                    country: Country::parse(&country).map_err(|_| corrupt("agency country"))?,
                    subdivision: sub.as_deref().map(Subdivision::parse).transpose().map_err(|_| corrupt("agency subdivision"))?,
                    created_at_ms: r.try_get("created_at_ms")?,
                })
            }

            fn user(r: &<$db as sqlx::Database>::Row) -> Result<User> {
                let id: String = r.try_get("id")?;
                let role: String = r.try_get("role")?;
                let agency: String = r.try_get("agency_id")?;
                let grant: i64 = r.try_get("identity_grant")?;
                Ok(User {
                    id: id.parse().map_err(|_| corrupt("user id"))?,
                    email: r.try_get("email")?,
                    role: Role::parse(&role).map_err(|_| corrupt("role"))?,
                    agency_id: agency.parse().map_err(|_| corrupt("agency id"))?,
                    password_hash: r.try_get("password_hash")?,
                    identity_grant: grant != 0,
                    created_at_ms: r.try_get("created_at_ms")?,
                })
            }

            fn record(r: &<$db as sqlx::Database>::Row) -> Result<Record> {
                let case_id: Option<String> = r.try_get("case_id")?;
                let agency_id: Option<String> = r.try_get("agency_id")?;
                let other: Option<String> = r.try_get("other_agency_id")?;
                let kind: String = r.try_get("kind")?;
                let stored: String = r.try_get("id")?;
                Ok(Record {
                    id: unscope_id(&kind, &stored).to_string(),
                    kind,
                    case_id: case_id.map(|s| s.parse()).transpose().map_err(|_| corrupt("record case id"))?,
                    agency_id: agency_id.map(|s| s.parse()).transpose().map_err(|_| corrupt("record agency id"))?,
                    other_agency_id: other.map(|s| s.parse()).transpose().map_err(|_| corrupt("record agency id"))?,
                    status: r.try_get("status")?,
                    at_ms: r.try_get("at_ms")?,
                    body: r.try_get("body")?,
                })
            }

            fn audit_entry(r: &<$db as sqlx::Database>::Row) -> Result<AuditEntry> {
                let prev: Vec<u8> = r.try_get("prev_mac")?;
                let mac: Vec<u8> = r.try_get("mac")?;
                Ok(AuditEntry {
                    record: AuditRecord {
                        seq: r.try_get("seq")?,
                        at_ms: r.try_get("at_ms")?,
                        actor: r.try_get("actor")?,
                        action: r.try_get("action")?,
                        case_id: r.try_get("case_id")?,
                        detail: r.try_get("detail")?,
                        prev: mac32(&prev)?,
                    },
                    mac: mac32(&mac)?,
                })
            }

            /// Every external reference of an agency's cases, with the case id.
            async fn refs_in(conn: &mut <$db as sqlx::Database>::Connection, agency: AgencyId) -> Result<Vec<(String, CaseId)>> {
                let rows = sqlx::query(&$sql("SELECT external_ref, id FROM cases WHERE agency_id = $1 AND external_ref IS NOT NULL"))
                    .bind(agency.to_string())
                    .fetch_all(&mut *conn)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let r: String = row.try_get("external_ref")?;
                        let id: String = row.try_get("id")?;
                        Ok((r, id.parse().map_err(|_| corrupt("case id"))?))
                    })
                    .collect()
            }

            /// Replace the facts, route and identity of existing cases (matched on id
            /// and agency), hundreds a statement; a case not found is an error.
            fn update_cases_statement(chunk: &[StoredCase], rev: i64) -> sqlx::QueryBuilder<'_, $db> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE cases SET ");
                let sets: Vec<String> = CASE_FACT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 3)).collect();
                qb.push(sets.join(", ")).push(" FROM (");
                qb.push_values(chunk, |mut b, sc| {
                    b.push_bind(sc.case.id.to_text()).push_bind(sc.case.agency_id.to_text());
                    Self::bind_case_facts(&mut b, sc, rev);
                });
                qb.push(") AS v WHERE cases.id = v.column1 AND cases.agency_id = v.column2");
                qb
            }

            async fn update_cases_in(tx: &mut sqlx::Transaction<'_, $db>, updated: &[StoredCase], rev: i64) -> Result<()> {
                for chunk in updated.chunks(CASES_PER_STATEMENT) {
                    let r = Self::update_cases_statement(chunk, rev).build().execute(&mut **tx).await?;
                    if r.rows_affected() != chunk.len() as u64 {
                        return Err(StoreError::Corrupt("case to update not found".into()));
                    }
                }
                Ok(())
            }

            /// The values of [`CASE_FACT_COLUMNS`], in order.
            fn bind_case_facts<'q, Sep: std::fmt::Display>(b: &mut sqlx::query_builder::Separated<'_, 'q, $db, Sep>, sc: &'q StoredCase, rev: i64) {
                let f = &sc.case.facts;
                b.push_bind(f.sex.code())
                    .push_bind(exact_age(f))
                    .push_bind(f.age.map(|a| a.bracket().code()))
                    .push_bind(f.is_minor().map(i64::from))
                    .push_bind(f.citizenship.as_ref().map(|c| c.code()))
                    .push_bind(code_list(f.acts.iter().map(|a| a.code().into())))
                    .push_bind(code_list(f.means.iter().map(|a| a.code().into())))
                    .push_bind(code_list(f.exploitation.iter().map(exploitation_code)))
                    .push_bind(f.recruitment.map(|r| r.code()))
                    .push_bind(f.recruiter_relation.map(|r| r.code()))
                    .push_bind(format_date(f.identified_on))
                    .push_bind(f.status.code())
                    .push_bind(&sc.identity_ct[..])
                    .push_bind(route_json(&f.route))
                    .push_bind(rev);
            }

            /// The next case revision. Every transaction that writes cases takes one
            /// (on PostgreSQL the counter's row stays locked to commit, so revisions
            /// become visible in order); the service reads `rev > last seen`.
            async fn next_rev(tx: &mut sqlx::Transaction<'_, $db>) -> Result<i64> {
                let r = sqlx::query("UPDATE case_rev SET rev = rev + 1 WHERE id = 1 RETURNING rev").fetch_one(&mut **tx).await?;
                Ok(r.try_get("rev")?)
            }

            /// A multi-row insert of up to [`CASES_PER_STATEMENT`] cases. (Anonymous
            /// parameters: SQLite looks a numbered one up by a linear scan, which at
            /// thousands of parameters a statement costs more than the insert.)
            fn insert_cases_statement(chunk: &[StoredCase], rev: i64) -> sqlx::QueryBuilder<'_, $db> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO cases (id, agency_id, ");
                qb.push(CASE_FACT_COLUMNS.join(", ")).push(", country, created_by, created_at_ms, external_ref) ");
                qb.push_values(chunk, |mut b, sc| {
                    let c = &sc.case;
                    b.push_bind(c.id.to_text()).push_bind(c.agency_id.to_text());
                    Self::bind_case_facts(&mut b, sc, rev);
                    b.push_bind(sc.country.code()).push_bind(c.created_by.to_text()).push_bind(created_ms(sc)).push_bind(c.external_ref.as_deref());
                });
                qb
            }

            /// A multi-row insert of sealed audit entries.
            fn insert_audit_statement<'q>(entries: Vec<AuditEntry>) -> sqlx::QueryBuilder<'q, $db> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO audit_log (seq, at_ms, actor, action, case_id, detail, prev_mac, mac) ");
                qb.push_values(entries, |mut b, e| {
                    let AuditEntry { record: r, mac } = e;
                    b.push_bind(r.seq)
                        .push_bind(r.at_ms)
                        .push_bind(r.actor)
                        .push_bind(r.action)
                        .push_bind(r.case_id)
                        .push_bind(r.detail)
                        .push_bind(r.prev.to_vec())
                        .push_bind(mac.to_vec());
                });
                qb
            }

            /// Run statements one after another on the transaction's connection,
            /// encoding each (binding thousands of values) while the one before it
            /// executes on the database's side: on a large import the encoding is
            /// off the critical path.
            async fn run_pipelined<'q>(tx: &mut sqlx::Transaction<'_, $db>, mut statements: impl Iterator<Item = sqlx::QueryBuilder<'q, $db>> + Send) -> Result<()> {
                let mut current = statements.next();
                while let Some(mut qb) = current {
                    let (done, next) = futures_util::future::join(qb.build().execute(&mut **tx), async { statements.next() }).await;
                    match done {
                        Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("a case with this id or external reference")),
                        Err(e) => return Err(e.into()),
                        Ok(_) => {}
                    }
                    current = next;
                }
                Ok(())
            }

            /// Insert new cases, replace updated ones and append the audit entries of
            /// the write, in the caller's transaction.
            async fn write_in(tx: &mut sqlx::Transaction<'_, $db>, audit_key: &[u8], new: &[StoredCase], updated: &[StoredCase], events: &[AuditEvent], rev: i64) -> Result<()> {
                Self::update_cases_in(tx, updated, rev).await?;
                let mut audit = if events.is_empty() {
                    None
                } else {
                    if let Some(lock) = $audit_lock {
                        sqlx::query(lock).execute(&mut **tx).await?;
                    }
                    let head = sqlx::query(&$sql("SELECT seq, mac FROM audit_head WHERE id = 1")).fetch_optional(&mut **tx).await?;
                    let (seq, prev) = match head {
                        Some(r) => {
                            let s: i64 = r.try_get("seq")?;
                            let m: Vec<u8> = r.try_get("mac")?;
                            (s, mac32(&m)?)
                        }
                        None => (0, GENESIS),
                    };
                    Some(AuditChunks { sealer: Sealer::new(audit_key), events: events.chunks(AUDIT_PER_STATEMENT), seq, prev })
                };
                let cases = new.chunks(CASES_PER_STATEMENT).map(|chunk| Self::insert_cases_statement(chunk, rev));
                match audit.as_mut() {
                    Some(a) => Self::run_pipelined(tx, cases.chain(a.map(Self::insert_audit_statement))).await?,
                    None => Self::run_pipelined(tx, cases).await?,
                }
                if let Some(a) = audit {
                    sqlx::query(&$sql(
                        "INSERT INTO audit_head (id, seq, mac) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac",
                    ))
                    .bind(a.seq)
                    .bind(a.prev.to_vec())
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            async fn append_in(&self, tx: &mut sqlx::Transaction<'_, $db>, events: &[AuditEvent]) -> Result<()> {
                Self::write_in(tx, &self.audit_key, &[], &[], events, 0).await
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn insert_agency(&self, a: &Agency) -> Result<()> {
                sqlx::query(&$sql("INSERT INTO agencies (id, name, kind, country, subdivision, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)"))
                    .bind(a.id.to_string())
                    .bind(a.name.clone())
                    .bind(a.kind.code())
                    .bind(a.country.code().to_string())
                    .bind(a.subdivision.as_ref().map(|s| s.code().to_string()))
                    .bind(a.created_at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn get_agency(&self, id: AgencyId) -> Result<Option<Agency>> {
                let r = sqlx::query(&$sql("SELECT * FROM agencies WHERE id = $1")).bind(id.to_string()).fetch_optional(&self.pool).await?;
                r.as_ref().map(Self::agency).transpose()
            }

            async fn list_agencies(&self) -> Result<Vec<Agency>> {
                let rows = sqlx::query("SELECT * FROM agencies ORDER BY country, name").fetch_all(&self.pool).await?;
                rows.iter().map(Self::agency).collect()
            }

            async fn insert_user(&self, u: &User) -> Result<()> {
                let r = sqlx::query(&$sql(
                    "INSERT INTO users (id, email, role, agency_id, password_hash, identity_grant, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(u.id.to_string())
                .bind(u.email.clone())
                .bind(u.role.code())
                .bind(u.agency_id.to_string())
                .bind(u.password_hash.clone())
                .bind(i64::from(u.identity_grant))
                .bind(u.created_at_ms)
                .execute(&self.pool)
                .await;
                match r {
                    Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("a user with this e-mail")),
                    Err(e) => Err(e.into()),
                    Ok(_) => Ok(()),
                }
            }

            async fn get_user(&self, id: UserId) -> Result<Option<User>> {
                let r = sqlx::query(&$sql("SELECT * FROM users WHERE id = $1")).bind(id.to_string()).fetch_optional(&self.pool).await?;
                r.as_ref().map(Self::user).transpose()
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                let r = sqlx::query(&$sql("SELECT * FROM users WHERE email = $1")).bind(email.to_string()).fetch_optional(&self.pool).await?;
                r.as_ref().map(Self::user).transpose()
            }

            async fn set_identity_grant(&self, id: UserId, grant: bool) -> Result<bool> {
                let r = sqlx::query(&$sql("UPDATE users SET identity_grant = $1 WHERE id = $2"))
                    .bind(i64::from(grant))
                    .bind(id.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn insert_token(&self, token_hash: &str, user: UserId, at_ms: i64) -> Result<()> {
                sqlx::query(&$sql("INSERT INTO api_tokens (token_hash, user_id, created_at_ms) VALUES ($1, $2, $3)"))
                    .bind(token_hash.to_string())
                    .bind(user.to_string())
                    .bind(at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn user_for_token(&self, token_hash: &str) -> Result<Option<User>> {
                let r = sqlx::query(&$sql("SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"))
                    .bind(token_hash.to_string())
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::user).transpose()
            }

            async fn insert_session(&self, s: &Session) -> Result<()> {
                sqlx::query(&$sql("INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at_ms) VALUES ($1, $2, $3, $4)"))
                    .bind(s.id_hash.clone())
                    .bind(s.user_id.to_string())
                    .bind(s.csrf_token.clone())
                    .bind(s.expires_at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn get_session(&self, id_hash: &str, now_ms: i64) -> Result<Option<Session>> {
                let r = sqlx::query(&$sql("SELECT * FROM sessions WHERE id_hash = $1 AND expires_at_ms > $2"))
                    .bind(id_hash.to_string())
                    .bind(now_ms)
                    .fetch_optional(&self.pool)
                    .await?;
                match r {
                    None => Ok(None),
                    Some(r) => {
                        let uid: String = r.try_get("user_id")?;
                        Ok(Some(Session {
                            id_hash: r.try_get("id_hash")?,
                            user_id: uid.parse().map_err(|_| corrupt("session user"))?,
                            csrf_token: r.try_get("csrf_token")?,
                            expires_at_ms: r.try_get("expires_at_ms")?,
                        }))
                    }
                }
            }

            async fn delete_session(&self, id_hash: &str) -> Result<()> {
                sqlx::query(&$sql("DELETE FROM sessions WHERE id_hash = $1")).bind(id_hash.to_string()).execute(&self.pool).await?;
                Ok(())
            }

            async fn insert_cases(&self, cases: &[StoredCase], events: &[AuditEvent]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let rev = Self::next_rev(&mut tx).await?;
                Self::write_in(&mut tx, &self.audit_key, cases, &[], events, rev).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn begin_import(&self) -> Result<Box<dyn crate::ImportTx>> {
                let ended = self.begin_import_settings().await?;
                let tx = match self.pool.begin().await {
                    Ok(tx) => tx,
                    Err(e) => {
                        if let Some(flag) = &ended {
                            flag.store(true, Ordering::SeqCst);
                        }
                        return Err(e.into());
                    }
                };
                // From here on, dropping the import ends it (rollback, journal mode restored).
                let mut import = DbImportTx::<$db> { tx: Some(tx), pool: self.pool.clone(), rev: 0, audit_key: self.audit_key.clone(), ended };
                if $backend == "sqlite" {
                    // A large import's pages stay in memory until commit instead of
                    // spilling and being written again.
                    sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).execute(&mut **import.tx()).await?;
                }
                import.rev = Self::next_rev(import.tx()).await?;
                Ok(Box::new(import))
            }

            async fn case_refs(&self, agency: AgencyId) -> Result<Vec<(String, CaseId)>> {
                let mut conn = self.pool.acquire().await?;
                Self::refs_in(&mut conn, agency).await
            }
            async fn get_case(&self, id: CaseId) -> Result<Option<StoredCase>> {
                let sql = $sql(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"));
                let r = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
                let Some(r) = r else { return Ok(None) };
                to_case(Self::raw_case(&r)?).map(Some)
            }

            async fn list_cases(&self, scope: &Scope, limit: i64, offset: i64) -> Result<(i64, Vec<StoredCase>)> {
                let (col, val) = match scope {
                    Scope::Agency(a) => ("agency_id", a.to_string()),
                    Scope::Country(c) => ("country", c.code().to_string()),
                };
                let total: i64 = sqlx::query(&$sql(&format!("SELECT COUNT(*) AS n FROM cases WHERE {col} = $1")))
                    .bind(val.clone())
                    .fetch_one(&self.pool)
                    .await?
                    .try_get("n")?;
                let sql = $sql(&format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE {col} = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2 OFFSET $3"
                ));
                let rows = sqlx::query(&sql).bind(val).bind(limit).bind(offset).fetch_all(&self.pool).await?;
                let out = rows.iter().map(|r| Self::raw_case(r).and_then(to_case)).collect::<Result<Vec<_>>>()?;
                Ok((total, out))
            }

            async fn case_ciphertexts(&self) -> Result<Vec<(CaseId, Vec<u8>)>> {
                let rows = sqlx::query("SELECT id, identity_ct FROM cases ORDER BY id").fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        let id: String = r.try_get("id")?;
                        Ok((id.parse().map_err(|_| corrupt("case id"))?, r.try_get("identity_ct")?))
                    })
                    .collect()
            }

            async fn replace_ciphertexts(&self, items: &[(CaseId, Vec<u8>)], event: &AuditEvent) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let sql = $sql("UPDATE cases SET identity_ct = $1 WHERE id = $2");
                for (id, ct) in items {
                    sqlx::query(&sql).bind(ct.clone()).bind(id.to_string()).execute(&mut *tx).await?;
                }
                self.append_in(&mut tx, std::slice::from_ref(event)).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn put_records(&self, records: &[Record], events: &[AuditEvent]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let sql = $sql(
                    "INSERT INTO records (id, kind, case_id, agency_id, other_agency_id, status, at_ms, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body, other_agency_id = excluded.other_agency_id",
                );
                for rec in records {
                    sqlx::query(&sql)
                        .bind(scoped_id(&rec.kind, &rec.id))
                        .bind(rec.kind.clone())
                        .bind(rec.case_id.map(|c| c.to_string()))
                        .bind(rec.agency_id.map(|c| c.to_string()))
                        .bind(rec.other_agency_id.map(|c| c.to_string()))
                        .bind(rec.status.clone())
                        .bind(rec.at_ms)
                        .bind(rec.body.clone())
                        .execute(&mut *tx)
                        .await?;
                }
                self.append_in(&mut tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_record(&self, kind: &str, id: &str) -> Result<Option<Record>> {
                let r = sqlx::query(&$sql("SELECT * FROM records WHERE kind = $1 AND id = $2"))
                    .bind(kind.to_string())
                    .bind(scoped_id(kind, id))
                    .fetch_optional(&self.pool)
                    .await?;
                r.as_ref().map(Self::record).transpose()
            }

            async fn find_records(&self, q: &RecordQuery) -> Result<Vec<Record>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM records WHERE kind = ");
                qb.push_bind(q.kind.clone());
                if let Some(c) = q.case_id {
                    qb.push(" AND case_id = ").push_bind(c.to_string());
                }
                if let Some(a) = q.agency_id {
                    qb.push(" AND agency_id = ").push_bind(a.to_string());
                }
                if let Some(a) = q.other_agency_id {
                    qb.push(" AND other_agency_id = ").push_bind(a.to_string());
                }
                if let Some(s) = &q.status {
                    qb.push(" AND status = ").push_bind(s.clone());
                }
                qb.push(" ORDER BY at_ms, id");
                if let Some(l) = q.limit {
                    qb.push(" LIMIT ").push_bind(l);
                }
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(Self::record).collect()
            }

            async fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                self.append_in(&mut tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
                let rows = sqlx::query(&$sql("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                    .bind(after)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::audit_entry).collect()
            }

            async fn audit_head(&self) -> Result<Option<(i64, [u8; 32])>> {
                let r = sqlx::query("SELECT seq, mac FROM audit_head WHERE id = 1").fetch_optional(&self.pool).await?;
                match r {
                    None => Ok(None),
                    Some(r) => {
                        let m: Vec<u8> = r.try_get("mac")?;
                        Ok(Some((r.try_get("seq")?, mac32(&m)?)))
                    }
                }
            }

            async fn audit_for_case(&self, id: CaseId) -> Result<Vec<AuditEntry>> {
                let rows = sqlx::query(&$sql("SELECT * FROM audit_log WHERE case_id = $1 ORDER BY seq"))
                    .bind(id.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::audit_entry).collect()
            }

            async fn case_facts_after(&self, after: Option<(i64, CaseId)>, limit: i64) -> Result<Vec<crate::CaseFact>> {
                // One row per page (a JSON array of facts): rows cross from the
                // database driver one by one, and a million of them cost seconds.
                let sql = if $backend == "sqlite" {
                    "SELECT json_group_array(json_array(id, agency_id, kind, country, rev, identified_on, sex, minor, json(exploitation), citizenship, json(route))) AS page \
                     FROM (SELECT c.id, c.agency_id, a.kind, c.country, c.rev, c.identified_on, c.sex, c.minor, c.exploitation, c.citizenship, c.route \
                     FROM cases c JOIN agencies a ON a.id = c.agency_id WHERE (c.rev, c.id) > (?1, ?2) ORDER BY c.rev, c.id LIMIT ?3) p"
                } else {
                    "SELECT COALESCE(json_agg(json_build_array(id, agency_id, kind, country, rev, identified_on, sex, minor, exploitation::json, citizenship, route::json) \
                     ORDER BY rev, id COLLATE \"C\"), '[]')::text AS page \
                     FROM (SELECT c.id, c.agency_id, a.kind, c.country, c.rev, c.identified_on, c.sex, c.minor, c.exploitation, c.citizenship, c.route \
                     FROM cases c JOIN agencies a ON a.id = c.agency_id WHERE (c.rev, c.id COLLATE \"C\") > ($1, $2) ORDER BY c.rev, c.id COLLATE \"C\" LIMIT $3) p"
                };
                let (rev, id) = after.map_or((-1, String::new()), |(r, id)| (r, id.to_string()));
                let page: Option<String> = sqlx::query(sql).bind(rev).bind(id).bind(limit).fetch_one(&self.pool).await?.try_get("page")?;
                type Fact = (String, String, String, String, i64, String, String, Option<i64>, Vec<String>, Option<String>, Vec<StoredPlaceKey>);
                let facts: Vec<Fact> = serde_json::from_str(page.as_deref().unwrap_or("[]")).map_err(|_| corrupt("case facts"))?;
                facts
                    .into_iter()
                    .map(|(id, agency, kind, country, rev, identified_on, sex, minor, exploitation, citizenship, route)| {
                        Ok(crate::CaseFact {
                            id: id.parse().map_err(|_| corrupt("case id"))?,
                            agency_id: agency.parse().map_err(|_| corrupt("agency id"))?,
                            agency_kind: kind,
                            country,
                            rev,
                            identified_on,
                            sex,
                            minor: minor.map(|m| m != 0),
                            exploitation,
                            citizenship,
                            route: route.into_iter().map(|p| (p.country, p.subdivision)).collect(),
                        })
                    })
                    .collect()
            }
        }

        #[async_trait]
        impl crate::ImportTx for DbImportTx<$db> {
            async fn case_refs(&mut self, agency: AgencyId) -> Result<Vec<(String, CaseId)>> {
                $store::refs_in(self.tx(), agency).await
            }

            async fn write(&mut self, new: &[StoredCase], updated: &[StoredCase], events: &[AuditEvent]) -> Result<()> {
                let (rev, key) = (self.rev, &self.audit_key);
                let tx = self.tx.as_mut().unwrap_or_else(|| unreachable!("an import transaction is used only until it commits"));
                $store::write_in(tx, key, new, updated, events, rev).await
            }

            async fn commit(mut self: Box<Self>) -> Result<()> {
                let tx = self.tx.take().unwrap_or_else(|| unreachable!("an import commits once"));
                tx.commit().await?;
                if let Some(flag) = self.ended.take() {
                    // Back to the everyday settings now (the CLI exits right after).
                    flag.store(true, Ordering::SeqCst);
                    sqlx::query("SELECT 1").execute(&self.pool).await?;
                }
                Ok(())
            }
        }
    };
}

impl_store!(SqliteStore, sqlx::Sqlite, sqlite_sql, "sqlite", None::<&str>);
impl_store!(PgStore, sqlx::Postgres, pg_sql, "postgres", Some("SELECT pg_advisory_xact_lock(7316001)"));
