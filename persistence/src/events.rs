//! Reading the event log.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shouhu_domain::audit::{EventQuery, EventStore, RecordedEvent};
use shouhu_domain::resource::{Event, EventAction, ResourceKind};
use shouhu_domain::{Error, Result};

use crate::entities::event::{Column, Entity, Model};
use crate::error::db_error;
use crate::store::Db;

fn kind(s: &str) -> Result<ResourceKind> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| Error::Internal(format!("event kind {s:?}")))
}

fn action(s: &str) -> Result<EventAction> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| Error::Internal(format!("event action {s:?}")))
}

fn recorded(m: Model) -> Result<RecordedEvent> {
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
            .all(&self.conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(recorded).collect()
    }
}
