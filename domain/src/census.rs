//! A census row written to the register (contract §10): the child it names,
//! created or, when its resident ID number is already registered in the
//! caller's jurisdiction (or, for a row without one, a child of that name and
//! birth date is registered in that village), updated (only what changed); the parents and the
//! primary caregiver it names, matched to guardians already registered or
//! created, and linked to the child. Every write goes through the same
//! service calls as the API's, so a row is validated as the API validates it,
//! within the caller's jurisdiction and role; the caller runs a row in a unit
//! of work of its own, so that a row is written whole or not at all.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::audit::{AccessLog, AccessReason, AccessRecord};
use crate::child::{Child, ChildInput};
use crate::ctx::Ctx;
use crate::enums::{Gender, Relationship};
use crate::error::{Error, Result};
use crate::fields::Patch;
use crate::guardian::{Guardian, GuardianInput};
use crate::guardianship::{Guardianship, GuardianshipInput};
use crate::id_number::IdNumber;
use crate::policy;
use crate::ports::{LimitedInsert, Repository, Store};
use crate::resource::{Condition, Event, ListQuery, PageRequest, Resource};
use crate::{nested, service};

/// A parent or the primary caregiver a row names.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Mobile number, when given.
    pub phone: Option<String>,
    /// Resident ID number, when given.
    pub id_number: Option<String>,
    /// Where they work away: `Some(None)` = at home, `None` = not said.
    pub workplace: Option<Option<String>>,
    /// How they are related to the child.
    pub relationship: Relationship,
    /// The primary caregiver (lives with the child).
    pub primary: bool,
    /// When the guardianship agreement was signed, when given.
    pub agreement_signed_on: Option<NaiveDate>,
}

/// A census row as the register takes it.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The child's fields, as a create or a patch sends them (`region_code` the village's code).
    pub child: ChildInput,
    /// The people it names.
    pub people: Vec<Person>,
}

/// What writing a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new child was registered.
    Created,
    /// A child already registered, or its guardians, changed.
    Updated,
    /// Everything was as the row says.
    Unchanged,
}

/// Why a row was not written, beyond what the API's own checks say.
#[derive(Debug)]
pub enum Refusal {
    /// Its ID number belongs to a child outside the caller's reach (whose id
    /// this is: the caller learnt that the number is registered, which the
    /// read log must note).
    RegisteredElsewhere(Uuid),
    /// A rule of the register, as the API reports it, broken by the child
    /// (`person` is `None`) or by the row's `person`-th person.
    Invalid {
        /// Which person, by its place in `Row::people`.
        person: Option<usize>,
        /// The refusal.
        error: Error,
    },
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Self::Invalid { person: None, error }
    }
}

/// Notes in the read log that the caller learnt a child's ID number is
/// registered (as the API's 409 does, see `uniqueness`).
pub async fn note_registered_elsewhere<S: AccessLog>(store: &S, ctx: &Ctx, child: Uuid) -> Result<()> {
    let entry = AccessRecord::by(
        ctx,
        AccessReason::IdNumberMatch,
        vec!["id_number".to_owned()],
        vec![child],
    );
    store.record_access(&entry).await
}

/// The first record matching `conditions` (whatever the caller's reach).
async fn first<T: Resource, S: Repository<T>>(store: &S, conditions: Vec<Condition>) -> Result<Option<T>> {
    let query = ListQuery {
        conditions,
        page: PageRequest { after: None, limit: 1 },
    };
    Ok(store.list(&query).await?.into_iter().next())
}

/// Whether the caller reaches the record as a read of it would.
fn reachable<T: Resource>(ctx: &Ctx, record: &T) -> bool {
    policy::can_read(ctx, T::KIND) && ctx.covers(record.region_code()) && ctx.reaches(T::KIND, record.meta().id)
}

