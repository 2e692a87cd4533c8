//! Every CSV the API writes, through csv-async (RFC 4180 quoting), made for office
//! software: a UTF-8 BOM first so Excel shows accents, `;` or `,` between fields (`;` by
//! default in French, as French Excel expects), and every cell typed by people made safe
//! for spreadsheets (a value Excel would run as a formula is shown as text).
//!
//! Two ways out of one writer: exports stream through a pipe (never held encoded whole);
//! small files (the template, a page of `errors.csv`) are written into memory.

use crate::pages::PageLocale;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use csv_async::{AsyncWriter, AsyncWriterBuilder};
use serde::Deserialize;
use tisseco_application::AppError;
use tisseco_domain::{Locale, ValidationError, spreadsheet_safe};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use utoipa::IntoParams;

/// The UTF-8 byte-order mark: without it Excel reads the file as the local code page and
/// mangles every accent.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file is written for its reader.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// `fr` or `en` (header and reasons); otherwise `Accept-Language`, then `DEFAULT_LOCALE`.
    pub lang: Option<String>,
    /// `;` or `,`; by default `;` in French, `,` in English.
    pub delimiter: Option<String>,
}

/// The language and delimiter a CSV download is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvFormat {
    pub locale: Locale,
    pub delimiter: u8,
}

impl CsvFormat {
    /// # Errors
    /// `Invalid` naming `delimiter` or `lang` when it is neither of the accepted values.
    pub fn of(query: &CsvQuery, request: &HttpRequest) -> Result<Self, AppError> {
        let locale = match query.lang.as_deref() {
            Some(lang) => Locale::parse("lang", lang)?,
            None => PageLocale::of(request).locale,
        };
        let delimiter = match query.delimiter.as_deref() {
            None => match locale {
                Locale::Fr => b';',
                Locale::En => b',',
            },
            Some(";") => b';',
            Some(",") => b',',
            Some(_) => {
                return Err(AppError::Invalid(ValidationError::new(
                    "delimiter",
                    "expected ; or ,",
                )));
            }
        };
        Ok(Self { locale, delimiter })
    }
}

/// One cell: text typed by people (neutralised) or a number written here (kept as is).
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn opt_text(value: Option<impl Into<String>>) -> Self {
        Self::Text(value.map(Into::into).unwrap_or_default())
    }

    pub fn int(value: i64) -> Self {
        Self::Number(value.to_string())
    }

    /// With a decimal comma: French spreadsheets read `12.5` as a date or as text.
    pub fn decimal(value: f64, places: usize) -> Self {
        Self::Number(format!("{value:.places$}").replace('.', ","))
    }

    pub fn opt_decimal(value: Option<f64>, places: usize) -> Self {
        value.map_or(Self::Number(String::new()), |v| Self::decimal(v, places))
    }

    fn into_field(self) -> String {
        match self {
            Self::Text(text) => spreadsheet_safe(&text).into_owned(),
            Self::Number(number) => number,
        }
    }
}

/// Whether the client asked for CSV (`Accept: text/csv`).
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/csv"))
}

/// The one writer every CSV goes through.
fn writer<W: tokio::io::AsyncWrite + Unpin + Send>(
    sink: W,
    delimiter: u8,
    has_headers: bool,
) -> AsyncWriter<W> {
    AsyncWriterBuilder::new()
        .has_headers(has_headers)
        .delimiter(delimiter)
        .create_writer(sink)
}

/// A `text/csv` attachment named `file_name` (`;`, decimal commas), with `header` and
/// `rows`, streamed.
pub fn csv_response(file_name: &str, header: &[&str], rows: Vec<Vec<Cell>>) -> HttpResponse {
    let (mut sink, source) = tokio::io::duplex(64 * 1024);
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    actix_web::rt::spawn(async move {
        let written = async {
            sink.write_all(BOM).await?;
            let mut writer = writer(&mut sink, b';', true);
            writer.write_record(&header).await?;
            for row in rows {
                writer
                    .write_record(row.into_iter().map(Cell::into_field))
                    .await?;
            }
            writer.flush().await?;
            Ok::<(), csv_async::Error>(())
        };
        // A client that went away closes the pipe: nothing more to do.
        if let Err(error) = written.await {
            tracing::debug!(error = %error, "CSV export stopped");
        }
    });
    let body = futures_util::stream::unfold(Some(source), |state| async move {
        let mut source = state?;
        let mut chunk = vec![0_u8; 16 * 1024];
        match source.read(&mut chunk).await {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), Some(source)))
            }
            Err(error) => Some((Err(error), None)),
        }
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .streaming(body)
}

/// `rows` of text typed by people as CSV lines (no BOM), in memory.
///
/// # Errors
/// Never in practice: the writer writes into memory.
pub async fn write_rows<R>(
    rows: impl IntoIterator<Item = R>,
    delimiter: u8,
) -> Result<Vec<u8>, csv_async::Error>
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut writer = writer(Vec::new(), delimiter, false);
    for row in rows {
        let cells = row
            .into_iter()
            .map(|cell| Cell::text(cell.as_ref()).into_field());
        writer.write_record(cells).await?;
    }
    writer.into_inner().await.map_err(csv_async::Error::from)
}

/// A whole small file: the BOM, then `rows`.
///
/// # Errors
/// As [`write_rows`].
pub async fn write_file<R>(
    rows: impl IntoIterator<Item = R>,
    delimiter: u8,
) -> Result<Vec<u8>, csv_async::Error>
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut file = BOM.to_vec();
    file.extend(write_rows(rows, delimiter).await?);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cells_are_quoted_and_formulas_neutralised() {
        let bytes = write_rows(
            [vec!["12", "address", "=HYPERLINK(\"http://x\")", "a, b"]],
            b',',
        )
        .await
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "12,address,\"'=HYPERLINK(\"\"http://x\"\")\",\"a, b\"\n"
        );
    }

    #[tokio::test]
    async fn a_french_file_has_a_bom_and_semicolons() {
        let bytes = write_file([vec!["ligne", "valeur"], vec!["2", "45,75; x"]], b';')
            .await
            .unwrap();
        assert_eq!(bytes, b"\xEF\xBB\xBFligne;valeur\n2;\"45,75; x\"\n");
    }

    #[test]
    fn numbers_written_here_keep_their_sign_and_formulas_typed_by_people_do_not_run() {
        assert_eq!(Cell::decimal(-2.5, 1).into_field(), "-2,5");
        assert_eq!(Cell::text("=1+1").into_field(), "'=1+1");
    }
}
