//! Maps drawn as SVG on the server: choropleths and flow maps.
//!
//! Equal Earth projection; a five-class sequential palette from viridis (readable
//! with the common colour-vision deficiencies and monotone in lightness, so it
//! survives greyscale printing); a legend, a title, a source line and a scale
//! bar; `<title>` tooltips on every shaded region and flow; each region and flow
//! is a link (click to filter). No script, no external reference.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::gazetteer::{gazetteer, Lang, Shape};
use crate::projection::Frame;
use crate::routes::Corridor;

/// Viridis, light to dark (more cases, darker).
pub const PALETTE: [&str; 5] = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
const NO_DATA: &str = "#eeeeee";
const LAND: &str = "#e4e4e4";
const BORDER: &str = "#ffffff";
const FLOW: &str = "#b2182b";

/// What the map covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// Countries of the world.
    World,
    /// One country's first-level subdivisions.
    Country(String),
}

/// A choropleth request.
pub struct Choropleth<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub area: Area,
    /// Cases per country (World) or subdivision code (Country).
    pub values: &'a BTreeMap<String, u64>,
    /// What a value counts, e.g. `victims by citizenship`.
    pub measure: &'a str,
    /// Link for a region code (click to filter).
    pub link: &'a dyn Fn(&str) -> String,
    pub lang: Lang,
    pub width: f64,
}

/// A flow map request.
pub struct FlowMap<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub area: Area,
    /// Origin → destination (country or subdivision codes).
    pub flows: &'a [Corridor],
    /// Draw at most this many flows (the largest).
    pub max_flows: usize,
    pub link: &'a dyn Fn(&Corridor) -> String,
    pub lang: Lang,
    pub width: f64,
}

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn nice(v: f64) -> u64 {
    if v <= 1.0 {
        return 1;
    }
    let p = 10f64.powf(v.log10().floor());
    let m = v / p;
    let n = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    (n * p) as u64
}

/// Upper bounds of up to five classes covering 1..=max (geometric, rounded).
pub fn classes(max: u64) -> Vec<u64> {
    if max == 0 {
        return vec![];
    }
    if max <= 5 {
        return (1..=max).collect();
    }
    let mut b: Vec<u64> = (1..5).map(|i| nice((max as f64).powf(f64::from(i) / 5.0))).collect();
    b.push(max);
    b.dedup();
    b.retain(|&x| x <= max);
    if b.last() != Some(&max) {
        b.push(max);
    }
    b
}

fn class_of(v: u64, bounds: &[u64]) -> usize {
    bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len().saturating_sub(1))
}

fn colour(i: usize, n: usize) -> &'static str {
    // Spread n classes over the five colours, keeping the darkest for the top class.
    if n <= 1 {
        return PALETTE[4];
    }
    PALETTE[(i * 4 + (n - 1) / 2) / (n - 1)]
}

fn class_label(i: usize, bounds: &[u64]) -> String {
    let lo = if i == 0 { 1 } else { bounds[i - 1] + 1 };
    let hi = bounds[i];
    if lo == hi {
        format!("{hi}")
    } else {
        format!("{lo}–{hi}")
    }
}

/// Path data of a shape; points closer than half a pixel to the previous are dropped.
fn path(shape: &Shape, f: &Frame, out: &mut String) {
    for poly in &shape.polygons {
        for ring in poly {
            let mut last = (f64::MAX, f64::MAX);
            let mut n = 0;
            for &(lon, lat) in ring {
                let p = f.px(lon, lat);
                if n > 0 && (p.0 - last.0).abs() < 0.5 && (p.1 - last.1).abs() < 0.5 {
                    continue;
                }
                let _ = write!(out, "{}{:.1} {:.1}", if n == 0 { "M" } else { "L" }, p.0, p.1);
                last = p;
                n += 1;
            }
            if n > 0 {
                out.push('Z');
            }
        }
    }
}

