//! Imports (all or nothing, upsert by the agency's record id), saved column
//! mappings, and exports of an agency's cases. Parsing lives in `vigia-import`;
//! this module applies the policy, encrypts, and writes with the audit entries.

use vigia_domain::ids::{AgencyId, CaseId, UserId};
use vigia_domain::policy::{authorize, Action, Actor, Decision, Resource, View};
use vigia_import::{ExportOptions, ExportRow, ImportedRow, Mapping};
use vigia_store::{AuditEvent, Record, RecordQuery, StoredCase};

use crate::util::invalid;
use crate::{Result, ServiceError, Vigia};

pub const MAPPING: &str = "mapping";

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub dry_run: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// An import in progress (see [`Vigia::begin_import`]).
pub struct ImportSession {
    preparer: Preparer,
    tx: Option<Box<dyn vigia_store::ImportTx>>,
    outcome: ImportOutcome,
}

/// Turns valid rows into stored cases (encrypting identities) and their audit
/// events, without touching the database: it can run on the thread that reads
/// the file while the session writes the previous batch.
#[derive(Clone)]
pub struct Preparer {
    vigia: Vigia,
    agency: vigia_store::Agency,
    actor: Option<Actor>,
    /// The agency's record ids already stored (the upsert key), as the import began.
    existing: std::sync::Arc<std::collections::HashMap<String, CaseId>>,
}

/// A batch ready to write.
pub struct PreparedBatch {
    new: Vec<StoredCase>,
    updated: Vec<StoredCase>,
    events: Vec<AuditEvent>,
}

impl Preparer {
    /// A record id the agency already stored updates that case; any other is a
    /// new case. (The reader rejects a record id repeated within a file.)
    /// The rows are consumed: their facts move into the stored cases.
    pub fn prepare(&self, rows: Vec<ImportedRow>) -> Result<PreparedBatch> {
        let v = &self.vigia;
        let by = self.actor.as_ref().map_or(UserId(uuid::Uuid::nil()), |a| a.user_id);
        let now = v.clock.now_ms();
        let mut batch = PreparedBatch { new: Vec::with_capacity(rows.len()), updated: Vec::new(), events: Vec::with_capacity(rows.len()) };
        for r in rows {
            let Some(ext) = r.case.external_ref.as_deref() else {
                return Err(invalid("id", "every imported row needs the agency's record id"));
            };
            let (id, update) = match self.existing.get(ext) {
                Some(id) => (*id, true),
                None => (CaseId(uuid::Uuid::now_v7()), false),
            };
            let sc = v.prepare_case_owned(id, r.case, &self.agency, by);
            batch.events.push(AuditEvent {
                at_ms: now,
                actor: self.actor.as_ref().map(|a| a.user_id),
                action: if update { "case.update" } else { "case.create" }.into(),
                case_id: Some(sc.case.id),
                detail: format!("import row {}", r.row),
            });
            if update {
                batch.updated.push(sc);
            } else {
                batch.new.push(sc);
            }
        }
        Ok(batch)
    }
}

impl ImportSession {
    /// A preparer for this import (cheap to clone; send it to another thread).
    pub fn preparer(&self) -> Preparer {
        self.preparer.clone()
    }

    /// Prepare and write a batch of valid rows (a dry run only counts them).
    pub async fn write(&mut self, rows: Vec<ImportedRow>) -> Result<()> {
        let batch = self.preparer.prepare(rows)?;
        self.write_prepared(batch).await
    }

    /// Write a batch made by this session's [`Preparer`].
    pub async fn write_prepared(&mut self, batch: PreparedBatch) -> Result<()> {
        self.outcome.inserted += batch.new.len();
        self.outcome.updated += batch.updated.len();
        if let Some(tx) = &mut self.tx {
            tx.write(&batch.new, &batch.updated, &batch.events).await?;
        }
        Ok(())
    }

    /// Commit (nothing to commit in a dry run) and say what was done.
    pub async fn finish(self) -> Result<ImportOutcome> {
        if let Some(tx) = self.tx {
            tx.commit().await?;
        }
        Ok(self.outcome)
    }
}

impl Vigia {
    fn check_import(&self, actor: Option<&Actor>, agency: AgencyId, country: vigia_domain::geo::Country) -> Result<()> {
        if let Some(a) = actor {
            if let Decision::Deny(r) = authorize(a, Action::ImportCases, &Resource::Agency { agency_id: agency, country }) {
                return Err(ServiceError::Forbidden(r));
            }
        }
        Ok(())
    }

    /// Import validated rows for an agency: new record ids are inserted, known ones
    /// updated, all in one transaction with one audit entry per case. `actor` is
    /// `None` for an operator on the command line.
    pub async fn import_rows(&self, actor: Option<&Actor>, agency_id: AgencyId, rows: Vec<ImportedRow>, dry_run: bool) -> Result<ImportOutcome> {
        let mut session = self.begin_import(actor, agency_id, dry_run).await?;
        session.write(rows).await?;
        session.finish().await
    }

