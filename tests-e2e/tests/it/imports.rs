//! CSV imports end to end on a committed schema: upload over HTTP, the worker's import
//! handler, then progress, rejected rows and merged containers; every bad input the issue
//! lists, duplicate uploads, dry run, cancel, and concurrent or repeated runs giving the same
//! result.

use crate::jobs_support::{Schema, test_queue};
use crate::support::{TestApp, queue_settings, unique};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use tisseco_application::cache::{CONTAINERS, Cache};
use tisseco_application::imports::ImportRunner;
use tisseco_application::jobs::{Job, JobHandler};
use tisseco_application::testing::InMemoryCache;
use tisseco_bootstrap::PgStore;
use uuid::Uuid;

const HEADER: &str = "site_code,area_code,external_ref,type,status,capacity_litres,latitude,longitude,address,installed_on";

pub(crate) struct Env {
    schema: Schema,
    pub(crate) app: TestApp,
    store: PgStore,
    cache: Arc<InMemoryCache>,
}

impl Env {
    pub(crate) async fn new() -> Self {
        let schema = Schema::create().await;
        let app = TestApp::serve_on(&schema.url, &queue_settings(&unique("imp")));
        let store = schema.store();
        let site = app.site("lyon").await;
        app.area(&site, "centre").await;
        app.area(&site, "part-dieu").await;
        Self {
            schema,
            app,
            store,
            cache: Arc::new(InMemoryCache::default()),
        }
    }

    fn runner(&self, batch: u32) -> ImportRunner {
        ImportRunner {
            store: Arc::new(self.store.clone()),
            queue: Arc::new(test_queue()),
            cache: self.cache.clone(),
            public_base_url: "https://tisseco.example".into(),
            batch,
            links: None,
            clock: Arc::new(tisseco_application::ports::SystemClock),
            area_tolerance: tisseco_domain::placement::AreaTolerance::default(),
        }
    }

    /// Rows still in the staging tables, of any import.
    async fn staged_rows(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = AsyncPgConnection::establish(&self.schema.url)
            .await
            .unwrap();
        let counts: Vec<Count> = diesel::sql_query(
            "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() \
               AND tablename LIKE 'import\\_staged\\_%') + (SELECT count(*) FROM import_valid) AS n",
        )
        .load(&mut conn)
        .await
        .unwrap();
        counts[0].n
    }

    pub(crate) async fn upload(
        &self,
        body: impl Into<reqwest::Body>,
        query: &str,
    ) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/api/v1/imports{query}")))
            .header("content-type", "text/csv")
            // the reasons below are checked in English; French is the default
            .header("accept-language", "en")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Uploads `body` (must be accepted), runs the worker's handler, returns the import.
    pub(crate) async fn import(&self, body: impl Into<reqwest::Body>, query: &str) -> Value {
        self.accepted(self.upload(body, query).await).await
    }

    /// The upload was accepted: runs the worker's handler, returns the import.
    pub(crate) async fn accepted(&self, response: reqwest::Response) -> Value {
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let created: Value = response.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        // the job the outbox relay would queue
        let job = Job::new(
            "import.uploaded",
            serde_json::json!({ "event_id": 1, "aggregate_type": "import", "aggregate_id": id, "data": {} }),
            None,
        );
        self.runner(3).handle(&job).await.unwrap();
        self.status(&id).await
    }

