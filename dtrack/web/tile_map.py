"""Where each of the 34 provinces sits on the dashboard's tile map: a fixed grid, no geographic file.

One tile per province, keyed by its official two-digit code (the seeds'
`code`), at (column, row): rows run north to south, columns from the western
border (0) to the coast (4). The places are rough on purpose: neighbours stay
neighbours, the north stays wide, the centre a narrow strip along the coast,
the Mekong delta spreads west again. A province missing here (a new unit) is
placed on a row below the map rather than left out.
"""
from __future__ import annotations

# code -> (column, row)
TILES: dict[str, tuple[int, int]] = {
    # the north: the mountains along the border, the Red River delta, the coast of Quảng Ninh
    "12": (1, 0), "15": (2, 0), "08": (3, 0), "04": (4, 0),  # Lai Châu, Lào Cai, Tuyên Quang, Cao Bằng
    "11": (0, 1), "14": (1, 1), "25": (2, 1), "19": (3, 1), "20": (4, 1),  # Điện Biên, Sơn La, Phú Thọ, ...
    "01": (2, 2), "24": (3, 2), "22": (4, 2),  # Hà Nội, Bắc Ninh, Quảng Ninh
    "37": (2, 3), "33": (3, 3), "31": (4, 3),  # Ninh Bình, Hưng Yên, Hải Phòng
    # the centre: a strip along the coast
    "38": (2, 4),  # Thanh Hóa
    "40": (2, 5), "42": (3, 5),  # Nghệ An, Hà Tĩnh
    "44": (3, 6), "46": (4, 6),  # Quảng Trị, Huế
    "48": (4, 7),  # Đà Nẵng
    "51": (4, 8),  # Quảng Ngãi
    "52": (4, 9),  # Gia Lai
    "66": (4, 10),  # Đắk Lắk
    "68": (3, 11), "56": (4, 11),  # Lâm Đồng, Khánh Hòa
    # the south: Đông Nam Bộ and the Mekong delta
    "75": (2, 11),  # Đồng Nai
    "80": (1, 12), "79": (2, 12),  # Tây Ninh, Hồ Chí Minh
    "91": (0, 13), "82": (1, 13), "86": (2, 13),  # An Giang, Đồng Tháp, Vĩnh Long
    "92": (1, 14),  # Cần Thơ
    "96": (0, 15),  # Cà Mau
}
COLUMNS = 5
ROWS = 16


def place(codes: list[str | None]) -> list[tuple[int, int]]:
    """Each code's (column, row), in the order given; codes without a tile go on rows below the map."""
    spare = 0
    places = []
    for code in codes:
        if code in TILES:
            places.append(TILES[code])  # type: ignore[index]
        else:
            places.append((spare % COLUMNS, ROWS + spare // COLUMNS))
            spare += 1
    return places


__all__ = ["COLUMNS", "ROWS", "TILES", "place"]
