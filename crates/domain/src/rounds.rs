//! Reporting rounds: standardised data collection with deadlines.
//!
//! A sender (a national coordinator or a regional mechanism's secretariat)
//! defines a [`Questionnaire`], opens a round with a reporting period, a
//! deadline and an explicit list of recipients; each recipient answers in a
//! [`Submission`] that moves through [`SubmissionState`]s. The sender's three
//! measures are pure functions here ([`measures`]):
//!
//! * **completeness**: received submissions / expected (the assigned recipients);
//! * **timeliness**: submissions first received by the due date in force for
//!   that recipient / expected;
//! * **item completeness**: required questions answered / required questions,
//!   over the submissions received.
//!
//! Nothing here reads a clock: "now" is passed in as milliseconds since the epoch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taxonomy::{AgeBracket, AgencyKind, ExploitationKind, Role, Sex};
use crate::FieldErrors;

// ----- questionnaire model -----

/// An age group of a breakdown: child / adult (SDG 16.2.2), unknown, or a CTDC bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeGroup {
    Child,
    Adult,
    Unknown,
    Bracket(AgeBracket),
}

impl AgeGroup {
    pub fn code(self) -> &'static str {
        match self {
            AgeGroup::Child => "child",
            AgeGroup::Adult => "adult",
            AgeGroup::Unknown => "unknown",
            AgeGroup::Bracket(b) => b.code(),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Child => "Child (under 18)",
            AgeGroup::Adult => "Adult (18 or over)",
            AgeGroup::Unknown => "Age unknown",
            AgeGroup::Bracket(b) => b.label(),
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "child" => Ok(AgeGroup::Child),
            "adult" => Ok(AgeGroup::Adult),
            "unknown" => Ok(AgeGroup::Unknown),
            other => AgeBracket::parse(other).map(AgeGroup::Bracket).map_err(|_| "unknown age group; expected child, adult, unknown or an age bracket code".to_string()),
        }
    }
}

/// A column of forms of exploitation in a breakdown: a coded form, any other form, or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormGroup {
    Kind(ExploitationKind),
    Other,
    Unknown,
}

impl FormGroup {
    pub fn code(self) -> &'static str {
        match self {
            FormGroup::Kind(k) => k.code(),
            FormGroup::Other => "other",
            FormGroup::Unknown => "unknown",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FormGroup::Kind(k) => k.label(),
            FormGroup::Other => "Other forms",
            FormGroup::Unknown => "Form unknown",
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "other" => Ok(FormGroup::Other),
            "unknown" => Ok(FormGroup::Unknown),
            other => ExploitationKind::parse(other).map(FormGroup::Kind).map_err(|_| "unknown form of exploitation; expected a form code, other or unknown".to_string()),
        }
    }
}

macro_rules! serde_by_code {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_by_code!(AgeGroup);
serde_by_code!(FormGroup);

/// A choice's option: a stable code and a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub code: String,
    pub label: String,
}

/// The case statistic a numeric question maps to, for pre-filling from the
/// recipient's own case records (counts of records identified in the period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatistic {
    /// Number question: case records identified in the period.
    CasesIdentified,
    /// Breakdown question: the same, by sex × age group × (first recorded) form of exploitation.
    CasesBySexAgeForm,
    /// Country-counts question: the same, by citizenship.
    CasesByCitizenship,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// A non-negative number (a whole number when `integer`).
    Number {
        #[serde(default = "yes")]
        integer: bool,
    },
    /// Whole-number counts by sex × age group × form of exploitation (every cell answered).
    Breakdown { sexes: Vec<Sex>, age_groups: Vec<AgeGroup>, forms: Vec<FormGroup> },
    /// Whole-number counts by country (ISO 3166-1 alpha-2, or `unknown`).
    CountryCounts,
    YesNo,
    Choice {
        options: Vec<ChoiceOption>,
        #[serde(default)]
        multiple: bool,
    },
    Text {
        #[serde(default = "text_max")]
        max_chars: usize,
    },
}

fn yes() -> bool {
    true
}
fn text_max() -> usize {
    4000
}

impl QuestionKind {
    pub fn code(&self) -> &'static str {
        match self {
            QuestionKind::Number { .. } => "number",
            QuestionKind::Breakdown { .. } => "breakdown",
            QuestionKind::CountryCounts => "country_counts",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Choice { .. } => "choice",
            QuestionKind::Text { .. } => "text",
        }
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the questionnaire: `[a-z0-9_]`, 1–64 characters.
    pub code: String,
    pub text: String,
    #[serde(default)]
    pub help: Option<String>,
    pub kind: QuestionKind,
    /// Required questions are the ones a submission is expected to answer; item
    /// completeness measures them. A submission with gaps can still be sent
    /// (data not available), and the sender sees the gaps.
    #[serde(default)]
    pub required: bool,
    /// Pre-fill from the recipient's case records.
    #[serde(default)]
    pub statistic: Option<CaseStatistic>,
    /// For breakdowns and country counts: the code of the number question their cells should add up to.
    #[serde(default)]
    pub sums_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub code: String,
    pub title: String,
    pub questions: Vec<Question>,
}

/// A questionnaire: sections of questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub sections: Vec<Section>,
}

