//! Action plans: plans, objectives, activities and indicators; official progress
//! reports and hand-reported values; independent (shadow) assessments; the plan
//! dashboard with live indicators computed from the scope's cases, referrals,
//! services and best-interests assessments; exports of indicators (CSV, .xlsx).
//!
//! Plans live in the generic record table: kind `plan` (id = plan id, agency =
//! owner), and per plan `plan_progress`, `plan_value`, `plan_assessment` records
//! whose `status` column holds the plan id (the access path "all of a plan's ...").
//! Every write is audited with non-identifying detail; reading a dashboard, which
//! computes over cases, is audited once as an aggregate read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use time::Date;
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::ids::{AgencyId, CaseId};
use vigia_domain::plans::{
    self as p, Activity, ActivityStatus, Assessment, BestInterestsFact, CaseFact, Dashboard, Disaggregation, Facts, Indicator, IndicatorKind,
    Measurement, Objective, Period, Pillar, Plan, PlanLevel, ProgressReport, ReferralFact, ServiceFact, Source, Subject, Target,
};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, Scope};
use vigia_domain::taxonomy::Role;
use vigia_domain::FieldErrors;
use vigia_store::{AuditEvent, Record, RecordQuery};

use crate::util::{invalid, new_id};
use crate::nrm::{BestInterests, Referral, ServiceRecord, BEST_INTERESTS, REFERRAL, SERVICE};
use crate::{Result, ServiceError, Vigia};

pub const PLAN: &str = "plan";
pub const PROGRESS: &str = "plan_progress";
pub const MEASUREMENT: &str = "plan_value";
pub const ASSESSMENT: &str = "plan_assessment";

/// A new plan.
#[derive(Debug, Clone, Deserialize)]
pub struct NewPlan {
    pub title: String,
    pub level: PlanLevel,
    pub country: Option<String>,
    pub subdivision: Option<String>,
    pub countries: Vec<String>,
    pub period_from: Date,
    pub period_to: Date,
    pub owner: String,
    pub currency: String,
    pub monitors: Vec<AgencyId>,
    pub illustrative: bool,
}

/// A new activity; its objective is an existing one or a new one (pillar and title).
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub objective_id: Option<String>,
    pub new_objective: Option<(Pillar, String)>,
    pub title: String,
    pub responsible: Vec<String>,
    pub partners: Vec<String>,
    pub start: Date,
    pub end: Date,
    pub budget_allocated: f64,
    pub budget_spent: f64,
    pub status: ActivityStatus,
}

/// A new indicator. Live indicators take their kind from the computation.
#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub title: String,
    pub kind: Option<IndicatorKind>,
    pub unit: String,
    pub baseline: Option<f64>,
    pub baseline_period: Option<String>,
    /// Targets per period; when empty, one target per calendar year of the plan is
    /// expected from `yearly_target`.
    pub targets: Vec<Target>,
    pub yearly_target: Option<f64>,
    pub disaggregation: Vec<Disaggregation>,
    pub source: Source,
    pub activity_id: Option<String>,
}

/// An independent assessment as filed.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub subject: Subject,
    pub status: Option<ActivityStatus>,
    pub percent_complete: Option<u8>,
    pub value: Option<f64>,
    pub comment: String,
}

/// A plan with its dashboard, as of the service clock's today.
#[derive(Debug, Clone)]
pub struct PlanDashboard {
    pub plan: Plan,
    pub dashboard: Dashboard,
    pub as_of: Date,
    pub owner_agency: String,
    /// Designated monitors: (agency id, name).
    pub monitors: Vec<(AgencyId, String)>,
    /// Hand-reported values.
    pub measurements: Vec<Measurement>,
    pub reports: Vec<ProgressReport>,
}



fn text(errs: &mut FieldErrors, field: &str, s: &str, max: usize, required: bool) -> String {
    let t = s.trim();
    if (required && t.is_empty()) || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        errs.push(field, format!("must be {} to {max} characters", if required { 1 } else { 0 }));
    }
    t.to_string()
}

fn names(errs: &mut FieldErrors, field: &str, v: &[String]) -> Vec<String> {
    let out: Vec<String> = v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if out.len() > 50 || out.iter().any(|s| s.chars().count() > 200) {
        errs.push(field, "at most 50 names of up to 200 characters");
    }
    out
}

fn money(errs: &mut FieldErrors, field: &str, v: f64) -> f64 {
    if !v.is_finite() || v < 0.0 || v > 1e15 {
        errs.push(field, "must be a non-negative amount");
    }
    v
}

fn date_of_ms(ms: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map(|t| t.date()).unwrap_or(Date::MIN)
}

