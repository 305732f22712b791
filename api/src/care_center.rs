//! Care centers: places of care (care centers, day-care homes, boarding schools, family rooms…), each with a capacity.

use crate::graphql::input::{NamedFilter, patch};
use async_graphql::{MaybeUndefined, ID, InputObject, SimpleObject, ComplexObject, Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouhu_domain::fields::Patch;
use utoipa::{IntoParams, ToSchema};
use crate::enums::{CareCenterKind, RecordStatus};
use std::collections::HashSet;
use shouhu_domain::service;
use shouhu_persistence::Db;
use uuid::Uuid;
use crate::enrollment::Enrollment;
use crate::graphql::{gql_error, loaders, parse_id, parts};
use shouhu_domain as domain;




// What the APIs send and receive of care places: one type per record serves both
// surfaces (serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase).
// Inputs are REST request bodies and GraphQL input objects alike; both reach
// the same domain reader, which validates every field.

/// A place of care. Street addresses are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct CareCenter {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Name.
    #[schema(example = "古州镇留守儿童关爱中心")]
    pub name: String,
    /// Kind of place.
    pub kind: CareCenterKind,
    /// Region.
    #[schema(example = "522631101000")]
    pub region_code: String,
    /// Street address.
    pub address: Option<String>,
    /// Places for children.
    #[schema(example = 60)]
    pub capacity: Option<i32>,
    /// What it offers.
    #[schema(example = "亲情电话, 图书角")]
    pub facilities: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::care_center::CareCenter> for CareCenter {
    fn from(c: domain::care_center::CareCenter) -> Self {
        Self {
            id: ID(c.meta.id.to_string()),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
            name: c.name,
            kind: c.kind.into(),
            region_code: c.region_code,
            address: c.address,
            capacity: c.capacity,
            facilities: c.facilities,
            status: c.status.into(),
        }
    }
}

/// A care place to register.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "CreateCareCenterInput")]
#[schema(example = json!({"name": "古州镇留守儿童关爱中心", "kind": "care_center", "region_code": "522631101000", "capacity": 60}))]
pub struct CareCenterCreate {
    /// Name, up to 100 characters.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: String,
    /// Kind.
    #[schema(value_type = CareCenterKind)]
    pub kind: CareCenterKind,
    /// An existing region in the caller's jurisdiction.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region_code: String,
    /// Street address, up to 200 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub address: MaybeUndefined<String>,
    /// Places, 0–100000.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100000)]
    pub capacity: MaybeUndefined<i32>,
    /// Facilities, up to 1000 characters.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub facilities: MaybeUndefined<String>,
}

/// A JSON merge patch of a care place.
#[derive(Debug, Clone, ToSchema, InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(name = "UpdateCareCenterInput")]
#[schema(example = json!({"capacity": 80, "facilities": "亲情电话, 图书角, 心理辅导室"}))]
pub struct CareCenterPatch {
    /// Name.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub name: MaybeUndefined<String>,
    /// Kind.
    #[schema(value_type = CareCenterKind, required = false)]
    pub kind: MaybeUndefined<CareCenterKind>,
    /// Region.
    #[schema(value_type = String, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:0[1-9]|[1-9][0-9])[0-9]{10}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$", required = false)]
    pub region_code: MaybeUndefined<String>,
    /// Address.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub address: MaybeUndefined<String>,
    /// Places.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100000)]
    pub capacity: MaybeUndefined<i32>,
    /// Facilities.
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]{0,998}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub facilities: MaybeUndefined<String>,
}

/// Filters of the care-centers list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareCenterParams {
    #[param(inline)]
    #[allow(missing_docs)]
    pub kind: Option<CareCenterKind>,
    #[param(inline)]
    #[allow(missing_docs)]
    pub status: Option<RecordStatus>,
}

/// Filters of `careCenters`.
#[derive(Debug, Clone, Serialize, InputObject)]
pub struct CareCenterFilter {
    /// Region, change time and name.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub named: NamedFilter,
    /// Kind of place.
    pub kind: Option<CareCenterKind>,
    /// Active or archived (default: active).
    pub status: Option<RecordStatus>,
}

crate::kind::register_kind!(
    CareCenter,
    list = CareCenterList,
    record = domain::care_center::CareCenter,
    collection = "/api/v1/care-centers"
);

impl From<CareCenterCreate> for domain::care_center::CareCenterInput {
    fn from(i: CareCenterCreate) -> Self {
        Self {
            name: Patch::Value(i.name),
            kind: Patch::Value(i.kind.into()),
            region_code: Patch::Value(i.region_code),
            address: patch(i.address, |v| v),
            capacity: patch(i.capacity, i64::from),
            facilities: patch(i.facilities, |v| v),
            ..Self::default()
        }
    }
}

