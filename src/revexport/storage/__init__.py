"""Storage: one Parquet file per block and table, and a JSON manifest per run."""

from revexport.storage.files import RunFiles, read_table
from revexport.storage.manifest import read_manifest, write_manifest

__all__ = ["RunFiles", "read_manifest", "read_table", "write_manifest"]
