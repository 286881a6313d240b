//! Pages of the referral mechanism: the case page with screening, decisions,
//! the person's voice, consent and referrals; the timeline; the referral
//! inbox; the receiver's view; agreements; legal profiles; hotline tips.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use vigia_domain::case::{format_date, parse_iso_date};
use vigia_domain::ids::{AgencyId, CaseId};
use vigia_domain::policy::{authorize, Action, Resource};
use vigia_domain::screening::{LegalProfile, Outcome};
use vigia_domain::taxonomy::{ConsentPurpose, DataCategory, DecisionKind, DecisionOutcome, ExploitationKind, Role, ServiceKind};
use vigia_service::nrm::PersonNotesView;

use crate::api::CaseOut;
use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::nrm_api::{ms_to_rfc3339, referral_out, shared_out, ReferralOut, SharedCaseOut, TimelineOut, TipOut};
use crate::pages::{error_page, field, fields, form_pairs, nav, render, Nav};
use crate::AppState;

pub struct ScreeningBox {
    outcome: String,
    label: String,
    reasons: Vec<String>,
    profile: String,
    version: u32,
}

pub struct ConsentLine {
    id: String,
    text: String,
    active: bool,
    agency: String,
}

/// What the recording agency sees beyond the facts.
pub struct CaseExtra {
    csrf: String,
    today: String,
    screening: Option<ScreeningBox>,
    profiles: Vec<(String, String)>,
    default_profile: String,
    path_stage: String,
    rg_due: Option<String>,
    cg_due: Option<String>,
    reflection_ends: Option<String>,
    path_overdue: Vec<String>,
    decisions: Vec<String>,
    interpreter_needed: bool,
    language: String,
    wishes: String,
    cp_informed: String,
    consents: Vec<ConsentLine>,
    bia: Vec<String>,
    agencies: Vec<(String, String)>,
    referrals: Vec<ReferralOut>,
    partners: Vec<(String, String)>,
    service_kinds: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Option<Nav>,
    c: CaseOut,
    error: Option<String>,
    notice: Option<String>,
    extra: Option<CaseExtra>,
}

fn outcome_label(code: &str) -> String {
    [Outcome::MeetsDefinition, Outcome::Presumed, Outcome::InsufficientInformation, Outcome::DoesNotMeet]
        .iter()
        .find(|o| o.code() == code)
        .map_or(code.to_string(), |o| o.label().to_string())
}

async fn case_extra(st: &AppState, c: &Caller, id: CaseId) -> Result<Option<CaseExtra>, ApiError> {
    let v = &st.vigia;
    let Some(sc) = v.store().get_case(id).await.map_err(|e| ApiError::from(vigia_service::ServiceError::from(e)))? else { return Ok(None) };
    if !authorize(&c.actor, Action::WorkOnCase, &Resource::Case { agency_id: sc.case.agency_id, country: sc.country }).is_allowed() {
        return Ok(None);
    }
    let screening = v.screenings(id).await?.pop().map(|s| ScreeningBox {
        label: outcome_label(&s.outcome),
        outcome: s.outcome,
        reasons: s.reasons,
        profile: s.profile_code,
        version: s.profile_version,
    });
    let profiles = v.legal_profiles().await?.into_iter().map(|p| (p.code.clone(), format!("{} (v{})", p.name, p.version))).collect();
    let path = v.decision_path(&sc).await?;
    let decisions = v
        .decisions(id)
        .await?
        .into_iter()
        .map(|(d, reasons)| format!("{} {}: {} on {} by {}: {}", d.kind.label(), "decision", d.outcome.label(), format_date(d.decided_on), d.body, reasons.unwrap_or_default()))
        .collect();
    let person = v.person_notes(id).await?;
    let agencies_all = v.store().list_agencies().await.map_err(|e| ApiError::from(vigia_service::ServiceError::from(e)))?;
    let name_of = |a: Option<AgencyId>| a.and_then(|a| agencies_all.iter().find(|x| x.id == a)).map(|x| x.name.clone()).unwrap_or_default();
    let consents = v
        .consents(id)
        .await?
        .into_iter()
        .map(|k| ConsentLine {
            text: format!(
                "{}{} — given {} (information in {})",
                k.purpose.label(),
                if k.agency_id.is_some() { format!(": {}", name_of(k.agency_id)) } else { String::new() },
                format_date(k.given_on),
                k.language
            ),
            active: k.withdrawn_at_ms.is_none(),
            agency: k.agency_id.map(|a| a.to_string()).unwrap_or_default(),
            id: k.id,
        })
        .collect();
    let bia = v.best_interests(id).await?.into_iter().map(|b| format!("{} by {}", format_date(b.assessed_on), b.assessor)).collect();
    let referrals = v.case_referrals(&c.actor, id).await?.into_iter().map(referral_out).collect();
    let partners = v.referral_partners(&c.actor).await?.into_iter().map(|(_, a)| (a.id.to_string(), format!("{} ({})", a.name, a.kind.label()))).collect();
    Ok(Some(CaseExtra {
        csrf: c.csrf().to_string(),
        today: format_date(v.today()),
        screening,
        profiles,
        default_profile: v.default_profile_for(sc.country.code()).await?,
        path_stage: path.stage.to_string(),
        rg_due: path.reasonable_grounds_due.map(format_date),
        cg_due: path.conclusive_grounds_due.map(format_date),
        reflection_ends: path.reflection_ends.map(format_date),
        path_overdue: path.overdue.iter().map(|s| s.to_string()).collect(),
        decisions,
        interpreter_needed: person.interpreter_needed,
        language: person.language.unwrap_or_default(),
        wishes: person.wishes.unwrap_or_default(),
        cp_informed: person.child_protection_informed_on.map(format_date).unwrap_or_default(),
        consents,
        bia,
        agencies: agencies_all.iter().filter(|a| a.id != c.actor.agency_id).map(|a| (a.id.to_string(), a.name.clone())).collect(),
        referrals,
        partners,
        service_kinds: ServiceKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
    }))
}

