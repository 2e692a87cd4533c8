//! The import pipeline on fakes, without a database: upload → runner → containers, the
//! decisions the domain makes on the way, and re-runs that change nothing.

use super::{ImportRunner, ImportState, ImportStore, Imports};
use crate::testing::{FixedClock, InMemoryCache, InMemoryImports, InMemoryJobQueue};
use std::sync::Arc;
use tisseco_domain::placement::{AreaDistance, AreaTolerance};
use tisseco_domain::{ContainerStatus, ContainerType};
use uuid::Uuid;

const HEADER: &str = "site_code,area_code,external_ref,type,status,capacity_litres,latitude,longitude,address,installed_on";

/// An upload's body, in chunks of `size` bytes.
fn body(
    bytes: &[u8],
    size: usize,
) -> futures_util::stream::Iter<std::vec::IntoIter<std::io::Result<Vec<u8>>>> {
    let chunks: Vec<_> = bytes.chunks(size).map(|c| Ok(c.to_vec())).collect();
    futures_util::stream::iter(chunks)
}

struct Pipeline {
    store: InMemoryImports,
    imports: Imports,
    cache: Arc<InMemoryCache>,
    /// An area every point lies 4,000 km outside of (3 m once swapped).
    far: tisseco_domain::AreaId,
}

impl Pipeline {
    fn new() -> Self {
        let store = InMemoryImports::default();
        let site = store.add_site("lyon");
        store.add_area(
            site,
            "centre",
            Some(AreaDistance {
                metres: 0.0,
                swapped_metres: None,
            }),
        );
        let far = store.add_area(
            site,
            "far",
            Some(AreaDistance {
                metres: 4_000_000.0,
                swapped_metres: Some(3.0),
            }),
        );
        Self {
            far,
            imports: Imports::new(Arc::new(store.clone()), 1 << 20),
            store,
            cache: Arc::new(InMemoryCache::default()),
        }
    }

    fn runner(&self, batch: u32) -> ImportRunner {
        ImportRunner {
            store: Arc::new(self.store.clone()),
            queue: Arc::new(InMemoryJobQueue::default()),
            cache: self.cache.clone(),
            public_base_url: "https://tisseco.example".into(),
            batch,
            clock: Arc::new(FixedClock::default()),
            area_tolerance: AreaTolerance::default(),
            links: None,
        }
    }

    /// Uploads `rows` in small chunks, runs the import, returns it.
    async fn import(&self, rows: &[&str], line_end: &str) -> super::ImportSummary {
        self.import_under(HEADER, rows, line_end).await
    }

    /// As [`Pipeline::import`], under another header.
    async fn import_under(
        &self,
        header: &str,
        rows: &[&str],
        line_end: &str,
    ) -> super::ImportSummary {
        self.import_in_batches(header, rows, line_end, 2).await
    }

    /// As [`Pipeline::import_under`], `batch` rows validated and merged at a time.
    async fn import_in_batches(
        &self,
        header: &str,
        rows: &[&str],
        line_end: &str,
        batch: u32,
    ) -> super::ImportSummary {
        let mut text = String::from(header);
        for row in rows {
            text.push_str(line_end);
            text.push_str(row);
        }
        text.push_str(line_end);
        let upload = self
            .imports
            .begin(None, "test.csv", false, None)
            .await
            .unwrap();
        let id = upload.read(body(text.as_bytes(), 7), None).await.unwrap();
        self.runner(batch).run(id).await.unwrap();
        self.imports.get(id).await.unwrap()
    }
}

#[tokio::test]
async fn an_import_creates_then_leaves_equal_rows_unchanged() {
    let pipeline = Pipeline::new();
    let rows = [
        "lyon,centre,A-1,street_bin,active,2500,45.75,4.83,1 rue A,2024-03-01",
        "lyon,,A-2,underground,full,,45.76,4.84,,",
        "lyon,,A-3,street_bin,,,45.77,4.85,,",
    ];
    let first = pipeline.import(&rows, "\n").await;
    assert_eq!(first.state, ImportState::Completed, "{first:?}");
    assert_eq!((first.inserted, first.updated, first.unchanged), (3, 0, 0));
    let created = pipeline.store.containers();
    assert_eq!(created[1].kind, ContainerType::Underground);
    assert_eq!(created[1].status, ContainerStatus::Full);

    let again = pipeline.import(&rows, "\r\n").await;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(pipeline.store.containers(), created, "versions kept");

    let changed = pipeline
        .import(
            &[rows[0], "lyon,,A-2,underground,active,,45.76,4.84,,"],
            "\n",
        )
        .await;
    assert_eq!((changed.updated, changed.unchanged), (1, 1));
    let after = pipeline.store.containers();
    assert_eq!(after[1].version, created[1].version + 1);
    assert_eq!(after[1].status, ContainerStatus::Active);
    let audit = pipeline.store.audit();
    assert_eq!(audit.len(), 4, "three creations and one update");
    assert_eq!(audit[3].import_id, changed.id);
    assert_eq!(
        audit[3].before.as_ref().map(|c| c.status),
        Some(ContainerStatus::Full)
    );
}

