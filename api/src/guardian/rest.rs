//! The REST handlers of guardians, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Guardian, GuardianCreate, GuardianList, GuardianParams, GuardianPatch};

crate::rest::record::register_rest!(
    kind = Guardian, list_body = GuardianList,
    create_body = GuardianCreate, patch_body = GuardianPatch, params = GuardianParams,
    collection = "/api/v1/guardians", item = "/api/v1/guardians/{id}", tag = "guardians",
    /// Lists guardians in your jurisdiction.
    list = list_guardians,
    /// Registers a guardian.
    create = create_guardian,
    /// Reads one guardian.
    get = get_guardian,
    /// Changes a guardian (JSON merge patch, If-Match required).
    update = update_guardian,
    /// Archives a guardian.
    archive = archive_guardian,
);
