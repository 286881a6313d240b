//! JSON API of national de-duplication ("one person, one count"): linkage
//! runs, persons (case ids only), clerical review (identity grant only),
//! figures on persons, and each agency's clear-text linkage setting.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use vigia_domain::case::format_date;
use vigia_domain::ids::CaseId;
use vigia_domain::national::{CountLine, NationalCounts, Verdict};
use vigia_domain::FieldErrors;
use vigia_service::national::{LinkageRun, ReviewPair, ReviewSide};

use crate::api::parse_json;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::nrm_api::ms_to_rfc3339;
use crate::AppState;

fn csrf(c: &Caller, h: &HeaderMap) -> Result<(), ApiError> {
    c.check_csrf(h.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

fn field_err(field: &str, msg: &str) -> ApiError {
    let mut f = FieldErrors::default();
    f.push(field, msg);
    ApiError::Invalid(f)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RunAgencyOut {
    pub agency_id: String,
    pub records: u64,
    pub clear_text_allowed: bool,
}

/// A linkage run: parameters and counts (no identity).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RunOut {
    pub id: String,
    pub country: String,
    pub by: String,
    pub at: String,
    /// `clear` (every agency allows it) or `encoded` (keyed Bloom filters for everyone).
    pub mode: String,
    pub fields: Vec<String>,
    pub threshold: f64,
    pub review_lower: f64,
    pub review_upper: f64,
    pub agencies: Vec<RunAgencyOut>,
    pub records: u64,
    pub persons: u64,
    pub candidates: u64,
    pub matched_pairs: u64,
    pub review_pairs: u64,
    pub decisions_applied: u64,
    pub updated_at: String,
}

pub fn run_out(r: LinkageRun) -> RunOut {
    RunOut {
        id: r.id,
        country: r.country,
        by: r.by.to_string(),
        at: ms_to_rfc3339(r.at_ms),
        mode: r.mode.code().into(),
        fields: r.fields,
        threshold: r.threshold,
        review_lower: r.review_lower,
        review_upper: r.review_upper,
        agencies: r.agencies.into_iter().map(|a| RunAgencyOut { agency_id: a.agency_id.to_string(), records: a.records, clear_text_allowed: a.clear_text_allowed }).collect(),
        records: r.records,
        persons: r.persons,
        candidates: r.candidates,
        matched_pairs: r.matched_pairs,
        review_pairs: r.review_pairs,
        decisions_applied: r.decisions_applied,
        updated_at: ms_to_rfc3339(r.updated_at_ms),
    }
}

/// Run national linkage over every case of the coordinator's country (coordinators).
/// Every case read is audited.
#[utoipa::path(post, path = "/api/v1/national/linkage/runs", responses((status = 201, body = RunOut), (status = 403, body = crate::api::ErrorOut)))]
pub async fn run(State(st): State<AppState>, caller: Caller, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    Ok((StatusCode::CREATED, Json(run_out(st.vigia.run_linkage(&caller.actor).await?))))
}

/// The latest linkage run of the coordinator's country.
#[utoipa::path(get, path = "/api/v1/national/linkage/runs/latest", responses((status = 200, body = RunOut), (status = 403), (status = 404)))]
pub async fn latest(State(st): State<AppState>, caller: Caller) -> Result<Json<RunOut>, ApiError> {
    st.vigia.latest_linkage_run(&caller.actor).await?.map(|r| Json(run_out(r))).ok_or(ApiError::NotFound)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PersonsQuery {
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PersonCaseOut {
    pub case_id: String,
    pub agency_id: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PersonOut {
    pub person: String,
    pub cases: Vec<PersonCaseOut>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PersonsOut {
    pub total: u64,
    pub items: Vec<PersonOut>,
}

/// Persons of the latest run as lists of case ids (no identity), persons with several records first.
#[utoipa::path(get, path = "/api/v1/national/persons", params(PersonsQuery), responses((status = 200, body = PersonsOut), (status = 403)))]
pub async fn persons(State(st): State<AppState>, caller: Caller, Query(q): Query<PersonsQuery>) -> Result<Json<PersonsOut>, ApiError> {
    let (total, list) = st.vigia.linkage_persons(&caller.actor, q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(PersonsOut {
        total,
        items: list
            .into_iter()
            .map(|p| PersonOut { person: p.person, cases: p.cases.into_iter().map(|(c, a)| PersonCaseOut { case_id: c.to_string(), agency_id: a.to_string() }).collect() })
            .collect(),
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReviewSideOut {
    pub case_id: String,
    pub agency_id: String,
    pub given_names: Option<String>,
    pub family_names: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: String,
    pub citizenship: Option<String>,
    pub identified_on: String,
}

pub fn side_out(s: ReviewSide) -> ReviewSideOut {
    ReviewSideOut {
        case_id: s.case_id.to_string(),
        agency_id: s.agency_id.to_string(),
        given_names: s.identity.given_names,
        family_names: s.identity.family_names,
        date_of_birth: s.identity.date_of_birth,
        sex: s.sex.code().into(),
        citizenship: s.citizenship,
        identified_on: format_date(s.identified_on),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReviewPairOut {
    pub a: ReviewSideOut,
    pub b: ReviewSideOut,
    pub probability: f64,
    /// Whether the two records are one person now.
    pub linked: bool,
}

pub fn pair_out(p: ReviewPair) -> ReviewPairOut {
    ReviewPairOut { a: side_out(p.a), b: side_out(p.b), probability: p.probability, linked: p.linked }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct PairsQuery {
    pub limit: Option<usize>,
}

/// Uncertain pairs of the latest run awaiting review, identities side by side
/// (coordinators with an identity grant; others get 403). Every case shown is audited.
#[utoipa::path(get, path = "/api/v1/national/review/pairs", params(PairsQuery), responses((status = 200, body = [ReviewPairOut]), (status = 403)))]
pub async fn review_pairs(State(st): State<AppState>, caller: Caller, Query(q): Query<PairsQuery>) -> Result<Json<Vec<ReviewPairOut>>, ApiError> {
    Ok(Json(st.vigia.review_pairs(&caller.actor, q.limit.unwrap_or(20)).await?.into_iter().map(pair_out).collect()))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub a: String,
    pub b: String,
    /// `same` or `different`.
    pub verdict: String,
}

/// A clerical decision on two cases of the latest run; the persons are recomputed at once.
#[utoipa::path(post, path = "/api/v1/national/review/decisions", request_body = DecisionIn, responses((status = 200, body = RunOut), (status = 403), (status = 422)))]
pub async fn decide(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<Json<RunOut>, ApiError> {
    csrf(&caller, &headers)?;
    let d: DecisionIn = parse_json(&headers, &body)?;
    let a: CaseId = d.a.parse().map_err(|_| field_err("a", "not a case id"))?;
    let b: CaseId = d.b.parse().map_err(|_| field_err("b", "not a case id"))?;
    let v = Verdict::parse(&d.verdict).ok_or_else(|| field_err("verdict", "must be same or different"))?;
    Ok(Json(run_out(st.vigia.review_decision(&caller.actor, a, b, v).await?)))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CountLineOut {
    pub code: String,
    pub persons: u64,
    pub records: u64,
}

/// National figures: persons (each counted once) beside records.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CountsOut {
    pub run_id: String,
    pub records: u64,
    pub persons: u64,
    pub persons_with_several_records: u64,
    pub by_sex: Vec<CountLineOut>,
    /// `child` (under 18 at first identification), `adult`, `unknown`.
    pub by_age_group: Vec<CountLineOut>,
    /// A person is counted once in every form any of their records names.
    pub by_exploitation: Vec<CountLineOut>,
    pub by_citizenship: Vec<CountLineOut>,
}

fn lines(v: Vec<CountLine>) -> Vec<CountLineOut> {
    v.into_iter().map(|l| CountLineOut { code: l.code, persons: l.persons, records: l.records }).collect()
}

pub fn counts_out(run: &LinkageRun, c: NationalCounts) -> CountsOut {
    CountsOut {
        run_id: run.id.clone(),
        records: c.records,
        persons: c.persons,
        persons_with_several_records: c.persons_with_several_records,
        by_sex: lines(c.by_sex),
        by_age_group: lines(c.by_age_group),
        by_exploitation: lines(c.by_exploitation),
        by_citizenship: lines(c.by_citizenship),
    }
}

/// Figures of the latest run, counted on persons (review decisions applied).
#[utoipa::path(get, path = "/api/v1/national/counts", responses((status = 200, body = CountsOut), (status = 403), (status = 404)))]
pub async fn counts(State(st): State<AppState>, caller: Caller) -> Result<Json<CountsOut>, ApiError> {
    let (run, c) = st.vigia.national_counts(&caller.actor).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(counts_out(&run, c)))
}

#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkageSettingIo {
    /// Identities of this agency may be linked in the clear at national level (default false: encodings).
    pub clear_text_allowed: bool,
}

/// The caller's agency's clear-text linkage setting.
#[utoipa::path(get, path = "/api/v1/national/linkage-setting", responses((status = 200, body = LinkageSettingIo)))]
pub async fn get_setting(State(st): State<AppState>, caller: Caller) -> Result<Json<LinkageSettingIo>, ApiError> {
    Ok(Json(LinkageSettingIo { clear_text_allowed: st.vigia.linkage_setting(caller.actor.agency_id).await? }))
}

/// Set the caller's agency's clear-text linkage setting (agency administrators; audited).
#[utoipa::path(put, path = "/api/v1/national/linkage-setting", request_body = LinkageSettingIo, responses((status = 204), (status = 403)))]
pub async fn put_setting(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<StatusCode, ApiError> {
    csrf(&caller, &headers)?;
    let s: LinkageSettingIo = parse_json(&headers, &body)?;
    st.vigia.set_linkage_setting(&caller.actor, s.clear_text_allowed).await?;
    Ok(StatusCode::NO_CONTENT)
}
