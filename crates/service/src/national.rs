//! "One person, one count": national record linkage over every agency's
//! cases of the coordinator's country, clerical review of uncertain pairs,
//! and national figures counted on persons.
//!
//! * Identities are decrypted inside the service only. When **every** agency
//!   with cases in the country allows clear-text linkage (its administrator's
//!   setting, default no), the names and dates are compared in clear text;
//!   otherwise **every** record is encoded into keyed Bloom filters (key
//!   derived from the data key, [`crate::Keys::linkage_key`]) and the engine
//!   links the encodings only. One rule for all records keeps the model (one
//!   EM fit over one representation) honest; linking clear text among some
//!   agencies and encodings among others would need two models and a rule to
//!   merge their clusters.
//! * Record ids carry a prefix (`linkage-setting:`, `:result`,
//!   `linkage-review:`): the record table's key is the id alone.
//! * Compared fields: full name (given and family names, order-free),
//!   date of birth, sex, citizenship.
//! * The run reads every case of the country: one `case.read` audit entry per
//!   case, with the run id. The result is kept as records: the run (who, when,
//!   mode, counts) and its result (case ids, scored pairs, person clusters,
//!   the non-identifying facts used for figures). No identity and no encoding
//!   is stored.
//! * Clerical review (coordinators with an identity grant): pairs with a
//!   probability in `[REVIEW_LOWER, REVIEW_UPPER)` are shown side by side;
//!   `same`/`different` decisions are kept per pair of cases (they also apply
//!   to later runs) and the clusters are recomputed at once.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;
use vigia_domain::case::{format_date, Exploitation, Identity};
use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::national::{self, LinkMode, NationalCounts, RecordFacts, ScoredPair, Verdict, MATCH_THRESHOLD, REVIEW_LOWER, REVIEW_UPPER};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, Scope};
use vigia_domain::taxonomy::Sex;
use vigia_linkage::{FieldKind, LinkConfig, NoProgress};
use vigia_store::{AuditEvent, Record, RecordQuery, StoredCase};

use crate::util::{invalid};
use crate::{KeyError, Result, ServiceError, Vigia};

pub const LINKAGE_SETTING: &str = "linkage_setting";
pub const LINKAGE_RUN: &str = "linkage_run";
pub const LINKAGE_RESULT: &str = "linkage_result";
pub const LINKAGE_REVIEW: &str = "linkage_review";

/// The compared fields, in this order.
pub const FIELDS: [&str; 4] = ["full_name", "date_of_birth", "sex", "citizenship"];

/// An agency's decision on clear-text national linkage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageSetting {
    pub agency_id: AgencyId,
    pub clear_text_allowed: bool,
    pub set_by: UserId,
    pub at_ms: i64,
}

/// One agency's part in a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunAgency {
    pub agency_id: AgencyId,
    pub records: u64,
    pub clear_text_allowed: bool,
}

/// A linkage run as stored: who, when, how, and what came out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageRun {
    pub id: String,
    pub country: String,
    pub by: UserId,
    pub at_ms: i64,
    pub mode: LinkMode,
    pub fields: Vec<String>,
    pub threshold: f64,
    pub review_lower: f64,
    pub review_upper: f64,
    pub agencies: Vec<RunAgency>,
    pub records: u64,
    /// Candidate pairs compared after blocking.
    pub candidates: u64,
    /// Pairs at or above the match threshold.
    pub matched_pairs: u64,
    /// Pairs in the review band.
    pub review_pairs: u64,
    /// Persons after the review decisions in force.
    pub persons: u64,
    /// Review decisions applied to this run's clusters.
    pub decisions_applied: u64,
    /// Last change of the clusters (the run, or a review decision).
    pub updated_at_ms: i64,
}

/// A run's result (one record, never returned whole).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LinkageResult {
    run_id: String,
    case_ids: Vec<CaseId>,
    agencies: Vec<AgencyId>,
    facts: Vec<RecordFacts>,
    /// Every scored pair with probability >= REVIEW_LOWER.
    pairs: Vec<ScoredPair>,
    cluster_of: Vec<u32>,
}

/// A clerical review decision on a pair of cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageReview {
    pub a: CaseId,
    pub b: CaseId,
    pub verdict: Verdict,
    pub by: UserId,
    pub at_ms: i64,
    pub run_id: String,
}

