"""The replication rules on the state model alone, with a hand-driven clock (no sleeping, no HTTP)."""
from __future__ import annotations

from typing import Any

import pytest

from emulator_state import MIB, ApiError, EmulatorState, apply_x_filter, default_seed, parse_page_params


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def state(clock: FakeClock) -> EmulatorState:  # pylint: disable=redefined-outer-name
    return EmulatorState(replication_seconds=9.0, clock=clock)


def statuses(image: dict[str, Any]) -> dict[str, str]:
    return {entry["region"]: entry["status"] for entry in image["regions"]}


def test_default_seed_shape() -> None:
    seed = default_seed()
    region_ids = [region["id"] for region in seed["regions"]]
    assert len(region_ids) >= 12 and len(set(region_ids)) == len(region_ids)
    assert [region["id"] for region in seed["regions"] if region["status"] == "outage"] == ["jp-osa"]
    assert any("Object Storage" not in region["capabilities"] for region in seed["regions"])
    statuses_by_id = {image["id"]: image.get("status", "available") for image in seed["images"]}
    assert "creating" in statuses_by_id.values()
    assert "linode/debian12" in statuses_by_id


def test_new_replica_walks_through_its_statuses(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    image = state.replicate_image("private/12345", {"regions": ["us-east", "fr-par"]})
    assert statuses(image) == {"us-east": "available", "fr-par": "pending replication"}
    clock.advance(3.5)
    assert statuses(state.get_image("private/12345"))["fr-par"] == "replicating"
    clock.advance(5.4)
    assert statuses(state.get_image("private/12345"))["fr-par"] == "replicating"
    clock.advance(0.2)
    assert statuses(state.get_image("private/12345")) == {"us-east": "available", "fr-par": "available"}


def test_left_out_region_goes_pending_deletion_then_disappears(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    image = state.replicate_image("private/12346", {"regions": ["us-east"]})
    assert statuses(image) == {"us-east": "available", "eu-central": "pending deletion", "ap-south": "pending deletion"}
    clock.advance(9.0)
    assert statuses(state.get_image("private/12346")) == {"us-east": "available"}


def test_listed_region_keeps_its_status(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    state.replicate_image("private/12345", {"regions": ["us-east", "fr-par"]})
    clock.advance(4.0)
    image = state.replicate_image("private/12345", {"regions": ["us-east", "fr-par", "nl-ams"]})
    assert statuses(image) == {"us-east": "available", "fr-par": "replicating", "nl-ams": "pending replication"}
    clock.advance(5.0)
    assert statuses(state.get_image("private/12345")) == {"us-east": "available", "fr-par": "available", "nl-ams": "replicating"}


def test_region_listed_again_while_pending_deletion_replicates_again(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    state.replicate_image("private/12346", {"regions": ["us-east"]})
    clock.advance(1.0)
    image = state.replicate_image("private/12346", {"regions": ["us-east", "eu-central"]})
    assert statuses(image) == {"us-east": "available", "eu-central": "pending replication", "ap-south": "pending deletion"}
    clock.advance(9.0)
    assert statuses(state.get_image("private/12346")) == {"us-east": "available", "eu-central": "available"}


def test_total_size_counts_replicas_that_hold_data(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    size_bytes = 4100 * MIB
    assert state.get_image("private/12346")["total_size"] == 3 * size_bytes
    image = state.replicate_image("private/12346", {"regions": ["us-east", "fr-par"]})
    # us-east available, two copies pending deletion still hold data, fr-par is not there yet.
    assert image["total_size"] == 3 * size_bytes
    clock.advance(9.0)
    assert state.get_image("private/12346")["total_size"] == 2 * size_bytes
    assert state.get_image("private/12347")["total_size"] == 0


def test_creating_image_becomes_available_only_with_ready_after_seconds(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    clock.advance(10_000)
    creating = state.get_image("private/12347")
    assert creating["status"] == "creating" and statuses(creating) == {"us-iad": "creating"}
    added = state.add_image({"label": "soon", "status": "creating", "ready_after_seconds": 5, "regions": ["us-ord"]})
    assert added["id"] == "private/12349" and added["status"] == "creating" and "ready_after_seconds" not in added
    clock.advance(5.0)
    ready = state.get_image(added["id"])
    assert ready["status"] == "available" and statuses(ready) == {"us-ord": "available"}
    assert state.get_image("private/12348")["regions"] == [{"region": "us-ord", "status": "pending"}]


@pytest.mark.parametrize("body, field, reason_part", [
    ([], None, "JSON object"),
    ("us-east", None, "JSON object"),
    ({"regions": ["us-east"], "extra": 1}, "extra", "extra"),
    ({}, "regions", "required"),
    ({"regions": "us-east"}, "regions", "list"),
    ({"regions": [1]}, "regions", "list"),
    ({"regions": []}, "regions", "at least one"),
    ({"regions": ["xx-nowhere"]}, "regions", "xx-nowhere"),
    ({"regions": ["us-east", "ca-central"]}, "regions", "Region ca-central does not support Object Storage"),
    ({"regions": ["fr-par"]}, "regions", "available"),
])
def test_replicate_refusals(state: EmulatorState, body: Any, field: str | None, reason_part: str) -> None:  # pylint: disable=redefined-outer-name
    with pytest.raises(ApiError) as raised:
        state.replicate_image("private/12345", body)
    assert raised.value.status == 400
    assert raised.value.field_name == field
    assert reason_part in raised.value.reason
    assert statuses(state.get_image("private/12345")) == {"us-east": "available"}


def test_replicate_refuses_images_that_are_public_unavailable_or_unknown(state: EmulatorState) -> None:  # pylint: disable=redefined-outer-name
    for image_id, status in (("linode/debian12", 400), ("private/12347", 400), ("private/12348", 400), ("private/999", 404)):
        with pytest.raises(ApiError) as raised:
            state.replicate_image(image_id, {"regions": ["us-east"]})
        assert raised.value.status == status, image_id


def test_events_record_transition_times(state: EmulatorState, clock: FakeClock) -> None:  # pylint: disable=redefined-outer-name
    start = clock.now
    state.replicate_image("private/12345", {"regions": ["us-east", "fr-par"]})
    assert [event["status"] for event in state.events()] == ["pending replication"]
    clock.advance(20)
    state.replicate_image("private/12345", {"regions": ["fr-par"]})
    clock.advance(20)
    found = [(event["region"], event["status"], event["time"] - start) for event in state.events("private/12345")]
    assert found == [("fr-par", "pending replication", 0.0), ("fr-par", "replicating", 3.0), ("fr-par", "available", 9.0),
                     ("us-east", "pending deletion", 20.0), ("us-east", "removed", 29.0)]


def test_x_filter_operators() -> None:
    items = [{"label": "a", "size": 1, "tags": ["x"], "is_public": True}, {"label": "b", "size": 5, "tags": [], "is_public": False}]
    assert apply_x_filter(items, {"label": "a"}) == [items[0]]
    assert apply_x_filter(items, {"is_public": False}) == [items[1]]
    assert apply_x_filter(items, {"+or": [{"label": "a"}, {"label": "b"}]}) == items
    assert apply_x_filter(items, {"+and": [{"label": "a"}, {"size": 5}]}) == []
    assert apply_x_filter(items, {"tags": "x"}) == [items[0]]
    assert apply_x_filter(items, {"size": {"+gt": 2}}) == [items[1]]
    assert apply_x_filter(items, {"+order_by": "size", "+order": "desc"}) == [items[1], items[0]]
    for bad in ({"nope": 1}, {"+or": {"label": "a"}}, {"label": {"+weird": 1}}, {"+xor": []}):
        with pytest.raises(ApiError):
            apply_x_filter(items, bad)


def test_page_params() -> None:
    assert parse_page_params({}) == (1, 100)
    assert parse_page_params({"page": ["2"], "page_size": ["25"]}) == (2, 25)
    for query, field in (({"page": ["0"]}, "page"), ({"page": ["x"]}, "page"), ({"page_size": ["24"]}, "page_size"),
                         ({"page_size": ["501"]}, "page_size")):
        with pytest.raises(ApiError) as raised:
            parse_page_params(query)
        assert raised.value.field_name == field
