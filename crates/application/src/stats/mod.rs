//! Traceability and reporting: collection figures, public-report figures, neglected
//! containers, the quarterly declaration, each container's timeline, and predicted fill.

mod port;
mod predict;
mod service;

pub use port::{
    CollectionQuery, CollectionRow, DeclarationRow, NeglectReason, NeglectedContainer, ReportCount,
    ReportDelays, ReportStats, ReportStatsQuery, StatsQueries, TimelineCursor, TimelineEntry,
    TimelineQuery, TopReported,
};
pub use predict::{
    DueContainer, FillHistory, PredictAfterVisit, PredictionStore, Predictions, StoredPrediction,
    TOUR_VISITED, just_visited,
};
pub use service::Stats;
