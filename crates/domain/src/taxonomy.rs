//! Taxonomies with stable snake_case codes.
//!
//! Codes are part of Vigia's public contract (API, CSV exports, database): never
//! rename one; add new variants instead. Where the Human Trafficking Case Data
//! Standard (HTCDS v2.0) has a field, its name is noted.


/// The error of parsing an unknown code: names the accepted codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code; expected one of: {expected}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub expected: String,
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal { $($variant:ident = $code:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// A human label in English.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Parse a stable code (exact, lower case).
            pub fn parse(s: &str) -> Result<Self, $crate::taxonomy::UnknownCode> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::taxonomy::UnknownCode { kind: $kind, expected: Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ") }),
                }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.code()) }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use code_enum;

code_enum!(
    /// The kind of an agency.
    AgencyKind, "agency kind" {
    Police = "police": "Police",
    Prosecution = "prosecution": "Prosecution",
    LabourInspection = "labour_inspection": "Labour inspection",
    Ngo = "ngo": "NGO",
    Shelter = "shelter": "Shelter",
    Health = "health": "Health service",
    ChildProtection = "child_protection": "Child protection",
    Consulate = "consulate": "Consulate",
    Hotline = "hotline": "Hotline",
    MigrationAuthority = "migration_authority": "Asylum / migration authority",
    NationalCoordinator = "national_coordinator": "National coordinator",
    RegionalMechanism = "regional_mechanism": "Regional mechanism",
});

code_enum!(
    /// A user's role. Access follows from role, agency and sharing agreements.
    Role, "role" {
    Caseworker = "caseworker": "Caseworker",
    AgencyAdmin = "agency_admin": "Agency administrator",
    Coordinator = "coordinator": "National coordinator",
    RegionalMonitor = "regional_monitor": "Regional monitor",
    Auditor = "auditor": "Auditor",
});

code_enum!(
    /// Sex / gender as recorded (HTCDS `prs_Gender`, collapsed to SDG 16.2.2 needs).
    Sex, "sex" {
    Female = "female": "Female",
    Male = "male": "Male",
    Transgender = "transgender": "Transgender",
    NonConforming = "non_conforming": "Gender non-conforming",
    Unknown = "unknown": "Not specified / unknown",
});

code_enum!(
    /// The Protocol's acts (Art. 3(a)).
    Act, "act" {
    Recruitment = "recruitment": "Recruitment",
    Transportation = "transportation": "Transportation",
    Transfer = "transfer": "Transfer",
    Harbouring = "harbouring": "Harbouring",
    Receipt = "receipt": "Receipt",
});

code_enum!(
    /// The Protocol's means (Art. 3(a)); HTCDS `vic_MethodsOfControl` crosswalks here.
    Means, "means" {
    Threat = "threat": "Threat",
    Force = "force": "Use of force",
    Coercion = "coercion": "Other forms of coercion",
    Abduction = "abduction": "Abduction",
    Fraud = "fraud": "Fraud",
    Deception = "deception": "Deception",
    AbuseOfPower = "abuse_of_power": "Abuse of power",
    AbuseOfVulnerability = "abuse_of_vulnerability": "Abuse of a position of vulnerability",
    Payments = "payments": "Giving or receiving payments or benefits",
});

code_enum!(
    /// Forms of exploitation (purposes): the Protocol's five, then forms national laws add.
    /// HTCDS `vic_TypeOfExploitation`.
    ExploitationKind, "form of exploitation" {
    SexualExploitation = "sexual_exploitation": "Sexual exploitation",
    ForcedLabour = "forced_labour": "Forced labour or services",
    Slavery = "slavery": "Slavery or practices similar to slavery",
    Servitude = "servitude": "Servitude",
    OrganRemoval = "organ_removal": "Removal of organs",
    ForcedBegging = "forced_begging": "Forced begging",
    ForcedCriminality = "forced_criminality": "Forced criminality",
    ForcedMarriage = "forced_marriage": "Forced marriage",
    IllegalAdoption = "illegal_adoption": "Illegal adoption",
    DebtBondage = "debt_bondage": "Debt bondage",
    Pornography = "pornography": "Pornography",
    ChildLabour = "child_labour": "Child labour",
    ForcedMilitary = "forced_military": "Forced recruitment by armed groups",
    ForcedSurrogacy = "forced_surrogacy": "Forced surrogacy",
});

