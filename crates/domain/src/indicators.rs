//! Standard indicators, computed purely: SDG 16.2.2 (detected victims of
//! trafficking per 100,000 population, by sex, age group and form of
//! exploitation), the population table they divide by, and period buckets for
//! the counts of victims identified, referred and assisted.
//!
//! Rules that hold everywhere here:
//!
//! * a rate is computed only over a population cell that exists for exactly
//!   that sex and age group: a missing cell refuses the rate (with the reason),
//!   it is never guessed from other cells;
//! * a count under [`SMALL_COUNT`] carries a caution: the rate is unstable and
//!   the cell must pass disclosure control before it is published;
//! * a unit (a person after linkage, otherwise a case) with several forms of
//!   exploitation counts once in each form, so the forms can add up to more
//!   than the total.

use std::collections::BTreeMap;
use std::fmt;

use time::{Date, Month};

use crate::case::{AgeInfo, Exploitation};
use crate::geo::Country;
use crate::taxonomy::{AgeBracket, ExploitationKind, Sex};

/// Rates are per this many inhabitants.
pub const PER: f64 = 100_000.0;
/// Counts from 1 to `SMALL_COUNT - 1` are flagged.
pub const SMALL_COUNT: u64 = 10;
/// When no population figure exists for the period's year, the latest earlier
/// year is used if it is at most this many years older (and the report says so).
pub const MAX_POPULATION_LAG: i32 = 5;

/// The sex of a population cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PopSex {
    Total,
    Female,
    Male,
}

impl PopSex {
    pub const ALL: &'static [PopSex] = &[PopSex::Total, PopSex::Female, PopSex::Male];
    pub fn code(self) -> &'static str {
        match self {
            PopSex::Total => "total",
            PopSex::Female => "female",
            PopSex::Male => "male",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == s.trim())
    }
    /// The population cell a recorded sex divides by, if any.
    pub fn of(sex: Sex) -> Option<Self> {
        match sex {
            Sex::Female => Some(PopSex::Female),
            Sex::Male => Some(PopSex::Male),
            _ => None,
        }
    }
}

/// The age group of a population cell: everyone, the SDG split (children 0–17,
/// adults 18+), or one of the CTDC brackets that cases are recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeGroup {
    Total,
    Children,
    Adults,
    Bracket(AgeBracket),
}

impl AgeGroup {
    /// Every group, in display order.
    pub fn all() -> Vec<AgeGroup> {
        let mut v = vec![AgeGroup::Total, AgeGroup::Children, AgeGroup::Adults];
        v.extend(AgeBracket::ALL.iter().map(|b| AgeGroup::Bracket(*b)));
        v
    }
    pub fn code(self) -> &'static str {
        match self {
            AgeGroup::Total => "total",
            AgeGroup::Children => "0_17",
            AgeGroup::Adults => "18_plus",
            AgeGroup::Bracket(b) => b.code(),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Total => "All ages",
            AgeGroup::Children => "Children (0–17)",
            AgeGroup::Adults => "Adults (18+)",
            AgeGroup::Bracket(b) => b.label(),
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::all().into_iter().find(|v| v.code() == s.trim())
    }
}

/// The SDG age split of what is known of an age; `None` when unknown.
pub fn sdg_age(age: Option<AgeInfo>) -> Option<AgeGroup> {
    match age?.is_minor(18)? {
        true => Some(AgeGroup::Children),
        false => Some(AgeGroup::Adults),
    }
}

/// One row of a population table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationRow {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub country: Country,
    pub year: i32,
    pub sex: PopSex,
    pub age_group: AgeGroup,
    pub population: u64,
}

/// An error in one row of a population file: the line (header is line 1), the
/// column and the rule. Never repeats more than the offending code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// The columns of a population file, in any order; other columns are refused.
pub const POPULATION_COLUMNS: [&str; 5] = ["country", "year", "sex", "age_group", "population"];

