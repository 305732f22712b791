//! What the guarantees and the lifecycle are decided on: the facts of a page of
//! children in a few queries, and the same rules as SQL conditions so that
//! `guarantee_unmet=` and `status=exited` filter in the database, through the
//! indexes on each relation's `child_id`, instead of scanning in the process.
//! Also the capacity-checked insert shared by every limited relation.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ColumnTrait, Condition as Where, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use shouhu_domain::enums::{Guarantee, PairingKind, Relationship, StrEnum, VettingStatus, VisitKind};
use shouhu_domain::guarantee::{self, Caregiver, Facts, Rules};
use shouhu_domain::ports::{CareFacts, LimitedInsert};
use shouhu_domain::resource::{Condition, Event};
use shouhu_domain::{Error, Result};
use uuid::Uuid;

use crate::entities::{pairing, volunteer};
use crate::error::db_error;
use crate::mapping::Mapped;
use crate::repository::{column, to_where};
use crate::store::Db;

/// Rows per `IN (…)` list.
const CHUNK: usize = 500;

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// `alias.column` of a subquery.
fn c(alias: &str, column: &str) -> Expr {
    Expr::col((a(alias), a(column)))
}

/// `SELECT 1 FROM table alias WHERE alias.child_id = children.id`
fn of_the_child(table: &str, alias: &str) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from_as(a(table), a(alias))
        .and_where(c(alias, "child_id").equals((a("children"), a("id"))))
        .to_owned()
}

/// The child's active links to its guardians, joined with the guardian (`p`).
fn active_links() -> SelectStatement {
    of_the_child("guardianships", "g")
        .join_as(
            JoinType::InnerJoin,
            a("guardians"),
            a("p"),
            c("p", "id").equals((a("g"), a("guardian_id"))),
        )
        .and_where(c("g", "ended_on").is_null())
        .to_owned()
}

/// The child's active links to its father or mother, joined with the parent.
fn parent_links() -> SelectStatement {
    active_links()
        .and_where(c("g", "relationship").is_in([Relationship::Father.as_str(), Relationship::Mother.as_str()]))
        .to_owned()
}

/// Every parent on record is home again (at least one is on record).
fn parents_all_home() -> Where {
    Where::all()
        .add(Expr::exists(parent_links()))
        .add(Expr::exists(parent_links().and_where(c("p", "is_working_away").eq(true)).to_owned()).not())
}

/// The derived `exited` status as a condition on `children`.
pub(crate) fn exited(yes: bool) -> Where {
    let active = || Expr::col((a("children"), a("status"))).eq("active");
    if yes {
        Where::any()
            .add(Expr::col((a("children"), a("status"))).eq("exited"))
            .add(Where::all().add(active()).add(parents_all_home()))
    } else {
        Where::all().add(active()).add(parents_all_home().not())
    }
}

/// The child's active primary caregiver link, joined with the guardian.
fn primary_link() -> SelectStatement {
    active_links()
        .and_where(c("g", "is_primary_caregiver").eq(true))
        .to_owned()
}

fn primary_able() -> SelectStatement {
    primary_link()
        .and_where(c("p", "guardianship_capable").eq(true))
        .and_where(c("p", "status").ne("archived"))
        .to_owned()
}

fn primary_signed() -> SelectStatement {
    primary_link()
        .and_where(c("g", "agreement_signed_on").is_not_null())
        .to_owned()
}

/// A visit of `kind` that counts (not withdrawn) on or after `since`.
fn visit_since(kind: VisitKind, since: NaiveDate) -> SelectStatement {
    of_the_child("visits", "v")
        .and_where(c("v", "kind").eq(kind.as_str()))
        .and_where(c("v", "withdrawn_on").is_null())
        .and_where(c("v", "occurred_on").gte(since))
        .to_owned()
}

fn recent_visit(rules: &Rules, today: NaiveDate) -> SelectStatement {
    visit_since(VisitKind::FollowUp, rules.visit_cutoff(today))
}

