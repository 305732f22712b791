//! The demo county and synthetic load data.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use shouhu_domain::account::Account;
use shouhu_domain::attendance::Attendance;
use shouhu_domain::care_center::CareCenter;
use shouhu_domain::child::Child;
use shouhu_domain::enrollment::Enrollment;
use shouhu_domain::enums::*;
use shouhu_domain::guardian::Guardian;
use shouhu_domain::guardianship::Guardianship;
use shouhu_domain::id_number;
use shouhu_domain::pairing::Pairing;
use shouhu_domain::ports::{AccountStore, RegionStore};
use shouhu_domain::region::Region;
use shouhu_domain::resource::{Meta, Resource, now};
use shouhu_domain::service;
use shouhu_domain::training_session::TrainingSession;
use shouhu_domain::visit::Visit;
use shouhu_domain::volunteer::Volunteer;
use shouhu_persistence::Db;
use uuid::Uuid;

use crate::auth::hash_password;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "胡", "朱", "郭", "何", "罗", "高",
    "林",
];
/// Given names of the demo boys; a demo name agrees with the record's gender.
pub const BOYS_GIVEN: &[&str] = &["小明", "浩然", "子轩", "宇航", "俊杰", "思远", "天佑", "博文"];
/// Given names of the demo girls.
pub const GIRLS_GIVEN: &[&str] = &["欣怡", "梓涵", "雨桐", "诗琪", "佳怡", "可馨", "语嫣", "若曦"];
/// Given names of the demo men.
pub const MEN_GIVEN: &[&str] = &["建国", "德明", "志强", "国华", "永福"];
/// Given names of the demo women.
pub const WOMEN_GIVEN: &[&str] = &["秀英", "桂兰", "玉梅", "春花", "翠萍"];
const WORKPLACES: &[&str] = &[
    "广东省东莞市",
    "浙江省宁波市",
    "福建省晋江市",
    "江苏省苏州市",
    "广东省深圳市",
    "上海市",
];

/// The demo password of every demo account.
pub const DEMO_PASSWORD: &str = "shouhu-demo-2026";

