//! Routes and maps: corridor and place aggregates, through the policy, audited
//! once per request. No case is read one by one and no identity is touched.
//!
//! Who sees what (kept simple on purpose):
//! * caseworkers and agency administrators: their own agency's cases;
//! * national coordinators: every case recorded in their country;
//! * regional monitors: every case in the system (the regional mechanism's
//!   members are the countries using this Vigia); aggregates only;
//! * auditors: nothing.

use time::Date;
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, Scope};
use vigia_domain::taxonomy::{AgencyKind, ExploitationKind, Role, Sex};
use vigia_geo::routes::{summarise, Level, Summary};

use crate::route_facts::{FactFilter, FactTable};
use crate::{Result, ServiceError, Vigia};

/// Child (under 18 at identification), adult, or age unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeGroup {
    Child,
    Adult,
    Unknown,
}

impl AgeGroup {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "child" => Some(Self::Child),
            "adult" => Some(Self::Adult),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Child => "child",
            Self::Adult => "adult",
            Self::Unknown => "unknown",
        }
    }
}

/// What to aggregate (all given conditions hold).
#[derive(Debug, Clone, Default)]
pub struct RouteQuery {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub exploitation: Option<ExploitationKind>,
    /// Kind of the identifying (recording) agency.
    pub agency_kind: Option<AgencyKind>,
    /// Only routes that start, pass or end here (a validated country or subdivision code).
    pub place: Option<String>,
    pub level: Level,
}

/// Aggregates and what they cover.
#[derive(Debug, Clone)]
pub struct RouteAggregate {
    pub summary: Summary,
    /// `agency`, `country` or `all`.
    pub scope: &'static str,
    /// The country for `country` scope.
    pub scope_country: Option<String>,
}

/// The in-memory fact table and the lock that serialises its refreshes.
#[derive(Default)]
pub(crate) struct RouteFacts {
    refresh: tokio::sync::Mutex<()>,
    table: std::sync::RwLock<FactTable>,
}

impl Vigia {
    /// Corridors, route counts and place counts over the cases the actor may
    /// aggregate, with the filters applied. One audit entry per call.
    pub async fn route_aggregate(&self, actor: &Actor, q: &RouteQuery) -> Result<RouteAggregate> {
        let (resource, scope, label) = match actor.role {
            Role::Caseworker | Role::AgencyAdmin => (
                Resource::Agency { agency_id: actor.agency_id, country: actor.country },
                Some(Scope::Agency(actor.agency_id)),
                "agency",
            ),
            Role::Coordinator => (Resource::System, Some(Scope::Country(actor.country)), "country"),
            _ => (Resource::System, None, "all"),
        };
        if let Decision::Deny(reason) = authorize(actor, Action::ReadAggregates, &resource) {
            return Err(self.deny(actor, "routes.aggregate", None, reason).await);
        }
        let filter = FactFilter {
            agency: match scope {
                Some(Scope::Agency(a)) => Some(a),
                _ => None,
            },
            country: match scope {
                Some(Scope::Country(c)) => Some(c.code().to_string()),
                _ => None,
            },
            from: q.from,
            to: q.to,
            sex: q.sex,
            minor: q.age_group.map(|g| match g {
                AgeGroup::Child => Some(true),
                AgeGroup::Adult => Some(false),
                AgeGroup::Unknown => None,
            }),
            exploitation: q.exploitation,
            agency_kind: q.agency_kind,
        };
        // The filter codes and the scope kind only: no identity, no case id.
        let detail = format!(
            "scope={label}; level={}; filters={}",
            q.level.code(),
            [
                q.from.map(|_| "from"),
                q.to.map(|_| "to"),
                q.sex.map(|_| "sex"),
                q.age_group.map(|_| "age_group"),
                q.exploitation.map(|_| "exploitation"),
                q.agency_kind.map(|_| "agency_kind"),
                q.place.as_ref().map(|_| "place"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(",")
        );
        self.store.append_audit(&[self.event(actor, "routes.aggregate", None, detail)]).await?;
        self.refresh_route_facts().await?;
        let rows = self.route_facts.table.read().unwrap_or_else(std::sync::PoisonError::into_inner).query(&filter);
        let summary = summarise(&rows, q.level, q.place.as_deref());
        Ok(RouteAggregate {
            summary,
            scope: label,
            scope_country: (label == "country").then(|| actor.country.code().to_string()),
        })
    }

    /// Bring the in-memory route facts up to date: read, a page at a time, the
    /// cases written after the last position applied (all of them the first time; `serve` calls this
    /// at start so the first map does not wait for it).
    pub async fn refresh_route_facts(&self) -> Result<usize> {
        let _one_at_a_time = self.route_facts.refresh.lock().await;
        const PAGE: i64 = 20_000;
        loop {
            let after = self.route_facts.table.read().unwrap_or_else(std::sync::PoisonError::into_inner).position();
            let facts = self.store.case_facts_after(after, PAGE).await?;
            if !facts.is_empty() {
                let mut table = self.route_facts.table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                table.apply(&facts).map_err(|what| ServiceError::Store(vigia_store::StoreError::Corrupt(format!("case facts: {what}"))))?;
            }
            if (facts.len() as i64) < PAGE {
                break;
            }
        }
        let table = self.route_facts.table.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(table.len())
    }
}
