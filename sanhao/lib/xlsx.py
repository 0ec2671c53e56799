"""Reading Excel workbooks (.xlsx) sent by strangers: bounded in memory and time.

A workbook is a zip of XML parts. Before anything is parsed, the zip's directory is
checked: at most `Limits.entries` entries, at most `Limits.unpacked` bytes once
unpacked (zipfile never returns more than an entry declares; a lying size fails the
entry's CRC check), only the two compressions Excel writes, nothing encrypted.

Each XML part is then read as a stream by expat, keeping only what is asked for: the
values of one sheet's rows, one row at a time. A part that declares a DTD or an entity
is refused (a workbook never needs one, and entities are how XML bombs and external
entity attacks work). The `<dimension>` a sheet declares is ignored: every row in the
data is read. Rows out of order, impossible cell references, references to strings
that do not exist and damaged or cut-off XML are refused with a readable message.

Values come as Excel holds them: str, int, float, bool, datetime for a number
formatted as a date, and `sanhao.lib.numbers.Percent` (a float) for one formatted as a
percentage; formulas give their last computed value.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from sanhao.lib.numbers import Percent

MAX_ROW = 1_048_576  # Excel's last row
MAX_COLUMN = 16_384  # Excel's last column, XFD
MAX_CELL = 32_767  # characters Excel holds in one cell
# Built-in number formats that show dates, with the East Asian ones (27-36, 50-58).
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
PERCENT_FORMAT_IDS = frozenset([9, 10])
DATE, PERCENT = "date", "percent"
OFFICE_DOCUMENT = "officeDocument/2006/relationships/officeDocument"
CHUNK = 64 * 1024
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]*)")


class WorkbookError(Exception):
    """The workbook cannot be read; the message says why, for the person who sent it."""

    def __init__(self, message: str, *, sheet: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet


@dataclass(frozen=True)
class Limits:
    entries: int = 100
    unpacked: int = 32 * 1024 * 1024
    strings: int = 200_000
    rows: int = 20_000  # rows holding a value in a sheet, not counting the first (its header)


def _local(name: str) -> str:
    """`{namespace} local` (expat's form with a space separator) → `local`."""
    return name.rpartition(" ")[2]


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, and encrypted .xlsx


def _refuse_other_formats(data: bytes) -> None:
    """A file that is no zip at all, told apart by its first bytes, with what to do."""
    if data.startswith(b"PK"):
        return
    if data.startswith(OLE2):
        raise WorkbookError(
            _(
                "this is an old-format Excel file (.xls) or an encrypted workbook: open it in Excel or WPS and save it as “Excel 工作簿 (.xlsx)” without a password"
            )
        )
    head = data[:4096]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.strip() and ("," in text or "\t" in text) and "\x00" not in text:
            raise WorkbookError(
                _(
                    "this is a text file (CSV) with the name of a workbook: open it in Excel or WPS and save it as “Excel 工作簿 (.xlsx)”"
                )
            )
        break
    raise WorkbookError(_("this is not an Excel workbook (.xlsx)"))


class Workbook:
    def __init__(self, data: bytes, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        _refuse_other_formats(data)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise WorkbookError(_("this is not an Excel workbook (.xlsx)")) from None
        self._check_directory(infos)
        self._strings: list[str] | None = None
        book = self._find_book()
        self._sheets: dict[str, str] = {}
        self._date1904 = False
        self._read_book(book)
        self._date_styles = self._read_styles()

    # The zip ----------------------------------------------------------------------

    def _check_directory(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.entries:
            raise WorkbookError(
                _("the file holds %(n)s parts, more than a workbook's %(max)s")
                % {"n": len(infos), "max": limits.entries}
            )
        if sum(info.file_size for info in infos) > limits.unpacked:
            raise WorkbookError(
                _("the workbook unpacks to more than %(mb)s MB: split it into smaller files")
                % {"mb": limits.unpacked // (1024 * 1024)}
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise WorkbookError(_("the workbook is password-protected: save it without"))
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise WorkbookError(_("this is not an Excel workbook (.xlsx)"))

    def _parse(
        self,
        part: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
        *,
        sheet: str | None = None,
    ) -> Iterator[None]:
        """Feed `part` to expat chunk by chunk, yielding after each chunk."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse(*_args: Any) -> None:
            raise WorkbookError(
                _("the file declares a DTD or an entity, which a workbook never holds"),
                sheet=sheet,
            )

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        try:
            with self._zip.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise WorkbookError(
                _("the file is damaged: %(part)s cannot be read at line %(line)s")
                % {"part": part, "line": error.lineno},
                sheet=sheet,
            ) from None
        except KeyError:
            raise WorkbookError(
                _("the file is damaged: %(part)s is missing") % {"part": part}, sheet=sheet
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
            raise WorkbookError(
                _("the file is damaged: %(part)s cannot be unpacked") % {"part": part},
                sheet=sheet,
            ) from None

    def _parse_all(self, part: str, *args: Any, **kwargs: Any) -> None:
        for _chunk in self._parse(part, *args, **kwargs):
            pass

    def _exists(self, part: str) -> bool:
        try:
            self._zip.getinfo(part)
        except KeyError:
            return False
        return True

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of `part`: id → (type, target part)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        found: dict[str, tuple[str, str]] = {}
        if not self._exists(rels):
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

        self._parse_all(rels, start)
        return found

    # The book, its sheets and its styles -----------------------------------------------

    def _find_book(self) -> str:
        for kind, target in self._relationships("").values():
            if kind.endswith(OFFICE_DOCUMENT):
                return target
        if self._exists("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise WorkbookError(_("this is not an Excel workbook (.xlsx)"))

    def _read_book(self, book: str) -> None:
        rels = self._relationships(book)
        self._book_rels = rels
        sheets: list[tuple[str, str]] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                sheets.append((attrs.get("name", ""), rid))
            elif local == "workbookPr":
                self._date1904 = attrs.get("date1904", "").lower() in ("1", "true")

        self._parse_all(book, start)
        for name, rid in sheets:
            if rid in rels and name not in self._sheets:
                self._sheets[name] = rels[rid][1]

    def _part_of_type(self, suffix: str) -> str | None:
        return next((t for k, t in self._book_rels.values() if k.endswith(suffix)), None)

    def _read_styles(self) -> list[str]:
        """For each cell style (its index), whether it shows a number as a date
        (`DATE`), as a percentage (`PERCENT`) or otherwise (`""`)."""
        part = self._part_of_type("/styles")
        if part is None:
            return []
        custom: dict[int, str] = {}
        formats: list[int] = []
        in_cell_xfs = False

        def start(tag: str, attrs: dict[str, str]) -> None:
            nonlocal in_cell_xfs
            local = _local(tag)
            if local == "numFmt":
                custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                in_cell_xfs = True
            elif local == "xf" and in_cell_xfs:
                formats.append(_int(attrs.get("numFmtId")))

        def end(tag: str) -> None:
            nonlocal in_cell_xfs
            if _local(tag) == "cellXfs":
                in_cell_xfs = False

        self._parse_all(part, start, end)
        kinds = {i: _format_kind(code) for i, code in custom.items()}
        return [kinds.get(i, _builtin_kind(i)) for i in formats]

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        part = self._part_of_type("/sharedStrings")
        if part is not None:
            parts: list[str] = []
            state = {"in_t": False, "in_phonetic": False}
            limit = self.limits.strings

            def start(tag: str, attrs: dict[str, str]) -> None:
                local = _local(tag)
                if local == "si":
                    parts.clear()
                elif local == "t" and not state["in_phonetic"]:
                    state["in_t"] = True
                elif local == "rPh":
                    state["in_phonetic"] = True

            def end(tag: str) -> None:
                local = _local(tag)
                if local == "t":
                    state["in_t"] = False
                elif local == "rPh":
                    state["in_phonetic"] = False
                elif local == "si":
                    if len(strings) >= limit:
                        raise WorkbookError(
                            _("the workbook holds more than %(n)s different texts") % {"n": limit}
                        )
                    strings.append("".join(parts))

            def text(data: str) -> None:
                if state["in_t"]:
                    parts.append(data)
                    if sum(map(len, parts)) > MAX_CELL:
                        raise WorkbookError(_too_long())

            self._parse_all(part, start, end, text)
        self._strings = strings
        return strings

    # Rows --------------------------------------------------------------------------

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def rows(self, sheet: str) -> Iterator[tuple[int, dict[int, Any]]]:
        """(row number, {column index from 0: value}) for each row holding a value."""
        reader = _SheetReader(
            sheet,
            self._shared_strings(),
            self._date_styles,
            MAC_EPOCH if self._date1904 else WINDOWS_EPOCH,
            self.limits.rows,
        )
        for _chunk in self._parse(
            self._sheets[sheet], reader.start, reader.end, reader.text, sheet=sheet
        ):
            yield from reader.done
            reader.done.clear()
        yield from reader.done


def _builtin_kind(number_format: int) -> str:
    if number_format in DATE_FORMAT_IDS:
        return DATE
    return PERCENT if number_format in PERCENT_FORMAT_IDS else ""


def _format_kind(code: str) -> str:
    if is_date_format(code):
        return DATE
    unquoted = re.sub(r'"[^"]*"|\\.', "", code.partition(";")[0])
    return PERCENT if "%" in unquoted else ""


def _too_long() -> str:
    return _("the file is damaged: a cell holds more than the %(n)s characters Excel allows") % {
        "n": MAX_CELL
    }


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return -1


class _SheetReader:
    """expat handlers that turn `<row>`s into dictionaries, one row at a time."""

    def __init__(
        self,
        sheet: str,
        strings: list[str],
        date_styles: list[str],
        epoch: dt.datetime,
        max_rows: int,
    ) -> None:
        self.sheet, self.strings, self.date_styles, self.epoch = sheet, strings, date_styles, epoch
        self.max_rows = max_rows
        self.done: list[tuple[int, dict[int, Any]]] = []
        self.count = 0
        self.row_number = 0
        self.row: dict[int, Any] | None = None
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.parts: list[str] = []
        self.collecting = False
        self.in_inline = False
        self.in_phonetic = False

    def fail(self, message: str) -> None:
        raise WorkbookError(message, sheet=self.sheet)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            if self.row is None:
                return
            self._start_cell(attrs)
        elif local == "v" or (local == "t" and self.in_inline and not self.in_phonetic):
            self.collecting = True
        elif local == "is":
            self.in_inline = True
        elif local == "rPh":
            self.in_phonetic = True
        elif local == "row":
            self._start_row(attrs)

    def _start_row(self, attrs: dict[str, str]) -> None:
        number = attrs.get("r")
        if number is None:
            self.row_number += 1
        elif number.isascii() and number.isdigit() and self.row_number < int(number) <= MAX_ROW:
            self.row_number = int(number)
        else:
            self.fail(
                _("the file is damaged: row %(row)s after row %(previous)s")
                % {"row": number[:20], "previous": self.row_number}
            )
        if self.row_number > MAX_ROW:
            self.fail(_("the file is damaged: more rows than Excel allows"))
        self.row = {}
        self.column = -1

    def _start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is None:
            self.column += 1
        else:
            match = _CELL_REF.fullmatch(ref)
            if match is None:
                self.fail(_("the file is damaged: a cell is called %(ref)s") % {"ref": ref[:20]})
            assert match is not None
            index = 0
            for letter in match.group(1).upper():
                index = index * 26 + ord(letter) - 64
            self.column = index - 1
        if self.column >= MAX_COLUMN:
            self.fail(_("the file is damaged: more columns than Excel allows"))
        self.kind = attrs.get("t", "n")
        style = attrs.get("s")
        self.style = int(style) if style and style.isascii() and style.isdigit() else 0
        self.parts.clear()

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local in ("v", "t"):
            self.collecting = False
        elif local == "c":
            if self.row is not None:
                value = self._value()
                if value is not None and value != "":
                    self.row[self.column] = value
        elif local == "is":
            self.in_inline = False
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "row" and self.row is not None:
            if self.row:
                self.count += 1
                if self.count > self.max_rows + 1:
                    self.fail(
                        _("the sheet has more than %(n)s rows: split it into smaller files")
                        % {"n": self.max_rows}
                    )
                self.done.append((self.row_number, self.row))
            self.row = None

    def text(self, data: str) -> None:
        if self.collecting:
            self.parts.append(data)
            if sum(map(len, self.parts)) > MAX_CELL:
                self.fail(_too_long())

    def _value(self) -> Any:
        text = "".join(self.parts)
        kind = self.kind
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "s":
            index = _int(text)
            if not 0 <= index < len(self.strings):
                self.fail(_("the file is damaged: a cell refers to a text that does not exist"))
            return self.strings[index]
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                return text
        text = text.strip()
        if not text:
            return None
        number: int | float
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
        kind = self.date_styles[self.style] if self.style < len(self.date_styles) else ""
        if kind == DATE:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError, ArithmeticError):
                return number
        if kind == PERCENT:
            return Percent(number)
        return number
