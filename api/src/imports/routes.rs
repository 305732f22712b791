//! The import routes: the template to fill in.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use shouhu_domain::error::FieldError;
use shouhu_domain::{Error, msg};

use super::{census, workbook};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};

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
        "The county census sheet in: its template (the import itself comes next)",
    );
    crate::rest::mount!(routes; get_import_template);
}
