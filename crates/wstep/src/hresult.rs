//! HRESULT error codes that CES returns.
//!
//! A CES (MS-WSTEP) SOAP fault carries the CA's error as an HRESULT in
//! `CertificateEnrollmentWSDetail/ErrorCode`, written as a signed `xs:int`
//! (`-2146877422` is `0x80094012`, `CERTSRV_E_TEMPLATE_DENIED`). [`HResult`]
//! keeps that number as it is and, for the codes this module knows, gives its
//! `winerror.h` name and message text.
//!
//! The known codes are the whole `CERTSRV_E_*` family (`0x80094001` to
//! `0x80094018` and `0x80094800` to `0x80094821`), the CryptoAPI, trust and
//! certificate chain codes (`NTE_*`, `CRYPT_E_*`, `TRUST_E_*`, `CERT_E_*`,
//! `XENROLL_E_*`), the SSPI codes met when authenticating to CES (`SEC_E_*`),
//! the generic COM codes (`E_*`) and the Win32 errors CES passes on as
//! `HRESULT_FROM_WIN32` (named by their Win32 name, so `ERROR_NOT_FOUND` is
//! `0x80070490`). All of them are listed, sorted by value, in [`KNOWN`]. A code
//! that is not listed is still a valid [`HResult`]: it keeps its number and is
//! printed in hexadecimal.
//!
//! ```
//! use wstep::hresult::HResult;
//!
//! let hr: HResult = "-2146877422".parse().unwrap();
//! assert_eq!(hr, HResult::CERTSRV_E_TEMPLATE_DENIED);
//! assert_eq!(hr.name(), Some("CERTSRV_E_TEMPLATE_DENIED"));
//! assert!(hr.is_failure());
//! assert_eq!(HResult::from(0x8009_1234_u32).to_string(), "0x80091234");
//! ```

use core::fmt;
use core::str::FromStr;

/// An HRESULT as CES returns it in `CertificateEnrollmentWSDetail/ErrorCode`.
///
/// The field is the value exactly as it is on the wire (a signed 32-bit
/// integer); [`HResult::as_u32`] gives the usual unsigned view. Any value is
/// accepted, known or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HResult(pub i32);

/// Declares the known codes: one associated constant on [`HResult`] and one
/// row of [`KNOWN`] each, from a single list (which must be sorted by value).
macro_rules! known_hresults {
    ($( $name:ident = $value:literal, $message:literal; )*) => {
        impl HResult {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $message)]
                pub const $name: HResult = HResult::from_u32($value);
            )*
        }

        /// Every code this module knows, as `(value, winerror.h name, message)`.
        ///
        /// Sorted by value with no value twice (checked at compile time), so
        /// it can be binary searched; names are unique too. Where `winerror.h`
        /// gives one value several names (`E_INVALIDARG` is also
        /// `HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER)`), the row holds the
        /// name the HRESULT is best known by.
        pub const KNOWN: &[(u32, &str, &str)] = &[
            $( ($value, stringify!($name), $message), )*
        ];
    };
}

