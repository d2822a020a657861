"""OAuth for the emulated RingCentral platform: token, refresh, revoke, bearer checks.

Choices where RingCentral's documents are silent (see docs/providers/ringcentral.md):

* Without ``accounts: {ringcentral: [...]}`` in the scenario any client id/secret and any
  JWT assertion, username/password or authorization code is accepted, for one default
  account (``DEFAULT_ACCOUNT_ID``). With accounts declared they are checked; a credential
  an entry leaves out (its username too) accepts any value, but a username or JWT some
  entry names logs in only to the entries naming it.
* A code ``/oauth/authorize`` issued works once, for ``CODE_TTL`` seconds, for the client
  and ``redirect_uri`` it was issued for, with the ``code_verifier`` its PKCE challenge
  asks for; a code it never issued logs in, a test's shortcut past the browser step.
* TTLs are clamped, never refused: ``access_token_ttl`` into 600–3600 s,
  ``refresh_token_ttl`` into 1–2,592,000 s; zero, negative (the JS SDK's ``-1``) or
  unparsable values mean the defaults (3600 s, 604,800 s).
* A refresh token works once, and only for the client it was issued to (authenticated as
  at login). Refreshing ends the previous access token at once (OAU-129 for 10 s, then
  OAU-213); revoking (with either live token) ends the whole session.
* ``scope`` may narrow, never widen: at login within the account's ``scope`` (default
  ``A2PSMS``), on refresh within what the login granted (and, left out, all of that).
* Tokens expire on the emulator clock.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import msgspec

from .errors import (
    AuthorizationInvalid,
    AuthorizationMissing,
    OAuthError,
    TokenCorrupted,
    TokenExpired,
    TokenNotFound,
    TokenUnparsable,
)

if TYPE_CHECKING:
    from ...emulator import Emulator

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_OWNER_ID",
    "Principal",
    "authenticate",
    "authenticate_client",
    "authorization_redirect",
    "default_account",
    "issue_token",
    "revoke_token",
]

PROVIDER = "ringcentral"
DEFAULT_ACCOUNT_ID = "37439510"
DEFAULT_OWNER_ID = "1040128016"
DEFAULT_SCOPE = "A2PSMS"
ACCESS_TTL, ACCESS_MIN, ACCESS_MAX = 3600, 600, 3600
REFRESH_TTL, REFRESH_MAX = 604_800, 2_592_000

_ACCESS = "ringcentral.access"
_REFRESH = "ringcentral.refresh"
_SESSION = "ringcentral.session"
_CODE = "ringcentral.code"

#: Seconds an authorization code lives: RingCentral's guide shows the redirect it makes
#: with ``expires_in=60``, "the remaining lifetime of the authorization code".
CODE_TTL = 60
#: RFC 7636's code challenge methods, which RingCentral's spec lists; ``plain`` is
#: assumed when ``code_challenge_method`` is left out.
_PKCE_METHODS = ("plain", "S256")
#: RingCentral's error table's codes and messages for a code the token endpoint refuses.
_INVALID_CODE = ("invalid_grant", "OAU-106", "Invalid authorization code")
_EXPIRED_CODE = ("invalid_grant", "OAU-108", "Authorization code is expired")
#: ``invalid_redirect_uri``, not RFC 6749's ``invalid_grant``: what RingCentral answered
#: a code exchanged with another redirect_uri (ringcentral-embeddable issue #914, 2024).
_OTHER_REDIRECT = ("invalid_redirect_uri", "OAU-109", "Redirect URIs do not match")
_OTHER_CLIENT = (
    "invalid_grant",
    "OAU-110",
    "Authorization code was not issued for this application",
)
#: The client id of a client authenticated by a ``client_assertion`` alone.
_ASSERTED_CLIENT = "jwt-client"

#: Seconds an access token replaced by a refresh answers "Access token corrupted"
#: before "Token not found" (what RingCentral's SDK maintainer measured).
_CORRUPTED_FOR = 10.0
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-.~+/=]+")
#: What no ``Location`` header can carry (a CR or LF would split it): such a
#: ``redirect_uri`` is refused, not sent back.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: The URI characters kept as they are when the ``redirect_uri`` goes back in a
#: ``Location`` header; anything else (a space, a non-ASCII letter) is percent-encoded
#: in UTF-8, as a browser sends it.
_URI_CHARS = "!#$%&'()*+,/:;=?@[]~"

JWT_GRANTS = ("urn:ietf:params:oauth:grant-type:jwt-bearer", "partner_jwt")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a bearer token speaks for."""

    account_id: str
    owner_id: str
    scope: str
    session_id: str
    client_id: str = ""

    def has_permission(self, name: str) -> bool:
        return name in self.scope.split()

    @property
    def rate_limit_key(self) -> tuple[str, str, str]:
        """RingCentral counts a user's requests per (user, application)."""
        return (self.account_id, self.owner_id, self.client_id)


