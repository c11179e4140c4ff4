"""State model of the Linode API emulator: images, regions, replicas, faults, request log.

Nothing in here knows about HTTP.  Every rule of the image replication API lives here, so
that it reads like the API's own rules; ``linode_emulator.py`` only routes requests to it.

Replica statuses are never stored: each replica keeps the timestamps of its life
(``added_at``, ``ready_at``, ``deleting_at``, ``gone_at``) and its status is computed from
them on every read.  That keeps the emulator free of background threads and makes every
transition time exact, which the ``events`` view relies on.
"""
from __future__ import annotations

import copy
import datetime
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

SPEC_VERSION = "4.189.0"
MIB = 1024 * 1024

IMAGE_STATUSES = ("creating", "pending_upload", "available")
REPLICA_STATUSES = ("available", "creating", "pending", "pending deletion", "pending replication", "replicating")

# A new replica spends this share of the replication time in "pending replication", the rest in "replicating".
PENDING_REPLICATION_SHARE = 1.0 / 3.0

# The request log is a debugging aid: bound it so a long benchmark cannot grow it without limit.
REQUEST_LOG_LIMIT = 100_000

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MIN = 25
PAGE_SIZE_MAX = 500


class ApiError(Exception):
    """An answer in Linode's error envelope: ``{"errors": [{"reason", "field"}]}``."""

    def __init__(self, status: int, reason: str, field_name: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.field_name = field_name
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"reason": self.reason}
        # The spec types "field" as a plain string, so an error tied to no field leaves it out rather than sending null.
        if self.field_name is not None:
            error["field"] = self.field_name
        return {"errors": [error]}


def not_found() -> ApiError:
    return ApiError(404, "Not found")


def format_timestamp(epoch: float) -> str:
    """Linode's date-time format: UTC, seconds precision, no offset (``2021-08-14T22:44:02``)."""
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def parse_timestamp(text: str) -> float:
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


# --------------------------------------------------------------------------------------------
# Default seed
# --------------------------------------------------------------------------------------------

_FULL_CAPABILITIES = ["Linodes", "Backups", "NodeBalancers", "Block Storage", "Object Storage", "Kubernetes", "Cloud Firewall",
                      "Vlans", "VPCs", "Metadata", "Premium Plans", "Placement Groups", "Block Storage Encryption"]
_NO_OBJECT_STORAGE = [capability for capability in _FULL_CAPABILITIES if capability != "Object Storage"]

# (id, label, country, has Object Storage, status)
_DEFAULT_REGIONS = [
    ("us-east", "Newark, NJ", "us", True, "ok"),
    ("us-central", "Dallas, TX", "us", False, "ok"),
    ("us-west", "Fremont, CA", "us", False, "ok"),
    ("us-southeast", "Atlanta, GA", "us", True, "ok"),
    ("us-iad", "Washington, DC", "us", True, "ok"),
    ("us-ord", "Chicago, IL", "us", True, "ok"),
    ("us-sea", "Seattle, WA", "us", True, "ok"),
    ("us-lax", "Los Angeles, CA", "us", True, "ok"),
    ("us-mia", "Miami, FL", "us", True, "ok"),
    ("ca-central", "Toronto, CA", "ca", False, "ok"),
    ("eu-west", "London, UK", "gb", False, "ok"),
    ("eu-central", "Frankfurt, DE", "de", True, "ok"),
    ("fr-par", "Paris, FR", "fr", True, "ok"),
    ("nl-ams", "Amsterdam, NL", "nl", True, "ok"),
    ("se-sto", "Stockholm, SE", "se", True, "ok"),
    ("it-mil", "Milan, IT", "it", True, "ok"),
    ("ap-south", "Singapore, SG", "sg", True, "ok"),
    ("ap-northeast", "Tokyo, JP", "jp", False, "ok"),
    ("ap-west", "Mumbai, IN", "in", False, "ok"),
    ("ap-southeast", "Sydney, AU", "au", False, "ok"),
    ("br-gru", "Sao Paulo, BR", "br", True, "ok"),
    ("jp-osa", "Osaka, JP", "jp", True, "outage"),
    ("in-maa", "Chennai, IN", "in", True, "ok"),
    ("id-cgk", "Jakarta, ID", "id", True, "ok"),
]


