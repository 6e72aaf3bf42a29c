//! Seeded toy datasets (moons, circles, blobs, spiral), a small random number generator,
//! and loading features and labels from CSV.
//!
//! Everything random takes a seed, so the same seed gives the same data on every machine.
//!
//! ```
//! use chainrule::data::{moons, Rng};
//! let d = moons(100, 0.1, &mut Rng::new(1337));
//! assert_eq!((d.len(), d.dim), (100, 2));
//! assert_eq!(d.class_counts(), vec![50, 50]);
//! assert_eq!(d.signs()[..].iter().filter(|&&s| s == 1.0).count(), 50);
//! ```

use std::f64::consts::PI;
use std::fmt;
use std::path::Path;

pub use super::mt19937::{Mt19937, NumpyRandomState, PyRandom};

/// A small, fast, seeded generator: xoshiro256** seeded through SplitMix64.
///
/// ```
/// use chainrule::data::Rng;
/// let (mut a, mut b) = (Rng::new(7), Rng::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// let u = a.uniform(-1.0, 1.0);
/// assert!((-1.0..1.0).contains(&u));
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut split_mix = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [split_mix(), split_mix(), split_mix(), split_mix()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Standard normal (mean 0, standard deviation 1), by the Box-Muller transform.
    ///
    /// ```
    /// let mut r = chainrule::data::Rng::new(1);
    /// let xs: Vec<f64> = (0..10_000).map(|_| r.normal()).collect();
    /// let mean = xs.iter().sum::<f64>() / 1e4;
    /// assert!(mean.abs() < 0.05);
    /// ```
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // in (0, 1]: ln is finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
    }

    /// Uniform in `0..n` (without modulo bias worth mentioning for n far below 2^64).
    ///
    /// # Panics
    /// When `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "chainrule: Rng::below(0) has no value to return");
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Samples with features and class labels.
///
/// Features are stored row by row in one vector: sample `i` is `x[i*dim..(i+1)*dim]`.
/// Labels are class ids `0..classes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Features, row-major.
    pub x: Vec<f64>,
    /// Features per sample.
    pub dim: usize,
    /// One class id per sample.
    pub y: Vec<usize>,
    /// How many classes (one more than the largest id).
    pub classes: usize,
}

impl Dataset {
    /// How many samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// The features of sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }

    /// Labels as ±1 for two-class losses: class 0 is −1, any other class +1
    /// (micrograd's `y*2 - 1`).
    ///
    /// ```
    /// let d = chainrule::data::Dataset { x: vec![0.0, 1.0], dim: 1, y: vec![0, 1], classes: 2 };
    /// assert_eq!(d.signs(), vec![-1.0, 1.0]);
    /// ```
    pub fn signs(&self) -> Vec<f64> {
        self.y
            .iter()
            .map(|&c| if c == 0 { -1.0 } else { 1.0 })
            .collect()
    }

    /// How many samples each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut n = vec![0; self.classes];
        for &c in &self.y {
            n[c] += 1;
        }
        n
    }

    /// Splits the samples into `(train, test)`, the last `round(n·test_fraction)` samples
    /// (clamped to 0..=n) making the test set. Both keep `classes`. The generators here
    /// shuffle already; shuffle a loaded CSV first if its rows are sorted.
    ///
    /// ```
    /// use chainrule::data::{moons, Rng};
    /// let (train, test) = moons(10, 0.1, &mut Rng::new(0)).split(0.3);
    /// assert_eq!((train.len(), test.len(), test.classes), (7, 3, 2));
    /// ```
    pub fn split(&self, test_fraction: f64) -> (Dataset, Dataset) {
        let n = self.len();
        let test = ((n as f64 * test_fraction).round().max(0.0) as usize).min(n);
        let cut = n - test;
        let part = |r: std::ops::Range<usize>| Dataset {
            x: self.x[r.start * self.dim..r.end * self.dim].to_vec(),
            dim: self.dim,
            y: self.y[r].to_vec(),
            classes: self.classes,
        };
        (part(0..cut), part(cut..n))
    }

    /// Reorders the samples at random (features and labels together).
    pub fn shuffle(&mut self, rng: &mut Rng) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        rng.shuffle(&mut order);
        *self = self.rows(&order);
    }

    /// The samples at `indices`, in that order (repeats allowed): a minibatch, say.
    ///
    /// # Panics
    /// When an index is out of range.
    ///
    /// ```
    /// use chainrule::data::{moons, Rng};
    /// let d = moons(4, 0.0, &mut Rng::new(0));
    /// let b = d.rows(&[3, 0]);
    /// assert_eq!((b.len(), b.y[0], b.row(1)), (2, d.y[3], d.row(0)));
    /// ```
    pub fn rows(&self, indices: &[usize]) -> Dataset {
        Dataset {
            x: indices.iter().flat_map(|&i| self.row(i).to_vec()).collect(),
            dim: self.dim,
            y: indices.iter().map(|&i| self.y[i]).collect(),
            classes: self.classes,
        }
    }

    fn from_points(points: Vec<([f64; 2], usize)>, classes: usize, rng: &mut Rng) -> Dataset {
        let mut d = Dataset {
            x: points.iter().flat_map(|(p, _)| *p).collect(),
            dim: 2,
            y: points.iter().map(|(_, c)| *c).collect(),
            classes,
        };
        d.shuffle(rng);
        d
    }
}