/// Writes one row: see the module's documentation.
pub async fn write<S>(store: &S, ctx: &Ctx, row: Row) -> std::result::Result<Outcome, Refusal>
where
    S: Store + LimitedInsert<Guardianship, Child>,
{
    let id_number = match &row.child.id_number {
        Patch::Value(n) => Some(n.trim().to_ascii_uppercase()),
        _ => None,
    };
    let existing = match (
        &id_number,
        &row.child.name,
        &row.child.birth_date,
        &row.child.region_code,
    ) {
        (Some(n), ..) => first::<Child, S>(store, vec![Condition::Eq("id_number", n.clone())]).await?,
        // Without an ID number, the child of that name and birth date in that village.
        (None, Patch::Value(name), Patch::Value(born), Patch::Value(village)) => {
            let conditions = vec![
                Condition::Eq("name", name.clone()),
                Condition::Eq("region_code", village.clone()),
                Condition::DateAtOrBefore("birth_date", *born),
                Condition::DateAfter("birth_date", born.pred_opt().unwrap_or(*born)),
            ];
            first::<Child, S>(store, conditions)
                .await?
                .filter(|c| reachable(ctx, c))
        }
        _ => None,
    };
    let (child, mut outcome) = match existing {
        Some(found) if !reachable(ctx, &found) => return Err(Refusal::RegisteredElsewhere(found.meta.id)),
        Some(found) => {
            let version = found.meta.version;
            let updated = service::update::<Child, S>(store, ctx, found.meta.id, version, row.child).await?;
            let outcome = if updated.meta.version == version {
                Outcome::Unchanged
            } else {
                Outcome::Updated
            };
            (updated, outcome)
        }
        None => (
            service::create::<Child, S>(store, ctx, row.child).await?,
            Outcome::Created,
        ),
    };
    let mut links: Vec<Guardianship> = if outcome == Outcome::Created {
        Vec::new()
    } else {
        let links = store.guardianships_of_children(&[child.meta.id]).await?;
        links.into_iter().filter(|g| g.ended_on.is_none()).collect()
    };
    for (i, person) in row.people.into_iter().enumerate() {
        let changed = link_person(store, ctx, &child, &mut links, person)
            .await
            .map_err(|error| Refusal::Invalid { person: Some(i), error })?;
        if changed && outcome == Outcome::Unchanged {
            outcome = Outcome::Updated;
        }
    }
    Ok(outcome)
}

/// Writes the rows of a chunk of an import, each in a unit of its own, with
/// the outcome [`write`] gives it, in the rows' order.
///
/// A row that registers a new child (its ID number on no record) with people
/// who match no guardian on record, and that shares no ID number, child's name
/// and birth date, or person's name in the village with another row of the chunk, depends on
/// no other row: such rows are checked one by one exactly as `write` checks
/// them, and stored together in a few statements. Every other row, and those
/// too when one of them is refused or storing them together fails, goes
/// through `write`, one row after another.
pub async fn write_all<S>(store: &S, ctx: &Ctx, rows: Vec<Row>) -> Vec<std::result::Result<Outcome, Refusal>>
where
    S: Store + LimitedInsert<Guardianship, Child>,
{
    let alone = depends(store, &rows).await.unwrap_or_else(|_| vec![true; rows.len()]);
    let mut staged = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if !alone[index]
            && let Some(s) = stage(store, ctx, index, row).await
        {
            staged.push(s);
        }
    }
    let mut together = vec![false; rows.len()];
    if !staged.is_empty() && store_together(store, ctx, &staged).await.is_ok() {
        for s in &staged {
            together[s.index] = true;
        }
    }
    let mut outcomes = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        outcomes.push(if together[index] {
            Ok(Outcome::Created)
        } else {
            write_alone(store, ctx, row).await
        });
    }
    outcomes
}

/// [`write`] in a unit of its own.
async fn write_alone<S>(store: &S, ctx: &Ctx, row: Row) -> std::result::Result<Outcome, Refusal>
where
    S: Store + LimitedInsert<Guardianship, Child>,
{
    let unit = store.begin().await?;
    let outcome = write(&unit, ctx, row).await?;
    unit.commit().await?;
    Ok(outcome)
}

