//! JSON API of reporting rounds under `/api/v1/rounds`: questionnaires and
//! templates, opening and following a round (completeness, timeliness, item
//! completeness, who is missing), deadline extensions, reminders, the
//! recipient's inbox and submission (draft, submit, amend), the sender's
//! decisions, and pre-filling from case records.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use vigia_domain::case::{format_date, parse_iso_date};
use vigia_domain::ids::AgencyId;
use vigia_domain::rounds::{self as r, Answers, Measures, Questionnaire, Transition};
use vigia_domain::FieldErrors;
use vigia_service::rounds::{InboxItem, NewRound, QuestionnaireSource, Round, RoundDashboard, RoundSource, StoredQuestionnaire, SubmissionView};

use crate::api::parse_json;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

fn field_err(field: &str, msg: impl Into<String>) -> ApiError {
    let mut f = FieldErrors::default();
    f.push(field, msg.into());
    ApiError::Invalid(f)
}

fn csrf(c: &Caller, h: &HeaderMap) -> Result<(), ApiError> {
    c.check_csrf(h.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

fn agency_path(s: &str) -> Result<AgencyId, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

pub(crate) fn ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TemplateOut {
    pub code: String,
    pub title: String,
}

/// The ready questionnaire templates.
#[utoipa::path(get, path = "/api/v1/rounds/templates", responses((status = 200, body = [TemplateOut])))]
pub async fn templates(State(st): State<AppState>, _caller: Caller) -> Json<Vec<TemplateOut>> {
    Json(st.vigia.round_templates().iter().map(|(c, t)| TemplateOut { code: (*c).into(), title: (*t).into() }).collect())
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct QuestionnaireOut {
    pub id: String,
    pub template: Option<String>,
    pub created_at: String,
    /// Sections and questions (see the `questionnaire` field of the create request).
    #[schema(value_type = Object)]
    pub questionnaire: Questionnaire,
}

fn questionnaire_out(q: StoredQuestionnaire) -> QuestionnaireOut {
    QuestionnaireOut { id: q.id, template: q.template, created_at: ms(q.created_at_ms), questionnaire: q.questionnaire }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireIn {
    /// A ready template's code (`national_authorities_2014`, `annual_statistics`) ...
    pub template: Option<String>,
    /// ... or a questionnaire: `{code, title, description?, sections: [{code, title, questions: [{code, text, help?, required?,
    /// statistic?, sums_to?, kind: {type: number|breakdown|country_counts|yes_no|choice|text, ...}}]}]}`.
    #[schema(value_type = Object)]
    pub questionnaire: Option<Questionnaire>,
}

/// Keep a questionnaire for the caller's agency (coordinators and regional mechanisms).
#[utoipa::path(post, path = "/api/v1/rounds/questionnaires", request_body = QuestionnaireIn,
    responses((status = 201, body = QuestionnaireOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn create_questionnaire(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let input: QuestionnaireIn = parse_json(&headers, &body)?;
    let source = match (input.template, input.questionnaire) {
        (Some(t), None) => QuestionnaireSource::Template(t),
        (None, Some(q)) => QuestionnaireSource::Custom(q),
        _ => return Err(field_err("body", "give either template or questionnaire")),
    };
    Ok((StatusCode::CREATED, Json(questionnaire_out(st.vigia.create_questionnaire(&caller.actor, source).await?))))
}

/// The caller's agency's questionnaires.
#[utoipa::path(get, path = "/api/v1/rounds/questionnaires", responses((status = 200, body = [QuestionnaireOut]), (status = 403, body = crate::api::ErrorOut)))]
pub async fn list_questionnaires(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<QuestionnaireOut>>, ApiError> {
    Ok(Json(st.vigia.questionnaires(&caller.actor).await?.into_iter().map(questionnaire_out).collect()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundIn {
    pub title: String,
    /// A questionnaire of the caller's agency ...
    pub questionnaire_id: Option<String>,
    /// ... or a ready template's code.
    pub template: Option<String>,
    /// Reporting period, `YYYY-MM-DD`.
    pub period_from: String,
    pub period_to: String,
    /// `YYYY-MM-DD` (the end of that day, UTC), `YYYY-MM-DDTHH:MM[:SS]` (UTC) or RFC 3339. Must be in the future.
    pub deadline: String,
    /// Agency ids: the expected recipients.
    pub recipients: Vec<String>,
    #[serde(default)]
    pub compulsory: bool,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoundOut {
    pub id: String,
    pub title: String,
    pub sender_agency: String,
    pub questionnaire_id: String,
    pub questionnaire_title: String,
    pub period_from: String,
    pub period_to: String,
    pub deadline: String,
    pub compulsory: bool,
    pub recipients: Vec<String>,
    pub created_at: String,
    pub closed_at: Option<String>,
    /// Always false: reminders are delivered in Vigia's inbox; e-mail is off by default.
    pub email_reminders: bool,
}

pub(crate) fn round_out(r: &Round) -> RoundOut {
    RoundOut {
        id: r.id.clone(),
        title: r.title.clone(),
        sender_agency: r.sender_agency.to_string(),
        questionnaire_id: r.questionnaire_id.clone(),
        questionnaire_title: r.questionnaire.title.clone(),
        period_from: format_date(r.period_from),
        period_to: format_date(r.period_to),
        deadline: ms(r.due_at_ms),
        compulsory: r.compulsory,
        recipients: r.recipients.iter().map(|a| a.to_string()).collect(),
        created_at: ms(r.created_at_ms),
        closed_at: r.closed_at_ms.map(ms),
        email_reminders: r.email_reminders,
    }
}

/// Parse a new round's fields (shared by the API and the pages).
pub(crate) fn new_round(title: &str, questionnaire_id: Option<&str>, template: Option<&str>, from: &str, to: &str, deadline: &str, recipients: &[&str], compulsory: bool) -> Result<NewRound, ApiError> {
    let mut e = FieldErrors::default();
    let period_from = e.take("period_from", parse_iso_date(from));
    let period_to = e.take("period_to", parse_iso_date(to));
    let due = e.take("deadline", r::parse_deadline(deadline));
    let mut ids = Vec::new();
    for (i, s) in recipients.iter().enumerate() {
        if let Some(a) = e.take(&format!("recipients[{i}]"), s.trim().parse::<AgencyId>().map_err(|_| "not an agency id")) {
            ids.push(a);
        }
    }
    let source = match (questionnaire_id.map(str::trim).filter(|s| !s.is_empty()), template.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(q), None) => Some(RoundSource::Questionnaire(q.to_string())),
        (None, Some(t)) => Some(RoundSource::Template(t.to_string())),
        _ => {
            e.push("questionnaire", "give either a questionnaire or a template");
            None
        }
    };
    match (period_from, period_to, due, source) {
        (Some(period_from), Some(period_to), Some(due_at_ms), Some(source)) if e.is_empty() => {
            Ok(NewRound { title: title.to_string(), source, period_from, period_to, due_at_ms, recipients: ids, compulsory })
        }
        _ => Err(ApiError::Invalid(e)),
    }
}

/// Open a round: a questionnaire, a reporting period, a deadline and the recipients.
#[utoipa::path(post, path = "/api/v1/rounds", request_body = RoundIn,
    responses((status = 201, body = RoundOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn open_round(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let i: RoundIn = parse_json(&headers, &body)?;
    let recips: Vec<&str> = i.recipients.iter().map(String::as_str).collect();
    let new = new_round(&i.title, i.questionnaire_id.as_deref(), i.template.as_deref(), &i.period_from, &i.period_to, &i.deadline, &recips, i.compulsory)?;
    let round = st.vigia.open_round(&caller.actor, new).await?;
    Ok((StatusCode::CREATED, Json(round_out(&round))))
}

/// Rounds sent by the caller's agency, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", responses((status = 200, body = [RoundOut]), (status = 403, body = crate::api::ErrorOut)))]
pub async fn list_rounds(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<RoundOut>>, ApiError> {
    Ok(Json(st.vigia.rounds_sent(&caller.actor).await?.iter().map(round_out).collect()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ShareOut {
    pub num: usize,
    pub den: usize,
    /// Whole percent (half up); null when nothing is expected.
    pub percent: Option<u32>,
}

fn share(s: r::Share) -> ShareOut {
    ShareOut { num: s.num, den: s.den, percent: s.percent() }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RecipientOut {
    pub agency_id: String,
    pub agency_name: String,
    pub agency_kind: String,
    pub country: String,
    /// not_started, draft, submitted, validated, accepted, returned
    pub state: String,
    /// The due date in force for this recipient.
    pub due: String,
    pub extended: bool,
    pub first_submitted_at: Option<String>,
    pub last_submitted_at: Option<String>,
    pub on_time: bool,
    pub overdue: bool,
    pub items_answered: usize,
    pub items_required: usize,
    pub reminders: usize,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DashboardOut {
    pub round: RoundOut,
    /// Received / expected recipients.
    pub completeness: ShareOut,
    /// Received by the due date in force / expected recipients.
    pub timeliness: ShareOut,
    /// Required questions answered / required, over received submissions.
    pub item_completeness: ShareOut,
    /// Names of the expected recipients from whom nothing has been received.
    pub missing: Vec<String>,
    pub missing_ids: Vec<String>,
    pub overdue_ids: Vec<String>,
    pub recipients: Vec<RecipientOut>,
}

pub(crate) fn dashboard_out(d: &RoundDashboard) -> DashboardOut {
    let m: &Measures<AgencyId> = &d.measures;
    DashboardOut {
        round: round_out(&d.round),
        completeness: share(m.completeness),
        timeliness: share(m.timeliness),
        item_completeness: share(m.item_completeness),
        missing: d.missing.clone(),
        missing_ids: m.missing.iter().map(|a| a.to_string()).collect(),
        overdue_ids: m.overdue.iter().map(|a| a.to_string()).collect(),
        recipients: d
            .rows
            .iter()
            .map(|row| RecipientOut {
                agency_id: row.agency.id.to_string(),
                agency_name: row.agency.name.clone(),
                agency_kind: row.agency.kind.code().into(),
                country: row.agency.country.code().into(),
                state: row.state.code().into(),
                due: ms(row.due_at_ms),
                extended: row.extended,
                first_submitted_at: row.first_submitted_at_ms.map(ms),
                last_submitted_at: row.last_submitted_at_ms.map(ms),
                on_time: row.on_time,
                overdue: row.overdue,
                items_answered: row.items.0,
                items_required: row.items.1,
                reminders: row.reminders,
            })
            .collect(),
    }
}

/// A round's dashboard: completeness, timeliness, item completeness, per-recipient status, who is missing.
#[utoipa::path(get, path = "/api/v1/rounds/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DashboardOut), (status = 403, body = crate::api::ErrorOut), (status = 404, body = crate::api::ErrorOut)))]
pub async fn dashboard(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<DashboardOut>, ApiError> {
    Ok(Json(dashboard_out(&st.vigia.round_dashboard(&caller.actor, &id).await?)))
}

/// Close a round: it takes no more answers.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", params(("id" = String, Path)), responses((status = 204), (status = 403, body = crate::api::ErrorOut)))]
pub async fn close(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    st.vigia.close_round(&caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompulsoryIn {
    pub compulsory: bool,
}

/// Mark a round compulsory (or not).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/compulsory", params(("id" = String, Path)), request_body = CompulsoryIn, responses((status = 204), (status = 403, body = crate::api::ErrorOut)))]
pub async fn compulsory(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let i: CompulsoryIn = parse_json(&headers, &body)?;
    st.vigia.set_round_compulsory(&caller.actor, &id, i.compulsory).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReminderIn {
    /// One recipient's agency id; absent: every recipient that has not submitted.
    pub recipient: Option<String>,
    pub message: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RemindedOut {
    pub sent: usize,
}

/// Send reminders (shown in the recipients' Vigia inbox; e-mail is off).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/reminders", params(("id" = String, Path)), request_body = ReminderIn, responses((status = 200, body = RemindedOut), (status = 403, body = crate::api::ErrorOut)))]
pub async fn remind(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Json<RemindedOut>, ApiError> {
    csrf(&caller, &headers)?;
    let i: ReminderIn = if body.is_empty() { ReminderIn::default() } else { parse_json(&headers, &body)? };
    let to = match i.recipient.as_deref() {
        Some(s) => Some(s.parse::<AgencyId>().map_err(|_| field_err("recipient", "not an agency id"))?),
        None => None,
    };
    Ok(Json(RemindedOut { sent: st.vigia.send_reminder(&caller.actor, &id, to, i.message.as_deref()).await? }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    /// The new due date (later than the one in force): `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (UTC) or RFC 3339.
    pub due: String,
    pub reason: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExtensionOut {
    pub id: String,
    pub previous_due: String,
    pub due: String,
    pub reason: String,
    pub at: String,
}

/// Extend one recipient's deadline, with a reason, on record.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/recipients/{agency}/extend", params(("id" = String, Path), ("agency" = String, Path)), request_body = ExtendIn,
    responses((status = 201, body = ExtensionOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn extend(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path((id, agency)): Path<(String, String)>, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let i: ExtendIn = parse_json(&headers, &body)?;
    let due = r::parse_deadline(&i.due).map_err(|m| field_err("due", m))?;
    let x = st.vigia.extend_deadline(&caller.actor, &id, agency_path(&agency)?, due, &i.reason).await?;
    Ok((StatusCode::CREATED, Json(ExtensionOut { id: x.id, previous_due: ms(x.previous_due_at_ms), due: ms(x.due_at_ms), reason: x.reason, at: ms(x.at_ms) })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HistoryOut {
    pub at: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub note: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SubmissionOut {
    pub round: RoundOut,
    pub recipient_agency: String,
    pub recipient_name: String,
    pub state: String,
    /// The due date in force for this recipient.
    pub due: String,
    /// Answers by question code (for the recipient: the working answers; for the sender: the latest submitted).
    #[schema(value_type = Object)]
    pub answers: Answers,
    /// Why the form cannot be changed, if it cannot.
    pub locked: Option<String>,
    pub items_answered: usize,
    pub items_required: usize,
    pub warnings: Vec<String>,
    pub first_submitted_at: Option<String>,
    pub versions: usize,
    pub history: Vec<HistoryOut>,
    pub reminders: Vec<String>,
    #[schema(value_type = Object)]
    pub questionnaire: Questionnaire,
}

pub(crate) fn submission_out(v: SubmissionView) -> SubmissionOut {
    SubmissionOut {
        round: round_out(&v.round),
        recipient_agency: v.recipient.id.to_string(),
        recipient_name: v.recipient.name,
        state: v.submission.state.code().into(),
        due: ms(v.due_at_ms),
        answers: v.submission.answers,
        locked: v.lock.map(String::from),
        items_answered: v.items.0,
        items_required: v.items.1,
        warnings: v.warnings,
        first_submitted_at: v.submission.first_submitted_at_ms.map(ms),
        versions: v.submission.versions.len(),
        history: v
            .submission
            .history
            .iter()
            .map(|h| HistoryOut { at: ms(h.at_ms), action: h.transition.code().into(), from: h.from.code().into(), to: h.to.code().into(), note: h.note.clone() })
            .collect(),
        reminders: v.reminders.iter().map(|m| m.message.clone()).collect(),
        questionnaire: v.round.questionnaire,
    }
}

/// One recipient's submission, as the sender received it.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/recipients/{agency}", params(("id" = String, Path), ("agency" = String, Path)),
    responses((status = 200, body = SubmissionOut), (status = 403, body = crate::api::ErrorOut), (status = 404, body = crate::api::ErrorOut)))]
pub async fn review(State(st): State<AppState>, caller: Caller, Path((id, agency)): Path<(String, String)>) -> Result<Json<SubmissionOut>, ApiError> {
    Ok(Json(submission_out(st.vigia.review_submission(&caller.actor, &id, agency_path(&agency)?).await?)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `validate`, `accept` or `return` (with questions in `note`).
    pub action: String,
    pub note: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StateOut {
    pub state: String,
}

/// Validate, accept, or return a submission with questions (the sender).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/recipients/{agency}/decision", params(("id" = String, Path), ("agency" = String, Path)), request_body = DecisionIn,
    responses((status = 200, body = StateOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn decide(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path((id, agency)): Path<(String, String)>, body: Bytes) -> Result<Json<StateOut>, ApiError> {
    csrf(&caller, &headers)?;
    let i: DecisionIn = parse_json(&headers, &body)?;
    let t = match i.action.as_str() {
        "validate" => Transition::Validate,
        "accept" => Transition::Accept,
        "return" => Transition::Return,
        _ => return Err(field_err("action", "must be validate, accept or return")),
    };
    let s = st.vigia.decide_submission(&caller.actor, &id, agency_path(&agency)?, t, i.note.as_deref()).await?;
    Ok(Json(StateOut { state: s.code().into() }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct InboxOut {
    pub round: RoundOut,
    pub sender: String,
    pub state: String,
    pub due: String,
    pub overdue: bool,
    /// Reminders received for this round, newest first.
    pub reminders: Vec<ReminderOut>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReminderOut {
    pub at: String,
    pub message: String,
    pub compulsory: bool,
    pub emailed: bool,
}

pub(crate) fn inbox_out(i: InboxItem) -> InboxOut {
    InboxOut {
        round: round_out(&i.round),
        sender: i.sender_name,
        state: i.state.code().into(),
        due: ms(i.due_at_ms),
        overdue: i.overdue,
        reminders: i.reminders.into_iter().map(|m| ReminderOut { at: ms(m.at_ms), message: m.message, compulsory: m.compulsory, emailed: m.emailed }).collect(),
    }
}

/// The rounds sent to the caller's agency, with reminders.
#[utoipa::path(get, path = "/api/v1/rounds/inbox", responses((status = 200, body = [InboxOut]), (status = 403, body = crate::api::ErrorOut)))]
pub async fn inbox(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<InboxOut>>, ApiError> {
    Ok(Json(st.vigia.round_inbox(&caller.actor).await?.into_iter().map(inbox_out).collect()))
}

/// The caller's agency's submission to a round.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/submission", params(("id" = String, Path)),
    responses((status = 200, body = SubmissionOut), (status = 403, body = crate::api::ErrorOut), (status = 404, body = crate::api::ErrorOut)))]
pub async fn my_submission(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<SubmissionOut>, ApiError> {
    Ok(Json(submission_out(st.vigia.my_submission(&caller.actor, &id).await?)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersIn {
    /// By question code: a number, true/false, a string, a list of option codes, or an object of counts
    /// (breakdown cells `sex|age_group|form`, or ISO country codes).
    #[schema(value_type = Object)]
    pub answers: Answers,
    /// Required to amend; optional when answering a return.
    pub reason: Option<String>,
}

async fn answer(st: AppState, caller: Caller, headers: HeaderMap, id: String, body: Bytes, t: Transition) -> Result<Json<SubmissionOut>, ApiError> {
    csrf(&caller, &headers)?;
    let i: AnswersIn = parse_json(&headers, &body)?;
    Ok(Json(submission_out(st.vigia.answer_round(&caller.actor, &id, t, i.answers, i.reason.as_deref()).await?)))
}

/// Save a draft (nothing is sent).
#[utoipa::path(put, path = "/api/v1/rounds/{id}/submission", params(("id" = String, Path)), request_body = AnswersIn,
    responses((status = 200, body = SubmissionOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn save_draft(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Json<SubmissionOut>, ApiError> {
    answer(st, caller, headers, id, body, Transition::SaveDraft).await
}

/// Submit the answers to the sender.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/submission/submit", params(("id" = String, Path)), request_body = AnswersIn,
    responses((status = 200, body = SubmissionOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn submit(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Json<SubmissionOut>, ApiError> {
    answer(st, caller, headers, id, body, Transition::Submit).await
}

/// Amend a submitted answer, with a reason.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/submission/amend", params(("id" = String, Path)), request_body = AnswersIn,
    responses((status = 200, body = SubmissionOut), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn amend(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Json<SubmissionOut>, ApiError> {
    answer(st, caller, headers, id, body, Transition::Amend).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PrefillOut {
    /// Suggested answers by question code (nothing is saved).
    #[schema(value_type = Object)]
    pub answers: Answers,
    pub counted: usize,
    pub read: usize,
    pub note: String,
}

/// Suggested answers from the case records the caller may see (nothing is saved; each record read is audited).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/prefill", params(("id" = String, Path)),
    responses((status = 200, body = PrefillOut), (status = 403, body = crate::api::ErrorOut)))]
pub async fn prefill(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<PrefillOut>, ApiError> {
    let p = st.vigia.prefill_round(&caller.actor, &id).await?;
    Ok(Json(PrefillOut { answers: p.answers, counted: p.counted, read: p.read, note: p.note }))
}
