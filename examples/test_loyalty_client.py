"""Tests of loyalty_client.py with campaign-mock's pytest fixtures: install campaign-mock, and
`campaign_mock` is a fresh namespace of a running mock for each test.

    pytest examples/test_loyalty_client.py --campaign-mock-coverage coverage.json
"""

import pytest
from loyalty_client import LoyaltyClient, SpaazaError

CHAIN = 1762  # the documented chain; its documented admin session reads it


def test_happy_path(campaign_mock):
    client = LoyaltyClient(campaign_mock.url, spaaza_headers=campaign_mock.admin_headers(CHAIN))
    titles = [c["title"] for c in client.campaigns(CHAIN)]
    assert "ACME Loyalty Campaign" in titles
    campaign_mock.assert_called("getCampaigns", times=1, chain_id=CHAIN)


@pytest.mark.campaign_mock(scenario="scenarios/near-silver.yaml")
def test_a_member_one_point_from_the_next_level(campaign_mock):
    # The member's own session: the world says which key and app hostname it has.
    client = LoyaltyClient(campaign_mock.url, spaaza_headers=campaign_mock.user_headers(710101))
    assert client.next_level(7101) == ("Bronze", 1)
    campaign_mock.assert_single_user_identifier()


@pytest.mark.campaign_mock(scenario="scenarios/summer-offer.yaml", clock="2024-06-30T12:00:00+00:00")
def test_a_campaign_expires_when_the_clock_moves(campaign_mock):
    client = LoyaltyClient(campaign_mock.url, spaaza_headers=campaign_mock.admin_headers(7102))
    assert "Summer cashback" in [c["title"] for c in client.campaigns(7102)]
    campaign_mock.set_clock("2024-07-01T00:00:00+00:00")
    assert "Summer cashback" not in [c["title"] for c in client.campaigns(7102)]


def test_an_unknown_chain_is_a_clear_error(campaign_mock):
    campaign_mock.fail("getCampaigns", 217)  # the next request answers chain_id_not_found
    client = LoyaltyClient(campaign_mock.url, spaaza_headers=campaign_mock.admin_headers(CHAIN))
    with pytest.raises(SpaazaError) as refused:
        client.campaigns(CHAIN)
    assert refused.value.name == "chain_id_not_found"
    assert client.campaigns(CHAIN)  # only once


def test_a_retry_after_two_failures(campaign_mock):
    campaign_mock.fail("getCampaignBasicV1", "server_error", times=2)
    client = LoyaltyClient(campaign_mock.url, levelup_token=campaign_mock.token(981))
    assert client.levelup_campaign(20)["title"] == "Loyalty"
    campaign_mock.assert_called("getCampaignBasicV1", times=3)
    assert [e.status for e in campaign_mock.journal()] == [500, 500, 200]


def test_what_the_client_never_faced(campaign_mock):
    client = LoyaltyClient(campaign_mock.url, spaaza_headers=campaign_mock.admin_headers(CHAIN), api_version="1.4.11")
    client.campaigns(CHAIN)
    report = campaign_mock.coverage()  # this namespace's; the session's is printed at the end
    assert report["dimensions"]["api_versions"]["counts"][">=1.4.11,<1.5.0"] == 1
    assert "449" in report["dimensions"]["spaaza_errors"]["missing"]  # campaign_not_active: never handled