impl ExploitationKind {
    /// The five purposes named in the Palermo Protocol itself.
    pub fn is_protocol_purpose(self) -> bool {
        matches!(
            self,
            Self::SexualExploitation | Self::ForcedLabour | Self::Slavery | Self::Servitude | Self::OrganRemoval
        )
    }
}

code_enum!(
    /// How the person was recruited (HTCDS `vic_MethodOfRecruitment`).
    Recruitment, "recruitment" {
    PlaceOfBusiness = "place_of_business": "At a place of business",
    EducationalInstitution = "educational_institution": "At an educational institution",
    AtWork = "at_work": "At work",
    OnlineSocialNetwork = "online_social_network": "Through online social networks",
    OnlineAdvertisement = "online_advertisement": "Through an online advertisement",
    TelevisionAdvert = "television_advert": "Through a television advert",
    NewspaperAdvert = "newspaper_advert": "Through a newspaper advert",
    FamilyOrFamilyEvents = "family": "Through family or family events",
    FriendsOrSocialEvents = "friends": "Through friends or social events",
    RecruitmentAgency = "recruitment_agency": "Through a recruitment agency",
    Abduction = "abducted": "Abducted",
    Other = "other": "Other",
});

code_enum!(
    /// The recruiter's relation to the person (HTCDS `vic_RelationshipToTrafficker`, refined).
    RecruiterRelation, "recruiter relation" {
    FamilyMember = "family_member": "Family member",
    IntimatePartner = "intimate_partner": "Intimate partner",
    Friend = "friend": "Friend",
    Acquaintance = "acquaintance": "Acquaintance",
    Employer = "employer": "Employer",
    RecruitmentAgency = "recruitment_agency": "Recruitment agency",
    Stranger = "stranger": "Stranger",
    Other = "other": "Other",
    Unknown = "unknown": "Unknown",
});

code_enum!(
    /// Status of the person (HTCDS `vic_TraffickingStatus`).
    CaseStatus, "case status" {
    Presumed = "presumed": "Presumed trafficked person",
    Identified = "identified": "Identified trafficked person",
    NotAVictim = "not_a_victim": "Not a victim of trafficking",
});

code_enum!(
    /// Age bracket when only a bracket is known (CTDC `ageBroad` brackets).
    AgeBracket, "age bracket" {
    A0to8 = "0_8": "0–8",
    A9to17 = "9_17": "9–17",
    A18to20 = "18_20": "18–20",
    A21to23 = "21_23": "21–23",
    A24to26 = "24_26": "24–26",
    A27to29 = "27_29": "27–29",
    A30to38 = "30_38": "30–38",
    A39to47 = "39_47": "39–47",
    A48Plus = "48_plus": "48+",
});

