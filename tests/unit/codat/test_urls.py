"""Which Link URLs LinkDesk shows a customer, and which API bases it sends the key to."""

from __future__ import annotations

import pytest

from desktop.core.codat.urls import RefusedUrl, check_api_base, check_link_url, is_loopback


@pytest.mark.parametrize(
    "url",
    [
        "https://link.codat.io/company/9f1c0f4e-0000-4000-8000-000000000001",
        "https://link-api.codat.io/companies/x/connections/y/start",
        "http://127.0.0.1:8765/link/company/abc",
        "http://localhost:9/link/company/abc",
        "http://[::1]:9/link",
    ],
)
def test_https_and_loopback_http_link_urls_are_used(url: str) -> None:
    assert check_link_url(url) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "a file: address is not a web page"),
        ("javascript:alert(document.cookie)", "a javascript: address is not a web page"),
        ("JavaScript:alert(1)", "a javascript: address"),
        ("data:text/html,<script>1</script>", "a data: address"),
        ("http://link.codat.io/company/x", "http:// on a public host"),
        ("http://10.1.2.3/link", "http:// on a public host"),
        ("https:///nohost", "names no host"),
        ("/relative/path", "a relative: address"),
        ("https://link.codat.io/x y", "spaces or control characters"),
        ("https://link.codat.io/\r\nSet-Cookie: x", "spaces or control characters"),
        ("https://link.codat.io:port/x", "cannot be read as a web address"),
    ],
)
def test_other_link_urls_are_refused_with_the_reason(url: str, why: str) -> None:
    with pytest.raises(RefusedUrl) as refused:
        check_link_url(url)
    assert why in str(refused.value)
    assert str(refused.value).startswith("The Link URL ")


@pytest.mark.parametrize("url", [None, "", "   ", 42])
def test_no_link_url_is_refused(url: object) -> None:
    with pytest.raises(RefusedUrl, match="no Link URL"):
        check_link_url(url)


def test_loopback_means_this_computer_only() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.10") and is_loopback("::1")
    assert is_loopback("LOCALHOST") and is_loopback("localhost.")
    assert not is_loopback("localhost.evil.example") and not is_loopback("10.0.0.1")
    assert not is_loopback(None) and not is_loopback("")


def test_api_base_http_needs_insisting() -> None:
    with pytest.raises(RefusedUrl, match="unencrypted"):
        check_api_base("http://api.codat.io")
    assert check_api_base("http://api.codat.io/", allow_insecure_http=True) == "http://api.codat.io"
    assert check_api_base("http://127.0.0.1:1/") == "http://127.0.0.1:1"
    with pytest.raises(RefusedUrl, match="must start with https://"):
        check_api_base("ftp://api.codat.io", allow_insecure_http=True)
