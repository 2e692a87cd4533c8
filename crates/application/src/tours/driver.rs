//! The driver's side: today's tours, start, visit or skip each stop, complete.

use super::{KeyClaim, TourFilter, Tours};
use crate::AppError;
use crate::auth::ensure_tour_access;
use crate::auth::ports::Principal;
use crate::ports::{AuditContext, RepoError};
use crate::unit_of_work::Work;
use crate::use_cases::{MAX_PAGE_SIZE, PageParams, change, get};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use tisseco_domain::{
    ContainerId, Notes, PublicCode, SkipReason, Tour, TourId, ValidationError, Visit,
};

/// How many times a visit is tried when its container changes under it.
const VISIT_ATTEMPTS: u32 = 3;

/// An `Idempotency-Key` and the request it came with (method, path and body as the caller
/// sent them, canonicalised by the caller): the key is bound to that request.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request: String,
}

impl IdempotencyKey {
    /// A digest of the request, stored with the key.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.request.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Tours {
    /// A tour, if the caller may see it (its driver, or staff).
    ///
    /// # Errors
    /// `NotFound`; `Forbidden` for another driver's tour.
    pub async fn get_for(&self, caller: &Principal, id: TourId) -> Result<Tour, AppError> {
        let tour = self.get(id).await?;
        ensure_tour_access(caller, tour.driver_id)?;
        Ok(tour)
    }

    /// The caller's tours of a day (cancelled ones left out).
    ///
    /// # Errors
    /// `Unavailable` from the store.
    pub async fn of_driver(
        &self,
        caller: &Principal,
        date: NaiveDate,
    ) -> Result<Vec<Tour>, AppError> {
        let filter = TourFilter {
            date: Some(date),
            driver_id: Some(caller.user_id),
            ..TourFilter::default()
        };
        let page = self
            .list(
                &filter,
                PageParams {
                    after: None,
                    limit: Some(MAX_PAGE_SIZE),
                },
            )
            .await?;
        Ok(page
            .items
            .into_iter()
            .filter(|t| t.state != tisseco_domain::TourState::Cancelled)
            .collect())
    }

    /// # Errors
    /// `NotFound`, `Forbidden` (not the driver), `Conflict` (not planned).
    pub async fn start(
        &self,
        caller: &Principal,
        id: TourId,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(self.tours.as_ref(), id, None, "start", audit, |t| {
            Ok(t.start(caller.user_id, now)?)
        })
        .await
    }

    /// Records a visit. With an idempotency key, a retried request changes nothing and
    /// returns the tour as it is; the same key with another request is refused. The container's
    /// status follows what was found, in the same transaction.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden` (not the driver), `Conflict` (not in progress, stop done),
    /// `Invalid` (not a stop).
    pub async fn visit(
        &self,
        caller: &Principal,
        id: TourId,
        container: ContainerId,
        visit: Visit,
        key: Option<&IdempotencyKey>,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let scope = format!("visit:{}", caller.user_id);
        if let Some(key) = key
            && let Some(replayed) = self.claim_once(caller, id, &scope, key, "visit").await?
        {
            return Ok(replayed);
        }
        let key = key.map(|k| k.key.as_str());
        match self
            .record_visit(caller, id, container, &visit, audit)
            .await
        {
            Ok(tour) => Ok(tour),
            Err(error) => {
                if let Some(key) = key {
                    self.lookups.release_key(&scope, key).await?;
                }
                Err(error)
            }
        }
    }

