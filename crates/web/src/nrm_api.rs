//! JSON API of the referral mechanism: screening, legal profiles, agreements,
//! referrals, services, consent, best interests, decisions, person notes,
//! timeline, tips and timers.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use time::Date;
use vigia_domain::case::{format_date, parse_iso_date};
use vigia_domain::ids::{AgencyId, CaseId};
use vigia_domain::input::CaseInput;
use vigia_domain::nrm::Timers;
use vigia_domain::screening::LegalProfile;
use vigia_domain::taxonomy::{ConsentPurpose, DataCategory, DecisionKind, DecisionOutcome, ServiceKind};
use vigia_domain::FieldErrors;
use vigia_service::nrm::{PersonNotesView, ReferralView};

use crate::api::{parse_json, CaseOut, IdentityOut};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

fn field_err(field: &str, msg: impl Into<String>) -> ApiError {
    let mut f = FieldErrors::default();
    f.push(field, msg.into());
    ApiError::Invalid(f)
}

fn date(field: &str, s: &str) -> Result<Date, ApiError> {
    parse_iso_date(s).map_err(|_| field_err(field, "must be a date written YYYY-MM-DD"))
}

fn opt_date(field: &str, s: &Option<String>) -> Result<Option<Date>, ApiError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => date(field, s).map(Some),
    }
}

fn case_id(s: &str) -> Result<CaseId, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound)
}

fn agency_id(field: &str, s: &str) -> Result<AgencyId, ApiError> {
    s.parse().map_err(|_| field_err(field, "not an agency id"))
}

fn codes<T>(field: &str, raw: &[String], parse: fn(&str) -> Result<T, vigia_domain::taxonomy::UnknownCode>) -> Result<Vec<T>, ApiError> {
    raw.iter().enumerate().map(|(i, s)| parse(s).map_err(|e| field_err(&format!("{field}[{i}]"), e.to_string()))).collect()
}

