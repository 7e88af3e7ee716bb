"""Put the selected dataset's input files in place: generate the demo, adapt FreshRetailNet, or use a folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from python_assets.files import replace_folder_atomic
from python_assets.settings import WarehouseSettings


def prepare_input_files(settings: WarehouseSettings) -> dict[str, int]:
    """Write (or find) the input files of settings.dataset; return rows per written table.

    Generated files are written to a scratch folder first and swapped in only once complete,
    so a failure leaves the previous files as they were. A user's own folder is never written.
    """
    target = settings.resolved_input_dir
    if settings.dataset == "files":
        if not target.is_dir():
            raise FileNotFoundError(f"INPUT_DIR {target} is not a folder")
        return {}
    scratch = target.with_name(target.name + ".new")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    if settings.dataset == "demo":
        from python_assets.inputs.demo import DEMO_SIZES, generate_demo_data

        rows = generate_demo_data(
            scratch,
            DEMO_SIZES[settings.demo_size],
            seed=settings.demo_seed,
            profile=settings.demo_profile,
        )
    else:
        from python_assets.inputs.freshretailnet import adapt_freshretailnet

        source = settings.frn_path
        if "://" not in source and not Path(source).exists():
            raise FileNotFoundError(
                f"FreshRetailNet-50K not found at {source}: set FRN_PATH to its train.parquet "
                "(or an hf:// URL)"
            )
        future = settings.frn_future_path or None
        if future and "://" not in future and not Path(future).exists():
            raise FileNotFoundError(f"FRN_FUTURE_PATH {future} not found")
        rows = adapt_freshretailnet(
            source, scratch, city_ids=settings.frn_city_ids or None, future_source=future
        )
    replace_folder_atomic(scratch, target)
    return rows
