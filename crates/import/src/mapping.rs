//! Saved mappings: an agency's own columns and values, translated to Vigia fields and codes.

use std::collections::BTreeMap;

use vigia_domain::case::Exploitation;
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::taxonomy::{
    Act, AgeBracket, CaseStatus, Means, RecruiterRelation, Recruitment, Sex,
};

use crate::error::MappingError;
use crate::field::{normalise_owned, Domain, Field};

/// How dates are written in the source. Excel date cells are always understood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DateFormat {
    /// `2024-03-31`.
    #[default]
    #[serde(rename = "YYYY-MM-DD")]
    Iso,
    /// `31/03/2024` (also `31-03-2024`, `31.03.2024`).
    #[serde(rename = "DD/MM/YYYY")]
    DayMonthYear,
    /// `03/31/2024`.
    #[serde(rename = "MM/DD/YYYY")]
    MonthDayYear,
}

/// A saved mapping from an agency's own layout to Vigia's fields.
///
/// ```toml
/// name = "Secretaria X, planilha 2023"
/// date_format = "DD/MM/YYYY"
/// [columns]
/// "Código" = "id"
/// "Sexo" = "sex"
/// [values.prs_Gender]
/// "F" = "female"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// A human name for the mapping.
    pub name: String,
    /// Source column header → target field (canonical name or alias, see [`Field`]).
    /// Headers match exactly after trimming, ignoring case.
    #[serde(default)]
    pub columns: BTreeMap<String, Field>,
    /// Target field → (source value → Vigia code). Source values match ignoring case,
    /// spaces and punctuation. An empty code means "treat as an empty cell".
    /// Values not listed here fall back to the HTCDS crosswalk and Vigia's own codes.
    #[serde(default)]
    pub values: BTreeMap<Field, BTreeMap<String, String>>,
    /// Whether columns not listed in `columns` are still matched by HTCDS name
    /// (`prs_Gender`, ...). Default true.
    #[serde(default = "yes")]
    pub htcds_columns: bool,
    /// How dates are written. Default `YYYY-MM-DD`.
    #[serde(default)]
    pub date_format: DateFormat,
    /// The separator of multi-select cells. Default `;`.
    #[serde(default = "semicolon")]
    pub multi_separator: char,
}

fn yes() -> bool {
    true
}
fn semicolon() -> char {
    ';'
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            name: String::new(),
            columns: BTreeMap::new(),
            values: BTreeMap::new(),
            htcds_columns: true,
            date_format: DateFormat::Iso,
            multi_separator: ';',
        }
    }
}

/// Check that `code` is a valid Vigia code for `domain` (empty = blank is fine).
pub(crate) fn check_code(domain: Domain, code: &str) -> Result<(), String> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(());
    }
    match domain {
        Domain::Sex => Sex::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Status => CaseStatus::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Means => Means::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Exploitation => Exploitation::parse(code)
            .map(drop)
            .map_err(|e| e.to_string()),
        Domain::Recruitment => Recruitment::parse(code)
            .map(drop)
            .map_err(|e| e.to_string()),
        Domain::Relation => RecruiterRelation::parse(code)
            .map(drop)
            .map_err(|e| e.to_string()),
        Domain::AgeBracket => AgeBracket::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Act => Act::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Country => Country::parse(code).map(drop).map_err(|e| e.to_string()),
        Domain::Subdivision => Subdivision::parse(code)
            .map(drop)
            .map_err(|e| e.to_string()),
        Domain::Bool => match code {
            "true" | "false" => Ok(()),
            _ => Err("must be true or false".into()),
        },
        Domain::Text | Domain::Date | Domain::Integer => Err("this field takes no codes".into()),
    }
}

impl Mapping {
    /// An empty mapping (the plain HTCDS layout).
    pub fn htcds() -> Self {
        Mapping {
            name: "HTCDS v2.0 flat layout".into(),
            ..Mapping::default()
        }
    }

