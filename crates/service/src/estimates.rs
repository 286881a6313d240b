//! Standard indicators and the estimate of the hidden number (design capability 6).
//!
//! * **Population tables** (the denominators of the rates), imported by a
//!   country's coordinator as CSV (`country,year,sex,age_group,population`, see
//!   [`vigia_domain::indicators::parse_population_csv`]), all or nothing, one
//!   record per country and year; `vigia demo` adds illustrative demo figures.
//! * **Indicators** for a period: SDG 16.2.2 (detected victims per 100,000 by
//!   sex, age group and form of exploitation) and the counts identified,
//!   referred and assisted per year, quarter or month.
//! * **Multiple systems estimation**: capture lists built from the country's
//!   cases (one list per agency, per kind of agency, or per chosen group),
//!   optionally stratified, estimated with `vigia_mse`; each run is stored with
//!   its inputs (capture tables, options, seed, lists, linkage run) so that it
//!   can be re-run to the same numbers.
//!
//! The unit counted is a **person** when a national linkage run exists (the
//! coordinator's latest, see `national.rs`), otherwise a **case**; every result
//! says which. Without linkage each case is its own person, so agencies' lists
//! cannot overlap and estimation refuses: that is the honest answer.
//!
//! Reads here aggregate case *facts* (sex, age, forms, dates, agency); no
//! identity is decrypted. Each computation is therefore audited once, with a
//! detail naming the country, the period and how many cases were read, rather
//! than one entry per case (which would flood the chain without protecting anyone).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use time::Date;
use vigia_domain::case::{format_date, parse_iso_date, CaseFacts};
use vigia_domain::geo::Country;
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::indicators::{
    self, parse_population_csv, AgeGroup, Bucket, IndicatorRow, Period, PeriodCounts, PopSex, PopulationTable, UnitEvents, UnitFacts,
};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, Scope};
use vigia_domain::taxonomy::{AgencyKind, CaseStatus, Role, Sex};
use vigia_domain::FieldErrors;
pub use vigia_mse::Criterion;
use vigia_mse::{CaptureTable, MseOptions, MseResult};
use vigia_store::{AuditEvent, Record, RecordQuery};

use crate::util::{invalid, new_id, from_json};
use crate::nrm::{Referral, ServiceRecord, REFERRAL, SERVICE};
use crate::{Result, ServiceError, Vigia};

pub const POPULATION: &str = "population";
pub const ESTIMATE_RUN: &str = "estimate_run";
/// The source line of demo population figures.
pub const DEMO_SOURCE: &str = "illustrative demo figures: rounded, UN WPP-like, not official statistics";
/// Below this count, readers other than the country's coordinator see the cell suppressed.
pub const SUPPRESS_BELOW: u64 = 5;
/// Most bootstrap replicates a run may ask for.
pub const MAX_BOOTSTRAP: usize = 5000;

// ----- population -----

/// One cell of a population year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationCell {
    pub sex: String,
    pub age_group: String,
    pub population: u64,
}

/// A country's population figures for one year, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationYear {
    pub country: String,
    pub year: i32,
    pub source: String,
    /// Illustrative demo figures (never official statistics).
    pub demo: bool,
    pub cells: Vec<PopulationCell>,
    pub imported_by: Option<UserId>,
    pub imported_at_ms: i64,
}

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationImported {
    pub country: String,
    pub years: Vec<i32>,
    pub rows: usize,
}

// ----- indicators -----

/// The counted unit and where it came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnitBasis {
    /// `persons` (after national linkage) or `cases` (not de-duplicated).
    pub unit: String,
    pub linkage_run: Option<String>,
}

/// Standard indicators of one country for one period.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorReport {
    pub country: String,
    pub from: String,
    pub to: String,
    pub by: String,
    #[serde(flatten)]
    pub basis: UnitBasis,
    /// Units identified in the period (the SDG 16.2.2 numerator).
    pub detected: u64,
    /// The year of the population figures used, if any.
    pub population_year: Option<i32>,
    pub population_source: Option<String>,
    pub population_demo: bool,
    /// SDG 16.2.2 rows (see `vigia_domain::indicators::IndicatorRow`).
    pub rows: Vec<IndicatorRow>,
    /// Identified / referred / assisted per bucket; `None` for readers of aggregates only.
    pub series: Option<Vec<PeriodCounts>>,
    /// Counts below this were suppressed for this reader.
    pub suppressed_below: Option<u64>,
    pub warnings: Vec<String>,
}

// ----- estimation -----

/// How capture lists are formed from agencies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ListsSpec {
    /// One list per agency with cases.
    PerAgency,
    /// One list per kind of agency (police, NGOs, shelters...).
    PerAgencyKind,
    /// Named groups; agencies in no group are left out (and the result says so).
    Groups { groups: Vec<ListGroup> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListGroup {
    pub name: String,
    pub agencies: Vec<AgencyId>,
}

/// Separate estimates per stratum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Stratify {
    #[default]
    None,
    /// female / male / other or unknown.
    Sex,
    /// children 0–17 / adults 18+ / unknown.
    AgeGroup,
    /// Subdivision of exploitation (last place of the route in the country),
    /// else the recording agency's subdivision, else `unknown`.
    Region,
}

