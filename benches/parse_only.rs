//! The floor for finops-lint's speed: the same files merely read and parsed by serde_json in one
//! process (a directory walk, `std::fs::read`, `serde_json::from_slice`), in parallel like
//! finops-lint. `bench/bench.py` runs it with `cargo bench --bench parse_only -- DIR...`.

use rayon::prelude::*;

fn main() {
    let dirs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let files: Vec<std::path::PathBuf> = dirs
        .iter()
        .flat_map(|d| walkdir::WalkDir::new(d).into_iter().filter_map(Result::ok))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.into_path())
        .collect();
    let started = std::time::Instant::now();
    let parsed: usize = files
        .par_iter()
        .filter(|p| {
            std::fs::read(p)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .is_some()
        })
        .count();
    println!(
        "{} files, {} parsed, {:.1} ms",
        files.len(),
        parsed,
        started.elapsed().as_secs_f64() * 1000.0
    );
}