/// A small deterministic generator, so the demo county is the same every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Generates children with guardians and guardianships in `villages`.
/// `area` is the 6-digit area code used in generated ID numbers.
fn families(
    rng: &mut Lcg,
    villages: &[String],
    count: usize,
    area: &str,
    today: NaiveDate,
) -> (Vec<Child>, Vec<Guardian>, Vec<Guardianship>) {
    let at = now();
    let mut children = Vec::with_capacity(count);
    let mut guardians = Vec::with_capacity(count * 2);
    let mut links = Vec::with_capacity(count * 2);
    for i in 0..count {
        let village = &villages[i % villages.len()];
        let surname = rng.pick(SURNAMES);
        let gender = if rng.below(2) == 0 {
            Gender::Male
        } else {
            Gender::Female
        };
        let age_days = 365 * 3 + rng.below(365 * 12);
        let birth_date = today - Duration::days(i64::try_from(age_days).unwrap_or(3650));
        let age = today.years_since(birth_date).unwrap_or(0);
        let (stage, status) = match age {
            0..=5 => (SchoolStage::Preschool, SchoolStatus::NotSchoolAge),
            6..=11 => (SchoolStage::Primary, SchoolStatus::Enrolled),
            _ => (
                SchoolStage::Junior,
                if rng.below(40) == 0 {
                    SchoolStatus::DroppedOut
                } else {
                    SchoolStatus::Enrolled
                },
            ),
        };
        let mut child = Child::blank(Meta::new(at));
        let given = if gender == Gender::Male {
            BOYS_GIVEN
        } else {
            GIRLS_GIVEN
        };
        child.name = format!("{surname}{}", rng.pick(given));
        child.gender = gender;
        child.birth_date = birth_date;
        child.id_number = Some(id_number::compose(
            area,
            birth_date,
            u16::try_from(2 * (i % 499)).unwrap_or(0),
            gender,
        ));
        child.region_code = village.clone();
        child.left_behind_type = if rng.below(3) == 0 {
            LeftBehindType::OneParentAway
        } else {
            LeftBehindType::BothParentsAway
        };
        child.school_stage = Some(stage);
        child.school_status = Some(status);
        child.school_name = Some(if stage == SchoolStage::Junior {
            "镇中学".to_owned()
        } else {
            "村完全小学".to_owned()
        });
        child.boarding = stage == SchoolStage::Junior && rng.below(2) == 0;
        child.minimum_living_allowance = rng.below(8) == 0;
        child.special_hardship = rng.below(25) == 0;

        let mut father = Guardian::blank(Meta::new(at));
        father.name = format!("{surname}{}", rng.pick(MEN_GIVEN));
        father.gender = Some(Gender::Male);
        father.phone = Some(format!("13{}{:08}", 5 + rng.below(5), rng.next() % 100_000_000));
        father.region_code = village.clone();
        // One father in twenty has come home for good: the child is `exited`.
        father.is_working_away = rng.below(20) != 0;
        if father.is_working_away {
            father.work_location = Some(rng.pick(WORKPLACES).to_owned());
            father.working_away_since = Some(today - Duration::days(200 + i64::try_from(rng.below(2000)).unwrap_or(0)));
        }
        father.last_home_visit_on = Some(today - Duration::days(i64::try_from(rng.below(400)).unwrap_or(0)));

        let mut carer = Guardian::blank(Meta::new(at));
        let grandmother = rng.below(3) != 0;
        carer.name = format!(
            "{}{}",
            if grandmother { rng.pick(SURNAMES) } else { surname },
            rng.pick(if grandmother { WOMEN_GIVEN } else { MEN_GIVEN })
        );
        carer.gender = Some(if grandmother { Gender::Female } else { Gender::Male });
        carer.region_code = village.clone();
        carer.guardianship_capable = rng.below(12) != 0;

        let link = |guardian: &Guardian, relationship, primary: bool, signed: Option<NaiveDate>| Guardianship {
            meta: Meta::new(at),
            child_id: child.meta.id,
            guardian_id: guardian.meta.id,
            region_code: child.region_code.clone(),
            relationship,
            is_primary_caregiver: primary,
            lives_with_child: primary,
            agreement_signed_on: signed,
            ended_on: None,
        };
        let signed = (rng.below(5) != 0).then(|| today - Duration::days(i64::try_from(rng.below(700)).unwrap_or(0)));
        links.push(link(&father, Relationship::Father, false, None));
        links.push(link(
            &carer,
            if grandmother {
                Relationship::Grandmother
            } else {
                Relationship::Grandfather
            },
            true,
            signed,
        ));
        guardians.push(father);
        guardians.push(carer);
        children.push(child);
    }
    (children, guardians, links)
}

/// The demo county: 1 county, 3 townships, 12 villages.
pub fn demo_regions() -> Vec<Region> {
    let mut regions = vec![Region::new("522631000000", "示范县")];
    for (t, town) in ["古州镇", "忠诚镇", "寨蒿镇"].iter().enumerate() {
        let tcode = format!("522631{:03}000", 101 + t);
        regions.push(Region::new(&tcode, town));
        for (v, village) in ["车民村", "月亮山村", "高岩村", "平阳村"].iter().enumerate() {
            regions.push(Region::new(
                &format!("522631{:03}{:03}", 101 + t, 201 + v),
                &format!("{}{village}", town.chars().take(2).collect::<String>()),
            ));
        }
    }
    regions.into_iter().flatten().collect()
}

/// The demo accounts: one per role (and per writing department).
pub const DEMO_ACCOUNTS: &[(&str, Role, Option<Department>, &str)] = &[
    ("admin", Role::Admin, None, "522631000000"),
    ("coordinator", Role::Coordinator, None, "522631000000"),
    (
        "education",
        Role::Department,
        Some(Department::Education),
        "522631000000",
    ),
    ("health", Role::Department, Some(Department::Health), "522631000000"),
    (
        "civil_affairs",
        Role::Department,
        Some(Department::CivilAffairs),
        "522631000000",
    ),
    (
        "youth_league",
        Role::Department,
        Some(Department::YouthLeague),
        "522631000000",
    ),
    ("township", Role::TownshipOfficer, None, "522631101000"),
    ("village", Role::VillageOfficer, None, "522631101201"),
    ("center", Role::CenterStaff, None, "522631101000"),
    ("volunteer", Role::Volunteer, None, "522631101000"),
    ("partner", Role::Partner, None, "522631000000"),
    ("auditor", Role::Auditor, None, "522631000000"),
];