def _accounts(emu: Emulator) -> list[dict[str, Any]] | None:
    return emu.scenario.provider_accounts(PROVIDER)


def default_account(emu: Emulator) -> dict[str, Any]:
    """The account inbound messages and unauthenticated lookups belong to."""
    accounts = _accounts(emu)
    return accounts[0] if accounts else {}


def _account_id(account: dict[str, Any]) -> str:
    return str(account.get("account_id", DEFAULT_ACCOUNT_ID))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _ttl(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        if raw and "_" in raw:  # Python reads "9_00" as 900; a Java server would not
            raise ValueError(raw)
        number = float(raw) if raw not in (None, "") else 0.0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0.0
    if number != number or number < 1:  # NaN, zero, negative, unparsable
        return default
    return max(low, min(high, int(min(number, high))))  # inf / 1e400 clamp to the maximum


def _client(headers: dict[str, str], form: dict[str, str]) -> tuple[str, str | None]:
    header = headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise OAuthError(
                "invalid_client", "OAU-123", "Authentication header value is malformed"
            )
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except ValueError:  # bad Base64 (binascii.Error), non-ASCII text, not UTF-8
            raise OAuthError(
                "invalid_client", "OAU-123", "Authentication header value is malformed"
            ) from None
        client_id, sep, secret = decoded.partition(":")
        if not sep or not client_id:
            raise OAuthError(
                "invalid_client", "OAU-123", "Authentication header value is malformed"
            )
        return client_id, secret
    if form.get("client_id"):
        return form["client_id"], form.get("client_secret")
    if form.get("client_assertion"):
        return _ASSERTED_CLIENT, None
    raise OAuthError("invalid_client", "OAU-123", "Client authentication is required")


def _require(form: dict[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise OAuthError(
            "invalid_request",
            "OAU-250",
            f"Required parameter [{name}] is missing",
            parameter=name,
        )
    return value


def authorization_redirect(emu: Emulator, params: Any) -> str:
    """Where ``GET /restapi/oauth/authorize`` sends the browser: back to ``redirect_uri``
    with a ``code``, its ``expires_in`` (and the ``state`` given), as if the user had
    signed in and agreed at once; an unsupported ``response_type`` or PKCE method goes
    back as RFC 6749's error instead (in the fragment for ``token``, the implicit grant,
    whose answers a browser app reads there)."""
    for name in ("response_type", "client_id", "redirect_uri"):
        _require(params, name)
    redirect = _redirect_target(params["redirect_uri"])
    answer = _authorization_answer(emu, params)
    if params.get("state") is not None:
        answer["state"] = params["state"]
    if params["response_type"] == "token":  # RFC 6749 4.2.2.1: the implicit grant's error
        return f"{redirect}#{urlencode(answer)}"
    joiner = "&" if "?" in redirect else "?"
    return f"{redirect}{joiner}{urlencode(answer)}"


def _redirect_target(redirect: str) -> str:
    """``redirect_uri`` as a ``Location`` header carries it, or invalid_request."""
    # RFC 6749 3.1.2: a redirection endpoint "MUST NOT include a fragment component"
    bad = "#" in redirect or _CONTROL.search(redirect)
    if not redirect.lower().startswith(("http://", "https://")) or bad:
        raise OAuthError(
            "invalid_request",
            "OAU-250",
            f"Parameter [redirect_uri] value [{redirect}] is invalid",
            parameter="redirect_uri",
        )
    return quote(redirect, safe=_URI_CHARS)  # a header value: ASCII only


def _authorization_answer(emu: Emulator, params: Any) -> dict[str, str]:
    """The query the redirect adds: a new code, or RFC 6749's error."""
    if params["response_type"] != "code":
        return {"error": "unsupported_response_type"}
    challenge = params.get("code_challenge") or ""
    method = params.get("code_challenge_method") or "plain"
    if challenge and method not in _PKCE_METHODS:
        # RFC 7636 4.4.1: an unsupported transformation is invalid_request
        description = f"Parameter [code_challenge_method] value [{method}] is invalid"
        return {"error": "invalid_request", "error_description": description}
    code = _issue_code(emu, params, challenge, method)
    return {"code": code, "expires_in": str(CODE_TTL)}


def _issue_code(emu: Emulator, params: Any, challenge: str, method: str) -> str:
    """A new code, saved with what the token endpoint checks it against."""
    with emu.transaction():
        code = emu.ids.urlsafe("ringcentral.code", 46)
        issued: dict[str, Any] = {
            "client": params["client_id"],
            "redirect": params["redirect_uri"],
            "expires": emu.time() + CODE_TTL,
        }
        if challenge:
            issued.update(challenge=challenge, method=method)
        emu.store.put_state(_CODE, code, issued)
    return code


def _redeem_code(emu: Emulator, form: dict[str, str], client_id: str) -> None:
    """Use up the ``code`` of an ``authorization_code`` login, or raise its OAuthError;
    called inside the transaction that saves the session, so that two logins cannot
    both use it. A code ``/oauth/authorize`` never issued is let through."""
    code = form["code"]
    issued = emu.store.get_state(_CODE, code)
    if issued is None:
        return
    if issued.get("used"):
        raise OAuthError(*_INVALID_CODE)
    if emu.time() >= issued["expires"]:
        raise OAuthError(*_EXPIRED_CODE)
    if not _same_client(form, client_id, issued["client"]):
        raise OAuthError(*_OTHER_CLIENT)
    # RFC 6749 4.1.3: the redirect_uri given to /authorize, identical (none is no match)
    if form.get("redirect_uri") != issued["redirect"]:
        raise OAuthError(*_OTHER_REDIRECT)
    if not _verifier_fits(issued, form.get("code_verifier", "")):
        raise OAuthError(*_INVALID_CODE)
    # kept, as used: forgotten, a reused code would log in as one never issued does
    emu.store.put_state(_CODE, code, {"used": True})


def _same_client(form: dict[str, str], client_id: str, issued_to: str) -> bool:
    """Whether the token request's client is the one the code was issued to."""
    if client_id == _ASSERTED_CLIENT:  # RFC 7523 3: the assertion's ``sub`` is the client id
        return _assertion_subject(form.get("client_assertion", "")) == issued_to
    return client_id == issued_to


def _assertion_subject(assertion: str) -> str | None:
    """The ``sub`` claim of a JWT (its signature unchecked, as everywhere here)."""
    try:
        payload = assertion.split(".")[1]
        claims = msgspec.json.decode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, msgspec.DecodeError, RecursionError):
        # no payload, bad Base64, not JSON (or not UTF-8: msgspec's DecodeError, which is
        # no ValueError in msgspec 0.18); msgspec raises RecursionError for arrays or
        # objects nested ~1,000 deep
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) else None


def _verifier_fits(issued: dict[str, Any], verifier: str) -> bool:
    """RFC 7636 4.6: the ``code_verifier`` matches the code's challenge (if it has one)."""
    challenge = issued.get("challenge")
    if challenge is None:  # no PKCE: a code_verifier sent anyway is ignored
        return True
    if not verifier:
        return False
    if issued["method"] == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return verifier == challenge


def _bad_credentials() -> OAuthError:
    return OAuthError("invalid_grant", "OAU-140", "Invalid resource owner credentials")


def _token_not_found() -> OAuthError:
    return OAuthError("invalid_grant", "OAU-213", "Token not found")


def _granted_scope(requested: str | None, allowed: str) -> str:
    """The scope to issue: ``allowed`` when none is asked for, else the asked-for subset."""
    wanted = (requested or "").split()
    if not wanted:
        return allowed
    if not set(wanted) <= set(allowed.split()):
        # RFC 6749 5.2 names the error; no RingCentral source gives its errorCode (the
        # OAU- table has none for scopes), so this uses CMN-101, RingCentral's code for
        # an invalid parameter value, which its OAuth bodies also carry.
        raise OAuthError(
            "invalid_scope", "CMN-101", "Parameter [scope] value is invalid.", parameter="scope"
        )
    return " ".join(dict.fromkeys(wanted))


def _candidates(
    accounts: list[dict[str, Any]], client_id: str, secret: str | None
) -> list[dict[str, Any]]:
    """Declared accounts this client may act for; invalid_client if none."""
    found = []
    for account in accounts:
        ids = _as_list(account.get("client_id"))
        if ids and client_id not in ids:
            continue
        wanted = account.get("client_secret")
        if wanted is not None and secret != str(wanted):
            continue
        found.append(account)
    if not found:
        raise OAuthError("invalid_client", "OAU-120", f"Invalid client: {client_id}")
    return found


def _login_name(form: dict[str, str]) -> tuple[str, str]:
    """The password login's username (without ``+``) and extension (``name*ext`` too)."""
    username = form.get("username", "")
    extension = form.get("extension", "")
    if "*" in username:
        username, _, extension = username.partition("*")
    return username.lstrip("+"), extension


def _usernames(account: dict[str, Any]) -> set[str]:
    return {n.lstrip("+") for n in _as_list(account.get("username"))}


def _jwts(account: dict[str, Any]) -> list[str]:
    return _as_list(account.get("jwt")) + _as_list(account.get("jwts"))


def _extension_fits(account: dict[str, Any], extension: str) -> bool:
    """A login giving ``extension`` (or none) may be the entry's user."""
    wanted = account.get("extension")
    return wanted is None or not extension or extension == str(wanted)


def _password_matches(account: dict[str, Any], form: dict[str, str]) -> bool:
    username, extension = _login_name(form)
    names = _usernames(account)  # left out: any, as a left-out jwt is
    if names and username not in names:
        return False
    if "password" in account and form.get("password") != str(account["password"]):
        return False
    return _extension_fits(account, extension)


def _claimed(
    candidates: list[dict[str, Any]],
    claims: Callable[[dict[str, Any]], bool],
    leaves_out: Callable[[dict[str, Any]], bool],
) -> list[dict[str, Any]]:
    """The entries that ``claims`` the login (naming its username and extension, or its
    JWT): it is theirs alone, whatever their order; none do: the entries that leave the
    credential out (any value)."""
    named = [a for a in candidates if claims(a)]
    return named or [a for a in candidates if leaves_out(a)]


def _authenticate_client(emu: Emulator, client_id: str, secret: str | None) -> list[dict[str, Any]]:
    """Check the client as login does: invalid_client unless a declared account allows
    it.  The declared accounts it may act for (none declared: ``[]``)."""
    accounts = _accounts(emu)
    return _candidates(accounts, client_id, secret) if accounts else []


def _registered_scope(candidates: list[dict[str, Any]], grant: dict[str, Any]) -> str:
    """The registered scope of the declared account ``grant`` was issued for: what its
    login could be granted (what all of them allow, if several entries could be it)."""
    account_id = grant["account"]
    mine = [a for a in candidates if _account_id(a) == account_id]
    owners = [a for a in mine if str(a.get("owner_id", DEFAULT_OWNER_ID)) == grant["owner"]]
    entries = owners or mine
    if not entries:
        return DEFAULT_SCOPE
    scopes = [str(a.get("scope", DEFAULT_SCOPE)).split() for a in entries]
    common = set.intersection(*map(set, scopes))
    return " ".join(name for name in scopes[0] if name in common)


def _grant_account(
    emu: Emulator, grant: str, form: dict[str, str], client_id: str, secret: str | None
) -> dict[str, Any]:
    """Check the grant's credentials; the account it logs in to."""
    if grant in JWT_GRANTS:
        assertion = _require(form, "assertion")
    elif grant == "password":
        _require(form, "username")
        _require(form, "password")
    elif grant == "authorization_code":
        _require(form, "code")
    else:
        raise OAuthError(
            "unsupported_grant_type",
            "OAU-250",
            f"Unsupported grant type [{grant}]",
            parameter="grant_type",
        )
    accounts = _accounts(emu)
    if not accounts:
        return {}
    candidates = _candidates(accounts, client_id, secret)
    if grant in JWT_GRANTS:
        candidates = _claimed(candidates, lambda a: assertion in _jwts(a), lambda a: not _jwts(a))
    elif grant == "password":
        username, extension = _login_name(form)
        candidates = _claimed(
            candidates,
            lambda a: username in _usernames(a) and _extension_fits(a, extension),
            lambda a: not _usernames(a),
        )
        candidates = [a for a in candidates if _password_matches(a, form)]
    if candidates:
        return candidates[0]
    raise _bad_credentials()


def _new_session(
    emu: Emulator,
    *,
    account_id: str,
    owner_id: str,
    scope: str,
    client_id: str,
    endpoint_id: str,
    session_id: str,
    access_ttl: int,
    refresh_ttl: int,
    granted: str,
) -> dict[str, Any]:
    """New tokens for a session; called inside ``emu.transaction()`` (saved together).

    ``granted`` is the scope the login granted: a refresh may ask for no more.
    """
    now = emu.time()
    access = emu.ids.urlsafe("ringcentral.access", 46)
    refresh = emu.ids.urlsafe("ringcentral.refresh", 46)
    grant = {
        "session": session_id,
        "account": account_id,
        "owner": owner_id,
        "scope": scope,
        "granted": granted,
        "client": client_id,
        "endpoint": endpoint_id,
    }
    store = emu.store
    store.put_state(_ACCESS, access, dict(grant, expires=now + access_ttl))
    store.put_state(_REFRESH, refresh, dict(grant, expires=now + refresh_ttl))
    session = store.get_state(_SESSION, session_id) or {"access": []}
    session["access"] = [*session["access"], access]
    session["refresh"] = refresh
    store.put_state(_SESSION, session_id, session)
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": access_ttl,
        "refresh_token": refresh,
        "refresh_token_expires_in": refresh_ttl,
        "scope": scope,
        "owner_id": owner_id,
        "endpoint_id": endpoint_id,
        "session_id": session_id,
    }


