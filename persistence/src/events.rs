//! Reading the event log.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, TransactionTrait};
use shouhu_domain::audit::{
    AccessLog, AccessReason, AccessRecord, EventQuery, EventStore, ExportTotal, RecordedAccess, RecordedEvent,
};
use shouhu_domain::resource::{Event, EventAction, ResourceKind};
use shouhu_domain::{Error, Result};

use crate::entities::event::{Column, Entity, Model};
use crate::entities::{access_event, access_event_child, access_event_total, child};
use crate::error::db_error;
use crate::store::Db;

fn kind(s: &str) -> Result<ResourceKind> {
    <ResourceKind as shouhu_domain::enums::StrEnum>::parse(s)
        .ok_or_else(|| Error::Internal(format!("event kind {s:?}")))
}

fn action(s: &str) -> Result<EventAction> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| Error::Internal(format!("event action {s:?}")))
}

pub(crate) fn recorded(m: Model) -> Result<RecordedEvent> {
    Ok(RecordedEvent {
        seq: m.seq,
        event: Event {
            id: m.id,
            occurred_at: m.occurred_at,
            resource_kind: kind(&m.resource_kind)?,
            action: action(&m.action)?,
            actor: m.actor,
            actor_role: m.actor_role,
            request_id: m.request_id,
            client_request_id: m.client_request_id,
            resource_id: m.resource_id,
            region_code: m.region_code,
            version: m.version,
            changes: m.changes,
        },
    })
}

impl EventStore for Db {
    async fn events(&self, q: &EventQuery) -> Result<Vec<RecordedEvent>> {
        let mut select = Entity::find();
        if let Some(actor) = &q.actor {
            select = select.filter(Column::Actor.eq(actor.as_str()));
        }
        if let Some(id) = q.resource_id {
            select = select.filter(Column::ResourceId.eq(id));
        }
        if let Some(since) = q.since {
            select = select.filter(Column::OccurredAt.gte(since));
        }
        if let Some(prefix) = &q.region_prefix {
            select = select.filter(Column::RegionCode.starts_with(prefix.as_str()));
        }
        if let Some(after) = q.after_seq {
            select = select.filter(Column::Seq.gt(after));
        }
        let rows = select
            .order_by_asc(Column::Seq)
            .limit(q.limit)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        rows.into_iter().map(recorded).collect()
    }
}

