//! An import's life: receiving → uploaded → validating → merging → completed, or failed /
//! cancelled on the way. Only these moves exist; the application asks this type which one
//! to make and the store writes what it is told.

/// Where an import is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportState {
    /// The body is still arriving.
    Receiving,
    Uploaded,
    Validating,
    Merging,
    Completed,
    Failed,
    Cancelled,
}

/// The failure code of an import none of whose rows passed validation.
pub const NO_VALID_ROW: &str = "no-valid-row";

impl ImportState {
    pub const ALL: [Self; 7] = [
        Self::Receiving,
        Self::Uploaded,
        Self::Validating,
        Self::Merging,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receiving => "receiving",
            Self::Uploaded => "uploaded",
            Self::Validating => "validating",
            Self::Merging => "merging",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// # Errors
    /// The unknown name.
    pub fn parse(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| format!("unknown import state {value}"))
    }

    /// Whether the import has ended (nothing moves it any more).
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// Whether an import in this state may move to `next`:
    /// - receiving → uploaded (the body arrived whole);
    /// - uploaded → validating → merging → completed; a dry run: validating → completed;
    /// - failed from any state not ended; cancelled before merging starts.
    #[must_use]
    pub fn can_become(self, next: Self) -> bool {
        use ImportState::{Cancelled, Completed, Failed, Merging, Receiving, Uploaded, Validating};
        match next {
            Failed => !self.is_final(),
            Cancelled => matches!(self, Receiving | Uploaded | Validating),
            _ => matches!(
                (self, next),
                (Receiving, Uploaded)
                    | (Uploaded, Validating)
                    | (Validating, Merging | Completed)
                    | (Merging, Completed)
            ),
        }
    }

    /// The states from which `next` may be reached, for a store's conditional update.
    #[must_use]
    pub fn sources_of(next: Self) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|s| s.can_become(next))
            .collect()
    }

    /// Where validation leads once every staged row was checked: nothing valid fails the
    /// import (with [`NO_VALID_ROW`]), a dry run ends there, anything else is merged.
    #[must_use]
    pub fn after_validation(valid: u64, dry_run: bool) -> (Self, Option<&'static str>) {
        if valid == 0 {
            (Self::Failed, Some(NO_VALID_ROW))
        } else if dry_run {
            (Self::Completed, None)
        } else {
            (Self::Merging, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImportState::{Cancelled, Completed, Failed, Merging, Receiving, Uploaded, Validating};

    #[test]
    fn states_round_trip_by_name() {
        for state in ImportState::ALL {
            assert_eq!(ImportState::parse(state.as_str()), Ok(state));
        }
        assert!(ImportState::parse("done").is_err());
    }

    #[test]
    fn an_import_moves_forward_only() {
        assert!(Receiving.can_become(Uploaded));
        assert!(Validating.can_become(Completed));
        assert!(!Merging.can_become(Validating));
        assert!(!Completed.can_become(Failed));
        assert!(!Merging.can_become(Cancelled));
        assert!(!Uploaded.can_become(Merging));
        assert_eq!(
            ImportState::sources_of(Cancelled),
            vec![Receiving, Uploaded, Validating]
        );
        assert_eq!(
            ImportState::sources_of(Failed),
            vec![Receiving, Uploaded, Validating, Merging]
        );
    }

    #[test]
    fn validation_leads_to_merge_dry_run_end_or_failure() {
        assert_eq!(ImportState::after_validation(3, false), (Merging, None));
        assert_eq!(ImportState::after_validation(3, true), (Completed, None));
        assert_eq!(
            ImportState::after_validation(0, false),
            (Failed, Some(NO_VALID_ROW))
        );
    }
}