/// What ties a row to records on file or to other rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    ChildIdNumber(String),
    ChildNameBorn(String, NaiveDate, String),
    GuardianIdNumber(String),
    GuardianName(String, String),
}

fn normal(id_number: &str) -> String {
    id_number.trim().to_ascii_uppercase()
}

/// The keys of a row, and whether it registers a child with an ID number.
fn keys_of(row: &Row) -> (Vec<Key>, bool) {
    let mut keys = Vec::new();
    let id_number = match &row.child.id_number {
        Patch::Value(n) => Some(normal(n)),
        _ => None,
    };
    if let Some(n) = &id_number {
        keys.push(Key::ChildIdNumber(n.clone()));
    }
    let village = match &row.child.region_code {
        Patch::Value(v) => v.clone(),
        _ => String::new(),
    };
    if let (Patch::Value(name), Patch::Value(born)) = (&row.child.name, &row.child.birth_date) {
        keys.push(Key::ChildNameBorn(name.clone(), *born, village.clone()));
    }
    for person in &row.people {
        if let Some(n) = &person.id_number {
            keys.push(Key::GuardianIdNumber(normal(n)));
        }
        keys.push(Key::GuardianName(person.name.clone(), village.clone()));
    }
    (keys, id_number.is_some())
}

/// Whether each row must be written alone: it updates a child, names a
/// guardian on record (by ID number, or by name in the child's village),
/// lacks an ID number, or shares a key with another row.
async fn depends<S: Store>(store: &S, rows: &[Row]) -> Result<Vec<bool>> {
    let keyed: Vec<(Vec<Key>, bool)> = rows.iter().map(keys_of).collect();
    let mut seen: HashMap<&Key, usize> = HashMap::new();
    for (keys, _) in &keyed {
        for k in keys {
            *seen.entry(k).or_default() += 1;
        }
    }
    let of = |pick: fn(&Key) -> Option<&String>| -> Vec<String> {
        let mut v: Vec<String> = seen.keys().filter_map(|k| pick(k).cloned()).collect();
        v.sort();
        v
    };
    let mut on_file: HashSet<Key> = HashSet::new();
    let numbers = of(|k| matches!(k, Key::ChildIdNumber(_)).then_some(k).and_then(key_text));
    for c in all_where::<Child, S>(store, Condition::In("id_number", numbers)).await? {
        on_file.extend(c.id_number.map(|n| Key::ChildIdNumber(normal(&n))));
    }
    let numbers = of(|k| matches!(k, Key::GuardianIdNumber(_)).then_some(k).and_then(key_text));
    for g in all_where::<Guardian, S>(store, Condition::In("id_number", numbers)).await? {
        on_file.extend(g.id_number.map(|n| Key::GuardianIdNumber(normal(&n))));
    }
    let names = of(|k| matches!(k, Key::GuardianName(..)).then_some(k).and_then(key_text));
    for g in all_where::<Guardian, S>(store, Condition::In("name", names)).await? {
        on_file.insert(Key::GuardianName(g.name, g.region_code));
    }
    Ok(keyed
        .iter()
        .map(|(keys, numbered)| !numbered || keys.iter().any(|k| seen[k] > 1 || on_file.contains(k)))
        .collect())
}

fn key_text(k: &Key) -> Option<&String> {
    match k {
        Key::ChildIdNumber(t) | Key::GuardianIdNumber(t) | Key::GuardianName(t, _) => Some(t),
        Key::ChildNameBorn(..) => None,
    }
}

/// Every record whose `column` is one of `values` (whatever the caller's reach).
async fn all_where<T: Resource, S: Repository<T>>(store: &S, condition: Condition) -> Result<Vec<T>> {
    if matches!(&condition, Condition::In(_, v) if v.is_empty()) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let query = ListQuery {
            conditions: vec![condition.clone()],
            page: PageRequest { after, limit: 1000 },
        };
        let page = store.list(&query).await?;
        let full = page.len() == 1000;
        after = page.last().map(|r| r.meta().id);
        out.extend(page);
        if !full {
            return Ok(out);
        }
    }
}

