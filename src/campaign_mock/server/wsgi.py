"""Entry point for WSGI servers: `granian --interface wsgi --factory campaign_mock.server.wsgi:app_factory`
(or gunicorn 'campaign_mock.server.wsgi:app_factory()'). Settings come from CAMPAIGN_MOCK_*."""

import gc
import sys

from campaign_mock.exceptions import CampaignMockError
from campaign_mock.server.app import create_app


def app_factory():
    try:
        app = create_app()
    except CampaignMockError as e:  # a bad CAMPAIGN_MOCK_* value or scenario: say which, no trace
        print(f"campaign-mock: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    # The world lives as long as the process: out of the cyclic GC's sight, its full passes no
    # longer walk it (with 5,000 chains they doubled the CPU time of a coverage report).
    gc.freeze()
    return app
