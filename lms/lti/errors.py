"""Every way an LTI exchange can fail, each a class with a stable code for the web layer and logs."""

from __future__ import annotations


class LtiError(Exception):
    """Base of all LTI errors; `code` names the failure, the message gives the detail for the log."""

    code = "lti_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class LaunchError(LtiError):
    """A login or launch message that must be refused."""

    code = "launch_error"


class MalformedToken(LaunchError):
    """The id_token is not a readable JWT."""

    code = "malformed_token"


class WrongState(LaunchError):
    """The state sent back differs from the one this browser was given at login, or is missing."""

    code = "wrong_state"


class UnknownPlatform(LaunchError):
    """No registered platform has this issuer and client id."""

    code = "unknown_platform"


class UnknownKid(LaunchError):
    """The token's key id is not in the platform's key set, even after fetching it again."""

    code = "unknown_kid"


class KeySetUnavailable(LaunchError):
    """The platform's JWKS could not be fetched or read, so no signature can be checked now."""

    code = "platform_keys_unavailable"


class WrongAlgorithm(LaunchError):
    """The token is not signed with RS256."""

    code = "wrong_algorithm"


class BadSignature(LaunchError):
    """The signature does not verify with the platform's key."""

    code = "bad_signature"


class Expired(LaunchError):
    """The token's `exp` has passed."""

    code = "expired"


class BadIssuedAt(LaunchError):
    """The token's `iat` is missing, not a number, or in the future."""

    code = "bad_iat"


class WrongIssuer(LaunchError):
    """The token's `iss` is not the platform's issuer."""

    code = "wrong_issuer"


class WrongAudience(LaunchError):
    """The token's `aud` or `azp` does not name this tool's client id."""

    code = "wrong_audience"


class ReplayedNonce(LaunchError):
    """The nonce was not issued by this tool, has expired, or was already used."""

    code = "replayed_nonce"


class UnknownDeployment(LaunchError):
    """The deployment id is not one registered for the platform."""

    code = "unknown_deployment"


class WrongVersion(LaunchError):
    """The LTI version claim is not 1.3.0."""

    code = "wrong_version"


class WrongMessageType(LaunchError):
    """The message type is not one this tool handles."""

    code = "wrong_message_type"


class MissingClaim(LaunchError):
    """A claim the spec (or this tool) requires is absent or has the wrong shape."""

    code = "missing_claim"


class LoginError(LaunchError):
    """An OIDC login initiation request lacks a required parameter or names an unknown platform."""

    code = "bad_login_request"


class DeepLinkingError(LtiError):
    """A deep-linking response the platform's settings do not allow (type or number of items)."""

    code = "deep_linking_refused"


class ServiceError(LtiError):
    """A call to a platform service (token, AGS, NRPS, registration) failed; `retryable` says if later may work."""

    code = "service_error"

    def __init__(self, detail: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.retryable = retryable


class ServiceUnavailable(ServiceError):
    """The platform timed out, could not be reached, or answered 5xx or 429: try again later."""

    code = "service_unavailable"

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail, status=status, retryable=True)


class ServiceRefused(ServiceError):
    """The platform answered 4xx (other than 429): sending the same request again will not help."""

    code = "service_refused"

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail, status=status, retryable=False)


class BadServiceResponse(ServiceError):
    """The platform answered 2xx with a body that is not what the spec says."""

    code = "bad_service_response"


class RegistrationError(LtiError):
    """Dynamic registration cannot go on: a bad OpenID configuration or registration answer."""

    code = "registration_failed"
