//! Running an import: the file read into a sheet, each row read as a census
//! row, its village found in the importer's jurisdiction, and the row written
//! through the domain (`shouhu_domain::census`), in a unit of work of its
//! own (a savepoint). `reject_all` and dry runs hold every row in one outer
//! unit: it is kept only when every row was valid and the import is not a dry
//! run; `skip_row` commits its rows [`CHUNK`] at a time.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use shouhu_domain::census::{self as register, Outcome, Person, Refusal};
use shouhu_domain::enums::Relationship;
use shouhu_domain::ports::{RegionStore, Transactional};
use shouhu_domain::{Ctx, Error, Message, msg};
use shouhu_persistence::Db;

use super::census::{self, CensusRow, Field};
use super::sheet::{self, SheetError};

/// What to do with the valid rows when some are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum OnError {
    /// Write nothing unless every row is valid.
    RejectAll,
    /// Write the valid rows.
    SkipRow,
}

/// How an import runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Check every row, write nothing.
    pub dry_run: bool,
    /// What to do with the valid rows when some are not.
    pub on_error: OnError,
}

/// The counts of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Counts {
    /// Rows that hold anything.
    pub rows: u64,
    /// Rows that passed every check.
    pub valid: u64,
    /// Children registered (or, in a dry run or a refused `reject_all`, that would have been).
    pub created: u64,
    /// Children (or their guardians) changed.
    pub updated: u64,
    /// Rows that changed nothing.
    pub unchanged: u64,
    /// Rows refused.
    pub rejected: u64,
}

/// One problem of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The row as Excel numbers it (header = 1); 1 for the header row itself.
    pub row: u32,
    /// The column's header as written (empty for the row as a whole).
    pub column: String,
    /// A stable code.
    pub code: String,
    /// What is wrong.
    pub message: Message,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Its counts.
    pub counts: Counts,
    /// Whether the rows were written (false for a dry run, and for a
    /// `reject_all` import with an invalid row).
    pub written: bool,
    /// The headers read as no census column.
    pub ignored: Vec<String>,
    /// The problems, in row order.
    pub lines: Vec<Line>,
}

/// Why a file could not be imported at all.
#[derive(Debug)]
pub enum Failure {
    /// The file is not a sheet that can be read, or its header row is not a census's.
    Unreadable(Vec<Line>),
    /// Storage failed.
    Store(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Store(e)
    }
}

impl From<SheetError> for Failure {
    fn from(e: SheetError) -> Self {
        Self::Unreadable(vec![Line {
            row: 1,
            column: String::new(),
            code: e.code.to_owned(),
            message: e.message,
        }])
    }
}

