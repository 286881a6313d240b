//! The Equal Earth projection (Šavrič, Patterson and Jenny, 2018): equal-area, so
//! the area of a shaded region is not exaggerated near the poles.

const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;

/// Project (lon, lat) in degrees to unit Equal Earth coordinates (y up).
pub fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    let lam = lon.to_radians();
    let phi = lat.clamp(-90.0, 90.0).to_radians();
    let theta = ((3.0f64).sqrt() / 2.0 * phi.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = 2.0 * (3.0f64).sqrt() * lam * theta.cos() / (3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// A projection fitted into a pixel viewport.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    scale: f64,
    ox: f64,
    oy: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    /// Fit the lon/lat box `[min lon, min lat, max lon, max lat]` into a viewport
    /// `width` wide, keeping the aspect; `top` pixels are left free for a title.
    pub fn fit(bbox: [f64; 4], width: f64, max_height: f64, top: f64, pad: f64) -> Self {
        let mut min = (f64::MAX, f64::MAX);
        let mut max = (f64::MIN, f64::MIN);
        // Sample the box edges: meridians and parallels are curved.
        for i in 0..=16 {
            let t = f64::from(i) / 16.0;
            for (lon, lat) in [
                (bbox[0] + t * (bbox[2] - bbox[0]), bbox[1]),
                (bbox[0] + t * (bbox[2] - bbox[0]), bbox[3]),
                (bbox[0], bbox[1] + t * (bbox[3] - bbox[1])),
                (bbox[2], bbox[1] + t * (bbox[3] - bbox[1])),
            ] {
                let (x, y) = equal_earth(lon, lat);
                min = (min.0.min(x), min.1.min(y));
                max = (max.0.max(x), max.1.max(y));
            }
        }
        let (w, h) = ((max.0 - min.0).max(1e-9), (max.1 - min.1).max(1e-9));
        let avail_w = width - 2.0 * pad;
        let scale = (avail_w / w).min((max_height - top - 2.0 * pad) / h);
        let height = (h * scale + top + 2.0 * pad).ceil();
        let ox = pad + (avail_w - w * scale) / 2.0 - min.0 * scale;
        let oy = top + pad + max.1 * scale;
        Self { scale, ox, oy, width, height }
    }

    /// The whole world.
    pub fn world(width: f64, top: f64) -> Self {
        Self::fit([-180.0, -90.0, 180.0, 90.0], width, width, top, 8.0)
    }

    /// Pixel position of (lon, lat).
    pub fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = equal_earth(lon, lat);
        (self.ox + x * self.scale, self.oy - y * self.scale)
    }

    /// Kilometres per pixel along the parallel at `lat` near `lon`.
    pub fn km_per_px(&self, lon: f64, lat: f64) -> f64 {
        let a = self.px(lon - 0.5, lat);
        let b = self.px(lon + 0.5, lat);
        let px = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1e-9);
        crate::gazetteer::haversine_km(lat, lon - 0.5, lat, lon + 0.5) / px
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let (x, y) = equal_earth(180.0, 0.0);
        assert!((x - 2.7066).abs() < 1e-3, "{x}");
        assert!(y.abs() < 1e-12);
        let (_, y) = equal_earth(0.0, 90.0);
        assert!((y - 1.3173).abs() < 1e-3, "{y}");
        let f = Frame::world(1000.0, 0.0);
        let (x, _) = f.px(0.0, 0.0);
        assert!((x - 500.0).abs() < 1.0);
        assert!(f.height < 520.0 && f.height > 480.0, "{}", f.height);
    }
}
