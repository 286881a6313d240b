//! Vigia's HTTP layer: the JSON API under `/api/v1` (described at
//! `/api/v1/openapi.json`), server-rendered pages, and authentication (session
//! cookies for people, bearer tokens for API clients).
//!
//! Nothing here logs a request body; traces carry method, route and status only.

mod api;
mod auth;
mod error;
mod pages;

use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use vigia_service::Vigia;

pub use api::ApiDoc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub vigia: Vigia,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/cases", get(pages::case_list))
        .route("/cases/new", get(pages::case_form).post(pages::case_create))
        .route("/cases/{id}", get(pages::case_page))
        .route("/audit", get(pages::audit_page))
        .route("/static/style.css", get(pages::style))
        .route("/static/app.js", get(pages::script))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/cases", post(api::create_case).get(api::list_cases))
        .route("/api/v1/cases/{id}", get(api::get_case))
        .route("/api/v1/audit", get(api::audit_entries))
        .route("/api/v1/me", get(api::me))
        .fallback(error::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    // The matched route template, never the query string or body.
                    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
                    tracing::info_span!("http", method = %req.method(), route = %route)
                })
                .on_request(())
                .on_response(|res: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(status = res.status().as_u16(), ms = latency.as_millis() as u64, "response");
                }),
        )
        .with_state(state)
}
