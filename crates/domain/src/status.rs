//! A container's life cycle in the field.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// Where a container stands. `Removed` is final: the bin left the street for good
/// (the record stays, for its history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerStatus {
    Active,
    Full,
    Damaged,
    Maintenance,
    Removed,
}

impl ContainerStatus {
    pub const ALL: [Self; 5] = [
        Self::Active,
        Self::Full,
        Self::Damaged,
        Self::Maintenance,
        Self::Removed,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Full => "full",
            Self::Damaged => "damaged",
            Self::Maintenance => "maintenance",
            Self::Removed => "removed",
        }
    }

    /// # Errors
    /// When `value` is not one of the statuses' names.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!(
                        "unknown status '{value}'; expected one of {}",
                        names(&Self::ALL)
                    ),
                )
            })
    }

    /// Whether a container in this status may move to `next`. Staying put is always allowed.
    ///
    /// - active → full, damaged, maintenance, removed
    /// - full → active (emptied), damaged, maintenance, removed
    /// - damaged → maintenance, active (fixed on the spot), removed
    /// - maintenance → active, damaged, removed
    /// - removed → nothing
    #[must_use]
    pub fn can_become(self, next: Self) -> bool {
        use ContainerStatus::{Active, Damaged, Full, Maintenance, Removed};
        self == next
            || matches!(
                (self, next),
                (Active, Full | Damaged | Maintenance | Removed)
                    | (Full, Active | Damaged | Maintenance | Removed)
                    | (Damaged, Maintenance | Active | Removed)
                    | (Maintenance, Active | Damaged | Removed)
            )
    }

    /// Whether the public should be sent to this container.
    #[must_use]
    pub fn accepts_donations(self) -> bool {
        self == Self::Active
    }
}

pub(crate) fn names<T>(values: &[T]) -> String
where
    T: Copy + Into<&'static str>,
{
    values
        .iter()
        .map(|v| (*v).into())
        .collect::<Vec<&str>>()
        .join(", ")
}

impl From<ContainerStatus> for &'static str {
    fn from(status: ContainerStatus) -> Self {
        status.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::ContainerStatus::*;
    use super::*;

    #[test]
    fn allows_the_documented_transitions() {
        let allowed = [
            (Active, Full),
            (Active, Damaged),
            (Active, Maintenance),
            (Active, Removed),
            (Full, Active),
            (Full, Damaged),
            (Full, Maintenance),
            (Full, Removed),
            (Damaged, Maintenance),
            (Damaged, Active),
            (Damaged, Removed),
            (Maintenance, Active),
            (Maintenance, Damaged),
            (Maintenance, Removed),
        ];
        for from in ContainerStatus::ALL {
            for to in ContainerStatus::ALL {
                let expected = from == to || allowed.contains(&(from, to));
                assert_eq!(from.can_become(to), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn removed_is_final() {
        assert!(
            ContainerStatus::ALL
                .into_iter()
                .filter(|s| *s != Removed)
                .all(|s| !Removed.can_become(s))
        );
    }

    #[test]
    fn a_damaged_container_cannot_be_declared_full() {
        assert!(!Damaged.can_become(Full));
    }

    #[test]
    fn parses_names_and_refuses_unknown_ones() {
        assert_eq!(ContainerStatus::parse("maintenance"), Ok(Maintenance));
        let err = ContainerStatus::parse("broken").err();
        assert!(err.is_some_and(|e| e.field == "status" && e.reason.contains("active, full")));
    }

    #[test]
    fn only_active_containers_take_donations() {
        assert!(Active.accepts_donations());
        assert!(!Full.accepts_donations());
    }
}
