//! Who may do what, and which fields they see. Every service function asks
//! here, so REST and GraphQL cannot disagree.

use crate::ctx::Ctx;
use crate::enums::{Department, Role};
use crate::resource::ResourceKind;

/// What a caller wants to do with a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read one record or list them.
    Read,
    /// Register a new record.
    Create,
    /// Change fields of a record.
    Update,
    /// Archive a record.
    Archive,
}

/// The fields a caller may write on a kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writable {
    /// Every writable field.
    All,
    /// Only these.
    Only(&'static [&'static str]),
    /// None at all.
    Nothing,
}

/// Child fields that belong to the education department.
pub const SCHOOLING_FIELDS: &[&str] = &["school_stage", "school_name", "grade", "school_status", "boarding"];
/// Child fields that belong to the health department.
pub const HEALTH_FIELDS: &[&str] = &["health_notes"];
/// Child fields that belong to the civil-affairs department.
pub const ASSISTANCE_FIELDS: &[&str] = &["minimum_living_allowance", "special_hardship"];

/// Whether the caller's role can see records of `kind` at all. A record the
/// caller cannot see answers 404, like one that does not exist.
pub fn can_read(ctx: &Ctx, kind: ResourceKind) -> bool {
    use ResourceKind::*;
    match ctx.role {
        // Volunteers see only the children paired with them; until a pairing
        // exists that is none, and they never see guardians or other volunteers.
        Role::Volunteer => matches!(kind, CareCenter | TrainingSession),
        _ => true,
    }
}

/// Which fields of `kind` the caller may write with `action`.
pub fn writable(ctx: &Ctx, kind: ResourceKind, action: Action) -> Writable {
    use ResourceKind::*;
    if action == Action::Read {
        return Writable::Nothing;
    }
    match ctx.role {
        Role::Admin | Role::Coordinator | Role::TownshipOfficer => Writable::All,
        Role::VillageOfficer => match kind {
            Child | Guardian => Writable::All,
            _ => Writable::Nothing,
        },
        Role::CenterStaff => match kind {
            CareCenter if action == Action::Update => Writable::All,
            TrainingSession => Writable::All,
            _ => Writable::Nothing,
        },
        Role::Department => match (ctx.department, kind, action) {
            (Some(Department::Education), Child, Action::Update) => Writable::Only(SCHOOLING_FIELDS),
            (Some(Department::Health), Child, Action::Update) => Writable::Only(HEALTH_FIELDS),
            (Some(Department::CivilAffairs), Child, Action::Update) => Writable::Only(ASSISTANCE_FIELDS),
            (Some(Department::YouthLeague), Volunteer | TrainingSession, _) => Writable::All,
            _ => Writable::Nothing,
        },
        Role::Volunteer | Role::Partner | Role::Auditor => Writable::Nothing,
    }
}

/// Whether the caller sees resident ID numbers, phones and street addresses unmasked.
pub fn sees_identifiers(ctx: &Ctx) -> bool {
    matches!(
        ctx.role,
        Role::Admin | Role::Coordinator | Role::TownshipOfficer | Role::VillageOfficer
    ) || ctx.is_department(Department::CivilAffairs)
        || ctx.is_department(Department::PublicSecurity)
}

/// Whether the caller sees health data.
pub fn sees_health(ctx: &Ctx) -> bool {
    matches!(ctx.role, Role::Admin | Role::Coordinator)
        || ctx.is_department(Department::Health)
        || ctx.is_department(Department::CivilAffairs)
}

/// Masks a resident ID number: the first 6 and last 4 characters stay.
pub fn mask_id_number(s: &str) -> String {
    mask(s, 6, 4)
}

/// Masks a phone number: the first 3 and last 4 digits stay.
pub fn mask_phone(s: &str) -> String {
    mask(s, 3, 4)
}

/// Masks a street address: only its first 6 characters stay.
pub fn mask_address(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .take(6.min(n))
        .chain(std::iter::repeat_n('*', n.saturating_sub(6).clamp(1, 8)))
        .collect()
}

fn mask(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - head - tail;
    chars[..head]
        .iter()
        .chain(std::iter::repeat_n(&'*', hidden))
        .chain(chars[chars.len() - tail..].iter())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_contract() {
        assert_eq!(mask_id_number("522631201607090011"), "522631********0011");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_address("榕江县古州镇车民街12号"), "榕江县古州镇******");
    }

    #[test]
    fn departments_write_only_their_own_child_fields() {
        let ctx = Ctx {
            role: Role::Department,
            department: Some(Department::Education),
            ..Ctx::system("t")
        };
        assert_eq!(
            writable(&ctx, ResourceKind::Child, Action::Update),
            Writable::Only(SCHOOLING_FIELDS)
        );
        assert_eq!(writable(&ctx, ResourceKind::Child, Action::Create), Writable::Nothing);
    }
}
