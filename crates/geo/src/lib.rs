//! Vigia's geography, compiled in: no tile server, no CDN, no file read at run time.
//!
//! * [`gazetteer`]: every ISO 3166-1 country and ISO 3166-2 subdivision (names in
//!   English, Spanish, Portuguese and French where the source has them), GeoNames
//!   populated places of 15,000 inhabitants or more, type-ahead search with accent
//!   folding, and reverse lookup of coordinates by point-in-polygon on Natural
//!   Earth boundaries.
//! * [`routes`]: pure aggregation of case routes into corridors and place counts.
//! * [`svg`]: choropleths and flow maps drawn as SVG on the server (Equal Earth
//!   projection, colour-blind-safe palette, legend, scale bar, tooltips, links).
//!
//! The data files and their sources, versions and licences are described in
//! `data/README.md`; `scripts/build-geo-assets.sh` rebuilds them.

pub mod gazetteer;
pub mod projection;
pub mod routes;
pub mod svg;

pub use gazetteer::{gazetteer, Gazetteer, Lang};

/// Lower-case, strip diacritics and fold punctuation to spaces, for search.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'ß' => 's',
            'ø' | 'Ø' => 'o',
            'ł' | 'Ł' => 'l',
            'đ' | 'Đ' => 'd',
            'æ' | 'Æ' => 'a',
            'œ' | 'Œ' => 'o',
            'ı' => 'i',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn folding() {
        assert_eq!(super::fold("São Paulo"), "sao paulo");
        assert_eq!(super::fold("  Côte-d'Ivoire "), "cote d ivoire");
        assert_eq!(super::fold("Łódź"), "lodz");
        assert_eq!(super::fold("PERNAMBUCO"), "pernambuco");
    }
}
