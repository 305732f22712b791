//! The REST handlers of training sessions, each a documented one-line call of a
//! generic handler, and their routes.

use super::dto::{
    TrainingSession, TrainingSessionCreate, TrainingSessionList, TrainingSessionParams, TrainingSessionPatch,
};

crate::rest::record::register_rest!(
    kind = TrainingSession, list_body = TrainingSessionList,
    create_body = TrainingSessionCreate, patch_body = TrainingSessionPatch, params = TrainingSessionParams,
    collection = "/api/v1/training-sessions", item = "/api/v1/training-sessions/{id}", tag = "training-sessions",
    /// Lists training sessions in your jurisdiction.
    list = list_training_sessions,
    /// Registers a training session.
    create = create_training_session,
    /// Reads one training session.
    get = get_training_session,
    /// Changes a training session (JSON merge patch, If-Match required).
    update = update_training_session,
    /// Archives a training session.
    archive = archive_training_session,
);
