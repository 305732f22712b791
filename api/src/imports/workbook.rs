//! Workbooks Shouhu writes for imports: the template to fill in and the
//! report (the sheet as sent, with an error column).

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};

use super::sheet::{Cell, Sheet};

/// One column of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateColumn {
    /// Its header, as the census sheet writes it (`身份证号`).
    pub header: &'static str,
    /// What a filled-in cell looks like, for the example row.
    pub example: String,
    /// The values a cell may take, offered as a drop-down list (none: any value).
    pub choices: Vec<String>,
    /// How to fill it in, for the notes sheet.
    pub note: String,
}

/// The last row (as Excel numbers them) that the template's drop-down lists
/// and text formats reach.
pub const TEMPLATE_LAST_ROW: u32 = 5000;
/// The hidden sheet holding drop-down lists too long to write in the rule.
const CHOICES_SHEET: &str = "选项";
/// The notes sheet.
const NOTES_SHEET: &str = "说明";
/// Excel's limit on a drop-down list written in the rule, commas included.
const MAX_INLINE_LIST: usize = 255;

fn col(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn row(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// How wide text shows, in Excel's character widths: a Chinese character takes two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A column width that fits its widest text, within reason.
fn width_for<'a>(texts: impl IntoIterator<Item = &'a str>) -> f64 {
    let widest = texts.into_iter().map(display_width).max().unwrap_or(0);
    // Bounded by 60, so the conversion is exact.
    f64::from(u8::try_from(widest.clamp(8, 58) + 2).unwrap_or(60))
}

/// Whether a column holds long digit strings (ID and phone numbers) Excel must keep as text.
fn is_text_column(header: &str) -> bool {
    header.contains("身份证号") || header.contains("电话")
}

/// The template to fill in: sheet `sheet_name` with the headers in row 1 (bold,
/// frozen) and an example in row 2, a drop-down list on rows 2 to
/// [`TEMPLATE_LAST_ROW`] of every column with choices, ID and phone number
/// columns as text; then the sheet `说明` with `notes_title`, the `notes`, and
/// a table of the columns (header, example, choices, note).
pub fn template(
    sheet_name: &str,
    columns: &[TemplateColumn],
    notes_title: &str,
    notes: &[String],
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let header_text = Format::new().set_bold().set_num_format("@");
    let mut workbook = Workbook::new();
    let mut sheet = Worksheet::new();
    sheet.set_name(sheet_name)?;
    let mut choices_sheet: Option<Worksheet> = None;
    let mut choices_col: u16 = 0;
    for (i, c) in columns.iter().enumerate() {
        let i = col(i)?;
        let as_text = is_text_column(c.header);
        sheet.set_column_width(i, width_for([c.header, c.example.as_str()]))?;
        if as_text {
            sheet.set_column_format(i, &text)?;
            sheet.write_string_with_format(0, i, c.header, &header_text)?;
            sheet.write_string_with_format(1, i, &c.example, &text)?;
        } else {
            sheet.write_string_with_format(0, i, c.header, &bold)?;
            sheet.write_string(1, i, &c.example)?;
        }
        if c.choices.is_empty() {
            continue;
        }
        let inline: usize = c.choices.iter().map(|s| s.encode_utf16().count() + 1).sum::<usize>() - 1;
        let rule = if inline <= MAX_INLINE_LIST {
            DataValidation::new().allow_list_strings(&c.choices)?
        } else {
            let hidden = choices_sheet.get_or_insert_with(Worksheet::new);
            for (r, choice) in c.choices.iter().enumerate() {
                hidden.write_string(row(r)?, choices_col, choice)?;
            }
            let letter = rust_xlsxwriter::utility::column_number_to_name(choices_col);
            choices_col += 1;
            DataValidation::new().allow_list_formula(Formula::new(format!(
                "='{CHOICES_SHEET}'!${letter}$1:${letter}${}",
                c.choices.len()
            )))
        };
        sheet.add_data_validation(1, i, TEMPLATE_LAST_ROW - 1, i, &rule)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.push_worksheet(sheet);

    let mut notes_sheet = Worksheet::new();
    notes_sheet.set_name(NOTES_SHEET)?;
    notes_sheet.write_string_with_format(0, 0, notes_title, &bold)?;
    for (r, note) in notes.iter().enumerate() {
        notes_sheet.write_string(row(r + 1)?, 0, note)?;
    }
    let table = row(notes.len() + 2)?;
    for (i, h) in ["列名", "示例", "可选值", "填写说明"].iter().enumerate() {
        notes_sheet.write_string_with_format(table, col(i)?, *h, &bold)?;
    }
    for (r, c) in columns.iter().enumerate() {
        let r = table + 1 + row(r)?;
        notes_sheet.write_string(r, 0, c.header)?;
        notes_sheet.write_string(r, 1, &c.example)?;
        notes_sheet.write_string(r, 2, c.choices.join("、"))?;
        notes_sheet.write_string(r, 3, &c.note)?;
    }
    notes_sheet.set_column_width(0, 20)?;
    notes_sheet.set_column_width(1, 24)?;
    notes_sheet.set_column_width(2, 40)?;
    notes_sheet.set_column_width(3, 60)?;
    workbook.push_worksheet(notes_sheet);

    if let Some(mut hidden) = choices_sheet {
        hidden.set_name(CHOICES_SHEET)?;
        hidden.set_hidden(true);
        workbook.push_worksheet(hidden);
    }
    workbook.save_to_buffer()
}

/// The sheet as sent, for its importer to correct: the headers with a last
/// column `error_header`, every row at its original row number, each cell as
/// its kind (a formula as its text, not computed again), and in the error
/// column the row's messages from `errors` (by row number) joined with "；",
/// in red. Messages for row 1 (the header) go in red after the error column's
/// header. Written in constant memory: a sheet's rows are few to hold, many to
/// format.
pub fn report(sheet: &Sheet, errors: &BTreeMap<u32, Vec<String>>, error_header: &str) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let red = Format::new().set_font_color(Color::Red);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut workbook = Workbook::new();
    let out = workbook.add_worksheet_with_constant_memory()?;
    let error_col = col(sheet.headers.len())?;
    for (i, h) in sheet.headers.iter().enumerate() {
        let i = col(i)?;
        out.set_column_width(i, width_for([h.as_str()]))?;
        out.write_string_with_format(0, i, h, &bold)?;
    }
    out.set_column_width(error_col, 60)?;
    out.write_string_with_format(0, error_col, error_header, &bold)?;
    if let Some(messages) = errors.get(&1) {
        out.write_string_with_format(0, error_col + 1, messages.join("；"), &red)?;
    }
    out.set_freeze_panes(1, 0)?;

    // Rows and errors both by row number, so the rows go out in order (as
    // constant memory needs) and an error for a row the sheet does not hold
    // still shows.
    let mut rows = sheet.rows.iter().filter(|r| r.number >= 2).peekable();
    let mut messages = errors.range(2..).peekable();
    loop {
        let next_row = rows.peek().map(|r| r.number);
        let next_error = messages.peek().map(|(n, _)| **n);
        let number = match (next_row, next_error) {
            (None, None) => break,
            (Some(r), None) => r,
            (None, Some(e)) => e,
            (Some(r), Some(e)) => r.min(e),
        };
        let r = number.saturating_sub(1);
        if next_row == Some(number)
            && let Some(data) = rows.next()
        {
            for (i, cell) in data.cells.iter().enumerate() {
                let i = col(i)?;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) | Cell::Error(s) => {
                        out.write_string(r, i, s)?;
                    }
                    Cell::Number(n) => {
                        out.write_number(r, i, *n)?;
                    }
                    Cell::Date(d) => {
                        out.write_datetime_with_format(r, i, d, &date)?;
                    }
                    Cell::DateTime(d) => {
                        out.write_datetime_with_format(r, i, d, &datetime)?;
                    }
                    Cell::Bool(b) => {
                        out.write_boolean(r, i, *b)?;
                    }
                    Cell::Formula(f) => {
                        out.write_string(r, i, format!("={f}"))?;
                    }
                }
            }
        }
        if next_error == Some(number)
            && let Some((_, list)) = messages.next()
            && !list.is_empty()
        {
            out.write_string_with_format(r, error_col, list.join("；"), &red)?;
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::sheet::{self, Row};
    use calamine::{Data, Reader as _, SheetVisible, Xlsx};
    use chrono::NaiveDate;
    use std::io::{Cursor, Read as _};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn columns() -> Vec<TemplateColumn> {
        vec![
            TemplateColumn {
                header: "姓名",
                example: "张小明".into(),
                choices: vec![],
                note: "儿童的姓名".into(),
            },
            TemplateColumn {
                header: "性别",
                example: "男".into(),
                choices: vec!["男".into(), "女".into()],
                note: "男或女".into(),
            },
            TemplateColumn {
                header: "身份证号",
                example: "522631201607091234".into(),
                choices: vec![],
                note: "18 位".into(),
            },
            TemplateColumn {
                header: "所在村",
                example: "石桥村".into(),
                // Longer than Excel takes in the rule itself.
                choices: (1..=60).map(|i| format!("第{i}村民组")).collect(),
                note: "村名或 12 位代码".into(),
            },
        ]
    }

    /// One part of an xlsx, as text.
    fn part(bytes: &[u8], name: &str) -> Result<String, Box<dyn std::error::Error>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
        let mut text = String::new();
        zip.by_name(name)?.read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn the_template_has_the_headers_an_example_row_drop_downs_and_the_notes() -> TestResult {
        let notes = vec!["每行填写一名儿童。".to_owned(), "日期写作 2016-07-09。".to_owned()];
        let bytes = template("儿童", &columns(), "填写说明", &notes)?;
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.as_slice()))?;
        assert_eq!(workbook.sheet_names(), ["儿童", "说明", "选项"]);
        let hidden = workbook
            .sheets_metadata()
            .iter()
            .find(|s| s.name == "选项")
            .map(|s| s.visible);
        assert_eq!(hidden, Some(SheetVisible::Hidden));

        let sheet = sheet::read(&bytes)?;
        assert_eq!(sheet.headers, ["姓名", "性别", "身份证号", "所在村"]);
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].number, 2);
        assert_eq!(
            sheet.rows[0].cells,
            ["张小明", "男", "522631201607091234", "石桥村"].map(|s| Cell::Text(s.into()))
        );

        let notes_sheet = workbook.worksheet_range("说明")?;
        assert_eq!(notes_sheet.get_value((0, 0)), Some(&Data::String("填写说明".into())));
        assert_eq!(
            notes_sheet.get_value((2, 0)),
            Some(&Data::String("日期写作 2016-07-09。".into()))
        );
        assert_eq!(notes_sheet.get_value((4, 0)), Some(&Data::String("列名".into())));
        assert_eq!(notes_sheet.get_value((6, 0)), Some(&Data::String("性别".into())));
        assert_eq!(notes_sheet.get_value((6, 2)), Some(&Data::String("男、女".into())));

        let xml = part(&bytes, "xl/worksheets/sheet1.xml")?;
        assert!(xml.contains(r#"sqref="B2:B5000""#), "{xml}");
        assert!(xml.contains("<formula1>\"男,女\"</formula1>"), "{xml}");
        assert!(xml.contains(r#"sqref="D2:D5000""#), "{xml}");
        assert!(xml.contains("<formula1>'选项'!$A$1:$A$60</formula1>"), "{xml}");
        assert!(xml.contains(r#"<pane ySplit="1""#), "the header row is frozen: {xml}");
        let styles = part(&bytes, "xl/styles.xml")?;
        assert!(styles.contains(r#"formatCode="@""#), "ID numbers are text: {styles}");
        Ok(())
    }

    #[test]
    fn the_report_is_the_sheet_as_sent_with_each_row_at_its_number_and_its_errors() -> TestResult {
        let born = NaiveDate::from_ymd_opt(2016, 7, 9).ok_or("date")?;
        let sent = Sheet {
            format: sheet::Format::Xlsx,
            headers: vec!["姓名".into(), "出生日期".into(), "年龄".into(), "是否寄宿".into()],
            rows: vec![
                Row {
                    number: 2,
                    cells: vec![
                        Cell::Text("张三".into()),
                        Cell::Date(born),
                        Cell::Number(10.0),
                        Cell::Bool(true),
                    ],
                },
                Row {
                    number: 4,
                    cells: vec![
                        Cell::Text("李四".into()),
                        Cell::Text("2016/13/01".into()),
                        Cell::Formula("2026-2016".into()),
                        Cell::Empty,
                    ],
                },
                Row {
                    number: 9,
                    cells: vec![
                        Cell::Text("王五".into()),
                        Cell::Empty,
                        Cell::Error("#N/A".into()),
                        Cell::Bool(false),
                    ],
                },
            ],
        };
        let errors = BTreeMap::from([
            (4, vec!["出生日期：不是日期".to_owned(), "年龄：不能是公式".to_owned()]),
            (9, vec!["年龄：不是数字".to_owned()]),
        ]);
        let bytes = report(&sent, &errors, "错误")?;
        let back = sheet::read(&bytes)?;
        assert_eq!(back.headers, ["姓名", "出生日期", "年龄", "是否寄宿", "错误"]);
        let numbers: Vec<u32> = back.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 4, 9]);
        assert_eq!(
            back.rows[0].cells,
            [
                Cell::Text("张三".into()),
                Cell::Date(born),
                Cell::Number(10.0),
                Cell::Bool(true),
                Cell::Empty
            ]
        );
        assert_eq!(
            back.rows[1].cells[2],
            Cell::Text("=2026-2016".into()),
            "a formula comes back as its text"
        );
        assert_eq!(
            back.rows[1].cells[4],
            Cell::Text("出生日期：不是日期；年龄：不能是公式".into())
        );
        assert_eq!(back.rows[2].cells[2], Cell::Text("#N/A".into()));
        assert_eq!(back.rows[2].cells[4], Cell::Text("年龄：不是数字".into()));
        let styles = part(&bytes, "xl/styles.xml")?;
        assert!(styles.contains("FFFF0000"), "errors are in red: {styles}");
        Ok(())
    }
}
