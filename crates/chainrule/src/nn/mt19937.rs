//! The Mersenne Twister (MT19937) and the two Python generators built on it that
//! micrograd's demo seeds: NumPy's legacy global `RandomState` (`np.random.seed(1337)`,
//! which scikit-learn's `make_moons` draws from) and Python's `random` module
//! (`random.seed(1337)`, which micrograd's `Neuron` draws its weights from). Both are
//! reproduced bit for bit, so chainrule can make micrograd's demo exactly: the same points,
//! the same initial weights, and so the same loss curve.
//!
//! ```
//! use chainrule::data::{NumpyRandomState, PyRandom};
//! // np.random.seed(1337); np.random.standard_normal()
//! assert_eq!(NumpyRandomState::seed(1337).standard_normal(), -0.7031873098624105);
//! // random.seed(1337); random.uniform(-1, 1)
//! assert_eq!(PyRandom::seed(1337).uniform(-1.0, 1.0), 0.23550571390294128);
//! ```

/// Words of state.
const N: usize = 624;
/// The middle word of the recurrence.
const M: usize = 397;

/// MT19937, the 32-bit Mersenne Twister of Matsumoto and Nishimura (1998), with both of its
/// reference seedings: [`Mt19937::new`] (`init_genrand`) and [`Mt19937::from_key`]
/// (`init_by_array`).
///
/// ```
/// // The reference generator's first output for the default seed 5489.
/// assert_eq!(chainrule::data::Mt19937::new(5489).next_u32(), 3499211612);
/// ```
#[derive(Clone)]
pub struct Mt19937 {
    mt: Box<[u32; N]>,
    /// The next word of `mt` to hand out; `N` when the block must be regenerated.
    i: usize,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mt19937 {{ position: {} }}", self.i)
    }
}

impl Mt19937 {
    /// Seeded with one 32-bit word (the reference `init_genrand`, as NumPy's
    /// `np.random.seed(s)` does for an integer `s`).
    pub fn new(seed: u32) -> Mt19937 {
        let mut mt = Box::new([0u32; N]);
        mt[0] = seed;
        for k in 1..N {
            let prev = mt[k - 1];
            mt[k] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(k as u32);
        }
        Mt19937 { mt, i: N }
    }

    /// Seeded with a key of 32-bit words (the reference `init_by_array`, as Python's
    /// `random.seed(n)` does with the 32-bit words of `|n|`).
    ///
    /// ```
    /// // The first outputs of the reference program mt19937ar.c.
    /// let mut mt = chainrule::data::Mt19937::from_key(&[0x123, 0x234, 0x345, 0x456]);
    /// assert_eq!([mt.next_u32(), mt.next_u32()], [1067595299, 955945823]);
    /// ```
    pub fn from_key(key: &[u32]) -> Mt19937 {
        let mut s = Mt19937::new(19_650_218);
        let mt = &mut s.mt;
        let (mut i, mut j) = (1usize, 0usize);
        let len = key.len().max(1);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key.get(j).copied().unwrap_or(0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= len {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        s
    }

    /// Regenerates the block of `N` words.
    fn twist(&mut self) {
        let mt = &mut self.mt;
        for k in 0..N {
            let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % N] & 0x7fff_ffff);
            let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.i = 0;
    }

    /// The next 32 random bits (the reference `genrand_int32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.i >= N {
            self.twist();
        }
        let mut y = self.mt[self.i];
        self.i += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Uniform in `[0, 1)` with 53 random bits from two outputs (the reference
    /// `genrand_res53`, which both NumPy's `random_sample` and Python's `random()` are).
    pub fn next_f64(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }
}

/// NumPy's legacy `RandomState`, the generator behind `np.random.seed` and the
/// `np.random.*` functions: the draws scikit-learn's dataset makers use when given no
/// `random_state` (or an integer one).
///
/// ```
/// use chainrule::data::NumpyRandomState;
/// let mut rs = NumpyRandomState::seed(1337);      // np.random.seed(1337)
/// let mut a: Vec<u32> = (0..10).collect();
/// rs.shuffle(&mut a);                            // np.random.shuffle(a)
/// assert_eq!(a, [6, 3, 0, 4, 5, 2, 1, 9, 8, 7]);
/// ```
#[derive(Clone, Debug)]
pub struct NumpyRandomState {
    mt: Mt19937,
    /// The second value of the last polar Box-Muller pair, handed out next.
    gauss: Option<f64>,
}

impl NumpyRandomState {
    /// The state after `np.random.seed(seed)` (or `np.random.RandomState(seed)`).
    pub fn seed(seed: u32) -> NumpyRandomState {
        NumpyRandomState {
            mt: Mt19937::new(seed),
            gauss: None,
        }
    }

    /// `random_sample()`: uniform in `[0, 1)`.
    pub fn random_sample(&mut self) -> f64 {
        self.mt.next_f64()
    }

    /// `standard_normal()`: NumPy's legacy Gaussian, the polar Box-Muller method, whose
    /// second value is kept for the next call.
    ///
    /// ```
    /// let mut rs = chainrule::data::NumpyRandomState::seed(1337);
    /// let z: Vec<f64> = (0..3).map(|_| rs.standard_normal()).collect();
    /// assert_eq!(z, [-0.7031873098624105, -0.49028236278771464, -0.3218143296501526]);
    /// ```
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.gauss.take() {
            return z;
        }
        loop {
            let x1 = 2.0 * self.mt.next_f64() - 1.0;
            let x2 = 2.0 * self.mt.next_f64() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `normal(loc, scale)`: `loc + scale · standard_normal()`, as NumPy computes it.
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// A whole number in `0..=max`, by masked rejection (NumPy's `random_interval`).
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let v = if max <= u64::from(u32::MAX) {
                u64::from(self.mt.next_u32()) & mask
            } else {
                let hi = u64::from(self.mt.next_u32());
                ((hi << 32) | u64::from(self.mt.next_u32())) & mask
            };
            if v <= max {
                return v;
            }
        }
    }

    /// `shuffle(items)` for a one-dimensional array: Fisher-Yates from the last item down,
    /// each swap partner drawn by [`NumpyRandomState::interval`].
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }
}

/// Python's `random` module (its Mersenne Twister; `random.seed(n)` for an integer `n`).
///
/// ```
/// use chainrule::data::PyRandom;
/// let mut r = PyRandom::seed(1337);              // random.seed(1337)
/// assert_eq!(r.random(), 0.6177528569514706);    // random.random()
/// ```
#[derive(Clone, Debug)]
pub struct PyRandom {
    mt: Mt19937,
}

impl PyRandom {
    /// The state after `random.seed(seed)`: the key is the 32-bit words of the seed, least
    /// significant first (one word `0` for seed 0).
    pub fn seed(seed: u64) -> PyRandom {
        let (lo, hi) = (seed as u32, (seed >> 32) as u32);
        let key: &[u32] = if hi == 0 { &[lo] } else { &[lo, hi] };
        PyRandom {
            mt: Mt19937::from_key(key),
        }
    }

    /// `random()`: uniform in `[0, 1)`.
    pub fn random(&mut self) -> f64 {
        self.mt.next_f64()
    }

    /// `uniform(a, b)`: `a + (b - a) · random()`, as Python computes it.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }
}
