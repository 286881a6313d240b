//! The demo world: agencies, places, trafficking corridors and forms of
//! exploitation. All names of agencies are fictitious.

use vigia_domain::taxonomy::{AgencyKind, Means, RecruiterRelation, Recruitment};

use crate::names::Lang;

// ---------------------------------------------------------------- agencies

/// How an agency writes its records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Share of records typed in upper case.
    pub upper: f64,
    /// Share of records typed without accents.
    pub strip: f64,
    /// Share of records with the family name in the given-name field and vice versa.
    pub swap: f64,
    /// Share of records with a date of birth (else an age, a bracket or nothing).
    pub dob: f64,
    /// Share of records that copy an identity document when the person has one.
    pub doc: f64,
    /// Share of records with the names at all.
    pub names: f64,
}

const fn style(upper: f64, strip: f64, swap: f64, dob: f64, doc: f64, names: f64) -> Style {
    Style { upper, strip, swap, dob, doc, names }
}

pub(crate) struct AgencySpec {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: AgencyKind,
    pub country: &'static str,
    pub subdivision: Option<&'static str>,
    pub style: Style,
}

const fn agency(
    key: &'static str,
    name: &'static str,
    kind: AgencyKind,
    country: &'static str,
    subdivision: Option<&'static str>,
    style: Style,
) -> AgencySpec {
    AgencySpec { key, name, kind, country, subdivision, style }
}

const NONE: Style = style(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);

pub(crate) const AGENCIES: &[AgencySpec] = &[
    agency(
        "br-pe-police",
        "Delegacia Especializada de Proteção à Pessoa — Pernambuco",
        AgencyKind::Police,
        "BR",
        Some("BR-PE"),
        style(0.6, 0.3, 0.05, 0.8, 0.7, 1.0),
    ),
    agency("br-pe-ngo", "Instituto Maré Viva (Recife)", AgencyKind::Ngo, "BR", Some("BR-PE"), style(0.05, 0.1, 0.03, 0.6, 0.4, 0.97)),
    agency(
        "br-sp-shelter",
        "Casa de Acolhida Travessia (São Paulo)",
        AgencyKind::Shelter,
        "BR",
        Some("BR-SP"),
        style(0.1, 0.15, 0.03, 0.7, 0.5, 1.0),
    ),
    agency(
        "br-labour",
        "Grupo Móvel de Fiscalização do Trabalho — Núcleo Pará",
        AgencyKind::LabourInspection,
        "BR",
        Some("BR-PA"),
        style(0.7, 0.5, 0.05, 0.7, 0.8, 1.0),
    ),
    agency(
        "br-ba-child",
        "Conselho Tutelar Salvador Centro",
        AgencyKind::ChildProtection,
        "BR",
        Some("BR-BA"),
        style(0.1, 0.2, 0.03, 0.9, 0.3, 1.0),
    ),
    agency(
        "br-hotline",
        "Disque Denúncia Tráfico de Pessoas (linha nacional)",
        AgencyKind::Hotline,
        "BR",
        None,
        style(0.2, 0.5, 0.05, 0.1, 0.05, 0.6),
    ),
    agency(
        "br-consulate-madrid",
        "Consulado-Geral do Brasil em Madri — Setor de Assistência",
        AgencyKind::Consulate,
        "BR",
        None,
        style(0.3, 0.1, 0.02, 0.9, 0.9, 1.0),
    ),
    agency(
        "br-coord",
        "Núcleo Nacional de Enfrentamento ao Tráfico de Pessoas",
        AgencyKind::NationalCoordinator,
        "BR",
        Some("BR-DF"),
        NONE,
    ),
    agency(
        "es-police",
        "Unidad contra Redes de Trata — Madrid",
        AgencyKind::Police,
        "ES",
        Some("ES-M"),
        style(0.8, 0.7, 0.1, 0.85, 0.8, 1.0),
    ),
    agency("es-ngo", "Fundación Camino Libre (Almería)", AgencyKind::Ngo, "ES", Some("ES-AL"), style(0.05, 0.2, 0.08, 0.5, 0.4, 0.95)),
    agency(
        "pt-shelter",
        "Centro de Acolhimento Porto Seguro (Lisboa)",
        AgencyKind::Shelter,
        "PT",
        Some("PT-11"),
        style(0.1, 0.2, 0.05, 0.7, 0.5, 1.0),
    ),
    agency("it-ngo", "Associazione Strada Nuova (Torino)", AgencyKind::Ngo, "IT", Some("IT-21"), style(0.15, 0.3, 0.25, 0.5, 0.4, 0.95)),
    agency(
        "ng-agency",
        "Federal Anti-Trafficking Agency — Benin City Zonal Command",
        AgencyKind::Police,
        "NG",
        Some("NG-ED"),
        style(0.5, 0.9, 0.3, 0.6, 0.6, 1.0),
    ),
    agency(
        "sn-child",
        "Centre d'accueil Les Enfants d'Abord (Dakar)",
        AgencyKind::ChildProtection,
        "SN",
        Some("SN-DK"),
        style(0.2, 0.4, 0.15, 0.3, 0.05, 0.95),
    ),
    agency("co-ngo", "Corporación Frontera Segura (Cúcuta)", AgencyKind::Ngo, "CO", Some("CO-NSA"), style(0.1, 0.3, 0.03, 0.6, 0.5, 0.95)),
    agency("do-ngo", "Red Solidaria Fronteriza (Dajabón)", AgencyKind::Ngo, "DO", Some("DO-05"), style(0.2, 0.4, 0.1, 0.4, 0.2, 0.9)),
    agency(
        "us-hotline",
        "National Anti-Trafficking Helpline (demo operator)",
        AgencyKind::Hotline,
        "US",
        Some("US-TX"),
        style(0.05, 0.7, 0.1, 0.2, 0.05, 0.7),
    ),
    agency(
        "regional-secretariat",
        "Hemispheric Observatory on Trafficking in Persons — Secretariat",
        AgencyKind::RegionalMechanism,
        "US",
        Some("US-DC"),
        NONE,
    ),
];

