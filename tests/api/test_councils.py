from fastapi.testclient import TestClient


def test_councils_lists_every_current_english_council(client: TestClient) -> None:
    response = client.get("/api/councils")
    assert response.status_code == 200
    councils = response.json()
    assert len(councils) == 153
    names = [c["name"] for c in councils]
    assert names == sorted(names)
    camden = next(c for c in councils if c["code"] == "202")
    assert camden == {
        "code": "202",
        "ons_code": "E09000007",
        "name": "Camden",
        "region_code": "E12000007",
        "region_name": "London",
        "london_subregion_code": "E13000001",
        "london_subregion_name": "Inner London",
        "current": True,
        "first_year": None,
        "last_year": None,
        "reporting_unit_code": None,
    }


def test_councils_filter_by_region(client: TestClient) -> None:
    london = client.get("/api/councils", params={"region": "E12000007"}).json()
    assert len(london) == 33
    assert {c["region_code"] for c in london} == {"E12000007"}
    assert len(client.get("/api/councils", params={"region": "London"}).json()) == 33
    with_former = client.get(
        "/api/councils", params={"region": "South West", "include_former": "true"}
    )
    assert {"835", "836", "837"} <= {c["code"] for c in with_former.json()}


def test_an_unknown_region_is_404_with_advice(client: TestClient) -> None:
    response = client.get("/api/councils", params={"region": "Narnia"})
    assert response.status_code == 404
    assert "GET /api/regions" in response.json()["detail"]


def test_a_council_by_either_code_has_its_neighbours(client: TestClient) -> None:
    by_dfe = client.get("/api/councils/202")
    by_ons = client.get("/api/councils/E09000007")
    assert by_dfe.status_code == by_ons.status_code == 200
    assert by_dfe.json() == by_ons.json()
    neighbours = by_dfe.json()["statistical_neighbours"]
    assert [n["rank"] for n in neighbours] == list(range(1, 11))
    assert neighbours[0] == {
        "rank": 1,
        "code": "213",
        "name": "Westminster",
        "closeness": "Very close",
        "current": True,
    }
    assert by_dfe.json()["neighbours_source"] == "DfE statistical neighbours, April 2021"


def test_an_unknown_council_is_404_with_a_clear_message(client: TestClient) -> None:
    response = client.get("/api/councils/123")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No council with code '123': give a DfE 3-digit code such as 202 or an ONS "
        "code such as E09000007 (GET /api/councils lists them)"
    }


def test_regions_are_listed(client: TestClient) -> None:
    regions = client.get("/api/regions").json()
    assert len(regions) == 12
    assert {r["kind"] for r in regions} == {"country", "region", "london_subregion"}


def test_pages_render(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert "153 councils in England" in home.text
    page = client.get("/councils/318")
    assert page.status_code == 200
    assert "Richmond upon Thames" in page.text
    assert "Kingston upon Thames / Richmond upon Thames" in page.text
    missing = client.get("/councils/999")
    assert missing.status_code == 404
    assert "Page not found" in missing.text


def test_without_govuk_frontend_pages_are_unstyled_with_a_warning(
    reference_settings, tmp_path, caplog
) -> None:
    import shutil

    from api.main import create_app
    from workforce.db import make_engine

    static = tmp_path / "static"
    shutil.copytree(reference_settings.static_dir, static, ignore=shutil.ignore_patterns("govuk"))
    settings = reference_settings.model_copy(update={"static_dir": static})
    engine = make_engine(settings.database_url)
    with caplog.at_level("WARNING", logger="workforce.api"):
        client = TestClient(create_app(settings=settings, engine=engine))
    assert "pages are served unstyled" in caplog.text
    home = client.get("/")
    assert home.status_code == 200
    assert "unstyled.css" in home.text
    assert "govuk-frontend.min.css" not in home.text
    assert client.get("/static/unstyled.css").status_code == 200
    engine.dispose()
