//! Shouhu's rules: the register's records, their validation, who may see and
//! change what, and the services both APIs call. No IO happens here; storage is
//! reached through the traits in [`ports`].

pub mod account;
pub mod audit;
pub mod ctx;
pub mod enums;
pub mod error;
pub mod fields;
pub mod guarantee;
pub mod id_number;
pub mod idempotency;
pub mod message;
pub mod nested;
pub mod policy;
pub mod ports;
pub mod region;
pub mod resource;
pub mod service;
pub mod uniqueness;

/// Declares the record kinds from one list: each kind's module (`<kind>.rs`: the
/// record, what a client sends for it, its rules), its [`ResourceKind`] variant,
/// its repository in [`Records`] and the exported [`record_kinds!`], through which `persistence` and `api`
/// declare their modules of the same names. The register's own kinds come
/// first, then those seen through a parent (`nested::Nested`).
macro_rules! declare_kinds {
    (
        $d:tt
        register: [$($(#[doc = $rdoc:literal])* $register:ident: $rvariant:ident),+ $(,)?],
        nested: [$($(#[doc = $ndoc:literal])* $nested:ident: $nvariant:ident),+ $(,)?] $(,)?
    ) => {
        $(pub mod $register;)+
        $(pub mod $nested;)+

        /// The kinds of register record.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ResourceKind {
            $($(#[doc = $rdoc])* $rvariant,)+
            $($(#[doc = $ndoc])* $nvariant,)+
        }

        impl ResourceKind {
            /// The kind's name in events and messages (its module's name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$rvariant => stringify!($register),)+
                    $(Self::$nvariant => stringify!($nested),)+
                }
            }
        }

        /// Storage of every record kind: a [`ports::Repository`] each (part of [`ports::Store`]).
        pub trait Records:
            $(ports::Repository<$register::$rvariant> +)+ $(ports::Repository<$nested::$nvariant> +)+ Send
        {
        }

        impl<S> Records for S where
            S: $(ports::Repository<$register::$rvariant> +)+ $(ports::Repository<$nested::$nvariant> +)+ Send
        {
        }

        /// Gives the record kinds' module names to a macro: `record_kinds!(declare)`
        /// expands to `declare! { child, guardian, …; guardianship, … }`, the
        /// register's own kinds, then those seen through a parent.
        #[macro_export]
        macro_rules! record_kinds {
            ($d then:ident) => {
                $d then! { $($register),+ ; $($nested),+ }
            };
        }
    };
}

// The record kinds: adding one is a line here (and its module).
declare_kinds! { $
    register: [
        /// A left-behind child.
        child: Child,
        /// A parent or caregiver.
        guardian: Guardian,
        /// A place of care.
        care_center: CareCenter,
        /// A volunteer.
        volunteer: Volunteer,
        /// A training session.
        training_session: TrainingSession,
    ],
    nested: [
        /// A child↔guardian link.
        guardianship: Guardianship,
        /// A child's enrolment in a place of care.
        enrollment: Enrollment,
        /// A volunteer↔child pairing.
        pairing: Pairing,
        /// A follow-up visit or a family contact.
        visit: Visit,
        /// A registration for a training session, and its check-in.
        attendance: Attendance,
    ],
}

pub use ctx::Ctx;
pub use error::{Error, FieldError, Result};
pub use message::Message;
