//! Reporting rounds: a coordinator or a regional mechanism sends a questionnaire
//! with a reporting period and a deadline to an explicit list of recipient
//! agencies; recipients save drafts, submit, amend with a reason; the sender
//! validates, accepts or returns with questions, extends deadlines per recipient
//! (on record), sends reminders, and follows completeness, timeliness and item
//! completeness. Every write asks the policy and is audited with a detail that
//! names rounds and agencies only.
//!
//! Storage: the generic records table. Kinds: `round_questionnaire` (owner in
//! `agency_id`), `round` (sender in `agency_id`, `open`/`closed` in `status`),
//! `round_recipient` (one per recipient: id `round:agency`, sender in
//! `agency_id`, recipient in `other_agency_id`, state in `status`),
//! `round_extension` and `round_reminder` (append-only; sender in `agency_id`,
//! recipient in `other_agency_id`). Extensions and reminders are separate
//! records so that the sender's follow-up never overwrites a recipient's answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;
use vigia_domain::case::{format_date, AgeInfo};
use vigia_domain::ids::{AgencyId, UserId};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource};
use vigia_domain::rounds::{
    self as r, AgeGroup, Answer, Answers, CaseStatistic, FormGroup, Measures, QuestionKind, Questionnaire, RecipientLine,
    SubmissionState, Transition,
};
use vigia_domain::taxonomy::CaseStatus;
use vigia_domain::FieldErrors;
use vigia_store::{Agency, AuditEvent, Record, RecordQuery};

use crate::util::{invalid, from_json, date_fmt};
use crate::{Result, ServiceError, Vigia};

pub const QUESTIONNAIRE: &str = "round_questionnaire";
pub const ROUND: &str = "round";
pub const RECIPIENT: &str = "round_recipient";
pub const EXTENSION: &str = "round_extension";
pub const REMINDER: &str = "round_reminder";

/// A questionnaire kept by an agency.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredQuestionnaire {
    pub id: String,
    pub owner_agency: AgencyId,
    /// The ready template it came from, if any.
    pub template: Option<String>,
    pub questionnaire: Questionnaire,
    pub created_by: UserId,
    pub created_at_ms: i64,
}

/// Where a new round's questionnaire comes from.
#[derive(Debug, Clone)]
pub enum QuestionnaireSource {
    Template(String),
    Custom(Questionnaire),
}

/// A reporting round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round {
    pub id: String,
    pub sender_agency: AgencyId,
    pub title: String,
    pub questionnaire_id: String,
    /// A copy of the questionnaire as sent: later edits do not change an open round.
    pub questionnaire: Questionnaire,
    #[serde(with = "date_fmt")]
    pub period_from: Date,
    #[serde(with = "date_fmt")]
    pub period_to: Date,
    /// The round's deadline (per-recipient extensions are separate records).
    pub due_at_ms: i64,
    pub compulsory: bool,
    /// The expected recipients: completeness and timeliness are counted against this list.
    pub recipients: Vec<AgencyId>,
    pub created_by: UserId,
    pub created_at_ms: i64,
    pub closed_at_ms: Option<i64>,
    /// Reminders by e-mail: off (reminders are shown in the recipient's Vigia inbox).
    #[serde(default)]
    pub email_reminders: bool,
}

/// A submitted version of the answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmittedVersion {
    pub version: u32,
    pub answers: Answers,
    pub at_ms: i64,
    pub by: UserId,
    /// The reason given for an amendment (or the reply to a return).
    pub reason: Option<String>,
}

/// One step of a submission's history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at_ms: i64,
    pub by: UserId,
    pub transition: Transition,
    pub from: SubmissionState,
    pub to: SubmissionState,
    pub note: Option<String>,
}

/// A recipient's submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    pub round_id: String,
    pub recipient: AgencyId,
    pub state: SubmissionState,
    /// The working answers (a draft, or the latest submitted version).
    pub answers: Answers,
    pub first_submitted_at_ms: Option<i64>,
    pub versions: Vec<SubmittedVersion>,
    pub history: Vec<HistoryEntry>,
    pub updated_at_ms: i64,
}

impl Submission {
    fn new(round_id: &str, recipient: AgencyId, now: i64) -> Self {
        Self {
            round_id: round_id.to_string(),
            recipient,
            state: SubmissionState::NotStarted,
            answers: Answers::new(),
            first_submitted_at_ms: None,
            versions: Vec::new(),
            history: Vec::new(),
            updated_at_ms: now,
        }
    }
    /// The answers the sender has received (latest submitted version).
    pub fn received_answers(&self) -> Option<&Answers> {
        self.versions.last().map(|v| &v.answers)
    }
}

