//! Building and running the server: `Application::build(settings)` binds its
//! own listener (port 0 in tests), connects, migrates and returns the server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpServer, web};
use shouhu_persistence::Db;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::Keys;
use crate::config::Settings;
use crate::error::{json_error, path_error, query_error};
use crate::graphql::{self, Limits, ShouhuSchema};
use crate::limits::Limiters;
use crate::ops::{self, Metrics};
use crate::rest;
use crate::transport;

/// What every handler can reach. Nothing here is state a second replica would need.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Token keys (loaded from the database).
    pub keys: Keys,
    /// Metrics registry.
    pub metrics: Metrics,
    /// The configuration.
    pub settings: Settings,
    /// The GraphQL schema.
    pub schema: ShouhuSchema,
    /// The same schema for operations that only introspect it, whose depth
    /// follows from the schema's own types (GraphiQL's query nests `ofType`
    /// nine levels) rather than from the data.
    pub introspection_schema: ShouhuSchema,
    /// GraphQL limits.
    pub graphql_limits: Limits,
    /// Request and login rate limiters (per replica).
    pub limiters: Limiters,
    /// What this process last learnt of sessions (trusted for a few seconds).
    pub sessions: crate::auth::SessionCache,
    /// Sends webhook deliveries (and pings) through the SSRF guard.
    pub webhooks: crate::webhooks::Sender,
}

/// A built, listening server.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    metrics: Metrics,
    shutdown_timeout: Duration,
}

/// Connects to the database (counting queries into `metrics`) and migrates it.
pub async fn connect(settings: &Settings, metrics: Option<&Metrics>) -> anyhow::Result<Db> {
    if let Some(path) = settings.database_url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)?;
        }
    }
    let counter = metrics.map(|m| {
        let m = m.clone();
        Arc::new(move |elapsed, failed| m.query_done(elapsed, failed)) as shouhu_persistence::QueryCounter
    });
    let db = Db::connect(&settings.database_url, settings.serve.db_max_connections, counter).await?;
    db.check_durability().await?;
    db.migrate().await?;
    Ok(db)
}

impl Application {
    /// Binds, connects, migrates and starts serving (not yet awaited).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let metrics = Metrics::new()?;
        let db = connect(&settings, Some(&metrics)).await?;
        let keys = Keys::load(&db).await?;
        if settings.serve.demo {
            crate::demo::load_if_empty(&db).await?;
        }
        db.optimize().await?;
        let listener = TcpListener::bind(&settings.serve.bind)?;
        let port = listener.local_addr()?.port();
        let serve = settings.serve.clone();
        let limits = Limits {
            depth: serve.graphql_max_depth,
            complexity: serve.graphql_max_complexity,
            aliases: serve.graphql_max_aliases,
            fields: serve.graphql_max_fields,
            nesting: serve.graphql_max_nesting,
            directives: serve.graphql_max_directives,
            body_bytes: serve.graphql_max_body_bytes,
        };
        let shutdown_metrics = metrics.clone();
        let state = web::Data::new(AppState {
            db: db.clone(),
            keys,
            metrics,
            settings,
            schema: graphql::schema(limits),
            introspection_schema: graphql::schema(graphql::introspection_limits(limits)),
            graphql_limits: limits,
            limiters: Limiters::new(
                serve.rate_limit_per_minute,
                serve.login_limit_per_user,
                serve.login_limit_per_address,
            ),
            sessions: crate::auth::SessionCache::new(Duration::from_secs(serve.session_check_seconds)),
            webhooks: crate::webhooks::Sender::new(crate::webhooks::target::AllowHosts::new(
                &serve.webhook_allow_hosts,
            ))?,
        });
        crate::webhooks::dispatch::spawn(state.clone());
        crate::imports::jobs::spawn(state.clone());
        let forgetful = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(crate::limits::FORGET_INTERVAL);
            loop {
                tick.tick().await;
                forgetful.limiters.forget_idle();
                if let Err(e) = forgetful.db.forget_old_auth_failures(chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "could not forget old failed authentications");
                }
                let days = forgetful.settings.serve.changes_retention_days;
                if let Err(e) = shouhu_domain::changes::purge(&forgetful.db, days).await {
                    tracing::warn!(error = %e, "could not purge old changes");
                }
                let before = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
                if let Err(e) = forgetful.db.purge_deliveries(before).await {
                    tracing::warn!(error = %e, "could not purge old webhook deliveries");
                }
            }
        });
        let openapi = crate::openapi::document();
        let cors_enabled = !serve.cors_origins.is_empty();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(serve.max_body_bytes)
                        .content_type_required(true)
                        .content_type(|mime| {
                            mime.type_() == "application"
                                && (mime.subtype() == "json"
                                    || mime.subtype() == "merge-patch+json"
                                    || mime.suffix().is_some_and(|s| s == "json"))
                        })
                        .error_handler(json_error),
                )
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .wrap(from_fn(transport::head_as_get))
                .wrap(from_fn(ops::observe))
                // CORS wraps `observe`, so that its answers (a 429, a 500) carry
                // the CORS headers too, and preflights are answered before any
                // authentication or rate limit.
                .wrap(Condition::new(cors_enabled, transport::cors(&serve.cors_origins)))
                .wrap(Condition::new(cors_enabled, from_fn(transport::preflight_answers)))
                // Outside everything that writes text for people, so that each
                // of them writes it in the caller's language.
                .wrap(from_fn(crate::i18n::negotiate))
                .wrap(Compress::default())
                .service(
                    rest::routes()
                        .route("/graphql", Method::GET, graphql::graphiql)
                        .route("/graphql", Method::POST, graphql::graphql)
                        .route("/graphql/assets/{name}", Method::GET, graphql::graphiql_asset)
                        .route("/docs", Method::GET, ops::docs_redirect),
                )
                .service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", openapi.clone()))
                .default_service(web::to(crate::ops::not_found))
        })
        .listen(listener)?
        // SIGTERM and SIGINT are handled in `run_until_stopped`.
        .disable_signals()
        .shutdown_timeout(serve.shutdown_timeout);
        if serve.workers > 0 {
            server = server.workers(serve.workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            db,
            metrics: shutdown_metrics,
            shutdown_timeout: Duration::from_secs(serve.shutdown_timeout),
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, lets in-flight requests finish, then closes the pool.
    ///
    /// On the signal it first stops accepting connections and waits (up to the
    /// shutdown timeout) until no request is in flight on any worker, and only
    /// then stops the workers. Each worker runs its own runtime, and a pooled
    /// database connection belongs to the runtime that opened it: a worker
    /// that stopped early would take its connections with it, failing a
    /// request another worker still serves.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let metrics = self.metrics.clone();
        let timeout = self.shutdown_timeout;
        let drain = tokio::spawn(async move {
            stop_signal().await;
            handle.pause().await;
            let deadline = tokio::time::Instant::now() + timeout;
            while metrics.requests_in_flight() > 0 && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            handle.stop(true).await;
        });
        self.server.await?;
        drain.abort();
        tokio::time::timeout(Duration::from_secs(5), self.db.close()).await.ok();
        Ok(())
    }
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
