//! Configuration: one `Settings` value, from flags and `SHOUHU_*` variables.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The shouhu command line.
#[derive(Debug, Parser)]
#[command(
    name = "shouhu",
    version,
    about = "Shouhu (守护): the register of rural left-behind children and their care"
)]
pub struct Cli {
    /// The database: `sqlite://PATH` (embedded) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "SHOUHU_DATABASE_URL",
        default_value = "sqlite://data/shouhu.db",
        global = true
    )]
    pub database_url: String,
    /// Log format.
    #[arg(long, env = "SHOUHU_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the HTTP server (migrating the database first).
    Serve(Box<ServeArgs>),
    /// Applies database migrations and exits.
    Migrate,
    /// Imports a county census sheet (.xlsx or .csv) of children, as that
    /// account would through the API, and prints the report.
    Import {
        /// The sheet.
        file: std::path::PathBuf,
        /// The account the import runs as (its jurisdiction and role).
        #[arg(long = "as", value_name = "USERNAME")]
        username: String,
        /// Checks every row and writes nothing.
        #[arg(long)]
        dry_run: bool,
        /// What to do with the valid rows when some are not.
        #[arg(long, value_enum, default_value = "reject_all")]
        on_error: crate::imports::run::OnError,
    },
    /// Administrative regions.
    Regions {
        /// What to do with regions.
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Accounts of people.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Client systems (partners, departmental systems).
    Client {
        /// What to do with clients.
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Token signing keys.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Prints the GraphQL schema or the OpenAPI document.
    ExportSchema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// Generates synthetic children, guardians, guardianships, visits, family contacts and enrolments for load tests.
    Seed {
        /// How many children to generate.
        #[arg(long)]
        synthetic: u64,
    },
}

/// Region commands.
#[derive(Debug, Subcommand)]
pub enum RegionsCommand {
    /// Loads regions from a CSV file with the header `code,name`; re-importing updates names.
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
    },
}

/// What an account or a client system is bound to.
#[derive(Debug, Clone, clap::Args)]
pub struct Binding {
    /// Role: admin, coordinator, department, township_officer, village_officer, center_staff, volunteer, partner,
    /// auditor (a client system is usually partner or department).
    #[arg(long)]
    pub role: String,
    /// The 12-digit code of the region it is bound to.
    #[arg(long)]
    pub region: String,
    /// The department, for department accounts and clients.
    #[arg(long)]
    pub department: Option<String>,
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Adds an account; the password is the first line of standard input.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Its role and region.
        #[command(flatten)]
        binding: Binding,
        /// The organisation's id.
        #[arg(long)]
        org: Option<uuid::Uuid>,
    },
    /// Disables an account (or client) and ends all its sessions: it can no
    /// longer log in, refresh or fetch client tokens, and its access tokens
    /// are refused within SHOUHU_SESSION_CHECK_SECONDS; enabling it again
    /// revives none of them.
    Disable {
        /// Login name or client id.
        #[arg(long)]
        username: String,
    },
    /// Enables a disabled account again.
    Enable {
        /// Login name or client id.
        #[arg(long)]
        username: String,
    },
    /// Forgets the failed logins (or client secrets) counted for a user name
    /// or client id, from every source address: none of them waits any more.
    Unlock {
        /// Login name or client id.
        #[arg(long)]
        username: String,
    },
}

/// Client commands.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Adds a client system and prints its id and secret, once.
    Add {
        /// The system's name.
        #[arg(long)]
        name: String,
        /// Its role and region.
        #[command(flatten)]
        binding: Binding,
    },
}

/// Key commands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Adds a new signing key; tokens signed with older keys stay valid until they expire.
    Rotate,
}

