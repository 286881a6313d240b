//! Action plans over HTTP: the JSON API under `/api/v1/plans` and the pages
//! (`/plans`: list and create; `/plans/{id}`: the dashboard with progress bars,
//! server-drawn SVG trends and the official and independent accounts side by side;
//! `/plans/{id}/print`: the print layout). The report is also a self-contained
//! HTML file (`/api/v1/plans/{id}/report.html`) and the indicators a CSV or .xlsx.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use vigia_domain::case::{format_date, parse_iso_date};
use vigia_domain::ids::AgencyId;
use vigia_domain::plans::{self as p, ActivityStatus, Disaggregation, IndicatorKind, LiveIndicator, Pillar, PlanLevel, Source, Subject, Target};
use vigia_domain::policy::Action;
use vigia_domain::FieldErrors;
use vigia_service::plans::{NewActivity, NewAssessment, NewIndicator, NewPlan, PlanDashboard};
use vigia_service::Vigia;

use crate::api::parse_json;
use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::pages::{error_page, field, fields, form_pairs, nav, render, Nav};
use crate::AppState;

fn csrf(c: &Caller, h: &HeaderMap) -> Result<(), ApiError> {
    c.check_csrf(h.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

fn field_err(field: &str, msg: impl Into<String>) -> ApiError {
    let mut f = FieldErrors::default();
    f.push(field, msg.into());
    ApiError::Invalid(f)
}

fn date(field: &str, s: &str) -> Result<time::Date, ApiError> {
    parse_iso_date(s).map_err(|e| field_err(field, e.to_string()))
}

fn agency_ids(field: &str, v: &[String]) -> Result<Vec<AgencyId>, ApiError> {
    v.iter().filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse().map_err(|_| field_err(field, "not an agency id"))).collect()
}

// ----- JSON API -----

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    pub title: String,
    /// `national`, `state` or `regional`.
    #[schema(value_type = String)]
    pub level: PlanLevel,
    /// National and state plans: ISO 3166-1 (defaults to the coordinator's country).
    pub country: Option<String>,
    /// State plans: ISO 3166-2.
    pub subdivision: Option<String>,
    /// Regional plans: member states (ISO 3166-1).
    #[serde(default)]
    pub countries: Vec<String>,
    /// `YYYY-MM-DD`.
    pub period_from: String,
    pub period_to: String,
    /// The owning body.
    pub owner: String,
    /// ISO 4217 code of the budgets.
    pub currency: String,
    /// Agency ids designated as independent monitors.
    #[serde(default)]
    pub monitors: Vec<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    /// An existing objective ...
    pub objective_id: Option<String>,
    /// ... or a new one: its pillar (`prevention`, `protection`, `prosecution`, `partnership`) and title.
    #[schema(value_type = Option<String>)]
    pub pillar: Option<Pillar>,
    pub objective: Option<String>,
    pub title: String,
    #[serde(default)]
    pub responsible: Vec<String>,
    #[serde(default)]
    pub partners: Vec<String>,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub budget_allocated: f64,
    #[serde(default)]
    pub budget_spent: f64,
    /// `planned`, `in_progress`, `completed`, `delayed`, `cancelled`.
    #[schema(value_type = Option<String>)]
    pub status: Option<ActivityStatus>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetIn {
    pub label: String,
    pub from: String,
    pub to: String,
    pub value: f64,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorIn {
    pub title: String,
    /// `count`, `percentage`, `yes_no`, `milestone` (live indicators: implied).
    #[schema(value_type = Option<String>)]
    pub kind: Option<IndicatorKind>,
    #[serde(default)]
    pub unit: String,
    pub baseline: Option<f64>,
    pub baseline_period: Option<String>,
    /// Targets per period ...
    #[serde(default)]
    pub targets: Vec<TargetIn>,
    /// ... or one target for each calendar year of the plan.
    pub yearly_target: Option<f64>,
    /// `sex`, `age_group`, `exploitation`, `subdivision`, `citizenship`.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub disaggregation: Vec<Disaggregation>,
    /// A live computation's code (`identified_persons`, `identified_children`, `shelter_within_7_days`,
    /// `shelter_within_7_days_share`, `children_best_interests_share`, `referrals_accepted_share`,
    /// `persons_assisted`); absent for a hand-reported indicator.
    #[schema(value_type = Option<String>)]
    pub live: Option<LiveIndicator>,
    pub activity_id: Option<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressIn {
    #[schema(value_type = String)]
    pub status: ActivityStatus,
    pub percent_complete: u8,
    pub budget_spent: Option<f64>,
    #[serde(default)]
    pub narrative: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueIn {
    /// A target period's label.
    pub period: String,
    pub value: f64,
    #[serde(default)]
    pub note: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    /// One of `activity_id`, `indicator_id`.
    pub activity_id: Option<String>,
    pub indicator_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub status: Option<ActivityStatus>,
    pub percent_complete: Option<u8>,
    pub value: Option<f64>,
    #[serde(default)]
    pub comment: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorsIn {
    pub monitors: Vec<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlanSummary {
    pub id: String,
    pub title: String,
    pub level: String,
    pub scope: String,
    pub period_from: String,
    pub period_to: String,
    pub owner: String,
    pub illustrative: bool,
}

fn scope_of(plan: &p::Plan) -> String {
    match plan.level {
        PlanLevel::Regional => plan.countries.join(", "),
        PlanLevel::State => plan.subdivision.clone().unwrap_or_default(),
        PlanLevel::National => plan.country.clone().unwrap_or_default(),
    }
}

fn summary(plan: &p::Plan) -> PlanSummary {
    PlanSummary {
        id: plan.id.clone(),
        title: plan.title.clone(),
        level: plan.level.code().into(),
        scope: scope_of(plan),
        period_from: format_date(plan.period_from),
        period_to: format_date(plan.period_to),
        owner: plan.owner.clone(),
        illustrative: plan.illustrative,
    }
}

fn new_plan(i: PlanIn) -> Result<NewPlan, ApiError> {
    Ok(NewPlan {
        title: i.title,
        level: i.level,
        country: i.country.filter(|s| !s.trim().is_empty()),
        subdivision: i.subdivision.filter(|s| !s.trim().is_empty()),
        countries: i.countries.into_iter().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect(),
        period_from: date("period_from", &i.period_from)?,
        period_to: date("period_to", &i.period_to)?,
        owner: i.owner,
        currency: i.currency,
        monitors: agency_ids("monitors", &i.monitors)?,
        illustrative: false,
    })
}

fn new_activity(i: ActivityIn) -> Result<NewActivity, ApiError> {
    Ok(NewActivity {
        objective_id: i.objective_id.filter(|s| !s.is_empty()),
        new_objective: match (i.pillar, i.objective) {
            (Some(p), Some(t)) => Some((p, t)),
            _ => None,
        },
        title: i.title,
        responsible: i.responsible,
        partners: i.partners,
        start: date("start", &i.start)?,
        end: date("end", &i.end)?,
        budget_allocated: i.budget_allocated,
        budget_spent: i.budget_spent,
        status: i.status.unwrap_or(ActivityStatus::Planned),
    })
}

fn new_indicator(i: IndicatorIn) -> Result<NewIndicator, ApiError> {
    let mut targets = Vec::new();
    for (n, t) in i.targets.into_iter().enumerate() {
        targets.push(Target {
            period: p::Period { label: t.label, from: date(&format!("targets[{n}].from"), &t.from)?, to: date(&format!("targets[{n}].to"), &t.to)? },
            value: t.value,
        });
    }
    Ok(NewIndicator {
        title: i.title,
        kind: i.kind,
        unit: i.unit,
        baseline: i.baseline,
        baseline_period: i.baseline_period,
        targets,
        yearly_target: i.yearly_target,
        disaggregation: i.disaggregation,
        source: i.live.map_or(Source::Manual, Source::Live),
        activity_id: i.activity_id.filter(|s| !s.is_empty()),
    })
}

fn new_assessment(i: AssessmentIn) -> Result<NewAssessment, ApiError> {
    let subject = match (i.activity_id, i.indicator_id) {
        (Some(a), None) => Subject::Activity(a),
        (None, Some(x)) => Subject::Indicator(x),
        _ => return Err(field_err("subject", "give exactly one of activity_id, indicator_id")),
    };
    Ok(NewAssessment { subject, status: i.status, percent_complete: i.percent_complete, value: i.value, comment: i.comment })
}

/// Every plan.
#[utoipa::path(get, path = "/api/v1/plans", responses((status = 200, body = [PlanSummary])))]
pub async fn list_api(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    Ok(Json(st.vigia.plans(&caller.actor).await?.iter().map(summary).collect()))
}

/// Create a plan (coordinators: national and state plans of their country; regional mechanisms: regional work plans).
#[utoipa::path(post, path = "/api/v1/plans", request_body = PlanIn,
    responses((status = 201, body = crate::api::Created), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn create_api(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let i: PlanIn = parse_json(&headers, &body)?;
    let plan = st.vigia.create_plan(&caller.actor, new_plan(i)?).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id: plan.id })))
}

/// The plan and its dashboard (JSON): the plan as stored, and the computed figures.
#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = crate::api::ErrorOut)))]
pub async fn get_api(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let d = st.vigia.plan_dashboard(&caller.actor, &id).await?;
    Ok(Json(dashboard_json(&d)))
}

fn indep_json(v: &[p::IndependentView]) -> serde_json::Value {
    v.iter()
        .map(|i| {
            serde_json::json!({
                "monitor": i.monitor, "status": i.status.map(|s| s.code()), "percent_complete": i.percent_complete,
                "value": i.value, "comment": i.comment, "assessed_on": format_date(i.assessed_on), "divergence": i.divergence,
            })
        })
        .collect()
}

fn dashboard_json(d: &PlanDashboard) -> serde_json::Value {
    let b = &d.dashboard;
    serde_json::json!({
        "plan": d.plan,
        "as_of": format_date(d.as_of),
        "budget": {"allocated": b.budget_allocated, "spent": b.budget_spent, "execution": b.execution, "currency": d.plan.currency},
        "overdue": b.overdue,
        "completed": b.completed,
        "divergences": b.divergences,
        "activities": b.activities.iter().map(|a| serde_json::json!({
            "id": a.activity.id, "title": a.activity.title, "pillar": a.pillar.code(), "objective": a.objective,
            "status": a.status.code(), "percent_complete": a.percent_complete, "allocated": a.activity.budget_allocated,
            "spent": a.spent, "execution": a.execution, "overdue": a.overdue, "end": format_date(a.activity.end),
            "independent": indep_json(&a.independent), "diverges": a.diverges(),
        })).collect::<Vec<_>>(),
        "indicators": b.indicators.iter().map(|i| serde_json::json!({
            "id": i.indicator.id, "title": i.indicator.title, "kind": i.indicator.kind.code(), "unit": i.indicator.unit,
            "source": match i.indicator.source { Source::Manual => "manual".to_string(), Source::Live(l) => l.code().to_string() },
            "baseline": i.indicator.baseline, "period": i.period.as_ref().map(|p| p.label.clone()),
            "current": i.current, "target": i.target, "progress": i.progress,
            "trend": i.trend.iter().map(|(l, v)| serde_json::json!({"period": l, "value": v})).collect::<Vec<_>>(),
            "independent": indep_json(&i.independent), "diverges": i.diverges(),
        })).collect::<Vec<_>>(),
    })
}

macro_rules! plan_post {
    ($name:ident, $path:literal, $in:ty, $doc:literal, |$st:ident, $c:ident, $id:ident, $i:ident| $body:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, request_body = $in, params(("id" = String, Path)),
            responses((status = 201, body = crate::api::Created), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
        pub async fn $name(State($st): State<AppState>, $c: Caller, Path($id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
            csrf(&$c, &headers)?;
            let $i: $in = parse_json(&headers, &body)?;
            let id: String = $body;
            Ok((StatusCode::CREATED, Json(crate::api::Created { id })))
        }
    };
}

plan_post!(add_activity_api, "/api/v1/plans/{id}/activities", ActivityIn, "Add an activity (the plan's keeper).", |st, c, id, i| st
    .vigia
    .add_activity(&c.actor, &id, new_activity(i)?)
    .await?
    .id);
plan_post!(add_indicator_api, "/api/v1/plans/{id}/indicators", IndicatorIn, "Add an indicator, hand-reported or live (the plan's keeper).", |st, c, id, i| st
    .vigia
    .add_indicator(&c.actor, &id, new_indicator(i)?)
    .await?
    .id);
plan_post!(assess_api, "/api/v1/plans/{id}/assessments", AssessmentIn, "File an independent assessment (a designated monitor).", |st, c, id, i| st
    .vigia
    .file_assessment(&c.actor, &id, new_assessment(i)?)
    .await?
    .id);

/// An official progress report on an activity (the plan's keeper).
#[utoipa::path(post, path = "/api/v1/plans/{id}/activities/{activity}/progress", request_body = ProgressIn,
    params(("id" = String, Path), ("activity" = String, Path)),
    responses((status = 201, body = crate::api::Created), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn progress_api(State(st): State<AppState>, c: Caller, Path((id, activity)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&c, &headers)?;
    let i: ProgressIn = parse_json(&headers, &body)?;
    let r = st.vigia.report_progress(&c.actor, &id, &activity, i.status, i.percent_complete, i.budget_spent, &i.narrative).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id: r.id })))
}

/// A value of a hand-reported indicator for one of its periods (the plan's keeper).
#[utoipa::path(post, path = "/api/v1/plans/{id}/indicators/{indicator}/values", request_body = ValueIn,
    params(("id" = String, Path), ("indicator" = String, Path)),
    responses((status = 201, body = crate::api::Created), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn value_api(State(st): State<AppState>, c: Caller, Path((id, ind)): Path<(String, String)>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&c, &headers)?;
    let i: ValueIn = parse_json(&headers, &body)?;
    let m = st.vigia.record_measurement(&c.actor, &id, &ind, &i.period, i.value, &i.note).await?;
    Ok((StatusCode::CREATED, Json(crate::api::Created { id: m.id })))
}

/// Designate the plan's independent monitors (the plan's keeper).
#[utoipa::path(put, path = "/api/v1/plans/{id}/monitors", request_body = MonitorsIn, params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn monitors_api(State(st): State<AppState>, c: Caller, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&c, &headers)?;
    let i: MonitorsIn = parse_json(&headers, &body)?;
    st.vigia.set_monitors(&c.actor, &id, agency_ids("monitors", &i.monitors)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn download(ct: &'static str, name: String, body: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, ct.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body).into_response()
}

fn file_stem(d: &PlanDashboard) -> String {
    format!("plan-{}-{}", d.plan.id.get(..8).unwrap_or("x"), format_date(d.as_of))
}

/// The indicators as CSV.
#[utoipa::path(get, path = "/api/v1/plans/{id}/indicators.csv", params(("id" = String, Path)), responses((status = 200, content_type = "text/csv")))]
pub async fn csv_api(State(st): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let d = st.vigia.plan_dashboard(&c.actor, &id).await?;
    Ok(download("text/csv; charset=utf-8", format!("{}-indicators.csv", file_stem(&d)), Vigia::indicators_csv(&d).into_bytes()))
}

/// The indicators as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/plans/{id}/indicators.xlsx", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn xlsx_api(State(st): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let d = st.vigia.plan_dashboard(&c.actor, &id).await?;
    let bytes = Vigia::indicators_xlsx(&d)?;
    Ok(download("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", format!("{}-indicators.xlsx", file_stem(&d)), bytes))
}

/// The plan report as one self-contained HTML file (styles inline, charts as SVG), to print or send.
#[utoipa::path(get, path = "/api/v1/plans/{id}/report.html", params(("id" = String, Path)), responses((status = 200, content_type = "text/html")))]
pub async fn report_api(State(st): State<AppState>, c: Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let d = st.vigia.plan_dashboard(&c.actor, &id).await?;
    let page = ReportPage { v: view(&d), inline_css: Some(include_str!("../static/style.css").to_string()) };
    let html = page.render().map_err(|_| ApiError::Internal)?;
    Ok(download("text/html; charset=utf-8", format!("{}-report.html", file_stem(&d)), html.into_bytes()))
}

// ----- the view model shared by the dashboard, the print layout and the report -----

pub struct IndepRow {
    pub monitor: String,
    pub account: String,
    pub comment: String,
    pub on: String,
    pub divergence: String,
    pub diverges: bool,
}

pub struct ActRow {
    pub id: String,
    pub title: String,
    pub pillar: String,
    pub objective: String,
    pub responsible: String,
    pub partners: String,
    pub dates: String,
    pub status: String,
    pub percent: u8,
    pub allocated: String,
    pub spent: String,
    pub execution: String,
    pub execution_pct: u32,
    pub overdue: bool,
    pub last_report: String,
    pub independent: Vec<IndepRow>,
    pub diverges: bool,
}

pub struct IndRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub unit: String,
    pub source: String,
    pub definition: String,
    pub live: bool,
    pub baseline: String,
    pub period: String,
    pub current: String,
    pub target: String,
    pub progress_pct: u32,
    pub progress: String,
    pub trend: Vec<(String, String)>,
    pub svg: String,
    pub independent: Vec<IndepRow>,
    pub diverges: bool,
}

pub struct PlanView {
    pub id: String,
    pub title: String,
    pub level: String,
    pub scope: String,
    pub period: String,
    pub owner: String,
    pub owner_agency: String,
    pub monitors: Vec<String>,
    pub currency: String,
    pub illustrative: bool,
    pub as_of: String,
    pub allocated: String,
    pub spent: String,
    pub execution: String,
    pub execution_pct: u32,
    pub overdue: usize,
    pub completed: usize,
    pub n_activities: usize,
    pub divergences: usize,
    pub activities: Vec<ActRow>,
    pub indicators: Vec<IndRow>,
}

fn money(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.0} %", x * 100.0)).unwrap_or_else(|| "—".into())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small line chart of the values by period, with the targets dashed. Only
/// numbers and escaped labels go into it.
pub fn trend_svg(title: &str, points: &[(String, Option<f64>)], targets: &[(String, f64)]) -> String {
    let (w, h, pad) = (260.0_f64, 80.0_f64, 16.0_f64);
    let labels: Vec<&String> = targets.iter().map(|(l, _)| l).collect();
    if labels.is_empty() {
        return String::new();
    }
    let max = points.iter().filter_map(|(_, v)| *v).chain(targets.iter().map(|(_, v)| *v)).fold(1.0_f64, f64::max);
    let n = labels.len();
    let x = |i: usize| if n == 1 { w / 2.0 } else { pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * (v / max);
    let mut s = format!("<svg class=\"trend\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>", esc(title), esc(title));
    s.push_str(&format!("<line x1=\"{pad}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#bbb\" stroke-width=\"1\"/>", h - pad, w - pad, h - pad));
    let tpts: Vec<String> = targets.iter().enumerate().map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v))).collect();
    s.push_str(&format!("<polyline points=\"{}\" fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\" stroke-width=\"1.5\"/>", tpts.join(" ")));
    let vpts: Vec<(f64, f64, f64)> =
        labels.iter().enumerate().filter_map(|(i, l)| points.iter().find(|(pl, _)| pl == *l).and_then(|(_, v)| *v).map(|v| (x(i), y(v), v))).collect();
    if vpts.len() > 1 {
        let line: Vec<String> = vpts.iter().map(|(a, b, _)| format!("{a:.1},{b:.1}")).collect();
        s.push_str(&format!("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>", line.join(" ")));
    }
    for (a, b, v) in &vpts {
        s.push_str(&format!("<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"3\" fill=\"#1f5fa8\"><title>{}</title></circle>", esc(&format!("{v:.1}"))));
    }
    for (i, l) in labels.iter().enumerate() {
        s.push_str(&format!("<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#555\">{}</text>", x(i), h - 3.0, esc(l)));
    }
    s.push_str("</svg>");
    s
}

