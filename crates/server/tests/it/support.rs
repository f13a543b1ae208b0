//! The test harness: a fresh database per test (SQLite file, or a PostgreSQL database
//! created and dropped when `MADOGUCHI_TEST_DATABASE_URL` is set), the app in-process,
//! and a small cookie-keeping client that drives it like a browser would.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use madoguchi_server::app;
use madoguchi_server::clock::Clock;
use madoguchi_server::config::Config;
use madoguchi_server::state::AppState;
use madoguchi_store::SqlStore;
use tower::ServiceExt;

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `MADOGUCHI_TEST_DATABASE_URL` is set.
pub fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Sqlite];
    if std::env::var("MADOGUCHI_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        engines.push(Engine::Postgres);
    }
    engines
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    format!(
        "madoguchi_it_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    )
}

/// A database that exists for one test and is removed afterwards, even if the test fails.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn create(engine: Engine) -> Self {
        let name = unique_name();
        match engine {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.join("madoguchi.db").display());
                Self {
                    url,
                    cleanup: Cleanup::Dir(dir),
                }
            }
            Engine::Postgres => {
                let admin_url = std::env::var("MADOGUCHI_TEST_DATABASE_URL").unwrap();
                let admin = SqlStore::connect(&admin_url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("create database {name}")))
                    .execute(admin.pool())
                    .await
                    .unwrap();
                admin.close().await;
                let url = with_database(&admin_url, &name);
                Self {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }
}

