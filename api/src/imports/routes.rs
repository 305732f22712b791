//! The import routes: the template to fill in, an import sent, where it
//! stands, and its report.

use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures::StreamExt;
use serde::Serialize;
use shouhu_domain::error::FieldError;
use shouhu_domain::policy::{self, Action, Writable};
use shouhu_domain::ports::AccountStore;
use shouhu_domain::resource::ResourceKind;
use shouhu_domain::{Error, msg};
use shouhu_persistence::{ImportJob, NewImport};
use utoipa::ToSchema;
use uuid::Uuid;

use super::run::Counts;
use super::{census, sheet, workbook};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, problem_error};

/// The query of the template: `kind=children`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateParams {
    /// What the sheet registers: `children` (the county census; the only kind so far).
    #[param(pattern = "^children$")]
    pub kind: String,
}

/// Gets the census template: an .xlsx to fill in.
///
/// The census sheet to fill in: the headers in row 1, an example row, drop-down lists of the enumerations' Chinese
/// labels (and 是/否) down to row 5000, ID number and phone columns formatted as text, and a notes sheet (说明) on
/// every column.
#[utoipa::path(get, path = "/api/v1/imports/template", tag = "imports", params(TemplateParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The template", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"census-template.xlsx\"`"))),
        (status = 400, description = "No or another `kind`, or a parameter the template does not take", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import_template(_caller: Caller, req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    let pairs = crate::rest::query_pairs(&req).map_err(ApiError)?;
    let mut errors = Vec::new();
    let mut kind = None;
    for (name, value) in pairs {
        match name.as_str() {
            "kind" if kind.is_some() => errors.push(FieldError::new("kind", "repeated", msg!("param.repeated"))),
            "kind" if value == "children" => kind = Some(value),
            "kind" => errors.push(FieldError::new(
                "kind",
                "invalid_value",
                msg!("field.expected_one_of", values = "children"),
            )),
            _ => errors.push(FieldError::new(&name, "unknown_parameter", msg!("param.unknown"))),
        }
    }
    if kind.is_none() && errors.is_empty() {
        errors.push(FieldError::new("kind", "required", msg!("field.required")));
    }
    if !errors.is_empty() {
        return Err(ApiError(Error::InvalidParameters(errors)).into());
    }
    let body = workbook::template(
        "儿童",
        &census::template_columns(),
        "填写说明",
        &census::template_notes(),
    )
    .map_err(|e| ApiError(Error::Internal(format!("template: {e}"))))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"census-template.xlsx\"",
        ))
        .body(body))
}

/// Mounts the import routes, with their OpenAPI entries.
pub fn routes(routes: &mut crate::rest::Routes) {
    routes.tag(
        "imports",
        "The county census sheet in: its template, the import as a background job, its report",
    );
    crate::rest::mount!(routes; get_import_template, create_import, get_import, get_import_report);
}

/// The form of an import (`multipart/form-data`): these fields only.
#[derive(Debug, ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The census sheet: an .xlsx, or a .csv in UTF-8 (with or without BOM) or GB18030.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What the sheet registers.
    #[schema(pattern = "^children$")]
    kind: String,
    /// `dry_run` (the default: check every row, write nothing) or `commit`.
    #[schema(pattern = "^(dry_run|commit)$")]
    mode: Option<String>,
    /// `reject_all` (the default: write nothing unless every row is valid) or `skip_row` (write the valid rows).
    #[schema(pattern = "^(reject_all|skip_row)$")]
    on_error: Option<String>,
}

/// An import accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAccepted {
    /// Its id.
    pub id: Uuid,
    /// `queued`.
    pub status: String,
}

/// Where an import stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportStatus {
    /// Its id.
    pub id: Uuid,
    /// What it registers (`children`).
    pub kind: String,
    /// `dry_run` or `commit`.
    pub mode: String,
    /// `reject_all` or `skip_row`.
    pub on_error: String,
    /// `queued`, `running`, `done` (also when every row was refused) or `failed` (the file could not be read).
    pub status: String,
    /// From 0 to 1: the share of its rows read.
    pub progress: f64,
    /// Its counts (all 0 until it is done; `rows` grows while it runs).
    pub counts: Counts,
    /// Once done: whether its rows were written (false for a dry run, and for `reject_all` with a refused row).
    pub written: Option<bool>,
    /// The file's name as sent.
    pub file_name: Option<String>,
    /// When it was sent.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One problem of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLine {
    /// The row as Excel numbers it (the header is row 1).
    pub row: u32,
    /// The column's header as written (empty for the row or the file as a whole).
    pub column: String,
    /// A stable code.
    pub code: String,
    /// What is wrong, in your language.
    pub message: String,
}