/// Loads the demo county into an empty database and prints its logins.
pub async fn load_if_empty(db: &Db) -> anyhow::Result<()> {
    if !db.is_empty().await? {
        tracing::info!("the database is not empty: demo data not loaded");
        return Ok(());
    }
    let (children, guardians) = load_register(db).await?;
    let at = now();
    let hash = hash_password(DEMO_PASSWORD)?;
    println!(
        "Demo county 示范县 (522631000000) loaded: {children} children, {guardians} guardians. Logins (password {DEMO_PASSWORD}):"
    );
    for (username, role, department, region) in DEMO_ACCOUNTS {
        db.insert_account(&Account {
            id: Uuid::now_v7(),
            username: (*username).to_owned(),
            password_hash: hash.clone(),
            role: *role,
            department: *department,
            organization_id: None,
            region_code: (*region).to_owned(),
            disabled: false,
            is_client: false,
            display_name: None,
            created_at: at,
        })
        .await?;
        println!(
            "  {username:<14} {role:<17} {region}{}",
            department.map(|d| format!(" ({d})")).unwrap_or_default()
        );
    }
    link_demo_volunteer(db).await?;
    Ok(())
}

/// Links the `volunteer` account to the demo volunteer, through the service
/// (which checks that the account holds the volunteer role).
async fn link_demo_volunteer(db: &Db) -> anyhow::Result<()> {
    let Some(account) = db.account_by_username("volunteer").await? else {
        return Ok(());
    };
    let ctx = shouhu_domain::Ctx::system("demo");
    let query = [("vetting_status".to_owned(), "approved".to_owned())];
    let page = shouhu_domain::resource::PageRequest { after: None, limit: 1 };
    let approved = service::list::<Volunteer, Db>(db, &ctx, &query, page).await?;
    if let Some(v) = approved.items.first() {
        let patch = shouhu_domain::volunteer::VolunteerInput {
            account_id: shouhu_domain::fields::Patch::Value(account.id),
            ..Default::default()
        };
        service::update::<Volunteer, Db>(db, &ctx, v.meta.id, v.meta.version, patch).await?;
    }
    Ok(())
}