fn valid_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn valid_text(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    n > 0 && n <= max && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

impl Questionnaire {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions().find(|q| q.code == code)
    }

    pub fn required_count(&self) -> usize {
        self.questions().filter(|q| q.required).count()
    }

    /// Check the questionnaire's shape; every problem is named by its path.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if !valid_code(&self.code) {
            e.push("code", "must be 1 to 64 characters a-z, 0-9 or _");
        }
        if !valid_text(&self.title, 200) {
            e.push("title", "must be 1 to 200 characters");
        }
        if self.sections.is_empty() {
            e.push("sections", "a questionnaire has at least one section");
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.sections.iter().enumerate() {
            if !valid_text(&s.title, 200) {
                e.push(format!("sections[{i}].title"), "must be 1 to 200 characters");
            }
            if s.questions.is_empty() {
                e.push(format!("sections[{i}].questions"), "a section has at least one question");
            }
            for (j, q) in s.questions.iter().enumerate() {
                let p = format!("sections[{i}].questions[{j}]");
                if !valid_code(&q.code) {
                    e.push(format!("{p}.code"), "must be 1 to 64 characters a-z, 0-9 or _");
                } else if !seen.insert(q.code.clone()) {
                    e.push(format!("{p}.code"), "is used twice");
                }
                if !valid_text(&q.text, 1000) {
                    e.push(format!("{p}.text"), "must be 1 to 1000 characters");
                }
                match &q.kind {
                    QuestionKind::Breakdown { sexes, age_groups, forms } => {
                        if sexes.is_empty() || age_groups.is_empty() || forms.is_empty() {
                            e.push(format!("{p}.kind"), "a breakdown needs at least one sex, age group and form");
                        }
                        if sexes.len() * age_groups.len() * forms.len() > 1000 {
                            e.push(format!("{p}.kind"), "a breakdown has at most 1000 cells");
                        }
                    }
                    QuestionKind::Choice { options, .. } => {
                        if options.len() < 2 {
                            e.push(format!("{p}.kind.options"), "a choice has at least two options");
                        }
                        let mut codes = std::collections::BTreeSet::new();
                        for o in options {
                            if !valid_code(&o.code) || !codes.insert(o.code.as_str()) || !valid_text(&o.label, 200) {
                                e.push(format!("{p}.kind.options"), "each option needs a unique code (a-z, 0-9, _) and a label");
                                break;
                            }
                        }
                    }
                    QuestionKind::Text { max_chars } if *max_chars == 0 || *max_chars > 20_000 => {
                        e.push(format!("{p}.kind.max_chars"), "must be from 1 to 20000");
                    }
                    _ => {}
                }
                let fits = matches!(
                    (q.statistic, &q.kind),
                    (None, _)
                        | (Some(CaseStatistic::CasesIdentified), QuestionKind::Number { .. })
                        | (Some(CaseStatistic::CasesBySexAgeForm), QuestionKind::Breakdown { .. })
                        | (Some(CaseStatistic::CasesByCitizenship), QuestionKind::CountryCounts)
                );
                if !fits {
                    e.push(format!("{p}.statistic"), "does not fit the question's kind");
                }
            }
        }
        // `sums_to` must name a number question.
        for q in self.questions() {
            if let Some(t) = &q.sums_to {
                let ok = matches!(q.kind, QuestionKind::Breakdown { .. } | QuestionKind::CountryCounts)
                    && self.question(t).is_some_and(|t| matches!(t.kind, QuestionKind::Number { .. }));
                if !ok {
                    e.push(format!("{}.sums_to", q.code), "must name a number question (on a breakdown or country counts)");
                }
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// The key of a breakdown cell: `sex|age_group|form`.
pub fn cell_key(sex: Sex, age: AgeGroup, form: FormGroup) -> String {
    format!("{}|{}|{}", sex.code(), age.code(), form.code())
}

/// Every cell key of a breakdown, rows (sex × age) then columns (form).
pub fn cells(sexes: &[Sex], ages: &[AgeGroup], forms: &[FormGroup]) -> Vec<String> {
    let mut out = Vec::with_capacity(sexes.len() * ages.len() * forms.len());
    for s in sexes {
        for a in ages {
            for f in forms {
                out.push(cell_key(*s, *a, *f));
            }
        }
    }
    out
}

// ----- answers -----

/// An answer as given (JSON: a number, a boolean, a string, a list of option codes, or an object of counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    YesNo(bool),
    Number(f64),
    Text(String),
    Choice(Vec<String>),
    Counts(BTreeMap<String, u64>),
}

/// Answers by question code.
pub type Answers = BTreeMap<String, Answer>;

fn valid_country_key(k: &str) -> bool {
    k == "unknown" || crate::geo::Country::parse(k).is_ok_and(|c| c.code() == k)
}

/// Check one answer against its question; the message names the rule, not the value.
pub fn validate_answer(q: &Question, a: &Answer) -> Result<(), String> {
    match (&q.kind, a) {
        (QuestionKind::Number { integer }, Answer::Number(n)) => {
            if !n.is_finite() || *n < 0.0 || *n > 1e15 {
                Err("must be a number from 0 to 10^15".into())
            } else if *integer && n.fract() != 0.0 {
                Err("must be a whole number".into())
            } else {
                Ok(())
            }
        }
        (QuestionKind::YesNo, Answer::YesNo(_)) => Ok(()),
        (QuestionKind::Text { max_chars }, Answer::Text(t)) => {
            if t.chars().count() > *max_chars {
                Err(format!("must be at most {max_chars} characters"))
            } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                Err("must not hold control characters".into())
            } else {
                Ok(())
            }
        }
        (QuestionKind::Choice { options, multiple }, Answer::Choice(chosen)) => {
            if !*multiple && chosen.len() > 1 {
                return Err("choose one option".into());
            }
            let mut seen = std::collections::BTreeSet::new();
            for c in chosen {
                if !options.iter().any(|o| &o.code == c) {
                    return Err(format!("unknown option; expected one of: {}", options.iter().map(|o| o.code.as_str()).collect::<Vec<_>>().join(", ")));
                }
                if !seen.insert(c) {
                    return Err("an option is chosen twice".into());
                }
            }
            Ok(())
        }
        (QuestionKind::Breakdown { sexes, age_groups, forms }, Answer::Counts(m)) => {
            let all = cells(sexes, age_groups, forms);
            match m.keys().find(|k| !all.contains(k)) {
                Some(_) => Err("holds a cell that is not in the breakdown (cells are sex|age_group|form)".into()),
                None => Ok(()),
            }
        }
        (QuestionKind::CountryCounts, Answer::Counts(m)) => match m.keys().find(|k| !valid_country_key(k)) {
            Some(_) => Err("keys must be ISO 3166-1 alpha-2 country codes (upper case) or unknown".into()),
            None => Ok(()),
        },
        (k, _) => Err(format!("has the wrong type for a {} question", k.code())),
    }
}

/// Whether an answer counts as answered (blank text, no option, an incomplete breakdown do not).
pub fn is_answered(q: &Question, a: Option<&Answer>) -> bool {
    match (&q.kind, a) {
        (_, None) => false,
        (QuestionKind::Text { .. }, Some(Answer::Text(t))) => !t.trim().is_empty(),
        (QuestionKind::Choice { .. }, Some(Answer::Choice(c))) => !c.is_empty(),
        (QuestionKind::Breakdown { sexes, age_groups, forms }, Some(Answer::Counts(m))) => {
            cells(sexes, age_groups, forms).iter().all(|k| m.contains_key(k))
        }
        (QuestionKind::CountryCounts, Some(Answer::Counts(m))) => !m.is_empty(),
        (_, Some(a)) => validate_answer(q, a).is_ok(),
    }
}

/// Validate a whole set of answers: unknown questions and invalid answers are named.
/// Blank answers (empty text, no option, empty counts) are dropped.
pub fn validate_answers(qn: &Questionnaire, answers: Answers) -> Result<Answers, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut out = Answers::new();
    for (code, a) in answers {
        let Some(q) = qn.question(&code) else {
            e.push(format!("answers.{code}"), "no such question");
            continue;
        };
        let blank = match &a {
            Answer::Text(t) => t.trim().is_empty(),
            Answer::Choice(c) => c.is_empty(),
            Answer::Counts(m) => m.is_empty(),
            _ => false,
        };
        if blank {
            continue;
        }
        match validate_answer(q, &a) {
            Ok(()) => {
                out.insert(code, a);
            }
            Err(m) => e.push(format!("answers.{code}"), m),
        }
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(e)
    }
}

