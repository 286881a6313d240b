//! The JSON API under `/api/v1`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use utoipa::OpenApi;
use vigia_domain::case::{format_date, AgeInfo, Identity};
use vigia_domain::ids::CaseId;
use vigia_domain::input::{CaseInput, IdentityInput, PlaceInput};
use vigia_domain::FieldErrors;
use vigia_service::CaseView;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigia API", version = "1", description = "Cases of presumed trafficked persons, access-controlled and audited."),
    paths(create_case, list_cases, get_case, audit_entries, me,
        crate::nrm_api::screen, crate::nrm_api::screen_case, crate::nrm_api::legal_profiles, crate::nrm_api::save_legal_profile,
        crate::nrm_api::set_timers, crate::nrm_api::agencies, crate::nrm_api::create_agreement, crate::nrm_api::list_agreements,
        crate::nrm_api::refer, crate::nrm_api::case_referrals, crate::nrm_api::referrals, crate::nrm_api::referred_case,
        crate::nrm_api::accept, crate::nrm_api::decline, crate::nrm_api::complete, crate::nrm_api::record_service,
        crate::nrm_api::record_consent, crate::nrm_api::consents, crate::nrm_api::withdraw_consent, crate::nrm_api::best_interests,
        crate::nrm_api::record_decision, crate::nrm_api::set_person, crate::nrm_api::timeline, crate::nrm_api::post_tip,
        crate::nrm_api::list_tips, crate::nrm_api::triage_tip,
        crate::estimates_api::indicators, crate::estimates_api::population, crate::estimates_api::import_population,
        crate::estimates_api::run_estimate, crate::estimates_api::list_estimates, crate::estimates_api::get_estimate, crate::estimates_api::rerun_estimate,
        crate::national_api::run, crate::national_api::latest, crate::national_api::persons, crate::national_api::review_pairs,
        crate::national_api::decide, crate::national_api::counts, crate::national_api::get_setting, crate::national_api::put_setting,
        crate::rounds_api::templates, crate::rounds_api::create_questionnaire, crate::rounds_api::list_questionnaires,
        crate::rounds_api::open_round, crate::rounds_api::list_rounds, crate::rounds_api::dashboard, crate::rounds_api::close,
        crate::rounds_api::compulsory, crate::rounds_api::remind, crate::rounds_api::extend, crate::rounds_api::review,
        crate::rounds_api::decide, crate::rounds_api::inbox, crate::rounds_api::my_submission, crate::rounds_api::save_draft,
        crate::rounds_api::submit, crate::rounds_api::amend, crate::rounds_api::prefill,
        crate::import_web::import_api, crate::import_web::export_api, crate::import_web::mappings_api, crate::import_web::save_mapping_api,
        crate::maps::corridors_api, crate::maps::places_api, crate::maps::search_api, crate::maps::reverse_api,
        crate::plans_web::list_api, crate::plans_web::create_api, crate::plans_web::get_api, crate::plans_web::add_activity_api,
        crate::plans_web::add_indicator_api, crate::plans_web::assess_api, crate::plans_web::progress_api, crate::plans_web::value_api,
        crate::plans_web::monitors_api, crate::plans_web::csv_api, crate::plans_web::xlsx_api, crate::plans_web::report_api,
        crate::knowledge_web::frameworks_api, crate::knowledge_web::framework_api, crate::knowledge_web::save_framework_api,
        crate::knowledge_web::compare_api, crate::knowledge_web::entries_api, crate::knowledge_web::save_entry_api,
        crate::knowledge_web::directory_api, crate::knowledge_web::save_focal_api),
    components(schemas(CaseInput, IdentityInput, PlaceInput, CaseOut, IdentityOut, PlaceOut, CaseList, Created, AuditEntryOut, MeOut, ErrorOut)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        c.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))));
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// An error answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorOut {
    pub error: String,
    /// For 422: each invalid field and why.
    pub fields: Option<Vec<FieldOut>>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FieldOut {
    pub field: String,
    pub message: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IdentityOut {
    pub given_names: Option<String>,
    pub family_names: Option<String>,
    pub date_of_birth: Option<String>,
    pub document_numbers: Vec<String>,
    pub contact: Option<String>,
}

impl From<Identity> for IdentityOut {
    fn from(i: Identity) -> Self {
        Self {
            given_names: i.given_names,
            family_names: i.family_names,
            date_of_birth: i.date_of_birth.map(format_date),
            document_numbers: i.document_numbers,
            contact: i.contact,
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlaceOut {
    pub country: String,
    pub subdivision: Option<String>,
    pub municipality: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A case as the caller may see it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CaseOut {
    pub id: String,
    pub agency_id: String,
    pub created_at: String,
    pub external_ref: Option<String>,
    /// `full` or `deidentified` (identity withheld).
    pub view: String,
    /// Present only in the full view.
    pub identity: Option<IdentityOut>,
    pub sex: String,
    pub age_at_identification: Option<u8>,
    pub age_bracket: Option<String>,
    pub minor: Option<bool>,
    pub citizenship: Option<String>,
    pub acts: Vec<String>,
    pub means: Vec<String>,
    pub exploitation: Vec<String>,
    pub recruitment: Option<String>,
    pub recruiter_relation: Option<String>,
    pub identified_on: String,
    pub status: String,
    pub route: Vec<PlaceOut>,
}

impl From<CaseView> for CaseOut {
    fn from(v: CaseView) -> Self {
        let c = v.case;
        let f = c.facts;
        let minor = f.age.and_then(|a| a.is_minor(18));
        Self {
            id: c.id.to_string(),
            agency_id: c.agency_id.to_string(),
            created_at: c.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            external_ref: c.external_ref,
            view: match v.view {
                vigia_domain::policy::View::Full => "full".into(),
                vigia_domain::policy::View::Deidentified => "deidentified".into(),
            },
            identity: v.identity.map(IdentityOut::from),
            sex: f.sex.code().into(),
            age_at_identification: f.age.and_then(|a| match a {
                AgeInfo::Exact(a) => Some(a.years()),
                AgeInfo::Bracket(_) => None,
            }),
            age_bracket: f.age.map(|a| a.bracket().code().to_string()),
            minor,
            citizenship: f.citizenship.map(|c| c.code().to_string()),
            acts: f.acts.iter().map(|a| a.code().to_string()).collect(),
            means: f.means.iter().map(|a| a.code().to_string()).collect(),
            exploitation: f.exploitation.iter().map(|a| a.code()).collect(),
            recruitment: f.recruitment.map(|r| r.code().to_string()),
            recruiter_relation: f.recruiter_relation.map(|r| r.code().to_string()),
            identified_on: format_date(f.identified_on),
            status: f.status.code().into(),
            route: f
                .route
                .into_iter()
                .map(|p| PlaceOut {
                    country: p.country.code().to_string(),
                    subdivision: p.subdivision.map(|s| s.code().to_string()),
                    municipality: p.municipality,
                    lat: p.coordinates.map(|c| c.lat()),
                    lon: p.coordinates.map(|c| c.lon()),
                })
                .collect(),
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub total: i64,
    pub items: Vec<CaseOut>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct Page {
    /// 1–500, default 50.
    pub limit: Option<i64>,
    /// Default 0.
    pub offset: Option<i64>,
}

/// Fields whose values are identifying: their parse messages are not echoed.
fn is_identifying_path(path: &str) -> bool {
    path.starts_with("identity")
}

/// Parse a JSON body, naming the field at fault and never echoing an identifying value.
pub fn parse_json<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.starts_with("application/json") {
        return Err(ApiError::UnsupportedMediaType);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::BadRequest(format!("malformed JSON at line {} column {}", inner.line(), inner.column()))
            }
            Category::Data => {
                let mut f = FieldErrors::default();
                let field = if path == "." { "body".to_string() } else { path };
                let msg = if is_identifying_path(&field) {
                    "has the wrong type".to_string()
                } else {
                    // serde's message names the expected type or the unknown field; drop its position suffix.
                    let m = inner.to_string();
                    m.split(" at line ").next().unwrap_or(&m).to_string()
                };
                f.push(field, msg);
                ApiError::Invalid(f)
            }
        }
    })
}

/// Record a case for the caller's agency.
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseInput,
    responses((status = 201, body = Created), (status = 400, body = ErrorOut), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut), (status = 422, body = ErrorOut)))]
pub async fn create_case(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    caller.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))?;
    let input: CaseInput = parse_json(&headers, &body)?;
    let new = input.parse(st.vigia.today()).map_err(ApiError::Invalid)?;
    let id = st.vigia.create_case(&caller.actor, &new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/cases/{id}"))], Json(Created { id: id.to_string() })))
}