impl Stratify {
    pub fn code(self) -> &'static str {
        match self {
            Stratify::None => "none",
            Stratify::Sex => "sex",
            Stratify::AgeGroup => "age_group",
            Stratify::Region => "region",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Stratify::None, Stratify::Sex, Stratify::AgeGroup, Stratify::Region].into_iter().find(|v| v.code() == s.trim())
    }
}

/// What a coordinator asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSpec {
    pub lists: ListsSpec,
    #[serde(default)]
    pub stratify: Stratify,
    /// Identification dates from / to (inclusive, `YYYY-MM-DD`); all cases when absent.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub criterion: Criterion,
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_order")]
    pub max_order: u8,
}

fn default_bootstrap() -> usize {
    1000
}
fn default_seed() -> u64 {
    1
}
fn default_order() -> u8 {
    2
}

/// A list as used in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListDef {
    /// Short name used in the capture table and model terms (`L1`, `L2`, ...).
    pub code: String,
    pub name: String,
    pub agencies: Vec<AgencyId>,
    /// Units on this list (all strata).
    pub units: u64,
}

/// One stratum of a run: its capture table and the estimate or the refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumRun {
    pub stratum: String,
    /// `None` when the stratum has fewer than two non-empty lists.
    pub table: Option<CaptureTable>,
    pub observed: u64,
    pub result: Option<MseResult>,
    /// Why there is no estimate (never a silent number).
    pub refusal: Option<String>,
}

/// A stored estimation run: inputs and results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRun {
    pub id: String,
    pub country: String,
    pub spec: EstimateSpec,
    pub options: MseOptions,
    #[serde(flatten)]
    pub basis: UnitBasis,
    pub lists: Vec<ListDef>,
    pub strata: Vec<StratumRun>,
    pub warnings: Vec<String>,
    /// Cases read to build the lists.
    pub cases_read: u64,
    pub created_by: UserId,
    pub created_at_ms: i64,
    /// For a re-run: the run reproduced, and whether every number matched.
    pub rerun_of: Option<String>,
    pub reproduced: Option<bool>,
}

/// A line of the list of runs.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateRunSummary {
    pub id: String,
    pub created_at_ms: i64,
    pub unit: String,
    pub lists: usize,
    pub stratify: String,
    pub estimates: Vec<(String, Option<f64>, Option<f64>, Option<f64>)>,
    pub rerun_of: Option<String>,
    pub reproduced: Option<bool>,
}

/// Persons from national linkage: person key → (case, agency) of each record.
#[derive(Debug, Clone, Default)]
pub struct LinkedPersons {
    pub run_id: String,
    pub persons: Vec<(String, Vec<(CaseId, AgencyId)>)>,
}

// ----- helpers -----




fn ms_to_date(ms: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok().map(|t| t.date())
}

/// The facts of a case needed here (no identity).
struct CaseRow {
    id: CaseId,
    agency: AgencyId,
    facts: CaseFacts,
}

/// A counted unit: its cases (earliest identification first).
struct Unit {
    cases: Vec<usize>,
}

