//! Volunteers and their vetting.

use crate::graphql::input::{NamedFilter, parsed, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::{IntoParams, ToSchema};
use crate::enums::{RecordStatus, VettingStatus, VolunteerCategory};
use std::collections::HashSet;
use shouhu_domain::{Ctx, service};
use shouhu_persistence::Db;
use uuid::Uuid;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use crate::pairing::Pairing;
use shouhu_domain as domain;




// What the APIs send and receive of volunteers: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A volunteer. Phones are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Volunteer {
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
    #[schema(example = "李老师")]
    pub name: String,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// Region served.
    pub region_code: String,
    /// Organisation.
    pub organization: Option<String>,
    /// Where they come from.
    pub category: VolunteerCategory,
    /// What they offer.
    pub skills: Option<String>,
    /// Vetting status.
    pub vetting_status: VettingStatus,
    /// The `volunteer` account that signs in as this volunteer and sees the
    /// children paired with them while vetting is approved.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: Option<ID>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::volunteer::Volunteer> for Volunteer {
    fn from(v: domain::volunteer::Volunteer) -> Self {
        Self {
            id: ID(v.meta.id.to_string()),
            version: v.meta.version,
            created_at: v.meta.created_at,
            updated_at: v.meta.updated_at,
            name: v.name,
            phone: v.phone,
            region_code: v.region_code,
            organization: v.organization,
            category: v.category.into(),
            skills: v.skills,
            vetting_status: v.vetting_status.into(),
            account_id: v.account_id.map(|a| ID(a.to_string())),
            status: v.status.into(),
        }
    }
}

/// A volunteer to register (vetting starts `pending`).
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "CreateVolunteerInput")]
#[schema(example = json!({"name": "李老师", "phone": "13912345678", "region_code": "522631101000", "category": "teacher"}))]
pub struct VolunteerCreate {
    /// Full name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: String,
    /// Mainland mobile number.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:(?:\+86)?1[3-9][0-9]{9})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: MaybeUndefined<String>,
    /// An existing region in the caller's jurisdiction.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region_code: String,
    /// Organisation.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub organization: MaybeUndefined<String>,
    /// Category.
    #[schema(value_type = VolunteerCategory)]
    pub category: VolunteerCategory,
    /// Skills, up to 500 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,498}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub skills: MaybeUndefined<String>,
    /// Only `pending` makes sense at creation.
    #[schema(value_type = VettingStatus, required = false)]
    pub vetting_status: MaybeUndefined<VettingStatus>,
    /// An account holding the `volunteer` role, not linked to another volunteer (409).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: MaybeUndefined<ID>,
}

/// A JSON merge patch of a volunteer; vetting moves pending → approved or
/// rejected, approved ↔ suspended.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateVolunteerInput")]
#[schema(example = json!({"skills": "作业辅导, 心理陪伴"}))]
pub struct VolunteerPatch {
    /// Full name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,48}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub name: MaybeUndefined<String>,
    /// Phone.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:(?:\+86)?1[3-9][0-9]{9})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: MaybeUndefined<String>,
    /// Region.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub region_code: MaybeUndefined<String>,
    /// Organisation.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub organization: MaybeUndefined<String>,
    /// Category.
    #[schema(value_type = VolunteerCategory, required = false)]
    pub category: MaybeUndefined<VolunteerCategory>,
    /// Skills.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,498}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub skills: MaybeUndefined<String>,
    /// Vetting status.
    #[schema(value_type = VettingStatus, required = false)]
    pub vetting_status: MaybeUndefined<VettingStatus>,
    /// The linked account; `null` unlinks it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: MaybeUndefined<ID>,
}

/// Filters of the volunteers list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub category: Option<VolunteerCategory>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub vetting_status: Option<VettingStatus>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of `volunteers`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct VolunteerFilter {
    /// Region, change time and name.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub named: NamedFilter,
    /// Category.
    pub category: Option<VolunteerCategory>,
    /// Vetting status.
    pub vetting_status: Option<VettingStatus>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

crate::kind::register_kind!(
    Volunteer,
    list = VolunteerList,
    record = domain::volunteer::Volunteer,
    collection = "/api/v1/volunteers"
);

impl From<VolunteerCreate> for domain::volunteer::VolunteerInput {
    fn from(i: VolunteerCreate) -> Self {
        Self {
            name: Patch::Value(i.name),
            phone: patch(i.phone, |v| v),
            region_code: Patch::Value(i.region_code),
            organization: patch(i.organization, |v| v),
            category: Patch::Value(i.category.into()),
            skills: patch(i.skills, |v| v),
            vetting_status: patch(i.vetting_status, Into::into),
            account_id: parsed(i.account_id.map_value(|id| id.0)),
            ..Self::default()
        }
    }
}

