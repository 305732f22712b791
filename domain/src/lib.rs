//! Shouhu's rules: the register's records, their validation, who may see and
//! change what, and the services both APIs call. No IO happens here; storage is
//! reached through the traits in [`ports`].

pub mod account;
pub mod audit;
pub mod census;
pub mod changes;
pub mod ctx;
pub mod enums;
pub mod error;
pub mod export;
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
pub mod webhooks;

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

            /// Whether records of this kind are seen through a parent.
            pub fn is_nested(self) -> bool {
                matches!(self, $(Self::$nvariant)|+)
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

        /// A record of any kind, as a change of the feed carries it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyRecord {
            $($(#[doc = $rdoc])* $rvariant(Box<$register::$rvariant>),)+
            $($(#[doc = $ndoc])* $nvariant(Box<$nested::$nvariant>),)+
        }

        /// Every kind (the register's own first), read and named as every enumeration.
        impl enums::StrEnum for ResourceKind {
            const ALL: &'static [Self] = &[$(Self::$rvariant,)+ $(Self::$nvariant,)+];
            fn as_str(self) -> &'static str {
                ResourceKind::as_str(self)
            }
        }

        impl AnyRecord {
            /// The records of `kind` among `ids` that the caller may read now,
            /// as it reads them (derived, masked), keyed by id; the read is not
            /// logged here.
            pub(crate) async fn readable<S: ports::Store>(
                store: &S,
                ctx: &Ctx,
                kind: ResourceKind,
                ids: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, AnyRecord>> {
                use resource::Resource;
                Ok(match kind {
                    $(ResourceKind::$rvariant => service::readable_many::<$register::$rvariant, S>(store, ctx, ids)
                        .await?
                        .into_iter()
                        .map(|r| (r.meta().id, AnyRecord::$rvariant(Box::new(r))))
                        .collect(),)+
                    $(ResourceKind::$nvariant => nested::readable_many::<$nested::$nvariant, S>(store, ctx, ids)
                        .await?
                        .into_iter()
                        .map(|r| (r.meta().id, AnyRecord::$nvariant(Box::new(r))))
                        .collect(),)+
                })
            }

            /// The record's version.
            pub fn version(&self) -> i64 {
                use resource::Resource;
                match self {
                    $(Self::$rvariant(r) => r.meta().version,)+
                    $(Self::$nvariant(r) => r.meta().version,)+
                }
            }

            /// The record's fields (not its identity, version and timestamps).
            pub fn fields(&self) -> Vec<String> {
                let json = match self {
                    $(Self::$rvariant(r) => serde_json::to_value(r),)+
                    $(Self::$nvariant(r) => serde_json::to_value(r),)+
                };
                match json {
                    Ok(serde_json::Value::Object(map)) => map
                        .into_iter()
                        .map(|(k, _)| k)
                        .filter(|k| !matches!(k.as_str(), "id" | "version" | "created_at" | "updated_at"))
                        .collect(),
                    _ => Vec::new(),
                }
            }

            /// Notes the record's unmasked personal fields, as `ctx` reads them.
            pub fn disclose(&self, ctx: &Ctx, disclosed: &mut audit::Disclosed) {
                match self {
                    $(Self::$rvariant(r) => disclosed.add_records(ctx, [r.as_ref()]),)+
                    $(Self::$nvariant(r) => disclosed.add_records(ctx, [r.as_ref()]),)+
                }
            }
        }

        /// Gives the record kinds to a macro: `record_kinds!(declare)` expands to
        /// `declare! { child: Child, guardian: Guardian, …; guardianship: Guardianship, … }`
        /// (module and type), the register's own kinds, then those seen through a parent.
        #[macro_export]
        macro_rules! record_kinds {
            ($d then:ident) => {
                $d then! { $($register: $rvariant),+ ; $($nested: $nvariant),+ }
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
