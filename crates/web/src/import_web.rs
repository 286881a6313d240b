//! Imports, exports and column mappings: API and pages.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use vigia_import::{Format, ImportReport, Mapping, ReadOptions};
use vigia_service::import::{ExportFormat, ImportOutcome};

use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::pages::{error_page, field, form_pairs, nav, render, Nav};
use crate::AppState;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// `htcds` (default) or `mapped`.
    pub format: Option<String>,
    /// Saved mapping name (with `mapped`).
    pub mapping: Option<String>,
    /// Check only; write nothing.
    pub dry_run: Option<bool>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    pub row: u64,
    pub column: String,
    /// Withheld (null) for identifying columns.
    pub value: Option<String>,
    pub reason: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportOut {
    pub rows_read: u64,
    pub inserted: usize,
    pub updated: usize,
    pub dry_run: bool,
    pub rejected: Vec<RejectedRow>,
    pub rejected_rows: u64,
    pub warnings: Vec<String>,
}

fn warnings(r: &ImportReport) -> Vec<String> {
    r.warnings.iter().map(|w| format!("{}{}", w.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(), w.message)).collect()
}

async fn run_import(st: &AppState, c: &Caller, bytes: &[u8], format: &str, mapping: Option<&str>, dry_run: bool) -> Result<(ImportReport, Option<ImportOutcome>), ApiError> {
    let mapping = match (format, mapping.filter(|m| !m.is_empty())) {
        ("htcds", _) => None,
        ("mapped", Some(name)) => Some(st.vigia.mapping(c.actor.agency_id, name).await?),
        ("mapped", None) => return Err(ApiError::BadRequest("format `mapped` needs a mapping name".into())),
        _ => return Err(ApiError::BadRequest("format must be htcds or mapped".into())),
    };
    let kind = if bytes.starts_with(b"PK\x03\x04") { Format::Xlsx } else { Format::Csv };
    let opts = ReadOptions { mapping, ..Default::default() };
    let mut report = vigia_import::read(kind, bytes, st.vigia.today(), &opts, &mut |_| {}).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if !report.is_importable() {
        return Ok((report, None));
    }
    let outcome = st.vigia.import_rows(Some(&c.actor), c.actor.agency_id, std::mem::take(&mut report.rows), dry_run).await?;
    Ok((report, Some(outcome)))
}

fn import_out(report: &ImportReport, outcome: Option<&ImportOutcome>, dry_run: bool) -> ImportOut {
    ImportOut {
        rows_read: report.rows_read,
        inserted: outcome.map_or(0, |o| o.inserted),
        updated: outcome.map_or(0, |o| o.updated),
        dry_run,
        rejected: report.rejected.iter().map(|e| RejectedRow { row: e.row, column: e.column.clone(), value: e.value.clone(), reason: e.reason.clone() }).collect(),
        rejected_rows: report.rejected_rows,
        warnings: warnings(report),
    }
}

/// Import the caller's agency's records (agency administrators). The body is the file
/// (CSV, or .xlsx). All or nothing: any rejected row answers 422 and writes nothing.
#[utoipa::path(post, path = "/api/v1/imports", params(ImportQuery), request_body(content = String, description = "CSV or .xlsx file"),
    responses((status = 200, body = ImportOut), (status = 422, body = ImportOut), (status = 403)))]
pub async fn import_api(State(st): State<AppState>, caller: Caller, headers: HeaderMap, Query(q): Query<ImportQuery>, body: Bytes) -> Result<Response, ApiError> {
    caller.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))?;
    let dry_run = q.dry_run.unwrap_or(false);
    let (report, outcome) = run_import(&st, &caller, &body, q.format.as_deref().unwrap_or("htcds"), q.mapping.as_deref(), dry_run).await?;
    let status = if outcome.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(import_out(&report, outcome.as_ref(), dry_run))).into_response())
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Include identifying columns (only where you may see them).
    pub identity: Option<bool>,
}

/// Export the cases you may see as CSV or .xlsx (HTCDS column names; formula-safe).
#[utoipa::path(get, path = "/api/v1/exports/cases", params(ExportQuery), responses((status = 200, description = "the file"), (status = 403)))]
pub async fn export_api(State(st): State<AppState>, caller: Caller, Query(q): Query<ExportQuery>) -> Result<Response, ApiError> {
    let (fmt, ctype, ext) = match q.format.as_deref() {
        Some("xlsx") => (ExportFormat::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        None | Some("csv") => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
        Some(_) => return Err(ApiError::BadRequest("format must be csv or xlsx".into())),
    };
    let bytes = st.vigia.export_cases(&caller.actor, fmt, q.identity.unwrap_or(false)).await?;
    Ok((
        [(header::CONTENT_TYPE, ctype.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"vigia-cases.{ext}\""))],
        bytes,
    )
        .into_response())
}

/// The caller's agency's saved mappings.
#[utoipa::path(get, path = "/api/v1/mappings", responses((status = 200, description = "mappings as JSON")))]
pub async fn mappings_api(State(st): State<AppState>, caller: Caller) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let list = st.vigia.mappings(caller.actor.agency_id).await?;
    Ok(Json(list.iter().map(|m| serde_json::from_str(&m.to_json()).unwrap_or_default()).collect()))
}