impl Vigia {
    fn est_event(&self, actor: &Actor, action: &str, detail: impl Into<String>) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: None, detail: detail.into() }
    }

    async fn est_check(&self, actor: &Actor, action: Action, country: Country, audit: &str) -> Result<()> {
        let r = Resource::Agency { agency_id: actor.agency_id, country };
        match authorize(actor, action, &r) {
            Decision::Deny(reason) => Err(self.deny(actor, audit, None, reason).await),
            _ => Ok(()),
        }
    }

    // ----- population -----

    /// Import a population file for the coordinator's country: every row is
    /// checked and nothing is stored unless all are valid. Years in the file
    /// replace the stored figures of those years.
    pub async fn import_population(&self, actor: &Actor, csv: &str, source: &str) -> Result<PopulationImported> {
        self.est_check(actor, Action::ManagePopulation, actor.country, "population.import").await?;
        let source = source.trim();
        if source.chars().count() > 300 || source.chars().any(char::is_control) {
            return Err(invalid("source", "must be at most 300 characters on one line"));
        }
        let rows = parse_population_csv(csv).map_err(|errs| {
            let mut f = FieldErrors::default();
            for e in errs.iter().take(200) {
                f.push(format!("line {}, column {}", e.line, e.column), e.message.clone());
            }
            ServiceError::Invalid(f)
        })?;
        // Every row must be about the importer's own country.
        let mut f = FieldErrors::default();
        for r in &rows {
            if r.country != actor.country {
                f.push(format!("line {}, column country", r.line), format!("must be your country ({})", actor.country.code()));
            }
        }
        if !f.is_empty() {
            return Err(ServiceError::Invalid(f));
        }
        let mut years: BTreeMap<i32, Vec<PopulationCell>> = BTreeMap::new();
        for r in &rows {
            years.entry(r.year).or_default().push(PopulationCell { sex: r.sex.code().into(), age_group: r.age_group.code().into(), population: r.population });
        }
        let now = self.clock.now_ms();
        let source = if source.is_empty() { "imported by the national coordinator".to_string() } else { source.to_string() };
        let records: Vec<Record> = years
            .iter()
            .map(|(y, cells)| {
                let py = PopulationYear { country: actor.country.code().into(), year: *y, source: source.clone(), demo: false, cells: cells.clone(), imported_by: Some(actor.user_id), imported_at_ms: now };
                pop_record(&py)
            })
            .collect();
        let ys: Vec<i32> = years.keys().copied().collect();
        let detail = format!("country={} years={} rows={}", actor.country.code(), ys.iter().map(i32::to_string).collect::<Vec<_>>().join(","), rows.len());
        self.store.put_records(&records, &[self.est_event(actor, "population.import", detail)]).await?;
        Ok(PopulationImported { country: actor.country.code().into(), years: ys, rows: rows.len() })
    }

    async fn population_years(&self, country: Country) -> Result<Vec<PopulationYear>> {
        let q = RecordQuery { status: Some(country.code().to_string()), ..RecordQuery::kind(POPULATION) };
        let mut v: Vec<PopulationYear> = self.store.find_records(&q).await?.iter().map(from_json).collect::<Result<_>>()?;
        v.sort_by_key(|p| p.year);
        Ok(v)
    }

    /// The stored population figures of a country.
    pub async fn population(&self, actor: &Actor, country: Country) -> Result<Vec<PopulationYear>> {
        self.est_check(actor, Action::ReadIndicators, country, "population.read").await?;
        self.population_years(country).await
    }

    /// Add the illustrative demo population figures for the demo countries
    /// (operator command used by `vigia demo`). Returns the number of country-years stored.
    pub async fn seed_demo_population(&self, first_year: i32, last_year: i32) -> Result<usize> {
        let now = self.clock.now_ms();
        let mut records = Vec::new();
        for d in DEMO_POPULATION {
            for year in first_year..=last_year {
                records.push(pop_record(&demo_year(d, year, now)));
            }
        }
        let n = records.len();
        let ev = AuditEvent { at_ms: now, actor: None, action: "population.demo".into(), case_id: None, detail: format!("country_years={n} {DEMO_SOURCE}") };
        self.store.put_records(&records, &[ev]).await?;
        Ok(n)
    }

    // ----- reading case facts -----

    /// Every case of a country (facts only), paged from the store.
    async fn country_cases(&self, country: Country) -> Result<Vec<CaseRow>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let (total, page) = self.store.list_cases(&Scope::Country(country), 500, offset).await?;
            let n = page.len() as i64;
            out.extend(page.into_iter().map(|sc| CaseRow { id: sc.case.id, agency: sc.case.agency_id, facts: sc.case.facts }));
            offset += n;
            if n == 0 || offset >= total {
                break;
            }
        }
        Ok(out)
    }

    /// Persons of the coordinator's latest national linkage run, if there is one.
    async fn linked_persons(&self, actor: &Actor) -> Result<Option<LinkedPersons>> {
        if actor.role != Role::Coordinator {
            return Ok(None);
        }
        let Some(run) = self.latest_linkage_run(actor).await? else { return Ok(None) };
        let mut persons = Vec::new();
        let mut offset = 0;
        loop {
            let (total, page) = self.linkage_persons(actor, 1000, offset).await?;
            let n = page.len();
            persons.extend(page.into_iter().map(|p| (p.person, p.cases)));
            offset += n;
            if n == 0 || offset as u64 >= total {
                break;
            }
        }
        Ok(Some(LinkedPersons { run_id: run.id, persons }))
    }

    /// Group victim cases (not `not_a_victim`) into units: linkage persons, or one per case.
    fn units(cases: &[CaseRow], linked: Option<&LinkedPersons>, warnings: &mut Vec<String>) -> (UnitBasis, Vec<Unit>) {
        let victims: Vec<usize> = (0..cases.len()).filter(|&i| cases[i].facts.status != CaseStatus::NotAVictim).collect();
        let excluded = cases.len() - victims.len();
        if excluded > 0 {
            warnings.push(format!("{excluded} case(s) recorded as not a victim of trafficking are left out."));
        }
        let by_date = |v: &mut Vec<usize>| v.sort_by_key(|&i| (cases[i].facts.identified_on, cases[i].id));
        match linked {
            Some(l) => {
                let idx: HashMap<CaseId, usize> = victims.iter().map(|&i| (cases[i].id, i)).collect();
                let mut seen = vec![false; cases.len()];
                let mut units = Vec::new();
                for (_, members) in &l.persons {
                    let mut v: Vec<usize> = members.iter().filter_map(|(c, _)| idx.get(c).copied()).collect();
                    if v.is_empty() {
                        continue;
                    }
                    for &i in &v {
                        seen[i] = true;
                    }
                    by_date(&mut v);
                    units.push(Unit { cases: v });
                }
                let outside = victims.iter().filter(|&&i| !seen[i]).count();
                if outside > 0 {
                    warnings.push(format!("{outside} case(s) are not in the linkage run (recorded after it): each is counted as a separate person; run linkage again."));
                    units.extend(victims.iter().filter(|&&i| !seen[i]).map(|&i| Unit { cases: vec![i] }));
                }
                (UnitBasis { unit: "persons".into(), linkage_run: Some(l.run_id.clone()) }, units)
            }
            None => {
                warnings.push("Not de-duplicated: no national linkage run, so each case is counted as a person; a person recorded by several agencies is counted several times.".into());
                (UnitBasis { unit: "cases".into(), linkage_run: None }, victims.into_iter().map(|i| Unit { cases: vec![i] }).collect())
            }
        }
    }

    // ----- indicators -----

    /// SDG 16.2.2 and the identified / referred / assisted series for a country and period.
    pub async fn indicators(&self, actor: &Actor, country: Country, period: Period, by: Bucket) -> Result<IndicatorReport> {
        self.est_check(actor, Action::ReadIndicators, country, "indicators.read").await?;
        let cases = self.country_cases(country).await?;
        let linked = if country == actor.country { self.linked_persons(actor).await? } else { None };
        let mut warnings = Vec::new();
        let (basis, units) = Self::units(&cases, linked.as_ref(), &mut warnings);

        // SDG 16.2.2: units with a case identified in the period, described by the earliest such case.
        let mut facts = Vec::new();
        for u in &units {
            if let Some(&i) = u.cases.iter().find(|&&i| period.contains(cases[i].facts.identified_on)) {
                let f = &cases[i].facts;
                facts.push(UnitFacts { sex: f.sex, age: f.age, forms: f.exploitation.clone() });
            }
        }
        let mut table = PopulationTable::default();
        let pops = self.population_years(country).await?;
        for py in &pops {
            for c in &py.cells {
                if let (Some(s), Some(a)) = (PopSex::parse(&c.sex), AgeGroup::parse(&c.age_group)) {
                    table.insert(py.year, s, a, c.population);
                }
            }
        }
        let want = period.to.year();
        let pop_year = table.year_for(want);
        let pop_info = pop_year.and_then(|y| pops.iter().find(|p| p.year == y));
        match pop_year {
            None => warnings.push(format!("No population figures for {} in {want} or the {} years before: rates are refused; import a population table.", country.code(), indicators::MAX_POPULATION_LAG)),
            Some(y) if y != want => warnings.push(format!("No population figures for {want}: the figures of {y} are used.")),
            _ => {}
        }
        if pop_info.is_some_and(|p| p.demo) {
            warnings.push(format!("The population figures are {DEMO_SOURCE}."));
        }
        if period.from.year() != period.to.year() {
            warnings.push("The period spans more than one calendar year: rates are for the whole period, not per year.".into());
        }
        warnings.push("A unit with several forms of exploitation counts in each form: the forms add up to more than the total.".into());
        let mut rows = indicators::sdg_16_2_2(&facts, &table, pop_year);

        // Referred and assisted: referral and service records of this country's cases.
        let case_unit: HashMap<CaseId, usize> = units.iter().enumerate().flat_map(|(u, x)| x.cases.iter().map(move |&i| (i, u))).map(|(i, u)| (cases[i].id, u)).collect();
        let mut events: Vec<UnitEvents> = units.iter().map(|u| UnitEvents { identified_on: u.cases.first().map(|&i| cases[i].facts.identified_on), ..Default::default() }).collect();
        for r in self.store.find_records(&RecordQuery::kind(REFERRAL)).await? {
            if let Some(&u) = r.case_id.and_then(|c| case_unit.get(&c)) {
                let rf: Referral = from_json(&r)?;
                if let Some(d) = ms_to_date(rf.sent_at_ms) {
                    events[u].referred_on.push(d);
                }
            }
        }
        for r in self.store.find_records(&RecordQuery::kind(SERVICE)).await? {
            if let Some(&u) = r.case_id.and_then(|c| case_unit.get(&c)) {
                let s: ServiceRecord = from_json(&r)?;
                events[u].assisted_on.push(s.started_on);
            }
        }
        let coordinator = actor.role == Role::Coordinator && actor.country == country;
        let series = coordinator.then(|| indicators::period_counts(&events, &period, by));
        let suppressed_below = (!coordinator).then_some(SUPPRESS_BELOW);
        if !coordinator {
            indicators::suppress_small(&mut rows, SUPPRESS_BELOW);
            warnings.push(format!("Aggregate view: counts from 1 to {} are suppressed; per-period counts are shown to the country's coordinator.", SUPPRESS_BELOW - 1));
        }
        let detail = format!("country={} from={} to={} unit={} cases_read={}", country.code(), format_date(period.from), format_date(period.to), basis.unit, cases.len());
        self.store.append_audit(&[self.est_event(actor, "indicators.read", detail)]).await?;
        Ok(IndicatorReport {
            country: country.code().into(),
            from: format_date(period.from),
            to: format_date(period.to),
            by: by.code().into(),
            basis,
            detected: facts.len() as u64,
            population_year: pop_year,
            population_source: pop_info.map(|p| p.source.clone()),
            population_demo: pop_info.is_some_and(|p| p.demo),
            rows,
            series,
            suppressed_below,
            warnings,
        })
    }

    // ----- estimation -----

    /// Run an estimate over the coordinator's country, with the latest national
    /// linkage run's persons when there is one (else each case is a person).
    pub async fn run_estimate(&self, actor: &Actor, spec: EstimateSpec) -> Result<EstimateRun> {
        self.est_check(actor, Action::RunEstimates, actor.country, "estimate.run").await?;
        let linked = self.linked_persons(actor).await?;
        self.run_estimate_with(actor, spec, linked).await
    }

    /// Run an estimate with the persons given (`None`: each case is a person).
    ///
    /// Estimation is CPU work (the bootstrap repeats the model search); it runs
    /// on the caller's task and on `vigia_mse`'s thread pool.
    pub async fn run_estimate_with(&self, actor: &Actor, spec: EstimateSpec, linked: Option<LinkedPersons>) -> Result<EstimateRun> {
        self.est_check(actor, Action::RunEstimates, actor.country, "estimate.run").await?;
        let options = check_spec(&spec)?;
        let from = spec.from.as_deref().filter(|s| !s.trim().is_empty()).map(|s| parse_iso_date(s).map_err(|_| invalid("from", "must be a date written YYYY-MM-DD"))).transpose()?;
        let to = spec.to.as_deref().filter(|s| !s.trim().is_empty()).map(|s| parse_iso_date(s).map_err(|_| invalid("to", "must be a date written YYYY-MM-DD"))).transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(invalid("to", "must be on or after `from`"));
            }
        }
        let country = actor.country;
        let agencies: HashMap<AgencyId, vigia_store::Agency> = self.store.list_agencies().await?.into_iter().filter(|a| a.country == country).map(|a| (a.id, a)).collect();
        if let ListsSpec::Groups { groups } = &spec.lists {
            for (gi, g) in groups.iter().enumerate() {
                for a in &g.agencies {
                    if !agencies.contains_key(a) {
                        return Err(invalid(&format!("lists.groups[{gi}].agencies"), "names an agency that is not of your country"));
                    }
                }
            }
        }
        let all_cases = self.country_cases(country).await?;
        let cases_read = all_cases.len() as u64;
        let in_period = |d: Date| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
        let cases: Vec<CaseRow> = all_cases.into_iter().filter(|c| in_period(c.facts.identified_on)).collect();
        let mut warnings = Vec::new();
        let (basis, units) = Self::units(&cases, linked.as_ref(), &mut warnings);

        // Lists: agency → list index.
        let mut list_names: Vec<(String, Vec<AgencyId>)> = Vec::new();
        let mut list_of: HashMap<AgencyId, usize> = HashMap::new();
        let with_cases: BTreeSet<AgencyId> = cases.iter().map(|c| c.agency).collect();
        match &spec.lists {
            ListsSpec::PerAgency => {
                let mut v: Vec<&vigia_store::Agency> = with_cases.iter().filter_map(|a| agencies.get(a)).collect();
                v.sort_by(|a, b| a.name.cmp(&b.name));
                for a in v {
                    list_of.insert(a.id, list_names.len());
                    list_names.push((a.name.clone(), vec![a.id]));
                }
            }
            ListsSpec::PerAgencyKind => {
                for k in AgencyKind::ALL {
                    let mut ids: Vec<AgencyId> = with_cases.iter().filter(|a| agencies.get(a).is_some_and(|x| x.kind == *k)).copied().collect();
                    if ids.is_empty() {
                        continue;
                    }
                    ids.sort();
                    for a in &ids {
                        list_of.insert(*a, list_names.len());
                    }
                    list_names.push((k.label().to_string(), ids));
                }
            }
            ListsSpec::Groups { groups } => {
                for (gi, g) in groups.iter().enumerate() {
                    let name = g.name.trim();
                    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
                        return Err(invalid(&format!("lists.groups[{gi}].name"), "must be 1 to 80 characters"));
                    }
                    for a in &g.agencies {
                        if let Some(prev) = list_of.insert(*a, list_names.len()) {
                            return Err(invalid(&format!("lists.groups[{gi}].agencies"), format!("an agency is already in group {}", prev + 1)));
                        }
                    }
                    list_names.push((name.to_string(), g.agencies.clone()));
                }
                let left_out = cases.iter().filter(|c| !list_of.contains_key(&c.agency)).count();
                if left_out > 0 {
                    warnings.push(format!("{left_out} case(s) of agencies in no group are left out of the lists."));
                }
            }
        }
        if list_names.len() > vigia_mse::MAX_LISTS {
            return Err(ServiceError::Refused(format!(
                "{} lists: at most {} are supported; group agencies (for example per kind of agency)",
                list_names.len(),
                vigia_mse::MAX_LISTS
            )));
        }
        let codes: Vec<String> = (1..=list_names.len()).map(|i| format!("L{i}")).collect();

        // Each unit: its capture pattern and its stratum.
        let mut cells: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();
        let mut list_units = vec![0u64; list_names.len()];
        for u in &units {
            let mut pattern = 0u32;
            for &i in &u.cases {
                if let Some(&l) = list_of.get(&cases[i].agency) {
                    pattern |= 1 << l;
                }
            }
            if pattern == 0 {
                continue;
            }
            for (l, n) in list_units.iter_mut().enumerate() {
                if pattern & (1 << l) != 0 {
                    *n += 1;
                }
            }
            let first = &cases[u.cases[0]];
            let stratum = match spec.stratify {
                Stratify::None => "all".to_string(),
                Stratify::Sex => match first.facts.sex {
                    Sex::Female => "female".into(),
                    Sex::Male => "male".into(),
                    _ => "other_or_unknown".into(),
                },
                Stratify::AgeGroup => indicators::sdg_age(first.facts.age).map_or("unknown", AgeGroup::code).to_string(),
                Stratify::Region => region(&first.facts, country).or_else(|| agencies.get(&first.agency).and_then(|a| a.subdivision.as_ref().map(|s| s.code().to_string()))).unwrap_or_else(|| "unknown".into()),
            };
            *cells.entry(stratum).or_default().entry(pattern).or_default() += 1;
        }
        if cells.is_empty() {
            cells.insert("all".into(), BTreeMap::new());
        }
        let lists: Vec<ListDef> = list_names.iter().zip(&codes).zip(&list_units).map(|(((name, ag), code), n)| ListDef { code: code.clone(), name: name.clone(), agencies: ag.clone(), units: *n }).collect();
        let strata: Vec<StratumRun> = cells.into_iter().map(|(stratum, pats)| build_stratum(stratum, &codes, &pats, &options)).collect();
        if spec.stratify != Stratify::None && strata.len() > 1 {
            warnings.push("Strata are estimated separately; their estimates are not added here because their intervals do not add.".into());
        }
        let run = EstimateRun {
            id: new_id(),
            country: country.code().into(),
            spec,
            options,
            basis,
            lists,
            strata,
            warnings,
            cases_read,
            created_by: actor.user_id,
            created_at_ms: self.clock.now_ms(),
            rerun_of: None,
            reproduced: None,
        };
        self.store_run(actor, &run, "estimate.run").await?;
        Ok(run)
    }

    async fn store_run(&self, actor: &Actor, run: &EstimateRun, action: &str) -> Result<()> {
        let rec = Record {
            id: run.id.clone(),
            kind: ESTIMATE_RUN.into(),
            case_id: None,
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: Some(run.country.clone()),
            at_ms: run.created_at_ms,
            body: serde_json::to_string(run).unwrap_or_default(),
        };
        let refused = run.strata.iter().filter(|s| s.result.is_none()).count();
        let detail = format!(
            "run={} country={} unit={} lists={} strata={} refused={} cases_read={}{}",
            run.id,
            run.country,
            run.basis.unit,
            run.lists.len(),
            run.strata.len(),
            refused,
            run.cases_read,
            run.rerun_of.as_ref().map(|o| format!(" rerun_of={o}")).unwrap_or_default()
        );
        self.store.put_records(&[rec], &[self.est_event(actor, action, detail)]).await?;
        Ok(())
    }

    /// A stored run of the coordinator's country.
    pub async fn estimate_run(&self, actor: &Actor, id: &str) -> Result<EstimateRun> {
        self.est_check(actor, Action::RunEstimates, actor.country, "estimate.read").await?;
        let Some(r) = self.store.get_record(ESTIMATE_RUN, id).await? else { return Err(ServiceError::NotFound) };
        // Another country's run is "not found" (its existence is not disclosed).
        if r.status.as_deref() != Some(actor.country.code()) {
            return Err(ServiceError::NotFound);
        }
        from_json(&r)
    }

    /// The runs of the coordinator's country, newest first.
    pub async fn estimate_runs(&self, actor: &Actor) -> Result<Vec<EstimateRunSummary>> {
        self.est_check(actor, Action::RunEstimates, actor.country, "estimate.read").await?;
        let q = RecordQuery { status: Some(actor.country.code().to_string()), ..RecordQuery::kind(ESTIMATE_RUN) };
        let mut out = Vec::new();
        for r in self.store.find_records(&q).await?.iter().rev() {
            let run: EstimateRun = from_json(r)?;
            out.push(EstimateRunSummary {
                id: run.id,
                created_at_ms: run.created_at_ms,
                unit: run.basis.unit,
                lists: run.lists.len(),
                stratify: run.spec.stratify.code().into(),
                estimates: run.strata.iter().map(|s| (s.stratum.clone(), s.result.as_ref().map(|x| x.estimate), s.result.as_ref().map(|x| x.ci_low), s.result.as_ref().and_then(|x| x.ci_high.is_finite().then_some(x.ci_high)))).collect(),
                rerun_of: run.rerun_of,
                reproduced: run.reproduced,
            });
        }
        Ok(out)
    }

    /// Re-run a stored run from its stored inputs (capture tables, options,
    /// seed): the new run is stored too, and says whether every number matched.
    pub async fn rerun_estimate(&self, actor: &Actor, id: &str) -> Result<EstimateRun> {
        let old = self.estimate_run(actor, id).await?;
        let codes: Vec<String> = old.lists.iter().map(|l| l.code.clone()).collect();
        let strata: Vec<StratumRun> = old
            .strata
            .iter()
            .map(|s| {
                let pats: BTreeMap<u32, u64> = match &s.table {
                    Some(t) => (1..(1u32 << t.num_lists())).map(|p| (p, t.count(p))).filter(|(_, c)| *c > 0).collect(),
                    None => BTreeMap::new(),
                };
                // A stored table keeps its own lists (empty ones were dropped when it was built).
                let (names, pats) = match &s.table {
                    Some(t) => (t.lists().to_vec(), pats),
                    None => (codes.clone(), pats),
                };
                let mut st = estimate_table(s.stratum.clone(), &names, &pats, &old.options);
                st.observed = s.observed;
                st
            })
            .collect();
        let same = strata.len() == old.strata.len()
            && strata.iter().zip(&old.strata).all(|(a, b)| serde_json::to_value(&a.result).ok() == serde_json::to_value(&b.result).ok() && a.refusal == b.refusal);
        let run = EstimateRun {
            id: new_id(),
            strata,
            created_by: actor.user_id,
            created_at_ms: self.clock.now_ms(),
            rerun_of: Some(old.id.clone()),
            reproduced: Some(same),
            ..old
        };
        self.store_run(actor, &run, "estimate.rerun").await?;
        Ok(run)
    }
}

