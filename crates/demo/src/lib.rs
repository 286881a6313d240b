//! Vigia's synthetic demo data.
//!
//! [`generate`] builds, from a seed, a small world of fictitious agencies in the
//! Americas, Europe and West Africa, one demo login per role, and several
//! thousand presumed trafficked persons recorded by those agencies:
//!
//! * distributions of sex, age and form of exploitation follow the broad shapes of
//!   the UNODC Global Report on Trafficking in Persons (women and girls the
//!   majority of detected victims of sexual exploitation, men of forced labour,
//!   about a third children, forced begging and criminality smaller shares, organ
//!   removal rare);
//! * routes follow plausible corridors (origin, transits, place of exploitation),
//!   some internal (Maranhão to Pará, within Nigeria), most international;
//! * about a fifth of persons are recorded by two or three agencies, each record
//!   with the variations real lists have (accents, a missing surname, names
//!   swapped, day and month swapped, upper case, nicknames, typos...). The hidden
//!   true person id ([`DemoCase::person`]) lets tests score record linkage and
//!   multiple systems estimation.
//!
//! Every case is built as a [`CaseInput`] and parsed with the domain's own
//! validation, so it is valid by construction. Everything is fictitious: names
//! are drawn at random from common given names and surnames; document numbers and
//! contacts are fake. The demo passwords are public and for demo instances only.
//!
//! The crate is pure (no I/O, no clock): the caller passes `today`, and the same
//! seed always gives the same data (ChaCha8).

mod names;
mod variants;
mod world;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};
use vigia_domain::case::{format_date, Age, NewCase};
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::input::{CaseInput, IdentityInput, PlaceInput};
use vigia_domain::taxonomy::{Act, AgeBracket, AgencyKind, CaseStatus, Means, RecruiterRelation, Recruitment, Role, Sex};

use crate::names::{full_name, lang_of};
use crate::variants::{apply, strip_accents, Name, Variation, VARIATIONS};
use crate::world::{document_format, external_ref, langs_for, AgencySpec, Corridor, Form, AGENCIES, CORRIDORS, P};

/// The number of cases of the standard demo.
pub const DEFAULT_CASES: usize = 5_000;

/// The e-mail domain of demo logins (`.example` is reserved: RFC 2606).
pub const DEMO_EMAIL_DOMAIN: &str = "demo.vigia.example";

/// Identification dates are spread over this many days before `today`.
pub const SPAN_DAYS: i64 = 4 * 365;

/// A fictitious agency.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAgency {
    /// Stable short key, e.g. `br-pe-police`.
    pub key: &'static str,
    pub name: String,
    pub kind: AgencyKind,
    pub country: Country,
    pub subdivision: Option<Subdivision>,
}

/// A demo login. The password is public: demo instances only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub email: String,
    pub role: Role,
    pub agency_key: &'static str,
    pub password: String,
}

/// One record of one person by one agency.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCase {
    pub agency_key: &'static str,
    /// Hidden true person id: records with the same id are the same person. For
    /// scoring linkage and estimation only; never stored as case data.
    pub person: u32,
    pub case: NewCase,
    pub created_by_role: Role,
}

/// The whole demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub agencies: Vec<DemoAgency>,
    pub users: Vec<DemoUser>,
    /// Sorted by identification date.
    pub cases: Vec<DemoCase>,
}

/// The demo agencies (the same for every seed).
pub fn agencies() -> Vec<DemoAgency> {
    AGENCIES
        .iter()
        .map(|a| DemoAgency {
            key: a.key,
            name: a.name.to_string(),
            kind: a.kind,
            // The table is checked by the tests: every code exists.
            country: Country::parse(a.country).expect("demo agency country code"),
            subdivision: a.subdivision.map(|s| Subdivision::parse(s).expect("demo agency subdivision code")),
        })
        .collect()
}

