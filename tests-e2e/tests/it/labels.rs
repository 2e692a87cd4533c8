//! QR codes (decoded back with rqrr) and paginated A4 label sheets.

use crate::support::{TestApp, problem, unique};
use serde_json::json;

fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let width = info.width as usize;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, info.height as usize, |x, y| {
            buf[y * width + x]
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn a_container_qr_code_decodes_to_its_public_page() {
    let app = TestApp::spawn_with(&[("PUBLIC_BASE_URL", "https://tri.example.org/")]).await;
    let site = app.site(&unique("qr")).await;
    let container = app.container(&site, json!({})).await;
    let id = container["id"].as_str().unwrap();
    let code = container["public_code"].as_str().unwrap();
    let png = app.get(&format!("/api/v1/containers/{id}/qr.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    let artifacts =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts/labels");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("qr.png"), &bytes).unwrap();
    assert_eq!(
        decode_png(&bytes),
        format!("https://tri.example.org/c/{code}")
    );
    let svg = app.get(&format!("/api/v1/containers/{id}/qr.svg")).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(svg.contains(&format!(">{code}</text>")), "the code beneath");
    problem(
        app.get(&format!(
            "/api/v1/containers/{}/qr.svg",
            uuid::Uuid::new_v4()
        ))
        .await,
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_sheet_of_100_labels_has_5_a4_pages() {
    let app = TestApp::spawn().await;
    let site = app.site(&unique("lbl")).await;
    let mut ids = Vec::new();
    for i in 0..100 {
        let c = app
            .container(&site, json!({"address": format!("{i} <rue> & Co")}))
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let site_id = site["id"].as_str().unwrap();
    let sheet = app.get(&format!("/api/v1/labels?site_id={site_id}")).await;
    assert_eq!(sheet.status(), 200);
    let html = sheet.text().await.unwrap();
    assert_eq!(html.matches("<section class=\"sheet\"").count(), 5);
    assert_eq!(html.matches("<div class=\"label\">").count(), 100);
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("Page 5 sur 5"));
    assert!(html.contains("Scannez pour signaler un problème"));
    assert!(html.contains("7 &lt;rue&gt; &amp; Co"), "addresses escaped");
    let two = app
        .get(&format!("/api/v1/labels?ids={},{}&lang=en", ids[0], ids[1]))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(two.matches("<div class=\"label\">").count(), 2);
    assert!(two.contains("Scan to report a problem"), "{two}");
    problem(app.get("/api/v1/labels").await, 422, Some("site_id")).await;
}
