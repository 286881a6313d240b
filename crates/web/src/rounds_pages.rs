//! Pages of reporting rounds: the sender's list and create form, the round
//! dashboard (completeness, timeliness, item completeness, who is missing,
//! extensions, reminders, compulsory flag), the recipient's inbox, the answer
//! form (save draft, submit, amend with a reason; a locked form says why), and
//! the sender's review of one submission (validate, accept, return with questions).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vigia_domain::case::format_date;
use vigia_domain::ids::AgencyId;
use vigia_domain::policy::{authorize, Action, Resource};
use vigia_domain::rounds::{self as r, Answer, Answers, QuestionKind, Transition};
use vigia_domain::taxonomy::Role;
use vigia_service::rounds::{InboxItem, SubmissionView};

use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::pages::{error_page, field, fields, form_pairs, nav, render, Nav};
use crate::rounds_api::new_round;
use crate::AppState;

fn store_err(e: vigia_service::StoreError) -> ApiError {
    ApiError::from(vigia_service::ServiceError::from(e))
}

fn can_send(c: &Caller) -> bool {
    authorize(&c.actor, Action::ManageRounds, &Resource::Agency { agency_id: c.actor.agency_id, country: c.actor.country }).is_allowed()
}

fn can_answer(c: &Caller) -> bool {
    authorize(&c.actor, Action::AnswerRound, &Resource::Agency { agency_id: c.actor.agency_id, country: c.actor.country }).is_allowed()
}

fn with_status(mut r: Response, s: StatusCode) -> Response {
    *r.status_mut() = s;
    r
}

// ----- the sender's list and create form -----

pub struct RoundRow {
    id: String,
    title: String,
    period: String,
    deadline: String,
    recipients: usize,
    compulsory: bool,
    closed: bool,
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct RoundsPage {
    nav: Option<Nav>,
    csrf: String,
    can_send: bool,
    can_answer: bool,
    error: Option<String>,
    rounds: Vec<RoundRow>,
    templates: Vec<(String, String)>,
    questionnaires: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
    default_from: String,
    default_to: String,
    default_deadline: String,
}

async fn render_rounds(st: &AppState, c: &Caller, error: Option<String>) -> Response {
    let send = can_send(c);
    let mut page = RoundsPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        can_send: send,
        can_answer: can_answer(c),
        error: error.clone(),
        rounds: Vec::new(),
        templates: st.vigia.round_templates().iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        questionnaires: Vec::new(),
        agencies: Vec::new(),
        default_from: String::new(),
        default_to: String::new(),
        default_deadline: String::new(),
    };
    if send {
        let rounds = match st.vigia.rounds_sent(&c.actor).await {
            Ok(r) => r,
            Err(e) => return error_page(e.into()),
        };
        page.rounds = rounds
            .iter()
            .map(|x| RoundRow {
                id: x.id.clone(),
                title: x.title.clone(),
                period: format!("{} – {}", format_date(x.period_from), format_date(x.period_to)),
                deadline: r::format_ms(x.due_at_ms),
                recipients: x.recipients.len(),
                compulsory: x.compulsory,
                closed: x.closed_at_ms.is_some(),
            })
            .collect();
        page.questionnaires = match st.vigia.questionnaires(&c.actor).await {
            Ok(q) => q.into_iter().map(|q| (q.id.clone(), format!("{} ({})", q.questionnaire.title, q.id.get(..8).unwrap_or("")))).collect(),
            Err(e) => return error_page(e.into()),
        };
        let all = match st.vigia.store().list_agencies().await {
            Ok(a) => a,
            Err(e) => return error_page(store_err(e)),
        };
        page.agencies = all
            .into_iter()
            .filter(|a| a.id != c.actor.agency_id && r::recipient_allowed(c.actor.role, c.actor.country.code(), a.kind, a.country.code()).is_ok())
            .map(|a| (a.id.to_string(), format!("{} ({}, {})", a.name, a.kind.label(), a.country.code())))
            .collect();
        let today = st.vigia.today();
        let year = today.year() - 1;
        page.default_from = format!("{year:04}-01-01");
        page.default_to = format!("{year:04}-12-31");
        page.default_deadline = format!("{}T23:59:59", format_date(today + time::Duration::days(30)));
    }
    with_status(render(&page), if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK })
}