known_hresults! {
    // Success.
    S_OK = 0x0000_0000, "The operation completed successfully.";

    // Generic COM codes (FACILITY_NULL).
    E_PENDING = 0x8000_000A, "The data necessary to complete this operation is not yet available.";
    E_NOTIMPL = 0x8000_4001, "Not implemented.";
    E_NOINTERFACE = 0x8000_4002, "No such interface supported.";
    E_POINTER = 0x8000_4003, "Invalid pointer.";
    E_ABORT = 0x8000_4004, "Operation aborted.";
    E_FAIL = 0x8000_4005, "Unspecified error.";
    E_UNEXPECTED = 0x8000_FFFF, "Catastrophic failure.";

    // Win32 errors as HRESULT_FROM_WIN32 (FACILITY_WIN32).
    ERROR_FILE_NOT_FOUND = 0x8007_0002, "The system cannot find the file specified.";
    E_ACCESSDENIED = 0x8007_0005, "General access denied error.";
    E_HANDLE = 0x8007_0006, "Invalid handle.";
    ERROR_NOT_ENOUGH_MEMORY = 0x8007_0008, "Not enough memory resources are available to process this command.";
    ERROR_INVALID_DATA = 0x8007_000D, "The data is invalid.";
    E_OUTOFMEMORY = 0x8007_000E, "Ran out of memory.";
    ERROR_NOT_SUPPORTED = 0x8007_0032, "The request is not supported.";
    E_INVALIDARG = 0x8007_0057, "One or more arguments are invalid.";
    ERROR_INSUFFICIENT_BUFFER = 0x8007_007A, "The data area passed to a system call is too small.";
    ERROR_MORE_DATA = 0x8007_00EA, "More data is available.";
    ERROR_NO_MORE_ITEMS = 0x8007_0103, "No more data is available.";
    ERROR_NOT_FOUND = 0x8007_0490, "Element not found.";
    ERROR_CANCELLED = 0x8007_04C7, "The operation was canceled by the user.";
    ERROR_LOGON_FAILURE = 0x8007_052E, "The user name or password is incorrect.";
    ERROR_NO_SUCH_DOMAIN = 0x8007_054B, "The specified domain either does not exist or could not be contacted.";
    ERROR_INTERNAL_ERROR = 0x8007_054F, "An internal error occurred.";
    ERROR_TIMEOUT = 0x8007_05B4, "This operation returned because the timeout period expired.";
    RPC_S_SERVER_UNAVAILABLE = 0x8007_06BA, "The RPC server is unavailable.";
    RPC_S_SERVER_TOO_BUSY = 0x8007_06BB, "The RPC server is too busy to complete this operation.";
    RPC_S_CALL_FAILED = 0x8007_06BE, "The remote procedure call failed.";
    RPC_S_CALL_FAILED_DNE = 0x8007_06BF, "The remote procedure call failed and did not execute.";
    EPT_S_NOT_REGISTERED = 0x8007_06D9, "There are no more endpoints available from the endpoint mapper.";

    // Cryptographic service providers (FACILITY_SECURITY).
    NTE_BAD_UID = 0x8009_0001, "Bad UID.";
    NTE_BAD_HASH = 0x8009_0002, "Bad hash.";
    NTE_BAD_KEY = 0x8009_0003, "Bad key.";
    NTE_BAD_LEN = 0x8009_0004, "Bad length.";
    NTE_BAD_DATA = 0x8009_0005, "Bad data.";
    NTE_BAD_SIGNATURE = 0x8009_0006, "Invalid signature.";
    NTE_BAD_VER = 0x8009_0007, "Bad version of provider.";
    NTE_BAD_ALGID = 0x8009_0008, "Invalid algorithm specified.";
    NTE_BAD_FLAGS = 0x8009_0009, "Invalid flags specified.";
    NTE_BAD_TYPE = 0x8009_000A, "Invalid type specified.";
    NTE_BAD_KEY_STATE = 0x8009_000B, "Key not valid for use in specified state.";
    NTE_BAD_HASH_STATE = 0x8009_000C, "Hash not valid for use in specified state.";
    NTE_NO_KEY = 0x8009_000D, "Key does not exist.";
    NTE_NO_MEMORY = 0x8009_000E, "Insufficient memory available for the operation.";
    NTE_EXISTS = 0x8009_000F, "Object already exists.";
    NTE_PERM = 0x8009_0010, "Access denied.";
    NTE_NOT_FOUND = 0x8009_0011, "Object was not found.";
    NTE_DOUBLE_ENCRYPT = 0x8009_0012, "Data already encrypted.";
    NTE_BAD_PROVIDER = 0x8009_0013, "Invalid provider specified.";
    NTE_BAD_PROV_TYPE = 0x8009_0014, "Invalid provider type specified.";
    NTE_BAD_PUBLIC_KEY = 0x8009_0015, "Provider's public key is invalid.";
    NTE_BAD_KEYSET = 0x8009_0016, "Keyset does not exist.";
    NTE_PROV_TYPE_NOT_DEF = 0x8009_0017, "Provider type not defined.";
    NTE_PROV_TYPE_ENTRY_BAD = 0x8009_0018, "Provider type as registered is invalid.";
    NTE_KEYSET_NOT_DEF = 0x8009_0019, "The keyset is not defined.";
    NTE_KEYSET_ENTRY_BAD = 0x8009_001A, "Keyset as registered is invalid.";
    NTE_PROV_TYPE_NO_MATCH = 0x8009_001B, "Provider type does not match registered value.";
    NTE_SIGNATURE_FILE_BAD = 0x8009_001C, "The digital signature file is corrupt.";
    NTE_PROVIDER_DLL_FAIL = 0x8009_001D, "Provider DLL failed to initialize correctly.";
    NTE_PROV_DLL_NOT_FOUND = 0x8009_001E, "Provider DLL could not be found.";
    NTE_BAD_KEYSET_PARAM = 0x8009_001F, "The keyset parameter is invalid.";
    NTE_FAIL = 0x8009_0020, "An internal error occurred.";
    NTE_SYS_ERR = 0x8009_0021, "A base error occurred.";
    NTE_SILENT_CONTEXT = 0x8009_0022, "Provider could not perform the action since the context was acquired as silent.";
    NTE_TOKEN_KEYSET_STORAGE_FULL = 0x8009_0023, "The security token does not have storage space available for an additional container.";
    NTE_TEMPORARY_PROFILE = 0x8009_0024, "The profile for the user is a temporary profile.";
    NTE_FIXEDPARAMETER = 0x8009_0025, "The key parameters could not be set because the CSP uses fixed parameters.";
    NTE_INVALID_HANDLE = 0x8009_0026, "The supplied handle is invalid.";
    NTE_INVALID_PARAMETER = 0x8009_0027, "The parameter is incorrect.";
    NTE_BUFFER_TOO_SMALL = 0x8009_0028, "The buffer supplied to a function was too small.";
    NTE_NOT_SUPPORTED = 0x8009_0029, "The requested operation is not supported.";
    NTE_NO_MORE_ITEMS = 0x8009_002A, "No more data is available.";
    NTE_BUFFERS_OVERLAP = 0x8009_002B, "The supplied buffers overlap incorrectly.";
    NTE_DECRYPTION_FAILURE = 0x8009_002C, "The specified data could not be decrypted.";
    NTE_INTERNAL_ERROR = 0x8009_002D, "An internal consistency check failed.";
    NTE_UI_REQUIRED = 0x8009_002E, "This operation requires input from the user.";
    NTE_HMAC_NOT_SUPPORTED = 0x8009_002F, "The cryptographic provider does not support HMAC.";

    // SSPI (authenticating to CES with Kerberos, NTLM or TLS client certificates).
    SEC_E_UNSUPPORTED_FUNCTION = 0x8009_0302, "The function requested is not supported.";
    SEC_E_TARGET_UNKNOWN = 0x8009_0303, "The specified target is unknown or unreachable.";
    SEC_E_INTERNAL_ERROR = 0x8009_0304, "The Local Security Authority cannot be contacted.";
    SEC_E_INVALID_TOKEN = 0x8009_0308, "The token supplied to the function is invalid.";
    SEC_E_LOGON_DENIED = 0x8009_030C, "The logon attempt failed.";
    SEC_E_UNKNOWN_CREDENTIALS = 0x8009_030D, "The credentials supplied to the package were not recognized.";
    SEC_E_NO_CREDENTIALS = 0x8009_030E, "No credentials are available in the security package.";
    SEC_E_NO_AUTHENTICATING_AUTHORITY = 0x8009_0311, "No authority could be contacted for authentication.";
    SEC_E_CONTEXT_EXPIRED = 0x8009_0317, "The context has expired and can no longer be used.";
    SEC_E_WRONG_PRINCIPAL = 0x8009_0322, "The target principal name is incorrect.";
    SEC_E_TIME_SKEW = 0x8009_0324, "The clocks on the client and server machines are skewed.";
    SEC_E_UNTRUSTED_ROOT = 0x8009_0325, "The certificate chain was issued by an authority that is not trusted.";
    SEC_E_ILLEGAL_MESSAGE = 0x8009_0326, "The message received was unexpected or badly formatted.";
    SEC_E_CERT_UNKNOWN = 0x8009_0327, "An unknown error occurred while processing the certificate.";
    SEC_E_CERT_EXPIRED = 0x8009_0328, "The received certificate has expired.";
    SEC_E_ALGORITHM_MISMATCH = 0x8009_0331, "The client and server cannot communicate, because they do not possess a common algorithm.";
    SEC_E_CERT_WRONG_USAGE = 0x8009_0349, "The certificate is not valid for the requested usage.";

    // Cryptographic messages (CMS / PKCS #7).
    CRYPT_E_MSG_ERROR = 0x8009_1001, "An error occurred while performing an operation on a cryptographic message.";
    CRYPT_E_UNKNOWN_ALGO = 0x8009_1002, "Unknown cryptographic algorithm.";
    CRYPT_E_OID_FORMAT = 0x8009_1003, "The object identifier is poorly formatted.";
    CRYPT_E_INVALID_MSG_TYPE = 0x8009_1004, "Invalid cryptographic message type.";
    CRYPT_E_UNEXPECTED_ENCODING = 0x8009_1005, "Unexpected cryptographic message encoding.";
    CRYPT_E_AUTH_ATTR_MISSING = 0x8009_1006, "The cryptographic message does not contain an expected authenticated attribute.";
    CRYPT_E_HASH_VALUE = 0x8009_1007, "The hash value is not correct.";
    CRYPT_E_INVALID_INDEX = 0x8009_1008, "The index value is not valid.";
    CRYPT_E_ALREADY_DECRYPTED = 0x8009_1009, "The content of the cryptographic message has already been decrypted.";
    CRYPT_E_NOT_DECRYPTED = 0x8009_100A, "The content of the cryptographic message has not been decrypted yet.";
    CRYPT_E_RECIPIENT_NOT_FOUND = 0x8009_100B, "The enveloped-data message does not contain the specified recipient.";
    CRYPT_E_CONTROL_TYPE = 0x8009_100C, "Invalid control type.";
    CRYPT_E_ISSUER_SERIALNUMBER = 0x8009_100D, "Invalid issuer and/or serial number.";
    CRYPT_E_SIGNER_NOT_FOUND = 0x8009_100E, "Cannot find the original signer.";
    CRYPT_E_ATTRIBUTES_MISSING = 0x8009_100F, "The cryptographic message does not contain all of the requested attributes.";
    CRYPT_E_STREAM_MSG_NOT_READY = 0x8009_1010, "The streamed cryptographic message is not ready to return data.";
    CRYPT_E_STREAM_INSUFFICIENT_DATA = 0x8009_1011, "The streamed cryptographic message requires more data to complete the decode operation.";

    // Certificates, stores and revocation.
    CRYPT_E_BAD_LEN = 0x8009_2001, "The length specified for the output data was insufficient.";
    CRYPT_E_BAD_ENCODE = 0x8009_2002, "An error occurred during encode or decode operation.";
    CRYPT_E_FILE_ERROR = 0x8009_2003, "An error occurred while reading or writing to a file.";
    CRYPT_E_NOT_FOUND = 0x8009_2004, "Cannot find object or property.";
    CRYPT_E_EXISTS = 0x8009_2005, "The object or property already exists.";
    CRYPT_E_NO_PROVIDER = 0x8009_2006, "No provider was specified for the store or object.";
    CRYPT_E_SELF_SIGNED = 0x8009_2007, "The specified certificate is self signed.";
    CRYPT_E_DELETED_PREV = 0x8009_2008, "The previous certificate or CRL context was deleted.";
    CRYPT_E_NO_MATCH = 0x8009_2009, "Cannot find the requested object.";
    CRYPT_E_UNEXPECTED_MSG_TYPE = 0x8009_200A, "The certificate does not have a property that references a private key.";
    CRYPT_E_NO_KEY_PROPERTY = 0x8009_200B, "Cannot find the certificate and private key for decryption.";
    CRYPT_E_NO_DECRYPT_CERT = 0x8009_200C, "Cannot find the certificate and private key to use for decryption.";
    CRYPT_E_BAD_MSG = 0x8009_200D, "Not a cryptographic message or the cryptographic message is not formatted correctly.";
    CRYPT_E_NO_SIGNER = 0x8009_200E, "The signed cryptographic message does not have a signer for the specified signer index.";
    CRYPT_E_PENDING_CLOSE = 0x8009_200F, "Final closure is pending until additional frees or closes.";
    CRYPT_E_REVOKED = 0x8009_2010, "The certificate is revoked.";
    CRYPT_E_NO_REVOCATION_DLL = 0x8009_2011, "No Dll or exported function was found to verify revocation.";
    CRYPT_E_NO_REVOCATION_CHECK = 0x8009_2012, "The revocation function was unable to check revocation for the certificate.";
    CRYPT_E_REVOCATION_OFFLINE = 0x8009_2013, "The revocation function was unable to check revocation because the revocation server was offline.";
    CRYPT_E_NOT_IN_REVOCATION_DATABASE = 0x8009_2014, "The certificate is not in the revocation server's database.";
    CRYPT_E_INVALID_NUMERIC_STRING = 0x8009_2020, "The string contains a non-numeric character.";
    CRYPT_E_INVALID_PRINTABLE_STRING = 0x8009_2021, "The string contains a non-printable character.";
    CRYPT_E_INVALID_IA5_STRING = 0x8009_2022, "The string contains a character not in the 7 bit ASCII character set.";
    CRYPT_E_INVALID_X500_STRING = 0x8009_2023, "The string contains an invalid X500 name attribute key, oid, value or delimiter.";
    CRYPT_E_NOT_CHAR_STRING = 0x8009_2024, "The dwValueType for the CERT_NAME_VALUE is not one of the character strings.";
    CRYPT_E_FILERESIZED = 0x8009_2025, "The Put operation cannot continue. The file needs to be resized, but there is already a signature present.";
    CRYPT_E_SECURITY_SETTINGS = 0x8009_2026, "The cryptographic operation failed due to a local security option setting.";
    CRYPT_E_NO_VERIFY_USAGE_DLL = 0x8009_2027, "No DLL or exported function was found to verify subject usage.";
    CRYPT_E_NO_VERIFY_USAGE_CHECK = 0x8009_2028, "The called function was unable to do a usage check on the subject.";
    CRYPT_E_VERIFY_USAGE_OFFLINE = 0x8009_2029, "Since the server was offline, the called function was unable to complete the usage check.";
    CRYPT_E_NOT_IN_CTL = 0x8009_202A, "The subject was not found in a Certificate Trust List (CTL).";
    CRYPT_E_NO_TRUSTED_SIGNER = 0x8009_202B, "None of the signers of the cryptographic message or certificate trust list is trusted.";
    CRYPT_E_MISSING_PUBKEY_PARA = 0x8009_202C, "The public key's algorithm parameters are missing.";

    // ASN.1 encoding and decoding.
    CRYPT_E_ASN1_ERROR = 0x8009_3100, "ASN1 Certificate encode/decode error code base.";
    CRYPT_E_ASN1_INTERNAL = 0x8009_3101, "ASN1 internal encode or decode error.";
    CRYPT_E_ASN1_EOD = 0x8009_3102, "ASN1 unexpected end of data.";
    CRYPT_E_ASN1_CORRUPT = 0x8009_3103, "ASN1 corrupted data.";
    CRYPT_E_ASN1_LARGE = 0x8009_3104, "ASN1 value too large.";
    CRYPT_E_ASN1_CONSTRAINT = 0x8009_3105, "ASN1 constraint violated.";
    CRYPT_E_ASN1_MEMORY = 0x8009_3106, "ASN1 out of memory.";
    CRYPT_E_ASN1_OVERFLOW = 0x8009_3107, "ASN1 buffer overflow.";
    CRYPT_E_ASN1_BADPDU = 0x8009_3108, "ASN1 function not supported for this PDU.";
    CRYPT_E_ASN1_BADARGS = 0x8009_3109, "ASN1 bad arguments to function call.";
    CRYPT_E_ASN1_BADREAL = 0x8009_310A, "ASN1 bad real value.";
    CRYPT_E_ASN1_BADTAG = 0x8009_310B, "ASN1 bad tag value met.";
    CRYPT_E_ASN1_CHOICE = 0x8009_310C, "ASN1 bad choice value.";
    CRYPT_E_ASN1_RULE = 0x8009_310D, "ASN1 bad encoding rule.";
    CRYPT_E_ASN1_UTF8 = 0x8009_310E, "ASN1 bad unicode (UTF8).";
    CRYPT_E_ASN1_PDU_TYPE = 0x8009_3133, "ASN1 bad PDU type.";
    CRYPT_E_ASN1_NYI = 0x8009_3134, "ASN1 not yet implemented.";
    CRYPT_E_ASN1_EXTENDED = 0x8009_3201, "ASN1 skipped unknown extension(s).";
    CRYPT_E_ASN1_NOEOD = 0x8009_3202, "ASN1 end of data expected.";

    // Certificate Services: the CA and its policy module.
    CERTSRV_E_BAD_REQUESTSUBJECT = 0x8009_4001, "The request subject name is invalid or too long.";
    CERTSRV_E_NO_REQUEST = 0x8009_4002, "The request does not exist.";
    CERTSRV_E_BAD_REQUESTSTATUS = 0x8009_4003, "The request's current status does not allow this operation.";
    CERTSRV_E_PROPERTY_EMPTY = 0x8009_4004, "The requested property value is empty.";
    CERTSRV_E_INVALID_CA_CERTIFICATE = 0x8009_4005, "The certification authority's certificate contains invalid data.";
    CERTSRV_E_SERVER_SUSPENDED = 0x8009_4006, "Certificate service has been suspended for a database restore operation.";
    CERTSRV_E_ENCODING_LENGTH = 0x8009_4007, "The certificate contains an encoded length that is potentially incompatible with older enrollment software.";
    CERTSRV_E_ROLECONFLICT = 0x8009_4008, "The operation is denied. The user has multiple roles assigned and the certification authority is configured to enforce role separation.";
    CERTSRV_E_RESTRICTEDOFFICER = 0x8009_4009, "The operation is denied. It can only be performed by a certificate manager that is allowed to manage certificates for the current requester.";
    CERTSRV_E_KEY_ARCHIVAL_NOT_CONFIGURED = 0x8009_400A, "Cannot archive private key. The certification authority is not configured for key archival.";
    CERTSRV_E_NO_VALID_KRA = 0x8009_400B, "Cannot archive private key. The certification authority could not verify one or more key recovery certificates.";
    CERTSRV_E_BAD_REQUEST_KEY_ARCHIVAL = 0x8009_400C, "The request is incorrectly formatted. The encrypted private key must be in an unauthenticated attribute in an outermost signature.";
    CERTSRV_E_NO_CAADMIN_DEFINED = 0x8009_400D, "At least one security principal must have the permission to manage this CA.";
    CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE = 0x8009_400E, "The request contains an invalid renewal certificate attribute.";
    CERTSRV_E_NO_DB_SESSIONS = 0x8009_400F, "An attempt was made to open a Certification Authority database session, but there are already too many active sessions.";
    CERTSRV_E_ALIGNMENT_FAULT = 0x8009_4010, "A memory reference caused a data alignment fault.";
    CERTSRV_E_ENROLL_DENIED = 0x8009_4011, "The permissions on this certification authority do not allow the current user to enroll for certificates.";
    CERTSRV_E_TEMPLATE_DENIED = 0x8009_4012, "The permissions on the certificate template do not allow the current user to enroll for this type of certificate.";
    CERTSRV_E_DOWNLEVEL_DC_SSL_OR_UPGRADE = 0x8009_4013, "The contacted domain controller cannot support signed LDAP traffic. Update the domain controller or configure Certificate Services to use SSL for Active Directory access.";
    CERTSRV_E_ADMIN_DENIED_REQUEST = 0x8009_4014, "The request was denied by a certificate manager or CA administrator.";
    CERTSRV_E_NO_POLICY_SERVER = 0x8009_4015, "An enrollment policy server cannot be located.";
    CERTSRV_E_WEAK_SIGNATURE_OR_KEY = 0x8009_4016, "A signature algorithm or public key length does not meet the system's minimum required strength.";
    CERTSRV_E_KEY_ATTESTATION_NOT_SUPPORTED = 0x8009_4017, "Failed to create an attested key. This computer or the cryptographic provider may not meet the hardware requirements to support key attestation.";
    CERTSRV_E_ENCRYPTION_CERT_REQUIRED = 0x8009_4018, "No encryption certificate was specified.";

    // Certificate Services: certificate templates.
    CERTSRV_E_UNSUPPORTED_CERT_TYPE = 0x8009_4800, "The requested certificate template is not supported by this CA.";
    CERTSRV_E_NO_CERT_TYPE = 0x8009_4801, "The request contains no certificate template information.";
    CERTSRV_E_TEMPLATE_CONFLICT = 0x8009_4802, "The request contains conflicting template information.";
    CERTSRV_E_SUBJECT_ALT_NAME_REQUIRED = 0x8009_4803, "The request is missing a required Subject Alternate name extension.";
    CERTSRV_E_ARCHIVED_KEY_REQUIRED = 0x8009_4804, "The request is missing a required private key for archival by the server.";
    CERTSRV_E_SMIME_REQUIRED = 0x8009_4805, "The request is missing a required SMIME capabilities extension.";
    CERTSRV_E_BAD_RENEWAL_SUBJECT = 0x8009_4806, "The request was made on behalf of a subject other than the caller. The certificate template must be configured to require at least one signature to authorize the request.";
    CERTSRV_E_BAD_TEMPLATE_VERSION = 0x8009_4807, "The request template version is newer than the supported template version.";
    CERTSRV_E_TEMPLATE_POLICY_REQUIRED = 0x8009_4808, "The template is missing a required signature policy attribute.";
    CERTSRV_E_SIGNATURE_POLICY_REQUIRED = 0x8009_4809, "The request is missing required signature policy information.";
    CERTSRV_E_SIGNATURE_COUNT = 0x8009_480A, "The request is missing one or more required signatures.";
    CERTSRV_E_SIGNATURE_REJECTED = 0x8009_480B, "One or more signatures did not include the required application or issuance policies. The request is missing one or more required valid signatures.";
    CERTSRV_E_ISSUANCE_POLICY_REQUIRED = 0x8009_480C, "The request is missing one or more required signature issuance policies.";
    CERTSRV_E_SUBJECT_UPN_REQUIRED = 0x8009_480D, "The UPN is unavailable and cannot be added to the Subject Alternate name.";
    CERTSRV_E_SUBJECT_DIRECTORY_GUID_REQUIRED = 0x8009_480E, "The Active Directory GUID is unavailable and cannot be added to the Subject Alternate name.";
    CERTSRV_E_SUBJECT_DNS_REQUIRED = 0x8009_480F, "The DNS name is unavailable and cannot be added to the Subject Alternate name.";
    CERTSRV_E_ARCHIVED_KEY_UNEXPECTED = 0x8009_4810, "The request includes a private key for archiving by the server, but key archiving is not enabled for the specified certificate template.";
    CERTSRV_E_KEY_LENGTH = 0x8009_4811, "The public key does not meet the minimum size required by the specified certificate template.";
    CERTSRV_E_SUBJECT_EMAIL_REQUIRED = 0x8009_4812, "The E-Mail name is unavailable and cannot be added to the Subject or Subject Alternate name.";
    CERTSRV_E_UNKNOWN_CERT_TYPE = 0x8009_4813, "One or more certificate templates to be enabled on this certification authority could not be found.";
    CERTSRV_E_CERT_TYPE_OVERLAP = 0x8009_4814, "The certificate template renewal period is longer than the certificate validity period. The template should be reconfigured or the CA certificate renewed.";
    CERTSRV_E_TOO_MANY_SIGNATURES = 0x8009_4815, "The certificate template requires too many RA signatures. Only one RA signature is allowed.";
    CERTSRV_E_RENEWAL_BAD_PUBLIC_KEY = 0x8009_4816, "The certificate template requires renewal with the same public key, but the request uses a different public key.";
    CERTSRV_E_INVALID_EK = 0x8009_4817, "The certification authority cannot interpret or verify the endorsement key information supplied in the request, or the information is inconsistent.";
    CERTSRV_E_INVALID_IDBINDING = 0x8009_4818, "The certification authority cannot validate the Attestation Identity Key Id Binding.";
    CERTSRV_E_INVALID_ATTESTATION = 0x8009_4819, "The certification authority cannot validate the private key attestation data.";
    CERTSRV_E_KEY_ATTESTATION = 0x8009_481A, "The request does not support private key attestation as defined in the certificate template.";
    CERTSRV_E_CORRUPT_KEY_ATTESTATION = 0x8009_481B, "The request public key is not consistent with the private key attestation data.";
    CERTSRV_E_EXPIRED_CHALLENGE = 0x8009_481C, "The private key attestation challenge cannot be validated because the encryption certificate has expired, or the certificate or key is unavailable.";
    CERTSRV_E_INVALID_RESPONSE = 0x8009_481D, "The client's response could not be validated. It is either unexpected or incorrect.";
    CERTSRV_E_INVALID_REQUESTID = 0x8009_481E, "A valid Request ID was not detected in the request attributes, or an invalid one was submitted.";
    CERTSRV_E_REQUEST_PRECERTIFICATE_MISMATCH = 0x8009_481F, "The request is not consistent with the previously generated precertificate.";
    CERTSRV_E_PENDING_CLIENT_RESPONSE = 0x8009_4820, "The request is locked against edits until a response is received from the client.";
    CERTSRV_E_SEC_EXT_DIRECTORY_SID_REQUIRED = 0x8009_4821, "The Active Directory SID is unavailable and cannot be added to the custom security extension.";

    // Enrollment on the client.
    XENROLL_E_KEY_NOT_EXPORTABLE = 0x8009_5000, "The key is not exportable.";
    XENROLL_E_CANNOT_ADD_ROOT_CERT = 0x8009_5001, "You cannot add the root CA certificate into your local store.";
    XENROLL_E_RESPONSE_KA_HASH_NOT_FOUND = 0x8009_5002, "The key archival hash attribute was not found in the response.";
    XENROLL_E_RESPONSE_UNEXPECTED_KA_HASH = 0x8009_5003, "An unexpected key archival hash attribute was found in the response.";
    XENROLL_E_RESPONSE_KA_HASH_MISMATCH = 0x8009_5004, "There is a key archival hash mismatch between the request and the response.";
    XENROLL_E_KEYSPEC_SMIME_MISMATCH = 0x8009_5005, "Signing certificate cannot include SMIME extension.";

    // Trust verification.
    TRUST_E_SYSTEM_ERROR = 0x8009_6001, "A system-level error occurred while verifying trust.";
    TRUST_E_NO_SIGNER_CERT = 0x8009_6002, "The certificate for the signer of the message is invalid or not found.";
    TRUST_E_COUNTER_SIGNER = 0x8009_6003, "One of the counter signatures was invalid.";
    TRUST_E_CERT_SIGNATURE = 0x8009_6004, "The signature of the certificate cannot be verified.";
    TRUST_E_TIME_STAMP = 0x8009_6005, "The timestamp signature and/or certificate could not be verified or is malformed.";
    TRUST_E_BAD_DIGEST = 0x8009_6010, "The digital signature of the object did not verify.";
    TRUST_E_BASIC_CONSTRAINTS = 0x8009_6019, "A certificate's basic constraint extension has not been observed.";
    TRUST_E_FINANCIAL_CRITERIA = 0x8009_601E, "The certificate does not meet or contain the Authenticode financial extensions.";
    TRUST_E_PROVIDER_UNKNOWN = 0x800B_0001, "Unknown trust provider.";
    TRUST_E_ACTION_UNKNOWN = 0x800B_0002, "The trust verification action specified is not supported by the specified trust provider.";
    TRUST_E_SUBJECT_FORM_UNKNOWN = 0x800B_0003, "The form specified for the subject is not one supported or known by the specified trust provider.";
    TRUST_E_SUBJECT_NOT_TRUSTED = 0x800B_0004, "The subject is not trusted for the specified action.";
    DIGSIG_E_ENCODE = 0x800B_0005, "Error due to problem in ASN.1 encoding process.";
    DIGSIG_E_DECODE = 0x800B_0006, "Error due to problem in ASN.1 decoding process.";
    DIGSIG_E_EXTENSIBILITY = 0x800B_0007, "Reading / writing Extensions where Attributes are appropriate, and vice versa.";
    DIGSIG_E_CRYPTO = 0x800B_0008, "Unspecified cryptographic failure.";
    PERSIST_E_SIZEDEFINITE = 0x800B_0009, "The size of the data could not be determined.";
    PERSIST_E_SIZEINDEFINITE = 0x800B_000A, "The size of the indefinite-sized data could not be determined.";
    PERSIST_E_NOTSELFSIZING = 0x800B_000B, "This object does not read and write self-sizing data.";

    // Certificate chains.
    TRUST_E_NOSIGNATURE = 0x800B_0100, "No signature was present in the subject.";
    CERT_E_EXPIRED = 0x800B_0101, "A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file.";
    CERT_E_VALIDITYPERIODNESTING = 0x800B_0102, "The validity periods of the certification chain do not nest correctly.";
    CERT_E_ROLE = 0x800B_0103, "A certificate that can only be used as an end-entity is being used as a CA or vice versa.";
    CERT_E_PATHLENCONST = 0x800B_0104, "A path length constraint in the certification chain has been violated.";
    CERT_E_CRITICAL = 0x800B_0105, "A certificate contains an unknown extension that is marked 'critical'.";
    CERT_E_PURPOSE = 0x800B_0106, "A certificate being used for a purpose other than the ones specified by its CA.";
    CERT_E_ISSUERCHAINING = 0x800B_0107, "A parent of a given certificate in fact did not issue that child certificate.";
    CERT_E_MALFORMED = 0x800B_0108, "A certificate is missing or has an empty value for an important field, such as a subject or issuer name.";
    CERT_E_UNTRUSTEDROOT = 0x800B_0109, "A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.";
    CERT_E_CHAINING = 0x800B_010A, "A certificate chain could not be built to a trusted root authority.";
    TRUST_E_FAIL = 0x800B_010B, "Generic trust failure.";
    CERT_E_REVOKED = 0x800B_010C, "A certificate was explicitly revoked by its issuer.";
    CERT_E_UNTRUSTEDTESTROOT = 0x800B_010D, "The certification path terminates with the test root which is not trusted with the current policy settings.";
    CERT_E_REVOCATION_FAILURE = 0x800B_010E, "The revocation process could not continue - the certificate(s) could not be checked.";
    CERT_E_CN_NO_MATCH = 0x800B_010F, "The certificate's CN name does not match the passed value.";
    CERT_E_WRONG_USAGE = 0x800B_0110, "The certificate is not valid for the requested usage.";
    TRUST_E_EXPLICIT_DISTRUST = 0x800B_0111, "The certificate was explicitly marked as untrusted by the user.";
    CERT_E_UNTRUSTEDCA = 0x800B_0112, "A certification chain processed correctly, but one of the CA certificates is not trusted by the policy provider.";
    CERT_E_INVALID_POLICY = 0x800B_0113, "The certificate has invalid policy.";
    CERT_E_INVALID_NAME = 0x800B_0114, "The certificate has an invalid name. The name is not included in the permitted list or is explicitly excluded.";
}