#[tokio::test]
async fn the_domain_refuses_what_the_life_cycle_and_the_area_forbid() {
    let pipeline = Pipeline::new();
    pipeline
        .import(&["lyon,,LYO-0042,street_bin,removed,,45.75,4.83,,"], "\n")
        .await;
    let import = pipeline
        .import(
            &[
                "lyon,,LYO-0042,street_bin,active,,45.75,4.83,,",
                "lyon,far,SWAP,street_bin,,,4.83,45.75,,",
                "lyon,,DUP,street_bin,,,45.75,4.83,,",
                "lyon,,DUP,street_bin,,,45.75,4.83,,",
            ],
            "\n",
        )
        .await;
    assert_eq!(import.state, ImportState::Completed, "{import:?}");
    assert_eq!(
        (import.valid, import.rejected, import.inserted),
        (2, 3, 1),
        "{import:?}"
    );
    let reasons: Vec<(u64, String)> = pipeline
        .imports
        .errors_after(import.id, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.line, c.error.reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (2, "removed-final:LYO-0042".to_owned()),
            (3, "outside-area-swapped:4000000:250".to_owned()),
            (5, "duplicate-ref:4".to_owned()),
        ]
    );
    assert_eq!(
        pipeline.store.containers()[0].status,
        ContainerStatus::Removed
    );
    // the duplicate was refused while validating: no count ever went back (an
    // end-of-validation pass used to take valid rows back)
    let counts = pipeline.store.counts(import.id);
    assert!(counts.len() > 3, "{counts:?}");
    assert!(
        counts
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1 && w[0].2 <= w[1].2),
        "{counts:?}"
    );
}

#[tokio::test]
async fn concurrent_and_repeated_runs_give_the_same_result() {
    let pipeline = Pipeline::new();
    pipeline
        .import(&["lyon,,S-1,street_bin,active,,45.75,4.83,,"], "\n")
        .await;
    let upload = pipeline
        .imports
        .begin(None, "two.csv", false, None)
        .await
        .unwrap();
    let rows: Vec<String> = (0..20)
        .map(|i| format!("lyon,,S-{i},street_bin,full,,45.7{i},4.8{i},,"))
        .collect();
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    let id = upload
        .read(body(text.as_bytes(), 1000), None)
        .await
        .unwrap();
    let (a, b) = (pipeline.runner(3), pipeline.runner(7));
    let (x, y) = tokio::join!(a.run(id), b.run(id));
    x.unwrap();
    y.unwrap();
    pipeline.runner(5).run(id).await.unwrap();
    let import = pipeline.imports.get(id).await.unwrap();
    assert_eq!(
        (import.inserted, import.updated, import.unchanged),
        (19, 1, 0),
        "{import:?}"
    );
    assert_eq!(pipeline.store.containers().len(), 20);
    assert_eq!(pipeline.store.audit().len(), 21);
    let unknown = pipeline.runner(5).run(Uuid::now_v7()).await;
    assert!(unknown.is_err());
}

/// Batches of one row: line 3 is read and checked while line 2 is being saved, before the
/// store can see it, and is still refused as a repeat of line 2.
#[tokio::test]
async fn a_reference_repeated_in_the_batch_after_is_refused_while_that_batch_is_saved() {
    let pipeline = Pipeline::new();
    let rows = [
        "lyon,,S-1,street_bin,active,,45.75,4.83,,",
        "lyon,,S-1,street_bin,full,,45.76,4.84,,",
        "lyon,,S-2,street_bin,active,,45.77,4.85,,",
    ];
    let import = pipeline.import_in_batches(HEADER, &rows, "\n", 1).await;
    assert_eq!(
        (import.valid, import.rejected, import.inserted),
        (2, 1, 2),
        "{import:?}"
    );
    let errors = pipeline.store.errors_after(import.id, 0, 10).await.unwrap();
    let reasons: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e.line, e.error.reason.as_str()))
        .collect();
    assert_eq!(reasons, vec![(3, "duplicate-ref:2")]);
}

#[tokio::test]
async fn a_cancelled_import_changes_nothing_and_no_valid_row_fails_it() {
    let pipeline = Pipeline::new();
    let upload = pipeline
        .imports
        .begin(None, "c.csv", false, None)
        .await
        .unwrap();
    let text = format!("{HEADER}\nlyon,,C-1,street_bin,,,45.7,4.8,,\n");
    let id = upload
        .read(body(text.as_bytes(), 1000), None)
        .await
        .unwrap();
    let cancelled = pipeline.imports.cancel(id).await.unwrap();
    assert_eq!(cancelled.state, ImportState::Cancelled);
    pipeline.runner(5).run(id).await.unwrap();
    assert!(pipeline.store.containers().is_empty());
    assert!(pipeline.imports.cancel(id).await.is_err(), "cancelled once");

    let none = pipeline
        .import(&["paris,,P-1,street_bin,,,45.7,4.8,,"], "\n")
        .await;
    assert_eq!(none.state, ImportState::Failed);
    assert_eq!(
        none.failure.as_deref(),
        Some(tisseco_domain::import::NO_VALID_ROW)
    );
}

#[tokio::test]
async fn without_an_area_column_a_row_is_checked_against_the_area_its_container_keeps() {
    let pipeline = Pipeline::new();
    pipeline
        .import(&["lyon,centre,K-1,street_bin,active,,45.75,4.83,,"], "\n")
        .await;
    // its area redrawn elsewhere since: every point now lies far outside it
    pipeline
        .store
        .change_container(|c| c.area_id = Some(pipeline.far))
        .unwrap();
    let before = pipeline.store.containers();
    let header = "site_code,external_ref,type,latitude,longitude";
    let import = pipeline
        .import_under(header, &["lyon,K-1,street_bin,45.76,4.84"], "\n")
        .await;
    assert_eq!((import.rejected, import.updated), (1, 0), "{import:?}");
    assert_eq!(pipeline.store.containers(), before, "left where it was");
}
