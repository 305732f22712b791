//! The register's core record: a left-behind child.

use std::collections::HashMap;
use crate::{msg, policy};
use chrono::NaiveDate;
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::ctx::Ctx;
use crate::enums::{ChildStatus, Gender, LeftBehindType, RegionLevel, Role, SchoolStage, SchoolStatus};
use crate::error::Result;
use crate::fields::{Fields, Input, Patch, Unknown};
use crate::guarantee::{self, Facts, Guarantees};
use crate::id_number::IdNumber;
use crate::ports::Store;
use crate::resource::{Condition, FilterKind, FilterSpec, Meta, Resource, ResourceKind, enum_filter, now};

/// A left-behind child (留守儿童).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Child {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// Full name.
    pub name: String,
    /// Sex.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Resident ID number (GB 11643), unique among children.
    pub id_number: Option<String>,
    /// The village the child lives in.
    pub region_code: String,
    /// Why the child counts as left behind.
    pub left_behind_type: LeftBehindType,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// School attended.
    pub school_name: Option<String>,
    /// Grade or class.
    pub grade: Option<String>,
    /// Whether the child is at school.
    pub school_status: Option<SchoolStatus>,
    /// Boards at school.
    pub boarding: bool,
    /// Health notes (sensitive).
    pub health_notes: Option<String>,
    /// Receives the minimum living allowance (低保).
    pub minimum_living_allowance: bool,
    /// Registered as a special-hardship case.
    pub special_hardship: bool,
    /// Lifecycle status.
    pub status: ChildStatus,
    /// The five guarantees, decided on read from the records around the child
    /// (not stored, not part of the record's version).
    #[serde(skip)]
    pub guarantees: Option<Guarantees>,
    /// Set when the caller sees only the minimal fields (a volunteer): name,
    /// gender, age, schooling and guarantees; the rest is left out.
    #[serde(skip)]
    pub minimal: bool,
}

/// A child is registered while under this age.
pub const MAX_AGE_AT_REGISTRATION: u32 = 18;

/// At this age a child leaves the care of the register (`aged_out`).
pub const AGE_OUT: u32 = 16;