/// `admin_url` pointing at database `name` instead.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, ""), |(b, q)| (b, q));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{}", &base[..path_start], name);
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    url
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop cannot await; a short-lived runtime on its own thread can.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(admin) = SqlStore::connect(&admin_url).await {
                            let sql = format!("drop database if exists {name} with (force)");
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                                .execute(admin.pool())
                                .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Test configuration: cheap Argon2 parameters (the real ones are tested once on their
/// own), and rate limits high enough for the many logins of one test from one address
/// (the limits' own tests set theirs); everything else as deployed.
pub fn test_config(url: &str) -> Config {
    Config {
        database_url: Some(url.to_owned()),
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        login_per_address_per_minute: 10_000,
        login_per_id_per_minute: 10_000,
        confirmation_per_user_per_minute: 10_000,
        confirmation_per_address_per_minute: 10_000,
        password_hash_queue: 10_000,
        otp_per_user_per_minute: 10_000,
        otp_per_address_per_minute: 10_000,
        // The key that seals token secrets, per test (never a file in the working folder).
        otp_key: Some(madoguchi_server::config::SecretText::new(
            madoguchi_store::history::hex(&rand::random::<[u8; 32]>()),
        )),
        history_key: Some(madoguchi_server::config::SecretText::new(
            madoguchi_store::history::hex(&rand::random::<[u8; 32]>()),
        )),
        ..Config::default()
    }
}

/// A folder of its own for one test (the checkpoint log lives there), removed after.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "madoguchi-test-{}",
            madoguchi_store::history::hex(&rand::random::<[u8; 8]>())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app in-process on a fresh database.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: Clock,
    pub db: TestDb,
    /// The data directory (the checkpoint log); removed with the app.
    pub _dir: TempDir,
}

impl TestApp {
    /// A fresh database with the demo data loaded.
    pub async fn new(engine: Engine) -> Self {
        Self::with_config(engine, |_| {}).await
    }

    /// Like [`TestApp::new`], after `adjust` has changed the configuration.
    pub async fn with_config(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::create(engine).await;
        let dir = TempDir::new();
        let mut config = test_config(&db.url);
        config.data_dir = dir.0.clone();
        adjust(&mut config);
        let clock = Clock::manual();
        let store = app::connect(&config).await.unwrap();
        let loader =
            app::state_with_store(config.clone(), clock.clone(), store.clone(), true).unwrap();
        madoguchi_server::demo::load_if_empty(&loader)
            .await
            .unwrap();
        let state = app::state_with_store(config, clock.clone(), store, true).unwrap();
        let router = app::router(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 10], 50000))));
        Self {
            state,
            router,
            clock,
            db,
            _dir: dir,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    /// A second app server on the same database (its own pool, its own in-memory state),
    /// as one more behind the load balancer: the clients it makes.
    pub async fn second_server(&self) -> impl Fn() -> Client {
        let store = app::connect(&self.state.config).await.unwrap();
        let state =
            app::state_with_store(self.state.config.clone(), self.clock.clone(), store, true)
                .unwrap();
        let router =
            app::router(state).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 11], 50000))));
        move || Client {
            router: router.clone(),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    /// A client connecting from `ip` (another address than the usual 192.0.2.10).
    pub fn client_from(&self, ip: [u8; 4]) -> Client {
        Client {
            router: app::router(self.state.clone())
                .layer(MockConnectInfo(SocketAddr::from((ip, 50000)))),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    /// A client whose connection presents the client certificate `serial`, as one over the
    /// TLS listener does once its handshake verified it.
    pub fn client_presenting(&self, serial: &str) -> Client {
        let presented = madoguchi_server::certificates::PresentedCertificate {
            serial: serial.to_owned(),
        };
        Client {
            router: self.router.clone().layer(axum::Extension(presented)),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    /// A client already logged in (screen session) as `login_id` with the demo password.
    pub async fn logged_in(&self, login_id: &str) -> Client {
        let mut client = self.client();
        let resp = client.login(login_id, "Demo1234").await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login of {login_id} failed: {}",
            resp.body
        );
        client.get("/top").await;
        client
    }

    /// An API login sent from `ip` (the limits are per address), answered with its status.
    pub async fn send_from(&self, ip: [u8; 4], login_id: &str, password: &str) -> StatusCode {
        let router =
            app::router(self.state.clone()).layer(MockConnectInfo(SocketAddr::from((ip, 50000))));
        let body = serde_json::json!({"login_id": login_id, "password": password});
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/login")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        router.oneshot(req).await.unwrap().status()
    }

    /// A separate pool on the test database, for tests that check the schema itself.
    pub async fn raw_store(&self) -> SqlStore {
        SqlStore::connect(&self.db.url).await.unwrap()
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// All `Set-Cookie` values.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

/// A browser-like client: keeps cookies, remembers the CSRF token of the last page.
pub struct Client {
    router: Router,
    cookies: HashMap<String, String>,
    /// The CSRF token (screens: from the last page's forms; API: from login).
    pub csrf: Option<String>,
}

/// The value of hidden input `name` in `html`.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Every hidden input of `html` as (name, value), in order (checkbox names may repeat).
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let Some((name, rest)) = chunk.split_once('"') else {
            continue;
        };
        let value = rest
            .split_once("value=\"")
            .and_then(|(_, v)| v.split_once('"'))
            .map(|(v, _)| v)
            .unwrap_or("");
        if name != "csrf" {
            out.push((
                name.to_owned(),
                value.replace("&#34;", "\"").replace("&amp;", "&"),
            ));
        }
    }
    out
}

impl Client {
    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let mut req = req;
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.headers_mut()
                .insert("cookie", cookie.join("; ").parse().unwrap());
        }
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let resp = Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for cookie in resp.set_cookies() {
            let first = cookie.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        if let Some(token) = hidden_field(&resp.body, "csrf") {
            self.csrf = Some(token);
        }
        resp
    }

    /// GETs `path` and returns the raw body bytes (PDFs, CSV files).
    pub async fn get_raw(&mut self, path: &str) -> Vec<u8> {
        let req = Request::get(path).body(Body::empty()).unwrap();
        self.send_raw(req).await
    }

    /// Sends a request and returns the raw body bytes (PDFs).
    pub async fn send_raw(&mut self, req: Request<Body>) -> Vec<u8> {
        self.send_for_bytes(req).await.1
    }

    /// Sends a request and returns the status and the raw body bytes (files).
    pub async fn send_for_bytes(&mut self, mut req: Request<Body>) -> (StatusCode, Vec<u8>) {
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.headers_mut()
                .insert("cookie", cookie.join("; ").parse().unwrap());
        }
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        (status, bytes)
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form as a same-origin browser would (no CSRF field added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts a form with the CSRF token of the last page.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Logs in through the login screen.
    pub async fn login(&mut self, login_id: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let token = hidden_field(&page.body, "form_token").unwrap();
        self.post_form_raw(
            "/login",
            &[
                ("login_id", login_id),
                ("password", password),
                ("form_token", &token),
            ],
        )
        .await
    }

    /// Sends JSON (with the API CSRF header when a token is known).
    pub async fn json(&mut self, method: Method, path: &str, body: serde_json::Value) -> Resp {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(csrf) = &self.csrf {
            builder = builder.header("x-csrf-token", csrf);
        }
        self.send(builder.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Logs in through the API and keeps the CSRF token.
    pub async fn api_login(&mut self, login_id: &str, password: &str) -> Resp {
        let resp = self
            .json(
                Method::POST,
                "/api/v1/login",
                serde_json::json!({"login_id": login_id, "password": password}),
            )
            .await;
        if resp.status == StatusCode::OK {
            self.csrf = resp.json()["csrf_token"].as_str().map(str::to_owned);
        }
        resp
    }

    /// Uses `other`'s cookies (its session) from now on, as a second tab would.
    pub fn copy_session_from(&mut self, other: &Client) {
        self.cookies = other.cookies.clone();
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }
}

/// The newest 操作履歴 entries of the whole deployment, in words (as shown).
pub async fn recent_history(app: &TestApp, n: i64) -> Vec<madoguchi_store::HistoryEntry> {
    app.state
        .store
        .history(&madoguchi_store::HistoryFilter {
            company_id: None,
            user_id: None,
            limit: n,
        })
        .await
        .unwrap()
        .into_iter()
        .map(madoguchi_store::HistoryEntry::worded)
        .collect()
}

/// Locks `login_id`'s login password with five wrong passwords (the default threshold).
pub async fn lock_out(app: &TestApp, login_id: &str) {
    for _ in 0..5 {
        app.client().login(login_id, "Wrong9999").await;
    }
}

/// A well-formed idempotency key made from a short test name.
pub fn key(name: &str) -> String {
    format!("test-key-{name:-<8}")
}

/// The refused fields of an API answer as (field, code).
pub fn field_codes(r: &Resp) -> Vec<(String, String)> {
    r.json()["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The 操作履歴's hash chain verifies.
pub async fn assert_chain_intact(app: &TestApp) {
    let report = app.state.store.verify_history(&[]).await.unwrap();
    assert!(report.first_bad.is_none(), "{report:?}");
}