/// Written with literals, not bound values, so that both databases match it to
/// the partial index `ix_visits_open_safety` (which holds only open safety
/// concerns) instead of scanning every visit.
fn open_safety_concern() -> SelectStatement {
    of_the_child("visits", "v")
        .and_where(Expr::cust(OPEN_SAFETY_CONCERN))
        .to_owned()
}

/// The predicate of `ix_visits_open_safety`, as the migration writes it.
const OPEN_SAFETY_CONCERN: &str = "v.withdrawn_on IS NULL AND v.resolved_on IS NULL AND v.concerns LIKE '%safety%'";

fn recent_parent_contact(rules: &Rules, today: NaiveDate) -> SelectStatement {
    visit_since(VisitKind::FamilyContact, rules.contact_cutoff(today))
}

fn surrogate_parent() -> SelectStatement {
    of_the_child("pairings", "s")
        .join_as(
            JoinType::InnerJoin,
            a("volunteers"),
            a("w"),
            c("w", "id").equals((a("s"), a("volunteer_id"))),
        )
        .and_where(c("s", "kind").eq(PairingKind::SurrogateParent.as_str()))
        .and_where(c("s", "ended_on").is_null())
        .and_where(c("w", "vetting_status").eq(VettingStatus::Approved.as_str()))
        .and_where(c("w", "status").ne("archived"))
        .to_owned()
}

fn active_enrollment(today: NaiveDate) -> SelectStatement {
    of_the_child("enrollments", "e")
        .and_where(c("e", "since").lte(today))
        .and_where(Expr::col((a("e"), a("until"))).is_null().or(c("e", "until").gte(today)))
        .to_owned()
}

fn parents_away() -> SelectStatement {
    parent_links().and_where(c("p", "is_working_away").eq(true)).to_owned()
}

/// The children (rows of `children`) that do not meet `g` on `today`: the
/// negation of `shouhu_domain::guarantee::evaluate`, over the same subqueries
/// that [`CareFacts::facts`] reads.
pub(crate) fn guarantee_unmet(g: Guarantee, rules: &Rules, today: NaiveDate) -> Where {
    let child = |col: &str| Expr::col((a("children"), a(col)));
    match g {
        Guarantee::Education => Where::all()
            .add(child("birth_date").lte(guarantee::born_by(today, guarantee::SCHOOL_AGE_FROM)))
            .add(child("birth_date").gt(guarantee::born_by(today, guarantee::SCHOOL_AGE_TO + 1)))
            .add(
                Where::any()
                    .add(child("school_status").is_null())
                    .add(child("school_status").ne("enrolled")),
            ),
        Guarantee::Guardianship => {
            let able_and_signed = primary_able()
                .and_where(c("g", "agreement_signed_on").is_not_null())
                .to_owned();
            Where::all().add(Expr::exists(able_and_signed).not())
        }
        Guarantee::Safety => Where::any()
            .add(Expr::exists(recent_visit(rules, today)).not())
            .add(Expr::exists(open_safety_concern())),
        Guarantee::Affection => Where::all()
            .add(Expr::exists(recent_parent_contact(rules, today)).not())
            .add(Expr::exists(surrogate_parent()).not()),
        Guarantee::Activity => Where::all().add(Expr::exists(active_enrollment(today)).not()),
    }
}

fn count(mut select: SelectStatement) -> Expr {
    let counted = select.clear_selects().expr(Expr::cust("COUNT(*)")).to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(counted)))
}

