//! The National Referral Mechanism's rules: when a referral may be sent, what
//! the receiver may see, when a referral is overdue, and the deadlines of the
//! identification decisions. Pure: facts and `now` are passed in.

use time::{Date, Duration};

use crate::taxonomy::{AgencyKind, DataCategory, DecisionKind, DecisionOutcome};

/// Why a referral cannot be sent. The messages are shown to caseworkers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralRefusal {
    #[error("there is no sharing agreement with this agency: a referral can only go to an agency your agency has an agreement with")]
    NoAgreement,
    #[error("the person has not consented to sharing with this agency, or has withdrawn that consent: the referral cannot be sent")]
    NoConsent,
    #[error("the person is a child: a best-interests assessment must be on record before a referral outside child protection")]
    NoBestInterestsAssessment,
    #[error("a referral cannot be sent to your own agency")]
    SameAgency,
}

/// The facts that decide whether a referral may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFacts {
    pub same_agency: bool,
    pub agreement: bool,
    pub receiver_kind: AgencyKind,
    /// Under the age of majority (None when unknown: treated as an adult for consent,
    /// and as a child for the best-interests rule — both protections apply).
    pub child: Option<bool>,
    pub consent_to_share: bool,
    pub best_interests_assessed: bool,
}

/// Whether a referral may be sent.
pub fn may_refer(f: &ReferralFacts) -> Result<(), ReferralRefusal> {
    if f.same_agency {
        return Err(ReferralRefusal::SameAgency);
    }
    if !f.agreement {
        return Err(ReferralRefusal::NoAgreement);
    }
    let child = f.child != Some(false);
    if child && f.receiver_kind != AgencyKind::ChildProtection && !f.best_interests_assessed {
        return Err(ReferralRefusal::NoBestInterestsAssessment);
    }
    // A child enters the mechanism without consent; an adult's consent to share is needed.
    if f.child != Some(true) && !f.consent_to_share {
        return Err(ReferralRefusal::NoConsent);
    }
    Ok(())
}

/// A referral unanswered for more than `days` days is overdue.
pub fn is_overdue(sent_at_ms: i64, answered: bool, now_ms: i64, days: u32) -> bool {
    !answered && now_ms - sent_at_ms > i64::from(days) * 86_400_000
}

/// Per-country timers of the mechanism (days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timers {
    /// A referral unanswered after this many days is overdue.
    pub referral_overdue_days: u32,
    /// Reasonable-grounds decision due this many days after identification.
    pub reasonable_grounds_days: u32,
    /// Conclusive-grounds decision due this many days after a positive reasonable-grounds decision.
    pub conclusive_grounds_days: u32,
    /// Recovery and reflection period from a positive reasonable-grounds decision.
    pub reflection_days: u32,
}

impl Default for Timers {
    /// Council of Europe Convention minimum: 30 days of recovery and reflection.
    fn default() -> Self {
        Self { referral_overdue_days: 3, reasonable_grounds_days: 5, conclusive_grounds_days: 45, reflection_days: 30 }
    }
}

/// A recorded decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub kind: DecisionKind,
    pub outcome: DecisionOutcome,
    pub on: Date,
}

/// Where a case stands on the decision path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionPath {
    pub stage: &'static str,
    pub reasonable_grounds_due: Option<Date>,
    pub conclusive_grounds_due: Option<Date>,
    pub reflection_ends: Option<Date>,
    pub overdue: Vec<&'static str>,
}

