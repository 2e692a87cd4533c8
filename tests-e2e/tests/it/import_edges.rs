//! Imports attacked from outside: formulas in cells, a file of the required columns only,
//! a dry run before the real import, look-alike references.

use crate::imports::{Env, csv};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn formulas_are_refused_in_values_and_neutralised_in_errors_csv() {
    let env = Env::new().await;
    let import = env
        .import(
            csv(&[
                "lyon,,OK,street_bin,,,45.75,4.83,,",
                "lyon,,F1,street_bin,,,45.75,4.83,\"=HYPERLINK(\"\"http://evil\"\")\",",
                "lyon,,@SUM(A1),street_bin,,,45.75,4.83,,",
                "lyon,,F3,street_bin,,,-1+1,4.83,,",
            ]),
            "",
        )
        .await;
    assert_eq!(import["counts"]["inserted"], 1, "{import}");
    assert_eq!(import["counts"]["rejected"], 3, "{import}");
    let errors = env.errors_csv(&import).await;
    for expected in [
        "\"'=HYPERLINK(\"\"http://evil\"\")\"",
        "'@SUM(A1)",
        "'-1+1",
        "a spreadsheet would run it as a formula",
    ] {
        assert!(
            errors.contains(expected),
            "{expected} missing from\n{errors}"
        );
    }
    for line in errors.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(
            !cells
                .iter()
                .any(|c| c.starts_with(['=', '+', '@']) || c.starts_with("\"=")),
            "a cell starts like a formula: {line}"
        );
    }
    env.drop().await;
}

#[tokio::test]
async fn a_file_without_optional_columns_leaves_those_fields_unchanged() {
    let env = Env::new().await;
    let first = env
        .import(
            csv(&["lyon,centre,KEEP,street_bin,full,1200,45.75,4.83,3 rue Neuve,2020-05-01"]),
            "",
        )
        .await;
    assert_eq!(first["counts"]["inserted"], 1, "{first}");
    let partial =
        "site_code,external_ref,type,latitude,longitude\nlyon,KEEP,underground,45.76,4.84\n";
    let second = env.import(partial, "").await;
    assert_eq!(second["counts"]["updated"], 1, "{second}");
    let containers = env.containers().await;
    let kept = &containers[0];
    assert_eq!(kept["type"], "underground", "required columns do update");
    assert_eq!(kept["address"], "3 rue Neuve", "{kept}");
    assert_eq!(kept["capacity_litres"], 1200, "{kept}");
    assert_eq!(kept["installed_on"], "2020-05-01", "{kept}");
    assert_eq!(kept["status"], "full", "{kept}");
    assert!(!kept["area_id"].is_null(), "{kept}");

    // a present column with an empty cell does clear the field
    let cleared = "site_code,external_ref,type,latitude,longitude,address\nlyon,KEEP,underground,45.76,4.84,\n";
    env.import(cleared, "").await;
    let containers = env.containers().await;
    assert!(containers[0]["address"].is_null(), "{}", containers[0]);
    env.drop().await;
}

#[tokio::test]
async fn a_dry_run_does_not_block_the_real_import_of_the_same_file() {
    let env = Env::new().await;
    let body = csv(&["lyon,,DRY,street_bin,,,45.75,4.83,,"]);
    let dry = env.import(body.clone(), "?dry_run=true").await;
    assert_eq!(dry["state"], "completed", "{dry}");
    let real = env.import(body.clone(), "").await;
    assert_eq!(real["state"], "completed", "{real}");
    assert_eq!(real["counts"]["inserted"], 1, "{real}");
    // a second dry run of a file already imported is allowed too; a second real one is not
    let again_dry = env.import(body.clone(), "?dry_run=true").await;
    assert_eq!(again_dry["state"], "completed", "{again_dry}");
    let again = env.upload(body, "").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let problem: Value = again.json().await.unwrap();
    assert!(
        problem.to_string().contains(real["id"].as_str().unwrap()),
        "{problem}"
    );
    env.drop().await;
}

#[tokio::test]
async fn look_alike_references_are_one_container_or_refused() {
    let env = Env::new().await;
    let import = env
        .import(
            csv(&[
                "lyon,,Caf\u{e9}-1,street_bin,,,45.75,4.83,,",
                "lyon,,Cafe\u{301}-1,street_bin,,,45.75,4.83,,",
                "lyon,,LYO-\u{200B}1,street_bin,,,45.75,4.83,,",
                "lyon,,LYO-\u{202E}2,street_bin,,,45.75,4.83,,",
            ]),
            "",
        )
        .await;
    assert_eq!(import["counts"]["inserted"], 1, "{import}");
    assert_eq!(import["counts"]["rejected"], 3, "{import}");
    let errors = env.errors_csv(&import).await;
    assert!(errors.contains("duplicate reference"), "{errors}");
    assert!(errors.contains("invisible"), "{errors}");
    env.drop().await;
}

#[tokio::test]
async fn a_picture_a_workbook_or_an_archive_is_refused_saying_what_to_do() {
    let env = Env::new().await;
    let as_type = |kind: &'static str, body: Vec<u8>| {
        env.app
            .client
            .post(env.app.url("/api/v1/imports"))
            .header("content-type", kind)
            .header("accept-language", "en")
            .body(body)
            .send()
    };
    let body = csv(&["lyon,,A,street_bin,,,45.75,4.83,,"]).into_bytes();
    let png = as_type("image/png", body.clone()).await.unwrap();
    assert_eq!(png.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let workbook_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let xlsx = as_type(workbook_type, body).await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(xlsx.text().await.unwrap().contains("Save As"));
    let mut workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
    workbook.extend_from_slice(b"[Content_Types].xml xl/workbook.xml\n");
    let disguised = as_type("text/csv", workbook).await.unwrap();
    assert_eq!(disguised.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(disguised.text().await.unwrap().contains("Excel workbook"));
    let gzip = as_type("text/csv", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\n".to_vec())
        .await
        .unwrap();
    assert_eq!(gzip.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(gzip.text().await.unwrap().contains("compressed"));
    env.drop().await;
}

#[tokio::test]
async fn a_form_that_never_closes_ends_with_408_instead_of_hanging() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::support::TestApp::spawn_with(&[("IMPORT_READ_TIMEOUT_SECS", "1")]).await;
    let token = app.token(tisseco_domain::Role::Manager);
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let part = "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n\
                Content-Type: text/csv\r\n\r\nsite_code,external_ref,type,latitude,longitude\r\n";
    let head = format!(
        "POST /api/v1/imports HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Accept-Language: en\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{part}\r\n",
        part.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // ... and nothing more: no closing boundary, no last chunk, the connection left open.
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut answer))
        .await
        .expect("an answer, not a hang")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("stalled"), "{answer}");
}
