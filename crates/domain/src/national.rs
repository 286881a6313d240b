//! "One person, one count": the pure part of national de-duplication.
//!
//! * Person clusters from scored record pairs, clerical-review decisions
//!   applied: a `same` decision joins two records whatever their score, a
//!   `different` decision forbids the two records to end up in one person
//!   (no chain of links may join them either).
//! * National figures computed on persons: one person counted once, with the
//!   conflicts between the person's records resolved by fixed rules
//!   ([`resolve_person`]).
//!
//! No I/O: the service hands records in as indices and facts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use time::Date;

use crate::taxonomy::Sex;

/// The lowest pair probability kept for clerical review.
pub const REVIEW_LOWER: f64 = 0.2;
/// Pairs at or above this probability are linked without review.
pub const REVIEW_UPPER: f64 = 0.8;
/// The match threshold: the linkage library's Bayes decision (posterior 0.5).
pub const MATCH_THRESHOLD: f64 = 0.5;

/// A clerical reviewer's verdict on a pair of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The two records are the same person.
    Same,
    /// The two records are different persons.
    Different,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "same" => Some(Verdict::Same),
            "different" => Some(Verdict::Different),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Different => "different",
        }
    }
}

/// One scored pair of records (indices into the run's record list, `a < b`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub probability: f64,
}

/// How a linkage run compared identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMode {
    /// Every agency of the country allows linkage in the clear.
    Clear,
    /// At least one agency does not: every record is linked on keyed Bloom-filter encodings.
    Encoded,
}

impl LinkMode {
    pub fn code(self) -> &'static str {
        match self {
            LinkMode::Clear => "clear",
            LinkMode::Encoded => "encoded",
        }
    }
    /// The rule: clear text only when every agency with records allows it.
    pub fn choose(all_allow_clear: bool) -> Self {
        if all_allow_clear {
            LinkMode::Clear
        } else {
            LinkMode::Encoded
        }
    }
}

struct Dsu(Vec<u32>);

impl Dsu {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
}

/// Person clusters of `n` records: the cluster label of every record is the
/// smallest record index of its person.
///
/// Edges are joined from the strongest down: first every `same` decision,
/// then the pairs with `probability >= threshold`. A join is skipped when it
/// would put two records that a reviewer called `different` into one person,
/// so a `different` decision splits a chain `A~B~C` at its weakest link
/// rather than being ignored.
pub fn clusters(n: usize, pairs: &[ScoredPair], threshold: f64, decisions: &[(u32, u32, Verdict)]) -> Vec<u32> {
    let mut dsu = Dsu((0..n as u32).collect());
    // Cannot-link constraints, kept on cluster roots.
    let mut cannot: HashMap<u32, HashSet<u32>> = HashMap::new();
    let mut decided: HashSet<(u32, u32)> = HashSet::new();
    for &(a, b, v) in decisions {
        if (a as usize) >= n || (b as usize) >= n || a == b {
            continue;
        }
        decided.insert((a.min(b), a.max(b)));
        if v == Verdict::Different {
            cannot.entry(a).or_default().insert(b);
            cannot.entry(b).or_default().insert(a);
        }
    }
    let mut edges: Vec<(f64, u32, u32)> = decisions
        .iter()
        .filter(|d| d.2 == Verdict::Same && (d.0 as usize) < n && (d.1 as usize) < n && d.0 != d.1)
        .map(|d| (f64::INFINITY, d.0, d.1))
        .collect();
    edges.extend(
        pairs
            .iter()
            .filter(|p| p.probability >= threshold && (p.a as usize) < n && (p.b as usize) < n && p.a != p.b)
            .filter(|p| !decided.contains(&(p.a.min(p.b), p.a.max(p.b))))
            .map(|p| (p.probability, p.a, p.b)),
    );
    edges.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    for (_, a, b) in edges {
        let (ra, rb) = (dsu.find(a), dsu.find(b));
        if ra == rb {
            continue;
        }
        // Would the join put two "different" records together?
        let ca: Vec<u32> = cannot.get(&ra).map(|s| s.iter().copied().collect()).unwrap_or_default();
        if ca.iter().any(|&x| dsu.find(x) == rb) {
            continue;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        dsu.0[hi as usize] = lo;
        if let Some(s) = cannot.remove(&hi) {
            cannot.entry(lo).or_default().extend(s);
        }
    }
    (0..n as u32).map(|i| dsu.find(i)).collect()
}

/// The records of each person, persons in order of their first record.
pub fn members(cluster_of: &[u32]) -> Vec<Vec<u32>> {
    let mut by: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &c) in cluster_of.iter().enumerate() {
        by.entry(c).or_default().push(i as u32);
    }
    by.into_values().collect()
}