def default_seed() -> dict[str, Any]:
    """The built-in seed (documented as a table in README.md)."""
    regions = []
    for number, (region_id, label, country, has_object_storage, status) in enumerate(_DEFAULT_REGIONS):
        regions.append({
            "id": region_id,
            "label": label,
            "country": country,
            "capabilities": list(_FULL_CAPABILITIES if has_object_storage else _NO_OBJECT_STORAGE),
            "status": status,
            "site_type": "core",
            # Documentation address ranges (RFC 5737 / RFC 3849): these resolvers are not real.
            "resolvers": {"ipv4": f"192.0.2.{number * 2 + 1},192.0.2.{number * 2 + 2}", "ipv6": f"2001:db8::{number * 2 + 1},2001:db8::{number * 2 + 2}"},
            "placement_group_limits": {"maximum_linodes_per_pg": 5, "maximum_pgs_per_customer": None},
        })
    public_common = {"created_by": "linode", "is_public": True, "type": "manual", "capabilities": ["cloud-init", "distributed-sites"],
                     "regions": [], "tags": [], "expiry": None}
    images = [
        {"id": "private/12345", "label": "web-base-2024", "description": "Hardened web server base", "size": 2500,
         "created": "2024-09-02T10:15:00", "created_by": "ops-team", "regions": ["us-east"], "tags": ["web", "base"]},
        {"id": "private/12346", "label": "app-golden", "description": "Golden image of the app tier", "size": 4100,
         "created": "2024-09-20T08:00:00", "created_by": "ops-team", "regions": ["us-east", "eu-central", "ap-south"], "tags": ["app"]},
        {"id": "private/12347", "label": "ci-build-wip", "description": None, "size": 1800, "status": "creating",
         "created": "2024-10-01T12:00:00", "created_by": "ci-bot", "regions": ["us-iad"]},
        {"id": "private/12348", "label": "db-upload", "description": "Uploaded database image", "size": 3200, "status": "pending_upload",
         "created": "2024-10-02T12:00:00", "created_by": "ops-team", "regions": ["us-ord"]},
        dict(public_common, id="linode/debian12", label="Debian 12", description=None, size=1300, vendor="Debian",
             created="2023-06-12T00:00:00", eol="2028-06-30T04:00:00", deprecated=False),
        dict(public_common, id="linode/debian11", label="Debian 11", description=None, size=1100, vendor="Debian",
             created="2021-08-14T22:44:02", eol="2026-07-01T04:00:00", deprecated=False),
        dict(public_common, id="linode/ubuntu24.04", label="Ubuntu 24.04 LTS", description=None, size=2800, vendor="Ubuntu",
             created="2024-04-25T00:00:00", eol="2029-05-31T04:00:00", deprecated=False),
        dict(public_common, id="linode/ubuntu22.04", label="Ubuntu 22.04 LTS", description=None, size=2500, vendor="Ubuntu",
             created="2022-04-21T00:00:00", eol="2027-04-01T04:00:00", deprecated=False),
        dict(public_common, id="linode/centos7", label="CentOS 7", description=None, size=2500, vendor="CentOS",
             created="2014-07-08T00:00:00", eol="2024-07-01T04:00:00", deprecated=True),
    ]
    return {"regions": regions, "images": images}


# --------------------------------------------------------------------------------------------
# Replicas and images
# --------------------------------------------------------------------------------------------

@dataclass
class Replica:
    """One copy of an image in one region; its status is a function of time."""

    region: str
    added_at: float | None = None      # when replication was requested; None when it already existed at seed time
    ready_at: float | None = None      # when it becomes "available"; None means "when the image itself is available"
    deleting_at: float | None = None   # when it went to "pending deletion"
    gone_at: float | None = None       # when it disappears


