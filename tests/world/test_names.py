"""world/names_en_US.json and the way providers.py draws from it give exactly what Faker gives,
for many seeds, so generation needs no Faker (users' environments bring their own). Faker is a
test dependency, pinned to the release the data was copied from.

To take another Faker release's data (it changes the fixtures): install it, run
`.venv/bin/python tests/world/test_names.py`, regenerate fixtures/default deliberately."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import OrderedDict
from importlib.metadata import distribution, version

from campaign_mock.world import providers
from campaign_mock.world.providers import NAMES_FILE, POOL_SIZE, Pools, name_data

SEEDS = [*range(40), -1, -987654321, 2**40 + 3, 10**18]


def faker_names() -> dict:
    """What the installed Faker's en_US providers hold for the four values we draw. Weighted lists
    (OrderedDicts, Faker drawing with weights) stay [name, weight] pairs; the rest are tuples."""
    from faker import Faker

    fake = Faker("en_US")
    person, company, internet = fake.first_name.__self__, fake.company.__self__, fake.free_email_domain.__self__
    assert fake.last_name.__self__ is person and fake.company_suffix.__self__ is company
    assert person.__use_weighting__ and isinstance(person.first_names, OrderedDict) and isinstance(person.last_names, OrderedDict)
    assert all(isinstance(v, tuple) for v in (company.formats, company.company_suffixes, internet.free_email_domains))
    return {
        "source": "Faker's en_US providers: person (first_names, last_names, with their weights), company (formats, company_suffixes), internet (free_email_domains)",
        "faker": version("faker"),
        "license": next(f for f in distribution("faker").files or () if f.name.startswith("LICENSE")).read_text().strip(),
        "company_formats": list(company.formats),
        "company_suffixes": list(company.company_suffixes),
        "free_email_domains": list(internet.free_email_domains),
        "first_names": [[name, weight] for name, weight in person.first_names.items()],
        "last_names": [[name, weight] for name, weight in person.last_names.items()],
    }


def render(data: dict) -> str:
    """The file's form: one key a line, one name a line (readable diffs); floats as repr, exact."""
    lines = []
    for key, value in data.items():
        if key in ("first_names", "last_names"):
            items = ",\n".join("    " + json.dumps(pair, ensure_ascii=False) for pair in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def faker_pools(seed: int) -> Pools:
    """providers.pools() as it was written with Faker (the reference)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(f"{seed}:pools")
    companies = tuple(dict.fromkeys(fake.company().replace(",", "") for _ in range(POOL_SIZE * 2)))[:POOL_SIZE]
    return Pools(
        first_names=tuple(fake.first_name() for _ in range(POOL_SIZE)),
        last_names=tuple(fake.last_name() for _ in range(POOL_SIZE)),
        companies=companies,
        domains=tuple(fake.free_email_domain() for _ in range(8)),
    )


def test_the_faker_installed_is_the_one_the_data_came_from():
    assert version("faker") == name_data().faker, "the test dependency faker must be the release names_en_US.json was copied from"


def test_the_data_is_fakers():
    assert NAMES_FILE.read_text(encoding="utf-8") == render(faker_names())


def test_the_pools_are_fakers():
    differ = [seed for seed in SEEDS if providers.pools.__wrapped__(seed) != faker_pools(seed)]
    assert differ == []


def test_single_draws_are_fakers():
    """Each way of drawing, alone and many times, against Faker's own on one generator."""
    from faker import Faker

    names = name_data()
    fake = Faker("en_US")
    fake.seed_instance("single draws")
    ours = __import__("random").Random("single draws")
    for _ in range(1000):
        assert providers._choice(ours, names.company_formats) == fake.random_element(fake.company.__self__.formats)
        assert names.first_names(ours) == fake.first_name()
        assert names.last_names(ours) == fake.last_name()
        assert providers._choice(ours, names.free_email_domains) == fake.free_email_domain()


def test_generation_needs_no_faker(tmp_path):
    """`fixtures` with Faker made unimportable: it writes, and the manifest names the data's release."""
    code = "import sys; sys.modules['faker'] = None; from campaign_mock.cli import main; main()"
    run = subprocess.run([sys.executable, "-c", code, "fixtures", "--out", str(tmp_path / "out"), "--chains", "2", "--merchants", "1"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["generator"]["faker"] == name_data().faker == "40.54.0"


if __name__ == "__main__":
    NAMES_FILE.write_text(render(faker_names()), encoding="utf-8")
    print(f"wrote {NAMES_FILE} from Faker {version('faker')}")
