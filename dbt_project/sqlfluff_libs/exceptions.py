"""dbt's `exceptions` as sqlfluff's jinja templater sees it: raising renders nothing, so the SQL
around a guarded branch still parses."""


def raise_compiler_error(message: str) -> str:
    return ""