/// Save (or replace) a mapping of the caller's agency; its `name` is the key.
#[utoipa::path(put, path = "/api/v1/mappings", responses((status = 204), (status = 403), (status = 422)))]
pub async fn save_mapping_api(State(st): State<AppState>, caller: Caller, headers: HeaderMap, body: Bytes) -> Result<StatusCode, ApiError> {
    caller.check_csrf(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest("the mapping must be UTF-8 JSON".into()))?;
    let m = Mapping::from_json(text).map_err(|e| {
        let mut f = vigia_domain::FieldErrors::default();
        f.push("mapping", e.to_string());
        ApiError::Invalid(f)
    })?;
    st.vigia.save_mapping(Some(&caller.actor), caller.actor.agency_id, &m).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav: Option<Nav>,
    csrf: String,
    mappings: Vec<String>,
    result: Option<ImportOut>,
    error: Option<String>,
}

async fn import_page_with(st: &AppState, c: &Caller, result: Option<ImportOut>, error: Option<String>, status: StatusCode) -> Response {
    let mappings = st.vigia.mappings(c.actor.agency_id).await.map(|l| l.into_iter().map(|m| m.name).collect()).unwrap_or_default();
    let mut r = render(&ImportPage { nav: nav(c), csrf: c.csrf().to_string(), mappings, result, error });
    *r.status_mut() = status;
    r
}

pub async fn import_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    import_page_with(&st, &c, None, None, StatusCode::OK).await
}

pub async fn import_post(State(st): State<AppState>, PageCaller(c): PageCaller, mut mp: Multipart) -> Response {
    let (mut csrf, mut format, mut mapping, mut dry_run, mut file) = (String::new(), "htcds".to_string(), String::new(), false, Vec::new());
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                let Ok(data) = f.bytes().await else { return error_page(ApiError::BadRequest("the upload was cut".into())) };
                let text = || String::from_utf8_lossy(&data).to_string();
                match name.as_str() {
                    "csrf" => csrf = text(),
                    "format" => format = text(),
                    "mapping" => mapping = text(),
                    "dry_run" => dry_run = !data.is_empty(),
                    "file" => file = data.to_vec(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(ApiError::BadRequest("the upload could not be read".into())),
        }
    }
    if let Err(e) = c.check_csrf(Some(&csrf)) {
        return error_page(e);
    }
    if file.is_empty() {
        return import_page_with(&st, &c, None, Some("Choose a file to import.".into()), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match run_import(&st, &c, &file, &format, Some(&mapping), dry_run).await {
        Ok((report, outcome)) => {
            let status = if outcome.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            import_page_with(&st, &c, Some(import_out(&report, outcome.as_ref(), dry_run)), None, status).await
        }
        Err(ApiError::Forbidden(r)) => error_page(ApiError::Forbidden(r)),
        Err(ApiError::BadRequest(m)) => import_page_with(&st, &c, None, Some(m), StatusCode::BAD_REQUEST).await,
        Err(ApiError::Invalid(f)) => import_page_with(&st, &c, None, Some(f.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "mappings.html")]
struct MappingsPage {
    nav: Option<Nav>,
    csrf: String,
    mappings: Vec<(String, String)>,
    draft: String,
    error: Option<String>,
}

const EXAMPLE_MAPPING: &str = r#"name = "Minha planilha"
date_format = "DD/MM/YYYY"

[columns]
"Código" = "id"
"Nome" = "prs_FirstName"
"Sobrenome" = "prs_SecondName"
"Sexo" = "sex"
"Nacionalidade" = "prs_Citizenship"
"Tipo de exploração" = "vic_TypeOfExploitation"
"Data de identificação" = "identified_on"

[values.prs_Gender]
"F" = "female"
"M" = "male"

[values.vic_TypeOfExploitation]
"Trabalho escravo" = "forced_labour"
"Exploração sexual" = "sexual_exploitation"
"#;

async fn mappings_page_with(st: &AppState, c: &Caller, draft: Option<String>, error: Option<String>) -> Response {
    let list = match st.vigia.mappings(c.actor.agency_id).await {
        Ok(l) => l,
        Err(e) => return error_page(e.into()),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut r = render(&MappingsPage {
        nav: nav(c),
        csrf: c.csrf().to_string(),
        mappings: list.iter().map(|m| (m.name.clone(), m.to_toml())).collect(),
        draft: draft.unwrap_or_else(|| EXAMPLE_MAPPING.to_string()),
        error,
    });
    *r.status_mut() = status;
    r
}

pub async fn mappings_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    mappings_page_with(&st, &c, None, None).await
}

pub async fn mappings_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let text = field(&p, "mapping").to_string();
    let m = match Mapping::from_toml(&text) {
        Ok(m) => m,
        Err(e) => return mappings_page_with(&st, &c, Some(text), Some(format!("Nothing was saved: {e}"))).await,
    };
    match st.vigia.save_mapping(Some(&c.actor), c.actor.agency_id, &m).await {
        Ok(()) => Redirect::to("/mappings").into_response(),
        Err(vigia_service::ServiceError::Invalid(f)) => mappings_page_with(&st, &c, Some(text), Some(format!("Nothing was saved: {f}"))).await,
        Err(e) => error_page(e.into()),
    }
}
