"""dbt's cross-database macros (`dbt.datediff`, ...) as sqlfluff's jinja templater sees them.

The SQL they render is what dbt-duckdb renders, so sqlfluff parses and lints the same shape of
query without compiling the project (dbt_project/.sqlfluff sets library_path to this folder).
"""


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart: str, interval: int, from_date_or_timestamp: str) -> str:
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def listagg(measure: str, delimiter_text: str = "','", *_: object) -> str:
    return f"string_agg({measure}, {delimiter_text})"