async fn render_case(st: &AppState, c: &Caller, id: CaseId, error: Option<String>, notice: Option<String>) -> Response {
    let view = match st.vigia.get_case(&c.actor, id).await {
        Ok(v) => v,
        Err(e) => return error_page(e.into()),
    };
    let extra = match case_extra(st, c, id).await {
        Ok(x) => x,
        Err(e) => return error_page(e),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&CasePage { nav: nav(c), c: CaseOut::from(view), error, notice, extra });
    *r.status_mut() = status;
    r
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn case_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, axum::extract::Query(q): axum::extract::Query<Done>) -> Response {
    let Ok(id) = id.parse::<CaseId>() else { return error_page(ApiError::NotFound) };
    let notice = q.done.as_deref().and_then(|d| match d {
        "screened" => Some("Screening done: see the outcome and its reasons."),
        "referred" => Some("Referral sent."),
        "consent" => Some("Consent recorded."),
        "withdrawn" => Some("Consent withdrawn: sharing it covered is blocked from now on."),
        "assessed" => Some("Best-interests assessment recorded."),
        "decided" => Some("Decision recorded."),
        "saved" => Some("Saved."),
        _ => None,
    });
    render_case(&st, &c, id, None, notice.map(String::from)).await
}

/// Run an action from a form on the case page, then show the page again.
async fn case_action<F, Fut>(st: AppState, c: Caller, id: String, body: Bytes, notice: &str, f: F) -> Response
where
    F: FnOnce(AppState, Caller, CaseId, Vec<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = Result<(), ApiError>>,
{
    let Ok(id) = id.parse::<CaseId>() else { return error_page(ApiError::NotFound) };
    let pairs = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&pairs, "csrf"))) {
        return error_page(e);
    }
    match f(st.clone(), c.clone(), id, pairs).await {
        Ok(()) => Redirect::to(&format!("/cases/{id}?done={}", notice)).into_response(),
        Err(ApiError::Forbidden(r)) => error_page(ApiError::Forbidden(r)),
        Err(ApiError::NotFound) => error_page(ApiError::NotFound),
        Err(ApiError::Refused(m)) => render_case(&st, &c, id, Some(m), None).await,
        Err(ApiError::Invalid(f)) => render_case(&st, &c, id, Some(format!("Nothing was saved: {f}")), None).await,
        Err(e) => error_page(e),
    }
}

fn date_field(pairs: &[(String, String)], name: &str) -> Result<time::Date, ApiError> {
    parse_iso_date(field(pairs, name)).map_err(|_| {
        let mut f = vigia_domain::FieldErrors::default();
        f.push(name, "must be a date written YYYY-MM-DD");
        ApiError::Invalid(f)
    })
}

fn bad(name: &str, msg: impl std::fmt::Display) -> ApiError {
    let mut f = vigia_domain::FieldErrors::default();
    f.push(name, msg.to_string());
    ApiError::Invalid(f)
}

pub async fn screen_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "screened", |st, c, id, p| async move {
        let profile = field(&p, "profile").to_string();
        st.vigia.screen_case(&c.actor, id, Some(profile.as_str()).filter(|s| !s.is_empty()), None).await?;
        Ok(())
    })
    .await
}

