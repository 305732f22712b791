//! The REST handlers of care places, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{CareCenter, CareCenterCreate, CareCenterList, CareCenterParams, CareCenterPatch};

crate::rest::record::register_rest!(
    kind = CareCenter, list_body = CareCenterList,
    create_body = CareCenterCreate, patch_body = CareCenterPatch, params = CareCenterParams,
    collection = "/api/v1/care-centers", item = "/api/v1/care-centers/{id}", tag = "care-centers",
    /// Lists care places in your jurisdiction.
    list = list_care_centers,
    /// Registers a care place.
    create = create_care_center,
    /// Reads one care place.
    get = get_care_center,
    /// Changes a care place (JSON merge patch, If-Match required).
    update = update_care_center,
    /// Archives a care place.
    archive = archive_care_center,
);
