//! The enumerations both APIs send and receive, each mirroring a domain enum
//! (REST and GraphQL spell their values in `snake_case` and `SCREAMING_CASE`).

use serde::{Deserialize, Serialize};
use shouhu_domain as domain;
use utoipa::ToSchema;

macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident = $remote:path { $($variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, async_graphql::Enum)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[allow(missing_docs)] $variant),+ }

        impl From<$remote> for $name {
            fn from(v: $remote) -> Self {
                match v { $(<$remote>::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $remote {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),+ }
            }
        }

        impl Catalogued for $name {
            const NAME: &'static str = stringify!($name);
            fn rest_values() -> Vec<&'static str> {
                <$remote as domain::enums::StrEnum>::ALL.iter().map(|v| domain::enums::StrEnum::as_str(*v)).collect()
            }
        }
    };
}

/// An enumeration of the API, for its catalogue (`GET /api/v1/meta/enums`).
pub trait Catalogued {
    /// The enumeration's name, as in the OpenAPI document and the GraphQL schema.
    const NAME: &'static str;
    /// Its values as REST spells them (`snake_case`), in declaration order.
    fn rest_values() -> Vec<&'static str>;
}

/// One enumeration of the catalogue: its name and its REST values.
pub type CatalogueEntry = (&'static str, fn() -> Vec<&'static str>);

/// Declares the enumerations and lists them, once, in [`CATALOGUE`].
macro_rules! api_enums {
    (
        also: [$($other:path),+ $(,)?];
        $($(#[$m:meta])* $name:ident = $remote:path { $($variant:ident),+ $(,)? };)+
    ) => {
        $(api_enum!($(#[$m])* $name = $remote { $($variant),+ });)+

        /// Every enumeration of the API, in declaration order, then the
        /// others (declared where they are used).
        pub const CATALOGUE: &[CatalogueEntry] = &[
            $(($name::NAME, $name::rest_values),)+
            $((<$other as Catalogued>::NAME, <$other as Catalogued>::rest_values),)+
        ];
    };
}

api_enums! {
    // Declared where they are used, listed here too.
    also: [crate::changes::ChangeType];
    /// Sex as on the resident ID card.
    Gender = domain::enums::Gender { Male, Female };
    /// Why a child counts as left behind.
    LeftBehindType = domain::enums::LeftBehindType { BothParentsAway, OneParentAway };
    /// Stage of schooling.
    SchoolStage = domain::enums::SchoolStage { Preschool, Primary, Junior, Senior, Vocational, None };
    /// Whether a child is at school.
    SchoolStatus = domain::enums::SchoolStatus { Enrolled, DroppedOut, Suspended, Graduated, NotSchoolAge };
    /// A child's lifecycle status. `aged_out` follows from the birth date (16 years) on every read, without anyone editing the record; `archived` comes from DELETE. Neither can be set by a patch.
    ChildStatus = domain::enums::ChildStatus { Active, Exited, AgedOut, Archived };
    /// Active or archived.
    RecordStatus = domain::enums::RecordStatus { Active, Archived };
    /// How a guardian is related to a child.
    Relationship = domain::enums::Relationship { Father, Mother, Grandfather, Grandmother, OtherRelative, Other };
    /// Kind of care place.
    CareCenterKind = domain::enums::CareCenterKind { CareCenter, DaycareHome, BoardingSchool, FamilyRoom, ParentSchool, CounselingRoom, ChildrenHome };
    /// Where a volunteer comes from.
    VolunteerCategory = domain::enums::VolunteerCategory { YouthLeague, FiveElders, Teacher, Student, SocialWorker, Other };
    /// Vetting: pending → approved or rejected; approved ↔ suspended.
    VettingStatus = domain::enums::VettingStatus { Pending, Approved, Rejected, Suspended };
    /// How a child attends a place of care.
    EnrollmentKind = domain::enums::EnrollmentKind { Day, Boarding, AfterSchool };
    /// Kind of training session.
    TrainingKind = domain::enums::TrainingKind { GuardianTraining, ParentSchoolClass, VolunteerTraining, SafetyEducation, LegalEducation, HealthEducation };
    /// How a volunteer accompanies a child: mentor (一帮一), surrogate parent (代理家长), peer (手拉手).
    PairingKind = domain::enums::PairingKind { Mentor, SurrogateParent, Peer };
    /// A follow-up visit (随访) or a contact between the child and a parent (亲情联系).
    VisitKind = domain::enums::VisitKind { FollowUp, FamilyContact };
    /// Whether a webhook subscription sends: `disabled` after 3 dead deliveries in a row, or by its owner.
    SubscriptionStatus = domain::enums::SubscriptionStatus { Active, Disabled };
    /// Where a webhook delivery stands: `pending` (its first or next attempt due), `succeeded`, `failed` (a ping not taken), `dead` (every attempt failed), `skipped` (no longer yours to read when its turn came).
    DeliveryStatus = domain::enums::DeliveryStatus { Pending, Succeeded, Failed, Dead, Skipped };
    /// How a visit or contact took place (a family contact is never `school`).
    VisitMode = domain::enums::VisitMode { Home, Phone, Video, School };
    /// What a visit found worrying; an unresolved `safety` concern fails the safety guarantee.
    Concern = domain::enums::Concern { Safety, Health, Schooling, Emotional };
    /// Who attends a training session.
    AttendeeKind = domain::enums::AttendeeKind { Guardian, Volunteer };
    /// One of the five guarantees (五有).
    Guarantee = domain::enums::Guarantee { Education, Guardianship, Safety, Affection, Activity };
    /// Administrative level.
    RegionLevel = domain::enums::RegionLevel { Province, City, County, Township, Village };
    /// What happened to a record, as the changes feed tells it.
    ChangeAction = domain::enums::ChangeAction { Created, Updated, Archived, Ended, Restored, LeftScope };
}
