//! CSV the API writes, through csv-async (RFC 4180 quoting), made for office software: a
//! UTF-8 BOM first so Excel shows accents, `;` or `,` as `?delimiter=` says (by default `;`
//! in French, as French Excel expects, `,` in English), and every cell made safe for
//! spreadsheets: a value that Excel would run as a formula is shown as text.

use crate::pages::PageLocale;
use actix_web::HttpRequest;
use serde::Deserialize;
use tisseco_application::AppError;
use tisseco_domain::{Locale, ValidationError, spreadsheet_safe};
use utoipa::IntoParams;

/// The byte-order mark that tells Excel the file is UTF-8.
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

/// `rows` as CSV lines (no BOM), each cell neutralised against formula injection.
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
    let mut writer = csv_async::AsyncWriterBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .create_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|cell| spreadsheet_safe(cell.as_ref()).into_owned())
            .collect();
        writer.write_record(&cells).await?;
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
}