pub async fn rounds_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    if !can_send(&c) {
        if can_answer(&c) {
            return Redirect::to("/rounds/inbox").into_response();
        }
        return error_page(ApiError::Forbidden("reporting rounds are sent by coordinators and regional mechanisms and answered by agencies"));
    }
    render_rounds(&st, &c, None).await
}

pub async fn rounds_create(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let source = field(&p, "source");
    let (qid, tpl) = match source.split_once(':') {
        Some(("q", id)) => (Some(id), None),
        Some(("t", code)) => (None, Some(code)),
        _ => (None, None),
    };
    let r: Result<String, ApiError> = async {
        let new = new_round(field(&p, "title"), qid, tpl, field(&p, "period_from"), field(&p, "period_to"), field(&p, "deadline"), &fields(&p, "recipients"), !field(&p, "compulsory").is_empty())?;
        Ok(st.vigia.open_round(&c.actor, new).await?.id)
    }
    .await;
    match r {
        Ok(id) => Redirect::to(&format!("/rounds/{id}")).into_response(),
        Err(ApiError::Invalid(f)) => render_rounds(&st, &c, Some(format!("The round was not opened: {f}"))).await,
        Err(ApiError::Refused(m)) => render_rounds(&st, &c, Some(m)).await,
        Err(e) => error_page(e),
    }
}

// ----- the dashboard -----

pub struct RecipientRowView {
    id: String,
    name: String,
    kind: String,
    state: String,
    state_label: String,
    due: String,
    extended: bool,
    submitted: String,
    on_time: bool,
    received: bool,
    overdue: bool,
    items: String,
    reminders: usize,
    extensions: Vec<String>,
    can_remind: bool,
}

#[derive(Template)]
#[template(path = "rounds_dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    id: String,
    title: String,
    questionnaire: String,
    period: String,
    deadline: String,
    now: String,
    compulsory: bool,
    closed: Option<String>,
    completeness: String,
    completeness_frac: String,
    timeliness: String,
    timeliness_frac: String,
    items: String,
    items_frac: String,
    missing: Vec<String>,
    rows: Vec<RecipientRowView>,
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
    prefill: Option<String>,
}

async fn render_dashboard(st: &AppState, c: &Caller, id: &str, error: Option<String>, notice: Option<String>) -> Response {
    let d = match st.vigia.round_dashboard(&c.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(e.into()),
    };
    let m = &d.measures;
    let frac = |s: r::Share| format!("{} of {}", s.num, s.den);
    let rows = d
        .rows
        .iter()
        .map(|row| RecipientRowView {
            id: row.agency.id.to_string(),
            name: row.agency.name.clone(),
            kind: row.agency.kind.label().to_string(),
            state: row.state.code().to_string(),
            state_label: row.state.label().to_string(),
            due: r::format_ms(row.due_at_ms),
            extended: row.extended,
            submitted: row.first_submitted_at_ms.map(r::format_ms).unwrap_or_default(),
            on_time: row.on_time,
            received: row.first_submitted_at_ms.is_some(),
            overdue: row.overdue,
            items: if row.first_submitted_at_ms.is_some() { format!("{} of {}", row.items.0, row.items.1) } else { String::new() },
            reminders: row.reminders,
            extensions: row
                .extensions
                .iter()
                .map(|x| format!("{} → {} ({}), recorded {}", r::format_ms(x.previous_due_at_ms), r::format_ms(x.due_at_ms), x.reason, r::format_ms(x.at_ms)))
                .collect(),
            can_remind: !matches!(row.state, r::SubmissionState::Submitted | r::SubmissionState::Validated | r::SubmissionState::Accepted),
        })
        .collect();
    let page = DashboardPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        error: error.clone(),
        notice,
        id: d.round.id.clone(),
        title: d.round.title.clone(),
        questionnaire: d.round.questionnaire.title.clone(),
        period: format!("{} – {}", format_date(d.round.period_from), format_date(d.round.period_to)),
        deadline: r::format_ms(d.round.due_at_ms),
        now: r::format_ms(d.now_ms),
        compulsory: d.round.compulsory,
        closed: d.round.closed_at_ms.map(r::format_ms),
        completeness: m.completeness.display(),
        completeness_frac: frac(m.completeness),
        timeliness: m.timeliness.display(),
        timeliness_frac: frac(m.timeliness),
        items: m.item_completeness.display(),
        items_frac: frac(m.item_completeness),
        missing: d.missing.clone(),
        rows,
    };
    with_status(render(&page), if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK })
}

