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
api_enum!(/// How a volunteer accompanies a child: mentor (一帮一), surrogate parent (代理家长), peer (手拉手).
    PairingKind = domain::enums::PairingKind { Mentor, SurrogateParent, Peer });
api_enum!(/// A follow-up visit (随访) or a contact between the child and a parent (亲情联系).
    VisitKind = domain::enums::VisitKind { FollowUp, FamilyContact });
api_enum!(/// How a visit or contact took place (a family contact is never `school`).
    VisitMode = domain::enums::VisitMode { Home, Phone, Video, School });
api_enum!(/// What a visit found worrying; an unresolved `safety` concern fails the safety guarantee.
    Concern = domain::enums::Concern { Safety, Health, Schooling, Emotional });
api_enum!(/// Who attends a training session.
    AttendeeKind = domain::enums::AttendeeKind { Guardian, Volunteer });
api_enum!(/// One of the five guarantees (五有).
    Guarantee = domain::enums::Guarantee { Education, Guardianship, Safety, Affection, Activity });
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
    /// Birth date (null for a volunteer, who sees `age` only).
    #[schema(example = "2016-07-09")]
    pub birth_date: Option<NaiveDate>,
    /// Age in whole years today.
    #[schema(example = 10)]
    pub age: u32,
    /// Resident ID number; masked (`522631********0011`) for most roles.
    #[schema(example = "522631201607090011")]
    // Resolved in GraphQL by a resolver that notes an unmasked value for the read log.
    #[graphql(skip)]
    pub id_number: Option<String>,
    /// The village (12-digit code).
    #[schema(example = "522631101201")]
    pub region_code: String,
    /// Why the child is left behind; checked against the parents on record
    /// (`both_parents_away` needs every recorded parent away, `one_parent_away`
    /// at least one; with no parent on record nothing is checked). Null for a volunteer.
    pub left_behind_type: Option<LeftBehindType>,
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
    /// Boards at school (null for a volunteer).
    pub boarding: Option<bool>,
    /// Health notes; only for admin, coordinator and the health and civil-affairs departments.
    // Resolved in GraphQL by a resolver that notes the value for the read log.
    #[graphql(skip)]
    pub health_notes: Option<String>,
    /// Receives the minimum living allowance (低保); null for a volunteer.
    pub minimum_living_allowance: Option<bool>,
    /// Special-hardship case; null for a volunteer.
    pub special_hardship: Option<bool>,
    /// Lifecycle status. `aged_out` follows from the birth date; `exited` also
    /// follows when every parent on record (father or mother with an active
    /// guardianship) no longer works away.
    pub status: ChildStatus,
    /// The five guarantees (五有), decided on every read from the records
    /// around the child; see `guarantee_reasons` for why one fails.
    pub guarantees: Guarantees,
    /// Why each unmet guarantee fails.
    pub guarantee_reasons: Vec<GuaranteeReason>,
}

/// The five guarantees (五有) of a child. Rules: **education** — a child of
/// 6 to 15 has `school_status = enrolled`; **guardianship** — an active
/// primary caregiver who can act as guardian, with a signed responsibility
/// agreement; **safety** — a follow-up visit within 90 days (configurable) and
/// no unresolved safety concern; **affection** — a family contact with a parent
/// within 30 days (configurable) or an active surrogate-parent pairing with an
/// approved volunteer; **activity** — an enrolment in a place of care that
/// holds today.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct Guarantees {
    /// 学业有教
    pub education: bool,
    /// 监护有人
    pub guardianship: bool,
    /// 安全有保
    pub safety: bool,
    /// 亲情有护
    pub affection: bool,
    /// 活动有地
    pub activity: bool,
}

/// Why a guarantee is not met.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
pub struct GuaranteeReason {
    /// The guarantee.
    pub guarantee: Guarantee,
    /// Why it fails.
    #[schema(example = "no follow-up visit in the last 90 days")]
    pub reason: String,
}

fn guarantees_of(g: Option<domain::guarantee::Guarantees>) -> (Guarantees, Vec<GuaranteeReason>) {
    let Some(g) = g else {
        return (Guarantees::default(), Vec::new());
    };
    let checks = [
        (Guarantee::Education, &g.education),
        (Guarantee::Guardianship, &g.guardianship),
        (Guarantee::Safety, &g.safety),
        (Guarantee::Affection, &g.affection),
        (Guarantee::Activity, &g.activity),
    ];
    let reasons = checks
        .iter()
        .filter_map(|(which, check)| {
            check.reason.as_ref().map(|r| GuaranteeReason {
                guarantee: *which,
                reason: r.clone(),
            })
        })
        .collect();
    (
        Guarantees {
            education: g.education.met,
            guardianship: g.guardianship.met,
            safety: g.safety.met,
            affection: g.affection.met,
            activity: g.activity.met,
        },
        reasons,
    )
}

