//! The gazetteer: countries, subdivisions and populated places, compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::fold;

const COUNTRIES_JSON: &str = include_str!("../data/countries.json");
const SUBDIVISIONS_JSON: &str = include_str!("../data/subdivisions.json");
const PLACES_TSV: &str = include_str!("../data/places.tsv");

/// A language of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Pt,
    Fr,
}

impl Lang {
    /// `en`, `es`, `pt` or `fr` (anything else: English).
    pub fn parse(s: &str) -> Self {
        match s.get(..2).unwrap_or("").to_ascii_lowercase().as_str() {
            "es" => Lang::Es,
            "pt" => Lang::Pt,
            "fr" => Lang::Fr,
            _ => Lang::En,
        }
    }
}

/// A name in the four languages; empty where the source has none (English is used then).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub en: String,
    pub es: String,
    pub pt: String,
    pub fr: String,
}

impl Names {
    pub fn get(&self, l: Lang) -> &str {
        let s = match l {
            Lang::En => &self.en,
            Lang::Es => &self.es,
            Lang::Pt => &self.pt,
            Lang::Fr => &self.fr,
        };
        if s.is_empty() {
            &self.en
        } else {
            s
        }
    }
    fn all(&self) -> impl Iterator<Item = &str> {
        [&self.en, &self.es, &self.pt, &self.fr].into_iter().map(String::as_str).filter(|s| !s.is_empty())
    }
}

/// Polygons in degrees (lon, lat): each polygon is an outer ring then holes.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
    /// min lon, min lat, max lon, max lat.
    pub bbox: [f64; 4],
}

