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
}

impl QueueKeys {
    pub fn new(prefix: &str, name: &str) -> Self {
        let tag = format!("{{{prefix}:{name}}}");
        Self {
            name: name.to_owned(),
            stream: format!("{tag}:stream"),
            delayed: format!("{tag}:delayed"),
            dead: format!("{tag}:dead"),
        }
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
    }
}
