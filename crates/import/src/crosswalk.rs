//! The crosswalk from HTCDS v2.0 value names (and toolkit labels) to Vigia codes,
//! and the per-domain lookup tables the reader uses.
//!
//! Every table row is `(HTCDS value name, Vigia code)`. The empty code means "no
//! Vigia equivalent: not recorded, with a warning"; [`OTHER`] means "an `other: ...`
//! form of exploitation, described by `vic_TypeOfExploitationOther`".

use foldhash::HashMap;

use vigia_domain::taxonomy::{
    Act, AgeBracket, CaseStatus, ExploitationKind, Means, RecruiterRelation, Recruitment, Sex,
};

use crate::field::{normalise_into, normalise_owned, Domain};

/// Marker code in [`TYPE_OF_EXPLOITATION`]: HTCDS `Other` becomes `other: <text>`
/// for each description in `vic_TypeOfExploitationOther` (or `other: not specified`).
pub const OTHER: &str = "other: <vic_TypeOfExploitationOther>";

/// `prs_Gender` → sex.
pub const GENDER: &[(&str, &str)] = &[
    ("Feminine", "female"),
    ("Masculine", "male"),
    ("TransgenderFeminine", "transgender"),
    ("TransgenderMasculine", "transgender"),
    ("NonConforming", "non_conforming"),
    ("NonSpecifiedUnknown", "unknown"),
];
const GENDER_LABELS: &[(&str, &str)] = &[
    ("Not Specified/Unknown", "unknown"),
    ("Female", "female"),
    ("Woman", "female"),
    ("Male", "male"),
    ("Man", "male"),
    ("Unknown", "unknown"),
];

/// `vic_TraffickingStatus` → status.
pub const TRAFFICKING_STATUS: &[(&str, &str)] = &[
    ("PossibleVictimOfTrafficking", "presumed"),
    ("ActualVictimOfTrafficking", "identified"),
    ("NotAVictimOfTrafficking", "not_a_victim"),
];

/// `vic_MethodsOfControl` → the Protocol's means (many to one; `Other` is not recorded).
pub const METHODS_OF_CONTROL: &[(&str, &str)] = &[
    ("PhysicalThreats", "threat"),
    ("ThreatsLawEnforcement", "threat"),
    ("ThreatensChildrenFamily", "threat"),
    ("DebtBondage", "coercion"),
    ("FalsePromises", "deception"),
    ("PhysicalAbuse", "force"),
    ("SexualAbuse", "force"),
    ("TakesEarnings", "coercion"),
    ("RestrictsFinancialAccess", "coercion"),
    ("RestrictsMedicalCare", "coercion"),
    ("WithholdsNecessities", "coercion"),
    ("PsychologicalAbuse", "coercion"),
    ("PsychoactiveSubstance", "abuse_of_vulnerability"),
    ("ExcessiveWorkingHours", "coercion"),
    ("WithholdsDocuments", "coercion"),
    ("Other", ""),
];

/// `vic_TypeOfExploitation` → forms of exploitation.
pub const TYPE_OF_EXPLOITATION: &[(&str, &str)] = &[
    ("ForcedLabour", "forced_labour"),
    ("SexualExploitation", "sexual_exploitation"),
    ("ChildLabour", "child_labour"),
    ("ForcedMarriage", "forced_marriage"),
    ("Servitude", "servitude"),
    ("ForcedMilitaryByNonStateActors", "forced_military"),
    ("OrganRemoval", "organ_removal"),
    ("ForcedBegging", "forced_begging"),
    ("ForcedAdoption", "illegal_adoption"),
    ("Surrogacy", "forced_surrogacy"),
    ("Other", OTHER),
];

/// `vic_TypeOfSexExploitation` → forms of exploitation.
pub const TYPE_OF_SEX_EXPLOITATION: &[(&str, &str)] = &[
    ("Prostitution", "sexual_exploitation"),
    ("Pornography", "pornography"),
    ("RemoteInteractiveServices", "sexual_exploitation"),
    ("PrivateSexualServices", "sexual_exploitation"),
];

/// `vic_MethodOfRecruitment` → recruitment.
pub const METHOD_OF_RECRUITMENT: &[(&str, &str)] = &[
    ("AtAPlaceOfBusiness", "place_of_business"),
    ("AtAnEducationalInstitution", "educational_institution"),
    ("AtWork", "at_work"),
    ("ThroughOnlineSocialNetworks", "online_social_network"),
    ("ThroughAnOnlineAdvertisement", "online_advertisement"),
    ("ThroughATelevisionAdvert", "television_advert"),
    ("ThroughANewspaperAdvert", "newspaper_advert"),
    ("ThroughFamilyOrFamilyEvents", "family"),
    ("ThroughFriendsOrSocialEvents", "friends"),
    ("Other", "other"),
];

/// `vic_RelationshipToTrafficker` → recruiter relation.
pub const RELATIONSHIP_TO_TRAFFICKER: &[(&str, &str)] = &[
    ("Familial", "family_member"),
    ("Acquainted", "acquaintance"),
    ("Unaquainted", "stranger"),
];
const RELATIONSHIP_LABELS: &[(&str, &str)] = &[("Unacquainted", "stranger")];

