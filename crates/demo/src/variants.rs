//! The ways real lists write the same person differently.

use rand::Rng;
use time::{Date, Month};

use crate::names::{ACCENTED, NICKNAMES, SPELLINGS};

/// A person's name as one record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub given: Vec<String>,
    /// Family name units ("da Silva", "Santos").
    pub family: Vec<String>,
}

/// One kind of variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variation {
    StripAccents,
    AddAccents,
    DropSurname,
    SwapNames,
    SwapDayMonth,
    DropBirthDate,
    Nickname,
    DropMiddleName,
    Transpose,
    DropLetter,
    Spelling,
    UpperCase,
}

pub(crate) const VARIATIONS: &[(Variation, u32)] = &[
    (Variation::StripAccents, 12),
    (Variation::AddAccents, 6),
    (Variation::DropSurname, 14),
    (Variation::SwapNames, 6),
    (Variation::SwapDayMonth, 8),
    (Variation::DropBirthDate, 10),
    (Variation::Nickname, 8),
    (Variation::DropMiddleName, 8),
    (Variation::Transpose, 10),
    (Variation::DropLetter, 5),
    (Variation::Spelling, 8),
    (Variation::UpperCase, 5),
];

/// Remove diacritics (Latin letters and the Yoruba under-dots).
pub(crate) fn strip_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let r = match ch {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'A',
            'é' | 'è' | 'ê' | 'ë' | 'ẹ' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' | 'Ẹ' => 'E',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ọ' => 'o',
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' | 'Ọ' => 'O',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            'ñ' => 'n',
            'Ñ' => 'N',
            'ṣ' => 's',
            'Ṣ' => 'S',
            '\u{0300}'..='\u{036F}' => continue,
            c => c,
        };
        out.push(r);
    }
    out
}

fn map_words(units: &mut [String], f: impl Fn(&str) -> Option<String>) -> bool {
    let mut changed = false;
    for u in units.iter_mut() {
        let words: Vec<String> = u
            .split(' ')
            .map(|w| match f(w) {
                Some(n) => {
                    changed = true;
                    n
                }
                None => w.to_string(),
            })
            .collect();
        *u = words.join(" ");
    }
    changed
}

fn lookup(table: &[(&str, &str)], w: &str, both_ways: bool) -> Option<String> {
    table.iter().find_map(|(a, b)| {
        if *a == w {
            Some(b.to_string())
        } else if both_ways && *b == w {
            Some(a.to_string())
        } else {
            None
        }
    })
}

/// A random word of at least `min` letters: (in family?, unit index, word index).
fn random_word<R: Rng>(rng: &mut R, n: &Name, min: usize) -> Option<(bool, usize, usize)> {
    let mut cands = Vec::new();
    for (fam, units) in [(false, &n.given), (true, &n.family)] {
        for (i, u) in units.iter().enumerate() {
            for (j, w) in u.split(' ').enumerate() {
                if w.chars().count() >= min && w.chars().all(char::is_alphabetic) {
                    cands.push((fam, i, j));
                }
            }
        }
    }
    if cands.is_empty() {
        None
    } else {
        Some(cands[rng.gen_range(0..cands.len())])
    }
}

fn edit_word(n: &mut Name, at: (bool, usize, usize), f: impl Fn(&str) -> String) {
    let units = if at.0 { &mut n.family } else { &mut n.given };
    let mut words: Vec<String> = units[at.1].split(' ').map(str::to_string).collect();
    words[at.2] = f(&words[at.2]);
    units[at.1] = words.join(" ");
}

/// Day and month swapped, when that still makes a date.
pub(crate) fn swap_day_month(d: Date) -> Option<Date> {
    let (day, month) = (d.day(), u8::from(d.month()));
    if day > 12 || day == month {
        return None;
    }
    let m = Month::try_from(day).ok()?;
    Date::from_calendar_date(d.year(), m, month).ok()
}

