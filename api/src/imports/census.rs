//! The county census sheet's columns: which header means which field, and how
//! each cell reads. A row becomes the child's fields (as a create or a patch
//! would send them), the village as written, and the parents and primary
//! caregiver it names; every cell that cannot be read is a problem of that
//! row, naming the column by its header as written. Nothing here touches the
//! register: the rules the API applies are applied when the row is written.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Map, Value, json};
use shouhu_domain::enums::{Gender, LeftBehindType, Relationship, SchoolStage, SchoolStatus, StrEnum};
use shouhu_domain::id_number::IdNumber;
use shouhu_domain::{Message, msg};

use super::sheet::{Cell, Row};
use super::workbook::TemplateColumn;
use crate::i18n::{Lang, text_in};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Gender,
    IdNumber,
    BirthDate,
    Village,
    LeftBehindType,
    SchoolName,
    SchoolStage,
    Grade,
    SchoolStatus,
    Boarding,
    HealthNotes,
    MinimumLivingAllowance,
    SpecialHardship,
    FatherName,
    FatherPhone,
    FatherWorkplace,
    MotherName,
    MotherPhone,
    MotherWorkplace,
    CaregiverName,
    CaregiverRelationship,
    CaregiverPhone,
    CaregiverIdNumber,
    AgreementDate,
    Notes,
}

/// One column of the census: its Chinese header, the other names it goes by.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// What it holds.
    pub field: Field,
    /// Its header in the county's sheet (and in the template).
    pub zh: &'static str,
    /// Other headers read as this column: the REST field name first, then other usual names.
    pub aliases: &'static [&'static str],
}

const fn column(field: Field, zh: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { field, zh, aliases }
}

/// The census columns, in the template's order.
pub const COLUMNS: &[Column] = &[
    column(Field::Name, "姓名", &["name", "儿童姓名"]),
    column(Field::Gender, "性别", &["gender"]),
    column(
        Field::IdNumber,
        "身份证号",
        &["id_number", "身份证号码", "公民身份号码"],
    ),
    column(Field::BirthDate, "出生日期", &["birth_date", "出生年月日"]),
    column(
        Field::Village,
        "所在村",
        &["region_code", "village", "村", "所在村（社区）"],
    ),
    column(Field::LeftBehindType, "留守类型", &["left_behind_type"]),
    column(Field::SchoolName, "就读学校", &["school_name", "学校"]),
    column(Field::SchoolStage, "学段", &["school_stage"]),
    column(Field::Grade, "年级", &["grade", "班级"]),
    column(Field::SchoolStatus, "就学状态", &["school_status"]),
    column(Field::Boarding, "是否寄宿", &["boarding", "寄宿"]),
    column(Field::FatherName, "父亲姓名", &["father_name"]),
    column(Field::FatherPhone, "父亲电话", &["father_phone", "父亲联系电话"]),
    column(
        Field::FatherWorkplace,
        "父亲务工地",
        &["father_work_location", "父亲务工地点"],
    ),
    column(Field::MotherName, "母亲姓名", &["mother_name"]),
    column(Field::MotherPhone, "母亲电话", &["mother_phone", "母亲联系电话"]),
    column(
        Field::MotherWorkplace,
        "母亲务工地",
        &["mother_work_location", "母亲务工地点"],
    ),
    column(
        Field::CaregiverName,
        "监护人姓名",
        &["caregiver_name", "guardian_name", "实际监护人姓名"],
    ),
    column(
        Field::CaregiverRelationship,
        "与儿童关系",
        &["caregiver_relationship", "relationship", "与儿童关系（监护人）"],
    ),
    column(
        Field::CaregiverPhone,
        "监护人电话",
        &["caregiver_phone", "guardian_phone", "监护人联系电话"],
    ),
    column(
        Field::CaregiverIdNumber,
        "监护人身份证号",
        &["caregiver_id_number", "guardian_id_number"],
    ),
    column(Field::AgreementDate, "责任书签订日期", &["agreement_signed_on"]),
    column(Field::Notes, "备注", &["notes"]),
    column(Field::HealthNotes, "健康状况", &["health_notes"]),
    column(Field::MinimumLivingAllowance, "享受低保", &["minimum_living_allowance"]),
    column(Field::SpecialHardship, "特困供养", &["special_hardship"]),
];

