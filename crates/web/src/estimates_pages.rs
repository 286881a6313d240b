//! Pages of capability 6: the indicators page (tables and inline SVG bar
//! charts drawn on the server: no script, nothing from another host), the
//! population upload form, and the estimation page (lists, stratification,
//! criterion, bootstrap, seed → result with interval, models and warnings;
//! past runs; re-run).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use vigia_domain::ids::AgencyId;
use vigia_domain::taxonomy::Role;
use vigia_service::estimates::{EstimateRun, EstimateRunSummary, EstimateSpec, IndicatorReport, ListGroup, ListsSpec, PopulationYear, Stratify, MAX_BOOTSTRAP};

use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::estimates_api::{bucket_param, country_param, period_params, IndicatorQuery};
use crate::nrm_api::ms_to_rfc3339;
use crate::pages::{error_page, field, form_pairs, nav, render, Nav};
use crate::AppState;

/// One bar of a server-drawn chart (coordinates precomputed).
pub struct Bar {
    label: String,
    value: String,
    y: u32,
    text_y: u32,
    width: u32,
    /// Small count: drawn hatched-colour.
    caution: bool,
}

pub struct Chart {
    title: String,
    height: u32,
    bars: Vec<Bar>,
}

const BAR_H: u32 = 18;
const BAR_GAP: u32 = 6;
const BAR_MAX: f64 = 420.0;

fn chart(title: &str, items: &[(String, f64, String, bool)]) -> Chart {
    let max = items.iter().map(|i| i.1).fold(0.0f64, f64::max);
    let bars = items
        .iter()
        .enumerate()
        .map(|(n, (label, v, text, caution))| {
            let y = n as u32 * (BAR_H + BAR_GAP);
            Bar { label: label.clone(), value: text.clone(), y, text_y: y + BAR_H - 4, width: if max > 0.0 { (v / max * BAR_MAX).round().max(1.0) as u32 } else { 0 }, caution: *caution }
        })
        .collect();
    Chart { title: title.into(), height: items.len() as u32 * (BAR_H + BAR_GAP), bars }
}

pub struct RowOut {
    dimension: String,
    label: String,
    count: String,
    population: String,
    rate: String,
    note: String,
    caution: bool,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    nav: Option<Nav>,
    r: Option<IndicatorReport>,
    rows: Vec<RowOut>,
    charts: Vec<Chart>,
    series_chart: Option<Chart>,
    country: String,
    year: String,
    from: String,
    to: String,
    by: String,
    can_manage: bool,
    error: Option<String>,
}

fn fmt_rate(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{r:.2}"))
}

pub async fn indicators_page(State(st): State<AppState>, PageCaller(c): PageCaller, Query(q): Query<IndicatorQuery>) -> Response {
    let r: Result<IndicatorReport, ApiError> = async {
        let country = country_param(&c, q.country.as_deref())?;
        let period = period_params(q.year.as_deref(), q.from.as_deref(), q.to.as_deref(), st.vigia.today())?;
        let by = bucket_param(q.by.as_deref())?;
        Ok(st.vigia.indicators(&c.actor, country, period, by).await?)
    }
    .await;
    let (r, error) = match r {
        Ok(r) => (Some(r), None),
        Err(ApiError::Invalid(f)) => (None, Some(f.to_string())),
        Err(e) => return error_page(e),
    };
    let mut rows = Vec::new();
    let mut charts = Vec::new();
    let mut series_chart = None;
    if let Some(r) = &r {
        for x in &r.rows {
            rows.push(RowOut {
                dimension: match x.dimension {
                    "total" => "Total",
                    "sex" => "Sex",
                    "age_group" => "Age group",
                    "sex_age" => "Sex and age",
                    "age_bracket" => "Age bracket",
                    "form" => "Form of exploitation",
                    d => d,
                }
                .into(),
                label: x.label.clone(),
                count: x.count.to_string(),
                population: x.population.map_or("—".into(), |p| p.to_string()),
                rate: fmt_rate(x.rate),
                note: x.rate_refused.clone().or_else(|| x.caution.clone()).unwrap_or_default(),
                caution: x.caution.is_some(),
            });
        }
        for (dim, title) in [("sex_age", "Detected victims per 100,000 — by sex and age"), ("form", "Detected victims per 100,000 — by form of exploitation")] {
            let items: Vec<(String, f64, String, bool)> =
                r.rows.iter().filter(|x| x.dimension == dim).map(|x| (x.label.clone(), x.rate.unwrap_or(0.0), x.rate.map_or("rate refused".into(), |v| format!("{v:.2}")), x.caution.is_some())).collect();
            if !items.is_empty() {
                charts.push(chart(title, &items));
            }
        }
        let items: Vec<(String, f64, String, bool)> = r.rows.iter().filter(|x| x.dimension == "sex").map(|x| (x.label.clone(), x.count as f64, x.count.to_string(), x.caution.is_some())).collect();
        charts.push(chart("Detected victims — by sex (counts)", &items));
        if let Some(s) = &r.series {
            let items: Vec<(String, f64, String, bool)> = s.iter().map(|b| (b.period.clone(), b.identified as f64, format!("{} identified · {} referred · {} assisted", b.identified, b.referred, b.assisted), false)).collect();
            series_chart = Some(chart("Identified per period", &items));
        }
    }
    let t = IndicatorsPage {
        nav: nav(&c),
        rows,
        charts,
        series_chart,
        country: q.country.clone().unwrap_or_else(|| c.actor.country.code().to_string()),
        year: q.year.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        by: q.by.clone().unwrap_or_else(|| "month".into()),
        can_manage: c.actor.role == Role::Coordinator,
        error,
        r,
    };
    render(&t)
}

