//! The access policy: one decision for every page and endpoint.
//!
//! `authorize(actor, action, resource)` is deny by default: every allowed
//! combination is listed below, everything else is refused with a reason that
//! names no personal data.

use crate::geo::Country;
use crate::ids::{AgencyId, UserId};
use crate::taxonomy::Role;

/// Who is asking.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub agency_id: AgencyId,
    /// The country of the actor's agency.
    pub country: Country,
    /// For coordinators: an explicit grant to see identifying fields.
    pub identity_grant: bool,
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateCase,
    ReadCase,
    ListCases,
    ReadAuditLog,
    ReadAggregates,
}

/// What they want to do it to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    /// A case, by its owning agency and that agency's country.
    Case { agency_id: AgencyId, country: Country },
    /// An agency's case register (create, list).
    Agency { agency_id: AgencyId, country: Country },
    /// The whole system (audit log, aggregates).
    System,
}

/// How much of a case may be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Every field, identifying data included.
    Full,
    /// Everything but the identifying data.
    Deidentified,
}

/// Which cases a list may hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Agency(AgencyId),
    Country(Country),
}

/// The outcome of a decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Allow(View),
    AllowList(Scope, View),
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Decision::Deny(_))
    }
}

/// The one policy decision.
pub fn authorize(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    use Action::*;
    use Role::*;
    match (action, actor.role, resource) {
        // Agency staff work on their own agency's cases, identities included.
        (CreateCase | ReadCase, Caseworker | AgencyAdmin, Resource::Case { agency_id, .. } | Resource::Agency { agency_id, .. })
            if *agency_id == actor.agency_id =>
        {
            Decision::Allow(View::Full)
        }
        (ListCases, Caseworker | AgencyAdmin, _) => Decision::AllowList(Scope::Agency(actor.agency_id), View::Full),
        (CreateCase | ReadCase, Caseworker | AgencyAdmin, _) => Decision::Deny("the case belongs to another agency"),

        // National coordinators read their country's cases, de-identified unless granted.
        (ReadCase, Coordinator, Resource::Case { country, .. }) if *country == actor.country => {
            Decision::Allow(if actor.identity_grant { View::Full } else { View::Deidentified })
        }
        (ListCases, Coordinator, _) => {
            Decision::AllowList(Scope::Country(actor.country), if actor.identity_grant { View::Full } else { View::Deidentified })
        }
        (ReadCase, Coordinator, _) => Decision::Deny("the case belongs to another country"),
        (CreateCase, Coordinator, _) => Decision::Deny("national coordinators do not record cases"),
        (ReadAggregates, Coordinator | RegionalMonitor, Resource::System) => Decision::Allow(View::Deidentified),

        // Regional monitors see aggregates only.
        (_, RegionalMonitor, _) => Decision::Deny("regional monitors see aggregate figures only"),

        // Auditors read the audit log and nothing else.
        (ReadAuditLog, Auditor, Resource::System) => Decision::Allow(View::Deidentified),
        (_, Auditor, _) => Decision::Deny("auditors read the audit log only"),

        _ => Decision::Deny("not permitted"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn actor(role: Role, agency: AgencyId, cc: &str) -> Actor {
        Actor { user_id: UserId(Uuid::from_u128(9)), role, agency_id: agency, country: Country::parse(cc).unwrap(), identity_grant: false }
    }

    #[test]
    fn matrix() {
        let a = AgencyId(Uuid::from_u128(1));
        let b = AgencyId(Uuid::from_u128(2));
        let br = Country::parse("BR").unwrap();
        let es = Country::parse("ES").unwrap();
        let own = Resource::Case { agency_id: a, country: br };
        let other_same_country = Resource::Case { agency_id: b, country: br };
        let other_country = Resource::Case { agency_id: b, country: es };

        for role in [Role::Caseworker, Role::AgencyAdmin] {
            let x = actor(role, a, "BR");
            assert_eq!(authorize(&x, Action::ReadCase, &own), Decision::Allow(View::Full));
            assert!(!authorize(&x, Action::ReadCase, &other_same_country).is_allowed());
            assert!(!authorize(&x, Action::ReadAuditLog, &Resource::System).is_allowed());
        }
        let mut c = actor(Role::Coordinator, a, "BR");
        assert_eq!(authorize(&c, Action::ReadCase, &other_same_country), Decision::Allow(View::Deidentified));
        assert!(!authorize(&c, Action::ReadCase, &other_country).is_allowed());
        assert!(!authorize(&c, Action::CreateCase, &Resource::Agency { agency_id: a, country: br }).is_allowed());
        c.identity_grant = true;
        assert_eq!(authorize(&c, Action::ReadCase, &other_same_country), Decision::Allow(View::Full));

        for role in [Role::RegionalMonitor, Role::Auditor] {
            let x = actor(role, a, "BR");
            for act in [Action::ReadCase, Action::CreateCase, Action::ListCases] {
                assert!(!authorize(&x, act, &own).is_allowed());
            }
        }
        assert!(authorize(&actor(Role::Auditor, a, "BR"), Action::ReadAuditLog, &Resource::System).is_allowed());
        assert!(authorize(&actor(Role::RegionalMonitor, a, "BR"), Action::ReadAggregates, &Resource::System).is_allowed());
    }
}