/// A cell, or a whole sheet, that cannot be read as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The column's header as written (empty for the row or the file as a whole).
    pub column: String,
    /// A stable code.
    pub code: &'static str,
    /// What is wrong and what to do.
    pub message: Message,
}

impl Problem {
    fn new(column: &str, code: &'static str, message: Message) -> Self {
        Self {
            column: column.to_owned(),
            code,
            message,
        }
    }
}

/// Which census column each header of a sheet is, and the headers that are none.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per header position: its column, or `None` when it is ignored.
    pub fields: Vec<Option<Field>>,
    /// The headers read as no column (ignored, and said so in the report).
    pub ignored: Vec<String>,
}

impl Layout {
    /// Whether the sheet has the column.
    pub fn has(&self, field: Field) -> bool {
        self.fields.contains(&Some(field))
    }
}

/// A header as compared: without spaces, full-width parentheses as ASCII, the
/// `*` that marks a required column, and in lower case.
fn normalized(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// The census column a header names, if any.
pub fn column_of(header: &str) -> Option<Field> {
    let h = normalized(header);
    COLUMNS
        .iter()
        .find(|c| normalized(c.zh) == h || c.aliases.iter().any(|a| normalized(a) == h))
        .map(|c| c.field)
}

/// Reads the header row. A column named twice, or a sheet without 姓名 or
/// 所在村, cannot be imported: each is a problem of the file.
pub fn layout(headers: &[String]) -> Result<Layout, Vec<Problem>> {
    let mut fields = Vec::with_capacity(headers.len());
    let mut ignored = Vec::new();
    let mut problems = Vec::new();
    for header in headers {
        let field = column_of(header);
        if let Some(f) = field
            && fields.contains(&Some(f))
        {
            problems.push(Problem::new(
                header,
                "duplicate_column",
                msg!("census.duplicate_column"),
            ));
        }
        if field.is_none() && !header.is_empty() {
            ignored.push(header.clone());
        }
        fields.push(field);
    }
    for required in [Field::Name, Field::Village] {
        if !fields.contains(&Some(required)) {
            let zh = COLUMNS.iter().find(|c| c.field == required).map_or("", |c| c.zh);
            problems.push(Problem::new(
                zh,
                "missing_column",
                msg!("census.missing_column", column = zh),
            ));
        }
    }
    if problems.is_empty() {
        Ok(Layout { fields, ignored })
    } else {
        Err(problems)
    }
}

/// A parent or the caregiver as a row names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Mobile number, when given.
    pub phone: Option<String>,
    /// Resident ID number, when given (the caregiver's column only).
    pub id_number: Option<String>,
    /// Where they work away: `Some(None)` when the sheet has the column and it
    /// is blank (they are at home), `None` when it has no such column.
    pub workplace: Option<Option<String>>,
    /// How they are related to the child (a parent's follows from the column).
    pub relationship: Option<Relationship>,
    /// When the guardianship agreement was signed (the caregiver's).
    pub agreement_signed_on: Option<NaiveDate>,
}

/// A row read: the child's fields, the village as written, the people it names.
#[derive(Debug, Clone, Default)]
pub struct CensusRow {
    /// As Excel numbers it (the header is row 1).
    pub number: u32,
    /// The child's fields as the API takes them (`region_code` not among them:
    /// see `village`). A blank cell is left out: it changes nothing of a child
    /// already registered (yes/no columns excepted: blank is no).
    pub child: Map<String, Value>,
    /// The village as written: a name or a 12-digit code.
    pub village: Option<String>,
    /// The village column's header as written.
    pub village_column: String,
    /// The father, when named.
    pub father: Option<Person>,
    /// The mother, when named.
    pub mother: Option<Person>,
    /// The primary caregiver (lives with the child), when named.
    pub caregiver: Option<Person>,
    /// The cells that could not be read.
    pub problems: Vec<Problem>,
    /// The header each field was read from, to name it in the report.
    pub headers: Vec<(Field, String)>,
}

impl CensusRow {
    /// The header the row's field was read from (the Chinese one when the sheet has none).
    pub fn header_of(&self, field: Field) -> String {
        self.headers
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, h)| h.clone())
            .or_else(|| COLUMNS.iter().find(|c| c.field == field).map(|c| c.zh.to_owned()))
            .unwrap_or_default()
    }
}

