//! Vigia's storage: one interface ([`Store`]), two backends.
//!
//! SQLite (a file, the embedded default) and PostgreSQL (a URL, multi-user) run the
//! same SQL text where the dialects agree; each has its own migrations folder.
//! Both are held to one conformance suite (`tests/conformance.rs`).
//!
//! Storage never sees a key: identifying data arrives already encrypted. The
//! audit chain is kept here because appending must be atomic with the write it
//! records; the MAC key is handed over at open.

mod backend;
mod model;

use async_trait::async_trait;

pub use backend::{open, PgStore, SqliteStore};
pub use model::*;
use vigia_domain::audit::AuditEntry;
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::Scope;

/// Storage errors. Messages never hold row content.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The storage port. Narrow and domain-shaped: no generic CRUD.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    async fn insert_agency(&self, a: &Agency) -> Result<()>;
    async fn get_agency(&self, id: AgencyId) -> Result<Option<Agency>>;
    async fn list_agencies(&self) -> Result<Vec<Agency>>;

    async fn insert_user(&self, u: &User) -> Result<()>;
    async fn get_user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn set_identity_grant(&self, id: UserId, grant: bool) -> Result<bool>;

    async fn insert_token(&self, token_hash: &str, user: UserId, at_ms: i64) -> Result<()>;
    async fn user_for_token(&self, token_hash: &str) -> Result<Option<User>>;

    async fn insert_session(&self, s: &Session) -> Result<()>;
    async fn get_session(&self, id_hash: &str, now_ms: i64) -> Result<Option<Session>>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;

    /// Insert cases and their audit events in one transaction (all or nothing).
    async fn insert_cases(&self, cases: &[StoredCase], events: &[AuditEvent]) -> Result<()>;
    /// Open an import's transaction: batches of cases are written as a file is
    /// read, and nothing is visible unless it commits (dropping it rolls back).
    async fn begin_import(&self) -> Result<Box<dyn ImportTx>>;
    /// Every external reference of an agency's cases, with the case id.
    async fn case_refs(&self, agency: AgencyId) -> Result<Vec<(String, CaseId)>>;
    async fn get_case(&self, id: CaseId) -> Result<Option<StoredCase>>;
    /// A page of the cases in scope, newest first, and the total in scope.
    async fn list_cases(&self, scope: &Scope, limit: i64, offset: i64) -> Result<(i64, Vec<StoredCase>)>;
    /// Every case's id and ciphertext, for key rotation.
    async fn case_ciphertexts(&self) -> Result<Vec<(CaseId, Vec<u8>)>>;
    /// Replace ciphertexts (key rotation) in one transaction.
    async fn replace_ciphertexts(&self, items: &[(CaseId, Vec<u8>)], event: &AuditEvent) -> Result<()>;

    /// Insert or replace records (by id) and append their audit events, in one transaction.
    async fn put_records(&self, records: &[Record], events: &[AuditEvent]) -> Result<()>;
    async fn get_record(&self, kind: &str, id: &str) -> Result<Option<Record>>;
    async fn find_records(&self, q: &RecordQuery) -> Result<Vec<Record>>;

    /// Append audit events (for reads and denials).
    async fn append_audit(&self, events: &[AuditEvent]) -> Result<()>;
    /// Audit entries with `seq > after`, in stored order.
    async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>>;
    /// The separately recorded chain head.
    async fn audit_head(&self) -> Result<Option<(i64, [u8; 32])>>;
    /// Audit entries about one case, oldest first.
    async fn audit_for_case(&self, id: CaseId) -> Result<Vec<AuditEntry>>;

    /// What map aggregates need (no identity) of up to `limit` cases, in order of
    /// (revision of the transaction that last wrote the case, case id), after the
    /// position `after` (`None`: from the start). Revisions become visible in
    /// increasing order, so a reader that remembers the last position it read
    /// misses nothing and sees every later write.
    async fn case_facts_after(&self, after: Option<(i64, CaseId)>, limit: i64) -> Result<Vec<CaseFact>>;
}

/// An import in progress: one transaction, one case revision.
#[async_trait]
pub trait ImportTx: Send {
    /// As [`Store::case_refs`], inside the transaction.
    async fn case_refs(&mut self, agency: AgencyId) -> Result<Vec<(String, CaseId)>>;
    /// Insert new cases, replace updated ones, append their audit events.
    async fn write(&mut self, new: &[StoredCase], updated: &[StoredCase], events: &[AuditEvent]) -> Result<()>;
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// A case's facts as map aggregates read them (codes as stored).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    pub id: CaseId,
    pub agency_id: AgencyId,
    /// The recording agency's kind code.
    pub agency_kind: String,
    /// Country of the recording agency.
    pub country: String,
    /// The revision of the transaction that last wrote the case.
    pub rev: i64,
    /// ISO date.
    pub identified_on: String,
    pub sex: String,
    /// `None`: age unknown.
    pub minor: Option<bool>,
    /// Exploitation codes (`other: ...` entries as stored).
    pub exploitation: Vec<String>,
    pub citizenship: Option<String>,
    /// The route in order: country code and subdivision code where known.
    pub route: Vec<(String, Option<String>)>,
}
