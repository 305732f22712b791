//! What the APIs send and receive. One type per record serves both surfaces:
//! serde gives REST its `snake_case`, async-graphql gives GraphQL its camelCase.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
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
    };
}

api_enum!(/// Sex as on the resident ID card.
    Gender = domain::enums::Gender { Male, Female });
api_enum!(/// Why a child counts as left behind.
    LeftBehindType = domain::enums::LeftBehindType { BothParentsAway, OneParentAway });
api_enum!(/// Stage of schooling.
    SchoolStage = domain::enums::SchoolStage { Preschool, Primary, Junior, Senior, Vocational, None });
api_enum!(/// Whether a child is at school.
    SchoolStatus = domain::enums::SchoolStatus { Enrolled, DroppedOut, Suspended, Graduated, NotSchoolAge });
api_enum!(/// A child's lifecycle status. `aged_out` follows from the birth date (16 years) on every read, without anyone editing the record; `archived` comes from DELETE. Neither can be set by a patch.
    ChildStatus = domain::enums::ChildStatus { Active, Exited, AgedOut, Archived });
api_enum!(/// Active or archived.
    RecordStatus = domain::enums::RecordStatus { Active, Archived });
api_enum!(/// How a guardian is related to a child.
    Relationship = domain::enums::Relationship { Father, Mother, Grandfather, Grandmother, OtherRelative, Other });
api_enum!(/// Kind of care place.
    CareCenterKind = domain::enums::CareCenterKind { CareCenter, DaycareHome, BoardingSchool, FamilyRoom, ParentSchool, CounselingRoom, ChildrenHome });
api_enum!(/// Where a volunteer comes from.
    VolunteerCategory = domain::enums::VolunteerCategory { YouthLeague, FiveElders, Teacher, Student, SocialWorker, Other });
api_enum!(/// Vetting: pending → approved or rejected; approved ↔ suspended.
    VettingStatus = domain::enums::VettingStatus { Pending, Approved, Rejected, Suspended });
api_enum!(/// How a child attends a place of care.
    EnrollmentKind = domain::enums::EnrollmentKind { Day, Boarding, AfterSchool });
api_enum!(/// Kind of training session.
    TrainingKind = domain::enums::TrainingKind { GuardianTraining, ParentSchoolClass, VolunteerTraining, SafetyEducation, LegalEducation, HealthEducation });
api_enum!(/// Administrative level.
    RegionLevel = domain::enums::RegionLevel { Province, City, County, Township, Village });

/// An administrative region.
#[derive(Debug, Clone, Serialize, ToSchema, SimpleObject)]
pub struct Region {
    /// 12-digit division code.
    #[schema(example = "522631101201")]
    pub code: String,
    /// Name.
    #[schema(example = "车民村")]
    pub name: String,
    /// Level, from the code.
    pub level: RegionLevel,
    /// The parent's code.
    #[schema(example = "522631101000")]
    pub parent_code: Option<String>,
}

impl From<domain::region::Region> for Region {
    fn from(r: domain::region::Region) -> Self {
        Self {
            code: r.code,
            name: r.name,
            level: r.level.into(),
            parent_code: r.parent_code,
        }
    }
}

/// A left-behind child. Identifiers are masked and health notes hidden unless
/// the caller's role may see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Child {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid, example = "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d")]
    pub id: ID,
    /// Grows by one on each change; send it back as `If-Match` / `expectedVersion`.
    #[schema(example = 1)]
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full name.
    #[schema(example = "王小明")]
    pub name: String,
    /// Sex.
    pub gender: Gender,
    /// Birth date.
    #[schema(example = "2016-07-09")]
    pub birth_date: NaiveDate,
    /// Resident ID number; masked (`522631********0011`) for most roles.
    #[schema(example = "522631201607090011")]
    pub id_number: Option<String>,
    /// The village (12-digit code).
    #[schema(example = "522631101201")]
    pub region_code: String,
    /// Why the child is left behind.
    pub left_behind_type: LeftBehindType,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// School.
    #[schema(example = "古州镇中心小学")]
    pub school_name: Option<String>,
    /// Grade or class.
    #[schema(example = "三年级")]
    pub grade: Option<String>,
    /// At school or not.
    pub school_status: Option<SchoolStatus>,
    /// Boards at school.
    pub boarding: bool,
    /// Health notes; only for admin, coordinator and the health and civil-affairs departments.
    pub health_notes: Option<String>,
    /// Receives the minimum living allowance (低保).
    pub minimum_living_allowance: bool,
    /// Special-hardship case.
    pub special_hardship: bool,
    /// Lifecycle status.
    pub status: ChildStatus,
}