/// The demo logins (the same for every seed): `(local part, role, agency key)`.
const USERS: &[(&str, Role, &str)] = &[
    ("caseworker", Role::Caseworker, "br-pe-ngo"),
    ("agency_admin", Role::AgencyAdmin, "br-pe-ngo"),
    ("coordinator", Role::Coordinator, "br-coord"),
    ("regional_monitor", Role::RegionalMonitor, "regional-secretariat"),
    ("auditor", Role::Auditor, "br-coord"),
    ("caseworker.police", Role::Caseworker, "br-pe-police"),
    ("agency_admin.police", Role::AgencyAdmin, "br-pe-police"),
    ("caseworker.shelter", Role::Caseworker, "br-sp-shelter"),
    ("caseworker.spain", Role::Caseworker, "es-ngo"),
];

/// The demo logins: `<local>@demo.vigia.example`, password `demo-<local>-pass`.
/// Public, for demo instances only.
pub fn users() -> Vec<DemoUser> {
    USERS
        .iter()
        .map(|(local, role, agency_key)| DemoUser {
            email: format!("{local}@{DEMO_EMAIL_DOMAIN}"),
            role: *role,
            agency_key,
            password: format!("demo-{local}-pass"),
        })
        .collect()
}

/// The per-person random stream: SplitMix64, seeded from the ChaCha8 stream of the
/// demo seed. ChaCha is slow in unoptimised builds (about a microsecond a draw)
/// and a case takes a few hundred draws; SplitMix64 is a handful of integer
/// operations, fully specified here, so the data stay reproducible across
/// versions of `rand`.
struct SplitMix64(u64);

impl RngCore for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Weighted choice.
pub(crate) fn pick<R: Rng, T: Copy>(rng: &mut R, xs: &[(T, u32)]) -> T {
    let total: u32 = xs.iter().map(|x| x.1).sum();
    let mut r = rng.gen_range(0..total.max(1));
    for (x, w) in xs {
        if r < *w {
            return *x;
        }
        r -= w;
    }
    xs[xs.len() - 1].0
}

fn one<R: Rng, T: Copy>(rng: &mut R, xs: &[T]) -> T {
    xs[rng.gen_range(0..xs.len())]
}

/// The hidden truth about one person.
struct Person {
    id: u32,
    corridor: &'static Corridor,
    sex: Sex,
    name: Name,
    dob: Date,
    first_seen: Date,
    citizenship: Option<&'static str>,
    document: Option<String>,
    contact: Option<String>,
    forms: Vec<Form>,
    other: Option<&'static str>,
    acts: Vec<Act>,
    means: Vec<Means>,
    recruitment: Option<Recruitment>,
    relation: Option<RecruiterRelation>,
    route: Vec<P>,
    not_a_victim: bool,
}

const OTHER_FORMS: &[&str] = &[
    "other: forced work on fishing boats",
    "other: forced selling in street markets",
    "other: forced work in charcoal kilns",
    "other: forced participation in online scams",
];

