//! Exports (contract §11): `GET /api/v1/<collection>/export?format=csv|xlsx|ndjson`
//! with the list's filters. The domain reads the collection a batch at a time
//! as the caller reads it and notes each batch in the read log before it is
//! handed on; here each batch is written out and sent as it comes, so the
//! server never holds the whole file. (An xlsx is a zip whose directory comes
//! last: it is written to a temporary file, a row at a time, and sent from
//! there.)

use std::io::{Read, Write};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use shouhu_domain::error::FieldError;
use shouhu_domain::export::Export;
use shouhu_domain::{Ctx, Error, msg, service};
use shouhu_persistence::Db;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{Lang, text_in};
use crate::kind::Register;

/// Excel's last row, the header included.
const XLSX_MAX_ROWS: u64 = 1_048_576;

/// Chunks in flight between the reader and the response: a few batches at most.
const CHANNEL_DEPTH: usize = 4;

/// How a column's values are written.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// As they are.
    Text,
    /// An enumeration: with Chinese headers, its Chinese label (the locale
    /// entries under this key).
    Choice(&'static str),
    /// A yes or no (是/否 with Chinese headers).
    Flag,
    /// A number.
    Number,
    /// A date (`YYYY-MM-DD`; an Excel date in xlsx).
    Date,
}

/// One column of an export.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field in the record's REST form (`guarantees.education` inside an object).
    pub field: &'static str,
    /// Its Chinese header (the census sheet's, where the census has the field).
    pub zh: &'static str,
    /// How its values are written.
    pub value: Form,
}

/// A column of the record's REST field `field`.
pub const fn column(field: &'static str, zh: &'static str, value: Form) -> Column {
    Column { field, zh, value }
}

/// A register kind that can be exported: its columns, in order.
pub trait Exported: Register {
    /// The columns of a CSV or xlsx export (NDJSON carries the records as REST sends them).
    const COLUMNS: &'static [Column];
    /// The file name's stem (`children-20261202.csv`).
    const FILE: &'static str;
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Ndjson,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Ndjson => "ndjson",
        }
    }
}

/// The export's own parameters (beside the list's filters).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (the default), `xlsx` or `ndjson`.
    #[param(pattern = "^(csv|xlsx|ndjson)$")]
    pub format: Option<String>,
    /// `zh` (the default: Chinese headers, enumerations and yes/no as their Chinese labels) or `en` (the REST field
    /// names and values).
    #[param(pattern = "^(zh|en)$")]
    pub headers: Option<String>,
}

/// What the query string asks of the export itself, and the list filters.
struct Request {
    format: Format,
    english: bool,
    filters: Vec<(String, String)>,
}

/// Splits the export's own parameters (`format`, `headers`) from the list
/// filters; a bad or repeated one of its own is 400, named.
fn read_request(req: &HttpRequest) -> Result<Request, Error> {
    let pairs = crate::rest::query_pairs(req)?;
    let mut format = None;
    let mut english = None;
    let mut errors = Vec::new();
    let mut filters = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (name, value) in pairs {
        if matches!(name.as_str(), "format" | "headers") && !seen.insert(name.clone()) {
            errors.push(FieldError::new(&name, "repeated", msg!("param.repeated")));
            continue;
        }
        match name.as_str() {
            "format" => match value.as_str() {
                "csv" => format = Some(Format::Csv),
                "xlsx" => format = Some(Format::Xlsx),
                "ndjson" => format = Some(Format::Ndjson),
                _ => errors.push(FieldError::new(
                    "format",
                    "invalid_value",
                    msg!("field.expected_one_of", values = "csv, xlsx, ndjson"),
                )),
            },
            "headers" => match value.as_str() {
                "zh" => english = Some(false),
                "en" => english = Some(true),
                _ => errors.push(FieldError::new(
                    "headers",
                    "invalid_value",
                    msg!("field.expected_one_of", values = "zh, en"),
                )),
            },
            "limit" | "cursor" => errors.push(FieldError::new(&name, "unknown_parameter", msg!("export.whole"))),
            _ => filters.push((name, value)),
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidParameters(errors));
    }
    Ok(Request {
        format: format.unwrap_or(Format::Csv),
        english: english.unwrap_or(false),
        filters,
    })
}