pub async fn dashboard_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, Query(q): Query<Done>) -> Response {
    let notice = q.done.map(|d| match d.as_str() {
        "extended" => "The deadline was extended; the extension is on record.".to_string(),
        "reminded" => "Reminder sent to the recipient's Vigia inbox (e-mail is off).".to_string(),
        "compulsory" => "Saved.".to_string(),
        "closed" => "The round is closed.".to_string(),
        "decided" => "Decision recorded.".to_string(),
        _ => "Done.".to_string(),
    });
    render_dashboard(&st, &c, &id, None, notice).await
}

async fn dashboard_action<F, Fut>(st: AppState, c: Caller, id: String, body: Bytes, done: &str, f: F) -> Response
where
    F: FnOnce(AppState, Caller, String, Vec<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    match f(st.clone(), c.clone(), id.clone(), p).await {
        Ok(()) => Redirect::to(&format!("/rounds/{id}?done={done}")).into_response(),
        Err(ApiError::Invalid(f)) => render_dashboard(&st, &c, &id, Some(format!("Nothing was saved: {f}")), None).await,
        Err(ApiError::Refused(m)) => render_dashboard(&st, &c, &id, Some(m), None).await,
        Err(e) => error_page(e),
    }
}

fn bad(name: &str, msg: impl std::fmt::Display) -> ApiError {
    let mut f = vigia_domain::FieldErrors::default();
    f.push(name, msg.to_string());
    ApiError::Invalid(f)
}

fn agency_field(p: &[(String, String)], name: &str) -> Result<AgencyId, ApiError> {
    field(p, name).parse().map_err(|_| bad(name, "choose a recipient"))
}

pub async fn extend_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    dashboard_action(st, c, id, body, "extended", |st, c, id, p| async move {
        let due = r::parse_deadline(field(&p, "due")).map_err(|m| bad("due", m))?;
        st.vigia.extend_deadline(&c.actor, &id, agency_field(&p, "recipient")?, due, field(&p, "reason")).await?;
        Ok(())
    })
    .await
}

pub async fn remind_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    dashboard_action(st, c, id, body, "reminded", |st, c, id, p| async move {
        let to = match field(&p, "recipient") {
            "" | "missing" => None,
            _ => Some(agency_field(&p, "recipient")?),
        };
        let msg = field(&p, "message");
        let n = st.vigia.send_reminder(&c.actor, &id, to, Some(msg).filter(|m| !m.trim().is_empty())).await?;
        if n == 0 {
            return Err(ApiError::Refused("Nobody to remind: every recipient has submitted.".into()));
        }
        Ok(())
    })
    .await
}

pub async fn compulsory_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    dashboard_action(st, c, id, body, "compulsory", |st, c, id, p| async move {
        st.vigia.set_round_compulsory(&c.actor, &id, field(&p, "compulsory") == "yes").await?;
        Ok(())
    })
    .await
}