pub async fn refer_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "referred", |st, c, id, p| async move {
        let to: AgencyId = field(&p, "to_agency").parse().map_err(|_| bad("to_agency", "choose an agency"))?;
        let services = fields(&p, "services").into_iter().map(ServiceKind::parse).collect::<Result<Vec<_>, _>>().map_err(|e| bad("services", e))?;
        st.vigia.refer(&c.actor, id, to, services, field(&p, "note")).await?;
        Ok(())
    })
    .await
}

pub async fn consent_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "consent", |st, c, id, p| async move {
        let purpose = ConsentPurpose::parse(field(&p, "purpose")).map_err(|e| bad("purpose", e))?;
        let agency = match field(&p, "agency_id") {
            "" => None,
            s => Some(s.parse::<AgencyId>().map_err(|_| bad("agency_id", "choose an agency"))?),
        };
        st.vigia.record_consent(&c.actor, id, purpose, agency, field(&p, "language"), date_field(&p, "given_on")?).await?;
        Ok(())
    })
    .await
}

pub async fn withdraw_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(consent): Path<String>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let case = field(&pairs, "case").to_string();
    case_action(st, c, case, body, "withdrawn", |st, c, _id, _p| async move {
        st.vigia.withdraw_consent(&c.actor, &consent).await?;
        Ok(())
    })
    .await
}

pub async fn bia_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "assessed", |st, c, id, p| async move {
        st.vigia.record_best_interests(&c.actor, id, date_field(&p, "assessed_on")?, field(&p, "assessor")).await?;
        Ok(())
    })
    .await
}

pub async fn decision_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "decided", |st, c, id, p| async move {
        let kind = DecisionKind::parse(field(&p, "kind")).map_err(|e| bad("kind", e))?;
        let outcome = DecisionOutcome::parse(field(&p, "outcome")).map_err(|e| bad("outcome", e))?;
        st.vigia.record_decision(&c.actor, id, kind, outcome, date_field(&p, "decided_on")?, field(&p, "body"), field(&p, "reasons")).await?;
        Ok(())
    })
    .await
}

pub async fn person_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    case_action(st, c, id, body, "saved", |st, c, id, p| async move {
        let cp = match field(&p, "child_protection_informed_on") {
            "" => None,
            _ => Some(date_field(&p, "child_protection_informed_on")?),
        };
        let v = PersonNotesView {
            interpreter_needed: !field(&p, "interpreter_needed").is_empty(),
            language: Some(field(&p, "language").to_string()),
            wishes: Some(field(&p, "wishes").to_string()),
            child_protection_informed_on: cp,
        };
        st.vigia.set_person_notes(&c.actor, id, &v).await?;
        Ok(())
    })
    .await
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    nav: Option<Nav>,
    case_id: String,
    entries: Vec<TimelineOut>,
}