impl Shape {
    fn decode(v: &[Vec<Vec<i64>>]) -> Self {
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let polygons: Vec<Vec<Vec<(f64, f64)>>> = v
            .iter()
            .map(|poly| {
                poly.iter()
                    .map(|ring| {
                        let (mut x, mut y) = (0i64, 0i64);
                        ring.chunks_exact(2)
                            .map(|d| {
                                x += d[0];
                                y += d[1];
                                let p = (x as f64 / 100.0, y as f64 / 100.0);
                                bbox = [bbox[0].min(p.0), bbox[1].min(p.1), bbox[2].max(p.0), bbox[3].max(p.1)];
                                p
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        if polygons.is_empty() {
            bbox = [0.0; 4];
        }
        Self { polygons, bbox }
    }

    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }

    /// Whether the point (lon, lat) is inside (even-odd rule over all rings).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        if self.is_empty() || lon < self.bbox[0] || lon > self.bbox[2] || lat < self.bbox[1] || lat > self.bbox[3] {
            return false;
        }
        self.polygons.iter().any(|poly| {
            let mut inside = false;
            for ring in poly {
                if ring_contains(ring, lon, lat) {
                    inside = !inside;
                }
            }
            inside
        })
    }

    /// A point to hang a label or a flow on: the area-weighted centroid of the
    /// largest polygon's outer ring.
    pub fn anchor(&self) -> Option<(f64, f64)> {
        let mut best: Option<(f64, (f64, f64))> = None;
        for poly in &self.polygons {
            let Some(ring) = poly.first() else { continue };
            let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
            for i in 0..ring.len() {
                let (x0, y0) = ring[i];
                let (x1, y1) = ring[(i + 1) % ring.len()];
                let cross = x0 * y1 - x1 * y0;
                a += cross;
                cx += (x0 + x1) * cross;
                cy += (y0 + y1) * cross;
            }
            if a.abs() < 1e-12 {
                continue;
            }
            let c = (cx / (3.0 * a), cy / (3.0 * a));
            if best.is_none_or(|(ba, _)| a.abs() > ba) {
                best = Some((a.abs(), c));
            }
        }
        best.map(|(_, c)| c)
    }
}

fn ring_contains(ring: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// An ISO 3166-1 country.
#[derive(Debug, Clone)]
pub struct Country {
    /// Alpha-2.
    pub code: String,
    pub alpha3: String,
    pub names: Names,
    /// Natural Earth 1:50m boundary (simplified); empty for the few without one.
    pub shape: Shape,
    /// Where flows start and end (centroid, or the largest place).
    pub anchor: Option<(f64, f64)>,
}

/// An ISO 3166-2 subdivision.
#[derive(Debug, Clone)]
pub struct Subdivision {
    pub code: String,
    pub country: String,
    pub names: Names,
    /// ISO 3166-2 category (e.g. `State`, `Province`, `Department`).
    pub kind: String,
    /// Natural Earth 1:10m admin-1 boundary (simplified) for first-level units that have one.
    pub shape: Shape,
    pub anchor: Option<(f64, f64)>,
}

/// A GeoNames populated place.
#[derive(Debug, Clone)]
pub struct Populated {
    pub geonameid: u32,
    pub name: String,
    pub country: String,
    pub subdivision: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub population: u32,
}

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Country,
    Subdivision,
    Place,
}

/// One search result, ready for a place picker.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    pub kind: HitKind,
    /// Display name in the requested language.
    pub name: String,
    /// Name with its subdivision and country, e.g. `Recife, Pernambuco, Brazil`.
    pub label: String,
    pub country: String,
    pub subdivision: Option<String>,
    /// Municipality (populated places only).
    pub municipality: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// What a point falls in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reverse {
    pub country: String,
    pub subdivision: Option<String>,
    /// The nearest populated place within 30 km, if any.
    pub municipality: Option<String>,
}

struct Entry {
    kind: HitKind,
    idx: usize,
    folded: Vec<String>,
    weight: u32,
}

/// Every country, subdivision and place, with search indexes.
pub struct Gazetteer {
    pub countries: Vec<Country>,
    pub subdivisions: Vec<Subdivision>,
    pub places: Vec<Populated>,
    country_ix: HashMap<String, usize>,
    sub_ix: HashMap<String, usize>,
    subs_of: HashMap<String, Vec<usize>>,
    entries: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct RawCountries {
    names: Vec<RawName>,
    shapes: Vec<RawShape>,
}
#[derive(serde::Deserialize)]
struct RawName {
    id: String,
    en: Option<String>,
    es: Option<String>,
    pt: Option<String>,
    fr: Option<String>,
}
#[derive(serde::Deserialize)]
struct RawShape {
    id: String,
    g: Vec<Vec<Vec<i64>>>,
}
#[derive(serde::Deserialize)]
struct RawSub {
    id: String,
    en: String,
    es: String,
    pt: String,
    fr: String,
    lat: Option<f64>,
    lon: Option<f64>,
    g: Vec<Vec<Vec<i64>>>,
}

/// The gazetteer, built once on first use (about 0.2 s).
pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::load)
}

fn opt(s: Option<String>) -> String {
    s.unwrap_or_default()
}

impl Gazetteer {
    fn load() -> Self {
        // The data is compiled in and checked by the tests: a parse failure is a build defect.
        let raw: RawCountries = serde_json::from_str(COUNTRIES_JSON).unwrap_or(RawCountries { names: vec![], shapes: vec![] });
        let names: HashMap<String, RawName> = raw.names.into_iter().map(|n| (n.id.clone(), n)).collect();
        let mut shapes: HashMap<String, Shape> = HashMap::new();
        for s in raw.shapes.iter().filter(|s| !s.id.is_empty()) {
            shapes.insert(s.id.clone(), Shape::decode(&s.g));
        }
        let raw_subs: Vec<RawSub> = serde_json::from_str(SUBDIVISIONS_JSON).unwrap_or_default();
        let mut ne_subs: HashMap<String, RawSub> = HashMap::new();
        for s in raw_subs {
            ne_subs.insert(s.id.clone(), s);
        }

        let places: Vec<Populated> = PLACES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                if f.len() != 7 {
                    return None;
                }
                Some(Populated {
                    geonameid: f[0].parse().ok()?,
                    name: f[1].to_string(),
                    country: f[2].to_string(),
                    subdivision: (!f[3].is_empty()).then(|| f[3].to_string()),
                    lat: f[4].parse().ok()?,
                    lon: f[5].parse().ok()?,
                    population: f[6].parse().ok()?,
                })
            })
            .collect();
        // Largest place per country and per subdivision: fallback anchors.
        let mut biggest: HashMap<&str, &Populated> = HashMap::new();
        for p in &places {
            for key in [Some(p.country.as_str()), p.subdivision.as_deref()].into_iter().flatten() {
                let e = biggest.entry(key).or_insert(p);
                if p.population > e.population {
                    *e = p;
                }
            }
        }

