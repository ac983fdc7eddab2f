//! `cargo run --release --example bench_fixtures -- DIR`: write the benchmark trust store
//! (`DIR/roots.pem`: the system bundle plus the benchmark roots) and the RSA-2048 benchmark
//! chain (`DIR/chain.pem`: leaf, intermediate) for the peak-memory runs of `benches/report.sh`.

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: bench_fixtures DIR");
        std::process::exit(2);
    };
    let chains = common::generated();
    let dir = std::path::Path::new(&dir);
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
    };
    write("roots.pem", &common::store_pem(&chains));
    let Some(rsa) = chains.first() else {
        std::process::exit(1);
    };
    let chain: String = rsa.presented().iter().map(|d| common::pem(d)).collect();
    write("chain.pem", chain.as_bytes());
    println!("{} {}", common::TIME, common::HOST);
}
