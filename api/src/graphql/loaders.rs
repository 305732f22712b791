//! Batched loads of nested fields: one query per kind per request level, never
//! one per row. Each loader carries the caller, so visibility and masking are
//! decided by the domain exactly as for top-level reads.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use shouhu_domain::child::Child;
use shouhu_domain::guardian::Guardian;
use shouhu_domain::guardianship::Guardianship;
use shouhu_domain::{Ctx, Error, service};
use shouhu_persistence::Db;
use uuid::Uuid;

/// A child's active guardianships.
pub struct GuardianshipsByChild {
    db: Db,
    ctx: Ctx,
}

impl Loader<Uuid> for GuardianshipsByChild {
    type Value = Vec<Guardianship>;
    type Error = Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::guardianships_of_children(&self.db, &self.ctx, keys).await
    }
}

/// Guardians by id.
pub struct GuardianById {
    db: Db,
    ctx: Ctx,
}

impl Loader<Uuid> for GuardianById {
    type Value = Guardian;
    type Error = Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::get_many::<Guardian, Db>(&self.db, &self.ctx, keys).await
    }
}

/// A guardian's children.
pub struct ChildrenByGuardian {
    db: Db,
    ctx: Ctx,
}

impl Loader<Uuid> for ChildrenByGuardian {
    type Value = Vec<Child>;
    type Error = Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::children_of_guardians(&self.db, &self.ctx, keys).await
    }
}

/// How long a loader collects keys before it queries. The resolvers of a whole
/// page enqueue their keys within this window even on a slow, busy machine, so a
/// page costs one query per relation instead of one per row.
const BATCH_WINDOW: Duration = Duration::from_millis(10);

/// The loaders of one request.
pub struct Loaders {
    /// `Child.guardianships`
    pub guardianships: DataLoader<GuardianshipsByChild>,
    /// `Guardianship.guardian`
    pub guardians: DataLoader<GuardianById>,
    /// `Guardian.children`
    pub children: DataLoader<ChildrenByGuardian>,
}

impl Loaders {
    /// Fresh loaders for one request by `ctx` (no cache outlives the request).
    pub fn new(db: &Db, ctx: &Ctx) -> Self {
        Self {
            guardianships: DataLoader::new(
                GuardianshipsByChild {
                    db: db.clone(),
                    ctx: ctx.clone(),
                },
                tokio::spawn,
            )
            .delay(BATCH_WINDOW),
            guardians: DataLoader::new(
                GuardianById {
                    db: db.clone(),
                    ctx: ctx.clone(),
                },
                tokio::spawn,
            )
            .delay(BATCH_WINDOW),
            children: DataLoader::new(
                ChildrenByGuardian {
                    db: db.clone(),
                    ctx: ctx.clone(),
                },
                tokio::spawn,
            )
            .delay(BATCH_WINDOW),
        }
    }
}
