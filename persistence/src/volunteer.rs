//! A volunteer: the `volunteers` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::volunteer::Volunteer;
use crate::mapping::{Mapped, meta, parse};
use sea_orm::entity::prelude::*;

impl Mapped for Volunteer {
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
            phone: self.phone.clone(),
            region_code: self.region_code.clone(),
            organization: self.organization.clone(),
            category: self.category.as_str().to_owned(),
            skills: self.skills.clone(),
            vetting_status: self.vetting_status.as_str().to_owned(),
            status: self.status.as_str().to_owned(),
            account_id: self.account_id,
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            category: parse("category", &m.category)?,
            vetting_status: parse("vetting_status", &m.vetting_status)?,
            status: parse("status", &m.status)?,
            name: m.name,
            phone: m.phone,
            region_code: m.region_code,
            organization: m.organization,
            skills: m.skills,
            account_id: m.account_id,
        })
    }
}


// The table.

/// A row of `volunteers`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub phone: Option<String>,
    pub region_code: String,
    pub organization: Option<String>,
    pub category: String,
    pub skills: Option<String>,
    pub vetting_status: String,
    pub status: String,
    pub account_id: Option<Uuid>,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