fn indep_rows(v: &[p::IndependentView], kind: Option<IndicatorKind>) -> Vec<IndepRow> {
    v.iter()
        .map(|i| IndepRow {
            monitor: i.monitor.clone(),
            account: match kind {
                Some(k) => p::fmt_value(k, i.value),
                None => format!(
                    "{}{}",
                    i.status.map(|s| s.label().to_string()).unwrap_or_default(),
                    i.percent_complete.map(|p| format!(" · {p} %")).unwrap_or_default()
                ),
            },
            comment: i.comment.clone(),
            on: format_date(i.assessed_on),
            divergence: i.divergence.clone().unwrap_or_default(),
            diverges: i.divergence.is_some(),
        })
        .collect()
}

pub fn view(d: &PlanDashboard) -> PlanView {
    let b = &d.dashboard;
    let cur = &d.plan.currency;
    let activities = b
        .activities
        .iter()
        .map(|a| ActRow {
            id: a.activity.id.clone(),
            title: a.activity.title.clone(),
            pillar: a.pillar.label().into(),
            objective: a.objective.clone(),
            responsible: a.activity.responsible.join(", "),
            partners: a.activity.partners.join(", "),
            dates: format!("{} – {}", format_date(a.activity.start), format_date(a.activity.end)),
            status: a.status.label().into(),
            percent: a.percent_complete,
            allocated: format!("{} {cur}", money(a.activity.budget_allocated)),
            spent: format!("{} {cur}", money(a.spent)),
            execution: pct(a.execution),
            execution_pct: a.execution.map_or(0, |e| (e * 100.0).round().clamp(0.0, 100.0) as u32),
            overdue: a.overdue,
            last_report: a.last_report.as_ref().map(|r| format!("{} — {}", format_date(r.reported_on), r.narrative)).unwrap_or_default(),
            independent: indep_rows(&a.independent, None),
            diverges: a.diverges(),
        })
        .collect();
    let indicators = b
        .indicators
        .iter()
        .map(|i| {
            let ind = &i.indicator;
            let mut targets: Vec<&Target> = ind.targets.iter().collect();
            targets.sort_by_key(|t| t.period.from);
            let tv: Vec<(String, f64)> = targets.iter().map(|t| (t.period.label.clone(), t.value)).collect();
            IndRow {
                id: ind.id.clone(),
                title: ind.title.clone(),
                kind: ind.kind.label().into(),
                unit: ind.unit.clone(),
                source: match ind.source {
                    Source::Manual => "reported".into(),
                    Source::Live(l) => format!("computed live: {}", l.label()),
                },
                definition: match ind.source {
                    Source::Live(l) => l.definition().into(),
                    Source::Manual => String::new(),
                },
                live: matches!(ind.source, Source::Live(_)),
                baseline: format!("{}{}", p::fmt_value(ind.kind, ind.baseline), ind.baseline_period.as_ref().map(|b| format!(" ({b})")).unwrap_or_default()),
                period: i.period.as_ref().map(|p| p.label.clone()).unwrap_or_default(),
                current: p::fmt_value(ind.kind, i.current),
                target: p::fmt_value(ind.kind, i.target),
                progress_pct: i.progress.map_or(0, |x| (x * 100.0).round() as u32),
                progress: pct(i.progress),
                trend: i.trend.iter().map(|(l, v)| (l.clone(), p::fmt_value(ind.kind, *v))).collect(),
                svg: trend_svg(&format!("Trend of {}", ind.title), &i.trend, &tv),
                independent: indep_rows(&i.independent, Some(ind.kind)),
                diverges: i.diverges(),
            }
        })
        .collect();
    PlanView {
        id: d.plan.id.clone(),
        title: d.plan.title.clone(),
        level: d.plan.level.label().into(),
        scope: scope_of(&d.plan),
        period: format!("{} – {}", format_date(d.plan.period_from), format_date(d.plan.period_to)),
        owner: d.plan.owner.clone(),
        owner_agency: d.owner_agency.clone(),
        monitors: d.monitors.iter().map(|(_, n)| n.clone()).collect(),
        currency: cur.clone(),
        illustrative: d.plan.illustrative,
        as_of: format_date(d.as_of),
        allocated: format!("{} {cur}", money(b.budget_allocated)),
        spent: format!("{} {cur}", money(b.budget_spent)),
        execution: pct(b.execution),
        execution_pct: b.execution.map_or(0, |e| (e * 100.0).round().clamp(0.0, 100.0) as u32),
        overdue: b.overdue,
        completed: b.completed,
        n_activities: b.activities.len(),
        divergences: b.divergences,
        activities,
        indicators,
    }
}

