//! Exports (contract §11): a collection read whole, a batch at a time, as the
//! caller reads it (jurisdiction, masking, derived fields), recorded as one
//! entry of the read log: written before the first record goes out, each
//! batch's children added to it before the batch is handed on, and its total
//! once the export ends.

use std::marker::PhantomData;

use uuid::Uuid;

use crate::audit::{AccessLog, AccessReason, AccessRecord, Disclosed, ExportTotal};
use crate::ctx::Ctx;
use crate::error::Result;
use crate::policy;
use crate::ports::{Repository, Store};
use crate::resource::{Condition, PageRequest, Resource};
use crate::service::{finished, keyset_page, list_conditions};

/// Records read per batch: a bounded amount of memory whatever the export's size.
pub const BATCH: u64 = 1000;

/// An export under way (see [`Export::start`]).
pub struct Export<T> {
    /// What the list's filters and the jurisdiction leave; `None` when nothing can match.
    conditions: Option<Vec<Condition>>,
    after: Option<Uuid>,
    done: bool,
    entry: Uuid,
    rows: u64,
    kind: PhantomData<T>,
}

/// The personal fields of a kind the caller reads unmasked.
fn unmasked_fields<T: Resource>(ctx: &Ctx) -> Vec<String> {
    const PROBE: &str = "probe-value";
    if ctx.role == crate::enums::Role::Volunteer {
        return Vec::new();
    }
    policy::personal_fields(T::KIND)
        .iter()
        .filter(|(_, personal)| policy::shown(ctx, *personal, PROBE).as_deref() == Some(PROBE))
        .map(|(field, _)| (*field).to_owned())
        .collect()
}

impl<T: Resource> Export<T> {
    /// Checks the list filters (`params`, as a list takes them, without
    /// `limit` and `cursor`) and opens the export's entry in the read log.
    pub async fn start<S: Store + Repository<T>>(store: &S, ctx: &Ctx, params: &[(String, String)]) -> Result<Self> {
        let conditions = list_conditions::<T>(ctx, params)?.filter(|_| policy::can_read(ctx, T::KIND));
        let mut entry = AccessRecord::by(ctx, AccessReason::Export, unmasked_fields::<T>(ctx), Vec::new());
        entry.scope = Some(ctx.jurisdiction_prefix().unwrap_or_default().to_owned());
        store.record_access(&entry).await?;
        Ok(Self {
            conditions,
            after: None,
            done: false,
            entry: entry.id,
            rows: 0,
            kind: PhantomData,
        })
    }

    /// The next batch of records, in id order, as the caller reads them, its
    /// children's unmasked reads already in the read log; `None` once all
    /// went out (and the entry's total is then recorded).
    pub async fn next<S: Store + Repository<T>>(&mut self, store: &S, ctx: &Ctx) -> Result<Option<Vec<T>>> {
        if self.done {
            return Ok(None);
        }
        let Some(conditions) = &self.conditions else {
            return self.finish(store).await;
        };
        let page = PageRequest {
            after: self.after,
            limit: BATCH,
        };
        let (items, next) = keyset_page::<T, S>(store, conditions.clone(), page).await?;
        if items.is_empty() {
            return self.finish(store).await;
        }
        let items = finished(store, ctx, items).await?;
        let mut disclosed = Disclosed::default();
        disclosed.add_records(ctx, &items);
        if !disclosed.is_empty() {
            store.add_accessed_children(self.entry, &disclosed.children()).await?;
        }
        self.rows += items.len() as u64;
        match next {
            Some(after) => self.after = Some(after),
            None => self.conditions = None,
        }
        Ok(Some(items))
    }

    /// How many records went out so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Records that the export stopped part way (the client went away, or
    /// writing the file failed) after `rows` records.
    pub async fn abandon<S: AccessLog>(self, store: &S) -> Result<()> {
        if self.done {
            return Ok(());
        }
        let total = ExportTotal {
            rows: self.rows,
            complete: false,
        };
        store.record_export_total(self.entry, total).await
    }

    async fn finish<S: AccessLog>(&mut self, store: &S) -> Result<Option<Vec<T>>> {
        self.done = true;
        let total = ExportTotal {
            rows: self.rows,
            complete: true,
        };
        store.record_export_total(self.entry, total).await?;
        Ok(None)
    }
}