const BOOL: &[(&str, &str)] = &[
    ("true", "true"),
    ("false", "false"),
    ("yes", "true"),
    ("no", "false"),
    ("y", "true"),
    ("n", "false"),
    ("1", "true"),
    ("0", "false"),
    ("checked", "true"),
    ("unchecked", "false"),
];

/// The HTCDS value-name table of a domain (used for export and docs).
pub(crate) fn htcds_table(domain: Domain) -> &'static [(&'static str, &'static str)] {
    match domain {
        Domain::Sex => GENDER,
        Domain::Status => TRAFFICKING_STATUS,
        Domain::Means => METHODS_OF_CONTROL,
        Domain::Exploitation => TYPE_OF_EXPLOITATION,
        Domain::Recruitment => METHOD_OF_RECRUITMENT,
        Domain::Relation => RELATIONSHIP_TO_TRAFFICKER,
        _ => &[],
    }
}

/// The HTCDS value name to export for a Vigia code: only where exactly one HTCDS
/// value maps to the code (so the export re-imports to the same code); otherwise
/// the Vigia code itself, which the reader also accepts.
pub(crate) fn export_value(domain: Domain, code: &str) -> &str {
    let mut found = None;
    for (name, c) in htcds_table(domain) {
        if *c == code {
            if found.is_some() {
                return code;
            }
            found = Some(*name);
        }
    }
    found.unwrap_or(code)
}

/// What a source value stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A Vigia code (or, for countries, an alpha-2 code; for exploitation, maybe `other: ...`).
    Code(Box<str>),
    /// Treated as an empty cell (a mapping said so).
    Blank,
    /// A known value with no Vigia equivalent: not recorded, with a warning.
    Unrecorded,
    /// HTCDS `Other` form of exploitation.
    OtherExploitation,
}

/// The accepted spellings per coded domain, normalised.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookup {
    maps: Vec<HashMap<String, Target>>,
}

fn vigia_codes(domain: Domain) -> Vec<(&'static str, &'static str)> {
    fn both<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        all.iter()
            .flat_map(|v| [(label(*v), code(*v)), (code(*v), code(*v))])
            .collect()
    }
    match domain {
        Domain::Sex => both(Sex::ALL, Sex::code, Sex::label),
        Domain::Status => both(CaseStatus::ALL, CaseStatus::code, CaseStatus::label),
        Domain::Means => both(Means::ALL, Means::code, Means::label),
        Domain::Exploitation => both(
            ExploitationKind::ALL,
            ExploitationKind::code,
            ExploitationKind::label,
        ),
        Domain::Recruitment => both(Recruitment::ALL, Recruitment::code, Recruitment::label),
        Domain::Relation => both(
            RecruiterRelation::ALL,
            RecruiterRelation::code,
            RecruiterRelation::label,
        ),
        Domain::AgeBracket => {
            let mut v = both(AgeBracket::ALL, AgeBracket::code, AgeBracket::label);
            v.push(("48+", "48_plus"));
            v
        }
        Domain::Act => both(Act::ALL, Act::code, Act::label),
        _ => Vec::new(),
    }
}

impl Lookup {
    /// The built-in spellings: Vigia labels and codes, then HTCDS labels and value names.
    pub(crate) fn builtin() -> Self {
        let mut maps = Vec::with_capacity(Domain::CODED.len());
        for d in Domain::CODED {
            let mut m: HashMap<String, Target> = HashMap::default();
            let mut put = |k: &str, t: Target| {
                m.insert(normalise_owned(k), t);
            };
            match d {
                Domain::Country => {
                    for c in rust_iso3166::ALL {
                        put(c.name, Target::Code(c.alpha2.into()));
                        put(c.alpha3, Target::Code(c.alpha2.into()));
                    }
                    for c in rust_iso3166::ALL {
                        put(c.alpha2, Target::Code(c.alpha2.into()));
                    }
                }
                Domain::Subdivision => {}
                Domain::Bool => {
                    for (k, v) in BOOL {
                        put(k, Target::Code((*v).into()));
                    }
                }
                _ => {
                    for (k, v) in vigia_codes(d) {
                        put(k, Target::Code(v.into()));
                    }
                    let extra: &[(&str, &str)] = match d {
                        Domain::Sex => GENDER_LABELS,
                        Domain::Relation => RELATIONSHIP_LABELS,
                        _ => &[],
                    };
                    let sex_forms: &[(&str, &str)] = if d == Domain::Exploitation {
                        TYPE_OF_SEX_EXPLOITATION
                    } else {
                        &[]
                    };
                    for (k, v) in extra.iter().chain(sex_forms).chain(htcds_table(d)) {
                        let t = match *v {
                            "" => Target::Unrecorded,
                            OTHER => Target::OtherExploitation,
                            v => Target::Code(v.into()),
                        };
                        put(k, t);
                    }
                }
            }
            maps.push(m);
        }
        Lookup { maps }
    }

