"""Plain `schemathesis run openapi.yaml --url URL` from the repo root, as a team that already
runs Schemathesis would: the shipped schemathesis.toml loads our hooks, so the mock passes with
every check on, in both modes and for any seed, and each planted fault still fails, named.
Schemathesis runs in this process (check_helpers.plain_in_process), but once as a process of
its own: the hooks as a fresh interpreter loads them from the toml."""

from __future__ import annotations

import re

import pytest
from check_helpers import REPO, plain_in_process, run_plain
from test_check import FAULTS


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("seed", [1, 3])
def test_plain_run_passes_on_the_mock(mock_server, mode, seed):
    run = run_plain if (mode, seed) == ("positive", 1) else plain_in_process
    # The seed decides the fuzzing phase only: the examples and coverage phases send the same
    # requests for any seed (seeds 1 and 3 sent the same 630 in the coverage phase), so the
    # second seed runs the phase it changes.
    phases = ("--phases", "fuzzing") if seed == 3 else ()
    result = run(mock_server.url, "--seed", str(seed), "--mode", mode, "--max-examples", "10", *phases)
    assert f"Configuration:    {REPO / 'schemathesis.toml'}" in result.stdout, result.stdout[:2000]
    assert result.returncode == 0, result.stdout[-4000:]
    assert "mostly rejected" not in result.stdout, result.stdout[-4000:]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_plain_run_names_each_planted_fault(fault, fault_url):
    operation, check, expected = FAULTS[fault]
    url = fault_url(fault)
    result = plain_in_process(url, "--include-operation-id", operation, "--max-examples", "20", "--seed", "0", "--phases", "examples,fuzzing", "--mode", "positive")
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(expected, result.stdout), result.stdout[-3000:]
