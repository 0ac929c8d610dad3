//! Tests of the descriptor reader and the Enroll / AutoEnroll evaluation.

use super::*;
use crate::error::{DescriptorError, SidError};

const DOMAIN: &str = "S-1-5-21-3623811015-3361044348-30300820";

fn domain(rid: u32) -> Sid {
    DOMAIN.parse::<Sid>().unwrap().with_rid(rid).unwrap()
}

/// The library's SDDL reader, for this test domain.
fn sddl(text: &str) -> SecurityDescriptor {
    SecurityDescriptor::from_sddl(text, &SddlDomains::single(DOMAIN.parse().unwrap()))
        .unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Through the binary form and back, so the reader is what is tested.
fn read(sd: &SecurityDescriptor) -> SecurityDescriptor {
    let bytes = sd.to_bytes();
    let back = SecurityDescriptor::from_bytes(&bytes).unwrap();
    assert_eq!(&back, sd);
    back
}

/// The User template's DACL as a default AD CS installation writes it:
/// Domain Users, Domain Admins and Enterprise Admins may enroll (object
/// ACEs), the admins have every other right but CR, Authenticated Users
/// read.
const USER_DACL: &str = "D:PAI\
    (OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DA)\
    (OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)\
    (OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;EA)\
    (A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)\
    (A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;EA)\
    (A;;LCRPLORC;;;AU)";

#[test]
fn user_template_default_dacl() {
    let sd = read(&sddl(USER_DACL));
    let user = Caller::new(domain(1104), [domain(513)]);
    assert_eq!(
        sd.permission(&user),
        Permission {
            enroll: true,
            auto_enroll: false
        }
    );
    let admin = Caller::new(domain(500), [domain(512), domain(513), domain(519)]);
    assert_eq!(
        sd.permission(&admin),
        Permission {
            enroll: true,
            auto_enroll: false
        }
    );
    // Only Authenticated Users (a computer, not in Domain Users): read, no enroll.
    let computer = Caller::new(domain(1201), [domain(515)]);
    assert_eq!(sd.permission(&computer), Permission::default());
}

#[test]
fn machine_template_autoenroll_for_domain_computers() {
    let sd = read(&sddl(
        "D:PAI(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DC)\
         (OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;DC)\
         (A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;;LCRPLORC;;;AU)",
    ));
    let computer = Caller::new(domain(1201), [domain(515)]);
    assert_eq!(
        sd.permission(&computer),
        Permission {
            enroll: true,
            auto_enroll: true
        }
    );
    let user = Caller::new(domain(1104), [domain(513)]);
    assert_eq!(sd.permission(&user), Permission::default());
}

#[test]
fn explicit_deny_first_overrides_group_allow() {
    let alice = domain(1104);
    let sd = read(&sddl(&format!(
        "D:(OD;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{alice})\
           (OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)\
           (OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;DU)"
    )));
    let p = sd.permission(&Caller::new(alice.clone(), [domain(513)]));
    // Enroll denied, AutoEnroll (another right) still allowed.
    assert_eq!(
        p,
        Permission {
            enroll: false,
            auto_enroll: true
        }
    );
    let bob = Caller::new(domain(1105), [domain(513)]);
    assert!(sd.permission(&bob).enroll);
    // Order decides: an allow before the deny wins (non-canonical DACL).
    let sd = read(&sddl(&format!(
        "D:(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)\
           (OD;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{alice})"
    )));
    assert!(sd.permission(&Caller::new(alice, [domain(513)])).enroll);
}

#[test]
fn full_control_generic_all_and_untyped_object_aces_imply_extended_rights() {
    for dacl in [
        "D:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)",
        "D:(A;;GA;;;DA)",
        "D:(A;;CR;;;DA)",
        "D:(OA;;CR;;;DA)",
    ] {
        let sd = read(&sddl(dacl));
        let p = sd.permission(&Caller::new(domain(500), [domain(512)]));
        assert_eq!(
            p,
            Permission {
                enroll: true,
                auto_enroll: true
            },
            "{dacl}"
        );
    }
    // A deny of all extended rights beats a later Enroll allow.
    let sd = read(&sddl(
        "D:(D;;CR;;;WD)(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)",
    ));
    assert!(
        !sd.permission(&Caller::new(domain(1104), [domain(513)]))
            .enroll
    );
    // Rights without CR grant neither; an object ACE for another right neither.
    let sd = read(&sddl(
        "D:(A;;RPWPCCDCLCSWDTLOSDRCWDWO;;;DU)(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;DU)",
    ));
    assert_eq!(
        sd.permission(&Caller::new(domain(1104), [domain(513)])),
        Permission::default()
    );
}

#[test]
fn inherit_only_aces_are_skipped_and_null_dacl_grants() {
    let sd = read(&sddl(
        "D:(OA;CIIO;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)",
    ));
    assert!(
        !sd.permission(&Caller::new(domain(1104), [domain(513)]))
            .enroll
    );
    let sd = read(&sddl("D:(OD;CIIO;CR;;;DU)(OA;;CR;;;DU)"));
    assert!(
        sd.permission(&Caller::new(domain(1104), [domain(513)]))
            .enroll
    );
    // SE_DACL_PRESENT clear: a NULL DACL, every right (as Windows).
    let mut null = SecurityDescriptor::new(None, None, Acl::new(Vec::new()));
    null.dacl = None;
    let null = SecurityDescriptor::from_bytes(&null.to_bytes()).unwrap();
    assert!(null.dacl.is_none());
    assert!(null.permission(&Caller::from_sids([])).enroll);
    // An empty DACL: nothing.
    let empty = read(&SecurityDescriptor::new(None, None, Acl::new(Vec::new())));
    assert!(!empty.permission(&Caller::new(domain(500), [])).enroll);
}

/// A descriptor built byte by byte from the layout of [MS-DTYP] 2.4.6,
/// 2.4.5, 2.4.4.3 and 2.4.2.2, not by our writer.
#[test]
fn hand_built_binary_descriptor() {
    let du = domain(513);
    let mut sd = vec![
        0x01, 0x00, // Revision, Sbz1
        0x04, 0x80, // Control: SE_DACL_PRESENT | SE_SELF_RELATIVE
        0, 0, 0, 0, // OffsetOwner
        0, 0, 0, 0, // OffsetGroup
        0, 0, 0, 0, // OffsetSacl
        20, 0, 0, 0, // OffsetDacl
    ];
    let sid = du.to_bytes();
    let ace_len = 4 + 4 + 4 + 16 + sid.len(); // header, mask, flags, GUID, SID
    let total_acl = 8 + ace_len + 20;
    sd.extend_from_slice(&[4, 0]); // AclRevision ACL_REVISION_DS, Sbz1
    sd.extend_from_slice(&u16::try_from(total_acl).unwrap().to_le_bytes());
    sd.extend_from_slice(&[2, 0, 0, 0]); // AceCount 2, Sbz2
    // ACCESS_ALLOWED_OBJECT_ACE: Enroll for Domain Users.
    sd.extend_from_slice(&[0x05, 0x00]);
    sd.extend_from_slice(&u16::try_from(ace_len).unwrap().to_le_bytes());
    sd.extend_from_slice(&0x0000_0130u32.to_le_bytes()); // RP WP CR
    sd.extend_from_slice(&1u32.to_le_bytes()); // ACE_OBJECT_TYPE_PRESENT
    sd.extend_from_slice(&[
        0x68, 0xc9, 0x10, 0x0e, 0xfb, 0x78, 0xd2, 0x11, 0x90, 0xd4, 0x00, 0xc0, 0x4f, 0x79, 0xdc,
        0x55,
    ]);
    sd.extend_from_slice(&sid);
    // ACCESS_ALLOWED_ACE: read for Authenticated Users.
    sd.extend_from_slice(&[0x00, 0x00, 20, 0]);
    sd.extend_from_slice(&0x0002_0094u32.to_le_bytes()); // LC RP LO RC
    sd.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0]);

    let parsed = SecurityDescriptor::from_bytes(&sd).unwrap();
    let dacl = parsed.dacl.as_ref().unwrap();
    assert_eq!(dacl.aces.len(), 2);
    assert_eq!(dacl.aces[0].ace_type, AceType::AccessAllowedObject);
    assert_eq!(dacl.aces[0].object_type, Some(ENROLL));
    assert_eq!(dacl.aces[0].sid.as_ref(), Some(&du));
    assert_eq!(dacl.aces[1].mask, 0x0002_0094);
    assert_eq!(parsed.to_bytes(), sd);
    let user = Caller::new(domain(1104), [du]);
    assert_eq!(
        parsed.permission(&user),
        Permission {
            enroll: true,
            auto_enroll: false
        }
    );
}

