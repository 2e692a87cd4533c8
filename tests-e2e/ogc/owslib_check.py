"""Checks the OGC API - Features endpoints with a real OGC client (OWSLib).

Usage: python owslib_check.py http://127.0.0.1:8080/api/v1/ogc  (`just ogc-check` installs
OWSLib in a virtualenv and runs this against a running API with data).
"""
import os
import sys

import requests
from owslib.ogcapi.features import Features

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
# The OGC routes are for staff: a manager's bearer token (`just ogc-check` signs in one).
TOKEN = os.environ.get("TISSECO_TOKEN")
HEADERS = {"Authorization": f"Bearer {TOKEN}"} if TOKEN else {}


def main(url: str) -> None:
    api = Features(url, headers=HEADERS)
    assert {l["rel"] for l in api.links} >= {"self", "service-desc", "conformance", "data"}, api.links
    conforms = api.conformance()["conformsTo"]
    assert CORE in conforms and GEOJSON in conforms, conforms
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == ["containers"], ids
    collection = api.collection("containers")
    assert collection["itemType"] == "feature"
    bbox = [-180, -90, 180, 90]
    items = api.collection_items("containers", bbox=bbox, limit=5)
    assert items["type"] == "FeatureCollection" and items["numberReturned"] == len(items["features"]) <= 5
    seen = {f["id"] for f in items["features"]}
    for feature in items["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    nxt = [l["href"] for l in items["links"] if l["rel"] == "next"]
    if nxt:
        page = requests.get(nxt[0], timeout=30, headers=HEADERS).json()
        again = {f["id"] for f in page["features"]}
        assert not (seen & again), "a feature came twice"
    one = api.collection_item("containers", items["features"][0]["id"])
    assert one["id"] == items["features"][0]["id"]
    print(f"OWSLib: landing, conformance, collections, items (bbox, limit, next) and item OK at {url}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/api/v1/ogc")