/// A per-recipient deadline extension, on record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extension {
    pub id: String,
    pub round_id: String,
    pub recipient: AgencyId,
    pub previous_due_at_ms: i64,
    pub due_at_ms: i64,
    pub reason: String,
    pub by: UserId,
    pub at_ms: i64,
}

/// A reminder, shown in the recipient's inbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reminder {
    pub id: String,
    pub round_id: String,
    pub round_title: String,
    pub recipient: AgencyId,
    pub message: String,
    pub compulsory: bool,
    pub due_at_ms: i64,
    pub by: UserId,
    pub at_ms: i64,
    /// Whether an e-mail was also sent (never, unless e-mail is configured: off by default).
    pub emailed: bool,
}

/// A new round.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub title: String,
    pub source: RoundSource,
    pub period_from: Date,
    pub period_to: Date,
    pub due_at_ms: i64,
    pub recipients: Vec<AgencyId>,
    pub compulsory: bool,
}

#[derive(Debug, Clone)]
pub enum RoundSource {
    /// A questionnaire the sender's agency keeps.
    Questionnaire(String),
    /// A ready template (a stored copy is made).
    Template(String),
}

/// One recipient's line on the sender's dashboard.
#[derive(Debug, Clone)]
pub struct RecipientRow {
    pub agency: Agency,
    pub state: SubmissionState,
    pub due_at_ms: i64,
    pub extended: bool,
    pub first_submitted_at_ms: Option<i64>,
    pub last_submitted_at_ms: Option<i64>,
    pub on_time: bool,
    pub overdue: bool,
    /// (answered, required) of the received answers.
    pub items: (usize, usize),
    pub reminders: usize,
    pub extensions: Vec<Extension>,
}

/// The sender's view of a round.
#[derive(Debug, Clone)]
pub struct RoundDashboard {
    pub round: Round,
    pub rows: Vec<RecipientRow>,
    pub measures: Measures<AgencyId>,
    /// Names of the expected recipients from whom nothing has been received.
    pub missing: Vec<String>,
    pub now_ms: i64,
}

/// A round in a recipient's inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub round: Round,
    pub sender_name: String,
    pub state: SubmissionState,
    pub due_at_ms: i64,
    pub overdue: bool,
    pub reminders: Vec<Reminder>,
}

/// A submission as shown to its recipient or its sender.
#[derive(Debug, Clone)]
pub struct SubmissionView {
    pub round: Round,
    pub recipient: Agency,
    pub sender_name: String,
    pub submission: Submission,
    pub due_at_ms: i64,
    /// Why the form cannot be changed, if it cannot.
    pub lock: Option<&'static str>,
    pub items: (usize, usize),
    pub warnings: Vec<String>,
    pub extensions: Vec<Extension>,
    pub reminders: Vec<Reminder>,
}

/// Suggested answers from the recipient's own case records.
#[derive(Debug, Clone)]
pub struct Prefill {
    pub answers: Answers,
    /// Case records counted (identified in the period, not "not a victim").
    pub counted: usize,
    /// Case records read.
    pub read: usize,
    pub note: String,
}




fn note_text(field: &str, s: Option<&str>, required: bool) -> Result<Option<String>> {
    let t = s.map(str::trim).filter(|t| !t.is_empty());
    match t {
        None if required => Err(invalid(field, "is required: say why")),
        None => Ok(None),
        Some(t) if t.chars().count() > 2000 || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') => {
            Err(invalid(field, "must be at most 2000 characters of text"))
        }
        Some(t) => Ok(Some(t.to_string())),
    }
}

fn recipient_key(round: &str, agency: AgencyId) -> String {
    format!("{round}:{agency}")
}