#[test]
fn hostile_descriptors_are_typed_errors() {
    let good = sddl(USER_DACL).to_bytes();
    // Every truncation is an error, never a panic.
    for n in 0..good.len() {
        assert!(
            SecurityDescriptor::from_bytes(&good[..n]).is_err(),
            "prefix {n}"
        );
    }
    assert_eq!(
        SecurityDescriptor::from_bytes(&good[..10]),
        Err(DescriptorError::Truncated {
            what: "security descriptor header",
            offset: 0,
            needed: 20,
            available: 10
        })
    );
    let mut bad = good.clone();
    bad[0] = 2;
    assert_eq!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::BadRevision {
            what: "security descriptor",
            value: 2
        })
    );
    let mut bad = good.clone();
    bad[3] = 0; // not self-relative
    assert!(matches!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::NotSelfRelative(_))
    ));
    // DACL offset past the end.
    let mut bad = good.clone();
    bad[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::Truncated {
            what: "ACL header",
            ..
        })
    ));
    // An AceCount of 65535 with the real bytes: stops at the end of the ACL.
    let dacl_at = usize::try_from(u32::from_le_bytes(good[16..20].try_into().unwrap())).unwrap();
    let mut bad = good.clone();
    bad[dacl_at + 4..dacl_at + 6].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(matches!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::Truncated {
            what: "ACE header",
            ..
        })
    ));
    // An AceSize of 0 (an endless loop in a naive reader) and of 6.
    for size in [0u16, 6] {
        let mut bad = good.clone();
        bad[dacl_at + 10..dacl_at + 12].copy_from_slice(&size.to_le_bytes());
        assert_eq!(
            SecurityDescriptor::from_bytes(&bad),
            Err(DescriptorError::BadAceSize {
                index: 0,
                offset: dacl_at + 8,
                size
            })
        );
    }
    // A SID claiming 15 sub-authorities inside a short ACE.
    let mut bad = good.clone();
    let first_sid = dacl_at + 8 + 4 + 8 + 16;
    bad[first_sid + 1] = 15;
    assert!(matches!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::Sid {
            error: SidError::Truncated { .. },
            ..
        })
    ));
    // ACL revision 9.
    let mut bad = good;
    bad[dacl_at] = 9;
    assert_eq!(
        SecurityDescriptor::from_bytes(&bad),
        Err(DescriptorError::BadRevision {
            what: "ACL",
            value: 9
        })
    );
}

