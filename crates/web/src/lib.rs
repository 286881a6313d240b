//! Vigia's HTTP layer: the JSON API under `/api/v1` (described at
//! `/api/v1/openapi.json`), server-rendered pages, and authentication (session
//! cookies for people, bearer tokens for API clients).
//!
//! Nothing here logs a request body; traces carry method, route and status only.

mod api;
mod auth;
mod error;
mod national_api;
mod national_pages;
mod estimates_api;
mod estimates_pages;
mod import_web;
mod maps;
mod nrm_api;
mod nrm_pages;
mod pages;
mod plans_web;
mod knowledge_web;
mod rounds_api;
mod rounds_pages;

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
    /// Per-address limit on the public tip form.
    pub tip_limiter: std::sync::Arc<governor::DefaultKeyedRateLimiter<std::net::IpAddr>>,
}

impl AppState {
    pub fn new(vigia: Vigia, secure_cookies: bool) -> Self {
        // Five tips a minute per address, with a burst of five.
        let quota = governor::Quota::per_minute(std::num::NonZeroU32::new(5).unwrap_or(std::num::NonZeroU32::MIN));
        Self { vigia, secure_cookies, tip_limiter: std::sync::Arc::new(governor::RateLimiter::keyed(quota)) }
    }
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
        .route("/cases/{id}", get(nrm_pages::case_page))
        .route("/cases/{id}/screen", post(nrm_pages::screen_post))
        .route("/cases/{id}/refer", post(nrm_pages::refer_post))
        .route("/cases/{id}/consent", post(nrm_pages::consent_post))
        .route("/cases/{id}/best-interests", post(nrm_pages::bia_post))
        .route("/cases/{id}/decision", post(nrm_pages::decision_post))
        .route("/cases/{id}/person", post(nrm_pages::person_post))
        .route("/cases/{id}/timeline", get(nrm_pages::timeline_page))
        .route("/consents/{id}/withdraw", post(nrm_pages::withdraw_post))
        .route("/referrals", get(nrm_pages::referrals_page))
        .route("/referrals/{id}", get(nrm_pages::referral_page))
        .route("/referrals/{id}/{action}", post(nrm_pages::referral_action))
        .route("/agreements", get(nrm_pages::agreements_page).post(nrm_pages::agreements_post))
        .route("/legal-profiles", get(nrm_pages::profiles_page).post(nrm_pages::profiles_post))
        .route("/tips", get(nrm_pages::tip_form).post(nrm_pages::tip_post))
        .route("/tips/inbox", get(nrm_pages::tips_inbox))
        .route("/tips/{id}/{action}", post(nrm_pages::tip_triage))
        .route("/indicators", get(estimates_pages::indicators_page))
        .route("/population", get(estimates_pages::population_page).post(estimates_pages::population_post))
        .route("/estimates", get(estimates_pages::estimates_page).post(estimates_pages::estimates_post))
        .route("/estimates/{id}", get(estimates_pages::run_page))
        .route("/estimates/{id}/rerun", post(estimates_pages::rerun_post))
        .route("/national", get(national_pages::national_page))
        .route("/national/run", post(national_pages::run_post))
        .route("/national/setting", post(national_pages::setting_post))
        .route("/national/review", get(national_pages::review_page).post(national_pages::review_post))
        .route("/audit", get(pages::audit_page))
        .route("/static/style.css", get(pages::style))
        .route("/static/app.js", get(pages::script))
        .route("/static/places.js", get(maps::places_script))
        .route("/maps", get(maps::maps_page))
        .route("/maps/{country}", get(maps::country_page))
        .route("/about/data", get(maps::data_page))
        .route("/api/v1/routes/corridors", get(maps::corridors_api))
        .route("/api/v1/routes/places", get(maps::places_api))
        .route("/api/v1/places/search", get(maps::search_api))
        .route("/api/v1/places/reverse", get(maps::reverse_api))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/cases", post(api::create_case).get(api::list_cases))
        .route("/api/v1/cases/{id}", get(api::get_case))
        .route("/api/v1/audit", get(api::audit_entries))
        .route("/api/v1/me", get(api::me))
        // Imports carry whole files (up to 256 MiB); every other body is limited to 1 MiB.
        .route("/api/v1/imports", post(import_web::import_api).layer(axum::extract::DefaultBodyLimit::max(256 << 20)))
        .route("/api/v1/exports/cases", get(import_web::export_api))
        .route("/api/v1/mappings", get(import_web::mappings_api).put(import_web::save_mapping_api))
        .route("/import", get(import_web::import_page).post(import_web::import_post).layer(axum::extract::DefaultBodyLimit::max(256 << 20)))
        .route("/mappings", get(import_web::mappings_page).post(import_web::mappings_post))
        .route("/api/v1/screen", post(nrm_api::screen))
        .route("/api/v1/cases/{id}/screen", post(nrm_api::screen_case))
        .route("/api/v1/legal-profiles", get(nrm_api::legal_profiles).post(nrm_api::save_legal_profile))
        .route("/api/v1/timers", axum::routing::put(nrm_api::set_timers))
        .route("/api/v1/agencies", get(nrm_api::agencies))
        .route("/api/v1/agreements", get(nrm_api::list_agreements).post(nrm_api::create_agreement))
        .route("/api/v1/cases/{id}/referrals", get(nrm_api::case_referrals).post(nrm_api::refer))
        .route("/api/v1/referrals", get(nrm_api::referrals))
        .route("/api/v1/referrals/{id}/case", get(nrm_api::referred_case))
        .route("/api/v1/referrals/{id}/accept", post(nrm_api::accept))
        .route("/api/v1/referrals/{id}/decline", post(nrm_api::decline))
        .route("/api/v1/referrals/{id}/complete", post(nrm_api::complete))
        .route("/api/v1/referrals/{id}/services", post(nrm_api::record_service))
        .route("/api/v1/cases/{id}/consents", get(nrm_api::consents).post(nrm_api::record_consent))
        .route("/api/v1/consents/{id}/withdraw", post(nrm_api::withdraw_consent))
        .route("/api/v1/cases/{id}/best-interests", post(nrm_api::best_interests))
        .route("/api/v1/cases/{id}/decisions", post(nrm_api::record_decision))
        .route("/api/v1/cases/{id}/person", axum::routing::put(nrm_api::set_person))
        .route("/api/v1/cases/{id}/timeline", get(nrm_api::timeline))
        .route("/api/v1/tips", get(nrm_api::list_tips).post(nrm_api::post_tip))
        .route("/api/v1/tips/{id}/triage", post(nrm_api::triage_tip))
        .route("/rounds", get(rounds_pages::rounds_page).post(rounds_pages::rounds_create))
        .route("/rounds/inbox", get(rounds_pages::inbox_page))
        .route("/rounds/{id}", get(rounds_pages::dashboard_page))
        .route("/rounds/{id}/extend", post(rounds_pages::extend_post))
        .route("/rounds/{id}/remind", post(rounds_pages::remind_post))
        .route("/rounds/{id}/compulsory", post(rounds_pages::compulsory_post))
        .route("/rounds/{id}/close", post(rounds_pages::close_post))
        .route("/rounds/{id}/answer", get(rounds_pages::answer_get).post(rounds_pages::answer_post))
        .route("/rounds/{id}/recipients/{agency}", get(rounds_pages::review_get).post(rounds_pages::review_post))
        .route("/api/v1/rounds", get(rounds_api::list_rounds).post(rounds_api::open_round))
        .route("/api/v1/rounds/templates", get(rounds_api::templates))
        .route("/api/v1/rounds/questionnaires", get(rounds_api::list_questionnaires).post(rounds_api::create_questionnaire))
        .route("/api/v1/rounds/inbox", get(rounds_api::inbox))
        .route("/api/v1/rounds/{id}", get(rounds_api::dashboard))
        .route("/api/v1/rounds/{id}/close", post(rounds_api::close))
        .route("/api/v1/rounds/{id}/compulsory", post(rounds_api::compulsory))
        .route("/api/v1/rounds/{id}/reminders", post(rounds_api::remind))
        .route("/api/v1/rounds/{id}/prefill", get(rounds_api::prefill))
        .route("/api/v1/rounds/{id}/submission", get(rounds_api::my_submission).put(rounds_api::save_draft))
        .route("/api/v1/rounds/{id}/submission/submit", post(rounds_api::submit))
        .route("/api/v1/rounds/{id}/submission/amend", post(rounds_api::amend))
        .route("/api/v1/rounds/{id}/recipients/{agency}", get(rounds_api::review))
        .route("/api/v1/rounds/{id}/recipients/{agency}/extend", post(rounds_api::extend))
        .route("/api/v1/rounds/{id}/recipients/{agency}/decision", post(rounds_api::decide))
        .route("/plans", get(plans_web::list_page).post(plans_web::create_post))
        .route("/plans/{id}", get(plans_web::dashboard_page))
        .route("/plans/{id}/print", get(plans_web::print_page))
        .route("/plans/{id}/{what}", post(plans_web::dashboard_post))
        .route("/api/v1/plans", get(plans_web::list_api).post(plans_web::create_api))
        .route("/api/v1/plans/{id}", get(plans_web::get_api))
        .route("/api/v1/plans/{id}/activities", post(plans_web::add_activity_api))
        .route("/api/v1/plans/{id}/activities/{activity}/progress", post(plans_web::progress_api))
        .route("/api/v1/plans/{id}/indicators", post(plans_web::add_indicator_api))
        .route("/api/v1/plans/{id}/indicators/{indicator}/values", post(plans_web::value_api))
        .route("/api/v1/plans/{id}/assessments", post(plans_web::assess_api))
        .route("/api/v1/plans/{id}/monitors", axum::routing::put(plans_web::monitors_api))
        .route("/api/v1/plans/{id}/report.html", get(plans_web::report_api))
        .route("/api/v1/plans/{id}/indicators.csv", get(plans_web::csv_api))
        .route("/api/v1/plans/{id}/indicators.xlsx", get(plans_web::xlsx_api))
        .merge(knowledge_web::routes())
        .route("/api/v1/indicators", get(estimates_api::indicators))
        .route("/api/v1/population", get(estimates_api::population).post(estimates_api::import_population))
        .route("/api/v1/estimates", get(estimates_api::list_estimates).post(estimates_api::run_estimate))
        .route("/api/v1/estimates/{id}", get(estimates_api::get_estimate))
        .route("/api/v1/estimates/{id}/rerun", post(estimates_api::rerun_estimate))
        .route("/api/v1/national/linkage/runs", post(national_api::run))
        .route("/api/v1/national/linkage/runs/latest", get(national_api::latest))
        .route("/api/v1/national/persons", get(national_api::persons))
        .route("/api/v1/national/review/pairs", get(national_api::review_pairs))
        .route("/api/v1/national/review/decisions", post(national_api::decide))
        .route("/api/v1/national/counts", get(national_api::counts))
        .route("/api/v1/national/linkage-setting", get(national_api::get_setting).put(national_api::put_setting))
        .fallback(error::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
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
