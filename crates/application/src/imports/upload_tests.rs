//! Reading an upload on fakes: the files office software saves, read by csv-async into the
//! same rows, and every file-level problem failing the import with its reason.

use super::{ImportState, Imports, UploadError};
use crate::AppError;
use crate::testing::InMemoryImports;
use std::io;
use std::sync::Arc;
use tisseco_domain::import::{FileError, TextEncoding};

const HEADER: &[u8] = b"code_site;r\xC3\xA9f\xC3\xA9rence;type;latitude;longitude;notes";

fn chunks(bytes: &[u8], size: usize) -> Vec<io::Result<Vec<u8>>> {
    bytes.chunks(size).map(|c| Ok(c.to_vec())).collect()
}

struct Reading {
    store: InMemoryImports,
    imports: Imports,
}

impl Reading {
    fn new(max_bytes: u64) -> Self {
        let store = InMemoryImports::default();
        Self {
            imports: Imports::new(Arc::new(store.clone()), max_bytes),
            store,
        }
    }

    async fn read(
        &self,
        body: Vec<io::Result<Vec<u8>>>,
        encoding: Option<TextEncoding>,
    ) -> (uuid::Uuid, Result<uuid::Uuid, UploadError>) {
        let upload = self
            .imports
            .begin(None, "f.csv", false, encoding)
            .await
            .unwrap();
        let id = upload.id();
        (
            id,
            upload.read(futures_util::stream::iter(body), None).await,
        )
    }

    /// The rows staged by reading `file` in chunks of `size`: (line, fields).
    async fn rows(&self, file: &[u8], size: usize) -> Vec<(u64, Vec<String>)> {
        let (id, read) = self.read(chunks(file, size), None).await;
        read.unwrap();
        self.store
            .staged(id)
            .into_iter()
            .map(|r| (r.line, r.fields))
            .collect()
    }

    /// The reason the import failed with, after reading `file`.
    async fn failure(&self, file: &[u8], encoding: Option<TextEncoding>) -> String {
        let (id, read) = self.read(chunks(file, 3), encoding).await;
        let Err(UploadError::App(AppError::Invalid(error))) = read else {
            panic!("refused as a bad file: {read:?}");
        };
        assert_eq!(error.field, "file");
        let import = self.imports.get(id).await.unwrap();
        assert_eq!(import.state, ImportState::Failed);
        assert_eq!(import.failure.as_deref(), Some(error.reason.as_str()));
        error.reason
    }
}

fn file(header: &[u8], end: &[u8], rows: &[&[u8]]) -> Vec<u8> {
    let mut file = header.to_vec();
    for row in rows {
        file.extend_from_slice(end);
        file.extend_from_slice(row);
    }
    file.extend_from_slice(end);
    file
}

#[tokio::test]
async fn the_three_csv_files_of_french_excel_give_the_same_rows() {
    let utf8 = [
        b"\xEF\xBB\xBF".as_slice(),
        &file(
            HEADER,
            b"\r\n",
            &[b"lyon;A-1;street_bin;45,75;4,83;Caf\xC3\xA9 \xE2\x82\xAC"],
        ),
    ]
    .concat();
    let windows = file(
        b"code_site;r\xE9f\xE9rence;type;latitude;longitude;notes",
        b"\r\n",
        &[b"lyon;A-1;street_bin;45,75;4,83;Caf\xE9 \x80"],
    );
    let mac = file(
        b"code_site;r\x8Ef\x8Erence;type;latitude;longitude;notes",
        b"\r",
        &[b"lyon;A-1;street_bin;45,75;4,83;Caf\x8E \xDB"],
    );
    let expected = vec![(
        2,
        ["lyon", "A-1", "street_bin", "45,75", "4,83", "Café €"]
            .map(String::from)
            .to_vec(),
    )];
    for (name, bytes) in [("utf-8", utf8), ("windows-1252", windows), ("mac", mac)] {
        for size in [1, 5, 4096] {
            // a store of its own each time: the same file twice is refused
            let reading = Reading::new(1 << 20);
            assert_eq!(
                reading.rows(&bytes, size).await,
                expected,
                "{name} by {size}"
            );
        }
    }
}

#[tokio::test]
async fn quoted_fields_keep_their_text_and_every_row_its_line() {
    let reading = Reading::new(1 << 20);
    let bytes = file(
        b"site_code,external_ref,type,latitude,longitude,notes",
        b"\n",
        &[
            b"lyon,A-1,other,45.7,4.8,\"two\nlines, a \"\"quote\"\"\"",
            b"",
            b"lyon,A-2,other,45.7,4.8,12\" screen",
            b"lyon,A-3",
        ],
    );
    let bytes = &bytes[..bytes.len() - 1]; // and no line end at the end
    let rows = reading.rows(bytes, 2).await;
    let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(lines, [2, 5, 6], "a blank line is skipped, not a row");
    assert_eq!(rows[0].1[5], "two\nlines, a \"quote\"");
    assert_eq!(rows[1].1[5], "12\" screen");
    assert_eq!(
        rows[2].1,
        ["lyon", "A-3"],
        "a short row is left to validation"
    );
}

#[tokio::test]
async fn file_level_problems_fail_the_import_with_their_reason() {
    let reading = Reading::new(200);
    let header = b"site_code,external_ref,type,latitude,longitude\n".as_slice();
    let cases: [(&[u8], Option<TextEncoding>, FileError); 6] = [
        (b"", None, FileError::Empty),
        (header, None, FileError::HeaderOnly),
        (
            &[header, b"lyon,\xC3\x28,other,1,2\n"].concat(),
            Some(TextEncoding::Utf8),
            FileError::NotUtf8 { line: 2 },
        ),
        (
            &[header, b"lyon,A,other,1,2\nlyon,\"B,other,1,2\n"].concat(),
            None,
            FileError::UnterminatedQuote { line: 3 },
        ),
        (
            b"site_code,colour\nlyon,red\n",
            None,
            FileError::Header {
                missing: ["external_ref", "type", "latitude", "longitude"]
                    .map(String::from)
                    .to_vec(),
                unknown: vec!["colour".into()],
            },
        ),
        (
            &[header, &b"lyon,A,other,1,2\n".repeat(20)].concat(),
            None,
            FileError::TooLarge { limit: 200 },
        ),
    ];
    for (bytes, encoding, expected) in cases {
        assert_eq!(reading.failure(bytes, encoding).await, expected.to_string());
    }
}

#[tokio::test]
async fn a_body_that_breaks_off_fails_the_import_with_its_words() {
    let reading = Reading::new(1 << 20);
    let stalled = io::Error::new(io::ErrorKind::TimedOut, "no data for 30 s");
    let body = vec![
        Ok(b"site_code,external_ref,type,latitude,longitude\nlyon,A,oth".to_vec()),
        Err(stalled),
    ];
    let (id, read) = reading.read(body, None).await;
    let Err(UploadError::Body(error)) = read else {
        panic!("a body failure: {read:?}");
    };
    assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    let import = reading.imports.get(id).await.unwrap();
    assert_eq!(import.state, ImportState::Failed);
    assert_eq!(import.failure.as_deref(), Some("no data for 30 s"));
    assert!(reading.store.staged(id).is_empty(), "nothing staged");
}
