//! Children: the register of left-behind children, with their five guarantees (五有) decided on every read.

use crate::graphql::input::{given_parsed, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::{IntoParams, ToSchema};
use crate::enums::{ChildStatus, Gender, Guarantee, LeftBehindType, SchoolStage, SchoolStatus};
use std::collections::HashSet;
use shouhu_domain::{Ctx, service};
use shouhu_persistence::Db;
use uuid::Uuid;
use crate::enrollment::Enrollment;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use crate::guardianship::Guardianship;
use crate::pairing::Pairing;
use crate::visit::Visit;
use shouhu_domain as domain;




// What the APIs send and receive of children: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A left-behind child. Identifiers are masked and health notes hidden unless
/// the caller's role may see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Child {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid, example = "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d")]
    pub id: ID,
    /// Grows by one on each change; send it back as `If-Match` / `expectedVersion`.
    #[schema(example = 1)]
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full name.
    #[schema(example = "王小明")]
    pub name: String,
    /// Sex.
    pub gender: Gender,
    /// Birth date (null for a volunteer, who sees `age` only).
    #[schema(example = "2016-07-09")]
    pub birth_date: Option<NaiveDate>,
    /// Age in whole years today.
    #[schema(example = 10)]
    pub age: u32,
    /// Resident ID number; masked (`522631********0011`) for most roles.
    #[schema(example = "522631201607090017")]
    // Resolved in GraphQL by a resolver that notes an unmasked value for the read log.
    #[graphql(skip)]
    pub id_number: Option<String>,
    /// The village (12-digit code).
    #[schema(example = "522631101201")]
    pub region_code: String,
    /// Why the child is left behind; checked against the parents on record
    /// (`both_parents_away` needs every recorded parent away, `one_parent_away`
    /// at least one; with no parent on record nothing is checked). Null for a volunteer.
    pub left_behind_type: Option<LeftBehindType>,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// School.
    #[schema(example = "古州镇中心小学")]
    pub school_name: Option<String>,
    /// Grade or class.
    #[schema(example = "三年级")]
    pub grade: Option<String>,
    /// At school or not.
    pub school_status: Option<SchoolStatus>,
    /// Boards at school (null for a volunteer).
    pub boarding: Option<bool>,
    /// Health notes; only for admin, coordinator and the health and civil-affairs departments.
    // Resolved in GraphQL by a resolver that notes the value for the read log.
    #[graphql(skip)]
    pub health_notes: Option<String>,
    /// Receives the minimum living allowance (低保); null for a volunteer.
    pub minimum_living_allowance: Option<bool>,
    /// Special-hardship case; null for a volunteer.
    pub special_hardship: Option<bool>,
    /// Lifecycle status. `aged_out` follows from the birth date; `exited` also
    /// follows when every parent on record (father or mother with an active
    /// guardianship) no longer works away.
    pub status: ChildStatus,
    /// The five guarantees (五有), decided on every read from the records
    /// around the child; see `guarantee_reasons` for why one fails.
    pub guarantees: Guarantees,
    /// Why each unmet guarantee fails.
    pub guarantee_reasons: Vec<GuaranteeReason>,
}

/// The five guarantees (五有) of a child. Rules: **education** — a child of
/// 6 to 15 has `school_status = enrolled`; **guardianship** — an active
/// primary caregiver who can act as guardian, with a signed responsibility
/// agreement; **safety** — a follow-up visit within 90 days (configurable) and
/// no unresolved safety concern; **affection** — a family contact with a parent
/// within 30 days (configurable) or an active surrogate-parent pairing with an
/// approved volunteer; **activity** — an enrolment in a place of care that
/// holds today.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct Guarantees {
    /// 学业有教
    pub education: bool,
    /// 监护有人
    pub guardianship: bool,
    /// 安全有保
    pub safety: bool,
    /// 亲情有护
    pub affection: bool,
    /// 活动有地
    pub activity: bool,
}

/// Why a guarantee is not met.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct GuaranteeReason {
    /// The guarantee.
    pub guarantee: Guarantee,
    /// Why it fails, as a stable code for programs and translations: `not_at_school`, `no_school_status`
    /// (education); `no_primary_caregiver`, `caregiver_not_capable`, `agreement_not_signed` (guardianship);
    /// `open_safety_concern`, `no_recent_visit` (safety); `no_recent_parent_contact` (affection); `not_enrolled`
    /// (activity).
    #[schema(example = "no_recent_visit")]
    pub code: String,
    /// Why it fails, in words.
    #[schema(example = "no follow-up visit in the last 90 days")]
    pub reason: String,
}