/// `true` if the values in `table` strictly increase.
// Used only by the `const` assertion below, which Rust before 1.89 does not
// count as a use.
#[allow(dead_code)]
const fn strictly_sorted(table: &[(u32, &str, &str)]) -> bool {
    let mut i = 1;
    while i < table.len() {
        if table[i - 1].0 >= table[i].0 {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = assert!(
    strictly_sorted(KNOWN),
    "hresult::KNOWN must be sorted by value, each value once"
);

/// `FACILITY_WIN32`, the facility of `HRESULT_FROM_WIN32` codes.
const FACILITY_WIN32: u32 = 7;

impl HResult {
    /// The HRESULT with this unsigned value (`0x80094012`).
    pub const fn from_u32(value: u32) -> Self {
        Self(i32::from_ne_bytes(value.to_ne_bytes()))
    }

    /// The value as an unsigned number, the way HRESULTs are usually written.
    pub const fn as_u32(self) -> u32 {
        u32::from_ne_bytes(self.0.to_ne_bytes())
    }

    /// The value as the signed number CES writes in `ErrorCode`.
    pub const fn as_i32(self) -> i32 {
        self.0
    }

    /// `HRESULT_FROM_WIN32`: the HRESULT for a Win32 error code (`ERROR_*`).
    ///
    /// Zero (and anything already carrying the severity bit) is returned
    /// unchanged; any other code becomes `0x8007xxxx` from its low 16 bits.
    pub const fn from_win32(code: u32) -> Self {
        if code == 0 || code & 0x8000_0000 != 0 {
            Self::from_u32(code)
        } else {
            Self::from_u32((code & 0xFFFF) | (FACILITY_WIN32 << 16) | 0x8000_0000)
        }
    }

    /// The Win32 error code inside an `HRESULT_FROM_WIN32` value, if this is one.
    pub const fn win32_code(self) -> Option<u16> {
        if self.is_failure() && self.facility() == 7 {
            Some(self.code())
        } else {
            None
        }
    }

    /// `true` if the severity bit is set (`FAILED(hr)`).
    pub const fn is_failure(self) -> bool {
        self.0 < 0
    }

    /// `true` if the severity bit is clear (`SUCCEEDED(hr)`).
    pub const fn is_success(self) -> bool {
        self.0 >= 0
    }

    /// The facility (`HRESULT_FACILITY`: bits 16 to 28), e.g. 7 for Win32,
    /// 9 for security and Certificate Services, 11 for certificate chains.
    pub const fn facility(self) -> u16 {
        let [b0, b1, _, _] = self.as_u32().to_be_bytes();
        u16::from_be_bytes([b0 & 0x1F, b1])
    }

    /// The code within the facility (`HRESULT_CODE`: the low 16 bits).
    pub const fn code(self) -> u16 {
        let [_, _, b2, b3] = self.as_u32().to_be_bytes();
        u16::from_be_bytes([b2, b3])
    }

    /// This code's row of [`KNOWN`], if it is a known code.
    fn entry(self) -> Option<&'static (u32, &'static str, &'static str)> {
        let value = self.as_u32();
        KNOWN
            .binary_search_by_key(&value, |&(v, _, _)| v)
            .ok()
            .and_then(|i| KNOWN.get(i))
    }

    /// The `winerror.h` name (`"CERTSRV_E_TEMPLATE_DENIED"`), if known.
    pub fn name(&self) -> Option<&'static str> {
        self.entry().map(|&(_, name, _)| name)
    }

    /// The `winerror.h` message text (shortened where it is long), if known.
    pub fn message(&self) -> Option<&'static str> {
        self.entry().map(|&(_, _, message)| message)
    }

    /// `true` if this code is in [`KNOWN`].
    pub fn is_known(&self) -> bool {
        self.entry().is_some()
    }

    /// The known code with this `winerror.h` name (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<HResult> {
        KNOWN
            .iter()
            .find(|&&(_, known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(value, _, _)| Self::from_u32(value))
    }
}