/// Imports `bytes` as `ctx`; `progress(done, total)` is told after each row.
pub async fn import(
    db: &Db,
    ctx: &Ctx,
    bytes: &[u8],
    options: Options,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Report, Failure> {
    let sheet = sheet::read(bytes)?;
    let layout = census::layout(&sheet.headers).map_err(|problems| {
        Failure::Unreadable(
            problems
                .into_iter()
                .map(|p| Line {
                    row: 1,
                    column: p.column,
                    code: p.code.to_owned(),
                    message: p.message,
                })
                .collect(),
        )
    })?;
    let villages = Villages::of(db, ctx).await?;
    let mut report = Report {
        ignored: layout.ignored.clone(),
        ..Report::default()
    };
    let total = sheet.rows.len() as u64;
    let whole = options.dry_run || options.on_error == OnError::RejectAll;
    let mut outer = db.begin().await?;
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut elsewhere = Vec::new();
    let mut chunk: Vec<(CensusRow, register::Row)> = Vec::with_capacity(CHUNK);
    for (done, row) in sheet.rows.iter().enumerate() {
        report.counts.rows += 1;
        let read = census::read_row(&layout, &sheet.headers, row);
        match ready(&villages, &mut seen_ids, read) {
            Ok(ready) => chunk.push(ready),
            Err(rejected) => report.tally(row.number, Err(rejected), &mut elsewhere),
        }
        if chunk.len() < CHUNK && done + 1 < sheet.rows.len() {
            continue;
        }
        let (reads, rows): (Vec<CensusRow>, Vec<register::Row>) = std::mem::take(&mut chunk).into_iter().unzip();
        let outcomes = register::write_all(&outer, ctx, rows).await;
        for (read, outcome) in reads.iter().zip(outcomes) {
            report.tally(read.number, outcome.map_err(|r| refused(read, r)), &mut elsewhere);
        }
        if !whole {
            outer.commit().await?;
            outer = db.begin().await?;
        }
        progress(done as u64 + 1, total);
    }
    report.lines.sort_by_key(|l| l.row);
    report.written = !options.dry_run && (report.counts.rejected == 0 || options.on_error == OnError::SkipRow);
    if report.written {
        outer.commit().await?;
    } else {
        drop(outer);
    }
    // The matches are noted whatever became of the rows: the report told the
    // importer that those numbers are registered.
    for child in elsewhere {
        register::note_registered_elsewhere(db, ctx, child).await?;
    }
    Ok(report)
}

/// Rows are handed to the register this many at a time
/// (`census::write_all`), and a `skip_row` import commits them so (each row
/// in a savepoint of its own, so a refused row leaves the others) rather than
/// paying a commit, and its sync to disk, per row.
const CHUNK: usize = 250;

/// A refused row: its problems (their row set by the caller) and, when its ID
/// number is registered outside the importer's reach, that child.
struct Rejected {
    lines: Vec<Line>,
    elsewhere: Option<uuid::Uuid>,
}

impl Rejected {
    fn one(column: String, code: &str, message: Message) -> Self {
        Self {
            lines: vec![Line {
                row: 0,
                column,
                code: code.to_owned(),
                message,
            }],
            elsewhere: None,
        }
    }
}

impl Report {
    /// Counts a row's outcome (`number` as Excel numbers it), its problems in the report.
    fn tally(&mut self, number: u32, outcome: Result<Outcome, Rejected>, elsewhere: &mut Vec<uuid::Uuid>) {
        match outcome {
            Ok(outcome) => {
                self.counts.valid += 1;
                match outcome {
                    Outcome::Created => self.counts.created += 1,
                    Outcome::Updated => self.counts.updated += 1,
                    Outcome::Unchanged => self.counts.unchanged += 1,
                }
            }
            Err(Rejected {
                lines,
                elsewhere: holder,
            }) => {
                self.counts.rejected += 1;
                self.lines.extend(lines.into_iter().map(|mut l| {
                    l.row = number;
                    l
                }));
                elsewhere.extend(holder);
            }
        }
    }
}

/// Checks what can be checked of a row before the register is asked (its
/// cells, its village, its ID number not seen before in the file), and
/// makes it the row the register takes.
fn ready(
    villages: &Villages,
    seen_ids: &mut HashSet<String>,
    read: CensusRow,
) -> Result<(CensusRow, register::Row), Rejected> {
    let mut lines: Vec<Line> = read
        .problems
        .iter()
        .map(|p| Line {
            row: 0,
            column: p.column.clone(),
            code: p.code.to_owned(),
            message: p.message.clone(),
        })
        .collect();
    let region = match read.village.as_deref() {
        None => Err(("required", msg!("census.village_required"))),
        Some(v) => villages.find(v),
    };
    let region = match region {
        Ok(code) => Some(code),
        Err((code, message)) => {
            lines.extend(Rejected::one(read.village_column.clone(), code, message).lines);
            None
        }
    };
    let Some(region) = region.filter(|_| lines.is_empty()) else {
        return Err(Rejected { lines, elsewhere: None });
    };
    let mut child = read.child.clone();
    child.insert("region_code".to_owned(), Value::String(region));
    if let Some(id) = child.get("id_number").and_then(Value::as_str)
        && !seen_ids.insert(id.to_owned())
    {
        return Err(Rejected::one(
            read.header_of(Field::IdNumber),
            "duplicate_in_file",
            msg!("census.duplicate_in_file"),
        ));
    }
    let input = serde_json::from_value(Value::Object(child)).map_err(|e| {
        Rejected::one(
            String::new(),
            "invalid",
            msg!("census.unreadable_row", reason = e.to_string()),
        )
    })?;
    let people = people_of(&read);
    Ok((read, register::Row { child: input, people }))
}

/// The register's refusal of a row as report lines.
fn refused(read: &CensusRow, refusal: Refusal) -> Rejected {
    match refusal {
        Refusal::RegisteredElsewhere(holder) => Rejected {
            elsewhere: Some(holder),
            ..Rejected::one(
                read.header_of(Field::IdNumber),
                "registered_elsewhere",
                msg!("census.registered_elsewhere"),
            )
        },
        Refusal::Invalid { person, error } => rejected_by(read, person.map(|p| slots(read)[p]), error),
    }
}

/// Which of the row's people each written person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Father,
    Mother,
    Caregiver,
}