    pub(crate) async fn status(&self, id: &str) -> Value {
        let response = self.app.get(&format!("/api/v1/imports/{id}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// The rejected rows in English with `,` (French with `;` is the default).
    pub(crate) async fn errors_csv(&self, import: &Value) -> String {
        let url = format!(
            "{}?lang=en&delimiter=,",
            import["errors_url"].as_str().unwrap()
        );
        let response = self.app.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        text.strip_prefix('\u{feff}')
            .expect("every CSV starts with a BOM")
            .to_owned()
    }

    pub(crate) async fn containers(&self) -> Vec<Value> {
        let body: Value = self
            .app
            .get("/api/v1/containers?limit=100")
            .await
            .json()
            .await
            .unwrap();
        body["items"].as_array().cloned().unwrap_or_default()
    }

    pub(crate) async fn drop(self) {
        drop(self.app);
        self.schema.drop().await;
    }
}

pub(crate) fn csv(rows: &[&str]) -> String {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

pub(crate) async fn refused(response: reqwest::Response, words: &str) {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let text = problem.to_string();
    assert!(text.contains(words), "{text} should say {words}");
    assert!(text.contains("file"), "{text} should name the file");
}

#[tokio::test]
async fn a_file_with_bom_crlf_semicolons_decimal_commas_and_quoted_newlines_is_merged() {
    let env = Env::new().await;
    let body = format!(
        "\u{FEFF}{}\r\nlyon;centre;R-1;street_bin;active;2500;45,75;4,83;\"12 rue \"\"Garibaldi\"\"\r\n69003 Lyon\";2024-03-01\r\nlyon;;R-2;underground;;;45.76;4.84;;\r\n",
        HEADER.replace(',', ";")
    );
    let import = env.import(body.clone(), "?file_name=lyon.csv").await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["staged"], 2);
    assert_eq!(import["counts"]["inserted"], 2);
    assert_eq!(import["counts"]["rejected"], 0);
    assert_eq!(import["percent"], 100);
    let containers = env.containers().await;
    assert_eq!(containers.len(), 2);
    let first = containers
        .iter()
        .find(|c| c["external_ref"] == "R-1")
        .unwrap();
    assert_eq!(first["address"], "12 rue \"Garibaldi\"\n69003 Lyon");
    assert_eq!(
        env.cache.version(CONTAINERS).await,
        Some(1),
        "the merge made cached searches stale"
    );

    // the same bytes again: told, nothing imported twice
    let again = env.upload(body, "").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let problem: Value = again.json().await.unwrap();
    assert!(
        problem.to_string().contains("already uploaded"),
        "{problem}"
    );

    // another file updates the container matched by (site, external reference)
    let update = env
        .import(
            csv(&["lyon,centre,R-1,street_bin,full,3000,45.75,4.83,,"]),
            "",
        )
        .await;
    assert_eq!(update["counts"]["updated"], 1, "{update}");
    assert_eq!(update["counts"]["inserted"], 0);
    assert_eq!(env.containers().await.len(), 2);
    env.drop().await;
}

#[tokio::test]
async fn a_refused_file_is_explained_in_french_by_default_and_in_the_readers_language_after() {
    let env = Env::new().await;
    let response = env
        .app
        .client
        .post(env.app.url("/api/v1/imports?file_name=colonnes.csv"))
        .header("content-type", "text/csv")
        .body("site_code,colour\nlyon,red\n")
        .send()
        .await
        .unwrap();
    refused(
        response,
        "l’en-tête ne correspond pas aux colonnes documentées ; manquantes : external_ref, type, \
         latitude, longitude ; inconnues : colour",
    )
    .await;
    // the import keeps a code; its detail puts it in each reader's words
    let detail = |language: &'static str| {
        env.app
            .client
            .get(env.app.url("/api/v1/imports"))
            .header("accept-language", language)
            .send()
    };
    let french: Value = detail("fr").await.unwrap().json().await.unwrap();
    assert_eq!(french["items"][0]["state"], "failed", "{french}");
    assert!(
        french["items"][0]["failure"]
            .as_str()
            .unwrap()
            .starts_with("l’en-tête ne correspond pas"),
        "{french}"
    );
    let english: Value = detail("en").await.unwrap().json().await.unwrap();
    assert!(
        english["items"][0]["failure"]
            .as_str()
            .unwrap()
            .ends_with("missing: external_ref, type, latitude, longitude; unknown: colour"),
        "{english}"
    );
    env.drop().await;
}

#[tokio::test]
async fn file_level_problems_fail_with_one_clear_reason() {
    let env = Env::new().await;
    refused(env.upload("", "").await, "empty").await;
    refused(env.upload(format!("{HEADER}\n"), "").await, "no rows").await;
    refused(
        env.upload(
            [
                format!("{HEADER}\nlyon,,").as_bytes(),
                b"\xC3\x28,street_bin,,,45,4,,\n",
            ]
            .concat(),
            // detected, these bytes would be read as Windows-1252 ("Ã(")
            "?encoding=utf-8",
        )
        .await,
        "UTF-8",
    )
    .await;
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            csv(&["lyon,,A,street_bin,,,45,4,,"])
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    refused(env.upload(utf16, "").await, "UTF-16").await;
    let garbage: Vec<u8> = (0..4096_u32).map(|i| (i * 7919 % 251) as u8).collect();
    let response = env.upload(garbage, "").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    refused(
        env.upload("site_code,colour,type\nlyon,red,street_bin\n", "")
            .await,
        "missing: external_ref, latitude, longitude; unknown: colour",
    )
    .await;
    assert!(env.containers().await.is_empty());
    env.drop().await;
}

#[tokio::test]
async fn row_level_problems_reject_only_those_rows_with_line_column_and_reason() {
    let env = Env::new().await;
    let long_line = format!(
        "lyon,,LONG,street_bin,,,45,4,{},",
        "x".repeat(5 * 1024 * 1024)
    );
    let body = csv(&[
        "lyon,centre,OK-1,street_bin,,,45.75,4.83,,",
        "lyon,centre,BAD-COUNT,street_bin",
        "lyon,centre,LAT,street_bin,,,95.5,4.83,,",
        "lyon,nowhere,AREA,street_bin,,,45.75,4.83,,",
        "paris,,SITE,street_bin,,,45.75,4.83,,",
        "lyon,,OK-1,street_bin,,,45.70,4.80,,",
        &long_line,
        "lyon,,OK-2,street_bin,,,\"45,1\",\"4,2\",,",
    ]);
    let import = env.import(body, "").await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["staged"], 8);
    assert_eq!(import["counts"]["inserted"], 2);
    assert_eq!(import["counts"]["rejected"], 6);
    let errors = env.errors_csv(&import).await;
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines[0], "line,column,value,reason");
    for expected in [
        "3,*,",
        "expected 10 columns, found 4",
        "4,latitude,95.5,",
        "5,area code,nowhere,unknown area in this site",
        "6,site code,paris,unknown site",
        "7,reference,OK-1,duplicate reference in this file (first on line 2)",
        "8,address,",
    ] {
        assert!(
            errors.contains(expected),
            "{expected} missing from\n{errors}"
        );
    }
    assert!(errors.len() < 10_000, "offending values are shortened");
    env.drop().await;
}

