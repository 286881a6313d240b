//! Route aggregation: pure functions over grouped route rows.
//!
//! A case's route is an ordered list of places: origin, transit points, place of
//! exploitation (the last). Storage hands over rows already grouped by origin,
//! destination, transit and citizenship with a count of cases; these functions
//! turn them into corridors and place counts at country or subdivision level.

use std::collections::{BTreeMap, BTreeSet};

/// A place of a route at the precision aggregates use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlaceKey {
    pub country: String,
    pub subdivision: Option<String>,
}

impl PlaceKey {
    pub fn new(country: &str, subdivision: Option<&str>) -> Self {
        Self { country: country.to_string(), subdivision: subdivision.filter(|s| !s.is_empty()).map(str::to_string) }
    }
    /// The code at a level (a subdivision falls back to its country when unknown).
    pub fn code(&self, level: Level) -> &str {
        match (level, &self.subdivision) {
            (Level::Subdivision, Some(s)) => s,
            _ => &self.country,
        }
    }
    /// Parse `BR` or `BR-PE`.
    pub fn parse(code: &str) -> Self {
        match code.split_once('-') {
            Some((cc, _)) => Self { country: cc.to_string(), subdivision: Some(code.to_string()) },
            None => Self { country: code.to_string(), subdivision: None },
        }
    }
}

/// Cases sharing origin, destination, transit points and citizenship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    /// `None` for cases without a route.
    pub origin: Option<PlaceKey>,
    pub destination: Option<PlaceKey>,
    /// The places between, in order.
    pub transit: Vec<PlaceKey>,
    pub citizenship: Option<String>,
    pub cases: u64,
}

impl RouteRow {
    /// Whether the route starts, passes or ends at `code` (a country or a subdivision).
    pub fn touches(&self, code: &str) -> bool {
        let hit = |p: &PlaceKey| p.country == code || p.subdivision.as_deref() == Some(code);
        self.origin.iter().chain(self.destination.iter()).chain(self.transit.iter()).any(hit)
    }
    /// Every place of the route is in one country.
    pub fn is_internal(&self) -> Option<bool> {
        let o = self.origin.as_ref()?;
        let d = self.destination.as_ref()?;
        Some(o.country == d.country && self.transit.iter().all(|t| t.country == o.country))
    }
}

/// Country or subdivision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    #[default]
    Country,
    Subdivision,
}

impl Level {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "country" => Some(Level::Country),
            "subdivision" => Some(Level::Subdivision),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Subdivision => "subdivision",
        }
    }
}

/// Origin → destination with the transit points between, and how many cases took it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Corridor {
    pub origin: String,
    pub destination: String,
    pub transit: Vec<String>,
    pub cases: u64,
    pub international: bool,
}

/// Counts of cases per place code.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlaceCounts {
    /// Where the route starts.
    pub origin: BTreeMap<String, u64>,
    /// Transit points (a case counts once per place it passes).
    pub transit: BTreeMap<String, u64>,
    /// Place of exploitation (the route's last place).
    pub destination: BTreeMap<String, u64>,
    /// Citizenship of the person (country level; every case, with or without a route).
    pub citizenship: BTreeMap<String, u64>,
}

/// Everything the maps and the corridor API show.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub level: &'static str,
    /// Cases counted (the filters applied), with or without a route.
    pub cases: u64,
    pub cases_with_route: u64,
    /// Distinct origin → transit → destination sequences at this level.
    pub distinct_routes: u64,
    pub internal: u64,
    pub international: u64,
    /// Distinct places (at this level) on any route.
    pub places: u64,
    /// Sorted by cases, largest first.
    pub corridors: Vec<Corridor>,
    pub counts: PlaceCounts,
}