/// The agency's own record id, in its own format.
pub(crate) fn external_ref(key: &str, year: i32, seq: u32) -> String {
    let yy = year.rem_euclid(100);
    match key {
        "br-pe-police" => format!("BO-PE-{year}/{seq:06}"),
        "br-pe-ngo" => format!("MV-{year}-{seq:04}"),
        "br-sp-shelter" => format!("TRV/{seq:05}/{yy:02}"),
        "br-labour" => format!("GEFM-{year}-{seq:05}"),
        "br-ba-child" => format!("CT-SSA-{seq:06}"),
        "br-hotline" => format!("DD{year}{seq:07}"),
        "br-consulate-madrid" => format!("CGMAD-{year}-{seq:03}"),
        "es-police" => format!("UCRT/{year}/{seq:05}"),
        "es-ngo" => format!("CL-{yy:02}{seq:04}"),
        "pt-shelter" => format!("PS{year}.{seq:04}"),
        "it-ngo" => format!("SN-{year}-{seq:04}"),
        "ng-agency" => format!("FATA/BEN/{year}/{seq:04}"),
        "sn-child" => format!("EDA-DK-{seq:05}"),
        "co-ngo" => format!("CFS-{year}-{seq:05}"),
        "do-ngo" => format!("RSF{yy:02}-{seq:04}"),
        "us-hotline" => format!("HL-{year}-{seq:06}"),
        _ => format!("REF-{year}-{seq:06}"),
    }
}

// ---------------------------------------------------------------- places

/// A place as written on routes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct P {
    pub cc: &'static str,
    pub sub: Option<&'static str>,
    pub muni: Option<&'static str>,
    pub at: Option<(f64, f64)>,
}

const fn c(cc: &'static str) -> P {
    P { cc, sub: None, muni: None, at: None }
}
const fn s(cc: &'static str, sub: &'static str) -> P {
    P { cc, sub: Some(sub), muni: None, at: None }
}
const fn m(cc: &'static str, sub: &'static str, muni: &'static str) -> P {
    P { cc, sub: Some(sub), muni: Some(muni), at: None }
}
const fn g(cc: &'static str, sub: &'static str, muni: &'static str, lat: f64, lon: f64) -> P {
    P { cc, sub: Some(sub), muni: Some(muni), at: Some((lat, lon)) }
}

// ---------------------------------------------------------------- forms

/// A form of exploitation as generated (some map to two codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Sexual,
    Labour,
    DebtBondage,
    Servitude,
    Begging,
    Criminality,
    Marriage,
    Organ,
    ChildLabour,
    Pornography,
    Surrogacy,
    Adoption,
}

