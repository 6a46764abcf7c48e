"""The eight phases of one step, one module each (order: :mod:`revexport.engine.step`)."""