pub async fn close_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    dashboard_action(st, c, id, body, "closed", |st, c, id, _p| async move {
        st.vigia.close_round(&c.actor, &id).await?;
        Ok(())
    })
    .await
}

// ----- the recipient's inbox -----

pub struct InboxRow {
    id: String,
    title: String,
    sender: String,
    period: String,
    due: String,
    state: String,
    state_label: String,
    overdue: bool,
    compulsory: bool,
    closed: bool,
    reminders: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "rounds_inbox.html")]
struct InboxPage {
    nav: Option<Nav>,
    rows: Vec<InboxRow>,
}

fn inbox_row(i: InboxItem) -> InboxRow {
    InboxRow {
        id: i.round.id.clone(),
        title: i.round.title.clone(),
        sender: i.sender_name,
        period: format!("{} – {}", format_date(i.round.period_from), format_date(i.round.period_to)),
        due: r::format_ms(i.due_at_ms),
        state: i.state.code().into(),
        state_label: i.state.label().into(),
        overdue: i.overdue,
        compulsory: i.round.compulsory,
        closed: i.round.closed_at_ms.is_some(),
        reminders: i.reminders.into_iter().map(|m| (r::format_ms(m.at_ms), m.message)).collect(),
    }
}

pub async fn inbox_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    match st.vigia.round_inbox(&c.actor).await {
        Ok(items) => render(&InboxPage { nav: nav(&c), rows: items.into_iter().map(inbox_row).collect() }),
        Err(e) => error_page(e.into()),
    }
}

// ----- the answer form and the review -----

pub struct OptView {
    code: String,
    label: String,
    checked: bool,
}

pub struct CellRow {
    label: String,
    cells: Vec<(String, String)>,
}

pub struct QView {
    code: String,
    text: String,
    help: String,
    required: bool,
    answered: bool,
    kind: String,
    name: String,
    value: String,
    yes: bool,
    no: bool,
    multiple: bool,
    max_chars: usize,
    options: Vec<OptView>,
    columns: Vec<String>,
    rows: Vec<CellRow>,
    countries: Vec<(String, String)>,
    prefillable: bool,
}

pub struct SectionView {
    title: String,
    questions: Vec<QView>,
}