impl fmt::Display for HResult {
    /// `NAME (0xXXXXXXXX): message` for a known code, `0xXXXXXXXX` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.entry() {
            Some(&(value, name, message)) => write!(f, "{name} (0x{value:08X}): {message}"),
            None => write!(f, "0x{:08X}", self.as_u32()),
        }
    }
}

impl fmt::LowerHex for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.as_u32(), f)
    }
}

impl fmt::UpperHex for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::UpperHex::fmt(&self.as_u32(), f)
    }
}

impl From<i32> for HResult {
    fn from(value: i32) -> Self {
        Self(value)
    }
}

impl From<u32> for HResult {
    fn from(value: u32) -> Self {
        Self::from_u32(value)
    }
}

impl From<HResult> for i32 {
    fn from(value: HResult) -> Self {
        value.0
    }
}

impl From<HResult> for u32 {
    fn from(value: HResult) -> Self {
        value.as_u32()
    }
}

/// As `xs:int` (`ErrorCode` of [MS-WSTEP] 3.1.4.1.3.4, signed decimal).
///
/// [MS-WSTEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wstep/
impl soap_envelope::xsd::XsdType for HResult {
    const TYPE_NAME: &'static str = i32::TYPE_NAME;

    fn parse_xsd(s: &str) -> Result<Self, String> {
        i32::parse_xsd(s).map(Self)
    }

