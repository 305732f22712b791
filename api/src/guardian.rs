//! Guardians: the parents and caregivers of children.

use crate::graphql::input::{NamedFilter, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::{IntoParams, ToSchema};
use crate::enums::{Gender, RecordStatus};
use shouhu_domain::service;
use uuid::Uuid;
use crate::attendance::Attendance;
use crate::child::Child;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use shouhu_domain as domain;




// What the APIs send and receive of guardians: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A parent or caregiver. ID numbers and phones are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Guardian {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full name.
    #[schema(example = "王建国")]
    pub name: String,
    /// Sex.
    pub gender: Option<Gender>,
    /// Mainland mobile number; masked (`138****5678`) for most roles.
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    /// Resident ID number; masked for most roles.
    pub id_number: Option<String>,
    /// Home region.
    #[schema(example = "522631101201")]
    pub region_code: String,
    /// Works away from home.
    pub is_working_away: bool,
    /// Where, when away.
    #[schema(example = "广东省东莞市")]
    pub work_location: Option<String>,
    /// Since when they work away.
    pub working_away_since: Option<NaiveDate>,
    /// When they last came home.
    pub last_home_visit_on: Option<NaiveDate>,
    /// Able to act as guardian.
    pub guardianship_capable: bool,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::guardian::Guardian> for Guardian {
    fn from(g: domain::guardian::Guardian) -> Self {
        Self {
            id: ID(g.meta.id.to_string()),
            version: g.meta.version,
            created_at: g.meta.created_at,
            updated_at: g.meta.updated_at,
            name: g.name,
            gender: g.gender.map(Into::into),
            phone: g.phone,
            id_number: g.id_number,
            region_code: g.region_code,
            is_working_away: g.is_working_away,
            work_location: g.work_location,
            working_away_since: g.working_away_since,
            last_home_visit_on: g.last_home_visit_on,
            guardianship_capable: g.guardianship_capable,
            status: g.status.into(),
        }
    }
}

/// A guardian to register.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[graphql(name = "CreateGuardianInput")]
#[schema(example = json!({"name": "王建国", "gender": "male", "phone": "13812345678", "region_code": "522631101201",
    "is_working_away": true, "work_location": "广东省东莞市"}))]
#[serde(deny_unknown_fields)]
pub struct GuardianCreate {
    /// Full name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: String,
    /// Sex; must agree with the ID number.
    #[schema(value_type = Option<Gender>)]
    pub gender: MaybeUndefined<Gender>,
    /// Mainland mobile number (11 digits, 13–19…); `+86` is dropped.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:(?:\+86)?1[3-9][0-9]{9})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: MaybeUndefined<String>,
    /// Resident ID number (GB 11643).
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{17}[0-9Xx])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub id_number: MaybeUndefined<String>,
    /// An existing region in the caller's jurisdiction.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region_code: String,
    /// Works away (default false).
    #[schema(value_type = bool, required = false)]
    pub is_working_away: MaybeUndefined<bool>,
    /// Where, up to 100 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub work_location: MaybeUndefined<String>,
    /// Since when they work away (only with `is_working_away`); not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub working_away_since: MaybeUndefined<NaiveDate>,
    /// When they last came home; not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_home_visit_on: MaybeUndefined<NaiveDate>,
    /// Able to act as guardian (default true).
    #[schema(value_type = bool, required = false)]
    pub guardianship_capable: MaybeUndefined<bool>,
}

/// A JSON merge patch of a guardian.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateGuardianInput")]
#[schema(example = json!({"last_home_visit_on": "2026-02-10", "work_location": "浙江省宁波市"}))]
pub struct GuardianPatch {
    /// Full name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub name: MaybeUndefined<String>,
    /// Sex.
    #[schema(value_type = Option<Gender>)]
    pub gender: MaybeUndefined<Gender>,
    /// Phone.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:(?:\+86)?1[3-9][0-9]{9})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: MaybeUndefined<String>,
    /// Resident ID number.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{17}[0-9Xx])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub id_number: MaybeUndefined<String>,
    /// Region.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub region_code: MaybeUndefined<String>,
    /// Works away.
    #[schema(value_type = bool, required = false)]
    pub is_working_away: MaybeUndefined<bool>,
    /// Where.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub work_location: MaybeUndefined<String>,
    /// Since when they work away.
    #[schema(value_type = Option<String>, format = Date)]
    pub working_away_since: MaybeUndefined<NaiveDate>,
    /// When they last came home.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_home_visit_on: MaybeUndefined<NaiveDate>,
    /// Able to act as guardian.
    #[schema(value_type = bool, required = false)]
    pub guardianship_capable: MaybeUndefined<bool>,
}

/// Filters of the guardians list. Without `status`, archived guardians are left out.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuardianParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of `guardians`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct GuardianFilter {
    /// Region, change time and name.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub named: NamedFilter,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

crate::kind::register_kind!(
    Guardian,
    list = GuardianList,
    record = domain::guardian::Guardian,
    collection = "/api/v1/guardians"
);

