//! Server-rendered pages. They use the same service calls, policy and audit as the API.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use vigia_domain::case::format_date;
use vigia_domain::error::FieldError;
use vigia_domain::geo::all_countries;
use vigia_domain::input::{CaseInput, IdentityInput, PlaceInput};
use vigia_domain::policy::{authorize, Action, Decision, Resource, View};
use vigia_domain::taxonomy::{Act, AgeBracket, CaseStatus, ExploitationKind, Means, RecruiterRelation, Recruitment, Role, Sex};

use crate::api::{audit_out, AuditEntryOut, CaseOut};
use crate::auth::{session_cookie, Caller, PageCaller, Via};
use crate::error::ApiError;
use crate::AppState;

/// What the navigation bar shows.
pub struct Nav {
    pub email: String,
    pub role: String,
    pub csrf: String,
    pub can_cases: bool,
    pub can_create: bool,
    pub can_audit: bool,
    pub can_refer: bool,
    pub can_profiles: bool,
    pub hotline: bool,
    /// Sends reporting rounds.
    pub can_rounds: bool,
    /// Answers reporting rounds (inbox).
    pub rounds_inbox: bool,
    /// National figures (coordinators) or the agency's linkage setting (administrators).
    pub can_national: bool,
    /// Standard indicators (coordinators, regional monitors); estimates (coordinators).
    pub can_indicators: bool,
    pub can_estimates: bool,
    /// Action plans and the knowledge base (every signed-in user).
    pub can_plans: bool,
    /// Routes and maps (aggregates).
    pub can_maps: bool,
}

pub(crate) fn nav(c: &Caller) -> Option<Nav> {
    let r = c.actor.role;
    Some(Nav {
        email: c.user.email.clone(),
        role: r.label().to_string(),
        csrf: c.csrf().to_string(),
        can_cases: matches!(r, Role::Caseworker | Role::AgencyAdmin | Role::Coordinator),
        can_create: matches!(r, Role::Caseworker | Role::AgencyAdmin),
        can_audit: r == Role::Auditor,
        can_refer: matches!(r, Role::Caseworker | Role::AgencyAdmin),
        can_profiles: matches!(r, Role::Caseworker | Role::AgencyAdmin | Role::Coordinator),
        hotline: matches!(r, Role::Caseworker | Role::AgencyAdmin),
        can_rounds: crate::rounds_pages::nav_flags(r).0,
        rounds_inbox: crate::rounds_pages::nav_flags(r).1,
        can_national: matches!(r, Role::Coordinator | Role::AgencyAdmin),
        can_indicators: matches!(r, Role::Coordinator | Role::RegionalMonitor),
        can_estimates: r == Role::Coordinator,
        can_plans: true,
        can_maps: crate::maps::nav_flag(r),
    })
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    status: String,
    message: String,
}

/// An API error as a page.
pub fn error_page(e: ApiError) -> Response {
    let (status, message) = match e {
        ApiError::Forbidden(r) => (StatusCode::FORBIDDEN, format!("You may not see this: {r}.")),
        ApiError::NotFound => (StatusCode::NOT_FOUND, "There is nothing here.".to_string()),
        ApiError::Unauthenticated => return Redirect::to("/login").into_response(),
        ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
        ApiError::Invalid(f) => (StatusCode::UNPROCESSABLE_ENTITY, f.to_string()),
        ApiError::Conflict(w) => (StatusCode::CONFLICT, format!("{w} already exists.")),
        ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported content type.".into()),
        ApiError::Refused(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
        ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong; nothing was lost.".into()),
    };
    let page = ErrorPage { nav: None, status: status.to_string(), message };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}

pub async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../static/style.css"))
}

pub async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../static/app.js"))
}

pub async fn home(PageCaller(c): PageCaller) -> Redirect {
    match c.actor.role {
        Role::Auditor => Redirect::to("/audit"),
        Role::RegionalMonitor => Redirect::to("/rounds"),
        _ => Redirect::to("/cases"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    error: Option<String>,
}

pub async fn login_form() -> Response {
    render(&LoginPage { nav: None, error: None })
}

pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub(crate) fn fields<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

pub async fn login(State(st): State<AppState>, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    // Login has no session yet: refuse cross-site posts by Origin.
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site") | Some("same-site")) {
        return error_page(ApiError::Forbidden("cross-site request refused"));
    }
    if fetch_site != Some("same-origin") {
      if let (Some(o), Some(h)) = (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), headers.get(header::HOST).and_then(|v| v.to_str().ok())) {
        if o.split_once("://").map(|x| x.1) != Some(h) {
            return error_page(ApiError::Forbidden("cross-site request refused"));
        }
      }
    }
    let pairs = form_pairs(&body);
    let user = match st.vigia.authenticate(field(&pairs, "email"), field(&pairs, "password")).await {
        Ok(u) => u,
        Err(e) => return error_page(e.into()),
    };
    let Some(user) = user else {
        let mut r = render(&LoginPage { nav: None, error: Some("Unknown e-mail or wrong password.".into()) });
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return r;
    };
    match st.vigia.open_session(&user).await {
        Ok((cookie, _csrf)) => {
            ([(header::SET_COOKIE, session_cookie(&cookie, st.secure_cookies, 8 * 3600))], Redirect::to("/")).into_response()
        }
        Err(e) => error_page(e.into()),
    }
}

