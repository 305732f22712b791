//! Conversions between domain records and table rows.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, EntityTrait, FromQueryResult, IntoActiveModel, ModelTrait};
use shouhu_domain::account::Account;
use shouhu_domain::care_center::CareCenter;
use shouhu_domain::child::Child;
use shouhu_domain::enums::StrEnum;
use shouhu_domain::guardian::Guardian;
use shouhu_domain::guardianship::Guardianship;
use shouhu_domain::region::Region;
use shouhu_domain::resource::{Event, Meta, Resource};
use shouhu_domain::training_session::TrainingSession;
use shouhu_domain::volunteer::Volunteer;
use shouhu_domain::{Error, Result};

use crate::entities::{
    account, attendance, care_center, child, event, guardian, guardianship, pairing, region, training_session, visit,
    volunteer,
};

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

fn parse_opt<E: StrEnum>(column: &str, value: Option<String>) -> Result<Option<E>> {
    value.map(|v| parse(column, &v)).transpose()
}

fn name<E: StrEnum>(value: Option<E>) -> Option<String> {
    value.map(|v| v.as_str().to_owned())
}

macro_rules! meta {
    ($m:expr) => {
        Meta {
            id: $m.id,
            version: $m.version,
            created_at: $m.created_at,
            updated_at: $m.updated_at,
        }
    };
}

impl Mapped for Child {
    type Entity = child::Entity;
    type Model = child::Model;
    type Active = child::ActiveModel;

