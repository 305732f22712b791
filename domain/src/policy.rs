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
        // Volunteers see only the children paired with them (`Ctx::reaches`),
        // with minimal fields and the places they attend, and never guardians,
        // other volunteers, visits or guardianships.
        Role::Volunteer => matches!(kind, Child | CareCenter | TrainingSession | Enrollment),
        _ if matches!(kind, Guardianship | Visit) => can_read(ctx, Child),
        _ if kind == Enrollment => can_read(ctx, Child) && can_read(ctx, CareCenter),
        _ if kind == Pairing => can_read(ctx, Child) && can_read(ctx, Volunteer),
        _ if kind == Attendance => can_read(ctx, TrainingSession),
        _ => true,
    }
}

/// Which fields of `kind` the caller may write with `action`.
pub fn writable(ctx: &Ctx, kind: ResourceKind, action: Action) -> Writable {
    use ResourceKind::*;
    if action == Action::Read {
        return Writable::Nothing;
    }
    // A child's links are changed by whoever may change the child's register record.
    if kind == Guardianship {
        return if writable(ctx, Child, Action::Update) == Writable::All {
            Writable::All
        } else {
            Writable::Nothing
        };
    }
    // Links are made by whoever may change one of the records they join.
    let may_change = |k: ResourceKind| writable(ctx, k, Action::Update) == Writable::All;
    let all_if = |b: bool| if b { Writable::All } else { Writable::Nothing };
    match kind {
        Enrollment => return all_if(may_change(CareCenter) || may_change(Child)),
        Pairing => return all_if(may_change(Volunteer) || may_change(Child)),
        // Visits are recorded by the register's keepers and by centre staff
        // (family phone calls happen at the centres).
        Visit => return all_if(may_change(Child) || ctx.role == Role::CenterStaff),
        Attendance => return all_if(may_change(TrainingSession)),
        _ => {}
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

/// The fields of `kind` the caller never reads (not even masked), and so may
/// neither set nor clear.
pub fn unseen_fields(ctx: &Ctx, kind: ResourceKind) -> &'static [&'static str] {
    if kind == ResourceKind::Child && !sees_health(ctx) {
        HEALTH_FIELDS
    } else {
        &[]
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

/// A kind of personal data, masked or hidden for the roles that may not see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personal {
    /// A resident ID number ([`mask_id_number`] unless [`sees_identifiers`]).
    IdNumber,
    /// A phone number ([`mask_phone`] unless [`sees_identifiers`]).
    Phone,
    /// A street address ([`mask_address`] unless [`sees_identifiers`]).
    Address,
    /// Health data (hidden unless [`sees_health`]).
    Health,
}

/// The personal fields of each kind of record, as the records' `mask` treats them.
pub fn personal_fields(kind: ResourceKind) -> &'static [(&'static str, Personal)] {
    match kind {
        ResourceKind::Child => &[("id_number", Personal::IdNumber), ("health_notes", Personal::Health)],
        ResourceKind::Guardian => &[("id_number", Personal::IdNumber), ("phone", Personal::Phone)],
        ResourceKind::CareCenter => &[("address", Personal::Address)],
        ResourceKind::Volunteer => &[("phone", Personal::Phone)],
        _ => &[],
    }
}

/// A personal value as `ctx` reads it: as it is, masked, or not at all.
/// (A volunteer's minimal view of a child hides more; volunteers never read
/// the audit trail, where this is used on recorded changes.)
pub fn shown(ctx: &Ctx, personal: Personal, value: &str) -> Option<String> {
    match personal {
        Personal::Health => sees_health(ctx).then(|| value.to_owned()),
        _ if sees_identifiers(ctx) => Some(value.to_owned()),
        Personal::IdNumber => Some(mask_id_number(value)),
        Personal::Phone => Some(mask_phone(value)),
        Personal::Address => Some(mask_address(value)),
    }
}

/// Masks a resident ID number: the first 6 and last 4 characters stay.
pub fn mask_id_number(s: &str) -> String {
    mask(s, 6, 4)
}

/// Masks a phone number: the first 3 and last 4 digits stay.
pub fn mask_phone(s: &str) -> String {
    mask(s, 3, 4)
}

/// Masks a street address: at most its first 6 characters stay, never more than
/// half of them, and nothing from the first digit on (house numbers, in Arabic,
/// full-width or Chinese numerals); the rest is starred.
pub fn mask_address(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let before_digit = chars.iter().position(|c| is_numeral(*c)).unwrap_or(chars.len());
    let kept = 6.min(chars.len() / 2).min(before_digit);
    chars[..kept]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', (chars.len() - kept).clamp(1, 8)))
        .collect()
}

