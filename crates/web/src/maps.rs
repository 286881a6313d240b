//! Routes and maps: the corridor and place APIs (JSON or GeoJSON), the place
//! picker's search and reverse lookup, the map pages (SVG drawn on the server)
//! and the data attribution page. Nothing here loads from another host.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use vigia_domain::case::parse_iso_date;
use vigia_domain::policy::Actor;
use vigia_domain::taxonomy::{AgencyKind, ExploitationKind, Role, Sex};
use vigia_domain::FieldErrors;
use vigia_geo::gazetteer::{gazetteer, Hit, Lang, Reverse};
use vigia_geo::routes::{flows, Corridor, Level};
use vigia_geo::svg::{choropleth, flow_map, Area, Choropleth, FlowMap};
use vigia_service::routes::{AgeGroup, RouteAggregate, RouteQuery};

use crate::auth::{Caller, PageCaller};
use crate::error::ApiError;
use crate::pages::{error_page, nav, render, Nav};
use crate::AppState;

/// Filters of the corridor and place aggregates (all optional).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// Identified on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Identified on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// Sex code (`female`, `male`, ...).
    pub sex: Option<String>,
    /// `child`, `adult` or `unknown`.
    pub age_group: Option<String>,
    /// Form of exploitation code.
    pub exploitation: Option<String>,
    /// Kind of the identifying agency.
    pub agency_kind: Option<String>,
    /// Only routes that touch this country or subdivision code.
    pub place: Option<String>,
    /// `country` (default) or `subdivision`.
    pub level: Option<String>,
    /// `json` (default) or `geojson`.
    pub format: Option<String>,
    /// At most this many corridors (default all).
    pub limit: Option<usize>,
}

fn nonempty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A valid country or subdivision code, upper case.
fn place_code(s: &str) -> Option<String> {
    let up = s.trim().to_ascii_uppercase();
    let g = gazetteer();
    (g.country(&up).is_some() && !up.contains('-') || g.subdivision(&up).is_some()).then_some(up)
}

impl MapQuery {
    pub fn parse(&self) -> Result<RouteQuery, ApiError> {
        let mut e = FieldErrors::default();
        let mut q = RouteQuery::default();
        if let Some(s) = nonempty(&self.from) {
            q.from = parse_iso_date(s).map_err(|_| e.push("from", "must be a date YYYY-MM-DD")).ok();
        }
        if let Some(s) = nonempty(&self.to) {
            q.to = parse_iso_date(s).map_err(|_| e.push("to", "must be a date YYYY-MM-DD")).ok();
        }
        if let Some(s) = nonempty(&self.sex) {
            q.sex = Sex::parse(s).map_err(|_| e.push("sex", "unknown sex code")).ok();
        }
        if let Some(s) = nonempty(&self.age_group) {
            q.age_group = AgeGroup::parse(s);
            if q.age_group.is_none() {
                e.push("age_group", "must be child, adult or unknown");
            }
        }
        if let Some(s) = nonempty(&self.exploitation) {
            q.exploitation = ExploitationKind::parse(s).map_err(|_| e.push("exploitation", "unknown form of exploitation")).ok();
        }
        if let Some(s) = nonempty(&self.agency_kind) {
            q.agency_kind = AgencyKind::parse(s).map_err(|_| e.push("agency_kind", "unknown agency kind")).ok();
        }
        if let Some(s) = nonempty(&self.place) {
            q.place = place_code(s);
            if q.place.is_none() {
                e.push("place", "not an ISO 3166-1 or ISO 3166-2 code");
            }
        }
        if let Some(s) = nonempty(&self.level) {
            match Level::parse(s) {
                Some(l) => q.level = l,
                None => e.push("level", "must be country or subdivision"),
            }
        }
        if let Some(s) = nonempty(&self.format) {
            if s != "json" && s != "geojson" {
                e.push("format", "must be json or geojson");
            }
        }
        if e.is_empty() {
            Ok(q)
        } else {
            Err(ApiError::Invalid(e))
        }
    }

    fn geojson(&self) -> bool {
        nonempty(&self.format) == Some("geojson")
    }

