//! Action plans monitored against indicators.
//!
//! A plan (national, state or regional work plan) has objectives under the four
//! pillars (prevention, protection, prosecution, partnership), activities with
//! responsible bodies, dates and budgets, and indicators with a baseline and
//! targets per period. An indicator's value is either reported by hand or
//! computed live from Vigia's own records ([`LiveIndicator`], pure functions over
//! [`Facts`]). Independent monitors file their own assessments beside the
//! official ones; [`dashboard`] puts both side by side and flags where they
//! differ. Pure: `today` and every fact are passed in.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::ids::{AgencyId, CaseId};
use crate::taxonomy::{ReferralStatus, Role, ServiceKind};

pub(crate) use crate::taxonomy::code_enum as codes;

codes!(
    /// The level of a plan.
    PlanLevel, "plan level" {
    National = "national": "National action plan",
    State = "state": "State / provincial plan",
    Regional = "regional": "Regional work plan",
});

codes!(
    /// The four pillars ("4 P") of anti-trafficking action.
    Pillar, "pillar" {
    Prevention = "prevention": "Prevention",
    Protection = "protection": "Protection",
    Prosecution = "prosecution": "Prosecution",
    Partnership = "partnership": "Partnership",
});

codes!(
    /// Where an activity stands.
    ActivityStatus, "activity status" {
    Planned = "planned": "Planned",
    InProgress = "in_progress": "In progress",
    Completed = "completed": "Completed",
    Delayed = "delayed": "Delayed",
    Cancelled = "cancelled": "Cancelled",
});

codes!(
    /// What an indicator measures.
    IndicatorKind, "indicator kind" {
    Count = "count": "Count",
    Percentage = "percentage": "Percentage",
    YesNo = "yes_no": "Yes / no",
    Milestone = "milestone": "Milestone (reached / not reached)",
});

codes!(
    /// Breakdowns an indicator is reported by.
    Disaggregation, "disaggregation" {
    Sex = "sex": "Sex",
    AgeGroup = "age_group": "Age group (child / adult)",
    Exploitation = "exploitation": "Form of exploitation",
    Subdivision = "subdivision": "State / province",
    Citizenship = "citizenship": "Citizenship",
});

codes!(
    /// Indicators Vigia computes from its own records, so that progress updates itself.
    LiveIndicator, "live indicator" {
    IdentifiedPersons = "identified_persons": "Presumed trafficked persons identified",
    IdentifiedChildren = "identified_children": "Children identified as presumed trafficked persons",
    ShelterWithin7Days = "shelter_within_7_days": "Persons referred to a shelter within 7 days of identification",
    ShelterWithin7DaysShare = "shelter_within_7_days_share": "Share of identified persons referred to a shelter within 7 days of identification",
    ChildrenBestInterestsShare = "children_best_interests_share": "Share of identified children with a best-interests assessment",
    ReferralsAcceptedShare = "referrals_accepted_share": "Share of referrals sent that were accepted",
    PersonsAssisted = "persons_assisted": "Persons who received at least one service",
});

impl LiveIndicator {
    /// The kind of value it yields.
    pub fn kind(self) -> IndicatorKind {
        match self {
            Self::ShelterWithin7DaysShare | Self::ChildrenBestInterestsShare | Self::ReferralsAcceptedShare => IndicatorKind::Percentage,
            _ => IndicatorKind::Count,
        }
    }
    /// The exact definition, shown beside the figure.
    pub fn definition(self) -> &'static str {
        match self {
            Self::IdentifiedPersons => "Cases whose identification date falls in the period.",
            Self::IdentifiedChildren => "Cases identified in the period whose person was under 18 at identification.",
            Self::ShelterWithin7Days => "Cases identified in the period with a referral offering shelter (not declined) sent no later than 7 days after the identification date.",
            Self::ShelterWithin7DaysShare => "Cases identified in the period with a referral offering shelter (not declined) sent within 7 days, per 100 cases identified in the period.",
            Self::ChildrenBestInterestsShare => "Children identified in the period with at least one best-interests assessment on record, per 100 children identified in the period.",
            Self::ReferralsAcceptedShare => "Referrals sent in the period that were accepted (or accepted and completed), per 100 referrals sent in the period.",
            Self::PersonsAssisted => "Distinct cases with at least one service that started in the period.",
        }
    }
}

