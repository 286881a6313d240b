//! The knowledge base: legal frameworks compared point by point, good practices,
//! procedures and tools with full-text search in English, Spanish, Portuguese and
//! French, and a directory of focal points.
//!
//! Search folds case and accents and applies a light, per-language suffix
//! stemmer ([`terms`]). The index ([`Index`]) is built in memory from the
//! records at query time: fine for the few thousand entries a knowledge base
//! holds; a database full-text index would replace it beyond that.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::plans::{codes, Pillar};

codes!(
    /// The points on which legal frameworks are compared (the questions of the
    /// 2014 OAS national authorities' concept note, topics 2 and 3).
    LegalPoint, "legal point" {
    Definition = "definition": "Definition of trafficking in persons",
    Elements = "elements": "Elements of the definition (act, means, purpose)",
    Consent = "consent": "Consent (linked to the means? children?)",
    FormsCriminalised = "forms_criminalised": "Forms of exploitation criminalised",
    Penalties = "penalties": "Penalties",
    NonPunishment = "non_punishment": "Non-punishment of victims",
    ResidencePermits = "residence_permits": "Residence permits / regularisation for foreign victims",
    Reparations = "reparations": "Reparations to victims",
    CompensationFund = "compensation_fund": "Compensation fund or mechanism",
    Children = "children": "Specific measures for children and adolescents",
    Lgbt = "lgbt": "Specific measures for LGBT persons",
    EthnicGroups = "ethnic_groups": "Specific measures for ethnic and racial groups",
    ConsularAssistance = "consular_assistance": "Consular assistance to nationals abroad",
});

codes!(
    /// A short answer to a point, for the comparison table.
    Answer, "answer" {
    Yes = "yes": "Yes",
    Partly = "partly": "Partly",
    No = "no": "No",
    Unknown = "unknown": "Not known",
});

codes!(
    /// What a library entry is.
    EntryKind, "entry kind" {
    Practice = "practice": "Good practice",
    Procedure = "procedure": "Standard operating procedure",
    Tool = "tool": "Tool",
});

codes!(
    /// The languages search understands.
    Lang, "language" {
    En = "en": "English",
    Es = "es": "Español",
    Pt = "pt": "Português",
    Fr = "fr": "Français",
});

/// One point of a country's framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointEntry {
    pub answer: Answer,
    /// The provision and how it works, in a few sentences.
    pub text: String,
}

/// A country's legal framework against trafficking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalFramework {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The main law(s), by name and number.
    pub law: String,
    #[serde(default)]
    pub points: BTreeMap<LegalPoint, PointEntry>,
    /// The legal profile screening uses for this country (`GET /api/v1/legal-profiles`).
    #[serde(default)]
    pub profile_code: Option<String>,
    #[serde(default)]
    pub source: String,
    /// Example content that does not describe the law in force.
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub updated_at_ms: i64,
}

/// One row of the comparison table: a point and each chosen country's entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub point: LegalPoint,
    pub cells: Vec<Option<PointEntry>>,
    /// The answers are not all the same (among the countries that answer).
    pub differs: bool,
}

/// Compare frameworks point by point, in the order given.
pub fn compare(frameworks: &[&LegalFramework]) -> Vec<ComparisonRow> {
    LegalPoint::ALL
        .iter()
        .map(|p| {
            let cells: Vec<Option<PointEntry>> = frameworks.iter().map(|f| f.points.get(p).cloned()).collect();
            let answers: BTreeSet<Answer> = cells.iter().flatten().map(|e| e.answer).filter(|a| *a != Answer::Unknown).collect();
            ComparisonRow { point: *p, cells, differs: answers.len() > 1 }
        })
        .collect()
}

/// An attachment: a name and where to get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub url: String,
}

/// A good practice, procedure or tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub title: String,
    /// The language the entry is written in.
    pub lang: Lang,
    pub region: String,
    pub pillar: Pillar,
    pub summary: String,
    /// What results it has shown, and how that is known.
    #[serde(default)]
    pub evidence: String,
    /// An organisation's public contact (not a person's private one).
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub created_at_ms: i64,
}

impl Entry {
    /// The searchable text with weights (title and tags count more).
    fn fields(&self) -> [(&str, u32); 4] {
        [(&self.title, 3), (&self.summary, 1), (&self.evidence, 1), (&self.region, 2)]
    }
}

