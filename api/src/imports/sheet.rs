//! Reading a census file: an `.xlsx` workbook's first sheet or a `.csv` (UTF-8
//! with or without BOM, or GB18030) into a header row and the rows below it,
//! each cell as the file holds it. Nothing here knows what the columns mean
//! (that is `census`).

use std::io::Cursor;

use calamine::{DataRef, Reader as _, SheetType, Xlsx};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use shouhu_domain::{Message, msg};

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in it (also a cell of only white space).
    Empty,
    /// Text (every CSV cell is text).
    Text(String),
    /// A number (Excel keeps integers as numbers too).
    Number(f64),
    /// A cell Excel shows as a date.
    Date(NaiveDate),
    /// A cell Excel shows as a date and time.
    DateTime(NaiveDateTime),
    /// TRUE or FALSE.
    Bool(bool),
    /// A cell holding a formula (its text, without the leading `=`): its value
    /// is not trusted.
    Formula(String),
    /// An error value such as `#N/A`.
    Error(String),
}

/// Which kind of file it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Excel workbook.
    Xlsx,
    /// Comma-separated text.
    Csv,
}

/// A sheet: the header row as written and the rows below it that hold anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// What the file was.
    pub format: Format,
    /// The first row's cells as text, trimmed, in order.
    pub headers: Vec<String>,
    /// Every row below the header with at least one non-empty cell, in order.
    pub rows: Vec<Row>,
}

/// One row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its number as Excel shows it: the header is row 1.
    pub number: u32,
    /// One cell per header, in the headers' order (`Cell::Empty` where none).
    pub cells: Vec<Cell>,
}

/// Why a file could not be read as a sheet: a stable `code` and the message for
/// people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetError {
    /// What went wrong, for programs: `empty_file`, `not_a_sheet`,
    /// `xls_not_supported`, `bad_encoding`, `too_large_uncompressed`,
    /// `merged_header`, `no_header`, `too_many_rows`, `too_many_columns`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: Message,
}

impl SheetError {
    fn new(code: &'static str, message: Message) -> Self {
        Self { code, message }
    }
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SheetError {}

/// The most data rows (rows below the header holding anything) a sheet may have.
pub const MAX_ROWS: usize = 200_000;
/// The most columns the header row may name.
pub const MAX_COLUMNS: usize = 256;
/// The most an xlsx may unpack to, all its parts together (512 MiB).
pub const MAX_UNCOMPRESSED_BYTES: u64 = 512 * 1024 * 1024;
/// The most one part of an xlsx may be larger than its packed size, when it
/// unpacks to more than [`RATIO_FLOOR_BYTES`].
pub const MAX_COMPRESSION_RATIO: u64 = 200;
/// Parts smaller than this unpacked (10 MiB) may be packed as tightly as they
/// like: a sheet of blank cells packs very well.
pub const RATIO_FLOOR_BYTES: u64 = 10 * 1024 * 1024;

/// How much a file may hold (the constants above, smaller in tests).
#[derive(Debug, Clone, Copy)]
struct Limits {
    rows: usize,
    columns: usize,
    uncompressed: u64,
    ratio: u64,
    ratio_floor: u64,
}

impl Limits {
    const DEFAULT: Self = Self {
        rows: MAX_ROWS,
        columns: MAX_COLUMNS,
        uncompressed: MAX_UNCOMPRESSED_BYTES,
        ratio: MAX_COMPRESSION_RATIO,
        ratio_floor: RATIO_FLOOR_BYTES,
    };
}

/// How much of the start of a file is looked at for NUL bytes, which text
/// never holds.
const SNIFF_BYTES: usize = 8 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a census file: an xlsx workbook's first worksheet, or CSV text in
/// UTF-8 (with or without BOM) or GB18030, told apart by content, not by name.
/// Row 1 is the header row; the rows below it that hold anything follow, each
/// with one cell per header.
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    read_with(bytes, &Limits::DEFAULT)
}

fn read_with(bytes: &[u8], limits: &Limits) -> Result<Sheet, SheetError> {
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(SheetError::new("empty_file", msg!("sheet.empty_file")));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, limits);
    }
    if bytes.starts_with(b"%PDF") {
        return Err(not_a_sheet());
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(SheetError::new("xls_not_supported", msg!("sheet.xls_not_supported")));
    }
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        return Err(not_a_sheet());
    }
    let text = match std::str::from_utf8(text) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            let (decoded, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(text);
            if had_errors {
                return Err(SheetError::new("bad_encoding", msg!("sheet.bad_encoding")));
            }
            decoded
        }
    };
    read_csv(&text, limits)
}