/// `YYYY-MM-DD` (de)serialisation.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::case::format_date(*d))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        crate::case::parse_iso_date(&s).map_err(serde::de::Error::custom)
    }
}

/// A reporting period with a label (e.g. `2025`, `2025-H1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    #[serde(with = "iso_date")]
    pub from: Date,
    #[serde(with = "iso_date")]
    pub to: Date,
}

impl Period {
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }
}

/// A target for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub period: Period,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    pub pillar: Pillar,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub objective_id: String,
    pub title: String,
    /// Bodies responsible (names of institutions, never of persons).
    pub responsible: Vec<String>,
    pub partners: Vec<String>,
    #[serde(with = "iso_date")]
    pub start: Date,
    #[serde(with = "iso_date")]
    pub end: Date,
    pub budget_allocated: f64,
    pub budget_spent: f64,
    pub status: ActivityStatus,
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "computation")]
pub enum Source {
    /// Reported by hand (progress reports).
    Manual,
    /// Computed from Vigia's records.
    Live(LiveIndicator),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    pub kind: IndicatorKind,
    pub unit: String,
    pub baseline: Option<f64>,
    /// The period the baseline refers to (free text, e.g. `2024`).
    #[serde(default)]
    pub baseline_period: Option<String>,
    pub targets: Vec<Target>,
    #[serde(default)]
    pub disaggregation: Vec<Disaggregation>,
    pub source: Source,
    /// The activity it measures, if any.
    #[serde(default)]
    pub activity_id: Option<String>,
}

/// An action plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: String,
    pub title: String,
    pub level: PlanLevel,
    /// National and state plans: the country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// State plans: the subdivision (ISO 3166-2).
    #[serde(default)]
    pub subdivision: Option<String>,
    /// Regional plans: the member states covered.
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(with = "iso_date")]
    pub period_from: Date,
    #[serde(with = "iso_date")]
    pub period_to: Date,
    /// The owning body (e.g. "Inter-institutional commission").
    pub owner: String,
    pub owner_agency: AgencyId,
    /// Agencies designated as independent monitors (NGOs, rapporteurs).
    #[serde(default)]
    pub monitors: Vec<AgencyId>,
    pub currency: String,
    #[serde(default)]
    pub objectives: Vec<Objective>,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Illustrative demo content.
    #[serde(default)]
    pub illustrative: bool,
    pub created_at_ms: i64,
}

/// Who may own a plan of this level: coordinators own national and state plans of
/// their country, regional mechanism staff own regional work plans.
pub fn level_allowed(role: Role, level: PlanLevel) -> Result<(), &'static str> {
    match (role, level) {
        (Role::Coordinator, PlanLevel::National | PlanLevel::State) => Ok(()),
        (Role::RegionalMonitor, PlanLevel::Regional) => Ok(()),
        (Role::Coordinator, PlanLevel::Regional) => Err("regional work plans are kept by the regional mechanism"),
        (Role::RegionalMonitor, _) => Err("national and state plans are kept by the country's coordinator"),
        _ => Err("plans are kept by coordinators and regional mechanisms"),
    }
}

/// A periodic progress report on one activity (the official account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressReport {
    pub id: String,
    pub plan_id: String,
    pub activity_id: String,
    #[serde(with = "iso_date")]
    pub reported_on: Date,
    pub status: ActivityStatus,
    /// 0 to 100.
    pub percent_complete: u8,
    /// Cumulative spending to date, when reported.
    pub budget_spent: Option<f64>,
    pub narrative: String,
    pub at_ms: i64,
}

/// A value of a hand-reported indicator for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub id: String,
    pub plan_id: String,
    pub indicator_id: String,
    pub period: String,
    pub value: f64,
    #[serde(default)]
    pub note: String,
    pub at_ms: i64,
}

/// What an independent assessment is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum Subject {
    Activity(String),
    Indicator(String),
}

