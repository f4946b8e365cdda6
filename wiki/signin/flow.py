"""The conversation with a provider: send the person there, and read who came back.

Authlib keeps state, nonce and the PKCE verifier in the signed session cookie, checks the
state on return, and verifies the ID token (signature against the provider's published
keys, issuer, audience, expiry, nonce). This module adds what it leaves to the caller:
the discovery document must name the configured issuer, the `iss` parameter (RFC 9207)
must match it, and every failure becomes a message a person can act on.
"""

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, request, url_for
from joserfc.errors import JoseError
from requests import RequestException

from ..core.signin import Profile, github_profile, oidc_profile, wordpress_profile
from ..core.titles import N_
from ..problems import UserError
from . import providers
from .providers import Provider


class SigninFailed(UserError):
    """Signing in with a provider did not work; nothing was created or changed."""

    def __init__(self, message: str, *, status: int = 400, **params: object) -> None:
        super().__init__(message, **params)
        self.status = status


UNREACHABLE = N_(
    "%(provider)s cannot be reached right now, so you were not signed in. Try again in a "
    "few minutes, or log in with your password."
)
CANCELLED = N_("Signing in with %(provider)s was cancelled. Nothing was changed.")
STALE = N_(
    "This sign-in with %(provider)s was not started in this browser, or it was already "
    "used or took too long. Nothing was changed: start again."
)
REFUSED = N_(
    "%(provider)s did not confirm the sign-in (%(error)s). Nothing was changed: start again."
)
UNVERIFIABLE = N_(
    "The answer from %(provider)s could not be verified (its signature, issuer, audience, "
    "expiry or nonce is wrong), so you were not signed in. Nothing was changed."
)
MISCONFIGURED = N_(
    "%(provider)s answered in a way this wiki cannot use, so you were not signed in. "
    "An administrator should check its settings."
)


def redirect_uri(provider: Provider) -> str:
    """Return the exact callback address registered at the provider."""
    site = current_app.config.get("SITE_URL")
    path = url_for("signin.callback", name=provider.name)
    if site:
        return site.rstrip("/") + path
    return url_for("signin.callback", name=provider.name, _external=True)


def start(provider: Provider):
    """Return the redirect that sends the person to the provider to sign in."""
    client = providers.client(provider)
    try:
        if provider.kind == "oidc":
            _check_issuer(provider, client.load_server_metadata())
        return client.authorize_redirect(redirect_uri(provider))
    except RequestException as error:
        current_app.logger.warning("sign-in provider %s unreachable: %s", provider.name, error)
        raise SigninFailed(UNREACHABLE, status=503, provider=provider.label) from error
    except (ValueError, KeyError, RuntimeError) as error:  # a broken discovery document
        current_app.logger.warning("sign-in provider %s misconfigured: %s", provider.name, error)
        raise SigninFailed(MISCONFIGURED, status=502, provider=provider.label) from error


def _check_issuer(provider: Provider, metadata: dict) -> None:
    """Refuse a discovery document that names another issuer (OpenID Discovery §4.3)."""
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ValueError(f"discovery names issuer {metadata.get('issuer')!r}")


def finish(provider: Provider) -> Profile:
    """Return who signed in, from the provider's answer at the callback, or raise SigninFailed."""
    client = providers.client(provider)
    label = provider.label
    error = request.args.get("error")
    if error == "access_denied":
        raise SigninFailed(CANCELLED, status=403, provider=label)
    try:
        if provider.kind == "oidc":
            _check_issuer(provider, client.load_server_metadata())
            returned_issuer = request.args.get("iss")
            if returned_issuer is not None and returned_issuer.rstrip("/") != provider.issuer:
                raise SigninFailed(UNVERIFIABLE, provider=label)
        token = client.authorize_access_token()
        profile = _profile(provider, client, token)
    except MismatchingStateError as failure:
        raise SigninFailed(STALE, provider=label) from failure
    except OAuthError as failure:
        raise SigninFailed(REFUSED, provider=label, error=_short(failure.error)) from failure
    except JoseError as failure:
        current_app.logger.warning("sign-in with %s: ID token refused: %r", provider.name, failure)
        raise SigninFailed(UNVERIFIABLE, provider=label) from failure
    except RequestException as failure:
        raise SigninFailed(UNREACHABLE, status=503, provider=label) from failure
    except (ValueError, KeyError, TypeError, RuntimeError) as failure:
        current_app.logger.warning("sign-in with %s failed: %r", provider.name, failure)
        raise SigninFailed(MISCONFIGURED, status=502, provider=label) from failure
    if not profile.subject:
        raise SigninFailed(MISCONFIGURED, status=502, provider=label)
    return profile


def _short(text: object) -> str:
    """Return a provider's error code, shortened (it comes from outside)."""
    return "".join(ch for ch in str(text or "error") if ch.isprintable())[:60]


def _profile(provider: Provider, client, token: dict) -> Profile:
    """Return the profile the provider gives for this token."""
    if provider.kind == "github":
        user = _json(client.get("user", token=token))
        emails = _json(client.get("user/emails", token=token))
        return github_profile(user, emails if isinstance(emails, list) else [])
    if provider.kind == "wordpress":
        return wordpress_profile(_json(client.get("me", token=token)))
    claims = token.get("userinfo")
    if not claims:  # an OpenID provider must send a (verified) ID token
        raise ValueError("no ID token in the token response")
    claims = dict(claims)
    metadata = client.load_server_metadata()
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):  # OpenID Connect Core §5.3.2
            raise ValueError("userinfo is about another subject")
        claims = {**extra, **claims}
    return oidc_profile(claims)


def _json(response):
    """Return a provider API answer's JSON, raising for an error status."""
    response.raise_for_status()
    return response.json()
