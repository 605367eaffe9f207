"""`livingreview` command line. Each command lives in `livingreview/commands/<name>.py`.

Commands are imported lazily so `livingreview --help` and quick commands stay fast
(Airflow, dbt and Great Expectations are heavy imports).
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "harvest": "livingreview.commands.harvest:harvest",
    "reparse": "livingreview.commands.harvest:reparse",
    "simulate": "livingreview.commands.simulate:simulate",
    "build": "livingreview.commands.build:build",
    "validate": "livingreview.commands.pipeline:validate",
    "publish": "livingreview.commands.pipeline:publish",
    "refresh": "livingreview.commands.pipeline:refresh",
    "query": "livingreview.commands.pipeline:query",
    "report": "livingreview.commands.report:report",
    "release": "livingreview.commands.report:release",
    "screen": "livingreview.commands.screen:screen",
    "queue": "livingreview.commands.review:queue",
    "decisions": "livingreview.commands.review:decisions",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="livingreview")
def main() -> None:
    """Living systematic review of foundation models in medical image analysis."""
