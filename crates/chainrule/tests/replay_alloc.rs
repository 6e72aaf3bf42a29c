//! Replay does not allocate: after the first backward, `set_data` + `forward` + `backward`
//! run without a single heap allocation (counted by a global allocator in this test binary).

use chainrule::Graph;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn replay_allocates_nothing() {
    let g = Graph::new();
    let xs = g.leaves(&[0.1, 0.2, 0.3]);
    let w = [g.leaf(0.5), g.leaf(-0.25), g.leaf(2.0)];
    let s = g.dot(&xs.vars(), &w);
    let l = (s.tanh() * 3.0 + s.exp()).powf(2.0) / (w[0] - 4.0);
    l.backward();
    let before = ALLOCS.load(Ordering::SeqCst);
    let mut total = 0.0;
    for k in 0..100 {
        let v = k as f64 / 100.0;
        xs.get(0).set_data(v);
        g.forward();
        l.backward();
        total += w[0].grad();
    }
    let after = ALLOCS.load(Ordering::SeqCst);
    assert_eq!(
        after - before,
        0,
        "replay allocated {} times",
        after - before
    );
    assert!(total.is_finite());
}
