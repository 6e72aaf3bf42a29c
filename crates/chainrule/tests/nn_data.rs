//! Datasets: shapes, label balance, determinism per seed, geometry without noise; the RNG's
//! distributions; CSV parsing and its errors.
use chainrule::data::{blobs, circles, load_csv, moons, parse_csv, spiral, CsvError, Dataset, Rng};

fn all(seed: u64) -> Vec<Dataset> {
    vec![
        moons(101, 0.1, &mut Rng::new(seed)),
        circles(101, 0.05, 0.5, &mut Rng::new(seed)),
        blobs(101, 4, 1.0, &mut Rng::new(seed)),
        spiral(101, 3, 0.2, &mut Rng::new(seed)),
    ]
}

#[test]
fn shapes_and_balance() {
    let expected_counts = [
        vec![50, 51],
        vec![50, 51],
        vec![26, 25, 25, 25],
        vec![34, 34, 33],
    ];
    for (d, counts) in all(1).iter().zip(expected_counts) {
        assert_eq!((d.len(), d.dim, d.x.len()), (101, 2, 202));
        assert_eq!(d.classes, counts.len());
        assert_eq!(d.class_counts(), counts);
        assert!(d.x.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    assert_eq!(all(7), all(7));
    for (a, b) in all(7).iter().zip(all(8)) {
        assert_ne!(a.x, b.x);
    }
}

#[test]
fn samples_are_shuffled() {
    let d = moons(100, 0.1, &mut Rng::new(3));
    let first_half_zeros = d.y[..50].iter().filter(|&&c| c == 0).count();
    assert!((10..40).contains(&first_half_zeros), "{first_half_zeros}");
}

#[test]
fn moons_without_noise_lie_on_their_arcs() {
    let d = moons(50, 0.0, &mut Rng::new(0));
    for i in 0..d.len() {
        let [x, y] = [d.row(i)[0], d.row(i)[1]];
        let (cx, cy, lower) = if d.y[i] == 0 {
            (0.0, 0.0, false)
        } else {
            (1.0, 0.5, true)
        };
        assert!(((x - cx).hypot(y - cy) - 1.0).abs() < 1e-12);
        assert!(if lower { y <= 0.5 + 1e-12 } else { y >= -1e-12 });
    }
}

#[test]
fn noise_has_the_requested_spread() {
    // moons' class-0 points: distance from the unit circle ≈ the radial noise, σ = 0.1
    let d = moons(20_000, 0.1, &mut Rng::new(5));
    let r: Vec<f64> = (0..d.len())
        .filter(|&i| d.y[i] == 0)
        .map(|i| d.row(i)[0].hypot(d.row(i)[1]) - 1.0)
        .collect();
    let sd = (r.iter().map(|e| e * e).sum::<f64>() / r.len() as f64).sqrt();
    assert!((sd - 0.1).abs() < 0.01, "{sd}");
}

#[test]
fn blobs_cluster_around_their_centres() {
    let d = blobs(3000, 3, 0.5, &mut Rng::new(9));
    for c in 0..3 {
        let pts: Vec<&[f64]> = (0..d.len())
            .filter(|&i| d.y[i] == c)
            .map(|i| d.row(i))
            .collect();
        let mx = pts.iter().map(|p| p[0]).sum::<f64>() / pts.len() as f64;
        let var = pts.iter().map(|p| (p[0] - mx).powi(2)).sum::<f64>() / pts.len() as f64;
        assert!(
            (var.sqrt() - 0.5).abs() < 0.05,
            "class {c}: sd {}",
            var.sqrt()
        );
        assert!(mx.abs() <= 10.5);
    }
}

#[test]
fn spiral_arms_reach_radius_one() {
    let d = spiral(300, 3, 0.0, &mut Rng::new(0));
    let r = |i: usize| d.row(i)[0].hypot(d.row(i)[1]);
    let max = (0..d.len()).map(r).fold(0.0, f64::max);
    assert!((max - 1.0).abs() < 1e-12);
}

#[test]
fn rng_distributions() {
    let mut rng = Rng::new(11);
    let n = 200_000;
    let u: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
    assert!((u.iter().sum::<f64>() / n as f64 - 0.5).abs() < 0.005);
    let z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let mean = z.iter().sum::<f64>() / n as f64;
    let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    assert!(
        mean.abs() < 0.01 && (var - 1.0).abs() < 0.02,
        "{mean} {var}"
    );
    let mut counts = [0usize; 7];
    for _ in 0..70_000 {
        counts[rng.below(7)] += 1;
    }
    assert!(
        counts.iter().all(|&c| (9_500..10_500).contains(&c)),
        "{counts:?}"
    );
    let mut v: Vec<usize> = (0..100).collect();
    rng.shuffle(&mut v);
    assert_ne!(v, (0..100).collect::<Vec<_>>());
    v.sort();
    assert_eq!(v, (0..100).collect::<Vec<_>>());
}

#[test]
fn csv_with_and_without_header() {
    let with = parse_csv("a, b, class\n1.5, -2, 0\n\n3, 4e-1, 2\n").unwrap();
    let without = parse_csv("1.5,-2,0\n3,0.4,2").unwrap();
    assert_eq!(with, without);
    assert_eq!(with.x, vec![1.5, -2.0, 3.0, 0.4]);
    assert_eq!((with.y.clone(), with.classes, with.dim), (vec![0, 2], 3, 2));
    assert_eq!(with.class_counts(), vec![1, 0, 1]);
}

fn csv_err(text: &str) -> String {
    parse_csv(text).unwrap_err().to_string()
}

#[test]
fn csv_errors_name_the_line_and_column() {
    assert_eq!(
        csv_err("x,y,c\n1,2,0\n1,2\n"),
        "line 3: expected 3 fields like the lines before, found 2"
    );
    assert_eq!(
        csv_err("1,2,0\n1,2,0\n1,x2,1\n"),
        "line 3, column 2: \"x2\" is not a number"
    );
    assert_eq!(
        csv_err("1,inf,0\n"),
        "line 1, column 2: \"inf\" is not a finite number"
    );
    assert!(
        csv_err("1,2,0\n1,2,-1\n").starts_with("line 2, column 3: label \"-1\" is not a class id")
    );
    assert!(csv_err("1,2,0.5\n").starts_with("line 1, column 3: label \"0.5\" is not a class id"));
    assert!(
        csv_err("1,2,0\n1,2,cat\n").starts_with("line 2, column 3: label \"cat\" is not a number")
    );
    assert_eq!(
        csv_err("a,b,c\n"),
        "line 1: no samples: the file has no data lines"
    );
    assert_eq!(
        csv_err(""),
        "line 1: no samples: the file has no data lines"
    );
    assert_eq!(
        csv_err("5\n"),
        "line 1: expected at least one feature and a label, separated by commas"
    );
}

#[test]
fn csv_file_round_trip() {
    let path = std::env::temp_dir().join(format!("chainrule-nn-data-{}.csv", std::process::id()));
    chainrule::write_atomic(&path, b"x,y,label\n0.25,0.5,1\n-1,1,0\n").unwrap();
    let d = load_csv(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(d.signs(), vec![1.0, -1.0]);
    let err = load_csv(&path).unwrap_err();
    assert!(matches!(err, CsvError::Io { .. }));
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn split_keeps_every_sample_once() {
    let d = blobs(50, 3, 1.0, &mut Rng::new(2));
    let (train, test) = d.split(0.2);
    assert_eq!((train.len(), test.len()), (40, 10));
    assert_eq!([train.x.clone(), test.x.clone()].concat(), d.x);
    assert_eq!([train.y.clone(), test.y.clone()].concat(), d.y);
    assert_eq!(d.split(0.0).1.len(), 0);
    assert_eq!(d.split(1.5).0.len(), 0);
}