fn question_views(qn: &r::Questionnaire, answers: &Answers) -> Vec<SectionView> {
    qn.sections
        .iter()
        .map(|s| SectionView {
            title: s.title.clone(),
            questions: s
                .questions
                .iter()
                .map(|q| {
                    let a = answers.get(&q.code);
                    let name = format!("q.{}", q.code);
                    let mut v = QView {
                        code: q.code.clone(),
                        text: q.text.clone(),
                        help: q.help.clone().unwrap_or_default(),
                        required: q.required,
                        answered: r::is_answered(q, a),
                        kind: q.kind.code().to_string(),
                        name: name.clone(),
                        value: String::new(),
                        yes: matches!(a, Some(Answer::YesNo(true))),
                        no: matches!(a, Some(Answer::YesNo(false))),
                        multiple: false,
                        max_chars: 0,
                        options: Vec::new(),
                        columns: Vec::new(),
                        rows: Vec::new(),
                        countries: Vec::new(),
                        prefillable: q.statistic.is_some(),
                    };
                    match (&q.kind, a) {
                        (QuestionKind::Number { .. }, Some(Answer::Number(n))) => v.value = if n.fract() == 0.0 { format!("{}", *n as i64) } else { n.to_string() },
                        (QuestionKind::Text { max_chars }, a) => {
                            v.max_chars = *max_chars;
                            if let Some(Answer::Text(t)) = a {
                                v.value = t.clone();
                            }
                        }
                        (QuestionKind::Choice { options, multiple }, a) => {
                            v.multiple = *multiple;
                            let chosen: Vec<String> = match a {
                                Some(Answer::Choice(c)) => c.clone(),
                                _ => Vec::new(),
                            };
                            v.options = options.iter().map(|o| OptView { code: o.code.clone(), label: o.label.clone(), checked: chosen.contains(&o.code) }).collect();
                        }
                        (QuestionKind::Breakdown { sexes, age_groups, forms }, a) => {
                            let m = match a {
                                Some(Answer::Counts(m)) => m.clone(),
                                _ => Default::default(),
                            };
                            v.columns = forms.iter().map(|f| f.label().to_string()).collect();
                            for s in sexes {
                                for g in age_groups {
                                    v.rows.push(CellRow {
                                        label: format!("{} · {}", s.label(), g.label()),
                                        cells: forms
                                            .iter()
                                            .map(|f| {
                                                let k = r::cell_key(*s, *g, *f);
                                                let val = m.get(&k).map(|n| n.to_string()).unwrap_or_default();
                                                (format!("{name}.{k}"), val)
                                            })
                                            .collect(),
                                    });
                                }
                            }
                        }
                        (QuestionKind::CountryCounts, a) => {
                            if let Some(Answer::Counts(m)) = a {
                                v.countries = m.iter().map(|(k, n)| (k.clone(), n.to_string())).collect();
                            }
                            for _ in 0..5 {
                                v.countries.push((String::new(), String::new()));
                            }
                        }
                        _ => {}
                    }
                    v
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "rounds_answer.html")]
struct AnswerPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    id: String,
    title: String,
    sender: String,
    recipient: String,
    period: String,
    due: String,
    state: String,
    state_label: String,
    compulsory: bool,
    /// Why the form is locked (or, for the sender, that it is read-only).
    lock: Option<String>,
    /// The sender's review: decision forms instead of answer buttons.
    review: bool,
    review_agency: String,
    submitted: bool,
    items: String,
    warnings: Vec<String>,
    history: Vec<String>,
    reminders: Vec<String>,
    has_stats: bool,
    sections: Vec<SectionView>,
}

fn answer_page(c: &Caller, v: SubmissionView, answers: Option<&Answers>, review: bool, error: Option<String>, notice: Option<String>) -> AnswerPage {
    let answers = answers.cloned().unwrap_or_else(|| v.submission.answers.clone());
    let (a, req) = r::item_counts(&v.round.questionnaire, &answers);
    let lock = if review { Some("Read-only: this is the submission as the sender received it.".to_string()) } else { v.lock.map(String::from) };
    AnswerPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        error,
        notice,
        id: v.round.id.clone(),
        title: v.round.title.clone(),
        sender: v.sender_name.clone(),
        recipient: v.recipient.name.clone(),
        period: format!("{} – {}", format_date(v.round.period_from), format_date(v.round.period_to)),
        due: r::format_ms(v.due_at_ms),
        state: v.submission.state.code().into(),
        state_label: v.submission.state.label().into(),
        compulsory: v.round.compulsory,
        lock,
        review,
        review_agency: v.recipient.id.to_string(),
        submitted: matches!(v.submission.state, r::SubmissionState::Submitted | r::SubmissionState::Validated),
        items: format!("{a} of {req} required questions answered"),
        warnings: r::consistency_warnings(&v.round.questionnaire, &answers),
        history: v
            .submission
            .history
            .iter()
            .map(|h| format!("{}: {} ({} → {}){}", r::format_ms(h.at_ms), h.transition.code(), h.from.label(), h.to.label(), h.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()))
            .collect(),
        reminders: v.reminders.iter().map(|m| format!("{}: {}", r::format_ms(m.at_ms), m.message)).collect(),
        has_stats: v.round.questionnaire.questions().any(|q| q.statistic.is_some()),
        sections: question_views(&v.round.questionnaire, &answers),
    }
}

pub async fn answer_get(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, Query(q): Query<Done>) -> Response {
    let v = match st.vigia.my_submission(&c.actor, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(e.into()),
    };
    let notice = q.done.map(|d| match d.as_str() {
        "save_draft" => "Draft saved. Nothing has been sent yet.".to_string(),
        "submit" => "Submitted to the sender.".to_string(),
        "amend" => "Amendment submitted, with its reason.".to_string(),
        _ => "Done.".to_string(),
    });
    if q.prefill.is_some() && v.lock.is_none() {
        // Suggested figures are put into the form; nothing is saved until the recipient saves or submits.
        return match st.vigia.prefill_round(&c.actor, &id).await {
            Ok(p) => {
                let mut answers = v.submission.answers.clone();
                answers.extend(p.answers);
                render(&answer_page(&c, v, Some(&answers), false, None, Some(p.note)))
            }
            Err(e) => error_page(e.into()),
        };
    }
    render(&answer_page(&c, v, None, false, None, notice))
}

pub async fn answer_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let t = match field(&p, "action") {
        "save_draft" => Transition::SaveDraft,
        "submit" => Transition::Submit,
        "amend" => Transition::Amend,
        _ => return error_page(bad("action", "unknown action")),
    };
    let v = match st.vigia.my_submission(&c.actor, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(e.into()),
    };
    let answers = match r::answers_from_form(&v.round.questionnaire, &p) {
        Ok(a) => a,
        Err(f) => {
            return with_status(render(&answer_page(&c, v, None, false, Some(format!("Nothing was saved: {f}")), None)), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let reason = field(&p, "reason");
    match st.vigia.answer_round(&c.actor, &id, t, answers.clone(), Some(reason)).await {
        Ok(_) => Redirect::to(&format!("/rounds/{id}/answer?done={}", t.code())).into_response(),
        Err(e) => {
            let msg = match ApiError::from(e) {
                ApiError::Invalid(f) => format!("Nothing was saved: {f}"),
                ApiError::Refused(m) => m,
                other => return error_page(other),
            };
            with_status(render(&answer_page(&c, v, Some(&answers), false, Some(msg), None)), StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

fn agency_path(s: &str) -> Result<AgencyId, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

pub async fn review_get(State(st): State<AppState>, PageCaller(c): PageCaller, Path((id, agency)): Path<(String, String)>) -> Response {
    let a = match agency_path(&agency) {
        Ok(a) => a,
        Err(e) => return error_page(e),
    };
    match st.vigia.review_submission(&c.actor, &id, a).await {
        Ok(v) => render(&answer_page(&c, v, None, true, None, None)),
        Err(e) => error_page(e.into()),
    }
}

pub async fn review_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path((id, agency)): Path<(String, String)>, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let a = match agency_path(&agency) {
        Ok(a) => a,
        Err(e) => return error_page(e),
    };
    let t = match field(&p, "action") {
        "validate" => Transition::Validate,
        "accept" => Transition::Accept,
        "return" => Transition::Return,
        _ => return error_page(bad("action", "unknown action")),
    };
    match st.vigia.decide_submission(&c.actor, &id, a, t, Some(field(&p, "note"))).await {
        Ok(_) => Redirect::to(&format!("/rounds/{id}?done=decided")).into_response(),
        Err(e) => {
            let msg = match ApiError::from(e) {
                ApiError::Invalid(f) => format!("Nothing was saved: {f}"),
                ApiError::Refused(m) => m,
                other => return error_page(other),
            };
            match st.vigia.review_submission(&c.actor, &id, a).await {
                Ok(v) => with_status(render(&answer_page(&c, v, None, true, Some(msg), None)), StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => error_page(e.into()),
            }
        }
    }
}

/// Whether the navigation shows the sender's rounds page and the recipient's inbox.
pub(crate) fn nav_flags(role: Role) -> (bool, bool) {
    (matches!(role, Role::Coordinator | Role::RegionalMonitor), matches!(role, Role::Caseworker | Role::AgencyAdmin | Role::Coordinator))
}
