use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use time::macros::date;
use time::{Date, Duration};
use vigia_demo::{generate, DemoCase, DemoData, DEFAULT_CASES, DEMO_EMAIL_DOMAIN, SPAN_DAYS};
use vigia_domain::case::AgeInfo;
use vigia_domain::taxonomy::{AgencyKind, CaseStatus, ExploitationKind, Role, Sex};

const TODAY: Date = date!(2025 - 06 - 30);

/// The standard demo, generated once for all tests.
fn demo() -> &'static DemoData {
    static DEMO: OnceLock<DemoData> = OnceLock::new();
    DEMO.get_or_init(|| generate(42, DEFAULT_CASES, TODAY))
}

fn has(c: &DemoCase, k: ExploitationKind) -> bool {
    c.case.facts.exploitation.iter().any(|e| e.kind() == Some(k))
}

fn share(num: usize, den: usize) -> f64 {
    num as f64 / den.max(1) as f64
}

#[test]
fn exact_count_and_every_case_valid_and_dated() {
    let d = demo();
    assert_eq!(d.cases.len(), DEFAULT_CASES);
    let earliest = TODAY - Duration::days(SPAN_DAYS);
    let keys: BTreeSet<_> = d.agencies.iter().map(|a| a.key).collect();
    for c in &d.cases {
        let f = &c.case.facts;
        assert!(f.identified_on <= TODAY && f.identified_on >= earliest);
        assert!(!f.acts.is_empty() && !f.exploitation.is_empty());
        assert!(keys.contains(c.agency_key));
        if let Some(dob) = c.case.identity.date_of_birth {
            assert!(dob <= f.identified_on);
        }
        // The civil routes re-parse as they are (subdivisions inside their country).
        for p in &f.route {
            if let Some(s) = &p.subdivision {
                assert_eq!(s.country_code(), p.country.code());
            }
        }
        assert!(c.case.external_ref.is_some());
    }
    // Sorted by identification date.
    assert!(d.cases.windows(2).all(|w| w[0].case.facts.identified_on <= w[1].case.facts.identified_on));
}

#[test]
fn many_seeds_build_valid_cases() {
    // `generate` panics on an invalid case; exercise a range of seeds and sizes.
    for seed in 0..20 {
        let d = generate(seed, 400, TODAY);
        assert_eq!(d.cases.len(), 400);
    }
    assert!(generate(7, 0, TODAY).cases.is_empty());
    assert_eq!(generate(7, 1, TODAY).cases.len(), 1);
}

#[test]
fn deterministic_for_a_seed_and_different_across_seeds() {
    let a = generate(9, 800, TODAY);
    let b = generate(9, 800, TODAY);
    assert!(a == b);
    let c = generate(10, 800, TODAY);
    assert!(a.cases != c.cases);
}

#[test]
fn external_refs_unique_per_agency() {
    let d = demo();
    let mut seen = BTreeSet::new();
    for c in &d.cases {
        assert!(seen.insert((c.agency_key, c.case.external_ref.clone().unwrap())), "duplicate reference");
    }
}

#[test]
fn agencies_are_varied_and_located() {
    let d = demo();
    assert!(d.agencies.len() >= 12);
    let keys: BTreeSet<_> = d.agencies.iter().map(|a| a.key).collect();
    assert_eq!(keys.len(), d.agencies.len());
    let kinds: BTreeSet<_> = d.agencies.iter().map(|a| a.kind).collect();
    assert!(kinds.len() >= 9, "{kinds:?}");
    let countries: BTreeSet<_> = d.agencies.iter().map(|a| a.country.code().to_string()).collect();
    for cc in ["BR", "ES", "NG"] {
        assert!(countries.contains(cc));
    }
    for a in &d.agencies {
        if let Some(s) = &a.subdivision {
            assert_eq!(s.country_code(), a.country.code());
        }
    }
    // Coordinators and regional mechanisms do not record cases; every other agency does.
    let recording: BTreeSet<_> = d.cases.iter().map(|c| c.agency_key).collect();
    for a in &d.agencies {
        let coordinating = matches!(a.kind, AgencyKind::NationalCoordinator | AgencyKind::RegionalMechanism);
        assert_eq!(recording.contains(a.key), !coordinating, "{}", a.key);
    }
}