@dataclass
class Image:
    fields: dict[str, Any]               # every API field except status, regions, total_size, updated (computed)
    status: str
    ready_at: float | None               # a "creating" image becomes "available" then; None = never
    updated_at: float
    replicas: dict[str, Replica] = field(default_factory=dict)
    retired: list[Replica] = field(default_factory=list)  # replicas gone or replaced, kept for the events view

    def status_at(self, now: float) -> str:
        if self.status == "creating" and self.ready_at is not None and now >= self.ready_at:
            return "available"
        return self.status

    def replica_status(self, replica: Replica, now: float, replication_seconds: float) -> str | None:
        """None when the replica is gone."""
        if replica.gone_at is not None and now >= replica.gone_at:
            return None
        if replica.deleting_at is not None and now >= replica.deleting_at:
            return "pending deletion"
        image_status = self.status_at(now)
        if image_status == "creating":
            return "creating"
        if image_status == "pending_upload":
            return "pending"
        if replica.ready_at is None or now >= replica.ready_at:
            return "available"
        added_at = replica.added_at if replica.added_at is not None else now
        if now < added_at + replication_seconds * PENDING_REPLICATION_SHARE:
            return "pending replication"
        return "replicating"


# --------------------------------------------------------------------------------------------
# X-Filter
# --------------------------------------------------------------------------------------------

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "+gt": lambda value, operand: value > operand,
    "+gte": lambda value, operand: value >= operand,
    "+lt": lambda value, operand: value < operand,
    "+lte": lambda value, operand: value <= operand,
}


def parse_x_filter(header_value: str | None) -> dict[str, Any] | None:
    if header_value is None or not header_value.strip():
        return None
    try:
        parsed = json.loads(header_value)
    except ValueError:
        raise ApiError(400, "Invalid JSON in X-Filter header", "X-Filter") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "X-Filter must be a JSON object", "X-Filter")
    return parsed


def _field_matches(value: Any, condition: Any, field_name: str) -> bool:
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise ApiError(400, f"Filter on {field_name} must have exactly one operator", "X-Filter")
        operator, operand = next(iter(condition.items()))
        if operator == "+neq":
            return value != operand
        if operator == "+contains":
            if not isinstance(operand, str):
                raise ApiError(400, "+contains needs a string", "X-Filter")
            if isinstance(value, list):
                return any(operand in item for item in value if isinstance(item, str))
            return isinstance(value, str) and operand in value
        if operator in _COMPARISONS:
            if value is None or isinstance(value, (list, dict)) or isinstance(operand, (list, dict)) or operand is None:
                raise ApiError(400, f"Cannot use {operator} on {field_name}", "X-Filter")
            try:
                return _COMPARISONS[operator](value, operand)
            except TypeError:
                raise ApiError(400, f"Cannot compare {field_name} with {operand!r}", "X-Filter") from None
        raise ApiError(400, f"Unknown filter operator {operator}", "X-Filter")
    if isinstance(condition, list):
        raise ApiError(400, f"Filter on {field_name} must be a value or an operator object", "X-Filter")
    if isinstance(value, list):
        # List fields such as tags match when they contain the value, as Linode's tag filters do.
        return condition in value
    return value == condition


def filter_matches(item: dict[str, Any], x_filter: dict[str, Any]) -> bool:
    for key, condition in x_filter.items():
        if key in ("+order_by", "+order"):
            continue
        if key in ("+and", "+or"):
            if not isinstance(condition, list) or not all(isinstance(sub, dict) for sub in condition):
                raise ApiError(400, f"{key} must be a list of filter objects", "X-Filter")
            results = [filter_matches(item, sub) for sub in condition]
            if (key == "+and" and not all(results)) or (key == "+or" and not any(results)):
                return False
            continue
        if key.startswith("+"):
            raise ApiError(400, f"Unknown filter operator {key}", "X-Filter")
        if key not in item:
            raise ApiError(400, f"Cannot filter on {key}", "X-Filter")
        if not _field_matches(item[key], condition, key):
            return False
    return True


