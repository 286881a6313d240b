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
use vigia_domain::case::format_date;
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, Scope};
use vigia_domain::taxonomy::{AgencyKind, ExploitationKind, Role, Sex};
use vigia_geo::routes::{summarise, Level, PlaceKey, RouteRow, Summary};
use vigia_store::{RouteFilter, RouteGroup};

use crate::{Result, Vigia};

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

fn key(cc: &Option<String>, sub: &Option<String>) -> Option<PlaceKey> {
    cc.as_deref().map(|c| PlaceKey::new(c, sub.as_deref()))
}

/// Store groups as rows for the pure aggregation.
pub fn rows(groups: &[RouteGroup]) -> Vec<RouteRow> {
    groups
        .iter()
        .map(|g| RouteRow {
            origin: key(&g.origin_country, &g.origin_subdivision),
            destination: key(&g.destination_country, &g.destination_subdivision),
            transit: g.transit.split('>').filter(|s| !s.is_empty()).map(PlaceKey::parse).collect(),
            citizenship: g.citizenship.clone(),
            cases: u64::try_from(g.cases).unwrap_or(0),
        })
        .collect()
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
        let filter = RouteFilter {
            scope,
            from: q.from.map(format_date),
            to: q.to.map(format_date),
            sex: q.sex.map(|s| s.code().to_string()),
            minor: match q.age_group {
                Some(AgeGroup::Child) => Some(true),
                Some(AgeGroup::Adult) => Some(false),
                _ => None,
            },
            age_unknown: q.age_group == Some(AgeGroup::Unknown),
            exploitation: q.exploitation.map(|e| e.code().to_string()),
            agency_kind: q.agency_kind.map(|k| k.code().to_string()),
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
        let groups = self.store.route_groups(&filter).await?;
        let summary = summarise(&rows(&groups), q.level, q.place.as_deref());
        Ok(RouteAggregate {
            summary,
            scope: label,
            scope_country: (label == "country").then(|| actor.country.code().to_string()),
        })
    }
}