    /// The visit and the container's status it leads to, decided by the domain and
    /// committed together: both are stored or neither. A container changed meanwhile (by
    /// a report, another visit) is read again and the decision made again.
    async fn record_visit(
        &self,
        caller: &Principal,
        id: TourId,
        container: ContainerId,
        visit: &Visit,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let now = self.clock.now();
            let before = get(self.tours.as_ref(), id).await?;
            let mut after = before.clone();
            after.record_visit(caller.user_id, container, visit.clone(), now)?;
            let mut work = Work::new(audit.clone());
            work.update(&before, &after, "visit")?;
            let current = self.registry.get_container(container).await?;
            let moved = current.after_visit(visit, now);
            let status_changed = moved.is_some();
            if let Some(change) = moved {
                work.decided(&current, change, "update");
            }
            match self.uow.commit(work).await {
                Ok(_) => {
                    if status_changed {
                        self.registry.containers_changed().await;
                    }
                    return Ok(after);
                }
                Err(RepoError::StaleVersion {
                    entity: "container",
                    ..
                }) if attempts < VISIT_ATTEMPTS => {}
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// # Errors
    /// As [`Tours::visit`].
    pub async fn skip(
        &self,
        caller: &Principal,
        id: TourId,
        container: ContainerId,
        reason: SkipReason,
        note: Option<Notes>,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(self.tours.as_ref(), id, None, "skip", audit, |t| {
            Ok(t.skip(caller.user_id, container, reason, note, now)?)
        })
        .await
    }

    /// A skip sent with an idempotency key (a phone replaying its offline queue): a retry
    /// changes nothing and returns the tour as it is; the same key with another request is
    /// refused; a failed skip forgets the key so that it can be sent again.
    ///
    /// # Errors
    /// As [`Tours::skip`], and `Invalid` (`Idempotency-Key`) for a reused key.
    /// Claims `key` for one `action` of `caller`: `Some(tour)` when this very request was
    /// already made (the tour as it stands now), `None` when it is new.
    ///
    /// # Errors
    /// `Invalid` naming `Idempotency-Key` when the key came with another request.
    async fn claim_once(
        &self,
        caller: &Principal,
        id: TourId,
        scope: &str,
        key: &IdempotencyKey,
        action: &str,
    ) -> Result<Option<Tour>, AppError> {
        match self
            .lookups
            .claim_key(scope, &key.key, &key.fingerprint())
            .await?
        {
            KeyClaim::New => Ok(None),
            KeyClaim::Replay => self.get_for(caller, id).await.map(Some),
            KeyClaim::Mismatch => Err(ValidationError::new(
                "Idempotency-Key",
                format!(
                    "this key was already sent with another request; use a new key for each {action}"
                ),
            )
            .into()),
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the skip's arguments plus its key"
    )]
    pub async fn skip_once(
        &self,
        caller: &Principal,
        id: TourId,
        container: ContainerId,
        reason: SkipReason,
        note: Option<Notes>,
        key: &IdempotencyKey,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let scope = format!("skip:{}", caller.user_id);
        if let Some(replayed) = self.claim_once(caller, id, &scope, key, "skip").await? {
            return Ok(replayed);
        }
        let result = self.skip(caller, id, container, reason, note, audit).await;
        if result.is_err() {
            self.lookups.release_key(&scope, &key.key).await?;
        }
        result
    }

    /// # Errors
    /// `NotFound`, `Forbidden`, `Conflict` (not in progress, stops pending).
    pub async fn complete(
        &self,
        caller: &Principal,
        id: TourId,
        audit: &AuditContext,
    ) -> Result<Tour, AppError> {
        let now = self.clock.now();
        change(self.tours.as_ref(), id, None, "complete", audit, |t| {
            Ok(t.complete(caller.user_id, now)?)
        })
        .await
    }

    /// The stop whose container carries `code` (the scanned QR label).
    ///
    /// # Errors
    /// `NotFound` when no container has the code or it is not a stop of this tour.
    pub async fn stop_by_code(
        &self,
        caller: &Principal,
        id: TourId,
        code: &str,
    ) -> Result<(Tour, ContainerId), AppError> {
        let tour = self.get_for(caller, id).await?;
        let code = PublicCode::parse(code).map_err(|e: ValidationError| AppError::Invalid(e))?;
        let container = self
            .lookups
            .by_code(&code)
            .await?
            .filter(|c| tour.stops.iter().any(|s| s.container_id == *c));
        match container {
            Some(container) => Ok((tour, container)),
            None => Err(AppError::NotFound {
                entity: "stop",
                id: code.to_string(),
            }),
        }
    }
}