    fn to_xsd(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Owned(self.0.to_string())
    }
}

/// The text given to [`HResult::from_str`] is not an HRESULT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseHResultError {
    input: String,
}

impl ParseHResultError {
    /// The text that could not be parsed.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseHResultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not an HRESULT (a known name, 0x hexadecimal or a decimal number): {:?}",
            self.input
        )
    }
}

impl std::error::Error for ParseHResultError {}

impl FromStr for HResult {
    type Err = ParseHResultError;

    /// Accepts a known `winerror.h` name (`CERTSRV_E_TEMPLATE_DENIED`, case
    /// ignored), hexadecimal with a `0x` prefix (`0x80094012`), or a decimal
    /// number, signed as CES writes it (`-2146877422`) or unsigned
    /// (`2148089874`). Surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseHResultError {
            input: s.to_owned(),
        };
        let text = s.trim();
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err());
            }
            return u32::from_str_radix(hex, 16)
                .map(Self::from_u32)
                .map_err(|_| err());
        }
        let numeric = text
            .strip_prefix(['-', '+'])
            .unwrap_or(text)
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit());
        if numeric {
            return text
                .parse::<i32>()
                .map(Self)
                .or_else(|_| text.parse::<u32>().map(Self::from_u32))
                .map_err(|_| err());
        }
        Self::from_name(text).ok_or_else(err)
    }
}