impl From<domain::child::Child> for Child {
    fn from(c: domain::child::Child) -> Self {
        let full = !c.minimal;
        let age = c.age_on(domain::resource::now().date_naive());
        let (guarantees, guarantee_reasons) = guarantees_of(c.guarantees.clone());
        Self {
            id: ID(c.meta.id.to_string()),
            version: c.meta.version,
            created_at: c.meta.created_at,
            updated_at: c.meta.updated_at,
            name: c.name,
            gender: c.gender.into(),
            birth_date: full.then_some(c.birth_date),
            age,
            id_number: c.id_number,
            region_code: c.region_code,
            left_behind_type: full.then_some(c.left_behind_type.into()),
            school_stage: c.school_stage.map(Into::into),
            school_name: c.school_name,
            grade: c.grade,
            school_status: c.school_status.map(Into::into),
            boarding: full.then_some(c.boarding),
            health_notes: c.health_notes,
            minimum_living_allowance: full.then_some(c.minimum_living_allowance),
            special_hardship: full.then_some(c.special_hardship),
            status: c.status.into(),
            guarantees,
            guarantee_reasons,
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
#[graphql(complex)]
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
    /// The `volunteer` account that signs in as this volunteer and sees the
    /// children paired with them while vetting is approved.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: Option<ID>,
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
            account_id: v.account_id.map(|a| ID(a.to_string())),
            status: v.status.into(),
        }
    }
}

/// A training session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
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
    /// An account holding the `volunteer` role, not linked to another volunteer (409).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: Option<ID>,
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
    /// The linked account; `null` unlinks it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub account_id: Option<ID>,
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

/// A volunteer↔child pairing. Ended pairings stay, with `ended_on`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Pairing {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The volunteer.
    #[schema(value_type = String, format = Uuid)]
    pub volunteer_id: ID,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Mentor, surrogate parent or peer.
    pub kind: PairingKind,
    /// First day.
    pub since: NaiveDate,
    /// Notes.
    pub notes: Option<String>,
    /// Last day; null while it holds.
    pub ended_on: Option<NaiveDate>,
}

impl From<domain::pairing::Pairing> for Pairing {
    fn from(p: domain::pairing::Pairing) -> Self {
        Self {
            id: ID(p.meta.id.to_string()),
            version: p.meta.version,
            created_at: p.meta.created_at,
            updated_at: p.meta.updated_at,
            volunteer_id: ID(p.volunteer_id.to_string()),
            child_id: ID(p.child_id.to_string()),
            kind: p.kind.into(),
            since: p.since,
            notes: p.notes,
            ended_on: p.ended_on,
        }
    }
}

/// A child to pair with a volunteer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreatePairingInput")]
#[schema(example = json!({"child_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d", "kind": "surrogate_parent", "since": "2026-09-01"}))]
pub struct PairingCreate {
    /// A child in your jurisdiction, not archived; one active pairing per volunteer and child (409).
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Mentor, surrogate parent or peer.
    pub kind: PairingKind,
    /// First day, not in the future (default today).
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<String>,
    /// Notes, up to 2000 characters.
    pub notes: Option<String>,
}

/// A JSON merge patch of a pairing (the child cannot change: end it and pair again).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdatePairingInput")]
#[schema(example = json!({"notes": "每周六辅导作业"}))]
pub struct PairingPatch {
    /// Kind.
    pub kind: Option<PairingKind>,
    /// First day.
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// A follow-up visit or a family contact. Withdrawn records stay, with `withdrawn_on`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Visit {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The child.
    #[schema(value_type = String, format = Uuid)]
    pub child_id: ID,
    /// Follow-up visit or family contact.
    pub kind: VisitKind,
    /// Home, phone, video or school.
    pub mode: VisitMode,
    /// When it took place.
    pub occurred_on: NaiveDate,
    /// Who visited.
    #[schema(example = "村儿童主任 杨丽")]
    pub visitor: Option<String>,
    /// The parent in contact, or the guardian met.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub guardian_id: Option<ID>,
    /// What was seen and said.
    pub notes: Option<String>,
    /// What was found worrying.
    pub concerns: Vec<Concern>,
    /// Someone must follow up.
    pub follow_up_needed: bool,
    /// When the concerns were resolved; null while open.
    pub resolved_on: Option<NaiveDate>,
    /// When withdrawn as a mistake; null while it counts.
    pub withdrawn_on: Option<NaiveDate>,
    /// The account that recorded it.
    pub recorded_by: String,
}