    /// The filters as a query string (for links that keep them), without `place`.
    fn keep(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("sex", &self.sex),
            ("age_group", &self.age_group),
            ("exploitation", &self.exploitation),
            ("agency_kind", &self.agency_kind),
        ] {
            if let Some(v) = nonempty(v) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

/// One corridor in the API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CorridorOut {
    pub origin: String,
    pub origin_name: String,
    pub destination: String,
    pub destination_name: String,
    pub transit: Vec<String>,
    pub cases: u64,
    pub international: bool,
}

/// Corridors and route counts.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CorridorsOut {
    /// `agency`, `country` or `all`: which cases the figures cover.
    pub scope: String,
    pub scope_country: Option<String>,
    pub level: String,
    pub cases: u64,
    pub cases_with_route: u64,
    pub distinct_routes: u64,
    pub internal: u64,
    pub international: u64,
    pub places: u64,
    pub corridors: Vec<CorridorOut>,
}

/// Cases per place code and role.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlacesOut {
    pub scope: String,
    pub level: String,
    pub cases: u64,
    pub origin: BTreeMap<String, u64>,
    pub transit: BTreeMap<String, u64>,
    pub destination: BTreeMap<String, u64>,
    pub citizenship: BTreeMap<String, u64>,
}

fn corridor_out(c: &Corridor) -> CorridorOut {
    let g = gazetteer();
    CorridorOut {
        origin_name: g.name_of(&c.origin, Lang::En),
        destination_name: g.name_of(&c.destination, Lang::En),
        origin: c.origin.clone(),
        destination: c.destination.clone(),
        transit: c.transit.clone(),
        cases: c.cases,
        international: c.international,
    }
}

fn point(code: &str) -> Option<serde_json::Value> {
    gazetteer().anchor_of(code).map(|(lon, lat)| json!([(lon * 1e4).round() / 1e4, (lat * 1e4).round() / 1e4]))
}

fn geojson_response(v: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], v.to_string()).into_response()
}

async fn aggregate(st: &AppState, actor: &Actor, q: &RouteQuery) -> Result<RouteAggregate, ApiError> {
    Ok(st.vigia.route_aggregate(actor, q).await?)
}

/// Corridors (origin → transit → destination) with case counts, largest first.
/// `format=geojson` answers a FeatureCollection of LineStrings through the places' centroids.
#[utoipa::path(get, path = "/api/v1/routes/corridors", params(MapQuery),
    responses((status = 200, body = CorridorsOut), (status = 403), (status = 422)))]
pub async fn corridors_api(State(st): State<AppState>, caller: Caller, Query(mq): Query<MapQuery>) -> Result<Response, ApiError> {
    let q = mq.parse()?;
    let a = aggregate(&st, &caller.actor, &q).await?;
    let s = &a.summary;
    let limit = mq.limit.unwrap_or(usize::MAX);
    if mq.geojson() {
        let features: Vec<serde_json::Value> = s
            .corridors
            .iter()
            .take(limit)
            .filter_map(|c| {
                let mut coords = vec![point(&c.origin)?];
                for t in &c.transit {
                    coords.extend(point(t));
                }
                coords.push(point(&c.destination)?);
                Some(json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": corridor_out(c)}))
            })
            .collect();
        return Ok(geojson_response(json!({"type": "FeatureCollection", "features": features})));
    }
    Ok(Json(CorridorsOut {
        scope: a.scope.to_string(),
        scope_country: a.scope_country.clone(),
        level: s.level.to_string(),
        cases: s.cases,
        cases_with_route: s.cases_with_route,
        distinct_routes: s.distinct_routes,
        internal: s.internal,
        international: s.international,
        places: s.places,
        corridors: s.corridors.iter().take(limit).map(corridor_out).collect(),
    })
    .into_response())
}

/// Cases per place: origin, transit, place of exploitation, and citizenship.
/// `format=geojson` answers a FeatureCollection of Points (one per place).
#[utoipa::path(get, path = "/api/v1/routes/places", params(MapQuery),
    responses((status = 200, body = PlacesOut), (status = 403), (status = 422)))]
