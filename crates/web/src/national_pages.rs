//! Pages of national de-duplication: the national page (run linkage, last
//! run, persons beside records with breakdowns and bar charts drawn as inline
//! SVG on the server; each agency's clear-text setting for its administrator)
//! and the clerical-review page (coordinators with an identity grant only).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use vigia_domain::ids::CaseId;
use vigia_domain::national::Verdict;
use vigia_domain::policy::{authorize, Action, Resource};
use vigia_domain::taxonomy::{ExploitationKind, Sex};

use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::national_api::{pair_out, run_out, CountsOut, ReviewPairOut, RunOut};
use crate::pages::{error_page, field, form_pairs, nav, render, Nav};
use crate::AppState;

/// One breakdown: its title, table rows (label, persons, records) and chart.
pub struct Breakdown {
    title: &'static str,
    rows: Vec<(String, u64, u64)>,
    svg: String,
}

#[derive(Template)]
#[template(path = "national.html")]
struct NationalPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<String>,
    coordinator: bool,
    can_review: bool,
    run: Option<RunOut>,
    agency_names: Vec<(String, String, u64, bool)>,
    counts: Option<CountsOut>,
    breakdowns: Vec<Breakdown>,
    is_admin: bool,
    clear_text_allowed: bool,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart: per line, persons (dark) over records (light).
pub fn bar_chart(title: &str, rows: &[(String, u64, u64)]) -> String {
    let rows: Vec<&(String, u64, u64)> = rows.iter().take(12).collect();
    let max = rows.iter().map(|r| r.1.max(r.2)).max().unwrap_or(0).max(1) as f64;
    let (label_w, bar_w, row_h) = (170.0, 360.0, 26.0);
    let h = 30.0 + row_h * rows.len() as f64;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title>"#,
        w = label_w + bar_w + 90.0,
        t = esc(title)
    );
    s.push_str(r##"<rect x="170" y="4" width="10" height="10" fill="#1f5f8b"/><text x="184" y="13">persons</text><rect x="250" y="4" width="10" height="10" fill="#b7d3e8"/><text x="264" y="13">records</text>"##);
    for (i, (label, persons, records)) in rows.iter().enumerate() {
        let y = 24.0 + row_h * i as f64;
        let wr = bar_w * *records as f64 / max;
        let wp = bar_w * *persons as f64 / max;
        s.push_str(&format!(
            r##"<text x="{lx}" y="{ty}" text-anchor="end">{l}</text><rect x="{label_w}" y="{y}" width="{wr:.1}" height="18" fill="#b7d3e8"/><rect x="{label_w}" y="{y2}" width="{wp:.1}" height="10" fill="#1f5f8b"/><text x="{nx:.1}" y="{ty}">{persons} / {records}</text>"##,
            lx = label_w - 6.0,
            ty = y + 13.0,
            l = esc(label),
            y2 = y + 4.0,
            nx = label_w + wr.max(wp) + 6.0,
        ));
    }
    s.push_str("</svg>");
    s
}

fn label_sex(code: &str) -> String {
    Sex::parse(code).map(|s| s.label().to_string()).unwrap_or_else(|_| code.to_string())
}

fn label_age(code: &str) -> String {
    match code {
        "child" => "Child (under 18)".into(),
        "adult" => "Adult".into(),
        _ => "Unknown".into(),
    }
}

fn label_form(code: &str) -> String {
    ExploitationKind::parse(code).map(|k| k.label().to_string()).unwrap_or_else(|_| if code == "other" { "Other".into() } else { code.to_string() })
}

fn label_country(code: &str) -> String {
    vigia_domain::geo::Country::parse(code).map(|c| format!("{} ({code})", c.name())).unwrap_or_else(|_| "Unknown".into())
}

fn breakdown(title: &'static str, lines: &[crate::national_api::CountLineOut], label: fn(&str) -> String) -> Breakdown {
    let rows: Vec<(String, u64, u64)> = lines.iter().map(|l| (label(&l.code), l.persons, l.records)).collect();
    Breakdown { title, svg: bar_chart(title, &rows), rows }
}