fn split_csv_line(line: &str) -> Vec<String> {
    // Population files are simple: codes and numbers. Quotes are stripped; a
    // quoted comma is kept inside its field.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Parse a population file (CSV, UTF-8, comma-separated, a header naming the
/// five columns `country,year,sex,age_group,population` in any order):
///
/// * `country`: ISO 3166-1 alpha-2;
/// * `year`: 1950 to 2100;
/// * `sex`: `total`, `female` or `male`;
/// * `age_group`: `total`, `0_17`, `18_plus`, or a case age bracket
///   (`0_8`, `9_17`, `18_20`, ..., `48_plus`);
/// * `population`: a whole number of persons, 1 or more (thousands separators
///   `_` and spaces are not accepted: write `213993437`).
///
/// Every error is reported (line and column); nothing is returned unless the
/// whole file is valid. A (country, year, sex, age group) cell given twice is an error.
pub fn parse_population_csv(text: &str) -> Result<Vec<PopulationRow>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let err = |line: usize, column: &str, message: String| RowError { line, column: column.to_string(), message };
    let Some((hl, header)) = lines.next() else {
        return Err(vec![err(1, "header", "the file is empty: expected the header country,year,sex,age_group,population".into())]);
    };
    let names: Vec<String> = split_csv_line(header).into_iter().map(|s| s.to_ascii_lowercase()).collect();
    let mut errors = Vec::new();
    let mut idx = [usize::MAX; 5];
    for (i, want) in POPULATION_COLUMNS.iter().enumerate() {
        match names.iter().position(|n| n == want) {
            Some(p) => idx[i] = p,
            None => errors.push(err(hl + 1, want, "missing column".into())),
        }
    }
    for n in &names {
        if !POPULATION_COLUMNS.contains(&n.as_str()) {
            errors.push(err(hl + 1, "header", format!("unexpected column `{}`; expected exactly {}", n.chars().take(40).collect::<String>(), POPULATION_COLUMNS.join(","))));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut seen: BTreeMap<(Country, i32, PopSex, AgeGroup), usize> = BTreeMap::new();
    for (i, line) in lines {
        let ln = i + 1;
        let f = split_csv_line(line);
        if f.len() != names.len() {
            errors.push(err(ln, "row", format!("expected {} fields, found {}", names.len(), f.len())));
            continue;
        }
        let before = errors.len();
        let country = Country::parse(&f[idx[0]]).map_err(|_| errors.push(err(ln, "country", "must be an ISO 3166-1 alpha-2 code such as BR".into()))).ok();
        let year = f[idx[1]].parse::<i32>().ok().filter(|y| (1950..=2100).contains(y));
        if year.is_none() {
            errors.push(err(ln, "year", "must be a year from 1950 to 2100".into()));
        }
        let sex = PopSex::parse(&f[idx[2]]);
        if sex.is_none() {
            errors.push(err(ln, "sex", "must be total, female or male".into()));
        }
        let age_group = AgeGroup::parse(&f[idx[3]]);
        if age_group.is_none() {
            let codes: Vec<&str> = AgeGroup::all().into_iter().map(AgeGroup::code).collect();
            errors.push(err(ln, "age_group", format!("must be one of {}", codes.join(", "))));
        }
        let population = f[idx[4]].parse::<u64>().ok().filter(|p| (1..=20_000_000_000).contains(p));
        if population.is_none() {
            errors.push(err(ln, "population", "must be a whole number of persons from 1 (no separators)".into()));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(country), Some(year), Some(sex), Some(age_group), Some(population)) = (country, year, sex, age_group, population) else { continue };
        if let Some(first) = seen.insert((country, year, sex, age_group), ln) {
            errors.push(err(ln, "row", format!("the cell {} {} {} {} was already given on line {first}", country.code(), year, sex.code(), age_group.code())));
            continue;
        }
        rows.push(PopulationRow { line: ln, country, year, sex, age_group, population });
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(hl + 1, "row", "no data rows after the header".into()));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The population cells of one country.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PopulationTable {
    cells: BTreeMap<(i32, PopSex, AgeGroup), u64>,
}

/// A population figure and the year it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopFigure {
    pub year: i32,
    pub population: u64,
}

impl PopulationTable {
    pub fn insert(&mut self, year: i32, sex: PopSex, age: AgeGroup, population: u64) {
        self.cells.insert((year, sex, age), population);
    }
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.cells.keys().map(|k| k.0).collect();
        y.dedup();
        y
    }
    /// The year whose figures serve for `year`: itself, else the latest earlier
    /// year within [`MAX_POPULATION_LAG`]. `None` when there is none.
    pub fn year_for(&self, year: i32) -> Option<i32> {
        self.years().into_iter().filter(|y| *y <= year && year - *y <= MAX_POPULATION_LAG).max()
    }
    /// The exact cell of that year; never derived from other cells.
    pub fn get(&self, year: i32, sex: PopSex, age: AgeGroup) -> Option<u64> {
        self.cells.get(&(year, sex, age)).copied()
    }
}

/// The facts of one counted unit (a person after linkage, otherwise a case).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFacts {
    pub sex: Sex,
    pub age: Option<AgeInfo>,
    pub forms: Vec<Exploitation>,
}

