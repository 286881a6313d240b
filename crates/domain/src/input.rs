//! Raw case input as it arrives (JSON body, form, import row), and its parsing
//! into a [`NewCase`]. Every invalid field is reported, by name; identifying
//! values are never repeated in a message.

use time::Date;

use crate::case::{parse_past_date, Age, AgeInfo, CaseFacts, Exploitation, Identity, NewCase};
use crate::error::FieldErrors;
use crate::geo::{Coordinates, Country, Place, Subdivision};
use crate::taxonomy::{Act, AgeBracket, CaseStatus, Means, RecruiterRelation, Recruitment, Sex};

/// Identifying data as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    pub given_names: Option<String>,
    pub family_names: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub document_numbers: Vec<String>,
    /// Phone, e-mail or address, free text.
    pub contact: Option<String>,
}

/// One place of a route as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaceInput {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-2, e.g. `BR-PE`.
    pub subdivision: Option<String>,
    pub municipality: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A case as submitted to `POST /api/v1/cases`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    #[serde(default)]
    pub identity: IdentityInput,
    /// `female`, `male`, `transgender`, `non_conforming`, `unknown` (default).
    pub sex: Option<String>,
    /// Whole years, 0–120.
    pub age_at_identification: Option<i64>,
    /// When only a bracket is known: `0_8`, `9_17`, `18_20`, ... `48_plus`.
    pub age_bracket: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub citizenship: Option<String>,
    #[serde(default)]
    pub acts: Vec<String>,
    #[serde(default)]
    pub means: Vec<String>,
    /// Codes, or `other: description`.
    #[serde(default)]
    pub exploitation: Vec<String>,
    pub recruitment: Option<String>,
    pub recruiter_relation: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    pub identified_on: Option<String>,
    /// `presumed` (default), `identified`, `not_a_victim`.
    pub status: Option<String>,
    #[serde(default)]
    pub route: Vec<PlaceInput>,
    /// The agency's own record id.
    pub external_ref: Option<String>,
    /// Used by screening only; not stored with the case.
    pub consent_given: Option<bool>,
}

fn text(errs: &mut FieldErrors, field: &str, v: &Option<String>, max: usize) -> Option<String> {
    text_with(errs, || field.to_string(), v.as_deref(), max)
}

/// A free-text value, trimmed; the field's name is made only for an error.
fn text_with(errs: &mut FieldErrors, field: impl FnOnce() -> String, v: Option<&str>, max: usize) -> Option<String> {
    match v.map(str::trim) {
        None | Some("") => None,
        Some(s) if s.chars().count() > max => {
            errs.push(field(), format!("must be at most {max} characters"));
            None
        }
        Some(s) if s.chars().any(char::is_control) => {
            errs.push(field(), "must not contain control characters");
            None
        }
        Some(s) => Some(s.to_string()),
    }
}

fn codes<T>(errs: &mut FieldErrors, field: &str, raw: &[String], parse: impl Fn(&str) -> Result<T, String>) -> Vec<T>
where
    T: PartialEq,
{
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        match parse(r) {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => errs.push(format!("{field}[{i}]"), e),
        }
    }
    out
}

impl IdentityInput {
    fn parse(&self, today: Date, errs: &mut FieldErrors) -> Identity {
        let given_names = text(errs, "identity.given_names", &self.given_names, 200);
        let family_names = text(errs, "identity.family_names", &self.family_names, 200);
        let date_of_birth = match self.date_of_birth.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => errs.take("identity.date_of_birth", parse_past_date(s, today)),
        };
        let mut document_numbers = Vec::new();
        for (i, d) in self.document_numbers.iter().enumerate() {
            if let Some(d) = text_with(errs, || format!("identity.document_numbers[{i}]"), Some(d), 64) {
                document_numbers.push(d);
            }
        }
        let contact = text(errs, "identity.contact", &self.contact, 500);
        Identity { given_names, family_names, date_of_birth, document_numbers, contact }
    }
}

