//! The National Referral Mechanism's use cases: legal profiles and screening,
//! sharing agreements, referrals and services, consent, best-interests
//! assessments, identification decisions, the person's wishes, the case
//! timeline, and hotline tips. Each goes through the policy and the audit log.

use serde::{Deserialize, Serialize};
use time::Date;
use vigia_domain::case::{format_date, Identity};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::nrm::{self, Decided, DecisionPath, ReferralFacts, Timers};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource};
use vigia_domain::screening::{screen, LegalProfile, Screening, ScreeningInput};
use vigia_domain::taxonomy::{
    AgencyKind, ConsentPurpose, DataCategory, DecisionKind, DecisionOutcome, ReferralStatus, Role, ServiceKind, TipStatus,
};
use vigia_store::{Agency, AuditEvent, Record, RecordQuery, StoredCase};

use crate::util::{invalid, new_id, to_json, from_json, date_fmt};
use crate::{Result, ServiceError, Vigia};

pub const AGREEMENT: &str = "agreement";
pub const REFERRAL: &str = "referral";
pub const SERVICE: &str = "service";
pub const CONSENT: &str = "consent";
pub const BEST_INTERESTS: &str = "best_interests";
pub const DECISION: &str = "decision";
pub const SCREENING: &str = "screening";
pub const PERSON: &str = "person";
pub const TIP: &str = "tip";
pub const PROFILE: &str = "legal_profile";
pub const TIMERS: &str = "timers";

/// A memorandum of understanding: the receiver may get referrals and see these categories.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Agreement {
    pub id: String,
    pub from_agency: AgencyId,
    pub to_agency: AgencyId,
    pub categories: Vec<DataCategory>,
    pub services: Vec<ServiceKind>,
    pub created_by: UserId,
    pub created_at_ms: i64,
    pub active: bool,
}

/// A referral of a case to another agency.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Referral {
    pub id: String,
    pub case_id: CaseId,
    pub from_agency: AgencyId,
    pub to_agency: AgencyId,
    pub agreement_id: String,
    pub services: Vec<ServiceKind>,
    /// Encrypted note (hex), if any.
    pub note_ct: Option<String>,
    pub status: ReferralStatus,
    pub sent_at_ms: i64,
    pub sent_by: UserId,
    pub answered_at_ms: Option<i64>,
    pub answered_by: Option<UserId>,
    /// Encrypted reason of a decline (hex).
    pub decline_reason_ct: Option<String>,
    pub completed_at_ms: Option<i64>,
}

/// A service delivered under a referral.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceRecord {
    pub id: String,
    pub referral_id: String,
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub kind: ServiceKind,
    #[serde(with = "date_fmt")]
    pub started_on: Date,
    #[serde(with = "vigia_domain::case::opt_date", default)]
    pub ended_on: Option<Date>,
    pub recorded_by: UserId,
    pub recorded_at_ms: i64,
}

/// Informed consent for one purpose.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Consent {
    pub id: String,
    pub case_id: CaseId,
    pub purpose: ConsentPurpose,
    /// For sharing: the named agency.
    pub agency_id: Option<AgencyId>,
    /// The language the information was given in (e.g. `pt`, `es`, `yo`).
    pub language: String,
    #[serde(with = "date_fmt")]
    pub given_on: Date,
    pub recorded_by: UserId,
    pub recorded_at_ms: i64,
    pub withdrawn_at_ms: Option<i64>,
    pub withdrawn_by: Option<UserId>,
}

/// A best-interests assessment for a child.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BestInterests {
    pub id: String,
    pub case_id: CaseId,
    #[serde(with = "date_fmt")]
    pub assessed_on: Date,
    /// The body that assessed (not a person's name).
    pub assessor: String,
    pub recorded_by: UserId,
    pub recorded_at_ms: i64,
}

/// A formal identification decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub id: String,
    pub case_id: CaseId,
    pub kind: DecisionKind,
    pub outcome: DecisionOutcome,
    #[serde(with = "date_fmt")]
    pub decided_on: Date,
    /// The competent body.
    pub body: String,
    /// Encrypted reasons (hex).
    pub reasons_ct: String,
    pub recorded_by: UserId,
    pub recorded_at_ms: i64,
}

/// A stored screening result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScreeningRecord {
    pub case_id: CaseId,
    pub outcome: String,
    pub reasons: Vec<String>,
    pub profile_code: String,
    pub profile_version: u32,
    pub by: UserId,
    pub at_ms: i64,
}

/// The person's voice: wishes, language, interpreter; for a child, when child protection was informed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PersonNotes {
    pub interpreter_needed: bool,
    pub language: Option<String>,
    /// Encrypted wishes (hex).
    pub wishes_ct: Option<String>,
    #[serde(with = "vigia_domain::case::opt_date", default)]
    pub child_protection_informed_on: Option<Date>,
}

/// A hotline tip.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tip {
    pub id: String,
    pub agency_id: AgencyId,
    pub received_at_ms: i64,
    /// Encrypted text and contact (hex).
    pub body_ct: String,
    pub country: Option<String>,
    pub source: String,
    pub status: TipStatus,
    pub case_id: Option<CaseId>,
    pub handled_by: Option<UserId>,
}






/// A referral with what each side needs to see about it.
#[derive(Debug, Clone)]
pub struct ReferralView {
    pub referral: Referral,
    pub from_name: String,
    pub to_name: String,
    pub overdue: bool,
    pub note: Option<String>,
    pub decline_reason: Option<String>,
    pub services: Vec<ServiceRecord>,
}