#[tokio::test]
async fn zero_valid_rows_fails_the_import_and_merges_nothing() {
    let env = Env::new().await;
    let import = env
        .import(
            csv(&["lyon,,A,bin,,,45,4,,", "nowhere,,B,street_bin,,,45,4,,"]),
            "",
        )
        .await;
    assert_eq!(import["state"], "failed", "{import}");
    // read in the default language, French
    assert_eq!(
        import["failure"],
        "aucune ligne n’a passé la validation : voir errors.csv"
    );
    assert_eq!(import["counts"]["rejected"], 2);
    assert!(env.containers().await.is_empty());
    env.drop().await;
}

#[tokio::test]
async fn a_dry_run_validates_without_merging() {
    let env = Env::new().await;
    let import = env
        .import(
            csv(&["lyon,,A,street_bin,,,45,4,,", "lyon,,B,nope,,,45,4,,"]),
            "?dry_run=true",
        )
        .await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["dry_run"], true);
    assert_eq!(import["counts"]["valid"], 1);
    assert_eq!(import["counts"]["rejected"], 1);
    assert_eq!(import["counts"]["inserted"], 0);
    assert!(env.containers().await.is_empty());
    env.drop().await;
}

#[tokio::test]
async fn an_import_cancelled_before_merging_changes_nothing() {
    let env = Env::new().await;
    let response = env.upload(csv(&["lyon,,A,street_bin,,,45,4,,"]), "").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let cancelled = env
        .app
        .client
        .post(env.app.url(&format!("/api/v1/imports/{id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    env.runner(10)
        .run(Uuid::parse_str(id).unwrap())
        .await
        .unwrap();
    assert_eq!(env.status(id).await["state"], "cancelled");
    assert!(env.containers().await.is_empty());
    assert_eq!(
        env.staged_rows().await,
        0,
        "a cancelled import's staged rows are dropped"
    );
    let again = env
        .app
        .client
        .post(env.app.url(&format!("/api/v1/imports/{id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    env.drop().await;
}

#[tokio::test]
async fn concurrent_and_repeated_runs_give_the_same_result() {
    let env = Env::new().await;
    let rows: Vec<String> = (0..200)
        .map(|i| {
            if i % 10 == 0 {
                format!("lyon,,R{i},bad-type,,,45,4,,")
            } else {
                format!("lyon,,R{i},street_bin,,,45.{i},4.{i},,")
            }
        })
        .collect();
    let body = csv(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    let response = env.upload(body, "").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let created: Value = response.json().await.unwrap();
    let id = Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();
    // two workers given the same job at once (a redelivery), then a third run afterwards
    let (first, second) = (env.runner(7), env.runner(13));
    let (a, b) = tokio::join!(first.run(id), second.run(id));
    a.unwrap();
    b.unwrap();
    env.runner(5).run(id).await.unwrap();
    let import = env.status(&id.to_string()).await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["inserted"], 180);
    assert_eq!(import["counts"]["rejected"], 20);
    assert_eq!(import["counts"]["valid"], 180);
    env.drop().await;
}

#[tokio::test]
async fn the_template_is_downloadable() {
    let env = Env::new().await;
    let response = env
        .app
        .get("/api/v1/imports/template.csv?lang=en&delimiter=,")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(text.starts_with(&format!("\u{feff}{HEADER}")), "{text}");
    let import = env.import(text, "").await;
    assert_eq!(import["state"], "completed", "{import}");
    env.drop().await;
}

#[tokio::test]
async fn the_french_template_and_errors_csv_are_made_for_french_excel() {
    let env = Env::new().await;
    let response = env.app.get("/api/v1/imports/template.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap().to_vec();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.starts_with(
            "\u{feff}code_site;code_zone;référence;type;statut;capacité_litres;latitude;\
             longitude;adresse;date_installation;notes\n"
        ),
        "{text}"
    );
    assert!(text.contains(";45,7603;4,8595;"), "{text}");
    // the template with faulty rows added, uploaded as it is
    let mut body = bytes;
    for row in [
        "lyon;;SANS-LAT;street_bin;;;;4,83;;;",
        "lyon;;BENNE;benne;;;45,75;4,83;;;",
        "paris;;P-1;street_bin;;;45,75;4,83;;;",
        "lyon;;BIN-0001;street_bin;;;45,70;4,80;;;",
        "lyon;;FORMULE;street_bin;;;45,75;4,83;=1+2;;",
    ] {
        body.extend(format!("{row}\r\n").as_bytes());
    }
    let import = env.import(body, "").await;
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["inserted"], 1, "{import}");
    assert_eq!(import["counts"]["rejected"], 5, "{import}");
    let response = env.app.get(import["errors_url"].as_str().unwrap()).await;
    let errors = String::from_utf8(response.bytes().await.unwrap().to_vec()).unwrap();
    println!("errors.csv as a French reader gets it:\n{errors}");
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines[0], "\u{feff}ligne;colonne;valeur;raison");
    assert_eq!(lines[1], "3;latitude;;latitude manquante");
    assert!(lines[2].starts_with("4;type;benne;type inconnu : street_bin"));
    assert_eq!(
        lines[3],
        "5;code du site;paris;site inconnu (aucun site n’a ce code)"
    );
    assert_eq!(
        lines[4],
        "6;référence;BIN-0001;référence en double dans ce fichier (déjà en ligne 2)"
    );
    assert!(
        lines[5].starts_with("7;adresse;'=1+2;adresse refusée"),
        "{errors}"
    );
    assert_eq!(lines.len(), 6);
    env.drop().await;
}

#[tokio::test]
async fn a_form_upload_takes_the_file_part_and_its_name() {
    let env = Env::new().await;
    let form = |parts: &str| {
        env.app
            .client
            .post(env.app.url("/api/v1/imports"))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .header("accept-language", "en")
            .body(format!("{parts}--XyZ--\r\n"))
            .send()
    };
    let file = csv(&["lyon,centre,F-1,street_bin,active,,45.75,4.83,,"]);
    let response = form(&format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nweekly\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"depot.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n"
    ))
    .await
    .unwrap();
    let import = env.accepted(response).await;
    assert_eq!(import["file_name"], "depot.csv");
    assert_eq!(import["counts"]["inserted"], 1, "{import}");

    let without_file = form("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n")
        .await
        .unwrap();
    refused(without_file, "no part named file").await;
    env.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_runs_the_import_from_the_outbox_and_mails_one_report() {
    use std::time::Duration;
    use tisseco_bootstrap::jobs::WorkerSettings;

    let schema = Schema::create().await;
    let settings = queue_settings(&unique("imw"));
    let mut worker = WorkerSettings::from_source(&[]).unwrap();
    worker.outbox_poll = Duration::from_millis(200);
    worker.consumer = crate::jobs_support::fast_settings();
    worker.public_base_url = "https://tri.example.org".into();
    let (queue, running) =
        crate::jobs_support::started_worker(&schema.url, &settings, &worker).await;
    let app = TestApp::serve_on(&schema.url, &settings);
    app.site("lyon").await;
    let email = format!("{}@tisseco.test", unique("uploader"));
    let password = "a long enough password";
    let user = app
        .post(
            "/api/v1/users",
            &serde_json::json!({"email": email, "display_name": "Uploader", "role": "manager", "password": password}),
        )
        .await;
    assert_eq!(user.status(), StatusCode::CREATED);
    let user: Value = user.json().await.unwrap();
    let tokens: Value = app
        .anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let manager = app.client_for(tokens["access_token"].as_str().unwrap());
    let response = manager
        .post(app.url("/api/v1/imports?file_name=worker.csv"))
        .body(csv(&[
            "lyon,,W1,street_bin,,,45,4,,",
            "lyon,,W2,nope,,,45,4,,",
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let key = format!("import-report-{id}");
    let url = schema.url.clone();
    crate::jobs_support::eventually(Duration::from_secs(60), "the report e-mail", || {
        let (url, key) = (url.clone(), key.clone());
        async move { sent_emails(&url, &key).await == 1 }
    })
    .await;
    running.shutdown(Duration::from_secs(10)).await.unwrap();
    let import: Value = manager
        .get(app.url(&format!("/api/v1/imports/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(import["state"], "completed", "{import}");
    assert_eq!(import["counts"]["inserted"], 1);
    assert_eq!(import["counts"]["rejected"], 1);
    the_report_link_opens_the_rejected_rows_until_the_sessions_end(&app, &email, &user).await;
    queue.purge().await.unwrap();
    drop(app);
    schema.drop().await;
}

/// The report's link opens errors.csv in a browser (no bearer), audited; once the
/// uploader's sessions are ended (switched off, then back on) it is refused for good.
async fn the_report_link_opens_the_rejected_rows_until_the_sessions_end(
    app: &TestApp,
    email: &str,
    user: &Value,
) {
    // Quoted-printable undone by hand, once: the link's hex secret must not be read as
    // more escapes.
    let report = crate::mail::delivered_to(email)
        .await
        .iter()
        .map(|raw| {
            raw.replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .find(|mail| mail.contains("errors.csv"))
        .expect("the report e-mail");
    let origin = "https://tri.example.org";
    let start = report
        .find(&format!("{origin}/api/v1/imports/"))
        .expect("a link")
        + origin.len();
    let link: String = report[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | ')'))
        .collect();
    assert!(link.contains("/errors.csv?link="), "{link}");
    let open = || async {
        app.anonymous
            .get(app.url(&link))
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap()
    };
    let rows = open().await;
    assert_eq!(rows.status(), StatusCode::OK);
    assert!(rows.text().await.unwrap().contains("nope"));
    let tampered = app
        .anonymous
        .get(app.url(&link.replace("errors.csv?", "errors.csv?delimiter=%2C&")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tampered.status(),
        StatusCode::UNAUTHORIZED,
        "another address"
    );

    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    for active in [false, true] {
        let current = app.get(&path).await;
        let etag = current.headers()["etag"].to_str().unwrap().to_owned();
        let changed = app
            .patch(&path, &etag, &serde_json::json!({"active": active}))
            .await;
        assert_eq!(changed.status(), StatusCode::OK);
    }
    let withdrawn = open().await;
    assert_eq!(withdrawn.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = withdrawn.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("retiré"),
        "in the reader's language: {problem}"
    );
}

async fn sent_emails(url: &str, key: &str) -> i64 {
    use diesel::sql_types::{BigInt, Text};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM sent_emails WHERE dedup_key = $1")
            .bind::<Text, _>(key)
            .get_result(&mut conn)
            .await
            .unwrap();
    count.n
}

#[tokio::test]
async fn imports_are_listed_newest_first_in_keyset_pages() {
    let env = Env::new().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let response = env
            .upload(csv(&[&format!("lyon,,L{n},street_bin,,,45,4,,")]), "")
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let created: Value = response.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let page = |query: String| {
        let app = &env.app;
        async move {
            let response = app
                .client
                .get(app.url(&format!("/api/v1/imports{query}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let first = page("?limit=2".into()).await;
    let listed: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()]);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = page(format!("?limit=2&before={cursor}")).await;
    assert_eq!(second["items"][0]["id"], ids[0].as_str());
    assert!(second["next_cursor"].is_null());
    assert_eq!(second["items"][0]["file_name"], "import.csv");
    env.drop().await;
}