/// A digit of any script, or a Chinese numeral as house numbers are written (五号, 十二组).
fn is_numeral(c: char) -> bool {
    c.is_numeric() || "〇零一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾".contains(c)
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

/// Who may read the audit trail.
pub fn can_read_audit(ctx: &Ctx) -> bool {
    matches!(ctx.role, Role::Admin | Role::Auditor)
}

/// The access matrix as a Markdown table, rendered from the rules above so that
/// the documentation cannot drift from them.
pub fn matrix_markdown() -> String {
    use ResourceKind::*;
    let row = |role: Role, department: Option<Department>| Ctx {
        role,
        department,
        ..Ctx::system("matrix")
    };
    let rows = [
        ("admin", row(Role::Admin, None)),
        ("coordinator", row(Role::Coordinator, None)),
        ("township_officer", row(Role::TownshipOfficer, None)),
        ("village_officer", row(Role::VillageOfficer, None)),
        (
            "department: education",
            row(Role::Department, Some(Department::Education)),
        ),
        ("department: health", row(Role::Department, Some(Department::Health))),
        (
            "department: civil_affairs",
            row(Role::Department, Some(Department::CivilAffairs)),
        ),
        (
            "department: youth_league",
            row(Role::Department, Some(Department::YouthLeague)),
        ),
        (
            "department: public_security",
            row(Role::Department, Some(Department::PublicSecurity)),
        ),
        (
            "department: justice, womens_federation, other",
            row(Role::Department, Some(Department::Justice)),
        ),
        ("center_staff", row(Role::CenterStaff, None)),
        ("volunteer", row(Role::Volunteer, None)),
        ("partner", row(Role::Partner, None)),
        ("auditor", row(Role::Auditor, None)),
    ];
    let kinds = [
        Child,
        Guardian,
        Guardianship,
        CareCenter,
        Enrollment,
        Volunteer,
        TrainingSession,
        Pairing,
        Visit,
        Attendance,
    ];
    let mut out = String::from(
        "| role | children | guardians | guardianships | care centers | enrollments | volunteers | training sessions | pairings | visits | attendance | audit trail | unmasked IDs, phones, addresses | health notes |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (name, ctx) in rows {
        let cells: Vec<String> = kinds.iter().map(|k| cell(&ctx, *k)).collect();
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {} |\n",
            cells.join(" | "),
            if can_read_audit(&ctx) { "read" } else { "—" },
            yes_no(sees_identifiers(&ctx)),
            yes_no(sees_health(&ctx)),
        ));
    }
    out
}

fn cell(ctx: &Ctx, kind: ResourceKind) -> String {
    if !can_read(ctx, kind) {
        return "—".to_owned();
    }
    let read = if ctx.role == Role::Volunteer && kind == ResourceKind::Child {
        "read (paired children only, minimal fields)"
    } else {
        "read"
    };
    let mut parts = vec![read.to_owned()];
    if writable(ctx, kind, Action::Create) == Writable::All {
        parts.push("create".to_owned());
    }
    match writable(ctx, kind, Action::Update) {
        Writable::All => parts.push("change".to_owned()),
        Writable::Only(fields) => parts.push(format!("change {}", fields.join(", "))),
        Writable::Nothing => {}
    }
    if writable(ctx, kind, Action::Archive) == Writable::All {
        parts.push("archive".to_owned());
    }
    parts.join(", ")
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
    fn a_masked_address_shows_at_most_half_and_no_house_number() {
        assert_eq!(mask_address("新村5号"), "新村**");
        assert_eq!(mask_address("车民街12号"), "车民街***");
        assert_eq!(mask_address("古州镇三组"), "古州***");
        assert_eq!(mask_address("１２号"), "***");
        assert_eq!(mask_address("A"), "*");
        assert_eq!(mask_address(""), "*");
        for address in [
            "新村5号",
            "榕江县古州镇车民街12号",
            "王家寨七号",
            "x9",
            "长长长长长长长长长长长长长长长长长长长长",
        ] {
            let masked = mask_address(address);
            let shown = masked.chars().filter(|c| *c != '*').count();
            assert!(shown * 2 <= address.chars().count(), "{address} -> {masked}");
            assert!(!masked.chars().any(is_numeral), "{address} -> {masked}");
        }
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