impl Vigia {
    fn round_ev(&self, actor: &Actor, action: &str, detail: String) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: None, detail }
    }

    fn round_record<T: Serialize>(&self, kind: &str, id: String, agency: AgencyId, other: Option<AgencyId>, status: Option<&str>, body: &T) -> Record {
        Record {
            id,
            kind: kind.into(),
            case_id: None,
            agency_id: Some(agency),
            other_agency_id: other,
            status: status.map(String::from),
            at_ms: self.clock.now_ms(),
            body: serde_json::to_string(body).unwrap_or_default(),
        }
    }

    async fn may_manage(&self, actor: &Actor, sender: AgencyId, action: &str) -> Result<()> {
        let res = Resource::Agency { agency_id: sender, country: actor.country };
        match authorize(actor, Action::ManageRounds, &res) {
            Decision::Deny(reason) => Err(self.deny(actor, action, None, reason).await),
            _ => Ok(()),
        }
    }

    async fn may_answer(&self, actor: &Actor, round: &Round, action: &str) -> Result<()> {
        if !round.recipients.contains(&actor.agency_id) {
            return Err(self.deny(actor, action, None, "the round was not sent to your agency").await);
        }
        let res = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        match authorize(actor, Action::AnswerRound, &res) {
            Decision::Deny(reason) => Err(self.deny(actor, action, None, reason).await),
            _ => Ok(()),
        }
    }

    // ----- questionnaires -----

    /// The ready templates: (code, title).
    pub fn round_templates(&self) -> &'static [(&'static str, &'static str)] {
        r::TEMPLATES
    }

    /// Keep a questionnaire for the actor's agency, from a template or as given.
    pub async fn create_questionnaire(&self, actor: &Actor, source: QuestionnaireSource) -> Result<StoredQuestionnaire> {
        self.may_manage(actor, actor.agency_id, "round.questionnaire.create").await?;
        let (template, questionnaire) = match source {
            QuestionnaireSource::Template(code) => (Some(code.clone()), r::template(&code).ok_or_else(|| invalid("template", "no such template"))?),
            QuestionnaireSource::Custom(q) => (None, q),
        };
        questionnaire.validate().map_err(ServiceError::Invalid)?;
        let sq = StoredQuestionnaire {
            id: uuid::Uuid::now_v7().to_string(),
            owner_agency: actor.agency_id,
            template,
            questionnaire,
            created_by: actor.user_id,
            created_at_ms: self.clock.now_ms(),
        };
        let rec = self.round_record(QUESTIONNAIRE, sq.id.clone(), actor.agency_id, None, None, &sq);
        let detail = format!("questionnaire={} code={}", sq.id, sq.questionnaire.code);
        self.store.put_records(&[rec], &[self.round_ev(actor, "round.questionnaire.create", detail)]).await?;
        Ok(sq)
    }

    /// The questionnaires the actor's agency keeps.
    pub async fn questionnaires(&self, actor: &Actor) -> Result<Vec<StoredQuestionnaire>> {
        self.may_manage(actor, actor.agency_id, "round.questionnaire.list").await?;
        let q = RecordQuery { agency_id: Some(actor.agency_id), ..RecordQuery::kind(QUESTIONNAIRE) };
        self.store.find_records(&q).await?.iter().map(from_json).collect()
    }

    pub async fn questionnaire(&self, actor: &Actor, id: &str) -> Result<StoredQuestionnaire> {
        let rec = self.store.get_record(QUESTIONNAIRE, id).await?.ok_or(ServiceError::NotFound)?;
        let sq: StoredQuestionnaire = from_json(&rec)?;
        self.may_manage(actor, sq.owner_agency, "round.questionnaire.read").await?;
        Ok(sq)
    }

    // ----- rounds (sender) -----

    /// Open a round: its recipients see it in their inbox at once.
    pub async fn open_round(&self, actor: &Actor, new: NewRound) -> Result<Round> {
        self.may_manage(actor, actor.agency_id, "round.open").await?;
        let mut e = FieldErrors::default();
        let title = new.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
            e.push("title", "must be 1 to 200 characters");
        }
        if new.period_from > new.period_to {
            e.push("period_to", "must not be before the start of the period");
        }
        let now = self.clock.now_ms();
        if new.due_at_ms <= now {
            e.push("deadline", "must be in the future");
        }
        if new.recipients.is_empty() {
            e.push("recipients", "choose at least one recipient");
        }
        let mut recipients: Vec<AgencyId> = Vec::new();
        for (i, a) in new.recipients.iter().enumerate() {
            if recipients.contains(a) {
                continue;
            }
            if *a == actor.agency_id {
                e.push(format!("recipients[{i}]"), "a round goes to other agencies");
                continue;
            }
            match self.store.get_agency(*a).await? {
                None => e.push(format!("recipients[{i}]"), "no such agency"),
                Some(ag) => match r::recipient_allowed(actor.role, actor.country.code(), ag.kind, ag.country.code()) {
                    Ok(()) => recipients.push(*a),
                    Err(m) => e.push(format!("recipients[{i}]"), m),
                },
            }
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let mut recs = Vec::new();
        let sq = match new.source {
            RoundSource::Questionnaire(id) => {
                let rec = self.store.get_record(QUESTIONNAIRE, &id).await?.ok_or_else(|| invalid("questionnaire_id", "no such questionnaire"))?;
                let sq: StoredQuestionnaire = from_json(&rec)?;
                if sq.owner_agency != actor.agency_id {
                    return Err(invalid("questionnaire_id", "no such questionnaire"));
                }
                sq
            }
            RoundSource::Template(code) => {
                let q = r::template(&code).ok_or_else(|| invalid("template", "no such template"))?;
                let sq = StoredQuestionnaire {
                    id: uuid::Uuid::now_v7().to_string(),
                    owner_agency: actor.agency_id,
                    template: Some(code),
                    questionnaire: q,
                    created_by: actor.user_id,
                    created_at_ms: now,
                };
                recs.push(self.round_record(QUESTIONNAIRE, sq.id.clone(), actor.agency_id, None, None, &sq));
                sq
            }
        };
        let round = Round {
            id: uuid::Uuid::now_v7().to_string(),
            sender_agency: actor.agency_id,
            title,
            questionnaire_id: sq.id.clone(),
            questionnaire: sq.questionnaire,
            period_from: new.period_from,
            period_to: new.period_to,
            due_at_ms: new.due_at_ms,
            compulsory: new.compulsory,
            recipients: recipients.clone(),
            created_by: actor.user_id,
            created_at_ms: now,
            closed_at_ms: None,
            email_reminders: false,
        };
        recs.push(self.round_record(ROUND, round.id.clone(), actor.agency_id, None, Some("open"), &round));
        for a in &recipients {
            let s = Submission::new(&round.id, *a, now);
            recs.push(self.round_record(RECIPIENT, recipient_key(&round.id, *a), actor.agency_id, Some(*a), Some(s.state.code()), &s));
        }
        let detail = format!(
            "round={} questionnaire={} recipients={} due={} compulsory={}",
            round.id,
            round.questionnaire_id,
            recipients.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(","),
            r::format_ms(round.due_at_ms),
            round.compulsory
        );
        self.store.put_records(&recs, &[self.round_ev(actor, "round.open", detail)]).await?;
        Ok(round)
    }

    async fn load_round(&self, id: &str) -> Result<Round> {
        let rec = self.store.get_record(ROUND, id).await?.ok_or(ServiceError::NotFound)?;
        from_json(&rec)
    }

    async fn sender_round(&self, actor: &Actor, id: &str, action: &str) -> Result<Round> {
        let round = self.load_round(id).await?;
        self.may_manage(actor, round.sender_agency, action).await?;
        Ok(round)
    }

    async fn save_round(&self, actor: &Actor, round: &Round, action: &str, detail: String) -> Result<()> {
        let status = if round.closed_at_ms.is_some() { "closed" } else { "open" };
        let rec = self.round_record(ROUND, round.id.clone(), round.sender_agency, None, Some(status), round);
        self.store.put_records(&[rec], &[self.round_ev(actor, action, detail)]).await?;
        Ok(())
    }

    /// Rounds sent by the actor's agency, newest first.
    pub async fn rounds_sent(&self, actor: &Actor) -> Result<Vec<Round>> {
        self.may_manage(actor, actor.agency_id, "round.list").await?;
        let q = RecordQuery { agency_id: Some(actor.agency_id), ..RecordQuery::kind(ROUND) };
        let mut out: Vec<Round> = self.store.find_records(&q).await?.iter().map(from_json).collect::<Result<_>>()?;
        out.reverse();
        Ok(out)
    }

    async fn submission(&self, round: &Round, recipient: AgencyId) -> Result<Submission> {
        match self.store.get_record(RECIPIENT, &recipient_key(&round.id, recipient)).await? {
            Some(rec) => from_json(&rec),
            None => Ok(Submission::new(&round.id, recipient, round.created_at_ms)),
        }
    }

    async fn extensions(&self, round: &Round, recipient: AgencyId) -> Result<Vec<Extension>> {
        let q = RecordQuery { agency_id: Some(round.sender_agency), other_agency_id: Some(recipient), ..RecordQuery::kind(EXTENSION) };
        let all: Vec<Extension> = self.store.find_records(&q).await?.iter().map(from_json).collect::<Result<_>>()?;
        Ok(all.into_iter().filter(|x| x.round_id == round.id).collect())
    }

    async fn reminders_for(&self, recipient: AgencyId) -> Result<Vec<Reminder>> {
        let q = RecordQuery { other_agency_id: Some(recipient), ..RecordQuery::kind(REMINDER) };
        self.store.find_records(&q).await?.iter().map(from_json).collect()
    }

    fn due_for(round: &Round, ext: &[Extension]) -> i64 {
        r::due_in_force(round.due_at_ms, &ext.iter().map(|x| (x.at_ms, x.due_at_ms)).collect::<Vec<_>>())
    }

    /// Completeness, timeliness, item completeness, and who is missing.
    pub async fn round_dashboard(&self, actor: &Actor, id: &str) -> Result<RoundDashboard> {
        let round = self.sender_round(actor, id, "round.read").await?;
        let now = self.clock.now_ms();
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for a in &round.recipients {
            let agency = self.store.get_agency(*a).await?.ok_or(ServiceError::NotFound)?;
            let s = self.submission(&round, *a).await?;
            let ext = self.extensions(&round, *a).await?;
            let due = Self::due_for(&round, &ext);
            let items = s.received_answers().map_or((0, round.questionnaire.required_count()), |ans| r::item_counts(&round.questionnaire, ans));
            let reminders = self.reminders_for(*a).await?.iter().filter(|m| m.round_id == round.id).count();
            let line = RecipientLine { recipient: *a, state: s.state, due_ms: due, first_submitted_ms: s.first_submitted_at_ms, items };
            rows.push(RecipientRow {
                agency,
                state: s.state,
                due_at_ms: due,
                extended: !ext.is_empty(),
                first_submitted_at_ms: s.first_submitted_at_ms,
                last_submitted_at_ms: s.versions.last().map(|v| v.at_ms),
                on_time: line.on_time(),
                overdue: line.overdue(now),
                items,
                reminders,
                extensions: ext,
            });
            lines.push(line);
        }
        let measures = r::measures(&lines, now);
        let missing = rows.iter().filter(|row| measures.missing.contains(&row.agency.id)).map(|row| row.agency.name.clone()).collect();
        Ok(RoundDashboard { round, rows, measures, missing, now_ms: now })
    }

    /// Extend one recipient's deadline, with a reason, on record.
    pub async fn extend_deadline(&self, actor: &Actor, round_id: &str, recipient: AgencyId, due_at_ms: i64, reason: &str) -> Result<Extension> {
        let round = self.sender_round(actor, round_id, "round.extend").await?;
        if round.closed_at_ms.is_some() {
            return Err(ServiceError::Refused("the round is closed".into()));
        }
        if !round.recipients.contains(&recipient) {
            return Err(invalid("recipient", "not a recipient of this round"));
        }
        let reason = note_text("reason", Some(reason), true)?.unwrap_or_default();
        let s = self.submission(&round, recipient).await?;
        if s.first_submitted_at_ms.is_some() {
            return Err(ServiceError::Refused("this recipient has already submitted: its timeliness is settled".into()));
        }
        let ext = self.extensions(&round, recipient).await?;
        let current = Self::due_for(&round, &ext);
        if due_at_ms <= current {
            return Err(invalid("due", "an extension must be later than the due date in force"));
        }
        let x = Extension {
            id: uuid::Uuid::now_v7().to_string(),
            round_id: round.id.clone(),
            recipient,
            previous_due_at_ms: current,
            due_at_ms,
            reason,
            by: actor.user_id,
            at_ms: self.clock.now_ms(),
        };
        let rec = self.round_record(EXTENSION, x.id.clone(), round.sender_agency, Some(recipient), None, &x);
        let detail = format!("round={} recipient={} from={} to={}", round.id, recipient, r::format_ms(current), r::format_ms(due_at_ms));
        self.store.put_records(&[rec], &[self.round_ev(actor, "round.extend", detail)]).await?;
        Ok(x)
    }

    /// Remind one recipient, or (with `None`) every recipient that has not submitted. Returns how many.
    pub async fn send_reminder(&self, actor: &Actor, round_id: &str, recipient: Option<AgencyId>, message: Option<&str>) -> Result<usize> {
        let round = self.sender_round(actor, round_id, "round.remind").await?;
        if round.closed_at_ms.is_some() {
            return Err(ServiceError::Refused("the round is closed".into()));
        }
        let message = note_text("message", message, false)?;
        let targets: Vec<AgencyId> = match recipient {
            Some(a) if round.recipients.contains(&a) => vec![a],
            Some(_) => return Err(invalid("recipient", "not a recipient of this round")),
            None => round.recipients.clone(),
        };
        let now = self.clock.now_ms();
        let mut recs = Vec::new();
        let mut events = Vec::new();
        for a in targets {
            let s = self.submission(&round, a).await?;
            if matches!(s.state, SubmissionState::Submitted | SubmissionState::Validated | SubmissionState::Accepted) {
                if recipient.is_some() {
                    return Err(ServiceError::Refused("this recipient's submission is already in".into()));
                }
                continue;
            }
            let due = Self::due_for(&round, &self.extensions(&round, a).await?);
            let text = message.clone().unwrap_or_else(|| {
                format!("Reminder: \"{}\" is due {}.{}", round.title, r::format_ms(due), if round.compulsory { " This request is compulsory." } else { "" })
            });
            let m = Reminder {
                id: uuid::Uuid::now_v7().to_string(),
                round_id: round.id.clone(),
                round_title: round.title.clone(),
                recipient: a,
                message: text,
                compulsory: round.compulsory,
                due_at_ms: due,
                by: actor.user_id,
                at_ms: now,
                emailed: false,
            };
            recs.push(self.round_record(REMINDER, m.id.clone(), round.sender_agency, Some(a), None, &m));
            events.push(self.round_ev(actor, "round.remind", format!("round={} recipient={} email=off", round.id, a)));
        }
        let n = recs.len();
        if n > 0 {
            self.store.put_records(&recs, &events).await?;
        }
        Ok(n)
    }

    /// Mark the round compulsory (or not).
    pub async fn set_round_compulsory(&self, actor: &Actor, round_id: &str, compulsory: bool) -> Result<()> {
        let mut round = self.sender_round(actor, round_id, "round.compulsory").await?;
        round.compulsory = compulsory;
        self.save_round(actor, &round, "round.compulsory", format!("round={} compulsory={compulsory}", round.id)).await
    }

    /// Close the round: no more answers.
    pub async fn close_round(&self, actor: &Actor, round_id: &str) -> Result<()> {
        let mut round = self.sender_round(actor, round_id, "round.close").await?;
        if round.closed_at_ms.is_none() {
            round.closed_at_ms = Some(self.clock.now_ms());
            self.save_round(actor, &round, "round.close", format!("round={}", round.id)).await?;
        }
        Ok(())
    }

    async fn view(&self, round: Round, recipient: AgencyId) -> Result<SubmissionView> {
        let s = self.submission(&round, recipient).await?;
        let ext = self.extensions(&round, recipient).await?;
        let due = Self::due_for(&round, &ext);
        let agency = self.store.get_agency(recipient).await?.ok_or(ServiceError::NotFound)?;
        let sender_name = self.store.get_agency(round.sender_agency).await?.map(|a| a.name).unwrap_or_default();
        let reminders = self.reminders_for(recipient).await?.into_iter().filter(|m| m.round_id == round.id).collect();
        Ok(SubmissionView {
            lock: r::lock_reason(s.state, round.closed_at_ms.is_some()),
            items: r::item_counts(&round.questionnaire, &s.answers),
            warnings: r::consistency_warnings(&round.questionnaire, &s.answers),
            round,
            recipient: agency,
            sender_name,
            submission: s,
            due_at_ms: due,
            extensions: ext,
            reminders,
        })
    }

    /// The sender reads one recipient's submission.
    pub async fn review_submission(&self, actor: &Actor, round_id: &str, recipient: AgencyId) -> Result<SubmissionView> {
        let round = self.sender_round(actor, round_id, "round.review").await?;
        if !round.recipients.contains(&recipient) {
            return Err(ServiceError::NotFound);
        }
        let mut v = self.view(round, recipient).await?;
        // The sender sees what was submitted, not the recipient's unsent draft.
        v.submission.answers = v.submission.received_answers().cloned().unwrap_or_default();
        v.items = r::item_counts(&v.round.questionnaire, &v.submission.answers);
        v.warnings = r::consistency_warnings(&v.round.questionnaire, &v.submission.answers);
        Ok(v)
    }

    /// Validate, accept, or return with questions (sender).
    pub async fn decide_submission(&self, actor: &Actor, round_id: &str, recipient: AgencyId, t: Transition, note: Option<&str>) -> Result<SubmissionState> {
        if !t.by_sender() {
            return Err(invalid("action", "not a sender's decision"));
        }
        let action = format!("round.{}", t.code());
        let round = self.sender_round(actor, round_id, &action).await?;
        if !round.recipients.contains(&recipient) {
            return Err(ServiceError::NotFound);
        }
        let note = note_text(if t == Transition::Return { "questions" } else { "note" }, note, t.needs_note())?;
        let mut s = self.submission(&round, recipient).await?;
        let to = r::next_state(s.state, t).map_err(|m| ServiceError::Refused(m.into()))?;
        let now = self.clock.now_ms();
        s.history.push(HistoryEntry { at_ms: now, by: actor.user_id, transition: t, from: s.state, to, note });
        s.state = to;
        s.updated_at_ms = now;
        let rec = self.round_record(RECIPIENT, recipient_key(&round.id, recipient), round.sender_agency, Some(recipient), Some(to.code()), &s);
        self.store.put_records(&[rec], &[self.round_ev(actor, &action, format!("round={} recipient={} state={}", round.id, recipient, to.code()))]).await?;
        Ok(to)
    }

    // ----- answering (recipient) -----

    /// The rounds sent to the actor's agency, with their reminders (newest first).
    pub async fn round_inbox(&self, actor: &Actor) -> Result<Vec<InboxItem>> {
        let res = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        if let Decision::Deny(reason) = authorize(actor, Action::AnswerRound, &res) {
            return Err(self.deny(actor, "round.inbox", None, reason).await);
        }
        let q = RecordQuery { other_agency_id: Some(actor.agency_id), ..RecordQuery::kind(RECIPIENT) };
        let subs: Vec<Submission> = self.store.find_records(&q).await?.iter().map(from_json).collect::<Result<_>>()?;
        let reminders = self.reminders_for(actor.agency_id).await?;
        let now = self.clock.now_ms();
        let mut out = Vec::new();
        for s in subs {
            let Ok(round) = self.load_round(&s.round_id).await else { continue };
            let due = Self::due_for(&round, &self.extensions(&round, actor.agency_id).await?);
            let sender_name = self.store.get_agency(round.sender_agency).await?.map(|a| a.name).unwrap_or_default();
            let mut rm: Vec<Reminder> = reminders.iter().filter(|m| m.round_id == round.id).cloned().collect();
            rm.reverse();
            out.push(InboxItem { overdue: s.first_submitted_at_ms.is_none() && now > due, state: s.state, due_at_ms: due, sender_name, reminders: rm, round });
        }
        out.reverse();
        Ok(out)
    }

    /// The actor's agency's submission to a round.
    pub async fn my_submission(&self, actor: &Actor, round_id: &str) -> Result<SubmissionView> {
        let round = self.load_round(round_id).await?;
        self.may_answer(actor, &round, "round.answer.read").await?;
        self.view(round, actor.agency_id).await
    }

    /// Save a draft, submit, or amend (with a reason). Answers replace the working answers.
    pub async fn answer_round(&self, actor: &Actor, round_id: &str, t: Transition, answers: Answers, reason: Option<&str>) -> Result<SubmissionView> {
        if t.by_sender() {
            return Err(invalid("action", "not a recipient's action"));
        }
        let action = format!("round.{}", t.code());
        let round = self.load_round(round_id).await?;
        self.may_answer(actor, &round, &action).await?;
        let mut s = self.submission(&round, actor.agency_id).await?;
        if let Some(m) = r::lock_reason(s.state, round.closed_at_ms.is_some()) {
            return Err(ServiceError::Refused(m.into()));
        }
        let to = r::next_state(s.state, t).map_err(|m| ServiceError::Refused(m.into()))?;
        let answers = r::validate_answers(&round.questionnaire, answers).map_err(ServiceError::Invalid)?;
        // Amending needs a reason; answering a return may carry one.
        let reason = note_text("reason", reason, t == Transition::Amend)?;
        if t != Transition::SaveDraft && answers.is_empty() {
            return Err(invalid("answers", "answer at least one question before submitting"));
        }
        let now = self.clock.now_ms();
        if t != Transition::SaveDraft {
            if s.versions.last().is_some_and(|v| v.answers == answers) && t == Transition::Amend {
                return Err(invalid("answers", "the amendment changes nothing"));
            }
            s.first_submitted_at_ms.get_or_insert(now);
            let version = s.versions.len() as u32 + 1;
            s.versions.push(SubmittedVersion { version, answers: answers.clone(), at_ms: now, by: actor.user_id, reason: reason.clone() });
        }
        s.history.push(HistoryEntry { at_ms: now, by: actor.user_id, transition: t, from: s.state, to, note: reason });
        s.state = to;
        s.answers = answers;
        s.updated_at_ms = now;
        let (answered, required) = r::item_counts(&round.questionnaire, &s.answers);
        let rec = self.round_record(RECIPIENT, recipient_key(&round.id, actor.agency_id), round.sender_agency, Some(actor.agency_id), Some(to.code()), &s);
        let detail = format!("round={} recipient={} state={} items={answered}/{required}", round.id, actor.agency_id, to.code());
        self.store.put_records(&[rec], &[self.round_ev(actor, &action, detail)]).await?;
        self.view(round, actor.agency_id).await
    }

    /// Suggested answers from the case records the actor may list (their agency's, or for a
    /// national coordinator the country's), identified in the round's period. Each case
    /// record read is audited; nothing identifying is decrypted.
    pub async fn prefill_round(&self, actor: &Actor, round_id: &str) -> Result<Prefill> {
        let round = self.load_round(round_id).await?;
        self.may_answer(actor, &round, "round.prefill").await?;
        let stats: Vec<&vigia_domain::rounds::Question> = round.questionnaire.questions().filter(|q| q.statistic.is_some()).collect();
        if stats.is_empty() {
            return Ok(Prefill { answers: Answers::new(), counted: 0, read: 0, note: "No question of this round maps to a case statistic.".into() });
        }
        let res = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        let scope = match authorize(actor, Action::ListCases, &res) {
            Decision::AllowList(scope, _) => scope,
            Decision::Deny(reason) => return Err(self.deny(actor, "round.prefill", None, reason).await),
            _ => return Err(ServiceError::Forbidden("not permitted")),
        };
        let mut total = 0usize;
        let mut by_cell: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut outside = 0usize;
        let mut read = 0usize;
        let mut offset = 0i64;
        loop {
            let (_, page) = self.store.list_cases(&scope, 500, offset).await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            read += page.len();
            let events: Vec<AuditEvent> = page
                .iter()
                .map(|sc| AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: "case.aggregate".into(), case_id: Some(sc.case.id), detail: format!("round={}", round.id) })
                .collect();
            self.store.append_audit(&events).await?;
            for sc in &page {
                let f = &sc.case.facts;
                if f.status == CaseStatus::NotAVictim || f.identified_on < round.period_from || f.identified_on > round.period_to {
                    continue;
                }
                total += 1;
                for q in &stats {
                    match (&q.kind, q.statistic) {
                        (QuestionKind::Breakdown { sexes, age_groups, forms }, Some(CaseStatistic::CasesBySexAgeForm)) => {
                            let age = if age_groups.iter().any(|g| matches!(g, AgeGroup::Bracket(_))) {
                                f.age.map_or(AgeGroup::Unknown, |a| AgeGroup::Bracket(a.bracket()))
                            } else {
                                match f.age.and_then(|a: AgeInfo| a.is_minor(18)) {
                                    Some(true) => AgeGroup::Child,
                                    Some(false) => AgeGroup::Adult,
                                    None => AgeGroup::Unknown,
                                }
                            };
                            let form = match f.exploitation.first() {
                                None => FormGroup::Unknown,
                                Some(x) => match x.kind() {
                                    Some(k) if forms.contains(&FormGroup::Kind(k)) => FormGroup::Kind(k),
                                    _ => FormGroup::Other,
                                },
                            };
                            if sexes.contains(&f.sex) && age_groups.contains(&age) && forms.contains(&form) {
                                *by_cell.entry(q.code.clone()).or_default().entry(r::cell_key(f.sex, age, form)).or_insert(0) += 1;
                            } else {
                                outside += 1;
                            }
                        }
                        (QuestionKind::CountryCounts, Some(CaseStatistic::CasesByCitizenship)) => {
                            let k = f.citizenship.map_or_else(|| "unknown".to_string(), |c| c.code().to_string());
                            *by_cell.entry(q.code.clone()).or_default().entry(k).or_insert(0) += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut answers = Answers::new();
        for q in &stats {
            match (&q.kind, q.statistic) {
                (QuestionKind::Number { .. }, Some(CaseStatistic::CasesIdentified)) => {
                    answers.insert(q.code.clone(), Answer::Number(total as f64));
                }
                (QuestionKind::Breakdown { sexes, age_groups, forms }, _) => {
                    // Every cell gets a figure: zero where no case falls.
                    let got = by_cell.remove(&q.code).unwrap_or_default();
                    let m = r::cells(sexes, age_groups, forms).into_iter().map(|k| {
                        let n = got.get(&k).copied().unwrap_or(0);
                        (k, n)
                    });
                    answers.insert(q.code.clone(), Answer::Counts(m.collect()));
                }
                (QuestionKind::CountryCounts, _) => {
                    if let Some(m) = by_cell.remove(&q.code) {
                        answers.insert(q.code.clone(), Answer::Counts(m));
                    }
                }
                _ => {}
            }
        }
        self.store
            .append_audit(&[self.round_ev(actor, "round.prefill", format!("round={} read={read} counted={total}", round.id))])
            .await?;
        let note = format!(
            "Suggested from {total} case record(s) identified from {} to {} that you may see (records, not de-duplicated persons; cases marked \"not a victim\" excluded){}. Check them before you submit.",
            format_date(round.period_from),
            format_date(round.period_to),
            if outside > 0 { format!("; {outside} fall outside the breakdown's cells") } else { String::new() }
        );
        Ok(Prefill { answers, counted: total, read, note })
    }
}
