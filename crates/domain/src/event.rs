//! What happened to an aggregate, as one closed list. The outbox stores an event's wire
//! name, the worker reads it back into this enum, the event journal keeps it: one spelling
//! per event, written here once instead of being guessed from an action's English.

use serde::{Deserialize, Serialize};

/// Every event the platform emits. The serde form is the wire name (`container.updated`);
/// the names already in queues and outboxes are kept, and the two that were misspelled by
/// the old English inflection are still read (`alias`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DomainEvent {
    #[serde(rename = "site.created")]
    SiteCreated,
    #[serde(rename = "site.updated")]
    SiteUpdated,
    #[serde(rename = "site.archived")]
    SiteArchived,
    #[serde(rename = "area.created")]
    AreaCreated,
    #[serde(rename = "area.updated")]
    AreaUpdated,
    #[serde(rename = "area.archived")]
    AreaArchived,
    #[serde(rename = "container.created")]
    ContainerCreated,
    /// Any change of a container, its status included (a visit, a `full` report).
    #[serde(rename = "container.updated")]
    ContainerUpdated,
    #[serde(rename = "container.archived")]
    ContainerArchived,
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "tour.created")]
    TourCreated,
    #[serde(rename = "tour.stops_added", alias = "tour.add_stopsed")]
    TourStopsAdded,
    #[serde(rename = "tour.stop_removed", alias = "tour.remove_stoped")]
    TourStopRemoved,
    #[serde(rename = "tour.reordered")]
    TourReordered,
    #[serde(rename = "tour.assigned")]
    TourAssigned,
    #[serde(rename = "tour.planned")]
    TourPlanned,
    #[serde(rename = "tour.cancelled")]
    TourCancelled,
    #[serde(rename = "tour.started")]
    TourStarted,
    #[serde(rename = "tour.visited")]
    TourVisited,
    #[serde(rename = "tour.skipped")]
    TourSkipped,
    #[serde(rename = "tour.completed")]
    TourCompleted,
    /// A public report was opened or merged, with an address to acknowledge.
    #[serde(rename = "report.created")]
    ReportCreated,
    /// Staff moved a report on; each reporter is told.
    #[serde(rename = "report.status_changed")]
    ReportStatusChanged,
    /// An import's file is staged and waits for the worker.
    #[serde(rename = "import.uploaded")]
    ImportUploaded,
}

impl DomainEvent {
    /// The version of every event's wire form (the relayed job's envelope carries it).
    pub const WIRE_VERSION: u16 = 1;

    pub const ALL: [Self; 25] = [
        Self::SiteCreated,
        Self::SiteUpdated,
        Self::SiteArchived,
        Self::AreaCreated,
        Self::AreaUpdated,
        Self::AreaArchived,
        Self::ContainerCreated,
        Self::ContainerUpdated,
        Self::ContainerArchived,
        Self::UserCreated,
        Self::UserUpdated,
        Self::TourCreated,
        Self::TourStopsAdded,
        Self::TourStopRemoved,
        Self::TourReordered,
        Self::TourAssigned,
        Self::TourPlanned,
        Self::TourCancelled,
        Self::TourStarted,
        Self::TourVisited,
        Self::TourSkipped,
        Self::TourCompleted,
        Self::ReportCreated,
        Self::ReportStatusChanged,
        Self::ImportUploaded,
    ];