def issue_token(emu: Emulator, headers: dict[str, str], form: dict[str, str]) -> dict[str, Any]:
    """Answer ``POST /restapi/oauth/token``: the TokenInfo body, or raise ``OAuthError``."""
    grant = _require(form, "grant_type")
    client_id, secret = _client(headers, form)
    access_ttl = _ttl(form.get("access_token_ttl"), ACCESS_TTL, ACCESS_MIN, ACCESS_MAX)
    refresh_ttl = _ttl(form.get("refresh_token_ttl"), REFRESH_TTL, 1, REFRESH_MAX)
    if grant == "refresh_token":
        return _refresh(emu, form, client_id, secret, access_ttl, refresh_ttl)
    account = _grant_account(emu, grant, form, client_id, secret)
    scope = _granted_scope(form.get("scope"), str(account.get("scope", DEFAULT_SCOPE)))
    with emu.transaction():  # the session's ids are saved with it, and its code used up
        if grant == "authorization_code":
            _redeem_code(emu, form, client_id)
        return _new_session(
            emu,
            account_id=_account_id(account),
            owner_id=str(account.get("owner_id", DEFAULT_OWNER_ID)),
            scope=scope,
            client_id=client_id,
            endpoint_id=form.get("endpoint_id") or emu.ids.urlsafe("ringcentral.endpoint", 22),
            session_id=str(emu.ids.next("ringcentral.session") + 9_000_000_000),
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            granted=scope,
        )


