//! The tour-assignment e-mail: when a tour is planned, its driver gets one e-mail (once,
//! however many times the event is delivered).

use crate::jobs::{Job, JobError, JobHandler, JobQueue, MAIL_QUEUE};
use crate::mail::{EmailJob, MailMessage, Recipient};
use crate::ports::Repository;
use async_trait::async_trait;
use serde::Deserialize;
use std::sync::Arc;
use tisseco_domain::{DomainEvent, User, UserId};

/// The event the outbox emits when a tour is planned.
pub const TOUR_PLANNED: &str = DomainEvent::TourPlanned.name();

/// Handles `tour.planned`: queues the assignment e-mail to the driver.
#[derive(Clone)]
pub struct TourPlannedHandler {
    pub users: Arc<dyn Repository<User>>,
    pub queue: Arc<dyn JobQueue>,
}

impl std::fmt::Debug for TourPlannedHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TourPlannedHandler")
    }
}

/// What a `tour.planned` event carries of the tour (the tour as it was saved).
#[derive(Debug, Deserialize)]
struct PlannedTour {
    id: String,
    driver_id: Option<UserId>,
    date: String,
    vehicle: Option<String>,
    depot: Option<Depot>,
    stops: Vec<serde::de::IgnoredAny>,
    version: i64,
}

#[derive(Debug, Deserialize)]
struct Depot {
    latitude: f64,
    longitude: f64,
}

#[async_trait]
impl JobHandler for TourPlannedHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let (_, envelope) = job.event::<PlannedTour>()?;
        let tour = envelope.data;
        let tour_id = tour.id;
        let Some(driver) = tour.driver_id else {
            return Ok(()); // planned tours always have one; nothing to tell otherwise
        };
        let Some(user) = self.users.find(driver).await.map_err(JobError::from)? else {
            return Err(JobError::Permanent(format!(
                "driver {driver} of tour {tour_id} does not exist"
            )));
        };
        let start_address = tour.depot.map_or_else(
            String::new, // the e-mail says "the first stop" in its words
            |d| format!("{:.5}, {:.5}", d.latitude, d.longitude),
        );
        let short_id: String = tour_id.chars().take(8).collect();
        let email = EmailJob {
            dedup_key: format!("tour-assignment:{tour_id}:{}", tour.version),
            to: Recipient {
                email: user.email.as_str().to_owned(),
                name: Some(user.display_name.as_str().to_owned()),
                locale: user.locale,
            },
            message: MailMessage::TourAssignment {
                driver_name: user.display_name.as_str().to_owned(),
                tour_name: tour
                    .vehicle
                    .map_or_else(|| short_id.clone(), |v| format!("{v} ({short_id})")),
                date: tour.date,
                stops: u32::try_from(tour.stops.len()).unwrap_or(u32::MAX),
                start_address,
            },
        };
        let mail = email
            .to_job(job.correlation_id.clone())
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        self.queue
            .enqueue(MAIL_QUEUE, &[mail])
            .await
            .map_err(JobError::from)
    }
}