fn guarantees_of(g: Option<domain::guarantee::Guarantees>) -> (Guarantees, Vec<GuaranteeReason>) {
    let Some(g) = g else {
        return (Guarantees::default(), Vec::new());
    };
    let checks = [
        (Guarantee::Education, &g.education),
        (Guarantee::Guardianship, &g.guardianship),
        (Guarantee::Safety, &g.safety),
        (Guarantee::Affection, &g.affection),
        (Guarantee::Activity, &g.activity),
    ];
    let reasons = checks
        .iter()
        .filter_map(|(which, check)| {
            check.reason.as_ref().map(|r| GuaranteeReason {
                guarantee: *which,
                code: check.code.unwrap_or_default().to_owned(),
                reason: crate::i18n::render(r),
            })
        })
        .collect();
    (
        Guarantees {
            education: g.education.met,
            guardianship: g.guardianship.met,
            safety: g.safety.met,
            affection: g.affection.met,
            activity: g.activity.met,
        },
        reasons,
    )
}

impl From<domain::child::Child> for Child {
    fn from(c: domain::child::Child) -> Self {
        let full = !c.minimal;
        let age = c.age_on(domain::resource::now().date_naive());
        let (guarantees, guarantee_reasons) = guarantees_of(c.guarantees.clone());
        Self {
            id: ID(c.meta.id.to_string()),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
            name: c.name,
            gender: c.gender.into(),
            birth_date: full.then_some(c.birth_date),
            age,
            id_number: c.id_number,
            region_code: c.region_code,
            left_behind_type: full.then_some(c.left_behind_type.into()),
            school_stage: c.school_stage.map(Into::into),
            school_name: c.school_name,
            grade: c.grade,
            school_status: c.school_status.map(Into::into),
            boarding: full.then_some(c.boarding),
            health_notes: c.health_notes,
            minimum_living_allowance: full.then_some(c.minimum_living_allowance),
            special_hardship: full.then_some(c.special_hardship),
            status: c.status.into(),
            guarantees,
            guarantee_reasons,
        }
    }
}

/// A child to register.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[graphql(name = "CreateChildInput")]
#[schema(example = json!({"name": "王小明", "gender": "male", "birth_date": "2016-07-09", "id_number": "522631201607090017",
    "region_code": "522631101201", "left_behind_type": "both_parents_away", "school_stage": "primary", "school_status": "enrolled"}))]
#[serde(deny_unknown_fields)]
pub struct ChildCreate {
    /// Full name, 1–50 characters.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: String,
    /// Sex; must agree with the ID number.
    #[schema(value_type = Gender)]
    pub gender: Gender,
    /// `YYYY-MM-DD`; not in the future; under 18 at registration; must agree with the ID number.
    #[schema(value_type = String, format = Date)]
    pub birth_date: NaiveDate,
    /// 18 characters with a valid GB 11643 check character; unique among children (409).
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{17}[0-9Xx])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub id_number: MaybeUndefined<String>,
    /// An existing village in the caller's jurisdiction.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region_code: String,
    /// Why the child is left behind.
    #[schema(value_type = LeftBehindType)]
    pub left_behind_type: LeftBehindType,
    /// Stage of schooling.
    #[schema(value_type = Option<SchoolStage>)]
    pub school_stage: MaybeUndefined<SchoolStage>,
    /// School, up to 100 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub school_name: MaybeUndefined<String>,
    /// Grade, up to 20 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,18}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub grade: MaybeUndefined<String>,
    /// At school or not.
    #[schema(value_type = Option<SchoolStatus>)]
    pub school_status: MaybeUndefined<SchoolStatus>,
    /// Boards at school (default false).
    #[schema(value_type = bool, required = false)]
    pub boarding: MaybeUndefined<bool>,
    /// Health notes (health department, admin, coordinator).
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub health_notes: MaybeUndefined<String>,
    /// Minimum living allowance (civil affairs).
    #[schema(value_type = bool, required = false)]
    pub minimum_living_allowance: MaybeUndefined<bool>,
    /// Special hardship (civil affairs).
    #[schema(value_type = bool, required = false)]
    pub special_hardship: MaybeUndefined<bool>,
}

