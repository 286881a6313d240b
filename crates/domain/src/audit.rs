//! The audit log's hash chain.
//!
//! Each entry carries the MAC of its own content and of the previous entry's MAC,
//! keyed with the audit key (kept outside the database). Changing, removing or
//! reordering an entry breaks the chain at that entry, and [`verify`] names it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The `prev` of the first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// The content of an entry, as chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The acting user (none for system actions such as demo generation or imports by an operator).
    pub actor: Option<String>,
    /// e.g. `case.create`, `case.read`, `case.list`.
    pub action: String,
    pub case_id: Option<String>,
    /// Non-identifying detail (e.g. the view granted).
    pub detail: String,
    pub prev: [u8; 32],
}

/// An entry with its MAC as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub record: AuditRecord,
    pub mac: [u8; 32],
}

fn put(m: &mut HmacSha256, bytes: &[u8]) {
    m.update(&(bytes.len() as u64).to_be_bytes());
    m.update(bytes);
}

/// The MAC of a record under `key`.
pub fn mac(key: &[u8], r: &AuditRecord) -> [u8; 32] {
    Sealer::new(key).mac(r)
}

/// Seal a record into an entry.
pub fn seal(key: &[u8], record: AuditRecord) -> AuditEntry {
    Sealer::new(key).seal(record)
}

/// MACs under one key, with the key schedule done once (a large import seals a
/// million entries). No `Debug`: it holds the keyed state.
#[derive(Clone)]
pub struct Sealer {
    keyed: HmacSha256,
}

impl Sealer {
    pub fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length.
        Self { keyed: <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!()) }
    }

    pub fn mac(&self, r: &AuditRecord) -> [u8; 32] {
        let mut m = self.keyed.clone();
        put(&mut m, b"vigia-audit-v1");
        put(&mut m, &r.seq.to_be_bytes());
        put(&mut m, &r.at_ms.to_be_bytes());
        put(&mut m, r.actor.as_deref().unwrap_or("").as_bytes());
        put(&mut m, r.action.as_bytes());
        put(&mut m, r.case_id.as_deref().unwrap_or("").as_bytes());
        put(&mut m, r.detail.as_bytes());
        put(&mut m, &r.prev);
        m.finalize().into_bytes().into()
    }

    pub fn seal(&self, record: AuditRecord) -> AuditEntry {
        let mac = self.mac(&record);
        AuditEntry { record, mac }
    }
}

/// What is wrong with the chain, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's content does not match its MAC: it was changed.
    Altered { seq: i64 },
    /// Entries with these sequence numbers are absent.
    Missing { from: i64, to: i64 },
    /// The entry does not link to its predecessor: moved, or a predecessor replaced.
    Unlinked { seq: i64 },
    /// Sequence numbers go backwards or repeat.
    OutOfOrder { seq: i64, after: i64 },
    /// The chain head recorded separately does not match the last entry.
    HeadMismatch { recorded_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Altered { seq } => write!(f, "entry {seq} was altered: its content does not match its MAC"),
            AuditProblem::Missing { from, to } if from == to => write!(f, "entry {from} is missing (removed)"),
            AuditProblem::Missing { from, to } => write!(f, "entries {from} to {to} are missing (removed)"),
            AuditProblem::Unlinked { seq } => {
                write!(f, "entry {seq} does not follow the entry before it (reordered, or its predecessor replaced)")
            }
            AuditProblem::OutOfOrder { seq, after } => write!(f, "entry {seq} comes after entry {after} (reordered or duplicated)"),
            AuditProblem::HeadMismatch { recorded_seq, last_seq } => write!(
                f,
                "the recorded chain head is entry {recorded_seq} but the last entry is {last_seq} (entries removed at the end, or head altered)"
            ),
        }
    }
}

/// Streaming verifier: feed entries in stored order.
#[derive(Clone)]
pub struct Verifier {
    sealer: Sealer,
    expected_seq: i64,
    prev: [u8; 32],
    pub problems: Vec<AuditProblem>,
    pub checked: u64,
}