/// The region of exploitation: the subdivision of the last place of the route in the country.
fn region(f: &CaseFacts, country: Country) -> Option<String> {
    f.route.iter().rev().find(|p| p.country == country).and_then(|p| p.subdivision.as_ref()).map(|s| s.code().to_string())
}

fn check_spec(spec: &EstimateSpec) -> Result<MseOptions> {
    if spec.bootstrap > MAX_BOOTSTRAP {
        return Err(invalid("bootstrap", format!("must be from 0 to {MAX_BOOTSTRAP}")));
    }
    if !(2..=3).contains(&spec.max_order) {
        return Err(invalid("max_order", "must be 2 or 3"));
    }
    if let ListsSpec::Groups { groups } = &spec.lists {
        if groups.len() < 2 {
            return Err(invalid("lists.groups", "needs at least two groups"));
        }
    }
    Ok(MseOptions { criterion: spec.criterion, bootstrap: spec.bootstrap, seed: spec.seed, max_order: spec.max_order, ..MseOptions::default() })
}

/// Drop the lists nobody in the stratum is on, then estimate.
fn build_stratum(stratum: String, codes: &[String], pats: &BTreeMap<u32, u64>, options: &MseOptions) -> StratumRun {
    let used: Vec<usize> = (0..codes.len()).filter(|&l| pats.keys().any(|p| p & (1 << l) != 0)).collect();
    let names: Vec<String> = used.iter().map(|&l| codes[l].clone()).collect();
    let remapped: BTreeMap<u32, u64> = pats
        .iter()
        .map(|(p, c)| {
            let mut q = 0u32;
            for (new, &old) in used.iter().enumerate() {
                if p & (1 << old) != 0 {
                    q |= 1 << new;
                }
            }
            (q, *c)
        })
        .collect();
    let mut s = estimate_table(stratum, &names, &remapped, options);
    s.observed = pats.values().sum();
    s
}

