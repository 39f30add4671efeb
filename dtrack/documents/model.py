"""An official document as its parts, worded and formatted, before any layout.

Decree 30/2020/NĐ-CP, Appendix I, fixes the parts of a Vietnamese administrative
document and their order; this module holds them as plain text so the DOCX and
the PDF writers cannot disagree on a figure or a word. The sizes and the page
come from `Decree30` (one place for the numbers the decree gives as ranges).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decree30:
    """The page and the type sizes chosen inside the decree's ranges (points and millimetres)."""

    page_width_mm: float = 210.0  # A4
    page_height_mm: float = 297.0
    top_mm: float = 20.0  # top and bottom 20-25 mm
    bottom_mm: float = 20.0
    left_mm: float = 30.0  # left 30-35 mm
    right_mm: float = 15.0  # right 15-20 mm
    font: str = "Times New Roman"
    country_pt: float = 12.0  # Quốc hiệu 12-13, bold capitals
    motto_pt: float = 13.0  # Tiêu ngữ 13-14, bold, ruled beneath
    parent_pt: float = 12.0  # the body above the issuer, 12-13 capitals
    issuer_pt: float = 12.0  # the issuing body, 12-13 bold capitals
    number_pt: float = 13.0  # "Số: …", 13
    summary_letter_pt: float = 12.0  # a letter's "V/v …" under its number, 12-13
    place_pt: float = 14.0  # place and date, 13-14 italic
    kind_pt: float = 14.0  # BÁO CÁO, 13-14 bold capitals
    title_pt: float = 14.0  # the summary under it, 13-14 bold
    body_pt: float = 14.0  # 13-14, justified, first line indented 1-1.27 cm
    indent_cm: float = 1.27
    table_pt: float = 11.0  # tables are not sized by the decree: small enough for many columns
    matrix_pt: float = 9.0
    sign_pt: float = 14.0  # authority, position and name, 13-14 bold
    recipients_label_pt: float = 12.0  # "Nơi nhận:" 12 bold italic
    recipients_pt: float = 11.0  # its list, 11
    page_number_pt: float = 13.0  # 13-14, centred at the top from page 2

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.left_mm - self.right_mm

    def line_capacity(self, size_pt: float) -> float:
        """About how many characters of Times at `size_pt` a full line holds (half an em each on average)."""
        return self.text_width_mm / (size_pt * 0.5 * 25.4 / 72)


DECREE_30 = Decree30()


@dataclass(frozen=True)
class Para:
    """A body paragraph: justified with its first line indented; `heading` ones bold and not indented."""

    text: str
    heading: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Grid:
    """A table of text cells (already formatted: "56,31 tỷ đồng", "14,8 %", "05/01/2026")."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    total_last: bool = False  # the last row a bold total
    small: bool = False  # the provinces x groups matrix: many narrow columns

    def widths(self, capacity: float) -> tuple[float, ...]:
        """Each column's share of the width, `capacity` the characters a line of the table holds.

        Every column first gets room for its longest word (a date, "Hoàn thành" never broken
        inside a word), then what is left goes to the columns with long texts (first 200 rows).
        Shared by both writers so a column breaks its lines at the same words in Word and in the PDF.
        """
        least, wanted = [], []
        for i, head in enumerate(self.headers):
            texts = [head, *(row[i] for row in self.rows[:200])]
            word = max(len(w) for text in texts for w in (text.split() or [""])) + 2.5
            longest = max(len(text) for text in texts) + 1.5
            least.append(word)
            wanted.append(max(word, min(longest, 40)))
        room = capacity - sum(least)
        if room <= 0:  # not even the words fit: shrink them alike (Word and the PDF then break inside words)
            shares = least
        else:
            extra = [w - m for w, m in zip(wanted, least, strict=True)]
            spread = sum(extra) or 1.0
            scale = min(1.0, room / spread) if sum(extra) else 0.0
            shares = [m + e * scale for m, e in zip(least, extra, strict=True)]
        total = sum(shares)
        return tuple(share / total for share in shares)


Block = Para | Grid


@dataclass(frozen=True)
class Signature:
    """Who signs: "KT. CỤC TRƯỞNG" / "PHÓ CỤC TRƯỞNG" / "Nguyễn Văn A"."""

    authority: str = ""  # "TM. ỦY BAN NHÂN DÂN", "KT. CỤC TRƯỞNG", "" when the head signs
    position: str = ""  # "THỦ TRƯỞNG ĐƠN VỊ", "PHÓ CỤC TRƯỞNG"
    name: str = ""  # blank: the signer writes it
    hint: str = ""  # "(Ký, ghi rõ họ tên, đóng dấu)" when no name is given


@dataclass(frozen=True)
class OfficialDocument:
    """The parts in the decree's order; `kind` empty for a letter (công văn), whose summary sits under its number."""

    parent: str  # the body above the issuer, capitals; "" for none
    issuer: str  # capitals
    country: str
    motto: str
    number: str  # "Số: 12/BC-KC" or a draft's "Số:        /BC-KC"
    place_date: str
    kind: str  # "BÁO CÁO"; "" for a công văn
    title: str  # the summary: under the kind, or "V/v …" under the number for a letter
    recipient: str  # "Kính gửi: …"
    blocks: tuple[Block, ...]
    signature: Signature
    recipients_label: str  # "Nơi nhận"
    recipients: tuple[str, ...]  # the list, its last line the archive ("Lưu: VT, KC")
    file_title: str = ""  # the PDF's and DOCX's title property
    lang: str = "vi"
    extra_recipients: tuple[str, ...] = field(default=())  # "Kính gửi" lines after the first (a letter to several)

    @property
    def is_letter(self) -> bool:
        return not self.kind