/// Loads the demo county's regions and register (no accounts); returns how
/// many children and guardians it made.
pub async fn load_register(db: &Db) -> anyhow::Result<(usize, usize)> {
    let regions = demo_regions();
    db.upsert_regions(&regions).await?;
    let villages: Vec<String> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|r| r.code.clone())
        .collect();
    let townships: Vec<String> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Township)
        .map(|r| r.code.clone())
        .collect();
    let mut rng = Lcg(2026);
    let today = Utc::now().date_naive();
    let (children, guardians, links) = families(&mut rng, &villages, 320, "522631", today);
    db.insert_bulk(&guardians, &[]).await?;
    db.insert_bulk(&children, &[]).await?;
    db.insert_bulk(&links, &[]).await?;

    let at = now();
    let mut centers = Vec::new();
    for (i, kind) in CareCenterKind::ALL.iter().enumerate() {
        let mut c = CareCenter::blank(Meta::new(at));
        c.kind = *kind;
        c.region_code = if i % 2 == 0 {
            townships[i % townships.len()].clone()
        } else {
            villages[i % villages.len()].clone()
        };
        c.name = format!(
            "{}（{}）",
            [
                "关爱中心",
                "托管家园",
                "寄宿制学校",
                "亲情室",
                "家长学校",
                "心理咨询室",
                "儿童之家"
            ][i],
            i + 1
        );
        c.capacity = Some(40 + i32::try_from(i).unwrap_or(0) * 10);
        c.address = Some(format!("示范县{}号", 10 + i));
        c.facilities = Some("亲情电话, 图书角".to_owned());
        centers.push(c);
    }
    db.insert_bulk(&centers, &[]).await?;

    let mut volunteers = Vec::new();
    for (i, status) in VettingStatus::ALL.iter().chain(VettingStatus::ALL).enumerate() {
        let mut v = Volunteer::blank(Meta::new(at));
        // Volunteer records carry no gender; their names alternate.
        let given = if i % 2 == 0 { WOMEN_GIVEN } else { MEN_GIVEN };
        v.name = format!("{}{}", rng.pick(SURNAMES), rng.pick(given));
        // The first approved volunteer serves the first township, where the
        // demo `volunteer` account signs in as them.
        v.region_code = townships[if i == 1 { 0 } else { i % townships.len() }].clone();
        v.category = VolunteerCategory::ALL[i % VolunteerCategory::ALL.len()];
        v.vetting_status = *status;
        v.phone = Some(format!("139{:08}", rng.next() % 100_000_000));
        v.organization = Some("县团委志愿者协会".to_owned());
        volunteers.push(v);
    }
    db.insert_bulk(&volunteers, &[]).await?;

    let mut sessions = Vec::new();
    for (i, kind) in TrainingKind::ALL.iter().enumerate() {
        let mut s = TrainingSession::blank(Meta::new(at));
        s.kind = *kind;
        s.title = format!(
            "{}（第{}期）",
            [
                "春节返乡家长监护培训",
                "家长学校课堂",
                "志愿者培训",
                "安全教育",
                "法治教育",
                "健康教育"
            ][i],
            i + 1
        );
        s.region_code = townships[i % townships.len()].clone();
        let day = today + Duration::days(i64::try_from(i).unwrap_or(0) * 14 - 30);
        s.starts_at = Utc
            .with_ymd_and_hms(day.year(), day.month(), day.day(), 1, 0, 0)
            .single()
            .unwrap_or(at);
        s.ends_at = Some(s.starts_at + Duration::hours(3));
        s.capacity = Some(80);
        s.venue = Some("镇政府会议室".to_owned());
        sessions.push(s);
    }
    db.insert_bulk(&sessions, &[]).await?;

    care_relations(
        db,
        &mut rng,
        &children,
        &guardians,
        &centers,
        &volunteers,
        &sessions,
        today,
    )
    .await?;
    db.analyze().await?;
    Ok((children.len(), guardians.len()))
}

/// How often generated children are visited and in contact with a parent.
struct VisitRates {
    /// Percent of children with a follow-up visit…
    visited: usize,
    /// …within this many days.
    visit_days: usize,
    /// One visit in this many notes an open safety concern.
    safety_concern_one_in: usize,
    /// Percent of children with a family contact with their father…
    contacted: usize,
    /// …within this many days.
    contact_days: usize,
}

/// A child's generated follow-up visit and family contact, each by chance.
fn visits_of(rng: &mut Lcg, child: &Child, father: &Guardian, today: NaiveDate, rates: &VisitRates) -> Vec<Visit> {
    let at = now();
    let days_ago = |n: usize| today - Duration::days(i64::try_from(n).unwrap_or(0));
    let recorded = |kind, mode, day| {
        let mut v = Visit::blank(Meta::new(at));
        v.child_id = child.meta.id;
        v.region_code = child.region_code.clone();
        v.kind = kind;
        v.mode = mode;
        v.occurred_on = day;
        v.recorded_by = "demo".to_owned();
        v
    };
    let mut visits = Vec::new();
    if rng.below(100) < rates.visited {
        let mut v = recorded(
            VisitKind::FollowUp,
            VisitMode::Home,
            days_ago(rng.below(rates.visit_days)),
        );
        v.visitor = Some("村儿童主任".to_owned());
        v.notes = Some("入户走访, 了解学习和生活情况".to_owned());
        if rng.below(rates.safety_concern_one_in) == 0 {
            v.concerns = vec![Concern::Safety];
            v.follow_up_needed = true;
            v.notes = Some("放学后独自在家, 住房临河".to_owned());
        } else if rng.below(6) == 0 {
            v.concerns = vec![Concern::Emotional];
            v.follow_up_needed = true;
        }
        visits.push(v);
    }
    if rng.below(100) < rates.contacted {
        let mode = if rng.below(3) == 0 {
            VisitMode::Video
        } else {
            VisitMode::Phone
        };
        let mut v = recorded(VisitKind::FamilyContact, mode, days_ago(rng.below(rates.contact_days)));
        v.guardian_id = Some(father.meta.id);
        v.notes = Some("亲情电话".to_owned());
        visits.push(v);
    }
    visits
}

