//! `/api/v1/imports`: CSV imports of containers (managers). The upload is streamed into
//! staging as it arrives and answered 202; the worker validates and merges it; progress,
//! rejected rows as CSV, cancel, and the CSV template.

use crate::csv::{CsvFormat, CsvQuery};
use crate::error::{ApiError, Problem};
use crate::extract::{Caller, ValidQuery};
use crate::pages::PageLocale;
use crate::request_id::RequestId;
use crate::state::AppState;
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::web::{Bytes, Data, Path, Payload};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tisseco_application::AppError;
use tisseco_application::imports::{ImportSummary, Imports, UploadError};
use tisseco_domain::Locale;
use tisseco_domain::import::{TextEncoding, template_rows};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// How long an upload may send nothing before it ends (app data; see the settings).
#[derive(Debug, Clone, Copy)]
pub struct UploadReadTimeout(pub std::time::Duration);

const DEFAULT_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Rejected lines per page of `errors.csv`.
const ERRORS_PAGE: u32 = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Shown in the import and its report (default `import.csv`).
    pub file_name: Option<String>,
    /// Validate only: nothing is merged.
    pub dry_run: Option<bool>,
    /// `utf-8`, `windows-1252`, `iso-8859-15` or `macintosh`; detected when absent
    /// (valid UTF-8 stays UTF-8, CR-only line endings mean Mac, else Windows-1252).
    pub encoding: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCreated {
    pub id: Uuid,
    /// Where to follow its progress.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCounts {
    /// Rows received (the header excluded).
    pub staged: u64,
    pub valid: u64,
    pub rejected: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Valid rows equal to their container: left as it was, its version kept.
    pub unchanged: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    pub id: Uuid,
    pub file_name: String,
    /// receiving, uploaded, validating, merging, completed, failed or cancelled.
    #[schema(example = "validating")]
    pub state: String,
    /// Why a failed import failed.
    pub failure: Option<String>,
    pub dry_run: bool,
    /// The encoding the file was read in: `utf-8`, `windows-1252`, `iso-8859-15` or
    /// `macintosh` (detected, or as `encoding` said); null before the upload ends.
    pub encoding: Option<String>,
    pub counts: ImportCounts,
    /// 0 to 100.
    pub percent: u8,
    /// The rejected rows with their reasons, as CSV.
    pub errors_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn url_of(id: Uuid) -> String {
    format!("/api/v1/imports/{id}")
}

impl ImportDto {
    /// The import as `locale`'s reader sees it (its failure in their words).
    #[must_use]
    pub fn of(i: ImportSummary, locale: Locale) -> Self {
        Self {
            percent: i.percent(),
            errors_url: format!("{}/errors.csv", url_of(i.id)),
            id: i.id,
            file_name: i.file_name,
            state: i.state.as_str().to_owned(),
            failure: i
                .failure
                .map(|code| tisseco_i18n::import_failure(locale, &code)),
            dry_run: i.dry_run,
            encoding: i.encoding,
            counts: ImportCounts {
                staged: i.staged,
                valid: i.valid,
                rejected: i.rejected,
                inserted: i.inserted,
                updated: i.updated,
                unchanged: i.unchanged,
            },
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// A multipart upload: the file in a part named `file`; other parts are ignored.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "documents the multipart body")]
pub struct UploadForm {
    /// The CSV file; its name is the import's unless `file_name` is given.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload a CSV file of containers (format: README, template: `imports/template.csv`), as
/// the body (`text/csv`) or as the `file` part of a `multipart/form-data` form. The body is
/// read as it arrives; file-level problems (encoding, header, size) answer 422 naming the
/// reason; the same file uploaded twice answers 409.
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), params(UploadQuery),
    request_body(content(
        (String = "text/csv"),
        (UploadForm = "multipart/form-data"),
    )), responses(
    (status = 202, body = ImportCreated, headers(("Location" = String))),
    (status = 409, description = "The same file was already imported", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Content-Length is over IMPORT_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The file can't be read", body = Problem, content_type = "application/problem+json"),
))]
#[post("/imports")]
pub async fn upload_import(
    query: ValidQuery<UploadQuery>,
    caller: Caller,
    request: HttpRequest,
    state: Data<AppState>,
    read_timeout: Option<Data<UploadReadTimeout>>,
    body: Payload,
) -> Result<HttpResponse, ApiError> {
    let UploadQuery {
        file_name,
        dry_run,
        encoding,
    } = query.0;
    let dry_run = dry_run.unwrap_or(false);
    let encoding = encoding
        .as_deref()
        .map(TextEncoding::parse)
        .transpose()
        .map_err(AppError::Invalid)?;
    let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone());
    let locale = PageLocale::of(&request).locale;
    let mut upload = Receive {
        locale,
        imports: &state.imports,
        uploader: caller.0.user_id.0,
        dry_run,
        encoding,
        request_id,
        read_timeout: read_timeout.map_or(DEFAULT_READ_TIMEOUT, |t| t.0),
    };
    let mime = request.mime_type().ok().flatten();
    if let Some(refusal) = mime.as_ref().and_then(|m| unsupported_upload(m, locale)) {
        return Err(ApiError::UnsupportedMediaType(refusal));
    }
    let is_form = mime.is_some_and(|m| m.essence_str() == "multipart/form-data");
    refuse_declared_too_large(&request, state.imports.max_bytes(), is_form)?;
    let id = if is_form {
        let mut parts = Multipart::new(request.headers(), body);
        loop {
            let Ok(next) = tokio::time::timeout(upload.read_timeout, parts.next()).await else {
                return Err(ApiError::RequestTimeout(tisseco_i18n::import_failure(
                    locale,
                    "form-stalled",
                )));
            };
            let Some(part) = next else {
                return Err(file_problem(locale, "form-no-file").into());
            };
            let mut part = part.map_err(|e| {
                tracing::info!(error = %e, "an upload's form can't be read");
                file_problem(locale, "form-unreadable")
            })?;
            if part.name() == Some("file") {
                let name = file_name.or_else(|| {
                    part.content_disposition()
                        .and_then(|d| d.get_filename())
                        .map(str::to_owned)
                });
                break upload.run(name, &mut part).await?;
            }
            while part.next().await.is_some() {}
        }
    } else {
        upload.run(file_name, &mut Box::pin(body)).await?
    };
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, url_of(id)))
        .json(ImportCreated {
            id,
            url: url_of(id),
        }))
}

