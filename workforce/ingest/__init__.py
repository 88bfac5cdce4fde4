"""The one file-reading core every importer reads through.

- ``files``: the type of a file from its content (never its name) and text decoding
  (UTF-8, UTF-8 or UTF-16 with a byte-order mark, UTF-16 without one, Windows-1252);
- ``zips``: workbook archives checked before they are opened (zip bombs, macros, links);
- ``workbooks``: XLSX and ODS sheets as a stream of rows, formulas never evaluated;
- ``tables``: CSV, XLSX and ODS as tables or sheets, with the same row and cell limits;
- ``cells``: the one cell parser (numbers, dates, yes/no, text, the formula triggers);
- ``problems``: the one problem type (severity, rule id, file or sheet, row, column,
  value, message) and the ``Issues`` collector with its limits.

A new importer adds a layout (which columns, which rules), never a second reader.
"""