/// An import's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// `done` or `failed`.
    pub status: String,
    /// The problems, in row order.
    pub items: Vec<ReportLine>,
    /// The headers that are no census column (ignored).
    pub ignored_columns: Vec<String>,
}

const FIELD_LIMIT: usize = 64;

/// Sends a census sheet to import, as a background job.
///
/// The sheet is checked and written row by row as the API would write each child, within your jurisdiction and role
/// (see the README's "Census import"), in the background on any replica: poll `Location` for its status and
/// progress, then read its report. Only an account that may register children may import; the import, its status
/// and its report are yours alone (404 to anyone else).
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports", security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "Accepted: queued", body = ImportAccepted,
            headers(("Location" = String, description = "`/api/v1/imports/{id}`"))),
        (status = 400, description = "Not a multipart form", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not register children", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "A file larger than `SHOUHU_IMPORT_MAX_BYTES`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, or a bad `kind`, `mode` or `on_error`, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let ctx = caller.0;
    if policy::writable(&ctx, ResourceKind::Child, Action::Create) == Writable::Nothing {
        return Err(ApiError(Error::Forbidden(msg!("forbidden.create", kind = "child"))).into());
    }
    let max = usize::try_from(state.settings.serve.import_max_bytes).unwrap_or(usize::MAX);
    let bad_form = |e: &dyn std::fmt::Display| {
        problem_error(Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            msg!("census.bad_form", reason = e.to_string()),
        ))
    };
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let (mut file, mut file_name, mut fields) = (None::<Vec<u8>>, None, BTreeMap::new());
    let mut errors = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| bad_form(&e))?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" { max } else { FIELD_LIMIT };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| bad_form(&e))?;
            if bytes.len() + chunk.len() > limit {
                if name == "file" {
                    return Err(problem_error(Problem::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too-large",
                        msg!("census.too_large", max = max),
                    )));
                }
                errors.push(FieldError::new(
                    &name,
                    "too_long",
                    msg!("census.bad_form", reason = "too long"),
                ));
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" if file.is_none() => {
                file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(str::to_owned);
                file = Some(bytes);
            }
            "kind" | "mode" | "on_error" if !fields.contains_key(&name) => {
                fields.insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
            }
            "file" | "kind" | "mode" | "on_error" => {
                errors.push(FieldError::new(&name, "repeated", msg!("param.repeated")));
            }
            _ => errors.push(FieldError::new(&name, "unknown_field", msg!("param.unknown"))),
        }
    }
    let choice = |field: &str, default: Option<&str>, values: &[&str], errors: &mut Vec<FieldError>| match fields
        .get(field)
        .map(String::as_str)
        .or(default)
    {
        Some(v) if values.contains(&v) => Some(v.to_owned()),
        None => {
            errors.push(FieldError::new(field, "required", msg!("field.required")));
            None
        }
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "invalid_value",
                msg!("field.expected_one_of", values = values.join(", ")),
            ));
            None
        }
    };
    let kind = choice("kind", None, &["children"], &mut errors);
    let mode = choice("mode", Some("dry_run"), &["dry_run", "commit"], &mut errors);
    let on_error = choice("on_error", Some("reject_all"), &["reject_all", "skip_row"], &mut errors);
    let file = match file {
        Some(f) => Some(f),
        None => {
            errors.push(FieldError::new("file", "required", msg!("census.no_file")));
            None
        }
    };
    let (Some(kind), Some(mode), Some(on_error), Some(file), true) = (kind, mode, on_error, file, errors.is_empty())
    else {
        return Err(ApiError(Error::Validation(errors)).into());
    };
    let username = state
        .db
        .account(ctx.subject.parse().map_err(|_| ApiError(Error::NotFound))?)
        .await
        .map_err(ApiError)?
        .map(|a| a.username)
        .ok_or(ApiError(Error::Forbidden(msg!("import.account_unavailable"))))?;
    let id = Uuid::now_v7();
    let new = NewImport {
        id,
        subject: ctx.subject.clone(),
        username,
        kind,
        dry_run: mode == "dry_run",
        on_error,
        file_name,
    };
    state
        .db
        .insert_import(new, file, chrono::Utc::now())
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/imports/{id}")))
        .json(ImportAccepted {
            id,
            status: "queued".to_owned(),
        }))
}

/// The caller's own import, or 404.
async fn own_import(state: &AppState, caller: &Caller, id: Uuid) -> Result<ImportJob, actix_web::Error> {
    match state.db.import_job(id).await.map_err(ApiError)? {
        Some(job) if job.subject == caller.0.subject => Ok(job),
        _ => Err(ApiError(Error::NotFound).into()),
    }
}