/// (answered, required) for one set of answers.
pub fn item_counts(qn: &Questionnaire, answers: &Answers) -> (usize, usize) {
    let req: Vec<&Question> = qn.questions().filter(|q| q.required).collect();
    (req.iter().filter(|q| is_answered(q, answers.get(&q.code))).count(), req.len())
}

/// Consistency warnings (not errors): cells that do not add up to their total.
pub fn consistency_warnings(qn: &Questionnaire, answers: &Answers) -> Vec<String> {
    let mut out = Vec::new();
    for q in qn.questions() {
        let (Some(t), Some(Answer::Counts(m))) = (&q.sums_to, answers.get(&q.code)) else { continue };
        let Some(Answer::Number(total)) = answers.get(t) else { continue };
        let sum: u64 = m.values().sum();
        if (sum as f64 - total).abs() > 0.5 {
            out.push(format!("{}: the cells add up to {sum}, but {t} is {total}", q.code));
        }
    }
    out
}

/// Read answers from a web form: `q.<code>` fields (and `q.<code>.<cell>` for breakdowns,
/// `q.<code>.country` / `q.<code>.count` pairs for country counts). Blank fields are no answer.
pub fn answers_from_form(qn: &Questionnaire, pairs: &[(String, String)]) -> Result<Answers, FieldErrors> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("");
    let all = |name: &str| pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).collect::<Vec<_>>();
    let mut e = FieldErrors::default();
    let mut out = Answers::new();
    for q in qn.questions() {
        let name = format!("q.{}", q.code);
        match &q.kind {
            QuestionKind::Number { .. } => {
                let v = get(&name);
                if v.is_empty() {
                    continue;
                }
                match v.replace(',', ".").parse::<f64>() {
                    Ok(n) => {
                        out.insert(q.code.clone(), Answer::Number(n));
                    }
                    Err(_) => e.push(&q.code, "must be a number"),
                }
            }
            QuestionKind::YesNo => match get(&name) {
                "yes" => {
                    out.insert(q.code.clone(), Answer::YesNo(true));
                }
                "no" => {
                    out.insert(q.code.clone(), Answer::YesNo(false));
                }
                "" => {}
                _ => e.push(&q.code, "must be yes or no"),
            },
            QuestionKind::Text { .. } => {
                let v = pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or("");
                if !v.trim().is_empty() {
                    out.insert(q.code.clone(), Answer::Text(v.replace("\r\n", "\n")));
                }
            }
            QuestionKind::Choice { .. } => {
                let chosen: Vec<String> = all(&name).into_iter().filter(|s| !s.is_empty()).map(String::from).collect();
                if !chosen.is_empty() {
                    out.insert(q.code.clone(), Answer::Choice(chosen));
                }
            }
            QuestionKind::Breakdown { sexes, age_groups, forms } => {
                let mut m = BTreeMap::new();
                let mut bad = false;
                for k in cells(sexes, age_groups, forms) {
                    let v = get(&format!("{name}.{k}"));
                    if v.is_empty() {
                        continue;
                    }
                    match v.parse::<u64>() {
                        Ok(n) => {
                            m.insert(k, n);
                        }
                        Err(_) => bad = true,
                    }
                }
                if bad {
                    e.push(&q.code, "each cell must be a whole number of 0 or more");
                } else if !m.is_empty() {
                    out.insert(q.code.clone(), Answer::Counts(m));
                }
            }
            QuestionKind::CountryCounts => {
                let cs = all(&format!("{name}.country"));
                let ns = all(&format!("{name}.count"));
                let mut m = BTreeMap::new();
                let mut bad = false;
                for (c, n) in cs.iter().zip(ns.iter()) {
                    if c.is_empty() && n.is_empty() {
                        continue;
                    }
                    let key = if c.eq_ignore_ascii_case("unknown") { "unknown".to_string() } else { c.to_ascii_uppercase() };
                    match n.parse::<u64>() {
                        Ok(n) if valid_country_key(&key) => {
                            *m.entry(key).or_insert(0) += n;
                        }
                        _ => bad = true,
                    }
                }
                if bad {
                    e.push(&q.code, "each row needs a country code (e.g. BR) or unknown, and a whole number");
                } else if !m.is_empty() {
                    out.insert(q.code.clone(), Answer::Counts(m));
                }
            }
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    validate_answers(qn, out)
}

// ----- recipients and senders -----

/// Who may send rounds to whom: a national coordinator to agencies of its own
/// country; a regional mechanism to member states' national coordinators.
pub fn recipient_allowed(sender_role: Role, sender_country: &str, recipient_kind: AgencyKind, recipient_country: &str) -> Result<(), &'static str> {
    match sender_role {
        Role::Coordinator if recipient_country == sender_country => Ok(()),
        Role::Coordinator => Err("a national coordinator sends rounds to agencies of its own country"),
        Role::RegionalMonitor if recipient_kind == AgencyKind::NationalCoordinator => Ok(()),
        Role::RegionalMonitor => Err("a regional mechanism sends rounds to member states' national coordinators"),
        _ => Err("rounds are sent by national coordinators and regional mechanisms"),
    }
}