impl From<domain::child::Child> for Child {
    fn from(c: domain::child::Child) -> Self {
        Self {
            id: ID(c.meta.id.to_string()),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
            name: c.name,
            gender: c.gender.into(),
            birth_date: c.birth_date,
            id_number: c.id_number,
            region_code: c.region_code,
            left_behind_type: c.left_behind_type.into(),
            school_stage: c.school_stage.map(Into::into),
            school_name: c.school_name,
            grade: c.grade,
            school_status: c.school_status.map(Into::into),
            boarding: c.boarding,
            health_notes: c.health_notes,
            minimum_living_allowance: c.minimum_living_allowance,
            special_hardship: c.special_hardship,
            status: c.status.into(),
        }
    }
}

/// A parent or caregiver. ID numbers and phones are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Guardian {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full name.
    #[schema(example = "王建国")]
    pub name: String,
    /// Sex.
    pub gender: Option<Gender>,
    /// Mainland mobile number; masked (`138****5678`) for most roles.
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    /// Resident ID number; masked for most roles.
    pub id_number: Option<String>,
    /// Home region.
    #[schema(example = "522631101201")]
    pub region_code: String,
    /// Works away from home.
    pub is_working_away: bool,
    /// Where, when away.
    #[schema(example = "广东省东莞市")]
    pub work_location: Option<String>,
    /// Since when they work away.
    pub working_away_since: Option<NaiveDate>,
    /// When they last came home.
    pub last_home_visit_on: Option<NaiveDate>,
    /// Able to act as guardian.
    pub guardianship_capable: bool,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::guardian::Guardian> for Guardian {
    fn from(g: domain::guardian::Guardian) -> Self {
        Self {
            id: ID(g.meta.id.to_string()),
            version: g.meta.version,
            created_at: g.meta.created_at,
            updated_at: g.meta.updated_at,
            name: g.name,
            gender: g.gender.map(Into::into),
            phone: g.phone,
            id_number: g.id_number,
            region_code: g.region_code,
            is_working_away: g.is_working_away,
            work_location: g.work_location,
            working_away_since: g.working_away_since,
            last_home_visit_on: g.last_home_visit_on,
            guardianship_capable: g.guardianship_capable,
            status: g.status.into(),
        }
    }
}

/// A child↔guardian link. Ended links stay, with `ended_on`, as the child's history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Guardianship {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Linked.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// The guardian.
    #[schema(value_type = String, format = Uuid)]
    pub guardian_id: ID,
    /// Relationship to the child.
    pub relationship: Relationship,
    /// Raises the child day to day.
    pub is_primary_caregiver: bool,
    /// Lives with the child.
    pub lives_with_child: bool,
    /// When the responsibility agreement was signed.
    pub agreement_signed_on: Option<NaiveDate>,
    /// When the link ended; null while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl From<domain::guardianship::Guardianship> for Guardianship {
    fn from(g: domain::guardianship::Guardianship) -> Self {
        Self {
            id: ID(g.meta.id.to_string()),
            version: g.meta.version,
            created_at: g.meta.created_at,
            updated_at: g.meta.updated_at,
            child_id: ID(g.child_id.to_string()),
            guardian_id: ID(g.guardian_id.to_string()),
            relationship: g.relationship.into(),
            is_primary_caregiver: g.is_primary_caregiver,
            lives_with_child: g.lives_with_child,
            agreement_signed_on: g.agreement_signed_on,
            ended_on: g.ended_on,
        }
    }
}

/// A place of care. Street addresses are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct CareCenter {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Name.
    #[schema(example = "古州镇留守儿童关爱中心")]
    pub name: String,
    /// Kind of place.
    pub kind: CareCenterKind,
    /// Region.
    #[schema(example = "522631101000")]
    pub region_code: String,
    /// Street address.
    pub address: Option<String>,
    /// Places for children.
    #[schema(example = 60)]
    pub capacity: Option<i32>,
    /// What it offers.
    #[schema(example = "亲情电话, 图书角")]
    pub facilities: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::care_center::CareCenter> for CareCenter {
    fn from(c: domain::care_center::CareCenter) -> Self {
        Self {
            id: ID(c.meta.id.to_string()),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
            name: c.name,
            kind: c.kind.into(),
            region_code: c.region_code,
            address: c.address,
            capacity: c.capacity,
            facilities: c.facilities,
            status: c.status.into(),
        }
    }
}

