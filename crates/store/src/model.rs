//! Records as stored.

use vigia_domain::case::Case;
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::taxonomy::{AgencyKind, Role};

#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
    pub country: Country,
    pub subdivision: Option<Subdivision>,
    pub created_at_ms: i64,
}

#[derive(Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub role: Role,
    pub agency_id: AgencyId,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub identity_grant: bool,
    pub created_at_ms: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("id", &self.id).field("role", &self.role).field("agency_id", &self.agency_id).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SHA-256 of the cookie value: the cookie itself is never stored.
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at_ms: i64,
}

/// A case as stored: facts in columns, identity as ciphertext.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub case: Case,
    /// The recording agency's country (scope and future distribution key).
    pub country: Country,
    pub identity_ct: Vec<u8>,
}

/// An event to append to the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at_ms: i64,
    pub actor: Option<UserId>,
    pub action: String,
    pub case_id: Option<CaseId>,
    pub detail: String,
}

/// A document record: key columns for access paths, a JSON body for the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub kind: String,
    pub case_id: Option<CaseId>,
    pub agency_id: Option<AgencyId>,
    pub other_agency_id: Option<AgencyId>,
    pub status: Option<String>,
    pub at_ms: i64,
    pub body: String,
}

/// Which records to find (all given conditions must hold), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub kind: String,
    pub case_id: Option<CaseId>,
    pub agency_id: Option<AgencyId>,
    pub other_agency_id: Option<AgencyId>,
    pub status: Option<String>,
    pub limit: Option<i64>,
}

impl RecordQuery {
    pub fn kind(kind: &str) -> Self {
        Self { kind: kind.to_string(), ..Default::default() }
    }
}