def apply_x_filter(items: list[dict[str, Any]], x_filter: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not x_filter:
        return items
    selected = [item for item in items if filter_matches(item, x_filter)]
    order_by = x_filter.get("+order_by")
    if order_by is not None:
        order = x_filter.get("+order", "asc")
        if order not in ("asc", "desc"):
            raise ApiError(400, "+order must be asc or desc", "X-Filter")
        if not isinstance(order_by, str) or (selected and order_by not in selected[0]) or order_by == "status":
            raise ApiError(400, f"Cannot order by {order_by}", "X-Filter")
        selected.sort(key=lambda item: (item[order_by] is None, item[order_by]), reverse=order == "desc")
    return selected


def parse_page_params(query: dict[str, list[str]]) -> tuple[int, int]:
    def integer(name: str, default: int) -> int:
        values = query.get(name)
        if not values or values[-1] == "":
            return default
        try:
            return int(values[-1])
        except ValueError:
            raise ApiError(400, f"{name} must be an integer", name) from None

    page = integer("page", 1)
    page_size = integer("page_size", PAGE_SIZE_DEFAULT)
    if page < 1:
        raise ApiError(400, "page must be 1 or more", "page")
    if not PAGE_SIZE_MIN <= page_size <= PAGE_SIZE_MAX:
        raise ApiError(400, f"page_size must be between {PAGE_SIZE_MIN} and {PAGE_SIZE_MAX}", "page_size")
    return page, page_size


def paginate(items: list[dict[str, Any]], page: int, page_size: int) -> dict[str, Any]:
    results = len(items)
    pages = max(1, -(-results // page_size))
    start = (page - 1) * page_size
    return {"data": items[start:start + page_size], "page": page, "pages": pages, "results": results}


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------

_FAULT_KEYS = {"method", "path", "count", "status", "retry_after", "delay", "drop", "body", "content_type", "phase"}


@dataclass
class Fault:
    method: str | None
    path: str
    pattern: re.Pattern[str]
    count: int
    status: int | None
    retry_after: str | None
    delay: float
    drop: bool
    body: str | None
    content_type: str | None
    phase: str

    @classmethod
    def from_json(cls, spec: Any) -> Fault:
        if not isinstance(spec, dict):
            raise ApiError(400, "A fault must be a JSON object")
        unknown = set(spec) - _FAULT_KEYS
        if unknown:
            raise ApiError(400, f"Unknown fault keys: {', '.join(sorted(unknown))}", sorted(unknown)[0])
        path = spec.get("path", "")
        if not isinstance(path, str):
            raise ApiError(400, "path must be a regular expression string", "path")
        try:
            pattern = re.compile(path)
        except re.error as error:
            raise ApiError(400, f"path is not a valid regular expression: {error}", "path") from None
        method = spec.get("method")
        if method is not None and not isinstance(method, str):
            raise ApiError(400, "method must be a string", "method")
        count = spec.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ApiError(400, "count must be a positive integer", "count")
        status = spec.get("status")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599):
            raise ApiError(400, "status must be an HTTP status code", "status")
        delay = spec.get("delay", 0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
            raise ApiError(400, "delay must be a number of seconds", "delay")
        phase = spec.get("phase", "before")
        if phase not in ("before", "after"):
            raise ApiError(400, "phase must be before or after", "phase")
        body = spec.get("body")
        if body is not None and not isinstance(body, str):
            raise ApiError(400, "body must be a string (the raw answer)", "body")
        content_type = spec.get("content_type")
        if content_type is not None and not isinstance(content_type, str):
            raise ApiError(400, "content_type must be a string", "content_type")
        retry_after = spec.get("retry_after")
        if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, (int, float, str))):
            raise ApiError(400, "retry_after must be a number or a string", "retry_after")
        return cls(method=method.upper() if method else None, path=path, pattern=pattern, count=count, status=status,
                   retry_after=None if retry_after is None else str(retry_after), delay=float(delay), drop=bool(spec.get("drop", False)),
                   body=body, content_type=content_type, phase=phase)

    @property
    def answers(self) -> bool:
        """Whether the fault produces its own answer; a fault with only a delay just slows the route down."""
        return self.drop or self.status is not None or self.body is not None or self.retry_after is not None

    def answer_status(self) -> int:
        if self.status is not None:
            return self.status
        return 429 if self.retry_after is not None else 500

    def describe(self) -> str:
        parts = [f"phase={self.phase}"]
        if self.delay:
            parts.append(f"delay={self.delay:g}s")
        if self.drop:
            parts.append("drop")
        elif self.answers:
            parts.append(f"status={self.answer_status()}")
        if self.retry_after is not None:
            parts.append(f"retry_after={self.retry_after}")
        if self.body is not None:
            parts.append("body")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "count": self.count, "status": self.status, "retry_after": self.retry_after,
                "delay": self.delay, "drop": self.drop, "body": self.body, "content_type": self.content_type, "phase": self.phase}