#[derive(Template)]
#[template(path = "population.html")]
struct PopulationPage {
    nav: Option<Nav>,
    csrf: String,
    years: Vec<PopulationYear>,
    error: Option<String>,
    notice: Option<String>,
    can_import: bool,
}

async fn render_population(st: &AppState, c: &Caller, error: Option<String>, notice: Option<String>) -> Response {
    match st.vigia.population(&c.actor, c.actor.country).await {
        Ok(years) => render(&PopulationPage { nav: nav(c), csrf: c.csrf().into(), years, error, notice, can_import: c.actor.role == Role::Coordinator }),
        Err(e) => error_page(e.into()),
    }
}

pub async fn population_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    render_population(&st, &c, None, None).await
}

pub async fn population_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    match st.vigia.import_population(&c.actor, field(&p, "csv"), field(&p, "source")).await {
        Ok(done) => {
            let years: Vec<String> = done.years.iter().map(i32::to_string).collect();
            render_population(&st, &c, None, Some(format!("Imported {} rows for {} ({}).", done.rows, done.country, years.join(", ")))).await
        }
        Err(vigia_service::ServiceError::Invalid(f)) => render_population(&st, &c, Some(format!("Nothing was imported: {f}")), None).await,
        Err(e) => error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "estimates.html")]
struct EstimatesPage {
    nav: Option<Nav>,
    csrf: String,
    runs: Vec<EstimateRunSummary>,
    agencies: Vec<(String, String)>,
    error: Option<String>,
    max_bootstrap: usize,
}

