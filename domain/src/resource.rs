//! What every register record shares: identity, version, timestamps, a region,
//! a way to read itself from a create or patch object, and its field rules.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::enums::{RegionLevel, StrEnum};
use crate::fields::{Fields, Input};

/// Identity, version and timestamps of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// UUID v7: time-ordered.
    pub id: Uuid,
    /// Starts at 1 and grows by one on each change.
    pub version: i64,
    /// When the record was registered.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl Meta {
    /// Metadata for a record created now.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The current instant, to the microsecond (what both databases keep).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub use crate::ResourceKind;

/// How a list filter reads its parameter.
#[derive(Debug, Clone, Copy)]
pub enum FilterKind {
    /// Equality with a value of an enumeration: its check and its accepted names.
    Enum(fn(&str) -> bool, fn() -> String),
    /// The column is at or after this instant.
    From,
    /// The column is before this instant.
    Before,
    /// The child does not meet the named guarantee (`guarantee_unmet=`).
    GuaranteeUnmet,
}

/// A collection's own list filter.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    /// The query parameter.
    pub param: &'static str,
    /// The column it filters.
    pub column: &'static str,
    /// How its value is read.
    pub kind: FilterKind,
}

fn is_name<E: StrEnum>(s: &str) -> bool {
    E::parse(s).is_some()
}

/// A filter on an enumeration column named like its parameter.
pub const fn enum_filter<E: StrEnum>(param: &'static str) -> FilterSpec {
    FilterSpec {
        param,
        column: param,
        kind: FilterKind::Enum(is_name::<E>, E::expected),
    }
}

/// Writes [`Resource::meta`], [`Resource::meta_mut`] and
/// [`Resource::region_code`] for a record with `meta` and `region_code` fields.
macro_rules! meta_and_region {
    () => {
        fn meta(&self) -> &$crate::resource::Meta {
            &self.meta
        }
        fn meta_mut(&mut self) -> &mut $crate::resource::Meta {
            &mut self.meta
        }
        fn region_code(&self) -> &str {
            &self.region_code
        }
    };
}
pub(crate) use meta_and_region;

/// A record of the register.
pub trait Resource: Clone + PartialEq + Serialize + Send + Sync + Unpin + 'static {
    /// What a client sends to create or change one (see [`crate::fields`]).
    type Input: Input;
    /// What the record's derived fields and fact checks read of other records
    /// (a child's guarantee facts), read once per request: `()` for kinds with none.
    type Facts: Default + Send + Sync;
    /// Which kind this is.
    const KIND: ResourceKind;
    /// The column `q=` searches (by prefix).
    const NAME_COLUMN: &'static str = "name";
    /// The status values hidden from lists unless asked for with `status=`.
    const HIDDEN_BY_DEFAULT: &'static [&'static str] = &["archived"];
    /// The collection's own filters.
    const FILTERS: &'static [FilterSpec];
    /// The level the record's region must have, when it matters.
    const REGION_LEVEL: Option<RegionLevel> = None;

    /// Identity, version and timestamps.
    fn meta(&self) -> &Meta;
    /// Identity, version and timestamps, to change.
    fn meta_mut(&mut self) -> &mut Meta;
    /// The region the record belongs to; jurisdiction is decided on it.
    fn region_code(&self) -> &str;
    /// A record with default values, to be filled by `apply` in create mode.
    fn blank(meta: Meta) -> Self;
    /// Reads every writable field of `input` into `self` through `f`, then
    /// checks the rules that span several fields, reporting problems through `f`.
    fn apply(&mut self, input: Self::Input, f: &mut Fields, today: NaiveDate);
    /// Whether the record is archived.
    fn is_archived(&self) -> bool;
    /// Archives the record.
    fn archive(&mut self);
    /// Hides what `ctx` may not see.
    fn mask(&mut self, ctx: &Ctx);
    /// Derives what follows from the date alone (a child of 16 is aged out),
    /// so that nobody has to edit the record for it.
    fn settle(&mut self, _today: NaiveDate) {}
    /// The list conditions for a `status` filter (or its absence), when they
    /// are more than an equality on the stored column.
    fn status_conditions(_status: Option<&str>, _today: NaiveDate) -> Option<Vec<Condition>> {
        None
    }
    /// The fields, masked or hidden for some roles, that this record shows `ctx`
    /// unmasked; reads of them are audited.
    fn unmasked_personal_fields(&self, _ctx: &Ctx) -> Vec<&'static str> {
        Vec::new()
    }
    /// The resident ID number that identifies this record uniquely, for kinds
    /// that register one (see [`crate::uniqueness`]).
    fn registered_id_number(&self) -> Option<&str> {
        None
    }
    /// Reads, for a batch at once, the facts of these records (none by default).
    fn read_facts<S: crate::ports::Store>(
        _store: &S,
        _ctx: &Ctx,
        _ids: &[Uuid],
    ) -> impl std::future::Future<Output = crate::error::Result<HashMap<Uuid, Self::Facts>>> + Send {
        async { Ok(HashMap::new()) }
    }
    /// Fills what follows from the facts (a child's guarantees and lifecycle),
    /// before the record leaves the domain.
    fn derive(&mut self, _facts: &Self::Facts, _ctx: &Ctx, _today: NaiveDate) {}
    /// Checks, before a create or a change is written, the rules that depend
    /// on the facts, reporting problems through `f`.
    fn check_facts(&self, _facts: &Self::Facts, _f: &mut Fields) {}
    /// Checks, before a create or a change is written, the rules that depend
    /// on other records, reporting problems through `f`.
    fn check_with<S: crate::ports::Store>(
        &self,
        _store: &S,
        _ctx: &Ctx,
        _f: &mut Fields,
    ) -> impl std::future::Future<Output = crate::error::Result<()>> + Send {
        async { Ok(()) }
    }
}

