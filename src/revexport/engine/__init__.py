"""The engine: the world's arrays (``state``), the ordered step (``step``), its phases,
randomness (``rng``) and the block runner (``run``)."""
