//! MS-XCEP: the X.509 Certificate Enrollment Policy protocol (CEP), as an
//! owned, typed model with no I/O.
//!
//! A client sends [`GetPolicies`] and receives [`GetPoliciesResponse`]
//! ([MS-XCEP] 3.1.4.1): the certificate templates
//! ([`CertificateEnrollmentPolicy`]) it may enroll for, the CAs that issue
//! them ([`Ca`], with their MS-WSTEP endpoints, [`CaUri`]) and the object
//! identifiers both refer to by number ([`Oid`]). Every element and
//! attribute of the schema has a field; bytes in, typed values out, and
//! back. Both messages (and [`XcepMessage`], either of them) are
//! [`soap_envelope::Payload`]s, so `Envelope<GetPoliciesResponse>` reads a
//! whole SOAP message and [`GetPolicies::ACTION`] /
//! [`GetPoliciesResponse::ACTION`] are the WS-Addressing Actions.
//!
//! # Reading
//!
//! Elements are matched by namespace and local name, never by prefix: an
//! element of another namespace that happens to be called `commonName` is
//! not the template's name. Reading is lenient where the spec examples and
//! real servers need it, and exact where a value is wrong:
//!
//! - **Nil.** Nearly all nillable elements are also required, so the model
//!   uses `Option<T>` with `None` for nil; `None` is written as
//!   `xsi:nil="true"`. An absent required nillable element, an empty one
//!   whose type has no empty value (a number, a boolean, a list), and the
//!   unprefixed `nil="true"` of the [MS-XCEP] 4.1.1.2 example (Erratum) all
//!   read as nil. Where absent and nil differ (`clientVersion` and
//!   `serverVersion`, see [`RequestFilter`]), the model uses
//!   `Option<`[`Nillable`]`<T>>`.
//! - **Lists.** A nillable list is `Option<Vec<T>>`; since the schema wants
//!   at least one item, an empty list is written as nil.
//! - **Order.** Children are accepted in any order and written in schema
//!   order.
//! - **Unknown elements are kept.** Elements at an `xs:any` extension point
//!   go to the type's `extensions` (`vendor_extensions` on [`Attributes`]),
//!   and elements a type does not define although it has no extension point
//!   (MS-MDE2 4.2.2 puts `AttestationFailureBehavior` into
//!   `privateKeyAttributes`) go to its `unknown`; both are written back. The
//!   list types (`cAs`, `oIDs`, `cryptoProviders`, ...) take only their
//!   items.
//! - **Errors** name the element path: a missing required element is
//!   [`ErrorKind::MissingElement`](soap_envelope::ErrorKind::MissingElement)
//!   at, for example,
//!   `/GetPoliciesResponse/response/policies/policy[2]/attributes/privateKeyAttributes/minimalKeyLength`;
//!   a second single element is `DuplicateElement`; a negative or too large
//!   `xs:unsignedInt`, a boolean `maybe` or a bad `xs:dateTime` is
//!   `BadValue`. Base64 content ([`Base64Text`]) is kept as text and
//!   decoded on demand, as the spec examples elide it.
//! - **Flags** are the bit sets of [`flags`], which keep unknown bits.
//!
//! # Clients and servers
//!
//! - [`resolve`]: [`GetPoliciesResponse::resolve`] gives a read-only view
//!   of each template with its CAs, its endpoints per authentication type in
//!   priority order, and its OIDs (template, key and hash algorithm,
//!   extensions, RA policies); a reference that points nowhere is
//!   [`Error::DanglingReference`].
//! - [`filter`]: the request filter a server applies ([MS-XCEP]
//!   3.1.4.1.3.22).
//! - [`cache`]: the caching rule, `lastUpdate` / `policiesNotChanged` /
//!   `nextUpdateHours`, for the server that answers and the client that
//!   keeps a policy. Time is always an argument.
//!
//! # Errata
//!
//! The §3 text and the §6.2 schema of [MS-XCEP] differ; we follow §3 and
//! write what §6.2 accepts by default (see `testdata/spec/README.md`):
//! `RequestFilter` has `clientVersion`/`serverVersion` in §3 only;
//! `Extension/critical`, `Revision/minorRevision` and `CAURI/renewalOnly`
//! are nillable in §3 only (writing their `None` is valid against §3 only).
//!
//! # Example
//!
//! ```
//! use soap_envelope::{Envelope, Header};
//! use xcep::flags::{ClientAuthentication, KeySpec};
//! use xcep::{Client, GetPolicies, GetPoliciesResponse, OidGroup};
//!
//! // Build and write a request.
//! let request = GetPolicies::new(Client::new().with_preferred_language("en-US"));
//! let header = Header::new()
//!     .with_action(GetPolicies::ACTION)
//!     .with_message_id("urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c")
//!     .with_to("https://cep.contoso.com/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");
//! let bytes = Envelope::new(header, request).to_xml()?;
//! let text = String::from_utf8(bytes).unwrap();
//! assert!(text.contains("<requestFilter xsi:nil=\"true\"/>"));
//!
//! // Read a response (here a bare body element; Envelope::<GetPoliciesResponse>
//! // reads a whole SOAP message).
//! let xml = br#"<GetPoliciesResponse xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"
//!                                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
//!   <response>
//!     <policyID>{083C7011-1D0A-4855-885D-AC945184658C}</policyID>
//!     <policyFriendlyName>Contoso Enrollment Policy</policyFriendlyName>
//!     <nextUpdateHours>8</nextUpdateHours>
//!     <policiesNotChanged xsi:nil="true"/>
//!     <policies><policy>
//!       <policyOIDReference>9</policyOIDReference>
//!       <cAs><cAReference>0</cAReference></cAs>
//!       <attributes>
//!         <commonName>EFS</commonName>
//!         <policySchema>1</policySchema>
//!         <certificateValidity>
//!           <validityPeriodSeconds>31536000</validityPeriodSeconds>
//!           <renewalPeriodSeconds>3628800</renewalPeriodSeconds>
//!         </certificateValidity>
//!         <permission><enroll>true</enroll><autoEnroll>false</autoEnroll></permission>
//!         <privateKeyAttributes>
//!           <minimalKeyLength>2048</minimalKeyLength>
//!           <keySpec>1</keySpec>
//!           <keyUsageProperty xsi:nil="true"/>
//!           <permissions xsi:nil="true"/>
//!           <algorithmOIDReference xsi:nil="true"/>
//!           <cryptoProviders xsi:nil="true"/>
//!         </privateKeyAttributes>
//!         <revision><majorRevision>3</majorRevision><minorRevision>1</minorRevision></revision>
//!         <supersededPolicies xsi:nil="true"/>
//!         <privateKeyFlags xsi:nil="true"/>
//!         <subjectNameFlags xsi:nil="true"/>
//!         <enrollmentFlags xsi:nil="true"/>
//!         <generalFlags xsi:nil="true"/>
//!         <hashAlgorithmOIDReference xsi:nil="true"/>
//!         <rARequirements xsi:nil="true"/>
//!         <keyArchivalAttributes xsi:nil="true"/>
//!         <extensions xsi:nil="true"/>
//!       </attributes>
//!     </policy></policies>
//!   </response>
//!   <cAs><cA>
//!     <uris><cAURI>
//!       <clientAuthentication>2</clientAuthentication>
//!       <uri>https://ca.contoso.com/EntRootCA_CES_Kerberos/service.svc/CES</uri>
//!       <priority>1</priority>
//!       <renewalOnly>false</renewalOnly>
//!     </cAURI></uris>
//!     <certificate>MAA=</certificate>
//!     <enrollPermission>true</enrollPermission>
//!     <cAReferenceID>0</cAReferenceID>
//!   </cA></cAs>
//!   <oIDs><oID>
//!     <value>1.3.6.1.4.1.311.21.8.3800100.3166153.13323660.9808540.8334961.78.1.6</value>
//!     <group>9</group>
//!     <oIDReferenceID>9</oIDReferenceID>
//!     <defaultName>Basic EFS</defaultName>
//!   </oID></oIDs>
//! </GetPoliciesResponse>"#;
//! let response = GetPoliciesResponse::from_xml(xml)?;
//! let policy = &response.policies()[0];
//! let attributes = &policy.attributes;
//! assert_eq!(attributes.common_name.as_deref(), Some("EFS"));
//! assert_eq!(attributes.certificate_validity.as_ref().unwrap().validity_period_seconds, 31_536_000);
//! assert_eq!(attributes.private_key_attributes.key_spec, Some(KeySpec::AT_KEYEXCHANGE));
//! assert_eq!(attributes.private_key_flags, None); // nil
//!
//! // References are numbers: resolve them against the response.
//! let oid = response.find_oid(policy.policy_oid_reference).unwrap();
//! assert_eq!((oid.group, oid.default_name.as_deref()), (OidGroup::EnrollmentObject, Some("Basic EFS")));
//! let ca = response.find_ca(policy.cas.as_ref().unwrap()[0]).unwrap();
//! assert_eq!(ca.uris[0].client_authentication, ClientAuthentication::KERBEROS);
//! assert_eq!(ca.certificate.decode().unwrap(), [0x30, 0x00]);
//!
//! // Written back (in the writer's own layout), it reads the same.
//! let again = GetPoliciesResponse::from_xml(&response.to_xml()?)?;
//! assert_eq!(again, response);
//! # Ok::<(), xcep::Error>(())
//! ```
//!
//! # Cargo features
//!
//! - `serde` (off): `serde::Serialize` on every model type, for JSON views
//!   (`cepces inspect --json`). Fields keep their Rust names; flag sets and
//!   [`OidGroup`] are `{"value": number, "name": "Windows names"}`,
//!   [`Nillable`] is the value or `null`, [`Base64Text`] the text as sent,
//!   [`XcepMessage`] the message itself, unknown and extension elements
//!   [`AnyElement`](soap_envelope::AnyElement)s (see soap-envelope).
//!
//! [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used)]

