//! Registrations for training sessions and their check-ins. Guardians and
//! volunteers register; a session with a capacity takes no more active
//! registrations than it has places (409 when full); a check-in time is set
//! when they arrive; a cancelled registration (DELETE) stays in the history
//! and frees its place. A guardian's training history is their attendance.

use crate::msg;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Serialize, Deserialize};
use uuid::Uuid;
use crate::ctx::Ctx;
use crate::enums::AttendeeKind;
use crate::error::{Error, Result};
use crate::fields::{Fields, Mode, Input, Patch, Unknown};
use crate::guardian::Guardian;
use crate::nested::{Limit, Nested};
use crate::ports::Store;
use crate::resource::{Condition, FilterSpec, Meta, Resource, ResourceKind, now};
use crate::service::visible;
use crate::training_session::TrainingSession;
use crate::volunteer::Volunteer;

/// A check-in is accepted from this long before the session starts.
pub const EARLY_CHECK_IN: Duration = Duration::hours(2);

/// A registration for a training session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attendance {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The session.
    pub training_session_id: Uuid,
    /// The session's region (for the audit trail; visibility follows the session).
    pub region_code: String,
    /// A guardian or a volunteer.
    pub attendee_kind: AttendeeKind,
    /// The guardian's or the volunteer's id.
    pub attendee_id: Uuid,
    /// When they arrived; `None` until they do.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When the registration was cancelled; `None` while it holds.
    pub cancelled_on: Option<NaiveDate>,
}

impl Resource for Attendance {
    type Input = AttendanceInput;
    type Facts = ();
    const KIND: ResourceKind = ResourceKind::Attendance;
    const FILTERS: &'static [FilterSpec] = &[];

    crate::resource::meta_and_region!();

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            training_session_id: Uuid::nil(),
            region_code: String::new(),
            attendee_kind: AttendeeKind::Guardian,
            attendee_id: Uuid::nil(),
            checked_in_at: None,
            cancelled_on: None,
        }
    }

    fn apply(&mut self, input: Self::Input, f: &mut Fields, _today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(v) = f.required("attendee_kind", input.attendee_kind) {
                self.attendee_kind = v;
            }
            if let Some(id) = f.required("attendee_id", input.attendee_id) {
                self.attendee_id = id;
            }
        } else {
            let message = msg!("attendance.attendee_fixed");
            f.refuse_if_present("attendee_kind", &input.attendee_kind, "read_only", message.clone());
            f.refuse_if_present("attendee_id", &input.attendee_id, "read_only", message);
        }
        if let Some(v) = f.optional("checked_in_at", input.checked_in_at) {
            if v.is_some_and(|t| t > now() + Duration::minutes(5)) {
                f.reject("checked_in_at", "in_future", msg!("attendance.check_in_in_future"));
            } else {
                self.checked_in_at = v;
            }
        }
    }

    fn is_archived(&self) -> bool {
        self.cancelled_on.is_some()
    }
    fn archive(&mut self) {
        self.cancelled_on = Some(now().date_naive());
    }

    fn mask(&mut self, _ctx: &Ctx) {}

    async fn check_with<S: Store>(&self, store: &S, ctx: &Ctx, f: &mut Fields) -> Result<()> {
        if f.mode() != Mode::Create || f.has_error("attendee_id") || f.has_error("attendee_kind") {
            return Ok(());
        }
        let found = match self.attendee_kind {
            AttendeeKind::Guardian => visible::<Guardian, S>(store, ctx, self.attendee_id)
                .await
                .map(|g| g.is_archived()),
            AttendeeKind::Volunteer => visible::<Volunteer, S>(store, ctx, self.attendee_id)
                .await
                .map(|v| v.is_archived()),
        };
        match found {
            Ok(false) => {}
            Ok(true) => f.reject("attendee_id", "archived", msg!("attendance.attendee_archived")),
            Err(Error::NotFound) => f.reject(
                "attendee_id",
                "unknown_attendee",
                match self.attendee_kind {
                    AttendeeKind::Guardian => msg!("guardian.unknown"),
                    AttendeeKind::Volunteer => msg!("volunteer.unknown"),
                },
            ),
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

impl Nested for Attendance {
    type Parent = TrainingSession;
    const PARENT_COLUMN: &'static str = "training_session_id";
    const END_FIELD: &'static str = "cancelled_on";

    fn parent_id(&self) -> Uuid {
        self.training_session_id
    }
    fn attach(&mut self, parent: &TrainingSession, _ctx: &Ctx) {
        self.training_session_id = parent.meta.id;
        self.region_code = parent.region_code.clone();
    }
    fn check_parent(&self, parent: &TrainingSession, f: &mut Fields) {
        if let Some(t) = self.checked_in_at {
            let closes = parent.ends_at.unwrap_or(parent.starts_at + Duration::days(1));
            if t < parent.starts_at - EARLY_CHECK_IN || t > closes {
                f.reject("checked_in_at", "outside_session", msg!("attendance.outside_session"));
            }
        }
    }
    fn limit(&self, parent: &TrainingSession, _ctx: &Ctx) -> Option<Limit> {
        let capacity = parent.capacity?;
        Some(Limit {
            counted: vec![
                Condition::EqId("training_session_id", parent.meta.id),
                Condition::IsNull("cancelled_on"),
            ],
            max: u64::try_from(capacity.max(0)).unwrap_or(0),
            field: "training_session_id",
            message: msg!("attendance.session_full", capacity = capacity),
        })
    }
}

/// A guardian's training history: every registration, cancelled ones
/// included, in sessions the caller may see, oldest first.
pub async fn training_history<S: Store>(
    store: &S,
    ctx: &Ctx,
    guardian_id: Uuid,
    page: crate::resource::PageRequest,
) -> Result<crate::resource::Page<Attendance>> {
    visible::<Guardian, S>(store, ctx, guardian_id).await?;
    crate::nested::page_of::<Attendance, S>(store, ctx, "attendee_id", guardian_id, page).await
}

/// The registrations of these guardians or volunteers, keyed by attendee (for batched nested loads).
pub async fn history_of<S: Store>(
    store: &S,
    ctx: &Ctx,
    attendee_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Attendance>>> {
    crate::nested::of_many::<Attendance, S>(store, ctx, "attendee_id", attendee_ids, true, |a| a.attendee_id).await
}

/// The registrations of these sessions, cancelled ones included, keyed by session.
pub async fn of_sessions<S: Store>(
    store: &S,
    ctx: &Ctx,
    session_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Attendance>>> {
    crate::nested::of_many::<Attendance, S>(store, ctx, "training_session_id", session_ids, true, |a| {
        a.training_session_id
    })
    .await
}


// What a client sends to register or change a attendance: a create or a merge patch.

/// A create or a merge patch of a [`Attendance`]: each field as on the record,
/// left out, `null` or a value. The rules are in `Attendance::apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceInput {
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub attendee_kind: Patch<AttendeeKind>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub attendee_id: Patch<Uuid>,
    #[serde(skip_serializing_if = "Patch::is_absent")]
    pub checked_in_at: Patch<DateTime<Utc>>,
    /// Fields sent that a attendance does not have.
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl Input for AttendanceInput {
    fn take_unknown(&mut self) -> Unknown {
        std::mem::take(&mut self.unknown)
    }
}
