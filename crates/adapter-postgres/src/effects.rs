//! Records that make job effects happen once: e-mails sending/sent (by de-duplication key) and
//! registry events handled (by job id).

use crate::errors::from_diesel;
use crate::schema::{event_journal, sent_emails};
use crate::store::PgStore;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Double, Text};
use diesel_async::RunQueryDsl;
use std::time::Duration;
use tisseco_application::events::EventJournal;
use tisseco_application::jobs::Job;
use tisseco_application::mail::{Reservation, SentEmails};
use tisseco_application::ports::RepoError;

#[async_trait]
impl SentEmails for PgStore {
    async fn reserve(
        &self,
        key: &str,
        to: &str,
        template: &str,
        lease: Duration,
    ) -> Result<Reservation, RepoError> {
        let mut conn = self.conn().await?;
        // a row left "sending" longer than the lease (its worker died mid-send) is taken
        // over; `sent_at` holds when the current reservation was made until it is sent
        let taken = diesel::sql_query(
            "INSERT INTO sent_emails (dedup_key, recipient, template, state) \
             VALUES ($1, $2, $3, 'sending') \
             ON CONFLICT (dedup_key) DO UPDATE SET sent_at = now() \
             WHERE sent_emails.state = 'sending' \
               AND sent_emails.sent_at < now() - make_interval(secs => $4)",
        )
        .bind::<Text, _>(key)
        .bind::<Text, _>(to)
        .bind::<Text, _>(template)
        .bind::<Double, _>(lease.as_secs_f64())
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        if taken == 1 {
            return Ok(Reservation::Send);
        }
        let state: String = sent_emails::table
            .find(key)
            .select(sent_emails::state)
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(if state == "sent" {
            Reservation::AlreadySent
        } else {
            Reservation::InProgress
        })
    }

    async fn mark_sent(&self, key: &str) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::update(sent_emails::table.find(key))
            .set((
                sent_emails::state.eq("sent"),
                sent_emails::sent_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }

    async fn release(&self, key: &str) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::delete(sent_emails::table.find(key))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}

#[async_trait]
impl EventJournal for PgStore {
    async fn record(&self, job: &Job) -> Result<bool, RepoError> {
        let mut conn = self.conn().await?;
        let inserted = diesel::insert_into(event_journal::table)
            .values((
                event_journal::job_id.eq(&job.id),
                event_journal::event_type.eq(&job.kind),
                event_journal::correlation_id.eq(job.correlation_id.as_deref()),
                event_journal::payload.eq(&job.payload),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(inserted == 1)
    }
}

impl PgStore {
    /// How many times the journal recorded events of `event_type` (tests).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn journal_count(&self, event_type: &str) -> Result<i64, RepoError> {
        let mut conn = self.conn().await?;
        event_journal::table
            .filter(event_journal::event_type.eq(event_type))
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)
    }
}
