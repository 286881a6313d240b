//! Normalisation of raw cell values: accent folding, case folding, name
//! tokenisation, date parsing, identifiers.

use unicode_normalization::UnicodeNormalization;

/// Folds accents and case: `"Gonçalves ÓBI"` → `"goncalves obi"`. Every
/// character that is not a letter or a digit becomes a space; runs of spaces
/// collapse.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let mapped: &str = match c {
            'ß' => "ss",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'ø' | 'Ø' => "o",
            'đ' | 'Đ' | 'ð' | 'Ð' => "d",
            'ł' | 'Ł' => "l",
            'ı' => "i",
            'þ' | 'Þ' => "th",
            'ŋ' | 'Ŋ' => "n",
            'ɛ' | 'Ɛ' => "e",
            'ɔ' | 'Ɔ' => "o",
            'ƙ' | 'Ƙ' => "k",
            'ɗ' | 'Ɗ' => "d",
            'ɓ' | 'Ɓ' => "b",
            'ƴ' | 'Ƴ' => "y",
            '\'' | '’' | '`' | '´' => "", // O'Brien = OBrien, N'Diaye = NDiaye
            _ => {
                if c.is_alphanumeric() {
                    for l in c.to_lowercase() {
                        out.push(l);
                    }
                    space = false;
                } else if !space {
                    out.push(' ');
                    space = true;
                }
                continue;
            }
        };
        out.push_str(mapped);
        if !mapped.is_empty() {
            space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Name particles that carry no identity ("Maria da Silva" = "Maria Silva").
const PARTICLES: &[&str] = &[
    "de", "da", "do", "das", "dos", "del", "della", "di", "du", "la", "las", "los", "le", "y", "e",
    "van", "von", "der", "den", "mr", "mrs", "ms", "dr", "sr", "sra",
];

/// Name tokens after folding, without particles.
pub fn name_tokens(s: &str) -> Vec<String> {
    let f = fold(s);
    let toks: Vec<String> = f
        .split(' ')
        .filter(|t| !t.is_empty() && !PARTICLES.contains(t))
        .map(str::to_owned)
        .collect();
    if toks.is_empty() {
        // A name made only of particles: keep what was written.
        f.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
    } else {
        toks
    }
}

/// Identifier normalisation: upper-case letters and digits only.
pub fn ident(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase()
}

/// A possibly partial date. `digits` is `YYYYMMDD` with `?` in unknown
/// positions, used for typo-tolerant comparison of malformed dates too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PDate {
    /// Year, if known.
    pub y: Option<u16>,
    /// Month 1–12, if known (may be out of range when the date is malformed).
    pub m: Option<u8>,
    /// Day, if known.
    pub d: Option<u8>,
    /// Digits as written, normalised to year-month-day order.
    pub digits: String,
}

impl PDate {
    /// True when year, month and day are all known.
    pub fn is_full(&self) -> bool {
        self.y.is_some() && self.m.is_some() && self.d.is_some()
    }
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYYMMDD`, `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY`, `DD-MM-YYYY`,
/// `DD.MM.YYYY`, and partial forms `YYYY`, `YYYY-MM`, `YYYYMM`, `MM/YYYY`.
/// Returns `None` for an empty cell. Unparseable non-empty text is kept as
/// digits only (so that a malformed date still compares by edit distance).
pub fn parse_date(s: &str) -> Option<PDate> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let parts: Vec<&str> = t.split(['-', '/', '.', ' ']).filter(|p| !p.is_empty()).collect();
    let mk = |y: Option<u16>, m: Option<u8>, d: Option<u8>| {
        let digits = format!(
            "{}{}{}",
            y.map_or("????".to_owned(), |v| format!("{v:04}")),
            m.map_or("??".to_owned(), |v| format!("{v:02}")),
            d.map_or("??".to_owned(), |v| format!("{v:02}"))
        );
        Some(PDate { y, m, d, digits })
    };
    let unknown = |p: &str| matches!(p, "?" | "??" | "????" | "x" | "xx" | "XX" | "00" | "0000");
    match parts.as_slice() {
        [one] if one.len() == 8 && num::<u32>(one).is_some() => {
            let y = num(&one[0..4]);
            let m: Option<u8> = num(&one[4..6]);
            let d: Option<u8> = num(&one[6..8]);
            mk(y, m.filter(|&v| v != 0), d.filter(|&v| v != 0))
        }
        [one] if one.len() == 6 && num::<u32>(one).is_some() => mk(num(&one[0..4]), num::<u8>(&one[4..6]).filter(|&v| v != 0), None),
        [one] if one.len() == 4 && num::<u16>(one).is_some() => mk(num(one), None, None),
        [a, b, c] if a.len() == 4 => {
            let m = if unknown(b) { None } else { num(b) };
            let d = if unknown(c) { None } else { num(c) };
            mk(num(a), m, d)
        }
        [a, b, c] if c.len() == 4 => {
            let d = if unknown(a) { None } else { num(a) };
            let m = if unknown(b) { None } else { num(b) };
            mk(num(c), m, d)
        }
        [a, b] if a.len() == 4 => mk(num(a), if unknown(b) { None } else { num(b) }, None),
        [a, b] if b.len() == 4 => mk(num(b), if unknown(a) { None } else { num(a) }, None),
        _ => {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            if digits.is_empty() {
                None
            } else {
                Some(PDate { y: None, m: None, d: None, digits })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Gonçalves  ÓBI-Nwosu"), "goncalves obi nwosu");
        assert_eq!(fold("Ouédraogo"), "ouedraogo");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(name_tokens("Maria da Conceição"), vec!["maria", "conceicao"]);
    }

    #[test]
    fn dates() {
        let a = parse_date("19850312").unwrap();
        assert_eq!((a.y, a.m, a.d), (Some(1985), Some(3), Some(12)));
        assert_eq!(parse_date("1985-03-12"), Some(a.clone()));
        assert_eq!(parse_date("12/03/1985"), Some(a));
        let p = parse_date("1985").unwrap();
        assert_eq!((p.y, p.m, p.d), (Some(1985), None, None));
        assert_eq!(parse_date(" "), None);
    }
}
