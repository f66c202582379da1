fn main() {
    let code = finops_lint::run(std::env::args_os(), &mut finops_lint::Io::system());
    std::process::exit(code);
}
