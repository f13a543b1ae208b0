//! Start-up as a value: connect and migrate the database, build the state and the router,
//! and serve. `main` only parses the command line and calls into here.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use madoguchi_store::{CompanyStore, SqlStore};

use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Config;
use crate::passwords::PasswordHasherPool;
use crate::state::{AppState, Services};
use crate::web::client::TrustedProxies;
use crate::web::cookies::CookieSpec;
use crate::web::limits::{self, Limits};
use crate::web::routes::Routes;
use crate::web::security;
use crate::web::token;

/// Opens a database that must already exist and hold madoguchi's schema (the operator's
/// commands): a mistyped `--data-dir` or URL is refused instead of silently creating an
/// empty database and reporting on it. Pending migrations are applied.
pub async fn open_existing(config: &Config) -> anyhow::Result<AppState> {
    let url = config.database_url();
    if let Some(path) = sqlite_path(&url)
        && !std::path::Path::new(&path).is_file()
    {
        anyhow::bail!(
            "no database at {path}: check --data-dir / --database-url, or create it with `madoguchi migrate`"
        );
    }
    let probe = SqlStore::connect(&url).await?;
    let has_schema = probe.has_schema().await?;
    probe.close().await;
    if !has_schema {
        anyhow::bail!(
            "the database at {} holds no madoguchi schema: create it with `madoguchi migrate`",
            madoguchi_store::redact(&url)
        );
    }
    let (store, applied) = SqlStore::connect_migrated(&url, config.history_key()?).await?;
    for name in applied {
        tracing::info!(migration = %name, "applied migration");
    }
    let demo = store.meta("demo").await?.as_deref() == Some("1");
    state_with_store(config.clone(), Clock::System, store, demo)
}

/// The file of a `sqlite://…` URL.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// Connects and migrates (creating the SQLite file and its folder if needed).
pub async fn connect(config: &Config) -> anyhow::Result<SqlStore> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    let (store, applied) =
        SqlStore::connect_migrated(&config.database_url(), config.history_key()?).await?;
    for name in applied {
        tracing::info!(migration = %name, "applied migration");
    }
    Ok(store)
}

/// Builds the state around an opened store.
pub fn state_with_store(
    config: Config,
    clock: Clock,
    store: SqlStore,
    demo: bool,
) -> anyhow::Result<AppState> {
    let policy = config.password_policy().map_err(anyhow::Error::msg)?;
    let hasher = PasswordHasherPool::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.password_hash_threads,
        config.password_hash_duty_percent,
        config.password_hash_queue,
    )?;
    let trusted_proxies = TrustedProxies::parse(&config.trusted_proxies)?;
    let limits = Limits::new(&config, clock.clone());
    let cookies = CookieSpec::new(config.cookie_secure);
    let pdf_font = crate::report::load_font()?;
    let history_key = config.history_key()?;
    let seal = crate::seal::Seal::load(
        config.otp_key.as_ref().map(|k| k.expose()),
        &config.data_dir,
    )?;
    let pki = bank_ca(&config, &clock, demo)?;
    Ok(AppState::new(Services {
        store: Arc::new(store),
        config,
        policy,
        clock,
        hasher,
        cookies,
        pdf_font,
        demo,
        limits,
        trusted_proxies,
        seal,
        history_key,
        pki,
    }))
}

/// The bank's CA of the data directory, at work; the demo makes its own on first start.
fn bank_ca(
    config: &Config,
    clock: &Clock,
    demo: bool,
) -> anyhow::Result<Option<Arc<crate::certificates::pki::Pki>>> {
    use crate::certificates::{ca::BankCa, pki::Pki};
    let now = clock.now_micros();
    let ca = match BankCa::load(&config.data_dir)? {
        Some(ca) => ca,
        None if demo => BankCa::create(&config.data_dir, DEMO_CA_NAME, now)?,
        None => return Ok(None),
    };
    Ok(Some(Pki::new(ca, now)?))
}

/// The name of the CA `serve --demo` creates.
pub const DEMO_CA_NAME: &str = "madoguchi デモ銀行 認証局";

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id = token::random_token();
        HeaderValue::from_str(id.get(..16).unwrap_or(&id))
            .ok()
            .map(RequestId::new)
    }
}

