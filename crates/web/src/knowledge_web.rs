//! The knowledge base over HTTP. Pages and reads are public (`/knowledge`,
//! `/knowledge/compare`, `/knowledge/frameworks/{country}`, `/knowledge/library`,
//! `/knowledge/directory`), except the directory's contact details, shown only to
//! signed-in users. Edits go through the JSON API under `/api/v1/knowledge` and
//! need `ManageKnowledge` (coordinators, regional mechanisms).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use vigia_domain::knowledge::{Entry, FocalPoint, LegalFramework, LegalPoint};
use vigia_service::knowledge::FrameworkView;

use crate::api::parse_json;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::{error_page, nav, render, Nav};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/knowledge", get(index_page))
        .route("/knowledge/compare", get(index_page))
        .route("/knowledge/frameworks/{country}", get(framework_page))
        .route("/knowledge/library", get(library_page))
        .route("/knowledge/directory", get(directory_page))
        .route("/api/v1/knowledge/frameworks", get(frameworks_api))
        .route("/api/v1/knowledge/frameworks/{country}", get(framework_api).put(save_framework_api))
        .route("/api/v1/knowledge/compare", get(compare_api))
        .route("/api/v1/knowledge/entries", get(entries_api).post(save_entry_api))
        .route("/api/v1/knowledge/directory", get(directory_api).post(save_focal_api))
}

/// A caller who may be anonymous (public pages).
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await {
            Ok(c) => Ok(MaybeCaller(Some(c))),
            Err(ApiError::Unauthenticated) => Ok(MaybeCaller(None)),
            Err(e) => Err(e),
        }
    }
}

fn csrf(c: &Caller, h: &HeaderMap) -> Result<(), ApiError> {
    c.check_csrf(h.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// Comma-separated ISO 3166-1 codes; all countries when absent.
    pub countries: Option<String>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find (any of English, Spanish, Portuguese, French; accents and case ignored).
    pub q: Option<String>,
}

fn countries_of(q: &CompareQuery) -> Vec<String> {
    q.countries.as_deref().unwrap_or("").split([',', ' ']).map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()).collect()
}

// ----- API -----

/// Every country's legal framework (public).
#[utoipa::path(get, path = "/api/v1/knowledge/frameworks", security(()), responses((status = 200, body = [Object])))]
pub async fn frameworks_api(State(st): State<AppState>) -> Result<Json<Vec<LegalFramework>>, ApiError> {
    Ok(Json(st.vigia.frameworks().await?))
}

/// One country's framework with the legal profile screening uses there (public).
#[utoipa::path(get, path = "/api/v1/knowledge/frameworks/{country}", security(()), params(("country" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::api::ErrorOut)))]
pub async fn framework_api(State(st): State<AppState>, Path(country): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let v = st.vigia.framework(&country).await?;
    Ok(Json(serde_json::json!({ "framework": v.framework, "legal_profile": v.profile })))
}

/// Save a country's framework: `{law, points: {definition: {answer: yes|partly|no|unknown, text}, ...}, profile_code?, source?}`.
#[utoipa::path(put, path = "/api/v1/knowledge/frameworks/{country}", params(("country" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn save_framework_api(State(st): State<AppState>, c: Caller, Path(country): Path<String>, headers: HeaderMap, body: Bytes) -> Result<Json<LegalFramework>, ApiError> {
    csrf(&c, &headers)?;
    let mut v: serde_json::Value = parse_json(&headers, &body)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("country".into(), serde_json::Value::String(country));
    }
    let f: LegalFramework = serde_json::from_value(v).map_err(|e| {
        let mut f = vigia_domain::FieldErrors::default();
        f.push("body", e.to_string());
        ApiError::Invalid(f)
    })?;
    Ok(Json(st.vigia.save_framework(&c.actor, f).await?))
}

