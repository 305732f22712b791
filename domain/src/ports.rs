//! What the domain needs from storage. `persistence` implements these.

use std::future::Future;

use uuid::Uuid;

use crate::account::Account;
use crate::error::Result;
use crate::guardianship::Guardianship;
use crate::region::Region;
use crate::resource::{Event, ListQuery, Resource};

/// Storage of one kind of register record.
pub trait Repository<T: Resource>: Send + Sync {
    /// The record with this id, whatever its region.
    fn find(&self, id: Uuid) -> impl Future<Output = Result<Option<T>>> + Send;
    /// The records with these ids that exist, in one query.
    fn find_many(&self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<T>>> + Send;
    /// The records matching the query, in id order, at most `page.limit`.
    fn list(&self, query: &ListQuery) -> impl Future<Output = Result<Vec<T>>> + Send;
    /// Inserts the record and its event in one transaction. A duplicate unique
    /// value is `Error::Conflict`.
    fn insert(&self, record: &T, event: &Event) -> impl Future<Output = Result<()>> + Send;
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