/// An independent monitor's own assessment, filed beside the official one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub id: String,
    pub plan_id: String,
    pub monitor_agency: AgencyId,
    /// The monitor's name as shown (an organisation, not a person).
    pub monitor_name: String,
    pub subject: Subject,
    /// For activities: the status the monitor finds.
    pub status: Option<ActivityStatus>,
    /// For activities: the monitor's estimate of completion, 0 to 100.
    pub percent_complete: Option<u8>,
    /// For indicators: the value the monitor finds for the current period.
    pub value: Option<f64>,
    pub comment: String,
    #[serde(with = "iso_date")]
    pub assessed_on: Date,
    pub at_ms: i64,
}

// ----- live indicators -----

/// A case as the live indicators see it (no identity).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    pub id: CaseId,
    pub identified_on: Date,
    pub minor: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFact {
    pub case_id: CaseId,
    pub sent_on: Date,
    pub services: Vec<ServiceKind>,
    pub status: ReferralStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFact {
    pub case_id: CaseId,
    pub kind: ServiceKind,
    pub started_on: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BestInterestsFact {
    pub case_id: CaseId,
    pub assessed_on: Date,
}

/// Everything the live indicators are computed from, already limited to the plan's scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub cases: Vec<CaseFact>,
    pub referrals: Vec<ReferralFact>,
    pub services: Vec<ServiceFact>,
    pub best_interests: Vec<BestInterestsFact>,
}

/// A computed value with its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub numerator: u64,
    pub denominator: Option<u64>,
    /// `None` for a share whose denominator is zero.
    pub value: Option<f64>,
}

fn count(n: usize) -> Measure {
    Measure { numerator: n as u64, denominator: None, value: Some(n as f64) }
}

fn share(num: usize, den: usize) -> Measure {
    Measure { numerator: num as u64, denominator: Some(den as u64), value: (den > 0).then(|| num as f64 * 100.0 / den as f64) }
}

/// Compute a live indicator over one period.
pub fn compute(ind: LiveIndicator, facts: &Facts, from: Date, to: Date) -> Measure {
    let in_period = |d: Date| from <= d && d <= to;
    let identified: Vec<&CaseFact> = facts.cases.iter().filter(|c| in_period(c.identified_on)).collect();
    let children: Vec<&CaseFact> = identified.iter().copied().filter(|c| c.minor == Some(true)).collect();
    let sheltered_within_7 = || {
        identified
            .iter()
            .filter(|c| {
                facts.referrals.iter().any(|r| {
                    r.case_id == c.id
                        && r.status != ReferralStatus::Declined
                        && r.services.contains(&ServiceKind::Shelter)
                        && r.sent_on <= c.identified_on + Duration::days(7)
                })
            })
            .count()
    };
    match ind {
        LiveIndicator::IdentifiedPersons => count(identified.len()),
        LiveIndicator::IdentifiedChildren => count(children.len()),
        LiveIndicator::ShelterWithin7Days => count(sheltered_within_7()),
        LiveIndicator::ShelterWithin7DaysShare => share(sheltered_within_7(), identified.len()),
        LiveIndicator::ChildrenBestInterestsShare => {
            let assessed: BTreeSet<CaseId> = facts.best_interests.iter().map(|b| b.case_id).collect();
            share(children.iter().filter(|c| assessed.contains(&c.id)).count(), children.len())
        }
        LiveIndicator::ReferralsAcceptedShare => {
            let sent: Vec<&ReferralFact> = facts.referrals.iter().filter(|r| in_period(r.sent_on)).collect();
            let accepted = sent.iter().filter(|r| matches!(r.status, ReferralStatus::Accepted | ReferralStatus::Completed)).count();
            share(accepted, sent.len())
        }
        LiveIndicator::PersonsAssisted => {
            count(facts.services.iter().filter(|s| in_period(s.started_on)).map(|s| s.case_id).collect::<BTreeSet<_>>().len())
        }
    }
}

// ----- rules -----

