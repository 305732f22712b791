//! The five guarantees (五有) of the policy, decided for every child from the
//! records around it, and the rule that ties `left_behind_type` and the
//! `exited` status to the parents' own records.
//!
//! The rules (each unmet guarantee carries a reason):
//! - **education** (学业有教): a child of compulsory-school age (6 to 15 on the
//!   day) has `school_status = enrolled`; younger children meet it.
//! - **guardianship** (监护有人): an active primary caregiver who can act as
//!   guardian (`guardianship_capable`, not archived) and whose responsibility
//!   agreement is signed.
//! - **safety** (安全有保): a follow-up visit within `visit_within_days`
//!   (default 90) and no open safety concern (a visit noting `safety` that is
//!   not resolved).
//! - **affection** (亲情有护): a family contact with a parent within
//!   `contact_within_days` (default 30), or an active surrogate-parent pairing
//!   with an approved volunteer.
//! - **activity** (活动有地): an enrolment in a place of care that holds today.
//!
//! Withdrawn visits and ended links count for nothing.

use crate::message::Message;
use crate::msg;
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::child::Child;
use crate::enums::{LeftBehindType, SchoolStatus};

/// The numbers the guarantees and pairings depend on; configurable per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Safety needs a follow-up visit within this many days.
    pub visit_within_days: u32,
    /// Affection needs a family contact within this many days.
    pub contact_within_days: u32,
    /// Active pairings a volunteer may hold at once.
    pub max_active_pairings: u32,
    /// Times in 24 hours a caller may hit a resident ID number registered
    /// outside its reach before ID numbers it sends are refused (429).
    pub id_number_matches_per_day: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            visit_within_days: 90,
            contact_within_days: 30,
            max_active_pairings: 5,
            id_number_matches_per_day: 10,
        }
    }
}

impl Rules {
    /// The earliest day a follow-up visit still counts on `today`.
    pub fn visit_cutoff(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(Days::new(u64::from(self.visit_within_days)))
            .unwrap_or(NaiveDate::MIN)
    }
    /// The earliest day a family contact still counts on `today`.
    pub fn contact_cutoff(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(Days::new(u64::from(self.contact_within_days)))
            .unwrap_or(NaiveDate::MIN)
    }
}

/// Compulsory schooling runs from this age…
pub const SCHOOL_AGE_FROM: u32 = 6;
/// …to this one, inclusive.
pub const SCHOOL_AGE_TO: u32 = 15;

/// Children born on or before this day are at least `years` old on `today`.
pub fn born_by(today: NaiveDate, years: u32) -> NaiveDate {
    let year = today.year() - i32::try_from(years).unwrap_or(0);
    today
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).and_then(|d| d.pred_opt()))
        .unwrap_or(NaiveDate::MIN)
}

/// The child's active primary caregiver, as far as the guarantees care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caregiver {
    /// The guardian can act as guardian and is not archived.
    pub able: bool,
    /// The responsibility agreement is signed.
    pub agreement_signed: bool,
}

/// What the records around a child say, gathered in a few queries per page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The active primary caregiver, if any.
    pub primary_caregiver: Option<Caregiver>,
    /// A follow-up visit within `Rules::visit_within_days`.
    pub recent_visit: bool,
    /// A visit noted a safety concern that is not resolved.
    pub open_safety_concern: bool,
    /// A family contact with a parent within `Rules::contact_within_days`.
    pub recent_parent_contact: bool,
    /// An active surrogate-parent pairing with an approved volunteer.
    pub surrogate_parent: bool,
    /// An enrolment in a place of care holds today.
    pub active_enrollment: bool,
    /// Parents (father or mother with an active guardianship) on record.
    pub parents: u32,
    /// Of those, how many work away.
    pub parents_away: u32,
}

/// One guarantee's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Whether it holds.
    pub met: bool,
    /// Why not, when it does not: a stable code (`no_recent_visit`) for
    /// programs and translations.
    pub code: Option<&'static str>,
    /// Why not, when it does not, in words.
    pub reason: Option<Message>,
}

