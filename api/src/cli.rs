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

/// `shouhu regions import FILE.csv`
pub async fn import_regions(db: &Db, file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let regions = service::parse_regions_csv(&text).map_err(describe)?;
    let n = db.upsert_regions(&regions).await?;
    println!("imported {n} regions");
    Ok(())
}

/// `shouhu user add …`: the password is the first line of standard input.
pub async fn add_user(
    db: &Db,
    username: &str,
    role: &str,
    region: &str,
    department: Option<&str>,
    org: Option<Uuid>,
) -> anyhow::Result<()> {
    let role =
        Role::parse(role).with_context(|| format!("unknown role {role:?}; expected one of: {}", Role::expected()))?;
    let department = department
        .map(|d| {
            Department::parse(d)
                .with_context(|| format!("unknown department {d:?}; expected one of: {}", Department::expected()))
        })
        .transpose()?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    validate_password(password).map_err(describe)?;
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
        password_hash: hash_password(password)?,
        role,
        department,
        organization_id: org,
        region_code: region.to_owned(),
        disabled: false,
        created_at: Utc::now(),
    };
    account.validate().map_err(describe)?;
    db.insert_account(&account).await.map_err(describe)?;
    println!("added {username} ({role}) bound to {region}");
    Ok(())
}

/// A readable line for a domain error.
pub fn describe(err: shouhu_domain::Error) -> anyhow::Error {
    match err {
        shouhu_domain::Error::Validation(fields) | shouhu_domain::Error::InvalidParameters(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        shouhu_domain::Error::Conflict { field, message } => {
            anyhow::anyhow!("{}: {message}", field.unwrap_or_default())
        }
        other => anyhow::anyhow!("{other}"),
    }
}