/// presumed → reasonable grounds → conclusive grounds, with deadlines.
pub fn decision_path(identified_on: Date, decisions: &[Decided], timers: &Timers, today: Date) -> DecisionPath {
    let rg = decisions.iter().filter(|d| d.kind == DecisionKind::ReasonableGrounds).max_by_key(|d| d.on);
    let cg = decisions.iter().filter(|d| d.kind == DecisionKind::ConclusiveGrounds).max_by_key(|d| d.on);
    let mut p = DecisionPath { stage: "presumed", reasonable_grounds_due: None, conclusive_grounds_due: None, reflection_ends: None, overdue: Vec::new() };
    match rg {
        None => {
            let due = identified_on + Duration::days(i64::from(timers.reasonable_grounds_days));
            p.reasonable_grounds_due = Some(due);
            if today > due {
                p.overdue.push("reasonable-grounds decision");
            }
        }
        Some(r) if r.outcome == DecisionOutcome::Negative => p.stage = "negative reasonable-grounds decision",
        Some(r) => {
            p.stage = "reasonable grounds (positive)";
            p.reflection_ends = Some(r.on + Duration::days(i64::from(timers.reflection_days)));
            if cg.is_none() {
                let due = r.on + Duration::days(i64::from(timers.conclusive_grounds_days));
                p.conclusive_grounds_due = Some(due);
                if today > due {
                    p.overdue.push("conclusive-grounds decision");
                }
            }
        }
    }
    if let Some(c) = cg {
        p.stage = match c.outcome {
            DecisionOutcome::Positive => "conclusive grounds: identified victim",
            DecisionOutcome::Negative => "conclusive grounds: not a victim",
        };
    }
    p
}

/// The categories a receiver sees: what the agreement opens, minus identity and
/// contact when the person has not consented to sharing them (withdrawal closes all).
pub fn visible_categories(agreed: &[DataCategory], consent_active: bool, child: bool) -> Vec<DataCategory> {
    if !consent_active && !child {
        return Vec::new();
    }
    agreed.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts() -> ReferralFacts {
        ReferralFacts {
            same_agency: false,
            agreement: true,
            receiver_kind: AgencyKind::Shelter,
            child: Some(false),
            consent_to_share: true,
            best_interests_assessed: false,
        }
    }

    #[test]
    fn referral_rules() {
        assert_eq!(may_refer(&facts()), Ok(()));
        assert_eq!(may_refer(&ReferralFacts { agreement: false, ..facts() }), Err(ReferralRefusal::NoAgreement));
        assert_eq!(may_refer(&ReferralFacts { consent_to_share: false, ..facts() }), Err(ReferralRefusal::NoConsent));
        assert_eq!(may_refer(&ReferralFacts { same_agency: true, ..facts() }), Err(ReferralRefusal::SameAgency));
        let child = ReferralFacts { child: Some(true), consent_to_share: false, ..facts() };
        assert_eq!(may_refer(&child), Err(ReferralRefusal::NoBestInterestsAssessment));
        assert_eq!(may_refer(&ReferralFacts { best_interests_assessed: true, ..child.clone() }), Ok(()));
        assert_eq!(may_refer(&ReferralFacts { receiver_kind: AgencyKind::ChildProtection, ..child }), Ok(()));
        // Unknown age: both protections.
        let unknown = ReferralFacts { child: None, ..facts() };
        assert_eq!(may_refer(&unknown), Err(ReferralRefusal::NoBestInterestsAssessment));
    }

    #[test]
    fn overdue() {
        let day = 86_400_000;
        assert!(!is_overdue(0, false, 3 * day, 3));
        assert!(is_overdue(0, false, 3 * day + 1, 3));
        assert!(!is_overdue(0, true, 30 * day, 3));
    }

    #[test]
    fn path() {
        let t = Timers::default();
        let p = decision_path(date!(2024 - 01 - 01), &[], &t, date!(2024 - 01 - 10));
        assert_eq!(p.reasonable_grounds_due, Some(date!(2024 - 01 - 06)));
        assert_eq!(p.overdue, vec!["reasonable-grounds decision"]);
        let rg = Decided { kind: DecisionKind::ReasonableGrounds, outcome: DecisionOutcome::Positive, on: date!(2024 - 01 - 04) };
        let p = decision_path(date!(2024 - 01 - 01), &[rg], &t, date!(2024 - 01 - 10));
        assert_eq!(p.reflection_ends, Some(date!(2024 - 02 - 03)));
        assert_eq!(p.conclusive_grounds_due, Some(date!(2024 - 02 - 18)));
        assert!(p.overdue.is_empty());
        let cg = Decided { kind: DecisionKind::ConclusiveGrounds, outcome: DecisionOutcome::Positive, on: date!(2024 - 02 - 01) };
        let p = decision_path(date!(2024 - 01 - 01), &[rg, cg], &t, date!(2024 - 03 - 10));
        assert_eq!(p.stage, "conclusive grounds: identified victim");
    }
}
