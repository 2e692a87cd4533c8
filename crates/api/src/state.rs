//! What every handler can reach: the use cases and the probes.

use std::ops::Deref;
use tisseco_bootstrap::Services;

#[derive(Debug, Clone)]
pub struct AppState(pub Services);

impl Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}
