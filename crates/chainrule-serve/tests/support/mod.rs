//! What the serve crate's test files share.

/// One data point through micrograd's 2-16-16-1 relu MLP, written as a program.
pub fn mlp_program() -> String {
    let mut p = String::from("x0 = 0.5; x1 = -1.5\n");
    let mut ins: Vec<String> = vec!["x0".into(), "x1".into()];
    let mut w = 0usize;
    for (layer, width) in [16usize, 16, 1].iter().enumerate() {
        let mut outs = Vec::new();
        for j in 0..*width {
            let mut sum = format!("b{layer}_{j}");
            p += &format!("b{layer}_{j} = {}\n", (j as f64 * 0.37).sin() * 0.1);
            for x in &ins {
                p += &format!("w{w} = {}\n", ((w as f64) * 1.7).sin());
                sum += &format!(" + w{w}*{x}");
                w += 1;
            }
            let name = format!("h{layer}_{j}");
            if *width == 1 {
                p += &format!("{name} = {sum}\n");
            } else {
                p += &format!("{name} = relu({sum})\n");
            }
            outs.push(name);
        }
        ins = outs;
    }
    p += "L = relu(1 - h2_0)\n";
    p
}