/// Gets where an import stands.
///
/// Its status, progress and counts, for polling. Only the account that sent it reads it (404 to anyone else).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The import")),
    responses(
        (status = 200, description = "Where it stands", body = ImportStatus),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, actix_web::Error> {
    let job = own_import(&state, &caller, id.into_inner()).await?;
    let counts: Counts = job
        .counts
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or(Counts {
            rows: u64::try_from(job.rows_done).unwrap_or(0),
            ..Counts::default()
        });
    let finished = matches!(job.status.as_str(), "done" | "failed");
    #[allow(clippy::cast_precision_loss)]
    let progress = if finished {
        1.0
    } else if job.rows_total > 0 {
        (job.rows_done as f64 / job.rows_total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let written = job
        .report
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
        .and_then(|r| r["written"].as_bool())
        .filter(|_| finished);
    Ok(HttpResponse::Ok().json(ImportStatus {
        id: job.id,
        kind: job.kind,
        mode: if job.dry_run { "dry_run" } else { "commit" }.to_owned(),
        on_error: job.on_error,
        status: job.status,
        progress,
        counts,
        written,
        file_name: job.file_name,
        created_at: job.created_at,
        updated_at: job.updated_at,
    }))
}

/// The report's format.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `json` (the default) or `xlsx`: the sheet as sent, with an error column (错误) added, to fix and send again.
    #[param(pattern = "^(json|xlsx)$")]
    pub format: Option<String>,
}

/// Gets an import's report.
///
/// The row-level problems of a finished import: the row as Excel numbers it (the header is row 1), the column by its
/// header as written, a code and a message in your language; with `format=xlsx`, the sheet as sent with an error
/// column. Until the import is done or failed: 409.
#[utoipa::path(get, path = "/api/v1/imports/{id}/report", tag = "imports", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The import"), ReportParams),
    responses(
        (status = 200, description = "The report", content(
            (ImportReport = "application/json"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "The id is not a UUID, or a bad parameter, named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not finished yet; or an xlsx asked of a file that could not be read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import_report(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse, actix_web::Error> {
    let mut xlsx = false;
    let mut errors = Vec::new();
    let mut seen = false;
    for (name, value) in crate::rest::query_pairs(&req).map_err(ApiError)? {
        match (name.as_str(), value.as_str()) {
            ("format", _) if seen => errors.push(FieldError::new("format", "repeated", msg!("param.repeated"))),
            ("format", "json" | "xlsx") => {
                seen = true;
                xlsx = value == "xlsx";
            }
            ("format", _) => errors.push(FieldError::new(
                "format",
                "invalid_value",
                msg!("field.expected_one_of", values = "json, xlsx"),
            )),
            _ => errors.push(FieldError::new(&name, "unknown_parameter", msg!("param.unknown"))),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError(Error::InvalidParameters(errors)).into());
    }
    let job = own_import(&state, &caller, id.into_inner()).await?;
    let Some(report) = job
        .report
        .as_deref()
        .filter(|_| matches!(job.status.as_str(), "done" | "failed"))
    else {
        return Err(ApiError(Error::Conflict {
            field: None,
            message: msg!("census.not_finished"),
        })
        .into());
    };
    let report: serde_json::Value =
        serde_json::from_str(report).map_err(|e| ApiError(Error::Internal(e.to_string())))?;
    let lines = report["lines"].as_array().cloned().unwrap_or_default();
    if xlsx {
        if job.status == "failed" {
            return Err(ApiError(Error::Conflict {
                field: None,
                message: msg!("census.unreadable_file"),
            })
            .into());
        }
        let file = state
            .db
            .import_file(job.id)
            .await
            .map_err(ApiError)?
            .unwrap_or_default();
        let sheet = sheet::read(&file).map_err(|e| ApiError(Error::Internal(e.code.to_owned())))?;
        let mut by_row: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for line in &lines {
            let row = line["row"].as_u64().and_then(|r| u32::try_from(r).ok()).unwrap_or(1);
            let column = line["column"].as_str().unwrap_or_default();
            let text = line["zh-CN"].as_str().unwrap_or_default();
            let text = if column.is_empty() {
                text.to_owned()
            } else {
                format!("{column}：{text}")
            };
            by_row.entry(row).or_default().push(text);
        }
        let body = workbook::report(&sheet, &by_row, "错误").map_err(|e| ApiError(Error::Internal(e.to_string())))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{}-report.xlsx\"", job.id),
            ))
            .body(body));
    }
    let lang = if crate::i18n::current() == crate::i18n::Lang::ZhCn {
        "zh-CN"
    } else {
        "en"
    };
    let items = lines
        .iter()
        .map(|l| ReportLine {
            row: l["row"].as_u64().and_then(|r| u32::try_from(r).ok()).unwrap_or(1),
            column: l["column"].as_str().unwrap_or_default().to_owned(),
            code: l["code"].as_str().unwrap_or_default().to_owned(),
            message: l[lang].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let ignored_columns = report["ignored"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(ImportReport {
        status: job.status,
        items,
        ignored_columns,
    }))
}