    fn to_model(&self) -> child::Model {
        child::Model {
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

    fn from_model(m: child::Model) -> Result<Self> {
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

impl Mapped for Guardian {
    type Entity = guardian::Entity;
    type Model = guardian::Model;
    type Active = guardian::ActiveModel;

    fn to_model(&self) -> guardian::Model {
        guardian::Model {
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

    fn from_model(m: guardian::Model) -> Result<Self> {
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

impl Mapped for CareCenter {
    type Entity = care_center::Entity;
    type Model = care_center::Model;
    type Active = care_center::ActiveModel;

    fn to_model(&self) -> care_center::Model {
        care_center::Model {
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

    fn from_model(m: care_center::Model) -> Result<Self> {
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

impl Mapped for Volunteer {
    type Entity = volunteer::Entity;
    type Model = volunteer::Model;
    type Active = volunteer::ActiveModel;

    fn to_model(&self) -> volunteer::Model {
        volunteer::Model {
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

    fn from_model(m: volunteer::Model) -> Result<Self> {
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

impl Mapped for TrainingSession {
    type Entity = training_session::Entity;
    type Model = training_session::Model;
    type Active = training_session::ActiveModel;

    fn to_model(&self) -> training_session::Model {
        training_session::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            title: self.title.clone(),
            kind: self.kind.as_str().to_owned(),
            region_code: self.region_code.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            venue: self.venue.clone(),
            status: self.status.as_str().to_owned(),
        }
    }

    fn from_model(m: training_session::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            status: parse("status", &m.status)?,
            title: m.title,
            region_code: m.region_code,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            venue: m.venue,
        })
    }
}

impl Mapped for Guardianship {
    type Entity = guardianship::Entity;
    type Model = guardianship::Model;
    type Active = guardianship::ActiveModel;

    fn to_model(&self) -> guardianship::Model {
        guardianship::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            child_id: self.child_id,
            guardian_id: self.guardian_id,
            region_code: self.region_code.clone(),
            relationship: self.relationship.as_str().to_owned(),
            is_primary_caregiver: self.is_primary_caregiver,
            lives_with_child: self.lives_with_child,
            agreement_signed_on: self.agreement_signed_on,
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: guardianship::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            relationship: parse("relationship", &m.relationship)?,
            child_id: m.child_id,
            guardian_id: m.guardian_id,
            region_code: m.region_code,
            is_primary_caregiver: m.is_primary_caregiver,
            lives_with_child: m.lives_with_child,
            agreement_signed_on: m.agreement_signed_on,
            ended_on: m.ended_on,
        })
    }
}

impl Mapped for shouhu_domain::enrollment::Enrollment {
    type Entity = crate::entities::enrollment::Entity;
    type Model = crate::entities::enrollment::Model;
    type Active = crate::entities::enrollment::ActiveModel;

    fn to_model(&self) -> Self::Model {
        crate::entities::enrollment::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            care_center_id: self.care_center_id,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            since: self.since,
            until: self.until,
        }
    }

    fn from_model(m: Self::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            care_center_id: m.care_center_id,
            child_id: m.child_id,
            region_code: m.region_code,
            since: m.since,
            until: m.until,
        })
    }
}

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

impl Mapped for shouhu_domain::pairing::Pairing {
    type Entity = pairing::Entity;
    type Model = pairing::Model;
    type Active = pairing::ActiveModel;

    fn to_model(&self) -> pairing::Model {
        pairing::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            volunteer_id: self.volunteer_id,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            since: self.since,
            notes: self.notes.clone(),
            ended_on: self.ended_on,
        }
    }

    fn from_model(m: pairing::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            volunteer_id: m.volunteer_id,
            child_id: m.child_id,
            region_code: m.region_code,
            since: m.since,
            notes: m.notes,
            ended_on: m.ended_on,
        })
    }
}

impl Mapped for shouhu_domain::visit::Visit {
    type Entity = visit::Entity;
    type Model = visit::Model;
    type Active = visit::ActiveModel;

    fn to_model(&self) -> visit::Model {
        visit::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            child_id: self.child_id,
            region_code: self.region_code.clone(),
            kind: self.kind.as_str().to_owned(),
            mode: self.mode.as_str().to_owned(),
            occurred_on: self.occurred_on,
            visitor: self.visitor.clone(),
            guardian_id: self.guardian_id,
            notes: self.notes.clone(),
            // Stored as a comma-separated list, so that a LIKE finds a concern.
            concerns: self.concerns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(","),
            follow_up_needed: self.follow_up_needed,
            resolved_on: self.resolved_on,
            withdrawn_on: self.withdrawn_on,
            recorded_by: self.recorded_by.clone(),
        }
    }

    fn from_model(m: visit::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            kind: parse("kind", &m.kind)?,
            mode: parse("mode", &m.mode)?,
            concerns: m
                .concerns
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| parse("concerns", c))
                .collect::<Result<Vec<_>>>()?,
            child_id: m.child_id,
            region_code: m.region_code,
            occurred_on: m.occurred_on,
            visitor: m.visitor,
            guardian_id: m.guardian_id,
            notes: m.notes,
            follow_up_needed: m.follow_up_needed,
            resolved_on: m.resolved_on,
            withdrawn_on: m.withdrawn_on,
            recorded_by: m.recorded_by,
        })
    }
}

impl Mapped for shouhu_domain::attendance::Attendance {
    type Entity = attendance::Entity;
    type Model = attendance::Model;
    type Active = attendance::ActiveModel;

    fn to_model(&self) -> attendance::Model {
        attendance::Model {
            id: self.meta.id,
            version: self.meta.version,
            created_at: self.meta.created_at,
            updated_at: self.meta.updated_at,
            training_session_id: self.training_session_id,
            region_code: self.region_code.clone(),
            attendee_kind: self.attendee_kind.as_str().to_owned(),
            attendee_id: self.attendee_id,
            checked_in_at: self.checked_in_at,
            cancelled_on: self.cancelled_on,
        }
    }

    fn from_model(m: attendance::Model) -> Result<Self> {
        Ok(Self {
            meta: meta!(m),
            attendee_kind: parse("attendee_kind", &m.attendee_kind)?,
            training_session_id: m.training_session_id,
            region_code: m.region_code,
            attendee_id: m.attendee_id,
            checked_in_at: m.checked_in_at,
            cancelled_on: m.cancelled_on,
        })
    }
}