/// A volunteer. Phones are masked for most roles.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct Volunteer {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full name.
    #[schema(example = "李老师")]
    pub name: String,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// Region served.
    pub region_code: String,
    /// Organisation.
    pub organization: Option<String>,
    /// Where they come from.
    pub category: VolunteerCategory,
    /// What they offer.
    pub skills: Option<String>,
    /// Vetting status.
    pub vetting_status: VettingStatus,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::volunteer::Volunteer> for Volunteer {
    fn from(v: domain::volunteer::Volunteer) -> Self {
        Self {
            id: ID(v.meta.id.to_string()),
            version: v.meta.version,
            created_at: v.meta.created_at,
            updated_at: v.meta.updated_at,
            name: v.name,
            phone: v.phone,
            region_code: v.region_code,
            organization: v.organization,
            category: v.category.into(),
            skills: v.skills,
            vetting_status: v.vetting_status.into(),
            status: v.status.into(),
        }
    }
}

/// A training session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct TrainingSession {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Title.
    #[schema(example = "春节返乡家长监护培训")]
    pub title: String,
    /// Kind.
    pub kind: TrainingKind,
    /// Region holding it.
    pub region_code: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// Places.
    pub capacity: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
    /// Active or archived.
    pub status: RecordStatus,
}

impl From<domain::training_session::TrainingSession> for TrainingSession {
    fn from(t: domain::training_session::TrainingSession) -> Self {
        Self {
            id: ID(t.meta.id.to_string()),
            version: t.meta.version,
            created_at: t.meta.created_at,
            updated_at: t.meta.updated_at,
            title: t.title,
            kind: t.kind.into(),
            region_code: t.region_code,
            starts_at: t.starts_at,
            ends_at: t.ends_at,
            capacity: t.capacity,
            venue: t.venue,
            status: t.status.into(),
        }
    }
}

// Inputs. REST documents them as request bodies; GraphQL takes them as input
// objects. Both reach the same domain reader, which validates every field.

/// A child to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateChildInput")]
#[schema(example = json!({"name": "王小明", "gender": "male", "birth_date": "2016-07-09", "id_number": "522631201607090011",
    "region_code": "522631101201", "left_behind_type": "both_parents_away", "school_stage": "primary", "school_status": "enrolled"}))]
pub struct ChildCreate {
    /// Full name, 1–50 characters.
    pub name: String,
    /// Sex; must agree with the ID number.
    pub gender: Gender,
    /// `YYYY-MM-DD`; not in the future; under 18 at registration; must agree with the ID number.
    #[schema(value_type = String, format = Date)]
    pub birth_date: String,
    /// 18 characters with a valid GB 11643 check character; unique among children (409).
    pub id_number: Option<String>,
    /// An existing village in the caller's jurisdiction.
    pub region_code: String,
    /// Why the child is left behind.
    pub left_behind_type: LeftBehindType,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// School, up to 100 characters.
    pub school_name: Option<String>,
    /// Grade, up to 20 characters.
    pub grade: Option<String>,
    /// At school or not.
    pub school_status: Option<SchoolStatus>,
    /// Boards at school (default false).
    pub boarding: Option<bool>,
    /// Health notes (health department, admin, coordinator).
    pub health_notes: Option<String>,
    /// Minimum living allowance (civil affairs).
    pub minimum_living_allowance: Option<bool>,
    /// Special hardship (civil affairs).
    pub special_hardship: Option<bool>,
}

/// A JSON merge patch of a child: absent fields stay, `null` clears optional ones.
/// Departments may send only their own fields (education: schooling; health:
/// `health_notes`; civil affairs: assistance).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateChildInput")]
#[schema(example = json!({"school_status": "enrolled", "grade": "四年级"}))]
pub struct ChildPatch {
    /// Full name.
    pub name: Option<String>,
    /// Sex.
    pub gender: Option<Gender>,
    /// Birth date.
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<String>,
    /// Resident ID number.
    pub id_number: Option<String>,
    /// Village.
    pub region_code: Option<String>,
    /// Left-behind type.
    pub left_behind_type: Option<LeftBehindType>,
    /// Stage of schooling.
    pub school_stage: Option<SchoolStage>,
    /// School.
    pub school_name: Option<String>,
    /// Grade.
    pub grade: Option<String>,
    /// At school or not.
    pub school_status: Option<SchoolStatus>,
    /// Boards at school.
    pub boarding: Option<bool>,
    /// Health notes.
    pub health_notes: Option<String>,
    /// Minimum living allowance.
    pub minimum_living_allowance: Option<bool>,
    /// Special hardship.
    pub special_hardship: Option<bool>,
    /// `active` or `exited` only.
    pub status: Option<ChildStatus>,
}

