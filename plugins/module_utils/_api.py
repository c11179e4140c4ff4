# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport for the Linode API v4 (private to this collection).

One :class:`LinodeClient` holds one ``requests.Session``. It builds URLs in one
place (:meth:`LinodeClient._url`), turns every HTTP answer or transport failure
into a result or a :class:`LinodeError` in one place (:meth:`LinodeClient._request`
and :func:`_api_error`), retries through :class:`_LinodeRetry`, and follows pages
in :meth:`LinodeClient.get_all`.

Errors name the request as ``METHOD PATH`` where PATH is the URL path *with* the
version prefix and *without* scheme, host or query, e.g. ``POST /v4/images/private/12/regions``
(if ``api_url`` carries a path prefix, it is part of PATH). Connection errors name
the host in their ``reason``. The API token is only ever sent in the
``Authorization`` header; it never appears in an exception's ``str()`` or ``repr()``
(any text taken from ``requests`` is scrubbed as well).

Retries: ``max_retries`` is the number of *re*-tries after errors, so at most ``max_retries + 1``
requests are sent for one call, plus those answered 429: rate limiting has a budget of its own
(``RATE_LIMIT_RETRIES`` answers and ``RATE_LIMIT_SECONDS`` of waiting per call, each wait the
``Retry-After`` plus up to a quarter of it, at most 1 s, of random spread so that clients told to
come back together do not collide again). ``max_retries=0`` turns every retry off. GET is retried on 408, 429, 500, 502, 503, 504, read
timeouts and dropped connections; POST only on 408 and 429. Connect failures
(refused, connect timeout: the request was never sent) are retried for every method.
TLS failures are never retried. ``Retry-After`` is honoured but capped at
``retry_after_cap`` seconds; each capped wait adds a line to ``client.warnings``.
Without ``Retry-After`` the wait is ``backoff_factor * 2 ** (n - 1)`` seconds before
retry ``n``, at most ``backoff_max``.

A client is not meant to be shared between threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import re
import time
import traceback
import warnings

from html import unescape as _html_unescape
from urllib.parse import quote, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import (
        ConnectTimeoutError,
        InsecureRequestWarning,
        InvalidHeader,
        MaxRetryError,
        NewConnectionError,
        ProxyError,
        ReadTimeoutError,
    )
    from urllib3.util.retry import Retry
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HAS_REQUESTS = False
    Retry = object  # lets this file import without requests; LinodeClient refuses to start
else:
    REQUESTS_IMPORT_ERROR = None
    HAS_REQUESTS = True


COLLECTION_NAME = "cloudops.linode"
COLLECTION_VERSION = "0.1.0"

API_VERSIONS = ("v4", "v4beta")
PAGE_SIZE = 500

# GET (and the other idempotent methods) are retried on these statuses ...
RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
# ... POST only on these: the API did not process the request.
POST_RETRY_STATUSES = frozenset((408, 429))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
# Rate limiting is not an error: 429 answers do not spend max_retries but this budget of their own,
# bounded in count and in seconds slept so that a server that always says 429 cannot hang a play.
RATE_LIMIT_RETRIES = 20
RATE_LIMIT_SECONDS = 180

TOKEN_ENV_HINT = "check api_token (or the LINODE_API_TOKEN / LINODE_TOKEN environment variables)"