/// Children born on or before this day are `AGE_OUT` years old on `today`.
pub fn aged_out_born_by(today: NaiveDate) -> NaiveDate {
    guarantee::born_by(today, AGE_OUT)
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

impl Resource for Child {
    type Input = ChildInput;
    type Facts = Facts;
    const KIND: ResourceKind = ResourceKind::Child;
    const FILTERS: &'static [FilterSpec] = &[
        enum_filter::<ChildStatus>("status"),
        enum_filter::<SchoolStatus>("school_status"),
        enum_filter::<SchoolStage>("school_stage"),
        enum_filter::<LeftBehindType>("left_behind_type"),
        enum_filter::<Gender>("gender"),
        FilterSpec {
            param: "guarantee_unmet",
            column: "id",
            kind: FilterKind::GuaranteeUnmet,
        },
    ];
    const REGION_LEVEL: Option<RegionLevel> = Some(RegionLevel::Village);

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            name: String::new(),
            gender: Gender::Male,
            birth_date: NaiveDate::MIN,
            id_number: None,
            region_code: String::new(),
            left_behind_type: LeftBehindType::BothParentsAway,
            school_stage: None,
            school_name: None,
            grade: None,
            school_status: None,
            boarding: false,
            health_notes: None,
            minimum_living_allowance: false,
            special_hardship: false,
            status: ChildStatus::Active,
            guarantees: None,
            minimal: false,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate) {
        if let Some(v) = f.text("name", input.name, 50) {
            self.name = v;
        }
        if let Some(v) = f.required("gender", input.gender) {
            self.gender = v;
        }
        let birth_date_given = f
            .required("birth_date", input.birth_date)
            .map(|v| self.birth_date = v)
            .is_some();
        let id_given = f
            .opt_checked("id_number", input.id_number, |s| {
                IdNumber::parse(s)
                    .map(|id| id.as_str().to_owned())
                    .map_err(|e| (e.code(), e.message()))
            })
            .map(|v| self.id_number = v)
            .is_some();
        if let Some(v) = f.text("region_code", input.region_code, 12) {
            self.region_code = v;
        }
        if let Some(v) = f.required("left_behind_type", input.left_behind_type) {
            self.left_behind_type = v;
        }
        if let Some(v) = f.optional("school_stage", input.school_stage) {
            self.school_stage = v;
        }
        if let Some(v) = f.opt_text("school_name", input.school_name, 100) {
            self.school_name = v;
        }
        if let Some(v) = f.opt_text("grade", input.grade, 20) {
            self.grade = v;
        }
        if let Some(v) = f.optional("school_status", input.school_status) {
            self.school_status = v;
        }
        if let Some(v) = f.boolean("boarding", input.boarding) {
            self.boarding = v;
        }
        if let Some(v) = f.opt_text("health_notes", input.health_notes, 2000) {
            self.health_notes = v;
        }
        if let Some(v) = f.boolean("minimum_living_allowance", input.minimum_living_allowance) {
            self.minimum_living_allowance = v;
        }
        if let Some(v) = f.boolean("special_hardship", input.special_hardship) {
            self.special_hardship = v;
        }
        if let Some(v) = f.if_given("status", input.status) {
            // Status changes are the register's own: schooling, health and assistance
            // departments never send this field (their writes are limited to their fields).
            match v {
                // A status that follows from the birth date cannot be set away.
                ChildStatus::Active | ChildStatus::Exited if self.age_on(today) >= AGE_OUT => {
                    f.reject("status", "derived_status", msg!("child.aged_out_status", age = AGE_OUT))
                }
                ChildStatus::Active | ChildStatus::Exited => self.status = v,
                _ => f.reject("status", "invalid_transition", msg!("child.invalid_status_transition")),
            }
        }

        if birth_date_given {
            if self.birth_date > today {
                f.reject("birth_date", "in_future", msg!("child.birth_date_in_future"));
            } else if age_on(self.birth_date, self.meta.created_at.date_naive()) >= MAX_AGE_AT_REGISTRATION {
                f.reject(
                    "birth_date",
                    "too_old",
                    msg!("child.too_old", age = MAX_AGE_AT_REGISTRATION),
                );
            }
        }
        if (birth_date_given || id_given || f.present().contains(&"gender"))
            && let Some(id) = self.id_number.as_deref().and_then(|s| IdNumber::parse(s).ok())
        {
            if id.birth_date() != self.birth_date {
                f.reject("id_number", "birth_date_mismatch", msg!("child.birth_date_mismatch"));
            }
            if id.gender() != self.gender {
                f.reject("id_number", "gender_mismatch", msg!("id_number.gender_mismatch"));
            }
        }
    }

    fn is_archived(&self) -> bool {
        self.status == ChildStatus::Archived
    }
    fn archive(&mut self) {
        self.status = ChildStatus::Archived;
    }

    /// The facts the guarantees, the derived status and the type checks follow from.
    async fn read_facts<S: Store>(store: &S, ctx: &Ctx, ids: &[Uuid]) -> Result<HashMap<Uuid, Facts>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        store.facts(ids, now().date_naive(), &ctx.rules).await
    }

    /// The guarantees, and `exited` when every parent on record is home again.
    fn derive(&mut self, facts: &Facts, ctx: &Ctx, today: NaiveDate) {
        if self.status == ChildStatus::Active && guarantee::parents_all_home(facts) {
            self.status = ChildStatus::Exited;
        }
        self.guarantees = Some(guarantee::evaluate(self, facts, &ctx.rules, today));
    }

    /// `left_behind_type` must agree with the parents on record, and `active`
    /// cannot be set while the parents on record make the child `exited`.
    fn check_facts(&self, facts: &Facts, f: &mut Fields) {
        // The type is checked when written; a child registered before its
        // parents (the census order) is checked on its next change of type.
        let check_type = f.present().contains(&"left_behind_type") && !f.has_error("left_behind_type");
        let check_status = f.present().contains(&"status") && !f.has_error("status");
        if self.status != ChildStatus::Active {
            return;
        }
        if check_status && guarantee::parents_all_home(facts) {
            f.reject("status", "derived_status", msg!("child.exited_status"));
        }
        if check_type && let Err((code, message)) = guarantee::check_left_behind_type(self.left_behind_type, facts) {
            f.reject("left_behind_type", code, message);
        }
    }

    fn settle(&mut self, today: NaiveDate) {
        if matches!(self.status, ChildStatus::Active | ChildStatus::Exited) && self.age_on(today) >= AGE_OUT {
            self.status = ChildStatus::AgedOut;
        }
    }

    /// `aged_out` is derived from the birth date on read (nobody edits the
    /// record for it), so the status filter looks at the birth date too.
    fn status_conditions(status: Option<&str>, today: NaiveDate) -> Option<Vec<Condition>> {
        let cutoff = aged_out_born_by(today);
        let not_archived = || Condition::NotIn("status", vec!["archived".to_owned()]);
        Some(match status {
            None => vec![
                Condition::NotIn("status", vec!["archived".to_owned(), "aged_out".to_owned()]),
                Condition::DateAfter("birth_date", cutoff),
            ],
            Some("aged_out") => vec![not_archived(), Condition::DateAtOrBefore("birth_date", cutoff)],
            Some("archived") => vec![Condition::Eq("status", "archived".to_owned())],
            // `exited` is also derived: an active child whose parents on record are all home.
            Some("exited") => vec![Condition::Exited(true), Condition::DateAfter("birth_date", cutoff)],
            Some("active") => vec![Condition::Exited(false), Condition::DateAfter("birth_date", cutoff)],
            Some(other) => vec![
                Condition::Eq("status", other.to_owned()),
                Condition::DateAfter("birth_date", cutoff),
            ],
        })
    }

    fn registered_id_number(&self) -> Option<&str> {
        self.id_number.as_deref()
    }

    fn unmasked_personal_fields(&self, ctx: &Ctx) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.id_number.is_some() && reads_unmasked(ctx, "id_number") {
            fields.push("id_number");
        }
        if self.health_notes.is_some() && reads_unmasked(ctx, "health_notes") {
            fields.push("health_notes");
        }
        fields
    }

    fn mask(&mut self, ctx: &Ctx) {
        if ctx.role == Role::Volunteer {
            self.minimal = true;
            self.id_number = None;
            self.health_notes = None;
            return;
        }
        if !policy::sees_identifiers(ctx) {
            self.id_number = self.id_number.as_deref().map(policy::mask_id_number);
        }
        if !policy::sees_health(ctx) {
            self.health_notes = None;
        }
    }
}

