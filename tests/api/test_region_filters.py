"""Pages filtered by region: a known region narrows the page, an unknown one is a 404 page."""

from fastapi.testclient import TestClient


def test_a_page_filtered_by_an_unknown_region_says_so(public_client: TestClient) -> None:
    for path in ("/", "/early-warnings"):
        page = public_client.get(path, params={"region": "Atlantis"})
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "Atlantis" in page.text


def test_a_page_filtered_by_a_region_names_it(public_client: TestClient) -> None:
    home = public_client.get("/", params={"region": "north west"})
    assert home.status_code == 200
    assert "Manchester" in home.text and "Camden" not in home.text