/// Reads one row of a sheet laid out as `layout`, whose headers are `headers`.
pub fn read_row(layout: &Layout, headers: &[String], row: &Row) -> CensusRow {
    let mut out = CensusRow {
        number: row.number,
        ..CensusRow::default()
    };
    let mut father = Person::default();
    let mut mother = Person::default();
    let mut caregiver = Person::default();
    let mut reader = Reader { problems: Vec::new() };
    for ((field, header), cell) in layout.fields.iter().zip(headers).zip(&row.cells) {
        let Some(field) = *field else { continue };
        out.headers.push((field, header.clone()));
        let r = &mut reader;
        match field {
            Field::Name => required(&mut out.child, "name", r.text(header, cell).map(Value::String)),
            Field::Gender => required(
                &mut out.child,
                "gender",
                r.choice::<Gender>(header, cell, "enum.gender"),
            ),
            Field::IdNumber => required(&mut out.child, "id_number", r.id_number(header, cell)),
            Field::BirthDate => required(&mut out.child, "birth_date", r.date(header, cell).map(|d| json!(d))),
            Field::Village => {
                out.village = r.text(header, cell);
                out.village_column.clone_from(header);
            }
            Field::LeftBehindType => required(
                &mut out.child,
                "left_behind_type",
                r.choice::<LeftBehindType>(header, cell, "enum.left_behind_type"),
            ),
            Field::SchoolName => required(&mut out.child, "school_name", r.text(header, cell).map(Value::String)),
            Field::SchoolStage => required(
                &mut out.child,
                "school_stage",
                r.choice::<SchoolStage>(header, cell, "enum.school_stage"),
            ),
            Field::Grade => required(&mut out.child, "grade", r.text(header, cell).map(Value::String)),
            Field::SchoolStatus => required(
                &mut out.child,
                "school_status",
                r.choice::<SchoolStatus>(header, cell, "enum.school_status"),
            ),
            Field::Boarding => required(&mut out.child, "boarding", r.flag(header, cell)),
            Field::HealthNotes => required(&mut out.child, "health_notes", r.text(header, cell).map(Value::String)),
            Field::MinimumLivingAllowance => required(&mut out.child, "minimum_living_allowance", r.flag(header, cell)),
            Field::SpecialHardship => required(&mut out.child, "special_hardship", r.flag(header, cell)),
            Field::FatherName => father.name = r.text(header, cell).unwrap_or_default(),
            Field::FatherPhone => father.phone = r.phone(header, cell),
            Field::FatherWorkplace => father.workplace = Some(r.text(header, cell)),
            Field::MotherName => mother.name = r.text(header, cell).unwrap_or_default(),
            Field::MotherPhone => mother.phone = r.phone(header, cell),
            Field::MotherWorkplace => mother.workplace = Some(r.text(header, cell)),
            Field::CaregiverName => caregiver.name = r.text(header, cell).unwrap_or_default(),
            Field::CaregiverRelationship => {
                caregiver.relationship = r
                    .choice::<Relationship>(header, cell, "enum.relationship")
                    .and_then(|v| v.as_str().and_then(Relationship::parse));
            }
            Field::CaregiverPhone => caregiver.phone = r.phone(header, cell),
            Field::CaregiverIdNumber => {
                caregiver.id_number = r.id_number(header, cell).and_then(|v| v.as_str().map(str::to_owned));
            }
            Field::AgreementDate => caregiver.agreement_signed_on = r.date(header, cell),
            Field::Notes => {
                let _ = r.text(header, cell);
            }
        }
    }
    derive_from_id_number(&mut out.child);
    father.relationship = Some(Relationship::Father);
    mother.relationship = Some(Relationship::Mother);
    out.father = named(father, &mut reader, &out.headers, Field::FatherName);
    out.mother = named(mother, &mut reader, &out.headers, Field::MotherName);
    if !caregiver.name.is_empty() && caregiver.relationship.is_none() {
        let header = header_in(&out.headers, Field::CaregiverRelationship);
        reader
            .problems
            .push(Problem::new(&header, "required", msg!("census.relationship_required")));
    }
    out.caregiver = named(caregiver, &mut reader, &out.headers, Field::CaregiverName);
    out.problems = reader.problems;
    out
}