/// The demo volunteer: the first approved one, whom the `volunteer` account signs in as.
const DEMO_VOLUNTEER: usize = 1;

/// Enrolments, pairings, visits, family contacts and training attendance, so
/// that every relation is there and every guarantee is both met and unmet.
#[allow(clippy::too_many_arguments)]
async fn care_relations(
    db: &Db,
    rng: &mut Lcg,
    children: &[Child],
    guardians: &[Guardian],
    centers: &[CareCenter],
    volunteers: &[Volunteer],
    sessions: &[TrainingSession],
    today: NaiveDate,
) -> anyhow::Result<()> {
    let at = now();
    let days_ago = |n: usize| today - Duration::days(i64::try_from(n).unwrap_or(0));

    // A third of the children attend the care place of their township, within its capacity.
    let mut enrollments = Vec::new();
    for center in centers.iter().filter(|c| c.region_code.ends_with("000")) {
        let township = &center.region_code[..9];
        let places = usize::try_from(center.capacity.unwrap_or(0))
            .unwrap_or(0)
            .saturating_sub(2);
        let pupils = children
            .iter()
            .enumerate()
            .filter(|(i, c)| i % 3 == 0 && c.region_code.starts_with(township))
            .take(places);
        for (i, child) in pupils {
            let mut e = Enrollment::blank(Meta::new(at));
            e.care_center_id = center.meta.id;
            e.child_id = child.meta.id;
            e.region_code = center.region_code.clone();
            e.kind = EnrollmentKind::ALL[i % EnrollmentKind::ALL.len()];
            e.since = days_ago(30 + rng.below(300));
            enrollments.push(e);
        }
    }
    db.insert_bulk(&enrollments, &[]).await?;

    // The demo volunteer mentors, parents and befriends three children of the first village.
    let mut pairings = Vec::new();
    let volunteer = &volunteers[DEMO_VOLUNTEER];
    let first_village = children
        .iter()
        .filter(|c| c.region_code == "522631101201")
        .take(PairingKind::ALL.len());
    for (kind, child) in PairingKind::ALL.iter().zip(first_village) {
        let mut p = Pairing::blank(Meta::new(at));
        p.volunteer_id = volunteer.meta.id;
        p.child_id = child.meta.id;
        p.region_code = volunteer.region_code.clone();
        p.kind = *kind;
        p.since = days_ago(60 + rng.below(200));
        p.notes = Some("每周六上午辅导作业、谈心".to_owned());
        pairings.push(p);
    }
    db.insert_bulk(&pairings, &[]).await?;

    // Follow-up visits (most recent, some overdue, a few with an open safety
    // concern) and family contacts with the father (about half recent).
    let rates = VisitRates {
        visited: 70,
        visit_days: 150,
        safety_concern_one_in: 15,
        contacted: 50,
        contact_days: 60,
    };
    let visits: Vec<Visit> = children
        .iter()
        .enumerate()
        .flat_map(|(i, child)| visits_of(rng, child, &guardians[2 * i], today, &rates))
        .collect();
    db.insert_bulk(&visits, &[]).await?;

    // Forty carers registered for the first guardian training, those who came checked in.
    let mut attendance = Vec::new();
    if let Some(session) = sessions.first() {
        for carer in guardians.iter().skip(1).step_by(2).take(40) {
            let mut a = Attendance::blank(Meta::new(at));
            a.training_session_id = session.meta.id;
            a.region_code = session.region_code.clone();
            a.attendee_kind = AttendeeKind::Guardian;
            a.attendee_id = carer.meta.id;
            if session.starts_at < at && rng.below(5) != 0 {
                a.checked_in_at =
                    Some(session.starts_at + Duration::minutes(i64::try_from(rng.below(30)).unwrap_or(0)));
            }
            attendance.push(a);
        }
    }
    db.insert_bulk(&attendance, &[]).await?;
    Ok(())
}