/// Why a declared media type can't be an import, in words that say what to do.
fn unsupported_upload(mime: &actix_web::mime::Mime, locale: Locale) -> Option<String> {
    let essence = mime.essence_str();
    let csv_like = mime.type_() == actix_web::mime::TEXT
        || matches!(
            essence,
            "application/csv"
                | "application/vnd.ms-excel"
                | "application/octet-stream"
                | "multipart/form-data"
        );
    let code = if csv_like {
        return None;
    } else if essence.contains("spreadsheetml") || essence.contains("excel") {
        "file-workbook".to_owned()
    } else if essence.contains("zip") || essence.contains("gzip") {
        "file-compressed".to_owned()
    } else {
        // the type as sent: it may hold a colon, the code's separator, at its end only
        format!("media-type:{essence}")
    };
    Some(tisseco_i18n::import_failure(locale, &code))
}

/// Room for a form's boundaries and part headers around the file.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// 413 before reading a byte when `Content-Length` already says the file is too large
/// (streaming 512 MiB to learn it took 44 s); an undeclared length is checked as it comes.
fn refuse_declared_too_large(
    request: &HttpRequest,
    limit: u64,
    is_form: bool,
) -> Result<(), ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let allowed = limit.saturating_add(if is_form { FORM_OVERHEAD } else { 0 });
    match declared {
        Some(length) if length > allowed => Err(ApiError::PayloadTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        }),
        _ => Ok(()),
    }
}

/// A problem with the file, in the reader's words (`code` as i18n's `import_failure` reads).
fn file_problem(locale: Locale, code: &str) -> AppError {
    AppError::Invalid(tisseco_domain::ValidationError::new(
        "file",
        tisseco_i18n::import_failure(locale, code),
    ))
}

/// One upload's bytes, from the body or a form part, into the import.
struct Receive<'a> {
    imports: &'a Imports,
    locale: Locale,
    uploader: Uuid,
    dry_run: bool,
    encoding: Option<TextEncoding>,
    request_id: Option<String>,
    read_timeout: std::time::Duration,
}

impl Receive<'_> {
    async fn run<S, E>(
        &mut self,
        file_name: Option<String>,
        bytes: &mut S,
    ) -> Result<Uuid, ApiError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let file_name = file_name.unwrap_or_else(|| "import.csv".to_owned());
        let upload = self
            .imports
            .begin(Some(self.uploader), &file_name, self.dry_run, self.encoding)
            .await?;
        // The reader wants a body it can send between threads; actix's is bound to its
        // thread, so its chunks are handed over through a short channel as they arrive.
        let (chunks, received) = tokio::sync::mpsc::channel(4);
        let body = futures_util::stream::unfold(received, |mut received| async move {
            received.recv().await.map(|chunk| (chunk, received))
        });
        let read = upload.read(Box::pin(body), self.request_id.take());
        let (read, ()) = futures_util::join!(read, forward(bytes, chunks, self.read_timeout));
        // the import stores codes; the answer puts them in the uploader's words
        match read {
            Ok(id) => Ok(id),
            Err(UploadError::App(AppError::Invalid(error))) if error.field == "file" => {
                Err(file_problem(self.locale, &error.reason).into())
            }
            Err(UploadError::App(error)) => Err(error.into()),
            Err(UploadError::Body(error)) if error.kind() == std::io::ErrorKind::TimedOut => {
                Err(ApiError::RequestTimeout(tisseco_i18n::import_failure(
                    self.locale,
                    &error.to_string(),
                )))
            }
            Err(UploadError::Body(error)) => {
                Err(file_problem(self.locale, &error.to_string()).into())
            }
        }
    }
}