impl CareFacts for Db {
    async fn facts(&self, child_ids: &[Uuid], today: NaiveDate, rules: &Rules) -> Result<HashMap<Uuid, Facts>> {
        let mut out: HashMap<Uuid, Facts> = HashMap::new();
        let backend = self.exec().get_database_backend();
        for chunk in child_ids.chunks(CHUNK) {
            // One row per child, every fact a subquery through an index on `child_id`.
            let select = Query::select()
                .expr_as(Expr::col((a("children"), a("id"))), a("id"))
                .expr_as(Expr::exists(primary_link()), a("has_primary"))
                .expr_as(Expr::exists(primary_able()), a("primary_able"))
                .expr_as(Expr::exists(primary_signed()), a("primary_signed"))
                .expr_as(Expr::exists(recent_visit(rules, today)), a("recent_visit"))
                .expr_as(Expr::exists(open_safety_concern()), a("open_safety_concern"))
                .expr_as(
                    Expr::exists(recent_parent_contact(rules, today)),
                    a("recent_parent_contact"),
                )
                .expr_as(Expr::exists(surrogate_parent()), a("surrogate_parent"))
                .expr_as(Expr::exists(active_enrollment(today)), a("active_enrollment"))
                .expr_as(count(parent_links()), a("parents"))
                .expr_as(count(parents_away()), a("parents_away"))
                .from(a("children"))
                .and_where(Expr::col((a("children"), a("id"))).is_in(chunk.to_vec()))
                .to_owned();
            let rows = self
                .exec()
                .query_all_raw(backend.build(&select))
                .await
                .map_err(db_error)?;
            for row in rows {
                let flag = |name: &str| row.try_get::<bool>("", name).map_err(db_error);
                let number = |name: &str| {
                    row.try_get::<i64>("", name)
                        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
                        .map_err(db_error)
                };
                let id: Uuid = row.try_get("", "id").map_err(db_error)?;
                let facts = Facts {
                    primary_caregiver: flag("has_primary")?.then_some(Caregiver {
                        able: flag("primary_able")?,
                        agreement_signed: flag("primary_signed")?,
                    }),
                    recent_visit: flag("recent_visit")?,
                    open_safety_concern: flag("open_safety_concern")?,
                    recent_parent_contact: flag("recent_parent_contact")?,
                    surrogate_parent: flag("surrogate_parent")?,
                    active_enrollment: flag("active_enrollment")?,
                    parents: number("parents")?,
                    parents_away: number("parents_away")?,
                };
                out.insert(id, facts);
            }
        }
        Ok(out)
    }

    async fn paired_children(&self, account_id: Uuid) -> Result<Vec<Uuid>> {
        let Some(me) = volunteer::Entity::find()
            .filter(volunteer::Column::AccountId.eq(account_id))
            .filter(volunteer::Column::VettingStatus.eq(VettingStatus::Approved.as_str()))
            .filter(volunteer::Column::Status.ne("archived"))
            .one(&self.exec())
            .await
            .map_err(db_error)?
        else {
            return Ok(Vec::new());
        };
        Ok(pairing::Entity::find()
            .filter(pairing::Column::VolunteerId.eq(me.id))
            .filter(pairing::Column::EndedOn.is_null())
            .all(&self.exec())
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|p| p.child_id)
            .collect())
    }
}

impl<T: Mapped, P: Mapped> LimitedInsert<T, P> for Db {
    async fn insert_limited(
        &self,
        record: &T,
        ev: &Event,
        parent: Uuid,
        counted: &[Condition],
        max: u64,
    ) -> Result<bool> {
        let txn = self.exec().begin().await.map_err(db_error)?;
        // A no-op write to the parent's row serialises inserts under it (a row
        // lock in PostgreSQL, the write lock in SQLite), so that two requests
        // cannot both take the last place.
        let version = column::<P>("version")?;
        let locked = P::Entity::update_many()
            .col_expr(version, Expr::col(version))
            .filter(column::<P>("id")?.eq(parent))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if locked.rows_affected != 1 {
            return Err(Error::NotFound);
        }
        let taken = T::Entity::find()
            .filter(to_where::<T>(counted)?)
            .count(&txn)
            .await
            .map_err(db_error)?;
        if taken >= max {
            return Ok(false);
        }
        T::Entity::insert(record.to_active())
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        self.write_event(&txn, ev).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }
}