pub async fn timeline_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>) -> Response {
    let Ok(cid) = id.parse::<CaseId>() else { return error_page(ApiError::NotFound) };
    match st.vigia.timeline(&c.actor, cid).await {
        Ok(t) => render(&TimelinePage {
            nav: nav(&c),
            case_id: id,
            entries: t.into_iter().map(|t| TimelineOut { at: ms_to_rfc3339(t.at_ms), who: t.who, what: t.what }).collect(),
        }),
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralsPage {
    nav: Option<Nav>,
    incoming: Vec<ReferralOut>,
    outgoing: Vec<ReferralOut>,
}

pub async fn referrals_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    let incoming = match st.vigia.referrals(&c.actor, true).await {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    let outgoing = match st.vigia.referrals(&c.actor, false).await {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    render(&ReferralsPage { nav: nav(&c), incoming: incoming.into_iter().map(referral_out).collect(), outgoing: outgoing.into_iter().map(referral_out).collect() })
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    nav: Option<Nav>,
    csrf: String,
    today: String,
    error: Option<String>,
    r: ReferralOut,
    s: SharedCaseOut,
    service_kinds: Vec<(&'static str, &'static str)>,
}

async fn render_referral(st: &AppState, c: &Caller, id: &str, error: Option<String>) -> Response {
    let (r, shared) = match st.vigia.referred_case(&c.actor, id).await {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    let view = match st.vigia.referrals(&c.actor, true).await {
        Ok(list) => list.into_iter().find(|v| v.referral.id == r.id),
        Err(e) => return error_page(e.into()),
    };
    let Some(view) = view else { return error_page(ApiError::NotFound) };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut resp = render(&ReferralPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        today: format_date(st.vigia.today()),
        error,
        s: shared_out(r.id.clone(), shared),
        r: referral_out(view),
        service_kinds: ServiceKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
    });
    *resp.status_mut() = status;
    resp
}

pub async fn referral_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>) -> Response {
    render_referral(&st, &c, &id, None).await
}

pub async fn referral_action(State(st): State<AppState>, PageCaller(c): PageCaller, Path((id, action)): Path<(String, String)>, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let r: Result<(), ApiError> = async {
        match action.as_str() {
            "accept" => st.vigia.answer_referral(&c.actor, &id, true, "").await?,
            "decline" => st.vigia.answer_referral(&c.actor, &id, false, field(&p, "reason")).await?,
            "complete" => st.vigia.complete_referral(&c.actor, &id).await?,
            "service" => {
                let kind = ServiceKind::parse(field(&p, "kind")).map_err(|e| bad("kind", e))?;
                let ended = match field(&p, "ended_on") {
                    "" => None,
                    _ => Some(date_field(&p, "ended_on")?),
                };
                st.vigia.record_service(&c.actor, &id, kind, date_field(&p, "started_on")?, ended).await?;
            }
            _ => return Err(ApiError::NotFound),
        }
        Ok(())
    }
    .await;
    match r {
        Ok(()) if action == "decline" => Redirect::to("/referrals").into_response(),
        Ok(()) => Redirect::to(&format!("/referrals/{id}")).into_response(),
        Err(ApiError::Invalid(f)) => render_referral(&st, &c, &id, Some(format!("Nothing was saved: {f}"))).await,
        Err(ApiError::Refused(m)) => render_referral(&st, &c, &id, Some(m)).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    can_edit: bool,
    agreements: Vec<(String, String, String, String)>,
    agencies: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    services: Vec<(&'static str, &'static str)>,
}

async fn render_agreements(st: &AppState, c: &Caller, error: Option<String>) -> Response {
    let all = match st.vigia.store().list_agencies().await {
        Ok(a) => a,
        Err(e) => return error_page(ApiError::from(vigia_service::ServiceError::from(e))),
    };
    let list = match st.vigia.agreements_from(c.actor.agency_id).await {
        Ok(l) => l,
        Err(e) => return error_page(e.into()),
    };
    let name = |id: AgencyId| all.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default();
    let can_edit = authorize(&c.actor, Action::ManageAgreements, &Resource::Agency { agency_id: c.actor.agency_id, country: c.actor.country }).is_allowed();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&AgreementsPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        error,
        can_edit,
        agreements: list
            .into_iter()
            .map(|a| {
                (
                    name(a.to_agency),
                    a.categories.iter().map(|x| x.label()).collect::<Vec<_>>().join("; "),
                    a.services.iter().map(|x| x.label()).collect::<Vec<_>>().join("; "),
                    if a.active { "in force".into() } else { "replaced".into() },
                )
            })
            .collect(),
        agencies: all.iter().filter(|a| a.id != c.actor.agency_id).map(|a| (a.id.to_string(), format!("{} ({}, {})", a.name, a.kind.label(), a.country.code()))).collect(),
        categories: DataCategory::ALL.iter().map(|x| (x.code(), x.label())).collect(),
        services: ServiceKind::ALL.iter().map(|x| (x.code(), x.label())).collect(),
    });
    *r.status_mut() = status;
    r
}

pub async fn agreements_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    if !matches!(c.actor.role, Role::Caseworker | Role::AgencyAdmin) {
        return error_page(ApiError::Forbidden("sharing agreements belong to agencies"));
    }
    render_agreements(&st, &c, None).await
}

pub async fn agreements_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let r: Result<(), ApiError> = async {
        let to: AgencyId = field(&p, "to_agency").parse().map_err(|_| bad("to_agency", "choose an agency"))?;
        let cats = fields(&p, "categories").into_iter().map(DataCategory::parse).collect::<Result<Vec<_>, _>>().map_err(|e| bad("categories", e))?;
        let svcs = fields(&p, "services").into_iter().map(ServiceKind::parse).collect::<Result<Vec<_>, _>>().map_err(|e| bad("services", e))?;
        st.vigia.create_agreement(&c.actor, to, cats, svcs).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/agreements").into_response(),
        Err(ApiError::Invalid(f)) => render_agreements(&st, &c, Some(format!("Nothing was saved: {f}"))).await,
        Err(e) => error_page(e),
    }
}

pub struct ProfileRow {
    code: String,
    version: u32,
    name: String,
    country: Option<String>,
    means_required_for_adults: String,
    age_of_majority: u8,
    forms: String,
}