// ----- submissions -----

/// Where a recipient's submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// Nothing saved yet.
    NotStarted,
    Draft,
    Submitted,
    /// The sender checked it.
    Validated,
    /// Final.
    Accepted,
    /// Sent back with questions; the recipient amends and submits again.
    Returned,
}

impl SubmissionState {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Validated => "validated",
            Self::Accepted => "accepted",
            Self::Returned => "returned",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::Validated => "Validated",
            Self::Accepted => "Accepted",
            Self::Returned => "Returned with questions",
        }
    }
    /// Received by the sender (at least once).
    pub fn received(self) -> bool {
        matches!(self, Self::Submitted | Self::Validated | Self::Accepted | Self::Returned)
    }
}

/// What can happen to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Recipient: save answers without sending.
    SaveDraft,
    /// Recipient: send.
    Submit,
    /// Recipient: change a sent submission, with a reason.
    Amend,
    /// Sender.
    Validate,
    /// Sender.
    Accept,
    /// Sender: send back with questions.
    Return,
}

impl Transition {
    pub fn code(self) -> &'static str {
        match self {
            Self::SaveDraft => "save_draft",
            Self::Submit => "submit",
            Self::Amend => "amend",
            Self::Validate => "validate",
            Self::Accept => "accept",
            Self::Return => "return",
        }
    }
    /// Done by the sender (else by the recipient).
    pub fn by_sender(self) -> bool {
        matches!(self, Self::Validate | Self::Accept | Self::Return)
    }
    /// Needs a written reason (amendments) or questions (returns).
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Amend | Self::Return)
    }
}

/// The state machine: the next state, or why the transition is refused.
pub fn next_state(from: SubmissionState, t: Transition) -> Result<SubmissionState, &'static str> {
    use SubmissionState as S;
    use Transition as T;
    match (from, t) {
        (S::NotStarted | S::Draft, T::SaveDraft) => Ok(S::Draft),
        // Working on a returned submission keeps it returned until it is sent again.
        (S::Returned, T::SaveDraft) => Ok(S::Returned),
        (S::NotStarted | S::Draft, T::Submit) => Ok(S::Submitted),
        (S::Returned, T::Submit | T::Amend) => Ok(S::Submitted),
        (S::Submitted | S::Validated, T::Amend) => Ok(S::Submitted),
        (S::Submitted, T::Validate) => Ok(S::Validated),
        (S::Submitted | S::Validated, T::Accept) => Ok(S::Accepted),
        (S::Submitted | S::Validated, T::Return) => Ok(S::Returned),
        (S::Accepted, _) => Err("the submission was accepted: its answers are final"),
        (S::NotStarted | S::Draft, T::Amend) => Err("only a submitted answer can be amended; submit it first"),
        (S::NotStarted | S::Draft, T::Validate | T::Accept | T::Return) => Err("nothing has been submitted yet"),
        (S::Submitted | S::Validated, T::SaveDraft | T::Submit) => Err("already submitted: change it with an amendment and a reason"),
        (S::Validated, T::Validate) => Err("already validated"),
        (S::Returned, T::Validate | T::Accept | T::Return) => Err("the submission is back with the recipient"),
    }
}

/// Why the answer form cannot be changed, if it cannot.
pub fn lock_reason(state: SubmissionState, round_closed: bool) -> Option<&'static str> {
    if state == SubmissionState::Accepted {
        Some("Locked: the sender accepted this submission, so its answers are final.")
    } else if round_closed {
        Some("Locked: the sender closed this round; it no longer takes answers.")
    } else {
        None
    }
}

// ----- deadlines -----

/// The due date in force: the latest per-recipient extension, else the round's deadline.
pub fn due_in_force(round_due_ms: i64, extensions: &[(i64, i64)]) -> i64 {
    // (recorded_at_ms, due_at_ms): the most recently recorded extension wins.
    extensions.iter().max_by_key(|(at, _)| *at).map_or(round_due_ms, |(_, due)| *due)
}

