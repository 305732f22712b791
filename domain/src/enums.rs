//! The closed vocabularies of the register. Each is stored and sent as its
//! lowercase `snake_case` name.

/// A closed set of values with a stable string form.
pub trait StrEnum: Sized + Copy + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The value's wire and storage name.
    fn as_str(self) -> &'static str;
    /// Parses the wire name; `None` for anything else.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
    /// The accepted names, comma separated, for error messages.
    fn expected() -> String {
        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl StrEnum for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Sex as recorded on the resident ID card.
    Gender { Male => "male", Female => "female" }
);
str_enum!(
    /// Why a child counts as left behind.
    LeftBehindType {
        /// Both parents work away from home.
        BothParentsAway => "both_parents_away",
        /// One parent works away and the other cannot act as guardian.
        OneParentAway => "one_parent_away",
    }
);
str_enum!(
    /// Stage of schooling.
    SchoolStage {
        Preschool => "preschool", Primary => "primary", Junior => "junior",
        Senior => "senior", Vocational => "vocational", None => "none",
    }
);
str_enum!(
    /// Whether a child is at school.
    SchoolStatus {
        Enrolled => "enrolled", DroppedOut => "dropped_out", Suspended => "suspended",
        Graduated => "graduated", NotSchoolAge => "not_school_age",
    }
);
str_enum!(
    /// Where a child stands in the register's lifecycle.
    ChildStatus {
        /// In care.
        Active => "active",
        /// No longer left behind (a parent came home).
        Exited => "exited",
        /// Turned 16.
        AgedOut => "aged_out",
        /// Removed from the register by an officer; kept for the record.
        Archived => "archived",
    }
);
str_enum!(
    /// Lifecycle of records that can only be active or archived.
    RecordStatus { Active => "active", Archived => "archived" }
);
str_enum!(
    /// How a guardian is related to a child.
    Relationship {
        Father => "father", Mother => "mother", Grandfather => "grandfather",
        Grandmother => "grandmother", OtherRelative => "other_relative", Other => "other",
    }
);
str_enum!(
    /// The kinds of care place.
    CareCenterKind {
        /// 关爱中心
        CareCenter => "care_center",
        /// 托管家园
        DaycareHome => "daycare_home",
        /// 寄宿制学校
        BoardingSchool => "boarding_school",
        /// 亲情室 with a family phone
        FamilyRoom => "family_room",
        /// 家长学校
        ParentSchool => "parent_school",
        /// 心理咨询室
        CounselingRoom => "counseling_room",
        /// 儿童之家
        ChildrenHome => "children_home",
    }
);
str_enum!(
    /// Where a volunteer comes from.
    VolunteerCategory {
        YouthLeague => "youth_league", FiveElders => "five_elders", Teacher => "teacher",
        Student => "student", SocialWorker => "social_worker", Other => "other",
    }
);
str_enum!(
    /// Where a volunteer's background check stands.
    VettingStatus {
        Pending => "pending", Approved => "approved", Rejected => "rejected", Suspended => "suspended",
    }
);
str_enum!(
    /// How a child attends a place of care.
    EnrollmentKind { Day => "day", Boarding => "boarding", AfterSchool => "after_school" }
);
str_enum!(
    /// How a volunteer accompanies a child.
    PairingKind {
        /// 一帮一: a mentor for one child.
        Mentor => "mentor",
        /// 代理家长: a surrogate parent.
        SurrogateParent => "surrogate_parent",
        /// 手拉手: a peer of the child's age.
        Peer => "peer",
    }
);
str_enum!(
    /// What a visit record is.
    VisitKind {
        /// 随访: a follow-up visit by an officer, a teacher or centre staff.
        FollowUp => "follow_up",
        /// 亲情联系: a contact between the child and a parent.
        FamilyContact => "family_contact",
    }
);
str_enum!(
    /// How a visit or contact took place.
    VisitMode { Home => "home", Phone => "phone", Video => "video", School => "school" }
);
str_enum!(
    /// What a visit found worrying.
    Concern { Safety => "safety", Health => "health", Schooling => "schooling", Emotional => "emotional" }
);
str_enum!(
    /// Who attends a training session.
    AttendeeKind { Guardian => "guardian", Volunteer => "volunteer" }
);
str_enum!(
    /// The five guarantees (五有).
    Guarantee {
        /// 学业有教: a school-age child is at school.
        Education => "education",
        /// 监护有人: an able primary caregiver with a signed agreement.
        Guardianship => "guardianship",
        /// 安全有保: a recent visit and no open safety concern.
        Safety => "safety",
        /// 亲情有护: recent contact with a parent, or a surrogate parent.
        Affection => "affection",
        /// 活动有地: an active enrolment in a place of care.
        Activity => "activity",
    }
);
str_enum!(
    /// The kinds of training session.
    TrainingKind {
        GuardianTraining => "guardian_training", ParentSchoolClass => "parent_school_class",
        VolunteerTraining => "volunteer_training", SafetyEducation => "safety_education",
        LegalEducation => "legal_education", HealthEducation => "health_education",
    }
);
str_enum!(
    /// The roles an account can hold.
    Role {
        Admin => "admin", Coordinator => "coordinator", Department => "department",
        TownshipOfficer => "township_officer", VillageOfficer => "village_officer",
        CenterStaff => "center_staff", Volunteer => "volunteer", Partner => "partner",
        Auditor => "auditor",
    }
);
str_enum!(
    /// The government departments a `department` account can belong to.
    Department {
        Education => "education", CivilAffairs => "civil_affairs", Health => "health",
        PublicSecurity => "public_security", Justice => "justice", YouthLeague => "youth_league",
        WomensFederation => "womens_federation", Other => "other",
    }
);
str_enum!(
    /// Administrative level of a region, read from its 12-digit code.
    RegionLevel {
        Province => "province", City => "city", County => "county",
        Township => "township", Village => "village",
    }
);

str_enum!(
    /// What happened to a record, as the changes feed tells it.
    ChangeAction {
        /// Registered, or came into the caller's scope.
        Created => "created",
        /// Fields changed.
        Updated => "updated",
        /// A register record was archived.
        Archived => "archived",
        /// A record seen through a parent was ended (withdrawn, cancelled).
        Ended => "ended",
        /// An archived record was taken back.
        Restored => "restored",
        /// The record left the caller's scope: drop it.
        LeftScope => "left_scope",
    }
);

str_enum!(
    /// Whether a webhook subscription sends.
    SubscriptionStatus {
        /// Deliveries are sent.
        Active => "active",
        /// Nothing is sent; changes wait in the feed until it is enabled again.
        Disabled => "disabled",
    }
);

str_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting for its first or next attempt.
        Pending => "pending",
        /// The receiver answered 2xx in time.
        Succeeded => "succeeded",
        /// A ping the receiver did not take (pings are not retried).
        Failed => "failed",
        /// Every attempt failed: given up.
        Dead => "dead",
        /// Not sent: the change was no longer for the subscription's owner to read when its turn came.
        Skipped => "skipped",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_name() {
        for v in LeftBehindType::ALL {
            assert_eq!(LeftBehindType::parse(v.as_str()), Some(*v));
        }
        assert_eq!(CareCenterKind::parse("family_room"), Some(CareCenterKind::FamilyRoom));
        assert_eq!(CareCenterKind::parse("FAMILY_ROOM"), None);
    }

    #[test]
    fn serde_uses_the_same_names() {
        let json = serde_json::to_string(&SchoolStatus::DroppedOut).unwrap_or_default();
        assert_eq!(json, "\"dropped_out\"");
    }
}