/// `n` evenly spaced numbers from `a` to `b` (both included when `endpoint`).
fn linspace(a: f64, b: f64, n: usize, endpoint: bool) -> impl Iterator<Item = f64> {
    let steps = if endpoint {
        n.saturating_sub(1).max(1)
    } else {
        n.max(1)
    };
    (0..n).map(move |i| a + (b - a) * i as f64 / steps as f64)
}

/// Two interleaving half circles, as scikit-learn's `make_moons`: `n / 2` samples on the
/// upper moon (class 0), the rest on the lower one (class 1), Gaussian noise of standard
/// deviation `noise` added to each coordinate, then shuffled.
///
/// ```
/// use chainrule::data::{moons, Rng};
/// let d = moons(7, 0.0, &mut Rng::new(0));
/// assert_eq!(d.class_counts(), vec![3, 4]);
/// // without noise every class-0 point lies on the unit circle
/// for i in (0..7).filter(|&i| d.y[i] == 0) {
///     let [x, y] = [d.row(i)[0], d.row(i)[1]];
///     assert!((x * x + y * y - 1.0).abs() < 1e-12);
/// }
/// ```
pub fn moons(n: usize, noise: f64, rng: &mut Rng) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let mut pts: Vec<([f64; 2], usize)> = linspace(0.0, PI, n_out, true)
        .map(|t| ([t.cos(), t.sin()], 0))
        .collect();
    pts.extend(linspace(0.0, PI, n_in, true).map(|t| ([1.0 - t.cos(), 0.5 - t.sin()], 1)));
    add_noise(&mut pts, noise, rng);
    Dataset::from_points(pts, 2, rng)
}