/// Progress from baseline towards target, 0 to 1 (`None` when it cannot be said).
/// Works for decreasing targets too (target below baseline).
pub fn progress(kind: IndicatorKind, baseline: Option<f64>, current: Option<f64>, target: Option<f64>) -> Option<f64> {
    let (cur, tgt) = (current?, target?);
    match kind {
        IndicatorKind::YesNo | IndicatorKind::Milestone => Some(if (cur >= 0.5) == (tgt >= 0.5) { 1.0 } else { 0.0 }),
        IndicatorKind::Count | IndicatorKind::Percentage => {
            let base = baseline.unwrap_or(0.0);
            if (tgt - base).abs() < f64::EPSILON {
                return Some(if (cur - tgt).abs() < f64::EPSILON || cur >= tgt { 1.0 } else { 0.0 });
            }
            Some(((cur - base) / (tgt - base)).clamp(0.0, 1.0))
        }
    }
}

/// Spent over allocated, as a share (`None` without a budget).
pub fn budget_execution(allocated: f64, spent: f64) -> Option<f64> {
    (allocated > 0.0).then(|| spent / allocated)
}

/// An activity is overdue when its end date has passed and it is neither completed nor cancelled.
pub fn is_overdue(end: Date, status: ActivityStatus, today: Date) -> bool {
    today > end && !matches!(status, ActivityStatus::Completed | ActivityStatus::Cancelled)
}

/// Percentage points of completion beyond which official and independent accounts differ.
pub const PERCENT_TOLERANCE: u8 = 20;