    /// The wire name: `<aggregate>.<what happened>`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SiteCreated => "site.created",
            Self::SiteUpdated => "site.updated",
            Self::SiteArchived => "site.archived",
            Self::AreaCreated => "area.created",
            Self::AreaUpdated => "area.updated",
            Self::AreaArchived => "area.archived",
            Self::ContainerCreated => "container.created",
            Self::ContainerUpdated => "container.updated",
            Self::ContainerArchived => "container.archived",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::TourCreated => "tour.created",
            Self::TourStopsAdded => "tour.stops_added",
            Self::TourStopRemoved => "tour.stop_removed",
            Self::TourReordered => "tour.reordered",
            Self::TourAssigned => "tour.assigned",
            Self::TourPlanned => "tour.planned",
            Self::TourCancelled => "tour.cancelled",
            Self::TourStarted => "tour.started",
            Self::TourVisited => "tour.visited",
            Self::TourSkipped => "tour.skipped",
            Self::TourCompleted => "tour.completed",
            Self::ReportCreated => "report.created",
            Self::ReportStatusChanged => "report.status_changed",
            Self::ImportUploaded => "import.uploaded",
        }
    }

    /// The kind of aggregate the event is about (`container`): the part before the dot.
    #[must_use]
    pub fn aggregate(self) -> &'static str {
        self.name().split_once('.').map_or("", |(kind, _)| kind)
    }

    /// The event a wire name stands for, old spellings included.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "tour.add_stopsed" => Some(Self::TourStopsAdded),
            "tour.remove_stoped" => Some(Self::TourStopRemoved),
            _ => Self::ALL.into_iter().find(|e| e.name() == name),
        }
    }

    /// The event of an audited change: `action` on an aggregate of `kind` (as the use
    /// cases name them: `create`, `update`, `archive`, a tour's `plan`…). An explicit table:
    /// an action without an event is a mistake the caller hears about, not a new name.
    #[must_use]
    pub fn of_change(kind: &str, action: &str) -> Option<Self> {
        Some(match (kind, action) {
            ("site", "create") => Self::SiteCreated,
            ("site", "update") => Self::SiteUpdated,
            ("site", "archive") => Self::SiteArchived,
            ("area", "create") => Self::AreaCreated,
            ("area", "update") => Self::AreaUpdated,
            ("area", "archive") => Self::AreaArchived,
            ("container", "create") => Self::ContainerCreated,
            ("container", "archive") => Self::ContainerArchived,
            // a container's status set by a visit or a report is an update too
            ("container", _) => Self::ContainerUpdated,
            ("user", "create") => Self::UserCreated,
            ("user", _) => Self::UserUpdated,
            ("tour", "create") => Self::TourCreated,
            ("tour", "add_stops") => Self::TourStopsAdded,
            ("tour", "remove_stop") => Self::TourStopRemoved,
            ("tour", "reorder") => Self::TourReordered,
            ("tour", "assign") => Self::TourAssigned,
            ("tour", "plan") => Self::TourPlanned,
            ("tour", "cancel") => Self::TourCancelled,
            ("tour", "start") => Self::TourStarted,
            ("tour", "visit") => Self::TourVisited,
            ("tour", "skip") => Self::TourSkipped,
            ("tour", "complete") => Self::TourCompleted,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DomainEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::DomainEvent;

    #[test]
    fn every_wire_name_round_trips_through_serde_and_by_name() {
        for event in DomainEvent::ALL {
            let wire = serde_json::to_value(event).unwrap();
            assert_eq!(wire, serde_json::Value::from(event.name()), "{event:?}");
            assert_eq!(serde_json::from_value::<DomainEvent>(wire).unwrap(), event);
            assert_eq!(DomainEvent::from_name(event.name()), Some(event));
        }
    }

    #[test]
    fn names_already_in_queues_keep_their_spelling() {
        for (name, event) in [
            ("site.created", DomainEvent::SiteCreated),
            ("container.updated", DomainEvent::ContainerUpdated),
            ("container.archived", DomainEvent::ContainerArchived),
            ("tour.planned", DomainEvent::TourPlanned),
            ("tour.visited", DomainEvent::TourVisited),
            ("tour.cancelled", DomainEvent::TourCancelled),
            ("report.created", DomainEvent::ReportCreated),
            ("report.status_changed", DomainEvent::ReportStatusChanged),
            ("import.uploaded", DomainEvent::ImportUploaded),
            // misspelled by the old inflection; still read
            ("tour.add_stopsed", DomainEvent::TourStopsAdded),
            ("tour.remove_stoped", DomainEvent::TourStopRemoved),
        ] {
            assert_eq!(DomainEvent::from_name(name), Some(event), "{name}");
            let json = serde_json::Value::from(name);
            assert_eq!(serde_json::from_value::<DomainEvent>(json).unwrap(), event);
        }
    }

    #[test]
    fn names_are_unique_and_name_their_aggregate() {
        let mut names: Vec<&str> = DomainEvent::ALL.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DomainEvent::ALL.len());
        assert_eq!(DomainEvent::TourVisited.aggregate(), "tour");
        assert_eq!(DomainEvent::ReportStatusChanged.aggregate(), "report");
    }

    #[test]
    fn every_action_of_the_use_cases_has_its_event() {
        for (kind, action, event) in [
            ("container", "update", "container.updated"),
            ("container", "report.full", "container.updated"),
            ("tour", "plan", "tour.planned"),
            ("tour", "visit", "tour.visited"),
            ("tour", "add_stops", "tour.stops_added"),
            ("site", "archive", "site.archived"),
        ] {
            assert_eq!(
                DomainEvent::of_change(kind, action).map(DomainEvent::name),
                Some(event)
            );
        }
        assert_eq!(DomainEvent::of_change("tour", "teleport"), None);
    }
}