// ----- pages -----

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    nav: Option<Nav>,
    csrf: String,
    keeper: bool,
    error: Option<String>,
    plans: Vec<PlanSummary>,
    agencies: Vec<(String, String)>,
    country: String,
}

async fn render_list(st: &AppState, c: &Caller, error: Option<String>) -> Response {
    let plans = match st.vigia.plans(&c.actor).await {
        Ok(p) => p,
        Err(e) => return error_page(e.into()),
    };
    let agencies = st
        .vigia
        .store()
        .list_agencies()
        .await
        .map(|v| v.into_iter().filter(|a| a.id != c.actor.agency_id).map(|a| (a.id.to_string(), format!("{} ({}, {})", a.name, a.kind.label(), a.country.code()))).collect())
        .unwrap_or_default();
    let page = PlansPage {
        nav: nav(c),
        csrf: c.csrf().into(),
        keeper: Vigia::plan_keeper(c.actor.role),
        error: error.clone(),
        plans: plans.iter().map(summary).collect(),
        agencies,
        country: c.actor.country.code().into(),
    };
    let mut r = render(&page);
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

pub async fn list_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    render_list(&st, &c, None).await
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

fn opt_num(field: &str, s: &str) -> Result<Option<f64>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.replace(',', ".").parse::<f64>().map(Some).map_err(|_| field_err(field, "must be a number"))
}

