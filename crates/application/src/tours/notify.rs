//! The tour-assignment e-mail: when a tour is planned, its driver gets one e-mail (once,
//! however many times the event is delivered).

use crate::jobs::{Job, JobError, JobHandler, JobQueue, MAIL_QUEUE};
use crate::mail::{EmailJob, MailMessage, Recipient};
use crate::ports::Repository;
use async_trait::async_trait;
use std::sync::Arc;
use tisseco_domain::{User, UserId};

/// The event the outbox emits when a tour is planned.
pub const TOUR_PLANNED: &str = "tour.planned";

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

#[async_trait]
impl JobHandler for TourPlannedHandler {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        // The outbox wraps the tour as it was saved in `data`.
        let tour = &job.payload["data"];
        let malformed = || JobError::Permanent(format!("malformed {TOUR_PLANNED} event"));
        let tour_id = tour["id"].as_str().ok_or_else(malformed)?;
        let Some(driver) = tour["driver_id"].as_str() else {
            return Ok(()); // planned tours always have one; nothing to tell otherwise
        };
        let driver: UserId = uuid::Uuid::parse_str(driver)
            .map_err(|_| malformed())?
            .into();
        let Some(user) = self.users.find(driver).await.map_err(JobError::from)? else {
            return Err(JobError::Permanent(format!(
                "driver {driver} of tour {tour_id} does not exist"
            )));
        };
        let date = tour["date"].as_str().unwrap_or_default().to_owned();
        let stops = tour["stops"].as_array().map_or(0, Vec::len);
        let depot = &tour["depot"];
        let start_address = match (depot["latitude"].as_f64(), depot["longitude"].as_f64()) {
            (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
            _ => String::new(), // the e-mail says "the first stop" in its words
        };
        let email = EmailJob {
            dedup_key: format!("tour-assignment:{tour_id}:{}", tour["version"]),
            to: Recipient {
                email: user.email.as_str().to_owned(),
                name: Some(user.display_name.as_str().to_owned()),
                locale: user.locale,
            },
            message: MailMessage::TourAssignment {
                driver_name: user.display_name.as_str().to_owned(),
                tour_name: tour["vehicle"].as_str().map_or_else(
                    || tour_id.chars().take(8).collect(),
                    |v| format!("{v} ({})", &tour_id.chars().take(8).collect::<String>()),
                ),
                date,
                stops: u32::try_from(stops).unwrap_or(u32::MAX),
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