fn fmt_n(v: f64) -> String {
    if !v.is_finite() {
        return "unbounded".into();
    }
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl EstimatesPage {
    fn when(&self, ms: &i64) -> String {
        ms_to_rfc3339(*ms)
    }
    fn est(&self, e: &(String, Option<f64>, Option<f64>, Option<f64>)) -> String {
        match e.1 {
            Some(v) => format!("{}: {} [{} – {}]", e.0, fmt_n(v), e.2.map_or("?".into(), fmt_n), e.3.map_or("unbounded".into(), fmt_n)),
            None => format!("{}: refused", e.0),
        }
    }
}

async fn render_estimates(st: &AppState, c: &Caller, error: Option<String>) -> Response {
    let runs = match st.vigia.estimate_runs(&c.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(e.into()),
    };
    let agencies = match st.vigia.store().list_agencies().await {
        Ok(a) => {
            let mut v: Vec<(String, String)> = a.into_iter().filter(|a| a.country == c.actor.country).map(|a| (a.id.to_string(), a.name)).collect();
            v.sort_by(|a, b| a.1.cmp(&b.1));
            v
        }
        Err(_) => return error_page(ApiError::Internal),
    };
    render(&EstimatesPage { nav: nav(c), csrf: c.csrf().into(), runs, agencies, error, max_bootstrap: MAX_BOOTSTRAP })
}

pub async fn estimates_page(State(st): State<AppState>, PageCaller(c): PageCaller) -> Response {
    render_estimates(&st, &c, None).await
}

/// Groups from the form: each agency's select names group 1 to 10, or none.
fn spec_from_form(p: &[(String, String)], agencies: &[(String, String)]) -> Result<EstimateSpec, ApiError> {
    let bad = |f: &str, m: &str| {
        let mut e = vigia_domain::FieldErrors::default();
        e.push(f, m);
        ApiError::Invalid(e)
    };
    let lists = match field(p, "lists") {
        "per_agency" | "" => ListsSpec::PerAgency,
        "per_agency_kind" => ListsSpec::PerAgencyKind,
        "groups" => {
            let mut groups: Vec<ListGroup> = (1..=10).map(|i| ListGroup { name: format!("Group {i}"), agencies: Vec::new() }).collect();
            for (id, _) in agencies {
                let g = field(p, &format!("group_{id}"));
                if g.is_empty() {
                    continue;
                }
                let n: usize = g.parse().map_err(|_| bad("groups", "choose a group from 1 to 10"))?;
                let a: AgencyId = id.parse().map_err(|_| bad("groups", "not an agency id"))?;
                groups.get_mut(n.wrapping_sub(1)).ok_or_else(|| bad("groups", "choose a group from 1 to 10"))?.agencies.push(a);
            }
            for (i, g) in groups.iter_mut().enumerate() {
                let name = field(p, &format!("group_name_{}", i + 1)).trim();
                if !name.is_empty() {
                    g.name = name.to_string();
                }
            }
            ListsSpec::Groups { groups: groups.into_iter().filter(|g| !g.agencies.is_empty()).collect() }
        }
        _ => return Err(bad("lists", "choose how lists are formed")),
    };
    let stratify = Stratify::parse(field(p, "stratify")).ok_or_else(|| bad("stratify", "choose a stratification"))?;
    let criterion = match field(p, "criterion") {
        "aic" => vigia_service::estimates::Criterion::Aic,
        _ => vigia_service::estimates::Criterion::Bic,
    };
    let bootstrap = field(p, "bootstrap").trim().parse().map_err(|_| bad("bootstrap", "a whole number"))?;
    let seed = field(p, "seed").trim().parse().map_err(|_| bad("seed", "a whole number"))?;
    let max_order = if field(p, "max_order") == "3" { 3 } else { 2 };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(EstimateSpec { lists, stratify, from: opt(field(p, "from")), to: opt(field(p, "to")), criterion, bootstrap, seed, max_order })
}

pub async fn estimates_post(State(st): State<AppState>, PageCaller(c): PageCaller, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    let agencies: Vec<(String, String)> = match st.vigia.store().list_agencies().await {
        Ok(a) => a.into_iter().filter(|a| a.country == c.actor.country).map(|a| (a.id.to_string(), a.name)).collect(),
        Err(_) => return error_page(ApiError::Internal),
    };
    let spec = match spec_from_form(&p, &agencies) {
        Ok(s) => s,
        Err(ApiError::Invalid(f)) => return render_estimates(&st, &c, Some(format!("Not run: {f}"))).await,
        Err(e) => return error_page(e),
    };
    match st.vigia.run_estimate(&c.actor, spec).await {
        Ok(run) => Redirect::to(&format!("/estimates/{}", run.id)).into_response(),
        Err(vigia_service::ServiceError::Invalid(f)) => render_estimates(&st, &c, Some(format!("Not run: {f}"))).await,
        Err(vigia_service::ServiceError::Refused(m)) => render_estimates(&st, &c, Some(format!("Not run: {m}"))).await,
        Err(e) => error_page(e.into()),
    }
}

pub struct CandidateOut {
    model: String,
    verdict: String,
    reason: String,
    aic: String,
    bic: String,
    estimate: String,
    selected: bool,
}

pub struct StratumOut {
    stratum: String,
    observed: u64,
    table: Vec<(String, u64)>,
    estimate: Option<String>,
    interval: String,
    interval_method: String,
    hidden: String,
    model: String,
    method: String,
    warnings: Vec<String>,
    refusal: Option<String>,
    candidates: Vec<CandidateOut>,
    chart: Option<Chart>,
}

#[derive(Template)]
#[template(path = "estimates_run.html")]
struct RunPage {
    nav: Option<Nav>,
    csrf: String,
    run: EstimateRun,
    when: String,
    strata: Vec<StratumOut>,
    lists: Vec<(String, String, u64)>,
}

fn stratum_out(s: &vigia_service::estimates::StratumRun) -> StratumOut {
    let table = s.table.as_ref().map_or_else(Vec::new, |t| (1..(1u32 << t.num_lists())).map(|p| (t.pattern_name(p), t.count(p))).collect());
    let (estimate, interval, interval_method, hidden, model, method, warnings, candidates, chart) = match &s.result {
        Some(r) => {
            let cands: Vec<CandidateOut> = r
                .candidates
                .iter()
                .take(40)
                .map(|m| CandidateOut {
                    model: if m.model.is_empty() { "independence".into() } else { m.model.join(" + ") },
                    verdict: m.verdict.label().into(),
                    reason: m.reason.clone().unwrap_or_default(),
                    aic: m.aic.map_or("—".into(), |v| format!("{v:.1}")),
                    bic: m.bic.map_or("—".into(), |v| format!("{v:.1}")),
                    estimate: m.estimate.map_or("—".into(), fmt_n),
                    selected: m.selected,
                })
                .collect();
            let items: Vec<(String, f64, String, bool)> = vec![
                ("Observed".into(), r.observed as f64, fmt_n(r.observed as f64), false),
                ("Interval low".into(), r.ci_low, fmt_n(r.ci_low), false),
                ("Estimate".into(), r.estimate, fmt_n(r.estimate), false),
                ("Interval high".into(), if r.ci_high.is_finite() { r.ci_high } else { r.estimate * 2.0 }, fmt_n(r.ci_high), !r.ci_high.is_finite()),
            ];
            (
                Some(fmt_n(r.estimate)),
                format!("{} – {} ({:.0}% interval)", fmt_n(r.ci_low), fmt_n(r.ci_high), r.confidence * 100.0),
                r.interval_method.clone(),
                fmt_n(r.hidden),
                if r.model.is_empty() { "independence (main effects only)".into() } else { r.model.join(" + ") },
                r.method.clone(),
                r.warnings.clone(),
                cands,
                Some(chart("Observed, interval and estimate", &items)),
            )
        }
        None => (None, String::new(), String::new(), String::new(), String::new(), String::new(), Vec::new(), Vec::new(), None),
    };
    StratumOut { stratum: s.stratum.clone(), observed: s.observed, table, estimate, interval, interval_method, hidden, model, method, warnings, refusal: s.refusal.clone(), candidates, chart }
}

async fn render_run(c: &Caller, run: EstimateRun) -> Response {
    let strata = run.strata.iter().map(stratum_out).collect();
    let lists = run.lists.iter().map(|l| (l.code.clone(), l.name.clone(), l.units)).collect();
    render(&RunPage { nav: nav(c), csrf: c.csrf().into(), when: ms_to_rfc3339(run.created_at_ms), strata, lists, run })
}

pub async fn run_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>) -> Response {
    match st.vigia.estimate_run(&c.actor, &id).await {
        Ok(run) => render_run(&c, run).await,
        Err(e) => error_page(e.into()),
    }
}

pub async fn rerun_post(State(st): State<AppState>, PageCaller(c): PageCaller, Path(id): Path<String>, body: Bytes) -> Response {
    let p = form_pairs(&body);
    if let Err(e) = c.check_csrf(Some(field(&p, "csrf"))) {
        return error_page(e);
    }
    match st.vigia.rerun_estimate(&c.actor, &id).await {
        Ok(run) => Redirect::to(&format!("/estimates/{}", run.id)).into_response(),
        Err(e) => error_page(e.into()),
    }
}