fn code<T>(field: &str, s: &str, parse: impl Fn(&str) -> Result<T, vigia_domain::taxonomy::UnknownCode>) -> Result<T, ApiError> {
    parse(s).map_err(|e| field_err(field, e.to_string()))
}

pub async fn create_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let f = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&f, "csrf"))) {
        return error_page(e);
    }
    let r: Result<String, ApiError> = async {
        let input = PlanIn {
            title: field(&f, "title").into(),
            level: code("level", field(&f, "level"), PlanLevel::parse)?,
            country: Some(field(&f, "country").into()),
            subdivision: Some(field(&f, "subdivision").into()),
            countries: split_list(field(&f, "countries")),
            period_from: field(&f, "period_from").into(),
            period_to: field(&f, "period_to").into(),
            owner: field(&f, "owner").into(),
            currency: field(&f, "currency").into(),
            monitors: fields(&f, "monitors").into_iter().map(String::from).collect(),
        };
        Ok(st.vigia.create_plan(&c.actor, new_plan(input)?).await?.id)
    }
    .await;
    match r {
        Ok(id) => Redirect::to(&format!("/plans/{id}")).into_response(),
        Err(ApiError::Invalid(e)) => render_list(&st, &c, Some(e.to_string())).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "plans_dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    csrf: String,
    v: PlanView,
    keeper: bool,
    monitor: bool,
    error: Option<String>,
    notice: Option<String>,
    pillars: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    lives: Vec<(String, String)>,
    manual_indicators: Vec<(String, String, Vec<String>)>,
    objectives: Vec<(String, String)>,
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|x| (code(*x).to_string(), label(*x).to_string())).collect()
}