fn estimate_table(stratum: String, names: &[String], pats: &BTreeMap<u32, u64>, options: &MseOptions) -> StratumRun {
    let observed = pats.values().sum();
    if names.len() < 2 {
        return StratumRun {
            stratum,
            table: None,
            observed,
            result: None,
            refusal: Some(format!("{} non-empty list(s) in this stratum: multiple systems estimation needs at least 2 lists that share persons", names.len())),
        };
    }
    let pairs: Vec<(u32, u64)> = pats.iter().map(|(p, c)| (*p, *c)).collect();
    let table = match CaptureTable::from_patterns(names.to_vec(), &pairs) {
        Ok(t) => t,
        Err(e) => return StratumRun { stratum, table: None, observed, result: None, refusal: Some(e.to_string()) },
    };
    if table.multiply_captured() == 0 {
        return StratumRun {
            stratum,
            table: Some(table),
            observed,
            result: None,
            refusal: Some("no person is on more than one list: the lists do not overlap, so the hidden number cannot be estimated (is national linkage run?)".into()),
        };
    }
    match vigia_mse::estimate(&table, options) {
        Ok(r) => StratumRun { stratum, table: Some(table), observed, result: Some(r), refusal: None },
        Err(e) => StratumRun { stratum, table: Some(table), observed, result: None, refusal: Some(e.to_string()) },
    }
}

