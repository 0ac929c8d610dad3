//! `cepces user add`: a UsernameToken account in the configuration, with
//! a random password printed once (or one read from standard input),
//! stored only as its argon2 hash. The file keeps its comments and
//! layout, and is rewritten atomically, readable by its owner only.

use std::io::BufRead;
use std::path::PathBuf;

use clap::Args;

use super::files::{self, StateDir};

/// Arguments of `cepces user add`.
#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    /// The state directory of `serve`.
    #[arg(long, default_value = "cepces-ca")]
    pub dir: PathBuf,
    /// The configuration; default `DIR/cepces.toml`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The user name (as clients send it in the UsernameToken).
    pub name: String,
    /// A group for templates' `enroll` lists (repeatable).
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// The e-mail address (for `from_account = ["email"]`).
    #[arg(long)]
    pub email: Option<String>,
    /// The user principal name (for `from_account = ["upn"]`).
    #[arg(long)]
    pub upn: Option<String>,
    /// Read the password from the first line of standard input instead
    /// of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    /// Replace an account of that name.
    #[arg(long)]
    pub force: bool,
}

/// A random password: 18 random bytes, base64url (24 characters).
fn random_password() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub use cepces_server::accounts::hash_password;

/// Adds (or with `force` replaces) the account `args.name` in the TOML
/// `text`, with `hash`; returns the new text.
pub fn add_user(text: &str, args: &UserAddArgs, hash: &str) -> Result<String, String> {
    use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let users = doc
        .entry("user")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or("`user` is not an array of tables ([[user]])")?;
    let existing = users.iter().position(|t| {
        t.get("name")
            .and_then(Item::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(&args.name))
    });
    let mut table = Table::new();
    table.insert("name", value(args.name.as_str()));
    table.insert("password_hash", value(hash));
    let mut groups = Array::new();
    for g in &args.groups {
        groups.push(g.as_str());
    }
    table.insert("groups", value(groups));
    if let Some(email) = &args.email {
        table.insert("email", value(email.as_str()));
    }
    if let Some(upn) = &args.upn {
        table.insert("upn", value(upn.as_str()));
    }
    match existing {
        Some(_) if !args.force => {
            return Err(format!("user {:?} exists (--force replaces it)", args.name));
        }
        Some(i) => {
            if let Some(t) = users.get_mut(i) {
                *t = table;
            }
        }
        None => users.push(table),
    }
    let out = doc.to_string();
    // What we wrote must be a configuration `serve` accepts.
    cepces_server::Config::from_toml(&out)?;
    Ok(out)
}

/// `cepces user add`.
pub fn add(args: &UserAddArgs) -> u8 {
    match run_add(args) {
        Ok(()) => crate::exit::OK,
        Err(e) => {
            eprintln!("cepces user add: {e}");
            crate::exit::BAD_INPUT
        }
    }
}

fn run_add(args: &UserAddArgs) -> Result<(), String> {
    let dir = StateDir {
        root: args.dir.clone(),
    };
    let path = args.config.clone().unwrap_or_else(|| dir.config());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.config.is_none() => {
            // A directory `serve` has not started in yet: begin with the
            // example, as `serve` would.
            dir.create()?;
            super::EXAMPLE.to_owned()
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            return Err("an empty password".into());
        }
        (line, false)
    } else {
        (random_password(), true)
    };
    let out = add_user(&text, args, &hash_password(&password)?)?;
    files::write_private(&path, out.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    if generated {
        println!("password for {}: {password}", args.name);
        eprintln!("(shown once; only its hash is kept in {})", path.display());
    } else {
        eprintln!("user {} written to {}", args.name, path.display());
    }
    eprintln!("restart `cepces serve` for the change to take effect");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(name: &str, force: bool) -> UserAddArgs {
        UserAddArgs {
            dir: PathBuf::from("unused"),
            config: None,
            name: name.into(),
            groups: vec!["Domain Users".into()],
            email: Some("carol@example.com".into()),
            upn: None,
            password_stdin: false,
            force,
        }
    }

    #[test]
    fn an_account_is_added_to_the_example_keeping_its_comments() {
        let hash = hash_password("s3cret").unwrap();
        let out = add_user(super::super::EXAMPLE, &args("carol", false), &hash).unwrap();
        assert!(out.contains("# UsernameToken accounts"));
        let config = cepces_server::Config::from_toml(&out).unwrap();
        let carol = config.user("CAROL").unwrap();
        assert_eq!(carol.groups, ["Domain Users"]);
        assert_eq!(carol.email.as_deref(), Some("carol@example.com"));
        let parsed = argon2::PasswordHash::new(&carol.password_hash).unwrap();
        assert!(
            argon2::PasswordVerifier::verify_password(
                &argon2::Argon2::default(),
                b"s3cret",
                &parsed
            )
            .is_ok()
        );
        // Twice: refused, unless replaced.
        let e = add_user(&out, &args("Carol", false), &hash).unwrap_err();
        assert!(e.contains("exists"), "{e}");
        let again = add_user(&out, &args("carol", true), &hash).unwrap();
        let config = cepces_server::Config::from_toml(&again).unwrap();
        assert_eq!(config.users.len(), 1);
    }

    #[test]
    fn generated_passwords_differ_and_are_long() {
        let (a, b) = (random_password(), random_password());
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
    }
}
