//! Crash safety of imports with the real worker process: `kill -9` at random moments while
//! it validates and merges, restarted each time, gives exactly the containers, counts,
//! rejected rows and single report e-mail of an uninterrupted run of the same file.
//! Needs PostgreSQL with PostGIS (`TEST_DATABASE_URL`), Redis and the SMTP sink, as `just test`.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test binary: a failed unwrap is a failed test, helpers included"
)]

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use secrecy::SecretString;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tisseco_application::imports::{ImportState, ImportStore, ImportSummary, Imports};
use tisseco_bootstrap::{PgStore, PoolMode, build_pool, run_migrations};
use uuid::Uuid;

const ROWS: u32 = 20_000;
const USER: &str = "00000000-0000-7000-8000-0000000000ad";

fn database_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test".into())
}

/// A migrated schema of its own, with a site, an uploader and containers the file updates.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    async fn create() -> Self {
        let base = database_url();
        let name = format!("crash_{}", Uuid::new_v4().simple());
        let mut admin = AsyncPgConnection::establish(&base).await.unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{name}%2Cpublic");
        run_migrations(&SecretString::from(url.clone()))
            .await
            .unwrap();
        let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
        conn.batch_execute(&format!(
            "INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at) \
             VALUES ('{USER}', 'importer@tisseco.test', 'Importer', 'manager', 'x', now(), now());
             INSERT INTO sites (id, code, name, created_at, updated_at) \
             VALUES (gen_random_uuid(), 'lyon', 'Lyon', now(), now());
             INSERT INTO containers (id, public_code, site_id, external_ref, kind, status, location, \
               created_at, updated_at) \
             SELECT gen_random_uuid(), 'KEEP' || n, s.id, 'R' || (n * 100), 'other', 'damaged', \
               ST_SetSRID(ST_MakePoint(0, 0), 4326), now(), now() \
             FROM sites s, generate_series(2, 9) n;"
        ))
        .await
        .unwrap();
        Self { url, name }
    }

    fn store(&self) -> PgStore {
        let settings = tisseco_bootstrap::PgSettings {
            url: SecretString::from(self.url.clone()),
            max_connections: 4,
            statement_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            application_name: "crash-test".into(),
        };
        PgStore::new(build_pool(&settings, PoolMode::Normal).unwrap())
            .with_bulk_url(SecretString::from(self.url.clone()))
    }

    /// Everything an import decides, in a stable order (ids and new public codes are random).
    async fn outcome(&self, import: Uuid) -> String {
        #[derive(QueryableByName)]
        struct Dump {
            #[diesel(sql_type = Text)]
            dump: String,
        }
        let mut conn = AsyncPgConnection::establish(&self.url).await.unwrap();
        let dumps: Vec<Dump> = sql_query(
            "SELECT coalesce(string_agg(row, E'\\n' ORDER BY row), '') AS dump FROM (
               SELECT concat_ws('|', 'container', external_ref, kind, status, capacity_litres,
                 ST_AsText(location), address, installed_on, version,
                 -- the seeded codes exactly: a generated code may start with KEEP by chance
                 public_code ~ '^KEEP[0-9]$') AS row FROM containers
               UNION ALL SELECT concat_ws('|', 'error', line, column_name, value, reason)
                 FROM import_errors WHERE import_id = $1
               UNION ALL SELECT concat_ws('|', 'change', l.action, c.external_ref,
                 l.before ->> 'status', l.after ->> 'status', l.after ->> 'version')
                 FROM audit_log l JOIN containers c ON c.id = l.entity_id WHERE l.import_id = $1
               UNION ALL SELECT concat_ws('|', 'import', state, staged, valid, rejected, inserted,
                 updated) FROM imports WHERE id = $1
               UNION ALL SELECT concat_ws('|', 'audit', action, after ->> 'inserted')
                 FROM audit_log WHERE entity_id = $1
             ) rows",
        )
        .bind::<diesel::sql_types::Uuid, _>(import)
        .load(&mut conn)
        .await
        .unwrap();
        dumps.into_iter().next().unwrap().dump
    }

    /// Staging tables and valid rows left behind, and whether the valid rows' table was
    /// vacuumed since.
    async fn leftovers(&self) -> (i64, i64) {
        #[derive(QueryableByName)]
        struct Left {
            #[diesel(sql_type = BigInt)]
            rows: i64,
            #[diesel(sql_type = BigInt)]
            vacuumed: i64,
        }
        let mut conn = AsyncPgConnection::establish(&self.url).await.unwrap();
        let left: Vec<Left> = sql_query(
            "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = $1
                  AND tablename LIKE 'import\\_staged\\_%') + (SELECT count(*) FROM import_valid) AS rows,
               (SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = $1
                  AND relname = 'import_valid' AND last_vacuum IS NOT NULL)
                 AS vacuumed",
        )
        .bind::<Text, _>(&self.name)
        .load(&mut conn)
        .await
        .unwrap();
        (left[0].rows, left[0].vacuumed)
    }

    async fn report_emails(&self, import: Uuid) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = AsyncPgConnection::establish(&self.url).await.unwrap();
        let counts: Vec<Count> =
            sql_query("SELECT count(*) AS n FROM sent_emails WHERE dedup_key = $1")
                .bind::<Text, _>(format!("import-report-{import}"))
                .load(&mut conn)
                .await
                .unwrap();
        counts[0].n
    }

    async fn drop(self) {
        let mut admin = AsyncPgConnection::establish(&database_url()).await.unwrap();
        admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .unwrap();
    }
}