fn make_person<R: Rng>(rng: &mut R, id: u32, corridor_weights: &[(usize, u32)], today: Date) -> Person {
    let corridor = &CORRIDORS[pick(rng, corridor_weights)];

    // Route: origin, transits, place of exploitation; consecutive duplicates merged.
    let mut route: Vec<P> = vec![one(rng, corridor.origin)];
    for stage in corridor.transit {
        if rng.gen_bool(stage.p) {
            route.push(one(rng, stage.places));
        }
    }
    route.push(one(rng, corridor.dest));
    route.dedup();

    let form = pick(rng, corridor.forms);
    let mut forms = vec![form];
    if let Some(second) = form.secondary() {
        if rng.gen_bool(0.08) && corridor.forms.iter().any(|(f, _)| *f == second) {
            forms.push(second);
        }
    }
    let child = rng.gen_bool(form.child());
    let age: u8 = if child {
        let (lo, hi) = form.child_ages();
        rng.gen_range(lo..=hi)
    } else {
        // Skewed towards the young; u^1.5 (sqrt is exact in IEEE 754, unlike powf).
        let u: f64 = rng.gen();
        18 + (u * u.sqrt() * 40.0) as u8
    };
    let female = rng.gen_bool(form.female());
    let sex = if !child && matches!(form, Form::Sexual) && rng.gen_bool(0.03) {
        Sex::Transgender
    } else if female {
        Sex::Female
    } else {
        Sex::Male
    };

    let origin = route[0];
    let lang = lang_of(rng, langs_for(&origin));
    let (given, family) = full_name(rng, lang, female);
    let name = Name { given, family };

    let first_seen = today - Duration::days(rng.gen_range(0..=SPAN_DAYS));
    let dob = first_seen - Duration::days(i64::from(age) * 365 + i64::from(age) / 4 + rng.gen_range(1..365));

    let citizenship = if rng.gen_bool(0.95) { Some(origin.cc) } else { None };
    let document = if rng.gen_bool(if child { 0.15 } else { 0.45 }) {
        let (prefix, digits) = document_format(citizenship.unwrap_or(origin.cc));
        let n: u64 = rng.gen_range(10u64.pow(digits - 1)..10u64.pow(digits));
        Some(format!("{prefix}{n}"))
    } else {
        None
    };
    let contact = if !child && rng.gen_bool(0.06) {
        let g = strip_accents(&name.given[0]).to_lowercase();
        let f = strip_accents(name.family.last().map(String::as_str).unwrap_or("x")).to_lowercase().replace([' ', '\''], "");
        Some(format!("{g}.{f}{}@example.net", rng.gen_range(10..99)))
    } else {
        None
    };

    let international = route.iter().any(|p| p.cc != origin.cc);
    let mut acts = vec![];
    if rng.gen_bool(0.92) {
        acts.push(Act::Recruitment);
    }
    if route.len() >= 2 && rng.gen_bool(if international { 0.9 } else { 0.7 }) {
        acts.push(Act::Transportation);
    }
    if route.len() >= 3 && rng.gen_bool(0.35) {
        acts.push(Act::Transfer);
    }
    if matches!(form, Form::Sexual | Form::Servitude | Form::Labour | Form::DebtBondage) && rng.gen_bool(0.5) {
        acts.push(Act::Harbouring);
    }
    if rng.gen_bool(0.3) {
        acts.push(Act::Receipt);
    }
    if acts.is_empty() {
        acts.push(Act::Recruitment);
    }

    let n_means = if child && rng.gen_bool(0.45) { 0 } else { pick(rng, &[(0usize, 4), (1, 40), (2, 38), (3, 18)]) };
    let mut means = vec![];
    for _ in 0..n_means {
        let m = pick(rng, form.means());
        if !means.contains(&m) {
            means.push(m);
        }
    }
    if child && matches!(form, Form::Adoption) {
        means.retain(|m| *m != Means::Deception);
    }
    let recruitment = rng.gen_bool(0.75).then(|| pick(rng, form.recruitment()));
    let relation = rng.gen_bool(0.7).then(|| pick(rng, form.relation()));
    let other = (matches!(form, Form::Labour | Form::Criminality) && rng.gen_bool(0.03)).then(|| one(rng, OTHER_FORMS));

    Person {
        id,
        corridor,
        sex,
        name,
        dob,
        first_seen,
        citizenship,
        document,
        contact,
        forms,
        other,
        acts,
        means,
        recruitment,
        relation,
        route,
        not_a_victim: rng.gen_bool(0.05),
    }
}

/// How many agencies record the person: 2 or 3 for about 29 % of persons whose
/// corridor has several agencies (about a fifth of all persons).
fn record_count<R: Rng>(rng: &mut R, corridor: &Corridor) -> usize {
    let k = pick(rng, &[(1usize, 71), (2, 21), (3, 8)]);
    k.min(corridor.agencies.len())
}