#[test]
fn logins_cover_every_role() {
    let d = demo();
    let agencies: HashMap<_, _> = d.agencies.iter().map(|a| (a.key, a)).collect();
    for role in Role::ALL {
        assert!(d.users.iter().any(|u| u.role == *role), "no {role}");
    }
    let emails: BTreeSet<_> = d.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails.len(), d.users.len());
    for u in &d.users {
        assert!(u.email.ends_with(&format!("@{DEMO_EMAIL_DOMAIN}")));
        assert!(u.password.chars().count() >= 12);
        let a = agencies.get(u.agency_key).expect("user's agency exists");
        match u.role {
            Role::Coordinator => assert!(a.kind == AgencyKind::NationalCoordinator && a.country.code() == "BR"),
            Role::RegionalMonitor => assert_eq!(a.kind, AgencyKind::RegionalMechanism),
            _ => {}
        }
    }
    let caseworker = d.users.iter().find(|u| u.email == format!("caseworker@{DEMO_EMAIL_DOMAIN}")).unwrap();
    assert_eq!(agencies[caseworker.agency_key].kind, AgencyKind::Ngo);
    // Caseworkers at two agencies at least, both of which hold cases.
    let cw_agencies: BTreeSet<_> = d.users.iter().filter(|u| u.role == Role::Caseworker).map(|u| u.agency_key).collect();
    assert!(cw_agencies.len() >= 2);
    for a in cw_agencies {
        assert!(d.cases.iter().filter(|c| c.agency_key == a).count() >= 50, "{a} has few cases");
    }
}

#[test]
fn a_fifth_of_persons_recorded_by_several_distinct_agencies() {
    let d = demo();
    let mut by_person: BTreeMap<u32, Vec<&DemoCase>> = BTreeMap::new();
    for c in &d.cases {
        by_person.entry(c.person).or_default().push(c);
    }
    let multi: Vec<_> = by_person.values().filter(|v| v.len() >= 2).collect();
    let s = share(multi.len(), by_person.len());
    assert!((0.15..=0.25).contains(&s), "multiply recorded share {s}");
    assert!(by_person.values().any(|v| v.len() == 3));
    assert!(by_person.values().all(|v| v.len() <= 3));
    for v in &multi {
        let agencies: BTreeSet<_> = v.iter().map(|c| c.agency_key).collect();
        assert_eq!(agencies.len(), v.len(), "same agency twice for one person");
    }
    // The records of one person differ as real lists do.
    let differing = multi
        .iter()
        .filter(|v| {
            let ids: BTreeSet<_> = v
                .iter()
                .map(|c| (c.case.identity.given_names.clone(), c.case.identity.family_names.clone(), c.case.identity.date_of_birth))
                .collect();
            ids.len() > 1
        })
        .count();
    assert!(share(differing, multi.len()) > 0.6, "too few variants: {differing}/{}", multi.len());
    // ...yet stay recognisable: most share a birth date or a family-name word.
    let linkable = multi
        .iter()
        .filter(|v| {
            let a = &v[0].case.identity;
            let b = &v[1].case.identity;
            let words = |s: &Option<String>| -> BTreeSet<String> {
                s.iter().flat_map(|s| s.split(' ').map(|w| w.to_lowercase()).collect::<Vec<_>>()).collect()
            };
            let all_a: BTreeSet<_> = words(&a.given_names).union(&words(&a.family_names)).cloned().collect();
            let all_b: BTreeSet<_> = words(&b.given_names).union(&words(&b.family_names)).cloned().collect();
            (a.date_of_birth.is_some() && a.date_of_birth == b.date_of_birth) || !all_a.is_disjoint(&all_b)
        })
        .count();
    assert!(share(linkable, multi.len()) > 0.7, "{linkable}/{}", multi.len());
}