/// The slots of the people `people_of` makes, in its order.
fn slots(read: &CensusRow) -> Vec<Slot> {
    let (caregiver_is_father, caregiver_is_mother) = caregiver_is_parent(read);
    let mut out = Vec::new();
    if read.father.is_some() || caregiver_is_father {
        out.push(Slot::Father);
    }
    if read.mother.is_some() || caregiver_is_mother {
        out.push(Slot::Mother);
    }
    if read.caregiver.is_some() && !caregiver_is_father && !caregiver_is_mother {
        out.push(Slot::Caregiver);
    }
    out
}

/// Whether the caregiver is the father, or the mother, the row names (the same
/// name, or the parent's own columns left blank).
fn caregiver_is_parent(read: &CensusRow) -> (bool, bool) {
    let Some(c) = &read.caregiver else {
        return (false, false);
    };
    let same = |p: &Option<census::Person>| p.as_ref().is_none_or(|p| p.name == c.name);
    (
        c.relationship == Some(Relationship::Father) && same(&read.father),
        c.relationship == Some(Relationship::Mother) && same(&read.mother),
    )
}

/// The people a row names: each parent, and the caregiver (merged into the
/// parent it is).
fn people_of(read: &CensusRow) -> Vec<Person> {
    let (is_father, is_mother) = caregiver_is_parent(read);
    let person = |p: &census::Person, relationship: Relationship, primary: bool| Person {
        name: p.name.clone(),
        phone: p.phone.clone(),
        id_number: p.id_number.clone(),
        workplace: p.workplace.clone(),
        relationship,
        primary,
        agreement_signed_on: p.agreement_signed_on,
    };
    let merged = |parent: &Option<census::Person>, relationship| {
        let c = read.caregiver.clone().unwrap_or_default();
        let p = parent.clone().unwrap_or_default();
        Person {
            phone: c.phone.clone().or(p.phone.clone()),
            workplace: p.workplace.clone(),
            ..person(&c, relationship, true)
        }
    };
    let mut out = Vec::new();
    if is_father {
        out.push(merged(&read.father, Relationship::Father));
    } else if let Some(f) = &read.father {
        out.push(person(f, Relationship::Father, false));
    }
    if is_mother {
        out.push(merged(&read.mother, Relationship::Mother));
    } else if let Some(m) = &read.mother {
        out.push(person(m, Relationship::Mother, false));
    }
    if let Some(c) = read.caregiver.as_ref().filter(|_| !is_father && !is_mother) {
        out.push(person(c, c.relationship.unwrap_or(Relationship::Other), true));
    }
    out
}

/// A refusal of the register as report lines, each field named by its column.
fn rejected_by(read: &CensusRow, slot: Option<Slot>, error: Error) -> Rejected {
    let column = |field: &str| -> String {
        let census_field = match (slot, field) {
            (None, "name") => Some(Field::Name),
            (None, "gender") => Some(Field::Gender),
            (None, "id_number") => Some(Field::IdNumber),
            (None, "birth_date") => Some(Field::BirthDate),
            (None, "region_code") => Some(Field::Village),
            (None, "left_behind_type") => Some(Field::LeftBehindType),
            (None, "school_name") => Some(Field::SchoolName),
            (None, "school_stage") => Some(Field::SchoolStage),
            (None, "grade") => Some(Field::Grade),
            (None, "school_status") => Some(Field::SchoolStatus),
            (None, "boarding") => Some(Field::Boarding),
            (None, "health_notes") => Some(Field::HealthNotes),
            (Some(Slot::Father), "name") => Some(Field::FatherName),
            (Some(Slot::Father), "phone") => Some(Field::FatherPhone),
            (Some(Slot::Father), "work_location" | "is_working_away") => Some(Field::FatherWorkplace),
            (Some(Slot::Mother), "name") => Some(Field::MotherName),
            (Some(Slot::Mother), "phone") => Some(Field::MotherPhone),
            (Some(Slot::Mother), "work_location" | "is_working_away") => Some(Field::MotherWorkplace),
            (Some(_), "relationship") => Some(Field::CaregiverRelationship),
            (Some(_), "agreement_signed_on") => Some(Field::AgreementDate),
            (Some(Slot::Caregiver), "name") => Some(Field::CaregiverName),
            (Some(Slot::Caregiver), "phone") => Some(Field::CaregiverPhone),
            (Some(_), "id_number") => Some(Field::CaregiverIdNumber),
            _ => None,
        };
        census_field.map_or_else(|| field.to_owned(), |f| read.header_of(f))
    };
    let line = |column: String, code: &str, message: Message| Line {
        row: 0,
        column,
        code: code.to_owned(),
        message,
    };
    let lines = match error {
        Error::Validation(fields) | Error::InvalidParameters(fields) => fields
            .into_iter()
            .map(|f| line(column(&f.field), &f.code, f.message))
            .collect(),
        Error::Conflict { field, message } => {
            vec![line(
                field.as_deref().map(column).unwrap_or_default(),
                "conflict",
                message,
            )]
        }
        Error::Forbidden(message) => vec![line(String::new(), "forbidden", message)],
        Error::TooManyRequests { message, .. } => vec![line(String::new(), "too_many_requests", message)],
        Error::NotFound => vec![line(String::new(), "not_found", msg!("census.not_found"))],
        other => {
            tracing::error!("import row {}: {other}", read.number);
            vec![line(String::new(), "internal", msg!("census.internal"))]
        }
    };
    Rejected { lines, elsewhere: None }
}