/// A JSON merge patch of a child: absent fields stay, `null` clears optional ones.
/// Departments may send only their own fields (education: schooling; health:
/// `health_notes`; civil affairs: assistance).
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateChildInput")]
#[schema(example = json!({"school_status": "enrolled", "grade": "四年级"}))]
pub struct ChildPatch {
    /// Full name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub name: MaybeUndefined<String>,
    /// Sex.
    #[schema(value_type = Gender, required = false)]
    pub gender: MaybeUndefined<Gender>,
    /// Birth date.
    #[schema(value_type = String, format = Date, required = false)]
    pub birth_date: MaybeUndefined<NaiveDate>,
    /// Resident ID number.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{17}[0-9Xx])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub id_number: MaybeUndefined<String>,
    /// Village.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub region_code: MaybeUndefined<String>,
    /// Left-behind type.
    #[schema(value_type = LeftBehindType, required = false)]
    pub left_behind_type: MaybeUndefined<LeftBehindType>,
    /// Stage of schooling.
    #[schema(value_type = Option<SchoolStage>)]
    pub school_stage: MaybeUndefined<SchoolStage>,
    /// School.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub school_name: MaybeUndefined<String>,
    /// Grade.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,18}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub grade: MaybeUndefined<String>,
    /// At school or not.
    #[schema(value_type = Option<SchoolStatus>)]
    pub school_status: MaybeUndefined<SchoolStatus>,
    /// Boards at school.
    #[schema(value_type = bool, required = false)]
    pub boarding: MaybeUndefined<bool>,
    /// Health notes.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,1998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub health_notes: MaybeUndefined<String>,
    /// Minimum living allowance.
    #[schema(value_type = bool, required = false)]
    pub minimum_living_allowance: MaybeUndefined<bool>,
    /// Special hardship.
    #[schema(value_type = bool, required = false)]
    pub special_hardship: MaybeUndefined<bool>,
    /// `active` or `exited` only.
    #[schema(value_type = ChildStatus, required = false)]
    pub status: MaybeUndefined<ChildStatus>,
}

/// Filters of the children list. Without `status`, archived and aged-out children are left out.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<ChildStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub school_status: Option<SchoolStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub school_stage: Option<SchoolStage>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub left_behind_type: Option<LeftBehindType>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub gender: Option<Gender>,
    /// Only children who do not meet this guarantee today (the rules are under `Guarantees`).
    #[param(inline)]
    pub guarantee_unmet: Option<Guarantee>,
}

/// Filters of `children`. Without `status`, archived and aged-out children are left out.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct ChildFilter {
    /// A 12-digit region code: its subtree, intersected with your jurisdiction.
    pub region: Option<String>,
    /// Changed at or after this RFC 3339 instant.
    pub updated_since: Option<DateTime<Utc>>,
    /// Name starts with this text.
    pub q: Option<String>,
    /// Lifecycle status.
    pub status: Option<ChildStatus>,
    /// School status.
    pub school_status: Option<SchoolStatus>,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// Left-behind type.
    pub left_behind_type: Option<LeftBehindType>,
    /// Sex.
    pub gender: Option<Gender>,
    /// Only children who do not meet this guarantee today.
    pub guarantee_unmet: Option<Guarantee>,
}

crate::kind::register_kind!(
    Child,
    list = ChildList,
    record = domain::child::Child,
    collection = "/api/v1/children"
);

impl From<ChildCreate> for domain::child::ChildInput {
    fn from(i: ChildCreate) -> Self {
        Self {
            name: Patch::Value(i.name),
            gender: Patch::Value(i.gender.into()),
            birth_date: given_parsed(i.birth_date),
            id_number: patch(i.id_number, |v| v),
            region_code: Patch::Value(i.region_code),
            left_behind_type: Patch::Value(i.left_behind_type.into()),
            school_stage: patch(i.school_stage, Into::into),
            school_name: patch(i.school_name, |v| v),
            grade: patch(i.grade, |v| v),
            school_status: patch(i.school_status, Into::into),
            boarding: patch(i.boarding, |v| v),
            health_notes: patch(i.health_notes, |v| v),
            minimum_living_allowance: patch(i.minimum_living_allowance, |v| v),
            special_hardship: patch(i.special_hardship, |v| v),
            ..Self::default()
        }
    }
}

impl From<ChildPatch> for domain::child::ChildInput {
    fn from(i: ChildPatch) -> Self {
        Self {
            name: patch(i.name, |v| v),
            gender: patch(i.gender, Into::into),
            birth_date: parsed(i.birth_date),
            id_number: patch(i.id_number, |v| v),
            region_code: patch(i.region_code, |v| v),
            left_behind_type: patch(i.left_behind_type, Into::into),
            school_stage: patch(i.school_stage, Into::into),
            school_name: patch(i.school_name, |v| v),
            grade: patch(i.grade, |v| v),
            school_status: patch(i.school_status, Into::into),
            boarding: patch(i.boarding, |v| v),
            health_notes: patch(i.health_notes, |v| v),
            minimum_living_allowance: patch(i.minimum_living_allowance, |v| v),
            special_hardship: patch(i.special_hardship, |v| v),
            status: patch(i.status, Into::into),
            ..Self::default()
        }
    }
}


