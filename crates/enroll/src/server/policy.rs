//! The CEP server: GetPolicies.

use soap_envelope::xsd::DateTime;
use soap_envelope::{Envelope, Fault, FaultCodeValue, Header};
use xcep::{EnrollmentPermission, GetPoliciesResponse, XcepMessage};

use super::ServerError;
use super::envelope::{EnvelopeFault, Reply, RequestContext, check, check_header};
use super::permission::Permissions;

/// A CEP server for one policy: it answers GetPolicies ([MS-XCEP]
/// 3.1.4.1) with the policy, filtered by the request's `requestFilter`, or
/// "not changed" when the client's `lastUpdate` is current
/// ([`xcep::cache::respond`]).
///
/// With [`Permissions`], each template's `permission/enroll` is set for the
/// caller (`autoEnroll` too when the permissions decide it, as an access
/// list does; otherwise it is left as described), and templates the
/// caller may not enroll in are left out when the permissions say so
/// ([`Permissions::omitting_denied`]).
///
/// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyServer {
    policy: GetPoliciesResponse,
    last_update: DateTime,
    permissions: Option<Permissions>,
}

impl PolicyServer {
    /// A server for `policy`, last changed at `last_update` (the
    /// **LastUpdateTime** of [MS-XCEP] 3.1.4.1.1).
    ///
    /// [MS-XCEP]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-xcep/
    pub fn new(policy: GetPoliciesResponse, last_update: DateTime) -> Self {
        Self {
            policy,
            last_update,
            permissions: None,
        }
    }

    /// Sets each template's `enroll` permission for the caller from
    /// `permissions`.
    #[must_use]
    pub fn with_permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = Some(permissions);
        self
    }

    /// The policy as described.
    pub fn policy(&self) -> &GetPoliciesResponse {
        &self.policy
    }

    /// The policy's last change.
    pub fn last_update(&self) -> &DateTime {
        &self.last_update
    }

    /// Answers a GetPolicies envelope: a `GetPoliciesResponse` (200) with
    /// `RelatesTo` the request's `MessageID`, or a SOAP fault (500) when an
    /// envelope check fails (see the [module documentation](super)), the
    /// body is not a GetPolicies.
    pub fn handle_get_policies(
        &self,
        request: &[u8],
        ctx: &RequestContext,
    ) -> Result<Reply, ServerError> {
        match check::<XcepMessage>(request, ctx, &[xcep::GetPolicies::ACTION]) {
            Ok(envelope) => self.answer(&envelope, ctx),
            Err(fault) => fault.reply(),
        }
    }

    /// [`handle_get_policies`](Self::handle_get_policies) for an envelope
    /// the caller has read already: the same header checks, and no second
    /// read.
    pub fn handle_envelope(
        &self,
        envelope: &Envelope<XcepMessage>,
        ctx: &RequestContext,
    ) -> Result<Reply, ServerError> {
        match check_header(&envelope.header, ctx, &[xcep::GetPolicies::ACTION]) {
            Ok(()) => self.answer(envelope, ctx),
            Err(fault) => fault.reply(),
        }
    }

    fn answer(
        &self,
        envelope: &Envelope<XcepMessage>,
        ctx: &RequestContext,
    ) -> Result<Reply, ServerError> {
        let relates_to = envelope.header.message_id().map(str::to_owned);
        let Some(XcepMessage::GetPolicies(get_policies)) = envelope.payload() else {
            return EnvelopeFault {
                fault: Fault::new(FaultCodeValue::Sender, "The body is not a GetPolicies."),
                relates_to,
            }
            .reply();
        };
        let mut answer = xcep::cache::respond(get_policies, &self.policy, &self.last_update);
        let policies = answer.response.as_mut().and_then(|r| r.policies.as_mut());
        if let (Some(permissions), Some(policies)) = (&self.permissions, policies) {
            policies.retain_mut(|template| {
                let rights = permissions.rights(ctx.authenticated.as_ref(), template);
                let permission = template
                    .attributes
                    .permission
                    .get_or_insert_with(|| EnrollmentPermission::new(rights.enroll, false));
                permission.enroll = rights.enroll;
                if let Some(auto) = rights.auto_enroll {
                    permission.auto_enroll = auto;
                }
                rights.enroll || !permissions.omits_denied()
            });
        }
        let mut header = Header::new().with_action(GetPoliciesResponse::ACTION);
        if let Some(id) = &relates_to {
            header = header.with_relates_to(id.clone());
        }
        Reply::ok(&Envelope::new(
            header,
            XcepMessage::GetPoliciesResponse(answer),
        ))
    }
}