fn choose_agencies<R: Rng>(rng: &mut R, corridor: &Corridor, k: usize) -> Vec<&'static AgencySpec> {
    let mut pool: Vec<(&'static str, u32)> = corridor.agencies.to_vec();
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        let key = pick(rng, &pool);
        pool.retain(|(k2, _)| *k2 != key);
        out.push(agency_spec(key));
    }
    out
}

fn agency_spec(key: &str) -> &'static AgencySpec {
    AGENCIES.iter().find(|a| a.key == key).expect("corridor names a demo agency")
}

fn place_input<R: Rng>(rng: &mut R, p: &P) -> PlaceInput {
    let subdivision = p.sub.filter(|_| rng.gen_bool(0.9)).map(str::to_string);
    let municipality = p.muni.filter(|_| rng.gen_bool(0.75));
    let (lat, lon) = match (municipality, p.at) {
        (Some(_), Some((lat, lon))) if rng.gen_bool(0.8) => (Some(lat), Some(lon)),
        _ => (None, None),
    };
    PlaceInput { country: p.cc.to_string(), subdivision, municipality: municipality.map(str::to_string), lat, lon }
}

/// One agency's record of the person (without its external reference yet).
fn record<R: Rng>(rng: &mut R, person: &Person, agency: &AgencySpec, on: Date) -> CaseInput {
    let st = agency.style;
    let hotline = agency.kind == AgencyKind::Hotline;

    // Identity, with variations.
    let mut name = person.name.clone();
    let mut dob = Some(person.dob).filter(|_| rng.gen_bool(st.dob));
    let n_var = pick(rng, &[(0usize, 30), (1, 40), (2, 22), (3, 8)]);
    let mut done: Vec<Variation> = vec![];
    let mut tries = 0;
    while done.len() < n_var && tries < 12 {
        tries += 1;
        let v = pick(rng, VARIATIONS);
        if !done.contains(&v) && apply(rng, v, &mut name, &mut dob) {
            done.push(v);
        }
    }
    if rng.gen_bool(st.swap) && !done.contains(&Variation::SwapNames) {
        apply(rng, Variation::SwapNames, &mut name, &mut dob);
    }
    if rng.gen_bool(st.strip) {
        apply(rng, Variation::StripAccents, &mut name, &mut dob);
    }
    if rng.gen_bool(st.upper) {
        apply(rng, Variation::UpperCase, &mut name, &mut dob);
    }
    let (given, family) = if rng.gen_bool(st.names) {
        (Some(name.given.join(" ")), Some(name.family.join(" ")))
    } else if rng.gen_bool(0.5) {
        (Some(name.given.join(" ")), None)
    } else {
        (None, None)
    };
    let dob = dob.filter(|d| *d <= on);
    let mut document_numbers = vec![];
    if let Some(doc) = &person.document {
        if rng.gen_bool(st.doc) {
            let d = match rng.gen_range(0..10) {
                0 => doc.to_lowercase(),
                1 => {
                    let i = doc.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
                    format!("{} {}", &doc[..i], &doc[i..])
                }
                2 => doc.trim_start_matches(|c: char| c.is_ascii_alphabetic()).to_string(),
                _ => doc.clone(),
            };
            document_numbers.push(d);
        }
    }
    let contact = person.contact.clone().filter(|_| rng.gen_bool(0.5));
    let identity =
        IdentityInput { given_names: given, family_names: family, date_of_birth: dob.map(format_date), document_numbers, contact };

    // Age, when no birth date is recorded.
    let true_age = Age::between(person.dob, on).map(Age::years);
    let (mut age_at_identification, mut age_bracket) = (None, None);
    if dob.is_none() {
        if let Some(a) = true_age {
            match pick(rng, &[(0u8, if hotline { 25 } else { 50 }), (1, 20), (2, 30)]) {
                0 => {
                    let noisy = match rng.gen_range(0..10) {
                        0 => a.saturating_sub(1),
                        1 => a.saturating_add(1),
                        _ => a,
                    };
                    age_at_identification = Some(i64::from(noisy));
                }
                1 => age_bracket = Some(AgeBracket::of_age(a).code().to_string()),
                _ => {}
            }
        }
    }

    let sex = if rng.gen_bool(if hotline { 0.1 } else { 0.02 }) { Sex::Unknown } else { person.sex };
    let citizenship = person.citizenship.filter(|_| rng.gen_bool(0.95)).map(str::to_string);
    let mut acts: Vec<String> = person.acts.iter().filter(|_| rng.gen_bool(0.85)).map(|a| a.code().to_string()).collect();
    if acts.is_empty() {
        acts.push(person.acts[0].code().to_string());
    }
    let means = person.means.iter().filter(|_| rng.gen_bool(0.85)).map(|m| m.code().to_string()).collect();
    let mut exploitation: Vec<String> = person.forms[0].codes().iter().map(|c| c.to_string()).collect();
    for f in &person.forms[1..] {
        if rng.gen_bool(0.8) {
            exploitation.extend(f.codes().iter().map(|c| c.to_string()));
        }
    }
    if let Some(o) = person.other {
        exploitation.push(o.to_string());
    }
    let recruitment = person.recruitment.filter(|_| rng.gen_bool(0.7)).map(|r| r.code().to_string());
    let recruiter_relation = person.relation.filter(|_| rng.gen_bool(0.7)).map(|r| r.code().to_string());
    let status = if person.not_a_victim {
        if rng.gen_bool(0.8) {
            CaseStatus::NotAVictim
        } else {
            CaseStatus::Presumed
        }
    } else if rng.gen_bool(0.42) {
        CaseStatus::Identified
    } else {
        CaseStatus::Presumed
    };

    // Route as this agency knows it: the place of exploitation always, the origin
    // mostly, transits less often.
    let mut route = vec![];
    if !rng.gen_bool(0.02) {
        let last = person.route.len() - 1;
        for (i, p) in person.route.iter().enumerate() {
            let keep = if i == last {
                true
            } else if i == 0 {
                rng.gen_bool(0.9)
            } else {
                rng.gen_bool(0.7)
            };
            if keep {
                route.push(place_input(rng, p));
            }
        }
    }

    CaseInput {
        identity,
        sex: Some(sex.code().to_string()),
        age_at_identification,
        age_bracket,
        citizenship,
        acts,
        means,
        exploitation,
        recruitment,
        recruiter_relation,
        identified_on: Some(format_date(on)),
        status: Some(status.code().to_string()),
        route,
        external_ref: None,
        consent_given: None,
    }
}

