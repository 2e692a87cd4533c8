//! Single-flight: concurrent requests for the same key share one computation (in-process).

use super::Cached;
use crate::AppError;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

type Flight = Shared<BoxFuture<'static, Result<Cached, AppError>>>;

/// The computations in progress, by key. Cloning shares them.
#[derive(Clone, Default)]
pub struct SingleFlight {
    in_flight: Arc<Mutex<HashMap<String, Flight>>>,
}

impl std::fmt::Debug for SingleFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleFlight")
            .field("in_flight", &self.len())
            .finish()
    }
}

impl SingleFlight {
    /// How many keys are being computed now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `work` unless a computation of `key` is already under way, in which case its
    /// result is awaited instead. The first caller's `work` is the one that runs; it keeps
    /// running if that caller goes away while others wait.
    ///
    /// # Errors
    /// The error of the shared computation, for every caller that awaited it.
    pub async fn run<F>(&self, key: String, work: F) -> Result<Cached, AppError>
    where
        F: Future<Output = Result<Cached, AppError>> + Send + 'static,
    {
        let flight = {
            let mut map = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(flight) = map.get(&key) {
                flight.clone()
            } else {
                let in_flight = self.in_flight.clone();
                let done_key = key.clone();
                let flight = async move {
                    let result = work.await;
                    in_flight
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&done_key);
                    result
                }
                .boxed()
                .shared();
                map.insert(key, flight.clone());
                flight
            }
        };
        flight.await
    }
}