/// A person: the cases (opaque ids) that refer to them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    /// Stable within a run: `p1`, `p2`, ... in order of the person's first record.
    pub person: String,
    pub cases: Vec<(CaseId, AgencyId)>,
}

/// Identifying fields shown in clerical review (the minimum needed to decide).
#[derive(Clone)]
pub struct ReviewIdentity {
    pub given_names: Option<String>,
    pub family_names: Option<String>,
    pub date_of_birth: Option<String>,
}

impl std::fmt::Debug for ReviewIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReviewIdentity(<redacted>)")
    }
}

/// One side of a review pair.
#[derive(Debug, Clone)]
pub struct ReviewSide {
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub identity: ReviewIdentity,
    pub sex: Sex,
    pub citizenship: Option<String>,
    pub identified_on: Date,
}

/// A pair for clerical review.
#[derive(Debug, Clone)]
pub struct ReviewPair {
    pub a: ReviewSide,
    pub b: ReviewSide,
    pub probability: f64,
    /// Whether the two records are in one person now.
    pub linked: bool,
}

fn corrupt(kind: &str) -> ServiceError {
    ServiceError::Store(vigia_store::StoreError::Corrupt(format!("{kind} record")))
}

fn from_json<T: for<'de> Deserialize<'de>>(r: &Record) -> Result<T> {
    serde_json::from_str(&r.body).map_err(|_| corrupt(&r.kind))
}


fn sex_value(s: Sex) -> &'static str {
    match s {
        Sex::Female => "f",
        Sex::Male => "m",
        Sex::Transgender => "t",
        Sex::NonConforming => "n",
        Sex::Unknown => "",
    }
}

fn facts_of(sc: &StoredCase) -> RecordFacts {
    let f = &sc.case.facts;
    let mut exploitation: Vec<String> = f
        .exploitation
        .iter()
        .map(|e| match e {
            Exploitation::Kind(k) => k.code().to_string(),
            Exploitation::Other(_) => "other".to_string(),
        })
        .collect();
    exploitation.sort();
    exploitation.dedup();
    RecordFacts { sex: f.sex, minor: f.is_minor(), exploitation, citizenship: f.citizenship.map(|c| c.code().to_string()), identified_on: f.identified_on }
}

fn pair_key(a: CaseId, b: CaseId) -> (CaseId, CaseId) {
    if a.to_string() <= b.to_string() {
        (a, b)
    } else {
        (b, a)
    }
}

