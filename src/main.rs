fn main() {
    // A bug must not print a stack trace: `run` turns a panic while checking a file into an
    // internal-error message naming the file, and exit code 2.
    std::panic::set_hook(Box::new(|_| {}));
    let code = finops_lint::run(std::env::args_os(), &mut finops_lint::Io::system());
    std::process::exit(code);
}
