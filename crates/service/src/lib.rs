//! Vigia's use cases.
//!
//! Every operation on a case goes through [`Vigia`]: it asks the policy
//! ([`vigia_domain::policy::authorize`]), encrypts or decrypts identities, and
//! writes the audit entry (allowed or denied) before any data is returned.

pub mod estimates;
pub mod import;
pub mod keys;
pub mod knowledge;
pub mod national;
pub mod nrm;
pub mod plans;
pub mod rounds;
pub(crate) mod route_facts;
pub mod routes;
mod util;

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use vigia_domain::audit::{AuditEntry, AuditProblem, Verifier};
use vigia_domain::case::{Case, CaseFacts, Identity, NewCase};
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, View};
use vigia_domain::taxonomy::{AgencyKind, Role};
use vigia_domain::FieldErrors;
pub use vigia_store::{Agency, AuditEvent, Session, Store, StoreError, StoredCase, User};

pub use keys::{KeyError, Keys};

/// What a caller may be told. Messages never hold identifying data.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("authentication required")]
    Unauthenticated,
    /// A rule of the referral mechanism refuses the request; the message says which.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            e => ServiceError::Store(e),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The time source; tests substitute a fixed clock.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
    fn today(&self) -> Date {
        self.now().date()
    }
    fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// The system clock (UTC).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A case as shown to one caller: identity only when the policy allows it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: Case,
    pub identity: Option<Identity>,
    pub view: View,
}

/// The result of verifying the audit chain.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub checked: u64,
    pub head: Option<(i64, String)>,
    pub problems: Vec<AuditProblem>,
}