impl From<VolunteerPatch> for domain::volunteer::VolunteerInput {
    fn from(i: VolunteerPatch) -> Self {
        Self {
            name: patch(i.name, |v| v),
            phone: patch(i.phone, |v| v),
            region_code: patch(i.region_code, |v| v),
            organization: patch(i.organization, |v| v),
            category: patch(i.category, Into::into),
            skills: patch(i.skills, |v| v),
            vetting_status: patch(i.vetting_status, Into::into),
            account_id: parsed(i.account_id.map_value(|id| id.0)),
            ..Self::default()
        }
    }
}


// The REST handlers of volunteers, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::record::register_rest!(
    kind = Volunteer, list_body = VolunteerList,
    create_body = VolunteerCreate, patch_body = VolunteerPatch, params = VolunteerParams,
    collection = "/api/v1/volunteers", item = "/api/v1/volunteers/{id}", tag = "volunteers",
    about = "Volunteers and their vetting",
    /// Lists volunteers in your jurisdiction.
    list = list_volunteers,
    /// Registers a volunteer (vetting starts pending).
    create = create_volunteer,
    /// Reads one volunteer.
    get = get_volunteer,
    /// Changes a volunteer, vetting included (JSON merge patch, If-Match required).
    update = update_volunteer,
    /// Archives a volunteer.
    archive = archive_volunteer,
    export_path = "/api/v1/volunteers/export",
    /// Exports the volunteers as one file (csv, xlsx or ndjson), filtered like the list.
    export = export_volunteers,
);

/// The columns of a volunteers export, in order.
impl crate::export::Exported for Volunteer {
    const FILE: &'static str = "volunteers";
    const COLUMNS: &'static [crate::export::Column] = &[
    crate::export::column("id", "编号", crate::export::Form::Text),
    crate::export::column("name", "姓名", crate::export::Form::Text),
    crate::export::column("phone", "电话", crate::export::Form::Text),
    crate::export::column("region_code", "所在地", crate::export::Form::Text),
    crate::export::column("organization", "所属组织", crate::export::Form::Text),
    crate::export::column("category", "类别", crate::export::Form::Choice("enum.volunteer_category")),
    crate::export::column("skills", "专长", crate::export::Form::Text),
    crate::export::column("vetting_status", "审核状态", crate::export::Form::Choice("enum.vetting_status")),
    crate::export::column("account_id", "账号", crate::export::Form::Text),
    crate::export::column("status", "状态", crate::export::Form::Choice("enum.record_status")),
    crate::export::column("version", "版本", crate::export::Form::Number),
    crate::export::column("created_at", "登记时间", crate::export::Form::Text),
    crate::export::column("updated_at", "更新时间", crate::export::Form::Text),
    ];
}



// Volunteers in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::record::register_graphql!(
    query = VolunteerQuery, mutation = VolunteerMutation, kind = Volunteer,
    filter = VolunteerFilter, create_input = VolunteerCreate, update_input = VolunteerPatch,
    prefetch = prefetch_volunteers,
    /// One volunteer.
    get = volunteer,
    /// Volunteers in your jurisdiction.
    list = volunteers,
    /// Registers a volunteer.
    create = create_volunteer,
    /// Changes a volunteer (vetting included) at `expectedVersion`.
    update = update_volunteer,
    /// Archives a volunteer at `expectedVersion`.
    archive = archive_volunteer,
);

/// Prefetches, for a page of volunteers, their active pairings (and children).
async fn prefetch_volunteers(ctx: &Context<'_>, page: &[domain::volunteer::Volunteer]) -> Result<()> {
    let pairings = crate::graphql::Selected::nodes(ctx).field("pairings");
    if page.is_empty() || !pairings.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|v| v.meta.id).collect();
    let mut found = domain::pairing::of_volunteers(&state.db, caller, &ids, false)
        .await
        .map_err(gql_error)?;
    let children: Vec<Uuid> = found.values().flatten().map(|p| p.child_id).collect();
    loaders(ctx)?
        .volunteer_pairings
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    if pairings.field("child").exists() {
        feed_children(ctx, caller, &children).await?;
    }
    Ok(())
}

async fn feed_children(ctx: &Context<'_>, caller: &Ctx, ids: &[Uuid]) -> Result<()> {
    let unique: Vec<Uuid> = ids.iter().copied().collect::<HashSet<_>>().into_iter().collect();
    if unique.is_empty() {
        return Ok(());
    }
    let (state, _) = parts(ctx)?;
    let found = service::get_many::<domain::child::Child, Db>(&state.db, caller, &unique)
        .await
        .map_err(gql_error)?;
    loaders(ctx)?.child.feed_many(found).await;
    Ok(())
}

#[ComplexObject]
impl Volunteer {
    /// The volunteer's active pairings with children you may see (batched across the page).
    async fn pairings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Pairing>> {
        let found = loaders(ctx)?
            .volunteer_pairings
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