impl Form {
    /// Exploitation codes of a record of this form.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Form::Sexual => &["sexual_exploitation"],
            Form::Labour => &["forced_labour"],
            Form::DebtBondage => &["forced_labour", "debt_bondage"],
            Form::Servitude => &["servitude"],
            Form::Begging => &["forced_begging"],
            Form::Criminality => &["forced_criminality"],
            Form::Marriage => &["forced_marriage"],
            Form::Organ => &["organ_removal"],
            Form::ChildLabour => &["child_labour", "forced_labour"],
            Form::Pornography => &["pornography", "sexual_exploitation"],
            Form::Surrogacy => &["forced_surrogacy"],
            Form::Adoption => &["illegal_adoption"],
        }
    }
    /// Probability that the person is female (GLOTIP shapes).
    pub fn female(self) -> f64 {
        match self {
            Form::Sexual => 0.9,
            Form::Labour | Form::DebtBondage => 0.3,
            Form::Servitude => 0.8,
            Form::Begging => 0.45,
            Form::Criminality => 0.35,
            Form::Marriage | Form::Surrogacy => 1.0,
            Form::Organ => 0.15,
            Form::ChildLabour => 0.4,
            Form::Pornography => 0.7,
            Form::Adoption => 0.5,
        }
    }
    /// Probability that the person is a child.
    pub fn child(self) -> f64 {
        match self {
            Form::Sexual => 0.3,
            Form::Labour | Form::DebtBondage => 0.1,
            Form::Servitude => 0.45,
            Form::Begging => 0.85,
            Form::Criminality => 0.5,
            Form::Marriage => 0.7,
            Form::Organ => 0.0,
            Form::ChildLabour | Form::Adoption => 1.0,
            Form::Pornography => 0.8,
            Form::Surrogacy => 0.15,
        }
    }
    /// Child ages (inclusive).
    pub fn child_ages(self) -> (u8, u8) {
        match self {
            Form::Begging => (5, 15),
            Form::Adoption => (0, 3),
            Form::ChildLabour => (8, 17),
            Form::Marriage | Form::Surrogacy => (13, 17),
            _ => (10, 17),
        }
    }
    pub fn means(self) -> &'static [(Means, u32)] {
        use Means::*;
        match self {
            Form::Sexual | Form::Pornography => &[
                (Deception, 30),
                (AbuseOfVulnerability, 25),
                (Coercion, 15),
                (Threat, 15),
                (Force, 8),
                (Fraud, 5),
                (Payments, 5),
                (AbuseOfPower, 4),
            ],
            Form::Labour | Form::ChildLabour => {
                &[(Deception, 30), (Fraud, 20), (AbuseOfVulnerability, 25), (Coercion, 10), (Threat, 10), (Force, 3), (AbuseOfPower, 5)]
            }
            Form::DebtBondage => &[(Fraud, 30), (AbuseOfVulnerability, 25), (Coercion, 20), (Threat, 15), (Deception, 15)],
            Form::Servitude => &[(AbuseOfVulnerability, 30), (Deception, 20), (AbuseOfPower, 20), (Coercion, 15), (Payments, 10)],
            Form::Begging => &[(AbuseOfVulnerability, 35), (AbuseOfPower, 25), (Payments, 15), (Coercion, 15), (Force, 5)],
            Form::Criminality => &[(Coercion, 30), (Threat, 25), (AbuseOfVulnerability, 20), (Deception, 15), (Force, 10)],
            Form::Marriage => &[(Payments, 35), (Coercion, 25), (AbuseOfPower, 20), (Abduction, 10), (Force, 10)],
            Form::Organ => &[(Deception, 35), (Payments, 35), (AbuseOfVulnerability, 30)],
            Form::Surrogacy => &[(Deception, 30), (Coercion, 30), (AbuseOfVulnerability, 25), (Abduction, 15)],
            Form::Adoption => &[(Payments, 60), (Deception, 25), (Abduction, 15)],
        }
    }
    pub fn recruitment(self) -> &'static [(Recruitment, u32)] {
        use Recruitment::*;
        match self {
            Form::Sexual | Form::Pornography => &[
                (OnlineSocialNetwork, 30),
                (FriendsOrSocialEvents, 25),
                (FamilyOrFamilyEvents, 10),
                (OnlineAdvertisement, 10),
                (RecruitmentAgency, 5),
                (PlaceOfBusiness, 10),
                (EducationalInstitution, 3),
                (Other, 7),
            ],
            Form::Labour | Form::DebtBondage | Form::ChildLabour => &[
                (AtWork, 20),
                (FriendsOrSocialEvents, 25),
                (RecruitmentAgency, 15),
                (NewspaperAdvert, 5),
                (TelevisionAdvert, 2),
                (OnlineAdvertisement, 10),
                (FamilyOrFamilyEvents, 13),
                (Other, 10),
            ],
            Form::Servitude | Form::Begging | Form::Marriage | Form::Adoption => {
                &[(FamilyOrFamilyEvents, 60), (FriendsOrSocialEvents, 20), (Abduction, 5), (Other, 15)]
            }
            Form::Criminality => {
                &[(FriendsOrSocialEvents, 40), (OnlineSocialNetwork, 20), (FamilyOrFamilyEvents, 15), (Abduction, 5), (Other, 20)]
            }
            Form::Organ => &[(FriendsOrSocialEvents, 50), (PlaceOfBusiness, 20), (Other, 30)],
            Form::Surrogacy => &[(FriendsOrSocialEvents, 40), (OnlineAdvertisement, 20), (Abduction, 10), (Other, 30)],
        }
    }
    pub fn relation(self) -> &'static [(RecruiterRelation, u32)] {
        use RecruiterRelation::*;
        match self {
            Form::Sexual | Form::Pornography => &[
                (Acquaintance, 30),
                (IntimatePartner, 20),
                (Friend, 15),
                (FamilyMember, 10),
                (Stranger, 15),
                (RecruitmentAgency, 5),
                (Unknown, 5),
            ],
            Form::Labour | Form::DebtBondage | Form::ChildLabour => {
                &[(Employer, 35), (RecruitmentAgency, 20), (Acquaintance, 20), (FamilyMember, 5), (Stranger, 10), (Unknown, 10)]
            }
            Form::Servitude | Form::Begging | Form::Marriage | Form::Adoption => {
                &[(FamilyMember, 55), (Acquaintance, 25), (Stranger, 10), (Unknown, 10)]
            }
            Form::Criminality => &[(Acquaintance, 40), (Friend, 20), (FamilyMember, 10), (Stranger, 15), (Unknown, 15)],
            Form::Organ | Form::Surrogacy => &[(Acquaintance, 40), (Stranger, 40), (Other, 10), (Unknown, 10)],
        }
    }
    /// A second form sometimes recorded with this one ("mixed" exploitation).
    pub fn secondary(self) -> Option<Form> {
        match self {
            Form::Sexual => Some(Form::Servitude),
            Form::Servitude => Some(Form::Sexual),
            Form::Labour => Some(Form::Servitude),
            Form::Begging => Some(Form::Criminality),
            Form::Criminality => Some(Form::Sexual),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- corridors

/// One stage of a route.
pub(crate) struct Stage {
    /// Probability that the stage is on the route at all.
    pub p: f64,
    pub places: &'static [P],
}

/// A plausible trafficking corridor: where people come from, pass through and are
/// exploited, what they are exploited for, and which agencies meet them.
pub(crate) struct Corridor {
    pub weight: u32,
    pub origin: &'static [P],
    pub transit: &'static [Stage],
    pub dest: &'static [P],
    pub forms: &'static [(Form, u32)],
    pub agencies: &'static [(&'static str, u32)],
}