fn header_in(headers: &[(Field, String)], field: Field) -> String {
    headers
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| {
            COLUMNS
                .iter()
                .find(|c| c.field == field)
                .map_or(String::new(), |c| c.zh.to_owned())
        })
}

/// The person when the row names them; details without a name are a problem.
fn named(person: Person, reader: &mut Reader, headers: &[(Field, String)], name: Field) -> Option<Person> {
    if !person.name.is_empty() {
        return Some(person);
    }
    let has_details = person.phone.is_some() || person.id_number.is_some() || matches!(person.workplace, Some(Some(_)));
    if has_details {
        let header = header_in(headers, name);
        reader.problems.push(Problem::new(
            &header,
            "required",
            msg!("census.name_required", column = header.clone()),
        ));
    }
    None
}

/// A blank cell is left out: a create then says a required field is
/// required; an update keeps what the register has (so an export read back,
/// with the fields its reader saw masked or hidden left blank, changes nothing).
fn required(child: &mut Map<String, Value>, field: &str, value: Option<Value>) {
    if let Some(v) = value {
        child.insert(field.to_owned(), v);
    }
}

/// Gender and birth date, when left blank, from a valid ID number.
fn derive_from_id_number(child: &mut Map<String, Value>) {
    let Some(id) = child
        .get("id_number")
        .and_then(Value::as_str)
        .and_then(|s| IdNumber::parse(s).ok())
    else {
        return;
    };
    child
        .entry("gender")
        .or_insert_with(|| Value::String(id.gender().as_str().to_owned()));
    child.entry("birth_date").or_insert_with(|| json!(id.birth_date()));
}

/// Reads cells, noting the problems.
struct Reader {
    problems: Vec<Problem>,
}

impl Reader {
    fn problem(&mut self, header: &str, code: &'static str, message: Message) {
        self.problems.push(Problem::new(header, code, message));
    }

    /// A cell as text (numbers without a needless `.0`); `None` when blank or unreadable.
    fn text(&mut self, header: &str, cell: &Cell) -> Option<String> {
        match cell {
            Cell::Empty => None,
            Cell::Text(s) => Some(unquoted(s).to_owned()).filter(|s| !s.is_empty()),
            Cell::Number(n) => Some(number_text(*n)),
            Cell::Date(d) => Some(d.to_string()),
            Cell::DateTime(d) => Some(d.date().to_string()),
            Cell::Bool(b) => Some(if *b { "是" } else { "否" }.to_owned()),
            Cell::Formula(_) => {
                self.problem(header, "formula", msg!("census.formula"));
                None
            }
            Cell::Error(e) => {
                self.problem(header, "cell_error", msg!("census.cell_error", value = e.clone()));
                None
            }
        }
    }

    /// An enumeration: its zh-CN label, another usual name or the API's value.
    fn choice<E: StrEnum>(&mut self, header: &str, cell: &Cell, key: &str) -> Option<Value> {
        let text = self.text(header, cell)?;
        let found = E::ALL.iter().find(|v| {
            let value = v.as_str();
            text == value
                || text == text_in(Lang::ZhCn, &format!("{key}.{value}"))
                || synonym(key, &text) == Some(value)
        });
        if let Some(v) = found {
            return Some(Value::String(v.as_str().to_owned()));
        }
        let labels: Vec<String> = E::ALL
            .iter()
            .map(|v| text_in(Lang::ZhCn, &format!("{key}.{}", v.as_str())))
            .collect();
        self.problem(
            header,
            "invalid_value",
            msg!("census.invalid_choice", value = text, values = labels.join("、")),
        );
        None
    }

    /// 是/否 (or yes/no, true/false, 1/0); blank is no.
    fn flag(&mut self, header: &str, cell: &Cell) -> Option<Value> {
        if let Cell::Bool(b) = cell {
            return Some(Value::Bool(*b));
        }
        let Some(text) = self.text(header, cell) else {
            return (*cell == Cell::Empty).then_some(Value::Bool(false));
        };
        match text.to_ascii_lowercase().as_str() {
            "是" | "y" | "yes" | "true" | "1" | "√" => Some(Value::Bool(true)),
            "否" | "n" | "no" | "false" | "0" | "×" => Some(Value::Bool(false)),
            _ => {
                self.problem(header, "invalid_value", msg!("census.invalid_flag", value = text));
                None
            }
        }
    }