def _refresh(
    emu: Emulator,
    form: dict[str, str],
    client_id: str,
    secret: str | None,
    access_ttl: int,
    refresh_ttl: int,
) -> dict[str, Any]:
    token = _require(form, "refresh_token")
    candidates = _authenticate_client(emu, client_id, secret)
    grant = emu.store.get_state(_REFRESH, token)
    # Another client's refresh token: RFC 6749 5.2 says invalid_grant, and no RingCentral
    # source gives a code (OAU-110 is for authorization codes), so it is answered as
    # unknown, and left unused for the client it belongs to.
    if grant is None or grant["client"] != client_id:
        raise _token_not_found()
    if emu.time() >= grant["expires"]:
        emu.store.delete_state(_REFRESH, token)  # single use, even when refused
        # RingCentral's own answer (its developer community's "access token expired
        # error OAU-210" post); not the SDKs' local "Refresh token has expired"
        raise OAuthError("invalid_grant", "OAU-210", "Token expired")
    granted = grant.get("granted")
    if granted is None:  # saved by an earlier version: what its login could be granted
        granted = _registered_scope(candidates, grant)
    requested = form.get("scope", "")
    # RFC 6749 section 6: an omitted scope is the one the login granted.
    scope = _granted_scope(requested, granted) if requested.split() else granted
    with emu.transaction():  # used up in the same commit as the tokens replacing it
        emu.store.delete_state(_REFRESH, token)
        _retire_access_tokens(emu, grant["session"])
        return _new_session(
            emu,
            account_id=grant["account"],
            owner_id=grant["owner"],
            scope=scope,
            client_id=grant["client"],
            endpoint_id=grant["endpoint"],
            session_id=grant["session"],
            access_ttl=access_ttl,
            refresh_ttl=refresh_ttl,
            granted=granted,
        )