/// Every route of the service.
pub fn routes() -> Routes {
    Routes::new()
        .merge(crate::auth::router())
        .merge(crate::menu::router())
        .merge(crate::company::router())
        .merge(crate::fees::router())
        .merge(crate::users::router())
        .merge(crate::certificates::router())
        .merge(crate::reference::router())
        .merge(crate::transfers::router())
        .merge(crate::bulk::router())
        .merge(crate::history::router())
        .merge(crate::openapi::router())
        .route("/static/app.css", get(stylesheet))
        .route("/static/forms.js", get(script))
        .route("/healthz", get(healthz))
}

/// Every route of the service, with the middleware stack.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    // Extractors stop at `max_body` (DefaultBodyLimit); only the uploads of 全銀協 files
    // lift it, reading at most `max_upload_bytes` themselves.
    let max_request = max_body.max(state.config.max_upload_bytes + 64 * 1024);
    let mut router = routes().into_router();
    if state.config.client_certificate_header.is_some() {
        router = router.layer(middleware::from_fn_with_state(
            state.clone(),
            crate::certificates::watch::from_trusted_proxy,
        ));
    }
    router
        .layer(middleware::from_fn_with_state(state.clone(), security::same_origin_only))
        .layer(middleware::from_fn(security::security_headers))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(max_request))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/forms.js"),
    )
}

/// Liveness and database reachability, for load balancers.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.is_empty().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Writes the summaries of counted refusals and forgets idle rate-limit keys.
pub async fn flush_limits(state: &AppState) {
    for entry in state.limits.summaries(state.now()) {
        if let Err(e) = state.store.append_history(entry).await {
            tracing::warn!(error = ?e, "could not record a summary of refusals");
        }
    }
    state.limits.forget_idle();
}

/// Serves until Ctrl-C, purging dead sessions, flushing the refusal summaries, signing
/// and verifying the 操作履歴 (`audit.rs`), and handing accepted transfers to the bank's
/// host (the built-in simulator) and expiring orders past their 承認期限 in the
/// background.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let flusher = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(limits::FLUSH_EVERY);
        loop {
            tick.tick().await;
            flush_limits(&flusher).await;
        }
    });
    let purger = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            let now = purger.now();
            let idle_before = now - purger.idle_limit_micros();
            let created_before = now - purger.absolute_limit_micros();
            if let Err(e) = purger
                .store
                .purge_sessions(idle_before, created_before)
                .await
            {
                tracing::warn!(error = ?e, "session purge failed");
            }
        }
    });
    tokio::spawn(crate::audit::run(state.clone()));
    let host = Arc::new(crate::host::Simulator::new(&state));
    tokio::spawn(crate::host::run(state.clone(), host));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let tls = start_certificates(&state).await?;
    match tls {
        Some(tls) => crate::certificates::tls::serve(listener, tls, router(state), shutdown).await,
        None => {
            let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await?;
            Ok(())
        }
    }
}

/// Builds the CRL from the store, starts the writer of refused certificates and the
/// watch for other servers' revocations, and returns the TLS configuration when `tls`
/// is on.
pub async fn start_certificates(
    state: &AppState,
) -> anyhow::Result<Option<Arc<rustls::ServerConfig>>> {
    let Some(pki) = state.pki.clone() else {
        anyhow::ensure!(
            !state.config.tls && state.config.client_certificate_header.is_none(),
            "tls and client_certificate_header need the bank's CA: create it with `madoguchi ca init`"
        );
        return Ok(None);
    };
    pki.refresh(state.store.as_ref(), state.now())
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the CRL: {e}"))?;
    if let Some(queue) = pki.take_refusals() {
        tokio::spawn(crate::certificates::watch::record_refusals(
            state.clone(),
            queue,
        ));
    }
    let watcher = state.clone();
    let every = Duration::from_secs(u64::from(state.config.certificate_poll_seconds));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Some(pki) = watcher.pki.as_ref()
                && let Err(e) = pki.poll(watcher.store.as_ref(), watcher.now()).await
            {
                tracing::warn!(error = ?e, "could not look for new revocations");
            }
        }
    });
    if !state.config.tls {
        return Ok(None);
    }
    Ok(Some(crate::certificates::tls::server_config(
        &state.config,
        &pki,
        state.now(),
    )?))
}