/// Streams the collection `K` as the caller reads it, filtered like its list.
pub async fn export<K: Exported>(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let request = read_request(&req).map_err(ApiError)?;
    let ctx = caller.0;
    let db = state.db.clone();
    if request.format == Format::Xlsx {
        let rows = service::count::<K::Record, Db>(&db, &ctx, &request.filters)
            .await
            .map_err(ApiError)?;
        if rows >= XLSX_MAX_ROWS {
            let field = FieldError::new(
                "format",
                "too_many_rows",
                msg!("export.xlsx_too_many", max = XLSX_MAX_ROWS - 1),
            );
            return Err(ApiError(Error::Validation(vec![field])).into());
        }
    }
    let export = Export::<K::Record>::start(&db, &ctx, &request.filters)
        .await
        .map_err(ApiError)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(CHANNEL_DEPTH);
    let writer = Writer::<K>::new(request.format, request.english);
    actix_web::rt::spawn(produce::<K>(db, ctx, export, writer, tx));
    let body = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    let file = format!(
        "{}-{}.{}",
        K::FILE,
        shouhu_domain::resource::now().format("%Y%m%d"),
        request.format.extension()
    );
    Ok(HttpResponse::Ok()
        .content_type(request.format.content_type())
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// Reads the export a batch at a time and sends each batch's bytes; when the
/// client goes away or a step fails, stops and notes in the read log how far
/// it went. A failure after the response began cuts the response short (the
/// client sees an incomplete transfer, never a file that looks whole).
async fn produce<K: Exported>(
    db: Db,
    ctx: Ctx,
    mut export: Export<K::Record>,
    mut writer: Writer<K>,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        tracing::error!(request_id = %ctx.request_id, "export {what}: {e}");
        std::io::Error::other("export failed")
    };
    let header = writer.header();
    if !header.is_empty() && tx.send(Ok(Bytes::from(header))).await.is_err() {
        let _ = export.abandon(&db).await;
        return;
    }
    loop {
        let batch = match export.next(&db, &ctx).await {
            Ok(Some(batch)) => batch,
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(failed("read", &e))).await;
                let _ = export.abandon(&db).await;
                return;
            }
        };
        let bytes = match writer.rows(batch.into_iter().map(K::from)) {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = tx.send(Err(failed("write", &e))).await;
                let _ = export.abandon(&db).await;
                return;
            }
        };
        if !bytes.is_empty() && tx.send(Ok(Bytes::from(bytes))).await.is_err() {
            let _ = export.abandon(&db).await;
            return;
        }
    }
    match writer.finish().await {
        Ok(Some(mut file)) => {
            let mut buf = vec![0; 64 * 1024];
            loop {
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if tx.send(Ok(Bytes::copy_from_slice(&buf[..n]))).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(failed("send", &e))).await;
                        return;
                    }
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            let _ = tx.send(Err(failed("finish", &e))).await;
        }
    }
}

/// Turns records into the file's bytes, a batch at a time.
struct Writer<K> {
    format: Format,
    english: bool,
    xlsx: Option<Xlsx>,
    kind: std::marker::PhantomData<K>,
}

/// An xlsx being written: the workbook and the next row.
struct Xlsx {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
    date: rust_xlsxwriter::Format,
}

/// A cell as written: text, a number, a date or nothing.
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(chrono::NaiveDate),
}

impl<K: Exported> Writer<K> {
    fn new(format: Format, english: bool) -> Self {
        Self {
            format,
            english,
            xlsx: None,
            kind: std::marker::PhantomData,
        }
    }

    fn header_text(&self, column: &Column) -> String {
        if self.english {
            column.field.to_owned()
        } else {
            column.zh.to_owned()
        }
    }