fn pop_record(py: &PopulationYear) -> Record {
    Record {
        id: format!("{}-{}", py.country, py.year),
        kind: POPULATION.into(),
        case_id: None,
        agency_id: None,
        other_agency_id: None,
        status: Some(py.country.clone()),
        at_ms: py.imported_at_ms,
        body: serde_json::to_string(py).unwrap_or_default(),
    }
}

/// Demo figures for one country: 2024 total, female share, share aged 0–17,
/// annual growth. Rounded, UN WPP-like orders of magnitude; illustrative only.
struct DemoPop {
    country: &'static str,
    total_2024: f64,
    female: f64,
    children: f64,
    growth: f64,
}

const DEMO_POPULATION: &[DemoPop] = &[
    DemoPop { country: "BR", total_2024: 211_000_000.0, female: 0.51, children: 0.24, growth: 0.005 },
    DemoPop { country: "ES", total_2024: 48_000_000.0, female: 0.51, children: 0.17, growth: 0.006 },
    DemoPop { country: "PT", total_2024: 10_400_000.0, female: 0.52, children: 0.16, growth: 0.003 },
    DemoPop { country: "IT", total_2024: 59_000_000.0, female: 0.51, children: 0.15, growth: -0.002 },
    DemoPop { country: "NG", total_2024: 228_000_000.0, female: 0.495, children: 0.50, growth: 0.024 },
    DemoPop { country: "SN", total_2024: 18_500_000.0, female: 0.50, children: 0.49, growth: 0.026 },
    DemoPop { country: "CO", total_2024: 52_900_000.0, female: 0.51, children: 0.26, growth: 0.010 },
    DemoPop { country: "DO", total_2024: 11_400_000.0, female: 0.50, children: 0.32, growth: 0.010 },
    DemoPop { country: "US", total_2024: 345_000_000.0, female: 0.505, children: 0.215, growth: 0.005 },
];

