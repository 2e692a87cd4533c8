//! The Redis keys of one queue, all with the same hash tag.

/// The consumer group every worker joins.
pub(crate) const GROUP: &str = "workers";

#[derive(Debug, Clone)]
pub(crate) struct QueueKeys {
    pub name: String,
    /// The stream of jobs ready to run (and those in flight until acknowledged).
    pub stream: String,
    /// Jobs waiting for a retry, scored by when they are due (ms since the epoch).
    pub delayed: String,
    /// Jobs that failed their last attempt, with the error.
    pub dead: String,
    /// `…:alive:<consumer>` expires when a worker stops beating: its jobs are taken over.
    pub alive_prefix: String,
    /// `…:seen:<job id>` marks a job enqueued lately, so a second enqueue adds nothing.
    pub seen_prefix: String,
}

impl QueueKeys {
    pub fn new(prefix: &str, name: &str) -> Self {
        let tag = format!("{{{prefix}:{name}}}");
        Self {
            name: name.to_owned(),
            stream: format!("{tag}:stream"),
            delayed: format!("{tag}:delayed"),
            dead: format!("{tag}:dead"),
            alive_prefix: format!("{tag}:alive:"),
            seen_prefix: format!("{tag}:seen:"),
        }
    }

    pub fn alive(&self, consumer: &str) -> String {
        format!("{}{consumer}", self.alive_prefix)
    }

    pub fn seen(&self, job_id: &str) -> String {
        format!("{}{job_id}", self.seen_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_queue_share_one_hash_tag() {
        let keys = QueueKeys::new("tisseco", "mail");
        assert_eq!(keys.stream, "{tisseco:mail}:stream");
        assert_eq!(keys.delayed, "{tisseco:mail}:delayed");
        assert_eq!(keys.dead, "{tisseco:mail}:dead");
        assert_eq!(keys.alive("w1"), "{tisseco:mail}:alive:w1");
        assert_eq!(keys.seen("outbox-7"), "{tisseco:mail}:seen:outbox-7");
    }
}
