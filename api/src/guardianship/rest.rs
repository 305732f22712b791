//! The REST handlers of guardianships, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Guardianship, GuardianshipCreate, GuardianshipList, GuardianshipPatch};

crate::rest::nested::nested_rest!(
    kind = Guardianship, list_body = GuardianshipList,
    create_body = GuardianshipCreate, patch_body = GuardianshipPatch,
    collection = "/api/v1/children/{id}/guardianships", item = "/api/v1/guardianships/{id}",
    tag = "guardianships",
    parent = "The child's id",
    limit_409 = "The child already has an active primary caregiver, or this guardian is already linked to the child",
    end = "Ended today: `ended_on` is set and the link stays in the child's history",
    /// Lists a child's guardianships, active and ended, oldest first.
    list = list_guardianships,
    /// Links a guardian to a child (at most one active primary caregiver per child, one active link per guardian).
    create = create_guardianship,
    /// Reads one guardianship, through its child.
    get = get_guardianship,
    /// Changes a guardianship (JSON merge patch, If-Match required); the guardian cannot change.
    update = update_guardianship,
    /// Ends a guardianship today; it stays in the child's history.
    end = end_guardianship,
);
