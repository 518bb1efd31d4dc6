"""Bulk loading for synthetic data (devtools.scale): rows written with ids handed out here, in
large batches (COPY on PostgreSQL, executemany elsewhere), and fresh planner statistics after."""
from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, models

FLUSH_ROWS = 50_000


def analyze() -> None:
    """Fresh planner statistics after a bulk load; on PostgreSQL also the visibility map that
    lets counts read indexes only. Outside a transaction (VACUUM cannot run in one)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class BulkWriter:
    """Collects rows per model as dicts of column values, hands out ids (from each table's
    current maximum) and writes them in batches. Columns left out take the field's default."""

    def __init__(self, batch: int = FLUSH_ROWS):
        self.batch = batch
        self.rows: dict[type[models.Model], list[tuple]] = {}
        self.next_id: dict[type[models.Model], int] = {}
        self.columns: dict[type[models.Model], tuple[list[str], dict, list]] = {}
        self.postgres = connection.vendor == "postgresql"

    def _layout(self, model):
        if model not in self.columns:
            fields = model._meta.concrete_fields
            defaults = {}
            for f in fields:  # Django's defaults: the declared one, else "" for text, else None
                value = f.get_default()
                defaults[f.attname] = value.value if isinstance(value, models.Choices) else value
            adapt = [self._adapter(f) for f in fields]
            self.columns[model] = ([f.attname for f in fields], [f.column for f in fields], defaults, adapt)
            self.next_id[model] = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
            self.rows[model] = []
        return self.columns[model]

    def _adapter(self, f):
        """psycopg's COPY takes Python values; SQLite needs Django's text forms of dates."""
        if self.postgres:
            return None
        if isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(f, models.DecimalField):
            return lambda value: connection.ops.adapt_decimalfield_value(value, f.max_digits, f.decimal_places)
        return None

    def reserve(self, model) -> int:
        """An id for a row added later (a task whose status is known once its reports are made)."""
        self._layout(model)
        pk = self.next_id[model]
        self.next_id[model] += 1
        return pk

    def add(self, model, **values) -> int:
        names, _columns, defaults, adapt = self._layout(model)
        pk = values.setdefault("id", self.next_id[model])
        self.next_id[model] = max(self.next_id[model], pk + 1)
        row = {**defaults, **values}
        self.rows[model].append(tuple(
            row[name] if adapter is None or row[name] is None else adapter(row[name])
            for name, adapter in zip(names, adapt)
        ))
        if len(self.rows[model]) >= self.batch:
            self.flush()
        return pk

    def flush(self) -> None:
        """Write every model's pending rows, in the order the models were first added (parents
        before children, which SQLite's immediate checks of some constraints prefer)."""
        for model, rows in self.rows.items():
            if rows:
                self._write(model, rows)
                rows.clear()

    def _write(self, model, rows) -> None:
        names, column_names = self.columns[model][:2]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(column) for column in column_names)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def finish(self) -> None:
        """Flush, then move PostgreSQL's id sequences past the ids handed out here."""
        self.flush()
        if self.postgres and self.columns:
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(self.columns)):
                    cursor.execute(statement)