/// One condition of a list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `column = value`
    Eq(&'static str, String),
    /// `column = id` for an id column.
    EqId(&'static str, uuid::Uuid),
    /// `column > date`
    DateAfter(&'static str, NaiveDate),
    /// `column <= date`
    DateAtOrBefore(&'static str, NaiveDate),
    /// `column IN values`
    In(&'static str, Vec<String>),
    /// `column NOT IN values`
    NotIn(&'static str, Vec<String>),
    /// `column >= instant`
    From(&'static str, DateTime<Utc>),
    /// `column < instant`
    Before(&'static str, DateTime<Utc>),
    /// `column` starts with the text (a name search).
    StartsWith(&'static str, String),
    /// `region_code` lies in the subtree whose codes start with this prefix.
    WithinRegion(String),
    /// `region_code` lies in the subtree of the prefix or is one of the codes
    /// (care places registered above the caller's region that serve it).
    WithinRegionOrIn(String, Vec<String>),
    /// A child's derived exit: `true` = exited (recorded, or active with every
    /// parent on record home); `false` = active and not so.
    Exited(bool),
    /// `column IS NULL OR column >= date` (an open end, or one on or after the day).
    OpenOrFrom(&'static str, NaiveDate),
    /// `column IS NULL`
    IsNull(&'static str),
    /// `column IN ids` for an id column.
    IdIn(&'static str, Vec<uuid::Uuid>),
    /// The child (the record's `id`) does not meet this guarantee on `today`.
    GuaranteeUnmet(crate::enums::Guarantee, crate::guarantee::Rules, NaiveDate),
}

/// A page request: keyset by id, which is time-ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Return records with ids after this one.
    pub after: Option<Uuid>,
    /// At most this many.
    pub limit: u64,
}

/// The default page size.
pub const DEFAULT_LIMIT: u64 = 50;

/// A list query as the store runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Conditions that all hold.
    pub conditions: Vec<Condition>,
    /// Keyset position and size; the store fetches one more to know if more follow.
    pub page: PageRequest,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The records, in id order.
    pub items: Vec<T>,
    /// The id to continue after, if more follow.
    pub next_after: Option<Uuid>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventAction {
    /// The record was registered.
    Created,
    /// Fields changed.
    Updated,
    /// The record was archived.
    Archived,
}

impl EventAction {
    /// The action's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Archived => "archived",
        }
    }
}

/// A write, recorded in the same transaction as the write itself: the audit
/// trail and, in order, the feed of changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's id.
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it (token subject).
    pub actor: String,
    /// In which role.
    pub actor_role: String,
    /// The request it came with: the server's id (the response's `X-Request-Id`).
    pub request_id: String,
    /// The client's own `X-Request-Id`, when it sent a sane one.
    pub client_request_id: Option<String>,
    /// The kind of record.
    pub resource_kind: ResourceKind,
    /// The record.
    pub resource_id: Uuid,
    /// The record's region, so that the trail can be read by jurisdiction.
    pub region_code: String,
    /// What happened.
    pub action: EventAction,
    /// The record's version after the write.
    pub version: i64,
    /// Changed fields: `{field: {"before": …, "after": …}}`.
    pub changes: serde_json::Value,
}