/// New rows, updates of R200..R900, a bad latitude every 997 lines, one duplicate.
fn file() -> String {
    let mut csv = String::from(
        "site_code;area_code;external_ref;type;status;capacity_litres;latitude;longitude;address;installed_on\n",
    );
    for n in 1..=ROWS {
        let latitude = if n % 997 == 0 {
            "91".to_owned()
        } else {
            format!("45,{:04}", n % 10_000)
        };
        csv.push_str(&format!(
            "lyon;;R{n};street_bin;active;{};{latitude};4,8{:03};\"{n} rue du \"\"Test\"\"\";2024-03-01\n",
            1000 + n,
            n % 1000
        ));
    }
    csv.push_str("lyon;;R5;underground;full;1;45;4;duplicate;\n");
    csv
}

fn start_worker(schema: &Schema, prefix: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tisseco-worker"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &schema.url)
        .env(
            "REDIS_URL",
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        )
        .env(
            "SMTP_URL",
            std::env::var("SMTP_URL").unwrap_or_else(|_| "smtp://127.0.0.1:1025".into()),
        )
        .env("QUEUE_PREFIX", prefix)
        .env("WORKER_HEALTH_BIND", "127.0.0.1:0")
        .env("IMPORT_BATCH", "250")
        .env("JOB_VISIBILITY_TIMEOUT_MS", "1500")
        .env("OUTBOX_POLL_MS", "200")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker binary starts")
}

async fn upload(store: &PgStore) -> Uuid {
    let imports = Imports::new(Arc::new(store.clone()), 1 << 30);
    let user = Uuid::parse_str(USER).unwrap();
    let upload = imports
        .begin(Some(user), "crash.csv", false, None)
        .await
        .unwrap();
    let file = file();
    let chunks = file.as_bytes().chunks(8_192).map(|c| Ok(c.to_vec()));
    let chunks: Vec<std::io::Result<Vec<u8>>> = chunks.collect();
    upload
        .read(futures_util::stream::iter(chunks), None)
        .await
        .unwrap()
}

async fn state(store: &PgStore, id: Uuid) -> ImportSummary {
    store.get(id).await.unwrap().unwrap()
}

/// Runs the import with the real worker, killed with SIGKILL after each of `kills` delays;
/// also gives the import's state at each kill.
async fn run_import(kills: &[u64]) -> (Schema, Uuid, Vec<ImportState>) {
    let schema = Schema::create().await;
    let store = schema.store();
    let prefix = format!("crash-{}", Uuid::new_v4().simple());
    let id = upload(&store).await;
    let mut worker = start_worker(&schema, &prefix);
    let mut killed_in = Vec::new();
    for delay in kills {
        tokio::time::sleep(Duration::from_millis(*delay)).await;
        worker.kill().unwrap(); // SIGKILL: no shutdown, transactions cut mid-way
        worker.wait().unwrap();
        killed_in.push(state(&store, id).await.state);
        worker = start_worker(&schema, &prefix);
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let import = state(&store, id).await;
        if import.state == ImportState::Completed && schema.report_emails(id).await > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import should finish: {import:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // time for a duplicate report, if any were to come
    tokio::time::sleep(Duration::from_secs(2)).await;
    worker.kill().unwrap();
    worker.wait().unwrap();
    (schema, id, killed_in)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_at_any_point_finishes_the_import_as_if_never_interrupted() {
    let started = Instant::now();
    let (calm, calm_id, _) = run_import(&[]).await;
    eprintln!("uninterrupted import: {:?}", started.elapsed());
    let expected = calm.outcome(calm_id).await;
    assert_eq!(calm.report_emails(calm_id).await, 1);
    assert_eq!(
        calm.leftovers().await,
        (0, 1),
        "the staging table is dropped and the valid rows' space reclaimed before the report"
    );
    let calm_import = state(&calm.store(), calm_id).await;
    let bad_latitudes = u64::from(ROWS / 997);
    assert_eq!(
        (
            calm_import.staged,
            calm_import.rejected,
            calm_import.updated
        ),
        (u64::from(ROWS) + 1, bad_latitudes + 1, 8),
        "bad latitudes and 1 duplicate rejected, R200..R900 updated"
    );
    assert_eq!(calm_import.inserted, u64::from(ROWS) - bad_latitudes - 8);

    // each worker lives longer than the visibility timeout, so that the restarted one takes
    // the job over and gets killed mid-work: validating, merging or reporting
    // (the first starts at once, so its kill comes sooner)
    let kills: Vec<u64> = (0..6)
        .map(|n| {
            let base = if n == 0 { 300 } else { 1_600 };
            base + u64::try_from(Uuid::new_v4().as_u128() % 1_200).unwrap_or(0)
        })
        .collect();
    let (killed, killed_id, killed_in) = run_import(&kills).await;
    eprintln!("kills after {kills:?} ms, in {killed_in:?}");
    assert!(
        killed_in
            .iter()
            .any(|s| matches!(s, ImportState::Validating | ImportState::Merging)),
        "at least one kill came mid-work: {killed_in:?}"
    );
    let outcome = killed.outcome(killed_id).await;
    assert_eq!(
        outcome.lines().count(),
        expected.lines().count(),
        "as many containers, errors and changes (kills after {kills:?} ms)"
    );
    assert_eq!(
        outcome, expected,
        "the same result (kills after {kills:?} ms)"
    );
    assert_eq!(
        killed.report_emails(killed_id).await,
        1,
        "one report e-mail"
    );
    calm.drop().await;
    killed.drop().await;
}