fn header(out: &mut String, id: &str, title: &str, subtitle: &str, f: &Frame, legend_h: f64) -> f64 {
    let h = f.height + legend_h;
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="map" role="img" aria-labelledby="{id}-t" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-t">{t}</title><defs><clipPath id="{id}-clip"><rect x="0" y="52" width="{w}" height="{ch}"/></clipPath></defs><rect width="{w}" height="{h}" fill="white"/><text x="12" y="24" font-size="18" font-weight="600" fill="black">{t}</text><text x="12" y="44" fill="dimgray">{s}</text><g clip-path="url(#{id}-clip)">"#,
        w = f.width,
        ch = f.height - 52.0,
        t = esc(title),
        s = esc(subtitle),
    );
    h
}

/// The frame for an area (and the lon/lat box it shows).
fn frame_for(area: &Area, width: f64) -> (Frame, [f64; 4]) {
    match area {
        Area::World => (Frame::fit([-180.0, -58.0, 180.0, 84.0], width, width, 56.0, 8.0), [-180.0, -90.0, 180.0, 90.0]),
        Area::Country(cc) => {
            let g = gazetteer();
            let bbox = g.country(cc).map(|c| c.shape.bbox).filter(|b| b[2] > b[0]).unwrap_or([-180.0, -58.0, 180.0, 84.0]);
            // Clip far-flung islands out of the box: use the subdivisions' union where they are compact.
            let m = 0.5;
            let b = [bbox[0] - m, bbox[1] - m, bbox[2] + m, bbox[3] + m];
            (Frame::fit(b, width, width * 0.9, 56.0, 8.0), b)
        }
    }
}

