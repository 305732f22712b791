//! Batched loads of nested fields: one query per kind per request level, never
//! one per row. Every loader is a [`Batch`] over one domain function that
//! reads many keys at once; each carries the caller, so visibility and masking
//! are decided by the domain exactly as for top-level reads.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use shouhu_domain::attendance::Attendance;
use shouhu_domain::care_center::CareCenter;
use shouhu_domain::child::Child;
use shouhu_domain::enrollment::Enrollment;
use shouhu_domain::guardian::Guardian;
use shouhu_domain::guardianship::Guardianship;
use shouhu_domain::nested::Nested;
use shouhu_domain::pairing::Pairing;
use shouhu_domain::volunteer::Volunteer;
use shouhu_domain::{Ctx, Error, service};
use shouhu_persistence::{Db, Mapped};
use uuid::Uuid;

/// How long a loader collects keys before it queries. Lists prefetch their
/// relations (each kind's `graphql::record::Listed`), so this window only
/// batches what a page did not foresee, such as relations nested under relations.
const BATCH_WINDOW: Duration = Duration::from_millis(5);

fn batch<V>(db: &Db, ctx: &Ctx, load: LoadMany<V>) -> Batch<V> {
    Batch {
        db: db.clone(),
        ctx: ctx.clone(),
        load,
    }
}

fn cached<L: Loader<Uuid>>(loader: L) -> Cached<L> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()).delay(BATCH_WINDOW)
}

/// The values of many keys, being read.
pub type Loading<'a, V> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<HashMap<Uuid, V>, Error>> + Send + 'a>>;

/// How a [`Batch`] loader reads the values of many keys at once.
pub type LoadMany<V> = for<'a> fn(&'a Db, &'a Ctx, &'a [Uuid]) -> Loading<'a, V>;

/// A loader over one domain function that reads many keys at once.
pub struct Batch<V> {
    db: Db,
    ctx: Ctx,
    load: LoadMany<V>,
}

impl<V: Send + Sync + Clone + 'static> Loader<Uuid> for Batch<V> {
    type Value = V;
    type Error = Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        (self.load)(&self.db, &self.ctx, keys).await
    }
}

/// Records of one kind by id, as the caller may see them.
fn by_id<'a, T: Mapped>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, T> {
    Box::pin(service::get_many::<T, Db>(db, ctx, keys))
}

fn guardianships_of_children<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Guardianship>> {
    Box::pin(service::guardianships_of_children(db, ctx, keys))
}

fn children_of_guardians<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Child>> {
    Box::pin(service::children_of_guardians(db, ctx, keys))
}

fn enrollments_of_children<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Enrollment>> {
    Box::pin(shouhu_domain::enrollment::active_of_children(db, ctx, keys))
}

fn enrollments_in_centers<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Enrollment>> {
    Box::pin(shouhu_domain::enrollment::active_in_centers(db, ctx, keys))
}

fn pairings_of_children<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Pairing>> {
    Box::pin(shouhu_domain::pairing::of_children(db, ctx, keys, false))
}

fn pairings_of_volunteers<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Pairing>> {
    Box::pin(shouhu_domain::pairing::of_volunteers(db, ctx, keys, false))
}

/// A nested kind's current records under each of many parents (a child's visits).
fn of_parents<'a, T>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<T>>
where
    T: Nested + Mapped,
    T::Parent: Mapped,
{
    Box::pin(shouhu_domain::nested::of_many::<T, Db>(
        db,
        ctx,
        T::PARENT_COLUMN,
        keys,
        false,
        T::parent_id,
    ))
}

fn attendance_of_sessions<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Attendance>> {
    Box::pin(shouhu_domain::attendance::of_sessions(db, ctx, keys))
}

fn attendance_of_people<'a>(db: &'a Db, ctx: &'a Ctx, keys: &'a [Uuid]) -> Loading<'a, Vec<Attendance>> {
    Box::pin(shouhu_domain::attendance::history_of(db, ctx, keys))
}

/// A loader whose answers are kept for the rest of the request, so that a page
/// can prefetch them.
pub type Cached<L> = DataLoader<L, HashMapCache>;

/// The loaders of one request.
pub struct Loaders {
    /// `Child.guardianships`
    pub guardianships: Cached<Batch<Vec<Guardianship>>>,
    /// `Guardianship.guardian`
    pub guardians: Cached<Batch<Guardian>>,
    /// `Guardian.children`
    pub children: Cached<Batch<Vec<Child>>>,
    /// `Child.enrollments`
    pub child_enrollments: Cached<Batch<Vec<Enrollment>>>,
    /// `CareCenter.enrollments`
    pub center_enrollments: Cached<Batch<Vec<Enrollment>>>,
    /// `Enrollment.child`
    pub child: Cached<Batch<Child>>,
    /// `Enrollment.careCenter`
    pub care_center: Cached<Batch<CareCenter>>,
    /// `Child.pairings`
    pub child_pairings: Cached<Batch<Vec<Pairing>>>,
    /// `Volunteer.pairings`
    pub volunteer_pairings: Cached<Batch<Vec<Pairing>>>,
    /// `TrainingSession.attendance`
    pub session_attendance: Cached<Batch<Vec<Attendance>>>,
    /// `Guardian.trainings`
    pub trainings: Cached<Batch<Vec<Attendance>>>,
    /// `Pairing.volunteer`, `Attendance.volunteer`
    pub volunteer: Cached<Batch<Volunteer>>,
    /// A parent's records of a nested kind (`Child.visits`): one loader per
    /// kind, made when first asked for ([`Loaders::of_parents`]).
    of_parents: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    db: Db,
    ctx: Ctx,
}

impl Loaders {
    /// Fresh loaders for one request by `ctx` (no cache outlives the request).
    pub fn new(db: &Db, ctx: &Ctx) -> Self {
        Self {
            guardianships: cached(batch(db, ctx, guardianships_of_children)),
            guardians: cached(batch(db, ctx, by_id::<Guardian>)),
            children: cached(batch(db, ctx, children_of_guardians)),
            child_enrollments: cached(batch(db, ctx, enrollments_of_children)),
            center_enrollments: cached(batch(db, ctx, enrollments_in_centers)),
            child: cached(batch(db, ctx, by_id::<Child>)),
            care_center: cached(batch(db, ctx, by_id::<CareCenter>)),
            child_pairings: cached(batch(db, ctx, pairings_of_children)),
            volunteer_pairings: cached(batch(db, ctx, pairings_of_volunteers)),
            session_attendance: cached(batch(db, ctx, attendance_of_sessions)),
            trainings: cached(batch(db, ctx, attendance_of_people)),
            volunteer: cached(batch(db, ctx, by_id::<Volunteer>)),
            of_parents: Mutex::default(),
            db: db.clone(),
            ctx: ctx.clone(),
        }
    }

    /// The loader of a nested kind's current records by parent (`Child.visits`
    /// loads `of_parents::<Visit>()`), the same one for the whole request.
    pub fn of_parents<T>(&self) -> Arc<Cached<Batch<Vec<T>>>>
    where
        T: Nested + Mapped,
        T::Parent: Mapped,
    {
        let mut made = self.of_parents.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = made.get(&TypeId::of::<T>()).and_then(|l| Arc::clone(l).downcast().ok()) {
            return found;
        }
        let loader = Arc::new(cached(batch(&self.db, &self.ctx, of_parents::<T>)));
        made.insert(TypeId::of::<T>(), Arc::clone(&loader) as Arc<dyn Any + Send + Sync>);
        loader
    }
}