fn not_a_sheet() -> SheetError {
    SheetError::new("not_a_sheet", msg!("sheet.not_a_sheet"))
}

fn too_many_rows(limits: &Limits) -> SheetError {
    SheetError::new("too_many_rows", msg!("sheet.too_many_rows", max = limits.rows))
}

fn too_many_columns(limits: &Limits) -> SheetError {
    SheetError::new("too_many_columns", msg!("sheet.too_many_columns", max = limits.columns))
}

fn no_header() -> SheetError {
    SheetError::new("no_header", msg!("sheet.no_header"))
}

/// A cell's text, trimmed; blank is `Empty`.
fn text_cell(s: &str) -> Cell {
    let s = s.trim();
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_owned())
    }
}

/// The header row's texts, with the empty ones after the last named header
/// left off; an error when none is named or too many are.
fn headers_of(mut headers: Vec<String>, limits: &Limits) -> Result<Vec<String>, SheetError> {
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err(no_header());
    }
    if headers.len() > limits.columns {
        return Err(too_many_columns(limits));
    }
    Ok(headers)
}

/// How many empty lines start at `at` (where the csv reader stopped after the
/// record before, perhaps before or inside its line end).
fn empty_lines_at(text: &[u8], at: usize) -> u32 {
    let run = text.get(at..).unwrap_or_default();
    let run = &run[..run.iter().position(|b| *b != b'\r' && *b != b'\n').unwrap_or(run.len())];
    let mut ends: u32 = 0;
    let mut i = 0;
    while i < run.len() {
        i += if run[i..].starts_with(b"\r\n") { 2 } else { 1 };
        ends = ends.saturating_add(1);
    }
    let before = at.checked_sub(1).and_then(|i| text.get(i)).copied();
    match before {
        // The first record, or the line end before was read with its record.
        None | Some(b'\n') => ends,
        // Half of a CRLF was read with the record before.
        Some(b'\r') if run.first() == Some(&b'\n') => ends.saturating_sub(1),
        Some(b'\r') => ends,
        // The record before's line end is the first of the run.
        Some(_) => ends.saturating_sub(1),
    }
}

/// The header row and the data rows below it that hold anything, as they are read.
struct Rows<'l> {
    headers: Vec<String>,
    rows: Vec<Row>,
    limits: &'l Limits,
}

impl<'l> Rows<'l> {
    /// Starts on a header row as read (see [`headers_of`]).
    fn new(headers: Vec<String>, limits: &'l Limits) -> Result<Self, SheetError> {
        Ok(Self {
            headers: headers_of(headers, limits)?,
            rows: Vec::new(),
            limits,
        })
    }

    fn width(&self) -> usize {
        self.headers.len()
    }

    /// Keeps a row if any of its cells (within the headers) holds anything.
    fn push(&mut self, number: u32, mut cells: Vec<Cell>) -> Result<(), SheetError> {
        cells.resize(self.width(), Cell::Empty);
        if cells.iter().all(|c| *c == Cell::Empty) {
            return Ok(());
        }
        if self.rows.len() >= self.limits.rows {
            return Err(too_many_rows(self.limits));
        }
        self.rows.push(Row { number, cells });
        Ok(())
    }

    fn into_sheet(self, format: Format) -> Sheet {
        Sheet {
            format,
            headers: self.headers,
            rows: self.rows,
        }
    }
}

fn read_csv(text: &str, limits: &Limits) -> Result<Sheet, SheetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // Excel shows a line with nothing on it as an empty row, which the csv
    // crate skips: the row numbers count those lines back in.
    let mut number: u32 = 0;
    let mut rows: Option<Rows<'_>> = None;
    loop {
        let at = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(not_a_sheet()),
        }
        number = number
            .saturating_add(empty_lines_at(text.as_bytes(), at))
            .saturating_add(1);
        match rows.as_mut() {
            None => {
                if number != 1 {
                    return Err(no_header());
                }
                rows = Some(Rows::new(record.iter().map(|h| h.trim().to_owned()).collect(), limits)?);
            }
            Some(rows) => {
                let width = rows.width();
                if record.iter().take(width).all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push(number, record.iter().take(width).map(text_cell).collect())?;
            }
        }
    }
    rows.map(|r| r.into_sheet(Format::Csv)).ok_or_else(no_header)
}

