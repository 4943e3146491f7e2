"""A draw is pair_hash(entity key, field salt): 64-bit CPython's hash((a, b)), written out in
providers.py so that it is the same on any Python. Draws uses the interpreter's own tuple hash
where it is that function (checked at import), PortableDraws the Python one everywhere else.
entity_rng's choice() is written out too: CPython's algorithm, whichever Python runs it."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from campaign_mock.world.providers import NATIVE_PAIR_HASH, Draws, PortableDraws, entity_rng, pair_hash

ROOT = Path(__file__).parents[2]
MASK = (1 << 64) - 1

# hash((a, b)) & MASK as CPython 3.11 on x86-64 computes it (PyPy 7.3 on x86-64 agrees).
VECTORS = {
    (0x0, 0x0): 0x8A9EA73517B2B067,
    (0x0, 0x1): 0xE4EE6FFF010317C0,
    (0x1, 0x0): 0xB85393C9D3AA9B18,
    (0x1, 0x2): 0xCEBBABAC205F9F43,
    (0x2, 0x1): 0x5E4C03D9F61C5545,
    (0x1FFFFFFFFFFFFFFE, 0x1FFFFFFFFFFFFFFF): 0xA8FC4F306A143404,  # 2**61 - 1 hashes to 0
    (0x1FFFFFFFFFFFFFFF, 0x2000000000000000): 0xE4EE6FFF010317C0,
    (0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF): 0x5FF04AF8626638A5,
    (0xFFFFFFFFFFFFFFFF, 0x0): 0x3C7C700092F6C4CB,
    (0x8000000000000000, 0x2000000000000000): 0x236B5661B35CB5C,
    (0x15, 0x1B487EF008C482B): 0x5C2A4BD4,  # the xxHash sum is all ones: CPython answers 1546275796
    (0x9E3779B97F4A7C15, 0x243F6A8885A308D3): 0x3F369B5F44499DAF,
    (0xAB54A98CEB1F0AD2, 0x891087B8E3B70CB1): 0x15F528E06F839487,
}


def test_fixed_vectors():
    assert {pair: pair_hash(*pair) for pair in VECTORS} == VECTORS


def test_this_interpreter_uses_its_own_hash():
    """On 64-bit CPython (what CI runs) the check at import finds the C hash to be pair_hash."""
    assert sys.implementation.name == "cpython" and sys.maxsize == 2**63 - 1
    assert NATIVE_PAIR_HASH and Draws is not PortableDraws


def test_pair_hash_is_the_native_hash_over_many_values():
    rng = random.Random(18)
    pairs = [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(50_000)]
    pairs += [(rng.getrandbits(rng.randrange(1, 65)), rng.getrandbits(rng.randrange(1, 65))) for _ in range(20_000)]
    edges = (0, 1, 2**61 - 2, 2**61 - 1, 2**61, 2**63, 2**64 - 2, 2**64 - 1)
    pairs += [(a, b) for a in edges for b in edges]
    assert [p for p in pairs if pair_hash(*p) != hash(p) & MASK] == []


def test_portable_draws_are_the_native_draws():
    fields = ["voucher_expiry_days", "name", "state", "x", "", "ünïcode"]
    options = tuple(range(7))
    for entity in range(3000):
        native, portable = Draws(entity % 5, "campaign", entity), PortableDraws(entity % 5, "campaign", entity)
        for field in fields:
            assert portable.random(field) == native.random(field)
            assert portable.pick(field, options) == native.pick(field, options)
            assert portable.below(field, 1000003) == native.below(field, 1000003)
            assert portable.rotation(field, 5, entity) == native.rotation(field, 5, entity)


def test_entity_rng_chooses_as_cpython_does():
    for seed in range(400):
        ours, cpython = entity_rng(seed, "user", 7), random.Random(f"{seed}:user:7")
        for options in ("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", tuple(range(64)), ("only",), tuple(range(1000)), tuple(range(3))):
            assert [ours.choice(options) for _ in range(5)] == [cpython.choice(options) for _ in range(5)]
        assert (ours.random(), ours.getrandbits(128)) == (cpython.random(), cpython.getrandbits(128))


def test_fixtures_are_the_same_with_another_tuple_hash(tmp_path):
    """An interpreter whose tuple hash is not CPython's (here: CPython with hash() of tuples
    altered before providers is imported) draws with PortableDraws, and writes the same bytes."""
    code = (
        "import builtins, sys; native = builtins.hash;"
        "builtins.hash = lambda o: native(o) ^ 1 if type(o) is tuple else native(o);"
        "from campaign_mock.world import providers; assert providers.Draws is providers.PortableDraws;"
        "from campaign_mock.cli import main; main()"
    )
    args = ["fixtures", "--chains", "3", "--merchants", "2"]
    for name, prefix in (("native", [sys.executable, "-m", "campaign_mock"]), ("portable", [sys.executable, "-c", code])):
        run = subprocess.run([*prefix, *args, "--out", str(tmp_path / name)], capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert run.returncode == 0, run.stderr
    native = {p.relative_to(tmp_path / "native"): p.read_bytes() for p in (tmp_path / "native").rglob("*") if p.is_file()}
    portable = {p.relative_to(tmp_path / "portable"): p.read_bytes() for p in (tmp_path / "portable").rglob("*") if p.is_file()}
    assert len(native) > 100 and portable == native