/// scikit-learn's `make_moons(n, noise=noise)` after `np.random.seed(seed)`, bit for bit:
/// the same points in the same order as micrograd's demo gets them (`seed` 1337, `n` 100,
/// `noise` 0.1). It is [`moons`] made the way scikit-learn makes it: NumPy's `linspace`,
/// `1 - sin(t) - 0.5` for the lower moon, the shuffle of NumPy's legacy generator
/// ([`NumpyRandomState`]) and then its Gaussian noise, point by point, x before y.
///
/// ```
/// use chainrule::data::sklearn_moons;
/// let d = sklearn_moons(100, 0.1, 1337);
/// // numpy 2.4.6, scikit-learn 1.9.1: np.random.seed(1337); X, y = make_moons(100, noise=0.1)
/// assert_eq!((d.row(0), d.y[0]), (&[1.1221146075409685, 0.08147717341718697][..], 0));
/// assert_eq!(d.class_counts(), vec![50, 50]);
/// ```
pub fn sklearn_moons(n: usize, noise: f64, seed: u32) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = numpy_linspace(0.0, PI, n_out).map(|t| [t.cos(), t.sin()]);
    let inner = numpy_linspace(0.0, PI, n_in).map(|t| [1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
    let points: Vec<[f64; 2]> = outer.chain(inner).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rs = NumpyRandomState::seed(seed);
    rs.shuffle(&mut order);
    let mut x = Vec::with_capacity(2 * n);
    for &i in &order {
        for coordinate in points[i] {
            // X += generator.normal(scale=noise, size=X.shape), row by row.
            x.push(coordinate + rs.normal(0.0, noise));
        }
    }
    Dataset {
        x,
        dim: 2,
        y: order.iter().map(|&i| usize::from(i >= n_out)).collect(),
        classes: 2,
    }
}

/// NumPy's `linspace(a, b, n)`: `a + i·((b - a)/(n - 1))`, the last one exactly `b`.
fn numpy_linspace(a: f64, b: f64, n: usize) -> impl Iterator<Item = f64> {
    let step = (b - a) / n.saturating_sub(1).max(1) as f64;
    (0..n).map(move |i| {
        if i + 1 == n && n > 1 {
            b
        } else {
            i as f64 * step + a
        }
    })
}

/// Two concentric circles, as scikit-learn's `make_circles`: `n / 2` samples on the outer
/// unit circle (class 0), the rest on an inner circle of radius `factor` (class 1), plus
/// Gaussian noise, shuffled.
///
/// ```
/// use chainrule::data::{circles, Rng};
/// let d = circles(10, 0.0, 0.5, &mut Rng::new(0));
/// for i in 0..10 {
///     let r = d.row(i)[0].hypot(d.row(i)[1]);
///     assert!((r - if d.y[i] == 0 { 1.0 } else { 0.5 }).abs() < 1e-12);
/// }
/// ```
pub fn circles(n: usize, noise: f64, factor: f64, rng: &mut Rng) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let mut pts: Vec<([f64; 2], usize)> = linspace(0.0, 2.0 * PI, n_out, false)
        .map(|t| ([t.cos(), t.sin()], 0))
        .collect();
    pts.extend(
        linspace(0.0, 2.0 * PI, n_in, false).map(|t| ([factor * t.cos(), factor * t.sin()], 1)),
    );
    add_noise(&mut pts, noise, rng);
    Dataset::from_points(pts, 2, rng)
}

/// Gaussian blobs, as scikit-learn's `make_blobs` in 2-D: `classes` centres drawn uniformly
/// in the box [−10, 10]², samples split as evenly as possible between them (the first
/// `n % classes` get one more), each with standard deviation `std`, shuffled.
///
/// # Panics
/// When `classes` is 0.
///
/// ```
/// use chainrule::data::{blobs, Rng};
/// let d = blobs(10, 3, 1.0, &mut Rng::new(5));
/// assert_eq!(d.class_counts(), vec![4, 3, 3]);
/// ```
pub fn blobs(n: usize, classes: usize, std: f64, rng: &mut Rng) -> Dataset {
    assert!(classes > 0, "chainrule: blobs needs at least one class");
    let centres: Vec<[f64; 2]> = (0..classes)
        .map(|_| [rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0)])
        .collect();
    let mut pts = Vec::with_capacity(n);
    for (c, centre) in centres.iter().enumerate() {
        let count = n / classes + usize::from(c < n % classes);
        pts.extend(std::iter::repeat_n((*centre, c), count));
    }
    add_noise(&mut pts, std, rng);
    Dataset::from_points(pts, classes, rng)
}

/// Interleaved spiral arms, one per class, as in Karpathy's cs231n notes: radius from 0 to
/// 1 along each arm, angle `4·c` to `4·(c+1)` plus Gaussian noise of `noise` radians
/// (cs231n uses 0.2). Samples split between the classes as in [`blobs`]; shuffled.
///
/// # Panics
/// When `classes` is 0.
///
/// ```
/// use chainrule::data::{spiral, Rng};
/// let d = spiral(300, 3, 0.2, &mut Rng::new(0));
/// assert_eq!(d.class_counts(), vec![100, 100, 100]);
/// assert!(d.x.iter().all(|v| v.abs() <= 1.0));
/// ```
pub fn spiral(n: usize, classes: usize, noise: f64, rng: &mut Rng) -> Dataset {
    assert!(classes > 0, "chainrule: spiral needs at least one class");
    let mut pts = Vec::with_capacity(n);
    for c in 0..classes {
        let count = n / classes + usize::from(c < n % classes);
        let start = 4.0 * c as f64;
        for (r, t) in linspace(0.0, 1.0, count, true).zip(linspace(start, start + 4.0, count, true))
        {
            let t = t + noise * rng.normal();
            pts.push(([r * t.sin(), r * t.cos()], c));
        }
    }
    Dataset::from_points(pts, classes, rng)
}

