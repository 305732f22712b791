//! The REST handlers of volunteers, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Volunteer, VolunteerCreate, VolunteerList, VolunteerParams, VolunteerPatch};

crate::rest::record::register_rest!(
    kind = Volunteer, list_body = VolunteerList,
    create_body = VolunteerCreate, patch_body = VolunteerPatch, params = VolunteerParams,
    collection = "/api/v1/volunteers", item = "/api/v1/volunteers/{id}", tag = "volunteers",
    /// Lists volunteers in your jurisdiction.
    list = list_volunteers,
    /// Registers a volunteer (vetting starts pending).
    create = create_volunteer,
    /// Reads one volunteer.
    get = get_volunteer,
    /// Changes a volunteer, vetting included (JSON merge patch, If-Match required).
    update = update_volunteer,
    /// Archives a volunteer.
    archive = archive_volunteer,
);
