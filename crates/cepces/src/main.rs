//! `cepces`: a command-line tool for the Microsoft certificate enrollment
//! web services, MS-XCEP (CEP, enrollment policy) and MS-WSTEP (CES,
//! enrollment), over SOAP 1.2.
//!
//! Subcommands:
//!
//! - `cepces inspect [--json] [--accept-soap11] [--require-envelope] FILE`
//!   reads a message (a whole SOAP envelope, or a bare payload element as
//!   logs often hold it; `FILE` may be `-` for standard input) and prints
//!   what it holds: kind, SOAP version, WS-Addressing and WS-Security
//!   headers, unknown header blocks, and the payload tree or the fault.
//!   A payload with a typed model (the MS-XCEP GetPolicies request and
//!   GetPoliciesResponse) is also shown as the model reads it: templates,
//!   CAs and OIDs, with flags by their Windows names.
//!
//! - `cepces serve`: a CEP and a CES endpoint over HTTPS for a CA kept in
//!   a state directory ([`serve`]); `cepces approve ID`, `cepces deny ID`
//!   and `cepces list` decide and show its requests, `cepces revoke
//!   SERIAL` and `cepces unrevoke SERIAL` revoke its certificates.
//! - `cepces enroll` and `cepces renew`: a client for the whole flow
//!   against any CEP/CES server, AD CS included ([`client`]).
//! - `cepces demo`: `serve` and `enroll` on loopback, end to end
//!   ([`demo`]).
//! - `cepces hash-password`: an argon2 hash for `[[user]]` entries.
//!
//! Exit status of `inspect`: 0 success; 1 the input could not be read (I/O); 2 the
//! input is not a message the workspace understands (the typed error is
//! printed to standard error, and also as JSON to standard output with
//! `--json`), or it is, but its payload's typed model refuses it (the
//! report is printed as usual, with the typed error in it, and the error
//! also goes to standard error); 64 bad command line; 70 internal error (a
//! bug: a panic was caught).
//!
//! `enroll` and `renew` exit 0 when issued, 3 when pending, 4 when
//! denied, 5 when the enrollment failed.
#![forbid(unsafe_code)]

mod certmonger;
mod client;
mod csr;
mod demo;
mod helper_config;
mod load;
#[cfg(feature = "kerberos")]
mod negotiate;
mod serve;

use cepces_server::pki;

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use soap_envelope::{Limits, ReadOptions};

/// The exit codes of `cepces`.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The input could not be read or the output not written (I/O).
    pub const IO: u8 = 1;
    /// The input is not a message the workspace understands.
    pub const BAD_INPUT: u8 = 2;
    /// The command line is wrong (`EX_USAGE`).
    pub const USAGE: u8 = 64;
    /// An internal error: a panic was caught (`EX_SOFTWARE`).
    pub const INTERNAL: u8 = 70;
}

/// Command-line tool for Microsoft certificate enrollment web services
/// (MS-XCEP / MS-WSTEP, SOAP 1.2).
#[derive(Debug, Parser)]
#[command(name = "cepces", version, about, long_about = None)]
#[command(after_help = "Exit status: 0 ok, 1 I/O error, 2 invalid message, \
                        64 usage error, 70 internal error.")]
struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Read a SOAP envelope or a bare payload element and print what it
    /// holds.
    Inspect(InspectArgs),
    /// Serve a CEP and a CES endpoint over HTTPS for a CA in a directory.
    Serve(serve::ServeArgs),
    /// Enroll for a certificate: GetPolicies, key, request, certificate.
    Enroll(client::EnrollArgs),
    /// Renew a certificate, signing the request with its key.
    Renew(client::RenewArgs),
    /// Issue a pending request of `serve`'s CA.
    Approve {
        /// Where the CA is.
        #[command(flatten)]
        admin: serve::AdminArgs,
        /// The request ID.
        id: i64,
    },
    /// Deny a pending request of `serve`'s CA.
    Deny {
        /// Where the CA is.
        #[command(flatten)]
        admin: serve::AdminArgs,
        /// The request ID.
        id: i64,
        /// The message the client gets.
        #[arg(long, default_value = "Denied by the CA administrator.")]
        message: String,
    },
    /// List the requests of `serve`'s CA.
    List(serve::AdminArgs),
    /// Revoke a certificate of `serve`'s CA (by serial, as `list` shows
    /// it) and sign the CRL that lists it.
    Revoke {
        /// Where the CA is.
        #[command(flatten)]
        admin: serve::AdminArgs,
        /// The certificate's serial number (hex).
        serial: String,
        /// Why (RFC 5280): certificate-hold can be undone with
        /// `unrevoke`, the others cannot.
        #[arg(long, value_enum, default_value = "unspecified")]
        reason: serve::Reason,
    },
    /// Take a certificate on hold (`revoke --reason certificate-hold`)
    /// off the CRL.
    Unrevoke {
        /// Where the CA is.
        #[command(flatten)]
        admin: serve::AdminArgs,
        /// The certificate's serial number (hex).
        serial: String,
    },
    /// Load a fresh `cepces serve` on loopback with concurrent clients
    /// (bounded, self-stopping) and print requests/s, latency and the
    /// server's CPU time per request.
    Load(load::LoadArgs),
    /// Run `serve` and `enroll` on loopback: issued, pending then
    /// approved, denied, renewed.
    Demo(demo::DemoArgs),
    /// Print an argon2 hash of a password (read from standard input) for
    /// a `[[user]]` entry.
    HashPassword,
    /// certmonger's CA helper: runs the operation in
    /// CERTMONGER_OPERATION (SUBMIT, POLL, FETCH-ROOTS, ...) against a
    /// CEP/CES server.
    Certmonger(certmonger::CertmongerArgs),
    /// Manage the UsernameToken accounts of `serve`'s configuration.
    #[command(subcommand)]
    User(UserCommand),
}

/// `cepces user ...`.
#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account: a random password is printed once (or one is
    /// read with --password-stdin); only its hash is written.
    Add(serve::users::UserAddArgs),
}

/// Arguments of `cepces inspect`.
#[derive(Debug, Args)]
struct InspectArgs {
    /// Print JSON instead of text. The JSON depends on the message's values
    /// only, not on prefixes, comments, CDATA, character references or
    /// whitespace between elements.
    #[arg(long)]
    json: bool,
    /// Read a SOAP 1.1 envelope instead of reporting a version mismatch.
    #[arg(long)]
    accept_soap11: bool,
    /// Require a whole SOAP envelope: a bare element is a `not-an-envelope`
    /// error instead of being shown as a payload.
    #[arg(long)]
    require_envelope: bool,
    /// The message file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn main() -> ExitCode {
    // Last resort: a panic is a bug. Report it briefly and exit 70 rather
    // than with Rust's default 101.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("cepces: internal error (this is a bug, please report it): {info}");
    }));
    let code = std::panic::catch_unwind(|| run(std::env::args_os())).unwrap_or(exit::INTERNAL);
    ExitCode::from(code)
}

/// Parses the command line and runs the subcommand; returns the exit code.
fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` also arrive here, on stdout.
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    match cli.command {
        Command::Inspect(args) => inspect_command(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Enroll(args) => client::run_enroll(&args),
        Command::Renew(args) => client::run_renew(&args),
        Command::Approve { admin, id } => serve::approve(&admin, id),
        Command::Deny { admin, id, message } => serve::deny(&admin, id, &message),
        Command::List(admin) => serve::list(&admin),
        Command::Revoke {
            admin,
            serial,
            reason,
        } => serve::revoke(&admin, &serial, reason),
        Command::Unrevoke { admin, serial } => serve::unrevoke(&admin, &serial),
        Command::Demo(args) => {
            init_logging();
            demo::run(&args)
        }
        Command::Load(args) => {
            init_logging();
            load::run(&args)
        }
        Command::HashPassword => hash_password(),
        Command::User(UserCommand::Add(args)) => serve::users::add(&args),
        Command::Certmonger(args) => certmonger::run(&args),
    }
}

/// Runs this command again with the environment variables `vars` set,
/// unless they already have those values (then returns `Ok`). For
/// libraries that read their configuration from the environment only
/// (GSS-API's keytabs): setting a variable in a running process is
/// `unsafe`, replacing the process before it starts a thread is not.
pub fn reexec_with_env(vars: &[(&str, String)]) -> Result<(), String> {
    if vars
        .iter()
        .all(|(k, v)| std::env::var_os(k).is_some_and(|have| have == v.as_str()))
    {
        return Ok(());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find cepces itself: {e}"))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(std::env::args_os().skip(1));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let err = std::os::unix::process::CommandExt::exec(&mut cmd);
    Err(format!("cannot run cepces again: {err}"))
}

/// Sends `tracing` output to standard error; `RUST_LOG` overrides the
/// default level (`info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