def _retire_access_tokens(emu: Emulator, session_id: str) -> None:
    """A refresh makes the session's access tokens invalid at once: kept, marked, so
    that they answer OAU-129 for a while (then OAU-213, as RingCentral does), under
    the session's ``retired``; those retired long enough are forgotten (OAU-213 too),
    so a long session's refresh stays as cheap as its first."""
    store, now = emu.store, emu.time()
    session = store.get_state(_SESSION, session_id) or {}
    retired = []
    for access in session.get("retired", []):
        grant = store.get_state(_ACCESS, access)
        if grant is None:
            continue
        if now >= grant["replaced"] + _CORRUPTED_FOR:
            store.delete_state(_ACCESS, access)
        else:
            retired.append(access)
    for access in session.get("access", []):
        grant = store.get_state(_ACCESS, access)
        if grant is not None:  # (one an earlier version replaced keeps its time)
            store.put_state(_ACCESS, access, dict(grant, replaced=grant.get("replaced", now)))
            retired.append(access)
    store.put_state(_SESSION, session_id, dict(session, access=[], retired=retired))


def revoke_token(emu: Emulator, token: str) -> None:
    """End the session ``token`` (access or refresh) belongs to; unknown tokens are ignored."""
    store = emu.store
    with emu.transaction():  # a session is never left half revoked
        grant = store.get_state(_ACCESS, token) or store.get_state(_REFRESH, token)
        if grant is None or "replaced" in grant:  # unknown to the API too: ignored
            return
        session = store.get_state(_SESSION, grant["session"]) or {"access": []}
        for access in [*session.get("access", []), *session.get("retired", [])]:
            store.delete_state(_ACCESS, access)
        if session.get("refresh"):
            store.delete_state(_REFRESH, session["refresh"])
        store.delete_state(_ACCESS, token)
        store.delete_state(_REFRESH, token)
        revoked: dict[str, Any] = {"access": [], "refresh": None, "revoked": True}
        store.put_state(_SESSION, grant["session"], revoked)


