//! A parent or caregiver: the `guardians` table (its sea-orm entity) and its row mapping.

use shouhu_domain::Result;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::guardian::Guardian;
use crate::mapping::{Mapped, meta, name, parse, parse_opt};
use sea_orm::entity::prelude::*;

impl Mapped for Guardian {
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
            gender: name(self.gender),
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
            region_code: self.region_code.clone(),
            is_working_away: self.is_working_away,
            work_location: self.work_location.clone(),
            working_away_since: self.working_away_since,
            last_home_visit_on: self.last_home_visit_on,
            guardianship_capable: self.guardianship_capable,
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            gender: parse_opt("gender", m.gender)?,
            status: parse("status", &m.status)?,
            name: m.name,
            phone: m.phone,
            id_number: m.id_number,
            region_code: m.region_code,
            is_working_away: m.is_working_away,
            work_location: m.work_location,
            working_away_since: m.working_away_since,
            last_home_visit_on: m.last_home_visit_on,
            guardianship_capable: m.guardianship_capable,
        })
    }
}


// The table.

/// A row of `guardians`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guardians")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub name: String,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub region_code: String,
    pub is_working_away: bool,
    pub work_location: Option<String>,
    pub working_away_since: Option<Date>,
    pub last_home_visit_on: Option<Date>,
    pub guardianship_capable: bool,
    pub status: String,
}

/// No declared relations: joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
