//! The REST handlers of enrolments, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Enrollment, EnrollmentCreate, EnrollmentList, EnrollmentPatch};

crate::rest::nested::nested_rest!(
    kind = Enrollment, list_body = EnrollmentList,
    create_body = EnrollmentCreate, patch_body = EnrollmentPatch,
    collection = "/api/v1/care-centers/{id}/enrollments", item = "/api/v1/enrollments/{id}",
    tag = "enrollments",
    parent = "The place's id",
    limit_409 = "The place is full: its capacity is taken on some day of the new enrolment's span",
    end = "Ended: its last day becomes yesterday (or its first day); it stays in the history",
    /// Lists a place's enrolments, current and past, of the children you may see.
    list = list_enrollments,
    /// Enrols a child in a place; a child may be in several places at once.
    create = create_enrollment,
    /// Reads one enrolment, if you may see its place and its child.
    get = get_enrollment,
    /// Changes an enrolment's kind or shortens it (JSON merge patch, If-Match required); a longer stay is a new enrolment.
    update = update_enrollment,
    /// Ends an enrolment; it stays in the history.
    end = end_enrollment,
);
