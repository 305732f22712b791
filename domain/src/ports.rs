//! What the domain needs from storage. `persistence` implements these.

use std::future::Future;

use uuid::Uuid;

use crate::account::Account;
use crate::error::Result;
use crate::guardianship::Guardianship;
use crate::region::Region;
use crate::resource::{Condition, Event, ListQuery, Resource};

/// Storage of one kind of register record.
pub trait Repository<T: Resource>: Send + Sync {
    /// The record with this id, whatever its region.
    fn find(&self, id: Uuid) -> impl Future<Output = Result<Option<T>>> + Send;
    /// The records with these ids that exist, in one query.
    fn find_many(&self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<T>>> + Send;
    /// The records matching the query, in id order, at most `page.limit`.
    fn list(&self, query: &ListQuery) -> impl Future<Output = Result<Vec<T>>> + Send;
    /// How many records match the conditions, in one query.
    fn count(&self, conditions: &[Condition]) -> impl Future<Output = Result<u64>> + Send;
    /// Inserts the record and its event in one transaction. A duplicate unique
    /// value is `Error::Conflict`.
    fn insert(&self, record: &T, event: &Event) -> impl Future<Output = Result<()>> + Send;
    /// Inserts many new records and their events in one transaction, in a few
    /// statements for all of them. A duplicate unique value is `Error::Conflict`.
    fn insert_many(&self, records: &[T], events: &[Event]) -> impl Future<Output = Result<()>> + Send;
    /// Replaces the record if it still has `expected_version`, and records the
    /// event, in one transaction; otherwise `Error::VersionMismatch`.
    fn update(&self, record: &T, expected_version: i64, event: &Event) -> impl Future<Output = Result<()>> + Send;
}

/// Storage of administrative regions.
pub trait RegionStore: Send + Sync {
    /// One region.
    fn region(&self, code: &str) -> impl Future<Output = Result<Option<Region>>> + Send;
    /// The children of `parent`, or the top-level regions present when `None`, in code order.
    fn regions(&self, parent: Option<&str>) -> impl Future<Output = Result<Vec<Region>>> + Send;
    /// Inserts regions or updates their names; returns how many were written.
    fn upsert_regions(&self, regions: &[Region]) -> impl Future<Output = Result<u64>> + Send;
}

/// Storage of child↔guardian links.
pub trait GuardianshipStore: Send + Sync {
    /// The links of these children, in one query.
    fn guardianships_of_children(&self, child_ids: &[Uuid]) -> impl Future<Output = Result<Vec<Guardianship>>> + Send;
    /// The links of these guardians, in one query.
    fn guardianships_of_guardians(
        &self,
        guardian_ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<Guardianship>>> + Send;
}

/// Storage of accounts.
pub trait AccountStore: Send + Sync {
    /// The account with this user name.
    fn account_by_username(&self, username: &str) -> impl Future<Output = Result<Option<Account>>> + Send;
    /// The account with this id.
    fn account(&self, id: Uuid) -> impl Future<Output = Result<Option<Account>>> + Send;
    /// Adds an account; a taken user name is `Error::Conflict`.
    fn insert_account(&self, account: &Account) -> impl Future<Output = Result<()>> + Send;
}

/// Inserts serialised on a parent record, for limits on what a parent holds
/// (a place's capacity, a volunteer's pairings, a session's seats).
pub trait LimitedInsert<T: Resource, P: Resource>: Send + Sync {
    /// Inserts `record` and its event unless `max` records of its kind matching
    /// `counted` already exist; returns false then. Concurrent inserts under
    /// the same parent are serialised (a lock on the parent's row).
    fn insert_limited(
        &self,
        record: &T,
        event: &Event,
        parent: Uuid,
        counted: &[crate::resource::Condition],
        max: u64,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// What the guarantees and the lifecycle are decided on, read in a few queries.
pub trait CareFacts: Send + Sync {
    /// The facts of each of these children on `today` (children without any get the default).
    fn facts(
        &self,
        child_ids: &[Uuid],
        today: chrono::NaiveDate,
        rules: &crate::guarantee::Rules,
    ) -> impl Future<Output = Result<std::collections::HashMap<Uuid, crate::guarantee::Facts>>> + Send;
    /// The children actively paired with the approved volunteer whose record is
    /// linked to this account (none for anyone else).
    fn paired_children(&self, account_id: Uuid) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
}

/// A unit of work: what a service reads to decide a write, the write, its
/// event and its read-log entries are kept together or not at all. The unit is
/// a store of the same kind, bound to one transaction; ended without `commit`
/// (dropped), its writes are rolled back.
pub trait Transactional: Sized + Send + Sync {
    /// Opens a unit of work (a transaction; within one, a savepoint).
    fn begin(&self) -> impl Future<Output = Result<Self>> + Send;
    /// Keeps the unit's writes.
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

/// Everything the services need from storage, in one bound.
pub trait Store:
    crate::Records + RegionStore + GuardianshipStore + crate::audit::AccessLog + CareFacts + AccountStore + Transactional
{
}

impl<S> Store for S where
    S: crate::Records
        + RegionStore
        + GuardianshipStore
        + crate::audit::AccessLog
        + CareFacts
        + AccountStore
        + Transactional
{
}
