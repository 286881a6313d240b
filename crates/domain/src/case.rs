//! The case: one presumed trafficked person as recorded by one agency.
//!
//! Identifying data ([`Identity`]) is kept apart from the rest so that storage can
//! encrypt it and the policy can withhold it.

use std::fmt;

use time::Date;

use crate::geo::{Country, Place};
use crate::ids::{AgencyId, CaseId, UserId};
use crate::taxonomy::{Act, AgeBracket, CaseStatus, ExploitationKind, Means, RecruiterRelation, Recruitment, Sex};

/// Identifying data of a person. Never logged: its `Debug` is redacted.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_date")]
    pub date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Identity(<redacted>)")
    }
}

impl Identity {
    pub fn is_empty(&self) -> bool {
        self == &Identity::default()
    }
}

/// `YYYY-MM-DD` (de)serialisation for optional dates.
pub mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) => super::parse_iso_date(&s).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let y = d.year();
    if !(0..=9999).contains(&y) {
        return format!("{:04}-{:02}-{:02}", y, u8::from(d.month()), d.day());
    }
    // Without the formatting machinery: a large import formats millions of dates.
    let (y, m, day) = (y as u32, u32::from(u8::from(d.month())), u32::from(d.day()));
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let mut out = String::with_capacity(10);
    out.extend([digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), '-', digit(m / 10), digit(m), '-', digit(day / 10), digit(day)]);
    out
}

/// Parse `YYYY-MM-DD` (no other form).
pub fn parse_iso_date(s: &str) -> Result<Date, DateError> {
    // The common case without the format-description machinery (a million dates
    // a large import); anything else takes the general parser below.
    let b = s.trim().as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            let month = time::Month::try_from(m as u8).map_err(|_| DateError::Format)?;
            return Date::from_calendar_date(y as i32, month, d as u8).map_err(|_| DateError::Format);
        }
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).map_err(|_| DateError::Format)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("must be a date written YYYY-MM-DD")]
    Format,
    #[error("must not be in the future")]
    Future,
    #[error("must not be before 1900")]
    TooOld,
}

/// A date that is not in the future (relative to the `today` given when parsing).
pub fn parse_past_date(s: &str, today: Date) -> Result<Date, DateError> {
    let d = parse_iso_date(s)?;
    if d > today {
        return Err(DateError::Future);
    }
    if d.year() < 1900 {
        return Err(DateError::TooOld);
    }
    Ok(d)
}

/// An age in whole years, 0 to 120.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Age(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number of years from 0 to 120")]
pub struct AgeError;

impl Age {
    pub fn parse(n: i64) -> Result<Self, AgeError> {
        u8::try_from(n).ok().filter(|a| *a <= 120).map(Self).ok_or(AgeError)
    }
    pub fn years(self) -> u8 {
        self.0
    }
    /// Age in completed years on `on` for a person born on `born`.
    pub fn between(born: Date, on: Date) -> Option<Self> {
        let mut years = on.year() - born.year();
        if (u8::from(on.month()), on.day()) < (u8::from(born.month()), born.day()) {
            years -= 1;
        }
        Age::parse(i64::from(years)).ok()
    }
}

/// What is known of the age at identification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeInfo {
    Exact(Age),
    Bracket(AgeBracket),
}

