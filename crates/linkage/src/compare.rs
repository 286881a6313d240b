//! Field comparators: each turns two prepared values into an agreement level
//! (0 = exact agreement, higher = weaker agreement, last = disagreement).

use crate::strsim::{damerau_levenshtein, jaro_winkler};

use crate::config::FieldKind;
use crate::normalize::{fold, ident, name_tokens, parse_date, PDate};
use crate::phonetic;

/// A prepared (normalised) cell value.
#[derive(Debug, Clone)]
pub enum Value {
    /// Empty cell.
    Missing,
    /// A name.
    Name(NameVal),
    /// A date.
    Date(PDate),
    /// Identifier, postcode, street or other text, normalised.
    Str(String),
}

/// A prepared name.
#[derive(Debug, Clone)]
pub struct NameVal {
    /// Tokens joined by one space (particles dropped).
    pub full: String,
    /// Tokens sorted (order-free comparison).
    pub sorted: Vec<String>,
    /// Phonetic keys of the tokens, in written order.
    pub phon: Vec<String>,
}

/// Prepares a raw cell for a field kind.
pub fn prepare(kind: FieldKind, raw: &str) -> Value {
    let raw = raw.trim();
    if raw.is_empty() {
        return Value::Missing;
    }
    match kind {
        FieldKind::Name => {
            let toks = name_tokens(raw);
            if toks.is_empty() {
                return Value::Missing;
            }
            let phon = toks.iter().map(|t| phonetic::key(t)).collect();
            let full = toks.join(" ");
            let mut sorted = toks;
            sorted.sort();
            Value::Name(NameVal { full, sorted, phon })
        }
        FieldKind::Date => parse_date(raw).map_or(Value::Missing, Value::Date),
        FieldKind::Id | FieldKind::Postcode => {
            let v = ident(raw);
            if v.is_empty() {
                Value::Missing
            } else {
                Value::Str(v)
            }
        }
        FieldKind::Street | FieldKind::Text => {
            let v = fold(raw);
            if v.is_empty() {
                Value::Missing
            } else {
                Value::Str(v)
            }
        }
    }
}

/// Number of agreement levels of a kind (missing is not a level).
pub fn n_levels(kind: FieldKind) -> u8 {
    match kind {
        FieldKind::Name => 5,
        FieldKind::Date | FieldKind::Id | FieldKind::Street | FieldKind::Text => 4,
        FieldKind::Postcode => 3,
    }
}

/// Human description of each level, for reports and docs.
pub fn level_labels(kind: FieldKind) -> &'static [&'static str] {
    match kind {
        FieldKind::Name => &["exact or same tokens", "Jaro-Winkler >= 0.94", "one name inside the other, or same phonetic key, or JW >= 0.88", "one token agrees, initial agrees, or JW >= 0.80", "disagree"],
        FieldKind::Date => &["exact", "day/month swapped or one typo", "same year and month, or partial date consistent, or two typos", "disagree"],
        FieldKind::Id => &["exact", "one edit (typo or transposition)", "two edits", "disagree"],
        FieldKind::Postcode => &["exact", "one edit", "disagree"],
        FieldKind::Street | FieldKind::Text => &["exact", "Jaro-Winkler >= 0.92", "Jaro-Winkler >= 0.80", "disagree"],
    }
}

/// Compares two prepared values; `None` when either is missing.
pub fn compare(kind: FieldKind, a: &Value, b: &Value) -> Option<u8> {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => None,
        (Value::Name(x), Value::Name(y)) => Some(compare_names(x, y)),
        (Value::Date(x), Value::Date(y)) => Some(compare_dates(x, y)),
        (Value::Str(x), Value::Str(y)) => Some(match kind {
            FieldKind::Id => edit_levels(x, y, 4),
            FieldKind::Postcode => edit_levels(x, y, 3),
            _ => text_levels(x, y),
        }),
        _ => None,
    }
}

fn edit_levels(x: &str, y: &str, n: u8) -> u8 {
    if x == y {
        return 0;
    }
    let d = damerau_levenshtein(x, y);
    match (d, n) {
        (1, _) => 1,
        (2, 4) => 2,
        _ => n - 1,
    }
}