_ERRNO_RE = re.compile(r"\[Errno -?\d+\][^'\")]*")
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SCRIPT_RE = re.compile(r"<(script|style)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_EXCERPT_LEN = 200


class LinodeError(Exception):
    """Base of every error raised by this module. Never carries the API token."""


class LinodeConfigError(LinodeError):
    """A client option is invalid; the message names the option."""


class LinodeAPIError(LinodeError):
    """The API answered with an error status (or with something that is not the JSON it should send).

    ``errors`` is the API's ``errors`` list (dicts with ``reason`` and maybe ``field``), or one
    synthesized ``{"reason": ...}`` entry when the body had none. ``attempts`` is how many
    requests were sent for this call, when the transport gave up retrying (else ``None``).
    """

    def __init__(self, status, errors, method, path, hint=None, attempts=None):
        self.status = status
        self.errors = list(errors or [])
        self.method = method
        self.path = path
        self.hint = hint
        self.attempts = attempts
        super(LinodeAPIError, self).__init__(self._render())

    def _render(self):
        parts = []
        for error in self.errors:
            if not isinstance(error, dict):
                parts.append(str(error))
                continue
            reason = error.get("reason") or "(no reason given)"
            field = error.get("field")
            part = "%s: %s" % (field, reason) if field else str(reason)
            parts.append(_SPACE_RE.sub(" ", part).strip())
        msg = "%s %s failed (%s): %s" % (self.method, self.path, self.status, "; ".join(parts) or "(no details)")
        if self.hint:
            msg += "; " + self.hint
        if self.attempts:
            msg += " (gave up after %d attempt%s)" % (self.attempts, "" if self.attempts == 1 else "s")
        return msg

    @property
    def reasons(self):
        """The ``reason`` of every error, in order."""
        return [e.get("reason") if isinstance(e, dict) else str(e) for e in self.errors]

    def __repr__(self):
        return "LinodeAPIError(status=%r, errors=%r, method=%r, path=%r, attempts=%r)" % (
            self.status, self.errors, self.method, self.path, self.attempts)


class LinodeConnectionError(LinodeError):
    """No HTTP answer: connection refused or reset, timeout, TLS failure, bad URL.

    ``request_sent`` is True when the request may have reached the API (read timeout,
    connection dropped after sending): a write is then ambiguous and must be re-read.
    """

    def __init__(self, method, path, reason, request_sent, is_certificate_error=False):
        self.method = method
        self.path = path
        self.reason = reason
        self.request_sent = bool(request_sent)
        self.is_certificate_error = bool(is_certificate_error)
        super(LinodeConnectionError, self).__init__("%s %s failed: %s" % (method, path, reason))

    def __repr__(self):
        return "LinodeConnectionError(method=%r, path=%r, reason=%r, request_sent=%r, is_certificate_error=%r)" % (
            self.method, self.path, self.reason, self.request_sent, self.is_certificate_error)


class _RetryState:
    """Shared by every copy of one client's retry policy: where warnings go, what is counted."""

    def __init__(self, client, retries_allowed=True):
        self.client = client  # warnings go to client.warnings, even if the caller replaced that list
        self.retries_allowed = retries_allowed  # max_retries=0 turns off the rate-limit retries too
        self.reset()

    def reset(self):
        self.increments = 0  # attempts that ended in a retry decision (retried or given up)
        self.exhausted = False
        self.rate_limited = 0  # 429 answers retried on the rate-limit budget
        self.rate_limit_slept = 0.0

    def rate_limit_budget_left(self):
        return self.retries_allowed and self.rate_limited < RATE_LIMIT_RETRIES and self.rate_limit_slept < RATE_LIMIT_SECONDS


class _LinodeRetry(Retry):
    """urllib3 ``Retry`` with Linode's method rules, a capped ``Retry-After`` and our own backoff.

    Works with urllib3 1.26 and 2.x: it relies only on ``new``, ``increment``, ``is_retry``,
    ``get_backoff_time``, ``get_retry_after``, ``sleep_for_retry`` and ``_is_method_retryable``.
    """

    def __init__(self, *args, **kwargs):
        self.linode_state = kwargs.pop("linode_state", None)
        self.retry_after_cap = kwargs.pop("retry_after_cap", 60)
        self.linode_backoff_max = kwargs.pop("linode_backoff_max", 10)
        self.linode_request = kwargs.pop("linode_request", None)
        super(_LinodeRetry, self).__init__(*args, **kwargs)

    def new(self, **kw):
        kw.setdefault("linode_state", self.linode_state)
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        kw.setdefault("linode_backoff_max", self.linode_backoff_max)
        kw.setdefault("linode_request", self.linode_request)
        return super(_LinodeRetry, self).new(**kw)

    # which failures are retried

    def _is_method_retryable(self, method):
        # urllib3 consults this for read errors (read timeout, dropped connection): never retry a POST then.
        return (method or "").upper() in IDEMPOTENT_METHODS

    def is_retry(self, method, status_code, has_retry_after=False):
        method = (method or "").upper()
        if method == "POST":
            return status_code in POST_RETRY_STATUSES
        return method in IDEMPOTENT_METHODS and status_code in RETRY_STATUSES

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        state = self.linode_state
        if state is not None:
            state.increments += 1
        if error is not None and response is None and not (self._is_connection_error(error) or self._is_read_error(error)):
            # TLS failures and the like: retrying will not help. requests maps these the same way as
            # the MaxRetryError urllib3 would raise.
            raise error
        retry = self
        if (response is not None and response.status == 429 and self.total is not None and state is not None
                and state.rate_limit_budget_left()):
            # Give back the attempt the parent is about to take: this retry is paid from the rate-limit budget.
            state.rate_limited += 1
            retry = self.new(total=self.total + 1, status=None if self.status is None else self.status + 1)
        try:
            new_retry = super(_LinodeRetry, retry).increment(
                method=method, url=url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)
        except MaxRetryError:
            if state is not None:
                state.exhausted = True
            raise
        new_retry.linode_request = (method, (url or "").split("?", 1)[0])
        return new_retry

    # how long to wait

    def get_backoff_time(self):
        retries_so_far = len(self.history)
        if retries_so_far <= 0 or not self.backoff_factor:
            return 0
        return max(0.0, min(float(self.linode_backoff_max), self.backoff_factor * (2 ** (retries_so_far - 1))))

    def get_retry_after(self, response):
        try:
            return super(_LinodeRetry, self).get_retry_after(response)
        except (InvalidHeader, ValueError, TypeError, OverflowError):
            # an unparsable value: fall back to our backoff
            return None

    def sleep_for_retry(self, response=None):
        retry_after = self.get_retry_after(response) if response is not None else None
        if not retry_after or retry_after <= 0:
            return False
        cap = self.retry_after_cap
        if cap is not None and retry_after > cap:
            method, path = self.linode_request or ("?", "?")
            if self.linode_state is not None:
                self.linode_state.client.warnings.append(
                    "The API asked to wait %s s (Retry-After) on %s %s; waited %s s, the retry_after_cap"
                    % (_fmt_seconds(retry_after), method, path, _fmt_seconds(cap)))
            retry_after = cap
            if retry_after <= 0:
                return False
        if response.status == 429:
            # Clients told to come back at the same moment would collide again: spread them out a little.
            retry_after += random.uniform(0, min(1.0, 0.25 * retry_after))
            if self.linode_state is not None:
                self.linode_state.rate_limit_slept += retry_after
        time.sleep(retry_after)
        return True


def _fmt_seconds(value):
    return "%d" % value if float(value).is_integer() else "%.1f" % value


def _excerpt(text):
    """A short one-line human excerpt of an (HTML or plain) error page."""
    match = _TITLE_RE.search(text)
    if match and match.group(1).strip():
        text = match.group(1)
    else:
        text = _TAG_RE.sub(" ", _SCRIPT_RE.sub(" ", text))
    text = _html_unescape(text)
    text = _SPACE_RE.sub(" ", text).strip()
    if len(text) > _EXCERPT_LEN:
        text = text[:_EXCERPT_LEN].rstrip() + "..."
    return text


def _decode_json(response):
    """(True, value) when the body is JSON, else (False, None). An empty body is not JSON."""
    content = response.content or b""
    if not content.strip():
        return False, None
    try:
        return True, json.loads(content.decode(response.encoding or "utf-8", "replace"))
    except ValueError:
        return False, None


def _not_json_reason(response):
    content_type = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip()
    what = content_type or "a body without Content-Type"
    if not (response.content or b"").strip():
        return "the API answered an empty body (%s) instead of JSON" % what
    excerpt = _excerpt(response.content.decode(response.encoding or "utf-8", "replace"))
    return "the API answered %s instead of JSON: %s" % (what, excerpt)


def _api_error(response, method, path, attempts=None, scrub=None):
    """The one place an HTTP answer we cannot use becomes a LinodeAPIError.

    ``scrub`` masks the token in every text taken from the answer: a proxy or error page may echo the request's headers.
    """
    status = response.status_code
    is_json, body = _decode_json(response)
    errors = None
    if is_json and isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        errors = body["errors"]
    elif is_json:
        text = json.dumps(body, sort_keys=True)
        if len(text) > _EXCERPT_LEN:
            text = text[:_EXCERPT_LEN] + "..."
        errors = [{"reason": "unexpected answer: %s" % text}]
    elif 300 <= status < 400:
        errors = [{"reason": "the API redirected to %s; check api_url" % (response.headers.get("Location") or "(no Location)")}]
    else:
        errors = [{"reason": _not_json_reason(response)}]
    if scrub is not None:
        errors = [_scrub_error_entry(error, scrub) for error in errors]
    hint = None
    if status == 401:
        hint = TOKEN_ENV_HINT
    elif status == 403:
        under_images = "/images" in path
        if method == "POST":
            hint = "the token needs the images:read_write scope to replicate images" if under_images else \
                "the token lacks the read_write scope this call needs"
        else:
            hint = "the token needs the images:read_only scope to read images" if under_images else \
                "the token lacks the read_only scope this call needs"
    return LinodeAPIError(status, errors, method, path, hint=hint, attempts=attempts)


def _scrub_error_entry(error, scrub):
    if not isinstance(error, dict):
        return scrub(error)
    return dict((key, scrub(value) if isinstance(value, str) else value) for key, value in error.items())


def _innermost(exc):
    """Walk requests' exception down to urllib3's reason (MaxRetryError.reason, ProxyError.original_error)."""
    seen = 0
    while seen < 10:
        seen += 1
        if exc.args and isinstance(exc.args[0], BaseException) and not isinstance(exc, MaxRetryError):
            exc = exc.args[0]
        elif isinstance(exc, MaxRetryError) and exc.reason is not None:
            exc = exc.reason
        elif isinstance(exc, ProxyError) and getattr(exc, "original_error", None) is not None:
            exc = exc.original_error
        else:
            break
    return exc


class LinodeClient:
    """Small client for the Linode API v4. See the module docstring for errors and retries."""

    def __init__(self, api_token, api_url="https://api.linode.com", api_version="v4",
                 validate_certs=True, ca_path=None, request_timeout=30,
                 max_retries=5, retry_after_cap=60, backoff_factor=0.5, backoff_max=10,
                 user_agent=None):
        if not HAS_REQUESTS:
            raise LinodeConfigError("the Python library requests is required to talk to the Linode API")
        self._token = self._check_token(api_token)
        self._base_url, self._base_path = self._check_url(api_url, api_version)
        self.api_version = api_version
        self.request_timeout = self._check_number("request_timeout", request_timeout, minimum=0, exclusive=True)
        self._check_number("max_retries", max_retries, minimum=0)
        self._check_number("retry_after_cap", retry_after_cap, minimum=0)
        self._check_number("backoff_factor", backoff_factor, minimum=0)
        self._check_number("backoff_max", backoff_max, minimum=0)
        self._verify = self._check_ca_path(ca_path) if ca_path else bool(validate_certs)
        self.warnings = []
        self.request_count = 0
        self._state = _RetryState(self, retries_allowed=max_retries > 0)

        retry = _LinodeRetry(
            total=int(max_retries), backoff_factor=backoff_factor, raise_on_status=False,
            respect_retry_after_header=True, linode_state=self._state,
            retry_after_cap=retry_after_cap, linode_backoff_max=backoff_max)
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        agent = "%s/%s (+ansible-collection) python-requests/%s" % (COLLECTION_NAME, COLLECTION_VERSION, requests.__version__)
        if user_agent:
            agent = "%s %s" % (agent, user_agent)
        self.session.headers.update({"Accept": "application/json", "User-Agent": agent})
        if self._token:
            self.session.headers["Authorization"] = "Bearer %s" % self._token

    # options

    @staticmethod
    def _check_token(api_token):
        if api_token is not None and not isinstance(api_token, str):
            raise LinodeConfigError("api_token must be a string")
        token = (api_token or "").strip()
        if any(c < "!" or c > "~" for c in token):
            # never echo the value: it is a secret
            raise LinodeConfigError("api_token contains spaces, control or non-ASCII characters; it must be the bare token")
        return token

    @staticmethod
    def _check_ca_path(ca_path):
        # requests raises a bare OSError for a missing bundle only when the first request is sent
        if not isinstance(ca_path, str) or not os.path.exists(ca_path):
            raise LinodeConfigError("ca_path must be a CA bundle file (PEM) or a directory of CA certificates; %r does not exist" % (ca_path,))
        return ca_path

    @staticmethod
    def _check_url(api_url, api_version):
        wanted = "an http:// or https:// URL with a host, e.g. https://api.linode.com"
        try:
            parts = urlsplit(api_url) if isinstance(api_url, str) else None
            host = parts.hostname if parts else None
            parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
        except (ValueError, AttributeError):
            parts = host = None
        if not parts or parts.scheme not in ("http", "https") or not host:
            raise LinodeConfigError("api_url must be %s; got %r" % (wanted, api_url))
        if parts.username is not None or parts.password is not None:
            raise LinodeConfigError("api_url must not contain credentials; pass the token as api_token")
        if parts.query or parts.fragment:
            raise LinodeConfigError("api_url must be %s, without query or fragment; got %r" % (wanted, api_url))
        if api_version not in API_VERSIONS:
            raise LinodeConfigError("api_version must be one of %s; got %r" % (", ".join(API_VERSIONS), api_version))
        prefix = parts.path.rstrip("/")
        if prefix.rsplit("/", 1)[-1] in API_VERSIONS:
            raise LinodeConfigError("api_url must not end with the API version (got %r); set api_version instead" % api_url)
        base_path = "%s/%s" % (prefix, api_version)
        return "%s://%s%s" % (parts.scheme, parts.netloc, base_path), base_path

    @staticmethod
    def _check_number(name, value, minimum, exclusive=False):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum or (exclusive and value == minimum):
            raise LinodeConfigError("%s must be a number %s %s; got %r" % (name, ">" if exclusive else ">=", minimum, value))
        return value

    # the one place URLs are built

    def _url(self, path):
        """(full URL, path for messages) of an API path relative to the version, e.g. "/images/private/1"."""
        if not path.startswith("/"):
            path = "/" + path
        return self._base_url + path, self._base_path + path

    # the one place requests are sent and answers converted

    def _scrub(self, text):
        text = str(text)
        if self._token:
            text = text.replace(self._token, "********")
        return text

    def _request(self, method, path, params=None, headers=None, body=None):
        url, shown_path = self._url(path)
        self._state.reset()
        kwargs = dict(params=params, headers=headers, timeout=self.request_timeout, verify=self._verify, allow_redirects=False)
        if body is not None:
            kwargs["json"] = body
        try:
            with warnings.catch_warnings():
                if self._verify is False:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self.session.request(method, url, **kwargs)
        except requests.exceptions.RequestException as exc:
            self.request_count += self._state.increments
            raise self._connection_error(exc, method, shown_path) from exc
        attempts = self._state.increments + (0 if self._state.exhausted else 1)
        self.request_count += attempts
        if 200 <= response.status_code < 300:
            if not (response.content or b"").strip():
                return {}
            is_json, value = _decode_json(response)
            if is_json:
                return value
        raise _api_error(response, method, shown_path, attempts=attempts if self._state.exhausted else None, scrub=self._scrub)

    def _connection_error(self, exc, method, path):
        inner = _innermost(exc)
        text = self._scrub(inner)
        match = _ERRNO_RE.search(text)
        detail = match.group(0).strip() if match else text
        where = urlsplit(self._base_url).netloc
        timeout = "request_timeout (%s s)" % _fmt_seconds(self.request_timeout)
        if isinstance(exc, requests.exceptions.SSLError):
            low = text.lower()
            is_cert = "certificate" in low or "hostname" in low
            if is_cert:
                reason = ("TLS certificate verification failed for %s (%s); set ca_path to the CA bundle that signed the API's "
                          "certificate, or validate_certs: false (insecure)" % (where, detail))
            else:
                reason = "TLS handshake with %s failed (%s); check the scheme of api_url" % (where, detail)
            return LinodeConnectionError(method, path, reason, request_sent=False, is_certificate_error=is_cert)
        if isinstance(exc, requests.exceptions.ConnectTimeout) or (
                isinstance(inner, ConnectTimeoutError) and not isinstance(inner, NewConnectionError)):
            return LinodeConnectionError(method, path, "could not connect to %s within %s" % (where, timeout), request_sent=False)
        if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(inner, ReadTimeoutError):
            return LinodeConnectionError(
                method, path, "no answer from %s within %s; the request may have been processed" % (where, timeout), request_sent=True)
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.URLRequired,
                            requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            return LinodeConnectionError(method, path, "invalid URL (%s); check api_url" % detail, request_sent=False)
        if isinstance(inner, (NewConnectionError, ConnectTimeoutError)) or isinstance(exc, requests.exceptions.ProxyError):
            return LinodeConnectionError(method, path, "could not connect to %s (%s)" % (where, detail), request_sent=False)
        # connection reset or closed after the request went out, broken body, ...: may have been processed
        return LinodeConnectionError(
            method, path, "connection to %s failed (%s); the request may have been processed" % (where, detail), request_sent=True)

    # public API

    def get(self, path, params=None, headers=None):
        """GET ``path`` (relative to the version, e.g. ``/images/private/1``) and return the decoded JSON."""
        return self._request("GET", path, params=params, headers=headers)

    def post(self, path, body):
        """POST the JSON ``body`` to ``path`` and return the decoded JSON answer."""
        return self._request("POST", path, body=body if body is not None else {})

    def get_all(self, path, x_filter=None):
        """Every item of a paginated list: follows ``page``/``pages`` with ``page_size=500``.

        ``x_filter`` (a dict) is sent JSON-encoded in the ``X-Filter`` header. Items with an ``id``
        already seen on an earlier page (the list shifted while paging) are dropped.
        """
        headers = {"X-Filter": json.dumps(x_filter, sort_keys=True, separators=(",", ":"))} if x_filter is not None else None
        items, seen, page = [], set(), 1
        while True:
            answer = self.get(path, params={"page": page, "page_size": PAGE_SIZE}, headers=headers)
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, list):
                raise LinodeAPIError(200, [{"reason": "expected a paginated answer with a data list"}], "GET", self._url(path)[1])
            for item in data:
                key = item.get("id") if isinstance(item, dict) else None
                if key is not None and not isinstance(key, (dict, list)):
                    if key in seen:
                        continue
                    seen.add(key)
                items.append(item)
            pages = answer.get("pages")
            if not isinstance(pages, int) or page >= pages or not data:
                return items
            page += 1

    def get_image(self, image_id):
        """GET /images/{image_id}; ``image_id`` like ``private/12345`` keeps its slash."""
        return self.get("/images/%s" % self._image_path(image_id))

    def replicate_image(self, image_id, regions):
        """POST /images/{image_id}/regions with ``{"regions": [...]}``: the full set of regions wanted."""
        return self.post("/images/%s/regions" % self._image_path(image_id), {"regions": list(regions)})

    def list_regions(self):
        return self.get_all("/regions")

    def list_images(self, x_filter=None):
        return self.get_all("/images", x_filter=x_filter)

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    @staticmethod
    def _image_path(image_id):
        image_id = str(image_id).strip("/")
        if not image_id or ".." in image_id.split("/"):
            raise LinodeConfigError("image_id must look like private/12345 or linode/debian12; got %r" % image_id)
        return quote(image_id, safe="/:@")