/// Parse a deadline: `YYYY-MM-DD` (the end of that day, UTC), `YYYY-MM-DDTHH:MM[:SS]` (UTC),
/// or RFC 3339 with an offset. Milliseconds since the epoch.
pub fn parse_deadline(s: &str) -> Result<i64, &'static str> {
    let s = s.trim();
    let to_ms = |t: time::OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(to_ms(t));
    }
    if let Ok(d) = crate::case::parse_iso_date(s) {
        if s.len() == 10 {
            return Ok(to_ms(d.with_hms_milli(23, 59, 59, 999).map_err(|_| "invalid date")?.assume_utc()));
        }
    }
    let f1 = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let f2 = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let f3 = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let f4 = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    for f in [f1, f2, f3, f4] {
        if let Ok(t) = time::PrimitiveDateTime::parse(s, &f) {
            return Ok(to_ms(t.assume_utc()));
        }
    }
    Err("must be a date YYYY-MM-DD (end of that day, UTC) or a time YYYY-MM-DDTHH:MM[:SS] in UTC")
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_ms(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => format!("{} {:02}:{:02}:{:02} UTC", crate::case::format_date(t.date()), t.hour(), t.minute(), t.second()),
        Err(_) => String::new(),
    }
}

// ----- measures -----

/// One expected recipient as the measures see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientLine<K> {
    pub recipient: K,
    pub state: SubmissionState,
    /// The due date in force for this recipient.
    pub due_ms: i64,
    /// When the sender first received a submission.
    pub first_submitted_ms: Option<i64>,
    /// (answered, required) of the latest submitted answers.
    pub items: (usize, usize),
}

impl<K> RecipientLine<K> {
    pub fn received(&self) -> bool {
        self.first_submitted_ms.is_some()
    }
    pub fn on_time(&self) -> bool {
        self.first_submitted_ms.is_some_and(|t| t <= self.due_ms)
    }
    /// Not received and past its due date.
    pub fn overdue(&self, now_ms: i64) -> bool {
        !self.received() && now_ms > self.due_ms
    }
}

/// A share: numerator, denominator, and the whole percentage (half up); `None` when nothing is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    pub num: usize,
    pub den: usize,
}

impl Share {
    pub fn percent(self) -> Option<u32> {
        (self.den > 0).then(|| ((self.num * 200 + self.den) / (self.den * 2)) as u32)
    }
    /// `67 %`, or `—` when nothing is expected.
    pub fn display(self) -> String {
        self.percent().map_or_else(|| "—".to_string(), |p| format!("{p} %"))
    }
}

/// The sender's view of a round.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures<K> {
    /// Received / expected.
    pub completeness: Share,
    /// Received by the due date in force / expected.
    pub timeliness: Share,
    /// Required questions answered / required, over the received submissions.
    pub item_completeness: Share,
    /// Expected recipients from whom nothing has been received.
    pub missing: Vec<K>,
    /// Of the missing, those past their due date.
    pub overdue: Vec<K>,
}

/// Completeness, timeliness and item completeness of a round.
pub fn measures<K: Clone>(lines: &[RecipientLine<K>], now_ms: i64) -> Measures<K> {
    let expected = lines.len();
    let received: Vec<&RecipientLine<K>> = lines.iter().filter(|l| l.received()).collect();
    let on_time = lines.iter().filter(|l| l.on_time()).count();
    let (answered, required) = received.iter().fold((0, 0), |(a, r), l| (a + l.items.0, r + l.items.1));
    Measures {
        completeness: Share { num: received.len(), den: expected },
        timeliness: Share { num: on_time, den: expected },
        item_completeness: Share { num: answered, den: required },
        missing: lines.iter().filter(|l| !l.received()).map(|l| l.recipient.clone()).collect(),
        overdue: lines.iter().filter(|l| l.overdue(now_ms)).map(|l| l.recipient.clone()).collect(),
    }
}

// ----- templates -----

fn q(code: &str, text: &str, kind: QuestionKind, required: bool) -> Question {
    Question { code: code.into(), text: text.into(), help: None, kind, required, statistic: None, sums_to: None }
}

fn opts(list: &[(&str, &str)], multiple: bool) -> QuestionKind {
    QuestionKind::Choice { options: list.iter().map(|(c, l)| ChoiceOption { code: (*c).into(), label: (*l).into() }).collect(), multiple }
}

fn text() -> QuestionKind {
    QuestionKind::Text { max_chars: 4000 }
}

/// The ready templates: (code, title).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("national_authorities_2014", "Questions to national authorities: mechanisms, consent and forms of exploitation, assistance and protection"),
    ("annual_statistics", "Annual statistics: detected victims by sex, age group, form of exploitation and citizenship; persons prosecuted and convicted"),
];

/// A ready template by code.
pub fn template(code: &str) -> Option<Questionnaire> {
    match code {
        "national_authorities_2014" => Some(national_authorities()),
        "annual_statistics" => Some(annual_statistics()),
        _ => None,
    }
}