    /// A resident ID number: text, or a number Excel kept whole; one Excel
    /// turned into a rounded number (`5.22631E+17`) is a problem that says so.
    fn id_number(&mut self, header: &str, cell: &Cell) -> Option<Value> {
        match cell {
            Cell::Number(n) if *n >= 1e15 => {
                self.problem(header, "id_number_as_number", msg!("census.id_number_as_number"));
                None
            }
            _ => {
                let text = self.text(header, cell)?;
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                if compact.contains(['E', 'e']) && compact.contains('+') {
                    self.problem(header, "id_number_as_number", msg!("census.id_number_as_number"));
                    return None;
                }
                Some(Value::String(compact.to_ascii_uppercase()))
            }
        }
    }

    /// A phone number: digits, as text or as a number.
    fn phone(&mut self, header: &str, cell: &Cell) -> Option<String> {
        let text = self.text(header, cell)?;
        Some(text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect())
    }

    /// A date: an Excel date, or text as `2016-07-09`, `2016/7/9`, `2016.7.9`,
    /// `2016年7月9日` or `20160709`.
    fn date(&mut self, header: &str, cell: &Cell) -> Option<NaiveDate> {
        let parsed = match cell {
            Cell::Empty => return None,
            Cell::Date(d) => Some(*d),
            Cell::DateTime(d) => Some(d.date()),
            Cell::Number(n) => excel_serial(*n).or_else(|| compact_date(&number_text(*n))),
            _ => self.text(header, cell).and_then(|t| date_text(&t)),
        };
        if parsed.is_none() && !self.problems.iter().any(|p| p.column == header) {
            self.problem(header, "invalid_date", msg!("census.invalid_date"));
        }
        parsed
    }
}

/// Another usual name of an enumeration value, for the values people write otherwise.
fn synonym(key: &str, text: &str) -> Option<&'static str> {
    match (key, text) {
        ("enum.relationship", "爸爸" | "父") => Some("father"),
        ("enum.relationship", "妈妈" | "母") => Some("mother"),
        ("enum.relationship", "爷爷" | "外公" | "外祖父" | "祖父母") => Some("grandfather"),
        ("enum.relationship", "奶奶" | "外婆" | "外祖母") => Some("grandmother"),
        ("enum.relationship", "叔叔" | "伯伯" | "姑姑" | "舅舅" | "阿姨" | "哥哥" | "姐姐" | "亲属") => {
            Some("other_relative")
        }
        ("enum.left_behind_type", "父母均外出务工" | "双方外出" | "父母双方外出") => {
            Some("both_parents_away")
        }
        ("enum.left_behind_type", "一方外出" | "父母一方外出务工") => Some("one_parent_away"),
        ("enum.school_stage", "幼儿园" | "学前班") => Some("preschool"),
        ("enum.school_stage", "中专" | "职高") => Some("vocational"),
        ("enum.school_status", "在读" | "在学") => Some("enrolled"),
        _ => None,
    }
}

/// A text cell without the `'` an export put before a value a spreadsheet
/// would have run as a formula (and that Excel users type to keep text).
fn unquoted(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s).trim()
}

/// A number as text: integers without `.0`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// An Excel date serial (days since 1899-12-30), within plausible years.
fn excel_serial(n: f64) -> Option<NaiveDate> {
    if !(1.0..=80_000.0).contains(&n) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    #[allow(clippy::cast_possible_truncation)]
    let days = n.trunc() as i64;
    base.checked_add_signed(Duration::days(days))
}

/// `20160709`.
fn compact_date(text: &str) -> Option<NaiveDate> {
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        NaiveDate::parse_from_str(text, "%Y%m%d").ok()
    } else {
        None
    }
}

/// A date written as text.
fn date_text(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Some(d) = compact_date(t) {
        return Some(d);
    }
    let t = t.trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (date.year() >= 1900).then_some(date)
}

/// The zh-CN labels of an enumeration, in order.
fn labels<E: StrEnum>(key: &str) -> Vec<String> {
    E::ALL
        .iter()
        .map(|v| text_in(Lang::ZhCn, &format!("{key}.{}", v.as_str())))
        .collect()
}

