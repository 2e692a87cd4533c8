//! CSV answers for spreadsheets (French office settings): UTF-8 with a byte-order mark,
//! `;` between fields, decimal commas, formula-like text neutralised. Written by csv-async
//! into a pipe the response streams from, so a large export is never held encoded whole.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use csv_async::AsyncWriterBuilder;
use tisseco_domain::spreadsheet_safe;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The UTF-8 byte-order mark: without it Excel reads the file as the local code page and
/// mangles every accent.
const BOM: &[u8] = b"\xEF\xBB\xBF";

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

    fn as_field(&self) -> String {
        match self {
            Self::Text(text) => spreadsheet_safe(text).into_owned(),
            Self::Number(number) => number.clone(),
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

/// A `text/csv` attachment named `file_name`, with `header` and `rows`.
pub fn csv_response(file_name: &str, header: &[&str], rows: Vec<Vec<Cell>>) -> HttpResponse {
    let (mut sink, source) = tokio::io::duplex(64 * 1024);
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    actix_web::rt::spawn(async move {
        let written = async {
            sink.write_all(BOM).await?;
            let mut writer = AsyncWriterBuilder::new()
                .delimiter(b';')
                .create_writer(&mut sink);
            writer.write_record(&header).await?;
            for row in rows {
                writer.write_record(row.iter().map(Cell::as_field)).await?;
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