impl AgeBracket {
    /// Inclusive bounds of the bracket in years (the last one is open: upper 120).
    pub fn bounds(self) -> (u8, u8) {
        match self {
            Self::A0to8 => (0, 8),
            Self::A9to17 => (9, 17),
            Self::A18to20 => (18, 20),
            Self::A21to23 => (21, 23),
            Self::A24to26 => (24, 26),
            Self::A27to29 => (27, 29),
            Self::A30to38 => (30, 38),
            Self::A39to47 => (39, 47),
            Self::A48Plus => (48, 120),
        }
    }
    /// The bracket that holds an exact age.
    pub fn of_age(age: u8) -> Self {
        *Self::ALL
            .iter()
            .find(|b| {
                let (lo, hi) = b.bounds();
                age >= lo && age <= hi
            })
            .unwrap_or(&Self::A48Plus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for a in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(a.code()), Ok(*a));
        }
        for a in ExploitationKind::ALL {
            assert_eq!(ExploitationKind::parse(a.code()), Ok(*a));
        }
        for a in AgeBracket::ALL {
            assert_eq!(AgeBracket::parse(a.code()), Ok(*a));
        }
    }

    #[test]
    fn unknown_code_lists_expected() {
        let e = Means::parse("bribery").unwrap_err();
        assert!(e.to_string().contains("abuse_of_vulnerability"));
    }

    #[test]
    fn protocol_codes_are_exact() {
        let acts: Vec<_> = Act::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(acts, ["recruitment", "transportation", "transfer", "harbouring", "receipt"]);
        let means: Vec<_> = Means::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(
            means,
            ["threat", "force", "coercion", "abduction", "fraud", "deception", "abuse_of_power", "abuse_of_vulnerability", "payments"]
        );
        let purposes: Vec<_> = ExploitationKind::ALL.iter().filter(|p| p.is_protocol_purpose()).map(|a| a.code()).collect();
        assert_eq!(purposes, ["sexual_exploitation", "forced_labour", "slavery", "servitude", "organ_removal"]);
    }

    #[test]
    fn bracket_of_age() {
        assert_eq!(AgeBracket::of_age(17), AgeBracket::A9to17);
        assert_eq!(AgeBracket::of_age(18), AgeBracket::A18to20);
        assert_eq!(AgeBracket::of_age(90), AgeBracket::A48Plus);
    }
}

code_enum!(
    /// Categories of case data a sharing agreement can open to a receiving agency.
    DataCategory, "data category" {
    Identity = "identity": "Identity (names, date of birth, documents)",
    Contact = "contact": "Contact details",
    Demographics = "demographics": "Sex, age, citizenship",
    Exploitation = "exploitation": "Acts, means and forms of exploitation",
    Route = "route": "Route",
    Wishes = "wishes": "The person's wishes, language and interpreter needs",
});

code_enum!(
    /// Services delivered to a person.
    ServiceKind, "service" {
    Shelter = "shelter": "Shelter",
    Medical = "medical": "Medical care",
    Psychological = "psychological": "Psychological support",
    Legal = "legal": "Legal assistance",
    Interpretation = "interpretation": "Interpretation",
    Consular = "consular": "Consular assistance",
    Asylum = "asylum": "Asylum / refugee procedure",
    ReturnReintegration = "return_reintegration": "Return and reintegration",
    Compensation = "compensation": "Compensation and reparations",
});

code_enum!(
    /// The life of a referral.
    ReferralStatus, "referral status" {
    Sent = "sent": "Sent",
    Accepted = "accepted": "Accepted",
    Declined = "declined": "Declined",
    Completed = "completed": "Completed",
});

code_enum!(
    /// What a person consented to.
    ConsentPurpose, "consent purpose" {
    ShareWithAgency = "share_with_agency": "Sharing with a named agency",
    Statistics = "statistics": "Use in statistics",
    Contact = "contact": "Being contacted",
});

code_enum!(
    /// Formal identification decisions of a national referral mechanism.
    DecisionKind, "decision" {
    ReasonableGrounds = "reasonable_grounds": "Reasonable-grounds decision",
    ConclusiveGrounds = "conclusive_grounds": "Conclusive-grounds decision",
});

code_enum!(
    /// The outcome of a formal decision.
    DecisionOutcome, "decision outcome" {
    Positive = "positive": "Positive",
    Negative = "negative": "Negative",
});

code_enum!(
    /// A hotline tip's state.
    TipStatus, "tip status" {
    New = "new": "New",
    Converted = "converted": "Recorded as a case",
    Closed = "closed": "Closed",
});
