"""Reading an import file: the safe reader of ``guji.files.spreadsheets``, through storage.

Size, emptiness, what the bytes really are, zip bombs, encodings and formula cells are all
checked there, before any parser sees the file; here the census only names what it reads.
"""

from guji.files.spreadsheets import (
    FileRejected,
    Table,
    check_size,
    column_index,
    local_path,
    read_stored_table,
    read_table,
)

__all__ = [
    "FileRejected",
    "Table",
    "check_size",
    "column_index",
    "local_path",
    "read_stored_table",
    "read_table",
]