/// A multi-threaded tokio runtime, or the I/O exit code.
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("cepces: cannot start the runtime: {e}");
            exit::IO
        })
}

/// `cepces hash-password`.
fn hash_password() -> u8 {
    let mut line = String::new();
    if let Err(e) = io::stdin().read_line(&mut line) {
        eprintln!("cepces: cannot read the password: {e}");
        return exit::IO;
    }
    let password = line.trim_end_matches(['\r', '\n']);
    match serve::users::hash_password(password) {
        Ok(hash) => write_stdout(&format!("{hash}\n")),
        Err(e) => {
            eprintln!("cepces: {e}");
            exit::INTERNAL
        }
    }
}

/// `cepces inspect`.
fn inspect_command(args: &InspectArgs) -> u8 {
    let limits = Limits::default();
    let input = match read_input(&args.file, limits.max_document_len) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cepces: cannot read {}: {e}", args.file.display());
            return exit::IO;
        }
    };
    let options = ReadOptions::with_limits(limits).accept_soap11(args.accept_soap11);
    let accept = if args.require_envelope {
        cepces::Accept::EnvelopeOnly
    } else {
        cepces::Accept::Any
    };
    // The report goes out as it is made: the JSON of a large policy is
    // many times its size.
    let mut out = StdoutSink::new();
    let verdict = cepces::inspect_to(&input, &options, accept, args.json, &mut out);
    // The sink does not fail: writing errors are kept in it.
    let verdict = verdict.unwrap_or_default();
    let code = out.finish();
    eprint!("{}", verdict.stderr);
    if code != exit::OK {
        code
    } else if verdict.bad_input {
        exit::BAD_INPUT
    } else {
        exit::OK
    }
}

/// Standard output, buffered, for a report written as it is made. It never
/// fails, so that the report is made to the end and its verdict known
/// whatever happens to the output: a closed pipe (`cepces inspect x |
/// head`) is not an error and what follows is dropped; another error is
/// kept for [`finish`](Self::finish) and what follows is dropped too.
struct StdoutSink {
    /// The buffered standard output; `None` once writing stopped.
    out: Option<io::BufWriter<io::StdoutLock<'static>>>,
    /// The first error other than a closed pipe.
    error: Option<io::Error>,
}

impl StdoutSink {
    /// Standard output, locked and buffered.
    fn new() -> Self {
        Self {
            out: Some(io::BufWriter::with_capacity(64 * 1024, io::stdout().lock())),
            error: None,
        }
    }

    /// Stops writing after `e`.
    fn stop(&mut self, e: io::Error) {
        self.out = None;
        if e.kind() != io::ErrorKind::BrokenPipe && self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Flushes what is left; returns the exit code: an error other than a
    /// closed pipe is reported and is an I/O failure.
    fn finish(mut self) -> u8 {
        if let Some(mut out) = self.out.take()
            && let Err(e) = out.flush()
        {
            self.stop(e);
        }
        match self.error {
            None => exit::OK,
            Some(e) => {
                eprintln!("cepces: cannot write output: {e}");
                exit::IO
            }
        }
    }
}

impl Write for StdoutSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(out) = &mut self.out
            && let Err(e) = out.write_all(buf)
        {
            self.stop(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads `path` (`-` for standard input), at most `max + 1` bytes: one more
/// than the reader accepts, so that an oversized input is refused by the
/// reader's document-length limit without being read whole.
pub fn read_input(path: &PathBuf, max: usize) -> io::Result<Vec<u8>> {
    let take = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().lock().take(take).read_to_end(&mut buf)?;
    } else {
        let file = File::open(path)?;
        // A file's size, when known, is reserved at once rather than
        // reached by doubling (which may hold twice the input).
        if let Ok(meta) = file.metadata() {
            buf.reserve_exact(usize::try_from(meta.len().min(take)).unwrap_or(0));
        }
        file.take(take).read_to_end(&mut buf)?;
    }
    Ok(buf)
}

/// Writes `s` to standard output; returns the exit code. A closed pipe
/// (`cepces inspect x | head`) ends quietly with success.
pub fn write_stdout(s: &str) -> u8 {
    let mut out = io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("cepces: cannot write output: {e}");
            exit::IO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_64() {
        assert_eq!(run(["cepces", "inspect"].map(OsString::from)), exit::USAGE);
        assert_eq!(
            run(["cepces", "frobnicate"].map(OsString::from)),
            exit::USAGE
        );
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