async fn render_dashboard(st: &AppState, c: &Caller, id: &str, error: Option<String>, notice: Option<String>) -> Response {
    let d = match st.vigia.plan_dashboard(&c.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(e.into()),
    };
    let page = DashboardPage {
        nav: nav(c),
        csrf: c.csrf().into(),
        keeper: st.vigia.may(&c.actor, Action::ManagePlans, &d.plan),
        monitor: st.vigia.may(&c.actor, Action::AssessPlans, &d.plan),
        error: error.clone(),
        notice,
        pillars: codes(Pillar::ALL, Pillar::code, Pillar::label),
        statuses: codes(ActivityStatus::ALL, ActivityStatus::code, ActivityStatus::label),
        kinds: codes(IndicatorKind::ALL, IndicatorKind::code, IndicatorKind::label),
        lives: codes(LiveIndicator::ALL, LiveIndicator::code, LiveIndicator::label),
        manual_indicators: d
            .plan
            .indicators
            .iter()
            .filter(|i| i.source == Source::Manual)
            .map(|i| (i.id.clone(), i.title.clone(), i.targets.iter().map(|t| t.period.label.clone()).collect()))
            .collect(),
        objectives: d.plan.objectives.iter().map(|o| (o.id.clone(), format!("{} — {}", o.pillar.label(), o.title))).collect(),
        v: view(&d),
    };
    let mut r = render(&page);
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

pub async fn dashboard_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>) -> Response {
    render_dashboard(&st, &c, &id, None, None).await
}

