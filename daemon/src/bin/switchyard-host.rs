//! `switchyard-host`: the native-messaging host the browser starts for each connection.
//! It relays to the daemon (starting it when needed); see `switchyard_daemon::transport::host`.

use std::process::ExitCode;

use switchyard_daemon::system::paths::Paths;
use switchyard_daemon::transport::client::{Autostart, Client};
use switchyard_daemon::transport::host::{self, Ending};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // For `switchyard doctor` and people; a browser always passes its caller instead.
    if args.len() == 1 && args[0] == "--version" {
        println!("switchyard-host {}", switchyard_shared::APP_VERSION);
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("switchyard-host: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut client = Client::new(Paths::from_env(), Autostart::beside_current_exe());
    let ending = host::run(
        &args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        |message| runtime.block_on(host::forward(&mut client, message)),
    );
    match ending {
        Ending::Closed => ExitCode::SUCCESS,
        Ending::Truncated | Ending::CallerRefused | Ending::IoFailed => ExitCode::FAILURE,
    }
}
