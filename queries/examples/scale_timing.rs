use std::time::Instant;
fn cpu() -> f64 { std::fs::read_to_string("/proc/thread-self/schedstat").unwrap().split_whitespace().next().unwrap().parse::<f64>().unwrap() / 1e9 }
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let t = Instant::now(); let c = cpu();
    let model = facts::account::load(&[dir.clone()]).unwrap();
    eprintln!("load {:?}", t.elapsed()); eprintln!("  cpu {:.3}s rss {} MB", cpu() - c, std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()*4/1024);
    let t = Instant::now(); let c = cpu();
    let sim = queries::simulate::AccountSimulator::from_model(model);
    eprintln!("tables {:?}", t.elapsed()); eprintln!("  cpu {:.3}s rss {} MB", cpu() - c, std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()*4/1024);
    let t = Instant::now(); let c = cpu();
    let specs = queries::simulate::read_requests(&dir.join("requests.jsonl")).unwrap();
    eprintln!("read requests {:?}", t.elapsed()); eprintln!("  cpu {:.3}s rss {} MB", cpu() - c, std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()*4/1024);
    let specs = &specs[..n.min(specs.len())];
    let t = Instant::now(); let c = cpu();
    let r = sim.simulate(specs, std::path::Path::new("x")).unwrap();
    eprintln!("simulate {} {:?}", r.len(), t.elapsed()); eprintln!("  cpu {:.3}s rss {} MB", cpu() - c, std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()*4/1024); eprintln!("  cpu {:.3}s rss {} MB", cpu() - c, std::fs::read_to_string("/proc/self/statm").unwrap().split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()*4/1024);
}
