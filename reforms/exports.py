"""Downloads of a list page: exactly the rows and columns on screen, across all its pages."""

from django_tables2.export import TableExport

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SPREADSHEET_FORMATS = ("csv", "xlsx")


def neutralise(cell):
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


class PortalExport(TableExport):
    FORMATS = {
        TableExport.CSV: "text/csv; charset=utf-8",
        TableExport.JSON: "application/json; charset=utf-8",
        TableExport.XLSX: TableExport.FORMATS[TableExport.XLSX],
    }

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format in SPREADSHEET_FORMATS:
            rows = [tuple(neutralise(cell) for cell in row) for row in dataset]
            headers = dataset.headers
            dataset.wipe()
            dataset.headers = headers
            dataset.extend(rows)
        return dataset

    def export(self):
        data = super().export()
        if self.format == TableExport.CSV:
            # Excel reads a CSV without a byte-order mark as the local code page (GBK in China).
            return "\ufeff" + data
        return data