impl PlaceInput {
    /// `field` names the place (`route[i]`), made only for an error.
    fn parse(&self, field: impl Fn() -> String, errs: &mut FieldErrors) -> Option<Place> {
        let country = errs.take_with(|| format!("{}.country", field()), Country::parse(&self.country));
        let subdivision = match self.subdivision.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(errs.take_with(|| format!("{}.subdivision", field()), Subdivision::parse(s))?),
        };
        let coordinates = match (self.lat, self.lon) {
            (None, None) => None,
            (Some(lat), Some(lon)) => Some(errs.take_with(|| format!("{}.lat", field()), Coordinates::parse(lat, lon))?),
            _ => {
                errs.push(format!("{}.lat", field()), "lat and lon go together");
                return None;
            }
        };
        errs.take_with(field, Place::new(country?, subdivision, self.municipality.as_deref(), coordinates))
    }
}

impl CaseInput {
    /// Parse only what screening needs (acts, means, exploitation, age); the
    /// identification date is optional here.
    pub fn screening_input(&self, today: Date) -> Result<crate::screening::ScreeningInput, FieldErrors> {
        let mut errs = FieldErrors::default();
        let acts = codes(&mut errs, "acts", &self.acts, |s| Act::parse(s).map_err(|e| e.to_string()));
        let means = codes(&mut errs, "means", &self.means, |s| Means::parse(s).map_err(|e| e.to_string()));
        let exploitation = codes(&mut errs, "exploitation", &self.exploitation, |s| Exploitation::parse(s).map_err(|e| e.to_string()));
        let exact = self.age_at_identification.and_then(|a| errs.take("age_at_identification", Age::parse(a)));
        let bracket = self.age_bracket.as_deref().filter(|s| !s.is_empty()).and_then(|b| errs.take("age_bracket", AgeBracket::parse(b)));
        let on = match self.identified_on.as_deref().map(str::trim) {
            None | Some("") => today,
            Some(s) => errs.take("identified_on", parse_past_date(s, today)).unwrap_or(today),
        };
        let dob = match self.identity.date_of_birth.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => errs.take("identity.date_of_birth", parse_past_date(s, today)),
        };
        let age = exact.map(AgeInfo::Exact).or(bracket.map(AgeInfo::Bracket)).or_else(|| dob.and_then(|d| Age::between(d, on)).map(AgeInfo::Exact));
        if errs.is_empty() {
            Ok(crate::screening::ScreeningInput { acts, means, exploitation, age, consent_given: self.consent_given })
        } else {
            Err(errs)
        }
    }

    /// Parse into a validated case; `today` bounds every date.
    pub fn parse(&self, today: Date) -> Result<NewCase, FieldErrors> {
        let mut errs = FieldErrors::default();
        let identity = self.identity.parse(today, &mut errs);

        let sex = match self.sex.as_deref() {
            None | Some("") => Some(Sex::Unknown),
            Some(s) => errs.take("sex", Sex::parse(s)),
        };
        let exact = self.age_at_identification.map(|a| errs.take("age_at_identification", Age::parse(a)));
        let bracket = self.age_bracket.as_deref().filter(|s| !s.is_empty()).map(|b| errs.take("age_bracket", AgeBracket::parse(b)));
        let identified_on = match self.identified_on.as_deref().map(str::trim) {
            None | Some("") => {
                errs.push("identified_on", "is required (YYYY-MM-DD)");
                None
            }
            Some(s) => errs.take("identified_on", parse_past_date(s, today)),
        };
        let mut age = match (exact, bracket) {
            (Some(Some(a)), Some(Some(b))) => {
                if AgeBracket::of_age(a.years()) != b {
                    errs.push("age_bracket", "does not hold age_at_identification");
                }
                Some(AgeInfo::Exact(a))
            }
            (Some(Some(a)), _) => Some(AgeInfo::Exact(a)),
            (_, Some(Some(b))) => Some(AgeInfo::Bracket(b)),
            _ => None,
        };
        if let (Some(dob), Some(on)) = (identity.date_of_birth, identified_on) {
            if dob > on {
                errs.push("identity.date_of_birth", "must not be after identified_on");
            } else if age.is_none() {
                age = Age::between(dob, on).map(AgeInfo::Exact);
            }
        }
        let citizenship = match self.citizenship.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => errs.take("citizenship", Country::parse(c)),
        };
        let acts = codes(&mut errs, "acts", &self.acts, |s| Act::parse(s).map_err(|e| e.to_string()));
        let means = codes(&mut errs, "means", &self.means, |s| Means::parse(s).map_err(|e| e.to_string()));
        let exploitation = codes(&mut errs, "exploitation", &self.exploitation, |s| Exploitation::parse(s).map_err(|e| e.to_string()));
        let recruitment = self.recruitment.as_deref().filter(|s| !s.is_empty()).and_then(|s| errs.take("recruitment", Recruitment::parse(s)));
        let recruiter_relation = self
            .recruiter_relation
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| errs.take("recruiter_relation", RecruiterRelation::parse(s)));
        let status = match self.status.as_deref() {
            None | Some("") => Some(CaseStatus::Presumed),
            Some(s) => errs.take("status", CaseStatus::parse(s)),
        };
        if self.route.len() > 20 {
            errs.push("route", "at most 20 places");
        }
        let route: Vec<Place> = self.route.iter().enumerate().filter_map(|(i, p)| p.parse(|| format!("route[{i}]"), &mut errs)).collect();
        let external_ref = text(&mut errs, "external_ref", &self.external_ref, 100);

        match (sex, identified_on, status) {
            (Some(sex), Some(identified_on), Some(status)) if errs.is_empty() => Ok(NewCase {
                identity,
                facts: CaseFacts {
                    sex,
                    age,
                    citizenship,
                    acts,
                    means,
                    exploitation,
                    recruitment,
                    recruiter_relation,
                    identified_on,
                    status,
                    route,
                },
                external_ref,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 01 - 01);

    fn example() -> CaseInput {
        serde_json::from_str(
            r#"{"identity":{"given_names":"Ana","family_names":"Souza","date_of_birth":"1990-04-01"},"sex":"female","age_at_identification":19,"citizenship":"BR","acts":["recruitment","transportation"],"means":["deception"],"exploitation":["sexual_exploitation"],"identified_on":"2024-03-01","route":[{"country":"BR","subdivision":"BR-PE"},{"country":"ES"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn example_parses() {
        let c = example().parse(TODAY).unwrap();
        assert_eq!(c.facts.route.len(), 2);
        assert_eq!(c.facts.is_minor(), Some(false));
    }

    #[test]
    fn every_bad_field_is_named_without_its_value() {
        let mut c = example();
        c.citizenship = Some("XX".into());
        c.age_at_identification = Some(-3);
        c.identified_on = Some("2999-01-01".into());
        c.identity.date_of_birth = Some("2999-01-01".into());
        c.route[1].country = "QQ".into();
        c.acts.push("kidnap".into());
        let errs = c.parse(TODAY).unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        for f in ["citizenship", "age_at_identification", "identified_on", "identity.date_of_birth", "route[1].country", "acts[2]"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(!errs.to_string().contains("2999"));
    }

    #[test]
    fn age_derived_from_birth_date() {
        let mut c = example();
        c.age_at_identification = None;
        c.identity.date_of_birth = Some("2010-03-02".into());
        let c = c.parse(TODAY).unwrap();
        assert_eq!(c.facts.age, Some(AgeInfo::Exact(Age::parse(13).unwrap())));
        assert_eq!(c.facts.is_minor(), Some(true));
    }

    #[test]
    fn unknown_json_field_is_rejected() {
        let r: Result<CaseInput, _> = serde_json::from_str(r#"{"identified_on":"2024-01-01","colour":"red"}"#);
        assert!(r.is_err());
    }
}
