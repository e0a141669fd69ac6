//! `switchyard`: the daemon and the command line in one binary. Everything is in
//! [`cli`]; the daemon itself is the library's.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