const PE_RECIFE: P = g("BR", "BR-PE", "Recife", -8.05, -34.88);
const BA_SALVADOR: P = g("BR", "BR-BA", "Salvador", -12.97, -38.50);
const PA_BELEM: P = g("BR", "BR-PA", "Belém", -1.46, -48.49);
const PA_MARABA: P = g("BR", "BR-PA", "Marabá", -5.37, -49.12);
const MA_SAOLUIS: P = g("BR", "BR-MA", "São Luís", -2.53, -44.30);
const MA_ACAILANDIA: P = g("BR", "BR-MA", "Açailândia", -4.95, -47.50);
const SP_SAOPAULO: P = g("BR", "BR-SP", "São Paulo", -23.55, -46.63);
const RJ_RIO: P = g("BR", "BR-RJ", "Rio de Janeiro", -22.91, -43.17);
const AM_MANAUS: P = g("BR", "BR-AM", "Manaus", -3.12, -60.02);
const RR_PACARAIMA: P = g("BR", "BR-RR", "Pacaraima", 4.48, -61.15);
const ES_MADRID: P = g("ES", "ES-M", "Madrid", 40.42, -3.70);
const ES_BARCELONA: P = g("ES", "ES-B", "Barcelona", 41.39, 2.17);
const ES_ALMERIA: P = g("ES", "ES-AL", "El Ejido", 36.78, -2.81);
const PT_LISBOA: P = g("PT", "PT-11", "Lisboa", 38.72, -9.14);
const IT_PALERMO: P = g("IT", "IT-82", "Palermo", 38.12, 13.36);
const IT_TORINO: P = g("IT", "IT-21", "Torino", 45.07, 7.69);
const NG_BENIN: P = g("NG", "NG-ED", "Benin City", 6.34, 5.63);
const NG_LAGOS: P = g("NG", "NG-LA", "Lagos", 6.52, 3.38);
const NE_AGADEZ: P = g("NE", "NE-1", "Agadez", 16.97, 7.99);
const LY_SABHA: P = g("LY", "LY-SB", "Sabha", 27.04, 14.43);
const CO_CUCUTA: P = g("CO", "CO-NSA", "Cúcuta", 7.89, -72.50);
const MX_TAPACHULA: P = g("MX", "MX-CHP", "Tapachula", 14.91, -92.26);
const US_HOUSTON: P = g("US", "US-TX", "Houston", 29.76, -95.37);
const SN_DAKAR: P = g("SN", "SN-DK", "Dakar", 14.69, -17.45);
const HT_PAP: P = g("HT", "HT-OU", "Port-au-Prince", 18.54, -72.34);
const DO_DAJABON: P = g("DO", "DO-05", "Dajabón", 19.55, -71.71);