/// Whether `ctx` reads this personal field of a child (`id_number`,
/// `health_notes`) as it is, not masked or hidden: the fields whose reads go
/// to the read log.
pub fn reads_unmasked(ctx: &Ctx, field: &str) -> bool {
    ctx.role != Role::Volunteer
        && match field {
            "id_number" => policy::sees_identifiers(ctx),
            "health_notes" => policy::sees_health(ctx),
            _ => false,
        }
}

impl Child {
    /// The child's age on `day`.
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        age_on(self.birth_date, day)
    }
}



// What a client sends to register or change a child: a create or a merge patch.

/// A create or a merge patch of a [`Child`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Child::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub gender: Patch<Gender>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub birth_date: Patch<NaiveDate>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub id_number: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub left_behind_type: Patch<LeftBehindType>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_stage: Patch<SchoolStage>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_name: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub grade: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub school_status: Patch<SchoolStatus>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub boarding: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub health_notes: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub minimum_living_allowance: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub special_hardship: Patch<bool>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub status: Patch<ChildStatus>,
    /// Fields sent that a child does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for ChildInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_child_ages_out_on_the_sixteenth_birthday() {
        assert_eq!(aged_out_born_by(day(2026, 11, 29)), day(2010, 11, 29));
        assert_eq!(age_on(day(2010, 11, 29), day(2026, 11, 29)), AGE_OUT);
        assert_eq!(age_on(day(2010, 11, 30), day(2026, 11, 29)), AGE_OUT - 1);
        assert_eq!(aged_out_born_by(day(2028, 2, 29)), day(2012, 2, 29));
        assert_eq!(aged_out_born_by(day(2032, 2, 29)), day(2016, 2, 29));
    }
}