/// One cell of the indicator table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorRow {
    /// `total`, `sex`, `age_group`, `sex_age`, `age_bracket` or `form`.
    pub dimension: &'static str,
    /// A stable code: `female`, `0_17`, `female/0_17`, `forced_labour`, `unknown`...
    pub group: String,
    pub label: String,
    pub count: u64,
    /// The population divided by, when a cell exists.
    pub population: Option<u64>,
    /// Victims per 100,000 population; `None` with `rate_refused` saying why.
    pub rate: Option<f64>,
    pub rate_refused: Option<String>,
    /// Set when 0 < count < [`SMALL_COUNT`].
    pub caution: Option<String>,
}

/// The rate per 100,000, or `None` when there is no population to divide by.
pub fn rate_per_100k(count: u64, population: u64) -> Option<f64> {
    (population > 0).then(|| count as f64 / population as f64 * PER)
}

fn caution(count: u64) -> Option<String> {
    (count > 0 && count < SMALL_COUNT).then(|| {
        format!("fewer than {SMALL_COUNT}: the rate is unstable, and the cell must pass disclosure control before publication")
    })
}

fn row(dimension: &'static str, group: String, label: String, count: u64, pop: Result<u64, String>) -> IndicatorRow {
    let (population, rate, rate_refused) = match pop {
        Ok(p) => (Some(p), rate_per_100k(count, p), None),
        Err(why) => (None, None, Some(why)),
    };
    IndicatorRow { dimension, group, label, count, population, rate, rate_refused, caution: caution(count) }
}

fn sex_age_label(s: PopSex, a: AgeGroup) -> &'static str {
    match (s, a) {
        (PopSex::Female, AgeGroup::Children) => "Girls (0–17)",
        (PopSex::Male, AgeGroup::Children) => "Boys (0–17)",
        (PopSex::Female, AgeGroup::Adults) => "Women (18+)",
        (PopSex::Male, AgeGroup::Adults) => "Men (18+)",
        _ => "",
    }
}

