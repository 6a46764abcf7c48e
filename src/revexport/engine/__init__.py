"""The engine: the world's arrays (state), the ordered step (step) and its phases."""

from revexport.engine.run import simulate_block
from revexport.engine.state import Static, World, initial_world
from revexport.engine.step import PHASES, step

__all__ = ["PHASES", "Static", "World", "initial_world", "simulate_block", "step"]