/// The questions the concept note for the Fourth Meeting of National Authorities
/// on Trafficking in Persons (OAS, Brasilia, 2014) puts to member states, topics 1–3.
pub fn national_authorities() -> Questionnaire {
    let yn = || QuestionKind::YesNo;
    let forms: Vec<(&str, &str)> = ExploitationKind::ALL.iter().map(|k| (k.code(), k.label())).collect();
    Questionnaire {
        code: "national_authorities_2014".into(),
        title: "Questions to national authorities on trafficking in persons".into(),
        description: Some("Topics 1–3 of the concept note for the Fourth Meeting of National Authorities on Trafficking in Persons (OAS, Brasilia, 4–5 December 2014).".into()),
        sections: vec![
            Section {
                code: "t1".into(),
                title: "Topic 1: National mechanisms for coordinating policies to combat trafficking in persons".into(),
                questions: vec![
                    q("t1_q1_structure", "How are your national mechanisms structured?", opts(&[("coordinating_office", "By coordinating office"), ("program", "By program"), ("plan", "By plan"), ("government_policy", "By government policy"), ("national_rapporteur", "By national rapporteur"), ("other", "Other")], true), true),
                    q("t1_q1_administration", "How are these mechanisms administered?", text(), true),
                    q("t1_q2_integrate", "Do the mechanisms attempt to integrate the various government policies for responding to human trafficking?", yn(), true),
                    q("t1_q2_how", "If so, in what way?", text(), false),
                    q("t1_q2_civil_society", "Do they provide for dialogue with civil society?", yn(), true),
                    q("t1_q3_monitoring", "Is there a mechanism to monitor and evaluate national actions, plans, or programs?", yn(), true),
                    q("t1_q3_describe", "Describe the monitoring and evaluation mechanism.", text(), false),
                    q("t1_q4_work_plan", "What would you recommend for monitoring and evaluating the Work Plan for the Western Hemisphere?", text(), true),
                ],
            },
            Section {
                code: "t2".into(),
                title: "Topic 2: Consent and forms of exploitation defined".into(),
                questions: vec![
                    q("t2_q1_consent", "How do your country's laws deal with the matter of consent?", text(), true),
                    q("t2_q1_linked_to_means", "Is the question of consent linked to the means?", yn(), true),
                    q("t2_q1_adults_children", "Are adults and children treated differently?", yn(), true),
                    q("t2_q2_forms", "What forms of exploitation have been defined as criminal offenses under your laws?", QuestionKind::Choice { options: forms.iter().map(|(c, l)| ChoiceOption { code: (*c).into(), label: (*l).into() }).collect(), multiple: true }, true),
                    q("t2_q2_other_forms", "Other forms defined as criminal offenses (not in the list above)", text(), false),
                    q("t2_q3_new_forms", "Are new forms of exploitation being identified in your studies, research, and direct experience in assisting victims?", yn(), true),
                    q("t2_q3_measures", "What measures have been taken to fight any newly-defined forms of the crime?", text(), false),
                ],
            },
            Section {
                code: "t3".into(),
                title: "Topic 3: Assistance to and protection of victims".into(),
                questions: vec![
                    q("t3_q1_protection", "How do your laws, government policies, and national actions establish protection for national and foreign victims of trafficking?", text(), true),
                    q("t3_q1_human_rights", "Is the human rights perspective taken into consideration?", yn(), true),
                    q("t3_q2_groups", "Does your country have different measures for assisting specific groups?", opts(&[("children_adolescents", "Children and adolescents"), ("lgbt", "LGBT groups"), ("ethnic_racial", "Ethnic and racial groups"), ("none", "No specific measures")], true), true),
                    q("t3_q2_describe", "Describe the measures for specific groups.", text(), false),
                    q("t3_q3_reparations_law", "Are there national laws to ensure reparations to victims in your country?", yn(), true),
                    q("t3_q3_reparation_types", "What type of reparations?", text(), false),
                    q("t3_q3_fund", "Is there a specific fund or other mechanism for paying such reparations?", yn(), true),
                    q("t3_q4_support", "What are the policies, structures, and programs for supporting victims within your territory?", text(), true),
                    q("t3_q5_consular", "What consular practices does your state follow to assist its nationals?", text(), true),
                    q("t3_q6_strategies", "Are there bilateral and/or multilateral strategies for protecting victims of international human trafficking?", opts(&[("migration_status", "Regularization of migration status"), ("migrant_rights", "Protection of the human rights of migrants"), ("repatriation_return", "Repatriation to countries of origin / assistance with return"), ("other", "Other"), ("none", "None")], true), true),
                    q("t3_q6_describe", "Describe these strategies.", text(), false),
                    q("t3_q7_good_practices", "How can good practices be broadened and put to good use? What are the possibilities of cooperation among countries in the group?", text(), true),
                ],
            },
        ],
    }
}