impl Vigia {
    fn nat_event(&self, actor: &Actor, action: &str, case: Option<CaseId>, detail: impl Into<String>) -> AuditEvent {
        AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: case, detail: detail.into() }
    }

    async fn nat_check(&self, actor: &Actor, action: Action, audit: &str) -> Result<()> {
        let r = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        match authorize(actor, action, &r) {
            Decision::Deny(reason) => Err(self.deny(actor, audit, None, reason).await),
            _ => Ok(()),
        }
    }

    // ----- per-agency setting -----

    /// Whether an agency allows its identities to be linked in the clear (default: no).
    pub async fn linkage_setting(&self, agency: AgencyId) -> Result<bool> {
        match self.store.get_record(LINKAGE_SETTING, &format!("linkage-setting:{agency}")).await? {
            Some(r) => Ok(from_json::<LinkageSetting>(&r)?.clear_text_allowed),
            None => Ok(false),
        }
    }

    /// The agency administrator's decision for their agency (audited).
    pub async fn set_linkage_setting(&self, actor: &Actor, clear_text_allowed: bool) -> Result<()> {
        self.nat_check(actor, Action::SetLinkageConsent, "linkage.setting").await?;
        let s = LinkageSetting { agency_id: actor.agency_id, clear_text_allowed, set_by: actor.user_id, at_ms: self.clock.now_ms() };
        let rec = Record {
            id: format!("linkage-setting:{}", actor.agency_id),
            kind: LINKAGE_SETTING.into(),
            case_id: None,
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: Some(if clear_text_allowed { "clear" } else { "encoded" }.into()),
            at_ms: s.at_ms,
            body: serde_json::to_string(&s).unwrap_or_default(),
        };
        let ev = self.nat_event(actor, "linkage.setting", None, format!("agency={} clear_text_allowed={clear_text_allowed}", actor.agency_id));
        self.store.put_records(&[rec], &[ev]).await?;
        Ok(())
    }

    // ----- runs -----

    /// Link every case of the coordinator's country. Returns the stored run.
    pub async fn run_linkage(&self, actor: &Actor) -> Result<LinkageRun> {
        self.nat_check(actor, Action::RunLinkage, "linkage.run").await?;
        let run_id = uuid::Uuid::now_v7().to_string();
        let scope = Scope::Country(actor.country);

        // Read every case of the country, one audit entry per case read.
        let mut cases: Vec<StoredCase> = Vec::new();
        let mut seen: HashSet<CaseId> = HashSet::new();
        let mut offset = 0i64;
        loop {
            let (total, rows) = self.store.list_cases(&scope, 500, offset).await?;
            if rows.is_empty() {
                break;
            }
            offset += rows.len() as i64;
            let rows: Vec<StoredCase> = rows.into_iter().filter(|sc| seen.insert(sc.case.id)).collect();
            let events: Vec<AuditEvent> = rows.iter().map(|sc| self.nat_event(actor, "case.read", Some(sc.case.id), format!("linkage run {run_id}"))).collect();
            self.store.append_audit(&events).await?;
            cases.extend(rows);
            if offset >= total {
                break;
            }
        }
        // Oldest first: person numbers follow the order of first identification.
        cases.sort_by(|a, b| (a.case.facts.identified_on, a.case.id.to_string()).cmp(&(b.case.facts.identified_on, b.case.id.to_string())));

        // Each agency's setting decides the mode.
        let mut agencies: Vec<RunAgency> = Vec::new();
        for sc in &cases {
            match agencies.iter_mut().find(|a| a.agency_id == sc.case.agency_id) {
                Some(a) => a.records += 1,
                None => agencies.push(RunAgency { agency_id: sc.case.agency_id, records: 1, clear_text_allowed: false }),
            }
        }
        for a in &mut agencies {
            a.clear_text_allowed = self.linkage_setting(a.agency_id).await?;
        }
        let mode = LinkMode::choose(agencies.iter().all(|a| a.clear_text_allowed));

        let (pairs, candidates) = self.link(&cases, mode)?;
        let case_ids: Vec<CaseId> = cases.iter().map(|sc| sc.case.id).collect();
        let decisions = self.decisions_for(&case_ids).await?;
        let cluster_of = national::clusters(case_ids.len(), &pairs, MATCH_THRESHOLD, &decisions);
        let persons = national::members(&cluster_of).len() as u64;
        let now = self.clock.now_ms();
        let run = LinkageRun {
            id: run_id.clone(),
            country: actor.country.code().to_string(),
            by: actor.user_id,
            at_ms: now,
            mode,
            fields: FIELDS.iter().map(|s| s.to_string()).collect(),
            threshold: MATCH_THRESHOLD,
            review_lower: REVIEW_LOWER,
            review_upper: REVIEW_UPPER,
            agencies,
            records: case_ids.len() as u64,
            candidates,
            matched_pairs: pairs.iter().filter(|p| p.probability >= MATCH_THRESHOLD).count() as u64,
            review_pairs: pairs.iter().filter(|p| p.probability < REVIEW_UPPER).count() as u64,
            persons,
            decisions_applied: decisions.len() as u64,
            updated_at_ms: now,
        };
        let result = LinkageResult {
            run_id: run_id.clone(),
            agencies: cases.iter().map(|sc| sc.case.agency_id).collect(),
            facts: cases.iter().map(facts_of).collect(),
            case_ids,
            pairs,
            cluster_of,
        };
        let ev = self.nat_event(actor, "linkage.run", None, format!("run {run_id} mode={} records={} persons={}", mode.code(), run.records, run.persons));
        self.store.put_records(&[self.run_record(&run, actor), self.result_record(&result, &run, actor)], &[ev]).await?;
        Ok(run)
    }

    fn run_record(&self, run: &LinkageRun, actor: &Actor) -> Record {
        Record {
            id: run.id.clone(),
            kind: LINKAGE_RUN.into(),
            case_id: None,
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: Some(run.country.clone()),
            at_ms: run.at_ms,
            body: serde_json::to_string(run).unwrap_or_default(),
        }
    }

    fn result_record(&self, res: &LinkageResult, run: &LinkageRun, actor: &Actor) -> Record {
        Record {
            id: format!("{}:result", res.run_id),
            kind: LINKAGE_RESULT.into(),
            case_id: None,
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: Some(run.country.clone()),
            at_ms: run.at_ms,
            body: serde_json::to_string(res).unwrap_or_default(),
        }
    }

    /// Scores the pairs of records (probability >= REVIEW_LOWER) and counts candidates.
    fn link(&self, cases: &[StoredCase], mode: LinkMode) -> Result<(Vec<ScoredPair>, u64)> {
        if cases.len() < 2 {
            return Ok((Vec::new(), 0));
        }
        let mut cfg = LinkConfig::new(
            "record",
            &[(FIELDS[0], FieldKind::Name), (FIELDS[1], FieldKind::Date), (FIELDS[2], FieldKind::Id), (FIELDS[3], FieldKind::Id)],
        );
        // Given and family names are compared as one order-free full name: with two
        // name fields, EM on the demo data fitted "same given name, other family name"
        // as the match class. Sex and citizenship are evidence, never blocking keys
        // (as place-like text they would pair every two records sharing a name sound).
        cfg.fields[2].block = Some(false);
        cfg.fields[3].block = Some(false);
        // The engine reports every pair down to the review band; the match
        // threshold (the library's 0.5) is applied when clustering.
        cfg.threshold = Some(REVIEW_LOWER);
        cfg.cluster_pairs = false;
        let mut rows: Vec<(String, Vec<String>)> = Vec::with_capacity(cases.len());
        for (i, sc) in cases.iter().enumerate() {
            let id: Identity = self.open_identity(sc)?;
            rows.push((
                i.to_string(),
                vec![
                    [id.given_names.as_deref(), id.family_names.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" "),
                    id.date_of_birth.map(format_date).unwrap_or_default(),
                    sex_value(sc.case.facts.sex).to_string(),
                    sc.case.facts.citizenship.map(|c| c.code().to_string()).unwrap_or_default(),
                ],
            ));
        }
        let data = vigia_linkage::Dataset::from_rows(&cfg, &rows);
        drop(rows);
        let outcome = match mode {
            LinkMode::Clear => vigia_linkage::link_clear(&cfg, &data, None, &NoProgress),
            LinkMode::Encoded => {
                let key = vigia_linkage::pprl::Key::new(&self.keys.linkage_key()[..]).map_err(|_| ServiceError::Key(KeyError::Format))?;
                let enc = vigia_linkage::pprl::encode(&cfg, &data, &key);
                drop(data);
                vigia_linkage::pprl::link_encoded(&cfg, &enc, None, &NoProgress).map_err(|_| ServiceError::Key(KeyError::Format))?
            }
        };
        let pairs: Vec<ScoredPair> = outcome
            .matches
            .iter()
            .filter(|m| m.left != m.right && m.probability >= REVIEW_LOWER)
            .map(|m| ScoredPair { a: m.left.min(m.right), b: m.left.max(m.right), probability: m.probability })
            .collect();
        Ok((pairs, outcome.candidates))
    }

    /// Review decisions on pairs of these cases, as indices.
    async fn decisions_for(&self, case_ids: &[CaseId]) -> Result<Vec<(u32, u32, Verdict)>> {
        let idx: HashMap<CaseId, u32> = case_ids.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
        let mut out = Vec::new();
        for r in self.store.find_records(&RecordQuery::kind(LINKAGE_REVIEW)).await? {
            let d: LinkageReview = from_json(&r)?;
            if let (Some(&a), Some(&b)) = (idx.get(&d.a), idx.get(&d.b)) {
                out.push((a, b, d.verdict));
            }
        }
        Ok(out)
    }

    async fn latest(&self, actor: &Actor) -> Result<Option<(LinkageRun, LinkageResult)>> {
        let q = RecordQuery { status: Some(actor.country.code().to_string()), ..RecordQuery::kind(LINKAGE_RUN) };
        let Some(r) = self.store.find_records(&q).await?.pop() else { return Ok(None) };
        let run: LinkageRun = from_json(&r)?;
        let res = self.store.get_record(LINKAGE_RESULT, &format!("{}:result", run.id)).await?.ok_or_else(|| corrupt(LINKAGE_RESULT))?;
        Ok(Some((run, from_json(&res)?)))
    }

    /// The latest run of the coordinator's country, if any.
    pub async fn latest_linkage_run(&self, actor: &Actor) -> Result<Option<LinkageRun>> {
        self.nat_check(actor, Action::RunLinkage, "linkage.read").await?;
        Ok(self.latest(actor).await?.map(|x| x.0))
    }

    /// Persons of the latest run (case ids only, never identities), persons
    /// with several records first; and the total number of persons.
    pub async fn linkage_persons(&self, actor: &Actor, limit: usize, offset: usize) -> Result<(u64, Vec<PersonView>)> {
        self.nat_check(actor, Action::RunLinkage, "linkage.read").await?;
        let Some((_, res)) = self.latest(actor).await? else { return Ok((0, Vec::new())) };
        let members = national::members(&res.cluster_of);
        let total = members.len() as u64;
        let mut persons: Vec<PersonView> = members
            .iter()
            .enumerate()
            .map(|(n, m)| PersonView { person: format!("p{}", n + 1), cases: m.iter().map(|&i| (res.case_ids[i as usize], res.agencies[i as usize])).collect() })
            .collect();
        persons.sort_by(|a, b| b.cases.len().cmp(&a.cases.len()));
        Ok((total, persons.into_iter().skip(offset).take(limit.clamp(1, 1000)).collect()))
    }

    /// National figures on persons (latest run, review decisions applied).
    pub async fn national_counts(&self, actor: &Actor) -> Result<Option<(LinkageRun, NationalCounts)>> {
        self.nat_check(actor, Action::RunLinkage, "linkage.read").await?;
        Ok(self.latest(actor).await?.map(|(run, res)| {
            let c = national::count(&res.facts, &res.cluster_of);
            (run, c)
        }))
    }

    /// Pairs awaiting clerical review (most uncertain first), identities side
    /// by side; every case shown is audited as read.
    pub async fn review_pairs(&self, actor: &Actor, limit: usize) -> Result<Vec<ReviewPair>> {
        self.nat_check(actor, Action::ReviewLinkage, "linkage.review").await?;
        let Some((run, res)) = self.latest(actor).await? else { return Ok(Vec::new()) };
        let decided: HashSet<(u32, u32)> = self.decisions_for(&res.case_ids).await?.into_iter().map(|(a, b, _)| (a.min(b), a.max(b))).collect();
        let mut todo: Vec<&ScoredPair> = res.pairs.iter().filter(|p| p.probability < REVIEW_UPPER && !decided.contains(&(p.a, p.b))).collect();
        todo.sort_by(|x, y| (x.probability - MATCH_THRESHOLD).abs().total_cmp(&(y.probability - MATCH_THRESHOLD).abs()).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
        todo.truncate(limit.clamp(1, 200));
        let mut out = Vec::with_capacity(todo.len());
        let mut events = Vec::new();
        let mut shown: HashMap<u32, ReviewSide> = HashMap::new();
        for p in &todo {
            for i in [p.a, p.b] {
                if shown.contains_key(&i) {
                    continue;
                }
                let id = res.case_ids[i as usize];
                let sc = self.store.get_case(id).await?.ok_or(ServiceError::NotFound)?;
                events.push(self.nat_event(actor, "case.read", Some(id), format!("linkage review run {}", run.id)));
                let ident = self.open_identity(&sc)?;
                shown.insert(
                    i,
                    ReviewSide {
                        case_id: id,
                        agency_id: sc.case.agency_id,
                        identity: ReviewIdentity { given_names: ident.given_names.clone(), family_names: ident.family_names.clone(), date_of_birth: ident.date_of_birth.map(format_date) },
                        sex: sc.case.facts.sex,
                        citizenship: sc.case.facts.citizenship.map(|c| c.code().to_string()),
                        identified_on: sc.case.facts.identified_on,
                    },
                );
            }
        }
        // The reads are recorded before any identity leaves the service.
        self.store.append_audit(&events).await?;
        for p in todo {
            if let (Some(a), Some(b)) = (shown.get(&p.a), shown.get(&p.b)) {
                out.push(ReviewPair { a: a.clone(), b: b.clone(), probability: p.probability, linked: res.cluster_of[p.a as usize] == res.cluster_of[p.b as usize] });
            }
        }
        Ok(out)
    }

    /// Record a clerical decision on two cases of the latest run and
    /// recompute its persons at once. Returns the updated run.
    pub async fn review_decision(&self, actor: &Actor, a: CaseId, b: CaseId, verdict: Verdict) -> Result<LinkageRun> {
        self.nat_check(actor, Action::ReviewLinkage, "linkage.review").await?;
        if a == b {
            return Err(invalid("pair", "choose two different cases"));
        }
        let Some((mut run, mut res)) = self.latest(actor).await? else { return Err(invalid("pair", "no linkage run yet")) };
        if !res.case_ids.contains(&a) || !res.case_ids.contains(&b) {
            return Err(invalid("pair", "both cases must be in the latest linkage run"));
        }
        let (x, y) = pair_key(a, b);
        let now = self.clock.now_ms();
        let review = LinkageReview { a: x, b: y, verdict, by: actor.user_id, at_ms: now, run_id: run.id.clone() };
        let rec = Record {
            id: format!("linkage-review:{x}:{y}"),
            kind: LINKAGE_REVIEW.into(),
            case_id: Some(x),
            agency_id: Some(actor.agency_id),
            other_agency_id: None,
            status: Some(verdict.code().into()),
            at_ms: now,
            body: serde_json::to_string(&review).unwrap_or_default(),
        };
        // Decisions in force, this one included (it replaces an earlier one on the pair).
        let idx: HashMap<CaseId, u32> = res.case_ids.iter().enumerate().map(|(i, c)| (*c, i as u32)).collect();
        let (ia, ib) = (idx[&x], idx[&y]);
        let mut decisions: Vec<(u32, u32, Verdict)> = self.decisions_for(&res.case_ids).await?.into_iter().filter(|d| (d.0.min(d.1), d.0.max(d.1)) != (ia.min(ib), ia.max(ib))).collect();
        decisions.push((ia, ib, verdict));
        res.cluster_of = national::clusters(res.case_ids.len(), &res.pairs, MATCH_THRESHOLD, &decisions);
        run.persons = national::members(&res.cluster_of).len() as u64;
        run.decisions_applied = decisions.len() as u64;
        run.updated_at_ms = now;
        let events = vec![
            self.nat_event(actor, "linkage.review", Some(x), format!("{} with case {y}, run {}", verdict.code(), run.id)),
            self.nat_event(actor, "linkage.review", Some(y), format!("{} with case {x}, run {}", verdict.code(), run.id)),
        ];
        self.store.put_records(&[rec, self.result_record(&res, &run, actor), self.run_record(&run, actor)], &events).await?;
        Ok(run)
    }

    /// Whether two cases are one person in the latest run (for pages and tests).
    pub async fn linked_together(&self, actor: &Actor, a: CaseId, b: CaseId) -> Result<bool> {
        self.nat_check(actor, Action::RunLinkage, "linkage.read").await?;
        let Some((_, res)) = self.latest(actor).await? else { return Ok(false) };
        let pos = |c: CaseId| res.case_ids.iter().position(|x| *x == c);
        Ok(matches!((pos(a), pos(b)), (Some(i), Some(j)) if res.cluster_of[i] == res.cluster_of[j]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_round_trips_through_json() {
        let run = LinkageRun {
            id: "r".into(),
            country: "BR".into(),
            by: UserId(uuid::Uuid::nil()),
            at_ms: 1,
            mode: LinkMode::Encoded,
            fields: vec!["a".into()],
            threshold: MATCH_THRESHOLD,
            review_lower: REVIEW_LOWER,
            review_upper: REVIEW_UPPER,
            agencies: vec![RunAgency { agency_id: AgencyId(uuid::Uuid::nil()), records: 2, clear_text_allowed: false }],
            records: 2,
            candidates: 1,
            matched_pairs: 1,
            review_pairs: 0,
            persons: 1,
            decisions_applied: 0,
            updated_at_ms: 1,
        };
        let s = serde_json::to_string(&run).unwrap();
        let back: LinkageRun = serde_json::from_str(&s).unwrap();
        assert_eq!(back.persons, 1);
    }
}
