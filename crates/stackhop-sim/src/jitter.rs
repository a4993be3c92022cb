//! How long a host's part of a step really takes around its estimate: one seeded stream of
//! factors, drawn in launch order, for the twin and for a paced run of the executor alike.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Duration factors uniform in `[1 - half_width, 1 + half_width]`, the same for the same seed
/// and the same order of launches.
#[derive(Debug, Clone)]
pub struct Jitter {
    rng: ChaCha8Rng,
    half_width: f64,
}

impl Jitter {
    /// `half_width` is clamped to `[0, 0.9]` (a host never takes no time); 0 gives factor 1.
    pub fn new(seed: u64, half_width: f64) -> Jitter {
        Jitter {
            rng: ChaCha8Rng::seed_from_u64(seed),
            half_width: if half_width.is_finite() {
                half_width.clamp(0.0, 0.9)
            } else {
                0.0
            },
        }
    }

    pub fn half_width(&self) -> f64 {
        self.half_width
    }

    /// The factor for the next host launched.
    pub fn factor(&mut self) -> f64 {
        if self.half_width > 0.0 {
            self.rng
                .random_range(1.0 - self.half_width..=1.0 + self.half_width)
        } else {
            1.0
        }
    }
}