fn csrf(c: &Caller, h: &HeaderMap) -> Result<(), ApiError> {
    c.check_csrf(h.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ScreeningOut {
    /// `meets_definition`, `presumed`, `insufficient_information` or `does_not_meet`.
    pub outcome: String,
    pub reasons: Vec<String>,
    pub profile: String,
    pub profile_version: u32,
}

impl From<vigia_domain::screening::Screening> for ScreeningOut {
    fn from(s: vigia_domain::screening::Screening) -> Self {
        Self { outcome: s.outcome.code().into(), reasons: s.reasons, profile: s.profile_code, profile_version: s.profile_version }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ProfileQuery {
    /// Legal profile code (default: `palermo`).
    pub profile: Option<String>,
}

/// Screen case facts against the legal definition (nothing is stored).
#[utoipa::path(post, path = "/api/v1/screen", request_body = CaseInput, params(ProfileQuery),
    responses((status = 200, body = ScreeningOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn screen(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Query(q): Query<ProfileQuery>, body: Bytes) -> Result<Json<ScreeningOut>, ApiError> {
    csrf(&caller, &headers)?;
    let input: CaseInput = parse_json(&headers, &body)?;
    let facts = input.screening_input(st.vigia.today()).map_err(ApiError::Invalid)?;
    Ok(Json(st.vigia.screen_facts(&facts, q.profile.as_deref()).await?.into()))
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ScreenCaseIn {
    pub profile: Option<String>,
    pub consent_given: Option<bool>,
}

/// Screen a stored case; the result joins its timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/screen", request_body = ScreenCaseIn, params(("id" = String, Path)), responses((status = 200, body = ScreeningOut)))]
pub async fn screen_case(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Json<ScreeningOut>, ApiError> {
    csrf(&caller, &headers)?;
    let input: ScreenCaseIn = if body.is_empty() { ScreenCaseIn::default() } else { parse_json(&headers, &body)? };
    Ok(Json(st.vigia.screen_case(&caller.actor, case_id(&id)?, input.profile.as_deref(), input.consent_given).await?.into()))
}

/// Legal profiles in force (latest versions).
#[utoipa::path(get, path = "/api/v1/legal-profiles", responses((status = 200, description = "profiles")))]
pub async fn legal_profiles(State(st): State<AppState>, _caller: Caller) -> Result<Json<Vec<LegalProfile>>, ApiError> {
    Ok(Json(st.vigia.legal_profiles().await?))
}

/// Save a legal profile as a new version (national coordinators).
#[utoipa::path(post, path = "/api/v1/legal-profiles", responses((status = 201, description = "the saved profile"), (status = 403), (status = 422)))]
pub async fn save_legal_profile(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let p: LegalProfile = parse_json(&headers, &body)?;
    Ok((StatusCode::CREATED, Json(st.vigia.save_legal_profile(&caller.actor, p).await?)))
}

/// Set the mechanism's timers for the coordinator's country.
#[utoipa::path(put, path = "/api/v1/timers", responses((status = 204), (status = 403)))]
pub async fn set_timers(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let t: Timers = parse_json(&headers, &body)?;
    st.vigia.set_timers(&caller.actor, t).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AgencyOut {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub subdivision: Option<String>,
}

/// All agencies (names and kinds are not personal data).
#[utoipa::path(get, path = "/api/v1/agencies", responses((status = 200, body = [AgencyOut])))]
pub async fn agencies(State(st): State<AppState>, _caller: Caller) -> Result<Json<Vec<AgencyOut>>, ApiError> {
    let list = st.vigia.store().list_agencies().await.map_err(|e| ApiError::from(vigia_service::ServiceError::from(e)))?;
    Ok(Json(
        list.into_iter()
            .map(|a| AgencyOut { id: a.id.to_string(), name: a.name, kind: a.kind.code().into(), country: a.country.code().into(), subdivision: a.subdivision.map(|s| s.code().into()) })
            .collect(),
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementIn {
    pub to_agency: String,
    /// `identity`, `contact`, `demographics`, `exploitation`, `route`, `wishes`.
    pub categories: Vec<String>,
    /// Services the receiver offers.
    #[serde(default)]
    pub services: Vec<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AgreementOut {
    pub id: String,
    pub from_agency: String,
    pub to_agency: String,
    pub categories: Vec<String>,
    pub services: Vec<String>,
    pub active: bool,
}

fn agreement_out(a: vigia_service::nrm::Agreement) -> AgreementOut {
    AgreementOut {
        id: a.id,
        from_agency: a.from_agency.to_string(),
        to_agency: a.to_agency.to_string(),
        categories: a.categories.iter().map(|c| c.code().into()).collect(),
        services: a.services.iter().map(|c| c.code().into()).collect(),
        active: a.active,
    }
}

/// Create a sharing agreement from the caller's agency (agency administrators).
#[utoipa::path(post, path = "/api/v1/agreements", request_body = AgreementIn, responses((status = 201, body = AgreementOut), (status = 403), (status = 422)))]
pub async fn create_agreement(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let a: AgreementIn = parse_json(&headers, &body)?;
    let to = agency_id("to_agency", &a.to_agency)?;
    let categories = codes("categories", &a.categories, DataCategory::parse)?;
    let services = codes("services", &a.services, ServiceKind::parse)?;
    Ok((StatusCode::CREATED, Json(agreement_out(st.vigia.create_agreement(&caller.actor, to, categories, services).await?))))
}

/// The caller's agency's agreements.
#[utoipa::path(get, path = "/api/v1/agreements", responses((status = 200, body = [AgreementOut])))]
pub async fn list_agreements(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<AgreementOut>>, ApiError> {
    Ok(Json(st.vigia.agreements_from(caller.actor.agency_id).await?.into_iter().map(agreement_out).collect()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralIn {
    pub to_agency: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ServiceOut {
    pub id: String,
    pub kind: String,
    pub started_on: String,
    pub ended_on: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReferralOut {
    pub id: String,
    pub case_id: String,
    pub from_agency: String,
    pub from_name: String,
    pub to_agency: String,
    pub to_name: String,
    pub status: String,
    pub services_requested: Vec<String>,
    pub sent_at: String,
    pub overdue: bool,
    pub note: Option<String>,
    pub decline_reason: Option<String>,
    pub services: Vec<ServiceOut>,
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

pub fn referral_out(v: ReferralView) -> ReferralOut {
    let r = v.referral;
    ReferralOut {
        id: r.id,
        case_id: r.case_id.to_string(),
        from_agency: r.from_agency.to_string(),
        from_name: v.from_name,
        to_agency: r.to_agency.to_string(),
        to_name: v.to_name,
        status: r.status.code().into(),
        services_requested: r.services.iter().map(|s| s.code().into()).collect(),
        sent_at: ms_to_rfc3339(r.sent_at_ms),
        overdue: v.overdue,
        note: v.note,
        decline_reason: v.decline_reason,
        services: v
            .services
            .into_iter()
            .map(|s| ServiceOut { id: s.id, kind: s.kind.code().into(), started_on: format_date(s.started_on), ended_on: s.ended_on.map(format_date) })
            .collect(),
    }
}

/// Refer a case to an agency with a sharing agreement.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", request_body = ReferralIn, params(("id" = String, Path)),
    responses((status = 201, body = ReferralOut), (status = 403), (status = 422, description = "refused: no agreement, no consent, no best-interests assessment")))]
pub async fn refer(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let r: ReferralIn = parse_json(&headers, &body)?;
    let to = agency_id("to_agency", &r.to_agency)?;
    let services = codes("services", &r.services, ServiceKind::parse)?;
    let created = st.vigia.refer(&caller.actor, case_id(&id)?, to, services, &r.note).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": created.id, "status": created.status.code() }))))
}

/// Referrals of one case (the recording agency).
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", params(("id" = String, Path)), responses((status = 200, body = [ReferralOut])))]
pub async fn case_referrals(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<ReferralOut>>, ApiError> {
    Ok(Json(st.vigia.case_referrals(&caller.actor, case_id(&id)?).await?.into_iter().map(referral_out).collect()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct Direction {
    /// `incoming` (default) or `outgoing`.
    pub direction: Option<String>,
}

/// Referrals received by (or sent by) the caller's agency, with overdue flags.
#[utoipa::path(get, path = "/api/v1/referrals", params(Direction), responses((status = 200, body = [ReferralOut])))]
pub async fn referrals(State(st): State<AppState>, caller: Caller, Query(d): Query<Direction>) -> Result<Json<Vec<ReferralOut>>, ApiError> {
    let incoming = d.direction.as_deref() != Some("outgoing");
    Ok(Json(st.vigia.referrals(&caller.actor, incoming).await?.into_iter().map(referral_out).collect()))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SharedCaseOut {
    pub referral_id: String,
    /// The categories the agreement opens: nothing else is in `case`.
    pub categories: Vec<String>,
    pub case: CaseOut,
    pub wishes: Option<String>,
    pub interpreter_needed: Option<bool>,
    pub language: Option<String>,
}

/// A referred case as the receiving agency may see it.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/case", params(("id" = String, Path)), responses((status = 200, body = SharedCaseOut), (status = 403)))]
pub async fn referred_case(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<SharedCaseOut>, ApiError> {
    let (r, shared) = st.vigia.referred_case(&caller.actor, &id).await?;
    Ok(Json(shared_out(r.id, shared)))
}

pub fn shared_out(referral_id: String, s: vigia_service::nrm::SharedCase) -> SharedCaseOut {
    let cats: Vec<String> = s.categories.iter().map(|c| c.code().into()).collect();
    let mut case = CaseOut::from(vigia_service::CaseView { case: s.case, identity: None, view: vigia_domain::policy::View::Deidentified });
    case.view = "shared".into();
    case.identity = s.identity.map(IdentityOut::from);
    if !s.categories.contains(&DataCategory::Demographics) {
        case.age_at_identification = None;
        case.age_bracket = None;
        case.sex = "withheld".into();
    }
    SharedCaseOut {
        referral_id,
        categories: cats,
        wishes: s.person.as_ref().and_then(|p| p.wishes.clone()),
        interpreter_needed: s.person.as_ref().map(|p| p.interpreter_needed),
        language: s.person.and_then(|p| p.language),
        case,
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    #[serde(default)]
    pub reason: String,
}

/// Accept a referral sent to the caller's agency.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", params(("id" = String, Path)), responses((status = 204), (status = 403), (status = 422)))]
pub async fn accept(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    st.vigia.answer_referral(&caller.actor, &id, true, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Decline a referral, with a reason.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decline", request_body = AnswerIn, params(("id" = String, Path)), responses((status = 204), (status = 403), (status = 422)))]
pub async fn decline(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let a: AnswerIn = parse_json(&headers, &body)?;
    st.vigia.answer_referral(&caller.actor, &id, false, &a.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Complete an accepted referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/complete", params(("id" = String, Path)), responses((status = 204), (status = 422)))]
pub async fn complete(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    st.vigia.complete_referral(&caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceIn {
    /// `shelter`, `medical`, `psychological`, `legal`, `interpretation`, `consular`, `asylum`, `return_reintegration`, `compensation`.
    pub kind: String,
    pub started_on: String,
    pub ended_on: Option<String>,
}

/// Record a service delivered under an accepted referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/services", request_body = ServiceIn, params(("id" = String, Path)), responses((status = 201), (status = 422)))]
pub async fn record_service(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let s: ServiceIn = parse_json(&headers, &body)?;
    let kind = ServiceKind::parse(&s.kind).map_err(|e| field_err("kind", e.to_string()))?;
    let started = date("started_on", &s.started_on)?;
    let ended = opt_date("ended_on", &s.ended_on)?;
    let rec = st.vigia.record_service(&caller.actor, &id, kind, started, ended).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": rec.id }))))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    /// `share_with_agency`, `statistics`, `contact`.
    pub purpose: String,
    /// For `share_with_agency`.
    pub agency_id: Option<String>,
    /// Language tag of the information given, e.g. `pt`.
    pub language: String,
    pub given_on: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ConsentOut {
    pub id: String,
    pub purpose: String,
    pub agency_id: Option<String>,
    pub language: String,
    pub given_on: String,
    pub withdrawn: bool,
}

/// Record informed consent for one purpose.
#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", request_body = ConsentIn, params(("id" = String, Path)), responses((status = 201), (status = 422)))]
pub async fn record_consent(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let c: ConsentIn = parse_json(&headers, &body)?;
    let purpose = ConsentPurpose::parse(&c.purpose).map_err(|e| field_err("purpose", e.to_string()))?;
    let agency = c.agency_id.as_deref().filter(|s| !s.is_empty()).map(|s| agency_id("agency_id", s)).transpose()?;
    let given = date("given_on", &c.given_on)?;
    let rec = st.vigia.record_consent(&caller.actor, case_id(&id)?, purpose, agency, &c.language, given).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": rec.id }))))
}

/// The consents of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/consents", params(("id" = String, Path)), responses((status = 200, body = [ConsentOut])))]
pub async fn consents(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<ConsentOut>>, ApiError> {
    let id = case_id(&id)?;
    // Same access as working on the case.
    st.vigia.case_referrals(&caller.actor, id).await?;
    Ok(Json(
        st.vigia
            .consents(id)
            .await?
            .into_iter()
            .map(|c| ConsentOut {
                id: c.id,
                purpose: c.purpose.code().into(),
                agency_id: c.agency_id.map(|a| a.to_string()),
                language: c.language,
                given_on: format_date(c.given_on),
                withdrawn: c.withdrawn_at_ms.is_some(),
            })
            .collect(),
    ))
}

/// Withdraw a consent: every later sharing it covered is blocked at once.
#[utoipa::path(post, path = "/api/v1/consents/{id}/withdraw", params(("id" = String, Path)), responses((status = 204)))]
pub async fn withdraw_consent(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    st.vigia.withdraw_consent(&caller.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BestInterestsIn {
    pub assessed_on: String,
    /// The assessing body.
    pub assessor: String,
}

/// Record a child's best-interests assessment.
#[utoipa::path(post, path = "/api/v1/cases/{id}/best-interests", request_body = BestInterestsIn, params(("id" = String, Path)), responses((status = 204), (status = 422)))]
pub async fn best_interests(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let b: BestInterestsIn = parse_json(&headers, &body)?;
    st.vigia.record_best_interests(&caller.actor, case_id(&id)?, date("assessed_on", &b.assessed_on)?, &b.assessor).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `reasonable_grounds` or `conclusive_grounds`.
    pub kind: String,
    /// `positive` or `negative`.
    pub outcome: String,
    pub decided_on: String,
    /// The competent body.
    pub body: String,
    pub reasons: String,
}

/// Record a formal identification decision.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decisions", request_body = DecisionIn, params(("id" = String, Path)), responses((status = 204), (status = 422)))]
pub async fn record_decision(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let d: DecisionIn = parse_json(&headers, &body)?;
    let kind = DecisionKind::parse(&d.kind).map_err(|e| field_err("kind", e.to_string()))?;
    let outcome = DecisionOutcome::parse(&d.outcome).map_err(|e| field_err("outcome", e.to_string()))?;
    st.vigia.record_decision(&caller.actor, case_id(&id)?, kind, outcome, date("decided_on", &d.decided_on)?, &d.body, &d.reasons).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    #[serde(default)]
    pub interpreter_needed: bool,
    pub language: Option<String>,
    pub wishes: Option<String>,
    pub child_protection_informed_on: Option<String>,
}

/// Record the person's wishes, language and interpreter needs.
#[utoipa::path(put, path = "/api/v1/cases/{id}/person", request_body = PersonIn, params(("id" = String, Path)), responses((status = 204), (status = 422)))]
pub async fn set_person(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let p: PersonIn = parse_json(&headers, &body)?;
    let v = PersonNotesView {
        interpreter_needed: p.interpreter_needed,
        language: p.language,
        wishes: p.wishes,
        child_protection_informed_on: opt_date("child_protection_informed_on", &p.child_protection_informed_on)?,
    };
    st.vigia.set_person_notes(&caller.actor, case_id(&id)?, &v).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TimelineOut {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Every event of a case in order, with who and when.
#[utoipa::path(get, path = "/api/v1/cases/{id}/timeline", params(("id" = String, Path)), responses((status = 200, body = [TimelineOut])))]
pub async fn timeline(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Vec<TimelineOut>>, ApiError> {
    Ok(Json(
        st.vigia.timeline(&caller.actor, case_id(&id)?).await?.into_iter().map(|t| TimelineOut { at: ms_to_rfc3339(t.at_ms), who: t.who, what: t.what }).collect(),
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TipIn {
    pub text: String,
    #[serde(default)]
    pub contact: String,
    pub country: Option<String>,
}

/// A hotline system posts a tip to the caller's (hotline) agency. The answer never says whether it matched anything.
#[utoipa::path(post, path = "/api/v1/tips", request_body = TipIn, responses((status = 202), (status = 422)))]
pub async fn post_tip(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    let t: TipIn = parse_json(&headers, &body)?;
    if caller.actor.role != vigia_domain::taxonomy::Role::Caseworker && caller.actor.role != vigia_domain::taxonomy::Role::AgencyAdmin {
        return Err(ApiError::Forbidden("tips are posted by a hotline's staff or system account"));
    }
    st.vigia.submit_tip(caller.actor.agency_id, &t.text, &t.contact, t.country, "api").await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "status": "received" }))))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TipOut {
    pub id: String,
    pub received_at: String,
    pub text: String,
    pub contact: String,
    pub country: Option<String>,
    pub source: String,
    pub status: String,
    pub case_id: Option<String>,
}

/// Tips received by the caller's agency.
#[utoipa::path(get, path = "/api/v1/tips", responses((status = 200, body = [TipOut]), (status = 403)))]
pub async fn list_tips(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<TipOut>>, ApiError> {
    Ok(Json(
        st.vigia
            .tips(&caller.actor)
            .await?
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
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TriageIn {
    /// The case recorded from this tip; absent to close the tip.
    pub case_id: Option<String>,
}

/// Triage a tip: close it, or link the case recorded from it.
#[utoipa::path(post, path = "/api/v1/tips/{id}/triage", request_body = TriageIn, params(("id" = String, Path)), responses((status = 204), (status = 403)))]
pub async fn triage_tip(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let t: TriageIn = if body.is_empty() { TriageIn::default() } else { parse_json(&headers, &body)? };
    let case = t.case_id.as_deref().map(case_id).transpose()?;
    st.vigia.triage_tip(&caller.actor, &id, case).await?;
    Ok(StatusCode::NO_CONTENT)
}
