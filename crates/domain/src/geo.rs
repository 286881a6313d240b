//! Places: ISO 3166-1 countries, ISO 3166-2 subdivisions, municipalities, coordinates.

use std::fmt;

/// An ISO 3166-1 alpha-2 country code that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoError {
    #[error("not an ISO 3166-1 alpha-2 country code")]
    UnknownCountry,
    #[error("not an ISO 3166-2 subdivision code")]
    UnknownSubdivision,
    #[error("subdivision does not belong to the country")]
    SubdivisionOutsideCountry,
    #[error("municipality must be 1 to 120 characters")]
    BadMunicipality,
    #[error("latitude must be within -90..90 and longitude within -180..180")]
    BadCoordinates,
}

impl Country {
    /// Parse an alpha-2 code (upper or lower case).
    pub fn parse(s: &str) -> Result<Self, GeoError> {
        let up = s.trim().to_ascii_uppercase();
        let b = up.as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_uppercase) {
            return Err(GeoError::UnknownCountry);
        }
        rust_iso3166::from_alpha2(&up).ok_or(GeoError::UnknownCountry)?;
        Ok(Self([b[0], b[1]]))
    }
    pub fn code(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
    /// English short name.
    pub fn name(&self) -> String {
        rust_iso3166::from_alpha2(self.code()).map(|c| c.name.to_string()).unwrap_or_default()
    }
}

/// Every ISO 3166-1 country as (alpha-2, English name), sorted by name.
pub fn all_countries() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = rust_iso3166::ALL.iter().map(|c| (c.alpha2, c.name)).collect();
    v.sort_by(|a, b| a.1.cmp(b.1));
    v
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// An ISO 3166-2 subdivision code that exists, e.g. `BR-PE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subdivision(String);

impl Subdivision {
    pub fn parse(s: &str) -> Result<Self, GeoError> {
        let up = s.trim().to_ascii_uppercase();
        rust_iso3166::iso3166_2::from_code(&up).ok_or(GeoError::UnknownSubdivision)?;
        Ok(Self(up))
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    /// The country this subdivision belongs to.
    pub fn country_code(&self) -> &str {
        self.0.split('-').next().unwrap_or("")
    }
    pub fn name(&self) -> String {
        rust_iso3166::iso3166_2::from_code(&self.0).map(|s| s.name.to_string()).unwrap_or_default()
    }
}

impl serde::Serialize for Subdivision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// WGS 84 coordinates.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

impl Coordinates {
    pub fn parse(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
            Ok(Self { lat, lon })
        } else {
            Err(GeoError::BadCoordinates)
        }
    }
    pub fn lat(&self) -> f64 {
        self.lat
    }
    pub fn lon(&self) -> f64 {
        self.lon
    }
}

/// One place of a route.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Place {
    pub country: Country,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<Subdivision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<Coordinates>,
}

impl Place {
    pub fn new(
        country: Country,
        subdivision: Option<Subdivision>,
        municipality: Option<&str>,
        coordinates: Option<Coordinates>,
    ) -> Result<Self, GeoError> {
        if let Some(s) = &subdivision {
            if s.country_code() != country.code() {
                return Err(GeoError::SubdivisionOutsideCountry);
            }
        }
        let municipality = match municipality.map(str::trim) {
            None | Some("") => None,
            Some(m) if m.chars().count() > 120 || m.chars().any(char::is_control) => return Err(GeoError::BadMunicipality),
            Some(m) => Some(m.to_string()),
        };
        Ok(Self { country, subdivision, municipality, coordinates })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert_eq!(Country::parse("br").map(|c| c.code().to_string()), Ok("BR".into()));
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("BRA").is_err());
        assert!(Country::parse("").is_err());
    }

    #[test]
    fn subdivisions() {
        let s = Subdivision::parse("BR-PE").unwrap();
        assert_eq!(s.country_code(), "BR");
        assert!(Subdivision::parse("BR-XX").is_err());
        let br = Country::parse("BR").unwrap();
        let es = Country::parse("ES").unwrap();
        assert!(Place::new(br, Some(s.clone()), None, None).is_ok());
        assert_eq!(Place::new(es, Some(s), None, None), Err(GeoError::SubdivisionOutsideCountry));
    }

    #[test]
    fn coordinates() {
        assert!(Coordinates::parse(-8.05, -34.9).is_ok());
        assert!(Coordinates::parse(91.0, 0.0).is_err());
        assert!(Coordinates::parse(f64::NAN, 0.0).is_err());
    }
}