    /// The header row (and, for CSV, the BOM Excel needs to read UTF-8).
    fn header(&mut self) -> Vec<u8> {
        let headers: Vec<String> = K::COLUMNS.iter().map(|c| self.header_text(c)).collect();
        match self.format {
            Format::Ndjson => Vec::new(),
            Format::Csv => {
                let mut out = b"\xEF\xBB\xBF".to_vec();
                let mut w = csv::Writer::from_writer(&mut out);
                let _ = w.write_record(&headers);
                let _ = w.flush();
                drop(w);
                out
            }
            Format::Xlsx => {
                let mut workbook = rust_xlsxwriter::Workbook::new();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                if let Ok(sheet) = workbook
                    .add_worksheet_with_constant_memory()
                    .and_then(|s| s.set_name(K::FILE))
                {
                    for (i, h) in headers.iter().enumerate() {
                        let _ = sheet.write_string_with_format(0, u16::try_from(i).unwrap_or(u16::MAX), h, &bold);
                    }
                }
                self.xlsx = Some(Xlsx {
                    workbook,
                    row: 1,
                    date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
                });
                Vec::new()
            }
        }
    }

    /// One record's cells, in the columns' order.
    fn cells(&self, record: &Value) -> Vec<Cell> {
        K::COLUMNS
            .iter()
            .map(|c| {
                let value = c.field.split('.').try_fold(record, |v, part| v.get(part));
                cell(value.unwrap_or(&Value::Null), c.value, self.english)
            })
            .collect()
    }

    /// A batch's bytes (nothing for xlsx, which goes to its file).
    fn rows(&mut self, records: impl Iterator<Item = K>) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        match self.format {
            Format::Ndjson => {
                for record in records {
                    serde_json::to_writer(&mut out, &record)?;
                    out.push(b'\n');
                }
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                for record in records {
                    let cells = self.cells(&serde_json::to_value(&record)?);
                    w.write_record(cells.iter().map(csv_text))?;
                }
                w.flush()?;
            }
            Format::Xlsx => {
                for record in records {
                    let cells = self.cells(&serde_json::to_value(&record)?);
                    if let Some(x) = self.xlsx.as_mut() {
                        x.write(&cells)?;
                    }
                }
            }
        }
        Ok(out)
    }

    /// The written xlsx file, to send (`None` for the other formats).
    async fn finish(&mut self) -> Result<Option<std::fs::File>, Box<dyn std::error::Error + Send + Sync>> {
        let Some(mut x) = self.xlsx.take() else {
            return Ok(None);
        };
        let file = tokio::task::spawn_blocking(
            move || -> Result<std::fs::File, Box<dyn std::error::Error + Send + Sync>> {
                let mut file = tempfile::tempfile()?;
                x.workbook.save_to_writer(&mut file)?;
                file.flush()?;
                std::io::Seek::rewind(&mut file)?;
                Ok(file)
            },
        )
        .await??;
        Ok(Some(file))
    }
}

impl Xlsx {
    fn write(&mut self, cells: &[Cell]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let row = self.row;
        let Some(sheet) = self.workbook.worksheets_mut().first_mut() else {
            return Ok(());
        };
        for (i, c) in cells.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            match c {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(row, col, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(row, col, *n)?;
                }
                Cell::Date(d) => {
                    sheet.write_date_with_format(row, col, *d, &self.date)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }
}

/// A value of the record as its column writes it.
fn cell(value: &Value, kind: Form, english: bool) -> Cell {
    match (value, kind) {
        (Value::Null, _) => Cell::Empty,
        (Value::Bool(b), _) if english => Cell::Text(b.to_string()),
        (Value::Bool(b), _) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
        (Value::Number(n), _) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        (Value::String(s), Form::Choice(key)) if !english => Cell::Text(text_in(Lang::ZhCn, &format!("{key}.{s}"))),
        (Value::String(s), Form::Date) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Cell::Date(d),
            Err(_) => Cell::Text(s.clone()),
        },
        (Value::String(s), _) => Cell::Text(s.clone()),
        (other, _) => Cell::Text(other.to_string()),
    }
}

/// A cell's CSV text. Text a spreadsheet would read as a formula (`=`, `+`,
/// `-`, `@`, and a tab or carriage return before one) gets a leading `'`.
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_quoted() {
        for s in ["=1+1", "+86", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(csv_text(&Cell::Text(s.to_owned())), format!("'{s}"));
        }
        assert_eq!(csv_text(&Cell::Text("王小明".to_owned())), "王小明");
        assert_eq!(csv_text(&Cell::Number(-2.0)), "-2");
    }
}