/// One line of a case's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub who: String,
    pub what: String,
}

/// A case as shown to a receiving agency: only agreed categories.
#[derive(Debug, Clone)]
pub struct SharedCase {
    pub case: vigia_domain::case::Case,
    pub identity: Option<Identity>,
    pub categories: Vec<DataCategory>,
    pub person: Option<PersonNotesView>,
}

/// Decrypted person notes.
#[derive(Debug, Clone, Default)]
pub struct PersonNotesView {
    pub interpreter_needed: bool,
    pub language: Option<String>,
    pub wishes: Option<String>,
    pub child_protection_informed_on: Option<Date>,
}

impl Vigia {
    fn ev(&self, actor: &Actor, action: &str, case: Option<CaseId>, detail: impl Into<String>) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: case, detail: detail.into() }
    }

    fn seal_text(&self, case: &str, text: &str) -> String {
        hex::encode(self.keys.encrypt(text.as_bytes(), format!("text:{case}").as_bytes()))
    }

    fn open_text(&self, case: &str, ct: &str) -> Option<String> {
        let bytes = hex::decode(ct).ok()?;
        let plain = self.keys.decrypt(&bytes, format!("text:{case}").as_bytes()).ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// Load a case the actor's agency works on (audited as a read when allowed or denied).
    async fn own_case(&self, actor: &Actor, id: CaseId, action: &str) -> Result<StoredCase> {
        let Some(sc) = self.store.get_case(id).await? else {
            return Err(ServiceError::NotFound);
        };
        let r = Resource::Case { agency_id: sc.case.agency_id, country: sc.country };
        if let Decision::Deny(reason) = authorize(actor, Action::WorkOnCase, &r) {
            return Err(self.deny(actor, action, Some(id), reason).await);
        }
        Ok(sc)
    }

    // ----- legal profiles and screening -----

    /// The profiles in force: the Protocol's, then each stored profile's latest version.
    pub async fn legal_profiles(&self) -> Result<Vec<LegalProfile>> {
        let mut latest: std::collections::BTreeMap<String, LegalProfile> = std::collections::BTreeMap::new();
        latest.insert("palermo".into(), LegalProfile::palermo());
        for r in self.store.find_records(&RecordQuery::kind(PROFILE)).await? {
            let p: LegalProfile = from_json(&r)?;
            if latest.get(&p.code).is_none_or(|q| q.version < p.version || q.code == "palermo" && p.version >= q.version) {
                latest.insert(p.code.clone(), p);
            }
        }
        Ok(latest.into_values().collect())
    }

    /// One profile by code, latest version (or a given version).
    pub async fn legal_profile(&self, code: &str, version: Option<u32>) -> Result<LegalProfile> {
        let mut found: Option<LegalProfile> = if code == "palermo" && version.is_none_or(|v| v == 1) { Some(LegalProfile::palermo()) } else { None };
        for r in self.store.find_records(&RecordQuery::kind(PROFILE)).await? {
            let p: LegalProfile = from_json(&r)?;
            if p.code == code && version.is_none_or(|v| v == p.version) && found.as_ref().is_none_or(|f| f.version <= p.version) {
                found = Some(p);
            }
        }
        found.ok_or_else(|| invalid("profile", "no legal profile with this code"))
    }

    /// Save an edited profile as a new version (national coordinators).
    pub async fn save_legal_profile(&self, actor: &Actor, mut p: LegalProfile) -> Result<LegalProfile> {
        if let Decision::Deny(r) = authorize(actor, Action::ManageLegalProfiles, &Resource::System) {
            return Err(self.deny(actor, "legal_profile.save", None, r).await);
        }
        p.validate().map_err(|e| invalid("profile", &e.to_string()))?;
        let current = self.legal_profile(&p.code, None).await.ok();
        p.version = current.map_or(1, |c| c.version + 1);
        let rec = Record {
            id: format!("{}@{}", p.code, p.version),
            kind: PROFILE.into(),
            case_id: None,
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: None,
            at_ms: self.clock.now_ms(),
            body: to_json(&p),
        };
        self.store.put_records(&[rec], &[self.ev(actor, "legal_profile.save", None, format!("{}@{}", p.code, p.version))]).await?;
        Ok(p)
    }

    /// Screen raw facts against a profile (no case, nothing stored).
    pub async fn screen_facts(&self, input: &ScreeningInput, profile: Option<&str>) -> Result<Screening> {
        let p = self.legal_profile(profile.unwrap_or("palermo"), None).await?;
        Ok(screen(input, &p))
    }

    /// Screen a stored case and keep the result on its timeline.
    pub async fn screen_case(&self, actor: &Actor, id: CaseId, profile: Option<&str>, consent_given: Option<bool>) -> Result<Screening> {
        let sc = self.own_case(actor, id, "case.screen").await?;
        let f = &sc.case.facts;
        let input = ScreeningInput {
            acts: f.acts.clone(),
            means: f.means.clone(),
            exploitation: f.exploitation.clone(),
            age: f.age,
            consent_given,
        };
        let code = match profile {
            Some(p) => p.to_string(),
            None => self.default_profile_for(sc.country.code()).await?,
        };
        let s = self.screen_facts(&input, Some(&code)).await?;
        let rec = ScreeningRecord {
            case_id: id,
            outcome: s.outcome.code().into(),
            reasons: s.reasons.clone(),
            profile_code: s.profile_code.clone(),
            profile_version: s.profile_version,
            by: actor.user_id,
            at_ms: self.clock.now_ms(),
        };
        let detail = format!("{} under {}@{}", s.outcome.code(), s.profile_code, s.profile_version);
        self.store.put_records(&[self.record(SCREENING, new_id(), Some(id), Some(actor.agency_id), None, Some(s.outcome.code()), &rec)], &[self.ev(actor, "case.screen", Some(id), detail)]).await?;
        Ok(s)
    }

    /// The profile of a country if one exists, else the Protocol's.
    pub async fn default_profile_for(&self, country: &str) -> Result<String> {
        Ok(self.legal_profiles().await?.into_iter().find(|p| p.country.as_deref() == Some(country)).map_or_else(|| "palermo".to_string(), |p| p.code))
    }

    pub async fn screenings(&self, id: CaseId) -> Result<Vec<ScreeningRecord>> {
        self.store.find_records(&RecordQuery { case_id: Some(id), ..RecordQuery::kind(SCREENING) }).await?.iter().map(from_json).collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn record<T: Serialize>(&self, kind: &str, id: String, case: Option<CaseId>, agency: Option<AgencyId>, other: Option<AgencyId>, status: Option<&str>, body: &T) -> Record {
        Record {
            id,
            kind: kind.into(),
            case_id: case,
            agency_id: agency,
            other_agency_id: other,
            status: status.map(String::from),
            at_ms: self.clock.now_ms(),
            body: to_json(body),
        }
    }

    // ----- timers -----

    pub async fn timers(&self, country: &str) -> Result<Timers> {
        match self.store.get_record(TIMERS, country).await? {
            Some(r) => from_json(&r),
            None => Ok(Timers::default()),
        }
    }

    pub async fn set_timers(&self, actor: &Actor, t: Timers) -> Result<()> {
        if let Decision::Deny(r) = authorize(actor, Action::ManageLegalProfiles, &Resource::System) {
            return Err(self.deny(actor, "timers.set", None, r).await);
        }
        if t.referral_overdue_days == 0 || t.referral_overdue_days > 365 || t.reflection_days > 365 {
            return Err(invalid("timers", "days must be from 1 to 365"));
        }
        let cc = actor.country.code().to_string();
        let rec = self.record(TIMERS, cc.clone(), None, Some(actor.agency_id), None, None, &t);
        self.store.put_records(&[rec], &[self.ev(actor, "timers.set", None, format!("country={cc}"))]).await?;
        Ok(())
    }

    // ----- agreements -----

    pub async fn create_agreement(&self, actor: &Actor, to: AgencyId, categories: Vec<DataCategory>, services: Vec<ServiceKind>) -> Result<Agreement> {
        let r = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        if let Decision::Deny(reason) = authorize(actor, Action::ManageAgreements, &r) {
            return Err(self.deny(actor, "agreement.create", None, reason).await);
        }
        if to == actor.agency_id {
            return Err(invalid("to_agency", "an agreement is with another agency"));
        }
        if self.store.get_agency(to).await?.is_none() {
            return Err(invalid("to_agency", "no such agency"));
        }
        if categories.is_empty() {
            return Err(invalid("categories", "choose at least one category of data"));
        }
        // A new agreement replaces the previous one between the same agencies.
        let mut recs = Vec::new();
        for mut old in self.agreements_from(actor.agency_id).await?.into_iter().filter(|a| a.to_agency == to && a.active) {
            old.active = false;
            recs.push(self.record(AGREEMENT, old.id.clone(), None, Some(old.from_agency), Some(old.to_agency), Some("inactive"), &old));
        }
        let a = Agreement {
            id: new_id(),
            from_agency: actor.agency_id,
            to_agency: to,
            categories,
            services,
            created_by: actor.user_id,
            created_at_ms: self.clock.now_ms(),
            active: true,
        };
        recs.push(self.record(AGREEMENT, a.id.clone(), None, Some(a.from_agency), Some(a.to_agency), Some("active"), &a));
        let detail = format!("to={} categories={}", to, a.categories.iter().map(|c| c.code()).collect::<Vec<_>>().join(","));
        self.store.put_records(&recs, &[self.ev(actor, "agreement.create", None, detail)]).await?;
        Ok(a)
    }

    pub async fn agreements_from(&self, agency: AgencyId) -> Result<Vec<Agreement>> {
        self.store.find_records(&RecordQuery { agency_id: Some(agency), ..RecordQuery::kind(AGREEMENT) }).await?.iter().map(from_json).collect()
    }

    /// The active agreement from one agency to another.
    pub async fn agreement(&self, from: AgencyId, to: AgencyId) -> Result<Option<Agreement>> {
        Ok(self.agreements_from(from).await?.into_iter().find(|a| a.to_agency == to && a.active))
    }

    /// The agencies a case of the actor's agency can be referred to.
    pub async fn referral_partners(&self, actor: &Actor) -> Result<Vec<(Agreement, Agency)>> {
        let mut out = Vec::new();
        for a in self.agreements_from(actor.agency_id).await?.into_iter().filter(|a| a.active) {
            if let Some(ag) = self.store.get_agency(a.to_agency).await? {
                out.push((a, ag));
            }
        }
        Ok(out)
    }

    // ----- consent, best interests, person -----

    pub async fn consents(&self, id: CaseId) -> Result<Vec<Consent>> {
        self.store.find_records(&RecordQuery { case_id: Some(id), ..RecordQuery::kind(CONSENT) }).await?.iter().map(from_json).collect()
    }

    pub async fn record_consent(&self, actor: &Actor, id: CaseId, purpose: ConsentPurpose, agency: Option<AgencyId>, language: &str, given_on: Date) -> Result<Consent> {
        self.own_case(actor, id, "consent.record").await?;
        if purpose == ConsentPurpose::ShareWithAgency && agency.is_none() {
            return Err(invalid("agency_id", "consent to sharing names the agency"));
        }
        if let Some(a) = agency {
            if self.store.get_agency(a).await?.is_none() {
                return Err(invalid("agency_id", "no such agency"));
            }
        }
        let language = language.trim();
        if language.is_empty() || language.len() > 35 || !language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(invalid("language", "a language tag such as pt, es, fr or yo"));
        }
        if given_on > self.today() {
            return Err(invalid("given_on", "must not be in the future"));
        }
        let c = Consent {
            id: new_id(),
            case_id: id,
            purpose,
            agency_id: agency,
            language: language.to_string(),
            given_on,
            recorded_by: actor.user_id,
            recorded_at_ms: self.clock.now_ms(),
            withdrawn_at_ms: None,
            withdrawn_by: None,
        };
        let detail = format!("{} {}", purpose.code(), agency.map(|a| a.to_string()).unwrap_or_default());
        self.store
            .put_records(&[self.record(CONSENT, c.id.clone(), Some(id), Some(actor.agency_id), agency, Some("given"), &c)], &[self.ev(actor, "consent.given", Some(id), detail.trim().to_string())])
            .await?;
        Ok(c)
    }

    /// Withdraw a consent: every later sharing it covered is blocked at once.
    pub async fn withdraw_consent(&self, actor: &Actor, consent_id: &str) -> Result<()> {
        let r = self.store.get_record(CONSENT, consent_id).await?.ok_or(ServiceError::NotFound)?;
        let mut c: Consent = from_json(&r)?;
        self.own_case(actor, c.case_id, "consent.withdraw").await?;
        if c.withdrawn_at_ms.is_some() {
            return Ok(());
        }
        c.withdrawn_at_ms = Some(self.clock.now_ms());
        c.withdrawn_by = Some(actor.user_id);
        let detail = format!("{} {}", c.purpose.code(), c.agency_id.map(|a| a.to_string()).unwrap_or_default());
        self.store
            .put_records(&[self.record(CONSENT, c.id.clone(), Some(c.case_id), Some(actor.agency_id), c.agency_id, Some("withdrawn"), &c)], &[self.ev(actor, "consent.withdrawn", Some(c.case_id), detail.trim().to_string())])
            .await?;
        Ok(())
    }

    async fn sharing_consent(&self, case: CaseId, agency: AgencyId) -> Result<bool> {
        Ok(self.consents(case).await?.iter().any(|c| c.purpose == ConsentPurpose::ShareWithAgency && c.agency_id == Some(agency) && c.withdrawn_at_ms.is_none()))
    }

    pub async fn best_interests(&self, id: CaseId) -> Result<Vec<BestInterests>> {
        self.store.find_records(&RecordQuery { case_id: Some(id), ..RecordQuery::kind(BEST_INTERESTS) }).await?.iter().map(from_json).collect()
    }

    pub async fn record_best_interests(&self, actor: &Actor, id: CaseId, assessed_on: Date, assessor: &str) -> Result<()> {
        self.own_case(actor, id, "best_interests.record").await?;
        let assessor = assessor.trim();
        if assessor.is_empty() || assessor.chars().count() > 200 {
            return Err(invalid("assessor", "name the assessing body (1 to 200 characters)"));
        }
        if assessed_on > self.today() {
            return Err(invalid("assessed_on", "must not be in the future"));
        }
        let b = BestInterests { id: new_id(), case_id: id, assessed_on, assessor: assessor.into(), recorded_by: actor.user_id, recorded_at_ms: self.clock.now_ms() };
        self.store
            .put_records(&[self.record(BEST_INTERESTS, b.id.clone(), Some(id), Some(actor.agency_id), None, None, &b)], &[self.ev(actor, "best_interests.record", Some(id), format!("assessed {}", format_date(assessed_on)))])
            .await?;
        Ok(())
    }

    pub async fn person_notes(&self, id: CaseId) -> Result<PersonNotesView> {
        let Some(r) = self.store.get_record(PERSON, &id.to_string()).await? else { return Ok(PersonNotesView::default()) };
        let p: PersonNotes = from_json(&r)?;
        Ok(PersonNotesView {
            interpreter_needed: p.interpreter_needed,
            language: p.language,
            wishes: p.wishes_ct.and_then(|c| self.open_text(&id.to_string(), &c)),
            child_protection_informed_on: p.child_protection_informed_on,
        })
    }

    pub async fn set_person_notes(&self, actor: &Actor, id: CaseId, v: &PersonNotesView) -> Result<()> {
        self.own_case(actor, id, "person.update").await?;
        if v.wishes.as_deref().is_some_and(|w| w.chars().count() > 2000) {
            return Err(invalid("wishes", "at most 2000 characters"));
        }
        if v.language.as_deref().is_some_and(|l| l.len() > 35) {
            return Err(invalid("language", "a language tag such as pt, es, fr or yo"));
        }
        let p = PersonNotes {
            interpreter_needed: v.interpreter_needed,
            language: v.language.clone().filter(|l| !l.trim().is_empty()),
            wishes_ct: v.wishes.as_deref().filter(|w| !w.trim().is_empty()).map(|w| self.seal_text(&id.to_string(), w)),
            child_protection_informed_on: v.child_protection_informed_on,
        };
        self.store.put_records(&[self.record(PERSON, id.to_string(), Some(id), Some(actor.agency_id), None, None, &p)], &[self.ev(actor, "person.update", Some(id), "")]).await?;
        Ok(())
    }

    // ----- decisions -----

    pub async fn decisions(&self, id: CaseId) -> Result<Vec<(DecisionRecord, Option<String>)>> {
        let recs: Vec<DecisionRecord> = self.store.find_records(&RecordQuery { case_id: Some(id), ..RecordQuery::kind(DECISION) }).await?.iter().map(from_json).collect::<Result<_>>()?;
        Ok(recs.into_iter().map(|d| {
            let reasons = self.open_text(&id.to_string(), &d.reasons_ct);
            (d, reasons)
        }).collect())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_decision(&self, actor: &Actor, id: CaseId, kind: DecisionKind, outcome: DecisionOutcome, decided_on: Date, body: &str, reasons: &str) -> Result<()> {
        let sc = self.own_case(actor, id, "decision.record").await?;
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 200 {
            return Err(invalid("body", "name the competent body (1 to 200 characters)"));
        }
        if reasons.trim().is_empty() {
            return Err(invalid("reasons", "a decision states its reasons"));
        }
        if decided_on > self.today() || decided_on < sc.case.facts.identified_on {
            return Err(invalid("decided_on", "must be between the identification date and today"));
        }
        let existing = self.decisions(id).await?;
        if kind == DecisionKind::ConclusiveGrounds
            && !existing.iter().any(|(d, _)| d.kind == DecisionKind::ReasonableGrounds && d.outcome == DecisionOutcome::Positive)
        {
            return Err(invalid("kind", "a conclusive-grounds decision follows a positive reasonable-grounds decision"));
        }
        let d = DecisionRecord {
            id: new_id(),
            case_id: id,
            kind,
            outcome,
            decided_on,
            body: body.into(),
            reasons_ct: self.seal_text(&id.to_string(), reasons.trim()),
            recorded_by: actor.user_id,
            recorded_at_ms: self.clock.now_ms(),
        };
        self.store
            .put_records(&[self.record(DECISION, d.id.clone(), Some(id), Some(actor.agency_id), None, Some(outcome.code()), &d)], &[self.ev(actor, "decision.record", Some(id), format!("{} {}", kind.code(), outcome.code()))])
            .await?;
        Ok(())
    }

    /// The decision path of a case with its deadlines (timers of the recording agency's country).
    pub async fn decision_path(&self, sc: &StoredCase) -> Result<DecisionPath> {
        let ds: Vec<Decided> = self.decisions(sc.case.id).await?.into_iter().map(|(d, _)| Decided { kind: d.kind, outcome: d.outcome, on: d.decided_on }).collect();
        let t = self.timers(sc.country.code()).await?;
        Ok(nrm::decision_path(sc.case.facts.identified_on, &ds, &t, self.today()))
    }

    // ----- referrals -----

    /// Refer a case to an agency the actor's agency has an agreement with.
    pub async fn refer(&self, actor: &Actor, id: CaseId, to: AgencyId, services: Vec<ServiceKind>, note: &str) -> Result<Referral> {
        let sc = self.own_case(actor, id, "referral.send").await?;
        let receiver = self.store.get_agency(to).await?.ok_or_else(|| invalid("to_agency", "no such agency"))?;
        let agreement = self.agreement(actor.agency_id, to).await?;
        let majority = self.legal_profile(&self.default_profile_for(sc.country.code()).await?, None).await.map_or(18, |p| p.age_of_majority);
        let facts = ReferralFacts {
            same_agency: to == actor.agency_id,
            agreement: agreement.is_some(),
            receiver_kind: receiver.kind,
            child: sc.case.facts.age.and_then(|a| a.is_minor(majority)),
            consent_to_share: self.sharing_consent(id, to).await?,
            best_interests_assessed: !self.best_interests(id).await?.is_empty(),
        };
        if let Err(refusal) = nrm::may_refer(&facts) {
            self.store.append_audit(&[self.ev(actor, "referral.refused", Some(id), format!("to={to}: {refusal}"))]).await?;
            return Err(ServiceError::Refused(refusal.to_string()));
        }
        let agreement = agreement.ok_or(ServiceError::NotFound)?;
        let note = note.trim();
        let r = Referral {
            id: new_id(),
            case_id: id,
            from_agency: actor.agency_id,
            to_agency: to,
            agreement_id: agreement.id.clone(),
            services,
            note_ct: (!note.is_empty()).then(|| self.seal_text(&id.to_string(), note)),
            status: ReferralStatus::Sent,
            sent_at_ms: self.clock.now_ms(),
            sent_by: actor.user_id,
            answered_at_ms: None,
            answered_by: None,
            decline_reason_ct: None,
            completed_at_ms: None,
        };
        self.put_referral(&r, actor, "referral.send", format!("to={} {}", receiver.name.chars().take(80).collect::<String>(), to)).await?;
        Ok(r)
    }

    async fn put_referral(&self, r: &Referral, actor: &Actor, action: &str, detail: String) -> Result<()> {
        let rec = Record {
            id: r.id.clone(),
            kind: REFERRAL.into(),
            case_id: Some(r.case_id),
            agency_id: Some(r.from_agency),
            other_agency_id: Some(r.to_agency),
            status: Some(r.status.code().into()),
            at_ms: r.sent_at_ms,
            body: to_json(r),
        };
        self.store.put_records(&[rec], &[self.ev(actor, action, Some(r.case_id), detail)]).await?;
        Ok(())
    }

    pub async fn referral(&self, id: &str) -> Result<Referral> {
        from_json(&self.store.get_record(REFERRAL, id).await?.ok_or(ServiceError::NotFound)?)
    }

    /// Check the actor may act on a referral sent to their agency; returns the categories it opens.
    async fn receiver_check(&self, actor: &Actor, r: &Referral, action: Action, audit: &str) -> Result<Vec<DataCategory>> {
        let sc = self.store.get_case(r.case_id).await?.ok_or(ServiceError::NotFound)?;
        let agreement: Option<Agreement> = match self.store.get_record(AGREEMENT, &r.agreement_id).await? {
            Some(rec) => Some(from_json(&rec)?),
            None => None,
        };
        let majority = 18;
        let child = sc.case.facts.age.and_then(|a| a.is_minor(majority)) == Some(true);
        let resource = Resource::Referral {
            to_agency: r.to_agency,
            open: r.status != ReferralStatus::Declined,
            consent_active: child || self.sharing_consent(r.case_id, r.to_agency).await?,
            categories: agreement.map(|a| a.categories).unwrap_or_default(),
        };
        match authorize(actor, action, &resource) {
            Decision::AllowShared(c) => Ok(c),
            Decision::Deny(reason) => Err(self.deny(actor, audit, Some(r.case_id), reason).await),
            _ => Err(ServiceError::Forbidden("not permitted")),
        }
    }

    /// A referred case as its receiver may see it (audited).
    pub async fn referred_case(&self, actor: &Actor, referral_id: &str) -> Result<(Referral, SharedCase)> {
        let r = self.referral(referral_id).await?;
        let categories = self.receiver_check(actor, &r, Action::ReadReferredCase, "case.read.referred").await?;
        let sc = self.store.get_case(r.case_id).await?.ok_or(ServiceError::NotFound)?;
        let detail = format!("shared: {}", categories.iter().map(|c| c.code()).collect::<Vec<_>>().join(","));
        self.store.append_audit(&[self.ev(actor, "case.read.referred", Some(r.case_id), detail)]).await?;
        let identity = if categories.contains(&DataCategory::Identity) || categories.contains(&DataCategory::Contact) {
            let full = self.open_identity(&sc)?;
            Some(Identity {
                given_names: full.given_names.filter(|_| categories.contains(&DataCategory::Identity)),
                family_names: full.family_names.filter(|_| categories.contains(&DataCategory::Identity)),
                date_of_birth: full.date_of_birth.filter(|_| categories.contains(&DataCategory::Identity)),
                document_numbers: if categories.contains(&DataCategory::Identity) { full.document_numbers } else { Vec::new() },
                contact: full.contact.filter(|_| categories.contains(&DataCategory::Contact)),
            })
        } else {
            None
        };
        let mut case = sc.case.clone();
        let f = &mut case.facts;
        if !categories.contains(&DataCategory::Demographics) {
            f.sex = vigia_domain::taxonomy::Sex::Unknown;
            // The age bracket is kept only as the child flag, which protection needs.
            f.age = f.age.map(|a| if a.is_minor(18) == Some(true) { vigia_domain::case::AgeInfo::Bracket(vigia_domain::taxonomy::AgeBracket::A9to17) } else { a }).filter(|a| a.is_minor(18) == Some(true));
            f.citizenship = None;
        }
        if !categories.contains(&DataCategory::Exploitation) {
            f.acts.clear();
            f.means.clear();
            f.exploitation.clear();
            f.recruitment = None;
            f.recruiter_relation = None;
        }
        if !categories.contains(&DataCategory::Route) {
            f.route.clear();
        }
        case.external_ref = None;
        let person = if categories.contains(&DataCategory::Wishes) { Some(self.person_notes(r.case_id).await?) } else { None };
        Ok((r, SharedCase { case, identity, categories, person }))
    }

    /// Accept or decline a referral sent to the actor's agency.
    pub async fn answer_referral(&self, actor: &Actor, referral_id: &str, accept: bool, reason: &str) -> Result<()> {
        let mut r = self.referral(referral_id).await?;
        self.receiver_check(actor, &r, Action::AnswerReferral, "referral.answer").await?;
        if r.status != ReferralStatus::Sent {
            return Err(invalid("status", "the referral has already been answered"));
        }
        if !accept && reason.trim().is_empty() {
            return Err(invalid("reason", "a decline states its reason"));
        }
        r.status = if accept { ReferralStatus::Accepted } else { ReferralStatus::Declined };
        r.answered_at_ms = Some(self.clock.now_ms());
        r.answered_by = Some(actor.user_id);
        if !accept {
            r.decline_reason_ct = Some(self.seal_text(&r.case_id.to_string(), reason.trim()));
        }
        self.put_referral(&r, actor, if accept { "referral.accept" } else { "referral.decline" }, format!("referral={}", r.id)).await
    }

    /// Record a service delivered under an accepted referral.
    pub async fn record_service(&self, actor: &Actor, referral_id: &str, kind: ServiceKind, started_on: Date, ended_on: Option<Date>) -> Result<ServiceRecord> {
        let r = self.referral(referral_id).await?;
        self.receiver_check(actor, &r, Action::AnswerReferral, "service.record").await?;
        if r.status != ReferralStatus::Accepted {
            return Err(invalid("status", "services are recorded on an accepted referral"));
        }
        if started_on > self.today() || ended_on.is_some_and(|e| e < started_on || e > self.today()) {
            return Err(invalid("started_on", "dates must not be in the future, and a service ends after it starts"));
        }
        let s = ServiceRecord {
            id: new_id(),
            referral_id: r.id.clone(),
            case_id: r.case_id,
            agency_id: actor.agency_id,
            kind,
            started_on,
            ended_on,
            recorded_by: actor.user_id,
            recorded_at_ms: self.clock.now_ms(),
        };
        self.store
            .put_records(&[self.record(SERVICE, s.id.clone(), Some(r.case_id), Some(actor.agency_id), Some(r.from_agency), Some(kind.code()), &s)], &[self.ev(actor, "service.record", Some(r.case_id), format!("{} from {}", kind.code(), format_date(started_on)))])
            .await?;
        Ok(s)
    }

    pub async fn complete_referral(&self, actor: &Actor, referral_id: &str) -> Result<()> {
        let mut r = self.referral(referral_id).await?;
        self.receiver_check(actor, &r, Action::AnswerReferral, "referral.complete").await?;
        if r.status != ReferralStatus::Accepted {
            return Err(invalid("status", "only an accepted referral can be completed"));
        }
        r.status = ReferralStatus::Completed;
        r.completed_at_ms = Some(self.clock.now_ms());
        self.put_referral(&r, actor, "referral.complete", format!("referral={}", r.id)).await
    }

    async fn referral_view(&self, r: Referral, with_texts: bool) -> Result<ReferralView> {
        let from = self.store.get_agency(r.from_agency).await?;
        let to = self.store.get_agency(r.to_agency).await?;
        let country = from.as_ref().map(|a| a.country.code().to_string()).unwrap_or_default();
        let t = self.timers(&country).await?;
        let overdue = nrm::is_overdue(r.sent_at_ms, r.status != ReferralStatus::Sent, self.clock.now_ms(), t.referral_overdue_days);
        let services = self
            .store
            .find_records(&RecordQuery { case_id: Some(r.case_id), ..RecordQuery::kind(SERVICE) })
            .await?
            .iter()
            .map(from_json::<ServiceRecord>)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|s| s.referral_id == r.id)
            .collect();
        let cid = r.case_id.to_string();
        Ok(ReferralView {
            note: if with_texts { r.note_ct.as_deref().and_then(|c| self.open_text(&cid, c)) } else { None },
            decline_reason: r.decline_reason_ct.as_deref().and_then(|c| self.open_text(&cid, c)),
            from_name: from.map(|a| a.name).unwrap_or_default(),
            to_name: to.map(|a| a.name).unwrap_or_default(),
            overdue,
            services,
            referral: r,
        })
    }

    /// Referrals sent to the actor's agency (`incoming`) or by it.
    pub async fn referrals(&self, actor: &Actor, incoming: bool) -> Result<Vec<ReferralView>> {
        if !matches!(actor.role, Role::Caseworker | Role::AgencyAdmin) {
            return Err(ServiceError::Forbidden("referrals are handled by agency staff"));
        }
        let q = if incoming {
            RecordQuery { other_agency_id: Some(actor.agency_id), ..RecordQuery::kind(REFERRAL) }
        } else {
            RecordQuery { agency_id: Some(actor.agency_id), ..RecordQuery::kind(REFERRAL) }
        };
        let mut out = Vec::new();
        for rec in self.store.find_records(&q).await?.iter().rev() {
            out.push(self.referral_view(from_json(rec)?, !incoming).await?);
        }
        Ok(out)
    }

    /// Referrals of one case (the recording agency's view).
    pub async fn case_referrals(&self, actor: &Actor, id: CaseId) -> Result<Vec<ReferralView>> {
        self.own_case(actor, id, "referral.list").await?;
        let mut out = Vec::new();
        for rec in self.store.find_records(&RecordQuery { case_id: Some(id), ..RecordQuery::kind(REFERRAL) }).await? {
            out.push(self.referral_view(from_json(&rec)?, true).await?);
        }
        Ok(out)
    }

    // ----- timeline -----

    /// Every event of a case in order, with who and when (from the audit trail; reads left out).
    pub async fn timeline(&self, actor: &Actor, id: CaseId) -> Result<Vec<TimelineEntry>> {
        self.own_case(actor, id, "timeline.read").await?;
        let mut users: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut out = Vec::new();
        for e in self.store.audit_for_case(id).await? {
            let a = e.record.action.as_str();
            if a.starts_with("case.read") || a == "case.list" || a == "timeline.read" || a == "referral.list" {
                continue;
            }
            let who = match &e.record.actor {
                None => "system".to_string(),
                Some(u) => {
                    if !users.contains_key(u) {
                        let email = match u.parse() {
                            Ok(uid) => self.store.get_user(uid).await?.map(|u| u.email).unwrap_or_else(|| "unknown user".into()),
                            Err(_) => "unknown user".into(),
                        };
                        users.insert(u.clone(), email);
                    }
                    users.get(u).cloned().unwrap_or_default()
                }
            };
            out.push(TimelineEntry { at_ms: e.record.at_ms, who, what: describe(a, &e.record.detail) });
        }
        Ok(out)
    }

    // ----- hotline tips -----

    /// The agency that receives public tips: the first hotline (by creation).
    pub async fn tips_agency(&self) -> Result<Option<Agency>> {
        Ok(self.store.list_agencies().await?.into_iter().filter(|a| a.kind == AgencyKind::Hotline).min_by_key(|a| a.created_at_ms))
    }

    /// Store a tip. Says nothing about whether it matches anything.
    pub async fn submit_tip(&self, agency: AgencyId, text: &str, contact: &str, country: Option<String>, source: &str) -> Result<()> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 5000 {
            return Err(invalid("text", "describe what you saw in 1 to 5000 characters"));
        }
        if contact.chars().count() > 300 {
            return Err(invalid("contact", "at most 300 characters"));
        }
        let country = match country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(vigia_domain::geo::Country::parse(c).map_err(|_| invalid("country", "not an ISO 3166-1 alpha-2 country code"))?.code().to_string()),
            None => None,
        };
        let id = new_id();
        let body = serde_json::json!({ "text": text, "contact": contact.trim() }).to_string();
        let t = Tip {
            body_ct: hex::encode(self.keys.encrypt(body.as_bytes(), format!("tip:{id}").as_bytes())),
            id: id.clone(),
            agency_id: agency,
            received_at_ms: self.clock.now_ms(),
            country,
            source: source.into(),
            status: TipStatus::New,
            case_id: None,
            handled_by: None,
        };
        let ev = AuditEvent { at_ms: self.clock.now_ms(), actor: None, action: "tip.receive".into(), case_id: None, detail: format!("tip={id} source={source}") };
        self.store.put_records(&[self.record(TIP, id, None, Some(agency), None, Some("new"), &t)], &[ev]).await?;
        Ok(())
    }

    /// Tips received by the actor's agency, decrypted (text, contact).
    pub async fn tips(&self, actor: &Actor) -> Result<Vec<(Tip, String, String)>> {
        let r = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        if let Decision::Deny(reason) = authorize(actor, Action::TriageTips, &r) {
            return Err(self.deny(actor, "tip.list", None, reason).await);
        }
        let mut out = Vec::new();
        for rec in self.store.find_records(&RecordQuery { agency_id: Some(actor.agency_id), ..RecordQuery::kind(TIP) }).await?.iter().rev() {
            let t: Tip = from_json(rec)?;
            let (text, contact) = hex::decode(&t.body_ct)
                .ok()
                .and_then(|b| self.keys.decrypt(&b, format!("tip:{}", t.id).as_bytes()).ok())
                .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
                .map(|v| (v["text"].as_str().unwrap_or("").to_string(), v["contact"].as_str().unwrap_or("").to_string()))
                .unwrap_or_default();
            out.push((t, text, contact));
        }
        self.store.append_audit(&[self.ev(actor, "tip.list", None, format!("{} tips", out.len()))]).await?;
        Ok(out)
    }

    /// Close a tip, or mark it recorded as a case of the actor's agency.
    pub async fn triage_tip(&self, actor: &Actor, tip_id: &str, case: Option<CaseId>) -> Result<()> {
        let rec = self.store.get_record(TIP, tip_id).await?.ok_or(ServiceError::NotFound)?;
        let mut t: Tip = from_json(&rec)?;
        let r = Resource::Agency { agency_id: t.agency_id, country: actor.country };
        if let Decision::Deny(reason) = authorize(actor, Action::TriageTips, &r) {
            return Err(self.deny(actor, "tip.triage", None, reason).await);
        }
        if let Some(c) = case {
            self.own_case(actor, c, "tip.triage").await?;
        }
        t.status = if case.is_some() { TipStatus::Converted } else { TipStatus::Closed };
        t.case_id = case;
        t.handled_by = Some(actor.user_id);
        let action = if case.is_some() { "tip.convert" } else { "tip.close" };
        self.store.put_records(&[self.record(TIP, t.id.clone(), None, Some(t.agency_id), None, Some(t.status.code()), &t)], &[self.ev(actor, action, case, format!("tip={}", t.id))]).await?;
        Ok(())
    }
}

/// A human sentence for an audit action (no identifying data is in `detail`).
fn describe(action: &str, detail: &str) -> String {
    let what = match action {
        "case.create" => "Case recorded (identification)",
        "case.screen" => "Screened against the legal definition",
        "referral.send" => "Referral sent",
        "referral.refused" => "Referral refused",
        "referral.accept" => "Referral accepted",
        "referral.decline" => "Referral declined",
        "referral.complete" => "Referral completed",
        "service.record" => "Service recorded",
        "consent.given" => "Consent recorded",
        "consent.withdrawn" => "Consent withdrawn",
        "best_interests.record" => "Best-interests assessment recorded",
        "decision.record" => "Identification decision recorded",
        "person.update" => "Wishes, language or interpreter needs updated",
        "tip.convert" => "Recorded from a hotline tip",
        other => other,
    };
    if detail.is_empty() { what.to_string() } else { format!("{what}: {detail}") }
}
