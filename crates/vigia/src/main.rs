//! `vigia`: the one binary. Subcommands wire storage, keys, the service and the
//! web layer together; errors are reported readably at this edge.

mod demo;

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};

// Bulk imports allocate rows on the reading thread and free them on the writing
// one; with the system allocator a quarter of an import went to malloc/free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Args, Parser, Subcommand};
use vigia_domain::geo::{Country, Subdivision};
use vigia_domain::taxonomy::{AgencyKind, Role};
use vigia_service::{Email, Keys, SystemClock, Vigia};

#[derive(Parser)]
#[command(name = "vigia", version, about = "Vigia: an observatory for the fight against trafficking in persons.",
    long_about = "Vigia records presumed trafficked persons, refers them between agencies, and turns scattered lists into honest statistics.\n\nIdentifying data is encrypted at rest with a key kept outside the database (see --key-file), and every access to a case is written to a hash-chained audit log.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database: `sqlite://PATH` (embedded, default) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "VIGIA_DB", default_value = "sqlite://vigia.db")]
    db: String,
    /// Key file holding the data and audit keys (default: `vigia.key` beside a SQLite file;
    /// required for PostgreSQL unless VIGIA_DATA_KEY and VIGIA_AUDIT_KEY are set).
    #[arg(long, env = "VIGIA_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Create or upgrade the database schema (and create the key file if absent).
    Migrate(DbArgs),
    /// Serve the web pages and the JSON API.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Mark session cookies Secure (set this when serving behind TLS).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Create a fresh demo database with synthetic data, print one login per role, and serve it.
    Demo {
        /// Demo database (replaced if it is the default demo file).
        #[arg(long, default_value = "sqlite://vigia-demo.db")]
        db: String,
        /// Key file (default: `vigia.key` beside the SQLite file).
        #[arg(long)]
        key_file: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Number of synthetic cases.
        #[arg(long, default_value_t = 5000)]
        cases: usize,
        /// Random seed of the generator.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Replace an existing database file even if it is not the default demo file.
        #[arg(long)]
        force: bool,
        /// Create the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Manage agencies.
    #[command(subcommand)]
    Agency(AgencyCmd),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Inspect the audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Manage encryption keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Link records that refer to the same person: de-duplicate one file, or link two
    /// (in the clear, or on privacy-preserving encodings with --encoded).
    Link(vigia_linkage::cli::LinkArgs),
    /// Encode identifying fields into keyed Bloom filters, so that only encodings leave the agency.
    Encode(vigia_linkage::cli::EncodeArgs),
    /// Import case records of one agency from CSV or Excel (.xlsx): all or nothing; every
    /// rejected row is reported with row, column, value and reason; re-importing updates.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The agency's id (see `vigia agency list`).
        #[arg(long)]
        agency: String,
        /// `htcds`: HTCDS v2.0 flat layout (field names as headers); `mapped`: the agency's own columns through a saved mapping.
        #[arg(long, value_parser = ["htcds", "mapped"])]
        format: String,
        /// Name of a saved mapping (with --format mapped).
        #[arg(long)]
        mapping: Option<String>,
        /// A mapping file (TOML or JSON) instead of a saved one.
        #[arg(long, conflicts_with = "mapping")]
        mapping_file: Option<PathBuf>,
        /// Check everything and report what would be imported; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// The file (.csv, .xlsx).
        file: PathBuf,
    },
    /// Manage saved column mappings for imports.
    #[command(subcommand)]
    Mapping(MappingCmd),
    /// Export an agency's cases to CSV or Excel, safe against formula injection.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The agency's id.
        #[arg(long)]
        agency: String,
        #[arg(long, value_parser = ["csv", "xlsx"], default_value = "csv")]
        format: String,
        /// Include identifying columns (names, birth date, documents, contact).
        #[arg(long)]
        identity: bool,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Screen a case (JSON, as for POST /api/v1/cases, plus optional "consent_given") against the
    /// legal definition; prints {"outcome", "reasons", "profile", "profile_version"}.
    Screen {
        /// Case JSON file, or `-` for standard input.
        file: String,
        /// Legal profile code (default `palermo`, the Protocol's definition). Stored
        /// profiles are read from --db when it is given.
        #[arg(long)]
        profile: Option<String>,
        /// A legal profile as a JSON file (instead of --profile).
        #[arg(long, conflicts_with = "profile")]
        profile_file: Option<PathBuf>,
        /// Database holding edited profiles (optional).
        #[arg(long)]
        db: Option<String>,
        /// Key file for --db.
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Estimate the hidden number of victims.
    #[command(subcommand)]
    Estimate(vigia_mse::cli::EstimateCommand),
}