/// Collapse consecutive repeats (two transit points in one country at country level).
fn squash(codes: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(codes.len());
    for c in codes {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

/// Aggregate rows at a level; `place` keeps only routes that touch that code.
pub fn summarise(rows: &[RouteRow], level: Level, place: Option<&str>) -> Summary {
    let mut s = Summary { level: level.code(), ..Default::default() };
    let mut corridors: BTreeMap<(String, Vec<String>, String), (u64, bool)> = BTreeMap::new();
    let mut places: BTreeSet<String> = BTreeSet::new();
    for r in rows.iter().filter(|r| place.is_none_or(|p| r.touches(p))) {
        s.cases += r.cases;
        if let Some(c) = &r.citizenship {
            *s.counts.citizenship.entry(c.clone()).or_default() += r.cases;
        }
        let (Some(o), Some(d)) = (&r.origin, &r.destination) else { continue };
        s.cases_with_route += r.cases;
        let international = r.is_internal() == Some(false);
        if international {
            s.international += r.cases;
        } else {
            s.internal += r.cases;
        }
        let oc = o.code(level).to_string();
        let dc = d.code(level).to_string();
        // Transit at this level, without the ends repeated.
        let mut seq = vec![oc.clone()];
        seq.extend(r.transit.iter().map(|t| t.code(level).to_string()));
        seq.push(dc.clone());
        let seq = squash(seq);
        let transit: Vec<String> = if seq.len() > 2 { seq[1..seq.len() - 1].to_vec() } else { Vec::new() };
        for t in BTreeSet::from_iter(transit.iter()) {
            *s.counts.transit.entry(t.clone()).or_default() += r.cases;
        }
        *s.counts.origin.entry(oc.clone()).or_default() += r.cases;
        *s.counts.destination.entry(dc.clone()).or_default() += r.cases;
        places.extend(seq.iter().cloned());
        let e = corridors.entry((oc, transit, dc)).or_insert((0, international));
        e.0 += r.cases;
    }
    s.distinct_routes = corridors.len() as u64;
    s.places = places.len() as u64;
    s.corridors = corridors
        .into_iter()
        .map(|((origin, transit, destination), (cases, international))| Corridor { origin, destination, transit, cases, international })
        .collect();
    s.corridors.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| (&a.origin, &a.destination, &a.transit).cmp(&(&b.origin, &b.destination, &b.transit))));
    s
}

/// Corridors merged over transit: origin → destination only (what a flow map draws).
pub fn flows(corridors: &[Corridor]) -> Vec<Corridor> {
    let mut m: BTreeMap<(String, String), (u64, bool)> = BTreeMap::new();
    for c in corridors {
        let e = m.entry((c.origin.clone(), c.destination.clone())).or_insert((0, c.international));
        e.0 += c.cases;
    }
    let mut v: Vec<Corridor> =
        m.into_iter().map(|((origin, destination), (cases, international))| Corridor { origin, destination, transit: vec![], cases, international }).collect();
    v.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| (&a.origin, &a.destination).cmp(&(&b.origin, &b.destination))));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(o: &str, t: &[&str], d: &str, cit: &str, n: u64) -> RouteRow {
        RouteRow {
            origin: Some(PlaceKey::parse(o)),
            destination: Some(PlaceKey::parse(d)),
            transit: t.iter().map(|c| PlaceKey::parse(c)).collect(),
            citizenship: Some(cit.to_string()),
            cases: n,
        }
    }

    #[test]
    fn corridors_at_both_levels() {
        let rows = vec![
            row("BR-PE", &[], "ES-M", "BR", 3),
            row("BR-BA", &[], "ES-CT", "BR", 2),
            row("BR-PE", &["BR-SP"], "BR-SP", "BR", 4),
            row("VE-A", &["CO-ANT", "PA-8"], "MX-CMX", "VE", 1),
            RouteRow { origin: None, destination: None, transit: vec![], citizenship: Some("NG".into()), cases: 5 },
        ];
        let s = summarise(&rows, Level::Country, None);
        assert_eq!(s.cases, 15);
        assert_eq!(s.cases_with_route, 10);
        assert_eq!((s.internal, s.international), (4, 6));
        assert_eq!(s.corridors[0], Corridor { origin: "BR".into(), destination: "ES".into(), transit: vec![], cases: 5, international: true });
        assert_eq!(s.corridors[1].origin, "BR");
        assert_eq!(s.corridors[1].destination, "BR");
        assert_eq!(s.corridors[2].transit, vec!["CO".to_string(), "PA".to_string()]);
        assert_eq!(s.distinct_routes, 3);
        assert_eq!(s.counts.citizenship["NG"], 5);
        assert_eq!(s.counts.destination["ES"], 5);
        assert_eq!(s.counts.transit["CO"], 1);
        let s = summarise(&rows, Level::Subdivision, None);
        assert_eq!(s.distinct_routes, 4);
        // BR-PE → BR-SP → BR-SP: the repeated end is not a transit point.
        assert!(s.corridors.iter().any(|c| c.origin == "BR-PE" && c.destination == "BR-SP" && c.transit.is_empty() && c.cases == 4));
        let s = summarise(&rows, Level::Country, Some("PA"));
        assert_eq!(s.cases, 1);
        let s = summarise(&rows, Level::Subdivision, Some("BR-PE"));
        assert_eq!(s.cases, 7);
        let f = flows(&summarise(&rows, Level::Country, None).corridors);
        assert_eq!(f.iter().map(|c| c.cases).sum::<u64>(), 10);
    }
}