/// A row checked to be stored with others: its child and people, each with
/// the event of its creation, and the guardianship each person has.
struct Staged {
    index: usize,
    child: (Child, Event),
    people: Vec<((Guardian, Event), Person)>,
}

/// A row that depends on no other checked as `write` checks it (`None`
/// when any of it is refused: `write` then says why).
async fn stage<S: Store>(store: &S, ctx: &Ctx, index: usize, row: &Row) -> Option<Staged> {
    let child = service::prepare_create::<Child, S>(store, ctx, row.child.clone())
        .await
        .ok()?;
    let mut people = Vec::with_capacity(row.people.len());
    for person in &row.people {
        let input = guardian_patch(person, Some(&child.0.region_code));
        let guardian = service::prepare_create::<Guardian, S>(store, ctx, input).await.ok()?;
        people.push((guardian, person.clone()));
    }
    Some(Staged { index, child, people })
}

/// Stores staged rows together, their guardianships checked as `write`
/// checks them once their children and guardians are stored; nothing of them
/// when anything fails.
async fn store_together<S: Store>(store: &S, ctx: &Ctx, staged: &[Staged]) -> Result<()> {
    let unit = store.begin().await?;
    let (children, events): (Vec<Child>, Vec<Event>) = staged.iter().map(|s| s.child.clone()).unzip();
    Repository::<Child>::insert_many(&unit, &children, &events).await?;
    let (guardians, events): (Vec<Guardian>, Vec<Event>) = staged
        .iter()
        .flat_map(|s| s.people.iter().map(|(g, _)| g.clone()))
        .unzip();
    Repository::<Guardian>::insert_many(&unit, &guardians, &events).await?;
    let mut links = Vec::with_capacity(guardians.len());
    let mut events = Vec::with_capacity(guardians.len());
    for s in staged {
        for ((guardian, _), person) in &s.people {
            let input = link_of(person, guardian.meta.id);
            let (link, ev) = nested::prepare_create::<Guardianship, S>(&unit, ctx, &s.child.0, input).await?;
            links.push(link);
            events.push(ev);
        }
    }
    Repository::<Guardianship>::insert_many(&unit, &links, &events).await?;
    unit.commit().await
}

/// Matches, creates or updates one person and their link to the child;
/// whether anything changed.
async fn link_person<S>(
    store: &S,
    ctx: &Ctx,
    child: &Child,
    links: &mut Vec<Guardianship>,
    person: Person,
) -> Result<bool>
where
    S: Store + LimitedInsert<Guardianship, Child>,
{
    let found = find_guardian(store, ctx, child, links, &person).await?;
    let mut changed = false;
    let guardian = match found {
        Some(g) => {
            let version = g.meta.version;
            let updated =
                service::update::<Guardian, S>(store, ctx, g.meta.id, version, guardian_patch(&person, None)).await?;
            changed |= updated.meta.version != version;
            updated
        }
        None => {
            changed = true;
            service::create::<Guardian, S>(store, ctx, guardian_patch(&person, Some(&child.region_code))).await?
        }
    };
    let link = link_of(&person, guardian.meta.id);
    if person.primary {
        // One primary caregiver per child: the one named before steps down.
        for other in links
            .iter_mut()
            .filter(|l| l.is_primary_caregiver && l.guardian_id != guardian.meta.id)
        {
            let patch = GuardianshipInput {
                is_primary_caregiver: Patch::Value(false),
                ..GuardianshipInput::default()
            };
            *other = nested::update::<Guardianship, S>(store, ctx, other.meta.id, other.meta.version, patch).await?;
            changed = true;
        }
    }
    match links.iter_mut().find(|l| l.guardian_id == guardian.meta.id) {
        Some(current) => {
            let version = current.meta.version;
            let patch = GuardianshipInput {
                guardian_id: Patch::Absent,
                ..link
            };
            *current = nested::update::<Guardianship, S>(store, ctx, current.meta.id, version, patch).await?;
            changed |= current.meta.version != version;
        }
        None => {
            let made = nested::create::<Guardianship, S>(store, ctx, child.meta.id, link, Uuid::now_v7()).await?;
            links.push(made);
            changed = true;
        }
    }
    Ok(changed)
}