/// The exportable schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// GraphQL SDL.
    Graphql,
    /// OpenAPI 3.1 JSON.
    Openapi,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SHOUHU_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo county into an empty database and print its logins.
    #[arg(long, env = "SHOUHU_DEMO")]
    pub demo: bool,
    /// HTTP worker threads (0: one per core).
    #[arg(long, env = "SHOUHU_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Largest database pool.
    #[arg(long, env = "SHOUHU_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
    /// Access token lifetime in seconds (at most 900).
    #[arg(long, env = "SHOUHU_ACCESS_TOKEN_TTL", default_value_t = 900, value_parser = clap::value_parser!(i64).range(30..=900))]
    pub access_token_ttl: i64,
    /// Refresh token lifetime in seconds.
    #[arg(long, env = "SHOUHU_REFRESH_TOKEN_TTL", default_value_t = 1_209_600)]
    pub refresh_token_ttl: i64,
    /// Largest REST JSON body in bytes.
    #[arg(long, env = "SHOUHU_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Largest GraphQL request body in bytes.
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_BODY_BYTES", default_value_t = 131_072)]
    pub graphql_max_body_bytes: usize,
    /// Deepest GraphQL query.
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_DEPTH", default_value_t = 10)]
    pub graphql_max_depth: usize,
    /// Most complex GraphQL query (a connection of `first: n` multiplies its fields by n).
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub graphql_max_complexity: usize,
    /// Most aliases in one GraphQL query.
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_ALIASES", default_value_t = 30)]
    pub graphql_max_aliases: usize,
    /// Most field selections in one GraphQL query, aliased or not (a fragment's
    /// fields count each time it is spread).
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_FIELDS", default_value_t = 1_000)]
    pub graphql_max_fields: usize,
    /// Deepest nesting in one GraphQL request: brackets, braces and parentheses
    /// in the query, selections through fragment spreads, lists and objects in
    /// the variables (at most 100).
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_NESTING", default_value_t = 32, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub graphql_max_nesting: usize,
    /// Requests per minute per token subject, per replica (0: no limit).
    #[arg(long, env = "SHOUHU_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,
    /// Login attempts (and client credentials grants) per minute per user name
    /// (or client id) and source address, per replica.
    #[arg(long, env = "SHOUHU_LOGIN_LIMIT_PER_USER", default_value_t = 10)]
    pub login_limit_per_user: u32,
    /// Login attempts (and client credentials grants) per minute per source address, per replica.
    #[arg(long, env = "SHOUHU_LOGIN_LIMIT_PER_ADDRESS", default_value_t = 60)]
    pub login_limit_per_address: u32,
    /// Failed logins (or client secrets) in a row, per name and source address,
    /// before that pair has to wait (on every replica: counted in the database).
    #[arg(long, env = "SHOUHU_LOGIN_FREE_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub login_free_failures: u32,
    /// Seconds the first wait lasts; each further failure doubles it.
    #[arg(long, env = "SHOUHU_LOGIN_DELAY_SECONDS", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub login_delay_seconds: u64,
    /// The longest wait, in seconds.
    #[arg(long, env = "SHOUHU_LOGIN_MAX_DELAY_SECONDS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub login_max_delay_seconds: u64,
    /// Proxies (IP addresses or CIDR ranges, comma-separated) whose
    /// `X-Forwarded-For` names the source address of a request; from any other
    /// peer the header is ignored.
    #[arg(long, env = "SHOUHU_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ProxyRange>,
    /// The server's public base URL (`https://shouhu.example.gov.cn`, no query
    /// or fragment), used for the absolute URLs of
    /// `/.well-known/oauth-authorization-server`. Unset, they are built from
    /// the request's `Host` (and, from a trusted proxy, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host`).
    #[arg(long, env = "SHOUHU_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// Seconds a process may trust its last look at a session (0 to 5): a
    /// logout, a detected refresh-token reuse or a disabled account refuses
    /// the session's access tokens on every replica within this time.
    #[arg(long, env = "SHOUHU_SESSION_CHECK_SECONDS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=5))]
    pub session_check_seconds: u64,
    /// Hours an idempotency key is remembered.
    #[arg(long, env = "SHOUHU_IDEMPOTENCY_TTL_HOURS", default_value_t = 168, value_parser = clap::value_parser!(i64).range(24..=8760))]
    pub idempotency_ttl_hours: i64,
    /// Most directives on one GraphQL field.
    #[arg(long, env = "SHOUHU_GRAPHQL_MAX_DIRECTIVES", default_value_t = 10)]
    pub graphql_max_directives: usize,
    /// Largest page of a list (REST `limit`, GraphQL `first`), at most 500.
    #[arg(long, env = "SHOUHU_MAX_PAGE_SIZE", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub max_page_size: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "SHOUHU_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    pub shutdown_timeout: u64,
    /// The safety guarantee needs a follow-up visit within this many days.
    #[arg(long, env = "SHOUHU_VISIT_WITHIN_DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub visit_within_days: u32,
    /// The affection guarantee needs a family contact within this many days.
    #[arg(long, env = "SHOUHU_CONTACT_WITHIN_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub contact_within_days: u32,
    /// Days the changes feed keeps a change (a cursor older than the oldest
    /// change kept is 410 `cursor_expired`).
    #[arg(long, env = "SHOUHU_CHANGES_RETENTION_DAYS", default_value_t = shouhu_domain::changes::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub changes_retention_days: u32,
    /// Active pairings one volunteer may hold.
    #[arg(long, env = "SHOUHU_MAX_ACTIVE_PAIRINGS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_active_pairings: u32,
    /// Times in 24 hours one caller may send a resident ID number that is
    /// registered outside its jurisdiction (a 409 each, recorded in the read log
    /// as an access to that child) before any ID number it sends is 429.
    #[arg(long, env = "SHOUHU_ID_NUMBER_MATCHES_PER_DAY", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub id_number_matches_per_day: u32,
    /// Origins (`https://app.example.org`, comma-separated) whose pages may
    /// call the API from a browser (CORS); none by default, and then no CORS
    /// header is sent at all.
    #[arg(long, env = "SHOUHU_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<CorsOrigin>,
    /// Hosts (comma-separated, as written in the URL: `hooks.internal`,
    /// `127.0.0.1`) that webhooks may reach over `http` and at private,
    /// loopback or link-local addresses; every other target must be `https`
    /// to a public address.
    #[arg(long, env = "SHOUHU_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',')]
    pub webhook_allow_hosts: Vec<String>,
    /// Seconds before a failed webhook delivery's first retry; each next wait
    /// doubles, at most an hour apart.
    #[arg(long, env = "SHOUHU_WEBHOOK_RETRY_BASE_SECONDS", default_value_t = shouhu_domain::webhooks::DEFAULT_RETRY_BASE_SECONDS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub webhook_retry_base_seconds: u64,
    /// Attempts before a webhook delivery is dead (32: with the default base,
    /// retries go on for 25 hours).
    #[arg(long, env = "SHOUHU_WEBHOOK_MAX_ATTEMPTS", default_value_t = shouhu_domain::webhooks::DEFAULT_MAX_ATTEMPTS, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub webhook_max_attempts: u32,
    /// Milliseconds between two looks for webhook work, on each replica.
    #[arg(long, env = "SHOUHU_WEBHOOK_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(50..=60000))]
    pub webhook_poll_ms: u64,
    /// Largest census file an import takes, in bytes (larger is 413).
    #[arg(long, env = "SHOUHU_IMPORT_MAX_BYTES", default_value_t = 32 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=1_073_741_824))]
    pub import_max_bytes: u64,
    /// Milliseconds between two looks for a queued import, on each replica.
    #[arg(long, env = "SHOUHU_IMPORT_POLL_MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(50..=60000))]
    pub import_poll_ms: u64,
}