    /// Add a mapping's own value (already validated); it wins over the built-ins.
    pub(crate) fn add(&mut self, domain: Domain, source: &str, code: &str) {
        let t = if code.trim().is_empty() {
            Target::Blank
        } else {
            Target::Code(code.trim().into())
        };
        self.maps[domain.index()].insert(normalise_owned(source), t);
    }

    /// Look up a raw value; `buf` is a scratch buffer.
    pub(crate) fn get<'a>(
        &'a self,
        domain: Domain,
        raw: &str,
        buf: &mut String,
    ) -> Option<&'a Target> {
        normalise_into(raw, buf);
        self.maps[domain.index()].get(buf.as_str())
    }
}

/// One line listing what a domain accepts, for error messages.
pub(crate) fn expected(domain: Domain) -> String {
    match domain {
        Domain::Country => {
            "an ISO 3166-1 alpha-2 code (alpha-3 and English names are accepted too)".into()
        }
        Domain::Subdivision => "an ISO 3166-2 code such as BR-PE".into(),
        Domain::Bool => "true/false, yes/no or 1/0".into(),
        _ => {
            let htcds: Vec<&str> = htcds_table(domain).iter().map(|(n, _)| *n).collect();
            let vigia: Vec<&str> = vigia_codes(domain)
                .iter()
                .map(|(_, c)| *c)
                .collect::<Vec<_>>();
            let mut vigia_unique: Vec<&str> = Vec::new();
            for c in vigia {
                if !vigia_unique.contains(&c) {
                    vigia_unique.push(c);
                }
            }
            if htcds.is_empty() {
                format!("one of: {}", vigia_unique.join(", "))
            } else {
                format!(
                    "an HTCDS value ({}) or a Vigia code ({})",
                    htcds.join(", "),
                    vigia_unique.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_htcds_value_maps_to_a_valid_code() {
        use vigia_domain::case::Exploitation;
        for (n, c) in GENDER.iter().chain(GENDER_LABELS) {
            assert!(Sex::parse(c).is_ok(), "{n}");
        }
        for (n, c) in TRAFFICKING_STATUS {
            assert!(CaseStatus::parse(c).is_ok(), "{n}");
        }
        for (n, c) in METHODS_OF_CONTROL {
            assert!(c.is_empty() || Means::parse(c).is_ok(), "{n}");
        }
        for (n, c) in TYPE_OF_EXPLOITATION.iter().chain(TYPE_OF_SEX_EXPLOITATION) {
            assert!(*c == OTHER || Exploitation::parse(c).is_ok(), "{n}");
        }
        for (n, c) in METHOD_OF_RECRUITMENT {
            assert!(Recruitment::parse(c).is_ok(), "{n}");
        }
        for (n, c) in RELATIONSHIP_TO_TRAFFICKER.iter().chain(RELATIONSHIP_LABELS) {
            assert!(RecruiterRelation::parse(c).is_ok(), "{n}");
        }
    }

    #[test]
    fn labels_and_names_both_match() {
        let l = Lookup::builtin();
        let mut b = String::new();
        let code = |d, s: &str, b: &mut String| match l.get(d, s, b) {
            Some(Target::Code(c)) => c.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(code(Domain::Means, "Debt bondage ", &mut b), "coercion");
        assert_eq!(code(Domain::Means, "PhysicalThreats", &mut b), "threat");
        assert_eq!(code(Domain::Means, "physical threats", &mut b), "threat");
        assert_eq!(
            code(Domain::Sex, "Not Specified/Unknown", &mut b),
            "unknown"
        );
        assert_eq!(code(Domain::Sex, "female", &mut b), "female");
        assert_eq!(code(Domain::Country, "bra", &mut b), "BR");
        assert_eq!(code(Domain::Country, "Brazil", &mut b), "BR");
        assert_eq!(code(Domain::Country, "NA", &mut b), "NA");
        assert_eq!(
            code(
                Domain::Exploitation,
                "Forced Military By Non State Actors",
                &mut b
            ),
            "forced_military"
        );
        assert_eq!(
            l.get(Domain::Exploitation, "Other", &mut b),
            Some(&Target::OtherExploitation)
        );
        assert_eq!(
            l.get(Domain::Means, "Other", &mut b),
            Some(&Target::Unrecorded)
        );
        assert_eq!(code(Domain::AgeBracket, "0--8", &mut b), "0_8");
        assert_eq!(code(Domain::AgeBracket, "48+", &mut b), "48_plus");
    }

    #[test]
    fn export_values_invert_uniquely() {
        assert_eq!(export_value(Domain::Sex, "female"), "Feminine");
        assert_eq!(export_value(Domain::Sex, "transgender"), "transgender");
        assert_eq!(export_value(Domain::Means, "deception"), "FalsePromises");
        assert_eq!(export_value(Domain::Means, "threat"), "threat");
        assert_eq!(
            export_value(Domain::Exploitation, "forced_criminality"),
            "forced_criminality"
        );
    }
}