fn text_levels(x: &str, y: &str) -> u8 {
    if x == y {
        return 0;
    }
    let jw = jaro_winkler(x, y);
    if jw >= 0.92 {
        1
    } else if jw >= 0.80 {
        2
    } else {
        3
    }
}

fn tok_eq(a: &str, b: &str) -> bool {
    a == b || (a.len() >= 4 && b.len() >= 4 && jaro_winkler(a, b) >= 0.92)
}

/// Name comparator: exact / near / partial / weak / disagree.
pub fn compare_names(a: &NameVal, b: &NameVal) -> u8 {
    if a.full == b.full || a.sorted == b.sorted {
        return 0;
    }
    let jw = jaro_winkler(&a.full, &b.full);
    if jw >= 0.94 {
        return 1;
    }
    // One name contained in the other ("silva santos" / "santos"), tokens fuzzy-equal.
    let (short, long) = if a.sorted.len() <= b.sorted.len() { (a, b) } else { (b, a) };
    if short.sorted.len() < long.sorted.len() && short.sorted.iter().all(|t| long.sorted.iter().any(|u| tok_eq(t, u))) {
        return 2;
    }
    if a.phon == b.phon || jw >= 0.88 {
        return 2;
    }
    let token_agrees = a.sorted.iter().any(|t| t.len() >= 3 && b.sorted.iter().any(|u| tok_eq(t, u)));
    let phon_token = a.phon.iter().any(|p| p.len() >= 2 && b.phon.contains(p));
    let initial = |s: &NameVal, l: &NameVal| s.full.len() == 1 && l.full.starts_with(&s.full);
    if token_agrees || phon_token || initial(a, b) || initial(b, a) || jw >= 0.80 {
        return 3;
    }
    4
}

/// Date comparator, aware of day/month swaps and partial dates.
pub fn compare_dates(a: &PDate, b: &PDate) -> u8 {
    if a.y.is_some() && b.y.is_some() {
        if a.is_full() && b.is_full() {
            if a.digits == b.digits {
                return 0;
            }
            if a.y == b.y && a.d == b.m && a.m == b.d {
                return 1;
            }
            let d = damerau_levenshtein(&a.digits, &b.digits);
            if d <= 1 {
                return 1;
            }
            if (a.y == b.y && a.m == b.m) || d == 2 {
                return 2;
            }
            return 3;
        }
        // Partial date on at least one side: agree on what both know.
        let agree = |x: Option<u8>, y: Option<u8>| match (x, y) {
            (Some(p), Some(q)) => p == q,
            _ => true,
        };
        if a.y == b.y && agree(a.m, b.m) && agree(a.d, b.d) {
            return 2;
        }
        // Swapped partial: year equal and the known month equals the other's day.
        if a.y == b.y && ((a.m.is_some() && a.m == b.d) || (b.m.is_some() && b.m == a.d)) {
            return 2;
        }
        return 3;
    }
    // Malformed dates: digits only.
    if a.digits == b.digits {
        return 0;
    }
    match damerau_levenshtein(&a.digits, &b.digits) {
        1 => 1,
        2 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NameVal {
        match prepare(FieldKind::Name, s) {
            Value::Name(v) => v,
            _ => panic!(),
        }
    }

    #[test]
    fn names() {
        assert_eq!(compare_names(&n("José"), &n("JOSE")), 0);
        assert_eq!(compare_names(&n("Silva Santos"), &n("Santos Silva")), 0);
        assert_eq!(compare_names(&n("Silva Santos"), &n("Santos")), 2);
        assert_eq!(compare_names(&n("Gonçalves"), &n("Gonsalves")), 1);
        assert_eq!(compare_names(&n("J"), &n("John")), 3);
        assert_eq!(compare_names(&n("Adebayo"), &n("Okafor")), 4);
    }

    #[test]
    fn dates() {
        let d = |s: &str| parse_date(s).unwrap();
        assert_eq!(compare_dates(&d("19850312"), &d("1985-03-12")), 0);
        assert_eq!(compare_dates(&d("19851203"), &d("1985-03-12")), 1);
        assert_eq!(compare_dates(&d("1985"), &d("1985-03-12")), 2);
        assert_eq!(compare_dates(&d("1984"), &d("1985-03-12")), 3);
    }
}
