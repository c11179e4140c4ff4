"""Linode routes and control routes over HTTP, against the shared in-process emulator."""
from __future__ import annotations

import json

import pytest
import requests

from conftest import RO_TOKEN, Api, wait_until


# ---- headers, versions, ids ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v4/images/private/12345", "/v4beta/images/private/12345", "/v4/images/private%2F12345",
                                  "/v4/images/linode/debian12", "/v4/regions/us-east", "/v4beta/regions"])
def test_success_answers_are_json_with_spec_version(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Spec-Version"] == "4.189.0"


def test_image_has_every_schema_field(api: Api) -> None:
    image = api.image("private/12346")
    assert set(image) == {"id", "label", "description", "created", "updated", "created_by", "deprecated", "is_public", "size",
                          "total_size", "status", "regions", "capabilities", "tags", "type", "expiry", "eol", "vendor"}
    assert image["regions"] == [{"region": "us-east", "status": "available"}, {"region": "eu-central", "status": "available"},
                                {"region": "ap-south", "status": "available"}]
    public = api.image("linode/debian12")
    assert public["is_public"] is True and public["created_by"] == "linode" and public["vendor"] == "Debian"


def test_region_fields(api: Api) -> None:
    region = api.get("/v4/regions/ca-central", token=None).json()
    assert set(region) == {"id", "label", "country", "capabilities", "status", "site_type", "resolvers", "placement_group_limits"}
    assert "Object Storage" not in region["capabilities"]
    assert api.get("/v4/regions/jp-osa").json()["status"] == "outage"


@pytest.mark.parametrize("path", ["/v4/images/private/999", "/v4/images/linode/nope", "/v4/regions/xx-nowhere", "/v4/nothing",
                                  "/v5/images", "/v4/images/private/999/regions"])
def test_unknown_things_are_404(api: Api, path: str) -> None:
    response = api.post(path, {"regions": ["us-east"]}) if path.endswith("/regions") else api.get(path)
    assert response.status_code == 404
    assert response.json() == {"errors": [{"reason": "Not found"}]}


def test_wrong_method_is_405(api: Api) -> None:
    assert api.get("/v4/images/private/12345/regions").status_code == 405
    assert api.post("/v4/regions", {}).status_code == 405


# ---- auth ------------------------------------------------------------------------------------

def test_images_need_a_valid_token(running_emulator) -> None:  # type: ignore[no-untyped-def]
    strict = Api(running_emulator.url)
    for token in (None, "wrong-token"):
        for path in ("/v4/images", "/v4/images/private/12345", "/v4/images/linode/debian12"):
            response = strict.get(path, token=token)
            assert response.status_code == 401, (token, path)
            assert response.json() == {"errors": [{"reason": "Invalid Token"}]}
        assert strict.replicate("private/12345", ["us-east"], token=token).status_code == 401
    response = strict.get("/v4/images", headers={"Authorization": "Basic abc"}, token=None)
    assert response.status_code == 401


def test_read_only_token_reads_but_cannot_replicate(api: Api) -> None:
    assert api.get("/v4/images/private/12345", token=RO_TOKEN).status_code == 200
    response = api.replicate("private/12345", ["us-east", "fr-par"], token=RO_TOKEN)
    assert response.status_code == 403
    reason = response.json()["errors"][0]["reason"]
    assert "insufficient permissions" in reason and "read_write" in reason
    assert api.region_statuses("private/12345") == {"us-east": "available"}


def test_regions_are_public(api: Api) -> None:
    assert api.get("/v4/regions", token=None).status_code == 200
    assert api.get("/v4/regions/us-east", token=None).status_code == 200


# ---- pagination and X-Filter -----------------------------------------------------------------

def test_region_pages(api: Api) -> None:
    everything = api.get("/v4/regions").json()
    assert everything["page"] == 1 and everything["pages"] == 1 and everything["results"] == len(everything["data"]) >= 12
    first = api.get("/v4/regions", params={"page_size": 25}).json()
    assert first["results"] == everything["results"]
    assert first["pages"] == -(-everything["results"] // 25)
    collected = []
    for page in range(1, first["pages"] + 1):
        collected += api.get("/v4/regions", params={"page": page, "page_size": 25}).json()["data"]
    assert collected == everything["data"]
    beyond = api.get("/v4/regions", params={"page": 99}).json()
    assert beyond["data"] == [] and beyond["page"] == 99


def test_image_pages_with_many_images(api: Api) -> None:
    for number in range(30):
        assert api.control("POST", "images", {"label": f"bulk-{number}"}).status_code == 201
    page1 = api.get("/v4/images", params={"page_size": 25}).json()
    page2 = api.get("/v4/images", params={"page": 2, "page_size": 25}).json()
    assert page1["results"] == page2["results"] == 39 and page1["pages"] == 2
    assert len(page1["data"]) == 25 and len(page2["data"]) == 14
    assert {image["id"] for image in page1["data"]}.isdisjoint(image["id"] for image in page2["data"])


@pytest.mark.parametrize("params, field", [({"page_size": 24}, "page_size"), ({"page_size": 501}, "page_size"),
                                           ({"page_size": "many"}, "page_size"), ({"page": 0}, "page"), ({"page": "x"}, "page")])
def test_page_parameter_bounds(api: Api, params: dict[str, object], field: str) -> None:
    for path in ("/v4/images", "/v4/regions"):
        response = api.get(path, params=params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == field
    assert api.get("/v4/images", params={"page_size": 25}).status_code == 200
    assert api.get("/v4/images", params={"page_size": 500}).status_code == 200


def x_filter(api: Api, path: str, value: object) -> requests.Response:
    return api.get(path, headers={"X-Filter": json.dumps(value)})


def test_x_filter(api: Api) -> None:
    private = x_filter(api, "/v4/images", {"is_public": False}).json()
    assert {image["id"] for image in private["data"]} == {"private/12345", "private/12346", "private/12347", "private/12348"}
    assert private["results"] == 4
    by_label = x_filter(api, "/v4/images", {"label": "app-golden"}).json()["data"]
    assert [image["id"] for image in by_label] == ["private/12346"]
    either = x_filter(api, "/v4/images", {"+or": [{"label": "app-golden"}, {"label": "web-base-2024"}]}).json()["data"]
    assert {image["id"] for image in either} == {"private/12345", "private/12346"}
    both = x_filter(api, "/v4/images", {"+and": [{"is_public": True}, {"vendor": "Debian"}]}).json()["data"]
    assert {image["id"] for image in both} == {"linode/debian12", "linode/debian11"}
    regions = x_filter(api, "/v4/regions", {"country": "jp"}).json()["data"]
    assert {region["id"] for region in regions} == {"ap-northeast", "jp-osa"}


@pytest.mark.parametrize("header", ["{not json", "[1, 2]", '{"+or": {"label": "x"}}', '{"no_such_field": 1}'])
def test_bad_x_filter_is_400(api: Api, header: str) -> None:
    response = api.get("/v4/images", headers={"X-Filter": header})
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"]


# ---- POST /images/{id}/regions ---------------------------------------------------------------

@pytest.mark.parametrize("raw, field", [
    ("not json", None),
    ("[]", None),
    ('"us-east"', None),
    ('{"regions": ["us-east"], "label": "x"}', "label"),
    ("{}", "regions"),
    ('{"regions": "us-east"}', "regions"),
    ('{"regions": [1, 2]}', "regions"),
    ('{"regions": []}', "regions"),
    ('{"regions": ["us-east", "xx-nowhere"]}', "regions"),
    ('{"regions": ["us-east", "ca-central"]}', "regions"),
    ('{"regions": ["fr-par"]}', "regions"),
])
def test_replicate_400_cases(api: Api, raw: str, field: str | None) -> None:
    response = api.post("/v4/images/private/12345/regions", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["reason"]
    assert error.get("field") == field
    assert api.region_statuses("private/12345") == {"us-east": "available"}


def test_object_storage_reason_names_the_region(api: Api) -> None:
    response = api.replicate("private/12345", ["us-east", "ca-central"])
    assert response.json() == {"errors": [{"reason": "Region ca-central does not support Object Storage", "field": "regions"}]}


@pytest.mark.parametrize("image_id", ["private/12347", "private/12348", "linode/debian12"])
def test_replicate_refuses_unavailable_and_public_images(api: Api, image_id: str) -> None:
    response = api.replicate(image_id, ["us-east"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"]


def test_replicate_replaces_the_set_and_settles_over_time(api: Api) -> None:
    response = api.replicate("private/12346", ["us-east", "fr-par"])
    assert response.status_code == 200
    assert {entry["region"]: entry["status"] for entry in response.json()["regions"]} == {
        "us-east": "available", "eu-central": "pending deletion", "ap-south": "pending deletion", "fr-par": "pending replication"}
    assert api.replicate("private/12346", ["us-east", "fr-par"]).json()["regions"][0] == {"region": "us-east", "status": "available"}
    seen: set[str] = set()

    def settled() -> bool:
        current = api.region_statuses("private/12346")
        seen.add(current.get("fr-par", ""))
        return current == {"us-east": "available", "fr-par": "available"}

    wait_until(settled)
    assert "available" in seen and seen <= {"pending replication", "replicating", "available"}
    image = api.image("private/12346")
    assert image["total_size"] == 2 * image["size"] * 1024 * 1024


def test_region_listed_again_during_pending_deletion(api: Api) -> None:
    api.replicate("private/12346", ["us-east"])
    image = api.replicate("private/12346", ["us-east", "ap-south"]).json()
    assert {entry["region"]: entry["status"] for entry in image["regions"]}["ap-south"] in ("pending replication", "replicating")
    wait_until(lambda: api.region_statuses("private/12346") == {"us-east": "available", "ap-south": "available"})


def test_outage_region_can_be_a_target(api: Api) -> None:
    assert api.replicate("private/12345", ["us-east", "jp-osa"]).status_code == 200


# ---- control routes --------------------------------------------------------------------------

def test_add_image_defaults_and_region_forms(api: Api) -> None:
    response = api.control("POST", "images", {"label": "added", "regions": ["us-east", {"region": "fr-par", "status": "replicating"}]})
    assert response.status_code == 201
    image = response.json()
    assert image["id"] == "private/12349" and image["status"] == "available" and image["is_public"] is False
    assert image["regions"] == [{"region": "us-east", "status": "available"}, {"region": "fr-par", "status": "replicating"}]
    assert api.image("private/12349")["label"] == "added"
    assert api.control("POST", "images", {"id": "private/12349"}).status_code == 409
    assert api.control("POST", "images", {"regions": ["xx-nowhere"]}).status_code == 400
    assert api.control("POST", "images", {"bogus": 1}).status_code == 400


def test_added_creating_image_becomes_available(api: Api) -> None:
    image = api.control("POST", "images", {"status": "creating", "ready_after_seconds": 0.3, "regions": ["us-east"]}).json()
    assert image["status"] == "creating"
    wait_until(lambda: api.image(image["id"])["status"] == "available")
    assert api.region_statuses(image["id"]) == {"us-east": "available"}
    assert api.replicate(image["id"], ["us-east", "fr-par"]).status_code == 200


def test_seeded_creating_image_stays_creating(api: Api) -> None:
    assert api.image("private/12347")["status"] == "creating"


def test_reset_returns_to_the_seed(api: Api) -> None:
    api.replicate("private/12345", ["fr-par", "us-east"])
    api.control("POST", "images", {"label": "temp"})
    api.control("POST", "faults", {"path": "nothing-matches-this"})
    assert api.control("POST", "reset").status_code == 200
    assert api.region_statuses("private/12345") == {"us-east": "available"}
    assert api.get("/v4/images/private/12349").status_code == 404
    assert api.control("GET", "faults").json() == {"faults": []}
    assert [entry["path"] for entry in api.control("GET", "requests").json()["requests"]] == ["/v4/images/private/12345", "/v4/images/private/12349"]


def test_events_show_when_replicas_became_available(api: Api) -> None:
    api.replicate("private/12345", ["us-east", "fr-par"])
    wait_until(lambda: api.region_statuses("private/12345").get("fr-par") == "available")
    events = api.control("GET", "events?image=private/12345").json()["events"]
    assert [(event["region"], event["status"]) for event in events] == [
        ("fr-par", "pending replication"), ("fr-par", "replicating"), ("fr-par", "available")]
    assert events[-1]["time"] - events[0]["time"] == pytest.approx(0.6, abs=0.01)
    api.replicate("private/12345", ["fr-par"])
    wait_until(lambda: "us-east" not in api.region_statuses("private/12345"))
    statuses = [(event["region"], event["status"]) for event in api.control("GET", "events").json()["events"]]
    assert statuses[-2:] == [("us-east", "pending deletion"), ("us-east", "removed")]


def test_unknown_control_route(api: Api) -> None:
    assert api.control("GET", "nothing").status_code == 404
    assert api.control("PUT", "faults").status_code == 405