// The REST handlers of children, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::record::register_rest!(
    kind = Child, list_body = ChildList,
    create_body = ChildCreate, patch_body = ChildPatch, params = ChildParams,
    collection = "/api/v1/children", item = "/api/v1/children/{id}", tag = "children",
    about = "The register of left-behind children",
    /// Lists children in your jurisdiction, oldest first, filtered.
    list = list_children,
    /// Registers a child.
    create = create_child,
    /// Reads one child.
    get = get_child,
    /// Changes a child (JSON merge patch, If-Match required).
    update = update_child,
    /// Archives a child (kept for the record, hidden from default lists).
    archive = archive_child,
    export_path = "/api/v1/children/export",
    /// Exports the children as one file (csv, xlsx or ndjson), filtered like the list.
    export = export_children,
);

/// The columns of a children export, in order.
impl crate::export::Exported for Child {
    const FILE: &'static str = "children";
    const COLUMNS: &'static [crate::export::Column] = &[
    crate::export::column("id", "编号", crate::export::Form::Text),
    crate::export::column("name", "姓名", crate::export::Form::Text),
    crate::export::column("gender", "性别", crate::export::Form::Choice("enum.gender")),
    crate::export::column("id_number", "身份证号", crate::export::Form::Text),
    crate::export::column("birth_date", "出生日期", crate::export::Form::Date),
    crate::export::column("age", "年龄", crate::export::Form::Number),
    crate::export::column("region_code", "所在村", crate::export::Form::Text),
    crate::export::column("left_behind_type", "留守类型", crate::export::Form::Choice("enum.left_behind_type")),
    crate::export::column("school_name", "就读学校", crate::export::Form::Text),
    crate::export::column("school_stage", "学段", crate::export::Form::Choice("enum.school_stage")),
    crate::export::column("grade", "年级", crate::export::Form::Text),
    crate::export::column("school_status", "就学状态", crate::export::Form::Choice("enum.school_status")),
    crate::export::column("boarding", "是否寄宿", crate::export::Form::Flag),
    crate::export::column("health_notes", "健康状况", crate::export::Form::Text),
    crate::export::column("minimum_living_allowance", "享受低保", crate::export::Form::Flag),
    crate::export::column("special_hardship", "特困供养", crate::export::Form::Flag),
    crate::export::column("status", "状态", crate::export::Form::Choice("enum.child_status")),
    crate::export::column("guarantees.education", "学业有教", crate::export::Form::Flag),
    crate::export::column("guarantees.guardianship", "监护有人", crate::export::Form::Flag),
    crate::export::column("guarantees.safety", "安全有保", crate::export::Form::Flag),
    crate::export::column("guarantees.affection", "亲情有护", crate::export::Form::Flag),
    crate::export::column("guarantees.activity", "活动有地", crate::export::Form::Flag),
    crate::export::column("version", "版本", crate::export::Form::Number),
    crate::export::column("created_at", "登记时间", crate::export::Form::Text),
    crate::export::column("updated_at", "更新时间", crate::export::Form::Text),
    ];
}



// Children in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::record::register_graphql!(
    query = ChildQuery, mutation = ChildMutation, kind = Child,
    filter = ChildFilter, create_input = ChildCreate, update_input = ChildPatch,
    prefetch = prefetch_children,
    /// One child; null and NOT_FOUND when absent or outside your jurisdiction.
    get = child,
    /// Children in your jurisdiction, oldest first.
    list = children,
    /// Registers a child.
    create = create_child,
    /// Changes a child if it is still at `expectedVersion` (else VERSION_MISMATCH).
    update = update_child,
    /// Archives a child if it is still at `expectedVersion`.
    archive = archive_child,
);