/// Everything `Application::build` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database URL.
    pub database_url: String,
    /// Server options.
    pub serve: ServeArgs,
}

impl Settings {
    /// The numbers the guarantees and pairings follow.
    pub fn rules(&self) -> shouhu_domain::guarantee::Rules {
        shouhu_domain::guarantee::Rules {
            visit_within_days: self.serve.visit_within_days,
            contact_within_days: self.serve.contact_within_days,
            max_active_pairings: self.serve.max_active_pairings,
            id_number_matches_per_day: self.serve.id_number_matches_per_day,
        }
    }

    /// How failed logins and client secrets slow down.
    pub fn throttle(&self) -> shouhu_domain::account::Throttle {
        shouhu_domain::account::Throttle {
            free_failures: self.serve.login_free_failures,
            first_delay_seconds: self.serve.login_delay_seconds,
            max_delay_seconds: self.serve.login_max_delay_seconds,
        }
    }

    /// Settings for tests and tools: the defaults (and any `SHOUHU_*` variables),
    /// a database and an address.
    pub fn new(database_url: &str, bind: &str) -> Result<Self, clap::Error> {
        match Cli::try_parse_from(["shouhu", "serve", "--bind", bind])?.command {
            Command::Serve(serve) => Ok(Self {
                database_url: database_url.to_owned(),
                serve: *serve,
            }),
            _ => Err(clap::Error::new(clap::error::ErrorKind::InvalidSubcommand)),
        }
    }
}

