//! Who is calling: a bearer token (API clients) or a session cookie (people).
//!
//! Session cookies are `HttpOnly; SameSite=Strict`; state-changing requests made
//! with a session must carry the session's CSRF token (form field or
//! `X-CSRF-Token` header) and, when the browser sends an `Origin`, come from
//! this site.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Redirect, Response};
use vigia_domain::policy::Actor;
use vigia_service::User;

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "vigia_session";

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Token,
    Session { csrf: String, cookie: String },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub user: User,
    pub via: Via,
}

impl Caller {
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }

    /// For state-changing requests: a session needs its CSRF token.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), ApiError> {
        match &self.via {
            Via::Token => Ok(()),
            Via::Session { csrf, .. } if presented.is_some_and(|p| constant_eq(p.as_bytes(), csrf.as_bytes())) => Ok(()),
            Via::Session { .. } => Err(ApiError::Forbidden("missing or wrong CSRF token")),
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Refuse cross-site state-changing requests (defence in depth beside CSRF tokens).
pub fn same_origin(parts: &Parts) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    match parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site") | Some("same-site") => return false,
        // The browser vouches for the request's origin (even when it sends `Origin: null`).
        Some("same-origin") => return true,
        _ => {}
    }
    match (parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), parts.headers.get(header::HOST).and_then(|v| v.to_str().ok())) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(ApiError::Unauthenticated)?;
        return match state.vigia.actor_for_token(token.trim()).await? {
            Some((actor, user)) => Ok(Some(Caller { actor, user, via: Via::Token })),
            None => Err(ApiError::Unauthenticated),
        };
    }
    if let Some(cookie) = cookie_value(parts, SESSION_COOKIE) {
        if let Some((actor, user, session)) = state.vigia.session(&cookie).await? {
            if !same_origin(parts) {
                return Err(ApiError::Forbidden("cross-site request refused"));
            }
            return Ok(Some(Caller { actor, user, via: Via::Session { csrf: session.csrf_token, cookie } }));
        }
    }
    Ok(None)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await?.ok_or(ApiError::Unauthenticated)
    }
}

/// A caller of a page: without a session, the browser is sent to the login page.
pub struct PageCaller(pub Caller);

pub enum PageRejection {
    Login,
    Api(ApiError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login => Redirect::to("/login").into_response(),
            PageRejection::Api(e) => crate::pages::error_page(e),
        }
    }
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = PageRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match resolve(parts, state).await {
            Ok(Some(c)) => Ok(PageCaller(c)),
            Ok(None) | Err(ApiError::Unauthenticated) => Err(PageRejection::Login),
            Err(e) => Err(PageRejection::Api(e)),
        }
    }
}

pub fn session_cookie(value: &str, secure: bool, max_age: i64) -> String {
    format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{}", if secure { "; Secure" } else { "" })
}
