//! A pooled connection, and how its session plans prepared statements.
//!
//! By default each execution is planned for its values (`force_custom_plan`): a search
//! restricted to a small area or a rare status needs a plan made for them. But an
//! unfiltered radius or bbox search gets the same plan whatever its values (a GiST scan
//! with the shape as its condition), and planning it again each time was a fifth of
//! PostgreSQL's work per search (BENCHMARKS.md, issue 26). Such searches ask for a
//! session that plans once (`force_generic_plan`); every other checkout gets the default
//! back. A connection is switched only when the next user wants the other mode, so under
//! a run of searches the switch costs nothing.

use deadpool::managed::{Manager, Metrics, Object, Pool, RecycleResult};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolError};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use std::ops::{Deref, DerefMut};

/// How a session plans its prepared statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plans {
    /// For each execution's values (the default).
    PerExecution,
    /// Once, for any values.
    Once,
}

impl Plans {
    const fn setting(self) -> &'static str {
        match self {
            Self::PerExecution => "SET plan_cache_mode = force_custom_plan",
            Self::Once => "SET plan_cache_mode = force_generic_plan",
        }
    }
}

/// A connection of the pool; it dereferences to diesel's connection.
pub struct Session {
    conn: AsyncPgConnection,
    /// `None` while a switch is under way (a request dropped in the middle of it leaves
    /// the mode unknown, and the next checkout sets it again).
    plans: Option<Plans>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("plans", &self.plans)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Makes the session plan as `wanted`: one round trip when it planned otherwise.
    ///
    /// # Errors
    /// When the server does not answer.
    pub async fn plan(&mut self, wanted: Plans) -> Result<(), diesel::result::Error> {
        if self.plans != Some(wanted) {
            self.plans = None;
            self.conn.batch_execute(wanted.setting()).await?;
            self.plans = Some(wanted);
        }
        Ok(())
    }
}

impl Deref for Session {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        &self.conn
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.conn
    }
}

/// diesel-async's manager, whose connections start planning per execution (the setup
/// sets it, see `pool.rs`).
pub struct SessionManager(pub(crate) AsyncDieselConnectionManager<AsyncPgConnection>);

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager").finish_non_exhaustive()
    }
}

impl Manager for SessionManager {
    type Type = Session;
    type Error = PoolError;

    async fn create(&self) -> Result<Session, PoolError> {
        Ok(Session {
            conn: self.0.create().await?,
            plans: Some(Plans::PerExecution),
        })
    }

    async fn recycle(&self, session: &mut Session, metrics: &Metrics) -> RecycleResult<PoolError> {
        self.0.recycle(&mut session.conn, metrics).await
    }
}

/// A pool of sessions.
pub type SessionPool = Pool<SessionManager>;

/// A session checked out of the pool.
pub type PooledSession = Object<SessionManager>;
