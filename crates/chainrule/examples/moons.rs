//! micrograd's demo in Rust: a 2-16-16-1 MLP learns the two-moons data with max-margin loss,
//! L2 regularisation and 100 steps of SGD, and reaches 100% training accuracy.
//!
//! ```text
//! cargo run --release --example moons
//! ```
use chainrule::data::{moons, Rng};
use chainrule::nn::{loss, Activation::*, Mlp, Module, Optimizer, Schedule, Sgd};
use chainrule::{Graph, Var};

fn main() {
    // Seeded data and model: the same run on every machine.
    let mut rng = Rng::new(1337);
    let data = moons(100, 0.1, &mut rng);
    let y = data.signs(); // labels 0/1 as -1/+1
    let mut model = Mlp::new(2, &[(16, Relu), (16, Relu), (1, Linear)], &mut rng);
    println!("{} parameters", model.params().len());

    // lr = 1.0 - 0.9·k/100
    let mut sgd = Sgd::new(Schedule::Linear {
        start: 1.0,
        end: 0.1,
        steps: 100,
    });
    let mut g = Graph::new();
    for k in 0..100 {
        // One graph per step on a reused tape: the parameters become its first leaves.
        g.clear();
        let p = model.bind(&g);
        let x = g.leaves(&data.x).vars();

        // Forward: a score per sample, then the loss.
        let scores: Vec<Var> = x.chunks(2).map(|xi| model.forward(p, xi)[0]).collect();
        let data_loss = loss::max_margin(&scores, &y);
        let total = data_loss + loss::l2(&p.vars(), 1e-4);
        let values: Vec<f64> = scores.iter().map(|s| s.data()).collect();
        let accuracy = loss::accuracy_signs(&values, &y);

        // Backward, then the update.
        total.backward();
        let lr = sgd.lr();
        sgd.step(model.params_mut(), &p.grads());
        println!(
            "step {k} loss {:.6}, accuracy {:.0}%, lr {lr:.3}",
            total.data(),
            accuracy * 100.0
        );
    }

    // The trained model predicts without a graph.
    let right = (0..data.len())
        .filter(|&i| (model.predict(data.row(i))[0] > 0.0) == (y[i] > 0.0))
        .count();
    println!("trained: {right}/{} points on the right side", data.len());
}