/// The SDG 16.2.2 table for a set of units over a population table.
///
/// `year` is the year the figures are for; `pop_year` the year of population
/// figures to use (see [`PopulationTable::year_for`]), `None` when there is none.
pub fn sdg_16_2_2(units: &[UnitFacts], pop: &PopulationTable, pop_year: Option<i32>) -> Vec<IndicatorRow> {
    let cell = |sex: PopSex, age: AgeGroup| -> Result<u64, String> {
        let Some(y) = pop_year else { return Err("no population table for this period".into()) };
        pop.get(y, sex, age).ok_or_else(|| format!("no population figure for sex {} and age group {} in {y}", sex.code(), age.code()))
    };
    let mut out = Vec::new();
    out.push(row("total", "total".into(), "All detected victims".into(), units.len() as u64, cell(PopSex::Total, AgeGroup::Total)));

    for s in Sex::ALL {
        let n = units.iter().filter(|u| u.sex == *s).count() as u64;
        let pop = match PopSex::of(*s) {
            Some(ps) => cell(ps, AgeGroup::Total),
            None => Err("no population denominator for this category".into()),
        };
        if n > 0 || PopSex::of(*s).is_some() {
            out.push(row("sex", s.code().into(), s.label().into(), n, pop));
        }
    }

    for g in [AgeGroup::Children, AgeGroup::Adults] {
        let n = units.iter().filter(|u| sdg_age(u.age) == Some(g)).count() as u64;
        out.push(row("age_group", g.code().into(), g.label().into(), n, cell(PopSex::Total, g)));
    }
    let unknown_age = units.iter().filter(|u| sdg_age(u.age).is_none()).count() as u64;
    if unknown_age > 0 {
        out.push(row("age_group", "unknown".into(), "Age unknown".into(), unknown_age, Err("no population denominator for an unknown age".into())));
    }

    for s in [PopSex::Female, PopSex::Male] {
        for g in [AgeGroup::Children, AgeGroup::Adults] {
            let n = units.iter().filter(|u| PopSex::of(u.sex) == Some(s) && sdg_age(u.age) == Some(g)).count() as u64;
            out.push(row("sex_age", format!("{}/{}", s.code(), g.code()), sex_age_label(s, g).into(), n, cell(s, g)));
        }
    }

    for b in AgeBracket::ALL {
        let n = units.iter().filter(|u| u.age.map(AgeInfo::bracket) == Some(*b)).count() as u64;
        if n > 0 {
            out.push(row("age_bracket", b.code().into(), b.label().into(), n, cell(PopSex::Total, AgeGroup::Bracket(*b))));
        }
    }

    for k in ExploitationKind::ALL {
        let n = units.iter().filter(|u| u.forms.iter().any(|f| f.kind() == Some(*k))).count() as u64;
        if n > 0 {
            out.push(row("form", k.code().into(), k.label().into(), n, cell(PopSex::Total, AgeGroup::Total)));
        }
    }
    let other = units.iter().filter(|u| u.forms.iter().any(|f| f.kind().is_none())).count() as u64;
    if other > 0 {
        out.push(row("form", "other".into(), "Other forms".into(), other, cell(PopSex::Total, AgeGroup::Total)));
    }
    let none = units.iter().filter(|u| u.forms.is_empty()).count() as u64;
    if none > 0 {
        out.push(row("form", "not_recorded".into(), "Form not recorded".into(), none, cell(PopSex::Total, AgeGroup::Total)));
    }
    out
}

/// Blank out counts from 1 to `below - 1` (and their rates) for readers who see
/// aggregates only; the row stays, saying it was suppressed.
pub fn suppress_small(rows: &mut [IndicatorRow], below: u64) {
    for r in rows {
        if r.count > 0 && r.count < below {
            r.count = 0;
            r.rate = None;
            r.rate_refused = Some(format!("suppressed: fewer than {below}"));
        }
    }
}

/// The width of the buckets of a period series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Year,
    Quarter,
    Month,
}

impl Bucket {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "year" => Some(Bucket::Year),
            "quarter" => Some(Bucket::Quarter),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Year => "year",
            Bucket::Quarter => "quarter",
            Bucket::Month => "month",
        }
    }
}

/// A period: first and last day, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period must end on or after its first day")]
    Reversed,
    #[error("the period is longer than 50 years")]
    TooLong,
    #[error("not a year from 1950 to 2100")]
    BadYear,
}