# --------------------------------------------------------------------------------------------
# The emulator state
# --------------------------------------------------------------------------------------------

_IMAGE_INPUT_KEYS = {"id", "label", "description", "created", "updated", "created_by", "deprecated", "is_public", "size", "total_size",
                     "status", "regions", "capabilities", "tags", "type", "expiry", "eol", "vendor", "ready_after_seconds"}
_REGION_KEYS = ("id", "label", "country", "capabilities", "status", "site_type", "resolvers", "placement_group_limits")


class EmulatorState:
    """Everything the emulator knows; every public method takes the lock."""

    def __init__(self, seed: dict[str, Any] | None = None, replication_seconds: float = 2.0, clock: Callable[[], float] = time.time):
        if replication_seconds < 0:
            raise ValueError("replication_seconds must not be negative")
        self.replication_seconds = float(replication_seconds)
        self.clock = clock
        self.lock = threading.RLock()
        self.seed = copy.deepcopy(seed) if seed is not None else default_seed()
        self.regions: dict[str, dict[str, Any]] = {}
        self.images: dict[str, Image] = {}
        self.faults: list[Fault] = []
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._load_seed()

    # ---- seed and reset -------------------------------------------------------------------

    def _load_seed(self) -> None:
        regions = self.seed.get("regions")
        images = self.seed.get("images", [])
        if not isinstance(regions, list) or not isinstance(images, list):
            raise ValueError("the seed needs a list of regions and a list of images")
        self.regions = {}
        for region in regions:
            normalized = self._normalize_region(region)
            self.regions[normalized["id"]] = normalized
        self.images = {}
        for image in images:
            self._add_image(image)

    def reset(self) -> None:
        with self.lock:
            self._load_seed()
            self.faults.clear()
            self.requests.clear()

    @staticmethod
    def _normalize_region(region: Any) -> dict[str, Any]:
        if not isinstance(region, dict) or not isinstance(region.get("id"), str):
            raise ValueError(f"a seed region needs a string id: {region!r}")
        site_type = region.get("site_type", region.get("site-type", "core"))
        return {
            "id": region["id"],
            "label": region.get("label", region["id"]),
            "country": region.get("country", region["id"].split("-", 1)[0]),
            "capabilities": list(region.get("capabilities", [])),
            "status": region.get("status", "ok"),
            "site_type": site_type,
            "resolvers": dict(region.get("resolvers", {"ipv4": "192.0.2.1,192.0.2.2", "ipv6": "2001:db8::1,2001:db8::2"})),
            "placement_group_limits": dict(region.get("placement_group_limits", {"maximum_linodes_per_pg": 5, "maximum_pgs_per_customer": None})),
        }

    def _next_private_id(self) -> str:
        numbers = [int(image_id.split("/", 1)[1]) for image_id in self.images if re.fullmatch(r"private/\d+", image_id)]
        return f"private/{max(numbers, default=0) + 1}"

    def _add_image(self, spec: Any) -> Image:
        """Builds an image from a seed or control-route object; raises ApiError(400) on bad input."""
        if not isinstance(spec, dict):
            raise ApiError(400, "An image must be a JSON object")
        unknown = set(spec) - _IMAGE_INPUT_KEYS
        if unknown:
            raise ApiError(400, f"Unknown image fields: {', '.join(sorted(unknown))}", sorted(unknown)[0])
        now = self.clock()
        image_id = spec.get("id") or self._next_private_id()
        if not isinstance(image_id, str) or "/" not in image_id:
            raise ApiError(400, "id must look like private/N or linode/NAME", "id")
        if image_id in self.images:
            raise ApiError(409, f"Image {image_id} already exists", "id")
        is_public = spec.get("is_public", image_id.startswith("linode/"))
        status = spec.get("status", "available")
        if status not in IMAGE_STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(IMAGE_STATUSES)}", "status")
        size = spec.get("size", 2500)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ApiError(400, "size must be a whole number of MB", "size")
        ready_after = spec.get("ready_after_seconds")
        if ready_after is not None and (not isinstance(ready_after, (int, float)) or isinstance(ready_after, bool) or ready_after < 0):
            raise ApiError(400, "ready_after_seconds must be a number of seconds", "ready_after_seconds")
        try:
            created = parse_timestamp(spec["created"]) if spec.get("created") else now
            updated_at = parse_timestamp(spec["updated"]) if spec.get("updated") else created
        except (TypeError, ValueError):
            raise ApiError(400, "created and updated must be date-times like 2024-01-31T12:00:00", "created") from None
        fields = {
            "id": image_id,
            "label": spec.get("label", image_id.split("/", 1)[1]),
            "description": spec.get("description"),
            "created": format_timestamp(created),
            "created_by": spec.get("created_by", "linode" if is_public else "emulator-user"),
            "deprecated": bool(spec.get("deprecated", False)),
            "is_public": bool(is_public),
            "size": size,
            "capabilities": list(spec.get("capabilities", [])),
            "tags": list(spec.get("tags", [])),
            "type": spec.get("type", "manual"),
            "expiry": spec.get("expiry"),
            "eol": spec.get("eol"),
            "vendor": spec.get("vendor"),
        }
        image = Image(fields=fields, status=status, updated_at=updated_at,
                      ready_at=(now + ready_after) if status == "creating" and ready_after is not None else None)
        for entry in spec.get("regions", []):
            image.replicas[self._seed_region_id(entry)] = self._seed_replica(entry, now)
        self.images[image_id] = image
        return image

    def _seed_region_id(self, entry: Any) -> str:
        region_id = entry.get("region") if isinstance(entry, dict) else entry
        if not isinstance(region_id, str) or region_id not in self.regions:
            raise ApiError(400, f"Unknown region {region_id!r} in image regions", "regions")
        return region_id

    def _seed_replica(self, entry: Any, now: float) -> Replica:
        region_id = self._seed_region_id(entry)
        status = entry.get("status", "available") if isinstance(entry, dict) else "available"
        if status not in REPLICA_STATUSES:
            raise ApiError(400, f"Region status must be one of {', '.join(REPLICA_STATUSES)}", "regions")
        replica = Replica(region=region_id)
        if status in ("pending replication", "replicating"):
            # A seeded in-flight replica starts its replication clock when the seed is loaded.
            replica.added_at = now - (self.replication_seconds * PENDING_REPLICATION_SHARE if status == "replicating" else 0.0)
            replica.ready_at = replica.added_at + self.replication_seconds
        elif status == "pending deletion":
            replica.deleting_at = now
            replica.gone_at = now + self.replication_seconds
        # "creating" and "pending" follow the image's own status, so they need nothing here.
        return replica

    # ---- rendering ------------------------------------------------------------------------

    def _prune(self, image: Image, now: float) -> None:
        gone = [region for region, replica in image.replicas.items() if replica.gone_at is not None and now >= replica.gone_at]
        for region in gone:
            image.retired.append(image.replicas.pop(region))

    def _render_image(self, image: Image, now: float) -> dict[str, Any]:
        self._prune(image, now)
        regions = []
        holding_data = 0
        for replica in image.replicas.values():
            status = image.replica_status(replica, now, self.replication_seconds)
            if status is None:
                continue
            regions.append({"region": replica.region, "status": status})
            if status in ("available", "pending deletion"):
                holding_data += 1
        status = image.status_at(now)
        rendered = dict(image.fields)
        rendered["capabilities"] = list(rendered["capabilities"])
        rendered["tags"] = list(rendered["tags"])
        rendered["status"] = status
        rendered["regions"] = regions
        updated_at = image.updated_at
        if image.ready_at is not None and now >= image.ready_at:
            updated_at = max(updated_at, image.ready_at)
        rendered["updated"] = format_timestamp(updated_at)
        if image.fields["is_public"]:
            # Public images list no per-account replicas; they count as one stored copy.
            rendered["total_size"] = image.fields["size"] * MIB
        else:
            rendered["total_size"] = image.fields["size"] * MIB * holding_data
        return rendered

    def _find_image(self, image_id: str) -> Image:
        image = self.images.get(image_id)
        if image is None:
            raise not_found()
        return image

    # ---- Linode routes --------------------------------------------------------------------

    def list_images(self, page: int, page_size: int, x_filter: dict[str, Any] | None) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            items = [self._render_image(image, now) for image in self.images.values()]
        return paginate(apply_x_filter(items, x_filter), page, page_size)

    def get_image(self, image_id: str) -> dict[str, Any]:
        with self.lock:
            return self._render_image(self._find_image(image_id), self.clock())

    # Regions never change after the seed is loaded, so they are handed out without copying (a copy per
    # request was the bulk of GET /regions' time); callers serialize them and must not modify them.

    def list_regions(self, page: int, page_size: int, x_filter: dict[str, Any] | None) -> dict[str, Any]:
        with self.lock:
            items = list(self.regions.values())
        return paginate(apply_x_filter(items, x_filter), page, page_size)

    def get_region(self, region_id: str) -> dict[str, Any]:
        with self.lock:
            region = self.regions.get(region_id)
        if region is None:
            raise not_found()
        return region

    @staticmethod
    def _validate_replicate_body(body: Any) -> list[str]:
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        for key in body:
            if key != "regions":
                raise ApiError(400, f"{key} is not a valid field; only regions is accepted", key)
        if "regions" not in body:
            raise ApiError(400, "regions is required", "regions")
        requested = body["regions"]
        if not isinstance(requested, list) or not all(isinstance(region, str) for region in requested):
            raise ApiError(400, "regions must be a list of region ids", "regions")
        if not requested:
            raise ApiError(400, "regions must name at least one region where the image is available; "
                                "to remove an image from every region, delete the image", "regions")
        return list(dict.fromkeys(requested))

    def replicate_image(self, image_id: str, body: Any) -> dict[str, Any]:
        """POST /images/{imageId}/regions: the list *replaces* the image's region set."""
        with self.lock:
            now = self.clock()
            image = self._find_image(image_id)
            requested = self._validate_replicate_body(body)
            if image.fields["is_public"] or image_id.startswith("linode/"):
                raise ApiError(400, f"Image {image_id} is a public image; only private images can be replicated")
            image_status = image.status_at(now)
            if image_status != "available":
                raise ApiError(400, f"Image {image_id} has status {image_status}; only an available image can be replicated")
            for region_id in requested:
                region = self.regions.get(region_id)
                if region is None:
                    raise ApiError(400, f"Region {region_id} is not a valid region", "regions")
                if "Object Storage" not in region["capabilities"]:
                    raise ApiError(400, f"Region {region_id} does not support Object Storage", "regions")
            self._prune(image, now)
            current = {region: image.replica_status(replica, now, self.replication_seconds) for region, replica in image.replicas.items()}
            available_now = [region for region, status in current.items() if status == "available"]
            if not any(current.get(region_id) == "available" for region_id in requested):
                raise ApiError(400, "regions must include at least one region where the image is available now "
                                    f"(available in: {', '.join(available_now) or 'none'})", "regions")
            self._apply_region_set(image, requested, current, now)
            image.updated_at = now
            return self._render_image(image, now)

    def _apply_region_set(self, image: Image, requested: list[str], current: dict[str, str | None], now: float) -> None:
        wanted = set(requested)
        for region_id, status in current.items():
            replica = image.replicas[region_id]
            if region_id in wanted:
                if status == "pending deletion":
                    # Listed again while being deleted: the old copy is dropped and a fresh replication starts.
                    replica.gone_at = now
                    image.retired.append(replica)
                    image.replicas[region_id] = Replica(region=region_id, added_at=now, ready_at=now + self.replication_seconds)
            elif status != "pending deletion":
                replica.deleting_at = now
                replica.gone_at = now + self.replication_seconds
        for region_id in requested:
            if region_id not in image.replicas:
                image.replicas[region_id] = Replica(region=region_id, added_at=now, ready_at=now + self.replication_seconds)

    # ---- control routes -------------------------------------------------------------------

    def add_image(self, spec: Any) -> dict[str, Any]:
        with self.lock:
            image = self._add_image(spec)
            return self._render_image(image, self.clock())

    def add_faults(self, spec: Any) -> list[dict[str, Any]]:
        specs = spec if isinstance(spec, list) else [spec]
        faults = [Fault.from_json(item) for item in specs]
        with self.lock:
            self.faults.extend(faults)
            return [fault.to_json() for fault in faults]

    def list_faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return [fault.to_json() for fault in self.faults]

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, paths: tuple[str, ...]) -> Fault | None:
        """The first queued fault matching the request, with one use consumed."""
        with self.lock:
            if not self.faults:
                return None
            for index, fault in enumerate(self.faults):
                if fault.method not in (None, method):
                    continue
                if not any(fault.pattern.search(path) for path in paths):
                    continue
                fault.count -= 1
                if fault.count <= 0:
                    del self.faults[index]
                return fault
            return None

    def log_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)

    def request_log(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests)

    def clear_request_log(self) -> None:
        with self.lock:
            self.requests.clear()

    def events(self, image_filter: str | None = None) -> list[dict[str, Any]]:
        """Every replica and image transition that has happened by now, oldest first, with wall-clock times."""
        with self.lock:
            now = self.clock()
            found: list[dict[str, Any]] = []
            for image_id, image in self.images.items():
                if image_filter is not None and image_id != image_filter:
                    continue
                self._prune(image, now)
                if image.ready_at is not None and image.status == "creating":
                    found.append({"time": image.ready_at, "image": image_id, "region": None, "status": "available"})
                for replica in [*image.retired, *image.replicas.values()]:
                    found.extend(self._replica_events(image_id, image, replica))
            happened = [event for event in found if event["time"] <= now]
        happened.sort(key=lambda event: event["time"])
        return happened

    def _replica_events(self, image_id: str, image: Image, replica: Replica) -> list[dict[str, Any]]:
        ended_at = replica.deleting_at if replica.deleting_at is not None else replica.gone_at
        transitions: list[tuple[float, str]] = []
        if replica.added_at is not None:
            transitions.append((replica.added_at, "pending replication"))
            transitions.append((replica.added_at + self.replication_seconds * PENDING_REPLICATION_SHARE, "replicating"))
        available_at = replica.ready_at
        if available_at is None and image.status == "creating":
            available_at = image.ready_at
        if available_at is not None:
            transitions.append((available_at, "available"))
        found = []
        for moment, status in transitions:
            if ended_at is None or moment < ended_at:
                found.append({"time": moment, "image": image_id, "region": replica.region, "status": status})
        if replica.deleting_at is not None:
            found.append({"time": replica.deleting_at, "image": image_id, "region": replica.region, "status": "pending deletion"})
        if replica.gone_at is not None and replica.deleting_at is not None:
            found.append({"time": replica.gone_at, "image": image_id, "region": replica.region, "status": "removed"})
        return found
