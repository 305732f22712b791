//! The REST handlers of visits and family contacts, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Visit, VisitCreate, VisitList, VisitPatch};

crate::rest::nested::nested_rest!(
    kind = Visit, list_body = VisitList,
    create_body = VisitCreate, patch_body = VisitPatch,
    collection = "/api/v1/children/{id}/visits", item = "/api/v1/visits/{id}", tag = "visits",
    parent = "The child's id",
    limit_409 = "A request with this Idempotency-Key is still in progress",
    end = "Withdrawn as a mistake: `withdrawn_on` is set, the record stays and counts for nothing",
    /// Lists a child's follow-up visits and family contacts, withdrawn ones included.
    list = list_visits,
    /// Records a follow-up visit or a family contact with a parent.
    create = create_visit,
    /// Reads one visit or contact.
    get = get_visit,
    /// Changes a visit (JSON merge patch, If-Match required); set `resolved_on` to close its concerns.
    update = update_visit,
    /// Withdraws a visit recorded by mistake; it stays in the history.
    end = withdraw_visit,
);