impl AgeInfo {
    pub fn bracket(self) -> AgeBracket {
        match self {
            AgeInfo::Exact(a) => AgeBracket::of_age(a.years()),
            AgeInfo::Bracket(b) => b,
        }
    }
    /// Whether the person was a child (under `majority`): `None` when the bracket straddles it.
    pub fn is_minor(self, majority: u8) -> Option<bool> {
        match self {
            AgeInfo::Exact(a) => Some(a.years() < majority),
            AgeInfo::Bracket(b) => {
                let (lo, hi) = b.bounds();
                if hi < majority {
                    Some(true)
                } else if lo >= majority {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }
}

/// A form of exploitation: a coded kind, or "other" with a short description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exploitation {
    Kind(ExploitationKind),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExploitationError {
    #[error(transparent)]
    Unknown(#[from] crate::taxonomy::UnknownCode),
    #[error("\"other: ...\" needs a description of 1 to 200 characters")]
    BadOther,
}

impl Exploitation {
    /// `sexual_exploitation`, ..., or `other: description`.
    pub fn parse(s: &str) -> Result<Self, ExploitationError> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("other:") {
            let text = rest.trim();
            if text.is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
                return Err(ExploitationError::BadOther);
            }
            return Ok(Exploitation::Other(text.to_string()));
        }
        if s == "other" {
            return Err(ExploitationError::BadOther);
        }
        Ok(Exploitation::Kind(ExploitationKind::parse(s).map_err(|mut e| {
            e.expected.push_str(", other: <description>");
            e
        })?))
    }
    pub fn code(&self) -> String {
        match self {
            Exploitation::Kind(k) => k.code().to_string(),
            Exploitation::Other(t) => format!("other: {t}"),
        }
    }
    pub fn kind(&self) -> Option<ExploitationKind> {
        match self {
            Exploitation::Kind(k) => Some(*k),
            Exploitation::Other(_) => None,
        }
    }
}

impl serde::Serialize for Exploitation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

/// The non-identifying facts of a case, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub sex: Sex,
    pub age: Option<AgeInfo>,
    pub citizenship: Option<Country>,
    pub acts: Vec<Act>,
    pub means: Vec<Means>,
    pub exploitation: Vec<Exploitation>,
    pub recruitment: Option<Recruitment>,
    pub recruiter_relation: Option<RecruiterRelation>,
    pub identified_on: Date,
    pub status: CaseStatus,
    pub route: Vec<Place>,
}

impl CaseFacts {
    /// A child at identification (age of majority 18); `None` when unknown.
    pub fn is_minor(&self) -> Option<bool> {
        self.age.and_then(|a| a.is_minor(18))
    }
}

/// A validated new case, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub identity: Identity,
    pub facts: CaseFacts,
    /// The agency's own record id, if the case came from its records.
    pub external_ref: Option<String>,
}

/// A stored case (identity decrypted or withheld by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: CaseId,
    pub agency_id: AgencyId,
    pub created_by: UserId,
    pub created_at: time::OffsetDateTime,
    pub external_ref: Option<String>,
    pub facts: CaseFacts,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ages() {
        assert!(Age::parse(-1).is_err());
        assert!(Age::parse(121).is_err());
        assert_eq!(Age::parse(0).map(Age::years), Ok(0));
        assert_eq!(Age::between(date!(2000 - 05 - 10), date!(2018 - 05 - 09)).map(Age::years), Some(17));
        assert_eq!(Age::between(date!(2000 - 05 - 10), date!(2018 - 05 - 10)).map(Age::years), Some(18));
    }

    #[test]
    fn minors() {
        assert_eq!(AgeInfo::Bracket(AgeBracket::A9to17).is_minor(18), Some(true));
        assert_eq!(AgeInfo::Bracket(AgeBracket::A18to20).is_minor(18), Some(false));
        assert_eq!(AgeInfo::Bracket(AgeBracket::A18to20).is_minor(19), None);
    }

    #[test]
    fn dates() {
        let today = date!(2024 - 06 - 01);
        assert_eq!(parse_past_date("2024-06-02", today), Err(DateError::Future));
        assert_eq!(parse_past_date("01/02/2020", today), Err(DateError::Format));
        assert!(parse_past_date("2024-06-01", today).is_ok());
    }

    proptest::proptest! {
        /// The fast path for `YYYY-MM-DD` agrees with the general parser on every
        /// string of that shape, valid or not.
        #[test]
        fn dates_format_and_parse_back(days in -700_000i32..2_900_000) {
            let d = Date::from_julian_day(days).unwrap();
            let text = format_date(d);
            proptest::prop_assert_eq!(&text, &format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
            if (0..=9999).contains(&d.year()) {
                proptest::prop_assert_eq!(parse_iso_date(&text), Ok(d));
            }
        }

        #[test]
        fn iso_date_fast_path_agrees(y in 0u32..10000, m in 0u32..14, d in 0u32..33, pad in proptest::bool::ANY) {
            let s = format!("{}{y:04}-{m:02}-{d:02}", if pad { " " } else { "" });
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            let general = Date::parse(s.trim(), &fmt).map_err(|_| DateError::Format);
            proptest::prop_assert_eq!(parse_iso_date(&s), general);
        }
    }

    #[test]
    fn exploitation() {
        assert_eq!(Exploitation::parse("forced_labour"), Ok(Exploitation::Kind(ExploitationKind::ForcedLabour)));
        assert_eq!(Exploitation::parse("other: selling in markets").map(|e| e.code()), Ok("other: selling in markets".into()));
        assert!(Exploitation::parse("other:").is_err());
        assert!(Exploitation::parse("tourism").is_err());
    }

    #[test]
    fn identity_debug_is_redacted() {
        let id = Identity { given_names: Some("Zqxw".into()), ..Default::default() };
        assert!(!format!("{id:?}").contains("Zqxw"));
    }
}