/// A web origin a browser sends in `Origin`: `http` or `https`, a host and
/// perhaps a port, nothing after (compared exactly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsOrigin(String);

impl CorsOrigin {
    /// The origin as browsers send it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for CorsOrigin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let host = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| format!("{s:?}: an origin starts with https:// or http://"))?;
        let well_formed = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            && s.parse::<actix_web::http::Uri>().is_ok();
        if !well_formed {
            return Err(format!(
                "{s:?}: an origin is a scheme, a host and perhaps a port, such as https://app.example.org:8443, with no path"
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

/// An IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyRange {
    network: std::net::IpAddr,
    prefix: u8,
}

impl ProxyRange {
    /// Whether `ip` lies in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (net, ip, bits) = match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(n.to_bits()), u128::from(i.to_bits()), 32),
            (IpAddr::V6(n), IpAddr::V6(i)) => (n.to_bits(), i.to_bits(), 128),
            _ => return false,
        };
        let host_bits = bits - u32::from(self.prefix);
        let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0) & (u128::MAX >> (128 - bits));
        net & mask == ip & mask
    }
}

impl std::str::FromStr for ProxyRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let network: std::net::IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length is 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }
}

/// An `http` or `https` URL without query or fragment, kept without a trailing slash.
fn parse_public_url(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or("the public URL must start with https:// or http://")?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("the public URL needs a host".to_owned());
    }
    if rest.contains(['?', '#']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the public URL may have no query, fragment or spaces".to_owned());
    }
    Ok(value.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::{ProxyRange, parse_public_url};

    #[test]
    fn a_public_url_is_an_http_origin_or_path_without_query_kept_without_a_trailing_slash() {
        assert_eq!(
            parse_public_url("https://shouhu.example.gov.cn/"),
            Ok("https://shouhu.example.gov.cn".to_owned())
        );
        assert_eq!(
            parse_public_url("http://10.1.2.3:8080/shouhu"),
            Ok("http://10.1.2.3:8080/shouhu".to_owned())
        );
        for bad in [
            "shouhu.example.gov.cn",
            "ftp://x",
            "https://",
            "https://x/?a=1",
            "https://x/#f",
            "https://a b",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cors_origins_are_a_scheme_a_host_and_perhaps_a_port() {
        let origin = |s: &str| s.parse::<super::CorsOrigin>();
        assert!(origin("https://app.example.org").is_ok_and(|o| o.as_str() == "https://app.example.org"));
        assert!(origin(" http://localhost:3000").is_ok_and(|o| o.as_str() == "http://localhost:3000"));
        assert!(origin("http://[::1]:8080").is_ok());
        assert!(origin("https://app.example.org/").is_err());
        assert!(origin("app.example.org").is_err());
        assert!(origin("*").is_err());
        assert!(origin("https://").is_err());
        assert!(origin("https://user@app.example.org").is_err());
    }

    #[test]
    fn proxy_ranges_match_addresses_and_cidr_blocks() {
        let ip = |s: &str| {
            s.parse::<std::net::IpAddr>()
                .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
        };
        let range = |s: &str| s.parse::<ProxyRange>();
        assert!(range("10.0.0.0/8").is_ok_and(|r| r.contains(ip("10.2.3.4")) && !r.contains(ip("11.0.0.1"))));
        assert!(range("127.0.0.1").is_ok_and(|r| r.contains(ip("127.0.0.1")) && r.contains(ip("::ffff:127.0.0.1"))));
        assert!(range("fd00::/8").is_ok_and(|r| r.contains(ip("fd12::1")) && !r.contains(ip("fe80::1"))));
        assert!(range("0.0.0.0/0").is_ok_and(|r| r.contains(ip("8.8.8.8")) && !r.contains(ip("::1"))));
        assert!(range("10.0.0.0/33").is_err());
        assert!(range("example.org").is_err());
    }
}