async fn render_national(st: &AppState, c: &Caller, notice: Option<String>) -> Result<Response, ApiError> {
    let own = Resource::Agency { agency_id: c.actor.agency_id, country: c.actor.country };
    let coordinator = authorize(&c.actor, Action::RunLinkage, &own).is_allowed();
    let is_admin = authorize(&c.actor, Action::SetLinkageConsent, &own).is_allowed();
    if !coordinator && !is_admin {
        return Err(ApiError::Forbidden("the national page is for coordinators and agency administrators"));
    }
    let can_review = authorize(&c.actor, Action::ReviewLinkage, &own).is_allowed();
    let (mut run, mut counts, mut agency_names, mut breakdowns) = (None, None, Vec::new(), Vec::new());
    if coordinator {
        if let Some((r, n)) = st.vigia.national_counts(&c.actor).await? {
            let all = st.vigia.store().list_agencies().await.map_err(|e| ApiError::from(vigia_service::ServiceError::from(e)))?;
            agency_names = r
                .agencies
                .iter()
                .map(|a| (all.iter().find(|x| x.id == a.agency_id).map(|x| x.name.clone()).unwrap_or_default(), a.agency_id.to_string(), a.records, a.clear_text_allowed))
                .collect();
            let co = crate::national_api::counts_out(&r, n);
            breakdowns = vec![
                breakdown("By sex", &co.by_sex, label_sex),
                breakdown("By age group (at first identification)", &co.by_age_group, label_age),
                breakdown("By form of exploitation", &co.by_exploitation, label_form),
                breakdown("By citizenship", &co.by_citizenship, label_country),
            ];
            counts = Some(co);
            run = Some(run_out(r));
        }
    }
    let clear_text_allowed = st.vigia.linkage_setting(c.actor.agency_id).await?;
    Ok(render(&NationalPage { nav: nav(c), csrf: c.csrf().to_string(), notice, coordinator, can_review, run, agency_names, counts, breakdowns, is_admin, clear_text_allowed }))
}

pub async fn national_page(State(st): State<AppState>, PageCaller(c): PageCaller, q: axum::extract::Query<std::collections::HashMap<String, String>>) -> Response {
    let notice = match q.get("done").map(String::as_str) {
        Some("run") => Some("Linkage run finished.".to_string()),
        Some("setting") => Some("Setting saved.".to_string()),
        _ => None,
    };
    render_national(&st, &c, notice).await.unwrap_or_else(error_page)
}

pub async fn run_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    match st.vigia.run_linkage(&c.actor).await {
        Ok(_) => Redirect::to("/national?done=run").into_response(),
        Err(e) => error_page(e.into()),
    }
}

pub async fn setting_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    match st.vigia.set_linkage_setting(&c.actor, field(&p, "clear_text_allowed") == "yes").await {
        Ok(()) => Redirect::to("/national?done=setting").into_response(),
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "national_review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<String>,
    run: Option<RunOut>,
    pairs: Vec<ReviewPairOut>,
    agencies: Vec<(String, String)>,
}

impl ReviewPage {
    fn agency(&self, id: &str) -> String {
        self.agencies.iter().find(|a| a.0 == id).map(|a| a.1.clone()).unwrap_or_default()
    }
}

pub async fn review_page(State(st): State<AppState>, PageCaller(c): PageCaller, q: axum::extract::Query<std::collections::HashMap<String, String>>) -> Response {
    let r: Result<Response, ApiError> = async {
        // The policy check (and its audit on denial) comes first: nothing is read before.
        let pairs = st.vigia.review_pairs(&c.actor, 20).await?;
        let run = st.vigia.latest_linkage_run(&c.actor).await?.map(run_out);
        let all = st.vigia.store().list_agencies().await.map_err(|e| ApiError::from(vigia_service::ServiceError::from(e)))?;
        let notice = q.get("done").map(|_| "Decision saved; persons recomputed.".to_string());
        Ok(render(&ReviewPage {
            nav: nav(&c),
            csrf: c.csrf().to_string(),
            notice,
            run,
            pairs: pairs.into_iter().map(pair_out).collect(),
            agencies: all.into_iter().map(|a| (a.id.to_string(), a.name)).collect(),
        }))
    }
    .await;
    r.unwrap_or_else(error_page)
}

pub async fn review_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let r: Result<(), ApiError> = async {
        let a: CaseId = field(&p, "a").parse().map_err(|_| ApiError::NotFound)?;
        let b: CaseId = field(&p, "b").parse().map_err(|_| ApiError::NotFound)?;
        let v = Verdict::parse(field(&p, "verdict")).ok_or(ApiError::BadRequest("verdict must be same or different".into()))?;
        st.vigia.review_decision(&c.actor, a, b, v).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/national/review?done=1").into_response(),
        Err(e) => error_page(e),
    }
}