/// The guardianship a row's person has with the child, as a create sends it.
fn link_of(person: &Person, guardian_id: Uuid) -> GuardianshipInput {
    GuardianshipInput {
        guardian_id: Patch::Value(guardian_id),
        relationship: Patch::Value(person.relationship),
        is_primary_caregiver: Patch::Value(person.primary),
        lives_with_child: Patch::Value(person.primary || person.workplace == Some(None)),
        agreement_signed_on: person.agreement_signed_on.map_or(Patch::Absent, Patch::Value),
        ..GuardianshipInput::default()
    }
}

/// The guardian a row's person is: the child's own father or mother on record,
/// the one of the child's guardians with that name, the guardian with that ID
/// number, or the one of that name and phone in the child's village.
async fn find_guardian<S: Store>(
    store: &S,
    ctx: &Ctx,
    child: &Child,
    links: &[Guardianship],
    person: &Person,
) -> Result<Option<Guardian>> {
    let linked: Vec<Uuid> = links.iter().map(|l| l.guardian_id).collect();
    let of_child = Repository::<Guardian>::find_many(store, &linked).await?;
    let by_relationship = links
        .iter()
        .filter(|l| {
            matches!(person.relationship, Relationship::Father | Relationship::Mother)
                && l.relationship == person.relationship
        })
        .find_map(|l| of_child.iter().find(|g| g.meta.id == l.guardian_id));
    if let Some(g) = by_relationship.or_else(|| of_child.iter().find(|g| g.name == person.name)) {
        return Ok(Some(g.clone()));
    }
    if let Some(n) = &person.id_number {
        let found =
            first::<Guardian, S>(store, vec![Condition::Eq("id_number", n.trim().to_ascii_uppercase())]).await?;
        if let Some(g) = found.filter(|g| reachable(ctx, g)) {
            return Ok(Some(g));
        }
    }
    if let Some(phone) = &person.phone {
        let found = first::<Guardian, S>(
            store,
            vec![
                Condition::Eq("name", person.name.clone()),
                Condition::Eq("phone", phone.clone()),
                Condition::Eq("region_code", child.region_code.clone()),
            ],
        )
        .await?;
        return Ok(found.filter(|g| reachable(ctx, g)));
    }
    Ok(None)
}

/// What the row says of a person, as a guardian's create (with `region`) or patch.
fn guardian_patch(person: &Person, region: Option<&str>) -> GuardianInput {
    let given = |v: &Option<String>| v.clone().map_or(Patch::Absent, Patch::Value);
    let gender = match person.relationship {
        Relationship::Father | Relationship::Grandfather => Some(Gender::Male),
        Relationship::Mother | Relationship::Grandmother => Some(Gender::Female),
        _ => person
            .id_number
            .as_deref()
            .and_then(|n| IdNumber::parse(n).ok())
            .map(|n| n.gender()),
    };
    let (working_away, workplace) = match &person.workplace {
        Some(Some(place)) => (Patch::Value(true), Patch::Value(place.clone())),
        Some(None) => (Patch::Value(false), Patch::Null),
        None => (Patch::Absent, Patch::Absent),
    };
    GuardianInput {
        name: Patch::Value(person.name.clone()),
        gender: gender.map_or(Patch::Absent, Patch::Value),
        phone: given(&person.phone),
        id_number: given(&person.id_number),
        region_code: region.map_or(Patch::Absent, |r| Patch::Value(r.to_owned())),
        is_working_away: working_away,
        work_location: workplace,
        ..GuardianInput::default()
    }
}
