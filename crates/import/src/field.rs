//! Target fields: what a source column means to Vigia.
//!
//! Each field has a canonical name, which is the HTCDS v2.0 field name where HTCDS
//! has one (`prs_Gender`, `vic_MethodsOfControl`, ...) and a Vigia extension name
//! otherwise (`id`, `identified_on`, `vig_...`, `hte_<Type>_<Part>`). The HTCDS flat
//! layout uses the canonical names as column headers; a [`Mapping`](crate::Mapping)
//! names them as targets (where the Vigia field name, e.g. `sex`, is also accepted).

use std::fmt;

/// The value domain of a field: how a cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// Free text (names, contacts, record id, descriptions).
    Text,
    /// A date; `YYYY-MM-DD` unless the mapping says otherwise.
    Date,
    /// A whole number.
    Integer,
    Sex,
    Status,
    Means,
    Exploitation,
    Recruitment,
    Relation,
    AgeBracket,
    Act,
    /// ISO 3166-1 alpha-2 (alpha-3 and English short names are accepted too).
    Country,
    /// ISO 3166-2.
    Subdivision,
    /// true/false, yes/no, 1/0.
    Bool,
}

impl Domain {
    /// Whether a mapping may translate this field's values into codes.
    pub fn has_codes(self) -> bool {
        !matches!(self, Domain::Text | Domain::Date | Domain::Integer)
    }
    pub(crate) const CODED: [Domain; 11] = [
        Domain::Sex,
        Domain::Status,
        Domain::Means,
        Domain::Exploitation,
        Domain::Recruitment,
        Domain::Relation,
        Domain::AgeBracket,
        Domain::Act,
        Domain::Country,
        Domain::Subdivision,
        Domain::Bool,
    ];
    pub(crate) fn index(self) -> usize {
        Self::CODED.iter().position(|d| *d == self).unwrap_or(0)
    }
}

macro_rules! fields {
    ($($variant:ident = $name:literal [$($alias:literal),*] $domain:ident $multi:literal $ident:literal : $doc:literal,)+) => {
        /// A target field of an import (see the module docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $(#[doc = $doc] $variant),+ }

        impl Field {
            /// Every field, in export order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];
            /// The canonical name (HTCDS field name where one exists).
            pub fn name(self) -> &'static str { match self { $(Field::$variant => $name),+ } }
            /// Vigia-side alternative names accepted as mapping targets.
            pub fn aliases(self) -> &'static [&'static str] { match self { $(Field::$variant => &[$($alias),*]),+ } }
            /// How a cell of this field is read.
            pub fn domain(self) -> Domain { match self { $(Field::$variant => Domain::$domain),+ } }
            /// Whether a cell holds several values separated by the multi-value separator (`;`).
            pub fn is_multi(self) -> bool { match self { $(Field::$variant => $multi),+ } }
            /// Identifying data: its values never appear in an error, warning or log.
            pub fn is_identifying(self) -> bool { match self { $(Field::$variant => $ident),+ } }
            /// What the field means, in one line.
            pub fn description(self) -> &'static str { match self { $(Field::$variant => $doc),+ } }
        }
    };
}

fields! {
    Id = "id" ["external_ref"] Text false false: "The agency's own record id (required; the upsert key `external_ref`).",
    FirstName = "prs_FirstName" ["given_names"] Text false true: "Given name (joined with prs_MiddleName into given names).",
    MiddleName = "prs_MiddleName" [] Text false true: "Middle name (appended to the given names).",
    SecondName = "prs_SecondName" ["family_names"] Text false true: "Family name.",
    Birthdate = "prs_Birthdate" ["date_of_birth"] Date false true: "Date of birth.",
    IdentityNumber = "prs_IdentityNumber" ["document_numbers"] Text true true: "Identity / document numbers.",
    Email = "prs_Email" [] Text false true: "E-mail (into the contact text).",
    HomePhone = "prs_HomePhone" [] Text false true: "Home phone (into the contact text).",
    MobilePhone = "prs_MobilePhone" [] Text false true: "Mobile phone (into the contact text).",
    MailingStreet = "prs_MailingStreet" [] Text false true: "Address street (into the contact text).",
    MailingCity = "prs_MailingCity" [] Text false true: "Address city (into the contact text).",
    MailingState = "prs_MailingState" [] Text false true: "Address state (into the contact text).",
    MailingPostalCode = "prs_MailingPostalCode" [] Text false true: "Address postal code (into the contact text).",
    MailingCountry = "prs_MailingCountry" [] Text false true: "Address country (into the contact text).",
    Contact = "vig_Contact" ["contact"] Text false true: "Vigia extension: contact as one free text.",
    Gender = "prs_Gender" ["sex"] Sex false false: "Gender, mapped to Vigia's sex codes.",
    AgeAtIdentification = "vig_AgeAtIdentification" ["age_at_identification"] Integer false false: "Vigia extension: age in whole years at identification.",
    AgeBracket = "vig_AgeBracket" ["age_bracket"] AgeBracket false false: "Vigia extension: age bracket (CTDC ageBroad) when only a bracket is known.",
    Citizenship = "prs_Citizenship" ["citizenship"] Country true false: "Citizenship (HTCDS multi-select; Vigia keeps the first).",
    TraffickingStatus = "vic_TraffickingStatus" ["status"] Status false false: "Victim status, mapped to presumed / identified / not_a_victim.",
    IdentifiedOn = "identified_on" ["vig_IdentifiedOn"] Date false false: "Vigia extension (HTCDS has no identification date): date of identification, required.",
    Acts = "vig_Acts" ["acts"] Act true false: "Vigia extension: the Protocol's acts.",
    MethodsOfControl = "vic_MethodsOfControl" ["means"] Means true false: "Methods of control, mapped to the Protocol's means.",
    TypeOfExploitation = "vic_TypeOfExploitation" ["exploitation"] Exploitation true false: "Purpose of exploitation.",
    TypeOfSexExploitation = "vic_TypeOfSexExploitation" [] Exploitation true false: "Form of sexual exploitation (Pornography becomes its own Vigia form).",
    TypeOfExploitationOther = "vic_TypeOfExploitationOther" ["exploitation_other"] Text true false: "Vigia extension: description(s) of an `Other` form of exploitation.",
    MethodOfRecruitment = "vic_MethodOfRecruitment" ["recruitment"] Recruitment true false: "How the person was recruited (HTCDS multi-select; Vigia keeps the first).",
    RelationshipToTrafficker = "vic_RelationshipToTrafficker" ["recruiter_relation"] Relation false false: "Relationship to the trafficker.",
    Consent = "con_Consent" ["consent_given"] Bool false false: "Consent given (used by screening only).",
    RecruitmentCountry = "hte_Recruitment_Country" [] Country false false: "Route: country of recruitment (first place).",
    RecruitmentState = "hte_Recruitment_State" [] Subdivision false false: "Route: ISO 3166-2 subdivision of recruitment.",
    RecruitmentCity = "hte_Recruitment_City" [] Text false false: "Route: municipality of recruitment.",
    TransitCountries = "hte_Transit_Countries" [] Country true false: "Route: transit countries, in order.",
    ExploitationCountry = "hte_Exploitation_Country" [] Country false false: "Route: country of exploitation (last place).",
    ExploitationState = "hte_Exploitation_State" [] Subdivision false false: "Route: ISO 3166-2 subdivision of exploitation.",
    ExploitationCity = "hte_Exploitation_City" [] Text false false: "Route: municipality of exploitation.",
    Ignore = "ignore" [] Text false false: "Mapping target only: the column is read by no one and raises no warning.",
}