/// A generated dataset, as the training spec ([`crate::nn::spec`]) names it: its name, a
/// line saying what it is, its default noise, its classes and how it is made. Every
/// generated dataset is one entry of [`DATASETS`]; the command line, the live page, the
/// WebAssembly engine and the Python package all read that table.
#[derive(Debug)]
pub struct DatasetKind {
    /// The name (`moons`).
    pub name: &'static str,
    /// What it is, in a few words.
    pub help: &'static str,
    /// The noise used when none is given (a standard deviation).
    pub noise: f64,
    /// `Some(k)`: the dataset always has `k` classes; `None`: the spec's `classes` says.
    pub classes: Option<usize>,
    /// Whether it is micrograd's demo exactly: the data made as NumPy and scikit-learn
    /// make it and the initial weights as micrograd's `MLP` draws them
    /// ([`Mlp::micrograd`](crate::nn::Mlp::micrograd)), both from the seed, which must
    /// then fit NumPy's 32 bits. Otherwise the data and the weights come from one
    /// [`Rng`], in that order.
    pub micrograd: bool,
    /// Makes `samples` samples of `classes` classes with noise `noise`, from `rng` or,
    /// for micrograd's data, from `seed` (`classes` is at least 1).
    pub make: fn(samples: usize, classes: usize, noise: f64, seed: u64, rng: &mut Rng) -> Dataset,
}

/// Every generated dataset, the default (micrograd's moons) first.
///
/// ```
/// use chainrule::data::{dataset_kind, moons, Rng, DATASETS};
/// assert_eq!(DATASETS[0].name, "moons");
/// let spiral = dataset_kind("spiral").unwrap();
/// assert_eq!((spiral.noise, spiral.classes), (0.2, None));
/// let d = (DATASETS[0].make)(10, 2, 0.1, 3, &mut Rng::new(3));
/// assert_eq!(d, moons(10, 0.1, &mut Rng::new(3)));
/// ```
pub const DATASETS: &[DatasetKind] = &[
    DatasetKind {
        name: "moons",
        help: "two interleaving half circles",
        noise: 0.1,
        classes: Some(2),
        micrograd: false,
        make: |n, _, noise, _, rng| moons(n, noise, rng),
    },
    DatasetKind {
        name: "sklearn-moons",
        help: "micrograd's demo exactly: scikit-learn's moons and micrograd's initial weights",
        noise: 0.1,
        classes: Some(2),
        micrograd: true,
        make: |n, _, noise, seed, _| {
            let seed = u32::try_from(seed).expect("the training spec checks the seed fits 32 bits");
            sklearn_moons(n, noise, seed)
        },
    },
    DatasetKind {
        name: "circles",
        help: "two concentric circles",
        noise: 0.1,
        classes: Some(2),
        micrograd: false,
        make: |n, _, noise, _, rng| circles(n, noise, 0.5, rng),
    },
    DatasetKind {
        name: "blobs",
        help: "Gaussian blobs, one per class",
        noise: 1.0,
        classes: None,
        micrograd: false,
        make: |n, k, noise, _, rng| blobs(n, k, noise, rng),
    },
    DatasetKind {
        name: "spiral",
        help: "spiral arms, one per class",
        noise: 0.2,
        classes: None,
        micrograd: false,
        make: |n, k, noise, _, rng| spiral(n, k, noise, rng),
    },
];

/// The generated dataset called `name`, if there is one.
pub fn dataset_kind(name: &str) -> Option<&'static DatasetKind> {
    DATASETS.iter().find(|d| d.name == name)
}

fn add_noise(pts: &mut [([f64; 2], usize)], std: f64, rng: &mut Rng) {
    if std != 0.0 {
        for (p, _) in pts {
            p[0] += std * rng.normal();
            p[1] += std * rng.normal();
        }
    }
}