/// A guardian to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateGuardianInput")]
#[schema(example = json!({"name": "王建国", "gender": "male", "phone": "13812345678", "region_code": "522631101201",
    "is_working_away": true, "work_location": "广东省东莞市"}))]
pub struct GuardianCreate {
    /// Full name.
    pub name: String,
    /// Sex; must agree with the ID number.
    pub gender: Option<Gender>,
    /// Mainland mobile number (11 digits, 13–19…); `+86` is dropped.
    pub phone: Option<String>,
    /// Resident ID number (GB 11643).
    pub id_number: Option<String>,
    /// An existing region in the caller's jurisdiction.
    pub region_code: String,
    /// Works away (default false).
    pub is_working_away: Option<bool>,
    /// Where, up to 100 characters.
    pub work_location: Option<String>,
    /// Since when they work away (only with `is_working_away`); not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub working_away_since: Option<String>,
    /// When they last came home; not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_home_visit_on: Option<String>,
    /// Able to act as guardian (default true).
    pub guardianship_capable: Option<bool>,
}

/// A JSON merge patch of a guardian.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateGuardianInput")]
pub struct GuardianPatch {
    /// Full name.
    pub name: Option<String>,
    /// Sex.
    pub gender: Option<Gender>,
    /// Phone.
    pub phone: Option<String>,
    /// Resident ID number.
    pub id_number: Option<String>,
    /// Region.
    pub region_code: Option<String>,
    /// Works away.
    pub is_working_away: Option<bool>,
    /// Where.
    pub work_location: Option<String>,
    /// Since when they work away.
    #[schema(value_type = Option<String>, format = Date)]
    pub working_away_since: Option<String>,
    /// When they last came home.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_home_visit_on: Option<String>,
    /// Able to act as guardian.
    pub guardianship_capable: Option<bool>,
}

/// A care place to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateCareCenterInput")]
#[schema(example = json!({"name": "古州镇留守儿童关爱中心", "kind": "care_center", "region_code": "522631101000", "capacity": 60}))]
pub struct CareCenterCreate {
    /// Name, up to 100 characters.
    pub name: String,
    /// Kind.
    pub kind: CareCenterKind,
    /// An existing region in the caller's jurisdiction.
    pub region_code: String,
    /// Street address, up to 200 characters.
    pub address: Option<String>,
    /// Places, 0–100000.
    pub capacity: Option<i32>,
    /// Facilities, up to 1000 characters.
    pub facilities: Option<String>,
}

/// A JSON merge patch of a care place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateCareCenterInput")]
pub struct CareCenterPatch {
    /// Name.
    pub name: Option<String>,
    /// Kind.
    pub kind: Option<CareCenterKind>,
    /// Region.
    pub region_code: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Places.
    pub capacity: Option<i32>,
    /// Facilities.
    pub facilities: Option<String>,
}

/// A volunteer to register (vetting starts `pending`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateVolunteerInput")]
#[schema(example = json!({"name": "李老师", "phone": "13912345678", "region_code": "522631101000", "category": "teacher"}))]
pub struct VolunteerCreate {
    /// Full name.
    pub name: String,
    /// Mainland mobile number.
    pub phone: Option<String>,
    /// An existing region in the caller's jurisdiction.
    pub region_code: String,
    /// Organisation.
    pub organization: Option<String>,
    /// Category.
    pub category: VolunteerCategory,
    /// Skills, up to 500 characters.
    pub skills: Option<String>,
    /// Only `pending` makes sense at creation.
    pub vetting_status: Option<VettingStatus>,
}

/// A JSON merge patch of a volunteer; vetting moves pending → approved or
/// rejected, approved ↔ suspended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateVolunteerInput")]
pub struct VolunteerPatch {
    /// Full name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Region.
    pub region_code: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Category.
    pub category: Option<VolunteerCategory>,
    /// Skills.
    pub skills: Option<String>,
    /// Vetting status.
    pub vetting_status: Option<VettingStatus>,
}

