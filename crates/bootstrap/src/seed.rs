//! A realistic demo data set: two sites, districts with polygons, about 300 containers.
//! Deterministic, idempotent (a site that exists is left alone), written through the use
//! cases so every rule and the audit log apply.

use chrono::{Days, NaiveDate};
use std::f64::consts::TAU;
use tisseco_application::ports::AuditContext;
use tisseco_application::use_cases::{ContainerDraft, MAX_PAGE_SIZE, PageParams, SiteFilter};
use tisseco_application::{AppError, Registry};
use tisseco_domain::{
    Address, AreaCode, Capacity, ContainerStatus, ContainerType, ExternalRef, GeoPoint,
    MultiPolygon, Name, NewArea, NewSite, SiteCode,
};

struct DemoArea {
    code: &'static str,
    name: &'static str,
    latitude: f64,
    longitude: f64,
    radius_km: f64,
}

struct DemoSite {
    code: &'static str,
    name: &'static str,
    prefix: &'static str,
    city: &'static str,
    streets: &'static [&'static str],
    areas: &'static [DemoArea],
}

const SITES: [DemoSite; 2] = [
    DemoSite {
        code: "lyon",
        name: "Lyon Métropole",
        prefix: "LYO",
        city: "Lyon",
        streets: &[
            "rue de la République",
            "rue Garibaldi",
            "cours Lafayette",
            "avenue Jean Jaurès",
            "rue Paul Bert",
            "cours Gambetta",
            "quai Saint-Antoine",
            "rue Servient",
            "avenue Berthelot",
            "cours Émile Zola",
        ],
        areas: &[
            DemoArea {
                code: "lyon-1er",
                name: "Lyon 1er – Pentes",
                latitude: 45.7700,
                longitude: 4.8300,
                radius_km: 0.9,
            },
            DemoArea {
                code: "lyon-2e",
                name: "Lyon 2e – Presqu'île",
                latitude: 45.7500,
                longitude: 4.8270,
                radius_km: 1.2,
            },
            DemoArea {
                code: "lyon-3e",
                name: "Lyon 3e – Part-Dieu",
                latitude: 45.7600,
                longitude: 4.8600,
                radius_km: 1.5,
            },
            DemoArea {
                code: "lyon-7e",
                name: "Lyon 7e – Guillotière",
                latitude: 45.7400,
                longitude: 4.8420,
                radius_km: 1.4,
            },
            DemoArea {
                code: "villeurbanne",
                name: "Villeurbanne",
                latitude: 45.7700,
                longitude: 4.8800,
                radius_km: 1.8,
            },
        ],
    },
    DemoSite {
        code: "grenoble",
        name: "Grenoble-Alpes",
        prefix: "GRE",
        city: "Grenoble",
        streets: &[
            "cours Jean Jaurès",
            "avenue Alsace-Lorraine",
            "rue Félix Poulat",
            "boulevard Gambetta",
            "rue Thiers",
            "avenue Félix Viallet",
            "cours Berriat",
            "quai Stéphane Jay",
        ],
        areas: &[
            DemoArea {
                code: "centre",
                name: "Centre-ville",
                latitude: 45.1885,
                longitude: 5.7245,
                radius_km: 1.0,
            },
            DemoArea {
                code: "saint-bruno",
                name: "Saint-Bruno",
                latitude: 45.1890,
                longitude: 5.7080,
                radius_km: 0.7,
            },
            DemoArea {
                code: "ile-verte",
                name: "Île Verte",
                latitude: 45.1960,
                longitude: 5.7400,
                radius_km: 0.8,
            },
            DemoArea {
                code: "echirolles",
                name: "Échirolles",
                latitude: 45.1450,
                longitude: 5.7200,
                radius_km: 1.5,
            },
        ],
    },
];

const CONTAINERS_PER_AREA: usize = 34;
const KM_PER_DEGREE: f64 = 111.32;

/// What the seed created (zero everywhere when the data was already there).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub sites: usize,
    pub areas: usize,
    pub containers: usize,
}

/// A point `km` away from the area's centre at `angle` radians.
fn offset(area: &DemoArea, km: f64, angle: f64) -> [f64; 2] {
    let dlat = km * angle.sin() / KM_PER_DEGREE;
    let dlon = km * angle.cos() / (KM_PER_DEGREE * area.latitude.to_radians().cos());
    [area.longitude + dlon, area.latitude + dlat]
}

/// An irregular octagon around the centre; every radius is at least 70 % of `radius_km`.
fn boundary(area: &DemoArea) -> Result<MultiPolygon, AppError> {
    let mut ring: Vec<[f64; 2]> = (0..8)
        .map(|k| {
            let k = f64::from(k);
            offset(
                area,
                area.radius_km * (0.85 + 0.15 * (k * 1.7).sin()),
                k * TAU / 8.0,
            )
        })
        .collect();
    ring.push(ring[0]);
    Ok(MultiPolygon::from_polygon_coordinates("boundary", &[ring])?)
}

