"""How a run's tables are laid out in their Parquet files."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from revexport.storage.files import RunFiles


@pytest.mark.parametrize("text_dtype", [object, "string"])
def test_text_columns_are_dictionary_encoded_numbers_are_not(tmp_path, text_dtype) -> None:
    """Text is written with a dictionary whether pandas holds it as objects or as its string
    dtype (the default from pandas 3); numbers never are."""
    df = pd.DataFrame({"state": pd.Series(["IRQ", "SAU", "IRQ"] * 100, dtype=text_dtype),
                       "step": range(300), "value": [0.5] * 300})
    files = RunFiles(tmp_path, None)
    files.write_path("events", 0).parent.mkdir(parents=True)
    files.write_frame("events", 0, df)
    meta = pq.ParquetFile(files.block_path("events", 0)).metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: meta.column(i).encodings
                 for i in range(meta.num_columns)}
    assert "RLE_DICTIONARY" in encodings["state"]
    assert "RLE_DICTIONARY" not in encodings["step"]
    assert "RLE_DICTIONARY" not in encodings["value"]
    pd.testing.assert_series_equal(pd.read_parquet(files.block_path("events", 0))["state"],
                                   df["state"], check_dtype=False)
