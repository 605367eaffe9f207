"""Re-run a finished `dbt build` as plain DuckDB SQL: the denominator of dbt_vs_raw_ratio.

From dbt's target folder (manifest.json, run_results.json, compiled/): every model's compiled SELECT
is materialized the way the manifest says (view or table; incremental as a full table) and every
test's compiled query is counted, in dependency order, in a fresh DuckDB file named like the
warehouse (compiled SQL names relations `"work"."main"."x"`). Seeds are copied table to table from
the dbt-built warehouse (dbt loads them from CSV; they are a few hundred rows). Python models have
no SQL: their table is copied too and dbt's own execution time for them is added to the raw time,
so they weigh the same on both sides of the ratio.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUNNABLE = ("seed", "model", "test")


@dataclass
class RawRun:
    seconds: float = 0.0
    statements: int = 0
    dbt_node_seconds: float = 0.0  # dbt's own execution_time, summed over the same nodes
    per_node: dict[str, float] = field(default_factory=dict)

    def slowest(self, limit: int) -> list[str]:
        ranked = sorted(self.per_node.items(), key=lambda item: -item[1])[:limit]
        return [f"{name.split('.')[-1]} {seconds:.1f}s" for name, seconds in ranked]


def profile_settings() -> dict[str, object]:
    """The `settings` of the dbt profile's work target, rendered the way dbt renders env_var()."""
    import jinja2
    import yaml

    from livingreview.config import dbt_project_dir

    text = (dbt_project_dir() / "profiles.yml").read_text(encoding="utf-8")
    rendered = jinja2.Template(text).render(env_var=lambda name, default="": os.environ.get(name, default))
    return yaml.safe_load(rendered)["livingreview"]["outputs"]["work"]["settings"]


def run_compiled_sql(target: Path, dbt_warehouse: Path, raw_warehouse: Path) -> RawRun:
    import duckdb

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    run_results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    executed = [result["unique_id"] for result in run_results if result["status"] in ("success", "pass")]
    nodes = {unique_id: manifest["nodes"][unique_id] for unique_id in executed}
    run = RawRun(dbt_node_seconds=sum(result["execution_time"] for result in run_results))
    python_seconds = sum(
        result["execution_time"] for result in run_results if is_python(nodes.get(result["unique_id"], {}))
    )
    raw_warehouse.parent.mkdir(parents=True, exist_ok=True)
    raw_warehouse.unlink(missing_ok=True)
    started = time.monotonic()
    connection = duckdb.connect(str(raw_warehouse))
    connection.execute("set enable_progress_bar = false")
    for name, value in profile_settings().items():  # the same DuckDB settings as dbt's connection
        connection.execute(f"set {name} = '{str(value).lower() if isinstance(value, bool) else value}'")
    connection.execute(f"attach '{dbt_warehouse}' as dbt_built (read_only)")
    for unique_id in dependency_order(nodes):
        node_started = time.monotonic()
        connection.execute(statement_for(nodes[unique_id], target))
        run.per_node[unique_id] = time.monotonic() - node_started
        run.statements += 1
    connection.close()
    run.seconds = time.monotonic() - started + python_seconds
    return run


def is_python(node: dict[str, Any]) -> bool:
    return node.get("language") == "python"


def dependency_order(nodes: dict[str, dict[str, Any]]) -> list[str]:
    """Parents before children (Kahn), ties in dbt's own execution order."""
    remaining = list(nodes)
    done: set[str] = set()
    ordered = []
    while remaining:
        ready = next(
            unique_id
            for unique_id in remaining
            if all(
                parent in done or parent not in nodes
                for parent in nodes[unique_id].get("depends_on", {}).get("nodes", [])
            )
        )
        ordered.append(ready)
        done.add(ready)
        remaining.remove(ready)
    return ordered


def statement_for(node: dict[str, Any], target: Path) -> str:
    relation = f'"{node["database"]}"."{node["schema"]}"."{node.get("alias") or node["name"]}"'
    if node["resource_type"] == "seed" or is_python(node):
        built = f'dbt_built."{node["schema"]}"."{node.get("alias") or node["name"]}"'
        return f"create or replace table {relation} as select * from {built}"
    compiled = compiled_sql(node, target)
    if node["resource_type"] == "test":
        return f"select count(*) from (\n{compiled}\n) as dbt_internal_test"
    kind = "view" if node["config"]["materialized"] == "view" else "table"
    return f"create or replace {kind} {relation} as (\n{compiled}\n)"


def compiled_sql(node: dict[str, Any], target: Path) -> str:
    if node.get("compiled_code"):
        return node["compiled_code"]
    path = target / "compiled" / node["package_name"] / node["original_file_path"]
    if not path.is_file():  # generic tests compile under their own folder
        path = Path(node["compiled_path"]) if node.get("compiled_path") else path
        if not path.is_absolute():
            path = target.parent / path
    return path.read_text(encoding="utf-8")