/// The non-identifying facts of one record that national figures use.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordFacts {
    pub sex: Sex,
    /// Child at identification (under 18); `None` when unknown.
    pub minor: Option<bool>,
    /// Exploitation codes (`other: ...` is counted as `other`).
    pub exploitation: Vec<String>,
    /// ISO 3166-1 alpha-2, if known.
    pub citizenship: Option<String>,
    #[serde(with = "iso_date")]
    pub identified_on: Date,
}

mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::case::format_date(*d))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        crate::case::parse_iso_date(&s).map_err(serde::de::Error::custom)
    }
}

/// One person's attributes after resolving their records.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFacts {
    pub sex: Sex,
    /// `child`, `adult` or `unknown`.
    pub age_group: &'static str,
    pub exploitation: BTreeSet<String>,
    /// A citizenship code, or `unknown`.
    pub citizenship: String,
}

/// Most frequent known value; ties go to the value of the earliest record.
fn most_frequent<T: Clone + Eq + std::hash::Hash>(recs: &[&RecordFacts], get: impl Fn(&RecordFacts) -> Option<T>) -> Option<T> {
    let mut counts: HashMap<T, (usize, Date, usize)> = HashMap::new();
    for (i, r) in recs.iter().enumerate() {
        if let Some(v) = get(r) {
            let e = counts.entry(v).or_insert((0, r.identified_on, i));
            e.0 += 1;
            if (r.identified_on, i) < (e.1, e.2) {
                e.1 = r.identified_on;
                e.2 = i;
            }
        }
    }
    counts.into_iter().max_by(|x, y| x.1 .0.cmp(&y.1 .0).then((y.1 .1, y.1 .2).cmp(&(x.1 .1, x.1 .2)))).map(|x| x.0)
}

/// Resolves a person's records into one set of attributes:
///
/// * **sex** and **citizenship**: the most frequent known value among the
///   records; a tie goes to the earliest identified record; `unknown` only
///   when no record knows it;
/// * **age group**: child or adult at the *first* identification: the
///   earliest record that knows it (a person identified as a child and seen
///   again as an adult is counted as a child);
/// * **forms of exploitation**: the union over the records (a person is
///   counted once in every form any agency recorded; the form totals may
///   exceed the number of persons).
pub fn resolve_person(recs: &[&RecordFacts]) -> PersonFacts {
    let sex = most_frequent(recs, |r| (r.sex != Sex::Unknown).then_some(r.sex)).unwrap_or(Sex::Unknown);
    let citizenship = most_frequent(recs, |r| r.citizenship.clone()).unwrap_or_else(|| "unknown".to_string());
    let mut by_date: Vec<&&RecordFacts> = recs.iter().collect();
    by_date.sort_by_key(|r| r.identified_on);
    let age_group = match by_date.iter().find_map(|r| r.minor) {
        Some(true) => "child",
        Some(false) => "adult",
        None => "unknown",
    };
    let exploitation = recs.iter().flat_map(|r| r.exploitation.iter().cloned()).collect();
    PersonFacts { sex, age_group, exploitation, citizenship }
}

/// One line of a breakdown: persons and records with this value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CountLine {
    pub code: String,
    pub persons: u64,
    pub records: u64,
}

/// National figures: persons (each counted once) beside records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NationalCounts {
    pub records: u64,
    pub persons: u64,
    /// Persons recorded by more than one record.
    pub persons_with_several_records: u64,
    pub by_sex: Vec<CountLine>,
    pub by_age_group: Vec<CountLine>,
    pub by_exploitation: Vec<CountLine>,
    pub by_citizenship: Vec<CountLine>,
}

fn lines(p: BTreeMap<String, u64>, r: BTreeMap<String, u64>) -> Vec<CountLine> {
    let keys: BTreeSet<&String> = p.keys().chain(r.keys()).collect();
    let mut v: Vec<CountLine> = keys.into_iter().map(|k| CountLine { code: k.clone(), persons: p.get(k).copied().unwrap_or(0), records: r.get(k).copied().unwrap_or(0) }).collect();
    v.sort_by(|a, b| b.persons.cmp(&a.persons).then(b.records.cmp(&a.records)).then(a.code.cmp(&b.code)));
    v
}

