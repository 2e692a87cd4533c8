//! `tisseco-bench scripts CENTRES AREAS OUT`: for each search the API runs, writes the
//! exact SQL it sends (values inlined, one pgbench script per input) and the matching
//! HTTP requests (one per line, for wrk's Lua script). CENTRES holds `lon lat` lines;
//! AREAS holds `area_id<TAB>GeoJSON MultiPolygon` lines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tisseco_application::search::{GeoFilter, GeoQuery, Shape};
use tisseco_bootstrap::search_statement;
use tisseco_domain::{BBox, ContainerStatus, GeoPoint, MultiPolygon};

/// What the API sends for `GET /areas/{id}` before an area search (diesel's `find`).
const AREA_SQL: &str = "SELECT \"areas\".\"id\", \"areas\".\"site_id\", \"areas\".\"code\", \
     \"areas\".\"name\", \"areas\".\"boundary\", \"areas\".\"archived_at\", \"areas\".\"version\", \
     \"areas\".\"created_at\", \"areas\".\"updated_at\" FROM \"areas\" WHERE (\"areas\".\"id\" = '{id}'::uuid)";

struct Out {
    dir: PathBuf,
}

impl Out {
    fn write(&self, name: &str, text: &str) -> Result<(), String> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn statement(shape: Shape, statuses: Vec<ContainerStatus>, limit: u32) -> Result<String, String> {
    let query = GeoQuery {
        shape,
        filter: GeoFilter {
            statuses,
            ..GeoFilter::default()
        },
        after: None,
        limit,
    };
    search_statement(&query)
        .map(|sql| format!("{sql};\n"))
        .map_err(|e| e.to_string())
}

fn centres(path: &Path) -> Result<Vec<GeoPoint>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split_whitespace().map(str::parse::<f64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(lon)), Some(Ok(lat))) => {
                    GeoPoint::new(lat, lon).map_err(|e| e.to_string())
                }
                _ => Err(format!("bad centre line: {line}")),
            }
        })
        .collect()
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn scripts(centres_file: &Path, areas_file: &Path, out: &Out) -> Result<(), String> {
    let centres = centres(centres_file)?;
    let mut paths: [(String, String); 5] = Default::default();
    let names = ["radius", "nearest", "bbox", "public", "polygon"];
    for (i, (name, _)) in paths.iter_mut().enumerate() {
        *name = names[i].to_owned();
    }
    for (i, c) in centres.iter().enumerate() {
        let (lat, lon) = (c.latitude(), c.longitude());
        out.write(
            &format!("pgbench/radius/{i}.sql"),
            &statement(
                Shape::Radius {
                    centre: *c,
                    metres: 1_000.0,
                },
                vec![],
                50,
            )?,
        )?;
        let _ = writeln!(
            paths[0].1,
            "/api/v1/containers/search/radius?lat={lat}&lon={lon}&radius_m=1000&limit=50"
        );
        out.write(
            &format!("pgbench/nearest/{i}.sql"),
            &statement(Shape::Nearest { centre: *c }, vec![], 20)?,
        )?;
        let _ = writeln!(
            paths[1].1,
            "/api/v1/containers/search/nearest?lat={lat}&lon={lon}&limit=20"
        );
        let values = [lon - 0.02, lat - 0.015, lon + 0.02, lat + 0.015];
        let bbox = BBox::new("bbox", values).map_err(|e| e.to_string())?;
        out.write(
            &format!("pgbench/bbox/{i}.sql"),
            &statement(Shape::BBox(bbox), vec![], 50)?,
        )?;
        let [a, b, cc, d] = values;
        let _ = writeln!(
            paths[2].1,
            "/api/v1/containers/search/bbox?bbox={a},{b},{cc},{d}&limit=50"
        );
        let rounded = GeoPoint::new(round4(lat), round4(lon)).map_err(|e| e.to_string())?;
        let public = Shape::Radius {
            centre: rounded,
            metres: 1_000.0,
        };
        out.write(
            &format!("pgbench/public/{i}.sql"),
            &statement(public, vec![ContainerStatus::Active], 20)?,
        )?;
        let _ = writeln!(
            paths[3].1,
            "/api/v1/public/containers/nearby?lat={lat}&lon={lon}&radius_m=1000&limit=20"
        );
    }
    let areas = std::fs::read_to_string(areas_file)
        .map_err(|e| format!("{}: {e}", areas_file.display()))?;
    let mut bodies = String::new();
    let mut area_paths = String::new();
    for (i, line) in areas.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let (id, geojson) = line
            .split_once('\t')
            .ok_or_else(|| format!("bad area line: {line}"))?;
        let value: serde_json::Value = serde_json::from_str(geojson).map_err(|e| e.to_string())?;
        let coordinates: Vec<Vec<Vec<[f64; 2]>>> =
            serde_json::from_value(value["coordinates"].clone()).map_err(|e| e.to_string())?;
        let polygon =
            MultiPolygon::from_coordinates("boundary", &coordinates).map_err(|e| e.to_string())?;
        let search = statement(Shape::Polygon(polygon), vec![], 50)?;
        out.write(&format!("pgbench/polygon/{i}.sql"), &search)?;
        out.write(
            &format!("pgbench/area/{i}.sql"),
            &format!("{};\n{search}", AREA_SQL.replace("{id}", id.trim())),
        )?;
        let _ = writeln!(bodies, "{geojson}");
        let _ = writeln!(
            area_paths,
            "/api/v1/containers/search/area/{}?limit=50",
            id.trim()
        );
    }
    paths[4].1 = "/api/v1/containers/search/polygon?limit=50\n".repeat(bodies.lines().count());
    for (name, text) in &paths {
        out.write(&format!("wrk/{name}.paths"), text)?;
    }
    out.write("wrk/polygon.bodies", &bodies)?;
    out.write("wrk/area.paths", &area_paths)
}

/// `tile-sql Z X Y`: the tile statement the API sends, values inlined, no filter (for
/// pgbench in `just bench tiles`).
fn tile_sql(z: &str, x: &str, y: &str) -> Result<(), String> {
    let number = |v: &str| v.parse::<u32>().map_err(|e| format!("{v}: {e}"));
    let tile = tisseco_domain::TileCoord::new(number(z)?, number(x)?, number(y)?)
        .map_err(|e| e.to_string())?;
    let sql = tisseco_bootstrap::tile_statement()
        .replace("$8", if tile.thinned() { "true" } else { "false" })
        .replace("$7", "NULL")
        .replace("$6", "NULL")
        .replace("$5", "'{}'")
        .replace("$4", "'{}'")
        .replace("$3", &tile.y().to_string())
        .replace("$2", &tile.x().to_string())
        .replace("$1", &tile.z().to_string());
    println!("{sql};");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.as_slice() {
        [_, command, centres, areas, out] if command == "scripts" => scripts(
            Path::new(centres),
            Path::new(areas),
            &Out {
                dir: PathBuf::from(out),
            },
        ),
        [_, command, z, x, y] if command == "tile-sql" => tile_sql(z, x, y),
        _ => Err("usage: tisseco-bench scripts CENTRES AREAS OUT | tile-sql Z X Y".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tisseco-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