/// Why an independent account of an activity differs from the official one, if it does.
pub fn activity_divergence(official: (ActivityStatus, u8), independent: (Option<ActivityStatus>, Option<u8>)) -> Option<String> {
    let mut why = Vec::new();
    if let Some(s) = independent.0 {
        if s != official.0 {
            why.push(format!("status: official {}, independent {}", official.0.label(), s.label()));
        }
    }
    if let Some(p) = independent.1 {
        if p.abs_diff(official.1) >= PERCENT_TOLERANCE {
            why.push(format!("completion: official {} %, independent {} %", official.1, p));
        }
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// Why an independent value of an indicator differs from the official one, if it does:
/// yes/no and milestones differ when the answer differs; percentages by 5 points or more;
/// counts by 10 % or more of the larger value (and at least 1).
pub fn indicator_divergence(kind: IndicatorKind, official: Option<f64>, independent: Option<f64>) -> Option<String> {
    let ind = independent?;
    let Some(off) = official else { return Some(format!("no official value; independent {}", fmt_value(kind, Some(ind)))) };
    let differs = match kind {
        IndicatorKind::YesNo | IndicatorKind::Milestone => (off >= 0.5) != (ind >= 0.5),
        IndicatorKind::Percentage => (off - ind).abs() >= 5.0,
        IndicatorKind::Count => (off - ind).abs() >= (0.1 * off.abs().max(ind.abs())).max(1.0),
    };
    differs.then(|| format!("official {}, independent {}", fmt_value(kind, Some(off)), fmt_value(kind, Some(ind))))
}

/// A value as people read it.
pub fn fmt_value(kind: IndicatorKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "—".into(),
        (IndicatorKind::YesNo, Some(x)) => if x >= 0.5 { "yes" } else { "no" }.into(),
        (IndicatorKind::Milestone, Some(x)) => if x >= 0.5 { "reached" } else { "not reached" }.into(),
        (IndicatorKind::Percentage, Some(x)) => format!("{:.1} %", x),
        (IndicatorKind::Count, Some(x)) => {
            if x.fract().abs() < 1e-9 {
                format!("{}", x as i64)
            } else {
                format!("{x:.1}")
            }
        }
    }
}

// ----- the dashboard -----

#[derive(Debug, Clone, PartialEq)]
pub struct IndependentView {
    pub monitor: String,
    pub status: Option<ActivityStatus>,
    pub percent_complete: Option<u8>,
    pub value: Option<f64>,
    pub comment: String,
    pub assessed_on: Date,
    pub divergence: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub activity: Activity,
    pub pillar: Pillar,
    pub objective: String,
    pub status: ActivityStatus,
    pub percent_complete: u8,
    pub spent: f64,
    pub execution: Option<f64>,
    pub overdue: bool,
    pub last_report: Option<ProgressReport>,
    pub independent: Vec<IndependentView>,
}

impl ActivityRow {
    pub fn diverges(&self) -> bool {
        self.independent.iter().any(|i| i.divergence.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub indicator: Indicator,
    /// The period the current value and target refer to.
    pub period: Option<Period>,
    pub current: Option<f64>,
    pub target: Option<f64>,
    pub progress: Option<f64>,
    /// Values by period, oldest first (targets' periods that have begun).
    pub trend: Vec<(String, Option<f64>)>,
    pub independent: Vec<IndependentView>,
}

impl IndicatorRow {
    pub fn diverges(&self) -> bool {
        self.independent.iter().any(|i| i.divergence.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub activities: Vec<ActivityRow>,
    pub indicators: Vec<IndicatorRow>,
    pub budget_allocated: f64,
    pub budget_spent: f64,
    pub execution: Option<f64>,
    pub overdue: usize,
    pub divergences: usize,
    pub completed: usize,
}

/// The period an indicator is judged on today: the target period containing
/// `today`, else the latest that has ended, else the first.
pub fn current_period(ind: &Indicator, today: Date) -> Option<Period> {
    let mut ts: Vec<&Target> = ind.targets.iter().collect();
    ts.sort_by_key(|t| t.period.from);
    ts.iter()
        .find(|t| t.period.contains(today))
        .or_else(|| ts.iter().rev().find(|t| t.period.to < today))
        .or_else(|| ts.first())
        .map(|t| t.period.clone())
}

/// The latest assessment per monitor for one subject.
fn latest_assessments<'a>(all: &'a [Assessment], subject: &Subject) -> Vec<&'a Assessment> {
    let mut by: BTreeMap<AgencyId, &Assessment> = BTreeMap::new();
    for a in all.iter().filter(|a| &a.subject == subject) {
        let keep = by.get(&a.monitor_agency).is_none_or(|b| (b.assessed_on, b.at_ms) <= (a.assessed_on, a.at_ms));
        if keep {
            by.insert(a.monitor_agency, a);
        }
    }
    by.into_values().collect()
}

/// Build the plan dashboard. `values(indicator, period)` gives the official value
/// of an indicator for a period (live computation or the reported measurement).
pub fn dashboard(
    plan: &Plan,
    reports: &[ProgressReport],
    assessments: &[Assessment],
    today: Date,
    mut values: impl FnMut(&Indicator, &Period) -> Option<f64>,
) -> Dashboard {
    let mut activities = Vec::new();
    for a in &plan.activities {
        let last = reports.iter().filter(|r| r.activity_id == a.id).max_by_key(|r| (r.reported_on, r.at_ms)).cloned();
        let (status, percent) = match &last {
            Some(r) => (r.status, r.percent_complete),
            None => (a.status, if a.status == ActivityStatus::Completed { 100 } else { 0 }),
        };
        let spent = last.as_ref().and_then(|r| r.budget_spent).unwrap_or(a.budget_spent);
        let obj = plan.objectives.iter().find(|o| o.id == a.objective_id);
        let independent = latest_assessments(assessments, &Subject::Activity(a.id.clone()))
            .into_iter()
            .map(|x| IndependentView {
                monitor: x.monitor_name.clone(),
                status: x.status,
                percent_complete: x.percent_complete,
                value: None,
                comment: x.comment.clone(),
                assessed_on: x.assessed_on,
                divergence: activity_divergence((status, percent), (x.status, x.percent_complete)),
            })
            .collect();
        activities.push(ActivityRow {
            pillar: obj.map_or(Pillar::Partnership, |o| o.pillar),
            objective: obj.map(|o| o.title.clone()).unwrap_or_default(),
            status,
            percent_complete: percent,
            spent,
            execution: budget_execution(a.budget_allocated, spent),
            overdue: is_overdue(a.end, status, today),
            last_report: last,
            independent,
            activity: a.clone(),
        });
    }
    let mut indicators = Vec::new();
    for ind in &plan.indicators {
        let period = current_period(ind, today);
        let mut targets: Vec<&Target> = ind.targets.iter().collect();
        targets.sort_by_key(|t| t.period.from);
        let trend: Vec<(String, Option<f64>)> =
            targets.iter().filter(|t| t.period.from <= today).map(|t| (t.period.label.clone(), values(ind, &t.period))).collect();
        let current = period.as_ref().and_then(|p| trend.iter().find(|(l, _)| *l == p.label).and_then(|(_, v)| *v));
        let target = period.as_ref().and_then(|p| ind.targets.iter().find(|t| t.period.label == p.label).map(|t| t.value));
        let independent = latest_assessments(assessments, &Subject::Indicator(ind.id.clone()))
            .into_iter()
            .map(|x| IndependentView {
                monitor: x.monitor_name.clone(),
                status: None,
                percent_complete: None,
                value: x.value,
                comment: x.comment.clone(),
                assessed_on: x.assessed_on,
                divergence: indicator_divergence(ind.kind, current, x.value),
            })
            .collect();
        indicators.push(IndicatorRow {
            progress: progress(ind.kind, ind.baseline, current, target),
            indicator: ind.clone(),
            period,
            current,
            target,
            trend,
            independent,
        });
    }
    let budget_allocated: f64 = activities.iter().map(|a| a.activity.budget_allocated).sum();
    let budget_spent: f64 = activities.iter().map(|a| a.spent).sum();
    Dashboard {
        overdue: activities.iter().filter(|a| a.overdue).count(),
        completed: activities.iter().filter(|a| a.status == ActivityStatus::Completed).count(),
        divergences: activities.iter().filter(|a| a.diverges()).count() + indicators.iter().filter(|i| i.diverges()).count(),
        execution: budget_execution(budget_allocated, budget_spent),
        budget_allocated,
        budget_spent,
        activities,
        indicators,
    }
}

/// Yearly periods covering `from..=to` (labels `YYYY`), clipped to the range.
pub fn yearly_periods(from: Date, to: Date) -> Vec<Period> {
    let mut out = Vec::new();
    for y in from.year()..=to.year() {
        let (Ok(a), Ok(b)) = (Date::from_calendar_date(y, time::Month::January, 1), Date::from_calendar_date(y, time::Month::December, 31)) else { continue };
        out.push(Period { label: y.to_string(), from: a.max(from), to: b.min(to) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use uuid::Uuid;

    fn cid(n: u128) -> CaseId {
        CaseId(Uuid::from_u128(n))
    }

    fn facts() -> Facts {
        Facts {
            cases: vec![
                CaseFact { id: cid(1), identified_on: date!(2025 - 01 - 10), minor: Some(true) },
                CaseFact { id: cid(2), identified_on: date!(2025 - 02 - 01), minor: Some(false) },
                CaseFact { id: cid(3), identified_on: date!(2025 - 03 - 01), minor: Some(true) },
                CaseFact { id: cid(4), identified_on: date!(2024 - 12 - 31), minor: None },
            ],
            referrals: vec![
                ReferralFact { case_id: cid(1), sent_on: date!(2025 - 01 - 17), services: vec![ServiceKind::Shelter], status: ReferralStatus::Accepted },
                ReferralFact { case_id: cid(2), sent_on: date!(2025 - 02 - 09), services: vec![ServiceKind::Shelter], status: ReferralStatus::Sent },
                ReferralFact { case_id: cid(3), sent_on: date!(2025 - 03 - 02), services: vec![ServiceKind::Shelter], status: ReferralStatus::Declined },
                ReferralFact { case_id: cid(3), sent_on: date!(2025 - 03 - 02), services: vec![ServiceKind::Medical], status: ReferralStatus::Completed },
            ],
            services: vec![
                ServiceFact { case_id: cid(1), kind: ServiceKind::Shelter, started_on: date!(2025 - 01 - 18) },
                ServiceFact { case_id: cid(1), kind: ServiceKind::Medical, started_on: date!(2025 - 01 - 19) },
                ServiceFact { case_id: cid(3), kind: ServiceKind::Medical, started_on: date!(2025 - 03 - 05) },
            ],
            best_interests: vec![BestInterestsFact { case_id: cid(3), assessed_on: date!(2025 - 03 - 01) }],
        }
    }

    #[test]
    fn live_indicators() {
        let f = facts();
        let (a, b) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
        assert_eq!(compute(LiveIndicator::IdentifiedPersons, &f, a, b).value, Some(3.0));
        assert_eq!(compute(LiveIndicator::IdentifiedChildren, &f, a, b).value, Some(2.0));
        // case 1 on day 7 counts; case 2 on day 8 does not; case 3's shelter referral was declined.
        assert_eq!(compute(LiveIndicator::ShelterWithin7Days, &f, a, b).value, Some(1.0));
        let s = compute(LiveIndicator::ShelterWithin7DaysShare, &f, a, b);
        assert_eq!((s.numerator, s.denominator), (1, Some(3)));
        assert_eq!(compute(LiveIndicator::ChildrenBestInterestsShare, &f, a, b).value, Some(50.0));
        assert_eq!(compute(LiveIndicator::ReferralsAcceptedShare, &f, a, b).value, Some(50.0));
        assert_eq!(compute(LiveIndicator::PersonsAssisted, &f, a, b).value, Some(2.0));
        let empty = compute(LiveIndicator::ChildrenBestInterestsShare, &f, date!(2020 - 01 - 01), date!(2020 - 12 - 31));
        assert_eq!(empty.value, None);
    }

    #[test]
    fn rules() {
        assert_eq!(progress(IndicatorKind::Count, Some(10.0), Some(15.0), Some(20.0)), Some(0.5));
        assert_eq!(progress(IndicatorKind::Percentage, Some(40.0), Some(30.0), Some(20.0)), Some(0.5));
        assert_eq!(progress(IndicatorKind::Count, None, Some(30.0), Some(20.0)), Some(1.0));
        assert_eq!(progress(IndicatorKind::YesNo, None, Some(0.0), Some(1.0)), Some(0.0));
        assert_eq!(progress(IndicatorKind::Count, None, None, Some(1.0)), None);
        assert_eq!(budget_execution(200.0, 50.0), Some(0.25));
        assert_eq!(budget_execution(0.0, 50.0), None);
        assert!(is_overdue(date!(2025 - 01 - 01), ActivityStatus::InProgress, date!(2025 - 01 - 02)));
        assert!(!is_overdue(date!(2025 - 01 - 01), ActivityStatus::Completed, date!(2025 - 01 - 02)));
        assert!(!is_overdue(date!(2025 - 01 - 01), ActivityStatus::InProgress, date!(2025 - 01 - 01)));
        assert!(activity_divergence((ActivityStatus::Completed, 100), (Some(ActivityStatus::InProgress), Some(40))).is_some());
        assert!(activity_divergence((ActivityStatus::InProgress, 50), (Some(ActivityStatus::InProgress), Some(60))).is_none());
        assert!(indicator_divergence(IndicatorKind::Count, Some(100.0), Some(95.0)).is_none());
        assert!(indicator_divergence(IndicatorKind::Count, Some(100.0), Some(80.0)).is_some());
        assert!(indicator_divergence(IndicatorKind::Count, Some(1.0), Some(2.0)).is_some());
        assert!(indicator_divergence(IndicatorKind::Percentage, Some(50.0), Some(53.0)).is_none());
        assert!(indicator_divergence(IndicatorKind::YesNo, Some(1.0), Some(0.0)).is_some());
        assert!(indicator_divergence(IndicatorKind::YesNo, Some(1.0), None).is_none());
        assert!(level_allowed(Role::Coordinator, PlanLevel::State).is_ok());
        assert!(level_allowed(Role::Coordinator, PlanLevel::Regional).is_err());
        assert!(level_allowed(Role::RegionalMonitor, PlanLevel::Regional).is_ok());
        assert!(level_allowed(Role::AgencyAdmin, PlanLevel::National).is_err());
    }

    #[test]
    fn dashboard_side_by_side() {
        let owner = AgencyId(Uuid::from_u128(1));
        let ngo = AgencyId(Uuid::from_u128(2));
        let periods = yearly_periods(date!(2025 - 01 - 01), date!(2026 - 12 - 31));
        assert_eq!(periods.len(), 2);
        let plan = Plan {
            id: "p".into(),
            title: "Plan".into(),
            level: PlanLevel::State,
            country: Some("BR".into()),
            subdivision: Some("BR-PE".into()),
            countries: vec![],
            period_from: date!(2025 - 01 - 01),
            period_to: date!(2026 - 12 - 31),
            owner: "Commission".into(),
            owner_agency: owner,
            monitors: vec![ngo],
            currency: "BRL".into(),
            objectives: vec![Objective { id: "o".into(), pillar: Pillar::Protection, title: "Assist".into() }],
            activities: vec![
                Activity {
                    id: "a1".into(),
                    objective_id: "o".into(),
                    title: "Hotline".into(),
                    responsible: vec!["Secretariat".into()],
                    partners: vec![],
                    start: date!(2025 - 01 - 01),
                    end: date!(2025 - 03 - 31),
                    budget_allocated: 1000.0,
                    budget_spent: 0.0,
                    status: ActivityStatus::InProgress,
                },
                Activity {
                    id: "a2".into(),
                    objective_id: "o".into(),
                    title: "Centre".into(),
                    responsible: vec![],
                    partners: vec![],
                    start: date!(2025 - 01 - 01),
                    end: date!(2026 - 12 - 31),
                    budget_allocated: 1000.0,
                    budget_spent: 250.0,
                    status: ActivityStatus::InProgress,
                },
            ],
            indicators: vec![Indicator {
                id: "i".into(),
                title: "Identified".into(),
                kind: IndicatorKind::Count,
                unit: "persons".into(),
                baseline: Some(0.0),
                baseline_period: Some("2024".into()),
                targets: periods.iter().map(|p| Target { period: p.clone(), value: 10.0 }).collect(),
                disaggregation: vec![Disaggregation::Sex],
                source: Source::Live(LiveIndicator::IdentifiedPersons),
                activity_id: None,
            }],
            illustrative: false,
            created_at_ms: 0,
        };
        let reports = vec![ProgressReport {
            id: "r".into(),
            plan_id: "p".into(),
            activity_id: "a1".into(),
            reported_on: date!(2025 - 04 - 01),
            status: ActivityStatus::Completed,
            percent_complete: 100,
            budget_spent: Some(750.0),
            narrative: String::new(),
            at_ms: 1,
        }];
        let mk = |subject: Subject, status, pct, value| Assessment {
            id: "x".into(),
            plan_id: "p".into(),
            monitor_agency: ngo,
            monitor_name: "Watch".into(),
            subject,
            status,
            percent_complete: pct,
            value,
            comment: String::new(),
            assessed_on: date!(2025 - 05 - 01),
            at_ms: 2,
        };
        let assessments = vec![
            mk(Subject::Activity("a1".into()), Some(ActivityStatus::InProgress), Some(30), None),
            mk(Subject::Indicator("i".into()), None, None, Some(2.0)),
        ];
        let d = dashboard(&plan, &reports, &assessments, date!(2025 - 06 - 01), |_, p| Some(if p.label == "2025" { 5.0 } else { 0.0 }));
        assert_eq!(d.budget_allocated, 2000.0);
        assert_eq!(d.budget_spent, 1000.0);
        assert_eq!(d.execution, Some(0.5));
        assert_eq!(d.overdue, 0, "a1 is completed per its report");
        assert_eq!(d.completed, 1);
        assert!(d.activities[0].diverges());
        assert!(!d.activities[1].diverges());
        let i = &d.indicators[0];
        assert_eq!(i.current, Some(5.0));
        assert_eq!(i.target, Some(10.0));
        assert_eq!(i.progress, Some(0.5));
        assert_eq!(i.trend.len(), 1, "2026 has not begun");
        assert!(i.diverges());
        assert_eq!(d.divergences, 2);
        let later = dashboard(&plan, &[], &[], date!(2025 - 06 - 01), |_, _| None);
        assert_eq!(later.overdue, 1);
    }
}