/// Generates `count` children with two guardians each, spread over generated
/// townships (20 villages each, about 1 000 children per village), with
/// follow-up visits, family contacts and a care centre per township where three
/// children in ten are enrolled, in batches.
pub async fn seed_synthetic(db: &Db, count: u64) -> anyhow::Result<()> {
    const BATCH: usize = 5_000;
    let count = usize::try_from(count)?;
    let villages_needed = count.div_ceil(1_000).max(1);
    let townships = villages_needed.div_ceil(20);
    anyhow::ensure!(townships <= 999, "at most 19 980 000 children");
    let mut regions = vec![
        Region::new("990100000000", "合成市"),
        Region::new("990101000000", "合成县"),
    ];
    let mut villages = Vec::new();
    for t in 0..townships {
        let tcode = format!("990101{:03}000", t + 1);
        regions.push(Region::new(&tcode, &format!("合成乡{}", t + 1)));
        for v in 0..20 {
            let vcode = format!("990101{:03}{:03}", t + 1, v + 201);
            regions.push(Region::new(&vcode, &format!("合成村{}-{}", t + 1, v + 1)));
            villages.push(vcode);
        }
    }
    let regions: Vec<Region> = regions.into_iter().flatten().collect();
    db.upsert_regions(&regions).await?;
    let mut rng = Lcg(count as u64);
    let today = Utc::now().date_naive();
    // One care centre per township, without a capacity, for enrolments.
    let centers: Vec<CareCenter> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Township)
        .map(|r| {
            let mut c = CareCenter::blank(Meta::new(now()));
            c.kind = CareCenterKind::CareCenter;
            c.name = format!("{}关爱中心", r.name);
            c.region_code = r.code.clone();
            c
        })
        .collect();
    db.insert_bulk(&centers, &[]).await?;
    let rates = VisitRates {
        visited: 85,
        visit_days: 120,
        safety_concern_one_in: 200,
        contacted: 60,
        contact_days: 45,
    };
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        // Each batch takes its own slice of villages so that ID numbers stay unique.
        let (mut children, mut guardians, mut links) = families(&mut rng, &villages, n, "990101", today);
        for (i, c) in children.iter_mut().enumerate() {
            let serial = done + i;
            c.region_code = villages[serial / 1_000 % villages.len()].clone();
            c.id_number = Some(id_number::compose(
                &format!("99{:04}", serial / 499 % 10_000),
                c.birth_date,
                u16::try_from(2 * (serial % 499)).unwrap_or(0),
                c.gender,
            ));
        }
        // Each child's two guardians and two links follow it, in order.
        for (i, (g, l)) in guardians.iter_mut().zip(links.iter_mut()).enumerate() {
            g.region_code = children[i / 2].region_code.clone();
            l.region_code = children[i / 2].region_code.clone();
        }
        db.insert_bulk(&guardians, &[]).await?;
        db.insert_bulk(&children, &[]).await?;
        db.insert_bulk(&links, &[]).await?;
        // Visits and family contacts for most, a care place for three in ten.
        let mut visits = Vec::new();
        let mut enrollments = Vec::new();
        for (i, child) in children.iter().enumerate() {
            visits.extend(visits_of(&mut rng, child, &guardians[2 * i], today, &rates));
            let township = &child.region_code[..9];
            if rng.below(10) < 3
                && let Some(center) = centers.iter().find(|c| c.region_code.starts_with(township))
            {
                let mut e = Enrollment::blank(Meta::new(now()));
                e.care_center_id = center.meta.id;
                e.child_id = child.meta.id;
                e.region_code = center.region_code.clone();
                e.kind = EnrollmentKind::AfterSchool;
                e.since = today - Duration::days(i64::try_from(30 + rng.below(300)).unwrap_or(30));
                enrollments.push(e);
            }
        }
        db.insert_bulk(&visits, &[]).await?;
        db.insert_bulk(&enrollments, &[]).await?;
        done += n;
        tracing::info!(done, elapsed_s = started.elapsed().as_secs(), "seeded");
    }
    let loaded = started.elapsed().as_secs_f64();
    db.analyze().await?;
    println!(
        "seeded {count} children, {} guardians in {loaded:.1} s (statistics refreshed in {:.1} s more)",
        count * 2,
        started.elapsed().as_secs_f64() - loaded
    );
    Ok(())
}