        let mut countries = Vec::new();
        let mut subdivisions = Vec::new();
        for c in rust_iso3166::ALL {
            let n = names.get(c.alpha2);
            let shape = shapes.remove(c.alpha2).unwrap_or_default();
            let anchor = shape.anchor().or_else(|| biggest.get(c.alpha2).map(|p| (p.lon, p.lat)));
            countries.push(Country {
                code: c.alpha2.to_string(),
                alpha3: c.alpha3.to_string(),
                names: Names {
                    en: n.and_then(|n| n.en.clone()).unwrap_or_else(|| c.name.to_string()),
                    es: opt(n.and_then(|n| n.es.clone())),
                    pt: opt(n.and_then(|n| n.pt.clone())),
                    fr: opt(n.and_then(|n| n.fr.clone())),
                },
                shape,
                anchor,
            });
            for s in c.subdivisions().unwrap_or(&[]) {
                let ne = ne_subs.remove(s.code);
                let shape = ne.as_ref().map(|r| Shape::decode(&r.g)).unwrap_or_default();
                let anchor = ne
                    .as_ref()
                    .and_then(|r| Some((r.lon?, r.lat?)))
                    .or_else(|| shape.anchor())
                    .or_else(|| biggest.get(s.code).map(|p| (p.lon, p.lat)));
                let names = match ne {
                    Some(r) => Names { en: if r.en.is_empty() { s.name.to_string() } else { r.en }, es: r.es, pt: r.pt, fr: r.fr },
                    None => Names { en: s.name.to_string(), ..Default::default() },
                };
                subdivisions.push(Subdivision {
                    code: s.code.to_string(),
                    country: c.alpha2.to_string(),
                    names,
                    kind: s.subdivision_type.to_string(),
                    shape,
                    anchor,
                });
            }
        }
        let country_ix: HashMap<String, usize> = countries.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect();
        let sub_ix: HashMap<String, usize> = subdivisions.iter().enumerate().map(|(i, s)| (s.code.clone(), i)).collect();
        let mut subs_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in subdivisions.iter().enumerate() {
            subs_of.entry(s.country.clone()).or_default().push(i);
        }