def authenticate(emu: Emulator, authorization: str | None) -> Principal:
    """The principal behind an ``Authorization`` header, or raise the matching 401."""
    if not authorization or not authorization.strip():
        raise AuthorizationMissing()
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthorizationInvalid()
    if _TOKEN_CHARS.fullmatch(token) is None:
        raise TokenUnparsable()
    grant = emu.store.get_state(_ACCESS, token)
    if grant is None:
        raise TokenNotFound()
    now = emu.time()
    replaced = grant.get("replaced")
    if replaced is not None:  # by a refresh
        raise TokenCorrupted() if now < replaced + _CORRUPTED_FOR else TokenNotFound()
    if now >= grant["expires"]:
        raise TokenExpired()
    return Principal(
        grant["account"], grant["owner"], grant["scope"], grant["session"], grant.get("client", "")
    )


def authenticate_client(emu: Emulator, headers: dict[str, str], form: dict[str, str]) -> str:
    """The client of a revoke request, authenticated as login authenticates it (the spec:
    revoke "requires client authentication", or a public client's ``client_id``):
    invalid_client OAU-123 when it names none, OAU-120 when no declared account allows it."""
    client_id, secret = _client(headers, form)
    _authenticate_client(emu, client_id, secret)
    return client_id


def rate_limit_client(emu: Emulator, authorization: str | None, form: dict[str, str]) -> str:
    """The application a token request counts for (its Basic header's client id, else
    the form's), or "" when it names none the scenario knows: such requests share one
    bucket, and a flood of made-up ids cannot make a bucket each."""
    try:
        client_id, secret = _client({"authorization": authorization or ""}, form)
        _authenticate_client(emu, client_id, secret)
    except OAuthError:
        return ""
    return client_id
