//! CSV the API writes, through csv-async (RFC 4180 quoting), with every cell made safe for
//! spreadsheets: a value that Excel would run as a formula is shown as text.

use tisseco_domain::spreadsheet_safe;

/// `rows` as CSV lines (no header), each cell neutralised against formula injection.
///
/// # Errors
/// Never in practice: the writer writes into memory.
pub async fn write_rows<R>(rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv_async::Error>
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut writer = csv_async::AsyncWriterBuilder::new()
        .has_headers(false)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cells_are_quoted_and_formulas_neutralised() {
        let bytes = write_rows([vec!["12", "address", "=HYPERLINK(\"http://x\")", "a, b"]])
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "12,address,\"'=HYPERLINK(\"\"http://x\"\")\",\"a, b\"\n"
        );
    }
}
