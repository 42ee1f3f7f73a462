"""ganbench: a reproducible benchmark suite for the classic GAN variants."""

__version__ = "0.1.0"