impl From<GuardianCreate> for domain::guardian::GuardianInput {
    fn from(i: GuardianCreate) -> Self {
        Self {
            name: Patch::Value(i.name),
            gender: patch(i.gender, Into::into),
            phone: patch(i.phone, |v| v),
            id_number: patch(i.id_number, |v| v),
            region_code: Patch::Value(i.region_code),
            is_working_away: patch(i.is_working_away, |v| v),
            work_location: patch(i.work_location, |v| v),
            working_away_since: parsed(i.working_away_since),
            last_home_visit_on: parsed(i.last_home_visit_on),
            guardianship_capable: patch(i.guardianship_capable, |v| v),
            ..Self::default()
        }
    }
}

impl From<GuardianPatch> for domain::guardian::GuardianInput {
    fn from(i: GuardianPatch) -> Self {
        Self {
            name: patch(i.name, |v| v),
            gender: patch(i.gender, Into::into),
            phone: patch(i.phone, |v| v),
            id_number: patch(i.id_number, |v| v),
            region_code: patch(i.region_code, |v| v),
            is_working_away: patch(i.is_working_away, |v| v),
            work_location: patch(i.work_location, |v| v),
            working_away_since: parsed(i.working_away_since),
            last_home_visit_on: parsed(i.last_home_visit_on),
            guardianship_capable: patch(i.guardianship_capable, |v| v),
            ..Self::default()
        }
    }
}


// The REST handlers of guardians, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::record::register_rest!(
    kind = Guardian, list_body = GuardianList,
    create_body = GuardianCreate, patch_body = GuardianPatch, params = GuardianParams,
    collection = "/api/v1/guardians", item = "/api/v1/guardians/{id}", tag = "guardians",
    about = "Parents and caregivers",
    /// Lists guardians in your jurisdiction.
    list = list_guardians,
    /// Registers a guardian.
    create = create_guardian,
    /// Reads one guardian.
    get = get_guardian,
    /// Changes a guardian (JSON merge patch, If-Match required).
    update = update_guardian,
    /// Archives a guardian.
    archive = archive_guardian,
    export_path = "/api/v1/guardians/export",
    /// Exports the guardians as one file (csv, xlsx or ndjson), filtered like the list.
    export = export_guardians,
);

/// The columns of a guardians export, in order.
impl crate::export::Exported for Guardian {
    const FILE: &'static str = "guardians";
    const COLUMNS: &'static [crate::export::Column] = &[
    crate::export::column("id", "编号", crate::export::Form::Text),
    crate::export::column("name", "姓名", crate::export::Form::Text),
    crate::export::column("gender", "性别", crate::export::Form::Choice("enum.gender")),
    crate::export::column("phone", "电话", crate::export::Form::Text),
    crate::export::column("id_number", "身份证号", crate::export::Form::Text),
    crate::export::column("region_code", "所在地", crate::export::Form::Text),
    crate::export::column("is_working_away", "是否外出务工", crate::export::Form::Flag),
    crate::export::column("work_location", "务工地", crate::export::Form::Text),
    crate::export::column("working_away_since", "外出务工起始日期", crate::export::Form::Date),
    crate::export::column("last_home_visit_on", "最近返乡日期", crate::export::Form::Date),
    crate::export::column("guardianship_capable", "具备监护能力", crate::export::Form::Flag),
    crate::export::column("status", "状态", crate::export::Form::Choice("enum.record_status")),
    crate::export::column("version", "版本", crate::export::Form::Number),
    crate::export::column("created_at", "登记时间", crate::export::Form::Text),
    crate::export::column("updated_at", "更新时间", crate::export::Form::Text),
    ];
}



// Guardians in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::record::register_graphql!(
    query = GuardianQuery, mutation = GuardianMutation, kind = Guardian,
    filter = GuardianFilter, create_input = GuardianCreate, update_input = GuardianPatch,
    prefetch = prefetch_guardians,
    /// One guardian.
    get = guardian,
    /// Guardians in your jurisdiction.
    list = guardians,
    /// Registers a guardian.
    create = create_guardian,
    /// Changes a guardian at `expectedVersion`.
    update = update_guardian,
    /// Archives a guardian at `expectedVersion`.
    archive = archive_guardian,
);

async fn prefetch_guardians(ctx: &Context<'_>, page: &[domain::guardian::Guardian]) -> Result<()> {
    if page.is_empty() || !crate::graphql::Selected::nodes(ctx).field("children").exists() {
        return Ok(());
    }
    let ids: Vec<Uuid> = page.iter().map(|g| g.meta.id).collect();
    feed_children_of(ctx, &ids).await
}

/// Feeds `Guardian.children` for these guardians.
pub(crate) async fn feed_children_of(ctx: &Context<'_>, guardian_ids: &[Uuid]) -> Result<()> {
    let (state, caller) = parts(ctx)?;
    let mut children = service::children_of_guardians(&state.db, caller, guardian_ids)
        .await
        .map_err(gql_error)?;
    let all = guardian_ids
        .iter()
        .map(|id| (*id, children.remove(id).unwrap_or_default()));
    loaders(ctx)?.children.feed_many(all).await;
    Ok(())
}

#[ComplexObject]
impl Guardian {
    /// The children this guardian cares for, that you may see (batched).
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Child>> {
        let id = parse_id(&self.id)?;
        let children = loaders(ctx)?.children.load_one(id).await.map_err(gql_error)?;
        crate::graphql::bounded(children.unwrap_or_default(), first)
    }

    /// The guardian's training history: registrations and check-ins in sessions you may see (batched).
    async fn trainings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Attendance>> {
        let found = loaders(ctx)?
            .trainings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