pub async fn places_api(State(st): State<AppState>, caller: Caller, Query(mq): Query<MapQuery>) -> Result<Response, ApiError> {
    let q = mq.parse()?;
    let a = aggregate(&st, &caller.actor, &q).await?;
    let c = &a.summary.counts;
    if mq.geojson() {
        let mut codes: Vec<&String> = c.origin.keys().chain(c.transit.keys()).chain(c.destination.keys()).chain(c.citizenship.keys()).collect();
        codes.sort();
        codes.dedup();
        let g = gazetteer();
        let get = |m: &BTreeMap<String, u64>, k: &str| m.get(k).copied().unwrap_or(0);
        let features: Vec<serde_json::Value> = codes
            .into_iter()
            .filter_map(|k| {
                Some(json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": point(k)?}, "properties": {
                    "code": k, "name": g.name_of(k, Lang::En), "origin": get(&c.origin, k), "transit": get(&c.transit, k),
                    "destination": get(&c.destination, k), "citizenship": get(&c.citizenship, k)}}))
            })
            .collect();
        return Ok(geojson_response(json!({"type": "FeatureCollection", "features": features})));
    }
    Ok(Json(PlacesOut {
        scope: a.scope.to_string(),
        level: a.summary.level.to_string(),
        cases: a.summary.cases,
        origin: c.origin.clone(),
        transit: c.transit.clone(),
        destination: c.destination.clone(),
        citizenship: c.citizenship.clone(),
    })
    .into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What was typed (accents and case ignored).
    pub q: String,
    /// Only places in this country (alpha-2).
    pub country: Option<String>,
    /// `en`, `es`, `pt` or `fr`.
    pub lang: Option<String>,
    /// At most this many hits (default 10, at most 50).
    pub limit: Option<usize>,
}

/// One place picker suggestion.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HitOut {
    /// `country`, `subdivision` or `place`.
    pub kind: String,
    pub name: String,
    pub label: String,
    pub country: String,
    pub subdivision: Option<String>,
    pub municipality: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