/// Form posts on the dashboard: `activity`, `indicator`, `progress`, `value`, `assess`.
pub async fn dashboard_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path((id, what)): Path<(String, String)>, body: Bytes) -> Response {
    let f = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&f, "csrf"))) {
        return error_page(e);
    }
    let v = &st.vigia;
    let r: Result<&'static str, ApiError> = async {
        match what.as_str() {
            "activity" => {
                let existing = field(&f, "objective_id");
                let input = ActivityIn {
                    objective_id: (!existing.is_empty()).then(|| existing.to_string()),
                    pillar: if existing.is_empty() { Some(code("pillar", field(&f, "pillar"), Pillar::parse)?) } else { None },
                    objective: (!existing.is_empty()).then(String::new).or_else(|| Some(field(&f, "objective").into())),
                    title: field(&f, "title").into(),
                    responsible: split_list(field(&f, "responsible")),
                    partners: split_list(field(&f, "partners")),
                    start: field(&f, "start").into(),
                    end: field(&f, "end").into(),
                    budget_allocated: opt_num("budget_allocated", field(&f, "budget_allocated"))?.unwrap_or(0.0),
                    budget_spent: opt_num("budget_spent", field(&f, "budget_spent"))?.unwrap_or(0.0),
                    status: Some(code("status", field(&f, "status"), ActivityStatus::parse)?),
                };
                v.add_activity(&c.actor, &id, new_activity(input)?).await?;
                Ok("Activity added.")
            }
            "indicator" => {
                let live = field(&f, "source");
                let input = IndicatorIn {
                    title: field(&f, "title").into(),
                    kind: if live == "manual" { Some(code("kind", field(&f, "kind"), IndicatorKind::parse)?) } else { None },
                    unit: field(&f, "unit").into(),
                    baseline: opt_num("baseline", field(&f, "baseline"))?,
                    baseline_period: Some(field(&f, "baseline_period").into()),
                    targets: vec![],
                    yearly_target: opt_num("yearly_target", field(&f, "yearly_target"))?,
                    disaggregation: fields(&f, "disaggregation").into_iter().filter_map(|d| Disaggregation::parse(d).ok()).collect(),
                    live: if live == "manual" { None } else { Some(code("source", live, LiveIndicator::parse)?) },
                    activity_id: Some(field(&f, "activity_id").into()),
                };
                v.add_indicator(&c.actor, &id, new_indicator(input)?).await?;
                Ok("Indicator added.")
            }
            "progress" => {
                let pct = field(&f, "percent_complete").trim().parse::<u8>().map_err(|_| field_err("percent_complete", "must be 0 to 100"))?;
                v.report_progress(
                    &c.actor,
                    &id,
                    field(&f, "activity_id"),
                    code("status", field(&f, "status"), ActivityStatus::parse)?,
                    pct,
                    opt_num("budget_spent", field(&f, "budget_spent"))?,
                    field(&f, "narrative"),
                )
                .await?;
                Ok("Progress report recorded.")
            }
            "value" => {
                let value = opt_num("value", field(&f, "value"))?.ok_or_else(|| field_err("value", "give a value"))?;
                v.record_measurement(&c.actor, &id, field(&f, "indicator_id"), field(&f, "period"), value, field(&f, "note")).await?;
                Ok("Value recorded.")
            }
            "assess" => {
                let subject = field(&f, "subject");
                let (activity_id, indicator_id) = match subject.split_once(':') {
                    Some(("activity", x)) => (Some(x.to_string()), None),
                    Some(("indicator", x)) => (None, Some(x.to_string())),
                    _ => return Err(field_err("subject", "choose an activity or an indicator")),
                };
                let status = field(&f, "status");
                let pc = field(&f, "percent_complete").trim();
                let input = AssessmentIn {
                    activity_id,
                    indicator_id,
                    status: if status.is_empty() { None } else { Some(code("status", status, ActivityStatus::parse)?) },
                    percent_complete: if pc.is_empty() { None } else { Some(pc.parse::<u8>().map_err(|_| field_err("percent_complete", "must be 0 to 100"))?) },
                    value: opt_num("value", field(&f, "value"))?,
                    comment: field(&f, "comment").into(),
                };
                v.file_assessment(&c.actor, &id, new_assessment(input)?).await?;
                Ok("Independent assessment filed.")
            }
            _ => Err(ApiError::NotFound),
        }
    }
    .await;
    match r {
        Ok(msg) => render_dashboard(&st, &c, &id, None, Some(msg.into())).await,
        Err(ApiError::Invalid(e)) => render_dashboard(&st, &c, &id, Some(e.to_string()), None).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "plans_report.html")]
struct ReportPage {
    v: PlanView,
    /// The stylesheet inlined (the downloadable file); `None` links /static/style.css.
    inline_css: Option<String>,
}

/// The print layout (the browser's "Print" gives a PDF).
pub async fn print_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>) -> Response {
    match st.vigia.plan_dashboard(&c.actor, &id).await {
        Ok(d) => render(&ReportPage { v: view(&d), inline_css: None }),
        Err(e) => error_page(e.into()),
    }
}