fn intersects(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Grey land underneath (every country in view), optionally skipping one.
fn base_land(out: &mut String, f: &Frame, view: [f64; 4], skip: Option<&str>) {
    let g = gazetteer();
    out.push_str(r#"<g class="land">"#);
    for c in &g.countries {
        if c.shape.is_empty() || !intersects(c.shape.bbox, view) || skip == Some(c.code.as_str()) {
            continue;
        }
        let mut d = String::new();
        path(&c.shape, f, &mut d);
        let _ = write!(out, r##"<path d="{d}" fill="{LAND}" stroke="{BORDER}" stroke-width="0.5"/>"##);
    }
    out.push_str("</g>");
}

fn scale_bar(out: &mut String, f: &Frame, y: f64, lon: f64, lat: f64) {
    let kpp = f.km_per_px(lon, lat);
    let target = kpp * 120.0;
    let km = nice(target).max(1);
    let px = km as f64 / kpp;
    let x = f.width - px - 24.0;
    let _ = write!(
        out,
        r##"<g class="scale"><path d="M{x:.1} {y0:.1}v6h{px:.1}v-6" fill="none" stroke="#222" stroke-width="1.5"/><text x="{xm:.1}" y="{yt:.1}" text-anchor="middle" fill="#222">{km} km</text><text x="{xe:.1}" y="{ys:.1}" text-anchor="end" font-size="11" fill="#555">scale along the parallel at {lat:.0}°</text></g>"##,
        y0 = y,
        xm = x + px / 2.0,
        yt = y - 4.0,
        xe = f.width - 24.0,
        ys = y + 22.0,
    );
}

/// A choropleth as an SVG element.
pub fn choropleth(c: &Choropleth) -> String {
    let g = gazetteer();
    let (f, view) = frame_for(&c.area, c.width);
    let legend_h = 92.0;
    let mut out = String::with_capacity(300_000);
    let h = header(&mut out, c.id, c.title, c.subtitle, &f, legend_h);
    let max = c.values.values().copied().max().unwrap_or(0);
    let bounds = classes(max);
    let n = bounds.len();
    let shade = |code: &str, name: &str, shape: &Shape, out: &mut String| {
        let v = c.values.get(code).copied().unwrap_or(0);
        let fill = if v == 0 { NO_DATA } else { colour(class_of(v, &bounds), n) };
        let mut d = String::new();
        path(shape, &f, &mut d);
        let _ = write!(
            out,
            r##"<a href="{href}" class="region" data-code="{code}"><path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="0.6"><title>{name}: {v} {m}</title></path></a>"##,
            href = esc(&(c.link)(code)),
            stroke = "#8a8a8a",
            name = esc(name),
            m = esc(c.measure),
        );
    };
    match &c.area {
        Area::World => {
            out.push_str(r#"<g class="regions">"#);
            for ct in g.countries.iter().filter(|ct| !ct.shape.is_empty()) {
                shade(&ct.code, ct.names.get(c.lang), &ct.shape, &mut out);
            }
            out.push_str("</g>");
        }
        Area::Country(cc) => {
            base_land(&mut out, &f, view, Some(cc));
            out.push_str(r#"<g class="regions">"#);
            for s in g.subdivisions_of(cc).filter(|s| !s.shape.is_empty()) {
                shade(&s.code, s.names.get(c.lang), &s.shape, &mut out);
            }
            out.push_str("</g>");
        }
    }
    out.push_str("</g>");
    // Legend.
    let ly = f.height + 8.0;
    let _ = write!(out, r##"<g class="legend"><text x="12" y="{ty:.1}" font-weight="600" fill="#111">{m}</text>"##, ty = ly + 12.0, m = esc(c.measure));
    let mut x = 12.0;
    let _ = write!(
        out,
        r##"<rect x="{x}" y="{y:.1}" width="34" height="16" fill="{NO_DATA}" stroke="#8a8a8a" stroke-width="0.6"/><text x="{x}" y="{t:.1}" fill="#222">0</text>"##,
        y = ly + 20.0,
        t = ly + 50.0
    );
    x += 44.0;
    for i in 0..n {
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{y:.1}" width="64" height="16" fill="{col}" stroke="#8a8a8a" stroke-width="0.6"/><text x="{x}" y="{t:.1}" fill="#222">{l}</text>"##,
            y = ly + 20.0,
            t = ly + 50.0,
            col = colour(i, n),
            l = class_label(i, &bounds),
        );
        x += 70.0;
    }
    out.push_str("</g>");
    let (clon, clat) = ((view[0] + view[2]) / 2.0, match c.area {
        Area::World => 0.0,
        _ => (view[1] + view[3]) / 2.0,
    });
    scale_bar(&mut out, &f, f.height - 30.0, clon, clat);
    let _ = write!(
        out,
        r##"<text x="{x:.1}" y="{y:.1}" text-anchor="end" font-size="11" fill="#555">Boundaries: Natural Earth (public domain). Equal Earth projection.</text></svg>"##,
        x = f.width - 12.0,
        y = h - 8.0
    );
    out
}

/// Stroke width for a count: 1.5 px for the smallest, 14 px for the largest, linear in between.
pub fn flow_width(v: u64, max: u64) -> f64 {
    if max <= 1 {
        return 3.0;
    }
    1.5 + 12.5 * (v.saturating_sub(1)) as f64 / (max - 1) as f64
}

/// A flow map as an SVG element: one curved line per corridor, width by cases;
/// flows within one place are circles.
pub fn flow_map(m: &FlowMap) -> String {
    let g = gazetteer();
    let (f, view) = frame_for(&m.area, m.width);
    let legend_h = 100.0;
    let mut out = String::with_capacity(300_000);
    let h = header(&mut out, m.id, m.title, m.subtitle, &f, legend_h);
    base_land(&mut out, &f, view, None);
    if let Area::Country(cc) = &m.area {
        out.push_str(r#"<g class="subdivisions">"#);
        for s in g.subdivisions_of(cc).filter(|s| !s.shape.is_empty()) {
            let mut d = String::new();
            path(&s.shape, &f, &mut d);
            let _ = write!(out, r##"<path d="{d}" fill="#f4f4f4" stroke="#b0b0b0" stroke-width="0.5"><title>{}</title></path>"##, esc(s.names.get(m.lang)));
        }
        out.push_str("</g>");
    }
    let shown: Vec<&Corridor> = m.flows.iter().take(m.max_flows).collect();
    let max = shown.iter().map(|c| c.cases).max().unwrap_or(0);
    let _ = write!(
        out,
        r##"<defs><marker id="{id}-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="2.6" markerHeight="2.6" orient="auto-start-reverse" markerUnits="strokeWidth"><path d="M0 0L10 5L0 10z" fill="{FLOW}"/></marker></defs><g class="flows">"##,
        id = m.id
    );
    // Largest first, so thin flows stay visible on top.
    let mut drawn = 0;
    for c in &shown {
        let (Some(a), Some(b)) = (g.anchor_of(&c.origin), g.anchor_of(&c.destination)) else { continue };
        let (p, q) = (f.px(a.0, a.1), f.px(b.0, b.1));
        let w = flow_width(c.cases, max);
        let name = |code: &str| g.name_of(code, m.lang);
        let tip = if c.origin == c.destination {
            format!("Within {}: {} cases", name(&c.origin), c.cases)
        } else {
            format!("{} → {}: {} cases", name(&c.origin), name(&c.destination), c.cases)
        };
        let href = esc(&(m.link)(c));
        let dist = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt();
        if c.origin == c.destination || dist < 3.0 {
            let r = 2.0 + w * 0.8;
            let _ = write!(
                out,
                r##"<a href="{href}" class="flow internal"><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{FLOW}" fill-opacity="0.35" stroke="{FLOW}" stroke-width="1.2"><title>{t}</title></circle></a>"##,
                x = p.0,
                y = p.1,
                t = esc(&tip)
            );
        } else {
            // A gentle arc bent to the left of the direction of travel.
            let (mx, my) = ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
            let k = 0.2;
            let (cx, cy) = (mx + k * (q.1 - p.1), my - k * (q.0 - p.0));
            let _ = write!(
                out,
                r##"<a href="{href}" class="flow"><path d="M{x0:.1} {y0:.1}Q{cx:.1} {cy:.1} {x1:.1} {y1:.1}" fill="none" stroke="{FLOW}" stroke-opacity="0.75" stroke-width="{w:.1}" stroke-linecap="round" marker-end="url(#{id}-arrow)"><title>{t}</title></path></a>"##,
                x0 = p.0,
                y0 = p.1,
                x1 = q.0,
                y1 = q.1,
                id = m.id,
                t = esc(&tip)
            );
        }
        drawn += 1;
    }
    out.push_str("</g></g>");
    // Legend: three sample widths.
    let ly = f.height + 8.0;
    let _ = write!(
        out,
        r##"<g class="legend"><text x="12" y="{ty:.1}" font-weight="600" fill="#111">Cases per corridor (line width){more}</text>"##,
        ty = ly + 12.0,
        more = if m.flows.len() > shown.len() { format!(" — the {} largest of {} corridors", shown.len(), m.flows.len()) } else { String::new() }
    );
    if max > 0 {
        let mut samples = vec![max];
        for v in [max / 2, max / 10] {
            if v >= 1 && !samples.contains(&v) {
                samples.push(v);
            }
        }
        if !samples.contains(&1) {
            samples.push(1);
        }
        let mut x = 12.0;
        for v in samples {
            let w = flow_width(v, max);
            let _ = write!(
                out,
                r##"<line x1="{x}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="{FLOW}" stroke-opacity="0.75" stroke-width="{w:.1}" stroke-linecap="round"/><text x="{x}" y="{t:.1}" fill="#222">{v}</text>"##,
                y = ly + 32.0,
                x2 = x + 60.0,
                t = ly + 62.0
            );
            x += 90.0;
        }
        let _ = write!(
            out,
            r##"<circle cx="{cx}" cy="{y:.1}" r="8" fill="{FLOW}" fill-opacity="0.35" stroke="{FLOW}" stroke-width="1.2"/><text x="{tx}" y="{t:.1}" fill="#222">within one place</text>"##,
            cx = x + 10.0,
            y = ly + 32.0,
            tx = x,
            t = ly + 62.0
        );
    } else {
        let _ = write!(out, r##"<text x="12" y="{y:.1}" fill="#222">No corridor matches the filters.</text>"##, y = ly + 36.0);
    }
    let _ = write!(out, r#"<desc>{drawn} corridors drawn</desc></g>"#);
    let (clon, clat) = ((view[0] + view[2]) / 2.0, match m.area {
        Area::World => 0.0,
        _ => (view[1] + view[3]) / 2.0,
    });
    scale_bar(&mut out, &f, f.height - 30.0, clon, clat);
    let _ = write!(
        out,
        r##"<text x="{x:.1}" y="{y:.1}" text-anchor="end" font-size="11" fill="#555">Boundaries: Natural Earth (public domain). Equal Earth projection. Lines join centroids.</text></svg>"##,
        x = f.width - 12.0,
        y = h - 8.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_bounds() {
        assert_eq!(classes(0), Vec::<u64>::new());
        assert_eq!(classes(3), vec![1, 2, 3]);
        let b = classes(1000);
        assert_eq!(*b.last().unwrap(), 1000);
        assert!(b.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(class_of(1, &b), 0);
        assert_eq!(class_of(1000, &b), b.len() - 1);
        assert_eq!(colour(0, 5), PALETTE[0]);
        assert_eq!(colour(4, 5), PALETTE[4]);
        assert_eq!(colour(1, 2), PALETTE[4]);
    }

    #[test]
    fn maps_render() {
        let mut v = BTreeMap::new();
        v.insert("BR".to_string(), 40u64);
        v.insert("ES".to_string(), 3u64);
        let link = |c: &str| format!("/maps?place={c}");
        let svg = choropleth(&Choropleth {
            id: "m1",
            title: "Victims by citizenship",
            subtitle: "All periods",
            area: Area::World,
            values: &v,
            measure: "victims",
            link: &link,
            lang: Lang::En,
            width: 960.0,
        });
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Brazil: 40 victims</title>"));
        assert!(svg.contains(r#"href="/maps?place=BR""#));
        assert!(svg.contains("class=\"legend\"") && svg.contains(" km</text>"));
        assert!(!svg.contains("https://") && svg.matches("http://").count() == 1); // the SVG namespace only
        let mut s = BTreeMap::new();
        s.insert("BR-PE".to_string(), 7u64);
        let svg = choropleth(&Choropleth { id: "m2", title: "Brazil", subtitle: "", area: Area::Country("BR".into()), values: &s, measure: "victims", link: &link, lang: Lang::Pt, width: 700.0 });
        assert!(svg.contains("<title>Pernambuco: 7 victims</title>"));
        assert_eq!(svg.matches("class=\"region\"").count(), 27);
        let flows = vec![
            Corridor { origin: "BR".into(), destination: "ES".into(), transit: vec![], cases: 10, international: true },
            Corridor { origin: "BR".into(), destination: "BR".into(), transit: vec![], cases: 4, international: false },
        ];
        let fl = |c: &Corridor| format!("/maps?place={}", c.destination);
        let svg = flow_map(&FlowMap { id: "f", title: "Corridors", subtitle: "", area: Area::World, flows: &flows, max_flows: 50, link: &fl, lang: Lang::En, width: 960.0 });
        assert!(svg.contains("<title>Brazil → Spain: 10 cases</title>"));
        assert!(svg.contains("<title>Within Brazil: 4 cases</title>"));
        assert!(svg.contains("<desc>2 corridors drawn</desc>"));
    }
}
