//! Typed jobs: a job kind is a type with a constant name and a serde payload, and a relayed
//! domain event is a [`DomainEvent`] with a versioned envelope. Handlers read these instead
//! of picking fields out of JSON by hand.

use super::{Job, JobError};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tisseco_domain::DomainEvent;
use uuid::Uuid;

/// A kind of job: its name on the queue and the payload it carries.
pub trait JobKind: Serialize + DeserializeOwned {
    /// The job's `type` on the queue (`mail.send`): selects its handler.
    const NAME: &'static str;
}

/// The payload of every job that carries a domain event out of the outbox (version
/// [`DomainEvent::WIRE_VERSION`]). `data` is the aggregate as the change left it (or the
/// event's own record, for reports).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope<D = serde_json::Value> {
    /// The outbox row's id: stable across relays, so a key derived from it is too.
    pub event_id: i64,
    #[serde(default)]
    pub aggregate_type: String,
    #[serde(default)]
    pub aggregate_id: Uuid,
    pub data: D,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// The wire form's version; events written before it was carried are version 1.
    #[serde(default = "first_version")]
    pub v: u16,
}

const fn first_version() -> u16 {
    1
}

impl Job {
    /// A first attempt of a new job of kind `K`.
    ///
    /// # Errors
    /// When the payload can't be serialised (a map with non-string keys; ours always can).
    pub fn of<K: JobKind>(
        payload: &K,
        correlation_id: Option<String>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::new(
            K::NAME,
            serde_json::to_value(payload)?,
            correlation_id,
        ))
    }

    /// The payload of a job of kind `K`.
    ///
    /// # Errors
    /// `Permanent` when the job is of another kind or its payload isn't a `K`: retrying
    /// can't help.
    pub fn payload_as<K: JobKind>(&self) -> Result<K, JobError> {
        if self.kind != K::NAME {
            return Err(JobError::Permanent(format!(
                "a {} job handed to the handler of {}",
                self.kind,
                K::NAME
            )));
        }
        serde_json::from_value(self.payload.clone())
            .map_err(|e| JobError::Permanent(format!("malformed {} job: {e}", K::NAME)))
    }

    /// The domain event this job carries, and its envelope with `data` read as `D`.
    ///
    /// # Errors
    /// `Permanent` for a type that names no event, or a payload that doesn't parse.
    pub fn event<D: DeserializeOwned>(&self) -> Result<(DomainEvent, EventEnvelope<D>), JobError> {
        let event = DomainEvent::from_name(&self.kind)
            .ok_or_else(|| JobError::Permanent(format!("{} is not an event", self.kind)))?;
        let envelope = serde_json::from_value(self.payload.clone())
            .map_err(|e| JobError::Permanent(format!("malformed {event} event: {e}")))?;
        Ok((event, envelope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{EmailJob, MailMessage, Recipient};

    #[test]
    fn a_typed_job_round_trips_and_refuses_another_kind() {
        let email = EmailJob {
            dedup_key: "k".into(),
            to: Recipient {
                email: "a@b.org".into(),
                name: None,
                locale: None,
            },
            message: MailMessage::PasswordReset {
                display_name: "Ana".into(),
                reset_url: "https://x/r".into(),
                expires_in_minutes: 30,
            },
        };
        let job = Job::of(&email, None).unwrap();
        assert_eq!(job.kind, "mail.send");
        assert_eq!(job.payload_as::<EmailJob>().unwrap(), email);
        let other = Job::new("tour.planned", job.payload.clone(), None);
        assert!(matches!(
            other.payload_as::<EmailJob>(),
            Err(JobError::Permanent(_))
        ));
    }

    #[test]
    fn an_event_job_is_read_back_as_its_event_and_version() {
        for event in DomainEvent::ALL {
            let job = Job::new(
                event.name(),
                serde_json::json!({"event_id": 3, "data": {"x": 1}}),
                None,
            );
            let (read, envelope) = job.event::<serde_json::Value>().unwrap();
            assert_eq!(read, event);
            assert_eq!((envelope.event_id, envelope.v), (3, 1));
        }
        let unknown = Job::new("container.teleported", serde_json::json!({}), None);
        assert!(matches!(
            unknown.event::<serde_json::Value>(),
            Err(JobError::Permanent(_))
        ));
    }
}