/// Detected victims by sex, age group, form of exploitation and citizenship; persons
/// prosecuted and convicted; for the round's reporting period (one year).
pub fn annual_statistics() -> Questionnaire {
    let n = || QuestionKind::Number { integer: true };
    let mut victims = q("victims_total", "Detected victims of trafficking in persons in the reporting period", n(), true);
    victims.statistic = Some(CaseStatistic::CasesIdentified);
    victims.help = Some("Persons detected or identified as victims (presumed or confirmed) in the period.".into());
    let mut breakdown = q(
        "victims_by_sex_age_form",
        "Detected victims by sex, age group and form of exploitation",
        QuestionKind::Breakdown {
            sexes: Sex::ALL.to_vec(),
            age_groups: vec![AgeGroup::Child, AgeGroup::Adult, AgeGroup::Unknown],
            forms: vec![
                FormGroup::Kind(ExploitationKind::SexualExploitation),
                FormGroup::Kind(ExploitationKind::ForcedLabour),
                FormGroup::Kind(ExploitationKind::ForcedCriminality),
                FormGroup::Kind(ExploitationKind::ForcedBegging),
                FormGroup::Kind(ExploitationKind::ForcedMarriage),
                FormGroup::Kind(ExploitationKind::OrganRemoval),
                FormGroup::Other,
                FormGroup::Unknown,
            ],
        },
        true,
    );
    breakdown.statistic = Some(CaseStatistic::CasesBySexAgeForm);
    breakdown.sums_to = Some("victims_total".into());
    breakdown.help = Some("Each victim once, under the main (first recorded) form. Child: under 18 at detection. Enter 0 for empty cells.".into());
    let mut citizenship = q("victims_by_citizenship", "Detected victims by citizenship", QuestionKind::CountryCounts, true);
    citizenship.statistic = Some(CaseStatistic::CasesByCitizenship);
    citizenship.sums_to = Some("victims_total".into());
    citizenship.help = Some("ISO 3166-1 alpha-2 codes; unknown where citizenship is not known.".into());
    Questionnaire {
        code: "annual_statistics".into(),
        title: "Annual statistics on trafficking in persons".into(),
        description: Some("Detected victims (SDG 16.2.2 disaggregation: sex, age group, form of exploitation) and citizenship; persons prosecuted and convicted. One round per year: the reporting period is the year.".into()),
        sections: vec![
            Section { code: "victims".into(), title: "Detected victims".into(), questions: vec![victims, breakdown, citizenship] },
            Section {
                code: "justice".into(),
                title: "Criminal justice".into(),
                questions: vec![
                    q("persons_prosecuted", "Persons prosecuted for trafficking in persons in the reporting period", n(), true),
                    q("persons_convicted", "Persons convicted of trafficking in persons in the reporting period", n(), true),
                    q("sources", "Sources and definitions used (which agencies' data, what counts as detected)", text(), false),
                ],
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &'static str, due: i64, sub: Option<i64>, items: (usize, usize)) -> RecipientLine<&'static str> {
        RecipientLine { recipient: id, state: if sub.is_some() { SubmissionState::Submitted } else { SubmissionState::NotStarted }, due_ms: due, first_submitted_ms: sub, items }
    }

    #[test]
    fn two_of_three_received_one_on_time() {
        let due = 1_000;
        let lines = [line("police", due, Some(900), (5, 5)), line("ngo", due, Some(1_500), (4, 5)), line("shelter", due, None, (0, 5))];
        let m = measures(&lines, 2_000);
        assert_eq!(m.completeness, Share { num: 2, den: 3 });
        assert_eq!(m.completeness.display(), "67 %");
        assert_eq!(m.timeliness.display(), "33 %");
        assert_eq!(m.item_completeness, Share { num: 9, den: 10 });
        assert_eq!(m.item_completeness.display(), "90 %");
        assert_eq!(m.missing, vec!["shelter"]);
        assert_eq!(m.overdue, vec!["shelter"]);
        // Before the deadline nobody is overdue, though one is still missing.
        assert!(measures(&lines, 500).overdue.is_empty());
    }

    #[test]
    fn submission_exactly_at_due_is_on_time_and_extension_counts() {
        let l = line("a", 1_000, Some(1_000), (0, 0));
        assert!(l.on_time());
        // An extension recorded later moves the due date in force.
        let due = due_in_force(1_000, &[(10, 5_000), (20, 3_000)]);
        assert_eq!(due, 3_000);
        assert!(line("a", due, Some(2_000), (0, 0)).on_time());
        assert_eq!(due_in_force(1_000, &[]), 1_000);
    }

    #[test]
    fn empty_round_has_no_percentages() {
        let m = measures::<&str>(&[], 0);
        assert_eq!(m.completeness.percent(), None);
        assert_eq!(m.completeness.display(), "—");
        assert_eq!(Share { num: 1, den: 2 }.percent(), Some(50));
        assert_eq!(Share { num: 1, den: 3 }.percent(), Some(33));
        assert_eq!(Share { num: 1, den: 8 }.percent(), Some(13));
    }

    #[test]
    fn state_machine() {
        use SubmissionState as S;
        use Transition as T;
        assert_eq!(next_state(S::NotStarted, T::SaveDraft), Ok(S::Draft));
        assert_eq!(next_state(S::Draft, T::Submit), Ok(S::Submitted));
        assert!(next_state(S::Draft, T::Amend).is_err());
        assert!(next_state(S::Submitted, T::Submit).is_err());
        assert_eq!(next_state(S::Submitted, T::Amend), Ok(S::Submitted));
        assert_eq!(next_state(S::Submitted, T::Validate), Ok(S::Validated));
        assert_eq!(next_state(S::Validated, T::Return), Ok(S::Returned));
        assert_eq!(next_state(S::Returned, T::SaveDraft), Ok(S::Returned));
        assert_eq!(next_state(S::Returned, T::Submit), Ok(S::Submitted));
        assert_eq!(next_state(S::Validated, T::Accept), Ok(S::Accepted));
        for t in [T::SaveDraft, T::Submit, T::Amend, T::Validate, T::Accept, T::Return] {
            assert!(next_state(S::Accepted, t).is_err(), "{t:?}");
            assert!(next_state(S::NotStarted, t).is_ok() == matches!(t, T::SaveDraft | T::Submit), "{t:?}");
        }
        assert!(lock_reason(S::Accepted, false).is_some());
        assert!(lock_reason(S::Draft, true).unwrap().contains("closed"));
        assert_eq!(lock_reason(S::Returned, false), None);
        assert!(Transition::Return.needs_note() && Transition::Amend.needs_note() && !Transition::Submit.needs_note());
    }

    #[test]
    fn templates_are_valid() {
        for (code, _) in TEMPLATES {
            let t = template(code).unwrap();
            t.validate().unwrap();
            assert_eq!(&t.code, code);
        }
        let t = national_authorities();
        assert_eq!(t.sections.len(), 3);
        assert!(t.question("t2_q1_linked_to_means").is_some());
        let s = annual_statistics();
        let QuestionKind::Breakdown { sexes, age_groups, forms } = &s.question("victims_by_sex_age_form").unwrap().kind else { panic!() };
        assert_eq!(cells(sexes, age_groups, forms).len(), 5 * 3 * 8);
        // Round trip through JSON (stored as a record body).
        let back: Questionnaire = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn answers_validate_by_kind() {
        let s = annual_statistics();
        let mut a = Answers::new();
        a.insert("victims_total".into(), Answer::Number(3.0));
        a.insert("persons_prosecuted".into(), Answer::Number(1.5));
        a.insert("nope".into(), Answer::YesNo(true));
        a.insert("victims_by_citizenship".into(), Answer::Counts([("BR".to_string(), 2), ("xx".to_string(), 1)].into()));
        let e = validate_answers(&s, a).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["answers.nope", "answers.persons_prosecuted", "answers.victims_by_citizenship"]);

        let mut ok = Answers::new();
        ok.insert("victims_total".into(), Answer::Number(3.0));
        ok.insert("victims_by_citizenship".into(), Answer::Counts([("BR".to_string(), 2), ("unknown".to_string(), 0)].into()));
        ok.insert("sources".into(), Answer::Text("  ".into()));
        let ok = validate_answers(&s, ok).unwrap();
        assert!(!ok.contains_key("sources"), "blank text is no answer");
        // 2 of 5 required answered (the breakdown and the justice figures are missing).
        assert_eq!(item_counts(&s, &ok), (2, 5));
        assert_eq!(consistency_warnings(&s, &ok).len(), 1);
        // A partial breakdown is not answered.
        let q = s.question("victims_by_sex_age_form").unwrap();
        let partial = Answer::Counts([("female|child|sexual_exploitation".to_string(), 1)].into());
        assert!(validate_answer(q, &partial).is_ok());
        assert!(!is_answered(q, Some(&partial)));
        assert!(validate_answer(q, &Answer::Counts([("female|elder|x".to_string(), 1)].into())).is_err());
        // JSON answers parse untagged.
        let parsed: Answers = serde_json::from_str(r#"{"a": 3, "b": true, "c": "x", "d": ["y"], "e": {"BR": 1}}"#).unwrap();
        assert_eq!(parsed["a"], Answer::Number(3.0));
        assert_eq!(parsed["b"], Answer::YesNo(true));
        assert_eq!(parsed["d"], Answer::Choice(vec!["y".into()]));
    }

    #[test]
    fn form_answers() {
        let t = national_authorities();
        let pairs: Vec<(String, String)> = [
            ("q.t1_q1_structure", "plan"),
            ("q.t1_q1_structure", "national_rapporteur"),
            ("q.t1_q2_integrate", "yes"),
            ("q.t1_q4_work_plan", "Yearly peer review."),
            ("q.t1_q2_how", ""),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let a = answers_from_form(&t, &pairs).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a["t1_q1_structure"], Answer::Choice(vec!["plan".into(), "national_rapporteur".into()]));
        let bad: Vec<(String, String)> = vec![("q.t1_q1_structure".into(), "monarchy".into())];
        assert!(answers_from_form(&t, &bad).is_err());

        let s = annual_statistics();
        let pairs: Vec<(String, String)> = [
            ("q.victims_total", "4"),
            ("q.victims_by_citizenship.country", "br"),
            ("q.victims_by_citizenship.count", "3"),
            ("q.victims_by_citizenship.country", "unknown"),
            ("q.victims_by_citizenship.count", "1"),
            ("q.victims_by_citizenship.country", ""),
            ("q.victims_by_citizenship.count", ""),
            ("q.victims_by_sex_age_form.female|adult|forced_labour", "4"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let a = answers_from_form(&s, &pairs).unwrap();
        assert_eq!(a["victims_by_citizenship"], Answer::Counts([("BR".to_string(), 3), ("unknown".to_string(), 1)].into()));
        assert_eq!(a["victims_by_sex_age_form"], Answer::Counts([("female|adult|forced_labour".to_string(), 4)].into()));
    }

    #[test]
    fn deadlines() {
        assert_eq!(format_ms(parse_deadline("2025-06-30").unwrap()), "2025-06-30 23:59:59 UTC");
        assert_eq!(format_ms(parse_deadline("2025-06-30T10:15").unwrap()), "2025-06-30 10:15:00 UTC");
        assert_eq!(format_ms(parse_deadline("2025-06-30T10:15:07").unwrap()), "2025-06-30 10:15:07 UTC");
        assert_eq!(format_ms(parse_deadline("2025-06-30T10:15:00-03:00").unwrap()), "2025-06-30 13:15:00 UTC");
        assert!(parse_deadline("30/06/2025").is_err());
    }

    #[test]
    fn policy_for_rounds() {
        use crate::geo::Country;
        use crate::ids::{AgencyId, UserId};
        use crate::policy::{authorize, Action, Actor, Resource};
        let own = AgencyId(uuid::Uuid::from_u128(1));
        let other = AgencyId(uuid::Uuid::from_u128(2));
        let br = Country::parse("BR").unwrap();
        let actor = |role| Actor { user_id: UserId(uuid::Uuid::from_u128(9)), role, agency_id: own, country: br, identity_grant: false };
        let mine = Resource::Agency { agency_id: own, country: br };
        let theirs = Resource::Agency { agency_id: other, country: br };
        for role in Role::ALL {
            let send = matches!(role, Role::Coordinator | Role::RegionalMonitor);
            let answer = matches!(role, Role::Caseworker | Role::AgencyAdmin | Role::Coordinator);
            assert_eq!(authorize(&actor(*role), Action::ManageRounds, &mine).is_allowed(), send, "{role:?}");
            assert_eq!(authorize(&actor(*role), Action::AnswerRound, &mine).is_allowed(), answer, "{role:?}");
            assert!(!authorize(&actor(*role), Action::ManageRounds, &theirs).is_allowed());
            assert!(!authorize(&actor(*role), Action::AnswerRound, &theirs).is_allowed());
            assert!(!authorize(&actor(*role), Action::AnswerRound, &Resource::System).is_allowed());
        }
    }

    #[test]
    fn senders_and_recipients() {
        assert!(recipient_allowed(Role::Coordinator, "BR", AgencyKind::Police, "BR").is_ok());
        assert!(recipient_allowed(Role::Coordinator, "BR", AgencyKind::Police, "ES").is_err());
        assert!(recipient_allowed(Role::RegionalMonitor, "BR", AgencyKind::NationalCoordinator, "ES").is_ok());
        assert!(recipient_allowed(Role::RegionalMonitor, "BR", AgencyKind::Police, "BR").is_err());
        assert!(recipient_allowed(Role::Caseworker, "BR", AgencyKind::Police, "BR").is_err());
    }
}