/// A training session to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateTrainingSessionInput")]
#[schema(example = json!({"title": "春节返乡家长监护培训", "kind": "guardian_training", "region_code": "522631101000",
    "starts_at": "2027-02-03T01:00:00Z", "ends_at": "2027-02-03T04:00:00Z", "capacity": 80, "venue": "镇政府会议室"}))]
pub struct TrainingSessionCreate {
    /// Title, up to 200 characters.
    pub title: String,
    /// Kind.
    pub kind: TrainingKind,
    /// An existing region in the caller's jurisdiction.
    pub region_code: String,
    /// RFC 3339 instant.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: String,
    /// RFC 3339 instant after `starts_at`.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<String>,
    /// Places, 1–100000.
    pub capacity: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
}

/// A JSON merge patch of a training session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateTrainingSessionInput")]
pub struct TrainingSessionPatch {
    /// Title.
    pub title: Option<String>,
    /// Kind.
    pub kind: Option<TrainingKind>,
    /// Region.
    pub region_code: Option<String>,
    /// Start.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub starts_at: Option<String>,
    /// End.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<String>,
    /// Places.
    pub capacity: Option<i32>,
    /// Venue.
    pub venue: Option<String>,
}

/// A guardian to link to a child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateGuardianshipInput")]
#[schema(example = json!({"guardian_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "relationship": "grandmother",
    "is_primary_caregiver": true, "lives_with_child": true, "agreement_signed_on": "2026-03-01"}))]
pub struct GuardianshipCreate {
    /// A guardian in your jurisdiction, not archived; one active link per child and guardian.
    #[schema(value_type = String, format = Uuid)]
    pub guardian_id: ID,
    /// How the guardian is related to the child.
    pub relationship: Relationship,
    /// Raises the child day to day; at most one active primary caregiver per child (409 otherwise). Default false.
    pub is_primary_caregiver: Option<bool>,
    /// Lives with the child (default false).
    pub lives_with_child: Option<bool>,
    /// When the responsibility agreement was signed; not in the future.
    #[schema(value_type = Option<String>, format = Date)]
    pub agreement_signed_on: Option<String>,
}

/// A JSON merge patch of a guardianship (the guardian cannot change: end the link and make another).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateGuardianshipInput")]
#[schema(example = json!({"agreement_signed_on": "2026-03-01"}))]
pub struct GuardianshipPatch {
    /// Relationship.
    pub relationship: Option<Relationship>,
    /// Primary caregiver.
    pub is_primary_caregiver: Option<bool>,
    /// Lives with the child.
    pub lives_with_child: Option<bool>,
    /// Agreement signing date.
    #[schema(value_type = Option<String>, format = Date)]
    pub agreement_signed_on: Option<String>,
}

/// A child's enrolment in a place of care. Past enrolments stay, with `until`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Enrollment {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Enrolled.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The place.
    #[schema(value_type = String, format = Uuid)]
    pub care_center_id: ID,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Day care, boarding or after school.
    pub kind: EnrollmentKind,
    /// First day.
    pub since: NaiveDate,
    /// Last day; null while open-ended.
    pub until: Option<NaiveDate>,
}

impl From<domain::enrollment::Enrollment> for Enrollment {
    fn from(e: domain::enrollment::Enrollment) -> Self {
        Self {
            id: ID(e.meta.id.to_string()),
            version: e.meta.version,
            created_at: e.meta.created_at,
            updated_at: e.meta.updated_at,
            care_center_id: ID(e.care_center_id.to_string()),
            child_id: ID(e.child_id.to_string()),
            kind: e.kind.into(),
            since: e.since,
            until: e.until,
        }
    }
}

/// A child to enrol in a place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateEnrollmentInput")]
#[schema(example = json!({"child_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "kind": "after_school", "since": "2026-09-01"}))]
pub struct EnrollmentCreate {
    /// A child in your jurisdiction, not archived.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Day care, boarding or after school.
    pub kind: EnrollmentKind,
    /// First day.
    #[schema(value_type = String, format = Date)]
    pub since: String,
    /// Last day, on or after `since`; leave out for open-ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<String>,
}

/// A JSON merge patch of an enrolment: its kind, or a shorter span (to extend
/// one, enrol again so that capacity is checked).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateEnrollmentInput")]
pub struct EnrollmentPatch {
    /// Kind.
    pub kind: Option<EnrollmentKind>,
    /// First day (only later).
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<String>,
    /// Last day (only earlier).
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<String>,
}