#[derive(Subcommand)]
enum AgencyCmd {
    /// Add an agency; prints its id.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        name: String,
        /// police, prosecution, labour_inspection, ngo, shelter, health, child_protection, consulate,
        /// hotline, migration_authority, national_coordinator, regional_mechanism
        #[arg(long)]
        kind: String,
        /// ISO 3166-1 alpha-2 country code.
        #[arg(long)]
        country: String,
        /// ISO 3166-2 subdivision code, e.g. BR-PE.
        #[arg(long)]
        subdivision: Option<String>,
    },
    /// List agencies (id, kind, country, name).
    List(DbArgs),
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password (at least 12 characters) is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// caseworker, agency_admin, coordinator, regional_monitor, auditor
        #[arg(long)]
        role: String,
        /// The agency's id (see `vigia agency list`).
        #[arg(long)]
        agency: String,
    },
    /// Grant (or with --revoke withdraw) a coordinator's access to identifying fields.
    GrantIdentity {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        revoke: bool,
    },
}

#[derive(Subcommand)]
enum MappingCmd {
    /// Save (or replace) a mapping for an agency from a TOML or JSON file (its `name` is the key).
    Save {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        agency: String,
        file: PathBuf,
    },
    /// List an agency's saved mappings.
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        agency: String,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create a bearer token for a user; it is printed once and stored only hashed.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Verify the audit chain; exits non-zero and names each altered, removed or reordered entry.
    Verify(DbArgs),
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Re-encrypt every identity under a new data key and update the key file.
    Rotate(DbArgs),
}

fn key_path(db: &str, key_file: &Option<PathBuf>) -> Result<PathBuf> {
    if let Some(k) = key_file {
        return Ok(k.clone());
    }
    if let Some(path) = db.strip_prefix("sqlite://") {
        let dir = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        return Ok(dir.join("vigia.key"));
    }
    bail!("--key-file (or VIGIA_DATA_KEY and VIGIA_AUDIT_KEY) is required for a PostgreSQL database")
}

fn load_keys(db: &str, key_file: &Option<PathBuf>, create: bool) -> Result<Keys> {
    if let Some(k) = Keys::from_env()? {
        return Ok(k);
    }
    let path = key_path(db, key_file)?;
    if !create && !path.exists() {
        bail!("no key file at {} (run `vigia migrate` to create one, or pass --key-file)", path.display());
    }
    let (keys, created) = Keys::load_or_create(&path, create)?;
    if created {
        eprintln!("created key file {} (mode 0600): back it up apart from the database", path.display());
    }
    Ok(keys)
}

async fn open(db: &str, key_file: &Option<PathBuf>, create: bool) -> Result<(Vigia, Keys, PathBuf)> {
    let keys = load_keys(db, key_file, create)?;
    let store = vigia_store::open(db, keys.audit_key(), create).await.with_context(|| format!("opening {}", redact_url(db)))?;
    let path = key_path(db, key_file).unwrap_or_default();
    Ok((Vigia::new(store, keys.clone(), Arc::new(SystemClock)), keys, path))
}

/// A database URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) async fn serve(vigia: Vigia, addr: SocketAddr, secure_cookies: bool) -> Result<()> {
    // Load the map aggregates' case facts in the background: the first map
    // request then finds them ready (a million cases take a few seconds).
    let warm = vigia.clone();
    tokio::spawn(async move {
        let t = std::time::Instant::now();
        match warm.refresh_route_facts().await {
            Ok(n) => tracing::info!(cases = n, ms = t.elapsed().as_millis() as u64, "map aggregates ready"),
            Err(e) => tracing::warn!(error = %e, "loading map aggregates failed; the first map request retries"),
        }
    });
    let app = vigia_web::router(vigia_web::AppState::new(vigia, secure_cookies));
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    println!("Vigia is listening on http://{local}/");
    std::io::stdout().flush().ok();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return std::future::pending().await,
                };
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        })
        .await?;
    Ok(())
}

fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (at least 12 characters; input is visible — pipe it to avoid that): ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password on standard input");
    }
    Ok(pw)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Migrate(d) => {
            let (v, _, key) = open(&d.db, &d.key_file, true).await?;
            println!("database {} is up to date ({}); key file {}", redact_url(&d.db), v.store().backend(), key.display());
        }
        Command::Serve { db, addr, secure_cookies } => {
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            serve(v, addr, secure_cookies).await?;
        }
        Command::Demo { db, key_file, addr, cases, seed, force, no_serve } => {
            let v = demo::create(&db, &key_file, cases, seed, force).await?;
            if !no_serve {
                serve(v, addr, false).await?;
            }
        }
        Command::Agency(AgencyCmd::Add { db, name, kind, country, subdivision }) => {
            let kind = AgencyKind::parse(&kind).map_err(|e| anyhow::anyhow!("--kind: {e}"))?;
            let country = Country::parse(&country).map_err(|e| anyhow::anyhow!("--country: {e}"))?;
            let sub = subdivision.as_deref().map(Subdivision::parse).transpose().map_err(|e| anyhow::anyhow!("--subdivision: {e}"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            let a = v.add_agency(&name, kind, country, sub).await?;
            println!("{}", a.id);
        }
        Command::Agency(AgencyCmd::List(db)) => {
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            for a in v.store().list_agencies().await? {
                println!("{}\t{}\t{}\t{}", a.id, a.kind.code(), a.country.code(), a.name);
            }
        }
        Command::User(UserCmd::Add { db, email, role, agency }) => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--{e}"))?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let agency = agency.parse().map_err(|_| anyhow::anyhow!("--agency: not an agency id (see `vigia agency list`)"))?;
            let pw = read_password()?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            let u = v.add_user(&email, role, agency, &pw).await?;
            println!("{}", u.id);
        }
        Command::User(UserCmd::GrantIdentity { db, email, revoke }) => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--{e}"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            v.set_identity_grant(&email, !revoke).await?;
            println!("identity access {} for {}", if revoke { "withdrawn" } else { "granted" }, email.as_str());
        }
        Command::Token(TokenCmd::Create { db, email }) => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--{e}"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            println!("{}", v.create_token(&email).await?);
        }
        Command::Audit(AuditCmd::Verify(db)) => {
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("verifying audit chain");
            let report = v.verify_audit(|n| bar.set_position(n)).await?;
            bar.finish_and_clear();
            if report.problems.is_empty() {
                let head = report.head.map(|(s, m)| format!("head entry {s}, MAC {m}")).unwrap_or_else(|| "empty log".into());
                println!("audit chain OK: {} entries verified; {head}", report.checked);
                println!("(record the head MAC elsewhere to detect later truncation)");
            } else {
                eprintln!("audit chain BROKEN: {} problem(s) in {} entries", report.problems.len(), report.checked);
                for p in &report.problems {
                    eprintln!("  - {p}");
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Import { db, agency, format, mapping, mapping_file, dry_run, quiet, file } => {
            let agency = agency.parse().map_err(|_| anyhow::anyhow!("--agency: not an agency id (see `vigia agency list`)"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            let mapping = match (format.as_str(), mapping, mapping_file) {
                ("htcds", None, None) => None,
                ("htcds", _, _) => bail!("--mapping and --mapping-file go with --format mapped"),
                ("mapped", Some(name), None) => Some(v.mapping(agency, &name).await?),
                ("mapped", None, Some(path)) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    let m = if path.extension().is_some_and(|e| e == "json") { vigia_import::Mapping::from_json(&text) } else { vigia_import::Mapping::from_toml(&text) };
                    Some(m.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
                }
                _ => bail!("--format mapped needs --mapping NAME or --mapping-file PATH"),
            };
            let opts = vigia_import::ReadOptions { mapping, ..Default::default() };
            let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new_spinner() };
            bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} rows ({per_sec})").unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()));
            bar.set_message(if dry_run { "checking" } else { "reading and writing (identities encrypted)" });
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            // The file is read on its own thread while the rows already read are
            // encrypted and written, in one transaction that commits only if no
            // row of the whole file is rejected.
            let mut session = v.begin_import(None, agency, dry_run).await?;
            let preparer = session.preparer();
            let (batches, mut ready) = tokio::sync::mpsc::channel::<vigia_service::Result<vigia_service::import::PreparedBatch>>(4);
            let (path, today, reader_bar) = (file.clone(), v.today(), bar.clone());
            let reader = tokio::task::spawn_blocking(move || {
                let mut send = |rows: Vec<vigia_import::ImportedRow>| {
                    // If the writer has stopped (an error), nothing more is handed over.
                    let _ = batches.blocking_send(preparer.prepare(rows));
                };
                vigia_import::read_file_batches(&path, today, &opts, &mut |n| reader_bar.set_position(n), vigia_import::Batches { size: 5000, sink: &mut send })
            });
            while let Some(batch) = ready.recv().await {
                session.write_prepared(batch?).await?;
            }
            let mut report = reader.await.context("the reading thread failed")?.with_context(|| format!("reading {}", file.display()))?;
            bar.finish_and_clear();
            for w in &report.warnings {
                eprintln!("warning: {}{}", w.column.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(), w.message);
            }
            if !report.is_importable() {
                drop(session); // rolls back what was written so far
                eprintln!("{}: {} row(s) rejected; nothing was imported", file.display(), report.rejected_rows);
                for e in &report.rejected {
                    eprintln!("  {e}");
                }
                if report.rejected_truncated {
                    eprintln!("  (more rejected rows not shown)");
                }
                return Ok(ExitCode::from(1));
            }
            session.write(std::mem::take(&mut report.rows)).await?;
            let out = session.finish().await?;
            println!(
                "{}{} rows read: {} new case(s), {} updated{}",
                if dry_run { "dry run: " } else { "" },
                report.rows_read,
                out.inserted,
                out.updated,
                if dry_run { "; nothing written" } else { "" }
            );
        }
        Command::Mapping(MappingCmd::Save { db, agency, file }) => {
            let agency = agency.parse().map_err(|_| anyhow::anyhow!("--agency: not an agency id"))?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let m = if file.extension().is_some_and(|e| e == "json") { vigia_import::Mapping::from_json(&text) } else { vigia_import::Mapping::from_toml(&text) }
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            v.save_mapping(None, agency, &m).await?;
            println!("saved mapping {:?}", m.name);
        }
        Command::Mapping(MappingCmd::List { db, agency }) => {
            let agency = agency.parse().map_err(|_| anyhow::anyhow!("--agency: not an agency id"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            for m in v.mappings(agency).await? {
                println!("{}", m.name);
            }
        }
        Command::Export { db, agency, format, identity, out } => {
            let agency: vigia_domain::ids::AgencyId = agency.parse().map_err(|_| anyhow::anyhow!("--agency: not an agency id"))?;
            let (v, _, _) = open(&db.db, &db.key_file, false).await?;
            let a = v.store().get_agency(agency).await?.ok_or_else(|| anyhow::anyhow!("--agency: no such agency"))?;
            // The operator exports as the agency's administrator would.
            let actor = vigia_domain::policy::Actor {
                user_id: vigia_domain::ids::UserId(uuid::Uuid::nil()),
                role: Role::AgencyAdmin,
                agency_id: a.id,
                country: a.country,
                identity_grant: false,
            };
            let fmt = if format == "xlsx" { vigia_service::import::ExportFormat::Xlsx } else { vigia_service::import::ExportFormat::Csv };
            let bytes = v.export_cases(&actor, fmt, identity).await?;
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("exported to {}", out.display());
        }
        Command::Screen { file, profile, profile_file, db, key_file } => {
            let text = if file == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
                s
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let input: vigia_domain::input::CaseInput = {
                let de = &mut serde_json::Deserializer::from_str(&text);
                serde_path_to_error::deserialize(de).map_err(|e| {
                    let path = e.path().to_string();
                    let field = if path.starts_with("identity") { "identity".to_string() } else { path };
                    anyhow::anyhow!("{file}: invalid case JSON at {field}")
                })?
            };
            let today = time::OffsetDateTime::now_utc().date();
            let facts = input.screening_input(today).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            let profile = if let Some(pf) = profile_file {
                let p: vigia_domain::screening::LegalProfile = serde_json::from_str(&std::fs::read_to_string(&pf).with_context(|| format!("reading {}", pf.display()))?)
                    .with_context(|| format!("{}: not a legal profile", pf.display()))?;
                p.validate().map_err(|e| anyhow::anyhow!("{}: {e}", pf.display()))?;
                p
            } else if let Some(db) = db {
                let (v, _, _) = open(&db, &key_file, false).await?;
                v.legal_profile(profile.as_deref().unwrap_or("palermo"), None).await?
            } else {
                match profile.as_deref() {
                    None | Some("palermo") => vigia_domain::screening::LegalProfile::palermo(),
                    Some(other) => bail!("unknown profile {other}: only `palermo` is built in; give --db to use stored profiles, or --profile-file"),
                }
            };
            let s = vigia_domain::screening::screen(&facts, &profile);
            println!(
                "{}",
                serde_json::json!({"outcome": s.outcome.code(), "reasons": s.reasons, "profile": s.profile_code, "profile_version": s.profile_version})
            );
        }
        Command::Link(a) => vigia_linkage::cli::run_link(&a)?,
        Command::Encode(a) => vigia_linkage::cli::run_encode(&a)?,
        Command::Estimate(c) => vigia_mse::cli::run(&c)?,
        Command::Key(KeyCmd::Rotate(db)) => {
            if Keys::from_env()?.is_some() {
                bail!("keys come from the environment: rotate them there (re-encryption needs a key file)");
            }
            let (v, keys, path) = open(&db.db, &db.key_file, false).await?;
            let new = keys.rotated();
            // 1. Save the new key with the old one kept as retired: every row stays readable.
            new.save(&path)?;
            // 2. Re-encrypt all identities in one transaction.
            let n = v.reencrypt_all(&new).await?;
            // 3. Drop the retired key.
            new.without_retired().save(&path)?;
            println!("re-encrypted {n} identities under key {}; key file {} updated", new.current_key_id(), path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("VIGIA_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
