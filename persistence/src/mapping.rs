//! The `Mapped` trait (a domain record stored in one table) and the helpers
//! every kind's mapping uses; each kind's own mapping lives in its file
//! (`child.rs`, `guardian.rs`, …). Accounts, regions and events are mapped here.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, EntityTrait, FromQueryResult, IntoActiveModel, ModelTrait};
use shouhu_domain::account::Account;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::region::Region;
use shouhu_domain::resource::{Event, Resource};
use shouhu_domain::{Error, Result};

use crate::entities::{account, event, region};

/// A domain record stored in one table.
pub trait Mapped: Resource {
    /// The table.
    type Entity: EntityTrait<Model = Self::Model>;
    /// A row.
    type Model: IntoActiveModel<Self::Active> + FromQueryResult + ModelTrait<Entity = Self::Entity> + Send + Sync;
    /// A row to write.
    type Active: ActiveModelTrait<Entity = Self::Entity> + ActiveModelBehavior + Send + Sync;
    /// The row for this record.
    fn to_model(&self) -> Self::Model;
    /// The record in this row.
    fn from_model(model: Self::Model) -> Result<Self>;
    /// The row to write, every column set.
    fn to_active(&self) -> Self::Active {
        self.to_model().into_active_model().reset_all()
    }
}

/// Reads a stored enumeration; a bad value means the database was changed behind our back.
pub(crate) fn parse<E: StrEnum>(column: &str, value: &str) -> Result<E> {
    E::parse(value).ok_or_else(|| Error::Internal(format!("column {column} holds unknown value {value:?}")))
}

pub(crate) fn parse_opt<E: StrEnum>(column: &str, value: Option<String>) -> Result<Option<E>> {
    value.map(|v| parse(column, &v)).transpose()
}

/// The stored name of an optional enumeration.
pub(crate) fn name<E: StrEnum>(value: Option<E>) -> Option<String> {
    value.map(|v| v.as_str().to_owned())
}

macro_rules! meta {
    ($m:expr) => {
        shouhu_domain::resource::Meta {
            id: $m.id,
            version: $m.version,
            created_at: $m.created_at,
            updated_at: $m.updated_at,
        }
    };
}
pub(crate) use meta;

pub(crate) fn region_from_model(m: region::Model) -> Result<Region> {
    Ok(Region {
        level: parse("level", &m.level)?,
        code: m.code,
        name: m.name,
        parent_code: m.parent_code,
    })
}

pub(crate) fn account_to_model(a: &Account) -> account::Model {
    account::Model {
        id: a.id,
        version: 1,
        created_at: a.created_at,
        updated_at: a.created_at,
        username: a.username.clone(),
        password_hash: a.password_hash.clone(),
        role: a.role.as_str().to_owned(),
        department: name(a.department),
        organization_id: a.organization_id,
        region_code: a.region_code.clone(),
        disabled: a.disabled,
        is_client: a.is_client,
        failed_logins: 0,
        locked_until: None,
        display_name: a.display_name.clone(),
    }
}

pub(crate) fn account_from_model(m: account::Model) -> Result<Account> {
    Ok(Account {
        id: m.id,
        role: parse("role", &m.role)?,
        department: parse_opt("department", m.department)?,
        username: m.username,
        password_hash: m.password_hash,
        organization_id: m.organization_id,
        region_code: m.region_code,
        disabled: m.disabled,
        is_client: m.is_client,
        display_name: m.display_name,
        created_at: m.created_at,
    })
}

pub(crate) fn event_to_active(e: &Event) -> event::ActiveModel {
    use sea_orm::ActiveValue::{NotSet, Set};
    event::ActiveModel {
        seq: NotSet,
        id: Set(e.id),
        occurred_at: Set(e.occurred_at),
        actor: Set(e.actor.clone()),
        actor_role: Set(e.actor_role.clone()),
        request_id: Set(e.request_id.clone()),
        client_request_id: Set(e.client_request_id.clone()),
        resource_kind: Set(e.resource_kind.as_str().to_owned()),
        resource_id: Set(e.resource_id),
        region_code: Set(e.region_code.clone()),
        action: Set(e.action.as_str().to_owned()),
        version: Set(e.version),
        changes: Set(e.changes.clone()),
    }
}