#[derive(Template)]
#[template(path = "profiles.html")]
struct ProfilesPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    can_edit: bool,
    profiles: Vec<ProfileRow>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn render_profiles(st: &AppState, c: &Caller, error: Option<String>) -> Response {
    let profiles = match st.vigia.legal_profiles().await {
        Ok(p) => p,
        Err(e) => return error_page(e.into()),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&ProfilesPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        error,
        can_edit: c.actor.role == Role::Coordinator,
        profiles: profiles
            .into_iter()
            .map(|p| ProfileRow {
                forms: p.criminalised.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
                code: p.code,
                version: p.version,
                name: p.name,
                country: p.country,
                means_required_for_adults: if p.means_required_for_adults { "yes".into() } else { "no".into() },
                age_of_majority: p.age_of_majority,
            })
            .collect(),
        kinds: ExploitationKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
    });
    *r.status_mut() = status;
    r
}

pub async fn profiles_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    render_profiles(&st, &c, None).await
}

pub async fn profiles_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let r: Result<(), ApiError> = async {
        let criminalised = fields(&p, "criminalised").into_iter().map(ExploitationKind::parse).collect::<Result<Vec<_>, _>>().map_err(|e| bad("criminalised", e))?;
        let profile = LegalProfile {
            code: field(&p, "code").trim().to_string(),
            version: 1,
            name: field(&p, "name").trim().to_string(),
            country: Some(field(&p, "country").trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
            criminalised,
            means_required_for_adults: !field(&p, "means_required_for_adults").is_empty(),
            age_of_majority: field(&p, "age_of_majority").parse().map_err(|_| bad("age_of_majority", "a whole number"))?,
            other_forms_may_qualify: true,
            source: field(&p, "source").to_string(),
        };
        st.vigia.save_legal_profile(&c.actor, profile).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/legal-profiles").into_response(),
        Err(ApiError::Invalid(f)) => render_profiles(&st, &c, Some(format!("Nothing was saved: {f}"))).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "tip_form.html")]
struct TipForm {
    nav: Option<Nav>,
    sent: bool,
    error: Option<String>,
}

pub async fn tip_form() -> Response {
    render(&TipForm { nav: None, sent: false, error: None })
}

/// The public tip form. The answer is the same whatever the tip says.
pub async fn tip_post(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    let ip = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()).unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return error_page(ApiError::BadRequest("the report is too long".into()));
    };
    if st.tip_limiter.check_key(&ip).is_err() {
        let mut r = render(&TipForm { nav: None, sent: false, error: Some("Too many reports from your connection in a short time. Please wait a minute and try again.".into()) });
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return r;
    }
    let p = form_pairs(&body);
    let agency = match st.vigia.tips_agency().await {
        Ok(Some(a)) => a.id,
        Ok(None) => return error_page(ApiError::Refused("No hotline receives reports on this server yet.".into())),
        Err(e) => return error_page(e.into()),
    };
    let country = Some(field(&p, "country").to_string()).filter(|s| !s.trim().is_empty());
    match st.vigia.submit_tip(agency, field(&p, "text"), field(&p, "contact"), country, "web").await {
        Ok(()) => render(&TipForm { nav: None, sent: true, error: None }),
        Err(vigia_service::ServiceError::Invalid(f)) => {
            let mut r = render(&TipForm { nav: None, sent: false, error: Some(format!("Please check: {f}")) });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "tips.html")]
struct TipsPage {
    nav: Option<Nav>,
    csrf: String,
    tips: Vec<TipOut>,
}

pub async fn tips_inbox(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    match st.vigia.tips(&c.actor).await {
        Ok(t) => render(&TipsPage {
            nav: nav(&c),
            csrf: c.csrf().to_string(),
            tips: t
                .into_iter()
                .map(|(t, text, contact)| TipOut {
                    id: t.id,
                    received_at: ms_to_rfc3339(t.received_at_ms),
                    text,
                    contact,
                    country: t.country,
                    source: t.source,
                    status: t.status.code().into(),
                    case_id: t.case_id.map(|c| c.to_string()),
                })
                .collect(),
        }),
        Err(e) => error_page(e.into()),
    }
}

pub async fn tip_triage(State(st): State<AppState>, PageCaller(c): PageCaller, Path((id, action)): Path<(String, String)>, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let case = match action.as_str() {
        "close" => None,
        "convert" => match field(&p, "case_id").trim().parse::<CaseId>() {
            Ok(c) => Some(c),
            Err(_) => return error_page(bad("case_id", "not a case id")),
        },
        _ => return error_page(ApiError::NotFound),
    };
    match st.vigia.triage_tip(&c.actor, &id, case).await {
        Ok(()) => Redirect::to("/tips/inbox").into_response(),
        Err(e) => error_page(e.into()),
    }
}