/// The template's columns: each census column with an example, its choices
/// (the zh-CN labels of enumerations, 是/否) and how to fill it in.
pub fn template_columns() -> Vec<TemplateColumn> {
    let yes_no = || vec!["是".to_owned(), "否".to_owned()];
    COLUMNS
        .iter()
        .map(|c| {
            let (example, choices, note): (&str, Vec<String>, &str) = match c.field {
                Field::Name => ("王小明", Vec::new(), "必填。儿童姓名。"),
                Field::Gender => (
                    "男",
                    labels::<Gender>("enum.gender"),
                    "填写身份证号时可不填，按身份证号判断。",
                ),
                Field::IdNumber => (
                    "522631201607090012",
                    Vec::new(),
                    "18 位身份证号，请按文本填写（本列已设为文本格式）。已在本辖区登记的身份证号将更新该儿童的信息。",
                ),
                Field::BirthDate => (
                    "2016-07-09",
                    Vec::new(),
                    "填写身份证号时可不填。可写 2016-07-09、2016/7/9 或 20160709。",
                ),
                Field::Village => (
                    "522631101201",
                    Vec::new(),
                    "必填。村名（须在您的辖区内唯一）或 12 位区划代码。",
                ),
                Field::LeftBehindType => (
                    "父母双方外出务工",
                    labels::<LeftBehindType>("enum.left_behind_type"),
                    "新登记儿童必填。",
                ),
                Field::SchoolName => ("古州镇中心小学", Vec::new(), ""),
                Field::SchoolStage => ("小学", labels::<SchoolStage>("enum.school_stage"), ""),
                Field::Grade => ("三年级", Vec::new(), ""),
                Field::SchoolStatus => ("在校", labels::<SchoolStatus>("enum.school_status"), ""),
                Field::Boarding => ("否", yes_no(), "不填视为“否”。"),
                Field::FatherName | Field::MotherName => ("", Vec::new(), "填写后登记为该儿童的家长（监护关系）。"),
                Field::FatherPhone | Field::MotherPhone | Field::CaregiverPhone => {
                    ("13800138000", Vec::new(), "11 位手机号。")
                }
                Field::FatherWorkplace | Field::MotherWorkplace => {
                    ("广东省东莞市", Vec::new(), "填写即表示该家长外出务工；不填表示在家。")
                }
                Field::CaregiverName => ("李秀英", Vec::new(), "实际监护人（与儿童共同生活）。"),
                Field::CaregiverRelationship => (
                    "祖母",
                    labels::<Relationship>("enum.relationship"),
                    "填写监护人姓名时必填。",
                ),
                Field::CaregiverIdNumber => ("", Vec::new(), "监护人的 18 位身份证号，用于识别已登记的监护人。"),
                Field::AgreementDate => ("2026-03-01", Vec::new(), "监护人签订委托监护责任书的日期。"),
                Field::Notes => ("", Vec::new(), "仅供本表参考，不导入。"),
                Field::HealthNotes => ("", Vec::new(), "敏感信息，仅有权限的人员可见。"),
                Field::MinimumLivingAllowance | Field::SpecialHardship => ("否", yes_no(), "不填视为“否”。"),
            };
            TemplateColumn {
                header: c.zh,
                example: example.to_owned(),
                choices,
                note: note.to_owned(),
            }
        })
        .collect()
}

