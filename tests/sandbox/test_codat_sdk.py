"""Codat's own Python SDK (codat-platform 5.0.1), unchanged, against the sandbox over loopback."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from codat_platform import CodatPlatform
from codat_platform.models import errors, operations, shared
from codat_platform.utils import BackoffStrategy, RetryConfig

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import API_KEY, Journey

NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


@pytest.fixture
def sdk(sandbox: SandboxServer) -> Iterator[CodatPlatform]:
    http = httpx.Client(trust_env=False, follow_redirects=True)
    security = shared.Security(auth_header="Basic " + base64.b64encode(API_KEY.encode()).decode())
    client = CodatPlatform(
        server_url=sandbox.base_url, security=security, retry_config=NO_RETRIES, client=http
    )
    yield client
    http.close()


def test_sdk_company_connection_and_data_status(
    sdk: CodatPlatform, sandbox: SandboxServer, control: httpx.Client
) -> None:
    company = sdk.companies.create(request=shared.CompanyRequestBody(name="SDK (Test) Ltd"))
    assert company.name == "SDK Test Ltd"
    assert company.redirect == f"{sandbox.base_url}/link/company/{company.id}"

    connection = sdk.connections.create(
        request=operations.CreateConnectionRequest(
            company_id=company.id,
            request_body=operations.CreateConnectionRequestBody(platform_key="gbol"),
        )
    )
    assert connection.status == shared.DataConnectionStatus.PENDING_AUTH
    assert connection.platform_name == "Xero"

    listed = sdk.connections.list(request=operations.ListConnectionsRequest(company_id=company.id))
    assert listed.results is not None
    assert [c.id for c in listed.results] == [connection.id]
    assert listed.total_results == 1

    journey = Journey(control, company.id)
    journey.do("resume", connectionId=connection.id)
    journey.do("consent")
    journey.do("approve")
    journey.do("complete_sync")

    statuses = sdk.refresh_data.get(
        request=operations.GetCompanyDataStatusRequest(company_id=company.id)
    )
    assert statuses.bills is not None and statuses.bills.current_status == "Complete"
    assert statuses.suppliers is not None and statuses.suppliers.latest_successful_sync_id

    companies = sdk.companies.list(request=operations.ListCompaniesRequest(query="name~sdk"))
    assert companies.results is not None and [c.id for c in companies.results] == [company.id]
    integrations = sdk.integrations.list(request=operations.ListIntegrationsRequest())
    assert integrations.total_results == 17


def test_sdk_sees_codat_errors(sdk: CodatPlatform) -> None:
    missing = "846ed55c-974b-4f7e-9f4d-0c5e5a2e6a11"
    with pytest.raises(errors.ErrorMessage) as caught:
        sdk.companies.get(request=operations.GetCompanyRequest(company_id=missing))
    assert caught.value.data.status_code == 404
    assert caught.value.data.error == f"No company was found with ID {missing}"
