//! `failscope`: the headless runner (filled in with the engine).

fn main() {
    println!("failscope {}", env!("CARGO_PKG_VERSION"));
}
