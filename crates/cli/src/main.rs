//! The `jixiao` command line.

fn main() {
    println!("jixiao {}", env!("CARGO_PKG_VERSION"));
}
