"""`python -m dagster_defs` (make run): the whole pipeline, as dagster_defs/run.py describes.

Before it imports Dagster and the definitions, it starts the server the step processes are forked
from (dagster_defs/step_server.py), so the server's import of the definitions and this process's
run side by side.
"""

import contextlib
import sys

from dagster_defs.step_server import start_step_server
from python_assets.settings import WarehouseSettings


def main() -> int:
    with contextlib.suppress(ValueError):  # run.main reports the settings that are not valid
        start_step_server(WarehouseSettings.from_env())
    from dagster_defs import run  # Dagster and the definitions, while the server imports them

    return run.main()


if __name__ == "__main__":
    sys.exit(main())