/// What is wrong with a CSV file, and where.
#[derive(Debug)]
pub enum CsvError {
    /// The file could not be read.
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// A field or line is wrong: 1-based line and column (column = field number).
    Parse {
        /// 1-based line.
        line: usize,
        /// 1-based field number, 0 when the whole line or file is at fault.
        column: usize,
        /// What is wrong and what to do.
        message: String,
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::Io { path, error } => {
                write!(f, "cannot read the CSV file {}: {error}", path.display())
            }
            CsvError::Parse {
                line,
                column: 0,
                message,
            } => write!(f, "line {line}: {message}"),
            CsvError::Parse {
                line,
                column,
                message,
            } => {
                write!(f, "line {line}, column {column}: {message}")
            }
        }
    }
}

impl std::error::Error for CsvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CsvError::Io { error, .. } => Some(error),
            CsvError::Parse { .. } => None,
        }
    }
}

fn parse_err(line: usize, column: usize, message: String) -> CsvError {
    CsvError::Parse {
        line,
        column,
        message,
    }
}

/// Reads a CSV text of samples: on each line the features, then the class label
/// (an integer 0, 1, 2, …) in the last column. Fields are separated by commas; spaces
/// around them and blank lines are ignored. The first line is a header (and skipped) when
/// any of its fields is not a number.
///
/// ```
/// use chainrule::data::parse_csv;
/// let d = parse_csv("x,y,label\n0.5, 1.0, 1\n-2, 3e-1, 0\n").unwrap();
/// assert_eq!((d.x, d.y, d.dim, d.classes), (vec![0.5, 1.0, -2.0, 0.3], vec![1, 0], 2, 2));
///
/// let e = parse_csv("1,2,0\n1,oops,1\n").unwrap_err();
/// assert_eq!(e.to_string(), "line 2, column 2: \"oops\" is not a number");
/// ```
pub fn parse_csv(text: &str) -> Result<Dataset, CsvError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    if let Some((_, first)) = lines.peek() {
        if first.split(',').any(|f| f.trim().parse::<f64>().is_err()) {
            lines.next();
        }
    }
    let (mut x, mut y, mut width) = (Vec::new(), Vec::new(), None);
    for (no, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let want = *width.get_or_insert(fields.len());
        if want < 2 {
            return Err(parse_err(
                no,
                0,
                "expected at least one feature and a label, separated by commas".into(),
            ));
        }
        if fields.len() != want {
            return Err(parse_err(
                no,
                0,
                format!(
                    "expected {want} fields like the lines before, found {}",
                    fields.len()
                ),
            ));
        }
        for (col, f) in fields[..want - 1].iter().enumerate() {
            match f.parse::<f64>() {
                Ok(v) if v.is_finite() => x.push(v),
                Ok(_) => {
                    return Err(parse_err(
                        no,
                        col + 1,
                        format!("{f:?} is not a finite number"),
                    ))
                }
                Err(_) => return Err(parse_err(no, col + 1, format!("{f:?} is not a number"))),
            }
        }
        y.push(parse_label(fields[want - 1]).map_err(|m| parse_err(no, want, m))?);
    }
    let Some(width) = width else {
        return Err(parse_err(
            1,
            0,
            "no samples: the file has no data lines".into(),
        ));
    };
    let classes = y.iter().max().map_or(0, |&m| m + 1);
    Ok(Dataset {
        x,
        dim: width - 1,
        y,
        classes,
    })
}

fn parse_label(f: &str) -> Result<usize, String> {
    let v: f64 = f.parse().map_err(|_| {
        format!("label {f:?} is not a number; the last column must be a class id 0, 1, 2, …")
    })?;
    if v >= 0.0 && v.fract() == 0.0 && v < 1e6 {
        Ok(v as usize)
    } else {
        Err(format!("label {f:?} is not a class id 0, 1, 2, …; relabel the classes as 0, 1, 2, … (for ±1 labels, write -1 as 0)"))
    }
}

/// Reads a CSV file of samples; see [`parse_csv`] for the format.
///
/// ```
/// let e = chainrule::data::load_csv("/no/such/file.csv").unwrap_err();
/// assert!(e.to_string().starts_with("cannot read the CSV file"));
/// ```
pub fn load_csv(path: impl AsRef<Path>) -> Result<Dataset, CsvError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|error| CsvError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse_csv(&text)
}