impl Field {
    /// Parse a canonical name or an alias; case, `_`, `-` and spaces do not matter.
    pub fn parse(s: &str) -> Option<Field> {
        let n = normalise_owned(s);
        Field::ALL.iter().copied().find(|f| {
            normalise_owned(f.name()) == n || f.aliases().iter().any(|a| normalise_owned(a) == n)
        })
    }
    /// Match an HTCDS-layout column header (canonical names only, XLSForm underscores tolerated).
    pub(crate) fn from_header(s: &str) -> Option<Field> {
        let n = normalise_owned(s);
        Field::ALL
            .iter()
            .copied()
            .find(|f| *f != Field::Ignore && normalise_owned(f.name()) == n)
    }
    pub(crate) const COUNT: usize = Field::ALL.len();
    pub(crate) fn idx(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Field::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown target field `{s}`")))
    }
}

/// HTCDS v2.0 columns Vigia recognises but does not record (a warning says so).
pub(crate) const UNRECORDED_HTCDS: &[&str] = &[
    "prs_Salutation",
    "prs_Deceased",
    "prs_MaritalStatus",
    "prs_NumberOfChildren",
    "prs_PrimaryLanguage",
    "prs_SecondaryLanguage",
    "prs_HighestLevelOfEducation",
    "prs_Title",
    "prs_MailingLatitude",
    "prs_MailingLongitude",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_TraffickinStatusDecisionMakingOrg",
    "vic_AgeWhenTrafficked",
    "vic_RecruitmentWebsitesAndApps",
    "vic_ExploitationWebsitesAndApps",
    "vic_LocationOfRecruitment",
    "vic_ForcedLabourIndustry",
    "vic_LocationOfExploitation",
    "vic_Vulnerabilities",
    "vic_DetailsOfVulnerabilities",
    "vic_AgreementToManagePersonalData",
    "per_RoleInProcess",
    "per_RoleDetails",
    "per_Organisation",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_CaseOwner",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_ReasonForOutgoingReferral",
    "cas_IncomingReferralDetails",
    "cas_OutgoingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    "cas_OutgoingReferralDate",
    "cco_CaseComment",
    "spl_Type",
    "spl_Objectives",
    "spl_ActionPlan",
    "spl_PlannedEndDate",
    "spl_ActualEndDate",
];

/// Lower-case letters and digits only: `"Debt bondage "`, `"DebtBondage"` and
/// `"debt_bondage"` all become `debtbondage`. Non-ASCII letters are kept (lower-cased).
pub(crate) fn normalise_into(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
}

pub(crate) fn normalise_owned(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalise_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_after_normalisation() {
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            assert!(seen.insert(normalise_owned(f.name())), "{f}");
            for a in f.aliases() {
                assert!(seen.insert(normalise_owned(a)), "{a}");
            }
        }
        for u in UNRECORDED_HTCDS {
            assert!(Field::from_header(u).is_none(), "{u}");
        }
    }

    #[test]
    fn parse_accepts_aliases_and_xlsform_spelling() {
        assert_eq!(Field::parse("sex"), Some(Field::Gender));
        assert_eq!(Field::parse("prs_Gender"), Some(Field::Gender));
        assert_eq!(Field::from_header("prs_First_Name"), Some(Field::FirstName));
        assert_eq!(
            Field::from_header("vic_Methods_of_Control"),
            Some(Field::MethodsOfControl)
        );
        assert_eq!(Field::from_header("sex"), None);
        assert_eq!(Field::parse("colour"), None);
    }
}