fn hit_out(h: Hit) -> HitOut {
    HitOut {
        kind: serde_json::to_value(h.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        name: h.name,
        label: h.label,
        country: h.country,
        subdivision: h.subdivision,
        municipality: h.municipality,
        lat: h.lat,
        lon: h.lon,
    }
}

/// Type-ahead search of the gazetteer (countries, subdivisions, places of 15,000+), offline.
#[utoipa::path(get, path = "/api/v1/places/search", params(SearchQuery), responses((status = 200, body = [HitOut]), (status = 401)))]
pub async fn search_api(_caller: Caller, Query(q): Query<SearchQuery>) -> Json<Vec<HitOut>> {
    let lang = Lang::parse(q.lang.as_deref().unwrap_or("en"));
    let limit = q.limit.unwrap_or(10).min(50);
    let country = q.country.as_deref().map(str::trim).filter(|c| c.len() == 2);
    Json(gazetteer().search(&q.q, country, lang, limit).into_iter().map(hit_out).collect())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReverseQuery {
    pub lat: f64,
    pub lon: f64,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReverseOut {
    pub country: String,
    pub subdivision: Option<String>,
    pub municipality: Option<String>,
}

/// The country and first-level subdivision containing a point (404 at sea).
#[utoipa::path(get, path = "/api/v1/places/reverse", params(ReverseQuery), responses((status = 200, body = ReverseOut), (status = 404), (status = 401)))]
pub async fn reverse_api(_caller: Caller, Query(q): Query<ReverseQuery>) -> Result<Json<ReverseOut>, ApiError> {
    let r: Reverse = gazetteer().reverse(q.lat, q.lon).ok_or(ApiError::NotFound)?;
    Ok(Json(ReverseOut { country: r.country, subdivision: r.subdivision, municipality: r.municipality }))
}

// ----- pages -----

/// A filter select: name, label, options (code, label), selected.
pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<(String, String)>,
    pub selected: String,
}

fn selects(mq: &MapQuery) -> Vec<Select> {
    let sel = |o: &Option<String>| nonempty(o).unwrap_or("").to_string();
    vec![
        Select { name: "sex", label: "Sex", options: Sex::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(), selected: sel(&mq.sex) },
        Select {
            name: "age_group",
            label: "Age group",
            options: vec![("child".into(), "Children (under 18)".into()), ("adult".into(), "Adults".into()), ("unknown".into(), "Age unknown".into())],
            selected: sel(&mq.age_group),
        },
        Select {
            name: "exploitation",
            label: "Form of exploitation",
            options: ExploitationKind::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(),
            selected: sel(&mq.exploitation),
        },
        Select {
            name: "agency_kind",
            label: "Identifying agency",
            options: AgencyKind::ALL.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(),
            selected: sel(&mq.agency_kind),
        },
    ]
}

/// One line of the top-corridors table.
pub struct CorridorLine {
    pub origin: String,
    pub via: String,
    pub destination: String,
    pub cases: u64,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "maps.html")]
struct MapsPage {
    nav: Option<Nav>,
    scope: String,
    from: String,
    to: String,
    selects: Vec<Select>,
    place: Option<(String, String)>,
    keep: String,
    cases: u64,
    with_route: u64,
    distinct_routes: u64,
    internal: u64,
    international: u64,
    places: u64,
    top: Vec<CorridorLine>,
    flow_svg: String,
    citizenship_svg: String,
    destination_svg: String,
    countries: Vec<(String, String, u64)>,
}

#[derive(Template)]
#[template(path = "maps_country.html")]
struct CountryPage {
    nav: Option<Nav>,
    code: String,
    name: String,
    scope: String,
    keep: String,
    place: Option<(String, String)>,
    cases: u64,
    top: Vec<CorridorLine>,
    destination_svg: String,
    origin_svg: String,
    flow_svg: String,
}

#[derive(Template)]
#[template(path = "maps_data.html")]
struct DataPage {
    nav: Option<Nav>,
    countries: usize,
    subdivisions: usize,
    places: usize,
}

fn scope_text(a: &RouteAggregate) -> String {
    match (a.scope, &a.scope_country) {
        ("agency", _) => "your agency's cases".into(),
        ("country", Some(c)) => format!("cases recorded in {}", gazetteer().country_name(c, Lang::En)),
        _ => "every case in this Vigia (aggregates only)".into(),
    }
}

fn lines(corridors: &[Corridor], n: usize) -> Vec<CorridorLine> {
    let g = gazetteer();
    corridors
        .iter()
        .take(n)
        .map(|c| CorridorLine {
            origin: g.name_of(&c.origin, Lang::En),
            via: c.transit.iter().map(|t| g.name_of(t, Lang::En)).collect::<Vec<_>>().join(" → "),
            destination: g.name_of(&c.destination, Lang::En),
            cases: c.cases,
            kind: if c.international { "international" } else { "internal" },
        })
        .collect()
}

fn with(keep: &str, extra: &str) -> String {
    match (keep.is_empty(), extra.is_empty()) {
        (true, _) => extra.to_string(),
        (false, true) => keep.to_string(),
        (false, false) => format!("{keep}&{extra}"),
    }
}

fn subtitle(a: &RouteAggregate, q: &RouteQuery) -> String {
    let mut s = format!("{} cases: {}", a.summary.cases, scope_text(a));
    if let Some(p) = &q.place {
        s.push_str(&format!("; routes through {}", gazetteer().name_of(p, Lang::En)));
    }
    s
}

/// The maps dashboard: filters, figures, world flow map, world choropleths.
pub async fn maps_page(State(st): State<AppState>, PageCaller(c): PageCaller, Query(mq): Query<MapQuery>) -> Response {
    let q = match mq.parse() {
        Ok(q) => RouteQuery { level: Level::Country, ..q },
        Err(e) => return error_page(e),
    };
    let a = match aggregate(&st, &c.actor, &q).await {
        Ok(a) => a,
        Err(e) => return error_page(e),
    };
    let keep = mq.keep();
    let s = &a.summary;
    let sub = subtitle(&a, &q);
    let link = |code: &str| format!("/maps?{}", with(&keep, &format!("place={code}")));
    let fl = flows(&s.corridors);
    let flink = |c: &Corridor| format!("/maps?{}", with(&keep, &format!("place={}", c.origin)));
    let flow_svg = flow_map(&FlowMap {
        id: "flows-world",
        title: "Trafficking corridors: origin → place of exploitation",
        subtitle: &sub,
        area: Area::World,
        flows: &fl,
        max_flows: 60,
        link: &flink,
        lang: Lang::En,
        width: 960.0,
    });
    let citizenship_svg = choropleth(&Choropleth {
        id: "choropleth-citizenship",
        title: "Victims by citizenship",
        subtitle: &sub,
        area: Area::World,
        values: &s.counts.citizenship,
        measure: "victims",
        link: &link,
        lang: Lang::En,
        width: 960.0,
    });
    let destination_svg = choropleth(&Choropleth {
        id: "choropleth-exploitation",
        title: "Victims by country of exploitation",
        subtitle: &sub,
        area: Area::World,
        values: &s.counts.destination,
        measure: "victims",
        link: &link,
        lang: Lang::En,
        width: 960.0,
    });
    let g = gazetteer();
    let mut countries: BTreeMap<String, u64> = BTreeMap::new();
    for (k, v) in s.counts.origin.iter().chain(s.counts.destination.iter()) {
        *countries.entry(k.clone()).or_default() += v;
    }
    let mut countries: Vec<(String, String, u64)> = countries.into_iter().map(|(k, v)| (g.country_name(&k, Lang::En), k, v)).collect();
    countries.sort();
    render(&MapsPage {
        nav: nav(&c),
        scope: scope_text(&a),
        from: nonempty(&mq.from).unwrap_or("").to_string(),
        to: nonempty(&mq.to).unwrap_or("").to_string(),
        selects: selects(&mq),
        place: q.place.as_ref().map(|p| (p.clone(), g.name_of(p, Lang::En))),
        keep: keep.clone(),
        cases: s.cases,
        with_route: s.cases_with_route,
        distinct_routes: s.distinct_routes,
        internal: s.internal,
        international: s.international,
        places: s.places,
        top: lines(&s.corridors, 15),
        flow_svg,
        citizenship_svg,
        destination_svg,
        countries,
    })
}

/// One country by subdivision: place of exploitation, origin, and the flows between subdivisions.
pub async fn country_page(State(st): State<AppState>, PageCaller(c): PageCaller, Path(code): Path<String>, Query(mq): Query<MapQuery>) -> Response {
    let g = gazetteer();
    let code = code.to_ascii_uppercase();
    let Some(country) = g.country(&code) else { return error_page(ApiError::NotFound) };
    let q = match mq.parse() {
        Ok(q) => RouteQuery { level: Level::Subdivision, place: q.place.or_else(|| Some(code.clone())), ..q },
        Err(e) => return error_page(e),
    };
    let a = match aggregate(&st, &c.actor, &q).await {
        Ok(a) => a,
        Err(e) => return error_page(e),
    };
    let keep = mq.keep();
    let s = &a.summary;
    let sub = subtitle(&a, &q);
    let inside = |m: &BTreeMap<String, u64>| -> BTreeMap<String, u64> {
        m.iter().filter(|(k, _)| k.starts_with(&format!("{code}-"))).map(|(k, v)| (k.clone(), *v)).collect()
    };
    let dest = inside(&s.counts.destination);
    let orig = inside(&s.counts.origin);
    let link = |p: &str| format!("/maps/{code}?{}", with(&keep, &format!("place={p}")));
    let name = country.names.get(Lang::En).to_string();
    let t1 = format!("{name}: victims by place of exploitation (subdivision)");
    let t2 = format!("{name}: victims by place of origin (subdivision)");
    let t3 = format!("{name}: corridors between subdivisions");
    let destination_svg = choropleth(&Choropleth {
        id: "choropleth-subdivision-exploitation",
        title: &t1,
        subtitle: &sub,
        area: Area::Country(code.clone()),
        values: &dest,
        measure: "victims",
        link: &link,
        lang: Lang::En,
        width: 760.0,
    });
    let origin_svg = choropleth(&Choropleth {
        id: "choropleth-subdivision-origin",
        title: &t2,
        subtitle: &sub,
        area: Area::Country(code.clone()),
        values: &orig,
        measure: "victims",
        link: &link,
        lang: Lang::En,
        width: 760.0,
    });
    let fl: Vec<Corridor> = flows(&s.corridors)
        .into_iter()
        .filter(|c| c.origin.starts_with(&format!("{code}-")) && c.destination.starts_with(&format!("{code}-")))
        .collect();
    let flink = |c: &Corridor| format!("/maps/{code}?{}", with(&keep, &format!("place={}", c.origin)));
    let flow_svg = flow_map(&FlowMap {
        id: "flows-country",
        title: &t3,
        subtitle: &sub,
        area: Area::Country(code.clone()),
        flows: &fl,
        max_flows: 40,
        link: &flink,
        lang: Lang::En,
        width: 760.0,
    });
    render(&CountryPage {
        nav: nav(&c),
        scope: scope_text(&a),
        keep,
        place: q.place.as_ref().filter(|p| **p != code).map(|p| (p.clone(), g.name_of(p, Lang::En))),
        code,
        name,
        cases: s.cases,
        top: lines(&s.corridors, 15),
        destination_svg,
        origin_svg,
        flow_svg,
    })
}

/// Where the map and place data come from, with the required attribution.
pub async fn data_page() -> Response {
    let g = gazetteer();
    render(&DataPage {
        nav: None,
        countries: g.countries.len(),
        subdivisions: g.subdivisions.len(),
        places: g.places.len(),
    })
}

/// Which roles see the maps link.
pub fn nav_flag(r: Role) -> bool {
    !matches!(r, Role::Auditor)
}

pub async fn places_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../static/places.js"))
}