fn demo_year(d: &DemoPop, year: i32, now: i64) -> PopulationYear {
    let total = d.total_2024 * (1.0 + d.growth).powi(year - 2024);
    let k = |x: f64| ((x / 1000.0).round() * 1000.0) as u64;
    let children = total * d.children;
    let girls = children * 0.49;
    let female = total * d.female;
    let cells = vec![
        ("total", "total", k(total)),
        ("female", "total", k(female)),
        ("male", "total", k(total - female)),
        ("total", "0_17", k(children)),
        ("total", "18_plus", k(total - children)),
        ("female", "0_17", k(girls)),
        ("male", "0_17", k(children - girls)),
        ("female", "18_plus", k(female - girls)),
        ("male", "18_plus", k(total - female - (children - girls))),
    ];
    PopulationYear {
        country: d.country.into(),
        year,
        source: DEMO_SOURCE.into(),
        demo: true,
        cells: cells.into_iter().map(|(s, a, p)| PopulationCell { sex: s.into(), age_group: a.into(), population: p }).collect(),
        imported_by: None,
        imported_at_ms: now,
    }
}

/// The facts of a unit for tests and callers that compute outside the service.
pub fn unit_facts(f: &CaseFacts) -> UnitFacts {
    UnitFacts { sex: f.sex, age: f.age, forms: f.exploitation.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cells_add_up() {
        for d in DEMO_POPULATION {
            let y = demo_year(d, 2024, 0);
            let get = |s: &str, a: &str| y.cells.iter().find(|c| c.sex == s && c.age_group == a).unwrap().population as i64;
            assert!((get("female", "total") + get("male", "total") - get("total", "total")).abs() <= 2000);
            assert!((get("female", "0_17") + get("female", "18_plus") - get("female", "total")).abs() <= 2000);
            assert!((get("total", "0_17") + get("total", "18_plus") - get("total", "total")).abs() <= 2000);
        }
    }

    #[test]
    fn refusals_are_explicit() {
        let opts = MseOptions { bootstrap: 0, ..MseOptions::default() };
        let codes = vec!["L1".to_string(), "L2".to_string()];
        let no_overlap: BTreeMap<u32, u64> = [(1, 30), (2, 40)].into_iter().collect();
        let s = build_stratum("all".into(), &codes, &no_overlap, &opts);
        assert!(s.result.is_none() && s.refusal.as_deref().unwrap().contains("overlap"));
        let one_list: BTreeMap<u32, u64> = [(1, 30)].into_iter().collect();
        let s = build_stratum("all".into(), &codes, &one_list, &opts);
        assert!(s.result.is_none() && s.refusal.is_some());
        let ok: BTreeMap<u32, u64> = [(1, 60), (2, 45), (3, 20)].into_iter().collect();
        let s = build_stratum("all".into(), &codes, &ok, &opts);
        let r = s.result.unwrap();
        assert!((r.estimate - 260.0).abs() < 1.0, "{}", r.estimate);
    }
}