const BR_NE_ORIGINS: &[P] = &[
    PE_RECIFE,
    m("BR", "BR-PE", "Caruaru"),
    s("BR", "BR-PE"),
    BA_SALVADOR,
    m("BR", "BR-BA", "Feira de Santana"),
    s("BR", "BR-BA"),
    PA_BELEM,
    s("BR", "BR-PA"),
    MA_SAOLUIS,
    s("BR", "BR-MA"),
    m("BR", "BR-CE", "Fortaleza"),
    s("BR", "BR-PI"),
    AM_MANAUS,
];

pub(crate) const CORRIDORS: &[Corridor] = &[
    // Brazil, internal: forced labour in agriculture, charcoal and cattle ranching
    // (Maranhão, Piauí, Tocantins to Pará and Mato Grosso).
    Corridor {
        weight: 120,
        origin: &[
            MA_ACAILANDIA,
            m("BR", "BR-MA", "Codó"),
            s("BR", "BR-MA"),
            s("BR", "BR-PI"),
            m("BR", "BR-PI", "Barras"),
            s("BR", "BR-TO"),
            s("BR", "BR-BA"),
            s("BR", "BR-PE"),
        ],
        transit: &[Stage { p: 0.1, places: &[m("BR", "BR-MA", "Imperatriz"), m("BR", "BR-TO", "Araguaína")] }],
        dest: &[
            PA_MARABA,
            m("BR", "BR-PA", "São Félix do Xingu"),
            s("BR", "BR-PA"),
            m("BR", "BR-MT", "Sorriso"),
            s("BR", "BR-MT"),
            m("BR", "BR-GO", "Rio Verde"),
            m("BR", "BR-MG", "Patrocínio"),
            m("BR", "BR-SP", "Ribeirão Preto"),
        ],
        forms: &[(Form::Labour, 62), (Form::DebtBondage, 30), (Form::ChildLabour, 6), (Form::Sexual, 2)],
        agencies: &[("br-labour", 75), ("br-hotline", 15), ("br-pe-police", 5), ("br-pe-ngo", 5)],
    },
    // Brazil, internal: sexual exploitation and domestic servitude, within and between states.
    Corridor {
        weight: 150,
        origin: BR_NE_ORIGINS,
        transit: &[],
        dest: &[
            PE_RECIFE,
            BA_SALVADOR,
            SP_SAOPAULO,
            RJ_RIO,
            PA_BELEM,
            m("BR", "BR-PE", "Ipojuca"),
            m("BR", "BR-BA", "Porto Seguro"),
            m("BR", "BR-CE", "Fortaleza"),
            s("BR", "BR-SP"),
        ],
        forms: &[
            (Form::Sexual, 66),
            (Form::Servitude, 16),
            (Form::Criminality, 6),
            (Form::Pornography, 4),
            (Form::Begging, 3),
            (Form::Labour, 5),
        ],
        agencies: &[("br-pe-police", 28), ("br-pe-ngo", 30), ("br-ba-child", 18), ("br-sp-shelter", 14), ("br-hotline", 10)],
    },
    // Brazil to Spain, sometimes via Lisbon.
    Corridor {
        weight: 80,
        origin: &[
            PE_RECIFE,
            s("BR", "BR-PE"),
            m("BR", "BR-GO", "Anápolis"),
            s("BR", "BR-GO"),
            BA_SALVADOR,
            MA_SAOLUIS,
            s("BR", "BR-PA"),
            s("BR", "BR-MG"),
        ],
        transit: &[Stage { p: 0.3, places: &[PT_LISBOA, c("PT")] }],
        dest: &[ES_MADRID, ES_BARCELONA, s("ES", "ES-M"), ES_ALMERIA, c("ES"), m("ES", "ES-MU", "Murcia")],
        forms: &[(Form::Sexual, 72), (Form::Labour, 16), (Form::Servitude, 12)],
        agencies: &[("es-police", 28), ("es-ngo", 24), ("br-consulate-madrid", 24), ("br-pe-ngo", 16), ("br-pe-police", 8)],
    },
    // Brazil to Portugal, Italy, the Netherlands, France.
    Corridor {
        weight: 45,
        origin: &[PE_RECIFE, s("BR", "BR-PE"), s("BR", "BR-GO"), s("BR", "BR-MG"), s("BR", "BR-BA"), s("BR", "BR-SP")],
        transit: &[Stage { p: 0.15, places: &[PT_LISBOA, c("ES")] }],
        dest: &[
            PT_LISBOA,
            m("PT", "PT-13", "Porto"),
            s("PT", "PT-08"),
            s("PT", "PT-11"),
            m("IT", "IT-25", "Milano"),
            m("NL", "NL-NH", "Amsterdam"),
            c("FR"),
        ],
        forms: &[(Form::Sexual, 60), (Form::Labour, 30), (Form::Servitude, 10)],
        agencies: &[("pt-shelter", 50), ("br-pe-ngo", 25), ("br-pe-police", 10), ("it-ngo", 15)],
    },
    // Organ removal (rare): the Recife–Durban pattern.
    Corridor {
        weight: 2,
        origin: &[PE_RECIFE, s("BR", "BR-PE")],
        transit: &[],
        dest: &[m("ZA", "ZA-KZN", "Durban")],
        forms: &[(Form::Organ, 1)],
        agencies: &[("br-pe-police", 70), ("br-pe-ngo", 30)],
    },
    // Bolivia and Paraguay to São Paulo: garment workshops.
    Corridor {
        weight: 40,
        origin: &[m("BO", "BO-L", "El Alto"), s("BO", "BO-L"), s("BO", "BO-C"), c("BO"), m("PY", "PY-ASU", "Asunción"), c("PY")],
        transit: &[Stage { p: 0.2, places: &[m("BR", "BR-MS", "Corumbá")] }],
        dest: &[SP_SAOPAULO, s("BR", "BR-SP")],
        forms: &[(Form::Labour, 65), (Form::DebtBondage, 30), (Form::ChildLabour, 5)],
        agencies: &[("br-labour", 45), ("br-sp-shelter", 45), ("br-hotline", 10)],
    },
    // Venezuela to Colombia.
    Corridor {
        weight: 85,
        origin: &[
            m("VE", "VE-V", "Maracaibo"),
            s("VE", "VE-V"),
            m("VE", "VE-S", "San Cristóbal"),
            s("VE", "VE-A"),
            s("VE", "VE-G"),
            c("VE"),
        ],
        transit: &[Stage { p: 0.5, places: &[CO_CUCUTA] }],
        dest: &[CO_CUCUTA, m("CO", "CO-DC", "Bogotá"), m("CO", "CO-ANT", "Medellín"), s("CO", "CO-ATL"), s("CO", "CO-VAC")],
        forms: &[(Form::Sexual, 50), (Form::Labour, 22), (Form::Begging, 10), (Form::Criminality, 14), (Form::Marriage, 4)],
        agencies: &[("co-ngo", 1)],
    },
    // Venezuela to Brazil through Roraima.
    Corridor {
        weight: 40,
        origin: &[s("VE", "VE-F"), m("VE", "VE-F", "Ciudad Guayana"), s("VE", "VE-A"), c("VE")],
        transit: &[Stage { p: 0.7, places: &[RR_PACARAIMA, m("BR", "BR-RR", "Boa Vista")] }],
        dest: &[m("BR", "BR-RR", "Boa Vista"), AM_MANAUS, SP_SAOPAULO, s("BR", "BR-SC")],
        forms: &[(Form::Labour, 45), (Form::Sexual, 40), (Form::Servitude, 15)],
        agencies: &[("br-sp-shelter", 40), ("br-labour", 30), ("br-hotline", 30)],
    },
    // Haiti to the Dominican Republic.
    Corridor {
        weight: 60,
        origin: &[HT_PAP, s("HT", "HT-OU"), m("HT", "HT-NE", "Ouanaminthe"), s("HT", "HT-ND"), s("HT", "HT-CE"), c("HT")],
        transit: &[Stage { p: 0.3, places: &[DO_DAJABON] }],
        dest: &[
            DO_DAJABON,
            m("DO", "DO-25", "Santiago de los Caballeros"),
            m("DO", "DO-01", "Santo Domingo"),
            m("DO", "DO-11", "Higüey"),
            c("DO"),
        ],
        forms: &[(Form::Labour, 48), (Form::Begging, 24), (Form::Servitude, 16), (Form::Sexual, 12)],
        agencies: &[("do-ngo", 1)],
    },
    // Central America and Mexico to the United States.
    Corridor {
        weight: 55,
        origin: &[c("GT"), c("HN"), c("SV"), m("MX", "MX-TLA", "Tenancingo"), s("MX", "MX-PUE"), s("MX", "MX-CHP")],
        transit: &[Stage { p: 0.6, places: &[MX_TAPACHULA, m("MX", "MX-BCN", "Tijuana"), m("MX", "MX-CHH", "Ciudad Juárez")] }],
        dest: &[US_HOUSTON, m("US", "US-CA", "Los Angeles"), m("US", "US-FL", "Immokalee"), m("US", "US-NY", "New York"), s("US", "US-GA")],
        forms: &[(Form::Labour, 52), (Form::Sexual, 38), (Form::Criminality, 10)],
        agencies: &[("us-hotline", 1)],
    },
    // Colombia, Venezuela, the Dominican Republic and Paraguay to Spain.
    Corridor {
        weight: 40,
        origin: &[s("CO", "CO-VAC"), s("CO", "CO-RIS"), c("CO"), s("VE", "VE-A"), m("DO", "DO-01", "Santo Domingo"), c("PY")],
        transit: &[],
        dest: &[ES_MADRID, ES_BARCELONA, c("ES"), s("ES", "ES-M")],
        forms: &[(Form::Sexual, 80), (Form::Servitude, 12), (Form::Labour, 8)],
        agencies: &[("es-police", 55), ("es-ngo", 45)],
    },
    // Nigeria to Europe through Niger and Libya.
    Corridor {
        weight: 110,
        origin: &[NG_BENIN, s("NG", "NG-ED"), m("NG", "NG-DE", "Warri"), s("NG", "NG-DE"), NG_LAGOS, s("NG", "NG-AN"), s("NG", "NG-IM")],
        transit: &[
            Stage { p: 0.3, places: &[m("NG", "NG-KN", "Kano")] },
            Stage { p: 0.85, places: &[NE_AGADEZ, s("NE", "NE-1"), c("NE")] },
            Stage { p: 0.7, places: &[LY_SABHA, m("LY", "LY-TB", "Tripoli"), c("LY")] },
            Stage { p: 0.35, places: &[IT_PALERMO, m("IT", "IT-82", "Catania")] },
        ],
        dest: &[
            IT_TORINO,
            m("IT", "IT-72", "Castel Volturno"),
            m("IT", "IT-62", "Roma"),
            s("IT", "IT-75"),
            ES_MADRID,
            ES_ALMERIA,
            c("FR"),
            m("NL", "NL-NH", "Amsterdam"),
        ],
        forms: &[(Form::Sexual, 78), (Form::Labour, 12), (Form::Criminality, 10)],
        agencies: &[("it-ngo", 35), ("ng-agency", 30), ("es-ngo", 20), ("es-police", 15)],
    },
    // Other West Africans to Europe (Sahel or Atlantic route).
    Corridor {
        weight: 35,
        origin: &[
            m("GH", "GH-AH", "Kumasi"),
            s("GH", "GH-AA"),
            s("CI", "CI-AB"),
            c("CI"),
            s("SN", "SN-TH"),
            s("SN", "SN-KD"),
            s("ML", "ML-BKO"),
            s("BF", "BF-KAD"),
            c("GN"),
        ],
        transit: &[
            Stage { p: 0.5, places: &[s("ML", "ML-BKO"), m("ML", "ML-7", "Gao"), NE_AGADEZ] },
            Stage { p: 0.5, places: &[LY_SABHA, c("LY"), m("ES", "ES-GC", "Las Palmas de Gran Canaria")] },
        ],
        dest: &[ES_ALMERIA, m("ES", "ES-MU", "Murcia"), s("IT", "IT-75"), IT_TORINO, c("FR")],
        forms: &[(Form::Labour, 55), (Form::Sexual, 30), (Form::Criminality, 10), (Form::Servitude, 5)],
        agencies: &[("es-ngo", 40), ("it-ngo", 40), ("es-police", 20)],
    },
    // Nigeria, internal: domestic servitude, child labour, begging, "baby factories".
    Corridor {
        weight: 55,
        origin: &[
            s("NG", "NG-KN"),
            s("NG", "NG-BE"),
            s("NG", "NG-EB"),
            s("NG", "NG-AK"),
            s("NG", "NG-OY"),
            s("NG", "NG-KT"),
            s("NG", "NG-ED"),
        ],
        transit: &[],
        dest: &[
            NG_LAGOS,
            s("NG", "NG-LA"),
            m("NG", "NG-FC", "Abuja"),
            s("NG", "NG-OG"),
            m("NG", "NG-IM", "Owerri"),
            s("NG", "NG-AB"),
            m("NG", "NG-KN", "Kano"),
        ],
        forms: &[
            (Form::Servitude, 38),
            (Form::ChildLabour, 18),
            (Form::Begging, 14),
            (Form::Sexual, 14),
            (Form::Marriage, 6),
            (Form::Surrogacy, 6),
            (Form::Adoption, 4),
        ],
        agencies: &[("ng-agency", 1)],
    },
    // From and to Nigeria within West Africa (Benin and Togo children to Lagos;
    // Nigerian women to mining sites in Mali, to Ghana, Côte d'Ivoire, Burkina Faso).
    Corridor {
        weight: 35,
        origin: &[NG_BENIN, s("NG", "NG-ED"), s("NG", "NG-DE"), c("BJ"), c("TG")],
        transit: &[Stage { p: 0.3, places: &[c("BJ"), m("BF", "BF-KAD", "Ouagadougou")] }],
        dest: &[m("ML", "ML-1", "Kayes"), s("ML", "ML-1"), m("GH", "GH-AA", "Accra"), m("CI", "CI-AB", "Abidjan"), c("BF"), NG_LAGOS],
        forms: &[(Form::Sexual, 60), (Form::Servitude, 25), (Form::Labour, 15)],
        agencies: &[("ng-agency", 1)],
    },
    // Talibé children and girls in domestic work, to Dakar and Touba.
    Corridor {
        weight: 40,
        origin: &[s("SN", "SN-KD"), s("SN", "SN-TC"), c("GN"), c("GW"), s("ML", "ML-1"), c("GM")],
        transit: &[],
        dest: &[SN_DAKAR, s("SN", "SN-DK"), m("SN", "SN-DB", "Touba"), m("SN", "SN-TH", "Thiès")],
        forms: &[(Form::Begging, 78), (Form::Servitude, 12), (Form::ChildLabour, 8), (Form::Marriage, 2)],
        agencies: &[("sn-child", 1)],
    },
];