pub async fn logout(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&pairs, "csrf"))) {
        return error_page(e);
    }
    if let Via::Session { cookie, .. } = &c.via {
        if let Err(e) = st.vigia.close_session(cookie).await {
            return error_page(e.into());
        }
    }
    ([(header::SET_COOKIE, session_cookie("", st.secure_cookies, 0))], Redirect::to("/login")).into_response()
}

pub struct Row {
    id: String,
    identified_on: String,
    name: String,
    sex: String,
    age: String,
    citizenship: String,
    exploitation: String,
    route: String,
    status: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    nav: Option<Nav>,
    total: i64,
    rows: Vec<Row>,
    deidentified: bool,
    prev: Option<i64>,
    next: Option<i64>,
    from: i64,
    to: i64,
}

#[derive(serde::Deserialize)]
pub struct Offset {
    offset: Option<i64>,
}

const PAGE: i64 = 50;

pub async fn case_list(State(st): State<AppState>, PageCaller(c): PageCaller, Query(q): Query<Offset>) -> Response {
    let offset = q.offset.unwrap_or(0).max(0);
    let (total, items) = match st.vigia.list_cases(&c.actor, PAGE, offset).await {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    let deidentified = items.first().is_some_and(|v| v.view == View::Deidentified) || (items.is_empty() && c.actor.role == Role::Coordinator && !c.actor.identity_grant);
    let rows = items
        .into_iter()
        .map(|v| {
            let name = v
                .identity
                .as_ref()
                .map(|i| format!("{} {}", i.given_names.as_deref().unwrap_or(""), i.family_names.as_deref().unwrap_or("")).trim().to_string())
                .unwrap_or_default();
            let o = CaseOut::from(v);
            Row {
                id: o.id,
                identified_on: o.identified_on,
                name,
                sex: o.sex,
                age: o.age_at_identification.map(|a| a.to_string()).or(o.age_bracket).unwrap_or_default(),
                citizenship: o.citizenship.unwrap_or_default(),
                exploitation: o.exploitation.join(", "),
                route: o.route.iter().map(|p| p.subdivision.clone().unwrap_or_else(|| p.country.clone())).collect::<Vec<_>>().join(" → "),
                status: o.status,
            }
        })
        .collect::<Vec<_>>();
    let n = rows.len() as i64;
    render(&CasesPage {
        nav: nav(&c),
        total,
        deidentified,
        prev: (offset > 0).then(|| (offset - PAGE).max(0)),
        next: (offset + n < total).then_some(offset + PAGE),
        from: if n == 0 { 0 } else { offset + 1 },
        to: offset + n,
        rows,
    })
}

pub struct Opt {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) on: bool,
}

fn opts<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str, on: &[&str]) -> Vec<Opt> {
    all.iter().map(|v| Opt { code: code(*v), label: label(*v), on: on.contains(&code(*v)) }).collect()
}

/// The form's current values (refilled after an error).
#[derive(Default)]
pub struct FormValues {
    given_names: String,
    family_names: String,
    date_of_birth: String,
    document_number: String,
    contact: String,
    age: String,
    citizenship: String,
    exploitation_other: String,
    identified_on: String,
    external_ref: String,
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct CaseFormPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    errors: Vec<FieldError>,
    f: FormValues,
    sex: Vec<Opt>,
    brackets: Vec<Opt>,
    acts: Vec<Opt>,
    means: Vec<Opt>,
    exploitation: Vec<Opt>,
    recruitment: Vec<Opt>,
    relation: Vec<Opt>,
    status: Vec<Opt>,
    route: Vec<(String, String, String)>,
    countries: Vec<(&'static str, &'static str)>,
}

