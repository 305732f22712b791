//! The link between a child and a guardian. A link is seen and changed through
//! its child: whoever may see the child sees its links, whoever may change the
//! child's register record may link, change and end them. Ending keeps history.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::child::Child;
use crate::ctx::Ctx;
use crate::enums::Relationship;
use crate::error::{Error, Result};
use crate::fields::{Fields, Mode};
use crate::guardian::Guardian;
use crate::policy::{self, Action, Writable};
use crate::ports::{Repository, Store};
use crate::resource::{Condition, EventAction, FilterSpec, ListQuery, Meta, PageRequest, Resource, ResourceKind, now};
use crate::service::{archive_at, event, masked, save, visible};

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
    /// The child's region when the link was made (for the audit trail; visibility follows the child).
    pub region_code: String,
    /// How the guardian is related to the child.
    pub relationship: Relationship,
    /// The one who actually raises the child day to day (at most one active per child).
    pub is_primary_caregiver: bool,
    /// Lives in the same home as the child.
    pub lives_with_child: bool,
    /// When the management and education responsibility agreement was signed.
    pub agreement_signed_on: Option<NaiveDate>,
    /// When the link ended; `None` while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl Resource for Guardianship {
    const KIND: ResourceKind = ResourceKind::Guardianship;
    const FILTERS: &'static [FilterSpec] = &[];

    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn region_code(&self) -> &str {
        &self.region_code
    }

    fn blank(meta: Meta) -> Self {
        Self {
            meta,
            child_id: Uuid::nil(),
            guardian_id: Uuid::nil(),
            region_code: String::new(),
            relationship: Relationship::Other,
            is_primary_caregiver: false,
            lives_with_child: false,
            agreement_signed_on: None,
            ended_on: None,
        }
    }

    fn apply(&mut self, f: &mut Fields<'_>, today: NaiveDate) {
        if f.mode() == Mode::Create {
            if let Some(id) = f.id("guardian_id") {
                self.guardian_id = id;
            }
        } else {
            f.refuse_if_present(
                "guardian_id",
                "read_only",
                "end this guardianship and link the other guardian instead",
            );
        }
        if let Some(v) = f.enum_value("relationship") {
            self.relationship = v;
        }
        if let Some(v) = f.boolean("is_primary_caregiver") {
            self.is_primary_caregiver = v;
        }
        if let Some(v) = f.boolean("lives_with_child") {
            self.lives_with_child = v;
        }
        if let Some(v) = f.opt_date("agreement_signed_on") {
            if v.is_some_and(|d| d > today) {
                f.reject(
                    "agreement_signed_on",
                    "in_future",
                    "the agreement cannot be signed in the future",
                );
            } else {
                self.agreement_signed_on = v;
            }
        }
    }

    fn is_archived(&self) -> bool {
        self.ended_on.is_some()
    }
    fn archive(&mut self) {
        self.ended_on = Some(now().date_naive());
    }

    fn mask(&mut self, _ctx: &Ctx) {}
}

fn may_link(ctx: &Ctx) -> Result<()> {
    if policy::writable(ctx, ResourceKind::Child, Action::Update) == Writable::All {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "your role may not change a child's guardianships".into(),
        ))
    }
}

/// The child of a link, if the caller may see it; otherwise the link does not exist.
async fn link_visible<S: Store>(store: &S, ctx: &Ctx, id: Uuid) -> Result<(Guardianship, Child)> {
    let link: Guardianship = Repository::<Guardianship>::find(store, id)
        .await?
        .ok_or(Error::NotFound)?;
    let child = visible::<Child, S>(store, ctx, link.child_id).await?;
    Ok((link, child))
}

/// Every guardianship of a child the caller may see, active and ended, oldest first.
pub async fn guardianships_of<S: Store>(store: &S, ctx: &Ctx, child_id: Uuid) -> Result<Vec<Guardianship>> {
    visible::<Child, S>(store, ctx, child_id).await?;
    let query = ListQuery {
        conditions: vec![Condition::EqId("child_id", child_id)],
        page: PageRequest {
            after: None,
            limit: 1000,
        },
    };
    Repository::<Guardianship>::list(store, &query).await
}

/// One guardianship, through its child.
pub async fn get_guardianship<S: Store>(store: &S, ctx: &Ctx, id: Uuid) -> Result<Guardianship> {
    Ok(link_visible(store, ctx, id).await?.0)
}

/// Links a guardian to a child. The guardian must be one the caller may see;
/// a second active primary caregiver or a second active link to the same
/// guardian is a conflict.
pub async fn create_guardianship<S: Store>(
    store: &S,
    ctx: &Ctx,
    child_id: Uuid,
    input: &Map<String, Value>,
    id: Uuid,
) -> Result<Guardianship> {
    let child = visible::<Child, S>(store, ctx, child_id).await?;
    may_link(ctx)?;
    let at = now();
    let mut link = Guardianship::blank(Meta { id, ..Meta::new(at) });
    link.child_id = child.meta.id;
    link.region_code = child.region_code.clone();
    let mut f = Fields::new(input, Mode::Create);
    link.apply(&mut f, at.date_naive());
    if !f.has_error("guardian_id") {
        let guardian = visible::<Guardian, S>(store, ctx, link.guardian_id).await;
        match guardian {
            Ok(g) if !g.is_archived() => {}
            Ok(_) => f.reject("guardian_id", "archived", "this guardian is archived"),
            Err(Error::NotFound) => f.reject(
                "guardian_id",
                "unknown_guardian",
                "no such guardian in your jurisdiction",
            ),
            Err(e) => return Err(e),
        }
    }
    f.finish()?;
    store
        .insert(&link, &event(ctx, EventAction::Created, None, &link))
        .await?;
    Ok(masked(link, ctx))
}

/// Changes a guardianship (JSON merge patch) at `expected_version`.
pub async fn update_guardianship<S: Store>(
    store: &S,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: &Map<String, Value>,
) -> Result<Guardianship> {
    let (current, _) = link_visible(store, ctx, id).await?;
    may_link(ctx)?;
    let mut link = current.clone();
    let mut f = Fields::new(patch, Mode::Patch);
    link.apply(&mut f, now().date_naive());
    if current.is_archived() && link != current {
        f.reject(
            "ended_on",
            "ended",
            "an ended guardianship is history and cannot change",
        );
    }
    f.finish()?;
    if current.meta.version != expected_version {
        return Err(Error::VersionMismatch {
            current: current.meta.version,
        });
    }
    if link == current {
        return Ok(link);
    }
    save(store, ctx, EventAction::Updated, &current, link).await
}

/// Ends a guardianship today; it stays in the child's history.
pub async fn end_guardianship<S: Store>(store: &S, ctx: &Ctx, id: Uuid, expected_version: i64) -> Result<Guardianship> {
    let (current, _) = link_visible(store, ctx, id).await?;
    may_link(ctx)?;
    archive_at(store, ctx, current, expected_version).await
}