#[test]
fn other_ace_types_are_kept_and_ignored() {
    // SYSTEM_AUDIT_ACE (0x02) in a DACL: read, written back, no effect.
    let mut sd = sddl("D:(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)");
    let audit = Ace {
        ace_type: AceType::Other(0x02),
        flags: 0,
        mask: 0,
        object_type: None,
        inherited_object_type: None,
        sid: None,
        body: [
            &rights::CONTROL_ACCESS.to_le_bytes()[..],
            &Sid::EVERYONE.to_bytes(),
        ]
        .concat(),
    };
    sd.dacl.as_mut().unwrap().aces.insert(0, audit);
    let back = read(&sd);
    assert!(
        back.permission(&Caller::new(domain(1), [domain(513)]))
            .enroll
    );
    assert!(!back.permission(&Caller::new(domain(1), [])).enroll);
}

#[test]
fn callers_from_ldap_values() {
    let caller =
        Caller::from_ldap_values(&domain(1104).to_bytes(), &[domain(513).to_bytes()]).unwrap();
    assert_eq!(caller.sids().len(), 4);
    assert!(caller.has(&Sid::EVERYONE) && caller.has(&Sid::AUTHENTICATED_USERS));
    assert!(caller.has(&domain(513)) && !caller.has(&domain(512)));
    assert_eq!(
        Caller::from_ldap_values(&[1, 1, 0], &[]),
        Err(SidError::Truncated {
            needed: 8,
            available: 3
        })
    );
}

