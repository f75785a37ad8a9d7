use std::time::Instant;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let t = Instant::now();
    let model = facts::account::load(&[dir.clone()]).unwrap();
    eprintln!("load {:?}", t.elapsed());
    let t = Instant::now();
    let sim = queries::simulate::AccountSimulator::from_model(model);
    eprintln!("tables {:?}", t.elapsed());
    let t = Instant::now();
    let specs = queries::simulate::read_requests(&dir.join("requests.jsonl")).unwrap();
    eprintln!("read requests {:?}", t.elapsed());
    let specs = &specs[..n.min(specs.len())];
    let t = Instant::now();
    let r = sim.simulate(specs, std::path::Path::new("x")).unwrap();
    eprintln!("simulate {} {:?}", r.len(), t.elapsed());
}
