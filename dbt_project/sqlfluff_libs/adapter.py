"""dbt's `adapter` as sqlfluff's jinja templater sees it: `adapter.dispatch('m')(a, b)` renders
as the function call `m(a, b)`, which parses like what the dispatched macro renders."""

from collections.abc import Callable


def dispatch(macro_name: str, *_: object) -> Callable[..., str]:
    def call(*args: object) -> str:
        return f"{macro_name}({', '.join(str(arg) for arg in args)})"

    return call
