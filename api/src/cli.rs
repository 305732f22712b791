//! The command-line tools besides `serve`.

use std::io::BufRead;

use anyhow::Context as _;
use chrono::Utc;
use shouhu_domain::account::{Account, validate_password};
use shouhu_domain::enums::{Department, Role, StrEnum};
use shouhu_domain::ports::{AccountStore, RegionStore};
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;

use crate::auth::hash_password;
use crate::config::Binding;

/// `shouhu regions import FILE.csv`
pub async fn import_regions(db: &Db, file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let regions = service::parse_regions_csv(&text).map_err(describe)?;
    let n = db.upsert_regions(&regions).await?;
    println!("imported {n} regions");
    Ok(())
}

/// Checks an account's role, department, organisation and region.
async fn new_account(db: &Db, username: &str, binding: &Binding, org: Option<Uuid>) -> anyhow::Result<Account> {
    let (role, region, department) = (&binding.role, &binding.region, binding.department.as_deref());
    let role =
        Role::parse(role).with_context(|| format!("unknown role {role:?}; expected one of: {}", Role::expected()))?;
    let department = department
        .map(|d| {
            Department::parse(d)
                .with_context(|| format!("unknown department {d:?}; expected one of: {}", Department::expected()))
        })
        .transpose()?;
    if let Some(org) = org
        && !db.organization_exists(org).await?
    {
        anyhow::bail!("organisation {org} does not exist");
    }
    if role != Role::Admin && db.region(region).await?.is_none() {
        anyhow::bail!("region {region} is not loaded; import regions first");
    }
    let account = Account {
        id: Uuid::now_v7(),
        username: username.to_owned(),
        password_hash: String::new(),
        role,
        department,
        organization_id: org,
        region_code: region.to_owned(),
        disabled: false,
        is_client: false,
        display_name: None,
        created_at: Utc::now(),
    };
    account.validate().map_err(describe)?;
    Ok(account)
}

/// `shouhu user add …`: the password is the first line of standard input.
pub async fn add_user(db: &Db, username: &str, binding: &Binding, org: Option<Uuid>) -> anyhow::Result<()> {
    let mut account = new_account(db, username, binding, org).await?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    validate_password(password).map_err(describe)?;
    account.password_hash = hash_password(password)?;
    db.insert_account(&account).await.map_err(describe)?;
    println!("added {username} ({}) bound to {}", account.role, binding.region);
    Ok(())
}

/// `shouhu client add …`: prints the client id and secret, once.
pub async fn add_client(db: &Db, name: &str, binding: &Binding) -> anyhow::Result<()> {
    let (client_id, secret) =
        create_client(db, name, &binding.role, &binding.region, binding.department.as_deref()).await?;
    println!("client_id: {client_id}");
    println!("client_secret: {secret}");
    println!(
        "(the secret is shown only now; exchange both at POST /api/v1/auth/token with grant_type=client_credentials)"
    );
    Ok(())
}

/// Registers a client system; returns its id and secret (stored only as a hash).
pub async fn create_client(
    db: &Db,
    name: &str,
    role: &str,
    region: &str,
    department: Option<&str>,
) -> anyhow::Result<(String, String)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 100,
        "the name is 1 to 100 characters"
    );
    let client_id = format!("cl_{}", Uuid::now_v7().simple());
    let binding = Binding {
        role: role.to_owned(),
        region: region.to_owned(),
        department: department.map(str::to_owned),
    };
    let mut account = new_account(db, &client_id, &binding, None).await?;
    let secret = crate::auth::new_secret();
    account.password_hash = hash_password(&secret)?;
    account.is_client = true;
    account.display_name = Some(name.to_owned());
    db.insert_account(&account).await.map_err(describe)?;
    Ok((client_id, secret))
}

/// `shouhu user disable|enable --username U`
pub async fn set_disabled(db: &Db, username: &str, disabled: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        db.set_account_disabled(username, disabled).await?,
        "no account {username}"
    );
    println!("{username} {}", if disabled { "disabled" } else { "enabled" });
    Ok(())
}

/// `shouhu user unlock --username U`: forgets the failed logins (and client
/// secrets) counted for `U` from every source address.
pub async fn unlock(db: &Db, username: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        db.account_by_username(username).await?.is_some(),
        "no account {username}"
    );
    let cleared = db
        .clear_auth_failures_of(&crate::auth::throttle_subject(username))
        .await?;
    println!("{username} unlocked ({cleared} source address(es) forgotten)");
    Ok(())
}

/// `shouhu keys rotate`
pub async fn rotate_keys(db: &Db) -> anyhow::Result<()> {
    let keys = crate::auth::Keys::load(db).await?;
    let kid = keys.rotate().await?;
    println!("new signing key {kid}; tokens signed with older keys stay valid until they expire");
    Ok(())
}

/// A readable line for a domain error.
pub fn describe(err: shouhu_domain::Error) -> anyhow::Error {
    match err {
        shouhu_domain::Error::Validation(fields) | shouhu_domain::Error::InvalidParameters(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, crate::i18n::render(&f.message)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        shouhu_domain::Error::Conflict { field, message } => {
            anyhow::anyhow!("{}: {}", field.unwrap_or_default(), crate::i18n::render(&message))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Imports a census sheet as `username` with a progress bar, prints the
/// report; whether every row was valid.
pub async fn import_census(
    db: &Db,
    settings: &crate::config::Settings,
    file: &std::path::Path,
    username: &str,
    dry_run: bool,
    on_error: crate::imports::run::OnError,
) -> anyhow::Result<bool> {
    use crate::imports::run::{self, Failure, Options};
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let ctx = run::ctx_of_account(db, username, settings.rules(), "shouhu import")
        .await?
        .with_context(|| format!("no enabled account {username}"))?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = {
        let bar = bar.clone();
        move |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let outcome = run::import(db, &ctx, &bytes, Options { dry_run, on_error }, &progress).await;
    bar.finish_and_clear();
    let report = match outcome {
        Ok(report) => report,
        Err(Failure::Unreadable(lines)) => {
            for line in &lines {
                println!("{}", run::line_text(line));
            }
            anyhow::bail!("{} cannot be imported", file.display());
        }
        Err(Failure::Store(e)) => return Err(e.into()),
    };
    for line in &report.lines {
        println!("{}", run::line_text(line));
    }
    if !report.ignored.is_empty() {
        println!("ignored columns: {}", report.ignored.join(", "));
    }
    let c = report.counts;
    println!(
        "{} rows: {} valid ({} created, {} updated, {} unchanged), {} rejected; {}",
        c.rows,
        c.valid,
        c.created,
        c.updated,
        c.unchanged,
        c.rejected,
        if report.written { "written" } else { "nothing written" }
    );
    Ok(c.rejected == 0)
}