/// Apply one variation; returns whether anything changed.
pub(crate) fn apply<R: Rng>(rng: &mut R, v: Variation, name: &mut Name, dob: &mut Option<Date>) -> bool {
    match v {
        Variation::StripAccents => {
            let before = name.clone();
            for u in name.given.iter_mut().chain(name.family.iter_mut()) {
                *u = strip_accents(u);
            }
            before != *name
        }
        Variation::AddAccents => {
            map_words(&mut name.given, |w| lookup(ACCENTED, w, false)) | map_words(&mut name.family, |w| lookup(ACCENTED, w, false))
        }
        Variation::DropSurname => {
            if name.family.len() >= 2 {
                let i = rng.gen_range(0..name.family.len());
                name.family.remove(i);
                true
            } else {
                false
            }
        }
        Variation::SwapNames => {
            if name.given.is_empty() || name.family.is_empty() {
                return false;
            }
            std::mem::swap(&mut name.given, &mut name.family);
            true
        }
        Variation::SwapDayMonth => match dob.and_then(swap_day_month) {
            Some(d) => {
                *dob = Some(d);
                true
            }
            None => false,
        },
        Variation::DropBirthDate => dob.take().is_some(),
        Variation::Nickname => {
            let mut done = false;
            for w in name.given.iter_mut() {
                if done {
                    break;
                }
                let opts: Vec<&str> = NICKNAMES.iter().filter(|(full, _)| full == w).map(|(_, n)| *n).collect();
                if !opts.is_empty() {
                    *w = opts[rng.gen_range(0..opts.len())].to_string();
                    done = true;
                }
            }
            if !done && name.given.len() >= 2 {
                // Abbreviate the second given name to its initial.
                if let Some(first) = name.given[1].chars().next() {
                    name.given[1] = format!("{first}.");
                    done = true;
                }
            }
            done
        }
        Variation::DropMiddleName => {
            if name.given.len() >= 2 {
                name.given.pop();
                true
            } else {
                false
            }
        }
        Variation::Transpose => match random_word(rng, name, 4) {
            Some(at) => {
                let k = rng.gen_range(1..3usize);
                edit_word(name, at, |w| {
                    let mut cs: Vec<char> = w.chars().collect();
                    let i = k.min(cs.len() - 2);
                    cs.swap(i, i + 1);
                    cs.into_iter().collect()
                });
                true
            }
            None => false,
        },
        Variation::DropLetter => match random_word(rng, name, 5) {
            Some(at) => {
                let k = rng.gen_range(1..4usize);
                edit_word(name, at, |w| {
                    let mut cs: Vec<char> = w.chars().collect();
                    cs.remove(k.min(cs.len() - 1));
                    cs.into_iter().collect()
                });
                true
            }
            None => false,
        },
        Variation::Spelling => {
            map_words(&mut name.given, |w| lookup(SPELLINGS, w, true)) | map_words(&mut name.family, |w| lookup(SPELLINGS, w, true))
        }
        Variation::UpperCase => {
            for u in name.given.iter_mut().chain(name.family.iter_mut()) {
                *u = u.to_uppercase();
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use time::macros::date;

    fn name(g: &[&str], f: &[&str]) -> Name {
        Name { given: g.iter().map(|s| s.to_string()).collect(), family: f.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn accents() {
        assert_eq!(strip_accents("João da Conceição Ñandú Adébáyọ̀"), "Joao da Conceicao Nandu Adebayo");
    }

    #[test]
    fn day_month() {
        assert_eq!(swap_day_month(date!(2001 - 03 - 07)), Some(date!(2001 - 07 - 03)));
        assert_eq!(swap_day_month(date!(2001 - 03 - 17)), None);
        assert_eq!(swap_day_month(date!(2001 - 04 - 04)), None);
    }

    #[test]
    fn variations_change_names() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut dob = Some(date!(1999 - 02 - 05));
        let base = name(&["Jose", "Francisco"], &["da Conceição", "Souza"]);
        for (v, _) in VARIATIONS {
            let mut n = base.clone();
            let mut d = dob;
            let changed = apply(&mut rng, *v, &mut n, &mut d);
            assert!(changed, "{v:?} did nothing");
            assert!(n != base || d != dob, "{v:?} claimed a change");
        }
        let mut n = base.clone();
        assert!(apply(&mut rng, Variation::DropSurname, &mut n, &mut dob));
        assert_eq!(n.family.len(), 1);
        let mut n = base;
        apply(&mut rng, Variation::SwapNames, &mut n, &mut dob);
        assert_eq!(n.given, ["da Conceição", "Souza"]);
    }
}
