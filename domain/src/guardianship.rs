//! The link between a child and a guardian.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::enums::Relationship;
use crate::resource::Meta;

/// A child↔guardian link (监护关系).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guardianship {
    /// Identity, version and timestamps.
    #[serde(flatten)]
    pub meta: Meta,
    /// The child.
    pub child_id: Uuid,
    /// The guardian.
    pub guardian_id: Uuid,
    /// How the guardian is related to the child.
    pub relationship: Relationship,
    /// The one who actually raises the child day to day.
    pub is_primary_caregiver: bool,
    /// Lives in the same home as the child.
    pub lives_with_child: bool,
    /// When the management and education responsibility agreement was signed.
    pub agreement_signed_on: Option<NaiveDate>,
    /// When the link ended; `None` while it holds.
    pub ended_on: Option<NaiveDate>,
}