fn form_page(c: &Caller, today: String, pairs: &[(String, String)], errors: Vec<FieldError>) -> CaseFormPage {
    let get = |n: &str| field(pairs, n).to_string();
    let mut route: Vec<(String, String, String)> = fields(pairs, "route_country")
        .iter()
        .zip(fields(pairs, "route_subdivision"))
        .zip(fields(pairs, "route_municipality"))
        .map(|((a, b), m)| (a.to_string(), b.to_string(), m.to_string()))
        .collect();
    route.resize(route.len().max(4), Default::default());
    let one = |n: &str| vec![field(pairs, n)];
    let identified_on = if pairs.is_empty() { today.clone() } else { get("identified_on") };
    CaseFormPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        errors,
        f: FormValues {
            given_names: get("given_names"),
            family_names: get("family_names"),
            date_of_birth: get("date_of_birth"),
            document_number: get("document_number"),
            contact: get("contact"),
            age: get("age_at_identification"),
            citizenship: get("citizenship"),
            exploitation_other: get("exploitation_other"),
            identified_on,
            external_ref: get("external_ref"),
        },
        today,
        sex: opts(Sex::ALL, Sex::code, Sex::label, &if pairs.is_empty() { vec!["unknown"] } else { one("sex") }),
        brackets: opts(AgeBracket::ALL, AgeBracket::code, AgeBracket::label, &one("age_bracket")),
        acts: opts(Act::ALL, Act::code, Act::label, &fields(pairs, "acts")),
        means: opts(Means::ALL, Means::code, Means::label, &fields(pairs, "means")),
        exploitation: opts(ExploitationKind::ALL, ExploitationKind::code, ExploitationKind::label, &fields(pairs, "exploitation")),
        recruitment: opts(Recruitment::ALL, Recruitment::code, Recruitment::label, &one("recruitment")),
        relation: opts(RecruiterRelation::ALL, RecruiterRelation::code, RecruiterRelation::label, &one("recruiter_relation")),
        status: opts(CaseStatus::ALL, CaseStatus::code, CaseStatus::label, &if pairs.is_empty() { vec!["presumed"] } else { one("status") }),
        route,
        countries: all_countries(),
    }
}

pub async fn case_form(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    let resource = Resource::Agency { agency_id: c.actor.agency_id, country: c.actor.country };
    if let Decision::Deny(r) = authorize(&c.actor, Action::CreateCase, &resource) {
        return error_page(ApiError::Forbidden(r));
    }
    render(&form_page(&c, format_date(st.vigia.today()), &[], Vec::new()))
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Form fields to the same input the API takes.
fn input_from_form(pairs: &[(String, String)]) -> Result<CaseInput, FieldError> {
    let age = match field(pairs, "age_at_identification").trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| FieldError::new("age_at_identification", "must be a whole number of years from 0 to 120"))?),
    };
    let mut exploitation: Vec<String> = fields(pairs, "exploitation").into_iter().map(String::from).collect();
    if let Some(o) = opt(field(pairs, "exploitation_other")) {
        exploitation.push(format!("other: {o}"));
    }
    let route = fields(pairs, "route_country")
        .iter()
        .zip(fields(pairs, "route_subdivision"))
        .zip(fields(pairs, "route_municipality"))
        .filter(|((c, s), m)| !(c.trim().is_empty() && s.trim().is_empty() && m.trim().is_empty()))
        .map(|((c, s), m)| PlaceInput { country: c.trim().to_string(), subdivision: opt(s), municipality: opt(m), lat: None, lon: None })
        .collect();
    Ok(CaseInput {
        identity: IdentityInput {
            given_names: opt(field(pairs, "given_names")),
            family_names: opt(field(pairs, "family_names")),
            date_of_birth: opt(field(pairs, "date_of_birth")),
            document_numbers: opt(field(pairs, "document_number")).into_iter().collect(),
            contact: opt(field(pairs, "contact")),
        },
        sex: opt(field(pairs, "sex")),
        age_at_identification: age,
        age_bracket: opt(field(pairs, "age_bracket")),
        citizenship: opt(field(pairs, "citizenship")),
        acts: fields(pairs, "acts").into_iter().map(String::from).collect(),
        means: fields(pairs, "means").into_iter().map(String::from).collect(),
        exploitation,
        recruitment: opt(field(pairs, "recruitment")),
        recruiter_relation: opt(field(pairs, "recruiter_relation")),
        identified_on: opt(field(pairs, "identified_on")),
        status: opt(field(pairs, "status")),
        route,
        external_ref: opt(field(pairs, "external_ref")),
        consent_given: None,
    })
}

pub async fn case_create(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&pairs, "csrf"))) {
        return error_page(e);
    }
    let today = format_date(st.vigia.today());
    let parsed = input_from_form(&pairs).map_err(|e| vec![e]).and_then(|i| i.parse(st.vigia.today()).map_err(|e| e.0));
    let new = match parsed {
        Ok(n) => n,
        Err(errors) => {
            let mut r = render(&form_page(&c, today, &pairs, errors));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    match st.vigia.create_case(&c.actor, &new).await {
        Ok(id) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(vigia_service::ServiceError::Conflict(w)) => {
            let mut r = render(&form_page(&c, today, &pairs, vec![FieldError::new("external_ref", format!("{w} already exists"))]));
            *r.status_mut() = StatusCode::CONFLICT;
            r
        }
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    entries: Vec<AuditEntryOut>,
    next: Option<i64>,
}

#[derive(serde::Deserialize)]
pub struct After {
    after: Option<i64>,
}

pub async fn audit_page(State(st): State<AppState>, PageCaller(c): PageCaller, Query(q): Query<After>) -> Response {
    match st.vigia.audit_entries(&c.actor, q.after.unwrap_or(0), 200).await {
        Ok(entries) => {
            let next = (entries.len() == 200).then(|| entries.last().map(|e| e.record.seq)).flatten();
            render(&AuditPage { nav: nav(&c), entries: entries.into_iter().map(audit_out).collect(), next })
        }
        Err(e) => error_page(e.into()),
    }
}