impl From<domain::visit::Visit> for Visit {
    fn from(v: domain::visit::Visit) -> Self {
        Self {
            id: ID(v.meta.id.to_string()),
            version: v.meta.version,
            created_at: v.meta.created_at,
            updated_at: v.meta.updated_at,
            child_id: ID(v.child_id.to_string()),
            kind: v.kind.into(),
            mode: v.mode.into(),
            occurred_on: v.occurred_on,
            visitor: v.visitor,
            guardian_id: v.guardian_id.map(|g| ID(g.to_string())),
            notes: v.notes,
            concerns: v.concerns.into_iter().map(Into::into).collect(),
            follow_up_needed: v.follow_up_needed,
            resolved_on: v.resolved_on,
            withdrawn_on: v.withdrawn_on,
            recorded_by: v.recorded_by,
        }
    }
}

/// A visit or family contact to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateVisitInput")]
#[schema(example = json!({"kind": "follow_up", "mode": "home", "occurred_on": "2026-11-20", "visitor": "村儿童主任 杨丽",
    "notes": "奶奶腿脚不便, 孩子放学后独自在家", "concerns": ["safety"], "follow_up_needed": true}))]
pub struct VisitCreate {
    /// Follow-up visit or family contact.
    pub kind: VisitKind,
    /// Home, phone, video or school (a family contact is not at school).
    pub mode: VisitMode,
    /// When it took place; not in the future.
    #[schema(value_type = String, format = Date)]
    pub occurred_on: String,
    /// Who visited; required for a follow-up visit.
    pub visitor: Option<String>,
    /// For a family contact, required: the father or mother (an active guardianship of the child). For a follow-up, optionally the guardian met.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub guardian_id: Option<ID>,
    /// Notes, up to 4000 characters.
    pub notes: Option<String>,
    /// Concerns found.
    pub concerns: Option<Vec<Concern>>,
    /// Someone must follow up (default false).
    pub follow_up_needed: Option<bool>,
    /// When the concerns were resolved (not before the visit, not in the future).
    #[schema(value_type = Option<String>, format = Date)]
    pub resolved_on: Option<String>,
}

/// A JSON merge patch of a visit (kind and guardian cannot change). Resolve
/// its concerns by setting `resolved_on`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateVisitInput")]
#[schema(example = json!({"resolved_on": "2026-11-28", "follow_up_needed": false}))]
pub struct VisitPatch {
    /// Mode.
    pub mode: Option<VisitMode>,
    /// Date.
    #[schema(value_type = Option<String>, format = Date)]
    pub occurred_on: Option<String>,
    /// Visitor.
    pub visitor: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Concerns.
    pub concerns: Option<Vec<Concern>>,
    /// Follow-up needed.
    pub follow_up_needed: Option<bool>,
    /// Resolution date.
    #[schema(value_type = Option<String>, format = Date)]
    pub resolved_on: Option<String>,
}

/// A registration for a training session, with its check-in. Cancelled
/// registrations stay, with `cancelled_on`, and free their place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(complex)]
pub struct Attendance {
    /// UUID v7.
    #[schema(value_type = String, format = Uuid)]
    pub id: ID,
    /// Version.
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The session.
    #[schema(value_type = String, format = Uuid)]
    pub training_session_id: ID,
    /// A guardian or a volunteer.
    pub attendee_kind: AttendeeKind,
    /// The guardian's or volunteer's id.
    #[schema(value_type = String, format = Uuid)]
    pub attendee_id: ID,
    /// When they arrived; null until then.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When cancelled; null while it holds.
    pub cancelled_on: Option<NaiveDate>,
}

impl From<domain::attendance::Attendance> for Attendance {
    fn from(a: domain::attendance::Attendance) -> Self {
        Self {
            id: ID(a.meta.id.to_string()),
            version: a.meta.version,
            created_at: a.meta.created_at,
            updated_at: a.meta.updated_at,
            training_session_id: ID(a.training_session_id.to_string()),
            attendee_kind: a.attendee_kind.into(),
            attendee_id: ID(a.attendee_id.to_string()),
            checked_in_at: a.checked_in_at,
            cancelled_on: a.cancelled_on,
        }
    }
}

/// A guardian or volunteer to register for a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "CreateAttendanceInput")]
#[schema(example = json!({"attendee_kind": "guardian", "attendee_id": "019ac4f2-7b1e-7cc0-9a51-3f0e6d1b2c4d"}))]
pub struct AttendanceCreate {
    /// Guardian or volunteer.
    pub attendee_kind: AttendeeKind,
    /// A guardian or volunteer in your jurisdiction, not archived; once per session (409).
    #[schema(value_type = String, format = Uuid)]
    pub attendee_id: ID,
    /// Check-in time, if they are already there: from two hours before the start to the end.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: Option<String>,
}

/// A JSON merge patch of a registration: the check-in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, InputObject)]
#[graphql(name = "UpdateAttendanceInput")]
#[schema(example = json!({"checked_in_at": "2027-02-03T00:55:00Z"}))]
pub struct AttendancePatch {
    /// Check-in time; null clears it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub checked_in_at: Option<String>,
}
