"""Does the client survive the whole contract? Each test runs once per contract variation
(optional fields absent, nullable values null, unknown fields, empty lists, a full page,
long and non-ASCII texts, numbers at their edges, every enum value, a random mix):

    pytest examples/variations/survive_the_contract.py

The fragile client fails under nullable-null and unknown-fields, and the failure says what
the variation changed in the answers it read; the robust one passes them all."""

import fragile_client
import pytest
import robust_client

CHAIN = 1762


@pytest.mark.campaign_mock_variations
def test_fragile_client(campaign_mock):
    titles = fragile_client.voucher_titles(campaign_mock.url, campaign_mock.admin_headers(CHAIN), CHAIN)
    assert all(isinstance(title, str) for title in titles)


@pytest.mark.campaign_mock_variations
def test_robust_client(campaign_mock):
    titles = robust_client.voucher_titles(campaign_mock.url, campaign_mock.admin_headers(CHAIN), CHAIN)
    assert all(isinstance(title, str) for title in titles)