struct Draft {
    on: Date,
    agency: usize,
    person: u32,
    role: Role,
    input: CaseInput,
}

/// Generate the demo: the agencies, the logins and `n_cases` case records
/// (exactly), identified within the [`SPAN_DAYS`] days up to `today`.
///
/// Deterministic: the same `(seed, n_cases, today)` always gives the same data.
/// `today` should be after 1950 (birth dates must not fall before 1900).
pub fn generate(seed: u64, n_cases: usize, today: Date) -> DemoData {
    let mut seeds = ChaCha8Rng::seed_from_u64(seed);
    let earliest = today - Duration::days(SPAN_DAYS);
    let mut drafts: Vec<Draft> = Vec::with_capacity(n_cases);
    let mut next_person = 0u32;
    let corridor_weights: Vec<(usize, u32)> = CORRIDORS.iter().enumerate().map(|(i, c)| (i, c.weight)).collect();
    while drafts.len() < n_cases {
        let mut rng = SplitMix64(seeds.next_u64());
        let person = make_person(&mut rng, next_person, &corridor_weights, today);
        next_person += 1;
        let k = record_count(&mut rng, person.corridor).min(n_cases - drafts.len());
        let chosen = choose_agencies(&mut rng, person.corridor, k);
        for (i, agency) in chosen.into_iter().enumerate() {
            let on = if i == 0 {
                person.first_seen
            } else {
                (person.first_seen + Duration::days(rng.gen_range(-30..=240))).clamp(earliest.max(person.dob), today)
            };
            let input = record(&mut rng, &person, agency, on);
            let role = if rng.gen_bool(0.1) { Role::AgencyAdmin } else { Role::Caseworker };
            let agency = AGENCIES.iter().position(|a| std::ptr::eq(a, agency)).unwrap_or(0);
            drafts.push(Draft { on, agency, person: person.id, role, input });
        }
    }

    // In order of identification; each agency numbers its records in that order.
    let mut order: Vec<(Date, usize, u32, usize)> = drafts.iter().enumerate().map(|(i, d)| (d.on, d.agency, d.person, i)).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let mut seq = vec![0u32; AGENCIES.len()];
    let cases = order
        .into_iter()
        .filter_map(|(.., i)| slots[i].take())
        .map(|mut d| {
            seq[d.agency] += 1;
            let spec = &AGENCIES[d.agency];
            d.input.external_ref = Some(external_ref(spec.key, d.on.year(), seq[d.agency]));
            let case = match d.input.parse(today) {
                Ok(c) => c,
                // A bug in this generator; the message names fields, never values.
                Err(e) => panic!("demo generator built an invalid case: {e}"),
            };
            DemoCase { agency_key: spec.key, person: d.person, case, created_by_role: d.role }
        })
        .collect();

    DemoData { agencies: agencies(), users: users(), cases }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigia_domain::geo::Place;

    fn check(p: &P) {
        let country = Country::parse(p.cc).unwrap_or_else(|_| panic!("{}", p.cc));
        let sub = p.sub.map(|s| Subdivision::parse(s).unwrap_or_else(|_| panic!("{s}")));
        assert!(Place::new(country, sub, p.muni, None).is_ok(), "{:?}", p.sub);
        if let Some((lat, lon)) = p.at {
            assert!(vigia_domain::geo::Coordinates::parse(lat, lon).is_ok());
            assert!(p.muni.is_some(), "coordinates belong to a municipality");
        }
    }

    #[test]
    fn every_place_and_agency_of_every_corridor_is_valid() {
        let recording: Vec<_> = AGENCIES
            .iter()
            .filter(|a| !matches!(a.kind, AgencyKind::NationalCoordinator | AgencyKind::RegionalMechanism))
            .map(|a| a.key)
            .collect();
        for c in CORRIDORS {
            assert!(c.weight > 0 && !c.forms.is_empty() && !c.agencies.is_empty());
            for p in c.origin.iter().chain(c.dest).chain(c.transit.iter().flat_map(|s| s.places)) {
                check(p);
            }
            for (key, _) in c.agencies {
                assert!(recording.contains(key), "{key}");
            }
            for p in c.origin {
                assert!(!langs_for(p).is_empty());
            }
        }
        assert_eq!(agencies().len(), AGENCIES.len());
        for key in recording {
            assert!(CORRIDORS.iter().any(|c| c.agencies.iter().any(|(k, _)| *k == key)), "{key} records nothing");
        }
    }

    #[test]
    fn external_refs_fit_the_domain_limit() {
        for a in AGENCIES {
            let r = external_ref(a.key, 2025, 999_999);
            assert!(!r.is_empty() && r.len() <= 100);
        }
    }

    #[test]
    fn pick_respects_weights() {
        let mut rng = SplitMix64(3);
        let xs = [(0u8, 1), (1, 3), (2, 0)];
        let mut n = [0u32; 3];
        for _ in 0..4000 {
            n[usize::from(pick(&mut rng, &xs))] += 1;
        }
        assert_eq!(n[2], 0);
        assert!((2800..3200).contains(&n[1]), "{n:?}");
    }
}