#[test]
fn typical_variants_occur() {
    let d = demo();
    let mut by_person: BTreeMap<u32, Vec<&DemoCase>> = BTreeMap::new();
    for c in &d.cases {
        by_person.entry(c.person).or_default().push(c);
    }
    let (mut upper, mut swapped_dm, mut swapped_names, mut dropped_surname, mut accent_diff) = (0, 0, 0, 0, 0);
    for v in by_person.values().filter(|v| v.len() >= 2) {
        let (a, b) = (&v[0].case.identity, &v[1].case.identity);
        let fam = |i: &vigia_domain::case::Identity| i.family_names.clone().unwrap_or_default();
        let giv = |i: &vigia_domain::case::Identity| i.given_names.clone().unwrap_or_default();
        if fam(a) != fam(a).to_lowercase() && fam(a) == fam(a).to_uppercase() {
            upper += 1;
        }
        if let (Some(x), Some(y)) = (a.date_of_birth, b.date_of_birth) {
            if x != y && x.year() == y.year() && x.day() == u8::from(y.month()) && y.day() == u8::from(x.month()) {
                swapped_dm += 1;
            }
        }
        if !fam(a).is_empty() && fam(a).to_lowercase() == giv(b).to_lowercase() {
            swapped_names += 1;
        }
        let (fa, fb) = (fam(a).to_lowercase(), fam(b).to_lowercase());
        if !fa.is_empty() && !fb.is_empty() && fa != fb && (fa.contains(&fb) || fb.contains(&fa)) {
            dropped_surname += 1;
        }
        if fa != fb && (fa.is_ascii() != fb.is_ascii()) {
            accent_diff += 1;
        }
    }
    for (what, n) in [
        ("upper", upper),
        ("day/month", swapped_dm),
        ("names swapped", swapped_names),
        ("surname dropped", dropped_surname),
        ("accents", accent_diff),
    ] {
        assert!(n >= 5, "{what}: {n}");
    }
}

#[test]
fn sex_age_and_exploitation_follow_glotip_shapes() {
    let d = demo();
    let n = d.cases.len();
    let known_age: Vec<_> = d.cases.iter().filter_map(|c| c.case.facts.is_minor()).collect();
    assert!(known_age.len() > n / 2);
    let children = share(known_age.iter().filter(|m| **m).count(), known_age.len());
    assert!((0.25..=0.42).contains(&children), "children {children}");

    let sexual: Vec<_> = d.cases.iter().filter(|c| has(c, ExploitationKind::SexualExploitation)).collect();
    let labour: Vec<_> = d.cases.iter().filter(|c| has(c, ExploitationKind::ForcedLabour)).collect();
    let s_share = share(sexual.len(), n);
    let l_share = share(labour.len(), n);
    assert!((0.3..=0.55).contains(&s_share), "sexual {s_share}");
    assert!((0.25..=0.5).contains(&l_share), "labour {l_share}");

    let female = |v: &[&DemoCase]| {
        let known: Vec<_> = v.iter().filter(|c| c.case.facts.sex != Sex::Unknown).collect();
        share(known.iter().filter(|c| c.case.facts.sex == Sex::Female).count(), known.len())
    };
    assert!(female(&sexual) > 0.8, "female share in sexual exploitation {}", female(&sexual));
    assert!(female(&labour) < 0.4, "female share in forced labour {}", female(&labour));

    let count = |k| d.cases.iter().filter(|c| has(c, k)).count();
    let organ = count(ExploitationKind::OrganRemoval);
    assert!(organ >= 1 && share(organ, n) < 0.01, "organ removal {organ}");
    for k in [ExploitationKind::ForcedBegging, ExploitationKind::ForcedCriminality, ExploitationKind::Servitude] {
        let s = share(count(k), n);
        assert!((0.01..0.15).contains(&s), "{k}: {s}");
    }
    // Begging is mostly children.
    let begging_ages: Vec<_> =
        d.cases.iter().filter(|c| has(c, ExploitationKind::ForcedBegging)).filter_map(|c| c.case.facts.is_minor()).collect();
    assert!(share(begging_ages.iter().filter(|m| **m).count(), begging_ages.len()) > 0.7);
    // Some ages are only brackets, as in real lists.
    assert!(d.cases.iter().any(|c| matches!(c.case.facts.age, Some(AgeInfo::Bracket(_)))));
}

