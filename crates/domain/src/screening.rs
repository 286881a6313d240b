//! Screening a case against the legal definition of trafficking in persons.
//!
//! The Palermo Protocol (Art. 3): an *act* (recruitment, transportation,
//! transfer, harbouring, receipt) by *means* (threat, force, coercion, abduction,
//! fraud, deception, abuse of power or of a position of vulnerability, payments)
//! for the *purpose* of exploitation. For a child (under 18) act and purpose
//! suffice. Where any means is used, the person's consent is irrelevant.
//! National law differs: a [`LegalProfile`] (data, versioned) says which forms of
//! exploitation are criminalised, whether adults need means, and the age of majority.

use crate::case::{AgeInfo, Exploitation};
use crate::taxonomy::{Act, ExploitationKind, Means};

/// The outcome of screening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Every element of the definition is recorded.
    MeetsDefinition,
    /// Indicators are present but an element is unconfirmed: protect as a presumed trafficked person.
    Presumed,
    /// Too little is recorded to say.
    InsufficientInformation,
    /// The recorded facts are not trafficking under this profile.
    DoesNotMeet,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::MeetsDefinition => "meets_definition",
            Outcome::Presumed => "presumed",
            Outcome::InsufficientInformation => "insufficient_information",
            Outcome::DoesNotMeet => "does_not_meet",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Outcome::MeetsDefinition => "Meets the definition",
            Outcome::Presumed => "Presumed trafficked person",
            Outcome::InsufficientInformation => "Insufficient information",
            Outcome::DoesNotMeet => "Does not meet the definition",
        }
    }
}

/// A country's (or the Protocol's) legal definition, as data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalProfile {
    /// Stable code, e.g. `palermo`, `br`.
    pub code: String,
    /// Increases with each edit.
    #[serde(default = "one")]
    pub version: u32,
    pub name: String,
    /// ISO 3166-1 alpha-2, when the profile is a country's law.
    #[serde(default)]
    pub country: Option<String>,
    /// Forms of exploitation that count as a purpose.
    pub criminalised: Vec<ExploitationKind>,
    /// Whether an adult case needs a means (the Protocol: yes).
    pub means_required_for_adults: bool,
    /// Under this age the person is a child (the Protocol: 18).
    pub age_of_majority: u8,
    /// Whether an "other" form described in words may count as a purpose (to be confirmed).
    #[serde(default = "yes")]
    pub other_forms_may_qualify: bool,
    /// Where the text of the law can be read, and notes.
    #[serde(default)]
    pub source: String,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("code must be 2 to 40 lower-case letters, digits, '-' or '_'")]
    Code,
    #[error("name must be 1 to 200 characters")]
    Name,
    #[error("at least one form of exploitation must be criminalised")]
    NoForms,
    #[error("age of majority must be from 14 to 21")]
    Majority,
    #[error("country is not an ISO 3166-1 alpha-2 code")]
    Country,
}

impl LegalProfile {
    /// The Protocol's own definition: the default profile.
    pub fn palermo() -> Self {
        Self {
            code: "palermo".into(),
            version: 1,
            name: "Palermo Protocol (UN, 2000), Article 3".into(),
            country: None,
            criminalised: ExploitationKind::ALL.iter().copied().filter(|k| k.is_protocol_purpose()).collect(),
            means_required_for_adults: true,
            age_of_majority: 18,
            other_forms_may_qualify: true,
            source: "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children, Art. 3 (a)–(d). \
                     'Exploitation shall include, at a minimum' the five purposes listed; national law may add forms."
                .into(),
        }
    }

    /// Check a profile's own values (an edited profile is parsed with this).
    pub fn validate(&self) -> Result<(), ProfileError> {
        let c = &self.code;
        if c.len() < 2 || c.len() > 40 || !c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_') {
            return Err(ProfileError::Code);
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(ProfileError::Name);
        }
        if self.criminalised.is_empty() {
            return Err(ProfileError::NoForms);
        }
        if !(14..=21).contains(&self.age_of_majority) {
            return Err(ProfileError::Majority);
        }
        if let Some(cc) = &self.country {
            crate::geo::Country::parse(cc).map_err(|_| ProfileError::Country)?;
        }
        Ok(())
    }
}

/// The facts screening looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScreeningInput {
    pub acts: Vec<Act>,
    pub means: Vec<Means>,
    pub exploitation: Vec<Exploitation>,
    pub age: Option<AgeInfo>,
    /// Whether the person said they consented. Recorded, never decisive where means are present.
    pub consent_given: Option<bool>,
}

