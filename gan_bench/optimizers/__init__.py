"""Optimisers with the exact update rules of the frameworks the tutorials were written in."""

from gan_bench.optimizers.keras2_adam import Keras2Adam
from gan_bench.optimizers.tf1_rmsprop import TF1RMSProp

__all__ = ["Keras2Adam", "TF1RMSProp"]
