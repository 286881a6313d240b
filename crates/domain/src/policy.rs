//! The access policy: one decision for every page and endpoint.
//!
//! `authorize(actor, action, resource)` is deny by default: every allowed
//! combination is listed below, everything else is refused with a reason that
//! names no personal data.

use crate::geo::Country;
use crate::ids::{AgencyId, UserId};
use crate::taxonomy::{DataCategory, Role};

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
    /// Refer a case, record consent, assessments, decisions, the person's wishes.
    WorkOnCase,
    /// Read a case referred to one's agency (only the agreed categories).
    ReadReferredCase,
    /// Accept, decline, record services on, complete a referral sent to one's agency.
    AnswerReferral,
    /// Create sharing agreements of one's agency.
    ManageAgreements,
    /// Edit legal profiles and the mechanism's timers.
    ManageLegalProfiles,
    /// Triage hotline tips received by one's agency.
    TriageTips,
    /// Import records into one's agency and manage its column mappings.
    ImportCases,
    /// Send reporting rounds from one's agency and follow them up (questionnaires,
    /// deadlines, reminders, validation): national coordinators and regional mechanisms.
    ManageRounds,
    /// Answer the reporting rounds sent to one's agency.
    AnswerRound,
    /// Run national record linkage over the country's cases and read its
    /// results (persons as lists of case ids, figures): national coordinators.
    RunLinkage,
    /// Clerical review of uncertain linkage pairs, identities side by side:
    /// national coordinators with an identity grant only.
    ReviewLinkage,
    /// Say whether one's agency's identities may be linked in the clear at
    /// national level: the agency's administrator.
    SetLinkageConsent,
    /// Import the country's population table (denominators of the rates): national coordinators.
    ManagePopulation,
    /// Run multiple systems estimation over the country's lists and re-run stored runs: national coordinators.
    RunEstimates,
    /// Read a country's standard indicators and population table (aggregates only): its
    /// coordinators, and regional monitors (small counts suppressed by the service).
    ReadIndicators,
    /// Create and keep action plans and report official progress: coordinators for
    /// national and state plans, regional mechanism staff for regional work plans
    /// (resource `Plan`; the level is checked by `plans::level_allowed`).
    ManagePlans,
    /// File independent (shadow) assessments of a plan: staff of an agency the plan's
    /// owner designated as monitor (agency administrators, regional monitors), never the owner.
    AssessPlans,
    /// Read plans and their dashboards: any signed-in user (plans hold aggregates only).
    ReadPlans,
    /// Edit the knowledge base (legal frameworks, practices, directory): coordinators
    /// and regional mechanism staff.
    ManageKnowledge,
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
    /// An action plan: its owning agency and the agencies designated as independent monitors.
    Plan { owner: AgencyId, monitors: Vec<AgencyId> },
    /// A referral, as seen by its receiver.
    Referral {
        to_agency: AgencyId,
        /// Not declined.
        open: bool,
        /// The person's consent to sharing with the receiver stands (always true for a child).
        consent_active: bool,
        categories: Vec<DataCategory>,
    },
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
    /// Only these categories of the case may be seen.
    AllowShared(Vec<DataCategory>),
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
        // Work on one's own agency's cases.
        (WorkOnCase, Caseworker | AgencyAdmin, Resource::Case { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Full),
        (WorkOnCase, Coordinator | RegionalMonitor | Auditor, _) => Decision::Deny("only the recording agency works on a case"),
        (WorkOnCase, _, _) => Decision::Deny("the case belongs to another agency"),

        // Referred cases: the receiver sees the agreed categories while the referral is open and consent stands.
        (ReadReferredCase | AnswerReferral, Caseworker | AgencyAdmin, Resource::Referral { to_agency, open, consent_active, categories }) => {
            if *to_agency != actor.agency_id {
                Decision::Deny("the referral was sent to another agency")
            } else if !*open {
                Decision::Deny("the referral was declined")
            } else if !*consent_active {
                Decision::Deny("the person has withdrawn consent to sharing with your agency")
            } else {
                Decision::AllowShared(categories.clone())
            }
        }
        (ReadReferredCase | AnswerReferral, _, _) => Decision::Deny("referrals are answered by the receiving agency's staff"),

        (ManageAgreements, AgencyAdmin, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Full),
        (ManageAgreements, _, _) => Decision::Deny("sharing agreements are managed by the agency's administrator"),
        (ManageLegalProfiles, Coordinator, _) => Decision::Allow(View::Full),
        (ManageLegalProfiles, _, _) => Decision::Deny("legal profiles are edited by a national coordinator"),
        (TriageTips, Caseworker | AgencyAdmin, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Full),
        (TriageTips, _, _) => Decision::Deny("tips are triaged by the receiving hotline's staff"),
        (ImportCases, AgencyAdmin, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Full),
        (ImportCases, _, _) => Decision::Deny("imports are made by the agency's administrator"),

        // Reporting rounds: coordinators and regional mechanisms send them from their own agency;
        // agency staff and coordinators answer those sent to their own agency.
        (ManageRounds, Coordinator | RegionalMonitor, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Deidentified),
        (ManageRounds, _, _) => Decision::Deny("reporting rounds are managed by the sending coordinator or regional mechanism"),
        (AnswerRound, Caseworker | AgencyAdmin | Coordinator, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Deidentified),
        (AnswerRound, _, _) => Decision::Deny("a round is answered by the staff of the agency it was sent to"),

        // Action plans: the owner keeps the plan; designated monitors file shadow assessments.
        (ManagePlans, Coordinator | RegionalMonitor, Resource::Plan { owner, .. }) if *owner == actor.agency_id => Decision::Allow(View::Deidentified),
        (ManagePlans, _, _) => Decision::Deny("a plan is kept by its owning coordinator or regional mechanism"),
        (AssessPlans, AgencyAdmin | RegionalMonitor, Resource::Plan { owner, monitors }) if *owner != actor.agency_id && monitors.contains(&actor.agency_id) => {
            Decision::Allow(View::Deidentified)
        }
        (AssessPlans, _, _) => Decision::Deny("independent assessments are filed by an agency designated as monitor on the plan, not by its owner"),
        (ReadPlans, _, _) => Decision::Allow(View::Deidentified),
        (ManageKnowledge, Coordinator | RegionalMonitor, _) => Decision::Allow(View::Deidentified),
        (ManageKnowledge, _, _) => Decision::Deny("the knowledge base is edited by coordinators and regional mechanisms"),

        // Standard indicators and estimates: aggregates of one country. The resource is
        // `Agency { country: <the country asked about>, .. }`.
        (ManagePopulation | RunEstimates, Coordinator, Resource::Agency { country, .. }) if *country == actor.country => Decision::Allow(View::Deidentified),
        (ManagePopulation | RunEstimates, _, _) => Decision::Deny("population tables and estimates are managed by the country's coordinator"),
        (ReadIndicators, Coordinator, Resource::Agency { country, .. }) if *country == actor.country => Decision::Allow(View::Deidentified),
        (ReadIndicators, RegionalMonitor, Resource::Agency { .. }) => Decision::Allow(View::Deidentified),
        (ReadIndicators, _, _) => Decision::Deny("indicators are read by the country's coordinator and regional monitors"),

        // National linkage: the coordinator of the country runs it; reviewing pairs shows
        // identities, so it needs the identity grant; each agency decides on clear-text linkage.
        (RunLinkage, Coordinator, Resource::Agency { country, .. }) if *country == actor.country => Decision::Allow(View::Deidentified),
        (RunLinkage, _, _) => Decision::Deny("national linkage is run by the country's coordinator"),
        (ReviewLinkage, Coordinator, Resource::Agency { country, .. }) if *country == actor.country && actor.identity_grant => Decision::Allow(View::Full),
        (ReviewLinkage, Coordinator, _) => Decision::Deny("clerical review shows identities: it needs an identity grant"),
        (ReviewLinkage, _, _) => Decision::Deny("clerical review is done by a national coordinator with an identity grant"),
        (SetLinkageConsent, AgencyAdmin, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Deidentified),
        (SetLinkageConsent, _, _) => Decision::Deny("the agency's administrator decides on clear-text linkage"),

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
        // Agency staff: aggregates (routes, maps) of their own agency's cases.
        (ReadAggregates, Caseworker | AgencyAdmin, Resource::Agency { agency_id, .. }) if *agency_id == actor.agency_id => Decision::Allow(View::Deidentified),

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

    #[test]
    fn plans() {
        let owner = AgencyId(Uuid::from_u128(1));
        let ngo = AgencyId(Uuid::from_u128(2));
        let other = AgencyId(Uuid::from_u128(3));
        let plan = Resource::Plan { owner, monitors: vec![ngo, owner] };
        assert!(authorize(&actor(Role::Coordinator, owner, "BR"), Action::ManagePlans, &plan).is_allowed());
        assert!(!authorize(&actor(Role::Coordinator, other, "BR"), Action::ManagePlans, &plan).is_allowed());
        assert!(!authorize(&actor(Role::AgencyAdmin, owner, "BR"), Action::ManagePlans, &plan).is_allowed());
        assert!(authorize(&actor(Role::AgencyAdmin, ngo, "BR"), Action::AssessPlans, &plan).is_allowed());
        assert!(!authorize(&actor(Role::Caseworker, ngo, "BR"), Action::AssessPlans, &plan).is_allowed());
        assert!(!authorize(&actor(Role::AgencyAdmin, other, "BR"), Action::AssessPlans, &plan).is_allowed());
        // The owner can never assess itself, even if listed.
        assert!(!authorize(&actor(Role::Coordinator, owner, "BR"), Action::AssessPlans, &plan).is_allowed());
        assert!(authorize(&actor(Role::Auditor, other, "BR"), Action::ReadPlans, &plan).is_allowed());
        assert!(authorize(&actor(Role::RegionalMonitor, other, "BR"), Action::ManageKnowledge, &Resource::System).is_allowed());
        assert!(!authorize(&actor(Role::Caseworker, other, "BR"), Action::ManageKnowledge, &Resource::System).is_allowed());
    }
}
