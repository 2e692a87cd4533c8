//! The job queue on Redis Streams (fred): one stream per queue read by a consumer group,
//! retries through a delayed sorted set, dead letters in a stream of their own.
//!
//! Keys of one queue share a hash tag (`{prefix:name}:stream`, `:delayed`, `:dead`) so that
//! every multi-key script runs on one Redis Cluster slot.

mod consumer;
mod failures;
mod keys;
mod liveness;
mod metrics;
mod parse;
mod queue;
mod scripts;
mod settings;
mod tls;

pub use consumer::{Consumer, ConsumerHandle};
pub use queue::RedisQueue;
pub use settings::{ConsumerSettings, QueueSettings};

use tisseco_application::jobs::QueueError;

fn unavailable(error: &fred::error::Error) -> QueueError {
    QueueError::Unavailable(error.to_string())
}