/// Refuses a zip whose parts would unpack to too much, from the sizes its
/// central directory declares, before anything is inflated.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_sheet())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| not_a_sheet())?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > limits.uncompressed {
            return Err(SheetError::new(
                "too_large_uncompressed",
                msg!(
                    "sheet.too_large_uncompressed",
                    max_mib = limits.uncompressed / (1024 * 1024)
                ),
            ));
        }
        if size > limits.ratio_floor && size / packed.max(1) > limits.ratio {
            return Err(SheetError::new(
                "too_large_uncompressed",
                msg!("sheet.too_compressed", ratio = limits.ratio),
            ));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Sheet, SheetError> {
    check_zip(bytes, limits)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_a_sheet())?;
    let name = workbook
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(not_a_sheet)?;
    // Read before the cells: a merged header names fewer columns than it spans.
    let merged = workbook.merge_cells_by_sheet_name(&name).map_err(|_| not_a_sheet())?;
    if merged.iter().any(|d| d.start.0 == 0) {
        return Err(SheetError::new("merged_header", msg!("sheet.merged_header")));
    }
    // The cells one at a time, in the file's order (row by row): never a Range
    // the size of the sheet's declared dimension.
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(|_| not_a_sheet())?;
    let mut header: Vec<String> = Vec::new();
    let mut rows: Option<Rows<'_>> = None;
    let mut current: Option<(u32, Vec<Cell>)> = None;
    while let Some(c) = cells.next_cell_with_formula().map_err(|_| not_a_sheet())? {
        let (row, col) = c.pos;
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        if row == 0 {
            let text = header_text(&c.value);
            if text.is_empty() {
                continue;
            }
            if col >= limits.columns {
                return Err(too_many_columns(limits));
            }
            if header.len() <= col {
                header.resize(col + 1, String::new());
            }
            header[col] = text;
            continue;
        }
        let rows = match rows.as_mut() {
            Some(r) => r,
            None => rows.insert(Rows::new(std::mem::take(&mut header), limits)?),
        };
        let width = rows.width();
        if col >= width {
            continue;
        }
        let cell = match c.formula {
            Some(f) if !f.trim().is_empty() => Cell::Formula(f),
            _ => cell_of(c.value),
        };
        if cell == Cell::Empty {
            continue;
        }
        let number = row.saturating_add(1);
        match current.as_mut() {
            Some((n, cells)) if *n == number => cells[col] = cell,
            _ => {
                if let Some((n, done)) = current.take() {
                    rows.push(n, done)?;
                }
                let mut fresh = vec![Cell::Empty; width];
                fresh[col] = cell;
                current = Some((number, fresh));
            }
        }
    }
    let mut rows = match rows {
        Some(r) => r,
        None => Rows::new(header, limits)?,
    };
    if let Some((n, done)) = current.take() {
        rows.push(n, done)?;
    }
    Ok(rows.into_sheet(Format::Xlsx))
}

/// A header cell's text, whatever it holds.
fn header_text(value: &DataRef<'_>) -> String {
    match cell_of(value.clone()) {
        Cell::Empty => String::new(),
        Cell::Text(s) | Cell::Formula(s) | Cell::Error(s) => s,
        Cell::Number(n) => number_text(n),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_owned(),
    }
}

/// A number as Excel shows it in General format: integers without a decimal point.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