codes!(
    /// A focal point's function.
    FocalRole, "focal role" {
    FocalPoint = "focal_point": "Focal point",
    Coordinator = "coordinator": "National coordinator",
    Rapporteur = "rapporteur": "National rapporteur / equivalent mechanism",
    Secretariat = "secretariat": "Regional secretariat",
});

/// A focal point in the directory. The contact details are shown only to signed-in users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FocalPoint {
    pub id: String,
    /// The mechanism (e.g. `OAS`, `ECOWAS`, `Council of Europe`, `national`).
    pub mechanism: String,
    pub country: String,
    pub role: FocalRole,
    pub organisation: String,
    /// A function title (e.g. "Head of the anti-trafficking unit").
    pub title: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub illustrative: bool,
}

// ----- search -----

/// Lower-case and strip accents (Latin scripts of the four languages).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' => out.push('i'),
            'ñ' | 'ń' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            '’' | '\'' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Words of folded text: letters and digits, at least 2 characters.
pub fn tokens(s: &str) -> Vec<String> {
    fold(s).split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(String::from).collect()
}

fn strip<'a>(w: &'a str, suffixes: &[(&str, &str)]) -> Option<String> {
    suffixes.iter().find_map(|(suf, rep)| {
        let base = w.strip_suffix(suf)?;
        (base.chars().count() >= 3).then(|| format!("{base}{rep}"))
    })
}

