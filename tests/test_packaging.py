"""Installed from a wheel, the package still finds its schemas and spec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_carries_the_contract(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT), "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("campaign_mock-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    probe = (
        "import campaign_mock, json;"
        "from campaign_mock.contract.files import spec_path, schemas_dir, schemathesis_config_path, admin_spec_path;"
        "from campaign_mock.contract import load_contract;"
        "from campaign_mock.server.console import FILES, _read;"
        "print(json.dumps([campaign_mock.__file__, str(spec_path()), str(schemas_dir()), len(load_contract().campaign_types), schemathesis_config_path().read_text(), str(admin_spec_path()), {n: _read(n).decode() for n in FILES}]))"
    )
    # Run away from the checkout, with the wheel's copy first on the path.
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout
    module, spec, schemas, types, config, admin_spec, console = __import__("json").loads(out)
    # The console (/__mock/ui/) is served from the package: its files travel in the wheel.
    assert console == {n: (ROOT / "src" / "campaign_mock" / "server" / "console" / n).read_text(encoding="utf-8") for n in ("index.html", "console.js", "console.css")}
    assert Path(admin_spec).is_file() and admin_spec.startswith(str(site))  # the admin API's document too
    assert module.startswith(str(site)) and spec.startswith(str(site)) and schemas.startswith(str(site))
    assert config == (ROOT / "schemathesis.toml").read_text()  # what `check` names with --config-file
    assert types == 19
    assert sorted(p.name for p in Path(schemas).glob("*.json")) == sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
    # The documented bodies of the default world travel too.
    served = subprocess.run([sys.executable, "-m", "campaign_mock", "fixtures", "--out", str(tmp_path / "fx"), "--chains", "0"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert served.returncode == 0, served.stderr