#[test]
fn sddl_reads_what_directory_tools_print() {
    // What Samba's ldbsearch prints for the User template after ldbadd:
    // the explicit ACEs, then the ones inherited from the container.
    let sd = sddl(
        "O:EAG:EAD:AI(OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)\
         (A;;RPLCLORC;;;AU)(A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)",
    );
    assert_eq!(sd.owner, Some(domain(519)));
    assert_eq!(sd.control & 0x0400, 0x0400);
    let aces = &sd.dacl.as_ref().unwrap().aces;
    assert_eq!(aces.len(), 3);
    assert_eq!(aces[2].flags, 0x02 | INHERITED_ACE);
    assert_eq!(aces[2].mask, rights::FULL_CONTROL);
    let admin = Caller::new(domain(500), [domain(519)]);
    assert_eq!(
        sd.permission(&admin),
        Permission {
            enroll: true,
            auto_enroll: true
        }
    );
    // Hex rights, SID strings, well-known aliases.
    let sd = sddl("D:(A;;0x100;;;S-1-5-21-9-9-9-513)(D;;GA;;;WD)");
    let aces = &sd.dacl.as_ref().unwrap().aces;
    assert_eq!((aces[0].mask, aces[1].mask), (0x100, rights::GENERIC_ALL));
    assert_eq!(aces[1].sid, Some(Sid::EVERYONE));
    assert_eq!(aces[1].ace_type, AceType::AccessDenied);
}

#[test]
fn malformed_sddl_is_a_positioned_error() {
    let d = SddlDomains::single(DOMAIN.parse().unwrap());
    let err = |t: &str| SecurityDescriptor::from_sddl(t, &d).unwrap_err();
    assert_eq!(
        err("D:(A;;QQ;;;DU)").kind,
        SddlErrorKind::UnknownRight("QQ".into())
    );
    assert_eq!(err("D:(A;;QQ;;;DU)").position, 6);
    assert_eq!(
        err("D:(A;;CR;;;ZZ)").kind,
        SddlErrorKind::UnknownSid("ZZ".into())
    );
    assert_eq!(
        err("D:(A;XX;CR;;;DU)").kind,
        SddlErrorKind::UnknownFlag("XX".into())
    );
    assert!(matches!(
        err("D:(AU;SA;CR;;;DU)").kind,
        SddlErrorKind::Unsupported(_)
    ));
    assert!(matches!(
        err("S:(AU;SA;CR;;;DU)").kind,
        SddlErrorKind::Unsupported(_)
    ));
    assert!(matches!(
        err("D:(A;;CR;;;DU").kind,
        SddlErrorKind::Expected(")", _)
    ));
    assert!(matches!(
        err("D:(OA;;CR;not-a-guid;;DU)").kind,
        SddlErrorKind::Expected(..)
    ));
    assert!(matches!(
        err("D:(A;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)").kind,
        SddlErrorKind::Expected(..)
    ));
    assert!(matches!(err("X:").kind, SddlErrorKind::Expected(..)));
    assert!(err("O:S-1-x").to_string().contains("unknown SID"));
    // Odd lengths and multi-byte text never panic.
    for t in [
        "D:(A;;C;;;DU)",
        "D:(A;;é;;;DU)",
        "D:(A;é;CR;;;DU)",
        "O:é",
        "O:aé",
        "G:aéD:",
        "D:((",
        "D:(A",
    ] {
        let _ = SecurityDescriptor::from_sddl(t, &d);
    }
}