/// The notes sheet's general notes.
pub fn template_notes() -> Vec<String> {
    [
        "第 1 行为表头，请勿修改表头名称；列的顺序可以调整，多余的列会被忽略并在导入报告中列出。",
        "第 2 行为示例，导入前请删除或改写。",
        "每行一名儿童，以及该儿童的父亲、母亲和实际监护人。",
        "身份证号已在本辖区登记的，更新该儿童（只更新有变化的内容）；在其他地区登记的，该行不予导入。",
        "导入可先“试运行”（dry_run），只检查不写入；检查结果中的行号与 Excel 显示的行号一致。",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[cfg(test)]
// Tests fail loudly: a failed expectation is the point.
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    fn row(cells: Vec<Cell>) -> Row {
        Row { number: 2, cells }
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn headers_are_read_in_any_order_in_chinese_or_english_and_extra_ones_are_ignored() {
        let h = headers(&["所在村", "* 姓名", "gender", "身份证号码", "民族"]);
        let layout = layout(&h).unwrap();
        assert_eq!(
            layout.fields,
            vec![
                Some(Field::Village),
                Some(Field::Name),
                Some(Field::Gender),
                Some(Field::IdNumber),
                None
            ]
        );
        assert_eq!(layout.ignored, vec!["民族".to_owned()]);
        let problems = super::layout(&headers(&["姓名", "name", "性别"])).unwrap_err();
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["duplicate_column", "missing_column"]);
    }

    #[test]
    fn cells_read_as_the_census_writes_them() {
        let h = headers(&[
            "姓名",
            "性别",
            "身份证号",
            "出生日期",
            "所在村",
            "留守类型",
            "是否寄宿",
            "学段",
            "父亲姓名",
            "父亲务工地",
            "监护人姓名",
            "与儿童关系",
            "监护人电话",
        ]);
        let layout = layout(&h).unwrap();
        let r = read_row(
            &layout,
            &h,
            &row(vec![
                text("王小明"),
                text("男"),
                Cell::Empty,
                text("2016/7/9"),
                text("古州车民村"),
                text("父母双方外出务工"),
                text("是"),
                Cell::Empty,
                text("王大山"),
                text("广东东莞"),
                text("李秀英"),
                text("奶奶"),
                Cell::Number(13_800_138_000.0),
            ]),
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            Value::Object(r.child.clone()),
            json!({"name": "王小明", "gender": "male", "birth_date": "2016-07-09",
                   "left_behind_type": "both_parents_away", "boarding": true})
        );
        assert_eq!(r.village.as_deref(), Some("古州车民村"));
        let father = r.father.unwrap();
        assert_eq!(father.workplace, Some(Some("广东东莞".to_owned())));
        assert_eq!(father.relationship, Some(Relationship::Father));
        assert!(r.mother.is_none());
        let caregiver = r.caregiver.unwrap();
        assert_eq!(caregiver.relationship, Some(Relationship::Grandmother));
        assert_eq!(caregiver.phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn dates_read_from_excel_and_from_text() {
        let mut r = Reader { problems: Vec::new() };
        let day = NaiveDate::from_ymd_opt(2016, 7, 9);
        for cell in [
            text("2016-07-09"),
            text("2016/7/9"),
            text("20160709"),
            text("2016年7月9日"),
            text("2016.7.9"),
            Cell::Number(20_160_709.0),
            Cell::Number(42_560.0),
            Cell::Date(day.unwrap()),
        ] {
            assert_eq!(r.date("出生日期", &cell), day, "{cell:?}");
        }
        assert!(r.problems.is_empty());
        assert_eq!(r.date("出生日期", &text("2016-13-01")), None);
        assert_eq!(r.problems[0].code, "invalid_date");
    }

    #[test]
    fn an_id_number_excel_rounded_into_a_number_is_a_problem_that_says_so() {
        let mut r = Reader { problems: Vec::new() };
        assert_eq!(r.id_number("身份证号", &Cell::Number(5.226_312_016_070_9e17)), None);
        assert_eq!(r.id_number("身份证号", &text("5.22631E+17")), None);
        assert_eq!(
            r.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            vec!["id_number_as_number"; 2]
        );
        assert_eq!(
            r.id_number("身份证号", &text(" 52263120160709123x ")),
            Some(json!("52263120160709123X"))
        );
    }

    #[test]
    fn a_formula_or_a_bad_choice_is_a_problem_of_its_column() {
        let h = headers(&["姓名", "性别", "所在村"]);
        let layout = layout(&h).unwrap();
        let r = read_row(
            &layout,
            &h,
            &row(vec![Cell::Formula("A1".to_owned()), text("未知"), text("x")]),
        );
        let got: Vec<_> = r.problems.iter().map(|p| (p.column.as_str(), p.code)).collect();
        assert_eq!(got, vec![("姓名", "formula"), ("性别", "invalid_value")]);
    }

    #[test]
    fn gender_and_birth_date_follow_from_the_id_number_when_blank() {
        let id = shouhu_domain::id_number::compose(
            "522631",
            NaiveDate::from_ymd_opt(2015, 3, 1).unwrap(),
            7,
            Gender::Female,
        );
        let h = headers(&["姓名", "身份证号", "所在村"]);
        let layout = layout(&h).unwrap();
        let r = read_row(&layout, &h, &row(vec![text("李花"), text(&id), text("x")]));
        assert_eq!(r.child["gender"], "female");
        assert_eq!(r.child["birth_date"], "2015-03-01");
    }
}