impl Check {
    fn met() -> Self {
        Self {
            met: true,
            code: None,
            reason: None,
        }
    }
    fn unmet(code: &'static str, reason: Message) -> Self {
        Self {
            met: false,
            code: Some(code),
            reason: Some(reason),
        }
    }
}

/// The five verdicts for one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guarantees {
    /// 学业有教
    pub education: Check,
    /// 监护有人
    pub guardianship: Check,
    /// 安全有保
    pub safety: Check,
    /// 亲情有护
    pub affection: Check,
    /// 活动有地
    pub activity: Check,
}

/// Decides the five guarantees for `child` on `today`.
pub fn evaluate(child: &Child, facts: &Facts, rules: &Rules, today: NaiveDate) -> Guarantees {
    let age = child.age_on(today);
    let education = if !(SCHOOL_AGE_FROM..=SCHOOL_AGE_TO).contains(&age) {
        Check::met()
    } else {
        match child.school_status {
            Some(SchoolStatus::Enrolled) => Check::met(),
            Some(other) => Check::unmet(
                "not_at_school",
                msg!("guarantee.not_at_school", age = age, status = other => "enum.school_status"),
            ),
            None => Check::unmet("no_school_status", msg!("guarantee.no_school_status", age = age)),
        }
    };
    let guardianship = match facts.primary_caregiver {
        None => Check::unmet("no_primary_caregiver", msg!("guarantee.no_primary_caregiver")),
        Some(Caregiver { able: false, .. }) => {
            Check::unmet("caregiver_not_capable", msg!("guarantee.caregiver_not_capable"))
        }
        Some(Caregiver {
            agreement_signed: false,
            ..
        }) => Check::unmet("agreement_not_signed", msg!("guarantee.agreement_not_signed")),
        Some(_) => Check::met(),
    };
    let safety = if facts.open_safety_concern {
        Check::unmet("open_safety_concern", msg!("guarantee.open_safety_concern"))
    } else if !facts.recent_visit {
        Check::unmet(
            "no_recent_visit",
            msg!("guarantee.no_recent_visit", days = rules.visit_within_days),
        )
    } else {
        Check::met()
    };
    let affection = if facts.recent_parent_contact || facts.surrogate_parent {
        Check::met()
    } else {
        Check::unmet(
            "no_recent_parent_contact",
            msg!("guarantee.no_recent_parent_contact", days = rules.contact_within_days),
        )
    };
    let activity = if facts.active_enrollment {
        Check::met()
    } else {
        Check::unmet("not_enrolled", msg!("guarantee.not_enrolled"))
    };
    Guarantees {
        education,
        guardianship,
        safety,
        affection,
        activity,
    }
}

/// Whether the recorded parents say the child is no longer left behind: at
/// least one parent is on record and none of them works away.
pub fn parents_all_home(facts: &Facts) -> bool {
    facts.parents > 0 && facts.parents_away == 0
}