/// The cases the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/cases", params(Page),
    responses((status = 200, body = CaseList), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut)))]
pub async fn list_cases(State(st): State<AppState>, caller: Caller, Query(p): Query<Page>) -> Result<Json<CaseList>, ApiError> {
    let (total, items) = st.vigia.list_cases(&caller.actor, p.limit.unwrap_or(50), p.offset.unwrap_or(0)).await?;
    Ok(Json(CaseList { total, items: items.into_iter().map(CaseOut::from).collect() }))
}

/// One case, if the caller may see it (identity only in the full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseOut), (status = 401, body = ErrorOut), (status = 403, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub async fn get_case(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<CaseOut>, ApiError> {
    let id: CaseId = id.parse().map_err(|_| ApiError::NotFound)?;
    Ok(Json(CaseOut::from(st.vigia.get_case(&caller.actor, id).await?)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    pub mac: String,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct AuditPage {
    /// Entries after this sequence number.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// The audit log (auditors only).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditPage),
    responses((status = 200, body = [AuditEntryOut]), (status = 403, body = ErrorOut)))]
pub async fn audit_entries(State(st): State<AppState>, caller: Caller, Query(p): Query<AuditPage>) -> Result<Json<Vec<AuditEntryOut>>, ApiError> {
    let entries = st.vigia.audit_entries(&caller.actor, p.after.unwrap_or(0), p.limit.unwrap_or(100)).await?;
    Ok(Json(entries.into_iter().map(audit_out).collect()))
}

pub fn audit_out(e: vigia_domain::audit::AuditEntry) -> AuditEntryOut {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(e.record.at_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    AuditEntryOut {
        seq: e.record.seq,
        at,
        actor: e.record.actor,
        action: e.record.action,
        case_id: e.record.case_id,
        detail: e.record.detail,
        mac: e.mac.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MeOut {
    pub user_id: String,
    pub email: String,
    pub role: String,
    pub agency_id: String,
    pub country: String,
}

/// The calling user.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeOut), (status = 401, body = ErrorOut)))]
pub async fn me(caller: Caller) -> Json<MeOut> {
    Json(MeOut {
        user_id: caller.user.id.to_string(),
        email: caller.user.email.clone(),
        role: caller.actor.role.code().into(),
        agency_id: caller.actor.agency_id.to_string(),
        country: caller.actor.country.code().into(),
    })
}
