//! The knowledge base: legal frameworks per country (record kind `legal_framework`,
//! id = country code), the library of practices, procedures and tools (`kb_entry`)
//! and the directory of focal points (`focal_point`).
//!
//! Reading is open to everyone (the pages are public), except the contact details
//! of the directory, which only signed-in users see. Edits need `ManageKnowledge`
//! and are audited. Search builds an in-memory index from the records at query
//! time (`vigia_domain::knowledge::Index`): fine at a knowledge base's scale.

use vigia_domain::geo::Country;
use vigia_domain::knowledge::{compare, ComparisonRow, Entry, FocalPoint, Index, LegalFramework, PointEntry};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource};
use vigia_domain::screening::LegalProfile;
use vigia_domain::FieldErrors;
use vigia_store::{AuditEvent, Record, RecordQuery};

use crate::{Result, ServiceError, Vigia};

pub const FRAMEWORK: &str = "legal_framework";
pub const ENTRY: &str = "kb_entry";
pub const FOCAL: &str = "focal_point";

fn body<T: for<'de> serde::Deserialize<'de>>(r: &Record) -> Result<T> {
    serde_json::from_str(&r.body).map_err(|_| ServiceError::Store(vigia_store::StoreError::Corrupt(format!("{} record", r.kind))))
}

fn check_text(e: &mut FieldErrors, field: &str, s: &str, max: usize, required: bool) {
    if (required && s.trim().is_empty()) || s.chars().count() > max {
        e.push(field, format!("must be {} to {max} characters", u8::from(required)));
    }
}

/// A framework beside the legal profile screening uses for that country.
#[derive(Debug, Clone)]
pub struct FrameworkView {
    pub framework: LegalFramework,
    pub profile: Option<LegalProfile>,
}

impl Vigia {
    async fn knowledge_write(&self, actor: &Actor, action: &str, rec: Record, detail: String) -> Result<()> {
        if let Decision::Deny(r) = authorize(actor, Action::ManageKnowledge, &Resource::System) {
            return Err(self.deny(actor, action, None, r).await);
        }
        let ev = AuditEvent { at_ms: self.clock.now_ms(), actor: Some(actor.user_id), action: action.into(), case_id: None, detail };
        self.store.put_records(&[rec], &[ev]).await?;
        Ok(())
    }

    fn kb_record(&self, kind: &str, id: &str, actor: Option<&Actor>, body: String) -> Record {
        Record { id: id.into(), kind: kind.into(), case_id: None, agency_id: actor.map(|a| a.agency_id), other_agency_id: None, status: None, at_ms: self.clock.now_ms(), body }
    }

