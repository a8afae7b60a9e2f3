"""read_table: every supported format, encodings, and the files it must refuse clearly."""

import os

import pandas as pd
import pytest

from automl.data.loading import read_table
from automl.errors import AutoMLError

SMALL = pd.DataFrame(
    {"length": [1.5, 2.25, 3.0], "island": ["Biscoe", "Dream", "Torgersen"], "n": [1, 2, 3]}
)


def check_small(frame):
    assert list(frame.columns) == ["length", "island", "n"]
    assert frame["length"].tolist() == [1.5, 2.25, 3.0]
    assert frame["island"].tolist() == ["Biscoe", "Dream", "Torgersen"]
    assert frame["n"].tolist() == [1, 2, 3]


def test_reads_csv(tmp_path):
    path = tmp_path / "data.csv"
    SMALL.to_csv(path, index=False)
    check_small(read_table(path))


def test_reads_tsv(tmp_path):
    path = tmp_path / "data.tsv"
    SMALL.to_csv(path, sep="\t", index=False)
    check_small(read_table(path))


def test_sniffs_semicolon_delimiter(tmp_path):
    path = tmp_path / "data.csv"
    SMALL.to_csv(path, sep=";", index=False)
    check_small(read_table(path))


def test_reads_parquet(tmp_path):
    path = tmp_path / "data.parquet"
    SMALL.to_parquet(path, index=False)
    check_small(read_table(path))


def test_reads_excel(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "data.xlsx"
    SMALL.to_excel(path, index=False)
    check_small(read_table(path))


def test_reads_feather(tmp_path):
    path = tmp_path / "data.feather"
    SMALL.to_feather(path)
    check_small(read_table(path))


def test_reads_cp1252_with_accents(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("name,city\nJosé,Zürich\nAnaïs,Besançon\nBjörn,Malmö\n".encode("cp1252"))
    frame = read_table(path)
    assert frame["name"].tolist() == ["José", "Anaïs", "Björn"]
    assert frame["city"].tolist() == ["Zürich", "Besançon", "Malmö"]


def test_reads_cp1252_whose_only_accent_is_at_the_end(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("x,name\n1,Ann\n2,André\n".encode("cp1252"))
    assert read_table(path)["name"].tolist() == ["Ann", "André"]


def test_reads_cp1252_with_accents_after_the_first_64k(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(("x,name\n" + "1,Ann\n" * 12_000 + "2,André\n").encode("cp1252"))
    assert read_table(path)["name"].iloc[-1] == "André"


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffnom,ville\nÉlodie,Genève\n".encode())
    frame = read_table(path)
    assert list(frame.columns) == ["nom", "ville"]
    assert frame.iloc[0].tolist() == ["Élodie", "Genève"]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(AutoMLError, match="nope.csv"):
        read_table(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(AutoMLError, match=r"empty\.csv.*empty"):
        read_table(path)


def test_png_named_csv(tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(AutoMLError, match=r"picture\.csv.*binary"):
        read_table(path)


def test_random_bytes_named_csv(tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(os.urandom(4096) + b"\x00\x00")
    with pytest.raises(AutoMLError, match=r"noise\.csv"):
        read_table(path)


def test_header_only_csv(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("a,b,c\n")
    with pytest.raises(AutoMLError, match=r"header\.csv.*no data rows"):
        read_table(path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(AutoMLError, match="folder"):
        read_table(tmp_path)