#[test]
fn every_single_byte_mutation_reads_or_fails_cleanly() {
    let good = sddl(USER_DACL).to_bytes();
    let caller = Caller::new(domain(1104), [domain(513)]);
    let mut read = 0;
    for i in 0..good.len() {
        for v in [0x00, 0x01, 0x04, 0x05, 0x0F, 0x10, 0x7F, 0x80, 0xFF] {
            let mut bad = good.clone();
            bad[i] = v;
            if let Ok(sd) = SecurityDescriptor::from_bytes(&bad) {
                // Whatever reads evaluates, and writes back to something
                // that reads the same.
                let _ = sd.permission(&caller);
                // (the SACL is not written).
                let back = SecurityDescriptor::from_bytes(&sd.to_bytes()).unwrap();
                assert_eq!(
                    (&back.owner, &back.group, &back.dacl),
                    (&sd.owner, &sd.group, &sd.dacl)
                );
                read += 1;
            }
        }
    }
    // Most mutations hit masks, GUIDs and sub-authorities, which read.
    assert!(read > good.len() * 4, "{read}");
}

#[test]
fn sddl_written_reads_back_and_matches_samba() {
    let d = SddlDomains::single(DOMAIN.parse().unwrap());
    // As Samba prints the User template it stored (rights, flags and
    // aliases in its order).
    let samba = "O:EAG:EAD:AI(OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DA)\
        (OA;;RPWPCR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)(A;;RPWPCCDCLCLORCWOWDSDDTSW;;;DA)\
        (A;;RPLCLORC;;;AU)(A;CIID;RPWPCRCCDCLCLORCWOWDSDDTSW;;;EA)(A;CIID;RPWPCRCCLCLORCWOWDSDSW;;;DA)";
    let sd = sddl(samba);
    assert_eq!(sd.to_sddl(Some(&d)), samba);
    for text in [
        USER_DACL,
        "D:(A;;0x40000;;;WD)(OD;CIIO;CR;;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-5-21-1-2-3-4)",
    ] {
        let sd = sddl(text);
        let again = SecurityDescriptor::from_sddl(&sd.to_sddl(Some(&d)), &d).unwrap();
        assert_eq!(again, sd, "{text}");
        // Without domains, domain SIDs are written out.
        let plain = sd.to_sddl(None);
        assert!(
            !plain.contains(";DU)") && !plain.contains(";DA)"),
            "{plain}"
        );
        assert_eq!(SecurityDescriptor::from_sddl(&plain, &d).unwrap(), sd);
    }
    // A mask with a bit no abbreviation names is written in hex.
    let sd = sddl("D:(A;;0x200;;;AU)");
    assert_eq!(sd.to_sddl(None), "D:(A;;0x200;;;AU)");
}

#[test]
fn enrollment_entries_keep_order_rights_and_skip_the_rest() {
    let alice = domain(1104);
    let sd = read(&sddl(&format!(
        "D:(OD;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;{alice})\
           (OA;CIIO;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DC)\
           (A;;RPWPCCDCLCSWDTLOSDRCWDWO;;;DA)\
           (OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;DU)\
           (OA;;CR;a05b8cc2-17bc-4802-a710-e7c15ab866a2;;DU)\
           (A;;GA;;;EA)"
    )));
    let entries = sd.enrollment_entries();
    let got: Vec<_> = entries
        .iter()
        .map(|e| (e.deny, e.sid.to_string(), e.enroll, e.auto_enroll))
        .collect();
    assert_eq!(
        got,
        [
            (true, alice.to_string(), true, false),
            (false, domain(513).to_string(), false, true),
            (false, domain(519).to_string(), true, true),
        ]
    );
    let mut null = SecurityDescriptor::new(None, None, Acl::new(Vec::new()));
    null.dacl = None;
    assert_eq!(
        null.enrollment_entries(),
        [EnrollmentEntry {
            deny: false,
            sid: Sid::EVERYONE,
            enroll: true,
            auto_enroll: true
        }]
    );
}