    /// Save (insert or replace) a country's framework.
    pub async fn save_framework(&self, actor: &Actor, mut f: LegalFramework) -> Result<LegalFramework> {
        let mut e = FieldErrors::default();
        match Country::parse(&f.country) {
            Ok(c) => f.country = c.code().to_string(),
            Err(x) => e.push("country", x.to_string()),
        }
        check_text(&mut e, "law", &f.law, 500, true);
        check_text(&mut e, "source", &f.source, 2000, false);
        for (p, v) in &f.points {
            check_text(&mut e, &format!("points.{}", p.code()), &v.text, 5000, false);
        }
        if let Some(code) = &f.profile_code {
            if !self.legal_profiles().await?.iter().any(|p| &p.code == code) {
                e.push("profile_code", "no legal profile with this code");
            }
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        f.updated_at_ms = self.clock.now_ms();
        let rec = self.kb_record(FRAMEWORK, &f.country, Some(actor), serde_json::to_string(&f).unwrap_or_default());
        self.knowledge_write(actor, "knowledge.framework", rec, format!("country={}", f.country)).await?;
        Ok(f)
    }

    /// Every framework, by country code.
    pub async fn frameworks(&self) -> Result<Vec<LegalFramework>> {
        let mut v: Vec<LegalFramework> = self.store.find_records(&RecordQuery::kind(FRAMEWORK)).await?.iter().map(body).collect::<Result<_>>()?;
        v.sort_by(|a, b| a.country.cmp(&b.country));
        Ok(v)
    }

    /// One country's framework with the legal profile screening uses there.
    pub async fn framework(&self, country: &str) -> Result<FrameworkView> {
        let c = Country::parse(country).map_err(|_| ServiceError::NotFound)?;
        let r = self.store.get_record(FRAMEWORK, c.code()).await?.ok_or(ServiceError::NotFound)?;
        let framework: LegalFramework = body(&r)?;
        let profiles = self.legal_profiles().await?;
        let profile = match &framework.profile_code {
            Some(code) => profiles.into_iter().find(|p| &p.code == code),
            None => profiles.into_iter().find(|p| p.country.as_deref() == Some(c.code())),
        };
        Ok(FrameworkView { framework, profile })
    }

    /// The chosen countries' frameworks compared point by point (unknown countries are left out).
    pub async fn compare_frameworks(&self, countries: &[String]) -> Result<(Vec<LegalFramework>, Vec<ComparisonRow>)> {
        let all = self.frameworks().await?;
        let chosen: Vec<LegalFramework> = if countries.is_empty() {
            all
        } else {
            countries.iter().filter_map(|c| all.iter().find(|f| f.country.eq_ignore_ascii_case(c.trim())).cloned()).collect()
        };
        let refs: Vec<&LegalFramework> = chosen.iter().collect();
        let rows = compare(&refs);
        Ok((chosen, rows))
    }

    /// Save (insert or replace) a library entry.
    pub async fn save_entry(&self, actor: &Actor, mut en: Entry) -> Result<Entry> {
        let mut e = FieldErrors::default();
        check_text(&mut e, "title", &en.title, 300, true);
        check_text(&mut e, "region", &en.region, 200, false);
        check_text(&mut e, "summary", &en.summary, 10_000, true);
        check_text(&mut e, "evidence", &en.evidence, 10_000, false);
        check_text(&mut e, "contact", &en.contact, 300, false);
        if en.tags.len() > 30 || en.tags.iter().any(|t| t.chars().count() > 60) {
            e.push("tags", "at most 30 tags of up to 60 characters");
        }
        for (i, a) in en.attachments.iter().enumerate() {
            let ok_url = a.url.starts_with("https://") || a.url.starts_with("http://") || a.url.starts_with('/');
            if a.name.trim().is_empty() || !ok_url || a.url.chars().count() > 1000 {
                e.push(format!("attachments[{i}]"), "an attachment has a name and an http(s) or site-relative address");
            }
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        if en.id.trim().is_empty() {
            en.id = uuid::Uuid::now_v7().to_string();
        }
        if en.created_at_ms == 0 {
            en.created_at_ms = self.clock.now_ms();
        }
        let rec = self.kb_record(ENTRY, &en.id, Some(actor), serde_json::to_string(&en).unwrap_or_default());
        self.knowledge_write(actor, "knowledge.entry", rec, format!("entry={} kind={}", en.id, en.kind.code())).await?;
        Ok(en)
    }

    pub async fn entries(&self) -> Result<Vec<Entry>> {
        self.store.find_records(&RecordQuery::kind(ENTRY)).await?.iter().map(body).collect()
    }

    pub async fn entry(&self, id: &str) -> Result<Entry> {
        body(&self.store.get_record(ENTRY, id).await?.ok_or(ServiceError::NotFound)?)
    }

    /// Full-text search (accent- and case-insensitive, light stemming in en/es/pt/fr), best first.
    pub async fn search_entries(&self, query: &str) -> Result<Vec<Entry>> {
        let all = self.entries().await?;
        let ix = Index::build(&all);
        Ok(ix.search(query).into_iter().filter_map(|i| all.get(i).cloned()).collect())
    }

    pub async fn save_focal_point(&self, actor: &Actor, mut f: FocalPoint) -> Result<FocalPoint> {
        let mut e = FieldErrors::default();
        match Country::parse(&f.country) {
            Ok(c) => f.country = c.code().to_string(),
            Err(x) => e.push("country", x.to_string()),
        }
        check_text(&mut e, "mechanism", &f.mechanism, 100, true);
        check_text(&mut e, "organisation", &f.organisation, 300, true);
        check_text(&mut e, "title", &f.title, 300, false);
        check_text(&mut e, "name", &f.name, 200, false);
        check_text(&mut e, "email", &f.email, 254, false);
        check_text(&mut e, "phone", &f.phone, 60, false);
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        if f.id.trim().is_empty() {
            f.id = uuid::Uuid::now_v7().to_string();
        }
        let rec = self.kb_record(FOCAL, &f.id, Some(actor), serde_json::to_string(&f).unwrap_or_default());
        // The detail names the entry, not the person.
        self.knowledge_write(actor, "knowledge.focal_point", rec, format!("focal_point={} country={}", f.id, f.country)).await?;
        Ok(f)
    }

    /// The directory, by mechanism and country. Without a signed-in caller the
    /// contact details (name, e-mail, phone) are removed.
    pub async fn directory(&self, caller: Option<&Actor>) -> Result<Vec<FocalPoint>> {
        let mut v: Vec<FocalPoint> = self.store.find_records(&RecordQuery::kind(FOCAL)).await?.iter().map(body).collect::<Result<_>>()?;
        v.sort_by(|a, b| (&a.mechanism, &a.country, a.role, &a.organisation).cmp(&(&b.mechanism, &b.country, b.role, &b.organisation)));
        if caller.is_none() {
            for f in &mut v {
                f.name.clear();
                f.email.clear();
                f.phone.clear();
            }
        }
        Ok(v)
    }
}

/// A point entry, for builders of demo content.
pub fn point(answer: vigia_domain::knowledge::Answer, text: &str) -> PointEntry {
    PointEntry { answer, text: text.into() }
}

impl Vigia {
    /// Illustrative knowledge-base content: three legal frameworks (clearly marked as
    /// examples, not the law in force), library entries in four languages, and a
    /// directory of fictitious focal points. Written as `editor` (a coordinator).
    pub async fn seed_demo_knowledge(&self, editor: &str) -> Result<()> {
        use vigia_domain::knowledge::{Answer::*, Attachment, EntryKind, FocalRole, Lang, LegalPoint::*};
        use vigia_domain::plans::Pillar;
        let Some(u) = self.store.user_by_email(editor).await? else { return Ok(()) };
        let actor = self.actor_for(&u).await?;
        let note = "ILLUSTRATIVE EXAMPLE for the demo — not a statement of the law in force; check the official text.";
        let fw = |country: &str, law: &str, profile: Option<&str>, pts: Vec<(vigia_domain::knowledge::LegalPoint, vigia_domain::knowledge::Answer, &str)>| LegalFramework {
            country: country.into(),
            law: law.into(),
            points: pts.into_iter().map(|(p, a, t)| (p, point(a, t))).collect(),
            profile_code: profile.map(String::from),
            source: note.into(),
            illustrative: true,
            updated_at_ms: 0,
        };
        let frameworks = vec![
            fw("BR", "Illustrative: a federal law on trafficking in persons amending the penal code", None, vec![
                (Definition, Yes, "Trafficking defined in the penal code following the Palermo Protocol."),
                (Elements, Yes, "Act, means and purpose; for children the means are not required."),
                (Consent, Partly, "Consent is irrelevant where a means was used; for children always irrelevant."),
                (FormsCriminalised, Yes, "Organ removal, labour analogous to slavery, servitude, illegal adoption, sexual exploitation."),
                (Penalties, Yes, "Imprisonment of 4 to 8 years, increased for child victims."),
                (NonPunishment, Partly, "No explicit clause; prosecutors' guidance."),
                (ResidencePermits, Yes, "Residence permit for foreign victims, regardless of cooperation."),
                (Reparations, Partly, "Compensation may be ordered in the criminal judgment."),
                (CompensationFund, No, "No dedicated fund."),
                (Children, Yes, "Child protection councils are informed; specialised services."),
                (Lgbt, Partly, "Mentioned in the national plan."),
                (EthnicGroups, Partly, "Measures for indigenous and Afro-descendant communities in the plan."),
                (ConsularAssistance, Yes, "Consulates assist nationals abroad and arrange return."),
            ]),
            fw("ES", "Illustrative: a penal-code article on trafficking in human beings and an aliens act provision", None, vec![
                (Definition, Yes, "Penal code article on trafficking in human beings."),
                (Elements, Yes, "Act, means and purpose; for minors the means are not required."),
                (Consent, Yes, "Consent irrelevant where any means was used."),
                (FormsCriminalised, Yes, "Forced labour, slavery, servitude, begging, sexual exploitation, forced criminality, forced marriage, organ removal."),
                (Penalties, Yes, "Imprisonment of 5 to 8 years."),
                (NonPunishment, Yes, "Explicit non-punishment clause for offences committed as a consequence of the situation."),
                (ResidencePermits, Yes, "Recovery and reflection period and residence permit."),
                (Reparations, Yes, "Civil liability in the criminal proceedings."),
                (CompensationFund, Partly, "Victims' assistance offices; no fund specific to trafficking."),
                (Children, Yes, "Protocol for unaccompanied minors."),
                (Lgbt, Unknown, ""),
                (EthnicGroups, Unknown, ""),
                (ConsularAssistance, Yes, "Consular protection for nationals abroad."),
            ]),
            fw("CO", "Illustrative: a law against trafficking in persons and its regulations", None, vec![
                (Definition, Yes, "Law defining trafficking, including internal trafficking."),
                (Elements, Partly, "Means are not an element of the offence."),
                (Consent, Yes, "The victim's consent does not exclude criminal liability."),
                (FormsCriminalised, Yes, "Includes forced marriage and servile marriage, begging, sex tourism."),
                (Penalties, Yes, "Imprisonment of 13 to 23 years."),
                (NonPunishment, Partly, "Case law."),
                (ResidencePermits, Partly, "Special permits for foreign victims."),
                (Reparations, Yes, "Comprehensive reparation under the victims' framework."),
                (CompensationFund, Yes, "A national fund against trafficking finances assistance."),
                (Children, Yes, "Family welfare institute leads assistance to children."),
                (Lgbt, Yes, "Differential approach for LGBT persons in the assistance programme."),
                (EthnicGroups, Yes, "Differential ethnic approach."),
                (ConsularAssistance, Yes, "Consular network assists Colombian victims abroad."),
            ]),
        ];
        for f in frameworks {
            self.save_framework(&actor, f).await?;
        }
        let entry = |kind, lang, title: &str, region: &str, pillar, summary: &str, evidence: &str, tags: &[&str]| Entry {
            id: String::new(),
            kind,
            title: title.into(),
            lang,
            region: region.into(),
            pillar,
            summary: summary.into(),
            evidence: evidence.into(),
            contact: "info@example.org (illustrative)".into(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            attachments: vec![Attachment { name: "Summary (illustrative)".into(), url: "https://example.org/summary.pdf".into() }],
            illustrative: true,
            created_at_ms: 0,
        };
        let entries = vec![
            entry(EntryKind::Practice, Lang::Pt, "Comissão interinstitucional e código de conduta em Pernambuco", "Nordeste do Brasil", Pillar::Partnership,
                "Uma comissão criada por lei estadual reuniu governo, polícia e sociedade civil; o diagnóstico local e um código de conduta comprometeram educação, turismo e mídia com o plano de ação e a proteção das vítimas.",
                "Primeiro relatório de desempenho entregue ao governo; mais de 100 instituições na oficina de planejamento.", &["comissão", "código de conduta", "participação"]),
            entry(EntryKind::Procedure, Lang::Es, "Protocolo de atención integral a víctimas de trata", "Región andina", Pillar::Protection,
                "Procedimiento operativo para la identificación, el alojamiento y la atención psicológica y jurídica de las víctimas, con enfoque diferencial para niños, niñas y adolescentes.",
                "Evaluación externa: tiempos de derivación reducidos a la mitad.", &["atención", "víctimas", "albergues"]),
            entry(EntryKind::Tool, Lang::Fr, "Guide d'entretien pour l'identification des travailleuses exploitées", "Afrique de l'Ouest", Pillar::Protection,
                "Outil pour les inspecteurs du travail : questions pour repérer l'exploitation des travailleurs domestiques et orienter les victimes vers l'hébergement.",
                "Utilisé par trois inspections ; nombre d'orientations en hausse.", &["identification", "inspection du travail"]),
            entry(EntryKind::Practice, Lang::En, "Survivor-led review of shelter standards", "Europe", Pillar::Protection,
                "Survivors of trafficking reviewed minimum standards for shelters and assistance, so that services answer the persons' own wishes.",
                "Standards revised; satisfaction surveys improved.", &["shelter", "survivors", "standards"]),
        ];
        for e in entries {
            self.save_entry(&actor, e).await?;
        }
        let fp = |mechanism: &str, country: &str, role, organisation: &str, title: &str, name: &str, email: &str| FocalPoint {
            id: String::new(),
            mechanism: mechanism.into(),
            country: country.into(),
            role,
            organisation: organisation.into(),
            title: title.into(),
            name: name.into(),
            email: email.into(),
            phone: "+00 000 000 000".into(),
            illustrative: true,
        };
        for f in [
            fp("OAS", "BR", FocalRole::Coordinator, "National coordination office (illustrative)", "National coordinator", "Demo Coordinator BR", "coordinator.br@example.org"),
            fp("OAS", "CO", FocalRole::FocalPoint, "Ministry of the Interior (illustrative)", "Focal point for the work plan", "Demo Focal Point CO", "focal.co@example.org"),
            fp("Council of Europe", "ES", FocalRole::Rapporteur, "National rapporteur (illustrative)", "National rapporteur", "Demo Rapporteur ES", "rapporteur.es@example.org"),
            fp("ECOWAS", "NG", FocalRole::FocalPoint, "National agency against trafficking (illustrative)", "ECOWAS focal point", "Demo Focal Point NG", "focal.ng@example.org"),
            fp("OAS", "US", FocalRole::Secretariat, "Regional secretariat (illustrative)", "Head of the trafficking section", "Demo Secretariat", "secretariat@example.org"),
        ] {
            self.save_focal_point(&actor, f).await?;
        }
        Ok(())
    }
}