/// A validated e-mail address for a user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, FieldErrors> {
        let s = s.trim().to_ascii_lowercase();
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.matches('@').count() == 1;
        if ok {
            Ok(Self(s))
        } else {
            let mut e = FieldErrors::default();
            e.push("email", "is not a valid e-mail address");
            Err(e)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SHA-256 hex of a secret (tokens and session ids are stored hashed).
pub fn hash_secret(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Argon2id hash of a password (PHC string).
pub fn hash_password(pw: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
}

fn verify_password(pw: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// The application.
#[derive(Clone)]
pub struct Vigia {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keys: Arc<Keys>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) route_facts: Arc<routes::RouteFacts>,
}

const SESSION_HOURS: i64 = 8;

impl Vigia {
    pub fn new(store: Arc<dyn Store>, keys: Keys, clock: Arc<dyn Clock>) -> Self {
        Self { store, keys: Arc::new(keys), clock, route_facts: Arc::default() }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn today(&self) -> Date {
        self.clock.today()
    }

    // ----- agencies and users (operator commands) -----

    pub async fn add_agency(&self, name: &str, kind: AgencyKind, country: Country, subdivision: Option<Subdivision>) -> Result<Agency> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            let mut e = FieldErrors::default();
            e.push("name", "must be 1 to 200 characters");
            return Err(ServiceError::Invalid(e));
        }
        if let Some(s) = &subdivision {
            if s.country_code() != country.code() {
                let mut e = FieldErrors::default();
                e.push("subdivision", "does not belong to the country");
                return Err(ServiceError::Invalid(e));
            }
        }
        let a = Agency { id: AgencyId(uuid::Uuid::now_v7()), name: name.to_string(), kind, country, subdivision, created_at_ms: self.clock.now_ms() };
        self.store.insert_agency(&a).await?;
        Ok(a)
    }

    pub async fn add_user(&self, email: &Email, role: Role, agency: AgencyId, password: &str) -> Result<User> {
        if password.chars().count() < 12 {
            let mut e = FieldErrors::default();
            e.push("password", "must be at least 12 characters");
            return Err(ServiceError::Invalid(e));
        }
        if self.store.get_agency(agency).await?.is_none() {
            let mut e = FieldErrors::default();
            e.push("agency", "no such agency");
            return Err(ServiceError::Invalid(e));
        }
        let u = User {
            id: UserId(uuid::Uuid::now_v7()),
            email: email.as_str().to_string(),
            role,
            agency_id: agency,
            password_hash: hash_password(password),
            identity_grant: false,
            created_at_ms: self.clock.now_ms(),
        };
        self.store.insert_user(&u).await?;
        Ok(u)
    }

    /// Grant or withdraw a coordinator's access to identifying fields.
    pub async fn set_identity_grant(&self, email: &Email, grant: bool) -> Result<()> {
        let u = self.store.user_by_email(email.as_str()).await?.ok_or(ServiceError::NotFound)?;
        self.store.set_identity_grant(u.id, grant).await?;
        self.store
            .append_audit(&[AuditEvent {
                at_ms: self.clock.now_ms(),
                actor: None,
                action: "user.identity_grant".into(),
                case_id: None,
                detail: format!("user={} grant={grant}", u.id),
            }])
            .await?;
        Ok(())
    }

    /// A new bearer token for a user; only its hash is stored. Returned once.
    pub async fn create_token(&self, email: &Email) -> Result<String> {
        let u = self.store.user_by_email(email.as_str()).await?.ok_or(ServiceError::NotFound)?;
        let token = format!("vgt_{}", random_secret());
        self.store.insert_token(&hash_secret(&token), u.id, self.clock.now_ms()).await?;
        Ok(token)
    }

    pub async fn actor_for(&self, u: &User) -> Result<Actor> {
        let agency = self.store.get_agency(u.agency_id).await?.ok_or(ServiceError::Unauthenticated)?;
        Ok(Actor { user_id: u.id, role: u.role, agency_id: u.agency_id, country: agency.country, identity_grant: u.identity_grant })
    }

    pub async fn actor_for_token(&self, token: &str) -> Result<Option<(Actor, User)>> {
        match self.store.user_for_token(&hash_secret(token)).await? {
            Some(u) => Ok(Some((self.actor_for(&u).await?, u))),
            None => Ok(None),
        }
    }

    /// Check a password; the same work is done whether or not the user exists.
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<User>> {
        let user = match Email::parse(email) {
            Ok(e) => self.store.user_by_email(e.as_str()).await?,
            Err(_) => None,
        };
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0pA1qQtrh3UXnBvG0ez0lUZrjUAcO9gJzZUn1gJ9kzs";
        let ok = verify_password(password, user.as_ref().map_or(DUMMY, |u| u.password_hash.as_str()));
        Ok(user.filter(|_| ok))
    }

    /// Open a session: returns (cookie value, CSRF token).
    pub async fn open_session(&self, user: &User) -> Result<(String, String)> {
        let cookie = random_secret();
        let csrf = random_secret();
        self.store
            .insert_session(&Session {
                id_hash: hash_secret(&cookie),
                user_id: user.id,
                csrf_token: csrf.clone(),
                expires_at_ms: self.clock.now_ms() + SESSION_HOURS * 3_600_000,
            })
            .await?;
        Ok((cookie, csrf))
    }

    pub async fn session(&self, cookie: &str) -> Result<Option<(Actor, User, Session)>> {
        let Some(s) = self.store.get_session(&hash_secret(cookie), self.clock.now_ms()).await? else { return Ok(None) };
        let Some(u) = self.store.get_user(s.user_id).await? else { return Ok(None) };
        Ok(Some((self.actor_for(&u).await?, u, s)))
    }

    pub async fn close_session(&self, cookie: &str) -> Result<()> {
        Ok(self.store.delete_session(&hash_secret(cookie)).await?)
    }

    // ----- cases -----

    fn event(&self, actor: &Actor, action: &str, case: Option<CaseId>, detail: impl Into<String>) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: case, detail: detail.into() }
    }

    pub(crate) async fn deny(&self, actor: &Actor, action: &str, case: Option<CaseId>, reason: &'static str) -> ServiceError {
        // A denial is recorded too; if that fails the caller still gets a denial.
        if let Err(e) = self.store.append_audit(&[self.event(actor, action, case, format!("denied: {reason}"))]).await {
            tracing::error!(error = %e, "audit append failed for a denial");
        }
        ServiceError::Forbidden(reason)
    }

    pub(crate) fn seal_identity(&self, id: CaseId, identity: &Identity) -> Vec<u8> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(identity).unwrap_or_default());
        self.keys.encrypt(&plain, id.to_text().as_bytes())
    }

    pub fn open_identity(&self, sc: &StoredCase) -> Result<Identity> {
        let plain = self.keys.decrypt(&sc.identity_ct, sc.case.id.to_string().as_bytes())?;
        serde_json::from_slice(&plain).map_err(|_| ServiceError::Key(KeyError::Format))
    }

    /// Build the stored form of a new case for an agency (no write).
    pub fn prepare_case(&self, new: &NewCase, agency: &Agency, created_by: UserId) -> StoredCase {
        self.prepare_case_as(CaseId(uuid::Uuid::now_v7()), new, agency, created_by)
    }

    /// As [`Self::prepare_case`], for a given case id (an import replacing a case).
    pub(crate) fn prepare_case_as(&self, id: CaseId, new: &NewCase, agency: &Agency, created_by: UserId) -> StoredCase {
        self.stored_case(id, &new.identity, new.facts.clone(), new.external_ref.clone(), agency, created_by)
    }

    /// As [`Vigia::prepare_case_as`], moving the facts instead of copying them (imports).
    pub(crate) fn prepare_case_owned(&self, id: CaseId, new: NewCase, agency: &Agency, created_by: UserId) -> StoredCase {
        self.stored_case(id, &new.identity, new.facts, new.external_ref, agency, created_by)
    }

    fn stored_case(&self, id: CaseId, identity: &Identity, facts: CaseFacts, external_ref: Option<String>, agency: &Agency, created_by: UserId) -> StoredCase {
        StoredCase {
            identity_ct: self.seal_identity(id, identity),
            case: Case { id, agency_id: agency.id, created_by, created_at: self.clock.now(), external_ref, facts },
            country: agency.country,
        }
    }

    /// Record a case for the actor's agency.
    pub async fn create_case(&self, actor: &Actor, new: &NewCase) -> Result<CaseId> {
        let resource = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        if let Decision::Deny(r) = authorize(actor, Action::CreateCase, &resource) {
            return Err(self.deny(actor, "case.create", None, r).await);
        }
        let agency = self.store.get_agency(actor.agency_id).await?.ok_or(ServiceError::NotFound)?;
        let sc = self.prepare_case(new, &agency, actor.user_id);
        let id = sc.case.id;
        self.store.insert_cases(std::slice::from_ref(&sc), &[self.event(actor, "case.create", Some(id), "")]).await?;
        Ok(id)
    }

    /// Read one case. Not found and forbidden are both audited.
    pub async fn get_case(&self, actor: &Actor, id: CaseId) -> Result<CaseView> {
        let Some(sc) = self.store.get_case(id).await? else {
            self.store.append_audit(&[self.event(actor, "case.read", Some(id), "not found")]).await?;
            return Err(ServiceError::NotFound);
        };
        let resource = Resource::Case { agency_id: sc.case.agency_id, country: sc.country };
        let view = match authorize(actor, Action::ReadCase, &resource) {
            Decision::Allow(v) => v,
            Decision::AllowList(_, v) => v,
            Decision::AllowShared(_) => return Err(ServiceError::Forbidden("not permitted")),
            Decision::Deny(r) => return Err(self.deny(actor, "case.read", Some(id), r).await),
        };
        self.store.append_audit(&[self.event(actor, "case.read", Some(id), view_code(view))]).await?;
        let identity = match view {
            View::Full => Some(self.open_identity(&sc)?),
            View::Deidentified => None,
        };
        Ok(CaseView { case: sc.case, identity, view })
    }

    /// The cases the actor may see, newest first; one audit entry per case listed.
    pub async fn list_cases(&self, actor: &Actor, limit: i64, offset: i64) -> Result<(i64, Vec<CaseView>)> {
        let resource = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        let (scope, view) = match authorize(actor, Action::ListCases, &resource) {
            Decision::AllowList(s, v) => (s, v),
            Decision::Allow(_) | Decision::AllowShared(_) => return Err(ServiceError::Forbidden("not permitted")),
            Decision::Deny(r) => return Err(self.deny(actor, "case.list", None, r).await),
        };
        let limit = limit.clamp(1, 500);
        let offset = offset.max(0);
        let (total, rows) = self.store.list_cases(&scope, limit, offset).await?;
        let events: Vec<AuditEvent> = rows.iter().map(|sc| self.event(actor, "case.list", Some(sc.case.id), view_code(view))).collect();
        self.store.append_audit(&events).await?;
        let mut out = Vec::with_capacity(rows.len());
        for sc in rows {
            let identity = match view {
                View::Full => Some(self.open_identity(&sc)?),
                View::Deidentified => None,
            };
            out.push(CaseView { case: sc.case, identity, view });
        }
        Ok((total, out))
    }

    // ----- audit -----

    /// Audit entries for auditors.
    pub async fn audit_entries(&self, actor: &Actor, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        if let Decision::Deny(r) = authorize(actor, Action::ReadAuditLog, &Resource::System) {
            return Err(self.deny(actor, "audit.read", None, r).await);
        }
        Ok(self.store.audit_entries(after, limit.clamp(1, 1000)).await?)
    }

    /// Verify the whole chain against the audit key and the recorded head.
    pub async fn verify_audit(&self, mut progress: impl FnMut(u64)) -> Result<AuditReport> {
        let mut v = Verifier::new(self.keys.audit_key());
        let mut after = 0;
        loop {
            let batch = self.store.audit_entries(after, 5000).await?;
            let Some(last) = batch.last() else { break };
            after = last.record.seq;
            for e in &batch {
                v.feed(e);
            }
            progress(v.checked);
        }
        let checked = v.checked;
        let head = self.store.audit_head().await?;
        let problems = v.finish(head);
        Ok(AuditReport { checked, head: head.map(|(s, m)| (s, hex::encode(m))), problems })
    }

    /// Re-encrypt every identity under a new data key. The caller must have
    /// saved `new_keys` (which still hold the old key as retired) before.
    pub async fn reencrypt_all(&self, new_keys: &Keys) -> Result<usize> {
        let items = self.store.case_ciphertexts().await?;
        let mut out = Vec::with_capacity(items.len());
        for (id, ct) in items {
            let plain = self.keys.decrypt(&ct, id.to_string().as_bytes())?;
            out.push((id, new_keys.encrypt(&plain, id.to_string().as_bytes())));
        }
        let n = out.len();
        let ev = AuditEvent {
            at_ms: self.clock.now_ms(),
            actor: None,
            action: "key.rotate".into(),
            case_id: None,
            detail: format!("cases={n} key={}", new_keys.current_key_id()),
        };
        self.store.replace_ciphertexts(&out, &ev).await?;
        Ok(n)
    }
}

fn view_code(v: View) -> &'static str {
    match v {
        View::Full => "full",
        View::Deidentified => "deidentified",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(Email::parse("a@b.org").is_ok());
        assert_eq!(Email::parse(" A@B.org ").unwrap().as_str(), "a@b.org");
        for bad in ["", "a", "a@b", "a@@b.org", "a b@c.org", "@b.org"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        let h = hash_password("correct horse battery");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
    }
}