impl Period {
    pub fn new(from: Date, to: Date) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed);
        }
        if to.year() - from.year() > 50 {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from, to })
    }
    pub fn year(y: i32) -> Result<Self, PeriodError> {
        if !(1950..=2100).contains(&y) {
            return Err(PeriodError::BadYear);
        }
        let from = Date::from_calendar_date(y, Month::January, 1).map_err(|_| PeriodError::BadYear)?;
        let to = Date::from_calendar_date(y, Month::December, 31).map_err(|_| PeriodError::BadYear)?;
        Ok(Self { from, to })
    }
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }
    /// The buckets covering the period (the first and last cut to it), labelled
    /// `2024`, `2024-Q2` or `2024-05`.
    pub fn buckets(&self, by: Bucket) -> Vec<(String, Period)> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let (label, next) = match by {
                Bucket::Year => (format!("{}", start.year()), first_of(start.year() + 1, 1)),
                Bucket::Quarter => {
                    let q = (u8::from(start.month()) - 1) / 3;
                    let (y, m) = if q == 3 { (start.year() + 1, 1) } else { (start.year(), q * 3 + 4) };
                    (format!("{}-Q{}", start.year(), q + 1), first_of(y, m))
                }
                Bucket::Month => {
                    let m = u8::from(start.month());
                    let (y, nm) = if m == 12 { (start.year() + 1, 1) } else { (start.year(), m + 1) };
                    (format!("{}-{:02}", start.year(), m), first_of(y, nm))
                }
            };
            let end = next.and_then(|n| n.previous_day()).map_or(self.to, |e| e.min(self.to));
            out.push((label, Period { from: start, to: end }));
            match next {
                Some(n) => start = n,
                None => break,
            }
        }
        out
    }
}

fn first_of(year: i32, month: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, 1).ok()
}

/// Counts of one bucket of a period series.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodCounts {
    pub period: String,
    pub from: String,
    pub to: String,
    /// Units identified (identification date in the bucket).
    pub identified: u64,
    /// Units with at least one referral sent in the bucket.
    pub referred: u64,
    /// Units with at least one service started in the bucket.
    pub assisted: u64,
}

/// Per unit: identification date, referral dates, service start dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitEvents {
    pub identified_on: Option<Date>,
    pub referred_on: Vec<Date>,
    pub assisted_on: Vec<Date>,
}

