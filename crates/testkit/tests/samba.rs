//! The test kit's Samba AD DC answers as a domain controller: passwords,
//! SPNs and keytabs, groups, LDAP. One test function, so that the binary
//! provisions once and the parts run in order on one DC.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use testkit::samba::Dc;

const PASSWORD: &str = "Pa55word-for-tests!";

#[test]
fn samba_dc_serves_kerberos_and_ldap() {
    let Some(dc) = Dc::shared() else {
        return;
    };
    let dir = testkit::tmp_dir("samba");
    let alice = user_kinit(dc, &dir);
    let machine = machine_spn_keytab(dc, &dir, &dir.join("alice.ccache"));
    let group = groups(dc, &[&alice, &machine]);
    ldap(dc, &alice, &group);
}

/// A user gets a ticket with the right password, and only with it; returns
/// its account name (its cache is `dir/alice.ccache`).
fn user_kinit(dc: &Dc, dir: &Path) -> String {
    let alice = dc.unique("alice");
    let principal = dc.create_user(&alice, PASSWORD);
    assert_eq!(principal, format!("{alice}@EXAMPLE.TEST"));
    let ccache = dir.join("alice.ccache");
    dc.kinit_password(&principal, PASSWORD, &ccache).unwrap();
    let klist = dc.klist(&ccache);
    assert!(
        klist.contains(&format!("Default principal: {alice}@EXAMPLE.TEST")),
        "{klist}"
    );
    assert!(
        klist.contains("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST"),
        "{klist}"
    );
    let wrong = dc
        .kinit_password(&principal, "Wrong-pa55word!", &dir.join("wrong.ccache"))
        .unwrap_err();
    assert!(
        wrong.stderr.contains("Password incorrect")
            || wrong.stderr.contains("Preauthentication failed"),
        "{wrong}"
    );
    alice
}

/// A machine account with an HTTP SPN: its keytab (AES) decrypts the
/// service ticket the user of `ccache` gets for the SPN, and the machine
/// logs on with its own keytab. Returns the machine's account name.
fn machine_spn_keytab(dc: &Dc, dir: &Path, ccache: &Path) -> String {
    let host = dc.unique("cepces");
    let machine = dc.create_machine(&host);
    assert_eq!(machine, format!("{host}$"));
    let spn = format!("HTTP/{host}.example.test");
    dc.add_spn(&spn, &machine);
    let keytab = dir.join("http.keytab");
    dc.export_keytab(&format!("{spn}@EXAMPLE.TEST"), &keytab);
    let entries = dc.klist_keytab(&keytab);
    assert!(
        entries.contains(&format!("{spn}@EXAMPLE.TEST (aes256-cts-hmac-sha1-96)")),
        "{entries}"
    );
    let out = dc
        .krb5_command("kvno", Some(ccache))
        .arg("-k")
        .arg(&keytab)
        .arg(&spn)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("keytab entry valid"),
        "kvno -k: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let klist = dc.klist(ccache);
    assert!(klist.contains(&format!("{spn}@EXAMPLE.TEST")), "{klist}");

    let machine_keytab = dir.join("machine.keytab");
    let machine_principal = format!("{machine}@EXAMPLE.TEST");
    dc.export_keytab(&machine_principal, &machine_keytab);
    let machine_ccache = dir.join("machine.ccache");
    dc.kinit_keytab(&machine_principal, &machine_keytab, &machine_ccache)
        .unwrap();
    let klist = dc.klist(&machine_ccache);
    assert!(
        klist.contains(&format!("Default principal: {machine_principal}")),
        "{klist}"
    );
    machine
}

/// A group with `members`, as `samba-tool group listmembers` sees it.
fn groups(dc: &Dc, members: &[&str]) -> String {
    let group = dc.unique("enrollers");
    dc.create_group(&group);
    dc.add_members(&group, members);
    let mut listed = dc.list_members(&group);
    listed.sort();
    let mut want: Vec<String> = members.iter().map(|m| (*m).to_owned()).collect();
    want.sort();
    assert_eq!(listed, want);
    group
}

/// LDAP answers: the root DSE, and the user's group membership.
fn ldap(dc: &Dc, alice: &str, group: &str) {
    let root = dc.ldap_search(&["-b", "", "-s", "base", "defaultNamingContext"]);
    assert!(
        root.contains("defaultNamingContext: DC=example,DC=test"),
        "{root}"
    );
    let entry = dc.ldap_search(&[
        "-b",
        dc.base_dn(),
        &format!("(sAMAccountName={alice})"),
        "memberOf",
    ]);
    assert!(
        entry.contains(&format!("memberOf: CN={group},CN=Users,DC=example,DC=test")),
        "{entry}"
    );
}
