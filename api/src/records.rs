//! [`Access`] to one record, register or nested: the domain calls both
//! surfaces make on it, each written once. (Creation is in `idempotent`, which
//! both surfaces go through; lists call `service::list` directly.)

use shouhu_domain::{Ctx, Result, nested, service};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

use crate::kind::{Access, Registered, Through};

impl<R: Mapped> Access<R> for Registered {
    async fn read(db: &Db, ctx: &Ctx, id: Uuid) -> Result<R> {
        service::get_unsent::<R, Db>(db, ctx, id).await
    }

    async fn sent(db: &Db, ctx: &Ctx, record: &R) -> Result<()> {
        service::sent(db, ctx, record).await
    }

    async fn update(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64, patch: R::Input) -> Result<R> {
        service::update::<R, Db>(db, ctx, id, expected_version, patch).await
    }

    async fn retire(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<R> {
        service::archive::<R, Db>(db, ctx, id, expected_version).await
    }
}

impl<R> Access<R> for Through
where
    R: Mapped + nested::Nested,
    R::Parent: Mapped,
{
    async fn read(db: &Db, ctx: &Ctx, id: Uuid) -> Result<R> {
        nested::get::<R, Db>(db, ctx, id).await
    }

    // A read through the parent is not noted in the read log (`nested::get`
    // leaves it out too), so there is nothing more to note when it is sent.
    async fn sent(_db: &Db, _ctx: &Ctx, _record: &R) -> Result<()> {
        Ok(())
    }

    async fn update(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64, patch: R::Input) -> Result<R> {
        nested::update::<R, Db>(db, ctx, id, expected_version, patch).await
    }

    async fn retire(db: &Db, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<R> {
        nested::end::<R, Db>(db, ctx, id, expected_version).await
    }
}