/// Naming traditions by place of origin.
pub(crate) fn langs_for(p: &P) -> &'static [(Lang, u32)] {
    use Lang::*;
    match (p.cc, p.sub) {
        ("BR" | "PT", _) => &[(Portuguese, 1)],
        ("CO" | "VE" | "MX" | "GT" | "HN" | "SV" | "BO" | "PY" | "DO" | "ES", _) => &[(Spanish, 1)],
        ("HT", _) => &[(Haitian, 1)],
        ("FR", _) => &[(French, 1)],
        ("US", _) => &[(English, 1)],
        ("NG", Some("NG-ED")) => &[(Edo, 80), (Yoruba, 10), (Igbo, 10)],
        ("NG", Some("NG-DE")) => &[(Edo, 30), (Igbo, 30), (Yoruba, 20), (English, 20)],
        ("NG", Some("NG-LA" | "NG-OY" | "NG-OG")) => &[(Yoruba, 85), (Igbo, 15)],
        ("NG", Some("NG-AN" | "NG-IM" | "NG-EB" | "NG-AB")) => &[(Igbo, 95), (Yoruba, 5)],
        ("NG", Some("NG-KN" | "NG-KT")) => &[(Hausa, 100)],
        ("NG", _) => &[(Igbo, 35), (Yoruba, 30), (Hausa, 20), (Edo, 15)],
        ("GH", _) => &[(Akan, 1)],
        ("SN" | "GM", _) => &[(Wolof, 80), (Mande, 20)],
        ("ML" | "BF" | "CI" | "GN" | "GW", _) => &[(Mande, 80), (Wolof, 20)],
        ("BJ" | "TG", _) => &[(Yoruba, 40), (French, 30), (Akan, 30)],
        _ => &[(English, 1)],
    }
}

/// Document number formats (fake) by citizenship.
pub(crate) fn document_format(cc: &str) -> (&'static str, u32) {
    // (prefix letters, digits)
    match cc {
        "BR" => ("F", 7),
        "NG" => ("A", 8),
        "VE" | "CO" => ("V", 8),
        "HT" => ("HT", 7),
        "ES" => ("X", 7),
        _ => ("P", 7),
    }
}