#[test]
fn statuses_mostly_presumed_or_identified() {
    let d = demo();
    let count = |s| d.cases.iter().filter(|c| c.case.facts.status == s).count();
    let (p, i, no) = (count(CaseStatus::Presumed), count(CaseStatus::Identified), count(CaseStatus::NotAVictim));
    assert!(share(p + i, d.cases.len()) > 0.9);
    assert!(p > 0 && i > 0 && no > 0);
}

#[test]
fn routes_span_many_countries_internal_and_international() {
    let d = demo();
    let mut countries = BTreeSet::new();
    let (mut international, mut with_route, mut br_internal_interstate, mut ng_internal) = (0, 0, 0, 0);
    let mut with_coords = 0;
    for c in &d.cases {
        let r = &c.case.facts.route;
        for p in r {
            countries.insert(p.country.code().to_string());
            if p.coordinates.is_some() {
                with_coords += 1;
            }
        }
        if let Some(cc) = c.case.facts.citizenship {
            countries.insert(cc.code().to_string());
        }
        if r.is_empty() {
            continue;
        }
        with_route += 1;
        let ccs: BTreeSet<_> = r.iter().map(|p| p.country.code()).collect();
        if ccs.len() > 1 {
            international += 1;
        } else if ccs.contains("BR") {
            let subs: BTreeSet<_> = r.iter().filter_map(|p| p.subdivision.as_ref().map(|s| s.code())).collect();
            if subs.len() > 1 {
                br_internal_interstate += 1;
            }
        } else if ccs.contains("NG") {
            ng_internal += 1;
        }
    }
    assert!(countries.len() >= 20, "{} countries", countries.len());
    for cc in ["BR", "CO", "VE", "MX", "US", "DO", "HT", "ES", "PT", "NL", "IT", "FR", "NG", "GH", "SN", "CI", "ML", "BF", "NE"] {
        assert!(countries.contains(cc), "{cc} missing");
    }
    assert!(share(international, with_route) > 0.5, "international {international}/{with_route}");
    assert!(br_internal_interstate > 100 && ng_internal > 50);
    assert!(with_coords > 200);
    // Corridors: Nigeria through Niger to Italy or Spain; Maranhão to Pará.
    let seq = |c: &DemoCase| c.case.facts.route.iter().map(|p| p.country.code().to_string()).collect::<Vec<_>>();
    assert!(d.cases.iter().any(|c| {
        let s = seq(c);
        s.first().map(String::as_str) == Some("NG")
            && s.contains(&"NE".to_string())
            && matches!(s.last().map(String::as_str), Some("IT" | "ES"))
    }));
    assert!(d.cases.iter().any(|c| {
        let r = &c.case.facts.route;
        r.len() >= 2
            && r[0].subdivision.as_ref().map(|s| s.code()) == Some("BR-MA")
            && r.last().and_then(|p| p.subdivision.as_ref()).map(|s| s.code()) == Some("BR-PA")
    }));
}

#[test]
fn identities_have_documents_and_contacts_on_some_records() {
    let d = demo();
    let n = d.cases.len();
    let docs = d.cases.iter().filter(|c| !c.case.identity.document_numbers.is_empty()).count();
    let contacts = d.cases.iter().filter(|c| c.case.identity.contact.is_some()).count();
    let named = d.cases.iter().filter(|c| c.case.identity.family_names.is_some()).count();
    assert!((0.1..0.4).contains(&share(docs, n)), "docs {docs}");
    assert!(contacts > 0 && share(contacts, n) < 0.06, "contacts {contacts}");
    assert!(share(named, n) > 0.85);
    for c in &d.cases {
        if let Some(ct) = &c.case.identity.contact {
            assert!(ct.ends_with("@example.net"), "contacts use a reserved domain");
        }
    }
}

#[test]
fn fast_enough() {
    let t = std::time::Instant::now();
    let d = generate(1, DEFAULT_CASES, TODAY);
    let el = t.elapsed();
    assert_eq!(d.cases.len(), DEFAULT_CASES);
    // Well under a second in a debug build; generous here for shared CI machines.
    assert!(el.as_secs_f64() < 3.0, "{el:?}");
}