fn body<T: for<'de> Deserialize<'de>>(r: &Record) -> Result<T> {
    serde_json::from_str(&r.body).map_err(|_| ServiceError::Store(vigia_store::StoreError::Corrupt(format!("{} record", r.kind))))
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn resource(plan: &Plan) -> Resource {
    Resource::Plan { owner: plan.owner_agency, monitors: plan.monitors.clone() }
}

impl Vigia {
    fn plan_event(&self, actor: &Actor, action: &str, detail: impl Into<String>) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: None, detail: detail.into() }
    }

    fn plan_record(&self, kind: &str, id: &str, agency: AgencyId, status: &str, body: String) -> Record {
        Record {
            id: id.to_string(),
            kind: kind.into(),
            case_id: None,
            agency_id: Some(agency),
            other_agency_id: None,
            status: Some(status.to_string()),
            at_ms: self.clock.now_ms(),
            body,
        }
    }

    async fn check_plan(&self, actor: &Actor, action: Action, plan: &Plan, audit: &str) -> Result<()> {
        if let Decision::Deny(r) = authorize(actor, action, &resource(plan)) {
            return Err(self.deny(actor, audit, None, r).await);
        }
        Ok(())
    }

    async fn save_plan(&self, actor: &Actor, plan: &Plan, action: &str, detail: String) -> Result<()> {
        let level = plan.level.code();
        let rec = self.plan_record(PLAN, &plan.id, plan.owner_agency, level, json(plan));
        self.store.put_records(&[rec], &[self.plan_event(actor, action, detail)]).await?;
        Ok(())
    }

    /// Create a plan owned by the actor's agency.
    pub async fn create_plan(&self, actor: &Actor, n: NewPlan) -> Result<Plan> {
        let probe = Resource::Plan { owner: actor.agency_id, monitors: vec![] };
        if let Decision::Deny(r) = authorize(actor, Action::ManagePlans, &probe) {
            return Err(self.deny(actor, "plan.create", None, r).await);
        }
        if let Err(r) = p::level_allowed(actor.role, n.level) {
            return Err(self.deny(actor, "plan.create", None, r).await);
        }
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &n.title, 200, true);
        let owner = text(&mut e, "owner", &n.owner, 200, true);
        let currency = text(&mut e, "currency", &n.currency, 3, true).to_ascii_uppercase();
        if n.period_to < n.period_from {
            e.push("period_to", "must not be before period_from");
        }
        let (mut country, mut subdivision, mut countries) = (None, None, Vec::new());
        match n.level {
            PlanLevel::National | PlanLevel::State => {
                let c = n.country.as_deref().unwrap_or(actor.country.code());
                match Country::parse(c) {
                    Ok(c) if c == actor.country => country = Some(c.code().to_string()),
                    Ok(_) => e.push("country", "a coordinator keeps plans of their own country"),
                    Err(x) => e.push("country", x.to_string()),
                }
                if n.level == PlanLevel::State {
                    match n.subdivision.as_deref().map(Subdivision::parse) {
                        Some(Ok(s)) if Some(s.country_code()) == country.as_deref() => subdivision = Some(s.code().to_string()),
                        Some(Ok(_)) => e.push("subdivision", "does not belong to the country"),
                        Some(Err(x)) => e.push("subdivision", x.to_string()),
                        None => e.push("subdivision", "a state plan names its state (ISO 3166-2)"),
                    }
                }
            }
            PlanLevel::Regional => {
                for (i, c) in n.countries.iter().enumerate() {
                    match Country::parse(c) {
                        Ok(c) => countries.push(c.code().to_string()),
                        Err(x) => e.push(format!("countries[{i}]"), x.to_string()),
                    }
                }
                if countries.is_empty() {
                    e.push("countries", "a regional work plan names its member states");
                }
            }
        }
        if n.monitors.contains(&actor.agency_id) {
            e.push("monitors", "the owner cannot be its own independent monitor");
        }
        for (i, m) in n.monitors.iter().enumerate() {
            if self.store.get_agency(*m).await?.is_none() {
                e.push(format!("monitors[{i}]"), "no such agency");
            }
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let plan = Plan {
            id: new_id(),
            title,
            level: n.level,
            country,
            subdivision,
            countries,
            period_from: n.period_from,
            period_to: n.period_to,
            owner,
            owner_agency: actor.agency_id,
            monitors: n.monitors,
            currency,
            objectives: vec![],
            activities: vec![],
            indicators: vec![],
            illustrative: n.illustrative,
            created_at_ms: self.clock.now_ms(),
        };
        self.save_plan(actor, &plan, "plan.create", format!("plan={} level={}", plan.id, plan.level.code())).await?;
        Ok(plan)
    }

    async fn load_plan(&self, id: &str) -> Result<Plan> {
        let r = self.store.get_record(PLAN, id).await?.ok_or(ServiceError::NotFound)?;
        body(&r)
    }

    /// Every plan (signed-in users).
    pub async fn plans(&self, actor: &Actor) -> Result<Vec<Plan>> {
        if let Decision::Deny(r) = authorize(actor, Action::ReadPlans, &Resource::System) {
            return Err(self.deny(actor, "plan.list", None, r).await);
        }
        let mut out: Vec<Plan> = self.store.find_records(&RecordQuery::kind(PLAN)).await?.iter().map(body).collect::<Result<_>>()?;
        out.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms));
        Ok(out)
    }

    pub async fn plan(&self, actor: &Actor, id: &str) -> Result<Plan> {
        let plan = self.load_plan(id).await?;
        self.check_plan(actor, Action::ReadPlans, &plan, "plan.read").await?;
        Ok(plan)
    }

    /// Whether the actor may keep / assess this plan (for pages).
    pub fn may(&self, actor: &Actor, action: Action, plan: &Plan) -> bool {
        authorize(actor, action, &resource(plan)).is_allowed()
    }

    pub async fn add_objective(&self, actor: &Actor, plan_id: &str, pillar: Pillar, title: &str) -> Result<Objective> {
        let mut plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.objective").await?;
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", title, 300, true);
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let o = Objective { id: new_id(), pillar, title };
        plan.objectives.push(o.clone());
        self.save_plan(actor, &plan, "plan.objective", format!("plan={} objective={} pillar={}", plan.id, o.id, pillar.code())).await?;
        Ok(o)
    }

    pub async fn add_activity(&self, actor: &Actor, plan_id: &str, n: NewActivity) -> Result<Activity> {
        let mut plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.activity").await?;
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &n.title, 300, true);
        let responsible = names(&mut e, "responsible", &n.responsible);
        let partners = names(&mut e, "partners", &n.partners);
        let budget_allocated = money(&mut e, "budget_allocated", n.budget_allocated);
        let budget_spent = money(&mut e, "budget_spent", n.budget_spent);
        if n.end < n.start {
            e.push("end", "must not be before start");
        }
        let objective_id = match (&n.objective_id, &n.new_objective) {
            (Some(id), _) if plan.objectives.iter().any(|o| &o.id == id) => id.clone(),
            (Some(_), _) => {
                e.push("objective_id", "no such objective in this plan");
                String::new()
            }
            (None, Some((pillar, t))) => {
                let t = text(&mut e, "objective", t, 300, true);
                // Reuse an objective with the same pillar and title.
                match plan.objectives.iter().find(|o| o.pillar == *pillar && o.title == t) {
                    Some(o) => o.id.clone(),
                    None => {
                        let o = Objective { id: new_id(), pillar: *pillar, title: t };
                        let id = o.id.clone();
                        plan.objectives.push(o);
                        id
                    }
                }
            }
            (None, None) => {
                e.push("objective", "name an objective (or its pillar and title)");
                String::new()
            }
        };
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let a = Activity { id: new_id(), objective_id, title, responsible, partners, start: n.start, end: n.end, budget_allocated, budget_spent, status: n.status };
        plan.activities.push(a.clone());
        self.save_plan(actor, &plan, "plan.activity", format!("plan={} activity={}", plan.id, a.id)).await?;
        Ok(a)
    }

    pub async fn add_indicator(&self, actor: &Actor, plan_id: &str, n: NewIndicator) -> Result<Indicator> {
        let mut plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.indicator").await?;
        let mut e = FieldErrors::default();
        let title = text(&mut e, "title", &n.title, 300, true);
        let unit = text(&mut e, "unit", &n.unit, 60, false);
        let kind = match (n.source, n.kind) {
            (Source::Live(l), Some(k)) if k != l.kind() => {
                e.push("kind", format!("the live computation {} yields a {}", l.code(), l.kind().code()));
                k
            }
            (Source::Live(l), _) => l.kind(),
            (Source::Manual, Some(k)) => k,
            (Source::Manual, None) => {
                e.push("kind", "give the kind of a hand-reported indicator");
                IndicatorKind::Count
            }
        };
        let mut targets = n.targets;
        if targets.is_empty() {
            if let Some(v) = n.yearly_target {
                targets = p::yearly_periods(plan.period_from, plan.period_to).into_iter().map(|period| Target { period, value: v }).collect();
            }
        }
        for (i, t) in targets.iter().enumerate() {
            if t.period.to < t.period.from || t.period.label.trim().is_empty() || !t.value.is_finite() {
                e.push(format!("targets[{i}]"), "a target has a labelled period (from ≤ to) and a number");
            }
        }
        if targets.iter().map(|t| &t.period.label).collect::<BTreeSet<_>>().len() != targets.len() {
            e.push("targets", "period labels must be distinct");
        }
        if let Some(a) = &n.activity_id {
            if !plan.activities.iter().any(|x| &x.id == a) {
                e.push("activity_id", "no such activity in this plan");
            }
        }
        if n.baseline.is_some_and(|b| !b.is_finite()) {
            e.push("baseline", "must be a number");
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let ind = Indicator {
            id: new_id(),
            title,
            kind,
            unit,
            baseline: n.baseline,
            baseline_period: n.baseline_period.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            targets,
            disaggregation: n.disaggregation,
            source: n.source,
            activity_id: n.activity_id,
        };
        plan.indicators.push(ind.clone());
        let src = match ind.source {
            Source::Manual => "manual".to_string(),
            Source::Live(l) => format!("live:{}", l.code()),
        };
        self.save_plan(actor, &plan, "plan.indicator", format!("plan={} indicator={} source={src}", plan.id, ind.id)).await?;
        Ok(ind)
    }

    /// Designate the plan's independent monitors (agencies).
    pub async fn set_monitors(&self, actor: &Actor, plan_id: &str, monitors: Vec<AgencyId>) -> Result<()> {
        let mut plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.monitors").await?;
        if monitors.contains(&plan.owner_agency) {
            return Err(invalid("monitors", "the owner cannot be its own independent monitor"));
        }
        for m in &monitors {
            if self.store.get_agency(*m).await?.is_none() {
                return Err(invalid("monitors", "no such agency"));
            }
        }
        plan.monitors = monitors;
        let detail = format!("plan={} monitors={}", plan.id, plan.monitors.len());
        self.save_plan(actor, &plan, "plan.monitors", detail).await
    }

    /// An official progress report on one activity.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_progress(
        &self,
        actor: &Actor,
        plan_id: &str,
        activity_id: &str,
        status: ActivityStatus,
        percent_complete: u8,
        budget_spent: Option<f64>,
        narrative: &str,
    ) -> Result<ProgressReport> {
        let plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.progress").await?;
        let mut e = FieldErrors::default();
        if !plan.activities.iter().any(|a| a.id == activity_id) {
            e.push("activity_id", "no such activity in this plan");
        }
        if percent_complete > 100 {
            e.push("percent_complete", "must be 0 to 100");
        }
        let budget_spent = budget_spent.map(|b| money(&mut e, "budget_spent", b));
        let narrative = text(&mut e, "narrative", narrative, 5000, false);
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let r = ProgressReport {
            id: new_id(),
            plan_id: plan.id.clone(),
            activity_id: activity_id.into(),
            reported_on: self.today(),
            status,
            percent_complete,
            budget_spent,
            narrative,
            at_ms: self.clock.now_ms(),
        };
        let rec = self.plan_record(PROGRESS, &r.id, actor.agency_id, &plan.id, json(&r));
        let ev = self.plan_event(actor, "plan.progress", format!("plan={} activity={} status={} percent={percent_complete}", plan.id, activity_id, status.code()));
        self.store.put_records(&[rec], &[ev]).await?;
        Ok(r)
    }

    /// A value of a hand-reported indicator for one of its target periods (replaces an earlier one).
    pub async fn record_measurement(&self, actor: &Actor, plan_id: &str, indicator_id: &str, period: &str, value: f64, note: &str) -> Result<Measurement> {
        let plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::ManagePlans, &plan, "plan.value").await?;
        let Some(ind) = plan.indicators.iter().find(|i| i.id == indicator_id) else { return Err(invalid("indicator_id", "no such indicator in this plan")) };
        if ind.source != Source::Manual {
            return Err(invalid("indicator_id", "this indicator is computed from Vigia's records; its values cannot be typed in"));
        }
        let mut e = FieldErrors::default();
        if !ind.targets.iter().any(|t| t.period.label == period) {
            e.push("period", "must be one of the indicator's target periods");
        }
        if !value.is_finite() || (ind.kind == IndicatorKind::Percentage && !(0.0..=100.0).contains(&value)) {
            e.push("value", "must be a number (0 to 100 for a percentage; 0 or 1 for yes/no and milestones)");
        }
        let note = text(&mut e, "note", note, 2000, false);
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let m = Measurement { id: format!("{}:{}:{}", plan.id, indicator_id, period), plan_id: plan.id.clone(), indicator_id: indicator_id.into(), period: period.into(), value, note, at_ms: self.clock.now_ms() };
        let rec = self.plan_record(MEASUREMENT, &m.id, actor.agency_id, &plan.id, json(&m));
        let ev = self.plan_event(actor, "plan.value", format!("plan={} indicator={} period={period} value={value}", plan.id, indicator_id));
        self.store.put_records(&[rec], &[ev]).await?;
        Ok(m)
    }

    /// An independent monitor's assessment of an activity or an indicator.
    pub async fn file_assessment(&self, actor: &Actor, plan_id: &str, n: NewAssessment) -> Result<Assessment> {
        let plan = self.load_plan(plan_id).await?;
        self.check_plan(actor, Action::AssessPlans, &plan, "plan.assessment").await?;
        let mut e = FieldErrors::default();
        match &n.subject {
            Subject::Activity(id) => {
                if !plan.activities.iter().any(|a| &a.id == id) {
                    e.push("subject", "no such activity in this plan");
                }
                if n.status.is_none() && n.percent_complete.is_none() {
                    e.push("status", "give the status or the completion the monitor finds");
                }
                if n.percent_complete.is_some_and(|x| x > 100) {
                    e.push("percent_complete", "must be 0 to 100");
                }
            }
            Subject::Indicator(id) => {
                if !plan.indicators.iter().any(|i| &i.id == id) {
                    e.push("subject", "no such indicator in this plan");
                }
                if !n.value.is_some_and(f64::is_finite) {
                    e.push("value", "give the value the monitor finds");
                }
            }
        }
        let comment = text(&mut e, "comment", &n.comment, 5000, false);
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let monitor_name = self.store.get_agency(actor.agency_id).await?.map(|a| a.name).unwrap_or_default();
        let a = Assessment {
            id: new_id(),
            plan_id: plan.id.clone(),
            monitor_agency: actor.agency_id,
            monitor_name,
            subject: n.subject.clone(),
            status: n.status,
            percent_complete: n.percent_complete,
            value: n.value,
            comment,
            assessed_on: self.today(),
            at_ms: self.clock.now_ms(),
        };
        let subject = match &n.subject {
            Subject::Activity(id) => format!("activity={id}"),
            Subject::Indicator(id) => format!("indicator={id}"),
        };
        let rec = self.plan_record(ASSESSMENT, &a.id, actor.agency_id, &plan.id, json(&a));
        self.store.put_records(&[rec], &[self.plan_event(actor, "plan.assessment", format!("plan={} {subject}", plan.id))]).await?;
        Ok(a)
    }

    async fn plan_children<T: for<'de> Deserialize<'de>>(&self, kind: &str, plan_id: &str) -> Result<Vec<T>> {
        self.store.find_records(&RecordQuery { status: Some(plan_id.to_string()), ..RecordQuery::kind(kind) }).await?.iter().map(body).collect()
    }

    /// The facts the live indicators are computed from: the cases recorded in the
    /// plan's scope (the country; for a state plan, by agencies in that state; for a
    /// regional plan, in its member states) and their referrals, services and
    /// best-interests assessments. Identities are never opened.
    pub async fn plan_facts(&self, plan: &Plan) -> Result<Facts> {
        let countries: Vec<String> = match plan.level {
            PlanLevel::Regional => plan.countries.clone(),
            _ => plan.country.iter().cloned().collect(),
        };
        let in_state: Option<BTreeSet<AgencyId>> = match (&plan.level, &plan.subdivision) {
            (PlanLevel::State, Some(s)) => Some(
                self.store.list_agencies().await?.into_iter().filter(|a| a.subdivision.as_ref().is_some_and(|x| x.code() == s)).map(|a| a.id).collect(),
            ),
            _ => None,
        };
        let mut facts = Facts::default();
        for c in countries {
            let Ok(country) = Country::parse(&c) else { continue };
            let mut offset = 0;
            loop {
                let (total, rows) = self.store.list_cases(&Scope::Country(country), 500, offset).await?;
                if rows.is_empty() {
                    break;
                }
                offset += rows.len() as i64;
                for sc in rows {
                    if in_state.as_ref().is_some_and(|s| !s.contains(&sc.case.agency_id)) {
                        continue;
                    }
                    facts.cases.push(CaseFact { id: sc.case.id, identified_on: sc.case.facts.identified_on, minor: sc.case.facts.is_minor() });
                }
                if offset >= total {
                    break;
                }
            }
        }
        let ids: BTreeSet<CaseId> = facts.cases.iter().map(|c| c.id).collect();
        for r in self.store.find_records(&RecordQuery::kind(REFERRAL)).await? {
            if r.case_id.is_some_and(|c| ids.contains(&c)) {
                let x: Referral = body(&r)?;
                facts.referrals.push(ReferralFact { case_id: x.case_id, sent_on: date_of_ms(x.sent_at_ms), services: x.services, status: x.status });
            }
        }
        for r in self.store.find_records(&RecordQuery::kind(SERVICE)).await? {
            if r.case_id.is_some_and(|c| ids.contains(&c)) {
                let x: ServiceRecord = body(&r)?;
                facts.services.push(ServiceFact { case_id: x.case_id, kind: x.kind, started_on: x.started_on });
            }
        }
        for r in self.store.find_records(&RecordQuery::kind(BEST_INTERESTS)).await? {
            if r.case_id.is_some_and(|c| ids.contains(&c)) {
                let x: BestInterests = body(&r)?;
                facts.best_interests.push(BestInterestsFact { case_id: x.case_id, assessed_on: x.assessed_on });
            }
        }
        Ok(facts)
    }

    /// The plan with its dashboard: progress against target, budget execution,
    /// overdue activities, each indicator's trend, and the official and independent
    /// accounts side by side.
    pub async fn plan_dashboard(&self, actor: &Actor, plan_id: &str) -> Result<PlanDashboard> {
        let plan = self.plan(actor, plan_id).await?;
        let reports: Vec<ProgressReport> = self.plan_children(PROGRESS, &plan.id).await?;
        let measurements: Vec<Measurement> = self.plan_children(MEASUREMENT, &plan.id).await?;
        let assessments: Vec<Assessment> = self.plan_children(ASSESSMENT, &plan.id).await?;
        let live = plan.indicators.iter().any(|i| matches!(i.source, Source::Live(_)));
        let facts = if live { self.plan_facts(&plan).await? } else { Facts::default() };
        let today = self.today();
        let mut by_period: HashMap<(String, String), f64> = HashMap::new();
        for m in &measurements {
            by_period.insert((m.indicator_id.clone(), m.period.clone()), m.value);
        }
        let dashboard = p::dashboard(&plan, &reports, &assessments, today, |ind: &Indicator, period: &Period| match ind.source {
            Source::Live(l) => p::compute(l, &facts, period.from, period.to.min(today)).value,
            Source::Manual => by_period.get(&(ind.id.clone(), period.label.clone())).copied(),
        });
        // An aggregate read over the scope's cases: one audit entry, no case ids.
        self.store
            .append_audit(&[self.plan_event(actor, "plan.dashboard", format!("plan={} cases_in_scope={}", plan.id, facts.cases.len()))])
            .await?;
        let agencies: BTreeMap<AgencyId, String> = self.store.list_agencies().await?.into_iter().map(|a| (a.id, a.name)).collect();
        Ok(PlanDashboard {
            owner_agency: agencies.get(&plan.owner_agency).cloned().unwrap_or_default(),
            monitors: plan.monitors.iter().map(|m| (*m, agencies.get(m).cloned().unwrap_or_default())).collect(),
            plan,
            dashboard,
            as_of: today,
            measurements,
            reports,
        })
    }

    /// The indicators of a plan as rows (header first): one row per indicator and
    /// target period, with the official value, the target and the latest
    /// independent value. For CSV and .xlsx exports.
    pub fn indicator_rows(d: &PlanDashboard) -> Vec<Vec<String>> {
        let mut rows = vec![["plan", "indicator", "kind", "unit", "source", "baseline", "period", "from", "to", "target", "official_value", "independent_value", "diverges"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()];
        let f = |v: Option<f64>| v.map(|x| format!("{}", (x * 100.0).round() / 100.0)).unwrap_or_default();
        for r in &d.dashboard.indicators {
            let ind = &r.indicator;
            let src = match ind.source {
                Source::Manual => "manual".to_string(),
                Source::Live(l) => format!("live:{}", l.code()),
            };
            let mut targets: Vec<&Target> = ind.targets.iter().collect();
            targets.sort_by_key(|t| t.period.from);
            for t in targets {
                let official = r.trend.iter().find(|(l, _)| *l == t.period.label).and_then(|(_, v)| *v);
                let current = r.period.as_ref().is_some_and(|p| p.label == t.period.label);
                let independent = if current { r.independent.iter().find_map(|i| i.value) } else { None };
                rows.push(vec![
                    d.plan.title.clone(),
                    ind.title.clone(),
                    ind.kind.code().into(),
                    ind.unit.clone(),
                    src.clone(),
                    f(ind.baseline),
                    t.period.label.clone(),
                    vigia_domain::case::format_date(t.period.from),
                    vigia_domain::case::format_date(t.period.to),
                    f(Some(t.value)),
                    f(official),
                    f(independent),
                    if current && r.diverges() { "yes".into() } else { String::new() },
                ]);
            }
        }
        rows
    }

    /// The indicators as CSV (formula-safe).
    pub fn indicators_csv(d: &PlanDashboard) -> String {
        let mut out = String::new();
        for row in Self::indicator_rows(d) {
            let cells: Vec<String> = row
                .iter()
                .map(|c| {
                    let c = vigia_import::neutralise_formula(c);
                    if c.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c.into_owned()
                    }
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The indicators as an .xlsx workbook (numbers as numbers, text as text cells).
    pub fn indicators_xlsx(d: &PlanDashboard) -> Result<Vec<u8>> {
        use rust_xlsxwriter::Workbook;
        let x = |_e: rust_xlsxwriter::XlsxError| ServiceError::Refused("the workbook could not be written".into());
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("indicators").map_err(x)?;
        for (r, row) in Self::indicator_rows(d).iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let numeric = r > 0 && matches!(c, 5 | 9 | 10 | 11);
                match cell.parse::<f64>() {
                    Ok(v) if numeric => ws.write_number(r as u32, c as u16, v).map(|_| ()).map_err(x)?,
                    _ if cell.is_empty() => {}
                    _ => ws.write_string(r as u32, c as u16, cell.as_str()).map(|_| ()).map_err(x)?,
                }
            }
        }
        wb.save_to_buffer().map_err(x)
    }

    /// Whether the actor's role can ever keep plans (for navigation).
    pub fn plan_keeper(role: Role) -> bool {
        matches!(role, Role::Coordinator | Role::RegionalMonitor)
    }
}

// ----- demo content -----

impl Vigia {
    async fn actor_by_email(&self, email: &str) -> Result<Option<Actor>> {
        match self.store.user_by_email(email).await? {
            Some(u) => Ok(Some(self.actor_for(&u).await?)),
            None => Ok(None),
        }
    }

    /// Demo plans: an illustrative state plan shaped like Pernambuco's (commission,
    /// baseline assessment, code of conduct, plan of action, monitoring) kept by the
    /// coordinator, with live indicators over the demo cases and an NGO designated as
    /// independent monitor; and an illustrative regional work plan kept by the
    /// regional mechanism. Users are found by e-mail; missing ones are skipped.
    pub async fn seed_demo_plans(&self, coordinator: &str, regional: &str, monitor_admin: &str) -> Result<Vec<String>> {
        use ActivityStatus::*;
        use Pillar::*;
        let mut made = Vec::new();
        let today = self.today();
        let y = today.year();
        let d = |yy: i32, m: u8, dd: u8| Date::from_calendar_date(yy, time::Month::try_from(m).unwrap_or(time::Month::January), dd).unwrap_or(today);
        let monitor = self.actor_by_email(monitor_admin).await?;
        if let Some(c) = self.actor_by_email(coordinator).await? {
            let plan = self
                .create_plan(
                    &c,
                    NewPlan {
                        title: "Pernambuco state plan to prevent and combat trafficking in persons (illustrative)".into(),
                        level: PlanLevel::State,
                        country: Some("BR".into()),
                        subdivision: Some("BR-PE".into()),
                        countries: vec![],
                        period_from: d(y - 1, 1, 1),
                        period_to: d(y + 1, 12, 31),
                        owner: "Inter-institutional commission to combat trafficking (state law), with its executive board".into(),
                        currency: "BRL".into(),
                        monitors: monitor.iter().map(|m| m.agency_id).collect(),
                        illustrative: true,
                    },
                )
                .await?;
            let acts: &[(Pillar, &str, &str, &[&str], &[&str], Date, Date, f64, f64, ActivityStatus)] = &[
                (Partnership, "Step 1 — an inter-institutional commission", "Constitute the commission and its executive board (government and civil society) and a special secretary in the police", &["State Secretariat of Social Defence"], &["Latin American Institute for Human Rights (ILADH)"], d(y - 1, 1, 15), d(y - 1, 6, 30), 40_000.0, 38_500.0, Completed),
                (Partnership, "Step 2 — baseline data through a local assessment", "Joint local assessment: observation, document analysis, interviews, questionnaires, focus groups; verification with stakeholders", &["Expert working group"], &["Universities", "NGOs"], d(y - 1, 3, 1), d(y - 1, 11, 30), 120_000.0, 131_000.0, Completed),
                (Partnership, "Step 2 — baseline data through a local assessment", "International seminar to discuss findings and clarify concepts", &["Commission"], &["International organisations"], d(y - 1, 9, 1), d(y - 1, 12, 15), 60_000.0, 52_000.0, Completed),
                (Prevention, "Step 3 — a code of conduct", "Planning workshop (100+ institutions) and adoption of a code of conduct by education, arts, business, media, government and tourism", &["Commission", "State Secretariat of Tourism"], &["Business associations", "Media"], d(y - 1, 8, 1), d(y, 6, 30), 80_000.0, 45_000.0, InProgress),
                (Prevention, "Step 4 — the plan of action: prevention", "Information campaigns and capacity building for trainers in at-risk communities", &["State Secretariat of Education"], &["ICLEI", "Community organisations"], d(y, 1, 1), d(y + 1, 12, 31), 300_000.0, 90_000.0, InProgress),
                (Protection, "Step 4 — the plan of action: victim support", "A free telephone hotline, answered around the clock", &["State Secretariat of Social Defence"], &["National hotline"], d(y - 1, 6, 1), d(y, 3, 31), 150_000.0, 140_000.0, InProgress),
                (Protection, "Step 4 — the plan of action: victim support", "A special centre for social and health assistance to trafficked persons", &["State Secretariat of Health"], &["Shelters", "NGOs"], d(y, 1, 1), d(y + 1, 6, 30), 500_000.0, 120_000.0, InProgress),
                (Prosecution, "Step 4 — the plan of action: prosecution", "A special commission, with federal police support, to investigate cases", &["Civil police", "Federal police"], &["Public prosecutor's office"], d(y - 1, 10, 1), d(y + 1, 12, 31), 200_000.0, 70_000.0, InProgress),
                (Partnership, "Step 5 — monitoring and evaluation", "A monitoring and evaluation system and a yearly public report on the programme's performance and impact", &["Commission"], &["Independent monitors"], d(y, 1, 1), d(y + 1, 3, 31), 50_000.0, 5_000.0, Planned),
            ];
            let mut ids = Vec::new();
            for (pillar, obj, title, resp, partners, start, end, alloc, spent, status) in acts {
                let a = self
                    .add_activity(
                        &c,
                        &plan.id,
                        NewActivity {
                            objective_id: None,
                            new_objective: Some((*pillar, (*obj).into())),
                            title: (*title).into(),
                            responsible: resp.iter().map(|s| s.to_string()).collect(),
                            partners: partners.iter().map(|s| s.to_string()).collect(),
                            start: *start,
                            end: *end,
                            budget_allocated: *alloc,
                            budget_spent: *spent,
                            status: *status,
                        },
                    )
                    .await?;
                ids.push(a.id);
            }
            let live = |title: &str, l: p::LiveIndicator, unit: &str, base: f64, target: f64, act: Option<usize>| NewIndicator {
                title: title.into(),
                kind: None,
                unit: unit.into(),
                baseline: Some(base),
                baseline_period: Some(format!("{}", y - 2)),
                targets: vec![],
                yearly_target: Some(target),
                disaggregation: vec![Disaggregation::Sex, Disaggregation::AgeGroup, Disaggregation::Exploitation],
                source: Source::Live(l),
                activity_id: act.and_then(|i| ids.get(i).cloned()),
            };
            let i1 = self.add_indicator(&c, &plan.id, live("Presumed trafficked persons identified in the state", p::LiveIndicator::IdentifiedPersons, "persons", 5.0, 20.0, Some(7))).await?;
            self.add_indicator(&c, &plan.id, live("Persons referred to a shelter within 7 days of identification (share)", p::LiveIndicator::ShelterWithin7DaysShare, "%", 10.0, 60.0, Some(6))).await?;
            self.add_indicator(&c, &plan.id, live("Identified children with a best-interests assessment (share)", p::LiveIndicator::ChildrenBestInterestsShare, "%", 20.0, 90.0, Some(6))).await?;
            let coc = self
                .add_indicator(
                    &c,
                    &plan.id,
                    NewIndicator {
                        title: "Code of conduct adopted by the state government".into(),
                        kind: Some(IndicatorKind::YesNo),
                        unit: String::new(),
                        baseline: Some(0.0),
                        baseline_period: None,
                        targets: vec![],
                        yearly_target: Some(1.0),
                        disaggregation: vec![],
                        source: Source::Manual,
                        activity_id: ids.get(3).cloned(),
                    },
                )
                .await?;
            let trained = self
                .add_indicator(
                    &c,
                    &plan.id,
                    NewIndicator {
                        title: "Professionals trained (teachers, police, health and tourism workers)".into(),
                        kind: Some(IndicatorKind::Count),
                        unit: "persons".into(),
                        baseline: Some(0.0),
                        baseline_period: Some(format!("{}", y - 2)),
                        targets: vec![],
                        yearly_target: Some(400.0),
                        disaggregation: vec![Disaggregation::Sex],
                        source: Source::Manual,
                        activity_id: ids.get(4).cloned(),
                    },
                )
                .await?;
            self.record_measurement(&c, &plan.id, &coc.id, &format!("{}", y - 1), 0.0, "Drafted at the planning workshop").await?;
            self.record_measurement(&c, &plan.id, &coc.id, &format!("{y}"), 1.0, "Adopted by decree; published and promoted").await?;
            self.record_measurement(&c, &plan.id, &trained.id, &format!("{}", y - 1), 180.0, "").await?;
            self.record_measurement(&c, &plan.id, &trained.id, &format!("{y}"), 310.0, "").await?;
            if let Some(hotline) = ids.get(5) {
                self.report_progress(&c, &plan.id, hotline, Completed, 100, Some(148_000.0), "The hotline answers around the clock.").await?;
            }
            if let Some(centre) = ids.get(6) {
                self.report_progress(&c, &plan.id, centre, InProgress, 45, Some(180_000.0), "Premises rented; staff being hired.").await?;
            }
            if let Some(m) = &monitor {
                if let Some(hotline) = ids.get(5) {
                    self.file_assessment(m, &plan.id, NewAssessment { subject: Subject::Activity(hotline.clone()), status: Some(InProgress), percent_complete: Some(50), value: None, comment: "Illustrative: the line is answered in office hours only; calls at night go unanswered.".into() }).await?;
                }
                if let Some(centre) = ids.get(6) {
                    self.file_assessment(m, &plan.id, NewAssessment { subject: Subject::Activity(centre.clone()), status: Some(InProgress), percent_complete: Some(40), value: None, comment: "Illustrative: consistent with our visits.".into() }).await?;
                }
                self.file_assessment(m, &plan.id, NewAssessment { subject: Subject::Indicator(trained.id.clone()), status: None, percent_complete: None, value: Some(120.0), comment: "Illustrative: attendance lists show fewer people trained than declared.".into() }).await?;
                let _ = i1;
            }
            made.push(plan.id);
        }
        if let Some(r) = self.actor_by_email(regional).await? {
            let plan = self
                .create_plan(
                    &r,
                    NewPlan {
                        title: "Work plan against trafficking in persons in the Western Hemisphere (illustrative)".into(),
                        level: PlanLevel::Regional,
                        country: None,
                        subdivision: None,
                        countries: ["BR", "CO", "DO", "US"].iter().map(|s| s.to_string()).collect(),
                        period_from: d(y - 1, 1, 1),
                        period_to: d(y + 1, 12, 31),
                        owner: "Regional mechanism secretariat, on the mandate of the meeting of national authorities".into(),
                        currency: "USD".into(),
                        monitors: vec![],
                        illustrative: true,
                    },
                )
                .await?;
            let acts: &[(Pillar, &str, &str, Date, Date, f64, f64, ActivityStatus)] = &[
                (Partnership, "Regional coordination", "Meeting of national authorities to review and update the work plan", d(y - 1, 10, 1), d(y - 1, 12, 5), 90_000.0, 85_000.0, Completed),
                (Prevention, "Shared understanding of the crime", "Regional analysis of consent and of the forms of exploitation defined in member states' laws", d(y, 1, 1), d(y, 9, 30), 40_000.0, 10_000.0, InProgress),
                (Protection, "Assistance to victims abroad", "Guidelines on consular assistance and assisted return", d(y - 1, 6, 1), d(y, 2, 28), 30_000.0, 12_000.0, Delayed),
                (Prosecution, "Judicial cooperation", "Training of prosecutors on joint investigations across borders", d(y, 3, 1), d(y + 1, 6, 30), 120_000.0, 20_000.0, InProgress),
                (Partnership, "Good practices", "Exchange of good practices between national mechanisms (knowledge base)", d(y, 1, 1), d(y + 1, 12, 31), 25_000.0, 4_000.0, InProgress),
            ];
            for (pillar, obj, title, start, end, alloc, spent, status) in acts {
                self.add_activity(
                    &r,
                    &plan.id,
                    NewActivity {
                        objective_id: None,
                        new_objective: Some((*pillar, (*obj).into())),
                        title: (*title).into(),
                        responsible: vec!["Secretariat".into()],
                        partners: vec!["Member states".into()],
                        start: *start,
                        end: *end,
                        budget_allocated: *alloc,
                        budget_spent: *spent,
                        status: *status,
                    },
                )
                .await?;
            }
            self.add_indicator(
                &r,
                &plan.id,
                NewIndicator {
                    title: "Presumed trafficked persons identified in member states".into(),
                    kind: None,
                    unit: "persons".into(),
                    baseline: None,
                    baseline_period: None,
                    targets: vec![],
                    yearly_target: Some(100.0),
                    disaggregation: vec![Disaggregation::Citizenship],
                    source: Source::Live(p::LiveIndicator::IdentifiedPersons),
                    activity_id: None,
                },
            )
            .await?;
            self.add_indicator(
                &r,
                &plan.id,
                NewIndicator {
                    title: "Referrals accepted by the receiving agency (share)".into(),
                    kind: None,
                    unit: "%".into(),
                    baseline: None,
                    baseline_period: None,
                    targets: vec![],
                    yearly_target: Some(80.0),
                    disaggregation: vec![],
                    source: Source::Live(p::LiveIndicator::ReferralsAcceptedShare),
                    activity_id: None,
                },
            )
            .await?;
            made.push(plan.id);
        }
        Ok(made)
    }
}
