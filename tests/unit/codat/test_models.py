"""Wire models read Codat's own examples, keep what they do not know, never crash on drift."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.core.codat.models import (
    PULL_DONE,
    PULL_ERROR,
    PULL_RUNNING,
    Company,
    Connection,
    ConnectionStatus,
    DataStatus,
    Integration,
    Page,
    Profile,
    PullOperation,
    PullStatus,
    RateLimit,
    ShapeError,
    SourceType,
    data_statuses_from_json,
    parse_datetime,
)
from tests.unit.codat.spec import response_example, response_examples, schema_example, spec


def test_company_from_create_company_example() -> None:
    data = response_examples("/companies", "post", "200")["With no description"]
    company = Company.from_json(data)
    assert company.id == "ab12c58d-a678-4ebf-a159-ae99e1807bd0"
    assert company.name == "Technicalium"
    assert company.redirect == "https://link.codat.io/company/ab12c58d-a678-4ebf-a159-ae99e1807bd0"
    assert company.description == ""
    assert company.created == datetime(2022, 11, 10, 10, 45, 18, 195052, tzinfo=UTC)
    assert company.created_by_user_name == "Dan Tzabar"
    assert company.products == ("spend-insights",)
    assert company.data_connections == ()
    # "platform" is not in the schema but Codat sends it: it must survive in raw.
    assert company.raw["platform"] == ""
    assert company.raw is data


def test_companies_page_from_list_example() -> None:
    data = response_example("/companies", "get", "200")
    page = Page.from_json(data, Company.from_json)
    assert (page.page_number, page.page_size, page.total_results) == (1, 100, 1)
    assert page.links == {"current": "/companies?page=1&pageSize=100", "self": "/companies"}
    assert page.next_href is None
    (company,) = page.results
    assert company.name == "My Test Company"
    (conn,) = company.data_connections
    assert conn.platform_name == "Pandle"
    assert conn.integration_key == "vjms"
    assert conn.status == ConnectionStatus.LINKED
    assert conn.source_type == SourceType.ACCOUNTING
    assert conn.created == datetime(2022, 1, 1, 11, 30, tzinfo=UTC)


def test_company_tags_from_example() -> None:
    data = response_examples("/companies", "post", "200")["With a tag"]
    company = Company.from_json(data)
    assert company.tags == data["tags"]
    assert company.tags


def test_connection_from_schema_example_with_seven_digit_fraction() -> None:
    conn = Connection.from_json(schema_example("Connection"))
    assert conn.id == "ee2eb431-c0fa-4dc9-93fa-d29781c12bcd"
    assert conn.integration_id == "bf083d72-62c7-493e-aec9-81b4dbba7e2c"
    assert conn.source_id == "bdd831ce-eebd-4896-89a7-20e5ee8989ee"
    assert conn.link_url.endswith("/connections/ee2eb431-c0fa-4dc9-93fa-d29781c12bcd/start")
    assert conn.last_sync == datetime(2022, 10, 27, 10, 22, 43, 646423, tzinfo=UTC)
    assert conn.source_type == "Banking"
    assert conn.data_connection_errors == ()
    assert conn.connection_info is None


def test_connection_errors_and_info() -> None:
    data = {
        **schema_example("Connection"),
        "status": "PendingAuth",
        "dataConnectionErrors": [
            {
                "statusCode": "403",
                "statusText": "Forbidden",
                "errorMessage": "User cancelled.",
                "erroredOnUtc": "2024-05-01T09:00:00.1234567Z",
                "status": "Active",
                "resolvedOnUtc": None,
            }
        ],
        "connectionInfo": {"tenant": "x"},
    }
    conn = Connection.from_json(data)
    (err,) = conn.data_connection_errors
    assert err.status_code == "403"
    assert err.error_message == "User cancelled."
    assert err.errored_on_utc == datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert err.resolved_on_utc is None
    assert err.status == "Active"
    assert conn.connection_info == {"tenant": "x"}


def test_unknown_fields_and_enum_values_are_kept() -> None:
    data = {**schema_example("Connection"), "status": "Suspended", "brandNewField": [1, 2]}
    conn = Connection.from_json(data)
    assert conn.status == "Suspended"
    assert conn.raw["brandNewField"] == [1, 2]
    op = PullOperation.from_json({**schema_example("PullOperation"), "status": "Teleporting"})
    assert op.status == "Teleporting"
    assert op.status not in PULL_DONE | PULL_ERROR | PULL_RUNNING


def test_bad_datetime_is_none_not_a_crash() -> None:
    data = {**schema_example("Connection"), "created": "yesterday-ish", "lastSync": 12}
    conn = Connection.from_json(data)
    assert conn.created is None
    assert conn.last_sync is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-11-14T11:18:37.2798351Z", datetime(2022, 11, 14, 11, 18, 37, 279835, tzinfo=UTC)),
        ("2022-01-01T12:00:00.000Z", datetime(2022, 1, 1, 12, tzinfo=UTC)),
        ("2022-10-27T09:53:29Z", datetime(2022, 10, 27, 9, 53, 29, tzinfo=UTC)),
        ("2022-10-27T09:53:29", datetime(2022, 10, 27, 9, 53, 29, tzinfo=UTC)),
        ("2022-10-27T11:53:29.5+02:00", datetime(2022, 10, 27, 9, 53, 29, 500000, tzinfo=UTC)),
        ("2022-10-27T11:53:29+0200", datetime(2022, 10, 27, 9, 53, 29, tzinfo=UTC)),
        ("2022-02-30T00:00:00Z", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_datetime(text: Any, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_pull_operation_from_example() -> None:
    op = PullOperation.from_json(schema_example("PullOperation"))
    assert op.id == "97d60846-f07a-4d42-b5a0-0bdcc6ebf56b"
    assert op.company_id == "4645bd78-8988-45bc-ac9e-67ba5df6e4e5"
    assert op.connection_id == "51baa045-4836-4317-a42e-3542e991e581"
    assert op.data_type == "invoices"
    assert op.status == PullStatus.INITIAL
    assert op.status_description == "Paused until 2022-10-23T00:00:00.000Z"
    assert op.requested == datetime(2022, 11, 14, 11, 18, 37, 279835, tzinfo=UTC)
    assert op.progress == 10
    assert op.is_completed is False
    assert op.is_errored is False
    assert op.completed is None
    assert op.error_message is None


def test_pull_operations_page_from_history_example() -> None:
    page = Page.from_json(
        response_example("/companies/{companyId}/data/history", "get", "200"),
        PullOperation.from_json,
    )
    assert page.results
    assert all(isinstance(op, PullOperation) for op in page.results)


def test_pull_status_sets_partition_the_spec_enum() -> None:
    enum = spec()["components"]["schemas"]["PullOperation"]["properties"]["status"]["enum"]
    assert len(enum) == 21
    assert {s.value for s in PullStatus} == set(enum)
    assert set(enum) == PULL_DONE | PULL_ERROR | PULL_RUNNING
    assert not (PULL_DONE & PULL_ERROR or PULL_DONE & PULL_RUNNING or PULL_ERROR & PULL_RUNNING)
    # Plain strings from JSON must match the enum members.
    assert "Complete" in PULL_DONE
    assert "FetchError" in PULL_ERROR
    assert "Fetching" in PULL_RUNNING


def test_enums_match_spec() -> None:
    schemas = spec()["components"]["schemas"]
    conn_defs = schemas["Connection"]["definitions"]
    assert {s.value for s in ConnectionStatus} == set(conn_defs["dataConnectionStatus"]["enum"])
    assert {s.value for s in SourceType} == set(
        schemas["Integration"]["definitions"]["sourceType"]["enum"]
    )


def test_data_status_map_from_example() -> None:
    data = response_example("/companies/{companyId}/dataStatus", "get", "200")
    statuses = data_statuses_from_json(data)
    assert set(statuses) == set(data)
    invoices = statuses["invoices"]
    assert invoices.data_type == "invoices"
    assert invoices.current_status == "Complete"
    assert invoices.last_successful_sync == datetime(2022, 1, 1, tzinfo=UTC)
    assert invoices.latest_sync_id == data["invoices"]["latestSyncId"]
    assert invoices.latest_successful_sync_id == data["invoices"]["latestSuccessfulSyncId"]


def test_data_status_map_skips_null_and_fills_missing_type() -> None:
    statuses = data_statuses_from_json(
        {
            "bills": None,
            "suppliers": {"currentStatus": "Fetching"},
            "newType": {"dataType": "newType", "currentStatus": "Odd"},
        }
    )
    assert set(statuses) == {"suppliers", "newType"}
    assert statuses["suppliers"].data_type == "suppliers"
    assert statuses["newType"].current_status == "Odd"
    assert isinstance(statuses["suppliers"], DataStatus)


def test_integration_from_example_keeps_swapped_source_fields_as_sent() -> None:
    integ = Integration.from_json(schema_example("Integration"))
    assert integ.key == "gbol"
    assert integ.name == "Xero"
    assert integ.logo_url == "http://example.com"
    assert integ.enabled is True
    # The spec example swaps sourceId and sourceType; the model reports what was sent.
    assert integ.source_type == "8193a927-ab7a-45a3-9dc2-d357a4932dfe"
    assert integ.source_id == "accounting"
    assert integ.integration_id == "497a18ca-284e-40c0-985d-f72be35d468e"
    assert integ.is_offline_connector is True
    assert integ.is_beta is True
    assert integ.raw["datatypeFeatures"][0]["datatype"] == "invoices"


def test_integration_optional_flags_missing() -> None:
    integ = Integration.from_json(
        {"key": "mqjo", "name": "Sandbox", "logoUrl": "", "enabled": False}
    )
    assert integ.is_offline_connector is None
    assert integ.is_beta is None
    assert integ.enabled is False


def test_profile_from_example() -> None:
    profile = Profile.from_json(schema_example("Profile"))
    assert profile.name == "Bob's Burgers"
    assert profile.redirect_url == "https://bobs-burgers.{countrySuffix}/{companyId}"
    assert profile.white_list_urls == ("https://bobs-burgers.com", "https://bobs-burgers.co.uk")
    assert profile.logo_url is not None and profile.logo_url.startswith("https://client-images")
    assert profile.icon_url is not None and profile.icon_url.endswith(".ico")
    assert profile.raw["confirmCompanyName"] is True


@pytest.mark.parametrize(
    "data",
    [
        [],
        "company",
        {"name": "no id"},
        {"id": 5, "name": "numeric id"},
    ],
)
def test_company_without_usable_id_is_a_shape_error(data: Any) -> None:
    with pytest.raises(ShapeError):
        Company.from_json(data)


@pytest.mark.parametrize(
    "data",
    [
        {"results": [], "pageSize": 1, "totalResults": 0, "_links": {}},
        {"results": {}, "pageNumber": 1, "pageSize": 1, "totalResults": 0, "_links": {}},
        {"results": [1], "pageNumber": 1, "pageSize": 1, "totalResults": 1, "_links": {}},
        {"results": [], "pageNumber": "1", "pageSize": 1, "totalResults": 0, "_links": {}},
        [],
    ],
)
def test_page_with_wrong_shape_is_a_shape_error(data: Any) -> None:
    with pytest.raises(ShapeError):
        Page.from_json(data, Company.from_json)


def test_rate_limit_from_headers() -> None:
    assert RateLimit.from_headers({}) is None
    rl = RateLimit.from_headers(
        {"X-Rate-Limit-Limit": "2000", "X-Rate-Limit-Remaining": "1999", "X-Rate-Limit-Reset": "x"}
    )
    assert rl == RateLimit(limit=2000, remaining=1999, reset="x")
    assert RateLimit.from_headers({"X-Rate-Limit-Remaining": "lots"}) == RateLimit(None, None, None)


def test_models_are_frozen_and_hashable() -> None:
    company = Company.from_json(response_examples("/companies", "post", "200")["With a tag"])
    with pytest.raises(AttributeError):
        company.name = "other"  # type: ignore[misc]
    assert hash(company) == hash(Company.from_json(dict(company.raw)))
