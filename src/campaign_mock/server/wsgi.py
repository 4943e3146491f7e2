"""Entry point for WSGI servers: `granian --interface wsgi --factory campaign_mock.server.wsgi:app_factory`
(or gunicorn 'campaign_mock.server.wsgi:app_factory()'). Settings come from CAMPAIGN_MOCK_*."""

from campaign_mock.server.app import create_app


def app_factory():
    return create_app()
