//! A place of care: the `care_centers` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::care_center::CareCenter;
use shouhu_domain::enums::StrEnum;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for CareCenter {
    type Entity = Entity;
    type Model = Model;
    type Active = ActiveModel;

    fn to_model(&self) -> Model {
        Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            name: self.name.clone(),
            kind: self.kind.as_str().to_owned(),
            region_code: self.region_code.clone(),
            address: self.address.clone(),
            capacity: self.capacity,
            facilities: self.facilities.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            status: parse("status", &m.status)?,
            name: m.name,
            region_code: m.region_code,
            address: m.address,
            capacity: m.capacity,
            facilities: m.facilities,
        })
    }
}


// The table.

/// A row of `care_centers`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "care_centers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub address: Option<String>,
    pub capacity: Option<i32>,
    pub facilities: Option<String>,
    pub status: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
