//! Training sessions: guardian training, parent-school classes, volunteer
//! training, safety, legal and health education.

use crate::msg;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Deserialize};
use crate::ctx::Ctx;
use crate::enums::{RecordStatus, TrainingKind};
use crate::fields::{Fields, Input, Patch, Unknown};
use crate::resource::{FilterKind, FilterSpec, Meta, Resource, ResourceKind, enum_filter};

/// A training session (培训).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingSession {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// Title.
    pub title: String,
    /// Kind of session.
    pub kind: TrainingKind,
    /// The region that holds it.
    pub region_code: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End, after the start.
    pub ends_at: Option<DateTime<Utc>>,
    /// Places available.
    pub capacity: Option<i32>,
    /// Where it is held.
    pub venue: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl Resource for TrainingSession {
    type Input = TrainingSessionInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::TrainingSession;
    const NAME_COLUMN: &'static str = "title";
    const FILTERS: &'static [FilterSpec] = &[
        enum_filter::<TrainingKind>("kind"),
        enum_filter::<RecordStatus>("status"),
        FilterSpec {
            param: "starts_from",
            column: "starts_at",
            kind: FilterKind::From,
        },
        FilterSpec {
            param: "starts_before",
            column: "starts_at",
            kind: FilterKind::Before,
        },
    ];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        let starts_at = meta.created_at;
        Self {
            meta,
            title: String::new(),
            kind: TrainingKind::GuardianTraining,
            region_code: String::new(),
            starts_at,
            ends_at: None,
            capacity: None,
            venue: None,
            status: RecordStatus::Active,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, _today: NaiveDate) {
        if let Some(v) = f.text("title", input.title, 200) {
            self.title = v;
        }
        if let Some(v) = f.required("kind", input.kind) {
            self.kind = v;
        }
        if let Some(v) = f.text("region_code", input.region_code, 12) {
            self.region_code = v;
        }
        let starts = f
            .required("starts_at", input.starts_at)
            .map(|v| self.starts_at = v)
            .is_some();
        let ends = f.optional("ends_at", input.ends_at).map(|v| self.ends_at = v).is_some();
        if let Some(v) = f.opt_int("capacity", input.capacity, 1, 100_000) {
            self.capacity = v;
        }
        if let Some(v) = f.opt_text("venue", input.venue, 200) {
            self.venue = v;
        }
        if (starts || ends) && self.ends_at.is_some_and(|e| e <= self.starts_at) {
            f.reject("ends_at", "before_start", msg!("training_session.ends_before_start"));
        }
    }

    fn is_archived(&self) -> bool {
        self.status == RecordStatus::Archived
    }
    fn archive(&mut self) {
        self.status = RecordStatus::Archived;
    }

    fn mask(&mut self, _ctx: &Ctx) {}
}


// What a client sends to register or change a trainingsession: a create or a merge patch.

/// A create or a merge patch of a [`TrainingSession`]: each field as on the record,
/// left out, `null` or a value. The rules are in `TrainingSession::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingSessionInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub kind: Patch<TrainingKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub region_code: Patch<String>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub starts_at: Patch<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub ends_at: Patch<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub capacity: Patch<i64>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub venue: Patch<String>,
    /// Fields sent that a training session does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for TrainingSessionInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