impl From<CareCenterPatch> for domain::care_center::CareCenterInput {
    fn from(i: CareCenterPatch) -> Self {
        Self {
            name: patch(i.name, |v| v),
            kind: patch(i.kind, Into::into),
            region_code: patch(i.region_code, |v| v),
            address: patch(i.address, |v| v),
            capacity: patch(i.capacity, i64::from),
            facilities: patch(i.facilities, |v| v),
            ..Self::default()
        }
    }
}


// The REST handlers of care places, each a documented one-line call of a
// generic handler, and their routes.

crate::rest::record::register_rest!(
    kind = CareCenter, list_body = CareCenterList,
    create_body = CareCenterCreate, patch_body = CareCenterPatch, params = CareCenterParams,
    collection = "/api/v1/care-centers", item = "/api/v1/care-centers/{id}", tag = "care-centers",
    about = "Care centers, day-care homes, boarding schools, family rooms…",
    /// Lists care places in your jurisdiction.
    list = list_care_centers,
    /// Registers a care place.
    create = create_care_center,
    /// Reads one care place.
    get = get_care_center,
    /// Changes a care place (JSON merge patch, If-Match required).
    update = update_care_center,
    /// Archives a care place.
    archive = archive_care_center,
    export_path = "/api/v1/care-centers/export",
    /// Exports the care centers as one file (csv, xlsx or ndjson), filtered like the list.
    export = export_care_centers,
);

/// The columns of a care centers export, in order.
impl crate::export::Exported for CareCenter {
    const FILE: &'static str = "care-centers";
    const COLUMNS: &'static [crate::export::Column] = &[
    crate::export::column("id", "编号", crate::export::Form::Text),
    crate::export::column("name", "名称", crate::export::Form::Text),
    crate::export::column("kind", "类型", crate::export::Form::Choice("enum.care_center_kind")),
    crate::export::column("region_code", "所在地", crate::export::Form::Text),
    crate::export::column("address", "地址", crate::export::Form::Text),
    crate::export::column("capacity", "容量", crate::export::Form::Number),
    crate::export::column("facilities", "设施", crate::export::Form::Text),
    crate::export::column("status", "状态", crate::export::Form::Choice("enum.record_status")),
    crate::export::column("version", "版本", crate::export::Form::Number),
    crate::export::column("created_at", "登记时间", crate::export::Form::Text),
    crate::export::column("updated_at", "更新时间", crate::export::Form::Text),
    ];
}



// Care places in GraphQL: the root fields and mutations (one-line calls of
// generic resolvers), the relations that reach other records, batched across a page.

crate::graphql::record::register_graphql!(
    query = CareCenterQuery, mutation = CareCenterMutation, kind = CareCenter,
    filter = CareCenterFilter, create_input = CareCenterCreate, update_input = CareCenterPatch,
    prefetch = prefetch_centers,
    /// One care place.
    get = care_center,
    /// Care places in your jurisdiction.
    list = care_centers,
    /// Registers a care place.
    create = create_care_center,
    /// Changes a care place at `expectedVersion`.
    update = update_care_center,
    /// Archives a care place at `expectedVersion`.
    archive = archive_care_center,
);

async fn prefetch_centers(ctx: &Context<'_>, page: &[domain::care_center::CareCenter]) -> Result<()> {
    let enrollments = crate::graphql::Selected::nodes(ctx).field("enrollments");
    if page.is_empty() || !enrollments.exists() {
        return Ok(());
    }
    let (state, caller) = parts(ctx)?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.meta.id).collect();
    let mut found = domain::enrollment::active_in_centers(&state.db, caller, &ids)
        .await
        .map_err(gql_error)?;
    let children: Vec<Uuid> = found
        .values()
        .flatten()
        .map(|e| e.child_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    loaders(ctx)?
        .center_enrollments
        .feed_many(ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())))
        .await;
    if enrollments.field("child").exists() && !children.is_empty() {
        let kids = service::get_many::<domain::child::Child, Db>(&state.db, caller, &children)
            .await
            .map_err(gql_error)?;
        loaders(ctx)?.child.feed_many(kids).await;
    }
    Ok(())
}

#[ComplexObject]
impl CareCenter {
    /// The enrolments active today of children you may see (batched across the page).
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 1–500 (default 100), oldest first.")] first: Option<i32>,
    ) -> Result<Vec<Enrollment>> {
        let found = loaders(ctx)?
            .center_enrollments
            .load_one(parse_id(&self.id)?)
            .await
            .map_err(gql_error)?;
        crate::graphql::bounded(found.unwrap_or_default(), first)
    }
}