/// Hands the body's chunks to the reader until it ends, stalls or the reader stops; the
/// reader sees the end when `chunks` is dropped.
async fn forward<S, E>(
    bytes: &mut S,
    chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    read_timeout: std::time::Duration,
) where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    loop {
        let chunk = match tokio::time::timeout(read_timeout, bytes.next()).await {
            // codes, as the import stores them (i18n's `import_failure` puts them in words)
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("upload-stalled:{}", read_timeout.as_secs()),
            )),
            Ok(None) => return,
            Ok(Some(Ok(chunk))) => Ok(chunk),
            Ok(Some(Err(error))) => {
                tracing::info!(error = %error, "an upload was interrupted");
                Err(std::io::Error::other("upload-interrupted"))
            }
        };
        let last = chunk.is_err();
        if chunks.send(chunk).await.is_err() || last {
            return;
        }
    }
}

/// The CSV template: the columns and one example row, in French (French column names,
/// decimal commas, `;`) or English, with a BOM.
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), params(CsvQuery), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports/template.csv")]
pub async fn import_template(
    query: ValidQuery<CsvQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let format = CsvFormat::of(&query.0, &request)?;
    let file = crate::csv::write_file(template_rows(format.locale == Locale::Fr), format.delimiter)
        .await
        .map_err(|e| AppError::Unexpected(format!("writing the template: {e}")))?;
    let name = match format.locale {
        Locale::Fr => "tisseco-modele-import.csv",
        Locale::En => "tisseco-import-template.csv",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(file))
}

/// An import's state, counts and progress.
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), responses(
    (status = 200, body = ImportDto),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports/{id}")]
pub async fn get_import(
    id: Path<Uuid>,
    language: PageLocale,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let import = state.imports.get(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ImportDto::of(import, language.locale)))
}

/// Cancel an import that has not started merging.
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), responses(
    (status = 200, body = ImportDto),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Merging started or the import ended", body = Problem, content_type = "application/problem+json"),
))]
#[post("/imports/{id}/cancel")]
pub async fn cancel_import(
    id: Path<Uuid>,
    language: PageLocale,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let import = state.imports.cancel(id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ImportDto::of(import, language.locale)))
}

async fn errors_page(
    imports: &Imports,
    id: Uuid,
    after: u64,
    format: CsvFormat,
) -> Result<(Bytes, u64), AppError> {
    let cells = imports.errors_after(id, after, ERRORS_PAGE).await?;
    let last = cells.last().map_or(after, |c| c.line);
    let locale = format.locale;
    let rows = cells.into_iter().map(|cell| {
        [
            cell.line.to_string(),
            tisseco_i18n::column(locale, &cell.error.column),
            cell.error.value,
            tisseco_i18n::reason(locale, &cell.error.column, &cell.error.reason),
        ]
    });
    let text = crate::csv::write_rows(rows, format.delimiter)
        .await
        .map_err(|e| AppError::Unexpected(format!("writing errors.csv: {e}")))?;
    Ok((Bytes::from(text), last))
}

/// The rejected rows: line, column, value and reason in the reader's language, as CSV
/// with a BOM (streamed page by page).
#[utoipa::path(tag = "imports", security(("bearer" = ["manager"])), params(CsvQuery), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports/{id}/errors.csv")]
pub async fn import_errors(
    id: Path<Uuid>,
    query: ValidQuery<CsvQuery>,
    request: HttpRequest,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let format = CsvFormat::of(&query.0, &request)?;
    state.imports.get(id).await?;
    let imports = state.imports.clone();
    let words = |key: &str| tisseco_i18n::t(format.locale, key, &[]);
    let header_row = [
        words("errors-csv-line"),
        words("errors-csv-column"),
        words("errors-csv-value"),
        words("errors-csv-reason"),
    ];
    let header = crate::csv::write_file([header_row], format.delimiter)
        .await
        .map_err(|e| AppError::Unexpected(format!("writing errors.csv: {e}")))?;
    let header = Bytes::from(header);
    let pages = futures_util::stream::unfold(Some(0_u64), move |after| {
        let imports = imports.clone();
        async move {
            let after = after?;
            match errors_page(&imports, id, after, format).await {
                Ok((bytes, _)) if bytes.is_empty() => None,
                Ok((bytes, last)) => Some((Ok::<_, actix_web::Error>(bytes), Some(last))),
                Err(error) => Some((Err(ApiError::from(error).into()), None)),
            }
        }
    });
    let body = futures_util::stream::once(async { Ok::<_, actix_web::Error>(header) }).chain(pages);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"import-{id}-errors.csv\""),
        ))
        .streaming(body))
}
