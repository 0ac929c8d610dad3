//! The configuration file of the Python helper `cepces-submit`
//! (`/etc/cepces/cepces.conf`), read by `cepces certmonger` so that it can
//! take that helper's place where only the command line
//! `--server=HOST --auth=Kerberos` is given (Samba's certificate
//! auto-enrollment writes exactly that into certmonger).
//!
//! The format is Python's `configparser` with extended interpolation:
//! `[section]`, `key = value` or `key: value`, `#`/`;` comment lines,
//! indented continuation lines (a list, one item per line), `${key}` (same
//! section), `${section:key}` and `$$` for a dollar. The helper provides
//! `${shortname}`, `${SHORTNAME}` and `${fqdn}` from the host name, as
//! `cepces-submit` does. No crate reads this dialect (rust-ini and
//! configparser-rs have neither extended interpolation nor its
//! continuation rules), so it is parsed here; it is a few dozen lines.
//!
//! Keys read (the others, such as `openssl_ciphers`, are ignored as the
//! Rust TLS stack has no such string): `[global]` `server`, `type`
//! (`Policy`), `auth`, `endpoint`, `cas`, `poll_interval`; `[kerberos]`
//! `keytab`, `realm`, `ccache`, `principals`; `[certificate]` `certfile`,
//! `keyfile`; `[usernamepassword]` `username`, `password`.

use std::collections::HashMap;

/// A parsed file: sections in order, their keys lower-cased (as
/// `configparser` does), values raw (not yet interpolated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelperConfig {
    sections: Vec<(String, Vec<(String, String)>)>,
    /// Values every section sees (`${shortname}` and the like).
    defaults: HashMap<String, String>,
}

/// The longest file read, and the deepest interpolation followed: a
/// configuration is small, and a loop (`a = ${b}`, `b = ${a}`) must end.
const MAX_LEN: usize = 1 << 20;
const MAX_DEPTH: usize = 10;

impl HelperConfig {
    /// Parses `text`; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, String> {
        if text.len() > MAX_LEN {
            return Err(format!("{path}: larger than {MAX_LEN} bytes"));
        }
        let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let at = || format!("{path}:{}", n + 1);
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                // A continuation of the last key's value.
                let Some((_, last)) = sections.last_mut().and_then(|(_, k)| k.last_mut()) else {
                    return Err(format!("{}: a continuation line with no key", at()));
                };
                last.push('\n');
                last.push_str(trimmed);
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[') {
                let name = name
                    .strip_suffix(']')
                    .ok_or_else(|| format!("{}: a section header without ']'", at()))?;
                sections.push((name.trim().to_owned(), Vec::new()));
                continue;
            }
            let split = trimmed
                .find(['=', ':'])
                .ok_or_else(|| format!("{}: not `key = value`", at()))?;
            let (key, value) = (&trimmed[..split], &trimmed[split + 1..]);
            let Some((_, keys)) = sections.last_mut() else {
                return Err(format!("{}: a key before any [section]", at()));
            };
            keys.push((key.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        Ok(Self {
            sections,
            defaults: HashMap::new(),
        })
    }

    /// With `${shortname}`, `${SHORTNAME}` and `${fqdn}` for `hostname`.
    #[must_use]
    pub fn with_host(mut self, hostname: &str) -> Self {
        let short = hostname.split('.').next().unwrap_or(hostname);
        self.defaults
            .insert("shortname".into(), short.to_ascii_lowercase());
        self.defaults
            .insert("SHORTNAME".into(), short.to_ascii_uppercase());
        self.defaults.insert("fqdn".into(), hostname.to_owned());
        self
    }

    fn raw(&self, section: &str, key: &str) -> Option<&str> {
        // A later section of the same name adds to (and overrides) an
        // earlier one, as configparser merges them.
        self.sections
            .iter()
            .rev()
            .filter(|(s, _)| s.eq_ignore_ascii_case(section))
            .find_map(|(_, keys)| {
                keys.iter()
                    .rev()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.as_str())
            })
    }

    /// The value of `key` in `section`, interpolated; `overrides` win over
    /// the file (the command line's `--server` feeds `${server}`).
    pub fn get(
        &self,
        section: &str,
        key: &str,
        overrides: &HashMap<&str, String>,
    ) -> Result<Option<String>, String> {
        if section.eq_ignore_ascii_case("global")
            && let Some(v) = overrides.get(key.to_ascii_lowercase().as_str())
        {
            return Ok(Some(v.clone()));
        }
        match self.raw(section, key) {
            None => Ok(None),
            Some(v) => self.interpolate(section, v, overrides, 0).map(Some),
        }
    }

