//! How a polygon's rings relate: every hole lies inside the exterior ring, and no two
//! rings touch or cross. PostgreSQL's `ST_IsValid` refused such boundaries with an error
//! naming its constraint; the domain now says what is wrong, in words.

use crate::ValidationError;
use crate::geo::{GeoPoint, Ring, segments_touch};

fn segments(ring: &Ring) -> impl Iterator<Item = (GeoPoint, GeoPoint)> + '_ {
    ring.points().windows(2).map(|w| (w[0], w[1]))
}

/// Whether `point` lies inside `ring` (even-odd rule on longitude/latitude, as RFC 7946's
/// straight edges).
fn contains(ring: &Ring, point: GeoPoint) -> bool {
    let (x, y) = (point.longitude(), point.latitude());
    segments(ring)
        .filter(|(a, b)| {
            let (ax, ay, bx, by) = (a.longitude(), a.latitude(), b.longitude(), b.latitude());
            (ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay)
        })
        .count()
        % 2
        == 1
}

fn rings_touch(one: &Ring, other: &Ring) -> bool {
    segments(one).any(|s| segments(other).any(|t| segments_touch(s, t)))
}

/// # Errors
/// When a hole lies outside the exterior ring, or two rings touch or cross.
pub(crate) fn check_holes(field: &str, rings: &[Ring]) -> Result<(), ValidationError> {
    let Some((exterior, holes)) = rings.split_first() else {
        return Ok(());
    };
    for (index, hole) in holes.iter().enumerate() {
        let at = format!("{field}[{}]", index + 1);
        if rings_touch(exterior, hole) {
            return Err(ValidationError::new(
                at,
                "this hole touches or crosses the outer ring",
            ));
        }
        if !hole.points().iter().all(|p| contains(exterior, *p)) {
            return Err(ValidationError::new(
                at,
                "this hole lies outside the outer ring; a hole must be inside it",
            ));
        }
        if let Some(other) = holes[..index].iter().position(|h| rings_touch(h, hole)) {
            return Err(ValidationError::new(
                at,
                format!("this hole touches or crosses hole {}", other + 1),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::geo::Polygon;

    fn square(x: f64, y: f64, size: f64) -> Vec<[f64; 2]> {
        vec![
            [x, y],
            [x + size, y],
            [x + size, y + size],
            [x, y + size],
            [x, y],
        ]
    }

    #[test]
    fn a_hole_inside_is_accepted() {
        assert!(
            Polygon::from_coordinates("b", &[square(0.0, 0.0, 1.0), square(0.2, 0.2, 0.2)]).is_ok()
        );
    }

    #[test]
    fn a_hole_outside_or_crossing_is_refused_in_words() {
        let outside =
            Polygon::from_coordinates("b", &[square(0.0, 0.0, 1.0), square(2.0, 2.0, 0.2)]);
        let reason = outside.unwrap_err();
        assert_eq!(reason.field, "b[1]");
        assert!(
            reason.reason.contains("outside the outer ring"),
            "{}",
            reason.reason
        );
        let crossing =
            Polygon::from_coordinates("b", &[square(0.0, 0.0, 1.0), square(0.8, 0.8, 0.5)]);
        assert!(
            crossing
                .unwrap_err()
                .reason
                .contains("crosses the outer ring")
        );
        let overlapping = Polygon::from_coordinates(
            "b",
            &[
                square(0.0, 0.0, 1.0),
                square(0.2, 0.2, 0.3),
                square(0.3, 0.3, 0.3),
            ],
        );
        assert!(overlapping.unwrap_err().reason.contains("hole 1"));
    }
}
