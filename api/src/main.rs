//! The `shouhu` binary.

use clap::Parser;
use shouhu_api::config::{
    Cli, ClientCommand, Command, KeysCommand, LogFormat, RegionsCommand, SchemaKind, Settings, UserCommand,
};
use shouhu_api::{Application, app, cli, demo, graphql, openapi, pool_waits};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("SHOUHU_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = match format {
        LogFormat::Json => log.json().flatten_event(true).boxed(),
        LogFormat::Text => log.boxed(),
    };
    tracing_subscriber::registry()
        .with(log.with_filter(filter))
        .with(pool_waits::layer())
        .init();
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let database_url = cli.database_url.clone();
    match cli.command {
        Command::Serve(serve) => {
            let settings = Settings {
                database_url,
                serve: *serve,
            };
            let application = Application::build(settings).await?;
            tracing::info!(port = application.port(), "listening");
            application.run_until_stopped().await?;
        }
        Command::ExportSchema { which } => match which {
            SchemaKind::Graphql => print!("{}", graphql::sdl()),
            SchemaKind::Openapi => println!("{}", openapi::json()),
        },
        command => {
            let settings = Settings::new(&database_url, "127.0.0.1:0")?;
            let db = app::connect(&settings, None).await?;
            match command {
                Command::Migrate => println!("migrated"),
                Command::Regions {
                    command: RegionsCommand::Import { file },
                } => cli::import_regions(&db, &file).await?,
                Command::Import {
                    file,
                    username,
                    dry_run,
                    on_error,
                } => {
                    if !cli::import_census(&db, &settings, &file, &username, dry_run, on_error).await? {
                        std::process::exit(2);
                    }
                }
                Command::User {
                    command: UserCommand::Add { username, binding, org },
                } => {
                    cli::add_user(&db, &username, &binding, org).await?;
                }
                Command::Client {
                    command: ClientCommand::Add { name, binding },
                } => {
                    cli::add_client(&db, &name, &binding).await?;
                }
                Command::Keys {
                    command: KeysCommand::Rotate,
                } => cli::rotate_keys(&db).await?,
                Command::User {
                    command: UserCommand::Disable { username },
                } => {
                    cli::set_disabled(&db, &username, true).await?;
                }
                Command::User {
                    command: UserCommand::Enable { username },
                } => {
                    cli::set_disabled(&db, &username, false).await?;
                }
                Command::User {
                    command: UserCommand::Unlock { username },
                } => {
                    cli::unlock(&db, &username).await?;
                }
                Command::Seed { synthetic } => demo::seed_synthetic(&db, synthetic).await?,
                Command::Serve(_) | Command::ExportSchema { .. } => {}
            }
            db.close().await;
        }
    }
    Ok(())
}