    fn interpolate(
        &self,
        section: &str,
        value: &str,
        overrides: &HashMap<&str, String>,
        depth: usize,
    ) -> Result<String, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "[{section}]: interpolation deeper than {MAX_DEPTH} (a loop?)"
            ));
        }
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('$') {
                out.push('$');
                rest = r;
            } else if let Some(r) = rest.strip_prefix('{') {
                let end = r
                    .find('}')
                    .ok_or_else(|| format!("[{section}]: `${{` without `}}` in {value:?}"))?;
                let name = &r[..end];
                rest = &r[end + 1..];
                let (sec, key) = name.split_once(':').unwrap_or((section, name));
                let found = if let Some(d) = self.defaults.get(key) {
                    d.clone()
                } else if sec.eq_ignore_ascii_case("global")
                    && let Some(v) = overrides.get(key.to_ascii_lowercase().as_str())
                {
                    v.clone()
                } else {
                    let raw = self
                        .raw(sec, key)
                        .ok_or_else(|| format!("[{section}]: ${{{name}}} is not set"))?;
                    self.interpolate(sec, raw, overrides, depth + 1)?
                };
                out.push_str(&found);
            } else {
                return Err(format!("[{section}]: a lone `$` in {value:?} (write `$$`)"));
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A configparser boolean (`1/yes/true/on`, `0/no/false/off`).
pub fn boolean(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Ok(true),
        "0" | "no" | "false" | "off" => Ok(false),
        other => Err(format!("{other:?} is not a boolean")),
    }
}

/// The items of a list value (one per line, or separated by spaces).
pub fn list(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_owned).collect()
}

/// This machine's host name (`/proc/sys/kernel/hostname`, else
/// `/etc/hostname`), for `${shortname}` and `${fqdn}`.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of `cepces-submit`'s shipped `cepces.conf.dist`.
    const DIST: &str = "[global]\n\
        # Hostname of the CEP server.\n\
        server=ca\n\
        type=Policy\n\
        auth=Kerberos\n\
        endpoint=https://${server}/ADPolicyProvider_CEP_${auth}/service.svc/CEP\n\
        #cas=\n\
        poll_interval=3600\n\
        \n\
        [kerberos]\n\
        ccache=True\n\
        principals=\n  ${shortname}$$\n  ${SHORTNAME}$$\n  host/${SHORTNAME}\n  host/${fqdn}\n\
        delegate=True\n";

    #[test]
    fn the_dist_file_reads_with_its_interpolations() {
        let c = HelperConfig::parse(DIST, "cepces.conf")
            .unwrap()
            .with_host("ws01.example.test");
        let none = HashMap::new();
        assert_eq!(
            c.get("global", "endpoint", &none).unwrap().as_deref(),
            Some("https://ca/ADPolicyProvider_CEP_Kerberos/service.svc/CEP")
        );
        let principals = list(&c.get("kerberos", "principals", &none).unwrap().unwrap());
        assert_eq!(
            principals,
            ["ws01$", "WS01$", "host/WS01", "host/ws01.example.test"]
        );
        assert!(boolean(&c.get("kerberos", "ccache", &none).unwrap().unwrap()).unwrap());
        assert_eq!(c.get("global", "cas", &none).unwrap(), None);
    }

    #[test]
    fn the_command_lines_server_feeds_the_endpoint() {
        let c = HelperConfig::parse(DIST, "cepces.conf").unwrap();
        let overrides = HashMap::from([("server", "dc1.example.test".to_owned())]);
        assert_eq!(
            c.get("global", "endpoint", &overrides).unwrap().as_deref(),
            Some("https://dc1.example.test/ADPolicyProvider_CEP_Kerberos/service.svc/CEP")
        );
    }

    #[test]
    fn bad_files_are_errors_with_the_line() {
        let e = HelperConfig::parse("key = before any section\n", "f").unwrap_err();
        assert!(e.starts_with("f:1:"), "{e}");
        let e = HelperConfig::parse("[global\n", "f").unwrap_err();
        assert!(e.contains("f:1"), "{e}");
        let e = HelperConfig::parse("[global]\njust words\n", "f").unwrap_err();
        assert!(e.starts_with("f:2:"), "{e}");
        let looped = HelperConfig::parse("[global]\na=${b}\nb=${a}\n", "f").unwrap();
        let e = looped.get("global", "a", &HashMap::new()).unwrap_err();
        assert!(e.contains("loop"), "{e}");
        let unset = HelperConfig::parse("[global]\na=${nothing}\n", "f").unwrap();
        assert!(unset.get("global", "a", &HashMap::new()).is_err());
        let lone = HelperConfig::parse("[global]\na=5$\n", "f").unwrap();
        assert!(lone.get("global", "a", &HashMap::new()).is_err());
    }
}
