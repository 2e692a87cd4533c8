//! A real browser: headless Chromium (Debian's package, driven by playwright-core from
//! `tests-e2e/browser/`) opens a container's page, reports it full, sees the confirmation
//! and follows the report; the report is then in the database. Screenshots go to
//! `artifacts/browser/`. Nothing is skipped: without Chromium (`just browser-deps`
//! installs it) this test fails.

use crate::reports::Field;
use crate::support::TestApp;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Installs playwright-core from the lock file when it is missing (no browser download).
fn ensure_node_modules() {
    let dir = browser_dir();
    if dir.join("node_modules/playwright-core").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .status()
        .expect("npm (Node.js) is needed for the browser test");
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_reports_a_full_container_from_its_page_in_a_real_browser() {
    // French as the browser asks, then English through the page's switch
    report_in(TestApp::spawn().await, "fr", "Reçu").await;
    report_in(TestApp::spawn().await, "en", "Received").await;
}

async fn report_in(app: TestApp, lang: &str, received: &str) {
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} is missing: run `just browser-deps` (apt-get install chromium)"
    );
    ensure_node_modules();
    let field = Field::new(app).await;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../artifacts/browser")
        .join(lang);
    let script = browser_dir().join("report.mjs");
    let (base, code) = (field.app.base.clone(), field.code.clone());
    let dir = artifacts.clone();
    let lang = lang.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .args([&base, &code])
            .arg(&dir)
            .arg(&lang)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["ok"], true);
    assert_eq!(result["status"], received);
    assert!(result["follow"].as_str().unwrap().starts_with("/r/"));
    for shot in ["container-page.png", "confirmation.png", "follow-page.png"] {
        assert!(
            artifacts.join(shot).metadata().unwrap().len() > 1_000,
            "{shot}"
        );
    }

    let reports = field.reports().await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0]["category"], "full");
    assert_eq!(reports[0]["description"], "Overflowing, bags on the ground");
    let id = field.container["id"].as_str().unwrap();
    let container: Value = field
        .app
        .get(&format!("/api/v1/containers/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(container["status"], "full");
}
