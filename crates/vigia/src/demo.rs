//! `vigia demo`: a fresh database filled with synthetic data.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use vigia_service::{AuditEvent, Email, SystemClock, Vigia};

/// Create the demo database and print where to log in.
pub async fn create(db: &str, key_file: &Option<PathBuf>, n_cases: usize, seed: u64, force: bool) -> Result<Vigia> {
    if let Some(path) = db.strip_prefix("sqlite://") {
        let p = std::path::Path::new(path);
        if p.exists() {
            let is_default = p.file_name().is_some_and(|f| f == "vigia-demo.db");
            if !is_default && !force {
                bail!("{path} exists; the demo needs a fresh database (remove it, choose another --db, or pass --force)");
            }
            for suffix in ["", "-wal", "-shm"] {
                let f = format!("{path}{suffix}");
                if std::path::Path::new(&f).exists() {
                    std::fs::remove_file(&f).with_context(|| format!("removing {f}"))?;
                }
            }
        }
    }
    let keys = crate::load_keys(db, key_file, true)?;
    let store = vigia_store::open(db, keys.audit_key(), true).await.with_context(|| format!("opening {}", crate::redact_url(db)))?;
    if !store.list_agencies().await?.is_empty() {
        bail!("the database already holds agencies; the demo needs an empty one");
    }
    let vigia = Vigia::new(store, keys, Arc::new(SystemClock));
    let data = vigia_demo::generate(seed, n_cases, vigia.today());

    let mut agencies = HashMap::new();
    for a in &data.agencies {
        let created = vigia.add_agency(&a.name, a.kind, a.country, a.subdivision.clone()).await?;
        agencies.insert(a.key, created);
    }
    let bar = indicatif::ProgressBar::new((data.users.len() + data.cases.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("users");
    let mut users: HashMap<(&str, vigia_domain::taxonomy::Role), vigia_domain::ids::UserId> = HashMap::new();
    let mut any_user: HashMap<&str, vigia_domain::ids::UserId> = HashMap::new();
    for u in &data.users {
        let agency = agencies.get(u.agency_key).with_context(|| format!("demo user refers to unknown agency {}", u.agency_key))?;
        let email = Email::parse(&u.email).map_err(|e| anyhow::anyhow!("demo e-mail: {e}"))?;
        let created = vigia.add_user(&email, u.role, agency.id, &u.password).await?;
        users.insert((u.agency_key, u.role), created.id);
        any_user.entry(u.agency_key).or_insert(created.id);
        bar.inc(1);
    }
    // Cases whose agency has no demo login are recorded by a per-agency system account id.
    bar.set_message("cases");
    for chunk in data.cases.chunks(500) {
        let mut stored = Vec::with_capacity(chunk.len());
        let mut events = Vec::with_capacity(chunk.len());
        for c in chunk {
            let agency = agencies.get(c.agency_key).with_context(|| format!("demo case refers to unknown agency {}", c.agency_key))?;
            let by = users
                .get(&(c.agency_key, c.created_by_role))
                .or_else(|| any_user.get(c.agency_key))
                .copied()
                .unwrap_or(vigia_domain::ids::UserId(agency.id.as_uuid()));
            let sc = vigia.prepare_case(&c.case, agency, by);
            events.push(AuditEvent {
                at_ms: vigia.clock().now_ms(),
                actor: Some(by),
                action: "case.create".into(),
                case_id: Some(sc.case.id),
                detail: "demo".into(),
            });
            stored.push(sc);
        }
        vigia.store().insert_cases(&stored, &events).await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    // Illustrative action plans (live indicators over the cases above) and knowledge base.
    let demo_email = |local: &str| format!("{local}@{}", vigia_demo::DEMO_EMAIL_DOMAIN);
    vigia.seed_demo_plans(&demo_email("coordinator"), &demo_email("regional_monitor"), &demo_email("agency_admin")).await?;
    vigia.seed_demo_knowledge(&demo_email("coordinator")).await?;
    // Illustrative population figures (rates per 100,000) for the demo countries.
    let y = vigia.today().year();
    vigia.seed_demo_population(y - 10, y + 1).await?;

    // Sharing agreements, so that referrals work out of the box in the demo.
    let agreements: &[(&str, &str, &[&str], &[&str])] = &[
        ("br-pe-ngo", "br-sp-shelter", &["demographics", "exploitation", "wishes", "contact"], &["shelter", "medical", "psychological"]),
        ("br-pe-ngo", "br-ba-child", &["identity", "contact", "demographics", "exploitation", "route", "wishes"], &["shelter", "psychological", "legal"]),
        ("br-pe-police", "br-pe-ngo", &["identity", "demographics", "exploitation", "route"], &["legal", "psychological", "interpretation"]),
        ("br-pe-police", "br-sp-shelter", &["demographics", "exploitation", "wishes"], &["shelter"]),
    ];
    for (from, to, cats, services) in agreements {
        let (Some(from_a), Some(to_a)) = (agencies.get(from), agencies.get(to)) else { continue };
        let Some(admin) = users.get(&(*from, vigia_domain::taxonomy::Role::AgencyAdmin)).copied() else { continue };
        let actor = vigia_domain::policy::Actor {
            user_id: admin,
            role: vigia_domain::taxonomy::Role::AgencyAdmin,
            agency_id: from_a.id,
            country: from_a.country,
            identity_grant: false,
        };
        let cats = cats.iter().filter_map(|c| vigia_domain::taxonomy::DataCategory::parse(c).ok()).collect();
        let services = services.iter().filter_map(|c| vigia_domain::taxonomy::ServiceKind::parse(c).ok()).collect();
        vigia.create_agreement(&actor, to_a.id, cats, services).await?;
    }

    println!("Demo database {} ready: {} agencies, {} cases (synthetic; no real person).", crate::redact_url(db), data.agencies.len(), data.cases.len());
    println!("Demo logins (public, for this demo only):");
    for u in &data.users {
        let agency = agencies.get(u.agency_key).map(|a| a.name.as_str()).unwrap_or("");
        println!("  {:<18} {:<42} password {:<32} ({agency})", u.role.code(), u.email, u.password);
    }
    Ok(vigia)
}
