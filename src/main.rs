// mimalloc (version 2): the checking threads allocate and the printing thread frees, which
// glibc's allocator serialises on its arenas' locks (a tree of 100,000 files took 3 times as
// long); peak memory stays within the limits the benchmark checks. Built without transparent
// huge pages (`no_thp`): zeroing a fresh 2 MiB page on first touch cost a one-file run a third
// of a millisecond and the corpus several.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A bug must not print a stack trace: `run` turns a panic while checking a file into an
    // internal-error message naming the file, and exit code 2.
    std::panic::set_hook(Box::new(|_| {}));
    let code = finops_lint::run(std::env::args_os(), &mut finops_lint::Io::system());
    std::process::exit(code);
}
