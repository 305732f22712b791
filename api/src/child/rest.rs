//! The REST handlers of children, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{Child, ChildCreate, ChildList, ChildParams, ChildPatch};

crate::rest::record::register_rest!(
    kind = Child, list_body = ChildList,
    create_body = ChildCreate, patch_body = ChildPatch, params = ChildParams,
    collection = "/api/v1/children", item = "/api/v1/children/{id}", tag = "children",
    /// Lists children in your jurisdiction, oldest first, filtered.
    list = list_children,
    /// Registers a child.
    create = create_child,
    /// Reads one child.
    get = get_child,
    /// Changes a child (JSON merge patch, If-Match required).
    update = update_child,
    /// Archives a child (kept for the record, hidden from default lists).
    archive = archive_child,
);