        let mut entries = Vec::with_capacity(countries.len() + subdivisions.len() + places.len());
        for (i, c) in countries.iter().enumerate() {
            let mut f: Vec<String> = c.names.all().map(fold).collect();
            f.push(c.code.to_ascii_lowercase());
            f.push(c.alpha3.to_ascii_lowercase());
            entries.push(Entry { kind: HitKind::Country, idx: i, folded: dedup(f), weight: u32::MAX });
        }
        for (i, s) in subdivisions.iter().enumerate() {
            let mut f: Vec<String> = s.names.all().map(fold).collect();
            f.push(s.code.to_ascii_lowercase());
            entries.push(Entry { kind: HitKind::Subdivision, idx: i, folded: dedup(f), weight: u32::MAX / 2 });
        }
        for (i, p) in places.iter().enumerate() {
            entries.push(Entry { kind: HitKind::Place, idx: i, folded: vec![fold(&p.name)], weight: p.population });
        }
        Self { countries, subdivisions, places, country_ix, sub_ix, subs_of, entries }
    }

    pub fn country(&self, code: &str) -> Option<&Country> {
        self.country_ix.get(&code.to_ascii_uppercase()).map(|&i| &self.countries[i])
    }

    pub fn subdivision(&self, code: &str) -> Option<&Subdivision> {
        self.sub_ix.get(&code.to_ascii_uppercase()).map(|&i| &self.subdivisions[i])
    }

    /// The subdivisions of a country (every ISO 3166-2 level).
    pub fn subdivisions_of(&self, country: &str) -> impl Iterator<Item = &Subdivision> {
        self.subs_of.get(&country.to_ascii_uppercase()).into_iter().flatten().map(|&i| &self.subdivisions[i])
    }

    /// A country's name, or the code itself when unknown.
    pub fn country_name(&self, code: &str, l: Lang) -> String {
        self.country(code).map(|c| c.names.get(l).to_string()).unwrap_or_else(|| code.to_string())
    }

    pub fn subdivision_name(&self, code: &str, l: Lang) -> String {
        self.subdivision(code).map(|c| c.names.get(l).to_string()).unwrap_or_else(|| code.to_string())
    }

    /// The name of a country (`BR`) or subdivision (`BR-PE`) code.
    pub fn name_of(&self, code: &str, l: Lang) -> String {
        if code.contains('-') {
            self.subdivision_name(code, l)
        } else {
            self.country_name(code, l)
        }
    }

    /// Where flows to or from a country or subdivision code start (lon, lat).
    pub fn anchor_of(&self, code: &str) -> Option<(f64, f64)> {
        if code.contains('-') {
            self.subdivision(code).and_then(|s| s.anchor).or_else(|| self.country(code.split('-').next()?).and_then(|c| c.anchor))
        } else {
            self.country(code).and_then(|c| c.anchor)
        }
    }

    /// Type-ahead search over countries, subdivisions and places, accents and case
    /// ignored; optionally within one country. Exact names first, then names that
    /// start with the query, then names with a word that does; countries before
    /// subdivisions before places, larger places first.
    pub fn search(&self, q: &str, country: Option<&str>, l: Lang, limit: usize) -> Vec<Hit> {
        let q = fold(q);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let country = country.map(str::to_ascii_uppercase);
        let spaced = format!(" {q}");
        let mut scored: Vec<(u8, u8, u32, usize)> = Vec::new();
        for (n, e) in self.entries.iter().enumerate() {
            if let Some(cc) = &country {
                let ec = match e.kind {
                    HitKind::Country => &self.countries[e.idx].code,
                    HitKind::Subdivision => &self.subdivisions[e.idx].country,
                    HitKind::Place => &self.places[e.idx].country,
                };
                if ec != cc {
                    continue;
                }
            }
            let mut rank = u8::MAX;
            for f in &e.folded {
                let r = if *f == q {
                    0
                } else if f.starts_with(&q) {
                    1
                } else if f.contains(&spaced) {
                    2
                } else {
                    continue;
                };
                rank = rank.min(r);
            }
            if rank == u8::MAX {
                continue;
            }
            let kind = match e.kind {
                HitKind::Country => 0,
                HitKind::Subdivision => 1,
                HitKind::Place => 2,
            };
            scored.push((rank, kind, u32::MAX - e.weight, n));
        }
        scored.sort_unstable();
        scored.into_iter().take(limit).map(|(_, _, _, n)| self.hit(&self.entries[n], l)).collect()
    }

    fn hit(&self, e: &Entry, l: Lang) -> Hit {
        match e.kind {
            HitKind::Country => {
                let c = &self.countries[e.idx];
                let name = c.names.get(l).to_string();
                Hit { kind: e.kind, label: name.clone(), name, country: c.code.clone(), subdivision: None, municipality: None, lat: None, lon: None }
            }
            HitKind::Subdivision => {
                let s = &self.subdivisions[e.idx];
                let name = s.names.get(l).to_string();
                Hit {
                    kind: e.kind,
                    label: format!("{name}, {}", self.country_name(&s.country, l)),
                    name,
                    country: s.country.clone(),
                    subdivision: Some(s.code.clone()),
                    municipality: None,
                    lat: None,
                    lon: None,
                }
            }
            HitKind::Place => {
                let p = &self.places[e.idx];
                // Only subdivision codes that ISO 3166-2 (and so Vigia's validation) knows.
                let sub = p.subdivision.as_ref().filter(|s| self.subdivision(s).is_some()).cloned();
                let mut label = p.name.clone();
                if let Some(s) = &sub {
                    label.push_str(", ");
                    label.push_str(&self.subdivision_name(s, l));
                }
                label.push_str(", ");
                label.push_str(&self.country_name(&p.country, l));
                Hit {
                    kind: e.kind,
                    name: p.name.clone(),
                    label,
                    country: p.country.clone(),
                    subdivision: sub,
                    municipality: Some(p.name.clone()),
                    lat: Some(p.lat),
                    lon: Some(p.lon),
                }
            }
        }
    }

    /// The country and first-level subdivision containing a point, by
    /// point-in-polygon on the simplified Natural Earth boundaries; near a coast
    /// that the simplification cut off, the nearest populated place within 30 km decides.
    pub fn reverse(&self, lat: f64, lon: f64) -> Option<Reverse> {
        if !(lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)) {
            return None;
        }
        let near = self
            .places
            .iter()
            .map(|p| (haversine_km(lat, lon, p.lat, p.lon), p))
            .filter(|(d, _)| *d <= 30.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, p)| p);
        let country = self.countries.iter().find(|c| c.shape.contains(lon, lat)).map(|c| c.code.clone()).or_else(|| near.map(|p| p.country.clone()))?;
        let subdivision = self
            .subdivisions_of(&country)
            .find(|s| s.shape.contains(lon, lat))
            .map(|s| s.code.clone())
            .or_else(|| near.filter(|p| p.country == country).and_then(|p| p.subdivision.clone()).filter(|s| self.subdivision(s).is_some()));
        let municipality = near.filter(|p| p.country == country).map(|p| p.name.clone());
        Some(Reverse { country, subdivision, municipality })
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iso_country_and_subdivision() {
        let g = gazetteer();
        assert_eq!(g.countries.len(), rust_iso3166::ALL.len());
        assert!(g.subdivisions.len() > 5000, "{}", g.subdivisions.len());
        assert!(g.places.len() > 20_000);
        let br = g.country("br").unwrap();
        assert_eq!(br.names.get(Lang::Pt), "Brasil");
        assert_eq!(br.names.get(Lang::Fr), "Brésil");
        assert!(!br.shape.is_empty());
        assert_eq!(g.subdivisions_of("BR").filter(|s| !s.shape.is_empty()).count(), 27);
        assert_eq!(g.subdivision("BR-SP").unwrap().names.get(Lang::Es), "Estado de São Paulo");
        // Shapes cover most countries.
        assert!(g.countries.iter().filter(|c| !c.shape.is_empty()).count() > 230);
        let unanchored: Vec<&str> = g.countries.iter().filter(|c| c.anchor.is_none()).map(|c| c.code.as_str()).collect();
        assert!(unanchored.len() < 10, "{unanchored:?}");
    }

    #[test]
    fn search_folds_accents_and_ranks() {
        let g = gazetteer();
        let h = g.search("sao paulo", None, Lang::En, 10);
        assert!(h.iter().any(|h| h.kind == HitKind::Subdivision && h.subdivision.as_deref() == Some("BR-SP")));
        assert!(h.iter().any(|h| h.kind == HitKind::Place && h.name == "São Paulo" && h.subdivision.as_deref() == Some("BR-SP")));
        let h = g.search("Brésil", None, Lang::Fr, 5);
        assert_eq!(h[0].country, "BR");
        assert_eq!(h[0].kind, HitKind::Country);
        let h = g.search("recif", Some("BR"), Lang::Pt, 5);
        assert_eq!(h[0].name, "Recife");
        assert_eq!(h[0].subdivision.as_deref(), Some("BR-PE"));
        assert!(g.search("", None, Lang::En, 5).is_empty());
        assert!(g.search("lagos", Some("NG"), Lang::En, 5).iter().all(|h| h.country == "NG"));
    }

    #[test]
    fn reverse_lookup() {
        let g = gazetteer();
        let r = g.reverse(-8.05, -34.9).unwrap(); // Recife
        assert_eq!(r.country, "BR");
        assert_eq!(r.subdivision.as_deref(), Some("BR-PE"));
        let r = g.reverse(40.4168, -3.7038).unwrap(); // Madrid
        assert_eq!(r.country, "ES");
        assert_eq!(r.subdivision.as_deref(), Some("ES-M"));
        let r = g.reverse(6.45, 3.39).unwrap(); // Lagos
        assert_eq!(r.country, "NG");
        assert!(g.reverse(0.0, -30.0).is_none()); // Atlantic
        assert!(g.reverse(91.0, 0.0).is_none());
    }
}