/// The result: an outcome, the reasons in plain words, and the profile used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
    pub profile_code: String,
    pub profile_version: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Element {
    Yes,
    Unconfirmed,
    No,
}

fn list<T>(items: &[T], f: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(", ")
}

/// Screen a case against a legal profile. Pure; consent never changes the outcome.
pub fn screen(input: &ScreeningInput, profile: &LegalProfile) -> Screening {
    let mut reasons = Vec::new();
    let child = input.age.and_then(|a| a.is_minor(profile.age_of_majority));

    // Act
    let act = if input.acts.is_empty() {
        reasons.push("No act is recorded (recruitment, transportation, transfer, harbouring or receipt).".to_string());
        Element::Unconfirmed
    } else {
        reasons.push(format!("Act recorded: {}.", list(&input.acts, |a| a.label())));
        Element::Yes
    };

    // Purpose
    let criminalised: Vec<ExploitationKind> = input.exploitation.iter().filter_map(Exploitation::kind).filter(|k| profile.criminalised.contains(k)).collect();
    let not_criminalised: Vec<ExploitationKind> =
        input.exploitation.iter().filter_map(Exploitation::kind).filter(|k| !profile.criminalised.contains(k)).collect();
    let others = input.exploitation.iter().filter(|e| e.kind().is_none()).count();
    let purpose = if !criminalised.is_empty() {
        reasons.push(format!("Purpose of exploitation recorded and criminalised under {}: {}.", profile.name, list(&criminalised, |k| k.label())));
        Element::Yes
    } else if others > 0 && profile.other_forms_may_qualify {
        reasons.push("Only a form of exploitation described in words is recorded: whether it is criminalised must be confirmed.".to_string());
        Element::Unconfirmed
    } else if !not_criminalised.is_empty() {
        reasons.push(format!("The recorded forms of exploitation ({}) are not criminalised under {}.", list(&not_criminalised, |k| k.label()), profile.name));
        Element::No
    } else {
        reasons.push("No purpose of exploitation is recorded.".to_string());
        Element::Unconfirmed
    };
    if !criminalised.is_empty() && !not_criminalised.is_empty() {
        reasons.push(format!("Also recorded, not criminalised under this profile: {}.", list(&not_criminalised, |k| k.label())));
    }

    // Means
    let means_needed = match child {
        Some(true) => {
            reasons.push(format!("The person was a child (under {}): act and purpose suffice, no means is needed.", profile.age_of_majority));
            false
        }
        _ if !profile.means_required_for_adults => {
            reasons.push(format!("Under {} means are not required for adults.", profile.name));
            false
        }
        Some(false) => true,
        None => {
            reasons.push(format!(
                "Age unknown: screened as an adult; if the person was under {} act and purpose would suffice.",
                profile.age_of_majority
            ));
            true
        }
    };
    let means = if !means_needed {
        Element::Yes
    } else if input.means.is_empty() {
        reasons.push("No means is recorded (threat, force, coercion, abduction, fraud, deception, abuse of power or vulnerability, payments).".to_string());
        Element::Unconfirmed
    } else {
        reasons.push(format!("Means recorded: {}.", list(&input.means, |m| m.label())));
        Element::Yes
    };

    // Consent: recorded, never decisive.
    match (input.consent_given, input.means.is_empty(), child) {
        (Some(true), false, _) => reasons.push("The person's consent is irrelevant because means were used (Protocol, Art. 3(b)).".to_string()),
        (Some(true), true, Some(true)) => reasons.push("A child's consent is irrelevant.".to_string()),
        (Some(true), true, _) => reasons.push("Consent was recorded; it does not decide the outcome: the missing means must be examined.".to_string()),
        _ => {}
    }

    let elements = [act, purpose, means];
    let outcome = if purpose == Element::No {
        Outcome::DoesNotMeet
    } else if elements.iter().all(|e| *e == Element::Yes) {
        Outcome::MeetsDefinition
    } else if act == Element::Yes || purpose == Element::Yes || (!input.means.is_empty()) {
        Outcome::Presumed
    } else {
        Outcome::InsufficientInformation
    };
    if outcome == Outcome::Presumed {
        reasons.push("Indicators are present but an element is unconfirmed: protect and assist as a presumed trafficked person.".to_string());
    }
    Screening { outcome, reasons, profile_code: profile.code.clone(), profile_version: profile.version }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Age;
    use proptest::prelude::*;
    use ExploitationKind as K;
    use Outcome::*;

    fn age(n: i64) -> Option<AgeInfo> {
        Some(AgeInfo::Exact(Age::parse(n).unwrap()))
    }

    fn national() -> LegalProfile {
        LegalProfile {
            code: "xx".into(),
            version: 3,
            name: "Example national law".into(),
            country: Some("BR".into()),
            criminalised: vec![K::SexualExploitation, K::ForcedLabour, K::Slavery, K::Servitude, K::OrganRemoval, K::ForcedBegging, K::ForcedCriminality, K::IllegalAdoption],
            means_required_for_adults: false,
            age_of_majority: 18,
            other_forms_may_qualify: true,
            source: String::new(),
        }
    }

    fn ex(kinds: &[K]) -> Vec<Exploitation> {
        kinds.iter().map(|k| Exploitation::Kind(*k)).collect()
    }

    /// (description, acts, means, exploitation, age, consent, profile is national, expected)
    #[allow(clippy::type_complexity)]
    fn table() -> Vec<(&'static str, Vec<Act>, Vec<Means>, Vec<Exploitation>, Option<AgeInfo>, Option<bool>, bool, Outcome)> {
        use Act::*;
        use Means::*;
        vec![
            ("adult, all three elements", vec![Recruitment], vec![Deception], ex(&[K::SexualExploitation]), age(25), None, false, MeetsDefinition),
            ("adult, all three, consent given", vec![Recruitment], vec![Deception], ex(&[K::SexualExploitation]), age(25), Some(true), false, MeetsDefinition),
            ("adult, all three, consent refused", vec![Transportation], vec![Force], ex(&[K::ForcedLabour]), age(40), Some(false), false, MeetsDefinition),
            ("adult, no means", vec![Recruitment], vec![], ex(&[K::ForcedLabour]), age(30), None, false, Presumed),
            ("adult, no means, consent given", vec![Recruitment], vec![], ex(&[K::ForcedLabour]), age(30), Some(true), false, Presumed),
            ("adult, no act", vec![], vec![Coercion], ex(&[K::Servitude]), age(30), None, false, Presumed),
            ("adult, no purpose", vec![Harbouring], vec![Threat], vec![], age(30), None, false, Presumed),
            ("adult, nothing recorded", vec![], vec![], vec![], age(30), None, false, InsufficientInformation),
            ("nothing, age unknown", vec![], vec![], vec![], None, None, false, InsufficientInformation),
            ("child, act and purpose", vec![Recruitment], vec![], ex(&[K::SexualExploitation]), age(15), None, false, MeetsDefinition),
            ("child, act and purpose, consent given", vec![Receipt], vec![], ex(&[K::SexualExploitation]), age(16), Some(true), false, MeetsDefinition),
            ("child of 17", vec![Transfer], vec![], ex(&[K::ForcedLabour]), age(17), None, false, MeetsDefinition),
            ("adult of 18, no means", vec![Transfer], vec![], ex(&[K::ForcedLabour]), age(18), None, false, Presumed),
            ("child, with means too", vec![Recruitment], vec![Payments], ex(&[K::Slavery]), age(10), None, false, MeetsDefinition),
            ("child, no act", vec![], vec![], ex(&[K::ForcedLabour]), age(12), None, false, Presumed),
            ("child, no purpose", vec![Recruitment], vec![], vec![], age(12), None, false, Presumed),
            ("child bracket 9-17", vec![Recruitment], vec![], ex(&[K::ForcedLabour]), Some(AgeInfo::Bracket(crate::taxonomy::AgeBracket::A9to17)), None, false, MeetsDefinition),
            ("age unknown, act purpose no means", vec![Recruitment], vec![], ex(&[K::ForcedLabour]), None, None, false, Presumed),
            ("age unknown, all three", vec![Recruitment], vec![Fraud], ex(&[K::ForcedLabour]), None, None, false, MeetsDefinition),
            ("forced begging under Palermo only", vec![Recruitment], vec![Deception], ex(&[K::ForcedBegging]), age(30), None, false, DoesNotMeet),
            ("forced begging under national profile", vec![Recruitment], vec![Deception], ex(&[K::ForcedBegging]), age(30), None, true, MeetsDefinition),
            ("forced criminality under national, no means needed", vec![Recruitment], vec![], ex(&[K::ForcedCriminality]), age(30), None, true, MeetsDefinition),
            ("forced marriage criminalised by neither", vec![Recruitment], vec![Force], ex(&[K::ForcedMarriage]), age(20), None, true, DoesNotMeet),
            ("illegal adoption under national", vec![Transfer], vec![Payments], ex(&[K::IllegalAdoption]), age(0), None, true, MeetsDefinition),
            ("illegal adoption under Palermo", vec![Transfer], vec![Payments], ex(&[K::IllegalAdoption]), age(0), None, false, DoesNotMeet),
            ("mixed forms, one criminalised", vec![Recruitment], vec![Deception], ex(&[K::ForcedBegging, K::ForcedLabour]), age(30), None, false, MeetsDefinition),
            ("other form described in words", vec![Recruitment], vec![Deception], vec![Exploitation::Other("selling in markets".into())], age(30), None, false, Presumed),
            ("organ removal", vec![Transportation], vec![AbuseOfVulnerability], ex(&[K::OrganRemoval]), age(35), None, false, MeetsDefinition),
            ("debt bondage under Palermo", vec![Recruitment], vec![Coercion], ex(&[K::DebtBondage]), age(35), None, false, DoesNotMeet),
            ("means only", vec![], vec![Abduction], vec![], age(22), None, false, Presumed),
            ("adult, abuse of power, servitude, consent", vec![Harbouring], vec![AbuseOfPower], ex(&[K::Servitude]), age(50), Some(true), false, MeetsDefinition),
            ("national, adult, no means, sexual exploitation", vec![Recruitment], vec![], ex(&[K::SexualExploitation]), age(30), Some(true), true, MeetsDefinition),
        ]
    }

    #[test]
    fn scenario_table() {
        let t = table();
        assert!(t.len() >= 30);
        for (what, acts, means, exploitation, age, consent, national_profile, expected) in t {
            let profile = if national_profile { national() } else { LegalProfile::palermo() };
            let s = screen(&ScreeningInput { acts, means, exploitation, age, consent_given: consent }, &profile);
            assert_eq!(s.outcome, expected, "{what}: {:?}", s.reasons);
            assert!(!s.reasons.is_empty(), "{what}: no reasons");
            assert_eq!(s.profile_code, profile.code);
        }
    }

    #[test]
    fn profiles_validate() {
        assert!(LegalProfile::palermo().validate().is_ok());
        assert!(national().validate().is_ok());
        let mut p = national();
        p.code = "Bad Code".into();
        assert_eq!(p.validate(), Err(ProfileError::Code));
        let mut p = national();
        p.criminalised.clear();
        assert_eq!(p.validate(), Err(ProfileError::NoForms));
    }

    fn arb_input() -> impl Strategy<Value = ScreeningInput> {
        (
            proptest::sample::subsequence(Act::ALL.to_vec(), 0..=Act::ALL.len()),
            proptest::sample::subsequence(Means::ALL.to_vec(), 0..=Means::ALL.len()),
            proptest::sample::subsequence(ExploitationKind::ALL.to_vec(), 0..=4),
            proptest::option::of(0i64..=120),
            any::<bool>(),
        )
            .prop_map(|(acts, means, kinds, age, other)| {
                let mut exploitation = ex(&kinds);
                if other {
                    exploitation.push(Exploitation::Other("x".into()));
                }
                ScreeningInput { acts, means, exploitation, age: age.map(|a| AgeInfo::Exact(Age::parse(a).unwrap())), consent_given: None }
            })
    }

    proptest! {
        #[test]
        fn consent_never_changes_the_outcome(input in arb_input(), consent in any::<bool>(), national_profile in any::<bool>()) {
            let p = if national_profile { national() } else { LegalProfile::palermo() };
            let without = screen(&input, &p).outcome;
            let with = screen(&ScreeningInput { consent_given: Some(consent), ..input.clone() }, &p).outcome;
            prop_assert_eq!(without, with);
        }

        #[test]
        fn a_child_case_never_needs_means(input in arb_input(), child_age in 0i64..18) {
            let p = LegalProfile::palermo();
            let child = ScreeningInput { age: Some(AgeInfo::Exact(Age::parse(child_age).unwrap())), ..input };
            let with_means = screen(&child, &p).outcome;
            let without_means = screen(&ScreeningInput { means: vec![], ..child.clone() }, &p).outcome;
            if with_means == Outcome::MeetsDefinition {
                prop_assert_eq!(without_means, Outcome::MeetsDefinition);
            }
        }

        #[test]
        fn adding_an_element_never_makes_it_worse(input in arb_input()) {
            let p = LegalProfile::palermo();
            let base = screen(&input, &p).outcome;
            let mut more = input.clone();
            more.acts.push(Act::Recruitment);
            more.means.push(Means::Deception);
            more.exploitation.push(Exploitation::Kind(ExploitationKind::ForcedLabour));
            let better = screen(&more, &p).outcome;
            prop_assert_eq!(better, Outcome::MeetsDefinition, "from {:?}", base);
        }
    }
}