/// The chosen countries compared point by point (public).
#[utoipa::path(get, path = "/api/v1/knowledge/compare", security(()), params(CompareQuery), responses((status = 200, body = Object)))]
pub async fn compare_api(State(st): State<AppState>, Query(q): Query<CompareQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    let (fws, rows) = st.vigia.compare_frameworks(&countries_of(&q)).await?;
    Ok(Json(serde_json::json!({
        "countries": fws.iter().map(|f| &f.country).collect::<Vec<_>>(),
        "rows": rows.iter().map(|r| serde_json::json!({
            "point": r.point.code(), "label": r.point.label(), "differs": r.differs,
            "cells": r.cells.iter().map(|c| c.as_ref().map(|e| serde_json::json!({"answer": e.answer.code(), "text": e.text}))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

/// Good practices, procedures and tools, searched (public).
#[utoipa::path(get, path = "/api/v1/knowledge/entries", security(()), params(SearchQuery), responses((status = 200, body = [Object])))]
pub async fn entries_api(State(st): State<AppState>, Query(q): Query<SearchQuery>) -> Result<Json<Vec<Entry>>, ApiError> {
    Ok(Json(st.vigia.search_entries(q.q.as_deref().unwrap_or("")).await?))
}

/// Add or replace a library entry: `{id?, kind, title, lang: en|es|pt|fr, region, pillar, summary, evidence, contact, tags, attachments: [{name, url}]}`.
#[utoipa::path(post, path = "/api/v1/knowledge/entries", request_body = Object,
    responses((status = 201, body = Object), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn save_entry_api(State(st): State<AppState>, c: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&c, &headers)?;
    let mut v: serde_json::Value = parse_json(&headers, &body)?;
    if let Some(o) = v.as_object_mut() {
        o.entry("id").or_insert(serde_json::Value::String(String::new()));
    }
    let e: Entry = serde_json::from_value(v).map_err(|e| {
        let mut f = vigia_domain::FieldErrors::default();
        f.push("body", e.to_string());
        ApiError::Invalid(f)
    })?;
    Ok((StatusCode::CREATED, Json(st.vigia.save_entry(&c.actor, e).await?)))
}

/// The directory of focal points; contact details only for signed-in callers.
#[utoipa::path(get, path = "/api/v1/knowledge/directory", security((), ("bearer" = [])), responses((status = 200, body = [Object])))]
pub async fn directory_api(State(st): State<AppState>, MaybeCaller(c): MaybeCaller) -> Result<Json<Vec<FocalPoint>>, ApiError> {
    Ok(Json(st.vigia.directory(c.as_ref().map(|c| &c.actor)).await?))
}

/// Add or replace a focal point: `{id?, mechanism, country, role, organisation, title, name, email, phone}`.
#[utoipa::path(post, path = "/api/v1/knowledge/directory", request_body = Object,
    responses((status = 201, body = Object), (status = 403, body = crate::api::ErrorOut), (status = 422, body = crate::api::ErrorOut)))]
pub async fn save_focal_api(State(st): State<AppState>, c: Caller, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    csrf(&c, &headers)?;
    let mut v: serde_json::Value = parse_json(&headers, &body)?;
    if let Some(o) = v.as_object_mut() {
        o.entry("id").or_insert(serde_json::Value::String(String::new()));
    }
    let f: FocalPoint = serde_json::from_value(v).map_err(|e| {
        let mut f = vigia_domain::FieldErrors::default();
        f.push("body", e.to_string());
        ApiError::Invalid(f)
    })?;
    Ok((StatusCode::CREATED, Json(st.vigia.save_focal_point(&c.actor, f).await?)))
}

// ----- pages -----

pub struct CellView {
    pub answer: String,
    pub answer_code: String,
    pub text: String,
}

pub struct RowView {
    pub label: String,
    pub code: String,
    pub differs: bool,
    pub cells: Vec<Option<CellView>>,
}

#[derive(Template)]
#[template(path = "knowledge.html")]
struct IndexPage {
    nav: Option<Nav>,
    all: Vec<(String, String, bool)>,
    chosen: Vec<String>,
    chosen_str: String,
    rows: Vec<RowView>,
}

pub async fn index_page(State(st): State<AppState>, MaybeCaller(c): MaybeCaller, Query(q): Query<CompareQuery>) -> Response {
    let all = match st.vigia.frameworks().await {
        Ok(a) => a,
        Err(e) => return error_page(e.into()),
    };
    let (chosen, rows) = match st.vigia.compare_frameworks(&countries_of(&q)).await {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    render(&IndexPage {
        nav: c.as_ref().and_then(nav),
        all: all.iter().map(|f| (f.country.clone(), f.law.clone(), f.illustrative)).collect(),
        chosen_str: chosen.iter().map(|f| f.country.clone()).collect::<Vec<_>>().join(","),
        chosen: chosen.iter().map(|f| f.country.clone()).collect(),
        rows: rows
            .iter()
            .map(|r| RowView {
                label: r.point.label().into(),
                code: r.point.code().into(),
                differs: r.differs,
                cells: r.cells.iter().map(|c| c.as_ref().map(|e| CellView { answer: e.answer.label().into(), answer_code: e.answer.code().into(), text: e.text.clone() })).collect(),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "knowledge_framework.html")]
struct FrameworkPage {
    nav: Option<Nav>,
    f: LegalFramework,
    points: Vec<(String, String, String)>,
    profile: Option<(String, String, String)>,
}

pub async fn framework_page(State(st): State<AppState>, MaybeCaller(c): MaybeCaller, Path(country): Path<String>) -> Response {
    let FrameworkView { framework, profile } = match st.vigia.framework(&country).await {
        Ok(v) => v,
        Err(e) => return error_page(e.into()),
    };
    let points = LegalPoint::ALL
        .iter()
        .map(|p| {
            let e = framework.points.get(p);
            (p.label().to_string(), e.map(|e| e.answer.label().to_string()).unwrap_or_else(|| "—".into()), e.map(|e| e.text.clone()).unwrap_or_default())
        })
        .collect();
    render(&FrameworkPage {
        nav: c.as_ref().and_then(nav),
        profile: profile.map(|p| {
            (
                format!("{} (version {})", p.name, p.version),
                p.criminalised.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
                format!("means required for adults: {}; age of majority {}", if p.means_required_for_adults { "yes" } else { "no" }, p.age_of_majority),
            )
        }),
        points,
        f: framework,
    })
}

#[derive(Template)]
#[template(path = "knowledge_library.html")]
struct LibraryPage {
    nav: Option<Nav>,
    q: String,
    entries: Vec<Entry>,
}

pub async fn library_page(State(st): State<AppState>, MaybeCaller(c): MaybeCaller, Query(q): Query<SearchQuery>) -> Response {
    let query = q.q.unwrap_or_default();
    match st.vigia.search_entries(&query).await {
        Ok(entries) => render(&LibraryPage { nav: c.as_ref().and_then(nav), q: query, entries }),
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "knowledge_directory.html")]
struct DirectoryPage {
    nav: Option<Nav>,
    signed_in: bool,
    points: Vec<FocalPoint>,
}

pub async fn directory_page(State(st): State<AppState>, MaybeCaller(c): MaybeCaller) -> Response {
    match st.vigia.directory(c.as_ref().map(|c| &c.actor)).await {
        Ok(points) => render(&DirectoryPage { nav: c.as_ref().and_then(nav), signed_in: c.is_some(), points }),
        Err(e) => error_page(e.into()),
    }
}