/// Links an entry of the read log to the children it names, 500 rows a statement.
async fn insert_children(txn: &impl sea_orm::ConnectionTrait, id: uuid::Uuid, child_ids: &[uuid::Uuid]) -> Result<()> {
    for chunk in child_ids.chunks(500) {
        access_event_child::Entity::insert_many(chunk.iter().map(|c| access_event_child::ActiveModel {
            event_id: Set(id),
            child_id: Set(*c),
        }))
        .exec_without_returning(txn)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

impl AccessLog for Db {
    async fn record_access(&self, r: &AccessRecord) -> Result<()> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        access_event::Entity::insert(access_event::ActiveModel {
            seq: NotSet,
            id: Set(r.id),
            occurred_at: Set(r.occurred_at),
            actor: Set(r.actor.clone()),
            actor_role: Set(r.actor_role.clone()),
            request_id: Set(r.request_id.clone()),
            client_request_id: Set(r.client_request_id.clone()),
            channel: Set(r.channel.clone()),
            fields: Set(serde_json::json!(r.fields)),
            reason: Set(r.reason.as_str().to_owned()),
            scope: Set(r.scope.clone()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        insert_children(&txn, r.id, &r.child_ids).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn add_accessed_children(&self, id: uuid::Uuid, child_ids: &[uuid::Uuid]) -> Result<()> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        insert_children(&txn, id, child_ids).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn record_export_total(&self, id: uuid::Uuid, total: ExportTotal) -> Result<()> {
        access_event_total::Entity::insert(access_event_total::ActiveModel {
            event_id: Set(id),
            rows: Set(i64::try_from(total.rows).unwrap_or(i64::MAX)),
            complete: Set(total.complete),
        })
        .exec_without_returning(&self.exec())
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn count_accesses(
        &self,
        actor: &str,
        reason: AccessReason,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<(u64, Option<chrono::DateTime<chrono::Utc>>)> {
        let found: Option<(i64, Option<chrono::DateTime<chrono::Utc>>)> = access_event::Entity::find()
            .select_only()
            .column_as(access_event::Column::Seq.count(), "n")
            .column_as(access_event::Column::OccurredAt.min(), "earliest")
            .filter(access_event::Column::Actor.eq(actor))
            .filter(access_event::Column::Reason.eq(reason.as_str()))
            .filter(access_event::Column::OccurredAt.gte(since))
            .into_tuple()
            .one(&self.exec())
            .await
            .map_err(db_error)?;
        let (n, earliest) = found.unwrap_or((0, None));
        Ok((u64::try_from(n).unwrap_or(0), earliest))
    }

    async fn accesses(&self, q: &EventQuery) -> Result<Vec<RecordedAccess>> {
        // The children now in the caller's subtree: an entry shows when it names
        // one of them, and names only them.
        let in_scope = |prefix: &str| {
            child::Entity::find()
                .select_only()
                .column(child::Column::Id)
                .filter(child::Column::RegionCode.starts_with(prefix))
                .into_query()
        };
        let mut select = access_event::Entity::find();
        if let Some(prefix) = &q.region_prefix {
            let events = access_event_child::Entity::find()
                .select_only()
                .column(access_event_child::Column::EventId)
                .filter(access_event_child::Column::ChildId.in_subquery(in_scope(prefix)))
                .into_query();
            // An export shows to the auditors of the region it covered, whether
            // or not a child's data went out unmasked.
            select = select.filter(
                sea_orm::Condition::any()
                    .add(access_event::Column::Id.in_subquery(events))
                    .add(access_event::Column::Scope.starts_with(prefix.as_str())),
            );
        }
        if let Some(actor) = &q.actor {
            select = select.filter(access_event::Column::Actor.eq(actor.as_str()));
        }
        if let Some(since) = q.since {
            select = select.filter(access_event::Column::OccurredAt.gte(since));
        }
        if let Some(child) = q.resource_id {
            let mut events = access_event_child::Entity::find()
                .select_only()
                .column(access_event_child::Column::EventId)
                .filter(access_event_child::Column::ChildId.eq(child));
            if let Some(prefix) = &q.region_prefix {
                // A child outside the subtree matches nothing, like an unknown one.
                events = events.filter(access_event_child::Column::ChildId.in_subquery(in_scope(prefix)));
            }
            let events = events.into_query();
            select = select.filter(access_event::Column::Id.in_subquery(events));
        }
        if let Some(after) = q.after_seq {
            select = select.filter(access_event::Column::Seq.gt(after));
        }
        let rows = select
            .order_by_asc(access_event::Column::Seq)
            .limit(q.limit)
            .all(&self.exec())
            .await
            .map_err(db_error)?;
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let mut children: std::collections::HashMap<uuid::Uuid, Vec<uuid::Uuid>> = std::collections::HashMap::new();
        if !ids.is_empty() {
            let mut links = access_event_child::Entity::find().filter(access_event_child::Column::EventId.is_in(ids));
            if let Some(prefix) = &q.region_prefix {
                links = links.filter(access_event_child::Column::ChildId.in_subquery(in_scope(prefix)));
            }
            for link in links.all(&self.exec()).await.map_err(db_error)? {
                children.entry(link.event_id).or_default().push(link.child_id);
            }
        }
        let mut totals: std::collections::HashMap<uuid::Uuid, ExportTotal> = std::collections::HashMap::new();
        let exports: Vec<uuid::Uuid> = rows.iter().filter(|r| r.scope.is_some()).map(|r| r.id).collect();
        if !exports.is_empty() {
            let found = access_event_total::Entity::find()
                .filter(access_event_total::Column::EventId.is_in(exports))
                .all(&self.exec())
                .await
                .map_err(db_error)?;
            for t in found {
                let total = ExportTotal {
                    rows: u64::try_from(t.rows).unwrap_or(0),
                    complete: t.complete,
                };
                totals.insert(t.event_id, total);
            }
        }
        Ok(rows
            .into_iter()
            .map(|m| {
                let mut child_ids = children.remove(&m.id).unwrap_or_default();
                child_ids.sort();
                RecordedAccess {
                    seq: m.seq,
                    access: AccessRecord {
                        id: m.id,
                        occurred_at: m.occurred_at,
                        actor: m.actor,
                        actor_role: m.actor_role,
                        request_id: m.request_id,
                        client_request_id: m.client_request_id,
                        channel: m.channel,
                        fields: serde_json::from_value(m.fields).unwrap_or_default(),
                        child_ids,
                        reason: AccessReason::parse(&m.reason),
                        rows: totals.remove(&m.id),
                        scope: m.scope,
                    },
                }
            })
            .collect())
    }
}
