//! A left-behind child: the `children` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::child::Child;
use shouhu_domain::enums::StrEnum;
use crate::mapping::{Mapped, meta, name, parse, parse_opt};
use sea_orm::entity::prelude::*;

impl Mapped for Child {
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
            gender: self.gender.as_str().to_owned(),
            birth_date: self.birth_date,
            id_number: self.id_number.clone(),
            region_code: self.region_code.clone(),
            left_behind_type: self.left_behind_type.as_str().to_owned(),
            school_stage: name(self.school_stage),
            school_name: self.school_name.clone(),
            grade: self.grade.clone(),
            school_status: name(self.school_status),
            boarding: self.boarding,
            health_notes: self.health_notes.clone(),
            minimum_living_allowance: self.minimum_living_allowance,
            special_hardship: self.special_hardship,
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            gender: parse("gender", &m.gender)?,
            left_behind_type: parse("left_behind_type", &m.left_behind_type)?,
            school_stage: parse_opt("school_stage", m.school_stage)?,
            school_status: parse_opt("school_status", m.school_status)?,
            status: parse("status", &m.status)?,
            name: m.name,
            birth_date: m.birth_date,
            id_number: m.id_number,
            region_code: m.region_code,
            school_name: m.school_name,
            grade: m.grade,
            boarding: m.boarding,
            health_notes: m.health_notes,
            minimum_living_allowance: m.minimum_living_allowance,
            special_hardship: m.special_hardship,
            guarantees: None,
            minimal: false,
        })
    }
}


// The table.

/// A row of `children`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub gender: String,
    pub birth_date: Date,
    #[sea_orm(unique)]
    pub id_number: Option<String>,
    pub region_code: String,
    pub left_behind_type: String,
    pub school_stage: Option<String>,
    pub school_name: Option<String>,
    pub grade: Option<String>,
    pub school_status: Option<String>,
    pub boarding: bool,
    pub health_notes: Option<String>,
    pub minimum_living_allowance: bool,
    pub special_hardship: bool,
    pub status: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
