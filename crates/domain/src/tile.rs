//! Web-Mercator map tiles (`z/x/y`, the XYZ scheme MapLibre asks for) and how much detail
//! a container tile carries at each zoom.

use crate::ValidationError;

/// The deepest zoom served; MapLibre over-zooms past it.
pub const MAX_TILE_ZOOM: u8 = 22;
/// From this zoom on, a tile carries every container; below, one point per grid cell
/// (with the count it stands for), so no tile grows with the density of a city.
pub const FULL_DETAIL_ZOOM: u8 = 14;
/// Grid cells per tile side when thinned: at most `THIN_GRID²` features a tile.
pub const THIN_GRID: u32 = 64;

/// One tile, checked: `x` and `y` are within `0..2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// # Errors
    /// When the zoom is above [`MAX_TILE_ZOOM`] or `x`/`y` are outside the zoom's grid.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, ValidationError> {
        let z = u8::try_from(z)
            .ok()
            .filter(|z| *z <= MAX_TILE_ZOOM)
            .ok_or_else(|| {
                ValidationError::new("z", format!("must be between 0 and {MAX_TILE_ZOOM}"))
            })?;
        let side = 1_u32 << z;
        for (name, value) in [("x", x), ("y", y)] {
            if value >= side {
                return Err(ValidationError::new(
                    name,
                    format!("must be below {side} at zoom {z}"),
                ));
            }
        }
        Ok(Self { z, x, y })
    }

    #[must_use]
    pub fn z(self) -> u8 {
        self.z
    }

    #[must_use]
    pub fn x(self) -> u32 {
        self.x
    }

    #[must_use]
    pub fn y(self) -> u32 {
        self.y
    }

    /// Whether containers are merged per grid cell at this zoom.
    #[must_use]
    pub fn thinned(self) -> bool {
        self.z < FULL_DETAIL_ZOOM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_stay_inside_the_zoom_grid() {
        assert!(TileCoord::new(0, 0, 0).is_ok());
        assert!(TileCoord::new(14, 16_383, 16_383).is_ok());
        assert_eq!(TileCoord::new(1, 2, 0).unwrap_err().field, "x");
        assert_eq!(TileCoord::new(3, 0, 8).unwrap_err().field, "y");
        assert_eq!(TileCoord::new(23, 0, 0).unwrap_err().field, "z");
        assert_eq!(TileCoord::new(300, 0, 0).unwrap_err().field, "z");
    }

    #[test]
    fn low_zooms_are_thinned() {
        assert!(TileCoord::new(6, 0, 0).unwrap().thinned());
        assert!(TileCoord::new(13, 0, 0).unwrap().thinned());
        assert!(!TileCoord::new(14, 0, 0).unwrap().thinned());
    }
}