    /// Check the mapping itself: every target code exists, no field is fed by two
    /// columns, value maps only on coded fields, a sane separator.
    pub fn validate(&self) -> Result<(), MappingError> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push("name must not be empty".to_string());
        }
        if self.multi_separator.is_alphanumeric() || self.multi_separator == '"' {
            problems.push("multi_separator must be a punctuation character".into());
        }
        let mut seen: BTreeMap<Field, &str> = BTreeMap::new();
        let mut headers: BTreeMap<String, &str> = BTreeMap::new();
        for (col, field) in &self.columns {
            if col.trim().is_empty() {
                problems.push("columns: a source column name is empty".into());
            }
            if let Some(other) = headers.insert(col.trim().to_lowercase(), col) {
                problems.push(format!(
                    "columns: `{other}` and `{col}` are the same column"
                ));
            }
            if *field == Field::Ignore {
                continue;
            }
            if let Some(other) = seen.insert(*field, col) {
                problems.push(format!(
                    "columns: `{other}` and `{col}` both map to {field}"
                ));
            }
        }
        for (field, values) in &self.values {
            let d = field.domain();
            if !d.has_codes() {
                problems.push(format!(
                    "values: {field} is not a coded field; it takes no value mapping"
                ));
                continue;
            }
            let mut keys: BTreeMap<String, &str> = BTreeMap::new();
            for (source, code) in values {
                let n = normalise_owned(source);
                if n.is_empty() {
                    problems.push(format!(
                        "values.{field}: source value `{source}` has no letters or digits"
                    ));
                }
                if let Some(other) = keys.insert(n, source) {
                    problems.push(format!(
                        "values.{field}: `{other}` and `{source}` are the same value"
                    ));
                }
                if let Err(e) = check_code(d, code) {
                    problems.push(format!("values.{field}: `{source}` → `{code}`: {e}"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(MappingError { problems })
        }
    }

    /// Parse and validate a mapping stored as JSON.
    pub fn from_json(s: &str) -> Result<Self, MappingError> {
        let m: Mapping =
            serde_json::from_str(s).map_err(|e| MappingError::syntax(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }
    /// Parse and validate a mapping stored as TOML.
    pub fn from_toml(s: &str) -> Result<Self, MappingError> {
        let m: Mapping = toml::from_str(s).map_err(|e| MappingError::syntax(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Mapping {
        let mut m = Mapping {
            name: "ONG Brasil".into(),
            ..Mapping::default()
        };
        m.columns.insert("Código".into(), Field::Id);
        m.columns.insert("Sexo".into(), Field::Gender);
        m.values
            .entry(Field::Gender)
            .or_default()
            .insert("F".into(), "female".into());
        m.values
            .entry(Field::TypeOfExploitation)
            .or_default()
            .insert("Trabalho escravo".into(), "forced_labour".into());
        m.values
            .entry(Field::TypeOfExploitation)
            .or_default()
            .insert("Venda em feiras".into(), "other: venda em feiras".into());
        m
    }

    #[test]
    fn json_and_toml_round_trip() {
        let m = sample();
        m.validate().unwrap();
        assert_eq!(Mapping::from_json(&m.to_json()).unwrap(), m);
        assert_eq!(Mapping::from_toml(&m.to_toml()).unwrap(), m);
    }

    #[test]
    fn bad_targets_are_errors() {
        let mut m = sample();
        m.values
            .entry(Field::Gender)
            .or_default()
            .insert("X".into(), "alien".into());
        m.values
            .entry(Field::FirstName)
            .or_default()
            .insert("A".into(), "b".into());
        m.columns.insert("Sex".into(), Field::Gender);
        let e = m.validate().unwrap_err();
        assert_eq!(e.problems.len(), 3, "{e}");
        assert!(
            Mapping::from_json(r#"{"name":"x","columns":{"a":"colour"}}"#)
                .unwrap_err()
                .to_string()
                .contains("colour")
        );
    }
}
