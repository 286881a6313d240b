//! Shared helpers: temporary databases, the binary, a running server.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use vigia_service::{Clock, Keys, Vigia};

pub const BIN: &str = env!("CARGO_BIN_EXE_vigia");

/// Whether PostgreSQL tests must run (CI) or may be skipped.
pub fn pg_url() -> Option<String> {
    match std::env::var("VIGIA_TEST_POSTGRES_URL") {
        Ok(u) => Some(u),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("CI=true but VIGIA_TEST_POSTGRES_URL is not set"),
        Err(_) => None,
    }
}

/// A fresh schema in the test database; returns (schema, URL that selects it).
pub async fn pg_schema(base: &str) -> (String, String) {
    let schema = format!("it_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(base).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&pool).await.unwrap();
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    (schema.clone(), format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// A database under test: its URL, the key file, the temp dir.
pub struct TestDb {
    pub url: String,
    pub key_file: PathBuf,
    pub sqlite_path: Option<PathBuf>,
    pub pg_schema: Option<String>,
    pub dir: tempfile::TempDir,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl TestDb {
    pub async fn new(b: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("vigia.key");
        match b {
            Backend::Sqlite => {
                let p = dir.path().join("vigia.db");
                Some(Self { url: format!("sqlite://{}", p.display()), key_file, sqlite_path: Some(p), pg_schema: None, dir })
            }
            Backend::Postgres => {
                let base = pg_url()?;
                let (schema, url) = pg_schema(&base).await;
                Some(Self { url, key_file, sqlite_path: None, pg_schema: Some(schema), dir })
            }
        }
    }

    pub fn args(&self) -> Vec<String> {
        vec!["--db".into(), self.url.clone(), "--key-file".into(), self.key_file.display().to_string()]
    }

    /// Run `vigia <args> --db .. --key-file ..` and return (status, stdout, stderr).
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(self.args());
        run_bin(&all, stdin, self.dir.path())
    }

    /// The service over this database, in-process.
    pub async fn vigia(&self, clock: Arc<dyn Clock>) -> Vigia {
        let (keys, _) = Keys::load_or_create(&self.key_file, true).unwrap();
        let store = vigia_store::open(&self.url, keys.audit_key(), true).await.unwrap();
        Vigia::new(store, keys, clock)
    }
}

pub fn run_bin(args: &[String], stdin: Option<&str>, cwd: &Path) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("VIGIA_DATA_KEY")
        .env_remove("VIGIA_AUDIT_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn vigia");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// A `vigia serve` process on a free port; killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub stderr_path: PathBuf,
}

impl Server {
    pub fn start(db: &TestDb) -> Self {
        let stderr_path = db.dir.path().join(format!("serve-{}.log", uuid::Uuid::new_v4().simple()));
        let mut args = vec!["serve".to_string(), "--addr".into(), "127.0.0.1:0".into()];
        args.extend(db.args());
        let mut child = Command::new(BIN)
            .args(&args)
            .current_dir(db.dir.path())
            .env("VIGIA_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .expect("spawn vigia serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().rsplit(' ').next().unwrap_or_default().trim_end_matches('/').to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "server did not start: {line:?}");
        Self { child, base: url, stderr_path }
    }

    pub fn kill9(&mut self) {
        // SIGKILL: no graceful shutdown, no flushing.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A fixed clock for in-process tests.
pub struct FixedClock(pub time::OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> time::OffsetDateTime {
        self.0
    }
}

pub fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(time::macros::datetime!(2025-06-01 12:00 UTC)))
}

/// The body of the example case, with a chosen family name.
pub fn case_json(family: &str) -> serde_json::Value {
    serde_json::json!({
        "identity": {"given_names": "Ana", "family_names": family, "date_of_birth": "1990-04-01", "document_numbers": ["P-998877"], "contact": "+55 81 99999-0000"},
        "sex": "female", "age_at_identification": 19, "citizenship": "BR",
        "acts": ["recruitment", "transportation"], "means": ["deception"], "exploitation": ["sexual_exploitation"],
        "identified_on": "2024-03-01",
        "route": [{"country": "BR", "subdivision": "BR-PE"}, {"country": "ES"}]
    })
}

/// Set up agencies and a user per role via the CLI; returns tokens by label.
pub fn setup_users(db: &TestDb) -> std::collections::HashMap<&'static str, String> {
    let (c, _, e) = db.run(&["migrate"], None);
    assert_eq!(c, 0, "{e}");
    let agency = |name: &str, kind: &str, cc: &str| {
        let (c, out, e) = db.run(&["agency", "add", "--name", name, "--kind", kind, "--country", cc], None);
        assert_eq!(c, 0, "{e}");
        out.trim().to_string()
    };
    let a = agency("NGO A", "ngo", "BR");
    let b = agency("Police B", "police", "BR");
    let n = agency("Coordinator BR", "national_coordinator", "BR");
    let es = agency("Coordinator ES", "national_coordinator", "ES");
    let r = agency("Regional", "regional_mechanism", "BR");
    let users: &[(&'static str, &str, &str)] = &[
        ("caseworker_a", "caseworker", &a),
        ("admin_a", "agency_admin", &a),
        ("caseworker_b", "caseworker", &b),
        ("admin_b", "agency_admin", &b),
        ("coordinator", "coordinator", &n),
        ("coordinator_granted", "coordinator", &n),
        ("coordinator_es", "coordinator", &es),
        ("monitor", "regional_monitor", &r),
        ("auditor", "auditor", &n),
    ];
    let mut tokens = std::collections::HashMap::new();
    for (label, role, agency) in users {
        let email = format!("{label}@test.example");
        let (c, _, e) = db.run(&["user", "add", "--email", &email, "--role", role, "--agency", agency], Some("a long enough password\n"));
        assert_eq!(c, 0, "{e}");
        let (c, tok, e) = db.run(&["token", "create", "--email", &email], None);
        assert_eq!(c, 0, "{e}");
        tokens.insert(*label, tok.trim().to_string());
    }
    let (c, _, e) = db.run(&["user", "grant-identity", "--email", "coordinator_granted@test.example"], None);
    assert_eq!(c, 0, "{e}");
    tokens
}

/// A clock the test moves by hand.
pub struct SettableClock(pub std::sync::Mutex<time::OffsetDateTime>);

impl Clock for SettableClock {
    fn now(&self) -> time::OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

impl SettableClock {
    #[allow(dead_code)]
    pub fn set(&self, t: time::OffsetDateTime) {
        *self.0.lock().unwrap() = t;
    }
}

/// The real router called in-process with a bearer token.
pub struct Api {
    pub router: axum::Router,
}

impl Api {
    pub async fn call(&self, method: &str, uri: &str, token: &str, body: Option<serde_json::Value>) -> (axum::http::StatusCode, serde_json::Value, String) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut b = axum::http::Request::builder().method(method).uri(uri).header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(axum::http::header::CONTENT_TYPE, "application/json");
                axum::body::Body::from(v.to_string())
            }
            None => axum::body::Body::empty(),
        };
        let res = self.router.clone().oneshot(b.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null), text)
    }
}