impl Verifier {
    pub fn new(key: &[u8]) -> Self {
        Self { sealer: Sealer::new(key), expected_seq: 1, prev: GENESIS, problems: Vec::new(), checked: 0 }
    }

    pub fn feed(&mut self, e: &AuditEntry) {
        self.checked += 1;
        let seq = e.record.seq;
        let mut gap = false;
        if seq > self.expected_seq {
            self.problems.push(AuditProblem::Missing { from: self.expected_seq, to: seq - 1 });
            gap = true;
        } else if seq < self.expected_seq {
            self.problems.push(AuditProblem::OutOfOrder { seq, after: self.expected_seq - 1 });
        }
        if self.sealer.mac(&e.record) != e.mac {
            self.problems.push(AuditProblem::Altered { seq });
        } else if e.record.prev != self.prev && !gap {
            self.problems.push(AuditProblem::Unlinked { seq });
        }
        self.prev = e.mac;
        self.expected_seq = seq.max(self.expected_seq - 1) + 1;
    }

    /// Compare with the separately recorded head (last sequence number and MAC).
    pub fn finish(mut self, head: Option<(i64, [u8; 32])>) -> Vec<AuditProblem> {
        let last = self.expected_seq - 1;
        if let Some((hseq, hmac)) = head {
            if hseq != last || (last > 0 && hmac != self.prev) {
                self.problems.push(AuditProblem::HeadMismatch { recorded_seq: hseq, last_seq: last });
            }
        }
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = seal(
                    KEY,
                    AuditRecord {
                        seq,
                        at_ms: 1000 + seq,
                        actor: Some("u".into()),
                        action: "case.read".into(),
                        case_id: Some(format!("c{seq}")),
                        detail: String::new(),
                        prev,
                    },
                );
                prev = e.mac;
                e
            })
            .collect()
    }

    fn run(entries: &[AuditEntry]) -> Vec<AuditProblem> {
        let mut v = Verifier::new(KEY);
        for e in entries {
            v.feed(e);
        }
        let head = entries.last().map(|e| (e.record.seq, e.mac));
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        assert!(run(&chain(10)).is_empty());
    }

    #[test]
    fn altered_entry_is_named() {
        let mut c = chain(10);
        c[4].record.action = "case.create".into();
        assert_eq!(run(&c), vec![AuditProblem::Altered { seq: 5 }]);
    }

    #[test]
    fn removed_entry_is_named() {
        let mut c = chain(10);
        c.remove(6);
        assert!(run(&c).contains(&AuditProblem::Missing { from: 7, to: 7 }));
    }

    #[test]
    fn swapped_entries_are_named() {
        let mut c = chain(10);
        c.swap(2, 3);
        let p = run(&c);
        assert!(p.iter().any(|p| matches!(p, AuditProblem::OutOfOrder { seq: 3, .. })), "{p:?}");
        // Swapping the sequence numbers too (so they look in order) breaks the MACs.
        let mut c = chain(10);
        let (a, b) = (c[2].record.seq, c[3].record.seq);
        c.swap(2, 3);
        c[2].record.seq = a;
        c[3].record.seq = b;
        let p = run(&c);
        assert!(p.contains(&AuditProblem::Altered { seq: 3 }) && p.contains(&AuditProblem::Altered { seq: 4 }), "{p:?}");
    }

    #[test]
    fn truncation_is_seen_against_the_head() {
        let c = chain(10);
        let mut v = Verifier::new(KEY);
        for e in &c[..8] {
            v.feed(e);
        }
        assert_eq!(v.finish(Some((10, c[9].mac))), vec![AuditProblem::HeadMismatch { recorded_seq: 10, last_seq: 8 }]);
    }

    #[test]
    fn wrong_key_fails() {
        let c = chain(3);
        let mut v = Verifier::new(b"another key");
        v.feed(&c[0]);
        assert_eq!(v.finish(None), vec![AuditProblem::Altered { seq: 1 }]);
    }
}
