//! JSON API of standard indicators, population tables and estimation runs.
//!
//! Query strings carry only codes and dates (country, period), never anything
//! identifying.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use vigia_domain::case::parse_iso_date;
use vigia_domain::geo::Country;
use vigia_domain::indicators::{Bucket, Period};
use vigia_domain::FieldErrors;
use vigia_service::estimates::{EstimateRun, EstimateRunSummary, EstimateSpec, IndicatorReport, PopulationImported, PopulationYear};

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

/// The country asked about (default: the caller's own).
pub(crate) fn country_param(c: &Caller, s: Option<&str>) -> Result<Country, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(c.actor.country),
        Some(s) => Country::parse(s).map_err(|_| field_err("country", "must be an ISO 3166-1 alpha-2 code")),
    }
}

/// A period from `year`, or `from` and `to`; default: the current calendar year.
pub(crate) fn period_params(year: Option<&str>, from: Option<&str>, to: Option<&str>, today: time::Date) -> Result<Period, ApiError> {
    let nz = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    match (nz(year), nz(from), nz(to)) {
        (Some(y), None, None) => {
            let y: i32 = y.parse().map_err(|_| field_err("year", "must be a year such as 2024"))?;
            Period::year(y).map_err(|e| field_err("year", e.to_string()))
        }
        (None, Some(f), Some(t)) => {
            let f = parse_iso_date(&f).map_err(|_| field_err("from", "must be a date written YYYY-MM-DD"))?;
            let t = parse_iso_date(&t).map_err(|_| field_err("to", "must be a date written YYYY-MM-DD"))?;
            Period::new(f, t).map_err(|e| field_err("to", e.to_string()))
        }
        (None, None, None) => Period::year(today.year()).map_err(|e| field_err("year", e.to_string())),
        _ => Err(field_err("period", "give either `year`, or both `from` and `to`")),
    }
}

pub(crate) fn bucket_param(s: Option<&str>) -> Result<Bucket, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Bucket::Month),
        Some(s) => Bucket::parse(s).ok_or_else(|| field_err("by", "must be year, quarter or month")),
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct IndicatorQuery {
    /// ISO 3166-1 alpha-2 (default: the caller's country).
    pub country: Option<String>,
    /// A calendar year; or give `from` and `to`.
    pub year: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Buckets of the identified / referred / assisted series: `year`, `quarter` or `month` (default).
    pub by: Option<String>,
}

