//! A taken resident ID number is not an oracle. Registering (or changing) a
//! child with an ID number another child already holds is a 409, wherever that
//! child is; but when that child lies outside the caller's reach, the 409 told
//! the caller the child's number. So each such match is recorded in the read
//! log as an access to that child (auditors see the probing), and a caller
//! gets `Rules::id_number_matches_per_day` of them in 24 hours: after that any
//! ID number it sends is refused with 429 until the oldest match is a day old.

use crate::msg;
use chrono::Duration;

use crate::audit::{AccessLog, AccessReason, AccessRecord};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::fields::Fields;
use crate::policy;
use crate::ports::Repository;
use crate::resource::{Condition, ListQuery, PageRequest, Resource, now};

/// The window the matches are counted in.
const WINDOW_HOURS: i64 = 24;

/// Refuses, before the write, an ID number from a caller that used up its matches.
pub(crate) async fn check_allowance<S: AccessLog>(store: &S, ctx: &Ctx, id_number: Option<&str>) -> Result<()> {
    if id_number.is_none() {
        return Ok(());
    }
    let window = Duration::hours(WINDOW_HOURS);
    let at = now();
    let (matches, earliest) = store
        .count_accesses(&ctx.subject, AccessReason::IdNumberMatch, at - window)
        .await?;
    if matches < u64::from(ctx.rules.id_number_matches_per_day) {
        return Ok(());
    }
    let wait = earliest.map_or(window, |e| e + window - at).num_seconds().max(1);
    Err(Error::TooManyRequests {
        retry_after: u64::try_from(wait).unwrap_or(1),
        message: msg!(
            "id_number.too_many_matches",
            matches = matches,
            hours = WINDOW_HOURS,
            wait = wait
        ),
    })
}

/// Passes the write's outcome on; a conflict on the ID number it sent that
/// matched a child outside the caller's reach is first recorded as an access.
pub(crate) async fn noted<X, T, S>(store: &S, ctx: &Ctx, id_number: Option<String>, outcome: Result<X>) -> Result<X>
where
    T: Resource,
    S: AccessLog + Repository<T>,
{
    let (Err(Error::Conflict { field: Some(field), .. }), Some(id_number)) = (&outcome, id_number) else {
        return outcome;
    };
    if field != "id_number" {
        return outcome;
    }
    let query = ListQuery {
        conditions: vec![Condition::Eq("id_number", id_number)],
        page: PageRequest { after: None, limit: 1 },
    };
    let holder = Repository::<T>::list(store, &query).await?.into_iter().next();
    if let Some(holder) = holder {
        let id = holder.meta().id;
        let reachable = policy::can_read(ctx, T::KIND) && ctx.covers(holder.region_code()) && ctx.reaches(T::KIND, id);
        if !reachable {
            store
                .record_access(&AccessRecord::by(
                    ctx,
                    AccessReason::IdNumberMatch,
                    vec!["id_number".to_owned()],
                    vec![id],
                ))
                .await?;
        }
    }
    outcome
}

/// The resident ID number a write sends, if it sends one: checked against the
/// allowance before the write and handed to [`noted`] after it.
pub(crate) fn sent_id_number<T: Resource>(record: &T, f: &Fields) -> Option<String> {
    f.present()
        .contains(&"id_number")
        .then(|| record.registered_id_number().map(str::to_owned))
        .flatten()
}