    /// Start an import that is written in batches while the file is still read:
    /// one transaction, committed by [`ImportSession::finish`] and rolled back if
    /// the session is dropped (a later row rejected, an error, a kill). A dry run
    /// opens no transaction and writes nothing.
    pub async fn begin_import(&self, actor: Option<&Actor>, agency_id: AgencyId, dry_run: bool) -> Result<ImportSession> {
        let agency = self.store.get_agency(agency_id).await?.ok_or_else(|| invalid("agency", "no such agency"))?;
        if let Err(e) = self.check_import(actor, agency_id, agency.country) {
            if let (Some(a), ServiceError::Forbidden(r)) = (actor, &e) {
                return Err(self.deny(a, "case.import", None, r).await);
            }
            return Err(e);
        }
        let (tx, refs) = if dry_run {
            (None, self.store.case_refs(agency_id).await?)
        } else {
            let mut tx = self.store.begin_import().await?;
            let refs = tx.case_refs(agency_id).await?;
            (Some(tx), refs)
        };
        let preparer = Preparer { vigia: self.clone(), agency, actor: actor.cloned(), existing: std::sync::Arc::new(refs.into_iter().collect()) };
        Ok(ImportSession { preparer, tx, outcome: ImportOutcome { inserted: 0, updated: 0, dry_run } })
    }

    /// Save (or replace) an agency's named column mapping.
    pub async fn save_mapping(&self, actor: Option<&Actor>, agency_id: AgencyId, mapping: &Mapping) -> Result<()> {
        let agency = self.store.get_agency(agency_id).await?.ok_or_else(|| invalid("agency", "no such agency"))?;
        if let Err(e) = self.check_import(actor, agency_id, agency.country) {
            if let (Some(a), ServiceError::Forbidden(r)) = (actor, &e) {
                return Err(self.deny(a, "mapping.save", None, r).await);
            }
            return Err(e);
        }
        mapping.validate().map_err(|e| invalid("mapping", &e.to_string()))?;
        let name = mapping.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid("name", "a mapping needs a name of 1 to 100 characters"));
        }
        let rec = Record {
            id: format!("{agency_id}:{name}"),
            kind: MAPPING.into(),
            case_id: None,
            agency_id: Some(agency_id),
            other_agency_id: None,
            status: None,
            at_ms: self.clock.now_ms(),
            body: mapping.to_json(),
        };
        let ev = AuditEvent { at_ms: self.clock.now_ms(), actor: actor.map(|a| a.user_id), action: "mapping.save".into(), case_id: None, detail: format!("agency={agency_id} name={name}") };
        self.store.put_records(&[rec], &[ev]).await?;
        Ok(())
    }

    pub async fn mapping(&self, agency_id: AgencyId, name: &str) -> Result<Mapping> {
        let rec = self.store.get_record(MAPPING, &format!("{agency_id}:{}", name.trim())).await?.ok_or_else(|| invalid("mapping", "no saved mapping with this name for the agency"))?;
        Mapping::from_json(&rec.body).map_err(|e| invalid("mapping", &e.to_string()))
    }

    pub async fn mappings(&self, agency_id: AgencyId) -> Result<Vec<Mapping>> {
        let recs = self.store.find_records(&RecordQuery { agency_id: Some(agency_id), ..RecordQuery::kind(MAPPING) }).await?;
        recs.iter().map(|r| Mapping::from_json(&r.body).map_err(|e| invalid("mapping", &e.to_string()))).collect()
    }

    /// Export the cases the actor may see (identity columns only in the full view,
    /// and only when asked). Every exported case is audited.
    pub async fn export_cases(&self, actor: &Actor, format: ExportFormat, with_identity: bool) -> Result<Vec<u8>> {
        let resource = Resource::Agency { agency_id: actor.agency_id, country: actor.country };
        // The policy decides the scope (own agency, or the country de-identified).
        let (scope, view) = match authorize(actor, Action::ListCases, &resource) {
            Decision::AllowList(s, v) => (s, v),
            Decision::Deny(r) => return Err(self.deny(actor, "case.export", None, r).await),
            _ => return Err(ServiceError::Forbidden("not permitted")),
        };
        let with_identity = with_identity && view == View::Full;
        let mut all: Vec<StoredCase> = Vec::new();
        let mut offset = 0;
        loop {
            let (_, page) = self.store.list_cases(&scope, 500, offset).await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            all.extend(page);
        }
        let events: Vec<AuditEvent> = all
            .iter()
            .map(|sc| AuditEvent {
                at_ms: self.clock.now_ms(),
                actor: Some(actor.user_id),
                action: "case.export".into(),
                case_id: Some(sc.case.id),
                detail: if with_identity { "full".into() } else { "deidentified".into() },
            })
            .collect();
        self.store.append_audit(&events).await?;
        let identities = if with_identity { all.iter().map(|sc| self.open_identity(sc).map(Some)).collect::<Result<Vec<_>>>()? } else { vec![None; all.len()] };
        let rows = all.iter().zip(identities.iter()).map(|(sc, id)| ExportRow::from_case(&sc.case, id.as_ref()));
        let opts = ExportOptions { identity: with_identity };
        match format {
            ExportFormat::Csv => {
                let mut out = Vec::new();
                vigia_import::write_csv(&mut out, rows, &opts).map_err(|e| invalid("export", &e.to_string()))?;
                Ok(out)
            }
            ExportFormat::Xlsx => vigia_import::write_xlsx(rows, &opts).map_err(|e| invalid("export", &e.to_string())),
        }
    }
}