/// SDG 16.2.2 (detected victims per 100,000 by sex, age group and form of
/// exploitation) and identified / referred / assisted counts per period.
#[utoipa::path(get, path = "/api/v1/indicators", params(IndicatorQuery),
    responses((status = 200, description = "the indicator report: unit (persons or cases), rows with count, population, rate or the reason it is refused, caution flags, series, warnings"),
        (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn indicators(State(st): State<AppState>, caller: Caller, Query(q): Query<IndicatorQuery>) -> Result<Json<IndicatorReport>, ApiError> {
    let country = country_param(&caller, q.country.as_deref())?;
    let period = period_params(q.year.as_deref(), q.from.as_deref(), q.to.as_deref(), st.vigia.today())?;
    let by = bucket_param(q.by.as_deref())?;
    Ok(Json(st.vigia.indicators(&caller.actor, country, period, by).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CountryQuery {
    /// ISO 3166-1 alpha-2 (default: the caller's country).
    pub country: Option<String>,
}

/// The stored population figures of a country, year by year.
#[utoipa::path(get, path = "/api/v1/population", params(CountryQuery),
    responses((status = 200, description = "population years with their cells and source (demo figures are marked)"), (status = 403, body = crate::api::ErrorOut)))]
pub async fn population(State(st): State<AppState>, caller: Caller, Query(q): Query<CountryQuery>) -> Result<Json<Vec<PopulationYear>>, ApiError> {
    let country = country_param(&caller, q.country.as_deref())?;
    Ok(Json(st.vigia.population(&caller.actor, country).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationIn {
    /// The file: header `country,year,sex,age_group,population`; sex `total|female|male`;
    /// age_group `total|0_17|18_plus` or a case age bracket (`0_8`, `9_17`, ..., `48_plus`).
    pub csv: String,
    /// Where the figures come from (e.g. "INE, population estimates 2024").
    pub source: Option<String>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SourceQuery {
    /// With a `text/csv` body: where the figures come from.
    pub source: Option<String>,
}

/// Import the population table of the coordinator's country: a `text/csv`
/// body, or JSON `{csv, source}`. All or nothing: errors name line and column.
#[utoipa::path(post, path = "/api/v1/population", request_body = PopulationIn, params(SourceQuery),
    responses((status = 201, description = "country, years and rows stored"), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn import_population(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Query(q): Query<SourceQuery>, body: Bytes) -> Result<(StatusCode, Json<PopulationImported>), ApiError> {
    csrf(&caller, &headers)?;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (csv, source) = if ct.starts_with("text/csv") || ct.starts_with("text/plain") {
        (String::from_utf8(body.to_vec()).map_err(|_| field_err("csv", "must be UTF-8 text"))?, q.source.unwrap_or_default())
    } else {
        let p: PopulationIn = parse_json(&headers, &body)?;
        (p.csv, p.source.unwrap_or_default())
    };
    Ok((StatusCode::CREATED, Json(st.vigia.import_population(&caller.actor, &csv, &source).await?)))
}

/// Run multiple systems estimation over the coordinator's country. Body:
/// `{"lists": {"kind": "per_agency" | "per_agency_kind" | "groups", "groups": [{"name", "agencies": [ids]}]},
/// "stratify": "none" | "sex" | "age_group" | "region", "from", "to", "criterion": "bic" | "aic",
/// "bootstrap": 1000, "seed": 1, "max_order": 2}`. The run is stored with its inputs.
#[utoipa::path(post, path = "/api/v1/estimates",
    responses((status = 201, description = "the stored run: lists, per-stratum capture table and result (estimate, interval, model, candidates, warnings) or refusal"),
        (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn run_estimate(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<(StatusCode, Json<EstimateRun>), ApiError> {
    csrf(&caller, &headers)?;
    let spec: EstimateSpec = parse_json(&headers, &body)?;
    Ok((StatusCode::CREATED, Json(st.vigia.run_estimate(&caller.actor, spec).await?)))
}

/// The estimation runs of the coordinator's country, newest first.
#[utoipa::path(get, path = "/api/v1/estimates", responses((status = 200, description = "run summaries"), (status = 403, body = crate::api::ErrorOut)))]
pub async fn list_estimates(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<EstimateRunSummary>>, ApiError> {
    Ok(Json(st.vigia.estimate_runs(&caller.actor).await?))
}

/// One stored run with its inputs and results.
#[utoipa::path(get, path = "/api/v1/estimates/{id}", params(("id" = String, Path)),
    responses((status = 200, description = "the run"), (status = 403, body = crate::api::ErrorOut), (status = 404, body = crate::api::ErrorOut)))]
pub async fn get_estimate(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<EstimateRun>, ApiError> {
    Ok(Json(st.vigia.estimate_run(&caller.actor, &id).await?))
}

/// Re-run a stored run from its stored inputs; the new run says whether every number was reproduced.
#[utoipa::path(post, path = "/api/v1/estimates/{id}/rerun", params(("id" = String, Path)),
    responses((status = 201, description = "the new run, with `rerun_of` and `reproduced`"), (status = 403, body = crate::api::ErrorOut), (status = 404, body = crate::api::ErrorOut)))]
pub async fn rerun_estimate(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    csrf(&caller, &headers)?;
    Ok((StatusCode::CREATED, Json(st.vigia.rerun_estimate(&caller.actor, &id).await?)))
}