/// Identified / referred / assisted counts per bucket: a unit counts at most
/// once per bucket and measure.
pub fn period_counts(units: &[UnitEvents], period: &Period, by: Bucket) -> Vec<PeriodCounts> {
    period
        .buckets(by)
        .into_iter()
        .map(|(label, p)| PeriodCounts {
            from: crate::case::format_date(p.from),
            to: crate::case::format_date(p.to),
            period: label,
            identified: units.iter().filter(|u| u.identified_on.is_some_and(|d| p.contains(d))).count() as u64,
            referred: units.iter().filter(|u| u.referred_on.iter().any(|d| p.contains(*d))).count() as u64,
            assisted: units.iter().filter(|u| u.assisted_on.iter().any(|d| p.contains(*d))).count() as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Age;
    use time::macros::date;

    fn unit(sex: Sex, age: Option<u8>, forms: &[ExploitationKind]) -> UnitFacts {
        UnitFacts {
            sex,
            age: age.map(|a| AgeInfo::Exact(Age::parse(i64::from(a)).unwrap())),
            forms: forms.iter().map(|k| Exploitation::Kind(*k)).collect(),
        }
    }

    fn table() -> PopulationTable {
        let mut t = PopulationTable::default();
        t.insert(2024, PopSex::Total, AgeGroup::Total, 1_000_000);
        t.insert(2024, PopSex::Female, AgeGroup::Total, 510_000);
        t.insert(2024, PopSex::Male, AgeGroup::Total, 490_000);
        t.insert(2024, PopSex::Total, AgeGroup::Children, 250_000);
        t.insert(2024, PopSex::Female, AgeGroup::Children, 120_000);
        t
    }

    fn find<'a>(rows: &'a [IndicatorRow], dim: &str, group: &str) -> &'a IndicatorRow {
        rows.iter().find(|r| r.dimension == dim && r.group == group).unwrap_or_else(|| panic!("{dim}/{group}"))
    }

    #[test]
    fn rates_and_refusals() {
        let mut units = Vec::new();
        for _ in 0..12 {
            units.push(unit(Sex::Female, Some(15), &[ExploitationKind::SexualExploitation]));
        }
        for _ in 0..8 {
            units.push(unit(Sex::Male, Some(30), &[ExploitationKind::ForcedLabour, ExploitationKind::DebtBondage]));
        }
        units.push(unit(Sex::Unknown, None, &[]));
        let rows = sdg_16_2_2(&units, &table(), Some(2024));
        let t = find(&rows, "total", "total");
        assert_eq!(t.count, 21);
        assert!((t.rate.unwrap() - 2.1).abs() < 1e-9);
        assert!(t.caution.is_none());
        let f = find(&rows, "sex", "female");
        assert!((f.rate.unwrap() - 12.0 / 510_000.0 * 1e5).abs() < 1e-9);
        let m = find(&rows, "sex", "male");
        assert!(m.caution.is_some(), "8 is a small count");
        let u = find(&rows, "sex", "unknown");
        assert!(u.rate.is_none() && u.rate_refused.is_some());
        // Adults have no population cell: the rate is refused, not guessed from total - children.
        let a = find(&rows, "age_group", "18_plus");
        assert_eq!(a.count, 8);
        assert!(a.rate.is_none());
        assert!(a.rate_refused.as_deref().unwrap().contains("18_plus"));
        let c = find(&rows, "age_group", "0_17");
        assert!((c.rate.unwrap() - 12.0 / 250_000.0 * 1e5).abs() < 1e-9);
        assert_eq!(find(&rows, "age_group", "unknown").count, 1);
        assert_eq!(find(&rows, "sex_age", "female/0_17").count, 12);
        assert!(find(&rows, "sex_age", "male/18_plus").rate.is_none());
        // A unit with two forms counts in each.
        assert_eq!(find(&rows, "form", "forced_labour").count, 8);
        assert_eq!(find(&rows, "form", "debt_bondage").count, 8);
        assert_eq!(find(&rows, "form", "not_recorded").count, 1);
        assert_eq!(find(&rows, "age_bracket", "9_17").count, 12);
        // No table: every rate refused.
        let rows = sdg_16_2_2(&units, &table(), None);
        assert!(rows.iter().all(|r| r.rate.is_none() && r.rate_refused.is_some()));
    }

    #[test]
    fn population_year_fallback() {
        let t = table();
        assert_eq!(t.year_for(2024), Some(2024));
        assert_eq!(t.year_for(2027), Some(2024));
        assert_eq!(t.year_for(2030), None);
        assert_eq!(t.year_for(2023), None);
    }

    #[test]
    fn population_csv() {
        let ok = "country,year,sex,age_group,population\nBR,2024,total,total,212000000\nBR,2024,female,0_17,24000000\n";
        let rows = parse_population_csv(ok).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].age_group, AgeGroup::Children);
        // Columns in another order are fine.
        assert!(parse_population_csv("year,country,population,sex,age_group\n2024,BR,5,male,18_plus\n").is_ok());
        let bad = "country,year,sex,age_group,population\nBR,2024,total,total,212000000\nXX,2024,both,0-17,-3\nBR,2024,total,total,1\n";
        let e = parse_population_csv(bad).unwrap_err();
        let cols: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(cols, vec![(3, "country"), (3, "sex"), (3, "age_group"), (3, "population"), (4, "row")]);
        assert!(e[4].message.contains("line 2"));
        let e = parse_population_csv("country,year,sex,population\n").unwrap_err();
        assert_eq!(e[0].column, "age_group");
        assert!(parse_population_csv("").is_err());
        assert!(parse_population_csv("country,year,sex,age_group,population\n").is_err());
    }

    #[test]
    fn buckets_and_counts() {
        let p = Period::new(date!(2024 - 02 - 15), date!(2024 - 08 - 10)).unwrap();
        let q = p.buckets(Bucket::Quarter);
        assert_eq!(q.iter().map(|b| b.0.as_str()).collect::<Vec<_>>(), vec!["2024-Q1", "2024-Q2", "2024-Q3"]);
        assert_eq!(q[0].1.from, date!(2024 - 02 - 15));
        assert_eq!(q[0].1.to, date!(2024 - 03 - 31));
        assert_eq!(q[2].1.to, date!(2024 - 08 - 10));
        assert_eq!(p.buckets(Bucket::Month).len(), 7);
        let y = Period::new(date!(2023 - 12 - 01), date!(2025 - 01 - 31)).unwrap().buckets(Bucket::Year);
        assert_eq!(y.len(), 3);
        let m = Period::year(2024).unwrap().buckets(Bucket::Month);
        assert_eq!(m[11].0, "2024-12");
        assert_eq!(m[11].1.to, date!(2024 - 12 - 31));

        let units = vec![
            UnitEvents { identified_on: Some(date!(2024 - 03 - 01)), referred_on: vec![date!(2024 - 03 - 02), date!(2024 - 03 - 09)], assisted_on: vec![date!(2024 - 04 - 01)] },
            UnitEvents { identified_on: Some(date!(2024 - 05 - 01)), referred_on: vec![], assisted_on: vec![] },
        ];
        let c = period_counts(&units, &p, Bucket::Quarter);
        assert_eq!((c[0].identified, c[0].referred, c[0].assisted), (1, 1, 0));
        assert_eq!((c[1].identified, c[1].referred, c[1].assisted), (1, 0, 1));
        assert!(Period::new(date!(2024 - 02 - 15), date!(2024 - 01 - 01)).is_err());
    }

    #[test]
    fn suppression() {
        let units: Vec<UnitFacts> = (0..3).map(|_| unit(Sex::Female, Some(20), &[])).collect();
        let mut rows = sdg_16_2_2(&units, &table(), Some(2024));
        suppress_small(&mut rows, 5);
        assert!(rows.iter().all(|r| r.count == 0));
    }
}