/// Loads, for a whole page at once, the relations the query selects, so that a
/// page costs the same few queries whatever its size and however busy the
/// machine (the loaders' batching window alone depends on timing).
async fn prefetch_children(ctx: &Context<'_>, page: &[domain::child::Child]) -> Result<()> {
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    prefetch_pairings_and_visits(ctx, &ids).await?;
    let node = crate::graphql::Selected::nodes(ctx);
    let enrollments = node.field("enrollments");
    if !page.is_empty() && enrollments.exists() {
        let (state, caller) = parts(ctx)?;
        let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
        let mut found = domain::enrollment::active_of_children(&state.db, caller, &ids)
            .await
            .map_err(gql_error)?;
        let centers: Vec<Uuid> = found
            .values()
            .flatten()
            .map(|e| e.care_center_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        loaders(ctx)?
            .child_enrollments
            .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
            .await;
        if enrollments.field("careCenter").exists() && !centers.is_empty() {
            let places = service::get_many::<domain::care_center::CareCenter, Db>(&state.db, caller, &centers)
                .await
                .map_err(gql_error)?;
            loaders(ctx)?.care_center.feed_many(places).await;
        }
    }
    let links = node.field("guardianships");
    if page.is_empty() || !links.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let loaders = loaders(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    let mut found = service::guardianships_of_children(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    let guardian_ids: Vec<Uuid> = found
        .values()
        .flatten()
        .map(|g| g.guardian_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let all = ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default()));
    loaders.guardianships.feed_many(all).await;
    let guardian = links.field("guardian");
    if guardian.exists() && !guardian_ids.is_empty() {
        let guardians = service::get_many::<domain::guardian::Guardian, Db>(&state.db, caller, &guardian_ids)
            .await
            .map_err(gql_error)?;
        let visible: Vec<Uuid> = guardians.keys().copied().collect();
        loaders.guardians.feed_many(guardians).await;
        if guardian.field("children").exists() {
            crate::guardian::feed_children_of(ctx, &visible).await?;
        }
    }
    Ok(())
}

/// Prefetches, for a page of children, the pairings and visits the query selects.
async fn prefetch_pairings_and_visits(ctx: &Context<'_>, ids: &[Uuid]) -> Result<()> {
    let node = crate::graphql::Selected::nodes(ctx);
    let (state, caller) = parts(ctx)?;
    if ids.is_empty() {
        return Ok(());
    }
    let pairings = node.field("pairings");
    if pairings.exists() {
        let mut found = domain::pairing::of_children(&state.db, caller, ids, false)
            .await
            .map_err(gql_error)?;
        let volunteers: Vec<Uuid> = found.values().flatten().map(|p| p.volunteer_id).collect();
        loaders(ctx)?
            .child_pairings
            .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
            .await;
        if pairings.field("volunteer").exists() {
            feed_volunteers(ctx, caller, &volunteers).await?;
        }
    }
    crate::graphql::nested::prefetch::<Visit>(ctx, ids, "visits").await
}

async fn feed_volunteers(ctx: &Context<'_>, caller: &Ctx, ids: &[Uuid]) -> Result<()> {
    let unique: Vec<Uuid> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let (state, _) = parts(ctx)?;
    let found = service::get_many::<domain::volunteer::Volunteer, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.volunteer.feed_many(found).await;
    Ok(())
}

/// Notes, for the read log, that `field` of `child` goes out in this response,
/// if the caller reads it unmasked.
fn disclose(ctx: &Context<'_>, child: &ID, field: &'static str) -> Result<()> {
    let (_, caller) = parts(ctx)?;
    if domain::child::reads_unmasked(caller, field) {
        // Fails closed: unmasked data goes out only with its read-log entry.
        let log = ctx
            .data::<std::sync::Arc<crate::graphql::ReadLog>>()
            .map_err(|_| gql_error(shouhu_domain::Error::Internal("no read log".into())))?;
        log.add(parse_id(child)?, field).map_err(gql_error)?;
    }
    Ok(())
}

#[ComplexObject]
impl Child {
    /// Resident ID number; masked (`522631********0011`) for most roles.
    async fn id_number(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.id_number.is_some() {
            disclose(ctx, &self.id, "id_number")?;
        }
        Ok(self.id_number.clone())
    }

    /// Health notes; only for admin, coordinator and the health and civil-affairs departments.
    async fn health_notes(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.health_notes.is_some() {
            disclose(ctx, &self.id, "health_notes")?;
        }
        Ok(self.health_notes.clone())
    }

    /// The child's enrolments active today, in places you may see (batched across the page).
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .child_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }

    /// The child's active guardianships (batched across the page).
    async fn guardianships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Guardianship>> {
        let id = parse_id(&self.id)?;
        let links = loaders(ctx)?.guardianships.load_one(id).await.map_err(gql_error)?;
        crate::graphql::bounded(links.unwrap_or_default(), first)
    }

    /// The child's active pairings with volunteers you may see (batched across the page).
    async fn pairings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .child_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }

    /// The child's follow-up visits and family contacts, withdrawn ones left out (batched across the page).
    async fn visits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Visit>> {
        crate::graphql::nested::of_parent(ctx, &self.id, first).await
    }
}