/// Figures of the records `facts` grouped into persons by `cluster_of`
/// (same length). Persons are resolved by [`resolve_person`]; record
/// counts use each record's own value.
pub fn count(facts: &[RecordFacts], cluster_of: &[u32]) -> NationalCounts {
    let persons = members(cluster_of);
    let (mut ps, mut pa, mut pe, mut pc) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let (mut rs, mut ra, mut re, mut rc) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut several = 0;
    for m in &persons {
        let recs: Vec<&RecordFacts> = m.iter().filter_map(|&i| facts.get(i as usize)).collect();
        if recs.is_empty() {
            continue;
        }
        if recs.len() > 1 {
            several += 1;
        }
        let p = resolve_person(&recs);
        *ps.entry(p.sex.code().to_string()).or_insert(0u64) += 1;
        *pa.entry(p.age_group.to_string()).or_insert(0u64) += 1;
        for e in &p.exploitation {
            *pe.entry(e.clone()).or_insert(0u64) += 1;
        }
        *pc.entry(p.citizenship.clone()).or_insert(0u64) += 1;
    }
    for f in facts {
        *rs.entry(f.sex.code().to_string()).or_insert(0u64) += 1;
        let ag = match f.minor {
            Some(true) => "child",
            Some(false) => "adult",
            None => "unknown",
        };
        *ra.entry(ag.to_string()).or_insert(0u64) += 1;
        for e in f.exploitation.iter().collect::<BTreeSet<_>>() {
            *re.entry(e.clone()).or_insert(0u64) += 1;
        }
        *rc.entry(f.citizenship.clone().unwrap_or_else(|| "unknown".into())).or_insert(0u64) += 1;
    }
    NationalCounts {
        records: facts.len() as u64,
        persons: persons.len() as u64,
        persons_with_several_records: several,
        by_sex: lines(ps, rs),
        by_age_group: lines(pa, ra),
        by_exploitation: lines(pe, re),
        by_citizenship: lines(pc, rc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn p(a: u32, b: u32, probability: f64) -> ScoredPair {
        ScoredPair { a, b, probability }
    }

    #[test]
    fn different_splits_a_chain_at_its_weakest_link() {
        let pairs = [p(0, 1, 0.99), p(1, 2, 0.7)];
        assert_eq!(clusters(3, &pairs, 0.5, &[]), vec![0, 0, 0]);
        assert_eq!(clusters(3, &pairs, 0.5, &[(0, 2, Verdict::Different)]), vec![0, 0, 2]);
        // A "different" on a directly linked pair removes that link.
        assert_eq!(clusters(3, &pairs, 0.5, &[(1, 0, Verdict::Different)]), vec![0, 1, 1]);
    }

    #[test]
    fn same_joins_below_the_threshold() {
        let pairs = [p(0, 1, 0.3)];
        assert_eq!(clusters(3, &pairs, 0.5, &[]), vec![0, 1, 2]);
        assert_eq!(clusters(3, &pairs, 0.5, &[(1, 0, Verdict::Same)]), vec![0, 0, 2]);
        assert_eq!(members(&[0, 0, 2]), vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn conflicts_resolve_by_frequency_then_earliest() {
        let f = |sex, minor, cit: Option<&str>, on, ex: &[&str]| RecordFacts {
            sex,
            minor,
            exploitation: ex.iter().map(|s| s.to_string()).collect(),
            citizenship: cit.map(String::from),
            identified_on: on,
        };
        let a = f(Sex::Female, None, Some("BR"), date!(2024 - 01 - 01), &["forced_labour"]);
        let b = f(Sex::Male, Some(true), Some("PY"), date!(2023 - 01 - 01), &["sexual_exploitation"]);
        let c = f(Sex::Female, Some(false), None, date!(2025 - 01 - 01), &["forced_labour"]);
        let r = resolve_person(&[&a, &b, &c]);
        assert_eq!(r.sex, Sex::Female);
        assert_eq!(r.age_group, "child");
        // One each: the earliest record's value wins.
        assert_eq!(r.citizenship, "PY");
        assert_eq!(r.exploitation.len(), 2);
        let n = count(&[a, b, c], &[0, 0, 2]);
        assert_eq!((n.records, n.persons, n.persons_with_several_records), (3, 2, 1));
        let sex: Vec<(String, u64, u64)> = n.by_sex.iter().map(|l| (l.code.clone(), l.persons, l.records)).collect();
        // Person 1 (records a, b) has one female and one male record: tie, earliest (b, male).
        assert_eq!(sex, vec![("female".into(), 1, 2), ("male".into(), 1, 1)]);
    }
}