/// The villages of the importer's jurisdiction, by name and by code.
struct Villages {
    by_name: HashMap<String, Vec<String>>,
    codes: HashSet<String>,
}

/// At most this many regions are read to name the villages of a jurisdiction
/// (a county and its townships hold a few hundred); above, villages go by code.
const MAX_REGIONS: usize = 20_000;

impl Villages {
    async fn of(db: &Db, ctx: &Ctx) -> Result<Self, Error> {
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        let mut codes = HashSet::new();
        let root = ctx.region_code.clone();
        let mut queue = vec![root.clone()];
        if let Some(region) = db.region(&root).await? {
            by_name
                .entry(region.name.clone())
                .or_default()
                .push(region.code.clone());
            codes.insert(region.code);
        }
        let mut read = 0;
        while let Some(code) = queue.pop() {
            if read >= MAX_REGIONS {
                break;
            }
            for region in db.regions(Some(&code)).await? {
                read += 1;
                by_name
                    .entry(region.name.clone())
                    .or_default()
                    .push(region.code.clone());
                codes.insert(region.code.clone());
                queue.push(region.code);
            }
        }
        Ok(Self { by_name, codes })
    }

    /// The code of a village written as a name or a 12-digit code.
    fn find(&self, written: &str) -> Result<String, (&'static str, Message)> {
        let written = written.trim();
        if written.len() == 12 && written.bytes().all(|b| b.is_ascii_digit()) {
            return if self.codes.contains(written) {
                Ok(written.to_owned())
            } else {
                Err(("unknown_village", msg!("census.unknown_village", village = written)))
            };
        }
        match self.by_name.get(written).map(Vec::as_slice) {
            Some([code]) => Ok(code.clone()),
            Some([_, _, ..]) => Err(("ambiguous_village", msg!("census.ambiguous_village", village = written))),
            _ => Err(("unknown_village", msg!("census.unknown_village", village = written))),
        }
    }
}

/// The context an account works in (`None` for no such enabled account).
pub async fn ctx_of_account(
    db: &Db,
    username: &str,
    rules: shouhu_domain::guarantee::Rules,
    channel: &str,
) -> Result<Option<Ctx>, Error> {
    use shouhu_domain::ports::AccountStore;
    let Some(account) = db
        .account_by_username(username)
        .await?
        .filter(|a| !a.disabled && !a.is_client)
    else {
        return Ok(None);
    };
    Ok(Some(Ctx {
        subject: account.id.to_string(),
        role: account.role,
        department: account.department,
        organization_id: account.organization_id,
        region_code: account.region_code,
        request_id: uuid::Uuid::now_v7().to_string(),
        client_request_id: None,
        channel: channel.to_owned(),
        rules,
        volunteer_children: Vec::new(),
        // An import answers with row numbers and codes, never with the
        // records it wrote: nothing of them goes out to be logged as read.
        service_logs_reads: false,
    }))
}

/// A report line as text: `row 3, 身份证号: invalid_check_digit: 校验码不符（GB 11643）`.
pub fn line_text(line: &Line) -> String {
    let message = crate::i18n::render_in(crate::i18n::Lang::ZhCn, &line.message);
    if line.column.is_empty() {
        format!("row {}: {}: {message}", line.row, line.code)
    } else {
        format!("row {}, {}: {}: {message}", line.row, line.column, line.code)
    }
}
