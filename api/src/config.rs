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
    Serve(ServeArgs),
    /// Applies database migrations and exits.
    Migrate,
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

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Adds an account; the password is the first line of standard input.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Role: admin, coordinator, department, township_officer, village_officer, center_staff, volunteer, partner, auditor.
        #[arg(long)]
        role: String,
        /// The 12-digit code of the region the account is bound to.
        #[arg(long)]
        region: String,
        /// The department, for department accounts.
        #[arg(long)]
        department: Option<String>,
        /// The organisation's id.
        #[arg(long)]
        org: Option<uuid::Uuid>,
    },
    /// Disables an account (or client): it can no longer log in or refresh; its
    /// access tokens lapse within their lifetime.
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
}

/// Client commands.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Adds a client system and prints its id and secret, once.
    Add {
        /// The system's name.
        #[arg(long)]
        name: String,
        /// Role (usually partner or department).
        #[arg(long)]
        role: String,
        /// The 12-digit code of the region the client is bound to.
        #[arg(long)]
        region: String,
        /// The department, for department clients.
        #[arg(long)]
        department: Option<String>,
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
    /// Login attempts per minute per user name, per replica.
    #[arg(long, env = "SHOUHU_LOGIN_LIMIT_PER_USER", default_value_t = 10)]
    pub login_limit_per_user: u32,
    /// Login attempts per minute per source address, per replica.
    #[arg(long, env = "SHOUHU_LOGIN_LIMIT_PER_ADDRESS", default_value_t = 60)]
    pub login_limit_per_address: u32,
    /// Consecutive failed logins that lock an account.
    #[arg(long, env = "SHOUHU_LOGIN_MAX_FAILURES", default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub login_max_failures: i32,
    /// Minutes a locked account stays locked.
    #[arg(long, env = "SHOUHU_LOGIN_LOCK_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub login_lock_minutes: i64,
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
    /// Active pairings one volunteer may hold.
    #[arg(long, env = "SHOUHU_MAX_ACTIVE_PAIRINGS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_active_pairings: u32,
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
        }
    }

    /// Settings for tests and tools: the defaults (and any `SHOUHU_*` variables),
    /// a database and an address.
    pub fn new(database_url: &str, bind: &str) -> Result<Self, clap::Error> {
        match Cli::try_parse_from(["shouhu", "serve", "--bind", bind])?.command {
            Command::Serve(serve) => Ok(Self {
                database_url: database_url.to_owned(),
                serve,
            }),
            _ => Err(clap::Error::new(clap::error::ErrorKind::InvalidSubcommand)),
        }
    }
}