/// A light stem of a folded word in a language: plurals and the commonest
/// derivational endings, so that "traffickers"/"trafficking", "víctimas"/"víctima",
/// "proteções"/"proteção", "travailleurs"/"travailleur" meet.
pub fn stem(lang: Lang, w: &str) -> String {
    let rules: &[(&str, &str)] = match lang {
        Lang::En => &[("ations", "ate"), ("ation", "ate"), ("ings", ""), ("ing", ""), ("ers", ""), ("er", ""), ("ies", "y"), ("ed", ""), ("es", ""), ("s", "")],
        Lang::Es => &[("aciones", "a"), ("acion", "a"), ("ciones", "cion"), ("mente", ""), ("ores", "or"), ("les", "l"), ("nes", "n"), ("as", "a"), ("os", "o"), ("es", "e"), ("s", "")],
        Lang::Pt => &[("acoes", "a"), ("acao", "a"), ("coes", "cao"), ("mente", ""), ("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("as", "a"), ("os", "o"), ("es", "e"), ("s", "")],
        Lang::Fr => &[("ations", "a"), ("ation", "a"), ("ements", ""), ("ement", ""), ("euses", "eur"), ("euse", "eur"), ("aux", "al"), ("es", "e"), ("s", ""), ("x", "")],
    };
    let s = strip(w, rules).unwrap_or_else(|| w.to_string());
    // Unify a final vowel so that singular and plural of gendered nouns meet ("victima"/"victime"/"victim").
    match lang {
        Lang::En => s,
        _ => s.strip_suffix(['a', 'o', 'e']).filter(|b| b.chars().count() >= 3).map(String::from).unwrap_or(s),
    }
}

/// The index terms of a text in a language.
pub fn terms(lang: Lang, text: &str) -> Vec<String> {
    tokens(text).iter().map(|t| stem(lang, t)).collect()
}

/// An in-memory inverted index over library entries.
#[derive(Debug, Default)]
pub struct Index {
    postings: BTreeMap<String, BTreeMap<usize, u32>>,
    len: usize,
}

impl Index {
    pub fn build(entries: &[Entry]) -> Self {
        let mut ix = Index { postings: BTreeMap::new(), len: entries.len() };
        for (i, e) in entries.iter().enumerate() {
            let tags = e.tags.join(" ");
            let mut fields: Vec<(&str, u32)> = e.fields().to_vec();
            fields.push((&tags, 2));
            for (text, weight) in fields {
                for t in terms(e.lang, text) {
                    *ix.postings.entry(t).or_default().entry(i).or_default() += weight;
                }
            }
        }
        ix
    }

    /// Entries matching every word of the query (in any of the four languages'
    /// stemming), best first, as indices into the entries given to `build`.
    pub fn search(&self, query: &str) -> Vec<usize> {
        let words = tokens(query);
        if words.is_empty() {
            return (0..self.len).collect();
        }
        let mut scores: Option<BTreeMap<usize, u32>> = None;
        for w in &words {
            let mut hits: BTreeMap<usize, u32> = BTreeMap::new();
            let variants: BTreeSet<String> = Lang::ALL.iter().map(|l| stem(*l, w)).chain([w.clone()]).collect();
            for v in &variants {
                if let Some(p) = self.postings.get(v) {
                    for (d, s) in p {
                        let e = hits.entry(*d).or_default();
                        *e = (*e).max(*s);
                    }
                }
            }
            scores = Some(match scores {
                None => hits,
                Some(prev) => prev.into_iter().filter_map(|(d, s)| hits.get(&d).map(|h| (d, s + h))).collect(),
            });
        }
        let mut out: Vec<(usize, u32)> = scores.unwrap_or_default().into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out.into_iter().map(|(d, _)| d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(lang: Lang, title: &str, summary: &str) -> Entry {
        Entry {
            id: title.into(),
            kind: EntryKind::Practice,
            title: title.into(),
            lang,
            region: "Americas".into(),
            pillar: Pillar::Protection,
            summary: summary.into(),
            evidence: String::new(),
            contact: String::new(),
            tags: vec![],
            attachments: vec![],
            illustrative: true,
            created_at_ms: 0,
        }
    }

    #[test]
    fn folding_and_stemming() {
        assert_eq!(fold("PROTEÇÃO Víctimas Œuvre"), "protecao victimas oeuvre");
        assert_eq!(stem(Lang::Pt, "protecoes"), stem(Lang::Pt, "protecao"));
        assert_eq!(stem(Lang::Es, "victimas"), stem(Lang::Es, "victima"));
        assert_eq!(stem(Lang::En, "traffickers"), stem(Lang::En, "trafficking"));
        assert_eq!(stem(Lang::Fr, "travailleurs"), stem(Lang::Fr, "travailleur"));
        assert_eq!(stem(Lang::Es, "niños"), stem(Lang::Es, "niño"));
    }

    #[test]
    fn search_four_languages() {
        let es = entry(Lang::Es, "Protocolo de atención a víctimas", "Atención integral a las víctimas de trata en albergues.");
        let pt = entry(Lang::Pt, "Proteção de crianças", "Fluxo de atendimento às crianças e adolescentes traficados.");
        let fr = entry(Lang::Fr, "Foyers d'accueil", "Hébergement des travailleuses exploitées et de leurs enfants.");
        let en = entry(Lang::En, "Shelter standards", "Minimum standards for shelters receiving trafficked persons.");
        let all = vec![es, pt, fr, en];
        let ix = Index::build(&all);
        assert_eq!(ix.search("VICTIMA"), vec![0]);
        assert_eq!(ix.search("protecao criança"), vec![1]);
        assert_eq!(ix.search("hebergement"), vec![2]);
        assert_eq!(ix.search("exploitee"), vec![2]);
        assert_eq!(ix.search("shelter"), vec![3]);
        assert!(ix.search("nothing-like-this").is_empty());
        assert_eq!(ix.search("").len(), 4);
    }

    #[test]
    fn comparison() {
        let mut a = LegalFramework { country: "BR".into(), law: "L".into(), points: BTreeMap::new(), profile_code: None, source: String::new(), illustrative: true, updated_at_ms: 0 };
        let mut b = a.clone();
        b.country = "ES".into();
        a.points.insert(LegalPoint::Consent, PointEntry { answer: Answer::Yes, text: "x".into() });
        b.points.insert(LegalPoint::Consent, PointEntry { answer: Answer::No, text: "y".into() });
        a.points.insert(LegalPoint::Penalties, PointEntry { answer: Answer::Yes, text: "x".into() });
        let rows = compare(&[&a, &b]);
        assert_eq!(rows.len(), LegalPoint::ALL.len());
        let consent = rows.iter().find(|r| r.point == LegalPoint::Consent).unwrap();
        assert!(consent.differs);
        let pen = rows.iter().find(|r| r.point == LegalPoint::Penalties).unwrap();
        assert!(!pen.differs);
        assert!(pen.cells[1].is_none());
        let json = serde_json::to_string(&a).unwrap();
        let back: LegalFramework = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}