#[cfg(test)]
mod policy_tests {
    use crate::geo::Country;
    use crate::ids::{AgencyId, UserId};
    use crate::policy::{authorize, Action, Actor, Resource};
    use crate::taxonomy::Role;
    use uuid::Uuid;

    #[test]
    fn who_may_read_and_run() {
        let br = Country::parse("BR").unwrap();
        let es = Country::parse("ES").unwrap();
        let a = AgencyId(Uuid::from_u128(1));
        let actor = |role| Actor { user_id: UserId(Uuid::from_u128(9)), role, agency_id: a, country: br, identity_grant: false };
        let on = |c| Resource::Agency { agency_id: a, country: c };
        for act in [Action::ManagePopulation, Action::RunEstimates, Action::ReadIndicators] {
            assert!(authorize(&actor(Role::Coordinator), act, &on(br)).is_allowed());
            assert!(!authorize(&actor(Role::Coordinator), act, &on(es)).is_allowed());
            for r in [Role::Caseworker, Role::AgencyAdmin, Role::Auditor] {
                assert!(!authorize(&actor(r), act, &on(br)).is_allowed(), "{r:?} {act:?}");
            }
        }
        assert!(authorize(&actor(Role::RegionalMonitor), Action::ReadIndicators, &on(es)).is_allowed());
        assert!(!authorize(&actor(Role::RegionalMonitor), Action::RunEstimates, &on(br)).is_allowed());
        assert!(!authorize(&actor(Role::RegionalMonitor), Action::ManagePopulation, &on(br)).is_allowed());
    }
}