/// An xlsx cell's value as a [`Cell`].
fn cell_of(value: DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => text_cell(&s),
        DataRef::SharedString(s) => text_cell(s),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => {
                if dt.time() == NaiveTime::MIN {
                    Cell::Date(dt.date())
                } else {
                    Cell::DateTime(dt)
                }
            }
            _ => Cell::Number(d.as_f64()),
        },
        DataRef::DateTimeIso(s) => {
            let s = s.trim();
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
                Cell::DateTime(dt)
            } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Cell::Date(d)
            } else {
                text_cell(s)
            }
        }
        DataRef::DurationIso(s) => text_cell(&s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
    use std::io::Write as _;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn code(bytes: &[u8]) -> Option<&'static str> {
        read(bytes).err().map(|e| e.code)
    }

    fn texts(cells: &[&str]) -> Vec<Cell> {
        cells.iter().map(|s| text_cell(s)).collect()
    }

    fn xlsx(fill: impl FnOnce(&mut Worksheet) -> Result<(), XlsxError>) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        fill(workbook.add_worksheet())?;
        workbook.save_to_buffer()
    }

    #[test]
    fn a_utf8_csv_reads_with_or_without_its_bom() -> TestResult {
        let csv = "姓名, 性别 ,身份证号\n张三,男, 522631201607091234 \n";
        for bytes in [csv.as_bytes().to_vec(), [UTF8_BOM, csv.as_bytes()].concat()] {
            let sheet = read(&bytes)?;
            assert_eq!(sheet.format, Format::Csv);
            assert_eq!(sheet.headers, ["姓名", "性别", "身份证号"]);
            assert_eq!(
                sheet.rows,
                [Row {
                    number: 2,
                    cells: texts(&["张三", "男", "522631201607091234"])
                }]
            );
        }
        Ok(())
    }

    #[test]
    fn a_gb18030_csv_as_excel_on_chinese_windows_saves_it_reads_as_chinese() -> TestResult {
        let (bytes, _, _) = encoding_rs::GB18030.encode("姓名,所在村,留守类型\n李四,石桥村,父母双方外出务工\n");
        assert!(std::str::from_utf8(&bytes).is_err(), "the test's bytes are not UTF-8");
        let sheet = read(&bytes)?;
        assert_eq!(sheet.headers, ["姓名", "所在村", "留守类型"]);
        assert_eq!(sheet.rows[0].cells, texts(&["李四", "石桥村", "父母双方外出务工"]));
        Ok(())
    }

    #[test]
    fn text_in_no_encoding_read_is_refused() {
        assert_eq!(code(b"name,sex\n\xFF\xFE\xFF,x\n"), Some("bad_encoding"));
    }

    #[test]
    fn an_xlsx_reads_each_cell_as_its_kind() -> TestResult {
        let born = NaiveDate::from_ymd_opt(2016, 7, 9).ok_or("date")?;
        let at = born.and_hms_opt(8, 30, 0).ok_or("time")?;
        let bytes = xlsx(|s| {
            for (i, h) in ["姓名", "身份证号", "出生日期", "年龄", "是否寄宿", "时间"]
                .iter()
                .enumerate()
            {
                s.write_string(0, u16::try_from(i).unwrap_or(0), *h)?;
            }
            s.write_string(1, 0, "  王五 ")?;
            s.write_number(1, 1, 522_631_201_607_091_234_f64)?;
            let d = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            let dt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
            s.write_datetime_with_format(1, 2, born, &d)?;
            s.write_formula(1, 3, "=2026-2016")?;
            s.write_boolean(1, 4, true)?;
            s.write_datetime_with_format(1, 5, at, &dt)?;
            Ok(())
        })?;
        let sheet = read(&bytes)?;
        assert_eq!(sheet.format, Format::Xlsx);
        assert_eq!(
            sheet.headers,
            ["姓名", "身份证号", "出生日期", "年龄", "是否寄宿", "时间"]
        );
        assert_eq!(
            sheet.rows,
            [Row {
                number: 2,
                cells: vec![
                    Cell::Text("王五".into()),
                    Cell::Number(522_631_201_607_091_234_f64),
                    Cell::Date(born),
                    Cell::Formula("2026-2016".into()),
                    Cell::Bool(true),
                    Cell::DateTime(at),
                ]
            }]
        );
        Ok(())
    }

    #[test]
    fn headers_keep_their_order_and_an_empty_one_keeps_its_place() -> TestResult {
        let sheet = read("性别,,姓名,,\n男,x,张三,,y\n".as_bytes())?;
        assert_eq!(sheet.headers, ["性别", "", "姓名"]);
        assert_eq!(sheet.rows[0].cells, texts(&["男", "x", "张三"]));
        let bytes = xlsx(|s| {
            s.write_string(0, 2, "姓名")?;
            s.write_string(0, 0, " 性别 ")?;
            s.write_string(1, 2, "张三")?;
            Ok(())
        })?;
        let sheet = read(&bytes)?;
        assert_eq!(sheet.headers, ["性别", "", "姓名"]);
        assert_eq!(
            sheet.rows[0].cells,
            [Cell::Empty, Cell::Empty, Cell::Text("张三".into())]
        );
        Ok(())
    }

    #[test]
    fn blank_rows_are_skipped_and_rows_are_numbered_as_excel_shows_them() -> TestResult {
        let csv = "姓名,性别\n张三,男\n , \n\n李四,\n\"王\n五\",女\n\n\n赵六,女";
        // As Excel on Windows writes it, and as other programs do.
        for csv in [csv.to_owned(), csv.replace('\n', "\r\n"), csv.replace('\n', "\r")] {
            let sheet = read(csv.as_bytes())?;
            let numbers: Vec<u32> = sheet.rows.iter().map(|r| r.number).collect();
            assert_eq!(numbers, [2, 5, 6, 9], "{csv:?}");
            assert_eq!(sheet.rows[1].cells, texts(&["李四", ""]));
            assert_eq!(sheet.rows[3].cells, texts(&["赵六", "女"]));
        }
        let sheet = read("姓名,性别\n\"王\n五\",女\n赵六,女\n".as_bytes())?;
        assert_eq!(sheet.rows[0].cells, texts(&["王\n五", "女"]));
        // One row in Excel, however many lines its cells hold.
        assert_eq!(sheet.rows[1].number, 3);

        let bytes = xlsx(|s| {
            s.write_string(0, 0, "姓名")?;
            s.write_string(1, 0, "张三")?;
            s.write_string(3, 0, "   ")?;
            s.write_string(6, 0, "李四")?;
            Ok(())
        })?;
        let numbers: Vec<u32> = read(&bytes)?.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 7]);
        Ok(())
    }

    #[test]
    fn an_empty_file_is_empty_file() {
        for bytes in [&b""[..], b" \r\n\t", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF\n\n"] {
            assert_eq!(code(bytes), Some("empty_file"), "{bytes:?}");
        }
    }

    #[test]
    fn a_pdf_a_random_binary_and_a_broken_zip_are_not_sheets() {
        assert_eq!(code(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), Some("not_a_sheet"));
        let binary: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(binary.contains(&0));
        assert_eq!(code(&binary), Some("not_a_sheet"));
        assert_eq!(code(b"PK\x03\x04 not really a zip"), Some("not_a_sheet"));
    }

    #[test]
    fn a_zip_without_a_workbook_is_not_a_sheet() -> TestResult {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())?;
        zip.write_all(b"hello")?;
        let bytes = zip.finish()?.into_inner();
        assert_eq!(code(&bytes), Some("not_a_sheet"));
        Ok(())
    }

    #[test]
    fn an_old_xls_workbook_is_refused_with_what_to_do() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0";
        let err = read(ole).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some("xls_not_supported"));
        assert_eq!(err.map(|e| e.message.key), Some("sheet.xls_not_supported"));
    }

    fn zip_of_zeros(size: usize, method: zip::CompressionMethod) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(false);
        zip.start_file("xl/worksheets/sheet1.xml", options)?;
        let chunk = vec![0u8; 1024 * 1024];
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len());
            zip.write_all(&chunk[..n])?;
            left -= n;
        }
        Ok(zip.finish()?.into_inner())
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_inflated() -> TestResult {
        // 64 MiB of zeros packs about a thousand to one: over the ratio, with the real limits.
        let bomb = zip_of_zeros(64 * 1024 * 1024, zip::CompressionMethod::Deflated)?;
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(code(&bomb), Some("too_large_uncompressed"));
        let err = read(&bomb).err().map(|e| e.message);
        assert_eq!(
            err.and_then(|m| m.arg("ratio").map(str::to_owned)).as_deref(),
            Some("200")
        );

        // Over the total (a smaller total here, so the test stays fast), whatever the ratio.
        let stored = zip_of_zeros(3 * 1024 * 1024, zip::CompressionMethod::Stored)?;
        let limits = Limits {
            uncompressed: 2 * 1024 * 1024,
            ..Limits::DEFAULT
        };
        assert_eq!(
            read_with(&stored, &limits).err().map(|e| e.code),
            Some("too_large_uncompressed")
        );
        assert_eq!(
            read_with(&stored, &Limits::DEFAULT).err().map(|e| e.code),
            Some("not_a_sheet")
        );
        Ok(())
    }

    #[test]
    fn a_merged_header_is_refused() -> TestResult {
        let bytes = xlsx(|s| {
            s.merge_range(0, 0, 0, 1, "监护人", &rust_xlsxwriter::Format::new())?;
            s.write_string(1, 0, "张三")?;
            Ok(())
        })?;
        assert_eq!(code(&bytes), Some("merged_header"));
        // Merged cells below the header are the rows' business.
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "姓名")?;
            s.write_string(0, 1, "备注")?;
            s.merge_range(1, 0, 1, 1, "张三", &rust_xlsxwriter::Format::new())?;
            Ok(())
        })?;
        assert_eq!(read(&bytes)?.rows.len(), 1);
        Ok(())
    }

    #[test]
    fn a_million_blank_csv_rows_read_quickly_to_no_rows() -> TestResult {
        let mut csv = b"a,b,c,d\n".to_vec();
        csv.extend(b",,,\n".repeat(1_000_000));
        let start = std::time::Instant::now();
        let sheet = read(&csv)?;
        assert_eq!(sheet.headers, ["a", "b", "c", "d"]);
        assert!(sheet.rows.is_empty());
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
        Ok(())
    }

    #[test]
    fn a_million_blank_xlsx_rows_read_quickly_to_no_rows() -> TestResult {
        let mut workbook = Workbook::new();
        let s = workbook.add_worksheet_with_constant_memory()?;
        s.write_string(0, 0, "姓名")?;
        for r in 1..=1_000_000 {
            s.write_string(r, 0, " ")?;
        }
        let bytes = workbook.save_to_buffer()?;
        // About 90 MiB of XML packed twenty to one: under the guard's ratio.
        let start = std::time::Instant::now();
        let sheet = read(&bytes)?;
        assert_eq!(sheet.headers, ["姓名"]);
        assert!(sheet.rows.is_empty());
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            start.elapsed()
        );
        Ok(())
    }

    #[test]
    fn a_cell_in_the_last_row_and_column_does_not_allocate_the_whole_sheet() -> TestResult {
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "姓名")?;
            s.write_string(1, 0, "张三")?;
            s.write_string(1_048_575, 16_383, "far away")?;
            s.write_string(1_048_575, 0, "李四")?;
            Ok(())
        })?;
        let start = std::time::Instant::now();
        let sheet = read(&bytes)?;
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(sheet.headers, ["姓名"]);
        let rows: Vec<(u32, &[Cell])> = sheet.rows.iter().map(|r| (r.number, r.cells.as_slice())).collect();
        assert_eq!(
            rows,
            [
                (2, &[Cell::Text("张三".into())][..]),
                (1_048_576, &[Cell::Text("李四".into())][..])
            ]
        );
        Ok(())
    }

    #[test]
    fn more_rows_or_columns_than_allowed_are_refused() -> TestResult {
        let limits = Limits {
            rows: 3,
            columns: 2,
            ..Limits::DEFAULT
        };
        let csv = |n: usize| format!("a,b\n{}", "1,2\n\n".repeat(n));
        assert_eq!(read_with(csv(3).as_bytes(), &limits)?.rows.len(), 3);
        let err = read_with(csv(4).as_bytes(), &limits).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some("too_many_rows"));
        assert_eq!(
            err.and_then(|e| e.message.arg("max").map(str::to_owned)).as_deref(),
            Some("3")
        );
        assert_eq!(
            read_with(b"a,b,c\n1,2,3\n", &limits).err().map(|e| e.code),
            Some("too_many_columns")
        );
        // Trailing empty headers are not columns.
        assert_eq!(read_with(b"a,b,,\n1,2,3\n", &limits)?.headers, ["a", "b"]);

        let bytes = xlsx(|s| {
            s.write_string(0, 0, "a")?;
            for r in 1..=10 {
                s.write_number(r, 0, r)?;
            }
            s.write_string(0, 300, "far")?;
            Ok(())
        })?;
        let few_rows = Limits { columns: 400, ..limits };
        assert_eq!(
            read_with(&bytes, &few_rows).err().map(|e| e.code),
            Some("too_many_rows")
        );
        assert_eq!(
            read_with(&bytes, &Limits::DEFAULT).err().map(|e| e.code),
            Some("too_many_columns")
        );
        Ok(())
    }

    #[test]
    fn a_sheet_without_headers_in_row_1_is_no_header() -> TestResult {
        assert_eq!(code(b",,,\nx,y,z\n"), Some("no_header"));
        assert_eq!(code(b"\n\nx,y,z\n"), Some("no_header"));
        let bytes = xlsx(|s| {
            s.write_string(1, 0, "姓名")?;
            Ok(())
        })?;
        assert_eq!(code(&bytes), Some("no_header"));
        Ok(())
    }
}