mod base64_text;
mod ca;
pub mod cache;
mod codec;
mod error;
pub mod filter;
pub mod flags;
mod get_policies;
mod get_policies_response;
mod message;
mod nillable;
mod oid;
mod policy;
pub mod resolve;
#[cfg(feature = "serde")]
mod serde_impls;

pub use base64_text::Base64Text;
pub use ca::{Ca, CaUri};
pub use error::{Error, Result};
pub use get_policies::{Client, GetPolicies, RequestFilter};
pub use get_policies_response::{GetPoliciesResponse, Response};
pub use message::XcepMessage;
pub use nillable::Nillable;
pub use oid::{Oid, OidGroup};
pub use policy::{
    Attributes, CertificateEnrollmentPolicy, CertificateValidity, EnrollmentPermission, Extension,
    KeyArchivalAttributes, PrivateKeyAttributes, RaRequirements, Revision, SupersededPolicies,
};
pub use resolve::{Endpoint, EndpointFilter, ResolvedExtension, ResolvedPolicy, ResolvedTemplate};

/// The MS-XCEP namespace, [MS-XCEP] 3.1.4.1 (the schema's
/// `targetNamespace`).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
pub const NAMESPACE: &str = "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";

/// The prefixes xcep's messages are written with: MS-XCEP as the default
/// namespace, as Windows writes it (the writer's own table covers SOAP,
/// WS-Addressing and `xsi`).
pub const PREFIXES: soap_envelope::Prefixes = &[(NAMESPACE, "")];