/// The i-th point of the R2 low-discrepancy sequence, spread over the area's inner disc.
fn spread(area: &DemoArea, i: usize) -> [f64; 2] {
    const PLASTIC: f64 = 1.324_717_957_244_746;
    let i = i as f64;
    let x = (0.5 + i / PLASTIC).fract();
    let y = (0.5 + i / (PLASTIC * PLASTIC)).fract();
    offset(area, 0.6 * area.radius_km * x.sqrt(), TAU * y)
}

fn container_kind(i: usize) -> (ContainerType, i64) {
    match i % 10 {
        0..=5 => (ContainerType::StreetBin, 2500),
        6 | 7 => (ContainerType::Underground, 3000),
        8 => (ContainerType::InStore, 800),
        _ => (ContainerType::Other, 1500),
    }
}

fn container_status(i: usize) -> ContainerStatus {
    match i {
        _ if i % 17 == 3 => ContainerStatus::Full,
        _ if i % 29 == 5 => ContainerStatus::Damaged,
        _ if i % 41 == 7 => ContainerStatus::Maintenance,
        _ => ContainerStatus::Active,
    }
}

/// Creates the demo sites that don't exist yet.
///
/// # Errors
/// When the store fails.
pub async fn seed_demo_data(registry: &Registry) -> Result<SeedReport, AppError> {
    let audit = AuditContext {
        actor: None,
        request_id: Some("seed".into()),
    };
    let existing = registry
        .list_sites(
            &SiteFilter {
                include_archived: true,
            },
            PageParams {
                after: None,
                limit: Some(MAX_PAGE_SIZE),
            },
        )
        .await?;
    let mut report = SeedReport::default();
    let first_install = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default();
    for demo in &SITES {
        if existing.items.iter().any(|s| s.code.as_str() == demo.code) {
            continue;
        }
        let site = registry
            .create_site(
                NewSite {
                    code: SiteCode::parse(demo.code)?,
                    name: Name::parse(demo.name)?,
                },
                &audit,
            )
            .await?;
        report.sites += 1;
        let mut number = 0;
        for demo_area in demo.areas {
            let new_area = NewArea {
                site_id: site.id,
                code: AreaCode::parse(demo_area.code)?,
                name: Name::parse(demo_area.name)?,
                boundary: Some(boundary(demo_area)?),
            };
            let area = registry.create_area(new_area, &audit).await?;
            report.areas += 1;
            for i in 0..CONTAINERS_PER_AREA {
                number += 1;
                let [longitude, latitude] = spread(demo_area, i + 1);
                let (kind, litres) = container_kind(number);
                let street = demo.streets[number % demo.streets.len()];
                let draft = ContainerDraft {
                    public_code: None,
                    site_id: site.id,
                    area_id: Some(area.id),
                    external_ref: Some(ExternalRef::parse(&format!(
                        "{}-{number:04}",
                        demo.prefix
                    ))?),
                    kind,
                    status: container_status(number),
                    capacity: Some(Capacity::litres(litres)?),
                    location: GeoPoint::new(latitude, longitude)?,
                    address: Some(Address::parse(&format!(
                        "{} {street}, {}",
                        1 + number * 7 % 180,
                        demo.city
                    ))?),
                    installed_on: first_install
                        .checked_add_days(Days::new((number * 37 % 2500) as u64)),
                    notes: None,
                };
                registry.create_container(draft, &audit).await?;
                report.containers += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tisseco_application::testing::in_memory_registry;
    use tisseco_application::use_cases::ContainerFilter;

    #[tokio::test]
    async fn seeds_once_with_valid_data() {
        let (registry, _) = in_memory_registry();
        let report = seed_demo_data(&registry).await.unwrap();
        assert_eq!(
            report,
            SeedReport {
                sites: 2,
                areas: 9,
                containers: 9 * CONTAINERS_PER_AREA
            }
        );
        assert_eq!(
            seed_demo_data(&registry).await.unwrap(),
            SeedReport::default(),
            "a second run adds nothing"
        );
        let page = PageParams {
            after: None,
            limit: Some(MAX_PAGE_SIZE),
        };
        let all = registry
            .list_containers(&ContainerFilter::default(), page)
            .await
            .unwrap();
        assert_eq!(all.items.len(), 9 * CONTAINERS_PER_AREA);
        assert!(all.items.iter().any(|c| c.status == ContainerStatus::Full));
    }

    #[test]
    fn seeded_points_fall_inside_their_area() {
        for area in SITES.iter().flat_map(|s| s.areas) {
            for i in 1..=CONTAINERS_PER_AREA {
                let [lon, lat] = spread(area, i);
                let dx = (lon - area.longitude) * KM_PER_DEGREE * area.latitude.to_radians().cos();
                let dy = (lat - area.latitude) * KM_PER_DEGREE;
                assert!(
                    dx.hypot(dy) <= 0.6 * area.radius_km + 1e-9,
                    "{} #{i}",
                    area.code
                );
            }
        }
    }
}
