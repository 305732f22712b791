//! The domain calls both surfaces make on records, each written once, so that
//! a change of a domain signature changes one place per operation. (Creation
//! is in `idempotent`, which both surfaces go through.)

use shouhu_domain::resource::{Page, PageRequest, Resource};
use shouhu_domain::{Ctx, Result, nested, service};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

use crate::kind::{Nested, Register};

/// A page of records the caller may see, filtered by `params`.
pub async fn list<K: Register>(
    db: &Db,
    ctx: &Ctx,
    params: &[(String, String)],
    page: PageRequest,
) -> Result<Page<K::Record>> {
    service::list::<K::Record, Db>(db, ctx, params, page).await
}

/// Applies a merge patch to a register record at `expected_version`.
pub async fn update<K: Register>(
    db: &Db,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: <K::Record as Resource>::Input,
) -> Result<K::Record> {
    service::update::<K::Record, Db>(db, ctx, id, expected_version, patch).await
}

/// Archives a register record at `expected_version`.
pub async fn archive<K: Register>(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<K::Record> {
    service::archive::<K::Record, Db>(db, ctx, id, expected_version).await
}

/// One nested record, if the caller may see it through its parent.
pub async fn get_nested<K>(db: &Db, ctx: &Ctx, id: Uuid) -> Result<K::Record>
where
    K: Nested,
    K::Record: nested::Nested,
    <K::Record as nested::Nested>::Parent: Mapped,
{
    nested::get::<K::Record, Db>(db, ctx, id).await
}

/// Applies a merge patch to a nested record at `expected_version`.
pub async fn update_nested<K>(
    db: &Db,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: <K::Record as Resource>::Input,
) -> Result<K::Record>
where
    K: Nested,
    K::Record: nested::Nested,
    <K::Record as nested::Nested>::Parent: Mapped,
{
    nested::update::<K::Record, Db>(db, ctx, id, expected_version, patch).await
}

/// Ends (withdraws, cancels) a nested record at `expected_version`.
pub async fn end<K>(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<K::Record>
where
    K: Nested,
    K::Record: nested::Nested,
    <K::Record as nested::Nested>::Parent: Mapped,
{
    nested::end::<K::Record, Db>(db, ctx, id, expected_version).await
}