/// Checks `left_behind_type` against the parents on record. With no parent on
/// record nothing is checked (the census often registers the child first).
/// `both_parents_away` needs every recorded parent away; `one_parent_away`
/// needs at least one away. `Err` carries the code and message of the 422.
pub fn check_left_behind_type(kind: LeftBehindType, facts: &Facts) -> Result<(), (&'static str, Message)> {
    if facts.parents == 0 {
        return Ok(());
    }
    if facts.parents_away == 0 {
        return Err(("no_parent_away", msg!("child.no_parent_away")));
    }
    if kind == LeftBehindType::BothParentsAway && facts.parents_away < facts.parents {
        return Err((
            "parent_at_home",
            msg!(
                "child.parent_at_home",
                home = facts.parents - facts.parents_away,
                parents = facts.parents
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Meta, Resource};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn child(birth: NaiveDate, school: Option<SchoolStatus>) -> Child {
        let mut c = Child::blank(Meta::new(crate::resource::now()));
        c.birth_date = birth;
        c.school_status = school;
        c
    }

    fn all_met() -> Facts {
        Facts {
            primary_caregiver: Some(Caregiver {
                able: true,
                agreement_signed: true,
            }),
            recent_visit: true,
            open_safety_concern: false,
            recent_parent_contact: true,
            surrogate_parent: false,
            active_enrollment: true,
            parents: 2,
            parents_away: 2,
        }
    }

    #[test]
    fn every_guarantee_holds_on_complete_records() {
        let today = day(2026, 11, 29);
        let g = evaluate(
            &child(day(2016, 5, 1), Some(SchoolStatus::Enrolled)),
            &all_met(),
            &Rules::default(),
            today,
        );
        assert!(g.education.met && g.guardianship.met && g.safety.met && g.affection.met && g.activity.met);
        assert_eq!(g.safety.reason, None);
    }

    #[test]
    fn each_guarantee_fails_with_its_reason() {
        let today = day(2026, 11, 29);
        let facts = Facts {
            primary_caregiver: Some(Caregiver {
                able: true,
                agreement_signed: false,
            }),
            recent_visit: false,
            recent_parent_contact: false,
            active_enrollment: false,
            ..all_met()
        };
        let g = evaluate(
            &child(day(2016, 5, 1), Some(SchoolStatus::DroppedOut)),
            &facts,
            &Rules::default(),
            today,
        );
        assert_eq!(
            g.education.reason,
            Some(msg!("guarantee.not_at_school", age = 10, status = "dropped_out" => "enum.school_status"))
        );
        assert_eq!(g.guardianship.reason, Some(msg!("guarantee.agreement_not_signed")));
        assert_eq!(g.safety.reason, Some(msg!("guarantee.no_recent_visit", days = 90)));
        assert!(!g.affection.met);
        assert!(!g.activity.met);
        let codes = [&g.education, &g.guardianship, &g.safety, &g.affection, &g.activity].map(|c| c.code);
        assert_eq!(
            codes,
            [
                Some("not_at_school"),
                Some("agreement_not_signed"),
                Some("no_recent_visit"),
                Some("no_recent_parent_contact"),
                Some("not_enrolled")
            ]
        );
        // The day limits are inclusive.
        let rules = Rules::default();
        assert_eq!(rules.visit_cutoff(today), day(2026, 8, 31));
        assert_eq!(rules.contact_cutoff(today), day(2026, 10, 30));
    }

    #[test]
    fn a_surrogate_parent_or_a_young_age_is_enough() {
        let today = day(2026, 11, 29);
        let facts = Facts {
            recent_parent_contact: false,
            surrogate_parent: true,
            open_safety_concern: true,
            ..all_met()
        };
        let g = evaluate(&child(day(2022, 1, 1), None), &facts, &Rules::default(), today);
        assert!(g.education.met, "a child of 4 is not of school age");
        assert!(g.affection.met);
        assert_eq!(g.safety.reason, Some(msg!("guarantee.open_safety_concern")));
    }

    #[test]
    fn left_behind_type_follows_the_parents_on_record() {
        let facts = |parents, away| Facts {
            parents,
            parents_away: away,
            ..Facts::default()
        };
        assert!(check_left_behind_type(LeftBehindType::BothParentsAway, &facts(0, 0)).is_ok());
        assert!(check_left_behind_type(LeftBehindType::BothParentsAway, &facts(2, 2)).is_ok());
        assert_eq!(
            check_left_behind_type(LeftBehindType::BothParentsAway, &facts(2, 1)).map_err(|e| e.0),
            Err("parent_at_home")
        );
        assert!(check_left_behind_type(LeftBehindType::OneParentAway, &facts(2, 1)).is_ok());
        assert_eq!(
            check_left_behind_type(LeftBehindType::OneParentAway, &facts(1, 0)).map_err(|e| e.0),
            Err("no_parent_away")
        );
        assert!(parents_all_home(&facts(2, 0)) && !parents_all_home(&facts(0, 0)));
    }
}
